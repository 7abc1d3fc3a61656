"""One way to open every frame source: a webcam index, a stream URL, a video file or an image file.

Each failure a user can cause (no camera at that index, a file that is missing or not a video,
an image too large to decode, a camera unplugged mid-stream) becomes a one-line UserError or a
clean end of stream.
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from realtime.errors import UserError, quiet_stderr
from realtime.pixel_limit import MAX_PIXELS

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}
CAMERA_RETRIES = 10
CAMERA_RETRY_DELAY = 0.1
MAX_CAMERA_INDEX = 99  # OpenCV reads larger numbers as a backend id plus an index
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


class Source:
    """Frames from a camera, a video or a still image; `read()` returns None at the end."""

    def __init__(self, spec: str, max_pixels: int = MAX_PIXELS) -> None:
        self.spec = str(spec)
        self.max_pixels = max_pixels
        self.still: np.ndarray | None = None
        self.capture: cv2.VideoCapture | None = None
        self._pending: np.ndarray | None = None
        if not self.spec:
            raise UserError("empty --source (give a camera index such as 0, a stream URL, a video or an image)")
        is_index = re.fullmatch(r"[0-9]+", self.spec) is not None  # ASCII digits only: int() takes "٣" too
        if not is_index and self.spec.isdigit() and not Path(self.spec).exists():
            raise UserError(f"camera index {self.spec} is not written with the digits 0-9 (0-{MAX_CAMERA_INDEX})")
        self.live = is_index or _URL.match(self.spec) is not None
        if is_index:
            index = int(self.spec)
            if index > MAX_CAMERA_INDEX:
                raise UserError(f"camera index {self.spec} is out of range (0-{MAX_CAMERA_INDEX})")
            self._open_camera(index)
        elif self.live:
            self._open_video(self.spec, f"cannot open stream {self.spec}")
        else:
            path = Path(self.spec)
            if path.is_dir():
                raise UserError(f"--source {path} is a folder, not a video or image")
            if not path.is_file():
                raise UserError(f"source not found: {path} (give a camera index such as 0, a stream URL, "
                                "a video or an image)")
            if path.suffix.lower() in IMAGE_SUFFIXES:
                self.still = self._read_image(path)
            else:
                self._open_video(str(path), f"cannot read video {path}")
        self._still_served = False

    @property
    def fps(self) -> float:
        """Frames per second as the container or camera reports it: kept for any positive rate (a 0.5 fps
        timelapse, a 1000 fps clip), so that --output plays at the input's speed; 30 when unknown."""
        if self.capture is None:
            return 30.0
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        return fps if math.isfinite(fps) and fps > 0 else 30.0

    @property
    def frame_count(self) -> int | None:
        if self.capture is None or self.live:
            return 1 if self.still is not None else None
        count = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))
        return count if count > 0 else None

    def read(self) -> np.ndarray | None:
        """The next frame, or None when the stream has ended (file end, camera gone)."""
        if self.still is not None:
            if self._still_served:
                return None
            self._still_served = True
            return self.still
        if self._pending is not None:
            frame, self._pending = self._pending, None
            return frame
        if self.capture is None:
            return None
        attempts = CAMERA_RETRIES if self.live else 1
        for attempt in range(attempts):
            ok, frame = self.capture.read()
            if ok and frame is not None and frame.size:
                return frame
            if attempt + 1 < attempts:
                time.sleep(CAMERA_RETRY_DELAY)  # a camera may drop a frame or two; give it time
        return None

    def restart(self) -> bool:
        """Back to the first frame of a video or an image (a replay); False for a camera, which cannot.

        Reopens the file rather than seeking, as some codecs seek badly; UserError if it is gone.
        """
        if self.live:
            return False
        if self.still is not None:
            self._still_served = False
            return True
        self.release()
        self._open_video(self.spec, f"cannot read video {self.spec}")
        return True

    def release(self) -> None:
        if self.capture is not None:
            self.capture.release()
            self.capture = None

    def _open_camera(self, index: int) -> None:
        capture = cv2.VideoCapture(index)
        if not capture.isOpened():
            capture.release()
            raise UserError(
                f"camera {index} did not open: no camera with that index, it is in use by another "
                f"program, or this user may not access it (Linux: /dev/video{index}, group 'video')"
            )
        self.capture = capture

    def _read_image(self, path: Path) -> np.ndarray:
        try:
            with quiet_stderr():  # libjpeg prints "Premature end of JPEG file" itself; we say it below
                image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        except cv2.error as exc:  # OpenCV's pixel limit, checked on the header before decoding
            if "CV_IO_MAX_IMAGE_PIXELS" not in str(exc):
                raise UserError(f"cannot read image {path}: {str(exc).strip().splitlines()[-1]}") from None
            raise UserError(f"image {path} has more than {self.max_pixels} pixels "
                            "(give --max-pixels to raise the limit)") from None
        if image is None:
            raise UserError(f"cannot read image {path}: not an image OpenCV can decode")
        self._check_pixels(path, image.shape[1], image.shape[0])
        if _jpeg_cut_short(path):
            print(f"warning: image {path} is truncated: read what could be decoded", file=sys.stderr)
        return image

    def _open_video(self, spec: str, failure: str) -> None:
        capture = cv2.VideoCapture(spec)
        if not capture.isOpened():
            capture.release()
            raise UserError(f"{failure}: not a video OpenCV can decode" if not self.live else failure)
        width, height = capture.get(cv2.CAP_PROP_FRAME_WIDTH), capture.get(cv2.CAP_PROP_FRAME_HEIGHT)
        try:
            self._check_pixels(spec, int(width), int(height))
        except UserError:
            capture.release()
            raise
        ok, frame = capture.read()
        if not ok or frame is None:
            capture.release()
            raise UserError(f"{failure}: it has no decodable frame")
        self._pending = frame  # served by the first read(): no seeking back, which some codecs botch
        self.capture = capture

    def _check_pixels(self, name: str | Path, width: int, height: int) -> None:
        if width * height > self.max_pixels:
            raise UserError(f"{name} has {width}x{height} = {width * height} pixels, more than the limit of "
                            f"{self.max_pixels} (give --max-pixels to raise it)")


def _jpeg_cut_short(path: Path) -> bool:
    """Whether `path` is a JPEG without its end-of-image marker (FF D9), i.e. cut short.

    libjpeg decodes what is there (grey below the cut) and only says so on stderr.
    """
    try:
        with open(path, "rb") as f:
            if f.read(2) != b"\xff\xd8":  # not a JPEG
                return False
            f.seek(-2, os.SEEK_END)
            return f.read(2) != b"\xff\xd9"
    except OSError:
        return False
