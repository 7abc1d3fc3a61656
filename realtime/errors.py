"""The one exception type that the CLI turns into a one-line message and exit code 2.

Anything the user can fix (a missing model, a camera that will not open, a broken data file)
is raised as `UserError`; everything else is a bug and keeps its traceback.
"""


class UserError(Exception):
    """A problem with the user's input or setup, explained in one line."""
