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


def run_main(main: Callable[[], int]) -> NoReturn:
    """Exit with main()'s code; a UserError becomes 'error: ...' on stderr and exit code 2."""
    try:
        code = main()
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code)
