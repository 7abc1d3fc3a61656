"""The degraded-input measurement: copies written at the new size with their truth scaled alike."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import evaluate_degraded  # noqa: E402
from evaluate_degraded import Degradation  # noqa: E402


def test_truth_boxes_are_scaled_by_their_edges():
    assert evaluate_degraded.scale_box([10, 20, 30, 40], 0.5, 0.25) == [5, 5, 15, 10]
    assert evaluate_degraded.scale_box([3, 3, 1, 1], 0.1, 0.1) == [0, 0, 1, 1]  # never empty
    truth = {"kind": "video", "frames": [None, [[{"box": [0, 0, 10, 10], "label": 1}]]]}
    assert evaluate_degraded.scale_truth(truth, 0.5, 0.5)["frames"] == [None, [[{"box": [0, 0, 5, 5], "label": 1}]]]


def test_a_set_is_written_degraded_with_its_truth_and_a_width_above_the_image_is_skipped(tmp_path):
    source = tmp_path / "set"
    (source / "photos").mkdir(parents=True)
    image = np.full((120, 200, 3), 255, np.uint8)
    cv2.putText(image, "42", (40, 90), cv2.FONT_HERSHEY_SIMPLEX, 2.5, (0, 0, 0), 6)
    cv2.imwrite(str(source / "photos" / "a.png"), image)
    truth = {"kind": "photo", "lines": [[{"box": [40, 40, 60, 50], "label": 4}, {"box": [100, 40, 60, 50], "label": 2}]]}
    (source / "photos" / "a.json").write_text(json.dumps(truth))
    cv2.imwrite(str(source / "07-case-931.png"), image)

    out = tmp_path / "out"
    assert evaluate_degraded.degraded_set(source, Degradation("half jpeg", scale=0.5, quality=40), out) == 2
    written = cv2.imread(str(out / "photos" / "a.jpg"))
    assert written.shape == (60, 100, 3)
    scaled = json.loads((out / "photos" / "a.json").read_text())
    assert scaled["lines"][0][1]["box"] == [50, 20, 30, 25]
    assert (out / "07-case-931.jpg").is_file()  # a case keeps its number in its name
    assert evaluate_degraded.degraded_set(source, Degradation("wide", width=400), tmp_path / "w") == 0
    assert evaluate_degraded.degraded_set(source, Degradation("video", ffmpeg=("-c:v", "mpeg4")), tmp_path / "v") == 0


def test_light_and_lens_faults_spoil_an_image_as_documented():
    black = np.zeros((20, 40, 3), np.uint8)
    assert (evaluate_degraded.spoil(black, Degradation("f", fade=0.6)) == 153).all()
    mid = np.full((20, 40, 3), 64, np.uint8)
    assert (evaluate_degraded.spoil(mid, Degradation("o", gamma=0.4)) == round(255 * (64 / 255) ** 0.4)).all()
    bar = np.zeros((20, 40, 3), np.uint8)
    bar[:, 20] = 255
    assert evaluate_degraded.spoil(bar, Degradation("s", motion=5))[10, 18:23, 0].tolist() == [51] * 5
    assert evaluate_degraded.spoil(bar, Degradation("b", blur=2.0))[10, 20, 0] < 255


def test_a_mirrored_copy_has_its_truth_boxes_mirrored(tmp_path):
    source = tmp_path / "set"
    source.mkdir()
    image = np.full((100, 200, 3), 255, np.uint8)
    image[30:70, 20:50] = 0  # the "digit" at x 20-49
    cv2.imwrite(str(source / "a.png"), image)
    truth = {"kind": "photo", "lines": [[{"box": [20, 30, 30, 40], "label": 7}, {"box": [100, 30, 30, 40], "label": 3}]]}
    (source / "a.json").write_text(json.dumps(truth))
    out = tmp_path / "out"
    assert evaluate_degraded.degraded_set(source, Degradation("mirrored", mirror=True), out) == 1
    written = cv2.imread(str(out / "a.png"))
    assert (written[30:70, 150:180] == 0).all() and (written[:, :150] == 255).all()
    row = json.loads((out / "a.json").read_text())["lines"][0]
    assert [d["box"] for d in row] == [[150, 30, 30, 40], [70, 30, 30, 40]]  # the row's order kept
    assert [d["label"] for d in row] == [7, 3]
