"""What an open window costs: CPU of the real app on a virtual X display, idle and busy.

    python scripts/idle_cpu.py            # ~1 min; prints a Markdown table
    python scripts/idle_cpu.py --seconds 10

Each row starts the app under Xvfb, brings it to a state and measures the share of one core the
process uses over `--seconds` (user + system time from /proc). Draw mode idle is a window showing
a read "42" that nobody touches; busy is the same window while a stroke is drawn without pause.
Camera mode: paused on a video, at the end of a video, and a still image, each left alone; playing
a video (the pipeline at full speed) is the busy figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import CLIP, drawing  # noqa: E402  (scripts/ is on sys.path)
from xsession import ROOT, AppWindow, Xvfb  # noqa: E402

sys.path.insert(0, str(ROOT))
from realtime.errors import run_main  # noqa: E402


def zigzag(canvas: int, points: int) -> list[tuple[int, int]]:
    """A long stroke back and forth across the canvas: `points` pointer moves."""
    return [(20 + (k * 37) % (canvas - 40), 20 + (k * 11) % (canvas - 40)) for k in range(points)]


def draw_figures(display: str, tmp: Path, seconds: float) -> dict[str, float]:
    """Draw mode: (idle %, busy %) of one core."""
    app = AppWindow(display, ["draw", "--save-dir", str(tmp / "saved")], tmp / "draw.log", tmp / "draw.jsonl")
    try:
        for stroke in drawing("print", "42"):
            app.drag(stroke)
        app.settle(-1, "the reading of 42")
        idle = app.cpu_percent(seconds)
        cpu, start = app.cpu_seconds(), time.monotonic()
        app.drag(zigzag(448, int(seconds / 0.012)))
        busy = 100 * (app.cpu_seconds() - cpu) / (time.monotonic() - start)
    finally:
        app.close()
    return {"draw mode, idle (a read number on screen)": idle, "draw mode, drawing a stroke": busy}


def camera_figures(display: str, tmp: Path, seconds: float) -> dict[str, float]:
    figures = {}
    app = AppWindow(display, ["camera", "--source", str(CLIP)], tmp / "camera.log", tmp / "camera.jsonl")
    try:
        app.wait_for("10 frames read", lambda: len(app.readings()) >= 10, timeout=60)
        figures["camera mode, playing a video"] = app.cpu_percent(min(seconds, 1.5))
        app.key("space")
        app.settle(5, "the paused frame")
        figures["camera mode, paused"] = app.cpu_percent(seconds)
        app.key("space")
        frames = app.wait_for("the end of the video", lambda: len(app.readings()) >= 90 and len(app.readings()))
        app.settle(frames - 2, "the end of the video")
        figures["camera mode, end of video"] = app.cpu_percent(seconds)
    finally:
        app.close()
    still = tmp / "page.png"
    capture = cv2.VideoCapture(str(CLIP))
    ok, frame = capture.read()
    capture.release()
    cv2.imwrite(str(still), frame)
    app = AppWindow(display, ["camera", "--source", str(still)], tmp / "still.log", tmp / "still.jsonl")
    try:
        app.settle(-1, "the image's reading")
        figures["camera mode, still image"] = app.cpu_percent(seconds)
    finally:
        app.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measurement (default 5)")
    args = parser.parse_args()
    with Xvfb() as x, tempfile.TemporaryDirectory() as tmp:
        figures = draw_figures(x.display, Path(tmp), args.seconds) | camera_figures(x.display, Path(tmp), args.seconds)
    print(f"| state (measured over {args.seconds:g} s) | CPU, % of one core |\n|---|---|")
    for state, percent in figures.items():
        print(f"| {state} | {percent:.1f} |")
    return 0


if __name__ == "__main__":
    run_main(main)
