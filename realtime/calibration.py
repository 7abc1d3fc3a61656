"""Temperature scaling: make the model's probabilities say how often it is right on real writers.

A network trained to near-zero loss on MNIST is over-confident on writers it has never seen: on the
pen-dev validation writers the from-scratch model named 3.2% of digits wrong at 90% or more. The
app's decisions ("?" below MIN_CONFIDENCE, "not a digit" above NOT_A_DIGIT) and everything it
reports read these probabilities, so they must be calibrated. Temperature scaling (Guo, Pleiss,
Sun, Weinberger, "On Calibration of Modern Neural Networks", ICML 2017) divides the logits by one
scalar T fitted on held-out data; the top class never changes, only how sure it is.

The fit minimises the mean over validation sets of each set's negative log-likelihood, so that the
6,000 MNIST images do not drown the 1,500 real pen digits and the generated non-digits: each kind
of input the app meets counts alike.
"""

from __future__ import annotations

import numpy as np

#: The temperatures tried: 0.5 to 5 in steps of 0.05 (a one-parameter fit needs no optimiser).
GRID = np.round(np.arange(0.5, 5.0001, 0.05), 2)
FLOOR = 1e-12


def temper(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T) from softmax(logits): p^(1/T), renormalised over the classes.

    probs: (N, C) float, rows summing to 1 (all C outputs, "not a digit" included).
    Returns (N, C) float64. Raises ValueError for a non-positive temperature.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    logp = np.log(np.clip(np.asarray(probs, np.float64), FLOOR, 1.0)) / temperature
    logp -= logp.max(axis=1, keepdims=True)
    q = np.exp(logp)
    return q / q.sum(axis=1, keepdims=True)


def nll(probs: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-likelihood (nats) of integer `labels` (N,) under `probs` (N, C)."""
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(labels)), labels], FLOOR, 1.0))))


def fit_temperature(sets: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[float, dict[str, dict[str, float]]]:
    """The T on GRID with the lowest mean per-set NLL, and each set's NLL before (T=1) and after.

    sets: name -> (probs (N, C) float, rows summing to 1; labels (N,) int in [0, C)).
    Raises ValueError when no set has any sample.
    """
    sets = {name: (np.asarray(p, np.float64), np.asarray(y, np.int64)) for name, (p, y) in sets.items() if len(y)}
    if not sets:
        raise ValueError("no validation samples to fit a temperature on")
    losses = np.array([[nll(temper(p, t), y) for p, y in sets.values()] for t in GRID])
    best = float(GRID[int(losses.mean(axis=1).argmin())])
    report = {
        name: {"nll_before": nll(p, y), "nll_after": nll(temper(p, best), y)} for name, (p, y) in sets.items()
    }
    return best, report


def scale_output_layer(model, temperature: float, layer: str = "probs") -> None:
    """Divide the final softmax Dense layer's kernel and bias by T, in place.

    softmax((W x + b) / T) = softmax((W / T) x + b / T): the calibrated network has the same
    architecture and cost, so the .keras file, its LiteRT copy and every caller stay as they are.
    Raises ValueError for a non-positive temperature or a layer without kernel and bias.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    dense = model.get_layer(layer)
    weights = dense.get_weights()
    if len(weights) != 2:
        raise ValueError(f"layer {layer!r} has no kernel and bias to scale")
    dense.set_weights([w / np.float32(temperature) for w in weights])
