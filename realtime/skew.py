"""Skew: a page photographed with the phone held askew, its rows and digits tilted 5-25 degrees.

Rows are found by linking level neighbours (realtime/textlines.py) and digits are read as MNIST
writes them, upright: a row tilted 15 degrees breaks into pieces at its ends (a "5411" read
"411", its "5" a row of its own: a wrong number) and a tilted "4" reads "9". So the skew is
measured from the digits themselves and the frame is turned level before it is read, the skew
correction step of document image analysis, with the skew estimated as in the docstrum
(L. O'Gorman, "The document spectrum for page layout analysis", IEEE PAMI 15(11), 1993): the
angles of the vectors from each digit to its nearest neighbours, of which those along a row
(within MAX_ROW_ANGLE of horizontal) give the row's direction; their median is the page's skew.
A neighbour above or below (the next row of a dense page) is steeper and left out.

Below MIN_SKEW nothing is turned: the row finder follows slopes that small, handwriting itself
leans a few degrees either way, and the classifier reads digits leaning that little alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

Box = tuple[int, int, int, int]

#: Vectors to a neighbour this close to horizontal (degrees) run along a row: beyond it they go to
#: the next row. Rows 1.2 digit heights apart and digits a digit apart put the next row's nearest
#: digit 50 degrees or more off a level row's direction, 25 or more off one tilted 25 degrees.
MAX_ROW_ANGLE = 30.0
#: Neighbours this many of the digits' median height apart or less (centre to centre) count.
REACH = 3.0
#: Each digit's this many nearest neighbours vote.
NEIGHBOURS = 2
#: At least this many votes along rows make a skew: two digits alone say little about a page.
MIN_VOTES = 3
#: Skews under this many degrees are left alone: the row finder follows them, and levelling
#: resamples the ink (a pencil stroke may thin out). Chosen on the rendered pages of seed 7: pages
#: of the upright kinds (turned up to 4 degrees, and by the camera's perspective) measure at most
#: 6.1, those of the tilted kind (8-20 degrees) 11.3 or more; rows begin to break at about 15.
MIN_SKEW = 8.0
#: A video's frame is levelled by the last frame's skew; it is levelled again only when the skew
#: measured through it is this many degrees off (a phone turning in the hand).
RESKEW = 2.0


def estimate_skew(boxes: Sequence[Box]) -> float:
    """The skew of rows of digits at `boxes` (x, y, w, h px, image coordinates, y down), in
    degrees: positive when rows climb to the right (the page turned anticlockwise in the image).
    0.0 when too few digits have a neighbour along a row (MIN_VOTES)."""
    if len(boxes) < 2:
        return 0.0
    array = np.asarray(boxes, np.float64).reshape(-1, 4)
    centres = array[:, :2] + array[:, 2:] / 2
    height = float(np.median(array[:, 3]))
    offsets = centres[None, :, :] - centres[:, None, :]  # [i, j]: from i to j
    distance = np.hypot(offsets[..., 0], offsets[..., 1])
    np.fill_diagonal(distance, np.inf)
    count = min(NEIGHBOURS, len(array) - 1)
    nearest = np.argpartition(distance, count - 1, axis=1)[:, :count]  # each digit's nearest, any order
    rows = np.repeat(np.arange(len(array)), count)
    near = nearest.ravel()
    dx, dy = offsets[rows, near, 0], offsets[rows, near, 1]
    flip = dx < 0  # the same vector seen from its other end
    dx, dy = np.where(flip, -dx, dx), np.where(flip, -dy, dy)
    angles = np.degrees(np.arctan2(-dy, dx))  # y grows downwards; climbing is positive
    votes = angles[(distance[rows, near] <= REACH * height) & (np.abs(angles) <= MAX_ROW_ANGLE)]
    return float(np.median(votes)) if len(votes) >= MIN_VOTES else 0.0


def level(image: np.ndarray, skew: float) -> tuple[np.ndarray, np.ndarray]:
    """`image` (H, W[, C]) turned by `skew` degrees (estimate_skew's sign) so that its rows are
    level, on a canvas large enough to keep every corner, the new border filled by replicating the
    old one (paper stays paper); and the 2x3 affine matrix from the levelled image back to
    `image`."""
    height, width = image.shape[:2]
    forward = cv2.getRotationMatrix2D((width / 2, height / 2), -skew, 1.0)
    cos, sin = abs(forward[0, 0]), abs(forward[0, 1])
    size = (int(math.ceil(width * cos + height * sin)), int(math.ceil(width * sin + height * cos)))
    forward[:, 2] += (size[0] - width) / 2, (size[1] - height) / 2
    levelled = cv2.warpAffine(image, forward, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return levelled, cv2.invertAffineTransform(forward)


def seen_area(shape: tuple[int, ...], back: np.ndarray, levelled_shape: tuple[int, ...]) -> np.ndarray:
    """Where a levelled image (`levelled_shape`, from `level` with `back`) holds the pixels of the
    image of `shape` it was made from: uint8, 255 there and 0 on the border `level` filled in."""
    height, width = levelled_shape[:2]
    frame = np.full(shape[:2], 255, np.uint8)
    return cv2.warpAffine(frame, back, (width, height), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def box_back(box: Box, back: np.ndarray, shape: tuple[int, ...], ink: np.ndarray | None = None) -> Box:
    """A box (x, y, w, h) in the levelled image -> the box around the same digit in the image
    before (`back` from `level`), clipped to that image's `shape` (H, W, ...): the digit's box as
    the camera sees it. With `ink` (the levelled image's uint8 ink mask), the box is the one
    around the box's ink mapped back, as tight as the digit's own; else (or with no ink in it)
    around the box's corners, which a tilt of 20 degrees makes a fifth larger each way."""
    x, y, w, h = box
    points = None
    if ink is not None:
        ys, xs = np.nonzero(ink[max(y, 0) : y + h, max(x, 0) : x + w])
        if xs.size:
            points = np.stack([xs + max(x, 0), ys + max(y, 0)], axis=1).astype(np.float64)
            points = np.concatenate([points, points + 1.0])  # each pixel's far corner too
    if points is None:
        points = np.array([[x, y], [x + w, y], [x, y + h], [x + w, y + h]], np.float64)
    mapped = points @ back[:, :2].T + back[:, 2]
    height, width = shape[:2]
    x0, y0 = np.clip(np.floor(mapped.min(axis=0)), 0, [width, height])
    x1, y1 = np.clip(np.ceil(mapped.max(axis=0)), 0, [width, height])
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)
