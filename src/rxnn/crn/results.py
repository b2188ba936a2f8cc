"""Results of simulations and steady states (SciPy ``OdeResult`` style), on one protocol.

Each result is a :class:`~rxnn.crn.result_base.Result`: it carries the data,
its verdict (``success``, ``status``, ``message``), what ran (``method``), a
typed ``counters`` record, and gives concentrations by species name.

Shapes. An *unbatched* result (the initial condition had no batch axis) has
no batch axis anywhere; a batched one has the batch axis first:

* trajectory ``result["X"]``: (n_times,), batched (batch, n_times);
* trajectory ``result.to_array()``: (n_times, n_species), batched (batch, n_times, n_species);
* steady state ``result["X"]``: a float, batched (batch,);
* steady state ``result.to_array()``: (n_species,), batched (batch, n_species).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rxnn._plotting import pyplot
from rxnn.crn.result_base import (
    SHOWN_VALUES,
    Counters,
    ODECounters,
    Result,
    SteadyStateCounters,
    StochasticCounters,
    VerificationCounters,
    pandas,
)
from rxnn.errors import RxnnError

__all__ = [
    "Counters",
    "ODECounters",
    "Result",
    "SimulationError",
    "SimulationResult",
    "SteadyStateCounters",
    "SteadyStateError",
    "SteadyStateResult",
    "StochasticCounters",
    "TrajectoryResult",
    "VerificationCounters",
]

#: A species "changes" along a trajectory when its range exceeds this fraction of its largest value.
CHANGE_RTOL = 1e-9
#: Most curves :meth:`TrajectoryResult.plot` labels in its legend.
LEGEND_LIMIT = 15


class SimulationError(RxnnError, RuntimeError):
    """The integrator failed; ``.result`` holds what was computed.

    Examples
    --------
    >>> from rxnn import ReactionNetwork, simulate
    >>> try:  # x' = x^2 from 1 blows up at t = 1
    ...     simulate(ReactionNetwork.from_text("2X -> 3X"), {"X": 1.0}, (0, 2))
    ... except SimulationError as exc:
    ...     print(exc.result.success, round(float(exc.result.t[-1]), 6))
    False 1.0
    """

    def __init__(self, message: str, result: Result) -> None:
        super().__init__(message)
        self.result = result


class SteadyStateError(RxnnError, RuntimeError):
    """No steady state was reached; ``.result`` holds the last iterate and its residual.

    Examples
    --------
    >>> from rxnn import ReactionNetwork, steady_state
    >>> try:
    ...     steady_state(ReactionNetwork.from_text("X -> 2X"), {"X": 1.0})  # x' = x grows for ever
    ... except SteadyStateError as exc:
    ...     print(exc.result.success, "unbounded growth" in str(exc))
    False True
    """

    def __init__(self, message: str, result: SteadyStateResult) -> None:
        super().__init__(message)
        self.result = result


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=3)


class _Stored(Result):
    """Name lookup over either a full array or a compact (dynamic, constant) pair.

    Compiled networks have tens of thousands of enzymatic species whose
    concentrations never change, so results store the dynamic species'
    values once per time and the enzymatic ones once. ``index`` (species ->
    (stored in the dynamic block, column)) is built on first lookup, or given
    by the simulator (shared by every result of one network).
    """

    species: tuple[str, ...]
    batched: bool
    values: np.ndarray | None
    dynamic: np.ndarray | None
    constant: np.ndarray | None
    dynamic_species: tuple[str, ...] | None
    index: dict[str, tuple[bool, int]] | None

    def _index(self) -> dict[str, tuple[bool, int]]:
        if self.index is None:
            if self.values is not None:
                self.index = {s: (True, i) for i, s in enumerate(self.species)}
            else:
                dyn = set(self.dynamic_species or ())
                d_pos = {s: i for i, s in enumerate(self.dynamic_species or ())}
                e_pos = {s: i for i, s in enumerate(x for x in self.species if x not in dyn)}
                self.index = {s: (True, d_pos[s]) if s in dyn else (False, e_pos[s]) for s in self.species}
        return self.index

    def _lookup(self, name: str) -> np.ndarray:
        """Values of one species with the batch axis first: (batch, ...) like the stored arrays."""
        try:
            stored, col = self._index()[name]
        except KeyError:
            raise KeyError(f"{name!r} is not a species of this result (species: {', '.join(self.species[:12])})") from None
        if stored:
            data = self.values if self.values is not None else self.dynamic
            return data[..., col]
        reference = self.dynamic
        const = self.constant[:, col]
        return np.broadcast_to(const.reshape((-1,) + (1,) * (reference.ndim - 2)), reference.shape[:-1])

    def _batched_array(self) -> np.ndarray:
        """Every species, batch axis first and species last."""
        if self.values is not None:
            return self.values
        if not self.species:  # the empty network: no columns, but the batch (and time) axes
            return np.zeros(self.dynamic.shape[:-1] + (0,))
        return np.stack([self._lookup(s) for s in self.species], axis=-1)

    def to_array(self) -> np.ndarray:
        """All species' values as one array, species last; no batch axis when unbatched (see the module)."""
        out = self._batched_array()
        return out if self.batched else out[0]

    @property
    def batch_size(self) -> int:
        """Members of the batch (1 when unbatched)."""
        data = self.values if self.values is not None else self.dynamic
        return int(data.shape[0])

    def _moving(self) -> tuple[tuple[str, ...], np.ndarray]:
        """The species that may change and their stored block (batch first, species last)."""
        if self.values is not None:
            return self.species, self.values
        return self.dynamic_species or (), self.dynamic

    def __contains__(self, name: object) -> bool:
        return name in self._index()


class TrajectoryResult(_Stored):
    """Values of species over time (``t``): the shared part of deterministic and stochastic trajectories.

    ``result["X"]`` has shape (n_times,), or (batch, n_times) when batched.

    Examples
    --------
    >>> from rxnn import ReactionNetwork, simulate
    >>> net = ReactionNetwork.from_text("E -> E + X\\nX -> 0")  # E is enzymatic: it never changes
    >>> res = simulate(net, {"E": 1.0}, (0, 1), t_eval=[0, 0.5, 1])
    >>> res["X"].shape, res.to_array().shape, res.changing()
    ((3,), (3, 2), ['X'])
    """

    t: np.ndarray

    def __getitem__(self, name: str) -> np.ndarray:
        out = self._lookup(name)
        return out if self.batched else out[0]

    def to_dict(self, at: int | None = None) -> dict[str, Any]:
        """Values by species: whole trajectories, or those at time index ``at``.

        Parameters
        ----------
        at : int, optional
            A time index (``-1``: the last time). With it, each value is a
            float, or an array over the batch when batched.

        Examples
        --------
        >>> from rxnn import ReactionNetwork, simulate
        >>> res = simulate(ReactionNetwork.from_text("X -> 0"), {"X": 1.0}, (0, 1), t_eval=[0, 1])
        >>> round(res.to_dict(at=-1)["X"], 6), res.to_dict()["X"].shape
        (0.367879, (2,))
        """
        if at is None:
            return {s: self[s] for s in self.species}
        out = {}
        for s in self.species:
            value = self._lookup(s)[:, at]
            out[s] = value if self.batched else float(value[0])
        return out

    def final(self) -> dict[str, Any]:
        """Deprecated: ``to_dict(at=-1)``, the values at the last time."""
        _deprecated("final()", "to_dict(at=-1)")
        return self.to_dict(at=-1)

    def changing(self, batch_index: int = 0) -> list[str]:
        """The species whose value changes along the trajectory of one batch member.

        A species changes when its range over time exceeds ``CHANGE_RTOL``
        (1e-9, far above rounding) times its largest absolute value.
        Enzymatic species never change.
        """
        names, block = self._moving()
        if not names or block.shape[1] == 0:
            return []
        member = block[batch_index]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (times not reached)
            spread = np.nanmax(member, axis=0) - np.nanmin(member, axis=0)
            scale = np.nanmax(np.abs(member), axis=0)
        moves = set(np.asarray(names)[spread > CHANGE_RTOL * scale].tolist())
        return [s for s in self.species if s in moves]

    def plot(self, species: Sequence[str] | None = None, *, batch_index: int = 0, ax: Any = None, **kwargs: Any) -> Any:
        """Plot concentrations against time (matplotlib); returns the axes.

        Parameters
        ----------
        species : sequence of str, optional
            Which species; default those that change (:meth:`changing`), so
            that the constant inputs, weights and ``H`` of a compiled network
            are left out.
        batch_index : int
            Which member of a batch to draw.
        """
        plt = pyplot()
        ax = ax or plt.subplots(figsize=(6, 4))[1]
        names = list(species) if species is not None else self.changing(batch_index)
        for name in names:
            ax.plot(self.t, self._lookup(name)[batch_index], label=name, **kwargs)
        ax.set_xlabel("time")
        ax.set_ylabel("concentration")
        if not names:
            ax.set_title("no species changes")
        elif len(names) <= LEGEND_LIMIT:
            ax.legend()
        else:
            ax.set_title(f"{len(names)} species")
        return ax

    def to_dataframe(self, species: Sequence[str] | None = None) -> Any:
        """A pandas DataFrame: one column per species, one row per time (and batch member).

        The index is ``t``, or a MultiIndex (``member``, ``t``) when batched.
        Needs the optional ``rxnn[dataframe]`` extra.
        """
        pd = pandas()
        names = list(species) if species is not None else list(self.species)
        data = {s: self._lookup(s).reshape(-1) for s in names}
        if self.batched:
            index = pd.MultiIndex.from_product([range(self.batch_size), self.t], names=["member", "t"])
        else:
            index = pd.Index(self.t, name="t")
        return pd.DataFrame(data, index=index, columns=names)

    def shown_values(self) -> list[tuple[str, Any]]:
        if self.t.size == 0:
            return []
        where = " (member 0)" if self.batched else ""
        shown = self.changing()[:SHOWN_VALUES]
        return [(f"{s}(t={self.t[-1]:g}){where}", float(self._lookup(s)[0, -1])) for s in shown]


@dataclass(repr=False)
class SimulationResult(TrajectoryResult):
    """A trajectory of every species, enzymatic ones included.

    Attributes
    ----------
    t : ndarray of shape (n_times,)
    species : tuple of str
    values : ndarray of shape (batch, n_times, n_species) or None
        Concentrations of every species, or None when stored compactly as
        ``dynamic`` (batch, n_times, n_dynamic) and ``constant`` (batch,
        n_enzymatic); ``result["X"]`` works either way and has shape
        (n_times,), or (batch, n_times) when the initial condition had a batch
        axis. ``to_array()`` assembles the full array (no batch axis when
        unbatched).
    batched : bool
    success : bool
    status : int
        0 reached the end of the interval, -1 the integrator failed.
    message : str
    nfev, njev, nlu : int
        Right-hand-side and Jacobian evaluations, LU decompositions (also
        ``counters``, an :class:`~rxnn.crn.result_base.ODECounters`).
    method : str
    sol : callable or None
        Dense output (``dense_output=True``): ``sol(t)`` returns the values of
        every species, shape (batch, n_species) for scalar t.
    index : dict or None
        species -> (stored in ``dynamic``, column); built on first lookup
        when not given.

    Examples
    --------
    >>> from rxnn import ReactionNetwork, simulate
    >>> res = simulate(ReactionNetwork.from_text("X -> 0"), {"X": [1.0, 2.0]}, (0, 1), t_eval=[0, 1])
    >>> res.success, res.batch_size, res["X"][:, -1].round(6)
    (True, 2, array([0.367879, 0.735759]))
    """

    t: np.ndarray
    species: tuple[str, ...]
    values: np.ndarray | None
    batched: bool
    success: bool
    status: int
    message: str
    nfev: int = 0
    njev: int = 0
    nlu: int = 0
    method: str = ""
    sol: Any = None
    dynamic: np.ndarray | None = None
    constant: np.ndarray | None = None
    dynamic_species: tuple[str, ...] | None = None
    index: dict[str, tuple[bool, int]] | None = field(default=None, compare=False)

    @property
    def counters(self) -> ODECounters:
        return ODECounters(nfev=self.nfev, njev=self.njev, nlu=self.nlu)

    def __repr__(self) -> str:
        b = f", batch={self.batch_size}" if self.batched else ""
        return (
            f"SimulationResult(success={self.success}, t=[{self.t[0]:g}, {self.t[-1]:g}], "
            f"n_times={self.t.size}, n_species={len(self.species)}{b}, nfev={self.nfev}, message={self.message!r})"
        )


@dataclass(repr=False)
class SteadyStateResult(_Stored):
    """A steady state of every species, with its residual and verdict.

    Attributes
    ----------
    species : tuple of str
    values : ndarray of shape (batch, n_species) or None
        Every species' value, or None when stored compactly as ``dynamic``
        (batch, n_dynamic) and ``constant`` (batch, n_enzymatic).
        ``result["X"]`` is a float, or an array over the batch when the
        initial condition had a batch axis.
    batched : bool
    residual : ndarray of shape (batch,)
        max_i |f_i(x)| / (tol * |N| lambda(x) + flux_floor), the imbalance of
        each species' fluxes in units of the tolerance; <= 1 means converged.
    converged : ndarray of bool, shape (batch,)
    success : bool
        Every member of the batch converged.
    message : str
    n_iterations, n_rejected, nfev, njev : int
        Also in ``counters`` (a :class:`~rxnn.crn.result_base.SteadyStateCounters`).
    pseudo_time : ndarray of shape (batch,)
        The pseudo-time the continuation advanced.
    status : int
        0 on success, -1 otherwise (derived from ``success`` when not given).
    method : str
        The ``method=`` of :func:`~rxnn.crn.simulate.steady_state` that ran.
    n_levels : int
        Levels of the feed-forward cascade solved.

    Examples
    --------
    >>> from rxnn import ReactionNetwork, steady_state
    >>> res = steady_state(ReactionNetwork.from_text("H -> H + X\\n2X -> X"), {"H": 4.0})  # x' = h - x^2
    >>> res.success, res["X"], float(res.residual.max()) <= 1.0
    (True, 2.0, True)
    """

    species: tuple[str, ...]
    values: np.ndarray | None
    batched: bool
    residual: np.ndarray
    converged: np.ndarray
    success: bool
    message: str
    n_iterations: int = 0
    n_rejected: int = 0
    nfev: int = 0
    njev: int = 0
    pseudo_time: np.ndarray = field(default_factory=lambda: np.zeros(1))
    dynamic: np.ndarray | None = None
    constant: np.ndarray | None = None
    dynamic_species: tuple[str, ...] | None = None
    status: int | None = None
    method: str = ""
    n_levels: int = 0
    index: dict[str, tuple[bool, int]] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.status is None:
            self.status = 0 if self.success else -1

    @property
    def counters(self) -> SteadyStateCounters:
        return SteadyStateCounters(iterations=self.n_iterations, levels=self.n_levels, rejected=self.n_rejected,
                                   nfev=self.nfev, njev=self.njev)

    def __getitem__(self, name: str) -> Any:
        out = self._lookup(name)
        return out if self.batched else float(out[0])

    def to_dict(self) -> dict[str, Any]:
        """All concentrations by species (floats, or arrays over the batch when batched).

        Examples
        --------
        >>> from rxnn import ReactionNetwork, steady_state
        >>> steady_state(ReactionNetwork.from_text("H -> H + X\\n2X -> X"), {"H": 4.0}).to_dict()
        {'H': 4.0, 'X': 2.0}
        """
        return {s: self[s] for s in self.species}

    def as_dict(self) -> dict[str, Any]:
        """Deprecated: :meth:`to_dict`."""
        _deprecated("as_dict()", "to_dict()")
        return self.to_dict()

    def to_dataframe(self, species: Sequence[str] | None = None) -> Any:
        """A pandas DataFrame: one row per batch member (index ``member``), one column per species.

        Needs the optional ``rxnn[dataframe]`` extra.
        """
        pd = pandas()
        names = list(species) if species is not None else list(self.species)
        data = {s: np.asarray(self._lookup(s)).reshape(-1) for s in names}
        return pd.DataFrame(data, index=pd.RangeIndex(self.batch_size, name="member"), columns=names)

    def plot(self, species: Sequence[str] | None = None, *, batch_index: int = 0, ax: Any = None) -> Any:
        """Bar chart of the steady-state concentrations (matplotlib); returns the axes.

        By default the species that can change (the dynamic ones: not the
        enzymatic inputs, weights and ``H`` of a compiled network).
        """
        plt = pyplot()
        ax = ax or plt.subplots(figsize=(6, 4))[1]
        names = list(species) if species is not None else list(self._moving()[0])
        ax.bar(names, [self._lookup(n)[batch_index] for n in names])
        ax.set_ylabel("steady-state concentration")
        ax.tick_params(axis="x", rotation=90)
        return ax

    def shown_values(self) -> list[tuple[str, Any]]:
        where = " (member 0)" if self.batched else ""
        rows: list[tuple[str, Any]] = [("max residual", float(np.max(self.residual, initial=0.0)))]
        return rows + [(f"{s}{where}", float(self._lookup(s)[0])) for s in self._moving()[0][:SHOWN_VALUES - 1]]

    def __repr__(self) -> str:
        b = f", batch={self.residual.shape[0]}" if self.batched else ""
        return (
            f"SteadyStateResult(success={self.success}, max residual={float(np.max(self.residual)):.3g}, "
            f"n_species={len(self.species)}{b}, iterations={self.n_iterations}, message={self.message!r})"
        )
