"""Chemistry in the loop: §6 training whose every forward pass is a steady state of the reaction network.

With ``forward="crn"`` the activations a^1, ..., a^m of each training batch
are not computed by eqs. (6)-(7) but read off the compiled reaction network
of Table 1 (with its enzymatic species, so that one network serves every
iteration: only the concentrations of W+-, B+- change), bound once by
:func:`rxnn.bind` and solved to its steady state for the whole batch at once
(each iteration re-binds the new weights with ``with_fixed``, reusing the
lowering).
Backpropagation then takes phi'(z^l) at the simulated values,
phi' = -phi / (z - q (q-1) phi^(q-1)) (§6.1's remark; see
:meth:`rxnn.nn.Activation.derivative_from_value`), so training never uses a
closed form of phi.

:func:`compare_forwards` trains the same configuration from the same seed
both ways (the same initial network and the same batches, from
:func:`rxnn.experiments.training.random_streams`) and reports test
accuracies, wall times and how far the two runs drift apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rxnn._validation import check_int, must_be
from rxnn.errors import InvalidTypeError
from rxnn.compile import CompiledNetwork, compile_network
from rxnn.crn.bound import BoundProblem, bind
from rxnn.experiments._workers import DEFAULT_BLAS_THREADS, check_blas_threads
from rxnn.experiments._workers import blas_threads as _blas_threads
from rxnn.experiments.training import (
    Dataset,
    TrainingConfig,
    TrainingResult,
    draw_batch,
    evaluate,
    random_streams,
    targets,
    train,
)
from rxnn.nn import FeedForwardNetwork, QuadraticCost, sgd_step

__all__ = ["FORWARDS", "ChemicalForward", "train_with_chemistry", "evaluate_chemistry", "ForwardComparison", "compare_forwards"]

FORWARDS = ("closed", "crn")
"""Where the forward pass of training comes from: eqs. (6)-(7), or the compiled reaction network."""


class ChemicalForward:
    """Forward passes of a network's parameters by the steady state of its compiled reaction network.

    Parameters
    ----------
    network : FeedForwardNetwork
        Fixes the shape and the activation (h and q of Table 1); the weights
        of later calls may differ.
    nodes : float, default 1.0
        Starting concentration of every hidden and output node. The steady
        state does not depend on it (Thm. 4.8, Prop. 4.9); 1.0 is the start of Fig. 10.

    Attributes
    ----------
    problem : BoundProblem
        The bound reaction network, with the parameters of the last call.
    seconds, calls : float, int
        Wall time spent in re-binding and the batched steady states, and their number.
    setup_seconds : float
        CPU time of compiling and binding (once, in the constructor).

    Notes
    -----
    The reaction network is compiled once, with its enzymatic species
    (Table 1), and bound once (:func:`rxnn.bind`) with H, W+-, B+- and the
    node starts fixed and the inputs varying, so its structure and the fold
    of the cascade serve every iteration; each call re-binds the current
    parameters (``with_fixed`` with one array in the order of
    ``problem.fixed_species``) and runs one batched steady state of the
    bound problem: one folded product per layer (``problem.fast_path``).

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=0)
    >>> forward = ChemicalForward(net)
    >>> d = np.array([[0.1, 0.5, 0.9]])
    >>> bool(np.allclose(forward.activations(net, d)[-1], net(d), rtol=1e-10))
    True
    """

    def __init__(self, network: FeedForwardNetwork, *, nodes: float = 1.0) -> None:
        if not isinstance(network, FeedForwardNetwork):
            raise InvalidTypeError(f"network of ChemicalForward must be a FeedForwardNetwork; got {type(network).__name__}")
        setup = time.process_time()
        self.compiled: CompiledNetwork = compile_network(network)
        self.layer_sizes = network.layer_sizes
        self.activation = network.activation
        self.nodes = float(nodes)
        sizes = network.layer_sizes
        self._inputs = list(self.compiled.layer_species(0))
        self._nodes = list(self.compiled.hidden_and_output_species)
        self._edges = []
        for layer in range(1, len(sizes)):
            suffix = [f"{layer}_{i}_{j}" for i in range(1, sizes[layer] + 1) for j in range(1, sizes[layer - 1] + 1)]
            node = [f"{layer}_{i}" for i in range(1, sizes[layer] + 1)]
            self._edges.append((["Wp" + s for s in suffix], ["Wm" + s for s in suffix], ["Bp" + s for s in node],
                                ["Bm" + s for s in node]))
        fixed_names = ["H"] + [s for edges in self._edges for names in edges for s in names] + self._nodes
        self.problem: BoundProblem = bind(self.compiled.network, dict(zip(fixed_names, self._fixed_values(network))),
                                          varying=self._inputs)
        position = {s: k for k, s in enumerate(self.compiled.network.dynamic_species)}
        self._columns = [np.array([position[s] for s in self.compiled.layer_species(layer)])
                         for layer in range(1, len(sizes))]
        self.seconds = 0.0
        self.calls = 0
        self.setup_seconds = time.process_time() - setup  # CPU time of compiling and binding, once

    def _check(self, network: FeedForwardNetwork) -> None:
        if network.layer_sizes != self.layer_sizes or network.activation != self.activation:
            raise must_be("network", "ChemicalForward", f"a {self.layer_sizes} network with activation {self.activation}",
                          f"{network.layer_sizes} with {network.activation}")

    def _fixed_values(self, network: FeedForwardNetwork) -> np.ndarray:
        """H, then W+, W-, B+, B- of each layer, then the node starts: the order of ``problem.fixed_species``."""
        parts = [np.array([self.compiled.h])]
        for W, b in zip(network.weights, network.biases):
            parts += [np.maximum(W, 0.0).ravel(), np.maximum(-W, 0.0).ravel(), np.maximum(b, 0.0), np.maximum(-b, 0.0)]
        parts.append(np.full(len(self._nodes), self.nodes))
        return np.concatenate(parts)

    def initial(self, network: FeedForwardNetwork, d: np.ndarray) -> dict[str, Any]:
        """The ``initial`` mapping for inputs d (batch, c_0) and the current parameters of ``network``."""
        self._check(network)
        state: dict[str, Any] = {"H": self.compiled.h}
        for (wp, wm, bp, bm), W, b in zip(self._edges, network.weights, network.biases):
            state.update(zip(wp, np.maximum(W, 0.0).ravel().tolist()))
            state.update(zip(wm, np.maximum(-W, 0.0).ravel().tolist()))
            state.update(zip(bp, np.maximum(b, 0.0).tolist()))
            state.update(zip(bm, np.maximum(-b, 0.0).tolist()))
        state.update(zip(self._inputs, d.T))
        state.update(dict.fromkeys(self._nodes, self.nodes))
        return state

    def activations(self, network: FeedForwardNetwork, d: Any) -> list[np.ndarray]:
        """[a^0, a^1, ..., a^m] for the batch d, a^l (l >= 1) from the steady state of the compiled network.

        Raises
        ------
        rxnn.SteadyStateError
            If some member of the batch does not converge (never silently).
        """
        d = np.atleast_2d(np.asarray(d, dtype=np.float64))
        self._check(network)
        clock = time.perf_counter()
        self.problem = self.problem.with_fixed(self._fixed_values(network))
        result = self.problem.steady_state(d)
        values = [result.dynamic[:, cols] for cols in self._columns]
        self.seconds += time.perf_counter() - clock
        self.calls += 1
        return [d, *values]

    def __call__(self, network: FeedForwardNetwork, d: Any) -> np.ndarray:
        """The outputs a^m of the batch d."""
        return self.activations(network, d)[-1]


def train_with_chemistry(
    config: TrainingConfig,
    data: Dataset,
    *,
    nodes: float = 1.0,
    callback: Callable[[int, float, int], None] | None = None,
    blas_threads: int = DEFAULT_BLAS_THREADS,
) -> tuple[TrainingResult, ChemicalForward]:
    """Train as :func:`rxnn.experiments.training.train` does, with every forward pass from the chemistry.

    Parameters
    ----------
    config : TrainingConfig
    data : Dataset
        Training images and labels.
    nodes : float, default 1.0
        Starting concentration of the nodes in every steady-state computation.
    callback : callable, optional
        ``callback(iteration, cost, correct)`` after every iteration.
    blas_threads : int, default 1
        BLAS threads of the loop, as in :func:`~rxnn.experiments.training.train`.

    Returns
    -------
    (TrainingResult, ChemicalForward)
        The run (same fields as closed-form training; ``seconds`` is the
        whole loop) and the forward object, whose ``seconds`` and ``calls``
        say how much of it was spent in steady states.

    Notes
    -----
    The initial network and the batches come from the same streams as
    :func:`~rxnn.experiments.training.train` with the same seed, so the two
    runs see the same data in the same order. Cost per iteration: one
    batched steady state of the compiled network (about a closed-form
    forward pass, plus the O(n_reactions) work of binding the new weights),
    then the backward pass of eq. (10).

    Examples
    --------
    The same seed trained with the closed form gives the same costs (the
    steady states agree with eqs. (6)-(7) to about 1e-12):

    >>> from rxnn.experiments.training import ArrayDataset
    >>> ds = ArrayDataset(np.eye(2)[[0, 1] * 10] + 0.1, [0, 1] * 10)
    >>> cfg = TrainingConfig(layer_sizes=(2, 3, 2), batch_size=10, iterations=5)
    >>> result, forward = train_with_chemistry(cfg, ds)
    >>> bool(np.allclose(result.cost, train(cfg, ds).cost, rtol=1e-9)), forward.calls > 0
    (True, True)
    """
    if not isinstance(config, TrainingConfig):
        raise InvalidTypeError(f"config of train_with_chemistry must be a TrainingConfig; got {type(config).__name__}")
    n_threads = check_blas_threads(blas_threads, "train_with_chemistry")
    with _blas_threads(n_threads):
        return _train_with_chemistry(config, data, nodes=nodes, callback=callback)


def _train_with_chemistry(
    config: TrainingConfig, data: Dataset, *, nodes: float, callback: Callable[[int, float, int], None] | None
) -> tuple[TrainingResult, ChemicalForward]:
    n = len(data)
    if n < config.batch_size:
        raise must_be("data", "train_with_chemistry", f"at least batch_size = {config.batch_size} examples", f"{n} examples")
    init_rng, batch_rng, _ = random_streams(config.seed)
    network = FeedForwardNetwork.random(config.layer_sizes, config.activation(), seed=init_rng)
    forward = ChemicalForward(network, nodes=nodes)
    labels = np.asarray(data.labels)
    cost_fn, n_classes = QuadraticCost(), config.layer_sizes[-1]
    costs: list[float] = []
    correct: list[int] = []
    clock = time.perf_counter()
    for done in range(1, config.iterations + 1):
        index = draw_batch(batch_rng, n, config.batch_size)
        inputs = data.inputs(index)
        tau = targets(labels[index], n_classes, high=config.target_high, low=config.target_low)
        step = sgd_step(network, inputs, tau, eta=config.eta, cost=cost_fn, activations=forward.activations(network, inputs))
        hits = int(np.sum(np.argmax(step.outputs, axis=1) == labels[index]))
        network = step.network
        costs.append(step.cost)
        correct.append(hits)
        if callback is not None:
            callback(done, step.cost, hits)
    result = TrainingResult(config=config, network=network, cost=np.asarray(costs), correct=np.asarray(correct, dtype=np.int64),
                            seconds=time.perf_counter() - clock)
    return result, forward


def evaluate_chemistry(forward: ChemicalForward, network: FeedForwardNetwork, data: Dataset, *, n: int | None = None,
                       chunk: int = 2000) -> float:
    """Test accuracy with the outputs read off the reaction network's steady states (batched by ``chunk``).

    Examples
    --------
    >>> from rxnn.experiments.training import ArrayDataset
    >>> from rxnn.nn import ReLU
    >>> net = FeedForwardNetwork([[[1.0, 0.0], [0.0, 1.0]]], [[0.0, 0.0]], ReLU())
    >>> data = ArrayDataset([[2.0, 1.0], [0.0, 3.0]], [0, 0])
    >>> evaluate_chemistry(ChemicalForward(net), net, data), evaluate(net, data)
    (0.5, 0.5)
    """
    total = len(data) if n is None else min(check_int(n, "n", "evaluate_chemistry", minimum=1), len(data))
    hits = 0
    for start in range(0, total, chunk):
        index = np.arange(start, min(start + chunk, total))
        hits += int(np.sum(np.argmax(forward(network, data.inputs(index)), axis=1) == np.asarray(data.labels)[index]))
    return hits / total if total else float("nan")


@dataclass
class ForwardComparison:
    """Closed-form and chemistry-in-the-loop training of one configuration from one seed.

    Attributes
    ----------
    closed, crn : TrainingResult
        The two runs (same initial network, same batches).
    test_accuracy : dict
        ``closed`` (closed-form network, closed-form outputs), ``crn`` (the
        chemistry-trained network, outputs from its reaction network's
        steady states) and ``crn_closed_form`` (the chemistry-trained
        network, closed-form outputs).
    seconds : dict
        Training wall time of each run, and of the steady states within ``crn``.
    max_parameter_difference : float
        max |theta_crn - theta_closed| over all weights and biases after training.
    n_test : int

    Examples
    --------
    >>> from rxnn.experiments.training import ArrayDataset
    >>> ds = ArrayDataset(np.eye(2)[[0, 1] * 10] + 0.1, [0, 1] * 10)
    >>> cmp = compare_forwards(TrainingConfig(layer_sizes=(2, 3, 2), batch_size=10, iterations=5), ds, ds)
    >>> sorted(cmp.test_accuracy), cmp.n_test, cmp.markdown().splitlines()[0]
    (['closed', 'crn', 'crn_closed_form'], 20, '| forward pass of training | test accuracy | training wall time |')
    """

    closed: TrainingResult
    crn: TrainingResult
    test_accuracy: dict[str, float]
    seconds: dict[str, float]
    max_parameter_difference: float
    n_test: int
    steady_state_calls: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (histories as lists)."""
        return {
            "config": self.closed.config.to_dict(),
            "test_accuracy": dict(self.test_accuracy),
            "n_test": self.n_test,
            "seconds": dict(self.seconds),
            "steady_state_calls": self.steady_state_calls,
            "max_parameter_difference": self.max_parameter_difference,
            "batch_accuracy_last50": {"closed": self.closed.batch_accuracy_last(50), "crn": self.crn.batch_accuracy_last(50)},
            "final_cost": {"closed": float(self.closed.cost[-1]) if self.closed.cost.size else float("nan"),
                           "crn": float(self.crn.cost[-1]) if self.crn.cost.size else float("nan")},
            "max_cost_difference": float(np.max(np.abs(self.closed.cost - self.crn.cost))) if self.crn.cost.size else 0.0,
        }

    def markdown(self) -> str:
        """A table for the report."""
        s, a = self.seconds, self.test_accuracy
        rows = [
            "| forward pass of training | test accuracy | training wall time |",
            "|:---|---:|---:|",
            f"| closed form (eqs. (6)-(7)) | {100 * a['closed']:.2f}% | {s['closed']:.1f} s |",
            f"| reaction network steady states (`--forward crn`) | {100 * a['crn']:.2f}% "
            f"(closed-form outputs: {100 * a['crn_closed_form']:.2f}%) | {s['crn']:.1f} s "
            f"({s['crn_steady_states']:.1f} s in {self.steady_state_calls} batched steady states) |",
            "",
            f"Same seed ({self.closed.config.seed}), same initial network and batches; {self.n_test} test images. "
            f"Largest parameter difference after {self.closed.config.iterations} iterations: "
            f"{self.max_parameter_difference:.1e}.",
        ]
        return "\n".join(rows)


def compare_forwards(config: TrainingConfig, train_data: Dataset, test_data: Dataset, *, n_test: int | None = None,
                     nodes: float = 1.0, blas_threads: int = DEFAULT_BLAS_THREADS) -> ForwardComparison:
    """Train ``config`` with the closed-form and with the chemical forward pass; compare.

    Both runs and the evaluations use ``blas_threads`` BLAS threads.

    Examples
    --------
    >>> from rxnn.experiments.training import ArrayDataset
    >>> rng = np.random.default_rng(0)
    >>> labels = rng.integers(0, 2, 60)
    >>> ds = ArrayDataset(np.eye(2)[labels] + 0.1 * rng.random((60, 2)), labels)
    >>> cmp = compare_forwards(TrainingConfig(layer_sizes=(2, 3, 2), batch_size=10, iterations=20), ds, ds)
    >>> cmp.max_parameter_difference < 1e-9
    True
    """
    n_threads = check_blas_threads(blas_threads, "compare_forwards")
    with _blas_threads(n_threads):
        return _compare(config, train_data, test_data, n_test=n_test, nodes=nodes, n_threads=n_threads)


def _compare(config: TrainingConfig, train_data: Dataset, test_data: Dataset, *, n_test: int | None, nodes: float,
             n_threads: int) -> ForwardComparison:
    closed = train(config, train_data, blas_threads=n_threads)
    crn, forward = train_with_chemistry(config, train_data, nodes=nodes, blas_threads=n_threads)
    steady, calls = forward.seconds, forward.calls
    total = len(test_data) if n_test is None else min(n_test, len(test_data))
    accuracy = {
        "closed": evaluate(closed.network, test_data, n=total),
        "crn": evaluate_chemistry(forward, crn.network, test_data, n=total),
        "crn_closed_form": evaluate(crn.network, test_data, n=total),
    }
    diff = max(
        max(float(np.max(np.abs(a - b))) for a, b in zip(closed.network.weights, crn.network.weights)),
        max(float(np.max(np.abs(a - b))) for a, b in zip(closed.network.biases, crn.network.biases)),
    )
    return ForwardComparison(
        closed=closed, crn=crn, test_accuracy=accuracy,
        seconds={"closed": closed.seconds, "crn": crn.seconds, "crn_steady_states": steady},
        max_parameter_difference=diff, n_test=total, steady_state_calls=calls,
    )
