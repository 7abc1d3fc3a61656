"""Segmentation of the canvas by recognition over its strokes: which strokes make each digit.

The camera sees ink; the canvas also knows how it was drawn. Two digits written close together
touch at the app's brush and make one connected component, which a component finder cannot split,
but they are still separate strokes. So draw mode segments as on-line handwriting recognisers do
(Tappert, Suen & Wakahara, "The state of the art in on-line handwriting recognition", IEEE PAMI
1990): the primitives are the strokes in the order they were drawn, each with its own ink (what
later erasing left of it); a digit hypothesis is a run of consecutive strokes (people finish one
digit before they start the next; a short stroke added late over an earlier digit, a "5"'s bar
or a "7"'s cross, is moved to that digit first: `lattice_order`); every hypothesis's ink goes
through the one preprocessing (`to_mnist`) and the one classifier, in one batch; and the
segmentation is the best path through that lattice (realtime/viterbi.py), scored per group as

    max(log P(best digit) - width prior, log P(not a digit) - Costs.none) - Costs.gap * its gap

less Costs.overlap at each boundary between strokes that lie over one another. A group the model
calls no digit (a letter in strokes, a symbol) keeps its "not a digit" probability, less a cost:
an "H" stays one shape, which `decide` calls "not a digit", rather than "1 1"; two digits in one
crop, which the model also calls no digit, lose to the two read apart. The overlap cost says that
digits stand side by side: a crossbar over two bars is no digit apart from them. A stroke the
finder's rules reject by itself (a dot, a dash) may stand alone as that rejection at Costs.reject;
so may a group whose strokes turn round and round (`turning` past MAX_TURNS: a spot shaded in, a
crossing-out), rejected as "scribbled over", which the model alone reads as a bold "0".
`realtime.reading.decide` names the chosen digits, as everywhere else; lines and reading order
are the finder's (`reading_order`). Costs are log units, chosen on the pen-dev validation
writers and the generated non-digits by scripts/sweep_strokes.py.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from realtime.canvas import Stroke, paint_stroke
from realtime.preprocess import to_mnist
from realtime.reading import MIN_CONFIDENCE, DigitResult, Predictor, Reading, decide, read_binary
from realtime.segment import CANVAS_SETTINGS, MASK_MARGIN, Candidate, FinderSettings, reading_order, reject, union
from realtime.viterbi import best_path

Box = tuple[int, int, int, int]

#: At most this many strokes make one digit (the pen-dev validation writers use up to 4).
MAX_STROKES = 4
#: Beyond this many drawn strokes the canvas is read by the component finder (read_strokes).
MAX_LATTICE = 40
#: Longer runs are read as one shape only while each stroke lies over the ones before it.
MAX_PILE = 12
#: Strokes are one group only if they link up through gaps of at most this many group heights.
JOIN_GAP = 0.5
#: A stroke up to this share of an earlier stroke's height that lies over it joins its digit,
#: however late it was drawn (realtime.strokes.lattice_order).
LATE_HEIGHT = 0.5
#: A group of several strokes wider than this many of its heights is never one digit.
MAX_WIDTH = 2.0
#: A group whose strokes turn through more than this many full turns in all is scribbled over (a
#: blob scribbled in, a crossing-out), not a digit. The 6,321 pen-dev digits, drawn at 30-80% of
#: the 448 px canvas at its brush, turn at most 8.7 (the median 1.4; 99.9% under 4.9): a digit
#: traced twice over stays below; a spot shaded in goes round and round, zig-zagging as it goes.
MAX_TURNS = 20.0
#: The path is sampled every 1/TURN_SAMPLES of the stroke's larger side (and at least every half
#: brush) to measure its turning: about one MNIST pen width (2 px of a 20 px digit box), so that
#: the mouse's jitter and whole-pixel steps count little (a 60 px ring with half a pixel of jitter
#: at every point turns 2.1 instead of 1).
TURN_SAMPLES = 12


@dataclass(frozen=True)
class Costs:
    """The lattice's priors, in log units (chosen on validation writers: scripts/sweep_strokes.py)."""

    #: Each digit on the path: one digit must read e^digit times worse than two before it is split.
    digit: float = 0.5
    #: Width prior: beyond `wide` of its height, each further height of width costs `wide_cost`.
    wide: float = 0.8
    wide_cost: float = 3.0
    #: Separating strokes that lie over one another: nothing while the x-overlap is at most half
    #: the narrower one's width, all of it when one lies wholly over the other (sharing rows).
    overlap: float = 5.0
    #: Each height of gap between a stroke and the rest of its digit's strokes costs this much:
    #: the strokes of one digit touch or nearly (a "5"'s bar may sit a little apart).
    gap: float = 3.0
    #: A group read as no digit at all ("not a digit": a letter, a symbol, two digits in one crop)
    #: scores its "not a digit" probability less this: a drawing the model calls no digit stays one
    #: shape unless splitting it reads as digits much better (an "H" or "%" is not read "1 1" or
    #: "0 6"), while two digits in one crop lose to the two read apart.
    none: float = 3.0
    #: A stroke the finder's rules reject by itself (a dot, a dash, a filled blob) stands alone at this.
    reject: float = 1.0


#: Log-probability floor: a zero probability is a large but finite cost.
FLOOR = 1e-6


@dataclass(eq=False)  # compared by identity
class StrokeInk:
    """What is left on the canvas of one drawn stroke: `mask` (bool) over `box` (x, y, w, h)."""

    index: int  # in Canvas.strokes
    box: Box
    mask: np.ndarray = field(repr=False)
    path: np.ndarray = field(repr=False)  # the mouse path resampled evenly, (K, 2) float canvas px
    width: int = 1  # the brush, px
    turns: float = 0.0  # how far the pen turned along the stroke, in full turns (`turning`)


@dataclass
class Hypothesis:
    """Strokes first..last-1 (of the inks) as one digit: its ink and what the finder and model say."""

    first: int
    last: int
    candidate: Candidate
    gap: float = 0.0  # the widest gap a stroke of it leaves to the strokes before it, in its heights
    image: np.ndarray | None = field(default=None, repr=False)
    probs: np.ndarray | None = field(default=None, repr=False)


def stroke_inks(strokes: Sequence[Stroke], binary: np.ndarray) -> list[StrokeInk]:
    """Each drawn (not erasing) stroke's own ink, in drawing order: the stroke painted alone as the
    canvas painted it, less what a later eraser stroke went over, and-ed with `binary` (the canvas
    painted by these strokes, ink True). A stroke erased away is left out."""
    height, width = binary.shape
    erased = np.zeros(binary.shape, bool)
    inks = []
    for index in range(len(strokes) - 1, -1, -1):  # backwards: erasers drawn after a stroke are known
        stroke = strokes[index]
        points = np.asarray(stroke.points)
        reach = stroke.width // 2 + 2
        x0, y0 = np.maximum(points.min(axis=0) - reach, 0)
        x1, y1 = np.minimum(points.max(axis=0) + reach + 1, (width, height))
        local = np.zeros((y1 - y0, x1 - x0), np.uint8)
        paint_stroke(local, Stroke(stroke.points, stroke.width), (int(x0), int(y0)))
        footprint = local > 127
        if stroke.erase:
            erased[y0:y1, x0:x1] |= footprint
            continue
        footprint &= binary[y0:y1, x0:x1] & ~erased[y0:y1, x0:x1]
        ys, xs = np.nonzero(footprint)
        if ys.size:
            top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            box = (int(x0 + left), int(y0 + top), int(right - left), int(bottom - top))
            mask = footprint[top:bottom, left:right]
            inks.append(StrokeInk(index, box, mask, _resample(points, stroke.width), stroke.width,
                                  turning(points, stroke.width)))
    return inks[::-1]


def turning(points: np.ndarray, width: float = 1.0, most: int = 400) -> float:
    """The total absolute turning of the polyline `points` ((K, 2) px, any numeric dtype), in full
    turns (2 pi radians): the sum of the absolute direction changes along it, sampled every
    1/TURN_SAMPLES of its larger side or every half `width` (the brush, px), whichever is longer
    (at most `most` samples). A "1" turns about 0, an "0" 1, an
    "8" 2, a blob scribbled in tens. (Total absolute curvature, a classic on-line handwriting
    feature: Tappert, Suen & Wakahara, IEEE PAMI 1990.) 0.0 for a dot or a straight line."""
    points = np.asarray(points, np.float64).reshape(-1, 2)
    if len(points) < 3:
        return 0.0
    size = max(float(np.ptp(points[:, 0])), float(np.ptp(points[:, 1])), 1.0)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    count = int(min(most, max(2, along[-1] / max(size / TURN_SAMPLES, width / 2) + 1)))
    at = np.linspace(0.0, along[-1], count)
    sampled = np.stack([np.interp(at, along, points[:, k]) for k in (0, 1)], axis=1)
    steps = np.diff(sampled, axis=0)
    steps = steps[np.hypot(*steps.T) > 1e-9]
    if len(steps) < 2:
        return 0.0
    bends = np.diff(np.arctan2(steps[:, 1], steps[:, 0]))
    return float(np.abs((bends + np.pi) % (2 * np.pi) - np.pi).sum() / (2 * np.pi))


def lattice_order(inks: Sequence[StrokeInk]) -> list[StrokeInk]:
    """The strokes in the order the lattice groups them: the drawing order, except that a stroke
    added late to an earlier digit (a "5"'s bar, a "7"'s cross, a fix, written after the next
    digit) moves to just after the stroke it belongs to. Such a stroke is at most LATE_HEIGHT as
    high as that earlier stroke and lies over it (x-overlap past half the narrower one's width,
    sharing rows), and not over the stroke drawn just before it."""
    order: list[StrokeInk] = []
    for k, ink in enumerate(inks):
        if k and not _lies_over(ink, inks[k - 1]):
            for j in range(k - 2, -1, -1):
                if ink.box[3] <= LATE_HEIGHT * inks[j].box[3] and _lies_over(ink, inks[j]):
                    order.insert(order.index(inks[j]) + 1, ink)
                    break
            else:
                order.append(ink)
        else:
            order.append(ink)
    return order


def _lies_over(a: StrokeInk, b: StrokeInk) -> bool:
    """Whether two strokes lie over one another: x-overlap past half the narrower one's width,
    and some rows in common."""
    (ax, ay, aw, ah), (bx, by, bw, bh) = a.box, b.box
    x_over = min(ax + aw, bx + bw) - max(ax, bx)
    return x_over > 0.5 * min(aw, bw) and min(ay + ah, by + bh) > max(ay, by)


def group_mask(inks: Sequence[StrokeInk]) -> tuple[Box, np.ndarray]:
    """The union box of `inks` and their ink in it, as a Candidate mask: uint8 0/255 with a
    MASK_MARGIN border of background."""
    box = union([ink.box for ink in inks])
    m = MASK_MARGIN
    mask = np.zeros((box[3] + 2 * m, box[2] + 2 * m), np.uint8)
    for ink in inks:
        x, y = ink.box[0] - box[0] + m, ink.box[1] - box[1] + m
        mask[y : y + ink.box[3], x : x + ink.box[2]][ink.mask] = 255
    return box, mask


def hypotheses(inks: Sequence[StrokeInk], shape: tuple[int, int], settings: FinderSettings) -> list[Hypothesis]:
    """Every run of consecutive strokes that may be one digit or one shape: each stroke alone, and
    runs whose strokes link up through gaps of at most JOIN_GAP of the run's height (single
    linkage: an "H"'s bars are linked by its crossbar) and whose union is at most MAX_WIDTH times
    as wide as high; up to MAX_STROKES strokes, or MAX_PILE while each stroke lies over the ones
    before it (x-overlap past half its width: hatching, a scribbled-over shape), so that such a
    pile can be read, and turned down, as one. A run the finder's rules accept but whose strokes
    turn more than MAX_TURNS in all is rejected as "scribbled over"."""
    gaps: dict[tuple[int, int], float] = {}

    def gap(a: int, b: int) -> float:
        if (a, b) not in gaps:
            gaps[a, b] = _ink_gap(inks[a], inks[b])
        return gaps[a, b]

    out = []
    for first in range(len(inks)):
        box, piled = inks[first].box, True
        for last in range(first + 1, min(len(inks), first + MAX_PILE) + 1):
            spread = 0.0
            if last > first + 1:
                piled = piled and _x_share(box, inks[last - 1].box) > 0.5
                if last - first > MAX_STROKES and not piled:
                    break
                box = union([box, inks[last - 1].box])
                spread = _spread(range(first, last), gap)
                if box[2] > MAX_WIDTH * box[3] or spread > JOIN_GAP * box[3]:
                    continue
            box, mask = group_mask(inks[first:last])
            reason = reject(box, int(np.count_nonzero(mask)), shape, settings)
            if reason is None and sum(ink.turns for ink in inks[first:last]) > MAX_TURNS:
                reason = "scribbled over"
            out.append(Hypothesis(first, last, Candidate(box, mask, reason=reason), spread / box[3]))
    return out


def _spread(members: Sequence[int], gap) -> float:
    """The longest link needed to connect all `members` (the largest edge of their minimum
    spanning tree under `gap(a, b)`, a < b; Prim's algorithm)."""
    best = {m: gap(members[0], m) for m in members[1:]}
    worst = 0.0
    while best:
        nearest = min(best, key=best.get)
        worst = max(worst, best.pop(nearest))
        for other in best:
            best[other] = min(best[other], gap(min(nearest, other), max(nearest, other)))
    return worst


def _x_share(group: Box, box: Box) -> float:
    """How much of `box`'s width lies within `group`'s x-range, 0-1."""
    over = min(group[0] + group[2], box[0] + box[2]) - max(group[0], box[0])
    return max(0, over) / max(1, box[2])


def _resample(points: np.ndarray, width: int, most: int = 96) -> np.ndarray:
    """The polyline `points` (K, 2) as evenly spaced points: every half brush, or `most` in all."""
    steps = np.hypot(*np.diff(points, axis=0).T) if len(points) > 1 else np.zeros(0)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    count = int(min(most, max(2, along[-1] / max(1.0, width / 2) + 1)))
    at = np.linspace(0.0, along[-1], count)
    return np.stack([np.interp(at, along, points[:, k].astype(float)) for k in (0, 1)], axis=1)


def _ink_gap(a: StrokeInk, b: StrokeInk) -> float:
    """How far apart the ink of two strokes is (0 when they touch), px: the nearest points of their
    mouse paths (before any erasing), less half of each brush."""
    d = np.sqrt(((a.path[:, None, :] - b.path[None, :, :]) ** 2).sum(axis=2).min())
    return max(0.0, float(d) - (a.width + b.width) / 2)


def classified(
    strokes: Sequence[Stroke],
    binary: np.ndarray,
    model: Predictor,
    settings: FinderSettings = CANVAS_SETTINGS,
    memo: dict | None = None,
) -> tuple[list[StrokeInk], list[Hypothesis], dict[str, float]]:
    """The lattice's primitives and hypotheses, every readable one preprocessed and classified in
    one batch; with the stage timings (ms). `binary`: the canvas these strokes painted, ink non-zero.

    `memo` (a dict the caller keeps between readings of one canvas) holds each hypothesis's 28x28
    input and probabilities by its strokes' ink, so that while a stroke is drawn only the
    hypotheses holding it are read again; it is left holding this reading's hypotheses only."""
    started = time.perf_counter()
    binary = np.asarray(binary) > 0
    inks = lattice_order(stroke_inks(strokes, binary))
    hyps = hypotheses(inks, binary.shape, settings)
    found = time.perf_counter()
    known = memo if memo is not None else {}
    keys = [(ink.box, hash(ink.mask.tobytes())) for ink in inks]
    seen = {}
    for hyp in hyps:
        key = tuple(keys[hyp.first : hyp.last])
        if key in known:
            hyp.image, hyp.probs = known[key]
        elif hyp.candidate.accepted:
            hyp.image = to_mnist(hyp.candidate.mask)
        seen[key] = hyp
    readable = [h for h in hyps if h.image is not None and h.probs is None]
    preprocessed = time.perf_counter()
    if readable:
        for hyp, row in zip(readable, model.predict(np.stack([h.image for h in readable]))):
            hyp.probs = row
    if memo is not None:
        memo.clear()
        memo.update({key: (hyp.image, hyp.probs) for key, hyp in seen.items()})
    classified_ = time.perf_counter()
    return inks, hyps, {"find": (found - started) * 1e3, "preprocess": (preprocessed - found) * 1e3,
                        "inference": (classified_ - preprocessed) * 1e3}


def best_grouping(inks: Sequence[StrokeInk], hyps: Sequence[Hypothesis], costs: Costs = Costs()) -> list[Hypothesis]:
    """The hypotheses on the best path through the lattice, in drawing order."""
    if not inks:
        return []
    separation = costs.overlap * _overlaps(inks)
    arcs = []
    for hyp in hyps:
        if hyp.probs is not None:
            _, _, w, h = hyp.candidate.box
            digit = float(np.log(max(float(hyp.probs.max()), FLOOR))) - costs.wide_cost * max(0.0, w / h - costs.wide)
            other = float(np.log(max(1.0 - float(hyp.probs.sum()), FLOOR))) - costs.none
            score = max(digit, other) - costs.digit - costs.gap * hyp.gap
        elif hyp.last - hyp.first == 1:
            score = -costs.reject
        else:
            score = -np.inf  # several strokes rejected together: each can stand alone instead
        arcs.append((hyp.first, hyp.last, score - separation[hyp.first]))
    return [hyps[i] for i in best_path(len(inks), arcs)]


def results_of(path: Sequence[Hypothesis], model: Predictor, min_confidence: float = MIN_CONFIDENCE) -> list[DigitResult]:
    """The chosen hypotheses as results in reading order (lines as the finder makes them), each
    named by `decide`, the one place that says digit, "?" or "not a digit"."""
    chosen = {id(h.candidate): h for h in path}
    results, named, rows = [], [], []
    for cand in reading_order([h.candidate for h in path]):
        hyp = chosen[id(cand)]
        reason = "no ink" if cand.accepted and hyp.image is None else cand.reason
        results.append(DigitResult(cand.box, cand.line, None, 0.0, None, hyp.image, reason))
        if hyp.probs is not None:
            named.append(results[-1])
            rows.append(hyp.probs)
    if named:
        decide(named, np.stack(rows), model, min_confidence)
    return results


def read_strokes(
    strokes: Sequence[Stroke],
    binary: np.ndarray,
    model: Predictor,
    settings: FinderSettings = CANVAS_SETTINGS,
    min_confidence: float = MIN_CONFIDENCE,
    memo: dict | None = None,
) -> Reading:
    """Read a canvas from its strokes: the grouping of strokes into digits that reads best, in
    reading order, with per-stage timings (ms). `binary` is the canvas the strokes painted (2-D,
    ink non-zero); `memo` as for `classified`. A canvas of more than MAX_LATTICE drawn strokes
    (shading, a sketch: no number) is read by the component finder, whose cost does not grow with
    the strokes."""
    if sum(not stroke.erase for stroke in strokes) > MAX_LATTICE:
        return read_binary(np.asarray(binary) > 0, model, settings, min_confidence)
    inks, hyps, timings = classified(strokes, binary, model, settings, memo)
    started = time.perf_counter()
    results = results_of(best_grouping(inks, hyps), model, min_confidence)
    return Reading(results, {**timings, "search": (time.perf_counter() - started) * 1e3})


def _overlaps(inks: Sequence[StrokeInk]) -> np.ndarray:
    """For each boundary k (between strokes k-1 and k), how much some stroke before it and some
    stroke from it on lie over one another, 0-1: x-overlap past half the narrower one's width,
    for strokes that share rows. (Everything before a boundary is in other digits than everything
    after it, so any such pair is evidence against the boundary.)"""
    n = len(inks)
    boxes = np.array([ink.box for ink in inks], float).reshape(n, 4)
    x0, y0, w, h = boxes.T
    x_over = np.minimum((x0 + w)[:, None], (x0 + w)[None]) - np.maximum(x0[:, None], x0[None])
    y_over = np.minimum((y0 + h)[:, None], (y0 + h)[None]) - np.maximum(y0[:, None], y0[None])
    share = x_over / np.maximum(1.0, np.minimum(w[:, None], w[None]))
    pair = np.where(y_over > 0, np.clip(2.0 * share - 1.0, 0.0, 1.0), 0.0)
    out = np.zeros(n + 1)
    for k in range(1, n):
        out[k] = pair[:k, k:].max()
    return out
