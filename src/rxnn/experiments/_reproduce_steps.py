"""The steps of ``rxnn reproduce`` after training: facts for the report, figures, progress bars.

:func:`rxnn.experiments.reproduce.reproduce` calls these; each turns the runs
into the plain numbers ``report.json`` holds or into the figure files.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rxnn.experiments import figures
from rxnn.experiments.chemistry import (
    FIGURE10_NODES,
    PAPER_IMAGE_INDEX,
    ActivationCheck,
    NodeTrajectories,
    node_label,
    simulate_nodes,
)
from rxnn.io.model_file import load_model
from rxnn.nn import PolynomialActivation, ReLU, SmoothReLU

if TYPE_CHECKING:
    from rxnn.experiments.reproduce import ReproduceSettings

LABELS = {
    "h1": ("smoothed ReLU, h = 1", "fig08"),
    "h0": ("ReLU, h = 0", "fig09"),
    "q3": ("q = 3, h = 1 (§6.1)", "fig14"),
}


# --------------------------------------------------------------------------- progress


class _NoBar:
    def update(self, n: float = 1) -> None:
        return None

    def set_postfix_str(self, s: str) -> None:
        return None

    def close(self) -> None:
        return None


def progress_bar(total: int, desc: str, enabled: bool, unit: str = "it") -> Any:
    if enabled:
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            return tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True, file=sys.stderr)
    return _NoBar()


def say(message: str, enabled: bool) -> None:
    if enabled:
        print(f"rxnn reproduce: {message}", file=sys.stderr, flush=True)



def stats(values: Sequence[float]) -> dict[str, float | int]:
    a = np.asarray(values, dtype=np.float64)
    return {
        "mean": float(a.mean()),
        "sd": float(a.std(ddof=1)) if a.size > 1 else 0.0,
        "min": float(a.min()),
        "max": float(a.max()),
        "n": int(a.size),
    }



def figure10(
    files: dict[str, str], image: np.ndarray, progress: bool
) -> dict[int, NodeTrajectories]:
    snaps = sorted(int(k.split("_")[1]) for k in files if k.startswith("snapshot_"))
    bar = progress_bar(len(snaps), "Fig. 10 simulations", progress, unit="sim")
    runs = {}
    try:
        for it in snaps:
            runs[it] = simulate_nodes(load_model(files[f"snapshot_{it}"]), image, nodes=1.0)
            bar.update(1)
    finally:
        bar.close()
    return runs


def figure10_facts(runs: dict[int, NodeTrajectories], label: int) -> dict[str, Any]:
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


def chemistry_facts(check: ActivationCheck) -> dict[str, Any]:
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


def activation_facts() -> dict[str, Any]:
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


def configurations(settings: ReproduceSettings, runs: dict[str, dict[int, dict[str, Any]]], out: Path) -> dict[str, Any]:
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
                "test_accuracy": stats([r["test_accuracy"] for r in rows]),
                "batch_accuracy_last50": stats([r["batch_accuracy_last50"] for r in rows]),
            },
        }
    return configs


def draw(
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
    bar = progress_bar(len(jobs), "figures", progress, unit="fig")
    paths = {}
    try:
        for name, job in jobs:
            paths[name] = os.path.relpath(job(), out)
            bar.update(1)
    finally:
        bar.close()
    return dict(sorted(paths.items()))


#: Volumes of ``reproduce(stochastic=True)``: exact SSA at 1-100, tau-leaping at 1e4 (minutes in all).
