"""One way to open every frame source: a webcam index, a stream URL, a video file or an image file.

A file is told apart as an image or a video by its content (the signature OpenCV's image decoders
check), not its name: a PNG called clip.mp4 is an image, an MP4 called photo.jpg a video. Each
failure a user can cause (no camera at that index, a file that is missing, empty, not a regular
file or not a video, an image too large to decode, a camera unplugged mid-stream) becomes a
one-line UserError or a clean end of stream. An image its decoder complains about (a JPEG cut
short or damaged inside) is read, with one warning line that gives the decoder's reason: what is
above the damage is the user's own picture (a photo sent cut short is mostly there), so refusing
would throw it away, while the warning keeps a grey or smeared remainder from passing as fine.
"""

from __future__ import annotations

import math
import re
import stat
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from realtime.errors import UserError, quiet_stderr
from realtime.pixel_limit import MAX_PIXELS

CAMERA_RETRIES = 10
CAMERA_RETRY_DELAY = 0.1
MAX_CAMERA_INDEX = 99  # OpenCV reads larger numbers as a backend id plus an index
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


#: Image formats that may carry an alpha channel (transparency), read again with it.
ALPHA_SUFFIXES = (".png", ".webp", ".tif", ".tiff")


class Source:
    """Frames from a camera, a video or a still image; `read()` returns None at the end."""

    def __init__(self, spec: str, max_pixels: int = MAX_PIXELS, light_ink: bool = False) -> None:
        self.spec = str(spec)
        self.max_pixels = max_pixels
        self.light_ink = light_ink  # a transparent picture's paper is black (flatten_alpha)
        self.still: np.ndarray | None = None
        self.damage: str | None = None  # the decoder's reason when the image decoded only in part
        self.decoded_rows: np.ndarray | None = None  # then, how far down each column decoded (`decoded_rows`)
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
            _check_file(path)
            images = _image_count(path)
            if images == 0:
                self._open_video(str(path), f"cannot read image or video {path}")
            elif images == 1 or not self._opens_as_video(path):  # an animation FFmpeg cannot play: its first image
                self.still = self._read_image(path)
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
        """The image at `path`; UserError if nothing can be decoded, one warning line if its decoder
        complained (a damaged or cut-short file decodes partly: grey or smeared below the damage)."""
        try:
            with quiet_stderr() as said:  # libjpeg and libpng speak for themselves; said in our words below
                # Any depth and colour (16-bit, grey), turned as its Exif Orientation says: a
                # phone stores a portrait photo's pixels sideways (IMREAD_UNCHANGED ignores that;
                # it keeps an alpha channel, read below for the formats that have one).
                image = cv2.imread(str(path), cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR)
        except cv2.error as exc:  # OpenCV's pixel limit, checked on the header before decoding
            if "CV_IO_MAX_IMAGE_PIXELS" not in str(exc):
                raise UserError(f"cannot read image {path}: {str(exc).strip().splitlines()[-1]}") from None
            raise UserError(f"image {path} has more than {self.max_pixels} pixels "
                            "(give --max-pixels to raise the limit)") from None
        complaint = decoder_complaint(said.text)
        if image is None:
            raise UserError(f"cannot read image {path}: not an image OpenCV can decode"
                            + (f" ({complaint})" if complaint else ""))
        self._check_pixels(path, image.shape[1], image.shape[0])
        if path.suffix.lower() in ALPHA_SUFFIXES:
            with quiet_stderr():
                unchanged = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
            if unchanged is not None and unchanged.ndim == 3 and unchanged.shape[2] == 4 and unchanged.shape[:2] == image.shape[:2]:
                image = flatten_alpha(unchanged, self.light_ink)
        if complaint and "warning" in complaint.lower():  # libpng's "iCCP: known incorrect sRGB profile"
            print(f"warning: image {path}: {complaint}", file=sys.stderr)
        elif complaint:
            self.damage = complaint
            print(f"warning: image {path} is damaged ({complaint}): read what could be decoded; "
                  "digits near the damage may be cut or misread", file=sys.stderr)
            self.decoded_rows = decoded_rows(image)
        return image

    def _opens_as_video(self, path: Path) -> bool:
        """Open a file of several images as a video (an animated GIF plays); False if FFmpeg cannot."""
        try:
            self._open_video(str(path), f"cannot read video {path}")
        except UserError:
            return False
        return True

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


def decoded_rows(image: np.ndarray) -> np.ndarray | None:
    """How far down each column of a damaged image (H, W[, C], any dtype) its decoder decoded:
    int (W,) rows, the first row of the flat colour libjpeg fills the rest with (grey), which it
    fills from the damage on, so a partly decoded band of blocks ends inside a row. None when the
    image's last row is not all one colour, or the whole image is."""
    fill = image[-1, -1]
    other = (image != fill).reshape(image.shape[0], image.shape[1], -1).any(axis=2)  # (H, W): not the fill
    if other[-1].any() or not other.any():  # the last row is all fill, and not everything is
        return None
    last = image.shape[0] - np.argmax(other[::-1], axis=0)  # a column's last pixel not the fill, + 1
    return np.where(other.any(axis=0), last, 0)


def flatten_alpha(image: np.ndarray, light_ink: bool = False) -> np.ndarray:
    """A BGRA image (H, W, 4; uint8 or uint16) -> BGR (H, W, 3), the same dtype, its transparent
    parts filled with paper: white, or black for `light_ink` (chalk on a board, --invert). A digit
    drawn in a paint program, or a photo whose paper was cut away, keeps its ink on no colour at
    all, and dropping the alpha channel leaves black ink on black. (Guessing the paper from the
    ink's own brightness failed on light-blue ballpoint, brighter than mid-grey yet ink.)"""
    colour = image[..., :3].astype(np.float32)
    top = float(np.iinfo(image.dtype).max) if image.dtype.kind in "iu" else 1.0
    alpha = image[..., 3:].astype(np.float32) / top
    if float(alpha.min()) >= 1.0:
        return np.ascontiguousarray(image[..., :3])
    fill = 0.0 if light_ink else top
    flat = colour * alpha + fill * (1.0 - alpha)
    return np.clip(np.rint(flat), 0, top).astype(image.dtype)


def _check_file(path: Path) -> None:
    """UserError unless `path` is a regular file, not empty, that this user can read.

    A FIFO, /dev/zero or a socket is never an image or a video file: opening one as a video would
    wait for a writer or read forever, so each is named for what it is.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UserError(f"source not found: {path} (give a camera index such as 0, a stream URL, "
                        "a video or an image)") from None
    except OSError as exc:
        raise UserError(f"cannot read --source {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise UserError(f"--source {path} is a folder, not a video or image")
    if not stat.S_ISREG(mode):
        kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a block device" if stat.S_ISBLK(mode) else "a character device")
        hint = " (a camera is given by its index: 0 for /dev/video0)" if stat.S_ISCHR(mode) else ""
        raise UserError(f"--source {path} is {kind}, not a video or image file{hint}")
    try:
        with open(path, "rb") as file:
            empty = not file.read(1)
    except OSError as exc:
        raise UserError(f"cannot read --source {path}: {exc.strerror or exc}") from None
    if empty:
        raise UserError(f"--source {path} is empty (0 bytes), not a video or image")


def _image_count(path: Path) -> int:
    """How many images a regular file holds by its content: 0 when no image decoder of OpenCV's
    knows its signature (a video, or nothing OpenCV reads), 1 for a still image, more for an
    animation (a GIF, a WebP) or a multi-page TIFF; 1 when the header is too damaged to count."""
    with quiet_stderr():
        if not cv2.haveImageReader(str(path)):
            return 0
        try:
            return max(1, cv2.imcount(str(path)))
        except cv2.error:
            return 1  # imread says what is wrong


def decoder_complaint(text: str) -> str:
    """The last thing an image decoder wrote to stderr, as one line: OpenCV's log prefix ("[ WARN:0@0.1]
    global loadsave.cpp:612 imread_ ...:") and its error boilerplate cut away; "" if it said nothing."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    line = re.sub(r"^\[\s*\w+:[^\]]*\]\s+(global\s+)?\S+:\d+\s+\S+\s+", "", lines[-1])
    error = re.search(r"error: \(-?\d+:[^)]*\) (.*?)(?: in function .*)?$", line)
    return error.group(1) if error else line
