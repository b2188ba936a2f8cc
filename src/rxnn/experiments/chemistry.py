"""The chemistry of the §6 example: trajectories of the compiled reaction network.

Everything here simulates the reaction network that :func:`rxnn.compile.compile_network`
builds from a trained network (Table 1, with its enzymatic species), and
compares it with the closed form a^l = phi(W^l a^(l-1) + beta^l) (eqs. (6)-(7)):

* :func:`simulate_nodes` integrates the mass-action ODEs (eqs. (11)-(12)) from
  a chosen start and finds the steady state the trajectory converges to
  (Figs. 10-12);
* :func:`activation_check` does so from several starts for one network and
  one input;
* :func:`paper_activation_check` follows the protocol of §6 behind the four
  printed activations: one SGD iteration with batch size 1, then the
  compiled network from x00 = 10*rand(50) and 1000*rand(50), to t = 5.

The paper's printed digits come from Matlab's ``rng(1234)`` stream, which
numpy cannot reproduce; :data:`PAPER_ACTIVATIONS` and :data:`PAPER_AT_T5` are
kept for reference. The check is chemistry against closed form on *our* network.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rxnn._deprecation import renamed_keywords
from rxnn._validation import check_int, check_positive_finite, must_be
from rxnn.compile import CompiledNetwork, compile_network
from rxnn.crn.simulate import simulate, steady_state
from rxnn.experiments.training import Dataset, TrainingConfig, draw_batch, random_streams, train
from rxnn.nn import FeedForwardNetwork

__all__ = [
    "PAPER_NODES",
    "FIGURE10_NODES",
    "PAPER_IMAGE_INDEX",
    "PAPER_ACTIVATIONS",
    "PAPER_AT_T5",
    "NodeTrajectories",
    "ActivationCheck",
    "time_grid",
    "node_label",
    "simulate_nodes",
    "activation_check",
    "paper_activation_check",
]

Node = tuple[int, int]

PAPER_NODES: tuple[Node, ...] = ((2, 1), (2, 3), (1, 1), (1, 32))
"""(layer, node) pairs of Figs. 11-12 and of the printed activations: output 1 and 3, hidden 1 and 32."""

FIGURE10_NODES: tuple[Node, ...] = ((2, 1), (2, 2), (2, 6), (2, 8), (1, 1), (1, 32))
"""Fig. 10: output nodes 1, 2, 6, 8 (digits 0, 1, 5, 7) and hidden nodes 1 and 32."""

PAPER_IMAGE_INDEX = 29
"""The 30th training image (a 7), 0-based, used for Fig. 10."""

PAPER_ACTIVATIONS: dict[str, float] = {
    "a^2_1": 1.54691661955827,
    "a^2_3": 0.885658219979311,
    "a^1_1": 1.06208572398989,
    "a^1_32": 0.72187173499449,
}
"""The closed-form activations printed in §6 (Matlab, rng(1234)), for reference."""

PAPER_AT_T5: dict[str, dict[str, float]] = {
    "10*rand": {"a^2_1": 1.54703516476441, "a^2_3": 0.885627963885228,
                "a^1_1": 1.06216260026126, "a^1_32": 0.721901309123957},
    "1000*rand": {"a^2_1": 1.54686939850725, "a^2_3": 0.885624161108907,
                  "a^1_1": 1.06213690351638, "a^1_32": 0.721896022634959},
}
"""The chemistry's values at t = 5 printed in §6, by start, for reference."""


def node_label(node: Node, symbol: str = "a") -> str:
    """``'a^2_1'`` for node (2, 1): node i (1-based) of layer l, as the paper writes it.

    Examples
    --------
    >>> node_label((1, 32)), node_label((2, 1), "x")
    ('a^1_32', 'x^2_1')
    """
    return f"{symbol}^{node[0]}_{node[1]}"


def time_grid(t_end: float = 5.0, *, n_linear: int = 501, n_log: int = 200, t_min: float = 1e-5) -> np.ndarray:
    """Report times: 0, a log-spaced grid from ``t_min`` and a linear grid, up to ``t_end``.

    The log part resolves the fast descent "from infinity" (Fig. 12, left);
    the linear part the exponential approach to the limit.

    Examples
    --------
    >>> time_grid(1.0, n_linear=3, n_log=3, t_min=0.01)
    array([0.  , 0.01, 0.1 , 0.5 , 1.  ])
    """
    t_end = check_positive_finite(t_end, "t_end", "time_grid")
    log = np.logspace(np.log10(min(t_min, t_end / 10)), np.log10(t_end), n_log)
    return np.unique(np.clip(np.concatenate([[0.0], log, np.linspace(0.0, t_end, n_linear), [t_end]]), 0.0, t_end))


@dataclass(frozen=True, eq=False)
class NodeTrajectories:
    """Trajectories of every hidden and output node of a compiled network from one start.

    Attributes
    ----------
    t : ndarray of shape (n_times,)
    nodes : tuple of (layer, i)
        All hidden and output nodes, layer by layer (the columns below).
    values : ndarray of shape (n_times, n_nodes)
        x^l_i(t) from the mass-action ODEs.
    start : ndarray of shape (n_nodes,)
        x^l_i(0).
    steady : ndarray of shape (n_nodes,)
        The steady state reached from ``start`` (:func:`rxnn.crn.simulate.steady_state`).
    closed_form : ndarray of shape (n_nodes,)
        a^l_i(d) of the network (eqs. (6)-(7)).
    nfev : int
        Right-hand-side evaluations of the integrator.

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=0)
    >>> run = simulate_nodes(net, [0.5, 0.1, 0.9], nodes=1.0)
    >>> run.nodes, run.column((2, 1)), run.node((2, 1)).shape == run.t.shape
    (((1, 1), (1, 2), (2, 1), (2, 2)), 2, True)
    >>> run.start.tolist(), bool(run.settling_time(1e-3) < 5.0)  # within 1e-3 of the limit before t = 5
    ([1.0, 1.0, 1.0, 1.0], True)
    """

    t: np.ndarray
    nodes: tuple[Node, ...]
    values: np.ndarray
    start: np.ndarray
    steady: np.ndarray
    closed_form: np.ndarray
    nfev: int = 0

    def column(self, node: Node) -> int:
        """Index of ``node`` among :attr:`nodes`."""
        try:
            return self.nodes.index(tuple(node))
        except ValueError:
            raise must_be("node", "NodeTrajectories.column", "a (layer, i) of the network", node) from None

    def node(self, node: Node) -> np.ndarray:
        """x^l_i(t), shape (n_times,)."""
        return self.values[:, self.column(node)]

    @property
    def final(self) -> np.ndarray:
        """x(t_end), shape (n_nodes,)."""
        return self.values[-1]

    def error_at_end(self, nodes: Sequence[Node] | None = None) -> float:
        """max |x(t_end) - a| over ``nodes`` (all by default)."""
        cols = slice(None) if nodes is None else [self.column(n) for n in nodes]
        return float(np.max(np.abs(self.final[cols] - self.closed_form[cols])))

    def steady_error(self, nodes: Sequence[Node] | None = None) -> float:
        """max |x(inf) - a| over ``nodes`` (all by default)."""
        cols = slice(None) if nodes is None else [self.column(n) for n in nodes]
        return float(np.max(np.abs(self.steady[cols] - self.closed_form[cols])))

    def settling_time(self, rel_tol: float) -> float:
        """First reported time from which on every node stays within ``rel_tol * max(a, 1)`` of its limit a.

        ``inf`` if the trajectory never settles within the reported times.
        """
        scale = np.maximum(self.closed_form, 1.0)
        inside = np.all(np.abs(self.values - self.closed_form) <= rel_tol * scale, axis=1)
        outside = np.flatnonzero(~inside)
        if outside.size == 0:
            return float(self.t[0])
        last = int(outside[-1])
        return float(self.t[last + 1]) if last + 1 < self.t.size else float("inf")


@renamed_keywords(start="nodes")
def simulate_nodes(
    network: FeedForwardNetwork | CompiledNetwork,
    d: npt.ArrayLike,
    *,
    nodes: npt.ArrayLike = 1.0,
    t_end: float = 5.0,
    t_eval: npt.ArrayLike | None = None,
) -> NodeTrajectories:
    """Simulate the compiled reaction network of ``network`` on input ``d``.

    Parameters
    ----------
    network : FeedForwardNetwork or CompiledNetwork
        Compiled with :func:`rxnn.compile.compile_network` (Table 1, with
        enzymes) unless already compiled.
    d : array_like of shape (c_0,)
        The input, x^0 = d (non-negative).
    nodes : float or array_like of shape (n_nodes,), default 1.0
        x^l_i(0) of the hidden and output nodes in layer order (the name of
        :meth:`CompiledNetwork.initial_state <rxnn.compile.CompiledNetwork.initial_state>`;
        ``start=`` is its deprecated spelling). Fig. 10 uses
        all ones, Figs. 11-12 10*rand and 1000*rand.
    t_end : float, default 5.0
    t_eval : array_like, optional
        Report times; default :func:`time_grid` (``t_end``).

    Returns
    -------
    NodeTrajectories

    Raises
    ------
    rxnn.crn.SimulationError, rxnn.crn.SteadyStateError
        If the integrator or the steady-state solver fails.

    Notes
    -----
    BDF with the sparse Jacobian at rtol 1e-8, atol 1e-10 (the defaults of
    :func:`rxnn.crn.simulate.simulate`), and pseudo-transient continuation to
    a flux balance of 1e-11 for the steady state. The 784-40-10 network has
    50 dynamic species; one call takes about a second.

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=0)
    >>> run = simulate_nodes(net, [0.5, 0.1, 0.9], nodes=1.0)
    >>> run.steady_error() < 1e-9 and run.error_at_end() < 1e-3
    True
    """
    compiled = network if isinstance(network, CompiledNetwork) else compile_network(network)
    source = compiled.source
    x = np.asarray(d, dtype=np.float64)
    if x.shape != (source.layer_sizes[0],):
        raise must_be("d", "simulate_nodes", f"one input of shape ({source.layer_sizes[0]},)", f"shape {x.shape}")
    times = time_grid(t_end) if t_eval is None else np.asarray(t_eval, dtype=np.float64)
    initial = compiled.initial_state(x, nodes=nodes)
    run = simulate(compiled.network, initial, (0.0, float(times[-1])), t_eval=times)
    rest = steady_state(compiled.network, initial)
    run_layers, rest_layers = compiled.layer_values(run), compiled.layer_values(rest)
    nodes = tuple((l, i) for l in range(1, len(source.layer_sizes)) for i in range(1, source.layer_sizes[l] + 1))
    return NodeTrajectories(
        t=np.asarray(run.t),
        nodes=nodes,
        values=np.concatenate(run_layers[1:], axis=-1),
        start=np.concatenate([v[0] for v in run_layers[1:]]),
        steady=np.concatenate(rest_layers[1:]),
        closed_form=np.concatenate(source.activations(x)[1:]),
        nfev=run.nfev,
    )


@dataclass(frozen=True, eq=False)
class ActivationCheck:
    """Chemistry against closed form for one network and one input, from several starts.

    Attributes
    ----------
    network : FeedForwardNetwork
    d : ndarray of shape (c_0,)
    runs : dict of str to NodeTrajectories
        One simulation per start, by name (e.g. ``'10*rand'``).
    nodes : tuple of (layer, i)
        The nodes reported individually (all 50 enter the maximum errors).
    image_index, label : int or None
        The training image used and its digit, when the input is one.
    seed : int or None
        The seed of the protocol, when there is one.
    t_end : float

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=0)
    >>> check = activation_check(net, [0.5, 0.1, 0.9], {"ones": 1.0, "10": 10.0}, nodes=[(2, 1)])
    >>> a, x = check.closed_form()["a^2_1"], check.at_end("ones")["a^2_1"]
    >>> abs(x - a) < 1e-3, list(check.max_errors())[:2]
    (True, ['t=5 from ones', 'steady state from ones'])
    """

    network: FeedForwardNetwork
    d: np.ndarray
    runs: dict[str, NodeTrajectories]
    nodes: tuple[Node, ...] = PAPER_NODES
    image_index: int | None = None
    label: int | None = None
    seed: int | None = None
    t_end: float = 5.0

    def closed_form(self) -> dict[str, float]:
        """a^l_i for :attr:`nodes`, by label."""
        run = next(iter(self.runs.values()))
        return {node_label(n): float(run.closed_form[run.column(n)]) for n in self.nodes}

    def at_end(self, start: str) -> dict[str, float]:
        """x^l_i(t_end) from ``start``, by label."""
        run = self.runs[start]
        return {node_label(n): float(run.final[run.column(n)]) for n in self.nodes}

    def steady(self, start: str) -> dict[str, float]:
        """The steady state from ``start``, by label."""
        run = self.runs[start]
        return {node_label(n): float(run.steady[run.column(n)]) for n in self.nodes}

    def max_errors(self) -> dict[str, float]:
        """max over all hidden and output nodes of |chemistry - closed form|: at t_end and at steady state, per start."""
        out = {}
        for name, run in self.runs.items():
            out[f"t={self.t_end:g} from {name}"] = run.error_at_end()
            out[f"steady state from {name}"] = run.steady_error()
        return out

    def passed(self, *, at_end: float = 1e-3, steady: float = 1e-8) -> bool:
        """Whether every start agrees within ``at_end`` at t_end and within ``steady`` at steady state."""
        return all(r.error_at_end() <= at_end and r.steady_error() <= steady for r in self.runs.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the numbers of the report)."""
        return {
            "protocol": (
                "one SGD iteration with batch size 1 from the §6 initialisation; activations of the "
                "updated network on the image of that batch; compiled network (Table 1) simulated from "
                "each start to t_end and to steady state"
            ),
            "seed": self.seed,
            "image_index": self.image_index,
            "label": self.label,
            "t_end": self.t_end,
            "nodes": [node_label(n) for n in self.nodes],
            "closed_form": self.closed_form(),
            "at_t_end": {name: self.at_end(name) for name in self.runs},
            "steady_state": {name: self.steady(name) for name in self.runs},
            "max_abs_error_all_nodes": self.max_errors(),
            "tolerances": {"t_end": 1e-3, "steady_state": 1e-8},
            "passed": self.passed(),
            "paper": {"closed_form": PAPER_ACTIVATIONS, "at_t5": PAPER_AT_T5},
        }


def activation_check(
    network: FeedForwardNetwork,
    d: npt.ArrayLike,
    starts: Mapping[str, npt.ArrayLike],
    *,
    t_end: float = 5.0,
    nodes: Sequence[Node] = PAPER_NODES,
) -> ActivationCheck:
    """Simulate the compiled ``network`` on ``d`` from each of ``starts``; compare with the closed form.

    Parameters
    ----------
    network : FeedForwardNetwork
    d : array_like of shape (c_0,)
    starts : mapping of str to float or array_like of shape (n_nodes,)
        Named initial conditions of the hidden and output nodes.
    t_end : float, default 5.0
    nodes : sequence of (layer, i), default :data:`PAPER_NODES`
        The nodes to report individually.

    Returns
    -------
    ActivationCheck

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([4, 3, 2], SmoothReLU(1.0), seed=1)
    >>> check = activation_check(net, [0.2, 0.4, 0.0, 1.0], {"ones": 1.0}, nodes=[(2, 1)])
    >>> check.passed()
    True
    """
    if not starts:
        raise must_be("starts", "activation_check", "a non-empty mapping of named starts", starts)
    sizes = network.layer_sizes
    for layer, i in nodes:
        if not (1 <= layer < len(sizes) and 1 <= i <= sizes[layer]):
            raise must_be("nodes", "activation_check", f"(layer, i) pairs of hidden or output nodes of {sizes}", (layer, i))
    compiled = compile_network(network)
    times = time_grid(t_end)
    runs = {name: simulate_nodes(compiled, d, nodes=start, t_eval=times) for name, start in starts.items()}
    return ActivationCheck(network, np.asarray(d, dtype=np.float64), runs, tuple(map(tuple, nodes)), t_end=t_end)


def paper_activation_check(
    data: Dataset,
    *,
    seed: int = 1234,
    config: TrainingConfig | None = None,
    scales: Sequence[float] = (10.0, 1000.0),
    t_end: float = 5.0,
) -> ActivationCheck:
    """The protocol of §6 behind the four printed activations, with numpy's random streams.

    "Using the same setup as detailed above (including the randomized initial
    conditions), but with both the BatchSize and the number of iterations set
    to 1": the §6 network is initialised, takes one SGD step on one training
    image, and its activations on *that image* are compared with the compiled
    network simulated from ``scale * u`` for each scale, where ``u`` is one
    draw of 50 uniforms from the chemistry stream of :func:`random_streams`
    (as Matlab's ``10*rand`` and ``1000*rand`` after the same ``rng(1234)``).

    Parameters
    ----------
    data : Dataset
        The training images (MNIST).
    seed : int, default 1234
    config : TrainingConfig, optional
        Defaults to the §6 configuration; batch size and iterations are set to 1.
    scales : sequence of float, default (10, 1000)
    t_end : float, default 5.0

    Returns
    -------
    ActivationCheck

    Notes
    -----
    The paper does not say on which image a^l was evaluated; we take the one
    image of the single batch, the input the step was computed on.

    Examples
    --------
    On synthetic data (MNIST in the §6 run) with a network that has the
    reported nodes (hidden node 32, output node 3):

    >>> from rxnn.experiments.training import ArrayDataset
    >>> data = ArrayDataset(np.random.default_rng(0).random((6, 2)), [0, 1, 2, 0, 1, 2])
    >>> check = paper_activation_check(data, config=TrainingConfig(layer_sizes=(2, 32, 3)), scales=(10.0,))
    >>> check.passed(), list(check.runs), check.seed
    (True, ['10*rand'], 1234)
    """
    seed = check_int(seed, "seed", "paper_activation_check", minimum=0)
    base = TrainingConfig() if config is None else config
    one = dataclasses.replace(base, batch_size=1, iterations=1, seed=seed)
    network = train(one, data).network
    _, batches, chemistry = random_streams(seed)
    index = int(draw_batch(batches, len(data), 1)[0])  # the image train() used
    n_nodes = sum(one.layer_sizes[1:])
    u = chemistry.random(n_nodes)
    starts = {f"{s:g}*rand": float(s) * u for s in scales}
    check = activation_check(network, data.inputs([index])[0], starts, t_end=t_end)
    return dataclasses.replace(check, image_index=index, label=int(np.asarray(data.labels)[index]), seed=seed)
