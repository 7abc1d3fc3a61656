"""Fine-tuning on saved samples: a real short run, and the guard that keeps MNIST accuracy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import MNIST_SAMPLE, ROOT, SHIPPED_MODEL
from realtime.preprocess import to_mnist

pytestmark = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="the shipped model is missing")


def make_samples(folder: Path, images: np.ndarray, labels: np.ndarray) -> None:
    """Samples as draw mode saves them: thick-marker digits through to_mnist, as 28x28 PNGs."""
    for i, (image, label) in enumerate(zip(images, labels)):
        big = cv2.dilate(cv2.resize(image, (112, 112)), np.ones((9, 9), np.uint8))
        sample = (to_mnist(big) * 255).astype(np.uint8)
        (folder / str(label)).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / str(label) / f"{label}-x-{i}-28x28.png"), sample)


def run_finetune(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "scripts/finetune.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_finetune_reports_before_and_after_and_guards_mnist(tmp_path: Path, mnist_test) -> None:
    images, labels = mnist_test
    samples = tmp_path / "samples"
    make_samples(samples, images[-40:], labels[-40:])
    common = ["--samples", str(samples), "--data", str(MNIST_SAMPLE), "--epochs", "1", "--mnist", "1000",
              "--repeat", "2"]

    out = tmp_path / "mine.keras"
    done = run_finetune(*common, "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((tmp_path / "mine_finetune.json").read_text())
    assert report["samples"] == 40 and report["held_back"] == 8
    assert report["mnist_test_accuracy_after"] >= 0.995
    assert out.is_file() and out.with_suffix(".tflite").is_file()

    refused = tmp_path / "refused.keras"
    done = run_finetune(*common, "--out", str(refused), "--min-mnist", "1.01")
    assert done.returncode == 1 and "not written" in done.stderr
    assert not refused.exists()


def test_finetune_without_samples_is_a_one_line_error(tmp_path: Path) -> None:
    done = run_finetune("--samples", str(tmp_path), "--out", str(tmp_path / "x.keras"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "need at least" in done.stderr


def test_finetune_never_overwrites_its_starting_model(tmp_path: Path) -> None:
    done = run_finetune("--samples", str(tmp_path), "--out", str(SHIPPED_MODEL))
    assert done.returncode == 2 and "never overwritten" in done.stderr
