"""Train the digit CNN on MNIST + real pen digits + non-digits; write the model, its LiteRT copy and card.

    python scripts/train.py --data ../shared/data/mnist --pen ../shared/data/pen-dev   # the shipped model
    python scripts/train.py --limit 300 --epochs 1 --out /tmp/m.keras                  # a smoke run

The epoch is chosen on held-out data only: 6,000 MNIST training images, the pen-dev writers of the
validation contributor (realtime.pen.VALIDATION_CONTRIBUTORS, never trained on) and non-digits in
held-out fonts and cut from those writers. The MNIST test set is scored once, at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from realtime.errors import UserError, run_main  # noqa: E402
from realtime.machine import describe  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="folder with the four MNIST idx .gz files (default: $MNIST_DIR, "
                        "else Keras' download)")
    parser.add_argument("--out", default="models/digits.keras", help="where to write the .keras model")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (AdamW, cosine)")
    parser.add_argument("--val-size", type=int, default=6000, help="training images held out")
    parser.add_argument("--pen", help="pen-dev folder (default: $PEN_DEV_DIR)")
    parser.add_argument("--mnist-per-epoch", type=int, default=0,
                        help="MNIST training digits drawn per epoch (default 0: all of them)")
    parser.add_argument("--pen-copies", type=int, default=6,
                        help="restyled canvas renderings of each training pen digit in the pool")
    parser.add_argument("--pen-repeat", type=float, default=3.0,
                        help="pen digits per epoch, as a multiple of the training pen digits")
    parser.add_argument("--negatives", type=float, default=0.12,
                        help="non-digits per epoch, as a fraction of the MNIST training digits")
    parser.add_argument("--redrawn", type=float, default=0.5,
                        help="fraction of each epoch's digits redrawn through the app's to_mnist")
    parser.add_argument("--init", help="start from this trained digit model's weights (.keras; a 10-way "
                        "output layer gives the digit rows of the 11-way one)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0,
                        help="use only this many training images (smoke tests)")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch progress bar")
    return parser.parse_args(argv)


def split(images: np.ndarray, labels: np.ndarray, val_size: int, seed: int):
    """A fixed, seeded split of the training set into train and validation."""
    order = np.random.default_rng(seed).permutation(len(images))
    val, train = order[:val_size], order[val_size:]
    return images[train], labels[train], images[val], labels[val]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from realtime.mnist import load_mnist, md5_sums

    from realtime import negatives, pen

    (train_x, train_y), (test_x, test_y) = load_mnist(args.data)  # before TensorFlow: fail fast
    pen_train, pen_val = pen.split(pen.load(args.pen))

    import keras
    import tensorflow as tf

    from realtime.classifier import Classifier
    from realtime.export import export_tflite, top1_agreement
    from realtime.manifest import write_manifest
    from realtime.training import NOT_A_DIGIT, Sources, build_model, fit, initialise_from, redraw

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()

    if args.limit:
        train_x, train_y = train_x[: args.limit], train_y[: args.limit]
        test_x, test_y = test_x[: args.limit], test_y[: args.limit]
        pen_train, pen_val = pen_train[: args.limit // 4], pen_val[: args.limit // 4]
    val_size = min(args.val_size, len(train_x) // 5)
    fit_x, fit_y, val_x, val_y = split(train_x, train_y, val_size, args.seed)

    started = time.time()
    pen_x, pen_y = pen.render_training(pen_train, args.pen_copies, args.seed)
    per_epoch = args.mnist_per_epoch or len(fit_x)
    n_negatives = int(args.negatives * per_epoch)
    neg_x, _ = negatives.generate(3 * n_negatives, pen_train, args.seed)
    sources = Sources(fit_x, fit_y, per_epoch, pen_x, pen_y, int(args.pen_repeat * len(pen_train)), neg_x, n_negatives)
    validation = validation_sets(val_x, val_y, pen_val, n_negatives // 3, args.seed, redraw)
    print(f"data ready in {time.time() - started:.0f} s: {len(fit_x)} MNIST, {len(pen_x)} pen renderings "
          f"of {len(pen_train)} digits, {len(neg_x)} non-digits; validation "
          + ", ".join(f"{k} {len(v[1])}" for k, v in validation.items()), flush=True)

    model = build_model()
    if args.init:
        try:
            initialise_from(model, args.init)
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot start from {args.init}: {exc}") from None
    result = fit(
        model, sources, validation,
        epochs=args.epochs, learning_rate=args.lr, batch_size=args.batch_size, seed=args.seed,
        redrawn_fraction=args.redrawn,
        verbose=0 if args.quiet else (1 if sys.stdout.isatty() else 2),
    )

    calibration = calibrate(model, validation)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    lite = export_tflite(model, out.with_suffix(".tflite"))
    write_manifest(out)  # the app refuses model files that differ from their manifest

    test_input = test_x.astype(np.float32)[..., None] / 255.0
    keras_probs = model.predict(test_input, batch_size=512, verbose=0)[:, :NOT_A_DIGIT]
    lite_probs = Classifier(lite, backend="litert").predict(test_input)
    predicted = keras_probs.argmax(axis=1)
    card = {
        "model": out.name,
        "litert_model": lite.name,
        "architecture": _summary(model),
        "parameters": int(model.count_params()),
        "command": "python " + shlex.join(["scripts/train.py", *(argv if argv is not None else sys.argv[1:])]),
        "epochs_run": args.epochs,
        "best_epoch": result["best_epoch"],
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "redrawn_fraction": args.redrawn,
        "mnist_per_epoch": per_epoch,
        "pen_copies": args.pen_copies,
        "pen_repeat": args.pen_repeat,
        "negatives_fraction": args.negatives,
        "pen_split": {
            "validation_contributors": list(pen.VALIDATION_CONTRIBUTORS),
            "train_contributors": sorted({s.contributor for s in pen_train}),
            "train_writers": len({s.writer for s in pen_train}), "train_digits": len(pen_train),
            "validation_writers": len({s.writer for s in pen_val}), "validation_digits": len(pen_val),
        },
        "pen_md5": md5_file(pen.data_dir(args.pen) / pen.FILE_NAME),
        "non_digit_pool": int(len(neg_x)),
        "seed": args.seed,
        "init": {"path": args.init, "md5": md5_file(Path(args.init))} if args.init else None,
        "train_images": int(len(fit_x)),
        "validation_images": int(len(val_x)),
        "data_md5": md5_sums(args.data),
        "training_seconds": result["seconds"],
        "hardware": describe() + ", CPU only",
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__},
        "validation_accuracy": result["val_accuracy"],
        "calibration": calibration,
        "test_images": int(len(test_y)),
        "test_accuracy": float(np.mean(predicted == test_y)),
        "test_accuracy_litert": float(np.mean(lite_probs.argmax(axis=1) == test_y)),
        "litert_top1_agreement": top1_agreement(keras_probs, lite_probs),
        "per_class_test_accuracy": {
            str(d): float(np.mean(predicted[test_y == d] == d)) for d in range(10) if np.any(test_y == d)
        },
        "history": result["history"],
        "trained_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    out.with_name(out.stem + "_card.json").write_text(json.dumps(card, indent=2) + "\n")
    out.with_name(out.stem + "_card.md").write_text(render_card(card))
    print(
        f"best epoch {card['best_epoch']}/{args.epochs}: validation {_scores(card['validation_accuracy'])}, "
        f"test {card['test_accuracy']:.4%} (LiteRT {card['test_accuracy_litert']:.4%}, "
        f"top-1 agreement {card['litert_top1_agreement']:.4%}), {card['training_seconds']:.0f} s"
    )
    return 0


def calibrate(model, validation: dict) -> dict:
    """Temperature-scale `model` in place on the validation sets (realtime.calibration); the card's record."""
    from realtime.calibration import fit_temperature, scale_output_layer

    probs = {name: (model.predict(x[..., None], batch_size=512, verbose=0), y) for name, (x, y) in validation.items()}
    temperature, nll = fit_temperature(probs)
    scale_output_layer(model, temperature)
    print(f"temperature {temperature:g}: validation NLL " + ", ".join(
        f"{name} {v['nll_before']:.4f} -> {v['nll_after']:.4f}" for name, v in nll.items()), flush=True)
    return {"temperature": temperature, "validation_nll": nll}


def validation_sets(val_x, val_y, pen_val, n_negatives: int, seed: int, redraw) -> dict:
    """The held-out sets the epoch is chosen on: float32 (N, 28, 28) images and labels (10 = not a
    digit). "mnist": the held-out MNIST images as scanned plus the same redrawn once (the app's
    inputs); "pen": each validation writer's digit on the 448 px canvas at the app's brush, 60% of
    its height; "non-digits": generated in held-out fonts, fragments and pairs from validation writers."""
    from realtime import negatives, pen

    mnist = np.concatenate([val_x.astype(np.float32) / 255.0, redraw(val_x, np.random.default_rng(seed + 1))])
    rendered = [(pen.render(s.strokes), s.label) for s in pen_val]
    kept = [(image, label) for image, label in rendered if image is not None]
    neg, _ = negatives.generate(n_negatives, pen_val, seed + 2, negatives.HELD_OUT_FONTS)
    return {
        "mnist": (mnist, np.concatenate([val_y, val_y])),
        "pen": (np.stack([k[0] for k in kept]), np.asarray([k[1] for k in kept])),
        "non-digits": (neg.astype(np.float32) / 255.0, np.full(len(neg), 10)),
    }


def md5_file(path: Path) -> str:
    import hashlib

    return hashlib.md5(path.read_bytes()).hexdigest()


def _scores(scores: dict) -> str:
    return ", ".join(f"{name} {value:.2%}" for name, value in scores.items())


def _init(init: dict | None) -> str:
    if not init:
        return "Trained from scratch (random initialisation)."
    return (f"Started from the trained model `{init['path']}` (md5 `{init['md5']}`): every layer's weights, "
            "the 10-way output's rows for the ten digits; the \"not a digit\" row fresh.")


def _calibration(calibration: dict | None) -> str:
    if not calibration:
        return "Not calibrated: the probabilities are the softmax as trained."
    nll = ", ".join(f"{name} {v['nll_before']:.4f} -> {v['nll_after']:.4f}" for name, v in calibration["validation_nll"].items())
    by = f" by `{calibration['command']}`" if calibration.get("command") else ""
    return (f"Calibrated{by}: temperature scaling (Guo et al., ICML 2017), the output layer's logits divided by "
            f"T = {calibration['temperature']:g}, fitted on the three validation sets (the lowest mean of their "
            f"negative log-likelihoods; `realtime.calibration`). Validation NLL before -> after: {nll}. "
            "The top class never changes; how sure the model says it is does.")


def _summary(model) -> list[str]:
    """One line per layer: name, type, output shape, parameters (Keras' own table is cut)."""
    lines = [f"{'layer':<28}{'type':<22}{'output shape':<22}{'params':>8}"]
    for layer in model.layers:
        shape = str(tuple(layer.output.shape)).replace("None", "N")
        lines.append(f"{layer.name:<28}{type(layer).__name__:<22}{shape:<22}{layer.count_params():>8,}")
    return lines


def _redrawn(fraction: float) -> str:
    if fraction > 0:
        return (f"Redrawn digits: {fraction:.0%} of each epoch's (augmented) digits drawn 40-200 px high "
                "with a pen 0.6-2x as wide, binarised and brought back through the app's own `to_mnist` "
                "(`realtime.training.redraw`): that is what the model sees in the app. The epoch is chosen "
                "on the validation digits as scanned plus the same digits redrawn once.")
    return "No redrawn digits (`--redrawn 0`): trained on MNIST's scans only."


def render_card(card: dict) -> str:
    per_class = " | ".join(f"{d}: {acc:.2%}" for d, acc in card["per_class_test_accuracy"].items())
    md5 = "\n".join(f"| {name} | `{digest}` |" for name, digest in card["data_md5"].items()) or \
        "| (Keras download) | - |"
    names = list(card["validation_accuracy"])
    history = "\n".join(
        f"| {h['epoch']} | {h['loss']:.4f} | " + " | ".join(f"{h['val_accuracy'][n]:.2%}" for n in names)
        + f" | {h['seconds']:.0f} |"
        for h in card["history"]
    )
    split = card["pen_split"]
    summary = "\n".join(card["architecture"])
    val = card["validation_accuracy"]
    return f"""# Model card: {card['model']}

A small CNN that reads one handwritten digit or says it is none: input (N, 28, 28, 1) float32 in
[0, 1], white ink on black as in MNIST (the app's `to_mnist` makes that from any crop), output
(N, 11) softmax: the digits 0-9 and "not a digit". `Classifier.predict` returns the ten digit
probabilities (their sum is below 1 by the "not a digit" probability); `realtime.reading.decide`
names a candidate. `{card['litert_model']}` is the same network converted with TensorFlow's LiteRT
converter; the app runs it (no TensorFlow import, sub-millisecond per digit).

## Scores
| what | value |
| --- | --- |
| MNIST test accuracy (10,000 images, Keras, top digit) | **{card['test_accuracy']:.2%}** |
| MNIST test accuracy (LiteRT copy) | {card['test_accuracy_litert']:.2%} |
| top-1 agreement Keras vs LiteRT on the test set | {card['litert_top1_agreement']:.2%} |
| validation: held-out MNIST, as scanned + redrawn (11-way top-1) | {val['mnist']:.2%} |
| validation: pen-dev writers of `{', '.join(split['validation_contributors'])}` on the canvas (11-way top-1) | {val['pen']:.2%} |
| validation: generated non-digits, held-out fonts (called "not a digit") | {val['non-digits']:.2%} |

Per-class MNIST test accuracy: {per_class}

Figures of the app itself (pen-dev validation writers replayed through the window's mouse
handler, numbers, the non-digit set): `docs/draw_eval.md` and the README.

## Data
- **MNIST** (LeCun, Cortes, Burges): {card['train_images']} training images ({card['mnist_per_epoch']} drawn
  each epoch), {card['validation_images']} held out for validation (seeded split); the test set scored
  once at the end. md5 below.
- **pen-dev** (`$PEN_DEV_DIR/unipen-dev.jsonl`, md5 `{card['pen_md5']}`): real pen trajectories of
  isolated digits from the UNIPEN Train-R01/V07 collection, category 1a. Split by contributor:
  training {', '.join(split['train_contributors'])} ({split['train_writers']} writers,
  {split['train_digits']} digits); validation {', '.join(split['validation_contributors'])}
  ({split['validation_writers']} writers, {split['validation_digits']} digits, never trained on).
  Each training digit is rendered {card['pen_copies']} times through the app's canvas path
  (`realtime.pen`: `Canvas` strokes at a brush from thin pen to felt-tip, 25-85% of a 280 or
  448 px canvas, the shared digit finder, `to_mnist`) with stroke-level style changes (slant
  +-0.45, rotation, width, jitter, flagged and footed 1s, crossed 7s, barred 0s); {card['pen_repeat']:g}x
  the training pen digits are drawn from that pool each epoch.
- **Generated non-digits** (`realtime.negatives`, a pool of {card['non_digit_pool']}, {card['negatives_fraction']:.0%}
  of the epoch's MNIST digits' count each epoch, target "not a digit"): letters and symbols in OpenCV's
  Hershey faces, scribbles, hatching, blobs, rings, patches shaded in on the canvas, fragments of training writers' digits, touching
  pairs of them squeezed into one crop, pieces of ruled lines, box corners and dashes.

## How it was made
- Command: `{card['command']}`
- Augmentation, fresh each epoch, on every image: rotation +-12 deg, shear +-0.2, zoom 0.85-1.1,
  shift +-2.5 px, stroke thickness (15% dilated, 10% eroded by 2x2).
- {_redrawn(card.get('redrawn_fraction', 0.0))}
- {_init(card.get('init'))}
- AdamW (weight decay 1e-4), peak learning rate {card['learning_rate']}, one warm-up epoch then
  cosine decay, batch {card['batch_size']}, {card['epochs_run']} epochs; the weights of epoch
  {card['best_epoch']} (best mean accuracy over the three validation sets) are kept.
- {_calibration(card.get('calibration'))}
- Seed {card['seed']}; TensorFlow op determinism on.
- Trained on: {card['hardware']}, in {card['training_seconds']:.0f} s of training (data preparation not
  counted).
- Versions: {', '.join(f'{k} {v}' for k, v in card['versions'].items())}. Trained {card['trained_at']}.

MNIST md5 sums:

| file | md5 |
| --- | --- |
{md5}

## Architecture ({card['parameters']:,} parameters)
```
{summary}
```

## Training history (validation accuracy per held-out set)
| epoch | loss | {' | '.join(names)} | seconds |
| --- | --- | {' | '.join('---' for _ in names)} | --- |
{history}

## Limits
The pen data is 116 writers of 8 collections; writers of other countries and other pens may still
write digits it has not seen. The non-digits are generated: real letters and doodles by real users
are measured in `docs/draw_eval.md`, on kinds and fonts training did not see. Shapes that are a
digit (an "O", an "l", a vertical line) are read as that digit by design.

## Checksums
`digits.sha256` beside the model lists the SHA-256 digest of each model file and companion
(`sha256sum -c digits.sha256` in `models/` checks them); the app refuses a listed file that is
missing or differs. train.py, finetune.py and fit_typicality.py rewrite it; after replacing the
files by hand: `PYTHONPATH=. python -m realtime.manifest models/digits.keras`.
"""


if __name__ == "__main__":
    run_main(main)
