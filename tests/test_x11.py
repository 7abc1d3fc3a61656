"""The display check keeps its X connection: a fresh Xvfb does not reset between it and Qt's own.

An X server started without -noreset (Xvfb's default) resets when its last client disconnects.
The check used to connect and disconnect right before Qt connected; on a fresh Xvfb, Qt's
connection now and then landed in the reset, was refused, and Qt aborted the process (exit 134,
four lines): 2 of about 8 starts of draw mode. A reset clears the root window's properties,
which is what this test looks at, on a real Xvfb: a property set by a client that then leaves
is still there only if someone else (the check's connection) kept the server from resetting.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from xsession import Xvfb  # noqa: E402

XPROP = shutil.which("xprop")
CHECK = (
    "import sys; from realtime import x11; print(x11.connection_problem(sys.argv[1]), flush=True); "
    "sys.stdin.read()"  # the app runs on: its window would be made now
)


@pytest.mark.skipif(XPROP is None or shutil.which("Xvfb") is None, reason="needs Xvfb and xprop (x11-utils)")
def test_the_display_check_keeps_the_server_from_resetting_under_the_window() -> None:
    with Xvfb() as server:
        app = subprocess.Popen([sys.executable, "-c", CHECK, server.display], cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            assert app.stdout.readline().strip() == "None"  # connected: no problem
            env = {"DISPLAY": server.display, "PATH": "/usr/bin:/bin"}
            subprocess.run([XPROP, "-root", "-f", "_DIGITS_TEST", "8s", "-set", "_DIGITS_TEST", "kept"],
                           env=env, check=True, timeout=30)
            # xprop has left; had the check's connection gone too, the server would reset now.
            shown = subprocess.run([XPROP, "-root", "_DIGITS_TEST"], env=env, capture_output=True, text=True,
                                   check=True, timeout=30).stdout
            assert '"kept"' in shown, f"the server reset under the app: {shown.strip()}"
        finally:
            app.communicate("", timeout=30)
