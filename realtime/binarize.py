"""Camera frames to binary ink: any frame format in, an ink mask that adapts to the pen and the light.

Ink is told from paper by its contrast against the paper right around it, not by one grey level:
pencil, light-blue ballpoint and grey marker in daylight are only 30-50% darker than their paper,
black pen in a phone's shadow is darker than sunlit paper without being ink. Three steps:

1. *Luminance* is the image searched: OpenCV's grey (ITU-R BT.601, 0.299 R + 0.587 G + 0.114 B,
   `gray_ink`). Black, blue, red and green pens and pencil are well under 78% of their paper's
   luminance (pure red is 30% of white's, pure blue 11%); coloured paper is uniformly darker,
   which step 2 divides out. Ink as light as its paper in luminance is not found: a yellow marker
   is about 89% of white paper's. The darkest channel (per pixel the minimum of B, G and R, which
   would find yellow) was measured against it with everything else the same (`evaluate_real.py`):
   the real photos and video read alike (recall 100.0 / 99.9%, labels 99.7 / 99.8%, darkest
   channel / luminance), the committed light-blue ballpoint page better (recall 100 / 89%) and the
   pencil page's paper grain worse (precision 71 / 83%); luminance stays, as every figure in the
   README was measured with it.
2. *Flat-field correction*: the paper's own brightness at every pixel is estimated by a
   morphological closing (a max then a min filter, wider than any pen stroke), which erases thin
   dark strokes and keeps what is wider (shadows, the table, the paper's edge). The image divided
   by it is the ink's Weber contrast against its local paper: 0 for paper, in shadow or not.
   (Background estimation by closing, as in the black top-hat; P. Soille, *Morphological Image
   Analysis*, 2nd ed., Springer 2003, sections 4.4 and 6.2.)
3. *Texture rejection*: where more than half of a neighbourhood is darker than its local bright
   level (wood grain, a rough wall, carpet), there is no paper to write on, so no ink either.
   "More than half" is a local median, computed as the mean of a boolean image, so it costs one
   box filter. A wide neighbourhood (a third of the frame) says where texture is; a narrow one
   (a tenth) draws its border, which must follow a small sheet's edge to keep the digits near it.

Faint ink (pencil) breaks where it was pressed lightly; hysteresis joins it (see HYSTERESIS). A
photo faded toward white as a whole has its contrast stretched first (see FADED_INK).

`sensitivity` has one meaning: a pixel at most `sensitivity`% as bright as the paper around it
(in a faded frame, once its contrast is restored) is ink. Higher finds fainter ink.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Ink is at most this percentage of its paper's brightness. 78% keeps pencil and light ballpoint
#: (50-65% of their paper's brightness at the stroke's core) with a margin over paper texture and
#: compression noise (under 85% in 99.9% of the paper pixels of the real-dev photos).
DEFAULT_SENSITIVITY = 78
SENSITIVITY_RANGE = (50, 95)
#: A pixel this much darker than its paper (a Weber contrast of 0.12) counts towards "texture".
TEXTURE_CONTRAST = 0.12
#: Ink lies on paper: where the paper level is under 60% of the paper a stroke's width away, the
#: "paper" is the table, a hand or a deep shadow beside the sheet, and what looks like ink there
#: is the rim of the sheet, of the hand or of the shadow.
EDGE_DEPTH = 0.6
#: ... except even paper at least SHADOW_DEPTH of the paper beside it: the page beyond a shadow's
#: sharp edge (a phone's or a hand's shadow takes up to about half of the light; a strip of wood
#: beside the sheet, as dark, is rough: over SHADED_ROUGH of it darker than its own level by
#: TEXTURE_CONTRAST, against ink's 5-25%). Ink there is at most SHADED_INK of its paper, the
#: default sensitivity's share: a shaded page's faint ink is ink as on lit paper, and only a raised
#: --sensitivity is held back there. (0.6 lost light-blue and pencil strokes under a phone's
#: shadow: the real photos under a band taking 40% / 50% of the light, wrong numbers 3 / 5 -> 1 /
#: 2 with `_drop_rims`' test beside each pixel; the real video so shaded 59 / 87 -> 27 / 58.)
SHADOW_DEPTH = 0.45
SHADED_ROUGH = 0.25
SHADED_INK = DEFAULT_SENSITIVITY / 100
#: A pen's stroke is at most this fraction of the longer side of the shape it draws (mean width,
#: 2 x area / perimeter). Whole digits on the real-dev photos, the video and the test clips
#: measure 0.02-0.19, pieces of digits up to 0.22; fingertips and a thumb over the paper 0.2-0.4.
MAX_STROKE_WIDTH = 0.2
#: The coarse scale: the frame shrunk this many times (its closing 4 times wider), for frames
#: whose shorter side is at least COARSE x COARSE_SHORT px; what it adds has a mean stroke width
#: of at least THICK_STROKE of the fine closing's square (the fine scale erases such strokes).
COARSE = 4
COARSE_SHORT = 100
THICK_STROKE = 0.5
#: ... and is at most this percentage of its paper's brightness: a marker that thick is dark
#: (20-40%), the wood grain and shadows the coarse closing also keeps are fainter.
THICK_INK = 50
#: ... and its mean stroke width is at most this share of its longer side. Shrinking the frame
#: blurs a bold digit's strokes wider for its size than MAX_STROKE_WIDTH: a bold ballpoint "3"
#: 79 px high, its strokes wider than the fine closing, measured 0.22 there and vanished from its
#: row, which read as a number without it (rendered ruled page, seed 11). Skin is turned down
#: there by its grey (over THICK_INK of the paper's brightness); on the seed-7 and seed-11 pages
#: of every kind, only that "3" and the edges of two bold digits changed.
THICK_MAX_WIDTH = 0.25
#: A component is the cut-off corner of a darker region, not ink, when over RIM_SHARE of the
#: pixels around it have a paper level at most RIM_MARGIN times the grey of the component beside
#: them (see `_drop_rims`).
RIM_SHARE = 0.25
RIM_MARGIN = 1.15
#: Contrast normalisation ("auto levels", the linear histogram stretch of any photo editor): a
#: photo faded toward white (a washed-out print, glare, overexposure, a half-transparent PNG over
#: white) shrinks every contrast alike, its ink's and its paper grain's, and the lighter digits fell
#: under the sensitivity's level while the darkest stayed: the row read as a shorter number (the
#: real-dev photos faded 60%: "35" for 3541, "3" for 3432). When the frame's darkest ink (the
#: ratio of its DARKEST_SHARE darkest pixels) is fainter than FADED_INK/255 of its paper, the
#: contrast is stretched until it is FADED_INK, at most MAX_GAIN times. A well-lit frame is left
#: as it is: the darkest ink of the real-dev photos is 8-51% of its paper, of the rendered pencil
#: pages 55-65%, of the real pencil case 66%. FADED_INK was chosen on seed-7 rendered pages faded
#: 45% and 60%, overexposed (gamma 0.4) and blurred by 2 and 3 px (`evaluate_degraded.py --data`):
#: wrong numbers 118 -> 79 in 625 rows, 0 confidently wrong digits in the faded ones; 150 and 130
#: read as many rows but turned the edge of an overexposed sheet into "1"s (130: 22 wrong numbers
#: overexposed, against 13). MAX_GAIN keeps blank paper's grain, stretched, under the level of ink.
FADED_INK = 170
DARKEST_SHARE = 0.001
MAX_GAIN = 2.2
#: The same stretch, window by window, where the paper is washed-out white: a camera's tone curve
#: rolls its highlights off toward clipping, so ink on paper at least WHITE_PAPER bright keeps
#: less of its contrast than the same ink on duller paper (the real video overexposed, gamma 0.4:
#: its grey marker stood 0.79-0.86 of paper at 245-248, a few strokes of each digit passed the
#: sensitivity's level and its rows read "1" or nothing), while a frame with dark surroundings (the
#: door around the sheet) never looks faded as a whole. Within every window WHITE_WINDOW paper
#: squares wide where all the paper is that white, the contrast is stretched until the window's
#: darkest ink is FADED_INK, at most WHITE_GAIN times. Such paper is even (clipping flattens its
#: grain: 0.15 grey levels of spread on the video's sheet), and WHITE_GAIN keeps what is at least
#: 0.88 of it paper at the default sensitivity ((1 - 0.78) / (1 - 0.88) = 1.83): digits showing
#: through from the sheet's back at 0.89 came out as ink at MAX_GAIN (2.2; the real videos read
#: as at 1.8 but for two rows of the overexposed one). A window that reaches the sheet's edge or a
#: duller surround holds paper under WHITE_PAPER and is left alone, and so is one whose darkest ink
#: is already dark (every window of a well-lit page with a digit in it). A contrast-limited local
#: stretch as CLAHE's (K. Zuiderveld, Graphics Gems IV, 1994) but linear: equalising a tile's
#: histogram would stretch blank paper's grain into ink.
WHITE_PAPER = 240
WHITE_WINDOW = 3
WHITE_GAIN = 1.8
#: Hysteresis for faint ink (as in Canny's edge linking: J. Canny, "A computational approach to
#: edge detection", IEEE PAMI 8(6), 1986): pencil pressed lightly for a stretch falls above the
#: sensitivity's level and breaks a digit in pieces (a "0" a "C", an "8" a "3"). Ink up to
#: HYSTERESIS points fainter counts where it continues ink, within HYSTERESIS_STEPS steps of 2 px
#: (gaps up to 12 px), but only from ink whose darkest pixel 2 px around is fainter than
#: FAINT_CORE% of its paper: pencil and light ballpoint (65-75%). Dark pen does not break; growing
#: it joined tails to the next row's digits on dense pages (seed-7 pages: whole rows 68% -> 37%
#: grown from any ink, 69% from faint ink only; pencil 67% -> 94% either way).
HYSTERESIS = 10
HYSTERESIS_STEPS = 3
#: On a page written in faint ink (at least FAINT_PAGE of its ink with a faint core: pencil), its
#: breaks are bridged further, FAINT_PAGE_STEPS steps (gaps up to 40 px): a lightly pressed pencil
#: digit kept only its darkest stretch (a "6" its loop, a "2" the point where it crosses itself)
#: and vanished from its row. Pages of dark ink keep the short reach (their faint ink is the thin
#: ends of strokes: bridged 20 px, a dense page's tails reached the next row).
FAINT_PAGE = 0.5
FAINT_PAGE_STEPS = 10
FAINT_CORE = 62
#: Dark ink's blurred rim is no ink: a pixel is ink only when it is at least halfway from its paper
#: to the darkest ink within a CORE_SIDE-th of the paper level's square around it (the stroke's
#: edge at half its contrast, as Bernsen's threshold takes the middle of a window's range: J.
#: Bernsen, "Dynamic thresholding of grey-level images", ICPR 1986). A defocused or bleeding pen
#: (a core 15-30% of its paper) is 78% of its paper 2-3 px beyond its edge: at the sensitivity's
#: level alone its strokes came out twice as thick, the loops of "0", "6", "8" and "9" filled
#: (dropped as solid blobs) and the tails of a dense page's rows touched the next row (seed-7
#: dense pages: whole rows 53 -> 64%, the other kinds and real-dev as good or better). Faint
#: ink (a core fainter than 56% of its paper, halfway to which is over 78%) is not affected.
CORE_SIDE = 5
#: Blurred dark ink fills a small loop (a "9"'s, an "8"'s) with grey that passes the CORE_SIDE
#: rule: its middle is only a little lighter than halfway to the paper, but lighter than the ink on
#: every side of it, a dome of light. A pixel is no ink when it stands over DOME of its local
#: contrast (paper's 255 less the darkest ink near it) above the morphological opening of the
#: ratio with a disc a DOME_SIDE-th of the paper level's square across (lighter features narrower
#: than that are domes; a stroke's edge runs on into the paper and is no dome). Rendered dense
#: pages of blurred marker lost whole "8"s and "9"s, filled and dropped as solid blobs, and read
#: two strokes blurred together as one (whole rows on seeds 7, 11, 13, 17, 19: 359 -> 371 of 500,
#: wrong numbers 42 -> 35; discs of a 3rd or a 5th of the square, 0.15 or 0.35 of the contrast: fewer).
DOME, DOME_SIDE = 0.25, 4
#: A solid blob at most LOOP of the closing's square across with other ink within LOOP_GAP px
#: is a digit's filled loop, kept (`_part_of_stroke`).
LOOP, LOOP_GAP = 1.0, 3


def to_bgr(frame: np.ndarray) -> np.ndarray:
    """Any frame a capture can produce -> uint8 BGR (H, W, 3); ValueError if it is not an image.

    Grayscale, single-channel, BGRA, 16-bit and float [0, 1] frames all occur in practice
    (depth-less USB cameras, PNG files with alpha, scientific cameras).
    """
    if not isinstance(frame, np.ndarray) or frame.size == 0:
        raise ValueError(f"expected a non-empty image array, got {getattr(frame, 'shape', type(frame).__name__)}")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in (3, 4)):
        raise ValueError(f"expected a gray, BGR or BGRA image, got shape {frame.shape}")
    if frame.dtype == np.uint8:
        pass
    elif frame.dtype == np.uint16:
        frame = (frame >> 8).astype(np.uint8)
    elif frame.dtype.kind == "f":
        if not np.isfinite(frame).all():
            raise ValueError("expected finite pixel values, the frame has NaN or infinity")
        frame = (np.clip(frame, 0.0, 1.0) * 255).astype(np.uint8)
    else:
        raise ValueError(f"expected a uint8, uint16 or float image, got dtype {frame.dtype}")
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(frame)


def gray_ink(bgr: np.ndarray, light_ink: bool = False) -> np.ndarray:
    """uint8 BGR (H, W, 3) -> uint8 (H, W): per pixel the luminance (OpenCV's BT.601 grey), dark ink
    on light (why luminance: the module's docstring, step 1).

    With `light_ink` (chalk on a board) the grey is inverted, so that ink is dark again.
    """
    if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
        raise ValueError(f"expected a uint8 BGR image, got {bgr.dtype} {bgr.shape}")
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    return cv2.bitwise_not(gray) if light_ink else gray


def closing_side(shape: tuple[int, ...]) -> int:
    """The side in px of `paper_level`'s square for an image of `shape` (H, W): a 25th of the
    shorter side, odd, at least 15."""
    return max(15, (min(shape[:2]) // 25) | 1)


def paper_level(dark: np.ndarray) -> np.ndarray:
    """uint8 (H, W) -> uint8 (H, W): the brightness of the paper under each pixel, ink erased.

    The closing of `dark` with a square a 25th of the shorter side (at least 15 px): wider than
    the strokes of a pen or marker at any distance where digits are readable, narrower than
    shadows, hands and the paper's edge, which stay. A dark thing narrower than the square (a
    fingertip) comes out as ink (`binarize` drops it as a solid blob), and the rounded end of a
    wider one as a thin crescent of ink (not dropped).
    """
    side = closing_side(dark.shape)
    return cv2.morphologyEx(dark, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))


def binarize(dark: np.ndarray, sensitivity: int = DEFAULT_SENSITIVITY) -> np.ndarray:
    """uint8 (H, W), dark ink on light (see `gray_ink`) -> uint8 mask, 255 where there is ink.

    Two scales: the frame itself, and the frame shrunk COARSE times, where the closing is COARSE
    times wider and keeps the strokes of large, thick digits close to the camera (wider than the
    fine closing, which takes them for paper). What only the coarse scale finds is added where it
    is a pen's stroke the fine scale missed (see `_thick_strokes`).
    Raises ValueError for anything but a 2-D uint8 image or a sensitivity outside SENSITIVITY_RANGE.
    """
    if dark.ndim != 2 or dark.dtype != np.uint8:
        raise ValueError(f"expected a uint8 single-channel image, got {dark.dtype} {dark.shape}")
    if not SENSITIVITY_RANGE[0] <= sensitivity <= SENSITIVITY_RANGE[1]:
        raise ValueError(f"sensitivity: expected {SENSITIVITY_RANGE[0]}-{SENSITIVITY_RANGE[1]}, got {sensitivity}")
    mask, textured, dim = _binarize(dark, sensitivity)
    if not dim or min(dark.shape) < COARSE * COARSE_SHORT:
        return mask  # a stroke wider than the closing is its own dim "paper": none here
    size = (round(dark.shape[1] / COARSE), round(dark.shape[0] / COARSE))
    coarse, _, _ = _binarize(cv2.resize(dark, size, interpolation=cv2.INTER_AREA), min(sensitivity, THICK_INK), texture=False)
    thick = _thick_strokes(coarse, cv2.resize(textured, size, interpolation=cv2.INTER_NEAREST),
                           closing_side(dark.shape) / COARSE)
    if thick is None:
        return mask
    thick = cv2.resize(thick, (dark.shape[1], dark.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.bitwise_or(mask, _at_most(thick, 127, above=True))


def _thick_strokes(coarse: np.ndarray, textured: np.ndarray, side: float) -> np.ndarray | None:
    """The coarse scale's components that are wide pen strokes, or None for none: uint8 (h, w)
    0/255 masks in, the coarse ink and the fine scale's texture shrunk to it; `side` the fine
    closing's square in coarse pixels.

    A component counts when its mean stroke width (2 x area / perimeter) is at least THICK_STROKE
    of the fine closing's square (the fine scale sees such strokes in pieces or not at all;
    thinner ink it drops was dropped for a reason: off the paper, a rim) and at most
    THICK_MAX_WIDTH of its longer side (a pen's stroke, not a blot or a fingertip), at most a
    quarter of it lies in texture (grain of a door, which the coarse scale cannot tell from
    large digits: they fill half of its texture window themselves, so it does not look) and it
    does not touch the frame's border (a digit cut by it is not read; grain and hands come in
    from it).
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(coarse, connectivity=8)
    if count < 2:
        return None
    height, width = coarse.shape
    x, y, w, h, area = (stats[:, i] for i in range(5))
    wide = THICK_STROKE * side
    candidates = ((x > 0) & (y > 0) & (x + w < width) & (y + h < height)
                  & (np.maximum(w, h) * THICK_MAX_WIDTH >= wide)
                  & (np.bincount(labels[textured > 0], minlength=count) <= area / 4))
    candidates[0] = False
    thick = None
    for index in np.flatnonzero(candidates):
        part = (labels[y[index] : y[index] + h[index], x[index] : x[index] + w[index]] == index).astype(np.uint8)
        contours, _ = cv2.findContours(part, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        perimeter = sum(cv2.arcLength(c, True) for c in contours)
        if wide * perimeter <= 2 * area[index] <= THICK_MAX_WIDTH * max(w[index], h[index]) * perimeter:
            thick = np.zeros_like(coarse) if thick is None else thick
            thick[labels == index] = 255
    return thick


def _binarize(dark: np.ndarray, sensitivity: int, texture: bool = True) -> tuple[np.ndarray, np.ndarray, bool]:
    """`binarize` at one scale: the ink mask, where texture was found (no ink there unless
    `texture` is False), and whether any paper is under EDGE_DEPTH of the paper beside it."""
    short = min(dark.shape)
    paper = paper_level(dark)
    ratio = _stretched(cv2.divide(dark, cv2.max(paper, 1), scale=255))
    ratio = _stretched_on_white(ratio, paper)
    mask = _at_most(ratio, round(2.55 * sensitivity))
    # Dark ink's blurred rim left out (see CORE_SIDE): ink where the ratio is at most halfway
    # from the darkest ratio near it to paper's 255.
    side = max(3, (closing_side(dark.shape) // CORE_SIDE) | 1)
    core = cv2.erode(ratio, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    mask = cv2.bitwise_and(mask, cv2.compare(ratio, cv2.convertScaleAbs(core, alpha=0.5, beta=127.5), cv2.CMP_LE))
    # A filled loop's light middle left out (see DOME).
    disc = max(3, (closing_side(dark.shape) // DOME_SIDE) | 1)
    opened = cv2.morphologyEx(ratio, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (disc, disc)))
    contrast = cv2.convertScaleAbs(cv2.bitwise_not(core), alpha=DOME)
    mask = cv2.bitwise_and(mask, cv2.compare(cv2.subtract(ratio, opened), contrast, cv2.CMP_LE))
    # Faint ink's broken strokes joined (see HYSTERESIS).
    kernel = np.ones((5, 5), np.uint8)
    # Seeds: ink with a faint core, on a stroke (5 ink pixels in its 7x7 neighbourhood), not a speck
    # (where two faint ruled lines cross, a few pixels pass the sensitivity). Dark ink has no
    # faint core: the stroke test is not even made.
    grown = cv2.bitwise_and(mask, _at_most(cv2.erode(ratio, kernel), round(2.55 * FAINT_CORE), above=True))
    faint = cv2.countNonZero(grown)
    if faint:
        grown = cv2.bitwise_and(grown, _at_most(cv2.blur(mask, (7, 7)), 5 * 255 // 49, above=True))
    if cv2.countNonZero(grown):
        weak = _at_most(ratio, round(2.55 * min(99, sensitivity + HYSTERESIS)))
        steps = FAINT_PAGE_STEPS if faint >= FAINT_PAGE * cv2.countNonZero(mask) else HYSTERESIS_STEPS
        for _ in range(steps):
            grown = cv2.bitwise_and(cv2.dilate(grown, kernel), weak)
        mask = cv2.bitwise_or(mask, grown)
    # Off the paper: "paper" much darker than the paper a stroke's width away (the table beside
    # the sheet, a deep shadow). Ink that touches it is the sheet's rim, the gaps between fingers
    # held over the table, the edge of the shadow: whole components go.
    dim, brightest = _dim(paper, max(15, (short // 10) | 1))
    # ... unless it is the same paper beyond a shadow's sharp edge: at least SHADOW_DEPTH of the
    # lit paper beside it, and even (under SHADED_ROUGH of such dim pixels in the texture window
    # darker than their paper: ink only, where a strip of wood beside the sheet has half or more).
    # There only clear ink counts (under SHADED_INK of its paper): wood grain and the rims of a
    # hand are fainter against their "paper" than a pen is.
    window = max(61, (short // 3) | 1)
    darker = _at_most(ratio, round(255 * (1 - TEXTURE_CONTRAST)) - 1)
    if dim is not None:  # most frames of a page have no dim paper: nothing to tell apart
        off_paper = dim
        shaded = cv2.bitwise_and(dim, cv2.compare(paper, cv2.convertScaleAbs(brightest, alpha=SHADOW_DEPTH), cv2.CMP_GE))
        if cv2.countNonZero(shaded):
            rough = cv2.blur(cv2.bitwise_and(dim, darker), (window, window))
            even = cv2.compare(rough, cv2.convertScaleAbs(cv2.blur(dim, (window, window)), alpha=SHADED_ROUGH), cv2.CMP_LE)
            shaded = cv2.bitwise_and(shaded, even)
            off_paper = cv2.bitwise_and(dim, cv2.bitwise_not(shaded))
            faint = cv2.bitwise_and(shaded, _at_most(ratio, round(255 * SHADED_INK), above=True))
            mask = cv2.bitwise_and(mask, cv2.bitwise_not(faint))
        mask = _drop_touching(cv2.bitwise_and(mask, cv2.bitwise_not(off_paper)), off_paper)
    # Texture: near where over half of a window a third of the shorter side wide is darker than
    # its paper, the pixels where over half of a window a tenth of the shorter side wide is, grown
    # by a quarter of that window. The wide window alone blurs the edge of a small sheet on a wall
    # nearly as bright as the paper 100 px into the sheet, taking the digits near its edge; the
    # narrow one follows the edge within a few strokes, and the growing covers the strip of wall
    # along the sheet's edge that it leaves (half paper, half wall: the edge reads "1").
    textured = _textured(darker, window)
    if cv2.countNonZero(textured):  # most frames of a page have none: no border to draw
        reach = max(15, (short // 10) | 1)  # the strip beside texture where the paper level leans on it
        near = cv2.dilate(textured, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))
        fine = _at_most(cv2.blur(darker, (reach, reach)), 127, above=True)
        grow = reach // 4 | 1
        textured = cv2.dilate(cv2.bitwise_and(near, fine), cv2.getStructuringElement(cv2.MORPH_RECT, (grow, grow)))
        if texture:
            mask = cv2.bitwise_and(mask, cv2.bitwise_not(textured))
    return _drop_rims(_drop_thick(mask), dark, paper), textured, dim is not None


def _dim(paper: np.ndarray, side: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Where the paper level (uint8 (H, W), `paper_level`) is under EDGE_DEPTH of the brightest
    paper within the `side` px square around it, as a uint8 0/255 mask, with that brightest
    paper (uint8 (H, W)); (None, None) when nowhere. Most frames of a page have no such paper,
    and when the darkest paper of the frame is not under EDGE_DEPTH of its brightest, none can
    be: that is told from the frame's extremes, without the wide max filter (0.25 ms of a
    640x480 frame)."""
    darkest, lightest = cv2.minMaxLoc(paper)[:2]
    if darkest >= int(cv2.convertScaleAbs(np.uint8([[lightest]]), alpha=EDGE_DEPTH)[0, 0]):
        return None, None
    brightest = cv2.dilate(paper, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    dim = cv2.compare(paper, cv2.convertScaleAbs(brightest, alpha=EDGE_DEPTH), cv2.CMP_LT)
    return (dim, brightest) if cv2.countNonZero(dim) else (None, None)


#: A frame is first looked at TEXTURE_LOOK times smaller for texture: a window a third of the
#: shorter side wide is the same mean there, within the window's edge of a few pixels (at most
#: TEXTURE_SLACK of 255 where half the window is dark), and a frame of a page, far under half dark
#: everywhere, skips the full-size window (0.3-0.5 ms of a 640x480 frame's 10).
TEXTURE_LOOK, TEXTURE_SLACK = 4, 32


def _stretched(ratio: np.ndarray) -> np.ndarray:
    """uint8 (H, W) ink-to-paper ratio (255: paper) -> the same with a faded frame's contrast
    restored (see FADED_INK); the input itself when its darkest ink is dark enough."""
    sample = ratio[::2, ::2]  # every 4th pixel: a stroke is at least 2 px wide; 4x cheaper
    counts = cv2.calcHist([sample], [0], None, [256], [0, 256]).ravel().cumsum()
    darkest = int(np.searchsorted(counts, DARKEST_SHARE * sample.size))
    if darkest <= FADED_INK:
        return ratio
    gain = min(MAX_GAIN, (255 - FADED_INK) / max(1, 255 - darkest))
    return cv2.bitwise_not(cv2.convertScaleAbs(cv2.bitwise_not(ratio), alpha=gain))


def _stretched_on_white(ratio: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """uint8 (H, W) ink-to-paper ratio (255: paper) and the paper level (`paper_level`) -> the ratio
    with the contrast of ink on washed-out white paper restored (see WHITE_PAPER): within every
    window of WHITE_WINDOW paper squares where the paper is all at least WHITE_PAPER, a linear gain
    that brings the window's darkest ink to FADED_INK, at most WHITE_GAIN. Measured on every 4th
    pixel of every 4th row (0.05 ms where no paper is that white): where the sample misses a thin
    stroke's darkest pixel, the gain comes out a little higher, and that stroke's core only darker
    than FADED_INK."""
    side = max(3, (WHITE_WINDOW * closing_side(ratio.shape) // 4) | 1)
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    # a threshold, not cv2.compare with a number: OpenCV takes an array of up to 4 pixels for a Scalar
    white = cv2.threshold(cv2.erode(paper[::4, ::4], square), WHITE_PAPER - 1, 255, cv2.THRESH_BINARY)[1]
    if not cv2.countNonZero(white):
        return ratio  # most frames: no white paper that bright, or ink dark enough on it
    darkest = cv2.erode(ratio[::4, ::4], square).astype(np.float32)
    gain = np.clip((255.0 - FADED_INK) / np.maximum(1.0, 255.0 - darkest), 1.0, WHITE_GAIN)
    gain[white == 0] = 1.0
    if float(gain.max()) == 1.0:
        return ratio
    gain = cv2.resize(gain, (ratio.shape[1], ratio.shape[0]), interpolation=cv2.INTER_NEAREST)
    return cv2.bitwise_not(cv2.convertScaleAbs(cv2.multiply(cv2.bitwise_not(ratio).astype(np.float32), gain)))


def _textured(darker: np.ndarray, window: int) -> np.ndarray:
    """uint8 (H, W) 0/255 mask of what is darker than its paper -> 255 where over half of the
    `window` px square around a pixel is (a box filter: cv2.blur); all 0 at once when no window
    comes within TEXTURE_SLACK of half, measured TEXTURE_LOOK times smaller."""
    height, width = darker.shape
    size = (max(1, width // TEXTURE_LOOK), max(1, height // TEXTURE_LOOK))  # given, not fx/fy: half the cost
    small = cv2.resize(darker, size, interpolation=cv2.INTER_AREA)
    if int(cv2.blur(small, (max(1, window // TEXTURE_LOOK) | 1,) * 2).max()) <= 127 - TEXTURE_SLACK:
        return np.zeros_like(darker)
    return _at_most(cv2.blur(darker, (window, window)), 127, above=True)


def _drop_touching(mask: np.ndarray, region: np.ndarray) -> np.ndarray:
    """`mask` without its 8-connected components that touch `region` (both uint8 (H, W), 0/255):
    what starts off the paper is no ink, however far onto the paper it reaches."""
    touching = cv2.bitwise_and(mask, cv2.dilate(region, np.ones((3, 3), np.uint8)))
    if not cv2.countNonZero(touching):
        return mask
    count, labels = cv2.connectedComponents(mask, connectivity=8)
    keep = np.full(count, 255, np.uint8)
    keep[np.unique(labels[touching > 0])] = 0
    keep[0] = 0
    return keep.take(labels)


def _drop_rims(mask: np.ndarray, dark: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """The mask without pieces of a larger dark region that the closing cut off as "ink".

    The closing rounds the corners of anything darker than its surroundings and wider than its
    square: the corner of a grey sheet on a white desk, the tip of a shadow's bite, the end of a
    dark desk strip come out as wedges of "ink" (a corner reads "1" at 100%). Ink is darker than
    the paper on every side; such a wedge lies beside the region it was cut from, whose own paper
    level is the wedge's grey. A component goes when over RIM_SHARE of the pixels just outside it
    have a paper level at most RIM_MARGIN times the grey of the component right beside them (its
    darkest pixel among their 8 neighbours; a real stroke, even in pencil, is at most the
    sensitivity's share, 78%, of the paper beside it: its paper is 28% or more above its grey).
    Beside each pixel, not on the component's mean: a digit across a shadow's sharp edge has the
    shaded paper along its shaded part, which is darker than the mean of its strokes on both
    sides, but not than its strokes there (the real "3541" under a phone's shadow lost its "4").
    `mask` uint8 (H, W) 0/255; `dark` the image it was found in and `paper` its paper
    level (`paper_level`), both uint8 (H, W).
    """
    # Only where the paper level drops by over a tenth right at the ink's edge can there be one
    # (a rim's paper is its own grey, under 90% of the paper level under it): most frames have none.
    step = cv2.compare(paper, cv2.convertScaleAbs(cv2.dilate(paper, np.ones((3, 3), np.uint8)), alpha=0.9),
                       cv2.CMP_LE)
    if not cv2.countNonZero(step):
        return mask
    ring = cv2.bitwise_and(cv2.dilate(mask, np.ones((3, 3), np.uint8)), cv2.bitwise_not(mask))
    edge = cv2.bitwise_and(ring, step)
    if not cv2.countNonZero(edge):
        return mask
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    near = labels[cv2.bitwise_and(cv2.dilate(edge, np.ones((3, 3), np.uint8)), mask) > 0]
    height, width = mask.shape
    kept = mask
    for index in np.unique(near):
        x, y, w, h, _ = stats[index]
        x0, y0, x1, y1 = max(0, x - 1), max(0, y - 1), min(width, x + w + 1), min(height, y + h + 1)
        inside = labels[y0:y1, x0:x1] == index
        outside = cv2.dilate(inside.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & ~inside
        outside &= mask[y0:y1, x0:x1] == 0
        beside = cv2.erode(np.where(inside, dark[y0:y1, x0:x1], 255).astype(np.uint8), np.ones((3, 3), np.uint8))
        if (paper[y0:y1, x0:x1][outside] <= RIM_MARGIN * beside[outside].astype(np.float32)).sum() > RIM_SHARE * outside.sum():
            kept = kept.copy() if kept is mask else kept
            kept[y0:y1, x0:x1][inside] = 0
    return kept


def _at_most(image: np.ndarray, level: int, above: bool = False) -> np.ndarray:
    """uint8 -> uint8 mask: 255 where `image` <= level (or > level with `above`)."""
    kind = cv2.THRESH_BINARY if above else cv2.THRESH_BINARY_INV
    return cv2.threshold(image, level, 255, kind)[1]


def _part_of_stroke(contour: np.ndarray, mask: np.ndarray) -> bool:
    """Whether a solid blob (`contour`, in `mask`: uint8 (H, W) 0/255) is the filled loop of a
    digit, not a fingertip: at most LOOP of the closing's square across and within LOOP_GAP px
    of other ink (the stroke the loop hangs from: blurred ink fills a small "6"'s loop and the
    blur's rim parts it from the stem; dropped, the stem read "1" at 99% on a rendered dense
    page). A fingertip lies apart from the strokes on the paper, or is wider than the square."""
    x, y, w, h = cv2.boundingRect(contour)
    if max(w, h) > LOOP * closing_side(mask.shape):
        return False
    g = LOOP_GAP
    x0, y0 = max(0, x - g), max(0, y - g)
    x1, y1 = min(mask.shape[1], x + w + g), min(mask.shape[0], y + h + g)
    own = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.drawContours(own, [contour], -1, 255, cv2.FILLED, offset=(-x0, -y0))
    reach = cv2.dilate(own, np.ones((2 * g + 1, 2 * g + 1), np.uint8))
    return bool(cv2.countNonZero(cv2.bitwise_and(cv2.bitwise_and(reach, cv2.bitwise_not(own)), mask[y0:y1, x0:x1])))


def _drop_thick(mask: np.ndarray) -> np.ndarray:
    """The mask without solid blobs that no pen draws (a fingertip, a thumb, a blot).

    A blob here is a component with a mean stroke width over MAX_STROKE_WIDTH of its longer side,
    that fills at least 85% of its convex hull and is less than 3 times as long as it is wide. The
    mean stroke width of a shape is twice its area over its perimeter (holes count in both), the
    measure realtime.preprocess uses to bring strokes to MNIST's width. A piece of a digit can be
    as thick for its size (the loop of a "5" whose bar is apart) but is not solid; a bold "1" is
    as thick and solid, but long; a thick "0" or "8" is as thick and nearly solid, but has a hole
    (a blob with a hole is kept: no fingertip has one; rendered dense pages of blurred marker lost
    whole "0"s and "8"s of a row, which then read as a number without them).
    """
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return mask
    links = hierarchy[0]
    thick = []
    for index, contour in enumerate(contours):
        if links[index][3] != -1:
            continue  # a hole: measured with its component
        _, _, w, h = cv2.boundingRect(contour)
        if max(w, h) < 8:
            continue  # a speck: the finder's to reject
        area, perimeter = cv2.contourArea(contour), cv2.arcLength(contour, True)
        hole = links[index][2]
        while hole != -1:
            area -= cv2.contourArea(contours[hole])
            perimeter += cv2.arcLength(contours[hole], True)
            hole = links[hole][0]
        if links[index][2] != -1 or 2 * area <= MAX_STROKE_WIDTH * max(w, h) * perimeter:
            continue  # a loop of a "0", "6", "8" or "9" (no fingertip has a hole), or a pen's stroke
        (_, _), (a, b), _ = cv2.minAreaRect(contour)
        if area >= 0.85 * cv2.contourArea(cv2.convexHull(contour)) and max(a, b) < 3 * min(a, b):
            thick.append(contour)
    thick = [c for c in thick if not _part_of_stroke(c, mask)]
    if thick:
        mask = mask.copy()
        cv2.drawContours(mask, thick, -1, 0, cv2.FILLED)
    return mask
