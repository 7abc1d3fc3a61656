"""Generated non-digits: what the model must answer "not a digit" to, as the app would feed it.

The model has an 11th output, "not a digit", trained on these. They cover what users draw that is
no digit (letters, symbols, scribbles, dashes, hatching, blobs) and what a segmentation search
feeds the model when it tries a wrong grouping: a fragment of a digit (a half, one stroke), two
digits squeezed into one crop (a touching pair), pieces of ruled lines and box edges. Each is drawn
on a black canvas as white ink and brought to 28x28 by the app's own `to_mnist`.

Things a digit can truly look like are left out, so that the class never fights a digit: letters
O o Q D I i l j J S s Z z B b G g q, the symbols ( ) ! |, vertical lines (a "1"), fragments of a
"1", fragments as thin as a "1" and fragments with a closed loop (a "0").

`TRAIN_FONTS` / `HELD_OUT_FONTS` split OpenCV's Hershey faces, so that the letters of the
measurement set (scripts/evaluate_draw.py) are in faces training never saw.
"""

from __future__ import annotations

import cv2
import numpy as np

from realtime.canvas import Canvas
from realtime.pen import PenDigit, crop_input, paint, place, random_brush, style
from realtime.preprocess import to_mnist
from realtime.training import draw_scribble

LETTERS = "ACEFHKMNPRTUVWXYacdefhkmnprtuvwxy"
SYMBOLS = "+-=/%$#*@&<>?~"
TRAIN_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
               cv2.FONT_HERSHEY_SCRIPT_SIMPLEX)
HELD_OUT_FONTS = (cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
                  cv2.FONT_HERSHEY_COMPLEX_SMALL | cv2.FONT_ITALIC)
KINDS = ("letter", "symbol", "scribble", "shading", "fragment", "pair", "line")
_WEIGHTS = (0.22, 0.13, 0.14, 0.08, 0.19, 0.13, 0.11)


def glyph(text: str, font: int, rng: np.random.Generator, size: int = 128, slant: float = 0.35) -> np.ndarray:
    """`text` in a Hershey `font` at a random pen width and a slant (shear) up to `slant`, white on
    black, uint8 (size, size)."""
    canvas = np.zeros((size, size), np.uint8)
    scale = cv2.getFontScaleFromHeight(font, int(size * 0.55), 1)
    thickness = int(rng.integers(1, 9))
    (w, h), base = cv2.getTextSize(text, font, scale, thickness)
    origin = (max(0, (size - w) // 2), (size + h) // 2)
    cv2.putText(canvas, text, origin, font, scale, 255, thickness, cv2.LINE_AA)
    shear = rng.uniform(-slant, slant)
    matrix = np.float32([[1, shear, -shear * size / 2], [0, 1, 0]])
    return cv2.warpAffine(canvas, matrix, (size, size))


def fragment(sample: PenDigit, rng: np.random.Generator) -> np.ndarray | None:
    """Part of a pen digit (not a "1"): a cut half, or some of its strokes (not of a "7", whose
    stem without the crossbar is a 7). None when the part is as thin as a "1" or holds a closed
    loop (the top of an 8 or the bowl of a 9 is a fine "0")."""
    if sample.label == 1:
        return None
    size = 200
    canvas = Canvas(size, brush=random_brush(size, rng))
    strokes = place(style(sample.strokes, sample.label, rng), size, 0.8)
    if len(strokes) > 1 and sample.label != 7 and rng.random() < 0.4:
        keep = rng.permutation(len(strokes))[: int(rng.integers(1, len(strokes)))]
        paint(canvas, [strokes[k] for k in sorted(keep)])
        ink = canvas.image
    else:
        paint(canvas, strokes)
        ink = canvas.image.copy()
        ys, xs = np.nonzero(ink)
        y0, y1, x0, x1 = ys.min(), ys.max(), xs.min(), xs.max()
        frac = rng.uniform(0.35, 0.6)
        side = int(rng.integers(4))
        if side == 0:
            ink[int(y0 + frac * (y1 - y0)):] = 0
        elif side == 1:
            ink[: int(y1 - frac * (y1 - y0))] = 0
        elif side == 2:
            ink[:, int(x0 + frac * (x1 - x0)):] = 0
        else:
            ink[:, : int(x1 - frac * (x1 - x0))] = 0
    ys, xs = np.nonzero(ink > 127)
    if len(ys) < 30 or np.ptp(xs) < 0.4 * np.ptp(ys):
        return None
    _, hierarchy = cv2.findContours((ink > 127).astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is not None and np.any(hierarchy[0][:, 3] >= 0):
        return None
    return crop_input(ink > 127)


def shading(rng: np.random.Generator, size: int = 200) -> np.ndarray | None:
    """A patch coloured in with the mouse, as users cross out or shade: back-and-forth strokes a
    brush width or two apart, cross-hatching, or a loop scribbled round and round to its centre.
    Drawn on the canvas at a user's brush; the model's (28, 28) float32 input."""
    canvas = Canvas(size, brush=random_brush(size, rng))
    side = rng.uniform(0.18, 0.4)
    half = np.array([side, side * rng.uniform(0.65, 1.0)]) * size  # no longer than 1.5:1, never a bar (a "1")
    angle = rng.uniform(0, np.pi)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    kind = int(rng.integers(3))
    strokes: list[np.ndarray] = []
    if kind < 2:  # parallel strokes (kind 0) or two crossing families (kind 1) across an ellipse
        for family in range(kind + 1):
            cross = np.radians(rng.uniform(40, 90)) * family
            spin = turn @ np.array([[np.cos(cross), -np.sin(cross)], [np.sin(cross), np.cos(cross)]])
            gap = min(canvas.brush * rng.uniform(0.6, 1.8) / max(half.min(), 1.0), 0.45)  # >= 4 strokes
            for v in np.arange(-1 + gap / 2, 1, gap):
                u = np.sqrt(max(1 - v * v, 0.0))
                strokes.append(np.stack([[-u, v], [u, v]]) * half @ spin.T)
        if kind == 0 and rng.random() < 0.5:  # one back-and-forth stroke, as a zig-zag fill
            strokes = [np.concatenate([s if k % 2 == 0 else s[::-1] for k, s in enumerate(strokes)])]
    else:  # a loop scribbled round and round, closing in to the centre
        turns = np.linspace(0, 2 * np.pi * rng.uniform(5, 10), 200)
        radius = rng.uniform(0.0, 1.0, len(turns)) ** 0.7
        strokes.append(np.stack([np.cos(turns), np.sin(turns)], axis=1) * radius[:, None] * half @ turn.T)
    paint(canvas, [np.round(s + size / 2).astype(np.int32) for s in strokes])
    return crop_input(canvas.image > 127)


def pair(first: PenDigit, second: PenDigit, rng: np.random.Generator) -> np.ndarray | None:
    """Two pen digits side by side, touching or overlapping a little, as one crop."""
    size = 240
    canvas = Canvas(size, brush=random_brush(size, rng))
    height = rng.uniform(0.3, 0.45)
    left = place(style(first.strokes, first.label, rng), size, height, (size * 0.35, size / 2))
    right = place(style(second.strokes, second.label, rng), size, height, (size * 0.65, size / 2))
    gap = int(max(s[:, 0].max() for s in left) - min(s[:, 0].min() for s in right))
    shift = gap + int(rng.uniform(-0.02, 0.12) * size * height)
    paint(canvas, left + [s + [shift, 0] for s in right])
    ink = canvas.image > 127
    return to_mnist(ink.astype(np.uint8) * 255) if np.any(ink) else None


def ruling(rng: np.random.Generator, size: int = 128) -> np.ndarray:
    """Pieces of ruled lines and box edges: a near-horizontal line, a corner, a crossing, a line
    with a stub, several parallel dashes."""
    canvas = np.zeros((size, size), np.uint8)
    width = int(rng.integers(1, 7))
    kind = int(rng.integers(5))
    y = int(rng.integers(size // 4, 3 * size // 4))
    tilt = int(rng.integers(-6, 7))
    if kind == 0:
        cv2.line(canvas, (4, y), (size - 4, y + tilt), 255, width, cv2.LINE_AA)
    elif kind in (1, 2):  # a corner or a crossing of a box edge
        x = int(rng.integers(size // 4, 3 * size // 4))
        x_end = size - 4 if rng.random() < 0.5 else 4
        cv2.line(canvas, (x, y), (x_end, y + tilt), 255, width, cv2.LINE_AA)
        y_end = size - 4 if rng.random() < 0.5 else 4
        cv2.line(canvas, (x, 4 if kind == 2 else y), (x + tilt, y_end), 255, width, cv2.LINE_AA)
        if kind == 2:
            cv2.line(canvas, (4, y), (size - 4, y), 255, width, cv2.LINE_AA)
    elif kind == 3:  # a line with the stub of a crossing one
        cv2.line(canvas, (4, y), (size - 4, y + tilt), 255, width, cv2.LINE_AA)
        x = int(rng.integers(10, size - 10))
        cv2.line(canvas, (x, y), (x + tilt, y - int(rng.integers(4, 20))), 255, width, cv2.LINE_AA)
    else:  # dashes
        for k in range(int(rng.integers(1, 4))):
            x = int(rng.integers(4, size // 2))
            yy = y + k * int(rng.integers(12, 30))
            cv2.line(canvas, (x, yy), (x + int(rng.integers(20, size // 2)), yy + tilt), 255, width, cv2.LINE_AA)
    return canvas


def generate(count: int, pen_samples: list[PenDigit], seed: int,
             fonts: tuple[int, ...] = TRAIN_FONTS) -> tuple[np.ndarray, list[str]]:
    """`count` non-digits as uint8 (count, 28, 28) model inputs, and the kind of each.

    Fragments and pairs are cut from `pen_samples` (training writers only, by the caller).
    """
    rng = np.random.default_rng(seed)
    images: list[np.ndarray] = []
    kinds: list[str] = []
    while len(images) < count:
        kind = KINDS[int(rng.choice(len(KINDS), p=_WEIGHTS))]
        font = fonts[int(rng.integers(len(fonts)))]
        image: np.ndarray | None
        if kind == "letter":
            image = to_mnist(glyph(LETTERS[int(rng.integers(len(LETTERS)))], font, rng))
        elif kind == "symbol":
            image = to_mnist(glyph(SYMBOLS[int(rng.integers(len(SYMBOLS)))], font, rng, slant=0.0))  # '/' stays no '1'
        elif kind == "scribble":
            canvas = np.zeros((96, 96), np.uint8)
            draw_scribble(canvas, rng, kinds=4)  # zig-zag, hatching, blob, rings
            image = to_mnist(canvas)
        elif kind == "shading":
            image = shading(rng)
        elif kind == "fragment":
            image = fragment(pen_samples[int(rng.integers(len(pen_samples)))], rng)
        elif kind == "pair":
            a, b = rng.integers(len(pen_samples), size=2)
            image = pair(pen_samples[int(a)], pen_samples[int(b)], rng)
        else:
            image = to_mnist(ruling(rng))
        if image is not None:
            images.append(np.round(image * 255).astype(np.uint8))
            kinds.append(kind)
    return np.stack(images), kinds
