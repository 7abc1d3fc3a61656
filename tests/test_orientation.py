"""--rotate: a sheet held sideways or upside down, turned before reading, boxes mapped back."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from realtime.camera_app import CameraOptions, FramePipeline
from realtime.orientation import TURNS, AutoTurn, TurnScore, box_to_frame, parse_turn, turn, turn_score
from test_camera import assert_one_line_error, run_cli

PAGES = Path(__file__).resolve().parent / "data" / "pages"
PENCIL = PAGES / "14-pencil-faint-931.png"
BOXES = PAGES / "08-digits-in-boxes-2413.png"
#: cv2.rotate codes that turn an upright page so that reading it needs `degrees` clockwise.
SIDEWAYS = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}


@pytest.mark.parametrize("degrees", TURNS)
def test_boxes_found_in_a_turned_image_map_back_to_the_frame(degrees: int) -> None:
    rng = np.random.default_rng(degrees)
    for _ in range(20):
        h, w = rng.integers(20, 90, 2)
        image = np.zeros((h, w), np.uint8)
        x, y = rng.integers(0, w - 5), rng.integers(0, h - 5)
        bw, bh = rng.integers(1, w - x + 1), rng.integers(1, h - y + 1)
        image[y : y + bh, x : x + bw] = 255
        turned = turn(image, degrees)
        assert box_to_frame(cv2.boundingRect(turned), degrees, turned.shape) == (x, y, bw, bh)


def test_turn_names_are_checked() -> None:
    assert [parse_turn(t) for t in ("0", "90", "180", "270", "auto")] == [0, 90, 180, 270, None]
    for bad in ("45", "-90", "", "Auto", "360"):
        with pytest.raises(ValueError):
            parse_turn(bad)
    assert_one_line_error(run_cli("camera", "--headless", "--source", str(PENCIL), "--rotate", "45"), "--rotate")


def test_auto_turn_tries_now_and_then_and_leaves_upright_only_for_a_clearly_better_turn() -> None:
    """Upright is kept unless another turn reads a clearly larger share of its candidates sure
    (SHARE_MARGIN) and more digits sure (MIN_GAIN): a wrong turn cuts digits into more pieces, some
    of them read sure (a real 4-digit photo: 4 sure of 4 upright, 4 of 7 turned 270 degrees)."""
    auto = AutoTurn(every=10)
    upright = TurnScore(sure=3, asked=4)
    assert auto.choose(0, {0: upright, 90: TurnScore(4, 7), 180: TurnScore(2, 4), 270: TurnScore(1, 4)}.get) == 0
    assert not auto.due(9) and auto.due(10)
    assert auto.choose(10, {0: TurnScore(1, 4), 90: TurnScore(2, 4), 180: TurnScore(0, 4), 270: TurnScore(0, 4)}.get) == 0  # one more: not enough
    assert auto.choose(20, {0: TurnScore(1, 4), 90: TurnScore(4, 4), 180: TurnScore(0, 4), 270: TurnScore(0, 4)}.get) == 90
    assert auto.choose(30, {0: TurnScore(3, 4), 90: TurnScore(2, 4), 180: TurnScore(0, 4), 270: TurnScore(0, 4)}.get) == 90  # stays
    assert auto.choose(40, {0: TurnScore(4, 4), 90: TurnScore(1, 5), 180: TurnScore(0, 4), 270: TurnScore(0, 4)}.get) == 0
    assert turn_score([0.95, None, 0.6, 1.0]) == TurnScore(sure=2, asked=4)
    # held sideways, digits that read alike turned over (0, 1, 2, 8; 6 and 9): 90 or 270?
    alike = AutoTurn(every=10)
    assert alike.choose(0, {0: TurnScore(0, 8), 90: TurnScore(7, 8), 180: TurnScore(0, 8), 270: TurnScore(8, 8)}.get) == 0
    assert TurnScore(0, 0).share == 0.0


def test_a_turn_the_quick_tries_choose_is_taken_only_when_the_full_reading_agrees() -> None:
    """The tries read candidates whole; touching digits read whole are unsure upright and may read
    sure sideways (a real photo of "2350": 0 of 2 sure upright, 1 of 2 turned 90 degrees). A turn
    those reads would take is first confirmed with touching digits cut, and only then taken;
    a try that keeps the turn never pays for the confirmation."""
    quick = {0: TurnScore(0, 4), 90: TurnScore(4, 4), 180: TurnScore(0, 4), 270: TurnScore(0, 4)}
    asked: list[int] = []

    def full(scores: dict[int, TurnScore]):
        def confirm(degrees: int) -> TurnScore:
            asked.append(degrees)
            return scores[degrees]
        return confirm

    cut_upright = {0: TurnScore(4, 4), 90: TurnScore(4, 7), 180: TurnScore(0, 4), 270: TurnScore(0, 4)}
    auto = AutoTurn(every=10)
    assert auto.choose(0, quick.get, full(cut_upright)) == 0 and sorted(asked) == [0, 90, 270]
    assert auto.choose(10, quick.get, full(quick)) == 90
    asked.clear()
    assert auto.choose(20, quick.get, full(cut_upright)) == 90 and asked == []  # stays: nothing to confirm


def test_a_try_reads_no_other_turn_when_none_could_beat_the_current_one() -> None:
    """A try reads the current turn first; a reading within SHARE_MARGIN of all sure cannot be
    beaten by any turn (`TurnScore.beats`), so the other three are not read: an upright sheet read
    clearly pays nothing for `auto`. A reading that could be beaten has all four read."""
    scores = {0: TurnScore(9, 10), 90: TurnScore(1, 12), 180: TurnScore(0, 10), 270: TurnScore(2, 12)}
    asked: list[int] = []

    def read(degrees: int) -> TurnScore:
        asked.append(degrees)
        return scores[degrees]

    auto = AutoTurn(every=10)
    assert auto.choose(0, read) == 0 and asked == [0] and not auto.due(9)
    assert not TurnScore(9, 10).beatable and TurnScore(8, 10).beatable and TurnScore(0, 0).beatable
    scores[0] = TurnScore(8, 10)
    asked.clear()
    assert auto.choose(10, read) == 0 and sorted(asked) == list(TURNS)


@pytest.mark.parametrize("degrees", sorted(SIDEWAYS))
@pytest.mark.parametrize("page", [PENCIL, BOXES], ids=["pencil-931", "boxes-2413"])
def test_a_turned_sheet_reads_with_its_turn_and_with_auto(classifier, page: Path, degrees: int) -> None:
    upright = cv2.imread(str(page))
    number = page.stem.rsplit("-", 1)[1]
    expected = FramePipeline(classifier, CameraOptions(smoothing=False, rotate=0)).process(upright, 0.0).reading
    sideways = cv2.rotate(upright, SIDEWAYS[degrees])
    assert FramePipeline(classifier, CameraOptions(smoothing=False, rotate=0)).process(sideways, 0.0).reading.number != number
    for rotate in (degrees, None):
        reading = FramePipeline(classifier, CameraOptions(smoothing=False, rotate=rotate)).process(sideways, 0.0).reading
        assert reading.number == number, rotate
        # The boxes are the frame's: the upright boxes, turned with the page.
        upright_boxes = sorted(box_to_frame(d.box, degrees, upright.shape) for d in expected.read)
        assert sorted(d.box for d in reading.read) == upright_boxes


def test_cli_reads_a_sheet_held_sideways_by_default(tmp_path: Path) -> None:
    """`auto` is the default: a sheet held sideways reads without any option."""
    image = tmp_path / "sideways.png"
    cv2.imwrite(str(image), cv2.rotate(cv2.imread(str(BOXES)), cv2.ROTATE_90_CLOCKWISE))
    events = tmp_path / "events.jsonl"
    done = run_cli("camera", "--headless", "--source", str(image), "--events", str(events))
    assert done.returncode == 0, done.stderr
    assert json.loads(events.read_text().splitlines()[0])["number"] == "2413"
