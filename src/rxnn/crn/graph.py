"""The species dependency graph of a network, its strongly connected levels and its conservation laws.

One orientation throughout: **D[i, j] is True when species i is a reactant
of some reaction that changes species j** (an edge i -> j: the mass-action
rate of dx_j/dt depends on x_i, eq. (2)). Rows are sources, columns targets.

* :func:`dependency_graph` / :func:`dependency_matrix`: the graph from
  reactant and change matrices (a network's reactions, or its channels);
* :func:`condensation`: strongly connected components (Tarjan, scipy) and the
  depth of each in the condensation DAG, the longest path from a component
  with no predecessor (Kahn, level by level): the feed-forward cascade of
  Thm. 4.8's induction. The simulation engine solves steady states level by
  level on it; :mod:`rxnn.theory.structure` reports it;
* :func:`topological_order`: a deterministic topological order of the
  components (ties broken by a key);
* :func:`left_null_space`: a numeric basis of the conservation laws
  {c : c N = 0} of a stoichiometry matrix N.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

__all__ = ["Condensation", "dependency_graph", "dependency_matrix", "condensation", "topological_order",
           "left_null_space"]


def dependency_graph(reactants: sp.spmatrix, changes: sp.spmatrix) -> sp.csr_matrix:
    """D[i, j] = True when row i of ``reactants`` is a reactant of a column that changes row j of ``changes``.

    Parameters
    ----------
    reactants : sparse matrix of shape (n_sources, n_columns)
        Reactant complexes (columns: reactions or channels).
    changes : sparse matrix of shape (n_targets, n_columns)
        Net changes of the same columns.

    Returns
    -------
    scipy.sparse.csr_matrix of bool, shape (n_sources, n_targets), sorted indices

    Examples
    --------
    >>> R = sp.csc_matrix(np.array([[1, 0], [0, 1]]))   # X -> Y, Y -> 0
    >>> N = sp.csc_matrix(np.array([[-1, 0], [1, -1]]))
    >>> dependency_graph(R, N).toarray()
    array([[ True,  True],
           [False,  True]])
    """
    R = sp.csr_matrix(reactants != 0, dtype=np.int64)
    N = sp.csr_matrix(changes != 0, dtype=np.int64)
    D = sp.csr_matrix((R @ N.T) != 0)
    D.sort_indices()
    return D


def dependency_matrix(network: object) -> sp.csr_matrix:
    """The dependency graph of a network over all its species (rows and columns follow ``network.species``).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> dependency_matrix(ReactionNetwork.from_text("X -> Y\\nY -> 0")).toarray()
    array([[ True,  True],
           [False,  True]])
    """
    return dependency_graph(network.reactant_view, network.stoichiometry_view)


@dataclass(frozen=True)
class Condensation:
    """The strongly connected components of a graph and the depths of its condensation.

    Attributes
    ----------
    label : ndarray of int64, shape (n,)
        The component of every node.
    edges : ndarray of int64, shape (n_edges, 2)
        The distinct (source, target) component pairs of the edges between components.
    depth : ndarray of int64, shape (n_components,)
        0 for a component without predecessors, else 1 + the largest depth of one.

    Examples
    --------
    >>> D = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 0, 0]]))   # 0 <-> 1 -> 2
    >>> c = condensation(D)
    >>> c.n_components, sorted(m.tolist() for m in c.members()), c.depth[c.label].tolist()
    (2, [[0, 1], [2]], [0, 0, 1])
    """

    label: np.ndarray
    edges: np.ndarray
    depth: np.ndarray

    @property
    def n_components(self) -> int:
        return int(self.depth.size)

    def members(self) -> list[np.ndarray]:
        """The nodes of every component, each sorted."""
        size = np.bincount(self.label, minlength=self.n_components)
        order = np.argsort(self.label, kind="stable")
        return np.split(order, np.cumsum(size)[:-1]) if self.n_components else []


def condensation(D: sp.spmatrix) -> Condensation:
    """Strongly connected components of the directed graph D (edge i -> j where D[i, j]) and their depths.

    Tarjan's algorithm (scipy), then Kahn's algorithm on the condensation one
    level at a time, so every component's depth is its longest path from a
    source component. Cost O(n + nnz).

    Examples
    --------
    >>> c = condensation(sp.csr_matrix(np.array([[0, 1], [0, 0]])))   # 0 -> 1
    >>> c.depth[c.label].tolist()   # the depth of each node's component
    [0, 1]
    """
    D = sp.csr_matrix(D)
    n = D.shape[0]
    if n == 0:
        return Condensation(np.zeros(0, np.int64), np.zeros((0, 2), np.int64), np.zeros(0, np.int64))
    n_comp, label = connected_components(D, directed=True, connection="strong")
    label = label.astype(np.int64)
    rows = np.repeat(np.arange(n), np.diff(D.indptr))
    src, dst = label[rows], label[D.indices]
    cross = src != dst
    edges = np.unique(np.stack([src[cross], dst[cross]], axis=1), axis=0) if cross.any() else np.zeros((0, 2), np.int64)
    indeg = np.bincount(edges[:, 1], minlength=n_comp)
    out = sp.csr_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n_comp, n_comp))
    depth = np.zeros(n_comp, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    level = 0
    while frontier.size:
        depth[frontier] = level
        succ = out[frontier].indices
        if succ.size == 0:
            break
        u, cnt = np.unique(succ, return_counts=True)
        indeg[u] -= cnt
        frontier = u[indeg[u] == 0]
        level += 1
    return Condensation(label, edges.astype(np.int64), depth)


def topological_order(c: Condensation, key: np.ndarray) -> list[int]:
    """The components in a topological order, ties broken by the smallest ``key`` (Kahn with a heap).

    Examples
    --------
    >>> c = condensation(sp.csr_matrix(np.array([[0, 0, 0], [1, 0, 0], [0, 0, 0]])))   # 1 -> 0, 2 alone
    >>> [c.members()[k].tolist() for k in topological_order(c, np.array([0, 1, 2]))]
    [[1], [0], [2]]
    """
    n = c.n_components
    succs: list[list[int]] = [[] for _ in range(n)]
    indegree = np.zeros(n, dtype=np.int64)
    for a, b in c.edges.tolist():
        succs[a].append(b)
        indegree[b] += 1
    ready = [(int(key[k]), k) for k in range(n) if indegree[k] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, k = heapq.heappop(ready)
        order.append(k)
        for s in succs[k]:
            indegree[s] -= 1
            if indegree[s] == 0:
                heapq.heappush(ready, (int(key[s]), s))
    return order


def left_null_space(N: sp.spmatrix | np.ndarray) -> np.ndarray:
    """Orthonormal rows spanning the conservation laws {c : c N = 0} of a stoichiometry matrix N.

    The left singular vectors of N with zero singular value (threshold
    max(n, m) eps times the largest singular value, numpy's rank rule), or
    the null eigenvectors of the Gram matrix N N^T when N has more than
    10^7 entries.

    Examples
    --------
    >>> c = left_null_space(np.array([[-1.0, 1.0], [1.0, -1.0]]))   # X <-> Y
    >>> np.round(np.abs(c) * np.sqrt(2), 12).tolist()
    [[1.0, 1.0]]
    """
    n, m = N.shape
    eps = np.finfo(float).eps
    if n == 0:
        return np.zeros((0, 0))
    if n * m <= 10**7:
        dense = N.toarray() if sp.issparse(N) else np.asarray(N)
        U, sing, _ = np.linalg.svd(dense.astype(float), full_matrices=n > m)  # U is n x n either way
        rank = int(np.sum(sing > (sing.max(initial=0.0) * max(n, m) * eps)))
        return U[:, rank:].T.copy()
    G = N @ N.T
    w, V = scipy.linalg.eigh(G.toarray().astype(float) if sp.issparse(G) else np.asarray(G, dtype=float))
    return V[:, w <= max(w.max(initial=0.0), 1.0) * n * eps * 10].T.copy()
