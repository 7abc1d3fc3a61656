"""Draw mode end to end: the real app in a real X window on Xvfb, drawn on with real mouse drags.

`python -m realtime draw` runs as a subprocess on its own Xvfb display; xdotool moves the X
pointer and presses the button (XTEST), so every mouse event goes through X, Qt and OpenCV's
highgui to the app's callback, as a user's would. Keys go the same way. The test checks what the
user would get: the readings in the events log, the screenshot and the labelled sample files,
and exit code 0 on "q".

Every step waits on what it then checks (a window property, an events line, a file, the exit
code), polled up to a generous timeout, never on a fixed sleep, so a busy machine only makes it
slower. One thing a busy machine does change: Qt merges mouse moves that queue up while the app
is busy into the last one (its high-frequency event compression), so the app draws a straight
segment across them, as it would for a user's fast stroke. A straight line is drawn the same
either way; of a curved stroke only the press and release points are sure to arrive, and the
ink stays within the stroke's outline. The checks are these, so merging cannot fail them.

Needs Xvfb, xdotool and the shipped model (skipped with the reason without them): the
`draw_session` fixture (tests/e2e.py) starts the app and waits until its window is ready for input.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from e2e import BRUSH, CANVAS, WAIT, WINDOW_SIZE, DrawSession, reaches

from conftest import ROOT

EVENT_KEYS = {"mode", "frame", "time", "number", "digits", "lines", "latency_ms"}
FOUR = "print-digit-4-28"  # a 4 in two strokes in the top-right of the canvas, 63% of its height


def stroke_sample(sample_id: str) -> list[list[tuple[int, int]]]:
    """A drawing of the stroke set, in canvas pixels, thinned to every other point (xdotool is slow)."""
    for path in (ROOT / "tests" / "data" / "strokes").glob("*.json"):
        for sample in json.loads(path.read_text(encoding="utf-8"))["samples"]:
            if sample["id"] == sample_id:
                strokes = []
                for stroke in sample["strokes"]:
                    points = [(round(x * (CANVAS - 1)), round(y * (CANVAS - 1))) for x, y in stroke]
                    strokes.append(points[:-1:2] + points[-1:] if len(points) > 2 else points)
                return strokes
    raise LookupError(sample_id)


def stroke_outline(strokes: list[list[tuple[int, int]]], margin: int) -> np.ndarray:
    """Where a stroke's ink may be, however the app's mouse moves were merged: each stroke's convex
    hull widened by `margin` px (any chord between two of its points lies in its hull)."""
    outline = np.zeros((CANVAS, CANVAS), np.uint8)
    for stroke in strokes:
        cv2.fillConvexPoly(outline, cv2.convexHull(np.array(stroke, np.int32)), 255)
    return cv2.dilate(outline, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1)))


def test_draw_with_real_mouse_drags(draw_session: DrawSession) -> None:
    session = draw_session  # its window is the image's size, WINDOW_SIZE, and shows the app's picture
    # 1. A straight line where we know the ink must land: window and image coordinates agree.
    line_points = [(120, 100 + 20 * k) for k in range(11)]
    session.drag(line_points)
    line = session.reading(-1, "a reading of the whole calibration line",
                           lambda e: len(e["digits"]) == 1 and e["digits"][0]["box"][3] >= 200 + BRUSH - 4)
    x, y, w, h = line["digits"][0]["box"]
    centre = (x + (w - 1) / 2, y + (h - 1) / 2)
    offset = (centre[0] - 120, centre[1] - 200)
    assert abs(offset[0]) <= 1.5 and abs(offset[1]) <= 1.5 and abs(h - (200 + BRUSH)) <= 4, (
        f"a drag from (120, 100) to (120, 300) in window coordinates gave an ink box {(x, y, w, h)} centred "
        f"at {centre} in the image, expected (120, 200) and {200 + BRUSH} px high: window and image "
        f"coordinates are offset by {offset}")

    # 2. "c" clears: the app reads an empty canvas.
    frame = session.last_frame()
    session.key("c")
    cleared = session.reading(frame, "an empty reading after 'c'", lambda e: not e["digits"])
    assert cleared["number"] is None

    # 3. A 4 in two strokes (the pen lifted between them) is read as one digit, 4. The second
    # stroke ends at the drawing's lowest point, so the ink reaches it only once all of it is in.
    strokes = stroke_sample(FOUR)
    end = strokes[-1][-1]
    assert end[1] == max(y for stroke in strokes for _, y in stroke)
    frame = session.last_frame()
    for stroke in strokes:
        session.drag(stroke)
    four = session.reading(frame, "the reading of the whole 4", lambda e: reaches(e, end, "bottom"))
    assert four["number"] == "4" and len(four["digits"]) == 1, four

    # 4. A stray stroke left to right, then "u" takes it back.
    stray_points = [(30 + 8 * k, 420) for k in range(8)]
    frame = session.last_frame()
    session.drag(stray_points)
    stray = session.reading(frame, "a reading with the whole stray stroke",
                            lambda e: reaches(e, stray_points[-1], "right"))
    assert len(stray["digits"]) == 2, stray
    session.key("u")
    undone = session.reading(stray["frame"], "the reading after 'u'", lambda e: len(e["digits"]) == 1)
    assert undone["number"] == "4" and undone["digits"] == four["digits"], undone

    # 5. "s" saves a screenshot of the window, "4" saves the drawing as a sample labelled 4.
    session.key("s")
    shots = session.wait_for("the screenshot", lambda: sorted((session.save / "screenshots").glob("window-*.png")))
    session.key("4")
    samples = session.wait_for("the sample files", lambda: len(list((session.save / "samples" / "4").glob(
        "4-*.png"))) == 2 and sorted((session.save / "samples" / "4").glob("4-*.png")))

    # 6. "q" quits with exit code 0.
    session.key("q")
    try:
        code = session.app.wait(WAIT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the app did not quit on 'q'; output: {session.output()}")
    assert code == 0, session.output()

    lines = session.lines()
    assert [e["frame"] for e in lines] == list(range(len(lines)))
    for event in lines:
        assert set(event) == EVENT_KEYS, event
        assert event["mode"] == "draw"
        for digit in event["digits"]:
            assert {"box", "digit", "confidence", "probs"} <= set(digit) and len(digit["probs"]) == 10
    assert lines[-1]["number"] == "4"

    shot = cv2.imread(str(shots[0]), cv2.IMREAD_UNCHANGED)
    assert shot is not None and shot.shape == (WINDOW_SIZE[1], WINDOW_SIZE[0], 3)
    assert shot[:CANVAS, :CANVAS].max() == 255  # the drawing is in it
    small = next(p for p in samples if p.name.endswith("-28x28.png"))
    canvas = next(p for p in samples if p.name.endswith("-canvas.png"))
    small_image = cv2.imread(str(small), cv2.IMREAD_UNCHANGED)
    canvas_image = cv2.imread(str(canvas), cv2.IMREAD_UNCHANGED)
    assert small_image.shape == (28, 28) and small_image.max() == 255
    assert canvas_image.shape == (CANVAS, CANVAS)
    # The canvas holds the 4 where the pointer drew it, and neither the line (cleared) nor the stray (undone):
    # ink at each stroke's press and release point, and nowhere outside the strokes' outline.
    ends = [point for stroke in strokes for point in (stroke[0], stroke[-1])]
    assert all(canvas_image[y, x] == 255 for x, y in ends), "no ink where the pointer pressed or released"
    stray_ink = (canvas_image > 0) & (stroke_outline(strokes, BRUSH // 2 + 2) == 0)
    assert not stray_ink.any(), f"ink where the pointer never went, e.g. at {np.argwhere(stray_ink)[0][::-1]}"
    assert canvas_image[200, 120] == 0 and canvas_image[420, 50] == 0


#: "17" in three straight strokes (a stroke that is a straight line arrives whole, however Qt merges
#: the moves): the 1, then the 7's bar starting on the 1's ink, then its stem, ending below the 1
#: (so only a reading with all of it reaches there). One component of ink:
#: the component finder read it as a confident "0".
TOUCHING_17 = [[(150, 140), (150, 320)], [(160, 150), (240, 150)], [(240, 150), (190, 335)]]


def test_touching_digits_drawn_with_real_mouse_drags_read_as_a_number(draw_session: DrawSession) -> None:
    session = draw_session
    for (x0, y0), (x1, y1) in TOUCHING_17:
        session.drag([(round(x0 + t * (x1 - x0)), round(y0 + t * (y1 - y0))) for t in np.linspace(0, 1, 6)])
    end = TOUCHING_17[-1][-1]
    whole = session.reading(-1, "a reading with the whole 7's stem", lambda e: reaches(e, end, "bottom"))
    assert whole["number"] == "17" and len(whole["digits"]) == 2, whole
    session.key("q")
    assert session.app.wait(WAIT) == 0, session.output()


def test_a_timeout_says_whether_the_input_reached_the_app_and_where_the_app_was(draw_session: DrawSession) -> None:
    """What a failing end-to-end test reports: every mouse event Qt received from X and the stack of
    each of the app's threads, so that a stroke lost on the way and an app stuck somewhere tell
    themselves apart (a flaky start once left only "no reading after the first drag")."""
    session = draw_session
    session.drag([(120, 100), (120, 200)])
    session.reading(-1, "the stroke's reading", lambda e: reaches(e, (120, 200), "bottom"))
    with pytest.raises(pytest.fail.Exception) as failed:
        session.wait_for("something that never comes", lambda: False, timeout=1)
    message = str(failed.value)
    assert "XI2 mouse press, button 1" in message and "XI2 mouse release, button 1" in message, message
    assert "draw_app.py" in message and " in _loop" in message, message  # where the main thread was


def test_draw_without_a_display_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-m", "realtime", "draw", "--save-dir", str(tmp_path)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no display"), result.stderr
    assert result.stdout == ""


#: A circle drawn in 0.32 s, as fast as people write a digit (pen-dev), as a 250 Hz mouse reports
#: it (gaming mice report at up to 1000 Hz): 80 moves 4 ms apart.
FAST_STEP = 0.004
EIGHT = "print-digit-8-52"  # an 8 in one stroke, 77 points: 0.31 s at FAST_STEP
FAST_CIRCLE = [(round(224 + 120 * np.cos(t)), round(224 + 120 * np.sin(t))) for t in np.linspace(0, 2 * np.pi, 81)]


@pytest.mark.parametrize("shape, digit", [("circle", "0"), (EIGHT, "8")])
def test_a_fast_stroke_is_drawn_whole(draw_session: DrawSession, shape: str, digit: str) -> None:
    """Every point of a fast stroke lands in ink, and it is read right: the loop runs the GUI while
    the stroke is drawn.

    Qt merges the mouse moves that queue up while the loop is away from the GUI (dozing, reading,
    rendering) into the last one, so the app draws a chord across them. The moves of up to ~40 ms
    (10 moves, 45 degrees of the circle) make a chord that stays within the brush's half width of
    the points it skips; a reading (a few ms) is well under that. The doze of an idle loop (40 ms)
    at the stroke's start and the reading after it cut the circle: 9-10 of its points missed. A
    machine so loaded that it keeps the app off the CPU for longer merges as much, and no code can
    help that.
    """
    points = FAST_CIRCLE if shape == "circle" else stroke_sample(shape)[0]
    session = draw_session
    session.drag(points, step_sleep=FAST_STEP)
    # The stroke's last reading is the one after its end, once readings stop.
    drawn = session.settle(-1, f"the reading of the whole {shape}")
    session.key(digit)
    folder = session.save / "samples" / digit
    samples = session.wait_for("the sample files", lambda: len(list(folder.glob("*.png"))) == 2
                               and sorted(folder.glob("*-canvas.png")))
    session.key("q")
    assert session.app.wait(WAIT) == 0, session.output()
    canvas = cv2.imread(str(samples[0]), cv2.IMREAD_UNCHANGED)
    missed = [(x, y) for x, y in points if canvas[y, x] < 128]
    assert not missed, f"no ink at {len(missed)} of the {len(points)} points the mouse went through: {missed}"
    assert drawn["number"] == digit, drawn
