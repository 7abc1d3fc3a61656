"""The MNIST loader: every broken idx file must fail loudly, naming the file, never load short data."""

from __future__ import annotations

import gzip
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import MNIST_SAMPLE, ROOT
from realtime.errors import UserError
from realtime.mnist import FILES, data_dir, load_mnist, md5_sums, read_idx, write_idx


def _images_bytes(images: np.ndarray, magic: int = 2051) -> bytes:
    n, rows, cols = images.shape
    return struct.pack(">IIII", magic, n, rows, cols) + images.astype(np.uint8).tobytes()


def _labels_bytes(labels: np.ndarray, magic: int = 2049) -> bytes:
    return struct.pack(">II", magic, len(labels)) + labels.astype(np.uint8).tobytes()


def _write_gz(path: Path, raw: bytes) -> Path:
    with gzip.open(path, "wb") as f:
        f.write(raw)
    return path


def _tiny_set(folder: Path, n_train: int = 5, n_test: int = 3, seed: int = 0) -> dict[str, np.ndarray]:
    """Write the four idx files of a tiny random MNIST into `folder` and return their arrays."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for key, array in arrays.items():
        write_idx(folder / FILES[key], array)
    return arrays


def test_tiny_files_round_trip(tmp_path: Path) -> None:
    arrays = _tiny_set(tmp_path)
    (train_x, train_y), (test_x, test_y) = load_mnist(tmp_path)
    for key, loaded in zip(FILES, (train_x, train_y, test_x, test_y)):
        assert loaded.dtype == np.uint8
        np.testing.assert_array_equal(loaded, arrays[key])


def test_read_idx_images_and_labels(tmp_path: Path) -> None:
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(_write_gz(tmp_path / "i.gz", _images_bytes(images))), images)
    labels = np.array([7, 0, 9], np.uint8)
    np.testing.assert_array_equal(read_idx(_write_gz(tmp_path / "l.gz", _labels_bytes(labels))), labels)


def test_missing_file_names_it(tmp_path: Path) -> None:
    _tiny_set(tmp_path)
    missing = tmp_path / FILES["test_labels"]
    missing.unlink()
    with pytest.raises(UserError, match=str(missing)):
        load_mnist(tmp_path)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        load_mnist(tmp_path / "nowhere")


@pytest.mark.parametrize("keep", [0, 5, 12, 16 + 28 * 28 - 1])
def test_truncated_images(tmp_path: Path, keep: int) -> None:
    raw = _images_bytes(np.zeros((2, 28, 28), np.uint8))[:keep]
    path = _write_gz(tmp_path / "short.gz", raw)
    with pytest.raises(UserError, match="truncated") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_truncated_gzip_stream(tmp_path: Path) -> None:
    """A download cut off mid-stream: the gzip itself ends early."""
    good = _write_gz(tmp_path / "good.gz", _images_bytes(np.full((50, 28, 28), 7, np.uint8)))
    cut = tmp_path / "cut.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(UserError, match=str(cut)):
        read_idx(cut)


def test_padded_file(tmp_path: Path) -> None:
    path = _write_gz(tmp_path / "long.gz", _labels_bytes(np.zeros(3, np.uint8)) + b"\0")
    with pytest.raises(UserError, match=str(path)):
        read_idx(path)


def test_wrong_magic(tmp_path: Path) -> None:
    path = _write_gz(tmp_path / "magic.gz", _labels_bytes(np.zeros(3, np.uint8), magic=1234))
    with pytest.raises(UserError, match="magic number 1234") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_not_gzip(tmp_path: Path) -> None:
    path = tmp_path / "plain.gz"
    path.write_bytes(_labels_bytes(np.zeros(3, np.uint8)))
    with pytest.raises(UserError, match="gzip") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_label_count_mismatch(tmp_path: Path) -> None:
    _tiny_set(tmp_path)
    _write_gz(tmp_path / FILES["train_labels"], _labels_bytes(np.zeros(4, np.uint8)))
    with pytest.raises(UserError, match=r"5 images but 4 labels") as info:
        load_mnist(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_images_not_28x28(tmp_path: Path) -> None:
    _tiny_set(tmp_path)
    _write_gz(tmp_path / FILES["test_images"], _images_bytes(np.zeros((3, 14, 14), np.uint8)))
    with pytest.raises(UserError, match="not 28x28"):
        load_mnist(tmp_path)


def test_labels_file_where_images_belong(tmp_path: Path) -> None:
    """Swapped files parse as idx but give the wrong shape; that must not load."""
    _tiny_set(tmp_path)
    _write_gz(tmp_path / FILES["train_images"], _labels_bytes(np.zeros(5, np.uint8)))
    with pytest.raises(UserError):
        load_mnist(tmp_path)


def test_data_dir_explicit_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "from_env"))
    assert data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert data_dir() == tmp_path / "from_env"
    monkeypatch.delenv("MNIST_DIR")
    assert data_dir() is None


def test_load_uses_explicit_folder_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good"
    good.mkdir()
    arrays = _tiny_set(good)
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "missing"))
    (_, train_y), _ = load_mnist(good)
    np.testing.assert_array_equal(train_y, arrays["train_labels"])


def test_md5_sums(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_set(tmp_path)
    sums = md5_sums(tmp_path)
    assert set(sums) == set(FILES.values())
    assert all(len(digest) == 32 for digest in sums.values())
    monkeypatch.delenv("MNIST_DIR", raising=False)
    assert md5_sums() == {}


def test_write_idx_gives_the_same_bytes_every_time(tmp_path: Path) -> None:
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    write_idx(tmp_path / "a.gz", images)
    write_idx(tmp_path / "b.gz", images)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.gz").read_bytes()) == _images_bytes(images)
    with pytest.raises(ValueError, match="uint8"):
        write_idx(tmp_path / "c.gz", images.astype(np.float32))


def test_committed_sample_is_balanced_real_mnist() -> None:
    """The sample the tests read: 100 digits of each class per split, real MNIST ink statistics."""
    (train_x, train_y), (test_x, test_y) = load_mnist(MNIST_SAMPLE)
    assert train_x.shape == (1000, 28, 28) and test_x.shape == (1000, 28, 28)
    assert np.bincount(train_y, minlength=10).tolist() == [100] * 10
    assert np.bincount(test_y, minlength=10).tolist() == [100] * 10
    assert 28 < train_x.mean() < 40 and 28 < test_x.mean() < 40  # MNIST's mean pixel is ~33


def test_committed_sample_is_cut_from_mnist_as_its_readme_says(tmp_path: Path, mnist_dir: Path) -> None:
    done = subprocess.run([sys.executable, "scripts/cut_mnist_sample.py", "--data", str(mnist_dir), "--out",
                           str(tmp_path), "--per-class", "100", "--seed", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in [*FILES.values(), "indices.json"]:
        assert (tmp_path / name).read_bytes() == (MNIST_SAMPLE / name).read_bytes(), name


def test_real_mnist(mnist_dir: Path) -> None:
    (train_x, train_y), (test_x, test_y) = load_mnist(mnist_dir)
    assert train_x.shape == (60000, 28, 28) and train_y.shape == (60000,)
    assert test_x.shape == (10000, 28, 28) and test_y.shape == (10000,)
    assert train_x.dtype == test_x.dtype == np.uint8
    assert set(np.unique(test_y)) == set(range(10))
    assert 30 < train_x.mean() < 36  # MNIST's mean pixel is 33.3: white ink on black
