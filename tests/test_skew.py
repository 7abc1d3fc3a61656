"""Pages photographed askew (realtime/skew.py): rows tilted 5-25 degrees are levelled before reading."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from realtime.camera_app import CameraOptions, FramePipeline
from realtime.skew import MIN_SKEW, box_back, estimate_skew, level, seen_area


def _grid(rows: int, per_row: int, angle: float, height: int = 40, pitch: float = 1.1, gap: float = 1.4) -> list[tuple[int, int, int, int]]:
    """Boxes (w 0.7 h) of `rows` rows of `per_row` digits, the page turned `angle` degrees
    anticlockwise about (320, 240)."""
    turn = math.radians(angle)
    boxes = []
    for r in range(rows):
        for k in range(per_row):
            x, y = (k - per_row / 2) * pitch * height, (r - rows / 2) * gap * height
            cx, cy = 320 + x * math.cos(turn) + y * math.sin(turn), 240 - x * math.sin(turn) + y * math.cos(turn)
            boxes.append((int(cx - 14), int(cy - height / 2), 28, height))
    return boxes


@pytest.mark.parametrize("angle", [-22.0, -12.0, -6.0, 0.0, 8.0, 15.0, 22.0])
def test_the_skew_of_rows_is_their_angle(angle: float) -> None:
    """Dense rows (1.4 digit heights apart, their nearest digits as near as the row's own) and
    sparse ones: the nearest neighbours along each row vote; the next row's do not."""
    for rows, per_row in ((5, 6), (1, 4)):
        assert estimate_skew(_grid(rows, per_row, angle)) == pytest.approx(angle, abs=1.5)


def test_too_few_digits_or_a_column_have_no_skew() -> None:
    assert estimate_skew([]) == 0.0 and estimate_skew([(0, 0, 20, 30), (25, 5, 20, 30)]) == 0.0
    column = [(100, 50 * k, 20, 30) for k in range(6)]  # one digit under another: no row
    assert estimate_skew(column) == 0.0


def test_a_box_levelled_and_mapped_back_is_where_the_digit_was() -> None:
    image = np.full((300, 400), 255, np.uint8)
    cv2.rectangle(image, (250, 60), (270, 100), 0, -1)  # a bar, 21 x 41 px
    levelled, back = level(image, 15.0)
    assert levelled.shape[0] > 300 and levelled.shape[1] > 400  # every corner kept
    ink = (levelled < 128).astype(np.uint8)
    x, y, w, h = cv2.boundingRect(ink)
    assert box_back((x, y, w, h), back, image.shape, ink) == pytest.approx((250, 60, 21, 41), abs=2)
    loose = box_back((x, y, w, h), back, image.shape)  # from the corners only: larger
    assert loose[2] > 21 and loose[3] > 41


def _tilted_page(mnist_test, angle: float) -> tuple[np.ndarray, list[str]]:
    """Two rows of four MNIST digits in dark ink on paper, photographed turned `angle` degrees."""
    images, labels = mnist_test
    page = np.full((480, 640), 225, np.uint8)
    rows = []
    for r, start in enumerate((0, 4)):
        for k in range(4):
            digit = cv2.resize(images[start + k], (60, 60), interpolation=cv2.INTER_LINEAR)
            y, x = 150 + 110 * r, 170 + 70 * k
            region = page[y : y + 60, x : x + 60]
            page[y : y + 60, x : x + 60] = (region * (1 - 0.8 * digit / 255.0)).astype(np.uint8)
        rows.append("".join(str(v) for v in labels[start : start + 4]))
    turn = cv2.getRotationMatrix2D((320, 240), angle, 1.0)
    photo = cv2.warpAffine(page, turn, (640, 480), flags=cv2.INTER_LINEAR, borderValue=225)
    return cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR), rows


@pytest.mark.parametrize("angle", [-18.0, 14.0, 20.0])
def test_rows_of_a_page_photographed_askew_read_as_rows(classifier, mnist_test, angle: float) -> None:
    photo, rows = _tilted_page(mnist_test, angle)
    reading = FramePipeline(classifier, CameraOptions(rotate=0)).process(photo, 0.0).reading
    assert reading.lines == rows
    for digit in reading.read:  # boxes in the photo's own coordinates, around the digit's ink
        x, y, w, h = digit.box
        assert 0 <= x and 0 <= y and x + w <= 640 and y + h <= 480 and w < 80 and h < 80


def test_a_level_page_is_not_turned(classifier, mnist_test, monkeypatch) -> None:
    import realtime.camera_app as camera_app

    photo, rows = _tilted_page(mnist_test, MIN_SKEW / 2)
    called = []
    monkeypatch.setattr(camera_app, "level", lambda *a: called.append(a) or level(*a))
    assert FramePipeline(classifier, CameraOptions(rotate=0)).process(photo, 0.0).reading.lines == rows
    assert called == []


def test_a_video_of_a_page_askew_finds_its_digits_once_a_frame(classifier, mnist_test, monkeypatch) -> None:
    """The first frame is found, measured and found again levelled; the next frames are levelled
    by the skew already known, one pass each, and read the same."""
    photo, rows = _tilted_page(mnist_test, 16.0)
    pipeline = FramePipeline(classifier, CameraOptions(rotate=0))
    passes = []
    found = pipeline._candidates
    monkeypatch.setattr(pipeline, "_candidates", lambda *a: passes.append(1) or found(*a))
    counts = []
    for index in range(4):
        before = len(passes)
        assert pipeline.process(photo, index / 30).reading.lines == rows
        counts.append(len(passes) - before)
    assert counts == [2, 1, 1, 1]


def test_a_video_levelled_stays_levelled_just_under_the_threshold(classifier, mnist_test, monkeypatch) -> None:
    """A camera at about MIN_SKEW: a frame at MIN_SKEW + 1 is levelled, and the next frames at
    MIN_SKEW - 1 stay levelled (they would not be on their own): no switching on and off."""
    pipeline = FramePipeline(classifier, CameraOptions(rotate=0))
    steep, _ = _tilted_page(mnist_test, MIN_SKEW + 1.5)
    shallow, rows = _tilted_page(mnist_test, MIN_SKEW - 1.0)
    pipeline.process(steep, 0.0)
    assert pipeline._skew == pytest.approx(MIN_SKEW + 1.5, abs=1.5)
    for index in range(1, 4):
        assert pipeline.process(shallow, index / 30).reading.lines == rows
        assert pipeline._skew != 0.0
    fresh = FramePipeline(classifier, CameraOptions(rotate=0))
    fresh.process(shallow, 0.0)
    assert fresh._skew == 0.0


def test_the_seen_area_of_a_levelled_image_is_the_image_turned() -> None:
    image = np.full((300, 400), 255, np.uint8)
    levelled, back = level(image, 15.0)
    seen = seen_area(image.shape, back, levelled.shape)
    assert seen.shape == levelled.shape[:2] and seen.dtype == np.uint8
    assert seen[0, 0] == 0 and seen[-1, -1] == 0  # the canvas's corners are filled in
    assert seen[levelled.shape[0] // 2, levelled.shape[1] // 2] == 255
    assert np.count_nonzero(seen) == pytest.approx(300 * 400, rel=0.02)


@pytest.mark.parametrize(("angle", "edge"), [(-14.0, "right"), (14.0, "right"), (14.0, "top")])
def test_a_digit_cut_by_the_frame_of_a_tilted_photo_leaves_its_row_without_a_number(
        classifier, mnist_test, angle: float, edge: str) -> None:
    """The frame's right or top edge cuts the last digit of the top row in half: that row shows
    "?" at its end and has no number, never the number without the digit. (Levelled on a larger
    canvas, a digit cut by the top edge was drawn up into a streak too tall for its row.)"""
    photo, rows = _tilted_page(mnist_test, angle)
    turn = cv2.getRotationMatrix2D((320, 240), angle, 1.0)
    x, y = turn @ np.array([170 + 70 * 3 + 30, 150 + 30, 1.0])  # the top row's last digit's centre
    photo = photo[:, : round(x)] if edge == "right" else photo[round(y) - 15 :]  # top: through its upper half
    reading = FramePipeline(classifier, CameraOptions(rotate=0)).process(photo, 0.0).reading
    top = min(d.line for d in reading.digits if d.line is not None and d.line >= 0)
    shown = sorted((d for d in reading.digits if d.line == top), key=lambda d: d.box[0])
    assert "".join(d.label for d in shown) == rows[0][:3] + "?"
    assert reading.lines[top] is None or not reading.lines[top].isdigit()
