"""Command line: `python -m realtime draw|camera ...` (also installed as `digit-recognizer`).

Every problem the user can fix ends here as one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

# OpenCV's videoio logs several lines of its own for a camera that does not open; the user gets
# our one line instead.
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # FFmpeg's own log (AV_LOG_QUIET), e.g. "moov atom not found"


def _interrupted(signum: int, frame: object) -> NoReturn:
    raise SystemExit(128 + signum)


# Ctrl-C while the modules below load (TensorFlow's, OpenCV's: up to a second) ends quietly with
# 130, not a traceback; main() gives SIGINT back to Python's KeyboardInterrupt.
signal.signal(signal.SIGINT, _interrupted)

from realtime.pixel_limit import MAX_PIXELS, MAX_SETTABLE, limit_before_opencv  # noqa: E402

limit_before_opencv(sys.argv[1:])  # before cv2 is imported: OpenCV reads the limit once, at import

from realtime import __version__
from realtime.camera_app import HELP as CAMERA_KEYS
from realtime.classifier import DEFAULT_MODEL, Classifier
from realtime.draw_app import HELP as DRAW_KEYS
from realtime.errors import StdoutError, UserError, flush_stdout
from realtime.events import STDOUT


class _Parser(argparse.ArgumentParser):
    """argparse with its errors as one line ("error: ..."), not the usage block first."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")

    def _print_message(self, message: str, file=None) -> None:
        """Help and version text: argparse would drop a write error silently and exit 0."""
        if message and (file or sys.stdout) is sys.stdout:
            flush_stdout(message.removesuffix("\n"))
        else:
            super()._print_message(message, file)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Appends each option's default to its help and keeps the key list's lines as written.

    Options with no value by default (a flag, an optional file) say in their own words what
    happens without them instead of "(default: None)"; a help that states its default keeps it.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or isinstance(action.default, bool) or "(default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def _keys(lines: list[str]) -> str:
    return "keys (h shows them in the window too):\n" + "\n".join(f"  {line}" for line in lines)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="digit-recognizer",
        description="Real-time handwritten digit recognition on one MNIST CNN. Modes: "
        "'draw' (draw digits with the mouse) and 'camera' (digits on paper from a webcam, "
        "a video or an image). 'digit-recognizer MODE --help' lists each mode's options and keys.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    modes = parser.add_subparsers(dest="mode", required=True, metavar="{draw,camera}")

    common = _Parser(add_help=False)
    common.add_argument("--model", type=_path, default=DEFAULT_MODEL, metavar="PATH",
                        help="a .keras model; a .tflite beside it is used for speed "
                        "(default: the shipped model, %(default)s)")
    common.add_argument("--backend", choices=["auto", "litert", "keras"], default="auto",
                        help="inference runtime; auto: litert when a .tflite exists, else keras")
    common.add_argument("--events", type=_path, metavar="PATH",
                        help="append one JSON line per new reading to this file, or - for standard output "
                        "(default: no log)")
    common.add_argument("--save-dir", type=_path, default=Path("saved"), metavar="DIR",
                        help="folder for screenshots, samples and recordings, relative to the current folder")

    draw = modes.add_parser("draw", parents=[common], formatter_class=_HelpFormatter,
                            help="draw digits with the mouse, read live",
                            description="Draw digits with the mouse in a window; they are read as you draw.",
                            epilog=_keys(DRAW_KEYS))
    draw.add_argument("--canvas-size", type=int, default=448, metavar="N",
                      help="drawing area N x N pixels, 128 to 640, shown 1:1 beside a 330 px panel")

    camera = modes.add_parser("camera", parents=[common], formatter_class=_HelpFormatter,
                              help="read digits on paper from a camera or file",
                              description="Read handwritten digits on paper from a webcam, a stream, a video or "
                              "an image.",
                              epilog=_keys(CAMERA_KEYS))
    camera.add_argument("--source", default="0", metavar="0|URL|VIDEO|IMAGE",
                        help="webcam index (0-99), a stream URL (rtsp://..., http://...), a video file or an "
                        "image file")
    camera.add_argument("--headless", action="store_true",
                        help="no window (no keys); on a file, stop at its end and print a summary")
    camera.add_argument("--output", type=_path, metavar="PATH",
                        help="write the annotated video here (.mp4; default: none); it appears only when "
                        "finished (at the input's end, or with the frames read so far on 'q' or a stop signal), "
                        "and an existing file is kept unless --overwrite is given")
    camera.add_argument("--overwrite", action="store_true", help="replace an existing --output file")
    camera.add_argument("--max-pixels", type=int, default=MAX_PIXELS, metavar="N",
                        help=f"refuse images and video frames larger than N pixels before decoding them "
                        f"(default {MAX_PIXELS:,}: a 451 KB PNG can hold 1.2 GB of pixels)")
    camera.add_argument("--display-size", type=_size, metavar="WxH",
                        help="the window's largest view, e.g. 1280x800: frames are shown resized to fit (small "
                        "ones enlarged), the --output video keeps the input's size (default: 90%% of the screen)")
    camera.add_argument("--invert", action="store_true", help="light ink on a dark board")
    camera.add_argument("--sensitivity", type=int, default=None, metavar="N",
                        help="a pixel at most N%% as bright as the paper around it is ink; higher finds "
                        "fainter ink (50-95, default 78; keys [ and ] in the window)")
    camera.add_argument("--no-smoothing", action="store_true", help="show raw per-frame labels")
    camera.add_argument("--rotate", default="auto", metavar="0|90|180|270|auto",
                        help="turn frames this many degrees clockwise before reading (a sheet held sideways "
                        "or upside down); auto tries all four now and then, and the frame mirrored, and "
                        "leaves upright only for a turn (or the mirror) read clearly more confidently "
                        "(default: auto)")
    return parser


def _size(text: str) -> tuple[int, int]:
    """'1280x800' -> (1280, 800); argparse turns the ValueError into one line, exit 2."""
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and 160 <= int(width) <= 16384 and 120 <= int(height) <= 16384):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, from 160x120 to 16384x16384, got {text!r}")
    return int(width), int(height)


def _path(text: str) -> Path:
    """A path argument; an empty one ('', as an unset shell variable gives) is refused, where
    Path('') would quietly be the current folder."""
    if not text:
        raise argparse.ArgumentTypeError("expected a path, got an empty string")
    return Path(text)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _fill_closed_standard_fds()
    try:
        if sys.stdout is None:  # started with `>&-`
            raise StdoutError("standard output is closed (give >/dev/null to discard what is printed)")
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as done:  # --help, --version or an option error: was it written?
            flush_stdout()
            return done.code if isinstance(done.code, int) else 0
        code = _run(args)
        flush_stdout()  # a closed pipe shows here, not as a traceback at interpreter exit
        return code
    except StdoutError as exc:  # the outputs are complete anyway; no second error at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        _error(str(exc))
        return 2
    except UserError as exc:
        _error(str(exc))
        return 2
    except KeyboardInterrupt:
        return 130


def _fill_closed_standard_fds() -> None:
    """Put /dev/null on a closed fd 0, 1 or 2, so that no file opened later takes that number.

    Otherwise the events log or the video could become "standard error", and a library's message
    (libjpeg, FFmpeg) would be written into it. Python started without a standard error has
    `sys.stderr` None, and print(..., file=sys.stderr) then writes to standard output.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one
    if sys.stderr is None:  # started with `2>&-`: print(file=None) would write warnings into stdout's JSON lines
        sys.stderr = open(2, "w", closefd=False)


def _error(message: str) -> None:
    """'error: ...' on stderr when it can be written; the exit code says it otherwise."""
    try:
        print(f"error: {message}", file=sys.stderr, flush=True)
    except (OSError, AttributeError):  # stderr closed or full too
        pass


def _run(args: argparse.Namespace) -> int:
    from realtime.events import EventLog

    if args.mode == "draw":
        from realtime import draw_app
        from realtime.layout import MAX_CANVAS, MIN_CANVAS, PANEL_WIDTH
        from realtime.window import require_display

        if not MIN_CANVAS <= args.canvas_size <= MAX_CANVAS:
            raise UserError(f"--canvas-size must be between {MIN_CANVAS} and {MAX_CANVAS} (the drawing area is "
                            f"shown 1:1 beside a {PANEL_WIDTH} px panel), got {args.canvas_size}")
        require_display()
        model = Classifier(args.model, args.backend)
        events = EventLog(args.events, "draw")
        try:
            return draw_app.run(model, draw_app.DrawOptions(args.canvas_size, args.save_dir), events)
        finally:
            events.close()

    from realtime import camera_app
    from realtime.binarize import DEFAULT_SENSITIVITY, SENSITIVITY_RANGE
    from realtime.capture import Source
    from realtime.orientation import parse_turn

    sensitivity = DEFAULT_SENSITIVITY if args.sensitivity is None else args.sensitivity
    if not SENSITIVITY_RANGE[0] <= sensitivity <= SENSITIVITY_RANGE[1]:
        raise UserError(f"--sensitivity must be between {SENSITIVITY_RANGE[0]} and {SENSITIVITY_RANGE[1]}")
    try:
        rotate = parse_turn(args.rotate)
    except ValueError as exc:
        raise UserError(f"--rotate: {exc}") from None
    if args.events is not None and os.fspath(args.events) != STDOUT and _same_file(args.events, Path(args.source)):
        raise UserError(f"--events {args.events} is the --source file: the log would be appended to the input")
    if args.overwrite and args.output is None:
        raise UserError("--overwrite replaces the --output video: give --output too")
    if args.output is not None:
        _check_output(args.output, args.source, args.overwrite)
        if args.events is not None and os.fspath(args.events) != STDOUT and _same_file(args.events, args.output):
            raise UserError(f"--events and --output are the same file ({args.output})")
    if not args.headless:
        from realtime.window import require_display

        require_display()
    if not 1 <= args.max_pixels <= MAX_SETTABLE:
        raise UserError(f"--max-pixels must be 1-{MAX_SETTABLE}, got {args.max_pixels}")
    source = Source(args.source, args.max_pixels, args.invert)
    model = Classifier(args.model, args.backend)
    options = camera_app.CameraOptions(sensitivity, args.invert, not args.no_smoothing, args.save_dir, rotate)
    events = EventLog(args.events, "camera")
    return camera_app.run(source, model, options, events, args.headless, args.output, args.overwrite,
                          args.display_size)


def _check_output(output: Path, source: str, overwrite: bool) -> None:
    """Refuse an --output that would destroy its input or, unless asked, any existing file."""
    if output.suffix.lower() != ".mp4":
        raise UserError(f"--output must end in .mp4, got {output}")
    if _same_file(output, Path(source)):
        raise UserError(f"--output {output} is the --source file: the video would overwrite its own input")
    if output.is_dir():
        raise UserError(f"--output {output} is a folder")
    if (output.exists() or output.is_symlink()) and not overwrite:  # a dangling link too: it would be replaced
        raise UserError(f"--output {output} already exists (give --overwrite to replace it)")
    folder = _nearest_existing(output.parent)
    if not folder.is_dir():
        raise UserError(f"--output {output}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):  # said now, not after the first frame's events are written
        raise UserError(f"--output {output}: cannot write in {folder} (permission denied or read-only)")


def _nearest_existing(folder: Path) -> Path:
    """`folder` or its nearest ancestor that exists: where the output's missing folders would be made."""
    folder = folder.absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: through `..`, symlinks or hard links."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except (OSError, RuntimeError):  # a symlink loop, an unreadable folder: not provably the same
        return False


if __name__ == "__main__":
    sys.exit(main())
