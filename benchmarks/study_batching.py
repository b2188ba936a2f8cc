"""Does exact batching (batss) pay over rxnn's exact SSA? A measured study (issue 17, item 4).

Run (not part of ``make bench``; batss is not a dependency of rxnn, it pulls jupyterlab)::

    OPENBLAS_NUM_THREADS=1 RXNN_DATA=/work/shared/data \\
        PYTHONPATH=src:/work/main/.venv/lib/python3.11/site-packages \\
        /tmp/bvenv/bin/python benchmarks/study_batching.py [--quick] [--output FILE]

where ``/tmp/bvenv`` is a scratch venv with ``batss==1.0.4`` (Petrack & Doty 2025,
arXiv 2508.04079); the project's site-packages go on PYTHONPATH so that rxnn
finds numba (without it rxnn's SSA runs its pure-Python loop, ~200x slower;
the script refuses to run then). It writes ``benchmarks/batching_study.md``
(outside ``sections/``, whose files ``make bench`` collects into ``results.md``:
``make bench`` does not run this study).

Both simulators get the same reactions with the same law. batss's ``"crn"``
method takes each rate constant k in mass-action units and a ``volume`` V and
uses the count constant k / V^(order - 1) (``batss.crn.convert_to_uniform``),
which is rxnn's k V^(1 - order); it pads every reaction with the filler K to
the largest order (``0 -> X`` becomes ``2K -> 2K + X``, ``X -> 0`` becomes
``X + K -> K + W``) and rescales by K's count itself; both use k n (n - 1) / V
for ``2X`` (checked by the dimerisation row: its end count agrees at V = 1 and
V = 10, and with the ODE fixed point sqrt(k1 / k2)). Initial counts are
round(V x0) on both sides. Every row's law check compares the mean end count of
a few species over the timed seeds (standard errors beside them; |z| is the
difference over the combined standard error); the birth-death rows also give
the closed form E X(t) = m + (x0 - m) e^(-t).

Times are ``time.process_time`` around the run only (rxnn's numba kernel
compiled and the network lowered before; batss's ``Simulation`` built before,
its build time given apart), median over the seeds, runs interleaved. batss does
not count events; both sample the same law, so its events are taken as rxnn's
mean count (the expected count is the same). batss on the 784-40-10 network runs
in a child process under a time limit; what happens there is recorded.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from rxnn import ReactionNetwork
from rxnn._files import atomic_output
from rxnn.compile import compile_network
from rxnn.crn.stochastic import simulate_stochastic
from rxnn.nn import FeedForwardNetwork, SmoothReLU

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ssa import mnist_image  # noqa: E402 - the one image helper of the SSA benchmarks

from batss import Simulation, Specie
from batss.crn import Expression, Reaction

SECTION = Path(__file__).resolve().parent / "batching_study.md"
COMMAND = ("OPENBLAS_NUM_THREADS=1 RXNN_DATA=/work/shared/data "
           "PYTHONPATH=src:/work/main/.venv/lib/python3.11/site-packages "
           "/tmp/bvenv/bin/python benchmarks/study_batching.py")


def counts_of(network: ReactionNetwork, initial: dict[str, float], volume: float) -> dict[str, int]:
    """round(V x0) molecules per species (rxnn rounds halves to even; so does Python's round)."""
    return {s: int(round(volume * float(np.ravel(initial.get(s, 0.0))[0]))) for s in network.species}


def batss_build(network: ReactionNetwork, counts: dict[str, int], volume: float, seed: int) -> tuple[Any, dict]:
    """A batss ``Simulation`` ("crn" method) of ``network`` as written, mass-action rates and volume V."""
    sp = {s: Specie(s) for s in network.species}
    rule = [Reaction(Expression([sp[s] for s, n in r.reactants.items() for _ in range(n)]),
                     Expression([sp[s] for s, n in r.products.items() for _ in range(n)]), k=float(r.rate))
            for r in network.reactions]
    used = {s.name for r in rule for s in r.reactants.species + r.products.species}
    init = {sp[s]: c for s, c in counts.items() if c > 0 and s in used}
    return Simulation(init, rule=rule, volume=volume, seed=seed, simulator_method="crn"), sp


def batss_run(network: ReactionNetwork, counts: dict[str, int], volume: float, t_end: float, seed: int,
              watch: list[str], warmup: tuple[float, ...] = ()) -> dict[str, Any]:
    """Build, run the ``warmup`` stretches untimed, then time one batss run of t_end more; end counts of ``watch``."""
    start = time.process_time()
    sim, sp = batss_build(network, counts, volume, seed)
    build = time.process_time() - start
    for w in warmup:
        sim.run(w, history_interval=w, stopping_interval=w, timer=False)
    start = time.process_time()
    sim.run(t_end, history_interval=t_end, stopping_interval=t_end, timer=False)
    cpu = time.process_time() - start
    end = sim.config_dict
    return {"cpu": cpu, "build": build, "end": [int(end.get(sp[s], 0)) for s in watch],
            "active": float(sim.simulator.active_reaction_probability()), "gillespie": bool(sim.simulator.do_gillespie)}


def _child(queue: Any, args: tuple) -> None:
    try:
        queue.put(batss_run(*args))
    except BaseException as exc:  # noqa: BLE001 - reported in the row
        queue.put({"error": f"{type(exc).__name__}: {exc}"[:300]})


def batss_run_limited(args: tuple, limit: float) -> dict[str, Any]:
    """batss_run in a forked child, killed after ``limit`` wall seconds (the row says so)."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, args))
    start = time.perf_counter()
    proc.start()
    proc.join(limit)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return {"error": f"did not finish in {limit:g} s wall (killed)"}
    if proc.exitcode != 0:
        return {"error": f"child exited with code {proc.exitcode} after {time.perf_counter() - start:.1f} s"}
    return queue.get()


def rxnn_run(network: ReactionNetwork, initial: dict[str, float], volume: float, t_end: float, seed: int,
             watch: list[str]) -> dict[str, Any]:
    start = time.process_time()
    res = simulate_stochastic(network, initial, (0, t_end), [0, t_end], volume=volume, seed=seed, observe=watch,
                              round_enzymes=True)
    cpu = time.process_time() - start
    return {"cpu": cpu, "events": int(res.n_events[0]), "channels": int(res.n_channels),
            "end": [int(np.ravel(res.counts(s))[-1]) for s in watch]}


def mean_se(values: list[float]) -> tuple[float, float]:
    return statistics.mean(values), (statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else math.nan)


def study(label: str, network: ReactionNetwork, initial: dict[str, float], volume: float, t_end: float,
          watch: list[str], seeds: int, limit: float | None = None, exact: list[float] | None = None,
          run_batss: bool = True, warmup: tuple[float, ...] = ()) -> dict:
    """Interleaved rxnn / batss runs over ``seeds`` seeds; medians, rates and the law check.

    With ``warmup`` (stretches batss runs untimed first, e.g. to reach its batch phase), rxnn runs the
    whole horizon W + t_end; the row's events are those after W (the same seed gives the same path,
    so n_events(W + t_end) - n_events(W)), and rxnn's CPU is prorated by those events.
    """
    pre = sum(warmup)
    initial = {k: float(np.ravel(v)[0]) for k, v in initial.items()}
    counts = counts_of(network, initial, volume)
    simulate_stochastic(network, initial, (0, t_end / 1000), [0, t_end / 1000], volume=volume, seed=0,
                        observe=watch, round_enzymes=True)  # compile / lower
    ours, theirs = [], []
    for seed in range(seeds):
        ours.append(rxnn_run(network, initial, volume, pre + t_end, seed, watch))
        if warmup:
            window = ours[-1]["events"] - rxnn_run(network, initial, volume, pre, seed, watch)["events"]
            ours[-1]["cpu"] *= window / ours[-1]["events"]
            ours[-1]["events"] = window
        if not run_batss:
            theirs = [{"error": "not run (rxnn alone at a longer horizon: its throughput without the per-call cost)"}]
            continue
        args = (network, counts, volume, t_end, 1000 + seed, watch, warmup)
        got = batss_run(*args) if limit is None else batss_run_limited(args, limit)
        if "error" in got:  # the first failure ends the row: said in the table
            theirs = [got]
            break
        theirs.append(got)
    row = {"network": label, "V": volume, "t": t_end, "species": len(network.species),
           "reactions": len(network.reactions), "channels": ours[0]["channels"],
           "events": statistics.mean(r["events"] for r in ours), "rxnn_s": statistics.median(r["cpu"] for r in ours),
           "seeds": len(ours), "watch": watch}
    row["rxnn_rate"] = row["events"] / row["rxnn_s"]
    if "error" in theirs[0]:
        row["batss_error"] = theirs[0]["error"]
        return row
    row["batss_s"] = statistics.median(r["cpu"] for r in theirs)
    row["batss_build_s"] = statistics.median(r["build"] for r in theirs)
    row["batss_rate"] = row["events"] / row["batss_s"]
    row["active"] = statistics.median(r["active"] for r in theirs)
    row["gillespie"] = sum(r["gillespie"] for r in theirs)
    row["speedup"] = row["rxnn_s"] / row["batss_s"]
    checks = []
    for j, s in enumerate(watch):
        a = mean_se([r["end"][j] for r in ours])
        b = mean_se([r["end"][j] for r in theirs])
        z = abs(a[0] - b[0]) / math.hypot(a[1], b[1]) if math.hypot(a[1], b[1]) > 0 else (0.0 if a[0] == b[0] else math.inf)
        checks.append({"species": s, "rxnn": a, "batss": b, "z": z,
                       "exact": None if exact is None else exact[j]})
    row["checks"] = checks
    return row


def rows(quick: bool = False) -> list[dict]:
    seeds = 3 if quick else 8
    scale = 0.1 if quick else 1.0
    out = []
    # units check: 2X -> X with k n (n - 1) / V on both sides, at two volumes (ODE fixed point sqrt(k1/k2) = 31623)
    for v in (1.0, 10.0):
        dimer = ReactionNetwork.from_text(f"0 -> X ; {1e6 / v:g}\n2X -> X ; {1e-3 * v:g}")
        out.append(study("dimerisation 0 -> X, 2X -> X (units check)", dimer, {"X": 1000.0 / v}, v, 2.0 * scale,
                         ["X"], seeds))
        print(out[-1], flush=True)
    for m in (1e4, 1e6, 1e8):
        bd = ReactionNetwork.from_text(f"0 -> X ; {m:g}\nX -> 0 ; 1")
        t = 5e7 / m * scale  # ~1e8 events at full scale
        out.append(study(f"birth-death, mean {m:.0e}, from m/2", bd, {"X": m / 2}, 1.0, t, ["X"], seeds,
                         exact=[m - m / 2 * math.exp(-t)]))
        print(out[-1], flush=True)
    small = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=3), absorb_enzymes=True)
    for v, t in ((1e3, 2000.0), (1e4, 200.0), (1e5, 20.0), (1e7, 0.2), (1e9, 0.002)):  # 1.5-2e7 events
        out.append(study("compiled 2-2-1 (absorbed)", small.network, small.initial_state([0.5, 0.3], 1.0), v,
                         t * scale, ["X2_1", "X1_1", "X1_2"], seeds))
        print(out[-1], flush=True)
    # a sharper law check where it is cheap: many seeds at a horizon past the transient
    out.append(study("compiled 2-2-1 (absorbed), law check", small.network, small.initial_state([0.5, 0.3], 1.0), 1e3,
                     20.0, ["X2_1", "X1_1", "X1_2"], 10 if quick else 60))
    print(out[-1], flush=True)
    big = compile_network(FeedForwardNetwork.random([784, 40, 10], SmoothReLU(1.0), seed=1234), absorb_enzymes=True)
    image, what = mnist_image()
    # batss takes ~10 s CPU per 1e-3 time units here (measured), so a horizon of a few hundred events
    for v, t, n in ((1e3, 0.002, 3), (1e4, 0.0002, 3), (1e8, 7e-8, 2)):
        out.append(study(f"compiled 784-40-10 (absorbed), {what}", big.network, big.initial_state(image[None, :], 1.0),
                         v, t * scale, list(big.layer_species(2)[:3]), n, limit=150.0))
        print(out[-1], flush=True)
    # batss left its Gillespie phase on this network only after a few runs (seen at V = 1e8): time it there
    out.append(study(f"compiled 784-40-10 (absorbed), {what}; batss after untimed runs of 1e-8 and 2e-8 "
                     "(its batch phase; rxnn CPU prorated by events)", big.network,
                     big.initial_state(image[None, :], 1.0), 1e8, 4e-8 * scale, list(big.layer_species(2)[:3]), 2,
                     limit=150.0, warmup=(1e-8 * scale, 2e-8 * scale)))
    print(out[-1], flush=True)
    for v, t in ((1e3, 0.5), (1e4, 0.05)):
        out.append(study(f"compiled 784-40-10 (absorbed), {what}", big.network, big.initial_state(image[None, :], 1.0),
                         v, t * scale, list(big.layer_species(2)[:3]), 3, run_batss=False))
        print(out[-1], flush=True)
    return out


def _fmt_check(c: dict) -> str:
    (a, sa), (b, sb) = c["rxnn"], c["batss"]
    text = f"{c['species']}: {a:.9g} ± {sa:.2g} / {b:.9g} ± {sb:.2g} (\\|z\\| {c['z']:.1f})"
    if c["exact"] is not None:
        text += f", exact {c['exact']:.9g}"
    return text


def markdown(results: list[dict], command: str) -> str:
    lines = ["## Exact batching (batss) against rxnn's exact SSA (`benchmarks/study_batching.py`)", "",
             f"Command: `{command}`; batss {version('batss')} (`simulator_method=\"crn\"`), one core, "
             "process CPU time of the run only (median over the seeds, interleaved), events = rxnn's mean count "
             "(the same law, so the same expected count for batss). Law check: mean end count over the seeds, "
             "rxnn / batss, ± standard error; \\|z\\| = difference / combined SE (agreement: \\|z\\| < 4). "
             "batss active fraction: `active_reaction_probability()` at the end of the run (the share of the "
             "uniformised CRN's sampled reactions, K filler included, that change the original CRN), median over "
             "the seeds; in how many seeds batss was in its Gillespie phase at the end. Rows of 2-3 seeds are a "
             "weak law check, and where one side's seeds all ended alike its SE is 0 and \\|z\\| is no check "
             "(the 1e8 row after warm-up runs: X2_1 differs by 10 molecules in 1e8).", "",
             "| network | V | t | species / reactions / channels | events | rxnn CPU | rxnn events/s | batss CPU "
             "(build) | batss events/s | batss active fraction (Gillespie phase at end) | rxnn time / batss time "
             "| law check (seeds) |",
             "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|"]
    for r in results:
        cells = [r["network"], f"{r['V']:g}", f"{r['t']:g}", f"{r['species']} / {r['reactions']} / {r['channels']}",
                 f"{r['events']:.3g}", f"{r['rxnn_s']:.3f} s", f"{r['rxnn_rate']:.3g}"]
        if "batss_error" in r:
            what = r["batss_error"] if r["batss_error"].startswith("not run") else f"failed: {r['batss_error']}"
            cells += [what, "", "", "", f"({r['seeds']} rxnn seeds)"]
        else:
            cells += [f"{r['batss_s']:.3f} s ({r['batss_build_s']:.2f} s)", f"{r['batss_rate']:.3g}",
                      f"{r['active']:.3g} ({r['gillespie']} of {r['seeds']})",
                      f"{r['speedup']:.3g}x", "; ".join(_fmt_check(c) for c in r["checks"]) + f" ({r['seeds']})"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the horizons, 3 seeds")
    parser.add_argument("--output", type=Path, default=SECTION, help="where the markdown table goes")
    args = parser.parse_args(argv)
    results = rows(args.quick)
    text = markdown(results, COMMAND + (" --quick" if args.quick else ""))
    print(text)
    with atomic_output(args.output, "w") as fh:
        fh.write(text)
    return 0


if __name__ == "__main__":
    try:
        import numba  # noqa: F401 - rxnn's compiled SSA kernels
    except ImportError:
        sys.exit("numba is not importable: put the project's site-packages on PYTHONPATH (see the docstring)")
    sys.exit(main())
