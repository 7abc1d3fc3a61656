"""Does the app's memory stay flat over a long clip? (No per-frame leak in reading, video or events.)

Renders a clip of 9,000 frames (5 minutes at 30 fps) of digits on paper, runs the real CLI on
it headless with --output and --events, and samples the process's resident memory (VmRSS from
/proc) as it goes, with the frame it has reached (the events log's line count). The median RSS
over the last quarter of the frames is compared with the median over the second quarter (the
first is start-up: the model, the codec, the buffers). Exit code 1 if it grew by more than
--max-growth MB.

    python scripts/memory_check.py            # 640x480, as a webcam delivers
    python scripts/memory_check.py --quick    # 160x120: the same code path in a fraction of the time
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def make_clip(path: Path, frames: int, size: tuple[int, int]) -> None:
    """`frames` frames of (width, height) `size`: a four-digit number on paper, moving."""
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, size)
    scale = height / 120
    for i in range(frames):
        frame = np.full((height, width, 3), 225, np.uint8)
        origin = (int((10 + i % 20) * scale), int(80 * scale))
        cv2.putText(frame, f"{i % 10000:04d}", origin, cv2.FONT_HERSHEY_SIMPLEX, 1.3 * scale, (25, 25, 25),
                    max(2, int(3 * scale)))
        writer.write(frame)
    writer.release()


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def measure(clip: Path, work: Path, frames: int) -> list[tuple[int, float]]:
    """(frames done, RSS in MB) samples over one headless run of the CLI on `clip`."""
    events = work / "events.jsonl"
    app = subprocess.Popen(
        [sys.executable, "-m", "realtime", "camera", "--headless", "--source", str(clip), "--output",
         str(work / "annotated.mp4"), "--events", str(events)],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    samples = []
    done = 0
    log = None
    while app.poll() is None:
        rss = rss_mb(app.pid)
        if log is None and events.exists():
            log = open(events, "rb")  # noqa: SIM115 - read as it grows, closed below
        if log is not None:
            done += log.read().count(b"\n")  # only what was added since the last sample
        if rss is not None and done:
            samples.append((done, rss))
        time.sleep(0.05)  # the sampling period
    if log is not None:
        log.close()
    if app.returncode != 0:
        raise SystemExit(f"the app failed (exit {app.returncode}): {app.stderr.read()[-500:]}")
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="160x120 frames instead of 640x480")
    parser.add_argument("--frames", type=int, default=9000)
    parser.add_argument("--max-growth", type=float, default=20.0, help="MB allowed between the quarters")
    args = parser.parse_args()
    size = (160, 120) if args.quick else (640, 480)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        clip = work / "long.mp4"
        make_clip(clip, args.frames, size)
        samples = measure(clip, work, args.frames)
    second = [rss for done, rss in samples if args.frames // 4 <= done < args.frames // 2]
    last = [rss for done, rss in samples if done >= 3 * args.frames // 4]
    if len(second) < 3 or len(last) < 3:
        raise SystemExit(f"too few samples to compare ({len(second)} and {len(last)}): the run was too fast")
    growth = statistics.median(last) - statistics.median(second)
    peak = max(rss for _, rss in samples)
    print(f"{args.frames} frames {size[0]}x{size[1]}: RSS median {statistics.median(second):.1f} MB in the second "
          f"quarter, {statistics.median(last):.1f} MB in the last (growth {growth:+.1f} MB, limit "
          f"{args.max_growth:.0f}); peak {peak:.1f} MB; {len(samples)} samples")
    return 0 if growth <= args.max_growth else 1


if __name__ == "__main__":
    sys.exit(main())
