"""Limits of one-species components: the roots of their polynomials that attract the trajectory.

:func:`node_roots` decides, by Descartes' rule of signs, where the limit of a
one-species component does not depend on the path, and finds it in closed
form (degree 1, 2) or by bracketed Newton (higher degree).
"""

from __future__ import annotations

import numpy as np

__all__ = ["node_roots"]

_NEWTON_MAX = 200


def _horner(g: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and derivative of sum_p g[:, p] x^p."""
    value = g[:, -1].copy()
    slope = np.zeros_like(value)
    for p in range(g.shape[1] - 2, -1, -1):
        slope = slope * x + value
        value = value * x + g[:, p]
    return value, slope


def _bracketed_newton(g: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton's method from ``hi`` on rows of g with g(lo) > 0 > g(hi); bisection when a step leaves the bracket."""
    x = hi.copy()
    done = np.zeros(x.size, bool)
    active = np.arange(x.size)
    for _ in range(_NEWTON_MAX):
        ga, xa, la, ha = g[active], x[active], lo[active], hi[active]
        value, slope = _horner(ga, xa)
        la = np.where(value > 0, xa, la)
        ha = np.where(value < 0, xa, ha)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = xa - value / slope
        tiny = (np.abs(step - xa) <= 1e-15 * np.abs(xa)) | (value == 0)
        new = np.where(tiny | ((step >= la) & (step <= ha)), step, 0.5 * (la + ha))
        new = np.where(value == 0, xa, new)
        finished = tiny | (ha - la <= 1e-15 * ha)
        x[active], lo[active], hi[active] = new, la, ha
        done[active[finished]] = True
        active = active[~finished]
        if active.size == 0:
            break
    return x, done


def _positive_root(g: np.ndarray, top: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unique positive root of each row of g (g_0 > 0, one sign change), and whether it converged.

    Degree 1 and 2 in closed form (the quadratic without cancellation);
    higher degrees by Newton's method safeguarded by bisection inside
    [0, Fujiwara's bound], so the iterate never leaves the bracket of the
    positive root and never goes negative.
    """
    E = g.shape[0]
    x = np.zeros(E)
    ok = np.zeros(E, bool)
    rows = np.arange(E)
    lead = g[rows, top]
    one = top == 1
    x[one] = -g[one, 0] / g[one, 1]
    ok[one] = True
    two = top == 2
    if two.any():
        a, b, c = g[two, 0], g[two, 1], -g[two, 2]
        s = np.hypot(b, 2.0 * np.sqrt(a * c))
        x[two] = np.where(b >= 0, (b + s) / (2.0 * c), 2.0 * a / (s - b))
        ok[two] = True
    high = np.flatnonzero(top >= 3)
    if high.size:
        gh, th = g[high], top[high]
        D = gh.shape[1] - 1
        with np.errstate(divide="ignore"):
            logs = np.log(np.abs(gh))
        j = np.arange(D + 1)[None, :]
        power = np.where(j < th[:, None], (logs - np.log(np.abs(lead[high]))[:, None]) / np.maximum(th[:, None] - j, 1), -np.inf)
        hi = 2.0 * np.exp(np.max(power, axis=1)) * (1 + 1e-12)
        xh, done = _bracketed_newton(gh, np.zeros(high.size), hi)
        x[high] = xh
        ok[high] = done
    return x, ok


def node_roots(C: np.ndarray, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The limit of each one-species component from x0, where it does not depend on the path.

    Parameters
    ----------
    C : ndarray of shape (n_components, degree + 1, batch)
        Coefficients of f(x) = sum_p C[:, p] x^p with the upstream at its limit.
    x0 : ndarray of shape (n_components, batch)
        Starting values.

    Returns
    -------
    x : ndarray of shape (n_components, batch)
    decided : ndarray of bool, shape (n_components, batch)
        False where the limit cannot be read off the coefficients: there the
        caller follows the trajectory (pseudo-transient continuation).

    Notes
    -----
    By mass action f(0) = c_0 >= 0. Descartes' rule of signs on the nonzero
    coefficients decides (V = number of sign changes, k = lowest nonzero power):

    * k = 0, V = 1: exactly one positive root r, f > 0 below it and < 0
      above; it attracts every start (the node equations (13) and (20));
    * k >= 1 with c_k < 0 and V = 0: f < 0 on (0, inf); the limit is 0;
    * k >= 1 with c_k > 0 and V = 1: 0 repels and one positive root attracts
      every positive start (the ReLU node, h = 0); decided only for x0 > 0.

    Everything else (no root, several positive roots, f identically 0, or a
    zero start on an unstable 0) is left undecided. The cascade further
    requires the top power's terms to be consumption with coefficients free
    of other species (q-polynomial decay, Thm. 4.8), so the trajectory stays
    bounded on its way to the limit.

    Examples
    --------
    f(x) = 2 - x - x^2 has its one positive root at x = 1; f(x) = x - x^2 (a
    zero constant term) attracts positive starts to 1 but not the start 0:

    >>> C = np.array([[[2.0, 0.0], [-1.0, 1.0], [-1.0, -1.0]]])
    >>> x, decided = node_roots(C, np.array([[0.5, 0.0]]))
    >>> x.round(12), decided
    (array([[1., 0.]]), array([[ True, False]]))
    """
    nb, width, B = C.shape
    if width == 3:  # the node eq. (13) of a compiled network: c0 > 0 > c2, in closed form
        c0, c1, c2 = C[:, 0], C[:, 1], C[:, 2]
        quadratic = (c0 > 0) & (c2 < 0)
        if quadratic.all():
            a, b, c = c0, c1, -c2
            s = np.hypot(b, 2.0 * np.sqrt(a * c))
            x = np.where(b >= 0, (b + s) / (2.0 * c), 2.0 * a / (s - b))
            return x, np.isfinite(x)
    d = width - 1
    c = np.ascontiguousarray(C.transpose(0, 2, 1)).reshape(nb * B, width)
    x0 = x0.reshape(nb * B)
    nz = c != 0
    any_nz = nz.any(axis=1)
    k = np.argmax(nz, axis=1)
    top = d - np.argmax(nz[:, ::-1], axis=1)
    sign = np.sign(c)
    last = np.zeros(c.shape[0])
    changes = np.zeros(c.shape[0], dtype=np.int64)
    for p in range(width):
        flip = nz[:, p] & (last != 0) & (sign[:, p] != last)
        changes += flip
        last = np.where(nz[:, p], sign[:, p], last)
    rows = np.arange(c.shape[0])
    ck = c[rows, k]
    positive = any_nz & (changes == 1) & ((k == 0) | ((ck > 0) & (x0 > 0)))
    zero = any_nz & (k >= 1) & (ck < 0) & (changes == 0)
    x = np.zeros(c.shape[0])
    decided = zero.copy()
    idx = np.flatnonzero(positive)
    if idx.size:
        shift = k[idx, None] + np.arange(width)[None, :]
        g = np.where(shift <= d, c[idx[:, None], np.minimum(shift, d)], 0.0)
        r, ok = _positive_root(g, top[idx] - k[idx])
        x[idx] = r
        decided[idx] = ok & np.isfinite(r) & (r >= 0)
    x = np.where(decided, x, x0)
    return x.reshape(nb, B), decided.reshape(nb, B)
