"""Mouse-drawn digits as stroke data: hand-written templates -> sampled mouse paths -> tests/data/strokes/.

    python scripts/make_strokes.py                     # regenerate tests/data/strokes/*.json (seeded)
    python scripts/make_strokes.py --preview out.png   # also draw every template and sample on a sheet

The templates below are written by hand: every digit 0-9 in five hands, each stroke a polyline in
a unit box (x right, y down, the digit 1 high and centred on x = 0.5), in the order and direction
people draw it, with a new stroke wherever the pen is lifted (the crossbar of a 7, the bar of a 5,
the second stroke of a 4). A point written twice is a sharp corner; elsewhere the path is a smooth
curve through the points, as a hand moves.

The generator turns each template into the path a mouse reports while it is drawn:

- the shape varies a little per drawing (width, rotation, slant, a lifted stroke put down a bit off,
  a slow wobble along the stroke) so no two drawings of a template are the same;
- it is placed on the canvas at a size from 15% to 85% of the canvas height, anywhere, corners too;
- it is sampled in time, not in space: the hand speeds up on straight runs and slows down at the
  ends of a stroke and in tight curves, the mouse reports every ~12 ms with uneven gaps (events
  coalesced by the toolkit), and every reported point has a pixel or so of jitter.

Numbers (42, 2025, 907 and a few random ones) are digits of one hand side by side with uneven gaps,
sizes and baselines. Points are stored in canvas units (0..1 on both axes) with 3 decimals, so a
replay on an N x N canvas takes round(x * (N - 1)).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "strokes"
SEED = 2024

# fmt: off
# Each digit: a list of strokes; each stroke: points (x, y). A repeated point is a corner.
TEMPLATES: dict[str, dict[str, list[list[tuple[float, float]]]]] = {
    # Upright school print: a plain 1, a 2 without a loop, a closed 4, a 9 with a straight tail.
    "print": {
        "0": [[(0.50, 0.00), (0.32, 0.06), (0.21, 0.25), (0.18, 0.50), (0.23, 0.78), (0.38, 0.96),
               (0.55, 1.00), (0.72, 0.90), (0.81, 0.65), (0.81, 0.35), (0.73, 0.12), (0.60, 0.01),
               (0.46, 0.02)]],
        "1": [[(0.52, 0.00), (0.50, 0.50), (0.48, 1.00)]],
        "2": [[(0.22, 0.22), (0.30, 0.08), (0.45, 0.00), (0.62, 0.02), (0.75, 0.12), (0.78, 0.28),
               (0.72, 0.45), (0.55, 0.65), (0.36, 0.83), (0.20, 1.00), (0.20, 1.00), (0.50, 0.99),
               (0.82, 0.98)]],
        "3": [[(0.22, 0.10), (0.38, 0.01), (0.58, 0.00), (0.74, 0.10), (0.76, 0.26), (0.65, 0.40),
               (0.45, 0.47), (0.45, 0.47), (0.65, 0.52), (0.80, 0.65), (0.80, 0.82), (0.68, 0.96),
               (0.48, 1.00), (0.30, 0.96), (0.18, 0.86)]],
        "4": [[(0.63, 0.00), (0.12, 0.66), (0.12, 0.66), (0.88, 0.66)],
              [(0.64, 0.02), (0.64, 0.50), (0.63, 1.00)]],
        "5": [[(0.30, 0.02), (0.26, 0.45), (0.26, 0.45), (0.40, 0.38), (0.58, 0.37), (0.74, 0.47),
               (0.80, 0.66), (0.76, 0.85), (0.60, 0.98), (0.40, 1.00), (0.22, 0.92)],
              [(0.30, 0.02), (0.78, 0.01)]],
        "6": [[(0.72, 0.05), (0.56, 0.00), (0.40, 0.06), (0.27, 0.25), (0.20, 0.50), (0.20, 0.72),
               (0.30, 0.92), (0.48, 1.00), (0.66, 0.95), (0.78, 0.80), (0.78, 0.64), (0.67, 0.52),
               (0.50, 0.48), (0.33, 0.55), (0.22, 0.68)]],
        "7": [[(0.18, 0.02), (0.82, 0.02), (0.82, 0.02), (0.62, 0.35), (0.47, 0.68), (0.40, 1.00)]],
        "8": [[(0.72, 0.12), (0.60, 0.01), (0.42, 0.01), (0.28, 0.10), (0.27, 0.26), (0.40, 0.40),
               (0.55, 0.48), (0.72, 0.58), (0.80, 0.74), (0.75, 0.90), (0.58, 1.00), (0.40, 1.00),
               (0.24, 0.90), (0.20, 0.74), (0.28, 0.58), (0.45, 0.48), (0.60, 0.40), (0.72, 0.26),
               (0.72, 0.12)]],
        "9": [[(0.76, 0.20), (0.64, 0.03), (0.45, 0.00), (0.28, 0.08), (0.22, 0.25), (0.30, 0.42),
               (0.48, 0.47), (0.66, 0.40), (0.77, 0.22), (0.78, 0.08), (0.78, 0.08), (0.77, 0.50),
               (0.75, 1.00)]],
    },
    # Round and wide: a 2 with a loop at the bottom, an open 4, a 5 without lifting the pen,
    # a 9 whose tail curls to the left.
    "rounded": {
        "0": [[(0.55, 0.02), (0.33, 0.07), (0.17, 0.28), (0.14, 0.55), (0.24, 0.82), (0.45, 0.99),
               (0.67, 0.96), (0.83, 0.75), (0.86, 0.45), (0.78, 0.18), (0.60, 0.03), (0.45, 0.05)]],
        "1": [[(0.38, 0.15), (0.55, 0.00), (0.55, 0.00), (0.54, 0.50), (0.53, 1.00)]],
        "2": [[(0.20, 0.25), (0.30, 0.07), (0.50, 0.00), (0.70, 0.07), (0.78, 0.25), (0.70, 0.48),
               (0.50, 0.70), (0.32, 0.86), (0.22, 0.96), (0.26, 0.85), (0.37, 0.83), (0.41, 0.92),
               (0.33, 1.00), (0.24, 0.98), (0.40, 0.96), (0.60, 0.96), (0.84, 0.94)]],
        "3": [[(0.20, 0.15), (0.35, 0.02), (0.58, 0.00), (0.75, 0.12), (0.75, 0.30), (0.60, 0.44),
               (0.45, 0.48), (0.62, 0.52), (0.80, 0.66), (0.80, 0.84), (0.64, 0.98), (0.42, 1.00),
               (0.22, 0.90)]],
        "4": [[(0.34, 0.00), (0.18, 0.60), (0.18, 0.60), (0.84, 0.60)],
              [(0.68, 0.20), (0.68, 0.60), (0.67, 1.00)]],
        "5": [[(0.76, 0.03), (0.33, 0.04), (0.33, 0.04), (0.29, 0.42), (0.29, 0.42), (0.45, 0.36),
               (0.65, 0.40), (0.78, 0.55), (0.78, 0.76), (0.65, 0.94), (0.45, 1.00), (0.25, 0.94)]],
        "6": [[(0.70, 0.03), (0.50, 0.05), (0.32, 0.20), (0.20, 0.45), (0.20, 0.70), (0.30, 0.90),
               (0.50, 1.00), (0.70, 0.93), (0.80, 0.75), (0.74, 0.57), (0.55, 0.50), (0.36, 0.55),
               (0.22, 0.68)]],
        "7": [[(0.20, 0.05), (0.50, 0.03), (0.80, 0.02), (0.80, 0.02), (0.65, 0.25), (0.50, 0.52),
               (0.43, 0.78), (0.42, 1.00)]],
        "8": [[(0.50, 0.47), (0.30, 0.36), (0.24, 0.20), (0.34, 0.04), (0.52, 0.00), (0.70, 0.06),
               (0.75, 0.20), (0.66, 0.36), (0.50, 0.47), (0.30, 0.60), (0.20, 0.78), (0.30, 0.95),
               (0.52, 1.00), (0.74, 0.93), (0.80, 0.76), (0.70, 0.60), (0.50, 0.47)]],
        "9": [[(0.75, 0.18), (0.62, 0.03), (0.42, 0.01), (0.26, 0.12), (0.24, 0.30), (0.36, 0.44),
               (0.55, 0.46), (0.72, 0.35), (0.77, 0.18), (0.77, 0.18), (0.76, 0.55), (0.68, 0.85),
               (0.52, 0.99), (0.35, 0.97)]],
    },
    # Quick and leaning right (the slant is applied to the whole hand), narrow, few pen lifts.
    "slanted": {
        "0": [[(0.55, 0.01), (0.38, 0.08), (0.28, 0.30), (0.26, 0.58), (0.32, 0.85), (0.46, 0.99),
               (0.62, 0.95), (0.72, 0.72), (0.74, 0.40), (0.68, 0.14), (0.56, 0.01), (0.47, 0.04)]],
        "1": [[(0.42, 0.10), (0.54, 0.00), (0.54, 0.00), (0.52, 0.50), (0.50, 1.00)]],
        "2": [[(0.25, 0.20), (0.40, 0.03), (0.60, 0.02), (0.72, 0.15), (0.68, 0.35), (0.50, 0.60),
               (0.28, 0.88), (0.20, 1.00), (0.20, 1.00), (0.45, 0.95), (0.65, 0.97), (0.80, 1.00)]],
        "3": [[(0.22, 0.08), (0.50, 0.00), (0.72, 0.08), (0.70, 0.25), (0.50, 0.42), (0.42, 0.46),
               (0.42, 0.46), (0.64, 0.52), (0.76, 0.70), (0.72, 0.88), (0.55, 1.00), (0.32, 0.98),
               (0.20, 0.88)]],
        "4": [[(0.40, 0.00), (0.20, 0.62), (0.20, 0.62), (0.85, 0.60)],
              [(0.66, 0.25), (0.62, 0.62), (0.58, 1.00)]],
        "5": [[(0.35, 0.02), (0.30, 0.40), (0.30, 0.40), (0.50, 0.36), (0.70, 0.46), (0.76, 0.66),
               (0.68, 0.86), (0.50, 0.98), (0.30, 0.97), (0.20, 0.88)],
              [(0.36, 0.02), (0.80, 0.00)]],
        "6": [[(0.70, 0.00), (0.50, 0.12), (0.33, 0.35), (0.24, 0.60), (0.25, 0.82), (0.40, 0.98),
               (0.60, 0.97), (0.72, 0.82), (0.68, 0.65), (0.52, 0.58), (0.35, 0.65), (0.27, 0.78)]],
        "7": [[(0.22, 0.04), (0.78, 0.02), (0.78, 0.02), (0.55, 0.40), (0.40, 1.00)]],
        "8": [[(0.68, 0.10), (0.50, 0.00), (0.30, 0.08), (0.30, 0.28), (0.50, 0.45), (0.70, 0.62),
               (0.72, 0.85), (0.55, 1.00), (0.32, 0.95), (0.28, 0.75), (0.45, 0.52), (0.65, 0.35),
               (0.72, 0.18), (0.66, 0.06)]],
        "9": [[(0.72, 0.18), (0.60, 0.03), (0.44, 0.01), (0.30, 0.10), (0.27, 0.27), (0.36, 0.42),
               (0.52, 0.45), (0.66, 0.36), (0.72, 0.20), (0.73, 0.08), (0.73, 0.08), (0.70, 0.55),
               (0.66, 1.00)]],
    },
    # Continental European: a 1 with a long flag, a 7 with a crossbar, a flat-topped 3, an open 4,
    # an 8 drawn as two loops.
    "continental": {
        "0": [[(0.50, 0.00), (0.35, 0.07), (0.26, 0.28), (0.24, 0.55), (0.30, 0.82), (0.44, 0.98),
               (0.60, 0.96), (0.72, 0.78), (0.76, 0.48), (0.71, 0.18), (0.60, 0.02), (0.48, 0.02)]],
        "1": [[(0.30, 0.32), (0.60, 0.00), (0.60, 0.00), (0.60, 0.50), (0.60, 1.00)]],
        "2": [[(0.20, 0.25), (0.28, 0.08), (0.46, 0.00), (0.64, 0.04), (0.74, 0.20), (0.70, 0.40),
               (0.55, 0.60), (0.20, 0.98), (0.20, 0.98), (0.35, 0.93), (0.55, 1.00), (0.70, 0.96),
               (0.82, 0.97)]],
        "3": [[(0.22, 0.02), (0.78, 0.02), (0.78, 0.02), (0.45, 0.40), (0.45, 0.40), (0.65, 0.45),
               (0.80, 0.60), (0.80, 0.82), (0.65, 0.97), (0.45, 1.00), (0.25, 0.92)]],
        "4": [[(0.30, 0.00), (0.15, 0.62), (0.15, 0.62), (0.85, 0.62)],
              [(0.65, 0.30), (0.65, 0.65), (0.65, 1.00)]],
        "5": [[(0.28, 0.03), (0.24, 0.44), (0.24, 0.44), (0.45, 0.38), (0.66, 0.42), (0.78, 0.58),
               (0.76, 0.80), (0.60, 0.96), (0.40, 1.00), (0.22, 0.94)],
              [(0.28, 0.03), (0.50, 0.02), (0.76, 0.00)]],
        "6": [[(0.65, 0.00), (0.40, 0.30), (0.25, 0.60), (0.25, 0.80), (0.38, 0.97), (0.58, 0.98),
               (0.72, 0.84), (0.70, 0.66), (0.55, 0.56), (0.38, 0.60), (0.27, 0.72)]],
        "7": [[(0.20, 0.14), (0.20, 0.02), (0.20, 0.02), (0.80, 0.02), (0.80, 0.02), (0.60, 0.40),
               (0.44, 1.00)],
              [(0.36, 0.52), (0.58, 0.51), (0.80, 0.50)]],
        "8": [[(0.50, 0.46), (0.33, 0.36), (0.30, 0.15), (0.42, 0.02), (0.58, 0.02), (0.70, 0.15),
               (0.67, 0.36), (0.50, 0.46)],
              [(0.50, 0.46), (0.30, 0.58), (0.24, 0.80), (0.36, 0.97), (0.58, 1.00), (0.75, 0.86),
               (0.74, 0.62), (0.56, 0.48)]],
        "9": [[(0.74, 0.15), (0.60, 0.01), (0.42, 0.02), (0.28, 0.14), (0.28, 0.32), (0.42, 0.44),
               (0.60, 0.42), (0.72, 0.30), (0.74, 0.12), (0.74, 0.12), (0.72, 0.55), (0.70, 1.00)]],
    },
    # Angular, as people draw with a mouse in a hurry: straight runs and corners, a 1 with a flag
    # and a foot, a squared open 4, a 5 drawn top bar first without lifting, a snowman 8.
    "angular": {
        "0": [[(0.50, 0.00), (0.26, 0.10), (0.20, 0.50), (0.28, 0.92), (0.52, 1.00), (0.75, 0.90),
               (0.80, 0.50), (0.72, 0.10), (0.48, 0.01)]],
        "1": [[(0.38, 0.15), (0.55, 0.00), (0.55, 0.00), (0.55, 1.00)],
              [(0.36, 1.00), (0.74, 1.00)]],
        "2": [[(0.22, 0.18), (0.45, 0.00), (0.45, 0.00), (0.72, 0.08), (0.72, 0.08), (0.75, 0.30),
               (0.75, 0.30), (0.20, 1.00), (0.20, 1.00), (0.82, 1.00)]],
        "3": [[(0.20, 0.02), (0.70, 0.05), (0.72, 0.28), (0.42, 0.47), (0.42, 0.47), (0.78, 0.60),
               (0.76, 0.90), (0.50, 1.00), (0.20, 0.95)]],
        "4": [[(0.25, 0.00), (0.22, 0.55), (0.22, 0.55), (0.85, 0.55)],
              [(0.70, 0.00), (0.70, 1.00)]],
        "5": [[(0.78, 0.02), (0.28, 0.02), (0.28, 0.02), (0.25, 0.45), (0.25, 0.45), (0.60, 0.42),
               (0.78, 0.60), (0.75, 0.88), (0.55, 1.00), (0.22, 0.95)]],
        "6": [[(0.68, 0.02), (0.30, 0.40), (0.22, 0.72), (0.35, 0.98), (0.65, 0.98), (0.78, 0.75),
               (0.62, 0.55), (0.35, 0.60), (0.24, 0.72)]],
        "7": [[(0.20, 0.00), (0.80, 0.00), (0.80, 0.00), (0.40, 1.00)]],
        "8": [[(0.50, 0.45), (0.30, 0.33), (0.28, 0.12), (0.50, 0.00), (0.70, 0.12), (0.68, 0.33),
               (0.50, 0.45)],
              [(0.50, 0.44), (0.25, 0.58), (0.20, 0.80), (0.35, 0.98), (0.65, 0.98), (0.80, 0.80),
               (0.75, 0.58), (0.50, 0.44)]],
        "9": [[(0.76, 0.12), (0.55, 0.00), (0.30, 0.05), (0.22, 0.25), (0.35, 0.45), (0.60, 0.45),
               (0.76, 0.30), (0.76, 0.12), (0.76, 0.12), (0.72, 1.00)]],
    },
}
# fmt: on

#: How far each hand leans right (x shift per unit of height, top relative to bottom).
SLANT = {"print": 0.0, "rounded": 0.03, "slanted": 0.30, "continental": 0.08, "angular": 0.0}
#: Numbers drawn in every hand, plus RANDOM_NUMBERS random ones per hand.
NUMBERS = ("42", "2025", "907")
RANDOM_NUMBERS = 3
#: Single-digit drawings per template: one per size band, each at its own kind of position.
SIZE_BANDS = ((0.15, 0.22), (0.22, 0.32), (0.32, 0.45), (0.45, 0.60), (0.60, 0.72), (0.72, 0.85))
POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right", "centre", "anywhere")
MARGIN = 0.035  # of the canvas, between the path and the edge at a "corner": the pen's half-width
BRUSH = 1 / 22  # the default brush as a fraction of the canvas (realtime.canvas.default_brush)
EVENT_DT = 0.012  # seconds between mouse reports on average (the toolkit's coalesced motion)


# --- shapes ---------------------------------------------------------------------------------------


def smooth(points: list[tuple[float, float]], per_segment: int = 12) -> np.ndarray:
    """The hand's path through a stroke's points: centripetal Catmull-Rom, sharp at repeated points."""
    pieces, current = [], [points[0]]
    for p in points[1:]:
        if p == current[-1]:
            pieces.append(current)
            current = [p]
        else:
            current.append(p)
    pieces.append(current)
    path = []
    for piece in pieces:
        path.extend(_catmull_rom(np.array(piece, float), per_segment) if len(piece) > 1 else [piece[0]])
    return np.array(path, float)


def _catmull_rom(p: np.ndarray, per_segment: int) -> list:
    if len(p) == 2:
        return list(np.linspace(p[0], p[1], per_segment + 1))
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = [p[0]]
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1 : i + 3]
        t0 = 0.0
        t1 = t0 + max(np.linalg.norm(p1 - p0), 1e-6) ** 0.5
        t2 = t1 + max(np.linalg.norm(p2 - p1), 1e-6) ** 0.5
        t3 = t2 + max(np.linalg.norm(p3 - p2), 1e-6) ** 0.5
        for t in np.linspace(t1, t2, per_segment + 1)[1:]:
            a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
            a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
            a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
            b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
            b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
            out.append((t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2)
    return out


def vary(strokes: list[np.ndarray], hand: str, rng: np.random.Generator) -> list[np.ndarray]:
    """This drawing's own version of the template: width, rotation, slant, lifted-stroke offsets, wobble."""
    width = rng.uniform(0.85, 1.15)
    angle = math.radians(rng.normal(0, 4))
    slant = SLANT[hand] + rng.normal(0, 0.05)
    cos, sin = math.cos(angle), math.sin(angle)
    out = []
    for index, path in enumerate(strokes):
        x = (path[:, 0] - 0.5) * width
        y = path[:, 1] - 0.5
        x = x - slant * y
        x, y = cos * x - sin * y, sin * x + cos * y
        if index > 0:  # a stroke after a pen lift lands a little off where the template has it
            x = x + rng.normal(0, 0.02)
            y = y + rng.normal(0, 0.02)
        s = np.concatenate([[0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
        for _ in range(2):  # a slow wobble along the stroke, a couple of percent of the height
            freq, phase = rng.uniform(1.0, 3.0), rng.uniform(0, 2 * math.pi)
            x = x + 0.012 * np.sin(2 * math.pi * freq * s + phase)
            y = y + 0.012 * np.cos(2 * math.pi * freq * s + phase * 1.3)
        out.append(np.stack([x, y], axis=1))
    return out


def bounds(strokes: list[np.ndarray]) -> tuple[float, float, float, float]:
    allp = np.vstack(strokes)
    return float(allp[:, 0].min()), float(allp[:, 1].min()), float(allp[:, 0].max()), float(allp[:, 1].max())


def place(strokes: list[np.ndarray], height: float, left: float, top: float) -> list[np.ndarray]:
    """Scale so the drawing is `height` high (canvas units) with its bounding box's top-left at (left, top)."""
    x0, y0, _, y1 = bounds(strokes)
    scale = height / (y1 - y0)
    return [np.stack([left + (s[:, 0] - x0) * scale, top + (s[:, 1] - y0) * scale], axis=1) for s in strokes]


# --- mouse sampling -------------------------------------------------------------------------------


def mouse_path(path: np.ndarray, rng: np.random.Generator, canvas_px: float = 448) -> np.ndarray:
    """The points a mouse reports while a hand moves along `path` (canvas units).

    Speed follows the stroke: a ramp up and down at its ends, slower in tight curves; the reports
    come every ~EVENT_DT seconds with uneven gaps, each with about a pixel of jitter.
    """
    seg = np.hypot(*np.diff(path, axis=0).T)
    keep = np.concatenate([[True], seg > 1e-9])
    path, seg = path[keep], seg[seg > 1e-9]
    if len(path) < 2:
        return path[:1].copy()
    s = np.concatenate([[0], np.cumsum(seg)])
    length = s[-1]
    # Turning angle per unit length: the hand slows down where the path bends.
    d = np.diff(path, axis=0) / seg[:, None]
    turn = np.zeros(len(path))
    turn[1:-1] = np.arccos(np.clip((d[:-1] * d[1:]).sum(1), -1, 1))
    bend = np.convolve(turn, np.ones(5) / 5, mode="same") / np.maximum(np.gradient(s), 1e-6)
    top_speed = rng.uniform(1.2, 3.0)  # canvas heights per second: a quick but not frantic hand
    ramp = np.clip(np.minimum(s, length - s) / min(0.08, length / 3), 0.15, 1.0)
    speed = top_speed * ramp / (1 + 0.02 * bend)
    t = np.concatenate([[0], np.cumsum(np.diff(s) / ((speed[1:] + speed[:-1]) / 2))])
    times, now = [0.0], 0.0
    while now < t[-1]:
        gap = EVENT_DT * rng.uniform(0.6, 1.4) * (rng.integers(2, 4) if rng.random() < 0.06 else 1)
        now = min(now + gap, t[-1])
        times.append(now)
    at = np.interp(times, t, s)
    points = np.stack([np.interp(at, s, path[:, 0]), np.interp(at, s, path[:, 1])], axis=1)
    points[1:-1] += rng.normal(0, 0.7 / canvas_px, points[1:-1].shape)
    return points


def to_json_strokes(strokes: list[np.ndarray]) -> list[list[list[float]]]:
    return [[[round(float(np.clip(x, 0, 1)), 3), round(float(np.clip(y, 0, 1)), 3)] for x, y in s] for s in strokes]


# --- the set --------------------------------------------------------------------------------------


def template_paths(hand: str, digit: str) -> list[np.ndarray]:
    return [smooth(stroke) for stroke in TEMPLATES[hand][digit]]


def position(kind: str, w: float, h: float, rng: np.random.Generator) -> tuple[float, float]:
    """Top-left corner for a w x h drawing: at a corner, in the centre, or anywhere on the canvas."""
    lo_x, hi_x = MARGIN, 1 - MARGIN - w
    lo_y, hi_y = MARGIN, 1 - MARGIN - h
    jitter = lambda: rng.uniform(0, 0.03)  # noqa: E731
    if kind == "centre":
        return (1 - w) / 2 + rng.normal(0, 0.02), (1 - h) / 2 + rng.normal(0, 0.02)
    if kind == "anywhere":
        return rng.uniform(lo_x, max(lo_x, hi_x)), rng.uniform(lo_y, max(lo_y, hi_y))
    x = lo_x + jitter() if "left" in kind else hi_x - jitter()
    y = lo_y + jitter() if "top" in kind else hi_y - jitter()
    return x, y


def digit_sample(hand: str, digit: str, band: tuple[float, float], where: str, rng: np.random.Generator) -> dict:
    strokes = vary(template_paths(hand, digit), hand, rng)
    height = rng.uniform(*band)
    x0, y0, x1, y1 = bounds(strokes)
    width = height * (x1 - x0) / (y1 - y0)
    left, top = position(where, width, height, rng)
    placed = place(strokes, height, left, top)
    return {
        "label": digit,
        "hand": hand,
        "kind": "digit",
        "size": round(height, 3),
        "position": where,
        "strokes": to_json_strokes([mouse_path(s, rng) for s in placed]),
    }


def number_sample(hand: str, number: str, rng: np.random.Generator) -> dict:
    """Digits of one hand side by side: uneven gaps (always clear of the pen), sizes and baselines."""
    drawings = [vary(template_paths(hand, d), hand, rng) for d in number]
    height = rng.uniform(0.16, 0.30)
    placed, x = [], 0.0
    for strokes in drawings:
        h = height * rng.uniform(0.9, 1.1)
        bx0, by0, bx1, by1 = bounds(strokes)
        w = h * (bx1 - bx0) / (by1 - by0)
        top = rng.normal(0, 0.06 * height)
        placed.append(place(strokes, h, x, top))
        x += w + BRUSH * 1.4 + rng.uniform(0.2, 0.45) * height
    x0, y0, x1, y1 = bounds([s for strokes in placed for s in strokes])
    fit = min(1.0, (1 - 2 * MARGIN) / (x1 - x0))  # a long number is drawn smaller to fit
    w, h = (x1 - x0) * fit, (y1 - y0) * fit
    left = rng.uniform(MARGIN, max(MARGIN, 1 - MARGIN - w))
    top = rng.uniform(MARGIN, max(MARGIN, 1 - MARGIN - h))
    strokes = [
        np.stack([left + (s[:, 0] - x0) * fit, top + (s[:, 1] - y0) * fit], axis=1)
        for drawing in placed
        for s in drawing
    ]
    return {
        "label": number,
        "hand": hand,
        "kind": "number",
        "size": round(h, 3),
        "position": "anywhere",
        "strokes": to_json_strokes([mouse_path(s, rng) for s in strokes]),
    }


def generate(seed: int = SEED) -> dict[str, list[dict]]:
    """Every hand's drawings: each digit once per size band, plus the numbers."""
    rng = np.random.default_rng(seed)
    sets = {}
    for hand in TEMPLATES:
        samples = []
        for digit in "0123456789":
            places = list(rng.permutation(POSITIONS))
            for band, where in zip(SIZE_BANDS, places):
                samples.append(digit_sample(hand, digit, band, str(where), rng))
        randoms = ["".join(str(rng.integers(0, 10)) for _ in range(rng.integers(2, 5))) for _ in range(RANDOM_NUMBERS)]
        for number in (*NUMBERS, *randoms):
            samples.append(number_sample(hand, number, rng))
        for index, sample in enumerate(samples):
            sample["id"] = f"{hand}-{sample['kind']}-{sample['label']}-{index}"
        sets[hand] = samples
    return sets


def write(sets: dict[str, list[dict]], folder: Path) -> list[Path]:
    """One file per hand, one drawing per line, so that a diff shows which drawings changed."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for hand, samples in sets.items():
        path = folder / f"{hand}.json"
        lines = [json.dumps(s, separators=(",", ":")) for s in samples]
        path.write_text('{"hand":"%s","samples":[\n%s\n]}\n' % (hand, ",\n".join(lines)), encoding="utf-8")
        paths.append(path)
    return paths


def load(folder: Path = OUT) -> list[dict]:
    """Every drawing in the stroke set, in file then drawing order."""
    samples = []
    for path in sorted(folder.glob("*.json")):
        samples.extend(json.loads(path.read_text(encoding="utf-8"))["samples"])
    return samples


def preview(sets: dict[str, list[dict]], path: Path, size: int = 112) -> None:
    """A sheet: per hand, the ten templates, then every drawing as it lands on the canvas."""
    import cv2

    rows = []
    for hand, samples in sets.items():
        tiles = []
        for digit in "0123456789":
            tile = np.zeros((size, size), np.uint8)
            for s in template_paths(hand, digit):
                pts = np.round((s * 0.8 + 0.1) * (size - 1)).astype(np.int32)
                cv2.polylines(tile, [pts], False, 255, 3, cv2.LINE_AA)
            tiles.append(tile)
        for sample in samples:
            tile = np.zeros((size, size), np.uint8)
            for s in sample["strokes"]:
                pts = np.round(np.array(s) * (size - 1)).astype(np.int32)
                cv2.polylines(tile, [pts], False, 255, max(1, round(size * BRUSH)), cv2.LINE_AA)
            cv2.rectangle(tile, (0, 0), (size - 1, size - 1), 90, 1)
            tiles.append(tile)
        per_row = 20
        while len(tiles) % per_row:
            tiles.append(np.zeros((size, size), np.uint8))
        rows.extend(np.hstack(tiles[i : i + per_row]) for i in range(0, len(tiles), per_row))
    cv2.imwrite(str(path), np.vstack(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the JSON files (default {OUT})")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--preview", type=Path, help="also write a PNG sheet of the templates and drawings")
    args = parser.parse_args(argv)
    sets = generate(args.seed)
    paths = write(sets, args.out)
    total = sum(p.stat().st_size for p in paths)
    count = sum(len(s) for s in sets.values())
    print(f"{count} drawings in {len(paths)} files, {total / 1024:.0f} KB, in {args.out}")
    if args.preview:
        preview(sets, args.preview)
        print(f"preview: {args.preview}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
