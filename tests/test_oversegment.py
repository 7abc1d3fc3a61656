"""Touching digits in camera rows, cut where the classifier reads them best (realtime/oversegment.py).

A stand-in model reads a crop as "0" when its ink has exactly one hole and as "not a digit"
otherwise, so the tests know what each grouping reads without the shipped model: two touching
rings joined by a stroke ("00") are one connected component with two holes, which the component finder hands on as
one candidate that reads as no digit; cut where they touch, each half has one hole.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from realtime.camera_app import CameraOptions, FramePipeline
from realtime.oversegment import cut_paths, needs_cutting, one_stroke, resegment, row_height
from realtime.reading import read_candidates
from realtime.segment import Candidate, find_digits


class RingReader:
    """(N, 28, 28) -> (N, 10): "0" at 0.98 for ink with one hole, else 0.95 "not a digit"."""

    def predict(self, images: np.ndarray) -> np.ndarray:
        out = np.zeros((len(images), 10), np.float32)
        for row, image in zip(out, images):
            ink = (image > 0.3).astype(np.uint8)
            _, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
            holes = 0 if hierarchy is None else int(sum(h[3] >= 0 for h in hierarchy[0]))
            if holes == 1:
                row[0], row[8] = 0.98, 0.02
            else:
                row[0] = 0.05
        return out


def _rings(centres: list[int], joined: tuple[int, ...] = (), axes: tuple[int, int] = (30, 45)) -> np.ndarray:
    """A 640x480 binary ink image (uint8, 255 ink) of upright rings, 60 x 90 px, centred at (x, 240),
    with a stroke at mid-height from the ring at each of `joined` to the next one (a pen stroke
    that runs on into the next digit, as touching digits do)."""
    binary = np.zeros((480, 640), np.uint8)
    for x in centres:
        cv2.ellipse(binary, (x, 240), axes, 0, 0, 360, 255, 8)
    for k in joined:
        cv2.line(binary, (centres[k] + axes[0], 240), (centres[k + 1] - axes[0], 240), 255, 8)
    return binary


def test_cut_paths_find_where_two_rings_touch() -> None:
    binary = _rings([200, 290], joined=(0,))
    (cand,) = [c for c in find_digits(binary) if c.accepted]
    ink = cand.mask[2:-2, 2:-2] > 0
    paths, crossed = cut_paths(ink, cand.box[3])
    joint = 245 - cand.box[0]  # the middle of the joining stroke, in the candidate's columns
    cheapest = paths[int(np.argmin(crossed))]
    assert abs(float(np.median(cheapest)) - joint) <= 12  # anywhere along the 22 px stroke
    assert min(crossed) <= 1.5


def test_touching_rings_are_read_as_two_digits_not_one_shape() -> None:
    """The component finder's one candidate reads as no digit; cut at the join, "0" and "0"."""
    binary = _rings([200, 290, 420], joined=(0,))
    candidates = find_digits(binary)
    results, _, _ = read_candidates(candidates, RingReader())
    assert "".join(r.label for r in results if r.line == 0) == "?0"  # today's finder alone
    cut, _ = resegment(candidates, results, RingReader())
    line = [r for r in cut if r.line == 0]
    assert "".join(r.label for r in line) == "000"
    assert [r.box[0] for r in line] == sorted(r.box[0] for r in line)


def test_a_wide_digit_that_reads_best_whole_stays_whole() -> None:
    """One ring 1.3 times as wide as high reads "0" whole; its halves have no hole, so no cut wins."""
    binary = _rings([300], axes=(58, 45))
    candidates = find_digits(binary)
    results, _, _ = read_candidates(candidates, RingReader())
    cut, _ = resegment(candidates, results, RingReader())
    assert [(r.label, r.box) for r in cut if r.line == 0] == [("0", candidates[0].box)]


def test_a_wide_shape_the_model_half_turns_down_is_not_named() -> None:
    """A ring 1.3 times as wide as high, read "0" at 0.45 with 0.55 "not a digit": named "0" as a
    lone candidate (its digit probabilities all go to "0"), but examined as wide it is "?": a group
    the model half turns down is as likely two digits or a bad cut as the digit."""

    class HalfReader(RingReader):
        def predict(self, images: np.ndarray) -> np.ndarray:
            out = super().predict(images)
            out[out[:, 0] > 0.9] = np.eye(10, dtype=np.float32)[0] * 0.45
            return out

    binary = _rings([300], axes=(58, 45))
    candidates = find_digits(binary)
    results, _, _ = read_candidates(candidates, HalfReader())
    assert [r.label for r in results] == ["0"]
    cut, _ = resegment(candidates, results, HalfReader())
    assert [(r.label, r.box) for r in cut if r.line == 0] == [("?", candidates[0].box)]


def test_a_frame_without_wide_candidates_costs_no_second_batch() -> None:
    class Counting(RingReader):
        calls = 0

        def predict(self, images: np.ndarray) -> np.ndarray:
            Counting.calls += 1
            return super().predict(images)

    binary = _rings([150, 300, 450])
    candidates = find_digits(binary)
    results, _, _ = read_candidates(candidates, Counting())
    cut, spent = resegment(candidates, results, Counting())
    assert Counting.calls == 1 and spent == 0.0 and cut is results


def test_camera_frame_of_touching_rings_reads_the_number() -> None:
    """Through the camera's per-frame pipeline: paper with two joined rings and one apart."""
    frame = np.full((480, 640, 3), 235, np.uint8)
    frame[_rings([200, 290, 420], joined=(0,)) > 0] = (40, 40, 40)
    reading = FramePipeline(RingReader(), CameraOptions()).process(frame, 0.0).reading
    assert reading.number == "000"



def test_a_printed_box_around_digits_is_left_to_the_line_removal() -> None:
    """Joined rings are cut; the same rings inside a printed box's outline (its top and bottom run
    along the candidate's edges) are not: cutting would read the box's sides as "1"s."""
    open_rings = _rings([200, 290], joined=(0,))
    boxed = open_rings.copy()
    cv2.rectangle(boxed, (170, 195), (320, 285), 255, 3)  # through the rings: one component
    for binary, cut in ((open_rings, True), (boxed, False)):
        candidates = find_digits(binary)
        results, _, _ = read_candidates(candidates, RingReader())
        widest = max(range(len(candidates)), key=lambda k: candidates[k].box[2])
        assert needs_cutting(candidates[widest], results[widest], candidates) is cut



class HoleReader(RingReader):
    """As RingReader, but ink with two holes reads as "8" at `confidence` (the rest "3"), as the
    model reads two touching rounded digits ("00", "90") as one."""

    def __init__(self, confidence: float) -> None:
        self.confidence = confidence

    def predict(self, images: np.ndarray) -> np.ndarray:
        out = super().predict(images)
        for row, image in zip(out, images):
            _, hierarchy = cv2.findContours((image > 0.3).astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
            if hierarchy is not None and sum(h[3] >= 0 for h in hierarchy[0]) == 2:
                row[:] = 0.0
                row[8], row[3] = self.confidence, 1.0 - self.confidence
        return out


@pytest.mark.parametrize(("confidence", "join", "reading"), [(0.7, 4, "0000"), (0.8, 8, "00??")])
def test_a_pair_read_as_one_digit_is_cut_when_wider_than_the_digits_of_its_row(confidence: float, join: int, reading: str) -> None:
    """Two narrow joined rings make a shape 1.14 of its height wide (not wide for a digit, so it
    was never cut) that the reader names "8"; beside single rings of the same height it is wider
    than a digit of its row, so it is cut: the halves read "0" "0", or, where the whole reads
    nearly as well, "?" "?" - never the wrong "8"."""
    binary = _rings([100, 200, 400, 460], axes=(22, 45))
    cv2.line(binary, (422, 240), (438, 240), 255, join)
    candidates = find_digits(binary)
    results, _, _ = read_candidates(candidates, HoleReader(confidence))
    assert "".join(r.label for r in results if r.line == 0) == "008"  # read whole
    cut, _ = resegment(candidates, results, HoleReader(confidence))
    assert "".join(r.label for r in cut if r.line == 0) == reading


class _CountingRings(RingReader):
    """RingReader that counts its calls: the frame's batch is one, the lattice's a second."""

    def __init__(self) -> None:
        self.calls = 0

    def predict(self, images: np.ndarray) -> np.ndarray:
        self.calls += 1
        return super().predict(images)


def _paper(binary: np.ndarray) -> np.ndarray:
    frame = np.full((480, 640, 3), 235, np.uint8)
    frame[binary > 0] = (40, 40, 40)
    return frame


def test_a_wide_digit_seen_frame_after_frame_is_cut_once_per_keep_frames() -> None:
    """A video of one wide ring: the lattice reads it best whole on the first frame, and that
    verdict is reused, not paid again, until KEEP_FRAMES frames have gone by."""
    from realtime.whole_memory import KEEP_FRAMES

    reader = _CountingRings()
    pipeline = FramePipeline(reader, CameraOptions(rotate=0))
    frame = _paper(_rings([300], axes=(58, 45)))
    lattices = []
    for index in range(2 * KEEP_FRAMES + 1):
        before = reader.calls
        reading = pipeline.process(frame, index / 30).reading
        assert reading.number == "0"
        lattices.append(reader.calls - before - 1)
    assert [k for k, extra in enumerate(lattices) if extra] == [0, KEEP_FRAMES, 2 * KEEP_FRAMES]


def test_a_verdict_that_left_the_digit_unsure_is_looked_at_again_sooner() -> None:
    """A "?" verdict lasts UNSURE_FRAMES, a named one KEEP_FRAMES: the next views may tell the "?"."""
    from realtime.whole_memory import KEEP_FRAMES, UNSURE_FRAMES, WholeMemory

    assert UNSURE_FRAMES < KEEP_FRAMES
    memory = WholeMemory()
    memory.remember((10, 10, 40, 30), 0, unsure=False)
    memory.remember((100, 10, 40, 30), 5, unsure=True)
    for frame in range(1, KEEP_FRAMES + 1):
        memory.next_frame()
        assert memory.recall((10, 10, 40, 30), 0) is (False if frame < KEEP_FRAMES else None)
        assert memory.recall((100, 10, 40, 30), 5) is (True if frame < UNSURE_FRAMES else None)


def test_a_remembered_wide_digit_is_cut_at_once_when_a_digit_is_joined_to_it() -> None:
    """The verdict belongs to the box it was reached on: a ring written touching the remembered
    one makes a wider candidate, which the lattice reads on the very next frame ("00")."""
    reader = _CountingRings()
    pipeline = FramePipeline(reader, CameraOptions(rotate=0, smoothing=False))
    assert pipeline.process(_paper(_rings([300], axes=(58, 45))), 0.0).reading.number == "0"
    touching = _rings([200, 300], joined=(0,))
    before = reader.calls
    assert pipeline.process(_paper(touching), 1 / 30).reading.number == "00"
    assert reader.calls - before == 2


def test_the_unsure_verdict_of_a_wide_shape_is_remembered_too() -> None:
    """A wide ring the model half turns down is "?" on the frame the lattice looked, and on the
    frames that reuse its verdict: a remembered verdict never names what the lattice did not."""

    class HalfRings(_CountingRings):
        def predict(self, images: np.ndarray) -> np.ndarray:
            out = super().predict(images)
            out[out[:, 0] > 0.9] = np.eye(10, dtype=np.float32)[0] * 0.45
            return out

    reader = HalfRings()
    pipeline = FramePipeline(reader, CameraOptions(rotate=0))
    frame = _paper(_rings([300], axes=(58, 45)))
    labels = [[r.label for r in pipeline.process(frame, k / 30).reading.read] for k in range(4)]
    assert labels == [["?"]] * 4 and reader.calls == 5


def test_a_remembered_verdict_follows_a_digit_drifting_across_the_frame() -> None:
    """A hand-held camera drifts: the wide ring moves 4 px a frame, 36 px in ten frames (its box
    then overlaps the first one by less than MIN_IOU). The verdict follows it frame to frame: the
    lattice looks once."""
    reader = _CountingRings()
    pipeline = FramePipeline(reader, CameraOptions(rotate=0, smoothing=False))
    for index in range(10):
        before = reader.calls
        assert pipeline.process(_paper(_rings([250 + 4 * index], axes=(58, 45))), index / 30).reading.number == "0"
        assert reader.calls - before == (2 if index == 0 else 1)


def test_a_pair_named_unsure_is_cut_though_narrower_than_a_digit_of_its_row() -> None:
    """Two narrow joined rings, together 0.9 of the row's digit height wide (so no rule for wide
    shapes cuts them), that the reader names "8" at 0.85 - as the model read a "1" leaning on a
    "4" as one "4" at 0.90: named, but not sure, so it is cut, and the halves' "0" "0" read better
    than the "8": never the wrong "8"."""
    binary = _rings([100, 200], axes=(30, 45))
    binary |= _rings([400, 450], axes=(15, 45), joined=(0,))
    candidates = find_digits(binary)
    results, _, _ = read_candidates(candidates, HoleReader(0.85))
    assert "".join(r.label for r in results if r.line == 0) == "008"  # read whole
    cut, _ = resegment(candidates, results, HoleReader(0.85))
    line = "".join(r.label for r in cut if r.line == 0)
    assert "8" not in line and line in ("0000", "00?")


def _leaning_pair(binary: np.ndarray, x: int) -> None:
    """A "/" and a "\\" 90 px high meeting at the top (two "1"s leaning together, one shape 0.9 of
    its height wide), drawn into `binary` with its left foot at `x`."""
    cv2.line(binary, (x, 285), (x + 38, 195), 255, 8)
    cv2.line(binary, (x + 38, 195), (x + 76, 285), 255, 8)


class StrokeReader(RingReader):
    """As RingReader, but ink with no hole reads "1": at 0.99 when its box in the 28x28 input is
    under 0.6 of its height wide, else at 0.93 (the model's fluent "1" for two leaning strokes)."""

    def predict(self, images: np.ndarray) -> np.ndarray:
        out = super().predict(images)
        for row, image in zip(out, images):
            if row[0] > 0.9:
                continue
            ys, xs = np.nonzero(image > 0.3)
            row[:] = 0.0
            narrow = (xs.max() - xs.min() + 1) < 0.6 * (ys.max() - ys.min() + 1)
            row[1], row[7] = (0.99, 0.01) if narrow else (0.93, 0.07)
        return out


def test_a_shape_wider_than_its_digit_ever_is_not_named_that_digit() -> None:
    """Two "1"s leaning together make one shape 0.9 of its height wide, which the reader names "1"
    at 0.93: no "1" is that wide (MNIST: 95% of them are under 0.8 of their height), so it is
    cut, and since its strokes read "1" "1" better than the whole reads "1", it is never the one
    "1" of a wrong number."""
    binary = _rings([100, 200], axes=(30, 45))
    _leaning_pair(binary, 300)
    candidates = find_digits(binary)
    results, _, _ = read_candidates(candidates, StrokeReader())
    assert "".join(r.label for r in results if r.line == 0) == "001"  # read whole
    cut, _ = resegment(candidates, results, StrokeReader())
    assert "".join(r.label for r in cut if r.line == 0) in ("0011", "00?")


def test_a_digit_as_wide_as_one_and_a_half_heights_is_read_whole_beside_the_one_it_touches() -> None:
    """A ring 1.5 of its height wide (a wide "0", as a pen writes one) joined to a narrow ring:
    the cuts come about a fifth of a height apart, so the wide ring spans 7 to 8 pieces, and a
    lattice whose groups held at most 6 pieces could not read it whole: the pair stayed one
    shape read as no digit."""
    binary = np.zeros((480, 640), np.uint8)
    cv2.ellipse(binary, (200, 240), (66, 44), 0, 0, 360, 255, 8)
    cv2.ellipse(binary, (305, 240), (24, 44), 0, 0, 360, 255, 8)
    cv2.line(binary, (266, 240), (281, 240), 255, 8)
    binary |= _rings([450], axes=(30, 45))
    candidates = find_digits(binary)
    results, _, _ = read_candidates(candidates, RingReader())
    assert "".join(r.label for r in results if r.line == 0) == "?0"  # read whole
    cut, _ = resegment(candidates, results, RingReader())
    assert "".join(r.label for r in cut if r.line == 0) == "000"


def _box(x: int, h: int, line: int = 0) -> Candidate:
    return Candidate((x, 100 * line, 40, h), np.zeros((h + 4, 44), np.uint8), line=line)


def test_a_row_height_is_not_measured_by_the_pieces_of_a_broken_digit() -> None:
    """A row of a "4" broken in two (a stroke 28 px high and the rest 64 px high) beside a pair
    65 px high: the piece is no digit's height, so the row's digit height is that of the page's
    digits (60 px), not the median of 28 and 64 (46 px, which made the pair "too tall" to cut)."""
    pair = _box(300, 65)
    row = [_box(100, 28), _box(150, 64), pair]
    page = [_box(100 + 50 * k, 60, line=1 + k % 2) for k in range(6)]
    assert row_height(pair, row + page) == 60.0
    assert row_height(pair, [_box(100, 50), _box(150, 64), pair]) == 57.0  # digits a little apart in height: their median


def test_digits_joined_by_three_strokes_are_still_cut_between_them() -> None:
    """Two upright strokes joined by three crossbars, as two digits that overlap (a cut between
    them crosses one's stroke, the other's and a tail): every cut between them crosses three pen
    strokes, more than a plain touch (one), and such cuts are tried (the classifier decides)."""
    binary = np.zeros((480, 640), np.uint8)
    for x in (300, 380):
        cv2.line(binary, (x, 195), (x, 285), 255, 8)
    for y in (215, 240, 265):
        cv2.line(binary, (300, y), (380, y), 255, 8)
    (cand,) = [c for c in find_digits(binary) if c.accepted]
    paths, crossed = cut_paths(cand.mask[2:-2, 2:-2] > 0, cand.box[3])
    assert paths and all(2.5 < c <= 3.5 for c in crossed)
    assert all(10 < float(np.median(p)) < cand.box[2] - 10 for p in paths)  # between the strokes



class FootReader(StrokeReader):
    """As StrokeReader, but what it reads as "1" it reads at 0.9 in its first batch (the frame's
    candidates read whole) and at 0.98 after (the lattice's pieces): as the shipped model read a
    "1" leaning 45 degrees, and its foot and the rest cut apart, each surer than the whole."""

    def __init__(self) -> None:
        self.batches = 0

    def predict(self, images: np.ndarray) -> np.ndarray:
        out = super().predict(images)
        out[out[:, 1] > 0.9, 1] = 0.9 if self.batches == 0 else 0.98
        self.batches += 1
        return out


def test_a_leaning_one_of_a_single_stroke_is_never_cut_into_ones() -> None:
    """A "1" leaning 40 degrees is 0.85 of its height wide, wider than a "1" ever is upright, so
    the touching-digit lattice examined it, and its foot and the rest, each read "1", outread the
    whole: it was left "?" (8 frames of a rendered clip). One straight stroke is never two digits
    (`one_stroke`); two strokes leaning together still may be (the test above)."""
    binary = _rings([100, 200], axes=(30, 45))
    cv2.line(binary, (300, 285), (376, 195), 255, 8)
    candidates = find_digits(binary)
    reader = FootReader()
    results, _, _ = read_candidates(candidates, reader)
    assert "".join(r.label for r in results if r.line == 0) == "001"  # read whole
    cut, _ = resegment(candidates, results, reader)
    assert "".join(r.label for r in cut if r.line == 0) == "001"


def test_one_stroke_tells_a_straight_stroke_from_two() -> None:
    """One straight stroke at any angle, as thick as a marker or as thin as a ballpoint, against
    two strokes side by side (leaning together, or parallel and joined at the foot)."""
    for angle in (0, 40, 90, 135):
        for width in (3, 8, 14):
            mask = np.zeros((200, 200), np.uint8)
            dx, dy = 70 * np.cos(np.radians(angle)), 70 * np.sin(np.radians(angle))
            cv2.line(mask, (int(100 - dx), int(100 - dy)), (int(100 + dx), int(100 + dy)), 255, width)
            assert one_stroke(mask), (angle, width)
    pair = np.zeros((480, 640), np.uint8)
    _leaning_pair(pair, 300)
    assert not one_stroke(pair)
    for width in (3, 8):
        parallel = np.zeros((200, 200), np.uint8)
        cv2.line(parallel, (60, 160), (100, 40), 255, width)
        cv2.line(parallel, (60 + 5 * width, 160), (100 + 5 * width, 40), 255, width)
        cv2.line(parallel, (60, 160), (60 + 5 * width, 160), 255, width)
        assert not one_stroke(parallel), width
    assert not one_stroke(np.zeros((10, 10), np.uint8))
