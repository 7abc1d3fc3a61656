"""Render webcam-like clips of handwritten digits on paper, with ground truth for every frame.

    python scripts/make_test_videos.py --out /tmp/clips --clips 10 --frames 100 --seed 7

A real recording cannot tell us, frame by frame, where each digit is and which digit it is; a
render can, and it is reproducible (seeded) and free of personal data. To be worth anything it
has to be as awkward as a real webcam:

- the digits are real handwriting: MNIST *test* digits (never training digits, which the model
  has seen), drawn as pen ink (blue or black, slightly uneven) of varying width, as 1-3 lines of
  2-5 digit numbers, 40-90 px high at 640x480;
- the ink is on a paper sheet (off-white, fibres, grain) with faint ruled lines, a margin line
  and a small printed word, lying on a darker table (wood or desk) whose edge may be in view;
- the camera is hand-held: mild perspective, a slow drift, roll and zoom, a little shake;
- the light is uneven: a gradient across the desk, a soft shadow, vignetting, auto-exposure;
- a hand (a skin-coloured palm and fingers with its soft shadow) comes into view in some clips;
- the optics and the sensor: focus blur, shot and read noise, then H.264 (ffmpeg, CRF 23-30) or,
  without ffmpeg, OpenCV's MPEG-4 writer.

Everything is drawn on a flat "world" (the table with the sheet) at twice the frame resolution
and projected into each frame with that frame's homography; the ground-truth box of a digit is
the bounding box of its ink (alpha >= 0.5) projected the same way, so it moves with the picture.

Per clip NN, two files: clip_NN.mp4 and clip_NN.json:

    {"video": "clip_00.mp4", "size": [640, 480], "fps": 30.0, "seed": 7, "clip": 0,
     "frames_count": 100, "crf": 27,    # crf: the x264 quality (null for mp4v)
     "lines": ["305", "72"],            # the numbers written, top line first
     "digits": [{"label": 3, "line": 0, "mnist_test_index": 1234}, ...],
     "frames": [{"frame": 0,
                 "digits": [{"box": [x, y, w, h], "label": 3, "line": 0, "occluded": false}, ...],
                 "numbers": ["305", "72"], "sheet": [[x, y], ...], "word": [x, y, w, h],
                 "hand": null}, ...]}

A digit that the hand covers or nearly touches in a frame is "occluded" there: no reader can be
asked to see it, so an evaluation leaves it out, and its line's number is null in that frame.
Each frame also says where the distractors are, so that an evaluation can tell what a false alarm
was: "sheet" (the paper's four corners, [x, y]), "word" (the printed word's box) and "hand" (the
hand's box, or null when it is out of view).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from realtime.errors import (
    UserError,  # noqa: E402
    run_main,  # noqa: E402
)
from realtime.mnist import load_mnist  # noqa: E402

FPS = 30.0
SCALE = 2  # world pixels per frame pixel: drawn at 2x, projected down, so edges are anti-aliased
REFERENCE_HEIGHT = 480  # sizes below are in frame pixels at this frame height
DIGIT_HEIGHT = (40.0, 90.0)
MIN_CLEARANCE = 5.0  # frame px, at least, between a digit and the ruled line under it or the frame border
LAYOUT_ATTEMPTS = 100
WORDS = ("Date", "Notes", "Name", "Total", "Page", "Exercise", "Room")
INKS = {  # BGR in [0, 1]
    "blue ballpoint": (0.55, 0.27, 0.12),
    "dark blue": (0.42, 0.17, 0.08),
    "black": (0.16, 0.14, 0.14),
    "grey-black": (0.24, 0.23, 0.22),
}
SKIN = ((0.50, 0.62, 0.82), (0.42, 0.55, 0.74), (0.32, 0.42, 0.58), (0.56, 0.68, 0.86))


@dataclass
class Digit:
    label: int
    line: int
    mnist_index: int
    hull: np.ndarray  # (K, 1, 2) float32: the convex hull of its ink, in world pixels


@dataclass
class Scene:
    world: np.ndarray  # float32 BGR in [0, 1], the table with the sheet, lit
    digits: list[Digit]
    lines: list[str]
    base: np.ndarray  # 3x3 world -> frame homography at rest (scale, roll, perspective)
    sheet: np.ndarray  # (4, 1, 2) the sheet's corners, world pixels
    word: np.ndarray  # (4, 1, 2) the printed word's box corners, world pixels


@dataclass
class Motion:
    """A hand-held camera: slow sinusoidal drift, roll and zoom plus a smoothed random shake."""

    drift: np.ndarray  # (2, 2): amplitude and frequency (Hz) of x and y drift, px
    phases: np.ndarray  # (4,)
    roll: tuple[float, float]  # amplitude (degrees) and frequency (Hz)
    zoom: tuple[float, float]  # amplitude (fraction) and frequency (Hz)
    shake: np.ndarray  # (frames, 2) px


@dataclass
class Hand:
    """A hand entering from one frame edge, reaching in, holding, and leaving."""

    edge: str  # "left", "right", "bottom" or "top"
    along: float  # position along that edge, 0..1
    angle: float  # tilt from the edge's inward normal, degrees
    size: float  # palm-to-fingertip length, px
    reach: float  # how far the fingertips come in, px
    start: float  # seconds
    stop: float
    colour: np.ndarray


def parse_size(text: str) -> tuple[int, int]:
    """'640x480' -> (640, 480); argparse reports an ArgumentTypeError as a usage error."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 640x480, got {text!r}") from None
    if not (320 <= width <= 4096 and 240 <= height <= 4096):  # below 320x240 digits are specks
        raise argparse.ArgumentTypeError(f"frame size must be 320x240 to 4096x4096, got {text}")
    return width, height


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for clip_NN.mp4 and clip_NN.json")
    parser.add_argument("--clips", type=int, default=3)
    parser.add_argument("--frames", type=int, default=90, help="frames per clip (30 fps)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=parse_size, default=(640, 480), help="WIDTHxHEIGHT (default 640x480)")
    parser.add_argument("--data", help="folder with the MNIST idx .gz files (default: $MNIST_DIR)")
    parser.add_argument("--codec", choices=["auto", "x264", "mp4v"], default="auto",
                        help="x264 through ffmpeg (auto: when ffmpeg is installed) or OpenCV's mp4v")
    args = parser.parse_args(argv)
    if args.clips < 1 or args.frames < 1:
        parser.error("--clips and --frames must be at least 1")
    return args


# --- textures -------------------------------------------------------------------------------


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cell: float) -> np.ndarray:
    """Noise in [-1, 1] that varies over about `cell` pixels: blotches in paper, grain in wood."""
    small = (max(2, int(shape[0] / cell) + 2), max(2, int(shape[1] / cell) + 2))
    field = rng.uniform(-1, 1, small).astype(np.float32)
    return cv2.resize(field, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC).clip(-1, 1)


def paper(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Off-white paper: a slight tint, cloudy blotches, fibres and grain (float32 BGR)."""
    h, w = shape
    tint = np.array([rng.uniform(0.86, 0.93), rng.uniform(0.89, 0.95), rng.uniform(0.91, 0.97)], np.float32)
    shade = 1 + 0.025 * smooth_noise(rng, shape, 60 * SCALE) + 0.012 * smooth_noise(rng, shape, 8 * SCALE)
    fibres = np.zeros(shape, np.float32)
    for _ in range(int(h * w / (60 * SCALE) ** 2 * 40)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        angle, length = rng.uniform(0, np.pi), rng.uniform(3, 14) * SCALE
        end = (int(x + length * np.cos(angle)), int(y + length * np.sin(angle)))
        cv2.line(fibres, (int(x), int(y)), end, float(rng.uniform(0.01, 0.045)), 1, cv2.LINE_AA)
    fibres = cv2.GaussianBlur(fibres, (0, 0), 0.8)
    grain = rng.normal(0, 0.012, shape).astype(np.float32)
    return tint * (shade - fibres + grain)[..., None]


def table(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """A wooden or painted desk top, clearly darker than paper (float32 BGR)."""
    h, w = shape
    if rng.random() < 0.6:
        base = np.array([rng.uniform(0.18, 0.3), rng.uniform(0.3, 0.42), rng.uniform(0.45, 0.6)], np.float32)
        yy = np.arange(h, dtype=np.float32)[:, None] + 25 * SCALE * smooth_noise(rng, shape, 150 * SCALE)
        grain = 0.12 * np.sin(yy / (rng.uniform(3, 7) * SCALE)) + 0.08 * smooth_noise(rng, shape, 20 * SCALE)
    else:
        base = np.full(3, rng.uniform(0.25, 0.45), np.float32) * np.array([1.0, 1.0, rng.uniform(0.95, 1.1)])
        grain = 0.05 * smooth_noise(rng, shape, 40 * SCALE)
    grain = grain + rng.normal(0, 0.02, shape).astype(np.float32)
    return (base * (1 + grain)[..., None]).astype(np.float32)


# --- the sheet with its digits --------------------------------------------------------------


def ink_alpha(
    image: np.ndarray, height: float, pen: float, rng: np.random.Generator, stretch: float = 1.0
) -> np.ndarray:
    """One MNIST digit as pen ink `height` world px high with strokes about `pen` world px wide
    (`stretch` > 1 draws it that much taller than wide, as a long tail below the line).

    The 28x28 grey digit is cropped to its ink and upscaled smoothly; its stroke (2.3 px at
    20 px in MNIST, a fat marker once enlarged) is eroded or dilated towards the pen width,
    never below 60 % of its own width so that thin parts of the stroke survive. Pen pressure
    makes the ink a little uneven.
    """
    ys, xs = np.nonzero(image > 40)
    crop = image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32) / 255
    scale = height / crop.shape[0]
    big = cv2.resize(np.pad(crop, 2), None, fx=scale / stretch, fy=scale, interpolation=cv2.INTER_CUBIC)
    mask = (big > 0.45).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    width = 2 * mask.sum() / perimeter if perimeter else pen
    change = int(round((max(pen, 0.6 * width) - width) / 2))
    if change:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(change) + 1,) * 2)
        mask = (cv2.dilate if change > 0 else cv2.erode)(mask, kernel)
    alpha = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 0.6 * SCALE)
    pressure = 1 - 0.12 * (1 + smooth_noise(rng, alpha.shape, 12 * SCALE)) / 2
    return alpha * pressure


def layout(rng: np.random.Generator, frame: tuple[int, int]) -> tuple[float, list[int]]:
    """Digit height (frame px) and digits per line such that the block fits well inside the frame."""
    unit = frame[1] / REFERENCE_HEIGHT
    while True:
        height = rng.uniform(*DIGIT_HEIGHT) * unit
        counts = [int(rng.integers(2, 6)) for _ in range(int(rng.integers(1, 4)))]
        block_w = max(counts) * 0.95 * height  # generous: a wide digit plus a gap
        block_h = (len(counts) - 1) * 1.7 * height + 1.1 * height
        if block_w < 0.78 * frame[0] and block_h < 0.72 * frame[1]:
            return height, counts


def make_sheet(
    rng: np.random.Generator, frame: tuple[int, int], test_x: np.ndarray, test_y: np.ndarray
) -> tuple[np.ndarray, list[Digit], list[str], tuple[float, float], np.ndarray]:
    """The sheet (BGR), the digits on it (hulls in sheet pixels), their numbers, the centre of
    the digit block and the printed word's box corners, all in sheet pixels (SCALE per frame px)."""
    unit = frame[1] / REFERENCE_HEIGHT
    height, counts = layout(rng, frame)
    pitch = height * rng.uniform(1.45, 1.7)  # ruled-line spacing = line spacing of the digits
    pen = rng.uniform(2.5, 6.0) * unit * SCALE
    ink = np.array(INKS[list(INKS)[int(rng.integers(len(INKS)))]], np.float32)

    # Place the digits in a block (frame px, block-relative), line by line along ruled lines.
    placed: list[tuple[np.ndarray, float, float, int, int, int]] = []
    for line, count in enumerate(counts):
        ruled_y = (line + 1) * pitch
        x = 0.0
        for _ in range(count):
            index = int(rng.integers(len(test_x)))
            digit_h = height * rng.uniform(0.88, 1.08)
            alpha = ink_alpha(test_x[index], digit_h * SCALE, pen, rng)
            gap_below = rng.uniform(0.1, 0.2) * height + MIN_CLEARANCE
            top = ruled_y - gap_below - alpha.shape[0] / SCALE
            placed.append((alpha, x, top, int(test_y[index]), line, index))
            x += alpha.shape[1] / SCALE + rng.uniform(0.22, 0.55) * height
    block_w = max(p[1] + p[0].shape[1] / SCALE for p in placed)
    block_h = len(counts) * pitch

    margins = [rng.uniform(0.05, 0.35) * frame[0], rng.uniform(0.05, 0.35) * frame[0],
               pitch + rng.uniform(0.02, 0.3) * frame[1], rng.uniform(0.05, 0.3) * frame[1]]
    left, right, top, bottom = margins
    sheet_w, sheet_h = int((left + block_w + right) * SCALE), int((top + block_h + bottom) * SCALE)
    sheet = paper(rng, (sheet_h, sheet_w))

    # Ruled paper (most sheets): faint blue lines at the pitch across the sheet, a margin line.
    if rng.random() < 0.8:
        rule = 1 - rng.uniform(0.5, 1.0) * np.array([0.15, 0.23, 0.34], np.float32)
        thickness = max(1, int(round(rng.uniform(0.7, 1.3) * SCALE * unit)))
        lines_mask = np.zeros((sheet_h, sheet_w), np.float32)
        for y in np.arange((top % pitch) * SCALE, sheet_h, pitch * SCALE):
            cv2.line(lines_mask, (0, int(y)), (sheet_w, int(y)), 1.0, thickness, cv2.LINE_AA)
        if left > 30 * unit:
            margin_x = int((left - rng.uniform(20 * unit, min(60 * unit, left - 5 * unit))) * SCALE)
            cv2.line(lines_mask, (margin_x, 0), (margin_x, sheet_h), 1.0, thickness, cv2.LINE_AA)
        sheet = sheet * (1 - lines_mask[..., None]) + (sheet * rule) * lines_mask[..., None]

    # A small printed word in the band above the first line of digits (a printed notebook header).
    word = WORDS[int(rng.integers(len(WORDS)))]
    cap = rng.uniform(9, 14) * unit * SCALE
    font = cv2.FONT_HERSHEY_SIMPLEX if rng.random() < 0.5 else cv2.FONT_HERSHEY_DUPLEX
    font_scale = cap / cv2.getTextSize("H", font, 1.0, 1)[0][1]
    (text_w, text_h), descent = cv2.getTextSize(word, font, font_scale, max(1, SCALE))
    text_x = int(rng.uniform(left * SCALE, max(left * SCALE + 1, sheet_w - right * SCALE - text_w)))
    text_y = int((top - rng.uniform(0.25, 0.4) * pitch) * SCALE)
    text = np.zeros((sheet_h, sheet_w), np.uint8)
    cv2.putText(text, word, (text_x, text_y), font, font_scale, 217, max(1, SCALE), cv2.LINE_AA)
    printed = text.astype(np.float32)[..., None] / 255
    sheet = sheet * (1 - printed) + 0.2 * printed

    digits = []
    for alpha, x, y, label, line, index in placed:
        x0, y0 = int(round((left + x) * SCALE)), int(round((top + y) * SCALE))
        h, w = alpha.shape
        colour = ink * rng.uniform(0.85, 1.1)
        region = sheet[y0 : y0 + h, x0 : x0 + w]
        a = alpha[..., None] * rng.uniform(0.85, 1.0)
        region[:] = region * (1 - a) + colour * a
        ys, xs = np.nonzero(alpha >= 0.5)
        points = np.stack([xs + x0, ys + y0], axis=1).astype(np.float32)
        digits.append(Digit(label, line, index, cv2.convexHull(points)))
    lines = ["".join(str(d.label) for d in digits if d.line == i) for i in range(len(counts))]
    centre = ((left + block_w / 2) * SCALE, (top + block_h / 2) * SCALE)
    x0, y0, x1, y1 = text_x, text_y - text_h, text_x + text_w, text_y + descent
    word_box = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]).reshape(-1, 1, 2)
    return sheet, digits, lines, centre, word_box


def make_scene(rng: np.random.Generator, frame: tuple[int, int], test_x: np.ndarray, test_y: np.ndarray) -> Scene:
    """The sheet laid on a table (rotated a little), lit unevenly, and the camera's rest pose."""
    fw, fh = frame
    sheet, digits, lines, centre, word_box = make_sheet(rng, frame, test_x, test_y)
    world_w, world_h = int(2.2 * fw * SCALE), int(2.2 * fh * SCALE)
    world_centre = np.array([world_w / 2, world_h / 2])
    angle = rng.uniform(-4, 4)
    place = cv2.getRotationMatrix2D(centre, angle, 1.0)
    place[:, 2] += world_centre - np.array(centre)
    # Content shift: the block need not sit in the middle of the view.
    shift = rng.uniform(-0.06, 0.06, 2) * np.array([fw, fh]) * SCALE
    place[:, 2] += shift

    world = table(rng, (world_h, world_w))
    if rng.random() < 0.75:  # the table's edge, with the darker floor beyond
        normal = rng.uniform(0, 2 * np.pi)
        direction = np.array([np.cos(normal), np.sin(normal)])
        distance = rng.uniform(0.42, 0.7) * (abs(direction[0]) * fw + abs(direction[1]) * fh) * SCALE
        yy, xx = np.mgrid[0:world_h, 0:world_w].astype(np.float32)
        beyond = ((xx - world_centre[0]) * direction[0] + (yy - world_centre[1]) * direction[1]) > distance
        floor = rng.uniform(0.08, 0.16) * (1 + 0.1 * smooth_noise(rng, (world_h, world_w), 30 * SCALE))
        world[beyond] = floor[beyond][:, None] * np.array([1.0, 1.0, 1.05], np.float32)

    warp = cv2.warpAffine(np.ones(sheet.shape[:2], np.float32), place, (world_w, world_h), flags=cv2.INTER_LINEAR)
    shadow = cv2.GaussianBlur(np.roll(warp, (3 * SCALE, 4 * SCALE), axis=(0, 1)), (0, 0), 4 * SCALE)
    world *= (1 - 0.45 * shadow)[..., None]
    sheet_world = cv2.warpAffine(sheet, place, (world_w, world_h), flags=cv2.INTER_LINEAR)
    world = world * (1 - warp[..., None]) + sheet_world * warp[..., None]
    for digit in digits:
        digit.hull = cv2.transform(digit.hull, place).astype(np.float32)

    world = light_world(rng, world, frame)
    base = rest_pose(rng, world_centre, frame)
    h, w = sheet.shape[:2]
    corners = cv2.transform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2), place)
    return Scene(world.astype(np.float32), digits, lines, base, corners, cv2.transform(word_box, place))


def light_world(rng: np.random.Generator, world: np.ndarray, frame: tuple[int, int]) -> np.ndarray:
    """Uneven light on the world (float32 BGR, SCALE px per frame px, centred on the view): a
    gradient across the desk and maybe the soft shadow of something off-frame; then a slight blur
    so that nothing aliases when it is projected down to the frame."""
    fw, fh = frame
    world_h, world_w = world.shape[:2]
    world_centre = np.array([world_w / 2, world_h / 2])
    yy, xx = np.mgrid[0:world_h, 0:world_w].astype(np.float32)
    theta = rng.uniform(0, 2 * np.pi)
    ramp = ((xx - world_centre[0]) * np.cos(theta) + (yy - world_centre[1]) * np.sin(theta)) / (fw * SCALE)
    light = 1.0 - rng.uniform(0.15, 0.4) * (ramp + 0.5).clip(0, 1.2)
    if rng.random() < 0.7:
        shade = np.zeros((world_h, world_w), np.float32)
        cx, cy = world_centre + rng.uniform(-0.6, 0.6, 2) * np.array([fw, fh]) * SCALE
        axes = (int(rng.uniform(0.3, 0.7) * fw * SCALE), int(rng.uniform(0.3, 0.7) * fh * SCALE))
        cv2.ellipse(shade, (int(cx), int(cy)), axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        shade = cv2.GaussianBlur(shade, (0, 0), rng.uniform(20, 50) * SCALE)
        light *= 1 - rng.uniform(0.15, 0.35) * shade
    return cv2.GaussianBlur(world * light[..., None], (0, 0), 0.5 * SCALE)


def rest_pose(rng: np.random.Generator, world_centre: np.ndarray, frame: tuple[int, int]) -> np.ndarray:
    """The camera at rest, a 3x3 world -> frame homography: world centre -> frame centre, 1/SCALE,
    a little roll and perspective."""
    fw, fh = frame
    rest = cv2.getRotationMatrix2D(tuple(world_centre), rng.uniform(-2, 2), 1.0 / SCALE)
    rest[:, 2] += np.array([fw / 2, fh / 2]) - world_centre
    corners = np.float32([[0, 0], [fw, 0], [fw, fh], [0, fh]])
    tilt = rng.uniform(0.02, 0.06) * min(fw, fh)
    skew = np.float32(rng.uniform(-1, 1, (4, 2)) * tilt)
    perspective = cv2.getPerspectiveTransform(corners, corners + skew)
    return perspective @ np.vstack([rest, [0, 0, 1]])


def make_optics(rng: np.random.Generator) -> dict:
    """The camera's focus blur (px), vignetting, exposure gain and sensor noise, for expose()."""
    return {
        "blur": rng.uniform(0.6, 1.4), "vignette": rng.uniform(0.15, 0.35), "exposure": rng.uniform(0.9, 1.08),
        "read_noise": rng.uniform(1.5, 3.0), "shot_noise": rng.uniform(0.02, 0.06),
    }


# --- the camera, the hand and the sensor ----------------------------------------------------


def make_motion(rng: np.random.Generator, frames: int, frame: tuple[int, int]) -> Motion:
    unit = frame[1] / REFERENCE_HEIGHT
    drift = np.array([[rng.uniform(4, 18) * unit, rng.uniform(0.1, 0.5)] for _ in range(2)])
    shake = np.cumsum(rng.normal(0, 0.35 * unit, (frames + 20, 2)), axis=0)
    shake = cv2.GaussianBlur(shake.astype(np.float32), (1, 0), 2.0, borderType=cv2.BORDER_REFLECT)[10 : frames + 10]
    shake -= shake.mean(axis=0)
    return Motion(
        drift=drift,
        phases=rng.uniform(0, 2 * np.pi, 4),
        roll=(rng.uniform(0.3, 1.5), rng.uniform(0.1, 0.4)),
        zoom=(rng.uniform(0.01, 0.04), rng.uniform(0.05, 0.3)),
        shake=shake,
    )


def camera_at(scene: Scene, motion: Motion, index: int, frame: tuple[int, int]) -> np.ndarray:
    """World -> frame homography of frame `index`: the rest pose moved by the hand holding it."""
    t = index / FPS
    dx = motion.drift[0, 0] * np.sin(2 * np.pi * motion.drift[0, 1] * t + motion.phases[0])
    dy = motion.drift[1, 0] * np.sin(2 * np.pi * motion.drift[1, 1] * t + motion.phases[1])
    roll = motion.roll[0] * np.sin(2 * np.pi * motion.roll[1] * t + motion.phases[2])
    zoom = 1 + motion.zoom[0] * np.sin(2 * np.pi * motion.zoom[1] * t + motion.phases[3])
    move = cv2.getRotationMatrix2D((frame[0] / 2, frame[1] / 2), roll, zoom)
    move[:, 2] += (dx, dy) + motion.shake[index]
    return np.vstack([move, [0, 0, 1]]) @ scene.base


def make_hand(rng: np.random.Generator, frames: int, frame: tuple[int, int]) -> Hand | None:
    if frames < 20 or rng.random() < 0.35:
        return None
    duration = frames / FPS
    start = rng.uniform(0, 0.4) * duration
    unit = frame[1] / REFERENCE_HEIGHT
    size = rng.uniform(170, 240) * unit
    return Hand(
        edge=["left", "right", "bottom", "top"][int(rng.integers(4))],
        along=rng.uniform(0.2, 0.8),
        angle=rng.uniform(-25, 25),
        size=size,
        reach=rng.uniform(0.25, 0.45) * min(frame),
        start=start,
        stop=start + rng.uniform(0.4, 0.8) * duration,
        colour=np.array(SKIN[int(rng.integers(len(SKIN)))], np.float32) * rng.uniform(0.9, 1.1),
    )


def hand_mask(hand: Hand, index: int, frame: tuple[int, int]) -> np.ndarray | None:
    """The hand's coverage (float32 0..1, frame size) in frame `index`, or None when out of view."""
    t = index / FPS
    ramp = 0.6
    if not hand.start < t < hand.stop:
        return None
    presence = min(1.0, (t - hand.start) / ramp, (hand.stop - t) / ramp)
    presence = presence * presence * (3 - 2 * presence)  # smoothstep
    fw, fh = frame
    normals = {"left": (1, 0), "right": (-1, 0), "bottom": (0, -1), "top": (0, 1)}
    entry = {"left": (0, hand.along * fh), "right": (fw, hand.along * fh),
             "bottom": (hand.along * fw, fh), "top": (hand.along * fw, 0)}[hand.edge]
    angle = np.deg2rad(hand.angle + 3 * np.sin(2 * np.pi * 0.7 * t))
    nx, ny = normals[hand.edge]
    inward = np.array([nx * np.cos(angle) - ny * np.sin(angle), nx * np.sin(angle) + ny * np.cos(angle)])
    side = np.array([-inward[1], inward[0]])
    L = hand.size
    wrist = np.array(entry) + inward * (presence * hand.reach - 0.95 * L)

    def at(u: float, v: float) -> tuple[int, int]:  # hand coordinates (across, along) -> 2x frame px
        p = wrist + u * L * side + v * L * inward
        return int(round(2 * p[0])), int(round(2 * p[1]))

    big = np.zeros((2 * fh, 2 * fw), np.uint8)
    cv2.line(big, at(0, -1.5), at(0, 0.1), 255, int(0.46 * L * 2))  # forearm, out of the frame
    cv2.ellipse(big, at(0, 0.35), (int(0.28 * L * 2), int(0.3 * L * 2)),
                float(np.degrees(np.arctan2(inward[1], inward[0]))), 0, 360, 255, -1)
    for across, length, spread in ((-0.18, 0.3, -8), (-0.06, 0.4, -3), (0.06, 0.38, 3), (0.18, 0.3, 8)):
        tip = (across + length * np.sin(np.deg2rad(spread)), 0.55 + length * np.cos(np.deg2rad(spread)))
        width = int(0.1 * L * 2)
        cv2.line(big, at(across, 0.55), at(*tip), 255, width)
        cv2.circle(big, at(*tip), width // 2, 255, -1)
    thumb = (0.45, 0.5)
    cv2.line(big, at(0.2, 0.25), at(*thumb), 255, int(0.11 * L * 2))
    cv2.circle(big, at(*thumb), int(0.11 * L), 255, -1)
    mask = cv2.resize(big, (fw, fh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    return cv2.GaussianBlur(mask, (0, 0), 1.0) if mask.any() else None


def expose(
    view: np.ndarray, hand: Hand | None, mask: np.ndarray | None, index: int, optics: dict, rng: np.random.Generator
) -> np.ndarray:
    """The projected world as the webcam records it: hand, vignette, exposure, blur, noise -> uint8."""
    fh, fw = view.shape[:2]
    if mask is not None and hand is not None:
        offset = np.float32([[1, 0, 0.05 * hand.size], [0, 1, 0.07 * hand.size]])
        shadow = cv2.GaussianBlur(cv2.warpAffine(mask, offset, (fw, fh)), (0, 0), 0.06 * hand.size)
        view = view * (1 - 0.4 * shadow)[..., None]
        yy = np.linspace(-1, 1, fh, dtype=np.float32)[:, None]
        shading = 0.88 + 0.12 * np.cos(yy * 2 + 0.3) + np.zeros((1, fw), np.float32)
        skin = hand.colour * shading[..., None]
        view = view * (1 - mask[..., None]) + skin * mask[..., None]
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    radius = ((xx - fw / 2) ** 2 + (yy - fh / 2) ** 2) / ((fw / 2) ** 2 + (fh / 2) ** 2)
    gain = optics["exposure"] * (1 + 0.02 * np.sin(2 * np.pi * 0.4 * index / FPS))
    view = view * ((1 - optics["vignette"] * radius) * gain)[..., None] * 255
    view = cv2.GaussianBlur(view, (0, 0), optics["blur"])
    noise_sd = np.sqrt(optics["read_noise"] ** 2 + optics["shot_noise"] * view.clip(0, 255))
    view = view + rng.normal(0, 1, view.shape).astype(np.float32) * noise_sd
    return view.clip(0, 255).astype(np.uint8)


def project_box(hull: np.ndarray, homography: np.ndarray) -> tuple[int, int, int, int]:
    """The frame-pixel bounding box (x, y, w, h) of an ink hull, pixel centres inclusive."""
    points = cv2.perspectiveTransform(hull.reshape(-1, 1, 2).astype(np.float64), homography).reshape(-1, 2)
    x0, y0 = np.floor(points.min(axis=0) + 0.5).astype(int)
    x1, y1 = np.floor(points.max(axis=0) + 0.5).astype(int)
    return int(x0), int(y0), int(x1 - x0 + 1), int(y1 - y0 + 1)


def _inside(box: tuple[int, int, int, int], frame: tuple[int, int], margin: float) -> bool:
    x, y, w, h = box
    return x >= margin and y >= margin and x + w <= frame[0] - margin and y + h <= frame[1] - margin


# --- writing ------------------------------------------------------------------------------------


class VideoSink:
    """H.264 through ffmpeg's stdin when available (what webcams and phones produce), else mp4v."""

    def __init__(self, path: Path, frame: tuple[int, int], crf: int, codec: str) -> None:
        self.process: subprocess.Popen | None = None
        self.writer: cv2.VideoWriter | None = None
        use_x264 = codec == "x264" or (codec == "auto" and shutil.which("ffmpeg") is not None)
        if use_x264:
            if shutil.which("ffmpeg") is None:
                raise UserError("--codec x264 needs ffmpeg on the PATH")
            command = [
                "ffmpeg", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
                "-s", f"{frame[0]}x{frame[1]}", "-r", str(FPS), "-i", "-", "-c:v", "libx264",
                "-preset", "medium", "-crf", str(crf), "-pix_fmt", "yuv420p", "-threads", "1",
                "-movflags", "+faststart", str(path),
            ]  # one thread: the same bytes on every machine; faststart: the index first, as streamed
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE)
        else:
            self.writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, frame)
            if not self.writer.isOpened():
                raise UserError(f"cannot write video {path}")

    def write(self, image: np.ndarray) -> None:
        if self.process is not None:
            self.process.stdin.write(image.tobytes())
        else:
            self.writer.write(image)

    def close(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            if self.process.wait() != 0:
                raise UserError("ffmpeg failed to encode the clip")
        else:
            self.writer.release()


def make_clip(
    out: Path, clip: int, seed: int, frames: int, frame: tuple[int, int], test_x: np.ndarray,
    test_y: np.ndarray, codec: str,
) -> dict:
    """Render, encode and describe one clip; returns its ground truth (also written as JSON)."""
    rng = np.random.default_rng([seed, clip])
    for _ in range(LAYOUT_ATTEMPTS):  # re-draw until every digit stays in view through the motion
        scene = make_scene(rng, frame, test_x, test_y)
        motion = make_motion(rng, frames, frame)
        cameras = [camera_at(scene, motion, i, frame) for i in range(frames)]
        boxes = [[project_box(d.hull, h) for d in scene.digits] for h in cameras]
        if all(_inside(b, frame, MIN_CLEARANCE) for per_frame in boxes for b in per_frame):
            break
    else:
        raise UserError(f"no layout keeps the digits inside a {frame[0]}x{frame[1]} frame; try a larger --size")
    hand = make_hand(rng, frames, frame)
    optics = make_optics(rng)
    crf = int(rng.integers(23, 31))
    name = f"clip_{clip:02d}"
    sink = VideoSink(out / f"{name}.mp4", frame, crf, codec)
    records = []
    try:
        for index, homography in enumerate(cameras):
            view = cv2.warpPerspective(scene.world, homography, frame, flags=cv2.INTER_LINEAR,
                                       borderMode=cv2.BORDER_REPLICATE)
            mask = hand_mask(hand, index, frame) if hand is not None else None
            sink.write(expose(view, hand, mask, index, optics, rng))
            near = cv2.dilate((mask > 0.02).astype(np.uint8), np.ones((9, 9), np.uint8)) if mask is not None else None
            digits, hidden_lines = [], set()
            for digit, box in zip(scene.digits, boxes[index]):
                x, y, w, h = box
                occluded = bool(near is not None and near[y : y + h, x : x + w].any())
                if occluded:
                    hidden_lines.add(digit.line)
                digits.append({"box": list(box), "label": digit.label, "line": digit.line, "occluded": occluded})
            numbers = [None if i in hidden_lines else text for i, text in enumerate(scene.lines)]
            sheet = cv2.perspectiveTransform(scene.sheet.astype(np.float64), homography).reshape(-1, 2)
            records.append({
                "frame": index, "digits": digits, "numbers": numbers,
                "sheet": [[round(float(x), 1), round(float(y), 1)] for x, y in sheet],
                "word": list(project_box(scene.word, homography)),
                "hand": [int(v) for v in cv2.boundingRect((mask > 0.02).astype(np.uint8))] if mask is not None else None,
            })
    finally:
        sink.close()
    truth = {
        "video": f"{name}.mp4", "size": list(frame), "fps": FPS, "seed": seed, "clip": clip,
        "frames_count": frames, "crf": crf if sink.process is not None else None, "lines": scene.lines,
        "digits": [{"label": d.label, "line": d.line, "mnist_test_index": d.mnist_index} for d in scene.digits],
        "frames": records,
    }
    (out / f"{name}.json").write_text(json.dumps(truth, separators=(",", ":")) + "\n")
    return truth


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        (_, _), (test_x, test_y) = load_mnist(args.data)
        args.out.mkdir(parents=True, exist_ok=True)
        for clip in range(args.clips):
            truth = make_clip(args.out, clip, args.seed, args.frames, args.size, test_x, test_y, args.codec)
            print(f"{args.out / truth['video']}: {len(truth['frames'])} frames, numbers {' '.join(truth['lines'])}")
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    run_main(main)
