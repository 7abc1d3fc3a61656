"""Pages photographed askew (realtime/skew.py): rows tilted 5-25 degrees are levelled before reading."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from realtime.camera_app import CameraOptions, FramePipeline
from realtime.skew import MAX_ROW_ANGLE, MIN_SKEW, box_back, estimate_skew, level, seen_area
from realtime.textlines import UNSURE_ROWS, torn_rows


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


def _write_rows(page: np.ndarray, mnist_test, top: int, left: int, size: int) -> list[str]:
    """Two rows of four MNIST digits `size` px high in dark ink on `page` (uint8 grey, changed in
    place) from (`left`, `top`), rows 110 px and digits 70 px apart; the rows' texts."""
    images, labels = mnist_test
    rows = []
    for r, start in enumerate((0, 4)):
        for k in range(4):
            digit = cv2.resize(images[start + k], (size, size), interpolation=cv2.INTER_LINEAR)
            y, x = top + 110 * r, left + 70 * k
            region = page[y : y + size, x : x + size]
            page[y : y + size, x : x + size] = (region * (1 - 0.8 * digit / 255.0)).astype(np.uint8)
        rows.append("".join(str(v) for v in labels[start : start + 4]))
    return rows


def _tilted_page(mnist_test, angle: float) -> tuple[np.ndarray, list[str]]:
    """Two rows of four MNIST digits in dark ink on paper, photographed turned `angle` degrees."""
    page = np.full((480, 640), 225, np.uint8)
    rows = _write_rows(page, mnist_test, 150, 170, 60)
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


def test_a_tilted_sheet_is_found_in_the_cameras_pixels(classifier, mnist_test, monkeypatch) -> None:
    """A sheet held askew in front of a dark carved door, filmed in grey (no colour to tell wood
    by): the sheet is found in the camera's pixels, before levelling, and the carving beside it is
    off the page. On the levelled canvas, whose border repeats the frame's edge outwards in long
    streaks, the sheet of the real video in grey was found as the whole canvas or not at all, and
    the carving read "4" and "1" at the end of the rows ("4 20211 2019"; tests/test_degraded.py)."""
    import realtime.camera_app as camera_app

    seen_by_page: list[tuple[int, ...]] = []
    find_page = camera_app.find_page
    monkeypatch.setattr(camera_app, "find_page", lambda gray: seen_by_page.append(gray.shape) or find_page(gray))
    frame = np.full((480, 640), 95, np.uint8)
    frame[0:330, 60:470] = 230  # the sheet, cut by the top edge
    rows = _write_rows(frame, mnist_test, 90, 120, 56)
    for x in (540, 575):  # the carving: grooves darker than the wood, digit-sized
        for y in (80, 190):
            cv2.line(frame, (x, y), (x + 6, y + 55), 30, 5)
    turn = cv2.getRotationMatrix2D((320, 240), 12.0, 1.0)
    photo = cv2.warpAffine(frame, turn, (640, 480), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    reading = FramePipeline(classifier, CameraOptions(rotate=0)).process(cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR), 0.0).reading
    assert reading.lines == rows
    assert {d.reason for d in reading.digits if d.box[0] > 480} == {"off the page"}
    assert set(seen_by_page) == {(480, 640)}


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


def test_a_short_row_of_two_wide_candidates_has_its_angle() -> None:
    """Two touching pairs (each one candidate, 1.5 digit heights wide) of a row turned 15 degrees:
    one pair of neighbours, under MIN_VOTES; the one line through them is the row (the real
    "2350" turned 15 degrees read "50 23")."""
    turn = math.radians(15.0)
    boxes = [(round(320 + dx * math.cos(turn)) - 30, round(240 - dx * math.sin(turn)) - 20, 60, 40) for dx in (-50, 50)]
    assert estimate_skew(boxes) == pytest.approx(15.0, abs=0.5)
    assert estimate_skew(boxes[:1] + [(boxes[1][0], boxes[1][1] + 60, 60, 40)]) < 0  # falling: negative


@pytest.mark.parametrize("angle", [-38.0, 32.0])
def test_a_short_row_steeper_than_a_page_row_has_its_angle(angle: float) -> None:
    """A row of four digits turned more than MAX_ROW_ANGLE (the real "3268" turned 25 degrees
    climbs 31): the docstrum takes its neighbours for the next row's; alone in the frame, it is
    one row."""
    assert abs(angle) > MAX_ROW_ANGLE
    assert estimate_skew(_grid(1, 4, angle, pitch=1.2)) == pytest.approx(angle, abs=1.5)


def test_two_rows_steeper_than_a_page_row_are_not_one_row() -> None:
    """Two rows of three turned 35 degrees: no vote along a row, and the line between the rows
    passes 0.7 digit heights from every digit: no skew (the rows stay as they are found)."""
    assert estimate_skew(_grid(2, 3, 35.0)) == 0.0
    assert estimate_skew(_grid(1, 4, 60.0, pitch=1.2)) == 0.0  # nearer a column than a row


def _short_row(mnist_test, start: int, angle: float) -> tuple[np.ndarray, str]:
    """A number of four MNIST digits written as two touching pairs (each pair one candidate), a
    digit height and a half apart, photographed turned `angle` degrees."""
    images, labels = mnist_test
    page = np.full((480, 640), 225, np.uint8)
    for k in range(4):
        digit = cv2.resize(images[start + k], (60, 60), interpolation=cv2.INTER_LINEAR)
        x = 180 + 150 * (k // 2) + 30 * (k % 2)  # strokes of a pair overlap: they touch
        region = page[210:270, x : x + 60]
        page[210:270, x : x + 60] = np.minimum(region, 225 * (1 - 0.8 * digit / 255.0)).astype(np.uint8)
    turn = cv2.getRotationMatrix2D((320, 240), angle, 1.0)
    photo = cv2.warpAffine(page, turn, (640, 480), flags=cv2.INTER_LINEAR, borderValue=225)
    return cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR), "".join(str(v) for v in labels[start : start + 4])


@pytest.mark.parametrize(("start", "angle"), [(16, -20.0), (16, 15.0), (56, 20.0), (4, -15.0)])
def test_a_short_row_of_touching_pairs_photographed_askew_reads_as_one_row(
        classifier, mnist_test, start: int, angle: float) -> None:
    """Two candidates only: unlevelled, the pairs are not level with each other and read as two
    rows, the higher first ("58 10", "10 58", "08 19", "73 35": wrong numbers)."""
    photo, number = _short_row(mnist_test, start, angle)
    assert FramePipeline(classifier, CameraOptions(rotate=0)).process(photo, 0.0).reading.lines == [number]


def test_pieces_of_a_row_whose_direction_cannot_be_told_have_no_number(classifier, mnist_test, monkeypatch) -> None:
    """A short row turned 20 degrees whose skew is not measured (as beyond ONE_ROW_ANGLE, or with
    a stray mark off its line): its pairs stand as lines one after the other in x, overlapping in
    y: "?" for each digit and no number, never the lines top to bottom as a number."""
    import realtime.camera_app as camera_app

    monkeypatch.setattr(camera_app, "estimate_skew", lambda boxes: 0.0)
    photo, _ = _short_row(mnist_test, 16, 20.0)
    reading = FramePipeline(classifier, CameraOptions(rotate=0)).process(photo, 0.0).reading
    assert reading.number is None and len(reading.lines) == 2
    assert all(d.digit is None and d.reason == UNSURE_ROWS for d in reading.read)


def test_lines_one_after_the_other_and_not_level_are_torn_rows() -> None:
    """Pieces of a steep row (side by side, stepping up less than half a digit height, as far
    apart as a digit lost between them) are torn; a page's rows (one under the other, overlapping
    in x) and numbers further apart are not."""
    digit = 40
    steps = [[(100, 200, 30, digit), (135, 190, 30, digit)], [(175, 160, 30, digit)], [(215, 120, 30, digit)]]
    assert torn_rows(steps) == {0, 1, 2}
    page = [[(100 + 35 * k, 100, 30, digit) for k in range(4)], [(120 + 35 * k, 150, 30, digit) for k in range(3)]]
    assert torn_rows(page) == set()
    lost = [[(100, 200, 30, digit)], [(100 + 30 + 2.5 * digit, 170, 30, digit)]]  # a digit between them lost
    assert torn_rows(lost) == {0, 1}
    far = [[(100, 200, 30, digit)], [(100 + 30 + 3.5 * digit, 170, 30, digit)]]
    assert torn_rows(far) == set() and torn_rows(far[:1]) == set()
