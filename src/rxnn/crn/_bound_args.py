"""Argument checks of :func:`rxnn.crn.bound.bind` and its methods (private).

Every refusal names the argument, the function and the species, in the
template of :func:`rxnn._validation.must_be`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rxnn._validation import must_be
from rxnn.crn._checks import HUGE, short_repr
from rxnn.errors import ArgumentTypeError, InvalidArgumentError, LimitError

__all__ = ["as_float_array", "check_mapping", "check_values", "fixed_numbers", "runs", "species_positions"]


def as_float_array(value: Any, what: str) -> np.ndarray:
    """``value`` as float64 (refusing non-numbers and values past float64 by name)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy's overflow to inf on huge ints becomes the error below
            return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError, RuntimeWarning):
        raise InvalidArgumentError(f"{what} must be numbers below 1.8e308; got {short_repr(value)}") from None


def check_values(arr: np.ndarray, what: str, names: Sequence[str] | None = None) -> None:
    """Refuse negative, non-finite or huge concentrations, naming the first bad entry (and its species).

    ``arr`` has the species on its last axis when ``names`` is given.
    """
    if arr.size and arr.min() >= 0 and arr.max() <= HUGE:
        return
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        got = float(arr[where])
        label = f"{what}[{names[where[-1]]!r}]" if names is not None and arr.ndim else what
        at = f" at batch index {where[0]}" if arr.ndim == 2 else ""
        raise InvalidArgumentError(f"{label} must be a finite concentration >= 0; got {got!r}{at}")
    if arr.size and arr.max() > HUGE:
        raise LimitError(
            f"{what} must be at most {HUGE:g} (mass-action rates of such values overflow float64); "
            f"got {float(arr.max()):.3g}: rescale the concentration unit"
        )


def species_positions(network: Any, names: Sequence[Any], arg: str, func: str) -> np.ndarray:
    """Indices of ``names`` in ``network.species``, refusing non-strings, unknown names and repeats."""
    index = network.species_index
    try:
        idx = np.fromiter(map(index.__getitem__, names), np.int64, len(names))
    except (KeyError, TypeError):
        bad = [s for s in names if not isinstance(s, str) or s not in index]
        if any(not isinstance(s, str) for s in bad):
            raise ArgumentTypeError(f"{arg} of {func} must name species by str; got {short_repr(bad[0])}") from None
        shown = ", ".join(map(repr, bad[:5])) + (", ..." if len(bad) > 5 else "")
        raise InvalidArgumentError(
            f"{arg} of {func} names {shown}, which {'is not a species' if len(bad) == 1 else 'are not species'} "
            f"of the network (species: {', '.join(network.species[:12])}{', ...' if network.n_species > 12 else ''})"
        ) from None
    if np.unique(idx).size != idx.size:
        seen: set[str] = set()
        repeated = next(s for s in names if s in seen or seen.add(s))
        raise InvalidArgumentError(f"{arg} of {func} names {repeated!r} twice; name each species once")
    return idx


def check_mapping(value: Any, arg: str, func: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(
            f"{arg} of {func} must be a mapping of species name to concentration; got {type(value).__name__}"
        )
    return value


def runs(into: np.ndarray, take: np.ndarray, most: int = 16) -> list[tuple[Any, Any]]:
    """``row[into] = values[take]`` as at most ``most`` slice copies where both run in steps of 1, else one gather."""
    if into.size == 0:
        return []
    breaks = np.flatnonzero((np.diff(into) != 1) | (np.diff(take) != 1)) + 1
    if breaks.size >= most:
        return [(into, take)]
    starts, ends = np.concatenate([[0], breaks]), np.concatenate([breaks, [into.size]])
    return [(slice(int(into[a]), int(into[a]) + int(b - a)), slice(int(take[a]), int(take[a]) + int(b - a)))
            for a, b in zip(starts, ends)]


def fixed_numbers(values: Sequence[Any], names: Sequence[str], arg: str, func: str) -> np.ndarray:
    """Fixed values: one finite concentration each (a batch of values belongs in ``varying``)."""
    if all(issubclass(t, (float, int, np.floating, np.integer)) for t in set(map(type, values))):
        try:  # plain numbers: one C-level pass
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                out = np.fromiter(values, np.float64, len(values))
            check_values(out, f"{arg} of {func}", names)
            return out
        except (OverflowError, Warning):
            pass  # an int past float64: the loop below names it
    out = np.empty(len(values))
    for k, (s, v) in enumerate(zip(names, values)):
        a = as_float_array(v, f"{arg}[{s!r}] of {func}")
        if a.ndim:
            raise must_be(f"{arg}[{s!r}]", func, "one number (fixed values are the same for the whole batch; "
                          "give values that differ over the batch per call, in varying)", f"shape {a.shape}")
        out[k] = a
    check_values(out, f"{arg} of {func}", names)
    return out
