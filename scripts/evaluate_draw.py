"""Draw mode on mouse-drawn digits: how often the app reads what was drawn, and the naive demo for comparison.

    python scripts/evaluate_draw.py                          # shipped model, writes docs/draw_eval.md
    python scripts/evaluate_draw.py --model /tmp/m.keras --out /tmp/eval

Every drawing of the stroke set (tests/data/strokes/, made by scripts/make_strokes.py) is replayed
as OpenCV mouse events through `DrawApp.on_mouse`, exactly as the window's mouse callback delivers
them, with `update(now)` called after each event on a fake clock, so the throttled live readings
are the app's own. The final reading is then scored:

- a single digit is right only if the app finds exactly one digit and names it, with at least
  MIN_CONFIDENCE, as the digit drawn ("unsure" counts the ones it shows as "?");
- a number is right only if the whole number is read, every digit in order, nothing extra.

The same final canvases are also read the way the original demo did it: the whole canvas resized
to 28x28 with cv2.resize, divided by 255, the model's top class (no confidence threshold, which
only helps it). It can only ever read one digit per canvas, so it has no number score.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from make_strokes import OUT as STROKES_DIR  # noqa: E402  (scripts/ is on sys.path)
from make_strokes import SIZE_BANDS, load  # noqa: E402

from realtime.classifier import DEFAULT_MODEL, Classifier  # noqa: E402
from realtime.draw_app import DrawApp, DrawOptions  # noqa: E402
from realtime.errors import (
    UserError,  # noqa: E402
    run_main,  # noqa: E402
)
from realtime.reading import MIN_CONFIDENCE, Reading, read_binary  # noqa: E402
from realtime.segment import CANVAS_SETTINGS  # noqa: E402
from realtime.training import draw_scribble  # noqa: E402

EVENT_DT = 0.012  # fake seconds between mouse events, as make_strokes samples them
HOVER_STEPS = 4  # button-up mouse moves between two strokes (the canvas ignores them)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="the .keras (or .tflite) model")
    parser.add_argument("--backend", default="auto", choices=["auto", "litert", "keras"])
    parser.add_argument("--strokes", type=Path, default=STROKES_DIR, help="folder of stroke-set JSON files")
    parser.add_argument("--canvas-sizes", default="448,280", help="canvas sizes to replay on (default 448,280)")
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder for draw_eval.md")
    return parser.parse_args(argv)


# --- replay ---------------------------------------------------------------------------------------


def mouse_events(strokes: list[list[list[float]]], size: int) -> list[tuple[int, int, int, int]]:
    """(event, x, y, flags) as OpenCV's window callback reports a drawing: press, drag, release, hover."""
    events: list[tuple[int, int, int, int]] = []
    last = None
    for stroke in strokes:
        points = [(round(x * (size - 1)), round(y * (size - 1))) for x, y in stroke]
        if last is not None:  # the mouse travels, button up, to where the next stroke starts
            for k in range(1, HOVER_STEPS + 1):
                f = k / (HOVER_STEPS + 1)
                events.append((cv2.EVENT_MOUSEMOVE, round(last[0] + f * (points[0][0] - last[0])),
                               round(last[1] + f * (points[0][1] - last[1])), 0))
        events.append((cv2.EVENT_LBUTTONDOWN, *points[0], cv2.EVENT_FLAG_LBUTTON))
        events.extend((cv2.EVENT_MOUSEMOVE, x, y, cv2.EVENT_FLAG_LBUTTON) for x, y in points[1:-1])
        events.append((cv2.EVENT_LBUTTONUP, *points[-1], 0))
        last = points[-1]
    return events


def replay(app: DrawApp, strokes: list[list[list[float]]], start: float = 1000.0) -> tuple[float, int]:
    """Feed a drawing to the app as the window loop does; returns the fake clock and the readings made."""
    now, readings = start, 0
    for event in mouse_events(strokes, app.canvas.size):
        app.on_mouse(*event)
        now += EVENT_DT
        readings += app.update(now)
    now += EVENT_DT
    readings += app.update(now)
    return now, readings


# --- scoring --------------------------------------------------------------------------------------


def naive_input(canvas: np.ndarray) -> np.ndarray:
    """The original demo: the whole canvas resized to 28x28, /255."""
    return cv2.resize(canvas, (28, 28)).astype(np.float32) / 255.0


def outcome(reading: Reading, label: str) -> str:
    """'right', 'unsure' (shown as '?'), 'count' (wrong number of digits) or 'wrong'."""
    read = reading.read
    if len(read) != len(label):
        return "count"
    if reading.number == label:
        return "right"
    if any(d.digit is None for d in read) and all(d.digit in (None, int(c)) for d, c in zip(read, label)):
        return "unsure"
    return "wrong"


def _rejections(reading: Reading) -> str:
    """What the finder made of a drawing in which it read nothing: its rejection reasons."""
    reasons = [d.reason for d in reading.digits if d.reason]
    return f"nothing ({', '.join(reasons)})" if reasons else "nothing"


def band_of(size: float) -> str:
    for lo, hi in SIZE_BANDS:
        if lo <= size <= hi:
            return f"{lo:.0%}-{hi:.0%}"
    return "other"


def evaluate(model: Classifier, samples: list[dict], canvas_size: int) -> list[dict]:
    results = []
    for sample in samples:
        app = DrawApp(model, DrawOptions(canvas_size=canvas_size, save_dir=Path("/nonexistent")))
        _, readings = replay(app, sample["strokes"])
        reading = app.reading
        row = {
            "id": sample["id"],
            "label": sample["label"],
            "hand": sample["hand"],
            "kind": sample["kind"],
            "band": band_of(sample["size"]),
            "outcome": outcome(reading, sample["label"]),
            "read": " ".join(reading.lines) or _rejections(reading),
            "readings": readings,
            "latency_ms": app.latency_ms,
        }
        if sample["kind"] == "digit":
            row["naive_input"] = naive_input(app.canvas.image)
        results.append(row)
    digits = [r for r in results if r["kind"] == "digit"]
    if digits:
        probs = model.predict(np.stack([r.pop("naive_input") for r in digits]))
        for r, p in zip(digits, probs):
            r["naive"] = str(int(np.argmax(p)))
    return results


def pct(rows: list[dict], key: str = "outcome", value: str = "right") -> str:
    if not rows:
        return "-"
    hits = sum(r[key] == value if key == "outcome" else r["naive"] == r["label"] for r in rows)
    return f"{hits / len(rows):.1%} ({hits}/{len(rows)})"


def render_markdown(args: argparse.Namespace, backend: str, runs: dict[int, list[dict]], seconds: float) -> str:
    sizes = list(runs)
    first = runs[sizes[0]]
    hands = sorted({r["hand"] for r in first})
    n_digits = sum(r["kind"] == "digit" for r in first)
    n_numbers = len(first) - n_digits
    head = " | ".join(f"app, {s} px canvas" for s in sizes)
    naive_head = " | ".join(f"naive, {s} px" for s in sizes)
    out = [
        "# Draw mode on mouse-drawn digits",
        "",
        f"Made by `python scripts/evaluate_draw.py{_flags(args)}` with model `{Path(args.model).name}` "
        f"({backend} backend) in {seconds:.0f} s.",
        "",
        f"The stroke set (`tests/data/strokes/`, made by `scripts/make_strokes.py`): {n_digits} single digits "
        f"and {n_numbers} numbers of 2-4 digits, drawn from hand-written templates in {len(hands)} hands "
        f"({', '.join(hands)}), every digit in each hand at six sizes from 15% to 85% of the canvas height, "
        "at the corners, the centre and anywhere, as sampled mouse paths (uneven spacing, jitter, wobble). "
        "Each drawing is replayed as OpenCV mouse events through `DrawApp.on_mouse` with `update(now)` on a "
        "fake clock after every event, at the default brush for the canvas size.",
        "",
        f"- **app**: the app's own final reading; right only if exactly one digit is found and named (at "
        f"least {MIN_CONFIDENCE:.0%} confident) as the digit drawn; for numbers, only if the whole number is read.",
        "- **naive**: the original demo on the same final canvas: the whole canvas `cv2.resize`d to 28x28, "
        "/255, the model's top class, no threshold. It reads one digit per canvas, so it cannot read numbers.",
        "",
        "## Single digits",
        "",
        f"| | {head} | {naive_head} |",
        "|---|" + "---|" * (2 * len(sizes)),
    ]

    def row(name: str, pick) -> str:
        apps = " | ".join(pct([r for r in runs[s] if r["kind"] == "digit" and pick(r)]) for s in sizes)
        naives = " | ".join(pct([r for r in runs[s] if r["kind"] == "digit" and pick(r)], "naive") for s in sizes)
        return f"| {name} | {apps} | {naives} |"

    out.append(row("**all**", lambda r: True))
    for hand in hands:
        out.append(row(f"hand: {hand}", lambda r, h=hand: r["hand"] == h))
    for lo, hi in SIZE_BANDS:
        band = f"{lo:.0%}-{hi:.0%}"
        out.append(row(f"height {band} of canvas", lambda r, b=band: r["band"] == b))
    for digit in "0123456789":
        out.append(row(f"digit {digit}", lambda r, d=digit: r["label"] == d))

    out += ["", "How the app's single-digit readings went wrong:", "",
            "| canvas | right | unsure ('?') | wrong digit | not one digit found |", "|---|---|---|---|---|"]
    for s in sizes:
        digits = [r for r in runs[s] if r["kind"] == "digit"]
        counts = {k: sum(r["outcome"] == k for r in digits) for k in ("right", "unsure", "wrong", "count")}
        out.append(f"| {s} px | {counts['right']} | {counts['unsure']} | {counts['wrong']} | {counts['count']} |")

    out += ["", "## Numbers (2-4 digits side by side)", "", f"| | {head} |", "|---|" + "---|" * len(sizes)]

    def nrow(name: str, pick) -> str:
        return f"| {name} | " + " | ".join(
            pct([r for r in runs[s] if r["kind"] == "number" and pick(r)]) for s in sizes) + " |"

    out.append(nrow("**whole number right**", lambda r: True))
    for length in (2, 3, 4):
        out.append(nrow(f"{length} digits", lambda r, n=length: len(r["label"]) == n))
    for hand in hands:
        out.append(nrow(f"hand: {hand}", lambda r, h=hand: r["hand"] == h))

    latencies = [r["latency_ms"] for s in sizes for r in runs[s]]
    readings = [r["readings"] for s in sizes for r in runs[s]]
    out += ["", f"Live readings per drawing while it was drawn (throttled to one per 50 ms, plus one at every "
            f"stroke's end): median {np.median(readings):.0f}, max {max(readings)}. Time of the final reading: "
            f"median {np.median(latencies):.1f} ms, 95th percentile {np.percentile(latencies, 95):.1f} ms "
            "(this machine, while busy; the replay runs the real reading path).", ""]

    misses = [(s, r) for s in sizes for r in runs[s] if r["outcome"] != "right"]
    out += ["## Every miss of the app", ""]
    if not misses:
        out.append("None.")
    else:
        out += ["| canvas | drawing | drawn | read | outcome |", "|---|---|---|---|---|"]
        out += [f"| {s} | `{r['id']}` | {r['label']} | {r['read']} | {r['outcome']} |" for s, r in misses]
    return "\n".join(out) + "\n"


def non_digits(model: Classifier, count: int, size: int = 448) -> dict[str, list[bool]]:
    """Scribbles drawn on the canvas, read by the app: kind -> whether each was shown as a digit.

    Seeds 10,000 and up: training never draws these exact scribbles.
    """
    shown: dict[str, list[bool]] = {}
    for i in range(count):
        rng = np.random.default_rng(10_000 + i)
        small = np.zeros((96, 96), np.uint8)
        kind = draw_scribble(small, rng)
        extent = int(size * rng.uniform(0.3, 0.8))
        canvas = np.zeros((size, size), np.uint8)
        x, y = rng.integers(0, size - extent + 1, 2)
        canvas[y : y + extent, x : x + extent] = cv2.resize(small, (extent, extent))
        reading = read_binary(canvas > 127, model, CANVAS_SETTINGS)
        shown.setdefault(kind, []).append(any(d.digit is not None for d in reading.digits))
    return shown


def render_non_digits(shown: dict[str, list[bool]]) -> list[str]:
    everything = [v for values in shown.values() for v in values]
    out = ["## Non-digits", "",
           f"{len(everything)} scribbles drawn on the 448 px canvas (30-80% of it) and read by the app. "
           "\"Rejected\" means no confident digit is shown: every candidate is rejected by the finder or "
           "shown as \"?\".", "",
           "| kind | scribbles | rejected |", "|---|---|---|"]
    for kind, values in sorted(shown.items()):
        out.append(f"| {kind} | {len(values)} | {1 - np.mean(values):.1%} |")
    out.append(f"| **all** | {len(everything)} | **{1 - np.mean(everything):.1%}** |")
    return out + [""]


def _flags(args: argparse.Namespace) -> str:
    flags = ""
    if Path(args.model).resolve() != DEFAULT_MODEL.resolve():
        flags += f" --model {args.model}"
    if args.canvas_sizes != "448,280":
        flags += f" --canvas-sizes {args.canvas_sizes}"
    return flags


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        model = Classifier(args.model, args.backend)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    samples = load(args.strokes)
    if not samples:
        print(f"error: no stroke data in {args.strokes} (run scripts/make_strokes.py)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    sizes = [int(s) for s in args.canvas_sizes.split(",") if s.strip()]
    runs = {size: evaluate(model, samples, size) for size in sizes}
    markdown = render_markdown(args, model.backend, runs, time.perf_counter() - started)
    markdown += "\n" + "\n".join(render_non_digits(non_digits(model, 500)))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "draw_eval.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    print(f"wrote {args.out / 'draw_eval.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_main(main)
