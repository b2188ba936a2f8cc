"""Benchmark of the stochastic simulators: events per second, channel aggregation, GillesPy2.

Run ``python benchmarks/bench_stochastic.py [--model MODEL.npz] [--output FILE]``;
it prints a markdown section (and writes it to FILE) for ``benchmarks/results.md``.

Measured:

* channel aggregation of the compiled 784-40-10 network (Table 1 form, ~64k reactions);
* exact SSA events per second on a birth-death network and on the compiled
  784-40-10 network (a trained MODEL if given, else the §6 random initialisation)
  at volume 100 on MNIST-like inputs;
* tau-leaping on the same network at volume 10^4 (steps and firings per second);
* GillesPy2 (when installed) on a small compiled network (2-2-1, absorbed form)
  with the same propensities: its NumPy SSA and, if its C++ build works, its
  C++ SSA; its event counts are taken as rxnn's on the same model and horizon
  (the same law, so the same expected number of events).

Times are wall-clock on whatever machine runs it; the numba kernels are
compiled (or loaded from cache) before timing.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from rxnn import ReactionNetwork
from rxnn.compile import compile_network
from rxnn.crn import _ssa_kernels
from rxnn.crn.stochastic import aggregate_channels, simulate_stochastic
from rxnn.nn import FeedForwardNetwork, SmoothReLU


def _inputs(n: int) -> np.ndarray:
    """MNIST test images when available (RXNN_DATA), else sparse random 'images' in [0, 1]."""
    try:
        from rxnn.datasets.mnist import load_mnist

        return load_mnist().test.inputs(np.arange(n))
    except Exception:  # noqa: BLE001 - any failure: fall back to synthetic inputs
        rng = np.random.default_rng(0)
        return rng.uniform(size=(n, 784)) * (rng.uniform(size=(n, 784)) < 0.2)


def bench_aggregation(net: FeedForwardNetwork) -> list[str]:
    start = time.perf_counter()
    compiled = compile_network(net)
    t_compile = time.perf_counter() - start
    start = time.perf_counter()
    channels = aggregate_channels(compiled.network)
    t_agg = time.perf_counter() - start
    return [
        f"| aggregate_channels, 784-40-10 (Table 1 form) | {compiled.network.n_reactions} reactions -> "
        f"{channels.n_channels} channels | {t_agg:.3f} s (compile {t_compile:.2f} s) | |"
    ]


def bench_birth_death() -> list[str]:
    net = ReactionNetwork.from_text("0 -> X ; 2\nX -> 0 ; 1")
    simulate_stochastic(net, {"X": 2.0}, (0, 1), volume=10, seed=0)  # compile / load the kernel
    res = simulate_stochastic(net, {"X": 2.0}, (0, 100), [0, 100], volume=1e4, seed=0)
    return [
        f"| exact SSA, birth-death (2 channels), V = 1e4, t = 100 | {int(res.n_events.sum()):.3g} events "
        f"| {res.wall_time:.2f} s | {res.events_per_second:.3g} events/s |"
    ]


def bench_compiled(net: FeedForwardNetwork, label: str, n_images: int) -> list[str]:
    compiled = compile_network(net, absorb_enzymes=True)
    d = _inputs(n_images)
    init = compiled.initial_state(d, 1.0)
    outs = list(compiled.layer_species(2))
    rows = []
    simulate_stochastic(compiled.network, init, (0, 0.1), volume=1, seed=0, observe=outs)
    simulate_stochastic(compiled.network, init, (0, 0.1), volume=1, seed=0, observe=outs, method="tau-leap")
    res = simulate_stochastic(compiled.network, init, (0, 20), [0, 20], volume=100, seed=0, observe=outs)
    rows.append(
        f"| exact SSA, {label} ({res.n_channels} channels), V = 100, t = 20, {n_images} images "
        f"| {int(res.n_events.sum()):.3g} events | {res.wall_time:.2f} s | {res.events_per_second:.3g} events/s |"
    )
    res = simulate_stochastic(compiled.network, init, (0, 20), [0, 20], volume=1e4, seed=0, observe=outs,
                              method="tau-leap")
    steps = int(res.n_steps.sum())
    rows.append(
        f"| tau-leaping (epsilon 0.03), {label}, V = 1e4, t = 20, {n_images} images "
        f"| {steps:.3g} steps, {int(res.n_events.sum()):.3g} firings | {res.wall_time:.2f} s "
        f"| {steps / res.wall_time:.3g} steps/s, {res.events_per_second:.3g} firings/s |"
    )
    return rows


def _gillespy2_model(gillespy2, compiled, init, volume: float, t_end: float):
    model = gillespy2.Model(name="compiled", volume=volume)
    probe = gillespy2.Reaction(name="probe", reactants={"A": 2}, products={"A": 1}, rate="k")
    two_x = 2.0 if "0.5" in probe.propensity_function or "/ 2" in probe.propensity_function else 1.0
    species = {s: gillespy2.Species(name=s, initial_value=int(round(volume * init.get(s, 0.0))), mode="discrete")
               for s in compiled.network.species}
    model.add_species(list(species.values()))
    for j, r in enumerate(compiled.network.reactions):
        k = float(r.rate) * (two_x if 2 in r.reactants.values() else 1.0)
        model.add_parameter(gillespy2.Parameter(name=f"k{j}", expression=k))
        model.add_reaction(gillespy2.Reaction(
            name=f"r{j}", rate=f"k{j}", reactants={species[s]: c for s, c in r.reactants.items()},
            products={species[s]: c for s, c in r.products.items()},
        ))
    model.timespan(np.linspace(0, t_end, int(t_end) + 1))
    return model


def bench_gillespy2() -> list[str]:
    try:
        import gillespy2
    except ImportError:
        return ["| GillesPy2 | not installed | | |"]
    compiled = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=3), absorb_enzymes=True)
    init = compiled.initial_state([0.5, 0.3], 1.0)
    V, T = 10.0, 2000.0
    ours = simulate_stochastic(compiled.network, init, (0, T), [0, T], volume=V, seed=0)
    events = int(ours.n_events.sum())
    rows = [
        f"| exact SSA, rxnn, 2-2-1 compiled (absorbed), V = 10, t = 2000 | {events:.3g} events | "
        f"{ours.wall_time:.3f} s | {ours.events_per_second:.3g} events/s |"
    ]
    model = _gillespy2_model(gillespy2, compiled, init, V, T)
    start = time.perf_counter()
    model.run(solver=gillespy2.NumPySSASolver, number_of_trajectories=1, seed=1)
    wall = time.perf_counter() - start
    rows.append(f"| GillesPy2 {gillespy2.__version__} NumPySSASolver, same model | ~{events:.3g} events | "
                f"{wall:.2f} s | ~{events / wall:.3g} events/s |")
    # GillesPy2's C++ build runs SCons with the base interpreter; make the venv's SCons importable to it.
    site = next((p for p in sys.path if p.endswith("site-packages")), None)
    if site:
        os.environ["PYTHONPATH"] = site + os.pathsep + os.environ.get("PYTHONPATH", "")
    try:
        start = time.perf_counter()
        solver = gillespy2.SSACSolver(model=model)
        build = time.perf_counter() - start
        start = time.perf_counter()
        model.run(solver=solver, number_of_trajectories=1, seed=1)  # its seed must be >= 1
        wall = time.perf_counter() - start
        rows.append(f"| GillesPy2 {gillespy2.__version__} SSACSolver (C++), same model | ~{events:.3g} events | "
                    f"{wall:.2f} s (+ {build:.1f} s build) | ~{events / wall:.3g} events/s |")
    except Exception as exc:  # noqa: BLE001 - report whatever stops the C++ solver
        rows.append(f"| GillesPy2 SSACSolver (C++) | unavailable: {type(exc).__name__} | | |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="a trained model file (.npz) for the 784-40-10 rows")
    parser.add_argument("--n-images", type=int, default=3, help="images for the compiled-network rows (default 3)")
    parser.add_argument("--output", type=Path, default=None, help="also write the markdown section here")
    args = parser.parse_args(argv)
    if args.model is not None:
        from rxnn.io.model_file import load_model

        net, label = load_model(args.model), f"trained 784-40-10 ({args.model.name})"
    else:
        net, label = FeedForwardNetwork.random([784, 40, 10], SmoothReLU(1.0), seed=1234), "784-40-10 (random, seed 1234)"
    lines = [
        "## Stochastic simulation (`benchmarks/bench_stochastic.py`)",
        "",
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"numba {_ssa_kernels.numba.__version__ if _ssa_kernels.HAVE_NUMBA else 'absent (pure-Python kernels)'}; "
        "one thread.",
        "",
        "| what | work | wall time | rate |",
        "|:---|---:|---:|---:|",
    ]
    for bench in (lambda: bench_aggregation(net), bench_birth_death, lambda: bench_compiled(net, label, args.n_images),
                  bench_gillespy2):
        lines.extend(bench())
        print(lines[-1], file=sys.stderr, flush=True)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output is not None:
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
