"""Accuracy against volume on a whole test set, as a resumable sweep, with the cost of the exact SSA.

The experiment of :mod:`rxnn.experiments.stochastic_accuracy` at the scale of all 10,000 MNIST test
images: exact SSA at the small volumes (default 1, 10, 100), an approximate method at the large ones
(default tau-leaping at 1000 and 10,000) whose error against the exact SSA is measured on an evenly
spaced sample of the images, and the cost model

    hours of exact SSA = events per image x images / (events per second per core x cores) / 3600

with every factor measured in the same run (events per image and events per second from the exact SSA
at that volume: on every image where it was run on all, on the sample otherwise).

The images run as blocks of ``ssa-accuracy-block`` tasks of :func:`rxnn.experiments.sweep.run_sweep`
(on an embedded ``LocalCluster`` of ``workers`` processes, or an existing cluster): image i's trajectory
at volume V is seeded from the base seed and the key of the one-image task (i, V, method), so the table
depends neither on the number of workers nor on the block size, and a killed run resumes from its
results folder.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._validation import check_int, must_be
from rxnn.errors import InvalidArgumentError
from rxnn.experiments._outputs import save_png, write_md_json_png
from rxnn.experiments.stochastic_accuracy import T_END, AccuracyRow, StochasticAccuracy

__all__ = [
    "APPROX_VOLUMES",
    "COST_CORES",
    "ERROR_SAMPLE",
    "EXACT_VOLUMES",
    "AccuracyVolumeTable",
    "ApproximationCheck",
    "CostRow",
    "accuracy_against_volume",
]

#: Volumes simulated with the exact SSA on every image.
EXACT_VOLUMES = (1.0, 10.0, 100.0)
#: Volumes simulated with the approximate method on every image (and exactly on the sample).
APPROX_VOLUMES = (1000.0, 10000.0)
#: Images of the sample on which the approximate method is compared with the exact SSA.
ERROR_SAMPLE = 20
#: Core counts of the cost model's columns.
COST_CORES = (1, 2, 16, 64)


@dataclass(frozen=True)
class ApproximationCheck:
    """The approximate method against the exact SSA at one volume, on the same sample of images.

    ``rms_difference`` is the root mean square over the sample's images and outputs of (approximate -
    exact) time-averaged outputs; beside it the RMS errors of each against the ODE steady state
    (``rms_exact``, ``rms_approx``): an approximation that adds no visible error has ``rms_approx``
    close to ``rms_exact``. ``max_bias`` is the largest |mean over the sample of (approximate - exact)|
    over the output nodes and ``bias_se`` its standard error (sample SD / sqrt(images)); ``std_ratio``
    the mean stationary standard deviation of the outputs under the approximation over that under the exact
    SSA (an explicit leap inflates the variance: 1 is exact).

    Examples
    --------
    >>> ApproximationCheck(1e3, "tau-leap", 2, (0, 9), 1.0, 0.01, 0.02, 0.021, 0.004, 0.005, 1.02).agreement
    1.0
    """

    volume: float
    method: str
    n_images: int
    image_indices: tuple[int, ...]
    agreement: float
    rms_difference: float
    rms_exact: float
    rms_approx: float
    max_bias: float
    bias_se: float
    std_ratio: float


@dataclass(frozen=True)
class CostRow:
    """The exact SSA's cost at one volume: measured factors and the modelled hours for ``n_images`` images.

    Examples
    --------
    >>> row = CostRow(100.0, 1.5e6, 2e6, "all 10000 images", 10000, 4.0)
    >>> round(row.hours(2), 2)  # 1.5e6 x 10000 / (2e6 x 2) / 3600
    1.04
    """

    volume: float
    events_per_image: float
    events_per_second: float
    measured_on: str
    n_images: int
    seconds_per_image_approx: float = float("nan")

    def hours(self, cores: int) -> float:
        """Modelled wall hours of the exact SSA of ``n_images`` images on ``cores`` cores (perfectly parallel)."""
        return self.events_per_image * self.n_images / (self.events_per_second * cores) / 3600.0


@dataclass(frozen=True, eq=False)
class AccuracyVolumeTable:
    """What :func:`accuracy_against_volume` returns: the table, the approximation checks, the cost model.

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0)
    >>> table = accuracy_against_volume(net, [[0.2, 0.9], [0.9, 0.1]], [1, 0], exact_volumes=[10.0],
    ...                                 approx_volumes=[100.0], error_sample=2, t_end=5.0)
    >>> [r.method for r in table.accuracy.rows], table.checks[0].n_images, table.costs[1].measured_on
    (['ssa', 'tau-leap'], 2, 'sample of 2 images')
    """

    accuracy: StochasticAccuracy
    checks: tuple[ApproximationCheck, ...]
    costs: tuple[CostRow, ...]
    wall_time: float
    settings: dict[str, Any] = field(default_factory=dict)

    def to_markdown(self) -> str:
        """The three tables (accuracy, approximation error, cost model) with their captions."""
        s = self.settings
        lines = [self.accuracy.to_markdown().rstrip("\n"), "",
                 f"Wall time of the whole run: {self.wall_time:.0f} s on {s.get('workers', 1)} worker process(es)"
                 f"{' of ' + s['scheduler'] if s.get('scheduler') else ''} ({s.get('tasks_run', 0)} tasks run, "
                 f"{s.get('tasks_reused', 0)} reused from the results folder); the table's 'wall time' is the sum "
                 "of the tasks' times.", ""]
        if self.checks:
            lines += ["Approximate method against the exact SSA on an evenly spaced sample of the images (independent "
                      "seeds); RMS over images and outputs of time-averaged outputs:", "",
                      "| volume | method | images | class agreement | RMS(approx - exact) | RMS(exact - ODE) "
                      "| RMS(approx - ODE) | max mean bias (SE) | output std ratio |",
                      "|---:|:---|---:|---:|---:|---:|---:|---:|---:|"]
            for c in self.checks:
                lines.append(f"| {c.volume:g} | {c.method} | {c.n_images} | {100 * c.agreement:.1f}% "
                             f"| {c.rms_difference:.3g} | {c.rms_exact:.3g} | {c.rms_approx:.3g} "
                             f"| {c.max_bias:.2g} ({c.bias_se:.2g}) | {c.std_ratio:.3f} |")
            lines.append("")
        cores = s.get("cost_cores", COST_CORES)
        lines += ["Cost model of the exact SSA: hours = events per image x images / (events per second per core x "
                  "cores) / 3600, every factor measured in this run (perfect parallel speed-up assumed):", "",
                  "| volume | events per image | events/s per core | measured on | CPU s per image, approx. method | "
                  + " | ".join(f"hours on {c} core{'s' if c > 1 else ''}" for c in cores) + " |",
                  "|---:|---:|---:|:---|---:|" + "---:|" * len(cores)]
        for r in self.costs:
            approx = "" if np.isnan(r.seconds_per_image_approx) else f"{r.seconds_per_image_approx:.3g}"
            lines.append(f"| {r.volume:g} | {r.events_per_image:.3g} | {r.events_per_second:.3g} | {r.measured_on} "
                         f"| {approx} | " + " | ".join(f"{r.hours(c):.3g}" for c in cores) + " |")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: the accuracy table's, the checks, the cost rows (with modelled hours)."""
        cores = self.settings.get("cost_cores", COST_CORES)
        return {**self.accuracy.to_dict(), "wall_time": self.wall_time, "run": self.settings,
                "checks": [{**c.__dict__, "image_indices": list(c.image_indices)} for c in self.checks],
                "costs": [{**r.__dict__, "hours": {str(c): r.hours(c) for c in cores}} for r in self.costs]}

    def plot(self, path: str | os.PathLike[str] | None = None) -> Any:
        """Accuracy and output error against volume (:meth:`StochasticAccuracy.plot`)."""
        return self.accuracy.plot(path)

    def plot_cost(self, path: str | os.PathLike[str] | None = None) -> Any:
        """Events per image and modelled hours of exact SSA against volume: the figure, saved (PNG) with ``path``."""
        import matplotlib

        from rxnn._plotting import pyplot

        if path is not None:
            matplotlib.use("Agg", force=False)
        plt = pyplot()
        v = np.array([r.volume for r in self.costs])
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        ax1.loglog(v, [r.events_per_image for r in self.costs], "o-")
        ax1.set_xlabel("volume V")
        ax1.set_ylabel("SSA events per image")
        ax1.set_title("events per image (measured)")
        for c in self.settings.get("cost_cores", COST_CORES):
            ax2.loglog(v, [r.hours(c) for r in self.costs], "o-", label=f"{c} core{'s' if c > 1 else ''}")
        ax2.set_xlabel("volume V")
        ax2.set_ylabel(f"hours of exact SSA for {self.costs[0].n_images} images")
        ax2.set_title("cost model")
        ax2.legend()
        fig.tight_layout()
        return save_png(fig, path)

    def write(self, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
        """Write ``accuracy_volume.{md,json,png}`` and ``accuracy_volume_cost.png`` into ``out_dir``."""
        import matplotlib.pyplot as plt

        paths = write_md_json_png(self, out_dir, "accuracy_volume")
        paths["cost_png"] = Path(out_dir) / "accuracy_volume_cost.png"
        plt.close(self.plot_cost(paths["cost_png"]))
        return paths


def _volumes(value: Any, arg: str) -> tuple[float, ...]:
    try:
        out = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise must_be(arg, "accuracy_against_volume", "a sequence of positive finite volumes", value) from None
    if not all(np.isfinite(v) and v > 0 for v in out):
        raise must_be(arg, "accuracy_against_volume", "a sequence of positive finite volumes", value)
    return out


def _shown(options: dict[str, Any]) -> str:
    return " (" + ", ".join(f"{k} = {v}" for k, v in sorted(options.items())) + ")" if options else ""


def _sample(n: int, k: int) -> np.ndarray:
    """k row indices evenly spaced over 0..n-1 (deterministic, spanning the whole set)."""
    return np.unique(np.round(np.linspace(0, n - 1, min(k, n))).astype(np.int64))


def accuracy_against_volume(
    network: Any,
    d: Any,
    labels: Any,
    *,
    image_indices: Any = None,
    image_split: str = "test",
    exact_volumes: Sequence[float] = EXACT_VOLUMES,
    approx_volumes: Sequence[float] = APPROX_VOLUMES,
    approx_method: str = "tau-leap",
    approx_options: dict[str, Any] | None = None,
    error_sample: int = ERROR_SAMPLE,
    block: int = 100,
    t_end: float = T_END,
    seed: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    results: str | os.PathLike[str] | None = None,
    cost_cores: Sequence[int] = COST_CORES,
    progress: bool = False,
) -> AccuracyVolumeTable:
    """Accuracy against volume on every image: exact SSA at small volumes, a measured approximation at large ones.

    Parameters
    ----------
    network : FeedForwardNetwork
        The trained network; its absorbed compiled form (§5.1) is simulated (the same chain as Table 1's,
        event for event, see :func:`rxnn.experiments.stochastic_accuracy.stochastic_accuracy`).
    d : array_like of shape (n_images, c_0)
        Input rows (MNIST pixels / 255).
    labels : array_like of int, shape (n_images,)
    image_indices : array_like of int, optional
        Where the rows come from (for the report); default 0..n_images-1.
    image_split : {"test", "train"}, default "test"
        Which MNIST split the rows come from (for the report).
    exact_volumes, approx_volumes : sequence of float
        Volumes run with the exact SSA, and with ``approx_method``, on every image.
    approx_method : {"tau-leap", "ssa"}, default "tau-leap"
    approx_options : dict, optional
        Options of ``approx_method`` (e.g. ``{"epsilon": 0.3}``: tau-leaping's step control, see
        :data:`rxnn.crn.methods.STOCHASTIC_METHODS`); the exact SSA takes none.
    error_sample : int, default :data:`ERROR_SAMPLE`
        At every approximate volume the exact SSA also runs on this many evenly spaced images, which gives
        the approximation's error and the exact SSA's events per image and per second there (0: no check,
        and no cost row for those volumes).
    block : int, default 100
        Images per task (per result file).
    t_end : float, default :data:`~rxnn.experiments.stochastic_accuracy.T_END`
    seed : int, default 0
    workers, scheduler, results
        As for :func:`rxnn.experiments.sweep.run_sweep` (``results``: the folder a killed run resumes from;
        default a temporary folder).
    cost_cores : sequence of int, default :data:`COST_CORES`
        Core counts of the cost model's columns.
    progress : bool, default False

    Returns
    -------
    AccuracyVolumeTable

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0)
    >>> table = accuracy_against_volume(net, [[0.2, 0.9], [0.9, 0.1]], [1, 0], exact_volumes=[10.0, 100.0],
    ...                                 approx_volumes=[], t_end=5.0)
    >>> rows = table.accuracy.rows
    >>> rows[1].output_error < rows[0].output_error, table.costs[1].events_per_image > table.costs[0].events_per_image
    (True, True)
    """
    import tempfile

    from rxnn.compile import compile_network
    from rxnn.crn.simulate import steady_state
    from rxnn.experiments.sweep import Task, network_to_shared, run_sweep

    func = "accuracy_against_volume"
    x = np.atleast_2d(np.asarray(d, dtype=np.float64))
    y = np.asarray(labels, dtype=np.int64).reshape(-1)
    if x.shape[0] != y.size or x.shape[0] == 0:
        raise InvalidArgumentError(f"d and labels of {func} must describe the same non-empty set of images; "
                                   f"got {x.shape[0]} inputs and {y.size} labels")
    exact, approx = _volumes(exact_volumes, "exact_volumes"), _volumes(approx_volumes, "approx_volumes")
    if not exact + approx:
        raise InvalidArgumentError(f"{func} needs at least one volume (exact_volumes or approx_volumes)")
    if approx_method not in ("tau-leap", "ssa"):
        raise must_be("approx_method", func, "'tau-leap' or 'ssa'", approx_method)
    error_sample = check_int(error_sample, "error_sample", func, minimum=0)
    block = check_int(block, "block", func, minimum=1)
    n = x.shape[0]
    indices = np.arange(n) if image_indices is None else np.asarray(image_indices).reshape(-1)
    compiled = compile_network(network, absorb_enzymes=True)
    ode = steady_state(compiled.network, compiled.initial_state(x, 1.0))
    det = np.stack([np.asarray(ode[s]).reshape(-1) for s in compiled.layer_species(len(network.layer_sizes) - 1)],
                   axis=1)
    det_pred = np.argmax(det, axis=1)
    sample = _sample(n, error_sample)

    options = dict(approx_options or {})

    def blocks(v: float, method: str, rows: np.ndarray, size: int, opts: dict[str, Any] | None = None) -> list[Task]:
        extra = {"options": opts} if opts else {}
        return [Task("ssa-accuracy-block", {"images": [int(i) for i in rows[s:s + size]], "volume": v,
                                            "method": method, "t_end": float(t_end)} | extra)
                for s in range(0, rows.size, size)]

    every = np.arange(n)
    plan = {(v, "ssa", "all"): blocks(v, "ssa", every, block) for v in exact}
    plan |= {(v, approx_method, "all"): blocks(v, approx_method, every, block, options) for v in approx}
    if sample.size:  # the exact sample at the large volumes: one image per task (the longest tasks, listed first)
        plan = {(v, "ssa", "sample"): blocks(v, "ssa", sample, 1) for v in approx} | plan
    tasks = [t for ts in plan.values() for t in ts]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rxnn-accuracy-volume-") as tmp:
        sweep = run_sweep(tasks, results if results is not None else tmp, seed=seed,
                          shared=network_to_shared(network) | {"inputs": x}, workers=workers, scheduler=scheduler,
                          progress=progress)
    wall = time.perf_counter() - start
    got, walls = sweep.values(), {r.key: r.wall_time for r in sweep.records}
    c_m = det.shape[1]

    def gather(part: str, v: float, method: str) -> dict[str, Any]:
        recs = [got[t.key] for t in plan[(v, method, part)]]
        cat = {k: np.concatenate([np.asarray(r[k], dtype=np.float64) for r in recs])
               for k in ("outputs", "output_std", "n_events", "n_steps", "cpu_time")}
        cat["outputs"], cat["output_std"] = cat["outputs"].reshape(-1, c_m), cat["output_std"].reshape(-1, c_m)
        cat["wall"] = float(sum(walls[t.key] for t in plan[(v, method, part)]))
        cat["method"] = str(recs[0]["method"])
        return cat

    rows, outputs, stds, checks, costs = [], {}, {}, [], []
    for v, method, label in [(v, "ssa", "") for v in exact] + [(v, approx_method, _shown(options)) for v in approx]:
        g = gather("all", v, method)
        g["method"] += label
        pred = np.argmax(g["outputs"], axis=1)
        outputs[v], stds[v] = g["outputs"], g["output_std"]
        rows.append(AccuracyRow(
            volume=v, method=g["method"], n_images=n, accuracy=float(np.mean(pred == y)),
            deterministic_accuracy=float(np.mean(det_pred == y)), agreement=float(np.mean(pred == det_pred)),
            output_error=float(np.sqrt(np.mean((g["outputs"] - det) ** 2))),
            output_spread=float(np.mean(g["output_std"])), n_events=int(g["n_events"].sum()),
            n_steps=int(g["n_steps"].sum()), wall_time=g["wall"]))
        exact_run = g if method == "ssa" else (gather("sample", v, "ssa") if sample.size else None)
        if exact_run is None:
            continue
        on = f"all {n} images" if exact_run is g else f"sample of {sample.size} images"
        costs.append(CostRow(volume=v, events_per_image=float(exact_run["n_events"].mean()),
                             events_per_second=float(exact_run["n_events"].sum() / exact_run["cpu_time"].sum()),
                             measured_on=on, n_images=n,
                             seconds_per_image_approx=float("nan") if exact_run is g else float(g["cpu_time"].mean())))
        if exact_run is not g:
            a, e = g["outputs"][sample], exact_run["outputs"]
            diff = (a - e).mean(axis=0)
            k = int(np.argmax(np.abs(diff)))
            se = float((a - e)[:, k].std(ddof=1) / np.sqrt(sample.size)) if sample.size > 1 else float("nan")
            checks.append(ApproximationCheck(
                volume=v, method=g["method"], n_images=int(sample.size),
                image_indices=tuple(int(indices[i]) for i in sample),
                agreement=float(np.mean(np.argmax(a, axis=1) == np.argmax(e, axis=1))),
                rms_difference=float(np.sqrt(np.mean((a - e) ** 2))),
                rms_exact=float(np.sqrt(np.mean((e - det[sample]) ** 2))),
                rms_approx=float(np.sqrt(np.mean((a - det[sample]) ** 2))),
                max_bias=float(abs(diff[k])), bias_se=se,
                std_ratio=float(g["output_std"][sample].mean() / exact_run["output_std"].mean())))
    settings = {"workers": workers, "scheduler": scheduler, "tasks_run": sweep.n_executed,
                "tasks_reused": sweep.n_reused, "block": block, "error_sample": int(sample.size),
                "approx_method": approx_method, "approx_options": options, "cost_cores": [int(c) for c in cost_cores]}
    accuracy = StochasticAccuracy(
        rows=tuple(rows), image_indices=indices, labels=y, deterministic_outputs=det, stochastic_outputs=outputs,
        output_std=stds, layer_sizes=tuple(network.layer_sizes), t_end=float(t_end), window=(t_end / 2, t_end),
        n_repeats=1, seed=seed, round_enzymes=False,
        settings={"method": f"ssa up to {max(exact) if exact else 0:g}, {approx_method}{_shown(options)} above",
                  "absorb_enzymes": True, "image_split": image_split, "sweep": settings})
    return AccuracyVolumeTable(accuracy=accuracy, checks=tuple(checks), costs=tuple(costs), wall_time=wall,
                               settings=settings)
