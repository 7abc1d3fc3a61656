"""The stroke lattice of draw mode (realtime/strokes.py) and its search (realtime/viterbi.py).

Model-free: the search on hand-made arcs, each stroke's own ink under erasing, and the lattice's
hypotheses. Reading real-shaped numbers with the shipped model is in tests/test_draw.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from realtime.canvas import Canvas
from realtime.segment import CANVAS_SETTINGS
from realtime.strokes import MAX_STROKES, MAX_TURNS, hypotheses, read_strokes, stroke_inks, turning
from realtime.viterbi import best_path


def draw(canvas: Canvas, points: list[tuple[int, int]], erase: bool = False) -> None:
    canvas.begin(points[0], erase=erase)
    for point in points[1:]:
        canvas.extend(point)
    canvas.end()


# --- the search -----------------------------------------------------------------------------------


def test_best_path_takes_the_highest_total_score() -> None:
    arcs = [(0, 1, -1.0), (1, 2, -1.0), (0, 2, -1.5)]
    assert best_path(2, arcs) == [2]  # one arc over both beats two arcs
    arcs[2] = (0, 2, -3.0)
    assert best_path(2, arcs) == [0, 1]


def test_best_path_names_which_of_parallel_arcs_won() -> None:
    arcs = [(0, 1, -2.0), (0, 1, -0.5), (1, 3, 0.0), (1, 2, 0.0), (2, 3, -np.inf)]
    assert best_path(3, arcs) == [1, 2]


def test_best_path_without_a_full_path_is_an_error() -> None:
    assert best_path(0, []) == []
    with pytest.raises(ValueError, match="no path"):
        best_path(3, [(0, 1, 0.0), (2, 3, 0.0)])
    with pytest.raises(ValueError, match="outside"):
        best_path(2, [(0, 3, 0.0)])


# --- each stroke's own ink ------------------------------------------------------------------------


def test_each_stroke_keeps_its_own_ink_and_together_they_are_the_canvas() -> None:
    canvas = Canvas(200)
    draw(canvas, [(40, 40), (40, 160)])
    draw(canvas, [(20, 100), (180, 100)])  # crosses the first
    inks = stroke_inks(canvas.strokes, canvas.image > 127)
    assert [ink.index for ink in inks] == [0, 1]
    whole = np.zeros((200, 200), bool)
    for ink in inks:
        x, y, w, h = ink.box
        whole[y : y + h, x : x + w] |= ink.mask
    assert np.array_equal(whole, canvas.image > 127)
    assert inks[0].box[2] < 30 and inks[1].box[3] < 30  # each is its own bar, not the cross


def test_the_eraser_takes_ink_from_the_strokes_it_went_over() -> None:
    canvas = Canvas(200)
    draw(canvas, [(20, 60), (180, 60)])
    draw(canvas, [(20, 140), (180, 140)])
    draw(canvas, [(100, 40), (100, 80)], erase=True)  # cuts the first bar in two
    draw(canvas, [(10, 140), (190, 140)], erase=True)  # wipes the second bar out
    inks = stroke_inks(canvas.strokes, canvas.image > 127)
    assert [ink.index for ink in inks] == [0]  # the erased bar is gone, erasers are no primitives
    x, y, w, h = inks[0].box
    assert not inks[0].mask[:, 100 - x].any()  # the cut is in its ink
    assert inks[0].mask.sum() == np.count_nonzero(canvas.image > 127)


def test_a_stroke_erased_then_drawn_over_again_is_gone() -> None:
    """The later stroke's ink is not handed back to the erased one (which would read twice)."""
    canvas = Canvas(200)
    draw(canvas, [(100, 30), (100, 170)])
    draw(canvas, [(100, 20), (100, 180)], erase=True)
    draw(canvas, [(100, 30), (100, 170)])
    inks = stroke_inks(canvas.strokes, canvas.image > 127)
    assert [ink.index for ink in inks] == [2]


def test_turning_counts_full_turns_whatever_the_size_and_jitter() -> None:
    angle = np.linspace(0, 2 * np.pi, 200)
    for size in (30, 300):
        ring = size * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        assert turning(ring) == pytest.approx(1.0, abs=0.05)
        eight = size * np.stack([np.sin(angle), np.sin(2 * angle) / 2], axis=1)  # a figure of eight
        assert 1.2 < turning(eight) < 2.2  # two loops, less the angle where they cross
    for radius, most in ((30, 3.0), (15, MAX_TURNS)):  # jitter counts more on a smaller drawing
        ring = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        jittery = np.round(ring + np.random.default_rng(0).normal(0, 0.5, ring.shape))  # whole mouse px
        assert turning(jittery, width=6) < most
    assert turning(np.array([[0, 0], [0, 50], [0, 100]])) == 0.0
    assert turning(np.array([[5, 5]])) == 0.0
    zigzag = np.array([[x, 40 * (x % 2)] for x in range(60)], float)  # 59 reversals, half a turn each
    assert turning(zigzag) > MAX_TURNS


# --- the lattice ----------------------------------------------------------------------------------


class ShapePredictor:
    """A stand-in model: one thin upright bar is a sure "1", anything else surely not a digit."""

    def predict(self, images: np.ndarray) -> np.ndarray:
        out = np.zeros((len(images), 10), np.float32)
        for row, image in zip(out, images):
            cols = np.nonzero(image.max(axis=0) > 0.5)[0]
            if cols.size and np.ptp(cols) < 6 and cols.size == np.ptp(cols) + 1:
                row[1] = 0.99
        return out


def test_hypotheses_are_runs_of_nearby_strokes() -> None:
    canvas = Canvas(400)
    for x in (50, 100, 300):  # two bars close together, one far off
        draw(canvas, [(x, 100), (x, 300)])
    inks = stroke_inks(canvas.strokes, canvas.image > 127)
    runs = {(h.first, h.last) for h in hypotheses(inks, (400, 400), CANVAS_SETTINGS)}
    assert runs == {(0, 1), (1, 2), (2, 3), (0, 2)}  # the far one joins nothing
    assert MAX_STROKES >= 4


def test_two_bars_read_as_two_ones_and_a_crossed_pair_as_one_shape() -> None:
    model = ShapePredictor()
    canvas = Canvas(400)
    draw(canvas, [(150, 100), (150, 300)])
    draw(canvas, [(200, 100), (200, 300)])
    reading = read_strokes(canvas.strokes, canvas.image > 127, model)
    assert reading.number == "11" and [d.line for d in reading.digits] == [0, 0]
    draw(canvas, [(120, 200), (230, 200)])  # a crossbar over both: an "H", one shape
    reading = read_strokes(canvas.strokes, canvas.image > 127, model)
    assert len(reading.digits) == 1 and reading.digits[0].reason == "not a digit", reading.digits


def test_a_dot_stands_alone_as_a_speck() -> None:
    canvas = Canvas(400, brush=6)
    draw(canvas, [(100, 100), (100, 300)])
    draw(canvas, [(300, 200)])  # a click: a dot of one brush
    reading = read_strokes(canvas.strokes, canvas.image > 127, ShapePredictor())
    assert reading.number == "1" and [d.reason for d in reading.digits] == [None, "speck"]


def test_a_canvas_erased_clean_reads_nothing() -> None:
    canvas = Canvas(200)
    draw(canvas, [(100, 30), (100, 170)])
    draw(canvas, [(100, 20), (100, 180)], erase=True)
    assert read_strokes(canvas.strokes, canvas.image > 127, ShapePredictor()).digits == []


class CountingPredictor(ShapePredictor):
    def __init__(self) -> None:
        self.images = 0

    def predict(self, images: np.ndarray) -> np.ndarray:
        self.images += len(images)
        return super().predict(images)


def test_the_memo_reads_only_what_changed_and_reads_the_same() -> None:
    """While a stroke is drawn, the hypotheses without it keep their reading; erasing invalidates."""
    canvas, memo, model = Canvas(400), {}, CountingPredictor()
    steps = [([(100, 100), (100, 300)], False), ([(150, 100), (150, 300)], False),
             ([(200, 100), (200, 300)], False), ([(90, 200), (110, 200)], True)]
    for points, erase in steps:
        draw(canvas, points, erase)
        model.images = 0
        remembered = read_strokes(canvas.strokes, canvas.image > 127, model, memo=memo)
        read_now = model.images
        fresh = read_strokes(canvas.strokes, canvas.image > 127, ShapePredictor())
        assert [(d.box, d.digit, d.reason) for d in remembered.digits] == [(d.box, d.digit, d.reason) for d in fresh.digits]
        # A new bar: only the runs ending in it. The eraser cut the first bar: every run holding it.
        assert read_now == 3 if erase else len(canvas.strokes), (points, read_now)


def test_a_canvas_of_very_many_strokes_is_read_by_the_component_finder() -> None:
    """Shading or a sketch of hundreds of strokes would make the lattice slow: past MAX_LATTICE
    strokes the ink is read as the camera reads it."""
    from realtime.strokes import MAX_LATTICE

    canvas, model = Canvas(400), CountingPredictor()
    for k in range(MAX_LATTICE + 1):
        draw(canvas, [(20 + 9 * k, 100), (20 + 9 * k, 102)])  # touching dots: one wide component
    reading = read_strokes(canvas.strokes, canvas.image > 127, model)
    assert model.images == 0 and len(reading.digits) == 1 and reading.digits[0].reason == "too wide"
