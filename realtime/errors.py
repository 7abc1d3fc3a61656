"""The one exception type that the CLI turns into a one-line message and exit code 2.

Anything the user can fix (a missing model, a camera that will not open, a broken data file)
is raised as `UserError`; everything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn


class UserError(Exception):
    """A problem with the user's input or setup, explained in one line."""


class StdoutError(UserError):
    """Standard output cannot be written (a closed pipe, a full disk): the outputs themselves are complete."""


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
