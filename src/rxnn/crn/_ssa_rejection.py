"""The exact SSA for large channel systems: rejection on propensity bounds over reactant-complex groups.

The kernel :func:`ssa_rejection` samples the same Markov chain as Gillespie's
direct method (:func:`rxnn.crn._ssa_kernels.ssa_direct`) by *thinning* (the
rejection-based SSA of Thanh, Priami & Zunino 2014):

* channels with the same reactant complex form a *group*; its propensity is
  a_g(n) = K_g f_g(n), with K_g the sum of its members' constants and f_g the
  product of falling factorials of the complex (the same for every member);
* every species i that some group reads carries a box [lo_i, hi_i] around its
  count; because f_g is nondecreasing in every count, b_g = K_g f_g(hi) bounds
  a_g(n) from above while every count is inside its box;
* the bounds b_g sit in a sum tree (total B). Candidates arrive as a Poisson
  process of rate B; each picks group g with probability b_g / B, and is
  accepted with probability a_g(n) / b_g. Accepted candidates form a Poisson
  process of rate a_g(n) per group, i.e. exactly the chain's events (thinning
  of a Poisson process; the bounds depend only on the past path, and change
  only right after an event). The accepted group's member is then chosen in
  proportion to its constant (a static cumulative table).

The point of it: while counts stay inside their boxes nothing is
recomputed; an event costs one Exp(1), one uniform, one descent and one
propensity per candidate, plus an occasional re-boxing (a species leaving its
box) that recomputes the bounds of the groups reading that species and their
tree ancestors from their children. The tree is never updated by running
differences, so nothing drifts. The uniform that picks the candidate also
decides its acceptance and its member (its residual within the leaf is
uniform on [0, b_g)).

Box of a count n: [n, n] for n = 0 and 1, so a group whose complex needs
more molecules than there are (up to two of a species) has the exact bound 0
and an absorbing state stays cheap (no candidates are drawn that could never
be accepted); otherwise [max(n - w, 2), n + w] with w = max(floor(delta n), 1).
Leaving the box re-boxes.
"""

from __future__ import annotations

import numpy as np

from rxnn.crn._ssa_kernels import (
    STATUS_DONE,
    STATUS_LIMIT,
    STATUS_OVERFLOW,
    _accumulate,
    _jit,
    falling_product,
    next_event_time,
    _record,
    _refresh,
)
from rxnn.crn._rng_kernels import uniform

__all__ = ["BOX_DELTA", "ssa_rejection"]

#: Relative half-width of the count boxes (see the module docstring): the bounds of a bimolecular group are
#: at most (1 + delta)^2 of its propensity while the box holds, and a count leaves its box after about
#: (delta n)^2 of its own changes.
BOX_DELTA = 0.15
_FREE = 1 << 62  # the box of a species no group reads: never left


@_jit
def _box(n, delta):
    """The box [lo, hi] of the count n."""
    if n <= 1:
        return n, n
    w = int(delta * n)
    if w < 1:
        w = 1
    lo = n - w
    if lo < 2:
        lo = 2
    return lo, n + w


@_jit
def _factor(g, counts, gr_ptr, gr_idx, gr_coef):
    """f_g(n): the product of the falling factorials of group g's reactant complex at the counts n."""
    return falling_product(1.0, g, counts, gr_ptr, gr_idx, gr_coef)


@_jit
def _descend(tree, size, u):
    """(leaf, residual): the leaf of the sum tree holding the point u of [0, total) and u's offset in it."""
    i = 1
    while i < size:
        left = 2 * i
        if u < tree[left] or tree[left + 1] <= 0.0:
            i = left
        else:
            u -= tree[left]
            i = left + 1
    return i - size, u


@_jit
def ssa_rejection(counts, kv, g_ptr, g_ch, gr_ptr, gr_idx, gr_coef, v_ptr, v_idx, v_val, sdep_ptr, sdep_idx,
                  delta, t0, t1, t_eval, w0, w1, max_count, max_events, state, out, wsum, wsq):
    """Exact SSA by thinning on bounded group propensities (arguments and return as for ``ssa_direct``).

    ``g_ptr/g_ch`` list the channels of every group (CSR), ``gr_ptr/gr_idx/gr_coef``
    the reactant complex of every group, ``sdep_ptr/sdep_idx`` the groups that
    read each species, ``delta`` the relative box half-width (:data:`BOX_DELTA`).
    """
    n_gr = g_ptr.size - 1
    n_sp = counts.size
    size = 1
    while size < n_gr:
        size *= 2
    big_k = np.zeros(n_gr)
    cum = np.zeros(g_ch.size)
    for g in range(n_gr):
        acc = 0.0
        for p in range(g_ptr[g], g_ptr[g + 1]):
            acc += kv[g_ch[p]]
            cum[p] = acc
        big_k[g] = acc
    lo = np.full(n_sp, -_FREE, dtype=np.int64)
    hi = np.full(n_sp, _FREE, dtype=np.int64)
    top = np.zeros(n_sp, dtype=np.int64)  # the upper box ends as counts, for the bounds
    for i in range(n_sp):
        if sdep_ptr[i + 1] > sdep_ptr[i]:
            lo[i], hi[i] = _box(counts[i], delta)
    for i in range(n_sp):
        top[i] = hi[i] if hi[i] != _FREE else counts[i]
    tree = np.zeros(2 * size)
    for g in range(n_gr):
        tree[size + g] = big_k[g] * _factor(g, top, gr_ptr, gr_idx, gr_coef)
    for i in range(size - 1, 0, -1):
        tree[i] = tree[2 * i] + tree[2 * i + 1]
    buf = np.empty(max(n_gr, 1), dtype=np.int64)
    last = np.full(n_sp, t0)
    t = t0
    k = 0
    t_out = t_eval[0] if t_eval.size > 0 else np.inf
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    events = 0
    status = STATUS_DONE
    t_new = t0
    while True:
        total = tree[1]
        s0, s1, s2, s3, t_new = next_event_time(t, total, t1, s0, s1, s2, s3)
        if t_new >= t1:
            t_new = t1
            break
        s0, s1, s2, s3, u = uniform(s0, s1, s2, s3)
        g, r = _descend(tree, size, u * total)
        f = _factor(g, counts, gr_ptr, gr_idx, gr_coef)
        if not r < big_k[g] * f:  # rejected: time moves on, the state does not
            t = t_new
            continue
        if t_out < t_new:
            k = _record(k, t_new, t_eval, counts, out)
            t_out = t_eval[k] if k < t_eval.size else np.inf
        if events >= max_events:
            status = STATUS_LIMIT
            break
        target = r / f  # uniform on [0, K_g): the member by its constant
        c = -1
        for p in range(g_ptr[g], g_ptr[g + 1]):
            if kv[g_ch[p]] > 0.0:
                c = g_ch[p]
                if target < cum[p]:
                    break
        for p in range(v_ptr[c], v_ptr[c + 1]):
            i = v_idx[p]
            _accumulate(counts[i], last[i], t_new, w0, w1, i, wsum, wsq)
            last[i] = t_new
            n = counts[i] + v_val[p]
            counts[i] = n
            if n > max_count:
                status = STATUS_OVERFLOW
            if n < lo[i] or n > hi[i]:  # left its box: new box, new bounds for the groups reading it
                lo[i], hi[i] = _box(n, delta)
                top[i] = hi[i]
                m = 0
                for q in range(sdep_ptr[i], sdep_ptr[i + 1]):
                    d = sdep_idx[q]
                    tree[size + d] = big_k[d] * _factor(d, top, gr_ptr, gr_idx, gr_coef)
                    parent = (size + d) // 2
                    if m == 0 or buf[m - 1] != parent:
                        buf[m] = parent
                        m += 1
                _refresh(tree, buf, m)
        t = t_new
        events += 1
        if status != STATUS_DONE:
            break
    if status == STATUS_DONE:
        k = _record(k, np.inf, t_eval, counts, out)
    for i in range(n_sp):
        _accumulate(counts[i], last[i], t_new, w0, w1, i, wsum, wsq)
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return status, events, t_new, k
