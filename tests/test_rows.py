"""realtime/rows.py and realtime/textlines.py on shapes drawn here: a cut between two rows that
touch, never through a lone digit; lines as chains of level neighbours."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from realtime.rows import cut, seam, spans_two_rows
from realtime.segment import Candidate, reading_order
from realtime.textlines import group_lines


def _two_rows_touching() -> np.ndarray:
    """A 100x60 mask: a ring 40 high over a ring 40 high, 20 px apart, joined by a tail 3 px wide
    slanting down from the upper ring to the lower one."""
    mask = np.zeros((100, 60), np.uint8)
    cv2.ellipse(mask, (30, 20), (14, 19), 0, 0, 360, 255, 4)
    cv2.ellipse(mask, (30, 80), (14, 19), 0, 0, 360, 255, 4)
    cv2.line(mask, (40, 34), (34, 64), 255, 3)
    return mask


def test_the_seam_runs_through_the_gap_and_parts_the_rows() -> None:
    mask = _two_rows_touching()
    assert cv2.connectedComponents(mask)[0] - 1 == 1
    path = seam(mask, typical=40)
    assert path is not None and path.shape == (60,)
    assert ((path >= 39) & (path <= 61)).all(), "the seam stays between the rows"
    assert np.abs(np.diff(path)).max() <= 1
    parted = cut(mask, path)
    count, labels = cv2.connectedComponents(parted)
    assert count - 1 == 2
    assert np.count_nonzero(mask) - np.count_nonzero(parted) <= 8, "only the tail's crossing is cleared"
    assert np.array_equal(mask, _two_rows_touching()), "the input is not modified"


def test_a_mask_too_low_for_two_rows_has_no_seam() -> None:
    assert seam(np.full((45, 30), 255, np.uint8), typical=40) is None  # under 2 x BODY digit heights
    with pytest.raises(ValueError):
        seam(np.zeros((4, 4, 3), np.uint8), typical=2)


def test_only_a_group_with_digits_beside_both_halves_spans_two_rows() -> None:
    path = np.full(60, 50)
    box = (100, 100, 60, 100)  # two digit heights of 40 px high
    beside = [(20, 105, 30, 40), (20, 160, 30, 38), (200, 104, 28, 40)]
    assert spans_two_rows(box, path, beside, 40.0)
    assert not spans_two_rows(box, path, beside[2:], 40.0), "a row beside its top half only"
    assert not spans_two_rows(box, path, [], 40.0), "a large digit alone"
    assert not spans_two_rows((100, 100, 60, 70), path, beside, 40.0), "not two digits high"
    far = [(x + 400, y, w, h) for x, y, w, h in beside]
    assert not spans_two_rows(box, path, far, 40.0), "rows far away in x are no evidence"


def _cand(x: int, y: int, h: int = 30) -> Candidate:
    return Candidate(box=(x, y, 20, h), mask=np.zeros((h + 4, 24), np.uint8))


def test_lines_follow_slanted_rows_and_keep_tails_out() -> None:
    """Two rows 36 px apart climbing 4 px a digit (a page turned ~8 degrees): 12 digits a row,
    the whole row climbing 44 px, more than the gap between rows. One digit of the top row has a
    tail 45 px long reaching into the next row."""
    rows = [[_cand(10 + 30 * i, 100 + r * 36 - 4 * i) for i in range(12)] for r in range(2)]
    rows[0][5] = _cand(10 + 30 * 5, 100 - 20, h=75)  # a tail down into the next row
    lines = group_lines([c for row in rows for c in row])
    assert sorted(len(line) for line in lines) == [12, 12]
    for line in lines:
        assert len({id(c) for c in line} & {id(c) for c in rows[0]}) in (0, 12)


def test_a_wide_gap_inside_a_row_keeps_one_line() -> None:
    """"12" and "34" on one row, six digit heights apart: one line, read "1234" in order."""
    digits = [_cand(10, 50), _cand(35, 52), _cand(240, 49), _cand(265, 51)]
    ordered = reading_order(list(reversed(digits)))
    assert [c.line for c in ordered] == [0, 0, 0, 0]
    assert [c.box[0] for c in ordered] == [10, 35, 240, 265]


def test_groups_two_rows_high_are_digits_of_both_rows() -> None:
    """Rows touching all along: the neighbours are two-row groups too, a digit at their top and
    one at their bottom, even when they pair the rows another way (rows 2-3 beside rows 1-2)."""
    path = np.full(60, 50)
    assert spans_two_rows((100, 100, 60, 100), path, [(170, 104, 55, 94)], 40.0)
    assert spans_two_rows((100, 100, 60, 100), path, [(170, 60, 55, 90), (20, 150, 55, 90)], 40.0)
    assert not spans_two_rows((100, 100, 60, 100), path, [(170, 140, 55, 94)], 40.0), "below its top half only"


def test_specks_taken_for_small_digits_do_not_cut_the_digits_bodies() -> None:
    """A frame of the real-dev video (hualili_digits2_outdoor, frame 58): "2021" over "2019",
    photographed at a slant (the small "0" low between two "2"s higher up), and grain at the
    sheet's edge accepted by the finder (later turned down as off the page). The page's digit
    height is that of the digits, not the median of everything (26 px here): the bodies stay
    whole and "2021" one line (it was read "21 20 2019")."""
    rows = [[(321, 190, 75, 82), (409, 210, 47, 44), (481, 181, 80, 79), (597, 177, 12, 70)],
            [(315, 345, 96, 62), (428, 352, 46, 34), (528, 329, 12, 62), (586, 322, 37, 76)]]
    grain = [(15, 220, 5, 19), (140, 271, 16, 26), (141, 238, 9, 22), (105, 474, 4, 26), (149, 362, 3, 18),
             (146, 336, 16, 23), (158, 503, 12, 28)]
    cands = {box: Candidate(box=box, mask=np.zeros((3, 3), np.uint8)) for box in [*rows[0], *rows[1], *grain]}
    lines = group_lines(list(cands.values()))
    for row in rows:
        assert any({id(cands[b]) for b in row} <= {id(c) for c in line} for line in lines), row
