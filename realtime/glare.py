"""Glare that may hide a digit: a row is given no number where the camera clipped its paper to white.

A reflection on glossy paper or a lamp's hot spot raises paper and ink alike, and where it reaches
the sensor's white the ink under it is gone: no binarisation can find it, and the row reads as a
number without that digit ("541" for 3541, "917" for 9107: a fresh user's copies of the real
photos with a saturated spot on a digit, 16 of 56 such copies, and 7 more reading the digit's
surviving part as another digit). A stretch of clipped paper in a row's band, big enough to
hold a digit and with no ink found near it, may be such a digit, or only a space: the row shows
"?" there and has no number. Clipped paper around ink that survived (a softer spot: the strokes
stay darker than white) is explained by that ink, and stretches of it narrower than a digit (the
gaps between digits) hold none; so is clipping above or below the row. Pure functions: numpy in,
numpy and results out.
"""

from __future__ import annotations

from statistics import median

import cv2
import numpy as np

from realtime.reading import DigitResult

#: Grey at or above this (of 255) is clipped: the sensor's white, where ink is lost. JPEG noise
#: keeps clipped paper within a few levels of 255.
CLIPPED = 250
#: Ink found within this share of the row's digit height of a clipped pixel explains it: a stroke
#: that survived the spot, and the paper between its strokes.
CLEAR = 0.3
#: A clipped stretch with no ink near it that holds a square this share of the row's digit height
#: on a side can hide a digit (realtime.segment.IN_ROW: the smallest digit-sized shape in a row).
HOLDS = 0.5
#: A clipped region at most SPOT of a row's digit height across is a hot spot, which takes the ink
#: under it; clipped paper wider than that is the exposure of the whole page, which left its ink.
SPOT = 6.0
#: Gaps in a spot narrower than this share of the row's digit height are closed before its holes
#: are filled: a faint stroke crossing the spot's rim (an "8" half in the glare) breaks it open.
BRIDGE = 0.15
#: Why the "?" that stands in a row for a stretch of glare is no digit (DigitResult.reason).
REASON = "in glare"


def clipped(gray: np.ndarray) -> np.ndarray | None:
    """uint8 (H, W) grey, dark ink on light paper -> uint8 0/255 mask of clipped pixels (at least
    CLIPPED), or None when there are none (most frames: 0.05 ms to tell)."""
    mask = cv2.threshold(gray, CLIPPED - 1, 255, cv2.THRESH_BINARY)[1]  # (cv2.compare takes a tiny image for a Scalar)
    return mask if cv2.countNonZero(mask) else None


def doubt_hidden(results: list[DigitResult], white: np.ndarray | None, ink: np.ndarray) -> list[DigitResult]:
    """`results` (in reading order, boxes in the pixels of `white` and `ink`) with a "?" (REASON,
    no probabilities) inserted into a line wherever clipped paper (`white`, from `clipped`; None:
    none) with its holes filled holds a HOLDS square with no ink (`ink`, uint8 (H, W), non-zero
    where ink is) within CLEAR of it: in a gap between two of the line's digits, level with them,
    or within a pitch before its first digit or after its last, level with that digit (a row
    photographed at a slant runs lower or higher there than its middle). The line then has no
    number (Reading.number)."""
    if white is None:
        return results
    lines: dict[int, list[DigitResult]] = {}
    for result in results:
        if result.line >= 0:
            lines.setdefault(result.line, []).append(result)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(white, connectivity=8)
    spots: list[DigitResult] = []
    for key, members in lines.items():
        named = [r for r in members if r.probs is not None] or members
        height = float(median(r.box[3] for r in named))
        if height < 4:
            continue
        small = [k for k in range(1, count) if max(stats[k, 2], stats[k, 3]) <= SPOT * height]
        if not small:
            continue  # clipped paper all over: the exposure, which left the ink (an overexposed page)
        spot_mask = np.isin(labels, small).astype(np.uint8) * 255 if len(small) < count - 1 else white
        centres = sorted(r.box[0] + r.box[2] / 2 for r in named)
        steps = [b - a for a, b in zip(centres, centres[1:])]
        pitch = max(height, float(median(steps))) if steps else height
        ordered = sorted(members, key=lambda r: r.box[0])
        ends = [(r.box[0], r.box[0] + r.box[2], r.box[1], r.box[1] + min(r.box[3], round(height))) for r in ordered]
        first, last = ends[0], ends[-1]
        segments = [(first[0] - pitch, first[0], first[2], first[3])]
        segments += [(a[1], b[0], min(a[2], b[2]), max(a[3], b[3])) for a, b in zip(ends, ends[1:])]
        segments.append((last[1], last[1] + pitch, last[2], last[3]))
        for left, right, top, bottom in segments:
            box = _hidden(spot_mask, ink, (round(left), round(right), top, bottom), height)
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
    # ink just beyond the span explains clipped paper in it too: cropped with a margin of `reach`
    x0, y0 = max(0, left - reach), max(0, top - reach)
    x1, y1 = min(white.shape[1], right + reach), min(white.shape[0], bottom + reach)
    near = cv2.dilate(np.ascontiguousarray(ink[y0:y1, x0:x1]),
                      cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    band = np.ascontiguousarray(white[y0:y1, x0:x1])
    # the spot with its holes: a digit whose ink stayed a little darker than white inside it (a
    # light-blue "0" under a hot spot) is a hole the binarisation found no ink in
    bridge = max(3, round(BRIDGE * height) | 1)  # a faint stroke across the spot's rim opens it
    band = cv2.morphologyEx(band, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (bridge, bridge)))
    outlines, _ = cv2.findContours(band, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(band)
    cv2.drawContours(filled, outlines, -1, 255, cv2.FILLED)
    blind = cv2.bitwise_and(filled, cv2.bitwise_not(near))[top - y0 : bottom - y0, left - x0 : right - x0]
    held = cv2.erode(blind, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    if not cv2.countNonZero(held):
        return None
    x, y, w, h = cv2.boundingRect(held)
    return left + x - side // 2, top + y - side // 2, w + side - 1, h + side - 1
