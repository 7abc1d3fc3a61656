"""Camera mode: find and read handwritten digits in webcam frames, videos and images.

`FramePipeline` is the per-frame work (binarise, find, preprocess, one batched model call,
smoothing) and `CameraApp` the keys, toggles and rendering; neither needs a window. `run` is the
loop that joins a Source to a Window, or to nothing at all with --headless.
"""

from __future__ import annotations

import signal
import sys
import time
from statistics import median
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from realtime import glare, layout, overlay
from realtime.binarize import DEFAULT_SENSITIVITY, SENSITIVITY_RANGE, binarize, gray_ink, to_bgr
from realtime.capture import Source
from realtime.closeup import find_ink, ink_height
from realtime.errors import UserError, flush_stdout
from realtime.events import EventLog, EventLogError
from realtime.files import save_images, unique_paths
from realtime.lifecycle import ExitHook, StopSignals
from realtime.orientation import (UNSURE_MIRROR, UNSURE_TURN, AutoTurn, TurnScore, box_to_frame, mirror_marks, turn,
                                  turn_score)
from realtime.oversegment import resegment
from realtime.page import find_page, reject_off_page, reject_on_skin
from realtime.reading import DigitResult, Predictor, Reading, by_line, doubt_small, read_candidates
from realtime.rejoin import rejoin
from realtime.segment import Candidate, FinderSettings, find_digits
from realtime.skew import MIN_SKEW, RESKEW, box_back, estimate_skew, level, seen_area
from realtime.textlines import UNSURE_ROWS, stacked_rows, torn_rows
from realtime.tracking import Tracker
from realtime.whole_memory import WholeMemory
from realtime.videofile import VideoFile, VideoWriteError

if TYPE_CHECKING:
    from realtime.window import Window

IDLE_WAIT_MS = 40  # paused or ended: look for keys and clicks 25 times a second, asleep in between
#: A turn's reading counts the shapes the finder turned down as this, each as a "?" ("not a
#: digit"): a digit on its side is wider than tall, and a quarter turn short of upright leaves
#: "1"s lying down (a real "9107" turned 90 degrees and tilted 10 read "5 0 07" a turn short,
#: every digit as sure as upright, its "1" "too wide" and uncounted). Only those among the digits
#: count (`_among`): a digit lying down lies among the others, while wood grain or a fabric's weave
#: around the sheet is "too wide" in one turn and not in the next (a page of touching digits on
#: a wooden desk, a dozen streaks "too wide" upright, was read a quarter turn off: "0518" for 506).
LYING = "too wide"
WORK_MAX_SIDE = 960  # larger frames are read at this size: same digits, a fraction of the cost
#: A frame whose shorter side is under WORK_MIN_SIDE (QVGA's, the smallest camera frame) and
#: whose ink is under SMALL_INK px high (the median height of its parts, found at its own size;
#: MNIST's box is 20 px) is read enlarged to WORK_MIN_SIDE (cubic; its longer side at most
#: WORK_MAX_SIDE): the finder's pixel limits, the binarisation's windows and a printed line's
#: width are made for camera frames, and a photo scaled down to 75-160 px wide broke its strokes
#: into specks there. On held-out MNIST digits drawn 8-16 px high in rows
#: (scripts/validate_small_digits.py) it finds 99% of them instead of 68-99.9%, and at 8-12 px
#: the model's top class is wrong for 1.1-1.9% of them instead of 1.8-10%. A crop of a row
#: with digits larger than SMALL_INK is read at its size (a close-up: realtime.closeup).
WORK_MIN_SIDE, SMALL_INK = 240, 20
#: A "1" is one stroke as high as the digits of its row. A named "1" lower than SHORT_ONE of the
#: median height of the other named digits of its line (at least MIN_OTHERS of them) is a piece:
#: what a printed box left after its lines were taken, a stroke a cut broke off its digit, a
#: speck; shown "?" (SHORT_ONE_REASON), never a digit more in the number ("546539" in printed
#: boxes read "5142539": a box's 19-px remnant read "1" at 0.95 in a row of 60-px digits; on a
#: dense page a "2"'s tail read "1" at 0.79, 0.58 of its row). On dev pages (seed 7, all kinds;
#: seed 11, dense; seeds 11 and 13, touching) and the real photos, the 442 "1"s read right in
#: upright rows are at least 0.70 of their row's height (439 at least 0.8); both under 0.6 were
#: wrong. A piece under realtime.segment.SPECK_OF_ROW of its row is left out of it before it is
#: read; this takes the "1"s between that and SHORT_ONE: on the real video faded 45% toward white
#: (scripts/evaluate_degraded.py, a check, not chosen on) wrong numbers 43 -> 36, its specks no
#: longer "1"s; the dev pages, the real dev set and the clips read as without it.
SHORT_ONE, MIN_OTHERS = 0.6, 2
SHORT_ONE_REASON = "too short for a 1"
#: ... and a named "1" higher than TALL_ONE of them is a straight line beside the row: the edge of
#: a sheet against a lighter surround, a door's groove, a margin's rule. Shown "?" (TALL_ONE_REASON),
#: never a digit more in the number: the real video washed out (overexposed, faded toward white:
#: `scripts/evaluate_degraded.py`) read "12019" and "202111", a line 2.0-2.8 of its row's height
#: read "1" at 0.97-1.0. Written "1"s stand at most 1.1 of their row's other digits in the real
#: photos' truth and 1.53 in the rendered dev pages' (seeds 7, 11, 13; 99% under 1.15).
TALL_ONE = 1.8
TALL_ONE_REASON = "too tall for a 1"
HELP = [
    "space  pause / resume; at the end of a video: replay",
    "t  binarised view        d  28x28 crops strip",
    "x  hide / show rejected candidates",
    "[ / ]  less / more ink (sensitivity)",
    "s  snapshot (PNG)        r  start / stop recording",
    "click a digit: show its bars",
    "h  this help             q / Esc  quit",
]


@dataclass
class CameraOptions:
    sensitivity: int = DEFAULT_SENSITIVITY
    light_ink: bool = False
    smoothing: bool = True
    save_dir: Path = Path("saved")
    rotate: int | None = None  # degrees clockwise the frame is turned before reading; None: auto


@dataclass
class FrameResult:
    frame: np.ndarray  # BGR uint8, the input at full size
    binary: np.ndarray  # the ink mask at full size
    reading: Reading
    timings: dict[str, float] = field(default_factory=dict)


class FramePipeline:
    """capture -> binarise -> find -> to_mnist -> one model call -> smooth, with stage timings."""

    def __init__(self, model: Predictor, options: CameraOptions, settings: FinderSettings = FinderSettings()) -> None:
        self.model = model
        self.options = options
        self.settings = settings
        self.tracker = Tracker(alpha=0.4 if options.smoothing else 1.0)
        self.auto = AutoTurn()
        self.memory = WholeMemory()  # of the turn last read
        self._turn = 0  # the turn last read
        self._skew = 0.0  # degrees the turn last read was levelled by (realtime/skew.py)
        self._mirrored = False  # whether the frame last read was mirrored
        self._index = 0  # frames processed, for `auto`'s tries

    def process(self, frame: np.ndarray, now: float) -> FrameResult:
        started = time.perf_counter()
        bgr = to_bgr(frame)
        dark = gray_ink(bgr, self.options.light_ink)
        colour = bgr  # for telling skin from paper, at the size `dark` is read at
        sx = sy = 1.0
        height, width = dark.shape
        small = min(height, width) < WORK_MIN_SIDE  # and its ink? found at its own size to see
        ratio = work_ratio(height, width, ink_height(binarize(dark, self.options.sensitivity)) if small else None)
        if ratio != 1.0:
            size = (max(1, round(width * ratio)), max(1, round(height * ratio)))
            interpolation = cv2.INTER_AREA if ratio < 1.0 else cv2.INTER_CUBIC
            dark = cv2.resize(dark, size, interpolation=interpolation)
            colour = cv2.resize(bgr, size, interpolation=interpolation)
            sx, sy = size[0] / width, size[1] / height
        degrees = self.options.rotate
        mirrored = degrees is None and self.auto.mirrored
        if mirrored:
            dark, colour = cv2.flip(dark, 1), cv2.flip(colour, 1)
        tried: dict[int, _Found] = {}
        scored: dict[int, TurnScore] = {}
        cut: dict[int, tuple[list[DigitResult], float]] = {}
        if degrees is None:
            if self.auto.due(self._index):
                def score(turned: int) -> TurnScore:
                    tried[turned] = self._find(dark, colour, turned, self._guess(turned))
                    scored[turned] = _turn_score(tried[turned], tried[turned].results, turned)
                    return scored[turned]

                def confirm(turned: int) -> TurnScore:
                    found = tried[turned]
                    cut[turned] = resegment(found.candidates, found.results, self.model)
                    return _turn_score(found, cut[turned][0], turned)

                degrees = self.auto.choose(self._index, score, confirm)
                flipped: list[np.ndarray] = []  # the frame mirrored, made only when the side is weighed
                other: dict[int, _Found] = {}
                other_cut: dict[int, tuple[list[DigitResult], float]] = {}

                def find_mirrored(turned: int) -> _Found:  # rows slope the other way mirrored
                    if not flipped:
                        flipped.extend((cv2.flip(dark, 1), cv2.flip(colour, 1)))
                    return other.get(turned) or self._find(*flipped, turned, -self._guess(turned))

                def mirror(turned: int) -> TurnScore:
                    other[turned] = find_mirrored(turned)
                    return mirror_marks(_turn_score(other[turned], other[turned].results, turned), dark.shape[1])

                def confirm_mirror(turned: int) -> TurnScore:
                    found = other[turned] = find_mirrored(turned)
                    other_cut[turned] = resegment(found.candidates, found.results, self.model)
                    return mirror_marks(_turn_score(found, other_cut[turned][0], turned), dark.shape[1])

                degrees = self.auto.choose_mirror(self._index, degrees, scored.__getitem__, mirror, confirm, confirm_mirror)
                if self.auto.mirrored != mirrored:
                    mirrored, (dark, colour), tried, cut = not mirrored, tuple(flipped), other, other_cut
            else:
                degrees = self.auto.current
        self._index += 1
        self.memory.next_frame()
        found = tried.get(degrees) or self._find(dark, colour, degrees, self._guess(degrees))
        if (degrees, found.skew, mirrored) != (self._turn, self._skew, self._mirrored):
            self.memory.clear()  # its boxes are in another frame
            self._turn, self._skew, self._mirrored = degrees, found.skew, mirrored
        results, cut_ms = cut.get(degrees) or resegment(found.candidates, found.results, self.model, memory=self.memory)
        if self.options.rotate is None and (self.auto.unsure or self.auto.mirror_unsure):
            for result in results:  # its two ways up (or sides) read as different numbers, about as probably
                if result.digit is not None:
                    result.doubt(UNSURE_TURN if self.auto.unsure else UNSURE_MIRROR)
        _doubt_torn_rows(results)
        _doubt_odd_ones(results)
        results = glare.doubt_hidden(results, found.white, found.binary)
        infer_ms = found.infer_ms + cut_ms
        binary = found.binary
        if found.back is not None:  # levelled: boxes and ink back to the turned frame
            height, width = found.turned_shape
            for result in results:
                result.box = box_back(result.box, found.back, found.turned_shape, binary)
            binary = cv2.warpAffine(binary, found.back, (width, height), flags=cv2.INTER_NEAREST)
        for result in results:
            result.box = box_to_frame(result.box, degrees, binary.shape)
        binary = turn(binary, (360 - degrees) % 360)
        if mirrored:  # boxes and ink back to the frame as the camera gave it
            width = binary.shape[1]
            for result in results:
                x, y, w, h = result.box
                result.box = (width - x - w, y, w, h)
            binary = cv2.flip(binary, 1)
        if (sx, sy) != (1.0, 1.0):
            for result in results:
                x, y, w, h = result.box
                result.box = (round(x / sx), round(y / sy), round(w / sx), round(h / sy))
            binary = cv2.resize(binary, (bgr.shape[1], bgr.shape[0]), interpolation=cv2.INTER_NEAREST)
        doubt_small(results)
        self.tracker.update(results, now)
        if self.options.rotate is None:
            self.auto.seen(self._index, self.tracker.began, self.tracker.continued)
        timings = {"preprocess": (time.perf_counter() - started) * 1e3 - infer_ms, "inference": infer_ms}
        return FrameResult(bgr, binary, Reading(results, timings), timings)

    def _guess(self, degrees: int) -> float:
        """The skew to level the frame turned `degrees` by first: the last frame's along its axis
        (a row's slope is the same upside down: turned half round, a line keeps its angle), 0.0
        across it. The two ways up are then read levelled alike, and their evidence weighs the
        same candidates: read upside down unlevelled, a faint tilted page broke into pieces that
        matched none of the levelled way's, and a video of "2021 2019" faded toward white turned
        over to read "6172 1202", every digit at 0.8-1.0."""
        return self._skew if degrees % 180 == self._turn % 180 else 0.0

    def _find(self, dark: np.ndarray, colour: np.ndarray, degrees: int, guess: float = 0.0) -> _Found:
        """Ink, candidates and their whole readings of `dark` turned `degrees` clockwise (boxes in
        the turned image). `colour` is the frame `dark` was made from, in BGR at its size: marks on
        a hand are told from ink on paper by the skin's colour (not for light ink: a board is no
        paper). A digit in two pieces is joined again (realtime/rejoin.py). Touching digits are not
        cut yet: `auto` tries four turns on this reading and the lattice is paid once, on the turn
        kept.

        Rows tilted MIN_SKEW or more (a phone held askew) are levelled (realtime/skew.py): by
        `guess` first (the last frame's skew: a video pays one pass a frame), and found again
        levelled by the skew measured when that differs by RESKEW or more; a video levelled is
        levelled until its skew is RESKEW under MIN_SKEW (hysteresis: a camera at about MIN_SKEW
        does not switch levelling on and off from frame to frame)."""
        turned = turn(dark, degrees)
        turned_colour = None if self.options.light_ink else turn(colour, degrees)  # for skin: not on a board
        skew = guess  # 0.0, or a skew a frame was levelled by
        sheet = find_page(turned)  # in the camera's pixels, where the sheet has its own edges (_candidates)
        binary, candidates, back = self._levelled(turned, turned_colour, sheet, skew)
        measured = skew + estimate_skew([c.box for c in candidates if c.accepted])
        floor = MIN_SKEW - RESKEW if skew else MIN_SKEW  # a frame levelled stays so down to 6 degrees: no toggling at 8
        wanted = measured if abs(measured) >= floor else 0.0
        if abs(wanted - skew) >= RESKEW:
            skew = wanted
            binary, candidates, back = self._levelled(turned, turned_colour, sheet, skew)
        results, _, infer_ms = read_candidates(candidates, self.model)
        candidates, results, join_ms = rejoin(candidates, results, self.model)
        white = None if self.options.light_ink else glare.clipped(turned)  # a board has no glare to clip
        if white is not None and skew:
            white = cv2.threshold(level(white, skew)[0], 127, 255, cv2.THRESH_BINARY)[1]
        return _Found(binary, candidates, results, infer_ms + join_ms, back, turned.shape[:2], skew, white)

    def _levelled(self, gray: np.ndarray, colour: np.ndarray | None, sheet: np.ndarray | None,
                  skew: float) -> tuple[np.ndarray, list[Candidate], np.ndarray | None]:
        """_candidates of `gray` (on which `sheet` was found) levelled by `skew` degrees (not
        turned at 0), with the affine matrix back to `gray` (None at 0)."""
        if not skew:
            return *self._candidates(gray, colour, sheet), None
        levelled, back = level(gray, skew)
        seen = seen_area(gray.shape, back, levelled.shape)
        if sheet is not None:
            sheet = cv2.transform(sheet.reshape(-1, 1, 2), cv2.invertAffineTransform(back)).reshape(sheet.shape)
        return *self._candidates(levelled, None if colour is None else level(colour, skew)[0], sheet, seen), back

    def _candidates(self, gray: np.ndarray, colour: np.ndarray | None, sheet: np.ndarray | None,
                    seen: np.ndarray | None = None) -> tuple[np.ndarray, list[Candidate]]:
        """The ink mask of `gray` and the candidates found in it, those off the `sheet` (its
        outline in `gray`, realtime.page.find_page; None: no sheet stands out) turned down, and
        those on skin when `colour` (`gray`'s BGR frame) is given. `seen`: where `gray` holds the
        camera's pixels (a levelled frame's canvas is larger), None: everywhere.

        A levelled frame's sheet is found before levelling: the canvas's border repeats the
        frame's edge rows outwards, so a sheet cut by the frame's top edge ran on into the corner
        as paper and was found as the whole canvas or not at all, and a door's carving beside a
        tilted sheet, no colour to tell it by (a grey video), read "4" and "1" at the end of its row."""
        binary, close = find_ink(gray, self.options.sensitivity)
        if seen is not None:
            binary = cv2.bitwise_and(binary, seen)
        settings = replace(self.settings, fill_frame=True) if close else self.settings
        candidates = reject_off_page(find_digits(binary, settings, seen), sheet)
        if colour is not None:
            candidates = reject_on_skin(candidates, binary, colour)
        return binary, candidates


def _doubt_torn_rows(results: list[DigitResult]) -> None:
    """Show "?" (UNSURE_ROWS) for the digits of lines that may be pieces of one tilted row
    (realtime.textlines.torn_rows) or that hold two rows (stacked_rows): the lines' order or
    their digits', and so the number, cannot be told."""
    lines = by_line(results)
    keys = sorted(lines)
    boxes = [[r.box for r in lines[k]] for k in keys]
    for index in torn_rows(boxes) | stacked_rows(boxes):
        for result in lines[keys[index]]:
            if result.digit is not None:
                result.doubt(UNSURE_ROWS)


def _doubt_odd_ones(results: list[DigitResult]) -> None:
    """Show "?" for each named "1" lower than SHORT_ONE (SHORT_ONE_REASON) or higher than TALL_ONE
    (TALL_ONE_REASON) of its line's other named digits (the frame turned and levelled: lines run
    left to right)."""
    for line in by_line(results).values():
        members = [r for r in line if r.digit is not None]
        for result in members:
            if result.digit != 1:
                continue
            others = [r.box[3] for r in members if r is not result]
            if len(others) < MIN_OTHERS:
                continue
            height = median(others)
            if result.box[3] < SHORT_ONE * height:
                result.doubt(SHORT_ONE_REASON)
            elif result.box[3] > TALL_ONE * height:
                result.doubt(TALL_ONE_REASON)


def work_ratio(height: int, width: int, ink: float | None = None) -> float:
    """The factor a frame `height` x `width` px whose ink is `ink` px high (None: unknown, or
    specks only) is read at: under 1 when it is larger than WORK_MAX_SIDE; over 1 when its
    shorter side is under WORK_MIN_SIDE and its ink under SMALL_INK, enlarging it to WORK_MIN_SIDE
    (never past WORK_MAX_SIDE on its longer side); else 1.0. Keeps the aspect: a 20000x10 strip
    keeps 1 row."""
    longer, shorter = max(height, width), min(height, width)
    if longer > WORK_MAX_SIDE:
        return WORK_MAX_SIDE / longer
    if shorter < WORK_MIN_SIDE and (ink is None or ink < SMALL_INK):
        return max(1.0, min(WORK_MIN_SIDE / shorter, WORK_MAX_SIDE / longer))
    return 1.0


def _turn_score(found: _Found, results: list[DigitResult], degrees: int) -> TurnScore:
    """A turn's TurnScore from its readings of `found` (the frame turned `degrees`): every
    candidate the model was asked about counts, with its box in the frame, at the probability of
    its top class, or none when it is "not a digit"; so does each shape turned down as LYING among
    the candidates read (`_among`)."""
    read = [r.box for r in results if r.probs is not None]
    asked = [r for r in results if r.probs is not None or r.reason == LYING and _among(r.box, read)]
    boxes = [r.box if found.back is None else box_back(r.box, found.back, found.turned_shape) for r in asked]
    return turn_score(((r.confidence if r.digit is not None else None,
                        0.0 if r.probs is None or r.reason == "not a digit" else float(r.probs.max())) for r in asked),
                      Reading(results, {}).lines, [box_to_frame(b, degrees, found.turned_shape) for b in boxes])


def _among(box: tuple[int, int, int, int], boxes: list[tuple[int, int, int, int]]) -> bool:
    """Whether the centre of `box` lies within the box around `boxes` (x, y, w, h, px; False for
    none): a shape among the digits read, not in the background around them."""
    if not boxes:
        return False
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    return (min(b[0] for b in boxes) <= cx <= max(b[0] + b[2] for b in boxes)
            and min(b[1] for b in boxes) <= cy <= max(b[1] + b[3] for b in boxes))


@dataclass
class _Found:
    """One turn's reading before touching digits are cut (FramePipeline._find)."""

    binary: np.ndarray  # uint8 ink mask of the turned frame (levelled, when `back` is set)
    candidates: list[Candidate]
    results: list[DigitResult]  # one for one with `candidates`
    infer_ms: float
    back: np.ndarray | None  # 2x3 affine from the levelled frame to the turned one; None: not levelled
    turned_shape: tuple[int, int]  # (H, W) of the turned frame
    skew: float  # degrees it was levelled by (0.0: not levelled)
    white: np.ndarray | None = None  # where the camera clipped the turned frame to white (as `binary`); None: nowhere


#: Why a digit that reaches the end of a damaged image's decoded rows is not named.
CUT_BY_DAMAGE = "cut by the damage"
#: ... a digit whose box ends this close (px) above the decoder's fill reaches it.
DAMAGE_MARGIN = 2


def doubt_cut_by_damage(digits: list[DigitResult], decoded_rows: np.ndarray) -> None:
    """Show "?" for each named digit whose box (frame px) reaches the decoder's flat fill below
    a damaged image's decoded part (`decoded_rows`: int (W,), how far down each column decoded):
    the damage cut it as a frame's edge would, and what is left of a digit reads as another
    ("8261032750" for 8341032750, a JPEG cut short through the tops of its digits), but the fill
    is no edge to the finder. Its row then has no number."""
    for digit in digits:
        x, y, w, h = digit.box
        if digit.digit is not None and y + h >= int(decoded_rows[x : x + w].min()) - DAMAGE_MARGIN:
            digit.doubt(CUT_BY_DAMAGE)


class CameraApp:
    """Camera-mode state: toggles, selection, snapshots and recording; renders the overlay."""

    def __init__(self, pipeline: FramePipeline, events: EventLog | None = None, fps: float = 30.0) -> None:
        self.pipeline = pipeline
        self.events = events or EventLog(None, "camera")
        self.fps = fps
        self.paused = False
        self.show_binary = False
        self.show_crops = True
        self.show_rejected = True
        self.show_help = False
        self.click: tuple[int, int] | None = None
        self.recorder: VideoFile | None = None
        self.log_error: EventLogError | None = None  # the last failed events write, if any
        self.message = ("", 0.0, False)  # text, when it is gone, whether it reports an error
        self.stage_ms: dict[str, float] = {}
        self.rate = 0.0
        self.settings_changed = False  # a paused frame must be read again with the new settings
        self.ended = False  # the video or image has no more frames: the last one stays on screen
        self.still = False  # the source is one image
        self.damage: str | None = None  # its decoder's reason when it decoded only in part (the events say so)
        self.decoded_rows: np.ndarray | None = None  # then, how far down each column decoded
        self.replay = False  # space at the end of a video: start it again
        self._panel_at: dict[float, tuple[int, int]] = {}  # per view scale: the bars panel stays put while it fits
        self.view_scale = 1.0  # the window shows frames resized by this (layout.view_scale); clicks are mapped back
        self._last_frame_time: float | None = None

    def process(self, frame: np.ndarray, index: int, now: float, capture_ms: float = 0.0) -> FrameResult:
        """Read frame `index` (new from the source, or again with new settings); logs the reading."""
        result = self.pipeline.process(frame, now)
        if self.decoded_rows is not None:
            doubt_cut_by_damage(result.reading.digits, self.decoded_rows)
        self._measure({"capture": capture_ms, **result.timings}, now)
        try:
            self.events.write(index, result.reading, **({"damaged": self.damage} if self.damage else {}))
            self.log_error = None
        except EventLogError as exc:
            self.log_error = exc
            self._say(str(exc), now, error=True)
        return result

    def on_mouse(self, event: int, x: int, y: int, flags: int) -> None:
        if event == cv2.EVENT_LBUTTONDOWN:  # window pixels -> frame pixels, where the boxes are
            self.click = (int(x / self.view_scale), int(y / self.view_scale))

    def on_key(self, key: int, last: FrameResult | None, now: float) -> bool:
        """Handle one key; False means quit. Returns after changing state only."""
        char = chr(key) if 0 <= key < 256 else ""
        options = self.pipeline.options
        if key == 27 or char == "q":
            return False
        if char == " ":
            if self.ended:
                self.replay = not self.still
            else:
                self.paused = not self.paused
            self._last_frame_time = None  # the time paused is no gap between frames
        elif char == "t":
            self.show_binary = not self.show_binary
        elif char == "d":
            self.show_crops = not self.show_crops
        elif char == "x":
            self.show_rejected = not self.show_rejected
        elif char in "[]":
            low, high = SENSITIVITY_RANGE
            options.sensitivity = int(np.clip(options.sensitivity + (-2 if char == "[" else 2), low, high))
            self.settings_changed = True
            limit = {low: ", its lowest", high: ", its highest"}.get(options.sensitivity, "")
            self._say(f"sensitivity {options.sensitivity} (higher finds fainter ink{limit})", now)
        elif char == "h":
            self.show_help = not self.show_help
        elif char == "s" and last is not None:
            view = self.render(last, now, self.view_scale, True)  # what the window shows
            paths, error = save_images(options.save_dir / "snapshots", "camera", {"": view})
            self._say(error or f"saved {paths[0]}", now, error=bool(error))
        elif char == "r" and last is not None:
            self.toggle_recording(last.frame.shape, now)
        return True

    def toggle_recording(self, shape: tuple[int, ...], now: float) -> None:
        if self.recorder is not None:
            text = self.stop_recording()
            self._say(text, now, error=not text.startswith("recording saved"))
            return
        folder = self.pipeline.options.save_dir / "recordings"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (path,) = unique_paths(folder, "camera", [".mp4"])
            self.recorder = VideoFile(path, self.fps, (shape[1], shape[0]))
            self._say(f"recording to {path}", now)
        except (OSError, VideoWriteError) as exc:
            self._say(f"cannot record: {getattr(exc, 'strerror', None) or exc}", now, error=True)

    def record(self, image: np.ndarray, now: float) -> None:
        """Add the shown image to the recording; a failed write ends it with the reason on screen."""
        if self.recorder is None:
            return
        try:
            self.recorder.write(image)
        except VideoWriteError as exc:
            self.recorder = None
            self._say(f"recording failed, nothing saved: {exc}", now, error=True)

    def stop_recording(self) -> str:
        """Finish the recording; says what became of it (saved where, or why nothing was)."""
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return ""
        try:
            path = recorder.finish()
        except VideoWriteError as exc:
            return f"recording failed, nothing saved: {exc}"
        if path is None:
            return "recording had no frames (paused?): nothing saved"
        return f"recording saved to {path} ({recorder.frames} frames)"

    def shown_index(self, reading: Reading, interactive: bool = False) -> tuple[int | None, str]:
        """The candidate whose bars are shown and why: the clicked digit, else the least sure one
        (with a hint to click another in the window only: no one clicks a video)."""
        clicked = overlay.hit_test(reading, self.click) if self.click else None
        if clicked is not None:
            return clicked, "clicked"
        read = [i for i, d in enumerate(reading.digits) if d.probs is not None]
        if not read:
            return None, ""
        rule = "least sure (click one)" if interactive else "least sure"
        return min(read, key=lambda i: reading.digits[i].confidence), rule

    def status(self) -> str:
        """The top line: what the view is (fps, paused, end of video, still image) and the stage times."""
        if self.ended:
            state = "still image" if self.still else "end of video - space replays"
        elif self.paused:
            state = "PAUSED"
        else:
            state = f"{self.rate:.1f} fps" if self.rate else "starting"
        stages = " ".join(f"{k} {v:.1f}" for k, v in self.stage_ms.items())
        return f"{state}{' | REC' if self.recorder is not None else ''} | ms: {stages}"

    def render(self, result: FrameResult, now: float, scale: float = 1.0, interactive: bool = False) -> np.ndarray:
        """The annotated view of `result`: the input frame resized by `scale` (1 for --output and
        recordings, which keep the input's size; layout.view_scale for the window), the overlay drawn
        at that size so its text reads the same on a 300 px and a 4000 px photo. `interactive`: for
        the window (hints to click; a view under layout.MIN_VIEW_HEIGHT gets a dark band below it
        where the panels find room).

        The boxes first, under everything; then, placed in order of importance, each clear of what
        came before: the status line and the message at the top left, the 28x28 strip in a free
        corner, the digits' labels and line numbers, the bars panel where it covers no candidate and
        no label (left out if none fits), and the rejected candidates' reasons.
        """
        frame = cv2.cvtColor(result.binary, cv2.COLOR_GRAY2BGR) if self.show_binary else result.frame
        reading = result.reading
        shown, rule = self.shown_index(reading, interactive)  # clicks are in frame pixels
        if scale == 1.0:
            image = frame.copy()
        else:
            size = (max(1, round(frame.shape[1] * scale)), max(1, round(frame.shape[0] * scale)))
            image = cv2.resize(frame, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
            reading = _scaled(reading, size[0] / frame.shape[1], size[1] / frame.shape[0])
        if interactive and image.shape[0] < layout.MIN_VIEW_HEIGHT:  # a wide photo: room below it for the panels
            band = np.full((layout.MIN_VIEW_HEIGHT - image.shape[0], image.shape[1], 3), overlay.PANEL_BG, np.uint8)
            image = np.vstack([image, band])
        h, w = image.shape[:2]
        overlay.draw_boxes(image, reading, shown, self.show_rejected)
        status = self.status()
        font = 0.5 * overlay.ui_scale(image.shape)
        while font > 0.3 and layout.text_extent(status, font)[0] > w - 12:
            font -= 0.05
        status_label = layout.label_at(status, 4, 4, font)
        overlay.draw_label(image, status_label, overlay.WHITE, overlay.BLACK)
        reserved = [status_label.rect]
        boxes = overlay.keep_clear(reading, image.shape)
        alpha = overlay.message_alpha(self.message[1], now)
        if alpha > 0:  # under the status line, or the nearest spot from there that covers no candidate
            lines = layout.wrap(self.message[0], w - 12, font)
            y = status_label.rect[1] + status_label.rect[3] + 2
            size = (max(layout.text_extent(line, font)[0] for line in lines) + 2 * layout.PAD,
                    sum(layout.label_at(line, 0, 0, font).rect[3] for line in lines))
            spot = layout.free_spot(size, (0, y, w, h - y), reserved + boxes, (4, y)) or (4, y)
            color = overlay.RED if self.message[2] else overlay.WHITE
            placed = overlay.draw_message(image, lines, spot, font, alpha, overlay.BLACK, color)
            reserved += [label.rect for label in placed]
        if self.show_crops and reading.read:
            strip = self._draw_strip(image, reading, shown, reserved + boxes)
            reserved += [strip] if strip else []
        labels = overlay.annotate(image, reading, reserved)
        if shown is not None:
            taken = reserved + boxes + [label.rect for label in labels]
            panel = overlay.place_bars_panel(image.shape, taken, self._panel_at.get(scale))
            if panel is not None:
                caption = overlay.bars_caption(reading, shown, rule)
                overlay.draw_bars_panel(image, reading.digits[shown], caption, panel)
                self._panel_at[scale] = panel[:2]
                reserved = [*reserved, panel]
        if self.show_rejected:
            overlay.annotate_rejected(image, reading, reserved + boxes + [label.rect for label in labels])
        if self.show_help:
            overlay.draw_help(image, HELP)
        return image

    def _draw_strip(self, image: np.ndarray, reading: Reading, shown: int | None,
                    taken: list[layout.Rect]) -> layout.Rect | None:
        """The 28x28 crops, in a strip where it covers no digit (a corner if one is free); its rect."""
        h, w = image.shape[:2]
        count = len(reading.read)
        for cell in (max(28, min(int(56 * overlay.ui_scale(image.shape)), h // 8)), 28):
            size = (min(w - 8, count * (cell + 4) + 8), cell + 8)
            spot = layout.free_spot(size, (0, 0, w, h), taken, (0, h - size[1]))
            if spot is not None:
                x, y = spot
                strip = image[y : y + size[1], x : x + size[0]]
                strip[:] = cv2.convertScaleAbs(strip, alpha=0.35)  # dimmed in one pass, no float copy
                chosen = reading.digits[shown] if shown is not None else None
                overlay.draw_previews(image, reading.read, (x + 4, y + 4), cell, size[0] - 8, chosen)
                return (x, y, *size)
        return None

    def view_key(self, now: float) -> tuple:
        """Everything besides a new frame that changes the picture: equal keys, equal pictures."""
        return (self.paused, self.ended, self.show_binary, self.show_crops, self.show_rejected, self.show_help,
                self.click, self.recorder is not None, self.message[0],
                round(overlay.message_alpha(self.message[1], now), 1))

    def note_render(self, ms: float) -> None:
        self.stage_ms["render"] = _ema(self.stage_ms.get("render"), ms)

    def _measure(self, timings: dict[str, float], now: float) -> None:
        for key, value in timings.items():
            self.stage_ms[key] = _ema(self.stage_ms.get(key), value)
        if self._last_frame_time is not None and now > self._last_frame_time:
            self.rate = _ema(self.rate or None, 1.0 / (now - self._last_frame_time))
        self._last_frame_time = now

    def _say(self, text: str, now: float, error: bool = False) -> None:
        self.message = (text, now + overlay.MESSAGE_SECONDS, error)


def _scaled(reading: Reading, sx: float, sy: float) -> Reading:
    """`reading` with its boxes in the pixels of a view resized by (sx, sy)."""
    digits = [replace(d, box=(round(d.box[0] * sx), round(d.box[1] * sy), max(1, round(d.box[2] * sx)),
                              max(1, round(d.box[3] * sy)))) for d in reading.digits]
    return Reading(digits, reading.timings)


def _ema(old: float | None, new: float, alpha: float = 0.2) -> float:
    return new if old is None else (1 - alpha) * old + alpha * new


def run(
    source: Source,
    model: Predictor,
    options: CameraOptions,
    events: EventLog,
    headless: bool = False,
    output: Path | None = None,
    overwrite: bool = False,
    view: tuple[int, int] | None = None,
) -> int:
    """The camera loop: frames in, overlay out (window and/or video); returns the exit code.

    The window shows each frame resized to fit `view` (w, h; default: the screen, Window.largest_view),
    small frames enlarged; --output and recordings keep the input's size.

    While the view cannot change by itself (paused, end of video, a still image) the loop redraws
    only when a key, a click or a fading message changes it, and waits for input without
    spinning, so a window left open costs next to no CPU.

    However it ends (the input's end, 'q', a signal, a lost display, a failed write) the outputs
    are finished: the annotated video is complete and renamed into place or removed, an open
    recording likewise, the events log closed. A signal ends it with 128 + the signal's number.
    Raises UserError (exit code 2) when a write fails: video, or events without a window.
    """
    pipeline = FramePipeline(model, options)
    app = CameraApp(pipeline, events, source.fps)
    app.still = source.still is not None
    app.damage = getattr(source, "damage", None)  # a script reading the events sees it too
    app.decoded_rows = getattr(source, "decoded_rows", None)
    state = _Run()

    def finish() -> str | None:
        """Close everything; the video's failure message, if it failed."""
        if state.finished:
            return None
        state.finished = True
        source.release()
        app.stop_recording()
        events.close()
        if state.writer is not None:
            try:
                state.writer.finish()
            except VideoWriteError as exc:
                return str(exc)
        return None

    def display_lost() -> None:
        problem = finish()
        kept = f"video {output} finished" if output is not None and problem is None else problem or ""
        print(f"error: lost the display (X connection broke); {kept or 'events kept'}", file=sys.stderr, flush=True)

    window = None
    promised = None if source.live else source.frame_count  # what the file's index says it holds
    with StopSignals() as stop, ExitHook(display_lost):
        try:
            if not headless:
                from realtime.window import Window

                window = Window(on_mouse=app.on_mouse)
                state.view = view or window.largest_view()
            _loop(source, app, window, output, overwrite, stop, state)
        finally:
            problem = finish()
            if window is not None:
                window.close()
    if problem:
        raise VideoWriteError(problem)
    said = summary(state, app.still, stop.signum)
    if events.to_stdout:  # standard output is the JSON lines' alone
        print(said, file=sys.stderr, flush=True)
    else:
        flush_stdout(said)
    if promised and ended_early(state.index, promised) and stop.signum is None and window is None:
        print(f"warning: the video ended after {state.index} of its {promised} frames "
              "(the file is cut short or damaged)", file=sys.stderr)
    return stop.exit_code or 0


def ended_early(read: int, promised: int) -> bool:
    """Whether a video file that gave `read` frames of the `promised` its index lists was cut short.

    A container's frame count is its index's, not the decoder's: an AVI written by FFmpeg lists a
    frame it dropped as an empty entry (129 listed, 128 decode, ffprobe's `nb_read_frames` agrees),
    and counts estimated from duration and rate are off by a frame or so (OpenCV documents
    CAP_PROP_FRAME_COUNT as possibly inexact). So a shortfall within 1% (at least one frame) is no
    damage; a file cut short loses far more.
    """
    return promised - read > max(1, promised // 100)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary(state: _Run, still: bool, signum: int | None = None) -> str:
    """The line printed at the end: frames, digits named and unsure ("?"), then the number read for
    a still image, or the frame rate (time paused or at the end left out) for a video or camera;
    and, when stop signal `signum` ended it, which one: the outputs then hold the frames read so
    far, not the whole input."""
    text = f"{_count(state.index, 'frame')}, {_count(state.digits, 'digit')} read, {state.unsure} unsure"
    if still:
        if state.number and "?" in state.number:  # the events say null: no number, though digits show
            text = f"{text}, number read: none (shown as {state.number})"
        else:
            text = f"{text}, number read: {state.number or 'none'}"
    else:
        text = f"{text}, {state.index / state.active if state.active > 0 else 0:.1f} fps"
    return text if signum is None else f"{text}, stopped by {signal.Signals(signum).name}"


@dataclass
class _Run:
    writer: VideoFile | None = None
    index: int = 0
    digits: int = 0  # digits named, over all frames
    unsure: int = 0  # candidates read but shown as "?", over all frames
    number: str | None = None  # the last frame's lines read, space-separated
    view: tuple[int, int] = layout.DEFAULT_VIEW  # the window's largest image (w, h)
    active: float = 0.0  # seconds spent on frames read from the source: paused and ended time left out
    finished: bool = False

    def count(self, reading: Reading, sign: int = 1) -> None:
        """Add a frame's reading to the totals (`sign` -1: take it out again), and keep its number."""
        self.digits += sign * sum(d.digit is not None for d in reading.read)
        self.unsure += sign * reading.unsure
        self.number = " ".join(reading.lines) or None


def _loop(
    source: Source,
    app: CameraApp,
    window: Window | None,
    output: Path | None,
    overwrite: bool,
    stop: StopSignals,
    state: _Run,
) -> None:
    """Frames until the input ends, the user quits or a stop signal arrives; counts in `state`."""
    last: FrameResult | None = None
    on_screen = None  # the view_key of the image in the window
    while stop.signum is None:
        began = time.perf_counter()
        now = time.monotonic()
        if app.replay:
            app.replay = False
            try:
                app.ended = not source.restart()
            except UserError as exc:
                app._say(f"cannot replay: {exc}", now, error=True)
        fresh = False  # a new frame from the source
        if not (app.paused or app.ended) or last is None:
            t0 = time.perf_counter()
            frame = source.read()
            capture_ms = (time.perf_counter() - t0) * 1e3
            if frame is None:
                if window is None or last is None or source.live:
                    break  # end of the file or the camera is gone: finish cleanly
                app.ended = True  # a still image or the end of a video: keep showing it
            else:
                try:
                    last = app.process(frame, state.index, now, capture_ms)
                except ValueError as exc:
                    print(f"warning: frame {state.index} skipped: {exc}", file=sys.stderr)
                    state.index += 1
                    continue
                state.index += 1
                state.count(last.reading)
                fresh = True
                if app.log_error is not None and window is None:
                    raise app.log_error
                if output is not None and state.writer is None:
                    state.writer = VideoFile(output, source.fps, (last.frame.shape[1], last.frame.shape[0]), overwrite)
        reread = app.settings_changed and not fresh
        if reread:  # the same frame read again with the new settings: a new reading, logged as one
            state.count(last.reading, -1)  # in the summary in place of the frame's reading before
            last = app.process(last.frame, state.index - 1, now)
            state.count(last.reading)
        app.settings_changed = False
        view = app.view_key(now)
        if fresh and (state.writer is not None or app.recorder is not None):
            full = app.render(last, now)  # at the input's size
            if state.writer is not None:
                state.writer.write(full)
            app.record(full, now)
        if window is not None and (fresh or reread or view != on_screen):
            app.view_scale = layout.view_scale(last.frame.shape, state.view)
            t0 = time.perf_counter()
            image = app.render(last, now, app.view_scale, interactive=True)
            app.note_render((time.perf_counter() - t0) * 1e3)
            window.show(image)
            on_screen = view
        if window is not None:
            idle = app.paused or app.ended
            keys = window.poll_keys(IDLE_WAIT_MS if idle else 1)
            if not all(app.on_key(key, last, now) for key in keys):  # every key of a burst, in order
                break
            if not window.is_open():
                break
        if fresh:
            state.active += time.perf_counter() - began
