"""A digit in two pieces in a camera row, joined again where the classifier reads them as one (realtime/rejoin.py).

The pieces: a "5"'s belly and its bar written apart, further apart than the finder merges
pieces. A stand-in model reads a crop by its connected components: two ("5": a bar over a
belly) at 0.97, one with one hole ("0": a ring) at 0.98, anything else "not a digit"; so the tests
know what each grouping reads without the shipped model.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from realtime.camera_app import CameraOptions, FramePipeline
from realtime.reading import DigitResult, read_candidates
from realtime.rejoin import _pairs, rejoin
from realtime.segment import PIECE, Candidate, find_digits


def _parts_and_holes(image: np.ndarray) -> tuple[int, int]:
    """How many 8-connected parts and holes the ink of a (28, 28) model input has."""
    ink = (image > 0.3).astype(np.uint8)
    parts = cv2.connectedComponents(ink, connectivity=8)[0] - 1
    _, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    return parts, 0 if hierarchy is None else int(sum(h[3] >= 0 for h in hierarchy[0]))


class PartsReader:
    """(N, 28, 28) -> (N, 10): "5" at 0.97 for ink in two parts, "0" at 0.98 for one part with one
    hole, else 0.95 "not a digit"."""

    def __init__(self) -> None:
        self.calls = 0

    def predict(self, images: np.ndarray) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(images), 10), np.float32)
        for row, image in zip(out, images):
            parts, holes = _parts_and_holes(image)
            if parts == 2:
                row[5], row[3] = 0.97, 0.03
            elif parts == 1 and holes == 1:
                row[0], row[8] = 0.98, 0.02
            else:
                row[0] = 0.05
        return out


def _row(bar: bool = True) -> np.ndarray:
    """A 640x480 binary ink image (uint8, 255 ink): two rings 90 px high ("00", the second narrow)
    and a "5"'s belly 60 px high 12 px beside it on the same baseline, with (`bar`) its bar 26 px over the belly: further
    than the finder's own merge of a piece over a digit reaches (0.35 of the belly's height)."""
    binary = np.zeros((480, 640), np.uint8)
    cv2.ellipse(binary, (150, 240), (30, 45), 0, 0, 360, 255, 8)
    cv2.ellipse(binary, (400, 240), (15, 45), 0, 0, 360, 255, 8)  # narrow: the belly is near
    cv2.ellipse(binary, (469, 255), (30, 27), 0, -90, 160, 255, 8)
    if bar:
        cv2.line(binary, (449, 196), (504, 196), 255, 6)
    return binary


def test_a_belly_and_its_bar_apart_read_as_one_digit() -> None:
    """Read alone, the belly is no digit and the row has no number; joined with its bar (a speck
    left out of the row), "5"."""
    candidates = find_digits(_row())
    results, _, _ = read_candidates(candidates, PartsReader())
    assert "".join(r.label for r in results if r.line == 0) == "00?"  # the finder alone
    joined, read, _ = rejoin(candidates, results, PartsReader())
    assert len(joined) == len(read)
    line = [r for r in read if r.line == 0]
    assert "".join(r.label for r in line) == "005"
    assert line[2].box[1] < 200 and line[2].box[1] + line[2].box[3] >= 280  # the bar and the belly


def test_a_piece_is_not_read_into_a_whole_digit_named_beside_it() -> None:
    """Without the bar, the belly's only piece beside it is the ring, a digit named whole: they are
    not read together (the stand-in would read any two parts as "5", so "00?" would become "05")."""
    candidates = find_digits(_row(bar=False))
    results, _, _ = read_candidates(candidates, PartsReader())
    reader = PartsReader()
    joined, read, spent = rejoin(candidates, results, reader)
    assert (joined, read, spent, reader.calls) == (candidates, results, 0.0, 0)
    assert "".join(r.label for r in read if r.line == 0) == "00?"


def test_camera_frames_join_the_pieces() -> None:
    frame = np.full((480, 640, 3), 235, np.uint8)
    frame[_row() > 0] = (40, 40, 40)
    reading = FramePipeline(PartsReader(), CameraOptions(rotate=0)).process(frame, 0.0).reading
    assert reading.number == "005"


def test_a_shape_cut_by_the_frame_is_never_joined_with_a_piece_beside_it() -> None:
    """A digit cut by a crop's edge, joined with a speck, read whole: its row became a number
    without the digits the frame cut (the real "3541" cropped tight read "35")."""
    mask = np.zeros((44, 30), np.uint8)
    cut = Candidate(box=(0, 20, 26, 40), mask=mask, line=0, reason="cut by border")
    digit = Candidate(box=(56, 18, 30, 42), mask=mask, line=0)
    speck = Candidate(box=(12, 22, 3, 3), mask=mask, line=-1, reason="speck")
    results = [DigitResult(c.box, c.line, None if c.reason else 5, 0.0 if c.reason else 1.0, None, None, c.reason)
               for c in (cut, digit, speck)]
    assert _pairs([cut, digit, speck], results) == []
    cut.reason = results[0].reason = "broken"  # the same shape, not cut by the frame: tried
    assert (0, 2) in _pairs([cut, digit, speck], results)


class BodyReader(PartsReader):
    """PartsReader, but ink in one part without a hole (a "5"'s belly alone) reads "3" `body` sure
    ("5" the rest): the belly of a "5" whose bar was written apart, named wrong."""

    def __init__(self, body: float) -> None:
        super().__init__()
        self.body = body

    def predict(self, images: np.ndarray) -> np.ndarray:
        out = super().predict(images)
        for row, image in zip(out, images):
            ink = (image > 0.3).astype(np.uint8)
            _, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
            if cv2.connectedComponents(ink, connectivity=8)[0] - 1 == 1 and len(hierarchy[0]) == 1:
                row[:] = 0.0
                row[3], row[5] = self.body, 1.0 - self.body
        return out


def test_a_belly_named_without_its_bar_is_read_with_it() -> None:
    """A "5"'s belly read "3" (0.66) beside its bar left out of the row: the row read "003", a wrong
    number; joined with the bar, read "5" surer (0.97), it is "005"."""
    candidates = find_digits(_row())
    results, _, _ = read_candidates(candidates, BodyReader(0.66))
    assert "".join(r.label for r in results if r.line == 0) == "003"  # the finder alone
    _, read, _ = rejoin(candidates, results, BodyReader(0.66))
    assert "".join(r.label for r in read if r.line == 0) == "005"


def test_a_digit_read_surer_alone_keeps_its_reading() -> None:
    """The same belly read "3" 0.99 sure alone: the union's "5" at 0.97 does not replace it (a
    digit named surely whole is not read into a speck beside it)."""
    candidates = find_digits(_row())
    results, _, _ = read_candidates(candidates, BodyReader(0.99))
    _, read, _ = rejoin(candidates, results, BodyReader(0.99))
    assert "".join(r.label for r in read if r.line == 0) == "003"


def test_a_loose_piece_may_make_a_union_as_wide_as_one_shape() -> None:
    """A belly 27 x 21 px under a long flat bar 19 x 5 px (a dense page's "5", read "3"): the union,
    40 x 26 px, is wider than two pieces of a row may make (1.5 of its height), as wide as one
    shape may be; two candidates of a row as far apart are not read as one."""
    mask = np.zeros((30, 30), np.uint8)
    belly = Candidate(box=(603, 497, 27, 21), mask=mask, line=0)
    bar = Candidate(box=(624, 492, 19, 5), mask=mask, line=-1, reason="speck")
    named = [DigitResult(belly.box, 0, 3, 0.66, None, None), DigitResult(bar.box, -1, None, 0.0, None, None, "speck")]
    assert _pairs([belly, bar], named) == [(0, 1)]
    piece = Candidate(box=(624, 492, 19, 5), mask=mask, line=0, reason="broken")  # in the row: MAX_WIDTH
    unnamed = [DigitResult(belly.box, 0, None, 0.3, None, None, "low confidence"), named[1]]
    assert _pairs([belly, piece], unnamed) == []


class NothingReader:
    """(N, 28, 28) -> (N, 10): "not a digit" for every crop (a union of a digit and its piece
    that reads as nothing)."""

    def predict(self, images: np.ndarray) -> np.ndarray:
        out = np.zeros((len(images), 10), np.float32)
        out[:, 0] = 0.05
        return out


@pytest.mark.parametrize("confidence, shown", [(0.52, "?019"), (0.99, "2019")])
def test_a_digit_read_unsure_beside_a_piece_it_did_not_take_is_shown_unsure(confidence: float, shown: str) -> None:
    """A "6" broken in two: its top read "2" `confidence` sure, its foot a PIECE left out of the
    row (realtime.segment), their union no digit. Unsure, the "2" is shown "?": the foot stood in
    the row "?" before it was left out, and without it "6019" read "2019" (seed 7's rotated page).
    A digit read sure keeps its name: the piece is surplus ink beside it."""
    mask = np.zeros((60, 60), np.uint8)
    row = [Candidate(box=(100 + 90 * i, 100, 40, 80), mask=mask, line=0) for i in range(4)]
    piece = Candidate(box=(120, 185, 26, 25), mask=mask, line=-1, reason=PIECE)
    results = [DigitResult(c.box, 0, d, confidence if i == 0 else 1.0, None, None)
               for i, (c, d) in enumerate(zip(row, (2, 0, 1, 9)))]
    results.append(DigitResult(piece.box, -1, None, 0.0, None, None, PIECE))
    _, read, _ = rejoin(row + [piece], results, NothingReader())
    assert "".join(r.label for r in read if r.line == 0) == shown


class StackReader:
    """(N, 28, 28) -> (N, 10): two parts "6" at 0.99 (a stem over a loop), one part with a hole "0"
    at 0.9, one part without "1" at 0.96."""

    def predict(self, images: np.ndarray) -> np.ndarray:
        out = np.zeros((len(images), 10), np.float32)
        for row, image in zip(out, images):
            parts, holes = _parts_and_holes(image)
            digit, sure = (6, 0.99) if parts == 2 else (0, 0.9) if holes else (1, 0.96)
            row[digit], row[(digit + 1) % 10] = sure, 1.0 - sure
        return out


def test_two_short_pieces_named_apart_are_read_as_one_digit() -> None:
    """A "6" whose stem broke off its loop, each piece under WHOLE_DIGIT of the row high and named
    alone ("1" 0.96 over "0" 0.90): the row read "646149" for 64649 (a ruled page of seed 17).
    A piece named but short of a whole digit is read with its row neighbour as an unnamed one is."""
    binary = np.zeros((300, 700), np.uint8)
    for x in (100, 250, 600):
        cv2.ellipse(binary, (x, 145), (30, 45), 0, 0, 360, 255, 8)  # whole "0"s, 98 px high
    cv2.line(binary, (420, 100), (420, 136), 255, 8)  # the stem: 44 px high
    cv2.circle(binary, (420, 176), 18, 255, 8)  # its loop, 20 px under it: 44 px high
    candidates = find_digits(binary)
    results, _, _ = read_candidates(candidates, StackReader())
    assert "".join(r.label for r in results if r.line == 0) == "00010"  # the finder alone
    _, read, _ = rejoin(candidates, results, StackReader())
    assert "".join(r.label for r in read if r.line == 0) == "0060"
