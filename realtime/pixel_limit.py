"""The image pixel limit, given to OpenCV before it loads.

OpenCV refuses an image whose header says it has more than OPENCV_IO_MAX_IMAGE_PIXELS pixels
before it allocates anything (a 942 KB PNG can hold 30000x30000 pixels: 2.7 GB as BGR). It reads
that variable once, when `cv2` is imported, so the command line sets it from `--max-pixels`
before any module that imports cv2; later changes have no effect (measured with OpenCV 5.0).
No cv2 import here, on purpose.
"""

from __future__ import annotations

import argparse
import os

#: 64 MP keeps the largest phone photos (48-50 MP).
MAX_PIXELS = 64_000_000
ENV = "OPENCV_IO_MAX_IMAGE_PIXELS"


#: The largest --max-pixels taken: a signed 64-bit number (OpenCV aborts on 2**64 and more).
MAX_SETTABLE = 2**63 - 1


def limit_before_opencv(argv: list[str]) -> int:
    """Set OpenCV's limit from `--max-pixels N` in `argv` (MAX_PIXELS without it); returns the limit.

    A missing, malformed, non-positive or too large value (over MAX_SETTABLE: OpenCV parses the
    variable as a 64-bit unsigned number and aborts the process past it) leaves MAX_PIXELS here: the
    full parser reports it.
    """
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--max-pixels", default=str(MAX_PIXELS))
    known, _ = parser.parse_known_args(argv)
    try:
        limit = int(known.max_pixels)
    except ValueError:
        limit = MAX_PIXELS
    limit = limit if 1 <= limit <= MAX_SETTABLE else MAX_PIXELS
    os.environ[ENV] = str(limit)
    return limit
