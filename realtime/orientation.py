"""Orientation: read a sheet held sideways or upside down by turning the frame before reading.

`--rotate 0|90|180|270` turns every frame that many degrees clockwise before the ink is found;
`--rotate auto` tries all four on the first frame and then every AUTO_EVERY frames. The MNIST
classifier itself is the judge of "upright", by the joint log-probability of each turn's reading
(`TurnScore.evidence`: the sum over its candidates of the log of the model's probability of the
class read, a candidate not named counting as UNNAMED), as Tesseract's orientation detection
compares its character classifier's scores per orientation. In two steps (`AutoTurn.choose`):

- *Which axis* (upright/upside down, or sideways): a turned digit mostly reads unsure or "not a
  digit" (the typicality check), an upright one confidently; a wrong turn also cuts digits into
  other candidates, so turns across axes compare per candidate (`TurnScore.mean`), and the
  current axis (upright, at first) is left only for one clearly more probable (AXIS_NATS), and
  never for one that reads nothing but "1"s (`TurnScore.only_ones`).
- *Which way up along it*: a turn and its opposite see the same ink, so their readings are two
  hypotheses about the same candidates, and their sums over them compare (`paired`). 0, 1 and 8
  read alike both ways and 6 and 9 as each other: the asymmetric digits decide. The current way
  up (upright, at first) is kept while it is the more probable, and left for one FLIP_NATS more
  probable; a new axis's way up needs SURE_NATS. In between, when the two read as different rows,
  the page is *unsure* (`AutoTurn.unsure`: its digits are shown "?", no number) rather than read
  confidently wrong ("3268" upside down read "8928", every digit named at 0.9 or more, under the
  share-of-sure-digits rule this replaces).

Then *which side* (`AutoTurn.choose_mirror`): the turn chosen is read from the frame mirrored left
to right too (a selfie camera's photo, a mirrored webcam), at that turn and its opposite, and the
mirror is taken only when it reads clearly more probably over the same ink (MIRROR_NATS); read
more probably by less, the page is unsure. Boxes found mirrored are mirrored back.

The tries read the candidates whole (on a sideways sheet, cutting "touching" digits would cost
more than the rest of the frame); a try whose choice would change the turn or call the page unsure
is decided again on the full readings (touching digits cut) of the four turns, as a real photo of
touching digits reads unsure upright until they are cut. The boxes found in the turned frame
are mapped back (`box_to_frame`), so the overlay, the events and the tracker stay in the camera's
own coordinates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import log

import cv2
import numpy as np

from realtime.tracking import iou

TURNS = (0, 90, 180, 270)
#: With `auto`, the four turns are tried again every this many frames (once a second at 30 fps):
#: a sheet turned in the hand is followed within a second. A try costs three more readings, one
#: (the opposite turn) while the current turn reads too clearly for another axis (`TurnScore.clear`).
AUTO_EVERY = 30
#: A digit read at least this confident counts for its turn (as "confidently" everywhere: 0.9).
SURE = 0.9
#: A candidate counts in a turn's evidence at the log of the probability of its reading, and at
#: this at least (natural log, nats): "not a digit" and a turned digit read unsure are weak
#: evidence against a turn, but touching digits read whole are unsure upright too.
UNNAMED = log(0.1)
#: Another axis replaces the current one (upright, at first) only when a turn on it reads
#: AXIS_NATS more probable per candidate (`TurnScore.mean`) than both turns of the current axis
#: (a wrong turn cuts digits into more candidates: sums would compare different candidates), and a
#: larger share of its candidates SURE (the real "2350" of touching digits at 200 px wide reads
#: "23?0" upright, 3 of 4 sure, and "83 8" sideways, 0.11 nats more probably, 1 of 3 sure). Chosen on the real dev photos and tests/data/pages' three cases turned
#: four ways, 40 rendered rotated pages (seeds 7, 11) and all upright kinds of seed 7, read with
#: touching digits cut: the right axis led the other by 0.19 nats per candidate or more (the real
#: "3541" upright, the real "2350" of touching digits 0.2 upright and sideways). Read whole,
#: upright touching digits may trail: a try whose current turn reads a "?" confirms with them cut.
AXIS_NATS = 0.1
#: Along an axis, a turn and its opposite see the same ink, and their evidence compares over the
#: candidates both found (`paired`). On a new axis (no way up yet), the more probable way is
#: unsure unless it leads by SURE_NATS; ...
SURE_NATS = 0.5
#: ... the current way up (upright, at first: people hold a sheet upright) is left for its
#: opposite when that leads by FLIP_NATS, and is unsure while the opposite leads by less. On the
#: same pages the right way led its opposite by 0.65 nats or more (upside down: 0.78 or more, the
#: real "931" and "2413" least), but for one upright page of touching digits whose opposite led by
#: 0.44 (its pairs cut otherwise; a piece of a "9" reads "0" upside down, "?" upright): unsure,
#: rather than an upright page turned.
FLIP_NATS = 0.6
#: A video's tries accumulate: the current way's lead over its opposite counts the last try's
#: (itself so accumulated) at this weight, as a sequential test sums its evidence (A. Wald, 1945),
#: with a memory of a few tries: the real video's "2021 2019" at half size reads its opposite
#: "6102 1202" a little more probably in one try of five, and no longer goes unsure for a second.
HISTORY = 0.5
# SETTLE: a video leaves its turn only when two tries in a row choose the same other one, sure of
# its way up; until then the page is unsure. A still has one try, which decides. A frame is not
# the page: a faint page read in fragments by one try ("11 ? ? 19 1" upright, "1 61 11 1" upside
# down, the real video of "2021 2019" faded toward white) led the other way up by 1.16 nats, and
# the next tries, with the page found whole, read it upright by 1.6-2.0 nats: one try turned it
# over, to "6172 1202" at 0.8-1.0 a digit, for the second until the next try.

#: A turn is left only for one that reads well in itself: at least LEAVE_MEAN nats per candidate
#: (`TurnScore.mean`; a geometric mean of 0.78 per candidate's reading). Leading is not enough: a
#: try on a frame of a sheet in motion reads fragments every way, and one way's fragments can lead
#: by more than FLIP_NATS (the real video overexposed, read with its ink found: upright "11
#: 170?? 17??19" at -0.51 nats per candidate, upside down "17 6174 17??01" at -0.39 and 2.1 nats
#: ahead; it confirmed an upside-down try, and "6172 1202" was shown at 0.8-1.0 a digit for 30
#: frames). Such a try keeps the current turn and calls the page unsure. Every right turn of the
#: real photos and cases turned 90, 180 and 270 degrees (33) and of 25 rendered turned pages
#: (seeds 7, 11, 13) read at -0.17 nats per candidate or better (the real ones -0.05).
LEAVE_MEAN = -0.25
#: SETTLE's second try, the one that may confirm a wanted turn comes this many frames after the one that wanted it:
#: far enough for another view of the sheet (a sixth of a second at 30 frames/s), soon enough
#: that the page is "?" only briefly.
CONFIRM_AFTER = 5
#: A video's tries start again at once when most digits of a frame are new to the tracker
#: (SCENE_CHANGE of those it read, two or more): a sheet turned over in the hand was read the old
#: way up, every digit sure, until the next try, and HISTORY held the old way up for two tries
#: more (the real video turned 180 degrees mid-way: "6102 1202" at 0.92-1.00 for 64 frames).
SCENE_CHANGE = 0.5
#: Why the digits of a page whose way up is unsure are not named (DigitResult.reason).
UNSURE_TURN = "which way up?"
#: With `auto`, a try also reads the turn it chose mirrored left to right (a selfie camera's photo,
#: a mirrored webcam): a mirrored "3", "4", "6", "7" or "9" is no digit, but the model reads many
#: as digits, and the real photos and 55 rendered pages mirrored read 29 wrong numbers in 18 of
#: 66 pages. The mirror and the frame as it is see the same ink, so their evidence compares over
#: the candidates both found (`paired`), as a turn's and its opposite's do. The frame as it is read
#: now is left for its mirror only when the mirror reads MIRROR_NATS more probably (FLIP_NATS, the
#: bar for leaving a way up) and well in itself (LEAVE_MEAN); a mirror read more probably by less,
#: as different rows, makes the page unsure (UNSURE_MIRROR). On those 66 pages upright the frame
#: as it is led its mirror by 0.48 nats or more (the real pencil "931", read "188" mirrored; dense
#: pages by 70 to 81), but for two pages of touching digits read whole, "??" both ways (0.0 and
#: 0.04 nats: neither side leads, nothing changes). Cut, touching digits may read worse as they
#: are than their mirror's few pieces that match them; a mirror read under LEAVE_MEAN per
#: candidate is no evidence either way (an upright touching page of held-out seed 5 went "?").
MIRROR_NATS = FLIP_NATS
#: Why the digits of a page that may be mirrored are not named (DigitResult.reason).
UNSURE_MIRROR = "mirrored?"

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
    SURE or more; `evidence`, the joint log-probability of its reading (nats, <= 0); `lines`, the
    text of its rows. Sideways and upside-down digits are mostly unsure or "not a digit"."""

    sure: int
    asked: int
    evidence: float = 0.0
    lines: tuple[str, ...] = ()
    #: Per candidate asked: its box in the camera's frame (x, y, w, h) and its log-probability,
    #: for comparing a turn with its opposite on the same ink (`paired`); empty: not known.
    marks: tuple[tuple[tuple[int, int, int, int], float], ...] = ()

    @property
    def mean(self) -> float:
        """Evidence per candidate (UNNAMED when none was read)."""
        return self.evidence / self.asked if self.asked else UNNAMED

    @property
    def share(self) -> float:
        """The share of its candidates read SURE (0.0 when none was read)."""
        return self.sure / self.asked if self.asked else 0.0

    @property
    def only_ones(self) -> bool:
        """Whether every digit its rows name is a "1" (and they name one): such a reading cannot
        tell an axis. A straight stroke reads "1" along whichever axis it lies: a hand-held shot
        smears every digit into horizontal streaks, "too wide" upright, and turned 90 degrees they
        read as rows of sure "1"s (the real photos shaken 15 px: "111 111 1" for 3541)."""
        named = [ch for line in self.lines for ch in line if ch.isdigit()]
        return bool(named) and set(named) == {"1"}

    @property
    def clear(self) -> bool:
        """Whether no turn on another axis could read AXIS_NATS more probably per candidate (the
        most probable reading is 0 nats per candidate)."""
        return self.mean > -AXIS_NATS


def turn_score(readings: Iterable[tuple[float | None, float]], lines: Iterable[str] = (),
               boxes: Iterable[tuple[int, int, int, int]] = ()) -> TurnScore:
    """A turn's score from one (confidence, probability) per candidate the model was asked about:
    the confidence of a named digit or None for one shown as "?" (unsure or not a digit), and the
    probability of the reading (the model's of its top class, of all its outputs; 0 for "not a
    digit"), counted at UNNAMED at least; `lines`, the text of the turn's rows; `boxes`, when
    given, one per candidate in the camera's frame."""
    values = list(readings)
    sure = sum(c is not None and c >= SURE for c, _ in values)
    logs = [max(log(max(p, 1e-12)), UNNAMED) for _, p in values]
    return TurnScore(sure, len(values), sum(logs), tuple(lines), tuple(zip((tuple(b) for b in boxes), logs)))


def paired(one: TurnScore, other: TurnScore) -> tuple[float, float]:
    """The evidence of two opposite turns over the candidates both found (boxes in the frame at
    IoU >= 0.5, matched best first): the finder treats the top and the bottom of a frame alike
    but not the same (a shadow along the bottom edge is "?"s upright, cut by the border turned
    over), and only the same ink weighs the two ways up. Without marks, the whole sums."""
    if not one.marks or not other.marks:
        return one.evidence, other.evidence
    pairs = sorted(((iou(a, b), i, j) for i, (a, _) in enumerate(one.marks) for j, (b, _) in enumerate(other.marks)), reverse=True)
    used_one, used_other, sums = set(), set(), [0.0, 0.0]
    for overlap, i, j in pairs:
        if overlap < 0.5:
            break
        if i not in used_one and j not in used_other:
            used_one.add(i)
            used_other.add(j)
            sums[0] += one.marks[i][1]
            sums[1] += other.marks[j][1]
    return sums[0], sums[1]


def _opposite(degrees: int) -> int:
    return (degrees + 180) % 360


def mirror_marks(score: TurnScore, width: int) -> TurnScore:
    """`score` of a frame read mirrored left to right, its marks' boxes mirrored back into the
    frame `width` px wide (x -> width - x - w): comparable with the frame's own reading (`paired`)."""
    marks = tuple(((width - x - w, y, w, h), value) for (x, y, w, h), value in score.marks)
    return TurnScore(score.sure, score.asked, score.evidence, score.lines, marks)


class AutoTurn:
    """Chooses the turn now and then: `choose(index, read, confirm)` with `read(degrees) -> TurnScore`.

    `current` is the turn to read with until the next try; `unsure`, whether its two ways up read
    too alike to tell (different rows, evidence close: FLIP_NATS, SURE_NATS): then no digit of the page is
    named. `mirrored`: whether frames are read mirrored left to right (`choose_mirror`), and
    `mirror_unsure` whether the frame and its mirror read too alike to tell. A frame or two of blur does not turn the reading: the current axis is left only for a
    clearly more probable one, the current way up only for one FLIP_NATS more probable.
    """

    def __init__(self, every: int = AUTO_EVERY) -> None:
        self.every = every
        self.current = 0
        self.unsure = False
        self._lead = 0.0  # nats the current way up read more probably than its opposite, so far
        self._next_try: int | None = None
        self._wanted: int | None = None  # the turn the last try chose over the current one (SETTLE)
        self.mirrored = False
        self.mirror_unsure = False
        self._mirror_tried = False  # a try weighed the mirror already: a video's next must confirm it
        self._mirror_wanted = False  # the last try wanted the other side (SETTLE)
        self._mirror_settled = False  # a try told the side clearly: it is the camera's, kept

    def due(self, index: int) -> bool:
        return self._next_try is None or index >= self._next_try

    def seen(self, index: int, began: int, continued: int) -> None:
        """A video's frame was read and tracked: `began` of its digits began a track and
        `continued` continued one (realtime.tracking.Tracker); `index` is the next frame's. When
        what the camera sees changed (SCENE_CHANGE: the sheet was turned over or another put in
        view), the turns are tried again from the frame after the next, weighed afresh (the tries
        before saw another view; HISTORY would hold the old way up against the new view for two
        tries more)."""
        if self._next_try is not None and began >= 2 and began > SCENE_CHANGE * (began + continued):
            self._next_try = min(self._next_try, index + 1)
            self._lead = 0.0
            self._mirror_settled = False  # another view: a video cut from another recording

    def choose(self, index: int, read: Callable[[int], TurnScore],
               confirm: Callable[[int], TurnScore] | None = None) -> int:
        """Try every turn (this frame is due) and return the one to use from now on. `confirm`, when
        given, is a costlier, fuller reading (touching digits cut) that decides again, on all four
        turns, when the tries would change the turn or call the page unsure, or the current turn
        reads a "?" (touching digits read whole are "?" on the right turn, and may read as digits
        cut on a wrong one): `read` is what every try pays, `confirm` only such a try.
        The current turn is read first: when it reads within AXIS_NATS of certainty per candidate,
        no other axis could be more probable by AXIS_NATS (`clear`), and only its opposite is read
        (an upright sheet read clearly pays one reading, not three)."""
        first = read(self.current)
        weighed = (self.current, _opposite(self.current)) if first.clear else TURNS
        scores = {degrees: first if degrees == self.current else read(degrees) for degrees in weighed}
        chosen, unsure, lead = self._decide(scores)
        doubt = (chosen, unsure) != (self.current, False) or any("?" in line for line in first.lines)
        if doubt and confirm is not None:
            chosen, unsure, lead = self._decide({degrees: confirm(degrees) for degrees in weighed})
        if chosen != self.current and self._next_try is not None and (chosen != self._wanted or unsure):
            # a video's first sure try for another turn: unsure until the next one agrees (SETTLE)
            self._wanted = None if unsure else chosen
            chosen, unsure, lead = self.current, True, self._lead  # the next try weighs the way up afresh
        else:
            self._wanted = None
        self.current, self.unsure, self._lead = chosen, unsure, lead
        # a turn wanted is confirmed or dropped soon (CONFIRM_AFTER), not after a second of "?"
        self._next_try = index + (CONFIRM_AFTER if self._wanted is not None else self.every)
        return self.current

    def choose_mirror(self, index: int, chosen: int, read: Callable[[int], TurnScore],
                      mirrored: Callable[[int], TurnScore], confirm: Callable[[int], TurnScore] | None = None,
                      confirm_mirrored: Callable[[int], TurnScore] | None = None) -> int:
        """After `choose` on the same frame: whether to read frames mirrored left to right from now
        on (`mirrored`, the attribute), and the turn to read them at. `read(d)` is turn d read as
        frames are read now, `mirrored(d)` turn d read from the frame mirrored (`mirror_marks`: its
        boxes in the same frame); `confirm` and `confirm_mirrored` the fuller readings (touching
        digits cut), which decide when the turn `chosen` reads a "?" (as in `choose`).

        The mirror is read at `chosen` and at its opposite (a mirrored sheet is chosen upside down
        as often as not: a mirror turned half round is a sheet flipped top to bottom), and at the
        other axis's two turns too when `chosen` does not read clearly (a mirrored sheet held
        sideways reads poorly every way as it is: `choose` may keep the wrong axis). Along the
        chosen axis the mirror is taken when it reads MIRROR_NATS more probably over the same ink;
        across, as `choose` leaves an axis (AXIS_NATS per candidate more than the turn chosen and
        the mirror along it, a larger share sure, not only "1"s), its way up SURE_NATS ahead of
        its opposite. Either must read well in itself (LEAVE_MEAN), and on a video's later try
        the next try must agree (SETTLE; unsure meanwhile). A mirror that reads well, and more
        probably by less, as other rows, makes the page unsure.

        Whether frames are mirrored is the camera's doing, not the sheet's: once a try has taken
        the mirror, or found the frame as it is MIRROR_NATS ahead and reading well, the side is
        settled and later tries read no mirror until the view changes (`seen`). (A sheet's "2021
        2019" in a shadow that took its "9" read "2021 201" upright and "1505 105" mirrored, a "2"
        mirrored read as a sure "5": 35 frames of an upright video went "?".) A mirror under
        LEAVE_MEAN is no evidence for it: an upright page of touching digits, cut, read "7??9
        02?220 2?186" at -0.18 nats per candidate and its mirror's pieces at -0.47, yet 0.67 nats
        ahead over the few candidates both found."""
        if self._mirror_settled:
            return self.current
        here = read(chosen)
        ways = (chosen, _opposite(chosen)) if here.clear else TURNS
        if confirm is not None and confirm_mirrored is not None and any("?" in line for line in here.lines):
            here, others = confirm(chosen), {d: confirm_mirrored(d) for d in ways}
        else:
            others = {d: mirrored(d) for d in ways}

        def lead(one: TurnScore, other: TurnScore) -> float:  # how much more probably `other` reads
            mine, theirs = paired(one, other)
            return theirs - mine

        best = max((chosen, _opposite(chosen)), key=lambda d: lead(here, others[d]))
        ahead = lead(here, others[best])  # nats the mirror leads by (behind: negative)
        taken = ahead >= MIRROR_NATS
        unsure = ahead > 0 and others[best].lines != here.lines
        across = [d for d in others if d % 180 != chosen % 180]
        side = max(across, key=lambda d: others[d].mean) if across else None
        if side is not None and (others[side].mean >= max(here.mean, others[best].mean) + AXIS_NATS
                                 and others[side].share > max(here.share, others[best].share)
                                 and not others[side].only_ones):
            best, taken, ahead = side, lead(others[_opposite(side)], others[side]) >= SURE_NATS, 0.0
            unsure = not taken
        # the side is the camera's, not the sheet's: settled by the first try that tells it clearly
        settled = ahead <= -MIRROR_NATS and here.mean >= LEAVE_MEAN
        self.mirror_unsure = False
        if others[best].mean < LEAVE_MEAN:  # fragments: no evidence for the mirror
            self._mirror_wanted, self._mirror_settled = False, settled
        elif taken and self._mirror_tried and not self._mirror_wanted:
            self._mirror_wanted = self.mirror_unsure = True
            self._next_try = min(self._next_try if self._next_try is not None else index + 1,
                                 index + CONFIRM_AFTER)
        elif taken:
            self.mirrored, self.current, self.unsure = not self.mirrored, best, False
            self._mirror_wanted, self._lead, self._mirror_settled = False, 0.0, True  # the way up weighed afresh
        else:
            self._mirror_wanted, self.mirror_unsure, self._mirror_settled = False, unsure, settled
        self._mirror_tried = True
        return self.current

    def _decide(self, scores: dict[int, TurnScore]) -> tuple[int, bool, float]:
        """(turn, unsure, lead) on `scores` (the current axis's two turns at least): the axis by
        evidence per candidate, the way up by evidence; `lead`, how much more probable the way
        chosen reads than its opposite (nats), with what the last tries said of it."""
        best = max(scores, key=lambda d: scores[d].mean)
        kept = max((self.current, _opposite(self.current)), key=lambda d: scores[d].mean)
        if (best % 180 == self.current % 180 or scores[best].mean < scores[kept].mean + AXIS_NATS
                or scores[best].share <= max(scores[d].share for d in (self.current, _opposite(self.current)))
                or scores[best].only_ones):
            best = self.current  # the current axis, from the current way up
        way, other = paired(scores[best], scores[_opposite(best)])
        lead = way - other
        if best == self.current:
            lead, flip, need = lead + HISTORY * self._lead, FLIP_NATS, 0.0
        else:
            flip = need = SURE_NATS
        if -lead >= flip:
            chosen, unsure, lead = _opposite(best), False, -lead
        else:
            # the current way is unsure only when its opposite also reads as large a share of its
            # digits sure: a page reading one box's remnant "?" upright, 9 of 11 digits sure, may
            # read upside down as probably with 6 of 11 sure, every candidate named
            rival = best != self.current or scores[_opposite(best)].share >= scores[best].share
            chosen, unsure = best, scores[best].lines != scores[_opposite(best)].lines and lead < need and rival
        if chosen != self.current and scores[chosen].mean < LEAVE_MEAN:
            return self.current, True, 0.0  # fragments every way: no evidence for either
        return chosen, unsure, lead
