"""The app in a real X window on a virtual display, driven as a user would: Xvfb, xdotool, ffmpeg.

Used by scripts/screenshots.py (the README's pictures), scripts/idle_cpu.py (what an open
window costs) and the end-to-end tests. `Xvfb` starts a server on a free display number (it picks
and reports it, -displayfd); `AppWindow` starts `python -m realtime ...` on it, finds its window,
waits until it is ready for input (viewable, at the app's image's size), sends real pointer
and key events through XTEST (xdotool), grabs the window's pixels as X shows them (ffmpeg's
x11grab) and reads the process's CPU time from /proc.
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Digit Recognizer"
XVFB, XDOTOOL, FFMPEG = shutil.which("Xvfb"), shutil.which("xdotool"), shutil.which("ffmpeg")
STEP_SLEEP = 0.012  # seconds between two pointer moves of a drag


class Xvfb:
    """A fresh X server for the duration of a `with` block; `display` is its name, e.g. ":3"."""

    def __init__(self, screen: str = "1280x1024x24", timeout: float = 20.0) -> None:
        if not XVFB:
            raise RuntimeError("Xvfb is not on PATH (apt-get install xvfb)")
        read_fd, write_fd = os.pipe()
        self.server = subprocess.Popen(
            [XVFB, "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
            pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        os.close(write_fd)
        try:
            number, deadline = b"", time.monotonic() + timeout
            while not number.endswith(b"\n"):
                ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
                chunk = os.read(read_fd, 16) if ready else b""
                if not chunk:
                    self.close()
                    raise RuntimeError(f"Xvfb did not start: {self.server.communicate(timeout=5)[1].decode()[-500:]}")
                number += chunk
        finally:
            os.close(read_fd)
        self.display = f":{int(number)}"

    def __enter__(self) -> Xvfb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        stop(self.server)


def _no_core_file() -> None:
    """In the app's process before it starts: a SIGABRT from `dump_threads` leaves no core file behind."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it has not gone within 5 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class AppWindow:
    """`python -m realtime <args>` on `display`, with its window found, ready, and xdotool to drive it.

    Ready means what a user's first stroke needs (`wait_ready`): the window viewable and, when the
    caller knows the size of the app's image, at that size. `trace_input` has the app log every mouse
    event Qt receives from X (Qt's qt.qpa.input.events category), and `dump_threads` makes a stuck
    app print where each of its threads is (faulthandler): so that an end-to-end test that times
    out says whether the input reached the app and what the app was doing.
    """

    def __init__(self, display: str, args: list[str], log: Path, events: Path | None = None,
                 size: tuple[int, int] | None = None, trace_input: bool = False) -> None:
        self.env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
        self.env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
        if trace_input:
            self.env["QT_LOGGING_RULES"] = "default.warning=false;qt.qpa.input.events=true"
        self.display, self.events = display, events
        self.log = open(log, "w+b")  # noqa: SIM115 - closed in close()
        extra = ["--events", str(events)] if events else []
        self.app = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "realtime", *args, *extra], cwd=ROOT,
                                    env=self.env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                    preexec_fn=_no_core_file)
        try:
            found = subprocess.run([XDOTOOL, "search", "--sync", "--onlyvisible", "--name", f"^{TITLE}$"],
                                   env=self.env, capture_output=True, text=True, timeout=60)
            if not found.stdout.split():
                raise RuntimeError(f"xdotool found no window: {found.stderr} {self.output()}")
            self.window = found.stdout.split()[0]
            self.wait_ready(size)
        except subprocess.TimeoutExpired:
            self.close()
            raise RuntimeError(f"no visible '{TITLE}' window within 60 s: {self.output()}") from None
        except BaseException:
            self.close()
            raise

    def wait_ready(self, size: tuple[int, int] | None = None, timeout: float = 60.0) -> None:
        """Wait until the window is at `size` (width, height), when the caller knows it.

        X maps the window before the first image sizes it (OpenCV's Qt window starts about 98x69),
        and a stroke sent then lands outside it. Whether it is painted is not waited for: on a
        loaded machine Qt can leave the window black (it misses the window's MapNotify and never
        takes it as exposed) while it still takes mouse and keys, so a wait for pixels could hang.
        """
        if size is None:
            return

        def sized() -> bool:
            geometry = self.geometry()
            return (geometry["WIDTH"], geometry["HEIGHT"]) == size

        self.wait_for(f"the window to be {size[0]}x{size[1]}, the app's image's size", sized, timeout)

    def output(self, tail: int = 4000) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-tail:]

    def dump_threads(self) -> None:
        """If the app still runs, have it print every thread's Python stack to its log and end (SIGABRT,
        which faulthandler answers; no core file is written)."""
        if self.app.poll() is None:
            self.app.send_signal(signal.SIGABRT)
            try:
                self.app.wait(10)
            except subprocess.TimeoutExpired:
                pass

    def xdo(self, *args: object) -> str:
        result = subprocess.run([XDOTOOL, *map(str, args)], env=self.env, capture_output=True, text=True, timeout=60)
        if result.returncode:
            raise RuntimeError(f"xdotool {args[:4]}...: {result.stderr}")
        return result.stdout

    def geometry(self) -> dict[str, int]:
        out = self.xdo("getwindowgeometry", "--shell", self.window)
        return {k: int(v) for k, v in (line.split("=") for line in out.split())}

    def drag(self, points: list[tuple[int, int]], step_sleep: float = STEP_SLEEP) -> None:
        """One stroke with the left button, as a hand would: press, several moves, release."""
        (x0, y0), rest = points[0], points[1:]
        args: list[object] = ["mousemove", "--window", self.window, x0, y0, "sleep", 0.05, "mousedown", 1]
        for x, y in rest:
            args += ["sleep", step_sleep, "mousemove", "--window", self.window, x, y]
        args += ["sleep", 0.05, "mouseup", 1, "sleep", 0.05]
        self.xdo(*args)

    def click(self, x: int, y: int) -> None:
        self.xdo("mousemove", "--window", self.window, x, y, "click", 1)

    def key(self, name: str) -> None:
        self.xdo("key", "--window", self.window, name)

    def readings(self) -> list[dict]:
        """The events the app has written so far (complete lines only)."""
        if self.events is None or not self.events.exists():
            return []
        text = self.events.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.endswith("}")]

    def wait_for(self, what: str, check, timeout: float = 30.0):
        """Poll until check() is truthy and return it; RuntimeError with the app's output otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            if self.app.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for {what}; app exit code {self.app.poll()}; {self.output()}")

    def settle(self, after: int, what: str, quiet: float = 0.5) -> dict:
        """The last reading once readings past frame `after` came and then none for `quiet` s."""
        state = {"count": -1, "since": time.monotonic()}

        def settled():
            lines = self.readings()
            if len(lines) != state["count"]:
                state["count"], state["since"] = len(lines), time.monotonic()
                return None
            if lines and lines[-1]["frame"] > after and time.monotonic() - state["since"] >= quiet:
                return lines[-1]
            return None

        return self.wait_for(what, settled)

    def cpu_seconds(self) -> float:
        """User + system CPU time the app has used so far, from /proc/PID/stat."""
        fields = Path(f"/proc/{self.app.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu_percent(self, seconds: float) -> float:
        """Share of one core the app uses over the next `seconds` (a measurement, not a wait)."""
        cpu, start = self.cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        return 100 * (self.cpu_seconds() - cpu) / (time.monotonic() - start)

    def grab(self, path: Path) -> None:
        """The window's pixels as the X server shows them, to a PNG (ffmpeg x11grab)."""
        if not FFMPEG:
            raise RuntimeError("ffmpeg is not on PATH")
        g = self.geometry()
        subprocess.run([FFMPEG, "-loglevel", "error", "-y", "-f", "x11grab", "-video_size", f"{g['WIDTH']}x{g['HEIGHT']}",
                        "-i", f"{self.display}+{g['X']},{g['Y']}", "-frames:v", "1", str(path)],
                       check=True, capture_output=True, timeout=60)

    def close(self) -> None:
        stop(self.app)
        self.log.close()
