"""Draw mode in a real X window for the end-to-end tests: one way to start it, ready for input.

The `draw_session` fixture (conftest.py) gives each test a fresh Xvfb server and `python -m realtime
draw` on it (scripts/xsession.py), started the one way every end-to-end test of draw mode starts
it: the window found and at the size of the app's image before the test's first stroke (X maps it
smaller first). A timeout fails the test with what is needed to tell why: the app's last events, every mouse event Qt received from X (did
the stroke reach the app?) and where each of the app's threads was (was it stuck?).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHIPPED_MODEL
from realtime.layout import DrawLayout

sys.path.insert(0, str(ROOT / "scripts"))
from xsession import AppWindow  # noqa: E402  (scripts/xsession.py)

CANVAS = 448
BRUSH = 20  # realtime.canvas.default_brush(448)
WINDOW_SIZE = (DrawLayout.for_canvas(CANVAS).width, DrawLayout.for_canvas(CANVAS).height)
WAIT = 60.0  # seconds for the app to react to one action: only a limit, reached only on failure
TOOLS = {name: shutil.which(name) for name in ("Xvfb", "xdotool")}


def missing() -> str | None:
    """Why draw mode cannot run end to end here (a tool or the model missing), or None."""
    absent = [name for name, path in TOOLS.items() if path is None]
    if absent:
        return (f"end-to-end window tests need Xvfb and xdotool on PATH ({', '.join(absent)} missing); "
                "e.g. apt-get install xvfb xdotool")
    if not SHIPPED_MODEL.is_file():
        return f"the shipped model {SHIPPED_MODEL} is missing: the app needs a model to read"
    return None


class DrawSession(AppWindow):
    """Draw mode on `display`, ready for input, and xdotool to drive it; a timeout fails the test."""

    def __init__(self, display: str, tmp: Path) -> None:
        self.save = tmp / "saved"
        # The window is exactly the app's image: AUTOSIZE | GUI_NORMAL, no toolbar, no status bar. If it
        # never is WINDOW_SIZE, Qt adds or scales something, so window and image pixels differ.
        super().__init__(display, ["draw", "--save-dir", str(self.save), "--model", str(SHIPPED_MODEL),
                                   "--canvas-size", str(CANVAS)], tmp / "app.log", tmp / "events.jsonl",
                         size=WINDOW_SIZE, trace_input=True)

    def lines(self) -> list[dict]:
        return self.readings()

    def wait_for(self, what: str, check, timeout: float = WAIT):
        try:
            return super().wait_for(what, check, timeout)
        except RuntimeError:
            code = self.app.poll()
            last = [(e["frame"], e["number"], [d["box"] for d in e["digits"]]) for e in self.lines()[-3:]]
            self.dump_threads()
            pytest.fail(f"timed out waiting for {what}; app exit code {code}; last events {last}; the app's log "
                        f"(Qt's mouse events, then its threads' stacks if it was still running):\n{self.output(8000)}")

    def reading(self, after_frame: int, what: str, check) -> dict:
        """The first reading after `after_frame` for which check(event) holds: the state the test is
        about to check, whatever readings the app made on the way (it reads while a stroke is drawn)."""
        return self.wait_for(what, lambda: next(
            (e for e in self.lines() if e["frame"] > after_frame and check(e)), None))

    def last_frame(self) -> int:
        lines = self.lines()
        return lines[-1]["frame"] if lines else -1


def reaches(event: dict, point: tuple[int, int], side: str) -> bool:
    """Whether the ink of some digit in `event` reaches `point` on its `side` ("bottom", "right")."""
    half = BRUSH // 2 - 1
    for x, y, w, h in (d["box"] for d in event["digits"]):
        if side == "bottom" and y + h - 1 >= point[1] + half and x <= point[0] < x + w:
            return True
        if side == "right" and x + w - 1 >= point[0] + half and y <= point[1] < y + h:
            return True
    return False
