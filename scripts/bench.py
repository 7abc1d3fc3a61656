"""One benchmark for the speed targets, against the original demo's approach, on this machine.

    python scripts/bench.py                 # full run (~2 min), rewrites the table in README.md
    python scripts/bench.py --quick --no-readme   # a smoke run in seconds (the tests use it)

Measures: start-up from launch to the first reading (the real CLI, headless); single-digit
latency p50/p99 of the classifier alone and of the canvas end to end (stroke end -> reading);
the camera pipeline on 640x480 frames with 1, 10 and 30 digits, and 10 on a sheet lying on wood,
each frame with its own sensor noise and a pixel of shake
(frames per second and per-stage ms); peak memory. The baseline is the original Streamlit demo's
way: the whole canvas squashed to 28x28 and one Keras `model.predict` call per digit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from realtime.binarize import binarize, gray_ink  # noqa: E402
from realtime.camera_app import CameraApp, CameraOptions, FramePipeline  # noqa: E402
from realtime.classifier import DEFAULT_MODEL, Classifier  # noqa: E402
from realtime.draw_app import DrawApp, DrawOptions  # noqa: E402
from realtime.errors import run_main  # noqa: E402
from realtime.machine import describe  # noqa: E402
from realtime.mnist import load_mnist  # noqa: E402
from realtime.preprocess import to_mnist  # noqa: E402
from realtime.segment import find_digits  # noqa: E402

README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
TARGETS = {
    "classifier_p50_ms": ("<=", 0.5),
    "canvas_p99_ms": ("<=", 10.0),
    "camera_fps_10": (">=", 100.0),
    "camera_fps_30": (">=", 30.0),
    "camera_fps_textured": (">=", 30.0),
    "startup_s": ("<=", 2.0),
    "to_mnist_p50_ms": ("<=", 0.2),
    "find_digits_p50_ms": ("<=", 2.0),
    "classifier10_p50_ms": ("<=", 5.0),
    "peak_rss_mb": ("<=", 600.0),
}


def percentiles(samples: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 99))


def timed(fn, repeats: int) -> list[float]:
    """Wall time of each call in ms."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def paper_frame(digits: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """A 640x480 'photo' of `count` MNIST digits in dark ink on noisy, unevenly lit paper."""
    h, w = 480, 640
    yy, xx = np.mgrid[0:h, 0:w]
    paper = 215 - 35 * (xx / w) + rng.normal(0, 4, (h, w))
    columns = min(count, 10)
    rows = (count + columns - 1) // columns
    size = min(int(0.7 * (w - 40) / columns), int(0.7 * (h - 40) / rows), 90)
    for i in range(count):
        r, c = divmod(i, columns)
        cx = 20 + (c + 0.5) * (w - 40) / columns
        cy = 20 + (r + 0.5) * (h - 40) / rows
        digit = cv2.resize(digits[i % len(digits)], (size, size), interpolation=cv2.INTER_LINEAR) / 255.0
        y0, x0 = int(cy - size / 2), int(cx - size / 2)
        region = paper[y0 : y0 + size, x0 : x0 + size]
        paper[y0 : y0 + size, x0 : x0 + size] = region * (1 - 0.8 * digit)
    gray = np.clip(paper, 0, 255).astype(np.uint8)
    return cv2.cvtColor(cv2.GaussianBlur(gray, (3, 3), 0), cv2.COLOR_GRAY2BGR)


def textured_frame(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`paper_frame` with 10 digits, the sheet (a slightly turned band through them) lying on wood:
    dark grain with knots and noise all around it, the clutter that once cost ~130 ms a frame."""
    h, w = 480, 640
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grain = 75 + 28 * np.sin(xx / 3.0 + 5 * np.sin(yy / 45.0) + 2 * np.sin(xx / 90.0)) + rng.normal(0, 12, (h, w))
    wood = np.clip(np.stack([grain * 0.55, grain * 0.75, grain * 1.1], axis=2), 0, 255).astype(np.uint8)
    sheet = np.zeros((h, w), np.uint8)
    cv2.fillPoly(sheet, [np.array([(8, 140), (632, 152), (630, 335), (6, 324)], np.int32)], 255)
    return np.where(sheet[..., None] > 0, paper_frame(digits, 10, rng), wood)


def camera_frames(frame: np.ndarray, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """`count` frames of one scene as a camera on a stand gives them: each with its own sensor
    noise (sigma 3 grey levels) and shaken by up to a pixel either way. A camera never gives the
    same frame twice, so nothing that depends on frames repeating exactly can flatter the figures."""
    height, width = frame.shape[:2]
    out = []
    for _ in range(count):
        dx, dy = (int(v) for v in rng.integers(-1, 2, 2))
        shaken = cv2.warpAffine(frame, np.float32([[1, 0, dx], [0, 1, dy]]), (width, height), borderMode=cv2.BORDER_REPLICATE)
        out.append(np.clip(shaken + rng.normal(0, 3, shaken.shape), 0, 255).astype(np.uint8))
    return out


def draw_seven(app: DrawApp) -> None:
    """A '7' with a bar, as mouse events: top bar, then the long diagonal."""
    s = app.canvas.size
    points = [(0.3, 0.25), (0.7, 0.25), (0.62, 0.45), (0.5, 0.8)]
    app.on_mouse(cv2.EVENT_LBUTTONDOWN, int(points[0][0] * s), int(points[0][1] * s), 0)
    for x, y in points[1:]:
        app.on_mouse(cv2.EVENT_MOUSEMOVE, int(x * s), int(y * s), 0)
    app.on_mouse(cv2.EVENT_LBUTTONUP, int(points[-1][0] * s), int(points[-1][1] * s), 0)


#: Runs the real CLI and reports its own peak RSS (VmHWM): getrusage's maxrss would carry over
#: the high-water mark of this TensorFlow-laden benchmark process through fork and exec.
_CLI_WITH_RSS = (
    "import re, runpy, sys\n"
    "sys.argv = ['realtime', *sys.argv[1:]]\n"
    "try:\n    runpy.run_module('realtime', run_name='__main__', alter_sys=True)\n"
    "except SystemExit:\n    pass\n"
    "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
    "print('peak_rss_kb', hwm, file=sys.stderr)\n"
)


def bench_startup(model: Path, image: Path, runs: int) -> tuple[float, float]:
    """Seconds from launching the real CLI to its first reading in the events log; its peak RSS."""
    samples, peaks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            events = Path(tmp) / f"ev{i}.jsonl"
            launched = time.time()
            done = subprocess.run(
                [sys.executable, "-c", _CLI_WITH_RSS, "camera", "--headless", "--source", str(image),
                 "--model", str(model), "--events", str(events)],
                cwd=ROOT, check=True, capture_output=True, text=True,
            )
            first = json.loads(events.read_text().splitlines()[0])
            samples.append(first["time"] - launched)
            peaks.append(int(done.stderr.split("peak_rss_kb")[-1].split()[0]) / 1024)
    return float(np.median(samples)), max(peaks)


def bench_baseline_startup(model: Path) -> float:
    """The demo's start: import TensorFlow, load the Keras model, predict once."""
    code = (
        "import time,sys;t=float(sys.argv[1]);import numpy as np;from tensorflow.keras.models import load_model;"
        "m=load_model(sys.argv[2],compile=False);m.predict(np.zeros((1,28,28,1),'float32'),verbose=0);"
        "print(time.time()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(time.time()), str(model)], capture_output=True,
                         text=True, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--data", help="MNIST folder (default $MNIST_DIR, else Keras' download)")
    parser.add_argument("--quick", action="store_true", help="few repetitions: checks that it runs")
    parser.add_argument("--no-readme", action="store_true", help="print the table, leave README.md alone")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    reps = 20 if args.quick else 2000
    frames = 5 if args.quick else 300
    rng = np.random.default_rng(0)

    _, (test_x, _) = load_mnist(args.data)
    digits = test_x[:64]
    classifier = Classifier(args.model)
    one = digits[:1].astype(np.float32) / 255.0
    ten = digits[:10].astype(np.float32) / 255.0
    r: dict[str, float] = {}

    r["classifier_p50_ms"], r["classifier_p99_ms"] = percentiles(timed(lambda: classifier.predict(one), reps))
    r["classifier10_p50_ms"], _ = percentiles(timed(lambda: classifier.predict(ten), reps // 2))

    frame10 = paper_frame(digits, 10, rng)
    binary10 = binarize(gray_ink(frame10))
    candidates = find_digits(binary10)
    r["find_digits_p50_ms"], _ = percentiles(timed(lambda: find_digits(binary10), reps // 2))
    r["to_mnist_p50_ms"], _ = percentiles(timed(lambda: [to_mnist(c.mask) for c in candidates], reps // 2))
    r["to_mnist_p50_ms"] /= len(candidates)

    app = DrawApp(classifier, DrawOptions())
    canvas_ms = []
    for i in range(reps // 10 if args.quick else 300):
        app.canvas.clear()
        app.update(i)  # read the empty canvas, so the next reading is the stroke's
        draw_seven(app)
        t0 = time.perf_counter()
        app.update(i + 0.5)
        canvas_ms.append((time.perf_counter() - t0) * 1e3)
    r["canvas_p50_ms"], r["canvas_p99_ms"] = percentiles(canvas_ms)

    for count in (1, 10, 30, "textured"):
        scene = textured_frame(digits, rng) if count == "textured" else paper_frame(digits, count, rng)
        shots = camera_frames(scene, 5 if args.quick else 30, rng)
        camera = CameraApp(FramePipeline(classifier, CameraOptions()))
        stages: dict[str, list[float]] = {"preprocess": [], "inference": [], "render": []}
        found = 0
        t_start = time.perf_counter()
        for i in range(frames):
            result = camera.process(shots[i % len(shots)], i, i / 30)
            t0 = time.perf_counter()
            camera.render(result, i / 30)
            stages["render"].append((time.perf_counter() - t0) * 1e3)
            stages["preprocess"].append(result.timings["preprocess"])
            stages["inference"].append(result.timings["inference"])
            found = len(result.reading.read)
        elapsed = time.perf_counter() - t_start
        r[f"camera_fps_{count}"] = frames / elapsed
        r[f"camera_found_{count}"] = found
        for stage, values in stages.items():
            r[f"camera_{stage}_ms_{count}"] = float(np.mean(values))

    # The original demo's approach on the same inputs.
    import keras

    keras_model = keras.saving.load_model(args.model, compile=False)
    keras_model.predict(one[..., None], verbose=0)
    r["baseline_predict_p50_ms"], r["baseline_predict_p99_ms"] = percentiles(
        timed(lambda: keras_model.predict(one[..., None], verbose=0), 10 if args.quick else 100)
    )
    app.canvas.clear()
    draw_seven(app)
    canvas_rgb = cv2.cvtColor(app.canvas.image, cv2.COLOR_GRAY2BGR)

    def demo_canvas() -> None:
        small = cv2.cvtColor(cv2.resize(canvas_rgb, (28, 28)), cv2.COLOR_BGR2GRAY) / 255.0
        keras_model.predict(small.reshape(1, 28, 28, 1), verbose=0)

    r["baseline_canvas_p50_ms"], r["baseline_canvas_p99_ms"] = percentiles(timed(demo_canvas, 10 if args.quick else 100))
    r["baseline_camera_fps_10"] = 1e3 / (r["camera_preprocess_ms_10"] + 10 * r["baseline_predict_p50_ms"])

    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "digit.png"
        cv2.imwrite(str(image), paper_frame(digits, 10, rng))
        r["startup_s"], r["peak_rss_mb"] = bench_startup(args.model, image, 1 if args.quick else 5)
    r["baseline_startup_s"] = bench_baseline_startup(args.model)

    table = render_table(r, classifier.backend)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(r, indent=2) + "\n")
    if not args.no_readme:
        write_readme(table)
    return 0


def render_table(r: dict[str, float], backend: str) -> str:
    def verdict(key: str) -> str:
        op, limit = TARGETS[key]
        ok = r[key] <= limit if op == "<=" else r[key] >= limit
        return f"{op} {limit:g} {'✅' if ok else '❌'}"

    rows = [
        ("start-up, launch to first reading (s)", r["startup_s"], r["baseline_startup_s"], verdict("startup_s")),
        ("classifier, 1 digit p50 (ms)", r["classifier_p50_ms"], r["baseline_predict_p50_ms"], verdict("classifier_p50_ms")),
        ("classifier, 1 digit p99 (ms)", r["classifier_p99_ms"], r["baseline_predict_p99_ms"], ""),
        ("classifier, batch of 10 p50 (ms)", r["classifier10_p50_ms"], 10 * r["baseline_predict_p50_ms"],
         verdict("classifier10_p50_ms")),
        ("to_mnist, per digit p50 (ms)", r["to_mnist_p50_ms"], None, verdict("to_mnist_p50_ms")),
        ("find_digits, 640x480 with 10 digits p50 (ms)", r["find_digits_p50_ms"], None,
         verdict("find_digits_p50_ms")),
        ("canvas, stroke end to reading p50 (ms)", r["canvas_p50_ms"], r["baseline_canvas_p50_ms"], ""),
        ("canvas, stroke end to reading p99 (ms)", r["canvas_p99_ms"], r["baseline_canvas_p99_ms"], verdict("canvas_p99_ms")),
        ("camera 640x480, 1 digit (frames/s)", r["camera_fps_1"], None, ""),
        ("camera 640x480, 10 digits (frames/s)", r["camera_fps_10"], r["baseline_camera_fps_10"], verdict("camera_fps_10")),
        ("camera 640x480, 30 digits (frames/s)", r["camera_fps_30"], None, verdict("camera_fps_30")),
        ("camera 640x480, 10 digits on a sheet on wood (frames/s)", r["camera_fps_textured"], None,
         verdict("camera_fps_textured")),
        ("peak memory of the app, RSS (MB)", r["peak_rss_mb"], None, verdict("peak_rss_mb")),
    ]
    lines = [
        f"Machine: {describe()}. Runtime: {backend}. Command: `python scripts/bench.py`.",
        "",
        "| measure | this app | original demo's way | ratio | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, ours, base, target in rows:
        if base is None:
            lines.append(f"| {name} | {ours:.3g} | - | - | {target} |")
        else:
            better = base / ours if "frames" not in name else ours / base
            lines.append(f"| {name} | {ours:.3g} | {base:.3g} | {better:.1f}x | {target} |")
    lines += [
        "",
        "Camera stages, mean ms per frame (preprocess = binarise + find + to_mnist; render = overlay):",
        "",
        "| digits | found | preprocess | inference | render |",
        "| --- | --- | --- | --- | --- |",
    ]
    for n in (1, 10, 30, "textured"):
        lines.append(
            f"| {'10 on wood' if n == 'textured' else n} | {int(r[f'camera_found_{n}'])} | {r[f'camera_preprocess_ms_{n}']:.2f} | "
            f"{r[f'camera_inference_ms_{n}']:.2f} | {r[f'camera_render_ms_{n}']:.2f} |"
        )
    return "\n".join(lines)


def write_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    readme.write_text(text[:start] + "\n" + table + "\n" + text[end:])


if __name__ == "__main__":
    run_main(main)
