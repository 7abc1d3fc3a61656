"""Close-ups: a frame cropped close around its digits gets its ink found as on a page around them.

Binarisation (realtime.binarize) and line removal (realtime.lines) take their scales from the
frame's shorter side: the paper level's closing is a 25th of it, and a straight stroke half as
long as it is a line. On a page or a sheet in a camera frame, digits are a 7th to a 16th of that
side high, and both hold. A photo cropped to its row (the real dev set's small photos: digits
0.3-0.45 of the side) breaks them: a bold digit's strokes are as wide as the closing, whose "paper"
then lies dim under the digit and takes it away as the paper's edge, and a "1", a "7"'s stroke
or two touching digits are half the frame long and are removed as lines. Rows of rendered pages
cut out with a margin of 0.15 of their height (seed 7: ruled, boxes, touching and pencil pages)
read 12 of 125 rows right, 58 with a wrong number; padded, 87 and 15 (most of the 15 are read
wrong on the whole page too).

Such a frame is padded to at least FRAME_DIGITS of its digits' heights each way, its ink found
there, and the mask cut back to the frame: every scale is then what it is on a page, and a digit
cut by the frame's edge is still cut by it (the finder's border test runs on the frame itself).
The padding is the paper level under the frame's edge (realtime.binarize.paper_level: its
closing, ink erased) run on outwards (OpenCV's BORDER_REPLICATE), so the paper at the edge runs
on as paper and the ink on it stays ink. Repeating the frame's own edge rows instead drew a
printed line there (a crop cut at a row of boxes' top and bottom lines) out into dark bands,
which the binarisation took for the table beside a sheet: the box edges reaching them, with
the digits touching those, went as its rim, and the boxes, their lines gone, were no boxes
("2413" cropped to its boxes read "13", "9515" read "15"). A page's frame is not padded.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median  # lists of a few numbers: far cheaper than numpy's

import cv2
import numpy as np

from realtime.binarize import binarize, paper_level
from realtime.lines import remove_lines

#: A frame whose digits are on average at least this share of its shorter side high is a close-up.
#: Pages and camera frames of a sheet: at most 0.15; the real dev set's small photos 0.3-0.45.
CLOSE_UP = 0.25
#: A close-up is padded to at least this many of its digits' heights each way: the rendered
#: pages' digits are a 7th to an 11th of theirs, the real phone photos' a 12th to a 16th (7: seed-7
#: crops' whole rows 83.3%, a grey pencil "8" dropped as a blob beside the closing's 15 px; 10: 90.0%).
FRAME_DIGITS = 10
#: Components under this share of the shorter side high are specks and grain, not digits.
SPECK = 0.1


def find_ink(gray: np.ndarray, sensitivity: int) -> tuple[np.ndarray, bool]:
    """uint8 (H, W) dark ink on light (realtime.binarize.gray_ink) -> uint8 (H, W) mask, 255
    where there is ink: binarised (realtime.binarize.binarize) and cleared of ruled lines and
    printed boxes (realtime.lines.remove_lines), at the scale of a page around the digits when
    the frame is a close-up (`digit_height`); and whether it is one (its digits may then fill
    the frame: realtime.segment.FinderSettings.fill_frame). ValueError as `binarize` raises it."""
    mask = binarize(gray, sensitivity)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)  # traced once for both
    height = digit_height(mask, contours)
    if height is None:
        return remove_lines(mask, contours), False
    rows, cols = gray.shape
    side = FRAME_DIGITS * height
    pad_y, pad_x = (max(0, round(side - n)) // 2 + 1 for n in (rows, cols))
    padded = cv2.copyMakeBorder(paper_level(gray), pad_y, pad_y, pad_x, pad_x, cv2.BORDER_REPLICATE)
    padded[pad_y : pad_y + rows, pad_x : pad_x + cols] = gray
    return remove_lines(binarize(padded, sensitivity))[pad_y : pad_y + rows, pad_x : pad_x + cols], True


def digit_height(mask: np.ndarray, contours: Sequence[np.ndarray] | None = None) -> float | None:
    """The median height in px of the ink components of `mask` (uint8 (H, W), non-zero = ink)
    when the frame is a close-up of them (CLOSE_UP), else None. `contours`: as `ink_height`."""
    height = ink_height(mask, contours)
    return height if height is not None and height >= CLOSE_UP * min(mask.shape) else None


def ink_height(mask: np.ndarray, contours: Sequence[np.ndarray] | None = None) -> float | None:
    """The median height in px of the ink components of `mask` (uint8 (H, W), non-zero = ink),
    or None when it has none. Components under SPECK of the shorter side are left out; their
    outer contours only are traced (a frame of a page costs about 0.06 ms), unless the caller
    gives them: `contours` as cv2.findContours(mask, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE) does."""
    short = min(mask.shape)
    if contours is None:
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    heights = [h for h in (cv2.boundingRect(c)[3] for c in contours) if h >= SPECK * short]
    return float(median(heights)) if heights else None
