"""The one exception type that the CLI turns into a one-line message and exit code 2.

Anything the user can fix (a missing model, a camera that will not open, a broken data file)
is raised as `UserError`; everything else is a bug and keeps its traceback. Also the two
standard-stream helpers that keep it so: C libraries' own stderr lines silenced (and kept, to be
said in the app's own words), and a stdout that cannot be written turned into a UserError.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NoReturn

MAX_SILENCED = 64 * 1024  # bytes of silenced stderr kept: a library's message, not a flood


class UserError(Exception):
    """A problem with the user's input or setup, explained in one line."""


class StdoutError(UserError):
    """Standard output cannot be written (a closed pipe, a full disk): the outputs themselves are complete."""


@dataclass
class Silenced:
    """What C code wrote to stderr while `quiet_stderr` held it: filled in when the block ends."""

    text: str = ""


@contextlib.contextmanager
def quiet_stderr() -> Iterator[Silenced]:
    """Silence C-level writes to stderr (fd 2) for the duration; Python's own are restored too.

    What was written is kept (in a temporary file, so a chatty library cannot block on a full
    pipe) and handed back as the yielded `Silenced.text`, so that the caller can say it in a line
    of its own: libjpeg's "Premature end of JPEG file" is the only sign that an image is damaged.
    Where no temporary file can be made, the writes are dropped and the text stays empty.
    """
    said = Silenced()
    if sys.stderr is not None:
        sys.stderr.flush()
    saved = os.dup(2)
    try:
        try:
            sink, kept = tempfile.TemporaryFile(), True  # noqa: SIM115 - closed below, after fd 2 is back
        except OSError:
            sink, kept = open(os.devnull, "wb"), False  # noqa: SIM115
        with sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield said
            finally:
                os.dup2(saved, 2)
                if kept:
                    sink.seek(0)
                    said.text = sink.read(MAX_SILENCED).decode(errors="replace")
    finally:
        os.close(saved)


def flush_stdout(line: str | None = None) -> None:
    """Print `line` if given, then flush standard output; a write that fails is a StdoutError.

    A closed pipe or a full disk would otherwise be a traceback here or at interpreter exit.
    """
    try:
        if line is not None:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        raise StdoutError("standard output was closed before all was written to it") from None
    except OSError as exc:
        raise StdoutError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def run_main(main: Callable[[], int]) -> NoReturn:
    """Exit with main()'s code; a UserError becomes 'error: ...' on stderr and exit code 2, Ctrl-C
    exit code 130 (the shell's for SIGINT) without a traceback. SIGTERM ends main() as an
    exception does (exit 143): the processes it runs through subprocess.run are killed and its
    temporary folders removed on the way out, where the default action left them behind."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        code = main()
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    sys.exit(code)
