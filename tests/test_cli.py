"""The command line as users meet it: help, and one line plus exit code 2 for every fixable problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import ROOT, SHIPPED_MODEL


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the CLI as CI does: no display, no standard input."""
    environ = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.run([sys.executable, "-m", "realtime", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=environ, stdin=subprocess.DEVNULL)


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_help_lists_both_modes() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "draw" in result.stdout and "camera" in result.stdout


def test_version() -> None:
    from realtime import __version__

    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"digit-recognizer {__version__}"


@pytest.mark.parametrize(("mode", "description", "keys", "defaults"), [
    ("draw", "Draw digits with the mouse", ["u  undo (a stroke, a clear)", "0-9  label the drawing"],
     ["(default: 448)", "(default: auto)", "(default: saved)", "(default: no log)"]),
    ("camera", "Read handwritten digits on paper", ["space  pause / resume", "r  start / stop recording"],
     ["(default: 0)", "default 78", "(default: auto)", "(default: saved)", ".mp4; default: none"]),
])
def test_each_mode_help_has_a_description_its_keys_and_every_default(mode: str, description: str,
                                                                     keys: list[str], defaults: list[str]) -> None:
    result = run_cli(mode, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())  # argparse wraps lines at the terminal width
    for fragment in [description, *keys, *defaults, f"default: the shipped model, {SHIPPED_MODEL}"]:
        assert " ".join(fragment.split()) in text, fragment
    assert "None" not in text


def test_no_mode_is_a_usage_error() -> None:
    assert run_cli().returncode == 2


def test_draw_without_a_display_says_so() -> None:
    assert_one_line_error(run_cli("draw"), "no display")


def blank_image(folder: Path) -> Path:
    image = folder / "blank.png"
    cv2.imwrite(str(image), np.full((40, 40), 255, np.uint8))
    return image


def test_missing_model(tmp_path: Path) -> None:
    image = blank_image(tmp_path)
    result = run_cli("camera", "--headless", "--source", str(image), "--model", str(tmp_path / "none.keras"))
    assert_one_line_error(result, "model file not found", "none.keras")


def test_a_model_path_that_is_no_file_is_called_so(tmp_path: Path) -> None:
    result = run_cli("camera", "--headless", "--source", str(blank_image(tmp_path)), "--model", "/dev/null")
    assert_one_line_error(result, "model file not a file", "/dev/null")


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated zip", b"\x00" * 1000])
def test_corrupt_model(tmp_path: Path, content: bytes) -> None:
    image = blank_image(tmp_path)
    model = tmp_path / "corrupt.keras"
    model.write_bytes(content)
    result = run_cli("camera", "--headless", "--source", str(image), "--model", str(model))
    assert_one_line_error(result, "corrupt.keras")


def test_bad_options() -> None:
    assert_one_line_error(run_cli("camera", "--headless", "--source", "x.mp4", "--output", "out.avi"), ".mp4")
    assert_one_line_error(run_cli("camera", "--headless", "--sensitivity", "500"), "--sensitivity")
    assert_one_line_error(run_cli("draw", "--canvas-size", "5"), "--canvas-size")
    assert_one_line_error(run_cli("draw", "--canvas-size", "641"), "between 128 and 640")  # 1:1 must fit a screen
    assert_one_line_error(run_cli("camera", "--display-size", "big"), "--display-size")
    assert_one_line_error(run_cli("camera", "--display-size", "99999x99999"), "to 16384x16384")
    for option in ("--events", "--output", "--save-dir", "--model"):  # an unset shell variable
        assert_one_line_error(run_cli("camera", "--headless", option, ""), "empty string")
    assert_one_line_error(run_cli("camera", "--headless", "--overwrite"), "give --output too")


@pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="the shipped model is missing")
def test_unwritable_events_file(tmp_path: Path) -> None:
    image = blank_image(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    result = run_cli("camera", "--headless", "--source", str(image), "--events", str(blocker / "ev.jsonl"))
    assert_one_line_error(result, "events log")
