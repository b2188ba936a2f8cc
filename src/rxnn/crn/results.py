"""Honest result objects for simulations and steady states (SciPy ``OdeResult`` style).

Each result carries the data, its own verdict (``success``, ``status``,
``message``) and solver counters, and gives concentrations by species name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["SimulationResult", "SteadyStateResult", "SimulationError", "SteadyStateError"]


class SimulationError(RuntimeError):
    """The integrator failed; ``.result`` holds what was computed."""

    def __init__(self, message: str, result: SimulationResult) -> None:
        super().__init__(message)
        self.result = result


class SteadyStateError(RuntimeError):
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
    species: tuple[str, ...]
    batched: bool
    values: np.ndarray

    def _column(self, name: str) -> int:
        try:
            return self.species.index(name)
        except ValueError:
            raise KeyError(f"{name!r} is not a species of this result (species: {', '.join(self.species[:12])})") from None

    def __contains__(self, name: object) -> bool:
        return name in self.species


@dataclass(repr=False)
class SimulationResult(_ByName):
    """A trajectory of every species, enzymatic ones included.

    Attributes
    ----------
    t : ndarray of shape (n_times,)
    species : tuple of str
    values : ndarray of shape (batch, n_times, n_species)
        Concentrations; ``result["X"]`` gives ``values[..., i]`` with shape
        (n_times,), or (batch, n_times) when the initial condition had a batch axis.
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

    def __getitem__(self, name: str) -> np.ndarray:
        out = self.values[:, :, self._column(name)]
        return out if self.batched else out[0]

    def final(self) -> dict[str, Any]:
        """Concentrations at the last time, by species (scalars, or arrays over the batch)."""
        last = self.values[:, -1, :]
        return {s: (last[:, i] if self.batched else float(last[0, i])) for i, s in enumerate(self.species)}

    def __repr__(self) -> str:
        b = f", batch={self.values.shape[0]}" if self.batched else ""
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
            ax.plot(self.t, self.values[batch_index, :, self._column(name)], label=name, **kwargs)
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
    values : ndarray of shape (batch, n_species)
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

    @property
    def status(self) -> int:
        return 0 if self.success else -1

    def __getitem__(self, name: str) -> Any:
        out = self.values[:, self._column(name)]
        return out if self.batched else float(out[0])

    def as_dict(self) -> dict[str, Any]:
        """All concentrations by species."""
        return {s: self[s] for s in self.species}

    def __repr__(self) -> str:
        b = f", batch={self.values.shape[0]}" if self.batched else ""
        return (
            f"SteadyStateResult(success={self.success}, max residual={float(np.max(self.residual)):.3g}, "
            f"n_species={len(self.species)}{b}, iterations={self.n_iterations}, message={self.message!r})"
        )

    def plot(self, species: Sequence[str] | None = None, *, batch_index: int = 0, ax: Any = None) -> Any:
        """Bar chart of the steady-state concentrations (matplotlib); returns the axes."""
        plt = _plt()
        ax = ax or plt.subplots(figsize=(6, 4))[1]
        names = list(species) if species is not None else list(self.species[:30])
        ax.bar(names, [self.values[batch_index, self._column(n)] for n in names])
        ax.set_ylabel("steady-state concentration")
        ax.tick_params(axis="x", rotation=90)
        return ax
