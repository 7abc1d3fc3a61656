"""What training and fine-tuning share: the network, the augmentation and the non-digit scribbles.

Only `scripts/train.py` and `scripts/finetune.py` import this module (it imports Keras); the app
itself never does.

Three choices here are about real handwriting, not MNIST:
- augmentation with small rotations, shears, shifts, zoom and stroke-thickness changes, because
  a mouse or a pen draws thicker, thinner and more slanted than MNIST's writers;
- "redrawn" digits: part of each epoch is drawn large with another pen, binarised and brought
  back through the app's own `to_mnist`, because that, not a scanned MNIST image, is what the
  model sees in the app (hard edges, normalised stroke width, re-centred);
- real pen digits and an 11th output, "not a digit": `Sources` mixes MNIST with pen-dev
  trajectories rendered through the app's canvas path (realtime.pen) and generated non-digits
  (realtime.negatives), so that the model reads the writers MNIST lacks and can say "none of
  these" instead of forcing a scribble into a digit. `Classifier.predict` returns the ten digit
  probabilities; 1 - their sum is "not a digit".
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import cv2
import numpy as np

from realtime.preprocess import to_mnist

_LETTERS = "AKMWHNRE#@&%"


def build_model():
    """A small VGG-style CNN with batch norm: ~22 M multiply-adds, ~0.1 ms a digit on LiteRT.

    Batch-norm momentum is 0.9, not Keras' 0.99: on sparse [0, 1] digit images the first layers'
    true activation variance is ~0.005, and with 0.99 the moving variance (initialised to 1) lags
    so far behind that inference-mode accuracy stays near chance for the first epochs.
    """
    import keras
    from keras import layers

    inputs = keras.Input((28, 28, 1), name="digit")
    x = inputs
    for filters, convs in ((32, 2), (64, 2), (128, 1)):
        for _ in range(convs):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=0.9)(x)
            x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.4)(x)
    outputs = layers.Dense(CLASSES, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="digit_cnn")


def initialise_from(model, path) -> None:
    """Start `model` from the weights of a trained digit model at `path` (a .keras file).

    Every layer takes the trained weights; a 10-way output layer (an MNIST-only model) gives the
    digit rows of the 11-way one, whose "not a digit" row keeps its fresh initialisation. Why: on
    a shared 2-core CPU a from-scratch run long enough for MNIST's last tenths of a point takes
    hours; starting from a trained digit reader, a few epochs teach the pen writers and the new
    output. Raises ValueError when the architectures differ in anything else.
    """
    import keras

    trained = keras.saving.load_model(path, compile=False)
    if len(trained.layers) != len(model.layers):
        raise ValueError(f"{path}: {len(trained.layers)} layers, expected {len(model.layers)}")
    for old, new in zip(trained.layers, model.layers):
        weights = old.get_weights()
        if new.name == "probs" and weights and weights[0].shape[-1] == CLASSES - 1:
            fresh = new.get_weights()
            fresh[0][:, : CLASSES - 1], fresh[1][: CLASSES - 1] = weights[0], weights[1]
            weights = fresh
        new.set_weights(weights)


def augment(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random affine (rotation +-12 deg, shear, zoom 0.85-1.1, shift +-2.5 px) and stroke thickness.

    uint8 (N, 28, 28) in, uint8 out. OpenCV per image: the whole training set in about a second.
    """
    out = np.empty_like(images)
    n = len(images)
    angles = np.radians(rng.uniform(-12, 12, n))
    shears = rng.uniform(-0.2, 0.2, n)
    zooms = rng.uniform(0.85, 1.1, n)
    shifts = rng.uniform(-2.5, 2.5, (n, 2))
    thickness = rng.random(n)
    dilate = np.ones((2, 2), np.uint8)
    for i, image in enumerate(images):
        c, s = math.cos(angles[i]) * zooms[i], math.sin(angles[i]) * zooms[i]
        linear = np.array([[c, -s], [s, c]]) @ np.array([[1.0, shears[i]], [0.0, 1.0]])
        centre = np.array([13.5, 13.5])
        offset = centre - linear @ centre + shifts[i]
        matrix = np.hstack([linear, offset[:, None]]).astype(np.float32)
        warped = cv2.warpAffine(image, matrix, (28, 28), flags=cv2.INTER_LINEAR)
        if thickness[i] < 0.15:
            warped = cv2.dilate(warped, dilate)
        elif thickness[i] > 0.9:
            eroded = cv2.erode(warped, dilate)
            if np.count_nonzero(eroded > 127) > 0.5 * np.count_nonzero(warped > 127):
                warped = eroded
        out[i] = warped
    return out


def redraw(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Digits as a user draws them: 40-200 px high, a pen 0.6-2x as wide, binarised, to_mnist.

    uint8 (N, 28, 28) in, float32 [0, 1] out. A digit the pen change would erase is redrawn with
    its own pen.
    """
    out = np.empty(images.shape, np.float32)
    for i, image in enumerate(images):
        height = int(rng.integers(40, 201))
        big = cv2.resize(image, (height, height), interpolation=cv2.INTER_LINEAR)
        radius = int(round(abs(rng.uniform(0.6, 2.0) - 1) * 1.2 * height / 28))
        if radius:
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
            changed = (cv2.dilate if rng.random() < 0.6 else cv2.erode)(big, kernel)
            if np.count_nonzero(changed > 127) > 0.3 * np.count_nonzero(big > 127):
                big = changed
        drawn = to_mnist(((big > 127) * 255).astype(np.uint8))
        out[i] = drawn if drawn is not None else to_mnist(image)
    return out


SCRIBBLE_KINDS = ("zig-zag", "hatching", "blob", "rings", "letter or symbol")


def draw_scribble(canvas: np.ndarray, rng: np.random.Generator, kinds: int = len(SCRIBBLE_KINDS)) -> str:
    """Draw one random non-digit of the first `kinds` SCRIBBLE_KINDS on `canvas`; returns its kind."""
    width = int(rng.integers(2, 9))
    kind = int(rng.integers(0, kinds))
    if kind == 0:  # a dense zig-zag: many strokes crossing in all directions
        points = rng.integers(4, 92, (int(rng.integers(7, 16)), 2)).astype(np.int32)
        cv2.polylines(canvas, [points], False, 255, width, cv2.LINE_AA)
    elif kind == 1:  # hatching: several parallel or crossing lines
        for _ in range(int(rng.integers(4, 8))):
            p, q = rng.integers(4, 92, 2), rng.integers(4, 92, 2)
            cv2.line(canvas, tuple(map(int, p)), tuple(map(int, q)), 255, width, cv2.LINE_AA)
    elif kind == 2:  # a filled blob
        points = rng.integers(10, 86, (int(rng.integers(5, 9)), 2)).astype(np.int32)
        cv2.fillPoly(canvas, [cv2.convexHull(points)], 255, cv2.LINE_AA)
    elif kind == 3:  # overlapping rings
        for _ in range(int(rng.integers(3, 6))):
            centre = tuple(map(int, rng.integers(20, 76, 2)))
            axes = tuple(map(int, rng.integers(8, 30, 2)))
            cv2.ellipse(canvas, centre, axes, float(rng.uniform(0, 180)), 0, 360, 255, width)
    else:  # a letter or symbol that is not a digit
        letter = _LETTERS[int(rng.integers(len(_LETTERS)))]
        font = [cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX][int(rng.integers(2))]
        cv2.putText(canvas, letter, (18, 78), font, 2.6, 255, max(2, width // 2), cv2.LINE_AA)
    return SCRIBBLE_KINDS[kind]


NOT_A_DIGIT = 10  #: index of the 11th output, "not a digit"
CLASSES = 11


@dataclass
class Sources:
    """What one epoch is drawn from: MNIST (uint8 (N, 28, 28) + labels, `mnist_per_epoch` drawn each
    epoch), pen digits rendered through the canvas (a pool, uint8 + labels, `pen_per_epoch` drawn
    from it each epoch) and generated non-digits (a pool, `negatives_per_epoch` drawn each epoch)."""

    mnist: np.ndarray
    mnist_labels: np.ndarray
    mnist_per_epoch: int
    pen: np.ndarray
    pen_labels: np.ndarray
    pen_per_epoch: int
    negatives: np.ndarray
    negatives_per_epoch: int


def training_batches(
    sources: Sources, rng: np.random.Generator, redrawn_fraction: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """One epoch's inputs, shuffled: augmented MNIST digits (a fraction redrawn), augmented pen
    digits and non-digits; one-hot targets over 11 classes. float32 (N, 28, 28, 1), (N, 11)."""
    picked = rng.choice(len(sources.mnist), min(sources.mnist_per_epoch, len(sources.mnist)), replace=False)
    augmented = augment(sources.mnist[picked], rng)
    mnist = augmented.astype(np.float32) / 255.0
    chosen = np.flatnonzero(rng.random(len(mnist)) < redrawn_fraction)
    mnist[chosen] = redraw(augmented[chosen], rng)
    pen = rng.choice(len(sources.pen), min(sources.pen_per_epoch, len(sources.pen)), replace=False)
    neg = rng.choice(len(sources.negatives), min(sources.negatives_per_epoch, len(sources.negatives)),
                     replace=False)
    images = np.concatenate([
        mnist,
        augment(sources.pen[pen], rng).astype(np.float32) / 255.0,
        augment(sources.negatives[neg], rng).astype(np.float32) / 255.0,
    ])
    labels = np.concatenate([sources.mnist_labels[picked], sources.pen_labels[pen], np.full(len(neg), NOT_A_DIGIT)])
    order = rng.permutation(len(images))
    return images[order][..., None], np.eye(CLASSES, dtype=np.float32)[labels[order]]


def accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    """Top-1 accuracy over all 11 outputs of float32 (N, 28, 28) images against int labels."""
    if not len(images):
        return float("nan")
    probs = model.predict(images[..., None], batch_size=512, verbose=0)
    return float(np.mean(probs.argmax(axis=1) == labels))


def fit(
    model,
    sources: Sources,
    validation: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    seed: int,
    redrawn_fraction: float = 0.0,
    verbose: int = 1,
) -> dict:
    """Train with fresh augmentation each epoch, AdamW and a cosine schedule after a warm-up.

    `validation` maps a name ("mnist", "pen", "non-digits") to float32 (N, 28, 28) images and
    labels (10 = not a digit), all held out (other MNIST images, other pen writers). The weights of
    the epoch with the best mean validation accuracy over those sets are kept; the history holds
    every set's accuracy per epoch.
    """
    import keras

    size = min(sources.mnist_per_epoch, len(sources.mnist)) + min(sources.pen_per_epoch, len(sources.pen)) + \
        min(sources.negatives_per_epoch, len(sources.negatives))
    steps = math.ceil(size / batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=max(1, steps * (epochs - 1)), warmup_target=learning_rate,
        warmup_steps=steps,
    )
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=1e-4),
        loss="categorical_crossentropy",
    )
    rng = np.random.default_rng(seed)
    best = {"score": -1.0, "epoch": 0, "weights": None, "accuracy": {}}
    history = []
    started = time.time()
    for epoch in range(epochs):
        x, y = training_batches(sources, rng, redrawn_fraction)
        result = model.fit(x, y, batch_size=batch_size, epochs=epoch + 1, initial_epoch=epoch,
                           verbose=verbose, shuffle=False)
        scores = {name: accuracy(model, images, labels) for name, (images, labels) in validation.items()}
        score = float(np.nanmean(list(scores.values())))
        history.append({"epoch": epoch + 1, "loss": float(result.history["loss"][-1]),
                        "val_accuracy": scores, "seconds": round(time.time() - started, 1)})
        if verbose:
            print(f"epoch {epoch + 1}: " + ", ".join(f"{k} {v:.4%}" for k, v in scores.items()), flush=True)
        if score > best["score"]:
            best = {"score": score, "epoch": epoch + 1, "weights": model.get_weights(), "accuracy": scores}
    model.set_weights(best["weights"])
    return {
        "history": history,
        "best_epoch": best["epoch"],
        "val_accuracy": best["accuracy"],
        "seconds": round(time.time() - started, 1),
    }
