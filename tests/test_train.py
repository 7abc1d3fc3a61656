"""A tiny real training run, so that scripts/train.py cannot rot: seconds, not minutes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from conftest import MNIST_SAMPLE, ROOT
from test_pen import ONE, SEVEN

from realtime.training import redraw


def test_tiny_training_run_writes_model_litert_copy_and_card(tmp_path: Path) -> None:
    out = tmp_path / "tiny.keras"
    pen_dir = tmp_path / "pen"
    pen_dir.mkdir()
    rows = [{"label": d % 10, "writer": f"{c}-w00{d % 3}", "strokes": SEVEN if d % 2 else ONE}
            for c in ("apb", "ibm") for d in range(40)]
    (pen_dir / "unipen-dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = subprocess.run(
        [sys.executable, "scripts/train.py", "--data", str(MNIST_SAMPLE), "--pen", str(pen_dir), "--limit", "300",
         "--epochs", "1", "--redrawn", "0.5", "--out", str(out), "--quiet"],
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
    assert card["redrawn_fraction"] == 0.5
    assert card["pen_split"]["validation_contributors"] == ["ibm"] and card["pen_split"]["train_contributors"] == ["apb"]
    assert set(card["validation_accuracy"]) == {"mnist", "pen", "non-digits"}
    text = (tmp_path / "tiny_card.md").read_text()
    assert "MNIST test accuracy" in text and "Redrawn digits: 50%" in text and "pen-dev" in text
    from realtime.classifier import Classifier

    assert Classifier(out).predict(np.zeros((2, 28, 28), np.float32)).shape == (2, 10)  # 11-way model, 10 digits

    # Calibrated on the validation sets by train.py itself; scripts/calibrate.py refuses to do it twice
    # and, on a card without calibration, re-fits, rewrites the files and records its own command.
    calibration = card["calibration"]
    assert 0.5 <= calibration["temperature"] <= 5.0 and set(calibration["validation_nll"]) == {"mnist", "pen", "non-digits"}
    assert "temperature scaling" in text
    calibrate = [sys.executable, "scripts/calibrate.py", "--model", str(out), "--data", str(MNIST_SAMPLE),
                 "--pen", str(pen_dir), "--non-digits", "40"]
    again = subprocess.run(calibrate, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "already calibrated" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    (tmp_path / "tiny_card.json").write_text(json.dumps({k: v for k, v in card.items() if k != "calibration"}))
    refit = subprocess.run(calibrate, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert refit.returncode == 0, refit.stderr[-2000:]
    recalibrated = json.loads((tmp_path / "tiny_card.json").read_text())
    assert "scripts/calibrate.py" in recalibrated["calibration"]["command"]
    assert recalibrated["litert_top1_agreement"] == 1.0
    assert Classifier(out).predict(np.zeros((2, 28, 28), np.float32)).shape == (2, 10)  # manifest rewritten
    chosen = subprocess.run([sys.executable, "scripts/choose_rejection.py", "--model", str(out), "--data",
                             str(MNIST_SAMPLE), "--pen", str(pen_dir)], cwd=ROOT, capture_output=True, text=True,
                            timeout=240)
    assert chosen.returncode == 0, chosen.stderr[-2000:]
    assert "| 0.8 |" in chosen.stdout and "chosen" in chosen.stdout


def test_redrawn_digits_look_like_the_apps_inputs(mnist_test) -> None:
    """Redrawn training digits are what to_mnist makes: ink fitted to 20 px, centred, in [0, 1]."""
    images = mnist_test[0][:50]
    drawn = redraw(images, np.random.default_rng(0))
    assert drawn.shape == images.shape and drawn.dtype == np.float32
    assert drawn.min() >= 0.0 and drawn.max() <= 1.0
    for image in drawn:
        ys, xs = np.nonzero(image > 0.05)
        assert max(np.ptp(ys), np.ptp(xs)) + 1 in (19, 20, 21, 22)
        cy, cx = np.average(np.indices(image.shape), axis=(1, 2), weights=image)
        assert abs(cy - 13.5) < 1.5 and abs(cx - 13.5) < 1.5
    assert not np.allclose(drawn, images / 255.0, atol=0.1)  # a new pen, not a copy


def test_training_on_a_broken_data_folder_exits_2_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "scripts/train.py", "--data", str(tmp_path), "--epochs", "1", "--out",
         str(tmp_path / "m.keras")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: MNIST file not found")
    assert "Traceback" not in result.stderr
