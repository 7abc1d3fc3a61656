"""SHA-256 digests of a model and its companion files, checked at load.

One changed byte in a weight matrix gives no error anywhere: the model loads, runs and answers
confidently wrong. The shipped model therefore has a manifest beside it (`models/digits.sha256`,
the format `sha256sum` writes and `sha256sum -c` checks): the model files and the companions
fitted for it, each with its digest. At load a listed file that is missing or differs is a
UserError; hashing the ~3 MB takes a few milliseconds. A model without a manifest (a user's
own) is loaded unchecked.

Regenerate after writing new model files: `PYTHONPATH=. python -m realtime.manifest models/digits.keras`
(scripts/train.py, finetune.py and fit_typicality.py do it themselves).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from realtime.errors import UserError

#: Files that belong to a model `NAME.keras`, by suffix of NAME: listed when they exist.
MEMBERS = (".keras", ".tflite", "_typical.npz")


def manifest_path(model: str | os.PathLike) -> Path:
    """models/digits.keras or models/digits.tflite -> models/digits.sha256."""
    model = Path(model)
    return model.with_name(model.stem + ".sha256")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(model: str | os.PathLike) -> Path:
    """List the model's existing member files with their SHA-256 digests; returns the manifest's path.

    Written to a temporary file and renamed, so a reader sees the old or the new manifest, whole.
    """
    model = Path(model)
    stem = model.with_name(model.stem)
    lines = [f"{digest(p)}  {p.name}\n" for p in (Path(f"{stem}{s}") for s in MEMBERS) if p.is_file()]
    out = manifest_path(model)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text("".join(lines))
    tmp.replace(out)
    return out


def read_manifest(path: Path) -> dict[str, str]:
    """{file name: hex digest} from a `sha256sum`-format file; UserError if it is malformed."""
    entries: dict[str, str] = {}
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"model manifest {path} is unreadable ({exc})") from None
    for number, line in enumerate(text.splitlines(), 1):
        hexdigest, _, name = line.partition("  ")
        if len(hexdigest) != 64 or not name or "/" in name:
            raise UserError(f"model manifest {path} line {number} is not '<sha256>  <file name>'")
        entries[name.lstrip("*")] = hexdigest.lower()
    return entries


def verify(model: str | os.PathLike) -> dict[str, str] | None:
    """Check every file the manifest beside `model` lists; None when there is no manifest.

    Raises UserError naming the first listed file that is missing or whose digest differs, with
    the command that rewrites the manifest (for whoever just replaced the model on purpose).
    """
    path = manifest_path(model)
    if not path.exists():
        return None
    entries = read_manifest(path)
    for name, expected in entries.items():
        member = path.with_name(name)
        if not member.is_file():
            raise UserError(f"model file {member} is missing (listed in {path})")
        actual = digest(member)
        if actual != expected:
            raise UserError(
                f"model file {member} is damaged (checksum {actual[:12]}..., {path.name} says {expected[:12]}...); "
                f"if it was replaced on purpose: python -m realtime.manifest {Path(model)}"
            )
    return entries


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m realtime.manifest MODEL.keras  (writes MODEL.sha256 beside it)")
    print(write_manifest(sys.argv[1]))
