"""Draw mode: a canvas you draw on with the mouse, read live, with bars and the 28x28 previews.

`DrawApp` holds the whole behaviour (mouse, keys, throttled reading, rendering) with no window,
so tests drive it headless; `run` is the thin loop that connects it to a real window.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from realtime import overlay
from realtime.canvas import Canvas
from realtime.events import EventLog
from realtime.files import save_images
from realtime.reading import Predictor, Reading, read_binary
from realtime.segment import CANVAS_SETTINGS

PANEL_WIDTH = 330
MIN_HEIGHT = 560
READ_INTERVAL = 0.05  # seconds: at most ~20 readings a second while a stroke is drawn
MESSAGE_SECONDS = 3.0
HELP = [
    "Draw with the left mouse button, erase with the right",
    "c  clear              u  undo last stroke",
    "e  eraser on/off      + / -  brush size",
    "s  save a screenshot of the window",
    "0-9  label the drawing and save it as a sample",
    "click a preview: show that digit's bars",
    "h  this help          q / Esc  quit",
]


@dataclass
class DrawOptions:
    canvas_size: int = 448
    save_dir: Path = Path("saved")


class DrawApp:
    """Draw-mode state machine: feed it mouse events, keys and clock ticks; ask it for a picture."""

    def __init__(self, model: Predictor, options: DrawOptions, events: EventLog | None = None) -> None:
        self.model = model
        self.options = options
        self.canvas = Canvas(options.canvas_size)
        self.events = events or EventLog(None, "draw")
        self.reading = Reading([], {})
        self.selected: int | None = None
        self.show_help = False
        self.frame = 0
        self.latency_ms = 0.0
        self._message = ("", 0.0)
        self._read_version = self.canvas.version
        self._last_read = 0.0
        self._read_now = False
        self.height = max(options.canvas_size, MIN_HEIGHT)
        self.width = options.canvas_size + PANEL_WIDTH
        self._panel_x = options.canvas_size + 16
        self._preview_y = 356

    # -- input --------------------------------------------------------------------------
    def on_mouse(self, event: int, x: int, y: int, flags: int) -> None:
        outside = x >= self.canvas.size or y >= self.canvas.size
        if outside and event in (cv2.EVENT_LBUTTONDOWN, cv2.EVENT_RBUTTONDOWN) and not self.canvas.drawing:
            if event == cv2.EVENT_LBUTTONDOWN:
                self._select_preview(x, y)
            return
        if self.canvas.handle_mouse(event, x, y, flags):
            self._read_now = True  # a stroke ended: read at once, whatever the throttle says

    def on_key(self, key: int, now: float | None = None) -> bool:
        """Handle one key; False means quit."""
        now = time.monotonic() if now is None else now
        char = chr(key) if 0 <= key < 256 else ""
        if key == 27 or char == "q":
            return False
        if char == "c":
            self.canvas.clear()
        elif char == "u":
            self.canvas.undo()
        elif char == "e":
            self.canvas.eraser = not self.canvas.eraser
            self._say(f"eraser {'on' if self.canvas.eraser else 'off'}", now)
        elif char in "+=":
            self.canvas.resize_brush(+2)
            self._say(f"brush {self.canvas.brush} px", now)
        elif char in "-_":
            self.canvas.resize_brush(-2)
            self._say(f"brush {self.canvas.brush} px", now)
        elif char == "h":
            self.show_help = not self.show_help
        elif char == "s":
            self.screenshot(now)
        elif char.isdigit():
            self.save_sample(int(char), now)
        return True

    # -- reading ------------------------------------------------------------------------
    def update(self, now: float) -> bool:
        """Read the canvas if it changed and the throttle allows; True if a new reading was made."""
        if self.canvas.version == self._read_version:
            return False
        if not self._read_now and now - self._last_read < READ_INTERVAL:
            return False
        started = time.perf_counter()
        if self.canvas.empty:
            self.reading = Reading([], {})
        else:
            self.reading = read_binary(self.canvas.image > 127, self.model, CANVAS_SETTINGS)
        self.latency_ms = (time.perf_counter() - started) * 1e3
        self._read_version = self.canvas.version
        self._last_read = now
        self._read_now = False
        if self.selected is not None and self.selected >= len(self.reading.digits):
            self.selected = None
        self.events.write(self.frame, self.reading, latency_ms=round(self.latency_ms, 3))
        self.frame += 1
        return True

    # -- saving -------------------------------------------------------------------------
    def save_sample(self, label: int, now: float) -> list[Path]:
        """Save the drawing labelled `label`: its 28x28 input and the full canvas."""
        read = self.reading.read
        if len(read) == 1:
            chosen = read[0]
        elif self.selected is not None:
            chosen = self.reading.digits[self.selected]
        else:
            self._say("draw one digit (or click its preview) to save a sample", now)
            return []
        images = {"-28x28": (chosen.image * 255).astype(np.uint8), "-canvas": self.canvas.image}
        folder = self.options.save_dir / "samples" / str(label)
        paths, error = save_images(folder, str(label), images)
        self._say(error or f"saved sample '{label}' ({paths[0].name})", now)
        return paths

    def screenshot(self, now: float) -> list[Path]:
        paths, error = save_images(self.options.save_dir / "screenshots", "window", {"": self.render(now)})
        self._say(error or f"saved {paths[0]}", now)
        return paths

    # -- output -------------------------------------------------------------------------
    def render(self, now: float | None = None) -> np.ndarray:
        now = time.monotonic() if now is None else now
        image = np.full((self.height, self.width, 3), overlay.PANEL_BG, np.uint8)
        size = self.canvas.size
        image[:size, :size] = self.canvas.image[:, :, None]
        overlay.draw_boxes(image[:size, :size], self.reading, self.selected)
        if self.canvas.empty and not self.canvas.drawing:
            hint = "draw a digit here"
            (tw, _), _ = cv2.getTextSize(hint, overlay.FONT, 0.7, 1)
            overlay.put_text(image, hint, (max(2, (size - tw) // 2), size // 2), 0.7, overlay.GREY)
        self._draw_panel(image, self._panel_x, now)
        if self.show_help:
            overlay.draw_help(image, HELP)
        return image

    def _draw_panel(self, image: np.ndarray, x0: int, now: float) -> None:
        width = PANEL_WIDTH - 28
        number = self.reading.lines
        result = overlay.selected_result(self.reading, self.selected)
        if not self.reading.digits:
            headline, color = "draw a digit", overlay.GREY
        elif not number:
            headline, color = "no digit", overlay.GREY
        else:
            headline = " ".join(number)
            unsure = result is not None and result.digit is None
            color = overlay.ORANGE if "?" in headline else overlay.GREEN
            if unsure and len(self.reading.read) == 1:
                headline = f"? ({result.confidence:.0%})"
        scale = 1.6 if len(headline) <= 8 else 0.9
        overlay.put_text(image, headline, (x0, 56), scale, color, 3)
        overlay.put_text(image, "probabilities" + (f" of '{result.label}'" if result else ""), (x0, 92), 0.5)
        overlay.draw_bars(image, result.probs if result else None, (x0, 102), (width, 220))
        overlay.put_text(image, "what the model sees (28x28)", (x0, 346), 0.5)
        clicked = result if self.selected is not None else None
        overlay.draw_previews(image, self.reading.read, (x0, self._preview_y), self._preview_cell(), width, clicked)
        status = f"read in {self.latency_ms:.1f} ms | brush {self.canvas.brush}"
        status += " | eraser" if self.canvas.eraser else ""
        overlay.put_text(image, status, (x0, self.height - 40), 0.45, overlay.GREY)
        message = self._message[0] if now < self._message[1] else "h: help   q: quit"
        overlay.put_text(image, message[:48], (x0, self.height - 16), 0.45, overlay.WHITE)

    def _preview_cell(self) -> int:
        """84 px tiles (3x) for up to three digits, smaller ones so that a long number fits."""
        count = max(1, len(self.reading.read))
        return 84 if count <= 3 else max(28, (PANEL_WIDTH - 28) // count - 4)

    def _select_preview(self, x: int, y: int) -> None:
        cell = self._preview_cell()
        if not (self._preview_y <= y < self._preview_y + cell) or x < self._panel_x:
            return
        slot = (x - self._panel_x) // (cell + 4)
        read = self.reading.read
        if slot < len(read):
            self.selected = self.reading.digits.index(read[slot])

    def _say(self, text: str, now: float) -> None:
        self._message = (text, now + MESSAGE_SECONDS)


def run(model: Predictor, options: DrawOptions, events: EventLog) -> int:
    """The draw-mode event loop on a real window; returns the exit code."""
    from realtime.window import Window

    app = DrawApp(model, options, events)
    window = Window(on_mouse=app.on_mouse)
    try:
        while True:
            now = time.monotonic()
            app.update(now)
            window.show(app.render(now))
            key = window.poll_key(10)
            if key != -1 and not app.on_key(key, now):
                break
            if not window.is_open():
                break
    finally:
        window.close()
    return 0
