"""Small frames and small digits: a photo scaled down is read enlarged, and a digit under MNIST's
resolution is named only when the model is sure (realtime.camera_app.WORK_MIN_SIDE,
realtime.reading.SMALL_DIGIT)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from conftest import ROOT
from realtime import camera_app
from realtime.camera_app import SMALL_INK, WORK_MAX_SIDE, WORK_MIN_SIDE, CameraOptions, FramePipeline, work_ratio
from realtime.reading import SMALL_CONFIDENCE, SMALL_DIGIT, DigitResult, doubt_small

sys.path.insert(0, str(ROOT / "scripts"))
from validate_small_digits import reading_of, row_frame  # noqa: E402


@pytest.mark.parametrize(("shape", "expected"), [
    ((480, 640), 1.0),  # a camera frame: as it is
    ((1080, 1920), WORK_MAX_SIDE / 1920),  # larger: shrunk
    ((30, 75), WORK_MIN_SIDE / 30),  # a row photo scaled to 75 px wide: its shorter side to 240
    ((10, 2000), WORK_MAX_SIDE / 2000),  # longer than WORK_MAX_SIDE: shrunk, however thin
])
def test_work_ratio(shape: tuple[int, int], expected: float) -> None:
    assert work_ratio(*shape) == pytest.approx(expected)


def test_a_small_frame_with_large_ink_is_read_at_its_size() -> None:
    """A row cropped close around digits larger than MNIST's box: nothing to win by enlarging."""
    assert work_ratio(30, 75, ink=SMALL_INK - 1) == pytest.approx(WORK_MIN_SIDE / 30)
    assert work_ratio(30, 75, ink=None) == pytest.approx(WORK_MIN_SIDE / 30)  # specks only
    assert work_ratio(100, 400, ink=SMALL_INK) == 1.0


def test_a_tall_narrow_small_frame_is_enlarged_only_up_to_the_longest_side() -> None:
    ratio = work_ratio(100, 800)
    assert ratio > 1.0 and round(800 * ratio) <= WORK_MAX_SIDE and 100 * ratio < WORK_MIN_SIDE


def _named(height: int, confidence: float) -> DigitResult:
    probs = np.full(10, (1 - confidence) / 9, np.float32)
    probs[4] = confidence
    return DigitResult((0, 0, height // 2, height), 0, 4, confidence, probs, None, None)


def test_a_small_digit_is_named_only_when_sure() -> None:
    unsure_small = _named(SMALL_DIGIT - 1, SMALL_CONFIDENCE - 0.05)
    sure_small = _named(SMALL_DIGIT - 1, SMALL_CONFIDENCE)
    unsure_large = _named(SMALL_DIGIT, 0.6)
    doubt_small([unsure_small, sure_small, unsure_large])
    assert (unsure_small.digit, unsure_small.reason, unsure_small.vetoed) == (None, "low confidence", True)
    assert sure_small.digit == 4 and unsure_large.digit == 4


def _read_rows(classifier, images: np.ndarray, height: int) -> list[DigitResult | None]:
    pipeline = FramePipeline(classifier, CameraOptions(rotate=0, smoothing=False))
    rng = np.random.default_rng(0)
    readings = []
    for start in range(0, len(images), 8):
        frame, boxes = row_frame(images[start : start + 8], height, rng)
        digits = pipeline.process(frame, 0.0).reading.digits
        readings += [reading_of(box, digits) for box in boxes]
    return readings


def test_digits_8_px_high_in_a_small_photo_are_found_and_never_named_wrong(classifier, mnist_test, monkeypatch) -> None:
    """Rows of real MNIST digits 8 px high, in frames 24 px high (a row photo scaled down): read
    enlarged, nearly all are found and none is named wrong; read at their size, the finder's
    pixel limits lose many."""
    images, labels = mnist_test[0][:48], mnist_test[1][:48]
    readings = _read_rows(classifier, images, 8)
    found = [r for r in readings if r is not None]
    assert len(found) >= 0.9 * len(images)
    assert all(r.digit in (None, label) for r, label in zip(readings, labels) if r is not None)
    monkeypatch.setattr(camera_app, "WORK_MIN_SIDE", 1)
    at_size = [r for r in _read_rows(classifier, images, 8) if r is not None]
    assert len(at_size) < 0.8 * len(images)
