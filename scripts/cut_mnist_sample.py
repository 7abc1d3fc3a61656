"""Cut the small MNIST sample committed under tests/data/mnist-sample, so tests need only the clone.

    python scripts/cut_mnist_sample.py --data ../shared/data/mnist --out tests/data/mnist-sample

Takes --per-class digits of each class from the training split and from the test split, at
seeded random places spread over each whole split (MNIST's test set is easier in its first half
than in its second), keeps them in their MNIST order, and writes them as the four original idx
`.gz` files, so any `--data` option and `realtime.mnist.load_mnist` read the sample as they read
the full set; `indices.json` names the MNIST index of every digit. The output is byte for byte
the same for the same input and seed (tests/test_mnist.py checks the committed sample so).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from realtime.errors import run_main  # noqa: E402
from realtime.mnist import FILES, load_mnist, write_idx  # noqa: E402


def stratified(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of `per_class` random examples of each class 0-9 (int64, 10 x per_class)."""
    chosen = [rng.choice(np.flatnonzero(labels == digit), per_class, replace=False) for digit in range(10)]
    return np.sort(np.concatenate(chosen))


def cut(source: str | None, out: Path, per_class: int, seed: int) -> dict[str, list[int]]:
    """Write the sample's four idx files and indices.json into `out`; returns the indices."""
    (train_x, train_y), (test_x, test_y) = load_mnist(source)
    rng = np.random.default_rng(seed)
    train, test = stratified(train_y, per_class, rng), stratified(test_y, per_class, rng)
    out.mkdir(parents=True, exist_ok=True)
    arrays = {"train_images": train_x[train], "train_labels": train_y[train],
              "test_images": test_x[test], "test_labels": test_y[test]}
    for key, array in arrays.items():
        write_idx(out / FILES[key], array)
    indices = {"seed": seed, "per_class": per_class, "train": train.tolist(), "test": test.tolist()}
    (out / "indices.json").write_text(json.dumps(indices) + "\n", encoding="utf-8")
    return indices


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--data", help="folder with the four MNIST idx .gz files (default: $MNIST_DIR)")
    parser.add_argument("--out", type=Path, default=Path("tests/data/mnist-sample"), help="folder to write")
    parser.add_argument("--per-class", type=int, default=100, help="digits of each class from each split")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.per_class < 1:
        parser.error("--per-class must be at least 1")
    indices = cut(args.data, args.out, args.per_class, args.seed)
    print(f"wrote {len(indices['train'])} training and {len(indices['test'])} test digits to {args.out}")
    return 0


if __name__ == "__main__":
    run_main(main)
