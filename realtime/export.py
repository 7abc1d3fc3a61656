"""Turning a trained Keras model into the LiteRT flatbuffer the app runs on.

TensorFlow's import alone takes seconds and each Keras call costs tens of milliseconds of
overhead; LiteRT (XNNPACK) answers a 28x28 digit in well under a millisecond. Training and
fine-tuning keep Keras; this is the one place that converts, and it checks the conversion.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def export_tflite(model, path: str | Path) -> Path:
    """Convert `model` (a Keras model) with TensorFlow's own converter and write it to `path`."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    blob = converter.convert()
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(blob)
    tmp.replace(path)
    return path


def top1_agreement(keras_probs: np.ndarray, lite_probs: np.ndarray) -> float:
    """Fraction of images on which both runtimes pick the same class."""
    return float(np.mean(keras_probs.argmax(axis=1) == lite_probs.argmax(axis=1)))
