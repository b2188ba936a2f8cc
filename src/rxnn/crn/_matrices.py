"""The canonical arrays of a reaction network: complex matrices, rates, value hashes (Def. 2.1).

:class:`~rxnn.crn.network.ReactionNetwork` stores its reactions as two sparse
integer matrices (reactant and product complexes, species x reactions) and a
rate vector; these functions build and check them. Columns are hashed by value
(64-bit weights per species name, sums modulo 2**64), so equal complexes and
repeated reactions are found in vectorised numpy, and every hash match is
confirmed exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.model import MAX_COEFFICIENT, NetworkError, Rate, check_rate

__all__ = ["name_weights", "column_hashes", "canonical_matrix", "parse_rates", "complex_hashes", "duplicate_columns"]


def name_weights(names: Sequence[str]) -> np.ndarray:
    """Deterministic odd 64-bit weights per species name, for hashing complexes by value.

    Examples
    --------
    >>> w = name_weights(["A", "B"])
    >>> w.dtype, bool(w[0] % 2), bool((w == name_weights(["A", "B"])).all())
    (dtype('uint64'), True, True)
    """
    out = np.empty(len(names), dtype=np.uint64)
    for i, name in enumerate(names):
        out[i] = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little") | 1
    return out


def column_hashes(matrix: sp.csc_matrix, weights: np.ndarray) -> np.ndarray:
    """Hash of every column as sum(coef * weight) mod 2**64; equal columns hash equal.

    Signed coefficients (reaction vectors) wrap modulo 2**64 like the sums do.

    Examples
    --------
    >>> m = sp.csc_matrix(np.array([[1, 1, 0], [0, 0, 2]]))
    >>> h = column_hashes(m, name_weights(["A", "B"]))
    >>> bool(h[0] == h[1]), bool(h[0] == h[2])
    (True, False)
    """
    products = matrix.data.astype(np.int64).astype(np.uint64) * weights[matrix.indices]
    out = np.zeros(matrix.shape[1], dtype=np.uint64)
    columns = np.repeat(np.arange(matrix.shape[1]), np.diff(matrix.indptr))
    np.add.at(out, columns, products)
    return out


def canonical_matrix(matrix: Any, n_species: int, n_reactions: int | None, side: str) -> sp.csc_matrix:
    """Coerce a complex matrix to canonical CSC with int64 data, validating Def. 2.1 coefficients.

    ``n_reactions=None`` accepts any number of columns (the reactant matrix fixes it).

    Examples
    --------
    >>> canonical_matrix([[0, 2], [1, 0]], 2, 2, "reactant").toarray()
    array([[0, 2],
           [1, 0]])
    >>> canonical_matrix([[0.5]], 1, 1, "reactant")
    Traceback (most recent call last):
    ...
    rxnn.crn.model.NetworkError: reactant coefficients must be non-negative integers (Def. 2.1); got np.float64(0.5)
    """
    try:
        m = sp.csc_matrix(matrix, copy=True)
    except (TypeError, ValueError, OverflowError) as exc:
        raise NetworkError(
            f"{side} matrix must be a sparse matrix or array of non-negative integers (Def. 2.1); got {exc}"
        ) from None
    if m.dtype.kind not in "biuf":
        raise NetworkError(f"{side} coefficients must be non-negative integers (Def. 2.1); got dtype {m.dtype}")
    if n_reactions is None:
        n_reactions = m.shape[1]
    if m.shape != (n_species, n_reactions):
        raise NetworkError(
            f"{side} matrix must have shape (n_species, n_reactions) = ({n_species}, {n_reactions}); "
            f"got {m.shape}"
        )
    m.sum_duplicates()
    data = m.data
    if not np.issubdtype(data.dtype, np.integer):
        if not np.all(np.isfinite(data)) or not np.all(data == np.round(data)):
            bad = int(np.flatnonzero(~np.isfinite(data) | (data != np.round(data)))[0])
            raise NetworkError(
                f"{side} coefficients must be non-negative integers (Def. 2.1); got {data[bad]!r}"
            )
    if data.size and data.min() < 0:
        raise NetworkError(
            f"{side} coefficients must be non-negative integers (Def. 2.1); got {data.min()!r}"
        )
    if data.size and data.max() > MAX_COEFFICIENT:
        raise NetworkError(
            f"{side} coefficients must be at most MAX_COEFFICIENT = {MAX_COEFFICIENT}; got {data.max()!r}"
        )
    m = sp.csc_matrix((data.astype(np.int64), m.indices.astype(np.int64), m.indptr.astype(np.int64)), shape=m.shape)
    m.eliminate_zeros()
    m.sort_indices()
    return m


def parse_rates(rates: Any, n_r: int, checked: bool) -> tuple[np.ndarray, tuple[str | None, ...] | None]:
    """Rate values (NaN where symbolic) and names (None where numeric; None for all-numeric rates).

    ``checked=True`` skips the per-rate check (the rates came from Reaction objects).

    Examples
    --------
    >>> values, names = parse_rates([2.0, "k"], 2, checked=False)
    >>> values.tolist()[0], names
    (2.0, (None, 'k'))
    """
    if isinstance(rates, np.ndarray) and rates.dtype.kind in "fiu":
        values = rates.astype(np.float64).ravel()
        if values.shape != (n_r,):
            raise NetworkError(f"rates must have one entry per reaction ({n_r}); got shape {rates.shape}")
        bad = ~(np.isfinite(values) & (values > 0))
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise NetworkError(f"rate of reaction {j} must be a positive finite number; got {values[j]!r}")
        return values, None
    rates = list(rates)
    if len(rates) != n_r:
        raise NetworkError(f"rates must have one entry per reaction ({n_r}); got {len(rates)}")
    values = np.full(n_r, np.nan)
    names: list[str | None] = [None] * n_r
    for j, rate in enumerate(rates):
        rate = rate if checked else check_rate(rate, f"reaction {j}")
        if isinstance(rate, str):
            names[j] = rate
        else:
            values[j] = rate
    return values, (tuple(names) if any(n is not None for n in names) else None)


def complex_hashes(species: Sequence[str], R: sp.csc_matrix, P: sp.csc_matrix,
                   describe: Callable[[int], str]) -> tuple[np.ndarray, np.ndarray]:
    """Check Def. 2.1 (every species used, no reaction from a complex to itself); return the column hashes.

    ``describe(j)`` writes reaction j for the message.

    Examples
    --------
    >>> R = sp.csc_matrix(np.array([[1], [0]]))
    >>> P = sp.csc_matrix(np.array([[0], [1]]))
    >>> h_r, h_p = complex_hashes(["A", "B"], R, P, str)
    >>> bool(h_r[0] != h_p[0])
    True
    """
    used = np.zeros(len(species), dtype=bool)
    used[R.indices] = True
    used[P.indices] = True
    if not used.all():
        unused = [species[i] for i in np.flatnonzero(~used)[:10]]
        raise NetworkError(
            f"species {', '.join(unused)} appear in no reaction; Def. 2.1 requires every species "
            "to appear in some complex (drop them from the species list)"
        )
    weights = name_weights(species)
    h_r, h_p = column_hashes(R, weights), column_hashes(P, weights)
    for j in np.flatnonzero(h_r == h_p):
        if (R[:, j] != P[:, j]).nnz == 0:
            raise NetworkError(f"reaction {j} ({describe(j)}) goes from a complex to itself, which Def. 2.1 forbids")
    return h_r, h_p


def duplicate_columns(R: sp.csc_matrix, P: sp.csc_matrix, hashes: tuple[np.ndarray, np.ndarray],
                      rate_of: Callable[[int], Rate], describe: Callable[[int], str]) -> np.ndarray | None:
    """The columns to keep under set semantics (the first copy of a repeated reaction), or None if all.

    A reaction repeated with a different rate is an error (one edge, one rate constant).

    Examples
    --------
    >>> R = sp.csc_matrix(np.array([[1, 1]]))
    >>> P = sp.csc_matrix(np.array([[2, 2]]))
    >>> w = name_weights(["A"])
    >>> duplicate_columns(R, P, (column_hashes(R, w), column_hashes(P, w)), lambda j: 1.0, str).tolist()
    [0]
    """
    h_r, h_p = hashes
    keys = np.stack([h_r, h_p], axis=1)
    if len(keys) < 2:
        return None
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    if len(first) == len(keys):
        return None
    keep = np.ones(len(keys), dtype=bool)
    for j in np.flatnonzero(first[inverse] != np.arange(len(keys))):
        i = int(first[inverse[j]])
        same = (R[:, i] != R[:, j]).nnz == 0 and (P[:, i] != P[:, j]).nnz == 0
        if not same:  # a 64-bit hash collision: astronomically rare, but stay exact
            continue
        if rate_of(i) != rate_of(j):
            raise NetworkError(
                f"reaction {describe(i)} is given twice with different rates "
                f"({rate_of(i)!r} and {rate_of(j)!r}); a reaction is one edge with one rate constant"
            )
        keep[j] = False
    return None if keep.all() else np.flatnonzero(keep)
