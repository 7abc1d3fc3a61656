"""Shared fixtures: the MNIST folder and the shipped model, each skipped with a reason if absent."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_MODEL = ROOT / "models" / "digits.keras"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    folder = os.environ.get("MNIST_DIR")
    if not folder:
        pytest.skip("MNIST_DIR is not set: tests on real MNIST digits need the idx files")
    return Path(folder).resolve()


@pytest.fixture(scope="session")
def mnist_test(mnist_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    from realtime.mnist import load_mnist

    return load_mnist(mnist_dir)[1]


@pytest.fixture(scope="session")
def classifier():
    if not SHIPPED_MODEL.is_file():
        pytest.skip(f"the shipped model {SHIPPED_MODEL} is missing")
    from realtime.classifier import Classifier

    return Classifier(SHIPPED_MODEL)
