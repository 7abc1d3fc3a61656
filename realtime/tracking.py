"""Keeping a steady digit's label steady: match boxes across frames and smooth probabilities.

Sensor noise and slight hand motion change the binarised strokes from frame to frame, and a
digit that sits between two classes would flip its label every frame. Each digit is followed by
box overlap (IoU) and its probabilities are averaged over the last few frames (an exponential
moving average), which removes the flicker at the cost of a few frames of lag on a real change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from realtime.reading import MIN_CONFIDENCE, DigitResult, name


#: A frame that reads another class than its track, both at least this sure, starts the track
#: afresh: a sheet swapped for another, or a cut in a video, puts a new digit where the old one
#: stood, and the average named the old one for a frame (8 photos shown 15 frames each: 4 of 8
#: cuts read the previous sheet's digit at 0.54-0.60). Noise does not read two classes this sure.
SWAPPED = 0.9


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def iou_matrix(a: list[tuple[int, int, int, int]], b: list[tuple[int, int, int, int]]) -> np.ndarray:
    """`iou` of every box of `a` (x, y, w, h px) with every box of `b`: an (len(a), len(b)) float64
    array, the same values as `iou` pair by pair, in one pass of numpy."""
    first = np.asarray(a, np.int64).reshape(-1, 1, 4)
    second = np.asarray(b, np.int64).reshape(1, -1, 4)
    ends_a, ends_b = first[..., :2] + first[..., 2:], second[..., :2] + second[..., 2:]
    sides = np.maximum(0, np.minimum(ends_a, ends_b) - np.maximum(first[..., :2], second[..., :2]))
    inter = sides[..., 0] * sides[..., 1]
    union = first[..., 2] * first[..., 3] + second[..., 2] * second[..., 3] - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


@dataclass
class Track:
    id: int
    box: tuple[int, int, int, int]
    probs: np.ndarray
    label: str
    born: float
    seen: float
    missed: int = 0
    changes: int = 0
    #: The moving average of the frames' vetoes (DigitResult.vetoed, 0 or 1), smoothed as the
    #: probabilities are: a digit vetoed in most recent frames shows "?", one vetoed now and then
    #: does not flicker to "?" on those frames.
    veto: float = 0.0


class Tracker:
    """Greedy IoU matching plus an exponential moving average of each track's probabilities."""

    def __init__(
        self,
        alpha: float = 0.4,
        min_iou: float = 0.3,
        max_missed: int = 5,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> None:
        self.alpha = alpha
        self.min_iou = min_iou
        self.max_missed = max_missed
        self.min_confidence = min_confidence
        self.tracks: list[Track] = []
        self._next_id = 0
        self.label_changes = 0
        self.track_seconds = 0.0
        #: Of the last frame's read digits: how many continued a track, how many began one while
        #: tracks were there to continue (a sheet moved or turned: what the camera sees changed).
        self.continued = 0
        self.began = 0

    def update(self, results: list[DigitResult], now: float) -> list[DigitResult]:
        """Smooth `results` (in place) with their matching tracks; returns them for chaining."""
        used_tracks: set[int] = set()
        used_results: set[int] = set()
        for t_index, r_index in self._matches(results):
            if t_index in used_tracks or r_index in used_results:
                continue
            used_tracks.add(t_index)
            used_results.add(r_index)
            self._follow(self.tracks[t_index], results[r_index], now)
        for t_index, track in enumerate(self.tracks):
            if t_index not in used_tracks:
                track.missed += 1
        had_tracks = bool(self.tracks)
        self.continued = len(used_results)
        self.began = 0
        for r_index, result in enumerate(results):
            if result.probs is not None and r_index not in used_results:
                self.began += had_tracks
                self.tracks.append(
                    Track(self._next_id, result.box, result.probs.copy(), result.label, now, now, veto=float(result.vetoed))
                )
                self._next_id += 1
        for track in self.tracks:
            if track.missed > self.max_missed:
                self.track_seconds += track.seen - track.born
        self.tracks = [t for t in self.tracks if t.missed <= self.max_missed]
        return results

    def _matches(self, results: list[DigitResult]) -> list[tuple[int, int]]:
        """(track, result) index pairs overlapping by at least min_iou, the most overlapping first
        (ties: the later track, then the later result first). One IoU matrix in numpy: a page of
        30 digits pairs 900 boxes a frame, which a Python loop over `iou` spent 3 ms on."""
        read = [k for k, result in enumerate(results) if result.probs is not None]
        if not self.tracks or not read:
            return []
        overlap = iou_matrix([track.box for track in self.tracks], [results[k].box for k in read])
        t_index, column = np.nonzero(overlap >= self.min_iou)
        r_index = np.array(read, np.int64)[column]
        order = np.lexsort((-r_index, -t_index, -overlap[t_index, column]))
        return [(int(t_index[k]), int(r_index[k])) for k in order]

    def _follow(self, track: Track, result: DigitResult, now: float) -> None:
        if min(float(result.probs.max()), float(track.probs.max())) >= SWAPPED and result.probs.argmax() != track.probs.argmax():
            track.probs = result.probs.copy()  # another digit stands there now: the average would name the old one
        else:
            track.probs = self.alpha * result.probs + (1 - self.alpha) * track.probs
        track.box = result.box
        track.missed = 0
        track.seen = now
        track.veto = self.alpha * float(result.vetoed) + (1 - self.alpha) * track.veto
        # Named by the same rule as a single frame (reading.name), from the smoothed row; a frame
        # whose shape is unlike any digit stays "not a digit", and a digit a segmentation check
        # left "?" (DigitResult.vetoed) in most recent frames stays "?", whatever the average says.
        name(result, track.probs.copy(), result.reason == "not a digit", self.min_confidence)
        result.vetoed = track.veto >= 0.5
        if result.vetoed:
            result.digit, result.reason = None, "low confidence"
        if result.label != track.label:
            track.changes += 1
            self.label_changes += 1
            track.label = result.label

    def flicker_rate(self) -> float:
        """Label changes per tracked digit per second, over every track so far."""
        seconds = self.track_seconds + sum(t.seen - t.born for t in self.tracks)
        return self.label_changes / seconds if seconds > 0 else 0.0
