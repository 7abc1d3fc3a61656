"""MP4 files that are complete and playable, or not there at all.

OpenCV's VideoWriter reports nothing: on a full disk it goes on "writing" and leaves an MP4 cut
mid-write, with no index, that no player opens. PyAV (FFmpeg's own libraries, in-process) raises
an OSError on the first write that fails, so a full disk stops the run at once with the reason.
The video is written under a hidden temporary name beside its destination; after closing, the
file is opened again and its index must list every frame written; only then is it renamed into
place. On any failure the partial file is removed.
"""

from __future__ import annotations

import glob
import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from realtime.errors import UserError

CODEC = "mpeg4"  # MPEG-4 part 2 ("mp4v"), as OpenCV wrote it: every player and browser-less tool opens it
BITS_PER_PIXEL = 0.25  # ~2.3 Mbit/s at 640x480, 30 fps: sharp text and boxes
MAX_SIDE = 8191  # MPEG-4 part 2 codes width and height in 13 bits; FFmpeg's encoder refuses more


class VideoWriteError(UserError):
    """The video could not be written; the partial file is already removed."""


def remove_stale_parts(path: Path) -> list[Path]:
    """Remove the partial files of `path` (`.NAME.PID.part`) whose writer is gone (killed with
    SIGKILL or by a power cut, so it could not clean up); a live writer's file stays. Returns the
    files removed."""
    removed = []
    for part in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        pid = part.name[len(path.name) + 2: -len(".part")]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:  # no such process: the file is an orphan
            try:
                part.unlink()
                removed.append(part)
            except OSError:
                pass  # another run removed it first, or the folder is read-only: nothing lost either way
        except (PermissionError, OverflowError):
            pass  # alive under another user, or no valid pid: not ours to remove
    return removed


class VideoFile:
    """Writes BGR uint8 frames of one size to `path` (.mp4), all or nothing.

    `fps` is the frame rate (frames per second), `size` is (width, height) in pixels. Raises
    VideoWriteError (a UserError) when the file cannot be started, written or finished; the
    message names the file and the reason (for example "No space left on device").
    """

    def __init__(self, path: str | os.PathLike, fps: float, size: tuple[int, int], overwrite: bool = False) -> None:
        self.path = Path(path)
        self.size = size
        self.frames = 0
        self.overwrite = overwrite
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
        self._container = None
        if max(size) > MAX_SIDE:  # said before any file is made, in words rather than FFmpeg's "Invalid argument"
            raise VideoWriteError(f"frame {size[0]}x{size[1]} is too large for the video encoder "
                                  f"(max {MAX_SIDE} pixels a side): {self.path} not written")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_parts(self.path)
            if (self.path.exists() or self.path.is_symlink()) and not overwrite:
                raise FileExistsError(f"{self.path} already exists")
            self._container = av.open(str(self._tmp), "w", format="mp4")
            self._stream = self._container.add_stream(CODEC, rate=Fraction(fps).limit_denominator(1001))
            self._stream.width, self._stream.height = size
            self._stream.pix_fmt = "yuv420p"
            self._stream.bit_rate = int(size[0] * size[1] * fps * BITS_PER_PIXEL)
            self._stream.codec_context.open()
        except (OSError, ValueError, av.error.FFmpegError) as exc:
            self.discard()
            raise VideoWriteError(f"cannot write video: {_reason(exc)} ({self.path})") from None

    def write(self, image: np.ndarray) -> None:
        """Append one (height, width, 3) BGR uint8 frame of the size given at the start."""
        if image.shape[:2] != (self.size[1], self.size[0]):
            raise ValueError(f"expected a {self.size[0]}x{self.size[1]} frame, got {image.shape[1]}x{image.shape[0]}")
        try:
            for packet in self._stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                self._container.mux(packet)
        except (OSError, av.error.FFmpegError) as exc:
            self.discard()
            raise VideoWriteError(f"cannot write video: {_reason(exc)} ({self.path}; the partial file was removed)") from None
        self.frames += 1

    def finish(self) -> Path | None:
        """Flush, close, check and rename into place: the path, or None if no frame was written.

        A video with no frame is not a video: nothing is kept. Raises VideoWriteError (the
        partial file removed) if the file cannot be finished or does not hold every frame.
        """
        if self._container is None:
            return None
        if self.frames == 0:
            self.discard()
            return None
        try:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
            self._container = None
            with av.open(str(self._tmp)) as check:
                held = check.streams.video[0].frames
            if held != self.frames:
                raise OSError(f"the file holds {held} of {self.frames} frames")
            if (self.path.exists() or self.path.is_symlink()) and not self.overwrite:
                raise FileExistsError(f"{self.path} appeared meanwhile")
            os.replace(self._tmp, self.path)
        except (OSError, ValueError, av.error.FFmpegError) as exc:
            self.discard()
            raise VideoWriteError(f"cannot finish video: {_reason(exc)} ({self.path}; the partial file was removed)") from None
        return self.path

    def discard(self) -> None:
        """Stop and remove the partial file; safe to call more than once."""
        if self._container is not None:
            container, self._container = self._container, None
            try:
                container.close()
            except (OSError, av.error.FFmpegError):
                pass  # the file goes anyway
        try:
            self._tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _reason(exc: BaseException) -> str:
    """The OS's words for an error ("No space left on device"), else the exception's text."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
