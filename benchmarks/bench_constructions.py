"""Benchmark of ``rxnn compare-constructions`` (issue 18): the old and the new way to integrate the rate-independent ODE.

Side by side in one process, one BLAS thread, CPU time (``time.process_time``;
on a shared machine wall time mostly measures who else runs), on the
rate-independent network of a ternary 64-20-10 ReLU network for the 8 x 8
digits (trained by :func:`rxnn.experiments.ternary.train_ternary_relu`, 300
iterations, seed 0) and N test inputs:

* old: what the comparison did before: the final amounts by
  ``final_values`` (one BDF call over the batch) and the trajectory for the
  time to 1% by a second BDF call over the batch;
* one call: a single "auto" call over the whole batch (trajectory and final
  amounts from the same run);
* new: the same in chunks of :data:`~rxnn.experiments.constructions.CHUNK_STATES`
  states (:func:`~rxnn.experiments.constructions.batch_simulate`), as the comparison runs now.

The largest difference of the final amounts from the network's output is
printed for each (the measure must not change).

Run ``python benchmarks/bench_constructions.py [--inputs N] [--skip-old]``; prints markdown.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from rxnn import compile_network  # noqa: E402
from rxnn._verify_rate_independent import final_values  # noqa: E402
from rxnn.datasets import load_digits  # noqa: E402
from rxnn.experiments.constructions import CHUNK_STATES, batch_simulate  # noqa: E402
from rxnn.experiments.ternary import train_ternary_relu  # noqa: E402

T_END = 1e4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=40, help="test inputs (default 40)")
    parser.add_argument("--skip-old", action="store_true", help="measure only the two new paths")
    args = parser.parse_args()
    n = args.inputs
    data = load_digits()
    net = train_ternary_relu(data.train, (64, 20, 10), iterations=300, seed=0, restarts=1)
    x = data.test.inputs()[:n]
    ri = compile_network(net, construction="rate_independent")
    names, answer = ri.layer_species(2), ri.expected(x)[-1]
    grid = np.concatenate([[0.0], np.geomspace(1e-3, T_END, 120)])
    chunk = max(1, CHUNK_STATES // ri.network.n_species)

    def old() -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            out = final_values(ri, ri.network, x, T_END)[-1]
        batch_simulate(ri.network, ri.initial_state(x), T_END, grid, names, chunk=n, method="BDF", rtol=1e-8,
                       atol=1e-12)
        return out

    def run(size: int) -> np.ndarray:
        return batch_simulate(ri.network, ri.initial_state(x), T_END, grid, names, chunk=size, method="auto",
                              rtol=1e-8, atol=1e-12)[:, -1, :]

    rows = []
    paths = [("old: final_values + trajectory, BDF, one call each", old),
             ("one auto call over the batch", lambda: run(n)), (f"new: auto, chunks of {chunk}", lambda: run(chunk))]
    for label, func in paths[1:] if args.skip_old else paths:
        start = time.process_time()
        out = func()
        rows.append((label, time.process_time() - start, float(np.max(np.abs(out - answer)))))
    base = rows[-1][1]
    print(f"Rate-independent ODE of the ternary 64-20-10 digits network ({ri.network.n_species} species), {n} inputs, "
          f"t_end {T_END:g}, rtol 1e-8, atol 1e-12; CPU seconds, one BLAS thread.\n")
    print("| path | CPU s | / new | max abs final - network |\n|---|---:|---:|---:|")
    for label, sec, err in rows:
        print(f"| {label} | {sec:.1f} | {sec / base:.1f} | {err:.2g} |")


if __name__ == "__main__":
    main()
