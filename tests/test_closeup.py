"""A photo cropped close around its row reads as the page it was cut from (realtime/closeup.py).

The rows of the committed pages (tests/data/pages) are cut out with a margin of 0.15 of their
height, as a user crops a photo to the number, and read through the camera pipeline. Before
close-ups were padded, 2 of these 14 rows read right and 8 read a wrong number: the "1"s and the
strokes of touching digits, half the crop high, were removed as lines, and bold digits' strokes,
as wide as the crop's closing, were taken for the dim paper beyond its edge.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from realtime.camera_app import CameraOptions, FramePipeline
from realtime.closeup import CLOSE_UP, digit_height, find_ink

PAGES = Path(__file__).resolve().parent / "data" / "pages"
MARGIN = 0.15  # of the row's height, on every side


def rows_of(name: str) -> list[tuple[np.ndarray, str]]:
    """Each row of a committed page cut out with MARGIN around its digits' boxes, and its number."""
    image = cv2.imread(str(PAGES / name))
    out = []
    for line in json.loads((PAGES / name).with_suffix(".json").read_text())["lines"]:
        x0 = min(d["box"][0] for d in line)
        y0 = min(d["box"][1] for d in line)
        x1 = max(d["box"][0] + d["box"][2] for d in line)
        y1 = max(d["box"][1] + d["box"][3] for d in line)
        pad = round(MARGIN * (y1 - y0))
        crop = image[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
        out.append((crop, "".join(str(d["label"]) for d in line)))
    return out


@pytest.mark.parametrize("name", ["ballpoint_00.jpg", "marker_00.jpg", "yellow_00.jpg", "ruled_00.jpg", "textured_00.jpg"])
def test_a_row_cropped_close_reads_its_number(classifier, name: str) -> None:
    for crop, number in rows_of(name):
        reading = FramePipeline(classifier, CameraOptions(smoothing=False, rotate=0)).process(crop, 0.0).reading
        assert reading.lines == [number], f"{name}: a crop of row {number} read {reading.lines}"


def test_only_a_close_up_is_padded() -> None:
    """Digits a tenth of the frame high (a page) are read at the frame's scale; a row filling
    half of it is a close-up, measured by its digits' median height, specks left out."""
    page = np.zeros((480, 640), np.uint8)
    for x in range(40, 600, 60):
        cv2.line(page, (x, 100), (x + 20, 148), 255, 4)  # 48 px high: a tenth of the frame
    assert digit_height(page) is None
    row = np.zeros((120, 400), np.uint8)
    for x, height in ((30, 60), (120, 64), (210, 56)):
        cv2.rectangle(row, (x, 30), (x + 40, 30 + height), 255, 5)  # 67, 71 and 63 px high, the pen's width in
    cv2.circle(row, (300, 60), 3, 255, -1)  # a speck
    assert digit_height(row) == 67 and 67 >= CLOSE_UP * 120


def test_a_close_up_keeps_ink_the_frames_edge_cuts() -> None:
    """The padding repeats the frame's edge: a stroke cut by it still reaches the edge in the
    mask (the finder turns such a digit down as cut by the border, as in any frame), and the
    mask is the frame's own size."""
    gray = np.full((100, 300), 200, np.uint8)
    cv2.circle(gray, (60, 50), 30, 40, 7)
    cv2.circle(gray, (150, 50), 30, 40, 7)
    cv2.line(gray, (250, 0), (250, 70), 40, 7)  # runs off the top edge
    mask, close = find_ink(gray, 78)
    assert close and mask.shape == gray.shape
    assert mask[0, 247:254].any() and mask[50, 30:40].any() and mask[50, 120:130].any()


def test_a_row_cropped_with_two_pixels_around_its_digits_reads_its_number(classifier) -> None:
    """Digits filling over 0.9 of a photo cropped 2 px around them were turned down as "too
    large" (the paper's edge or the table, in a camera frame), and the row read nothing or, with
    one digit shorter than the others, a shorter number. In a close-up a digit inside the frame
    may fill it."""
    gray = np.full((75, 250), 215, np.uint8)
    for x in (10, 80, 150):
        cv2.ellipse(gray, (x + 25, 37), (22, 32), 0, 0, 360, 40, 6)  # "0"s 71 px high in 75
    cv2.line(gray, (232, 10), (220, 64), 40, 6)  # a "1", shorter
    reading = FramePipeline(classifier, CameraOptions(smoothing=False, rotate=0)).process(gray, 0.0).reading
    assert reading.lines == ["0001"], [(d.box, d.label, d.reason) for d in reading.digits]


def test_a_digit_touching_a_box_cut_at_the_frames_edge_is_kept() -> None:
    """A row of printed boxes cropped at their top and bottom lines: the padding repeated the
    frame's edge rows, the lines, into dark bands beyond the frame, which the binarisation takes
    for the table beside a sheet; the box edge reaching them, and the "0" that touches it, went as
    its rim (a crop of "9515" in printed boxes read "15", the "5" touching its box gone). Padded
    with the paper level under the edge (its closing: ink erased), the "0" stays, and the boxes,
    closed by their lines, are removed."""
    gray = np.full((124, 330), 215, np.uint8)
    cv2.rectangle(gray, (10, 0), (320, 123), 60, 3)
    for x in (88, 166, 244):
        cv2.line(gray, (x, 0), (x, 123), 60, 3)
    for x in (28, 188, 268):
        cv2.ellipse(gray, (x + 17, 62), (16, 30), 0, 0, 360, 40, 5)
    cv2.ellipse(gray, (106, 62), (16, 30), 0, 0, 360, 40, 5)  # touching its box's left edge
    mask, close = find_ink(gray, 78)
    assert close
    assert mask[40:85, 90:125].any(), "the digit touching its box went"
    assert not mask[20:100, 8:13].any() and not mask[20:100, 164:169].any(), "a box's edge stayed"
