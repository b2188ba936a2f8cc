"""Data sets used by the experiments of the paper (§6: MNIST).

See :mod:`rxnn.datasets.mnist` for where the files are looked for and how they
are fetched (``rxnn data fetch mnist``).
"""

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
    "MNIST_SHA256",
    "Mnist",
    "MnistError",
    "MnistSplit",
    "fetch_mnist",
    "find_mnist",
    "load_mnist",
    "read_idx",
]
