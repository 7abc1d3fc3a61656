"""How well camera mode reads small digits: the validation behind WORK_MIN_SIDE and SMALL_DIGIT.

    python scripts/validate_small_digits.py                     # $MNIST_DIR, 3000 digits a height
    python scripts/validate_small_digits.py --no-enlarge        # the same, small frames read as they are
    python scripts/validate_small_digits.py --heights 8,12 --count 500

The digits are MNIST training images the model never trained on (the validation split of
scripts/train.py: 6,000 held out, seed 0), never the test set. Each is scaled so that its 20-px
box is `h` px high (cv2.INTER_AREA), drawn as dark ink (80% contrast) in rows of 8 on grey paper
with sensor noise, in a frame 3h high (a photo cropped to its row and scaled down), and the frame
is read by the real camera pipeline (FramePipeline, upright, no smoothing). A digit is found when
a box the model read holds its centre. Per height: found, named, named right and named wrong (as
shares of all digits), then among the digits found, the share the model's top class gets wrong
when only readings at or above each bar are kept, and the share so kept.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from realtime import camera_app  # noqa: E402
from realtime.camera_app import CameraOptions, FramePipeline  # noqa: E402
from realtime.errors import UserError  # noqa: E402
from realtime.reading import DigitResult  # noqa: E402

PER_ROW = 8
BARS = (0.5, 0.9, 0.95, 0.98)
DEFAULT_MODEL = ROOT / "models" / "digits.keras"


def row_frame(digits: np.ndarray, height: int, rng: np.random.Generator) -> tuple[np.ndarray, list[tuple]]:
    """A BGR frame with `digits` ((N, 28, 28) uint8 MNIST images) in a row, each 20-px box
    `height` px high, and each digit's ink box (x, y, w, h) in the frame."""
    side = max(1, round(28 * height / 20))
    pitch = round(1.5 * height) + 2
    width, frame_height = 2 * height + pitch * len(digits), 3 * height
    paper = np.full((frame_height, width), 225.0, np.float32) + rng.normal(0, 3, (frame_height, width))
    boxes = []
    for k, digit in enumerate(digits):
        ink = cv2.resize(digit.astype(np.float32) / 255, (side, side), interpolation=cv2.INTER_AREA)
        x0 = min(max(0, height + k * pitch - max(0, side - pitch) // 2), width - side)
        y0 = min(max(0, height - (side - height) // 2), frame_height - side)
        paper[y0 : y0 + side, x0 : x0 + side] *= 1 - 0.8 * ink
        ys, xs = np.nonzero(ink > 0.3)
        boxes.append((x0 + xs.min(), y0 + ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
                     if ys.size else (x0, y0, side, side))
    return cv2.cvtColor(np.clip(paper, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR), boxes


def reading_of(box: tuple, digits: list[DigitResult]) -> DigitResult | None:
    """The most confident reading whose box holds the centre of `box`, or None."""
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    hits = [d for d in digits if d.probs is not None
            and d.box[0] <= cx <= d.box[0] + d.box[2] and d.box[1] <= cy <= d.box[1] + d.box[3]]
    return max(hits, key=lambda d: d.confidence) if hits else None


def score_height(model, images: np.ndarray, labels: np.ndarray, height: int, seed: int) -> str:
    """One table row for digits drawn `height` px high."""
    pipeline = FramePipeline(model, CameraOptions(rotate=0, smoothing=False))
    rng = np.random.default_rng(seed)
    found, named, right, tops = 0, 0, 0, []  # tops: (confidence, top class right) of found digits
    for start in range(0, len(images), PER_ROW):
        frame, boxes = row_frame(images[start : start + PER_ROW], height, rng)
        digits = pipeline.process(frame, 0.0).reading.digits
        for box, label in zip(boxes, labels[start : start + PER_ROW]):
            read = reading_of(box, digits)
            if read is None:
                continue
            found += 1
            named += read.digit is not None
            right += read.digit == label
            if read.reason in (None, "low confidence"):
                tops.append((read.confidence, int(np.argmax(read.probs)) == label))
    n = len(images)
    cells = [f"{100 * found / n:.1f}", f"{100 * named / n:.1f}", f"{100 * right / n:.1f}", f"{100 * (named - right) / n:.2f}"]
    for bar in BARS:
        kept = [ok for conf, ok in tops if conf >= bar]
        cells.append(f"{100 * (len(kept) - sum(kept)) / max(1, len(kept)):.2f} / {100 * len(kept) / n:.1f}")
    return f"| {height} | " + " | ".join(cells) + " |"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DIR"), help="MNIST folder (default: $MNIST_DIR)")
    parser.add_argument("--heights", default="8,10,12,14,16,20,24,32", help="digit heights in px, comma-separated")
    parser.add_argument("--count", type=int, default=3000, help="validation digits a height (at most 6000)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--no-enlarge", action="store_true", help="read small frames at their size (no WORK_MIN_SIDE)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if not args.data:
            raise UserError("no MNIST folder: give --data or set MNIST_DIR")
        heights = [int(h) for h in args.heights.split(",")]
        if not heights or min(heights) < 4 or not 1 <= args.count <= 6000:
            raise UserError("--heights must be px heights of at least 4, --count 1 to 6000")
        from train import split

        from realtime.classifier import Classifier
        from realtime.mnist import load_mnist

        (train_x, train_y), _ = load_mnist(args.data)
        _, _, val_x, val_y = split(train_x, train_y, 6000, 0)
        model = Classifier(args.model)
    except (UserError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.no_enlarge:
        camera_app.WORK_MIN_SIDE = 1
    print(f"{args.count} held-out MNIST digits a height; small frames {'not ' if args.no_enlarge else ''}enlarged to "
          f"{camera_app.WORK_MIN_SIDE} px; wrong / kept at each bar are % of found / of all digits\n")
    print("| height (px) | found % | named % | named right % | named wrong % | "
          + " | ".join(f"at {bar}: wrong / kept %" for bar in BARS) + " |")
    print("| ---: " * (5 + len(BARS)) + "|")
    for height in heights:
        print(score_height(model, val_x[: args.count], val_y[: args.count], height, args.seed), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
