"""The one renderer: boxes, labels, probability bars, 28x28 previews, messages and help.

Pure drawing on numpy BGR images (uint8, H x W x 3, drawn in place). It knows nothing of where a
frame came from (a canvas, a webcam, a file) and never touches a window, so every picture it makes
can be tested headless. Where each text goes is decided in realtime.layout: labels avoid each
other, the digits and the panels; a drawing function returns what it placed, so callers (and
tests) can keep the next thing clear of it.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from realtime.layout import FONT, Label, Rect, free_spot, label_at, place_label, text_extent
from realtime.reading import DigitResult, Reading
from realtime.segment import PIECE

GREEN = (60, 200, 60)
ORANGE = (0, 165, 255)
GREY = (130, 130, 130)
WHITE = (255, 255, 255)
RED = (80, 80, 255)  # error messages
BLACK = (0, 0, 0)
PANEL_BG = (40, 34, 30)
BAR_BG = (75, 70, 65)
LABEL_SCALES = (1.0, 0.85, 0.7, 0.55)  # relative to a frame's label size: shrink before overlapping ...
MIN_LABEL_SCALE = 0.35  # ... but not below what still reads
MESSAGE_SECONDS = 4.0  # a status message stays this long ...
FADE_SECONDS = 1.0  # ... fading out over the last second


def message_alpha(expires: float, now: float) -> float:
    """Opacity of a message that disappears at `expires` (seconds, same clock as `now`): 1, then fading to 0."""
    return float(np.clip((expires - now) / FADE_SECONDS, 0.0, 1.0))


def color_of(result: DigitResult) -> tuple[int, int, int]:
    """Green for a digit, orange for one the model saw but would not name ("?"), grey for a finder rejection."""
    if result.digit is not None:
        return GREEN
    return ORANGE if result.probs is not None else GREY


def label_texts(result: DigitResult) -> list[str]:
    """A candidate's label, longest form first: "4 97%", "? 43%" (unsure), "? not a digit", "?
    which way up?" (a check beyond the naming rule doubts it, however sure the model is: "? 100%"
    said the opposite); then the bare label."""
    if result.reason == "not a digit" or (result.digit is None and result.vetoed and result.reason):
        return [f"? {result.reason}", "?"]
    return [f"{result.label} {result.confidence:.0%}", result.label]


def doubt(result: DigitResult) -> str | None:
    """Why a read candidate shows "?", in words for the user, or None for a named digit."""
    if result.digit is not None or result.probs is None:
        return None
    top = int(np.argmax(result.probs))
    if result.reason == "not a digit":
        return f"not a digit (nearest: {top})"
    return f"unsure: {result.confidence:.0%} for {top}"


def put_text(
    image: np.ndarray,
    text: str,
    origin: tuple[int, int],
    scale: float = 0.5,
    color: tuple[int, int, int] = WHITE,
    thickness: int = 1,
) -> None:
    """Text with its baseline starting at `origin`, antialiased."""
    cv2.putText(image, text, origin, FONT, scale, color, thickness, cv2.LINE_AA)


def draw_label(image: np.ndarray, label: Label, color: tuple[int, int, int],
               background: tuple[int, int, int] | None = None) -> None:
    """A placed label: its text, on a filled `background` covering exactly `label.rect`."""
    if background is not None:
        x, y, w, h = label.rect
        cv2.rectangle(image, (x, y), (x + w - 1, y + h - 1), background, cv2.FILLED)
    cv2.putText(image, label.text, label.origin, FONT, label.scale, color, label.thickness, cv2.LINE_AA)


def ui_scale(shape: tuple[int, ...]) -> float:
    """How much larger than on a 640x480 frame panels and status text are drawn: 1, or more on larger frames."""
    return max(1.0, min(shape[:2]) / 480)


def label_scale(shape: tuple[int, ...]) -> float:
    """The font scale of digit labels on a frame of this shape: readable, and larger on larger frames."""
    return max(0.45, min(shape[:2]) / 700)


def draw_boxes(image: np.ndarray, reading: Reading, shown: int | None = None, show_rejected: bool = True) -> None:
    """A box per candidate in its colour; `shown` (the digit whose bars are on screen) thicker.

    Drawn first, under everything else: labels, status lines and panels go on top of the boxes.
    """
    for index, result in enumerate(reading.digits):
        if result.probs is None and not show_rejected:
            continue
        x, y, bw, bh = result.box
        thick = 3 if index == shown else (2 if result.probs is not None else 1)
        cv2.rectangle(image, (x, y), (x + bw, y + bh), color_of(result), thick)


UNLABELLED_REASONS = ("speck", PIECE)  # rejections too small to be a digit: a label each would bury the frame
MAX_CANDIDATE_AREA = 1 / 8  # a rejected box over this share of the image holds no single digit


def _may_be_a_digit(result: DigitResult, shape: tuple[int, ...]) -> bool:
    """A rejected candidate that may be a digit the finder got wrong: no speck, not over
    MAX_CANDIDATE_AREA of the image."""
    x, y, w, h = result.box
    return result.reason not in UNLABELLED_REASONS and w * h <= shape[0] * shape[1] * MAX_CANDIDATE_AREA


def keep_clear(reading: Reading, shape: tuple[int, ...]) -> list[Rect]:
    """The boxes nothing may cover: every read candidate, and every rejected one that may be a digit."""
    return [d.box for d in reading.digits if d.probs is not None or _may_be_a_digit(d, shape)]


def annotate(
    image: np.ndarray,
    reading: Reading,
    reserved: Sequence[Rect] = (),
    line_tags: bool = True,
) -> list[Label]:
    """A label for every read candidate, and each line's number beside it; returns the labels placed.

    `reserved` are areas already used (status line, panels): no label goes there. Labels never
    cover another label or a candidate's box (keep_clear); the line tags (the numbers read) are
    placed first, as they matter most. A label that fits nowhere, even small, is left out; its box
    and colour still say what was read.
    """
    h, w = image.shape[:2]
    bounds = (0, 0, w, h)
    read = [i for i, d in enumerate(reading.digits) if d.probs is not None]
    taken: list[Rect] = [*reserved, *keep_clear(reading, image.shape)]
    placed: list[Label] = []
    if line_tags:
        scale = max(0.6, min(h, w) / 500)
        for line, text in enumerate(reading.lines):
            line_boxes = [d.box for d in reading.read if d.line == line]
            left = min(b[0] for b in line_boxes)
            top = min(b[1] for b in line_boxes)
            anchor = (left, top, max(b[0] + b[2] for b in line_boxes) - left,
                      max(b[1] + b[3] for b in line_boxes) - top)
            label = place_label([text], anchor, bounds, taken + [anchor], _scales(scale), 2,
                                sides=("right", "left", "below", "above"), inside=False)
            if label is not None:
                draw_label(image, label, ORANGE if "?" in text else WHITE, BLACK)
                taken.append(label.rect)
                placed.append(label)
    scale = label_scale(image.shape)
    for index in read:
        result = reading.digits[index]
        label = place_label(label_texts(result), result.box, bounds, taken, _scales(scale))
        if label is not None:
            draw_label(image, label, BLACK, color_of(result))
            taken.append(label.rect)
            placed.append(label)
    return placed


def annotate_rejected(image: np.ndarray, reading: Reading, taken: Sequence[Rect]) -> list[Label]:
    """Why each rejected candidate was not read ("too wide", "faint", ...), in a small grey label
    beside its box, placed as the digits' labels are and clear of everything in `taken`; specks
    and boxes too large for one digit get none. Returns the labels placed."""
    h, w = image.shape[:2]
    taken = [*taken]
    placed: list[Label] = []
    scales = _scales(0.8 * label_scale(image.shape))
    for result in reading.digits:
        if result.probs is not None or not result.reason or not _may_be_a_digit(result, image.shape):
            continue
        label = place_label([result.reason], result.box, (0, 0, w, h), taken + [result.box], scales,
                            sides=("below", "above", "right", "left"), inside=False)
        if label is not None:
            draw_label(image, label, BLACK, GREY)
            taken.append(label.rect)
            placed.append(label)
    return placed


def _scales(base: float) -> list[float]:
    """The label scales to try from `base` down, none below MIN_LABEL_SCALE."""
    return sorted({max(MIN_LABEL_SCALE, round(base * s, 2)) for s in LABEL_SCALES}, reverse=True)


def draw_bars(
    image: np.ndarray,
    probs: np.ndarray | None,
    origin: tuple[int, int],
    size: tuple[int, int],
) -> np.ndarray:
    """A horizontal bar per class 0-9 with its probability, in a `size` (w, h) box at `origin`.

    `probs` (10,) may sum to less than 1 (the rest is the model's "not a digit"): each bar shows
    its digit's share of the ten, the measure a digit's label gives (`DigitResult.confidence`),
    so that the label's "6 71%" and the bar of 6 agree.
    """
    if probs is not None:
        probs = probs / max(float(np.sum(probs)), 1e-9)
    x0, y0 = origin
    width, height = size
    row = height / 10
    scale = max(0.35, min(0.6, row / 30))
    label_w = text_extent("0", scale)[0] + 6
    value_w = text_extent("100%", scale)[0] + 6
    bar_w = max(10, width - label_w - value_w)
    top = int(np.argmax(probs)) if probs is not None else -1
    bar_h = max(2, int(row * 0.7))
    for digit in range(10):
        y = int(y0 + digit * row)
        p = float(probs[digit]) if probs is not None else 0.0
        text_y = y + (bar_h + text_extent("0", scale)[1]) // 2
        put_text(image, str(digit), (x0, text_y), scale, WHITE)
        cv2.rectangle(image, (x0 + label_w, y), (x0 + label_w + bar_w, y + bar_h), BAR_BG, cv2.FILLED)
        fill = int(round(bar_w * min(1.0, max(0.0, p))))
        if fill:
            color = GREEN if digit == top else (200, 160, 90)
            cv2.rectangle(image, (x0 + label_w, y), (x0 + label_w + fill, y + bar_h), color, cv2.FILLED)
        put_text(image, f"{p:.0%}", (x0 + label_w + bar_w + 6, text_y), scale, WHITE)
    return image


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def bars_caption(reading: Reading, shown: int, rule: str) -> list[str]:
    """What the bars show, in words: "probabilities of '2'", then which digit that is and why that one.

    `rule` says how it was chosen ("clicked", "last drawn", ...); it is shown only when there is a
    choice, that is with more than one digit.
    """
    result = reading.digits[shown]
    first = f"probabilities of '{result.label}'" + (f" ({result.reason})" if result.digit is None and result.vetoed else "")
    read = reading.read
    if len(read) <= 1:
        return [first]
    position = next(i for i, d in enumerate(read) if d is result) + 1
    return [first, f"{ordinal(position)} of {len(read)} digits, {rule}"]


def bars_panel_size(scale: float = 1.0) -> tuple[int, int]:
    """(w, h) of the camera's bars panel: two caption lines over ten bars."""
    return int(230 * scale), int(40 * scale) + int(130 * scale) + 10


def draw_bars_panel(image: np.ndarray, result: DigitResult, caption: Sequence[str], rect: Rect) -> list[Label]:
    """An opaque panel at `rect`: the caption naming the digit, then its ten bars. Returns the caption labels."""
    x, y, w, h = rect
    cv2.rectangle(image, (x, y), (x + w - 1, y + h - 1), PANEL_BG, cv2.FILLED)
    scale = 0.45 * w / 230
    labels = []
    line_y = y + 2
    for text in caption:
        label = label_at(text, x + 4, line_y, scale)
        draw_label(image, label, ORANGE if result.digit is None else WHITE)
        labels.append(label)
        line_y = label.rect[1] + label.rect[3]
    top = y + int(40 * w / 230)
    draw_bars(image, result.probs, (x + 6, top), (w - 12, y + h - 6 - top))
    return labels


def place_bars_panel(
    shape: tuple[int, ...],
    taken: Sequence[Rect],
    prefer: tuple[int, int] | None = None,
) -> Rect | None:
    """Where the bars panel covers nothing in `taken` (digit boxes, labels, status): largest size that fits.

    The panel grows with the frame (ui_scale) and shrinks to 70% before it gives up (None).
    """
    h, w = shape[:2]
    for scale in (1.0, 0.85, 0.7):
        pw, ph = bars_panel_size(scale * ui_scale(shape))
        spot = free_spot((pw, ph), (4, 4, w - 8, h - 8), taken, prefer)
        if spot is not None:
            return spot[0], spot[1], pw, ph
    return None


def draw_previews(
    image: np.ndarray,
    results: Sequence[DigitResult],
    origin: tuple[int, int],
    cell: int,
    max_width: int,
    selected: DigitResult | None = None,
) -> np.ndarray:
    """The 28x28 inputs the model saw, enlarged with nearest-neighbour so pixels stay visible."""
    x, y = origin
    for result in results:
        if result.image is None:
            continue
        if x + cell > origin[0] + max_width or y + cell > image.shape[0] or x + cell > image.shape[1]:
            break
        gray = cv2.cvtColor((result.image * 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
        # made BGR before it is copied in: a broadcast from one channel costs 4x as much
        image[y : y + cell, x : x + cell] = cv2.resize(gray, (cell, cell), interpolation=cv2.INTER_NEAREST)
        color = color_of(result)
        cv2.rectangle(image, (x, y), (x + cell - 1, y + cell - 1), color, 3 if result is selected else 1)
        put_text(image, result.label, (x + 4, y + 4 + text_extent(result.label, 0.45)[1]), 0.45, color)
        x += cell + 4
    return image


def help_box(lines: Sequence[str], region: Rect, scale: float = 0.5) -> tuple[Rect, float]:
    """The rectangle of the help panel sized to its text and centred in `region`, and the font scale.

    The scale shrinks (down to 0.3) until the text fits the region's width.
    """
    rx, ry, rw, rh = region

    def box(s: float) -> tuple[int, int]:
        widest = max(text_extent(t, s)[0] for t in lines)
        return widest + 24, len(lines) * int(round(44 * s)) + 16

    while scale > 0.3 and (box(scale)[0] > rw or box(scale)[1] > rh):
        scale = round(scale - 0.05, 2)
    bw, bh = box(scale)
    return (rx + max(0, (rw - bw) // 2), ry + max(0, (rh - bh) // 2), min(bw, rw), min(bh, rh)), scale


def draw_help(image: np.ndarray, lines: Sequence[str], region: Rect | None = None) -> np.ndarray:
    """The key list on an opaque panel sized to its text, centred in `region` (default: the whole image)."""
    h, w = image.shape[:2]
    (x, y, bw, bh), scale = help_box(lines, region or (0, 0, w, h))
    cv2.rectangle(image, (x, y), (x + bw - 1, y + bh - 1), PANEL_BG, cv2.FILLED)
    cv2.rectangle(image, (x, y), (x + bw - 1, y + bh - 1), GREY, 1)
    step = int(round(44 * scale))
    for i, text in enumerate(lines):
        cv2.putText(image, text, (x + 12, y + 8 + (i + 1) * step - step // 3), FONT, scale, WHITE, 1, cv2.LINE_AA)
    return image


def draw_message(image: np.ndarray, lines: Sequence[str], origin: tuple[int, int], scale: float,
                 alpha: float, background: tuple[int, int, int] | None = None,
                 color: tuple[int, int, int] = WHITE) -> list[Label]:
    """Message lines from `origin` (top-left) down in `color` (RED for an error), faded to `alpha`
    (1 opaque .. 0 gone) over what is beneath."""
    labels, y = [], origin[1]
    for text in lines:
        label = label_at(text, origin[0], y, scale)
        labels.append(label)
        y += label.rect[3]
    if not labels or alpha <= 0:
        return labels
    x0, y0 = origin
    x1 = min(image.shape[1], max(lb.rect[0] + lb.rect[2] for lb in labels))
    y1 = min(image.shape[0], y)
    if x1 <= x0 or y1 <= y0:
        return labels
    drawn = image.copy()
    for label in labels:
        draw_label(drawn, label, color, background)
    region = image[y0:y1, x0:x1]
    cv2.addWeighted(drawn[y0:y1, x0:x1], alpha, region, 1 - alpha, 0, dst=region)
    return labels


def hit_test(reading: Reading, point: tuple[int, int]) -> int | None:
    """Index of the candidate whose box holds `point` (a mouse click), if any."""
    px, py = point
    for index, result in enumerate(reading.digits):
        x, y, w, h = result.box
        if result.probs is not None and x <= px < x + w and y <= py < y + h:
            return index
    return None


