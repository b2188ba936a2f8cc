"""Boundary checks shared by the simulators: sizes bounded before allocating, values that cannot overflow.

Each limit is stated here once and named in its refusal (a
:class:`~rxnn.errors.LimitError`), so that a small input cannot ask for an
unbounded allocation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from rxnn._validation import must_be
from rxnn.errors import ArgumentTypeError, LimitError

__all__ = [
    "ArgumentTypeError",
    "HUGE",
    "STATE_LIMIT",
    "check_elements",
    "check_network",
    "check_span",
    "check_times",
    "check_window",
    "observed_columns",
    "seed_sequence",
]

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


def check_span(t_span: Any, func: str) -> tuple[float, float]:
    """``t_span`` as a pair of finite floats t0 < t1.

    Examples
    --------
    >>> check_span((0, 2), "simulate")
    (0.0, 2.0)
    >>> check_span((1, 0), "simulate")
    Traceback (most recent call last):
    ...
    rxnn.errors.InvalidArgumentError: t_span of simulate must be a pair of finite times with t0 < t1; got (1, 0)
    """
    try:
        t0, t1 = (float(v) for v in t_span)
    except (TypeError, ValueError, OverflowError):
        raise must_be("t_span", func, "a pair (t0, t1) of numbers", _Short(t_span)) from None
    if not (math.isfinite(t0) and math.isfinite(t1)) or t1 <= t0:
        raise must_be("t_span", func, "a pair of finite times with t0 < t1", _Short(t_span))
    return t0, t1


def check_window(window: Any, t0: float, t1: float, func: str) -> tuple[float, float]:
    """An averaging window inside [t0, t1]; None gives the second half of the span.

    Examples
    --------
    >>> check_window(None, 0.0, 10.0, "simulate_stochastic")
    (5.0, 10.0)
    """
    if window is None:
        return (t0 + 0.5 * (t1 - t0), t1)
    try:
        w0, w1 = (float(v) for v in window)
    except (TypeError, ValueError):
        raise must_be("window", func, "a pair (t0, t1) of times", _Short(window)) from None
    if not (t0 <= w0 < w1 <= t1):
        what = f"a pair of times with {t0:g} <= t0 < t1 <= {t1:g} (inside t_span)"
        raise must_be("window", func, what, _Short(window))
    return w0, w1


def seed_sequence(seed: Any, func: str) -> np.random.SeedSequence:
    """The root SeedSequence of ``seed`` (None, a non-negative int or a SeedSequence), refusing anything else.

    Examples
    --------
    >>> seed_sequence(7, "simulate_stochastic").entropy
    7
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool) and seed >= 0):
        return np.random.SeedSequence(None if seed is None else int(seed))
    raise must_be("seed", func, "None, an integer >= 0 or a numpy SeedSequence", _Short(seed))


def observed_columns(network: Any, observe: Sequence[str] | str | None, func: str) -> np.ndarray:
    """Species indices of ``observe`` (default all), refusing names that are not species.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> observed_columns(ReactionNetwork.from_text("X -> Y"), ["Y"], "simulate_stochastic")
    array([1])
    """
    if observe is None:
        return np.arange(network.n_species)
    if isinstance(observe, str):
        observe = [observe]
    check_species_names(network, observe, "observe", func)
    index = network.species_index
    return np.array([index[s] for s in dict.fromkeys(observe)], dtype=np.int64)


def check_species_names(network: Any, names: Any, what: str, func: str) -> None:
    """Refuse names in ``names`` that are not species of ``network``, naming them and a few species.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> check_species_names(ReactionNetwork.from_text("X -> Y"), ["Z"], "initial", "simulate")
    Traceback (most recent call last):
    ...
    rxnn.crn.model.NetworkError: initial of simulate names 'Z', which is not a species of the network (species: X, Y)
    """
    from rxnn.crn.network import NetworkError

    index = network.species_index
    unknown = [s for s in names if s not in index]
    if unknown:
        raise NetworkError(
            f"{what} of {func} names {', '.join(map(repr, unknown))}, which "
            f"{'is not a species' if len(unknown) == 1 else 'are not species'} of the network "
            f"(species: {', '.join(network.species[:12])}{', ...' if network.n_species > 12 else ''})"
        )
