"""Array checks and conversions shared by the modules of :mod:`rxnn.nn` (its one home for them)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from rxnn.errors import InvalidArgumentError

__all__ = ["FloatArray", "as_float", "scalar_out", "first_nonfinite", "finite_array", "as_batch"]

FloatArray = npt.NDArray[np.float64]


def as_float(y: npt.ArrayLike) -> FloatArray:
    """``y`` as a float64 array (no copy when it already is one).

    Examples
    --------
    >>> as_float([1, 2]).dtype
    dtype('float64')
    """
    return np.asarray(y, dtype=np.float64)


def scalar_out(result: FloatArray) -> Any:
    """0-d results as numpy scalars, everything else unchanged.

    Examples
    --------
    >>> type(scalar_out(np.array(2.0))).__name__, scalar_out(np.ones(2)).shape
    ('float64', (2,))
    """
    return result[()]


def first_nonfinite(array: FloatArray) -> tuple[int, ...] | None:
    """Index of the first NaN or inf in ``array`` (C order), or None if all are finite.

    Examples
    --------
    >>> first_nonfinite(np.array([[1.0, np.nan]]))
    (0, 1)
    """
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), array.shape))


def finite_array(value: npt.ArrayLike, label: str, owner: str) -> FloatArray:
    """``value`` as a float64 array, or an InvalidArgumentError (a ValueError) naming the first NaN/inf entry.

    Examples
    --------
    >>> finite_array([1.0, float("inf")], "d", "demo")
    Traceback (most recent call last):
    ...
    rxnn.errors.InvalidArgumentError: d of demo must be finite; got inf at index (1,)
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidArgumentError(f"{label} of {owner} must be an array of real numbers; got {exc}") from None
    index = first_nonfinite(array)
    if index is not None:
        raise InvalidArgumentError(
            f"{label} of {owner} must be finite; got {array[index].item()!r} at index {index}"
        )
    return array


def as_batch(d: npt.ArrayLike, width: int, owner: str) -> tuple[FloatArray, bool]:
    """Inputs as a (batch, width) array, and whether the caller passed a single input.

    Examples
    --------
    >>> batch, single = as_batch([0.5, 1.0], 2, "demo")
    >>> batch.shape, single
    ((1, 2), True)
    """
    array = finite_array(d, "d", owner)
    if array.ndim == 1 and array.shape[0] == width:
        return array[np.newaxis, :], True
    if array.ndim == 2 and array.shape[1] == width:
        return array, False
    raise InvalidArgumentError(
        f"d of {owner} must have shape (c_0,) = ({width},) or (batch, {width}); got shape {array.shape}"
    )
