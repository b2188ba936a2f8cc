"""ReLU networks as non-competitive, rate-independent reaction networks.

The construction of Vasić, Chalk, Khurshid & Soloveichik, "Deep molecular
programming: a natural implementation of binary-weight ReLU neural networks"
(ICML 2020), in the non-competitive (NC) form of Vasić, Chalk, Luchsinger,
Khurshid & Soloveichik, "Programming and training rate-independent chemical
reaction networks" (PNAS 2022), written here from those papers.

Every value is a *final amount*, not a steady state of a reversible balance:
reactions only consume their reactants, nothing is catalytic, and each species
is a reactant of at most one reaction (the NC condition), so every fair
execution, whatever the rate constants or the rate law, ends in the same state.
For layer l and node i (1-based), with integer weights N^l (see
:mod:`rxnn.constructions.quantize`):

=============================  =============================================
``Zp<l>_<i>``, ``Zm<l>_<i>``   the pre-activation z = [Zp] - [Zm] (dual rail: signs need it)
``M<l>_<i>``                   the marker of the ReLU module (hidden layers)
``Hp<l>_<i>``, ``Hm<l>_<i>``   the ReLU value h = [Hp] - [Hm] passed on (hidden layers)
``X<l>_<i>``, ``Xm<l>_<i>``    the reporter: [X] ends at the node's value (``Xm`` is its annihilator)
``X0_<j>``                     input j, consumed
=============================  =============================================

Reactions (rate constant 1; any positive constants give the same end state):

* fan-out by copying: an input ``X0_j -> sum_i n_ij Z*`` and a hidden rail
  ``Hp -> sum_i n_ij Z*`` (``Zp`` where n > 0, ``Zm`` where n < 0, |n|
  copies), ``Hm`` with the rails swapped. The bias is the initial amount of
  ``Zp`` (beta > 0) or ``Zm`` (beta < 0).
* hidden ReLU: ``Zp -> M + Hp + X`` and ``M + Zm -> Hm + Xm``: at the end
  [Hp] = zp and [Hm] = min(zp, zm), so h = zp - min(zp, zm) = max(0, z);
  the reporter ``X + Xm -> 0`` leaves [X] = max(0, z).
* output ReLU: ``Zp -> X`` and ``Zm + X -> 0``: [X] ends at max(0, zp - zm).

The guarantee holds from the designated clean start only
(:meth:`RateIndependentNetwork.initial_state`): inputs d, the bias rails, every
other species 0. Any other start adds its extra molecules to the answer. The
approach is exponential in time while the two sides of an annihilation differ,
and like 1 / (k t) where they are equal (a node with z = 0), so an integration
must run long against the smallest rate constant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn._type_error import ArgumentTypeError, IndexOutOfRangeError
from rxnn.constructions.quantize import Quantization, quantize_weights
from rxnn.crn.network import ReactionNetwork
from rxnn.compile import CompileError
from rxnn.errors import InvalidArgumentError
from rxnn.nn.activations import ReLU, SmoothReLU
from rxnn.nn.network import FeedForwardNetwork

__all__ = ["RateIndependentNetwork", "compile_rate_independent", "is_non_competitive", "GUARANTEE"]

GUARANTEE = (
    "from the clean start (inputs d, bias rails, all else 0) every fair execution, for any positive rate constants "
    "and any rate law, ends with the quantised network's outputs as final amounts (Vasić et al., PNAS 2022)"
)


@dataclass(frozen=True, eq=False)
class RateIndependentNetwork:
    """A ReLU network compiled into a non-competitive, rate-independent reaction network.

    Attributes
    ----------
    network : ReactionNetwork
    source : FeedForwardNetwork
        The network that was compiled.
    quantization : Quantization
        The integer weights used and the error they add (``weight_error``,
        ``output_error(d)``).
    reporters : bool
        Whether hidden nodes have reporter species ``X<l>_<i>``.
    construction : str
        ``"rate_independent"``.

    Examples
    --------
    A 2-1-1 ReLU network; from its clean start the output's final amount is
    the network's output, max(0, 0.75 - 0.25) = 0.5:

    >>> import numpy as np
    >>> from rxnn import FeedForwardNetwork, ReLU, compile_network
    >>> from rxnn.crn import simulate
    >>> net = FeedForwardNetwork([np.array([[1.0, -1.0]]), np.array([[1.0]])], [np.zeros(1), np.zeros(1)], ReLU())
    >>> ri = compile_network(net, construction="rate_independent")
    >>> ri.layer_species(2)
    ('X2_1',)
    >>> res = simulate(ri.network, ri.initial_state([0.75, 0.25]), (0, 1e4))
    >>> round(float(res["X2_1"][-1]), 3)
    0.5
    """

    network: ReactionNetwork
    source: FeedForwardNetwork
    quantization: Quantization
    reporters: bool = True
    construction: str = "rate_independent"
    guarantee: str = GUARANTEE

    # ------------------------------------------------------------------ names
    def layer_species(self, layer: int) -> tuple[str, ...]:
        """One species per node of ``layer`` whose final amount is scale(layer) x the node's value.

        Layer 0 holds the inputs (consumed: their final amount is 0); hidden
        layers need ``reporters=True``.
        """
        sizes = self.source.layer_sizes
        if not 0 <= layer < len(sizes):
            raise IndexOutOfRangeError(f"layer {layer} does not exist: layers are 0..{len(sizes) - 1}")
        if 0 < layer < len(sizes) - 1 and not self.reporters:
            raise InvalidArgumentError(
                f"hidden layer {layer} has no reporter species (compiled with reporters=False); "
                "compile with reporters=True to read hidden values"
            )
        return tuple(f"X{layer}_{i}" for i in range(1, sizes[layer] + 1))

    def scale(self, layer: int) -> float:
        """S_l: final amounts of layer ``layer`` are S_l times its activations (1 for integer weights)."""
        return self.quantization.scale(layer)

    # ------------------------------------------------------------------ concentrations
    def initial_state(self, d: Any) -> dict[str, Any]:
        """The designated clean start for input(s) ``d``: inputs, the bias rails, every other species 0.

        Parameters
        ----------
        d : array_like of shape (c_0,) or (batch, c_0)
            Input concentrations, finite and >= 0.

        Returns
        -------
        dict of str to float or ndarray
            Every species of the network (arrays of shape (batch,) for a batch).
        """
        x = np.asarray(d, dtype=np.float64)
        c0 = self.source.layer_sizes[0]
        if x.ndim not in (1, 2) or x.shape[-1] != c0:
            raise InvalidArgumentError(f"d of initial_state must have shape ({c0},) or (batch, {c0}); got {x.shape}")
        if (~np.isfinite(x) | (x < 0)).any():
            raise InvalidArgumentError("d of initial_state must hold finite concentrations >= 0 (rescale the data, e.g. to [0, 1])")
        shape = x.shape[:-1]
        state: dict[str, Any] = {name: (np.zeros(shape) if shape else 0.0) for name in self.network.species}
        for j in range(c0):
            name = f"X0_{j + 1}"
            if name in state:
                state[name] = x[..., j].copy() if shape else float(x[j])
        for layer, b in enumerate(self.source.biases, start=1):
            s = self.scale(layer)
            for i, value in enumerate(b, start=1):
                rail = f"Zp{layer}_{i}" if value > 0 else f"Zm{layer}_{i}"
                if value != 0 and rail in state:
                    state[rail] = np.full(shape, abs(value) * s) if shape else abs(float(value)) * s
        return state

    def expected(self, d: Any) -> list[np.ndarray]:
        """[a^0, ..., a^m] of the quantised network: what the final amounts stand for."""
        return self.quantization.network.activations(d)

    def layer_values(self, result: Any) -> list[np.ndarray]:
        """Node values of a result, layer by layer: reporter amounts divided by scale(l).

        Layer 0 is read as is (inputs are consumed); unreadable hidden layers
        (``reporters=False``) are omitted as None.
        """
        out: list[Any] = []
        for layer in range(len(self.source.layer_sizes)):
            try:
                names = self.layer_species(layer)
            except InvalidArgumentError:
                out.append(None)
                continue
            values = [np.asarray(result[s]) if s in self.network.species_index else np.zeros_like(np.asarray(result[self.network.species[0]]))
                      for s in names]
            out.append(np.stack(values, axis=-1) / self.scale(layer))
        return out

    # ------------------------------------------------------------------ reporting
    def role_counts(self) -> dict[str, tuple[int, int]]:
        """Species and reactions by role: role -> (n_species, n_reactions)."""
        sizes = self.source.layer_sizes
        hidden = sum(sizes[1:-1])
        present = self.network.species_index
        fan_in = sum(1 for j in range(1, sizes[0] + 1) if f"X0_{j}" in present)
        fan_hidden = self.network.n_reactions - fan_in - 2 * sizes[-1] - hidden * (3 if self.reporters else 2)
        return {
            "inputs (X0_j, consumed)": (fan_in, fan_in),
            "pre-activation rails (Zp, Zm)": (2 * sum(sizes[1:]), 0),
            "hidden ReLU (Zp -> M + Hp [+ X], M + Zm -> Hm [+ Xm])": (3 * hidden, 2 * hidden),
            "hidden fan-out (Hp, Hm -> copies)": (0, fan_hidden),
            "hidden reporters (X + Xm -> 0)": ((2 * hidden, hidden) if self.reporters else (0, 0)),
            "output ReLU (Zp -> X, Zm + X -> 0)": (sizes[-1], 2 * sizes[-1]),
        }

    def summary(self) -> str:
        """A table of species and reactions by role, with the quantisation used."""
        rows = self.role_counts()
        width = max(len(k) for k in rows) + 2
        q = self.quantization
        lines = [
            f"Rate-independent {'-'.join(map(str, self.source.layer_sizes))} ReLU network ({q.method}, "
            f"max weight error {q.weight_error:.3g}, scales {', '.join(f'{self.scale(l):g}' for l in range(1, len(self.source.layer_sizes)))})",
            f"{'role':<{width}}{'species':>10}{'reactions':>12}",
        ]
        lines += [f"{role:<{width}}{n_s:>10}{n_r:>12}" for role, (n_s, n_r) in rows.items()]
        lines.append(f"{'total':<{width}}{self.network.n_species:>10}{self.network.n_reactions:>12}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<RateIndependentNetwork {'-'.join(map(str, self.source.layer_sizes))}: {self.network.n_species} "
                f"species, {self.network.n_reactions} reactions, {self.quantization.method}>")


def _check_relu(network: FeedForwardNetwork) -> None:
    act = network.activation
    if isinstance(act, ReLU) or (isinstance(act, SmoothReLU) and act.h == 0):
        return
    raise CompileError(
        f"construction='rate_independent' needs a ReLU network (ReLU() or SmoothReLU(0)); got {act!r}: "
        "use construction='table1' for it"
    )


def compile_rate_independent(
    network: FeedForwardNetwork, *, weight_bits: int | None = None, denominator: int | None = None,
    reporters: bool = True,
) -> RateIndependentNetwork:
    """Compile a ReLU network into the non-competitive reaction network of Vasić et al. (PNAS 2022).

    Parameters
    ----------
    network : FeedForwardNetwork
        A ReLU network (every layer ReLU, the output layer included).
    weight_bits, denominator : int, optional
        Quantisation of real weights (:func:`~rxnn.constructions.quantize.quantize_weights`);
        neither for integer weights.
    reporters : bool, default True
        Give each hidden node a species whose final amount is its value (one
        more reaction and two species per hidden node); False is the minimal
        network of the paper, whose hidden values are passed on and consumed.

    Returns
    -------
    RateIndependentNetwork

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn import FeedForwardNetwork, ReLU
    >>> net = FeedForwardNetwork([np.array([[1.0, -1.0]])], [np.array([0.5])], ReLU())
    >>> ri = compile_rate_independent(net)
    >>> print(ri.network.to_text().rstrip())
    X0_1 -> Zp1_1
    X0_2 -> Zm1_1
    Zp1_1 -> X1_1
    Zm1_1 + X1_1 -> 0
    >>> ri.initial_state([2.0, 1.0])["Zp1_1"], ri.layer_species(1)
    (0.5, ('X1_1',))
    """
    if not isinstance(network, FeedForwardNetwork):
        raise ArgumentTypeError(f"network of compile_network must be a FeedForwardNetwork; got {type(network).__name__}")
    _check_relu(network)
    if not isinstance(reporters, bool):
        raise ArgumentTypeError(f"reporters of compile_network must be True or False; got {reporters!r}")
    q = quantize_weights(network, weight_bits=weight_bits, denominator=denominator)
    return RateIndependentNetwork(_build(network.layer_sizes, q.integers, reporters), network, q, reporters)


def _build(sizes: tuple[int, ...], integers: tuple[np.ndarray, ...], reporters: bool) -> ReactionNetwork:
    reactions: list[tuple[dict[str, int], dict[str, int]]] = []
    m = len(sizes) - 1

    def fan_out(source: str, column: np.ndarray, layer: int, flip: bool) -> None:
        products = {}
        for i, n in enumerate(column, start=1):
            if n != 0:
                positive = (n > 0) != flip
                products[f"{'Zp' if positive else 'Zm'}{layer}_{i}"] = abs(int(n))
        if products:
            reactions.append(({source: 1}, products))

    for layer in range(1, m + 1):
        N = integers[layer - 1]
        for j in range(1, sizes[layer - 1] + 1):
            if layer == 1:
                fan_out(f"X0_{j}", N[:, j - 1], 1, False)
            else:
                fan_out(f"Hp{layer - 1}_{j}", N[:, j - 1], layer, False)
                fan_out(f"Hm{layer - 1}_{j}", N[:, j - 1], layer, True)
        for i in range(1, sizes[layer] + 1):
            zp, zm, x = f"Zp{layer}_{i}", f"Zm{layer}_{i}", f"X{layer}_{i}"
            if layer == m:
                reactions += [({zp: 1}, {x: 1}), ({zm: 1, x: 1}, {})]
                continue
            mark, hp, hm = f"M{layer}_{i}", f"Hp{layer}_{i}", f"Hm{layer}_{i}"
            reactions.append(({zp: 1}, {mark: 1, hp: 1, **({x: 1} if reporters else {})}))
            reactions.append(({mark: 1, zm: 1}, {hm: 1, **({f"Xm{layer}_{i}": 1} if reporters else {})}))
            if reporters:
                reactions.append(({x: 1, f"Xm{layer}_{i}": 1}, {}))
    species: dict[str, int] = {}
    for left, right in reactions:
        for name in (*left, *right):
            species.setdefault(name, len(species))
    R = sp.lil_matrix((len(species), len(reactions)), dtype=np.int64)
    P = sp.lil_matrix((len(species), len(reactions)), dtype=np.int64)
    for col, (left, right) in enumerate(reactions):
        for name, coef in left.items():
            R[species[name], col] = coef
        for name, coef in right.items():
            P[species[name], col] = coef
    return ReactionNetwork.from_matrices(list(species), R.tocsc(), P.tocsc(), 1.0)


def is_non_competitive(network: ReactionNetwork) -> bool:
    """Whether every species is a reactant of at most one reaction (the NC condition, catalyst-free form).

    Vasić et al. (PNAS 2022) prove that a non-competitive network's end state
    does not depend on the rate constants or the rate law; this checks the
    structural condition, reactions in which a species is a catalyst
    (reactant and product alike) counted as consuming it.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> is_non_competitive(ReactionNetwork.from_text("A -> B\\nB + C -> 0"))
    True
    >>> is_non_competitive(ReactionNetwork.from_text("A -> B\\nA -> C"))
    False
    """
    R = network.reactant_matrix()
    per_species = np.diff(sp.csr_matrix(R).indptr)
    return bool(np.all(per_species <= 1))
