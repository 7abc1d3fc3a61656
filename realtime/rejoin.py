"""A digit in two pieces joined again by recognition: camera mode's "?" in a row and the piece beside it.

A digit's strokes do not always touch: a "5" written with its bar apart, a "6" or a "0" whose
stroke broke where the pen lifted or where a printed box's edge was taken away under it. The
finder (realtime.segment) merges such pieces only when one sits over the other or they nearly
touch (pieces further apart are, in a camera frame, mostly other digits, texture and shadow), so
each piece is read alone: the body "?" (a "5" without its bar), the bar a speck or "too wide",
and the row has no number.

So after the frame's batch, each unnamed candidate in a row ("?", "not a digit", or a digit-sized
shape the finder turned down there) is read once more together with each piece beside it (the
next or previous candidate of its row, or a speck or dash left out of the rows) that is no whole
digit standing level beside it, as the finder's merge rule judges two pieces
(realtime.segment.side_by_side): a gap under REACH of the row's digit height, and a union of
a digit's size. All such unions of the frame go to the model in one more batch; a union the model
names SPLIT_CONFIDENCE sure replaces its two pieces, the most sure first. This is the
merge half of segmentation by recognition, as the cut half (realtime.oversegment) cuts touching
digits: recognition decides which pieces make one digit (R. G. Casey, E. Lecolinet, "A survey of
methods and strategies in character segmentation", IEEE PAMI 18(7), 1996, section 4: the merging
of fragments by recognition). A row with nothing unnamed and no piece short of a whole digit pays
nothing.

A piece short of a whole digit that the model names alone is read with its row neighbour as an
unnamed one is (a "6"'s stem and loop apart, read "1" and "6"). A digit the model names without
its loose piece is read with it too: a "5"'s belly without its bar reads "3" or "6" (at
0.66-0.96 on dense pages), a wrong number. A piece left out of the rows
(a speck, a dash: no digit of its own) beside a named digit is read joined with it, and the union
replaces the digit when the model names it SPLIT_CONFIDENCE sure and surer than the digit alone:
recognition decides, as for an unnamed one, and a digit read surely whole keeps its reading. A
row whose digits have no loose piece beside them pays nothing.
"""

from __future__ import annotations

import time
from statistics import median  # lists of a few numbers: far cheaper than numpy's

import numpy as np

from realtime.preprocess import to_mnist
from realtime.reading import SPLIT_CONFIDENCE, DigitResult, Predictor, decide
from realtime.segment import (FRAME_SIZED, MAX_DIGIT, PIECE, WHOLE_DIGIT, Candidate, FinderSettings, box_gap,
                              joined_mask, side_by_side, union)

#: Pieces left out of the rows that may be a part of a digit beside them: a "5"'s bar, a dot.
LOOSE_REASONS = ("speck", "too wide", "too small", "broken", PIECE)
#: A union wider than this share of its own height is two digits, not one in pieces (the finder's
#: bound on a merge, realtime.segment._same_digit).
MAX_WIDTH = 1.5
#: ... but a union with a piece left out of the rows may be as wide as the finder lets one shape
#: be (FinderSettings.max_wide_aspect): that piece is no digit (a dash, a speck), so the union is
#: not two digits side by side, and a "5"'s bar may be drawn long and flat (a belly 27 px wide
#: under a bar reaching 16 px past it: 40 x 26 px, read "3" without it).
LOOSE_WIDTH = FinderSettings().max_wide_aspect
#: Pieces of one digit lie at most this share of the row's digit height apart: a "5"'s bar
#: written off its body (MNIST's test set has them 0.3 of the digit apart), where the finder's
#: own merge reaches 0.25 of a digit's height for specks (realtime.segment.JOIN_GAP).
REACH = 0.4
#: Why a digit read unsure beside a piece of a digit that it did not take is shown "?" (`_doubt_beside_pieces`).
PIECE_BESIDE = "a piece beside it"


def rejoin(candidates: list[Candidate], results: list[DigitResult], model: Predictor
           ) -> tuple[list[Candidate], list[DigitResult], float]:
    """`candidates` and their `results` (one for one, in the finder's reading order) with each
    unnamed candidate of a row joined to a piece beside it where the model reads the two as one
    digit SPLIT_CONFIDENCE sure, and each named one joined to a loose piece beside it where the
    model reads the two SPLIT_CONFIDENCE sure and surer than the named one alone. Returns the
    candidates, their results (a joined pair is one candidate, with `split` set, at the row's
    candidate's place) and the time of the extra batch, ms; the same lists and 0.0 when no row has
    an unnamed candidate with a piece beside it, nor a named one with a loose piece beside it.
    A digit read unsure beside a piece that a row left out and no union took is then shown "?"
    (`_doubt_beside_pieces`)."""
    candidates, results, spent = _joined(candidates, results, model)
    _doubt_beside_pieces(candidates, results)
    return candidates, results, spent


def _joined(candidates: list[Candidate], results: list[DigitResult], model: Predictor
            ) -> tuple[list[Candidate], list[DigitResult], float]:
    """`rejoin`'s unions: the candidates and results with each union the model read sure in place
    of its two pieces, and the extra batch's time, ms."""
    pairs = _pairs(candidates, results)
    if not pairs:
        return candidates, results, 0.0
    joined = []
    for a, b in pairs:
        box = union([candidates[a].box, candidates[b].box])
        mask = joined_mask([(candidates[k].box, candidates[k].mask) for k in (a, b)], box)
        image = to_mnist(mask)
        if image is not None:
            joined.append((a, b, Candidate(box=box, mask=mask, line=candidates[a].line, split=True), image))
    if not joined:
        return candidates, results, 0.0
    started = time.perf_counter()
    probs = model.predict(np.stack([image for *_, image in joined]))
    spent = (time.perf_counter() - started) * 1e3
    read = []
    for (a, b, cand, image), row in zip(joined, probs):
        result = DigitResult(cand.box, cand.line, None, 0.0, None, image)
        decide([result], row[None], model, SPLIT_CONFIDENCE)
        if result.digit is not None and (results[a].digit is None or result.confidence > results[a].confidence):
            read.append((result.confidence, a, b, cand, result))
    gone: set[int] = set()
    at: dict[int, tuple[Candidate, DigitResult]] = {}
    for _, a, b, cand, result in sorted(read, key=lambda r: -r[0]):
        if a in gone or b in gone:
            continue
        gone |= {a, b}
        at[a] = (cand, result)
    if not at:
        return candidates, results, spent
    out_cands, out_results = [], []
    for k, (cand, result) in enumerate(zip(candidates, results)):
        if k in at:
            out_cands.append(at[k][0])
            out_results.append(at[k][1])
        elif k not in gone:
            out_cands.append(cand)
            out_results.append(result)
    return out_cands, out_results, spent


def _doubt_beside_pieces(candidates: list[Candidate], results: list[DigitResult]) -> None:
    """Show "?" (PIECE_BESIDE) for the named digit of a row nearest each PIECE (a shape under
    realtime.segment.SPECK_OF_ROW of its row high, left out of it) within REACH of that row's
    digit height, where that digit is read under SPLIT_CONFIDENCE: the piece may be what it lacks
    to be read right. Left in the row, the piece stood there "?" and the row had no number; left
    out beside a sure digit it is surplus ink, but a "6" broken in two whose top read "2" at 0.52
    without its 27 px foot made "6019" read "2019"."""
    pieces = [c for c in candidates if c.line < 0 and c.reason == PIECE]
    if not pieces:
        return
    heights: dict[int, list[int]] = {}
    for cand in candidates:
        if cand.line >= 0 and cand.accepted:
            heights.setdefault(cand.line, []).append(cand.box[3])
    height = {line: float(median(hs)) for line, hs in heights.items()}
    for piece in pieces:
        near = [(box_gap(piece.box, cand.box), k) for k, cand in enumerate(candidates)
                if cand.line in height and results[k].digit is not None
                and box_gap(piece.box, cand.box) <= REACH * height[cand.line]]
        if near:
            k = min(near)[1]
            if results[k].confidence < SPLIT_CONFIDENCE:
                results[k].doubt(PIECE_BESIDE)


def _pairs(candidates: list[Candidate], results: list[DigitResult]) -> list[tuple[int, int]]:
    """(candidate of a row, piece beside it) index pairs worth reading together, each pair once.
    The piece is, for an unnamed candidate or a named one under WHOLE_DIGIT of the row high (a
    piece named alone: a "6"'s stem broken off its loop read "1" at 0.96, the loop "6", and
    "64649" read "646149"), the row's next or previous candidate or a piece left out of the rows
    (LOOSE_REASONS), for a named whole one only the latter; within REACH of the row's
    digit height (the median height of its accepted candidates, px), their union a digit's size
    (MAX_WIDTH, LOOSE_WIDTH with a loose piece, MAX_DIGIT), and no digit beside it:
    not two digits standing level side by side (realtime.segment.side_by_side), and not a digit
    named whole (WHOLE_DIGIT of the row high): a piece "?" beside a whole "0" is not read
    into it. Never a shape cut by the frame or too large for it (FRAME_SIZED): the rest of a digit
    the frame cut is beyond it (a "3" cut by a crop's edge, joined with a speck, read "3" and its
    row a number without the digits after it)."""
    lines: dict[int, list[int]] = {}
    for k, cand in enumerate(candidates):
        if cand.line >= 0:
            lines.setdefault(cand.line, []).append(k)
    loose = [k for k, c in enumerate(candidates) if c.line < 0 and c.reason in LOOSE_REASONS]
    # each row candidate's gaps to the loose pieces, in one pass (every named digit of a page of
    # specks looks for its loose pieces): {candidate: (gap to each loose piece, px)}
    in_rows = [k for k, c in enumerate(candidates) if c.line >= 0] if loose else []
    gaps = dict(zip(in_rows, _gaps(np.array([candidates[k].box for k in in_rows], np.float32).reshape(-1, 4),
                                   np.array([candidates[k].box for k in loose], np.float32).reshape(-1, 4))))
    pairs = []
    for members in lines.values():
        heights = [candidates[k].box[3] for k in members if candidates[k].accepted]
        if not heights:
            continue
        height = float(median(heights))
        for pos, k in enumerate(members):
            if candidates[k].reason in FRAME_SIZED:
                continue  # cut by the frame: what the frame cut off is not beside it
            beside = [loose[i] for i in np.flatnonzero(gaps[k] <= REACH * height)] if loose else []
            if results[k].digit is None or candidates[k].box[3] < WHOLE_DIGIT * height:
                beside = members[max(0, pos - 1) : pos] + members[pos + 1 : pos + 2] + beside
            for j in beside:
                if candidates[j].reason in FRAME_SIZED:
                    continue
                a, b = candidates[k].box, candidates[j].box
                _, _, uw, uh = union([a, b])
                named_whole = results[j].digit is not None and b[3] >= WHOLE_DIGIT * height
                wide = MAX_WIDTH if candidates[j].line >= 0 else LOOSE_WIDTH
                if (box_gap(a, b) <= REACH * height and uw <= wide * uh and uh <= MAX_DIGIT * height
                        and not side_by_side(a, b, height) and not named_whole and (j, k) not in pairs):
                    pairs.append((k, j))
    return pairs


def _gaps(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """realtime.segment.box_gap of each of `boxes` ((M, 4) x, y, w, h) with each of `others`
    ((N, 4)): (M, N), px (0 or less where they touch or overlap)."""
    a, b = boxes[:, None, :], others[None, :, :]
    x = np.maximum(a[..., 0], b[..., 0]) - np.minimum(a[..., 0] + a[..., 2], b[..., 0] + b[..., 2])
    y = np.maximum(a[..., 1], b[..., 1]) - np.minimum(a[..., 1] + a[..., 3], b[..., 1] + b[..., 3])
    return np.maximum(x, y)
