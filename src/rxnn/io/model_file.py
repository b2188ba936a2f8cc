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

Files are data, never code: they are read with ``allow_pickle=False`` and
checked entry by entry before a network is built.
"""

from __future__ import annotations

import inspect
import math
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from rxnn.nn import ACTIVATIONS, Activation, FeedForwardNetwork, get_activation
from rxnn._files import atomic_output
from rxnn.errors import RxnnError

__all__ = ["ModelFileError", "save_model", "load_model"]

_NO_H = math.nan
_NO_Q = 0
_FIX = "write it with rxnn.io.model_file.save_model"
_LAYER_KEY = re.compile(r"^([Wb])([1-9][0-9]*)$")


class ModelFileError(RxnnError, ValueError):
    """A file that is not a valid model file; the message names the file, the problem and the fix."""


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
    TypeError
        If ``network`` is not a FeedForwardNetwork.
    ValueError
        If its activation is not one of the registered activations (a model
        file could not name it).

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
        raise TypeError(f"network of save_model must be a FeedForwardNetwork; got {type(network).__name__}")
    activation = network.activation
    if ACTIVATIONS.get(getattr(type(activation), "name", "")) is not type(activation):
        valid = ", ".join(cls.__name__ for cls in ACTIVATIONS.values())
        raise ValueError(
            f"activation of save_model must be one of {valid}; got {type(activation).__name__}"
        )
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
    """Read a network written by :func:`save_model`.

    Parameters
    ----------
    path : str or path-like
        The model file.

    Returns
    -------
    FeedForwardNetwork

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ModelFileError
        If the file is not an ``.npz`` archive (corrupt, pickled, plain
        ``.npy``), a key is missing or unexpected, an entry has the wrong
        type or shape, a parameter is NaN/inf, the activation name is unknown,
        or h or q is invalid. The message names the file and the problem.
    """
    path = Path(path)
    arrays = _read_npz(path)

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"model file {str(path)!r}: {problem}; {_FIX}")

    m = _check_keys(arrays, fail)
    activation = _read_activation(arrays, fail)
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    for l in range(1, m + 1):
        for key, out in ((f"W{l}", weights), (f"b{l}", biases)):
            if arrays[key].dtype.kind not in "fiu":
                raise fail(f"{key} must hold real numbers; got dtype {arrays[key].dtype}")
            out.append(arrays[key])
    try:
        return FeedForwardNetwork(weights, biases, activation)
    except ValueError as exc:
        raise fail(str(exc)) from None


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """All arrays of the archive at ``path``, or ModelFileError if it is not a readable .npz."""
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ModelFileError(
                f"model file {str(path)!r}: is a single .npy array, not an .npz archive; {_FIX}"
            )
        with loaded:
            return {key: loaded[key] for key in loaded.files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(
            f"model file {str(path)!r}: cannot be read as an .npz archive ({type(exc).__name__}: {exc}); {_FIX}"
        ) from None


def _check_keys(arrays: dict[str, np.ndarray], fail: Callable[[str], ModelFileError]) -> int:
    """Number of layers m; ModelFileError if a key is missing or unexpected."""
    indices = {int(match.group(2)) for key in arrays if (match := _LAYER_KEY.match(key))}
    m = max(indices, default=0)
    expected = [f"{p}{l}" for l in range(1, m + 1) for p in "Wb"] + ["activation", "h", "q"]
    missing = [key for key in expected if key not in arrays]
    if m == 0:
        missing = ["W1", "b1", *missing]
    if missing:
        raise fail(f"missing key(s) {', '.join(missing)}")
    unexpected = sorted(set(arrays) - set(expected))
    if unexpected:
        raise fail(f"unexpected key(s) {', '.join(unexpected)}")
    return m


def _scalar(
    arrays: dict[str, np.ndarray], key: str, kinds: str, what: str, fail: Callable[[str], ModelFileError]
) -> Any:
    """The value of the 0-d entry ``key`` if its dtype kind is one of ``kinds``."""
    array = arrays[key]
    if array.shape != () or array.dtype.kind not in kinds:
        raise fail(f"{key} must be a single {what}; got dtype {array.dtype} and shape {array.shape}")
    return array.item()


def _read_activation(arrays: dict[str, np.ndarray], fail: Callable[[str], ModelFileError]) -> Activation:
    """The activation named by the archive's activation, h and q entries."""
    name = _scalar(arrays, "activation", "U", "string", fail)
    h = _scalar(arrays, "h", "fiu", "number", fail)
    q = _scalar(arrays, "q", "iu", "integer", fail)
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(n) for n in sorted(ACTIVATIONS))
        raise fail(f"activation must be one of {valid}; got {name!r}")
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
