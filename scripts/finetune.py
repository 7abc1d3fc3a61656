"""Fine-tune the shipped model on your own saved samples, mixed with MNIST so it forgets nothing.

    python scripts/finetune.py --samples saved/samples --out models/digits-mine.keras
    python -m realtime draw --model models/digits-mine.keras

Samples are the 28x28 PNGs that draw mode saves when you press a digit key
(saved/samples/<digit>/*-28x28.png). A seeded fifth of them is held back and scored before and
after; the new model is only written if it still scores at least --min-mnist on the MNIST test set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from realtime.classifier import DEFAULT_MODEL  # noqa: E402
from realtime.errors import UserError, run_main  # noqa: E402

MIN_SAMPLES = 10


def load_samples(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """uint8 (N, 28, 28) images and their labels from folder/<digit>/*-28x28.png."""
    images, labels = [], []
    for path in sorted(folder.glob("[0-9]/*-28x28.png")):
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if image is None or image.shape != (28, 28):
            print(f"warning: skipping {path}: not a 28x28 image", file=sys.stderr)
            continue
        images.append(image)
        labels.append(int(path.parent.name))
    if len(images) < MIN_SAMPLES:
        raise UserError(
            f"found {len(images)} samples in {folder}; need at least {MIN_SAMPLES} "
            "(draw a digit in draw mode and press its key to save one)"
        )
    return np.stack(images), np.array(labels, np.uint8)


def accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    """Top-digit accuracy: the best of the ten digit outputs (an 11th, "not a digit", is left out, as
    in the model card's MNIST test figure)."""
    probs = model.predict(images.astype(np.float32)[..., None] / 255.0, batch_size=512, verbose=0)
    return float(np.mean(probs[:, :10].argmax(axis=1) == labels))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=Path("saved/samples"))
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="the .keras model to start from")
    parser.add_argument("--out", type=Path, required=True, help="where to write the fine-tuned .keras model")
    parser.add_argument("--data", help="MNIST folder (default $MNIST_DIR, else Keras' download)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--mnist", type=int, default=20000, help="MNIST training images mixed in per epoch")
    parser.add_argument("--repeat", type=int, default=20, help="times each sample is seen per epoch (augmented)")
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--min-mnist", type=float, default=0.995, help="refuse a model below this MNIST accuracy")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    if args.out.resolve() == args.model.resolve():
        raise UserError("--out must differ from --model: the model you start from is never overwritten")
    if not args.model.is_file():
        raise UserError(f"model file not found: {args.model}")
    samples, sample_labels = load_samples(args.samples)
    from realtime.mnist import load_mnist

    (train_x, train_y), (test_x, test_y) = load_mnist(args.data)

    import keras

    from realtime.export import export_tflite
    from realtime.manifest import write_manifest
    from realtime.training import augment

    keras.utils.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(samples))
    held = order[: max(2, len(samples) // 5)]
    used = order[len(held) :]

    model = keras.saving.load_model(args.model, compile=False)
    report = {
        "samples": int(len(samples)), "held_back": int(len(held)),
        "held_back_accuracy_before": accuracy(model, samples[held], sample_labels[held]),
        "mnist_test_accuracy_before": accuracy(model, test_x, test_y),
    }
    model.compile(optimizer=keras.optimizers.Adam(args.lr), loss="sparse_categorical_crossentropy")
    for _ in range(args.epochs):
        pick = rng.choice(len(train_x), size=min(args.mnist, len(train_x)), replace=False)
        mine = np.repeat(used, args.repeat)
        images = np.concatenate([augment(train_x[pick], rng), augment(samples[mine], rng)])
        labels = np.concatenate([train_y[pick], sample_labels[mine]])
        shuffle = rng.permutation(len(images))
        model.fit(images[shuffle].astype(np.float32)[..., None] / 255.0, labels[shuffle], batch_size=128,
                  epochs=1, verbose=2 if sys.stdout.isatty() else 0)
    report["held_back_accuracy_after"] = accuracy(model, samples[held], sample_labels[held])
    report["mnist_test_accuracy_after"] = accuracy(model, test_x, test_y)
    report["written"] = report["mnist_test_accuracy_after"] >= args.min_mnist
    print(json.dumps(report, indent=2))
    if not report["written"]:
        print(
            f"error: not written: MNIST test accuracy {report['mnist_test_accuracy_after']:.2%} is below "
            f"{args.min_mnist:.2%}; try fewer --epochs or a lower --lr",
            file=sys.stderr,
        )
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    export_tflite(model, args.out.with_suffix(".tflite"))
    write_manifest(args.out)  # the app refuses model files that differ from their manifest
    args.out.with_name(args.out.stem + "_finetune.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    run_main(main)
