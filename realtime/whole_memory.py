"""Which candidates the over-segmentation lattice read best whole, remembered for a few frames.

A single digit a little wider than its row's digit height (a broad "0", "2" or "5": about one
digit in twenty on a page) may be two touching digits, so realtime/oversegment.py cuts it and
reads every grouping of the pieces: some 15 more crops and a second model call, 5-13 ms. A camera
sees the same digit in frame after frame, and the answer does not change while the digit does
not: so the verdict "reads best whole" (named, or shown "?" because a cut reads nearly as well)
is kept for the box it was reached on and the whole reading it was reached from, and reused
while the same candidate comes back (IoU >= MIN_IOU, read whole as the same digit) for at most
KEEP_FRAMES frames. A pen stroke added beside it changes its box, a sheet moved changes the box
or the reading, and after KEEP_FRAMES the lattice looks again anyway: what the camera shows
follows within a second. Candidates the lattice cut are not remembered (their
pieces are read afresh each frame): touching pairs are few, single wide digits are not.

This is the usual trade of real-time detectors: an expensive per-object analysis run once per
object and carried by tracking between runs (as detect-then-track pipelines do).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from realtime.tracking import iou

#: A verdict that named the digit is reused for at most this many frames: a second at 30 frames/s,
#: as often as `--rotate auto` looks at the turns again (realtime/orientation.py AUTO_EVERY). The
#: 10-digit frame of scripts/bench.py (one wide digit) read 11.5 crops and 0.067 lattices a frame
#: at 15; 10.8 and 0.033 at 30.
KEEP_FRAMES = 30
#: A verdict that left it "?" is looked at again sooner, after this many (half a second): the next
#: views may tell it. Kept as long as the named ones, the "?" of a rendered clip's digits lasted
#: twice as long (the clips of scripts/evaluate_camera.py: labels 97.5 -> 97.3%, numbers 91.9 -> 91.1%).
UNSURE_FRAMES = 15
#: A candidate is the remembered one when their boxes overlap at least this much: hand shake moves
#: a digit's box a few pixels between frames; a stroke added beside it widens it by a third or more.
MIN_IOU = 0.8

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class _Verdict:
    box: Box  # x, y, w, h px, in the frame the lattice was run on
    digit: int | None  # what the whole candidate read as, before the lattice
    unsure: bool  # whether the lattice left it "?" (a cut read nearly as well)
    frame: int  # when it was reached


class WholeMemory:
    """Verdicts "reads best whole" of the last KEEP_FRAMES frames (UNSURE_FRAMES for a "?").
    `next_frame()` once a frame; `clear()` when the frame's geometry changes (another turn of the
    sheet)."""

    def __init__(self, keep_frames: int = KEEP_FRAMES, min_iou: float = MIN_IOU, unsure_frames: int = UNSURE_FRAMES) -> None:
        self.keep_frames = keep_frames
        self.unsure_frames = unsure_frames
        self.min_iou = min_iou
        self._frame = 0
        self._verdicts: list[_Verdict] = []

    def next_frame(self) -> None:
        self._frame += 1
        self._verdicts = [v for v in self._verdicts
                          if self._frame - v.frame < (self.unsure_frames if v.unsure else self.keep_frames)]

    def clear(self) -> None:
        self._verdicts = []

    def recall(self, box: Box, digit: int | None) -> bool | None:
        """The remembered verdict for a candidate at `box` read whole as `digit`: whether the
        lattice left it unsure, or None when nothing fits (the lattice must look). The verdict
        follows the candidate to `box`: a hand-held camera drifts a few pixels a frame, which
        adds up to more than MIN_IOU allows within KEEP_FRAMES."""
        for k, verdict in enumerate(self._verdicts):
            if verdict.digit == digit and iou(verdict.box, box) >= self.min_iou:
                self._verdicts[k] = replace(verdict, box=box)
                return verdict.unsure
        return None

    def remember(self, box: Box, digit: int | None, unsure: bool) -> None:
        """The lattice read the candidate at `box` (read whole as `digit`) best whole, and left it
        "?" when `unsure`."""
        self._verdicts.append(_Verdict(box, digit, unsure, self._frame))
