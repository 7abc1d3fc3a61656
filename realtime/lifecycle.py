"""Ending a run cleanly however it ends: a key, the end of the input, a signal or a lost display.

SIGINT (Ctrl-C), SIGTERM, SIGHUP and the other terminating signals that can be caught (SIGQUIT,
SIGUSR1, SIGUSR2, SIGALRM) become a flag that the main loop checks once per frame, so
the loop ends the way it does on 'q': the video is finished and renamed into place, the events
log closed. The process then exits with the shell's convention for a signal: 128 + its number.

Qt (behind OpenCV's highgui) calls the C library's exit(1) from inside waitKey when the X
connection breaks, so no Python `finally` runs. `ExitHook` registers a C exit handler
(glibc's __cxa_atexit, the function behind C's atexit) that finishes the outputs there; when the
run ends normally it is unregistered with __cxa_finalize on its own handle, because a Python
callback must not be called after the interpreter has shut down.
"""

from __future__ import annotations

import ctypes
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

#: Every terminating signal Python can catch: each would otherwise leave a `.NAME.PID.part` file.
#: Not SIGPIPE: Python ignores it (a write to a closed pipe is an EPIPE error instead), and the
#: display library must see the X connection's EPIPE to report a lost display.
STOP_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM")
    if hasattr(signal, name)
)


class StopSignals:
    """Context manager: while inside, a stop signal sets `signum` instead of ending the process."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():  # Python allows handlers there only
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    @property
    def exit_code(self) -> int | None:
        """128 + the signal's number once one arrived (130 for Ctrl-C, 143 for SIGTERM), else None."""
        return None if self.signum is None else 128 + self.signum

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.signum = signum


class ExitHook:
    """Context manager: calls `finish` if the C library's exit() ends the process while inside.

    A no-op where glibc's __cxa_atexit is not available (not Linux): there the display library's
    own exit is left as it is.
    """

    def __init__(self, finish: Callable[[], None]) -> None:
        self._finish = finish
        self._armed = False
        self._handle = ctypes.c_char()  # its address identifies our handler to __cxa_finalize
        self._callback = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(self._run)
        try:
            libc = ctypes.CDLL(None) if sys.platform.startswith("linux") else None
            # getattr: a double-underscore name written inside a class body would be name-mangled
            self._register = getattr(libc, "__cxa_atexit") if libc else None
            self._unregister = getattr(libc, "__cxa_finalize") if libc else None
        except (OSError, AttributeError):
            self._register = self._unregister = None

    def __enter__(self) -> ExitHook:
        if self._register is not None:
            self._armed = True
            self._register(self._callback, None, ctypes.byref(self._handle))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._register is not None:
            self._armed = False
            self._unregister(ctypes.byref(self._handle))  # runs _run (now a no-op) and drops it

    def _run(self, _arg: object) -> None:
        if self._armed:
            self._armed = False
            self._finish()
