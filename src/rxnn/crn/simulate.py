"""Deterministic simulation of mass-action networks: trajectories and steady states.

Both entry points take the network and an ``initial`` mapping of species to
concentrations (scalars, or 1-D arrays over a batch of initial conditions,
which run in one call as one block-diagonal system).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp
from scipy.linalg import null_space
from scipy.sparse.linalg import splu

from rxnn._validation import check_positive_finite, must_be
from rxnn.crn.kinetics import MassActionSystem, parse_initial
from rxnn.crn.network import ReactionNetwork
from rxnn.crn.results import SimulationError, SimulationResult, SteadyStateError, SteadyStateResult

__all__ = ["simulate", "steady_state", "METHODS"]

#: Integrators of :func:`simulate` (``method=``): name -> (uses a Jacobian, sparse Jacobian ok).
METHODS: dict[str, tuple[bool, bool]] = {
    "BDF": (True, True),
    "Radau": (True, True),
    "LSODA": (True, False),
    "RK45": (False, False),
    "RK23": (False, False),
    "DOP853": (False, False),
}

_DENSE_JAC_LIMIT = 2000  # LSODA needs a dense Jacobian; beyond this size it estimates its own
_PROJECTION_LIMIT = 2000  # conservation laws are found by a dense SVD up to this many species


def _prepare(network: ReactionNetwork, initial: Mapping[str, Any], rates: Mapping[str, float] | None, func: str):
    if not isinstance(network, ReactionNetwork):
        raise TypeError(f"network of {func} must be a ReactionNetwork; got {type(network).__name__}")
    system = MassActionSystem(network, rates)
    x0, enzymes, batched = parse_initial(system.network, initial, func, system.dynamic_species, system.enzymatic_species)
    k_eff = system.effective_rates(enzymes)
    return system, x0, enzymes, batched, k_eff


def _compact(system: MassActionSystem, dynamic: np.ndarray, enzymes: np.ndarray) -> dict[str, Any]:
    """Result storage: dynamic species' values, enzymatic ones once per batch member."""
    return dict(values=None, dynamic=dynamic, constant=enzymes, dynamic_species=system.dynamic_species)


def simulate(
    network: ReactionNetwork,
    initial: Mapping[str, Any],
    t_span: tuple[float, float],
    t_eval: Any = None,
    *,
    rates: Mapping[str, float] | None = None,
    method: str = "BDF",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    dense_output: bool = False,
    raise_on_failure: bool = True,
    **solver_options: Any,
) -> SimulationResult:
    """Integrate the mass-action ODEs (eq. (2)) of ``network`` from ``initial``.

    Parameters
    ----------
    network : ReactionNetwork
    initial : mapping of str to float or 1-D array
        Initial concentrations by species; species not named start at 0.
        Enzymatic species (Def. 5.1) keep their values for all time. Arrays
        give a batch of initial conditions, integrated together.
    t_span : (float, float)
        Start and end time.
    t_eval : array_like, optional
        Times at which to report; default the integrator's own steps.
    rates : mapping of str to float, optional
        Values of named rate constants (see ``ReactionNetwork.with_rates``).
    method : str, default "BDF"
        One of :data:`METHODS`: implicit BDF and Radau use the sparse analytic
        Jacobian and suit stiff starts (the 1000x initial conditions of §6);
        LSODA switches automatically; RK45, RK23 and DOP853 are explicit.
    rtol, atol : float
        Integrator tolerances. The defaults (1e-8, 1e-10) keep trajectories
        of the compiled networks within about 1e-7 of the exact solution.
    dense_output : bool
        Keep an interpolant, ``result.sol(t)``.
    raise_on_failure : bool, default True
        Raise :class:`SimulationError` (with ``.result``) if the integrator
        fails; otherwise return the result with ``success=False``.
    **solver_options
        Passed to :func:`scipy.integrate.solve_ivp` (``max_step``, ``first_step``).

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> from rxnn import ReactionNetwork, simulate
    >>> decay = ReactionNetwork.from_text("X -> 0 ; 0.5")
    >>> result = simulate(decay, {"X": 1.0}, (0, 2), t_eval=[0, 2])
    >>> round(float(result["X"][-1]), 6)  # exp(-1)
    0.367879
    """
    func = "simulate"
    if method not in METHODS:
        raise must_be("method", func, "one of " + ", ".join(METHODS), method)
    t0, t1 = _check_span(t_span, func)
    rtol = check_positive_finite(rtol, "rtol", func)
    atol = check_positive_finite(atol, "atol", func)
    if t_eval is not None:
        t_eval = np.asarray(t_eval, dtype=np.float64)
        if t_eval.ndim != 1 or np.any(np.diff(t_eval) < 0) or t_eval.min() < t0 or t_eval.max() > t1:
            raise must_be("t_eval", func, f"a sorted 1-D array of times within t_span [{t0}, {t1}]", t_eval)
    system, x0, enzymes, batched, k_eff = _prepare(network, initial, rates, func)
    batch, n = x0.shape

    def fun(_t: float, y: np.ndarray) -> np.ndarray:
        return system.rhs(y.reshape(batch, n), k_eff).ravel()

    uses_jac, sparse_ok = METHODS[method]
    options = dict(solver_options)
    if uses_jac and n:
        if sparse_ok:
            options["jac"] = lambda _t, y: system.jacobian(y.reshape(batch, n), k_eff)
        elif batch * n <= _DENSE_JAC_LIMIT:
            options["jac"] = lambda _t, y: system.jacobian(y.reshape(batch, n), k_eff).toarray()
    if n == 0:  # nothing moves: every species is enzymatic
        times = t_eval if t_eval is not None else np.array([t0, t1])
        return SimulationResult(
            t=times, species=network.species, batched=batched, success=True, status=0,
            message="no dynamic species", method=method, **_compact(system, np.zeros((batch, times.size, 0)), enzymes),
        )
    sol = solve_ivp(
        fun, (t0, t1), x0.ravel(), method=method, t_eval=t_eval, rtol=rtol, atol=atol,
        dense_output=dense_output, **options,
    )
    dynamic = sol.y.T.reshape(sol.t.size, batch, n).transpose(1, 0, 2)
    dense = None
    if sol.sol is not None:
        ode_sol = sol.sol

        def dense(t: Any) -> np.ndarray:
            """Every species at time(s) t: (batch, n_species) or (batch, len(t), n_species)."""
            y = np.asarray(ode_sol(t))
            dyn = y.reshape(batch, n) if y.ndim == 1 else y.T.reshape(-1, batch, n).transpose(1, 0, 2)
            full = np.empty(dyn.shape[:-1] + (network.n_species,))
            mask = system.network._dynamic_mask
            full[..., mask] = dyn
            full[..., ~mask] = enzymes.reshape((batch,) + (1,) * (dyn.ndim - 2) + (-1,))
            return full

    result = SimulationResult(
        t=sol.t, species=network.species, batched=batched, **_compact(system, dynamic, enzymes),
        success=bool(sol.success), status=int(sol.status) if sol.status <= 0 else 0, message=str(sol.message),
        nfev=int(sol.nfev), njev=int(sol.njev), nlu=int(sol.nlu), method=method, sol=dense,
    )
    if not result.success and raise_on_failure:
        raise SimulationError(
            f"simulate: the {method} integrator failed at t = {sol.t[-1]:g} of [{t0:g}, {t1:g}]: {sol.message} "
            "(try method='LSODA' or 'Radau', or looser rtol/atol)",
            result,
        )
    return result


def _check_span(t_span: Any, func: str) -> tuple[float, float]:
    try:
        t0, t1 = (float(v) for v in t_span)
    except (TypeError, ValueError):
        raise must_be("t_span", func, "a pair (t0, t1) of numbers", t_span) from None
    if not (math.isfinite(t0) and math.isfinite(t1)) or t1 <= t0:
        raise must_be("t_span", func, "a pair of finite times with t0 < t1", t_span)
    return t0, t1


def steady_state(
    network: ReactionNetwork,
    initial: Mapping[str, Any],
    *,
    rates: Mapping[str, float] | None = None,
    tol: float = 1e-11,
    atol: float = 1e-14,
    max_iterations: int = 500,
    raise_on_failure: bool = True,
) -> SteadyStateResult:
    """Find the steady state that the trajectory from ``initial`` converges to.

    Parameters
    ----------
    network : ReactionNetwork
    initial : mapping of str to float or 1-D array
        As for :func:`simulate`; a batch runs in one call.
    rates : mapping of str to float, optional
        Values of named rate constants.
    tol : float, default 1e-11
        Relative tolerance on the flux balance: converged when, for every
        dynamic species, |f_i(x)| <= tol * (production_i + consumption_i) + atol.
        For the compiled networks of §5 this bounds the relative error of
        every node by about 2 * tol (the contraction rate sqrt(rho^2 + 4h) of
        Prop. 4.9 is at least the gross flux over x).
    atol : float, default 1e-14
        Absolute floor, for species that decay to exactly zero.
    max_iterations : int, default 500
        Pseudo-time steps before giving up.
    raise_on_failure : bool, default True
        Raise :class:`SteadyStateError` (with ``.result``) when some member of
        the batch did not converge; otherwise return it with ``success=False``.
        An unconverged point is never reported as converged.

    Returns
    -------
    SteadyStateResult

    Notes
    -----
    Pseudo-transient continuation: linearly implicit Euler steps
    ``(I/dt - J) dx = f(x)`` with a per-batch-member step ``dt`` that starts
    small (so the iterate follows the trajectory from ``initial``, which
    keeps it in the basin of the stable non-negative equilibrium and in its
    conservation class) and grows as the residual falls (switched evolution
    relaxation), becoming Newton's method near the fixed point. A step that
    would make a concentration negative, or grow the residual tenfold, is
    rejected and retried with a quarter of ``dt``. Batch members are
    independent blocks of one sparse system.

    Examples
    --------
    >>> from rxnn import ReactionNetwork, steady_state
    >>> node = ReactionNetwork.from_text("H -> H + X\\n2X -> X")  # x' = h - x^2
    >>> round(steady_state(node, {"H": 4.0})["X"], 12)
    2.0
    """
    func = "steady_state"
    tol = check_positive_finite(tol, "tol", func)
    atol = check_positive_finite(atol, "atol", func)
    system, x0, enzymes, batched, k_eff = _prepare(network, initial, rates, func)
    solver = _PseudoTransient(system, k_eff, tol, atol)
    x, stats = solver.run(x0, max_iterations)
    residual = stats["residual"]
    converged = residual <= 1.0
    success = bool(converged.all())
    if success:
        message = f"converged in {stats['iterations']} iterations"
    else:
        worst = int(np.argmax(residual))
        where = f" (batch member {worst})" if batched else ""
        message = (
            f"did not converge after {stats['iterations']} iterations: flux imbalance "
            f"{residual[worst]:.3g} x tolerance{where} at pseudo-time {stats['pseudo_time'][worst]:.3g}; "
            "the network may have no steady state from this start (unbounded growth or oscillation), "
            "or needs more max_iterations"
        )
    result = SteadyStateResult(
        species=network.species, batched=batched, **_compact(system, x, enzymes),
        residual=residual, converged=converged, success=success, message=message,
        n_iterations=stats["iterations"], n_rejected=stats["rejected"], nfev=stats["nfev"],
        njev=stats["njev"], pseudo_time=stats["pseudo_time"],
    )
    if not success and raise_on_failure:
        raise SteadyStateError(f"steady_state {message}", result)
    return result


class _PseudoTransient:
    """Batched pseudo-transient continuation (see :func:`steady_state`)."""

    def __init__(self, system: MassActionSystem, k_eff: np.ndarray, tol: float, atol: float) -> None:
        self.system, self.k_eff, self.tol, self.atol = system, k_eff, tol, atol
        self.nfev = self.njev = 0
        # Linear conservation laws c^T x = const (left null space of N). The
        # linearly implicit steps keep them in exact arithmetic; with huge dt
        # round-off drifts along them, so accepted iterates are projected back.
        n = system.n
        self.conservation = None
        if 0 < n <= _PROJECTION_LIMIT:
            basis = null_space(system.stoichiometry.toarray().T)
            self.conservation = basis.T if basis.size else None

    def _k(self, members: np.ndarray) -> np.ndarray:
        return self.k_eff if self.k_eff.shape[0] == 1 else self.k_eff[members]

    def residual(self, x: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.nfev += 1
        k = self._k(members)
        f = self.system.rhs(x, k)
        scale = self.tol * self.system.gross_flux(x, k) + self.atol
        return f, np.max(np.abs(f) / scale, axis=1) if f.shape[1] else np.zeros(x.shape[0])

    def run(self, x0: np.ndarray, max_iterations: int) -> tuple[np.ndarray, dict[str, Any]]:
        x = x0.copy()
        batch, n = x.shape
        everyone = np.arange(batch)
        f, res = self.residual(x, everyone)
        fmax = np.max(np.abs(f), axis=1) if n else np.zeros(batch)
        dt = np.minimum(1e-2, 0.1 * np.maximum(np.max(x, axis=1, initial=0.0), 1.0) / np.maximum(fmax, 1e-300))
        t = np.zeros(batch)
        rejected = 0
        iterations = 0
        for iterations in range(1, max_iterations + 1):
            active = np.flatnonzero(res > 1.0)
            if active.size == 0 or n == 0:
                iterations -= 1
                break
            xa, fa = x[active], f[active]
            self.njev += 1
            J = self.system.jacobian(xa, self._k(active))
            A = sp.diags(np.repeat(1.0 / dt[active], n)) - J
            try:
                step = splu(A.tocsc()).solve(fa.ravel()).reshape(active.size, n)
            except RuntimeError:  # exactly singular: shrink dt and retry
                dt[active] /= 4
                rejected += active.size
                continue
            trial = xa + step
            # Round-off below zero is clipped; a real overshoot is rejected.
            floor = -1e-12 * np.maximum(np.abs(xa), 1.0)
            negative = np.any(trial < floor, axis=1)
            trial = np.maximum(trial, 0.0)
            f_trial, res_trial = self.residual(trial, active)
            grew = np.max(np.abs(f_trial), axis=1) > 10 * np.max(np.abs(fa), axis=1) + self.atol
            ok = ~negative & ~grew & np.all(np.isfinite(trial), axis=1)
            acc, rej = active[ok], active[~ok]
            rejected += rej.size
            dt[rej] /= 4
            if acc.size:
                ratio = res[acc] / np.maximum(res_trial[ok], 1e-300)
                t[acc] += dt[acc]
                dt[acc] = np.minimum(dt[acc] * np.clip(ratio, 1.0, 100.0) * np.where(ratio >= 1, 2.0, 1.0), 1e8)
                accepted = trial[ok]
                if self.conservation is not None:
                    C = self.conservation
                    accepted = accepted - ((accepted - x0[acc]) @ C.T) @ C
                    accepted = np.maximum(accepted, 0.0)
                    f_trial[ok], res_trial[ok] = self.residual(accepted, acc)
                x[acc], f[acc], res[acc] = accepted, f_trial[ok], res_trial[ok]
            if np.any(dt[active] < 1e-30):
                warnings.warn(
                    "steady_state: the pseudo-time step underflowed; the iteration is stuck",
                    RuntimeWarning, stacklevel=3,
                )
                break
        stats = dict(residual=res, iterations=iterations, rejected=rejected, nfev=self.nfev, njev=self.njev, pseudo_time=t)
        return x, stats
