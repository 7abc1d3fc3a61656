"""Camera frames to binary ink: any frame format in, a lighting-robust ink mask out.

Paper under a desk lamp is bright on one side and shadowed on the other, so one global threshold
cannot separate ink from paper everywhere. A local (adaptive) threshold compares each pixel with
the mean of its neighbourhood instead; `sensitivity` is how much darker than its surroundings a
pixel must be to count as ink.
"""

from __future__ import annotations

import cv2
import numpy as np

DEFAULT_SENSITIVITY = 15
SENSITIVITY_RANGE = (3, 60)


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


def binarize(gray: np.ndarray, sensitivity: int = DEFAULT_SENSITIVITY, light_ink: bool = False) -> np.ndarray:
    """uint8 grayscale -> uint8 mask, 255 where there is ink.

    The neighbourhood is an eighth of the shorter side: larger than a pen stroke, so a stroke
    is darker than its neighbourhood's mean, yet smaller than a shadow. A 3x3 closing then joins
    strokes that the threshold broke at faint spots.
    """
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"expected a uint8 grayscale image, got {gray.dtype} {gray.shape}")
    if light_ink:
        gray = cv2.bitwise_not(gray)
    block = max(15, (min(gray.shape) // 8) | 1)
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    mask = cv2.adaptiveThreshold(
        blurred, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, int(sensitivity)
    )
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
