"""The shared middle of both modes: binary ink -> candidates -> 28x28 inputs -> one batch -> reading.

Draw mode and camera mode differ only in where the binary ink image comes from and in a few
finder settings; from here on they are the same code, so a fix helps both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from realtime.preprocess import stroke_width, to_mnist
from realtime.segment import Candidate, FinderSettings, find_digits
from realtime.textlines import typical_height

#: Below this top-class probability a candidate is shown as "?" rather than forced into a digit:
#: under 0.5 the top class is more likely wrong than right. With the shipped (calibrated) model, on
#: the validation sets: MNIST held out 0.38% unsure and 0.56% named wrong, the pen writers 0.40%
#: and 4.1%; 0.7 would make 1.3% / 2.7% unsure to save 0.3 / 1.0 points of wrong answers.
MIN_CONFIDENCE = 0.5
#: Above this probability of the model's "not a digit" output (1 - the sum of its ten digit
#: probabilities; 0 for a 10-way model) a candidate is "not a digit". Chosen on validation data by
#: scripts/choose_rejection.py for the shipped model: the most generated validation non-digits
#: turned down (88%) while at most 0.3% of real validation digits are called "not a digit" (the
#: mean of MNIST's 0.03% and the pen writers' 0.44%). A property of the model: choose it again
#: for another one.
NOT_A_DIGIT = 0.8
#: A digit whose ink was cut from a digit of another row (realtime.rows) is named only at this
#: confidence or above, and only when its reading without the ink next to the cut gives the same
#: digit; else it is shown "?": the cut may have left it a piece of its neighbour's tail or given
#: its top to the row above. Chosen on 20 rendered dense pages of seed 11
#: (scripts/make_test_pages.py; not the pages the README reports): of 241 such digits, 24 were
#: read wrong, 3 of them at 0.9 or more; with both readings agreeing, 7 at 0.5 or more and none at
#: 0.9 or more (167 named right; without the second reading, 0.98 names 129 right). A digit
#: joined from specks in a row (realtime.segment: broken strokes) is named only at it too.
#: Short of it, a digit cut only above it is named when both readings give the same digit, at
#: least MIN_CONFIDENCE sure each and one of them AGREED sure (`_agreed`; at SPLIT_CONFIDENCE, on
#: seeds 7, 11, 13 and 17, 14 more named right, none wrong; a digit cut below it, 1 more right: a
#: "9" whose tail the cut took read "0" both ways on a held-out page of seed 5).
SPLIT_CONFIDENCE = 0.9
#: ... except that a digit read SPLIT_ALONE sure as cut is named whatever its reading without that
#: ink says: mostly the trim took part of its own stroke (a "9"'s tail by the seam reads "0", a
#: "3"'s top "5", a "7"'s bar "1"). On 40 rendered dense pages of seeds 7, 11, 13 and 17 (445 cut
#: digits; the two rules together): 346 -> 374 named right, 1 named wrong as before (a "7" read
#: "1" at 0.91, both readings agreeing); vetoing only where the trimmed reading was 0.7 sure, as
#: before, kept 13 of those right digits "?" and caught no wrong one.
SPLIT_ALONE = 0.98
#: Short of SPLIT_CONFIDENCE, a cut digit is named at these bars when the cut can have cost it
#: only its own ink. Cut only below it with what the trim took all under its body (`_own_tail`):
#: OWN_TAIL sure. Cut only above it with both readings naming the same digit (`_agreed`): one of
#: them AGREED sure. Chosen on 50 rendered dense pages of seeds 7, 11, 13, 17 and 19 (496 cut
#: digits) by counting the cut digits named right and wrong: 436 right and 3 wrong before, 450
#: right and the same 3 wrong after (own tail: 0.85 names 7 more right, 0.8 one more wrong, a
#: "9" whose tail the cut took read "0" at 0.78; agreeing: any bar from 0.5 to 0.75 names the
#: same 7 more right and none wrong, 0.85 4 of them).
OWN_TAIL, AGREED = 0.85, 0.75
#: ... OWN_TAIL by either reading, when both name the same digit: without the ink by the cut, a
#: "4", "7" or "9" whose tail the seam cut short is the digit less its tail's end, read as surely
#: as with it (a "4" read 0.84 as cut, 0.95 without; dense pages of seeds 7-19, and 29 and 31
#: rendered for this check: 6 more named right, none wrong; with AGREED instead, a "7" read "4"
#: 0.74 and 0.77 named wrong).
#: ... OWN_TAIL only for a reading of a digit with a tail: a digit whose own tail reached into the
#: next row is a "4", a "7" or a "9" (all 270 such digits named right on those pages), and read
#: as a loop or a stroke ("0", "2") it lost the tail that told it (a "9" read "0" at 0.87, both
#: readings agreeing, on a held-out page of seed 5, which this restriction came from).
TAILED = (4, 7, 9)
#: A digit cut only above it (`_cut_above`) lower than SHORT of the line's digit height
#: (realtime.textlines.typical_height of the accepted candidates) lost its top to the row above
#: (a "7"'s bar, a "2"'s arc went with the seam) or is the end of a tail left under the seam: the
#: model reads what is left as another digit as sure as a whole one (a "7" without its bar read
#: "1" at 0.91, both readings agreeing; a "9"'s tail end with its foot read "1" at 0.96). Such a
#: piece is named only SPLIT_ALONE sure. On the dev pages of seeds 7-19 above: those 2 wrong
#: turned "?", none right lost (a low "6" at 0.68 of the height read 0.98, the next cut digits
#: 0.87 high and more); any bar from 0.8 to 0.85 does the same.
SHORT = 0.8
#: As high as a digit, one cut only above it is named SPLIT_CONFIDENCE sure unless its reading
#: without the ink by the cut is as sure of another digit: the trim takes its own top too (a
#: "5"'s bar: read "7" at 0.45; a "1"'s top: "0" at 0.30), and what is left of a digit is read
#: unsure, while a neighbour's tail end across a "1" (a "7"'s bar), trimmed away, leaves a whole
#: digit read sure. What the seam took with its top SHORT sees. On the dev pages: 6 more named
#: right, none wrong (a "6" whose arc the trim took, read "0" at 0.95, stays "?").
#: A digit under SMALL_DIGIT px high in the frame's own pixels holds less than MNIST's 20-px box
#: and is named only at SMALL_CONFIDENCE or above. Chosen on held-out MNIST training digits (the
#: training script's validation split) drawn 8-32 px high in rows on paper and read by the camera
#: pipeline (scripts/validate_small_digits.py): the model's top class is wrong for 1.1-1.9% of
#: those found at 8-12 px, 0.8% at 14 px and 0.6-0.9% at 20-32 px; kept at 0.9 or more, 0.2-0.3%
#: at 8-12 px, while 84-94% of them are still named.
SMALL_DIGIT, SMALL_CONFIDENCE = 14, 0.9


class Predictor(Protocol):
    """Anything with `predict((N, 28, 28) float32) -> (N, 10)`: the Classifier, or a test double.

    Rows may sum to less than 1: the rest is the model's "not a digit" probability. A `typicality` attribute (realtime.typicality.Typicality), when present, marks confident
    readings of things that look like no handwritten digit as "not a digit".
    """

    def predict(self, images: np.ndarray) -> np.ndarray: ...


@dataclass
class DigitResult:
    """One candidate and what the model made of it. `digit` is None when not read as a digit."""

    box: tuple[int, int, int, int]
    line: int
    digit: int | None
    confidence: float
    probs: np.ndarray | None = field(repr=False)
    image: np.ndarray | None = field(repr=False)  # the 28x28 input the model saw
    reason: str | None = None  # why it is not a digit: a finder rejection or "low confidence"
    #: Left "?" by a check beyond the naming rule (another cut of its ink reads nearly as well; a
    #: digit cut from its neighbour short of its higher bar): smoothing over frames may not name it.
    vetoed: bool = False

    @property
    def label(self) -> str:
        return str(self.digit) if self.digit is not None else "?"

    def doubt(self, reason: str) -> None:
        """Leave it unnamed ("?") for `reason`, vetoed: a check beyond the naming rule doubts it,
        so smoothing over frames (the camera's tracker) may not name it either."""
        self.digit, self.reason, self.vetoed = None, reason, True

    def trust(self) -> None:
        """Name it its top digit after all (`probs` set): a check beyond the naming rule found its
        doubt unfounded (a cut digit that lost only its own ink: `read_candidates`)."""
        self.digit, self.reason, self.vetoed = int(self.probs.argmax()), None, False

    def to_json(self) -> dict:
        return {
            "box": [int(v) for v in self.box],
            "digit": self.digit,
            "confidence": round(float(self.confidence), 4),
            "probs": [round(float(p), 4) for p in self.probs] if self.probs is not None else [0.0] * 10,
            **({"reason": self.reason} if self.reason else {}),
        }


@dataclass
class Reading:
    """Everything read from one image, in reading order, with per-stage timings in ms."""

    digits: list[DigitResult]
    timings: dict[str, float]

    @property
    def read(self) -> list[DigitResult]:
        """The candidates the model was asked about (finder rejections left out)."""
        return [d for d in self.digits if d.probs is not None]

    @property
    def unsure(self) -> int:
        """How many candidates are shown "?": read but too unsure to name, or turned down by the
        finder inside a line (the "?" that stands in the line for them: see `lines`)."""
        return sum(d.digit is None and (d.probs is not None or d.line >= 0) for d in self.digits)

    @property
    def lines(self) -> list[str]:
        """Text of each line, left to right: digits, with "?" for candidates too unsure to name and
        for digit-sized shapes in the line that the finder turned down (a blob, touching digits
        too wide to read: realtime.segment.IN_ROW_REASONS), so that such a line has no number."""
        by_line: dict[int, str] = {}
        for d in (d for d in self.digits if d.line >= 0):  # in the finder's reading order
            by_line[d.line] = by_line.get(d.line, "") + d.label
        return [by_line[k] for k in sorted(by_line)]

    @property
    def rows(self) -> list[dict]:
        """Each line as {"box": [x, y, w, h] around its candidates, "text": as in `lines`}, top to
        bottom: which digits make which row of `number`, where a page is slanted or crowded."""
        by_line: dict[int, list[DigitResult]] = {}
        for d in (d for d in self.digits if d.line >= 0):
            by_line.setdefault(d.line, []).append(d)
        rows = []
        for key in sorted(by_line):
            members = by_line[key]
            x0, y0 = min(d.box[0] for d in members), min(d.box[1] for d in members)
            x1 = max(d.box[0] + d.box[2] for d in members)
            y1 = max(d.box[1] + d.box[3] for d in members)
            rows.append({"box": [int(x0), int(y0), int(x1 - x0), int(y1 - y0)], "text": "".join(d.label for d in members)})
        return rows

    @property
    def number(self) -> str | None:
        """The number read (lines joined by spaces), or None if nothing or anything unsure."""
        lines = self.lines
        if not lines or any("?" in line for line in lines):
            return None
        return " ".join(lines)


def read_candidates(
    candidates: list[Candidate],
    model: Predictor,
    min_confidence: float = MIN_CONFIDENCE,
) -> tuple[list[DigitResult], float, float]:
    """Preprocess every accepted candidate and classify them all in one batch.

    A candidate the finder cut from a digit of another row (`Candidate.split`) is also read
    without the ink next to the cut (`Candidate.trimmed`), in the same batch: it is named only
    when it is SPLIT_CONFIDENCE sure and the second reading gives the same digit, or the trim took
    only its own tail (`_own_tail`), or only its top and the second reading is unsure
    (`_cut_above`); or when it is read SPLIT_ALONE sure; or OWN_TAIL sure (as cut, or without the
    ink by the cut naming the same digit) when the trim took only its own tail; or when both
    readings agree (`_agreed`). One cut above it and SHORT of a digit's
    height is named only SPLIT_ALONE sure. Else it is shown "?" (recognition decides whether the
    cut went right). Returns the results and the preprocess and inference times in ms.
    """
    started = time.perf_counter()
    images, owners, results, seconds = [], [], [], {}
    for cand in candidates:
        image = to_mnist(cand.mask) if cand.accepted else None
        reason = "no ink" if cand.accepted and image is None else cand.reason
        results.append(DigitResult(cand.box, cand.line, None, 0.0, None, image, reason))
        if image is not None:
            images.append(image)
            owners.append(len(results) - 1)
    for k, index in enumerate(list(owners)):
        trimmed = candidates[index].trimmed
        second = to_mnist(trimmed) if candidates[index].split and trimmed is not None else None
        if second is not None:
            seconds[k] = len(images)
            images.append(second)
    preprocessed = time.perf_counter()
    if images:
        probs = model.predict(np.stack(images))
        split = [candidates[i].split for i in owners]
        for sure, bar in ((False, min_confidence), (True, max(min_confidence, SPLIT_CONFIDENCE))):
            chosen = [k for k, s in enumerate(split) if s == sure]
            if chosen:
                decide([results[owners[k]] for k in chosen], probs[chosen], model, bar)
        for k in owners:  # a cut digit short of its bar but not of the naming rule's
            result = results[k]
            result.vetoed = candidates[k].split and result.reason == "low confidence" and result.confidence >= min_confidence
        typical = typical_height(c.box for c in candidates if c.accepted) if seconds else 0.0
        for k, row in seconds.items():
            cand, result, second = candidates[owners[k]], results[owners[k]], probs[row]
            if _cut_above(cand) and cand.box[3] < SHORT * typical:
                if result.digit is not None and result.confidence < SPLIT_ALONE:
                    result.doubt("low confidence")
                continue
            if result.digit is None:
                if _cut_above(cand):
                    _agreed(result, images[row], second, model, min_confidence)
                elif (result.reason == "low confidence" and result.confidence >= min_confidence
                      and int(result.probs.argmax()) in TAILED and _own_tail(cand)
                      and (result.confidence >= OWN_TAIL or _reads(images[row], second, model, result, OWN_TAIL))):
                    result.trust()
                continue
            if int(second.argmax()) == result.digit or result.confidence >= SPLIT_ALONE or _own_tail(cand):
                continue
            if _cut_above(cand) and float(second.max()) < SPLIT_CONFIDENCE * max(float(second.sum()), 1e-9):
                continue  # its own top trimmed: a broken digit, read unsure
            result.doubt("low confidence")
    classified = time.perf_counter()
    return results, (preprocessed - started) * 1e3, (classified - preprocessed) * 1e3


def _cut_above(cand: Candidate) -> bool:
    """Whether `cand` (a digit cut from another row, with its `trimmed` mask) was cut only above it:
    all the ink the trim took lies in the top half of its mask. Tails reach down: what the cut left
    on a digit of the row below is the end of a neighbour's tail, what it left on a digit of the
    row above is mostly its own tail cut short (a "9" whose tail went reads "0" with and without
    the ink by the cut), so only below the cut do two readings that agree say the cut went right."""
    rows = np.flatnonzero(((cand.mask > 0) & ~(cand.trimmed > 0)).any(axis=1))
    return rows.size > 0 and rows[-1] < cand.mask.shape[0] / 2


def _own_tail(cand: Candidate) -> bool:
    """Whether what the trim took from `cand` (a digit cut from another row, with its `trimmed`
    mask) is the end of its own tail, so that its reading without it says nothing: all of it lies
    in the bottom half of its mask (cut only below it) and within the columns of the rest of its
    ink, give or take half a pen stroke (a "9"'s or "7"'s tail hangs under its body; the cut
    shortened it, and trimmed further a "9" reads "0", a "7" a "2"). A piece of the digit across
    the seam reaching up beside it sticks out sideways (a "6"'s arc left with the "7" over it made
    it read "2" at 0.97; trimmed, "7"). On dense pages of seeds 7, 11, 13, 17 and 19, of the digits
    cut below them read SPLIT_CONFIDENCE sure that the trimmed reading vetoed, 15 were right and
    so named, and the one wrong (that "2", 3 px beside the rest) stays "?"."""
    taken = (cand.mask > 0) & ~(cand.trimmed > 0)
    rest = cand.trimmed > 0
    rows = np.flatnonzero(taken.any(axis=1))
    if rows.size == 0 or not rest.any() or rows[0] < cand.mask.shape[0] / 2:
        return False
    columns, kept = np.flatnonzero(taken.any(axis=0)), np.flatnonzero(rest.any(axis=0))
    beside = max(kept[0] - columns[0], columns[-1] - kept[-1])
    return beside <= stroke_width(rest) / 2


def _agreed(result: DigitResult, image: np.ndarray, second: np.ndarray, model: Predictor,
            min_confidence: float) -> None:
    """Name a cut digit left "?" short of SPLIT_CONFIDENCE (`result`, its reading with the ink by
    the cut) when its reading without that ink (`image`, 28x28, with its row of probabilities
    `second`) names the same digit and one of the two is AGREED sure: two crops of the
    cut read alike, the cut left it no piece that changes what it is (the neighbour's tail end on
    a "4", read 76% with it and 96% without). Only for a digit cut above it (`_cut_above`)."""
    if result.reason != "low confidence" or result.confidence < min_confidence:
        return
    trimmed = DigitResult(result.box, result.line, None, 0.0, None, image)
    decide([trimmed], second[None], model, min_confidence)
    if trimmed.digit == int(result.probs.argmax()) and max(trimmed.confidence, result.confidence) >= AGREED:
        result.trust()


def _reads(image: np.ndarray, second: np.ndarray, model: Predictor, result: DigitResult, bar: float) -> bool:
    """Whether a cut digit's reading without the ink by the cut (`image`, 28x28, with its row of
    probabilities `second`) names the top digit of `result` (its reading with that ink) `bar` sure,
    by the naming rule (decide: "not a digit" names nothing)."""
    trimmed = DigitResult(result.box, result.line, None, 0.0, None, image)
    decide([trimmed], second[None], model, bar)
    return trimmed.digit == int(result.probs.argmax())


def decide(
    results: list[DigitResult],
    probs: np.ndarray,
    model: Predictor,
    min_confidence: float = MIN_CONFIDENCE,
) -> None:
    """Name each result (all with an image) from its row of `probs`: a digit, or None and why.

    With name(), the one naming rule for the canvas, the camera, its tracker and any segmentation
    search: "not a digit" when the model's "not a digit" probability (1 - row sum) is above
    NOT_A_DIGIT, or when the model's typicality check (if it carries one) finds the input unlike its
    predicted class.
    """
    tops = probs.argmax(axis=1)
    typicality = getattr(model, "typicality", None)
    if typicality is not None:
        atypical = typicality.atypical(np.stack([r.image for r in results]), tops)
    else:
        atypical = np.zeros(len(results), bool)
    for result, p, odd in zip(results, probs, atypical):
        name(result, p, bool(odd), min_confidence)


def name(result: DigitResult, p: np.ndarray, unlike: bool = False, min_confidence: float = MIN_CONFIDENCE) -> None:
    """Name `result` from one row of digit probabilities `p` ((10,) float, summing to at most 1):
    the rule decide() applies to a frame and the camera's tracker to a digit's smoothed row, so a
    digit is named alike however it was seen. "not a digit" when `unlike` (the typicality check)
    or the model's "not a digit" probability 1 - sum(p) is above NOT_A_DIGIT; else the top digit
    when its share of the digit probabilities is at least `min_confidence`; else "low confidence".
    """
    top = int(p.argmax())
    result.probs = p
    # How sure the model is of this digit, given that it is a digit: the top class's share of the
    # digit probabilities (a 10-way model's rows sum to 1, so there it is p[top]).
    result.confidence = float(p[top] / max(float(p.sum()), 1e-9))
    result.digit, result.reason = None, None
    if unlike or 1.0 - float(p.sum()) > NOT_A_DIGIT:
        result.reason = "not a digit"  # the model says so, or it is unlike any example of its class
    elif result.confidence >= min_confidence:
        result.digit = top
    else:
        result.reason = "low confidence"


def by_line(results: list[DigitResult]) -> dict[int, list[DigitResult]]:
    """The results of each line (result.line >= 0), in reading order."""
    lines: dict[int, list[DigitResult]] = {}
    for result in results:
        if result.line >= 0:
            lines.setdefault(result.line, []).append(result)
    return lines


def doubt_small(results: list[DigitResult]) -> None:
    """Turn to "?" each named digit under SMALL_DIGIT px high (its box in the frame's pixels)
    short of SMALL_CONFIDENCE; vetoed, so that the camera's tracker keeps it "?" too."""
    for result in results:
        if result.digit is not None and result.box[3] < SMALL_DIGIT and result.confidence < SMALL_CONFIDENCE:
            result.doubt("low confidence")


def read_binary(
    binary: np.ndarray,
    model: Predictor,
    settings: FinderSettings = FinderSettings(),
    min_confidence: float = MIN_CONFIDENCE,
) -> Reading:
    """Find, preprocess and classify every digit in a binary ink image."""
    started = time.perf_counter()
    candidates = find_digits(binary, settings)
    found = time.perf_counter()
    results, prep_ms, infer_ms = read_candidates(candidates, model, min_confidence)
    return Reading(
        digits=results,
        timings={"find": (found - started) * 1e3, "preprocess": prep_ms, "inference": infer_ms},
    )
