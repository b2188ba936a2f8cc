"""Deterministic simulation of mass-action networks: trajectories and steady states.

Both entry points take the network and an ``initial`` mapping of species to
concentrations (scalars, or 1-D arrays over a batch of initial conditions,
which run in one call as one block-diagonal system). The work is done by
:mod:`rxnn.crn.engine`, which discovers the network's structure once
(enzymes as parameters, matrix-product groups, the feed-forward cascade) and
caches it with the network.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from rxnn._validation import check_int, check_positive_finite
from rxnn.crn._checks import STATE_LIMIT, check_elements, check_network, check_span, check_times
from rxnn.crn._integrate import MAX_STEPS, MAX_WALL_TIME, OUTPUT_LIMIT, integrate
from rxnn.crn._convergence import follow
from rxnn.crn.engine import STEADY_METHODS, Engine, FullProblem, Parameters, PseudoTransient, engine_for, solve_steady_state
from rxnn.crn.kinetics import EnzymeValues, parse_initial_compact
from rxnn.crn.methods import SIMULATE_METHODS, STEADY_STATE_METHODS, Registry
from rxnn.crn.network import ReactionNetwork
from rxnn.crn.results import SimulationError, SimulationResult, SteadyStateError, SteadyStateResult
from rxnn.errors import LimitError

__all__ = ["simulate", "steady_state", "METHODS", "SIMULATE_METHODS", "STEADY_METHODS", "STEADY_STATE_METHODS"]

#: Integrators of :func:`simulate` (``method=``): the registry :data:`~rxnn.crn.methods.SIMULATE_METHODS`
#: (name -> :class:`~rxnn.crn.methods.Method`, with its solver options and capabilities).
METHODS: Registry = SIMULATE_METHODS
#: Default of ``flux_floor`` in :func:`steady_state`.
FLUX_FLOOR = 1e-14

_DENSE_JAC_LIMIT = 2000  # LSODA needs a dense Jacobian; beyond this size it estimates its own


def _prepare(
    network: ReactionNetwork, initial: Mapping[str, Any], rates: Mapping[str, float] | None, func: str
) -> tuple[Engine, np.ndarray, EnzymeValues, bool, Parameters]:
    check_network(network, func)
    engine = engine_for(network, rates)
    x0, enzymes, batched = parse_initial_compact(
        engine.network, initial, func, engine.dynamic_mask, engine.position, engine.name_cache
    )
    check_elements(x0.size, STATE_LIMIT, "the state (batch x dynamic species)", func, "split the batch")
    return engine, x0, enzymes, batched, engine.parameters(enzymes)


def _compact(engine: Engine, dynamic: np.ndarray, enzymes: EnzymeValues) -> dict[str, Any]:
    """Result storage: dynamic species' values, enzymatic ones once (plus the columns that vary)."""
    return dict(values=None, dynamic=dynamic, constant=enzymes, dynamic_species=engine.system.dynamic_species)


def _result_index(engine: Engine) -> dict[str, tuple[bool, int]]:
    """The results' species -> (stored in ``dynamic``, column) map, built once per engine (network).

    A result builds this map on first lookup; for a compiled network (tens of
    thousands of species) that costs more than the steady state, so every
    result of one network shares this copy (read-only) as its ``index``.
    """
    return engine.result_index


def simulate(
    network: ReactionNetwork,
    initial: Mapping[str, Any],
    t_span: tuple[float, float],
    t_eval: Any = None,
    *,
    rates: Mapping[str, float] | None = None,
    method: str = "auto",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    dense_output: bool = False,
    raise_on_failure: bool = True,
    max_steps: int = MAX_STEPS,
    max_wall_time: float | None = MAX_WALL_TIME,
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
    method : str, default "auto"
        One of :data:`METHODS` (:data:`~rxnn.crn.methods.SIMULATE_METHODS`): implicit BDF and Radau use the sparse analytic
        Jacobian and suit stiff starts (the 1000x initial conditions of §6);
        LSODA switches automatically (with a dense Jacobian, so only for small
        systems); RK45, RK23 and DOP853 are explicit. ``"auto"`` starts
        explicit (DOP853 for rtol <= 1e-6, else RK45) and switches to BDF with
        the sparse Jacobian when Hairer's stiffness test fires; it is usually
        the fastest for large batches (``benchmarks/results.md``), and
        ``result.method`` says what ran.
    rtol, atol : float
        Integrator tolerances. The defaults (1e-8, 1e-10) keep trajectories
        of the compiled networks within about 1e-7 of the exact solution.
    dense_output : bool
        Keep an interpolant, ``result.sol(t)``.
    raise_on_failure : bool, default True
        Raise :class:`SimulationError` (with ``.result``) if the integrator
        fails; otherwise return the result with ``success=False``.
    max_steps : int, default 1_000_000
        Integrator steps before the run stops with ``success=False``.
    max_wall_time : float or None, default 600.0
        Seconds before the run stops with ``success=False`` (checked at every
        right-hand-side evaluation, whatever the method); None for no limit.
    **solver_options
        Passed to SciPy's solver class: ``first_step`` and ``max_step`` for
        every method (``"auto"`` included: both phases get ``max_step``),
        ``min_step`` for LSODA (``METHODS[method].options``). Any other name
        (``events``, ``args``, ``vectorized``, ...) is a ``TypeError`` listing
        the valid ones.

    Returns
    -------
    SimulationResult

    Raises
    ------
    InvalidArgumentError
        For a bad ``t_span``, ``t_eval`` (empty, unsorted, non-finite, outside
        ``t_span``), tolerance, budget, method, initial value or solver option value.
    ArgumentTypeError
        For a solver option the method does not accept (a ``TypeError``).
    LimitError
        For a start above :data:`~rxnn.crn._checks.HUGE` (1e100) or whose
        rates overflow, a state (batch x species) over 1e7 values, or a
        trajectory at ``t_eval`` (batch x species x times) over 1e8 values,
        all checked before integrating. Without ``t_eval`` the stored steps
        are counted as they come, and a run that passes 1e8 values stops
        (``SimulationError``, "pass t_eval").
    SimulationError
        When ``raise_on_failure`` and the run stopped early; the message says
        what was seen: a finite-time blow-up (values past 1e100 or
        non-finite), time not advancing, a budget spent, or the solver's own
        step-size failure.

    Notes
    -----
    Every method runs under one guard (:mod:`rxnn.crn._integrate`): the step
    and wall-clock budgets above, a check that time advances (20 steps
    without progress stop the run: LSODA over ``(0, 1e-300)``), and blow-up
    detection, so that no integration runs unbounded.

    The right-hand side is evaluated by matrix-product groups
    (:mod:`rxnn.crn.engine`): for a compiled network, N_g (x (W x' + b))
    per layer, so one evaluation over a batch costs about as much as the
    hand-written layer ODE. The state is flattened species-major; the
    Jacobian is sparse with one n x n block per batch member.

    Examples
    --------
    >>> from rxnn import ReactionNetwork, simulate
    >>> decay = ReactionNetwork.from_text("X -> 0 ; 0.5")
    >>> result = simulate(decay, {"X": 1.0}, (0, 2), t_eval=[0, 2])
    >>> round(float(result["X"][-1]), 6)  # exp(-1)
    0.367879
    """
    func = "simulate"
    entry, options = SIMULATE_METHODS.resolve(method, solver_options)
    t0, t1 = check_span(t_span, func)
    rtol = check_positive_finite(rtol, "rtol", func)
    atol = check_positive_finite(atol, "atol", func)
    max_steps = check_int(max_steps, "max_steps", func, minimum=1)
    if max_wall_time is not None:
        max_wall_time = check_positive_finite(max_wall_time, "max_wall_time", func)
    if t_eval is not None:
        t_eval = check_times(t_eval, t0, t1, func)
    engine, x0, enzymes, batched, params = _prepare(network, initial, rates, func)
    batch, n = x0.shape
    if n == 0:  # nothing moves: every species is enzymatic (or there are none)
        times = t_eval if t_eval is not None else np.array([t0, t1])
        return SimulationResult(
            t=times, species=network.species, batched=batched, success=True, status=0,
            message="no dynamic species", method=method, **_compact(engine, np.zeros((batch, times.size, 0)), enzymes),
            index=_result_index(engine),
        )
    if t_eval is not None:
        check_elements(batch * n * t_eval.size, OUTPUT_LIMIT, "the trajectory (batch x species x t_eval)", func,
                       "pass fewer t_eval times or a smaller batch")

    # The flat state is species-major (index i * batch + b): every group's rates are rows of one array.
    def fun(_t: float, y: np.ndarray) -> np.ndarray:
        return params.rhs(y.reshape(n, batch)).ravel()

    def jac(_t: float, y: np.ndarray) -> Any:
        return params.jacobian(y.reshape(n, batch), layout="species")

    y0 = np.ascontiguousarray(x0.T).ravel()
    _check_start(fun, y0, engine, n, batch, func)
    if method != "auto" and "jacobian" in entry.capabilities:
        if "sparse jacobian" in entry.capabilities:
            options["jac"] = jac
        elif batch * n <= _DENSE_JAC_LIMIT:
            options["jac"] = lambda t, y: jac(t, y).toarray()
    sol = integrate(fun, jac, (t0, t1), y0, method=method, t_eval=t_eval, rtol=rtol, atol=atol,
                    dense_output=dense_output, options=options, max_steps=max_steps, max_wall_time=max_wall_time)
    dynamic = sol.y.reshape(n, batch, sol.t.size).transpose(1, 2, 0)
    dense = None
    if sol.sol is not None:
        ode_sol = sol.sol
        mask = engine.dynamic_mask

        def dense(t: Any) -> np.ndarray:
            """Every species at time(s) t: (batch, n_species) or (batch, len(t), n_species)."""
            y = np.asarray(ode_sol(t))
            dyn = y.reshape(n, batch).T if y.ndim == 1 else y.reshape(n, batch, -1).transpose(1, 2, 0)
            full = np.empty(dyn.shape[:-1] + (network.n_species,))
            full[..., mask] = dyn
            full[..., ~mask] = np.asarray(enzymes).reshape((batch,) + (1,) * (dyn.ndim - 2) + (-1,))
            return full

    result = SimulationResult(
        t=sol.t, species=network.species, batched=batched, **_compact(engine, dynamic, enzymes),
        success=bool(sol.success), status=int(sol.status) if sol.status <= 0 else 0, message=str(sol.message),
        nfev=int(sol.nfev), njev=int(sol.njev), nlu=int(sol.nlu), method=sol.method, sol=dense,
        index=_result_index(engine),
    )
    if not result.success and raise_on_failure:
        raise SimulationError(f"simulate ({method}): {sol.message}", result)
    return result


def _check_start(fun: Any, y0: np.ndarray, engine: Engine, n: int, batch: int, func: str) -> None:
    """Refuse a start whose rates overflow float64, naming the species (before any solver sees it)."""
    with np.errstate(over="ignore", invalid="ignore"):
        f0 = fun(0.0, y0)
    bad = np.flatnonzero(~np.isfinite(f0))
    if bad.size:
        i, b = divmod(int(bad[0]), batch)
        name = engine.system.dynamic_species[i]
        where = f" (batch member {b})" if batch > 1 else ""
        raise LimitError(
            f"{func}: at the initial state the rate of change of {name!r}{where} overflows float64 "
            f"(x = {y0[bad[0]]:.3g}); mass-action rates multiply concentrations, so rescale the concentration unit"
        )


def _steady_message(stats: dict[str, Any], followed: Any, todo: np.ndarray, converged: np.ndarray,
                    undecided: np.ndarray, residual: np.ndarray, batched: bool, method: str) -> str:
    """The verdict of :func:`steady_state`: how each member was established, or what was seen instead."""
    def where(b: int) -> str:
        return f" (batch member {b})" if batched else ""

    if converged.all():
        by_cascade = converged.size - todo.size
        parts = []
        if by_cascade and method == "pseudo-transient":
            parts.append(f"{stats['iterations']} iterations of continuation, at the limit that the feed-forward "
                         "cascade establishes")
        elif by_cascade and stats["levels"]:
            parts.append(f"{stats['levels']} levels of the feed-forward cascade")
        if todo.size:
            parts.append(
                f"{todo.size} batch member(s) by pseudo-transient continuation, confirmed by following the "
                f"trajectory until it settled there (t = {float(followed.t_end.max()):.3g})"
            )
        return "converged: " + (", ".join(parts) if parts else "nothing moves")
    if undecided.any() and method == "cascade":
        worst = int(np.flatnonzero(undecided)[0])
        return (
            f"did not converge: the cascade cannot decide the limit{where(worst)}: a component with several "
            "stable states, no steady state, or no feed-forward structure; use method='auto' or 'pseudo-transient'"
        )
    k = int(np.flatnonzero(~followed.confirmed)[0])
    b = int(todo[k])
    return (
        f"did not converge{where(b)}: {followed.seen[k]}"
        + (f"; {int((~converged).sum())} of {converged.size} members did not converge" if converged.size > 1 else "")
    )


def steady_state(
    network: ReactionNetwork,
    initial: Mapping[str, Any],
    *,
    rates: Mapping[str, float] | None = None,
    tol: float = 1e-11,
    flux_floor: float = FLUX_FLOOR,
    max_iterations: int = 500,
    raise_on_failure: bool = True,
    method: str = "auto",
    atol: float | None = None,
    **options: Any,
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
        dynamic species, |f_i(x)| <= tol * (production_i + consumption_i) + flux_floor.
        For the compiled networks of §5 this bounds the relative error of
        every node by about 2 * tol (the contraction rate sqrt(rho^2 + 4h) of
        Prop. 4.9 is at least the gross flux over x).
    flux_floor : float, default 1e-14
        Absolute floor of the flux balance, for species that decay to exactly
        zero (not an integrator tolerance: that is ``atol`` of :func:`simulate`).
    max_iterations : int, default 500
        Pseudo-time steps before giving up (continuation only).
    raise_on_failure : bool, default True
        Raise :class:`SteadyStateError` (with ``.result``) when some member of
        the batch did not converge; otherwise return it with ``success=False``.
        An unconverged point is never reported as converged.
    method : str, default "auto"
        One of :data:`STEADY_STATE_METHODS` (:mod:`rxnn.crn.methods`). ``"cascade"`` solves the strongly
        connected components of the species dependency graph level by level
        (Thm. 4.8) and leaves undecided the members whose limit depends on the
        path; ``"pseudo-transient"`` follows the trajectory in pseudo-time for
        the whole network; ``"auto"`` runs the cascade and hands the members
        it cannot decide, or that miss the tolerance, to continuation.
        ``result.method`` is the method given.
    atol : float, optional
        Deprecated name of ``flux_floor`` (a ``DeprecationWarning``).
    **options
        None is accepted (every method takes the keyword arguments above);
        any name is a ``TypeError`` listing the valid ones.

    Returns
    -------
    SteadyStateResult
        ``n_iterations`` counts the cascade's levels plus the continuation's
        pseudo-time steps; ``n_levels`` the levels.

    Raises
    ------
    SteadyStateError
        When ``raise_on_failure`` and some member was not shown to converge
        (``.result`` holds the last point: the trajectory's end where it was
        followed); the message says what was seen.
    InvalidArgumentError, LimitError
        For bad arguments or initial values (as for :func:`simulate`).

    Notes
    -----
    **Cascade.** Species i depends on j when x_j is a reactant of a channel
    that changes x_i. With the components of the levels above fixed at their
    limits, a one-species component obeys a polynomial equation
    f(x) = sum_p c_p x^p whose coefficients come from matrix products over the
    batch (for a compiled node, h + rho x - (q-1) x^q with rho = W x' + b,
    eqs. (13), (20)). Where Descartes' rule of signs shows one positive root
    that attracts every positive start (or 0 attracting everything), the limit
    of the trajectory is that root whatever the path of the upstream species,
    and it is computed in closed form (degree <= 2) or by Newton's method
    bracketed in [0, Fujiwara's bound], never negative and never the other
    root of the node equation. The top power's terms must also consume the
    species with coefficients free of other species unless production is at
    most linear (q-polynomial decay, Thm. 4.8), so that the path cannot blow
    up before the limit. Several positive roots, no root, a zero start on an
    unstable 0, a possible blow-up or a multi-species component whose
    upstream moves are left to continuation. Multi-species components whose upstream never
    moves (for example sources) are solved by continuation restricted to
    them. Cost for a compiled network: one product per layer over the batch,
    about the closed-form forward pass.

    **Pseudo-transient continuation.** Linearly implicit Euler steps
    ``(I/dt - J) dx = f(x)`` with a per-batch-member step ``dt`` that starts
    small (so the iterate follows the trajectory from ``initial``, which
    keeps it in the basin of the stable non-negative equilibrium and in its
    conservation class) and grows as the residual falls (switched evolution
    relaxation), becoming Newton's method near the fixed point. A step that
    would make a concentration negative, or grow the residual tenfold, is
    rejected and retried with a quarter of ``dt``. Batch members are
    independent blocks of one sparse system.

    **What success means.** A member is reported converged only where it
    was established that the trajectory from ``initial`` tends to the
    returned point, and the point's residual is within tolerance:

    * *by the cascade argument*: every level was solved by the one-species
      rule above (no continuation anywhere). By induction over the levels,
      the upstream species tend to their limits; a one-species component
      then obeys x' = f(x, u(t)) with u(t) tending to its limit, and the
      root chosen attracts every positive start while the top-power terms
      rule out a blow-up, so x(t) tends to that root (the argument of
      Thm. 4.8 for the compiled networks). With ``method="pseudo-transient"``
      the cascade is run as a check, and where it establishes the limit and
      agrees with continuation (within 1e-6 relative) its point is returned.
    * *by following the trajectory* (every other member, including points
      from continuation, which may be equilibria the trajectory never
      reaches): the ODE is integrated from ``initial`` in windows of doubling
      length until it ends a window within 1e-6 (relative per species,
      floored at 1e-6 of the member's concentration scale) of the point with
      the distance shrinking over the window; continuation re-polishes from
      the trajectory once its flux imbalance is below 1e6 tolerance units
      (which finds the right state of a bistable switch). This is numerical
      evidence, not a proof. It gives up after six windows without 1%
      progress, or 20,000 steps, or 60 s (:mod:`rxnn.crn._convergence`), and
      the message names what was seen: an oscillation (Lotka-Volterra from
      (3, 1), the Brusselator's limit cycle), a blow-up (``2X -> 3X``),
      unbounded growth, or no convergence.

    Examples
    --------
    >>> from rxnn import ReactionNetwork, steady_state
    >>> node = ReactionNetwork.from_text("H -> H + X\\n2X -> X")  # x' = h - x^2
    >>> round(steady_state(node, {"H": 4.0})["X"], 12)
    2.0
    >>> lotka_volterra = ReactionNetwork.from_text("X -> 2X\\nX + Y -> 2Y\\nY -> 0")
    >>> orbit = steady_state(lotka_volterra, {"X": 3.0, "Y": 1.0}, raise_on_failure=False)
    >>> orbit.success, orbit.message.split(":")[1].strip()
    (False, 'oscillation')
    """
    func = "steady_state"
    STEADY_STATE_METHODS.resolve(method, options)
    if atol is not None:
        warnings.warn("atol of steady_state is deprecated: it is the flux floor, now flux_floor= (atol is the "
                      "integrator tolerance of simulate)", DeprecationWarning, stacklevel=2)
        flux_floor = atol
    tol = check_positive_finite(tol, "tol", func)
    floor = check_positive_finite(flux_floor, "flux_floor", func)
    max_iterations = check_int(max_iterations, "max_iterations", func, minimum=0)
    engine, x0, enzymes, batched, params = _prepare(network, initial, rates, func)
    x, stats = solve_steady_state(params, x0, tol=tol, atol=floor, max_iterations=max_iterations, method=method)
    residual = stats["residual"]
    undecided = stats["undecided"]
    iterations = stats["iterations"] + stats["levels"]
    converged = stats["by_cascade"] | (x.shape[1] == 0)
    # Every other member: follow its trajectory and claim only what it reaches.
    todo = np.flatnonzero(~converged & ~undecided)
    followed = None
    if todo.size:
        problem = FullProblem(params, tol, floor)
        followed = follow(params, problem, PseudoTransient, x0[todo], x[todo], residual[todo] <= 1.0, todo,
                          max_iterations=max_iterations, atol=floor, names=engine.system.dynamic_species)
        x[todo] = followed.x
        converged[todo] = followed.confirmed
        with np.errstate(invalid="ignore", over="ignore"):
            _, res = problem.residual(x[todo], todo)
        residual[todo] = np.where(np.isfinite(res), res, np.inf)
    success = bool(converged.all())
    message = _steady_message(stats, followed, todo, converged, undecided, residual, batched, method)
    result = SteadyStateResult(
        species=network.species, batched=batched, **_compact(engine, x, enzymes),
        residual=residual, converged=converged, success=success, message=message,
        n_iterations=iterations, n_rejected=stats["rejected"], nfev=stats["nfev"],
        njev=stats["njev"], pseudo_time=stats["pseudo_time"], method=method, n_levels=int(stats["levels"]),
        index=_result_index(engine),
    )
    if not success and raise_on_failure:
        raise SteadyStateError(f"steady_state {message}", result)
    return result
