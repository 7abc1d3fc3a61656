"""One way to open every frame source: a webcam index, a video file or an image file.

Each failure a user can cause (no camera at that index, a file that is missing or not a video,
a camera unplugged mid-stream) becomes a one-line UserError or a clean end of stream.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import cv2
import numpy as np

from realtime.errors import UserError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}
CAMERA_RETRIES = 10
CAMERA_RETRY_DELAY = 0.1


class Source:
    """Frames from a camera, a video or a still image; `read()` returns None at the end."""

    def __init__(self, spec: str) -> None:
        self.spec = str(spec)
        self.still: np.ndarray | None = None
        self.capture: cv2.VideoCapture | None = None
        self.live = self.spec.isdigit()
        self._pending: np.ndarray | None = None
        if self.live:
            self._open_camera(int(self.spec))
        else:
            path = Path(self.spec)
            if not path.is_file():
                raise UserError(f"source not found: {path} (give a camera index such as 0, a video or an image)")
            if path.suffix.lower() in IMAGE_SUFFIXES:
                self.still = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
                if self.still is None:
                    raise UserError(f"cannot read image {path}: not an image OpenCV can decode")
            else:
                self._open_video(path)
        self._still_served = False

    @property
    def fps(self) -> float:
        if self.capture is None:
            return 30.0
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        return fps if 1.0 <= fps <= 240.0 else 30.0

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
        self._open_video(Path(self.spec))
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

    def _open_video(self, path: Path) -> None:
        capture = cv2.VideoCapture(str(path))
        if not capture.isOpened():
            capture.release()
            raise UserError(f"cannot read video {path}: not a video OpenCV can decode")
        ok, frame = capture.read()
        if not ok or frame is None:
            capture.release()
            raise UserError(f"cannot read video {path}: it has no decodable frame")
        self._pending = frame  # served by the first read(): no seeking back, which some codecs botch
        self.capture = capture


def open_writer(path: str | os.PathLike, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    """An MP4 writer for (width, height) frames; UserError if the file cannot be written."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder for {path}: {exc.strerror or exc}") from None
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise UserError(f"cannot write video {path} (check the folder and the .mp4 suffix)")
    return writer
