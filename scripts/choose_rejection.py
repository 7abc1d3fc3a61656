"""Choose the "not a digit" threshold (realtime.reading.NOT_A_DIGIT) on validation data only.

    python scripts/choose_rejection.py --data ../shared/data/mnist --pen ../shared/data/pen-dev

For each candidate threshold on the model's "not a digit" probability (1 - the sum of its ten digit
probabilities) it prints how many held-out real digits would be called "not a digit" and how many
held-out generated non-digits would be turned down (called "not a digit", or the top digit's share
of the digit probabilities below MIN_CONFIDENCE),
on the validation sets train.py chooses its epoch on: held-out MNIST (scanned and redrawn), the
pen-dev validation writers rendered through the canvas at three sizes and brushes, and
non-digits in held-out fonts and cut from validation writers. The rule: the threshold that turns
down the most non-digits while calling at most 0.3% of the real validation digits "not a digit"
(the target's own bound), the rate being the mean of the two sets' rates: the 12,000 MNIST images
must not drown the real pen writers (as in the temperature fit, realtime.calibration).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from realtime.errors import run_main  # noqa: E402

THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
MAX_REFUSED = 0.003


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MNIST folder (default $MNIST_DIR)")
    parser.add_argument("--pen", help="pen-dev folder (default $PEN_DEV_DIR)")
    parser.add_argument("--model", default="models/digits.keras")
    parser.add_argument("--seed", type=int, default=0, help="train.py's seed: the same held-out split")
    args = parser.parse_args(argv)

    from train import split, validation_sets

    from realtime import pen
    from realtime.classifier import Classifier
    from realtime.mnist import load_mnist
    from realtime.reading import MIN_CONFIDENCE
    from realtime.training import redraw

    (train_x, train_y), _ = load_mnist(args.data)
    _, _, val_x, val_y = split(train_x, train_y, 6000, args.seed)
    pen_val = pen.split(pen.load(args.pen))[1]
    sets = validation_sets(val_x, val_y, pen_val, 2000, args.seed, redraw)
    rng = np.random.default_rng(args.seed + 3)
    extra = [pen.render(s.strokes, size, brush, frac) for s in pen_val
             for size, brush, frac in ((280, pen.random_brush(280, rng), 0.3), (448, pen.random_brush(448, rng), 0.85))]
    pens = np.concatenate([sets["pen"][0], np.stack([e for e in extra if e is not None])])
    model = Classifier(args.model)
    mnist, written = model.predict(sets["mnist"][0]), model.predict(pens)
    fake = model.predict(sets["non-digits"][0])
    print(f"{len(mnist)} MNIST validation digits (held out, scanned + redrawn), {len(written)} of pen-dev "
          f"{', '.join(pen.VALIDATION_CONTRIBUTORS)} (three sizes), {len(fake)} validation non-digits\n")
    print("| threshold | MNIST digits called \"not a digit\" | pen digits | mean | non-digits turned down |")
    print("| --- | --- | --- | --- | --- |")
    best = None
    for threshold in THRESHOLDS:
        rates = [np.mean(1 - probs.sum(axis=1) > threshold) for probs in (mnist, written)]
        refused = float(np.mean(rates))
        # As decide() names: "not a digit" above the threshold, else the digits' own share decides.
        sure = fake.max(axis=1) / np.maximum(fake.sum(axis=1), 1e-9) >= MIN_CONFIDENCE
        turned = np.mean((1 - fake.sum(axis=1) > threshold) | ~sure)
        print(f"| {threshold} | {rates[0]:.3%} | {rates[1]:.3%} | {refused:.3%} | {turned:.1%} |")
        if refused <= MAX_REFUSED and (best is None or turned > best[1]):
            best = (threshold, turned)
    print(f"\nchosen (most turned down with at most {MAX_REFUSED:.1%} of digits refused): {best}")
    if model.typicality is not None:
        odd_mnist = model.typicality.atypical(sets["mnist"][0], mnist.argmax(axis=1))
        odd_pen = model.typicality.atypical(pens, written.argmax(axis=1))
        odd_fake = model.typicality.atypical(sets["non-digits"][0], fake.argmax(axis=1))
        print(f"the model's typicality check on top: calls {odd_mnist.mean():.3%} of the MNIST digits, "
              f"{odd_pen.mean():.3%} of the pen digits and {odd_fake.mean():.1%} of the non-digits \"not a digit\"")
    return 0


if __name__ == "__main__":
    run_main(main)
