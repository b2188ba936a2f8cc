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

import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from rxnn._validation import check_int, check_positive_finite, must_be
from rxnn.crn import _ssa_kernels as kernels
from rxnn.crn._checks import check_elements, check_network, check_times
from rxnn.crn._integrate import OUTPUT_LIMIT
from rxnn.crn.engine.channels import ReactionChannels, aggregate_channels  # the one grouping (ODE, Jacobian, SSA)
from rxnn.crn.engine.initial import parse_initial
from rxnn.crn.network import NetworkError, ReactionNetwork
from rxnn.crn.results import SimulationError, SimulationResult
from rxnn.crn.simulate import _check_span
from rxnn.errors import LimitError

__all__ = [
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

#: The largest molecule count a simulation accepts: counts stay exact integers in float64 below 2**53.
MAX_COUNT = 2**53
#: Most trajectories (inputs x n_repeats) of one call; the recorded values are bounded by 1e8 as well.
MAX_TRAJECTORIES = 10_000_000

_FUNC = "simulate_stochastic"
_USE_JIT = kernels.HAVE_NUMBA  # tests switch this off to run the pure-Python kernels


# --------------------------------------------------------------------------- results
@dataclass(repr=False)
class StochasticResult(SimulationResult):
    """Sampled paths of a network at a volume: concentrations, counts and window averages.

    Everything of :class:`~rxnn.crn.results.SimulationResult` holds, in its
    compact storage: ``dynamic`` holds the concentrations (counts / volume)
    of the recorded dynamic species, shape (batch, n_times, n_dynamic), and
    ``constant`` those of the recorded enzymatic species, shape (batch,
    n_enzymatic); ``result["X"]`` has shape (n_times,), or (batch, n_times)
    when :attr:`batched`.

    The batch axis runs over inputs, then repeats: entry ``b * n_repeats + r``
    is repeat r of input b, so ``result["X"].reshape(n_inputs, n_repeats,
    n_times)`` (or :meth:`by_input`) separates them. Times a trajectory did
    not reach (after a failure) hold NaN.

    Attributes
    ----------
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
        Channels simulated after :func:`aggregate_channels`.
    seed : int or sequence of int
        The entropy of the :class:`numpy.random.SeedSequence` used (give it back as
        ``seed=`` to reproduce a run made with ``seed=None``).
    wall_time : float
        Seconds spent in the simulation loops.
    """

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


# --------------------------------------------------------------------------- methods
@dataclass(frozen=True)
class _Problem:
    """The arrays one trajectory needs, shared by every trajectory of a call."""

    r_ptr: np.ndarray
    r_idx: np.ndarray
    r_coef: np.ndarray
    r_change: np.ndarray
    v_ptr: np.ndarray
    v_idx: np.ndarray
    v_val: np.ndarray
    dep_ptr: np.ndarray
    dep_idx: np.ndarray
    hor: np.ndarray
    need: np.ndarray
    t0: float
    t1: float
    t_eval: np.ndarray
    window: tuple[float, float]
    max_steps: int
    epsilon: float


def _problem(channels: ReactionChannels, t0: float, t1: float, t_eval: np.ndarray, window: tuple[float, float],
             max_steps: int, epsilon: float) -> _Problem:
    R, V = channels.reactants, channels.changes
    by_species = R.tocsr()
    by_species.sort_indices()  # each species' dependents in channel order (the kernel relies on it)
    n_dyn = R.shape[0]
    # Highest order of a channel each species is a reactant of, and how many of it that channel needs.
    column = np.repeat(np.arange(R.shape[1]), np.diff(R.indptr))
    hor = np.zeros(n_dyn, dtype=np.int64)
    need = np.zeros(n_dyn, dtype=np.int64)
    if R.nnz:
        entry_order = channels.order[column]
        sort = np.lexsort((R.data, entry_order, R.indices))
        last = np.r_[R.indices[sort][1:] != R.indices[sort][:-1], True]
        hor[R.indices[sort][last]] = entry_order[sort][last]
        need[R.indices[sort][last]] = R.data[sort][last]
    # Net change of each reactant entry's species in its channel (for the relaxation rates).
    r_change = np.asarray(V.tocsr()[R.indices, column]).ravel() if R.nnz else np.zeros(0)
    i64 = lambda a: np.ascontiguousarray(a, dtype=np.int64)  # noqa: E731
    return _Problem(
        i64(R.indptr), i64(R.indices), i64(R.data), i64(r_change), i64(V.indptr), i64(V.indices), i64(V.data),
        i64(by_species.indptr), i64(by_species.indices), hor, need, t0, t1, t_eval, window, max_steps, epsilon,
    )


def _kernel(name: str) -> Callable:
    func = getattr(kernels, name)
    return func if _USE_JIT or not hasattr(func, "py_func") else func.py_func


def _run_ssa(p: _Problem, counts, kv, rng, out, wsum, wsq) -> tuple[int, int, float, int, int]:
    status, events, t, k = _kernel("ssa_direct")(
        counts, kv, p.r_ptr, p.r_idx, p.r_coef, p.v_ptr, p.v_idx, p.v_val, p.dep_ptr, p.dep_idx,
        p.t0, p.t1, p.t_eval, p.window[0], p.window[1], MAX_COUNT, p.max_steps, rng, out, wsum, wsq,
    )
    return status, events, t, k, events


#: Tau-leaping constants of Cao, Gillespie & Petzold (2006): critical threshold, SSA fallback.
TAU_N_CRITICAL, TAU_SSA_FACTOR, TAU_SSA_STEPS = 10, 10.0, 100
#: Bound on tau x |d drift_i / d n_i| (stability of the explicit leap; see :func:`simulate_stochastic`).
TAU_THETA = 0.1


def _run_tau_leap(p: _Problem, counts, kv, rng, out, wsum, wsq) -> tuple[int, int, float, int, int]:
    return _kernel("tau_leap")(
        counts, kv, p.r_ptr, p.r_idx, p.r_coef, p.r_change, p.v_ptr, p.v_idx, p.v_val, p.hor, p.need,
        p.t0, p.t1, p.t_eval, p.window[0], p.window[1], p.epsilon, TAU_THETA, TAU_N_CRITICAL, TAU_SSA_FACTOR,
        TAU_SSA_STEPS, MAX_COUNT, p.max_steps, rng, out, wsum, wsq,
    )


@dataclass(frozen=True)
class StochasticMethod:
    """One back-end of :func:`simulate_stochastic`: whether it is exact, what it does, and its runner."""

    exact: bool
    summary: str
    run: Callable[..., tuple[int, int, float, int, int]]


#: Back-ends of :func:`simulate_stochastic` (``method=``).
STOCHASTIC_METHODS: dict[str, StochasticMethod] = {
    "ssa": StochasticMethod(
        True,
        "Gillespie's direct method with a sum tree over channels and a species -> channel dependency "
        "graph: O(log n_channels + dependents) per event",
        _run_ssa,
    ),
    "tau-leap": StochasticMethod(
        False,
        "tau-leaping with Cao-Gillespie-Petzold (2006) step selection (epsilon), critical channels fired "
        "at most once per leap, exact SSA steps when a leap would be shorter than 10 SSA steps",
        _run_tau_leap,
    ),
}


# --------------------------------------------------------------------------- validation
def _check_window(window: Any, t0: float, t1: float) -> tuple[float, float]:
    if window is None:
        return (t0 + 0.5 * (t1 - t0), t1)
    try:
        w0, w1 = (float(v) for v in window)
    except (TypeError, ValueError):
        raise must_be("window", _FUNC, "a pair (t0, t1) of times", window) from None
    if not (t0 <= w0 < w1 <= t1):
        raise must_be("window", _FUNC, f"a pair of times with {t0:g} <= t0 < t1 <= {t1:g} (inside t_span)", window)
    return w0, w1


def _check_t_eval(t_eval: Any, t0: float, t1: float) -> np.ndarray:
    if t_eval is None:
        return np.linspace(t0, t1, 101)
    return np.ascontiguousarray(check_times(t_eval, t0, t1, _FUNC))


def _seed_sequence(seed: Any) -> np.random.SeedSequence:
    """The root SeedSequence of ``seed`` (None, a non-negative int or a SeedSequence), refusing anything else."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool) and seed >= 0):
        return np.random.SeedSequence(None if seed is None else int(seed))
    raise must_be("seed", _FUNC, "None, an integer >= 0 or a numpy SeedSequence", seed)


def _to_counts(values: np.ndarray, names: tuple[str, ...], volume: float, what: str) -> np.ndarray:
    counts = np.rint(values * volume)
    too_big = counts > MAX_COUNT
    if too_big.any():
        b, j = (int(v) for v in np.argwhere(too_big)[0])
        raise LimitError(
            f"initial[{names[j]!r}] of {_FUNC} is {float(values[b, j])!r}, which at volume {volume:g} is "
            f"{values[b, j] * volume:.3g} {what}, more than the {MAX_COUNT:.3g} (2**53) a count can hold exactly; "
            "use a smaller volume or smaller concentrations"
        )
    return counts


def _observed(network: ReactionNetwork, observe: Sequence[str] | None) -> np.ndarray:
    if observe is None:
        return np.arange(network.n_species)
    if isinstance(observe, str):
        observe = [observe]
    index = network.species_index
    unknown = [s for s in observe if s not in index]
    if unknown:
        raise NetworkError(
            f"observe of {_FUNC} names {', '.join(map(repr, unknown))}, not species of the network "
            f"(species: {', '.join(network.species[:12])}{', ...' if network.n_species > 12 else ''})"
        )
    return np.array([index[s] for s in dict.fromkeys(observe)], dtype=np.int64)


def _progress_bar(total: int, enabled: bool) -> Any:
    if enabled:
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover - depends on the environment
            pass
        else:
            return tqdm(total=total, desc=_FUNC, unit="path", leave=False)
    return None


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
    epsilon: float = 0.03,
    max_steps: int = 10**9,
    workers: int = 1,
    progress: bool = False,
    raise_on_failure: bool = True,
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
        One of :data:`STOCHASTIC_METHODS`: ``"ssa"`` (exact) or ``"tau-leap"``.
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
    epsilon : float, default 0.03
        Tau-leaping step control: each leap changes every propensity by about
        at most this fraction (Cao, Gillespie & Petzold 2006).
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

    Exact SSA: the direct method with the channels' propensities in a sum
    tree; each event draws its time and its channel (O(log n_channels)) and
    recomputes only the channels that read a species the event changed.

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
    if method not in STOCHASTIC_METHODS:
        raise must_be("method", _FUNC, "one of " + ", ".join(map(repr, STOCHASTIC_METHODS)), method)
    t0, t1 = _check_span(t_span, _FUNC)
    times = _check_t_eval(t_eval, t0, t1)
    w = _check_window(window, t0, t1)
    n_repeats = check_int(n_repeats, "n_repeats", _FUNC, minimum=1)
    max_steps = check_int(max_steps, "max_steps", _FUNC, minimum=1)
    workers = check_int(workers, "workers", _FUNC, minimum=1)
    epsilon = check_positive_finite(epsilon, "epsilon", _FUNC)
    if epsilon >= 1:
        raise must_be("epsilon", _FUNC, "a number in (0, 1)", epsilon)
    if rates:
        network = network.with_rates(rates)
    network._require_numeric_rates(_FUNC)
    dynamic, enzymatic = network.dynamic_species, network.enzymatic_species
    x0, enzymes, batched_input = parse_initial(network, initial, _FUNC, dynamic, enzymatic)
    n0 = _to_counts(x0, dynamic, volume, "molecules")
    if round_enzymes:
        enzymes = _to_counts(enzymes, enzymatic, volume, "enzyme molecules")
    columns = _observed(network, observe)
    root = _seed_sequence(seed)
    entropy, key = root.entropy, tuple(root.spawn_key)

    channels = aggregate_channels(network)
    problem = _problem(channels, t0, t1, times, w, max_steps, epsilon)
    runner = STOCHASTIC_METHODS[method].run
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

    def trajectory(row: int) -> None:
        b, r = divmod(row, n_repeats)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=key + (b, r))))
        counts = n0[b].astype(np.int64)
        kv = channel_constants(b)
        status, events, t_end, k, steps = runner(problem, counts, kv, rng, out_counts[row], wsum[row], wsq[row])
        stats[row] = status, events, t_end, steps
        written[row] = k

    bar = _progress_bar(batch, progress)
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
    return _assemble(
        network, columns, channels, method, volume, times, w, out_counts, written, wsum, wsq, stats, enzymes,
        round_enzymes, n_inputs, n_repeats, batched_input, entropy, wall, raise_on_failure,
    )


def _assemble(network, columns, channels, method, volume, times, w, out_counts, written, wsum, wsq, stats,
              enzymes, round_enzymes, n_inputs, n_repeats, batched_input, entropy, wall, raise_on_failure):
    """Build the :class:`StochasticResult` (compact storage of the observed species) and its verdict."""
    batch, n_times = out_counts.shape[:2]
    dyn_mask = network.dynamic_mask
    observed_dyn = columns[dyn_mask[columns]]
    observed_enz = columns[~dyn_mask[columns]]
    dyn_col = (np.cumsum(dyn_mask) - 1)[observed_dyn]
    enz_col = (np.cumsum(~dyn_mask) - 1)[observed_enz]
    reached = (np.arange(n_times)[None, :] < written[:, None])[:, :, None]
    dynamic = np.where(reached, out_counts[:, :, dyn_col] / volume, np.nan)
    window_done = (stats[:, 2] >= w[1])[:, None]
    span = w[1] - w[0]
    w_mean = np.where(window_done, wsum[:, dyn_col] / (span * volume), np.nan)
    w_meansq = np.where(window_done, wsq[:, dyn_col] / (span * volume**2), np.nan)
    levels = enzymes / volume if round_enzymes else enzymes
    constant = np.repeat(levels[:, enz_col], n_repeats, axis=0)
    status = stats[:, 0].astype(np.int64)
    n_events = stats[:, 1].astype(np.int64)
    failed = np.flatnonzero(status != kernels.STATUS_DONE)
    label = "exact SSA" if STOCHASTIC_METHODS[method].exact else "tau-leaping"
    if failed.size == 0:
        message = (
            f"{label}: {batch} trajectories reached t = {float(stats[:, 2].min()):g} "
            f"({int(n_events.sum())} events, {channels.n_channels} channels)"
        )
    else:
        row = int(failed[0])
        b, r = divmod(row, n_repeats)
        why = (
            "hit max_steps (raise max_steps, or use method='tau-leap' for large volumes)"
            if status[row] == kernels.STATUS_LIMIT
            else f"had a count above {MAX_COUNT:.3g} (2**53): the network grows without bound at this volume"
        )
        message = (
            f"{label}: {failed.size} of {batch} trajectories failed; trajectory {row} (input {b}, repeat {r}) "
            f"{why} at t = {stats[row, 2]:g}"
        )
    result = StochasticResult(
        t=times, species=tuple(network.species[i] for i in columns), values=None,
        batched=bool(batched_input or n_repeats > 1), success=failed.size == 0,
        status=0 if failed.size == 0 else -1, message=message, method=method,
        dynamic=dynamic, constant=constant, dynamic_species=tuple(network.species[i] for i in observed_dyn),
        volume=volume, n_inputs=n_inputs, n_repeats=n_repeats, n_events=n_events,
        n_steps=stats[:, 3].astype(np.int64), t_reached=stats[:, 2].copy(), window=w, window_mean=w_mean,
        window_meansq=w_meansq, round_enzymes=round_enzymes, n_channels=channels.n_channels, seed=entropy,
        wall_time=wall,
    )
    if failed.size and raise_on_failure:
        raise SimulationError(f"{_FUNC}: {message}", result)
    return result
