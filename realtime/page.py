"""Where the sheet is: handwriting is on paper, so what looks like a digit off the sheet is none.

A sheet held in front of a wooden door, a rough wall or a dark desk leaves background around it
whose grain and cracks binarise like pen strokes (thin vertical grain strips read "1" at 99%).
The sheet itself is the one large, bright, even region of the frame, so it is found the way
document scanners find a page, on a frame shrunk to WORK_SIDE px: ink erased by a closing, the
frame is cut into even regions wherever brightness drops sharply (a pixel under GROW_LEVEL of the
brightest one near it: the sheet's edge against a door is such a step, while a shadow or uneven
light fades over the page), the sheet is the region holding the most paper-bright pixels (at
least SEED_LEVEL of the brightest paper), and its outline is that region's convex hull (a hand
over the edge, a shadow's bite filled in). (Page detection by thresholding,
region growing and the convex hull: the document-scanner pipeline of e.g. A. Rosebrock, "How to
Build a Kick-Ass Mobile Document Scanner", PyImageSearch 2014, with the edge detection replaced
by brightness steps, which survive a frame cut by the sheet's own edges; region growing as in
R. Gonzalez and R. Woods, *Digital Image Processing*, 4th ed., section 10.4.)

When no sheet stands out (the page fills the frame, a scan, the canvas, light wood around
paper), `find_page` answers None and nothing is turned down.

A hand is no paper either, but in grey it looks like some: as bright as a sheet in shadow, as
even, and joined to the sheet it holds, so it widens the sheet's outline. Between its fingers the
table, along a finger the shadow, and at a fingertip a rounded edge binarise as strokes against
the skin beside them and read "1" at 99%. Skin (and wood) has a warm colour that paper has not,
so `reject_on_skin` turns down candidates on such a surface (skin colour as a hue range after
white balance, in the spirit of the explicit RGB skin rules of P. Kovac, J. Peer and F. Solina,
"Human Skin Colour Clustering for Face Detection", EUROCON 2003; white balance by the
white-patch rule, the brightest paper taken as white).
"""

from __future__ import annotations

import cv2
import numpy as np

from realtime.segment import IN_ROW_REASONS, Candidate, reading_order

#: The longer side of the shrunk frame the sheet is looked for in: a sheet is large, so 128 px
#: keep its outline to within 1% of the frame and cost well under a millisecond.
WORK_SIDE = 128
#: Paper is at least this share of the brightest paper (the 99th percentile of the ink-free
#: frame); the same 60% as realtime.binarize.EDGE_DEPTH: darker "paper" is the table or a wall.
SEED_LEVEL = 0.6
#: The sheet grows over pixels at least this share of the brightest pixel within a WINDOW-wide
#: square around them: a shadow's or a light's gradient over an eighth of the frame stays above
#: it, the step from a sheet to a wooden door or a brown table (a third to 60% as bright) does
#: not. At half, a yellow sheet on a mid-brown table (its wood 50-60% of the sheet) grew over the
#: table, no sheet was found and the wood's grain was read beside the rows (yellow pages, seed 5:
#: whole rows 87% -> 100% at 0.6; real-dev the same to the digit).
GROW_LEVEL = 0.6
WINDOW = 1 / 8  # of the shrunk frame's longer side
#: A sheet covers at least this share of the frame (a smaller bright patch is a lamp or a window,
#: and digits on a sheet that small are specks), and at most MAX_AREA of it (else the rest is a
#: sliver along the frame's edge, or the paper fills the frame).
MIN_AREA = 0.1
MAX_AREA = 0.98
#: Paper beyond a shadow's sharp edge or a second sheet: at least SHADOW_LEVEL of the brightest
#: paper (a hand's or a phone's shadow takes 30-60% of the light), at most TEXTURE_SHARE of it a
#: TEXTURE_CONTRAST darker than its ink-free level (handwriting covers under a tenth of a page
#: at WORK_SIDE px; wood grain, a rough wall, a noisy dark desk a third or more), and at least
#: PART_AREA of the frame.
SHADOW_LEVEL = 0.4
TEXTURE_CONTRAST = 0.12
TEXTURE_SHARE = 0.2
PART_AREA = 0.02
#: ... and beside the sheet, not around it: its hull covers at most this share of the sheet's.
ENCLOSING = 0.1
REASON = "off the page"
#: Warm, after white balance on the WHITE_PERCENTILE of each channel (the paper): red at least
#: WARM_RED_BLUE times blue and green at most WARM_GREEN_RED times red (a hue under about 35
#: degrees: skin measures 1.5-1.8 and 0.72-0.79 in the rendered clips, wood 2 and 0.7; white
#: paper 1 and 1, yellow paper red as green, 0.9 or more), and at least WARM_LIGHT of the white
#: (what is darker has too little colour to tell: noise in the black of a floor).
WHITE_PERCENTILE = 97
WARM_RED_BLUE = 1.3
WARM_GREEN_RED = 0.85
WARM_LIGHT = 0.2
#: A candidate lies on skin or wood when over WARM_SHARE of the surface around its ink is warm:
#: chosen on the committed test clips (tests/data/camera), where the digits measure at most 0.04
#: and the marks on the hands 0.14 and more.
WARM_SHARE = 0.1
SKIN_REASON = "on skin or wood"


def find_page(dark: np.ndarray) -> np.ndarray | None:
    """uint8 (H, W), dark ink on light paper (realtime.binarize.gray_ink) -> the sheet or None.

    Returns the sheet's outline, a convex polygon: float32 (K, 2), (x, y) in pixels of `dark`;
    None when no sheet stands out from its surroundings (the paper fills the frame or there is
    none). Raises ValueError for anything but a non-empty 2-D uint8 image.
    """
    if not isinstance(dark, np.ndarray) or dark.ndim != 2 or dark.dtype != np.uint8 or dark.size == 0:
        raise ValueError(f"expected a non-empty 2-D uint8 image, got {getattr(dark, 'dtype', type(dark).__name__)} "
                         f"{getattr(dark, 'shape', '')}")
    height, width = dark.shape
    scale = min(1.0, WORK_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Bilinear, not area-averaging: 10 times cheaper, and the closing below erases what aliases.
    small = cv2.resize(dark, size, interpolation=cv2.INTER_LINEAR) if scale < 1 else dark
    # Ink erased: at WORK_SIDE px a pen stroke is 1-2 px wide, a sheet's margin 10 or more.
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    rank = paper.size * 99 // 100
    brightest = float(np.partition(paper.ravel(), rank)[rank])  # the 99th percentile, 3x cheaper
    side = max(3, int(WINDOW * max(size)) | 1)
    local = cv2.dilate(paper, np.ones((side, side), np.uint8))
    even = cv2.compare(paper, cv2.convertScaleAbs(local, alpha=GROW_LEVEL), cv2.CMP_GE)
    # Cut one-pixel bridges (a bright grain streak touching the sheet's corner).
    even = cv2.morphologyEx(even, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    if cv2.countNonZero(even) == even.size:
        return None  # one even region, the whole frame (a page that fills it): over MAX_AREA, no sheet
    count, regions = cv2.connectedComponents(even, connectivity=4)
    # The sheet: the even region that holds the most paper-bright pixels.
    bright = regions[paper >= SEED_LEVEL * brightest]
    seeded = np.bincount(bright[bright > 0], minlength=count)
    if count < 2 or not seeded.any():
        return None
    hull = _hull(regions == int(seeded.argmax()))
    sheet = cv2.fillConvexPoly(np.zeros(paper.shape, np.uint8), hull, 1)  # the pixels on the outline count
    area = cv2.countNonZero(sheet)
    if not MIN_AREA <= area / sheet.size <= MAX_AREA:
        return None
    # More paper beside it (a second sheet, the sheet beyond a shadow's sharp edge) widens the
    # outline; what lies around the sheet (a smooth door or wall enclosing it) does not.
    outlines = [hull]
    for region in np.flatnonzero(_paper_like(small, paper, regions, count, brightest)):
        if region != seeded.argmax():
            other = _hull(regions == region)
            overlap = cv2.countNonZero(cv2.fillConvexPoly(np.zeros(paper.shape, np.uint8), other, 1) & sheet)
            if overlap <= ENCLOSING * area:
                outlines.append(other)
    hull = cv2.convexHull(np.concatenate(outlines)) if len(outlines) > 1 else hull
    return (hull.reshape(-1, 2).astype(np.float32) + 0.5) / scale  # small pixel i covers [i, i + 1) / scale


def _hull(region: np.ndarray) -> np.ndarray:
    """bool (h, w) -> the convex hull of its pixels, int32 (K, 1, 2) (x, y) as cv2.convexHull gives."""
    contours, _ = cv2.findContours(region.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return cv2.convexHull(np.concatenate(contours))


def _paper_like(small: np.ndarray, paper: np.ndarray, regions: np.ndarray, count: int,
                brightest: float) -> np.ndarray:
    """bool (count,): which even regions are paper too, besides the sheet: a second sheet, or the
    part of the sheet beyond a shadow's sharp edge (the same paper, darker).

    Paper is even: under TEXTURE_SHARE of it is darker than its ink-free level by TEXTURE_CONTRAST
    (ink and nothing else), where wood, a wall or carpet is darker in a third to a half; it is at
    least SHADOW_LEVEL of the brightest paper (a deep shadow's depth), and at least PART_AREA of
    the frame (room for a digit). `small` and `paper` (its closing) are uint8 (h, w), `regions`
    int32 (h, w) labels 0..count-1, 0 the steps between regions.
    """
    area = np.bincount(regions.ravel(), minlength=count)
    textured = cv2.compare(small, cv2.convertScaleAbs(paper, alpha=1 - TEXTURE_CONTRAST), cv2.CMP_LT)
    rough = np.bincount(regions[textured > 0], minlength=count)
    level = np.bincount(regions.ravel(), paper.ravel(), minlength=count)
    like = ((area >= PART_AREA * regions.size) & (rough <= TEXTURE_SHARE * area)
            & (level >= SHADOW_LEVEL * brightest * area))
    like[0] = False
    return like


def reject_off_page(candidates: list[Candidate], outline: np.ndarray | None) -> list[Candidate]:
    """The candidates with those whose box centre lies outside `outline` rejected as REASON.

    `candidates` come from realtime.segment.find_digits on the image `outline` (find_page) was
    found in; None: all is page, the list is returned as it is. When a digit is turned down, the
    lines are found again over the digits left (`_regrouped`). A shape already turned down that
    may stand in a line is turned down as REASON too, in a line or not (`_turn_down`).
    """
    if outline is None:
        return candidates
    dropped = False
    for cand in candidates:
        x, y, w, h = cand.box
        if _may_stand(cand) and cv2.pointPolygonTest(outline, (x + w / 2, y + h / 2), False) < 0:
            dropped |= _turn_down(cand, REASON)
    return _regrouped(candidates, dropped)


def _may_stand(cand: Candidate) -> bool:
    """Whether `cand` is in a line, or may be placed in one by realtime.segment.reading_order."""
    return cand.line >= 0 or cand.accepted or cand.reason in IN_ROW_REASONS


def _turn_down(cand: Candidate, reason: str) -> bool:
    """Take `cand` out of its line as `reason`; returns whether it was a digit (accepted).

    A shape the finder turned down that may stand in a line (realtime.segment.IN_ROW_REASONS: a
    piece of wood grain "cut by border" beside a row) gets `reason` too, not only a digit: with
    its old reason every later reading_order, as the touching-digits lattice's after a cut
    (realtime.oversegment.resegment), placed it in the row again, and the row read "?" and had no
    number ("?06775" on a sheet held before a door; touching pages of seeds 7, 11, 13, 17, 19: 6
    of 54 wrong rows). Others (a speck) keep theirs.
    """
    was_digit = cand.accepted
    if was_digit or cand.reason in IN_ROW_REASONS:
        cand.reason = reason
    cand.line = -1
    return was_digit


def reject_on_skin(candidates: list[Candidate], binary: np.ndarray, bgr: np.ndarray) -> list[Candidate]:
    """The candidates with those lying on skin or wood rejected as SKIN_REASON (see the module's
    docstring); the order and the lines as `reject_off_page` leaves them.

    What lies around a candidate's ink is its box grown by half its shorter side (a stroke
    between two fingers has them there, a digit has paper), less the ink of `binary` and 2 px
    around it (a red marker's stroke and its fringe are warm themselves). `binary` uint8 (H, W)
    is the ink the candidates were found in (realtime.segment.find_digits), `bgr` uint8
    (H, W, 3) the same frame in colour.
    """
    in_lines = [c for c in candidates if c.line >= 0]  # accepted, or a shape turned down in a line
    if not in_lines:
        return candidates
    sample = np.ascontiguousarray(bgr[::8, ::8].reshape(-1, 3).T)  # every 64th pixel: enough for a percentile
    rank = WHITE_PERCENTILE * sample.shape[1] // 100
    white_b, white_g, white_r = np.maximum(np.partition(sample, rank, axis=1)[:, rank], 1).astype(float)
    b, g, r = sample.astype(float)
    if not np.any((r * white_b >= WARM_RED_BLUE * white_r * b) & (g * white_r <= WARM_GREEN_RED * white_g * r)
                  & (r >= WARM_LIGHT * white_r)):
        # No warm pixel on the 8-px grid: no hand or wood anywhere big enough to be a tenth of a
        # digit's surroundings (a 13x13 patch holds a grid point). Saves ~0.3 ms on 10 digits.
        return candidates
    height, width = binary.shape
    dropped = False
    for cand in in_lines:
        x, y, w, h = cand.box
        grow = min(w, h) // 2 + 2
        x0, y0, x1, y1 = max(0, x - grow), max(0, y - grow), min(width, x + w + grow), min(height, y + h + grow)
        blue, green, red = cv2.split(np.ascontiguousarray(bgr[y0:y1, x0:x1]))
        # The three tests on the balanced channels, as uint8 comparisons (a few microseconds).
        warm = cv2.compare(cv2.convertScaleAbs(red, alpha=white_b / (WARM_RED_BLUE * white_r)), blue, cv2.CMP_GE)
        warm &= cv2.compare(green, cv2.convertScaleAbs(red, alpha=WARM_GREEN_RED * white_g / white_r), cv2.CMP_LE)
        warm &= cv2.threshold(red, WARM_LIGHT * white_r, 255, cv2.THRESH_BINARY)[1]
        around = cv2.compare(cv2.dilate(binary[y0:y1, x0:x1], np.ones((5, 5), np.uint8)), 0, cv2.CMP_EQ)
        if cv2.countNonZero(warm & around) > WARM_SHARE * cv2.countNonZero(around):
            dropped |= _turn_down(cand, SKIN_REASON)
    return _regrouped(candidates, dropped)


def _regrouped(candidates: list[Candidate], dropped: bool) -> list[Candidate]:
    """The candidates in reading order with their lines found again over the digits left when a
    digit was turned down (`dropped`), else as they are: a mark beside the sheet no longer joins a
    row's number nor leaves a gap, and a tall one level with two rows (a strip of a door beside
    the sheet) no longer chains them into one line ("2021" over "2019" read "22002191"). A
    rejection that stands in a line (realtime.segment.IN_ROW_REASONS) is placed again too."""
    if not dropped:
        return candidates
    for cand in candidates:
        cand.line = -1
    return reading_order(candidates)
