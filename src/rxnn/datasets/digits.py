"""The 8 x 8 handwritten digits bundled with scikit-learn (UCI optical recognition of digits).

1797 images of 8 x 8 pixels with intensities 0-16 and labels 0-9, shipped
inside scikit-learn (``sklearn.datasets.load_digits``), so nothing is
downloaded. The MNIST-8x8 task of Kang & Kim (J. Chem. Phys. 2025) uses
64-20-10 networks on such images.
"""

from __future__ import annotations

import numpy as np

from rxnn.datasets._tabular import LabelledSplit, SmallDataset, require_sklearn, stratified_split

__all__ = ["load_digits", "DIGITS_MAX_INTENSITY"]

DIGITS_MAX_INTENSITY = 16.0
"""Largest pixel value of the 8 x 8 digits (4 x 4 blocks of 32 x 32 binary pixels counted)."""


def load_digits(*, test_fraction: float = 0.25, seed: int = 0) -> SmallDataset:
    """Load the 8 x 8 digits as inputs in [0, 1], split into train and test.

    Parameters
    ----------
    test_fraction : float, default 0.25
        Fraction of each digit's images held out for testing (stratified).
    seed : int, default 0
        Seed of the split's shuffle.

    Returns
    -------
    SmallDataset
        64 inputs (pixel / 16, row-major), 10 classes.

    Raises
    ------
    DatasetError
        If scikit-learn is not installed (``pip install rxnn[ml]``).
    InvalidArgumentError
        If ``test_fraction`` is not in (0, 1) or ``seed`` is not an integer >= 0.

    Examples
    --------
    >>> digits = load_digits()
    >>> len(digits.train) + len(digits.test), digits.n_features, float(digits.train.inputs().max())
    (1797, 64, 1.0)
    """
    datasets = require_sklearn()
    images, labels = datasets.load_digits(return_X_y=True)
    train, test = stratified_split(labels, test_fraction, seed, "load_digits")
    data = np.asarray(images, dtype=np.float64) / DIGITS_MAX_INTENSITY
    return SmallDataset(
        name="digits",
        train=LabelledSplit(data[train], labels[train]),
        test=LabelledSplit(data[test], labels[test]),
        n_classes=10,
        feature_names=tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8)),
        scaling="pixel intensity / 16 (the fixed range 0-16 of the data set), so inputs lie in [0, 1]",
        source="scikit-learn load_digits (UCI ML optical recognition of handwritten digits, test set)",
    )
