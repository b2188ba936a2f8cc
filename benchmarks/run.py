"""``make bench``: measure the simulation engine and write ``benchmarks/results.md`` and ``results.json``.

Everything is measured in one run on the machine at hand, and reported as
ratios to baselines measured in the same run:

* the paper's 784-40-10 network (the §6 initialisation and after the §6
  training) on 1000 MNIST test images: the closed-form forward pass, rxnn's
  steady state, rxnn's transient to the time at which every state is within
  1e-6 of its limit, the hand-written layer ODE with SciPy's RK45 at the same
  tolerances, and libRoadRunner on the exported SBML (model load, and 20
  inputs to t = 20);
* widths 784-W-10 (W = 40, 160, 640) and depths 1-4 (hidden layers of 40);
* the steady state against the batch size;
* the core at a million reactions (``bench_core.py``);
* bound problems (``bench_bind.py``): ``rxnn.bind``'s steady state against the forward pass, and
  chemistry-in-the-loop training against closed-form training.

BLAS runs on one thread (set before numpy is imported): on a shared 2-core
machine the small products of a 784-40-10 network are slower with threads,
and both sides of every ratio run under the same setting. MNIST comes from
``RXNN_DATA`` or the user cache and is fetched when missing.

Usage: ``python benchmarks/run.py [--quick] [--skip-roadrunner] [--roadrunner-timeout S]``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_bind  # noqa: E402
import bench_core  # noqa: E402
import bench_ssa  # noqa: E402
import bench_engine as be  # noqa: E402

from rxnn import FeedForwardNetwork, SmoothReLU, __version__  # noqa: E402

TARGET_STEADY_RATIO = 20.0
TARGET_STEADY_ERROR = 1e-8
TARGET_ROADRUNNER_SPEEDUP = 1000.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def network_rows(results: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| network | species | reactions | closed form | rxnn steady state | ratio | max rel. error | first call | "
        "peak memory | T (1e-6) | rxnn transient | hand-written RK45 | ratio | errors at T (rxnn / hand) |",
        "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s, c = r["steady_state"], r["closed_form"]
        cells = [
            r["network"], f"{r['species']:,}", f"{r['reactions']:,}", _ms(c["median_s"]), _ms(s["median_s"]),
            f"{s['ratio_to_closed_form']:.1f}x", f"{s['max_rel_error']:.1e}", _ms(s["first_call_s"]), f"{s['peak_mib']:,.0f} MiB",
        ]
        tr = r.get("transient")
        if tr:
            cells += [f"{tr['T']:g}", f"{_ms(tr['rxnn']['median_s'])} ({tr['rxnn']['method']}, {tr['rxnn']['nfev']} evals)",
                      f"{_ms(tr['hand_written_rk45']['median_s'])} ({tr['hand_written_rk45']['nfev']} evals)",
                      f"{tr['ratio_rxnn_to_hand']:.2f}x",
                      f"{tr['rxnn']['max_abs_error']:.1e} / {tr['hand_written_rk45']['max_abs_error']:.1e}"]
        else:
            cells += ["", "", "", "", ""]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def targets(paper: list[dict[str, Any]], rr: dict[str, Any], sizes: list[dict[str, Any]], scan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and a verdict."""
    out = []
    for r in paper:
        s = r["steady_state"]
        out.append({"target": f"steady state of {r['batch']} inputs <= {TARGET_STEADY_RATIO:g}x the closed form ({r['network']})",
                    "measured": f"{s['ratio_to_closed_form']:.1f}x", "met": s["ratio_to_closed_form"] <= TARGET_STEADY_RATIO})
        out.append({"target": f"steady state largest relative error <= {TARGET_STEADY_ERROR:g} ({r['network']})",
                    "measured": f"{s['max_rel_error']:.1e}", "met": s["max_rel_error"] <= TARGET_STEADY_ERROR})
    for r in paper + sizes:
        tr = r.get("transient")
        if tr:
            out.append({"target": f"transient no slower than the hand-written layer ODE ({r['network']})",
                        "measured": f"{tr['ratio_rxnn_to_hand']:.2f}x its time", "met": tr["ratio_rxnn_to_hand"] <= 1.0})
    steady = paper[0]["steady_state"]["median_s"]
    forms = rr.get("forms", {})
    for form, rec in forms.items():
        if rec.get("status") == "ok":
            rec["speedup_1000"], rec["speedup_prefix"] = (rec["load_s"] + 1000 * rec["per_input_median_s"]) / steady, ""
        elif "lower_bound_load_s" in rec:
            rec["speedup_1000"], rec["speedup_prefix"] = rec["lower_bound_load_s"] / steady, ">= "
        if "speedup_1000" in rec:
            out.append({"target": f"steady states of 1000 inputs >= {TARGET_ROADRUNNER_SPEEDUP:g}x faster than libRoadRunner "
                                  f"(model load plus 1000 simulations to t = 20; {form} SBML)",
                        "measured": f"{rec['speedup_prefix']}{rec['speedup_1000']:,.0f}x",
                        "met": rec["speedup_1000"] >= TARGET_ROADRUNNER_SPEEDUP})
    if not any("speedup_1000" in rec for rec in forms.values()):
        out.append({"target": "steady states >= 1000x faster than libRoadRunner", "measured": rr.get("status", "not run"),
                    "met": None})
    per = [r["steady_state"]["median_s"] / (r["reactions"] * r["batch"]) for r in sizes]
    spread = max(per) / min(per) if per else float("nan")
    out.append({"target": "steady-state cost linear in the number of reactions (widths and depths)",
                "measured": f"time per reaction per input varies {spread:.1f}x over "
                            f"{min(r['reactions'] for r in sizes):,}-{max(r['reactions'] for r in sizes):,} reactions",
                "met": spread <= 3.0})
    big = [r for r in scan if r["batch"] >= 1000]
    if len(big) >= 2:
        per_b = [r["steady_per_input_us"] for r in big]
        spread_b = max(per_b) / min(per_b)
        out.append({"target": "steady-state cost linear in the batch (batch >= 1000)",
                    "measured": f"time per input varies {spread_b:.1f}x over batches {big[0]['batch']}-{big[-1]['batch']}",
                    "met": spread_b <= 2.0})
    return out


def write(report: dict[str, Any], out_dir: Path) -> None:
    lines = [
        "# rxnn benchmarks",
        "",
        f"Written by `make bench` (`benchmarks/run.py`) on {report['when']}: rxnn {report['rxnn']}, "
        f"Python {report['python']}, numpy {report['numpy']}, scipy {report['scipy']}; {report['machine']}; "
        f"BLAS threads {report['blas_threads']}; total {report['total_s']:.0f} s. Times are wall-clock medians of "
        "repeats, each baseline measured in the same loop as rxnn; the machine may be shared, so compare ratios.",
        "",
        "Inputs: the first 1000 MNIST test images; nodes start at 1000 * uniform(0, 1) (the §6 1000x start); "
        "the steady state and the transient are computed on the compiled reaction network of Table 1 with all its "
        "enzymatic species (`compile_network(net)`), from the `initial` mapping, through the public `rxnn.steady_state` "
        "and `rxnn.simulate(method=\"auto\")`. \"first call\" includes the engine's one-time structure discovery.",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|:---|---:|:---:|",
    ]
    for t in report["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else ('n/a' if t['met'] is None else 'NO')} |")
    lines += ["", "## The paper's network (784-40-10, §6)", "", *network_rows(report["paper"]), ""]
    if report.get("training_s"):
        lines += [f"Trained: 1000 SGD iterations, batch 300, eta 0.1, seed 1234 (`rxnn.experiments.training.train`, "
                  f"{report['training_s']:.1f} s).", ""]
    rr = report["roadrunner"]
    steady = report["paper"][0]["steady_state"]["median_s"]
    lines += ["## libRoadRunner (784-40-10, SBML export)", "",
              "libRoadRunner runs in a child process started first, on the second core, while the other measurements "
              "go on (its model loads take minutes). Per input: reset, set the 784 inputs and 50 nodes "
              f"(1000 * uniform), simulate to t = 20 with CVODE at rtol {be.RTOL:g}, atol {be.ATOL:g}. rxnn's number is "
              f"its steady state of 1000 inputs from the table above ({_ms(steady)}).", ""]
    if "forms" in rr:
        lines += ["| SBML model | species | reactions | write | model load | per input | largest error | "
                  "load + 1000 inputs vs rxnn |", "|:---|---:|---:|---:|---:|---:|---:|---:|"]
        for form, rec in rr["forms"].items():
            if rec.get("status") == "ok":
                cells = [f"{rec['load_s']:.1f} s", _ms(rec["per_input_median_s"]), f"{rec['max_abs_error']:.1e}"]
            else:
                cells = [rec.get("status", ""), "", ""]
            speed = f"{rec.get('speedup_prefix', '')}{rec['speedup_1000']:,.0f}x" if "speedup_1000" in rec else ""
            lines.append(f"| {rec['model']} | {rec['species']:,} | {rec['reactions']:,} | {rec['write_sbml_s']:.1f} s | "
                         + " | ".join(cells) + f" | {speed} |")
        lines.append("")
    else:
        lines += [f"{rr.get('status')}.", ""]
    lines += ["## Growth with network size", "", "Widths 784-W-10 and depths 784-40-...-40-10 (random §6 initialisation, seed 1234).",
              "", *network_rows(report["sizes"]), ""]
    per = ["| network | reactions | steady state per reaction per input |", "|:---|---:|---:|"]
    for r in report["sizes"]:
        per.append(f"| {r['network']} | {r['reactions']:,} | {1e9 * r['steady_state']['median_s'] / (r['reactions'] * r['batch']):.2f} ns |")
    lines += per + [""]
    lines += ["## Steady state against the batch (784-40-10)", "", "| batch | closed form | rxnn steady state | per input | ratio |",
              "|---:|---:|---:|---:|---:|"]
    for r in report["batch_scan"]:
        lines.append(f"| {r['batch']:,} | {_ms(r['closed_form_s'])} | {_ms(r['steady_state_s'])} | "
                     f"{r['steady_per_input_us']:.1f} us | {r['steady_state_s'] / r['closed_form_s']:.1f}x |")
    lines += ["", report["core_markdown"], report["bind_markdown"], f"Peak resident memory of the whole run: {report['peak_rss_mib']:,.0f} MiB.", ""]
    # Measurements of other scripts (SBML, stochastic), kept as their own Markdown files.
    for section in sorted((Path(__file__).parent / "sections").glob("*.md")):
        lines += ["", section.read_text().rstrip()]
    (out_dir / "results.md").write_text("\n".join(lines) + "\n")
    report = {k: v for k, v in report.items() if k not in ("core_markdown", "bind_markdown")}
    (out_dir / "results.json").write_text(json.dumps(report, indent=1, default=float))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 inputs, fewer networks and repeats (a smoke test)")
    parser.add_argument("--skip-roadrunner", action="store_true")
    parser.add_argument("--roadrunner-timeout", type=float, default=840.0,
                        help="seconds from its start after which the libRoadRunner child is stopped (default 840)")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    n = 200 if args.quick else 1000
    d_all = be.mnist_test(10000)
    d = d_all[:n]
    init = FeedForwardNetwork.random([784, 40, 10], SmoothReLU(be.H), seed=1234)
    job = None
    if not args.skip_roadrunner:
        _log(f"libRoadRunner: SBML export; model load in a child process (up to {args.roadrunner_timeout:g} s)")
        job = be.RoadRunnerJob(init, d).start()
    _log("784-40-10, §6 initialisation")
    paper = [be.bench_network("784-40-10 initial", init, d, repeat=5 if args.quick else 11, transient_repeat=5)]
    seconds: list[float] = []
    if not args.quick:
        _log("training 784-40-10 (1000 iterations)")
        trained = be.trained_paper_network(seconds)
        _log("784-40-10, trained")
        paper.append(be.bench_network("784-40-10 trained", trained, d, repeat=11, transient_repeat=5))
    sizes = []
    shapes = [[784, 40, 10], [784, 160, 10]] if args.quick else [
        [784, 40, 10], [784, 160, 10], [784, 640, 10], [784, 40, 40, 10], [784, 40, 40, 40, 10], [784, 40, 40, 40, 40, 10]]
    for shape in shapes:
        label = "-".join(map(str, shape))
        _log(label)
        net = FeedForwardNetwork.random(shape, SmoothReLU(be.H), seed=1234)
        big = shape[1] >= 640
        sizes.append(be.bench_network(label, net, d, repeat=3 if big else 7, transient_repeat=2 if big else 5))
    _log("batch scan")
    scan = be.batch_scan(init, d_all, (100, 1000) if args.quick else (100, 1000, 10000))
    _log("core at scale")
    core_md, core = bench_core.run(100_000 if args.quick else 1_000_000)
    _log("bound problems (rxnn.bind) and chemistry-in-the-loop training")
    bind_md, bound = bench_bind.run(args.quick)
    _log("exact SSA against rebop")
    bench_ssa.write_section(args.quick)  # sections/25_ssa.md, collected into results.md by write()
    if job is None:
        rr: dict[str, Any] = {"status": "skipped (--skip-roadrunner)"}
    else:
        _log("waiting for libRoadRunner")
        rr = job.result(args.roadrunner_timeout)
        rr["concurrent"] = True
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "rxnn": __version__, "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "quick": args.quick, "paper": paper, "roadrunner": rr, "sizes": sizes, "batch_scan": scan, "core": core,
        "core_markdown": core_md, "bind": bound, "bind_markdown": bind_md, "training_s": seconds[0] if seconds else None,
    }
    report["targets"] = targets(paper, rr, sizes, scan) + bound["targets"]
    report["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report["total_s"] = time.perf_counter() - start
    write(report, args.out)
    _log(f"wrote {args.out / 'results.md'} and results.json in {report['total_s']:.0f} s")
    for t in report["targets"]:
        print(f"{'MET ' if t['met'] else ('n/a ' if t['met'] is None else 'MISS')} {t['target']}: {t['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
