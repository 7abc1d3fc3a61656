"""The JSON-lines prediction log: one object per new reading, each line whole or not there.

Each line stands alone, so another program can follow the file with `tail -f`, and a crash, a
pulled plug or a full disk never leaves half a line: every line goes to the file with
append-mode write(2), and a line that cannot be written whole is cut back to the previous end
(a log this run created and could not write one line to is removed: no empty file left behind).
An existing file is appended to only when it is an events log (or empty): `--events photo.json`
would otherwise grow the photo's truth by a reading.
A failed write raises EventLogError (a UserError): a headless run ends with it, a window shows it;
its message gives the reason before the path, which a window may cut. The path "-" is standard
output, for a pipe into another program (the camera's summary line then goes to standard error).
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path
from typing import Literal

from realtime.errors import UserError
from realtime.reading import Reading

Mode = Literal["draw", "camera"]
#: The events path that means standard output.
STDOUT = "-"


class EventLogError(UserError):
    """A reading could not be logged; the lines before it are intact."""


def _ends_mid_line(path: Path) -> bool:
    """Whether `path` is a non-empty regular file whose last byte is not a newline.

    False for what cannot be read back (a pipe, a terminal, a write-only file): nothing to mend there.
    """
    try:
        with open(path, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode) or f.seek(0, os.SEEK_END) == 0:
                return False
            f.seek(-1, os.SEEK_END)
            return f.read(1) != b"\n"
    except OSError:
        return False


def _is_events_log(path: Path) -> bool:
    """Whether appending readings to the existing `path` is safe: it is empty, not a regular file
    (a pipe, /dev/null), or its first line is a reading (a JSON object with a "frame"). Anything
    else (an image, the truth JSON beside a photo) would be corrupted."""
    try:
        if not stat.S_ISREG(path.stat().st_mode) or path.stat().st_size == 0:
            return True
        with open(path, "rb") as f:
            first = f.readline(1 << 20)
        record = json.loads(first)
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and "frame" in record


class EventLog:
    """Appends readings to `path` (created with its folder if needed), or to standard output when it
    is STDOUT; a no-op when path is None."""

    def __init__(self, path: str | os.PathLike | None, mode: Mode) -> None:
        self.mode = mode
        self.count = 0
        self.to_stdout = path is not None and os.fspath(path) == STDOUT
        self.path = None if path is None else Path(path)
        self._fd: int | None = None
        self._created = False  # this run made the file: one it could not write a line to goes again
        if self.to_stdout:
            self._fd = sys.stdout.fileno()  # written with write(2) as a file is; never closed here
        elif self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._created = not self.path.exists()
                if not self._created and not _is_events_log(self.path):
                    raise UserError(f"{self.path} exists and is not an events log (its first line is no "
                                    "reading): give a new file, or move this one away")
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                if _ends_mid_line(self.path):  # an earlier run was cut mid-line: ours start on a line of their own
                    os.write(self._fd, b"\n")
            except OSError as exc:
                raise UserError(f"cannot write the events log {self.path}: {exc.strerror or exc}") from None

    def write(self, frame: int, reading: Reading, **extra: object) -> None:
        """Append one reading as one line; EventLogError if it cannot be written whole."""
        if self._fd is None:
            return
        record = {
            "mode": self.mode,
            "frame": frame,
            "time": round(time.time(), 4),
            "number": reading.number,
            "digits": [d.to_json() for d in reading.digits],
            "lines": reading.rows,
            **extra,
        }
        try:
            line = (json.dumps(record, allow_nan=False) + "\n").encode("utf-8")
        except ValueError:  # NaN or infinity, which JSON cannot hold: the model is refused at load for it
            raise EventLogError(f"a reading holds NaN or infinite numbers, not logged: frame {frame}") from None
        end = 0 if self.to_stdout else os.fstat(self._fd).st_size
        try:
            written = 0
            while written < len(line):  # a short write is retried: the retry says why (ENOSPC)
                written += os.write(self._fd, line[written:])
        except OSError as exc:
            if not self.to_stdout:
                try:
                    os.ftruncate(self._fd, end)  # no half line: the log ends after the last whole reading
                    if self._created and end == 0:  # nothing logged: no empty file left behind either
                        self.path.unlink()
                except OSError:
                    pass
            where = "standard output" if self.to_stdout else self.path
            raise EventLogError(f"cannot write the events log: {exc.strerror or exc} ({where})") from None
        self.count += 1

    def close(self) -> None:
        if self._fd is not None and not self.to_stdout:
            os.close(self._fd)
        self._fd = None
