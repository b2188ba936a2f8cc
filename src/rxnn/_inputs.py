"""The one command-line grammar for network inputs (``--inputs``/``--input``).

Every command that takes inputs reads them through :func:`load_inputs`:

=======================  ==========================================================
``mnist:I``              test image I (0-based)
``mnist:I-J``            test images I..J, both included (I <= J)
``mnist:train:I-J``      training images (``mnist:test:I-J`` names the test split)
``random:N``             N rows uniform on [0, 1), seed 0
``FILE``                 a ``.npy``, ``.txt`` or ``.csv`` file: one row per input
=======================  ==========================================================

Limits, each named in its refusal: at most :data:`MAX_ROWS` rows
(``random:N``, an MNIST range, a file), files of at most :data:`MAX_FILE_BYTES`
bytes, indices inside the split. Files are data: ``.npy`` is read with
``allow_pickle=False`` after its header (shape, dtype) is checked, so nothing is
allocated beyond the stated size. Every refusal is one line that names the flag,
what was given and the fix (an :class:`InputSpecError`, a ``ValueError``, or a
:class:`~rxnn.errors.LimitError` for a limit).
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rxnn.errors import InvalidArgumentError, LimitError, RxnnError

__all__ = ["InputSpec", "InputSpecError", "MAX_ROWS", "MAX_FILE_BYTES", "parse_input_spec", "load_inputs",
           "labelled_images"]

#: Most input rows one spec may name (random:N, an MNIST range, a file): 100000 rows of 784
#: float64 pixels are 627 MB, the largest batch rxnn allocates for inputs.
MAX_ROWS = 100_000
#: Most numbers random:N may draw (MAX_ROWS MNIST-sized rows, 627 MB of float64).
MAX_NUMBERS = MAX_ROWS * 784
#: Largest input file read (bytes on disk; a .npy's declared array size too).
MAX_FILE_BYTES = 256 * 2**20
#: Pixels of an MNIST image (28 x 28).
MNIST_WIDTH = 784
FILE_SUFFIXES = (".npy", ".txt", ".csv")

GRAMMAR = "mnist:I, mnist:I-J, mnist:train:I-J, random:N, or a .npy/.txt/.csv file"
_MNIST = re.compile(r"mnist:(?:(train|test):)?(\d+)(?:-(\d+))?")
_RANDOM = re.compile(r"random:(\d+)")


class InputSpecError(RxnnError, ValueError):
    """An ``--inputs`` value that does not follow the grammar or names unusable data."""


class InputLimitError(InputSpecError, LimitError):
    """An ``--inputs`` value over a stated limit (rows, file size)."""


@dataclass(frozen=True)
class InputSpec:
    """A parsed input spec: ``kind`` is ``"mnist"``, ``"random"`` or ``"file"``.

    ``split``, ``first`` and ``last`` (inclusive) are set for MNIST, ``count``
    for random, ``path`` for a file.
    """

    kind: str
    split: str = ""
    first: int = 0
    last: int = 0
    count: int = 0
    path: str = ""

    @property
    def n_rows(self) -> int | None:
        """The number of rows the spec names (None for a file: known once read)."""
        if self.kind == "mnist":
            return self.last - self.first + 1
        return self.count if self.kind == "random" else None


def _refuse(flag: str, spec: str, problem: str, fix: str, error: type[InputSpecError] = InputSpecError) -> InputSpecError:
    return error(f"{flag} {spec!r}: {problem}; {fix}")


def parse_input_spec(spec: str, *, flag: str = "--inputs", max_rows: int = MAX_ROWS) -> InputSpec:
    """Parse ``spec`` by the input grammar, checking its bounds; nothing is read.

    Parameters
    ----------
    spec : str
        ``mnist:I``, ``mnist:I-J``, ``mnist:train:I-J``, ``random:N`` or a file name.
    flag : str, default "--inputs"
        The option name used in messages.
    max_rows : int, default MAX_ROWS
        Most rows the spec may name.

    Returns
    -------
    InputSpec

    Raises
    ------
    InputSpecError
        One line naming the flag, the value and the fix.

    Examples
    --------
    >>> parse_input_spec("mnist:train:5-9").n_rows
    5
    >>> parse_input_spec("random:0")
    Traceback (most recent call last):
    ...
    rxnn._inputs.InputLimitError: --inputs 'random:0': N must be between 1 and 100000; write e.g. random:100
    """
    if not isinstance(spec, str) or not spec:
        raise InvalidArgumentError(f"{flag} must be {GRAMMAR}; got {spec!r}")
    if spec.startswith("mnist:"):
        match = _MNIST.fullmatch(spec)
        if match is None:
            raise _refuse(flag, spec, "not an MNIST range",
                          "write mnist:I, mnist:I-J or mnist:train:I-J with integers 0 <= I <= J")
        split, first = match.group(1) or "test", int(match.group(2))
        last = int(match.group(3)) if match.group(3) is not None else first
        if last < first:
            raise _refuse(flag, spec, f"the range runs backwards ({first} > {last})",
                          f"write the smaller index first, e.g. mnist:{last}-{first}")
        if last - first + 1 > max_rows:
            raise _refuse(flag, spec, f"names {last - first + 1} images, over the limit of {max_rows}",
                          "name fewer images", InputLimitError)
        return InputSpec("mnist", split=split, first=first, last=last)
    if spec.startswith("random:"):
        match = _RANDOM.fullmatch(spec)
        if match is None:
            raise _refuse(flag, spec, "N is not a whole number", "write random:N with an integer N, e.g. random:100")
        count = int(match.group(1))
        if not 1 <= count <= max_rows:
            raise _refuse(flag, spec, f"N must be between 1 and {max_rows}", "write e.g. random:100", InputLimitError)
        return InputSpec("random", count=count)
    if Path(spec).suffix.lower() not in FILE_SUFFIXES:
        raise _refuse(flag, spec, "neither mnist:..., random:N nor a .npy/.txt/.csv file", f"give {GRAMMAR}")
    return InputSpec("file", path=spec)


def load_inputs(
    spec: str, width: int, *, flag: str = "--inputs", max_rows: int = MAX_ROWS, fetch: bool = False
) -> np.ndarray:
    """The input rows ``spec`` names, checked against a network with ``width`` inputs.

    Parameters
    ----------
    spec : str
        See :func:`parse_input_spec`.
    width : int
        c_0, the number of inputs of the network.
    flag : str, default "--inputs"
        The option name used in messages (``"--input"`` for ``rxnn compile``).
    max_rows : int, default MAX_ROWS
        Most rows accepted (1 for a command that takes one input).
    fetch : bool, default False
        Fetch MNIST when missing (:func:`rxnn.datasets.mnist.load_mnist`).

    Returns
    -------
    ndarray of float64 of shape (rows, width)
        Finite and >= 0 (inputs are concentrations, Def. 4.1).

    Raises
    ------
    InputSpecError
        A spec off the grammar, an index outside the split, a width that does
        not match, a file that cannot be read, or an entry that is negative or
        not finite; :class:`InputLimitError` (also a LimitError) over a limit.

    Examples
    --------
    >>> load_inputs("random:2", 3).shape
    (2, 3)
    >>> load_inputs("random:2", 0)
    Traceback (most recent call last):
    ...
    rxnn.errors.InvalidArgumentError: width of load_inputs must be a positive integer; got 0
    """
    if isinstance(width, bool) or not isinstance(width, int | np.integer) or width < 1:
        raise InvalidArgumentError(f"width of load_inputs must be a positive integer; got {width!r}")
    parsed = parse_input_spec(spec, flag=flag, max_rows=max_rows)
    if parsed.kind == "random":
        if parsed.count * width > MAX_NUMBERS:
            raise _refuse(flag, spec, f"{parsed.count} rows of {width} numbers are over the limit of {MAX_NUMBERS} numbers",
                          "ask for fewer rows", InputLimitError)
        data = np.random.default_rng(0).uniform(size=(parsed.count, width))
    elif parsed.kind == "mnist":
        data = _mnist_rows(parsed, spec, flag, width, fetch)
    else:
        data = _file_rows(parsed.path, spec, flag, max_rows)
    return _checked(data, spec, flag, width, max_rows)


def labelled_images(spec: str, mnist: object, *, flag: str = "--inputs") -> tuple[str, np.ndarray]:
    """The MNIST split and image indices ``spec`` names, for a command that needs labels (accuracy).

    Parameters
    ----------
    spec : str
        ``mnist:I``, ``mnist:I-J`` or ``mnist:train:I-J`` (``random:N`` and files have no labels: refused).
    mnist : object
        The loaded data set (:func:`rxnn.datasets.mnist.load_mnist`): ``train`` and ``test`` splits.
    flag : str, default "--inputs"
        The option name used in messages.

    Returns
    -------
    (str, ndarray of int)
        ``"test"`` or ``"train"`` and the indices, first to last.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> fake = SimpleNamespace(test=range(10), train=range(60))
    >>> labelled_images("mnist:2-4", fake)
    ('test', array([2, 3, 4]))
    >>> labelled_images("random:5", fake)
    Traceback (most recent call last):
    ...
    rxnn._inputs.InputSpecError: --inputs 'random:5': has no labels to score; give MNIST images, e.g. mnist:0-99
    """
    parsed = parse_input_spec(spec, flag=flag)
    if parsed.kind != "mnist":
        raise _refuse(flag, spec, "has no labels to score", "give MNIST images, e.g. mnist:0-99")
    size = len(getattr(mnist, parsed.split))
    if parsed.last >= size:
        raise _refuse(flag, spec, f"the {parsed.split} split has images 0..{size - 1}", f"use indices up to {size - 1}")
    return parsed.split, np.arange(parsed.first, parsed.last + 1)


def _mnist_rows(parsed: InputSpec, spec: str, flag: str, width: int, fetch: bool) -> np.ndarray:
    from rxnn.datasets.mnist import load_mnist

    if width != MNIST_WIDTH:
        raise _refuse(flag, spec, f"MNIST images have {MNIST_WIDTH} pixels but the network has {width} inputs",
                      "give a file or random:N with rows of that width")
    try:
        split = getattr(load_mnist(fetch=fetch), parsed.split)
    except RxnnError as exc:
        raise InputSpecError(f"{flag} {spec!r}: {exc}") from None
    if parsed.last >= len(split):
        raise _refuse(flag, spec, f"the {parsed.split} split has images 0..{len(split) - 1}",
                      f"use indices up to {len(split) - 1}")
    return split.inputs(slice(parsed.first, parsed.last + 1))


def _file_rows(path_text: str, spec: str, flag: str, max_rows: int) -> np.ndarray:
    path = Path(path_text)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _refuse(flag, spec, f"cannot read the file ({exc.strerror or exc})", f"give an existing file or {GRAMMAR}") from None
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(flag, spec, "is not a regular file", "give a .npy, .txt or .csv file")
    if info.st_size > MAX_FILE_BYTES:
        raise _refuse(flag, spec, f"the file has {info.st_size} bytes, over the limit of {MAX_FILE_BYTES}",
                      "split it into smaller files", InputLimitError)
    try:
        if path.suffix.lower() == ".npy":
            return _read_npy(path, spec, flag, max_rows)
        with warnings.catch_warnings():  # an empty file is refused below, in one line, not as a numpy warning
            warnings.simplefilter("ignore", UserWarning)
            return np.loadtxt(path, delimiter="," if path.suffix.lower() == ".csv" else None, ndmin=2, dtype=np.float64)
    except InputSpecError:
        raise
    except (ValueError, OSError, EOFError, UnicodeError) as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _refuse(flag, spec, f"not a table of numbers ({problem})",
                      "write one input per row, numbers separated by spaces (.txt) or commas (.csv)") from None


def _read_npy(path: Path, spec: str, flag: str, max_rows: int) -> np.ndarray:
    """Check the .npy header (version, dtype, shape) before reading any data."""
    fmt = np.lib.format
    with open(path, "rb") as handle:
        try:
            version = fmt.read_magic(handle)
            shape, _fortran, dtype = (fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0)(handle)
        except (ValueError, OSError, EOFError) as exc:
            raise _refuse(flag, spec, f"not a valid .npy file ({exc})", "save the array with numpy.save") from None
        if dtype.hasobject or dtype.kind not in "biuf":
            raise _refuse(flag, spec, f"holds {dtype} data", "save a numeric (float or integer) array")
        if len(shape) not in (1, 2):
            raise _refuse(flag, spec, f"holds an array of shape {shape}", "save a 1-D input or a 2-D array of rows")
        n_bytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if n_bytes > MAX_FILE_BYTES or (len(shape) == 2 and shape[0] > max_rows):
            raise _refuse(flag, spec, f"declares an array of shape {shape}, over the limit of {max_rows} rows "
                          f"and {MAX_FILE_BYTES} bytes", "save fewer rows", InputLimitError)
    return np.load(path, allow_pickle=False)


def _checked(data: np.ndarray, spec: str, flag: str, width: int, max_rows: int) -> np.ndarray:
    x = np.asarray(data, dtype=np.float64)
    if x.size == 0:
        raise _refuse(flag, spec, "holds no numbers", f"give at least one row of {width} numbers")
    if x.ndim == 1 or (x.ndim == 2 and x.shape == (width, 1) and width > 1):
        x = x.reshape(1, -1)  # one input, written as a row or as a column of c_0 numbers
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] != width:
        raise _refuse(flag, spec, f"holds an array of shape {x.shape} but the network has {width} inputs",
                      f"give rows of {width} numbers")
    if x.shape[0] > max_rows:
        raise _refuse(flag, spec, f"holds {x.shape[0]} rows, over the limit of {max_rows}", "give fewer rows", InputLimitError)
    bad = ~np.isfinite(x) | (x < 0)
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise _refuse(flag, spec, f"row {row}, entry {col} is {float(x[row, col])!r}",
                      "inputs are concentrations: finite and >= 0 (rescale the data, e.g. to [0, 1])")
    return x
