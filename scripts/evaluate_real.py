"""Score camera mode on real photos and videos with hand-made truth, through the real CLI.

    python scripts/evaluate_real.py                         # $REAL_DEV_DIR -> docs/real_eval.md
    python scripts/evaluate_real.py --data DIR --out -      # any folder of the same layout, print only
    python scripts/evaluate_real.py --app-args "--sensitivity 20"   # any camera-mode options
    python scripts/evaluate_real.py --data /tmp/pages --out docs/pages_eval.md --title "..."  # rendered kinds
    python scripts/evaluate_real.py --data /tmp/pages --out - --misses   # and each row not read right

Each image or video is read by `python -m realtime camera --source FILE --headless --events E`,
exactly as a user runs it (default settings, smoothing on for video), and its events are scored
against the truth JSON beside it (`../shared/data/real-dev/README.md` gives the format: `lines` of
`{box, label}` for a photo, `frames` of such lines for a video; a label of null is an ambiguous
glyph, not scored). Files named `NN-what-DIGITS.png` without a JSON (the real-dev `cases/`) are
scored on the number alone.

Per frame, the candidates the app offers as digits are matched one-to-one to truth boxes, best IoU
first, at IoU >= 0.5: those the model was asked about (a `probs` row that is not all zeros: finder
rejections are left out) and did not call "not a digit" (the app's answer there is that no digit
is there, so such a candidate over a truth digit is a miss); a "?" (unsure) candidate is offered.

- recall: scored truth digits matched by a candidate / scored truth digits;
- precision: digits the app names (digit not null) that match a truth box / digits it names;
- label accuracy: matched truth digits shown as their label / matched ("?" counts as wrong);
- confidently wrong: named digits matched to a truth digit of another label at confidence >= 0.9;
- whole rows: a truth row is right when the app's text for it is the row's digits exactly. The
  app's text is its own row (`lines[].text` in the event, when the event has rows) overlapping
  the truth row most; otherwise the candidates whose centres lie in the row's band, left to
  right, "?" for an unnamed one.
- wrong numbers: truth rows the app shows as a number (digits only, no "?") that is not the row's
  digits: a confidently wrong number, the worst answer (a digit left out, one too many, one
  misread). A row shown with a "?" has no number (null in the events) and is not counted; nor is
  a row the app shows nothing for. A case file: its event's `number` not null and not its number.

The real set is judged overall (TARGETS); a rendered kind of page (scripts/make_test_pages.py
writes its kind into the truth) is judged on its own (KIND_TARGETS), so that one kind that fails
is not hidden by the others.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from realtime.errors import UserError, run_main  # noqa: E402
from realtime.files import write_report  # noqa: E402
from realtime.tracking import iou  # noqa: E402

MIN_IOU = 0.5
CONFIDENT = 0.9
TARGETS = {"recall": 0.97, "precision": 0.97, "label_accuracy": 0.97, "row_accuracy": 0.90}
KIND_TARGETS = {"recall": 0.95, "row_accuracy": 0.90}  # each rendered kind (issue 10)
REAL_KINDS = {"photo", "video", "case"}  # the kinds of real files; any other kind was rendered
TITLE = "Camera mode on real photos and video"
MEDIA = {".png", ".jpg", ".jpeg", ".bmp", ".mp4", ".avi", ".mov", ".mkv"}
CASE_NAME = re.compile(r"^\d+-[\w-]*?-(\d+)$")

Box = tuple[int, int, int, int]


@dataclass
class Tally:
    """Counts; the rates are derived so that the tallies of several files add up."""

    truths: int = 0
    matched: int = 0
    correct: int = 0
    named: int = 0
    named_hits: int = 0
    confident_wrong: int = 0
    rows: int = 0
    rows_correct: int = 0
    rows_wrong: int = 0
    frames: int = 0
    #: Each truth row not read right: (frame, the row's digits, what the app showed, whether that
    #: counts as a wrong number), for --misses.
    misses: list[tuple[int, str, str, bool]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def recall(self) -> float | None:
        return self.matched / self.truths if self.truths else None

    @property
    def precision(self) -> float | None:
        return self.named_hits / self.named if self.named else None

    @property
    def label_accuracy(self) -> float | None:
        return self.correct / self.matched if self.matched else None

    @property
    def row_accuracy(self) -> float | None:
        return self.rows_correct / self.rows if self.rows else None


def match(truths: list[Box], found: list[Box]) -> dict[int, int]:
    """Greedy one-to-one matching, best IoU first: {truth index: found index} at IoU >= MIN_IOU."""
    pairs = sorted(((iou(t, f), ti, fi) for ti, t in enumerate(truths) for fi, f in enumerate(found)), reverse=True)
    used: set[int] = set()
    out: dict[int, int] = {}
    for overlap, ti, fi in pairs:
        if overlap < MIN_IOU:
            break
        if ti not in out and fi not in used:
            out[ti] = fi
            used.add(fi)
    return out


def _offered(digit: dict) -> bool:
    """Whether the app offers a candidate the model was asked about as a digit (named or "?"):
    not when the model called it "not a digit"."""
    return digit.get("reason") != "not a digit"


def _label(digit: dict) -> str:
    return "?" if digit.get("digit") is None else str(digit["digit"])


def _union(boxes: list[Box]) -> Box:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def _centre(box: Box | list[int]) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def _row_text(line: list[dict], event: dict, candidates: list[dict]) -> str:
    """What the app shows for the truth row `line`: its own row's text, or the candidates in the
    row's band in the row's writing direction (first to last truth digit: left to right on an
    upright page, any way on a turned one)."""
    row = _union([tuple(d["box"]) for d in line])
    app_rows = [r for r in event.get("lines") or [] if "box" in r and "text" in r]
    if app_rows:
        best = max(app_rows, key=lambda r: iou(row, tuple(r["box"])))
        return best["text"] if iou(row, tuple(best["box"])) > 0 else ""
    x, y, w, h = row
    inside = [c for c in candidates if x <= _centre(c["box"])[0] <= x + w and y <= _centre(c["box"])[1] <= y + h]
    (x0, y0), (x1, y1) = _centre(line[0]["box"]), _centre(line[-1]["box"])
    along = (x1 - x0, y1 - y0) if len(line) > 1 else (1.0, 0.0)
    inside.sort(key=lambda c: _centre(c["box"])[0] * along[0] + _centre(c["box"])[1] * along[1])
    return "".join(_label(c) for c in inside)


def score_frame(lines: list[list[dict]], event: dict | None, frame: int = 0) -> Tally:
    """One frame's truth rows against the app's event for it (None: the app wrote nothing);
    `frame`, its index, names the rows it misses."""
    tally = Tally(frames=1)
    truth = [(tuple(d["box"]), d["label"]) for line in lines for d in line]
    asked = [d for d in (event or {}).get("digits", []) if any(p > 0 for p in d.get("probs", []))]
    candidates = [d for d in asked if _offered(d)]
    pairs = match([b for b, _ in truth], [tuple(c["box"]) for c in candidates])
    for ti, (_, label) in enumerate(truth):
        if label is None:
            continue
        tally.truths += 1
        if ti in pairs:
            tally.matched += 1
            tally.correct += candidates[pairs[ti]].get("digit") == label
    matched_to = {fi: truth[ti][1] for ti, fi in pairs.items()}
    for fi, cand in enumerate(candidates):
        if cand.get("digit") is None:
            continue
        tally.named += 1
        if fi in matched_to:
            tally.named_hits += 1
            label = matched_to[fi]
            wrong = label is not None and cand["digit"] != label
            tally.confident_wrong += wrong and cand.get("confidence", 0.0) >= CONFIDENT
    for line in lines:
        if not line or any(d["label"] is None for d in line):
            continue
        tally.rows += 1
        text = "".join(str(d["label"]) for d in line)
        shown = _row_text(line, event, asked) if event is not None else ""
        wrong = shown != text and shown.isdigit()
        tally.rows_correct += shown == text
        tally.rows_wrong += wrong
        if shown != text:
            tally.misses.append((frame, text, shown, wrong))
    return tally


def score_case(number: str, event: dict | None) -> Tally:
    """A file whose only truth is the number in its name: one row, right when the event's
    `number` is it, a wrong number when that is another (a "?" makes it null: neither)."""
    shown = None if event is None else event.get("number")
    wrong = shown not in (None, number)
    text = shown if shown is not None else " ".join(r.get("text", "") for r in (event or {}).get("lines") or [])
    return Tally(frames=1, rows=1, rows_correct=int(shown == number), rows_wrong=int(wrong),
                 misses=[] if shown == number else [(0, number, text, wrong)])


def read_events(path: Path) -> dict[int, dict]:
    events: dict[int, dict] = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                events[int(record["frame"])] = record
    return events


def run_app(media: Path, model: Path | None, app_args: list[str], work: Path) -> dict[int, dict]:
    """Read `media` with the real CLI, headless; returns its events by frame number."""
    events = work / f"{media.stem}.jsonl"
    events.unlink(missing_ok=True)
    command = [sys.executable, "-m", "realtime", "camera", "--source", str(media), "--headless",
               "--events", str(events), *(["--model", str(model)] if model else []), *app_args]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    if done.returncode in (130, -2):  # Ctrl-C reached the app too
        raise KeyboardInterrupt
    if done.returncode != 0:
        raise UserError(f"the app failed on {media.name} (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    return read_events(events)


def score_file(media: Path, events: dict[int, dict]) -> tuple[str, Tally] | None:
    """Score one media file against its truth: (its kind, its tally), or None when it has no truth.

    The kind is the truth's `kind` field ("photo", "video", or a rendered kind such as
    "dense-page"), or "case" for a file with its number in its name.
    """
    truth_path = media.with_suffix(".json")
    if truth_path.is_file():
        truth = read_truth(truth_path)
        kind = str(truth.get("kind", "photo"))
        if "frames" in truth:
            total = Tally()
            for index, lines in enumerate(truth["frames"]):
                if lines is not None:
                    total.add(score_frame(lines, events.get(index), index))
            return kind, total
        return kind, score_frame(truth["lines"], events.get(0))
    named = CASE_NAME.match(media.stem)
    return ("case", score_case(named.group(1), events.get(0))) if named else None


def read_truth(path: Path) -> dict:
    """A truth JSON (`lines`, or `frames` of lines, each line a list of `{box: [x, y, w, h],
    label: 0-9 or null}`); UserError naming the file and the first thing wrong when it cannot be
    read or is not of that form."""
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"cannot read the truth {path}: {exc}") from None
    if not isinstance(truth, dict) or not isinstance(truth.get("lines", truth.get("frames")), list):
        raise UserError(f"the truth {path} has no list of `lines` or `frames` (see the real-dev README)")
    frames = truth["frames"] if "frames" in truth else [truth["lines"]]
    for lines in frames:
        problem = None if lines is None else _bad_lines(lines)
        if problem:
            raise UserError(f"the truth {path}: {problem} (see the real-dev README)")
    return truth


def _bad_lines(lines: object) -> str | None:
    """What is wrong with one frame's truth `lines`, or None when nothing is."""
    if not isinstance(lines, list) or not all(isinstance(line, list) for line in lines):
        return "`lines` must be a list of lists of digits"
    for digit in (d for line in lines for d in line):
        box = digit.get("box") if isinstance(digit, dict) else None
        if not (isinstance(box, list) and len(box) == 4 and all(isinstance(v, (int, float)) for v in box)):
            return f"a digit's `box` must be [x, y, w, h], got {digit!r:.80}"
        label = digit.get("label")
        if label is not None and not (isinstance(label, int) and 0 <= label <= 9):
            return f"a digit's `label` must be 0-9 or null, got {label!r:.20}"
    return None


def scorable(folder: Path) -> list[Path]:
    """The media under `folder` that have a truth: a JSON beside them or a case's name
    (NN-what-DIGITS); UserError when there are none (nothing would be scored) or a truth JSON
    cannot be read (`read_truth`)."""
    files = [m for m in media_in(folder) if m.with_suffix(".json").is_file() or CASE_NAME.match(m.stem)]
    for media in files:  # a bad truth stops the run before the app reads anything
        if media.with_suffix(".json").is_file():
            read_truth(media.with_suffix(".json"))
    if not files:
        raise UserError(f"nothing to score under {folder}: no image or video has a truth JSON beside it "
                        "or a case's name (NN-what-DIGITS.png)")
    return files


def evaluate(folder: Path, model: Path | None = None, app_args: list[str] | None = None
             ) -> tuple[list[tuple[str, Tally]], dict[str, Tally], Tally]:
    """Read every media file under `folder` with the CLI and score it: (each file's path relative
    to `folder` and tally, the tallies by kind, the total). Raises UserError when the app fails."""
    total, per_file, per_kind = Tally(), [], {}
    with tempfile.TemporaryDirectory() as work:
        for media in scorable(folder):
            scored = score_file(media, run_app(media, model, app_args or [], Path(work)))
            if scored is not None:
                kind, tally = scored
                per_file.append((str(media.relative_to(folder)), tally))
                per_kind.setdefault(kind, Tally()).add(tally)
                total.add(tally)
    return per_file, per_kind, total


def media_in(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in MEDIA and p.is_file())
    if not files:
        raise UserError(f"no images or videos under {folder}")
    return files


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _verdicts(tally: Tally, targets: dict[str, float]) -> list[str]:
    out = []
    for key, target in targets.items():
        value = getattr(tally, key)
        ok = value is not None and value >= target
        out.append(f"{key.replace('_', ' ')} {_pct(value)} (target {_pct(target)}: {'met' if ok else 'missed'})")
    return out


def report(
    per_file: list[tuple[str, Tally]], per_kind: dict[str, Tally], total: Tally, command: str, title: str = TITLE,
    misses: bool = False,
) -> str:
    """The markdown report: a table by file and kind, the verdicts on the targets and, with
    `misses`, every truth row not read right (what to look at next: the failures by kind)."""
    head = ("| file | frames | truth digits | recall | precision | label accuracy | confidently wrong "
            "| whole rows | wrong numbers |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = [head]
    kinds = [(f"**{kind}** (all)", t) for kind, t in sorted(per_kind.items())] if len(per_kind) > 1 else []
    for name, t in [*per_file, *kinds, ("**all**", total)]:
        rows.append(f"| {name} | {t.frames} | {t.truths} | {_pct(t.recall)} | {_pct(t.precision)} "
                    f"| {_pct(t.label_accuracy)} | {t.confident_wrong} | {_pct(t.row_accuracy)} "
                    f"({t.rows_correct}/{t.rows}) | {t.rows_wrong} |")
    rendered = [f"- **{kind}**: " + "; ".join(_verdicts(t, KIND_TARGETS)) + "."
                for kind, t in sorted(per_kind.items()) if kind not in REAL_KINDS]
    return "\n".join([
        f"# {title}", "",
        f"`{command}`: each file read through `python -m realtime camera --headless`, IoU >= {MIN_IOU}.", "",
        *rows, "", "Overall: " + "; ".join(_verdicts(total, TARGETS)) + ".", "",
        *(["Per rendered kind:", "", *rendered, ""] if rendered else []),
        *(_misses(per_file) if misses else []),
    ])


def _misses(per_file: list[tuple[str, Tally]]) -> list[str]:
    """The rows not read right, a table line each; "wrong number" marks a row shown as another
    number (the worst answer), as opposed to one shown with a "?" or not at all."""
    out = ["Rows not read right:", "", "| file | frame | truth | shown | |", "| --- | ---: | --- | --- | --- |"]
    for name, tally in per_file:
        for frame, text, shown, wrong in tally.misses:
            out.append(f"| {name} | {frame} | {text} | {shown or '(nothing)'} | {'wrong number' if wrong else ''} |")
    return [*out, ""] if len(out) > 4 else []


def data_folder(data: Path | str | None) -> Path:
    """The --data folder, absolute (the app runs in a temporary folder); UserError when it is
    not given (no --data, no $REAL_DEV_DIR) or not a folder."""
    if data is None:
        raise UserError("no data folder: pass --data or set REAL_DEV_DIR (e.g. ../shared/data/real-dev)")
    folder = Path(data).resolve()
    if not folder.is_dir():
        raise UserError(f"data folder not found: {folder}")
    return folder


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=os.environ.get("REAL_DEV_DIR"),
                        help="folder of images/videos with truth JSON (default: $REAL_DEV_DIR)")
    parser.add_argument("--model", type=Path, help="model to read with (default: the shipped one)")
    parser.add_argument("--app-args", default="", help="extra camera-mode options, one quoted string")
    parser.add_argument("--out", default=str(ROOT / "docs" / "real_eval.md"), help="markdown report, or - for none")
    parser.add_argument("--title", default=TITLE, help="the report's heading")
    parser.add_argument("--misses", action="store_true", help="also list every row not read right: truth and shown")
    return parser.parse_args(argv)


#: Options the script gives the app itself, per file: --app-args may not set them.
OWN_OPTIONS = ("--source", "--headless", "--events", "--model")


def app_options(text: str) -> list[str]:
    """--app-args as a list of camera-mode options; UserError when it does not parse or sets one
    of OWN_OPTIONS (the app would read another file than the one scored)."""
    try:
        options = shlex.split(text)
    except ValueError as exc:
        raise UserError(f"--app-args: {exc}") from None
    taken = [o for o in options if o.split("=")[0] in OWN_OPTIONS]
    if taken:
        raise UserError(f"--app-args may not set {taken[0].split('=')[0]}: the script gives it for each file")
    return options


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    folder = data_folder(args.data)
    options = app_options(args.app_args)
    out = Path(args.out) if args.out != "-" else None
    if out is not None and not out.parent.is_dir():
        raise UserError(f"cannot write {out}: no folder {out.parent}")
    if out is not None and out.is_dir():
        raise UserError(f"cannot write {out}: it is a folder")
    per_file, per_kind, total = evaluate(folder, args.model, options)
    command = shlex.join(["python", "scripts/evaluate_real.py", *argv])
    text = report(per_file, per_kind, total, command, args.title, args.misses)
    print(text)
    if out is not None:
        write_report(out, text)
    return 0


if __name__ == "__main__":
    run_main(main)
