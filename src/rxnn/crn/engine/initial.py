"""Initial conditions: the ``initial`` mapping of the public calls, parsed and checked once.

:func:`parse_initial` forms dense (batch, n) arrays; :func:`parse_initial_compact`
(used by ``simulate`` and ``steady_state``) keeps the enzymatic species as
one row plus the columns that vary over the batch (:class:`EnzymeValues`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from itertools import compress, repeat

import numpy as np

from rxnn.crn._checks import HUGE, ArgumentTypeError, check_species_names, short_repr
from rxnn.crn.network import ReactionNetwork
from rxnn.errors import InvalidArgumentError, LimitError

__all__ = ["EnzymeValues", "parse_initial", "parse_initial_compact"]


def parse_initial(
    network: ReactionNetwork,
    initial: Mapping[str, object],
    func: str,
    dynamic: tuple[str, ...],
    enzymatic: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Parse an ``initial`` mapping into dynamic states (batch, n), enzyme values (batch, m) and a batch flag.

    Species not named start at 0. Values are scalars or 1-D arrays over a
    common batch. Raises an error naming the species for unknown names,
    negative or non-finite concentrations, or mismatched batch lengths.

    Examples
    --------
    >>> net = ReactionNetwork.from_text("E + X -> E")
    >>> x0, e, batched = parse_initial(net, {"X": [1.0, 2.0], "E": 3.0}, "f", ("X",), ("E",))
    >>> x0.tolist(), e.tolist(), batched
    ([[1.0], [2.0]], [[3.0], [3.0]], True)
    """
    if not isinstance(initial, Mapping):
        raise ArgumentTypeError(
            f"initial of {func} must be a mapping of species name to concentration; got {type(initial).__name__}"
        )
    check_species_names(network, initial, "initial", func)
    names = list(initial)
    values = list(initial.values())
    scalar = np.fromiter(map(isinstance, values, repeat(float)), bool, len(values))
    s_val = np.fromiter(compress(values, scalar.tolist()), np.float64, int(np.count_nonzero(scalar)))
    # One max and one min over the floats (NaN fails both, inf and values past HUGE the first); if any fails,
    # every value goes through the per-value checks in mapping order, so the error is the one they raise.
    if s_val.size and not (s_val.max() <= HUGE and s_val.min() >= 0):
        scalar[:] = False
    batch: int | None = None
    arrays: dict[int, np.ndarray] = {}
    for k in np.flatnonzero(~scalar).tolist():
        arr = _checked_value(names[k], values[k], func)
        if arr.ndim == 1:
            if batch is not None and arr.shape[0] != batch:
                raise InvalidArgumentError(
                    f"initial of {func}: batch lengths differ ({batch} and {arr.shape[0]} for {names[k]!r}); "
                    "give every array the same length"
                )
            batch = arr.shape[0]
        arrays[k] = arr
    b = batch or 1
    index = network.species_index
    idx = np.fromiter(map(index.__getitem__, names), np.int64, len(names))

    def stack(chosen: tuple[str, ...]) -> np.ndarray:
        position = np.full(len(network.species), -1, dtype=np.int64)  # species -> column of ``chosen``
        position[np.fromiter(map(index.__getitem__, chosen), np.int64, len(chosen))] = np.arange(len(chosen))
        out = np.zeros((b, len(chosen)))
        col = position[idx]
        take = scalar & (col >= 0)
        out[:, col[take]] = s_val[take[scalar]]
        for k, arr in arrays.items():
            if col[k] >= 0:
                out[:, col[k]] = arr
        return out

    return stack(dynamic), stack(enzymatic), batch is not None


def _checked_value(name: str, v: object, func: str) -> np.ndarray:
    """One value of ``initial`` as a float array of at most one dimension, or the error naming what is wrong."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy's overflow to inf on huge ints becomes the error below
            arr = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError, OverflowError, RuntimeWarning):
        raise InvalidArgumentError(
            f"initial[{name!r}] of {func} must be a number or a 1-D array of numbers below 1.8e308; got {short_repr(v)}"
        ) from None
    if arr.ndim > 1:
        raise InvalidArgumentError(
            f"initial[{name!r}] of {func} must be a scalar or a 1-D array over the batch; got shape {arr.shape}"
        )
    if arr.ndim == 1 and arr.size == 0:
        raise InvalidArgumentError(
            f"initial[{name!r}] of {func} must be a scalar or a non-empty 1-D array over the batch; got an empty array"
        )
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        pos = np.flatnonzero(np.atleast_1d(bad))[0]
        got = float(np.atleast_1d(arr)[pos])
        where = f" at batch index {pos}" if arr.ndim else ""
        raise InvalidArgumentError(
            f"initial[{name!r}] of {func} must be a finite concentration >= 0; got {got!r}{where}"
        )
    if arr.size and arr.max() > HUGE:
        raise LimitError(
            f"initial[{name!r}] of {func} must be at most {HUGE:g} (mass-action rates of such values overflow "
            f"float64); got {float(arr.max()):.3g}: rescale the concentration unit"
        )
    return arr


class EnzymeValues:
    """Enzymatic concentrations over a batch, stored as one row plus the columns that vary.

    Behaves like a read-only array of shape (batch, n_enzymatic) for the
    indexing the result objects use (``values[:, j]``) and materialises with
    ``np.asarray``; the compiled networks of §5.2 have tens of thousands of
    enzymatic species of which only the inputs differ between batch members.

    Attributes
    ----------
    row : ndarray of shape (n_enzymatic,)
        Every enzyme's value (for a varying one, its value in member 0).
    columns : ndarray of int, shape (n_var,)
        The enzymes given as arrays over the batch, sorted.
    values : ndarray of shape (batch, n_var)

    Examples
    --------
    >>> e = EnzymeValues(np.array([1.0, 2.0]), np.array([1]), np.array([[2.0], [5.0]]))
    >>> e.shape, e[:, 1].tolist(), np.asarray(e).tolist()
    ((2, 2), [2.0, 5.0], [[1.0, 2.0], [1.0, 5.0]])
    """

    __slots__ = ("row", "columns", "values")

    def __init__(self, row: np.ndarray, columns: np.ndarray, values: np.ndarray) -> None:
        self.row, self.columns, self.values = row, columns, values

    @classmethod
    def constant(cls, row: object) -> EnzymeValues:
        """The same enzymatic concentrations ``row`` (n_enzymatic,) for a batch of one.

        Examples
        --------
        >>> EnzymeValues.constant([3.0]).shape
        (1, 1)
        """
        row = np.asarray(row, dtype=np.float64).ravel()
        return cls(row, np.zeros(0, np.int64), np.zeros((1, 0)))

    @property
    def shape(self) -> tuple[int, int]:
        return (self.values.shape[0], self.row.size)

    @property
    def ndim(self) -> int:
        return 2

    @property
    def dtype(self) -> np.dtype:
        return self.row.dtype

    def __len__(self) -> int:
        return self.values.shape[0]

    def column(self, j: int) -> np.ndarray:
        """Values of enzyme ``j`` over the batch, shape (batch,)."""
        k = int(np.searchsorted(self.columns, j))
        if k < self.columns.size and self.columns[k] == j:
            return self.values[:, k].copy()
        return np.full(self.values.shape[0], self.row[j])

    def take(self, members: np.ndarray) -> EnzymeValues:
        """The batch members ``members``."""
        return EnzymeValues(self.row, self.columns, self.values[members])

    def __getitem__(self, key: object) -> np.ndarray:
        if (
            isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], slice) and key[0] == slice(None)
            and isinstance(key[1], (int, np.integer))
        ):
            j = int(key[1]) % max(self.row.size, 1)
            return self.column(j)
        return np.asarray(self)[key]

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        out = np.broadcast_to(self.row, self.shape).copy()
        out[:, self.columns] = self.values
        return out if dtype is None else out.astype(dtype)

    def reshape(self, *shape: object) -> np.ndarray:
        return np.asarray(self).reshape(*shape)


def parse_initial_compact(
    network: ReactionNetwork,
    initial: Mapping[str, object],
    func: str,
    dynamic_mask: np.ndarray,
    position: np.ndarray,
    cache: dict | None = None,
) -> tuple[np.ndarray, EnzymeValues, bool]:
    """:func:`parse_initial` without forming a (batch, n_enzymatic) array.

    Parameters
    ----------
    network : ReactionNetwork
    initial : mapping of str to float or 1-D array
    func : str
        The public function, for error messages.
    dynamic_mask : ndarray of bool, shape (n_species,)
    position : ndarray of int, shape (n_species,)
        Each species' index among the dynamic or among the enzymatic species.
    cache : dict, optional
        Remembers the species indices of the last list of names, so that a
        mapping built the same way again skips the name lookups.

    Returns
    -------
    x0 : ndarray of shape (batch, n_dynamic)
    enzymes : EnzymeValues
    batched : bool

    Notes
    -----
    Scalars (Python or numpy floats) are checked in one vectorised pass;
    anything unusual (an unknown name, a bad value, other types) is handed to
    :func:`parse_initial`, so the errors are exactly its errors. Cost is a
    few C-level passes over the mapping: about 5 ms for the 64,000 species of
    the compiled 784-40-10 network.

    Examples
    --------
    >>> net = ReactionNetwork.from_text("E + X -> E")
    >>> x0, e, batched = parse_initial_compact(net, {"X": 1.0, "E": [2.0, 3.0]}, "f", net.dynamic_mask,
    ...                                        np.array([0, 0]))
    >>> x0.tolist(), e.columns.tolist(), e.values.tolist(), batched
    ([[1.0], [1.0]], [0], [[2.0], [3.0]], True)
    """
    n_dyn = int(np.count_nonzero(dynamic_mask))
    n_enz = dynamic_mask.size - n_dyn

    def slow() -> tuple[np.ndarray, EnzymeValues, bool]:
        dyn = tuple(s for s, d in zip(network.species, dynamic_mask) if d)
        enz = tuple(s for s, d in zip(network.species, dynamic_mask) if not d)
        x0, e, batched = parse_initial(network, initial, func, dyn, enz)
        varying = np.flatnonzero(np.any(e != e[:1], axis=0)) if e.shape[0] > 1 else np.zeros(0, np.int64)
        return x0, EnzymeValues(e[0].copy(), varying, e[:, varying].copy()), batched

    if not isinstance(initial, Mapping):
        return slow()
    names = list(initial)
    values = list(initial.values())
    if cache is not None and cache.get("names") == names:
        idx = cache["idx"]
    else:
        index = network.species_index
        try:
            idx = np.fromiter(map(index.__getitem__, names), np.int64, len(names))
        except (KeyError, TypeError):
            return slow()
        if cache is not None:
            cache["names"], cache["idx"] = names, idx
    scalar, s_val = _scalars(values, cache)
    s_idx = idx[scalar]
    # One max and one min per array: NaN fails the comparison, inf and values past HUGE exceed it.
    if s_val.size and not (s_val.max() <= HUGE and s_val.min() >= 0):
        return slow()
    o_pos = np.flatnonzero(~scalar)
    o_idx = idx[o_pos]
    b = 1
    batch: int | None = None
    if o_pos.size:
        try:
            stacked_all = np.array([values[k] for k in o_pos], dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            return slow()  # ragged batch lengths, nested arrays, non-numbers: parse_initial says which
        if stacked_all.ndim > 2 or (stacked_all.ndim == 2 and stacked_all.shape[1] == 0) or (
            stacked_all.size and not (stacked_all.max() <= HUGE and stacked_all.min() >= 0)
        ):
            return slow()
        if stacked_all.ndim == 2:
            batch = b = stacked_all.shape[1]
    x0 = np.zeros((b, n_dyn))
    row = np.zeros(n_enz)
    is_dyn = dynamic_mask[s_idx]
    x0[:, position[s_idx[is_dyn]]] = s_val[is_dyn]
    row[position[s_idx[~is_dyn]]] = s_val[~is_dyn]
    columns = np.zeros(0, dtype=np.int64)
    stacked = np.zeros((b, 0))
    if o_pos.size:
        o_dyn = dynamic_mask[o_idx]
        if stacked_all.ndim == 1:  # 0-d arrays
            x0[:, position[o_idx[o_dyn]]] = stacked_all[o_dyn]
            row[position[o_idx[~o_dyn]]] = stacked_all[~o_dyn]
        else:
            x0[:, position[o_idx[o_dyn]]] = stacked_all[o_dyn].T
            columns = position[o_idx[~o_dyn]]
            order = np.argsort(columns, kind="stable")
            columns = columns[order]
            stacked = stacked_all[~o_dyn][order].T
            row[columns] = stacked[0]
    return x0, EnzymeValues(row, columns, stacked), batch is not None


def _scalars(values: list, cache: dict | None) -> tuple[np.ndarray, np.ndarray]:
    """Which values are Python/numpy floats, and those values as an array.

    With a cache from a mapping of the same names, the previous pattern is
    tried first (one pass instead of two); any surprise redoes the full check.
    """
    if cache is not None and "scalar" in cache and len(cache["scalar"]) == len(values):
        scalar, listed, others = cache["scalar"], cache["scalar_list"], cache["others"]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                s_val = np.fromiter(compress(values, listed), np.float64, int(cache["n_scalar"]))
            if not any(isinstance(values[k], float) for k in others):
                return scalar, s_val
        except (TypeError, ValueError, OverflowError, Warning):
            pass
    scalar = np.fromiter(map(isinstance, values, repeat(float)), bool, len(values))
    listed = scalar.tolist()
    s_val = np.fromiter(compress(values, listed), np.float64, int(np.count_nonzero(scalar)))
    if cache is not None:
        cache.update(scalar=scalar, scalar_list=listed, others=np.flatnonzero(~scalar), n_scalar=s_val.size)
    return scalar, s_val
