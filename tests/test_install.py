"""The tool as a user installs it: a wheel built from this clone, in a fresh virtual environment,
run from another folder, finds its shipped model (package data) and reads a real clip.

No network: the wheel is built with the test environment's setuptools (requirements-dev.txt) and
installed with --no-deps; the new environment sees the test environment's packages (OpenCV,
LiteRT, ...) through a .pth file, but not this clone, so `realtime` and its model can only come
from the wheel.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

CLIP = ROOT / "tests" / "data" / "camera" / "clip_00.mp4"
MODEL_FILES = {p.name for p in (ROOT / "models").glob("digits*")}  # the model and every companion
assert "digits.keras" in MODEL_FILES and "digits.tflite" in MODEL_FILES


def run(*args: object, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.mark.slow
def test_wheel_installed_elsewhere_finds_its_model_and_reads_a_clip(tmp_path: Path) -> None:
    # The clone's files, without what a working copy accumulates (virtual environments, builds).
    source = tmp_path / "clone"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
        "saved"))
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                "-w", tmp_path / "dist", source, cwd=tmp_path)
    assert built.returncode == 0, f"wheel build failed (pip install -r requirements-dev.txt?): {built.stderr[-2000:]}"
    (wheel,) = (tmp_path / "dist").glob("digit_recognizer-*.whl")
    packaged = {Path(name).name for name in zipfile.ZipFile(wheel).namelist() if name.startswith("realtime/models/")}
    assert MODEL_FILES <= packaged, f"the wheel lacks {MODEL_FILES - packaged}"

    venv = tmp_path / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                    cwd=tmp_path).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "test_environment.pth").write_text("\n".join(sorted(ours)) + "\n")
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel,
                    cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-2000:]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run(python, "-c", "import realtime.classifier as c; print(c.DEFAULT_MODEL)", cwd=elsewhere)
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout + where.stderr

    events = elsewhere / "events.jsonl"
    done = run(venv / "bin" / "digit-recognizer", "camera", "--source", CLIP, "--headless", "--events", events,
               cwd=elsewhere)
    assert done.returncode == 0, done.stderr[-2000:]
    numbers = collections.Counter(json.loads(line)["number"] for line in events.read_text().splitlines())
    truth = json.loads(CLIP.with_suffix(".json").read_text())["lines"]
    assert numbers.most_common(1)[0][0] == " ".join(truth), numbers.most_common(3)
