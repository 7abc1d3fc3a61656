"""A "1" far lower than its row's digits is a piece, one far higher a line beside the row: both
shown "?" (realtime.camera_app.SHORT_ONE, TALL_ONE).

A stand-in model reads a crop by its shape, so the tests know what each candidate reads without
the shipped model: a ring "0" at 0.98, a bar much higher than wide "1" at 0.97 (to_mnist makes
any such bar, short or tall, the same 28x28 stroke: only its height in the row tells them apart).
"""

from __future__ import annotations

import cv2
import numpy as np

from realtime.camera_app import SHORT_ONE, SHORT_ONE_REASON, TALL_ONE, TALL_ONE_REASON, CameraOptions, FramePipeline


class ShapeReader:
    """(N, 28, 28) -> (N, 10): "0" at 0.98 for ink with a hole, "1" at 0.97 for a bar, else 0.95
    "not a digit"."""

    def predict(self, images: np.ndarray) -> np.ndarray:
        out = np.zeros((len(images), 10), np.float32)
        for row, image in zip(out, images):
            ink = (image > 0.3).astype(np.uint8)
            _, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
            ys, xs = np.nonzero(ink)
            if hierarchy is not None and any(h[3] >= 0 for h in hierarchy[0]):
                row[0], row[8] = 0.98, 0.02
            elif len(ys) and np.ptp(ys) >= 3 * np.ptp(xs):
                row[1], row[7] = 0.97, 0.03
            else:
                row[0] = 0.05
        return out


def _page(bar_height: int) -> np.ndarray:
    """A 640x480 photo of a row "0 1 0 | 0": rings 90 px high, a "1" as high, and between the last
    two rings a bar `bar_height` px high standing on the row's baseline (a box's remnant, a piece
    broken off a digit)."""
    frame = np.full((480, 640, 3), 235, np.uint8)
    ink = (40, 40, 40)
    for x in (120, 330, 520):
        cv2.ellipse(frame, (x, 240), (30, 45), 0, 0, 360, ink, 8)
    cv2.line(frame, (225, 196), (225, 284), ink, 8)  # the "1", as high as the rings
    cv2.line(frame, (425, 284 - bar_height), (425, 284), ink, 8)
    return frame


def _read(frame: np.ndarray):
    return FramePipeline(ShapeReader(), CameraOptions(rotate=0)).process(frame, 0.0).reading


def test_a_short_bar_in_a_row_is_no_one() -> None:
    """A bar under SHORT_ONE of the row's height (half of it: over segment.SPECK_OF_ROW, so it
    stands in the row) reads "1" to the model, but is shown "?" and the row has no number (it read
    "01010", a digit too many, before)."""
    reading = _read(_page(bar_height=int(0.5 * 90)))
    assert reading.lines == ["010?0"]
    assert reading.number is None
    short = [d for d in reading.digits if d.reason == SHORT_ONE_REASON]
    rings = [d.box[3] for d in reading.digits if d.digit == 0]
    assert len(short) == 1 and abs(short[0].box[0] - 421) <= 4 and short[0].box[3] < SHORT_ONE * min(rings)


def test_a_one_as_high_as_its_row_is_read() -> None:
    """Above SHORT_ONE of the row, a bar is a "1" (a short "1" is still a "1")."""
    reading = _read(_page(bar_height=int(0.8 * 90)))
    assert reading.number == "01010"
    assert not any(d.reason == SHORT_ONE_REASON for d in reading.digits)


def _edge_before(line_height: int) -> np.ndarray:
    """A 640x480 photo of a row "0 1 0" (rings and a "1" 90 px high) with a straight line
    `line_height` px high 1.3 rings' width before it, centred on the row: the edge of a sheet
    against a lighter surround, a door's groove."""
    frame = np.full((480, 640, 3), 235, np.uint8)
    ink = (40, 40, 40)
    for x in (300, 510):
        cv2.ellipse(frame, (x, 240), (30, 45), 0, 0, 360, ink, 8)
    cv2.line(frame, (405, 196), (405, 284), ink, 8)
    cv2.line(frame, (160, 240 - line_height // 2), (160, 240 + line_height // 2), ink, 8)
    return frame


def test_a_line_twice_as_high_as_its_row_is_no_one() -> None:
    """A straight line over TALL_ONE of the row's height beside it reads "1" to the model, but is
    shown "?" and the row has no number (the real video washed out read "12019" for 2019: the
    sheet's edge against the door, twice the row's height)."""
    reading = _read(_edge_before(line_height=int(2.0 * 90)))
    assert reading.lines == ["?010"]
    assert reading.number is None
    tall = [d for d in reading.digits if d.reason == TALL_ONE_REASON]
    assert len(tall) == 1 and tall[0].box[3] > TALL_ONE * 90


def test_a_tall_one_is_still_a_one() -> None:
    """Under TALL_ONE of the row, a bar is a "1": written "1"s stand up to 1.53 of their row."""
    reading = _read(_edge_before(line_height=int(1.5 * 90)))
    assert reading.number == "1010"
    assert not any(d.reason == TALL_ONE_REASON for d in reading.digits)
