"""Camera mode on the real photos of the real-dev set (other people's files, read in place from
$REAL_DEV_DIR; skipped without it), through the real CLI as a user runs it.

A guard, not a tuning target: every photo read as a whole and no digit confidently wrong. The figures
of the whole set, video included, come from `scripts/evaluate_real.py` (README).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import evaluate_real  # noqa: E402

FOLDER = os.environ.get("REAL_DEV_DIR")
pytestmark = pytest.mark.skipif(not FOLDER, reason="REAL_DEV_DIR is not set: the real photos of the real-dev set")
PHOTOS = sorted(p for p in (Path(FOLDER) / "photos").glob("*") if p.suffix.lower() in (".jpg", ".jpeg")) if FOLDER else []


@pytest.mark.parametrize("photo", PHOTOS, ids=[p.name for p in PHOTOS])
def test_real_photo_is_read_whole_and_never_confidently_wrong(photo: Path, tmp_path: Path) -> None:
    kind, tally = evaluate_real.score_file(photo, evaluate_real.run_app(photo, None, [], tmp_path))
    assert tally.confident_wrong == 0
    assert tally.rows_correct == tally.rows, f"{photo.name}: {tally}"
