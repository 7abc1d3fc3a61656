"""find_digits: the digits of a drawing, one candidate each, in reading order; the rest rejected with a reason."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from realtime.segment import CANVAS_SETTINGS, MASK_MARGIN, PIECE, Candidate, FinderSettings, find_digits

#: Digits as pen strokes in a unit box (x right, y down); a digit is 0.6 as wide as high.
STROKES = {
    "1": [[(0.5, 0.0), (0.5, 1.0)]],
    "2": [[(0.1, 0.25), (0.3, 0.03), (0.7, 0.03), (0.9, 0.25), (0.9, 0.4), (0.1, 1.0), (0.9, 1.0)]],
    "3": [[(0.1, 0.05), (0.9, 0.05), (0.45, 0.45), (0.9, 0.6), (0.9, 0.85), (0.65, 1.0), (0.1, 0.95)]],
    "7": [[(0.1, 0.0), (0.9, 0.0), (0.35, 1.0)]],
    "0": [[(0.5, 0.0), (0.9, 0.25), (0.9, 0.75), (0.5, 1.0), (0.1, 0.75), (0.1, 0.25), (0.5, 0.0)]],
    # The two cases a connected-components finder splits: a "5" whose bar was drawn last, not
    # touching the body, and an open "4" whose upright does not meet the crossbar.
    "5": [[(0.25, 0.12), (0.15, 0.45), (0.6, 0.4), (0.9, 0.6), (0.9, 0.85), (0.6, 1.0), (0.1, 0.95)],
          [(0.3, 0.0), (0.9, 0.0)]],
    "4": [[(0.2, 0.0), (0.05, 0.65), (0.6, 0.65)], [(0.8, 0.1), (0.8, 1.0)]],
}


def _draw(canvas: np.ndarray, digit: str, x: int, y: int, height: int, thickness: int = 8) -> None:
    """Draw `digit` with its box's top-left corner at (x, y)."""
    width = 0.6 * height
    for stroke in STROKES[digit]:
        points = np.array([(x + px * width, y + py * height) for px, py in stroke], np.int32)
        cv2.polylines(canvas, [points], False, 255, thickness, cv2.LINE_8)


def _canvas(height: int = 280, width: int = 480) -> np.ndarray:
    return np.zeros((height, width), np.uint8)


def _accepted(candidates: list[Candidate]) -> list[Candidate]:
    return [c for c in candidates if c.accepted]


def _centre_x(cand: Candidate) -> float:
    return cand.box[0] + cand.box[2] / 2


def _number_of_parts(mask: np.ndarray) -> int:
    count, _ = cv2.connectedComponents((mask > 0).astype(np.uint8), connectivity=8)
    return count - 1


def test_side_by_side_in_left_to_right_order() -> None:
    """Drawn in a scrambled order and at slightly different heights, read left to right."""
    canvas = _canvas()
    positions = {"2": 40, "7": 140, "1": 230, "3": 330}
    baselines = {"2": 80, "7": 95, "1": 70, "3": 88}
    for digit in ("3", "1", "7", "2"):
        _draw(canvas, digit, positions[digit], baselines[digit], 110)
    found = _accepted(find_digits(canvas))
    assert len(found) == 4
    centres = [_centre_x(c) for c in found]
    assert centres == sorted(centres)
    assert [c.line for c in found] == [0, 0, 0, 0]
    for cand, x in zip(found, sorted(positions.values())):
        assert abs(_centre_x(cand) - (x + 0.3 * 110)) <= 6


def test_two_lines_top_line_first() -> None:
    canvas = _canvas(400, 400)
    for digit, x, y in (("3", 220, 240), ("2", 60, 30), ("1", 150, 250), ("7", 260, 40), ("0", 70, 230)):
        _draw(canvas, digit, x, y, 110)
    found = _accepted(find_digits(canvas))
    assert len(found) == 5
    assert [c.line for c in found] == [0, 0, 1, 1, 1]
    top, bottom = found[:2], found[2:]
    assert [c.box[0] for c in top] == sorted(c.box[0] for c in top)
    assert [c.box[0] for c in bottom] == sorted(c.box[0] for c in bottom)
    assert max(c.box[1] + c.box[3] for c in top) < min(c.box[1] for c in bottom)


def test_a_row_photographed_at_a_slant_keeps_its_low_first_digit() -> None:
    """A row climbing to the right (a page held at an angle), its first digit lowest: that digit
    shares too little height with the whole row's span but most of it with its neighbour, a small
    flat "0" (the real video's "2019" did this). One line, and the row above stays its own."""
    from realtime.segment import reading_order

    def cand(x: int, y: int, w: int, h: int) -> Candidate:
        return Candidate((x, y, w, h), np.zeros((h + 2 * MASK_MARGIN, w + 2 * MASK_MARGIN), np.uint8))

    above = [cand(0, 0, 50, 50), cand(70, 0, 50, 50), cand(140, 0, 50, 50)]
    slanted = [cand(0, 145, 60, 50), cand(80, 137, 30, 28), cand(140, 113, 12, 46), cand(180, 100, 28, 55)]
    ordered = reading_order(slanted[::-1] + above)
    assert [c.line for c in ordered] == [0, 0, 0, 1, 1, 1, 1]
    assert [c.box[0] for c in ordered[3:]] == [0, 80, 140, 180]


def test_slanted_line_of_digits_stays_one_line() -> None:
    """A number written uphill: each digit a bit higher than the last, still one line."""
    canvas = _canvas(300, 560)
    for i, digit in enumerate("2713"):
        _draw(canvas, digit, 30 + 130 * i, 150 - 25 * i, 110)
    found = _accepted(find_digits(canvas))
    assert len(found) == 4
    assert {c.line for c in found} == {0}


@pytest.mark.parametrize("digit", ["5", "4"])
def test_digit_in_two_strokes_is_one_candidate(digit: str) -> None:
    canvas = _canvas()
    _draw(canvas, digit, 180, 80, 130)
    assert _number_of_parts(canvas) == 2  # really two strokes that do not touch
    found = find_digits(canvas)
    assert len(found) == 1 and found[0].accepted
    assert _number_of_parts(found[0].mask) == 2  # both strokes are in the candidate's mask


@pytest.mark.parametrize("digit", ["5", "4"])
def test_two_stroke_digits_beside_others_stay_separate(digit: str) -> None:
    """Merging the parts of a "5" must not also swallow its neighbours."""
    canvas = _canvas()
    for i, d in enumerate(("1", digit, "7")):
        _draw(canvas, d, 40 + 140 * i, 80, 120)
    found = _accepted(find_digits(canvas))
    assert len(found) == 3
    assert _number_of_parts(found[1].mask) == 2


@pytest.mark.parametrize("drop", [0.0, 0.15, 0.25])
def test_close_neighbours_on_wandering_baselines_stay_two_digits(drop: float) -> None:
    """A "1" close to a "7" written a bit lower (or higher) is still "17", not one wide digit."""
    canvas = _canvas()
    _draw(canvas, "1", 100, 60, 130)
    _draw(canvas, "7", 100 + 0.5 * 0.6 * 130 + 16, 60 + round(drop * 130), 120)  # 12 px of paper between
    found = _accepted(find_digits(canvas, CANVAS_SETTINGS))
    assert len(found) == 2


def test_wide_five_with_its_bar_off_to_the_right_is_one_digit() -> None:
    """A "5" whose detached bar makes it wider than tall is still one digit on the canvas."""
    canvas = _canvas()
    body = [(0.25, 0.2), (0.15, 0.45), (0.6, 0.4), (0.9, 0.6), (0.9, 0.85), (0.6, 1.0), (0.1, 0.95)]
    points = np.array([(100 + px * 90, 80 + py * 100) for px, py in body], np.int32)
    cv2.polylines(canvas, [points], False, 255, 8)
    cv2.line(canvas, (135, 78), (245, 64), 255, 8)  # the bar: above, off to the right
    assert _number_of_parts(canvas) == 2
    found = find_digits(canvas, CANVAS_SETTINGS)
    assert len(found) == 1 and found[0].accepted
    assert found[0].box[2] > found[0].box[3]


def test_a_small_piece_over_a_wide_digit_is_part_of_it() -> None:
    """A camera frame: the faint top of a "6" broke off and sits over its wide, flat body, level
    with the row. A piece under 40% of the digit's height (SPECK_OF_ROW) over a digit is stacked
    on it when it overlaps it by half its own width, not half the digit's: it was read as a "1"
    of its own ("1662" read "16612")."""
    canvas = _canvas(300, 640)
    _draw(canvas, "1", 100, 110, 70)
    cv2.ellipse(canvas, (260, 150), (43, 30), 0, 0, 360, 255, 7)  # a body wider than tall
    cv2.line(canvas, (262, 98), (265, 110), 255, 6)  # its top: 19 px high, 3 px over it
    _draw(canvas, "7", 400, 110, 70)
    found = _accepted(find_digits(canvas, FinderSettings(reject_border=False)))
    assert len(found) == 3, [c.box for c in found]
    assert found[1].box[1] < 100 and found[1].box[1] + found[1].box[3] > 178


def test_digit_broken_into_halves_beside_whole_digits_is_one_digit() -> None:
    """A thin "7" broken mid-stroke, next to whole digits: two half-height pieces, one digit."""
    canvas = _canvas(280, 640)
    for i, digit in enumerate("23"):
        _draw(canvas, digit, 40 + 110 * i, 80, 110, thickness=5)
    _draw(canvas, "7", 260, 80, 110, thickness=5)
    canvas[80 + 52 : 80 + 60, 260:340] = 0  # the pen skipped in the middle of the diagonal
    _draw(canvas, "1", 380, 80, 110, thickness=5)
    assert _number_of_parts(canvas) == 5
    found = _accepted(find_digits(canvas, CANVAS_SETTINGS))
    assert len(found) == 4
    assert _number_of_parts(found[2].mask) == 2


@pytest.mark.parametrize("gap", [2, 5, 9])
def test_broken_line_is_merged(gap: int) -> None:
    """A pen that skipped: a "1" and a "7" with a gap in their stroke are still one digit each."""
    canvas = _canvas()
    cv2.line(canvas, (100, 60), (100, 100), 255, 14)
    cv2.line(canvas, (100, 114 + gap), (100, 200), 255, 14)
    _draw(canvas, "7", 250, 60, 140)
    top, bottom = (250 + 0.9 * 84, 60), (250 + 0.35 * 84, 200)  # the 7's diagonal
    y = 160
    x = round(top[0] + (bottom[0] - top[0]) * (y - top[1]) / (bottom[1] - top[1]))
    cv2.rectangle(canvas, (x - 12, y), (x + 12, y + gap), 0, -1)  # cut it low down
    assert _number_of_parts(canvas) == 4
    found = _accepted(find_digits(canvas))
    assert len(found) == 2
    assert [_number_of_parts(c.mask) for c in found] == [2, 2]


@pytest.mark.parametrize("gap", [1, 3, 6])
def test_stroke_broken_in_the_middle_is_merged(gap: int) -> None:
    canvas = _canvas()
    canvas[60:120, 95:105] = 255
    canvas[120 + gap : 180 + gap, 95:105] = 255
    assert len(find_digits(canvas)) == 1


@pytest.mark.parametrize("pen", [8, 12])
def test_tall_straight_one_on_the_canvas_is_a_digit(pen: int) -> None:
    """On the drawing canvas a long thin vertical stroke is a "1", however thin the pen."""
    canvas = _canvas(280, 280)
    cv2.line(canvas, (140, 20), (140, 260), 255, pen)
    found = find_digits(canvas, CANVAS_SETTINGS)
    assert len(found) == 1 and found[0].accepted


def test_long_vertical_line_in_a_camera_frame_is_rejected() -> None:
    """In a camera frame the same stroke, over half the frame high, is a table or paper edge."""
    frame = _canvas(480, 640)
    _draw(frame, "3", 100, 150, 120)
    cv2.line(frame, (400, 40), (402, 440), 255, 8)
    found = find_digits(frame)
    assert len(_accepted(found)) == 1
    assert [c.reason for c in found if not c.accepted] == ["line"]


def _one_zero(gap: int) -> np.ndarray:
    """A "10" 120 px high whose "0" starts `gap` px right of the "1"'s ink."""
    canvas = _canvas()
    cv2.line(canvas, (150, 80), (150, 200), 255, 8)  # the "1": ink x 146..154
    _draw(canvas, "0", round(154 + gap - 0.1 * 72 + 4), 80, 120)
    return canvas


def test_neighbours_are_not_fused() -> None:
    """Two digits a quarter of their height apart stay two, so "10" is not one wide digit."""
    assert len(_accepted(find_digits(_one_zero(30)))) == 2


@pytest.mark.parametrize("gap", [8, 16])
def test_close_neighbours_are_not_fused(gap: int) -> None:
    assert len(_accepted(find_digits(_one_zero(gap)))) == 2


def test_mask_holds_only_the_candidates_own_ink() -> None:
    """A neighbour's stroke reaching into the box is not part of the candidate's mask."""
    canvas = _canvas()
    _draw(canvas, "2", 100, 80, 120)
    cv2.line(canvas, (200, 70), (160, 120), 255, 8)  # a "7"-like stroke leaning into the 2's box
    cv2.line(canvas, (200, 70), (250, 70), 255, 8)
    cv2.line(canvas, (200, 70), (190, 200), 255, 8)
    twos = [c for c in find_digits(canvas) if abs(c.box[0] - 100) < 10]
    assert len(twos) == 1
    assert _number_of_parts(twos[0].mask) == 1


def test_specks_rejected() -> None:
    canvas = _canvas()
    _draw(canvas, "3", 200, 80, 120)
    for x, y in ((30, 30), (400, 250), (60, 200)):
        cv2.circle(canvas, (x, y), 2, 255, -1)
    found = find_digits(canvas)
    assert len(_accepted(found)) == 1
    assert sorted(c.reason for c in found if not c.accepted) == ["speck"] * 3


def test_ruled_lines_rejected() -> None:
    """Lines of ruled paper and a hand-drawn underline are not a "1" lying down."""
    canvas = _canvas()
    _draw(canvas, "2", 150, 40, 120)
    _draw(canvas, "7", 250, 40, 120)
    cv2.line(canvas, (40, 200), (440, 202), 255, 3)  # printed ruling: thinner than a digit is tall
    underline = np.array([(120, 180), (200, 172), (280, 184), (360, 174)], np.int32)
    cv2.polylines(canvas, [underline], False, 255, 8)
    found = find_digits(canvas)
    assert len(_accepted(found)) == 2
    reasons = {c.box[1] // 10: c.reason for c in found if not c.accepted}
    assert reasons == {19: "speck", 16: "too wide"}


def test_page_edge_rejected_as_too_large() -> None:
    canvas = _canvas()
    cv2.line(canvas, (5, 260), (475, 262), 255, 6)
    found = find_digits(canvas)
    assert [c.reason for c in found] == ["too large"]


def test_blob_touching_border_rejected() -> None:
    canvas = _canvas()
    _draw(canvas, "7", 200, 80, 120)
    _draw(canvas, "3", -12, 100, 120)  # a digit cut by the camera frame's left edge
    found = find_digits(canvas)
    assert len(_accepted(found)) == 1
    assert [c.reason for c in found if not c.accepted] == ["cut by border"]
    # On the drawing canvas a digit at the edge is simply a digit.
    assert len(_accepted(find_digits(canvas, FinderSettings(reject_border=False)))) == 2


@pytest.mark.parametrize("shape", ["disc", "square"])
def test_filled_blob_rejected(shape: str) -> None:
    canvas = _canvas()
    _draw(canvas, "1", 60, 80, 120)
    if shape == "disc":
        cv2.circle(canvas, (300, 140), 50, 255, -1)
    else:
        cv2.rectangle(canvas, (250, 90), (340, 190), 255, -1)
    found = find_digits(canvas)
    assert len(_accepted(found)) == 1
    assert [c.reason for c in found if not c.accepted] == ["blob"]


def test_thick_one_is_not_a_blob() -> None:
    """A "1" drawn with a fat marker is mostly ink, yet tall and thin, so it stays a digit."""
    canvas = _canvas()
    cv2.line(canvas, (200, 60), (200, 200), 255, 30)
    found = find_digits(canvas)
    assert len(found) == 1 and found[0].accepted


def test_rejected_come_after_accepted() -> None:
    canvas = _canvas()
    cv2.circle(canvas, (40, 40), 2, 255, -1)
    _draw(canvas, "2", 200, 80, 120)
    found = find_digits(canvas)
    assert [c.accepted for c in found] == [True, False]


def test_sensor_noise_is_not_reported() -> None:
    canvas = _canvas()
    canvas[10, 10] = canvas[200, 300] = 255
    assert find_digits(canvas) == []


def test_noise_field_is_capped() -> None:
    noise = (np.random.default_rng(0).random((240, 320)) > 0.6).astype(np.uint8) * 255
    assert len(find_digits(noise)) <= FinderSettings().max_candidates


def test_thresholds_scale_with_the_image() -> None:
    """The same drawing on a small canvas and scaled up to a 1080p frame gives the same candidates."""
    small = _canvas(140, 240)
    for i, digit in enumerate("2713"):
        _draw(small, digit, 20 + 50 * i, 40, 60, 4)
    big = cv2.resize(small, (1920, 1120), interpolation=cv2.INTER_NEAREST)
    small_found, big_found = _accepted(find_digits(small)), _accepted(find_digits(big))
    assert len(small_found) == len(big_found) == 4


def test_mask_is_the_box_with_a_background_margin() -> None:
    """The mask is the box's ink plus a margin of background, so even a "1" has background around it."""
    canvas = _canvas()
    _draw(canvas, "2", 100, 80, 120)
    cv2.line(canvas, (250, 80), (250, 200), 255, 20)
    for cand in find_digits(canvas):
        x, y, w, h = cand.box
        m = MASK_MARGIN
        assert cand.mask.shape == (h + 2 * m, w + 2 * m) and cand.mask.dtype == np.uint8
        assert set(np.unique(cand.mask)) == {0, 255}
        np.testing.assert_array_equal(cand.mask[m : m + h, m : m + w], canvas[y : y + h, x : x + w])
        inner = np.zeros_like(cand.mask, bool)
        inner[m : m + h, m : m + w] = True
        assert not cand.mask[~inner].any()


def test_bool_and_empty_images() -> None:
    canvas = _canvas()
    _draw(canvas, "7", 100, 80, 120)
    assert len(find_digits(canvas > 0)) == 1
    assert find_digits(_canvas()) == []


@pytest.mark.parametrize(
    "binary",
    [np.zeros(10, np.uint8), np.zeros((10, 10, 3), np.uint8), np.zeros((0, 10), np.uint8),
     np.zeros((2, 3, 4, 5), np.uint8), [[0, 255], [255, 0]]],
    ids=["1d", "3d", "empty", "4d", "list"],
)
def test_not_2d_raises_value_error(binary: np.ndarray) -> None:
    with pytest.raises(ValueError):
        find_digits(binary)  # type: ignore[arg-type]


def _boxes_row(bridge: bool) -> np.ndarray:
    """A row "1 0 [ ][ 7] 1": a printed box and, 10 px right of it, two boxes sharing an edge with
    a "7" in the second; with `bridge`, a "3" in the first box reaches over its right edge to the
    next box, so the boxes, the "3" and the edge make one shape around the "7"; without, a printed
    tie joins the empty box to the others."""
    canvas = _canvas(300, 640)
    _draw(canvas, "1", 40, 100, 60)
    _draw(canvas, "0", 100, 100, 60)
    cv2.rectangle(canvas, (200, 90), (280, 170), 255, 2)
    cv2.rectangle(canvas, (290, 96), (370, 176), 255, 2)
    cv2.rectangle(canvas, (370, 96), (450, 176), 255, 2)
    if bridge:
        _draw(canvas, "3", 256, 105, 60, thickness=6)
    else:
        cv2.line(canvas, (280, 130), (290, 136), 255, 2)  # a printed tie: the boxes are one shape
    _draw(canvas, "7", 395, 108, 60, thickness=6)
    _draw(canvas, "1", 490, 100, 60)
    return canvas


def test_a_digit_joined_to_printed_boxes_leaves_its_row_without_a_number() -> None:
    """A rejected shape around a digit of its row is taken for a printed box or rule and not read
    as part of the row; but one holding digit-sized ink that no straight line explains (a digit
    over a box's edge joined two boxes) stands in the row as "?" (main before: the row read "1071",
    the "3" left out)."""
    found = find_digits(_boxes_row(bridge=True), FinderSettings(reject_border=False))
    joined = [c for c in found if c.reason == "too wide"]
    assert len(joined) == 1 and joined[0].line == 0, [(c.box, c.reason, c.line) for c in found]
    empty = find_digits(_boxes_row(bridge=False), FinderSettings(reject_border=False))
    assert [c.line for c in empty if c.reason == "too wide"] == [-1], "printed boxes stood in the row"


def test_a_five_whose_bar_is_longer_than_its_body_is_one_digit_in_a_camera_frame() -> None:
    """A "5" whose bar, written apart, runs on past its body to the right (over half the bar
    beyond it): bar and body are one digit, not a body read "6" and a bar turned down as a speck."""
    canvas = _canvas()
    body = [(0.25, 0.2), (0.15, 0.45), (0.6, 0.4), (0.9, 0.6), (0.9, 0.85), (0.6, 1.0), (0.1, 0.95)]
    points = np.array([(100 + px * 60, 80 + py * 100) for px, py in body], np.int32)
    cv2.polylines(canvas, [points], False, 255, 8)
    cv2.line(canvas, (125, 88), (215, 84), 255, 8)  # the bar: 90 px long over a 60 px body
    assert _number_of_parts(canvas) == 2
    found = find_digits(canvas)
    assert len(found) == 1 and found[0].accepted


def test_a_digit_cut_by_the_frames_edge_at_a_rows_end_stands_in_the_row() -> None:
    """A photo cropped through a row's last digit: the piece is turned down as cut by the border,
    and stands in the row beside its end (within the row's pitch), so the row has no number
    rather than one with a digit left out ("8341032750" cropped read "834103275")."""
    canvas = _canvas(200, 280)
    for k, digit in enumerate("123"):
        _draw(canvas, digit, 40 + 70 * k, 60, 70)
    _draw(canvas, "0", 250, 60, 70)  # 42 px wide, 30 px of it in the frame
    found = find_digits(canvas, FinderSettings())
    cut = [c for c in found if c.reason == "cut by border"]
    assert len(cut) == 1 and cut[0].line == 0, [(c.box, c.reason, c.line) for c in found]
    far = _canvas(200, 480)
    for k, digit in enumerate("123"):
        _draw(far, digit, 40 + 70 * k, 60, 70)
    _draw(far, "0", 455, 60, 70)  # at the frame's edge, three pitches beyond the row: no part of it
    assert [c.line for c in find_digits(far, FinderSettings()) if c.reason == "cut by border"] == [-1]


def test_a_digit_cut_by_the_frames_edge_after_a_space_stands_in_the_row() -> None:
    """A number written with a space ("123 0") cut through its last digit: the piece lies 1.4
    digit heights after the row's end, farther than the row's pitch but within the reach that
    links a digit to a line (textlines.REACH), so it stands in the row ("23 50" cut through its
    "0" read "23", its "5" lost with the "0" it touched)."""
    canvas = _canvas(200, 345)
    for k, digit in enumerate("123"):
        _draw(canvas, digit, 40 + 70 * k, 60, 70)
    _draw(canvas, "0", 320, 60, 70)  # 25 px of it in the frame, 100 px after the "3"
    cut = [c for c in find_digits(canvas, FinderSettings()) if c.reason == "cut by border"]
    assert len(cut) == 1 and cut[0].line == 0, [(c.box, c.line) for c in cut]


def test_the_ends_of_a_digit_cut_near_its_edge_stand_in_the_row() -> None:
    """A "2" cut by the frame's right edge near its own right end leaves the ends of its arc and
    of its foot, each about a quarter of the row high: one of them stands in the row (CUT_IN_ROW),
    so the row has no number rather than "343" for 3432."""
    canvas = _canvas(200, 265)
    for k, digit in enumerate("343"):
        _draw(canvas, digit, 40 + 70 * k, 60, 70)
    _draw(canvas, "2", 250, 60, 70)  # 42 px wide, 15 px of it in the frame
    cut = [c for c in find_digits(canvas, FinderSettings()) if c.reason == "cut by border"]
    assert len(cut) == 2 and 0 in {c.line for c in cut}, [(c.box, c.line) for c in cut]


@pytest.mark.parametrize("first", ["3", "4"])
def test_a_larger_first_digit_cut_by_the_frame_stands_in_the_row_and_a_sliver_of_table_does_not(first: str) -> None:
    """A row whose first digit is written larger than the rest (120 px against 60), the photo
    cropped through its bottom: the cut digit, 1.7 of the row high, stands in the row as "?"
    (CUT_TALLER), so the row has no number rather than one without it ("3170" read "170"; the real "3446785512"
    cropped 5% into its "344" read "6785512"). A 4-px sliver of the table along the frame's edge,
    as high, stays out of the row (CUT_WIDE)."""
    canvas = _canvas(140, 420)
    _draw(canvas, first, 30, 30, 120)  # 30 + 120 + the pen: cut by the frame's bottom edge
    for k, digit in enumerate("170"):
        _draw(canvas, digit, 150 + 60 * k, 60, 60)
    cut = [c for c in find_digits(canvas, FinderSettings()) if c.reason == "cut by border"]
    assert [c.line for c in cut] == [0], [(c.box, c.line) for c in cut]
    sliver = _canvas(140, 420)
    sliver[25:, :4] = 255  # the table's edge, 115 px high, along the frame's left side
    for k, digit in enumerate("170"):
        _draw(sliver, digit, 60 + 60 * k, 60, 60)
    cut = [c for c in find_digits(sliver, FinderSettings()) if c.reason == "cut by border"]
    assert [c.line for c in cut] == [-1], [(c.box, c.line) for c in cut]


def _cut_boxes_row(digit_in_last: bool) -> np.ndarray:
    """A photo cropped with no margin around a row of printed boxes "[2][4][1][3]" (digits 60 px
    high, boxes 124: the frame's height): the boxes' top and bottom edges lie beyond the frame,
    so their upright edges run from the frame's top to its bottom and no box is closed
    (realtime.lines leaves them). The "2" touches its box's edge; the last box, cut by the
    frame's right edge, holds the "3" when `digit_in_last`, else nothing."""
    canvas = _canvas(124, 330)
    for x in (20, 62, 100, 180, 260):  # 62: the "2"'s box's right edge, which the "2" touches
        cv2.line(canvas, (x, 0), (x, 123), 255, 2)
    for digit, x in (("2", 28), ("4", 115), ("1", 195)):
        _draw(canvas, digit, x, 30, 60)
    if digit_in_last:
        _draw(canvas, "3", 275, 30, 60)
    return canvas


def _row_reasons(found: list[Candidate]) -> list[str | None]:
    return [c.reason for c in sorted((c for c in found if c.line == 0), key=lambda c: c.box[0])]


def test_a_digit_joined_to_a_box_edge_cut_by_the_frame_stands_in_its_row() -> None:
    """The "2" and the edge it touches are one shape cut by the frame and taller than CUT_TALL of
    the row's digits (as the table at a frame's corner is): before, it was left out of the row,
    and the row read as a shorter number (the real "2413" cropped with no margin read "13"). With
    straight runs taken away it holds a whole digit away from the frame's edge: it stands as "?"."""
    found = find_digits(_cut_boxes_row(digit_in_last=True), FinderSettings())
    assert _row_reasons(found) == ["too large", None, None, None], [(c.box, c.reason, c.line) for c in found]


@pytest.mark.parametrize("stub", [
    [(260, 55), (320, 57), (321, 123)],  # an edge's stub that the frame's edge cut short
    [(260, 50), (290, 53), (293, 90)],  # a corner bent by perspective, 0.58 of a digit high
])
def test_box_lines_cut_by_the_frame_do_not_stand_in_the_row(stub: list[tuple[int, int]]) -> None:
    """A shape cut by the frame that is a box's lines and a `stub` of them too short or too bent to
    be a straight run (no whole digit away from the frame's edge) stays out of the row: "?41"
    stays "?41", no "?" more."""
    canvas = _cut_boxes_row(digit_in_last=False)
    cv2.polylines(canvas, [np.array(stub, np.int32)], False, 255, 2)
    found = find_digits(canvas, FinderSettings())
    assert _row_reasons(found) == ["too large", None, None], [(c.box, c.reason, c.line) for c in found]


def test_in_a_close_up_a_digit_may_fill_the_frame_but_not_with_a_box_edge() -> None:
    """A close-up (FinderSettings.fill_frame): a digit inside the frame filling over 0.9 of its
    height is a digit, and so is a "2" touching the digit beside it with its long base (a level
    run, across the frame's long side); a "2" joined to a printed box's upright edge as high as
    the frame is still too large (the real "2413" cropped to its boxes read "4413" without it)."""
    close = FinderSettings(fill_frame=True)
    canvas = _canvas(84, 300)
    _draw(canvas, "2", 20, 6, 72)  # 72 + the pen: 80 of 84 px
    _draw(canvas, "3", 64, 6, 72)
    cv2.line(canvas, (40, 78), (110, 78), 255, 8)  # the "2"'s base runs on under the "3"
    _draw(canvas, "0", 160, 6, 72)
    found = find_digits(canvas, close)
    assert [c.reason for c in found] == [None, None], [(c.box, c.reason) for c in found]
    assert [c.reason for c in find_digits(canvas, FinderSettings())] == ["too large", "too large"]
    cv2.line(canvas, (272, 4), (272, 79), 255, 3)  # a box's edge the crop cut short
    _draw(canvas, "2", 228, 6, 72)  # reaching it
    assert sorted(str(c.reason) for c in find_digits(canvas, close)) == ["None", "None", "too large"]


def test_digits_cut_by_the_frame_beside_a_rows_end_all_stand_in_it() -> None:
    """A crop with no margin cuts every tall digit of a row: the two "0"s run off the frame's top,
    the nearer within the row's pitch of its end, the farther within the pitch of the nearer. Each
    standing beside the row widens its reach, as a speck joined to it does: both stand as "?" (the
    real "2413" cropped to its boxes read "?13", one of the two boxed digits left out)."""
    canvas = _canvas(100, 420)
    for x in (90, 160):
        _draw(canvas, "0", x, -8, 70)
    for k, digit in enumerate("123"):
        _draw(canvas, digit, 250 + 55 * k, 25, 60)
    cut = [c for c in find_digits(canvas, FinderSettings()) if c.reason == "cut by border"]
    assert [c.line for c in cut] == [0, 0], [(c.box, c.line) for c in cut]


def _one_with_its_foot_apart() -> np.ndarray:
    """A camera frame's row "173" 88 px high whose "1" lost a piece of its foot: a stroke 5 px wide
    and 20 px high, 20 px right of it at the baseline (the rendered ruled page of seed 11 that
    read "1173411" for 173411)."""
    canvas = _canvas(300, 640)
    _draw(canvas, "1", 100, 100, 88)
    cv2.line(canvas, (175, 168), (175, 186), 255, 5)  # the foot's piece, apart
    _draw(canvas, "7", 260, 100, 88)
    _draw(canvas, "3", 400, 100, 88)
    return canvas


def test_a_piece_under_a_speck_of_its_row_is_no_digit_of_the_row() -> None:
    """The foot's piece, 0.23 of the row high, is over the frame's own speck height (9 px of 300)
    and was read a "1" of the row; under SPECK_OF_ROW of the row's digit height it is a PIECE,
    left out of the row (realtime.rejoin reads it with the digit beside it, or not at all)."""
    found = find_digits(_one_with_its_foot_apart(), FinderSettings(reject_border=False))
    row = [c for c in found if c.line == 0]
    assert len(row) == 3 and all(c.accepted for c in row), [c.box for c in row]
    piece = [c for c in found if c.box[0] > 165 and c.box[0] + c.box[2] < 185]
    assert len(piece) == 1 and piece[0].reason == PIECE and piece[0].line == -1


def _row_of_3270_without_the_2s_middle(top: int, bottom: int) -> list[Candidate]:
    """The row of "3270", 100 px high, with its "2" erased from `top` to `bottom` px of its height
    (its arc and its foot left, each under SPECK_OF_ROW of the row high): the row's candidates."""
    canvas = _canvas(300, 640)
    for i, digit in enumerate("3270"):
        _draw(canvas, digit, 40 + 130 * i, 100, 100, thickness=6)
    canvas[100 + top : 100 + bottom, 165:240] = 0
    found = find_digits(canvas, FinderSettings(reject_border=False))
    row = [c for c in found if c.line == 0]
    assert len(row) == 4, [(c.box, c.reason) for c in found]
    return row


def test_a_digit_whose_middle_vanished_between_two_digits_stands_in_the_row() -> None:
    """A "2" whose diagonal is gone (thin ink at low resolution) leaves its arc and its foot 0.35
    of the row apart, farther than JOIN_GAP: each was a piece left out of the row, which read "370"
    for 3270. Between two digits of the row they are joined (GAP_JOIN_IN_ROW) and the shape stands
    in the row, read or shown "?"."""
    row = _row_of_3270_without_the_2s_middle(35, 70)
    assert 165 <= _centre_x(row[1]) <= 235 and row[1].box[3] >= 60 and _number_of_parts(row[1].mask) == 2


def test_a_digits_remains_far_apart_between_two_digits_stand_in_the_row_unread() -> None:
    """Glare took most of a "2" between two digits: its arc and its foot lie over half a digit
    height apart (GAP_JOIN_IN_ROW), too far to be read as one. Joined however far apart, the gap's
    pieces reach half the row's height: "broken", in the row, so that the row shows "?" there and
    has no number."""
    row = _row_of_3270_without_the_2s_middle(28, 88)
    assert row[1].reason == "broken" and _number_of_parts(row[1].mask) == 2
