"""Score camera mode on degraded copies of a real set: the smaller photos and re-encoded videos users bring.

    python scripts/evaluate_degraded.py                        # $REAL_DEV_DIR -> docs/degraded_eval.md
    python scripts/evaluate_degraded.py --only "25%" "mpeg4 q5" --out -   # some degradations, print only
    python scripts/evaluate_degraded.py --keep /tmp/degraded   # keep the degraded files to look at

A photo sent on is scaled down and recompressed; a video is re-encoded. Each degradation below is
applied to every file of the set it fits (images: the photos and cases; videos: the video), the
copies are written to a temporary folder with their truth scaled to the new size (boxes' edges
scaled and rounded; a case keeps its number in its name), and the folder is scored by
`scripts/evaluate_real.py`'s own scoring through the real CLI. The column that matters most is
**wrong numbers**: rows shown as a number that is not the row's (evaluate_real's docstring gives
every rule); "?" in a row is the honest answer when the pixels do not hold a digit.

Images are scaled with `cv2.resize(..., interpolation=cv2.INTER_AREA)` (what a user's script does)
and written in their own format (JPEG at OpenCV's default quality 95, PNG lossless) unless the
degradation sets a JPEG quality; a fixed width larger than the image is skipped for it. The light
and the lens spoil a photo too: *faded* blends it toward white (`(1 - f) x + 255 f`: a washed-out
print, a photo half-transparent over white, glare), *overexposed* brightens its mid-tones by a
gamma under 1, *blurred* is out of focus (a Gaussian of `blur` px standard deviation) and *shaken*
is hand-held motion (a horizontal line `motion` px long, averaged); a *shadow band* takes a share
of the light over 30-60% of the width (a phone's shadow, sharp-edged, through the row) and *glare*
adds a soft spot at the centre (a lamp's reflection: clipped where it meets the paper). Videos are
re-encoded with ffmpeg (`-an`, every frame kept), and faded and overexposed as photos are (ffmpeg's
`lutrgb`: a sheet held up to a camera that exposes for a dark room comes out washed out).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from evaluate_real import Tally, app_options, data_folder, evaluate, media_in  # noqa: E402
from realtime.errors import UserError, run_main  # noqa: E402
from realtime.files import write_report  # noqa: E402

VIDEO = {".mp4", ".avi", ".mov", ".mkv"}


@dataclass(frozen=True)
class Degradation:
    """One way a file gets worse on its way to the app. An image degradation scales by `scale` or
    to `width` px (aspect kept), then fades by `fade`, brightens by `gamma`, blurs by `blur` px
    (Gaussian sigma) or `motion` px (a horizontal line), shades a band by `shade` or adds a
    glare spot of `glare` grey levels, mirrors it left to right (`mirror`: a selfie camera's
    photo, a mirrored webcam), and writes JPEG at `quality` (None: the file's own format); a
    video degradation passes `ffmpeg` (output options) to ffmpeg, and says with `mirror` that
    they mirror it. A mirrored digit is no digit (but 0, 1, 8): the right reading is "?", and any
    number shown for a mirrored row counts as a wrong number."""

    name: str
    scale: float = 1.0
    width: int | None = None
    quality: int | None = None
    ffmpeg: tuple[str, ...] = ()
    fade: float = 0.0
    gamma: float = 1.0
    blur: float = 0.0
    motion: int = 0
    shade: float = 0.0
    glare: float = 0.0
    mirror: bool = False

    @property
    def video(self) -> bool:
        return bool(self.ffmpeg)


MPEG4 = ("-c:v", "mpeg4", "-q:v", "5")
#: The shadow band's span, as shares of the width (through the middle of a row of digits), and
#: the glare spot's standard deviation, a share of the shorter side.
SHADE_BAND = (0.3, 0.6)
GLARE_SIGMA = 0.2
DEGRADATIONS = (
    Degradation("50%", scale=0.5),
    Degradation("35%", scale=0.35),
    Degradation("25%", scale=0.25),
    Degradation("width 320", width=320),
    Degradation("width 200", width=200),
    Degradation("width 160", width=160),
    Degradation("jpeg q50", quality=50),
    Degradation("jpeg q30", quality=30),
    Degradation("50% jpeg q40", scale=0.5, quality=40),
    Degradation("faded 45%", fade=0.45),
    Degradation("faded 60%", fade=0.6),
    Degradation("overexposed", gamma=0.4),
    Degradation("blurred 2 px", blur=2.0),
    Degradation("blurred 3 px", blur=3.0),
    Degradation("shaken 15 px", motion=15),
    Degradation("shadow band 40%", shade=0.4),
    Degradation("shadow band 50%", shade=0.5),
    Degradation("glare +90", glare=90.0),
    Degradation("mirrored", mirror=True),
    Degradation("mpeg4 q5", ffmpeg=MPEG4),
    Degradation("x264 crf28", ffmpeg=("-c:v", "libx264", "-crf", "28")),
    Degradation("x264 crf35", ffmpeg=("-c:v", "libx264", "-crf", "35")),
    Degradation("half mpeg4 q5", ffmpeg=("-vf", "scale=trunc(iw/4)*2:trunc(ih/4)*2", *MPEG4)),
    # the light's faults in a video, as `spoil` makes them in a photo (per channel), x264 at its default
    Degradation("video faded 45%", ffmpeg=("-vf", "lutrgb=" + ":".join(f"{c}=val*0.55+114.75" for c in "rgb"))),
    Degradation("video overexposed", ffmpeg=("-vf", "lutrgb=" + ":".join(f"{c}=gammaval(0.4)" for c in "rgb"))),
    # the photo's shadow band, in every frame: ffmpeg's drawbox, black at the share of the light taken
    Degradation("video shadow band 40%", ffmpeg=("-vf", "drawbox=x=iw*0.3:y=0:w=iw*0.3:h=ih:color=black@0.4:t=fill")),
    Degradation("video shadow band 50%", ffmpeg=("-vf", "drawbox=x=iw*0.3:y=0:w=iw*0.3:h=ih:color=black@0.5:t=fill")),
    Degradation("video mirrored", ffmpeg=("-vf", "hflip"), mirror=True),
)


def scale_box(box: list[int], sx: float, sy: float) -> list[int]:
    """A truth box [x, y, w, h] in a copy scaled by (sx, sy): its edges scaled and rounded."""
    x0, y0 = round(box[0] * sx), round(box[1] * sy)
    x1, y1 = round((box[0] + box[2]) * sx), round((box[1] + box[3]) * sy)
    return [x0, y0, max(1, x1 - x0), max(1, y1 - y0)]


def scale_truth(truth: dict, sx: float, sy: float, mirror_width: int | None = None) -> dict:
    """The truth JSON (evaluate_real's format: `lines`, or `frames` of lines) with every box scaled
    and, given the copy's width (px), mirrored left to right; a row's digits keep their order."""
    def box(b: list[int]) -> list[int]:
        x, y, w, h = scale_box(b, sx, sy)
        return [mirror_width - x - w, y, w, h] if mirror_width is not None else [x, y, w, h]

    def lines(rows: list[list[dict]] | None) -> list[list[dict]] | None:
        return None if rows is None else [[{**d, "box": box(d["box"])} for d in row] for row in rows]

    out = dict(truth)
    if "frames" in truth:
        out["frames"] = [lines(f) for f in truth["frames"]]
    if "lines" in truth:
        out["lines"] = lines(truth["lines"])
    return out


def video_size(path: Path) -> tuple[int, int]:
    capture = cv2.VideoCapture(str(path))
    try:
        return int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    finally:
        capture.release()


def spoil(image: np.ndarray, how: Degradation) -> np.ndarray:
    """`image` (uint8 BGR) with `how`'s light and lens faults applied: faded toward white,
    overexposed (gamma), blurred (Gaussian) or shaken (horizontal motion blur), shaded, mirrored or
    lit by a glare spot; uint8, same shape."""
    if how.fade:
        image = cv2.addWeighted(image, 1.0 - how.fade, np.full_like(image, 255), how.fade, 0.0)
    if how.gamma != 1.0:
        image = cv2.LUT(image, np.round(255.0 * (np.arange(256) / 255.0) ** how.gamma).astype(np.uint8))
    if how.blur:
        image = cv2.GaussianBlur(image, (0, 0), how.blur)
    if how.motion:
        image = cv2.blur(image, (how.motion, 1))
    if how.shade:  # a phone's or a hand's shadow: a band over SHADE_BAND of the width, sharp-edged
        image = image.copy()
        left, right = (round(f * image.shape[1]) for f in SHADE_BAND)
        image[:, left:right] = cv2.convertScaleAbs(image[:, left:right], alpha=1.0 - how.shade)
    if how.mirror:
        image = cv2.flip(image, 1)
    if how.glare:  # a lamp's reflection: a Gaussian spot at the centre, GLARE_SIGMA of the shorter side
        height, width = image.shape[:2]
        sigma = GLARE_SIGMA * min(height, width)
        y, x = np.ogrid[:height, :width]
        spot = how.glare * np.exp(-((x - width / 2) ** 2 + (y - height / 2) ** 2) / (2 * sigma**2))
        image = np.clip(image + spot[..., None], 0, 255).astype(np.uint8)
    return image


def degrade(media: Path, how: Degradation, out: Path) -> tuple[float, float] | None:
    """Write `media` degraded by `how` to `out` (same name); returns the (x, y) scale the truth
    takes, or None when `how` does not apply to this file. Raises UserError when a tool fails."""
    if (media.suffix.lower() in VIDEO) != how.video:
        return None
    if how.video:
        command = ["ffmpeg", "-nostdin", "-y", "-v", "error", "-i", str(media), "-an", *how.ffmpeg, str(out)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise UserError(f"ffmpeg failed on {media.name}: {done.stderr.strip()[-300:]}")
        (w0, h0), (w1, h1) = video_size(media), video_size(out)
        return w1 / w0, h1 / h0
    image = cv2.imread(str(media), cv2.IMREAD_COLOR)
    if image is None:
        raise UserError(f"cannot read image {media}")
    h0, w0 = image.shape[:2]
    if how.width is not None and how.width >= w0:
        return None
    ratio = how.width / w0 if how.width is not None else how.scale
    size = (max(1, round(w0 * ratio)), max(1, round(h0 * ratio)))
    if size != (w0, h0):
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    image = spoil(image, how)
    if how.quality is not None:
        out = out.with_suffix(".jpg")
        ok = cv2.imwrite(str(out), image, [cv2.IMWRITE_JPEG_QUALITY, how.quality])
    else:
        ok = cv2.imwrite(str(out), image)
    if not ok:
        raise UserError(f"cannot write {out}")
    return size[0] / w0, size[1] / h0


def degraded_set(folder: Path, how: Degradation, into: Path) -> int:
    """Write every file of `folder` that `how` applies to, degraded, with its truth, under `into`
    (the same layout); returns how many."""
    count = 0
    for media in media_in(folder):
        target = into / media.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        scale = degrade(media, how, target)
        if scale is None:
            continue
        count += 1
        truth = media.with_suffix(".json")
        if truth.is_file():
            written = next(p for p in target.parent.glob(target.stem + ".*") if p.suffix != ".json")
            width = None
            if how.mirror:
                width = video_size(written)[0] if how.video else cv2.imread(str(written), cv2.IMREAD_UNCHANGED).shape[1]
            scaled = scale_truth(json.loads(truth.read_text()), *scale, mirror_width=width)
            written.with_suffix(".json").write_text(json.dumps(scaled))
    return count


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def table(results: list[tuple[Degradation, int, Tally, list[str]]], command: str) -> str:
    head = ("| degradation | files | truth digits | recall | precision | labels | confidently wrong digits "
            "| whole rows | wrong numbers |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = [f"| {how.name} | {files} | {t.truths} | {_pct(t.recall)} | {_pct(t.precision)} | "
            f"{_pct(t.label_accuracy)} | {t.confident_wrong} | {_pct(t.row_accuracy)} ({t.rows_correct}/{t.rows}) "
            f"| {t.rows_wrong} |" for how, files, t, _ in results]
    notes = [f"- {how.name}: " + "; ".join(bad) for how, _, _, bad in results if bad]
    return "\n".join([
        "# Camera mode on degraded real input", "",
        f"`{command}`: each degraded copy read through `python -m realtime camera --headless` and scored "
        "as `scripts/evaluate_real.py` scores (IoU >= 0.5; wrong numbers: rows shown as a number that is "
        "not the row's).", "", head, *rows, "",
        *(["Files with confidently wrong digits or wrong numbers:", "", *notes, ""] if notes else []),
    ])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=os.environ.get("REAL_DEV_DIR"),
                        help="folder of images/videos with truth JSON (default: $REAL_DEV_DIR)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="degradations to run, by name (default: all)")
    parser.add_argument("--model", type=Path, help="model to read with (default: the shipped one)")
    parser.add_argument("--app-args", default="", help="extra camera-mode options, one quoted string")
    parser.add_argument("--keep", type=Path, help="write the degraded sets here (one folder each) and keep them")
    parser.add_argument("--out", default=str(ROOT / "docs" / "degraded_eval.md"), help="markdown report, or - for none")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    folder = data_folder(args.data)
    chosen = [d for d in DEGRADATIONS if args.only is None or d.name in args.only]
    unknown = set(args.only or []) - {d.name for d in DEGRADATIONS}
    if unknown:
        raise UserError(f"unknown degradation(s): {', '.join(sorted(unknown))} "
                        f"(known: {', '.join(d.name for d in DEGRADATIONS)})")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for how in chosen:
            into = (args.keep or Path(scratch)) / how.name.replace(" ", "-").replace("%", "pc")
            shutil.rmtree(into, ignore_errors=True)
            files = degraded_set(folder, how, into)
            if not files:
                continue
            per_file, _, total = evaluate(into, args.model, app_options(args.app_args))
            bad = [f"{name} ({t.confident_wrong} digits, {t.rows_wrong} numbers)"
                   for name, t in per_file if t.confident_wrong or t.rows_wrong]
            results.append((how, files, total, bad))
            print(f"{how.name}: recall {_pct(total.recall)}, wrong numbers {total.rows_wrong}", file=sys.stderr)
    text = table(results, shlex.join(["python", "scripts/evaluate_degraded.py", *argv]))
    print(text)
    if args.out != "-":
        write_report(args.out, text)
    return 0


if __name__ == "__main__":
    run_main(main)
