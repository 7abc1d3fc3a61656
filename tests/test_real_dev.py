"""Camera mode on the real photos of the real-dev set (other people's files, read in place from
$REAL_DEV_DIR; skipped without it), through the real CLI as a user runs it.

A guard, not a tuning target: on every photo every digit found and none named wrong at 90% or more,
and the photos' digits together read at least as well as issue 10's label target (97%). Not "every
photo's number right": that would make one ambiguous digit of one file (the open-top "4" of
niraj_wild_4, read "9" at 0.89 by the shipped model, "4" at 0.82 by the one before) the judge of a
model, which the validation writers and the whole set judge better. The figures of the whole set,
video included, come from `scripts/evaluate_real.py` (README).
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


LABEL_TARGET = 0.97


def test_real_photos_are_found_whole_read_well_and_never_confidently_wrong(tmp_path: Path) -> None:
    assert PHOTOS, f"no photos in {FOLDER}/photos"
    total = evaluate_real.Tally()
    for photo in PHOTOS:
        _, tally = evaluate_real.score_file(photo, evaluate_real.run_app(photo, None, [], tmp_path))
        assert tally.matched == tally.truths and tally.confident_wrong == 0, f"{photo.name}: {tally}"
        total.add(tally)
    assert total.correct >= LABEL_TARGET * total.truths, f"photos together: {total}"
