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
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn._validation import check_int, check_positive_finite, must_be
from rxnn.crn import _stochastic_runners as runners
from rxnn.crn._checks import (
    ArgumentTypeError,
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


# --------------------------------------------------------------------------- channels
@dataclass(frozen=True, eq=False)
class ReactionChannels:
    """The reactions of a network grouped into stochastic *channels*.

    Attributes
    ----------
    dynamic_species : tuple of str
        The rows of :attr:`reactants` and :attr:`changes` (``network.dynamic_species``).
    reactants : scipy.sparse.csc_matrix of int64, shape (n_dynamic, n_channels)
        The dynamic part of each channel's reactant complex.
    changes : scipy.sparse.csc_matrix of int64, shape (n_dynamic, n_channels)
        The net change of the dynamic species when the channel fires.
    channel_of_reaction : ndarray of int64, shape (n_reactions,)
        The channel each reaction of the network belongs to.
    order : ndarray of int64, shape (n_channels,)
        |Y_dyn|, the number of dynamic molecules a channel consumes as reactants.
    """

    dynamic_species: tuple[str, ...]
    reactants: sp.csc_matrix
    changes: sp.csc_matrix
    channel_of_reaction: np.ndarray
    order: np.ndarray

    @property
    def n_channels(self) -> int:
        return int(self.order.size)

    def constants(self, effective_rates: np.ndarray, volume: float) -> np.ndarray:
        """Channel constants K_c V^(1 - |Y_dyn|) from per-reaction effective rate constants.

        Parameters
        ----------
        effective_rates : ndarray of shape (n_reactions,)
            kappa_j times the enzymatic factor of reaction j (see :func:`simulate_stochastic`).
        volume : float

        Returns
        -------
        ndarray of shape (n_channels,)
        """
        summed = np.bincount(self.channel_of_reaction, weights=effective_rates, minlength=self.n_channels)
        return summed * volume ** (1.0 - self.order)

    def __repr__(self) -> str:
        return (
            f"<ReactionChannels: {self.n_channels} channels from {self.channel_of_reaction.size} reactions "
            f"over {len(self.dynamic_species)} dynamic species>"
        )


def _padded_columns(m: sp.csc_matrix) -> np.ndarray:
    """Each column as a row of (row index, coefficient) pairs padded with (-1, 0): equal columns, equal rows."""
    per_column = np.diff(m.indptr)
    width = int(per_column.max(initial=0))
    out = np.full((m.shape[1], 2 * width), -1, dtype=np.int64)
    out[:, 1::2] = 0
    column = np.repeat(np.arange(m.shape[1]), per_column)
    position = np.arange(m.indices.size) - np.repeat(m.indptr[:-1], per_column)
    out[column, 2 * position] = m.indices
    out[column, 2 * position + 1] = m.data
    return out


def aggregate_channels(network: ReactionNetwork) -> ReactionChannels:
    """Group reactions by (dynamic reactant complex, dynamic net change) into channels.

    Parameters
    ----------
    network : ReactionNetwork

    Returns
    -------
    ReactionChannels

    Notes
    -----
    With the enzymatic species held constant, the propensity of reaction j is
    K_j f_Y(n) with K_j = kappa_j times a constant enzymatic factor and
    f_Y(n) = V^(1 - |Y_dyn|) prod_i n_i!/(n_i - Y_i)! depending only on the
    dynamic reactant complex Y. Reactions that share Y and the net change
    of the state are, in the Markov chain, indistinguishable: the sum of
    independent Poisson clocks with rates K_j f_Y(n) that all make the same
    jump is one clock of rate (sum_j K_j) f_Y(n) making that jump. So the
    channel system has the same law as the network's chain, exactly; only
    which of the merged reactions fired is not recorded.

    This is what makes a compiled neural network cheap to simulate: the
    784 edge reactions X0_j + W+_ij + X1_i -> X0_j + W+_ij + 2 X1_i into
    hidden node i (the inputs X0_j are enzymatic) and its bias reaction all
    have Y = X1_i and change +X1_i, and merge into one channel; the
    784-40-10 network of §6 has about 64,000 reactions and 1,000 channels.
    Grouping is one ``np.unique`` over padded (index, coefficient) rows, so
    it costs O(nnz log nnz).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text('''
    ...     A + W1 + X -> A + W1 + 2X
    ...     B + W2 + X -> B + W2 + 2X
    ...     X -> 0
    ... ''')
    >>> aggregate_channels(net).n_channels   # A, B, W1, W2 are enzymatic
    2
    """
    if not isinstance(network, ReactionNetwork):
        raise ArgumentTypeError(f"network of aggregate_channels must be a ReactionNetwork; got {type(network).__name__}")
    dyn_rows = np.flatnonzero(network._dynamic_mask)
    reactants = network._reactants.tocsr()[dyn_rows].tocsc()
    changes = network._stoichiometry.tocsr()[dyn_rows].tocsc()
    for m in (reactants, changes):
        m.sort_indices()
    keys = np.concatenate([_padded_columns(reactants), _padded_columns(changes)], axis=1)
    if network.n_reactions == 0:
        first, inverse = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    else:
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
    # Number channels in order of first appearance, so the order follows the network's.
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    representative = np.sort(first)
    channel_reactants = reactants[:, representative].tocsc()
    channel_changes = changes[:, representative].tocsc()
    order = np.asarray(channel_reactants.sum(axis=0)).ravel().astype(np.int64)
    return ReactionChannels(
        network.dynamic_species, channel_reactants, channel_changes, rank[inverse].astype(np.int64), order
    )


class _EnzymaticFactors:
    """Per-reaction factor of the constant (enzymatic) species, for one input at a time.

    Unrounded: prod_e c_e^Y_e. Rounded: prod_e m_e!/(m_e - Y_e)! / V^Y_e, with
    m_e whole molecules. The enzymatic part of the reactant matrix is sliced
    once and reused for every input.
    """

    def __init__(self, network: ReactionNetwork) -> None:
        enz_rows = np.flatnonzero(~network._dynamic_mask)
        self.n_reactions = network.n_reactions
        m = network._reactants.tocsr()[enz_rows].tocsc()
        self.rows, self.coef = m.indices, m.data
        self.column = np.repeat(np.arange(m.shape[1]), np.diff(m.indptr))

    def __call__(self, levels: np.ndarray, volume: float, rounded: bool) -> np.ndarray:
        factors = np.ones(self.n_reactions)
        if self.coef.size == 0:
            return factors
        level = levels[self.rows]
        if rounded:  # level holds molecule counts m_e: falling factorials, volume-scaled
            entry = np.ones(self.coef.size)
            for step in range(int(self.coef.max())):
                entry *= np.where(self.coef > step, np.maximum(level - step, 0.0) / volume, 1.0)
        else:
            entry = level**self.coef
        np.multiply.at(factors, self.column, entry)
        return factors


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
    dynamic, enzymatic = network.dynamic_species, network.enzymatic_species
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
    rates_k = network._rates
    out_counts = np.empty((batch, times.size, n_dyn), dtype=np.int64)
    wsum = np.zeros((batch, n_dyn))
    wsq = np.zeros((batch, n_dyn))
    stats = np.zeros((batch, 4))  # status, events, t reached, steps
    written = np.zeros(batch, dtype=np.int64)
    constants: dict[int, np.ndarray] = {}

    enzymatic_factors = _EnzymaticFactors(network)

    def channel_constants(b: int) -> np.ndarray:
        if b not in constants:
            factors = enzymatic_factors(enzymes[b], volume, round_enzymes)
            constants[b] = np.ascontiguousarray(channels.constants(rates_k * factors, volume))
        return constants[b]

    auto = method == "auto"
    if auto:
        method = runners.choose_method(problem, n0, [channel_constants(b) for b in range(n_inputs)])
    runner = runners.RUNNERS[method]

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
