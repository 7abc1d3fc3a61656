"""Proof for the shared preprocessing: MNIST test digits drawn anywhere, at any size and pen width.

    python scripts/evaluate_placement.py                      # all 10,000 test digits, a few minutes
    python scripts/evaluate_placement.py --limit 500          # a quick look

Each MNIST test digit is placed on a black 280x280 canvas (draw mode) and on a 640x480 frame
(camera size) at a random position, 25-90% of the canvas height (aspect ratio kept) and with a
random pen width (the digit's stroke dilated or eroded), then read two ways:

(a) the original demo: the whole canvas resized to 28x28, /255, the model's top class;
(b) the app: find_digits (the draw app's CANVAS_SETTINGS) + to_mnist + the model, read as the
    app reads it (realtime.reading): right only if exactly one digit is found and it is named,
    with at least MIN_CONFIDENCE, as the right digit.

Then numbers: 2 to 5 MNIST test digits side by side with random gaps, sizes and baselines on a
640x480 frame, right only if the whole number is read. Every reading is done with deskew off and
on. Seeded; the model is called in large batches, and a sample is re-read through
`read_binary` to check that the batching gives the app's own answers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from evaluate import predict, shown_path  # noqa: E402  (scripts/ is on sys.path when run as a script)

from realtime.classifier import DEFAULT_MODEL, Classifier  # noqa: E402
from realtime.errors import (
    UserError,  # noqa: E402
    run_main,  # noqa: E402
)
from realtime.files import write_report  # noqa: E402
from realtime.mnist import load_mnist  # noqa: E402
from realtime.preprocess import to_mnist  # noqa: E402
from realtime.reading import MIN_CONFIDENCE, DigitResult, Reading, decide, read_binary  # noqa: E402
from realtime.segment import CANVAS_SETTINGS, FinderSettings, find_digits  # noqa: E402

CANVASES = {"280x280": (280, 280), "640x480": (480, 640)}  # name: (height, width)
HEIGHT_RANGE = (0.25, 0.90)  # digit height as a fraction of the canvas height
PEN_RANGE = (0.6, 2.0)  # pen width as a multiple of the digit's own MNIST stroke
MNIST_STROKE = 2.3  # median MNIST stroke width at 20 px digit height
NUMBER_CANVAS = (480, 640)
NUMBER_HEIGHT = (0.15, 0.35)  # of the frame height, before shrinking a long number to fit
GAP_RANGE = (0.05, 0.6)  # space between digits, as a fraction of the digit height
GAP_BUCKETS = ((0.05, 0.12), (0.12, 0.2), (0.2, 0.6))  # by the number's closest pair of digits
BASELINE_JITTER = 0.1  # each digit moved up or down by up to this fraction of its height
LENGTHS = (2, 3, 4, 5)
SINGLE_MARGIN = 0.005  # (b) may read at most this much less than the model on plain MNIST test digits
#: The draw app's own finder settings: these are canvases, digits may touch the edge or fill them.
FINDER = CANVAS_SETTINGS
#: Finder settings read besides FINDER, per canvas: the camera's, with border rejection off.
EXTRA_FINDERS = {name: {"camera settings": FinderSettings(reject_border=False)} for name in ("280x280", "640x480")}
APP_CHECK = 200  # samples re-read through read_binary, to prove the batched path is the app's
HEIGHT_BUCKETS = ((0.25, 0.45), (0.45, 0.70), (0.70, 0.90))
PEN_BUCKETS = ((0.6, 0.9, "thin"), (0.9, 1.4, "MNIST-like"), (1.4, 2.0, "fat"))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="the .keras (or .tflite) model")
    parser.add_argument("--data", help="folder with the MNIST idx .gz files (default: $MNIST_DIR, "
                        "else Keras' download)")
    parser.add_argument("--backend", default="auto", choices=["auto", "litert", "keras"])
    parser.add_argument("--limit", type=int, default=0,
                        help="use only the first N test digits, and N numbers per length (default: "
                        "all 10,000 digits, 1,000 numbers per length)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="docs", help="folder for placement.md")
    return parser.parse_args(argv)


# --- drawing ------------------------------------------------------------------------------------


def render(digit: np.ndarray, height: int, pen: float) -> np.ndarray:
    """An MNIST digit's ink crop scaled to `height` px (aspect kept) and drawn with a `pen`-times pen.

    The pen change is a dilation or erosion of the upscaled digit, on a padded copy so it is not
    clipped at the crop; the result is cut to its ink and scaled once more to exactly `height`.
    """
    ys, xs = np.nonzero(digit)
    crop = digit[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    scale = height / crop.shape[0]
    width = max(1, round(crop.shape[1] * scale))
    big = cv2.resize(crop, (width, height), interpolation=cv2.INTER_LINEAR)
    radius = round(abs(pen - 1) * MNIST_STROKE * scale / 2)
    if radius:
        big = cv2.copyMakeBorder(big, radius + 1, radius + 1, radius + 1, radius + 1, cv2.BORDER_CONSTANT, value=0)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
        big = cv2.dilate(big, kernel) if pen > 1 else cv2.erode(big, kernel)
        ys, xs = np.nonzero(big > 127)
        if ys.size:  # an erosion can wipe out a faint digit: then keep the MNIST pen
            big = big[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
            width = max(1, round(big.shape[1] * height / big.shape[0]))
            big = cv2.resize(big, (width, height), interpolation=cv2.INTER_LINEAR)
        else:
            big = cv2.resize(crop, (width, height), interpolation=cv2.INTER_LINEAR)
    return big


def paste(canvas: np.ndarray, ink: np.ndarray, x: int, y: int) -> None:
    """Draw `ink` (white on black) onto `canvas` at (x, y), keeping what is already there."""
    h, w = ink.shape
    region = canvas[y : y + h, x : x + w]
    np.maximum(region, ink[: region.shape[0], : region.shape[1]], out=region)


def place_digit(digit: np.ndarray, shape: tuple[int, int], rng: np.random.Generator) -> tuple[np.ndarray, float, float]:
    """One digit at a random place, size and pen on a black canvas: (canvas, height fraction, pen)."""
    frac, pen = rng.uniform(*HEIGHT_RANGE), rng.uniform(*PEN_RANGE)
    ink = render(digit, int(frac * shape[0]), pen)
    if ink.shape[1] > shape[1]:  # only a very wide digit on a narrow canvas
        ink = cv2.resize(ink, (shape[1], max(1, ink.shape[0] * shape[1] // ink.shape[1])))
    canvas = np.zeros(shape, np.uint8)
    x = int(rng.integers(0, shape[1] - ink.shape[1] + 1))
    y = int(rng.integers(0, shape[0] - ink.shape[0] + 1))
    paste(canvas, ink, x, y)
    return canvas, frac, pen


def place_number(digits: list[np.ndarray], shape: tuple[int, int],
                 rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Digits side by side with random gaps, heights and baselines, one pen, somewhere on the canvas.

    Returns the canvas and the smallest gap (fraction of the digit height).
    """
    base = rng.uniform(*NUMBER_HEIGHT) * shape[0]
    sizes = rng.uniform(0.9, 1.1, len(digits))
    gaps = rng.uniform(*GAP_RANGE, len(digits) - 1)
    shifts = rng.uniform(-BASELINE_JITTER, BASELINE_JITTER, len(digits))
    pen = rng.uniform(*PEN_RANGE)
    inks = [render(d, max(8, int(base * s)), pen) for d, s in zip(digits, sizes)]
    total = sum(ink.shape[1] for ink in inks) + int(base * gaps.sum())
    if total > 0.95 * shape[1]:  # a long number is written smaller, as people do
        factor = 0.95 * shape[1] / total
        inks = [cv2.resize(ink, (max(1, round(ink.shape[1] * factor)), max(1, round(ink.shape[0] * factor))),
                           interpolation=cv2.INTER_AREA) for ink in inks]
        base *= factor
        total = sum(ink.shape[1] for ink in inks) + int(base * gaps.sum())
    tallest = max(ink.shape[0] for ink in inks) + int(2 * BASELINE_JITTER * base)
    canvas = np.zeros(shape, np.uint8)
    x = int(rng.integers(0, max(1, shape[1] - total)))
    top = int(rng.integers(0, max(1, shape[0] - tallest))) + int(BASELINE_JITTER * base)
    for i, ink in enumerate(inks):
        bottom = top + int(base * (1 + shifts[i]))
        y = int(np.clip(bottom - ink.shape[0], 0, shape[0] - ink.shape[0]))
        paste(canvas, ink, min(x, shape[1] - ink.shape[1]), y)
        x += ink.shape[1] + (int(base * gaps[i]) if i < len(gaps) else 0)
    return canvas, float(gaps.min())


# --- reading ------------------------------------------------------------------------------------


@dataclass
class Found:
    """What the app's finder and preprocessing made of one canvas, before the model is asked."""

    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    images: dict[bool, list[np.ndarray | None]] = field(default_factory=lambda: {False: [], True: []})


def find(canvas: np.ndarray, settings: FinderSettings = FINDER) -> Found:
    """Accepted candidates of the binarised canvas, each through to_mnist with deskew off and on."""
    found = Found()
    for cand in find_digits(canvas > 127, settings):
        if not cand.accepted:
            continue
        found.boxes.append(cand.box)
        found.lines.append(cand.line)
        for deskew in (False, True):
            found.images[deskew].append(to_mnist(cand.mask, deskew=deskew))
    return found


def classify(model: Classifier, founds: list[Found], deskew: bool) -> list[Reading]:
    """Every preprocessed candidate of every canvas in one batch, then each canvas's Reading.

    The digits are named by realtime.reading.decide, the app's own rule (confidence threshold and
    typicality check), so `number` and `lines` are the app's answers.
    """
    readings = [
        Reading([DigitResult(box, line, None, 0.0, None, image, "no ink" if image is None else None)
                 for box, line, image in zip(f.boxes, f.lines, f.images[deskew])], {})
        for f in founds
    ]
    named = [result for reading in readings for result in reading.digits if result.image is not None]
    if named:
        decide(named, predict(model, np.stack([r.image for r in named])), model)
    return readings


OUTCOMES = ("right", "right, any confidence or shape", "wrong", "? (unsure or not a digit)", "no digit found",
            "no ink (to_mnist None)", "split")


def single_outcome(reading: Reading, label: int) -> dict[str, bool]:
    """Which of OUTCOMES one single-digit reading falls in (the two "right" columns overlap)."""
    one = reading.digits[0] if len(reading.digits) == 1 else None
    read = one is not None and one.probs is not None
    return {
        "right": read and one.digit == label,
        "right, any confidence or shape": read and int(np.argmax(one.probs)) == label,
        "wrong": read and one.digit is not None and one.digit != label,
        "? (unsure or not a digit)": read and one.digit is None,
        "no digit found": not reading.digits,
        "no ink (to_mnist None)": one is not None and one.probs is None,
        "split": len(reading.digits) > 1,
    }


NUMBER_OUTCOMES = ("wrong count", "no ink", "two lines", "?", "wrong digit")


def number_outcome(reading: Reading, truth: str) -> str:
    """"right", or the first reason in NUMBER_OUTCOMES why the number was not read."""
    if reading.number == truth:
        return "right"
    if len(reading.digits) != len(truth):
        return "wrong count"
    if any(d.probs is None for d in reading.digits):
        return "no ink"  # Reading.number leaves such a digit out rather than showing "?"
    if len(reading.lines) > 1:
        return "two lines"
    return "?" if reading.number is None else "wrong digit"


# --- the experiment -----------------------------------------------------------------------------


def pct(values) -> str:
    return f"{100 * float(np.mean(values)):.2f}%" if len(values) else "-"


@dataclass
class SingleResult:
    """One canvas size: table rows, bucket rows, the app-path check and deskew's paired effect."""

    rows: list[str]
    buckets: list[str]
    agreed: int
    checked: int
    deskew_fixed: int  # right only with deskew
    deskew_broke: int  # right only without
    right: float  # (b) with FINDER, deskew off: the app's answer
    right_any: float  # the same placements, the model's top class (no "?" rules)


def _app_view(reading: Reading) -> tuple[list[str], str | None]:
    return reading.lines, reading.number


def run_single(model: Classifier, test_x: np.ndarray, test_y: np.ndarray, name: str,
               shape: tuple[int, int], seed: int, extra: dict[str, FinderSettings]) -> SingleResult:
    """Both pipelines on every test digit placed on one canvas size; (b) with FINDER and `extra`.

    The placements are the same for every finder setting and for deskew off and on, so the
    comparisons are paired. Buckets and the deskew counts are for FINDER.
    """
    finders = {"CANVAS_SETTINGS": FINDER, **extra}
    rng = np.random.default_rng([seed, shape[0], shape[1]])
    demo, fracs, pens = [], [], []
    founds: dict[str, list[Found]] = {label: [] for label in finders}
    checks: dict[str, list] = {label: [] for label in finders}
    for i, digit in enumerate(test_x):
        canvas, frac, pen = place_digit(digit, shape, rng)
        demo.append(cv2.resize(canvas, (28, 28)).astype(np.float32) / 255.0)
        fracs.append(frac)
        pens.append(pen)
        for label, settings in finders.items():
            founds[label].append(find(canvas, settings))
            if i < APP_CHECK:
                checks[label].append(_app_view(read_binary(canvas > 127, model, settings)))
    demo_probs = predict(model, np.stack(demo))
    demo_right, demo_conf = demo_probs.argmax(axis=1) == test_y, demo_probs.max(axis=1)
    rows = [
        f"| {name} | (a) demo: whole canvas resized to 28x28 | {pct(demo_right)} | {pct(demo_right)} | "
        f"{pct(~demo_right)} | {pct(demo_conf < MIN_CONFIDENCE)} (info) | - | - | - |"
    ]
    right: dict[tuple[str, bool], np.ndarray] = {}
    right_any: dict[str, np.ndarray] = {}
    agreed = 0
    for label in finders:
        for deskew in (False, True):
            readings = classify(model, founds[label], deskew)
            outcomes = {k: np.array([single_outcome(r, int(y))[k] for r, y in zip(readings, test_y)])
                        for k in OUTCOMES}
            right[label, deskew] = outcomes["right"]
            if not deskew:
                right_any[label] = outcomes["right, any confidence or shape"]
            rows.append(f"| {name} | (b) app, {label}{', deskew' if deskew else ''} | "
                        f"**{pct(outcomes['right'])}** | " + " | ".join(pct(outcomes[k]) for k in OUTCOMES[1:]) + " |")
            if not deskew:
                agreed += sum(_app_view(r) == c for r, c in zip(readings, checks[label]))
    plain, skewed = right["CANVAS_SETTINGS", False], right["CANVAS_SETTINGS", True]
    plain_any = right_any["CANVAS_SETTINGS"]
    buckets = []
    groups = [(f"height {low:.0%}-{high:.0%}", np.array(fracs), low, high) for low, high in HEIGHT_BUCKETS]
    groups += [(f"pen {word} ({low}-{high}x)", np.array(pens), low, high) for low, high, word in PEN_BUCKETS]
    for title, values, low, high in groups:
        sel = (values >= low) & (values <= high)
        buckets.append(f"| {name} | {title} | {int(sel.sum())} | {pct(demo_right[sel])} | "
                       f"{pct(plain[sel])} | {pct(skewed[sel])} |")
    return SingleResult(rows, buckets, agreed, sum(len(c) for c in checks.values()),
                        int((skewed & ~plain).sum()), int((plain & ~skewed).sum()),
                        float(plain.mean()), float(plain_any.mean()))


def run_numbers(model: Classifier, test_x: np.ndarray, test_y: np.ndarray, per_length: int,
                seed: int) -> tuple[list[str], dict[int, float]]:
    """Whole-number accuracy for each length with deskew off and on, why the rest failed, and by gap."""
    rows, right = [], {}
    for length in LENGTHS:
        rng = np.random.default_rng([seed, 1000 + length])
        truths, founds, gaps = [], [], []
        for _ in range(per_length):
            picks = rng.integers(0, len(test_x), length)
            truths.append("".join(str(int(test_y[i])) for i in picks))
            canvas, gap = place_number([test_x[i] for i in picks], NUMBER_CANVAS, rng)
            founds.append(find(canvas))
            gaps.append(gap)
        outcomes = {
            deskew: np.array([number_outcome(r, t) for r, t in zip(classify(model, founds, deskew), truths)])
            for deskew in (False, True)
        }
        ok, gaps_a = outcomes[False] == "right", np.array(gaps)
        right[length] = float(np.mean(ok))
        by_gap = [pct(ok[(gaps_a >= low) & (gaps_a <= high)]) for low, high in GAP_BUCKETS]
        rows.append(f"| {length} | {per_length} | **{pct(ok)}** | {pct(outcomes[True] == 'right')} | "
                    + " | ".join(by_gap) + " | "
                    + " | ".join(pct(outcomes[False] == k) for k in NUMBER_OUTCOMES) + " |")
    return rows, right


def render_markdown(args: argparse.Namespace, backend: str, n_digits: int, per_length: int,
                    singles: dict[str, SingleResult], number_rows: list[str], four_digit: float,
                    plain: float, seconds: float) -> str:
    verdict = "met" if four_digit >= 0.97 else "**not met**"
    target = plain - SINGLE_MARGIN
    targets = [
        f"- {name}: the app {r.right:.2%} ({'met' if r.right >= target else '**not met**'}); the model's top "
        f"class without the \"?\" rules {r.right_any:.2%} ({'met' if r.right_any >= target else '**not met**'})"
        for name, r in singles.items()
    ]
    agreed = sum(r.agreed for r in singles.values())
    checked = sum(r.checked for r in singles.values())
    deskew = "; ".join(f"{name}: right only with deskew {r.deskew_fixed}, right only without {r.deskew_broke}"
                       for name, r in singles.items())
    return "\n".join([
        "# Placement evaluation: does the shared preprocessing read digits anywhere, any size, any pen?",
        "",
        f"Model `{shown_path(args.model)}` ({backend} backend), seed {args.seed}, {n_digits:,} MNIST test digits per "
        f"canvas, {per_length:,} numbers per length; {seconds:.0f} s. "
        f"Made by `python scripts/evaluate_placement.py{_flags(args)}`.",
        "",
        "Each test digit's ink is scaled to 25-90% of the canvas height (aspect ratio kept), drawn with a "
        "pen 0.6-2x its own stroke width (dilation/erosion) at a random place on a black canvas, and read by "
        "(a) the original demo (whole canvas resized to 28x28, /255, top class) and (b) the app "
        "(binarised at 128, `find_digits` with the draw app's own `CANVAS_SETTINGS` and, for comparison, "
        "the camera's settings with border rejection off; `to_mnist`; the model, "
        f"confidence >= {MIN_CONFIDENCE}). (b) is right only if exactly one digit is found and named "
        "correctly; \"right, any confidence or shape\" drops the confidence threshold and the typicality "
        "check; \"?\" is one digit found but below the threshold or judged not a digit; \"no digit found\" is nothing accepted by the finder; \"no ink\" is one "
        "candidate that `to_mnist` turned into None; \"split\" is more than one candidate. For (a) the "
        "\"?\" column only says how often its top class was below the threshold.",
        "",
        "## Single digits",
        "",
        "| canvas | pipeline | " + " | ".join(OUTCOMES) + " |",
        "| --- | --- |" + " --- |" * len(OUTCOMES),
        *(row for r in singles.values() for row in r.rows),
        "",
        f"The same model reads {plain:.2%} of these MNIST test digits as they come (28x28, no placement); "
        f"target for (b): at least {target:.2%} ({100 * SINGLE_MARGIN:.1f} points below):",
        "",
        *targets,
        "",
        "Right, by digit height (fraction of the canvas height) and pen width:",
        "",
        "| canvas | placements | n | (a) demo | (b) app, CANVAS_SETTINGS | (b) same, deskew |",
        "| --- | --- | --- | --- | --- | --- |",
        *(row for r in singles.values() for row in r.buckets),
        "",
        f"## Numbers: 2-5 digits side by side on a {NUMBER_CANVAS[1]}x{NUMBER_CANVAS[0]} frame",
        "",
        f"Digits {NUMBER_HEIGHT[0]:.0%}-{NUMBER_HEIGHT[1]:.0%} of the frame high (smaller when a long "
        f"number would not fit), each +-10% in size and +-{BASELINE_JITTER:.0%} in baseline, gaps "
        f"{GAP_RANGE[0]:.0%}-{GAP_RANGE[1]:.0%} of the digit height, one pen per number. Right means "
        "the app's `Reading.number` is the whole number. The gap and failure columns are for deskew off; "
        "\"closest gap\" splits the numbers by the smallest space between two of their digits.",
        "",
        "| digits | numbers | right | right with deskew | "
        + " | ".join(f"right, closest gap {low:.0%}-{high:.0%}" for low, high in GAP_BUCKETS)
        + " | wrong count of digits | a digit with no ink | two lines | ? in it | wrong digit |",
        "| --- | --- | --- | --- |" + " --- |" * (len(GAP_BUCKETS) + len(NUMBER_OUTCOMES)),
        *number_rows,
        "",
        f"4-digit numbers: {four_digit:.2%} read whole (target >= 97%: {verdict}).",
        "",
        "## Deskew",
        "",
        f"Same placements read with and without `deskew=True` (single digits, counts): {deskew}.",
        "",
        "## Check",
        "",
        f"The batched reading here equals `realtime.reading.read_binary` (the app's own call) on "
        f"{agreed}/{checked} placements re-read one by one.",
        "",
    ])


def _flags(args: argparse.Namespace) -> str:
    flags = [f"--model {shown_path(args.model)}"] if args.model != str(DEFAULT_MODEL) else []
    flags += [f"--limit {args.limit}"] if args.limit else []
    flags += [f"--seed {args.seed}"] if args.seed else []
    flags += [f"--backend {args.backend}"] if args.backend != "auto" else []
    return "".join(" " + f for f in flags)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.limit < 0:
            raise UserError("--limit must be 0 or more")
        _, (test_x, test_y) = load_mnist(args.data)
        model = Classifier(args.model, backend=args.backend)
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create output folder {out}: {exc}") from None
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    if args.limit:
        test_x, test_y = test_x[: args.limit], test_y[: args.limit]
    per_length = args.limit or 1000
    singles = {}
    for name, shape in CANVASES.items():
        singles[name] = run_single(model, test_x, test_y, name, shape, args.seed, EXTRA_FINDERS[name])
        print(f"{name}: done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    number_rows, right = run_numbers(model, test_x, test_y, per_length, args.seed)
    plain = float(np.mean(predict(model, test_x.astype(np.float32) / 255.0).argmax(axis=1) == test_y))
    markdown = render_markdown(args, model.backend, len(test_x), per_length, singles, number_rows, right[4],
                               plain, time.perf_counter() - started)
    write_report(out / "placement.md", markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    run_main(main)
