"""Published chemical neural networks side by side with the construction of Table 1 (``rxnn compare``).

For each task of the published works (XOR, IRIS, 8 x 8 digits, MNIST) this
trains a network of the published architecture where the issue states it
(Kang & Kim: IRIS 2-5-1, 8 x 8 digits 64-20-10) and a small one of ours
otherwise, compiles it (Table 1, with enzymes and absorbed, §5.1-5.2) and
measures the test accuracy three ways: the closed form (eqs. (6)-(7)), the
compiled mass-action ODE's steady state (Thm. 4.8), and stochastic
simulation (SSA) at a stated volume, outputs time-averaged over
[t_end / 2, t_end]. Next to each row stand the published figures that the
issue cites, with their source; a figure the issue does not give is marked
"not stated". Every other number in the table comes from the run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._files import atomic_output
from rxnn._validation import check_int, check_positive_finite, must_be
from rxnn.compile import compile_network
from rxnn.crn.simulate import steady_state
from rxnn.experiments.training import draw_batch, random_streams, targets
from rxnn.nn import FeedForwardNetwork, SmoothReLU, sgd_step
from rxnn.experiments.stochastic_accuracy import node_statistics

__all__ = ["Published", "Task", "PUBLISHED", "TASKS", "TaskResult", "Comparison", "compare"]

NOT_STATED = "not stated"


@dataclass(frozen=True)
class Published:
    """A published figure as the issue cites it (anything it does not give is :data:`NOT_STATED`).

    Examples
    --------
    >>> PUBLISHED["vasic-mnist"].reactions, PUBLISHED["vasic-mnist"].accuracy
    ('650', 'not stated')
    """

    source: str
    task: str
    architecture: str = NOT_STATED
    reactions: str = NOT_STATED
    accuracy: str = NOT_STATED
    note: str = ""


VASIC = "Vasić et al., ICML 2020 / PNAS 2022"
KANG_KIM = "Kang & Kim, J. Chem. Phys. 2025"

PUBLISHED: dict[str, Published] = {
    "vasic-iris": Published(VASIC, "IRIS", reactions="42", note="binary-weight ReLU"),
    "vasic-mnist": Published(VASIC, "MNIST", reactions="650", note="binary-weight ReLU"),
    "kang-kim-xor": Published(KANG_KIM, "XOR"),
    "kang-kim-iris": Published(KANG_KIM, "IRIS", architecture="2-5-1"),
    "kang-kim-digits": Published(KANG_KIM, "MNIST 8x8", architecture="64-20-10"),
}
"""The figures of issue 15's text, by key."""


@dataclass(frozen=True)
class Task:
    """One row of the comparison: data, architecture, training and readout.

    ``levels`` (for a single output) reads the class as the nearest target
    level; otherwise the class is the largest output, with targets 10 / 1 as §6.

    Examples
    --------
    >>> task = TASKS["iris-2-5-1"]  # one output read as the nearest of the levels 1, 5.5, 10
    >>> task.encode(np.array([0, 2])).tolist(), task.decode(np.array([[1.2], [6.0], [9.0]])).tolist()
    ([[1.0], [10.0]], [0, 1, 2])
    """

    key: str
    title: str
    load: Callable[[], Any]
    layer_sizes: tuple[int, ...]
    iterations: int
    batch_size: int
    eta: float
    published: tuple[str, ...]
    architecture_note: str
    h: float = 1.0
    levels: tuple[float, ...] | None = None
    full_only: bool = False

    def encode(self, labels: np.ndarray) -> np.ndarray:
        """Training targets tau(d) for the labels."""
        if self.levels is not None:
            return np.asarray(self.levels)[labels][:, None]
        return targets(labels, self.layer_sizes[-1])

    def decode(self, outputs: np.ndarray) -> np.ndarray:
        """Predicted classes from outputs of shape (n, c_m)."""
        if self.levels is not None:
            return np.argmin(np.abs(outputs - np.asarray(self.levels)), axis=1)
        return np.argmax(outputs, axis=1)


def _xor() -> Any:
    from rxnn.datasets import load_xor
    return load_xor()


def _iris() -> Any:
    from rxnn.datasets import load_iris
    return load_iris()


def _iris_petals() -> Any:
    from rxnn.datasets import load_iris
    return load_iris(features=["petal length (cm)", "petal width (cm)"])


def _digits() -> Any:
    from rxnn.datasets import load_digits
    return load_digits()


def _mnist() -> Any:
    from rxnn.datasets import load_mnist
    return load_mnist()


TASKS: dict[str, Task] = {t.key: t for t in (
    Task("xor", "XOR", _xor, (2, 4, 2), 2000, 4, 0.03, ("kang-kim-xor",),
         "ours (the issue gives no XOR architecture)"),
    Task("iris", "IRIS", _iris, (4, 4, 3), 2000, 20, 0.03, ("vasic-iris",),
         "ours, all 4 features (the issue gives no architecture for Vasić et al.)"),
    Task("iris-2-5-1", "IRIS", _iris_petals, (2, 5, 1), 2000, 20, 0.01, ("kang-kim-iris",),
         "Kang & Kim's 2-5-1; ours: petal length and width in, one output read as the nearest of "
         "the levels 1, 5.5, 10 (the issue does not say which 2 features or how one output gives 3 classes)",
         levels=(1.0, 5.5, 10.0)),
    Task("digits", "MNIST 8x8", _digits, (64, 20, 10), 1000, 50, 0.1, ("kang-kim-digits",),
         "Kang & Kim's 64-20-10 on scikit-learn's 8x8 digits"),
    Task("mnist", "MNIST", _mnist, (784, 40, 10), 1000, 300, 0.1, ("vasic-mnist",),
         "the paper's §6 784-40-10 (the issue gives no architecture for Vasić et al.)", full_only=True),
)}
"""The rows, by key (``mnist`` needs the MNIST files and runs only without ``quick``)."""


@dataclass
class TaskResult:
    """The measured row of one task (or why it was skipped).

    Examples
    --------
    >>> row = TaskResult(TASKS["xor"], status="skipped: no data")
    >>> d = row.to_dict()
    >>> d["architecture"], d["status"], d["published"][0]["source"]
    ('2-4-2', 'skipped: no data', 'Kang & Kim, J. Chem. Phys. 2025')
    """

    task: Task
    status: str = "ok"
    numbers: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        t = self.task
        return {"key": t.key, "task": t.title, "architecture": "-".join(map(str, t.layer_sizes)),
                "architecture_note": t.architecture_note, "status": self.status, **self.numbers,
                "published": [vars(PUBLISHED[k]) for k in t.published]}


def _train(task: Task, data: Any, iterations: int, seed: int) -> FeedForwardNetwork:
    """Gradient descent of §6 (quadratic cost, batches without replacement) with the task's targets."""
    init_rng, batch_rng, _ = random_streams(seed)
    net = FeedForwardNetwork.random(task.layer_sizes, SmoothReLU(task.h), seed=init_rng)
    labels = np.asarray(data.labels)
    size = min(task.batch_size, len(data))
    for _ in range(iterations):
        index = draw_batch(batch_rng, len(data), size)
        net = sgd_step(net, data.inputs(index), task.encode(labels[index]), eta=task.eta).network
    return net


def _run_task(task: Task, *, quick: bool, volume: float, t_end: float, n_stochastic: int, seed: int) -> TaskResult:
    try:
        data = task.load()
    except Exception as exc:  # a missing data set is a row that says so, not a crash
        return TaskResult(task, status=f"skipped: {exc}")
    clock = time.perf_counter()
    iterations = max(task.iterations // 4, 1) if quick else task.iterations
    net = _train(task, data.train, iterations, seed)
    x, y = data.test.inputs(), np.asarray(data.test.labels)
    closed = net(x)
    table1, absorbed = compile_network(net), compile_network(net, absorb_enzymes=True)
    ode = table1.layer_values(steady_state(table1.network, table1.initial_state(x)))[-1]
    k = min(n_stochastic, len(y))
    stats = node_statistics(absorbed, x[:k], volume=volume, t_end=t_end, seed=seed, method="ssa")
    numbers = {
        "training_iterations": iterations, "n_train": len(data.train), "n_test": int(y.size),
        "reactions_table1": table1.network.n_reactions, "species_table1": table1.network.n_species,
        "reactions_absorbed": absorbed.network.n_reactions, "species_absorbed": absorbed.network.n_species,
        "accuracy_closed_form": float(np.mean(task.decode(closed) == y)),
        "accuracy_ode": float(np.mean(task.decode(ode) == y)),
        "max_ode_minus_closed_form": float(np.max(np.abs(ode - closed))),
        "accuracy_stochastic": float(np.mean(task.decode(stats.outputs) == y[:k])),
        "accuracy_closed_form_stochastic_subset": float(np.mean(task.decode(closed[:k]) == y[:k])),
        "stochastic_agrees_with_ode": float(np.mean(task.decode(stats.outputs) == task.decode(ode[:k]))),
        "n_stochastic": k, "volume": volume, "t_end": t_end, "stochastic_events": int(stats.n_events),
        "seconds": time.perf_counter() - clock,
    }
    return TaskResult(task, numbers=numbers)


def _percent(value: Any) -> str:
    return f"{100 * value:.1f}%" if isinstance(value, float) else "–"


@dataclass
class Comparison:
    """The comparison table: rows, settings, and writers (markdown, JSON, PNG).

    Examples
    --------
    >>> settings = {"quick": True, "volume": 10.0, "t_end": 10.0, "n_stochastic": 8, "seed": 0}
    >>> table = Comparison([TaskResult(TASKS["xor"], status="skipped: no data")], settings)
    >>> print(table.to_markdown().splitlines()[6][:38])
    | XOR | 2-4-2 | skipped: no data | | |
    """

    rows: list[TaskResult]
    settings: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"settings": dict(self.settings), "rows": [r.to_dict() for r in self.rows]}

    def to_markdown(self) -> str:
        s = self.settings
        lines = [
            "# Chemical neural networks on the published tasks",
            "",
            f"Construction: Table 1 of Anderson, Deshpande & Joshi (2021), smoothed ReLU h = 1; seed {s['seed']}"
            f"{', quick mode (a quarter of the training iterations)' if s['quick'] else ''}. "
            f"Stochastic: exact SSA at volume V = {s['volume']:g}, nodes from 1, outputs averaged over "
            f"[{s['t_end'] / 2:g}, {s['t_end']:g}], first {s['n_stochastic']} test inputs at most.",
            "",
            "| task | architecture | reactions / species (Table 1) | reactions / species (absorbed) | "
            "accuracy: closed form (n test) | compiled ODE | stochastic (n) | published (issue 15) |",
            "|:---|:---|---:|---:|---:|---:|---:|:---|",
        ]
        for row in self.rows:
            n, t = row.numbers, row.task
            published = "; ".join(
                f"{p.source}: architecture {p.architecture}; reactions {p.reactions}; accuracy {p.accuracy}"
                + (f" ({p.note})" if p.note else "") for p in (PUBLISHED[k] for k in t.published))
            arch = "-".join(map(str, t.layer_sizes))
            if row.status != "ok":
                lines.append(f"| {t.title} | {arch} | {row.status} | | | | | {published} |")
                continue
            lines.append(
                f"| {t.title} | {arch} | {n['reactions_table1']} / {n['species_table1']} | "
                f"{n['reactions_absorbed']} / {n['species_absorbed']} | {_percent(n['accuracy_closed_form'])} "
                f"({n['n_test']}) | {_percent(n['accuracy_ode'])} | {_percent(n['accuracy_stochastic'])} "
                f"({n['n_stochastic']}; closed form on them {_percent(n['accuracy_closed_form_stochastic_subset'])}, "
                f"same class as the ODE {_percent(n['stochastic_agrees_with_ode'])}) | {published} |")
        lines += ["", "Notes:"]
        for row in self.rows:
            extra = (f"; largest |ODE steady state - closed form| over the test outputs "
                     f"{row.numbers['max_ode_minus_closed_form']:.1e}; {row.numbers['training_iterations']} "
                     f"iterations, {row.numbers['seconds']:.1f} s" if row.status == "ok" else "")
            lines.append(f"- {row.task.title} {'-'.join(map(str, row.task.layer_sizes))}: {row.task.architecture_note}{extra}.")
        lines.append('- "not stated": the figure is not given in the text this table cites (issue 15).')
        return "\n".join(lines) + "\n"

    def plot(self, path: str | Path) -> Path:
        """Bar chart of the three accuracies per task (PNG)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        rows = [r for r in self.rows if r.status == "ok"]
        fig = Figure(figsize=(7.0, 3.2), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        names = [f"{r.task.title}\n{'-'.join(map(str, r.task.layer_sizes))}" for r in rows]
        for j, (key, label) in enumerate((("accuracy_closed_form", "closed form"), ("accuracy_ode", "compiled ODE"),
                                          ("accuracy_stochastic", f"SSA, V = {self.settings['volume']:g}"))):
            ax.bar(np.arange(len(rows)) + (j - 1) * 0.27, [r.numbers[key] for r in rows], 0.27, label=label)
        ax.set_xticks(np.arange(len(rows)), names, fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("test accuracy")
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=3, frameon=False)
        ax.set_title("SSA bars: the first n_stochastic test inputs only (see the table)", fontsize=8)
        with atomic_output(path, "wb", what="comparison figure") as f:
            fig.savefig(f, format="png", dpi=110)
        return Path(path)

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``compare.md``, ``compare.json`` and ``compare.png`` into ``out_dir`` (created if needed)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"markdown": out / "compare.md", "json": out / "compare.json", "figure": out / "compare.png"}
        with atomic_output(paths["markdown"], "w", what="comparison table", encoding="utf-8") as f:
            f.write(self.to_markdown())
        with atomic_output(paths["json"], "w", what="comparison JSON", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, indent=2, ensure_ascii=False)
        self.plot(paths["figure"])
        return paths


def compare(tasks: Sequence[str] | None = None, *, quick: bool = False, volume: float | None = None,
            t_end: float | None = None, n_stochastic: int | None = None, seed: int = 0,
            progress: bool = False) -> Comparison:
    """Train, compile and measure every task; return the comparison table.

    Parameters
    ----------
    tasks : sequence of str, optional
        Keys of :data:`TASKS`; default all (without ``mnist`` when ``quick``).
    quick : bool, default False
        A quarter of the training iterations, and smaller stochastic defaults
        (V = 10, t_end = 10, 8 inputs) so that the run takes seconds.
    volume : float, optional
        Volume of the stochastic simulations (default 100, quick 10).
    t_end : float, optional
        Simulated time per input (default 20, quick 10).
    n_stochastic : int, optional
        Test inputs simulated stochastically per task (default 100, quick 8).
    seed : int, default 0
    progress : bool, default False
        A tqdm bar over the tasks.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> table = compare(["xor"], quick=True, n_stochastic=4)
    >>> row = table.rows[0].numbers
    >>> row["reactions_absorbed"] <= row["reactions_table1"], row["n_test"]
    (True, 4)
    """
    func = "compare"
    keys = [k for k in TASKS if not (quick and TASKS[k].full_only)] if tasks is None else list(tasks)
    unknown = [k for k in keys if k not in TASKS]
    if unknown or not keys:
        raise must_be("tasks", func, "task keys among " + ", ".join(TASKS), keys)
    volume = check_positive_finite(volume if volume is not None else (10.0 if quick else 100.0), "volume", func)
    t_end = check_positive_finite(t_end if t_end is not None else (10.0 if quick else 20.0), "t_end", func)
    n_stochastic = check_int(n_stochastic if n_stochastic is not None else (8 if quick else 100), "n_stochastic",
                             func, minimum=1)
    seed = check_int(seed, "seed", func, minimum=0)
    iterator: Any = keys
    if progress:
        try:
            from tqdm import tqdm
            iterator = tqdm(keys, desc="rxnn compare", unit="task")
        except ImportError:
            pass
    rows = [_run_task(TASKS[k], quick=quick, volume=volume, t_end=t_end, n_stochastic=n_stochastic, seed=seed)
            for k in iterator]
    settings = {"quick": quick, "volume": volume, "t_end": t_end, "n_stochastic": n_stochastic, "seed": seed}
    return Comparison(rows, settings)
