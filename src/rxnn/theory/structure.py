"""Structure of any reaction network: its feed-forward cascade and the standard invariants.

The proof of Thm. 4.8 runs an induction over a cascade: each layer is
driven by the layers before it and drives only the layers after. For any
:class:`~rxnn.crn.network.ReactionNetwork` this module finds that cascade
(the strongly connected components of the species dependency graph, in
topological order) and, for blocks of the paper's class (one species X with
dx/dt = g(x) + y x, y depending on upstream species), decides the theorem's
hypotheses with :func:`~rxnn.theory.check_activation`. It also gives the
standard structural facts of reaction network theory: conservation laws,
linkage classes, deficiency and weak reversibility.

Thm. 4.8 block by block (:func:`check_blocks`) and the one-value report
(:func:`analyze_structure`) live in :mod:`rxnn.theory.blocks` and are
re-exported here.

This module depends on :mod:`rxnn.crn` only (not on :mod:`rxnn.nn`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import sympy
from scipy.sparse.csgraph import connected_components

from rxnn.crn import graph
from rxnn.crn.model import Complex
from rxnn.crn.network import ReactionNetwork

__all__ = [
    "FeedForwardDecomposition",
    "ConservationLaws",
    "BlockCheck",
    "StructureReport",
    "dependency_matrix",
    "feed_forward_decomposition",
    "conservation_laws",
    "stoichiometric_rank",
    "linkage_classes",
    "deficiency",
    "is_weakly_reversible",
    "check_blocks",
    "analyze_structure",
]

#: Above this many entries of the dynamic stoichiometry matrix, ranks and null spaces are numeric.
EXACT_LIMIT = 2500


def check_network(network: Any, func: str) -> ReactionNetwork:
    """Return ``network`` after checking it is a :class:`ReactionNetwork` (a ``TypeError`` naming ``func``).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> check_network(ReactionNetwork.from_text("A -> B"), "deficiency")
    <ReactionNetwork: 2 species, 1 reactions>
    """
    if not isinstance(network, ReactionNetwork):
        raise TypeError(f"network of {func} must be a ReactionNetwork; got {type(network).__name__}")
    return network


# ---------------------------------------------------------------------- dependency graph and cascade
def dependency_matrix(network: ReactionNetwork) -> sp.csr_matrix:
    """The species dependency graph as a boolean sparse matrix, species x species.

    Entry (i, j) is True when species i is a reactant of some reaction that
    changes species j: the mass-action rate of dx_j/dt then depends on x_i
    (eq. (2)). Rows and columns follow ``network.species``.

    Returns
    -------
    scipy.sparse.csr_matrix of bool, shape (n_species, n_species)

    Examples
    --------
    >>> net = ReactionNetwork.from_text("X -> Y\\nY -> 0")
    >>> dependency_matrix(net).toarray()
    array([[ True,  True],
           [False,  True]])
    """
    network = check_network(network, "dependency_matrix")
    return graph.dependency_matrix(network)


@dataclass(frozen=True)
class FeedForwardDecomposition:
    """The cascade of a network: blocks of dynamic species in topological order.

    Attributes
    ----------
    blocks : tuple of tuple of str
        Strongly connected components of the dependency graph on the dynamic
        species; block k depends only on blocks before it (and on enzymes).
    depths : tuple of int
        Depth of each block in the cascade: 0 if driven only by enzymatic
        species, else 1 + the largest depth of a block it reads. For a
        compiled network, the nodes of layer l have depth l - 1.
    upstream : tuple of tuple of int
        The blocks each block reads directly.
    parameters : tuple of tuple of str
        The enzymatic species (Def. 5.1) each block reads: constant inputs.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> dec = feed_forward_decomposition(ReactionNetwork.from_text("0 -> X\\n2X -> X\\nX -> X + Y\\n2Y -> Y"))
    >>> dec.blocks, dec.depths, dec.upstream
    ((('X',), ('Y',)), (0, 1), ((), (0,)))
    """

    blocks: tuple[tuple[str, ...], ...]
    depths: tuple[int, ...]
    upstream: tuple[tuple[int, ...], ...]
    parameters: tuple[tuple[str, ...], ...]

    @property
    def n_blocks(self) -> int:
        return len(self.blocks)

    @property
    def n_levels(self) -> int:
        """Number of distinct depths: the length of the longest chain of blocks."""
        return max(self.depths) + 1 if self.depths else 0

    def is_cascade_of_nodes(self) -> bool:
        """Whether every block is a single species, as for the networks of Table 1."""
        return all(len(b) == 1 for b in self.blocks)

    def block_of(self, species: str) -> int:
        """Index of the block that holds ``species``."""
        for k, block in enumerate(self.blocks):
            if species in block:
                return k
        raise KeyError(f"{species!r} is not a dynamic species of this network")

    def __str__(self) -> str:
        lines = [f"feed-forward decomposition: {self.n_blocks} blocks, {self.n_levels} levels"]
        for k, block in enumerate(self.blocks):
            ups = ", ".join(map(str, self.upstream[k])) or "-"
            pars = ", ".join(self.parameters[k][:6]) + (" ..." if len(self.parameters[k]) > 6 else "")
            lines.append(f"  [{k}] depth {self.depths[k]}: {{{', '.join(block)}}}  reads blocks {ups}; enzymes {pars or '-'}")
        return "\n".join(lines)


def feed_forward_decomposition(network: ReactionNetwork) -> FeedForwardDecomposition:
    """Split the dynamic species into the blocks of a cascade (the induction of Thm. 4.8's proof).

    Parameters
    ----------
    network : ReactionNetwork

    Returns
    -------
    FeedForwardDecomposition

    Notes
    -----
    The components and depths of :func:`rxnn.crn.graph.condensation` (the
    engine's cascade levels) on the dependency graph restricted to dynamic
    species, ordered by :func:`rxnn.crn.graph.topological_order` with ties
    broken by the first species of each block in network order, so the
    result is deterministic. Cost O(n_species + nnz).

    Examples
    --------
    >>> net = ReactionNetwork.from_text("0 -> X1 + X2\\nX1 <-> X3\\nX1 + X3 -> X3")  # Example 2.3
    >>> feed_forward_decomposition(net).blocks
    (('X1', 'X3'), ('X2',))
    """
    network = check_network(network, "feed_forward_decomposition")
    D = dependency_matrix(network)
    dyn = np.flatnonzero(network.dynamic_mask)
    enz = np.flatnonzero(~network.dynamic_mask)
    names = network.species
    c = graph.condensation(D[dyn][:, dyn])
    labels = c.label
    first = np.full(c.n_components, len(dyn))
    np.minimum.at(first, labels, np.arange(len(dyn)))
    order = graph.topological_order(c, first)
    position = {comp: k for k, comp in enumerate(order)}
    preds: list[set[int]] = [set() for _ in range(c.n_components)]
    for a, b in c.edges.tolist():
        preds[b].add(a)
    blocks = tuple(tuple(names[dyn[i]] for i in np.flatnonzero(labels == comp)) for comp in order)
    upstream = tuple(tuple(sorted(position[p] for p in preds[comp])) for comp in order)
    depths = tuple(int(c.depth[comp]) for comp in order)
    De = D[enz][:, dyn].tocsc()
    parameters = []
    for comp in order:
        cols = np.flatnonzero(labels == comp)
        rows = np.unique(De[:, cols].tocoo().row)
        parameters.append(tuple(names[enz[r]] for r in rows))
    return FeedForwardDecomposition(blocks, depths, upstream, tuple(parameters))


# ---------------------------------------------------------------------- stoichiometry
def _dynamic_stoichiometry(network: ReactionNetwork) -> tuple[tuple[str, ...], sp.csr_matrix]:
    dyn = network.dynamic_species
    rows = [network.species_index[s] for s in dyn]
    return dyn, network.stoichiometry_matrix().tocsr()[rows]


def _is_exact(N: sp.spmatrix, exact: bool | None) -> bool:
    return exact if exact is not None else N.shape[0] * N.shape[1] <= EXACT_LIMIT


def _primitive(vector: list[sympy.Rational]) -> list[int]:
    denominators = [sympy.fraction(v)[1] for v in vector]
    scale = sympy.ilcm(*denominators) if denominators else 1
    ints = [int(v * scale) for v in vector]
    g = math.gcd(*ints) or 1
    ints = [v // g for v in ints]
    lead = next((v for v in ints if v), 1)
    return [-v for v in ints] if lead < 0 else ints


@dataclass(frozen=True)
class ConservationLaws:
    """A basis of the conservation laws: vectors c with c . x(t) constant for every rate choice.

    Attributes
    ----------
    species : tuple of str
        The dynamic species, the columns of ``matrix``.
    matrix : ndarray of shape (n_laws, n_species)
        A basis of the left null space of the stoichiometry matrix restricted
        to the dynamic species: when ``exact``, the rows of its reduced row
        echelon form scaled to primitive integer vectors (canonical: equal
        subspaces give equal matrices); else an orthonormal float basis.
    exact : bool
        Whether rational arithmetic was used.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> laws = conservation_laws(ReactionNetwork.from_text("A -> B\\nB -> A"))
    >>> laws.species, laws.matrix.tolist(), laws.exact
    (('A', 'B'), [[1, 1]], True)
    """

    species: tuple[str, ...]
    matrix: np.ndarray
    exact: bool

    @property
    def n_laws(self) -> int:
        return self.matrix.shape[0]

    def expressions(self) -> tuple[str, ...]:
        """Each law as text, e.g. ``'X1 + X2'``."""
        out = []
        for row in self.matrix:
            terms = []
            for s, v in zip(self.species, row):
                if v == 0 or (not self.exact and abs(v) < 1e-12):
                    continue
                coef = f"{int(v)}" if self.exact else f"{v:.4g}"
                terms.append(s if coef == "1" else (f"-{s}" if coef == "-1" else f"{coef}*{s}"))
            out.append(" + ".join(terms).replace("+ -", "- "))
        return tuple(out)

    def __str__(self) -> str:
        if not self.n_laws:
            return "no conservation laws"
        return "conserved: " + "; ".join(self.expressions())


def conservation_laws(network: ReactionNetwork, *, exact: bool | None = None) -> ConservationLaws:
    """The conservation laws of the network's dynamic species.

    Parameters
    ----------
    network : ReactionNetwork
    exact : bool, optional
        Rational arithmetic (sympy); default: exact when the dynamic
        stoichiometry matrix has at most ``EXACT_LIMIT`` entries.

    Returns
    -------
    ConservationLaws

    Notes
    -----
    The left null space of N (species x reactions, rows of the dynamic
    species only: enzymatic species are conserved trivially, Def. 5.1).
    Numeric: the left singular vectors of N with zero singular value (SVD),
    or the null eigenvectors of the Gram matrix N N^T when N has more than
    10^7 entries.

    Examples
    --------
    >>> net = ReactionNetwork.from_text("X1 + X2 -> 2X2\\nX2 -> X1")  # Example 2.2
    >>> conservation_laws(net).expressions()
    ('X1 + X2',)
    """
    network = check_network(network, "conservation_laws")
    dyn, N = _dynamic_stoichiometry(network)
    if _is_exact(N, exact):
        basis = sympy.Matrix(N.T.toarray().tolist()).nullspace()
        rows = []
        if basis:  # the reduced row echelon form: one canonical basis per subspace
            reduced = sympy.Matrix.hstack(*basis).T.rref()[0]
            rows = [_primitive(list(reduced.row(k))) for k in range(reduced.rows)]
        matrix = np.array(rows, dtype=np.int64).reshape(len(rows), len(dyn))
        return ConservationLaws(dyn, matrix, True)
    return ConservationLaws(dyn, graph.left_null_space(N), False)


def stoichiometric_rank(network: ReactionNetwork, *, exact: bool | None = None) -> int:
    """Rank of the stoichiometry matrix N: the dimension of the stoichiometric subspace.

    Equals n_dynamic - n_conservation_laws; exact under the same rule as
    :func:`conservation_laws`.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> stoichiometric_rank(ReactionNetwork.from_text("A -> B\\nB -> A\\nA + B -> 2B"))
    1
    """
    network = check_network(network, "stoichiometric_rank")
    dyn, N = _dynamic_stoichiometry(network)
    if _is_exact(N, exact):
        return int(sympy.Matrix(N.toarray().tolist()).rank())
    return len(dyn) - conservation_laws(network, exact=False).n_laws


# ---------------------------------------------------------------------- the complex graph
def _complex_graph(network: ReactionNetwork) -> tuple[list[Complex], np.ndarray, np.ndarray]:
    """Complexes in order of first appearance and each reaction's (source, target) index."""
    R, P = network.reactant_matrix(), network.product_matrix()
    keys: dict[bytes, int] = {}
    complexes: list[Complex] = []
    names = network.species

    def index(m: sp.csc_matrix, j: int) -> int:
        lo, hi = m.indptr[j], m.indptr[j + 1]
        key = m.indices[lo:hi].tobytes() + b"|" + m.data[lo:hi].tobytes()
        k = keys.get(key)
        if k is None:
            k = keys[key] = len(complexes)
            complexes.append(Complex({names[i]: int(c) for i, c in zip(m.indices[lo:hi], m.data[lo:hi])}))
        return k

    src = np.empty(network.n_reactions, dtype=np.int64)
    dst = np.empty(network.n_reactions, dtype=np.int64)
    for j in range(network.n_reactions):
        src[j] = index(R, j)
        dst[j] = index(P, j)
    return complexes, src, dst


def _components(n: int, src: np.ndarray, dst: np.ndarray, connection: str) -> tuple[int, np.ndarray]:
    adjacency = sp.csr_matrix((np.ones(src.size), (src, dst)), shape=(n, n))
    return connected_components(adjacency, directed=True, connection=connection)


def linkage_classes(network: ReactionNetwork) -> tuple[tuple[Complex, ...], ...]:
    """The linkage classes: connected components of the complex graph (edges undirected).

    Returns
    -------
    tuple of tuple of Complex
        Classes in order of their first complex; complexes in order of first appearance.

    Examples
    --------
    >>> net = ReactionNetwork.from_text("X1 + X2 -> 2X2\\nX2 -> X1")  # Example 2.2
    >>> [[str(c) for c in lc] for lc in linkage_classes(net)]
    [['X1 + X2', '2X2'], ['X2', 'X1']]
    """
    network = check_network(network, "linkage_classes")
    complexes, src, dst = _complex_graph(network)
    _, labels = _components(len(complexes), src, dst, "weak")
    groups: dict[int, list[Complex]] = {}
    for c, lab in zip(complexes, labels.tolist()):
        groups.setdefault(lab, []).append(c)
    return tuple(tuple(g) for g in groups.values())


def deficiency(network: ReactionNetwork) -> int:
    """The deficiency delta = n_complexes - n_linkage_classes - rank(N) (>= 0).

    Examples
    --------
    >>> deficiency(ReactionNetwork.from_text("A <-> B"))
    0
    """
    network = check_network(network, "deficiency")
    return network.n_complexes - len(linkage_classes(network)) - stoichiometric_rank(network)


def is_weakly_reversible(network: ReactionNetwork) -> bool:
    """Whether every linkage class is strongly connected (each reaction lies on a directed cycle).

    Examples
    --------
    >>> is_weakly_reversible(ReactionNetwork.from_text("A -> B\\nB -> C\\nC -> A"))
    True
    """
    network = check_network(network, "is_weakly_reversible")
    complexes, src, dst = _complex_graph(network)
    n_weak, _ = _components(len(complexes), src, dst, "weak")
    n_strong, _ = _components(len(complexes), src, dst, "strong")
    return n_weak == n_strong


_FROM_BLOCKS = ("BlockCheck", "StructureReport", "analyze_structure", "check_blocks")


def __getattr__(name: str):  # PEP 562: rxnn.theory.blocks builds on this module, so its names load on first use
    if name in _FROM_BLOCKS:
        import importlib  # not ``import rxnn.theory.blocks``: rxnn.theory may still be initialising

        return getattr(importlib.import_module("rxnn.theory.blocks"), name)
    raise AttributeError(f"module 'rxnn.theory.structure' has no attribute {name!r}")
