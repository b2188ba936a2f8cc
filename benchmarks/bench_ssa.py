"""rxnn's exact SSA against rebop (Rust), side by side in one process, in process CPU time.

Run ``python benchmarks/bench_ssa.py [--quick] [--output FILE]``; ``make bench``
(``benchmarks/run.py``) runs it and puts its section into ``results.md``.

Both simulators are asked the same thing: one trajectory of the same channels
(the network's reactions, given to rebop as mass-action reactions with the
same count constants k V^(1 - order), enzymes as species; both use k n (n - 1)
for 2X; rxnn aggregates them into channels itself, rebop cannot), output only at the start and
the end (rxnn ``t_eval=[t0, t1]``, rebop ``nb_steps=1``). rebop does not report
its number of events; both sample the same law, so its count is taken as
rxnn's mean count over the same runs (the expected number of events is the
same). Each measurement is the median of interleaved repeats of
``time.process_time`` around the call (the numba kernel compiled, rebop's
first run done, before timing). Networks:

* birth-death ``0 -> X`` (1000), ``X -> 0`` (1), from 1000 to t = 1000 (~2e6 events);
* dimerisation ``0 -> X`` (1000), ``2X -> X`` (0.001), from 1000 to t = 1000 (~2e6 events);
* a random 100-reaction network (seed 7: 20 species, births, deaths, conversions,
  bimolecular and dimerising losses);
* compiled networks: 2-2-1 absorbed (V = 100), and the absorbed 784-40-10 at V = 100
  on one MNIST test image (a random input if MNIST is absent) with the random §6
  weights; on it rebop is run to a shorter horizon (it recomputes every
  propensity per event), said in the row.

rebop is the ``bench`` extra (``rebop==0.9.2``); without it the rebop columns
say so and only rxnn is measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from rxnn import ReactionNetwork
from rxnn._files import atomic_output
from rxnn.compile import compile_network
from rxnn.crn.stochastic import simulate_stochastic
from rxnn.nn import FeedForwardNetwork, SmoothReLU

try:
    import rebop
except ImportError:  # pragma: no cover - depends on the environment
    rebop = None

SECTION = Path(__file__).resolve().parent / "sections" / "25_ssa.md"


def random_network(seed: int = 7, n_species: int = 20, n_reactions: int = 100) -> ReactionNetwork:
    """A bounded random network: a birth and a death per species, the rest conversions and losses."""
    rng = np.random.default_rng(seed)
    x = [f"X{i}" for i in range(n_species)]
    lines = [f"0 -> {s} ; {rng.uniform(50, 200):.4g}" for s in x] + [f"{s} -> 0 ; {rng.uniform(0.1, 1):.4g}" for s in x]
    seen: set[str] = set()
    while len(lines) < n_reactions:
        i, j, k = rng.choice(n_species, 3, replace=False)
        kind = rng.integers(3)
        edge = [f"{x[i]} -> {x[j]}", f"{x[i]} + {x[j]} -> {x[k]}", f"2{x[i]} -> {x[j]}"][kind]
        if edge not in seen:  # one rate per reaction
            seen.add(edge)
            lines.append(f"{edge} ; {rng.uniform(0.1, 1) if kind == 0 else rng.uniform(1e-4, 1e-3):.4g}")
    return ReactionNetwork.from_text("\n".join(lines))


def _rebop_model(network: ReactionNetwork, initial: dict[str, float], volume: float) -> tuple[Any, dict[str, int]]:
    """rebop's Gillespie with the network's reactions as written (enzymes as species), in molecule counts.

    A reaction of order m (reactant coefficients summed, enzymes included) has
    the count constant k V^(1 - m), as in rxnn; enzyme counts are round(V e),
    as rxnn's ``round_enzymes=True`` (used on these rows), so both sample one law.
    """
    model = rebop.Gillespie()
    for r in network.reactions:
        order = sum(r.reactants.values())
        model.add_reaction(float(r.rate) * volume ** (1 - order),
                           [s for s, n in r.reactants.items() for _ in range(n)],
                           [s for s, n in r.products.items() for _ in range(n)])
    counts = {s: int(round(volume * initial.get(s, 0.0))) for s in network.species}
    return model, counts


def compare(label: str, network: ReactionNetwork, initial: dict[str, float], t_end: float, volume: float = 1.0,
            repeats: int = 5, rebop_t_end: float | None = None) -> dict[str, Any]:
    """Median CPU seconds and events/s of rxnn and rebop on one network, runs interleaved."""
    initial = {k: float(np.ravel(v)[0]) for k, v in initial.items()}  # one input
    kw = dict(volume=volume, observe=[], round_enzymes=True)
    simulate_stochastic(network, initial, (0, t_end / 100), [0, t_end / 100], seed=0, **kw)  # compile / load
    model, counts = _rebop_model(network, initial, volume) if rebop is not None else (None, None)
    rt = t_end if rebop_t_end is None else rebop_t_end
    if model is not None:
        model.run(counts, rt / 100, 1, rng=0)
    ours, theirs, events, events_rt = [], [], [], []
    for r in range(repeats):
        start = time.process_time()
        res = simulate_stochastic(network, initial, (0, t_end), [0, t_end], seed=r, **kw)
        ours.append(time.process_time() - start)
        events.append(int(res.n_events[0]))
        if model is not None:
            if rt != t_end:
                events_rt.append(int(simulate_stochastic(network, initial, (0, rt), [0, rt], seed=r, **kw).n_events[0]))
            start = time.process_time()
            model.run(counts, rt, 1, rng=r)
            theirs.append(time.process_time() - start)
    row = {"network": label, "channels": int(res.n_channels), "t_end": t_end, "events": statistics.mean(events),
           "rxnn_s": statistics.median(ours)}
    row["rxnn_events_per_s"] = row["events"] / row["rxnn_s"]
    if model is None:
        row["rebop"] = "rebop not installed (pip install '.[bench]')"
    else:
        ev = statistics.mean(events_rt) if events_rt else row["events"]
        row.update(rebop_t_end=rt, rebop_s=statistics.median(theirs), rebop_events=ev)
        row["rebop_events_per_s"] = ev / row["rebop_s"]
        row["ratio"] = row["rxnn_events_per_s"] / row["rebop_events_per_s"]
    return row


def mnist_image() -> tuple[np.ndarray, str]:
    """MNIST test image 0, or a random sparse image where MNIST cannot be loaded (said in the label)."""
    try:
        from rxnn.datasets.mnist import load_mnist

        return load_mnist().test.inputs(np.arange(1))[0], "MNIST test image 0"
    except Exception:  # noqa: BLE001 - any failure: a synthetic image, said in the row
        rng = np.random.default_rng(0)
        return rng.uniform(size=784) * (rng.uniform(size=784) < 0.2), "random image (MNIST absent)"


def rows(quick: bool = False) -> list[dict[str, Any]]:
    reps = 3 if quick else 7
    scale = 0.1 if quick else 1.0
    out = []
    bd = ReactionNetwork.from_text("0 -> X ; 1000\nX -> 0 ; 1")
    out.append(compare("birth-death", bd, {"X": 1000.0}, 1000.0 * scale, repeats=reps))
    dimer = ReactionNetwork.from_text("0 -> X ; 1000\n2X -> X ; 0.001")
    out.append(compare("dimerisation", dimer, {"X": 1000.0}, 1000.0 * scale, repeats=reps))
    rnd = random_network()
    out.append(compare("random, 100 reactions (seed 7)", rnd, {s: 100.0 for s in rnd.species}, 100.0 * scale,
                       repeats=reps))
    small = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=3), absorb_enzymes=True)
    out.append(compare("compiled 2-2-1 (absorbed), V = 100", small.network, small.initial_state([0.5, 0.3], 1.0),
                       200.0 * scale, volume=100.0, repeats=reps))
    big = compile_network(FeedForwardNetwork.random([784, 40, 10], SmoothReLU(1.0), seed=1234), absorb_enzymes=True)
    image, what = mnist_image()
    out.append(compare(f"compiled 784-40-10 (absorbed), V = 100, {what}", big.network,
                       big.initial_state(image[None, :], 1.0), 5.0, volume=100.0, repeats=3, rebop_t_end=0.005))
    return out


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["## Exact SSA against rebop (`benchmarks/bench_ssa.py`)", "",
             "One trajectory, output at the start and the end only; process CPU time, median of interleaved repeats; "
             "rebop's events taken as rxnn's mean count (same law).", "",
             "| network | channels | t | events | rxnn CPU | rxnn events/s | rebop CPU | rebop events/s | rxnn / rebop |",
             "|:---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        cells = [r["network"], str(r["channels"]), f"{r['t_end']:g}", f"{r['events']:.3g}", f"{r['rxnn_s']:.4f} s",
                 f"{r['rxnn_events_per_s']:.3g}"]
        if "ratio" in r:
            horizon = "" if r["rebop_t_end"] == r["t_end"] else f" (to t = {r['rebop_t_end']:g})"
            cells += [f"{r['rebop_s']:.4f} s{horizon}", f"{r['rebop_events_per_s']:.3g}", f"{r['ratio']:.2f}x"]
        else:
            cells += [r["rebop"], "", ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_section(quick: bool = False, path: Path = SECTION) -> list[dict[str, Any]]:
    results = rows(quick)
    with atomic_output(path, "w") as fh:
        fh.write(markdown(results))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the horizons, fewer repeats")
    parser.add_argument("--output", type=Path, default=None, help="also write the markdown section here")
    args = parser.parse_args(argv)
    results = rows(args.quick)
    text = markdown(results)
    print(text)
    if args.output is not None:
        with atomic_output(args.output, "w") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
