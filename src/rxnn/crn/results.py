"""Honest result objects for simulations and steady states (SciPy ``OdeResult`` style).

Each result carries the data, its own verdict (``success``, ``status``,
``message``) and solver counters, and gives concentrations by species name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rxnn.errors import RxnnError

__all__ = ["SimulationResult", "SteadyStateResult", "SimulationError", "SteadyStateError"]


class SimulationError(RxnnError, RuntimeError):
    """The integrator failed; ``.result`` holds what was computed."""

    def __init__(self, message: str, result: SimulationResult) -> None:
        super().__init__(message)
        self.result = result


class SteadyStateError(RxnnError, RuntimeError):
    """No steady state was reached; ``.result`` holds the last iterate and its residual."""

    def __init__(self, message: str, result: SteadyStateResult) -> None:
        super().__init__(message)
        self.result = result


def _plt():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'rxnn[plot]'") from exc
    return plt


class _ByName:
    """Name lookup over either a full array or a compact (dynamic, constant) pair.

    Compiled networks have tens of thousands of enzymatic species whose
    concentrations never change, so simulations store the dynamic species'
    values over time and the enzymatic ones once.
    """

    species: tuple[str, ...]
    batched: bool
    values: np.ndarray | None
    dynamic: np.ndarray | None
    constant: np.ndarray | None
    dynamic_species: tuple[str, ...] | None

    def _index(self) -> dict[str, tuple[bool, int]]:
        cached = self.__dict__.get("_where")
        if cached is None:
            if self.values is not None:
                cached = {s: (True, i) for i, s in enumerate(self.species)}
            else:
                dyn = set(self.dynamic_species or ())
                d_pos = {s: i for i, s in enumerate(self.dynamic_species or ())}
                e_pos = {s: i for i, s in enumerate(x for x in self.species if x not in dyn)}
                cached = {s: (True, d_pos[s]) if s in dyn else (False, e_pos[s]) for s in self.species}
            self.__dict__["_where"] = cached
        return cached

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

    def to_array(self) -> np.ndarray:
        """All species' values as one array, species last (may be large for compiled networks)."""
        if self.values is not None:
            return self.values
        if not self.species:  # the empty network: no columns, but the batch and time axes
            return np.zeros(self.dynamic.shape[:-1] + (0,))
        return np.stack([self._lookup(s) for s in self.species], axis=-1)

    def __contains__(self, name: object) -> bool:
        return name in self._index()

@dataclass(repr=False)
class SimulationResult(_ByName):
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
        axis. ``to_array()`` assembles the full array.
    batched : bool
    success : bool
    status : int
        0 reached the end of the interval, -1 the integrator failed.
    message : str
    nfev, njev, nlu : int
        Right-hand-side and Jacobian evaluations, LU decompositions.
    method : str
    sol : callable or None
        Dense output (``dense_output=True``): ``sol(t)`` returns the values of
        every species, shape (batch, n_species) for scalar t.
    """

    t: np.ndarray
    species: tuple[str, ...]
    values: np.ndarray
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

    def __getitem__(self, name: str) -> np.ndarray:
        out = self._lookup(name)
        return out if self.batched else out[0]

    def final(self) -> dict[str, Any]:
        """Concentrations at the last time, by species (scalars, or arrays over the batch)."""
        out = {}
        for s in self.species:
            last = self._lookup(s)[:, -1]
            out[s] = last if self.batched else float(last[0])
        return out

    def __repr__(self) -> str:
        b = f", batch={self.dynamic.shape[0] if self.dynamic is not None else self.values.shape[0]}" if self.batched else ""
        return (
            f"SimulationResult(success={self.success}, t=[{self.t[0]:g}, {self.t[-1]:g}], "
            f"n_times={self.t.size}, n_species={len(self.species)}{b}, nfev={self.nfev}, message={self.message!r})"
        )

    def plot(self, species: Sequence[str] | None = None, *, batch_index: int = 0, ax: Any = None, **kwargs: Any) -> Any:
        """Plot concentrations against time (matplotlib); returns the axes.

        Parameters
        ----------
        species : sequence of str, optional
            Which species; default all (at most 10 are drawn).
        batch_index : int
            Which member of a batch to draw.
        """
        plt = _plt()
        ax = ax or plt.subplots(figsize=(6, 4))[1]
        names = list(species) if species is not None else list(self.species[:10])
        for name in names:
            ax.plot(self.t, self._lookup(name)[batch_index], label=name, **kwargs)
        ax.set_xlabel("time")
        ax.set_ylabel("concentration")
        ax.legend()
        return ax


@dataclass(repr=False)
class SteadyStateResult(_ByName):
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
        max_i |f_i(x)| / (tol * |N| lambda(x) + atol), the imbalance of each
        species' fluxes in units of the tolerance; <= 1 means converged.
    converged : ndarray of bool, shape (batch,)
    success : bool
        Every member of the batch converged.
    message : str
    n_iterations, n_rejected, nfev, njev : int
    pseudo_time : ndarray of shape (batch,)
        The pseudo-time the continuation advanced.
    """

    species: tuple[str, ...]
    values: np.ndarray
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

    @property
    def status(self) -> int:
        return 0 if self.success else -1

    def __getitem__(self, name: str) -> Any:
        out = self._lookup(name)
        return out if self.batched else float(out[0])

    def as_dict(self) -> dict[str, Any]:
        """All concentrations by species."""
        return {s: self[s] for s in self.species}

    def __repr__(self) -> str:
        b = f", batch={self.residual.shape[0]}" if self.batched else ""
        return (
            f"SteadyStateResult(success={self.success}, max residual={float(np.max(self.residual)):.3g}, "
            f"n_species={len(self.species)}{b}, iterations={self.n_iterations}, message={self.message!r})"
        )

    def plot(self, species: Sequence[str] | None = None, *, batch_index: int = 0, ax: Any = None) -> Any:
        """Bar chart of the steady-state concentrations (matplotlib); returns the axes."""
        plt = _plt()
        ax = ax or plt.subplots(figsize=(6, 4))[1]
        names = list(species) if species is not None else list(self.species[:30])
        ax.bar(names, [self._lookup(n)[batch_index] for n in names])
        ax.set_ylabel("steady-state concentration")
        ax.tick_params(axis="x", rotation=90)
        return ax
