"""The JSON-lines prediction log: one object per new reading, flushed as it is written.

Each line stands alone, so a crash or a pulled plug loses at most the reading being written,
and another program can follow the file with `tail -f`.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Literal

from realtime.errors import UserError
from realtime.reading import Reading

Mode = Literal["draw", "camera"]


class EventLog:
    """Appends readings to `path` (created with its folder if needed); a no-op when path is None."""

    def __init__(self, path: str | os.PathLike | None, mode: Mode) -> None:
        self.mode = mode
        self.count = 0
        self._file = None
        if path is not None:
            path = Path(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives with the app
            except OSError as exc:
                raise UserError(f"cannot write the events log {path}: {exc.strerror or exc}") from None

    def write(self, frame: int, reading: Reading, **extra: object) -> None:
        if self._file is None:
            return
        record = {
            "mode": self.mode,
            "frame": frame,
            "time": round(time.time(), 4),
            "number": reading.number,
            "digits": [d.to_json() for d in reading.digits],
            **extra,
        }
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
