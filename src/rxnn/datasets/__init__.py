"""Data sets: MNIST (§6 of the paper) and the small tasks of later work (8 x 8 digits, IRIS, XOR).

See :mod:`rxnn.datasets.mnist` for where the files are looked for and how they
are fetched (``rxnn data fetch mnist``). The small data sets (:func:`load_digits`,
:func:`load_iris`, :func:`load_xor`) need no download: digits and IRIS ship
inside scikit-learn (extra ``ml``), XOR is its truth table.
"""

from rxnn.datasets._tabular import DatasetError, LabelledSplit, SmallDataset
from rxnn.datasets.digits import load_digits
from rxnn.datasets.iris import IRIS_FEATURES, load_iris
from rxnn.datasets.xor import XOR_CORNERS, load_xor
from rxnn.datasets.mnist import (
    MNIST_SHA256,
    Mnist,
    MnistError,
    MnistSplit,
    fetch_mnist,
    find_mnist,
    load_mnist,
    read_idx,
)

__all__ = [
    "DatasetError",
    "IRIS_FEATURES",
    "LabelledSplit",
    "SmallDataset",
    "XOR_CORNERS",
    "load_digits",
    "load_iris",
    "load_xor",
    "MNIST_SHA256",
    "Mnist",
    "MnistError",
    "MnistSplit",
    "fetch_mnist",
    "find_mnist",
    "load_mnist",
    "read_idx",
]
