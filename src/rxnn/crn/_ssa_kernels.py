"""Compiled inner loops of the exact SSA (numba, with a pure-Python fallback) and their shared helpers.

Tau-leaping is :mod:`rxnn.crn._tau_leap`; the exact SSA of large networks by thinning, the default above
:data:`DENSE_MAX`, is :mod:`rxnn.crn._ssa_rejection`.

Both kernels simulate one trajectory of a *channel* system (see
:func:`rxnn.crn.stochastic.aggregate_channels`): channel c has propensity

    a_c(n) = kv[c] * prod_i n_i (n_i - 1) ... (n_i - Y_ic + 1)

over the dynamic species i of its reactant complex (``r_ptr/r_idx/r_coef``,
CSR by channel), and firing it adds the change vector (``v_ptr/v_idx/v_val``).
``kv`` already holds the rate constant, the enzymatic factors and the volume
scaling V^(1 - |Y|).

The code is written in the subset of Python that numba compiles; without
numba the same functions run as plain Python (correct, about a hundred times
slower). Every array argument has one fixed dtype (int64 or float64) so each
kernel compiles to exactly one signature, cached on disk (``cache=True``).

Status codes returned by the kernels: 0 reached the end time, 1 hit the
event (or step) limit, 2 a count exceeded ``max_count``.
"""

from __future__ import annotations

import numpy as np

from rxnn.crn._rng_kernels import HAVE_NUMBA, next_event_time, numba, uniform

__all__ = ["HAVE_NUMBA", "DENSE_MAX", "ssa_direct", "STATUS_DONE", "STATUS_LIMIT", "STATUS_OVERFLOW"]

STATUS_DONE, STATUS_LIMIT, STATUS_OVERFLOW = 0, 1, 2


def _jit(func):
    if HAVE_NUMBA:
        return numba.njit(cache=True, nogil=True, error_model="numpy")(func)
    return func


@_jit
def falling_product(a, c, counts, r_ptr, r_idx, r_coef):
    """a times the falling factorials n_i (n_i - 1) ... (n_i - Y_ic + 1) of the reactant complex c (CSR rows)."""
    for p in range(r_ptr[c], r_ptr[c + 1]):
        n = counts[r_idx[p]]
        y = r_coef[p]
        if n < y:
            return 0.0
        for m in range(y):
            a *= n - m
    return a


@_jit
def _propensity(c, counts, kv, r_ptr, r_idx, r_coef):
    """a_c(n): kv[c] times the falling factorials of the reactant counts (multiplied in that order)."""
    return falling_product(kv[c], c, counts, r_ptr, r_idx, r_coef)


@_jit
def _record(k, t_new, t_eval, counts, out):
    """Write ``counts`` into every output row k.. whose time is before ``t_new``; return the next k."""
    while k < t_eval.size and t_eval[k] < t_new:
        out[k, :] = counts
        k += 1
    return k


@_jit
def _accumulate(n, lo, hi, w0, w1, i, wsum, wsq):
    """Add the time integral of n and n**2 over [lo, hi] intersected with the window [w0, w1]."""
    a = lo if lo > w0 else w0
    b = hi if hi < w1 else w1
    if b > a:
        x = float(n)
        wsum[i] += x * (b - a)
        wsq[i] += x * x * (b - a)


@_jit
def _select_tree(tree, size, u):
    """Leaf of the sum tree that holds the point u of [0, total): logarithmic direct method."""
    i = 1
    while i < size:
        left = 2 * i
        if u < tree[left] or tree[left + 1] <= 0.0:
            i = left
        else:
            u -= tree[left]
            i = left + 1
    return i - size


@_jit
def _refresh(tree, buf, m):
    """Recompute the tree nodes buf[:m] (sorted, distinct) and all their ancestors, level by level.

    Dependents of a species are sorted by channel, so near-by leaves share
    ancestors and each shared node is summed once, not once per leaf.
    """
    while m > 0:
        out = 0
        for q in range(m):
            j = buf[q]
            tree[j] = tree[2 * j] + tree[2 * j + 1]
            parent = j // 2
            if parent >= 1 and (out == 0 or buf[out - 1] != parent):
                buf[out] = parent
                out += 1
        m = out


#: At most this many channels and dynamic species: the dense kernel.
DENSE_MAX = 32


@_jit
def ssa_direct(counts, kv, r_ptr, r_idx, r_coef, v_ptr, v_idx, v_val, dep_ptr, dep_idx,
               t0, t1, t_eval, w0, w1, max_count, max_events, state, out, wsum, wsq):
    """Exact SSA (Gillespie's direct method): a dense kernel for small networks, a sum tree for the rest.

    ``counts`` (int64, n_species) is advanced in place from t0 to t1; ``out``
    (n_times, n_species) receives the state at each ``t_eval`` (the state
    after every event at or before that time); ``wsum``/``wsq`` receive the
    integrals of n and n**2 over the window [w0, w1]. ``dep_ptr/dep_idx``
    list, per species, the channels whose propensity depends on it. ``state``
    (see :func:`rxnn.crn._rng_kernels.seed_state`) is the xoshiro256++ state,
    advanced in place.

    Returns (status, events, time reached, rows of ``out`` written).

    Per event: an Exp(1) and a uniform, the choice of the channel, and the
    recomputation of propensities. Up to :data:`DENSE_MAX` channels and
    species every propensity is recomputed and summed afresh and the channel
    found among their prefix sums (:func:`_ssa_dense`); above, the channels that
    depend on a changed species are recomputed and the channel found by one
    descent of a sum tree whose nodes are recomputed from their children.
    Neither carries a total from one event to the next, so nothing drifts.
    Output rows cost one comparison per event.
    """
    if kv.size <= DENSE_MAX and counts.size <= DENSE_MAX:
        return _ssa_dense(counts, kv, r_ptr, r_idx, r_coef, v_ptr, v_idx, v_val,
                          t0, t1, t_eval, w0, w1, max_count, max_events, state, out, wsum, wsq)
    n_ch = kv.size
    n_sp = counts.size
    size = 1
    while size < n_ch:
        size *= 2
    tree = np.zeros(2 * size)
    for c in range(n_ch):
        tree[size + c] = _propensity(c, counts, kv, r_ptr, r_idx, r_coef)
    for i in range(size - 1, 0, -1):
        tree[i] = tree[2 * i] + tree[2 * i + 1]
    stamp = np.full(n_ch, -1, dtype=np.int64)
    buf = np.empty(max(n_ch, 1), dtype=np.int64)
    last = np.full(n_sp, t0)
    t = t0
    k = 0
    t_out = t_eval[0] if t_eval.size > 0 else np.inf
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    events = 0
    status = STATUS_DONE
    while True:
        total = tree[1]
        s0, s1, s2, s3, t_new = next_event_time(t, total, t1, s0, s1, s2, s3)
        if t_new >= t1:
            t_new = t1
            break
        if t_out < t_new:
            k = _record(k, t_new, t_eval, counts, out)
            t_out = t_eval[k] if k < t_eval.size else np.inf
        if events >= max_events:
            status = STATUS_LIMIT
            break
        s0, s1, s2, s3, u = uniform(s0, s1, s2, s3)
        c = _select_tree(tree, size, u * total)
        for p in range(v_ptr[c], v_ptr[c + 1]):
            i = v_idx[p]
            _accumulate(counts[i], last[i], t_new, w0, w1, i, wsum, wsq)
            last[i] = t_new
            counts[i] += v_val[p]
            if counts[i] > max_count:
                status = STATUS_OVERFLOW
        t = t_new
        events += 1
        for p in range(v_ptr[c], v_ptr[c + 1]):
            i = v_idx[p]
            m = 0
            for q in range(dep_ptr[i], dep_ptr[i + 1]):
                d = dep_idx[q]
                if stamp[d] != events:
                    stamp[d] = events
                    tree[size + d] = _propensity(d, counts, kv, r_ptr, r_idx, r_coef)
                parent = (size + d) // 2
                if m == 0 or buf[m - 1] != parent:
                    buf[m] = parent
                    m += 1
            _refresh(tree, buf, m)
        if status != STATUS_DONE:
            t_new = t
            break
    if status == STATUS_DONE:
        k = _record(k, np.inf, t_eval, counts, out)
    for i in range(n_sp):
        _accumulate(counts[i], last[i], t_new, w0, w1, i, wsum, wsq)
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return status, events, t_new, k


@_jit
def _ssa_dense(counts, kv, r_ptr, r_idx, r_coef, v_ptr, v_idx, v_val,
               t0, t1, t_eval, w0, w1, max_count, max_events, state, out, wsum, wsq):
    """:func:`ssa_direct` for small networks: no indirection on the path from one event to the next.

    Each channel's propensity is classified once (constant, k n_i, k n_i (n_i - 1),
    k n_i n_j, or the general product of :func:`_propensity`, computed in the same
    order so the values are the same floats); the changes are a dense table. Every
    event recomputes all propensities and their prefix sums, counts the sums at or below
    u total (the channel a scan would stop at, found without a branch) and adds its
    row; the window integrals advance over the waiting time's overlap.
    """
    n_ch = kv.size
    n_sp = counts.size
    kind = np.full(n_ch, 4, dtype=np.int64)
    first = np.zeros(n_ch, dtype=np.int64)
    second = np.zeros(n_ch, dtype=np.int64)
    for c in range(n_ch):
        lo, m = r_ptr[c], r_ptr[c + 1] - r_ptr[c]
        if m == 0:
            kind[c] = 0
        elif m == 1 and r_coef[lo] <= 2:
            kind[c], first[c] = r_coef[lo], r_idx[lo]
        elif m == 2 and r_coef[lo] == 1 and r_coef[lo + 1] == 1:
            kind[c], first[c], second[c] = 3, r_idx[lo], r_idx[lo + 1]
    change = np.zeros((n_ch + 1, n_sp), dtype=np.int64)  # row n_ch: no change (see the choice below)
    for c in range(n_ch):
        for p in range(v_ptr[c], v_ptr[c + 1]):
            change[c, v_idx[p]] += v_val[p]
    cum = np.zeros(n_ch)
    t = t0
    k = 0
    t_out = t_eval[0] if t_eval.size > 0 else np.inf
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    events = 0
    status = STATUS_DONE
    while True:
        total = 0.0
        for c in range(n_ch):
            kc = kind[c]
            if kc == 1:
                x = kv[c] * counts[first[c]]
            elif kc == 0:
                x = kv[c]
            elif kc == 2:
                n = counts[first[c]]
                x = kv[c] * n * (n - 1)
            elif kc == 3:
                x = kv[c] * counts[first[c]] * counts[second[c]]
            else:
                x = _propensity(c, counts, kv, r_ptr, r_idx, r_coef)
            total += x
            cum[c] = total
        s0, s1, s2, s3, t_new = next_event_time(t, total, t1, s0, s1, s2, s3)
        if t_new >= t1:
            t_new = t1
            break
        if t_out < t_new:
            k = _record(k, t_new, t_eval, counts, out)
            t_out = t_eval[k] if k < t_eval.size else np.inf
        if events >= max_events:
            status = STATUS_LIMIT
            break
        lo = t if t > w0 else w0
        hi = t_new if t_new < w1 else w1
        if hi > lo:  # the waiting time overlaps the window (before the choice: nothing here depends on it)
            for i in range(n_sp):
                x = float(counts[i])
                wsum[i] += x * (hi - lo)
                wsq[i] += x * x * (hi - lo)
        s0, s1, s2, s3, u = uniform(s0, s1, s2, s3)
        u *= total
        # The first channel whose cumulative sum passes u, counted without a branch (a scan's exit branch
        # is taken at random and mispredicted about once per event). The sums are nondecreasing, so the
        # count is that channel, and it is live (its sum rose past u); u < total, so c < n_ch (only an
        # infinite total gives c = n_ch, the table's zero row, instead of an index past the table).
        c = 0
        for j in range(n_ch):
            c += cum[j] <= u
        over = False
        for i in range(n_sp):
            counts[i] += change[c, i]
            over |= counts[i] > max_count
        t = t_new
        events += 1
        if over:
            status = STATUS_OVERFLOW
            break
    if status == STATUS_DONE:
        k = _record(k, np.inf, t_eval, counts, out)
    for i in range(n_sp):
        _accumulate(counts[i], t, t_new, w0, w1, i, wsum, wsq)
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return status, events, t_new, k
