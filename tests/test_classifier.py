"""The classifier: loading (and refusing) models, batch prediction, and the two runtimes agreeing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from realtime.classifier import Classifier
from realtime.errors import UserError


def test_missing_model_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        Classifier(tmp_path / "absent.keras")


@pytest.mark.parametrize("name", ["broken.keras", "broken.tflite"])
def test_corrupt_model_is_a_user_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"this is not a model" * 10)
    with pytest.raises(UserError, match=str(path)):
        Classifier(path)


def test_zip_that_is_not_a_keras_model_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", "{not json")
    with pytest.raises(UserError, match="cannot be loaded"):
        Classifier(path, backend="keras")


def test_wrong_shaped_model_is_a_user_error(tmp_path: Path) -> None:
    import keras

    inputs = keras.Input((32, 32, 3))
    model = keras.Model(inputs, keras.layers.Dense(5)(keras.layers.Flatten()(inputs)))
    path = tmp_path / "wrong.keras"
    model.save(path)
    with pytest.raises(UserError, match=r"\(N, 28, 28, 1\) to \(N, 10\)"):
        Classifier(path)


def test_unknown_backend_and_missing_tflite(tmp_path: Path) -> None:
    path = tmp_path / "m.keras"
    path.write_bytes(b"x")
    with pytest.raises(UserError, match="unknown backend"):
        Classifier(path, backend="onnx")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="needs"):
        Classifier(path, backend="litert")


def test_reads_real_mnist_digits_in_one_batch(classifier: Classifier, mnist_test) -> None:
    images, labels = mnist_test
    batch = images[:500].astype(np.float32) / 255.0
    probs = classifier.predict(batch)
    assert probs.shape == (500, 10)
    sums = probs.sum(axis=1)  # 1 - P(not a digit) for an 11-way model: real digits keep most of it
    assert np.all(sums <= 1 + 1e-4) and np.median(sums) > 0.99
    assert np.mean(probs.argmax(axis=1) == labels[:500]) >= 0.99
    # (N, 28, 28, 1) is accepted too, and an empty batch is an empty answer.
    assert classifier.predict(batch[:3, :, :, None]).shape == (3, 10)
    assert classifier.predict(np.zeros((0, 28, 28), np.float32)).shape == (0, 10)


def test_batch_sizes_can_change_between_calls(classifier: Classifier, mnist_test) -> None:
    images, _ = mnist_test
    batch = images[:7].astype(np.float32) / 255.0
    together = classifier.predict(batch)
    one_by_one = np.concatenate([classifier.predict(batch[i : i + 1]) for i in range(7)])
    assert np.allclose(together, one_by_one, atol=1e-5)


def test_wrong_input_shape_raises_value_error(classifier: Classifier) -> None:
    with pytest.raises(ValueError, match=r"\(N, 28, 28"):
        classifier.predict(np.zeros((2, 32, 32), np.float32))


def test_litert_and_keras_agree(classifier: Classifier, mnist_test) -> None:
    keras_model = Classifier(classifier.path, backend="keras")
    images, _ = mnist_test
    batch = images[:300].astype(np.float32) / 255.0
    assert classifier.backend == "litert"
    assert np.array_equal(keras_model.predict(batch).argmax(1), classifier.predict(batch).argmax(1))
