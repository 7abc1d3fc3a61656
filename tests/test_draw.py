"""Draw mode headless: recorded mouse drawings replayed through DrawApp, and its behaviour without a model.

The replay feeds OpenCV mouse events (press, drag, release, and button-up moves between strokes)
to `DrawApp.on_mouse` exactly as the window's mouse callback does, calling `update(now)` after
every event on a fake clock, as the window loop would. The drawings are the stroke set in
tests/data/strokes/ (scripts/make_strokes.py); reading them needs the shipped model.
Everything else uses a fake predictor and runs anywhere.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import ROOT
from realtime import draw_app, files
from realtime.canvas import MAX_BRUSH, MIN_BRUSH
from realtime.draw_app import MAX_READ_INTERVAL, READ_INTERVAL, READ_SHARE, DrawApp, DrawOptions, read_interval
from realtime.events import EventLog

sys.path.insert(0, str(ROOT / "scripts"))
from evaluate_draw import PEN_CANVAS, number_strokes, unit  # noqa: E402  (scripts/evaluate_draw.py)

STROKES = ROOT / "tests" / "data" / "strokes"
EVENT_DT = 0.012  # fake seconds between two mouse events (~80 Hz, a coalesced mouse)
START = 1000.0  # the fake clock starts here, as time.monotonic() is never near 0
DOWN, MOVE, UP = cv2.EVENT_LBUTTONDOWN, cv2.EVENT_MOUSEMOVE, cv2.EVENT_LBUTTONUP
EVENT_KEYS = {"mode", "frame", "time", "number", "digits", "lines", "latency_ms"}
DIGIT_KEYS = {"box", "digit", "confidence", "probs"}
#: Floors for the shipped model on the stroke set at the default 448 px canvas. Measured (see
#: docs/draw_eval.md): 98.0% of single digits (target 98%), 100% of numbers; the floors leave a few
#: drawings of slack so that the tests catch a regression, not the next retrain's one-drawing wobble.
MIN_DIGIT_ACCURACY = 0.97
MIN_NUMBER_ACCURACY = 0.90


# --- helpers ----------------------------------------------------------------------------------------


class FakePredictor:
    """Always `digit` at `confidence`; counts calls and images, so tests see when the model ran."""

    def __init__(self, digit: int = 3, confidence: float = 0.9) -> None:
        self.probs = np.full(10, (1 - confidence) / 9, np.float32)
        self.probs[digit] = confidence
        self.calls = 0
        self.images = 0

    def predict(self, images: np.ndarray) -> np.ndarray:
        assert images.ndim == 3 and images.shape[1:] == (28, 28) and images.dtype == np.float32
        self.calls += 1
        self.images += len(images)
        return np.tile(self.probs, (len(images), 1))


class Clock:
    def __init__(self, start: float = START) -> None:
        self.now = start

    def tick(self, seconds: float = EVENT_DT) -> float:
        self.now += seconds
        return self.now

    def tick_ms(self) -> float:
        return self.tick(0.001)  # each call 1 ms later: a reading takes 1 ms


def make_app(tmp_path: Path, model=None, size: int = 280, events: EventLog | None = None) -> DrawApp:
    """A DrawApp whose readings take 1 ms by its clock, however loaded the machine: how often it reads
    while drawing depends on that (read_interval), and these tests give it the time by a Clock."""
    return DrawApp(model or FakePredictor(), DrawOptions(canvas_size=size, save_dir=tmp_path / "saved"), events,
                   timer=Clock(0.0).tick_ms)


def drag(app: DrawApp, points, clock: Clock | None = None, button: str = "left") -> int:
    """One stroke as the window reports it; update() after every event. Returns the readings made."""
    down, up, flag = (DOWN, UP, cv2.EVENT_FLAG_LBUTTON) if button == "left" else (
        cv2.EVENT_RBUTTONDOWN, cv2.EVENT_RBUTTONUP, cv2.EVENT_FLAG_RBUTTON)
    clock = clock or Clock()
    points = [(int(x), int(y)) for x, y in points]
    events = [(down, *points[0], flag), *((MOVE, x, y, flag) for x, y in points[1:-1]), (up, *points[-1], 0)]
    readings = 0
    for event in events:
        app.on_mouse(*event)
        readings += app.update(clock.tick())
    return readings


def mouse_events(strokes: list, size: int) -> list[tuple[int, int, int, int]]:
    """A recorded drawing (canvas units) as the window's (event, x, y, flags), button-up moves between strokes."""
    events, last = [], None
    for stroke in strokes:
        points = [(round(x * (size - 1)), round(y * (size - 1))) for x, y in stroke]
        if last is not None:
            for f in (0.25, 0.5, 0.75):
                events.append((MOVE, round(last[0] + f * (points[0][0] - last[0])),
                               round(last[1] + f * (points[0][1] - last[1])), 0))
        events.append((DOWN, *points[0], cv2.EVENT_FLAG_LBUTTON))
        events += [(MOVE, x, y, cv2.EVENT_FLAG_LBUTTON) for x, y in points[1:-1]]
        events.append((UP, *points[-1], 0))
        last = points[-1]
    return events


def replay(app: DrawApp, strokes: list, clock: Clock) -> list[float]:
    """Feed a recorded drawing to the app; returns the fake times at which readings were made."""
    times = []
    for event in mouse_events(strokes, app.canvas.size):
        app.on_mouse(*event)
        if app.update(clock.tick()):
            times.append(clock.now)
    if app.update(clock.tick()):
        times.append(clock.now)
    return times


def load_strokes() -> list[dict]:
    samples = []
    for path in sorted(STROKES.glob("*.json")):
        samples += json.loads(path.read_text(encoding="utf-8"))["samples"]
    return samples


def canvas_ink(app: DrawApp) -> int:
    return int(np.count_nonzero(app.canvas.image > 127))


# --- the stroke set -------------------------------------------------------------------------------


def test_stroke_set_is_well_formed() -> None:
    samples = load_strokes()
    assert samples, f"no stroke data in {STROKES}: run scripts/make_strokes.py"
    total = sum(p.stat().st_size for p in STROKES.glob("*.json"))
    assert total < 600_000, f"the stroke set is {total} bytes: keep it small"
    digits = [s for s in samples if s["kind"] == "digit"]
    numbers = [s for s in samples if s["kind"] == "number"]
    hands = {s["hand"] for s in samples}
    assert len(hands) >= 4
    for hand in hands:  # every digit in every hand
        assert {s["label"] for s in digits if s["hand"] == hand} == set("0123456789")
    assert {"42", "2025", "907"} <= {s["label"] for s in numbers}
    assert min(s["size"] for s in digits) <= 0.17 and max(s["size"] for s in digits) >= 0.8
    assert len({s["id"] for s in samples}) == len(samples)
    for s in samples:
        assert s["strokes"] and all(len(stroke) >= 1 for stroke in s["strokes"])
        points = np.array([p for stroke in s["strokes"] for p in stroke])
        assert points.shape[1] == 2 and points.min() >= 0 and points.max() <= 1
    # multi-stroke drawings where people lift the pen
    assert any(len(s["strokes"]) > 1 for s in digits if s["label"] == "4")
    assert any(len(s["strokes"]) > 1 for s in digits if s["label"] == "7")


@pytest.fixture(scope="module")
def replayed(classifier) -> list[tuple[dict, DrawApp, list[float]]]:
    """Every drawing of the stroke set replayed on the default 448 px canvas with the shipped model."""
    out = []
    for sample in load_strokes():
        app = DrawApp(classifier, DrawOptions(canvas_size=448, save_dir=Path("/nonexistent")))
        out.append((sample, app, replay(app, sample["strokes"], Clock())))
    return out


def _misses(rows) -> list[str]:
    return [f"{s['id']}: read {' '.join(app.reading.lines) or 'nothing'}" for s, app, _ in rows
            if app.reading.number != s["label"] or len(app.reading.read) != len(s["label"])]


def test_replayed_single_digits_are_read(replayed) -> None:
    digits = [row for row in replayed if row[0]["kind"] == "digit"]
    misses = _misses(digits)
    accuracy = 1 - len(misses) / len(digits)
    assert accuracy >= MIN_DIGIT_ACCURACY, f"{accuracy:.1%} of {len(digits)} read right; misses: {misses}"


def test_replayed_numbers_are_read_whole(replayed) -> None:
    numbers = [row for row in replayed if row[0]["kind"] == "number"]
    misses = _misses(numbers)
    accuracy = 1 - len(misses) / len(numbers)
    assert accuracy >= MIN_NUMBER_ACCURACY, f"{accuracy:.1%} of {len(numbers)} read right; misses: {misses}"


def test_replay_reads_live_but_throttled(replayed) -> None:
    """Readings come while drawing, never two within READ_INTERVAL except at a stroke's end."""
    for sample, app, times in replayed:
        assert times, sample["id"]
        strokes = len(sample["strokes"])
        close = sum(b - a < READ_INTERVAL - 1e-9 for a, b in zip(times, times[1:]))
        assert close <= strokes, f"{sample['id']}: {close} readings within {READ_INTERVAL * 1e3:.0f} ms"
        assert app.frame == len(times)


def test_replay_writes_the_reading_to_the_events_log(classifier, tmp_path: Path) -> None:
    sample = next(s for s in load_strokes() if s["label"] == "2025")
    log = EventLog(tmp_path / "events.jsonl", "draw")
    app = DrawApp(classifier, DrawOptions(canvas_size=448, save_dir=tmp_path), log)
    replay(app, sample["strokes"], Clock())
    log.close()
    lines = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert len(lines) == app.frame > 1
    assert lines[-1]["number"] == app.reading.number
    assert [line["frame"] for line in lines] == list(range(len(lines)))


# --- numbers written close together, letters in strokes: segmentation over the strokes -----------

#: Two-digit numbers with digits of one and two strokes (a "4", "5" and "7" may be written in two).
PAIRS = ("45", "71", "38", "20", "96")


def side_by_side(hand: str, number: str, gap: float) -> list[list]:
    """The stroke set's first drawing of each digit of `number` in `hand`, side by side at one
    height, `gap` digit heights apart (negative: their boxes overlap): unit strokes for replay,
    one list per digit."""
    from realtime.pen import PenDigit

    first = {}
    for sample in load_strokes():
        if sample["kind"] == "digit" and sample["hand"] == hand:
            first.setdefault(sample["label"], sample)
    digits = [PenDigit(int(c), hand, tuple(np.asarray(s, np.float32) for s in first[c]["strokes"])) for c in number]
    strokes = unit(number_strokes(digits, gap, np.random.default_rng(0)), PEN_CANVAS)
    ends = np.cumsum([len(d.strokes) for d in digits])
    return [strokes[end - len(d.strokes) : end] for d, end in zip(digits, ends)]


def test_numbers_written_close_or_touching_are_read_whole(classifier) -> None:
    """At the app's brush, digits 0.08 of their height apart already touch: the component finder saw
    one candidate and read 23 of these 50 right. The strokes tell them apart: 49 now."""
    misses = []
    hands = sorted({s["hand"] for s in load_strokes()})
    for hand in hands:
        for number in PAIRS:
            for gap in (0.08, -0.06):  # close, touching (the boxes overlap a little)
                app = DrawApp(classifier, DrawOptions(canvas_size=PEN_CANVAS, save_dir=Path("/nonexistent")))
                replay(app, sum(side_by_side(hand, number, gap), []), Clock())
                if app.reading.number != number:
                    misses.append(f"{hand} {number} gap {gap}: read {app.reading.lines}")
    assert len(misses) <= 4, misses


@pytest.mark.parametrize("hand", ["print", "continental"])
def test_a_bar_or_cross_added_after_the_next_digit_joins_its_digit(classifier, hand: str) -> None:
    """People add a "5"'s bar or a "7"'s cross once the number is written: each digit's first
    stroke is drawn, then all the rest; the late strokes still join their own digit."""
    for number in ("55", "57"):
        digits = side_by_side(hand, number, 0.08)
        assert len(digits[0]) == 2  # this hand's 5 has its bar
        app = DrawApp(classifier, DrawOptions(canvas_size=PEN_CANVAS, save_dir=Path("/nonexistent")))
        replay(app, [d[0] for d in digits] + [s for d in digits for s in d[1:]], Clock())
        assert app.reading.number == number, (number, app.reading.lines)


def test_letters_drawn_in_strokes_stay_one_shape(classifier) -> None:
    """An "H" is two bars and a crossbar: not "1 1" and not "1?1", but one shape. Each letter drawn in
    several strokes stays one candidate; whether the model then turns it down is the model's part
    (tests/test_pen.py measures that on 80 restyled letters; this model reads the whole "A", "H"
    and "x" as "4")."""
    from realtime.non_digit_set import TEMPLATES

    for name in "AHKMNWx#":
        app = DrawApp(classifier, DrawOptions(canvas_size=448, save_dir=Path("/nonexistent")))
        replay(app, [(np.asarray(s) * 250 + 99) / 447 for s in TEMPLATES[name]], Clock())
        assert len(app.reading.read) == 1, f"{name}: {app.reading.lines}"


@pytest.mark.parametrize("path", [
    [(150, 120), (150, 320), (150, 130), (230, 120), (230, 320)],  # down, back up, across, down
    [(150, 120), (150, 320), (190, 200), (230, 120), (230, 320)],  # down, up to the right, down
    [(150, 120), (150, 320), (230, 120), (230, 320)],  # an "N"
])
def test_one_stroke_across_two_digits_is_never_a_wrong_number(classifier, path) -> None:
    """A stroke is the lattice's smallest piece: "11" written without lifting the pen cannot be cut
    into its digits, but it must not be shown as another number."""
    dense = [np.array(a) + t * (np.array(b) - np.array(a)) for a, b in zip(path, path[1:])
             for t in np.linspace(0, 1, 12, endpoint=False)] + [np.array(path[-1])]
    app = DrawApp(classifier, DrawOptions(canvas_size=448, save_dir=Path("/nonexistent")))
    replay(app, [np.array(dense) / 447], Clock())
    assert app.reading.number in (None, "11"), app.reading.lines


def _loops(turns: float, wobble: float, points_per_turn: int = 40) -> np.ndarray:
    """A path round the canvas middle `turns` times, its radius swinging by `wobble` (0-1) each
    half turn: a plain ring at 0, a blob scribbled in at 0.8. Canvas units (0-1)."""
    angle = np.linspace(0, 2 * np.pi * turns, int(points_per_turn * turns))
    radius = 0.25 * (1 - wobble * (0.5 + 0.5 * np.cos(angle * 7.3)))
    return np.stack([0.5 + radius * np.cos(angle), 0.5 + 0.8 * radius * np.sin(angle)], axis=1)


def test_a_blob_scribbled_in_is_turned_down_and_a_zero_traced_over_still_reads(classifier) -> None:
    """Shading a spot in with the pen going round and round is crossing out, not a "0" (the model
    alone reads a filled blob as a bold "0"): the lattice turns a group down by its strokes'
    total turning. A "0" gone over three times turns three times and is still a "0"."""
    for turns, wobble, wanted in ((8, 0.8, None), (3, 0.0, "0")):
        app = DrawApp(classifier, DrawOptions(canvas_size=448, save_dir=Path("/nonexistent")))
        replay(app, [_loops(turns, wobble)], Clock())
        assert app.reading.number == wanted, (turns, app.reading.lines, [d.reason for d in app.reading.digits])
        if wanted is None:
            assert [d.reason for d in app.reading.digits] == ["scribbled over"]


# --- behaviour, with a fake model -----------------------------------------------------------------


def test_a_drag_draws_and_a_hover_does_not(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.on_mouse(MOVE, 50, 50, 0)
    app.on_mouse(MOVE, 150, 150, 0)
    assert app.canvas.empty
    drag(app, [(40, 40), (60, 100), (80, 160)])
    assert app.canvas.image[100, 60] == 255 and app.canvas.image[160, 80] == 255
    assert not app.canvas.drawing
    assert app.reading.number == "3"


def test_a_fast_mouse_leaves_a_connected_line(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    drag(app, [(20, 140), (260, 140)])  # one jump of 240 px between two reports
    count, _ = cv2.connectedComponents((app.canvas.image > 127).astype(np.uint8))
    assert count - 1 == 1 and app.canvas.image[140, 140] == 255


def test_undo_restores_the_previous_canvas(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    clock = Clock()
    drag(app, [(40, 40), (70, 90), (110, 130), (111, 200)], clock)
    drag(app, [(150, 60), (170, 60)], clock, button="right")  # an erase stroke is a stroke too
    before = app.canvas.image.copy()
    reading_before = app.reading.number
    drag(app, [(100, 40), (200, 90), (250, 130)], clock)
    assert not np.array_equal(app.canvas.image, before)
    assert app.on_key(ord("u"), clock.now)
    np.testing.assert_array_equal(app.canvas.image, before, err_msg="undo did not give back the previous canvas")
    assert app.update(clock.tick(READ_INTERVAL + 0.001)) and app.reading.number == reading_before
    app.on_key(ord("u"))
    app.on_key(ord("u"))
    assert app.canvas.empty
    assert app.on_key(ord("u"))  # nothing left to undo: still fine


def test_clear_empties_the_canvas_and_the_reading(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    clock = Clock()
    drag(app, [(40, 40), (60, 200)], clock)
    assert app.reading.digits
    app.on_key(ord("c"), clock.now)
    assert app.canvas.empty and not app.canvas.strokes
    assert not app.update(clock.tick()), "read again within 50 ms of the last reading"
    assert app.update(clock.tick(READ_INTERVAL + 0.001))
    assert app.reading.digits == [] and app.reading.number is None


def test_undo_after_clear_brings_the_drawing_back(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    clock = Clock()
    drag(app, [(40, 40), (60, 200)], clock)
    drag(app, [(120, 40), (140, 200)], clock)
    drawn = app.canvas.image.copy()
    app.on_key(ord("c"), clock.now)
    drag(app, [(200, 60), (200, 200)], clock)  # drawn after the clear: undone first
    app.on_key(ord("u"), clock.now)
    assert app.canvas.empty
    app.on_key(ord("u"), clock.now)
    np.testing.assert_array_equal(app.canvas.image, drawn, err_msg="undo did not bring the cleared drawing back")
    assert len(app.canvas.strokes) == 2
    assert app.update(clock.tick(READ_INTERVAL + 0.001)) and len(app.reading.read) == 2
    app.on_key(ord("c"), clock.now)
    app.on_key(ord("c"), clock.now)  # clearing an empty canvas keeps nothing to bring back
    app.on_key(ord("u"), clock.now)
    assert len(app.canvas.strokes) == 2


def _hint_region(app: DrawApp, now: float) -> np.ndarray:
    """Where the 'draw a digit here' hint sits: the middle band of the canvas."""
    size = app.canvas.size
    return app.render(now)[size // 2 - 25 : size // 2 + 8, size // 2 - 100 : size // 2 + 100]


def test_empty_canvas_reads_no_digits_and_shows_the_hint(tmp_path: Path) -> None:
    model = FakePredictor()
    app = make_app(tmp_path, model, size=448)
    assert _hint_region(app, START).any(), "no 'draw a digit here' hint on the empty canvas"
    drag(app, [(30, 20), (40, 120)])  # away from the hint
    assert not _hint_region(app, START).any(), "the hint stays on a canvas with ink"
    app.on_key(ord("c"))
    calls = model.calls
    assert app.update(START + 10)
    assert app.reading.digits == [] and app.reading.number is None
    assert model.calls == calls  # the model is not asked about nothing
    assert _hint_region(app, START + 10).any()


def test_eraser_key_and_right_button_erase(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    clock = Clock()
    drag(app, [(40, 140), (240, 140)], clock)
    assert app.canvas.image[140, 140] == 255
    app.on_key(ord("e"), clock.now)
    assert app.canvas.eraser and "eraser on" in app._message[0]
    drag(app, [(140, 100), (140, 180)], clock)  # left button, eraser on
    assert app.canvas.image[140, 140] == 0 and app.canvas.image[140, 60] == 255
    assert app.canvas.strokes[-1].erase and app.canvas.strokes[-1].width == 2 * app.canvas.brush
    app.on_key(ord("e"), clock.now)
    assert not app.canvas.eraser
    drag(app, [(60, 100), (60, 180)], clock, button="right")  # right button erases, eraser off
    assert app.canvas.image[140, 60] == 0 and app.canvas.image[140, 220] == 255
    drag(app, [(100, 20), (100, 60)], clock)  # and the left button draws again
    assert app.canvas.image[40, 100] == 255


def test_brush_keys_change_the_width_within_limits(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    start = app.canvas.brush
    app.on_key(ord("+"))
    assert app.canvas.brush == start + 2 and f"brush {start + 2}" in app._message[0]
    app.on_key(ord("="))  # "+" without shift
    app.on_key(ord("-"))
    app.on_key(ord("-"))
    assert app.canvas.brush == start
    drag(app, [(100, 40), (100, 240)])
    assert app.canvas.strokes[-1].width == start
    row = app.canvas.image[140] > 127
    assert abs(int(row.sum()) - start) <= 2  # the ink is as wide as the brush
    for _ in range(60):
        app.on_key(ord("-"))
    assert app.canvas.brush == MIN_BRUSH and "its smallest" in app._message[0]  # the limit is said
    for _ in range(60):
        app.on_key(ord("+"))
    assert app.canvas.brush == MAX_BRUSH and "its largest" in app._message[0]


def test_readings_are_throttled_unless_a_stroke_ends(tmp_path: Path) -> None:
    model = FakePredictor()
    app = make_app(tmp_path, model)
    t = START
    app.on_mouse(DOWN, 50, 50, cv2.EVENT_FLAG_LBUTTON)
    assert app.update(t)  # the first reading comes at once
    for step in range(1, 5):  # 10 ms apart, all within 50 ms of the first reading
        app.on_mouse(MOVE, 50 + 10 * step, 50 + 20 * step, cv2.EVENT_FLAG_LBUTTON)
        assert not app.update(t + 0.01 * step), f"read again after {10 * step} ms"
    app.on_mouse(MOVE, 100, 160, cv2.EVENT_FLAG_LBUTTON)
    assert app.update(t + READ_INTERVAL + 0.001)  # 51 ms: due
    t2 = t + READ_INTERVAL + 0.001
    app.on_mouse(UP, 102, 170, 0)
    assert app.update(t2 + 0.005), "a stroke that ended must be read at once"
    assert not app.update(t2 + 0.2), "nothing changed: no new reading"
    assert app.frame == 3 and model.calls == 3


def test_a_slow_reading_is_made_less_often_while_drawing(tmp_path: Path) -> None:
    """Reading takes at most READ_SHARE of the time while a stroke is drawn, and the reading stays live
    (every MAX_READ_INTERVAL at least); a stroke's end is read at once however slow reading is."""
    assert read_interval(0.002) == READ_INTERVAL
    assert read_interval(0.03) == pytest.approx(0.03 / READ_SHARE)
    assert read_interval(1.0) == MAX_READ_INTERVAL
    model = FakePredictor()
    app = make_app(tmp_path, model)
    t = START
    app.on_mouse(DOWN, 50, 50, cv2.EVENT_FLAG_LBUTTON)
    assert app.update(t)
    app.latency_ms = 30.0  # as if that reading took 30 ms: the next is due 150 ms later
    app.on_mouse(MOVE, 60, 80, cv2.EVENT_FLAG_LBUTTON)
    assert not app.update(t + READ_INTERVAL + 0.001)
    assert app.update(t + 0.151)
    app.latency_ms = 30.0
    app.on_mouse(UP, 70, 120, 0)
    assert app.update(t + 0.152), "a stroke that ended must be read at once"
    assert model.calls == 3


def test_help_toggles(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    plain = app.render(START)
    assert app.on_key(ord("h"), START) and app.show_help
    with_help = app.render(START)
    assert not np.array_equal(plain, with_help)
    app.on_key(ord("h"), START)
    assert not app.show_help
    np.testing.assert_array_equal(app.render(START), plain)


def test_quit_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    assert app.on_key(ord("q")) is False
    assert app.on_key(27) is False
    assert app.on_key(ord("x")) is True and app.on_key(0x10FF51) is True  # other keys, arrows: ignored


def _one_digit(tmp_path: Path) -> tuple[DrawApp, Clock]:
    app = make_app(tmp_path)
    clock = Clock()
    drag(app, [(100, 40), (120, 120), (130, 220)], clock)
    assert len(app.reading.read) == 1
    return app, clock


def test_samples_are_saved_and_never_overwritten(tmp_path: Path, monkeypatch) -> None:
    app, clock = _one_digit(tmp_path)
    monkeypatch.setattr(files.time, "strftime", lambda fmt, *a: "20250101-120000")  # the same second
    first = app.save_sample(7, clock.now)
    assert app.on_key(ord("7"), clock.now)
    folder = tmp_path / "saved" / "samples" / "7"
    saved = sorted(folder.iterdir())
    assert len(first) == 2 and len(saved) == 4, saved
    names = {p.name for p in saved}
    assert {"7-20250101-120000-0-28x28.png", "7-20250101-120000-0-canvas.png",
            "7-20250101-120000-1-28x28.png", "7-20250101-120000-1-canvas.png"} == names
    small = cv2.imread(str(folder / "7-20250101-120000-1-28x28.png"), cv2.IMREAD_UNCHANGED)
    canvas = cv2.imread(str(folder / "7-20250101-120000-1-canvas.png"), cv2.IMREAD_UNCHANGED)
    assert small.shape == (28, 28) and small.dtype == np.uint8 and small.max() == 255
    np.testing.assert_array_equal(canvas, app.canvas.image)
    assert "saved sample '7'" in app._message[0]


def test_a_sample_needs_one_digit(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    assert app.save_sample(4, START) == []
    assert "draw one digit" in app._message[0]
    assert not (tmp_path / "saved").exists()


def test_screenshot_is_the_window_image(tmp_path: Path) -> None:
    app, clock = _one_digit(tmp_path)
    app.on_key(ord("s"), clock.now)
    shots = list((tmp_path / "saved" / "screenshots").glob("window-*.png"))
    assert len(shots) == 1
    image = cv2.imread(str(shots[0]))
    assert image.shape == (app.height, app.width, 3)


def test_read_only_save_dir_gives_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root (or with CAP_DAC_OVERRIDE): a chmod 0o500 folder is still writable")
        app = DrawApp(FakePredictor(), DrawOptions(canvas_size=280, save_dir=folder))
        drag(app, [(100, 40), (120, 220)])
        assert app.on_key(ord("5"), START + 5) and app.on_key(ord("s"), START + 5)
        assert "could not save" in app._message[0]
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_unusable_save_dir_gives_a_message_even_as_root(tmp_path: Path) -> None:
    """A save dir that is a file fails for every user, root too: a message, not an exception."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    app = DrawApp(FakePredictor(), DrawOptions(canvas_size=280, save_dir=blocker))
    drag(app, [(100, 40), (120, 220)])
    assert app.save_sample(5, START + 5) == []
    assert "could not save" in app._message[0]
    assert app.screenshot(START + 5) == []
    assert "could not save" in app._message[0]
    frame = app.render(START + 5)  # the message is drawn, not raised
    assert frame.shape == (app.height, app.width, 3)


def test_events_log_has_the_contract_keys(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    log = EventLog(path, "draw")
    app = make_app(tmp_path, events=log)
    clock = Clock()
    drag(app, [(100, 40), (120, 120), (130, 220)], clock)
    app.on_key(ord("c"), clock.now)
    app.update(clock.tick(READ_INTERVAL + 0.001))
    log.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == app.frame >= 2
    for frame, line in enumerate(lines):
        assert set(line) == EVENT_KEYS, line
        assert line["mode"] == "draw" and line["frame"] == frame
        assert isinstance(line["time"], float) and isinstance(line["latency_ms"], float)
        for digit in line["digits"]:
            assert DIGIT_KEYS <= set(digit) and len(digit["probs"]) == 10
    assert lines[-2]["number"] == "3" and lines[-2]["digits"][0]["digit"] == 3
    assert lines[-1]["number"] is None and lines[-1]["digits"] == []  # after "c"


def test_clicking_a_preview_selects_that_digit(tmp_path: Path) -> None:
    app = make_app(tmp_path, size=448)
    clock = Clock()
    drag(app, [(60, 100), (60, 250)], clock)
    drag(app, [(200, 100), (200, 250)], clock)
    drag(app, [(340, 100), (340, 250)], clock)
    assert len(app.reading.read) == 3
    cell = app._preview_cell()
    app.on_mouse(DOWN, app._panel_x + (cell + 4) + cell // 2, app._preview_y + cell // 2, 1)
    assert app.selected == 1 and app.canvas.empty is False and len(app.canvas.strokes) == 3
    app.on_mouse(UP, app._panel_x + (cell + 4) + cell // 2, app._preview_y + cell // 2, 0)
    assert len(app.canvas.strokes) == 3  # a click on the panel never draws


def test_run_loop_on_a_fake_window(tmp_path: Path, monkeypatch) -> None:
    """run() wires the window to the app: mouse to on_mouse, keys to on_key, q ends with exit code 0."""
    shown, script = [], []

    class FakeWindow:
        def __init__(self, on_mouse=None) -> None:
            self.on_mouse = on_mouse
            script.extend([lambda: on_mouse(DOWN, 100, 40, 1), lambda: on_mouse(UP, 110, 200, 0),
                           lambda: ord("s"), lambda: ord("q")])

        def show(self, image) -> None:
            shown.append(image.shape)

        def poll_keys(self, delay_ms: int = 10) -> list[int]:
            step = script.pop(0)
            key = step()
            return [key] if key else []

        def is_open(self) -> bool:
            return True

        def close(self) -> None:
            shown.append("closed")

    import realtime.window

    monkeypatch.setattr(realtime.window, "Window", FakeWindow)
    code = draw_app.run(FakePredictor(), DrawOptions(canvas_size=280, save_dir=tmp_path), EventLog(None, "draw"))
    assert code == 0 and shown[-1] == "closed" and len(shown) == 5
    assert len(list((tmp_path / "screenshots").glob("*.png"))) == 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
