"""An open draw window that shows nothing new costs next to no CPU: the real app on Xvfb.

The app draws "42" (real pointer drags through X), reads the whole drawing, then is left alone
for 5 s while its CPU time is read from /proc; then a long stroke is drawn without pause and
measured the same way. The idle figure must be well under the busy one (a window that redraws
every 10 ms, as before, used ~16% of a core idle). Run with -s to see the figures;
scripts/idle_cpu.py measures camera mode as well.
"""

from __future__ import annotations

import sys
import time

from e2e import DrawSession, reaches

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from idle_cpu import zigzag  # noqa: E402  (scripts/idle_cpu.py)
from screenshots import drawing  # noqa: E402

IDLE_SECONDS = 5.0


def test_an_idle_draw_window_costs_well_under_a_busy_one(draw_session: DrawSession) -> None:
    session = draw_session
    strokes = drawing("print", "42")
    end = strokes[-1][-1]
    assert end[0] == max(x for stroke in strokes for x, _ in stroke)
    for stroke in strokes:
        session.drag(stroke)
    # Its last point is its rightmost, so the ink reaches it only once all of it is in. (What it
    # is read as is test_draw_e2e's matter: on a busy machine Qt merges queued mouse moves.)
    session.reading(-1, "the reading of the whole drawing", lambda e: reaches(e, end, "right"))
    idle = session.cpu_percent(IDLE_SECONDS)
    cpu, start = session.cpu_seconds(), time.monotonic()
    frame = session.lines()[-1]["frame"]
    session.drag(zigzag(448, 200))
    busy = 100 * (session.cpu_seconds() - cpu) / (time.monotonic() - start)
    # More readings than the stroke's end alone gives: it was read while it was drawn.
    session.reading(frame + 10, "readings of the long stroke as it was drawn", lambda e: True)
    print(f"draw mode CPU, % of one core: idle {idle:.1f} over {IDLE_SECONDS:g} s, drawing {busy:.1f}")
    assert idle < busy / 4, f"idle {idle:.1f}% is not well under busy {busy:.1f}%"
