"""The builder of Table 1's reaction network (§5.2): reactant/product matrices assembled per layer.

:func:`rxnn.compile.compile_table1` validates the network and calls
:class:`Table1Builder`; this module holds the index-array assembly, in
O(number of reactions) without per-reaction objects.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from rxnn.crn.network import ReactionNetwork
from rxnn.nn.network import FeedForwardNetwork

__all__ = ["Table1Builder", "linear_rate", "node_names"]


def linear_rate(terms: tuple[tuple[int, int, float], ...]) -> float:
    """The coefficient of x among the node reactions (X -> 2X minus X -> 0).

    Examples
    --------
    >>> linear_rate(((0, 1, 1.0), (1, 2, 0.5), (1, 0, 2.0)))
    -1.5
    """
    return sum((rate if k_out == 2 else -rate) for k, k_out, rate in terms if k == 1)


def node_names(layer: int, width: int) -> list[str]:
    """The species names of layer ``layer``'s nodes: ``X{layer}_1`` ... ``X{layer}_{width}``.

    Examples
    --------
    >>> node_names(2, 3)
    ['X2_1', 'X2_2', 'X2_3']
    """
    return [f"X{layer}_{i}" for i in range(1, width + 1)]


class Table1Builder:
    """Assembles the reactant/product matrices of Table 1 column by column, vectorised per layer."""

    def __init__(self, net: FeedForwardNetwork, h: float, q: int, absorbed: bool,
                 terms: tuple[tuple[int, int, float], ...]) -> None:
        self.net, self.h, self.q, self.absorbed = net, h, q, absorbed
        self.terms = terms  # the node reactions of the activation (rxnn.compile.node_reactions)
        sizes = net.layer_sizes
        self.species: list[str] = [] if absorbed else ["H"]
        self.node_index: list[np.ndarray] = []
        for layer, width in enumerate(sizes):
            self.node_index.append(len(self.species) + np.arange(width))
            self.species.extend(node_names(layer, width))
        self.rows_r: list[np.ndarray] = []
        self.rows_p: list[np.ndarray] = []
        self.cols_r: list[np.ndarray] = []
        self.cols_p: list[np.ndarray] = []
        self.coef_r: list[np.ndarray] = []
        self.coef_p: list[np.ndarray] = []
        self.rates: list[np.ndarray] = []
        self.n_reactions = 0

    def add_species(self, names: list[str]) -> np.ndarray:
        start = len(self.species)
        self.species.extend(names)
        return start + np.arange(len(names))

    def add(self, reactants: list[tuple[np.ndarray, int]], products: list[tuple[np.ndarray, int]], rate: np.ndarray | float, count: int) -> None:
        """Add ``count`` reactions; each (species index array, coefficient) pair is one term per reaction."""
        cols = self.n_reactions + np.arange(count)
        for terms, rows, cs, coefs in (
            (reactants, self.rows_r, self.cols_r, self.coef_r),
            (products, self.rows_p, self.cols_p, self.coef_p),
        ):
            for idx, coef in terms:
                rows.append(np.broadcast_to(idx, (count,)))
                cs.append(cols)
                coefs.append(np.full(count, coef, dtype=np.int64))
        self.rates.append(np.broadcast_to(np.asarray(rate, dtype=np.float64), (count,)))
        self.n_reactions += count

    def build(self) -> ReactionNetwork:
        for layer, (W, b) in enumerate(zip(self.net.weights, self.net.biases), start=1):
            self._layer(layer, W, b)
        n_s = len(self.species)
        rows_r = np.concatenate(self.rows_r)
        rows_p = np.concatenate(self.rows_p) if self.rows_p else np.zeros(0, dtype=np.int64)
        used = np.zeros(n_s, dtype=bool)
        used[rows_r] = used[rows_p] = True
        # In the absorbed form an input whose weights are all zero drives nothing; Def. 2.1 drops it.
        R = sp.csc_matrix(
            (np.concatenate(self.coef_r), (rows_r, np.concatenate(self.cols_r))),
            shape=(n_s, self.n_reactions),
        )
        P = sp.csc_matrix(
            (np.concatenate(self.coef_p), (rows_p, np.concatenate(self.cols_p))),
            shape=(n_s, self.n_reactions),
        )
        keep = np.flatnonzero(used)
        return ReactionNetwork.from_matrices([self.species[i] for i in keep], R[keep], P[keep], np.concatenate(self.rates))

    def _layer(self, layer: int, W: np.ndarray, b: np.ndarray) -> None:
        c_out, c_in = W.shape
        X = self.node_index[layer]
        Xp = self.node_index[layer - 1]
        node_of_edge = np.repeat(X, c_in)  # edges in row-major (i, j) order
        input_of_edge = np.tile(Xp, c_out)
        w = W.ravel()
        if self.absorbed:
            self._absorbed_layer(X, node_of_edge, input_of_edge, w, b)
            return
        edge = [f"{layer}_{i}_{j}" for i in range(1, c_out + 1) for j in range(1, c_in + 1)]
        node = [f"{layer}_{i}" for i in range(1, c_out + 1)]
        Wp, Wm = self.add_species(["Wp" + s for s in edge]), self.add_species(["Wm" + s for s in edge])
        Bp, Bm = self.add_species(["Bp" + s for s in node]), self.add_species(["Bm" + s for s in node])
        n_e, n_n = w.size, c_out
        H = np.array(0)
        if any(k == 0 for k, _, _ in self.terms):
            self.add([(H, 1)], [(H, 1), (X, 1)], 1.0, n_n)  # H -> H + X
        self.add([(input_of_edge, 1), (Wp, 1), (node_of_edge, 1)], [(input_of_edge, 1), (Wp, 1), (node_of_edge, 2)], 1.0, n_e)
        self.add([(input_of_edge, 1), (Wm, 1), (node_of_edge, 1)], [(input_of_edge, 1), (Wm, 1)], 1.0, n_e)
        self.add([(Bp, 1), (X, 1)], [(Bp, 1), (X, 2)], 1.0, n_n)  # B+ + X -> B+ + 2X
        self.add([(Bm, 1), (X, 1)], [(Bm, 1)], 1.0, n_n)  # B- + X -> B-
        self._own(X)  # qX -> X in Table 1; kX -> k'X for each term of g

    def _own(self, X: np.ndarray) -> None:
        """The node's own reactions kX -> k'X, k >= 1 (absorbed: k = 1 is folded into the biases)."""
        for k, k_out, rate in self.terms:
            if k >= 1 and not (self.absorbed and k == 1):
                self.add([(X, k)], [(X, k_out)] if k_out else [], rate, X.size)

    def _absorbed_layer(self, X, node_of_edge, input_of_edge, w, b) -> None:
        n_n = X.size
        if self.h > 0:
            self.add([], [(X, 1)], self.h, n_n)  # 0 -> X, rate h
        b = b + linear_rate(self.terms)  # X -> 2X / X -> 0 of g would duplicate the bias reactions
        for sign, keep in ((1, w > 0), (-1, w < 0)):
            k = np.flatnonzero(keep)
            products = [(input_of_edge[k], 1), (node_of_edge[k], 2)] if sign > 0 else [(input_of_edge[k], 1)]
            self.add([(input_of_edge[k], 1), (node_of_edge[k], 1)], products, np.abs(w[k]), k.size)
        for sign, keep in ((1, b > 0), (-1, b < 0)):
            k = np.flatnonzero(keep)
            self.add([(X[k], 1)], [(X[k], 2)] if sign > 0 else [], np.abs(b[k]), k.size)
        self._own(X)
