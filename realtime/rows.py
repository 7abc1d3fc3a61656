"""Text rows kept apart: a group of ink that spans two rows is cut along the gap between them.

On a dense page (rows 1.2-1.5 digit heights apart) a "7"'s or a "9"'s tail reaches down into the
next row and touches a digit there: the two digits, and whatever touches them, are one connected
component two rows high, which no merge rule can take apart and no classifier can read. Such a
group is cut along the path of least ink between the rows, a seam from its left edge to its right
(dynamic programming over the columns, one pixel up or down per column: the seam carving of
text-line segmentation, R. Saabni, A. Asi, J. El-Sana, "Text line extraction for historical
document images", Pattern Recognition Letters 35, 2014; S. Avidan, A. Shamir, "Seam carving for
content-aware image resizing", SIGGRAPH 2007). A tail crossing the gap costs a stroke's width;
any path through a digit's body costs more. The seam is drawn 4-connected, so no 8-connected
component crosses it.

Only a group two digits high with rows of digits beside both its halves is cut (`spans_two_rows`):
a lone large digit among small ones has no row beside it at both heights.
"""

from __future__ import annotations

import cv2
import numpy as np

#: A group at least this many of the page's digit heights high spans two rows: digits are at
#: most ~1.6 high with a long tail, and two rows touching through a tail are at least 2.2 high.
TWO_ROWS = 1.8
#: A digit cut by a seam is read again without its ink this share of a digit height from the seam
#: (a neighbour's tail left with it, or its own top cut short): both readings must agree.
TRIM = 0.2
#: The seam keeps at least this share of a digit height of the group on each side of it.
BODY = 0.6
#: Given where the rows beside it part (`row_gap`), the seam runs within this share of a digit
#: height of that (rows are 1.2-1.5 digit heights apart: the gap between them is 0.2-0.5 high).
GAP_BAND = 0.3
#: Digits beside a group whose middles lie within ROW_SPREAD of a digit height of each other are
#: one row (rows are at least 1.2 digit heights apart; a row's own digits are level within a few
#: px); only digits within GAP_REACH digit heights of the group in x say where its rows part.
ROW_SPREAD = 0.6
GAP_REACH = 1.5
#: Each step up or down costs this much against one ink pixel: the seam runs straight through
#: clear paper, and bends only to go round ink.
STEP_COST = 0.05
#: A path at the top or bottom of the band costs this much more a column than one in its middle:
#: of paths through as much ink, the one nearest the middle of the gap wins.
MIDDLE_BIAS = 0.01


def seam(mask: np.ndarray, typical: float, gap: float | None = None) -> np.ndarray | None:
    """The path of least ink across `mask` from left to right, BODY digit heights clear of its top
    and bottom and, given the `gap` between the rows beside it (`row_gap`: px from the mask's
    top), within GAP_BAND digit heights of it: (W,) int row of the seam in each column, or None
    when the mask is too low for two rows of `typical` px digits (or the gap too near its ends).

    `mask`: (H, W) uint8 or bool, the group's own ink (non-zero) cut to its box. Raises ValueError
    for anything but a 2-D array.
    """
    if mask.ndim != 2:
        raise ValueError(f"mask: expected a 2-D array, got shape {mask.shape}")
    lo, hi = round(BODY * typical), mask.shape[0] - round(BODY * typical)
    if gap is not None:
        lo, hi = max(lo, round(gap - GAP_BAND * typical)), min(hi, round(gap + GAP_BAND * typical) + 1)
    if hi - lo < 1 or mask.shape[1] == 0:
        return None
    cost = (mask[lo:hi] > 0).astype(np.float32)
    rows, width = cost.shape
    # Of paths through as much ink, the one nearest the middle of the gap between the rows (the
    # upper row's digits end a digit height below the group's top, the lower row's begin one
    # above its bottom): crossing a tail there, not the stem of the digit it touches, whose top
    # would go with the row above.
    # (the middle of the band BODY clear of the ends, also where the gap narrows the band)
    middle, half = (mask.shape[0] - 1) / 2 - lo, max((mask.shape[0] - 1) / 2 - round(BODY * typical), 1.0)
    cost += MIDDLE_BIAS * (np.abs(np.arange(rows, dtype=np.float32) - middle) / half)[:, None]
    total = cost[:, 0].copy()
    moves = np.zeros((rows, width), np.int8)  # -1, 0, +1: where each cell's best path came from
    for col in range(1, width):
        up = np.concatenate(([np.inf], total[:-1])) + STEP_COST  # from the row above
        down = np.concatenate((total[1:], [np.inf])) + STEP_COST  # from the row below
        stacked = np.stack((up, total, down))
        choice = stacked.argmin(axis=0)
        total = stacked[choice, np.arange(rows)] + cost[:, col]
        moves[:, col] = choice.astype(np.int8) - 1
    path = np.empty(width, np.int64)
    path[-1] = int(total.argmin())
    for col in range(width - 1, 0, -1):
        path[col - 1] = path[col] + moves[path[col], col]
    return path + lo


def cut(mask: np.ndarray, path: np.ndarray) -> np.ndarray:
    """`mask` (H, W) uint8 0/255 with the seam `path` ((W,) rows) cleared, drawn 4-connected so that
    no 8-connected piece crosses it. A copy; the input is not modified."""
    line = np.zeros_like(mask)
    points = np.stack((np.arange(len(path)), path), axis=1).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(line, [points], False, 255, 1, cv2.LINE_4)
    return cv2.bitwise_and(mask, cv2.bitwise_not(line))


def row_gap(box: tuple[int, int, int, int], others: list[tuple[int, int, int, int]], typical: float) -> float | None:
    """Where the rows beside the group in `box` (x, y, w, h) part, px from its top: the middle
    between the bottom of one row's digits and the top of the next row's, of the digits in
    `others` next to it (GAP_REACH digit heights to the left or right: further ones are higher or
    lower with the page's slant) whose middles lie in the box (a digit's tail left out, its body
    at most a digit height), rows being digits whose middles lie within ROW_SPREAD digit heights
    of the one above. Of several (three rows chained by two tails), the one nearest the box's
    middle; None when no rows lie beside both its parts. The seam between rows that touch must
    pass there: the least ink across a chain of a "4" over a "7" over an "8" ran through the
    "7"'s stem, whose pieces read "1"."""
    x, y, w, h = box
    digits = []  # (top, bottom) of the digits beside the group
    for ox, oy, ow, oh in others:
        if max(ox - (x + w), x - (ox + ow)) > GAP_REACH * typical:
            continue
        if 0.5 * typical <= oh <= 1.5 * typical:
            digits.append((oy, oy + min(oh, typical)))
        elif oh >= TWO_ROWS * typical:
            digits += [(oy, oy + typical), (oy + oh - typical, oy + oh)]
    digits = sorted((t, b) for t, b in digits if y <= (t + b) / 2 <= y + h)
    rows: list[list[tuple[float, float]]] = []
    for top, bottom in sorted(digits, key=lambda d: d[0] + d[1]):
        if rows and (top + bottom) / 2 - (rows[-1][-1][0] + rows[-1][-1][1]) / 2 <= ROW_SPREAD * typical:
            rows[-1].append((top, bottom))
        else:
            rows.append([(top, bottom)])
    gaps = [(float(np.median([b for _, b in upper])) + float(np.median([t for t, _ in lower]))) / 2 - y
            for upper, lower in zip(rows, rows[1:])]
    return min(gaps, key=lambda g: abs(g - h / 2)) if gaps else None


def spans_two_rows(box: tuple[int, int, int, int], path: np.ndarray, others: list[tuple[int, int, int, int]],
                   typical: float) -> bool:
    """Whether the group in `box` (x, y, w, h) is two rows touching: it is TWO_ROWS digit heights
    high, and rows of digits lie beside it (in `others`, within three digit heights to the left or
    right): a digit's centre level with its part above the seam (`path`, rows in the box, at the
    column nearest that digit) and one level with its part below. A digit-sized box (0.5-1.5 digit
    heights high) is one digit; another group TWO_ROWS high is a digit at its top and one at its
    bottom, a digit height each (where rows touch all along, the next digits touch too)."""
    x, y, w, h = box
    if h < TWO_ROWS * typical:
        return False
    sides = set()
    for ox, oy, ow, oh in others:
        if max(ox - (x + w), x - (ox + ow)) > 3 * typical:
            continue
        if 0.5 * typical <= oh <= 1.5 * typical:
            centres = [oy + oh / 2]
        elif oh >= TWO_ROWS * typical:
            centres = [oy + typical / 2, oy + oh - typical / 2]
        else:
            continue
        column = min(max(round(ox + ow / 2) - x, 0), w - 1)
        sides.update(centre < y + path[column] for centre in centres if y <= centre <= y + h)
    return sides == {True, False}
