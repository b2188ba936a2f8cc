"""Markdown table and figure of :class:`rxnn.experiments.constructions.ConstructionComparison`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rxnn._files import atomic_output

NAMES = {"table1": "Table 1", "rate_independent": "rate-independent"}


def _pct(v: Any) -> str:
    return f"{100 * v:.1f}%" if isinstance(v, float) else "–"


def _g(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def markdown(table: Any) -> str:
    """One row per task and construction; then where each construction wins, from the same numbers."""
    s = table.settings
    sig, eps = [str(v) for v in s["sigmas"]], [str(v) for v in s["epsilons"]]
    head = (["task", "construction", "reactions", "species", "molecularity", "accuracy ODE", "accuracy SSA",
             "time to 1%"] + [f"rate err sigma={v}" for v in sig] + [f"start err eps={v}" for v in eps])
    lines = [
        f"Settings: volume {s['volume']:g} (SSA), t_end {s['t_end']:g}, at most {s['n_ode']} test inputs per ODE "
        f"measure and {s['n_ssa']} for SSA (per task below), seed {s['seed']}; Table 1 uses SmoothReLU(h = "
        f"{s['h_table1']:g}) of the same ternary weights unless a model is given (below). "
        "Errors: max |output - unperturbed output| / largest unperturbed output, over the perturbation sample.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    wins: list[str] = []
    for row in table.rows:
        if row.get("status") != "ok":
            lines.append(f"| {row['task']} ({row['architecture']}) | {row.get('status')} |" + " |" * (len(head) - 2))
            continue
        for key in ("table1", "rate_independent"):
            m = row[key]
            acc = row["accuracy_table1_network"] if key == "table1" else row["accuracy_network"]
            name = f"Table 1 ({m['network']})" if key == "table1" else NAMES[key]
            cells = [f"{row['task']} ({row['architecture']}, network {_pct(acc)})", name,
                     str(m["reactions"]), str(m["species"]), str(m["molecularity"]), _pct(m["accuracy_ode"]),
                     _pct(m["accuracy_ssa"]), _g(m["time_to_1pct"])]
            cells += [_g(m["rate_perturbation"][v]["max_relative_error"]) for v in sig]
            cells += [_g(m["start_perturbation"][v]["max_relative_error"]) for v in eps]
            lines.append("| " + " | ".join(cells) + " |")
        a, b = row["table1"], row["rate_independent"]
        for label, key, better in (("fewer reactions", "reactions", min), ("fewer species", "species", min),
                                   ("lower molecularity", "molecularity", min), ("faster to 1%", "time_to_1pct", min),
                                   ("more accurate (ODE)", "accuracy_ode", max),
                                   ("more accurate (SSA)", "accuracy_ssa", max)):
            fmt = _pct if key.startswith("accuracy") else _g
            if a[key] == b[key]:
                wins.append(f"- {row['task']}: {label}: neither, a tie ({fmt(a[key])})")
                continue
            best = better(("table1", a[key]), ("rate_independent", b[key]), key=lambda t: t[1])
            wins.append(f"- {row['task']}: {label}: {NAMES[best[0]]} ({fmt(a[key])} vs {fmt(b[key])})")
        top = sig[-1]
        ea, eb = a["rate_perturbation"][top]["max_relative_error"], b["rate_perturbation"][top]["max_relative_error"]
        wins.append(f"- {row['task']}: robust to rate constants (sigma = {top}): "
                    f"{NAMES['rate_independent'] if eb < ea else NAMES['table1']} ({_g(ea)} vs {_g(eb)})")
        e = eps[-1]
        ea, eb = a["start_perturbation"][e]["max_relative_error"], b["start_perturbation"][e]["max_relative_error"]
        wins.append(f"- {row['task']}: robust to the start (eps = {e}): "
                    f"{NAMES['table1'] if ea < eb else NAMES['rate_independent']} ({_g(ea)} vs {_g(eb)})")
    lines += ["", "Where each wins (Table 1 value vs rate-independent value):", *wins]
    lines += ["", "Samples, networks and wall times per task:", *[_samples(row) for row in table.rows
                                                                if row.get("status") == "ok"]]
    return "\n".join(lines)


def _samples(row: dict[str, Any]) -> str:
    t1 = row["table1"]
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in row.get("seconds_by_step", {}).items())
    return (f"- {row['task']}: ODE accuracy and time to 1% on {row['n_ode']} of {row['n_test']} test inputs, SSA on "
            f"the first {row['n_ssa']} of them (Table 1 averaged over [{t1['ssa_end'] / 2:g}, {t1['ssa_end']:g}], "
            f"rate-independent read at t_end), perturbations on the first {row['n_perturb']}; "
            f"rate-independent: the ternary ReLU network ({row['training_iterations']} training iterations, "
            f"test accuracy {_pct(row['accuracy_network'])}); Table 1: {row['table1_network']} {t1['network']} "
            f"(test accuracy {_pct(row['accuracy_table1_network'])}); {row['seconds']:.0f} s ({steps}).")


def figure(table: Any, path: Path) -> None:
    """Output error against sigma (rate constants) and against eps (start), per task and construction."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = table.settings
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for row in table.rows:
        if row.get("status") != "ok":
            continue
        for key, style in (("table1", "-o"), ("rate_independent", "--s")):
            m = row[key]
            for ax, part, xs in ((axes[0], "rate_perturbation", s["sigmas"]), (axes[1], "start_perturbation", s["epsilons"])):
                ys = [max(m[part][str(v)]["max_relative_error"], 1e-16) for v in xs]
                ax.loglog(xs, ys, style, label=f"{row['task']}, {NAMES[key]}")
    axes[0].set(xlabel="sigma of lognormal rate perturbation", ylabel="relative output error",
                title="rate constants k -> k exp(sigma N)")
    axes[1].set(xlabel="eps (non-input, non-parameter species start on [0, eps])", ylabel="relative output error",
                title="initial concentrations")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    with atomic_output(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=110)
    plt.close(fig)
