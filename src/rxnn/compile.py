"""Neural network -> reaction network: the construction of §5.2 and Table 1 (others: :mod:`rxnn.constructions`).

For every non-input node X of layer l with inputs X'_j (layer l-1), Table 1
gives, all with rate constant 1::

    H -> H + X                          h
    X'_j + W+ + X -> X'_j + W+ + 2X     +w+ x'_j x     (one pair per edge)
    X'_j + W- + X -> X'_j + W-          -w- x'_j x
    B+ + X -> B+ + 2X                   +b+ x
    B- + X -> B-                        -b- x
    qX -> X                             -(q-1) x^q

and the network is the union of these per-edge networks (Steps 1-3), whose
mass-action ODE is eq. (19) (eq. (20) for q = 3): dx/dt = h + rho x - (q-1) x^q
with rho = sum_j (w+ - w-) x'_j + (b+ - b-).

Species names (all valid in the text syntax; i, j are 1-based as in the paper):

=====================  ==========================================
``X<l>_<i>``           node i of layer l (inputs are layer 0)
``Wp<l>_<i>_<j>``      W+ of the edge from node j of layer l-1 to node i of layer l
``Wm<l>_<i>_<j>``      W- of that edge
``Bp<l>_<i>``          B+ of node i of layer l
``Bm<l>_<i>``          B- of node i of layer l
``H``                  the one species whose concentration is h
=====================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rxnn._table1 import Table1Builder, linear_rate, node_names
from rxnn._type_error import ArgumentTypeError, IndexOutOfRangeError
from rxnn.crn.network import ReactionNetwork
from rxnn.nn.activations import Activation, PolynomialActivation, ReLU, SmoothReLU
from rxnn.nn.network import FeedForwardNetwork
from rxnn.nn.polynomial_node import PolynomialNodeActivation
from rxnn.errors import InvalidArgumentError, RxnnError

__all__ = [
    "CompiledNetwork", "CompileError", "compile_network", "compile_table1", "activation_parameters", "node_reactions",
]


class CompileError(RxnnError, ValueError):
    """The neural network cannot be compiled into a reaction network.

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, Sigmoid
    >>> try:
    ...     compile_network(FeedForwardNetwork.random([2, 1], Sigmoid(), seed=0))
    ... except CompileError as exc:
    ...     print(isinstance(exc, ValueError))
    True
    """


def activation_parameters(activation: Activation) -> tuple[float, int]:
    """The (h, q) of Table 1 that realise ``activation``, or a :class:`CompileError`.

    SmoothReLU(h) is q = 2 (eq. (4), (19)); PolynomialActivation(q, h) is the
    q-family of §6.1; ReLU is SmoothReLU with h = 0; PolynomialNodeActivation(g)
    has h = g(0) and q = deg g (its node reactions: :func:`node_reactions`).

    Examples
    --------
    >>> from rxnn.nn import PolynomialActivation, ReLU, SmoothReLU
    >>> activation_parameters(SmoothReLU(0.5)), activation_parameters(ReLU()), activation_parameters(PolynomialActivation(3, 1.0))
    ((0.5, 2), (0.0, 2), (1.0, 3))
    """
    if isinstance(activation, PolynomialNodeActivation):
        return float(activation.h), int(activation.degree)
    if isinstance(activation, SmoothReLU):
        return float(activation.h), 2
    if isinstance(activation, PolynomialActivation):
        return float(activation.h), int(activation.q)
    if isinstance(activation, ReLU):
        return 0.0, 2
    raise CompileError(
        f"cannot compile the activation {type(activation).__name__}: the paper gives no reaction network "
        "for it. Compilable activations: SmoothReLU(h) (eq. (4)), PolynomialActivation(q, h) (§6.1), "
        "ReLU() (as SmoothReLU(0)) and PolynomialNodeActivation(g)"
    )


def node_reactions(activation: Activation) -> tuple[tuple[int, int, float], ...]:
    """A node's own reactions as (k, k', rate): kX -> k'X contributes (k' - k) rate x^k to dx/dt.

    ``(0, 1, h)`` is the constant term: H -> H + X (rate 1, [H] = h) in Table 1,
    0 -> X at rate h in the absorbed form. The Table 1 activations give
    ``((0, 1, h), (q, 1, 1.0))`` (qX -> X, the q-polynomial decay);
    PolynomialNodeActivation(g) gives one reaction per term of g
    (:meth:`~rxnn.nn.PolynomialNodeActivation.node_terms`).

    Raises
    ------
    CompileError
        For an activation without a construction (Sigmoid).

    Examples
    --------
    >>> from rxnn.nn import SmoothReLU
    >>> node_reactions(SmoothReLU(1.0))  # H -> H + X (0 -> X) and 2X -> X: g(x) = 1 - x^2
    ((0, 1, 1.0), (2, 1, 1.0))
    """
    if isinstance(activation, PolynomialNodeActivation):
        return activation.node_terms()
    h, q = activation_parameters(activation)
    return ((0, 1, h), (q, 1, 1.0))


@dataclass(frozen=True, eq=False)
class CompiledNetwork:
    """A neural network compiled into the reaction network of Table 1.

    Attributes
    ----------
    network : ReactionNetwork
        The union of the per-edge networks (Steps 1-3 of §5.2).
    source : FeedForwardNetwork
        The network that was compiled.
    h : float
        Concentration of H (the smoothing parameter).
    q : int
        Order of the decay reaction qX -> X.
    absorbed : bool
        Whether the enzymatic species were absorbed into rate constants (§5.1).

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> compiled = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0))
    >>> compiled.layer_species(1), compiled.h, compiled.q
    (('X1_1', 'X1_2'), 1.0, 2)
    >>> compiled.network
    <ReactionNetwork: 24 species, 24 reactions>
    """

    network: ReactionNetwork
    source: FeedForwardNetwork
    h: float
    q: int
    absorbed: bool

    # ------------------------------------------------------------------ names
    def node_species(self, layer: int, i: int) -> str:
        """Name of node ``i`` (1-based) of ``layer`` (0 = inputs)."""
        sizes = self.source.layer_sizes
        if not 0 <= layer < len(sizes) or not 1 <= i <= sizes[layer]:
            raise IndexOutOfRangeError(
                f"node ({layer}, {i}) does not exist: layers are 0..{len(sizes) - 1} with sizes {sizes}, nodes are 1-based"
            )
        return f"X{layer}_{i}"

    def layer_species(self, layer: int) -> tuple[str, ...]:
        """Names of every node of ``layer`` in order."""
        return tuple(node_names(layer, self.source.layer_sizes[layer]))

    @property
    def hidden_and_output_species(self) -> tuple[str, ...]:
        """The dynamic node species, layer by layer (the order of ``nodes=`` arrays)."""
        return tuple(s for layer in range(1, len(self.source.layer_sizes)) for s in self.layer_species(layer))

    # ------------------------------------------------------------------ concentrations
    def initial_state(self, d: Any, nodes: Any = 1.0) -> dict[str, Any]:
        """Every species' initial concentration for input(s) ``d``.

        Parameters
        ----------
        d : array_like of shape (c_0,) or (batch, c_0)
            Input concentrations, non-negative (they are concentrations).
        nodes : float or array_like of shape (n_nodes,) or (batch, n_nodes)
            Starting values of the hidden and output nodes, in the order of
            :attr:`hidden_and_output_species`; the paper uses all ones,
            10*rand and 1000*rand (§6).

        Returns
        -------
        dict of str to float or ndarray
            Inputs, H = h, W+ = max(w, 0), W- = max(-w, 0), B+ = max(b, 0),
            B- = max(-b, 0) (absent in the absorbed form) and the nodes;
            batch inputs give arrays of shape (batch,) for the inputs and nodes.
        """
        net = self.source
        x = np.asarray(d, dtype=np.float64)
        c0 = net.layer_sizes[0]
        if x.ndim not in (1, 2) or x.shape[-1] != c0:
            raise InvalidArgumentError(f"d of initial_state must have shape ({c0},) or (batch, {c0}); got {x.shape}")
        bad = ~np.isfinite(x) | (x < 0)
        if bad.any():
            where = np.argwhere(bad)[0]
            index = int(where[-1])
            batch = f" in batch row {int(where[0])}" if x.ndim == 2 else ""
            raise InvalidArgumentError(
                f"input {index} (species {self.node_species(0, index + 1)}){batch} is {float(x[tuple(where)])!r}; "
                "inputs are concentrations and must be finite and >= 0 (rescale the data, e.g. to [0, 1])"
            )
        state: dict[str, Any] = {}
        present = self.network.species_index
        for j, name in enumerate(self.layer_species(0)):
            if name in present:
                state[name] = x[..., j] if x.ndim == 2 else float(x[j])
        if not self.absorbed:
            state.update(self._enzyme_concentrations())
        names = self.hidden_and_output_species
        values = np.asarray(nodes, dtype=np.float64)
        if values.ndim == 0:
            values = np.full(len(names), float(values))
        if values.shape[-1] != len(names) or values.ndim > 2:
            raise InvalidArgumentError(
                f"nodes of initial_state must be a scalar or an array over the {len(names)} node species "
                f"(shape ({len(names)},) or (batch, {len(names)})); got shape {values.shape}"
            )
        if (~np.isfinite(values) | (values < 0)).any():
            raise InvalidArgumentError("nodes of initial_state must be finite concentrations >= 0")
        for k, name in enumerate(names):
            state[name] = values[..., k] if values.ndim == 2 else (
                np.full(x.shape[0], values[k]) if x.ndim == 2 else float(values[k])
            )
        return state

    def _enzyme_concentrations(self) -> dict[str, Any]:
        state: dict[str, Any] = {"H": self.h}
        for layer, (W, b) in enumerate(zip(self.source.weights, self.source.biases), start=1):
            rows, cols = np.indices(W.shape)
            suffix = [f"{layer}_{i + 1}_{j + 1}" for i, j in zip(rows.ravel(), cols.ravel())]
            state.update(zip(("Wp" + s for s in suffix), np.maximum(W, 0).ravel().tolist()))
            state.update(zip(("Wm" + s for s in suffix), np.maximum(-W, 0).ravel().tolist()))
            nodes = [f"{layer}_{i}" for i in range(1, b.size + 1)]
            state.update(zip(("Bp" + s for s in nodes), np.maximum(b, 0).tolist()))
            state.update(zip(("Bm" + s for s in nodes), np.maximum(-b, 0).tolist()))
        return state

    def layer_values(self, result: Any) -> list[np.ndarray]:
        """Node concentrations of a simulation or steady-state result, layer by layer.

        Returns [x^0, ..., x^m]; each has the node index last (and the
        result's batch and time axes first), comparable with
        ``source.activations(d)``.
        """
        return [np.stack([np.asarray(result[s]) for s in self.layer_species(layer)], axis=-1)
                for layer in range(len(self.source.layer_sizes))]

    # ------------------------------------------------------------------ reporting
    def role_counts(self) -> dict[str, tuple[int, int]]:
        """Species and reactions by role: role -> (n_species, n_reactions)."""
        sizes = self.source.layer_sizes
        inputs, nodes = sizes[0], sum(sizes[1:])
        edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        terms = node_reactions(self.source.activation)
        own = [t for t in terms if t[0] > 0 and not (self.absorbed and t[0] == 1)]
        if own == [(self.q, 1, 1.0)]:
            own_role = f"decay ({self.q}X -> X)"
        else:
            own_role = "node polynomial g (kX -> (k+-1)X)"
        if self.absorbed:
            W, b = self.source.weights, self.source.biases
            linear = linear_rate(terms)
            n_edge = int(sum(np.count_nonzero(w) for w in W))
            n_bias = int(sum(np.count_nonzero(v + linear) for v in b))
            return {
                "inputs (X0_j)": (inputs, 0),
                "nodes (X<l>_i)": (nodes, 0),
                "closeness to ReLU (0 -> X, rate h)": (0, nodes if self.h > 0 else 0),
                "edge weights (X' + X -> X' + 2X or X' + X -> X')": (0, n_edge),
                "node biases (X -> 2X or X -> 0)": (0, n_bias),
                own_role: (0, nodes * len(own)),
            }
        return {
            "inputs (X0_j)": (inputs, 0),
            "nodes (X<l>_i)": (nodes, 0),
            "closeness to ReLU (H -> H + X)": (1, nodes),
            "edge weights (W+, W-)": (2 * edges, 2 * edges),
            "node biases (B+, B-)": (2 * nodes, 2 * nodes),
            own_role: (0, nodes * len(own)),
        }

    def summary(self) -> str:
        """A table of species and reactions by role: the budget a molecular programmer plans with."""
        rows = self.role_counts()
        width = max(len(k) for k in rows) + 2
        sizes = "-".join(map(str, self.source.layer_sizes))
        form = "absorbed (enzymes folded into rate constants)" if self.absorbed else "with enzymatic species (Table 1)"
        lines = [
            f"Compiled {sizes} network, {type(self.source.activation).__name__} (h = {self.h:g}, q = {self.q}), {form}",
            f"{'role':<{width}}{'species':>10}{'reactions':>12}",
        ]
        for role, (n_s, n_r) in rows.items():
            lines.append(f"{role:<{width}}{n_s:>10}{n_r:>12}")
        lines.append(f"{'total':<{width}}{self.network.n_species:>10}{self.network.n_reactions:>12}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<CompiledNetwork {'-'.join(map(str, self.source.layer_sizes))}: "
            f"{self.network.n_species} species, {self.network.n_reactions} reactions, h={self.h:g}, q={self.q}>"
        )

    def _repr_html_(self) -> str:
        """Jupyter's HTML view: the role summary and the reactions (:func:`rxnn.crn.display.compiled_html`)."""
        from rxnn.crn.display import compiled_html

        return compiled_html(self)

    def _repr_latex_(self) -> str:
        """Jupyter's LaTeX view: the reactions typeset (:func:`rxnn.crn.display.compiled_latex`)."""
        from rxnn.crn.display import compiled_latex

        return compiled_latex(self)


def compile_network(
    network: FeedForwardNetwork,
    *,
    construction: str = "table1",
    absorb_enzymes: bool | None = None,
    weight_bits: int | None = None,
    denominator: int | None = None,
    reporters: bool | None = None,
) -> Any:
    """Compile a feed-forward network into a reaction network by the chosen construction.

    Parameters
    ----------
    network : FeedForwardNetwork
    construction : str, default "table1"
        A name of :data:`rxnn.constructions.CONSTRUCTIONS`: ``"table1"``, the
        paper's construction (§5.2, Table 1; :func:`compile_table1`), whose
        steady state is the output from any non-negative start (Def. 4.1), or
        ``"rate_independent"``, the non-competitive ReLU construction of
        Vasić et al. (ICML 2020, PNAS 2022;
        :func:`rxnn.constructions.rate_independent.compile_rate_independent`),
        whose final amounts are the outputs for any rate constants, from the
        designated clean start.
    absorb_enzymes : bool, optional
        Table 1 only: fold the enzymatic species into the rate constants (§5.1).
    weight_bits, denominator : int, optional
        Rate-independent only: quantise real weights to integers of that many
        bits (one scale per layer) or to rationals n / denominator; the error
        is on ``result.quantization``.
    reporters : bool, optional
        Rate-independent only (default True): a species per hidden node whose
        final amount is its value.

    Returns
    -------
    CompiledNetwork or RateIndependentNetwork
        Both: ``network``, ``source``, ``initial_state(d)``, ``layer_species(l)``, ``layer_values``, ``summary()``.

    Raises
    ------
    CompileError
        For an activation without a construction (Sigmoid; a non-ReLU
        network for ``"rate_independent"``).
    InvalidArgumentError
        An unknown construction (the message lists the valid ones) or an
        option the construction does not take.

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn import FeedForwardNetwork, ReLU, SmoothReLU, compile_network
    >>> net = FeedForwardNetwork([np.array([[0.5, -1.0]])], [np.array([0.2])], SmoothReLU(1.0))
    >>> compile_network(net).network.n_reactions  # H, 2 per edge, 2 bias, decay
    8
    >>> relu = FeedForwardNetwork([np.array([[1.0, -1.0]])], [np.array([0.2])], ReLU())
    >>> compile_network(relu, construction="rate_independent").network.n_reactions
    4
    """
    from rxnn.constructions import get_construction

    spec = get_construction(construction)
    given = dict(absorb_enzymes=absorb_enzymes, weight_bits=weight_bits, denominator=denominator, reporters=reporters)
    options = {k: v for k, v in given.items() if v is not None}
    wrong = [k for k in options if k not in spec.options]
    if wrong:
        raise InvalidArgumentError(
            f"{wrong[0]} of compile_network does not apply to construction={spec.name!r}, which takes "
            f"{', '.join(spec.options) or 'no options'}"
        )
    return spec.build(network, **options)


def compile_table1(network: FeedForwardNetwork, *, absorb_enzymes: bool = False) -> CompiledNetwork:
    """Compile a feed-forward network into the reaction network of Table 1 (§5.2).

    Parameters
    ----------
    network : FeedForwardNetwork
        With a SmoothReLU, PolynomialActivation or ReLU activation.
    absorb_enzymes : bool, default False
        Fold the enzymatic species (H, W+-, B+-) into the rate constants
        (the alternative of §5.1): the ODE is the same, reactions whose
        absorbed rate would be 0 are omitted, and the species are just the
        inputs and the nodes.

    Returns
    -------
    CompiledNetwork

    Raises
    ------
    CompileError
        For an activation without a construction (Sigmoid).

    Notes
    -----
    Built from index arrays in O(number of reactions), without per-reaction
    objects. The compiled mass-action ODE is eq. (19) (eq. (20) for q = 3).

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork([np.array([[0.5, -1.0]])], [np.array([0.2])], SmoothReLU(1.0))
    >>> compile_table1(net, absorb_enzymes=True).network.n_species  # two inputs, one node
    3
    """
    if not isinstance(network, FeedForwardNetwork):
        raise ArgumentTypeError(f"network of compile_network must be a FeedForwardNetwork; got {type(network).__name__}")
    h, q = activation_parameters(network.activation)
    builder = Table1Builder(network, h, q, absorb_enzymes, node_reactions(network.activation))
    return CompiledNetwork(builder.build(), network, h, q, absorb_enzymes)
