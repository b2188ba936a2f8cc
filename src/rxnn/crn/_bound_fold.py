"""The fast path of :func:`rxnn.crn.bound.bind`: each cascade level's coefficients as one affine map (private).

With the fixed concentrations known, the coefficients c_p of a one-species
component's polynomial f(x) = sum_p c_p x^p (:class:`rxnn.crn.engine` Level,
the node equations (13) and (20)) are affine in the upstream species and in
the varying enzymes whenever every term is a group rate S_g times a power of
the species itself (no product with other species): S_g = sum_c alpha_c k_c
x_u(c) with k_c = k0_c + e_var M. :class:`Fold` builds, once per network and
set of varying enzymes, the map channel -> coefficient row (``Z``); binding
values (:meth:`Fold.bind`) folds the rate constants into one constant vector
and two matrices per level (``Lx`` on the upstream dynamic species, ``Le`` on
the varying enzymes), so that a solve is one matrix product per level plus
the engine's one-dimensional roots (:func:`rxnn.crn.engine.node_roots`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.engine import Engine, node_roots

__all__ = ["Fold", "FoldedValues"]

_DENSE_LIMIT = 20_000_000  # entries of a folded matrix kept dense (160 MB) when it is not sparse


def _compact(A: sp.spmatrix) -> np.ndarray | sp.csr_matrix:
    """Dense when at least 10% full and not huge (one BLAS product), else CSR."""
    A = sp.csr_matrix(A)
    size = A.shape[0] * A.shape[1]
    if size and size <= _DENSE_LIMIT and A.nnz >= 0.1 * size:
        return A.toarray()
    return A


def _product(A: np.ndarray | sp.csr_matrix, XT: np.ndarray) -> np.ndarray:
    return A @ XT if isinstance(A, np.ndarray) else np.asarray(A @ XT)


def _slots(R: sp.csc_matrix, rows: np.ndarray, fill: int) -> np.ndarray:
    """Per reaction, the ``rows`` index of each unit of its reactants among the selected species (``fill`` padded)."""
    R = sp.csc_matrix(R)
    keep = rows[R.indices] >= 0
    reps = np.where(keep, R.data, 0).astype(np.int64)
    cols = np.repeat(np.repeat(np.arange(R.shape[1]), np.diff(R.indptr)), reps)
    species = np.repeat(rows[R.indices], reps)
    counts = np.bincount(cols, minlength=R.shape[1])
    width = int(counts.max()) if counts.size else 0
    table = np.full((R.shape[1], width), fill, dtype=np.int64)
    position = np.arange(cols.size) - np.repeat(np.cumsum(counts) - counts, counts)
    table[cols, position] = species
    return table


class _Target:
    """The entries of one folded matrix as a fixed sparse pattern whose values are P @ factor."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, reactions: np.ndarray, weights: np.ndarray,
                 shape: tuple[int, int], n_reactions: int) -> None:
        key = rows * max(shape[1], 1) + cols
        ukey, entry = np.unique(key, return_inverse=True)
        self.shape = shape
        self.rows, self.cols = ukey // max(shape[1], 1), ukey % max(shape[1], 1)
        self.P = sp.csr_matrix((weights, (entry.ravel(), reactions)), shape=(ukey.size, n_reactions))
        size = shape[0] * shape[1]
        self.dense = bool(size) and size <= _DENSE_LIMIT and ukey.size >= 0.1 * size
        self.flat = self.rows * shape[1] + self.cols
        self.full = self.dense and self.flat.size == size  # every entry present, in order (sorted unique keys)

    def values(self, vector: np.ndarray, Q: bool) -> np.ndarray | sp.csr_matrix | None:
        """The matrix for per-reaction factors (``Q`` False) or for the fixed values and a 1 (``Q`` True)."""
        if self.flat.size == 0:
            return None
        data = (self.Q if Q else self.P) @ vector
        if self.full:
            return data.reshape(self.shape)
        if self.dense:
            out = np.zeros(self.shape)
            out.flat[self.flat] = data
            return out
        return sp.csr_matrix((data, (self.rows, self.cols)), shape=self.shape)


class _LevelStructure:
    """One level's reactions and their map onto the coefficient rows (independent of values)."""

    def __init__(self, engine: Engine, level: Any, to_groups: sp.csr_matrix, react: dict[str, np.ndarray],
                 n_var: int) -> None:
        n = engine.n
        self.species = level.species
        self.nb, self.degree = level.species.size, level.degree
        self.top, self.bounded, self.linear_growth = level.top, level.bounded, level.linear_growth
        rows_total = self.nb * (level.degree + 1)
        Z = (level.T @ to_groups[level.groups][level.pair_group]).tocsc()  # (nb * (d + 1), n_channels)
        Z.eliminate_zeros()
        # Every (coefficient row, reaction) pair: the reaction's channel column of Z.
        channel = react["channel"]
        per = np.diff(Z.indptr)[channel]
        r = np.repeat(np.arange(channel.size), per)
        offsets = np.arange(r.size) - np.repeat(np.cumsum(per) - per, per)
        nz = np.repeat(Z.indptr[channel], per) + offsets
        row, weight = Z.indices[nz].astype(np.int64), Z.data[nz]
        upstream = engine.exact.upstream_of_channel[channel[r]]
        var = react["var"][r]
        self.bilinear = r[(upstream < n) & (var >= 0)]
        lin, ve = (upstream < n) & (var < 0), var >= 0
        const = ~lin & ~ve
        moving = np.unique(row[lin | ve])
        local = np.full(rows_total, -1, dtype=np.int64)
        local[moving] = np.arange(moving.size)
        self.moving = moving
        self.xcols = np.unique(upstream[lin])
        xlocal = np.searchsorted(self.xcols, upstream[lin])
        R = channel.size
        self.const = _Target(row[const], np.zeros(int(const.sum()), np.int64), r[const], weight[const], (rows_total, 1), R)
        self.Lx = _Target(local[row[lin]], xlocal, r[lin], weight[lin], (moving.size, self.xcols.size), R)
        self.Le = _Target(local[row[ve]], var[ve], r[ve], weight[ve], (moving.size, n_var), R)


class FoldedLevel:
    """A level with values bound: C = const + Lx @ XT[xcols] + Le @ E^T (rows ``moving`` only; None: no terms)."""

    __slots__ = ("structure", "const", "moving", "Lx", "xcols", "Le")

    def __init__(self, structure: _LevelStructure, vector: np.ndarray, Q: bool) -> None:
        self.structure = structure
        const = structure.const.values(vector, Q)
        self.const = np.zeros(structure.nb * (structure.degree + 1)) if const is None else const.ravel()
        self.moving, self.xcols = structure.moving, structure.xcols
        self.Lx, self.Le = structure.Lx.values(vector, Q), structure.Le.values(vector, Q)


class Fold:
    """The structure of the fast path for one engine and one set of varying enzymes.

    Parameters
    ----------
    engine : Engine
    var_enzymes : ndarray of int
        Positions (among the enzymatic species) of the enzymes whose values
        are given per call; every other enzyme is fixed.
    fixed_index : ndarray of int, shape (n_enzymatic,)
        Where each fixed enzyme's value sits in the vector given to
        :meth:`bind` (-1 for the varying ones).
    n_fixed : int
        Length of that vector.

    Attributes
    ----------
    reason : str or None
        Why the fast path does not apply (None when it does).

    Notes
    -----
    Reaction r of channel c contributes k_r prod(fixed enzymes of r) times
    the channel's column of Z (level.T over the channel's group) to the
    constant, to ``Lx`` (column u(c), its upstream species) or to ``Le``
    (column v(r), its varying enzyme): every folded entry is a fixed sparse
    combination of the per-reaction factors, so binding new values is one
    gather-product over the reactions and one sparse product per level.
    """

    def __init__(self, engine: Engine, var_enzymes: np.ndarray, fixed_index: np.ndarray, n_fixed: int) -> None:
        self.engine = engine
        self.n_fixed = n_fixed
        self.var_enzymes = v = np.asarray(var_enzymes, dtype=np.int64)
        self.levels: list[_LevelStructure] = []
        self.reason: str | None = None
        n = engine.n
        if n == 0:
            self.reason = "the network has no dynamic species"
            return
        system = engine.system
        names = system.dynamic_species
        network = system.network
        mask, position = engine.dynamic_mask, engine.position
        n_enz = mask.size - n
        is_var = np.zeros(n_enz, bool)
        is_var[v] = True
        var_local = np.full(n_enz, -1, dtype=np.int64)
        var_local[v] = np.arange(v.size)
        fixed_rows = np.where(~mask, fixed_index[np.where(mask, 0, position)], -1)
        var_rows = np.where(~mask, var_local[np.where(mask, 0, position)], -1)
        R = network.reactant_matrix()
        self.k = network.rate_array().astype(np.float64)
        self.fixed_slots = _slots(R, fixed_rows, n_fixed)  # index n_fixed: the factor 1
        var_slots = _slots(R, var_rows, -1)
        if var_slots.shape[1] > 1 and np.any(var_slots[:, 1] >= 0):
            self.reason = "a rate constant multiplies two or more varying enzymes"
            return
        react = {"channel": system.channel_of_reaction,
                 "var": var_slots[:, 0] if var_slots.shape[1] else np.full(self.k.size, -1, np.int64)}
        gr = engine.exact
        C = system.n_channels
        to_groups = sp.csr_matrix((gr.alpha, (gr.group_of_channel, np.arange(C))), shape=(gr.n_groups, C))
        for level in engine.levels:
            if level.multi:
                self.reason = (f"species {names[int(level.multi[0][0])]!r} is in a strongly connected component "
                               "of several species")
                return
            product = [names[int(level.species[0])] for pairs, _ in level.pair_slots if pairs.size]
            if product:
                self.reason = (f"a coefficient of the polynomial of {product[0]!r} multiplies concentrations "
                               "of other species (it is not affine in them)")
                return
            if level.species.size:
                s = _LevelStructure(engine, level, to_groups, react, v.size)
                if s.bilinear.size:
                    self.reason = (f"reaction {int(s.bilinear[0])} has a varying enzyme and an upstream dynamic "
                                   "species at once (its term is bilinear)")
                    return
                self.levels.append(s)
        # At most one fixed enzyme per reaction (Table 1): every entry is linear in the fixed values, and
        # Q = P diag(k) S (S selecting each reaction's fixed value, or the 1) maps them to it in one product.
        self.linear = self.fixed_slots.shape[1] <= 1
        if self.linear:
            R = self.k.size
            sel = self.fixed_slots[:, 0] if self.fixed_slots.shape[1] else np.full(R, n_fixed, np.int64)
            S = sp.csr_matrix((self.k, (np.arange(R), sel)), shape=(R, n_fixed + 1))
            for s in self.levels:
                for target in (s.const, s.Lx, s.Le):
                    target.Q = sp.csr_matrix(target.P @ S)

    def bind(self, values: np.ndarray) -> FoldedValues:
        """Fold the fixed values (n_fixed,) into each level's affine map."""
        return FoldedValues(self, values)


class FoldedValues:
    """A :class:`Fold` with the fixed values bound; :meth:`solve` runs the cascade by one product per level."""

    def __init__(self, fold: Fold, values: np.ndarray) -> None:
        self.fold = fold
        self.reason = fold.reason
        self.levels: list[FoldedLevel] = []
        if self.reason is None:
            row1 = np.empty(values.size + 1)
            row1[:-1], row1[-1] = values, 1.0
            if fold.linear:
                self.levels = [FoldedLevel(s, row1, True) for s in fold.levels]
            else:  # products of fixed enzymes: the per-reaction factors first
                factor = fold.k * np.prod(row1[fold.fixed_slots], axis=1)
                self.levels = [FoldedLevel(s, factor, False) for s in fold.levels]

    def restrict(self, enzymes: np.ndarray) -> list[Any]:
        """Each level's ``Le`` on the varying enzymes ``enzymes`` (local indices), in that order."""
        v = self.fold.var_enzymes.size
        if enzymes.size == v and np.array_equal(enzymes, np.arange(v)):
            return [lv.Le for lv in self.levels]
        return [None if lv.Le is None else lv.Le[:, enzymes] for lv in self.levels]

    def solve(self, X0T: np.ndarray, E: np.ndarray | None, Le: list[Any], tol: float, atol: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The cascade for starts X0T (n, batch) and varying enzymes E (batch, k) (None: none given).

        Returns XT (n, batch), ``decided`` (batch,) and the residual (batch,):
        max_i |f_i(x)| / (tol * sum_p |c_p| x^p + atol), where sum_p |c_p| x^p
        is at most the gross flux |N| lambda of species i, so the residual
        is never below the one :func:`~rxnn.crn.simulate.steady_state` reports.
        """
        XT = X0T.copy()
        B = XT.shape[1]
        decided = np.ones(B, bool)
        residual = np.zeros(B)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            for lv, le in zip(self.levels, Le):
                s = lv.structure
                width = s.degree + 1
                coef = np.empty((s.nb * width, B))
                coef[:] = lv.const[:, None]
                if lv.moving.size:
                    mov = _product(lv.Lx, XT[lv.xcols]) if lv.Lx is not None else None
                    if E is not None and le is not None and le.shape[1]:
                        term = le @ E.T if isinstance(le, np.ndarray) else np.asarray((E @ le.T).T)
                        mov = term if mov is None else np.add(mov, term, out=mov)
                    if mov is not None:
                        mov += lv.const[lv.moving, None]
                        coef[lv.moving] = mov
                C = coef.reshape(s.nb, width, B)
                x0 = X0T[s.species]
                x, ok = node_roots(C, x0)
                lead = C[np.arange(s.nb), s.top] < 0
                ok &= s.bounded[:, None] & (s.linear_growth[:, None] | lead)
                x = np.where(ok, x, x0)
                XT[s.species] = x
                decided &= ok.all(axis=0)
                f = C[:, -1].copy()
                g = np.abs(f)
                for p in range(width - 2, -1, -1):
                    f *= x
                    f += C[:, p]
                    g *= x
                    g += np.abs(C[:, p])
                g *= tol
                g += atol
                np.abs(f, out=f)
                f /= g
                res = np.max(f, axis=0)
                residual = np.maximum(residual, np.where(np.isfinite(res), res, np.inf))
        return XT, decided, residual
