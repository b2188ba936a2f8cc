"""The per-trajectory runners behind :func:`~rxnn.crn.stochastic.simulate_stochastic` (its ``method=``).

:func:`build_problem` turns the channels of a network into the flat arrays the
kernels of :mod:`rxnn.crn._ssa_kernels` read; :data:`RUNNERS` maps each method
of :data:`~rxnn.crn.methods.STOCHASTIC_METHODS` (but ``"auto"``) to the call of
its kernel; :func:`expected_events` is the estimate ``method="auto"`` decides
by.
"""

from __future__ import annotations

from collections.abc import Callable
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn import _rng_kernels as rng_kernels
from rxnn.crn import _ssa_kernels as kernels
from rxnn.crn import _ssa_rejection as rejection
from rxnn.crn import _tau_leap as leaping
from rxnn.crn.engine.channels import group_columns, slot_table
from rxnn.errors import LimitError
from rxnn.crn.stochastic_result import StochasticResult

__all__ = [
    "AUTO_SSA_MAX_EVENTS",
    "HAVE_NUMBA",
    "MAX_COUNT",
    "RUNNERS",
    "TAU_THETA",
    "Problem",
    "assemble",
    "build_problem",
    "choose_method",
    "expected_events",
    "progress_bar",
    "to_counts",
]

#: The largest molecule count a simulation accepts: counts stay exact integers in float64 below 2**53.
MAX_COUNT = 2**53
#: ``method="auto"`` runs the exact SSA up to this many expected events per trajectory, tau-leaping above.
AUTO_SSA_MAX_EVENTS = 1_000_000
HAVE_NUMBA = kernels.HAVE_NUMBA  # without it the kernels run as plain Python (``simulate_stochastic`` warns)
USE_JIT = kernels.HAVE_NUMBA  # tests switch this off to run the pure-Python kernels


@dataclass(frozen=True)
class Problem:
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
    g_ptr: np.ndarray
    g_ch: np.ndarray
    gr_ptr: np.ndarray
    gr_idx: np.ndarray
    gr_coef: np.ndarray
    sdep_ptr: np.ndarray
    sdep_idx: np.ndarray
    c_cls: np.ndarray
    cv_ptr: np.ndarray
    cv_idx: np.ndarray
    cv_val: np.ndarray


#: The kernels' arrays of each channel system, built once per channel system (the channels of
#: ``network.lowered``, so once per network value) and dropped with it.
_STRUCTURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def build_problem(channels: Any, t0: float, t1: float, t_eval: np.ndarray, window: tuple[float, float],
                  max_steps: int, epsilon: float) -> Problem:
    """The :class:`Problem` of one call: the arrays of ``channels`` (built on first use) and the call's span.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.stochastic import aggregate_channels
    >>> channels = aggregate_channels(ReactionNetwork.from_text("0 -> X ; 1\\nX -> 0 ; 1\\n2X -> X ; 1"))
    >>> p = build_problem(channels, 0.0, 1.0, np.array([1.0]), (0.5, 1.0), 10, 0.03)
    >>> p.g_ptr.tolist(), p.cv_ptr.size - 1  # 3 reactant complexes; changes +1 and -1
    ([0, 1, 2, 3], 2)
    >>> build_problem(channels, 0.0, 2.0, np.array([2.0]), (1.0, 2.0), 10, 0.03).r_ptr is p.r_ptr  # built once
    True
    """
    arrays = _STRUCTURES.get(channels)
    if arrays is None:
        arrays = _STRUCTURES.setdefault(channels, _structure(channels))
    return Problem(**arrays, t0=t0, t1=t1, t_eval=t_eval, window=window, max_steps=max_steps, epsilon=epsilon)


def _structure(channels: Any) -> dict[str, np.ndarray]:
    """The flat int64 arrays of the kernels (CSR by channel, by species, by group and by change class)."""
    R, V = channels.reactants, channels.changes
    by_species = R.tocsr()
    by_species.sort_indices()  # each species' dependents in channel order (the kernel relies on it)
    n_dyn, n_ch = R.shape
    # Highest order of a channel each species is a reactant of, and how many of it that channel needs.
    column = np.repeat(np.arange(n_ch), np.diff(R.indptr))
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
    # Channels with the same reactant complex: the groups of the rejection kernel.
    slots = slot_table(R, fill=n_dyn)
    group, first = group_columns(slots, sp.csc_matrix((0, n_ch)))
    # Groups in the order of their complexes (not of their first channel): channels of constant 0 do not move
    # the others, and groups reading the same first species sit side by side in the tree.
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.lexsort(slots[first].T[::-1])] = np.arange(first.size)
    group, first = rank[group], first[np.argsort(rank)]
    g_ptr = np.r_[0, np.cumsum(np.bincount(group, minlength=first.size))]
    complexes = sp.csc_matrix(R[:, first])
    complexes.sort_indices()
    readers = complexes.tocsr()
    readers.sort_indices()
    # Channels with the same change vector: the change classes of tau-leaping (one Poisson draw per class).
    c_cls, rep = group_columns(np.zeros((n_ch, 1), dtype=np.int64), V)
    class_changes = sp.csc_matrix(V[:, rep])
    class_changes.sort_indices()
    arrays = dict(
        r_ptr=R.indptr, r_idx=R.indices, r_coef=R.data, r_change=r_change, v_ptr=V.indptr, v_idx=V.indices,
        v_val=V.data, dep_ptr=by_species.indptr, dep_idx=by_species.indices, hor=hor, need=need, g_ptr=g_ptr,
        g_ch=np.argsort(group, kind="stable"), gr_ptr=complexes.indptr, gr_idx=complexes.indices,
        gr_coef=complexes.data, sdep_ptr=readers.indptr, sdep_idx=readers.indices, c_cls=c_cls,
        cv_ptr=class_changes.indptr, cv_idx=class_changes.indices, cv_val=class_changes.data,
    )
    out = {}
    for name, a in arrays.items():
        out[name] = np.ascontiguousarray(a, dtype=np.int64)
        out[name].flags.writeable = False  # shared by every call on these channels
    return out


#: The exact kernel above :data:`~rxnn.crn._ssa_kernels.DENSE_MAX` channels or species: ``"ssa_rejection"``
#: (thinning on bounded group propensities, :mod:`rxnn.crn._ssa_rejection`) or ``"ssa_direct"`` (the direct
#: method on a sum tree of the channels); both sample the same chain (tests compare them).
LARGE_SSA = "ssa_rejection"


def kernel(name: str) -> Callable:
    func = getattr({"ssa_rejection": rejection, "tau_leap": leaping}.get(name, kernels), name)
    return func if USE_JIT or not hasattr(func, "py_func") else func.py_func


def run_ssa(p: Problem, counts, kv, rng, out, wsum, wsq) -> tuple[int, int, float, int, int]:
    state = rng_kernels.seed_state(rng)
    if LARGE_SSA == "ssa_rejection" and (kv.size > kernels.DENSE_MAX or counts.size > kernels.DENSE_MAX):
        status, events, t, k = kernel("ssa_rejection")(
            counts, kv, p.g_ptr, p.g_ch, p.gr_ptr, p.gr_idx, p.gr_coef, p.v_ptr, p.v_idx, p.v_val, p.sdep_ptr,
            p.sdep_idx, rejection.BOX_DELTA, p.t0, p.t1, p.t_eval, p.window[0], p.window[1], MAX_COUNT,
            p.max_steps, state, out, wsum, wsq,
        )
    else:
        status, events, t, k = kernel("ssa_direct")(
            counts, kv, p.r_ptr, p.r_idx, p.r_coef, p.v_ptr, p.v_idx, p.v_val, p.dep_ptr, p.dep_idx,
            p.t0, p.t1, p.t_eval, p.window[0], p.window[1], MAX_COUNT, p.max_steps, state, out, wsum, wsq,
        )
    return status, events, t, k, events


#: Tau-leaping constants of Cao, Gillespie & Petzold (2006): critical threshold, SSA fallback.
TAU_N_CRITICAL, TAU_SSA_FACTOR, TAU_SSA_STEPS = 10, 10.0, 100
#: Bound on tau x |d drift_i / d n_i| (stability of the explicit leap; see :func:`simulate_stochastic`).
TAU_THETA = 0.1


def run_tau_leap(p: Problem, counts, kv, rng, out, wsum, wsq) -> tuple[int, int, float, int, int]:
    return kernel("tau_leap")(
        counts, kv, p.r_ptr, p.r_idx, p.r_coef, p.r_change, p.v_ptr, p.v_idx, p.v_val, p.hor, p.need, p.c_cls,
        p.cv_ptr, p.cv_idx, p.cv_val, p.t0, p.t1, p.t_eval, p.window[0], p.window[1], p.epsilon, TAU_THETA, TAU_N_CRITICAL, TAU_SSA_FACTOR,
        TAU_SSA_STEPS, MAX_COUNT, p.max_steps, rng, out, wsum, wsq,
    )


#: Method name -> the runner of one trajectory.
RUNNERS: dict[str, Callable[..., tuple[int, int, float, int, int]]] = {"ssa": run_ssa, "tau-leap": run_tau_leap}


def expected_events(p: Problem, counts: np.ndarray, kv: np.ndarray) -> float:
    """Events the SSA would take over the span at the initial propensities: sum_c a_c(n(0)) (t1 - t0).

    a_c(n) = K_c prod_i n_i (n_i - 1) ... (n_i - Y_ic + 1), with K_c (``kv``) the
    channel constants (volume scaling included).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.stochastic import aggregate_channels
    >>> channels = aggregate_channels(ReactionNetwork.from_text("X -> 0 ; 2"))
    >>> p = build_problem(channels, 0.0, 3.0, np.array([3.0]), (1.5, 3.0), 10, 0.03)
    >>> expected_events(p, np.array([5]), np.array([2.0]))  # 2 * 5 per unit time for 3 units
    30.0
    """
    column = np.repeat(np.arange(kv.size), np.diff(p.r_ptr))
    n = np.asarray(counts, dtype=np.float64)[p.r_idx]
    entry = np.ones(p.r_idx.size)
    for step in range(int(p.r_coef.max(initial=0))):
        entry *= np.where(p.r_coef > step, np.maximum(n - step, 0.0), 1.0)
    rates = np.array(kv, dtype=np.float64)
    np.multiply.at(rates, column, entry)
    return float(rates.sum()) * (p.t1 - p.t0)


def choose_method(p: Problem, starts: np.ndarray, constants: list[np.ndarray]) -> str:
    """``"ssa"`` unless some input's :func:`expected_events` passes :data:`AUTO_SSA_MAX_EVENTS`."""
    worst = max((expected_events(p, n0, kv) for n0, kv in zip(starts, constants)), default=0.0)
    return "ssa" if worst <= AUTO_SSA_MAX_EVENTS else "tau-leap"


def assemble(network: Any, columns: np.ndarray, channels: Any, method: str, volume: float, times: np.ndarray,
             w: tuple[float, float], out_counts: np.ndarray, written: np.ndarray, wsum: np.ndarray, wsq: np.ndarray,
             stats: np.ndarray, enzymes: np.ndarray, round_enzymes: bool, n_inputs: int, n_repeats: int,
             batched_input: bool, entropy: Any, wall: float, auto: bool) -> StochasticResult:
    """Build the :class:`StochasticResult` (compact storage of the observed species) and its verdict."""
    batch, n_times = out_counts.shape[:2]
    dyn_mask = network._dynamic_mask
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
    label = "exact SSA" if method == "ssa" else "tau-leaping"
    if auto:
        label += " (chosen by method='auto')"
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
    return result


def to_counts(values: np.ndarray, names: tuple[str, ...], volume: float, what: str) -> np.ndarray:
    """round(volume x values) as molecule counts, refusing counts past :data:`MAX_COUNT`."""
    counts = np.rint(values * volume)
    too_big = counts > MAX_COUNT
    if too_big.any():
        b, j = (int(v) for v in np.argwhere(too_big)[0])
        raise LimitError(
            f"initial[{names[j]!r}] of simulate_stochastic is {float(values[b, j])!r}, which at volume {volume:g} is "
            f"{values[b, j] * volume:.3g} {what}, more than the {MAX_COUNT:.3g} (2**53) a count can hold exactly; "
            "use a smaller volume or smaller concentrations"
        )
    return counts




def progress_bar(total: int, enabled: bool) -> Any:
    """A tqdm bar over ``total`` trajectories when ``enabled`` and tqdm is installed, else None."""
    if enabled:
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover - depends on the environment
            pass
        else:
            return tqdm(total=total, desc="simulate_stochastic", unit="path", leave=False)
    return None
