"""Model files: a :class:`~rxnn.nn.FeedForwardNetwork` as a numpy ``.npz`` archive.

An archive holds, for a network with m layers,

``W1`` ... ``Wm``
    float arrays of shape (c_l, c_{l-1}) (the paper's convention, §3.2);
``b1`` ... ``bm``
    float arrays of shape (c_l,);
``activation``
    a 0-d string: ``'smooth_relu'``, ``'relu'``, ``'sigmoid'`` or ``'polynomial'``;
``h``
    a 0-d float: the h of ``smooth_relu`` (eq. (4)) or ``polynomial`` (§6.1),
    NaN for activations without one;
``q``
    a 0-d integer: the q of ``polynomial`` (§6.1), 0 for activations without one.

Files are data, never code: they are read by the bounded reader
:mod:`rxnn._npz` (never unpickled), and keys, dtypes, shapes and sizes are
checked before any array is allocated. Limits (those of
:class:`~rxnn.nn.FeedForwardNetwork`): at most ``MAX_LAYERS = 1000`` layers,
``MAX_WIDTH = 10**6`` nodes per layer and ``MAX_PARAMETERS = 10**7`` weights
and biases; at most 10,000 archive members.
"""

from __future__ import annotations

import inspect
import math
import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rxnn._files import atomic_output
from rxnn._type_error import wrong_type
from rxnn._validation import must_be
from rxnn.errors import LimitError, RxnnError
from rxnn._npz import ArraySpec, NpzArchive
from rxnn.nn import ACTIVATIONS, Activation, FeedForwardNetwork, get_activation
from rxnn.nn.network import MAX_LAYERS, MAX_PARAMETERS, check_layer_sizes

__all__ = ["ModelFileError", "ModelFileNotFoundError", "save_model", "load_model"]

_NO_H = math.nan
_NO_Q = 0
_FIX = "write it with rxnn.io.model_file.save_model"
_LAYER_KEY = re.compile(r"^([Wb])([1-9][0-9]*)$")
# Declared array bytes a model file may hold: MAX_PARAMETERS float64 values plus the scalars.
_MAX_BYTES = 8 * MAX_PARAMETERS + (1 << 16)


class ModelFileError(RxnnError, ValueError):
    """A file that is not a valid model file; the message names the file, the problem and the fix.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(b"not an archive")
    >>> try:
    ...     load_model(path)
    ... except ModelFileError as exc:
    ...     print(isinstance(exc, ValueError))
    True
    """


class ModelFileNotFoundError(FileNotFoundError, ModelFileError):
    """The model file does not exist (also a ``FileNotFoundError``).

    Examples
    --------
    >>> try:
    ...     load_model("/nonexistent/net.npz")
    ... except ModelFileNotFoundError as exc:
    ...     print(isinstance(exc, FileNotFoundError))
    True
    """


def save_model(network: FeedForwardNetwork, path: str | os.PathLike[str]) -> Path:
    """Write ``network`` to ``path`` as an uncompressed ``.npz`` archive.

    The file is written to exactly ``path`` (no ``.npz`` is appended) and
    atomically: a reader sees the old file or the complete new one.

    Parameters
    ----------
    network : FeedForwardNetwork
        The network to save.
    path : str or path-like
        Destination file.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ArgumentTypeError
        If ``network`` is not a FeedForwardNetwork (a ``TypeError``).
    InvalidArgumentError
        If its activation is not one of the registered activations (a model
        file could not name it; a ``ValueError``).

    Examples
    --------
    >>> import tempfile, os
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 2], SmoothReLU(h=1.0), seed=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     file = save_model(net, os.path.join(tmp, "net.npz"))
    ...     load_model(file) == net
    True
    """
    if not isinstance(network, FeedForwardNetwork):
        raise wrong_type("network", "save_model", "a FeedForwardNetwork", network)
    activation = network.activation
    if ACTIVATIONS.get(getattr(type(activation), "name", "")) is not type(activation):
        valid = ", ".join(cls.__name__ for cls in ACTIVATIONS.values())
        raise must_be("activation", "save_model", f"one of {valid}", type(activation).__name__)
    arrays: dict[str, np.ndarray] = {}
    for l, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        arrays[f"W{l}"], arrays[f"b{l}"] = w, b
    params = activation.params
    arrays["activation"] = np.array(activation.name)
    arrays["h"] = np.array(params.get("h", _NO_H), dtype=np.float64)
    arrays["q"] = np.array(params.get("q", _NO_Q), dtype=np.int64)
    path = Path(path)
    with atomic_output(path, "wb", what="path of save_model") as f:
        np.savez(f, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as allow_pickle
    return path


def load_model(path: str | os.PathLike[str]) -> FeedForwardNetwork:
    """Read a network written by :func:`save_model`, within stated memory bounds.

    Parameters
    ----------
    path : str or path-like
        The model file.

    Returns
    -------
    FeedForwardNetwork

    Raises
    ------
    ModelFileNotFoundError
        If ``path`` does not exist (a ``FileNotFoundError`` and a ModelFileError).
    ModelFileError
        If the file is not an ``.npz`` archive (corrupt, pickled, plain
        ``.npy``), a key is missing or unexpected, a layer index exceeds
        :data:`~rxnn.nn.network.MAX_LAYERS`, an entry has the wrong type or
        shape, the layer sizes exceed :data:`~rxnn.nn.network.MAX_WIDTH` or
        :data:`~rxnn.nn.network.MAX_PARAMETERS`, a parameter is NaN/inf, the
        activation name is unknown, or h or q is invalid. The message names the
        file, the entry and the problem.

    Notes
    -----
    Keys, dtypes, shapes and sizes are checked from the zip directory and the
    ``.npy`` headers before any array is allocated, and each member is
    decompressed against its declared size (:mod:`rxnn._npz`). Peak memory
    is therefore about the declared size of a valid network (at most
    ``8 * MAX_PARAMETERS`` bytes, 80 MB) plus one 1 MiB decompression chunk,
    whatever the file holds.

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([2, 3, 1], SmoothReLU(1.0), seed=1)
    >>> load_model(save_model(net, os.path.join(tempfile.mkdtemp(), "net.npz"))).layer_sizes
    (2, 3, 1)
    """
    path = Path(path)
    with NpzArchive(
        path, error=ModelFileError, not_found=ModelFileNotFoundError, fix=_FIX, what="model file"
    ) as archive:
        m = _n_layers(archive)
        specs = _specs(m)
        headers = archive.check(specs, max_bytes=_MAX_BYTES)
        sizes = (headers["W1"].shape[1], *(headers[f"W{l}"].shape[0] for l in range(1, m + 1)))
        try:
            check_layer_sizes(sizes, "load_model")
        except LimitError as exc:
            raise archive.fail(str(exc)) from None
        arrays = {key: archive.read(key, max_bytes=_MAX_BYTES) for key in specs}

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"model file {str(path)!r}: {problem}; {_FIX}")

    activation = _read_activation(arrays, fail)
    weights = [arrays[f"W{l}"] for l in range(1, m + 1)]
    biases = [arrays[f"b{l}"] for l in range(1, m + 1)]
    try:
        return FeedForwardNetwork(weights, biases, activation)
    except ValueError as exc:
        raise fail(str(exc)) from None


def _n_layers(archive: NpzArchive) -> int:
    """m, from the largest layer index among the keys W1 ... Wm, b1 ... bm (1 if none); bounded by MAX_LAYERS."""
    m = 1
    for key in archive.keys:
        match = _LAYER_KEY.match(key)
        if match:
            index = int(match.group(2))  # at most 63 digits (the reader's key rule)
            if index > MAX_LAYERS:
                raise archive.fail(f"key {key} names layer {index}, more than the limit MAX_LAYERS = {MAX_LAYERS}")
            m = max(m, index)
    return m


def _specs(m: int) -> dict[str, ArraySpec]:
    """What each entry of an m-layer model file must be; named dimensions c0 ... cm chain the shapes."""
    specs: dict[str, ArraySpec] = {}
    for l in range(1, m + 1):
        specs[f"W{l}"] = ArraySpec("fiu", (f"c{l}", f"c{l - 1}"), "a 2-D array of real numbers")
        specs[f"b{l}"] = ArraySpec("fiu", (f"c{l}",), "a 1-D array of real numbers")
    specs["activation"] = ArraySpec("U", (), "a single string")
    specs["h"] = ArraySpec("fiu", (), "a single number")
    specs["q"] = ArraySpec("iu", (), "a single integer")
    return specs


def _read_activation(arrays: dict[str, np.ndarray], fail: Callable[[str], ModelFileError]) -> Activation:
    """The activation named by the archive's activation, h and q entries (types already checked)."""
    name, h, q = arrays["activation"].item(), arrays["h"].item(), arrays["q"].item()
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(n) for n in sorted(ACTIVATIONS))
        raise fail(f"activation must be one of {valid}; got {name[:80]!r}")
    wanted = set(inspect.signature(ACTIVATIONS[name]).parameters)
    if "h" not in wanted and not math.isnan(h):
        raise fail(f"h must be NaN for activation {name!r}, which has no h; got {h!r}")
    if "q" not in wanted and q != _NO_Q:
        raise fail(f"q must be {_NO_Q} for activation {name!r}, which has no q; got {q!r}")
    params = {"h": h, "q": q}
    try:
        return get_activation(name, **{key: params[key] for key in wanted})
    except ValueError as exc:
        raise fail(str(exc)) from None
