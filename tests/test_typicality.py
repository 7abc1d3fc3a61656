"""The "is it a digit at all?" check: real digits pass, scribbles do not, broken files are errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import MNIST_SAMPLE, ROOT
from realtime.errors import UserError
from realtime.preprocess import to_mnist
from realtime.reading import read_binary
from realtime.segment import CANVAS_SETTINGS
from realtime.training import draw_scribble
from realtime.typicality import Typicality, fit


def test_shipped_check_passes_digits_and_rejects_scribbles(classifier, mnist_test) -> None:
    if classifier.typicality is None:
        pytest.skip("the shipped model has no typicality check: its own 'not a digit' output decides")
    images, _ = mnist_test
    digits = np.stack([to_mnist(image) for image in images[:500]])
    classes = classifier.predict(digits).argmax(axis=1)
    assert np.mean(classifier.typicality.atypical(digits, classes)) <= 0.005
    scribbles = []
    for i in range(200):
        canvas = np.zeros((96, 96), np.uint8)
        draw_scribble(canvas, np.random.default_rng(30_000 + i))
        scribbles.append(to_mnist(canvas))
    scribbles = np.stack(scribbles)
    odd = classifier.typicality.atypical(scribbles, classifier.predict(scribbles).argmax(axis=1))
    # ~28% measured (models/digits_typical.json), the price of keeping 99.9% of real digits; the
    # finder and the confidence threshold catch more of them on the canvas.
    assert np.mean(odd) >= 0.2


def test_a_scribble_on_the_canvas_reads_as_not_a_digit(classifier) -> None:
    canvas = np.zeros((448, 448), np.uint8)
    for k in range(6):  # hatching: three lines each way
        cv2.line(canvas, (80 + 60 * k % 180, 80), (120 + 60 * k % 180, 360), 255, 18)
        cv2.line(canvas, (60, 100 + 50 * k), (380, 120 + 50 * k), 255, 18)
    reading = read_binary(canvas > 127, classifier, CANVAS_SETTINGS)
    assert reading.digits and all(d.digit is None for d in reading.digits)
    assert reading.number is None


def test_fit_and_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    images = rng.random((200, 28, 28)).astype(np.float32)
    labels = np.arange(200) % 10
    means, bases = fit(images, labels, components=5)
    check = Typicality(means, bases, 1.5)
    path = tmp_path / "t.npz"
    check.save(path)
    loaded = Typicality.load(path)
    assert loaded.threshold == pytest.approx(1.5)
    # An image on its class's own subspace reconstructs exactly; noise does not.
    on_plane = means[3] + 2.0 * bases[3, 0]
    errors = loaded.errors(np.stack([on_plane.reshape(28, 28), images[0]]), np.array([3, 3]))
    assert errors[0] < 1e-3 < errors[1]


def test_unreadable_file_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not an npz")
    with pytest.raises(UserError, match="broken.npz"):
        Typicality.load(path)


def test_fit_script_runs_on_a_small_split(tmp_path: Path, classifier) -> None:
    model = tmp_path / "digits.keras"
    for suffix in (".keras", ".tflite"):
        model.with_suffix(suffix).write_bytes(classifier.path.with_suffix(suffix).read_bytes())
    done = subprocess.run([sys.executable, "scripts/fit_typicality.py", "--data", str(MNIST_SAMPLE), "--model",
                           str(model), "--limit", "3000", "--components", "10"],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "digits_typical.npz").is_file() and (tmp_path / "digits_typical.json").is_file()
    report = json.loads((tmp_path / "digits_typical.json").read_text())
    trade_off = list(report["scribbles_rejected_by_keep"].values())
    assert trade_off == sorted(trade_off, reverse=True)  # keeping more digits rejects fewer scribbles
    assert report["scribbles_rejected_by_keep"]["99.9%"] == report["scribbles_rejected"]
