"""Events log, safe file writing, tracking/smoothing and the overlay renderer: no model, no display."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from realtime import overlay
from realtime.errors import UserError
from realtime.events import EventLog
from realtime.files import save_images
from realtime.reading import DigitResult, Reading
from realtime.tracking import Tracker, iou, iou_matrix


def result(box, probs=None, line=None, reason=None) -> DigitResult:
    """A result as the finder gives it: line 0 unless said, -1 for a rejection the model never read
    (only a digit-sized one standing in a line has a line: it shows "?" there)."""
    line = line if line is not None else (-1 if probs is None and reason else 0)
    probs = None if probs is None else np.asarray(probs, np.float32)
    top = int(np.argmax(probs)) if probs is not None else None
    conf = float(probs[top]) if probs is not None else 0.0
    digit = top if probs is not None and conf >= 0.5 else None
    image = np.zeros((28, 28), np.float32) if probs is not None else None
    return DigitResult(box, line, digit, conf, probs, image, reason)


def onehot(digit: int, p: float = 0.95) -> np.ndarray:
    probs = np.full(10, (1 - p) / 9, np.float32)
    probs[digit] = p
    return probs


def test_reading_number_and_lines() -> None:
    reading = Reading([result((0, 0, 10, 20), onehot(4)), result((20, 0, 10, 20), onehot(2)),
                       result((0, 40, 10, 20), onehot(7), line=1), result((50, 50, 3, 3), reason="speck")], {})
    assert reading.lines == ["42", "7"]
    assert reading.number == "42 7"
    unsure = Reading([result((0, 0, 10, 20), np.full(10, 0.1))], {})
    assert unsure.lines == ["?"] and unsure.number is None
    assert Reading([], {}).number is None
    blob = Reading([result((0, 0, 10, 20), onehot(5)), result((15, 0, 10, 20), reason="blob", line=0),
                    result((30, 0, 10, 20), onehot(1))], {})
    assert blob.lines == ["5?1"] and blob.number is None  # a shape turned down in the line: no number


def test_event_log_appends_contract_lines(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "events.jsonl"
    reading = Reading([result((1, 2, 3, 4), onehot(3)), result((5, 5, 2, 2), reason="speck")], {})
    for frame in range(2):
        log = EventLog(path, "camera")
        log.write(frame, reading)
        log.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["frame"] for line in lines] == [0, 1]
    first = lines[0]
    assert first["mode"] == "camera" and first["number"] == "3" and isinstance(first["time"], float)
    assert first["digits"][0]["box"] == [1, 2, 3, 4] and first["digits"][0]["digit"] == 3
    assert len(first["digits"][0]["probs"]) == 10
    assert first["digits"][1]["digit"] is None and first["digits"][1]["reason"] == "speck"


def test_event_log_in_unwritable_place_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UserError, match="events log"):
        EventLog(blocker / "events.jsonl", "draw")


def test_save_images_never_overwrites(tmp_path: Path) -> None:
    image = np.zeros((5, 5), np.uint8)
    first, error1 = save_images(tmp_path, "7", {"-a": image, "-b": image})
    second, error2 = save_images(tmp_path, "7", {"-a": image, "-b": image})
    assert error1 is None and error2 is None
    assert len(set(first + second)) == 4 and all(p.is_file() for p in first + second)
    assert not list(tmp_path.glob(".*tmp"))


def test_save_images_reports_a_write_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    paths, error = save_images(blocker / "sub", "7", {"": np.zeros((5, 5), np.uint8)})
    assert paths == [] and error is not None and "could not save" in error


def test_tracker_smooths_a_flickering_digit() -> None:
    rng = np.random.default_rng(0)
    raw, smooth = Tracker(alpha=1.0), Tracker(alpha=0.4)
    for frame in range(60):
        # A digit between 1 and 7: the raw top class flips often, the average is steadily "1".
        p1 = 0.6 + rng.uniform(-0.2, 0.2)
        probs = np.zeros(10, np.float32)
        probs[1], probs[7] = p1, 1 - p1
        box = (100 + int(rng.integers(-2, 3)), 50, 30, 60)
        for tracker in (raw, smooth):
            tracker.update([result(box, probs.copy())], frame / 30)
    assert raw.label_changes > 5 * max(1, smooth.label_changes)
    assert smooth.flicker_rate() < raw.flicker_rate()
    assert len(smooth.tracks) == 1


def test_tracker_names_a_digit_by_the_rule_a_single_frame_is_named_by() -> None:
    """A small flat "0" the model gives 0.4 of "0" and 0.5 of "not a digit": decide() names it "0"
    (its share of the digit probabilities is 0.87), and so must the smoothed track; and a smoothed
    row that is mostly "not a digit" is "not a digit", as in a single frame."""
    from realtime.reading import decide

    probs = np.zeros(10, np.float32)
    probs[0], probs[6] = 0.40, 0.06  # the rest, 0.54, is "not a digit"
    tracker = Tracker()

    def seen(row: np.ndarray, frame: int) -> DigitResult:  # as the pipeline does: decide, then track
        frame_result = result((10, 10, 30, 20), row)
        decide([frame_result], row[None], object())
        return tracker.update([frame_result], frame / 30)[0]

    for frame in range(5):
        assert (seen(probs, frame).digit, tracker.tracks[0].label) == (0, "0")
    junk = np.full(10, 0.01, np.float32)  # 0.9 "not a digit"
    for frame in range(5, 15):
        smoothed = seen(junk, frame)
    assert smoothed.digit is None and smoothed.reason == "not a digit"


def test_another_digit_read_sure_where_a_sure_one_stood_is_named_at_once() -> None:
    """A sheet swapped or a cut in a video: a "4" read 0.99 sure where a "2" was read 0.99 sure is
    the "4" from its first frame, not the average ("2" at 0.6); a "4" read less sure is averaged
    as noise is."""
    box = (10, 10, 30, 40)
    tracker = Tracker()
    for k in range(5):
        tracker.update([result(box, onehot(2))], k / 30)
    assert tracker.update([result(box, onehot(4))], 5 / 30)[0].label == "4"
    doubtful = Tracker()
    for k in range(5):
        doubtful.update([result(box, onehot(2))], k / 30)
    assert doubtful.update([result(box, onehot(4, 0.8))], 5 / 30)[0].label == "2"


def test_tracker_keeps_separate_digits_apart_and_expires_tracks() -> None:
    tracker = Tracker(max_missed=2)
    tracker.update([result((0, 0, 20, 40), onehot(1)), result((100, 0, 20, 40), onehot(2))], 0.0)
    assert len(tracker.tracks) == 2
    for t in range(1, 5):
        tracker.update([], t)
    assert tracker.tracks == []
    assert iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(1 / 3)


def test_smoothing_keeps_a_digit_a_segmentation_check_leaves_unsure_unsure() -> None:
    """A digit read at 0.95 frame after frame, which a check beyond the naming rule (a cut of its
    ink reads nearly as well) leaves "?" from some frame on: the smoothed row would name it, the
    vetoes, smoothed alike, keep it "?" from the second vetoed frame on; and a veto now and then
    among plain frames does not make it flicker to "?"."""

    def vetoed(frame_result: DigitResult) -> DigitResult:
        frame_result.digit, frame_result.reason, frame_result.vetoed = None, "low confidence", True
        return frame_result

    tracker = Tracker()
    box = (10, 10, 30, 40)
    labels = [tracker.update([result(box, onehot(5))], 0.0)[0].label]
    labels += [tracker.update([vetoed(result(box, onehot(5)))], k / 30)[0].label for k in range(1, 6)]
    assert labels == ["5", "5", "?", "?", "?", "?"]
    steady = Tracker()
    shown = [steady.update([vetoed(result(box, onehot(5))) if k % 4 == 3 else result(box, onehot(5))], k / 30)[0].label
             for k in range(12)]
    assert shown == ["5"] * 12
    plain = result(box, onehot(5, 0.6))
    plain.digit, plain.reason = None, "low confidence"  # the naming rule's own "?": smoothing names it
    assert steady.update([plain], 1.0)[0].label == "5"


def test_iou_matrix_is_iou_pair_by_pair() -> None:
    rng = np.random.default_rng(3)
    first = [tuple(int(v) for v in rng.integers(0, 40, 4)) for _ in range(40)] + [(5, 5, 0, 0)]
    second = [tuple(int(v) for v in rng.integers(0, 40, 4)) for _ in range(30)] + [(5, 5, 0, 0)]
    matrix = iou_matrix(first, second)
    assert matrix.shape == (41, 31) and iou_matrix([], second).shape == (0, 31)
    assert all(matrix[i, j] == iou(a, b) for i, a in enumerate(first) for j, b in enumerate(second))
    assert 0 < np.count_nonzero(matrix) < matrix.size


def test_tracker_follows_each_digit_by_its_best_overlap() -> None:
    """Two tracks side by side; the next frame's boxes moved a little: each follows its own,
    whatever the order of the results (the pairs are matched the most overlapping first)."""
    tracker = Tracker()
    tracker.update([result((0, 0, 20, 40), onehot(1)), result((22, 0, 20, 40), onehot(2))], 0.0)
    ids = {t.box: t.id for t in tracker.tracks}
    tracker.update([result((28, 0, 20, 40), onehot(2)), result((6, 0, 20, 40), onehot(1))], 0.1)
    assert {t.box: t.id for t in tracker.tracks} == {(6, 0, 20, 40): ids[(0, 0, 20, 40)], (28, 0, 20, 40): ids[(22, 0, 20, 40)]}


def test_overlay_draws_on_any_frame_size() -> None:
    reading = Reading([result((5, 5, 20, 30), onehot(5)), result((40, 5, 20, 30), np.full(10, 0.1)),
                       result((70, 5, 5, 5), reason="speck")], {})
    for shape in [(48, 64, 3), (480, 640, 3), (1080, 1920, 3)]:
        frame = np.zeros(shape, np.uint8)
        overlay.draw_boxes(frame, reading)
        overlay.annotate(frame, reading)
        overlay.draw_bars(frame, reading.digits[0].probs, (0, 0), (min(200, shape[1]), min(150, shape[0])))
        overlay.draw_previews(frame, reading.read, (0, 0), 28, shape[1])
        overlay.draw_help(frame, ["a", "bb"])
        assert frame.any()
    assert overlay.hit_test(reading, (10, 10)) == 0 and overlay.hit_test(reading, (300, 300)) is None


def test_a_bar_says_what_the_label_says() -> None:
    """A reading the model gives half to "not a digit": the label shows the digit's share of the
    ten digit probabilities (0.45 of 0.5: 90%), and so does its bar (it showed 45%)."""
    probs = np.zeros(10, np.float32)
    probs[3], probs[5] = 0.45, 0.05
    image = np.zeros((200, 300, 3), np.uint8)
    overlay.draw_bars(image, probs, (0, 0), (300, 200))
    track = np.all(image == overlay.BAR_BG, axis=2) | np.all(image == overlay.GREEN, axis=2)
    green = np.nonzero(np.all(image == overlay.GREEN, axis=2).any(axis=0))[0]
    full = np.nonzero(track.any(axis=0))[0]
    assert abs((green.max() - full.min() + 1) / (full.max() - full.min() + 1) - 0.9) < 0.02


def test_bars_show_the_probabilities() -> None:
    image = np.zeros((200, 300, 3), np.uint8)
    overlay.draw_bars(image, onehot(3, 0.9), (0, 0), (300, 200))
    green = np.all(image == overlay.GREEN, axis=2)
    rows = np.nonzero(green.any(axis=1))[0]
    assert 60 <= rows.min() and rows.max() < 80  # only the bar of class 3 (row 3 of 10) is green


def test_a_digit_doubted_beyond_the_naming_rule_says_why_not_how_sure() -> None:
    """A digit the model reads at 100% but a check doubts (the page's way up is unsure) is
    labelled "? which way up?", and its bars are captioned with the reason: "? 100%" over a bar of
    0 at 95% said the opposite of what the "?" means."""
    doubted = result((5, 5, 20, 30), onehot(0))
    doubted.doubt("which way up?")
    assert overlay.label_texts(doubted) == ["? which way up?", "?"]
    assert overlay.bars_caption(Reading([doubted], {}), 0, "clicked")[0] == "probabilities of '?' (which way up?)"
    unsure = result((40, 5, 20, 30), np.full(10, 0.1))
    assert overlay.label_texts(unsure)[0] == "? 10%"  # the naming rule's own doubt: how sure it is
