"""Orientation: read a sheet held sideways or upside down by turning the frame before reading.

`--rotate 0|90|180|270` turns every frame that many degrees clockwise before the ink is found;
`--rotate auto` tries all four on the first frame and then every AUTO_EVERY frames, and keeps
the turn whose reading is clearly the most confident (`TurnScore.beats`), upright unless
another is. The tries read the candidates whole (on a sideways sheet, cutting "touching" digits
would cost more than the rest of the frame); a try that would turn the sheet is confirmed by the
full reading (touching digits cut) before it is taken, as a real photo of touching digits reads
unsure upright until they are cut. The boxes found in the turned frame are mapped back (`box_to_frame`), so the overlay, the events and the tracker stay in the
camera's own coordinates. The MNIST classifier itself is the judge of "upright": digits upside
down or sideways are mostly read unsure or as "not a digit" (the typicality check), upright ones
confidently; 0, 1 and 8 read alike every way, so the other digits decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import cv2
import numpy as np

TURNS = (0, 90, 180, 270)
#: With `auto`, the four turns are tried again every this many frames (once a second at 30 fps):
#: a sheet turned in the hand is followed within a second. A try costs three more readings, none
#: while the current turn reads too clearly for any other to beat it (`TurnScore.beatable`).
AUTO_EVERY = 30
#: A digit read at least this confident counts for its turn (as "confidently" everywhere: 0.9).
SURE = 0.9
#: Another turn replaces the current one (upright, at first) only when its share of candidates
#: read SURE is SHARE_MARGIN higher and it reads MIN_GAIN more digits SURE: upright is what people
#: hold, and a wrong turn cuts digits into more candidates, some of them sure. Chosen on the real
#: dev set and 100 rendered pages (seed 7) read at each turn: a wrong turn beat upright by at most
#: 0.03 of its candidates, the right turn of a turned sheet by 0.38 or more (and 3 digits or more).
SHARE_MARGIN = 0.2
MIN_GAIN = 2

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


@dataclass(frozen=True)
class TurnScore:
    """How a turn read: `sure` of its `asked` candidates (those the model was asked about) named at
    SURE or more. Sideways and upside-down digits are mostly unsure or "not a digit"."""

    sure: int
    asked: int

    @property
    def share(self) -> float:
        return self.sure / self.asked if self.asked else 0.0

    def beats(self, other: TurnScore) -> bool:
        """Whether this turn's reading is clearly better than `other`'s (SHARE_MARGIN, MIN_GAIN)."""
        return self.share >= other.share + SHARE_MARGIN and self.sure >= other.sure + MIN_GAIN

    @property
    def beatable(self) -> bool:
        """Whether any turn could beat this one: not when its share is within SHARE_MARGIN of all."""
        return self.share + SHARE_MARGIN <= 1.0


def turn_score(confidences: Iterable[float | None]) -> TurnScore:
    """A turn's score from one entry per candidate the model was asked about: the confidence of a
    named digit, or None for one shown as "?" (unsure or not a digit)."""
    values = list(confidences)
    return TurnScore(sum(c is not None and c >= SURE for c in values), len(values))


class AutoTurn:
    """Chooses the turn now and then: `choose(index, read, confirm)` with `read(degrees) -> TurnScore`.

    Each try keeps the current turn (upright at first) unless another beats it (`TurnScore.beats`)
    and beats the turn opposite it: a frame or two of blur does not flip the reading, nor does a
    sheet whose digits read alike upside down ("2021" held sideways reads as well turned 90 as
    270, as "2021" and "1202": no turn is chosen, and the frame reads as it comes).
    """

    def __init__(self, every: int = AUTO_EVERY) -> None:
        self.every = every
        self.current = 0
        self._next_try: int | None = None

    def due(self, index: int) -> bool:
        return self._next_try is None or index >= self._next_try

    def choose(self, index: int, read: Callable[[int], TurnScore],
               confirm: Callable[[int], TurnScore] | None = None) -> int:
        """Try every turn (this frame is due) and return the one to use from now on. `confirm`, when
        given, is a costlier, fuller reading (touching digits cut) that must agree before the turn
        changes: `read` is what every try pays, `confirm` only a try that would turn the sheet.
        The current turn is read first: when no turn could beat it (`TurnScore.beatable`), as on
        an upright sheet read clearly, the other three are not read at all."""
        scores = {self.current: read(self.current)}
        if not scores[self.current].beatable:
            self._next_try = index + self.every
            return self.current
        scores.update((degrees, read(degrees)) for degrees in TURNS if degrees != self.current)
        best = max(TURNS, key=lambda d: (scores[d].share, scores[d].sure))
        contenders = (best, self.current, (best + 180) % 360)
        if self._turns_to(best, scores) and (
                confirm is None or self._turns_to(best, {degrees: confirm(degrees) for degrees in contenders})):
            self.current = best
        self._next_try = index + self.every
        return self.current

    def _turns_to(self, best: int, scores: dict[int, TurnScore]) -> bool:
        """Whether `best` beats both the current turn and its own opposite on `scores`."""
        return scores[best].beats(scores[self.current]) and scores[best].beats(scores[(best + 180) % 360])
