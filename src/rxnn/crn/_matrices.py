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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.model import MAX_COEFFICIENT, NetworkError, Rate, check_rate

__all__ = ["name_weights", "column_hashes", "canonical_matrix", "parse_rates", "complex_hashes", "duplicate_columns",
           "matrices_from_reactions", "first_complexes", "with_values"]


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


def matrices_from_reactions(reactions: Sequence[Any]) -> tuple[tuple[str, ...], sp.csc_matrix, sp.csc_matrix, list]:
    """Species (in order of first appearance), reactant and product matrices and rates of Reaction objects.

    Examples
    --------
    >>> from rxnn.crn.model import Reaction
    >>> species, R, P, rates = matrices_from_reactions([Reaction({"A": 1}, {"B": 2}, 0.5)])
    >>> species, R.toarray().tolist(), P.toarray().tolist(), rates
    (('A', 'B'), [[1], [0]], [[0], [2]], [0.5])
    """
    from rxnn.crn.model import Reaction

    reactions = list(reactions)
    for i, r in enumerate(reactions):
        if not isinstance(r, Reaction):
            raise NetworkError(f"reactions[{i}] must be a Reaction; got {type(r).__name__}")
    index: dict[str, int] = {}
    for r in reactions:
        for name in (*r.reactants, *r.products):
            index.setdefault(name, len(index))
    n_s, n_r = len(index), len(reactions)
    matrices = []
    for side in ("reactants", "products"):
        rows, cols, vals = [], [], []
        for j, r in enumerate(reactions):
            for name, coef in getattr(r, side).items():
                rows.append(index[name])
                cols.append(j)
                vals.append(coef)
        matrices.append(sp.csc_matrix((np.array(vals, dtype=np.int64), (rows, cols)), shape=(n_s, n_r)))
    return tuple(index), matrices[0], matrices[1], [r.rate for r in reactions]


def first_complexes(hashes: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Positions ``2 j`` (reactant of reaction j) or ``2 j + 1`` (product) of each distinct complex's first use.

    Examples
    --------
    >>> first_complexes((np.array([5, 7], dtype=np.uint64), np.array([7, 9], dtype=np.uint64))).tolist()
    [0, 1, 3]
    """
    both = np.stack(hashes, axis=1).ravel()
    return np.sort(np.unique(both, return_index=True)[1])


def with_values(rates: np.ndarray, rate_names: tuple[str | None, ...], given: Mapping[str, float],
                known: Sequence[str]) -> tuple[np.ndarray, tuple[str | None, ...] | None]:
    """Rates and names once the named rate constants in ``given`` have values (each checked positive).

    Examples
    --------
    >>> values, names = with_values(np.array([1.0, np.nan]), (None, "k"), {"k": 2.0}, ("k",))
    >>> values.tolist(), names
    ([1.0, 2.0], None)
    """
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise NetworkError(
            f"with_rates got values for {', '.join(unknown)}, which are not rate parameters of "
            f"this network (its parameters: {', '.join(sorted(known)) or 'none'})"
        )
    for name, v in given.items():
        check_rate(v if not isinstance(v, str) else float("nan"), f"parameter {name}")
    names = list(rate_names)
    out = rates.copy()
    for j, name in enumerate(names):
        if name in given:
            out[j] = float(given[name])
            names[j] = None
    return out, (tuple(names) if any(n is not None for n in names) else None)
