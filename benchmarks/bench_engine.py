"""Benchmark of the simulation engine (issue 6): rxnn's steady states and transients of compiled networks.

For each network and 1000 MNIST test images (inputs d, nodes started at
1000 * uniform(0, 1) as in §6) it measures, in one run:

* the closed-form forward pass ``net.activations(d)`` (eqs. (6)-(7)): the limit;
* ``rxnn.steady_state`` on the compiled reaction network (Table 1, with its
  enzymatic species; the engine's structure discovery is done once per
  network and reported separately as "first call");
* ``rxnn.simulate(method="auto")`` to T, the first time at which every state
  is within 1e-6 of its limit (found from an accurate run, rtol 1e-12);
* the hand-written layer ODE x' = h + (W x_prev + b) x - x^2 with SciPy's
  RK45 at the same tolerances (rtol 1e-8, atol 1e-10) to the same T;
* libRoadRunner on the SBML export of the 784-40-10 network (model load, then
  20 inputs to t = 20), in a subprocess with a time limit;

each with its largest error against the closed form, plus peak memory
(tracemalloc) and a batch scan. Times are medians of repeats (wall clock);
the forward pass and rxnn run alternately in the same loop so that load from
other processes hits both alike.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from rxnn import FeedForwardNetwork, SmoothReLU, compile_network, simulate, steady_state
from rxnn.compile import CompiledNetwork

H = 1.0
RTOL, ATOL = 1e-8, 1e-10


# --------------------------------------------------------------------------- helpers
def paired_medians(funcs: dict[str, Callable[[], Any]], repeat: int) -> dict[str, dict[str, float]]:
    """Run the functions in turn ``repeat`` times; median and min wall time of each."""
    times: dict[str, list[float]] = {k: [] for k in funcs}
    for _ in range(repeat):
        for name, f in funcs.items():
            gc.collect()
            t = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t)
    return {k: {"median_s": float(np.median(v)), "min_s": float(np.min(v)), "repeats": len(v)} for k, v in times.items()}


def peak_memory(f: Callable[[], Any]) -> float:
    """Peak traced allocation (MiB) while running f (numpy registers its buffers with tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        f()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def node_values(chem: CompiledNetwork, result: Any) -> list[np.ndarray]:
    return chem.layer_values(result)[1:]


def rel_error(got: list[np.ndarray], want: list[np.ndarray]) -> float:
    return float(max(np.max(np.abs(g - w) / np.maximum(np.abs(w), 1e-300)) for g, w in zip(got, want)))


def abs_error(got: list[np.ndarray], want: list[np.ndarray]) -> float:
    return float(max(np.max(np.abs(g - w)) for g, w in zip(got, want)))


def hand_written(net: FeedForwardNetwork, d: np.ndarray, nodes: np.ndarray, t_end: float) -> tuple[list[np.ndarray], int]:
    """The layer ODE x' = h + (W x_prev + b) x - x^2, all layers at once, RK45: the baseline."""
    B = d.shape[0]
    sizes = net.layer_sizes[1:]
    edges = np.concatenate([[0], np.cumsum(sizes)])
    W, b = net.weights, net.biases
    rho1 = d @ W[0].T + b[0]

    def f(_t: float, y: np.ndarray) -> np.ndarray:
        Y = y.reshape(B, -1)
        out = np.empty_like(Y)
        prev = None
        for l in range(len(sizes)):
            x = Y[:, edges[l]:edges[l + 1]]
            rho = rho1 if l == 0 else prev @ W[l].T + b[l]
            out[:, edges[l]:edges[l + 1]] = H + rho * x - x * x
            prev = x
        return out.ravel()

    sol = solve_ivp(f, (0.0, t_end), nodes.ravel(), method="RK45", rtol=RTOL, atol=ATOL, t_eval=[t_end])
    Y = sol.y[:, -1].reshape(B, -1)
    return [Y[:, edges[l]:edges[l + 1]] for l in range(len(sizes))], int(sol.nfev)


def settle_time(chem: CompiledNetwork, d: np.ndarray, nodes: np.ndarray, want: list[np.ndarray], tol: float = 1e-6,
                t_max: float = 40.0, chunk: int = 100) -> float:
    """First time on a 0.25 grid after which every state stays within ``tol`` of its limit (accurate run)."""
    grid = np.arange(0.0, t_max + 1e-9, 0.25)
    inside = np.ones(grid.size, bool)
    for lo in range(0, d.shape[0], chunk):
        sl = slice(lo, lo + chunk)
        init = chem.initial_state(d[sl], nodes=nodes[sl])
        res = simulate(chem.network, init, (0.0, t_max), t_eval=grid, method="auto", rtol=1e-12, atol=1e-14)
        for got, w in zip(chem.layer_values(res)[1:], want):
            inside &= np.max(np.abs(got - w[sl][:, None, :]), axis=(0, 2)) <= tol
    if not inside[-1]:
        return float("inf")
    outside = np.flatnonzero(~inside)
    return float(grid[0] if outside.size == 0 else grid[outside[-1] + 1])


# --------------------------------------------------------------------------- one network
def bench_network(label: str, net: FeedForwardNetwork, d: np.ndarray, *, seed: int = 0, repeat: int = 7,
                  transient_repeat: int = 3, transient: bool = True) -> dict[str, Any]:
    """Steady state and transient of one network on the batch d."""
    rng = np.random.default_rng(seed)
    n_nodes = sum(net.layer_sizes[1:])
    nodes = 1000.0 * rng.uniform(size=(d.shape[0], n_nodes))
    t = time.perf_counter()
    chem = compile_network(net)
    compile_s = time.perf_counter() - t
    t = time.perf_counter()
    init = chem.initial_state(d, nodes=nodes)
    initial_state_s = time.perf_counter() - t
    want = net.activations(d)[1:]
    t = time.perf_counter()
    first = steady_state(chem.network, init)
    first_s = time.perf_counter() - t
    timing = paired_medians({"closed_form": lambda: net.activations(d), "steady_state": lambda: steady_state(chem.network, init)},
                            repeat)
    ss = steady_state(chem.network, init)
    out: dict[str, Any] = {
        "network": label,
        "layer_sizes": list(net.layer_sizes),
        "species": chem.network.n_species,
        "reactions": chem.network.n_reactions,
        "batch": int(d.shape[0]),
        "compile_s": compile_s,
        "initial_state_s": initial_state_s,
        "closed_form": timing["closed_form"],
        "steady_state": {**timing["steady_state"], "first_call_s": first_s, "message": ss.message,
                         "max_rel_error": rel_error(node_values(chem, ss), want),
                         "max_residual": float(np.max(ss.residual)),
                         "peak_mib": peak_memory(lambda: steady_state(chem.network, init))},
    }
    out["steady_state"]["ratio_to_closed_form"] = out["steady_state"]["median_s"] / out["closed_form"]["median_s"]
    assert first.success
    if not transient:
        return out
    T = settle_time(chem, d, nodes, want)
    res: dict[str, Any] = {}

    def ours() -> None:
        res["ours"] = simulate(chem.network, init, (0.0, T), t_eval=[T], method="auto")

    def hand() -> None:
        res["hand"] = hand_written(net, d, nodes, T)

    tt = paired_medians({"rxnn": ours, "hand": hand}, transient_repeat)
    got = [v[:, -1, :] for v in node_values(chem, res["ours"])]
    out["transient"] = {
        "T": T,
        "rxnn": {**tt["rxnn"], "method": res["ours"].method, "nfev": res["ours"].nfev,
                 "max_abs_error": abs_error(got, want), "max_rel_error": rel_error(got, want),
                 "peak_mib": peak_memory(ours)},
        "hand_written_rk45": {**tt["hand"], "nfev": res["hand"][1], "max_abs_error": abs_error(res["hand"][0], want),
                              "max_rel_error": rel_error(res["hand"][0], want), "peak_mib": peak_memory(hand)},
    }
    out["transient"]["ratio_rxnn_to_hand"] = tt["rxnn"]["median_s"] / tt["hand"]["median_s"]
    return out


def batch_scan(net: FeedForwardNetwork, d_all: np.ndarray, batches: tuple[int, ...], repeat: int = 5) -> list[dict[str, Any]]:
    """Steady-state time against the batch size (inputs cycled from d_all)."""
    chem = compile_network(net)
    rows = []
    for B in batches:
        d = d_all[np.arange(B) % d_all.shape[0]]
        nodes = 1000.0 * np.random.default_rng(B).uniform(size=(B, sum(net.layer_sizes[1:])))
        init = chem.initial_state(d, nodes=nodes)
        steady_state(chem.network, init)
        tm = paired_medians({"closed_form": lambda: net.activations(d), "steady": lambda: steady_state(chem.network, init)},
                            repeat)
        rows.append({"batch": B, "closed_form_s": tm["closed_form"]["median_s"], "steady_state_s": tm["steady"]["median_s"],
                     "steady_per_input_us": 1e6 * tm["steady"]["median_s"] / B})
    return rows


# --------------------------------------------------------------------------- libRoadRunner
_RR_CHILD = r"""
import json, sys, time
import numpy as np
jobs = json.load(open(sys.argv[1]))
results = {}
for name, args in jobs.items():
    out = results[name] = {"started": True}
    json.dump(results, open(sys.argv[2], "w"))
    t = time.perf_counter()
    import roadrunner
    rr = roadrunner.RoadRunner(args["path"])
    out["load_s"] = time.perf_counter() - t
    json.dump(results, open(sys.argv[2], "w"))
    rr.integrator.relative_tolerance = args["rtol"]
    rr.integrator.absolute_tolerance = args["atol"]
    ids, inputs, nodes, outputs = args["input_ids"], np.array(args["inputs"]), np.array(args["nodes"]), args["output_ids"]
    rr.timeCourseSelections = ["time"] + outputs
    times, finals = [], []
    for k in range(inputs.shape[0]):
        t = time.perf_counter()
        rr.resetAll()
        rr.setValues(ids + args["node_ids"], list(inputs[k]) + list(nodes[k]))
        res = rr.simulate(0.0, args["t_end"], 2)
        times.append(time.perf_counter() - t)
        finals.append(list(np.asarray(res)[-1, 1:]))
    out["per_input_s"], out["finals"] = times, finals
    json.dump(results, open(sys.argv[2], "w"))
    del rr
"""

FORMS = {"table1": "Table 1 form, with the enzymatic species (the network rxnn simulates)",
         "absorbed": "absorbed form (enzymes folded into rate constants, `absorb_enzymes=True`)"}


class RoadRunnerJob:
    """libRoadRunner on SBML exports, in one child process: per model, load (compile), then inputs to t_end.

    :meth:`start` writes the SBML files and launches the child, which does
    the models in order and records each as it goes; :meth:`result` waits up
    to a deadline, stops the child if needed and reports what finished (a
    load that did not finish gives a lower bound on its time). The child can
    run while other measurements go on (it uses one core).
    """

    def __init__(self, net: FeedForwardNetwork, d: np.ndarray, *, forms: tuple[str, ...] = ("table1", "absorbed"),
                 n_inputs: int = 20, t_end: float = 20.0, seed: int = 0) -> None:
        self.net, self.d, self.forms, self.n_inputs, self.t_end, self.seed = net, d[:n_inputs], forms, n_inputs, t_end, seed
        self.status: str | None = None
        self.proc: subprocess.Popen | None = None

    def start(self) -> RoadRunnerJob:
        try:
            from rxnn.io.sbml import sbml_ids, write_sbml
        except ImportError:
            self.status = "skipped: rxnn.io.sbml not available"
            return self
        try:
            import roadrunner  # noqa: F401
        except ImportError:
            self.status = "skipped: libroadrunner not installed (pip install 'rxnn[sbml]')"
            return self
        net, d = self.net, self.d
        rng = np.random.default_rng(self.seed)
        self.nodes = nodes = 1000.0 * rng.uniform(size=(self.n_inputs, sum(net.layer_sizes[1:])))
        self.tmp = tempfile.TemporaryDirectory()
        tmp = Path(self.tmp.name)
        jobs, self.info = {}, {}
        for form in self.forms:
            chem = compile_network(net, absorb_enzymes=(form == "absorbed"))
            ids = sbml_ids(chem.network.species)
            present = [s for s in chem.layer_species(0) if s in chem.network.species_index]
            col = [chem.layer_species(0).index(s) for s in present]
            t = time.perf_counter()
            write_sbml(chem.network, tmp / f"{form}.xml", chem.initial_state(d[0], nodes=nodes[0]))
            self.info[form] = {"write_sbml_s": time.perf_counter() - t, "species": chem.network.n_species,
                               "reactions": chem.network.n_reactions, "model": FORMS[form]}
            jobs[form] = {"path": str(tmp / f"{form}.xml"), "rtol": RTOL, "atol": ATOL, "t_end": self.t_end,
                          "input_ids": [ids[s] for s in present], "inputs": d[:, col].tolist(),
                          "node_ids": [ids[s] for s in chem.hidden_and_output_species], "nodes": nodes.tolist(),
                          "output_ids": [f"[{ids[s]}]" for s in chem.hidden_and_output_species]}
        (tmp / "jobs.json").write_text(json.dumps(jobs))
        (tmp / "child.py").write_text(_RR_CHILD)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, str(tmp / "child.py"), str(tmp / "jobs.json"), str(tmp / "out.json")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return self

    def result(self, timeout: float) -> dict[str, Any]:
        """Wait until ``timeout`` seconds after the start; one record per model form."""
        if self.proc is None:
            return {"status": self.status}
        stopped = False
        try:
            try:
                _, err = self.proc.communicate(timeout=max(1.0, timeout - (time.perf_counter() - self.started)))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                _, err = self.proc.communicate()
                stopped = True
            waited = time.perf_counter() - self.started
            path = Path(self.tmp.name) / "out.json"
            raw = json.loads(path.read_text()) if path.exists() else {}
        finally:
            self.tmp.cleanup()
        want = np.concatenate(self.net.activations(self.d)[1:], axis=1)
        out: dict[str, Any] = {"status": "ok", "waited_s": waited, "forms": {}}
        elapsed_before = 0.0
        for form in self.forms:
            rec = {**self.info[form], "n_inputs": self.n_inputs, "t_end": self.t_end}
            got = raw.get(form)
            if got and "finals" in got:
                finals = np.array(got["finals"])
                rec.update(status="ok", load_s=got["load_s"], per_input_median_s=float(np.median(got["per_input_s"])),
                           max_abs_error=float(np.max(np.abs(finals - want))),
                           max_rel_error=float(np.max(np.abs(finals - want) / want)))
                elapsed_before += got["load_s"] + float(np.sum(got["per_input_s"]))
            elif got and stopped:
                bound = waited - elapsed_before
                rec.update(status=f"model load did not finish within {bound:.0f} s (stopped)", lower_bound_load_s=bound)
            elif stopped:
                rec.update(status="not started before the deadline")
            else:
                rec.update(status=f"failed: {err.decode()[-300:]}")
            out["forms"][form] = rec
        return out


# --------------------------------------------------------------------------- data and networks
def mnist_test(n: int) -> np.ndarray:
    """The first n MNIST test images in [0, 1] (RXNN_DATA or the default cache; fetched if missing)."""
    from rxnn.datasets.mnist import load_mnist

    return load_mnist(fetch=True).test.inputs(np.arange(n))


def trained_paper_network(seconds: list[float] | None = None) -> FeedForwardNetwork:
    """The §6 network after 1000 SGD iterations (batch 300, eta 0.1, seed 1234)."""
    from rxnn.datasets.mnist import load_mnist
    from rxnn.experiments.training import TrainingConfig, train

    t = time.perf_counter()
    result = train(TrainingConfig(), load_mnist(fetch=True).train)
    if seconds is not None:
        seconds.append(time.perf_counter() - t)
    return result.network


def main() -> None:  # pragma: no cover - run by benchmarks/run.py
    d = mnist_test(1000)
    net = FeedForwardNetwork.random([784, 40, 10], SmoothReLU(H), seed=1234)
    print(json.dumps(bench_network("784-40-10", net, d, repeat=5, transient_repeat=1), indent=1))


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("RXNN_DATA", "/work/shared/data")
    main()
