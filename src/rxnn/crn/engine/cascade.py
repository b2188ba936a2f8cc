"""The feed-forward cascade (Thm. 4.8): steady states level by level.

The strongly connected components of the species dependency graph
(:mod:`rxnn.crn.graph`, built from the channels of the network's lowering)
in topological levels. A one-species component is a polynomial equation in
its species with coefficients from the levels above (:class:`Level`), solved
by :func:`~rxnn.crn.engine.roots.node_roots` for every component of a level
and every batch member at once; larger components whose upstream does not
move go to pseudo-transient continuation on the block
(:class:`~rxnn.crn.engine.continuation.BlockProblem`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.engine.continuation import BlockProblem, PseudoTransient
from rxnn.crn.engine.roots import node_roots
from rxnn.crn.graph import condensation

__all__ = ["Level", "build_levels", "cascade"]


class Level:
    """One topological level of the cascade: its one-species components and its larger ones.

    For the one-species components, ``pairs`` are the (group, species) pairs
    with N[species, group] != 0. The equation of species i is the polynomial
    sum_p c_p x_i^p whose coefficients are sums over its pairs of
    N_ig * m'_g * S_g, where m'_g is the rest monomial without x_i (all its
    species lie in earlier levels) and p the power of x_i in it.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> e = ReactionNetwork.from_text("H -> H + X\\nX -> X + Y\\nX -> 0\\nY -> 0").lowered.engine
    >>> [(lv.species.tolist(), lv.degree) for lv in e.levels]   # X, then Y
    [([0], 1), ([1], 1)]
    """

    def __init__(self, e: Any, species: np.ndarray, multi: list[np.ndarray]) -> None:
        n = e.n
        self.species = species
        self.multi = multi
        self.multi_rows = np.concatenate(multi) if multi else np.zeros(0, np.int64)
        self._ancestors: np.ndarray | None = None
        if species.size == 0:
            self.degree = 0
            return
        rows = e.Ng[species]  # (nb, G)
        rows.sort_indices()
        block = np.repeat(np.arange(species.size), np.diff(rows.indptr))
        g = rows.indices.astype(np.int64)
        self.pair_N = rows.data.astype(np.float64)
        rest = e.rest[g] if g.size else np.zeros((0, e.rest.shape[1]), np.int64)
        own = rest == species[block][:, None]
        power = own.sum(axis=1)
        others = np.where(own, n, rest)
        self.groups, self.pair_group = np.unique(g, return_inverse=True)
        self.pair_group = self.pair_group.ravel()
        self.pair_slots = [(np.flatnonzero(col < n), col[col < n]) for col in others.T]
        self.degree = d = int(power.max()) if power.size else 0
        self.T = sp.csr_matrix(
            (self.pair_N, (block * (d + 1) + power, np.arange(g.size))), shape=(species.size * (d + 1), g.size)
        )
        # Boundedness along the whole path. Production terms of power <= 1 cannot blow up in finite
        # time. Otherwise (Thm. 4.8's q-polynomial decay) every term of the top power must consume the
        # species with a coefficient free of other species, so that its sign at the limit is its
        # sign at every time.
        top = np.zeros(species.size, np.int64)
        np.maximum.at(top, block, power)
        produce = np.full(species.size, -1, np.int64)
        np.maximum.at(produce, block, np.where(self.pair_N > 0, power, -1))
        has_lin = np.zeros(e.n_groups, bool)
        has_lin[e.exact.lin_groups] = True
        timeless = (others >= n).all(axis=1) & ~has_lin[g]
        bad = np.zeros(species.size, bool)
        np.logical_or.at(bad, block, (power == top[block]) & ~(timeless & (self.pair_N < 0)))
        self.top = top
        self.linear_growth = produce <= 1  # bounded whatever the coefficients do on the way
        self.bounded = self.linear_growth | ~bad

    def ancestors(self, e: Any) -> np.ndarray:
        """Dynamic species upstream of this level's multi-species components (outside them)."""
        if self._ancestors is None:
            P = e.predecessors
            reach = np.zeros(e.n, bool)
            reach[self.multi_rows] = True
            frontier = self.multi_rows
            while frontier.size:
                pred = np.unique(P[frontier].indices)
                new = pred[~reach[pred]]
                reach[new] = True
                frontier = new
            reach[self.multi_rows] = False
            self._ancestors = np.flatnonzero(reach)
        return self._ancestors


def build_levels(e: Any) -> list[Level]:
    """The cascade's levels: components of the channels' dependency graph (:mod:`rxnn.crn.graph`) by depth.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> e = ReactionNetwork.from_text("X <-> Y\\nH -> H + X\\nY -> 0").lowered.engine
    >>> [[m.tolist() for m in lv.multi] for lv in build_levels(e)]   # one two-species component
    [[[0, 1]]]
    """
    if e.n == 0:
        return []
    c = condensation(e.dependency)
    members = c.members()
    size = np.bincount(c.label, minlength=c.n_components)
    levels = []
    for L in range(int(c.depth.max()) + 1):
        blocks = np.flatnonzero(c.depth == L)
        single = blocks[size[blocks] == 1]
        species = np.sort(np.concatenate([members[b] for b in single])) if single.size else np.zeros(0, np.int64)
        multi = [members[b] for b in blocks[size[blocks] > 1]]
        levels.append(Level(e, species, multi))
    return levels


def cascade(params: Any, X0T: np.ndarray, tol: float, atol: float, max_iterations: int) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Solve the levels in topological order; returns (XT, undecided members, counters).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.engine import EnzymeValues, engine_for
    >>> p = engine_for(ReactionNetwork.from_text("H -> H + X\\nX -> 0 ; 2")).parameters(EnzymeValues.constant([3.0]))
    >>> XT, undecided, counters = cascade(p, np.array([[0.0]]), 1e-11, 1e-14, 100)
    >>> XT.tolist(), undecided.tolist(), counters["levels"]
    ([[1.5]], [False], 1)
    """
    e = params.engine
    XT = X0T.copy()
    B = XT.shape[1]
    undecided = np.zeros(B, bool)
    continued = np.zeros(B, bool)  # members with a multi-species component solved by continuation
    counters: dict[str, Any] = dict(levels=0, iterations=0, rejected=0, nfev=0, njev=0, continued=continued)
    everyone = np.arange(B)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        for level in e.levels:
            counters["levels"] += 1
            if level.species.size:
                S = params.rows_linear_part(level.groups, XT)
                val = S[level.pair_group]
                for pairs, species in level.pair_slots:
                    val[pairs] *= XT[species]
                C = np.asarray(level.T @ val).reshape(level.species.size, level.degree + 1, B)
                x, decided = node_roots(C, X0T[level.species])
                lead = C[np.arange(level.species.size), level.top] < 0
                decided &= level.bounded[:, None] & (level.linear_growth[:, None] | lead)
                x = np.where(decided, x, X0T[level.species])
                XT[level.species] = x
                undecided |= ~decided.all(axis=0)
            if level.multi:
                anc = level.ancestors(e)
                still = np.all(XT[anc] == X0T[anc], axis=0) & ~undecided if anc.size else ~undecided
                members = everyone[still]
                undecided |= ~still
                if members.size:
                    continued[members] = True
                    problem = BlockProblem(params, tol, atol, level.multi_rows, XT)
                    solver = PseudoTransient(problem, stacklevel=6)
                    x, stats = solver.run(np.ascontiguousarray(XT[level.multi_rows][:, members].T), max_iterations, members)
                    XT[np.ix_(level.multi_rows, members)] = x.T
                    undecided[members[stats["residual"] > 1.0]] = True
                    for name in ("iterations", "rejected"):
                        counters[name] += stats[name]
                    counters["nfev"] += solver.nfev
                    counters["njev"] += solver.njev
    return XT, undecided, counters
