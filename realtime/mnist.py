"""Loading MNIST from the four original idx `.gz` files, or from Keras' download for real users.

The folder is named by `--data` or the environment variable `MNIST_DIR`; only with neither do we
fall back to `keras.datasets.mnist`, which needs the internet on first use.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
from pathlib import Path

import numpy as np

from realtime.errors import UserError

FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
_IMAGES_MAGIC = 2051
_LABELS_MAGIC = 2049


def read_idx(path: Path) -> np.ndarray:
    """Read one gzip'd idx file (images: magic 2051, N x 28 x 28; labels: magic 2049, N).

    Every way the file can be broken (missing, not gzip, truncated, wrong magic) is reported as a
    UserError naming the file, because a training run on silently short data is worse than none.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"MNIST file not found: {path}")
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise UserError(f"MNIST file {path} is not a readable gzip file ({exc})") from None
    if len(raw) < 8:
        raise UserError(f"MNIST file {path} is truncated: {len(raw)} bytes, no idx header")
    magic, count = struct.unpack(">II", raw[:8])
    if magic == _IMAGES_MAGIC:
        if len(raw) < 16:
            raise UserError(f"MNIST file {path} is truncated: no image size in the header")
        rows, cols = struct.unpack(">II", raw[8:16])
        shape, offset = (count, rows, cols), 16
    elif magic == _LABELS_MAGIC:
        shape, offset = (count,), 8
    else:
        raise UserError(
            f"MNIST file {path} has magic number {magic}, expected {_IMAGES_MAGIC} (images) "
            f"or {_LABELS_MAGIC} (labels)"
        )
    expected = int(np.prod(shape))
    if len(raw) - offset != expected:
        raise UserError(
            f"MNIST file {path} is truncated or padded: {len(raw) - offset} data bytes, "
            f"header says {expected}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array as one gzip'd idx file: images (N, 28, 28) or labels (N,).

    The gzip header carries no name and no time, so the same array always gives the same
    bytes: a cut of MNIST made twice (scripts/cut_mnist_sample.py) is byte for byte the same.
    Raises ValueError for anything that is neither.
    """
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim not in (1, 3):
        raise ValueError(f"expected uint8 labels (N,) or images (N, rows, cols), got {array.dtype} {array.shape}")
    magic = _IMAGES_MAGIC if array.ndim == 3 else _LABELS_MAGIC
    header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(header + array.tobytes())


def data_dir(explicit: str | os.PathLike | None = None) -> Path | None:
    """The MNIST folder from an explicit argument, else `MNIST_DIR`, else None (Keras download)."""
    chosen = explicit or os.environ.get("MNIST_DIR")
    return Path(chosen) if chosen else None


def load_mnist(
    folder: str | os.PathLike | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """((train_x, train_y), (test_x, test_y)) as uint8, images N x 28 x 28, white ink on black."""
    root = data_dir(folder)
    if root is None:
        return _load_from_keras()
    if not root.is_dir():
        raise UserError(f"MNIST folder not found: {root} (set --data or MNIST_DIR)")
    arrays = {key: read_idx(root / name) for key, name in FILES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if len(images) != len(labels):
            raise UserError(
                f"MNIST {split} set in {root}: {len(images)} images but {len(labels)} labels"
            )
        if images.shape[1:] != (28, 28):
            raise UserError(f"MNIST {split} images in {root} are {images.shape[1:]}, not 28x28")
    return (
        (arrays["train_images"], arrays["train_labels"]),
        (arrays["test_images"], arrays["test_labels"]),
    )


def md5_sums(folder: str | os.PathLike | None = None) -> dict[str, str]:
    """md5 of each idx file, for the model card; empty when the data came from Keras' cache."""
    root = data_dir(folder)
    if root is None:
        return {}
    return {name: hashlib.md5((root / name).read_bytes()).hexdigest() for name in FILES.values()}


def _load_from_keras():
    try:
        from keras.datasets import mnist
    except ImportError as exc:  # pragma: no cover - keras is a hard requirement
        raise UserError(f"cannot import keras to download MNIST: {exc}") from None
    try:
        return mnist.load_data()
    except Exception as exc:  # noqa: BLE001 - any network/cache failure is a setup problem
        raise UserError(
            f"no MNIST folder given (--data or MNIST_DIR) and the Keras download failed: {exc}"
        ) from None
