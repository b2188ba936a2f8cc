"""Benchmark of the reaction-network core at scale: a million reactions over a million species.

Builds a random mass-action network with :meth:`ReactionNetwork.from_matrices`
(reaction j consumes species j, with coefficient 1 or 2, and half the time a
second reactant; it produces one or two random species; rates uniform in
[0.5, 2]; every species appears, so Def. 2.1 holds), then times

* the build (``from_matrices``, including the Def. 2.1 checks and duplicate detection);
* the lowering (``network.lowered``: channels, slot tables) and :class:`MassActionSystem` on it;
* one right-hand side, gross flux and sparse Jacobian of ``MassActionSystem``;
* the engine (:mod:`rxnn.crn.engine`): structure discovery, binding of rate
  constants, and its right-hand side and Jacobian;

with the peak traced memory of each step and the process's peak resident
size. Run ``python benchmarks/bench_core.py [--reactions N]``; prints markdown.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
import tracemalloc
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn import ReactionNetwork
from rxnn.crn.engine import Engine
from rxnn.crn.kinetics import EnzymeValues, MassActionSystem


def random_network(n: int, seed: int = 0) -> tuple[list[str], sp.csc_matrix, sp.csc_matrix, np.ndarray]:
    """Arrays of a random network with n species and n reactions of order 1-3 (a coefficient 2 and a partner)."""
    rng = np.random.default_rng(seed)
    j = np.arange(n)
    coef = rng.integers(1, 3, n)
    second = rng.random(n) < 0.5
    partner = rng.integers(0, n, n)
    second &= partner != j
    rows_r = np.concatenate([j, partner[second]])
    cols_r = np.concatenate([j, j[second]])
    vals_r = np.concatenate([coef, np.ones(second.sum(), np.int64)])
    n_prod = rng.integers(1, 3, n)
    cols_p = np.repeat(j, n_prod)
    rows_p = (cols_p + 1 + rng.integers(0, n - 1, n_prod.sum())) % n  # never species j: no Y -> Y
    R = sp.csc_matrix((vals_r, (rows_r, cols_r)), shape=(n, n))
    P = sp.csc_matrix((np.ones(rows_p.size, np.int64), (rows_p, cols_p)), shape=(n, n))
    rates = rng.uniform(0.5, 2.0, n)
    return [f"S{i}" for i in range(n)], R, P, rates


def measured(f: Any) -> tuple[Any, float, float]:
    """(result, seconds, peak traced MiB): timed untraced, then run again under tracemalloc."""
    gc.collect()
    t = time.perf_counter()
    out = f()
    seconds = time.perf_counter() - t
    del out
    gc.collect()
    tracemalloc.start()
    try:
        out = f()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return out, seconds, peak


def timed(f: Any, repeat: int = 3) -> float:
    """Median wall time of f over ``repeat`` runs (untraced)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def run(n: int = 1_000_000, seed: int = 0) -> tuple[str, dict[str, Any]]:
    """Run the benchmark; returns (markdown section, JSON-ready dict)."""
    species, R, P, rates = random_network(n, seed)
    rows: list[tuple[str, float, float | None]] = []
    net, t, peak = measured(lambda: ReactionNetwork.from_matrices(species, R, P, rates))
    rows.append(("build (`ReactionNetwork.from_matrices`)", t, peak))
    _, t, peak = measured(lambda: net.lowered)
    rows.append(("lowering (`network.lowered`: channels, slot tables)", t, peak))
    system, t, peak = measured(lambda: MassActionSystem(net))
    rows.append(("`MassActionSystem` construction (on the lowering: the engine's groups)", t, peak))
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0, (1, system.n))
    k = system.effective_rates(None)
    rows.append(("rhs (`MassActionSystem.rhs`, one state)", timed(lambda: system.rhs(x, k)), None))
    rows.append(("gross flux (one state)", timed(lambda: system.gross_flux(x, k)), None))
    _, t, peak = measured(lambda: system.jacobian(x, k))
    rows.append(("sparse Jacobian (one state)", timed(lambda: system.jacobian(x, k)), peak))
    engine, t, peak = measured(lambda: Engine(net.lowered))  # a second engine on the same lowering
    rows.append(("engine: structure discovery (`Engine`)", t, peak))
    enzymes = EnzymeValues(np.zeros(system.n_enzymatic), np.zeros(0, np.int64), np.zeros((1, 0)))
    params, t, peak = measured(lambda: engine.parameters(enzymes))
    rows.append(("engine: bind rate constants", t, peak))
    XT = np.ascontiguousarray(x.T)
    params.rhs(XT)  # builds the signed groups once
    rows.append(("engine: rhs (signed matrix-product groups)", timed(lambda: params.rhs(XT)), None))
    rows.append(("engine: rhs and gross flux (exact groups)", timed(lambda: params.rhs_and_gross(XT)), None))
    params.jacobian(XT)
    rows.append(("engine: sparse Jacobian", timed(lambda: params.jacobian(XT)), None))
    f_plain, f_engine = system.rhs(x, k)[0], params.rhs(XT)[:, 0]
    agreement = float(np.max(np.abs(f_plain - f_engine)) / max(np.max(np.abs(f_plain)), 1e-300))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data = {
        "species": net.n_species, "reactions": net.n_reactions, "dynamic_species": system.n,
        "channels": system.n_channels, "groups": engine.exact.n_groups, "signed_groups": engine.fast.n_groups,
        "steps": [{"step": name, "seconds": s, "peak_traced_mib": p} for name, s, p in rows],
        "rhs_relative_difference_engine_vs_plain": agreement, "peak_rss_mib": rss,
    }
    lines = [
        "## The core at scale (`benchmarks/bench_core.py`)",
        "",
        f"Random mass-action network: {net.n_species:,} species, {net.n_reactions:,} reactions (orders 1-3), "
        f"{system.n_channels:,} channels, {engine.exact.n_groups:,} matrix-product groups "
        f"({engine.fast.n_groups:,} signed). Engine and plain right-hand sides agree to {agreement:.1e} (relative).",
        "",
        "| step | wall time | peak traced memory |",
        "|:---|---:|---:|",
    ]
    for name, s, p in rows:
        lines.append(f"| {name} | {s:.3f} s | {'' if p is None else f'{p:,.0f} MiB'} |")
    lines += ["", f"Peak resident memory of the process: {rss:,.0f} MiB.", ""]
    return "\n".join(lines), data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reactions", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="print the JSON record after the markdown")
    args = parser.parse_args(argv)
    text, data = run(args.reactions)
    print(text)
    if args.json:
        print(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
