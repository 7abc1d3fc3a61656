"""The evaluation scripts behind the README's figures run, and their batched reading is the app's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import MNIST_SAMPLE, ROOT


def test_placement_evaluation_runs_and_its_batched_reading_is_the_apps(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "scripts/evaluate_placement.py", "--data", str(MNIST_SAMPLE), "--limit", "30",
         "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    text = (tmp_path / "placement.md").read_text()
    agreed, checked = map(int, re.search(r"on (\d+)/(\d+) placements re-read", text).groups())
    assert checked > 0 and agreed == checked
    assert re.search(r"target for \(b\): at least \d+\.\d\d%", text)
    assert len(re.findall(r"^\| [2-5] \| 30 \|", text, re.M)) == 4  # a row per number length
