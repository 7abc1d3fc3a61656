"""Render photos of handwritten pages of the kinds real pages have and the rendered clips lack.

    python scripts/make_test_pages.py --out /tmp/pages --per-kind 10 --seed 5
    python scripts/make_test_pages.py --out /tmp/pages --kinds dense,ruled --per-kind 3
    python scripts/make_test_pages.py --out /tmp/pages --per-kind 1 --contact docs/page_kinds.jpg

Camera mode reads the rendered clips of scripts/make_test_videos.py well and real pages badly:
real pages are crowded, ruled, boxed, written in pale or coloured ink, photographed on a
cluttered background or sideways. Each kind below is one of those, drawn with the clips' own
paper, ink, desk, light, camera and sensor (imported from make_test_videos, not copied), so that a
per-kind score says which kind of page the finder fails on:

- dense: 60 two-digit numbers in 10 rows, rows 1.2-1.5 digit heights apart; some 4s, 7s and 9s
  have tails 1.25-1.5x as long, reaching down to the next row.
- ruled: ruled lines 0.55-0.9 digit heights apart, darker than faint notebook rules, so every
  digit is crossed by one or two of them.
- boxes: each digit in a printed box (a comb of boxes on a form); some touch its edges.
- touching: neighbouring digits of a number whose strokes touch (at least one pair a row).
- pencil: soft graphite, grey, 50-80 % opaque and grainy.
- ballpoint: light-blue ballpoint, thin (ink-to-paper grey about 0.5-0.8).
- marker: grey and coloured markers (red, green, orange, purple, teal), thick.
- yellow: yellow paper, blue or black pen.
- textured: the sheet fills a third to a half of the view; around it a rough wall or a wooden
  door with strong grain (procedural).
- rotated: the sheet turned 90, 180 or 270 degrees in the view.
- tilted: the phone held askew, the sheet turned 8-20 degrees either way in the view.
- cropped: a photo cropped to one row (0.1-0.6 of the row's height around its digits, as a user
  crops to the number; the real dev set's small photos are such crops), of a page in plain pen,
  light-blue ballpoint, pencil, marker, on ruled paper or with touching digits.

Except in "dense", a page has 2-4 rows, each one number of 3-6 digits. Every digit is an MNIST
*test* digit. The image is a JPEG (quality 88 by default, as phones save them).

Per page NAME = KIND_NN, NAME.jpg and NAME.json, in the format of ../shared/data/real-dev (one
scorer serves both, scripts/evaluate_real.py):

    {"file": "dense_00.jpg", "kind": "dense", "rotation": 0,
     "source": {"script": "scripts/make_test_pages.py", "seed": 5, "page": 0,
                "mnist_test_indices": [[...], ...]},
     "lines": [[{"box": [x, y, w, h], "label": 3}, ...], ...]}

`kind` is the page's kind (scripts/evaluate_real.py reports per kind); `lines` are the rows of
the page in reading order (top to bottom, as the page is written, also when it is turned), a
row's digits left to right; `box` is the tight box of the digit's ink (alpha >= 0.5) in the
image's own pixels; `rotation` is how far the page is turned clockwise in the image (0, 90, 180,
270).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from make_test_videos import (  # noqa: E402  (scripts/ is on sys.path)
    INKS,
    LAYOUT_ATTEMPTS,
    MIN_CLEARANCE,
    REFERENCE_HEIGHT,
    SCALE,
    expose,
    ink_alpha,
    light_world,
    make_optics,
    paper,
    parse_size,
    project_box,
    rest_pose,
    smooth_noise,
    table,
)

from realtime.errors import UserError, run_main  # noqa: E402
from realtime.mnist import load_mnist  # noqa: E402

KINDS = ("dense", "ruled", "boxes", "touching", "pencil", "ballpoint", "marker", "yellow", "textured", "rotated",
         "tilted", "cropped")
CROPPED_FROM = ("plain", "ballpoint", "pencil", "marker", "ruled", "touching")  # the pages a row is cut from
CROP_MARGIN = (0.1, 0.6)  # of the row's height, around its digits
MARKERS = {  # BGR in [0, 1]
    "grey": (0.45, 0.45, 0.45),
    "red": (0.20, 0.18, 0.80),
    "green": (0.30, 0.55, 0.15),
    "orange": (0.15, 0.45, 0.90),
    "purple": (0.55, 0.25, 0.45),
    "teal": (0.55, 0.50, 0.10),
}
LIGHT_BLUE = (0.85, 0.55, 0.30)
GRAPHITE = (0.40, 0.38, 0.37)
YELLOW_PAPER = (0.55, 0.90, 0.98)  # multiplies the off-white paper


@dataclass
class Style:
    """How one page is written and photographed; sizes in frame px at REFERENCE_HEIGHT."""

    kind: str
    ink: np.ndarray  # BGR in [0, 1]
    opacity: tuple[float, float]  # range of the ink's opacity per digit
    pen: float  # stroke width
    grain: float = 0.0  # 0..1: how much of the stroke a grainy pencil leaves out
    tint: np.ndarray = field(default_factory=lambda: np.ones(3, np.float32))  # paper colour factor
    rules: bool = False
    boxes: bool = False
    touching: bool = False
    textured: bool = False
    rotation: int = 0
    tilt: float = 0.0  # degrees anticlockwise, beyond the few every page gets
    cropped: bool = False  # the photo is cut to one of its rows


def make_style(rng: np.random.Generator, kind: str) -> Style:
    """The randomised writing and paper of one page of `kind`."""
    pen_ink = np.array(INKS[list(INKS)[int(rng.integers(len(INKS)))]], np.float32)
    style = Style(kind, pen_ink, (0.85, 1.0), rng.uniform(2.5, 5.0))
    if kind == "ruled":
        style.rules = True
    elif kind == "boxes":
        style.boxes = True
    elif kind == "touching":
        style.touching = True
    elif kind == "pencil":
        style.ink = np.array(GRAPHITE, np.float32) * rng.uniform(0.85, 1.2)
        style.opacity, style.pen, style.grain = (0.5, 0.8), rng.uniform(2.0, 3.5), rng.uniform(0.2, 0.45)
    elif kind == "ballpoint":
        style.ink = np.array(LIGHT_BLUE, np.float32) * rng.uniform(0.9, 1.05)
        style.opacity, style.pen = (0.7, 0.95), rng.uniform(1.8, 3.0)
    elif kind == "marker":
        style.ink = np.array(MARKERS[list(MARKERS)[int(rng.integers(len(MARKERS)))]], np.float32)
        style.opacity, style.pen = (0.85, 0.97), rng.uniform(5.0, 8.0)
    elif kind == "yellow":
        style.tint = np.array(YELLOW_PAPER, np.float32) * rng.uniform(0.95, 1.02)
    elif kind == "textured":
        style.textured = True
    elif kind == "rotated":
        style.rotation = int(rng.choice([90, 180, 270]))
    elif kind == "tilted":  # a phone held askew: 8-20 degrees either way
        style.tilt = float(rng.choice([-1, 1]) * rng.uniform(8, 20))
    elif kind == "cropped":
        style = make_style(rng, str(rng.choice(CROPPED_FROM)))
        style.cropped = True
    elif kind not in ("dense", "plain"):
        raise UserError(f"unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
    return style


# --- backgrounds around the sheet -------------------------------------------------------------


def wood_door(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """A wooden door or board: long, strong, wavy grain lines and a few knots (float32 BGR)."""
    h, w = shape
    base = np.array([rng.uniform(0.2, 0.35), rng.uniform(0.35, 0.5), rng.uniform(0.55, 0.75)], np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    along = yy + 40 * SCALE * smooth_noise(rng, shape, 200 * SCALE)
    for _ in range(int(rng.integers(2, 6))):  # knots bend the grain around them
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(8, 25) * SCALE
        along += 3 * r * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
    period = rng.uniform(4, 9) * SCALE
    rings = np.sin(along / period + 3 * smooth_noise(rng, shape, 60 * SCALE))
    dark_lines = np.clip(rings, 0.7, 1.0) - 0.7  # thin dark late-wood lines
    grain = -rng.uniform(0.6, 1.2) * dark_lines - 0.1 * rings + 0.1 * smooth_noise(rng, shape, 30 * SCALE)
    grain += rng.normal(0, 0.03, shape).astype(np.float32)
    return (base * (1 + grain)[..., None]).clip(0, 1).astype(np.float32)


def rough_wall(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Rough plaster or stucco, lit from one side: bumps, pits and speckle (float32 BGR)."""
    base = np.full(3, rng.uniform(0.55, 0.8), np.float32) * np.array(
        [rng.uniform(0.85, 1.0), rng.uniform(0.92, 1.0), 1.0], np.float32)
    height = (smooth_noise(rng, shape, 25 * SCALE) + 0.6 * smooth_noise(rng, shape, 6 * SCALE)
              + 0.4 * smooth_noise(rng, shape, 2 * SCALE))
    angle = rng.uniform(0, 2 * np.pi)
    gy, gx = np.gradient(height)
    relief = (np.cos(angle) * gx + np.sin(angle) * gy) * rng.uniform(6, 12) * SCALE
    pits = (rng.random(shape) < 0.004).astype(np.float32)
    pits = cv2.GaussianBlur(cv2.dilate(pits, np.ones((3, 3), np.uint8)), (0, 0), 0.8 * SCALE)
    shade = 1 + relief + 0.05 * height - 0.5 * pits.clip(0, 1) + rng.normal(0, 0.04, shape).astype(np.float32)
    return (base * shade[..., None]).clip(0, 1).astype(np.float32)


# --- the page ---------------------------------------------------------------------------------


@dataclass
class Written:
    """One digit on the sheet: its ink, where it goes, and its truth."""

    alpha: np.ndarray  # float32 (h, w) in world px
    x: int  # top-left on the sheet, world px
    y: int
    label: int
    row: int
    index: int  # MNIST test index
    opacity: float


def rows_of(rng: np.random.Generator, kind: str) -> list[list[int]]:
    """Digits per number, per row: 10 rows of 6 two-digit numbers (dense), else 2-4 numbers."""
    if kind == "dense":
        return [[2] * 6 for _ in range(10)]
    return [[int(rng.integers(3, 7))] for _ in range(int(rng.integers(2, 5)))]


def touch_offset(canvas: np.ndarray, alpha: np.ndarray, x: int, y: int, limit: int) -> int | None:
    """How far left of `x` (at most `limit` world px) a digit must move for its ink to touch the
    ink already in `canvas`, or None when it would have to overlap its neighbour further."""
    h, w = alpha.shape
    ink = alpha >= 0.5
    for shift in range(0, limit + 1):
        x0 = x - shift
        if x0 < 0:
            break
        region = canvas[y : y + h, x0 : x0 + w] >= 0.5
        if region.shape == ink.shape and (region & ink).sum() >= 3:
            return shift
    return None


def write_rows(
    rng: np.random.Generator, style: Style, rows: list[list[int]], height: float, pitch: float,
    test_x: np.ndarray, test_y: np.ndarray,
) -> tuple[list[Written], int, int, list[tuple[int, int, int, int]]]:
    """Lay the digits out row by row in block coordinates (world px, origin at the block's
    top-left). Returns the digits, the block's width and height, and the printed boxes."""
    unit_h = height * SCALE
    canvas = np.zeros((int((len(rows) + 2) * pitch * SCALE), int(60 * unit_h)), np.float32)
    written: list[Written] = []
    printed: list[tuple[int, int, int, int]] = []
    for row, numbers in enumerate(rows):
        x = 0.0
        row_top = row * pitch * SCALE
        for count in numbers:
            first_touch, prev_right, prev_w = True, x, 0
            for place in range(count):
                index = int(rng.integers(len(test_x)))
                label = int(test_y[index])
                size = rng.uniform(0.88, 1.08)
                stretch = 1.0
                if style.kind == "dense" and label in (4, 7, 9) and rng.random() < 0.5:
                    stretch = rng.uniform(1.25, 1.5)  # a long tail, down to the next row
                alpha = ink_alpha(test_x[index], size * stretch * unit_h, style.pen * SCALE, rng, stretch)
                if style.grain:
                    speckle = cv2.GaussianBlur(rng.random(alpha.shape).astype(np.float32), (0, 0), 0.7)
                    alpha = alpha * (1 - style.grain * (speckle > 0.5))
                h, w = alpha.shape
                top = row_top + rng.uniform(-0.06, 0.06) * unit_h + (1 - size) * unit_h
                if style.boxes:
                    box_w, box_h = int(rng.uniform(1.0, 1.15) * unit_h), int(rng.uniform(1.2, 1.35) * unit_h)
                    bx, by = int(x), int(row_top - 0.12 * unit_h)
                    printed.append((bx, by, box_w, box_h))
                    # centred, give or take; a third of the digits reach the box's edge
                    jitter = rng.uniform(-0.5, 0.5, 2) * np.array([box_w - w, box_h - h])
                    if rng.random() < 0.33:
                        jitter[int(rng.integers(2))] = (box_w - w) / 2 * rng.choice([-1.1, 1.1])
                    left = bx + (box_w - w) / 2 + jitter[0]
                    top = by + (box_h - h) / 2 + jitter[1]
                    x = bx + box_w + rng.choice([0.0, rng.uniform(0.05, 0.2)]) * unit_h
                else:
                    left = x
                    cols = np.flatnonzero((alpha >= 0.5).any(axis=0))
                    if style.touching and place > 0 and (first_touch or rng.random() < 0.6):
                        # touching, but each digit's ink still mostly beside its neighbour's
                        start = prev_right - cols[0] + 1  # ink beside ink
                        limit = int(0.2 * min(cols[-1] - cols[0] + 1, prev_w))
                        if first_touch and place == count - 1:
                            limit = int(min(cols[-1] - cols[0] + 1, prev_w))  # at least one pair a row
                        shift = touch_offset(canvas, alpha, int(start), int(top + unit_h), limit)
                        if shift is not None:
                            left, first_touch = start - shift, False
                    gap = rng.uniform(0.12, 0.35) if style.kind == "dense" else rng.uniform(0.2, 0.5)
                    prev_right, prev_w = left + cols[-1], cols[-1] - cols[0] + 1  # of the ink
                    x = left + w + gap * unit_h
                ix, iy = int(round(left)), int(round(top + unit_h))  # canvas has one pitch of room above
                if ix < 0:
                    ix = 0
                canvas[iy : iy + h, ix : ix + w] = np.maximum(canvas[iy : iy + h, ix : ix + w], alpha)
                written.append(Written(alpha, ix, iy - int(unit_h), label, row, index, rng.uniform(*style.opacity)))
            if style.kind == "dense":
                x += rng.uniform(0.6, 1.0) * unit_h  # between numbers
    xs = [d.x for d in written] + [b[0] for b in printed]
    ys = [d.y for d in written] + [b[1] for b in printed]
    x0, y0 = min(xs), min(ys)
    for d in written:
        d.x, d.y = d.x - x0, d.y - y0
    printed = [(bx - x0, by - y0, bw, bh) for bx, by, bw, bh in printed]
    width = max([d.x + d.alpha.shape[1] for d in written] + [b[0] + b[2] for b in printed])
    bottom = max([d.y + d.alpha.shape[0] for d in written] + [b[1] + b[3] for b in printed])
    return written, width, bottom, printed


def make_page_sheet(
    rng: np.random.Generator, style: Style, view: tuple[int, int], test_x: np.ndarray, test_y: np.ndarray
) -> tuple[np.ndarray, list[Written], tuple[float, float]]:
    """The written sheet (float32 BGR, world px) for a view of `view` (w, h) frame px as the page
    is upright, its digits (positions on the sheet) and the centre of the written block."""
    unit = min(view) / REFERENCE_HEIGHT
    rows = rows_of(rng, style.kind)
    if style.kind == "dense":
        pitch_ratio = rng.uniform(1.2, 1.5)
    elif style.boxes:
        pitch_ratio = rng.uniform(1.6, 2.0)
    else:
        pitch_ratio = rng.uniform(1.5, 2.0)
    fill = rng.uniform(0.35, 0.5) if style.textured else rng.uniform(0.6, 0.8)
    widest = max(sum(numbers) * (1.2 if style.boxes else 0.95) + (len(numbers) - 1) * 0.8 for numbers in rows)
    height = min(fill * view[0] / widest, fill * view[1] / ((len(rows) - 1) * pitch_ratio + 1.3), 75 * unit)
    written, block_w, block_h, printed = write_rows(rng, style, rows, height, height * pitch_ratio, test_x, test_y)

    margin = [int(rng.uniform(0.3, 1.0) * height * SCALE) for _ in range(4)]  # left, top, right, bottom
    sheet_h, sheet_w = block_h + margin[1] + margin[3], block_w + margin[0] + margin[2]
    sheet = paper(rng, (sheet_h, sheet_w)) * style.tint
    if style.rules:  # rules darker than a notebook's faint ones, 0.55-0.9 digit heights apart
        rule_pitch = rng.uniform(0.55, 0.9) * height * SCALE
        colour = 1 - rng.uniform(0.25, 0.45) * np.array([0.3, 0.45, 0.7], np.float32)
        thickness = max(1, int(round(rng.uniform(0.8, 1.6) * SCALE * unit)))
        lines = np.zeros((sheet_h, sheet_w), np.float32)
        for y in np.arange(rng.uniform(0, rule_pitch), sheet_h, rule_pitch):
            cv2.line(lines, (0, int(y)), (sheet_w, int(y)), 1.0, thickness, cv2.LINE_AA)
        sheet = sheet * (1 - lines[..., None]) + sheet * colour * lines[..., None]
    if printed:  # printed boxes: thin, dark, sharp
        edges = np.zeros((sheet_h, sheet_w), np.float32)
        thickness = max(1, int(round(rng.uniform(0.8, 1.5) * SCALE * unit)))
        for bx, by, bw, bh in printed:
            x0, y0 = bx + margin[0], by + margin[1]
            cv2.rectangle(edges, (x0, y0), (x0 + bw, y0 + bh), 1.0, thickness, cv2.LINE_AA)
        shade = rng.uniform(0.15, 0.35)
        sheet = sheet * (1 - edges[..., None]) + shade * edges[..., None]
    for digit in written:
        digit.x += margin[0]
        digit.y += margin[1]
        h, w = digit.alpha.shape
        a = digit.alpha[..., None] * digit.opacity
        region = sheet[digit.y : digit.y + h, digit.x : digit.x + w]
        region[:] = region * (1 - a * (1 - style.ink * rng.uniform(0.9, 1.1)))  # ink filters the paper's light
    centre = (margin[0] + block_w / 2, margin[1] + block_h / 2)
    return sheet.astype(np.float32), written, centre


def render_page(
    rng: np.random.Generator, kind: str, frame: tuple[int, int], test_x: np.ndarray, test_y: np.ndarray
) -> tuple[np.ndarray, list[list[dict]], int, list[list[int]]]:
    """One photo (uint8 BGR, frame = (w, h)), its rows of {box, label}, its rotation and the
    MNIST test indices of its digits, row by row."""
    fw, fh = frame
    for _ in range(LAYOUT_ATTEMPTS):
        style = make_style(rng, kind)
        view = (fw, fh) if style.rotation in (0, 180) else (fh, fw)
        sheet, written, centre = make_page_sheet(rng, style, view, test_x, test_y)
        world_w, world_h = int(1.4 * fw * SCALE), int(1.4 * fh * SCALE)  # the view, tilted, and a margin
        world_centre = np.array([world_w / 2, world_h / 2])
        place = cv2.getRotationMatrix2D(centre, -style.rotation + style.tilt + rng.uniform(-4, 4), 1.0)
        place[:, 2] += world_centre - np.array(centre) + rng.uniform(-0.05, 0.05, 2) * np.array([fw, fh]) * SCALE
        if style.textured:
            world = (wood_door if rng.random() < 0.5 else rough_wall)(rng, (world_h, world_w))
        else:
            world = table(rng, (world_h, world_w))
        cover = cv2.warpAffine(np.ones(sheet.shape[:2], np.float32), place, (world_w, world_h))
        shadow = cv2.GaussianBlur(np.roll(cover, (3 * SCALE, 4 * SCALE), axis=(0, 1)), (0, 0), 4 * SCALE)
        world *= (1 - 0.45 * shadow)[..., None]
        on_world = cv2.warpAffine(sheet, place, (world_w, world_h), flags=cv2.INTER_LINEAR)
        world = world * (1 - cover[..., None]) + on_world * cover[..., None]
        world = light_world(rng, world, frame)
        camera = rest_pose(rng, world_centre, frame)
        boxes = []
        for digit in written:
            ys, xs = np.nonzero(digit.alpha >= 0.5)
            hull = cv2.convexHull(np.stack([xs + digit.x, ys + digit.y], axis=1).astype(np.float32))
            boxes.append(project_box(cv2.transform(hull, place), camera))
        inside = all(x >= MIN_CLEARANCE and y >= MIN_CLEARANCE and x + w <= fw - MIN_CLEARANCE
                     and y + h <= fh - MIN_CLEARANCE for x, y, w, h in boxes)
        if inside:
            break
    else:
        raise UserError(f"no layout keeps a {kind} page inside a {fw}x{fh} frame; try a larger --size")
    image = cv2.warpPerspective(world.astype(np.float32), camera, frame, flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
    image = expose(image, None, None, 0, make_optics(rng), rng)
    rows = sorted({d.row for d in written})
    lines = [[{"box": list(box), "label": d.label} for d, box in zip(written, boxes) if d.row == r] for r in rows]
    indices = [[d.index for d in written if d.row == r] for r in rows]
    if style.cropped:
        keep = int(rng.integers(len(lines)))
        image, lines = crop_to_row(image, lines[keep], rng.uniform(*CROP_MARGIN))
        indices = [indices[keep]]
    return image, lines, style.rotation, indices


def crop_to_row(image: np.ndarray, line: list[dict], margin: float) -> tuple[np.ndarray, list[list[dict]]]:
    """The image cut to `line`'s digits with `margin` of their height around them (inside the
    image), and the line's boxes in the cut image."""
    x0 = min(d["box"][0] for d in line)
    y0 = min(d["box"][1] for d in line)
    x1 = max(d["box"][0] + d["box"][2] for d in line)
    y1 = max(d["box"][1] + d["box"][3] for d in line)
    pad = round(margin * (y1 - y0))
    left, top = max(0, x0 - pad), max(0, y0 - pad)
    cut = image[top : y1 + pad, left : x1 + pad]
    return cut, [[{"box": [d["box"][0] - left, d["box"][1] - top, *d["box"][2:]], "label": d["label"]} for d in line]]


def contact_sheet(pages: dict[str, np.ndarray], columns: int = 5, width: int = 320) -> np.ndarray:
    """The first page of each kind side by side, `width` px wide each, its kind written on it
    (uint8 BGR), for the README."""
    tiles = []
    for kind, image in pages.items():
        tile = cv2.resize(image, (width, width * image.shape[0] // image.shape[1]), interpolation=cv2.INTER_AREA)
        cv2.rectangle(tile, (0, 0), (len(kind) * 11 + 10, 24), (255, 255, 255), -1)
        cv2.putText(tile, kind, (5, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
        tiles.append(tile)
    tiles += [np.full_like(tiles[0], 255)] * (-len(tiles) % columns)
    return np.vstack([np.hstack(tiles[i : i + columns]) for i in range(0, len(tiles), columns)])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for KIND_NN.jpg and KIND_NN.json")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of: {', '.join(KINDS)}")
    parser.add_argument("--per-kind", type=int, default=5, help="pages of each kind (default 5)")
    parser.add_argument("--first", type=int, default=0, help="number of the first page of each kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=parse_size, default=(800, 600), help="WIDTHxHEIGHT (default 800x600)")
    parser.add_argument("--quality", type=int, default=88, help="JPEG quality, 30-100 (default 88)")
    parser.add_argument("--data", help="folder with the MNIST idx .gz files (default: $MNIST_DIR)")
    parser.add_argument("--contact", type=Path, help="also write the first page of each kind, side by side, here")
    args = parser.parse_args(argv)
    args.kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in args.kinds if k not in KINDS]
    if unknown or not args.kinds:
        parser.error(f"unknown kind(s) {', '.join(unknown) or '(none given)'}; the kinds are {', '.join(KINDS)}")
    if args.per_kind < 1 or args.first < 0 or not 30 <= args.quality <= 100:
        parser.error("--per-kind must be at least 1, --first at least 0 and --quality 30-100")
    return args


def main(argv: list[str] | None = None) -> int:
    """Render the pages; a UserError (no MNIST, a frame too small) reaches run_main: one line, exit 2."""
    args = parse_args(argv)
    (_, _), (test_x, test_y) = load_mnist(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    firsts: dict[str, np.ndarray] = {}
    for kind in args.kinds:
        for page in range(args.first, args.first + args.per_kind):
            rng = np.random.default_rng([args.seed, KINDS.index(kind), page])
            image, lines, rotation, indices = render_page(rng, kind, args.size, test_x, test_y)
            firsts.setdefault(kind, image)
            name = f"{kind}_{page:02d}"
            if not cv2.imwrite(str(args.out / f"{name}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, args.quality]):
                raise UserError(f"cannot write {args.out / name}.jpg")
            truth = {
                "file": f"{name}.jpg", "kind": kind, "rotation": rotation,
                "source": {"script": "scripts/make_test_pages.py", "seed": args.seed, "page": page,
                           "mnist_test_indices": indices},
                "lines": lines,
            }
            (args.out / f"{name}.json").write_text(json.dumps(truth, separators=(",", ":")) + "\n")
            numbers = " ".join("".join(str(d["label"]) for d in line) for line in lines)
            print(f"{args.out / name}.jpg: {numbers}")
    if args.contact and not cv2.imwrite(str(args.contact), contact_sheet(firsts), [cv2.IMWRITE_JPEG_QUALITY, 80]):
        raise UserError(f"cannot write {args.contact}")
    return 0


if __name__ == "__main__":
    run_main(main)
