"""Draw mode on mouse-drawn digits: how often the app reads what was drawn, and the naive demo for comparison.

    PEN_DEV_DIR=../shared/data/pen-dev python scripts/evaluate_draw.py   # writes docs/draw_eval.md
    python scripts/evaluate_draw.py --model /tmp/m.keras --out /tmp/eval

Three sets are replayed through the app:

- the real pen digits of the pen-dev VALIDATION writers (realtime.pen: never trained on), one by
  one and as numbers of 2-4 of one writer's digits side by side (normal gap, close, touching);
  a sheet of the misses is written beside the report (draw_pen_misses.png);
- the non-digit set (realtime.non_digit_set): letters, symbols, scribbles, dashes, hatching and
  blobs drawn as strokes on the canvas, and letters and symbols in held-out fonts printed as ink
  on paper and read by camera mode's pipeline;
- the synthetic stroke set (below).

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

from realtime import non_digit_set, pen  # noqa: E402
from realtime.camera_app import CameraOptions, FramePipeline  # noqa: E402
from realtime.classifier import DEFAULT_MODEL, Classifier  # noqa: E402
from realtime.draw_app import DrawApp, DrawOptions  # noqa: E402
from realtime.errors import (
    UserError,  # noqa: E402
    run_main,  # noqa: E402
)
from realtime.files import write_report  # noqa: E402
from realtime.negatives import HELD_OUT_FONTS, glyph  # noqa: E402
from realtime.reading import MIN_CONFIDENCE, Reading  # noqa: E402

EVENT_DT = 0.012  # fake seconds between mouse events, as make_strokes samples them
HOVER_STEPS = 4  # button-up mouse moves between two strokes (the canvas ignores them)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="the .keras (or .tflite) model")
    parser.add_argument("--backend", default="auto", choices=["auto", "litert", "keras"])
    parser.add_argument("--strokes", type=Path, default=STROKES_DIR, help="folder of stroke-set JSON files")
    parser.add_argument("--canvas-sizes", default="448,280", help="canvas sizes to replay on (default 448,280)")
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder for draw_eval.md")
    parser.add_argument("--pen", help="pen-dev folder (default: $PEN_DEV_DIR; without it the pen "
                        "sections are left out)")
    parser.add_argument("--numbers", type=int, default=8,
                        help="numbers per validation writer and spacing (default 8)")
    parser.add_argument("--non-digits", type=int, default=80, help="non-digits per kind (default 80)")
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


# --- real pen digits ------------------------------------------------------------------------------

PEN_CANVAS = 448
#: Gap between neighbouring digits of a number, as a fraction of the digit height; "touching"
#: overlaps the boxes by a little so the ink of neighbours meets.
SPACINGS = {"normal gap": 0.3, "close": 0.08, "touching": -0.06}


def unit(strokes: list[np.ndarray], size: int) -> list[list[list[float]]]:
    """Canvas-pixel strokes -> the unit coordinates `mouse_events` takes."""
    return [(np.asarray(s, np.float64) / (size - 1)).tolist() for s in strokes]


def read_drawing(model: Classifier, strokes: list[list[list[float]]], size: int) -> tuple[Reading, np.ndarray]:
    """Replay one drawing through a fresh DrawApp's mouse handler; its final reading and canvas."""
    app = DrawApp(model, DrawOptions(canvas_size=size, save_dir=Path("/nonexistent")))
    replay(app, strokes)
    return app.reading, app.canvas.image


def pen_single_drawings(samples: list[pen.PenDigit]):
    """(label, writer, unit strokes) of each digit alone on the 448 px canvas, 30-80% of its height, anywhere."""
    rng = np.random.default_rng(0)
    for sample in samples:
        frac = float(rng.uniform(0.3, 0.8))
        margin = frac * PEN_CANVAS / 2
        centre = tuple(rng.uniform(margin, PEN_CANVAS - margin, 2))
        yield str(sample.label), sample.writer, unit(pen.place(sample.strokes, PEN_CANVAS, frac, centre), PEN_CANVAS)


def pen_singles(model: Classifier, samples: list[pen.PenDigit]) -> list[dict]:
    """Each digit alone on the 448 px canvas at the app's brush, read through the app."""
    rows = []
    for sample, (label, writer, strokes) in zip(samples, pen_single_drawings(samples)):
        reading, image = read_drawing(model, strokes, PEN_CANVAS)
        rows.append({**_row(label, writer, reading, image), "damaged": sample.damaged})
    return rows


def number_strokes(digits: list[pen.PenDigit], spacing: float, rng: np.random.Generator) -> list[np.ndarray]:
    """One writer's digits side by side at one height, `spacing` x height apart, fitted into the canvas."""
    height = 1.0
    placed, x = [], 0.0
    for digit in digits:
        points = np.concatenate(digit.strokes)
        low, high = points.min(axis=0), points.max(axis=0)
        scale = height / max(float(high[1] - low[1]), 1e-6, float(high[0] - low[0]) / 1.5)
        strokes = [(s - low) * scale + [x, rng.uniform(-0.05, 0.05)] for s in digit.strokes]
        placed.append(strokes)
        x += float(high[0] - low[0]) * scale + spacing * height
    width = x - spacing * height
    fit = min(0.9 * PEN_CANVAS / width, 0.45 * PEN_CANVAS / height)
    offset = np.array([(PEN_CANVAS - width * fit) / 2, (PEN_CANVAS - height * fit) / 2])
    return [np.round(s * fit + offset).astype(np.int32) for strokes in placed for s in strokes]


def pen_number_drawings(samples: list[pen.PenDigit], per_writer: int):
    """(label, writer, spacing, unit strokes, whether a digit of it is damaged): `per_writer`
    numbers of 2-4 digits of each writer, at every spacing of SPACINGS (the same digits at each)."""
    rng = np.random.default_rng(1)
    by_writer: dict[str, list[pen.PenDigit]] = {}
    for sample in samples:
        by_writer.setdefault(sample.writer, []).append(sample)
    for writer, digits in sorted(by_writer.items()):
        if len(digits) < 4:
            continue
        for _ in range(per_writer):
            chosen = [digits[i] for i in rng.choice(len(digits), int(rng.integers(2, 5)), replace=False)]
            label = "".join(str(d.label) for d in chosen)
            for spacing, gap in SPACINGS.items():
                strokes = number_strokes(chosen, gap, np.random.default_rng(rng.integers(1 << 30)))
                yield label, writer, spacing, unit(strokes, PEN_CANVAS), any(d.damaged for d in chosen)


def pen_numbers(model: Classifier, samples: list[pen.PenDigit], per_writer: int) -> list[dict]:
    """The numbers of `pen_number_drawings`, read through the app."""
    rows = []
    for label, writer, spacing, strokes, damaged in pen_number_drawings(samples, per_writer):
        reading, image = read_drawing(model, strokes, PEN_CANVAS)
        rows.append({**_row(label, writer, reading, image), "spacing": spacing, "strokes": len(strokes),
                     "ms": sum(reading.timings.values()), "damaged": damaged})
    return rows


def _row(label: str, writer: str, reading: Reading, image: np.ndarray) -> dict:
    outcome_ = outcome(reading, label)
    return {
        "label": label, "writer": writer, "outcome": outcome_,
        "read": " ".join(reading.lines) or _rejections(reading),
        "not_a_digit": any(d.reason == "not a digit" for d in reading.digits),
        "image": image if outcome_ != "right" else None,
    }


def misses_sheet(rows: list[dict], path: Path, limit: int = 160) -> int:
    """A PNG grid of missed drawings (canvas thumbnails, 'drawn > read' under each); how many shown."""
    misses = [r for r in rows if r["outcome"] != "right"][:limit]
    tiles = []
    for r in misses:
        tile = cv2.resize(255 - r["image"], (112, 112), interpolation=cv2.INTER_AREA)
        tile = cv2.copyMakeBorder(tile, 0, 22, 0, 0, cv2.BORDER_CONSTANT, value=255)
        cv2.putText(tile, f"{r['label']}>{r['read'][:9]}", (2, 128), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 0, 1,
                    cv2.LINE_AA)
        tiles.append(cv2.copyMakeBorder(tile, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=160))
    if not tiles:
        return 0
    columns = 10
    tiles += [np.full_like(tiles[0], 255)] * (-len(tiles) % columns)
    sheet = np.vstack([np.hstack(tiles[i : i + columns]) for i in range(0, len(tiles), columns)])
    cv2.imwrite(str(path), sheet)
    return len(misses)


def render_pen(singles: list[dict], numbers: list[dict], samples: list[pen.PenDigit], sheet: str) -> list[str]:
    writers = sorted({s.writer for s in samples})
    wrong = sum(r["outcome"] == "wrong" for r in singles)
    refused = sum(r["not_a_digit"] for r in singles)
    out = [
        "## Real pen digits of validation writers",
        "",
        f"{len(samples)} digits of the {len(writers)} pen-dev writers of contributor(s) "
        f"{', '.join(pen.VALIDATION_CONTRIBUTORS)} (the validation split of `realtime/pen.py`: never trained "
        f"on), each replayed as mouse drags through `DrawApp.on_mouse` on the {PEN_CANVAS} px canvas at the "
        "default brush, 30-80% of the canvas high, anywhere on it.",
        "",
        f"**Single digits right: {pct(singles)}**; shown as a wrong digit: {wrong} "
        f"({wrong / max(1, len(singles)):.2%}); called \"not a digit\": {refused} ({refused / max(1, len(singles)):.2%}).",
        "",
        f"Of the {sum(not r['damaged'] for r in singles)} digits left when the {sum(r['damaged'] for r in singles)} "
        "audited as damaged (part of the digit missing, `pen.DAMAGED_LINES`, docs/pen_dev_audit.md) are set aside: "
        f"**{pct([r for r in singles if not r['damaged']])}** right.",
        "",
        "| digit | " + " | ".join("0123456789") + " |",
        "|---|" + "---|" * 10,
        "| right | " + " | ".join(pct([r for r in singles if r["label"] == d]) for d in "0123456789") + " |",
        "",
        "How the single digits went wrong:",
        "",
        "| right | unsure ('?' or not a digit) | wrong digit | not one digit found |",
        "|---|---|---|---|",
        "| " + " | ".join(str(sum(r["outcome"] == k for r in singles)) for k in ("right", "unsure", "wrong", "count"))
        + " |",
        "",
        "Numbers of 2-4 digits of one writer side by side (the same digits at each spacing; gap as a "
        "fraction of the digit height: " + ", ".join(f"{k} {v:+.2f}" for k, v in SPACINGS.items()) + "):",
        "",
        "| spacing | whole number right | 2 digits | 3 digits | 4 digits | wrong number shown | no damaged digit: right |",
        "|---|---|---|---|---|---|---|",
    ]
    for spacing in SPACINGS:
        rows = [r for r in numbers if r["spacing"] == spacing]
        by_len = " | ".join(pct([r for r in rows if len(r["label"]) == n]) for n in (2, 3, 4))
        shown_wrong = sum(r["outcome"] in ("wrong", "count") and "?" not in r["read"] and not r["read"].startswith("nothing")
                          for r in rows)
        out.append(f"| {spacing} | **{pct(rows)}** | {by_len} | {shown_wrong} | {pct([r for r in rows if not r['damaged']])} |")
    fours = [r for r in numbers if len(r["label"]) == 4]
    if fours:
        ms = [r["ms"] for r in fours]
        out += ["", f"Time of the final reading of a 4-digit number ({np.median([r['strokes'] for r in fours]):.0f} "
                f"strokes at the median, up to {max(r['strokes'] for r in fours)}): median {np.median(ms):.1f} ms, "
                f"95th percentile {np.percentile(ms, 95):.1f} ms (the reading's stages: stroke inks and hypotheses, "
                "to_mnist, the model, the search; this machine while busy)."]
    out += ["", f"The misses (drawn > read, single digits then numbers): `{sheet}`.", ""]
    return out


# --- non-digits -----------------------------------------------------------------------------------


def non_digit_drawings(per_kind: int):
    """(kind, name, unit strokes): the non-digit set (seeded), 30-80% of the canvas, anywhere."""
    rng = np.random.default_rng(2)
    for kind in non_digit_set.KINDS:
        for _ in range(per_kind):
            name, strokes = non_digit_set.drawing(kind, rng)
            frac = float(rng.uniform(0.3, 0.8))
            origin = rng.uniform(0, 1 - frac, 2)
            yield kind, name, [[[float(x * frac + origin[0]), float(y * frac + origin[1])] for x, y in s] for s in strokes]


def non_digits_on_canvas(model: Classifier, per_kind: int, size: int = 448) -> list[dict]:
    """The non-digit set drawn as strokes on the canvas, each read by the app."""
    rows = []
    for kind, name, strokes in non_digit_drawings(per_kind):
        reading, _ = read_drawing(model, strokes, size)
        rows.append({"kind": kind, "name": name, "shown": [d.digit for d in reading.digits if d.digit is not None]})
    return rows


def non_digits_on_paper(model: Classifier, per_kind: int) -> list[dict]:
    """Letters and symbols printed in held-out Hershey faces, dark ink on a 640x480 paper photo,
    read by camera mode's FramePipeline."""
    rng = np.random.default_rng(3)
    rows = []
    for kind, names in (("letter", non_digit_set.LETTERS), ("symbol", non_digit_set.SYMBOLS)):
        for _ in range(per_kind):
            name = names[int(rng.integers(len(names)))]
            ink = glyph(name, HELD_OUT_FONTS[int(rng.integers(len(HELD_OUT_FONTS)))], rng, size=160)
            paper = np.full((480, 640), 215, np.uint8)
            x, y = int(rng.integers(40, 440)), int(rng.integers(40, 280))
            paper[y : y + 160, x : x + 160] -= (ink.astype(np.float32) * 0.65).astype(np.uint8)
            noisy = np.clip(paper + rng.normal(0, 4, paper.shape), 0, 255).astype(np.uint8)
            result = FramePipeline(model, CameraOptions()).process(cv2.cvtColor(noisy, cv2.COLOR_GRAY2BGR), 0.0)
            rows.append({"kind": f"{kind} (ink on paper)", "name": name,
                         "shown": [d.digit for d in result.reading.digits if d.digit is not None]})
    return rows


def render_non_digits(rows: list[dict]) -> list[str]:
    out = ["## Non-digits", "",
           f"{len(rows)} non-digits (`realtime/non_digit_set.py`): hand-made stroke templates of letters "
           f"({' '.join(non_digit_set.LETTERS)}) and symbols ({' '.join(non_digit_set.SYMBOLS)}), scribbles, dashes, "
           "hatching and blobs, each restyled, drawn as mouse drags on the 448 px canvas at 30-80% of its size "
           "and read by the app; and letters and symbols printed in Hershey faces training never saw, as dark ink "
           "on a paper photo read by camera mode. Training saw letters only as font glyphs, never these "
           "templates. \"Turned down\" means no digit is shown: every candidate is rejected by the finder, "
           "shown as \"?\" or called \"not a digit\".", "",
           "| kind | drawings | turned down | most often shown as |", "|---|---|---|---|"]
    kinds = list(dict.fromkeys(r["kind"] for r in rows))
    for kind in kinds:
        these = [r for r in rows if r["kind"] == kind]
        shown = [r for r in these if r["shown"]]
        names: dict[str, int] = {}
        for r in shown:
            names[f"{r['name']}>{r['shown'][0]}"] = names.get(f"{r['name']}>{r['shown'][0]}", 0) + 1
        common = ", ".join(f"{k} ({v})" for k, v in sorted(names.items(), key=lambda kv: -kv[1])[:4])
        out.append(f"| {kind} | {len(these)} | {1 - len(shown) / len(these):.1%} | {common or '-'} |")
    turned = sum(not r["shown"] for r in rows)
    out.append(f"| **all** | {len(rows)} | **{turned / len(rows):.1%}** | |")
    return out + [""]


def _flags(args: argparse.Namespace) -> str:
    flags = ""
    if Path(args.model).resolve() != DEFAULT_MODEL.resolve():
        flags += f" --model {args.model}"
    if args.canvas_sizes != "448,280":
        flags += f" --canvas-sizes {args.canvas_sizes}"
    if args.numbers != 8:
        flags += f" --numbers {args.numbers}"
    if args.non_digits != 80:
        flags += f" --non-digits {args.non_digits}"
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
    args.out.mkdir(parents=True, exist_ok=True)
    if args.pen or os.environ.get(pen.ENV):
        samples = pen.split(pen.load(args.pen))[1]
        singles = pen_singles(model, samples)
        numbers = pen_numbers(model, samples, args.numbers)
        sheet = args.out / "draw_pen_misses.png"
        misses_sheet(singles + numbers, sheet)
        markdown += "\n" + "\n".join(render_pen(singles, numbers, samples, sheet.name))
    else:
        print(f"note: no pen-dev data (--pen or ${pen.ENV}): real pen sections left out", file=sys.stderr)
    rows = non_digits_on_canvas(model, args.non_digits) + non_digits_on_paper(model, args.non_digits)
    markdown += "\n" + "\n".join(render_non_digits(rows))
    write_report(args.out / "draw_eval.md", markdown)
    print(markdown)
    print(f"wrote {args.out / 'draw_eval.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_main(main)
