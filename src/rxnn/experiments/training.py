"""The training experiment of §6: stochastic gradient descent on MNIST, with checkpoints.

The defaults of :class:`TrainingConfig` are the paper's: a 784-40-10 network
with the smoothed ReLU of eq. (4) at h = 1, the scaled Gaussian initialisation
of §6, the quadratic cost (9) averaged over the batch, eta = 0.1, 1000
iterations on batches of 300 training images, targets 10 at the true digit and
1 elsewhere. h = 0 (the ReLU, Fig. 9) and q = 3 (§6.1, Fig. 14) are variants.

Randomness. ``numpy.random.SeedSequence(seed).spawn(3)`` gives three
independent streams (:func:`random_streams`): the initialisation, the batches
and the chemistry's random initial conditions (10*rand and 1000*rand of §6). The
paper's Matlab draws ``randperm(60000, 300)`` every iteration, i.e. a fresh
batch of 300 distinct images, independent of earlier batches; :func:`draw_batch`
does the same with ``Generator.choice(n, 300, replace=False)``. Matlab's random
stream cannot be reproduced in numpy, so runs match the paper in distribution,
not digit for digit.

Checkpoints (:mod:`rxnn.experiments._checkpoint`). A checkpoint is an ``.npz``
archive holding the current parameters, the history, the requested snapshots
and a JSON header with the configuration, the iteration, the batch generator's
``bit_generator.state`` and the BLAS thread count (no pickle anywhere).
Resuming restores all of it, so an interrupted run ends bit for bit where an
uninterrupted one does.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from rxnn._validation import check_int, must_be
from rxnn.errors import InvalidTypeError
from rxnn.experiments._checkpoint import CheckpointError, _read_state, _State
from rxnn.experiments._workers import DEFAULT_BLAS_THREADS, check_blas_threads
from rxnn.experiments._workers import blas_threads as _blas_threads
from rxnn.experiments.config import PAPER_CONFIGURATIONS, TrainingConfig
from rxnn.nn import FeedForwardNetwork, QuadraticCost, sgd_step

__all__ = [
    "TrainingConfig",
    "PAPER_CONFIGURATIONS",
    "Dataset",
    "ArrayDataset",
    "TrainingResult",
    "CheckpointError",
    "random_streams",
    "draw_batch",
    "targets",
    "train",
    "evaluate",
    "dead_units",
    "read_checkpoint",
]

class Dataset(Protocol):
    """What training reads: ``len``, integer ``labels`` and ``inputs(indices)`` of shape (k, c_0).

    :class:`rxnn.datasets.mnist.MnistSplit` and :class:`ArrayDataset` qualify.

    Examples
    --------
    >>> data: Dataset = ArrayDataset([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]], [1, 0, 1])
    >>> len(data), data.labels.tolist(), data.inputs([2]).shape
    (3, [1, 0, 1], (1, 2))
    """

    @property
    def labels(self) -> np.ndarray: ...

    def inputs(self, indices: Any = None) -> np.ndarray: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True, eq=False)
class ArrayDataset:
    """A :class:`Dataset` over in-memory arrays (synthetic problems, subsets).

    Parameters
    ----------
    data : array_like of shape (n, c_0)
        Inputs, finite and >= 0 (they become concentrations when compiled).
    labels : array_like of int, shape (n,)
        Class indices 0 .. n_classes - 1.

    Examples
    --------
    >>> ds = ArrayDataset([[0.0, 1.0], [1.0, 0.0]], [1, 0])
    >>> len(ds), ds.inputs([1]).tolist()
    (2, [[1.0, 0.0]])
    """

    data: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        data = np.array(self.data, dtype=np.float64)
        labels = np.asarray(self.labels)
        if data.ndim != 2 or not np.all(np.isfinite(data)) or np.any(data < 0):
            raise must_be("data", "ArrayDataset", "a finite 2-D array (n, c_0) of values >= 0", f"shape {data.shape}")
        if labels.shape != (data.shape[0],) or labels.dtype.kind not in "iu" or np.any(labels < 0):
            raise must_be("labels", "ArrayDataset", f"{data.shape[0]} non-negative integers", labels)
        data.flags.writeable = False
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "labels", labels.astype(np.int64))

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def inputs(self, indices: Any = None) -> np.ndarray:
        """Rows ``indices`` (all by default), shape (k, c_0)."""
        return self.data if indices is None else self.data[np.asarray(indices)]


def random_streams(seed: int) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """The three independent generators of a run: (initialisation, batches, chemistry).

    Built from ``numpy.random.SeedSequence(seed).spawn(3)``. Using separate
    streams means that the batches do not depend on how many numbers the
    initialisation drew, and that a checkpoint needs the state of the batch
    stream only.

    Examples
    --------
    >>> init, batches, chemistry = random_streams(1234)
    >>> isinstance(batches, np.random.Generator)
    True
    """
    seed = check_int(seed, "seed", "random_streams", minimum=0)
    return tuple(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))  # type: ignore[return-value]


def draw_batch(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """``size`` distinct indices out of range(n), like Matlab's ``randperm(n, size)`` (§6).

    Each call is a fresh draw: images repeat across iterations but never
    within one batch.

    Examples
    --------
    >>> batch = draw_batch(np.random.default_rng(0), 10, 4)
    >>> batch.shape, len(set(batch.tolist())), bool(batch.max() < 10)
    ((4,), 4, True)
    """
    if size > n:
        raise must_be("size", "draw_batch", f"at most n = {n}", size)
    return rng.choice(n, size=size, replace=False)


def targets(labels: npt.ArrayLike, n_classes: int = 10, *, high: float = 10.0, low: float = 1.0) -> np.ndarray:
    """The truth tau(d) of §6: ``high`` at the true digit, ``low`` elsewhere.

    Parameters
    ----------
    labels : array_like of int, shape (k,)
    n_classes : int, default 10
    high, low : float, default 10.0 and 1.0

    Returns
    -------
    ndarray of shape (k, n_classes)

    Examples
    --------
    >>> targets([2], 4).tolist()
    [[1.0, 1.0, 10.0, 1.0]]
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu" or np.any(labels >= n_classes) or np.any(labels < 0):
        raise must_be("labels", "targets", f"a 1-D array of integers in [0, {n_classes})", labels)
    out = np.full((labels.shape[0], n_classes), float(low))
    out[np.arange(labels.shape[0]), labels] = float(high)
    return out


@dataclass(frozen=True, eq=False)
class TrainingResult:
    """The outcome of :func:`train`.

    Attributes
    ----------
    config : TrainingConfig
    network : FeedForwardNetwork
        The trained network.
    cost : ndarray of shape (iterations,)
        Batch-averaged cost (eq. (8)) at each iteration, before its update.
    correct : ndarray of int, shape (iterations,)
        Images of the batch whose largest output is the true digit, before the update.
    snapshots : dict of int to FeedForwardNetwork
        The network after each requested number of iterations (0 = initial).
    resumed_from : int
        The iteration the run was resumed from (0 for a fresh run).
    seconds : float
        Training time, summed over resumed pieces.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> labels = rng.integers(0, 2, 40)
    >>> ds = ArrayDataset(np.eye(2)[labels] + 0.1 * rng.random((40, 2)), labels)
    >>> result = train(TrainingConfig(layer_sizes=(2, 3, 2), batch_size=10, iterations=5), ds, snapshots=(0,))
    >>> result.cost.shape, sorted(result.snapshots), result.batch_accuracy.tolist() == (result.correct / 10).tolist()
    ((5,), [0], True)
    """

    config: TrainingConfig
    network: FeedForwardNetwork
    cost: np.ndarray
    correct: np.ndarray
    snapshots: dict[int, FeedForwardNetwork] = field(default_factory=dict)
    resumed_from: int = 0
    seconds: float = 0.0

    @property
    def batch_accuracy(self) -> np.ndarray:
        """``correct / batch_size`` per iteration."""
        return self.correct / self.config.batch_size

    def batch_accuracy_last(self, k: int = 50) -> float:
        """Mean batch accuracy over the last ``k`` iterations (all if fewer); NaN without iterations."""
        k = check_int(k, "k", "TrainingResult.batch_accuracy_last", minimum=1)
        tail = self.batch_accuracy[-k:]
        return float(tail.mean()) if tail.size else float("nan")


def evaluate(network: FeedForwardNetwork, data: Dataset, *, n: int | None = None, chunk: int = 2000) -> float:
    """Fraction of the first ``n`` examples (all by default) whose largest output is the label.

    Examples
    --------
    >>> from rxnn.nn import ReLU
    >>> net = FeedForwardNetwork([[[1.0, 0.0], [0.0, 1.0]]], [[0.0, 0.0]], ReLU())
    >>> evaluate(net, ArrayDataset([[2.0, 1.0], [0.0, 3.0]], [0, 0]))
    0.5
    """
    total = len(data) if n is None else min(check_int(n, "n", "evaluate", minimum=1), len(data))
    chunk = check_int(chunk, "chunk", "evaluate", minimum=1)
    hits = 0
    for start in range(0, total, chunk):
        index = np.arange(start, min(start + chunk, total))
        hits += int(np.sum(np.argmax(network(data.inputs(index)), axis=1) == np.asarray(data.labels)[index]))
    return hits / total if total else float("nan")


def dead_units(network: FeedForwardNetwork, data: Dataset, *, n: int | None = None, chunk: int = 2000) -> list[list[int]]:
    """Per non-input layer, the nodes (1-based) whose activation is exactly 0 on each of the first ``n`` examples.

    With the ReLU (h = 0) such a node gets no gradient and stays dead; with
    h > 0 every activation is positive and no node is ever dead.

    Examples
    --------
    >>> from rxnn.nn import ReLU
    >>> net = FeedForwardNetwork([[[1.0], [-1.0]]], [[0.0, 0.0]], ReLU())
    >>> dead_units(net, ArrayDataset([[1.0], [2.0]], [0, 0]))
    [[2]]
    """
    total = len(data) if n is None else min(check_int(n, "n", "dead_units", minimum=1), len(data))
    alive = [np.zeros(c, dtype=bool) for c in network.layer_sizes[1:]]
    for start in range(0, total, check_int(chunk, "chunk", "dead_units", minimum=1)):
        acts = network.activations(data.inputs(np.arange(start, min(start + chunk, total))))
        for layer, a in zip(alive, acts[1:]):
            layer |= np.any(a > 0, axis=0)
    return [[int(i) + 1 for i in np.flatnonzero(~layer)] for layer in alive]


def read_checkpoint(path: str | os.PathLike[str]) -> TrainingResult:
    """The run stored in a checkpoint, as a (possibly partial) :class:`TrainingResult`.

    Raises
    ------
    CheckpointError
        If the file is not a readable rxnn training checkpoint.

    Examples
    --------
    >>> import tempfile
    >>> ds = ArrayDataset(np.eye(2)[[0, 1] * 10], [0, 1] * 10)
    >>> cfg = TrainingConfig(layer_sizes=(2, 3, 2), batch_size=10, iterations=5)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     result = train(cfg, ds, checkpoint=f"{folder}/run.npz")
    ...     stored = read_checkpoint(f"{folder}/run.npz")
    >>> stored.resumed_from, bool(np.array_equal(stored.cost, result.cost))
    (5, True)
    """
    state = _read_state(Path(path))
    return TrainingResult(
        config=state.config, network=state.network, cost=np.asarray(state.cost), correct=np.asarray(state.correct),
        snapshots=dict(state.snapshots), resumed_from=state.iteration, seconds=state.seconds,
    )


def _fresh_state(config: TrainingConfig, snapshots: set[int], n_threads: int) -> _State:
    init_rng, batch_rng, _ = random_streams(config.seed)
    network = FeedForwardNetwork.random(config.layer_sizes, config.activation(), seed=init_rng)
    kept = {0: network} if 0 in snapshots else {}
    return _State(config, 0, network, batch_rng.bit_generator.state, [], [], kept, 0.0, n_threads)


def _start(config: TrainingConfig, checkpoint: Path | None, snapshots: set[int], n_threads: int) -> _State:
    if checkpoint is None or not os.path.lexists(checkpoint):
        return _fresh_state(config, snapshots, n_threads)
    state = _read_state(checkpoint)
    if state.blas_threads is None:
        warnings.warn(
            f"checkpoint {str(checkpoint)!r} does not record its BLAS thread count; resuming with {n_threads} "
            "thread(s), so the run may differ in the last bits from an uninterrupted one",
            RuntimeWarning, stacklevel=3,
        )
        state.blas_threads = n_threads
    elif state.blas_threads != n_threads:
        raise CheckpointError(
            f"checkpoint {str(checkpoint)!r} was written with {state.blas_threads} BLAS thread(s), not {n_threads}; "
            f"resume with blas_threads={state.blas_threads} (rxnn train --blas-threads {state.blas_threads}) "
            "so that the run continues with the same arithmetic, or delete it to start afresh"
        )
    if state.config != config:
        raise CheckpointError(
            f"checkpoint {str(checkpoint)!r} was written for {state.config}, not {config}; "
            "delete it or pass another checkpoint path"
        )
    missing = sorted(s for s in snapshots if s <= state.iteration and s not in state.snapshots)
    if missing:
        raise CheckpointError(
            f"checkpoint {str(checkpoint)!r} is at iteration {state.iteration} but lacks the requested "
            f"snapshots {missing}; delete it to start afresh"
        )
    return state


# --------------------------------------------------------------------------- the loop


def train(
    config: TrainingConfig,
    data: Dataset,
    *,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 100,
    snapshots: Iterable[int] = (),
    callback: Callable[[int, float, int], None] | None = None,
    blas_threads: int = DEFAULT_BLAS_THREADS,
) -> TrainingResult:
    """Train a network by the stochastic gradient descent of §6.

    Parameters
    ----------
    config : TrainingConfig
    data : Dataset
        The training images (MNIST's 60,000) and labels; ``c_0`` inputs each.
    checkpoint : str or path-like, optional
        Checkpoint file. If it exists the run resumes from it (it must hold
        the same ``config``); it is (re)written every ``checkpoint_every``
        iterations, at the end, and on ``KeyboardInterrupt``.
    checkpoint_every : int, default 100
    snapshots : iterable of int
        Iteration counts after which to keep a copy of the network (0 = the
        initial network), e.g. (0, 10, 100, 1000) for Fig. 10.
    callback : callable, optional
        ``callback(iteration, cost, correct)`` after every iteration (1-based),
        e.g. to drive a progress bar. An exception it raises stops the run
        (the last periodic checkpoint stays on disk).
    blas_threads : int, default 1
        BLAS threads of the loop (``threadpoolctl``), so that a seed gives the
        same numbers whatever the environment's thread settings. Recorded in
        the checkpoint; resuming with another count is refused
        (:class:`CheckpointError`), since the sums would be taken in another order.

    Returns
    -------
    TrainingResult

    Raises
    ------
    CheckpointError
        If ``checkpoint`` cannot be read, is corrupt, holds arrays or an iteration that do
        not fit its configuration, or was written for another configuration or thread count.
    rxnn.errors.InvalidArgumentError
        If the data do not fit the configuration.

    Notes
    -----
    Each iteration draws a batch (:func:`draw_batch`), builds the targets
    (:func:`targets`) and takes one :func:`rxnn.nn.sgd_step` with the quadratic
    cost; the cost and the number correct are those of the batch before the
    update. Cost per iteration: O(batch_size * sum_l c_l c_(l-1)), plus a
    polynomial root per node for q >= 3.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> labels = rng.integers(0, 2, 40)
    >>> ds = ArrayDataset(np.eye(2)[labels] + 0.1 * rng.random((40, 2)), labels)
    >>> cfg = TrainingConfig(layer_sizes=(2, 3, 2), batch_size=10, iterations=50, eta=0.05)
    >>> result = train(cfg, ds)
    >>> bool(result.cost[-1] < result.cost[0])
    True
    """
    owner = "train"
    if not isinstance(config, TrainingConfig):
        raise InvalidTypeError(f"config of {owner} must be a TrainingConfig; got {type(config).__name__}")
    n_threads = check_blas_threads(blas_threads, owner)
    checkpoint_every = check_int(checkpoint_every, "checkpoint_every", owner, minimum=1)
    wanted = {check_int(s, "snapshots", owner, minimum=0) for s in snapshots}
    n = len(data)
    if n < config.batch_size:
        raise must_be("data", owner, f"at least batch_size = {config.batch_size} examples", f"{n} examples")
    path = None if checkpoint is None else Path(checkpoint)
    with _blas_threads(n_threads):
        state = _start(config, path, wanted, n_threads)
        return _loop(config, data, state, path, checkpoint_every, wanted, callback)


def _loop(
    config: TrainingConfig, data: Dataset, state: _State, path: Path | None, checkpoint_every: int, wanted: set[int],
    callback: Callable[[int, float, int], None] | None,
) -> TrainingResult:
    """The SGD loop of :func:`train` from ``state``, checkpointing to ``path``."""
    owner, n, c0 = "train", len(data), config.layer_sizes[0]
    resumed_from = state.iteration
    rng = np.random.default_rng()
    rng.bit_generator.state = state.rng_state
    labels = np.asarray(data.labels)
    cost_fn, eta, n_classes = QuadraticCost(), config.eta, config.layer_sizes[-1]
    clock = time.perf_counter()
    base_seconds = state.seconds
    try:
        for done in range(state.iteration + 1, config.iterations + 1):
            index = draw_batch(rng, n, config.batch_size)
            inputs = data.inputs(index)
            if inputs.shape != (config.batch_size, c0):
                raise must_be("data", owner, f"inputs of shape (k, {c0})", f"shape {inputs.shape}")
            tau = targets(labels[index], n_classes, high=config.target_high, low=config.target_low)
            step = sgd_step(state.network, inputs, tau, eta=eta, cost=cost_fn)
            correct = int(np.sum(np.argmax(step.outputs, axis=1) == labels[index]))
            # commit the iteration: everything below is a consistent boundary
            state.network, state.iteration = step.network, done
            state.cost.append(step.cost)
            state.correct.append(correct)
            state.rng_state = rng.bit_generator.state
            state.seconds = base_seconds + time.perf_counter() - clock
            if done in wanted:
                state.snapshots[done] = step.network
            if path is not None and (done % checkpoint_every == 0 or done == config.iterations):
                state.write(path)
            if callback is not None:
                callback(done, step.cost, correct)
    except KeyboardInterrupt:
        if path is not None:
            state.write(path)
        raise
    return TrainingResult(
        config=config,
        network=state.network,
        cost=np.asarray(state.cost, dtype=np.float64),
        correct=np.asarray(state.correct, dtype=np.int64),
        snapshots=dict(sorted(state.snapshots.items())),
        resumed_from=resumed_from,
        seconds=state.seconds,
    )
