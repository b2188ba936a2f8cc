"""Table 1 against the rate-independent construction on the same networks (``rxnn compare-constructions``).

For each task (XOR, IRIS, 8 x 8 digits, MNIST 784-40-10 when its files are
present) one ReLU network with weights in {-1, 0, 1} is trained
(:func:`rxnn.experiments.ternary.train_ternary_relu`) and compiled twice:

* ``rate_independent`` (Vasić et al., ICML 2020 / PNAS 2022): exact for these
  integer weights; read at the end of a run from the clean start;
* ``table1`` (§5.2) of the same weights and biases with SmoothReLU(h), h =
  :data:`H_TABLE1` (the h -> 0 approach to ReLU; h = 0 itself loses Prop. 4.9),
  read at the steady state from the all-ones start.

Measured per construction, every number from the run: reactions, species, the
largest molecularity of a reactant complex, test accuracy by the ODE and by SSA
at a stated volume, the median time until every output stays within 1% of its
final value (of the largest output), the output error and accuracy under
lognormal perturbations of every rate constant (k -> k exp(sigma N(0, 1))), and
under perturbed initial concentrations (every species that is neither an input
nor a parameter starts uniform on [0, eps] instead of its designated value:
Table 1's nodes, the rate-independent network's intermediates).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._files import atomic_output
from rxnn._validation import check_int, check_positive_finite, must_be
from rxnn.compile import compile_network
from rxnn.crn.network import ReactionNetwork
from rxnn.crn.simulate import simulate, steady_state
from rxnn.crn.stochastic import simulate_stochastic
from rxnn.errors import InvalidArgumentError
from rxnn.experiments.ternary import train_ternary_relu
from rxnn.nn import FeedForwardNetwork, SmoothReLU

__all__ = ["TASKS", "H_TABLE1", "ConstructionTask", "ConstructionComparison", "compare_constructions", "batch_simulate"]

#: h of the Table 1 compilation of the ReLU networks (SmoothReLU(h) differs from ReLU by at most sqrt(h) per node).
H_TABLE1 = 1e-3
SIGMAS = (0.01, 0.1, 0.3, 1.0)
#: End of Table 1's SSA runs, averaged over [T1_SSA_END / 2, T1_SSA_END] (its ODE is within 1% by t ~ 30 here).
T1_SSA_END = 200.0
EPSILONS = (0.01, 0.1, 1.0)
#: Batch members x species per rate-independent ODE call (:func:`batch_simulate`): larger batches are split
#: (digits, 100 inputs: 93 s of CPU in one call, 10.5 s in chunks of 21; benchmarks/bench_constructions.py).
CHUNK_STATES = 5000
#: The same for Table 1, whose batched integration does not slow down so: only the trajectory limit
#: (1e8 values) bounds it, 5e5 states x 121 times.
T1_CHUNK_STATES = 500_000


@dataclass(frozen=True)
class ConstructionTask:
    """A task: data loader, architecture, training; ``full_only`` tasks skip ``quick``.

    ``n_perturb`` is the number of test inputs (the first of the sample) that
    the perturbation sweeps are measured on (None: all ``n_ode``), and
    ``t1_ssa_end`` the end of Table 1's SSA runs (averaged over its second half).

    Examples
    --------
    >>> TASKS["iris"].layer_sizes, TASKS["mnist"].full_only, TASKS["mnist"].n_perturb
    ((4, 8, 3), True, 10)
    """

    key: str
    title: str
    load: Callable[[], Any]
    layer_sizes: tuple[int, ...]
    iterations: int
    full_only: bool = False
    restarts: int = 3
    n_perturb: int | None = None
    t1_ssa_end: float = T1_SSA_END


def _load(name: str) -> Callable[[], Any]:
    def load() -> Any:
        import rxnn.datasets as ds
        return getattr(ds, f"load_{name}")()
    return load


TASKS: dict[str, ConstructionTask] = {t.key: t for t in (
    ConstructionTask("xor", "XOR", _load("xor"), (2, 4, 2), 2000),
    ConstructionTask("iris", "IRIS", _load("iris"), (4, 8, 3), 3000),
    ConstructionTask("digits", "8x8 digits", _load("digits"), (64, 20, 10), 2000, full_only=True),
    ConstructionTask("mnist", "MNIST", _load("mnist"), (784, 40, 10), 3000, full_only=True, restarts=1,
                     n_perturb=10, t1_ssa_end=20.0),
)}


def molecularity(network: ReactionNetwork) -> int:
    """The largest number of molecules in a reactant complex (2 for bimolecular).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> molecularity(ReactionNetwork.from_text("A + B -> C\\n2C -> C"))
    2
    """
    R = network.reactant_matrix()
    return int(np.max(np.asarray(R.sum(axis=0)))) if network.n_reactions else 0


def _time_to_1pct(times: np.ndarray, traj: np.ndarray, answer: np.ndarray) -> float:
    """Median over inputs of the first time after which every output stays within 1% of the largest answer."""
    scale = np.maximum(np.max(np.abs(answer), axis=1), 1e-12)  # (batch,)
    inside = np.all(np.abs(traj - answer[:, None, :]) <= 0.01 * scale[:, None, None], axis=2)  # (batch, time)
    out = []
    for row in inside:
        bad = np.flatnonzero(~row)
        out.append(np.inf if bad.size and bad[-1] == row.size - 1 else (times[bad[-1] + 1] if bad.size else times[0]))
    return float(np.median(out))


def _perturbed(network: ReactionNetwork, rng: np.random.Generator, sigma: float) -> ReactionNetwork:
    k = network.rate_array() * np.exp(sigma * rng.standard_normal(network.n_reactions))
    return ReactionNetwork.from_matrices(network.species, network.reactant_matrix(), network.product_matrix(), k)


def batch_simulate(network: ReactionNetwork, state: dict[str, Any], t_end: float, t_eval: Any,
                   names: Sequence[str], *, chunk: int, **options: Any) -> np.ndarray:
    """Species ``names`` at ``t_eval`` for a batch, integrated in chunks of ``chunk`` members.

    One batched integration shares one step sequence and one sparse LU across
    the batch; its cost grows faster than the batch (digits 64-20-10, 100
    inputs: 93 s of CPU in one call, 10.5 s in chunks of 21,
    ``benchmarks/bench_constructions.py``), and the members are independent,
    so splitting changes nothing but the integrator's steps.

    Returns
    -------
    ndarray of shape (batch, len(t_eval), len(names))

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("X -> 0")
    >>> out = batch_simulate(net, {"X": np.array([1.0, 2.0, 4.0])}, 1.0, [0.0, 1.0], ["X"], chunk=2)
    >>> out.shape, np.round(out[:, -1, 0], 6).tolist()  # exp(-1) x the start
    ((3, 2, 1), [0.367879, 0.735759, 1.471518])
    """
    batch = max(np.size(v) for v in state.values())
    parts = []
    for lo in range(0, batch, chunk):
        part = {k: (np.asarray(v)[lo:lo + chunk] if np.ndim(v) else v) for k, v in state.items()}
        res = simulate(network, part, (0.0, t_end), t_eval=t_eval, **options)
        parts.append(np.stack([np.atleast_2d(np.asarray(res[n])) for n in names], axis=-1))
    return np.concatenate(parts, axis=0)


@dataclass
class _Setting:
    n_ode: int
    n_ssa: int
    n_perturb: int
    volume: float
    t_end: float
    sigmas: tuple[float, ...]
    epsilons: tuple[float, ...]
    seed: int
    chunk_states: int = CHUNK_STATES
    ri_method: str = "auto"


class _Steps:
    """Seconds per measurement step, shown on a progress bar when asked."""

    def __init__(self, title: str, total: int, progress: bool) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()
        self._bar: Any = None
        if progress:
            try:
                from tqdm.auto import tqdm
                self._bar = tqdm(total=total, desc=title, unit="step", leave=False)
            except ImportError:
                pass

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 2)
        self._last = now
        if self._bar is not None:
            self._bar.set_postfix_str(name)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _grid(t_end: float) -> np.ndarray:
    return np.concatenate([[0.0], np.geomspace(1e-3, t_end, 120)])


def _measure_ri(net: FeedForwardNetwork, x: np.ndarray, y: np.ndarray, s: _Setting, steps: _Steps) -> dict[str, Any]:
    ri = compile_network(net, construction="rate_independent")
    rng = np.random.default_rng(s.seed)
    last = len(net.layer_sizes) - 1
    outputs, scale = ri.layer_species(last), ri.scale(last)
    chunk = max(1, s.chunk_states // ri.network.n_species)
    ode = {"method": s.ri_method, "rtol": 1e-8, "atol": 1e-12, "chunk": chunk}
    answer = ri.expected(x)[-1]
    grid = _grid(s.t_end)
    traj_out = batch_simulate(ri.network, ri.initial_state(x), s.t_end, grid, outputs, **ode) / scale
    out = traj_out[:, -1, :]  # the same run gives the trajectory and the final amounts
    steps.done("rate-independent ODE")
    k = min(s.n_ssa, x.shape[0])
    ssa = simulate_stochastic(ri.network, ri.initial_state(x[:k]), (0.0, s.t_end), [s.t_end], volume=s.volume,
                              seed=s.seed, observe=list(outputs))
    ssa_out = np.stack([np.atleast_2d(ssa[n])[:, -1] for n in outputs], axis=-1) / scale
    steps.done("rate-independent SSA")
    n_p = min(s.n_perturb, x.shape[0])
    xp, ref, yp = x[:n_p], out[:n_p], y[:n_p]
    rate, start = {}, {}
    for sigma in s.sigmas:
        pert = _perturbed(ri.network, rng, sigma)
        t_pert = s.t_end / float(np.min(pert.rate_array()))
        o = batch_simulate(pert, ri.initial_state(xp), t_pert, [0.0, t_pert], outputs, **ode)[:, -1, :] / scale
        rate[sigma] = _errors(o, ref, yp)
    steps.done("rate-independent rate perturbations")
    clean = set(ri.layer_species(0)) | {n for n, v in ri.initial_state(x[:1]).items() if np.any(v)}
    for eps in s.epsilons:
        state = ri.initial_state(xp)
        for name in ri.network.species:
            if name not in clean:
                state[name] = state[name] + rng.uniform(0.0, eps, n_p)
        o = batch_simulate(ri.network, state, s.t_end, [0.0, s.t_end], outputs, **ode)[:, -1, :] / scale
        start[eps] = _errors(o, ref, yp)
    steps.done("rate-independent start perturbations")
    return {
        "reactions": ri.network.n_reactions, "species": ri.network.n_species,
        "molecularity": molecularity(ri.network), "accuracy_ode": _accuracy(out, y),
        "max_ode_minus_network": float(np.max(np.abs(out - answer))),
        "time_to_1pct": _time_to_1pct(grid, traj_out, out), "accuracy_ssa": _accuracy(ssa_out, y[:k]),
        "ssa_agrees_with_ode": float(np.mean(np.argmax(ssa_out, 1) == np.argmax(out[:k], 1))),
        "rate_perturbation": {str(k_): v for k_, v in rate.items()},
        "start_perturbation": {str(k_): v for k_, v in start.items()},
    }


def _measure_table1(t1net: FeedForwardNetwork, relu: FeedForwardNetwork | None, x: np.ndarray, y: np.ndarray,
                    s: _Setting, t_ssa: float, steps: _Steps) -> dict[str, Any]:
    t1 = compile_network(t1net)
    rng = np.random.default_rng(s.seed)
    state = t1.initial_state(x)
    out = t1.layer_values(steady_state(t1.network, state))[-1]
    outputs = t1.layer_species(len(t1net.layer_sizes) - 1)
    ode = {"rtol": 1e-8, "atol": 1e-10, "chunk": max(1, T1_CHUNK_STATES // t1.network.n_species)}
    grid = _grid(s.t_end)
    traj_out = batch_simulate(t1.network, state, s.t_end, grid, outputs, **ode)
    steps.done("Table 1 steady state and ODE")
    k = min(s.n_ssa, x.shape[0])
    t_ssa = min(s.t_end, t_ssa)  # a stationary chain: its cost grows with time, its average does not need more
    ssa = simulate_stochastic(t1.network, t1.initial_state(x[:k]), (0.0, t_ssa), [t_ssa], volume=s.volume,
                              window=(t_ssa / 2, t_ssa), seed=s.seed, observe=list(outputs))
    ssa_out = np.stack([np.atleast_1d(ssa.time_average(n)) for n in outputs], axis=-1)
    steps.done("Table 1 SSA")
    n_p = min(s.n_perturb, x.shape[0])
    xp, ref, yp, sp_ = x[:n_p], out[:n_p], y[:n_p], t1.initial_state(x[:n_p])
    rate, start = {}, {}
    for sigma in s.sigmas:
        o = t1.layer_values(steady_state(_perturbed(t1.network, rng, sigma), sp_))[-1]
        rate[sigma] = _errors(o, ref, yp)
    steps.done("Table 1 rate perturbations")
    for eps in s.epsilons:
        nodes = rng.uniform(0.0, eps, (n_p, len(t1.hidden_and_output_species)))
        o = batch_simulate(t1.network, t1.initial_state(xp, nodes), s.t_end, [0.0, s.t_end], outputs, **ode)[:, -1, :]
        start[eps] = _errors(o, ref, yp)
    steps.done("Table 1 start perturbations")
    m = {
        "network": repr(t1net.activation), "reactions": t1.network.n_reactions, "species": t1.network.n_species,
        "molecularity": molecularity(t1.network), "accuracy_network": _accuracy(t1net(x), y),
        "accuracy_ode": _accuracy(out, y), "max_ode_minus_network": float(np.max(np.abs(out - t1net(x)))),
        "time_to_1pct": _time_to_1pct(grid, traj_out, out), "accuracy_ssa": _accuracy(ssa_out, y[:k]),
        "ssa_end": t_ssa, "ssa_agrees_with_ode": float(np.mean(np.argmax(ssa_out, 1) == np.argmax(out[:k], 1))),
        "rate_perturbation": {str(k_): v for k_, v in rate.items()},
        "start_perturbation": {str(k_): v for k_, v in start.items()},
    }
    if relu is not None:
        m["max_minus_relu_network"] = float(np.max(np.abs(out - relu(x))))
    return m


def _accuracy(out: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(out, axis=1) == y))


def _errors(o: np.ndarray, reference: np.ndarray, y: np.ndarray) -> dict[str, float]:
    scale = max(float(np.max(np.abs(reference))), 1e-12)
    return {"max_relative_error": float(np.max(np.abs(o - reference))) / scale, "accuracy": _accuracy(o, y)}


@dataclass
class ConstructionComparison:
    """The measured rows: per task, the network and both constructions' numbers.

    Made by :func:`compare_constructions`; ``to_markdown()``, ``to_dict()`` and
    ``write(out)`` give the table, the JSON and the figure.

    Examples
    --------
    >>> ConstructionComparison().rows
    []
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_markdown(self) -> str:
        """The table (one row per task and construction) and where each construction wins."""
        from rxnn.experiments._constructions_report import markdown
        return markdown(self)

    def write(self, out: str | Path) -> dict[str, Path]:
        """Write constructions.md, constructions.json and constructions.png into folder ``out``."""
        from rxnn.experiments._constructions_report import figure
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"markdown": folder / "constructions.md", "json": folder / "constructions.json",
                 "figure": folder / "constructions.png"}
        with atomic_output(paths["markdown"], "w") as fh:
            fh.write(self.to_markdown() + "\n")
        with atomic_output(paths["json"], "w") as fh:
            json.dump({"settings": self.settings, "rows": self.rows}, fh, indent=2, default=_json_default)
        figure(self, paths["figure"])
        return paths


def _json_default(value: Any) -> Any:
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value).__name__)


def compare_constructions(
    tasks: Sequence[str] | None = None, *, quick: bool = False, volume: float | None = None,
    t_end: float | None = None, seed: int = 0, progress: bool = False,
    table1_models: Mapping[str, str | Path] | None = None,
) -> ConstructionComparison:
    """Train each task's ternary ReLU network and measure both constructions on it.

    Parameters
    ----------
    tasks : sequence of str, optional
        Keys of :data:`TASKS`; default all (``quick``: those not ``full_only``).
    quick : bool
        A run of seconds: iterations / 10, 4 test inputs for the ODE and SSA,
        sigma = 1, eps = 0.1, t_end = 300, no digits or MNIST.
    volume : float, optional
        SSA volume (default 100; quick 20).
    t_end : float, optional
        Simulated time (default 1e4; quick 300): the rate-independent
        annihilations converge like 1 / (k t), so 1e4 leaves about 1e-4 at k = 1.
    seed : int
    progress : bool
        Progress bars over tasks and over each task's measurement steps (tqdm).
    table1_models : mapping of task key to path, optional
        Model files (:func:`rxnn.io.save_model`) that Table 1 compiles for those
        tasks instead of SmoothReLU(h = :data:`H_TABLE1`) of the ternary network,
        e.g. the paper's trained MNIST 784-40-10 network; same layer sizes.

    Returns
    -------
    ConstructionComparison
        Per row also ``seconds_by_step``: where the time went.

    Examples
    --------
    The tasks (``rxnn compare-constructions --quick`` runs XOR and IRIS in about 20 s):

    >>> sorted(TASKS), [TASKS[k].layer_sizes for k in ("xor", "iris")]
    (['digits', 'iris', 'mnist', 'xor'], [(2, 4, 2), (4, 8, 3)])
    """
    func = "compare_constructions"
    keys = list(TASKS) if tasks is None else list(tasks)
    for key in keys:
        if key not in TASKS:
            raise must_be("tasks", func, f"keys of {sorted(TASKS)}", key)
    if quick:
        keys = [k for k in keys if not TASKS[k].full_only] if tasks is None else keys
    volume = check_positive_finite(volume, "volume", func) if volume is not None else (20.0 if quick else 100.0)
    t_end = check_positive_finite(t_end, "t_end", func) if t_end is not None else (300.0 if quick else 1e4)
    seed = check_int(seed, "seed", func, minimum=0)
    models = _load_models(table1_models or {}, func)  # checked before the work, not after it
    s = _Setting(n_ode=4 if quick else 100, n_ssa=4 if quick else 30, n_perturb=4 if quick else 100, volume=volume,
                 t_end=t_end, sigmas=(1.0,) if quick else SIGMAS, epsilons=(0.1,) if quick else EPSILONS, seed=seed)
    table = ConstructionComparison(settings={**vars(s), "quick": quick, "h_table1": H_TABLE1,
                                             "table1_models": {k: str(v) for k, v in (table1_models or {}).items()}})
    iterator: Any = keys
    if progress:
        try:
            from tqdm.auto import tqdm
            iterator = tqdm(keys, desc="compare-constructions", unit="task")
        except ImportError:
            pass
    for key in iterator:
        table.rows.append(_run_task(TASKS[key], quick, s, models.get(key), progress))
    return table


def _load_models(paths: Mapping[str, str | Path], func: str) -> dict[str, FeedForwardNetwork]:
    from rxnn.io.model_file import load_model

    models = {}
    for key, path in paths.items():
        if key not in TASKS:
            raise must_be("table1_models", func, f"keyed by tasks {sorted(TASKS)}", key)
        net = load_model(path)
        if tuple(net.layer_sizes) != TASKS[key].layer_sizes:
            raise InvalidArgumentError(
                f"table1_models[{key!r}] of {func} has layers {'-'.join(map(str, net.layer_sizes))}; the task "
                f"needs {'-'.join(map(str, TASKS[key].layer_sizes))} (train one of that shape)"
            )
        models[key] = net
    return models


def _run_task(task: ConstructionTask, quick: bool, s: _Setting, model: FeedForwardNetwork | None,
              progress: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"key": task.key, "task": task.title, "architecture": "-".join(map(str, task.layer_sizes))}
    try:
        data = task.load()
    except Exception as exc:  # a missing data set is a row that says so
        return {**row, "status": f"skipped: {exc}"}
    clock = time.perf_counter()
    steps = _Steps(task.title, 9, progress)
    iterations = max(task.iterations // 10, 20) if quick else task.iterations
    net = train_ternary_relu(data.train, task.layer_sizes, iterations=iterations, seed=s.seed,
                             restarts=1 if quick else task.restarts)
    steps.done("training")
    x, y = data.test.inputs(), np.asarray(data.test.labels)
    n = min(s.n_ode, len(y))
    pick = np.random.default_rng(s.seed).choice(len(y), n, replace=False)  # random order: the first n_perturb too
    xs, ys = x[pick], y[pick]
    setting = replace(s, n_perturb=min(s.n_perturb, task.n_perturb or s.n_perturb, n))
    t1net = model if model is not None else FeedForwardNetwork(list(net.weights), list(net.biases), SmoothReLU(H_TABLE1))
    row.update(status="ok", training_iterations=iterations, n_test=int(len(y)), n_ode=n,
               n_ssa=min(s.n_ssa, n), n_perturb=setting.n_perturb,
               accuracy_network=_accuracy(net(x), y), accuracy_network_subset=_accuracy(net(xs), ys),
               accuracy_table1_network=_accuracy(t1net(x), y),
               table1_network="given model" if model is not None else "the ternary network with",
               rate_independent=_measure_ri(net, xs, ys, setting, steps),
               table1=_measure_table1(t1net, None if model is not None else net, xs, ys, setting,
                                      task.t1_ssa_end, steps))
    steps.close()
    row["seconds_by_step"] = steps.seconds
    row["seconds"] = time.perf_counter() - clock
    return row
