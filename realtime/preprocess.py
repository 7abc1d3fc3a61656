"""One MNIST-style preprocessing for every source: an ink crop in, the model's 28x28 input out.

MNIST digits were made by fitting each digit's bounding box into 20x20 pixels (aspect ratio kept,
anti-aliased) and placing its centre of mass at the centre of a 28x28 frame. A model trained on
MNIST only reads well what looks like that, so the canvas and the camera both go through
`to_mnist`, which rebuilds exactly that picture from whatever the user drew: small or large,
off-centre, a 1-px mouse line or a fat marker stroke.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import cv2
import numpy as np

from realtime.checks import numeric_array

Ink = Literal["light", "dark"]

SIZE = 28
BOX = 20
#: MNIST strokes are 1.7-3.4 px wide at 28x28 (10th-90th percentile of 2*area/perimeter over the
#: training set, median 2.3): inside that band a stroke is left alone, outside it is brought to 2.4.
MNIST_STROKE = 2.4
_STROKE_BAND = (1.7, 3.4)
#: Work resolution for stroke-width normalisation: big enough to keep the digit's shape,
#: small enough that morphology costs microseconds.
_WORK = 4 * BOX
_INK_LEVEL = 0.35
_MIN_CONTRAST = 0.08
_ALLOWED_KINDS = "biuf"


def to_mnist(
    crop: np.ndarray,
    ink: Ink = "light",
    *,
    normalize_stroke: bool = True,
    deskew: bool = False,
) -> np.ndarray | None:
    """A grayscale ink crop -> (28, 28) float32 in [0, 1], white ink on black; None if no ink.

    `ink` says whether the strokes are lighter ("light": a black canvas, a binary mask) or darker
    ("dark": pen on paper) than the background. Integer crops are read on their dtype's full range,
    float crops as [0, 1] (values outside are clipped). None means "no digit": an empty,
    all-background or contrast-free crop never becomes a prediction.

    Raises ValueError for what is not a 2-D finite numeric image, so that a bug upstream is loud.
    """
    crop = numeric_array(crop, "crop")
    gray = _as_unit_float(crop)
    if ink == "dark":
        gray = 1.0 - gray
    elif ink != "light":
        raise ValueError(f"ink must be 'light' or 'dark', got {ink!r}")

    # Background and contrast. A low percentile, not the median, is the background: a thick
    # stroke can be most of its crop. A crop of one level throughout holds no digit.
    background = _percentile(gray, 2.0)
    peak = float(gray.max())
    if peak - background < _MIN_CONTRAST:
        return None
    gray -= background  # in place: `gray` is always a fresh array here
    gray *= 1.0 / (peak - background)
    gray.clip(0.0, 1.0, out=gray)

    x, y, w, h = cv2.boundingRect((gray > _INK_LEVEL).view(np.uint8))  # of the ink: one C pass
    if w == 0:
        return None
    gray = gray[y : y + h, x : x + w]

    # Stroke width is measured at the crop's own resolution: shrunk to the work size, a 1-px
    # line would fade below any threshold.
    width = stroke_width(gray > 0.5) if normalize_stroke else 0.0
    gray, scale = _to_work_size(gray)
    if normalize_stroke:
        gray = _normalize_stroke(gray, width * scale)
    if deskew:
        gray = _deskew(gray)
    return _center_in_frame(_fit_box(gray))


def _percentile(gray: np.ndarray, q: float) -> float:
    """np.percentile(gray, q) (its default linear interpolation), by a partial sort: the same value
    at a third of the cost on a crop, which every candidate and every lattice arc pays."""
    flat = gray.ravel()
    rank = q / 100.0 * (flat.size - 1)
    low = int(rank)
    high = min(low + 1, flat.size - 1)
    part = np.partition(flat, (low, high))
    below, above = float(part[low]), float(part[high])
    return below + (above - below) * (rank - low)


def _as_unit_float(crop: np.ndarray) -> np.ndarray:
    if not isinstance(crop, np.ndarray):
        raise ValueError(f"expected a numpy array, got {type(crop).__name__}")
    if crop.ndim == 3 and crop.shape[2] == 1:
        crop = crop[:, :, 0]
    if crop.ndim != 2:
        raise ValueError(f"expected a 2-D grayscale crop (H, W), got shape {crop.shape}")
    if crop.size == 0:
        raise ValueError(f"expected a non-empty crop, got shape {crop.shape}")
    if crop.dtype.kind not in _ALLOWED_KINDS:
        raise ValueError(f"expected a bool, integer or float crop, got dtype {crop.dtype}")
    if crop.dtype.kind == "b":
        return crop.astype(np.float32)
    if crop.dtype.kind in "iu":
        top = _int_top(crop.dtype)
        values = crop if crop.dtype.kind == "u" else np.clip(crop, 0, top)  # unsigned: nothing to clip
        unit = values.astype(np.float32)
        unit /= float(top)  # in place: every crop of every frame pays this
        return unit
    if not np.isfinite(crop).all():
        raise ValueError("expected finite values, the crop has NaN or infinity")
    return np.clip(crop, 0.0, 1.0).astype(np.float32)


@lru_cache(maxsize=None)
def _int_top(dtype: np.dtype) -> int:
    """The largest value of an integer dtype: its crops are read on [0, it] (np.iinfo, asked
    afresh, costs as much as the rest of the conversion of a small crop)."""
    return int(np.iinfo(dtype).max)


def _to_work_size(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Rescale so the longer side is _WORK px: fixed cost, and stroke widths become comparable.

    Returns the image (brought back to a peak of 1, which thin lines lose when shrunk) and the scale.
    """
    h, w = gray.shape
    scale = _WORK / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    work = cv2.resize(gray, size, interpolation=interpolation)
    peak = float(work.max())
    if peak > 0:
        work /= peak  # in place: `work` is resize's own array
    return work, scale


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary mask as 2 * area / perimeter (exact for long thin strokes)."""
    area = float(np.count_nonzero(mask))
    if area == 0:
        return 0.0
    ink = mask.view(np.uint8) if mask.dtype == np.bool_ and mask.flags.c_contiguous else mask.astype(np.uint8)
    contours, _ = cv2.findContours(ink, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)  # reads, never writes `ink`
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * area / perimeter if perimeter > 0 else float(min(mask.shape))


def _normalize_stroke(gray: np.ndarray, width: float) -> np.ndarray:
    """Thin fat marker strokes and thicken hairlines (`width` px at work scale) to MNIST's pen.

    The image is padded first, so that a stroke as wide as its crop (a straight "1") can grow,
    and cropped to its ink again after.
    """
    px_per_unit = _WORK / BOX
    if _STROKE_BAND[0] * px_per_unit <= width <= _STROKE_BAND[1] * px_per_unit:
        return gray
    # Growing the stroke by d also grows the digit's box by d, and the box is later fit into BOX
    # px: solve (width + d) / (_WORK + d) = MNIST_STROKE / BOX for d (likewise when shrinking).
    fraction = MNIST_STROKE / BOX
    delta = (fraction * _WORK - width) / (1 - fraction)
    size = int(round(abs(delta))) | 1  # odd, so the stroke grows or shrinks symmetrically
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    if delta > 0:
        pad = size // 2 + 1
        changed = cv2.dilate(cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0), kernel)
    else:
        changed = cv2.erode(gray, kernel)
        # Eroding can wipe out a digit's thinner parts; only keep it if most of the shape survives.
        if np.count_nonzero(changed > 0.5) < 0.25 * np.count_nonzero(gray > 0.5):
            return gray
    ys, xs = np.nonzero(changed > _INK_LEVEL)
    return changed[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] if ys.size else gray


def _deskew(gray: np.ndarray) -> np.ndarray:
    """Shear the digit upright using its second-order moments (as OpenCV's digits sample does)."""
    m = cv2.moments(gray)
    if abs(m["mu02"]) < 1e-2:
        return gray
    skew = m["mu11"] / m["mu02"]
    h, w = gray.shape
    pad = int(abs(skew) * h / 2) + 1
    gray = cv2.copyMakeBorder(gray, 0, 0, pad, pad, cv2.BORDER_CONSTANT, value=0)
    shear = np.float32([[1, skew, -skew * h / 2], [0, 1, 0]])
    out = cv2.warpAffine(gray, shear, (gray.shape[1], h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    ys, xs = np.nonzero(out > _INK_LEVEL)
    return out[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] if ys.size else gray


def _fit_box(gray: np.ndarray) -> np.ndarray:
    """Fit the longer side into BOX px with anti-aliasing; a tall "1" stays tall and thin."""
    h, w = gray.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(gray, size, interpolation=interpolation)


def _center_in_frame(digit: np.ndarray) -> np.ndarray:
    """Place the digit so its centre of mass sits at the centre of the 28x28 frame.

    The centre of mass is read from `cv2.moments` (one C pass: every candidate of every frame pays
    this) and the offsets are clamped with Python's min/max (np.clip costs ten times as much on
    scalars)."""
    h, w = digit.shape
    moments = cv2.moments(digit)
    total = moments["m00"]
    if total <= 0:
        cy, cx = (h - 1) / 2, (w - 1) / 2
    else:
        cy, cx = moments["m01"] / total, moments["m10"] / total
    top = min(max(round((SIZE - 1) / 2 - cy), 0), SIZE - h)
    left = min(max(round((SIZE - 1) / 2 - cx), 0), SIZE - w)
    frame = np.zeros((SIZE, SIZE), np.float32)
    frame[top : top + h, left : left + w] = digit
    peak = float(frame.max())
    if peak > 0:
        frame /= peak  # in [0, 1]: every step before keeps the ink non-negative
    return frame
