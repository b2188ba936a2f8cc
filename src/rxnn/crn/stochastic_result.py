"""The result of :func:`~rxnn.crn.stochastic.simulate_stochastic`: sampled paths, counts and window averages."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rxnn._validation import must_be
from rxnn.crn.result_base import StochasticCounters
from rxnn.crn.results import TrajectoryResult

__all__ = ["StochasticResult"]


@dataclass(repr=False)
class StochasticResult(TrajectoryResult):
    """Sampled paths of a network at a volume: concentrations, counts and window averages.

    A :class:`~rxnn.crn.results.TrajectoryResult` in compact storage:
    ``dynamic`` holds the concentrations (counts / volume) of the recorded
    dynamic species, shape (batch, n_times, n_dynamic), and ``constant``
    those of the recorded enzymatic species, shape (batch, n_enzymatic);
    ``result["X"]`` has shape (n_times,), or (batch, n_times) when
    :attr:`batched`. Its ``counters`` are a
    :class:`~rxnn.crn.result_base.StochasticCounters` (trajectories, events,
    steps, channels, wall time), not an integrator's.

    The batch axis runs over inputs, then repeats: entry ``b * n_repeats + r``
    is repeat r of input b, so ``result["X"].reshape(n_inputs, n_repeats,
    n_times)`` (or :meth:`by_input`) separates them. Times a trajectory did
    not reach (after a failure) hold NaN.

    Attributes
    ----------
    t, species, values, batched, success, status, message, method, dynamic, constant, dynamic_species
        As for :class:`~rxnn.crn.results.SimulationResult` (``values`` is
        None: the storage is compact). ``method`` is what ran (``"ssa"`` or
        ``"tau-leap"``, also for ``method="auto"``).
    volume : float
    n_inputs, n_repeats : int
    n_events : ndarray of int64, shape (batch,)
        Reaction events (channel firings) of each trajectory.
    n_steps : ndarray of int64, shape (batch,)
        Steps taken: equal to the events for the SSA; leaps plus exact steps for tau-leaping.
    t_reached : ndarray of shape (batch,)
        The time each trajectory reached (the end time unless it failed).
    window : (float, float)
        The window of :meth:`time_average` and :meth:`time_variance`.
    window_mean, window_meansq : ndarray of shape (batch, n_dynamic)
        Exact time averages of x and x**2 of the recorded dynamic species over
        ``window`` along each path (NaN where the trajectory stopped before
        the window's end).
    round_enzymes : bool
        Whether enzymatic species were rounded to whole molecules.
    n_channels : int
        Channels simulated after :func:`~rxnn.crn.stochastic.aggregate_channels`.
    seed : int or sequence of int
        The entropy of the :class:`numpy.random.SeedSequence` used (give it back as
        ``seed=`` to reproduce a run made with ``seed=None``).
    wall_time : float
        Seconds spent in the simulation loops.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.stochastic import simulate_stochastic
    >>> net = ReactionNetwork.from_text("X -> 0")
    >>> res = simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=20, n_repeats=3, seed=0)
    >>> res.method, res["X"].shape, res.counts("X")[:, 0].tolist()  # 3 repeats of 20 molecules
    ('ssa', (3, 101), [20, 20, 20])
    """

    t: np.ndarray
    species: tuple[str, ...]
    values: np.ndarray | None
    batched: bool
    success: bool
    status: int
    message: str
    method: str = ""
    dynamic: np.ndarray | None = None
    constant: np.ndarray | None = None
    dynamic_species: tuple[str, ...] | None = None
    volume: float = 1.0
    n_inputs: int = 1
    n_repeats: int = 1
    n_events: np.ndarray | None = None
    n_steps: np.ndarray | None = None
    t_reached: np.ndarray | None = None
    window: tuple[float, float] = (0.0, 0.0)
    window_mean: np.ndarray | None = None
    window_meansq: np.ndarray | None = None
    round_enzymes: bool = False
    n_channels: int = 0
    seed: Any = 0
    wall_time: float = 0.0
    index: dict[str, tuple[bool, int]] | None = field(default=None, compare=False)

    @property
    def counters(self) -> StochasticCounters:
        events = int(self.n_events.sum()) if self.n_events is not None else 0
        steps = int(self.n_steps.sum()) if self.n_steps is not None else 0
        return StochasticCounters(trajectories=self.batch_size, events=events, steps=steps,
                                  channels=self.n_channels, wall_time=self.wall_time)

    # ------------------------------------------------------------------ accessors
    def _out(self, array: np.ndarray) -> Any:
        return array if self.batched else (array[0] if array.ndim > 1 else array[0].item())

    def _position(self, name: str) -> tuple[bool, int]:
        self._lookup(name)  # raises the standard KeyError for unknown names
        return self._index()[name]

    def counts(self, name: str) -> np.ndarray:
        """Molecule counts of ``name`` at the output times.

        Dynamic species give int64 counts (-1 at times not reached);
        enzymatic species give volume x concentration (whole numbers, as
        int64, when enzymes were rounded; otherwise float).
        """
        is_dynamic, _ = self._position(name)
        raw = np.asarray(self._lookup(name)) * self.volume
        if is_dynamic or self.round_enzymes:
            raw = np.where(np.isnan(raw), -1, np.rint(np.nan_to_num(raw))).astype(np.int64)
        return self._out(raw)

    def _other_window(self, window: Any) -> tuple[float, float] | None:
        """None for the simulated window (exact averages), else a checked sampled window."""
        if window is None:
            return None
        func = "StochasticResult.time_average"
        try:
            w0, w1 = (float(v) for v in window)
        except (TypeError, ValueError):
            raise must_be("window", func, "a pair (t0, t1) of times", window) from None
        if not (self.t[0] <= w0 < w1 <= self.t[-1]):
            raise must_be("window", func, f"a pair t0 < t1 within [{self.t[0]:g}, {self.t[-1]:g}]", window)
        return None if (w0, w1) == tuple(self.window) else (w0, w1)

    def _moments(self, name: str, window: Any) -> tuple[np.ndarray, np.ndarray]:
        is_dynamic, col = self._position(name)
        other = self._other_window(window)
        if not is_dynamic:
            level = self.constant[:, col]
            return level, level * level
        if other is None:
            return self.window_mean[:, col], self.window_meansq[:, col]
        w0, w1 = other
        weights = np.diff(np.clip(np.append(self.t, np.inf), w0, w1)) / (w1 - w0)
        x = self.dynamic[:, :, col]
        return x @ weights, (x * x) @ weights

    def time_average(self, name: str, window: tuple[float, float] | None = None) -> Any:
        """Time average of the concentration of ``name`` along each path: a steady-state estimate.

        Parameters
        ----------
        name : str
        window : (float, float), optional
            Default: the ``window`` given to :func:`simulate_stochastic`, whose
            average is exact (integrated event by event). Another window is
            averaged from the samples at ``t``, each held until the next: an
            approximation as good as ``t`` is fine.

        Returns
        -------
        float, or ndarray of shape (batch,) when batched
        """
        return self._out(self._moments(name, window)[0])

    def time_variance(self, name: str, window: tuple[float, float] | None = None) -> Any:
        """Variance over time of the concentration of ``name`` along each path (same window rules).

        At stationarity this estimates the variance of the stationary
        distribution (in concentration units; multiply by volume**2 for counts).
        """
        mean, meansq = self._moments(name, window)
        return self._out(np.maximum(meansq - mean * mean, 0.0))

    def by_input(self, array: np.ndarray) -> np.ndarray:
        """Split a leading batch axis into (n_inputs, n_repeats)."""
        array = np.asarray(array)
        return array.reshape((self.n_inputs, self.n_repeats) + array.shape[1:])

    @property
    def events_per_second(self) -> float:
        """Total events over :attr:`wall_time`."""
        return float(self.n_events.sum()) / self.wall_time if self.wall_time > 0 else math.inf

    def __repr__(self) -> str:
        return (
            f"StochasticResult(success={self.success}, method={self.method!r}, volume={self.volume:g}, "
            f"t=[{self.t[0]:g}, {self.t[-1]:g}], n_times={self.t.size}, n_species={len(self.species)}, "
            f"inputs={self.n_inputs}, repeats={self.n_repeats}, events={int(self.n_events.sum())}, "
            f"message={self.message!r})"
        )
