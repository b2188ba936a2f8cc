"""How much error in rates, enzymes and leaks, and how few molecules, a chemical classifier tolerates.

:func:`robustness` compiles a network (Table 1 form, §5.2) and measures the
accuracy and output error of its steady state under

* a lognormal perturbation of every rate constant, k_j -> k_j exp(sigma z_j);
* a lognormal perturbation of every enzymatic concentration (H, W+-, B+-; the
  inputs are data and stay as given);
* leak reactions: every node X gains ``0 -> X`` and/or ``X -> 0`` at rate eps;
* finite volume: the exact SSA (outputs time-averaged over [t_end/2, t_end]);

each against the unperturbed steady state (the network's output, Thm. 4.8). The
runs are tasks of one sweep (:mod:`rxnn.experiments.sweep`: dask workers or
this process, resumable from its results folder). Beside each measurement is
the theory's prediction where it exists: the fixed point moves smoothly with the
parameters (Def. 4.7(1)), so to first order d x* / d p = -J_x^{-1} J_p gives the
output error for small sigma and eps, and the linear noise approximation gives
the spread at volume V (:mod:`rxnn.experiments._robustness_theory`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rxnn.experiments._outputs import save_png, write_md_json_png
from rxnn._validation import check_int, check_positive_finite
from rxnn.errors import InvalidArgumentError
from rxnn.experiments._robustness_theory import linearise
from rxnn.experiments._sweep_tasks import LEAK_MODES
from rxnn.experiments.sweep import Task, network_to_shared, run_sweep

__all__ = ["DEFAULT_SIGMAS", "DEFAULT_LEAKS", "DEFAULT_VOLUMES", "RobustnessRow", "Robustness", "robustness"]

#: Lognormal sigmas of the perturbation experiments (issue 17: 0.01 to 0.5).
DEFAULT_SIGMAS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5)
#: Leak rate constants eps.
DEFAULT_LEAKS = (1e-3, 1e-2, 1e-1)
#: Volumes of the SSA experiment.
DEFAULT_VOLUMES = (10.0, 100.0, 1000.0)
#: z for the 95% bands (mean +- 1.96 standard errors over the samples).
Z95 = 1.96


@dataclass(frozen=True)
class RobustnessRow:
    """One point of one curve.

    ``experiment`` is "rates", "enzymes", "leak-<mode>" or "volume"; ``value``
    its sigma, eps or V. ``output_error`` is the RMS over inputs, output nodes
    and samples of (measured - unperturbed output), with its 95% band
    ``error_low``..``error_high`` (from the spread of the samples' mean squared
    errors; equal to the value where the experiment is deterministic).
    ``agreement`` is the fraction of inputs classified as unperturbed, ``accuracy``
    the fraction matching the labels (None without labels), both with 95% bands.
    ``predicted_error`` is the first-order (sigma, eps) or linear-noise (V)
    prediction; ``spread`` / ``predicted_spread`` (volume only) the stationary
    std of the outputs, measured and by the linear noise approximation.

    Examples
    --------
    A leak X -> 0 at eps = 1e-4 moves the outputs by what the first order predicts:

    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(h=1.0), seed=0)
    >>> x = np.random.default_rng(0).uniform(size=(2, 3))
    >>> row = robustness(net, x, sigmas=[], leaks=[1e-4], leak_modes=["death"], volumes=[]).rows[0]
    >>> row.experiment, row.agreement, abs(row.output_error / row.predicted_error - 1) < 1e-3
    ('leak-death', 1.0, True)
    """

    experiment: str
    value: float
    n_samples: int
    output_error: float
    error_low: float
    error_high: float
    predicted_error: float | None
    agreement: float
    agreement_low: float
    agreement_high: float
    accuracy: float | None
    spread: float | None = None
    predicted_spread: float | None = None


def _band(per_sample: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% band (mean +- 1.96 SE, clipped to [0, 1] by the caller where needed) of per-sample values."""
    mean = float(np.mean(per_sample))
    se = float(np.std(per_sample, ddof=1) / np.sqrt(per_sample.size)) if per_sample.size > 1 else 0.0
    return mean, mean - Z95 * se, mean + Z95 * se


@dataclass(frozen=True, eq=False)
class Robustness:
    """What :func:`robustness` measured: rows per curve, the settings, and how to show them.

    Examples
    --------
    >>> row = RobustnessRow("rates", 0.01, 4, 2e-3, 1e-3, 3e-3, 2.1e-3, 1.0, 1.0, 1.0, None)
    >>> table = Robustness((row,), (3, 2, 2), 2, {"n_samples": 4, "ssa_repeats": 2, "t_end": 20.0, "seed": 0})
    >>> table.curve("rates") == [row], table.to_markdown().splitlines()[-1][:42]
    (True, '| rates | 0.01 | 4 | 0.002 (0.001-0.003) |')
    """

    rows: tuple[RobustnessRow, ...]
    layer_sizes: tuple[int, ...]
    n_inputs: int
    settings: dict[str, Any] = field(default_factory=dict)

    def curve(self, experiment: str) -> list[RobustnessRow]:
        return [r for r in self.rows if r.experiment == experiment]

    def to_markdown(self) -> str:
        """The table, with a header stating the network, the inputs and the settings."""
        s = self.settings
        lines = [
            f"Robustness of the compiled {'-'.join(map(str, self.layer_sizes))} network (Table 1 form) on "
            f"{self.n_inputs} inputs ({s.get('inputs', 'given rows')}); error = RMS over inputs, outputs and "
            f"samples of (perturbed - unperturbed steady-state output); {s.get('n_samples')} perturbation samples "
            f"per sigma, {s.get('ssa_repeats')} SSA trajectories per input and volume (t_end = {s.get('t_end'):g}, "
            f"outputs averaged over the second half), seed {s.get('seed')}. Bands: 95% (mean +- 1.96 SE over samples). "
            "Prediction: first order in sigma / eps from d x*/d p = -J_x^{-1} J_p (Def. 4.7(1)); "
            "for volume the linear noise approximation.",
            "",
            "| experiment | value | samples | output RMS error (95% band) | predicted | agreement with unperturbed "
            "| accuracy | output std | predicted std |",
            "|:---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]

        def g(v: float | None, f: str = ".3g") -> str:
            return "-" if v is None else format(v, f)

        for r in self.rows:
            acc = "-" if r.accuracy is None else f"{100 * r.accuracy:.1f}%"
            lines.append(
                f"| {r.experiment} | {r.value:g} | {r.n_samples} | {r.output_error:.3g} ({max(r.error_low, 0):.3g}-"
                f"{r.error_high:.3g}) | {g(r.predicted_error)} | {100 * r.agreement:.1f}% "
                f"({100 * r.agreement_low:.1f}-{100 * r.agreement_high:.1f}) | {acc} | {g(r.spread)} "
                f"| {g(r.predicted_spread)} |"
            )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {"layer_sizes": list(self.layer_sizes), "n_inputs": self.n_inputs, "settings": self.settings,
                "rows": [dict(r.__dict__) for r in self.rows]}

    def plot(self, path: str | os.PathLike[str] | None = None) -> Any:
        """Four panels: error against sigma, agreement against sigma, error against eps, error against V.

        Shaded: the 95% bands; on the log axes a band's lower edge is drawn at no
        less than a tenth of the value (with few samples it reaches 0).
        """
        import matplotlib

        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(2, 2, figsize=(11, 8))
        ax = axes[0, 0]
        for exp, colour in (("rates", "C0"), ("enzymes", "C1")):
            rows = self.curve(exp)
            if not rows:
                continue
            x = np.array([r.value for r in rows])
            ax.loglog(x, [r.output_error for r in rows], "o-", color=colour, label=f"{exp}: measured")
            ax.fill_between(x, [max(r.error_low, 0.1 * r.output_error) for r in rows], [r.error_high for r in rows],
                            color=colour, alpha=0.25)
            ax.loglog(x, [r.predicted_error for r in rows], "--", color=colour, label=f"{exp}: first order")
        ax.set(xlabel=r"lognormal $\sigma$", ylabel="output RMS error", title="perturbed rates and enzymes")
        ax.legend(fontsize=8)
        ax = axes[0, 1]
        for exp, colour in (("rates", "C0"), ("enzymes", "C1")):
            rows = self.curve(exp)
            if not rows:
                continue
            x = np.array([r.value for r in rows])
            ax.semilogx(x, [100 * r.agreement for r in rows], "o-", color=colour, label=f"{exp}: agreement")
            ax.fill_between(x, [100 * r.agreement_low for r in rows], [100 * r.agreement_high for r in rows],
                            color=colour, alpha=0.25)
            if rows[0].accuracy is not None:
                ax.semilogx(x, [100 * r.accuracy for r in rows], "s:", color=colour, label=f"{exp}: accuracy")
        ax.set(xlabel=r"lognormal $\sigma$", ylabel="% of inputs", title="class kept (agreement) and accuracy")
        ax.legend(fontsize=8)
        ax = axes[1, 0]
        for k, mode in enumerate(LEAK_MODES):
            rows = self.curve(f"leak-{mode}")
            if not rows:
                continue
            x = np.array([r.value for r in rows])
            ax.loglog(x, [r.output_error for r in rows], "o-", color=f"C{k + 2}", label=f"{mode}: measured")
            ax.loglog(x, [r.predicted_error for r in rows], "--", color=f"C{k + 2}", label=f"{mode}: first order")
        ax.set(xlabel=r"leak rate $\varepsilon$", ylabel="output RMS error", title=r"leaks $0 \to X$, $X \to 0$")
        ax.legend(fontsize=8)
        ax = axes[1, 1]
        rows = self.curve("volume")
        if rows:
            x = np.array([r.value for r in rows])
            ax.loglog(x, [r.output_error for r in rows], "o-", color="C5", label="time-averaged output: measured")
            ax.fill_between(x, [max(r.error_low, 0.1 * r.output_error) for r in rows], [r.error_high for r in rows],
                            color="C5", alpha=0.25)
            ax.loglog(x, [r.predicted_error for r in rows], "--", color="C5", label="linear noise approximation")
            ax.loglog(x, [r.spread for r in rows], "s-", color="C6", label="stationary std: measured")
            ax.loglog(x, [r.predicted_spread for r in rows], ":", color="C6", label="stationary std: LNA")
        ax.set(xlabel="volume V", ylabel="concentration", title="finite volume (exact SSA)")
        ax.legend(fontsize=8)
        fig.suptitle(f"Robustness of the compiled {'-'.join(map(str, self.layer_sizes))} network, {self.n_inputs} inputs")
        fig.tight_layout()
        return save_png(fig, path)

    def write(self, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
        """Write ``robustness.md``, ``.json`` and ``.png`` into ``out_dir``; return their paths."""
        return write_md_json_png(self, out_dir, "robustness")


def _positive_tuple(values: Sequence[float], arg: str, func: str) -> tuple[float, ...]:
    out = tuple(check_positive_finite(v, arg, func) for v in values)
    return out


def robustness(
    network: Any,
    inputs: Any,
    labels: Any = None,
    *,
    sigmas: Sequence[float] = DEFAULT_SIGMAS,
    n_samples: int = 8,
    leaks: Sequence[float] = DEFAULT_LEAKS,
    leak_modes: Sequence[str] = LEAK_MODES,
    volumes: Sequence[float] = DEFAULT_VOLUMES,
    ssa_repeats: int = 2,
    t_end: float = 20.0,
    seed: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    results: str | os.PathLike[str] | None = None,
    progress: bool = False,
    description: str = "given rows",
) -> Robustness:
    """Accuracy and output error of the compiled network under perturbed rates, enzymes, leaks and finite volume.

    Parameters
    ----------
    network : FeedForwardNetwork
    inputs : array_like of shape (n_inputs, c_0)
    labels : array_like of int, optional
        Classes of the inputs, for the accuracy columns.
    sigmas : sequence of float, default :data:`DEFAULT_SIGMAS`
    n_samples : int, default 8
        Independent perturbations per sigma (each shared by all inputs).
    leaks : sequence of float, default :data:`DEFAULT_LEAKS`
        Leak rates eps (empty: no leak experiment).
    leak_modes : sequence of str, default ("birth", "death", "both")
    volumes : sequence of float, default :data:`DEFAULT_VOLUMES`
        Volumes of the SSA experiment (empty: none).
    ssa_repeats : int, default 2
        Trajectories (seeds) per input and volume.
    t_end : float, default 20.0
    seed : int, default 0
        Base seed of the sweep (each task seeded from it and its key).
    workers, scheduler :
        As for :func:`~rxnn.experiments.sweep.run_sweep`.
    results : path, optional
        The sweep's results folder (kept: a second call resumes); default a temporary folder.
    progress : bool, default False
    description : str
        How the report names the inputs (e.g. ``"mnist:0-19"``).

    Returns
    -------
    Robustness

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(h=1.0), seed=0)
    >>> x = np.random.default_rng(0).uniform(size=(2, 3))
    >>> r = robustness(net, x, sigmas=[1e-3], n_samples=2, leaks=[1e-4], leak_modes=["birth"], volumes=[])
    >>> leak = r.curve("leak-birth")[0]
    >>> abs(leak.output_error / leak.predicted_error - 1) < 1e-2  # first order holds at eps = 1e-4
    True
    """
    from rxnn.compile import compile_network
    from rxnn.nn import FeedForwardNetwork

    func = "robustness"
    if not isinstance(network, FeedForwardNetwork):
        raise InvalidArgumentError(f"network of {func} must be a FeedForwardNetwork; got {type(network).__name__}")
    x = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    if x.ndim != 2 or x.shape[1] != network.layer_sizes[0] or x.shape[0] == 0 or not np.all(np.isfinite(x)):
        raise InvalidArgumentError(f"inputs of {func} must be a non-empty (n, {network.layer_sizes[0]}) array of "
                                   f"finite numbers; got shape {x.shape}")
    y = None if labels is None else np.asarray(labels, dtype=np.int64).reshape(-1)
    if y is not None and y.size != x.shape[0]:
        raise InvalidArgumentError(f"labels of {func} must have one entry per input ({x.shape[0]}); got {y.size}")
    sigmas, leaks, volumes = (_positive_tuple(v, a, func) for v, a in ((sigmas, "sigmas"), (leaks, "leaks"),
                                                                       (volumes, "volumes")))
    modes = tuple(leak_modes)
    bad = [m for m in modes if m not in LEAK_MODES]
    if bad:
        raise InvalidArgumentError(f"leak_modes of {func} must be among {', '.join(LEAK_MODES)}; got {bad[0]!r}")
    n_samples = check_int(n_samples, "n_samples", func, minimum=2)
    ssa_repeats = check_int(ssa_repeats, "ssa_repeats", func, minimum=1)
    t_end = check_positive_finite(t_end, "t_end", func)

    compiled = compile_network(network, absorb_enzymes=False)
    lin = linearise(compiled, x)
    nominal = lin.x_star[:, lin.outputs]
    nominal_class = np.argmax(nominal, axis=1)

    tasks = [Task("perturbed-steady-state", {"target": t, "sigma": s, "sample": k})
             for t in ("rates", "enzymes") for s in sigmas for k in range(n_samples)]
    tasks += [Task("leak-steady-state", {"mode": m, "eps": e}) for m in modes for e in leaks]
    tasks += [Task("ssa-accuracy", {"image": i, "volume": v, "seed": r, "t_end": t_end, "method": "ssa"})
              for v in volumes for i in range(x.shape[0]) for r in range(ssa_repeats)]
    shared = network_to_shared(network) | {"inputs": x}
    with tempfile.TemporaryDirectory(prefix="rxnn-robustness-") as tmp:
        sweep = run_sweep(tasks, results if results is not None else tmp, seed=seed, shared=shared,
                          workers=workers, scheduler=scheduler, progress=progress)
    records = sweep.values()

    def classify(outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        pred = np.argmax(outputs, axis=-1)
        return pred == nominal_class, (None if y is None else pred == y)

    rows = []
    for target, sens in (("rates", lin.rate_sens), ("enzymes", lin.enzyme_sens)):
        for s in sigmas:
            outs = np.stack([np.reshape(records[t.key]["outputs"], nominal.shape) for t in tasks
                             if t.kind == "perturbed-steady-state" and t.params["target"] == target
                             and t.params["sigma"] == s])
            rows.append(_row(target, s, outs, nominal, classify, float(s * np.sqrt(np.mean(sens ** 2)))))
    for m in modes:
        for e in leaks:
            out = np.reshape(records[Task("leak-steady-state", {"mode": m, "eps": e}).key]["outputs"], nominal.shape)
            rows.append(_row(f"leak-{m}", e, out[None], nominal, classify,
                             float(e * np.sqrt(np.mean(lin.leak_sens[m] ** 2)))))
    window = t_end / 2
    for v in volumes:
        per = [[records[Task("ssa-accuracy", {"image": i, "volume": v, "seed": r, "t_end": t_end,
                                              "method": "ssa"}).key] for i in range(x.shape[0])]
               for r in range(ssa_repeats)]
        outs = np.array([[rec["outputs"] for rec in rep] for rep in per])
        spread = float(np.mean([[rec["output_std"] for rec in rep] for rep in per]))
        row = _row("volume", v, outs, nominal, classify,
                   float(np.sqrt(np.mean(lin.lna_mean_std ** 2) / (v * window))))
        rows.append(RobustnessRow(**{**row.__dict__, "spread": spread,
                                     "predicted_spread": float(np.mean(lin.lna_std) / np.sqrt(v))}))
    settings = {"inputs": description, "n_samples": n_samples, "ssa_repeats": ssa_repeats, "t_end": t_end,
                "seed": seed, "sigmas": list(sigmas), "leaks": list(leaks), "leak_modes": list(modes),
                "volumes": list(volumes), "n_tasks": len(tasks), "tasks_run": sweep.n_executed,
                "tasks_reused": sweep.n_reused,
                "task_seconds": float(sum(r.wall_time for r in sweep.records))}
    return Robustness(tuple(rows), tuple(network.layer_sizes), int(x.shape[0]), settings)


def _row(experiment: str, value: float, outs: np.ndarray, nominal: np.ndarray, classify: Any,
         predicted: float | None) -> RobustnessRow:
    """A row from the samples' outputs ``outs`` (n_samples, n_inputs, c_m) against the unperturbed ones."""
    mse = np.mean((outs - nominal[None]) ** 2, axis=(1, 2))
    m, lo, hi = _band(mse)
    agree = np.array([classify(o)[0].mean() for o in outs])
    a, alo, ahi = _band(agree)
    acc = None if classify(outs[0])[1] is None else float(np.mean([classify(o)[1].mean() for o in outs]))
    return RobustnessRow(experiment, float(value), int(outs.shape[0]), float(np.sqrt(m)), float(np.sqrt(max(lo, 0.0))),
                         float(np.sqrt(hi)), predicted, a, max(alo, 0.0), min(ahi, 1.0), acc)
