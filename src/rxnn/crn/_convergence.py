"""Does the trajectory reach the steady state? Following it until it demonstrably settles.

:func:`~rxnn.crn.simulate.steady_state` claims success for a batch member only
where it established that the trajectory from the given start converges to
the returned point. The feed-forward cascade establishes it by an argument
(see ``steady_state``, Notes); every other member (a point found by
pseudo-transient continuation, which may be an equilibrium the trajectory
never reaches: the centre of Lotka-Volterra, the unstable focus inside the
Brusselator's limit cycle, the other state of a bistable switch) is checked
here by integrating the ODE from the start, in windows of doubling length:

* **Settled.** The trajectory ends a window within :data:`SETTLE_DISTANCE`
  (relative, per species) of the steady state, and its distance shrank over
  the window (halved, or stayed within the bound throughout). That is
  numerical evidence, not a proof.
* **Polished.** When the trajectory's own flux imbalance falls below
  :data:`POLISH_RESIDUAL` tolerance units but it is far from the point found
  so far (or none was found), continuation restarts from the trajectory's
  current point; the next windows check the trajectory against that point.
  This is how the right state of a bistable switch is found.
* **Gave up.** After :data:`STRIKES` windows without 1% progress of the
  envelope (the largest distance over the window's samples, or the largest
  imbalance when there is no point yet), the integrator
  failing, or the budget (:data:`FOLLOW_MAX_STEPS` steps, :data:`FOLLOW_MAX_WALL_TIME`
  seconds) spent, the member is reported with what was seen: a blow-up,
  unbounded growth, an oscillation (a species' samples turning at least four
  times over the last two windows with a relative amplitude above 1e-3), or
  no convergence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from rxnn.crn._integrate import integrate

__all__ = ["FOLLOW_MAX_STEPS", "FOLLOW_MAX_WALL_TIME", "POLISH_RESIDUAL", "SETTLE_DISTANCE", "STRIKES", "Followed",
           "follow"]

#: Relative distance (per species, floored at 1e-6 of the member's concentration scale) that counts as arrived.
SETTLE_DISTANCE = 1e-6
#: Flux imbalance of a trajectory point (in units of the tolerance) at which continuation polishes it.
POLISH_RESIDUAL = 1e6
#: Windows without 1% progress before giving up.
STRIKES = 6
#: Integrator steps for all windows of one call.
FOLLOW_MAX_STEPS = 20_000
#: Seconds for all windows of one call.
FOLLOW_MAX_WALL_TIME = 60.0
_MAX_WINDOWS = 48  # the last window ends at t = 2**48 - 1 (about 3e14 time units)
_SAMPLES = 64  # samples per window: enough that the envelope of an orbit is seen within a few per cent
_RTOL = 1e-9  # integration tolerance: errors well below SETTLE_DISTANCE
_DENSE_LIMIT = 500  # state sizes followed with LSODA and a dense Jacobian


@dataclass
class Followed:
    """Outcome per followed member: the point, whether it was reached, what was seen, and the work done."""

    x: np.ndarray  # (m, n) the steady state (the trajectory's end where none was confirmed)
    confirmed: np.ndarray  # (m,) bool
    seen: list[str]  # (m,) "" where confirmed, else what the trajectory did
    t_end: np.ndarray  # (m,) how far each trajectory was followed
    n_steps: int
    n_polished: int


def follow(params: Any, problem: Any, solver_factory: Any, x0: np.ndarray, x: np.ndarray, converged: np.ndarray,
           members: np.ndarray, *, max_iterations: int, atol: float, names: tuple[str, ...]) -> Followed:
    """Integrate from ``x0`` (m, n) and check the trajectories against ``x`` (see the module docstring).

    Parameters
    ----------
    params : Parameters
        The bound kinetics (species-major right-hand side and Jacobian over batch ``members``).
    problem : _FullProblem
        Its residual, for the flux imbalance of trajectory points.
    solver_factory : callable
        Builds the continuation used to polish (``PseudoTransient``).
    x0, x : ndarray of shape (m, n)
        Starts and the points found so far; ``converged`` (m,) says which of those are equilibria.
    members : ndarray of int, shape (m,)
        Their batch indices.
    max_iterations : int
        Continuation steps per polish.
    atol : float
        Absolute floor of the distance.
    names : tuple of str
        The dynamic species, to name them in what was seen.
    """
    m, n = x0.shape
    target, have = x.copy(), converged.copy()
    y = x0.copy()
    confirmed = np.zeros(m, bool)
    seen = [""] * m
    t_end = np.zeros(m)
    best = np.full(m, np.inf)
    strikes = np.zeros(m, np.int64)
    polished = np.zeros(m, np.int64)
    recent: list[np.ndarray] = []  # samples of the last two windows, (k, m, n) each
    steps = 0
    deadline = time.perf_counter() + FOLLOW_MAX_WALL_TIME
    origin = max(float(np.max(np.abs(x0), initial=0.0)), 1.0)  # the scale of the starts, to recognise a blow-up
    # Per member, the concentration scale (start or steady state): distances are relative to a species' value,
    # floored at 1e-6 of this scale, so that species decaying to 0 count as arrived once negligible.
    scale = np.maximum(np.max(np.abs(x0), axis=1, initial=0.0), np.max(np.abs(x), axis=1, initial=0.0))
    t, length = 0.0, 1.0
    for _ in range(_MAX_WINDOWS):
        active = np.flatnonzero(~confirmed & np.array([s == "" for s in seen]))
        if active.size == 0:
            break
        samples = np.full((_SAMPLES, m, n), np.nan)
        for group in _groups(active):
            S, why, used = _window(params, y[group], members[group], t, length, atol,
                                   max(FOLLOW_MAX_STEPS - steps, 1), deadline, origin)
            steps += used
            if why:
                if group.size > 1:  # find out which member failed: one at a time
                    for k in group:
                        S1, why1, used1 = _window(params, y[[k]], members[[k]], t, length, atol,
                                                  max(FOLLOW_MAX_STEPS - steps, 1), deadline, origin)
                        steps += used1
                        if why1:
                            seen[k], t_end[k] = why1, t
                        else:
                            samples[:, k] = S1[:, 0]
                else:
                    seen[group[0]], t_end[group[0]] = why, t
            else:
                samples[:, group] = S
        ok = active[~np.isnan(samples[-1, active, 0])] if n else active
        t += length
        t_end[ok] = t
        y[ok] = samples[-1, ok]
        recent = (recent + [samples])[-2:]
        floor = 1e-6 * scale[ok][:, None] + atol
        d = np.max(np.abs(samples[:, ok] - target[ok]) / (np.abs(target[ok]) + floor), axis=2)  # (k, ok)
        arrived = have[ok] & (d[-1] <= SETTLE_DISTANCE) & ((d[-1] <= 0.5 * d[0]) | (d.max(axis=0) <= SETTLE_DISTANCE))
        confirmed[ok[arrived]] = True
        rest = ok[~arrived]
        if rest.size == 0:
            continue
        _, res_end = problem.residual(y[rest], members[rest])
        near = have[rest] & (d[-1, ~arrived] <= 1e-3)
        polish = rest[(res_end <= POLISH_RESIDUAL) & ~near & (polished[rest] < 3)]
        if polish.size:
            xp, run = solver_factory(problem).run(y[polish], max_iterations, members[polish])
            good = run["residual"] <= 1.0
            target[polish[good]], have[polish[good]] = xp[good], True
            polished[polish] += 1
            best[polish] = np.inf
        # Progress is judged on the envelope (the largest distance, or imbalance, over the window's samples): it
        # shrinks window after window for a damped approach and stays put for an orbit, whatever the sampling phase.
        k_s = samples.shape[0]
        _, res_all = problem.residual(samples[:, rest].reshape(-1, n), np.tile(members[rest], k_s))
        progress = np.where(have[rest], d[:, ~arrived].max(axis=0), res_all.reshape(k_s, rest.size).max(axis=0))
        better = progress < 0.99 * best[rest]
        best[rest] = np.where(better, progress, best[rest])
        strikes[rest] = np.where(better, 0, strikes[rest] + 1)
        for k in rest[strikes[rest] >= STRIKES]:
            seen[k] = _what_was_seen(recent, k, x0[k], t, names, 1e-6 * scale[k] + atol)
        length *= 2
        if steps >= FOLLOW_MAX_STEPS or time.perf_counter() > deadline:
            break
    for k in np.flatnonzero(~confirmed):
        if not seen[k]:
            seen[k] = (f"no convergence: the trajectory was still moving at t = {t_end[k]:.3g} when the budget "
                       f"({FOLLOW_MAX_STEPS} steps, {FOLLOW_MAX_WALL_TIME:g} s) ran out")
    x_out = np.where(confirmed[:, None], target, y)
    return Followed(x_out, confirmed, seen, t_end, steps, int(polished.sum()))


def _groups(active: np.ndarray) -> list[np.ndarray]:
    """Members integrated together: all at once (one block system), the per-member retry handles failures."""
    return [active]


def _window(params: Any, y: np.ndarray, members: np.ndarray, t: float, length: float, atol: float,
            max_steps: int, deadline: float, origin: float) -> tuple[np.ndarray, str, int]:
    """Integrate members from y (a, n) over [t, t + length]: samples (k, a, n), why it failed ("" if not), steps."""
    a, n = y.shape
    if n == 0:
        return np.zeros((_SAMPLES, a, 0)), "", 0

    def fun(_t: float, v: np.ndarray) -> np.ndarray:
        return params.rhs(v.reshape(n, a), members).ravel()

    def jac(_t: float, v: np.ndarray) -> Any:
        return params.jacobian(v.reshape(n, a), members, layout="species")

    times = np.linspace(t, t + length, _SAMPLES + 1)[1:]
    scale = max(float(np.max(y, initial=0.0)), 1.0)
    # Small systems: LSODA (one evaluation per Adams step, switching to BDF with a dense Jacobian when stiff);
    # large ones: the explicit-then-BDF "auto" with the sparse Jacobian.
    small = a * n <= _DENSE_LIMIT
    method, options = ("LSODA", {"jac": lambda tt, v: jac(tt, v).toarray()}) if small else ("auto", {})
    run = integrate(fun, jac, (t, t + length), np.ascontiguousarray(y.T).ravel(), method=method, t_eval=times,
                    rtol=_RTOL, atol=max(atol, 1e-14 * scale), dense_output=False, options=options, max_steps=max_steps,
                    max_wall_time=max(deadline - time.perf_counter(), 1e-3))
    if not run.success or run.t.size != _SAMPLES:
        reached = max(float(np.max(np.abs(y), initial=0.0)), float(np.max(np.abs(run.y), initial=0.0)))
        if run.reason == "blow-up" or "blow up" in run.message or (run.reason == "solver" and reached > 1e3 * origin):
            why = (f"blow-up: the trajectory grows without bound in finite time (to {reached:.3g} by t = {t:.3g}, "
                   "where the integrator could not continue)")
        elif run.reason in ("max_steps", "max_wall_time"):
            why = (f"no convergence: the budget ({FOLLOW_MAX_STEPS} steps, {FOLLOW_MAX_WALL_TIME:g} s) ran out "
                   f"while following the trajectory near t = {t:.3g}")
        else:
            why = f"no convergence: the trajectory could not be followed past t = {t:.3g} ({run.message})"
        return np.zeros((0, a, n)), why, run.n_steps
    return run.y.reshape(n, a, _SAMPLES).transpose(2, 1, 0), "", run.n_steps


def _what_was_seen(recent: list[np.ndarray], k: int, start: np.ndarray, t: float, names: tuple[str, ...],
                   floor: float) -> str:
    """Name what the trajectory of member k did over the last windows: oscillation, growth or slow drift."""
    series = np.concatenate([w[:, k] for w in recent])  # (samples, n)
    series = series[~np.isnan(series).any(axis=1)]
    if series.shape[0] >= 3:
        turns = np.sum(np.diff(np.sign(np.diff(series, axis=0)), axis=0) != 0, axis=0)
        amplitude = (series.max(axis=0) - series.min(axis=0)) / (np.abs(series).mean(axis=0) + floor)
        if np.any((turns >= 4) & (amplitude > 1e-3)):
            j = int(np.argmax(np.where(turns >= 4, amplitude, -1)))
            return (f"oscillation: the trajectory keeps oscillating ({names[j]} between "
                    f"{series[:, j].min():.3g} and {series[:, j].max():.3g} up to t = {t:.3g}) and reaches no steady state")
        peak = float(np.max(np.abs(series[-1])))
        if peak > 1e3 * max(float(np.max(np.abs(start), initial=0.0)), 1e-12) and np.all(np.diff(np.max(series, axis=1)) >= 0):
            return f"unbounded growth: the concentrations grew to {peak:.3g} by t = {t:.3g} and are still growing"
    return f"no convergence: the trajectory made no progress towards a steady state over the windows up to t = {t:.3g}"
