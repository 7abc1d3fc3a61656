"""One digit finder for the canvas and the camera: a binary ink image in, digit candidates out.

Candidates come in reading order (left to right within a line, lines top to bottom) so that
digits side by side read as a number. The parts of one digit that do not touch (a "5" with a
detached bar, a "4" in two strokes, a broken pen line) are merged first; what is not a digit
(specks, ruled lines and paper edges, blobs cut by the border, implausible shapes) is rejected
but still returned, with the reason, so that the overlay can show it dimmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median  # lists of a few numbers: far cheaper than numpy's

import cv2
import numpy as np

from realtime.checks import numeric_array
from realtime.frames import runs_along, straight_runs
from realtime.rows import TRIM, TWO_ROWS, cut, row_gap, seam, spans_two_rows
from realtime.textlines import REACH, WHOLE_DIGIT, group_lines, typical_height


MASK_MARGIN = 2
#: A group of components: their indices and the box around them (x, y, w, h).
Group = tuple[list[int], tuple[int, int, int, int]]


@dataclass
class Candidate:
    """A group of ink components that may be one digit.

    `mask` is the candidate's own ink (uint8, 0/255) cut to `box` plus a MASK_MARGIN border of
    background, without strokes of neighbouring digits that reach into the box: even a "1" cut
    tight to its box then shows background around it. `reason` is None for a plausible digit.
    `split` is True when its ink was cut from a digit of another row (realtime.rows), or joined
    from specks in a row (`_join_specks`: a digit broken apart): where the cut went, or what the
    gaps held, is a guess, so such a digit is named only when the model is sure of it.
    `frame` is the (height, width) in px of the image it was found in (None: unknown): where the
    frame's edge lies, for a shape cut by it (`_holds_digit`).
    """

    box: tuple[int, int, int, int]  # x, y, w, h
    mask: np.ndarray = field(repr=False)
    line: int = -1
    reason: str | None = None
    split: bool = False
    trimmed: np.ndarray | None = field(default=None, repr=False)
    frame: tuple[int, int] | None = field(default=None, repr=False)

    @property
    def accepted(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class FinderSettings:
    """Thresholds relative to the image, so that a 280x280 canvas and a 1080p frame both work."""

    min_height_frac: float = 0.03  # of the image height: smaller is a speck
    min_height_px: int = 8
    noise_area_px: int = 6  # components below this are sensor noise and not even reported
    max_size_frac: float = 0.9  # of the image: larger is the paper edge or the table
    max_wide_aspect: float = 2.2  # w / h above this is a dash, a ruled line or a word
    max_tall_aspect: float = 12.0  # h / w above this, over half the image high, is a vertical line
    max_fill: float = 0.72  # ink / box area above this (when not a thin "1") is a blob
    reject_border: bool = True  # a candidate touching the border is cut off (camera)
    max_candidates: int = 160  # beyond this the frame is noise, not a page (a dense page: 60 two-digit numbers)
    max_components: int = 256  # beyond this the frame is a noise field: only the largest parts are kept
    merge_fragments: bool = False  # join small pieces to a near digit (clean canvas ink only)
    fill_frame: bool = False  # a close-up (realtime.closeup): a digit inside the frame may fill it


#: On the canvas everything was drawn on purpose: a digit may touch the edge or fill the canvas,
#: and a long vertical stroke is a "1".
CANVAS_SETTINGS = FinderSettings(
    min_height_frac=0.04, max_size_frac=1.01, max_tall_aspect=float("inf"), max_fill=0.85,
    reject_border=False, merge_fragments=True,
)


def find_digits(binary: np.ndarray, settings: FinderSettings = FinderSettings(),
                seen: np.ndarray | None = None) -> list[Candidate]:
    """Digit candidates in `binary` (2-D, ink non-zero): those in lines (accepted ones, and digit-sized
    rejections standing between a line's digits) in reading order, then the rest.

    `seen` (binary's shape, non-zero where the camera saw; None: everywhere) is for a frame turned
    on a larger canvas (realtime.skew.level): ink outside it is none, and a part touching its edge
    is "cut by border" as one touching the image's edge is (the canvas's border, filled from the
    frame's own, drew a digit cut by the frame's edge out into a streak two rows high, which no
    row took: a tilted crop of "3541" read "354").

    How faint ink may be is the binarisation's decision (realtime.binarize), not the finder's.
    Raises ValueError for a `binary` that is no 2-D numeric image or a `seen` of another shape.
    """
    binary = numeric_array(binary, "binary")
    if binary.ndim != 2 or binary.size == 0:
        raise ValueError(f"binary: expected a non-empty 2-D image, got shape {binary.shape}")
    if not isinstance(settings, FinderSettings):
        raise ValueError(f"settings: expected FinderSettings, got {type(settings).__name__}")
    if seen is not None and seen.shape != binary.shape:
        raise ValueError(f"seen: expected the shape of binary {binary.shape}, got {seen.shape}")
    ink = np.greater(binary, 0).view(np.uint8)  # 0/1: the bools' own bytes, no copy
    if seen is not None:
        ink &= (seen > 0).astype(np.uint8)
    # Outer contours, one per 8-connected component: in this OpenCV build far cheaper than
    # connectedComponentsWithStats (0.04 ms against 2 ms on a 640x480 frame). Not RETR_EXTERNAL:
    # digits inside a hole of other ink (a cell of ruled lines closed by the paper's edge) count.
    contours, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    boxes, dust = {}, []
    for index, contour in enumerate(contours):
        box = cv2.boundingRect(contour)
        if hierarchy[0][index][3] == -1:
            if box[2] * box[3] >= settings.noise_area_px:
                boxes[index] = box
            else:
                dust.append(box)
    if len(boxes) > settings.max_components:  # a noise field: keep the largest parts only
        largest = sorted(boxes, key=lambda i: -boxes[i][2] * boxes[i][3])[: settings.max_components]
        boxes = {i: boxes[i] for i in largest}
    height, width = ink.shape
    cut = _touching_edge(ink, seen, contours, boxes) if seen is not None and settings.reject_border else set()

    def why(members: list[int], box: tuple[int, int, int, int], area: int) -> str | None:
        reason = reject(box, area, (height, width), settings)
        return "cut by border" if reason not in ("speck", "too large") and not cut.isdisjoint(members) else reason

    # A part that is no digit by itself (the paper's edge, a grid of ruled lines, a hand cut by the
    # border) must not swallow the digits inside its bounding box: it stays a candidate of its own.
    alone = {i for i, box in boxes.items() if why([i], box, 0) in ALONE_REASONS}
    speck = max(settings.min_height_px, settings.min_height_frac * height)
    parts = {i: b for i, b in boxes.items() if i not in alone}
    typical = typical_height(parts.values(), speck)
    contours = list(contours)
    split: set[int] = set()
    seams: list[np.ndarray] = []
    groups = _cut_rows(_merge_parts(parts, settings, speck, typical), contours, boxes, ink, settings, speck, typical, split, seams)
    near = None
    if seams:
        near = np.zeros_like(ink)
        cv2.polylines(near, seams, False, 1, 2 * round(TRIM * typical) + 1)
    groups += [([i], boxes[i]) for i in sorted(alone)]

    candidates = []
    for members, box in groups:
        x, y, w, h = box
        # The members' filled outlines, and-ed with the ink: the holes of a 0 or an 8 stay
        # open, and strokes of a neighbour that reach into the box stay out.
        m = MASK_MARGIN
        mask = np.zeros((h + 2 * m, w + 2 * m), np.uint8)
        cv2.drawContours(mask, [contours[i] for i in members], -1, 255, cv2.FILLED, offset=(m - x, m - y))
        mask[m : m + h, m : m + w] &= ink[y : y + h, x : x + w] * np.uint8(255)
        reason = why(members, box, int(np.count_nonzero(mask)))
        if settings.fill_frame and reason not in ALONE_REASONS and _frame_line(mask, box, (height, width), settings):
            reason = "too large"
        cand = Candidate(box=box, mask=mask, reason=reason, split=not split.isdisjoint(members), frame=(height, width))
        if cand.split and near is not None:
            cand.trimmed = mask.copy()
            cand.trimmed[m : m + h, m : m + w] &= (1 - near[y : y + h, x : x + w]) * np.uint8(255)
        candidates.append(cand)
    # Ink too small to report is still part of what a row holds: a faint digit of a scaled-down
    # photo can be a handful of dots (reading_order joins them; none is returned on its own).
    dots = Dots(ink, dust if len(dust) <= settings.max_components else [])
    return reading_order(candidates, (height, width), settings, dots)[: settings.max_candidates]


def _touching_edge(ink: np.ndarray, seen: np.ndarray, contours: list[np.ndarray],
                   boxes: dict[int, tuple[int, int, int, int]]) -> set[int]:
    """The parts (indices into `contours`, among `boxes`) whose ink (uint8, 0/1) touches the edge
    of `seen`: the pixels seen beside pixels not seen."""
    inside = (seen > 0).astype(np.uint8)
    edge = inside & ~cv2.erode(inside, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_REPLICATE) & ink
    if not edge.any():
        return set()
    _, labels = cv2.connectedComponents(ink, connectivity=8)
    touched = set(np.unique(labels[edge > 0]).tolist())
    return {i for i in boxes if labels[contours[i][0][0][1], contours[i][0][0][0]] in touched}


def _frame_line(mask: np.ndarray, box: tuple[int, int, int, int], shape: tuple[int, int],
                settings: FinderSettings) -> bool:
    """Whether a shape (its `mask`, uint8 0/255 with a MASK_MARGIN border, and `box` in an image
    of `shape` (H, W), px) that a close-up lets fill the frame (FinderSettings.fill_frame) is too
    large for it all the same: over `max_size_frac` of the frame's height (width) and holding an
    upright (level) straight run that long (realtime.frames.straight_runs). A digit that fills a
    photo cropped close around it is read; a printed line the crop cut short of its box, with
    the digit that touches it, is not (the real "2413" cropped to its boxes: a "2" joined to its
    box's upright edge read "4"). Across the frame's long side, a "2"'s base joined to the "3"
    beside it is such a run: only runs along the side the shape fills count."""
    height, width = shape
    tall, wide = box[3] > settings.max_size_frac * height, box[2] > settings.max_size_frac * width
    return ((tall and bool(runs_along(mask, round(settings.max_size_frac * height), False).any()))
            or (wide and bool(runs_along(mask, round(settings.max_size_frac * width), True).any())))


@dataclass(frozen=True)
class Dots:
    """Components too small to report (under noise_area_px): their boxes (x, y, w, h) and the ink
    image (uint8, 0/1) they lie in."""

    ink: np.ndarray
    boxes: list[tuple[int, int, int, int]]

    def mask(self, box: tuple[int, int, int, int]) -> np.ndarray:
        """The ink of `box` with a MASK_MARGIN border, 0/255, as a Candidate's mask."""
        x, y, w, h = box
        m = MASK_MARGIN
        mask = np.zeros((h + 2 * m, w + 2 * m), np.uint8)
        mask[m : m + h, m : m + w] = self.ink[y : y + h, x : x + w] * np.uint8(255)
        return mask


#: Finder rejections that no merge can undo (none depends on the ink area): such a part never
#: joins a digit.
ALONE_REASONS = ("too large", "cut by border", "line")


def _merge_parts(boxes: dict[int, tuple[int, int, int, int]], settings: FinderSettings, speck: float,
                 typical: float) -> list[Group]:
    """Union the components that belong to one digit, until nothing more merges: each group as
    its members and its box.

    A group's reach grows with what it collects (the parts of a digit broken in three, in pencil),
    but only up to a digit's: `_same_digit` measures it from at most MAX_DIGIT of the page's
    digit height (`typical`, px), so one stroke touching the next line no longer chains a dense
    page into one "too large" candidate."""
    groups = {i: [i] for i in boxes}
    group_box = dict(boxes)
    reach = 0.2 * max((b[3] for b in boxes.values()), default=0)  # the widest gap any rule bridges
    merged = True
    while merged:
        merged = False
        keys = sorted(groups, key=lambda k: group_box[k][0])
        for a_pos, a in enumerate(keys):
            for b in keys[a_pos + 1 :]:
                if group_box[b][0] > group_box[a][0] + group_box[a][2] + reach:
                    break  # sorted by x: everything further right is too far to touch
                if _same_digit(group_box[a], group_box[b], settings.merge_fragments, typical):
                    groups[a] += groups.pop(b)
                    group_box[a] = union([group_box[a], group_box.pop(b)])
                    merged = True
                    break
            if merged:
                break
    return [(groups[k], group_box[k]) for k in groups]


def _cut_rows(groups: list[Group], contours: list[np.ndarray], boxes: dict[int, tuple[int, int, int, int]],
              ink: np.ndarray, settings: FinderSettings, speck: float, typical: float, split: set[int],
              seams: list[np.ndarray], page: list[tuple[int, int, int, int]] | None = None) -> list[Group]:
    """`groups` with each group that is two rows touching (realtime.rows: a tail reaching a digit
    of the next row) cut along the seam between the rows; the pieces on each side merged again
    (never across the seam) and cut again if they still span two rows (three rows chained by two
    tails). Whether a group spans two rows is judged against the rows beside it on the whole
    `page` (the boxes of the first call's groups; None: `groups` are the page's): a piece's
    own side holds none of them. Pieces are added to `contours` and `boxes` under new indices;
    those the seam went through, to `split`; such a piece lower than STUB of a digit is the end of
    a stroke that crossed the seam and goes with the side it was cut from."""
    if typical <= 0 or all(box[3] < TWO_ROWS * typical for _, box in groups):
        return groups
    page = [box for _, box in groups] if page is None else page
    result = []
    for members, box in groups:
        if box[3] < TWO_ROWS * typical:
            result.append((members, box))
            continue
        x, y, w, h = box
        mask = np.zeros((h, w), np.uint8)
        cv2.drawContours(mask, [contours[i] for i in members], -1, 255, cv2.FILLED, offset=(-x, -y))
        mask &= ink[y : y + h, x : x + w] * np.uint8(255)
        others = [b for b in page if not _inside(box, b)]
        gap = row_gap(box, others, typical)
        path = seam(mask, typical, gap)
        if path is None or not spans_two_rows(box, path, others, typical):
            result.append((members, box))
            continue
        sides: dict[bool, dict[int, tuple[int, int, int, int]]] = {True: {}, False: {}}
        parted = cut(mask, path)
        seams.append(np.stack((np.arange(w) + x, path + y), axis=1).astype(np.int32).reshape(-1, 1, 2))
        cleared = cv2.dilate(mask & ~parted, np.ones((3, 3), np.uint8))  # the ink the seam took, and beside it
        pieces, _ = cv2.findContours(parted, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for piece in pieces:
            px, py, pw, ph = cv2.boundingRect(piece)
            if pw * ph < settings.noise_area_px:
                continue
            index = len(contours)
            boxes[index] = (px + x, py + y, pw, ph)
            contours.append(piece + np.array([x, y], np.int32))
            above = py + ph / 2 < path[min(px + pw // 2, w - 1)]
            if (parted[py : py + ph, px : px + pw] & cleared[py : py + ph, px : px + pw]).any():
                split.add(index)
                # a stroke's end the seam cut off, lower than STUB, is part of the digit across
                # the seam: a tail reaching into the next row goes back to its digit
                above ^= ph < STUB * typical
            sides[above][index] = boxes[index]
        for side in sides.values():
            if side:
                result += _cut_rows(_merge_parts(side, settings, speck, typical), contours, boxes, ink,
                                    settings, speck, typical, split, seams, page)
    return result


#: A piece the seam cut off lower than this share of the page's digit height is the end of a stroke
#: that crossed the seam (a "9"'s or "7"'s tail reaching into the next row), not a digit or a part
#: of one on its own side: it goes with the side it was cut from. Left with the row below, it made
#: a "0" with a tick read "6", a "3" read unsure, or a "?" of its own between that row's digits. Of
#: the pieces the seam cut on 20 dense pages of seeds 7 and 11, all 13 under 0.6 of a digit high
#: were the end of a stroke of a digit across the seam.
STUB = 0.6


def _inside(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether box `a` lies within box `b` (the group it was cut from, or itself)."""
    return b[0] <= a[0] and b[1] <= a[1] and a[0] + a[2] <= b[0] + b[2] and a[1] + a[3] <= b[1] + b[3]


#: A piece at least WHOLE_DIGIT (realtime.textlines) of the page's digit height is a whole digit,
#: not a part of one; a group's reach and size are measured from at most MAX_DIGIT of it (a tall digit).
MAX_DIGIT = 1.3


def _same_digit(
    a: tuple[int, int, int, int], b: tuple[int, int, int, int], fragments: bool, typical: float
) -> bool:
    """Two pieces are one digit when one sits over the other, they nearly touch, one is a small
    fragment close to the other, or both are pieces of a digit broken in two.

    Stacked pieces (a "5"'s bar over its body, the two strokes of a "4") overlap in x and are
    close in y. Pieces of a broken line nearly touch. Either way the union must still have a
    digit's proportions, so two neighbouring digits are not fused into one.
    """
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    x_overlap = min(ax + aw, bx + bw) - max(ax, bx)
    y_gap = max(ay, by) - min(ay + ah, by + bh)
    x_gap = -x_overlap
    # Reach and size are measured from the taller piece, but from no more than a tall digit: a
    # group grown over two lines (or a stroke reaching into the next one) reaches no further.
    tall = min(max(ah, bh), MAX_DIGIT * typical) if typical > 0 else max(ah, bh)
    ux, uy, uw, uh = union([a, b])
    if uw > 1.3 * uh or uh > 2.2 * tall:
        return False
    # (a piece under SPECK_OF_ROW of the digit's height over a wide digit, its faint top broken
    # off, overlaps it by half its own width: half the digit's would make it a "1" of its own)
    small = min(ah, bh) <= SPECK_OF_ROW * tall
    stacked = x_overlap >= 0.5 * (min(aw, bw) if small else max(aw, bw)) and y_gap <= 0.35 * tall
    level = side_by_side(a, b, tall)
    # On a page (not the canvas, where one digit broken in two makes the "page's" digit height
    # its halves'), two pieces of a whole digit's height, one over the other with a gap, are two
    # digits of two lines (a dense page): a digit's parts one over the other (a "5"'s bar, the
    # halves of a broken "1") are each shorter than a digit, or nearly touch.
    if not fragments and y_gap > 0.15 * tall and min(ah, bh) >= WHOLE_DIGIT * typical:
        return False
    near = 0.12 * min(tall, 3 * min(ah, bh))  # a big group's size must not widen its reach
    touching = x_gap <= near and y_gap <= near and uw <= 1.0 * uh and not level
    # On a canvas, a piece up to 60% as tall as the other, close by, is a fragment of it: a "5"'s
    # bar written off to the right, a thin stroke broken in two. (In a camera frame such pieces are
    # mostly paper texture and shadow, and merging them would spoil the digit's box.)
    fragment = fragments and min(ah, bh) <= 0.6 * tall and max(x_gap, y_gap, 0) <= 0.2 * tall
    # Next to whole digits (`typical` high), two close pieces that are both well short of a digit
    # and together make one digit's height are its halves: a thin "7" or "3" broken in the middle.
    halves = (fragments and tall <= WHOLE_DIGIT * typical and uh <= 1.3 * typical
              and max(x_gap, y_gap, 0) <= 0.15 * typical and not level)
    return stacked or touching or fragment or halves


def side_by_side(a: tuple[int, int, int, int], b: tuple[int, int, int, int], tall: float) -> bool:
    """Whether two boxes (x, y, w, h) are two digits standing side by side, however close: both at
    least 0.8 of a digit `tall` (px) high and mostly level (people's baselines wander, so "level"
    is a vertical overlap of 70% of the shorter one): "10", never one digit."""
    overlap = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return min(a[3], b[3]) >= 0.8 * tall and overlap >= 0.7 * min(a[3], b[3])


def union(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def reject(
    box: tuple[int, int, int, int], area: int, shape: tuple[int, int], settings: FinderSettings,
    row_height: float | None = None,
) -> str | None:
    """Why `box` (with `area` px of ink, in an image of `shape`) is no digit, or None. A speck is
    small beside the image, or, in a line of digits `row_height` high, beside those digits."""
    x, y, w, h = box
    height, width = shape
    if h < settings.min_height_px or h < (SPECK_OF_ROW * row_height if row_height else settings.min_height_frac * height):
        return "speck"
    inside = x > 0 and y > 0 and x + w < width and y + h < height
    if (w > settings.max_size_frac * width or h > settings.max_size_frac * height) and not (settings.fill_frame and inside):
        return "too large"
    if settings.reject_border and (x == 0 or y == 0 or x + w == width or y + h == height):
        return "cut by border"
    if w > settings.max_wide_aspect * h:
        return "too wide"
    if h > settings.max_tall_aspect * w and h > 0.5 * height:
        return "line"
    if h < 2.5 * w and area > settings.max_fill * w * h:
        return "blob"
    return None


#: Less high than this share of its line's digit height is a speck beside those digits; a small
#: "0" among tall digits, under the image-relative height of a speck, is not.
SPECK_OF_ROW = 0.4
#: Why a shape the rows' linking took in, under SPECK_OF_ROW of its row high, is no digit of its
#: own (`_without_pieces`).
PIECE = "piece"
#: Rejections of a digit-sized shape (at least IN_ROW of its line's digit height high) between a
#: line's first and last digit, around none of them or around some with ink that no printed box or
#: rule explains (`_only_lines`): the line shows "?" in its place and has no number, rather than
#: a number with a digit left out ("510006" read "516" when "000" touched and was too wide; "48122"
#: read "482" when a "2" over its box's edge joined two printed boxes). BESIDE_REASONS count beside
#: the line's ends too (within the line's pitch): a digit cut by the frame's edge at a row's end
#: made the row's number without it ("8341032750" cropped read "834103275"; a shape the edge cut,
#: within textlines.REACH of the row: the real "23 50" cut through its "0", 1.4 digit heights after
#: the "3", read "23"), and so did a Z-shaped
#: "2" broken into two wide halves before a row's first digit ("2021 019": the real video at half
#: size; seed-7 pages of every kind read as before).
IN_ROW_REASONS, IN_ROW = ("blob", "too wide", "broken", "too small", "cut by border", "too large"), 0.5
BESIDE_REASONS = ("broken", "too small", "cut by border", "too large", "too wide")
#: ... a shape cut by the border, or too large for the frame, taller than this many digit heights
#: is the table or a shadow at the frame's corner, not a digit. One no taller is a digit of a
#: photo cropped close around its row (the real "9107" cut 2 px around its digits: its "9" filled
#: 72 of the 76 px, was "too large", and the row read "107").
CUT_TALL = 1.5
#: ... but a shape cut by the border up to CUT_TALLER of the line's digit height high and at least
#: CUT_WIDE of it wide is a digit written larger than the rest of its row that the frame cut: the
#: real "3446785512" cropped 5% into its larger "344" read "6785512", and "9107" cropped into
#: its "9", "1" and "7", which stand taller than its "0", read "0" (the fresh user's crops; the
#: real photos' rows cropped 5, 10 and 20% into their digits from above and below: 5 wrong
#: numbers of 48 -> none). A sliver of the table along the frame's edge is narrower (4 px of a
#: 90-px row on a cropped page of seed 13, 1.6 of the row high).
CUT_TALLER, CUT_WIDE = 2.0, 0.3
#: ... and a shape cut by the border stands in its line from this share of the line's digit height
#: (not IN_ROW): the frame's edge leaves any part of a digit, and a digit cut through its middle
#: falls apart (a "5" cut at a tilted photo's edge left its bar and stem, 0.49 of the row high,
#: and its bowl: the row read as a number without it). A "2" cut through near its right end leaves
#: the ends of its arc and of its foot, each 0.26-0.3 of the row high: at SPECK_OF_ROW (0.4) neither
#: stood in the row, which read "343" for 3432 (a fresh user's crops of the real photos; cut at
#: the left edge they read "?"). At 0.25, row crops of seeds 7 and 11 cut with 0, 2 and 5 px:
#: whole rows 659 of 1068 as before, wrong numbers 81 -> 80.
CUT_IN_ROW = 0.25
FRAME_SIZED = ("cut by border", "too large")
#: Specks in a line's band, between or beside its digits, closer to each other than JOIN_GAP of
#: the line's digit height, are pieces of one shape: a digit whose thin strokes broke apart when
#: the photo was scaled down, or that lost the ink where it touched a printed box. Joined, it is
#: judged as a digit of the line; if it is no digit ("broken") but digit-sized, or one piece
#: under the finder's pixel minimum ("too small"), the line shows "?" there and has no number.
#: (Each piece alone measures the reach of a digit of its own small size: `_same_digit` never
#: joins pieces a fifth of a digit high that lie a sixth of a digit apart.)
JOIN_GAP = 0.25
#: ... and pieces left in a gap between two of a line's digits with room for a digit (IN_ROW of
#: the line's height wide), closer than GAP_JOIN_IN_ROW: there a digit is missing, and one whose
#: middle stroke vanished lies in parts farther apart (the real "3268" at half size and JPEG
#: quality 40: its "2"'s diagonal gone, the arc and the foot 0.32 of the row apart, each a piece,
#: and the row read "368"). In a narrower gap, the pieces of a printed box's edges between two
#: boxes joined into a "?" (a held-out page of seed 5).
GAP_JOIN_IN_ROW = 0.5
#: A digit's ink is about 2.5 strokes its height long: 10-30% of a square of its height at the
#: stroke widths of photos from 10 to 100 px high; broken, at least a fifth of it is left. A
#: scatter of noise dots between digits holds far less.
JOINED_INK = 0.02
#: Pieces of a stroke this many px apart are one, where a straight line through them was taken away
#: (a printed line and its blur, realtime.lines.LINE_WIDTH, and a few px of tilt).
JOIN = 8


def _only_lines(cand: Candidate, around: list[Candidate], row_height: float) -> bool:
    """Whether a rejected candidate lying around digits of its line (`around`) is a printed box or
    a rule and nothing else: it holds no piece IN_ROW of a digit high that they do not explain
    (`_unexplained`). Digits that went with the frame (a stroke over a box's edge joined two
    boxes) are such a piece."""
    return not any(h >= IN_ROW * row_height for _, _, _, h in _unexplained(cand, around, row_height))


def _holds_digit(cand: Candidate, around: list[Candidate], top: int, bottom: int, row_height: float) -> bool:
    """Whether a shape cut by the frame or too large for it, taller than CUT_TALL of its line's
    digits (`row_height`, px), holds a whole digit of the line all the same: a piece that no
    straight line and none of the line's digits it lies around (`around`) explains
    (`_unexplained`), WHOLE_DIGIT to CUT_TALL of the line's digit height high, in the line's band
    (`top` to `bottom`, px), not within EDGE px of the frame's edge (`cand.frame`). A printed box
    cut by the frame's edge is no closed box, so its lines stay and the digit in it goes with
    them, and the shape is as tall as the box (a crop of printed boxes with no margin: "2413"
    read "13", "921271" read "92127"). What the frame's edge cuts of the box's lines is too short
    to be a straight run, and so is a corner of a box bent by perspective (32 px of a 60-px row):
    a piece at the edge is left out, and one inside must be a whole digit's height. The table or
    a shadow at the frame's corner holds no such piece level with the row."""
    height, width = cand.frame or (0, 0)
    for x, y, w, h in _unexplained(cand, around, row_height):
        inside = cand.frame is None or (x > EDGE and y > EDGE and x + w < width - EDGE and y + h < height - EDGE)
        if inside and WHOLE_DIGIT * row_height <= h <= CUT_TALL * row_height and _in_band((x, y, w, h), top, bottom):
            return True
    return False


#: Ink this many px from the frame's edge touches it: the binarisation loses a pixel or two there
#: (its paper level is measured across the edge), and a piece's box is known to JOIN / 2 px.
EDGE = JOIN // 2


def _unexplained(cand: Candidate, around: list[Candidate], row_height: float) -> list[tuple[int, int, int, int]]:
    """The pieces of `cand`'s ink (boxes x, y, w, h in the frame, px) that neither the boxes of
    the digits `around` nor straight runs `row_height` long or longer (realtime.frames.straight_runs:
    printed box edges and rules) explain; pieces JOIN px apart counted as one (a removed line
    cut a stroke)."""
    bx, by = cand.box[0] - MASK_MARGIN, cand.box[1] - MASK_MARGIN
    rest = cand.mask & ~straight_runs(cand.mask, max(3, round(row_height)))
    for c in around:
        x, y, w, h = c.box
        rest[max(0, y - by - MASK_MARGIN) : max(0, y - by + h + MASK_MARGIN),
             max(0, x - bx - MASK_MARGIN) : max(0, x - bx + w + MASK_MARGIN)] = 0
    rest = cv2.dilate(rest, np.ones((JOIN + 1, JOIN + 1), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(rest, connectivity=8)
    half = JOIN // 2
    return [(bx + int(x) + half, by + int(y) + half, max(1, int(w) - JOIN), max(1, int(h) - JOIN))
            for x, y, w, h in stats[1:, :4]]


def reading_order(candidates: list[Candidate], shape: tuple[int, int] | None = None,
                  settings: FinderSettings | None = None, dots: Dots | None = None) -> list[Candidate]:
    """Group accepted candidates into lines (realtime.textlines: chains of level neighbours), then
    order each line by x: the candidates in lines in reading order, then the rest.

    Then a digit-sized rejection between a line's first and last digit (IN_ROW_REASONS;
    BESIDE_REASONS also beside its ends, within its pitch, each such one widening the line's
    reach: a crop with no margin cuts every tall digit of a row) gets that line's index, still
    rejected, so that the line reads "?" there. Given the image's `shape` and the `settings` the candidates were found with,
    the specks (and `dots`, components too small to report) in a line's band, between or beside
    its digits, are first joined into shapes and judged again beside those digits (`_join_specks`):
    a small "0" after tall digits is read, a digit broken into specks is read or shown "?".
    """
    candidates = [c for c in candidates if c.reason != TWO_ROWS_REASON]  # found again (`_reaching`)
    lines = _without_pieces(group_lines([c for c in candidates if c.accepted]))
    # each line's top, bottom, left, right, digit height (its members' median height) and pitch
    spans = [(min(c.box[1] for c in ln), max(c.box[1] + c.box[3] for c in ln), min(c.box[0] for c in ln),
              max(c.box[0] + c.box[2] for c in ln), float(median([c.box[3] for c in ln])), _pitch(ln)) for ln in lines]
    if shape is not None and settings is not None:
        candidates = _join_specks(candidates, lines, spans, shape, settings, dots)
    in_line = []  # (rejected candidate, the line it stands in)
    waiting = [c for c in candidates if not c.accepted and c.reason in IN_ROW_REASONS]
    placed_one = True
    while placed_one:  # one standing beside a line's end brings the next one within its reach
        placed_one = False
        for cand in list(waiting):
            x, y, w, h = cand.box
            bands = [k for k, span in enumerate(spans) if _in_band(cand.box, span[0], span[1])]
            if not bands:
                continue
            # the line whose digits beside it are most level with it: on a dense page the bands of
            # neighbouring rows overlap (tails), and the first of them took the next row's digit
            k = min(bands, key=lambda b: _off_level(cand.box, lines[b], spans[b]))
            members, (top, bottom, left, right, row_height, pitch) = lines[k], spans[k]
            around = [c for c in members if x <= c.box[0] + c.box[2] / 2 <= x + w]
            # a shape the frame's edge cut may be the next digit of a row that goes on beyond it:
            # beside the row within the reach that links a digit to a line (textlines.REACH)
            reach = max(pitch, REACH * row_height) if cand.reason == "cut by border" else pitch
            beside = _beside(cand.box, left, right, reach) if cand.reason in BESIDE_REASONS else None
            if (h >= (CUT_IN_ROW if cand.reason == "cut by border" else IN_ROW) * row_height
                    and (cand.reason not in FRAME_SIZED or h <= CUT_TALL * row_height
                         or cand.reason == "cut by border" and h <= CUT_TALLER * row_height and w >= CUT_WIDE * row_height
                         or _holds_digit(cand, around, top, bottom, row_height))
                    and (left < x + w / 2 < right if beside is None else beside)
                    and not (around and _only_lines(cand, around, row_height))):
                in_line.append((cand, members))
                waiting.remove(cand)
                if beside is not None and not left < x + w / 2 < right:
                    spans[k] = (top, bottom, min(left, x), max(right, x + w), row_height, pitch)
                    placed_one = True
    in_line += _reaching(lines, spans)
    standing = {id(members): [cand for cand, line in in_line if line is members] for members in lines}
    ordered = []
    for index, members in enumerate(sorted(lines, key=lambda ln: min(c.box[1] for c in ln))):
        for cand in sorted(members + standing[id(members)], key=lambda c: c.box[0]):
            cand.line = index
            ordered.append(cand)
    placed = {id(c) for c in ordered}
    return ordered + [c for c in candidates if id(c) not in placed]


def _without_pieces(lines: list[list[Candidate]]) -> list[list[Candidate]]:
    """`lines` without their members under SPECK_OF_ROW of their line's digit height (the median
    height of its members, px), each now rejected a PIECE: a piece that a pen's gap or the photo
    broke off a digit, read on its own as a short "1" at 0.99, is no digit of the row (a "1"'s
    foot 20 px high in a row 88 px high read "1173411" for 173411, a "9"'s faint tail "6017073"
    for 697073). Left out of the rows, it is read joined with the digit beside it, or makes that
    digit "?" when it is read unsure alone (realtime.rejoin). The image-relative speck height
    (FinderSettings.min_height_frac) let such pieces through; `reject` at the row's digit height
    is the same bound for specks joined beside a row (`_join_specks`)."""
    out = []
    for members in lines:
        floor = SPECK_OF_ROW * float(median([c.box[3] for c in members]))
        for cand in members:
            if cand.box[3] < floor:
                cand.reason = PIECE
        out.append([c for c in members if c.accepted])
    return out


def _join_specks(candidates: list[Candidate], lines: list[list[Candidate]],
                 spans: list[tuple[int, int, int, int, float, float]], shape: tuple[int, int],
                 settings: FinderSettings, dots: Dots | None) -> list[Candidate]:
    """`candidates` with the specks (and "too wide" shapes: a digit's piece, once it broke, may
    be wider than high; and the PIECEs `_without_pieces` took out of the rows) in each line's band (`lines`, with their `spans` as
    reading_order measures them) joined into shapes (JOIN_GAP; GAP_JOIN_IN_ROW for several pieces
    in a gap between two of the line's digits, joined there first) and judged again beside the line's
    digits: a shape within the line's pitch of its ends, or between them, that passes `reject` at
    the line's digit height is added to the line's members; one that does not is "broken"
    (several pieces) or "too small" (one piece under the pixel minimum), for reading_order to
    place in the line. Each shape judged widens the line's span in `spans` (a row whose digits
    all broke is found from the one that did not). Pieces stay what they were when their union is
    under SPECK_OF_ROW of the line's height or wider than a digit, or several pieces hold under
    JOINED_INK of a square of that height (a scatter of noise). `dots` (components too small to
    report) join too, and only in a joined shape are they returned. The joined shapes replace
    their pieces in the list."""
    pieces: list[Candidate | None] = [c for c in candidates if c.reason in ("speck", "too wide", PIECE)]
    boxes = [c.box for c in pieces]
    if dots is not None:
        pieces += [None] * len(dots.boxes)
        boxes += dots.boxes
    if not boxes or not lines:
        return candidates
    x, y, w, h = np.array(boxes, np.int32).reshape(-1, 4).T
    cx, cy = x + w / 2, y + h / 2
    free = np.ones(len(boxes), bool)  # not yet part of a shape
    joined: dict[int, Candidate] = {}  # id of a speck -> the shape it became part of
    shapes: list[Candidate] = []  # judged shapes that are no line's member

    def judged(box: tuple[int, int, int, int], cluster: list[int], members: list[Candidate], row_height: float,
               remains: bool = False) -> bool:
        """Whether the shape of `cluster`'s pieces was judged beside the line: a digit of it, or
        a rejection that reading_order may stand in it (dust, a dotted rule, a scatter are not).
        A shape under SPECK_OF_ROW of the row high is dust, and is judged by `reject` above it;
        a digit's `remains` (pieces joined however far apart) are dust under IN_ROW of the row
        high, and "broken" above it, never read."""
        if box[3] < (IN_ROW if remains else SPECK_OF_ROW) * row_height or box[2] > 1.5 * row_height:
            return False  # dust, or a dotted rule
        if len(cluster) == 1 and pieces[cluster[0]] is not None:
            shape_ = pieces[cluster[0]]  # one speck, judged again as it is
        else:
            masks = [(boxes[i], dots.mask(boxes[i]) if pieces[i] is None else pieces[i].mask) for i in cluster]
            shape_ = Candidate(box=box, mask=joined_mask(masks, box), split=len(cluster) > 1)
        ink = int(np.count_nonzero(shape_.mask))
        if len(cluster) > 1 and ink < JOINED_INK * row_height ** 2:
            return False
        shape_.reason = "broken" if remains else reject(box, ink, shape, settings, row_height)
        if shape_.accepted:
            members.append(shape_)
        else:
            if shape_.reason == "speck":
                shape_.reason = "too small" if len(cluster) == 1 else "broken"
            shapes.append(shape_)
        free[cluster] = False
        for i in cluster:
            if pieces[i] is not None:
                joined[id(pieces[i])] = shape_
        return True

    for k, (members, (top, bottom, left, right, row_height, pitch)) in enumerate(zip(lines, spans)):
        near = free & (np.minimum(bottom, y + h) - np.maximum(top, y) >= 0.5 * np.minimum(h, bottom - top))
        for m in members:  # a piece whose centre is in a digit's box belongs to that digit
            mx, my, mw, mh = m.box
            near &= ~((cx >= mx) & (cx <= mx + mw) & (cy >= my) & (cy <= my + mh))
        # between two of the line's digits first, where a digit may have lost its middle: pieces
        # within GAP_JOIN_IN_ROW are read joined; the rest of the gap's pieces, joined however far
        # apart, are a digit's remains when they reach IN_ROW of the row high: "?" in the row
        ends = sorted((m.box[0], m.box[0] + m.box[2]) for m in members)
        for (_, a_right), (b_left, _) in zip(ends, ends[1:]):
            if b_left - a_right < IN_ROW * row_height:
                continue  # no room for a digit: a printed box's edges between boxes, a tail between two digits
            between = near & (cx > a_right) & (cx < b_left)
            for box, cluster in _clusters([(boxes[i], i) for i in np.flatnonzero(between)], GAP_JOIN_IN_ROW * row_height):
                if len(cluster) > 1:
                    judged(box, cluster, members, row_height)
            rest = [int(i) for i in np.flatnonzero(between & free)]
            if len(rest) > 1:
                judged(union([boxes[i] for i in rest]), rest, members, row_height, remains=True)
        clusters = _clusters([(boxes[i], i) for i in np.flatnonzero(near & free)], JOIN_GAP * row_height)
        grown = True
        while grown:  # a shape judged beside the line brings the next one within reach
            grown = False
            for box, cluster in list(clusters):
                if not _beside(box, left, right, pitch):
                    continue
                clusters.remove((box, cluster))
                if judged(box, cluster, members, row_height):
                    left, right, grown = min(left, box[0]), max(right, box[0] + box[2]), True
        spans[k] = (top, bottom, left, right, row_height, pitch)
    return [c for c in candidates if id(c) not in joined] + shapes


def _reaching(lines: list[list[Candidate]], spans: list[tuple[int, int, int, int, float, float]]
              ) -> list[tuple[Candidate, list[Candidate]]]:
    """Where a digit of a line reaches down or up over the whole height of another line's digits
    (uncut two rows of a dense page that touch: the group stands in the line of its top or of its
    bottom, and the other line would read as a number without the digit it holds), a "?" for that
    line: a rejected candidate ("two rows") on the part of the group level with that line's digits
    next to it, paired with the line. A group TWO_ROWS of its line's digit height high, and a line
    whose nearest two digits' middle lies half a digit height inside the group's box, the group
    within the line's pitch of its ends."""
    out = []
    for members, span in zip(lines, spans):
        for cand in members:
            x, y, w, h = cand.box
            if h < TWO_ROWS * span[4]:
                continue
            for other, (_, _, left, right, row_height, pitch) in zip(lines, spans):
                if other is members or not _beside(cand.box, left, right, pitch):
                    continue
                near = sorted(other, key=lambda c: abs(c.box[0] + c.box[2] / 2 - (x + w / 2)))[:2]
                middle = sum(c.box[1] + min(c.box[3], row_height) / 2 for c in near) / len(near)
                if y + row_height / 2 <= middle <= y + h - row_height / 2:
                    top = round(middle - row_height / 2)
                    m = MASK_MARGIN
                    out.append((Candidate((x, top, w, round(row_height)),
                                          cand.mask[top - y : top - y + round(row_height) + 2 * m].copy(),
                                          reason=TWO_ROWS_REASON), other))
    return out


#: Why a candidate stands in a line for the part of a group of two rows level with it (`_reaching`).
TWO_ROWS_REASON = "two rows"


def _off_level(box: tuple[int, int, int, int], members: list[Candidate],
               span: tuple[int, int, int, int, float, float]) -> float:
    """How far `box`'s middle lies above or below the digits of a line (`members`, with its `span`
    as reading_order measures it) nearest it in x, px: from the mean middle of the two nearest
    digits' bodies (each its box cut to the line's digit height from its top, a tail left out)."""
    x, y, w, h = box
    row_height = span[4]
    near = sorted(members, key=lambda c: abs(c.box[0] + c.box[2] / 2 - (x + w / 2)))[:2]
    middles = [c.box[1] + min(c.box[3], row_height) / 2 for c in near]
    return abs(y + h / 2 - sum(middles) / len(middles))


def _beside(box: tuple[int, int, int, int], left: float, right: float, reach: float) -> bool:
    """Whether `box` reaches into the span from `left` to `right` widened by `reach` on each side."""
    return box[0] <= right + reach and box[0] + box[2] >= left - reach


def _pitch(line: list[Candidate]) -> float:
    """How far apart a line's digits stand: the median step between their centres in x, at least
    their median height (one digit: its height). Beside the line means within this of its ends."""
    height = float(median([c.box[3] for c in line]))
    centres = sorted(c.box[0] + c.box[2] / 2 for c in line)
    steps = [b - a for a, b in zip(centres, centres[1:])]
    return max(height, float(median(steps))) if steps else height


def _in_band(box: tuple[int, int, int, int], top: int, bottom: int) -> bool:
    """Whether `box` lies in the band from `top` to `bottom`: half of it, or of the band, inside."""
    return min(bottom, box[1] + box[3]) - max(top, box[1]) >= 0.5 * min(box[3], bottom - top)


def _clusters(pieces: list[tuple[tuple[int, int, int, int], int]], gap: float
              ) -> list[tuple[tuple[int, int, int, int], list[int]]]:
    """`pieces` (box, index) grouped, each group as its box and its pieces' indices: a piece at
    most `gap` px (in x and in y) from a group's box joins it, and a group whose box comes within
    `gap` of another's joins that one. One sweep in x: a group whose box ends more than `gap`
    left of the next piece is done."""
    done: list[tuple[tuple[int, int, int, int], list[int]]] = []
    open_: list[tuple[tuple[int, int, int, int], list[int]]] = []
    for piece_box, index in sorted(pieces):
        done += [g for g in open_ if g[0][0] + g[0][2] < piece_box[0] - gap]
        open_ = [g for g in open_ if g[0][0] + g[0][2] >= piece_box[0] - gap]
        box, members = piece_box, [index]
        near = [g for g in open_ if box_gap(box, g[0]) <= gap]
        while near:
            open_ = [g for g in open_ if all(g is not n for n in near)]
            members += [i for g in near for i in g[1]]
            box = union([box, *(g[0] for g in near)])
            near = [g for g in open_ if box_gap(box, g[0]) <= gap]
        open_.append((box, members))
    return done + open_


def box_gap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """The larger of the x and y gaps between two boxes (0 or less when they touch or overlap)."""
    return max(max(a[0], b[0]) - min(a[0] + a[2], b[0] + b[2]), max(a[1], b[1]) - min(a[1] + a[3], b[1] + b[3]))


def joined_mask(masks: list[tuple[tuple[int, int, int, int], np.ndarray]], box: tuple[int, int, int, int]) -> np.ndarray:
    """One mask for `box` (with its MASK_MARGIN border) of the pieces' masks, each (its box, its
    mask with that border) placed where its box lies."""
    m = MASK_MARGIN
    mask = np.zeros((box[3] + 2 * m, box[2] + 2 * m), np.uint8)
    for (px, py, _, _), piece in masks:
        x, y = px - box[0], py - box[1]
        ph, pw = piece.shape
        np.maximum(mask[y : y + ph, x : x + pw], piece, out=mask[y : y + ph, x : x + pw])
    return mask
