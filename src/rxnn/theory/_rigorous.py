"""Ball-arithmetic pieces of :func:`~rxnn.theory.certify`: enclosures of fixed points and passage times.

Every number here is a python-flint ``arb`` ball that contains the exact
value (floats enter at their exact binary value), so each bound is proved,
not estimated. Working precision: 128 bits.

- :func:`fixed_point_ball` encloses the positive root of f(rho, x) =
  g(x) + rho x for every rho in a ball: f is increasing in rho for x > 0,
  f(rho, 0) = g(0) > 0 and, under Thm. 4.8's hypotheses, f has exactly one
  positive root, so f > 0 at a point proves the point is below the root and
  f < 0 proves it is above.
- :func:`passage_time` bounds the time for dx/dt = f(rho, x) to go from a to
  b when f has no zero between them: T = integral of dx / f(rho, x), a
  rigorous enclosure from ``acb.integral`` (Arb's validated Gauss-Legendre
  quadrature; it refuses a path near a pole by returning a non-finite ball).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import flint
import numpy as np
import numpy.typing as npt
from flint import acb, arb

from rxnn.errors import ComputationError

__all__ = [
    "PREC",
    "ball",
    "f_ball",
    "fixed_point_ball",
    "passage_time",
    "upper",
    "lower",
    "fixed_point_enclosures",
    "phase_time",
    "upper_forcing",
    "sum_up",
]

PREC = 128
FloatArray = npt.NDArray[np.float64]


def ball(value: float) -> arb:
    """A float as an exact ball (zero radius)."""
    return arb(float(value))


def upper(value: arb) -> float:
    """The least float >= every point of the ball."""
    hi = value.mid() + value.rad()
    f = float(hi)
    return f if arb(f) >= hi else math.nextafter(f, math.inf)


def lower(value: arb) -> float:
    """The greatest float <= every point of the ball."""
    lo = value.mid() - value.rad()
    f = float(lo)
    return f if arb(f) <= lo else math.nextafter(f, -math.inf)


def f_ball(c: Sequence[float], rho: arb | acb, x: arb | acb):
    """f(rho, x) = g(x) + rho x by Horner's rule, in balls (real or complex)."""
    value = x * 0
    for ck in reversed(c):
        value = value * x + ball(ck)
    return value + rho * x


def fixed_point_ball(c: Sequence[float], rho: arb, guess: float) -> tuple[float, float]:
    """Floats lo <= hi with the positive root of f(rho', .) in [lo, hi] for every rho' in the ball ``rho``.

    Raises
    ------
    ComputationError
        If no enclosure is certified (the ball of rho is too wide, or the root is not simple).
    """
    saved = flint.ctx.prec
    flint.ctx.prec = PREC
    try:
        radius = max(abs(guess), 1e-300) * 2.0**-45 + 1e-300
        for _ in range(200):
            lo, hi = max(guess - radius, 0.0), guess + radius
            below = lo == 0.0 or f_ball(c, rho, ball(lo)) > 0
            above = f_ball(c, rho, ball(hi)) < 0
            if below and above:
                return lo, hi
            radius *= 2.0
    finally:
        flint.ctx.prec = saved
    raise ComputationError(f"could not enclose the fixed point near {guess!r} for rho in {rho}")


def passage_time(c: Sequence[float], rho: float, start: float, end: float) -> float:
    """An upper bound (a float) on the time dx/dt = f(rho, x) takes from x = start to x = end.

    The caller has proved that f(rho, .) has no zero in the closed interval
    between ``start`` and ``end`` and points from start to end.

    Raises
    ------
    ComputationError
        If the enclosure of the integral is not finite (a zero of f too close to the path).
    """
    if start == end:
        return 0.0
    saved = flint.ctx.prec
    flint.ctx.prec = PREC
    try:
        r = acb(ball(rho))

        def integrand(z: acb, analytic: bool) -> acb:
            return 1 / f_ball(c, r, z)

        value = acb.integral(integrand, acb(ball(start)), acb(ball(end)), rel_tol=2.0**-40)
        real = value.real
        if not real.is_finite():
            raise ComputationError(f"the passage time from {start!r} to {end!r} at rho = {rho!r} is not enclosed")
        return upper(real)
    finally:
        flint.ctx.prec = saved


# ---------------------------------------------------------------------- the layer-by-layer bounds of certify
def interval(lo: float, hi: float) -> arb:
    """A ball that contains [lo, hi]."""
    return ball(lo).union(ball(hi))


def rho_balls(W: FloatArray, b: FloatArray, lo: FloatArray, hi: FloatArray) -> list[arb]:
    """Balls containing rho_i = sum_j W_ij x_j + b_i for every x with lo <= x <= hi."""
    xs = [interval(a, z) for a, z in zip(lo, hi)]
    out = []
    for i in range(W.shape[0]):
        total = ball(b[i])
        for j, w in enumerate(W[i]):
            if w != 0.0:
                total += ball(w) * xs[j]
        out.append(total)
    return out


def fixed_point_enclosures(c, weights, biases, d, xs) -> list[tuple[list[arb], FloatArray, FloatArray]]:
    """Layer by layer: rho balls and float enclosures lo <= x* <= hi of the fixed point (ball arithmetic)."""
    lo = hi = np.asarray(d, dtype=float)
    out = []
    saved = flint.ctx.prec
    flint.ctx.prec = PREC
    try:
        for W, b, x in zip(weights, biases, xs):
            rhos = rho_balls(W, b, lo, hi)
            pairs = [fixed_point_ball(c, rho, float(guess)) for rho, guess in zip(rhos, x)]
            lo = np.array([p[0] for p in pairs])
            hi = np.array([p[1] for p in pairs])
            out.append((rhos, lo, hi))
    finally:
        flint.ctx.prec = saved
    return out


def phase_time(c, rhos, lo, hi, delta, bound, tol, layer) -> float:
    """A proved upper bound, over nodes, on the time for the bracketing solutions to come within tol (see certify)."""
    worst = 0.0
    saved = flint.ctx.prec
    flint.ctx.prec = PREC
    try:
        for i, rho in enumerate(rhos):
            rho_low, rho_high = lower(rho - ball(delta[i])), upper(rho + ball(delta[i]))
            target_low = lower(ball(hi[i]) - ball(tol))  # <= x* - tol: the lower solution must pass it
            if target_low > 0:
                if not f_ball(c, ball(rho_low), ball(target_low)) > 0:
                    raise tolerance_error(layer, i, tol)
                worst = max(worst, passage_time(c, rho_low, 0.0, target_low))
            target_high = upper(ball(lo[i]) + ball(tol))  # >= x* + tol: the upper solution must pass it
            if bound[i] > target_high:
                if not f_ball(c, ball(rho_high), ball(target_high)) < 0:
                    raise tolerance_error(layer, i, tol)
                worst = max(worst, passage_time(c, rho_high, float(bound[i]), target_high))
    finally:
        flint.ctx.prec = saved
    return worst


def tolerance_error(layer: int, node: int, tol: float) -> ComputationError:
    return ComputationError(
        f"certify could not prove that node {node + 1} of layer {layer} comes within {tol:g} of its fixed point "
        "(the forcing error allowed by the next layer is too small at this precision); use a larger tol"
    )


def upper_forcing(W: FloatArray, b: FloatArray, upper_x: FloatArray) -> FloatArray:
    """Floats >= max of rho = W x + b over 0 <= x <= upper_x (ball arithmetic, rounded up)."""
    out = np.empty(W.shape[0])
    for i in range(W.shape[0]):
        total = ball(b[i])
        for j, w in enumerate(W[i]):
            if w > 0:
                total += ball(w) * ball(upper_x[j])
        out[i] = upper(total)
    return out


def sum_up(a: float, b: float) -> float:
    return upper(ball(a) + ball(b))
