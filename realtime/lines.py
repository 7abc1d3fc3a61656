"""Ruled lines, printed box edges and the paper's edge out of an ink mask; the digit strokes they cross kept.

A ruled line through a row of digits joins them into one connected component, and a printed box
around a digit makes one component of box and digit: either way the finder cannot see the digits.
Long straight segments are found with the probabilistic Hough transform (J. Matas, C. Galambos,
J. Kittler, "Robust detection of lines using the progressive probabilistic Hough transform",
CVIU 78(1), 2000; OpenCV's `HoughLinesP`), only on components long enough to hold one, so a frame
without lines costs one contour pass. Their pixels are removed, then given back where a stroke
crosses: a removed pixel with ink on both sides of the line, just beyond its width, is a
stroke's (the classic repair of form-line removal, e.g. Yoo et al., "Line removal and
restoration of handwritten strokes on form documents", Pattern Recognition 30(4), 1997).

What counts as a line is decided per connected component, in two kinds:

- a line-shaped component (2.5 times as long as it is wide, or a grid) at least half as long as
  the frame's shorter side (ruled lines, the paper's edge, a table edge, with the digits that
  touch them): its straight segments a sixth of the shorter side long or more;
- a printed frame: a component whose outline is nearly its rotated bounding box, with a straight
  segment along each of its four sides, and ink inside: one box, or boxes in a row or a grid
  sharing their edges (a form's comb); its sides and the edges its boxes share.

So a digit's own straight strokes (a "1", the stem of a "4", the bar of a "7") are never taken
for lines, however large the digit is in the frame, unless the digit touches a long line. A
straight component that is nothing but its line is left to the finder, which rejects a lone
line by its shape: it touches no digit, and it may be a "1".
"""

from __future__ import annotations

import cv2
import numpy as np

#: Lines are drawn this many pixels wide around each Hough segment: a printed or ruled line, and
#: the blur and perspective that widen it in a camera frame.
LINE_WIDTH = 5


def remove_lines(mask: np.ndarray) -> np.ndarray:
    """uint8 (H, W) ink mask (non-zero = ink) -> the same mask, ruled lines and box edges removed.

    Pixels of a removed line that lie between ink on both of its sides are kept (a digit's stroke
    crossing it). The input is not modified. Raises ValueError for anything but a 2-D uint8 image.
    """
    if mask.ndim != 2 or mask.dtype != np.uint8:
        raise ValueError(f"expected a uint8 2-D mask, got {mask.dtype} {mask.shape}")
    short = min(mask.shape)
    bands = {True: np.zeros_like(mask), False: np.zeros_like(mask)}  # more horizontal / more vertical
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        segments = _frame_lines(mask, contour, (x, y, w, h)) if min(w, h) >= 4 * LINE_WIDTH else np.zeros((0, 4))
        if not len(segments) and max(w, h) >= short // 2 and (max(w, h) >= 2.5 * min(w, h) or min(w, h) >= short // 2):
            if _is_bar(contour):
                continue
            segments = _segments(mask, contour, (x, y, w, h), max(10, short // 6))
        for x0, y0, x1, y1 in segments:
            cv2.line(bands[abs(x1 - x0) >= abs(y1 - y0)], (x + x0, y + y0), (x + x1, y + y1), 255, LINE_WIDTH)
    line = cv2.bitwise_or(bands[True], bands[False]) & mask
    if not line.any():
        return mask
    kept = mask & ~line
    reach = 2 * LINE_WIDTH + 2  # beyond the band on each side, where two segments of one line overlap
    for horizontal, band in bands.items():
        # Ink within `reach` across the line: above and below a horizontal one, left and right of
        # a vertical one (one-sided kernels: the anchor at one end).
        kernel = np.ones((reach, 1) if horizontal else (1, reach), np.uint8)
        before = cv2.dilate(kept, kernel, anchor=(0, reach - 1) if horizontal else (reach - 1, 0))
        after = cv2.dilate(kept, kernel, anchor=(0, 0))
        kept |= band & mask & before & after
    return kept


def _segments(mask: np.ndarray, contour: np.ndarray, rect: tuple[int, int, int, int], length: int) -> np.ndarray:
    """Straight segments at least `length` px long in one component: (N, 4) int x0, y0, x1, y1 in its box."""
    x, y, w, h = rect
    own = np.zeros((h, w), np.uint8)
    cv2.drawContours(own, [contour], -1, 255, cv2.FILLED, offset=(-x, -y))
    own &= mask[y : y + h, x : x + w]
    found = cv2.HoughLinesP(own, 1, np.pi / 180, threshold=length // 2, minLineLength=length, maxLineGap=3)
    return np.zeros((0, 4), np.int32) if found is None else found.reshape(-1, 4)


def _frame_lines(mask: np.ndarray, contour: np.ndarray, rect: tuple[int, int, int, int]) -> np.ndarray:
    """The lines of a printed frame in one component, or none when it is not one: one box, or a
    row, column or grid of boxes sharing their edges (a comb on a form), with the digits that
    touch it. (N, 4) int x0, y0, x1, y1 in the component's box.

    A frame's outline fills most (80%) of its rotated bounding box, even in perspective, which no
    digit or pair of touching digits does. Turned square to that box, each of its four sides is a
    row (or column) within a sixth of the box from its edge that holds ink over 70% of its length
    (give or take a line's width: a side in perspective or broken where a digit touches it).
    Between two opposite sides, each row or column with ink over 95% of the way from one to the
    other is on an edge two boxes share: a digit's own stroke, inside its box, does not reach both sides. A
    frame must also hold ink away from its sides: a "0" written as a rectangle holds none.
    """
    none = np.zeros((0, 4), np.int32)
    x, y, w, h = rect
    centre, (a, b), angle = cv2.minAreaRect(contour)
    if cv2.contourArea(contour) < 0.8 * a * b:
        return none
    own = np.zeros((h, w), np.uint8)
    cv2.drawContours(own, [contour], -1, 255, cv2.FILLED, offset=(-x, -y))
    own &= mask[y : y + h, x : x + w]
    points = (contour.reshape(-1, 2) - (x, y)).astype(np.float32)
    turn = (angle + 45) % 90 - 45  # the smaller turn that squares the box, in one sense or the other
    best = None
    for degrees in (turn, -turn):
        matrix = cv2.getRotationMatrix2D((centre[0] - x, centre[1] - y), degrees, 1.0)
        turned = points @ matrix[:, :2].T + matrix[:, 2]
        low, high = turned.min(axis=0), turned.max(axis=0)
        if best is None or np.prod(high - low) < best[0]:
            matrix[:, 2] -= low
            best = (np.prod(high - low), matrix, high - low)
    _, matrix, size = best
    width, height = int(size[0]) + 1, int(size[1]) + 1
    square = cv2.warpAffine(own, matrix, (width, height), flags=cv2.INTER_NEAREST)
    along_rows = np.count_nonzero(cv2.dilate(square, np.ones((LINE_WIDTH, 1), np.uint8)), axis=1) / width
    along_cols = np.count_nonzero(cv2.dilate(square, np.ones((1, LINE_WIDTH), np.uint8)), axis=0) / height
    edge = height // 6 + 1, width // 6 + 1
    tops, bottoms = _sides(along_rows[: edge[0]], 0), _sides(along_rows[height - edge[0] :], height - edge[0])
    lefts, rights = _sides(along_cols[: edge[1]], 0), _sides(along_cols[width - edge[1] :], width - edge[1])
    if not (tops and bottoms and lefts and rights):
        return none
    top, bottom, left, right = max(tops), min(bottoms), max(lefts), min(rights)
    if bottom - top <= 4 * LINE_WIDTH or right - left <= 4 * LINE_WIDTH:
        return none
    if not np.count_nonzero(square[top + 2 * LINE_WIDTH : bottom - 2 * LINE_WIDTH, left + 2 * LINE_WIDTH : right - 2 * LINE_WIDTH]):
        return none
    x0, x1, y0, y1 = min(lefts) - LINE_WIDTH, max(rights) + LINE_WIDTH, min(tops) - LINE_WIDTH, max(bottoms) + LINE_WIDTH
    between = square[top : bottom + 1]
    reach = np.count_nonzero(cv2.dilate(between, np.ones((1, LINE_WIDTH), np.uint8)), axis=0) / len(between)
    ends = [(c, y0, c, y1) for c in lefts + rights + _shared(reach, left, right)]
    between = square[:, left : right + 1]
    reach = np.count_nonzero(cv2.dilate(between, np.ones((LINE_WIDTH, 1), np.uint8)), axis=1) / between.shape[1]
    ends += [(x0, r, x1, r) for r in tops + bottoms + _shared(reach, top, bottom)]
    back = cv2.invertAffineTransform(matrix)
    found = np.array(ends, np.float32).reshape(-1, 2) @ back[:, :2].T + back[:, 2]
    return np.round(found).astype(np.int32).reshape(-1, 4)


def _sides(coverage: np.ndarray, offset: int) -> list[int]:
    """The rows (or columns) of a frame's side: the indices of `coverage` (shares of the frame's
    width or height, starting at index `offset`) covered over 70% (a side is a few pixels thick,
    more in perspective)."""
    return (offset + np.flatnonzero(coverage >= 0.7)).tolist()


def _shared(coverage: np.ndarray, first: int, last: int) -> list[int]:
    """Edges two boxes share: between sides `first` and `last` (away from each by twice a line's
    width), every index covered over 95% (two boxes printed a few pixels apart have two edges
    side by side)."""
    inside = np.arange(first + 2 * LINE_WIDTH, last - 2 * LINE_WIDTH + 1)
    return inside[coverage[inside] >= 0.95].tolist()


def _is_bar(contour: np.ndarray) -> bool:
    """True when the component is nothing but one straight bar: it fills 80% of its rotated box."""
    (_, _), (a, b), _ = cv2.minAreaRect(contour)
    return cv2.contourArea(contour) >= 0.8 * a * b
