"""Camera mode on webcam-like clips through the real capture path, and the ways a stream goes wrong.

The clips in tests/data/camera were rendered by scripts/make_test_videos.py (the command is in
their README): real MNIST test digits in pen on paper, a hand-held camera, uneven light, ruled
lines, a printed word, a hand, H.264. Their ground truth says where every digit is in every frame,
so the app's reading is scored, not just run, with the same code as docs/camera_eval.md
(scripts/evaluate_camera.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import ROOT, SHIPPED_MODEL
from realtime.camera_app import CameraOptions, FramePipeline, run
from realtime.capture import Source
from realtime.events import EventLog

sys.path.insert(0, str(ROOT / "scripts"))
import evaluate_camera  # noqa: E402  (scripts/evaluate_camera.py)

CLIPS_DIR = ROOT / "tests" / "data" / "camera"
CLIPS = sorted(CLIPS_DIR.glob("clip_*.mp4"))
EVENT_KEYS = {"mode", "frame", "time", "number", "digits", "lines"}
DIGIT_KEYS = {"box", "digit", "confidence", "probs"}
SUMMARY = re.compile(r"^(\d+) frames?, (\d+) digits? read, (\d+) unsure, [\d.]+ fps$", re.MULTILINE)

#: Floors a little below what the shipped model measured on these clips (smoothing on, see the
#: README there): recall 97.5 %, precision 96.0 %, labels 100.0 %, whole numbers 95.3 %.
MIN_RECALL = 0.95
MIN_PRECISION = 0.93
MIN_LABEL_ACCURACY = 0.97
MIN_NUMBER_ACCURACY = 0.85

needs_model = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason=f"the shipped model {SHIPPED_MODEL} is missing")


class FixedPredictor:
    """A stand-in model: every input is a confident 3, so the pipeline runs without model files."""

    def predict(self, images: np.ndarray) -> np.ndarray:
        probs = np.full((len(images), 10), 0.01, np.float32)
        probs[:, 3] = 0.91
        return probs


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The CLI as a user starts it: no display, no standard input."""
    environ = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.run([sys.executable, "-m", "realtime", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=environ, stdin=subprocess.DEVNULL)


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def truth_of(clip: Path) -> dict:
    return json.loads(clip.with_suffix(".json").read_text())


def page_with_a_digit(height: int = 120, width: int = 160) -> np.ndarray:
    """A light grey page with one dark printed '3': enough ink for one candidate."""
    page = np.full((height, width), 230, np.uint8)
    cv2.putText(page, "3", (50, 90), cv2.FONT_HERSHEY_SIMPLEX, 2.5, 20, 6)
    return page


# --- the committed clips ----------------------------------------------------------------------


def test_clips_are_committed_small_and_complete() -> None:
    assert len(CLIPS) >= 3, f"no clips in {CLIPS_DIR}: see its README.md"
    assert sum(p.stat().st_size for p in CLIPS_DIR.iterdir()) < 3_000_000
    for clip in CLIPS:
        truth = truth_of(clip)
        assert truth["video"] == clip.name
        assert len(truth["frames"]) == truth["frames_count"]
        for record in truth["frames"]:
            assert [d["line"] for d in record["digits"]] == sorted(d["line"] for d in record["digits"])
            assert len(record["numbers"]) == len(truth["lines"])


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.name)
def test_source_reads_every_frame_of_a_clip(clip: Path) -> None:
    truth = truth_of(clip)
    source = Source(str(clip))
    try:
        assert source.frame_count == truth["frames_count"] and source.fps == pytest.approx(truth["fps"])
        frames = 0
        while (frame := source.read()) is not None:
            assert frame.shape == (truth["size"][1], truth["size"][0], 3) and frame.dtype == np.uint8
            frames += 1
    finally:
        source.release()
    assert frames == truth["frames_count"]


@pytest.fixture(scope="module")
def scores(classifier) -> dict[bool, evaluate_camera.Tally]:
    """The committed clips read by the shipped model, with smoothing on (True) and off (False)."""
    return {smoothing: evaluate_camera.evaluate(CLIPS_DIR, classifier, smoothing)[0] for smoothing in (True, False)}


def test_found_digits_are_read_right_and_smoothing_steadies_them(scores) -> None:
    smooth, raw = scores[True], scores[False]
    assert smooth.matched > 0.5 * smooth.truths, "too few digits found to judge the labels"
    assert smooth.label_accuracy >= MIN_LABEL_ACCURACY, smooth.confusions.most_common(5)
    assert smooth.flicker_rate < raw.flicker_rate


def test_digits_on_paper_are_found_and_read_as_numbers(scores) -> None:
    smooth = scores[True]
    summary = f"recall {smooth.recall:.3f}, precision {smooth.precision:.3f}, numbers {smooth.number_accuracy:.3f}"
    assert smooth.recall >= MIN_RECALL, summary
    assert smooth.precision >= MIN_PRECISION, summary
    assert smooth.number_accuracy >= MIN_NUMBER_ACCURACY, summary


def test_the_clip_scores_count_what_the_app_shows_as_a_digit_found() -> None:
    """A candidate the model turns down as "not a digit" is no detection: no false alarm off the
    digits, no hit on one (that digit is missed), and a "?" in its line's text, as the app shows it.
    A digit it is unsure of ("?", low confidence) is found, with its label wrong."""
    from realtime.reading import DigitResult

    record = {"digits": [{"box": [10, 10, 20, 30], "label": 4, "occluded": False, "line": 0},
                         {"box": [40, 10, 20, 30], "label": 2, "occluded": False, "line": 0}],
              "numbers": ["42"]}
    nothing = np.full(10, 0.01, np.float32)  # "not a digit" 0.9
    unsure = np.full(10, 0.1, np.float32)

    def shown(x: int, digit: int | None, probs: np.ndarray, reason: str | None) -> DigitResult:
        return DigitResult((x, 10, 20, 30), 0, digit, float(probs.max() / probs.sum()), probs, None, reason)

    tally = evaluate_camera.Tally()
    evaluate_camera.score_frame(record, [shown(10, None, nothing, "not a digit"), shown(40, 2, unsure, None),
                                         shown(90, None, nothing, "not a digit")], tally)
    assert (tally.truths, tally.detections, tally.matched, tally.correct) == (2, 1, 1, 1)
    assert tally.misses == {"found but rejected: not a digit": 1} and not tally.false_alarms
    evaluate_camera.score_frame(record, [shown(10, None, unsure, "low confidence"), shown(40, 2, unsure, None)], tally)
    assert (tally.detections, tally.matched, tally.correct, tally.unsure) == (3, 3, 2, 1)
    assert (tally.lines, tally.lines_correct) == (2, 0)  # "?2" both times: never the number


@needs_model
def test_cli_replays_a_clip_headless_into_a_video_and_events(tmp_path: Path) -> None:
    clip = CLIPS[0]
    truth = truth_of(clip)
    frames = truth["frames_count"]
    out, events = tmp_path / "annotated.mp4", tmp_path / "events.jsonl"
    result = run_cli("camera", "--source", str(clip), "--headless", "--output", str(out), "--events", str(events))
    assert result.returncode == 0, result.stderr
    summary = SUMMARY.search(result.stdout)
    assert summary is not None, result.stdout
    assert int(summary.group(1)) == frames and int(summary.group(2)) > 0

    video = cv2.VideoCapture(str(out))
    try:
        assert video.isOpened()
        size = (int(video.get(cv2.CAP_PROP_FRAME_WIDTH)), int(video.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        assert size == tuple(truth["size"])
        assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == frames
    finally:
        video.release()

    records = [json.loads(line) for line in events.read_text().splitlines()]
    assert [r["frame"] for r in records] == list(range(frames))
    for record in records:
        assert EVENT_KEYS <= record.keys() and record["mode"] == "camera"
        assert record["number"] is None or isinstance(record["number"], str)
        for digit in record["digits"]:
            assert DIGIT_KEYS <= digit.keys()
            assert len(digit["box"]) == 4 and all(isinstance(v, int) for v in digit["box"])
            assert digit["digit"] is None or 0 <= digit["digit"] <= 9
            assert len(digit["probs"]) == 10


@needs_model
def test_events_to_standard_output_are_json_lines_alone_and_no_file_named_dash(tmp_path: Path) -> None:
    clip = CLIPS[0]
    frames = truth_of(clip)["frames_count"]
    result = run_cli("camera", "--source", str(clip), "--headless", "--events", "-")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]  # nothing but the events
    assert [r["frame"] for r in records] == list(range(frames)) and records[0]["mode"] == "camera"
    summary = SUMMARY.search(result.stderr)
    assert summary is not None and int(summary.group(1)) == frames, result.stderr
    assert not (ROOT / "-").exists()


@needs_model
def test_cli_on_a_truncated_video_reads_what_is_there_and_exits_0(tmp_path: Path) -> None:
    data = CLIPS[0].read_bytes()
    broken = tmp_path / "cut.mp4"
    broken.write_bytes(data[: len(data) // 2])  # the index is at the front: frames end mid-file
    events = tmp_path / "events.jsonl"
    result = run_cli("camera", "--source", str(broken), "--headless", "--events", str(events))
    assert result.returncode == 0, result.stderr
    summary = SUMMARY.search(result.stdout)
    assert summary is not None, result.stdout
    read = int(summary.group(1))
    assert 0 < read < truth_of(CLIPS[0])["frames_count"]
    assert len(events.read_text().splitlines()) == read


# --- what the user can get wrong: one line, exit code 2 ---------------------------------------


def test_missing_source_file(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(tmp_path / "gone.mp4")),
                          "source not found", "gone.mp4")


def test_a_file_that_is_not_a_video(tmp_path: Path) -> None:
    garbage = tmp_path / "x.mp4"
    garbage.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(garbage)), "cannot read image or video", "x.mp4")


@pytest.mark.skipif(Path("/dev/video9").exists(), reason="this machine has a camera at index 9")
def test_a_camera_index_with_no_camera() -> None:
    assert_one_line_error(run_cli("camera", "--headless", "--source", "9"), "camera 9")


# --- frames as capture devices deliver them -------------------------------------------------


ODD_FRAMES = {
    "gray (H, W)": lambda: page_with_a_digit(),
    "gray (H, W, 1)": lambda: page_with_a_digit()[..., None],
    "BGRA": lambda: cv2.cvtColor(page_with_a_digit(), cv2.COLOR_GRAY2BGRA),
    "uint16": lambda: page_with_a_digit().astype(np.uint16) * 257,
    "float32 in [0, 1]": lambda: page_with_a_digit().astype(np.float32) / 255,
}


@pytest.mark.parametrize("name", ODD_FRAMES)
def test_pipeline_reads_every_frame_format(name: str) -> None:
    frame = ODD_FRAMES[name]()
    result = FramePipeline(FixedPredictor(), CameraOptions()).process(frame, 0.0)
    assert result.frame.shape == (120, 160, 3) and result.frame.dtype == np.uint8
    assert result.binary.shape == (120, 160)
    assert [d.digit for d in result.reading.read] == [3]


@pytest.mark.parametrize("shape", [(5, 5, 3), (5, 5), (1, 1, 3), (1, 1)])
def test_pipeline_on_tiny_frames_finds_nothing_and_does_not_fail(shape: tuple[int, ...]) -> None:
    result = FramePipeline(FixedPredictor(), CameraOptions()).process(np.full(shape, 200, np.uint8), 0.0)
    assert result.frame.shape[:2] == shape[:2] and result.reading.read == []


class UnpluggedCamera(Source):
    """A webcam that delivers a few frames and then is gone: read() returns None, as Source does."""

    def __init__(self, frames: list[np.ndarray]) -> None:
        self.spec, self.live, self.capture, self.still = "0", True, None, None
        self.frames = frames
        self.released = False

    def read(self) -> np.ndarray | None:
        return self.frames.pop(0) if self.frames else None

    def release(self) -> None:
        self.released = True


def test_a_camera_that_stops_mid_stream_ends_cleanly_with_events_flushed(tmp_path: Path, capsys) -> None:
    camera = UnpluggedCamera([cv2.cvtColor(page_with_a_digit(), cv2.COLOR_GRAY2BGR) for _ in range(4)])
    path = tmp_path / "events.jsonl"
    code = run(camera, FixedPredictor(), CameraOptions(save_dir=tmp_path), EventLog(path, "camera"), headless=True)
    assert code == 0 and camera.released
    assert SUMMARY.search(capsys.readouterr().out).group(1) == "4"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["frame"] for r in records] == [0, 1, 2, 3]
    assert all(r["number"] == "3" for r in records)


def test_a_truncated_video_ends_early_without_an_error(tmp_path: Path) -> None:
    data = CLIPS[0].read_bytes()
    broken = tmp_path / "cut.mp4"
    broken.write_bytes(data[: len(data) // 2])
    path = tmp_path / "events.jsonl"
    source = Source(str(broken))
    assert source.frame_count == truth_of(CLIPS[0])["frames_count"]  # the index promises them all
    assert run(source, FixedPredictor(), CameraOptions(save_dir=tmp_path), EventLog(path, "camera"), headless=True) == 0
    read = len(path.read_text().splitlines())
    assert 0 < read < truth_of(CLIPS[0])["frames_count"]
