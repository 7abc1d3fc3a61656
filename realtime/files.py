"""Writing images so that nothing is ever overwritten or half-written.

A sample a user labelled by hand is data we cannot get back: every file gets a fresh name,
is written to a temporary file first and renamed into place, and a full or read-only disk
comes back as a message for the window instead of an exception.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

import cv2
import numpy as np

from realtime.errors import UserError


def unique_paths(folder: Path, stem: str, endings: list[str]) -> list[Path]:
    """folder/stem-YYYYmmdd-HHMMSS-N<ending> for each ending, with the first N free for all."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in itertools.count():
        paths = [folder / f"{stem}-{stamp}-{n}{ending}" for ending in endings]
        if not any(p.exists() for p in paths):
            return paths
    raise AssertionError("unreachable")  # pragma: no cover


def write_png(path: Path, image: np.ndarray) -> None:
    """Encode and write whole (`_write_whole`), never over an existing file; raises OSError on failure."""
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise OSError(f"could not encode {path.name} as PNG")
    _write_whole(path, data.tobytes(), replace=False)


def write_report(path: str | os.PathLike, text: str) -> None:
    """Write a report (UTF-8 text) in place of `path`'s old one, whole or not at all
    (`_write_whole`), so a full disk leaves the old report as it was. Raises UserError (one line
    naming `path`) when it cannot be written."""
    try:
        _write_whole(Path(path), text.encode("utf-8"), replace=True)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_whole(path: Path, data: bytes, replace: bool) -> None:
    """Write `data` to a temporary file beside `path`, flushed to the disk, then rename it to
    `path`, over an old file only when `replace`: `path` is whole or untouched, and the temporary
    file never stays. Raises OSError (FileExistsError for an existing `path` without `replace`)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if not replace and path.exists():  # never overwrite, even if another process took the name meanwhile
            raise FileExistsError(f"{path} already exists")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def save_images(folder: str | os.PathLike, stem: str, images: dict[str, np.ndarray]) -> tuple[list[Path], str | None]:
    """Save each image as folder/stem-<time>-N<key>.png; returns (paths, error message or None).

    All or nothing: if one file cannot be written, the ones already written are removed.
    """
    folder = Path(folder)
    saved: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths = unique_paths(folder, stem, [f"{key}.png" for key in images])
        for path, image in zip(paths, images.values()):
            write_png(path, image)
            saved.append(path)
    except OSError as exc:
        for path in saved:  # a set (a sample's 28x28 input and its canvas) is kept whole or not at all
            path.unlink(missing_ok=True)
        return [], f"could not save: {exc.strerror or exc} ({folder})"  # the reason first: a window may cut the end
    return saved, None
