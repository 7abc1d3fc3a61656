"""The one renderer: boxes, labels, probability bars, 28x28 previews, status and help text.

Pure drawing on numpy BGR images. It knows nothing of where a frame came from (a canvas, a
webcam, a file) and never touches a window, so every picture it makes can be tested headless.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from realtime.reading import DigitResult, Reading

FONT = cv2.FONT_HERSHEY_SIMPLEX
GREEN = (60, 200, 60)
ORANGE = (0, 165, 255)
GREY = (130, 130, 130)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
PANEL_BG = (40, 34, 30)
BAR_BG = (75, 70, 65)


def color_of(result: DigitResult) -> tuple[int, int, int]:
    if result.digit is not None:
        return GREEN
    return ORANGE if result.probs is not None else GREY


def put_text(
    image: np.ndarray,
    text: str,
    origin: tuple[int, int],
    scale: float = 0.5,
    color: tuple[int, int, int] = WHITE,
    thickness: int = 1,
    background: tuple[int, int, int] | None = None,
) -> None:
    """Text with an optional filled background so it stays legible on any frame."""
    if background is not None:
        (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
        x, y = origin
        cv2.rectangle(image, (x - 2, y - h - 3), (x + w + 2, y + base + 1), background, cv2.FILLED)
    cv2.putText(image, text, origin, FONT, scale, color, thickness, cv2.LINE_AA)


def draw_boxes(
    image: np.ndarray,
    reading: Reading,
    selected: int | None = None,
    show_rejected: bool = True,
) -> np.ndarray:
    """A box per candidate with its label and confidence; finder rejections thin and grey."""
    scale = max(0.45, min(image.shape[:2]) / 700)
    for index, result in enumerate(reading.digits):
        if result.probs is None and not show_rejected:
            continue
        x, y, w, h = result.box
        color = color_of(result)
        thick = 3 if index == selected else (2 if result.probs is not None else 1)
        cv2.rectangle(image, (x, y), (x + w, y + h), color, thick)
        if result.probs is None:
            continue  # a finder rejection: a thin grey box, its reason is in the events log
        text = f"{result.label} {result.confidence:.0%}"
        (_, th), _ = cv2.getTextSize(text, FONT, scale, 1)
        label_y = y - 5 if y - 5 - th >= 0 else y + th + 5  # inside the box when at the top edge
        put_text(image, text, (x, label_y), scale, BLACK, 1, background=color)
    return image


def line_labels(image_shape: tuple[int, ...], reading: Reading) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each line's text and the (x, y, w, h) where it goes: right of the line's last digit."""
    h, w = image_shape[:2]
    scale = max(0.6, min(h, w) / 500)
    labels = []
    for line, text in enumerate(reading.lines):
        boxes = [d.box for d in reading.read if d.line == line]
        right = max(b[0] + b[2] for b in boxes)
        middle = (min(b[1] for b in boxes) + max(b[1] + b[3] for b in boxes)) // 2
        (tw, th), _ = cv2.getTextSize(text, FONT, scale, 2)
        x = max(2, min(right + 10, w - tw - 4))
        labels.append((text, (x, middle - th, tw, th + 6)))
    return labels


def draw_line_numbers(image: np.ndarray, reading: Reading) -> np.ndarray:
    """The text read on each line, to the right of the line's last digit."""
    scale = max(0.6, min(image.shape[:2]) / 500)
    for text, (x, y, _, th) in line_labels(image.shape, reading):
        put_text(image, text, (x, y + th - 6), scale, WHITE, 2, background=BLACK)
    return image


def draw_bars(
    image: np.ndarray,
    probs: np.ndarray | None,
    origin: tuple[int, int],
    size: tuple[int, int],
) -> np.ndarray:
    """A horizontal bar per class 0-9 with its probability, in a `size` (w, h) box at `origin`."""
    x0, y0 = origin
    width, height = size
    row = height / 10
    label_w = int(row * 0.9) + 8
    value_w = 48
    bar_w = max(10, width - label_w - value_w)
    top = int(np.argmax(probs)) if probs is not None else -1
    scale = max(0.35, min(0.6, row / 30))
    for digit in range(10):
        y = int(y0 + digit * row)
        bar_h = max(2, int(row * 0.7))
        p = float(probs[digit]) if probs is not None else 0.0
        put_text(image, str(digit), (x0, y + bar_h), scale, WHITE)
        cv2.rectangle(image, (x0 + label_w, y), (x0 + label_w + bar_w, y + bar_h), BAR_BG, cv2.FILLED)
        fill = int(round(bar_w * min(1.0, max(0.0, p))))
        if fill:
            color = GREEN if digit == top else (200, 160, 90)
            cv2.rectangle(image, (x0 + label_w, y), (x0 + label_w + fill, y + bar_h), color, cv2.FILLED)
        put_text(image, f"{p:4.0%}", (x0 + label_w + bar_w + 6, y + bar_h), scale, WHITE)
    return image


def draw_previews(
    image: np.ndarray,
    results: Sequence[DigitResult],
    origin: tuple[int, int],
    cell: int,
    max_width: int,
    selected: int | None = None,
) -> np.ndarray:
    """The 28x28 inputs the model saw, enlarged with nearest-neighbour so pixels stay visible."""
    x, y = origin
    for result in results:
        if result.image is None:
            continue
        if x + cell > origin[0] + max_width or y + cell > image.shape[0] or x + cell > image.shape[1]:
            break
        tile = cv2.resize((result.image * 255).astype(np.uint8), (cell, cell), interpolation=cv2.INTER_NEAREST)
        image[y : y + cell, x : x + cell] = tile[:, :, None]
        color = GREEN if selected is not None and result is selected else color_of(result)
        cv2.rectangle(image, (x, y), (x + cell - 1, y + cell - 1), color, 1)
        put_text(image, result.label, (x + 3, y + 14), 0.45, color)
        x += cell + 4
    return image


def draw_help(image: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """The key list, on a darkened box in the middle of the image."""
    h, w = image.shape[:2]
    line_h = 22
    box_w = min(w - 20, 20 + max(cv2.getTextSize(t, FONT, 0.5, 1)[0][0] for t in lines))
    box_h = min(h - 20, 20 + line_h * len(lines))
    x0, y0 = (w - box_w) // 2, (h - box_h) // 2
    region = image[y0 : y0 + box_h, x0 : x0 + box_w]
    region[:] = (region * 0.25).astype(np.uint8)
    for i, text in enumerate(lines):
        put_text(image, text, (x0 + 10, y0 + 24 + i * line_h), 0.5, WHITE)
    return image


def selected_result(reading: Reading, selected: int | None) -> DigitResult | None:
    """The digit whose bars are shown: the clicked one, else the most confident one."""
    read = reading.read
    if selected is not None and 0 <= selected < len(reading.digits) and reading.digits[selected].probs is not None:
        return reading.digits[selected]
    return max(read, key=lambda d: d.confidence) if read else None


def free_corner(shape: tuple[int, ...], size: tuple[int, int], boxes: Sequence[tuple[int, int, int, int]],
                margin: int = 8, bottom_reserved: int = 0) -> tuple[int, int]:
    """Top-left point of the image corner where a (w, h) panel covers the least of `boxes`."""
    h, w = shape[:2]
    pw, ph = size
    corners = [(w - pw - margin, margin + 24), (margin, margin + 24),
               (w - pw - margin, h - ph - margin - bottom_reserved), (margin, h - ph - margin - bottom_reserved)]

    def covered(corner: tuple[int, int]) -> int:
        cx, cy = corner
        return sum(max(0, min(cx + pw, x + bw) - max(cx, x)) * max(0, min(cy + ph, y + bh) - max(cy, y))
                   for x, y, bw, bh in boxes)

    return min(corners, key=covered)


def hit_test(reading: Reading, point: tuple[int, int]) -> int | None:
    """Index of the candidate whose box holds `point` (a mouse click), if any."""
    px, py = point
    for index, result in enumerate(reading.digits):
        x, y, w, h = result.box
        if result.probs is not None and x <= px < x + w and y <= py < y + h:
            return index
    return None
