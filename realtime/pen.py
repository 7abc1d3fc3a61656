"""Real pen trajectories (the pen-dev UNIPEN digits) drawn through the app's own canvas path.

Draw mode never sees a scanned MNIST image: it sees strokes painted by `Canvas` at the brush the
user has, cut out by the shared digit finder and brought to 28x28 by `to_mnist`. So the pen data is
rendered exactly that way, for training and for `scripts/evaluate_draw.py` alike: a sample's
strokes are scaled into the canvas keeping their aspect ratio, painted stroke by stroke with
`Canvas.begin/extend/end`, found with `CANVAS_SETTINGS` and passed through `to_mnist`.

The data (`$PEN_DEV_DIR/unipen-dev.jsonl`, see its README) is other people's: it is read from its
folder, never copied. Writers are split by CONTRIBUTOR (the site that collected them), so that
validation writers are never trained on and come from another collection than the training ones:
`ibm` (22 writers, 1,503 digits, 23.8% of the set) is the validation contributor.

Stroke-level style augmentation (`style`) adds what MNIST lacks and the pen data has too little
of: strong slant, flagged and footed 1s, crossed 7s, thick and thin pens.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from realtime.canvas import MAX_BRUSH, MIN_BRUSH, Canvas, default_brush
from realtime.errors import UserError
from realtime.preprocess import to_mnist
from realtime.segment import CANVAS_SETTINGS, find_digits

ENV = "PEN_DEV_DIR"
FILE_NAME = "unipen-dev.jsonl"
#: Validation contributor(s): fixed, so every figure is on the same never-trained-on writers.
VALIDATION_CONTRIBUTORS = ("ibm",)


@dataclass(frozen=True)
class PenDigit:
    """One pen-written digit: strokes as float arrays (K, 2) of (x, y), y down, tablet units."""

    label: int
    writer: str
    strokes: tuple[np.ndarray, ...]
    line: int = 0  # in the file, from 1 (0: not from the file)

    @property
    def contributor(self) -> str:
        return self.writer.split("-", 1)[0]

    @property
    def damaged(self) -> bool:
        """Whether the sample is one of DAMAGED_LINES: part of the digit is missing."""
        return self.line in DAMAGED_LINES


#: Lines of unipen-dev.jsonl (md5 df123388300225e5baf544b1e4aec820) whose digit lost part of its
#: strokes in the collection's segmentation: a "4" that is only its stem or only its "L", an "8"
#: that is one ring, a "0" or "1" that is a single dash or bar. Found by looking at every validation
#: digit the app missed (docs/pen_dev_audit.md); no reader can read them as labelled without
#: misreading the digits they look like, so the figures say how the app reads the rest too.
DAMAGED_LINES = frozenset({
    4807, 4810, 4811, 4813, 4860, 4864, 4865, 5010, 5050, 5055, 5112, 5179, 5180, 5252, 5316, 5381,
    5383, 5385, 5787, 5788, 5868, 5873, 6053, 6139, 6140, 6141, 6142, 6143, 6236, 6237, 6239,
})


def data_dir(folder: str | os.PathLike | None = None) -> Path:
    """The pen-dev folder: `folder`, else $PEN_DEV_DIR. UserError (one line) if unset or missing."""
    chosen = folder or os.environ.get(ENV)
    if not chosen:
        raise UserError(f"no pen-dev data: pass its folder or set {ENV}")
    path = Path(chosen)
    if not (path / FILE_NAME).is_file():
        raise UserError(f"pen-dev file not found: {path / FILE_NAME}")
    return path


def load(folder: str | os.PathLike | None = None) -> list[PenDigit]:
    """Every digit of `folder/unipen-dev.jsonl`, in file order. UserError on a malformed line."""
    path = data_dir(folder) / FILE_NAME
    samples = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                row = json.loads(line)
                strokes = tuple(np.asarray(s, np.float32).reshape(-1, 2) for s in row["strokes"] if len(s))
                label = int(row["label"])
                if not strokes or not 0 <= label <= 9:
                    raise ValueError("no strokes or a label outside 0-9")
                samples.append(PenDigit(label, str(row["writer"]), strokes, number))
            except (ValueError, KeyError, TypeError) as exc:
                raise UserError(f"{path}:{number}: not a pen digit ({exc})") from None
    return samples


def split(samples: list[PenDigit]) -> tuple[list[PenDigit], list[PenDigit]]:
    """(training, validation) by contributor: VALIDATION_CONTRIBUTORS' writers are validation."""
    val = [s for s in samples if s.contributor in VALIDATION_CONTRIBUTORS]
    return [s for s in samples if s.contributor not in VALIDATION_CONTRIBUTORS], val


def style(strokes: tuple[np.ndarray, ...], label: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """A restyled copy: slant (shear +-0.45), rotation +-8 deg, width 0.75-1.3x, point jitter, and
    for 1s a flag (30%, up to 0.6 of the height: the continental 1 a "7" must not swallow) or foot
    (15%), for 7s a crossbar (30%), for 0s a bar or slash through the middle (20%: the barred zero
    of programmers and engineers, which MNIST lacks). Units as the input."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    height = max(float(high[1] - low[1]), 1.0)
    centre = (low + high) / 2
    angle = np.radians(rng.uniform(-8, 8))
    shear = rng.uniform(-0.45, 0.45)
    linear = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    linear = linear @ np.array([[rng.uniform(0.75, 1.3), shear], [0.0, 1.0]])
    extra: list[np.ndarray] = []
    top = points[points[:, 1].argmin()]
    bottom = points[points[:, 1].argmax()]
    if label == 1 and rng.random() < 0.3:  # continental flag: from the top down to the left
        length = height * rng.uniform(0.2, 0.6)
        tilt = np.radians(rng.uniform(20, 60))
        extra.append(np.stack([top + [-length * np.cos(tilt), length * np.sin(tilt)], top]))
    if label == 1 and rng.random() < 0.15:  # a foot: a short base line
        half = height * rng.uniform(0.15, 0.3)
        extra.append(np.stack([bottom - [half, 0], bottom + [half, 0]]))
    if label == 7 and rng.random() < 0.3:  # a crossed 7: a bar through the stem's middle
        mid_y = low[1] + height * rng.uniform(0.45, 0.6)
        near = points[np.abs(points[:, 1] - mid_y).argmin()]
        half = height * rng.uniform(0.15, 0.25)
        extra.append(np.stack([near - [half, 0], near + [half, 0]]))
    if label == 0 and rng.random() < 0.2:  # a barred zero: a line through the middle, level or slashed
        reach = rng.uniform(0.3, 0.6)  # half the line, as a fraction of the digit's width / height
        half = np.array([(high[0] - low[0]) * reach, height * reach * rng.choice((0.0, 1.0))])
        extra.append(np.stack([centre - half * [1, -1], centre + half * [1, -1]]))
    jitter = height * 0.006
    return tuple(
        ((s - centre) @ linear.T + centre + rng.normal(0, jitter, s.shape)).astype(np.float32)
        for s in (*strokes, *extra)
    )


def place(
    strokes: tuple[np.ndarray, ...], size: int, height_frac: float, centre: tuple[float, float] | None = None
) -> list[np.ndarray]:
    """Strokes scaled (aspect kept) so the taller side is `height_frac` of a `size` px canvas, at
    `centre` (canvas px, default its middle); int32 (K, 2) arrays of canvas pixels."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = max(float((high - low).max()), 1.0)
    scale = height_frac * size / extent
    middle = np.asarray(centre if centre is not None else (size / 2, size / 2), np.float32)
    return [np.round((s - (low + high) / 2) * scale + middle).astype(np.int32) for s in strokes]


def paint(canvas: Canvas, strokes: list[np.ndarray]) -> None:
    """Paint canvas-pixel strokes the way the window's mouse drags do: begin, extend..., end."""
    for stroke in strokes:
        canvas.begin((int(stroke[0][0]), int(stroke[0][1])))
        for x, y in stroke[1:]:
            canvas.extend((int(x), int(y)))
        canvas.end()


def crop_input(ink: np.ndarray) -> np.ndarray | None:
    """The model's input for a canvas holding ONE drawing: the finder's candidate, or the whole ink
    when the finder splits it (as the app would show it in pieces). (28, 28) float32 or None."""
    candidates = [c for c in find_digits(ink, CANVAS_SETTINGS) if c.accepted]
    if len(candidates) == 1:
        return to_mnist(candidates[0].mask)
    return to_mnist(ink.astype(np.uint8) * 255) if np.any(ink) else None


def render(
    strokes: tuple[np.ndarray, ...],
    size: int = 448,
    brush: int | None = None,
    height_frac: float = 0.6,
) -> np.ndarray | None:
    """One drawing on a fresh `size` px canvas at `brush` px (default: the app's), to the model's
    (28, 28) float32 input; None if nothing usable was drawn."""
    canvas = Canvas(size, brush=brush or 0)
    paint(canvas, place(strokes, size, height_frac))
    return crop_input(canvas.image > 127)


def random_brush(size: int, rng: np.random.Generator) -> int:
    """A brush a user may have: the default, or stepped with +/- from thin pen to felt-tip."""
    return int(np.clip(round(default_brush(size) * rng.uniform(0.3, 2.2)), MIN_BRUSH, MAX_BRUSH))


def render_training(samples: list[PenDigit], copies: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`copies` restyled renderings of each sample: random canvas (280/448 px), brush and size.

    uint8 (N, 28, 28) images and int labels; drawings the finder loses are dropped.
    """
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for _ in range(copies):
        for sample in samples:
            size = int(rng.choice((280, 448)))
            image = render(style(sample.strokes, sample.label, rng), size, random_brush(size, rng),
                           float(rng.uniform(0.25, 0.85)))
            if image is not None:
                images.append(np.round(image * 255).astype(np.uint8))
                labels.append(sample.label)
    return np.stack(images), np.asarray(labels, np.int64)
