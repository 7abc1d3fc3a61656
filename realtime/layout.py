"""Where overlay text and panels go: labels that avoid each other and the digits, free spots for panels.

Pure geometry on (x, y, w, h) rectangles in image pixels (ints), no drawing: the renderer
(realtime.overlay) asks here where each thing fits, then draws it. Labels are placed greedily, the
way map labelling does it in its simplest form (candidate positions around each feature, first one
that collides with nothing already placed wins; Christensen, Marks & Shieber, "An empirical study
of algorithms for point-feature label placement", ACM TOG 1995): above the digit, then below,
then beside, shrinking before giving in, and only as a last resort inside the digit's own box.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

Rect = tuple[int, int, int, int]  # x, y, w, h in pixels

FONT = cv2.FONT_HERSHEY_SIMPLEX
PAD = 2  # pixels of background around a label's text
GAP = 3  # pixels between a label and the box it names


def intersects(a: Rect, b: Rect) -> bool:
    """True if the two rectangles share at least one pixel."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def contains(outer: Rect, inner: Rect) -> bool:
    return (outer[0] <= inner[0] and outer[1] <= inner[1]
            and inner[0] + inner[2] <= outer[0] + outer[2] and inner[1] + inner[3] <= outer[1] + outer[3])


@lru_cache(maxsize=4096)
def text_extent(text: str, scale: float, thickness: int = 1) -> tuple[int, int, int]:
    """(width, height above the baseline, depth below it) of `text` in pixels, as cv2.putText draws it.
    Cached: every frame measures the same few texts ("4 97%") at the same scales, many times each."""
    (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
    return w, h, base + thickness // 2


@dataclass(frozen=True)
class Label:
    """A text placed on the image: `rect` is everything it covers (text and background)."""

    text: str
    rect: Rect
    scale: float
    thickness: int = 1

    @property
    def origin(self) -> tuple[int, int]:
        """The bottom-left of the text's baseline, as cv2.putText wants it."""
        _, h, _ = text_extent(self.text, self.scale, self.thickness)
        return self.rect[0] + PAD, self.rect[1] + PAD + h


def label_at(text: str, x: int, y: int, scale: float, thickness: int = 1) -> Label:
    """The label whose covered rectangle has its top-left at (x, y)."""
    return Label(text, (x, y, *_label_size(text, scale, thickness)), scale, thickness)


def _label_size(text: str, scale: float, thickness: int) -> tuple[int, int]:
    """(w, h) in pixels of the rectangle a label covers: its text and background."""
    w, h, depth = text_extent(text, scale, thickness)
    return w + 2 * PAD, h + depth + 2 * PAD


def _spots(anchor: Rect, w: int, h: int, side: str) -> Iterator[tuple[int, int]]:
    """Top-left corners for a w x h label on `side` of `anchor`, in order of preference."""
    ax, ay, aw, ah = anchor
    if side in ("above", "below"):
        y = ay - h - GAP if side == "above" else ay + ah + GAP
        for x in (ax, ax + aw - w, ax + (aw - w) // 2):
            yield x, y
    elif side in ("right", "left"):
        x = ax + aw + GAP if side == "right" else ax - w - GAP
        for y in (ay + (ah - h) // 2, ay, ay + ah - h):
            yield x, y
    else:  # inside, at the top-left corner of the box
        yield ax + 1, ay + 1


def place_label(
    texts: Sequence[str],
    anchor: Rect,
    bounds: Rect,
    taken: Sequence[Rect],
    scales: Sequence[float],
    thickness: int = 1,
    sides: Sequence[str] = ("above", "below", "right", "left"),
    inside: bool = True,
) -> Label | None:
    """The first spot for a label of `anchor` that stays in `bounds` and touches nothing in `taken`.

    `texts` are the label's forms, longest first ("4 97%", then "4"); `scales` the font scales to
    try, largest first. The full form may shrink one step; then the shorter forms are tried at
    every scale before the full form gets smaller still (a readable "4" beats a tiny "4 97%").
    Every form at every scale is tried outside the box before any inside it, so a label shrinks
    before it covers its digit; None if nothing fits (the box alone remains). `taken` should hold
    the anchor itself, which an inside label is allowed to cover.
    """
    first, rest = texts[0], texts[1:]
    forms = ([(first, s) for s in scales[:2]] + [(t, s) for s in scales for t in rest]
             + [(first, s) for s in scales[2:]])
    sizes = {form: _label_size(*form, thickness) for form in forms}
    # Every spot lies within the anchor grown by the largest form and GAP each way: only what
    # touches that region can block one (a crowded row's label tried 300 spot-rect pairs a frame).
    reach_w = max(w for w, _ in sizes.values()) + GAP
    reach_h = max(h for _, h in sizes.values()) + GAP
    region = (anchor[0] - reach_w, anchor[1] - reach_h, anchor[2] + 2 * reach_w, anchor[3] + 2 * reach_h)
    taken = [r for r in taken if intersects(r, region)]
    others = [r for r in taken if r != anchor]
    for where, blocked in ((sides, taken), (("inside",) if inside else (), others)):
        for text, scale in forms:
            w, h = sizes[text, scale]
            for side in where:
                for x, y in _spots(anchor, w, h, side):
                    rect = (x, y, w, h)
                    if contains(bounds, rect) and not any(intersects(rect, r) for r in blocked):
                        return Label(text, rect, scale, thickness)
    return None


def free_spot(
    size: tuple[int, int],
    bounds: Rect,
    taken: Sequence[Rect],
    prefer: tuple[int, int] | None = None,
    step: int = 4,
) -> tuple[int, int] | None:
    """Top-left of a (w, h) rectangle in `bounds` that touches nothing in `taken`, or None.

    Among the free spots it takes the one nearest `prefer` (so a panel stays put from frame to
    frame while it can), else the one nearest a corner of `bounds`. An occupancy mask and its
    integral image (cv2.integral) test every spot on a `step` px grid at once.
    """
    bx, by, bw, bh = bounds
    w, h = size
    if w > bw or h > bh:
        return None
    if prefer is not None:  # most frames the panel stays where it was: no mask needed to see that
        on_grid = _on_grid(prefer[0] - bx, bw - w, step) and _on_grid(prefer[1] - by, bh - h, step)
        if on_grid and not any(intersects((*prefer, w, h), r) for r in taken):
            return int(prefer[0]), int(prefer[1])
    mask = np.zeros((bh, bw), np.uint8)
    for x, y, rw, rh in taken:
        x0, y0 = max(0, x - bx), max(0, y - by)
        x1, y1 = min(bw, x + rw - bx), min(bh, y + rh - by)
        if x0 < x1 and y0 < y1:
            mask[y0:y1, x0:x1] = 1
    area = cv2.integral(mask)
    ys = np.arange(0, bh - h + 1, step)
    xs = np.arange(0, bw - w + 1, step)
    ys = np.unique(np.append(ys, bh - h))
    xs = np.unique(np.append(xs, bw - w))
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    covered = area[yy + h, xx + w] - area[yy, xx + w] - area[yy + h, xx] + area[yy, xx]
    free = covered == 0
    if not free.any():
        return None
    fx, fy = xx[free], yy[free]
    if prefer is not None:
        cost = np.abs(fx - (prefer[0] - bx)) + np.abs(fy - (prefer[1] - by))
    else:
        corners = [(0, 0), (bw - w, 0), (0, bh - h), (bw - w, bh - h)]
        cost = np.min([np.abs(fx - cx) + np.abs(fy - cy) for cx, cy in corners], axis=0)
    best = int(np.argmin(cost))
    return int(fx[best]) + bx, int(fy[best]) + by


def _on_grid(offset: int, last: int, step: int) -> bool:
    """Whether `offset` is one of free_spot's spots along a side: every `step` px from 0, and `last`."""
    return offset == last or 0 <= offset <= last and offset % step == 0


def wrap(text: str, width: int, scale: float, thickness: int = 1, max_lines: int = 2) -> list[str]:
    """`text` broken at spaces (and inside long paths at '/') into lines no wider than `width` px.

    A word wider than a line is cut; what does not fit in `max_lines` ends in '...'.
    """
    def fits(s: str) -> bool:
        return text_extent(s, scale, thickness)[0] <= width

    tokens: list[tuple[str, str]] = []  # (what joins it to the previous piece, piece)
    for word in text.split():
        pieces = _split_path(word, fits)
        tokens += [(" ", pieces[0])] + [("", piece) for piece in pieces[1:]]
    lines: list[str] = []
    for joint, piece in tokens:
        if lines and fits(lines[-1] + joint + piece):
            lines[-1] += joint + piece
        else:
            lines.append(piece)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _ellipsis(lines[-1] + " ...", fits)
    return [_ellipsis(line, fits) for line in lines]


def _split_path(word: str, fits) -> list[str]:
    """A word too wide for a line, split after each '/' so a path wraps between its folders."""
    if fits(word) or "/" not in word:
        return [word]
    parts = word.split("/")
    return [p + "/" for p in parts[:-1]] + [parts[-1]]


def _ellipsis(line: str, fits) -> str:
    while not fits(line) and len(line) > 4:
        line = line[:-5] + "..."
    return line


DEFAULT_VIEW = (1280, 800)  # the camera view's largest size when the X screen's size is not known
SCREEN_SHARE = 0.9  # of the X screen's width and height: room for the title bar and a task bar
MIN_VIEW_SIDE = 640  # a smaller frame is shown enlarged until its longer side is this long
MIN_VIEW_HEIGHT = 480  # a shorter view (a wide photo) gets a dark band below it, room for the panels


def view_scale(shape: tuple[int, ...], largest: tuple[int, int]) -> float:
    """How much to resize a frame of `shape` (h, w, ...) for the window: down to fit in `largest`
    (w, h) px, up until its longer side is MIN_VIEW_SIDE (a 300x129 photo), never beyond `largest`."""
    h, w = shape[:2]
    return min(largest[0] / w, largest[1] / h, max(1.0, MIN_VIEW_SIDE / max(w, h)))


PANEL_WIDTH = 330  # draw mode: the panel right of the canvas
PANEL_PAD = 16
CAPTION_TOP, BARS_TOP = 62, 122  # draw panel: the headline above, the bars caption between
FOOTER_H = 60  # status line and up to two message lines
MIN_BARS_H = 110
PANEL_MIN_H = BARS_TOP + MIN_BARS_H + 22 + 8 + 56 + 6  # bars, previews caption, 56 px previews, gaps: 324
MIN_CANVAS, MAX_CANVAS = 128, 640  # --canvas-size: room for a digit; the window (970x700) fits a 1366x768 screen


@dataclass(frozen=True)
class DrawLayout:
    """The draw-mode window for a canvas of `canvas` px, by one rule for every size: canvas at the
    top left (1:1, the contract xdotool-style tools rely on), the panel to its right, both
    max(canvas, PANEL_MIN_H) px tall, and under both a full-width footer with the status line and
    messages. From 324 px up there is no empty band; a smaller canvas leaves dark panel colour
    under it, as the panel needs that height. Shapes in pixels.
    """

    canvas: int
    height: int
    cell: int  # side of a 28x28 preview tile
    footer: Rect  # status line and messages

    @classmethod
    def for_canvas(cls, canvas: int) -> DrawLayout:
        top = max(canvas, PANEL_MIN_H)
        cell = 84 if top >= PANEL_MIN_H + (84 - 56) + 20 else 56
        return cls(canvas, top + FOOTER_H, cell, (8, top + 1, canvas + PANEL_WIDTH - 16, FOOTER_H - 1))

    @property
    def width(self) -> int:
        return self.canvas + PANEL_WIDTH

    @property
    def panel_x(self) -> int:
        return self.canvas + PANEL_PAD

    @property
    def panel_w(self) -> int:
        return PANEL_WIDTH - 2 * PANEL_PAD

    @property
    def panel_bottom(self) -> int:
        """Where the panel's content ends: at the footer."""
        return self.footer[1] - 1

    @property
    def previews_y(self) -> int:
        return self.panel_bottom - self.cell - 6

    @property
    def previews_caption_y(self) -> int:
        """Baseline of "what the model sees"."""
        return self.previews_y - 8

    @property
    def bars(self) -> Rect:
        return self.panel_x, BARS_TOP, self.panel_w, self.previews_caption_y - 22 - BARS_TOP
