"""The one naming rule, `reading.decide`: a digit, "low confidence" or "not a digit"."""

from __future__ import annotations

import numpy as np

from realtime.reading import MIN_CONFIDENCE, NOT_A_DIGIT, DigitResult, decide


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
