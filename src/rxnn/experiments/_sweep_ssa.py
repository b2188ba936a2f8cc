"""Accuracy against volume as a sweep: one task per (image, volume, seed), on dask workers or in this process.

:func:`stochastic_accuracy_sweep` returns the same
:class:`~rxnn.experiments.stochastic_accuracy.StochasticAccuracy` table as
:func:`rxnn.experiments.stochastic_accuracy.stochastic_accuracy`, computed from ``ssa-accuracy``
tasks (:mod:`rxnn.experiments.sweep`): each trajectory is seeded from the base
seed and its key ``(image, volume, seed)``, so the table does not depend on the
number of workers, and a killed run resumes from its results folder. The
trajectories of an image at a volume are pooled as ``node_statistics`` pools
repeats (time averages averaged; spread = mean within-path variance plus the
variance of the averages).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from typing import Any

import numpy as np

from rxnn.errors import InvalidArgumentError


def _stochastic_module() -> Any:
    import rxnn.experiments.stochastic_accuracy as module  # lazily: it imports the compiler

    return module


def stochastic_accuracy_sweep(
    network: Any,
    inputs: Any,
    labels: Any,
    *,
    volumes: Sequence[float] | None = None,
    image_indices: Any = None,
    t_end: float | None = None,
    method: str = "auto",
    n_repeats: int = 1,
    seed: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    results: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> Any:
    """Test accuracy and output error of a compiled network against volume, run as a sweep.

    Parameters are those of :func:`rxnn.experiments.stochastic_accuracy.stochastic_accuracy`
    (without enzyme rounding: the absorbed form is simulated) plus ``workers``,
    ``scheduler`` and ``results`` of :func:`~rxnn.experiments.sweep.run_sweep`.

    Returns
    -------
    StochasticAccuracy

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(h=1.0), seed=0)
    >>> x = np.random.default_rng(0).uniform(size=(2, 3))
    >>> table = stochastic_accuracy_sweep(net, x, [0, 1], volumes=[1000.0], t_end=5.0, n_repeats=2)
    >>> row = table.rows[0]
    >>> (row.n_images, row.method, row.output_error < 0.1)
    (2, 'ssa', True)
    """
    from rxnn.compile import compile_network
    from rxnn.crn.simulate import steady_state
    from rxnn.experiments.sweep import Task, network_to_shared, run_sweep  # not at the top: sweep re-exports this

    sa = _stochastic_module()
    func = "stochastic_accuracy_sweep"
    volumes = tuple(sa.DEFAULT_VOLUMES if volumes is None else volumes)
    t_end = sa.T_END if t_end is None else float(t_end)
    x = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    y = np.asarray(labels, dtype=np.int64).reshape(-1)
    if x.shape[0] != y.size or x.shape[0] == 0:
        raise InvalidArgumentError(f"inputs and labels of {func} must describe the same non-empty set of images; "
                                   f"got {x.shape[0]} inputs and {y.size} labels")
    if not volumes or not all(np.isfinite(v) and v > 0 for v in volumes):
        raise InvalidArgumentError(f"volumes of {func} must be a non-empty sequence of positive finite numbers")
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int) or n_repeats < 1:
        raise InvalidArgumentError(f"n_repeats of {func} must be a positive integer; got {n_repeats!r}")
    indices = np.arange(x.shape[0]) if image_indices is None else np.asarray(image_indices).reshape(-1)
    compiled = compile_network(network, absorb_enzymes=True)
    ode = steady_state(compiled.network, compiled.initial_state(x, 1.0))
    det = np.stack([np.asarray(ode[s]).reshape(-1) for s in compiled.layer_species(len(network.layer_sizes) - 1)],
                   axis=1)
    det_pred = np.argmax(det, axis=1)
    det_acc = float(np.mean(det_pred == y))

    def task(i: int, v: float, r: int) -> Any:
        return Task("ssa-accuracy", {"image": i, "volume": float(v), "seed": r, "t_end": t_end, "method": method})

    tasks = [task(i, v, r) for v in volumes for i in range(x.shape[0]) for r in range(n_repeats)]
    shared = network_to_shared(network) | {"inputs": x}
    with tempfile.TemporaryDirectory(prefix="rxnn-ssa-sweep-") as tmp:
        sweep = run_sweep(tasks, results if results is not None else tmp, seed=seed, shared=shared,
                          workers=workers, scheduler=scheduler, progress=progress)
    got = sweep.values()
    walls = {r.key: r.wall_time for r in sweep.records}
    rows, outputs, stds = [], {}, {}
    for v in volumes:
        recs = [[got[task(i, v, r).key] for r in range(n_repeats)] for i in range(x.shape[0])]
        means = np.array([[rec["outputs"] for rec in per] for per in recs])  # (images, repeats, c_m)
        within = np.array([[np.square(rec["output_std"]) for rec in per] for per in recs])
        spread = within.mean(axis=1) + (means.var(axis=1, ddof=1) if n_repeats > 1 else 0.0)
        out = means.mean(axis=1)
        pred = np.argmax(out, axis=1)
        outputs[v], stds[v] = out, np.sqrt(spread)
        flat = [rec for per in recs for rec in per]
        rows.append(sa.AccuracyRow(
            volume=float(v), method=str(flat[0]["method"]), n_images=int(y.size), accuracy=float(np.mean(pred == y)),
            deterministic_accuracy=det_acc, agreement=float(np.mean(pred == det_pred)),
            output_error=float(np.sqrt(np.mean((out - det) ** 2))), output_spread=float(np.mean(np.sqrt(spread))),
            n_events=int(sum(rec["n_events"] for rec in flat)), n_steps=int(sum(rec["n_steps"] for rec in flat)),
            wall_time=float(sum(walls[task(i, v, r).key] for i in range(x.shape[0]) for r in range(n_repeats))),
        ))
    return sa.StochasticAccuracy(
        rows=tuple(rows), image_indices=indices, labels=y, deterministic_outputs=det, stochastic_outputs=outputs,
        output_std=stds, layer_sizes=tuple(network.layer_sizes), t_end=t_end, window=(t_end / 2, t_end),
        n_repeats=n_repeats, seed=seed, round_enzymes=False,
        settings={"method": method, "absorb_enzymes": True, "auto_ssa_max_volume": sa.AUTO_SSA_MAX_VOLUME,
                  "sweep": {"workers": workers, "scheduler": scheduler, "tasks_run": sweep.n_executed,
                            "tasks_reused": sweep.n_reused}},
    )
