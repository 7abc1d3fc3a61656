"""realtime/rows.py and realtime/textlines.py on shapes drawn here: a cut between two rows that
touch, never through a lone digit; lines as chains of level neighbours."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from realtime.rows import cut, row_gap, seam, spans_two_rows
from realtime.segment import TWO_ROWS_REASON, Candidate, FinderSettings, find_digits, reading_order
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


def _rings(rows: int, columns: int, chained: int) -> np.ndarray:
    """A page of rings 40 px high in `rows` rows 56 px apart (1.4 digit heights) and `columns`
    columns 60 px apart; the rings of column `chained` joined, each to the one below, by a tail
    3 px wide (a dense page where a 4's stem touches the 7 below it, whose tail touches an 8)."""
    page = np.zeros((80 + 56 * rows, 60 * columns + 40), np.uint8)
    for r in range(rows):
        for c in range(columns):
            cv2.ellipse(page, (40 + 60 * c, 60 + 56 * r), (14, 19), 0, 0, 360, 255, 3)
            if c == chained and r + 1 < rows:
                cv2.line(page, (46 + 60 * c, 77 + 56 * r), (40 + 60 * c, 99 + 56 * r), 255, 3)
    return page


def test_three_rows_chained_by_two_tails_are_cut_into_their_digits() -> None:
    """The group of three rows is cut once, and the two rows left touching are judged against
    the rows beside them on the page (the first cut's side holds none) and cut again."""
    found = find_digits(_rings(3, 5, 2), FinderSettings(reject_border=False))
    boxes = sorted(c.box for c in found if c.accepted)
    assert len(boxes) == 15, boxes
    assert max(h for _, _, _, h in boxes) <= 60, "no group of two rows is left (a tail's end may stay)"


def test_the_seam_runs_where_the_rows_beside_part() -> None:
    """A stroke reaching from the upper row's digit down into the lower one's, 6 px wide where
    two strokes join around the gap between the rows (a "4"'s stem on a "7"'s bar) and 3 px
    below (the "7"'s stem): the least ink across crosses the "7"'s stem, inside the lower
    digit; the rows beside say where they part."""
    mask = np.zeros((100, 40), np.uint8)
    mask[20:90, 18:21] = 255
    mask[20:67, 16:22] = 255  # where the strokes join
    beside = [(-40, 2, 30, 40), (60, 3, 30, 40), (-40, 58, 30, 40), (60, 57, 30, 40)]
    gap = row_gap((0, 0, 40, 100), beside, 40.0)
    assert gap is not None and 47 <= gap <= 53
    assert row_gap((0, 0, 40, 100), beside[:2], 40.0) is None, "no row beside its lower part"
    unguided = seam(mask, typical=40)
    assert unguided is not None and unguided.max() > 62, "the least ink alone misses the gap"
    path = seam(mask, typical=40, gap=gap)
    assert path is not None and (np.abs(path - gap) <= 0.3 * 40 + 1).all()


def _box_cand(box: tuple[int, int, int, int], reason: str | None = None) -> Candidate:
    return Candidate(box=box, mask=np.zeros((box[3] + 4, box[2] + 4), np.uint8), reason=reason)


def test_a_digit_reaching_over_the_next_rows_digit_makes_that_row_unsure() -> None:
    """Two rows 40 px apart of digits 30 high; a group left uncut (a "9" whose tail touches the
    "3" below it) stands in the upper row: the lower row shows "?" where the "3" is, never a
    number without it."""
    upper = [_box_cand((10 + 30 * i, 100, 20, 30)) for i in range(10)]
    lower = [_box_cand((10 + 30 * i, 140, 20, 30)) for i in range(10) if i != 2]
    tall = _box_cand((70, 100, 20, 70))
    upper[2] = tall
    ordered = reading_order(upper + lower)
    lines: dict[int, list[Candidate]] = {}
    for c in ordered:
        lines.setdefault(c.line, []).append(c)
    assert tall.line == 0 and len(lines[0]) == 10
    assert [c.reason for c in lines[1]] == [None, None, TWO_ROWS_REASON] + [None] * 7
    assert 130 <= lines[1][2].box[1] <= 150
    assert len(reading_order(ordered)) == len(ordered), "found again, not piled up"


def test_a_rejected_shape_stands_in_the_row_it_is_level_with() -> None:
    """A digit-sized blob level with the lower of two dense rows, inside the band of the upper
    row too (a tail of it reaches down beside the blob, and that row begins further left): it
    makes the lower row unsure, not the upper."""
    upper = [_box_cand((10 + 30 * i, 100, 20, 30)) for i in range(10)]
    upper[3] = _box_cand((100, 100, 20, 60))  # a tail reaching into the next row
    lower = [_box_cand((40 + 30 * i, 140, 20, 30)) for i in range(9) if i != 2]
    blob = _box_cand((100, 141, 20, 29), reason="blob")
    reading_order(upper + lower + [blob])
    assert blob.line == min(c.line for c in lower)


def test_a_tail_end_the_seam_cut_off_goes_back_to_its_digit() -> None:
    """Two rings of one column joined by a bar (rows touching), the upper one's tail reaching down
    past the gap between the rows beside the ring below without touching it: the seam cuts the
    bar and the tail, and the tail's end below the seam, lower than STUB of a digit, is no part of
    the row below. It goes with the ring it was cut from; the ring below keeps only its own ink
    (and the bar's end). Before, the end joined the ring below (the '0' with a tick read '6')."""
    page = _rings(3, 5, chained=-1)
    cv2.line(page, (168, 77), (168, 99), 255, 3)  # the bar joining rows 0 and 1 of column 2
    cv2.line(page, (150, 74), (132, 104), 255, 3)  # the tail, its end left of the ring below
    found = [c for c in find_digits(page, FinderSettings(reject_border=False)) if c.accepted]
    upper = next(c for c in found if c.box[0] <= 150 <= c.box[0] + c.box[2] and c.box[1] <= 60 <= c.box[1] + c.box[3])
    lower = next(c for c in found if c.box[0] <= 160 <= c.box[0] + c.box[2] and c.box[1] <= 116 <= c.box[1] + c.box[3])
    assert upper.box[0] <= 132 and upper.box[1] + upper.box[3] >= 103, upper.box
    assert lower.box[0] >= 140, lower.box
