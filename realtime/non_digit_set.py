"""The non-digit MEASUREMENT set: letters, symbols, scribbles, dashes and blobs as pen strokes.

Used by scripts/evaluate_draw.py to measure how often the app turns down what is no digit. It is
kept apart from the training negatives (realtime.negatives) on purpose: training sees letters only
as Hershey font glyphs, never these hand-made stroke templates, so the letters here are a kind of
input the model was not fitted to. Each drawing is a list of strokes in a unit box (x right, y
down), restyled per instance (slant, rotation, aspect, jitter) and replayed as mouse drags.

Letters that are digits in all but name (O o I l i S s Z z B b G g q D Q j J) are not in the set:
reading an "O" as 0 is right, not a failure.
"""

from __future__ import annotations

import numpy as np

Stroke = list[tuple[float, float]]


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 14) -> Stroke:
    """Points of an elliptic arc from angle a0 to a1 (degrees; 0 right, 90 down: y points down)."""
    t = np.radians(np.linspace(a0, a1, n))
    return [(float(cx + rx * np.cos(a)), float(cy + ry * np.sin(a))) for a in t]


#: Hand-made stroke templates, in writing order, in a unit box.
TEMPLATES: dict[str, list[Stroke]] = {
    "A": [[(0, 1), (0.5, 0), (1, 1)], [(0.22, 0.6), (0.78, 0.6)]],
    "C": [_arc(0.55, 0.5, 0.45, 0.5, 315, 45)],
    "E": [[(1, 0), (0, 0), (0, 1), (1, 1)], [(0, 0.5), (0.7, 0.5)]],
    "F": [[(1, 0), (0, 0), (0, 1)], [(0, 0.5), (0.7, 0.5)]],
    "H": [[(0, 0), (0, 1)], [(1, 0), (1, 1)], [(0, 0.5), (1, 0.5)]],
    "K": [[(0, 0), (0, 1)], [(1, 0), (0, 0.55), (1, 1)]],
    "L": [[(0, 0), (0, 1), (0.8, 1)]],
    "M": [[(0, 1), (0, 0), (0.5, 0.6), (1, 0), (1, 1)]],
    "N": [[(0, 1), (0, 0), (1, 1), (1, 0)]],
    "P": [[(0, 1), (0, 0), (0.55, 0), *_arc(0.55, 0.25, 0.35, 0.25, 270, 450), (0, 0.5)]],
    "R": [[(0, 1), (0, 0), (0.55, 0), *_arc(0.55, 0.25, 0.35, 0.25, 270, 450), (0, 0.5)], [(0.4, 0.5), (1, 1)]],
    "T": [[(0, 0), (1, 0)], [(0.5, 0), (0.5, 1)]],
    "U": [[(0, 0), *_arc(0.5, 0.65, 0.5, 0.35, 180, 0), (1, 0)]],
    "V": [[(0, 0), (0.5, 1), (1, 0)]],
    "W": [[(0, 0), (0.25, 1), (0.5, 0.3), (0.75, 1), (1, 0)]],
    "X": [[(0, 0), (1, 1)], [(1, 0), (0, 1)]],
    "Y": [[(0, 0), (0.5, 0.5)], [(1, 0), (0.5, 0.5), (0.5, 1)]],
    "a": [_arc(0.45, 0.65, 0.4, 0.35, -20, -380), [(0.85, 0.3), (0.85, 1)]],
    "c": [_arc(0.5, 0.65, 0.4, 0.35, 315, 45)],
    "e": [[(0.1, 0.65), (0.9, 0.65), *_arc(0.5, 0.65, 0.4, 0.35, 0, -315)]],
    "f": [[*_arc(0.7, 0.18, 0.3, 0.18, -10, -180), (0.4, 1)], [(0.1, 0.45), (0.75, 0.45)]],
    "h": [[(0, 0), (0, 1)], [(0, 0.6), *_arc(0.4, 0.6, 0.4, 0.25, 180, 360), (0.8, 1)]],
    "k": [[(0, 0), (0, 1)], [(0.7, 0.35), (0, 0.7), (0.7, 1)]],
    "m": [[(0, 0.35), (0, 1)], [(0, 0.55), *_arc(0.25, 0.55, 0.25, 0.2, 180, 360), (0.5, 1)],
          [(0.5, 0.55), *_arc(0.75, 0.55, 0.25, 0.2, 180, 360), (1, 1)]],
    "n": [[(0, 0.35), (0, 1)], [(0, 0.55), *_arc(0.4, 0.55, 0.4, 0.2, 180, 360), (0.8, 1)]],
    "p": [[(0, 0), (0, 1)], _arc(0.35, 0.25, 0.35, 0.25, 180, 540)],
    "r": [[(0, 0.3), (0, 1)], [(0, 0.6), *_arc(0.45, 0.6, 0.45, 0.25, 180, 300)]],
    "t": [[(0.4, 0), (0.4, 0.9), (0.75, 1)], [(0.1, 0.3), (0.8, 0.3)]],
    "u": [[(0, 0.35), *_arc(0.4, 0.8, 0.4, 0.2, 180, 0), (0.8, 0.35)], [(0.8, 0.35), (0.8, 1)]],
    "v": [[(0, 0.35), (0.5, 1), (1, 0.35)]],
    "w": [[(0, 0.35), (0.25, 1), (0.5, 0.5), (0.75, 1), (1, 0.35)]],
    "x": [[(0, 0.35), (1, 1)], [(1, 0.35), (0, 1)]],
    "y": [[(0, 0), (0.5, 0.5)], [(1, 0), (0.2, 1)]],
    "+": [[(0.5, 0.1), (0.5, 0.9)], [(0.1, 0.5), (0.9, 0.5)]],
    "-": [[(0.1, 0.5), (0.9, 0.5)]],
    "=": [[(0.1, 0.4), (0.9, 0.4)], [(0.1, 0.6), (0.9, 0.6)]],
    "/": [[(0.8, 0), (0.2, 1)]],
    "%": [_arc(0.2, 0.2, 0.15, 0.18, 0, 360), [(0.9, 0), (0.1, 1)], _arc(0.8, 0.8, 0.15, 0.18, 0, 360)],
    "$": [[*_arc(0.5, 0.27, 0.35, 0.23, -30, -270), *_arc(0.5, 0.73, 0.35, 0.23, -90, 150)],
          [(0.5, 0), (0.5, 1)]],
    "#": [[(0.35, 0), (0.25, 1)], [(0.75, 0), (0.65, 1)], [(0, 0.35), (1, 0.35)], [(0, 0.65), (1, 0.65)]],
}
LETTERS = [k for k in TEMPLATES if k.isalpha()]
SYMBOLS = [k for k in TEMPLATES if not k.isalpha()]
KINDS = ("letter", "symbol", "scribble", "dashes", "hatching", "blob")


def generated(kind: str, rng: np.random.Generator) -> list[Stroke]:
    """A scribble (one zig-zag stroke), dashes (1-3 short bars), hatching (parallel strokes) or a
    blob (a tight scribbled-in loop, drawn many times over)."""
    if kind == "scribble":
        return [[tuple(p) for p in rng.uniform(0, 1, (int(rng.integers(8, 16)), 2))]]
    if kind == "dashes":
        rows = int(rng.integers(1, 4))
        return [[(x, y), (x + float(rng.uniform(0.3, 0.6)), y)]
                for x, y in zip(rng.uniform(0, 0.4, rows), np.linspace(0.3, 0.7, rows))]
    if kind == "hatching":
        lines = int(rng.integers(4, 8))
        return [[(float(x), 1.0), (float(x) + 0.4, 0.0)] for x in np.linspace(0, 0.6, lines)]
    # Scribbled in: the pen goes round 5-9 times at any distance from the middle, so the loop is
    # filled, not a thick ring (a ring drawn over and over is a bold "0", and is read as one).
    turns = np.linspace(0, 2 * np.pi * rng.uniform(5, 9), 160)
    radius = 0.5 * np.sqrt(rng.uniform(0.02, 1.0, len(turns)))
    return [[(0.5 + r * np.cos(a), 0.5 + r * np.sin(a)) for a, r in zip(turns, radius)]]


def drawing(kind: str, rng: np.random.Generator) -> tuple[str, list[Stroke]]:
    """One restyled drawing of `kind` in a unit box: (its name, strokes)."""
    if kind in ("letter", "symbol"):
        names = LETTERS if kind == "letter" else SYMBOLS
        name = names[int(rng.integers(len(names)))]
        strokes = TEMPLATES[name]
    else:
        name, strokes = kind, generated(kind, rng)
    shear, angle = rng.uniform(-0.3, 0.3), np.radians(rng.uniform(-10, 10))
    linear = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ \
        np.array([[rng.uniform(0.7, 1.3), shear], [0, 1]])
    out = []
    for stroke in strokes:
        points = np.asarray(stroke, np.float64)
        # Resample densely, as a mouse reports a drag, and wobble a little.
        steps = np.linspace(0, len(points) - 1, max(2, 6 * len(points)))
        dense = np.stack([np.interp(steps, np.arange(len(points)), points[:, k]) for k in (0, 1)], axis=1)
        dense = (dense - 0.5) @ linear.T + 0.5 + rng.normal(0, 0.008, dense.shape)
        out.append(dense)
    points = np.concatenate(out)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = 1.0 / max(float((high - low).max()), 1e-6)
    return name, [[(float(x), float(y)) for x, y in (s - low) * scale] for s in out]
