"""The one naming rule, `reading.decide`: a digit, "low confidence" or "not a digit"."""

from __future__ import annotations

import numpy as np

from realtime.reading import (
    AGREED, MIN_CONFIDENCE, NOT_A_DIGIT, OWN_TAIL, SHORT, SPLIT_ALONE, SPLIT_CONFIDENCE, DigitResult, Reading, decide,
    read_candidates,
)
from realtime.segment import Candidate


class NoModel:
    """A predictor without a typicality check: only the probabilities decide."""


def _results(n: int) -> list[DigitResult]:
    return [DigitResult((0, 0, 10, 10), 0, None, 0.0, None, np.zeros((28, 28), np.float32)) for _ in range(n)]


def test_the_rest_of_the_probability_is_not_a_digit() -> None:
    """Rows are the ten digit probabilities of an 11-way model: what is missing from 1 is "not a digit"."""
    confident = np.eye(10, dtype=np.float32)[[3]] * 0.97
    none = np.eye(10, dtype=np.float32)[[3]] * (0.99 - NOT_A_DIGIT)  # "not a digit" just above the line
    unsure = np.full((1, 10), 0.1, np.float32)  # a 10-way model's flat row: sums to 1
    results = _results(3)
    decide(results, np.concatenate([confident, none, unsure]), NoModel())
    assert [r.digit for r in results] == [3, None, None]
    assert [r.reason for r in results] == [None, "not a digit", "low confidence"]
    assert results[1].probs.shape == (10,) and results[0].confidence > MIN_CONFIDENCE


def test_a_ten_way_model_is_never_called_not_a_digit_by_the_sum() -> None:
    rows = np.eye(10, dtype=np.float32)  # sums to 1 exactly: nothing left for "not a digit"
    results = _results(10)
    decide(results, rows, NoModel())
    assert [r.digit for r in results] == list(range(10))


def _sure_of(digit: int, share: float) -> np.ndarray:
    row = np.full(10, (1 - share) / 9, np.float32)
    row[digit] = share
    return row


def test_a_digit_cut_from_another_row_is_named_only_when_sure() -> None:
    """The same reading, 85% sure: a digit found whole is named, one whose ink the finder cut from
    a digit of another row (Candidate.split) is shown "?" below SPLIT_CONFIDENCE."""
    mask = np.zeros((40, 24), np.uint8)
    mask[4:36, 10:14] = 255  # a "1"

    class Model:
        def predict(self, images: np.ndarray) -> np.ndarray:
            return np.repeat(_sure_of(1, 0.85)[None], len(images), axis=0)

    whole = Candidate(box=(0, 0, 20, 36), mask=mask, line=0)
    cut = Candidate(box=(30, 0, 20, 36), mask=mask, line=0, split=True, trimmed=mask)
    results, _, _ = read_candidates([whole, cut], Model())
    assert results[0].confidence < SPLIT_CONFIDENCE
    assert [r.digit for r in results] == [1, None] and results[1].reason == "low confidence"


def test_a_cut_digit_read_otherwise_without_the_ink_by_the_cut_is_unsure() -> None:
    """Sure of a "7" with the piece of tail the cut left it, of a "1" without: "?" (recognition says
    the cut went wrong); sure of it both ways: named."""
    seven = np.zeros((40, 24), np.uint8)
    seven[4:8, 2:22] = 255  # the bar: beside the cut
    seven[8:36, 16:20] = 255
    stem = seven.copy()
    stem[:8] = 0

    class Model:  # a "7" when the ink is wide (the bar is there), else a "1"
        def predict(self, images: np.ndarray) -> np.ndarray:
            return np.stack([_sure_of(7 if (image.max(axis=0) > 0.3).sum() > 8 else 1, 0.97) for image in images])

    disagree = Candidate(box=(0, 0, 24, 36), mask=seven, line=0, split=True, trimmed=stem)
    agree = Candidate(box=(30, 0, 24, 36), mask=seven, line=0, split=True, trimmed=seven)
    results, _, _ = read_candidates([disagree, agree], Model())
    assert [r.digit for r in results] == [None, 7]
    assert results[0].reason == "low confidence" and results[0].confidence >= SPLIT_CONFIDENCE


def test_a_cut_digit_read_split_alone_sure_is_named_whatever_its_trimmed_reading() -> None:
    """A "9" whose tail ends by the cut: without the ink there it is a loop (a "0", however sure):
    the trim took the digit's own stroke, no evidence against a cut read SPLIT_ALONE sure: named.
    Read a little less sure than that, the disagreement still makes it "?"."""
    nine = np.zeros((40, 24), np.uint8)
    nine[4:20, 4:20] = 255  # the loop
    nine[20:36, 16:20] = 255  # the tail, beside the cut below
    loop = nine.copy()
    loop[28:] = 0

    def model(share: float):
        class Model:  # the batch: the cut as found, then its trimmed crop
            def predict(self, images: np.ndarray) -> np.ndarray:
                assert len(images) == 2
                return np.stack([_sure_of(9, share), _sure_of(0, 0.99)])
        return Model()

    cut = Candidate(box=(0, 0, 24, 36), mask=nine, line=0, split=True, trimmed=loop)
    assert SPLIT_CONFIDENCE < 0.97 < SPLIT_ALONE <= 0.99
    sure, _, _ = read_candidates([cut], model(0.99))
    assert sure[0].digit == 9
    # with a piece beside its body by the cut (an arc of the digit below), read a little less sure
    # than that, the disagreement still makes it "?"
    arc = nine.copy()
    arc[30:34, 0:4] = 255
    beside = Candidate(box=(0, 0, 24, 36), mask=arc, line=0, split=True, trimmed=loop)
    less, _, _ = read_candidates([beside], model(0.97))
    assert less[0].digit is None and less[0].reason == "low confidence"


def test_a_digit_whose_own_tail_the_cut_shortened_is_named_whatever_its_trimmed_reading() -> None:
    """A "9" over the next row, its tail cut short by the seam: the trim takes more of it (all under
    its body, in its lower half) and it reads "0", as sure. That says nothing against the cut: read
    SPLIT_CONFIDENCE sure, it is named; and read OWN_TAIL sure (the cut cost it only its own ink).
    The same ink read less sure than that stays "?", and so does it read OWN_TAIL sure as a digit
    without a tail (a "0": the tail that made it a "9" may be gone); a piece the trim took that
    sticks out beside the body (a digit below reaching up) keeps the veto, however sure."""
    nine = np.zeros((40, 24), np.uint8)
    nine[4:20, 4:20] = 255  # the loop
    nine[20:36, 14:18] = 255  # the tail under it
    loop = nine.copy()
    loop[28:] = 0

    def model(share: float):
        class Model:  # the batch: the cut as found, then its trimmed crop
            def predict(self, images: np.ndarray) -> np.ndarray:
                return np.stack([_sure_of(9, share), _sure_of(0, 0.99)])
        return Model()

    tail = Candidate(box=(0, 0, 24, 36), mask=nine, line=0, split=True, trimmed=loop)
    assert SPLIT_CONFIDENCE <= 0.92 < SPLIT_ALONE and 0.8 < OWN_TAIL <= 0.86 < SPLIT_CONFIDENCE
    named, _, _ = read_candidates([tail], model(0.92))
    assert named[0].digit == 9 and named[0].reason is None
    short, _, _ = read_candidates([tail], model(0.86))
    assert short[0].digit == 9 and short[0].reason is None and not short[0].vetoed
    unsure, _, _ = read_candidates([tail], model(0.8))
    assert unsure[0].digit is None and unsure[0].vetoed
    # read as a loop ("0") short of SPLIT_CONFIDENCE: the tail that made it a "9" may be gone
    class Loop:
        def predict(self, images: np.ndarray) -> np.ndarray:
            return np.stack([_sure_of(0, 0.86), _sure_of(0, 0.99)])

    loop_read, _, _ = read_candidates([tail], Loop())
    assert loop_read[0].digit is None and loop_read[0].reason == "low confidence"
    arc = nine.copy()
    arc[30:34, 0:3] = 255  # 4+ px left of the loop: beside it
    sticking_out = Candidate(box=(0, 0, 24, 36), mask=arc, line=0, split=True, trimmed=loop)
    for share in (0.92, 0.86):
        beside, _, _ = read_candidates([sticking_out], model(share))
        assert beside[0].digit is None and beside[0].reason == "low confidence"


def test_a_tailed_digit_whose_own_tail_was_cut_is_named_when_its_trimmed_reading_is_sure() -> None:
    """A "9" whose tail the seam cut short (only its own ink taken: all under its body) reads "9"
    only 0.7 sure as cut, but 0.9 sure without the ink by the cut: both readings name the same
    tailed digit, one OWN_TAIL sure: named. Read 0.7 as cut and "9" 0.8 without, or without the ink
    as another digit (a "0", however sure), or as cut below MIN_CONFIDENCE: "?"."""
    nine = np.zeros((40, 24), np.uint8)
    nine[4:20, 4:20] = 255  # the loop
    nine[20:36, 14:18] = 255  # the tail under it
    loop = nine.copy()
    loop[28:] = 0
    tail = Candidate(box=(0, 0, 24, 36), mask=nine, line=0, split=True, trimmed=loop)

    def model(cut: tuple[int, float], trimmed: tuple[int, float]):
        class Model:  # the batch: the cut as found, then its trimmed crop
            def predict(self, images: np.ndarray) -> np.ndarray:
                return np.stack([_sure_of(*cut), _sure_of(*trimmed)])
        return Model()

    assert MIN_CONFIDENCE <= 0.7 < 0.8 < OWN_TAIL <= 0.9
    named, _, _ = read_candidates([tail], model((9, 0.7), (9, 0.9)))
    assert named[0].digit == 9 and named[0].reason is None and not named[0].vetoed
    for cut, trimmed in (((9, 0.7), (9, 0.8)), ((9, 0.7), (0, 0.99)), ((9, 0.45), (9, 0.95))):
        unsure, _, _ = read_candidates([tail], model(cut, trimmed))
        assert unsure[0].digit is None and unsure[0].reason == "low confidence", (cut, trimmed)


def test_a_cut_digit_unsure_with_the_ink_by_the_cut_is_named_when_both_readings_agree() -> None:
    """A "4" that kept the end of a neighbour's tail by the cut: 76% sure with it, 96% without:
    both crops name a "4", one AGREED sure: named (and 78% without it). The same "4" read 70%
    both ways, or without that ink as another digit, or cut below it, stays "?"."""
    four = np.zeros((40, 24), np.uint8)
    four[8:24, 4:8] = four[20:24, 4:20] = four[8:36, 16:20] = 255
    tailed = four.copy()
    tailed[0:8, 2:5] = 255  # the end of the tail of the row above, beside the cut

    def model(without: tuple[int, float], with_tail: float = 0.76):
        class Model:  # the batch: the cut as found, then its trimmed crop
            def predict(self, images: np.ndarray) -> np.ndarray:
                assert len(images) == 2
                return np.stack([_sure_of(4, with_tail), _sure_of(*without)])
        return Model()

    cut = Candidate(box=(0, 0, 24, 36), mask=tailed, line=0, split=True, trimmed=four)
    assert 0.96 >= SPLIT_CONFIDENCE > 0.78 >= AGREED > 0.7
    agree, _, _ = read_candidates([cut], model((4, 0.96)))
    less, _, _ = read_candidates([cut], model((4, 0.78)))
    unsure, _, _ = read_candidates([cut], model((4, 0.7), 0.7))
    other, _, _ = read_candidates([cut], model((9, 0.96)))
    assert agree[0].digit == 4 and agree[0].reason is None and less[0].digit == 4
    assert unsure[0].digit is None and other[0].digit is None and other[0].reason == "low confidence"
    # cut below it (a digit of the row above, whose own tail the cut may have taken): "?"
    above = Candidate(box=(0, 0, 24, 36), mask=tailed[::-1].copy(), line=0, split=True, trimmed=four[::-1].copy())
    kept, _, _ = read_candidates([above], model((4, 0.96)))
    assert kept[0].digit is None and kept[0].reason == "low confidence"


def test_a_digit_cut_above_it_whose_top_the_trim_took_is_named_when_that_reading_is_unsure() -> None:
    """A "5" of the row below, its bar by the seam: the trim takes the bar, and what is left reads
    "7" 45% sure. Read SPLIT_CONFIDENCE sure as cut, it is named: the trimmed reading of a broken
    digit says nothing. Trimmed and read as sure of another digit (a whole "3": the ink by the cut
    was what made it a "5"), it stays "?"."""
    five = np.zeros((40, 24), np.uint8)
    five[2:6, 4:20] = five[6:18, 4:8] = five[16:20, 4:18] = five[20:34, 16:20] = five[32:36, 4:18] = 255
    body = five.copy()
    body[:8] = 0  # the bar, by the seam at the top

    def model(without: tuple[int, float]):
        class Model:  # the batch: the cut as found, then its trimmed crop
            def predict(self, images: np.ndarray) -> np.ndarray:
                return np.stack([_sure_of(5, 0.95), _sure_of(*without)])
        return Model()

    cut = Candidate(box=(0, 0, 24, 36), mask=five, line=0, split=True, trimmed=body)
    assert SPLIT_CONFIDENCE <= 0.95 < SPLIT_ALONE
    broken, _, _ = read_candidates([cut], model((7, 0.45)))
    assert broken[0].digit == 5 and broken[0].reason is None
    other, _, _ = read_candidates([cut], model((3, 0.95)))
    assert other[0].digit is None and other[0].reason == "low confidence" and other[0].vetoed


def test_a_digit_cut_above_it_short_of_a_digits_height_is_named_only_split_alone_sure() -> None:
    """A "7" whose bar the seam gave to the row above: its stem, 24 px high in a line of 36 px
    digits, reads "1" 91% sure with the ink by the cut and without it (they agree): "?", as a
    piece that lost its top. Read SPLIT_ALONE sure, or as high as its line's digits, it is named."""
    stem = np.zeros((28, 16), np.uint8)
    stem[2:26, 6:10] = 255
    trimmed = stem.copy()
    trimmed[2:6] = 0  # the ink by the seam, at its top
    tall = np.zeros((40, 16), np.uint8)
    tall[2:38, 6:10] = 255
    tall_trimmed = tall.copy()
    tall_trimmed[2:6] = 0

    def model(share: float):
        class Model:
            def predict(self, images: np.ndarray) -> np.ndarray:
                return np.repeat(_sure_of(1, share)[None], len(images), axis=0)
        return Model()

    line = [Candidate(box=(30 * i, 0, 16, 36), mask=tall, line=0) for i in range(1, 5)]
    short = Candidate(box=(0, 12, 16, 24), mask=stem, line=0, split=True, trimmed=trimmed)
    whole = Candidate(box=(160, 0, 16, 36), mask=tall, line=0, split=True, trimmed=tall_trimmed)
    assert 24 < SHORT * 36 and SPLIT_CONFIDENCE <= 0.91 < SPLIT_ALONE
    unsure, _, _ = read_candidates([short, *line, whole], model(0.91))
    assert unsure[0].digit is None and unsure[0].reason == "low confidence" and unsure[0].vetoed
    assert unsure[-1].digit == 1
    sure, _, _ = read_candidates([short, *line], model(0.99))
    assert sure[0].digit == 1


def test_every_candidate_shown_as_a_question_mark_counts_as_unsure() -> None:
    """The summary's "unsure" counts what the rows show as "?": a digit too unsure to name and a
    shape the finder turned down inside a row ("too large": "?107" once said "0 unsure"); a
    rejection outside every row is shown nowhere and is not counted."""
    probs = np.full(10, 0.1, np.float32)
    named = DigitResult((40, 0, 10, 20), 0, 1, 0.99, probs, None)
    unsure = DigitResult((60, 0, 10, 20), 0, None, 0.4, probs, None, "low confidence")
    too_large = DigitResult((0, 0, 30, 20), 0, None, 0.0, None, None, "too large")
    speck = DigitResult((90, 50, 2, 2), -1, None, 0.0, None, None, "speck")
    reading = Reading([too_large, named, unsure, speck], {})
    assert reading.lines == ["?1?"] and reading.unsure == 2
