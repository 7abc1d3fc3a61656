"""The drawing surface of draw mode: strokes, eraser, undo, brush size, and the mouse handler.

Pure state on a numpy image, no window: the window's mouse callback calls `handle_mouse` with
OpenCV's event codes, and the tests replay recorded mouse events through the very same method.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

MIN_BRUSH, MAX_BRUSH = 2, 80


@dataclass
class Stroke:
    points: list[tuple[int, int]]
    width: int
    erase: bool = False


@dataclass
class Canvas:
    """A square white-on-black drawing, as MNIST: ink 255 on 0."""

    size: int
    brush: int = 0  # 0: follow the canvas size
    eraser: bool = False
    strokes: list[Stroke] = field(default_factory=list)
    version: int = 0  # bumps on every change, so readers know when to read again

    def __post_init__(self) -> None:
        if self.size < 28:
            raise ValueError(f"canvas size must be at least 28 px, got {self.size}")
        if not self.brush:
            self.brush = default_brush(self.size)
        self.image = np.zeros((self.size, self.size), np.uint8)
        self._active: Stroke | None = None
        self._cleared: list[list[Stroke]] = []  # drawings wiped by clear(), latest last: undo brings them back

    @property
    def drawing(self) -> bool:
        return self._active is not None

    @property
    def empty(self) -> bool:
        return not np.any(self.image)

    def begin(self, point: tuple[int, int], erase: bool = False) -> None:
        erase = erase or self.eraser
        width = self.brush * 2 if erase else self.brush
        self._active = Stroke([self._clip(point)], width, erase)
        self.strokes.append(self._active)
        self._paint(self._active, self._active.points[0], self._active.points[0])

    def extend(self, point: tuple[int, int]) -> None:
        """Add a segment to the stroke: however far the mouse jumped, the line stays connected."""
        if self._active is None:
            return
        point = self._clip(point)
        last = self._active.points[-1]
        if point == last:
            return
        self._active.points.append(point)
        self._paint(self._active, last, point)

    def end(self) -> bool:
        """Finish the current stroke; True if there was one (a reading is due)."""
        finished = self._active is not None
        self._active = None
        return finished

    def undo(self) -> bool:
        """Take back the last stroke, or, on a canvas just cleared, the clear: a slip of the `c` key
        must not lose a drawing. False when there is nothing to take back."""
        if self.strokes:
            self.strokes.pop()
        elif self._cleared:
            self.strokes = self._cleared.pop()
        else:
            return False
        self._active = None
        self._redraw()
        return True

    def clear(self) -> None:
        if self.strokes:
            self._cleared.append(self.strokes)
        self.strokes = []
        self._active = None
        self._redraw()

    def resize_brush(self, step: int) -> None:
        self.brush = int(np.clip(self.brush + step, MIN_BRUSH, MAX_BRUSH))

    def handle_mouse(self, event: int, x: int, y: int, flags: int) -> bool:
        """OpenCV mouse event -> drawing. Left-drag draws, right-drag erases.

        Returns True when a stroke ended, the moment a reading should be taken at once.
        """
        if event == cv2.EVENT_LBUTTONDOWN:
            self.begin((x, y))
        elif event == cv2.EVENT_RBUTTONDOWN:
            self.begin((x, y), erase=True)
        elif event == cv2.EVENT_MOUSEMOVE and self.drawing:
            self.extend((x, y))
        elif event in (cv2.EVENT_LBUTTONUP, cv2.EVENT_RBUTTONUP):
            if self.drawing:
                self.extend((x, y))
            return self.end()
        return False

    def _clip(self, point: tuple[int, int]) -> tuple[int, int]:
        x, y = point
        return int(np.clip(x, 0, self.size - 1)), int(np.clip(y, 0, self.size - 1))

    def _paint(self, stroke: Stroke, a: tuple[int, int], b: tuple[int, int]) -> None:
        paint_segment(self.image, stroke, a, b)
        self.version += 1

    def _redraw(self) -> None:
        self.image[:] = 0
        for stroke in self.strokes:
            paint_stroke(self.image, stroke)
        self.version += 1


def paint_segment(image: np.ndarray, stroke: Stroke, a: tuple[int, int], b: tuple[int, int],
                  offset: tuple[int, int] = (0, 0)) -> None:
    """One segment of `stroke` from canvas point `a` to `b`, onto `image` (uint8) whose pixel (0, 0)
    is canvas pixel `offset`: ink 255, an eraser 0."""
    a = (a[0] - offset[0], a[1] - offset[1])
    b = (b[0] - offset[0], b[1] - offset[1])
    # OpenCV draws thick lines with round caps, so consecutive segments join smoothly.
    cv2.line(image, a, b, 0 if stroke.erase else 255, stroke.width, cv2.LINE_AA)


def paint_stroke(image: np.ndarray, stroke: Stroke, offset: tuple[int, int] = (0, 0)) -> None:
    """A whole stroke as the mouse painted it, segment by segment (see `paint_segment`)."""
    points = stroke.points
    paint_segment(image, stroke, points[0], points[0], offset)  # the dot begin() paints
    for a, b in zip(points, points[1:]):
        paint_segment(image, stroke, a, b, offset)


def default_brush(size: int) -> int:
    """About MNIST's pen relative to a digit that fills two thirds of the canvas."""
    return max(MIN_BRUSH, round(size / 22))
