"""The best path through a segmentation lattice: arcs with log scores in, the winning arcs out.

A lattice over `count` primitives in a fixed order has nodes 0..count (the boundaries between
primitives) and arcs (i, j, score): "primitives i..j-1 make one item", with the item's log score
(a digit read from their ink plus priors, or something left out at a fixed cost). The best path
from node 0 to node `count` is the segmentation with the highest total score, found by dynamic
programming (Viterbi) in O(arcs): the segmentation search of OCR engines (Tesseract's, OCRopus'
lattices) and of on-line handwriting recognisers over strokes (Tappert, Suen & Wakahara, "The
state of the art in on-line handwriting recognition", IEEE PAMI 1990).

It knows nothing of what the primitives are: the canvas's stroke lattice (realtime/strokes.py)
uses it over strokes in time order, and the camera's lattice over the pieces of a row can share it.
Several arcs may span the same (i, j) (say, a digit and "left out"): the answer names arcs by
their index, so the caller knows which one won.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Arc = tuple[int, int, float]


def best_path(count: int, arcs: Sequence[Arc]) -> list[int]:
    """Indices into `arcs` of the best-scoring path from node 0 to node `count`, in path order.

    `arcs` are (i, j, score) with 0 <= i < j <= count; scores are log scores (higher is better,
    -inf never chosen). Ties go to the arc listed first. Raises ValueError when no path reaches
    `count` (0 primitives: an empty path).
    """
    best = np.full(count + 1, -np.inf)
    best[0] = 0.0
    back = [-1] * (count + 1)
    ending: list[list[int]] = [[] for _ in range(count + 1)]
    for index, (i, j, _) in enumerate(arcs):
        if not 0 <= i < j <= count:
            raise ValueError(f"arc {index} spans ({i}, {j}), outside 0..{count}")
        ending[j].append(index)
    for j in range(1, count + 1):
        for index in ending[j]:
            i, _, score = arcs[index]
            if best[i] + score > best[j]:
                best[j], back[j] = best[i] + score, index
    if count and back[count] < 0:
        raise ValueError(f"no path through the lattice covers all {count} primitives")
    path = []
    j = count
    while j > 0:
        path.append(back[j])
        j = arcs[back[j]][0]
    return path[::-1]
