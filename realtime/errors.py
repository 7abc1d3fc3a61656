"""The one exception type that the CLI turns into a one-line message and exit code 2.

Anything the user can fix (a missing model, a camera that will not open, a broken data file)
is raised as `UserError`; everything else is a bug and keeps its traceback. Also the two
standard-stream helpers that keep it so: C libraries' own stderr lines silenced, and a stdout
that cannot be written turned into a UserError.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import NoReturn


class UserError(Exception):
    """A problem with the user's input or setup, explained in one line."""


class StdoutError(UserError):
    """Standard output cannot be written (a closed pipe, a full disk): the outputs themselves are complete."""


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence C-level writes to stderr (fd 2) for the duration; Python's own are restored too."""
    if sys.stderr is not None:
        sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
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


def run_main(main: Callable[[], int]) -> NoReturn:
    """Exit with main()'s code; a UserError becomes 'error: ...' on stderr and exit code 2."""
    try:
        code = main()
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code)
