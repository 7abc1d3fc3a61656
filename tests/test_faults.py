"""Faults as users meet them: nothing lost, never a traceback (issue 12).

Real faults only: a real full filesystem (a small tmpfs, mounted when the tests run as root),
real signals to the real CLI in a subprocess, an X server that goes away, a DISPLAY with no
server, damaged model and companion files made here. ffprobe proves that a video opens and holds
every frame that was written; the events log proves how many frames were.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import ROOT, SHIPPED_MODEL, fill, video_frames
from realtime.binarize import binarize
from realtime.camera_app import CameraApp, CameraOptions, FramePipeline
from realtime.capture import decoded_rows
from realtime.errors import quiet_stderr
from realtime.draw_app import DrawApp, DrawOptions
from realtime.events import EventLog
from realtime.files import save_images
from realtime.lines import remove_lines
from realtime.preprocess import to_mnist
from realtime.segment import find_digits
from test_camera import FixedPredictor

sys.path.insert(0, str(ROOT / "scripts"))
from xsession import XDOTOOL, XVFB, AppWindow, Xvfb  # noqa: E402  (scripts/xsession.py)

CLIP = ROOT / "tests" / "data" / "camera" / "clip_00.mp4"  # 90 frames, 640x480, ~0.5 MB
PAGE = ROOT / "tests" / "data" / "pages" / "08-digits-in-boxes-2413.png"  # a still: one reading
TFLITE = SHIPPED_MODEL.with_suffix(".tflite")
TYPICAL = SHIPPED_MODEL.with_name(SHIPPED_MODEL.stem + "_typical.npz")
WAIT = 60.0  # seconds for a subprocess to reach a state, generous for a busy CI machine

needs_model = pytest.mark.skipif(not TFLITE.is_file(), reason=f"the shipped model {TFLITE} is missing")
needs_x = pytest.mark.skipif(not (XVFB and XDOTOOL), reason="needs Xvfb and xdotool on PATH (apt-get install xvfb xdotool)")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "realtime", *args]


def environ(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cli(*args), cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=env or environ(), stdin=subprocess.DEVNULL)


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr[-2000:]}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr[-2000:]}"
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def whole_lines(path: Path) -> list[dict]:
    """Every line of an events log, each parsed as strict JSON (no NaN): fails on half a line."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    assert text == "" or text.endswith("\n"), f"the log ends mid-line: {text[-80:]!r}"
    return [json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in the events log")) for line in
            text.splitlines()]


def wait_for(check, what: str, process: subprocess.Popen | None = None, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the app ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and p.name not in (".filler", ".spare"))


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory) -> Path:
    """3,000 frames (320x240) with a digit on paper: long enough to signal a run in the middle."""
    path = tmp_path_factory.mktemp("clip") / "long.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (320, 240))
    for i in range(3000):
        frame = np.full((240, 320, 3), 230, np.uint8)
        cv2.putText(frame, str(i % 10), (100 + i % 50, 160), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 8)
        writer.write(frame)
    writer.release()
    return path


def camera_frames(count: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(CLIP))
    frames = [capture.read()[1] for _ in range(count)]
    capture.release()
    return frames


# --- 1. a full disk ---------------------------------------------------------------------------


@needs_model
def test_output_on_a_full_disk_stops_with_one_line_keeps_events_and_leaves_no_file(small_disk, tmp_path) -> None:
    out, events = small_disk / "annotated.mp4", tmp_path / "events.jsonl"
    result = run_cli("camera", "--headless", "--source", str(CLIP), "--output", str(out), "--events", str(events))
    assert_one_line_error(result, "No space left on device", "annotated.mp4")
    assert leftovers(small_disk) == []  # no partial video, no temporary file
    assert 0 < len(whole_lines(events)) < 90


def test_recording_on_a_full_disk_says_so_and_keeps_nothing(small_disk) -> None:
    app = CameraApp(FramePipeline(FixedPredictor(), CameraOptions(save_dir=small_disk)))
    frames = camera_frames(90)
    result = app.process(frames[0], 0, 0.0)
    app.toggle_recording(result.frame.shape, 0.0)
    assert app.recorder is not None, app.message
    for frame in frames:
        app.record(app.render(app.process(frame, 0, 0.0), 0.0), 0.0)
        if app.recorder is None:
            break
    assert app.recorder is None, "90 frames of 640x480 fit on a 256 KiB disk?"
    assert "nothing saved" in app.message[0] and "No space left on device" in app.message[0]
    assert leftovers(small_disk) == []


def test_a_finished_recording_holds_every_frame(tmp_path) -> None:
    app = CameraApp(FramePipeline(FixedPredictor(), CameraOptions(save_dir=tmp_path)))
    frames = camera_frames(12)
    app.toggle_recording(frames[0].shape, 0.0)
    for frame in frames:
        app.record(app.render(app.process(frame, 0, 0.0), 0.0), 0.0)
    app.toggle_recording(frames[0].shape, 1.0)
    assert "recording saved" in app.message[0] and "12 frames" in app.message[0]
    (video,) = (tmp_path / "recordings").glob("*.mp4")
    assert video_frames(video) == 12
    assert leftovers(tmp_path / "recordings") == [video.name]


# --- 2. signals, a lost display, an empty recording -----------------------------------------


@needs_model
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1,
                                    signal.SIGUSR2, signal.SIGALRM], ids=lambda s: s.name)
def test_a_signal_finishes_the_video_with_every_frame(long_clip, tmp_path, signum) -> None:
    out, events = tmp_path / "annotated.mp4", tmp_path / "events.jsonl"
    app = subprocess.Popen(cli("camera", "--headless", "--source", str(long_clip), "--output", str(out),
                               "--events", str(events)), cwd=ROOT, env=environ(), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: events.exists() and events.read_bytes().count(b"\n") >= 30, "30 frames", app)
        app.send_signal(signum)
        stdout, stderr = app.communicate(timeout=WAIT)
    finally:
        app.kill()
    assert app.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr
    assert stdout.rstrip().endswith(f"fps, stopped by {signum.name}"), stdout  # not taken for the whole input
    logged = len(whole_lines(events))
    assert 30 <= logged < 3000
    assert video_frames(out) == logged
    assert leftovers(tmp_path) == ["annotated.mp4", "events.jsonl"]


def _camera_window(server: Xvfb, clip: Path, tmp_path: Path, frames: int) -> AppWindow:
    """Camera mode in a window on `server`, playing `clip` with --output and --events in
    `tmp_path`, once it has logged `frames` frames."""
    events = tmp_path / "events.jsonl"
    app = AppWindow(server.display, ["camera", "--source", str(clip), "--output", str(tmp_path / "annotated.mp4")],
                    tmp_path / "app.log", events)
    try:
        wait_for(lambda: events.exists() and events.read_bytes().count(b"\n") >= frames, f"{frames} frames", app.app)
    except BaseException:
        app.close()
        raise
    return app


@needs_model
@needs_x
def test_a_lost_display_finishes_the_video_with_every_frame(long_clip, tmp_path) -> None:
    out, events = tmp_path / "annotated.mp4", tmp_path / "events.jsonl"
    with Xvfb() as server:
        app = _camera_window(server, long_clip, tmp_path, 30)
        try:
            server.server.kill()  # the X server dies, as when a session ends or a forwarded display drops
            app.app.wait(WAIT)
            output = app.output()
        finally:
            app.close()
    assert app.app.returncode == 1, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: lost the display"), output
    assert video_frames(out) == len(whole_lines(events)) >= 30


@needs_model
@needs_x
def test_a_window_destroyed_by_another_x_client_ends_camera_mode_cleanly(long_clip, tmp_path) -> None:
    out, events = tmp_path / "annotated.mp4", tmp_path / "events.jsonl"
    with Xvfb() as server:
        app = _camera_window(server, long_clip, tmp_path, 10)
        try:
            app.xdo("windowclose", app.window)  # XDestroyWindow from another client: highgui never notices
            app.app.wait(WAIT)
            output = app.output()
        finally:
            app.close()
    assert app.app.returncode == 0, output
    assert video_frames(out) == len(whole_lines(events)) < 3000


def test_ctrl_c_while_the_modules_load_ends_quietly_with_130() -> None:
    """A real SIGINT the moment OpenCV has loaded, while the CLI's modules still import (up to a
    second): no traceback, exit 130. The watcher waits on what it checks (cv2 in sys.modules)."""
    start = ("import os, runpy, signal, sys, threading, time\n"
             "def watch():\n"
             "    while 'cv2' not in sys.modules:\n"
             "        time.sleep(0.0005)\n"
             "    os.kill(os.getpid(), signal.SIGINT)\n"
             "threading.Thread(target=watch, daemon=True).start()\n"
             "sys.argv = ['digit-recognizer', 'camera', '--help']\n"
             "runpy.run_module('realtime', run_name='__main__')\n")
    result = subprocess.run([sys.executable, "-c", start], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env=environ(), stdin=subprocess.DEVNULL)
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr and "usage" not in result.stdout


def test_a_recording_started_and_stopped_while_paused_is_not_saved(tmp_path) -> None:
    app = CameraApp(FramePipeline(FixedPredictor(), CameraOptions(save_dir=tmp_path)))
    last = app.process(camera_frames(1)[0], 0, 0.0)
    app.on_key(ord(" "), last, 0.0)  # pause
    app.on_key(ord("r"), last, 0.1)
    app.on_key(ord("r"), last, 0.2)  # the loop records nothing while paused
    assert "saved to" not in app.message[0] and "nothing saved" in app.message[0]
    assert leftovers(tmp_path) == []


# --- 3. an output that would destroy a file ----------------------------------------------------


def test_output_that_is_the_source_is_refused_and_the_source_kept(tmp_path) -> None:
    source = tmp_path / "clip.mp4"
    shutil.copy(CLIP, source)
    (tmp_path / "link.mp4").symlink_to(source)
    os.link(source, tmp_path / "hard.mp4")
    for output in (source, tmp_path / "sub" / ".." / "clip.mp4", tmp_path / "link.mp4", tmp_path / "hard.mp4"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        result = run_cli("camera", "--headless", "--source", str(source), "--output", str(output), "--overwrite")
        assert_one_line_error(result, "is the --source file")
    assert source.read_bytes() == CLIP.read_bytes()


@needs_model
def test_an_existing_output_is_kept_unless_overwrite_is_given(tmp_path) -> None:
    out = tmp_path / "annotated.mp4"
    out.write_text("someone's earlier video")
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(CLIP), "--output", str(out)),
                          "already exists", "--overwrite")
    assert out.read_text() == "someone's earlier video"
    result = run_cli("camera", "--headless", "--source", str(CLIP), "--output", str(out), "--overwrite")
    assert result.returncode == 0, result.stderr
    assert video_frames(out) == 90
    assert "--overwrite" in run_cli("camera", "--help").stdout


# --- 4. the events log on a full disk ---------------------------------------------------------


@needs_model
def test_events_on_a_full_disk_end_a_headless_run_with_whole_lines(small_disk, tmp_path) -> None:
    events, out = small_disk / "events.jsonl", tmp_path / "annotated.mp4"
    fill(small_disk, leave=8192)
    result = run_cli("camera", "--headless", "--source", str(CLIP), "--output", str(out), "--events", str(events))
    assert_one_line_error(result, "events log", "No space left on device")
    logged = len(whole_lines(events))
    assert 0 < logged < 90
    assert video_frames(out) == logged  # the video is finished, up to the last logged frame


def test_an_events_log_that_could_not_take_one_line_is_not_left_behind(small_disk) -> None:
    """A log this run created and could not write a single line to goes (the fresh user found an
    empty file beside the one-line error); one that was there before is kept as it was."""
    from realtime.events import EventLogError
    from realtime.reading import Reading
    from test_outputs import result

    existing = small_disk / "kept.jsonl"
    existing.write_bytes(b"")
    fill(small_disk)
    reading = Reading([result((1, 2, 3, 4), np.full(10, 0.1, np.float32))], {})
    for path in (small_disk / "new.jsonl", existing):
        log = EventLog(path, "camera")
        with pytest.raises(EventLogError, match="No space left"):
            log.write(0, reading)
        log.close()
    assert not (small_disk / "new.jsonl").exists()
    assert existing.read_bytes() == b""


def test_events_never_go_into_a_file_that_is_no_events_log(tmp_path) -> None:
    """`--events` appends (a log grows over runs, `tail -f` follows it), but not to an image or a
    photo's truth JSON given by mistake: one line, exit 2, the file untouched (a fresh user's
    `--events taha_sample2.json` grew the truth by a reading)."""
    truth = tmp_path / "truth.json"
    truth.write_text('{"lines": [[{"box": [1, 2, 3, 4], "label": 3}]]}\n')
    image = tmp_path / "tiny.png"
    cv2.imwrite(str(image), np.zeros((4, 4), np.uint8))
    before = {p: p.read_bytes() for p in (truth, image)}
    for path in (truth, image):
        result = run_cli("camera", "--headless", "--source", str(PAGE), "--events", str(path))
        assert_one_line_error(result, "not an events log")
    assert {p: p.read_bytes() for p in (truth, image)} == before
    log = tmp_path / "log.jsonl"
    for _ in range(2):  # an events log grows
        assert run_cli("camera", "--headless", "--source", str(PAGE), "--events", str(log)).returncode == 0
    assert len(whole_lines(log)) == 2


def test_a_reading_with_nan_is_never_written_as_json(tmp_path) -> None:
    from realtime.events import EventLogError
    from realtime.reading import Reading
    from test_outputs import result

    log = EventLog(tmp_path / "events.jsonl", "draw")
    log.write(0, Reading([result((1, 2, 3, 4), np.full(10, 0.1, np.float32))], {}))
    with pytest.raises(EventLogError, match="NaN"):
        log.write(1, Reading([result((1, 2, 3, 4), np.full(10, np.nan, np.float32))], {}))
    log.close()
    assert [r["frame"] for r in whole_lines(tmp_path / "events.jsonl")] == [0]


def test_draw_mode_shows_a_failed_events_write_and_keeps_the_drawing(small_disk) -> None:
    app = DrawApp(FixedPredictor(), DrawOptions(canvas_size=280, save_dir=small_disk),
                  EventLog(small_disk / "events.jsonl", "draw"))
    fill(small_disk)
    for event, x, y in [(cv2.EVENT_LBUTTONDOWN, 140, 60), (cv2.EVENT_MOUSEMOVE, 140, 220),
                        (cv2.EVENT_LBUTTONUP, 140, 220)]:
        app.on_mouse(event, x, y, cv2.EVENT_FLAG_LBUTTON)
    assert app.update(1.0)
    assert "events log" in app._message[0] and "No space left on device" in app._message[0]
    assert not app.canvas.empty and app.reading.read
    app.render(1.0)
    assert whole_lines(small_disk / "events.jsonl") == []
    lost = app.lost_readings()  # what draw_app.run raises at quit: exit 2, one line
    assert lost is not None and "1 reading(s) were not written" in str(lost) and "No space left" in str(lost)


# --- 5, 9. odd and huge images ----------------------------------------------------------------


@needs_model
@pytest.mark.parametrize("shape", [(1, 961), (10, 20000), (20000, 10)])
def test_images_of_extreme_aspect_are_read(tmp_path, shape) -> None:
    image = tmp_path / "strip.png"
    cv2.imwrite(str(image), np.full(shape, 200, np.uint8))
    result = run_cli("camera", "--headless", "--source", str(image))
    assert result.returncode == 0 and result.stderr == "", result.stderr[-2000:]


@needs_model
@pytest.mark.parametrize("ink", [0, 255, (200, 160, 120)], ids=["black-ink", "white-ink", "light-blue-ink"])
def test_digits_drawn_on_a_transparent_background_are_read(tmp_path, mnist_test, ink) -> None:
    """A paint program's export, or a photo whose paper was cut away: ink, the rest transparent
    (its colour channels are often the ink's colour too). Without its alpha channel it is one
    colour throughout and read nothing; the transparent part is paper: white, black with
    --invert. Light-blue ballpoint (brighter than mid-grey) is ink on white too."""
    images, labels = mnist_test
    picture = np.zeros((200, 400, 4), np.uint8)
    picture[..., :3] = ink
    for k in range(4):
        digit = cv2.resize(images[k], (70, 70), interpolation=cv2.INTER_LINEAR)
        picture[60:130, 30 + 90 * k : 100 + 90 * k, 3] = digit
    image = tmp_path / "drawn.png"
    cv2.imwrite(str(image), picture)
    events = tmp_path / "events.jsonl"
    extra = ["--invert"] if ink == 255 else []
    result = run_cli("camera", "--headless", "--source", str(image), "--events", str(events), *extra)
    assert result.returncode == 0 and result.stderr == "", result.stderr[-2000:]
    (event,) = [json.loads(line) for line in events.read_text().splitlines()]
    assert event["number"] == "".join(str(v) for v in labels[:4])


@needs_model
def test_a_frame_too_large_for_the_encoder_is_refused_before_writing(tmp_path) -> None:
    image = tmp_path / "strip.png"
    cv2.imwrite(str(image), np.full((10, 20000), 200, np.uint8))
    result = run_cli("camera", "--headless", "--source", str(image), "--output", str(tmp_path / "out.mp4"))
    assert_one_line_error(result, "frame 20000x10 is too large for the video encoder (max 8191")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["strip.png"]


def write_clip(path: Path, fps: Fraction, size: tuple[int, int], frames: int = 4) -> None:
    """An MPEG-4 clip of `frames` grey frames at `fps` frames per second, `size` (width, height)."""
    import av

    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(np.full((size[1], size[0], 3), 60 * i, np.uint8), format="bgr24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())


@needs_model
@pytest.mark.parametrize("fps, size", [(Fraction(1, 2), (640, 480)), (Fraction(1000), (320, 240)),
                                       (Fraction(30), (641, 481))], ids=["timelapse", "1000fps", "odd-size"])
def test_output_keeps_the_input_rate_and_size(tmp_path, fps, size) -> None:
    import av

    source, out = tmp_path / "in.mp4", tmp_path / "out.mp4"
    write_clip(source, fps, size)
    result = run_cli("camera", "--headless", "--source", str(source), "--output", str(out))
    assert result.returncode == 0, result.stderr
    with av.open(str(out)) as video:
        stream = video.streams.video[0]
        assert stream.average_rate == fps and (stream.codec_context.width, stream.codec_context.height) == size
    assert video_frames(out) == 4


def write_large_png(path: Path, width: int, height: int) -> None:
    """A valid black PNG, written row by row: a small file that decodes to width x height bytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(tmp_path) -> None:
    """Refused from its header: the run's peak memory stays that of a normal start, not the 625 MB
    the pixels would take (OpenCV reads its limit once, at import: set too late it decodes first)."""
    image = tmp_path / "huge.png"
    write_large_png(image, 25000, 25000)  # 625 MP, 0.6 MB on disk; under OpenCV's own default limit
    assert image.stat().st_size < 2_000_000
    peak = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(done.returncode)")
    result = subprocess.run(
        [sys.executable, "-c", peak, *cli("camera", "--headless", "--source", str(image))],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=environ(), stdin=subprocess.DEVNULL)
    *error, peak_kb = result.stderr.strip().splitlines()
    assert_one_line_error(subprocess.CompletedProcess(result.args, result.returncode, "", "\n".join(error)),
                          "huge.png", "--max-pixels")
    assert int(peak_kb) < 400_000, f"peak memory {int(peak_kb) // 1024} MB: the pixels were decoded"
    small = tmp_path / "small.png"
    cv2.imwrite(str(small), np.full((100, 100), 200, np.uint8))
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(small), "--max-pixels", "9999"),
                          "--max-pixels")
    # past a 64-bit number OpenCV aborted the process (exit 134, a C++ message) before Python could answer
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(small), "--max-pixels", str(2**64)),
                          "--max-pixels")


# --- 6, 7. damaged model and companion files --------------------------------------------------


def model_copy(tmp_path: Path) -> Path:
    model = tmp_path / "digits.tflite"
    shutil.copy(TFLITE, model)
    return model


def damage_typicality(path: Path, how: str) -> None:
    if how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(TYPICAL.read_bytes()[: TYPICAL.stat().st_size // 2])
    elif how == "NaN threshold":
        with np.load(TYPICAL) as data:
            arrays = dict(data)
        arrays["threshold"] = np.float32("nan")
        with open(path, "wb") as f:
            np.savez(f, **arrays)
    elif how == "folder":
        path.mkdir()
    elif how == "negative threshold":
        with np.load(TYPICAL) as data:
            arrays = dict(data)
        arrays["threshold"] = np.float32(-1)
        with open(path, "wb") as f:
            np.savez(f, **arrays)


@needs_model
@pytest.mark.skipif(not TYPICAL.is_file(), reason=f"the shipped model has no typicality companion ({TYPICAL.name}): "
                    "its own 'not a digit' output decides; these check a model that carries one")
@pytest.mark.parametrize("how", ["empty", "truncated", "NaN threshold", "folder", "negative threshold"])
def test_a_damaged_companion_file_is_refused(tmp_path, how) -> None:
    model = model_copy(tmp_path)
    damage_typicality(tmp_path / "digits_typical.npz", how)
    image = tmp_path / "page.png"
    cv2.imwrite(str(image), np.full((60, 60), 200, np.uint8))
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(image), "--model", str(model)),
                          "digits_typical.npz")


def first_byte_that_breaks_inference(data: bytes) -> int | None:
    """A byte of the model whose damage LiteRT accepts at load but fails on at inference."""
    from ai_edge_litert.interpreter import Interpreter

    for position in range(4096):  # the flatbuffer tables: shapes, op options, offsets
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        try:
            interpreter = Interpreter(model_content=bytes(damaged))
            interpreter.allocate_tensors()
        except Exception:  # noqa: BLE001 - refused at load: not the case looked for
            continue
        details = interpreter.get_input_details()[0]
        interpreter.set_tensor(details["index"], np.zeros(details["shape"], np.float32))
        try:
            interpreter.invoke()
        except RuntimeError:
            return position
    return None


@needs_model
def test_a_model_with_a_damaged_byte_is_refused_at_load(tmp_path) -> None:
    data = TFLITE.read_bytes()
    position = first_byte_that_breaks_inference(data)
    if position is None:
        pytest.skip("no single damaged byte of this model fails at inference only")
    model = tmp_path / "digits.tflite"
    damaged = bytearray(data)
    damaged[position] ^= 0xFF
    model.write_bytes(bytes(damaged))
    image = tmp_path / "page.png"
    cv2.imwrite(str(image), np.full((60, 60), 200, np.uint8))
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(image), "--model", str(model)),
                          "digits.tflite", "damaged")


@needs_model
def test_a_model_that_outputs_nan_is_refused_at_load(tmp_path) -> None:
    from ai_edge_litert.interpreter import Interpreter

    data = TFLITE.read_bytes()
    interpreter = Interpreter(model_path=str(TFLITE))
    interpreter.allocate_tensors()
    biases = [t for t in interpreter.get_tensor_details() if tuple(t["shape"]) in ((10,), (11,))  # 11: "not a digit"
              and t["dtype"] == np.float32]
    assert biases, "no (10,) or (11,) float32 tensor (the last layer's bias) in the model"
    values = interpreter.get_tensor(biases[0]["index"]).tobytes()
    assert data.count(values) == 1
    model = tmp_path / "digits.tflite"
    model.write_bytes(data.replace(values, np.full(len(values) // 4, np.nan, np.float32).tobytes()))
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(CLIP), "--model", str(model)),
                          "digits.tflite", "NaN")


# --- checksums of the shipped model (issue 12, second round) ---------------------------------

MANIFEST = SHIPPED_MODEL.with_name(SHIPPED_MODEL.stem + ".sha256")


def test_the_shipped_model_matches_its_manifest() -> None:
    from realtime.errors import UserError
    from realtime.manifest import read_manifest, verify

    assert MANIFEST.is_file(), f"{MANIFEST} is missing: write it with `PYTHONPATH=. python -m realtime.manifest {SHIPPED_MODEL.relative_to(ROOT)}`"
    try:
        verify(SHIPPED_MODEL)
    except UserError as exc:
        pytest.fail(f"the shipped model files differ from {MANIFEST.name} ({exc}). If the model was retrained on "
                    f"purpose, rewrite the manifest: PYTHONPATH=. python -m realtime.manifest {SHIPPED_MODEL.relative_to(ROOT)}")
    listed = read_manifest(MANIFEST)
    assert {TFLITE.name, SHIPPED_MODEL.name} <= set(listed), f"{MANIFEST.name} lists {sorted(listed)}"
    if TYPICAL.is_file():
        assert TYPICAL.name in listed, f"{MANIFEST.name} does not list the companion {TYPICAL.name}"


def shipped_copy(tmp_path: Path) -> Path:
    """The shipped model, its companions and its manifest in tmp_path; returns the .tflite."""
    from realtime.manifest import read_manifest

    for name in [*read_manifest(MANIFEST), MANIFEST.name]:
        shutil.copy(MANIFEST.with_name(name), tmp_path / name)
    return tmp_path / TFLITE.name


def blank_page(tmp_path: Path) -> Path:
    image = tmp_path / "page.png"
    cv2.imwrite(str(image), np.full((60, 60), 200, np.uint8))
    return image


@needs_model
@pytest.mark.skipif(not MANIFEST.is_file(), reason=f"{MANIFEST} is missing")
def test_one_changed_weight_byte_is_refused_by_its_checksum(tmp_path) -> None:
    model = shipped_copy(tmp_path)
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0x01  # deep in the weights: loads and runs, answers differ a little
    model.write_bytes(bytes(data))
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(blank_page(tmp_path)), "--model", str(model)),
                          "digits.tflite", "is damaged (checksum")


@needs_model
@pytest.mark.skipif(not MANIFEST.is_file(), reason=f"{MANIFEST} is missing")
def test_a_listed_file_that_is_missing_is_an_error(tmp_path) -> None:
    from realtime.manifest import read_manifest

    model = shipped_copy(tmp_path)
    gone = next(name for name in read_manifest(MANIFEST) if name != model.name)  # a companion or the .keras
    (tmp_path / gone).unlink()
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(blank_page(tmp_path)), "--model", str(model)),
                          gone, "missing")


@needs_model
def test_a_model_of_ones_own_without_a_manifest_runs(tmp_path) -> None:
    """No manifest: nothing to check against; a 10-way model without a companion would say its check is off."""
    from realtime.classifier import Classifier, CLASSES

    model = model_copy(tmp_path)
    result = run_cli("camera", "--headless", "--source", str(blank_page(tmp_path)), "--model", str(model))
    assert result.returncode == 0, result.stderr
    said = result.stderr.strip().splitlines()
    if Classifier(model)._runner.outputs == CLASSES:
        assert len(said) == 1 and said[0].startswith("warning: ") and "not a digit" in said[0], result.stderr
    else:  # its own "not a digit" output: nothing is off
        assert said == [], result.stderr


# --- --events against --source and --output; appending after a cut line ----------------------


def test_events_that_are_the_source_are_refused_and_the_source_kept(tmp_path) -> None:
    source = tmp_path / "clip.mp4"
    shutil.copy(CLIP, source)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.mp4").symlink_to(source)
    os.link(source, tmp_path / "hard.mp4")
    for events in (source, tmp_path / "sub" / ".." / "clip.mp4", tmp_path / "link.mp4", tmp_path / "hard.mp4"):
        result = run_cli("camera", "--headless", "--source", str(source), "--events", str(events))
        assert_one_line_error(result, "--events", "--source")
    assert source.read_bytes() == CLIP.read_bytes()


def test_events_that_are_the_output_are_refused_before_writing(tmp_path) -> None:
    out = tmp_path / "annotated.mp4"
    result = run_cli("camera", "--headless", "--source", str(CLIP), "--output", str(out), "--events", str(out))
    assert_one_line_error(result, "--events and --output are the same file")
    assert not out.exists() and not list(tmp_path.iterdir())


def test_appending_after_a_cut_last_line_starts_a_new_line(tmp_path) -> None:
    from realtime.reading import Reading

    path = tmp_path / "events.jsonl"
    path.write_text('{"frame": 1}\n{"frame": 2, "num')  # a line cut by an earlier crash
    log = EventLog(path, "camera")
    log.write(3, Reading([], {}))
    log.close()
    lines = path.read_text().split("\n")
    assert lines[0] == '{"frame": 1}' and lines[1] == '{"frame": 2, "num' and lines[-1] == ""
    assert json.loads(lines[2])["frame"] == 3


# --- 8. no X server ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [["draw"], ["camera", "--source", str(CLIP)]], ids=["draw", "camera"])
def test_a_display_with_no_x_server_is_one_line(mode) -> None:
    free = next(n for n in range(180, 400) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    assert_one_line_error(run_cli(*mode, env=environ(DISPLAY=f":{free}")), f"DISPLAY=:{free}")
    assert_one_line_error(run_cli(*mode, env=environ(WAYLAND_DISPLAY="wayland-0")), "Wayland")


# --- 10, 11, 12. odd sources, a closed pipe, noise -------------------------------------------


@pytest.mark.parametrize("source", ["2147483648", "99999999999999999999", "\u0663", "\u00b2"])
def test_odd_camera_indexes_are_one_line(source) -> None:
    assert_one_line_error(run_cli("camera", "--headless", "--source", source))


@pytest.mark.parametrize("source, said", [("", "empty --source"), ("\u0663", "the digits 0-9"),
                                          ("tests", "is a folder, not a video or image"),
                                          ("/dev/zero", "is a character device, not a video or image file"),
                                          ("/dev/null", "is a character device, not a video or image file")])
def test_odd_sources_say_what_is_wrong(source, said) -> None:
    assert_one_line_error(run_cli("camera", "--headless", "--source", source), said)


def test_a_fifo_or_an_empty_file_as_source_says_what_it_is(tmp_path) -> None:
    """A named pipe is refused for what it is, before anything opens it (opening it would wait for a
    writer forever); an empty file is named empty, not an undecodable image."""
    fifo = tmp_path / "frames.mp4"
    os.mkfifo(fifo)
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(fifo), timeout=60),
                          "is a FIFO (named pipe), not a video or image file")
    empty = tmp_path / "photo.jpg"
    empty.touch()
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(empty)), "is empty (0 bytes)")


def _page_of(number: str) -> np.ndarray:
    page = np.full((240, 320), 230, np.uint8)
    cv2.putText(page, number, (60, 180), cv2.FONT_HERSHEY_SIMPLEX, 5, 20, 14)
    return page


@needs_model
def test_a_file_is_read_as_an_image_or_a_video_by_its_content_not_its_name(tmp_path) -> None:
    """A PNG named .mp4 gets an image's summary (a number read), an MP4 named .jpg is played as a video."""
    image = tmp_path / "page.mp4"
    image.write_bytes(cv2.imencode(".png", _page_of("37"))[1].tobytes())
    result = run_cli("camera", "--headless", "--source", str(image))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert re.fullmatch(r"1 frame, \d+ digits? read, \d+ unsure, number read: .+\n", result.stdout), result.stdout
    video = tmp_path / "clip.jpg"
    video.write_bytes(CLIP.read_bytes())
    result = run_cli("camera", "--headless", "--source", str(video))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert re.fullmatch(r"90 frames, \d+ digits read, \d+ unsure, [\d.]+ fps\n", result.stdout), result.stdout


def _with_exif_orientation(jpeg: bytes, orientation: int) -> bytes:
    """A JPEG's bytes with an Exif APP1 segment holding only the Orientation tag (0x0112), as a
    phone writes it when it stores the sensor's pixels and says how to turn them for display."""
    tiff = (b"MM\x00\x2a\x00\x00\x00\x08" + b"\x00\x01"
            + b"\x01\x12\x00\x03\x00\x00\x00\x01" + orientation.to_bytes(2, "big") + b"\x00\x00"
            + b"\x00\x00\x00\x00")
    payload = b"Exif\x00\x00" + tiff
    return jpeg[:2] + b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload + jpeg[2:]


@needs_model
def test_a_phone_photo_is_read_the_way_its_exif_orientation_shows_it(tmp_path) -> None:
    """A phone stores a portrait photo's pixels sideways and an Exif Orientation of 6 ("turn 90
    degrees clockwise to show"): every viewer shows it upright, and so must the app read it."""
    page = cv2.imread(str(ROOT / "tests" / "data" / "pages" / "marker_00.jpg"))  # tests/test_pages.py reads it
    sideways = cv2.rotate(page, cv2.ROTATE_90_COUNTERCLOCKWISE)
    image = tmp_path / "phone.jpg"
    jpeg = cv2.imencode(".jpg", sideways, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    image.write_bytes(_with_exif_orientation(jpeg, 6))
    result = run_cli("camera", "--headless", "--source", str(image))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.endswith("number read: 966581 058914 255500\n"), result.stdout


def _damaged(data: bytes, how: str) -> bytes:
    """A JPEG's bytes damaged as files are: cut short, cut and closed with an end marker by a tool
    that 'repairs' it, or with a run of its entropy-coded data overwritten by stray markers."""
    middle = len(data) * 2 // 3
    if how == "cut short":
        return data[:middle]
    if how == "cut, end marker kept":
        return data[:middle] + b"\xff\xd9"
    return data[:middle] + b"\xff\xd0" * 100 + data[middle + 200:]


@needs_model
@pytest.mark.parametrize("how", ["cut short", "cut, end marker kept", "stray markers"])
def test_a_damaged_jpeg_is_read_with_one_warning_of_our_own(tmp_path, how) -> None:
    """libjpeg decodes what it can (grey below the damage) and says why on stderr in its own words,
    which the app silences: its reason comes back in one warning line, and the run goes on (exit 0).
    A JPEG cut short but ending in an end marker, or with stray markers inside, decoded silently."""
    image = tmp_path / "page.jpg"
    image.write_bytes(_damaged(cv2.imencode(".jpg", _page_of("37"))[1].tobytes(), how))
    events = tmp_path / "events.jsonl"
    result = run_cli("camera", "--headless", "--source", str(image), "--events", str(events))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"warning: image {image} is damaged ("), result.stderr
    assert "JPEG" in lines[0] and result.stdout.startswith("1 frame, "), (lines, result.stdout)
    # a script reading the events sees it too, in the decoder's words
    record = json.loads(events.read_text().splitlines()[0])
    assert "JPEG" in record["damaged"] and record["damaged"] in lines[0]


@needs_model
def test_digits_cut_by_a_jpegs_damage_are_shown_unsure(tmp_path) -> None:
    """A JPEG cut short through its digits: libjpeg decodes the blocks above the damage and fills
    the rest grey, and what is left of each digit above the fill was read as a digit (a fresh
    user's real photo cut short read "8261032750" for 8341032750). A digit reaching the fill is
    shown "?" (camera_app.doubt_cut_by_damage), so the row has no number."""
    page = np.full((240, 320), 180, np.uint8)  # paper in a photo's light: the grey fill is not a shadow to it
    cv2.putText(page, "37", (80, 160), cv2.FONT_HERSHEY_SIMPLEX, 3, 30, 6)  # ink from row 99 to 160
    data = cv2.imencode(".jpg", page)[1].tobytes()
    image = tmp_path / "page.jpg"
    for end in range(len(data) - 2, len(data) // 4, -50):  # the first cut (from the end) through the digits
        image.write_bytes(data[:end])
        with quiet_stderr():  # as the app reads it (imdecode gives up on a file cut short)
            decoded = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
        rows = None if decoded is None else decoded_rows(decoded)
        if rows is not None and 115 <= rows.min() <= 150:
            break
    else:
        pytest.fail("no cut of the JPEG's bytes ends its decoded part inside the digits")
    events = tmp_path / "events.jsonl"
    result = run_cli("camera", "--headless", "--source", str(image), "--events", str(events))
    assert result.returncode == 0 and "is damaged" in result.stderr, result.stderr
    record = json.loads(events.read_text().splitlines()[0])
    assert record["number"] is None, record
    assert "cut by the damage" in {d.get("reason") for d in record["digits"]}, record["digits"]


def test_decoded_rows_finds_the_decoders_fill_below_the_damage() -> None:
    """How far down each column decoded: the fill ends a band of blocks inside a row; an image
    without the fill at its end (or all fill) has none."""
    image = np.full((64, 48, 3), 200, np.uint8)
    image[40:] = 128
    image[32:40, 16:] = 128  # the last band of blocks decoded only in its first 16 columns
    assert decoded_rows(image).tolist() == [40] * 16 + [32] * 32
    assert decoded_rows(np.full((8, 8), 128, np.uint8)) is None
    assert decoded_rows(np.full((8, 8), 200, np.uint8) + np.eye(8, dtype=np.uint8)) is None


def test_an_image_with_nothing_decodable_is_one_line_with_the_decoders_reason(tmp_path) -> None:
    data = cv2.imencode(".jpg", _page_of("37"))[1].tobytes()
    image = tmp_path / "page.jpg"
    image.write_bytes(data[: data.index(b"\xff\xda")])  # the headers up to the scan (SOS), no image data
    line = assert_one_line_error(run_cli("camera", "--headless", "--source", str(image)),
                                 f"cannot read image {image}: not an image OpenCV can decode")
    assert line.endswith("(Premature end of JPEG file)"), line


def test_a_dangling_symlink_as_output_is_an_existing_file(tmp_path) -> None:
    link = tmp_path / "annotated.mp4"
    link.symlink_to(tmp_path / "elsewhere" / "video.mp4")
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(CLIP), "--output", str(link)),
                          "already exists", "--overwrite")
    assert link.is_symlink()


def test_a_url_is_named_as_a_stream() -> None:
    url = "rtsp://127.0.0.1:9/none"  # port 9 (discard): nothing listens, the connection is refused
    assert_one_line_error(run_cli("camera", "--headless", "--source", url), f"stream {url}")


@needs_model
def test_a_closed_pipe_for_the_summary_is_one_line(tmp_path) -> None:
    events = tmp_path / "events.jsonl"
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -0`: nobody reads
    try:
        result = subprocess.run(cli("camera", "--headless", "--source", str(CLIP), "--events", str(events)), cwd=ROOT,
                                stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120, env=environ(),
                                stdin=subprocess.DEVNULL)
    finally:
        os.close(write_end)
    assert_one_line_error(result, "standard output")
    assert len(whole_lines(events)) == 90


needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")


@needs_model
@needs_dev_full
def test_a_full_stdout_for_the_summary_is_one_line(tmp_path) -> None:
    events = tmp_path / "events.jsonl"
    with open("/dev/full", "w") as full:
        result = subprocess.run(cli("camera", "--headless", "--source", str(CLIP), "--events", str(events)), cwd=ROOT,
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, env=environ(),
                                stdin=subprocess.DEVNULL)
    assert_one_line_error(result, "standard output", "No space left on device")
    assert len(whole_lines(events)) == 90


@needs_dev_full
def test_help_that_cannot_be_written_is_one_line() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(cli("camera", "--help"), cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True,
                                timeout=60, env=environ(), stdin=subprocess.DEVNULL)
    assert_one_line_error(result, "standard output")


def test_a_closed_stdout_is_one_line_and_nothing_is_written(tmp_path) -> None:
    events = tmp_path / "events.jsonl"
    result = subprocess.run(["/bin/sh", "-c", '"$@" >&-', "sh", *cli("camera", "--headless", "--source", str(CLIP),
                                                                      "--events", str(events))],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True, timeout=60, env=environ(),
                            stdin=subprocess.DEVNULL)
    assert_one_line_error(result, "standard output is closed")
    assert not events.exists()


@needs_model
def test_a_closed_stderr_writes_nothing_into_the_events_on_stdout(tmp_path) -> None:
    """Warnings and the summary go to standard error; closed, they are lost, never written into
    the JSON lines on standard output (Python gives print(file=None) to stdout)."""
    damaged = tmp_path / "cut.jpg"  # a warning, then the summary
    damaged.write_bytes(_damaged(cv2.imencode(".jpg", _page_of("37"))[1].tobytes(), "cut short"))
    result = subprocess.run(["/bin/sh", "-c", '"$@" 2>&-', "sh", *cli("camera", "--headless", "--source", str(damaged),
                                                                       "--events", "-")],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=120, env=environ(),
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["frame"] == 0, result.stdout


@needs_model
@pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="the shipped .keras model is missing")
def test_keras_backend_prints_nothing_but_the_summary(tmp_path) -> None:
    image = tmp_path / "page.png"
    cv2.imwrite(str(image), np.full((60, 60), 200, np.uint8))
    result = run_cli("camera", "--headless", "--backend", "keras", "--source", str(image), timeout=240)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.count("\n") == 1


def test_an_option_error_is_one_line() -> None:
    assert_one_line_error(run_cli("camera", "--no-such-option"), "--no-such-option", "--help")
    assert_one_line_error(run_cli("draw", "--canvas-size", "big"), "--canvas-size")


@needs_model
def test_a_truncated_video_says_it_ended_early(tmp_path) -> None:
    broken = tmp_path / "cut.mp4"
    broken.write_bytes(CLIP.read_bytes()[: CLIP.stat().st_size // 2])
    result = run_cli("camera", "--headless", "--source", str(broken))
    assert result.returncode == 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: the video ended after") and "of its 90" in lines[0]


def test_a_frame_short_of_the_index_is_no_damage() -> None:
    from realtime.camera_app import ended_early

    assert not ended_early(128, 129)  # FFmpeg's AVI lists a dropped frame as an empty entry
    assert not ended_early(990, 1000)
    assert ended_early(45, 90) and ended_early(980, 1000) and ended_early(1, 3)


def test_an_output_under_a_file_is_refused_before_any_reading(tmp_path) -> None:
    events, blocker = tmp_path / "events.jsonl", tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    result = run_cli("camera", "--headless", "--source", str(CLIP), "--events", str(events),
                     "--output", str(blocker / "sub" / "out.mp4"))
    assert_one_line_error(result, "notes.txt is a file, not a folder")
    assert not events.exists() and blocker.read_text() == "a file, not a folder"


def test_draw_mode_shows_why_a_sample_was_not_saved(small_disk, monkeypatch) -> None:
    from realtime import overlay

    shown: list[str] = []
    real = overlay.draw_message

    def spy(image, lines, *args, **kwargs):
        shown.extend(lines)
        return real(image, lines, *args, **kwargs)

    monkeypatch.setattr(overlay, "draw_message", spy)
    deep = small_disk / "a-folder-with-a-rather-long-name" / "and-another-one-below-it"
    app = DrawApp(FixedPredictor(), DrawOptions(canvas_size=280, save_dir=deep))
    for event, x, y in [(cv2.EVENT_LBUTTONDOWN, 140, 60), (cv2.EVENT_MOUSEMOVE, 140, 220),
                        (cv2.EVENT_LBUTTONUP, 140, 220)]:
        app.on_mouse(event, x, y, cv2.EVENT_FLAG_LBUTTON)
    app.update(1.0)
    fill(small_disk)
    assert app.save_sample(7, 1.0) == []
    app.render(1.0)
    assert "No space left on device" in " ".join(shown), shown


def test_a_sample_is_saved_whole_or_not_at_all(small_disk) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (448, 448), dtype=np.uint8)  # ~200 KB as PNG
    fill(small_disk, leave=4096)  # room for the 28x28 input, not for its canvas
    paths, error = save_images(small_disk / "samples" / "7", "7",
                               {"-28x28": np.zeros((28, 28), np.uint8), "-canvas": noise})
    assert paths == [] and error is not None and "No space left on device" in error
    assert leftovers(small_disk) == []


# --- 13. public functions: ValueError that says what was expected ------------------------------


@pytest.mark.parametrize("call", [
    lambda: to_mnist("not an image"),
    lambda: find_digits(np.zeros((20, 20), object)),
    lambda: find_digits(np.zeros((20, 20), np.uint8), settings="canvas"),
    lambda: binarize(np.zeros((20, 20), np.float32)),
    lambda: binarize(np.zeros((20, 20), np.uint8), sensitivity=200),
    lambda: remove_lines(np.zeros((20, 20, 3), np.uint8)),
], ids=["to_mnist str", "find object", "find settings", "binarize float", "binarize sensitivity", "lines colour"])
def test_public_image_functions_raise_value_error(call) -> None:
    with pytest.raises(ValueError, match="expected"):
        call()


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix itself warns
def test_to_mnist_reads_a_numpy_matrix_as_an_image() -> None:
    digit = np.zeros((40, 40), np.uint8)
    digit[8:32, 18:24] = 255
    assert to_mnist(np.matrix(digit)).shape == (28, 28)


@needs_model
@pytest.mark.parametrize("images", [{}, np.full((1, 28, 28), object()), "x", None, [[1, 2], [3]]],
                         ids=["dict", "object", "str", "None", "ragged"])
def test_predict_raises_value_error(classifier, images) -> None:
    with pytest.raises(ValueError, match="expected"):
        classifier.predict(images)


# --- memory over a long run -------------------------------------------------------------------


@needs_model
def test_memory_stays_flat_over_a_9000_frame_clip() -> None:
    done = subprocess.run([sys.executable, "scripts/memory_check.py", "--quick"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "9000 frames" in done.stdout


@pytest.mark.parametrize("threshold", [-1.0, 0.0])
def test_a_typicality_threshold_out_of_range_is_refused_at_load(tmp_path, threshold) -> None:
    from realtime.errors import UserError
    from realtime.typicality import Typicality

    path = tmp_path / "digits_typical.npz"
    Typicality(np.zeros((10, 784)), np.zeros((10, 2, 784)), threshold).save(path)
    with pytest.raises(UserError, match="positive distance"):
        Typicality.load(path)


def test_a_partial_video_left_by_sigkill_is_removed_by_the_next_run(tmp_path: Path) -> None:
    """SIGKILL leaves no chance to clean up: the next writer of the same file removes the orphan,
    while a live writer's partial file stays."""
    target = tmp_path / "out.mp4"
    writer = (
        "import sys, numpy as np\n"
        "from realtime.videofile import VideoFile\n"
        f"video = VideoFile({str(target)!r}, 10.0, (64, 48))\n"
        "video.write(np.zeros((48, 64, 3), np.uint8))\n"
        "print('writing', flush=True)\n"
        "sys.stdin.read()\n"
    )
    child = subprocess.Popen([sys.executable, "-c", writer], cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    live = subprocess.Popen([sys.executable, "-c", writer], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout.readline().strip() == "writing" and live.stdout.readline().strip() == "writing"
        orphan = tmp_path / f".out.mp4.{child.pid}.part"
        assert orphan.exists()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        from realtime.videofile import VideoFile

        video = VideoFile(target, 10.0, (64, 48))
        video.write(np.zeros((48, 64, 3), np.uint8))
        video.finish()
        assert not orphan.exists() and target.exists()
        assert (tmp_path / f".out.mp4.{live.pid}.part").exists()  # still being written
    finally:
        for process in (child, live):
            process.kill()
            process.wait(timeout=30)
