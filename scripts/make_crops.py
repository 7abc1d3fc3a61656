"""Crop real photos into their rows, as a user's close crop or a phone held too near does.

    python scripts/make_crops.py --out /tmp/crops                  # $REAL_DEV_DIR's photos
    python scripts/make_crops.py --data DIR --out /tmp/crops --depths 5,10,20
    python scripts/evaluate_real.py --data /tmp/crops --out - --misses

For every row of every photo with a truth JSON (real-dev's format: `lines` of `{box, label}`), and
each depth d in --depths (percent of the row's height), two copies: the frame's bottom edge moved up
to d% above the row's bottom (the photo cut through the row's lowest digits), and its top edge
moved down to d% below the row's top. The truth beside each copy keeps the rows whose every digit
is still at least 30% in the frame, their boxes clipped to it: a digit cut by the frame is still
the row's digit, so a row read without it is a wrong number, and "?" (no number) the honest answer.
A digit cut at a row's end, larger than the rest of its row, was left out and the row given as a
shorter number: that is the kind these copies test (realtime/segment.py, CUT_TALLER).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from evaluate_real import data_folder, read_truth  # noqa: E402
from realtime.errors import UserError, run_main  # noqa: E402

#: A digit at least this share of it in the frame is still scored (below, the row is not).
KEPT = 0.3
IMAGES = {".png", ".jpg", ".jpeg", ".bmp"}


def crop_truth(lines: list[list[dict]], top: int, bottom: int) -> list[list[dict]]:
    """The truth rows of a copy cut to the frame rows top..bottom (px of the original): each row
    whose digits are all at least KEPT in it, their boxes clipped and shifted to the copy."""
    kept = []
    for line in lines:
        digits = []
        for digit in line:
            x, y, w, h = digit["box"]
            y0, y1 = max(y, top), min(y + h, bottom)
            if y1 - y0 >= KEPT * h:
                digits.append({**digit, "box": [x, y0 - top, w, y1 - y0]})
        if line and len(digits) == len(line):
            kept.append(digits)
    return kept


def make_crops(folder: Path, out: Path, depths: list[int]) -> int:
    """Write the crops of every photo under `folder` with a truth into `out`; returns how many."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for media in sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGES and p.is_file()):
        truth_path = media.with_suffix(".json")
        if not truth_path.is_file():
            continue
        truth = read_truth(truth_path)
        if "lines" not in truth:
            continue
        image = cv2.imread(str(media), cv2.IMREAD_COLOR)
        if image is None:
            raise UserError(f"cannot read image {media}")
        for r, line in enumerate(truth["lines"]):
            top = min(d["box"][1] for d in line)
            bottom = max(d["box"][1] + d["box"][3] for d in line)
            for depth in depths:
                cut = round(depth / 100 * (bottom - top))
                for side, (y0, y1) in (("bottom", (0, bottom - cut)), ("top", (top + cut, image.shape[0]))):
                    name = out / f"{media.stem}__row{r}_{side}{depth}"
                    if not cv2.imwrite(str(name.with_suffix(".png")), image[y0:y1]):
                        raise UserError(f"cannot write {name.with_suffix('.png')}")
                    name.with_suffix(".json").write_text(json.dumps({**truth, "lines": crop_truth(truth["lines"], y0, y1)}))
                    count += 1
    if not count:
        raise UserError(f"no photo with a truth JSON (`lines`) under {folder}")
    return count


def parse_depths(text: str) -> list[int]:
    try:
        depths = [int(d) for d in text.split(",")]
    except ValueError:
        raise UserError(f"--depths: expected percentages such as 5,10,20, got {text!r}") from None
    if not all(0 < d < 100 for d in depths):
        raise UserError(f"--depths: each between 1 and 99, got {text!r}")
    return depths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=os.environ.get("REAL_DEV_DIR"),
                        help="folder of photos with truth JSON (default: $REAL_DEV_DIR)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the crops and their truth")
    parser.add_argument("--depths", default="5,10,20", help="how far into each row, percent of its height")
    args = parser.parse_args(argv)
    depths = parse_depths(args.depths)
    try:
        count = make_crops(data_folder(args.data), args.out, depths)
    except OSError as exc:
        raise UserError(f"cannot write the crops in {args.out}: {exc.strerror or exc}") from None
    print(f"{count} crops in {args.out}")
    return 0


if __name__ == "__main__":
    run_main(main)
