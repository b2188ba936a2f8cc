"""The fixed registry of sweep task kinds, and the function a worker runs.

Private helpers of :mod:`rxnn.experiments.sweep`. A task is data: a kind (a
name in :data:`TASK_KINDS`), JSON parameters, and the sweep's shared data (numpy
arrays and JSON, e.g. a network's weights and the input rows). A worker never
receives code from a file: :func:`execute` looks the kind up in this table.

Every task function takes ``(params, seed, shared)`` (``seed`` a
:class:`numpy.random.SeedSequence` made from the base seed and the task key)
and returns a dict of result columns (numbers, strings, arrays of numbers).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from rxnn.errors import InvalidArgumentError

#: A task function: (params, seed, shared) -> result columns.
TaskFunction = Callable[[dict[str, Any], np.random.SeedSequence, dict[str, Any]], dict[str, Any]]

#: Per-worker cache of objects built from the shared data (networks, compiled networks), keyed by
#: (hash of the shared data, what): a worker builds each once per sweep, not once per task.
_CACHE: dict[tuple[str, str], Any] = {}


def network_to_shared(network: Any) -> dict[str, Any]:
    """A FeedForwardNetwork as shared data: ``net.W<l>``, ``net.b<l>`` arrays and ``net.activation`` JSON."""
    out: dict[str, Any] = {"net.activation": {"name": network.activation.name, "params": network.activation.params}}
    for l, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        out[f"net.W{l}"], out[f"net.b{l}"] = np.asarray(w), np.asarray(b)
    return out


def _cached(shared: dict[str, Any], what: str, build: Callable[[], Any]) -> Any:
    key = (shared["__hash__"], what)
    if key not in _CACHE:
        if len(_CACHE) > 16:  # a long-lived worker of many sweeps: keep the newest few
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = build()
    return _CACHE[key]


def network_from_shared(shared: dict[str, Any]) -> Any:
    """The FeedForwardNetwork that :func:`network_to_shared` stored (built once per worker and sweep)."""
    from rxnn.nn import FeedForwardNetwork
    from rxnn.nn.activations import get_activation

    def build() -> Any:
        if "net.activation" not in shared:
            raise InvalidArgumentError("this task needs a network in the sweep's shared data "
                                       "(shared=network_to_shared(net) | {...})")
        m = sum(1 for k in shared if k.startswith("net.W"))
        spec = shared["net.activation"]
        return FeedForwardNetwork([shared[f"net.W{l}"] for l in range(1, m + 1)],
                                  [shared[f"net.b{l}"] for l in range(1, m + 1)],
                                  get_activation(spec["name"], **spec["params"]))

    return _cached(shared, "network", build)


def compiled_from_shared(shared: dict[str, Any], *, absorb_enzymes: bool) -> Any:
    """The compiled network of the shared network (either form), built once per worker and sweep."""
    from rxnn.compile import compile_network

    return _cached(shared, f"compiled-{absorb_enzymes}",
                   lambda: compile_network(network_from_shared(shared), absorb_enzymes=absorb_enzymes))


def _inputs(shared: dict[str, Any]) -> np.ndarray:
    if "inputs" not in shared:
        raise InvalidArgumentError("this task needs the input rows in the sweep's shared data (shared['inputs'])")
    return np.atleast_2d(np.asarray(shared["inputs"], dtype=np.float64))


# --------------------------------------------------------------------------- task kinds
def normal_draws(params: dict[str, Any], seed: np.random.SeedSequence, shared: dict[str, Any]) -> dict[str, Any]:
    """``n`` standard normal draws from the task's generator (a cheap kind, for tests and examples).

    ``wait`` (seconds, at most 10) makes the task last that long: a stand-in for
    a long simulation when a test kills a worker or a sweep mid-run.
    """
    n = int(params.get("n", 1))
    if not 1 <= n <= 10**6:
        raise InvalidArgumentError(f"n of the normal-draws task must be between 1 and 1000000; got {n}")
    wait = float(params.get("wait", 0.0))
    if not 0.0 <= wait <= 10.0:
        raise InvalidArgumentError(f"wait of the normal-draws task must be between 0 and 10 seconds; got {wait}")
    time.sleep(wait)
    return {"draws": np.random.default_rng(seed).standard_normal(n)}


def ssa_accuracy(params: dict[str, Any], seed: np.random.SeedSequence, shared: dict[str, Any]) -> dict[str, Any]:
    """SSA of input row ``image`` at ``volume`` (seed from the task key): time-averaged outputs and their class.

    Calls :func:`rxnn.experiments.stochastic_accuracy.node_statistics` on the absorbed
    compiled network (the same chain as the Table 1 form, event for event).
    Parameters: ``image``, ``volume``, optional ``t_end``, ``repeats``,
    ``method`` ("auto", "ssa", "tau-leap") and ``options`` (the method's, e.g. ``{"epsilon": 0.1}``).
    """
    from rxnn.experiments.stochastic_accuracy import T_END, node_statistics

    x = _inputs(shared)
    image = int(params["image"])
    if not 0 <= image < x.shape[0]:
        raise InvalidArgumentError(f"image {image} of the ssa-accuracy task is not a row of the shared inputs "
                                   f"(0..{x.shape[0] - 1})")
    compiled = compiled_from_shared(shared, absorb_enzymes=True)
    stats = node_statistics(compiled, x[image:image + 1], volume=float(params["volume"]),
                            t_end=float(params.get("t_end", T_END)), n_repeats=int(params.get("repeats", 1)),
                            method=str(params.get("method", "auto")), options=params.get("options"), seed=seed)
    out = stats.output_slice
    return {"outputs": stats.mean[0, out], "output_std": stats.std[0, out], "expected": stats.expected[0, out],
            "node_std": stats.std[0], "prediction": int(stats.predictions[0]), "n_events": stats.n_events,
            "n_steps": stats.n_steps,
            "method": stats.method}


def ssa_accuracy_key(image: int, volume: float, t_end: float, method: str, repeat: int = 0,
                     options: dict[str, Any] | None = None) -> str:
    """The key of the one-image ``ssa-accuracy`` task (what seeds that image's trajectory)."""
    from rxnn.experiments._sweep_store import canonical_json

    params = {"image": int(image), "volume": float(volume), "seed": int(repeat), "t_end": float(t_end),
              "method": str(method)} | ({"options": options} if options else {})
    return "ssa-accuracy" + canonical_json(params, "params of task 'ssa-accuracy'")


#: Most images one ``ssa-accuracy-block`` task simulates (a block is one result file).
MAX_BLOCK_IMAGES = 10_000


def ssa_accuracy_block(params: dict[str, Any], seed: np.random.SeedSequence, shared: dict[str, Any]) -> dict[str, Any]:
    """:func:`ssa_accuracy` of every input row in ``images``, each seeded as its own one-image task.

    Image i's trajectory is seeded from the base seed and the key of the one-image
    task ``ssa-accuracy`` of i (:func:`ssa_accuracy_key`), not from the block's key,
    so the results do not depend on how the images are cut into blocks (and equal a
    one-image-per-task sweep's). Parameters: ``images`` (row indices), ``volume``,
    ``t_end``, ``method``, optional ``options``. Columns: per image ``outputs`` (row-major, images x outputs),
    ``output_std``, ``prediction``, ``n_events``, ``n_steps``, ``cpu_time`` (process
    seconds of that image), and ``method``.
    """
    from rxnn.experiments._sweep_store import task_seed_sequence
    from rxnn.experiments.stochastic_accuracy import T_END

    images = [int(i) for i in params["images"]]
    if not 1 <= len(images) <= MAX_BLOCK_IMAGES:
        raise InvalidArgumentError(f"images of the ssa-accuracy-block task must list 1 to {MAX_BLOCK_IMAGES} rows; "
                                   f"got {len(images)}")
    volume, method = float(params["volume"]), str(params.get("method", "auto"))
    t_end, options = float(params.get("t_end", T_END)), params.get("options") or None
    base = int(seed.entropy)  # the sweep's base seed (task_seed_sequence puts it there)
    columns: dict[str, list[Any]] = {k: [] for k in ("outputs", "output_std", "prediction", "n_events", "n_steps",
                                                     "cpu_time")}
    chosen = method
    for i in images:
        start = time.process_time()
        one = ssa_accuracy({"image": i, "volume": volume, "t_end": t_end, "method": method, "options": options},
                           task_seed_sequence(base, ssa_accuracy_key(i, volume, t_end, method, options=options)),
                           shared)
        columns["cpu_time"].append(time.process_time() - start)
        for name in ("outputs", "output_std", "prediction", "n_events", "n_steps"):
            columns[name].append(one[name])
        chosen = one["method"]
    return {"outputs": np.concatenate(columns["outputs"]), "output_std": np.concatenate(columns["output_std"]),
            "prediction": np.array(columns["prediction"], dtype=np.int64),
            "n_events": np.array(columns["n_events"], dtype=np.int64),
            "n_steps": np.array(columns["n_steps"], dtype=np.int64),
            "cpu_time": np.array(columns["cpu_time"]), "method": chosen}


def _steady_outputs(compiled: Any, initial: dict[str, Any], network: Any = None) -> dict[str, Any]:
    from rxnn.crn.simulate import steady_state

    result = steady_state(compiled.network if network is None else network, initial)
    outputs = np.stack([np.asarray(result[s]).reshape(-1) for s in
                        compiled.layer_species(len(compiled.source.layer_sizes) - 1)], axis=1)
    return {"outputs": outputs.ravel(), "n_outputs": outputs.shape[1], "predictions": np.argmax(outputs, axis=1)}


def perturbed_steady_state(params: dict[str, Any], seed: np.random.SeedSequence,
                           shared: dict[str, Any]) -> dict[str, Any]:
    """Steady-state outputs of every input row after a lognormal perturbation of the Table 1 network.

    Parameters: ``target`` ("rates": every rate constant k_j -> k_j exp(sigma z_j);
    "enzymes": every enzymatic concentration H, W+-, B+- -> c exp(sigma z), the
    inputs, which are data, untouched), ``sigma`` and ``sample`` (which draw; it
    enters through the task key). One perturbation is shared by all inputs.
    """
    from rxnn.crn.network import ReactionNetwork

    compiled = compiled_from_shared(shared, absorb_enzymes=False)
    net = compiled.network
    target, sigma = str(params["target"]), float(params["sigma"])
    rng = np.random.default_rng(seed)
    initial = compiled.initial_state(_inputs(shared), 1.0)
    if target == "rates":
        factors = np.exp(sigma * rng.standard_normal(net.n_reactions))
        net = ReactionNetwork.from_matrices(net.species, net.reactant_matrix(), net.product_matrix(),
                                            net.rate_array() * factors)
    elif target == "enzymes":
        inputs = set(compiled.layer_species(0))
        names = [s for s in net.enzymatic_species if s not in inputs]
        factors = np.exp(sigma * rng.standard_normal(len(names)))
        for name, f in zip(names, factors):
            initial[name] = initial[name] * float(f)
    else:
        raise InvalidArgumentError(f"target of the perturbed-steady-state task must be 'rates' or 'enzymes'; got {target!r}")
    return _steady_outputs(compiled, initial, net)


#: Leak modes: which reactions every node X gains (both at rate eps).
LEAK_MODES = ("birth", "death", "both")


def leak_network(compiled: Any, mode: str, eps: float) -> Any:
    """The Table 1 network with leaks: every node gains ``0 -> X`` (birth) and/or ``X -> 0`` (death) at rate eps."""
    import scipy.sparse as sp

    from rxnn.crn.network import ReactionNetwork

    if mode not in LEAK_MODES:
        raise InvalidArgumentError(f"leak mode must be one of {', '.join(LEAK_MODES)}; got {mode!r}")
    net = compiled.network
    index = net.species_index
    rows = np.array([index[s] for s in compiled.hidden_and_output_species])
    n = rows.size
    one = sp.csc_matrix((np.ones(n, dtype=np.int64), (rows, np.arange(n))), shape=(net.n_species, n))
    none = sp.csc_matrix((net.n_species, n), dtype=np.int64)
    extra_r, extra_p = [], []
    if mode in ("birth", "both"):
        extra_r.append(none)
        extra_p.append(one)
    if mode in ("death", "both"):
        extra_r.append(one)
        extra_p.append(none)
    R = sp.hstack([net.reactant_matrix(), *extra_r], format="csc")
    P = sp.hstack([net.product_matrix(), *extra_p], format="csc")
    rates = np.concatenate([net.rate_array(), np.full(R.shape[1] - net.n_reactions, float(eps))])
    return ReactionNetwork.from_matrices(net.species, R, P, rates)


def leak_steady_state(params: dict[str, Any], seed: np.random.SeedSequence, shared: dict[str, Any]) -> dict[str, Any]:
    """Steady-state outputs of every input row with leak reactions at rate ``eps`` (``mode`` in LEAK_MODES)."""
    compiled = compiled_from_shared(shared, absorb_enzymes=False)
    net = leak_network(compiled, str(params["mode"]), float(params["eps"]))
    return _steady_outputs(compiled, compiled.initial_state(_inputs(shared), 1.0), net)


#: The task kinds a sweep can run: the only functions a worker executes.
TASK_KINDS: dict[str, TaskFunction] = {
    "normal-draws": normal_draws,
    "ssa-accuracy": ssa_accuracy,
    "ssa-accuracy-block": ssa_accuracy_block,
    "perturbed-steady-state": perturbed_steady_state,
    "leak-steady-state": leak_steady_state,
}


def execute(kind: str, params_json: str, base_seed: int, key: str, shared: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Run one task (on a worker, or in-process); return its result columns and its wall time."""
    from rxnn.experiments._sweep_store import task_seed_sequence

    if kind not in TASK_KINDS:
        raise InvalidArgumentError(f"unknown sweep task kind {kind!r}; the kinds are {', '.join(TASK_KINDS)}")
    start = time.perf_counter()
    values = TASK_KINDS[kind](json.loads(params_json), task_seed_sequence(base_seed, key), shared)
    return values, time.perf_counter() - start
