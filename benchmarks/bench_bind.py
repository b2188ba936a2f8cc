"""Benchmark of ``rxnn.bind`` (issue 13, item 2): bound steady states and chemistry-in-the-loop training.

Side by side in one process, with the same BLAS thread count (one, set
before numpy is imported when run on its own, as ``benchmarks/run.py`` does):

* the closed-form forward pass ``net.activations(d)`` (eqs. (6)-(7)) of 1000
  MNIST test images on the 784-40-10 network (§6 initialisation, seed 1234),
  against the bound steady state ``problem.steady_state(d)`` of its compiled
  reaction network (Table 1 with every enzymatic species; H, W+-, B+- and the
  node starts fixed, the 784 inputs varying, given as the (1000, 784) array),
  the same given as a mapping of species to arrays, and the public
  ``rxnn.steady_state`` from the full initial mapping; paired medians, and
  the largest relative error against the closed form;
* closed-form training against chemistry-in-the-loop training (every forward
  pass a bound steady state; :func:`rxnn.experiments.chemistry_training.train_with_chemistry`),
  same configuration, batches and seed, and the largest difference of the
  trained parameters.

MNIST comes from ``RXNN_DATA`` or the user cache; when it is absent, random
MNIST-shaped inputs (uniform in [0, 1], random labels) are used and the report
says so. Run ``python benchmarks/bench_bind.py [--quick]``; prints markdown.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from rxnn import FeedForwardNetwork, SmoothReLU, bind, compile_network, steady_state  # noqa: E402
from rxnn.errors import RxnnError  # noqa: E402
from rxnn.experiments.chemistry_training import train_with_chemistry  # noqa: E402
from rxnn.experiments.training import ArrayDataset, TrainingConfig, train  # noqa: E402

TARGET_RATIO = 2.0
TARGET_ERROR = 1e-8


def _paired(funcs: dict[str, Any], repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median CPU time and median wall time of each function, run in turn ``repeat`` times.

    CPU time (``time.process_time``; one BLAS thread, so it is the work done) is the measure: on a
    shared machine wall time mostly measures who else runs. The garbage collector is collected once
    and paused during the loop, so that no collection of the 64,455-name mappings lands in a call.
    """
    cpu: dict[str, list[float]] = {k: [] for k in funcs}
    wall: dict[str, list[float]] = {k: [] for k in funcs}
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            for name, f in funcs.items():
                c, t = time.process_time(), time.perf_counter()
                f()
                wall[name].append(time.perf_counter() - t)
                cpu[name].append(time.process_time() - c)
    finally:
        gc.enable()
    return {k: float(np.median(v)) for k, v in cpu.items()}, {k: float(np.median(v)) for k, v in wall.items()}


def data(n_test: int) -> tuple[np.ndarray, Any, str]:
    """(test inputs, training set, a phrase saying which data it is)."""
    try:
        from rxnn.datasets.mnist import load_mnist

        mnist = load_mnist()
        return mnist.test.inputs(np.arange(n_test)), mnist.train, f"the first {n_test} MNIST test images"
    except (OSError, RxnnError):  # MnistError when the files are not found
        rng = np.random.default_rng(0)
        train_set = ArrayDataset(rng.random((6000, 784)), rng.integers(0, 10, 6000))
        return rng.random((n_test, 784)), train_set, f"{n_test} random MNIST-shaped inputs (MNIST not found)"


def bench_steady(net: FeedForwardNetwork, d: np.ndarray, repeat: int) -> dict[str, Any]:
    """Bound steady state against the forward pass (and the public steady state) on the batch d."""
    chem = compile_network(net)
    inputs = chem.layer_species(0)
    initial = chem.initial_state(d, nodes=1.0)
    fixed = {s: v for s, v in initial.items() if s not in set(inputs) and not isinstance(v, np.ndarray)}
    fixed.update(dict.fromkeys(chem.hidden_and_output_species, 1.0))
    t = time.perf_counter()
    problem = bind(chem.network, fixed, varying=inputs)
    bind_s = time.perf_counter() - t
    rebind = []
    for _ in range(7):
        t = time.process_time()
        problem.with_fixed(problem.fixed_values)
        rebind.append(time.process_time() - t)
    rebind_s = float(np.median(rebind))
    mapping = dict(zip(inputs, d.T))
    want = net.activations(d)[1:]
    res = problem.steady_state(d)
    res_map = problem.steady_state(mapping)
    public = steady_state(chem.network, initial)
    timing, wall = _paired({"forward": lambda: net.activations(d), "bound": lambda: problem.steady_state(d),
                      "bound_mapping": lambda: problem.steady_state(mapping),
                      "public": lambda: steady_state(chem.network, initial)}, repeat)
    got = chem.layer_values(res)[1:]
    rel = max(float(np.max(np.abs(g - w) / np.abs(w))) for g, w in zip(got, want))
    return {
        "batch": int(d.shape[0]), "species": chem.network.n_species, "reactions": chem.network.n_reactions,
        "bind_s": bind_s, "with_fixed_s": rebind_s, "fast_path": problem.fast_path, "message": res.message,
        "median_cpu_s": timing, "median_wall_s": wall, "ratio_bound": timing["bound"] / timing["forward"],
        "ratio_bound_wall": wall["bound"] / wall["forward"],
        "ratio_bound_mapping": timing["bound_mapping"] / timing["forward"],
        "ratio_public": timing["public"] / timing["forward"], "max_rel_error": rel,
        "max_abs_vs_public": float(np.max(np.abs(res.dynamic - public.dynamic))),
        "mapping_equals_array": bool(np.array_equal(res.dynamic, res_map.dynamic)),
        "max_residual": float(np.max(res.residual)),
    }


def bench_training(train_set: Any, iterations: int, batch: int, repeat: int) -> dict[str, Any]:
    """Closed-form and chemistry-in-the-loop training of one configuration, alternately ``repeat`` times (CPU time)."""
    config = TrainingConfig(layer_sizes=(784, 40, 10), batch_size=batch, iterations=iterations, seed=1234)
    cpu: dict[str, list[float]] = {"closed": [], "crn": []}
    wall: dict[str, list[float]] = {"closed": [], "crn": []}
    for _ in range(repeat):
        c = time.process_time()
        closed = train(config, train_set, blas_threads=1)
        cpu["closed"].append(time.process_time() - c)
        c = time.process_time()
        crn, forward = train_with_chemistry(config, train_set, blas_threads=1)
        cpu["crn"].append(time.process_time() - c - forward.setup_seconds)  # the loop: compiling and binding apart
        setup = forward.setup_seconds
        wall["closed"].append(closed.seconds)
        wall["crn"].append(crn.seconds)
    diff = max(max(float(np.max(np.abs(a - b))) for a, b in zip(closed.network.weights, crn.network.weights)),
               max(float(np.max(np.abs(a - b))) for a, b in zip(closed.network.biases, crn.network.biases)))
    med = {k: float(np.median(v)) for k, v in cpu.items()}
    med_wall = {k: float(np.median(v)) for k, v in wall.items()}
    return {"iterations": iterations, "batch": batch, "seed": 1234, "eta": config.eta, "median_cpu_s": med,
            "median_wall_s": med_wall, "steady_state_wall_s": forward.seconds, "setup_cpu_s": setup, "ratio": med["crn"] / med["closed"],
            "ratio_wall": med_wall["crn"] / med_wall["closed"], "max_parameter_difference": diff,
            "max_cost_difference": float(np.max(np.abs(closed.cost - crn.cost))), "fast_path": forward.problem.fast_path}


def run(quick: bool = False) -> tuple[str, dict[str, Any]]:
    """Both measurements; returns (markdown section, JSON-ready dict with the targets)."""
    n = 200 if quick else 1000
    d, train_set, which = data(n)
    net = FeedForwardNetwork.random([784, 40, 10], SmoothReLU(1.0), seed=1234)
    steady = bench_steady(net, d, repeat=5 if quick else 21)
    training = bench_training(train_set, iterations=10 if quick else 100, batch=300, repeat=1 if quick else 3)
    targets = [
        {"target": f"bound steady state of {which} <= {TARGET_RATIO:g}x the forward pass (784-40-10)",
         "measured": f"{steady['ratio_bound']:.2f}x", "met": steady["ratio_bound"] <= TARGET_RATIO},
        {"target": f"bound steady state largest relative error <= {TARGET_ERROR:g}",
         "measured": f"{steady['max_rel_error']:.1e}", "met": steady["max_rel_error"] <= TARGET_ERROR},
        {"target": f"chemistry-in-the-loop training <= {TARGET_RATIO:g}x closed-form training",
         "measured": f"{training['ratio']:.2f}x", "met": training["ratio"] <= TARGET_RATIO},
    ]
    ms = steady["median_cpu_s"]
    tr = training["median_cpu_s"]
    lines = [
        "## Bound problems (`benchmarks/bench_bind.py`, `rxnn.bind`)", "",
        f"784-40-10 (§6 initialisation, seed 1234; {steady['species']:,} species, {steady['reactions']:,} reactions), "
        f"{which}; medians of the CPU time of paired repeats in one process, BLAS threads "
        f"{os.environ.get('OPENBLAS_NUM_THREADS')}. Bind: {steady['bind_s']:.2f} s (first, with the engine's lowering); "
        f"re-bind with new fixed values (`with_fixed`, median CPU time): {1e3 * steady['with_fixed_s']:.1f} ms. "
        f"Path: {steady['message']}.", "",
        "| forward pass | time | ratio to the closed form |", "|:---|---:|---:|",
        f"| closed form `net.activations(d)` | {1e3 * ms['forward']:.2f} ms | 1.00x |",
        f"| bound `problem.steady_state(d)` (array over `varying=` inputs) | {1e3 * ms['bound']:.2f} ms | "
        f"{steady['ratio_bound']:.2f}x (wall clock: {steady['ratio_bound_wall']:.2f}x) |",
        f"| bound, inputs as a mapping of species to arrays | {1e3 * ms['bound_mapping']:.2f} ms | "
        f"{steady['ratio_bound_mapping']:.2f}x |",
        f"| public `rxnn.steady_state` (full initial mapping) | {1e3 * ms['public']:.2f} ms | {steady['ratio_public']:.2f}x |",
        "",
        f"Largest relative error against the closed form: {steady['max_rel_error']:.1e}; against the public steady "
        f"state: {steady['max_abs_vs_public']:.1e} (absolute); largest residual {steady['max_residual']:.2g} "
        "(tolerance units).", "",
        f"Training: {training['iterations']} SGD iterations, batch {training['batch']}, eta {training['eta']:g}, seed 1234, "
        f"same batches; CPU time closed form {tr['closed']:.2f} s, chemistry in the loop {tr['crn']:.2f} s "
        f"(its one-time compile and bind, {training['setup_cpu_s']:.2f} s, not counted): **{training['ratio']:.2f}x** (wall clock of the loops: "
        f"{training['ratio_wall']:.2f}x). Largest difference "
        f"of the trained parameters: {training['max_parameter_difference']:.1e}; of the costs: "
        f"{training['max_cost_difference']:.1e}.", "",
    ]
    return "\n".join(lines), {"data": which, "steady_state": steady, "training": training, "targets": targets}


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - run by hand or by benchmarks/run.py
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 inputs, 10 training iterations, few repeats")
    parser.add_argument("--json", action="store_true", help="print the JSON record too")
    args = parser.parse_args(argv)
    markdown, record = run(args.quick)
    print(markdown)
    for t in record["targets"]:
        print(f"{'MET ' if t['met'] else 'MISS'} {t['target']}: {t['measured']}")
    if args.json:
        print(json.dumps(record, indent=1, default=float))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
