"""Draw mode: a canvas you draw on with the mouse, read live, with bars and the 28x28 previews.

`DrawApp` holds the whole behaviour (mouse, keys, throttled reading, rendering) with no window,
so tests drive it headless; `run` is the thin loop that connects it to a real window.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from realtime import overlay
from realtime.canvas import MAX_BRUSH, MIN_BRUSH, Canvas
from realtime.events import EventLog, EventLogError
from realtime.layout import CAPTION_TOP, DrawLayout, label_at, text_extent, wrap
from realtime.files import save_images
from realtime.lifecycle import ExitHook, StopSignals
from realtime.reading import Predictor, Reading, read_binary
from realtime.segment import CANVAS_SETTINGS
from realtime.strokes import read_strokes

if TYPE_CHECKING:
    from realtime.window import Window

IDLE_WAIT_MS = 40  # nothing drawn, nothing due: look for input 25 times a second, asleep in between
READ_INTERVAL = 0.05  # seconds: at most ~20 readings a second while a stroke is drawn
#: While a stroke is drawn, reading takes at most this share of the time: a slow reading (a loaded
#: machine, many strokes) is made less often, so the loop keeps running the GUI. Qt merges the mouse
#: moves that queue up while the loop is away from waitKey into the last one (its high-frequency event
#: compression), which turned a fast stroke's curves into chords.
READ_SHARE = 0.2
MAX_READ_INTERVAL = 0.25  # seconds: however slow a reading, at least 4 readings a second while drawing
HELP = [
    "Draw with the left mouse button, erase with the right",
    "c  clear              u  undo (a stroke, a clear)",
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

    def __init__(self, model: Predictor, options: DrawOptions, events: EventLog | None = None,
                 timer: Callable[[], float] = time.perf_counter) -> None:
        """`timer` (seconds) measures how long a reading takes, which sets how often readings are made
        while drawing (`read_interval`); tests give one that does not depend on the machine's load."""
        self.model = model
        self._timer = timer
        self.options = options
        self.canvas = Canvas(options.canvas_size)
        self.events = events or EventLog(None, "draw")
        self.reading = Reading([], {})
        self.selected: int | None = None
        self.show_help = False
        self.frame = 0
        self.unlogged: list[EventLogError] = []  # readings the events log could not take; said at quit
        self.latency_ms = 0.0
        self._message = ("", 0.0, False)  # text, when it is gone, whether it reports an error
        self._read_version = self.canvas.version
        self._last_read = 0.0
        self._read_now = False
        self._memo: dict = {}  # the stroke lattice's readings by ink, kept from one reading to the next
        self.layout = DrawLayout.for_canvas(options.canvas_size)
        self.height, self.width = self.layout.height, self.layout.width
        self._panel_x = self.layout.panel_x
        self._preview_y = self.layout.previews_y
        # The window's empty picture, made once: filling it afresh took half of each render (2 ms of 4).
        self._background = np.full((self.layout.height, self.layout.width, 3), overlay.PANEL_BG, np.uint8)

    # -- input --------------------------------------------------------------------------
    def on_mouse(self, event: int, x: int, y: int, flags: int) -> None:
        outside = x >= self.canvas.size or y >= self.canvas.size
        if outside and event in (cv2.EVENT_LBUTTONDOWN, cv2.EVENT_RBUTTONDOWN) and not self.canvas.drawing:
            if event == cv2.EVENT_LBUTTONDOWN:
                self._select_preview(x, y)
            return
        if event in (cv2.EVENT_LBUTTONDOWN, cv2.EVENT_RBUTTONDOWN):
            self.selected = None  # a new stroke: the bars follow the digit being drawn again
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
        elif char in "+=-_":
            self.canvas.resize_brush(+2 if char in "+=" else -2)
            limit = {MIN_BRUSH: " (its smallest)", MAX_BRUSH: " (its largest)"}.get(self.canvas.brush, "")
            self._say(f"brush {self.canvas.brush} px{limit}", now)
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
        if not self._read_now and now - self._last_read < read_interval(self.latency_ms / 1e3):
            return False
        started = self._timer()
        if self.canvas.empty:
            self.reading = Reading([], {})
            self._memo.clear()  # nothing drawn is left to remember
        elif self.canvas.strokes:  # segmented by recognition over the strokes: touching digits too
            self.reading = read_strokes(self.canvas.strokes, self.canvas.image > 127, self.model, CANVAS_SETTINGS,
                                        memo=self._memo)
        else:  # ink without a stroke history: the component finder
            self.reading = read_binary(self.canvas.image > 127, self.model, CANVAS_SETTINGS)
        self.latency_ms = (self._timer() - started) * 1e3
        self._read_version = self.canvas.version
        self._last_read = now
        self._read_now = False
        if self.selected is not None and self.selected >= len(self.reading.digits):
            self.selected = None
        try:
            self.events.write(self.frame, self.reading, latency_ms=round(self.latency_ms, 3))
        except EventLogError as exc:  # the drawing matters more than its log: say so, keep going
            self.unlogged.append(exc)
            self._say(str(exc), now, error=True)
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
        self._say(error or f"saved sample '{label}' ({paths[0].name})", now, error=bool(error))
        return paths

    def screenshot(self, now: float) -> list[Path]:
        paths, error = save_images(self.options.save_dir / "screenshots", "window", {"": self.render(now)})
        self._say(error or f"saved {paths[0]}", now, error=bool(error))
        return paths

    # -- output -------------------------------------------------------------------------
    def shown_index(self) -> tuple[int | None, str]:
        """The digit whose bars are shown and why: the clicked preview, else the digit drawn last.

        The digit drawn last is the one whose box holds most of the last stroke's points (an
        eraser stroke counts too: the digit it changed, "last erased"); when no digit holds any
        (the stroke was erased, or erased a digit away), the last in reading order, and says so.
        """
        read = [i for i, d in enumerate(self.reading.digits) if d.probs is not None]
        if not read:
            return None, ""
        if self.selected in read:
            return self.selected, "clicked"
        hint = " (click a preview for another)"
        if not self.canvas.strokes:
            return read[-1], "last in order" + hint
        stroke = self.canvas.strokes[-1]
        points = np.asarray(stroke.points)

        def held(index: int) -> int:
            x, y, w, h = self.reading.digits[index].box
            inside = (points[:, 0] >= x) & (points[:, 0] < x + w) & (points[:, 1] >= y) & (points[:, 1] < y + h)
            return int(inside.sum())

        best = max(reversed(read), key=held)  # ties: the later digit
        if not held(best):
            return best, "last in order" + hint
        return best, ("last erased" if stroke.erase else "last drawn") + hint

    def view_key(self, now: float) -> tuple:
        """Everything the picture depends on: while it stays equal, the window need not be redrawn."""
        return (self.canvas.version, self.canvas.drawing, self.frame, self.selected, self.show_help,
                self.canvas.eraser, self.canvas.brush, self._message[0],
                round(overlay.message_alpha(self._message[1], now), 1))

    def busy(self) -> bool:
        """True while a stroke is being drawn or a reading is due: the loop must not doze."""
        return self.canvas.drawing or self.canvas.version != self._read_version

    def render(self, now: float | None = None) -> np.ndarray:
        now = time.monotonic() if now is None else now
        layout = self.layout
        image = self._background.copy()
        size = self.canvas.size
        cv2.cvtColor(self.canvas.image, cv2.COLOR_GRAY2BGR, dst=image[:size, :size])
        shown, rule = self.shown_index()
        overlay.draw_boxes(image[:size, :size], self.reading, shown)
        labels = overlay.annotate(image[:size, :size], self.reading, line_tags=False)
        overlay.annotate_rejected(image[:size, :size], self.reading, [label.rect for label in labels])
        if self.canvas.empty and not self.canvas.drawing:
            hint = "draw a digit here"
            scale = 0.7
            while scale > 0.3 and text_extent(hint, scale)[0] > size - 8:
                scale -= 0.1
            (tw, _, _) = text_extent(hint, scale)
            overlay.put_text(image, hint, (max(2, (size - tw) // 2), size // 2), scale, overlay.GREY)
        self._draw_panel(image, shown, rule)
        self._draw_footer(image, now)
        if self.show_help:  # over the canvas if it is legible there, else over the panel: never across both
            regions = [(0, 0, size, size), (size, 0, layout.width - size, layout.height)]
            region = next((r for r in regions if overlay.help_box(HELP, r)[1] >= 0.4), regions[1])
            overlay.draw_help(image, HELP, region)
        return image

    def _draw_panel(self, image: np.ndarray, shown: int | None, rule: str) -> None:
        layout = self.layout
        x0, width = layout.panel_x, layout.panel_w
        number = self.reading.lines
        if not self.reading.digits:
            headline, color = "draw a digit", overlay.GREY
        elif not number:
            headline, color = "no digit", overlay.GREY
        else:
            headline = " ".join(number)
            color = overlay.ORANGE if "?" in headline else overlay.GREEN
        scale = 1.6
        while scale > 0.5 and text_extent(headline, scale, 3)[0] > width:
            scale -= 0.1
        overlay.put_text(image, headline, (x0, 52), scale, color, 3)
        caption: list[str] = []
        result = self.reading.digits[shown] if shown is not None else None
        if result is not None:
            caption = overlay.bars_caption(self.reading, shown, rule)
            reason = overlay.doubt(result)
            caption += [reason] if reason else []
        y = CAPTION_TOP
        for i, text in enumerate(caption[:3]):
            scale = 0.5 if i == 0 else 0.42
            line = wrap(text, width, scale, max_lines=1)[0]
            label = label_at(line, x0 - 2, y, scale)
            overlay.draw_label(image, label, overlay.ORANGE if i == 2 else overlay.WHITE)
            y += label.rect[3]
        bx, by, bw, bh = layout.bars
        overlay.draw_bars(image, result.probs if result else None, (bx, by), (bw, bh))
        overlay.put_text(image, "what the model sees (28x28)", (x0, layout.previews_caption_y), 0.45)
        clicked = result if self.selected is not None else None
        overlay.draw_previews(image, self.reading.read, (x0, self._preview_y), self._preview_cell(), width, clicked)

    def _draw_footer(self, image: np.ndarray, now: float) -> None:
        """The status line, and under it the last message, wrapped to fit and fading away."""
        x, y, width, _ = self.layout.footer
        cv2.line(image, (0, y - 1), (self.layout.width - 1, y - 1), overlay.BAR_BG, 1)  # under canvas and panel
        status = f"read in {self.latency_ms:.1f} ms | brush {self.canvas.brush}"
        status += " | eraser" if self.canvas.eraser else ""
        status_label = label_at(wrap(status, width, 0.45, max_lines=1)[0], x - 2, y, 0.45)
        overlay.draw_label(image, status_label, overlay.GREY)
        top = (x - 2, status_label.rect[1] + status_label.rect[3])
        alpha = overlay.message_alpha(self._message[1], now)
        if alpha > 0:
            color = overlay.RED if self._message[2] else overlay.WHITE
            overlay.draw_message(image, wrap(self._message[0], width, 0.45), top, 0.45, alpha, color=color)
        else:
            overlay.draw_message(image, ["h: help   q: quit"], top, 0.45, 1.0)

    def _preview_cell(self) -> int:
        """Full tiles for up to three digits, smaller ones so that a long number fits."""
        count = max(1, len(self.reading.read))
        cell = self.layout.cell
        return cell if count * (cell + 4) <= self.layout.panel_w + 4 else max(20, self.layout.panel_w // count - 4)

    def _select_preview(self, x: int, y: int) -> None:
        cell = self._preview_cell()
        if not (self._preview_y <= y < self._preview_y + cell) or x < self._panel_x:
            return
        slot = (x - self._panel_x) // (cell + 4)
        read = self.reading.read
        if slot < len(read):
            self.selected = self.reading.digits.index(read[slot])

    def _say(self, text: str, now: float, error: bool = False) -> None:
        self._message = (text, now + overlay.MESSAGE_SECONDS, error)

    def lost_readings(self) -> EventLogError | None:
        """What to end the run with if readings went unlogged: the log is data, its loss is an error."""
        if not self.unlogged:
            return None
        return EventLogError(f"{len(self.unlogged)} reading(s) were not written to the events log; "
                             f"the last because: {self.unlogged[-1]}")


def read_interval(latency: float) -> float:
    """Seconds between two readings while a stroke is drawn, after a reading that took `latency` s:
    READ_INTERVAL, longer when a reading is slow so that reading takes at most READ_SHARE of the
    time, never over MAX_READ_INTERVAL (the live reading stays live). A stroke's end is read at once."""
    return min(MAX_READ_INTERVAL, max(READ_INTERVAL, latency / READ_SHARE))


def run(model: Predictor, options: DrawOptions, events: EventLog) -> int:
    """The draw-mode event loop on a real window; returns the exit code (128 + N after signal N)."""
    from realtime.window import Window

    app = DrawApp(model, options, events)

    def display_lost() -> None:
        events.close()
        print("error: lost the display (X connection broke); the events log is complete", file=sys.stderr, flush=True)

    with StopSignals() as stop, ExitHook(display_lost):
        window = Window(on_mouse=app.on_mouse)
        try:
            _loop(app, window, stop)
        finally:
            window.close()
    lost = app.lost_readings()
    if lost is not None:
        raise lost
    return stop.exit_code or 0


def _loop(app: DrawApp, window: Window, stop: StopSignals) -> None:
    on_screen = None  # the view_key of the image in the window
    while stop.signum is None:
        now = time.monotonic()
        app.update(now)
        view = app.view_key(now)
        if view != on_screen:  # redraw only what changed: an idle window costs next to nothing
            window.show(app.render(now))
            on_screen = view
        keys = window.poll_keys(10 if app.busy() else IDLE_WAIT_MS)
        if not all(app.on_key(key, now) for key in keys):  # every key of a burst, in order; stops at a quit
            break
        if not window.is_open():
            break
