"""Digits grouped into text lines by linking neighbours, not by a line's growing span.

A line is the chain of its digits: two digits are linked when they are near in x (at most two
digit heights apart) and level (their bodies share half the smaller height), and a line is a
connected set of links (the nearest-neighbour linking of document layout analysis: L. O'Gorman,
"The document spectrum for page layout analysis", IEEE PAMI 15(11), 1993). Linking only
neighbours follows a row photographed at a slant (it climbs from digit to digit) however long
the row is, where one vertical span grown over the whole row takes in the next row of a dense page
(rows 1.2 digit heights apart, a slope of 5%: the span of a 600 px row is then 1.9 heights high).

A digit's *body* is its box cut to MAX_BODY of the page's digit height from the top: a "7"'s or a
"9"'s tail reaching down into the next row does not make the digit level with that row.
Two chains that lie one after the other in x, their facing ends level, are one line with a wide
gap ("12      34"); a chain level with no other stays a line of its own.
"""

from __future__ import annotations

from statistics import median
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from realtime.segment import Candidate

Box = tuple[int, int, int, int]

#: A digit's body is at most this many of the page's digit heights (its box cut from the top).
MAX_BODY = 1.2
#: Linked digits are at most this many digit heights apart in x.
REACH = 2.0


def group_lines(accepted: list[Candidate]) -> list[list[Candidate]]:
    """Accepted candidates grouped into lines (each a list in no particular order), lines in no
    particular order: the chains of level neighbours, then chains one after the other in x whose
    facing ends are level joined."""
    if not accepted:
        return []
    typical = float(median(c.box[3] for c in accepted))
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
    while joined:  # a wide gap inside one row: chains one after the other, facing ends level
        joined = False
        for a in lines:
            last = max(a, key=lambda i: bodies[i][0] + bodies[i][2])
            for b in lines:
                first = min(b, key=lambda i: bodies[i][0])
                if b is not a and bodies[first][0] >= bodies[last][0] + bodies[last][2] \
                        and level(bodies[last], bodies[first]):
                    a += b
                    lines.remove(b)
                    joined = True
                    break
            if joined:
                break
    return [[accepted[i] for i in line] for line in lines]


def body(box: Box, typical: float) -> Box:
    """`box` cut to MAX_BODY of `typical` px from its top: the digit without a long tail."""
    x, y, w, h = box
    return x, y, w, min(h, max(1, round(MAX_BODY * typical)))


def level(a: Box, b: Box) -> bool:
    """Whether boxes `a` and `b` share half the smaller of their heights."""
    return min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]) >= 0.5 * min(a[3], b[3])
