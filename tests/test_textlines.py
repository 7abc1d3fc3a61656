"""Lines that hold two rows (realtime/textlines.py, `stacked_rows`): no number is made of them."""

from __future__ import annotations

import numpy as np

from realtime.camera_app import _doubt_torn_rows
from realtime.reading import DigitResult
from realtime.textlines import UNSURE_ROWS, stacked_rows

DIGIT = 30  # px: a dense page's digit height


def _row(x0: int, y: int, n: int) -> list[tuple[int, int, int, int]]:
    return [(x0 + 28 * k, y, 20, DIGIT) for k in range(n)]


def test_a_line_with_two_digits_one_over_the_other_holds_two_rows() -> None:
    """Two rows 1.3 digit heights apart chained into one line (a dense page whose rows wave): its
    digits stand one over the other. A row, a row slanted a little, a row with a small piece over
    a digit (a "5"'s bar) or a digit's tail under it are one row each."""
    merged = _row(100, 100, 6) + _row(110, 100 + round(1.3 * DIGIT), 6)
    slanted = [(100 + 28 * k, 100 + 3 * k, 20, DIGIT) for k in range(8)]
    bar = _row(300, 300, 4) + [(300, 300 - 8, 18, 5)]
    tail = _row(300, 400, 4) + [(320, 400, 12, round(1.5 * DIGIT))]  # a "7" whose tail reaches down
    assert stacked_rows([merged, slanted, bar, tail]) == {0}
    assert stacked_rows([]) == set()


def test_the_digits_of_a_line_holding_two_rows_are_shown_unsure() -> None:
    """Read as one line, two rows made one number of twice their digits, a wrong number: each digit
    is "?" (UNSURE_ROWS), and the line below, a row of its own, keeps its digits."""
    probs = np.eye(10, dtype=np.float32)[3]
    merged = _row(100, 100, 4) + _row(110, 100 + round(1.3 * DIGIT), 4)
    results = [DigitResult(box, 0, 3, 1.0, probs, None) for box in merged]
    results += [DigitResult(box, 1, 3, 1.0, probs, None) for box in _row(100, 300, 4)]
    _doubt_torn_rows(results)
    assert all(r.digit is None and r.reason == UNSURE_ROWS for r in results[:8])
    assert all(r.digit == 3 for r in results[8:])
