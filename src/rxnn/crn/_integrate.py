"""Guarded time integration behind :func:`~rxnn.crn.simulate.simulate` (every ``method=``).

One step loop drives SciPy's ``OdeSolver`` classes (as ``solve_ivp`` does)
and adds a guard that does not depend on the solver: a step budget, a
wall-clock budget (checked inside the right-hand side too, so a solver that
loops without returning is stopped), a check that time advances, a bound on
the stored output, and blow-up detection (non-finite values, or values past
:data:`HUGE`). Every stop is reported with what was seen; nothing from
SciPy's messages leaks through unexplained.

``method="auto"`` starts explicit (DOP853 for rtol <= 1e-6, else RK45) and
switches to BDF with the sparse Jacobian when Hairer's stiffness test fires.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from rxnn.crn._checks import HUGE
from rxnn.errors import InvalidArgumentError

__all__ = ["HUGE", "MAX_STEPS", "MAX_WALL_TIME", "OUTPUT_LIMIT", "Trajectory", "integrate"]

#: Default step budget of one integration.
MAX_STEPS = 1_000_000
#: Default wall-clock budget of one integration, in seconds.
MAX_WALL_TIME = 600.0
#: Most floats one integration may store (trajectory plus dense output): 800 MB.
OUTPUT_LIMIT = 100_000_000
_STALL_STEPS = 20  # consecutive steps that leave t unchanged: the solver cannot make progress
_STABILITY = {"RK45": 3.25, "DOP853": 6.1}  # |h lambda| on the negative real axis (Hairer & Wanner, IV.2)
_ALTERNATIVES = {"BDF": "method='Radau'", "Radau": "method='BDF'", "LSODA": "method='BDF' or 'Radau'"}


class _Stop(Exception):
    """Raised inside the right-hand side to end the integration (budget or non-finite values)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class Trajectory:
    """What :func:`integrate` returns (the fields of SciPy's ``OdeResult`` that simulate uses).

    ``reason`` says why an integration stopped early: ``"blow-up"``,
    ``"stalled"``, ``"max_steps"``, ``"max_wall_time"``, ``"output"``,
    ``"solver"`` (the solver's own failure), or None.
    """

    def __init__(self, t, y, sol, nfev, njev, nlu, status, message, method, reason=None, n_steps=0) -> None:
        self.t, self.y, self.sol = t, y, sol
        self.nfev, self.njev, self.nlu = nfev, njev, nlu
        self.status, self.message, self.method = status, message, method
        self.reason, self.n_steps = reason, n_steps
        self.success = status >= 0


def _stiffness_ratio(solver: Any, y_old: np.ndarray, sample: np.ndarray | slice) -> float:
    """|h rho| with rho = |k_last - k_prev| / |y_last - y_prev| from the two stages at c = 1 (Hairer's test).

    Evaluated on ``sample``, an evenly spaced subset of the state (at most
    8192 entries), so the test costs little next to a step.
    """
    s = solver.n_stages - 1
    h = solver.t - solver.t_old
    K = solver.K[:, sample]
    y_stage = y_old[sample] + h * (K[:s].T @ solver.A[s, :s])
    dy = np.linalg.norm(solver.y[sample] - y_stage)
    if dy == 0:
        return 0.0
    return abs(h) * float(np.linalg.norm(K[s + 1] - K[s])) / dy


def _solver_class(name: str) -> Any:
    from scipy.integrate import BDF, DOP853, LSODA, RK23, RK45, Radau

    return {"BDF": BDF, "Radau": Radau, "LSODA": LSODA, "RK45": RK45, "RK23": RK23, "DOP853": DOP853}[name]


class _Guard:
    """Counts and budgets shared by the step loop and the guarded right-hand side."""

    def __init__(self, fun: Callable, max_steps: int, max_wall_time: float | None) -> None:
        self.inner, self.max_steps = fun, max_steps
        self.deadline = None if max_wall_time is None else time.perf_counter() + max_wall_time
        self.max_wall_time = max_wall_time
        self.steps = 0

    def fun(self, t: float, y: np.ndarray) -> np.ndarray:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise _Stop("max_wall_time", f"the wall-clock budget max_wall_time = {self.max_wall_time:g} s ran out")
        # Non-finite values of a trial stage are left to the solver, which rejects the step and shrinks it;
        # accepted states are checked in the step loop (check_state).
        return self.inner(t, y)

    def check_state(self, y: np.ndarray) -> None:
        if not np.all(np.isfinite(y)):
            raise _Stop("blow-up", "the state became non-finite")
        peak = float(np.max(np.abs(y), initial=0.0))
        if peak > HUGE:
            raise _Stop("blow-up", f"a concentration reached {peak:.3g} (past {HUGE:g})")


def integrate(
    fun: Callable, jac: Callable | None, t_span: tuple[float, float], y0: np.ndarray, *,
    t_eval: np.ndarray | None, rtol: float, atol: float, dense_output: bool, options: dict[str, Any],
    method: str = "auto", max_steps: int = MAX_STEPS, max_wall_time: float | None = MAX_WALL_TIME,
) -> Trajectory:
    """Integrate y' = fun(t, y) with SciPy's step classes under a solver-independent guard.

    Parameters
    ----------
    fun, jac : callable
        Right-hand side and (for ``"auto"``'s BDF phase) its sparse Jacobian;
        the other methods take their Jacobian from ``options["jac"]``.
    t_span : (float, float)
    y0 : ndarray of shape (n,)
    t_eval : ndarray or None
        Output times (sorted, within ``t_span``); None keeps every step.
    rtol, atol : float
    dense_output : bool
    options : dict
        Passed to the solver (``max_step``, ``first_step``, ``jac``, ...).
    method : str
        ``"auto"`` or a SciPy solver name (BDF, Radau, LSODA, RK45, RK23, DOP853).
    max_steps : int
        Steps before stopping (``reason="max_steps"``).
    max_wall_time : float or None
        Seconds before stopping (``reason="max_wall_time"``), checked at
        every right-hand-side evaluation; None for no limit.

    Returns
    -------
    Trajectory
        On an early stop, ``status = -1``, ``reason`` and a ``message`` that
        says what was seen; the output up to the last good step is kept.

    Notes
    -----
    ``"auto"`` applies Hairer's stiffness test after every explicit step:
    |h rho| from the two stages at c = 1 near the stability boundary of the
    method 15 times without 6 clear steps in between means the step size is
    limited by stability, not accuracy; the integration then continues from
    the current point with BDF and ``jac``. Outputs (``t_eval``, dense
    output) are assembled across both phases as ``solve_ivp`` does.

    Examples
    --------
    >>> import numpy as np
    >>> blow_up = integrate(lambda t, y: y**2, None, (0.0, 2.0), np.array([1.0]), t_eval=None, rtol=1e-8,
    ...                     atol=1e-10, dense_output=False, options={}, method="LSODA")
    >>> blow_up.success, round(float(blow_up.t[-1]), 3), "blow up" in blow_up.message  # x = 1 / (1 - t)
    (False, 1.0, True)
    """
    from scipy.integrate._ivp.common import OdeSolution

    t0, t1 = t_span
    guard = _Guard(fun, max_steps, max_wall_time)
    name = method
    if method == "auto":
        name = "DOP853" if rtol <= 1e-6 else "RK45"
        first = {k: v for k, v in options.items() if k in ("first_step", "max_step")}
    else:
        first = options
    ts: list[Any] = [] if t_eval is not None else [np.array([t0])]
    ys: list[Any] = [] if t_eval is not None else [y0[:, None]]
    interpolants: list[Any] = []
    times = [t0]
    stored = y0.size
    per_step = y0.size * (1 + (8 if dense_output else 0))  # a dense interpolant holds several stages
    sample = slice(None, None, max(1, y0.size // 8192))
    t_eval_i = 0
    stiff = clear = stalled = 0
    nfev = njev = nlu = 0
    switched_at = None
    status, reason, message = None, None, ""
    peak0 = float(np.max(np.abs(y0), initial=0.0))
    solver: Any = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        try:
            solver = _solver_class(name)(guard.fun, t0, y0, t1, rtol=rtol, atol=atol, **first)
        except (TypeError, ValueError) as exc:  # a bad solver option: the caller's argument, not a failed run
            raise InvalidArgumentError(f"solver_options of simulate were refused by the {name} solver: {exc}") from None
        try:
            while status is None:
                if guard.steps >= max_steps:
                    raise _Stop("max_steps", f"the step budget max_steps = {max_steps} ran out")
                y_old, t_before = solver.y, solver.t
                solver_message = solver.step()
                guard.steps += 1
                if solver.status == "failed":
                    status, reason = -1, "solver"
                    message = _solver_failure(solver_message, solver, name, peak0, t_span)
                    break
                if solver.status == "finished":
                    status = 0
                guard.check_state(solver.y)
                stalled = stalled + 1 if solver.t == t_before else 0
                if stalled >= _STALL_STEPS:
                    raise _Stop("stalled", f"time did not advance past t = {solver.t:.6g} in {_STALL_STEPS} steps "
                                           "(the interval may be below the solver's time resolution)")
                t_old, t = solver.t_old, solver.t
                sol = None
                if dense_output:
                    sol = solver.dense_output()
                    interpolants.append(sol)
                    times.append(t)
                if t_eval is None:
                    stored += per_step
                    ts.append(np.array([t]))
                    ys.append(solver.y[:, None])
                else:
                    stored += per_step - y0.size
                    t_eval_i_new = np.searchsorted(t_eval, t, side="right")
                    step_t = t_eval[t_eval_i:t_eval_i_new]
                    if step_t.size:
                        if sol is None:
                            sol = solver.dense_output()
                        ts.append(step_t)
                        ys.append(np.atleast_2d(sol(step_t)).reshape(y0.size, step_t.size))
                        t_eval_i = t_eval_i_new
                if stored > OUTPUT_LIMIT:
                    raise _Stop("output", f"the stored output passed {OUTPUT_LIMIT:.0e} values "
                                          "(pass t_eval with fewer times, or a smaller batch)")
                if switched_at is None and status is None and method == "auto" and jac is not None:
                    if _stiffness_ratio(solver, y_old, sample) > 0.9 * _STABILITY[name]:
                        stiff, clear = stiff + 1, 0
                    else:
                        clear += 1
                        if clear >= 6:
                            stiff = 0
                    # Switch only when stability would cost many more explicit steps than remain worth taking:
                    # a BDF step (sparse LU, Newton solves) costs tens of explicit ones on a large batch.
                    if stiff >= 15 and (t1 - t) > 2000 * abs(t - t_old):
                        nfev += solver.nfev
                        switched_at = t
                        solver = _solver_class("BDF")(guard.fun, t, solver.y, t1, rtol=rtol, atol=atol, jac=jac,
                                                      **{k: v for k, v in options.items() if k == "max_step"})
        except _Stop as stop:
            status, reason = -1, stop.reason
            at = solver.t if solver is not None else t0
            message = f"stopped at t = {at:.6g} of [{t0:g}, {t1:g}]: {stop.detail}"
            if stop.reason == "blow-up":
                message += "; the solution appears to blow up (grow without bound) in finite time: end t_span before it"
            elif stop.reason == "stalled":
                message += f"; {_advice(name, peak0, solver)}"
        except (ArithmeticError, ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
            # The solver's own linear algebra gave up (for example a singular Newton matrix at huge values).
            status, reason = -1, "solver"
            at = solver.t if solver is not None else t0
            message = (f"the {name} solver's step failed at t = {at:.6g} ({type(exc).__name__}: {exc}); "
                       f"{_advice(name, peak0, solver)}")
    if solver is not None:
        nfev += solver.nfev
        njev += getattr(solver, "njev", 0)
        nlu += getattr(solver, "nlu", 0)
    used = name if switched_at is None else f"{name} -> BDF at t = {switched_at:.3g}"
    if status == 0:
        message = "The solver successfully reached the end of the integration interval."
    t_out = np.concatenate(ts) if ts else np.zeros(0)
    y_out = np.hstack(ys) if ys else np.zeros((y0.size, 0))
    dense = OdeSolution(np.array(times), interpolants) if dense_output and interpolants else None
    return Trajectory(t_out, y_out, dense, nfev, njev, nlu, status, message, used, reason, guard.steps)


def _advice(name: str, peak0: float, solver: Any) -> str:
    """What to try after a solver failure: a blow-up needs a shorter t_span, otherwise another method."""
    peak = float(np.max(np.abs(solver.y), initial=0.0)) if solver is not None else peak0
    if peak > 1e3 * max(peak0, 1.0):
        return (f"the concentrations grew from at most {peak0:.3g} to {peak:.3g}: the solution appears to blow up "
                "in finite time; end t_span before it")
    other = _ALTERNATIVES.get(name, "method='BDF' or 'Radau'")
    return f"the problem may be badly scaled or singular here; try {other}, or looser rtol/atol"


def _solver_failure(solver_message: Any, solver: Any, name: str, peak0: float, t_span: tuple[float, float]) -> str:
    what = "its step size fell below the spacing of floating-point numbers"
    if solver_message and "spacing" not in str(solver_message):
        what = f"it reported: {solver_message}"
    return f"the {name} solver stopped at t = {solver.t:.6g} of [{t_span[0]:g}, {t_span[1]:g}]: {what}; {_advice(name, peak0, solver)}"
