"""The only module that calls OpenCV's highgui: one window, its mouse callback and its keys.

Kept thin on purpose: everything it shows is made elsewhere as a numpy image, and everything
it receives is handed on as plain numbers, so the rest of the app runs without a display.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import cv2
import numpy as np

from realtime import x11
from realtime.errors import UserError
from realtime.layout import DEFAULT_VIEW, SCREEN_SHARE

# Qt's own warnings (e.g. "The X11 connection broke") would come before the app's one line.
os.environ.setdefault("QT_LOGGING_RULES", "default.warning=false")

TITLE = "Digit Recognizer"
MouseHandler = Callable[[int, int, int, int], None]
ESC = 27
BUSY_WAIT_MS = 10  # waits up to this long are left to waitKey (drawing: the GUI must run all the time)
WATCH_INTERVAL = 0.25  # seconds between two asks of the X server whether the window still exists
EAGER_FIND = 2.0  # seconds after the first image during which the window is looked for at every poll
#: After a mouse event, or the pointer moving over the window, waits stay short this long (seconds):
#: a doze lets the mouse moves of a stroke begun meanwhile pile up, and Qt merges piled-up moves into
#: the last one (its high-frequency event compression), so a fast stroke's first ~40 ms became a chord.
AWAKE_AFTER_MOUSE = 1.0


def require_display() -> None:
    """Fail with one line instead of Qt aborting the process (exit 134) when there is no X server.

    OpenCV's Qt talks X11 only (on Wayland through XWayland's DISPLAY), so on Linux DISPLAY must
    name an X server that accepts a connection: checked with libxcb, as Qt itself connects.
    """
    if not sys.platform.startswith("linux"):
        return
    display = os.environ.get("DISPLAY")
    hint = "run from a desktop session, or use xvfb-run; camera mode can run with --headless"
    if not display:
        if os.environ.get("WAYLAND_DISPLAY"):
            raise UserError(f"no X display: only Wayland is set (WAYLAND_DISPLAY), and the window needs X11 "
                            f"(start XWayland so that DISPLAY is set; {hint})")
        raise UserError(f"no display: DISPLAY is not set ({hint})")
    problem = x11.connection_problem(display)
    if problem:
        raise UserError(f"cannot open a window on DISPLAY={display}: {problem} ({hint})")


class Window:
    """A fixed-size window whose image sits at the top-left at 1:1, with no toolbar.

    AUTOSIZE | GUI_NORMAL keeps window pixels equal to image pixels, so a mouse event at
    (x, y) in the window lands at (x, y) in the image: the canvas contract that lets tools such
    as xdotool draw by sending real mouse events.
    """

    def __init__(self, title: str = TITLE, on_mouse: MouseHandler | None = None) -> None:
        require_display()
        self.title = title
        cv2.namedWindow(title, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
        self._mouse_at = float("-inf")  # time.monotonic() of the last mouse event from highgui
        if on_mouse is not None:
            def mouse(event: int, x: int, y: int, flags: int, _param: object) -> None:
                self._mouse_at = time.monotonic()
                on_mouse(event, x, y, flags)

            cv2.setMouseCallback(title, mouse)
        self._shown = False
        self._shown_at = 0.0
        display = os.environ.get("DISPLAY")
        self._watch = x11.WindowWatch(display, title) if sys.platform.startswith("linux") and display else None
        self._next_watch = 0.0
        self._keys_heard = False  # keys are read from the X connection of self._watch

    def largest_view(self) -> tuple[int, int]:
        """The largest image (w, h) that fits on the screen with the window's frame: SCREEN_SHARE of
        the X screen when libxcb can say, else layout.DEFAULT_VIEW."""
        display = os.environ.get("DISPLAY")
        screen = x11.screen_size(display) if sys.platform.startswith("linux") and display else None
        if not screen:
            return DEFAULT_VIEW
        return int(screen[0] * SCREEN_SHARE), int(screen[1] * SCREEN_SHARE)

    def show(self, image: np.ndarray) -> None:
        cv2.imshow(self.title, image)
        if not self._shown:
            self._shown, self._shown_at = True, time.monotonic()

    def poll_keys(self, delay_ms: int = 10) -> list[int]:
        """Every key pressed since the last call or within `delay_ms` (character codes, oldest first); runs the GUI.

        Short waits go to waitKey. Longer ones (an idle window) poll once and sleep: OpenCV's Qt
        waitKey spins on its event loop with 1 ms naps, ~3% of a core even with nothing to do,
        while poll + sleep costs well under 1%. Input that arrives during the sleep waits in the X
        queue for the next poll, at most `delay_ms` later; a key wakes the sleep at once.

        While the mouse is used over the window, and AWAKE_AFTER_MOUSE after, waits stay short, and a
        mouse event during the poll cancels the sleep: a stroke may begin at any moment, and its
        moves must not wait in the queue (Qt merges them).

        Keys come from the window's own X connection once the window is found (x11.WindowWatch):
        highgui returns one key per wait and drops the others of a burst (keys ~10 ms apart).
        Until then, and without libxcb, highgui's key is used.
        """
        if time.monotonic() < self._mouse_used() + AWAKE_AFTER_MOUSE:
            delay_ms = min(delay_ms, BUSY_WAIT_MS)
        if delay_ms <= BUSY_WAIT_MS:
            key = cv2.waitKeyEx(delay_ms)
        else:
            key = cv2.pollKey()
            if key == -1 and time.monotonic() >= self._mouse_used() + AWAKE_AFTER_MOUSE:
                if self._keys_heard:
                    self._watch.wait(delay_ms / 1e3)
                else:
                    time.sleep(delay_ms / 1e3)
        if self._keys_heard:
            return [k & 0xFF for k in self._watch.keys()]
        return [] if key == -1 else [key & 0xFF]

    def _mouse_used(self) -> float:
        """When the mouse was last used over the window: an event from highgui, or (while no button
        is held) a pointer move the X server sent to the watch's connection, which wakes a doze."""
        return max(self._mouse_at, self._watch.moved_at if self._keys_heard else float("-inf"))

    def is_open(self) -> bool:
        """False once the user closed the window, or another X client destroyed it."""
        if not self._shown:
            return True
        try:
            if cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
                return False
        except cv2.error:
            return False
        if self._watch is None:
            return True
        now = time.monotonic()
        if not self._keys_heard and (now < self._shown_at + EAGER_FIND or now >= self._next_watch):
            if self._watch.find():  # at every poll just after the first image: keys are lost until then
                self._keys_heard = self._watch.listen_keys()
        if now < self._next_watch:
            return True
        self._next_watch = now + WATCH_INTERVAL  # one X round trip, a few times a second
        return self._watch.exists()

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
        except cv2.error:
            pass
