"""Fisher's IRIS data (150 flowers, 4 measurements, 3 species), bundled with scikit-learn.

The task of Vasić et al. (ICML 2020 / PNAS 2022, 42 reactions) and of Kang &
Kim (J. Chem. Phys. 2025, a 2-5-1 network).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rxnn._validation import must_be
from rxnn.datasets._tabular import LabelledSplit, SmallDataset, require_sklearn, stratified_split

__all__ = ["load_iris", "IRIS_FEATURES"]

IRIS_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
"""The four measurements, in the data set's column order."""


def load_iris(*, features: Sequence[str] | None = None, test_fraction: float = 0.3, seed: int = 0) -> SmallDataset:
    """Load IRIS as inputs in [0, 1], split into train and test.

    Parameters
    ----------
    features : sequence of str, optional
        Which measurements, among :data:`IRIS_FEATURES` (default all four).
    test_fraction : float, default 0.3
        Fraction of each species held out for testing (stratified).
    seed : int, default 0
        Seed of the split's shuffle.

    Returns
    -------
    SmallDataset
        3 classes (setosa, versicolor, virginica).

    Notes
    -----
    Min-max scaling with the *training* split's minimum and maximum of each
    feature (so the test split does not inform the scaling); test values
    outside the training range are clipped to [0, 1], and the ``scaling``
    string says how many were.

    Examples
    --------
    >>> iris = load_iris(features=["petal length (cm)", "petal width (cm)"])
    >>> iris.n_features, len(iris.train), len(iris.test)
    (2, 105, 45)
    """
    datasets = require_sklearn()
    names = IRIS_FEATURES if features is None else tuple(features)
    unknown = [f for f in names if f not in IRIS_FEATURES]
    if unknown or not names or len(set(names)) != len(names):
        raise must_be("features", "load_iris", f"distinct names among {list(IRIS_FEATURES)}", list(names))
    raw, labels = datasets.load_iris(return_X_y=True)
    raw = np.asarray(raw, dtype=np.float64)[:, [IRIS_FEATURES.index(f) for f in names]]
    train, test = stratified_split(labels, test_fraction, seed, "load_iris")
    low, high = raw[train].min(axis=0), raw[train].max(axis=0)
    scaled = (raw - low) / (high - low)
    clipped = int(np.count_nonzero((scaled[test] < 0) | (scaled[test] > 1)))
    scaled = np.clip(scaled, 0.0, 1.0)
    return SmallDataset(
        name="iris",
        train=LabelledSplit(scaled[train], labels[train]),
        test=LabelledSplit(scaled[test], labels[test]),
        n_classes=3,
        feature_names=names,
        scaling=f"min-max per feature over the training split; {clipped} test value(s) outside it clipped to [0, 1]",
        source="scikit-learn load_iris (Fisher 1936, UCI ML repository)",
    )
