"""The reproduction report: ``report.json``, ``report.md`` and a self-contained ``report.html``.

The report is rendered from one JSON-ready summary (what :func:`rxnn.experiments.reproduce.reproduce` returns),
so the three files cannot disagree. :func:`compare_with_paper` turns the measured numbers into the side-by-side
comparison: for every figure of §6, the paper's caption and claims next to ours, each claim checked against our
data. The HTML page embeds its figures as base64 PNGs and its style inline; it loads nothing from anywhere.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rxnn._files import atomic_output, check_output_folder
from rxnn.experiments import _report_render

__all__ = ["PAPER_FIGURES", "compare_with_paper", "write_report", "render_markdown", "render_html"]

PAPER_FIGURES: dict[str, tuple[str, str]] = {
    "fig04": ("Smoothed ReLU", "Figure 4: The function (y + sqrt(y^2 + 4h))/2 for h = 0.3, 0.1, 0. Note that the h = 0 case is the ReLU."),
    "fig08": ("Training, smoothed ReLU h = 1", "Figure 8: Performance with h = 1. Left: estimate of the cost over each iteration (300 randomly selected MNIST images). Right: number of the 300 images correctly identified. Text: near the end of the 1000 iterations the network correctly identifies just over 95% of the digits."),
    "fig09": ("Training, ReLU h = 0", "Figure 9: Performance of the ReLU (h = 0), same panels as Fig. 8. Text: now the network correctly identifies around 88% of the digits; the superiority of the smoothed ReLU was apparent in nearly all seeds tried (data not shown)."),
    "fig10": ("Compiled network after several numbers of iterations", "Figure 10: Trajectories of the ODEs of the reaction network after different numbers of iterations, on the 30th image (a 7), all 50 nodes starting at 1; output nodes 1, 2, 6, 8 and hidden nodes 1, 32. The equilibrium of output node 8 (digit 7) moves towards 10 as the iterations increase, the other output nodes stay near 1; output node 2 (digit 1) converges towards 1 slower than the others."),
    "fig11": ("Regular start 10*rand", "Figure 11: Trajectories with 'regularly sized' initial conditions x00 = 10*rand(50); output nodes 1 and 3, hidden nodes 1 and 32. Values at t = 5 match the standard network 'very well' (printed to 15 digits)."),
    "fig12": ("Start 1000*rand", "Figure 12: Same trajectories from x00 = 1000*rand(50). Left: fast convergence down 'from infinity' to values in the single digits. Right: exponential convergence to the limiting values."),
    "fig13": ("Activation with q = 3", "Figure 13: Activation implemented with q = 3, h = 1: the unique positive fixed point of 1 + yx - 2x^3, with sqrt(y/2) for comparison. Monotonic, grows like sqrt(y/2) as y -> inf, tends to 0 as y -> -inf."),
    "fig14": ("Training, q = 3", "Figure 14: Performance with q = 3, same panels as Fig. 8, all other settings unchanged. Text: this activation performs similarly to the ReLU activation (Fig. 9)."),
}
"""Per figure: short title and the paper's caption and claims (paraphrased where long)."""

_PAPER_BATCH = {"h1": 0.95, "h0": 0.88}


def _pct(x: float, digits: int = 1) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.{digits}f}%"


def _spread(stats: Mapping[str, float]) -> str:
    """'94.5% +- 0.4 (range 93.9-95.0%, 5 seeds)' for a fraction's statistics."""
    return (f"{_pct(stats['mean'])} ± {100 * stats['sd']:.1f} (range {100 * stats['min']:.1f}–"
            f"{100 * stats['max']:.1f}%, {stats['n']} seed{'s' if stats['n'] != 1 else ''})")


def _claim(paper: str, ours: str, verdict: str) -> dict[str, str]:
    return {"paper": paper, "ours": ours, "verdict": verdict}


def _training_claims(summary: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    configs, quick = summary["configurations"], summary["quick"]
    caveat = " (quick run: fewer iterations than the paper's 1000, not comparable)" if quick else ""
    out: dict[str, list[dict[str, str]]] = {}
    for key, fig in (("h1", "fig08"), ("h0", "fig09")):
        batch = configs[key]["summary"]["batch_accuracy_last50"]
        test = configs[key]["summary"]["test_accuracy"]
        paper = _PAPER_BATCH[key]
        close = abs(batch["mean"] - paper) <= 0.02
        verdict = "not comparable" if quick else ("agrees" if close else ("differs: ours higher" if batch["mean"] > paper else "differs: ours lower"))
        text = "just over 95%" if key == "h1" else "around 88%"
        out[fig] = [_claim(
            f"{text} of the batch of 300 correct near the end of 1000 iterations (one seed)",
            f"batch accuracy, mean of the last 50 iterations: {_spread(batch)}; test accuracy on "
            f"{configs[key]['n_test']} images: {_spread(test)}{caveat}",
            verdict,
        )]
    h1 = {r["seed"]: r["test_accuracy"] for r in configs["h1"]["runs"]}
    h0 = {r["seed"]: r["test_accuracy"] for r in configs["h0"]["runs"]}
    wins = sum(h1[s] > h0[s] for s in h1 if s in h0)
    n = len(h1)
    out["fig09"].append(_claim(
        "the smoothed ReLU (h = 1) beats the ReLU in nearly all seeds",
        f"h = 1 has the higher test accuracy for {wins} of {n} seeds "
        f"(mean difference {100 * (configs['h1']['summary']['test_accuracy']['mean'] - configs['h0']['summary']['test_accuracy']['mean']):+.1f} points)",
        "agrees" if wins >= 0.8 * n else "differs",
    ))
    q3, relu = configs["q3"]["summary"]["batch_accuracy_last50"], configs["h0"]["summary"]["batch_accuracy_last50"]
    similar = abs(q3["mean"] - relu["mean"]) <= 0.03
    out["fig14"] = [_claim(
        "q = 3 performs similarly to the ReLU of Fig. 9 (no number given)",
        f"batch accuracy (last 50): q = 3 {_spread(q3)} vs ReLU {_spread(relu)}; test accuracy q = 3 "
        f"{_spread(configs['q3']['summary']['test_accuracy'])}{caveat}",
        "not comparable" if quick else ("agrees" if similar else ("differs: q = 3 lower" if q3["mean"] < relu["mean"] else "differs: q = 3 higher")),
    )]
    return out


def _figure10_claims(fig10: Mapping[str, Any]) -> list[dict[str, str]]:
    its = sorted(fig10["iterations"], key=int)
    x8 = [fig10["iterations"][i]["steady_state"]["x^2_8"] for i in its]
    last = fig10["iterations"][its[-1]]
    outputs = last["all_outputs_steady_state"]
    others = [v for k, v in enumerate(outputs) if k != 7]
    rising = all(b > a for a, b in zip(x8, x8[1:]))
    seq = ", ".join(f"{v:.2f} ({i} it.)" for i, v in zip(its, x8))
    claims = [
        _claim("the 30th training image is a 7", f"label of training image index {fig10['image_index']}: {fig10['label']}",
               "agrees" if fig10["label"] == 7 else "differs"),
        _claim("the equilibrium of output node 8 (digit 7) separates from the others and moves towards 10",
               f"steady state of x^2_8: {seq}; largest output after {its[-1]} iterations: node {outputs.index(max(outputs)) + 1}",
               "agrees" if rising and max(outputs) == outputs[7] else "differs"),
        _claim("the other plotted output nodes (1 and 6; node 2 is discussed next) remain near 1",
               f"after {its[-1]} iterations x^2_1 = {last['steady_state']['x^2_1']:.2f}, x^2_6 = "
               f"{last['steady_state']['x^2_6']:.2f}; all 9 outputs other than node 8 lie in "
               f"[{min(others):.2f}, {max(others):.2f}]",
               "agrees" if max(abs(last["steady_state"][k] - 1) for k in ("x^2_1", "x^2_6")) <= 0.5 else "differs"),
    ]
    mid = [i for i in its if int(i) > 0]
    node2_slowest = sum(
        abs(fig10["iterations"][i]["steady_state"]["x^2_2"] - 1) >= max(
            abs(fig10["iterations"][i]["steady_state"][k] - 1) for k in ("x^2_1", "x^2_6"))
        for i in mid
    )
    dev = ", ".join(f"{fig10['iterations'][i]['steady_state']['x^2_2']:.2f}" for i in mid)
    claims.append(_claim(
        "output node 2 (digit 1) converges towards 1 slower than the other plotted outputs (1 and 6)",
        f"x^2_2 at steady state after {', '.join(mid)} iterations: {dev}; farthest from 1 among nodes 1, 2, 6 "
        f"at {node2_slowest} of {len(mid)} snapshots",
        "agrees" if node2_slowest > len(mid) / 2 else "differs (image- and seed-specific claim)",
    ))
    errors = max(fig10["iterations"][i]["max_abs_error_steady_state"] for i in its)
    claims.append(_claim("(theory) the equilibria are the network's activations",
                         f"max |steady state - closed form| over 50 nodes and all snapshots: {errors:.1e}",
                         "agrees" if errors <= 1e-8 else "differs"))
    return claims


def _chemistry_claims(summary: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    check, chem = summary["activation_check"], summary["chemistry"]
    starts = list(check["at_t_end"])
    paper_gap = {
        s: max(abs(v - check["paper"]["closed_form"][k]) for k, v in check["paper"]["at_t5"][s].items())
        for s in check["paper"]["at_t5"]
    }
    regular, large = starts[0], starts[-1]
    err = chem[regular]["max_abs_error_t5"]
    fig11 = [_claim(
        f"values at t = 5 match the closed form 'very well' (paper's own gap on its 4 nodes: {paper_gap.get('10*rand', float('nan')):.1e})",
        f"max |x(5) - a| over all 50 nodes from {regular}: {err:.1e}; at steady state {chem[regular]['max_abs_error_steady_state']:.1e}",
        "agrees" if err <= 1e-3 else "differs",
    )]
    big = chem[large]
    fig12 = [
        _claim("fast convergence down 'from infinity' to values in the single digits",
               f"start up to {big['max_start']:.0f} (peak {big['peak']:.0f}); every node within 100% of its limit "
               f"(max(a, 1) scale) from t = {big['settling_time_rel_1']:.3g} on",
               "agrees" if big["settling_time_rel_1"] <= 1.0 else "differs"),
        _claim(f"exponential convergence to the limits (paper's gap at t = 5: {paper_gap.get('1000*rand', float('nan')):.1e})",
               f"within 0.1% of every limit from t = {big['settling_time_rel_1e-3']:.3g}; max |x(5) - a| = "
               f"{big['max_abs_error_t5']:.1e}; steady state {big['max_abs_error_steady_state']:.1e}",
               "agrees" if big["max_abs_error_t5"] <= 1e-3 else "differs"),
    ]
    return {"fig11": fig11, "fig12": fig12}


def _activation_claims(facts: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    f4, f13 = facts["fig04"], facts["fig13"]
    ok4 = all(abs(f4["phi_at_0"][h] - f4["sqrt_h"][h]) < 1e-12 for h in f4["phi_at_0"])
    return {
        "fig04": [
            _claim("h = 0 is the ReLU", f"max |phi_0 - ReLU| on [-5, 5]: {f4['max_gap_h0_vs_relu']:.1e}",
                   "agrees" if f4["max_gap_h0_vs_relu"] == 0 else "differs"),
            _claim("smooth for h > 0 (phi(0) = sqrt(h))",
                   "phi(0): " + ", ".join(f"{v:.4f} (h = {h})" for h, v in f4["phi_at_0"].items()),
                   "agrees" if ok4 else "differs"),
        ],
        "fig13": [
            _claim("monotonic", f"strictly increasing on a grid of [-1000, 1000]: {f13['monotone_on_grid']}",
                   "agrees" if f13["monotone_on_grid"] else "differs"),
            _claim("grows like sqrt(y/2) as y -> inf",
                   f"phi(y)/sqrt(y/2) = {f13['ratio_to_sqrt_half_y_at_1e4']:.4f} at 1e4, {f13['ratio_to_sqrt_half_y_at_1e8']:.6f} at 1e8",
                   "agrees" if abs(f13["ratio_to_sqrt_half_y_at_1e8"] - 1) < 1e-3 else "differs"),
            _claim("tends to 0 as y -> -inf", f"phi(-1e4) = {f13['value_at_minus_1e4']:.2e}",
                   "agrees" if f13["value_at_minus_1e4"] < 1e-3 else "differs"),
        ],
    }


def compare_with_paper(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per figure of §6: the paper's caption and claims next to ours, each claim checked.

    Parameters
    ----------
    summary : mapping
        The reproduction summary (keys ``configurations``, ``activation_check``,
        ``chemistry``, ``figure10``, ``activations``, ``figures``, ``quick``).

    Returns
    -------
    list of dict
        One entry per figure: ``figure``, ``title``, ``paper`` (caption),
        ``file`` (our PNG) and ``claims`` (each ``paper``, ``ours``, ``verdict``).

    Examples
    --------
    >>> import json, rxnn
    >>> kept = Path(rxnn.__file__).resolve().parents[2] / "docs" / "reproduction"  # the repository's kept full run
    >>> [s["figure"] for s in compare_with_paper(json.loads((kept / "report.json").read_text(encoding="utf-8")))][:4]
    ['fig04', 'fig08', 'fig09', 'fig10']
    """
    claims: dict[str, list[dict[str, str]]] = {}
    claims.update(_activation_claims(summary["activations"]))
    claims.update(_training_claims(summary))
    claims["fig10"] = _figure10_claims(summary["figure10"])
    claims.update(_chemistry_claims(summary))
    return [
        {"figure": fig, "title": title, "paper": caption, "file": summary["figures"].get(fig), "claims": claims.get(fig, [])}
        for fig, (title, caption) in PAPER_FIGURES.items()
    ]


# --------------------------------------------------------------------------- document model
# A report is a list of blocks: ("h", level, text), ("p", text), ("ul", [items]),
# ("table", header, rows), ("figure", file, caption), ("side", paper_text, file, claims).


def _readings(summary: Mapping[str, Any]) -> list[str]:
    """Plain-language readings of the accuracy differences, worded from the numbers."""
    c = summary["configurations"]
    s = {k: c[k]["summary"] for k in c}
    h1b, h0b, q3b = (s[k]["batch_accuracy_last50"] for k in ("h1", "h0", "q3"))
    h1t, h0t, q3t = (s[k]["test_accuracy"] for k in ("h1", "h0", "q3"))

    def versus(stats: Mapping[str, float], paper: float) -> str:
        if stats["min"] <= paper <= stats["max"]:
            return f"the paper's {_pct(paper, 0)} lies inside our range over seeds"
        side = "above" if stats["min"] > paper else "below"
        return f"every seed is {side} the paper's {_pct(paper, 0)} (mean {100 * (stats['mean'] - paper):+.1f} points)"

    def mean(key: str, field: str) -> float:
        return sum(r[field] for r in c[key]["runs"]) / len(c[key]["runs"])

    wider = "larger" if h0t["sd"] > h1t["sd"] else "not larger"
    runs0 = c["h0"]["runs"]
    n_hidden = summary["settings"]["layer_sizes"][1]
    dead = [len(r["dead_hidden_units"]) for r in runs0]
    lost = [f"seed {r['seed']} also lost output node(s) {', '.join(map(str, r['dead_output_units']))} "
            f"(digit {', '.join(str(u - 1) for u in r['dead_output_units'])}), which then never wins, and reaches "
            f"{_pct(r['test_accuracy'])}" for r in runs0 if r["dead_output_units"]]
    out = [
        f"Smoothed ReLU (h = 1): batch accuracy (last 50 iterations) {_spread(h1b)}; {versus(h1b, 0.95)}. "
        f"The paper reads 'just over 95%' off the curve of one run. Test accuracy {_spread(h1t)}.",
        f"ReLU (h = 0): batch accuracy {_spread(h0b)}; {versus(h0b, 0.88)}. Test accuracy {_spread(h0t)}; the spread "
        f"between seeds (sd {100 * h0t['sd']:.1f} points) is {wider} than for h = 1 (sd {100 * h1t['sd']:.1f}). "
        f"With h = 0 a unit whose pre-activation is negative on every image gets zero gradient and stays dead: our ReLU "
        f"networks end with {min(dead)}-{max(dead)} of their {n_hidden} hidden units dead (zero on every test image "
        "evaluated), the h = 1 networks with none (phi > 0 everywhere)"
        + (f"; {'; '.join(lost)}" if lost else "")
        + ". How many units die depends on the initialisation and the first batches, so one seed's number (the "
        "paper's) is one draw from a wide distribution; details the paper does not state (the ReLU derivative at 0, "
        "Matlab's stream) may also move it.",
        f"q = 3: batch accuracy {_spread(q3b)} against {_spread(h0b)} for the ReLU "
        f"({100 * (q3b['mean'] - h0b['mean']):+.1f} points); test accuracy {_spread(q3t)}. The paper gives no number, "
        "only 'similar' to Fig. 9 for one seed. The q = 3 activation grows like sqrt(y/2): an output of 10 (the target) "
        "needs a pre-activation near 200 rather than 10, and there phi' = phi / (6 phi^2 - y) is about 1/(4 phi), so with "
        f"the same eta = 0.1 and {summary['settings']['iterations']} iterations the outputs approach their targets more "
        "slowly. Measured on the test images, the output at the true digit averages "
        + ", ".join(f"{mean(k, 'mean_output_true_digit'):.2f} ({c[k]['label']})" for k in ("h1", "h0", "q3"))
        + " against the target 10, and at the other digits "
        + ", ".join(f"{mean(k, 'mean_output_other_digits'):.2f}" for k in ("h1", "h0", "q3"))
        + " against the target 1.",
    ]
    if summary["quick"]:
        out.insert(0, f"This is a quick run ({summary['settings']['iterations']} iterations, "
                      f"{summary['settings']['n_test']} test images): accuracies are not comparable with the paper's.")
    return out


def _blocks(summary: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    st, check, t = summary["settings"], summary["activation_check"], summary["timings_seconds"]
    configs = summary["configurations"]
    h1 = configs["h1"]["summary"]["test_accuracy"]
    blocks: list[tuple[Any, ...]] = [
        ("h", 1, summary["title"]),
        ("p", f"rxnn {summary['rxnn_version']}, {summary['created_utc']}; command `{summary.get('command') or 'reproduce()'}`; "
              f"{'quick' if summary['quick'] else 'full'} run; wall time {t['total']:.0f} s."),
        ("h", 2, "Summary"),
        ("ul", [
            f"h = 1 test accuracy {_spread(h1)} (acceptance: mean >= 93% over >= 5 seeds: "
            f"{'met' if h1['mean'] >= 0.93 and h1['n'] >= 5 else 'not met'}).",
            "Compiled network against closed form: max error over all 50 nodes "
            + ", ".join(f"{k}: {v:.1e}" for k, v in check["max_abs_error_all_nodes"].items())
            + f" (tolerances 1e-3 at t = {check['t_end']:g}, 1e-8 at steady state: {'passed' if check['passed'] else 'FAILED'}).",
            f"Run time {t['total']:.0f} s on {summary['environment']['cpus']} CPU(s) "
            f"({', '.join(f'{k} {v:.0f} s' for k, v in t.items() if k != 'total')}).",
        ]),
        ("h", 2, "Setup"),
        ("p", f"Network {'-'.join(map(str, st['layer_sizes']))}, the §6 initialisation (W^l ~ N(0,1)/sqrt(c_(l-1)), "
              f"beta^l ~ N(0,1)), quadratic cost averaged over the batch, eta = {st['eta']}, {st['iterations']} iterations; "
              f"each iteration draws a fresh batch of {st['batch_size']} distinct images from the {st['n_train']} training "
              "images (Matlab's randperm(60000, 300)); targets 10 at the true digit and 1 elsewhere. Seeds "
              f"{', '.join(map(str, st['seeds']))}; each seed spawns independent numpy streams for the initialisation, the "
              "batches and the chemistry's random starts. The paper's Matlab stream (rng(1234)) cannot be reproduced in numpy, so "
              "runs agree with the paper in distribution, not digit for digit. 'Batch accuracy' is the mean over the last 50 "
              f"iterations of the fraction of the batch whose largest output is the true digit; 'test accuracy' is on "
              f"{st['n_test']} MNIST test images."),
        ("h", 2, "Accuracy (Figs. 8, 9, 14)"),
        ("table", ["configuration", "paper (batch, end of run, 1 seed)", "ours: batch accuracy, last 50 iterations",
                   "ours: test accuracy"],
         [[c["label"], {"h1": "just over 95%", "h0": "around 88%", "q3": "'similar' to ReLU"}[k],
           _spread(c["summary"]["batch_accuracy_last50"]), _spread(c["summary"]["test_accuracy"])]
          for k, c in configs.items()]),
        ("table", ["configuration", "seed", "test accuracy", "batch accuracy (last 50)", "final cost",
                   "dead hidden / output units", "train time", "model file"],
         [[c["label"], str(r["seed"]), _pct(r["test_accuracy"], 2), _pct(r["batch_accuracy_last50"], 2),
           f"{r['final_cost']:.3f}", f"{len(r['dead_hidden_units'])} / {len(r['dead_output_units'])}", f"{r['seconds']:.1f} s" + (f" (checkpoint at {r['resumed_from']})" if r["resumed_from"] else ""),
           f"`{r['model_file']}`"] for c in configs.values() for r in c["runs"]]),
        ("h", 3, "Reading the differences"),
        ("ul", _readings(summary)),
    ]
    blocks += _check_blocks(check)
    blocks.append(("h", 2, "Figures next to the paper's"))
    blocks.append(("p", "The paper's figures are not reproduced here; for each one, its caption and claims (left) stand next to "
                        "our figure and a check of each claim computed from our data (right)."))
    for entry in summary["comparison"]:
        blocks.append(("h", 3, f"Figure {int(entry['figure'][3:])}: {entry['title']}"))
        blocks.append(("side", entry["paper"], entry["file"], entry["claims"]))
    if "chemistry_in_the_loop" in summary:
        blocks += _loop_blocks(summary["chemistry_in_the_loop"])
    if "stochastic" in summary:
        blocks += _stochastic_blocks(summary["stochastic"])
    if "dna_budget" in summary:
        blocks += dna_blocks(summary["dna_budget"])
    blocks += [
        ("h", 2, "Run time and environment"),
        ("table", ["step", "seconds"], [[k, f"{v:.1f}"] for k, v in t.items()]),
        ("p", _environment(summary["environment"]) + f"; {st['jobs']} training worker process(es)."),
        ("p", "All numbers of this report are in `report.json`; trained networks are model files under `models/` "
              "(rxnn.io.model_file.load_model)."),
    ]
    return blocks


def _environment(env: Mapping[str, Any]) -> str:
    """``python 3.11.7, numpy ..., BLAS 1 thread (openblas 0.3.31, pthreads)``."""
    text = ", ".join(f"{k} {v}" for k, v in env.items() if k != "blas")
    if "blas" in env:
        libs = "; ".join(" ".join(str(lib[k]) for k in ("internal_api", "version", "threading_layer") if lib.get(k))
                         for lib in env["blas"]["libraries"]) or "no BLAS library loaded"
        text += f", BLAS {env['blas']['threads']} thread(s) in every step ({libs})"
    return text


def _loop_blocks(facts: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Closed-form training beside training whose every forward pass is the reaction network's steady state."""
    a, t = facts["test_accuracy"], facts["seconds"]
    return [
        ("h", 2, "Chemistry in the loop"),
        ("p", "The h = 1 configuration trained twice from the same seed, once with the closed-form forward pass "
              "(eqs. (6)-(7)) and once with every forward pass computed as the batched steady state of the compiled "
              "reaction network (Table 1), with phi' evaluated at the simulated values for backpropagation (§6.1's "
              f"remark). Largest parameter difference after training: {facts['max_parameter_difference']:.1e}."),
        ("table", ["forward pass of training", "test accuracy", "batch accuracy (last 50)", "training wall time"], [
            ["closed form", _pct(a["closed"], 2), _pct(facts["batch_accuracy_last50"]["closed"], 2), f"{t['closed']:.1f} s"],
            ["reaction network steady states", _pct(a["crn"], 2) + f" (closed-form outputs {_pct(a['crn_closed_form'], 2)})",
             _pct(facts["batch_accuracy_last50"]["crn"], 2),
             f"{t['crn']:.1f} s ({t['crn_steady_states']:.1f} s in {facts['steady_state_calls']} steady states)"],
        ]),
    ]


def dna_blocks(facts: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The DNA budget of the compiled 784-40-10 network per translation scheme (beyond the paper; rxnn.dsd).

    Examples
    --------
    >>> [b[0] for b in dna_blocks({"header": ["scheme", "strands"], "rows": [["lakin2012", 176550]]})]
    ['h', 'p', 'table']
    """
    return [
        ("h", 2, "DNA budget of the compiled network"),
        ("p", "The trained h = 1 network, compiled by Table 1, translated into DNA strand-displacement gates by each "
              "scheme of rxnn.dsd (soloveichik2010 takes the trimolecular Table 1 form, lakin2012 the bimolecular "
              "absorbed form of §5.1): what a lab would have to make. One module per reaction; counts do not depend "
              "on concentrations. Not in the paper."),
        ("table", list(facts["header"]), [list(row) for row in facts["rows"]]),
    ]


def _stochastic_blocks(facts: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Accuracy against volume: the compiled network at finite molecule counts (beyond the paper, §1)."""
    rows = [
        [f"{r['volume']:g}", r["method"], _pct(r["accuracy"]), _pct(r["deterministic_accuracy"]), _pct(r["agreement"]),
         f"{r['output_error']:.3g}", f"{r['output_spread']:.3g}", f"{r['n_events']:.3g}", f"{r['wall_time']:.1f} s"]
        for r in facts["rows"]
    ]
    n = len(facts["image_indices"])
    return [
        ("h", 2, "Stochastic simulation: accuracy against volume"),
        ("p", f"The trained h = 1 network (seed {facts['model_seed']}) simulated as a continuous-time Markov chain at "
              f"volume V (counts = V x concentration) on MNIST test images 0-{n - 1}; outputs time-averaged over "
              f"[{facts['window'][0]:g}, {facts['window'][1]:g}] from nodes at 1, classified by the largest output, next "
              "to the deterministic (ODE) classification of the same images. The paper leaves stochastic models to future "
              "work (§1): this answers how many molecules the network needs to classify as well as the ODE."),
        ("table", ["volume", "method", "accuracy", "ODE accuracy", "same class as ODE", "output RMS error",
                   "output std", "events", "wall time"], rows),
        ("side", "Not in the paper.", facts["figure"], []),
    ]


def _check_blocks(check: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    starts = list(check["at_t_end"])
    paper = check["paper"]
    header = ["node", "paper a (Matlab)"] + [f"paper x(5), {s}" for s in paper["at_t5"]] + ["ours: a (closed form)"]
    header += [f"ours: x({check['t_end']:g}), {s}" for s in starts] + [f"ours: steady state, {s}" for s in starts]
    rows = []
    for node in check["nodes"]:
        row = [node, f"{paper['closed_form'][node]:.12f}"] + [f"{paper['at_t5'][s][node]:.12f}" for s in paper["at_t5"]]
        row.append(f"{check['closed_form'][node]:.12f}")
        row += [f"{check['at_t_end'][s][node]:.12f}" for s in starts]
        row += [f"{check['steady_state'][s][node]:.12f}" for s in starts]
        rows.append(row)
    errors = [[k, f"{v:.2e}", "1e-3" if k.startswith("t=") else "1e-8",
               "yes" if v <= (1e-3 if k.startswith("t=") else 1e-8) else "NO"]
              for k, v in check["max_abs_error_all_nodes"].items()]
    return [
        ("h", 2, "Activation check (§6, Figs. 11-12)"),
        ("p", f"Protocol of §6: the network is initialised with seed {check['seed']}, takes one SGD iteration with batch size 1 "
              f"(training image index {check['image_index']}, a {check['label']}), and its activations a^l on that image are "
              f"compared with the compiled reaction network (Table 1) simulated from x00 = 10*u and 1000*u (u: 50 uniforms) to "
              f"t = {check['t_end']:g} and to steady state. The paper does not say which image its activations were computed "
              "on; we use the image of the single batch. Its printed digits come from Matlab's random stream and a different "
              "network, so they are shown for reference only: the check is our chemistry against our closed form."),
        ("table", header, rows),
        ("table", ["max over all 50 nodes of |chemistry - closed form|", "value", "tolerance", "within"], errors),
    ]


# --------------------------------------------------------------------------- rendering


def render_markdown(summary: Mapping[str, Any]) -> str:
    """The report as Markdown; figures are linked relative to the output directory.

    Examples
    --------
    >>> import json, rxnn
    >>> kept = Path(rxnn.__file__).resolve().parents[2] / "docs" / "reproduction"  # the repository's kept full run
    >>> render_markdown(json.loads((kept / "report.json").read_text(encoding="utf-8"))).splitlines()[0]
    '# Reproduction of §6 of Anderson, Deshpande & Joshi (2021)'
    """
    return _report_render.markdown(_blocks(summary))


def render_html(summary: Mapping[str, Any], out_dir: str | os.PathLike[str]) -> str:
    """The report as one self-contained HTML page: style inline, figures base64-embedded from ``out_dir``.

    Examples
    --------
    >>> import json, rxnn
    >>> kept = Path(rxnn.__file__).resolve().parents[2] / "docs" / "reproduction"  # the repository's kept full run
    >>> page = render_html(json.loads((kept / "report.json").read_text(encoding="utf-8")), kept)
    >>> page.startswith("<!DOCTYPE html>"), page.count("<img "), "https://" in page
    (True, 8, False)
    """
    return _report_render.html_page(summary["title"], _blocks(summary), Path(out_dir))


def write_report(summary: Mapping[str, Any], out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``report.json``, ``report.md`` and ``report.html`` into ``out_dir``; return their paths.

    Non-finite floats are written as ``null`` in the JSON (standard JSON has no NaN). Each file
    is written atomically (:func:`rxnn._files.atomic_output`): a reader sees the old report or
    the new one, and a path that is not a regular file is refused, not replaced.

    Examples
    --------
    >>> import json, rxnn, shutil, tempfile
    >>> kept = Path(rxnn.__file__).resolve().parents[2] / "docs" / "reproduction"  # the repository's kept full run
    >>> out = Path(shutil.copytree(kept, Path(tempfile.mkdtemp()) / "report"))
    >>> sorted(p.name for p in write_report(json.loads((kept / "report.json").read_text(encoding="utf-8")), out).values())
    ['report.html', 'report.json', 'report.md']
    """
    out_dir = check_output_folder(out_dir, "report folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json", "markdown": out_dir / "report.md", "html": out_dir / "report.html"}
    texts = {
        "json": _report_render.json_text(summary),
        "markdown": render_markdown(summary),
        "html": render_html(summary, out_dir),
    }
    for key, text in texts.items():
        with atomic_output(paths[key], "w", what="report file", encoding="utf-8") as f:
            f.write(text)
    return paths


# The JSON rendering lives with the others (rxnn.experiments._report_render); the old names stay for callers.
_finite, _json_default = _report_render.finite, _report_render.json_default
