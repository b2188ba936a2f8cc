"""How many molecules does a chemical neural network need? Stochastic accuracy of a compiled network.

The paper's theory is deterministic: the compiled network's mass-action ODE converges to the neural
network's output (Thm. 4.8, §5). In a real solution there are finitely many molecules, and a volume V
turns a concentration x into about V x molecules of noise-carrying counts. This module simulates the
compiled network stochastically (:func:`rxnn.crn.stochastic.simulate_stochastic`), estimates the
stationary mean and spread of every node, classifies by the time-averaged output concentrations, and
tabulates test accuracy and output error against volume next to the deterministic accuracy on the same images.

It joins the neural (:mod:`rxnn.nn`) and chemical (:mod:`rxnn.crn`) halves, so it lives outside :mod:`rxnn.crn`.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._deprecation import renamed_keywords
from rxnn.experiments._outputs import save_png, write_md_json_png
from rxnn._validation import check_int, check_positive_finite, must_be
from rxnn.compile import CompiledNetwork, compile_network
from rxnn.crn.simulate import steady_state
from rxnn.crn.stochastic import STOCHASTIC_METHODS, simulate_stochastic
from rxnn.errors import ArgumentTypeError, InvalidArgumentError
from rxnn.nn import FeedForwardNetwork

__all__ = [
    "AUTO_SSA_MAX_VOLUME",
    "DEFAULT_VOLUMES",
    "T_END",
    "AccuracyRow",
    "NodeStatistics",
    "StochasticAccuracy",
    "node_statistics",
    "stochastic_accuracy",
]

#: Volumes of the experiment (issue 7): 1 to 10,000.
DEFAULT_VOLUMES = (1.0, 10.0, 100.0, 1000.0, 10000.0)
#: Simulated time per image; nodes start at 1 and the window is [T_END / 2, T_END].
T_END = 20.0
#: ``method="auto"``: exact SSA up to this volume, tau-leaping above it.
AUTO_SSA_MAX_VOLUME = 1000.0


def _method_for(method: str, volume: float) -> str:
    return ("ssa" if volume <= AUTO_SSA_MAX_VOLUME else "tau-leap") if method == "auto" else method


# --------------------------------------------------------------------------- node statistics
@dataclass(frozen=True, eq=False)
class NodeStatistics:
    """Stationary mean and spread of every hidden and output node, per input.

    Attributes
    ----------
    species : tuple of str
        The node species, layer by layer (``compiled.hidden_and_output_species``).
    mean : ndarray of shape (n_inputs, n_nodes)
        Time average of each node's concentration over ``window``, averaged over repeats.
    std : ndarray of shape (n_inputs, n_nodes)
        Stationary standard deviation of each node's concentration: within-path
        variance over the window plus the variance of the repeats' averages.
    expected : ndarray of shape (n_inputs, n_nodes)
        The network's activations, which the ODE converges to (Thm. 4.8).
    output_slice : slice
        The columns of the output layer.
    volume : float
    method : str
    window : (float, float)
    n_events : int
        Events (reaction firings) over all trajectories.
    n_steps : int
        Steps over all trajectories: the events for the SSA, leaps plus exact steps for tau-leaping.
    wall_time : float
        Seconds in the simulation kernels.

    Examples
    --------
    >>> from rxnn.nn import SmoothReLU
    >>> stats = node_statistics(compile_network(FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0)), [0.2, 0.9], volume=100.0)
    >>> stats.species, stats.method, stats.outputs.shape, stats.predictions.tolist()
    (('X1_1', 'X1_2'), 'ssa', (1, 2), [1])
    """

    species: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    expected: np.ndarray
    output_slice: slice
    volume: float
    method: str
    window: tuple[float, float]
    n_events: int
    n_steps: int
    wall_time: float

    @property
    def outputs(self) -> np.ndarray:
        """Mean output concentrations, shape (n_inputs, c_m)."""
        return self.mean[:, self.output_slice]

    @property
    def predictions(self) -> np.ndarray:
        """The class of each input: argmax of the time-averaged outputs (first index on ties)."""
        return np.argmax(self.outputs, axis=1)


def node_statistics(
    compiled: CompiledNetwork,
    d: Any,
    *,
    volume: float,
    t_end: float = T_END,
    window: tuple[float, float] | None = None,
    n_repeats: int = 1,
    method: str = "auto",
    options: dict[str, Any] | None = None,
    seed: int | np.random.SeedSequence | None = 0,
    nodes: float = 1.0,
    round_enzymes: bool = False,
    workers: int = 1,
    progress: bool = False,
) -> NodeStatistics:
    """Estimate the stationary mean and spread of every node of a compiled network at a volume.

    Parameters
    ----------
    compiled : CompiledNetwork
        From :func:`rxnn.compile.compile_network` (either form: with channel
        aggregation both simulate the same chain, event for event).
    d : array_like of shape (c_0,) or (n_inputs, c_0)
        Inputs (concentrations, e.g. MNIST pixels in [0, 1]).
    volume : float
    t_end : float, default :data:`T_END`
        Simulated time; nodes start at ``nodes`` (the paper's all-ones start).
    window : (float, float), optional
        Averaging window; default [t_end / 2, t_end] (after the ODE has
        converged: its contraction rate is at least 2 sqrt(h), Prop. 4.9).
    n_repeats : int, default 1
        Independent trajectories per input.
    method : str, default "auto"
        ``"auto"`` (exact SSA up to :data:`AUTO_SSA_MAX_VOLUME`, tau-leaping
        above) or a name in :data:`~rxnn.crn.stochastic.STOCHASTIC_METHODS`.
    options : dict, optional
        The method's options (e.g. ``{"epsilon": 0.1}`` for tau-leaping), passed to ``simulate_stochastic``.
    seed : int, SeedSequence or None, default 0
        As for :func:`~rxnn.crn.stochastic.simulate_stochastic`.
    nodes : float, default 1.0
        Starting concentration of every hidden and output node.
    round_enzymes : bool, default False
        Round the enzymatic species to whole molecules (the inputs, and in
        the Table 1 form also H, W+-, B+-); see :func:`simulate_stochastic`.
    workers : int, default 1
        Threads over trajectories.
    progress : bool, default False

    Returns
    -------
    NodeStatistics

    Examples
    --------
    >>> from rxnn.nn import SmoothReLU
    >>> stats = node_statistics(compile_network(FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0)), [0.2, 0.9], volume=1e3)
    >>> bool(np.all(np.abs(stats.mean - stats.expected) < stats.std))  # the ODE's limit, within the noise
    True
    """
    func = "node_statistics"
    if not isinstance(compiled, CompiledNetwork):
        raise ArgumentTypeError(f"compiled of {func} must be a CompiledNetwork; got {type(compiled).__name__}")
    volume = check_positive_finite(volume, "volume", func)
    t_end = check_positive_finite(t_end, "t_end", func)
    if method != "auto" and method not in STOCHASTIC_METHODS:
        named = ", ".join(repr(m) for m in STOCHASTIC_METHODS if m != "auto")
        raise must_be("method", func, "'auto' or one of " + named, method)
    x = _as_inputs(d, "d", func)
    names = compiled.hidden_and_output_species
    chosen = _method_for(method, volume)
    res = simulate_stochastic(
        compiled.network, compiled.initial_state(x, nodes), (0.0, t_end), [0.0, t_end], volume=volume,
        method=chosen, seed=seed, n_repeats=n_repeats, round_enzymes=round_enzymes,
        window=window if window is not None else (t_end / 2, t_end), observe=names, workers=workers,
        progress=progress, **(options or {}),
    )
    n_in = x.shape[0]
    shape = (n_in, n_repeats, len(names))
    means = np.stack([np.reshape(res.time_average(s), (-1,)) for s in names], axis=-1).reshape(shape)
    variances = np.stack([np.reshape(res.time_variance(s), (-1,)) for s in names], axis=-1).reshape(shape)
    spread = variances.mean(axis=1) + (means.var(axis=1, ddof=1) if n_repeats > 1 else 0.0)
    expected = np.concatenate(compiled.source.activations(x)[1:], axis=-1)
    n_out = compiled.source.layer_sizes[-1]
    return NodeStatistics(
        species=names, mean=means.mean(axis=1), std=np.sqrt(spread), expected=expected,
        output_slice=slice(len(names) - n_out, len(names)), volume=volume, method=chosen, window=res.window,
        n_events=int(res.n_events.sum()), n_steps=int(res.n_steps.sum()), wall_time=res.wall_time,
    )


# --------------------------------------------------------------------------- the experiment
@dataclass(frozen=True)
class AccuracyRow:
    """One volume of the experiment.

    ``output_error`` is the root mean square, over images and output nodes, of (time-averaged stochastic
    output - deterministic output); ``output_spread`` the mean stationary standard deviation of the output
    nodes; ``agreement`` the fraction of images whose stochastic class equals the deterministic one;
    ``n_events`` counts reaction firings and ``n_steps`` the kernel's steps (equal for the SSA; leaps for tau-leaping).

    Examples
    --------
    >>> AccuracyRow(100.0, "ssa", 2, 0.5, 0.5, 1.0, 0.05, 0.05, 6000, 6000, 0.5).events_per_second
    12000.0
    """

    volume: float
    method: str
    n_images: int
    accuracy: float
    deterministic_accuracy: float
    agreement: float
    output_error: float
    output_spread: float
    n_events: int
    n_steps: int
    wall_time: float

    @property
    def events_per_second(self) -> float:
        return self.n_events / self.wall_time if self.wall_time > 0 else math.inf


@dataclass(frozen=True, eq=False)
class StochasticAccuracy:
    """Accuracy and output error of a compiled network against volume (see :func:`stochastic_accuracy`).

    Examples
    --------
    >>> from rxnn.nn import SmoothReLU
    >>> result = stochastic_accuracy(FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0), [[0.2, 0.9]], [1], volumes=[100.0])
    >>> result.to_markdown().splitlines()[4][:40], sorted(result.stochastic_outputs)
    ('| 100 | ssa | 100.0% | 100.0% | 100.0% |', [100.0])
    """

    rows: tuple[AccuracyRow, ...]
    image_indices: np.ndarray
    labels: np.ndarray
    deterministic_outputs: np.ndarray
    stochastic_outputs: dict[float, np.ndarray]
    output_std: dict[float, np.ndarray]
    layer_sizes: tuple[int, ...]
    t_end: float
    window: tuple[float, float]
    n_repeats: int
    seed: int | None
    round_enzymes: bool
    settings: dict[str, Any] = field(default_factory=dict)

    def to_markdown(self) -> str:
        """The table, with a header stating the network, the images and the settings."""
        sizes = "-".join(map(str, self.layer_sizes))
        n = self.image_indices.size
        first, last = int(self.image_indices[0]), int(self.image_indices[-1])
        contiguous = np.array_equal(self.image_indices, np.arange(first, last + 1))
        split = self.settings.get("image_split", "test")
        subset = f"MNIST {split} images {first}-{last}" if contiguous else f"{n} MNIST {split} images"
        lines = [
            f"Stochastic accuracy of the compiled {sizes} network on {subset} ({n} images per volume); "
            f"nodes start at 1, simulated to t = {self.t_end:g}, outputs time-averaged over "
            f"[{self.window[0]:g}, {self.window[1]:g}], {self.n_repeats} trajectory per image"
            f"{'s' if self.n_repeats > 1 else ''}, seed {self.seed}, enzymes "
            f"{'rounded to molecules' if self.round_enzymes else 'as concentrations'}.",
            "",
            "| volume | method | accuracy | deterministic accuracy | agreement with ODE class | output RMS error "
            "| output std | events | steps | wall time (s) | events/s |",
            "|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in self.rows:
            lines.append(
                f"| {r.volume:g} | {r.method} | {100 * r.accuracy:.1f}% | {100 * r.deterministic_accuracy:.1f}% "
                f"| {100 * r.agreement:.1f}% | {r.output_error:.3g} | {r.output_spread:.3g} | {r.n_events:.3g} | {r.n_steps:.3g} "
                f"| {r.wall_time:.1f} | {r.events_per_second:.3g} |"
            )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (rows, subset, settings)."""
        return {
            "layer_sizes": list(self.layer_sizes),
            "image_indices": [int(i) for i in self.image_indices],
            "t_end": self.t_end,
            "window": list(self.window),
            "n_repeats": self.n_repeats,
            "seed": self.seed,
            "round_enzymes": self.round_enzymes,
            "settings": self.settings,
            "rows": [{**r.__dict__, "events_per_second": r.events_per_second} for r in self.rows],
        }

    def plot(self, path: str | os.PathLike[str] | None = None) -> Any:
        """Accuracy (95% Wilson intervals) and output error/spread against volume: the figure, saved (PNG) with ``path``."""
        try:
            import matplotlib

            if path is not None:
                matplotlib.use("Agg", force=False)
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("plotting needs matplotlib: pip install 'rxnn[plot]'") from exc
        v = np.array([r.volume for r in self.rows])
        acc = np.array([r.accuracy for r in self.rows])
        n = np.array([r.n_images for r in self.rows])
        z = 1.96  # Wilson score interval: stays inside [0, 1]
        centre = (acc + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(acc * (1 - acc) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        yerr = 100 * np.array([acc - (centre - half), centre + half - acc])
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        ax1.errorbar(v, 100 * acc, yerr=yerr, marker="o", capsize=3, label="stochastic (time-averaged outputs)")
        det = np.array([r.deterministic_accuracy for r in self.rows])
        ax1.plot(v, 100 * det, "k--", label="deterministic (ODE steady state)")
        ax1.set_xscale("log")
        ax1.set_xlabel("volume V (molecules per unit concentration)")
        ax1.set_ylabel(f"test accuracy (%), {int(n[0])} images")
        ax1.legend(loc="lower right")
        ax1.set_title("classification against volume")
        err = np.array([r.output_error for r in self.rows])
        spread = np.array([r.output_spread for r in self.rows])
        ax2.loglog(v, err, "o-", label="RMS error of time-averaged outputs")
        ax2.loglog(v, spread, "s-", label="stationary std of outputs")
        ax2.loglog(v, spread[0] * np.sqrt(v[0] / v), "k:", label=r"$\propto 1/\sqrt{V}$")
        ax2.set_xlabel("volume V")
        ax2.set_ylabel("concentration")
        ax2.legend(loc="lower left")
        ax2.set_title("output error and spread")
        fig.tight_layout()
        return save_png(fig, path)

    def write(self, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
        """Write ``stochastic_accuracy.md``, ``.json`` and ``.png`` into ``out_dir``; return their paths."""
        return write_md_json_png(self, out_dir, "stochastic_accuracy")


def _as_inputs(value: Any, arg: str, func: str) -> np.ndarray:
    """A (batch, n_inputs) float array of finite values, or an InvalidArgumentError naming ``arg``."""
    try:
        x = np.atleast_2d(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError, OverflowError):
        raise must_be(arg, func, "a 2-D array of numbers (one row per image)", type(value).__name__) from None
    if x.ndim != 2 or not np.all(np.isfinite(x)):
        raise must_be(arg, func, "a 2-D array of finite numbers (one row per image)", f"shape {x.shape}")
    return x


def _volume_seed(seed: int | None, volume: float) -> np.random.SeedSequence | None:
    """The seed sequence of one volume: keyed by the volume's value (its float64 bits), not its position."""
    return None if seed is None else np.random.SeedSequence(seed, spawn_key=(int(np.float64(volume).view(np.int64)),))


def _check_volumes(volumes: Any, func: str) -> tuple[float, ...]:
    try:
        items = list(volumes)
    except TypeError:
        raise must_be("volumes", func, "a sequence of positive finite numbers", volumes) from None
    if not items:
        raise must_be("volumes", func, "a non-empty sequence of positive finite numbers", volumes)
    return tuple(check_positive_finite(v, "volumes", func) for v in items)


@renamed_keywords(inputs="d")
def stochastic_accuracy(
    network: FeedForwardNetwork,
    d: Any,
    labels: Any,
    *,
    volumes: Sequence[float] = DEFAULT_VOLUMES,
    image_indices: Any = None,
    image_split: str = "test",
    t_end: float = T_END,
    method: str = "auto",
    n_repeats: int = 1,
    seed: int | None = 0,
    round_enzymes: bool = False,
    absorb_enzymes: bool = False,
    workers: int = 1,
    progress: bool = False,
) -> StochasticAccuracy:
    """Test accuracy and output error of a compiled network against volume.

    Parameters
    ----------
    network : FeedForwardNetwork
        The trained network (e.g. 784-40-10 of §6).
    d : array_like of shape (n_images, c_0)
        Test images as concentrations (MNIST pixels / 255); ``inputs=`` is the deprecated spelling of this keyword.
    labels : array_like of int, shape (n_images,)
    volumes : sequence of float, default :data:`DEFAULT_VOLUMES`
    image_indices : array_like of int, optional
        Where the images come from in their data set (for the report); default 0..n_images-1.
    image_split : {"test", "train"}, default "test"
        Which MNIST split the images come from (for the report).
    t_end : float, default :data:`T_END`
        Each image is simulated from nodes at 1 to ``t_end``; the outputs are
        time-averaged over [t_end / 2, t_end] and the class is their argmax.
    method : str, default "auto"
        See :func:`node_statistics`.
    n_repeats : int, default 1
        Trajectories per image (their averages are pooled).
    seed : int or None, default 0
        Each volume V uses ``SeedSequence(seed, spawn_key=(bits of V,))``, so
        a volume's results do not depend on the other volumes run with it.
    round_enzymes : bool, default False
        Round enzymatic species (the input pixels; with ``absorb_enzymes=False``
        also H and the weights) to molecules; requires nothing else.
    absorb_enzymes : bool, default False
        Compile with enzymes folded into rate constants (§5.1), the default of :func:`~rxnn.compile.compile_network`
        too. The stochastic chains of both forms coincide (channel aggregation) unless enzymes are rounded:
        tests/test_stochastic.py compares the two outputs bit for bit.
    workers : int, default 1
        Threads over images.
    progress : bool, default False
        Progress bars (tqdm) over images for every volume.

    Returns
    -------
    StochasticAccuracy
        ``.to_markdown()``, ``.plot(path)``, ``.write(dir)``.

    Notes
    -----
    The deterministic reference is the steady state of the same compiled network's mass-action ODE from the
    same start (:func:`rxnn.steady_state`), classified the same way. The events per image grow like the volume
    (about 400 V per unit time for the trained 784-40-10 network), so exact SSA costs O(V); tau-leaping's
    leaps do not grow with V.

    Examples
    --------
    >>> from rxnn.nn import SmoothReLU
    >>> net = FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0)
    >>> rows = stochastic_accuracy(net, [[0.2, 0.9], [0.9, 0.1]], [1, 0], volumes=[10.0, 100.0]).rows
    >>> [r.agreement for r in rows], rows[1].output_error < rows[0].output_error  # the error falls with V
    ([1.0, 1.0], True)
    """
    func = "stochastic_accuracy"
    if not isinstance(network, FeedForwardNetwork):
        raise ArgumentTypeError(f"network of {func} must be a FeedForwardNetwork; got {type(network).__name__}")
    x = _as_inputs(d, "d", func)
    try:
        y = np.asarray(labels, dtype=np.int64).reshape(-1)
    except (TypeError, ValueError, OverflowError):
        raise must_be("labels", func, "a 1-D array of integer class labels", labels) from None
    if x.shape[0] != y.size or x.shape[0] == 0:
        raise InvalidArgumentError(f"d and labels of {func} must describe the same non-empty set of images; "
                                   f"got {x.shape[0]} inputs and {y.size} labels")
    volumes = _check_volumes(volumes, func)
    n_repeats = check_int(n_repeats, "n_repeats", func, minimum=1)
    if image_split not in ("test", "train"):
        raise must_be("image_split", func, "'test' or 'train'", image_split)
    indices = np.arange(x.shape[0]) if image_indices is None else np.asarray(image_indices).reshape(-1)
    compiled = compile_network(network, absorb_enzymes=absorb_enzymes)
    ode = steady_state(compiled.network, compiled.initial_state(x, 1.0))
    det = np.stack([np.asarray(ode[s]).reshape(-1) for s in compiled.layer_species(len(network.layer_sizes) - 1)], axis=1)
    det_pred = np.argmax(det, axis=1)
    det_acc = float(np.mean(det_pred == y))
    rows, outputs, stds = [], {}, {}
    window = (t_end / 2, t_end)
    for volume in volumes:
        start = time.perf_counter()
        stats = node_statistics(
            compiled, x, volume=volume, t_end=t_end, n_repeats=n_repeats, method=method,
            seed=_volume_seed(seed, volume),
            round_enzymes=round_enzymes, workers=workers, progress=progress,
        )
        elapsed = time.perf_counter() - start
        pred = stats.predictions
        out = stats.outputs
        outputs[volume], stds[volume] = out, stats.std[:, stats.output_slice]
        window = stats.window
        rows.append(AccuracyRow(
            volume=volume, method=stats.method, n_images=int(y.size), accuracy=float(np.mean(pred == y)),
            deterministic_accuracy=det_acc, agreement=float(np.mean(pred == det_pred)),
            output_error=float(np.sqrt(np.mean((out - det) ** 2))),
            output_spread=float(np.mean(stats.std[:, stats.output_slice])), n_events=stats.n_events,
            n_steps=stats.n_steps,
            wall_time=elapsed,
        ))
    return StochasticAccuracy(
        rows=tuple(rows), image_indices=indices, labels=y, deterministic_outputs=det, stochastic_outputs=outputs,
        output_std=stds, layer_sizes=tuple(network.layer_sizes), t_end=t_end, window=window, n_repeats=n_repeats,
        seed=seed, round_enzymes=round_enzymes,
        settings={"method": method, "absorb_enzymes": absorb_enzymes, "auto_ssa_max_volume": AUTO_SSA_MAX_VOLUME,
                  "image_split": image_split},
    )
