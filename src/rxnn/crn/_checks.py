"""Boundary checks shared by the simulators: sizes bounded before allocating, values that cannot overflow.

Each limit is stated here once and named in its refusal (a
:class:`~rxnn.errors.LimitError`), so that a small input cannot ask for an
unbounded allocation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rxnn._validation import must_be
from rxnn.errors import ArgumentTypeError, LimitError

__all__ = ["ArgumentTypeError", "HUGE", "STATE_LIMIT", "check_elements", "check_network", "check_times"]

#: Concentrations past this are refused as a start and treated as a blow-up during integration: a rate
#: monomial of order 3 stays below float64's 1.8e308 only up to about 1e102.
HUGE = 1e100
#: Most values of one state (batch x dynamic species) that simulate / steady_state accept: 80 MB of float64.
STATE_LIMIT = 10_000_000


def check_network(network: Any, func: str) -> None:
    """Refuse anything but a ReactionNetwork, naming the type given."""
    from rxnn.crn.network import ReactionNetwork

    if not isinstance(network, ReactionNetwork):
        raise ArgumentTypeError(f"network of {func} must be a ReactionNetwork; got {type(network).__name__}")


def check_elements(count: int, limit: int, what: str, func: str, fix: str) -> None:
    """Raise a LimitError when ``count`` values of ``what`` would pass ``limit`` (checked before allocating)."""
    if count > limit:
        raise LimitError(f"{func}: {what} come to {count:.3g}, over the limit of {limit:.0e}; {fix}")


def short_repr(value: object, limit: int = 80) -> str:
    """repr of a user value cut to ``limit`` characters (a huge int or list must not make a huge message)."""
    if isinstance(value, int) and value.bit_length() >= 200:
        return f"an integer of {value.bit_length()} bits"
    try:
        text = repr(value)
    except ValueError:  # an int too long for str()
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Short:
    """Wraps a value so that must_be's ``{got!r}`` shows :func:`short_repr`."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return short_repr(self.value)


def check_times(t_eval: Any, t0: float, t1: float, func: str) -> np.ndarray:
    """``t_eval`` as a non-empty sorted 1-D float array of finite times within [t0, t1].

    Examples
    --------
    >>> check_times([0, 0.5, 1], 0.0, 1.0, "simulate")
    array([0. , 0.5, 1. ])
    >>> check_times([], 0.0, 1.0, "simulate")
    Traceback (most recent call last):
    ...
    rxnn.errors.InvalidArgumentError: t_eval of simulate must be a non-empty sorted 1-D array of finite times within t_span [0, 1]; got []
    """
    what = f"a non-empty sorted 1-D array of finite times within t_span [{t0:g}, {t1:g}]"
    try:
        times = np.asarray(t_eval, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise must_be("t_eval", func, what, _Short(t_eval)) from None
    if times.ndim != 1 or times.size == 0 or not np.all(np.isfinite(times)):
        raise must_be("t_eval", func, what, _Short(t_eval))
    if np.any(np.diff(times) < 0) or times[0] < t0 or times[-1] > t1:
        raise must_be("t_eval", func, what, _Short(t_eval))
    return times
