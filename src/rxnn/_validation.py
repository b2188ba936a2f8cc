"""One small helper set for validating arguments at the public boundary.

Messages follow one template (STYLE.md): ``<arg> of <function> must be <what>; got <value>``.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np

from rxnn.errors import InvalidArgumentError


def must_be(arg: str, func: str, what: str, got: Any) -> InvalidArgumentError:
    """Build the standard error for a bad argument (an :class:`~rxnn.errors.InvalidArgumentError`, a ``ValueError``)."""
    try:
        text = repr(got)
    except ValueError:  # an int past Python's str() digit limit
        text = f"a {type(got).__name__} too long to print"
    if len(text) > 200:  # a huge value must not make a huge message
        text = text[:197] + "..."
    return InvalidArgumentError(f"{arg} of {func} must be {what}; got {text}")


def _finite(value: Real) -> bool:
    """math.isfinite, False (not OverflowError) for an integer beyond float64."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def check_positive_finite(value: Any, arg: str, func: str) -> float:
    """Return ``value`` as a float after checking it is a positive finite number."""
    if isinstance(value, bool) or not isinstance(value, Real) or not _finite(value) or value <= 0:
        raise must_be(arg, func, "a positive finite number", value)
    return float(value)


def check_nonnegative_finite(value: Any, arg: str, func: str) -> float:
    """Return ``value`` as a float after checking it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, Real) or not _finite(value) or value < 0:
        raise must_be(arg, func, "a finite number >= 0", value)
    return float(value)


def check_int(value: Any, arg: str, func: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int after checking it is an integer (>= ``minimum``)."""
    if isinstance(value, bool) or not isinstance(value, Integral | np.integer):
        raise must_be(arg, func, "an integer" + (f" >= {minimum}" if minimum is not None else ""), value)
    if minimum is not None and value < minimum:
        raise must_be(arg, func, f"an integer >= {minimum}", value)
    return int(value)
