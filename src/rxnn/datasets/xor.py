"""The XOR problem: label 1 where exactly one of two inputs is on (Kang & Kim, J. Chem. Phys. 2025)."""

from __future__ import annotations

import numpy as np

from rxnn._validation import check_int, check_nonnegative_finite
from rxnn.datasets._tabular import LabelledSplit, SmallDataset

__all__ = ["load_xor", "XOR_CORNERS"]

XOR_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
"""The four inputs of the XOR truth table; labels 0, 1, 1, 0."""


def load_xor(*, n_per_corner: int = 1, noise: float = 0.0, seed: int = 0) -> SmallDataset:
    """The XOR data set, exact or as noisy samples around the four corners.

    Parameters
    ----------
    n_per_corner : int, default 1
        Samples per corner in each split.
    noise : float, default 0.0
        Standard deviation of Gaussian jitter added to every sample, then
        clipped to [0, 1]. With 0, both splits are the truth table itself
        (XOR is a problem of representing a function, not of generalising).
    seed : int, default 0
        Seed of the jitter (train and test draw independent samples).

    Returns
    -------
    SmallDataset
        2 inputs, 2 classes (label = x1 XOR x2 of the corner).

    Examples
    --------
    >>> xor = load_xor()
    >>> xor.train.inputs().tolist(), xor.train.labels.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    n = check_int(n_per_corner, "n_per_corner", "load_xor", minimum=1)
    noise = check_nonnegative_finite(noise, "noise", "load_xor")
    seed = check_int(seed, "seed", "load_xor", minimum=0)
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    corners = np.repeat(XOR_CORNERS, n, axis=0)
    labels = np.repeat(np.array([0, 1, 1, 0]), n)

    def sample(rng: np.random.Generator) -> LabelledSplit:
        jitter = noise * rng.standard_normal(corners.shape) if noise else 0.0
        return LabelledSplit(np.clip(corners + jitter, 0.0, 1.0), labels)

    return SmallDataset(
        name="xor",
        train=sample(train_rng),
        test=sample(test_rng),
        n_classes=2,
        feature_names=("x1", "x2"),
        scaling=("none: the corners of [0, 1]^2" if not noise else
                 f"corners of [0, 1]^2 plus N(0, {noise:g}^2) jitter, clipped to [0, 1]"),
        source="the XOR truth table",
    )
