"""A tiny real training run, so that scripts/train.py cannot rot: seconds, not minutes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_tiny_training_run_writes_model_litert_copy_and_card(tmp_path: Path, mnist_dir: Path) -> None:
    out = tmp_path / "tiny.keras"
    result = subprocess.run(
        [sys.executable, "scripts/train.py", "--data", str(mnist_dir), "--limit", "300", "--epochs", "1",
         "--out", str(out), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.is_file() and out.with_suffix(".tflite").is_file()
    card = json.loads((tmp_path / "tiny_card.json").read_text())
    assert card["epochs_run"] == 1 and card["train_images"] == 240 and card["validation_images"] == 60
    assert card["litert_top1_agreement"] == 1.0
    assert set(card["data_md5"]) == {
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    }
    assert "MNIST test accuracy" in (tmp_path / "tiny_card.md").read_text()


def test_training_on_a_broken_data_folder_exits_2_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "scripts/train.py", "--data", str(tmp_path), "--epochs", "1", "--out",
         str(tmp_path / "m.keras")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: MNIST file not found")
    assert "Traceback" not in result.stderr
