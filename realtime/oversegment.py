"""Touching digits in camera rows: over-segmentation, then the grouping the classifier reads best.

Two neighbouring digits whose strokes touch are one connected component, which the finder
(realtime/segment.py) hands on as one candidate and the model reads as one digit, often
confidently wrong. The camera has no strokes to split it by (draw mode has: realtime/strokes.py),
only ink, so this is segmentation by recognition as OCR engines do it for touching characters
(R. G. Casey and E. Lecolinet, "A survey of methods and strategies in character segmentation",
IEEE PAMI 18(7), 1996, "dissection with recognition"; Tesseract's chopper and segmentation search,
R. Smith, "An overview of the Tesseract OCR engine", ICDAR 2007):

1. Over-segmentation: a candidate clearly wider than one digit of its height or of its row, or
   read unsure, is
   cut along the top-to-bottom paths that cross the least ink, one ending at each column, found by
   dynamic programming (the shortest-path cuts of touching characters: J. Wang and J. Jean,
   "Segmentation of merged characters by neural networks and shortest path", Pattern Recognition
   27(5), 1994; the same recurrence as seam carving) - the path may step sideways, so it follows a
   slanted join as the drop-fall cutters do (G. Congedo et al., "Segmentation of numeric strings",
   ICDAR 1995); run from the top and from the bottom, as they fan out differently where digits
   lean. The cheapest paths, a piece's width apart and crossing at most a few pen strokes,
   are the cut candidates: generously many, since a wrong cut costs nothing but a hypothesis.
2. Recognition: every run of neighbouring pieces that may be one digit goes through the one
   preprocessing (to_mnist) and the one classifier, all candidates of the frame in ONE batch.
3. The grouping is the best path through that lattice (realtime/viterbi.py), each group scored as
   in the canvas's stroke lattice:

       max(log P(best digit) - shape prior, log P(not a digit) - Costs.none) - Costs.digit

   (the shape prior: wider than Costs.wide or lower than Costs.low of the candidate's height)
   less Costs.cut for each pen stroke the cut before it crossed. The whole candidate, read by the
   frame's first batch, is one of the paths, so it stays whole when it reads best whole. A digit
   on the chosen path is named only when no other reading of its ink as digits comes within
   Costs.margin (`choose`): never confidently wrong where the cut is a toss-up.

Ordinary frames pay nothing: only candidates that need it are cut (`needs_cutting`), after the
frame's first batch has read them whole. A candidate the finder turned down as "too wide" (a chain
of touching digits) that reads as no digits stays turned down, so its row keeps a "?" and no number.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from statistics import median  # lists of a few numbers: far cheaper than numpy's

import cv2
import numpy as np

from realtime.preprocess import stroke_width, to_mnist
from realtime.reading import DigitResult, Predictor, decide
from realtime.segment import MASK_MARGIN, Candidate, reading_order
from realtime.tracking import iou
from realtime.viterbi import best_path
from realtime.whole_memory import WholeMemory

#: A candidate more than this many of its heights wide may hold two digits whatever it reads
#: (single digits on the rendered pages: 95% are at most 1.03 of their height wide, 99% 1.37).
WIDE = 1.2
#: A candidate more than this many of its heights wide that is not named (unsure, not a digit) may
#: hold two narrower digits ("11", "14"). (Also cutting all those named under 0.9 cut a 10-digit
#: frame's MNIST "5" read at 0.88, and a lone ballpoint "8" read at 0.69 to "?": UNSURE_ROW_WIDE.)
UNSURE_WIDE = 0.6
#: A candidate more than this many of its ROW's digit heights wide may hold two digits whatever it
#: reads and however high it is itself: touching digits that overlap, or one shorter than its
#: neighbour ("97" read as a fluent "9"), make a shape less wide for its own height than WIDE.
ROW_WIDE = 1.0
#: A whole read at least this sure stays named, however well a cut of it reads; one named less
#: sure and wider than UNSURE_ROW_WIDE of its row's digit height may hold two digits ("14" read as
#: a "4" at 0.90, 0.95 of its row wide; a lone ballpoint "8" read at 0.69 is 0.75 of it).
SURE = 0.9
UNSURE_ROW_WIDE = 0.85
#: How wide each digit is at most, for its height (the 95th percentile of the ink's box in the
#: MNIST training set, by class): a candidate read as a digit wider than its class's is more
#: likely two digits touching ("11" read as one "1" leaning, "17" as a "7") than that digit.
CLASS_WIDE = (1.25, 0.8, 1.43, 1.11, 1.11, 1.43, 1.0, 1.11, 1.11, 0.9)
_CLASS_WIDE = np.array(CLASS_WIDE)
#: A candidate of a line lower than this share of the line's tallest other candidate is a piece of
#: a broken digit (a "4"'s detached stroke, a "5"'s bar), not a measure of the line's digit height.
PIECE_LOW = 0.5
#: A candidate lower than this share of its row's digit height is a dash, a smudge or a rule, and
#: one higher than MAX_TALL holds digits one over another (a tail reaching the next line): neither
#: is a chain of touching digits side by side.
MIN_CHAIN, MAX_TALL = 0.6, 1.4
#: Ink along this share of a candidate's top or bottom edge is a printed line; along this share
#: of its left or right edge, beside ink at most SIDE_REST as high, a box's side (_framed).
FRAMED, SIDE, SIDE_REST = 0.6, 0.9, 0.85
#: A chain of touching digits wider than this many of its heights is not cut (a word, a scribble):
#: the lattice's cost grows with it.
MAX_WIDE = 8.0
#: No piece narrower than this many heights is cut off (a "1" is about 0.15-0.35 wide).
MIN_PIECE = 0.12
#: Two cuts tried run on average at least this share of MIN_PIECE apart: cuts a little apart read
#: differently where the digits overlap (a 9's stem under an 8's loop), and the classifier chooses
#: (1.0 -> 0.75 with MAX_PIECES 4 -> 6: whole touching rows 42.7 -> 55.6% on seeds 7, 13, 17, 19).
SPREAD = 0.75
#: A cut crosses at most this many pen strokes: digits that overlap (a "9"'s tail under an "8",
#: a "6" inside a "9"'s curve) are parted only by a cut through both digits' strokes and the
#: tail, three strokes (2.5 -> 3.5: seeds 7, 11, 13 whole touching rows 64 -> 67 of 99, recall
#: 92.6 -> 94.1%; 4.5 reads the same, 3.0 gains half of it).
MAX_CUT_STROKES = 3.5
#: The cost of one sideways step of a cut, in ink pixels crossed: cuts run as straight as they can
#: (0.15 -> 0.5: whole touching rows 51.6 -> 55.6%, confidently wrong 4 -> 3 on seeds 7, 13, 17,
#: 19; a cut that wanders follows the inside of a loop and leaves both pieces misread).
SIDE_STEP = 0.5
#: A group of pieces wider than this many heights is never one digit (the whole stays a path).
MAX_GROUP = 1.6
#: About one cut per this many heights of width is tried, the cheapest first.
CUT_SPACING = 0.2
#: At most this many pieces make one digit: with a cut about every CUT_SPACING heights, a digit
#: up to MAX_GROUP heights wide (a wide "0" is 1.5) spans up to 8 of them, 2 more where cuts
#: bunch (6 -> 10: seeds 7, 11, 13 whole touching rows 62 -> 64 of 99, recall 91.8 -> 92.1%).
MAX_PIECES = 10
#: A group of pieces, or a whole that was examined, is named only when the model gives its digit
#: at least this probability (the rest may be "not a digit"): a group the model half turns down is
#: more likely a cut gone astray, or two digits, than a digit, however its ten digit
#: probabilities share out (confidently wrong on seeds 7, 13, 17, 19: 6 -> 4, whole rows unchanged).
PIECE_SURE = 0.5
#: A candidate read "1" whose ink lies within this many stroke widths of one straight line (the
#: short side of its minimum-area rectangle) is one pen stroke, never touching digits: two strokes
#: side by side take at least three (stroke, gap, stroke). Leaning "1"s as wide as they are high
#: measure 1.2-2.1 on seed-7 pages and the rendered clips, touching pairs 3.9 and more; cut, a
#: leaning "1"'s foot and the rest both read "1" and outread the whole, which was left "?".
ONE_STROKE = 2.5
#: Why a digit read by a group of pieces (or whole) is not named: another cut reads nearly as well.
UNSURE = "low confidence"
#: Log-probability floor: a zero probability is a large but finite cost.
FLOOR = 1e-6


@dataclass(frozen=True)
class Costs:
    """The lattice's priors, in log units; chosen on rendered touching pages of seeds 7, 13, 17
    and 19 (scripts/make_test_pages.py), checked on seed 5."""

    #: Each digit on the path: one digit must read e^digit times worse than two before it is split.
    digit: float = 0.25
    #: Width prior: beyond `wide` of the candidate's height, each further height of width costs `wide_cost`.
    wide: float = 1.0
    wide_cost: float = 3.0
    #: Height prior: below `low` of the candidate's height, each further height less costs `low_cost`
    #: (a stroke's end, a bit of grain: digits of one row are about as high as one another).
    low: float = 0.6
    low_cost: float = 6.0
    #: A group read as no digit scores its "not a digit" probability less this.
    none: float = 4.0
    #: Each pen stroke a cut crosses.
    cut: float = 0.25
    #: A group is named only when the best segmentation without it scores at least this much less:
    #: a close rival reading of the same ink is "?", never a confident guess.
    margin: float = 0.25


Box = tuple[int, int, int, int]


def needs_cutting(cand: Candidate, result: DigitResult, candidates: list[Candidate]) -> bool:
    """Whether `cand` (one of the frame's `candidates`, read whole as `result`) may be touching
    digits: clearly wider than one digit of its height (WIDE), or wider than UNSURE_WIDE and not
    named a digit, or wider than its digit's CLASS_WIDE, or wider than UNSURE_ROW_WIDE of its
    row's digit height and named under SURE, or wider than ROW_WIDE of it however it reads (a pair
    the model reads fluently as one digit), or turned down by the finder as "too wide" (a chain of them); no wider
    than MAX_WIDE; between MIN_CHAIN and MAX_TALL of its row's digit height high (digits one over
    another, a tail reaching the next line, are not side by side); not framed; and not a "1" of
    one straight stroke (`one_stroke`: a leaning "1" as wide as it is high). The cheap
    tests come first: most frames have no candidate that needs cutting."""
    _, _, w, h = cand.box
    if w > MAX_WIDE * h:
        return False
    row: float | None = None
    if cand.reason != "too wide":
        if not cand.accepted or result.probs is None:
            return False
        named = result.digit is not None
        if not (w > WIDE * h or (w > UNSURE_WIDE * h and not named) or (named and w > CLASS_WIDE[result.digit] * h)):
            # named less than SURE, UNSURE_ROW_WIDE of its row wide; or ROW_WIDE of it, however sure
            wide = UNSURE_ROW_WIDE if named and result.confidence < SURE else ROW_WIDE
            if w <= wide / MAX_TALL * h:  # never wider than `wide` of a row it is at most MAX_TALL of
                return False
            row = row_height(cand, candidates)
            if not (row and w > wide * row):
                return False
    row = row_height(cand, candidates) if row is None else row
    return ((not row or MIN_CHAIN * row <= h <= MAX_TALL * row) and not _framed(cand.mask)
            and not (result.digit == 1 and one_stroke(cand.mask)))


def one_stroke(mask: np.ndarray) -> bool:
    """Whether a candidate's ink (uint8 0/255 or bool, H x W) is one straight pen stroke: the
    short side of its minimum-area rectangle (cv2.minAreaRect, any angle) at most ONE_STROKE
    stroke widths (realtime.preprocess.stroke_width, 2 * area / perimeter)."""
    ink = (mask > 0).astype(np.uint8)
    points = cv2.findNonZero(ink)
    if points is None:
        return False
    _, sides, _ = cv2.minAreaRect(points)
    return min(sides) <= ONE_STROKE * stroke_width(ink)


def row_height(cand: Candidate, candidates: list[Candidate]) -> float:
    """The digit height of `cand`'s row, px: the median height of the other accepted candidates of
    its line when there are two or more, not counting those under PIECE_LOW of the tallest of
    them (pieces of a broken digit: a "4"'s detached stroke 28 px high beside a pair 64 px high
    made the median 46 px, and the "98" beside them, 65 px, too tall for that row to be cut), or
    else of all accepted `candidates` (0.0: none)."""
    mates = [c.box[3] for c in candidates if c.accepted and c is not cand and c.line == cand.line] if cand.line >= 0 else []
    mates = [h for h in mates if h >= PIECE_LOW * max(mates)] if mates else mates
    if len(mates) < 2:
        mates = [c.box[3] for c in candidates if c.accepted]
    return float(median(mates)) if mates else 0.0


def _framed(mask: np.ndarray) -> bool:
    """Whether a candidate's ink (uint8 with a MASK_MARGIN border) holds part of a printed box or
    rule, to be left to the line removal (realtime/lines.py), not cut as touching digits: ink
    along its top or bottom edge for most (FRAMED) of its width (digits touching one another meet
    the top and bottom with a few strokes' ends), or a straight side (the outermost ink of nearly
    all rows, SIDE, on one line, upright or leaning) beside ink that is clearly lower (at most SIDE_REST of it: a
    box's side is taller than the digit in the box; a "1" is about as tall as its neighbour)."""
    m = MASK_MARGIN
    ink = mask[m:-m, m:-m] > 0
    height, width = ink.shape
    band = max(2, height // 25)
    if max(ink[:band].any(axis=0).mean(), ink[-band:].any(axis=0).mean()) >= FRAMED:
        return True
    side = max(3, int(round(2 * stroke_width(ink))))
    rows = np.flatnonzero(ink.any(axis=1))
    columns = np.arange(width)[None, :]
    for flipped in (ink, ink[:, ::-1]):  # the left side, then the right one
        first = flipped[rows].argmax(axis=1)  # the outermost ink of each row
        slope, offset = _fit_line(rows, first)
        along = np.abs(first - (slope * rows + offset)) <= 2  # rows whose outermost ink is on one straight line
        beyond = flipped & (columns > (slope * np.arange(height) + offset)[:, None] + side)
        rest = np.flatnonzero(beyond.any(axis=1))
        if along.sum() >= SIDE * height and rest.size and rest[-1] - rest[0] + 1 <= SIDE_REST * height:
            return True
    return False


def _fit_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares (slope, offset) of y = slope * x + offset over 1-D arrays of one length: what
    np.polyfit(x, y, 1) returns, in closed form (polyfit's lstsq costs ten times as much, and a
    wide candidate pays it every frame). A single x gives slope 0."""
    x_mean, y_mean = float(x.mean()), float(y.mean())
    dx = x - x_mean
    spread = float(dx @ dx)
    slope = float(dx @ (y - y_mean)) / spread if spread > 0 else 0.0
    return slope, y_mean - slope * x_mean


def seams(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every top-to-bottom path of least ink through `ink` (bool, H x W), one ending at each column.

    A path moves one row down and at most one column sideways per step; each ink pixel it crosses
    costs 1, each sideways step SIDE_STEP. Returns the paths' costs ((W,) float64) and the paths
    as the column in each row ((W, H) int64).
    """
    height, width = ink.shape
    weights = ink.astype(np.float64)
    cost = weights[0].copy()
    moves = np.zeros((height, width), np.int8)
    # one buffer for the three ways into each column, filled in place row by row (allocating
    # three arrays a row cost as much as the arithmetic)
    ways = np.full((3, width), np.inf)
    for y in range(1, height):
        np.add(cost[:-1], SIDE_STEP, out=ways[0, 1:])
        ways[1] = cost
        np.add(cost[1:], SIDE_STEP, out=ways[2, :-1])
        choice = ways.argmin(axis=0)
        moves[y] = choice - 1
        np.add(ways.min(axis=0), weights[y], out=cost)
    paths = np.empty((width, height), np.int64)
    x = np.arange(width)
    for y in range(height - 1, -1, -1):
        paths[:, y] = x
        x = x + moves[y, x]
    return cost, paths


def cut_paths(ink: np.ndarray, height: float) -> tuple[list[np.ndarray], list[float]]:
    """Where to cut `ink` (bool, H x W: one candidate's ink): the least-ink paths (seams) run from
    the top and from the bottom (they fan out differently where digits lean), at least MIN_PIECE
    heights from the ends and, on average, from each other, crossing at most MAX_CUT_STROKES pen
    strokes, the cheapest first, up to one per CUT_SPACING heights of width. Returns the paths
    left to right (the column in each row) and the pen strokes each crosses."""
    _, width = ink.shape
    down_cost, down = seams(ink)
    up_cost, up = seams(ink[::-1])
    cost = np.concatenate([down_cost, up_cost])
    paths = np.concatenate([down, up[:, ::-1]])
    margin = max(1, int(round(MIN_PIECE * height)))
    pen = max(stroke_width(ink), 1.0)
    inside = (paths.min(axis=1) >= margin) & (paths.max(axis=1) < width - margin)
    ends = np.flatnonzero(inside & (cost <= MAX_CUT_STROKES * pen))
    wanted = max(2, int(round(width / (CUT_SPACING * height))))
    chosen: list[int] = []
    for c in ends[np.lexsort((ends, cost[ends]))]:
        if all(np.abs(paths[c] - paths[other]).mean() >= SPREAD * margin for other in chosen):
            chosen.append(int(c))
            if len(chosen) == wanted:
                break
    chosen.sort(key=lambda c: paths[c].mean())
    return [paths[c] for c in chosen], [float(cost[c]) / pen for c in chosen]


def _piece(ink: np.ndarray, left: np.ndarray, right: np.ndarray, origin: tuple[int, int]) -> Candidate | None:
    """The ink of `ink` between the paths `left` and `right` (columns per row; right exclusive) as a
    Candidate in image coordinates (`origin`: where `ink`'s corner lies), or None when it holds none."""
    columns = np.arange(ink.shape[1])[None, :]
    part = ink & (columns >= left[:, None]) & (columns < right[:, None])
    ys, xs = np.nonzero(part)
    if ys.size == 0:
        return None
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    m = MASK_MARGIN
    mask = np.zeros((y1 - y0 + 2 * m, x1 - x0 + 2 * m), np.uint8)
    mask[m:-m, m:-m] = part[y0:y1, x0:x1] * np.uint8(255)
    return Candidate((origin[0] + int(x0), origin[1] + int(y0), int(x1 - x0), int(y1 - y0)), mask)


@dataclass
class _Arc:
    """Pieces first..last-1 as one group: its ink, its 28x28 input and what the model read."""

    first: int
    last: int
    group: Candidate
    image: np.ndarray | None
    probs: np.ndarray | None = None


@dataclass
class _Lattice:
    """One candidate cut into `count` pieces, its groups of pieces as arcs."""

    index: int  # of the candidate, in the frame's list
    count: int
    cuts: list[float]  # pen strokes crossed by the cut before piece k (cuts[0] = 0: the candidate's edge)
    arcs: list[_Arc]


def _lattice(index: int, cand: Candidate, result: DigitResult) -> _Lattice | None:
    """The lattice of one candidate, its groups' crops made (the whole one read already, when the
    finder accepted it), or None when it has no cut."""
    m = MASK_MARGIN
    ink = cand.mask[m:-m, m:-m] > 0
    height = cand.box[3]
    paths, crossed = cut_paths(ink, height)
    if not paths:
        return None
    rows = ink.shape[0]
    bounds = [np.zeros(rows, np.int64), *paths, np.full(rows, ink.shape[1], np.int64)]
    count = len(bounds) - 1
    lattice = _Lattice(index, count, [0.0, *crossed], [])
    if result.probs is not None:  # read whole by the frame's batch
        lattice.arcs.append(_Arc(0, count, cand, result.image, result.probs))
    for i in range(count):
        for j in range(i + 1, min(count, i + MAX_PIECES) + 1):
            if (i, j) == (0, count):
                continue
            group = _piece(ink, bounds[i], bounds[j], cand.box[:2])
            if group is None:
                continue
            if group.box[2] > MAX_GROUP * height:
                break
            image = to_mnist(group.mask)
            if image is not None:
                lattice.arcs.append(_Arc(i, j, group, image))
    return lattice


def _options(probs: np.ndarray, box: Box, height: float, costs: Costs) -> tuple[float, float, int]:
    """A group's two log scores and its digit: as the digit that scores best less the shape prior
    (wider than Costs.wide, or than that digit's CLASS_WIDE, of the candidate's `height`; lower
    than Costs.low of it), and as no digit (its "not a digit" probability less Costs.none)."""
    _, _, w, h = box
    wide = np.maximum(0.0, w / height - np.minimum(costs.wide, _CLASS_WIDE))
    digits = np.log(np.maximum(probs, FLOOR)) - costs.wide_cost * wide
    best = int(digits.argmax())
    digit = float(digits[best]) - costs.low_cost * max(0.0, costs.low - h / height)
    return digit, float(np.log(max(1.0 - float(probs.sum()), FLOOR))) - costs.none, best


def _score(probs: np.ndarray, box: Box, height: float, costs: Costs) -> float:
    """One group's log score: the better of its two readings (_options), less Costs.digit."""
    digit, other, _ = _options(probs, box, height, costs)
    return max(digit, other) - costs.digit


def _label(arc: _Arc, height: float, costs: Costs) -> int:
    """What a group is read as on a path: its best digit, or -1 when "not a digit" scores higher."""
    digit, other, best = _options(arc.probs, arc.group.box, height, costs)
    return best if digit >= other else -1


def _recalled(memory: WholeMemory, result: DigitResult) -> bool:
    """Whether `memory` holds a verdict for `result` (a candidate read whole): then it is applied
    (the "?" of a whole a cut reads nearly as well) and the candidate is not cut again."""
    unsure = memory.recall(result.box, result.digit)
    if unsure is None:
        return False
    if unsure:
        result.doubt(UNSURE)
    return True


def choose(lattice: _Lattice, height: float, costs: Costs = Costs()) -> list[tuple[_Arc, bool, bool]]:
    """The arcs on the best path through `lattice` (every arc read), left to right, each with
    whether it is sure and whether it is outread (_outread: the model reads its ink better as
    several digits). Sure: not outread, and the best reading of the candidate as other digits (a
    path of groups read as digits, none of them this digit over mostly the same ink: the same
    digit cut a little differently) scores at least Costs.margin less. Empty when no path covers every piece (a piece with no ink to_mnist can use makes no arc)."""
    scores = [_score(a.probs, a.group.box, height, costs) - costs.cut * lattice.cuts[a.first] for a in lattice.arcs]
    arcs = [(a.first, a.last, score) for a, score in zip(lattice.arcs, scores)]
    try:
        path = best_path(lattice.count, arcs)
    except ValueError:
        return []
    total = sum(scores[k] for k in path)
    labels = [_label(a, height, costs) for a in lattice.arcs]
    # what the model alone says of each group read as a digit, its priors left out
    read = [float(np.log(max(float(a.probs.max()), FLOOR))) if label >= 0 else -np.inf
            for a, label in zip(lattice.arcs, labels)]
    out = []
    for k in path:
        chosen = lattice.arcs[k]
        rivals = [(i, j, -np.inf if labels[n] == -1 or labels[n] == labels[k] and iou(lattice.arcs[n].group.box, chosen.group.box) >= 0.5
                   else score) for n, (i, j, score) in enumerate(arcs)]
        try:
            rival = sum(scores[n] for n in best_path(lattice.count, rivals))
        except ValueError:
            rival = -np.inf
        outread = _outread(lattice, k, read)
        out.append((chosen, total - rival >= costs.margin and not outread, outread))
    return out


def _outread(lattice: _Lattice, k: int, read: list[float]) -> bool:
    """Whether the model reads the ink of arc `k` better as two or more digits than as the one it
    is: some path of narrower groups read as digits over the same pieces whose probabilities
    multiply to more, the priors against cutting left out (a "11" read as one leaning "1" at 0.92
    whose halves read "1" and "1" at 0.98 and 0.95; `read`: each arc's log probability as a digit,
    -inf for one read as no digit)."""
    first, last = lattice.arcs[k].first, lattice.arcs[k].last
    inner = [(a.first - first, a.last - first, score) for n, (a, score) in enumerate(zip(lattice.arcs, read))
             if n != k and first <= a.first and a.last <= last and score > -np.inf]
    try:
        return sum(inner[n][2] for n in best_path(last - first, inner)) > read[k]
    except ValueError:
        return False


def resegment(
    candidates: list[Candidate], results: list[DigitResult], model: Predictor, costs: Costs = Costs(),
    memory: WholeMemory | None = None,
) -> tuple[list[DigitResult], float]:
    """Cut the candidates that may be touching digits and keep the grouping that reads best.

    `results` are `candidates` read whole (realtime.reading.read_candidates), one for one. Returns
    the results in reading order (lines found again when a candidate was cut) and the time spent
    on the extra batch, ms; the same list and 0.0 when no candidate needs cutting. Pieces are named
    by realtime.reading.decide, as everywhere. With a `memory` (a video's frames), a candidate
    the lattice read best whole in a recent frame keeps that verdict without being cut again.
    """
    todo = [k for k, (c, r) in enumerate(zip(candidates, results)) if needs_cutting(c, r, candidates)]
    if memory is not None:
        todo = [k for k in todo if not _recalled(memory, results[k])]
    if not todo:
        return results, 0.0
    lattices = []
    for k in todo:
        lattice = _lattice(k, candidates[k], results[k])
        if lattice is not None:
            lattices.append(lattice)
        elif memory is not None:
            memory.remember(results[k].box, results[k].digit, unsure=False)
    unread = [arc for lat in lattices for arc in lat.arcs if arc.probs is None]
    started = time.perf_counter()
    if unread:
        for arc, row in zip(unread, model.predict(np.stack([arc.image for arc in unread]))):
            arc.probs = row
    spent = (time.perf_counter() - started) * 1e3
    replaced: dict[int, list[tuple[_Arc, bool, bool]]] = {}
    for lattice in lattices:
        cand, result = candidates[lattice.index], results[lattice.index]
        path, whole = choose(lattice, cand.box[3], costs), result.digit
        # read whole: "?" where a cut reads nearly as well and the whole is not SURE, where the
        # model reads its pieces as digits better than the whole (however sure), or where it is
        # half "not a digit"
        unsure = len(path) == 1 and result.digit is not None and (
            not path[0][1] and result.confidence < SURE or path[0][2] or float(result.probs.max()) < PIECE_SURE)
        if unsure:
            result.doubt(UNSURE)
        if len(path) < 2 or not cand.accepted and any(_label(arc, cand.box[3], costs) < 0 for arc, _, _ in path):
            # Reads best whole (or could not be cut); or a "too wide" chain that does not read as
            # digits: it stays turned down.
            if memory is not None:
                memory.remember(result.box, whole, unsure)
            continue
        replaced[lattice.index] = path
    if not replaced:
        return results, spent
    out_cands, by_cand, named, rows, unsure = [], {}, [], [], []
    for k, (cand, result) in enumerate(zip(candidates, results)):
        if k not in replaced:
            out_cands.append(cand)
            by_cand[id(cand)] = result
            continue
        for arc, sure, _ in replaced[k]:
            piece_result = DigitResult(arc.group.box, -1, None, 0.0, None, arc.image)
            out_cands.append(arc.group)
            by_cand[id(arc.group)] = piece_result
            named.append(piece_result)
            rows.append(arc.probs)
            if not sure or float(arc.probs.max()) < PIECE_SURE:
                unsure.append(piece_result)
    decide(named, np.stack(rows), model)
    for piece_result in unsure:
        if piece_result.digit is not None:
            piece_result.doubt(UNSURE)
    ordered = reading_order(out_cands)
    for cand in ordered:  # a line's "?" for a group of two rows is found again with the lines
        if id(cand) not in by_cand:
            by_cand[id(cand)] = DigitResult(cand.box, -1, None, 0.0, None, None, cand.reason)
        by_cand[id(cand)].line = cand.line
    return [by_cand[id(c)] for c in ordered], spent
