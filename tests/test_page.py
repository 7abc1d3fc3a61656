"""Handwriting is on paper: the sheet is found, and what looks like a digit off it is turned down.

The kind of input: a sheet held in front of a wooden door whose grain has thin dark strips, which
binarise like pen strokes and read "1" at 90-100% (the real outdoor video of real-dev); a hand
over the sheet or beside it, the table or shadow between its fingers read "1" at 99%. And the
kinds that must come through untouched: a page filling the frame, the draw canvas, small photos,
a deep shadow or uneven light across the sheet, yellow paper, a red marker.
"""

from __future__ import annotations

import sys

import cv2
import numpy as np
import pytest

from conftest import ROOT
from realtime.binarize import gray_ink
from realtime.camera_app import CameraOptions, FramePipeline
from realtime.page import REASON, SKIN_REASON, find_page, reject_off_page, reject_on_skin
from realtime.segment import Candidate, reading_order
from realtime.tracking import iou

sys.path.insert(0, str(ROOT / "scripts"))
import make_test_videos  # noqa: E402  (scripts/make_test_videos.py)

SHEET = (slice(90, 390), slice(170, 530))  # rows, columns of the sheet in a 480x640 frame


def grain_door(rng: np.random.Generator, shape: tuple[int, int] = (480, 640)) -> np.ndarray:
    """A brown door (uint8 BGR): smooth mid-brown wood, with sparse thin dark strips of grain,
    each 3-6 px wide and 30-80 px long, too sparse for the binarisation's texture rule."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grey = 105 + 10 * np.sin(xx / 25.0) + rng.normal(0, 3, (h, w))
    for _ in range(60):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        strip_w, strip_h = int(rng.integers(3, 7)), int(rng.integers(30, 80))
        grey[y : y + strip_h, x : x + strip_w] = rng.uniform(35, 55)
    door = np.stack([grey * 0.6, grey * 0.8, grey * 1.15], axis=2)
    return np.clip(door, 0, 255).astype(np.uint8)


def digits_on_sheet(frame: np.ndarray, images: np.ndarray, paper: float = 225.0) -> None:
    """Paste a white sheet at SHEET with the MNIST digits `images` (uint8 (N, 28, 28)) written on
    it side by side in dark ink, 84 px high, in place."""
    rows, cols = SHEET
    sheet = np.full((rows.stop - rows.start, cols.stop - cols.start), paper, np.float32)
    for i, image in enumerate(images):
        alpha = cv2.resize(image, (84, 84), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255
        y, x = 110, 50 + 95 * i
        sheet[y : y + 84, x : x + 84] *= 1 - 0.8 * alpha
    frame[rows, cols] = np.clip(sheet, 0, 255).astype(np.uint8)[..., None]


def on_sheet(box: tuple[int, int, int, int]) -> bool:
    x, y, w, h = box
    rows, cols = SHEET
    return cols.start <= x + w / 2 < cols.stop and rows.start <= y + h / 2 < rows.stop


@pytest.fixture(scope="module")
def three_digits(mnist_test) -> tuple[np.ndarray, str]:
    """The first 2, 5 and 7 of the MNIST sample's test digits, and their reading."""
    images, labels = mnist_test
    picks = [int(np.flatnonzero(labels == d)[0]) for d in (2, 5, 7)]
    return images[picks], "257"


def test_grain_beside_the_sheet_is_off_the_page_and_the_digits_on_it_read(classifier, three_digits) -> None:
    images, number = three_digits
    frame = grain_door(np.random.default_rng(3))
    digits_on_sheet(frame, images)
    reading = FramePipeline(classifier, CameraOptions(smoothing=False)).process(frame, 0.0).reading
    named_off = [d.box for d in reading.digits if d.digit is not None and not on_sheet(d.box)]
    assert named_off == [], f"grain off the sheet read as digits at {named_off}"
    assert [d.label for d in reading.read] == list(number) and reading.number == number
    assert any(d.reason == REASON for d in reading.digits), "no grain strip was even a candidate"


def test_a_sheet_twice_as_bright_as_the_table_is_found(three_digits) -> None:
    """A yellow sheet on a brown table: the sheet (grey 200) is only 1.75 times as bright as the
    table's brightest wood (115, its mean 92), so the step at its edge must still stop the sheet
    from growing over the table."""
    images, _ = three_digits
    frame = grain_door(np.random.default_rng(5))
    digits_on_sheet(frame, images, paper=200.0)
    outline = find_page(gray_ink(frame))
    assert outline is not None, "no sheet found"
    x, y, w, h = cv2.boundingRect(outline.astype(np.float32))
    rows, cols = SHEET
    assert abs(x - cols.start) <= 8 and abs(y - rows.start) <= 8, (x, y, w, h)
    assert abs(x + w - cols.stop) <= 8 and abs(y + h - rows.stop) <= 8, (x, y, w, h)


def test_the_sheet_is_found_on_the_door_under_a_deep_shadow() -> None:
    frame = grain_door(np.random.default_rng(4))
    digits_on_sheet(frame, np.zeros((0, 28, 28), np.uint8))
    dark = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    light = np.clip(np.linspace(0.35, 1.0, 640, dtype=np.float32), 0, 1)  # light fades over the frame
    shaded = (dark * light[None, :]).astype(np.uint8)
    for image in (dark, shaded):
        outline = find_page(image)
        assert outline is not None and outline.dtype == np.float32 and outline.shape[1] == 2
        page = np.zeros(image.shape, np.uint8)
        cv2.fillPoly(page, [outline.round().astype(np.int32)], 255)
        inside = page[SHEET] > 0
        assert inside.mean() > 0.97, "part of the sheet is taken for background"
        outside = np.ones(image.shape, bool)
        outside[SHEET] = False
        assert (page[outside] > 0).mean() < 0.1, "the door is taken for paper"


@pytest.mark.parametrize("shape", [(480, 640), (121, 300), (28, 28), (1, 1)])
def test_paper_filling_the_frame_or_a_canvas_is_all_page(shape: tuple[int, int]) -> None:
    """A page or scan filling the frame, a small photo, the draw canvas filmed (dark strokes on
    white): no sheet stands out, so nothing is turned down. (Draw mode itself never looks for a
    sheet: realtime.reading.read_binary has no such step.)"""
    rng = np.random.default_rng(5)
    paper = np.clip(225 + 15 * np.linspace(-1, 1, shape[1])[None, :] + rng.normal(0, 4, shape), 0, 255).astype(np.uint8)
    cv2.putText(paper, "2 5 7", (shape[1] // 5, shape[0] // 2), cv2.FONT_HERSHEY_SIMPLEX, shape[0] / 100, 30, 3)
    canvas = np.zeros(shape, np.uint8)
    cv2.line(canvas, (shape[1] // 3, shape[0] // 4), (shape[1] // 3, 3 * shape[0] // 4), 255, 9)
    for image in (paper, 255 - canvas):
        assert find_page(image) is None
    candidate = Candidate(box=(0, 0, 1, 1), mask=np.zeros((5, 5), np.uint8), line=0)
    assert reject_off_page([candidate], None) == [candidate] and candidate.accepted


def test_lines_are_numbered_again_over_the_digits_left() -> None:
    page = np.float32([[50, 0], [100, 0], [100, 100], [50, 100]])  # the right half of a 100x100 frame
    mask = np.zeros((5, 5), np.uint8)
    cands = [Candidate((10, 10, 10, 10), mask, 0), Candidate((60, 40, 10, 10), mask, 1),
             Candidate((60, 70, 10, 10), mask, 2), Candidate((0, 0, 3, 3), mask, -1, "speck")]
    kept = reject_off_page(cands, page)
    assert [(c.box, c.line, c.reason) for c in kept] == [
        ((60, 40, 10, 10), 0, None), ((60, 70, 10, 10), 1, None),
        ((10, 10, 10, 10), -1, REASON), ((0, 0, 3, 3), -1, "speck")]


def test_a_mark_off_the_page_that_chained_two_rows_leaves_them_two_lines() -> None:
    """A strip of the door beside the sheet, as tall as two rows and level with both, chains them
    into one line of the finder ("2021" over "2019" read "22002191" in the real video re-encoded);
    turned down as off the page, it leaves two lines again."""
    page = np.float32([[0, 0], [300, 0], [300, 300], [0, 300]])  # the left part of a 400x300 frame
    mask = np.zeros((5, 5), np.uint8)
    top = [Candidate((20 + 50 * k, 40 - 4 * k, 30, 60), mask) for k in range(4)]
    low = [Candidate((25 + 50 * k, 150 - 4 * k, 30, 60), mask) for k in range(4)]
    strip = Candidate((320, 30, 30, 170), mask)
    chained = reading_order([*top, *low, strip])
    assert len({c.line for c in chained}) == 1, "the strip no longer chains the rows: make it taller"
    reject_off_page(chained, page)
    assert strip.reason == REASON and strip.line == -1
    assert [c.line for c in top] == [0] * 4 and [c.line for c in low] == [1] * 4


def test_a_shape_off_the_page_stands_in_no_line_when_the_lines_are_found_again() -> None:
    """Wood grain at the frame's edge, level with a row on the sheet, is "cut by border": off the
    page, it is turned down as such, so that no later reading_order (the touching-digits lattice
    orders the candidates again after a cut) places it in the row, where it read "?" ("?06775")."""
    page = np.float32([[130, 0], [400, 0], [400, 300], [130, 300]])  # the sheet; the wood left of it
    mask = np.zeros((5, 5), np.uint8)
    row = [Candidate((150 + 50 * k, 40, 30, 60), mask) for k in range(4)]
    grain = Candidate((95, 60, 40, 25), mask, reason="cut by border")
    ordered = reading_order([*row, grain])
    assert grain.line == 0, "the grain no longer stands in the row: make it taller or nearer"
    kept = reject_off_page(ordered, page)
    assert grain.reason == REASON and grain.line == -1
    again = reading_order(kept)
    assert grain.line == -1 and [c.line for c in row] == [0] * 4


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.float32), np.zeros((0, 4), np.uint8)])
def test_find_page_refuses_what_is_not_a_grey_image(bad: np.ndarray) -> None:
    with pytest.raises(ValueError):
        find_page(bad)


# Scenes a user meets: a sheet on a dark, noisy desk under a shadow with a sharp edge, two sheets
# side by side, a grey sheet on a white desk. Each must read its number, never another one.

def desk(rng: np.random.Generator, level: float = 75.0) -> np.ndarray:
    """A dark, noisy desk, uint8 (480, 640): rough enough that no sheet is taken for it."""
    return np.clip(rng.normal(level, 18, (480, 640)), 0, 255).astype(np.uint8)


def write(frame: np.ndarray, images: np.ndarray, x: int, y: int, height: int = 70, ink: float = 40) -> None:
    """Write the MNIST digits `images` side by side from (x, y), `height` px high, in place."""
    for image in images:
        alpha = cv2.resize(image, (height, height), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255
        cols = np.flatnonzero(alpha.max(axis=0) > 0.3)
        alpha = alpha[:, cols[0] : cols[-1] + 1]
        roi = frame[y : y + height, x : x + alpha.shape[1]].astype(np.float32)
        frame[y : y + height, x : x + alpha.shape[1]] = (roi * (1 - alpha) + ink * alpha).astype(np.uint8)
        x += alpha.shape[1] + height // 6


def pick(mnist_test, number: str) -> np.ndarray:
    images, labels = mnist_test
    return images[[int(np.flatnonzero(labels == int(d))[0]) for d in number]]


def read(classifier, frame: np.ndarray) -> str | None:
    return FramePipeline(classifier, CameraOptions(smoothing=False)).process(frame, 0.0).reading.number


@pytest.mark.parametrize("depth", [0.5, 0.55])
def test_a_shadow_with_a_sharp_edge_across_the_sheet_hides_no_digit(classifier, mnist_test, depth: float) -> None:
    """A shadow that takes half the light, its sharp edge across the sheet (and through a digit):
    the shaded part is the same paper, darker, and its digits read with the others."""
    frame = desk(np.random.default_rng(6))
    cv2.fillPoly(frame, [np.int32([[100, 60], [540, 80], [530, 420], [110, 410]])], 232)
    write(frame, pick(mnist_test, "2749"), 180, 140)
    write(frame, pick(mnist_test, "6035"), 190, 270)
    frame[:, :300] = (frame[:, :300] * depth).astype(np.uint8)
    assert read(classifier, frame) == "2749 6035"


@pytest.mark.parametrize("depth", [0.5, 0.6])
def test_faint_ink_under_a_shadow_with_a_sharp_edge_through_a_digit_reads(classifier, mnist_test, depth: float) -> None:
    """Light ink (65% of its paper, as light-blue ballpoint) under a phone's shadow that takes 40-50%
    of the light, its sharp edge through a digit: the shaded digits' strokes are ink there as on
    lit paper (SHADED_INK), and the digit across the edge, darker than the shaded paper beside
    its shaded part, is no rim of the shadow (`_drop_rims`). The real "3268" under such a band read
    "3218", "3541" read "3511"."""
    frame = desk(np.random.default_rng(6))
    cv2.fillPoly(frame, [np.int32([[100, 60], [540, 80], [530, 420], [110, 410]])], 232)
    write(frame, pick(mnist_test, "2749"), 180, 140, ink=150)
    write(frame, pick(mnist_test, "6035"), 190, 270, ink=150)
    frame[:, :300] = (frame[:, :300] * depth).astype(np.uint8)
    assert read(classifier, frame) == "2749 6035"


def test_digits_on_two_sheets_side_by_side_all_read(classifier, mnist_test) -> None:
    frame = desk(np.random.default_rng(7))
    frame[80:400, 30:290] = 238
    frame[60:420, 350:620] = 232
    write(frame, pick(mnist_test, "27"), 80, 200)
    write(frame, pick(mnist_test, "64"), 400, 210)
    assert read(classifier, frame) == "2764"


@pytest.mark.parametrize("grey", [150, 170])
def test_the_corner_of_a_grey_sheet_on_a_white_desk_is_no_digit(classifier, mnist_test, grey: int) -> None:
    """The closing rounds the sheet's corners off: each is a wedge as dark as the sheet beside it,
    which is no ink (it read "1" at 100%)."""
    frame = np.full((480, 640), 250, np.uint8)
    cv2.fillPoly(frame, [np.int32([[100, 60], [540, 80], [530, 420], [110, 410]])], grey)
    write(frame, pick(mnist_test, "3671"), 200, 160, height=64, ink=10)
    assert read(classifier, frame) == "3671"


# A hand reaching in: the clips' hand (scripts/make_test_videos.py), over the sheet or beside it on
# the table. Between its fingers the paper in its shadow or the table, along its fingers their
# edges, are strokes against the skin beside them; none may be read, every digit clear of it must.

def hand_frame(mnist_test, seed: int, edge: str, along: float) -> tuple[np.ndarray, list, np.ndarray]:
    """A rendered frame (uint8 BGR 480x640) of scene `seed` with the camera at rest and a hand
    reaching in from `edge`, `along` its length; the digits' boxes and labels; the hand's mask
    grown as the clips' truth grows it (a digit it touches is hidden)."""
    frame_size = (640, 480)
    images, labels = mnist_test
    rng = np.random.default_rng(seed)
    scene = make_test_videos.make_scene(rng, frame_size, images, labels)
    view = cv2.warpPerspective(scene.world, scene.base, frame_size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    hand = make_test_videos.Hand(edge=edge, along=along, angle=0.0, size=200.0, reach=170.0, start=0.0,
                                 stop=10.0, colour=np.array(make_test_videos.SKIN[seed % 4], np.float32))
    index = 30  # a second in: the hand is all in
    mask = make_test_videos.hand_mask(hand, index, frame_size)
    frame = make_test_videos.expose(view, hand, mask, index, make_test_videos.make_optics(rng), rng)
    near = cv2.dilate((mask > 0.02).astype(np.uint8), np.ones((9, 9), np.uint8))
    digits = [(make_test_videos.project_box(d.hull, scene.base), d.label) for d in scene.digits]
    return frame, digits, near


@pytest.mark.parametrize(("seed", "edge", "along"), [(4, "top", 0.3), (5, "bottom", 0.6)],
                         ids=["over the sheet", "over its edge and a wooden table"])
def test_marks_on_a_hand_are_no_digits_and_the_digits_beside_it_read(classifier, mnist_test, seed: int,
                                                                    edge: str, along: float) -> None:
    frame, digits, near = hand_frame(mnist_test, seed, edge, along)
    results = FramePipeline(classifier, CameraOptions(smoothing=False)).process(frame, 0.0).reading.digits
    asked = [r for r in results if r.probs is not None]  # what the model was asked about
    marks = [(r.box, r.label) for r in asked if not any(iou(r.box, box) > 0 for box, _ in digits)]
    assert marks == [], f"marks on the hand taken for digits: {marks}"
    clear = [(box, label) for box, label in digits if not near[box[1] : box[1] + box[3], box[0] : box[0] + box[2]].any()]
    read = [(box, label) for box, label in clear
            if any(iou(r.box, box) >= 0.5 and r.digit == label for r in asked)]
    assert len(clear) >= 2 and read == clear, "a digit clear of the hand is not read"
    assert any(r.reason == SKIN_REASON for r in results), "no mark on the hand was even a candidate"


def skin_rejected(surface: tuple[int, int, int], ink: tuple[int, int, int]) -> bool:
    """Whether a 20x60 stroke of `ink` (BGR) on a 200x200 patch of `surface` (BGR), with a white
    margin around it (the frame's paper, for white balance), is turned down as on skin or wood."""
    bgr = np.full((300, 300, 3), 235, np.uint8)
    bgr[50:250, 50:250] = surface
    binary = np.zeros((300, 300), np.uint8)
    binary[120:180, 140:160] = 255
    bgr[binary > 0] = ink
    cand = Candidate((140, 120, 20, 60), np.zeros((64, 24), np.uint8), line=0)
    return reject_on_skin([cand], binary, bgr)[0].reason == SKIN_REASON


@pytest.mark.parametrize(("surface", "ink", "rejected"), [
    ((127, 158, 209), (70, 90, 120), True),     # the clips' lighter skin, a gap between fingers
    ((81, 107, 148), (40, 50, 70), True),       # their darkest skin
    ((60, 95, 140), (30, 45, 70), True),        # brown wood
    ((235, 235, 235), (40, 30, 30), False),     # white paper, dark pen
    ((130, 212, 230), (120, 60, 30), False),    # yellow paper (as scripts/make_test_pages.py's), blue pen
    ((235, 235, 235), (40, 40, 220), False),    # white paper, red marker
    ((140, 140, 140), (40, 40, 40), False),     # paper in a deep shadow
], ids=["skin", "dark skin", "wood", "paper", "yellow paper", "red marker", "shaded paper"])
def test_skin_and_wood_are_told_from_paper_by_colour(surface, ink, rejected: bool) -> None:
    assert skin_rejected(surface, ink) == rejected
