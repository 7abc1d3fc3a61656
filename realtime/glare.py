"""Glare that may hide a digit: a row is given no number where the camera clipped its paper to white
in a gap where a digit is missing.

A reflection on glossy paper or a lamp's hot spot raises paper and ink alike, and where it reaches
the sensor's white the ink under it is gone: no binarisation can find it, and the row reads as a
number without that digit ("368" for 3268, "344785512" for 3446785512: a fresh user's copies of
the real photos with a hot spot on a digit). A gap between two digits of a row wider than the
row's usual gap by a digit's room, where the paper is clipped and no ink was found near it, may
hold such a digit: the row shows "?" there and has no number. Clipped paper around ink that
survived (a softer spot: its strokes stay darker than white) is explained by that ink; a gap no
wider than the row's others is a space like them (a soft spot over a row of digits in printed
boxes clipped every gap between them); clipping over a whole page is its exposure, which left the
ink. Beyond a row's ends a lost digit cannot be told from the margin: not looked for (left: a hot
spot on a row's first or last digit gives the number without it). Pure functions: numpy in, numpy
and results out.
"""

from __future__ import annotations

from statistics import median

import cv2
import numpy as np

from realtime.reading import DigitResult, by_line
from realtime.segment import IN_ROW

#: Grey at or above this (of 255) is clipped: the sensor's white, where ink is lost. JPEG noise
#: keeps clipped paper within a few levels of 255.
CLIPPED = 250
#: Ink found within this share of the row's digit height of a clipped pixel explains it: a stroke
#: that survived the spot, and the paper between its strokes.
CLEAR = 0.3
#: A clipped stretch with no ink near it that holds a square this share of the row's digit height
#: on a side can hide a digit (the smallest digit-sized shape that stands in a row: IN_ROW), and a
#: gap this much wider than the row's usual one has room for a digit more.
HOLDS = IN_ROW
#: A clipped region at most SPOT of a row's digit height across is a hot spot, which takes the ink
#: under it; clipped paper wider than that is the exposure of the whole page, which left its ink.
SPOT = 6.0
#: Why the "?" that stands in a row for a stretch of glare is no digit (DigitResult.reason).
REASON = "in glare"


def clipped(gray: np.ndarray) -> np.ndarray | None:
    """uint8 (H, W) grey, dark ink on light paper -> uint8 0/255 mask of clipped pixels (at least
    CLIPPED), or None when there are none (most frames: 0.05 ms to tell)."""
    mask = cv2.threshold(gray, CLIPPED - 1, 255, cv2.THRESH_BINARY)[1]  # (cv2.compare takes a tiny image for a Scalar)
    return mask if cv2.countNonZero(mask) else None


def doubt_hidden(results: list[DigitResult], white: np.ndarray | None, ink: np.ndarray) -> list[DigitResult]:
    """`results` (in reading order, boxes in the pixels of `white` and `ink`) with a "?" (REASON,
    no probabilities) inserted into a line at each gap between two of its digits, HOLDS of its
    digit height wider than its median gap, where clipped paper of a hot spot (`white`, from
    `clipped`, its regions at most SPOT of the line's digit height across; None: none) holds a
    HOLDS square with no ink (`ink`, uint8 (H, W), non-zero where ink is) within CLEAR of it,
    level with the two digits. The line then has no number (Reading.number)."""
    if white is None:
        return results
    lines = by_line(results)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(white, connectivity=8)
    spots: list[DigitResult] = []
    for key, members in lines.items():
        if len(members) < 2:
            continue
        named = [r for r in members if r.probs is not None] or members
        height = float(median(r.box[3] for r in named))
        small = [k for k in range(1, count) if max(stats[k, 2], stats[k, 3]) <= SPOT * height]
        if height < 4 or not small:
            continue
        hot = white if len(small) == count - 1 else np.isin(labels, small).astype(np.uint8) * 255
        ends = [(r.box[0], r.box[0] + r.box[2], r.box[1], r.box[1] + min(r.box[3], round(height)))
                for r in sorted(members, key=lambda r: r.box[0])]
        usual = float(median(b[0] - a[1] for a, b in zip(ends, ends[1:])))
        for a, b in zip(ends, ends[1:]):
            if b[0] - a[1] >= usual + HOLDS * height:
                box = _hidden(hot, ink, (a[1], b[0], min(a[2], b[2]), max(a[3], b[3])), height)
                if box is not None:
                    spots.append(DigitResult(box, key, None, 0.0, None, None, REASON))
    if not spots:
        return results
    out = list(results)
    for spot in spots:  # in its line, before the first of its members to the right of it
        line = [i for i, r in enumerate(out) if r.line == spot.line]
        after = [i for i in line if out[i].box[0] >= spot.box[0] + spot.box[2] / 2]
        out.insert(after[0] if after else line[-1] + 1, spot)
    return out


def _hidden(white: np.ndarray, ink: np.ndarray, span: tuple[int, int, int, int], height: float
            ) -> tuple[int, int, int, int] | None:
    """The box (x, y, w, h) of the clipped paper in `span` (left, right, top, bottom, px) that can
    hide a digit of a line `height` px high (see `doubt_hidden`), or None."""
    left, right, top, bottom = span
    left, top = max(0, left), max(0, top)
    right, bottom = min(white.shape[1], right), min(white.shape[0], bottom)
    side = max(3, round(HOLDS * height))
    if right - left < side or bottom - top < side or not cv2.countNonZero(white[top:bottom, left:right]):
        return None
    reach = max(1, round(CLEAR * height))
    # ink just beyond the span (the two digits' own strokes) explains clipped paper in it too
    x0, y0 = max(0, left - reach), max(0, top - reach)
    x1, y1 = min(white.shape[1], right + reach), min(white.shape[0], bottom + reach)
    near = cv2.dilate(np.ascontiguousarray(ink[y0:y1, x0:x1]),
                      cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    blind = cv2.bitwise_and(white[y0:y1, x0:x1], cv2.bitwise_not(near))[top - y0 : bottom - y0, left - x0 : right - x0]
    held = cv2.erode(np.ascontiguousarray(blind), cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    if not cv2.countNonZero(held):
        return None
    x, y, w, h = cv2.boundingRect(held)
    return left + x - side // 2, top + y - side // 2, w + side - 1, h + side - 1
