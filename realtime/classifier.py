"""The one object that owns the model: load it, check it, warm it up, predict a batch in one call.

Two interchangeable runtimes give the same top-1 answers (checked on the whole MNIST test set
when the model is exported):

- "litert": the `.tflite` copy on LiteRT's XNNPACK kernels. No TensorFlow import, so the app
  starts in well under a second and a digit costs a fraction of a millisecond.
- "keras": the `.keras` file through one traced `tf.function`, for a freshly trained or
  fine-tuned model that has no `.tflite` yet.

"auto" takes LiteRT when a `.tflite` sits beside the `.keras` file (or is named directly).
"""

from __future__ import annotations

import importlib.resources
import os
import sys
import zipfile
from pathlib import Path
from collections.abc import Callable
from typing import Literal, TypeVar

import numpy as np

from realtime.errors import UserError, quiet_stderr
from realtime.manifest import verify
from realtime.typicality import Typicality

Backend = Literal["auto", "litert", "keras"]
INPUT_SHAPE = (28, 28, 1)
CLASSES = 10
T = TypeVar("T")
#: A model may add an 11th output, "not a digit"; `predict` returns the ten digit probabilities
#: only, so that 1 - their sum is the probability of "not a digit" (0 for a 10-way model).
OUTPUTS = (CLASSES, CLASSES + 1)


def shipped_model() -> Path:
    """The shipped `digits.keras`; its companions (the `.tflite` copy, the card) sit beside it.

    Installed (a wheel, `pip install .` or an editable install), the repository's `models/`
    folder is the package `realtime.models` and is found with importlib.resources, wherever
    site-packages is. Run from a clone with the repository on the path (`python -m realtime`)
    there is no such package, and the folder is `models/` beside `realtime/`. pip installs
    packages unpacked, so the result is a real file path, as LiteRT and Keras need.
    """
    try:
        folder = importlib.resources.files("realtime.models")
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parent.parent / "models"
    return Path(str(folder.joinpath("digits.keras")))


DEFAULT_MODEL = shipped_model()


class Classifier:
    """Predicts class probabilities for a batch of 28x28 float32 images, white ink on black."""

    def __init__(
        self,
        path: str | os.PathLike = DEFAULT_MODEL,
        backend: Backend = "auto",
        threads: int | None = None,
    ) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            what = "not a file (a folder, a device or a pipe)" if self.path.exists() else "not found"
            raise UserError(f"model file {what}: {self.path}")
        listed = verify(self.path)  # before anything reads the files: a damaged byte gives no other sign
        self.threads = threads or min(2, os.cpu_count() or 1)
        self.backend = _choose_backend(self.path, backend)
        if self.backend == "litert":
            self._runner = _LiteRunner(_tflite_path(self.path), self.threads)
        else:
            self._runner = _KerasRunner(self.path)
        #: The "is it a digit at all?" check fitted for this model, when it ships one.
        typical = self.path.with_name(self.path.stem + "_typical.npz")
        self.typicality = load_companion(typical, Typicality.load)
        self._warm_up()
        if self.typicality is None and listed is None and self._runner.outputs == CLASSES:
            # A user's own 10-way model with no check fitted: not an error, but the user must know.
            print(f"warning: no {typical.name} beside the model: the 'not a digit' check is off", file=sys.stderr)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) or (N, 28, 28, 1) float32 in [0, 1] -> (N, 10) digit probabilities.

        With an 11-way model the row sums to 1 - P(not a digit). One runtime call for the whole
        batch: per-digit calls would pay the call overhead N times.
        """
        try:
            batch = np.asarray(images, dtype=np.float32)
        except (TypeError, ValueError):
            raise ValueError(f"expected images as an (N, 28, 28) float array, got {type(images).__name__}") from None
        if batch.ndim == 3:
            batch = batch[..., None]
        if batch.ndim != 4 or batch.shape[1:] != INPUT_SHAPE:
            raise ValueError(f"expected images of shape (N, 28, 28[, 1]), got {batch.shape}")
        if len(batch) == 0:
            return np.zeros((0, CLASSES), np.float32)
        return self._runner(np.ascontiguousarray(batch))[:, :CLASSES]

    def _warm_up(self) -> None:
        """First call allocates; a damaged model fails here, at load, not on the user's first digit.

        An empty and a full input must give finite outputs: a model with NaN weights would
        otherwise be accepted and write NaN, which is not JSON, into every events line.
        """
        probe = np.zeros((2, 28, 28), np.float32)
        probe[1, 4:24, 10:18] = 1.0
        try:
            outputs = self.predict(probe)
        except Exception as exc:  # noqa: BLE001 - whatever the runtime raises, the file is unusable
            raise UserError(f"model file {self.path} fails on a test input, it is damaged ({_first_line(exc)})") from None
        if not np.isfinite(outputs).all():
            raise UserError(f"model file {self.path} gives NaN or infinite outputs: it is damaged")
        self.predict(probe[:1])  # leave the runtime sized for one digit, the common case


def load_companion(path: Path, load: Callable[[Path], T]) -> T | None:
    """A file fitted for this model that sits beside it (`load` reads it), or None if there is none.

    Whatever kind of file it is: a folder or an empty file in its place, a file its loader cannot
    read, or a NaN or infinite number in what it holds is a UserError; a damaged companion must
    never silently switch its check off.
    """
    if not path.exists() and not path.is_symlink():
        return None
    if not path.is_file():
        raise UserError(f"{path} beside the model is not a readable file")
    if path.stat().st_size == 0:
        raise UserError(f"{path} beside the model is empty")
    try:
        companion = load(path)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to read it means a damaged file
        raise UserError(f"{path} beside the model is unreadable ({_first_line(exc)})") from None
    values = vars(companion) if hasattr(companion, "__dict__") else {"": companion}
    for name, value in values.items():
        array = np.asarray(value) if isinstance(value, (np.ndarray, float, int)) else None
        if array is not None and array.dtype.kind in "fc" and not np.isfinite(array).all():
            raise UserError(f"{path} beside the model holds NaN or infinite values{f' in {name}' if name else ''}")
    return companion


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _choose_backend(path: Path, backend: Backend) -> str:
    if backend not in ("auto", "litert", "keras"):
        raise UserError(f"unknown backend {backend!r}: choose auto, litert or keras")
    if backend != "auto":
        if backend == "litert" and not _tflite_path(path).is_file():
            raise UserError(f"backend litert needs {_tflite_path(path)}, which does not exist")
        if backend == "keras" and path.suffix == ".tflite":
            raise UserError(f"backend keras needs a .keras model, got {path}")
        return backend
    return "litert" if _tflite_path(path).is_file() else "keras"


def _tflite_path(path: Path) -> Path:
    return path if path.suffix == ".tflite" else path.with_suffix(".tflite")


def _check_shapes(path: Path, inputs: tuple, outputs: tuple) -> None:
    if tuple(inputs[1:]) != INPUT_SHAPE or len(outputs) != 2 or outputs[1] not in OUTPUTS:
        raise UserError(
            f"model {path} maps {tuple(inputs)} to {tuple(outputs)}; "
            f"a digit model maps (N, 28, 28, 1) to (N, 10) or (N, 11)"
        )


class _LiteRunner:
    def __init__(self, path: Path, threads: int) -> None:
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:
            raise UserError(f"backend litert needs the ai-edge-litert package: {exc}") from None
        try:
            with quiet_stderr():  # LiteRT prints an INFO line about XNNPACK on every load
                self._interpreter = Interpreter(model_path=str(path), num_threads=threads)
                self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise UserError(f"model file {path} is not a readable LiteRT model ({exc})") from None
        inputs = self._interpreter.get_input_details()
        outputs = self._interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise UserError(f"model {path} has {len(inputs)} inputs and {len(outputs)} outputs")
        _check_shapes(path, tuple(inputs[0]["shape"]), tuple(outputs[0]["shape"]))
        self._input = inputs[0]["index"]
        self._output = outputs[0]["index"]
        self._batch = int(inputs[0]["shape"][0])
        self.outputs = int(outputs[0]["shape"][1])  # 10 digits, or 11 with "not a digit"

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        if len(batch) != self._batch:
            self._interpreter.resize_tensor_input(self._input, batch.shape)
            self._interpreter.allocate_tensors()
            self._batch = len(batch)
        self._interpreter.set_tensor(self._input, batch)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).copy()


class _KerasRunner:
    def __init__(self, path: Path) -> None:
        if path.suffix != ".keras" or not zipfile.is_zipfile(path):
            raise UserError(f"model file {path} is not a Keras .keras archive")
        # TensorFlow logs about nine lines (oneDNN, CUDA, CPU features) on import and first call.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        with quiet_stderr():
            try:
                import keras
                import tensorflow as tf
            except ImportError as exc:
                raise UserError(f"backend keras needs tensorflow: {exc}") from None
            try:
                model = keras.saving.load_model(path, compile=False)
            except Exception as exc:  # noqa: BLE001 - any load failure means an unusable file
                raise UserError(f"model file {path} cannot be loaded ({_first_line(exc)})") from None
            _check_shapes(path, tuple(model.input_shape), tuple(model.output_shape))
            self.outputs = int(model.output_shape[1])
            self._call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
            self._call(np.zeros((1, *INPUT_SHAPE), np.float32))  # the first call logs too

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return np.asarray(self._call(batch))
