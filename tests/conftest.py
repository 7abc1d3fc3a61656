"""Shared fixtures: the committed MNIST sample, the full MNIST files, the shipped model, a small
disk to fill and draw mode in a real window.

Each is skipped with the reason when what it needs is absent.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from realtime.classifier import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parent.parent
#: The model the app ships, found as the app finds it (package data or the clone's models/).
SHIPPED_MODEL = DEFAULT_MODEL
#: 1,000 training and 1,000 test digits of MNIST as the four idx files (its README says how cut).
MNIST_SAMPLE = ROOT / "tests" / "data" / "mnist-sample"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The full MNIST idx files, for the tests of those files themselves; `MNIST_DIR` names them."""
    folder = os.environ.get("MNIST_DIR")
    if not folder:
        pytest.skip("MNIST_DIR is not set: this test needs the four full MNIST idx files "
                    "(the other tests read tests/data/mnist-sample)")
    path = Path(folder).resolve()
    if not path.is_dir():
        pytest.skip(f"MNIST_DIR={folder} is not a folder: this test needs the four full MNIST idx files")
    return path


@pytest.fixture(scope="session")
def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) of the sample's 1,000 MNIST test digits: uint8 (1000, 28, 28), (1000,)."""
    from realtime.mnist import load_mnist

    return load_mnist(MNIST_SAMPLE)[1]


@pytest.fixture(scope="session")
def classifier():
    if not SHIPPED_MODEL.is_file():
        pytest.skip(f"the shipped model {SHIPPED_MODEL} is missing")
    from realtime.classifier import Classifier

    return Classifier(SHIPPED_MODEL)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 256 KiB filesystem (tmpfs), mounted for the test: writes to it fail with ENOSPC."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root")
    mount = tmp_path / "small_disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0777", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(folder: Path, leave: int = 0) -> None:
    """Fill the filesystem of `folder` until a write fails, then free `leave` bytes (page-sized)."""
    spare = folder / ".spare"
    if leave:
        spare.write_bytes(b"\0" * leave)
    with open(folder / ".filler", "wb", buffering=0) as filler, contextlib.suppress(OSError):
        while filler.write(b"\0" * 4096):
            pass
    if leave:
        spare.unlink()


def video_frames(path: Path) -> int:
    """Frames ffprobe decodes in `path` (it must open as a video): proof that a player can play it."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        pytest.skip("needs ffprobe on PATH (apt-get install ffmpeg)")
    done = subprocess.run([ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                           "stream=nb_read_frames", "-of", "csv=p=0", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, f"ffprobe cannot open {path}: {done.stderr.strip()}"
    return int(done.stdout.strip())


@pytest.fixture
def draw_session(tmp_path: Path):
    """Draw mode in a real window on a fresh Xvfb server, ready for input (tests/e2e.py); skipped with
    the reason without Xvfb, xdotool or the model; closed after the test."""
    from e2e import DrawSession, missing
    from xsession import Xvfb

    reason = missing()
    if reason:
        pytest.skip(reason)
    with Xvfb() as server:
        session = DrawSession(server.display, tmp_path)
        try:
            yield session
        finally:
            session.close()
