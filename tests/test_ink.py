"""Ink by contrast against the local paper, and ruled lines and box edges out of the ink mask.

Each kind of page the binarisation must handle is a small input here with what is right for it:
light ballpoint on yellow paper, a hard shadow across the page, wood grain around the sheet, a
thumb over the paper, a ruled line through a row of digits, a lone long stroke that may be a
"1". Whole pages of each kind (pencil, boxes, ruled...) are read through the CLI in test_pages.py.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from realtime.binarize import DEFAULT_SENSITIVITY, EDGE_DEPTH, SENSITIVITY_RANGE, _dim, binarize, gray_ink
from realtime.lines import remove_lines
from realtime.segment import find_digits


def sheet(paper=(235, 235, 235), ink=(40, 40, 40), text="471", size=(480, 640), origin=(200, 270)) -> np.ndarray:
    """A BGR page of `text` in a Hershey font, 2.2x, 5 px strokes: three digit-sized shapes."""
    page = np.zeros((*size, 3), np.uint8)
    page[:] = paper
    cv2.putText(page, "  ".join(text), origin, cv2.FONT_HERSHEY_SIMPLEX, 2.2, ink, 5, cv2.LINE_AA)
    return page


def ink_of(bgr: np.ndarray, sensitivity: int = DEFAULT_SENSITIVITY) -> np.ndarray:
    return remove_lines(binarize(gray_ink(bgr), sensitivity))


def accepted_boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    return [c.box for c in find_digits(mask) if c.accepted]


def text_region(page: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """Where the text of `clean` (the same page without distractors) has ink, grown by 6 px."""
    return cv2.dilate(ink_of(clean), np.ones((13, 13), np.uint8)) > 0


def test_higher_sensitivity_finds_fainter_ink() -> None:
    page = np.full((240, 320, 3), 220, np.uint8)
    for i, grey in enumerate((200, 180, 160, 120)):  # 91%, 82%, 73% and 55% of the paper
        cv2.line(page, (40 + 70 * i, 60), (40 + 70 * i, 180), (grey,) * 3, 4)
    found = [np.count_nonzero(binarize(gray_ink(page), s)) for s in range(SENSITIVITY_RANGE[0], SENSITIVITY_RANGE[1] + 1, 5)]
    assert found == sorted(found) and found[0] < found[-1]
    at_default = binarize(gray_ink(page))
    assert at_default[:, 250:].any() and at_default[:, 180:230].any()  # 55% and 73%: ink
    assert not at_default[:, :160].any()  # 91% and 82%: paper texture, not ink
    with pytest.raises(ValueError):
        binarize(gray_ink(page), SENSITIVITY_RANGE[1] + 1)


def test_a_pencil_stroke_fading_in_places_stays_one_stroke_and_faint_grain_is_no_ink() -> None:
    """Hysteresis: pencil (70% of the paper) pressed lightly for a short stretch (86%, fainter than
    the sensitivity's 78%) is ink where it continues faint clear ink, as in Canny's edge linking;
    grain as faint, touching no stroke, is not. Without it the "0" is a "C". Dark pen does not
    grow: a faint smudge between two dark strokes (a tail brushing the next row) joins nothing."""
    page = np.full((240, 320, 3), 220, np.uint8)
    cv2.ellipse(page, (110, 120), (40, 60), 0, 0, 360, (154,) * 3, 4)  # 70%: pencil
    cv2.ellipse(page, (110, 120), (40, 60), 0, 84, 96, (189,) * 3, 6)  # 86%, 9 px: pressed lightly
    rng = np.random.default_rng(0)
    for x, y in rng.integers((200, 20), (250, 220), (30, 2)):  # grain as faint, away from ink
        cv2.circle(page, (int(x), int(y)), 2, (189,) * 3, -1)
    cv2.line(page, (275, 30), (275, 100), (90,) * 3, 4)  # dark pen: 41%
    cv2.line(page, (275, 108), (275, 200), (90,) * 3, 4)
    cv2.line(page, (275, 100), (275, 108), (189,) * 3, 4)  # a faint smudge between them
    mask = binarize(gray_ink(page))
    contours, hierarchy = cv2.findContours(mask[:, :190], cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    assert len(contours) == 2 and hierarchy[0][1][3] == 0, "one ring with its hole"
    assert not mask[:, 190:255].any()
    assert cv2.connectedComponents(mask[:, 255:])[0] - 1 == 2


def test_a_pencil_page_bridges_a_long_lightly_pressed_stretch_and_dark_pen_does_not() -> None:
    """A page written in pencil (70% of the paper), one "0" pressed lightly (86%) over 35 px of
    its bottom: the short reach (12 px) left it a "C", as a pencil "6" kept only its loop and a "2"
    only where it crosses itself. On a page of pencil the reach is 40 px; the same "0" in dark pen
    (41%) keeps the short reach and stays open (a dense page's tails brushing the next row)."""

    def page(ink: int) -> np.ndarray:
        bgr = np.full((240, 320, 3), 220, np.uint8)
        cv2.ellipse(bgr, (110, 120), (40, 60), 0, 0, 360, (ink,) * 3, 4)
        cv2.ellipse(bgr, (110, 120), (40, 60), 0, 65, 115, (189,) * 3, 6)  # pressed lightly
        cv2.ellipse(bgr, (230, 120), (40, 60), 0, 0, 360, (ink,) * 3, 4)  # a whole "0" beside it
        return bgr

    for ink, holes in ((154, 1), (90, 0)):
        contours, hierarchy = cv2.findContours(binarize(gray_ink(page(ink)))[:, :170], cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        assert sum(link[3] != -1 for link in hierarchy[0]) == holes, f"ink {ink}: {len(contours)} contours"


def test_light_ballpoint_on_yellow_paper_under_a_hard_shadow() -> None:
    clean = sheet(paper=(150, 225, 240), ink=(215, 150, 90))  # light-blue ink, yellow paper
    page = clean.copy()
    page[:, 330:] = (page[:, 330:] * 0.6).astype(np.uint8)  # a phone's shadow across the row
    mask = ink_of(page)
    assert len(accepted_boxes(mask)) == 3
    assert not mask[~text_region(page, clean)].any(), "the shadow's edge is no ink"


def test_wood_grain_around_the_sheet_is_not_ink() -> None:
    rng = np.random.default_rng(0)
    h, w = 480, 640
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grain = 70 + 25 * np.sin(xx / 3.0 + 4 * np.sin(yy / 40.0)) + rng.normal(0, 10, (h, w))
    wood = np.clip(np.stack([grain * 0.55, grain * 0.75, grain * 1.1], axis=2), 0, 255).astype(np.uint8)
    page = wood.copy()
    page[100:400, 120:540] = sheet(size=(300, 420), origin=(90, 170))
    mask = ink_of(page)
    outside = np.ones((h, w), bool)
    outside[100:400, 120:540] = False
    assert np.count_nonzero(mask[outside]) < 0.001 * outside.sum()
    boxes = accepted_boxes(mask)
    assert len(boxes) == 3 and all(120 <= x and x + bw <= 540 and 100 <= y and y + bh <= 400 for x, y, bw, bh in boxes)


def test_digits_near_the_edge_of_a_small_sheet_on_a_rough_wall_are_ink_and_the_edge_is_not() -> None:
    """A plaster wall nearly as bright as the paper (no brightness step marks the sheet): the
    texture window, a third of the frame wide, covers much of a small sheet; digits 15 px from
    its edge must stay, and the sheet's edge against the wall must not become a "1"."""
    rng = np.random.default_rng(1)
    h, w = 480, 640
    rough = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 1.5)
    wall = np.clip(150 + 140 * rough, 0, 255).astype(np.uint8)
    page = cv2.merge([wall, wall, wall])
    top, left, sh, sw = 130, 170, 220, 300
    page[top : top + sh, left : left + sw] = sheet(size=(sh, sw), origin=(0, 135), text="471")
    mask = ink_of(page)
    boxes = accepted_boxes(mask)
    assert len(boxes) == 3, boxes
    assert all(left <= x and x + bw <= left + sw and top <= y and y + bh <= top + sh for x, y, bw, bh in boxes)
    assert min(x for x, _, _, _ in boxes) - left < 30  # the "4" starts within 30 px of the edge


def test_a_thumb_over_the_paper_is_no_pen_stroke() -> None:
    clean = sheet()
    page = clean.copy()
    # Skin, darker than the paper, narrower than a twentieth of the frame (wider, its rounded end
    # is left as a thin crescent of "ink": see realtime.binarize.paper_level).
    cv2.ellipse(page, (560, 320), (28, 11), 30, 0, 360, (120, 150, 200), -1)
    mask = ink_of(page)
    assert not mask[~text_region(page, clean)].any()
    assert len(accepted_boxes(mask)) == 3


def test_a_ruled_line_through_a_row_is_removed_and_the_strokes_it_crosses_kept() -> None:
    clean = sheet()
    page = clean.copy()
    cv2.line(page, (0, 236), (639, 256), (150, 150, 150), 2)  # 1.8 degrees, through the digits' middle
    joined = binarize(gray_ink(page))
    assert len(accepted_boxes(joined)) < 3, "the line joins the row into one component"
    mask = remove_lines(joined)
    boxes, clean_boxes = accepted_boxes(mask), accepted_boxes(ink_of(clean))
    assert len(boxes) == 3
    for box, expected in zip(boxes, clean_boxes):
        assert max(abs(a - b) for a, b in zip(box, expected)) <= 2
    # The strokes across the line are kept: each digit is still one component.
    count = cv2.connectedComponents(mask)[0] - 1
    assert count == cv2.connectedComponents(ink_of(clean))[0] - 1


def test_lines_are_removed_alike_from_the_callers_contours() -> None:
    """find_ink traces the mask's outer contours once for the close-up test and the line removal:
    given them, remove_lines removes what it removes tracing them itself, and a mask with no
    line comes back as it is, not copied."""
    page = sheet()
    cv2.line(page, (0, 236), (639, 256), (150, 150, 150), 2)
    cv2.rectangle(page, (40, 320), (120, 420), (60, 60, 60), 3)  # a printed box with a digit in it
    cv2.putText(page, "7", (60, 405), cv2.FONT_HERSHEY_SIMPLEX, 2.2, (40, 40, 40), 5, cv2.LINE_AA)
    for mask in (binarize(gray_ink(page)), binarize(gray_ink(sheet()))):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        assert np.array_equal(remove_lines(mask, contours), remove_lines(mask))
    assert remove_lines(mask, contours) is mask


def test_a_lone_straight_stroke_is_left_alone() -> None:
    page = np.full((200, 300, 3), 235, np.uint8)
    cv2.line(page, (150, 20), (152, 180), (30, 30, 30), 6)  # a "1" 80% of the frame high
    mask = binarize(gray_ink(page))
    assert np.array_equal(remove_lines(mask), mask)


@pytest.mark.parametrize("height", [160, 200])
def test_large_digits_in_thick_strokes_close_to_the_camera_all_read(classifier, mnist_test, height: int) -> None:
    """Digits a third to 40% of a 640x480 frame high, drawn with a thick marker (strokes ~20-25 px,
    wider than the closing's square, a 25th of 480 px): the fine scale takes them for paper
    ("3805" read "80"); the coarse scale keeps them."""
    from realtime.camera_app import CameraOptions, FramePipeline

    images, labels = mnist_test
    frame = np.full((480, 640), 235, np.uint8)
    x, written = 30, ""
    for digit in "3805":
        image = images[int(np.flatnonzero(labels == int(digit))[0])]
        ink = cv2.resize(image, (height, height), interpolation=cv2.INTER_CUBIC) > 100
        cols = np.flatnonzero(ink.any(axis=0))
        ink = ink[:, cols[0] : cols[-1] + 1]
        if x + ink.shape[1] > 610:
            break
        frame[140 : 140 + height, x : x + ink.shape[1]][ink] = 30
        x, written = x + ink.shape[1] + height // 10, written + digit
    assert len(written) >= 3
    reading = FramePipeline(classifier, CameraOptions(smoothing=False)).process(frame, 0.0).reading
    assert reading.number == written


def test_a_bold_digit_whose_strokes_are_wider_than_the_closing_is_ink() -> None:
    """A "3" of two arcs 24 px thick, 104 px high in an 800x600 frame (the closing's square is 24
    px): the fine scale takes it for paper; the coarse scale, where shrinking blurs it to a mean
    stroke width of over a fifth of its length, keeps it (dropped as a blot there, the row read
    as a number without it)."""
    page = np.full((600, 800, 3), 235, np.uint8)
    for centre in (280, 320):
        cv2.ellipse(page, (400, centre), (24, 20), 0, -150, 90, (50, 40, 30), 24)
    dark = gray_ink(page)
    mask = binarize(dark)
    stroke = dark < 150
    assert np.count_nonzero(mask[stroke]) >= 0.9 * np.count_nonzero(stroke)
    assert not mask[~cv2.dilate(stroke.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)].any()


def test_ink_is_found_by_luminance_so_red_is_ink_and_a_yellow_marker_is_not() -> None:
    """What binarize.py's docstring says the ink image is: luminance (BT.601 grey), in which a red pen
    is 30% of white paper's brightness (ink) and a yellow marker 89% (paper, at the default
    sensitivity of 78%); the darkest channel would make both ink."""
    red, yellow = sheet(ink=(0, 0, 255), text="1"), sheet(ink=(0, 255, 255), text="1")
    assert np.array_equal(gray_ink(red), cv2.cvtColor(red, cv2.COLOR_BGR2GRAY))
    assert len(accepted_boxes(ink_of(red))) == 1
    assert not ink_of(yellow).any()


def blurred_loops(sigma: float) -> np.ndarray:
    """A BGR page of "0 8 6 9" in dark blue ink, 26 px high, defocused by a Gaussian of `sigma` px."""
    page = np.full((300, 400, 3), 235, np.uint8)
    cv2.putText(page, "0 8 6 9", (40, 170), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (60, 40, 20), 4, cv2.LINE_AA)
    return cv2.GaussianBlur(page, (0, 0), sigma)


def test_a_defocused_pens_loops_stay_open_and_its_digits_are_kept() -> None:
    """A dark pen's blurred rim is 78% of its paper 2-3 px beyond the stroke: at the sensitivity's
    level alone, the loops of "0" and "8" filled in, and they were taken for solid blobs ("0"
    rejected, "8" dropped from the ink altogether: a row read as a number without it)."""
    mask = ink_of(blurred_loops(1.0))
    assert len(accepted_boxes(mask)) == 4
    holes = cv2.connectedComponents(cv2.bitwise_not(mask), connectivity=4)[0] - 2  # less the paper
    assert holes >= 5  # "0" 1, "8" 2, "6" 1, "9" 1
    # More blurred, a loop may close, but no digit vanishes: each is a candidate, read or turned down.
    assert len(find_digits(ink_of(blurred_loops(5 / 3)))) == 4


def test_a_digits_filled_loop_beside_its_stem_is_ink_and_a_lone_blob_is_not() -> None:
    """A small "6" in blurred pen: its loop filled solid and parted from its stem by 2 px (a
    rendered dense page's "6", whose stem alone read "1" at 99%), and the same solid blob alone
    (a fingertip's size at this distance): the loop is kept, the lone blob dropped."""
    page = np.full((480, 640, 3), 235, np.uint8)
    cv2.line(page, (300, 200), (288, 262), (40, 40, 40), 4)
    cv2.ellipse(page, (304, 256), (9, 7), 0, 0, 360, (40, 40, 40), -1)  # 2-3 px right of the stem
    cv2.ellipse(page, (500, 256), (9, 7), 0, 0, 360, (40, 40, 40), -1)
    mask = binarize(gray_ink(page))
    assert cv2.connectedComponents(mask)[0] - 1 == 2, "stem and loop apart, nothing else"
    assert mask[256, 306], "the loop beside the stem"
    assert not mask[256, 500], "the lone blob"


def test_a_blurred_markers_filled_loops_open_and_its_eights_are_kept() -> None:
    """Three small "8"s in a thick dark marker, blurred: each loop fills with grey that passes the
    halfway rule (only a little lighter than halfway to the paper), and the "8"s were solid shapes
    dropped as fingertips (a rendered dense page's row read "?" or without them). A loop's middle is
    a dome of light, lighter than the ink on every side: left out, each "8" keeps its holes."""
    page = np.full((480, 640, 3), 235, np.uint8)
    for x in (200, 300, 400):
        cv2.ellipse(page, (x, 230), (5, 5), 0, 0, 360, (40, 40, 40), 5, cv2.LINE_AA)
        cv2.ellipse(page, (x, 242), (6, 6), 0, 0, 360, (40, 40, 40), 5, cv2.LINE_AA)
    mask = binarize(gray_ink(cv2.GaussianBlur(page, (0, 0), 1.5)))
    assert cv2.connectedComponents(cv2.bitwise_not(mask), connectivity=4)[0] - 2 >= 3, "a loop of each open"
    assert len(accepted_boxes(mask)) == 3


def faded(bgr: np.ndarray, share: float) -> np.ndarray:
    """`bgr` blended toward white by `share`: a washed-out print, glare, a photo half-transparent."""
    return cv2.addWeighted(bgr, 1.0 - share, np.full_like(bgr, 255), share, 0.0)


def two_pens(light: int) -> np.ndarray:
    """A BGR page of "4" in black pen and "7 1" beside it in a lighter pen (grey `light` on 235)."""
    page = np.full((480, 640, 3), 235, np.uint8)
    cv2.putText(page, "4", (170, 270), cv2.FONT_HERSHEY_SIMPLEX, 2.2, (40, 40, 40), 5, cv2.LINE_AA)
    cv2.putText(page, "7  1", (290, 270), cv2.FONT_HERSHEY_SIMPLEX, 2.2, (light,) * 3, 3, cv2.LINE_AA)
    return page


@pytest.mark.parametrize("share", [0.0, 0.45, 0.7])
def test_a_photo_faded_toward_white_keeps_its_lighter_digits(share: float) -> None:
    """Fading shrinks every contrast alike: the lighter pen fell under the sensitivity's level while
    the black "4" stayed, and the row read "4" (binarize.FADED_INK: the contrast is restored)."""
    assert len(accepted_boxes(ink_of(faded(two_pens(100), share)))) == 3


@pytest.mark.parametrize("share", [0.0, 0.6, 0.8])
def test_faded_blank_paper_stays_blank(share: float) -> None:
    """Blank paper's grain, faded: the contrast is stretched as far as it goes (MAX_GAIN), and the
    grain is still no digit."""
    rng = np.random.default_rng(0)
    paper = np.clip(225.0 + rng.normal(0.0, 4.0, (480, 640, 1)), 0, 255).astype(np.uint8).repeat(3, axis=2)
    assert accepted_boxes(ink_of(faded(cv2.GaussianBlur(paper, (0, 0), 1.0), share))) == []


def washed_out(grey: int, white: int = 250) -> np.ndarray:
    """A BGR frame: a "4" in black pen on dull paper (215) at the left, and "7 1" in a grey pen
    (`grey`) on paper as white as an overexposed camera leaves it (`white`) at the right. The black
    "4" keeps the frame as a whole from looking faded, as a dark door around a sheet does."""
    page = np.full((480, 640, 3), 215, np.uint8)
    page[:, 300:] = white
    cv2.putText(page, "4", (90, 270), cv2.FONT_HERSHEY_SIMPLEX, 2.2, (40, 40, 40), 5, cv2.LINE_AA)
    cv2.putText(page, "7  1", (380, 270), cv2.FONT_HERSHEY_SIMPLEX, 2.2, (grey,) * 3, 4, cv2.LINE_AA)
    return page


@pytest.mark.parametrize("grey", [150, 200, 210])
def test_ink_on_washed_out_white_paper_keeps_its_strokes(grey: int) -> None:
    """A grey marker on overexposed white paper (0.8-0.84 of it) stood above the sensitivity's level
    while a dark thing elsewhere kept the frame from looking faded: the real video overexposed read
    "1" for 2019 (binarize.WHITE_PAPER: the contrast is restored window by window on such paper)."""
    boxes = accepted_boxes(ink_of(washed_out(grey)))
    assert len(boxes) == 3 and sorted(x for x, _, _, _ in boxes)[1] > 300


@pytest.mark.parametrize("spread", [0.5, 1.5])
@pytest.mark.parametrize("feature", [0.93, 0.89])
def test_blank_washed_out_paper_stays_blank(spread: float, feature: float) -> None:
    """White paper near clipping with its grain and a faint mark `feature` of it (a smudge; digits
    showing through from the sheet's back, mirrored): stretched as far as it goes on such paper
    (WHITE_GAIN), neither is ink."""
    rng = np.random.default_rng(1)
    paper = np.clip(248.0 + rng.normal(0.0, spread, (480, 640, 1)), 0, 255).astype(np.uint8).repeat(3, axis=2)
    grey = (round(248 * feature),) * 3
    cv2.circle(paper, (320, 240), 30, grey, -1)
    back = np.full((120, 260, 3), 255, np.uint8)
    cv2.putText(back, "2 5", (10, 95), cv2.FONT_HERSHEY_SIMPLEX, 2.6, (0, 0, 0), 7, cv2.LINE_AA)
    paper[300:420, 300:560] = np.minimum(paper[300:420, 300:560], np.where(cv2.flip(back, 1) < 128, grey, 255).astype(np.uint8))
    frame = cv2.GaussianBlur(paper, (0, 0), 1.5)
    cv2.putText(frame, "4", (60, 120), cv2.FONT_HERSHEY_SIMPLEX, 2.2, (40, 40, 40), 5, cv2.LINE_AA)
    assert len(accepted_boxes(ink_of(frame))) == 1


def _dim_everywhere(paper: np.ndarray, side: int) -> np.ndarray:
    """binarize's test for paper under EDGE_DEPTH of the brightest paper near it, on every pixel."""
    brightest = cv2.dilate(paper, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    return cv2.compare(paper, cv2.convertScaleAbs(brightest, alpha=EDGE_DEPTH), cv2.CMP_LT)


@pytest.mark.parametrize("low", [60, 100, 128, 129, 140, 200])
def test_dim_paper_is_told_from_the_frames_extremes_exactly(low: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page lit from one side (paper from `low` to 215 grey) with a patch as dark as its darkest
    paper: the wide max filter is skipped when the darkest paper cannot be under EDGE_DEPTH of
    the brightest (0.6 x 215 rounds to 129), and what `_dim` answers is what the filter on every
    pixel says (the patch is dim up to 99 grey: the paper 49 px around it is 165 at most)."""
    paper = np.tile(np.linspace(low, 215, 640).round().astype(np.uint8), (480, 1))
    paper[200:260, 300:340] = low  # a dark patch beside bright paper: dim there when low is
    expected = _dim_everywhere(paper, 49)
    filters = []
    dilate = cv2.dilate
    monkeypatch.setattr(cv2, "dilate", lambda *args, **kwargs: filters.append(1) or dilate(*args, **kwargs))
    dim, brightest = _dim(paper, 49)
    assert bool(filters) == (low < 129)
    assert (dim is None) == (brightest is None) == (not expected.any()) == (low > 99)
    assert dim is None or np.array_equal(dim, expected)
