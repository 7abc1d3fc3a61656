"""Score a digit model on the MNIST test set: accuracy, per-class accuracy, confusions, mistakes.

    python scripts/evaluate.py                                   # models/digits.keras, $MNIST_DIR
    python scripts/evaluate.py --model /tmp/m.keras --limit 500  # a quick look

Writes docs/confusion.png, docs/misclassified.png and docs/evaluation.md, and prints the markdown.
The pictures are drawn with OpenCV alone, so evaluating needs nothing the app does not.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the realtime package

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from realtime.classifier import DEFAULT_MODEL, Classifier  # noqa: E402
from realtime.errors import (
    UserError,  # noqa: E402
    run_main,  # noqa: E402
)
from realtime.files import write_report  # noqa: E402
from realtime.mnist import load_mnist  # noqa: E402

#: Images per runtime call: big enough to amortise the call, small enough that LiteRT's
#: per-batch activation buffers stay around 100 MB.
CHUNK = 1024
FONT = cv2.FONT_HERSHEY_SIMPLEX
REPO = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="the .keras (or .tflite) model")
    parser.add_argument("--data", help="folder with the MNIST idx .gz files (default: $MNIST_DIR, "
                        "else Keras' download)")
    parser.add_argument("--backend", default="auto", choices=["auto", "litert", "keras"])
    parser.add_argument("--out", default="docs", help="folder for the PNGs and evaluation.md")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N test images")
    parser.add_argument("--max-shown", type=int, default=100, help="misclassified digits in the grid")
    return parser.parse_args(argv)


def predict(model: Classifier, images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) float32 -> (N, 10), in chunks of CHUNK images per runtime call."""
    if len(images) == 0:
        return np.zeros((0, 10), np.float32)
    return np.concatenate([model.predict(images[i : i + CHUNK]) for i in range(0, len(images), CHUNK)])


def shown_path(path: str) -> str:
    """A path as the docs show it: relative to the repository when inside it, so docs are portable."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(REPO)) if resolved.is_relative_to(REPO) else path


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """counts[true, predicted], 10 x 10."""
    counts = np.zeros((10, 10), np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


def _text(image: np.ndarray, text: str, center: tuple[int, int], scale: float, color, thickness: int = 1) -> None:
    (w, h), _ = cv2.getTextSize(text, FONT, scale, thickness)
    cv2.putText(image, text, (center[0] - w // 2, center[1] + h // 2), FONT, scale, color, thickness, cv2.LINE_AA)


def draw_confusion(counts: np.ndarray, title: str, cell: int = 52) -> np.ndarray:
    """The confusion matrix as a BGR heat map: rows are true digits, columns predictions.

    Colour is the row fraction on a log scale, so that a handful of errors among a thousand
    correct answers still shows; every non-zero cell carries its count.
    """
    margin_left, margin_top = 70, 90
    size = (margin_top + 10 * cell + 20, margin_left + 10 * cell + 20)
    image = np.full((*size, 3), 255, np.uint8)
    _text(image, title, (size[1] // 2, 22), 0.55, (0, 0, 0))
    _text(image, "predicted", (margin_left + 5 * cell, 50), 0.55, (0, 0, 0))
    rows = np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fraction = counts / rows
    shade = np.where(counts > 0, np.clip(1 + np.log10(np.maximum(fraction, 1e-3)) / 3, 0.08, 1), 0)
    colours = cv2.applyColorMap((255 - shade * 255).astype(np.uint8), cv2.COLORMAP_BONE)
    for t in range(10):
        _text(image, str(t), (margin_left + t * cell + cell // 2, margin_top - 14), 0.6, (0, 0, 0))
        _text(image, str(t), (margin_left - 16, margin_top + t * cell + cell // 2), 0.6, (0, 0, 0))
        for p in range(10):
            x, y = margin_left + p * cell, margin_top + t * cell
            colour = tuple(int(v) for v in colours[t, p]) if counts[t, p] else (255, 255, 255)
            cv2.rectangle(image, (x, y), (x + cell, y + cell), colour, cv2.FILLED)
            cv2.rectangle(image, (x, y), (x + cell, y + cell), (200, 200, 200), 1)
            if counts[t, p]:
                ink = (255, 255, 255) if shade[t, p] > 0.55 else (0, 0, 0)
                _text(image, str(counts[t, p]), (x + cell // 2, y + cell // 2), 0.42, ink)
    label = np.full((24, 10 * cell, 3), 255, np.uint8)
    _text(label, "true", (5 * cell, 12), 0.55, (0, 0, 0))
    label = cv2.rotate(label, cv2.ROTATE_90_COUNTERCLOCKWISE)
    image[margin_top : margin_top + 10 * cell, 4:28] = label
    return image


def draw_misclassified(images: np.ndarray, labels: np.ndarray, probs: np.ndarray, columns: int = 10,
                       scale: int = 3) -> np.ndarray:
    """A grid of digits, each with "true -> predicted (confidence)" under it; white on black like MNIST."""
    tile, caption = 28 * scale, 20
    rows = max(1, -(-len(images) // columns))
    grid = np.full((rows * (tile + caption) + 4, columns * tile, 3), 40, np.uint8)
    if len(images) == 0:
        _text(grid, "no misclassified digits", (grid.shape[1] // 2, grid.shape[0] // 2), 0.5, (255, 255, 255))
        return grid
    for i, (image, label, p) in enumerate(zip(images, labels, probs)):
        r, c = divmod(i, columns)
        x, y = c * tile, r * (tile + caption)
        big = cv2.resize(image, (tile, tile), interpolation=cv2.INTER_NEAREST)
        grid[y : y + tile, x : x + tile] = big[..., None]
        cv2.rectangle(grid, (x, y), (x + tile - 1, y + tile - 1), (90, 90, 90), 1)
        guess = int(np.argmax(p))
        _text(grid, f"{label}->{guess} {p[guess]:.0%}", (x + tile // 2, y + tile + caption // 2), 0.42,
              (120, 200, 255))
    return grid


def report(model_path: str, backend: str, labels: np.ndarray, predicted: np.ndarray, probs: np.ndarray,
           counts: np.ndarray, shown: int) -> str:
    """The results as markdown: overall, per class, and the most frequent confusions."""
    accuracy = float(np.mean(predicted == labels))
    confidence = probs.max(axis=1)
    lines = [
        "# MNIST test-set evaluation",
        "",
        f"Model `{model_path}` on the {backend} backend, {len(labels):,} test images.",
        "",
        "| metric | value |",
        "| --- | --- |",
        f"| accuracy | **{accuracy:.2%}** ({int((predicted == labels).sum()):,}/{len(labels):,}) |",
        f"| errors | {int((predicted != labels).sum())} |",
        f"| median confidence when right | {_median(confidence[predicted == labels])} |",
        f"| median confidence when wrong | {_median(confidence[predicted != labels])} |",
        "",
        "| digit | images | accuracy (recall) | precision | most often mistaken for |",
        "| --- | --- | --- | --- | --- |",
    ]
    for d in range(10):
        total, predicted_as = int(counts[d].sum()), int(counts[:, d].sum())
        recall = f"{counts[d, d] / total:.2%}" if total else "-"
        precision = f"{counts[d, d] / predicted_as:.2%}" if predicted_as else "-"
        off = counts[d].copy()
        off[d] = 0
        worst = f"{int(off.argmax())} ({int(off.max())}x)" if off.max() else "-"
        lines.append(f"| {d} | {total} | {recall} | {precision} | {worst} |")
    pairs = sorted(((int(counts[t, p]), t, p) for t in range(10) for p in range(10) if t != p and counts[t, p]),
                   reverse=True)[:8]
    if pairs:
        lines += ["", "Most frequent confusions: " + ", ".join(f"{t}->{p} ({n}x)" for n, t, p in pairs) + "."]
    lines += [
        "",
        "![confusion matrix](confusion.png)",
        "",
        f"The {shown} misclassified digits the model was most sure about (true->predicted, confidence):",
        "",
        "![misclassified digits](misclassified.png)",
        "",
    ]
    return "\n".join(lines)


def _median(values: np.ndarray) -> str:
    return f"{np.median(values):.4f}" if len(values) else "-"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.limit < 0 or args.max_shown < 0:
            raise UserError("--limit and --max-shown must be 0 or more")
        _, (test_x, test_y) = load_mnist(args.data)
        if args.limit:
            test_x, test_y = test_x[: args.limit], test_y[: args.limit]
        model = Classifier(args.model, backend=args.backend)
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create output folder {out}: {exc}") from None
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    probs = predict(model, test_x.astype(np.float32) / 255.0)
    predicted = probs.argmax(axis=1)
    counts = confusion_matrix(test_y, predicted)
    wrong = np.flatnonzero(predicted != test_y)
    wrong = wrong[np.argsort(-probs[wrong].max(axis=1), kind="stable")][: args.max_shown]

    accuracy = float(np.mean(predicted == test_y))
    title = f"{Path(args.model).name} ({model.backend}): {accuracy:.2%} of {len(test_y):,}"
    markdown = report(shown_path(args.model), model.backend, test_y, predicted, probs, counts, len(wrong))
    for name, image in (("confusion.png", draw_confusion(counts, title)),
                        ("misclassified.png", draw_misclassified(test_x[wrong], test_y[wrong], probs[wrong]))):
        if not cv2.imwrite(str(out / name), image):
            print(f"error: cannot write {out / name}", file=sys.stderr)
            return 2
    write_report(out / "evaluation.md", markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    run_main(main)
