"""Glare that may hide a digit: a hot spot that clipped a row's paper to white in a gap wider than
the row's others, with no ink near it, stands in the row as "?" and the row has no number
(realtime.glare).

The unit tests give `doubt_hidden` results, an ink mask and a clipped mask directly; the last
reads a photo with a saturated spot through the camera pipeline and the shipped model.
"""

from __future__ import annotations

import cv2
import numpy as np

from realtime import glare
from realtime.camera_app import CameraOptions, FramePipeline
from realtime.reading import DigitResult, Reading

SHAPE = (240, 640)
HEIGHT = 60  # the row's digit height, px
TOP = 90


def _row(xs: list[int], digits: str) -> tuple[list[DigitResult], np.ndarray]:
    """Named digits 40 px wide at `xs` in one line, and the ink mask with a stroke in each box."""
    ink = np.zeros(SHAPE, np.uint8)
    results = []
    for x, digit in zip(xs, digits):
        results.append(DigitResult((x, TOP, 40, HEIGHT), 0, int(digit), 0.99, np.full(10, 0.099), None))
        cv2.rectangle(ink, (x + 5, TOP + 5), (x + 35, TOP + HEIGHT - 5), 255, 4)
    return results, ink


def _spot(centre: tuple[int, int], radius: int) -> np.ndarray:
    white = np.zeros(SHAPE, np.uint8)
    cv2.circle(white, centre, radius, 255, -1)
    return white


def _text(results: list[DigitResult]) -> str:
    return Reading(results, {}).lines[0]


def test_a_spot_where_a_digit_is_missing_stands_in_the_row() -> None:
    """"3 ? 4 1 7": a saturated spot a digit wide in the gap where the "5" was, a digit's room wider
    than the row's other gaps, no ink near it; the "?" stands between the "3" and the "4", and the
    row has no number."""
    results, ink = _row([100, 220, 280, 340], "3417")
    out = glare.doubt_hidden(results, _spot((180, TOP + 30), 32), ink)
    assert _text(out) == "3?417" and Reading(out, {}).number is None
    spot = next(r for r in out if r.reason == glare.REASON)
    assert 140 <= spot.box[0] + spot.box[2] / 2 <= 220


def test_a_spot_in_gaps_as_wide_as_the_rows_others_or_beyond_its_ends_hides_nothing() -> None:
    """Evenly spaced digits (printed boxes) under a soft spot that clipped every gap: no gap is
    wider than the others, no digit is missing. Beyond a row's ends a lost digit cannot be told
    from the margin: not looked for."""
    results, ink = _row([100, 190, 280, 370], "3541")
    assert _text(glare.doubt_hidden(results, _spot((280, TOP + 30), 150) & ~ink, ink)) == "3541"
    results, ink = _row([100, 160, 220], "354")
    assert _text(glare.doubt_hidden(results, _spot((300, TOP + 30), 32), ink)) == "354"


def test_a_spot_around_ink_that_survived_is_no_lost_digit() -> None:
    """A spot over the "4" beside a wide gap clipped the paper around its strokes, which were found
    (a soft spot that left the ink): what it clipped of the gap is too little to hide a digit."""
    results, ink = _row([100, 160, 300, 360], "3417")
    assert _text(glare.doubt_hidden(results, _spot((180, TOP + 30), 45), ink)) == "3417"


def test_clipping_off_the_rows_band_or_all_over_the_page_hides_nothing() -> None:
    """A spot above the row, and paper clipped across the whole frame (an overexposed page, which
    left its ink: wider than glare.SPOT rows), leave the row as it is."""
    results, ink = _row([100, 220, 280], "341")
    assert _text(glare.doubt_hidden(results, _spot((180, 30), 28), ink)) == "341"
    assert _text(glare.doubt_hidden(results, np.full(SHAPE, 255, np.uint8) & ~ink, ink)) == "341"
    assert glare.doubt_hidden(results, None, ink) is results


def test_a_photo_with_a_hot_spot_on_a_digit_has_no_number(classifier) -> None:
    """A row "3521" photographed (640x480) with a saturated spot over its "5": the spot leaves no
    ink of it, and the row read "321" as a number before; now "3?21" and no number."""
    frame = np.full((480, 640, 3), 225, np.uint8)
    for x, digit in zip((120, 240, 360, 480), "3521"):
        cv2.putText(frame, digit, (x, 290), cv2.FONT_HERSHEY_SIMPLEX, 3.0, (40, 40, 40), 8, cv2.LINE_AA)
    assert FramePipeline(classifier, CameraOptions(rotate=0)).process(frame, 0.0).reading.number == "3521"
    yy, xx = np.mgrid[0:480, 0:640]
    spot = 400.0 * np.exp(-((xx - 275) ** 2 + (yy - 255) ** 2) / (2 * 40.0 ** 2))
    frame = np.clip(frame + spot[..., None], 0, 255).astype(np.uint8)
    reading = FramePipeline(classifier, CameraOptions(rotate=0)).process(frame, 0.0).reading
    assert reading.lines == ["3?21"] and reading.number is None
    assert any(d.reason == glare.REASON for d in reading.digits)


def test_a_hot_spot_on_a_row_photographed_askew_is_found_levelled(classifier) -> None:
    """The clipped mask is levelled with the frame (realtime.skew): a row "357018" tilted 9 degrees
    with a spot over its "7" reads "35?018", the "?" in the row where the "7" was."""
    frame = np.full((480, 640, 3), 225, np.uint8)
    for x, digit in zip((60, 150, 240, 330, 420, 510), "357018"):
        cv2.putText(frame, digit, (x, 270), cv2.FONT_HERSHEY_SIMPLEX, 2.4, (40, 40, 40), 7, cv2.LINE_AA)
    yy, xx = np.mgrid[0:480, 0:640]
    spot = 400.0 * np.exp(-((xx - 268) ** 2 + (yy - 245) ** 2) / (2 * 28.0 ** 2))
    frame = np.clip(frame + spot[..., None], 0, 255).astype(np.uint8)
    turn = cv2.getRotationMatrix2D((320, 240), 9, 1.0)
    tilted = cv2.warpAffine(frame, turn, (640, 480), borderMode=cv2.BORDER_REPLICATE)
    pipeline = FramePipeline(classifier, CameraOptions(rotate=0))
    reading = pipeline.process(tilted, 0.0).reading
    assert abs(pipeline._skew) > 5 and reading.lines == ["35?018"] and reading.number is None
