"""The common shape of the small data sets (digits, IRIS, XOR): two labelled splits of inputs in [0, 1].

Every loader returns a :class:`SmallDataset` whose ``train`` and ``test`` are
:class:`LabelledSplit` s with the interface of :class:`rxnn.datasets.MnistSplit`
(``len``, ``labels``, ``inputs(indices)``), so the training code of §6 runs on
them unchanged. Inputs are concentrations: float64, finite, in [0, 1]; how
each loader scales is in its ``scaling`` string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rxnn._validation import check_int, must_be
from rxnn.errors import RxnnError

__all__ = ["DatasetError", "LabelledSplit", "SmallDataset", "stratified_split", "require_sklearn"]


class DatasetError(RxnnError, RuntimeError):
    """A data set cannot be loaded (e.g. its optional dependency is missing)."""


def require_sklearn() -> Any:
    """The ``sklearn.datasets`` module, or a :class:`DatasetError` saying how to install it."""
    try:
        import sklearn.datasets
    except ImportError:
        raise DatasetError(
            "this data set ships inside scikit-learn, which is not installed; "
            "install it with `pip install rxnn[ml]` (or `pip install scikit-learn`)"
        ) from None
    return sklearn.datasets


@dataclass(frozen=True, eq=False)
class LabelledSplit:
    """Inputs and integer labels of one split.

    Parameters
    ----------
    data : array_like of shape (n, c_0)
        Inputs, finite, in [0, 1].
    labels : array_like of int, shape (n,)

    Examples
    --------
    >>> split = LabelledSplit([[0.0, 1.0], [1.0, 1.0]], [1, 0])
    >>> len(split), split.inputs([1]).tolist(), split.labels.tolist()
    (2, [[1.0, 1.0]], [1, 0])
    """

    data: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        data = np.array(self.data, dtype=np.float64)
        labels = np.array(self.labels)
        if data.ndim != 2 or not np.all(np.isfinite(data)) or np.any(data < 0) or np.any(data > 1):
            raise must_be("data", "LabelledSplit", "a 2-D array (n, c_0) of values in [0, 1]", f"shape {data.shape}")
        if labels.shape != (data.shape[0],) or labels.dtype.kind not in "iu" or np.any(labels < 0):
            raise must_be("labels", "LabelledSplit", f"{data.shape[0]} non-negative integers", labels)
        labels = labels.astype(np.int64)
        data.flags.writeable = False
        labels.flags.writeable = False
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "labels", labels)

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def inputs(self, indices: Any = None) -> np.ndarray:
        """Rows ``indices`` (all by default) as float64 of shape (k, c_0)."""
        return self.data if indices is None else self.data[np.asarray(indices)]

    def __repr__(self) -> str:
        return f"LabelledSplit(n={len(self)}, c_0={self.data.shape[1]})"


@dataclass(frozen=True, eq=False)
class SmallDataset:
    """A small labelled data set: train and test splits, and how they were made.

    Attributes
    ----------
    name : str
    train, test : LabelledSplit
    n_classes : int
    feature_names : tuple of str
    scaling : str
        How raw features became inputs in [0, 1].
    source : str
        Where the data come from.
    """

    name: str
    train: LabelledSplit
    test: LabelledSplit
    n_classes: int
    feature_names: tuple[str, ...]
    scaling: str
    source: str

    @property
    def n_features(self) -> int:
        """c_0, the width of an input."""
        return int(self.train.data.shape[1])

    def __repr__(self) -> str:
        return (f"SmallDataset({self.name!r}, train={len(self.train)}, test={len(self.test)}, "
                f"c_0={self.n_features}, n_classes={self.n_classes})")


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int, func: str) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices with each class split in the same proportion (shuffled by ``seed``).

    Per class c with n_c members, round(test_fraction * n_c) go to the test split
    (at least one when n_c >= 2 and test_fraction > 0).
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
        raise must_be("test_fraction", func, "a number strictly between 0 and 1", test_fraction)
    seed = check_int(seed, "seed", func, minimum=0)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        k = int(round(test_fraction * members.size))
        k = min(max(k, 1 if members.size >= 2 else 0), members.size - 1)
        test.append(members[:k])
        train.append(members[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))
