"""Orientation: read a sheet held sideways or upside down by turning the frame before reading.

`--rotate 0|90|180|270` turns every frame that many degrees clockwise before the ink is found;
`--rotate auto` tries all four on the first frame and then every AUTO_EVERY frames, and keeps
the turn whose reading is the most confident (`confidence_score`). The boxes found in the turned
frame are mapped back (`box_to_frame`), so the overlay, the events and the tracker stay in the
camera's own coordinates. The MNIST classifier itself is the judge of "upright": digits upside
down or sideways are mostly read unsure or as "not a digit" (the typicality check), upright ones
confidently; 0, 1 and 8 read alike every way, so the other digits decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import cv2
import numpy as np

TURNS = (0, 90, 180, 270)
#: With `auto`, the four turns are tried again every this many frames (once a second at 30 fps):
#: a sheet turned in the hand is followed within a second, at a quarter more work on average.
AUTO_EVERY = 30
#: A different turn replaces the current one only when its score is higher by this much (about
#: one more digit read confidently), so that a frame or two of blur does not flip the reading.
SWITCH_MARGIN = 0.5

_CODES = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def parse_turn(text: str) -> int | None:
    """'0', '90', '180', '270' -> degrees; 'auto' -> None. ValueError for anything else."""
    if text == "auto":
        return None
    if text.isdigit() and int(text) in TURNS:
        return int(text)
    raise ValueError(f"expected one of 0, 90, 180, 270 or auto, got {text!r}")


def turn(image: np.ndarray, degrees: int) -> np.ndarray:
    """The image turned `degrees` (0, 90, 180, 270) clockwise; 0 returns it as it is."""
    if degrees == 0:
        return image
    return cv2.rotate(image, _CODES[degrees])


def box_to_frame(box: tuple[int, int, int, int], degrees: int, turned_shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """A box (x, y, w, h) in the image turned by `degrees` -> the same box in the image before turning.

    `turned_shape` is the turned image's shape (height, width, ...).
    """
    x, y, w, h = box
    height, width = turned_shape[:2]
    if degrees == 90:  # the frame's point (x0, y0) went to (H0 - 1 - y0, x0); H0 = turned width
        return y, width - x - w, h, w
    if degrees == 180:
        return width - x - w, height - y - h, w, h
    if degrees == 270:  # the frame's point (x0, y0) went to (y0, W0 - 1 - x0); W0 = turned height
        return height - y - h, x, h, w
    return x, y, w, h


def confidence_score(confidences: Iterable[float | None]) -> float:
    """How confidently a reading was read: its named digits' confidences, minus one per "?".

    `confidences` has one entry per candidate the model was asked about: the confidence of a named
    digit, or None for one shown as "?" (unsure or not a digit). Sideways digits are mostly "?",
    so a wrong turn loses what the right one gains.
    """
    return sum(-1.0 if c is None else c for c in confidences)


class AutoTurn:
    """Chooses the turn now and then: `choose(index, read)` with `read(degrees) -> score`.

    The first try takes the best turn; later ones keep the current turn unless another scores
    SWITCH_MARGIN more.
    """

    def __init__(self, every: int = AUTO_EVERY) -> None:
        self.every = every
        self.current = 0
        self._next_try: int | None = None

    def due(self, index: int) -> bool:
        return self._next_try is None or index >= self._next_try

    def choose(self, index: int, read: Callable[[int], float]) -> int:
        """Try every turn (this frame is due) and return the one to use from now on."""
        scores = {degrees: read(degrees) for degrees in TURNS}
        best = max(TURNS, key=lambda d: scores[d])
        if scores[best] > scores[self.current] + (0.0 if self._next_try is None else SWITCH_MARGIN):
            self.current = best
        self._next_try = index + self.every
        return self.current
