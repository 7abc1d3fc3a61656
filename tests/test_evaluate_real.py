"""The real-data scorer: matching, the four rates and whole rows, on hand-made events; its faults
through the real script (bad input, a full disk, SIGTERM)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import ROOT, fill

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import evaluate_real  # noqa: E402


def digit(box, value, confidence=0.99):
    probs = [0.0] * 10
    if value is not None:
        probs[value] = confidence
    else:
        probs[0] = 0.3
    return {"box": list(box), "digit": value, "confidence": confidence, "probs": probs}


ROW = [{"box": [10, 10, 20, 30], "label": 4}, {"box": [40, 10, 20, 30], "label": 2}]


def test_a_perfect_reading_scores_everything_right():
    event = {"digits": [digit((10, 10, 20, 30), 4), digit((41, 11, 19, 29), 2)]}
    t = evaluate_real.score_frame([ROW], event)
    assert (t.recall, t.precision, t.label_accuracy, t.row_accuracy) == (1.0, 1.0, 1.0, 1.0)


def test_unsure_digit_is_found_but_wrong_and_breaks_the_row():
    event = {"digits": [digit((10, 10, 20, 30), 4), digit((40, 10, 20, 30), None)]}
    t = evaluate_real.score_frame([ROW], event)
    assert t.recall == 1.0 and t.label_accuracy == 0.5 and t.row_accuracy == 0.0
    assert t.named == 1 and t.precision == 1.0


def test_finder_rejections_are_not_detections_and_false_digits_cost_precision():
    rejected = {"box": [40, 10, 20, 30], "digit": None, "confidence": 0.0, "probs": [0.0] * 10, "reason": "speck"}
    event = {"digits": [digit((10, 10, 20, 30), 4), rejected, digit((200, 200, 20, 30), 7)]}
    t = evaluate_real.score_frame([ROW], event)
    assert t.recall == 0.5 and t.precision == 0.5 and t.row_accuracy == 0.0


def test_confidently_wrong_is_counted():
    event = {"digits": [digit((10, 10, 20, 30), 9, 0.97), digit((40, 10, 20, 30), 2, 0.6)]}
    t = evaluate_real.score_frame([ROW], event)
    assert t.confident_wrong == 1 and t.label_accuracy == 0.5


def test_app_rows_are_used_when_the_event_has_them():
    event = {"digits": [digit((10, 10, 20, 30), 4), digit((40, 10, 20, 30), 2)],
             "lines": [{"text": "4", "box": [10, 10, 20, 30]}, {"text": "2", "box": [40, 10, 20, 30]}]}
    assert evaluate_real.score_frame([ROW], event).row_accuracy == 0.0  # the app split the number


def test_a_case_is_scored_on_its_number_and_a_missing_event_is_a_miss():
    assert evaluate_real.score_case("2350", {"number": "2350"}).row_accuracy == 1.0
    assert evaluate_real.score_case("2350", None).row_accuracy == 0.0
    assert evaluate_real.CASE_NAME.match("10-touching-digits-2350").group(1) == "2350"


def test_a_row_of_a_turned_page_is_read_in_its_own_direction():
    # a page turned 90 degrees clockwise: its row "42" runs top to bottom in the image
    row = [{"box": [10, 10, 30, 20], "label": 4}, {"box": [10, 40, 30, 20], "label": 2}]
    event = {"digits": [digit((10, 40, 30, 20), 2), digit((10, 10, 30, 20), 4)]}
    assert evaluate_real.score_frame([row], event).row_accuracy == 1.0
    event = {"digits": [digit((10, 40, 30, 20), 4), digit((10, 10, 30, 20), 2)]}
    assert evaluate_real.score_frame([row], event).row_accuracy == 0.0


def test_a_rendered_kind_is_judged_on_its_own_targets():
    good = evaluate_real.Tally(frames=1, truths=20, matched=20, correct=20, rows=4, rows_correct=4)
    bad = evaluate_real.Tally(frames=1, truths=20, matched=10, correct=10, rows=4, rows_correct=1)
    text = evaluate_real.report([], {"marker": good, "dense": bad}, good, "cmd", "Rendered pages")
    assert text.startswith("# Rendered pages")
    assert "- **dense**: recall 50.0% (target 95.0%: missed); row accuracy 25.0% (target 90.0%: missed)." in text
    assert "- **marker**: recall 100.0% (target 95.0%: met); row accuracy 100.0% (target 90.0%: met)." in text
    assert "Per rendered kind" not in evaluate_real.report([], {"photo": good}, good, "cmd")


def test_a_candidate_called_not_a_digit_over_a_truth_digit_is_a_miss():
    not_digit = {**digit((40, 10, 20, 30), None), "reason": "not a digit"}
    t = evaluate_real.score_frame([ROW], {"digits": [digit((10, 10, 20, 30), 4), not_digit]})
    assert t.recall == 0.5 and t.matched == 1
    unsure = {**digit((40, 10, 20, 30), None), "reason": "low confidence"}  # "?" is offered, only unsure
    assert evaluate_real.score_frame([ROW], {"digits": [digit((10, 10, 20, 30), 4), unsure]}).recall == 1.0


def test_a_row_shown_as_another_number_is_a_wrong_number_and_a_row_with_a_question_mark_is_not():
    short = {"digits": [digit((10, 10, 20, 30), 4)], "lines": [{"text": "4", "box": [10, 10, 20, 30]}]}
    assert evaluate_real.score_frame([ROW], short).rows_wrong == 1  # "42" shown as "4": a digit left out
    unsure = {"digits": [digit((10, 10, 20, 30), 4), digit((40, 10, 20, 30), None)],
              "lines": [{"text": "4?", "box": [10, 10, 50, 30]}]}
    assert evaluate_real.score_frame([ROW], unsure).rows_wrong == 0
    assert evaluate_real.score_frame([ROW], None).rows_wrong == 0
    assert evaluate_real.score_case("2350", {"number": "235"}).rows_wrong == 1
    assert evaluate_real.score_case("2350", {"number": None}).rows_wrong == 0


def test_misses_list_each_row_not_read_right_and_mark_wrong_numbers():
    event = {"digits": [digit((10, 10, 20, 30), 4), digit((40, 10, 20, 30), 7)]}
    row2 = [{"box": [10, 60, 20, 30], "label": 1}, {"box": [40, 60, 20, 30], "label": 5}]
    unsure = {"digits": [*event["digits"], digit((10, 60, 20, 30), 1), digit((40, 60, 20, 30), None)]}
    t = evaluate_real.score_frame([ROW, row2], unsure, frame=3)
    assert t.misses == [(3, "42", "47", True), (3, "15", "1?", False)]
    right = evaluate_real.score_frame([ROW], {"digits": [digit((10, 10, 20, 30), 4), digit((40, 10, 20, 30), 2)]})
    assert right.misses == []
    text = evaluate_real.report([("page.jpg", t)], {"photo": t}, t, "cmd", misses=True)
    assert "| page.jpg | 3 | 42 | 47 | wrong number |" in text and "| page.jpg | 3 | 15 | 1? |  |" in text
    assert "Rows not read right" not in evaluate_real.report([("page.jpg", t)], {"photo": t}, t, "cmd")
    assert evaluate_real.score_case("2350", {"number": "2850"}).misses == [(0, "2350", "2850", True)]


def test_a_case_misread_as_two_numbers_is_a_wrong_number_and_one_with_a_question_mark_shows_its_text():
    twice = evaluate_real.score_case("2350", {"number": "2350 2350"})
    assert twice.rows_wrong == 1 and twice.misses == [(0, "2350", "2350 2350", True)]
    unsure = evaluate_real.score_case("2350", {"number": None, "lines": [{"text": "23?0", "box": [0, 0, 9, 9]}]})
    assert unsure.rows_wrong == 0 and unsure.misses == [(0, "2350", "23?0", False)]


SCRIPT = ROOT / "scripts" / "evaluate_real.py"
CASE = ROOT / "tests" / "data" / "pages" / "14-pencil-faint-931.png"


def run_script(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300, env=env)


def one_line_error(done: subprocess.CompletedProcess, words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ") and words in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_input_is_one_line_and_exit_2_before_the_app_reads_anything(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "page.png"), np.full((60, 80, 3), 255, np.uint8))
    one_line_error(run_script("--data", str(tmp_path), "--out", "-"), "nothing to score")
    (tmp_path / "page.json").write_text('{"lines": [[{"box": [1, 2')
    one_line_error(run_script("--data", str(tmp_path), "--out", "-"), "cannot read the truth")
    (tmp_path / "page.json").write_text('{"kind": "photo"}')
    one_line_error(run_script("--data", str(tmp_path), "--out", "-"), "no list of `lines` or `frames`")
    for lines, words in (('[[{"box": [1, 2], "label": 3}]]', "`box` must be [x, y, w, h]"),
                         ('[[{"label": 3}]]', "`box` must be"), ('[[3, 4]]', "`box` must be"),
                         ('[[{"box": [1, 2, 3, 4], "label": 12}]]', "`label` must be 0-9"), ('[3]', "list of lists")):
        (tmp_path / "page.json").write_text('{"lines": %s}' % lines)
        one_line_error(run_script("--data", str(tmp_path), "--out", "-"), words)
    (tmp_path / "page.json").write_text('{"lines": [[{"box": [1, 2, 3, 4], "label": 3}]]}')
    one_line_error(run_script("--data", str(tmp_path), "--out", str(tmp_path / "missing" / "r.md")), "no folder")
    one_line_error(run_script("--data", str(tmp_path), "--out", str(tmp_path)), "it is a folder")
    shutil.copy(CASE, tmp_path)
    (tmp_path / "page.json").unlink()
    one_line_error(run_script("--data", str(tmp_path), "--out", "-", "--app-args", "--rotate 'x"), "--app-args")
    one_line_error(run_script("--data", str(tmp_path), "--out", "-", "--app-args", "--source /etc/x.png"),
                   "may not set --source")


def test_a_report_that_cannot_be_written_is_one_line_and_the_old_report_is_kept(small_disk: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(CASE, data)
    report = small_disk / "report.md"
    report.write_text("the old report\n")
    fill(small_disk)
    one_line_error(run_script("--data", str(data), "--out", str(report)), "cannot write")
    assert report.read_text() == "the old report\n"
    assert sorted(p.name for p in small_disk.iterdir()) == [".filler", "report.md"]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def test_sigterm_ends_it_with_143_and_leaves_no_app_running_and_no_temporary_folder(tmp_path: Path) -> None:
    if not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists():
        pytest.skip("needs /proc/PID/task/PID/children (Linux) to find the app the script runs")
    data, temp = tmp_path / "data", tmp_path / "temp"
    data.mkdir()
    temp.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "camera" / "clip_00.mp4", data)
    (data / "clip_00.json").write_text('{"kind": "video", "frames": [[]]}')  # a truth to score by
    script = subprocess.Popen([sys.executable, str(SCRIPT), "--data", str(data), "--out", "-"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temp)})
    try:
        deadline = time.monotonic() + 60
        while not _children(script.pid) and script.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # polling for the app to start: what the test waits on
        apps = _children(script.pid)
        assert apps, "the script never started the app"
        script.send_signal(signal.SIGTERM)
        assert script.wait(timeout=60) == 143
    finally:
        if script.poll() is None:
            script.kill()
    assert "Traceback" not in script.stderr.read()
    assert all(not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text() for pid in apps)
    assert list(temp.iterdir()) == []
