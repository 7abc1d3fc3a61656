"""Ruled lines, printed box edges and the paper's edge out of an ink mask; the digit strokes they cross kept.

A ruled line through a row of digits joins them into one connected component, and a printed box
around a digit makes one component of box and digit: either way the finder cannot see the digits.
Long straight segments are found with the probabilistic Hough transform (J. Matas, C. Galambos,
J. Kittler, "Robust detection of lines using the progressive probabilistic Hough transform",
CVIU 78(1), 2000; OpenCV's `HoughLinesP`), only on components long enough to hold one, so a frame
without lines costs one contour pass. Their pixels are removed, then given back where a stroke
crosses: a removed pixel with ink on both sides of the line, just beyond its width, is a
stroke's (the classic repair of form-line removal, e.g. Yoo et al., "Line removal and
restoration of handwritten strokes on form documents", Pattern Recognition 30(4), 1997), when
the piece given back touches that ink on both sides (the stroke runs on across the line; a
piece of an edge between two digits near it, touching neither, is the line).

What counts as a line is decided per connected component, in two kinds:

- a line-shaped component (2.5 times as long as it is wide, or a grid) at least half as long as
  the frame's shorter side (ruled lines, the paper's edge, a table edge, with the digits that
  touch them): its straight segments a sixth of the shorter side long or more;
- a printed frame (realtime/frames.py): one box, or boxes in a row sharing their edges (a form's
  comb), with ink inside; its sides and the edges its boxes share.

So a digit's own straight strokes (a "1", the stem of a "4", the bar of a "7") are never taken
for lines, however large the digit is in the frame, unless the digit touches a long line. A
straight component that is nothing but its line is left to the finder, which rejects a lone
line by its shape: it touches no digit, and it may be a "1".
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from realtime.frames import frame_lines

#: Lines are drawn this many pixels wide around each Hough segment: a printed or ruled line, and
#: the blur and perspective that widen it in a camera frame.
LINE_WIDTH = 5


def remove_lines(mask: np.ndarray, contours: Sequence[np.ndarray] | None = None) -> np.ndarray:
    """uint8 (H, W) ink mask (non-zero = ink) -> the same mask, ruled lines and box edges removed.

    Pixels of a removed line that lie between ink on both of its sides are kept (a digit's stroke
    crossing it). The input is not modified. `contours`: the mask's outer contours as
    cv2.findContours(mask, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE) gives them, when the caller has
    traced them already (realtime.closeup.find_ink); None: traced here. Raises ValueError for
    anything but a 2-D uint8 image.
    """
    if mask.ndim != 2 or mask.dtype != np.uint8:
        raise ValueError(f"expected a uint8 2-D mask, got {mask.dtype} {mask.shape}")
    short = min(mask.shape)
    bands: dict[bool, np.ndarray] = {}  # more horizontal / more vertical; made when a line is drawn
    if contours is None:
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        frame = frame_lines(mask, contour, (x, y, w, h), LINE_WIDTH) if min(w, h) >= 4 * LINE_WIDTH else None
        if frame is not None:
            bands = bands or {True: np.zeros_like(mask), False: np.zeros_like(mask)}
            for horizontal, lines in zip((True, False), frame):
                bands[horizontal][y : y + h, x : x + w] |= lines
            continue
        if max(w, h) < short // 2 or (max(w, h) < 2.5 * min(w, h) and min(w, h) < short // 2) or _is_bar(contour):
            continue
        segments = _segments(mask, contour, (x, y, w, h), max(10, short // 6))
        for x0, y0, x1, y1 in segments:
            bands = bands or {True: np.zeros_like(mask), False: np.zeros_like(mask)}
            cv2.line(bands[abs(x1 - x0) >= abs(y1 - y0)], (x + x0, y + y0), (x + x1, y + y1), 255, LINE_WIDTH)
    if not bands:  # most frames: no component holds a line
        return mask
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
        crossing = band & mask & before & after
        # A stroke crosses the line in a short run (a 6 px stroke crossing at 20 degrees: 18 px);
        # a run along it twice `reach` long is the line itself between digits close on both sides
        # (an edge two printed boxes share).
        along = np.ones((1, 2 * reach) if horizontal else (2 * reach, 1), np.uint8)
        crossing &= ~cv2.morphologyEx(crossing, cv2.MORPH_OPEN, along)
        kept |= _continuing(crossing, kept, horizontal)
    return kept


def _continuing(crossing: np.ndarray, kept: np.ndarray, horizontal: bool) -> np.ndarray:
    """The pieces of `crossing` (a line's pixels with ink near both its sides) that touch `kept`
    ink on both sides of the line (above and below a horizontal one, left and right of a vertical
    one): a stroke runs on across the line. A piece of the line itself between two digits near it
    on both sides, touching neither (an edge two printed boxes share, bent a pixel so that no run
    along it is long), stays removed: given back, it stood between the digits as a "1" of its own.
    uint8 (H, W) 0/255 masks in and out."""
    if not cv2.countNonZero(crossing):
        return crossing
    x, y, w, h = cv2.boundingRect(crossing)
    x0, y0, x1, y1 = max(0, x - 1), max(0, y - 1), min(crossing.shape[1], x + w + 1), min(crossing.shape[0], y + h + 1)
    piece, ink = crossing[y0:y1, x0:x1], kept[y0:y1, x0:x1]
    # ink one pixel before (above / left of) each pixel, and one pixel after it, diagonals included
    kernel = np.ones((2, 3) if horizontal else (3, 2), np.uint8)
    before = cv2.dilate(ink, kernel, anchor=(1, 1))
    after = cv2.dilate(ink, kernel, anchor=(1, 0) if horizontal else (0, 1))
    count, labels = cv2.connectedComponents(piece, connectivity=8)
    both = np.zeros(count, bool)
    both[np.unique(labels[(piece & before) > 0])] = True
    touched_after = np.zeros(count, bool)
    touched_after[np.unique(labels[(piece & after) > 0])] = True
    both &= touched_after
    both[0] = False
    out = np.zeros_like(crossing)
    out[y0:y1, x0:x1] = np.where(both[labels], 255, 0).astype(np.uint8)
    return out


def _segments(mask: np.ndarray, contour: np.ndarray, rect: tuple[int, int, int, int], length: int) -> np.ndarray:
    """Straight segments at least `length` px long in one component: (N, 4) int x0, y0, x1, y1 in its box."""
    x, y, w, h = rect
    own = np.zeros((h, w), np.uint8)
    cv2.drawContours(own, [contour], -1, 255, cv2.FILLED, offset=(-x, -y))
    own &= mask[y : y + h, x : x + w]
    found = cv2.HoughLinesP(own, 1, np.pi / 180, threshold=length // 2, minLineLength=length, maxLineGap=3)
    return np.zeros((0, 4), np.int32) if found is None else found.reshape(-1, 4)


def _is_bar(contour: np.ndarray) -> bool:
    """True when the component is nothing but one straight bar: it fills 80% of its rotated box."""
    (_, _), (a, b), _ = cv2.minAreaRect(contour)
    return cv2.contourArea(contour) >= 0.8 * a * b
