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

A frame of one short row (the usual phone photo of one number: two to five candidates, touching
pairs standing as one) gives too few votes, and a row steeper than MAX_ROW_ANGLE none: unlevelled,
its digits are not level with each other and stand as rows of their own, read top to bottom: the
real "2350" of two touching pairs turned 15 degrees read "50 23", the real "3268" turned 25 (its
row climbs 31) "68 2 3", both wrong numbers. So when the docstrum measures nothing and every
candidate lies on one straight line (`one_row`: the total least-squares line through their
centres, the direction of least spread, as a text line is fitted), that line is the row and its
angle the skew.

Below MIN_SKEW nothing is turned: the row finder follows slopes that small, handwriting itself
leans a few degrees either way, and the classifier reads digits leaning that little alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import median  # lists of a few numbers: far cheaper than numpy's

import cv2
import numpy as np

from realtime.textlines import REACH as LINK_REACH

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
#: One row (`one_row`): every centre within ONE_ROW_SPREAD digit heights of the line through them
#: (a tail or a small digit moves a centre a quarter of a height; two rows are 1.2 or more apart,
#: so the line between them passes 0.6 or more from each), the row ONE_ROW_SPAN digit heights long
#: or more from its first centre to its last (two digits side by side, one taller, lean 10-20
#: degrees: too short to tell a direction), and no more than ONE_ROW_ANGLE off horizontal (nearer
#: 45, a column of digits lies the same way: the turn by 90 degrees reads it).
ONE_ROW_SPREAD = 0.35
ONE_ROW_SPAN = 2.0
ONE_ROW_ANGLE = 40.0
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
    The docstrum's (`docstrum_skew`), else that of a frame of one row (`one_row`); 0.0 when neither
    measures one."""
    if len(boxes) < 2:
        return 0.0
    array = np.asarray(boxes, np.float64).reshape(-1, 4)
    centres = array[:, :2] + array[:, 2:] / 2
    height = float(median(array[:, 3].tolist()))
    skew = docstrum_skew(centres, height)
    if skew is None:
        skew = one_row(array, height)
    return 0.0 if skew is None else skew


def docstrum_skew(centres: np.ndarray, height: float) -> float | None:
    """The median angle (degrees, climbing positive) of the vectors from each of `centres` ((N, 2)
    float64 x, y px, N >= 2) to its NEIGHBOURS nearest, of those REACH digit heights (`height` px)
    long or less and within MAX_ROW_ANGLE of horizontal; None under MIN_VOTES such votes."""
    offsets = centres[None, :, :] - centres[:, None, :]  # [i, j]: from i to j
    distance = np.hypot(offsets[..., 0], offsets[..., 1])
    np.fill_diagonal(distance, np.inf)
    count = min(NEIGHBOURS, len(centres) - 1)
    nearest = np.argpartition(distance, count - 1, axis=1)[:, :count]  # each digit's nearest, any order
    rows = np.repeat(np.arange(len(centres)), count)
    near = nearest.ravel()
    dx, dy = offsets[rows, near, 0], offsets[rows, near, 1]
    flip = dx < 0  # the same vector seen from its other end
    dx, dy = np.where(flip, -dx, dx), np.where(flip, -dy, dy)
    angles = np.degrees(np.arctan2(-dy, dx))  # y grows downwards; climbing is positive
    votes = angles[(distance[rows, near] <= REACH * height) & (np.abs(angles) <= MAX_ROW_ANGLE)]
    return float(median(votes.tolist())) if len(votes) >= MIN_VOTES else None


def one_row(boxes: np.ndarray, height: float) -> float | None:
    """The angle (degrees, climbing positive) of the one row that the digits in `boxes` ((N, 4)
    float64 x, y, w, h px, N >= 2) of `height` px make: the total least-squares line through their
    centres (the centres' principal axis), when every centre lies within ONE_ROW_SPREAD digit
    heights of it, the centres span ONE_ROW_SPAN digit heights or more along it, the boxes leave at
    most LINK_REACH digit heights free between one and the next along it (realtime/textlines.py
    links digits no further apart; a touching pair is one box twice a digit wide, so its centre
    lies further from the next than a digit's), and it lies within ONE_ROW_ANGLE of horizontal;
    else None (two rows, a column, scattered marks)."""
    centres = boxes[:, :2] + boxes[:, 2:] / 2
    offsets = centres - centres.mean(axis=0)
    spread = offsets.T @ offsets  # 2x2 scatter matrix: its major axis is the line's direction
    axis = 0.5 * math.atan2(2 * spread[0, 1], spread[0, 0] - spread[1, 1])  # radians, y down, in [-90, 90] degrees
    along = np.array([math.cos(axis), math.sin(axis)])  # runs left to right (cos >= 0)
    angle = -math.degrees(axis)  # y grows downwards; climbing is positive
    if abs(angle) > ONE_ROW_ANGLE:
        return None
    across = offsets @ np.array([-along[1], along[0]])
    order = np.argsort(offsets @ along)
    positions = (offsets @ along)[order]
    extents = (boxes[order, 2] * abs(along[0]) + boxes[order, 3] * abs(along[1])) / 2  # half a box along the row
    free = np.diff(positions) - extents[1:] - extents[:-1]
    if (np.abs(across).max() > ONE_ROW_SPREAD * height or positions[-1] - positions[0] < ONE_ROW_SPAN * height
            or free.max() > LINK_REACH * height):
        return None
    return angle


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
