"""Choose the stroke lattice's costs (realtime.strokes.Costs) on validation data, never on test data.

    PEN_DEV_DIR=../shared/data/pen-dev python scripts/sweep_strokes.py [--numbers 8] [--non-digits 60]

The drawings are scripts/evaluate_draw.py's: the pen-dev VALIDATION writers' digits alone and as
numbers at each spacing, and the generated non-digit set, painted on the 448 px canvas as the mouse
handler paints them. Each drawing's lattice is built and classified once; every setting of the grid
then only reruns the search and `decide`. One line per setting: singles right, digits called "not a
digit", numbers right per spacing, non-digits turned down; sorted by the numbers' mean, the
defaults marked with "*", and the component finder on the same canvases for reference.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from dataclasses import astuple, fields
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from evaluate_draw import (  # noqa: E402  (scripts/ is on sys.path)
    PEN_CANVAS, SPACINGS, non_digit_drawings, outcome, pen_number_drawings, pen_single_drawings)

from realtime import pen  # noqa: E402
from realtime.canvas import Canvas  # noqa: E402
from realtime.classifier import DEFAULT_MODEL, Classifier  # noqa: E402
from realtime.errors import run_main  # noqa: E402
from realtime.reading import Reading, read_binary  # noqa: E402
from realtime.segment import CANVAS_SETTINGS  # noqa: E402
from realtime.strokes import Costs, best_grouping, classified, results_of  # noqa: E402

GRID = {
    "digit": (0.0, 0.5, 1.0),
    "wide": (0.8,),
    "wide_cost": (3.0,),
    "overlap": (3.0, 5.0, 7.0),
    "gap": (3.0,),
    "none": (2.0, 3.0, 4.0),
    "reject": (1.0,),
}


def lattice(model: Classifier, strokes: list) -> tuple:
    """Paint unit strokes as the mouse handler does: the classified lattice, and the component
    finder's reading of the same canvas (the reference)."""
    canvas = Canvas(PEN_CANVAS)
    pen.paint(canvas, [np.round(np.asarray(s) * (PEN_CANVAS - 1)).astype(np.int32) for s in strokes])
    binary = canvas.image > 127
    return classified(canvas.strokes, binary, model)[:2], read_binary(binary, model, CANVAS_SETTINGS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--pen", help="pen-dev folder (default: $PEN_DEV_DIR)")
    parser.add_argument("--numbers", type=int, default=8, help="numbers per validation writer and spacing")
    parser.add_argument("--non-digits", type=int, default=60, help="non-digits per kind")
    parser.add_argument("--singles-every", type=int, default=1, help="every n-th validation digit alone")
    parser.add_argument("--defaults", action="store_true", help="score the default costs only (and the finder)")
    args = parser.parse_args(argv)
    model = Classifier(args.model)
    samples = pen.split(pen.load(args.pen))[1]
    singles = [(label, lattice(model, s)) for label, _, s in pen_single_drawings(samples[:: args.singles_every])]
    numbers = [(label, spacing, lattice(model, s)) for label, _, spacing, s, _ in pen_number_drawings(samples, args.numbers)]
    others = [lattice(model, s) for _, _, s in non_digit_drawings(args.non_digits)]

    def read(built: tuple, costs: Costs | None) -> Reading:
        if costs is None:
            return built[1]
        return Reading(results_of(best_grouping(*built[0], costs), model), {})

    names = [f.name for f in fields(Costs)]
    rows = []
    grid = [Costs()] if args.defaults else [Costs(*v) for v in itertools.product(*(GRID[n] for n in names))]
    for costs in [None, *grid]:
        single = [read(b, costs) for _, b in singles]
        right = np.mean([outcome(r, label) == "right" for (label, _), r in zip(singles, single)])
        refused = np.mean([any(d.reason == "not a digit" for d in r.digits) for r in single])
        shown = [(label, s, read(b, costs).number) for label, s, b in numbers]
        per = {sp: np.mean([number == label for label, s, number in shown if s == sp]) for sp in SPACINGS}
        wrong = sum(number not in (None, label) for label, _, number in shown)
        down = np.mean([not any(d.digit is not None for d in read(b, costs).digits) for b in others])
        rows.append((np.mean(list(per.values())), costs, right, refused, per, wrong, down))
    print("  " + " ".join(f"{n:>9}" for n in names) + "  singles  refused  " + "  ".join(SPACINGS) + "  wrong numbers  non-digits")
    for mean, costs, right, refused, per, wrong, down in sorted(rows, key=lambda r: -r[0]):
        mark = "*" if costs == Costs() else " "
        head = " ".join(f"{v:9.2f}" for v in astuple(costs)) if costs else f"{'component finder (no strokes)':49}"
        print(f"{mark} {head}  {right:6.1%}  {refused:6.2%}  "
              + "  ".join(f"{per[sp]:{len(sp)}.1%}" for sp in SPACINGS) + f"  {wrong:13d}  {down:6.1%}", flush=True)
    return 0


if __name__ == "__main__":
    run_main(main)
