"""Compiled inner loops of the stochastic simulators (numba, with a pure-Python fallback).

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

import math

import numpy as np

from rxnn.crn._rng_kernels import HAVE_NUMBA, exponential, numba, uniform

__all__ = ["HAVE_NUMBA", "DENSE_MAX", "ssa_direct", "tau_leap", "STATUS_DONE", "STATUS_LIMIT", "STATUS_OVERFLOW"]

STATUS_DONE, STATUS_LIMIT, STATUS_OVERFLOW = 0, 1, 2
_NO_LIMIT = 1 << 62


def _jit(func):
    if HAVE_NUMBA:
        return numba.njit(cache=True, nogil=True, error_model="numpy")(func)
    return func


@_jit
def _propensity(c, counts, kv, r_ptr, r_idx, r_coef):
    """a_c(n): kv[c] times the falling factorials of the reactant counts."""
    a = kv[c]
    for p in range(r_ptr[c], r_ptr[c + 1]):
        n = counts[r_idx[p]]
        y = r_coef[p]
        if n < y:
            return 0.0
        for m in range(y):
            a *= n - m
    return a


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
    found by a scan (:func:`_ssa_dense`); above, the channels that depend on a
    changed species are recomputed and the channel found by one descent of a
    sum tree whose nodes are recomputed from their children. Neither keeps a
    running sum, so nothing drifts. Output rows cost one comparison per event.
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
        if total <= 0.0:
            t_new = t1
        else:
            s0, s1, s2, s3, e = exponential(s0, s1, s2, s3)
            t_new = t + e / total
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
    event recomputes all propensities and their total, scans for the channel and
    adds its row; the window integrals advance over the waiting time's overlap.
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
    change = np.zeros((n_ch, n_sp), dtype=np.int64)
    for c in range(n_ch):
        for p in range(v_ptr[c], v_ptr[c + 1]):
            change[c, v_idx[p]] += v_val[p]
    a = np.zeros(n_ch)
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
            a[c] = x
            total += x
        if total <= 0.0:
            t_new = t1
        else:
            s0, s1, s2, s3, e = exponential(s0, s1, s2, s3)
            t_new = t + e / total
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
        c = -1
        acc = 0.0
        for j in range(n_ch):  # the additions of ``total`` again: u < total ends the scan on a live channel
            if a[j] > 0.0:
                c = j
                acc += a[j]
                if u < acc:
                    break
        for i in range(n_sp):
            counts[i] += change[c, i]
            if counts[i] > max_count:
                status = STATUS_OVERFLOW
        t = t_new
        events += 1
        if status != STATUS_DONE:
            break
    if status == STATUS_DONE:
        k = _record(k, np.inf, t_eval, counts, out)
    for i in range(n_sp):
        _accumulate(counts[i], t, t_new, w0, w1, i, wsum, wsq)
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return status, events, t_new, k


@_jit
def _g_factor(hor, need, n):
    """Cao-Gillespie-Petzold g_i: hor/need * (need + sum_{m<need} m/(n - m)); eq. (27) of CGP 2006 for hor <= 3."""
    if hor <= 1:
        return 1.0
    s = float(need)
    for m in range(1, need):
        d = n - m
        s += m / d if d > 0 else float(m)
    return hor / need * s


@_jit
def _advance(t, t_new, k, t_eval, counts, out, w0, w1, wsum, wsq):
    """Hold ``counts`` on [t, t_new): record output rows and the window integrals; return the next k."""
    k = _record(k, t_new, t_eval, counts, out)
    for i in range(counts.size):
        _accumulate(counts[i], t, t_new, w0, w1, i, wsum, wsq)
    return k


@_jit
def tau_leap(counts, kv, r_ptr, r_idx, r_coef, r_change, v_ptr, v_idx, v_val, hor, need,
             t0, t1, t_eval, w0, w1, eps, theta, n_critical, ssa_factor, n_ssa_steps,
             max_count, max_steps, rng, out, wsum, wsq):
    """Tau-leaping with the step selection of Cao, Gillespie & Petzold (2006).

    Arguments as for :func:`ssa_direct`, plus ``r_change`` (per reactant
    entry, the net change of that species when the channel fires),
    ``hor``/``need`` per species (highest order of a channel it is a reactant
    of, and how many of it that channel needs), ``eps`` (the bound on the
    relative change of every propensity in one leap), ``theta`` (the bound on
    tau times the self-relaxation rate |d drift_i / d n_i| of every species,
    which keeps the explicit leap from inflating the variance where the CGP
    bound alone lets tau grow with the volume), ``n_critical`` (a channel that is at most this
    many firings from exhausting a reactant is *critical* and fires at most
    once per leap, as in the exact method), ``ssa_factor`` and
    ``n_ssa_steps`` (when the leap would be shorter than ``ssa_factor``
    expected SSA steps, take ``n_ssa_steps`` exact steps instead).

    Returns (status, firings, time reached, rows of ``out`` written, steps).
    A leap that would make a count negative is rejected and retried with half
    the step, so counts never go negative.
    """
    n_ch = kv.size
    n_sp = counts.size
    a = np.zeros(n_ch)
    critical = np.zeros(n_ch, dtype=np.bool_)
    mu = np.zeros(n_sp)
    sigma2 = np.zeros(n_sp)
    relax = np.zeros(n_sp)
    trial = counts.copy()
    t = t0
    k = 0
    events = 0
    steps = 0
    exact_left = 0
    total_critical = 0.0
    status = STATUS_DONE
    while t < t1:
        if steps >= max_steps:
            status = STATUS_LIMIT
            break
        # Output times and the end time are hard stops: a leap never crosses one.
        t_stop = t1
        j = k
        while j < t_eval.size and t_eval[j] <= t:
            j += 1
        if j < t_eval.size and t_eval[j] < t1:
            t_stop = t_eval[j]
        total = 0.0
        for c in range(n_ch):
            a[c] = _propensity(c, counts, kv, r_ptr, r_idx, r_coef)
            total += a[c]
        if total <= 0.0:  # absorbing state: nothing ever fires again
            k = _advance(t, t1, k, t_eval, counts, out, w0, w1, wsum, wsq)
            t = t1
            break
        steps += 1
        tau1 = np.inf
        if exact_left == 0:
            total_critical = 0.0
            for i in range(n_sp):
                mu[i] = 0.0
                sigma2[i] = 0.0
                relax[i] = 0.0
            for c in range(n_ch):
                critical[c] = False
                if a[c] <= 0.0:
                    continue
                for p in range(r_ptr[c], r_ptr[c + 1]):
                    if r_change[p] != 0:  # d a_c / d n_i = a_c * sum_m 1/(n_i - m)
                        n = counts[r_idx[p]]
                        dlog = 0.0
                        for m in range(r_coef[p]):
                            dlog += 1.0 / (n - m)
                        relax[r_idx[p]] += r_change[p] * a[c] * dlog
                firings = _NO_LIMIT
                for p in range(v_ptr[c], v_ptr[c + 1]):
                    if v_val[p] < 0:
                        firings = min(firings, counts[v_idx[p]] // -v_val[p])
                if firings < n_critical:
                    critical[c] = True
                    total_critical += a[c]
                else:
                    for p in range(v_ptr[c], v_ptr[c + 1]):
                        mu[v_idx[p]] += v_val[p] * a[c]
                        sigma2[v_idx[p]] += v_val[p] * v_val[p] * a[c]
            for i in range(n_sp):
                if hor[i] == 0 or (mu[i] == 0.0 and sigma2[i] == 0.0):
                    continue
                bound = max(eps * counts[i] / _g_factor(hor[i], need[i], counts[i]), 1.0)
                if mu[i] != 0.0:
                    tau1 = min(tau1, bound / abs(mu[i]))
                if sigma2[i] > 0.0:
                    tau1 = min(tau1, bound * bound / sigma2[i])
            for i in range(n_sp):
                if relax[i] != 0.0:
                    tau1 = min(tau1, theta / abs(relax[i]))
            if tau1 < ssa_factor / total:
                exact_left = n_ssa_steps
        if exact_left > 0:  # one exact SSA step (memoryless: stopping at t_stop is exact)
            exact_left -= 1
            t_new = t - math.log(1.0 - rng.random()) / total
            if t_new >= t_stop:
                k = _advance(t, t_stop, k, t_eval, counts, out, w0, w1, wsum, wsq)
                t = t_stop
                continue
            u = rng.random() * total
            c = -1
            acc = 0.0
            for j in range(n_ch):
                if a[j] > 0.0:
                    c = j
                    acc += a[j]
                    if u < acc:
                        break
            k = _advance(t, t_new, k, t_eval, counts, out, w0, w1, wsum, wsq)
            for p in range(v_ptr[c], v_ptr[c + 1]):
                counts[v_idx[p]] += v_val[p]
            t = t_new
            events += 1
        else:
            while True:
                tau2 = np.inf if total_critical <= 0.0 else -math.log(1.0 - rng.random()) / total_critical
                tau = min(tau1, tau2, t_stop - t)
                fire_critical = tau2 <= tau1 and tau2 < t_stop - t
                t_new = t_stop if tau == t_stop - t else t + tau
                for i in range(n_sp):
                    trial[i] = counts[i]
                fired = 0
                for c in range(n_ch):
                    if a[c] <= 0.0 or critical[c]:
                        continue
                    f = rng.poisson(a[c] * tau)
                    if f > 0:
                        fired += f
                        for p in range(v_ptr[c], v_ptr[c + 1]):
                            trial[v_idx[p]] += f * v_val[p]
                if fire_critical:
                    u = rng.random() * total_critical
                    chosen = -1
                    acc = 0.0
                    for c in range(n_ch):
                        if critical[c]:
                            chosen = c
                            acc += a[c]
                            if u < acc:
                                break
                    for p in range(v_ptr[chosen], v_ptr[chosen + 1]):
                        trial[v_idx[p]] += v_val[p]
                    fired += 1
                negative = False
                for i in range(n_sp):
                    if trial[i] < 0:
                        negative = True
                        break
                if not negative:
                    break
                tau1 = tau / 2.0  # reject: retry with half the step (and a fresh tau2)
            k = _advance(t, t_new, k, t_eval, counts, out, w0, w1, wsum, wsq)
            t = t_new
            for i in range(n_sp):
                counts[i] = trial[i]
            events += fired
        for i in range(n_sp):
            if counts[i] > max_count:
                status = STATUS_OVERFLOW
        if status != STATUS_DONE:
            break
    if status == STATUS_DONE:
        k = _record(k, np.inf, t_eval, counts, out)
    return status, events, t, k, steps
