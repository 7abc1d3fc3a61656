"""Printed frames out of the ink (realtime/frames.py through realtime/lines.remove_lines): a comb of
boxes sharing their edges, digits touching them, the page turned a little; the digits' own
straight strokes stay. Read with the shipped model, MNIST test digits from the committed sample."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from realtime.frames import frame_lines
from realtime.lines import LINE_WIDTH, remove_lines
from realtime.reading import read_binary
from realtime.segment import FinderSettings
from realtime.tracking import iou


def _glyph(image: np.ndarray, height: int) -> np.ndarray:
    ys, xs = np.nonzero(image > 60)
    crop = image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    width = max(1, round(crop.shape[1] * height / crop.shape[0]))
    return np.where(cv2.resize(crop, (width, height), interpolation=cv2.INTER_LINEAR) > 100, 255, 0).astype(np.uint8)


def comb_page(mnist_test, seed: int, cells: int = 5, turn: float = 3.0) -> tuple[np.ndarray, list[tuple]]:
    """A 640x480 binary page with one comb of `cells` boxes 56x70 px sharing their edges (2 px
    lines), an MNIST test digit 48 px high in each, every other one touching an edge of its box
    (the left, right or bottom one), the page turned `turn` degrees. Returns the page and each
    digit's ((x, y, w, h), label), left to right."""
    images, labels = mnist_test
    rng = np.random.default_rng(seed)
    page = np.zeros((480, 640), np.uint8)
    left, top, cw, ch = 120, 200, 56, 70
    cv2.rectangle(page, (left, top), (left + cells * cw, top + ch), 255, 2)
    for k in range(1, cells):
        cv2.line(page, (left + k * cw, top), (left + k * cw, top + ch), 255, 2)
    digits = []
    for k in range(cells):
        index = int(rng.integers(len(images)))
        glyph = _glyph(images[index], 48)
        gh, gw = glyph.shape
        x, y = left + k * cw + (cw - gw) // 2, top + (ch - gh) // 2
        if k % 2:  # touching: moved onto the edge
            side = int(rng.integers(3))
            x = left + k * cw + 1 if side == 0 else left + (k + 1) * cw - gw if side == 1 else x
            y = top + ch - gh if side == 2 else y
        page[y : y + gh, x : x + gw] |= glyph
        digits.append(((x, y, gw, gh), int(labels[index])))
    matrix = cv2.getRotationMatrix2D((320, 240), turn, 1.0)
    page = cv2.warpAffine(page, matrix, (640, 480), flags=cv2.INTER_NEAREST)
    moved = []
    for (x, y, w, h), label in digits:
        corners = np.array([[x, y], [x + w, y], [x, y + h], [x + w, y + h]], np.float32) @ matrix[:, :2].T + matrix[:, 2]
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
        moved.append(((int(x0), int(y0), int(x1 - x0), int(y1 - y0)), label))
    return page, moved


def test_a_comb_of_boxes_goes_and_its_digits_read(mnist_test, classifier) -> None:
    """Five boxes sharing their edges make one component with the digits that touch them: the
    finder saw one "too wide" shape (main before realtime/frames.py removed only a lone box)."""
    found = right = total = 0
    for seed in range(4):
        page, digits = comb_page(mnist_test, seed, turn=3.0 if seed % 2 else -2.0)
        reading = read_binary(remove_lines(page), classifier, FinderSettings(reject_border=False))
        for box, label in digits:
            total += 1
            best = max(reading.digits, key=lambda d: iou(d.box, box))
            if iou(best.box, box) >= 0.5 and best.probs is not None:
                found += 1
                right += best.digit == label
        assert not [d for d in reading.digits if d.box[2] > 100], "a frame was left"
    assert found == total, f"{found}/{total} digits found"
    assert right >= 0.9 * total, f"{right}/{total} read right"


def test_a_digits_straight_strokes_in_its_box_stay() -> None:
    """A "7" whose bar runs 70% of its box's width near the top and a "4" whose stem runs 70% of its
    box's height, in two boxes side by side: each stroke reaches for frame lines at both ends, but
    is short of a box's side and inside it, so it is no frame line."""
    page = np.zeros((300, 400), np.uint8)
    cv2.rectangle(page, (100, 100), (212, 190), 255, 2)
    cv2.line(page, (156, 100), (156, 190), 255, 2)
    cv2.line(page, (108, 114), (148, 114), 255, 4)  # the 7's bar, 8 px from both sides of its box
    cv2.line(page, (147, 114), (122, 180), 255, 4)
    cv2.line(page, (190, 112), (190, 176), 255, 4)  # the 4's stem
    cv2.line(page, (190, 112), (166, 150), 255, 4)
    cv2.line(page, (166, 150), (204, 150), 255, 4)
    kept = remove_lines(page)
    assert not kept[100, 120:140].any() and not kept[150:160, 100].any(), "the frame is gone"
    assert np.count_nonzero(kept[113:116, 112:144]) >= 0.9 * 3 * 32, "the 7's bar stays"
    assert np.count_nonzero(kept[120:170, 189:192]) >= 0.9 * 3 * 50, "the 4's stem stays"


def test_an_empty_rectangle_is_no_frame() -> None:
    """A "0" written as a rectangle holds no ink inside: it stays for the finder."""
    page = np.zeros((300, 400), np.uint8)
    cv2.rectangle(page, (100, 100), (150, 170), 255, 4)
    assert np.array_equal(remove_lines(page), page)


def test_an_edge_between_two_near_digits_is_not_given_back() -> None:
    """Two "0"s in boxes side by side, each 5 px from the edge the boxes share, that edge bent by a
    pixel half-way (print, perspective): the edge's pixels had ink near both sides and no run along
    it long enough to count as the line, so they were given back as a stroke crossing it and stood
    between the digits as a "1" of their own ("90065" read "9??065"). A stroke that crosses the
    edge is still given back."""
    page = np.zeros((300, 400), np.uint8)
    cv2.rectangle(page, (100, 100), (220, 190), 255, 3)
    cv2.line(page, (160, 100), (160, 145), 255, 3)
    cv2.line(page, (161, 145), (161, 190), 255, 3)
    cv2.ellipse(page, (133, 145), (20, 32), 0, 0, 360, 255, 4)
    cv2.ellipse(page, (188, 145), (20, 32), 0, 0, 360, 255, 4)
    kept = remove_lines(page)
    assert not kept[105:185, 156:166].any(), "the shared edge was given back"
    zeros = np.zeros_like(page)
    cv2.ellipse(zeros, (133, 145), (20, 32), 0, 0, 360, 255, 4)
    cv2.ellipse(zeros, (188, 145), (20, 32), 0, 0, 360, 255, 4)
    assert np.count_nonzero(kept & zeros) >= 0.95 * np.count_nonzero(zeros), "the 0s lost ink"
    cv2.line(page, (140, 120), (185, 124), 255, 4)  # a stroke across the edge
    kept = remove_lines(page)
    assert kept[118:127, 158:164].any(), "the crossing stroke was not given back"


def test_a_stroke_along_a_boxs_side_inside_it_stays() -> None:
    """A "2" whose base runs most of its box's width 12 px over the box's bottom edge, meeting the
    box's sides at both ends: it was taken for the frame's bottom side and removed (the "2" read
    "7"). A frame's side is its outermost run: the box's own bottom edge still goes."""
    page = np.zeros((300, 400), np.uint8)
    cv2.rectangle(page, (100, 100), (220, 170), 255, 2)
    cv2.line(page, (160, 100), (160, 170), 255, 2)
    cv2.ellipse(page, (130, 122), (16, 14), 0, 180, 360, 255, 4)  # the 2's arc,
    cv2.line(page, (146, 122), (108, 158), 255, 4)  # its diagonal
    cv2.line(page, (106, 158), (154, 158), 255, 4)  # and its base
    cv2.line(page, (190, 110), (190, 160), 255, 4)  # a "1" in the next box
    kept = remove_lines(page)
    assert np.count_nonzero(kept[156:161, 112:150]) >= 0.9 * 4 * 38, "the 2's base was removed"
    assert not kept[169:172, 120:210].any() and not kept[100, 120:210].any(), "the frame stays"


def test_a_stroke_lying_on_a_boxs_edge_stays() -> None:
    """A "1" written on the edge two boxes share, over a third of its length: the edge's removal
    took the stroke with it (a "0" riding over a box's top lost its top, a "5"'s stem on an edge
    split it in two). Where the ink across a line is wider than the line, a stroke lies on it and
    that stretch stays; the rest of the frame goes."""
    page = np.zeros((300, 400), np.uint8)
    cv2.rectangle(page, (100, 100), (220, 170), 255, 2)
    cv2.line(page, (160, 100), (160, 170), 255, 2)
    cv2.line(page, (164, 122), (164, 152), 255, 5)  # the "1", touching the edge along its length
    cv2.ellipse(page, (130, 135), (16, 24), 0, 0, 360, 255, 4)  # a "0" in the left box
    kept = remove_lines(page)
    assert np.count_nonzero(kept[122:153, 158:167]) >= 0.9 * np.count_nonzero(page[122:153, 158:167]), "the 1 went"
    assert not kept[100, 120:140].any() and not kept[130:140, 99:103].any(), "the frame stays"
    assert not kept[105:118, 157:163].any() and not kept[157:168, 157:163].any(), "the edge beyond the 1 stays"


def test_a_stroke_lying_on_most_of_a_boxs_edge_stays() -> None:
    """A lone box whose bottom edge carries a "2"'s base over more than half its length: the
    line's thickness, taken as the median across its length, was the base's and the edge's
    together, so the band removed swallowed the base (the "2" read "7" at 0.93). The line's own
    thickness is that of its thinner stretches (the 25th percentile)."""
    page = np.zeros((300, 400), np.uint8)
    cv2.rectangle(page, (100, 100), (160, 175), 255, 2)
    cv2.ellipse(page, (128, 122), (16, 14), 0, 180, 360, 255, 4)  # the 2's arc,
    cv2.line(page, (144, 122), (120, 170), 255, 4)  # its diagonal
    cv2.line(page, (118, 171), (152, 171), 255, 4)  # and its base on the edge
    kept = remove_lines(page)
    assert np.count_nonzero(kept[168:174, 120:150]) >= 0.75 * 6 * 30, "the 2's base went"
    assert not kept[100, 110:150].any() and not kept[110:160, 99:102].any(), "the box stays"
    assert not kept[173:177, 102:114].any(), "the edge beside the base stays"


def test_a_comb_with_a_digit_rising_over_its_top_goes() -> None:
    """Two boxes sharing an edge, a "1" in one rising 18 px over the top: the squared box is that
    much taller than the frame, its ends spanned under 80% of it and were no frame lines, and the
    comb stayed with its digits in it (the row lost them: "4148" read "48"). Across lines span
    80% of the way between the frame's outer sides."""
    page = np.zeros((300, 400), np.uint8)
    cv2.rectangle(page, (100, 100), (220, 170), 255, 2)
    cv2.line(page, (160, 100), (160, 170), 255, 2)
    cv2.line(page, (190, 83), (190, 160), 255, 4)  # the "1"
    cv2.ellipse(page, (130, 135), (16, 24), 0, 0, 360, 255, 4)  # a "0" in the other box
    kept = remove_lines(page)
    assert not kept[170, 110:150].any() and not kept[120:150, 99:102].any(), "the comb stayed"
    assert np.count_nonzero(kept[85:158, 188:193]) >= 0.9 * np.count_nonzero(page[85:158, 188:193]), "the 1 went"


@pytest.mark.parametrize("pen", [7, 10])
def test_a_bold_eight_is_no_comb_of_two_boxes(pen: int) -> None:
    """A marker "8" of two stacked loops fills 80% of its rotated box and has a straight-ish run
    along each side of each loop: two boxes sharing an edge, but in a pen's ink, lines a sixth of
    its width thick (printed frames: a twentieth). Its ink stays whole ("185" read "15" in a clip)."""
    mask = np.zeros((120, 120), np.uint8)
    cv2.ellipse(mask, (60, 40), (20, 12), 0, 0, 360, 255, pen)
    cv2.ellipse(mask, (60, 66), (21, 13), 0, 0, 360, 255, pen)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    (contour,) = contours
    assert frame_lines(mask, contour, cv2.boundingRect(contour), LINE_WIDTH) is None
    assert np.count_nonzero(remove_lines(mask)) >= 0.95 * np.count_nonzero(mask)
