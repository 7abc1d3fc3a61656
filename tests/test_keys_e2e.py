"""A fast burst of keys on the real window: every key takes effect, none is lost.

highgui's Qt backend keeps one key per wait, so keys a few ms apart (a user's fast typing, a
held key's auto-repeat) used to be lost: ten '+' 12 ms apart moved the brush five steps. The app
reads key presses from the window's own X connection (realtime.x11). Real X events: xdotool
sends the keys 10 ms apart to the app on Xvfb; the effect is read back from what the app writes.
"""

from __future__ import annotations

import sys

import pytest
from e2e import BRUSH, DrawSession, reaches

PLUS = 10  # '+' presses: 2 px each, from the default brush


def test_every_key_of_a_fast_burst_takes_effect(draw_session: DrawSession) -> None:
    session = draw_session
    # The app at work first (a stroke read, then cleared), so that its loop runs when the burst comes.
    session.drag([(40, 40), (60, 60)])
    session.reading(-1, "the first stroke's reading", lambda e: reaches(e, (60, 60), "right"))
    frame = session.last_frame()
    session.key("c")
    session.reading(frame, "the empty reading after 'c'", lambda e: not e["digits"])
    session.xdo("key", "--window", session.window, "--delay", 10, *["plus"] * PLUS)
    # A vertical line 200 px long: its ink box is 200 px plus the brush (one brush width, half at each end).
    frame = session.last_frame()
    session.drag([(120, 100 + 20 * k) for k in range(11)])
    line = session.reading(frame, "a reading of the whole line drawn after the burst",
                           lambda e: reaches(e, (120, 300), "bottom"))
    height = line["digits"][0]["box"][3]
    expected = 200 + BRUSH + 2 * PLUS
    assert abs(height - expected) <= 3, (
        f"after {PLUS} '+' 10 ms apart the line is {height} px high, expected {expected} "
        f"(brush {BRUSH} + {2 * PLUS}): about {(height - 200 - BRUSH) / 2:.0f} of the {PLUS} keys took effect")
    session.xdo("key", "--window", session.window, "--delay", 10, *["s"] * 4)
    shots = session.save / "screenshots"
    session.wait_for("4 screenshots from 4 's' 10 ms apart", lambda: len(list(shots.glob("window-*.png"))) == 4)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
