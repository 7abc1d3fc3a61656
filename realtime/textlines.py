"""Digits grouped into text lines by linking neighbours, not by a line's growing span.

A line is the chain of its digits: two digits are linked when they are near in x (at most two
digit heights apart) and level (their bodies share half the smaller height), and a line is a
connected set of links (the nearest-neighbour linking of document layout analysis: L. O'Gorman,
"The document spectrum for page layout analysis", IEEE PAMI 15(11), 1993). Linking only
neighbours follows a row photographed at a slant (it climbs from digit to digit) however long
the row is, where one vertical span grown over the whole row takes in the next row of a dense page
(rows 1.2 digit heights apart, a slope of 5%: the span of a 600 px row is then 1.9 heights high).

A digit's *body* is its box cut to MAX_BODY of the page's digit height (`typical_height`: specks
and grain accepted as small digits must not make it small) from the top: a "7"'s or a
"9"'s tail reaching down into the next row does not make the digit level with that row.
Two chains that lie one after the other in x are one line when the facing end of one is level with
the other's digits near it taken together (a small "0" low in a row between two tall digits
higher up links to neither alone), or with its facing end when it is far ("12      34"); a chain
level with no other stays a line of its own.

Lines that lie one after the other in x, near, and neither level nor one under the other
(`torn_rows`) are a row tilted too steeply to link whose skew was not measured (realtime/skew.py),
or a few digits too scattered to tell: read top to bottom, they are its pieces in the wrong order
(the real "3268" turned 25 degrees read "68 2 3" before its skew was measured), so no number is
made of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from statistics import median  # lists of a few numbers: far cheaper than numpy's
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from realtime.segment import Candidate

Box = tuple[int, int, int, int]

#: A digit's body is at most this many of the page's digit heights (its box cut from the top).
MAX_BODY = 1.2
#: Linked digits are at most this many digit heights apart in x.
REACH = 2.0
#: The pieces of a row tilted too steeply to link step up or down less than this many digit
#: heights from one to the next (their boxes overlap in y, or nearly: `torn_rows`)...
STEP = 0.5
#: ... and lie at most this many digit heights apart in x: as far as digits link, and a digit
#: more (a pair or a blob between them that the finder dropped at the tilt: a marker "76" between
#: "2" and "77" left them 2.2 digit heights apart).
TORN_REACH = REACH + 1.0
#: A piece at least this many of the page's digit height is a whole digit, not a part of one
#: (`stacked_rows`; realtime.segment and realtime.rejoin measure pieces by it too).
WHOLE_DIGIT = 0.7
#: The reason a digit of such pieces is shown "?" (`torn_rows`, `stacked_rows`).
UNSURE_ROWS = "one row or several?"


def group_lines(accepted: list[Candidate]) -> list[list[Candidate]]:
    """Accepted candidates grouped into lines (each a list in no particular order), lines in no
    particular order: the chains of level neighbours, then chains one after the other in x whose
    facing ends are level joined."""
    if not accepted:
        return []
    typical = typical_height(c.box for c in accepted)
    bodies = [body(c.box, typical) for c in accepted]
    parent = list(range(len(accepted)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(accepted)), key=lambda i: bodies[i][0])
    for pos, i in enumerate(order):
        x, _, w, h = bodies[i]
        for j in order[pos + 1 :]:
            if bodies[j][0] - (x + w) > REACH * max(h, typical):
                break  # sorted by x: all further ones are too far
            if level(bodies[i], bodies[j]) and bodies[j][0] - (x + w) <= REACH * max(h, bodies[j][3]):
                parent[root(j)] = root(i)
    chains: dict[int, list[int]] = {}
    for i in range(len(accepted)):
        chains.setdefault(root(i), []).append(i)
    lines = sorted(chains.values(), key=lambda chain: min(bodies[i][0] for i in chain))
    joined = True
    while joined:  # chains one after the other in x whose facing ends are level: one line
        joined = False
        for a in lines:
            last = max(a, key=lambda i: bodies[i][0] + bodies[i][2])
            for b in lines:
                first = min(b, key=lambda i: bodies[i][0])
                if b is not a and bodies[first][0] >= bodies[last][0] + bodies[last][2] and (
                        level(_near_span(a, bodies[first], bodies, typical), bodies[first])
                        or level(_near_span(b, bodies[last], bodies, typical), bodies[last])):
                    a += b
                    lines.remove(b)
                    joined = True
                    break
            if joined:
                break
    return [[accepted[i] for i in line] for line in lines]


def torn_rows(rows: Sequence[Sequence[Box]]) -> set[int]:
    """The indices of `rows` (each the boxes (x, y, w, h) of one line's candidates, in a frame's
    reading order) that may be pieces of one tilted row: two lines whose boxes lie one after the
    other in x, at most TORN_REACH digit heights apart, and overlap in y or lie less than STEP
    digit heights apart in it. `group_lines` joins two such lines when their facing ends are
    level; the next row of a page lies below the last one and overlaps it in x; a row's next
    number lies beside it, level. Neither, they are a row too steep to link, or two numbers at
    heights that say neither: no order can be told. The digit height is the lines'
    (`typical_height`)."""
    if len(rows) < 2:
        return set()
    spans = [(min(b[0] for b in r), min(b[1] for b in r), max(b[0] + b[2] for b in r), max(b[1] + b[3] for b in r))
             for r in rows]
    typical = typical_height(b for r in rows for b in r)
    torn = set()
    for i, (ax0, ay0, ax1, ay1) in enumerate(spans):
        for j, (bx0, by0, bx1, by1) in enumerate(spans[:i]):
            if (0 <= max(bx0 - ax1, ax0 - bx1) <= TORN_REACH * typical
                    and max(by0 - ay1, ay0 - by1) < STEP * typical):
                torn.update((i, j))
    return torn


def stacked_rows(rows: Sequence[Sequence[Box]]) -> set[int]:
    """The indices of `rows` (each the boxes (x, y, w, h) of one line's candidates) that hold two
    rows: two of their digits, each a whole digit high (WHOLE_DIGIT of the lines' digit height,
    `typical_height`), stand one over the other: they share half the narrower one's width in x
    and not half the shorter one's height in y (`level`). A row's digits stand side by side; a
    dense page whose rows wave chained two of them into one line through a digit level with
    both, read as one number of 24 digits. Neither the order nor the rows can be told."""
    typical = typical_height(b for r in rows for b in r)
    stacked = set()
    for index, row in enumerate(rows):
        whole = sorted((b for b in row if b[3] >= WHOLE_DIGIT * typical), key=lambda b: b[0])
        for pos, (x, y, w, h) in enumerate(whole):
            for other in whole[pos + 1 :]:
                if other[0] >= x + w:
                    break  # sorted by x: the rest lie further right
                shared = min(x + w, other[0] + other[2]) - other[0]
                if shared >= 0.5 * min(w, other[2]) and not level((x, y, w, h), other):
                    stacked.add(index)
    return stacked


def _near_span(chain: list[int], box: Box, bodies: list[Box], typical: float) -> Box:
    """The union of the bodies of `chain` within REACH digit heights of `box` in x (the nearest
    one when none is): where the chain's row runs beside `box`, a small digit and a tall one
    together (a small "0" between two "2"s of a row photographed at a slant)."""
    x, _, w, _ = box

    def gap(i: int) -> int:
        return max(bodies[i][0] - (x + w), x - (bodies[i][0] + bodies[i][2]), 0)

    near = [i for i in chain if gap(i) <= REACH * typical] or [min(chain, key=gap)]
    top = min(bodies[i][1] for i in near)
    bottom = max(bodies[i][1] + bodies[i][3] for i in near)
    return x, top, w, bottom - top


def typical_height(boxes: Iterable[tuple[int, int, int, int]], speck: float = 0.0) -> float:
    """The height of a whole digit here: the median of the parts at least `speck` px high (noise
    and paper grain left out) that are at least half as high as the 90th percentile of those (not
    the tallest: a few strokes reaching into the next line of a dense page are twice a digit's
    height). Falls back to all parts when none is that high; 0.0 for none."""
    heights = sorted(b[3] for b in boxes)
    heights = [h for h in heights if h >= speck] or heights
    if not heights:
        return 0.0
    p90 = heights[min(len(heights) - 1, int(0.9 * len(heights)))]  # lists of tens: no numpy call
    return float(median([h for h in heights if h >= 0.5 * p90]))


def body(box: Box, typical: float) -> Box:
    """`box` cut to MAX_BODY of `typical` px from its top: the digit without a long tail."""
    x, y, w, h = box
    return x, y, w, min(h, max(1, round(MAX_BODY * typical)))


def level(a: Box, b: Box) -> bool:
    """Whether boxes `a` and `b` share half the smaller of their heights."""
    return min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]) >= 0.5 * min(a[3], b[3])
