"""What the commands that classify MNIST images with a model file read first (``stochastic-accuracy``, ``accuracy-volume``)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ModelImages", "load_model_images"]


@dataclass(frozen=True, eq=False)
class ModelImages:
    """A model and the labelled MNIST images ``--inputs`` names.

    Examples
    --------
    >>> ModelImages(None, "test", np.arange(2), np.zeros((2, 784)), np.array([7, 2])).labels.tolist()
    [7, 2]
    """

    network: Any
    split: str
    indices: np.ndarray
    inputs: np.ndarray
    labels: np.ndarray


def load_model_images(args: argparse.Namespace) -> ModelImages:
    """Check ``args.out``, then read ``args.model`` and the MNIST images ``args.inputs`` names (from ``args.data``).

    The output folder is checked first, before minutes of simulation rather than after.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from rxnn.errors import RxnnError
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     args = argparse.Namespace(out=Path(tmp), model=Path(tmp) / "no.npz", data=None, inputs="mnist:0")
    ...     try:
    ...         load_model_images(args)
    ...     except RxnnError as exc:
    ...         print("no.npz" in str(exc))
    True
    """
    from rxnn._files import check_output_folder
    from rxnn._inputs import labelled_images
    from rxnn.datasets.mnist import load_mnist
    from rxnn.io.model_file import load_model

    check_output_folder(args.out, "--out")
    network = load_model(args.model)
    mnist = load_mnist(args.data, fetch=True)
    split_name, indices = labelled_images(args.inputs, mnist)
    split = getattr(mnist, split_name)
    return ModelImages(network, split_name, indices, split.inputs(indices), split.labels[indices])
