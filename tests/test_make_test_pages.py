"""The page renderer (scripts/make_test_pages.py) draws what each kind promises, with true boxes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import make_test_pages  # noqa: E402
from conftest import MNIST_SAMPLE  # noqa: E402

FRAME = (640, 480)


def render(kind: str, mnist_test, seed: int = 3):
    test_x, test_y = mnist_test
    return make_test_pages.render_page(np.random.default_rng([seed, 0]), kind, FRAME, test_x, test_y)


def centre(digit: dict) -> np.ndarray:
    x, y, w, h = digit["box"]
    return np.array([x + w / 2, y + h / 2])


def test_a_dense_page_has_60_numbers_in_10_close_rows_with_ink_in_every_box(mnist_test) -> None:
    image, lines, rotation, indices = render("dense", mnist_test)
    assert image.shape == (480, 640, 3) and image.dtype == np.uint8 and rotation == 0
    assert [len(line) for line in lines] == [12] * 10 and [len(row) for row in indices] == [12] * 10
    heights = np.median([d["box"][3] for line in lines for d in line])
    gaps = np.diff([np.median([centre(d)[1] for d in line]) for line in lines])
    assert 1.1 * heights < gaps.mean() < 1.6 * heights  # rows 1.2-1.5 digit heights apart, seen in perspective
    grey = image.mean(axis=2)
    for line in lines:
        for d in line:
            x, y, w, h = d["box"]
            around = grey[max(0, y - h // 2) : y + h + h // 2, max(0, x - h // 2) : x + w + h // 2]
            assert grey[y : y + h, x : x + w].min() < 0.6 * np.percentile(around, 95)  # ink inside, paper around


def test_touching_digits_touch_in_every_row(mnist_test) -> None:
    _, lines, _, _ = render("touching", mnist_test)
    for line in lines:
        boxes = [d["box"] for d in line]
        assert any(a[0] + a[2] >= b[0] for a, b in zip(boxes, boxes[1:])), f"no touching pair in {boxes}"


def test_a_turned_page_keeps_its_rows_in_reading_order(mnist_test) -> None:
    for seed in range(4):
        _, lines, rotation, _ = render("rotated", mnist_test, seed)
        assert rotation in (90, 180, 270)
        first, last = centre(lines[0][0]), centre(lines[0][-1])
        along = {90: np.array([0, 1]), 180: np.array([-1, 0]), 270: np.array([0, -1])}[rotation]
        assert (last - first) @ along > 0.8 * np.linalg.norm(last - first)


def test_a_cropped_photo_is_one_row_with_a_margin_of_a_fraction_of_its_height(mnist_test) -> None:
    for seed in range(2):
        image, lines, rotation, indices = render("cropped", mnist_test, seed)
        assert len(lines) == 1 and len(indices) == 1 and len(indices[0]) == len(lines[0]) and rotation == 0
        x0 = min(d["box"][0] for d in lines[0])
        y0 = min(d["box"][1] for d in lines[0])
        x1 = max(d["box"][0] + d["box"][2] for d in lines[0])
        y1 = max(d["box"][1] + d["box"][3] for d in lines[0])
        low, high = make_test_pages.CROP_MARGIN
        for gap in (x0, y0, image.shape[1] - x1, image.shape[0] - y1):  # each side's margin, rounded
            assert low * (y1 - y0) - 1 <= gap <= high * (y1 - y0) + 1


def test_the_same_seed_gives_the_same_page(mnist_test) -> None:
    a, lines_a, _, _ = render("boxes", mnist_test)
    b, lines_b, _, _ = render("boxes", mnist_test)
    assert np.array_equal(a, b) and lines_a == lines_b


def test_the_cli_writes_images_with_truth_and_refuses_unknown_kinds(tmp_path: Path, capsys) -> None:
    assert make_test_pages.main(["--out", str(tmp_path), "--kinds", "marker", "--per-kind", "1", "--seed", "2",
                                 "--size", "640x480", "--data", str(MNIST_SAMPLE), "--contact",
                                 str(tmp_path / "c.jpg")]) == 0
    truth = json.loads((tmp_path / "marker_00.json").read_text())
    assert truth["file"] == "marker_00.jpg" and truth["kind"] == "marker" and (tmp_path / "marker_00.jpg").is_file()
    assert cv2.imread(str(tmp_path / "c.jpg")).shape == (240, 5 * 320, 3)  # one page, four blank tiles
    with pytest.raises(SystemExit) as stop:
        make_test_pages.main(["--out", str(tmp_path), "--kinds", "crayon"])
    assert stop.value.code == 2 and "unknown kind(s) crayon" in capsys.readouterr().err
