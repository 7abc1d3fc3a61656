"""Does this 28x28 input look like a typical example of the digit the model named?

A softmax over ten digits has no "none of these": a zig-zag or a hatched square often gets 99%
for some digit. So each candidate is also compared with what handwritten examples of its
predicted class look like: it is projected onto that class's main modes of variation (PCA of the
training digits, after `to_mnist`), and a large reconstruction error means "not a digit".
Microseconds per digit; the threshold is set on held-out validation digits (see
scripts/fit_typicality.py and the model card).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from realtime.errors import UserError


class Typicality:
    """Per-class PCA subspaces and the reconstruction error above which an input is atypical."""

    def __init__(self, means: np.ndarray, bases: np.ndarray, threshold: float) -> None:
        if means.shape != (10, 784) or bases.ndim != 3 or bases.shape[0] != 10 or bases.shape[2] != 784:
            raise ValueError(f"expected means (10, 784) and bases (10, K, 784), got {means.shape}, {bases.shape}")
        self.means = means.astype(np.float32)
        self.bases = bases.astype(np.float32)
        self.threshold = float(threshold)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Typicality:
        path = Path(path)
        try:
            with np.load(path) as data:
                threshold = float(data["threshold"])
                if not threshold > 0:  # a distance: at or below 0 every digit would be "not a digit"
                    raise ValueError(f"threshold must be a positive distance, got {threshold}")
                return cls(data["means"], data["bases"], threshold)
        except (OSError, KeyError, ValueError) as exc:
            raise UserError(f"typicality file {path} is unreadable ({exc})") from None

    def save(self, path: str | os.PathLike) -> None:
        np.savez_compressed(path, means=self.means, bases=self.bases, threshold=np.float32(self.threshold))

    def errors(self, images: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """Reconstruction error of each (28, 28) image in the subspace of its class."""
        flat = images.reshape(len(images), 784).astype(np.float32)
        centred = flat - self.means[classes]
        bases = self.bases[classes]  # (N, K, 784)
        coords = np.einsum("nkp,np->nk", bases, centred)
        residual = centred - np.einsum("nk,nkp->np", coords, bases)
        return np.sqrt((residual**2).sum(axis=1))

    def atypical(self, images: np.ndarray, classes: np.ndarray) -> np.ndarray:
        return self.errors(images, classes) > self.threshold


def fit(images: np.ndarray, labels: np.ndarray, components: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-class means (10, 784) and the top `components` principal axes (10, K, 784)."""
    flat = images.reshape(len(images), 784).astype(np.float32)
    means = np.zeros((10, 784), np.float32)
    bases = np.zeros((10, components, 784), np.float32)
    for digit in range(10):
        members = flat[labels == digit]
        means[digit] = members.mean(axis=0)
        _, _, vt = np.linalg.svd(members - means[digit], full_matrices=False)
        bases[digit] = vt[:components]
    return means, bases
