"""Fit the "is this a digit at all?" check that sits beside the model (realtime/typicality.py).

    python scripts/fit_typicality.py --data ../shared/data/mnist

Per-class PCA of the training split (the same seeded split as scripts/train.py), after the app's
own `to_mnist`; the threshold is the --keep percentile of the reconstruction errors of the
validation split, read through the model as the app reads them. Never looks at the test set.
Writes models/digits_typical.npz and prints what it rejects: validation digits and scribbles
(seeds the training never used).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from train import split  # noqa: E402  (scripts/ is on sys.path)

from realtime.classifier import DEFAULT_MODEL, Classifier  # noqa: E402
from realtime.errors import run_main  # noqa: E402
from realtime.mnist import load_mnist  # noqa: E402
from realtime.manifest import write_manifest  # noqa: E402
from realtime.preprocess import to_mnist  # noqa: E402
from realtime.training import SCRIBBLE_KINDS, draw_scribble, redraw  # noqa: E402
from realtime.typicality import Typicality, fit  # noqa: E402


#: Percentiles of validation digits kept for which the report gives the scribbles rejected.
TRADE_OFF = (99.0, 99.5, 99.8, 99.9)


def through_app(images: np.ndarray) -> np.ndarray:
    """MNIST digits as the app would feed them to the model: through to_mnist."""
    return np.stack([to_mnist(image) for image in images])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MNIST folder (default $MNIST_DIR, else Keras' download)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--components", type=int, default=30, help="principal axes per class")
    parser.add_argument("--keep", type=float, default=99.9, help="percentile of validation digits kept")
    parser.add_argument("--val-size", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=0, help="the split's seed (as in train.py)")
    parser.add_argument("--limit", type=int, default=0, help="use only this many training images (tests)")
    args = parser.parse_args(argv)

    (train_x, train_y), _ = load_mnist(args.data)
    if args.limit:
        train_x, train_y = train_x[: args.limit], train_y[: args.limit]
    fit_x, fit_y, val_x, _ = split(train_x, train_y, min(args.val_size, len(train_x) // 5), args.seed)
    # The subspaces learn scanned and redrawn digits alike, so a digit's pen or size is no surprise.
    rng = np.random.default_rng(args.seed)
    means, bases = fit(np.concatenate([through_app(fit_x), redraw(fit_x, rng)]),
                       np.concatenate([fit_y, fit_y]), args.components)

    model = Classifier(args.model)
    val = redraw(val_x, rng)  # as users draw them: the check must not reject their digits
    val_errors = Typicality(means, bases, 0.0).errors(val, model.predict(val).argmax(axis=1))
    check = Typicality(means, bases, float(np.percentile(val_errors, args.keep)))

    scribbles, kinds = [], []
    for i in range(1000):
        canvas = np.zeros((96, 96), np.uint8)
        kinds.append(draw_scribble(canvas, np.random.default_rng(20_000 + i)))
        scribbles.append(to_mnist(canvas))
    scribbles = np.stack(scribbles)
    probs = model.predict(scribbles)
    scribble_errors = check.errors(scribbles, probs.argmax(axis=1))
    rejected = scribble_errors > check.threshold
    kinds_a = np.array(kinds)

    out = args.model.with_name(args.model.stem + "_typical.npz")
    check.save(out)
    write_manifest(args.model)  # the companion is listed with the model files it was fitted for
    report = {
        "command": "python scripts/fit_typicality.py" + "".join(f" {a}" for a in (argv or sys.argv[1:])),
        "components": args.components,
        "threshold": round(check.threshold, 4),
        "validation_digits_rejected": round(float(np.mean(val_errors > check.threshold)), 4),
        "validation_digits_rejected_as_scanned": round(float(np.mean(check.atypical(
            through_app(val_x), model.predict(through_app(val_x)).argmax(axis=1)))), 4),
        "scribbles_rejected": round(float(np.mean(rejected)), 4),
        "scribbles_rejected_with_confidence_0.5": round(float(np.mean(rejected | (probs.max(axis=1) < 0.5))), 4),
        "scribbles_rejected_by_keep": {  # the trade-off: validation digits kept -> scribbles rejected
            f"{keep}%": round(float(np.mean(scribble_errors > np.percentile(val_errors, keep))), 4)
            for keep in TRADE_OFF
        },
        "scribbles_rejected_by_kind": {
            kind: round(float(np.mean(rejected[kinds_a == kind])), 4) for kind in SCRIBBLE_KINDS if np.any(kinds_a == kind)
        },
    }
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    run_main(main)
