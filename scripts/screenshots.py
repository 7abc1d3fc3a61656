"""Screenshots of both modes for the README, grabbed from real windows on a virtual X display.

    python scripts/screenshots.py                    # writes docs/screenshots/*.png
    python scripts/screenshots.py --out /tmp/shots

Draw mode: "42" from the stroke set drawn with real pointer drags (xdotool), then the same with
the help shown. Camera mode: test clip 0 played and paused on a frame. Needs Xvfb, xdotool,
ffmpeg and the shipped model; what X shows is grabbed with ffmpeg's x11grab, so these are the
pixels a user sees, window manager aside.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xsession import ROOT, AppWindow, Xvfb  # noqa: E402  (scripts/ is on sys.path)

sys.path.insert(0, str(ROOT))
from realtime.errors import run_main  # noqa: E402

CANVAS = 448
CLIP = ROOT / "tests" / "data" / "camera" / "clip_00.mp4"


def drawing(hand: str, label: str, canvas: int = CANVAS) -> list[list[tuple[int, int]]]:
    """The strokes of the stroke set's number `label` in `hand`, in canvas pixels, every other point."""
    samples = json.loads((ROOT / "tests" / "data" / "strokes" / f"{hand}.json").read_text(encoding="utf-8"))
    sample = next(s for s in samples["samples"] if s["kind"] == "number" and s["label"] == label)
    strokes = []
    for stroke in sample["strokes"]:
        points = [(round(x * (canvas - 1)), round(y * (canvas - 1))) for x, y in stroke]
        strokes.append(points[:-1:2] + points[-1:] if len(points) > 2 else points)
    return strokes


def grab_until(app: AppWindow, path: Path, good, what: str, timeout: float = 30.0) -> None:
    """Grab the window into `path` until good(image) holds (a freshly mapped window is black a moment)."""
    def check() -> bool:
        app.grab(path)
        image = cv2.imread(str(path))
        return image is not None and bool(good(image))

    app.wait_for(what, check, timeout)


def grab_painted(app: AppWindow, path: Path) -> None:
    grab_until(app, path, lambda image: image.mean() > 5, f"a painted window for {path.name}")


def key_and_grab(app: AppWindow, key: str, path: Path, before: np.ndarray, tries: int = 3) -> None:
    """Press `key`, then grab the window into `path` until it shows something other than `before`.

    The key is sent again if nothing changed within 10 s: X may drop a synthetic key event sent
    to a window without focus (there is no window manager on Xvfb).
    """
    def changed(image: np.ndarray) -> bool:
        return image.shape != before.shape or bool(np.any(image != before))

    for attempt in range(tries):
        app.key(key)
        try:
            grab_until(app, path, changed, f"the window to change after '{key}' for {path.name}", timeout=10)
            return
        except RuntimeError:
            if attempt + 1 == tries:
                raise


def draw_mode(display: str, out: Path, tmp: Path) -> list[Path]:
    app = AppWindow(display, ["draw", "--canvas-size", str(CANVAS), "--save-dir", str(tmp / "saved")],
                    tmp / "draw.log", tmp / "draw.jsonl")
    try:
        for stroke in drawing("print", "42"):
            app.drag(stroke)
        reading = app.settle(-1, "the reading of 42")
        grab_painted(app, out / "draw.png")
        key_and_grab(app, "h", out / "draw-help.png", cv2.imread(str(out / "draw.png")))
        app.key("q")
        app.wait_for("the app to quit", lambda: app.app.poll() is not None)
    finally:
        app.close()
    print(f"draw mode read {reading['number']!r}")
    return [out / "draw.png", out / "draw-help.png"]


def camera_mode(display: str, out: Path, tmp: Path) -> list[Path]:
    app = AppWindow(display, ["camera", "--source", str(CLIP), "--save-dir", str(tmp / "saved")],
                    tmp / "camera.log", tmp / "camera.jsonl")
    try:
        app.wait_for("40 frames read", lambda: len(app.readings()) >= 40, timeout=60)
        app.key("space")
        reading = app.settle(30, "the paused frame")
        grab_painted(app, out / "camera.png")
        app.key("q")
        app.wait_for("the app to quit", lambda: app.app.poll() is not None)
    finally:
        app.close()
    print(f"camera mode paused on frame {reading['frame']}: {reading['number']!r}")
    return [out / "camera.png"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with Xvfb() as x, tempfile.TemporaryDirectory() as tmp:
        paths = draw_mode(x.display, args.out, Path(tmp)) + camera_mode(x.display, args.out, Path(tmp))
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    run_main(main)
