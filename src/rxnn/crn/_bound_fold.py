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


class _LevelStructure:
    """One level's channels and their map onto the coefficient rows (independent of values)."""

    def __init__(self, engine: Engine, level: Any, to_groups: sp.csr_matrix) -> None:
        self.species = level.species
        self.nb, self.degree = level.species.size, level.degree
        self.top, self.bounded, self.linear_growth = level.top, level.bounded, level.linear_growth
        Z = (level.T @ to_groups[level.groups][level.pair_group]).tocsc()  # (nb * (d + 1), n_channels)
        Z.eliminate_zeros()
        self.channels = np.flatnonzero(np.diff(Z.indptr))
        self.Z = Z[:, self.channels].tocsr()
        self.upstream = engine.exact.upstream_of_channel[self.channels]


class FoldedLevel:
    """A level with values bound: C = const + Lx @ XT[xcols] + Le @ E^T (rows ``moving`` only; None: no terms)."""

    __slots__ = ("structure", "const", "moving", "Lx", "xcols", "Le")

    def __init__(self, structure: _LevelStructure, const: np.ndarray, moving: np.ndarray,
                 Lx: Any, xcols: np.ndarray, Le: Any) -> None:
        self.structure, self.const, self.moving = structure, const, moving
        self.Lx, self.xcols, self.Le = Lx, xcols, Le


class Fold:
    """The structure of the fast path for one engine and one set of varying enzymes.

    Parameters
    ----------
    engine : Engine
    var_enzymes : ndarray of int
        Positions (among the enzymatic species) of the enzymes whose values
        are given per call; every other enzyme is fixed.

    Attributes
    ----------
    reason : str or None
        Why the fast path does not apply (None when it does).
    """

    def __init__(self, engine: Engine, var_enzymes: np.ndarray) -> None:
        self.engine = engine
        self.var_enzymes = np.asarray(var_enzymes, dtype=np.int64)
        self.levels: list[_LevelStructure] = []
        self.reason: str | None = None
        n = engine.n
        if n == 0:
            self.reason = "the network has no dynamic species"
            return
        names = engine.system.dynamic_species
        gr = engine.exact
        C = engine.system.n_channels
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
                self.levels.append(_LevelStructure(engine, level, to_groups))

    def bind(self, row: np.ndarray) -> FoldedValues:
        """Fold the fixed enzyme values ``row`` (n_enzymatic,) into each level's affine map."""
        return FoldedValues(self, row)


class FoldedValues:
    """A :class:`Fold` with the fixed values bound; :meth:`solve` runs the cascade by one product per level."""

    def __init__(self, fold: Fold, row: np.ndarray) -> None:
        self.fold = fold
        self.levels: list[FoldedLevel] = []
        self.reason = fold.reason
        if self.reason is not None:
            return
        e, v = fold.engine, fold.var_enzymes
        n = e.n
        rates = e.system.channel_rates(row, v, np.zeros((1, v.size)))
        if rates.general is not None:
            self.reason = "a rate constant multiplies two or more varying enzymes"
            return
        cv_pos = np.full(e.system.n_channels, -1, dtype=np.int64)
        cv_pos[rates.channels] = np.arange(rates.channels.size)
        M = rates.matrix
        for s in fold.levels:
            k0 = rates.k0[s.channels]
            var = cv_pos[s.channels] >= 0
            lin = s.upstream < n
            if np.any(var & lin):
                c = s.channels[np.flatnonzero(var & lin)[0]]
                sp_name = e.system.dynamic_species[int(s.upstream[np.flatnonzero(var & lin)[0]])]
                self.reason = (f"channel {int(c)} has a rate constant with a varying enzyme and an upstream "
                               f"species ({sp_name!r}) at once (bilinear)")
                return
            const = np.asarray(s.Z[:, ~lin] @ k0[~lin]).ravel()
            sel = np.flatnonzero(lin)
            Lx = s.Z[:, sel] @ sp.csr_matrix((k0[sel], (np.arange(sel.size), s.upstream[sel])), shape=(sel.size, n))
            cols = np.flatnonzero(var)
            if cols.size:
                Mc = M[:, cv_pos[s.channels[cols]]]
                Le = s.Z[:, cols] @ (sp.csr_matrix(Mc).T if not isinstance(Mc, np.ndarray) else sp.csr_matrix(Mc.T))
            else:
                Le = sp.csr_matrix((s.Z.shape[0], v.size))
            Lx, Le = sp.csr_matrix(Lx), sp.csr_matrix(Le)
            moving = np.flatnonzero(np.diff(Lx.indptr) + np.diff(Le.indptr))
            Lx, Le = Lx[moving], Le[moving]
            xcols = np.unique(Lx.indices)
            self.levels.append(FoldedLevel(s, const, moving, _compact(Lx[:, xcols]) if xcols.size else None, xcols,
                                           _compact(Le) if Le.nnz else None))

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
                    mov = _product(lv.Lx, XT[lv.xcols]) if lv.Lx is not None else np.zeros((lv.moving.size, B))
                    if E is not None and le is not None and le.shape[1]:
                        mov += le @ E.T if isinstance(le, np.ndarray) else np.asarray((E @ le.T).T)
                    coef[lv.moving] += mov
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
                    f = f * x + C[:, p]
                    g = g * x + np.abs(C[:, p])
                res = np.max(np.abs(f) / (tol * g + atol), axis=0)
                residual = np.maximum(residual, np.where(np.isfinite(res), res, np.inf))
        return XT, decided, residual
