"""Temperature scaling (realtime.calibration): the fit finds the temperature data was drawn with,
the top class never changes, and scaling the output layer is the same as tempering its softmax."""

from __future__ import annotations

import numpy as np
import pytest

from realtime.calibration import fit_temperature, nll, scale_output_layer, temper


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _overconfident(n: int, true_t: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Softmax outputs whose labels were drawn from softmax(logits / true_t): a model over-confident by true_t."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 4, (n, 11))
    calibrated = _softmax(logits / true_t)
    labels = np.array([rng.choice(11, p=row) for row in calibrated])
    return _softmax(logits), labels


def test_fit_recovers_the_temperature_the_labels_were_drawn_with() -> None:
    probs, labels = _overconfident(4000, 2.0, 0)
    temperature, report = fit_temperature({"a": (probs, labels)})
    assert 1.8 <= temperature <= 2.2
    assert report["a"]["nll_after"] < report["a"]["nll_before"]


def test_each_set_weighs_alike_whatever_its_size() -> None:
    big = _overconfident(6000, 1.0, 1)  # calibrated as it is
    small = _overconfident(600, 3.0, 2)  # over-confident
    temperature, _ = fit_temperature({"big": big, "small": small})
    alone, _ = fit_temperature({"big": big})
    assert alone <= 1.15 and temperature >= 1.3  # the small set moves the fit as much as the big one


def test_tempering_keeps_the_top_class_and_sums_to_one() -> None:
    probs, _ = _overconfident(200, 1.5, 3)
    for t in (0.5, 1.0, 2.5):
        q = temper(probs, t)
        assert np.array_equal(q.argmax(axis=1), probs.argmax(axis=1))
        assert np.allclose(q.sum(axis=1), 1.0)
    assert np.allclose(temper(probs, 1.0), probs)
    assert temper(probs, 3.0).max(axis=1).mean() < probs.max(axis=1).mean()  # higher T: less sure
    assert nll(np.eye(3), np.arange(3)) == pytest.approx(0.0)


def test_bad_inputs_are_value_errors() -> None:
    with pytest.raises(ValueError):
        temper(np.ones((1, 2)) / 2, 0.0)
    with pytest.raises(ValueError):
        fit_temperature({"empty": (np.zeros((0, 11)), np.zeros(0, int))})


def test_scaling_the_output_layer_tempers_the_softmax() -> None:
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    model = keras.Model(inputs, layers.Dense(11, activation="softmax", name="probs")(inputs))
    model.get_layer("probs").set_weights([np.random.default_rng(0).normal(0, 2, (6, 11)).astype(np.float32),
                                          np.linspace(-1, 1, 11).astype(np.float32)])
    x = np.random.default_rng(1).normal(0, 1, (32, 6)).astype(np.float32)
    before = model.predict(x, verbose=0)
    scale_output_layer(model, 1.7)
    assert np.allclose(model.predict(x, verbose=0), temper(before, 1.7), atol=1e-5)
    with pytest.raises(ValueError):
        scale_output_layer(model, -1.0)
