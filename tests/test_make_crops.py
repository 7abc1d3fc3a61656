"""scripts/make_crops.py: real photos cut through their rows, with the truth that still holds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "make_crops.py"
PAGE = ROOT / "tests" / "data" / "pages" / "ballpoint_00"


def test_each_row_is_cut_from_below_and_above_and_its_digits_stay_in_the_truth_clipped(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "crops"
    data.mkdir()
    for suffix in (".jpg", ".json"):
        shutil.copy(PAGE.with_suffix(suffix), data)
    truth = json.loads(PAGE.with_suffix(".json").read_text())
    done = subprocess.run([sys.executable, str(SCRIPT), "--data", str(data), "--out", str(out), "--depths", "10,20"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = len(truth["lines"])
    assert len(list(out.glob("*.png"))) == len(list(out.glob("*.json"))) == rows * 2 * 2
    for r, line in enumerate(truth["lines"]):
        bottom = max(d["box"][1] + d["box"][3] for d in line)
        cut = out / f"ballpoint_00__row{r}_bottom20"
        image = cv2.imread(str(cut.with_suffix(".png")))
        kept = json.loads(cut.with_suffix(".json").read_text())["lines"]
        assert image.shape[0] == bottom - round(0.2 * (bottom - min(d["box"][1] for d in line)))
        assert len(kept) == r + 1  # the rows above it and itself, cut
        assert all(0 <= d["box"][1] and d["box"][1] + d["box"][3] <= image.shape[0] for ln in kept for d in ln)
        assert [d["label"] for d in kept[-1]] == [d["label"] for d in line]


def test_bad_depths_and_no_truth_are_one_line_and_exit_2(tmp_path: Path) -> None:
    for args, words in ((["--depths", "0,120"], "--depths"), (["--depths", "a"], "--depths"), ([], "no photo with a truth")):
        done = subprocess.run([sys.executable, str(SCRIPT), "--data", str(tmp_path), "--out", str(tmp_path / "o"), *args],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
        assert done.returncode == 2 and done.stderr.startswith("error: ") and words in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
