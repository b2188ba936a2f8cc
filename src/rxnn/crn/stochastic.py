"""Stochastic simulation of mass-action networks at a chosen volume (the CME of §2).

A network at volume V is a continuous-time Markov chain on molecule counts:
reaction j with reactant complex Y fires at rate (its *propensity*)

    a_j(n) = kappa_j * V^(1 - |Y|) * prod_i n_i! / (n_i - Y_i)!

and its path, divided by V, approaches the mass-action ODE (eq. (2)) as V
grows (Kurtz). :func:`simulate_stochastic` samples such paths exactly (the
SSA) or approximately (tau-leaping), for a batch of initial conditions and
many repeats, with reproducible seeds. The species no reaction changes
(enzymatic, Def. 5.1) are parameters here as in the ODE; see
:func:`simulate_stochastic` for how they enter.

The key to speed is :func:`aggregate_channels`: reactions with the same
dynamic reactant complex and the same net change are merged into one channel.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from rxnn._validation import check_int, check_positive_finite, must_be
from rxnn.crn import _stochastic_runners as runners
from rxnn.crn._checks import (
    check_elements,
    check_network,
    check_span,
    check_times,
    check_window,
    observed_columns,
    seed_sequence,
)
from rxnn.crn._integrate import OUTPUT_LIMIT
from rxnn.crn._stochastic_runners import AUTO_SSA_MAX_EVENTS, MAX_COUNT, TAU_THETA
from rxnn.crn.engine.channels import ReactionChannels, aggregate_channels  # the one grouping (ODE, Jacobian, SSA)
from rxnn.crn.kinetics import parse_initial
from rxnn.crn.methods import STOCHASTIC_METHODS, Method
from rxnn.crn.network import ReactionNetwork
from rxnn.crn.results import SimulationError
from rxnn.crn.stochastic_result import StochasticResult

__all__ = [
    "AUTO_SSA_MAX_EVENTS",
    "MAX_COUNT",
    "MAX_TRAJECTORIES",
    "TAU_THETA",
    "STOCHASTIC_METHODS",
    "ReactionChannels",
    "StochasticMethod",
    "StochasticResult",
    "aggregate_channels",
    "simulate_stochastic",
]

#: Most trajectories (inputs x n_repeats) of one call; the recorded values are bounded by 1e8 as well.
MAX_TRAJECTORIES = 10_000_000
#: The old name of :class:`~rxnn.crn.methods.Method` (entries of :data:`STOCHASTIC_METHODS`).
StochasticMethod = Method

_FUNC = "simulate_stochastic"


# --------------------------------------------------------------------------- entry point
def simulate_stochastic(
    network: ReactionNetwork,
    initial: Mapping[str, Any],
    t_span: tuple[float, float],
    t_eval: Any = None,
    *,
    volume: float,
    method: str = "ssa",
    seed: int | np.random.SeedSequence | None = None,
    n_repeats: int = 1,
    rates: Mapping[str, float] | None = None,
    round_enzymes: bool = False,
    window: tuple[float, float] | None = None,
    observe: Sequence[str] | None = None,
    max_steps: int = 10**9,
    workers: int = 1,
    progress: bool = False,
    raise_on_failure: bool = True,
    **options: Any,
) -> StochasticResult:
    """Sample stochastic mass-action paths of ``network`` at volume ``volume``.

    Parameters
    ----------
    network : ReactionNetwork
    initial : mapping of str to float or 1-D array
        Initial *concentrations* by species, as for :func:`~rxnn.crn.simulate.simulate`
        (species not named start at 0; arrays give a batch of inputs). Dynamic
        species start at n = round(volume * concentration) molecules, rounded
        to the nearest integer (halves to even).
    t_span : (float, float)
        Start and end time.
    t_eval : array_like, optional
        Times at which to record the state (the state after every event at or
        before that time); default 101 evenly spaced times over ``t_span``.
    volume : float
        The volume V: a concentration x stands for V x molecules.
    method : str, default "ssa"
        One of :data:`STOCHASTIC_METHODS` (:mod:`rxnn.crn.methods`):
        ``"ssa"`` (exact, the default: an approximation is used only when
        asked for), ``"tau-leap"``, or ``"auto"``: the SSA unless the initial
        propensities predict more than :data:`AUTO_SSA_MAX_EVENTS` (1e6)
        events per trajectory over ``t_span`` (for some input), then
        tau-leaping; ``result.method`` says which ran.
    seed : int, SeedSequence or None
        Trajectory r of input b uses ``SeedSequence(seed, spawn_key=(b, r))``
        (a SeedSequence given here contributes its entropy and spawn key)
        driving a PCG64 generator, so a path does not depend on how many other
        inputs or repeats run beside it. ``None`` draws fresh entropy, kept in
        ``result.seed``.
    n_repeats : int, default 1
        Independent trajectories per input.
    rates : mapping of str to float, optional
        Values of named rate constants.
    round_enzymes : bool, default False
        False: enzymatic species enter as their constant concentrations c_e
        (not rounded: a weight of 0.04 stays 0.04 at any volume). True: they
        become m_e = round(V c_e) molecules, entering as falling factorials
        with the full volume scaling; this models finite enzyme pools.
    window : (float, float), optional
        Window of the exact time averages (:meth:`StochasticResult.time_average`);
        default the second half of ``t_span``.
    observe : sequence of str, optional
        Species to record (default all); the others are simulated but not
        stored, which saves memory for networks with many enzymatic species.
    max_steps : int, default 10**9
        Events (SSA) or steps (tau-leaping) per trajectory before giving up.
    workers : int, default 1
        Threads running trajectories in parallel (the compiled kernels release
        the GIL; without numba threads do not help). Results do not depend on it.
    progress : bool, default False
        Show a tqdm progress bar over trajectories (if tqdm is installed).
    raise_on_failure : bool, default True
        Raise :class:`~rxnn.crn.results.SimulationError` (with ``.result``)
        when a trajectory hits ``max_steps`` or a count passes :data:`MAX_COUNT`;
        otherwise return the result with ``success=False``.
    **options
        Method-specific options (:data:`STOCHASTIC_METHODS`); any other name is
        a ``TypeError`` listing the valid ones:

        epsilon : float, default 0.03 (``"tau-leap"`` and ``"auto"``)
            Tau-leaping step control: each leap changes every propensity by about
            at most this fraction (Cao, Gillespie & Petzold 2006).

    Returns
    -------
    StochasticResult
        Concentrations (counts / V) like :func:`~rxnn.crn.simulate.simulate`'s
        result, with ``.counts(name)``, ``.time_average(name)``,
        ``.time_variance(name)``, event counters and timing. The batch axis
        runs over inputs x repeats (input-major), of length n_inputs * n_repeats;
        it is present when ``initial`` has a batch axis or ``n_repeats > 1``.

    Raises
    ------
    InvalidArgumentError
        For a volume that is not a positive finite number, an unknown method,
        bad times, window or seed.
    LimitError
        For initial counts above :data:`MAX_COUNT`, more than
        :data:`MAX_TRAJECTORIES` trajectories, or recorded counts (trajectories
        x times x species) over 1e8 values (checked before allocating).
    NetworkError
        For named rate constants without values, or unknown species.
    SimulationError
        As described for ``raise_on_failure``.

    Notes
    -----
    Propensities. Reaction j with reactant complex Y fires at
    a_j(n) = kappa_j V^(1 - |Y|) prod_i n_i!/(n_i - Y_i)! (the standard scaling,
    under which a_j / V tends to the ODE rate kappa_j prod_i x_i^Y_i). The
    enzymatic species are constants, so they fold into an effective constant
    acting on the dynamic part Y_dyn of the complex, which alone sets the
    volume scaling:

    * unrounded (default): a_j = kappa_j prod_e c_e^Y_e * V^(1 - |Y_dyn|) * prod_dyn n_i!/(n_i - Y_i)!;
    * rounded: a_j = kappa_j V^(1 - |Y|) prod_e m_e!/(m_e - Y_e)! prod_dyn n_i!/(n_i - Y_i)!,
      i.e. the factor prod_e m_e!/(m_e - Y_e)! / V^|Y_e|, which tends to prod_e c_e^Y_e.

    Both agree with the ODE as V grows. Reactions are then merged into
    channels by :func:`aggregate_channels` (exact), and every trajectory is
    one call of a numba-compiled kernel (pure Python when numba is missing).

    Exact SSA: up to 32 channels and species, Gillespie's direct method with
    every propensity recomputed per event; above, the same chain sampled by
    thinning (the rejection-based SSA of Thanh, Priami & Zunino 2014):
    channels with one reactant complex form a group, every count carries a
    box of relative half-width 0.15 around it, candidates arrive at the rate
    of the groups' propensity bounds over the boxes (a sum tree, O(log n_groups)
    per candidate) and are accepted with probability propensity / bound, so
    bounds are recomputed only when a count leaves its box.

    Tau-leaping: each leap fires channel c Poisson(a_c tau) times, with tau
    the largest step for which the expected change and the standard deviation
    of every reactant count stay below max(epsilon n_i / g_i, 1) (CGP 2006),
    and for which tau |J_ii| <= :data:`TAU_THETA` = 0.1, with
    J_ii = sum_c nu_ic d a_c / d n_i the self-relaxation rate of species i.
    The second bound is ours: near a steady state the drift vanishes, the CGP
    bound lets tau grow like the volume, and the explicit leap then inflates
    the stationary variance by 1 / (1 - J tau / 2) (std x 1.5 at V = 1e4,
    x 10 at V = 1e6 for the single node of Table 1); with it the inflation
    is at most about 5% and the number of leaps does not grow with the
    volume. Channels within 10 firings of exhausting a reactant are critical
    and fire at most once per leap (chosen as in the SSA); when tau is under
    10 expected SSA steps, 100 exact steps are taken instead; a leap that
    would make a count negative is retried with half the step, so counts
    never go negative. Leaps end at every ``t_eval`` time. The window
    averages hold the state constant over a leap. The method is first order:
    transient means lag by about epsilon / 2 per unit of relaxation time
    (X -> 0 from 10^6 molecules is 1.6% low after one e-fold and 9% after
    five at epsilon = 0.03); stationary means and spreads of the tested
    networks agree with the SSA to within 0.5% and 5%.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> birth_death = ReactionNetwork.from_text("0 -> X ; 2\\nX -> 0 ; 1")
    >>> res = simulate_stochastic(birth_death, {"X": 2.0}, (0, 400), volume=50, seed=1)
    >>> round(float(res.time_average("X")), 1)  # the ODE steady state is 2
    2.0
    >>> int(res.counts("X")[0]), res.volume
    (100, 50.0)
    """
    check_network(network, _FUNC)
    volume = check_positive_finite(volume, "volume", _FUNC)
    _, options = STOCHASTIC_METHODS.resolve(method, options)
    t0, t1 = check_span(t_span, _FUNC)
    times = np.linspace(t0, t1, 101) if t_eval is None else np.ascontiguousarray(check_times(t_eval, t0, t1, _FUNC))
    w = check_window(window, t0, t1, _FUNC)
    n_repeats = check_int(n_repeats, "n_repeats", _FUNC, minimum=1)
    max_steps = check_int(max_steps, "max_steps", _FUNC, minimum=1)
    workers = check_int(workers, "workers", _FUNC, minimum=1)
    epsilon = check_positive_finite(options.get("epsilon", 0.03), "epsilon", _FUNC)
    if epsilon >= 1:
        raise must_be("epsilon", _FUNC, "a number in (0, 1)", epsilon)
    if rates:
        network = network.with_rates(rates)
    network._require_numeric_rates(_FUNC)
    lowered = network.lowered  # computed once per network value: species split, channels, enzyme factors
    dynamic, enzymatic = lowered.dynamic_species, lowered.enzymatic_species
    x0, enzymes, batched_input = parse_initial(network, initial, _FUNC, dynamic, enzymatic)
    n0 = runners.to_counts(x0, dynamic, volume, "molecules")
    if round_enzymes:
        enzymes = runners.to_counts(enzymes, enzymatic, volume, "enzyme molecules")
    columns = observed_columns(network, observe, _FUNC)
    root = seed_sequence(seed, _FUNC)
    entropy, key = root.entropy, tuple(root.spawn_key)

    channels = aggregate_channels(network)
    problem = runners.build_problem(channels, t0, t1, times, w, max_steps, epsilon)
    n_inputs, n_dyn = n0.shape
    batch = n_inputs * n_repeats
    check_elements(batch, MAX_TRAJECTORIES, "the trajectories (inputs x n_repeats)", _FUNC,
                   "lower n_repeats or the batch of inputs")
    check_elements(batch * (times.size + 2) * max(n_dyn, 1), OUTPUT_LIMIT, "the recorded counts "
                   "(inputs x n_repeats x t_eval x species)", _FUNC, "lower n_repeats, pass fewer t_eval times, "
                   "or observe fewer species")
    rates_k = network.rate_values
    out_counts = np.empty((batch, times.size, n_dyn), dtype=np.int64)
    wsum = np.zeros((batch, n_dyn))
    wsq = np.zeros((batch, n_dyn))
    stats = np.zeros((batch, 4))  # status, events, t reached, steps
    written = np.zeros(batch, dtype=np.int64)
    constants: dict[int, np.ndarray] = {}

    enzymatic_factors = network.lowered.enzymatic_factors

    def channel_constants(b: int) -> np.ndarray:
        if b not in constants:
            factors = enzymatic_factors(enzymes[b], volume, round_enzymes)
            constants[b] = np.ascontiguousarray(channels.constants(rates_k * factors, volume))
        return constants[b]

    auto = method == "auto"
    if auto:
        method = runners.choose_method(problem, n0, [channel_constants(b) for b in range(n_inputs)])
    runner = runners.RUNNERS[method]
    if not runners.HAVE_NUMBA:  # correct but slow: say so rather than let a run take 100x longer unexplained
        warnings.warn("numba is not installed: simulate_stochastic runs its kernels as plain Python, about 100x "
                      "slower; install it with pip install 'rxnn[stochastic]'", RuntimeWarning, stacklevel=2)

    def trajectory(row: int) -> None:
        b, r = divmod(row, n_repeats)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=key + (b, r))))
        counts = n0[b].astype(np.int64)
        kv = channel_constants(b)
        status, events, t_end, k, steps = runner(problem, counts, kv, rng, out_counts[row], wsum[row], wsq[row])
        stats[row] = status, events, t_end, steps
        written[row] = k

    bar = runners.progress_bar(batch, progress)
    start = time.perf_counter()
    try:
        if workers == 1:
            for row in range(batch):
                trajectory(row)
                if bar is not None:
                    bar.update(1)
        else:  # the kernels release the GIL: threads run trajectories in parallel
            for b in range(n_inputs):
                channel_constants(b)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for _ in pool.map(trajectory, range(batch)):
                    if bar is not None:
                        bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    wall = time.perf_counter() - start
    result = runners.assemble(
        network, columns, channels, method, volume, times, w, out_counts, written, wsum, wsq, stats, enzymes,
        round_enzymes, n_inputs, n_repeats, batched_input, entropy, wall, auto,
    )
    if not result.success and raise_on_failure:
        raise SimulationError(f"{_FUNC}: {result.message}", result)
    return result
