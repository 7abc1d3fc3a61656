"""Printed frames in an ink mask: one box, or a row of boxes sharing their edges (a comb on a form).

A digit written in a printed box touches it, and boxes side by side share their edges: box,
edges and digits make one connected component that the finder cannot read. `frame_lines` says
which pixels of such a component are the frame's lines, for `realtime.lines` to remove (and to
give back where a stroke crosses them).

A frame's outline fills most (80%) of its rotated bounding box, even in perspective, which no
digit or pair of touching digits does. Turned square to that box, its lines are the runs of ink
at least 60% of a box's side long along the rows or the columns (a morphological opening with a
line of that length: the classic way forms lose their lines, e.g. the line removal of
Leptonica's form processing, or Y. Zheng, H. Li, D. Doermann, "A parallel-line detection
algorithm based on HMM decoding", IEEE PAMI 27(5), 2005, for its survey), allowing a tilt of a few
pixels (perspective; boxes of a comb that are not all of one height). The frame's long way, only
its two outer sides count (within a quarter of its short side from its edge); across it, its two
ends and the edges its boxes share, which span 80% of its short side at least (or of the way
between its outer sides, where a digit rising over the frame makes that the shorter). Each is
kept when both its ends meet lines the other way, and a side only when no other run lies further
out beside it (a "2"'s base just over its box's bottom is no side). Where a digit's stroke lies
on a line (the ink across it wider than the line), that stretch is not removed. So a
digit's own straight stroke, however long, stays: it meets no frame line at both ends, lies along
the comb's long way inside it (a "6"'s stroke from one edge of its box to the other), or runs
across it short of a box's height (a "7"'s bar, a "4"'s stem). A frame
has two lines each way at least, and ink away from them: a "0" written as a rectangle holds none;
and its lines are thin for its size (THIN): a bold "8" is two boxes sharing an edge, in a pen's ink.
A grid of boxes in rows and columns is not taken for one (its runs are a cell long, not a side).
"""

from __future__ import annotations

import cv2
import numpy as np

#: A frame's outline fills at least this share of its rotated bounding box.
FILL = 0.8
#: A line is a run of ink at least this share of the frame's short side.
RUN = 0.6
#: A line across a comb (its ends, the edges its boxes share) spans at least this share of its
#: short side.
SPAN = 0.8
#: A line lies within a band this many pixels across (a side a few degrees off square:
#: perspective, a comb's boxes not all of one height).
TILT = 5
#: A line is removed this many pixels wider than its ink (its blurred edge, a pixel of perspective).
MARGIN = 4
#: The squared frame is drawn with this many pixels of margin on each side.
PAD = 4
#: Ink across a line over this many px wider than the line is a stroke lying on it.
WIDER = 3
#: A printed frame's lines are at most this share of its short side thick (their median): the
#: frames on the rendered boxes pages of seeds 7 and 17 and the real "2413" in boxes measure at
#: most 0.05; a bold marker "8" (two "boxes" sharing an edge, its outline filling 80% of its
#: rotated box) 0.17 - it lost its loops to line removal and "185" read "15" in a rendered clip.
THIN = 0.1


def frame_lines(mask: np.ndarray, contour: np.ndarray, rect: tuple[int, int, int, int],
                width: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The lines of the printed frame that `contour` (one outer contour of `mask`, uint8 (H, W),
    non-zero = ink) outlines, or None when it is no frame: (more horizontal, more vertical) uint8
    0/255 masks of the component's bounding box `rect` (x, y, w, h), each line drawn MARGIN px
    thicker than its ink. `width` (px) is how far apart two segments of one line may lie."""
    x, y, w, h = rect
    centre, (a, b), angle = cv2.minAreaRect(contour)
    if cv2.contourArea(contour) < FILL * a * b:
        return None
    own = np.zeros((h, w), np.uint8)
    cv2.drawContours(own, [contour], -1, 255, cv2.FILLED, offset=(-x, -y))
    own &= mask[y : y + h, x : x + w]
    matrix, (width_sq, height_sq) = _squaring(contour, rect, centre, angle)
    square = cv2.warpAffine(own, matrix, (width_sq, height_sq), flags=cv2.INTER_NEAREST)
    inner_w, inner_h = width_sq - 2 * PAD, height_sq - 2 * PAD
    run = int(RUN * min(inner_w, inner_h))
    if run < 2 * width:
        return None
    rows = inner_w >= inner_h  # the frame's long way: along the rows (a comb) or the columns
    (along_labels, along), (across_labels, across) = _runs(square, run, rows), _runs(square, run, not rows)
    short = inner_h if rows else inner_w
    # the long way, only the outer sides: within a quarter of the short side from the frame's edge
    along = [s for s in along if min(s[1 if rows else 0] - PAD, short + PAD - 1 - s[3 if rows else 2]) <= short / 4]
    # across it, only lines from one outer side to the other (an end, an edge two boxes share):
    # SPAN of the short side, or of the way between the outer sides (and a line's width on each)
    # where that is shorter: a digit's stroke sticking out over the top makes the squared box
    # taller than the frame (the end of a comb whose "1" rose 16 px above it spanned 79% of
    # that, the comb stayed and the row lost two digits). A "0" has no such margin: its flat top
    # and bottom are its outer sides.
    sides = [s[1 if rows else 0] for s in along]
    between = max(sides) - min(sides) + 2 * width if len(sides) >= 2 else short
    across = [s for s in across if abs(s[3 if rows else 2] - s[1 if rows else 0]) >= SPAN * min(short, between)]
    for _ in range(2):  # a line is kept when both its ends meet a kept line the other way
        along, across = _meeting(along, across, rows, 2 * width), _meeting(across, along, not rows, 2 * width)
    along = _outermost(along, rows, PAD + short / 2)
    if len(along) < 2 or len(across) < 2:
        return None
    fitted = [[_fit(labels, label, way) for *_, label in kept]
              for labels, kept, way in ((along_labels, along, rows), (across_labels, across, not rows))]
    if float(np.median([fit[4] for fits in fitted for fit in fits])) > THIN * short:
        return None  # lines that thick for their size are a pen's: a bold "8" is two "boxes" sharing an edge
    masks = [np.zeros_like(square), np.zeros_like(square)]
    for index in (0, 1):
        for x0, y0, x1, y1, thickness in fitted[index]:
            cv2.line(masks[index], (round(x0), round(y0)), (round(x1), round(y1)), 255, round(thickness) + MARGIN)
    inks = [square & ~masks[1], square & ~masks[0]]  # the ink without the lines the other way
    for index, way in ((0, rows), (1, not rows)):  # where a stroke lies on a line, that stretch stays
        _spare_strokes(masks[index], inks[index], fitted[index], way)
    if np.count_nonzero(square & ~(masks[0] | masks[1])) < 2 * run:
        return None
    back = cv2.invertAffineTransform(matrix)
    masks = [cv2.warpAffine(m, back, (w, h), flags=cv2.INTER_NEAREST) for m in masks]
    return (masks[0], masks[1]) if rows else (masks[1], masks[0])


def _squaring(contour: np.ndarray, rect: tuple[int, int, int, int], centre: tuple[float, float],
              angle: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The affine map (2x3) from the component's box to its rotated bounding box turned square
    (the smaller turn that does it), and the size (w, h) of the squared box with PAD px round it."""
    x, y, _, _ = rect
    points = (contour.reshape(-1, 2) - (x, y)).astype(np.float32)
    turn = (angle + 45) % 90 - 45
    best = None
    for degrees in (turn, -turn):  # OpenCV's sense of the angle: whichever squares it
        matrix = cv2.getRotationMatrix2D((centre[0] - x, centre[1] - y), degrees, 1.0)
        turned = points @ matrix[:, :2].T + matrix[:, 2]
        low, high = turned.min(axis=0), turned.max(axis=0)
        if best is None or np.prod(high - low) < best[0]:
            matrix[:, 2] -= low - PAD  # a margin round it: the lines' edges, blurred, stay inside
            best = (np.prod(high - low), matrix, (int(high[0] - low[0]) + 1 + 2 * PAD, int(high[1] - low[1]) + 1 + 2 * PAD))
    return best[1], best[2]


def straight_runs(ink: np.ndarray, length: int) -> np.ndarray:
    """The ink of `ink` (uint8 (H, W), 0/255) that lies on straight runs at least `length` px
    long along the rows or the columns, TILT - 1 px of tilt allowed: uint8 0/255 (H, W). What is
    left when they are taken away is what a printed box or rule does not explain."""
    return runs_along(ink, length, True) | runs_along(ink, length, False)


def runs_along(ink: np.ndarray, length: int, rows: bool) -> np.ndarray:
    """`ink`'s pixels on straight runs at least `length` px long along the rows (or the columns),
    TILT - 1 px of tilt allowed: a morphological opening with a line, after a dilation across it."""
    tilt = np.ones((TILT, 1) if rows else (1, TILT), np.uint8)
    line = np.ones((1, length) if rows else (length, 1), np.uint8)
    return cv2.morphologyEx(cv2.dilate(ink, tilt), cv2.MORPH_OPEN, line) & ink


def _runs(square: np.ndarray, length: int, rows: bool) -> tuple[np.ndarray, list[tuple[float, float, float, float, int]]]:
    """Straight runs of ink at least `length` px long along the rows (or the columns) of
    `square`, TILT - 1 pixels of tilt allowed: a label image of them and each as its ends, roughly
    (through the middle of its box), and its label (x0, y0, x1, y1, label)."""
    kept = runs_along(square, length, rows)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(kept, connectivity=8)
    found = []
    for label in range(1, count):
        left, top, w, h = (int(v) for v in stats[label, :4])
        if (w if rows else h) >= length:
            found.append((left, top + h / 2, left + w - 1, top + h / 2, label) if rows
                         else (left + w / 2, top, left + w / 2, top + h - 1, label))
    return labels, found


def _fit(labels: np.ndarray, label: int, rows: bool) -> tuple[float, float, float, float, float]:
    """The run `label` of `labels` as a straight line: its two ends and its thickness (x0, y0, x1,
    y1, px). The line is fitted (least squares) through the middle of the run where the run is
    no thicker than its usual thickness, so that a digit's stroke lying along it (a "7"'s bar on
    the box's top edge) neither bends it nor widens it. The usual thickness is that of its thinner
    stretches (the 25th percentile across its length): a "2"'s base lying on over half of its
    box's bottom edge made the median the two together, and the base went with the line."""
    ys, xs = np.nonzero(labels == label)
    along, off = (xs, ys) if rows else (ys, xs)
    thickness = np.bincount(along)
    present = thickness[thickness > 0]
    usual = float(np.partition(present, len(present) // 4)[len(present) // 4])
    plain = thickness[along] <= usual + 1
    a, o = along[plain].astype(np.float64), off[plain].astype(np.float64)
    spread = float(((a - a.mean()) ** 2).sum())
    slope = float(((a - a.mean()) * (o - o.mean())).sum()) / spread if spread > 0 else 0.0
    a0, a1 = float(along.min()), float(along.max())
    o0, o1 = o.mean() + slope * (a0 - a.mean()), o.mean() + slope * (a1 - a.mean())
    return (a0, o0, a1, o1, usual) if rows else (o0, a0, o1, a1, usual)


def _spare_strokes(drawn: np.ndarray, ink: np.ndarray, fits: list[tuple[float, float, float, float, float]],
                   rows: bool) -> None:
    """Clear from `drawn` (uint8 0/255, the lines to remove, in place) the stretches of the lines
    `fits` (each x0, y0, x1, y1, thickness; along the rows when `rows`, else the columns) where the
    ink across a line, unbroken through its middle, is over WIDER px wider than the line: a
    digit's stroke lies on it there (a "0"'s side along a box's edge, a "5"'s stem on the edge two
    boxes share, a "0" riding over a box's top), and removing the line took the stroke with it
    (the "0" cut open read "?", the "5" fell apart). Only stretches twice the drawn line's width
    long: where a curve touches the line, a few px of it kept stood out of the digit as ticks. A
    stroke crossing the line stays too, as remove_lines would give it back. `ink` is the frame's
    ink without the lines the other way, so that where two lines meet, neither is taken for a
    stroke on the other. All the lines are measured in one pass, end to end with a gap between."""
    if not fits:
        return
    if not rows:  # the same on the transposed images: the lines along their rows
        drawn, ink = drawn.T, ink.T
        fits = [(y0, x0, y1, x1, t) for x0, y0, x1, y1, t in fits]
    reach = round(max(f[4] for f in fits)) + WIDER + 2
    along, middle, limit, owner = [], [], [], []
    for k, (x0, y0, x1, y1, thickness) in enumerate(fits):
        xs = np.arange(max(0, round(x0)), min(ink.shape[1] - 1, round(x1)) + 1)
        along.append(xs)
        middle.append(np.rint(y0 + (y1 - y0) * (xs - x0) / max(x1 - x0, 1.0)).astype(int))
        limit.append(np.full(xs.size, thickness + WIDER))
        owner.append(np.full(xs.size, k))
    along, middle, limit, owner = (np.concatenate(a) for a in (along, middle, limit, owner))
    across = np.clip(middle[None, :] + np.arange(-reach, reach + 1)[:, None], 0, ink.shape[0] - 1)
    strip = ink[across, along[None, :]] > 0  # (2 reach + 1, n): the ink across the lines
    outwards = (strip[reach::-1], strip[reach:])  # from the middle up, and down
    run = sum(np.where(s.all(axis=0), s.shape[0], s.argmin(axis=0)) for s in outwards) - 1
    wide = run > limit
    if not wide.any():
        return
    # a stretch of one line at least twice its drawn width: each line's positions apart from the next
    width = np.array([round(f[4]) + MARGIN for f in fits])
    gap = np.r_[False, owner[1:] != owner[:-1]]
    for k in np.unique(owner[wide]):
        on = (owner == k) & wide & ~gap
        kept = cv2.morphologyEx(on.astype(np.uint8)[None, :], cv2.MORPH_OPEN, np.ones((1, 2 * width[k]), np.uint8))[0]
        at = np.flatnonzero(kept)
        if at.size:
            half = width[k] // 2 + 1
            lines_at = np.clip(middle[at][None, :] + np.arange(-half, half + 1)[:, None], 0, drawn.shape[0] - 1)
            drawn[lines_at, np.broadcast_to(along[at], lines_at.shape)] = 0


def _outermost(lines: list, rows: bool, middle: float) -> list:
    """The `lines` (runs along the frame's long way: along the rows when `rows`, else the
    columns; `middle` the frame's middle across them) with no other run further out on the same
    side beside them (overlapping half the shorter one's length): a frame's side is the outermost
    run there. A digit's stroke along the side, inside the box (a "2"'s base a few px over the
    box's bottom edge, meeting the box's sides at both ends), is no side: taken for one, it was
    removed and the "2" read "7"."""
    off, start, end = (1, 0, 2) if rows else (0, 1, 3)

    def shadowed(s: tuple) -> bool:
        for t in lines:
            if t is s or (t[off] - middle) * (s[off] - middle) <= 0 or abs(t[off] - middle) <= abs(s[off] - middle):
                continue
            overlap = min(s[end], t[end]) - max(s[start], t[start])
            if overlap >= 0.5 * min(s[end] - s[start], t[end] - t[start]):
                return True
        return False

    return [s for s in lines if not shadowed(s)]


def _meeting(lines: list, others: list, rows: bool, reach: int) -> list:
    """The `lines` (along the rows when `rows`, else the columns) whose two ends each lie within
    `reach` px of one of `others` (segments the other way)."""

    def near(px: float, py: float) -> bool:
        for x0, y0, x1, y1, *_ in others:
            if rows and min(y0, y1) - reach <= py <= max(y0, y1) + reach and abs(px - (x0 + x1) / 2) <= reach:
                return True
            if not rows and min(x0, x1) - reach <= px <= max(x0, x1) + reach and abs(py - (y0 + y1) / 2) <= reach:
                return True
        return False

    return [s for s in lines if near(s[0], s[1]) and near(s[2], s[3])]
