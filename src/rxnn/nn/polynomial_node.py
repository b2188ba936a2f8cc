"""Activations designed by their node polynomial: phi(y) = the positive root of g(x) + y x.

A node of the compiled network obeys dx/dt = f(y, x) = g(x) + y x, where
y x comes from the edge and bias reactions of Table 1 (y = rho, eq. (14)) and
g(x) = sum_k c_k x^k from the node's own reactions. The paper's family is
g(x) = h - (q-1) x^q (eqs. (13), (20), §6.1); :class:`PolynomialNodeActivation`
takes any g for which the node is reliable: its activation phi(y) is the
unique positive fixed point, and phi'(y) follows by implicit differentiation.

This module knows nothing of chemistry or of :mod:`rxnn.theory`; it decides
the reliability criterion itself, exactly, in rational arithmetic
(:class:`fractions.Fraction` and a Sturm sequence). :func:`rxnn.theory.check_activation`
gives the full report with arguments and counterexamples.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from rxnn.errors import InvalidArgumentError
from rxnn.nn._arrays import as_float, scalar_out
from rxnn.nn.activations import Activation

__all__ = ["PolynomialNodeActivation", "node_criterion"]

FloatArray = npt.NDArray[np.float64]

_MAX_ITER = 200
_EPS = np.finfo(np.float64).eps


# ---------------------------------------------------------------------- exact criterion
def _trim(p: list[Fraction]) -> list[Fraction]:
    while p and p[-1] == 0:
        p.pop()
    return p


def _remainder(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    """Remainder of a / b; ascending coefficient lists, b non-zero."""
    a = list(a)
    while len(a) >= len(b) and a:
        factor = a[-1] / b[-1]
        shift = len(a) - len(b)
        for i, coef in enumerate(b):
            a[shift + i] -= factor * coef
        a.pop()  # the leading coefficient is now exactly 0
        _trim(a)
    return a


def _sign_changes(values: list[Fraction]) -> int:
    signs = [v > 0 for v in values if v != 0]
    return sum(1 for s, t in zip(signs, signs[1:]) if s != t)


def positive_root_count(coefficients: Sequence[Fraction]) -> int:
    """Number of distinct roots in (0, inf) of sum_k a_k x^k, by Sturm's theorem, exactly.

    Parameters
    ----------
    coefficients : sequence of Fraction
        a_0, a_1, ... (ascending); not all zero.

    Returns
    -------
    int

    Notes
    -----
    Roots at 0 are divided out first, so the Sturm sequence p, p', -rem, ...
    is evaluated at 0 (its constant terms) and at +inf (its leading
    coefficients): the count is V(0) - V(inf). Cost O(d^3) rational operations.

    Examples
    --------
    >>> from fractions import Fraction
    >>> positive_root_count([Fraction(-2), Fraction(0), Fraction(1)])  # x^2 - 2: one root, sqrt(2)
    1
    >>> positive_root_count([Fraction(2), Fraction(-3), Fraction(1)])  # (x - 1)(x - 2)
    2
    """
    p = _trim([Fraction(c) for c in coefficients])
    if not p:
        raise InvalidArgumentError("positive_root_count needs a non-zero polynomial")
    while p[0] == 0:
        p.pop(0)
    if len(p) == 1:
        return 0
    seq = [p, [k * c for k, c in enumerate(p)][1:]]
    while len(seq[-1]) > 1:
        r = _remainder(seq[-2], seq[-1])
        if not r:
            break
        seq.append([-c for c in r])
    return _sign_changes([s[0] for s in seq]) - _sign_changes([s[-1] for s in seq])


def node_criterion(coefficients: Sequence[float]) -> str | None:
    """Why the node dx/dt = g(x) + y x is not reliable for every y, or None if it is.

    The criterion (exact for the given floats): g(0) > 0, degree q >= 2 with a
    negative leading coefficient, and p(x) = x g'(x) - g(x) < 0 for all x > 0.
    Then r(x) = g(x)/x falls strictly from +inf to -inf on (0, inf), so
    r(x) = -y has exactly one root for every real y, and it is simple.

    Parameters
    ----------
    coefficients : sequence of float
        c_0, ..., c_q of g (ascending), trailing zeros already removed.

    Returns
    -------
    str or None
        The first condition that fails, in words; None if all hold.

    Examples
    --------
    >>> node_criterion([1.0, 0.0, -1.0]) is None  # g = 1 - x^2: the paper's class (Thm. 4.8)
    True
    >>> print(node_criterion([0.0, 0.0, -1.0]))  # g = -x^2
    g(0) = 0.0 is not > 0, so x = 0 is not repelled
    """
    c = [Fraction(v) for v in coefficients]
    q = len(c) - 1
    if q < 0 or c[0] <= 0:
        return f"g(0) = {float(c[0]) if c else 0.0!r} is not > 0, so x = 0 is not repelled"
    if q < 2 or c[q] >= 0:
        return (
            f"g has degree {q} and leading coefficient {float(c[q])!r}; q-polynomial decay needs degree >= 2 "
            "and a negative leading coefficient"
        )
    p = [(k - 1) * ck for k, ck in enumerate(c)]  # x g'(x) - g(x)
    n = positive_root_count(p)
    if n:
        return (
            f"x g'(x) - g(x) has {n} root(s) in (0, inf), so g(x)/x is not strictly decreasing and some y "
            "has several or a non-simple positive fixed point"
        )
    return None


# ---------------------------------------------------------------------- root finding
def _fujiwara_log_bound(log_a: FloatArray, lead: int) -> FloatArray:
    """log of Fujiwara's bound 2 max_k |a_k/a_q|^(1/(q-k)) (a_0 halved) on the roots' moduli.

    ``log_a`` has shape (q+1, n): log|a_k| per column (-inf for a_k = 0), and
    row ``lead`` (= q) is the leading coefficient.
    """
    q = lead
    ks = np.arange(q)[:, None]
    rel = log_a[:q] - log_a[q]
    rel[0] -= math.log(2.0)
    with np.errstate(invalid="ignore"):
        scaled = rel / (q - ks)
    return math.log(2.0) + np.max(scaled, axis=0)


def _log_terms(coefficients: tuple[float, ...], y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Log-magnitudes (q+1, n) and signs (q+1, n) of the coefficients of g(x) + y x."""
    c = np.asarray(coefficients, dtype=np.float64)
    n = y.size
    a = np.repeat(c[:, None], n, axis=1)
    a[1] += y
    with np.errstate(divide="ignore"):
        return np.log(np.abs(a)), np.sign(a)


def _positive_root(coefficients: tuple[float, ...], y: FloatArray) -> FloatArray:
    """The unique positive root x of g(x) + y x for finite y (1-D array), vectorised.

    Safeguarded Newton's method on u = log x for
    G(u) = log(sum of positive terms) - log(sum of negative terms), whose sign
    is the sign of g(x) + y x: positive below the root, negative above. The
    bracket [lo, hi] starts from Fujiwara's bounds on the roots of the
    polynomial and its reverse and shrinks with every evaluation; a Newton
    step that leaves it is replaced by bisection in u. Terms are summed in log
    space (logaddexp), so nothing overflows for any finite y.
    """
    q = len(coefficients) - 1
    log_a, sign = _log_terms(coefficients, y)
    margin = 1e-9
    hi = _fujiwara_log_bound(log_a, q) + margin
    rev = log_a[::-1].copy()
    lo = -_fujiwara_log_bound(rev, q) - margin
    ks = np.arange(q + 1, dtype=np.float64)[:, None]
    pos = sign > 0
    neg = sign < 0
    u = 0.5 * (lo + hi)
    done = np.zeros(y.shape, dtype=bool)
    for _ in range(_MAX_ITER):
        t = log_a + ks * u
        tp = np.where(pos, t, -np.inf)
        tn = np.where(neg, t, -np.inf)
        lp = np.logaddexp.reduce(tp, axis=0)
        ln = np.logaddexp.reduce(tn, axis=0)
        G = lp - ln
        dG = np.sum(ks * np.exp(tp - lp), axis=0) - np.sum(ks * np.exp(tn - ln), axis=0)
        lo = np.where(G > 0, u, lo)
        hi = np.where(G < 0, u, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = G / dG
        newton = u - step
        ok = np.isfinite(newton) & (newton >= lo) & (newton <= hi) & (dG < 0)
        small = 4 * _EPS * np.maximum(1.0, np.abs(u))
        converged = ok & (np.abs(step) <= small) | (G == 0) | (hi - lo <= small)
        u = np.where(done, u, np.where(ok, newton, 0.5 * (lo + hi)))
        done |= converged
        if done.all():
            break
    return np.exp(u)


@dataclass(frozen=True)
class PolynomialNodeActivation(Activation):
    """phi(y) = the unique positive root x of g(x) + y x, for a node polynomial g.

    The node of the compiled network obeys dx/dt = g(x) + y x (y = rho of
    eq. (14)); its activation is the positive fixed point. The paper's
    activations are the case g(x) = h - (q-1) x^q: ``(h, 0, -1)`` is the
    smoothed ReLU (eqs. (4), (13)), ``(1, 0, 0, -2)`` the function of
    eq. (20) and Figure 13. Any g passing :func:`rxnn.theory.check_activation`
    is accepted, so activations beyond the q-family are one call away (§6.1).

    Parameters
    ----------
    coefficients : sequence of float or numpy.polynomial.Polynomial
        c_0, c_1, ..., c_q of g(x) = sum_k c_k x^k, lowest degree first
        (the order of :class:`numpy.polynomial.Polynomial`). Trailing zeros
        are dropped.

    Raises
    ------
    ValueError
        If a coefficient is not a finite real number, or g fails the
        reliability criterion (g(0) > 0; degree q >= 2 with negative leading
        coefficient; x g'(x) - g(x) < 0 on (0, inf)), decided exactly for the
        given floats. The message names the failing condition;
        ``rxnn.theory.check_activation(g)`` gives a counterexample y.

    Notes
    -----
    Forward: safeguarded Newton's method in log x with Fujiwara's root bounds
    as the starting bracket, vectorised over the array (see ``_positive_root``);
    y = +inf gives inf, y = -inf gives 0. Derivative, by the implicit function
    theorem on g(phi) + y phi = 0:

        phi'(y) = phi^2 / (g(phi) - phi g'(phi)) = phi^2 / (-p(phi)),
        p(x) = x g'(x) - g(x) = sum_k (k-1) c_k x^k,

    which needs only phi (§6.1: phi comes from the chemistry). For
    g = h - (q-1) x^q it equals the paper's -phi / (y - q (q-1) phi^(q-1)).

    Examples
    --------
    >>> phi = PolynomialNodeActivation((1.0, 0.0, 0.0, -2.0))   # eq. (20), h = 1
    >>> round(float(phi(1.0)), 12)                             # root of 1 + x - 2x^3
    1.0
    >>> round(float(phi.derivative(1.0)), 12)                  # 1 / (1 + 4)
    0.2
    >>> phi.node_terms()   # H -> H + X (h = 1), 3X -> 2X (rate 2)
    ((0, 1, 1.0), (3, 2, 2.0))
    """

    coefficients: tuple[float, ...]
    name: ClassVar[str] = "polynomial_node"

    def __post_init__(self) -> None:
        owner = "PolynomialNodeActivation"
        raw = self.coefficients
        if isinstance(raw, np.polynomial.Polynomial):
            raw = raw.coef
        if isinstance(raw, (str, bytes)) or not isinstance(raw, (Sequence, np.ndarray)):
            raise InvalidArgumentError(
                f"coefficients of {owner} must be a sequence of numbers c_0, ..., c_q (lowest degree first); "
                f"got {type(raw).__name__} (parse strings with rxnn.theory.node_activation)"
            )
        values = []
        for k, v in enumerate(np.asarray(raw, dtype=object).ravel().tolist()):
            ok = isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
            if not ok or not math.isfinite(float(v)):
                raise InvalidArgumentError(f"coefficients of {owner} must be finite real numbers; got {v!r} for c_{k}")
            values.append(float(v) + 0.0)
        while values and values[-1] == 0.0:
            values.pop()
        reason = node_criterion(values) if values else "g must not be the zero polynomial"
        if reason is not None:
            raise InvalidArgumentError(
                f"coefficients of {owner} must give a node dx/dt = g(x) + y x with one simple, attracting "
                f"positive fixed point for every y; got g = {_format_g(values)}: {reason} "
                "(rxnn.theory.check_activation gives the argument and a counterexample y)"
            )
        object.__setattr__(self, "coefficients", tuple(values))

    # ------------------------------------------------------------------ description
    @property
    def params(self) -> dict[str, Any]:
        return {"coefficients": self.coefficients}

    @property
    def h(self) -> float:
        """g(0): the rate of 0 -> X (H -> H + X in Table 1)."""
        return self.coefficients[0]

    @property
    def degree(self) -> int:
        """q, the degree of g: the order of polynomial decay (Def. 4.5)."""
        return len(self.coefficients) - 1

    def g(self, x: npt.ArrayLike) -> Any:
        """g(x) = sum_k c_k x^k, element-wise."""
        return scalar_out(np.polynomial.polynomial.polyval(as_float(x), self.coefficients))

    def node_terms(self) -> tuple[tuple[int, int, float], ...]:
        """The node's own reactions as (k, k', rate): kX -> k'X contributes (k' - k) rate x^k.

        The constant h is ``(0, 1, h)`` (0 -> X, or H -> H + X with H = h in
        Table 1); c x^k is ``(k, k+1, c)`` for c > 0 and ``(k, k-1, |c|)`` for
        c < 0. Mass action realises g exactly when g(0) >= 0 (§2, eq. (2)).
        """
        out = []
        for k, ck in enumerate(self.coefficients):
            if ck == 0:
                continue
            out.append((k, k + 1, ck) if ck > 0 else (k, k - 1, -ck))
        return tuple(out)

    def __str__(self) -> str:
        return f"PolynomialNodeActivation(g = {_format_g(self.coefficients)})"

    # ------------------------------------------------------------------ evaluation
    def __call__(self, y: npt.ArrayLike) -> Any:
        y = as_float(y)
        flat = y.ravel()
        out = np.full(flat.shape, np.nan)
        finite = np.isfinite(flat)
        if finite.any():
            out[finite] = _positive_root(self.coefficients, flat[finite])
        out[flat == np.inf] = np.inf
        out[flat == -np.inf] = 0.0
        return scalar_out(out.reshape(y.shape))

    def derivative_from_value(self, y: npt.ArrayLike, value: npt.ArrayLike) -> Any:
        """phi'(y) = phi^2 / (g(phi) - phi g'(phi)) from phi alone (``y`` sets only the shape).

        Evaluated as v^2 / (h - sum_k (k-1) c_k v^k) for v < 1 and as
        v^(2-q) / (h v^(-q) - sum_k (k-1) c_k v^(k-q)) for v >= 1, so that
        neither form overflows; phi' is 0 at v = 0 and, for q > 2, at v = inf.
        """
        _, v = np.broadcast_arrays(as_float(y), as_float(value))
        c = np.asarray(self.coefficients)
        q = self.degree
        w = (np.arange(q + 1) - 1) * c  # coefficients of p(x) = x g'(x) - g(x)
        w[0] = 0.0
        h = c[0]
        out = np.zeros(v.shape)
        small = v < 1
        vs = v[small]
        denom = h - np.polynomial.polynomial.polyval(vs, w)
        out[small] = vs * vs / denom
        big = v >= 1
        vb = v[big]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            inv = 1.0 / vb
            # sum_k (k-1) c_k v^(k-q) = sum_j w_{q-j} inv^j
            rest = np.polynomial.polynomial.polyval(inv, w[::-1])
            denom_b = h * inv**q - rest
            out[big] = inv ** (q - 2) / denom_b
        out[np.isnan(v)] = np.nan
        return scalar_out(out)


def _format_g(coefficients: Sequence[float]) -> str:
    terms = []
    for k, c in enumerate(coefficients):
        if c == 0:
            continue
        mono = "" if k == 0 else ("x" if k == 1 else f"x^{k}")
        mag = abs(c)
        coef = f"{mag:g}" if (k == 0 or mag != 1) else ""
        sep = "*" if coef and mono else ""
        sign = "-" if c < 0 else "+"
        terms.append((sign, f"{coef}{sep}{mono}"))
    if not terms:
        return "0"
    first = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    return " ".join([first] + [f"{s} {t}" for s, t in terms[1:]])
