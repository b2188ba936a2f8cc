"""Tau-leaping (Cao, Gillespie & Petzold 2006) on a channel system, compiled with numba like the SSA kernels.

The channel system and its arrays are those of :mod:`rxnn.crn._ssa_kernels`. A leap fires every
non-critical channel a Poisson(a_c tau) number of times; channels with the same change vector are drawn
together (``c_cls``: a sum of independent Poisson variables is Poisson with the summed mean, so the state
after the leap has exactly the law of the channel-by-channel draws), which on compiled networks is one
draw per species and direction instead of one per channel.
"""

from __future__ import annotations

import math

import numpy as np

from rxnn.crn._ssa_kernels import STATUS_DONE, STATUS_LIMIT, STATUS_OVERFLOW, _accumulate, _jit, _propensity, _record

__all__ = ["tau_leap"]

_NO_LIMIT = 1 << 62


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
def tau_leap(counts, kv, r_ptr, r_idx, r_coef, r_change, v_ptr, v_idx, v_val, hor, need, c_cls, cv_ptr, cv_idx,
             cv_val, t0, t1, t_eval, w0, w1, eps, theta, n_critical, ssa_factor, n_ssa_steps,
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
    expected SSA steps, take ``n_ssa_steps`` exact steps instead), and the
    change classes: ``c_cls`` the class of every channel, ``cv_ptr/cv_idx/cv_val``
    the change vector of every class (CSR).

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
    n_cls = cv_ptr.size - 1
    lam = np.zeros(n_cls)
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
            for j in range(n_cls):
                lam[j] = 0.0
            for c in range(n_ch):
                if a[c] > 0.0 and not critical[c]:
                    lam[c_cls[c]] += a[c]
            while True:
                tau2 = np.inf if total_critical <= 0.0 else -math.log(1.0 - rng.random()) / total_critical
                tau = min(tau1, tau2, t_stop - t)
                fire_critical = tau2 <= tau1 and tau2 < t_stop - t
                t_new = t_stop if tau == t_stop - t else t + tau
                for i in range(n_sp):
                    trial[i] = counts[i]
                fired = 0
                for j in range(n_cls):
                    if lam[j] <= 0.0:
                        continue
                    f = rng.poisson(lam[j] * tau)
                    if f > 0:
                        fired += f
                        for p in range(cv_ptr[j], cv_ptr[j + 1]):
                            trial[cv_idx[p]] += f * cv_val[p]
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
