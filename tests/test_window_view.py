"""What the window shows, checked on the renderer alone (no display, no model).

Camera mode is rendered on the real frames of the test clips (tests/data/camera) with their
ground-truth digit boxes as the reading, some of them unsure or "not a digit"; every text drawn is
recorded as cv2.putText receives it. The checks are the ones a user's eye makes: labels do not
overlap each other, no label or panel covers a digit, every text lies inside the image, the bars
panel says which digit it shows. Draw mode: the layout follows --canvas-size, the bars follow the
digit drawn last or clicked, help is opaque, messages fit and fade, the state of the end of a video.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import ROOT
from realtime import camera_app, draw_app, overlay
from realtime.binarize import DEFAULT_SENSITIVITY, SENSITIVITY_RANGE
from realtime.camera_app import CameraApp, CameraOptions, FramePipeline, FrameResult
from realtime.capture import Source
from realtime.draw_app import DrawApp, DrawOptions
from realtime.events import EventLog
from realtime.layout import FOOTER_H, FONT, PANEL_MIN_H, DrawLayout, Rect, contains, intersects
from realtime.reading import DigitResult, Reading

CLIPS = sorted((ROOT / "tests" / "data" / "camera").glob("clip_*.mp4"))
FRAMES = (0, 20, 45, 70, 89)  # frames of each clip rendered: still, moving, with the hand in
DOWN, MOVE, UP = cv2.EVENT_LBUTTONDOWN, cv2.EVENT_MOUSEMOVE, cv2.EVENT_LBUTTONUP


class Texts:
    """Records every cv2.putText call as (text, rect it covers) while still drawing it."""

    def __init__(self, monkeypatch) -> None:
        self.drawn: list[tuple[str, Rect]] = []
        real = cv2.putText

        def put_text(image, text, origin, font, scale, color, thickness=1, line_type=cv2.LINE_8, *rest):
            (w, h), base = cv2.getTextSize(text, font, scale, thickness)
            self.drawn.append((text, (origin[0], origin[1] - h, w, h + base)))
            return real(image, text, origin, font, scale, color, thickness, line_type, *rest)

        monkeypatch.setattr(cv2, "putText", put_text)

    def outside(self, shape: tuple[int, ...]) -> list[tuple[str, Rect]]:
        bounds = (0, 0, shape[1], shape[0])
        return [(text, rect) for text, rect in self.drawn if not contains(bounds, rect)]


class Spy:
    """Wraps a function of a module, keeping each call's arguments and result."""

    def __init__(self, monkeypatch, module, name: str) -> None:
        self.calls: list[tuple[tuple, object]] = []
        real = getattr(module, name)

        def spy(*args, **kwargs):
            out = real(*args, **kwargs)
            self.calls.append(((*args, *kwargs.values()), out))
            return out

        monkeypatch.setattr(module, name, spy)


def digit(box, label: int, line: int, kind: str = "sure") -> DigitResult:
    """A read candidate: a sure digit, an unsure one (42%) or a confident non-digit."""
    p = {"sure": 0.97, "unsure": 0.42, "not a digit": 0.96}[kind]
    probs = np.full(10, (1 - p) / 9, np.float32)
    probs[label] = p
    image = np.zeros((28, 28), np.float32)
    image[6:22, 12:16] = 1.0
    reason = None if kind == "sure" else ("low confidence" if kind == "unsure" else "not a digit")
    return DigitResult(tuple(box), line, label if kind == "sure" else None, p, probs, image, reason)


def clip_frames() -> list[tuple[str, np.ndarray, Reading]]:
    """(name, frame, reading of its truth boxes) for FRAMES of every clip; every 4th digit unsure, every 7th not a digit."""
    cases = []
    for clip in CLIPS:
        truth = json.loads(clip.with_suffix(".json").read_text())
        source = Source(str(clip))
        for index in range(max(FRAMES) + 1):
            frame = source.read()
            if index not in FRAMES:
                continue
            digits = []
            for k, d in enumerate(truth["frames"][index]["digits"]):
                kind = "not a digit" if k % 7 == 6 else ("unsure" if k % 4 == 3 else "sure")
                digits.append(digit(d["box"], d["label"], d["line"], kind))
            cases.append((f"{clip.stem}-{index}", frame, Reading(digits, {})))
        source.release()
    return cases


@pytest.fixture(scope="module")
def frames() -> list[tuple[str, np.ndarray, Reading]]:
    if not CLIPS:
        pytest.skip("no test clips in tests/data/camera")
    return clip_frames()


def camera_view(frame: np.ndarray, reading: Reading, monkeypatch, click=None, message: str = ""):
    """Render one frame as camera mode does; returns the image and what was placed where."""
    texts = Texts(monkeypatch)
    annotate = Spy(monkeypatch, overlay, "annotate")
    panel = Spy(monkeypatch, overlay, "draw_bars_panel")
    app = CameraApp(FramePipeline(None, CameraOptions()))
    app.click = click
    app.stage_ms = {"capture": 1.0, "preprocess": 6.0, "inference": 5.0, "render": 3.0}
    app.rate = 29.9
    if message:
        app._say(message, 0.0)
    image = app.render(FrameResult(frame, np.zeros(frame.shape[:2], np.uint8), reading), 0.0)
    monkeypatch.undo()
    return image, texts, annotate.calls, panel.calls


def test_camera_labels_and_panels_keep_clear_of_each_other_and_of_the_digits(frames, monkeypatch) -> None:
    labelled = panels = total = 0
    for name, frame, reading in frames:
        image, texts, annotated, panelled = camera_view(frame, reading, monkeypatch)
        boxes = [d.box for d in reading.read]
        (args, labels), = annotated
        reserved = list(args[2])  # status line, message, 28x28 strip
        rects = [label.rect for label in labels]
        total += len(boxes)
        labelled += len(labels) - len(reading.lines)
        for i, rect in enumerate(rects):
            assert not any(intersects(rect, other) for other in rects[i + 1 :]), f"{name}: labels overlap"
            assert not any(intersects(rect, r) for r in reserved), f"{name}: a label covers the status or strip"
            for box in boxes:  # a label may only sit inside its own digit's box, as a last resort
                assert not intersects(rect, box) or contains(box, rect), f"{name}: label {rect} covers digit {box}"
        for area in reserved:
            assert not any(intersects(area, box) for box in boxes), f"{name}: status/strip {area} covers a digit"
        for (_, result, caption, rect), _ in panelled:
            panels += 1
            assert not any(intersects(rect, r) for r in boxes + rects + reserved), f"{name}: bars panel covers"
            least_sure = min(reading.read, key=lambda d: d.confidence)
            assert result is least_sure and caption[0] == f"probabilities of '{least_sure.label}'", (name, caption)
            assert "least sure" in caption[1]
        assert texts.outside(image.shape) == [], f"{name}: text outside the image"
    assert labelled >= 0.95 * total, f"only {labelled} of {total} digits got a label"
    assert panels >= 0.9 * len(frames), f"the bars panel found room in only {panels} of {len(frames)} frames"


def test_camera_bars_follow_the_clicked_digit_and_say_so(frames, monkeypatch) -> None:
    name, frame, reading = frames[0]
    target = reading.read[1]
    x, y, w, h = target.box
    _, texts, _, panelled = camera_view(frame, reading, monkeypatch, click=(x + w // 2, y + h // 2))
    (_, result, caption, _), _ = panelled[0]
    assert result is target and caption == [f"probabilities of '{target.label}'",
                                            f"2nd of {len(reading.read)} digits, clicked"]
    assert caption[0] in [text for text, _ in texts.drawn]


def test_camera_texts_fit_any_frame_size_and_long_messages(frames, monkeypatch) -> None:
    _, frame, reading = frames[0]
    message = "saved saved/snapshots/a-rather-long-folder-name/camera-20261130-024500-123456.png"
    for size in ((1280, 960), (640, 480), (320, 240)):
        scale = size[0] / frame.shape[1]
        small = cv2.resize(frame, size)
        boxes = Reading([DigitResult(tuple(int(v * scale) for v in d.box), d.line, d.digit, d.confidence, d.probs,
                                     d.image, d.reason) for d in reading.digits], {})
        image, texts, _, _ = camera_view(small, boxes, monkeypatch, message=message)
        assert texts.outside(image.shape) == []
        assert any("camera-2026" in text for text, _ in texts.drawn), "the message is not shown"


def test_camera_panels_keep_clear_of_rejected_candidates_and_say_why_they_were_rejected(frames, monkeypatch) -> None:
    name, frame, reading = frames[0]
    _, _, _, panelled = camera_view(frame, reading, monkeypatch)
    (_, _, _, rect), _ = panelled[0]
    # A real digit the finder rejected, right where the bars panel went: the panel must move off it.
    box = (rect[0] + rect[2] // 2, rect[1] + rect[3] // 2, 60, 40)
    rejected = DigitResult(box, 0, None, 0.0, None, None, "too wide")
    with_rejected = Reading([*reading.digits, rejected], {})
    _, texts, annotated, panelled = camera_view(frame, with_rejected, monkeypatch)
    (_, _, _, moved), _ = panelled[0]
    assert not intersects(moved, box), f"{name}: the bars panel covers a rejected candidate"
    (_, labels), = annotated
    assert not any(intersects(label.rect, box) for label in labels), "a digit's label covers a rejected candidate"
    assert "too wide" in [text for text, _ in texts.drawn], "the rejection's reason is not shown"


def test_camera_window_view_fits_the_screen_and_clicks_map_back(frames, monkeypatch) -> None:
    from realtime.layout import view_scale

    assert view_scale((3024, 4032, 3), (1280, 800)) == pytest.approx(800 / 3024)  # a phone photo fits
    assert view_scale((129, 300, 3), (1280, 800)) * 300 == pytest.approx(640)  # a small one is enlarged
    assert view_scale((480, 640, 3), (1280, 800)) == 1.0
    _, frame, reading = frames[0]
    app = CameraApp(FramePipeline(None, CameraOptions()))
    result = FrameResult(frame, np.zeros(frame.shape[:2], np.uint8), reading)
    app.view_scale = 0.5
    view = app.render(result, 0.0, app.view_scale, interactive=True)
    assert view.shape[:2] == (480, frame.shape[1] // 2)  # a dark band under the 240 px frame (MIN_VIEW_HEIGHT)
    target = reading.read[2]
    x, y, w, h = target.box
    app.on_mouse(DOWN, (x + w // 2) // 2, (y + h // 2) // 2, 1)  # a click in the half-size window
    assert app.shown_index(reading, True) == (reading.digits.index(target), "clicked")
    app.click = None
    assert "click" in app.shown_index(reading, True)[1]  # the window invites a click ...
    assert "click" not in app.shown_index(reading)[1]  # ... a video cannot be clicked


def test_camera_small_wide_photo_is_enlarged_with_room_for_the_bars_and_messages_clear_of_digits(monkeypatch) -> None:
    from realtime.layout import MIN_VIEW_HEIGHT, view_scale

    frame = np.full((129, 300, 3), 235, np.uint8)  # a phone crop of "3432", as small as real-dev's taha_sample2
    reading = Reading([digit((10 + 70 * k, 30, 40, 70), label, 0) for k, label in enumerate((3, 4, 3, 2))], {})
    app = CameraApp(FramePipeline(None, CameraOptions()))
    app.view_scale = view_scale(frame.shape, (1280, 800))
    x, y, w, h = reading.digits[1].box
    app.on_mouse(DOWN, int((x + w / 2) * app.view_scale), int((y + h / 2) * app.view_scale), 1)
    app._say("saved saved/snapshots/camera-20261130-024500-0.png", 0.0)
    texts = Texts(monkeypatch)
    panel = Spy(monkeypatch, overlay, "draw_bars_panel")
    view = app.render(FrameResult(frame, np.zeros(frame.shape[:2], np.uint8), reading), 0.0, app.view_scale, True)
    monkeypatch.undo()
    assert view.shape[1] == 640 and view.shape[0] == MIN_VIEW_HEIGHT
    boxes_in_view = [tuple(round(v * app.view_scale) for v in d.box) for d in reading.digits]
    (args, _), = panel.calls
    assert args[1].box == boxes_in_view[1] and args[2][-1].endswith("clicked")  # the clicked 4, in view pixels
    message = [rect for text, rect in texts.drawn if "camera-2026" in text or "saved" in text]
    assert message and not any(intersects(r, box) for r in message for box in boxes_in_view), "a message covers a digit"


def test_camera_status_says_end_of_video_and_still_image() -> None:
    app = CameraApp(FramePipeline(None, CameraOptions()))
    app.ended = True
    assert "end of video" in app.status() and "space" in app.status()
    app.on_key(ord(" "), None, 0.0)
    assert app.replay and not app.paused
    app.still, app.replay = True, False
    assert app.status().startswith("still image")
    app.on_key(ord(" "), None, 0.0)
    assert not app.replay


# --- draw mode --------------------------------------------------------------------------------


class Predictor:
    """Every input is `label` at `confidence`; `odd` marks it "not a digit" (a typicality stand-in)."""

    def __init__(self, label: int = 3, confidence: float = 0.9, odd: bool = False) -> None:
        self.probs = np.full(10, (1 - confidence) / 9, np.float32)
        self.probs[label] = confidence
        self.typicality = type("T", (), {"atypical": lambda _, images, tops: np.full(len(images), odd)})()

    def predict(self, images: np.ndarray) -> np.ndarray:
        return np.tile(self.probs, (len(images), 1))


def stroke(app: DrawApp, points, now: float = 1000.0) -> None:
    app.on_mouse(DOWN, *points[0], 1)
    for p in points[1:]:
        app.on_mouse(MOVE, *p, 1)
    app.on_mouse(UP, *points[-1], 0)
    app.update(now)


@pytest.mark.parametrize("size", [128, 200, 280, 323, 324, 384, 448, 640])
def test_draw_window_follows_the_canvas_size_by_one_rule(size: int, tmp_path: Path, monkeypatch) -> None:
    app = DrawApp(Predictor(), DrawOptions(size, tmp_path))
    layout = app.layout
    # canvas and panel side by side, as tall as the taller needs; the status and messages under both
    assert (layout.width, layout.height) == (size + 330, max(size, PANEL_MIN_H) + FOOTER_H)
    x, y, w, h = layout.footer
    assert size <= y < layout.height - FOOTER_H + 4 and y + h >= layout.height - 2 and x < 10
    assert w >= layout.width - 20
    texts = Texts(monkeypatch)
    stroke(app, [(size // 4, size // 5), (size // 4, size * 4 // 5)])
    stroke(app, [(size * 3 // 4, size // 5), (size * 3 // 4, size * 4 // 5)])
    app.on_key(ord("s"), 1000.0)  # a long path in the message
    image = app.render(1000.5)
    assert image.shape == (layout.height, layout.width, 3)
    assert texts.outside(image.shape) == []
    message = [rect for text, rect in texts.drawn if "window-" in text or "saved" in text]
    assert message and all(contains(layout.footer, r) for r in message), message


def test_draw_bars_follow_the_digit_drawn_last_or_clicked(tmp_path: Path, monkeypatch) -> None:
    app = DrawApp(Predictor(), DrawOptions(448, tmp_path))
    stroke(app, [(80, 100), (80, 300)])
    stroke(app, [(300, 100), (300, 300)])
    assert app.shown_index()[0] == 1
    stroke(app, [(70, 200), (95, 200)])  # back to the first digit: it is now the one drawn last
    index, rule = app.shown_index()
    assert index == 0 and rule.startswith("last drawn")
    texts = Texts(monkeypatch)
    app.render(1000.0)
    drawn = [text for text, _ in texts.drawn]
    assert "probabilities of '3'" in drawn and any(t.startswith("1st of 2 digits, last drawn") for t in drawn), drawn
    cell = app._preview_cell()
    app.on_mouse(DOWN, app._panel_x + cell + 4 + cell // 2, app._preview_y + cell // 2, 1)
    assert app.shown_index() == (1, "clicked")
    stroke(app, [(300, 320), (320, 320)])  # drawing again: the bars follow the pen again
    assert app.shown_index()[1].startswith("last drawn")
    app.on_mouse(cv2.EVENT_RBUTTONDOWN, 300, 120, 2)  # the eraser through the top of the second digit
    app.on_mouse(MOVE, 300, 140, 2)
    app.on_mouse(cv2.EVENT_RBUTTONUP, 300, 140, 0)
    app.update(1000.0)
    assert app.shown_index() == (1, "last erased (click a preview for another)")  # not "drawn"
    stroke(app, [(420, 420), (430, 430)])
    app.on_mouse(cv2.EVENT_RBUTTONDOWN, 425, 425, 2)  # a dot drawn and erased again: no digit holds the stroke
    app.on_mouse(cv2.EVENT_RBUTTONUP, 425, 425, 0)
    app.update(1000.0)
    assert app.shown_index()[1].startswith("last in order")


@pytest.mark.parametrize("odd, confidence, label, why", [(False, 0.42, "? 42%", "unsure: 42% for 3"),
                                                          (True, 0.96, "? not a digit", "not a digit (nearest: 3)")])
def test_draw_shows_doubt_as_a_question_mark(odd, confidence, label, why, tmp_path: Path, monkeypatch) -> None:
    app = DrawApp(Predictor(3, confidence, odd), DrawOptions(448, tmp_path))
    stroke(app, [(200, 100), (200, 300)])
    texts = Texts(monkeypatch)
    app.render(1000.0)
    drawn = [text for text, _ in texts.drawn]
    assert "?" in drawn and label in drawn and why in drawn, drawn  # headline, box label, caption
    assert not any(t.startswith("3 ") for t in drawn), drawn  # no "3 96%" anywhere


@pytest.mark.parametrize("size", [280, 448, 800])
def test_draw_help_is_an_opaque_panel_on_one_side(size: int, tmp_path: Path) -> None:
    """Help covers the canvas or the panel, never a strip of both; whatever is under it does not show through."""
    def view(ink: bool, help_shown: bool) -> np.ndarray:
        app = DrawApp(Predictor(), DrawOptions(size, tmp_path))
        if ink:
            stroke(app, [(10, size // 2), (size - 10, size // 2)])  # a white stroke right under the help
        app.reading, app.show_help, app.latency_ms = Reading([], {}), help_shown, 0.0
        return app.render(1000.0)

    plain, shown = view(True, False), view(True, True)
    ys, xs = np.nonzero(np.any(shown != plain, axis=2))
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    assert x1 <= size or x0 >= size, f"help spans x {x0}-{x1} across the canvas edge at {size}"
    np.testing.assert_array_equal(view(False, True)[y0:y1, x0:x1], shown[y0:y1, x0:x1])
    if x1 <= size:  # over the canvas: the ink beside the panel still shows
        assert shown[size // 2, x0 - 3].min() == 255 and shown[size // 2, x1 + 2].min() == 255


def test_draw_messages_fade_and_the_window_redraws_only_on_change(tmp_path: Path) -> None:
    app = DrawApp(Predictor(), DrawOptions(448, tmp_path))
    key = app.view_key(1000.0)
    assert app.view_key(1005.0) == key and not app.busy(), "idle: nothing to redraw"
    plain = app.render(1000.0)
    app.on_key(ord("+"), 1000.0)
    assert app.view_key(1000.0) != key
    x, y, w, h = app.layout.footer
    full = app.render(1000.0)[y:y + h, x:x + w].astype(int)
    fading = app.render(1000.0 + overlay.MESSAGE_SECONDS - overlay.FADE_SECONDS / 2)[y:y + h, x:x + w].astype(int)
    gone = app.render(1000.0 + overlay.MESSAGE_SECONDS)[y:y + h, x:x + w]
    assert 0 < np.abs(fading - plain[y:y + h, x:x + w]).sum() < np.abs(full - plain[y:y + h, x:x + w]).sum()
    footer_plain = plain[y:y + h, x:x + w].copy()
    footer_plain[:22] = gone[:22]  # the status line shows the new brush size
    np.testing.assert_array_equal(gone, footer_plain)
    assert app.view_key(1000.0 + overlay.MESSAGE_SECONDS) == app.view_key(1000.0 + overlay.MESSAGE_SECONDS + 5)
    app.on_mouse(DOWN, 100, 100, 1)
    assert app.busy()


# --- camera loop: end of video, replay, summary -------------------------------------------------


class FakeClock:
    """time.perf_counter / time.monotonic that jump ahead whenever the window waits idle."""

    def __init__(self) -> None:
        import time

        self.real, self.sleep, self.offset = time, time.sleep, 0.0

    def perf_counter(self) -> float:
        return self.real.perf_counter() + self.offset

    def monotonic(self) -> float:
        return self.real.monotonic() + self.offset


def run_with_fake_window(source: Source, monkeypatch, tmp_path: Path, keys_when_idle: list[str]):
    """camera_app.run on a fake window that presses `keys_when_idle` one by one, each after 60 idle s."""
    clock = FakeClock()
    monkeypatch.setattr(camera_app, "time", clock)
    idle_waits = []

    class FakeWindow:
        def __init__(self, on_mouse=None) -> None:
            pass

        def show(self, image) -> None:
            pass

        def largest_view(self) -> tuple[int, int]:
            return 1280, 800

        def poll_keys(self, delay_ms: int = 10) -> list[int]:
            if delay_ms < camera_app.IDLE_WAIT_MS:
                return []
            idle_waits.append(delay_ms)
            clock.offset += 60.0  # a minute looking at the paused picture
            return [ord(keys_when_idle.pop(0)) if keys_when_idle else ord("q")]

        def is_open(self) -> bool:
            return True

        def close(self) -> None:
            pass

    import realtime.window

    monkeypatch.setattr(realtime.window, "Window", FakeWindow)
    events = tmp_path / "events.jsonl"
    code = camera_app.run(source, Predictor(), CameraOptions(save_dir=tmp_path), EventLog(events, "camera"))
    return code, [json.loads(line) for line in events.read_text().splitlines()], idle_waits


def test_space_replays_a_video_and_fps_leaves_out_the_idle_time(tmp_path: Path, monkeypatch, capsys) -> None:
    video = tmp_path / "five.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 30, (160, 120))
    for k in range(5):
        page = np.full((120, 160, 3), 230, np.uint8)
        cv2.putText(page, str(k), (50, 90), FONT, 2.5, (20, 20, 20), 6)
        writer.write(page)
    writer.release()
    code, events, idle = run_with_fake_window(Source(str(video)), monkeypatch, tmp_path, [" "])
    assert code == 0 and len(idle) == 2  # at the end: space (replay), at the end again: q
    assert [e["frame"] for e in events] == list(range(10))  # the five frames, twice
    fps = float(capsys.readouterr().out.split()[-2])
    assert fps > 5, "two idle minutes counted in the frame rate"


def test_a_still_image_summary_says_the_number_and_no_frame_rate(tmp_path: Path, monkeypatch, capsys) -> None:
    image = tmp_path / "page.png"
    page = np.full((120, 160, 3), 230, np.uint8)
    cv2.putText(page, "7", (50, 90), FONT, 2.5, (20, 20, 20), 6)
    cv2.imwrite(str(image), page)
    code, events, idle = run_with_fake_window(Source(str(image)), monkeypatch, tmp_path, [" "])
    assert code == 0 and len(events) == 1 and len(idle) == 2  # space does not re-read a still image
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary == "1 frame, 1 digit read, 0 unsure, number read: 3", summary  # no frame rate for one image


def test_a_still_image_read_again_with_new_settings_is_logged_and_summed_up(tmp_path: Path, monkeypatch, capsys) -> None:
    """`[` on a still image reads it again: the window showed the new reading while the events
    kept only the first and the summary its number and counts. Each reading is logged (the same
    frame's index), and the summary gives the last: a faint "4" beside a dark "7" is read at the
    default sensitivity and not at the lowest."""
    image = tmp_path / "page.png"
    page = np.full((120, 240, 3), 230, np.uint8)
    cv2.putText(page, "7", (30, 90), FONT, 2.5, (20, 20, 20), 6)
    cv2.putText(page, "4", (140, 90), FONT, 2.5, (160, 160, 160), 6)
    cv2.imwrite(str(image), page)
    presses = (DEFAULT_SENSITIVITY - SENSITIVITY_RANGE[0]) // 2
    code, events, idle = run_with_fake_window(Source(str(image)), monkeypatch, tmp_path, ["["] * presses)
    assert code == 0 and [e["frame"] for e in events] == [0] * (presses + 1) and len(idle) == presses + 1
    assert (events[0]["number"], events[-1]["number"]) == ("33", "3")
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary == "1 frame, 1 digit read, 0 unsure, number read: 3", summary


def test_summary_counts_named_digits_and_unsure_ones_apart() -> None:
    from realtime.camera_app import _Run, summary

    assert summary(_Run(index=90, digits=300, unsure=4, active=3.0), still=False) == (
        "90 frames, 300 digits read, 4 unsure, 30.0 fps")
    assert summary(_Run(index=1, digits=3, unsure=1, number="34?2"), still=True) == (
        "1 frame, 3 digits read, 1 unsure, number read: none (shown as 34?2)")
    assert summary(_Run(index=1), still=True) == "1 frame, 0 digits read, 0 unsure, number read: none"


def test_draw_layout_never_leaves_the_canvas_unreachable() -> None:
    for size in (128, 267, 448, 640):
        layout = DrawLayout.for_canvas(size)
        assert layout.height >= size and layout.width == size + 330
