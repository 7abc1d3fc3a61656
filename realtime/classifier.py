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

import contextlib
import os
import sys
import zipfile
from pathlib import Path
from typing import Literal

import numpy as np

from realtime.errors import UserError
from realtime.typicality import Typicality

Backend = Literal["auto", "litert", "keras"]
INPUT_SHAPE = (28, 28, 1)
CLASSES = 10
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "digits.keras"


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
            raise UserError(f"model file not found: {self.path}")
        self.threads = threads or min(2, os.cpu_count() or 1)
        self.backend = _choose_backend(self.path, backend)
        if self.backend == "litert":
            self._runner = _LiteRunner(_tflite_path(self.path), self.threads)
        else:
            self._runner = _KerasRunner(self.path)
        typical = self.path.with_name(self.path.stem + "_typical.npz")
        #: The "is it a digit at all?" check fitted for this model, when it ships one.
        self.typicality = Typicality.load(typical) if typical.is_file() else None
        self.predict(np.zeros((1, 28, 28), np.float32))  # warm-up: first call allocates

    def predict(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) or (N, 28, 28, 1) float32 in [0, 1] -> (N, 10) probabilities.

        One runtime call for the whole batch: per-digit calls would pay the call overhead N times.
        """
        batch = np.asarray(images, dtype=np.float32)
        if batch.ndim == 3:
            batch = batch[..., None]
        if batch.ndim != 4 or batch.shape[1:] != INPUT_SHAPE:
            raise ValueError(f"expected images of shape (N, 28, 28[, 1]), got {batch.shape}")
        if len(batch) == 0:
            return np.zeros((0, CLASSES), np.float32)
        return self._runner(np.ascontiguousarray(batch))


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
    if tuple(inputs[1:]) != INPUT_SHAPE or tuple(outputs[1:]) != (CLASSES,):
        raise UserError(
            f"model {path} maps {tuple(inputs)} to {tuple(outputs)}; "
            f"a digit model maps (N, 28, 28, 1) to (N, 10)"
        )


@contextlib.contextmanager
def _quiet_stderr():
    """Silence C-level writes to stderr (fd 2) for the duration; Python's own are restored too."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _LiteRunner:
    def __init__(self, path: Path, threads: int) -> None:
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:
            raise UserError(f"backend litert needs the ai-edge-litert package: {exc}") from None
        try:
            with _quiet_stderr():  # LiteRT prints an INFO line about XNNPACK on every load
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
        try:
            import keras
            import tensorflow as tf
        except ImportError as exc:
            raise UserError(f"backend keras needs tensorflow: {exc}") from None
        try:
            model = keras.saving.load_model(path, compile=False)
        except Exception as exc:  # noqa: BLE001 - any load failure means an unusable file
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(f"model file {path} cannot be loaded ({first_line})") from None
        _check_shapes(path, tuple(model.input_shape), tuple(model.output_shape))
        self._call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return np.asarray(self._call(batch))
