"""Argument checks shared by the public image functions: bad input is a ValueError saying what was wanted.

A wrong type handed to `to_mnist` or `find_digits` is a caller's bug; NumPy and OpenCV would
report it several calls later as a TypeError or IndexError about something else. Checked at the
top of each function, it names the argument and what it should have been.
"""

from __future__ import annotations

import numpy as np

NUMERIC_KINDS = "biuf"  # bool, signed and unsigned integer, float


def numeric_array(value: object, name: str) -> np.ndarray:
    """`value` as a plain numpy array of bool, integer or float values, else ValueError.

    A subclass (np.matrix, a masked array) comes back as a plain ndarray: np.matrix keeps two
    dimensions when indexed and a masked array's mask would be ignored anyway.
    """
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name}: expected a numpy array, got {type(value).__name__}")
    if value.dtype.kind not in NUMERIC_KINDS:
        raise ValueError(f"{name}: expected bool, integer or float values, got dtype {value.dtype}")
    return np.asarray(value)
