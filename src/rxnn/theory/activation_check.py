"""Decide the hypotheses of Theorem 4.8 for a node dx/dt = g(x) + y x (§4, Appendix A).

The edge and bias reactions of Table 1 contribute y x to a node (y = rho of
eq. (14), of any sign) and the node's own reactions a polynomial g(x), so a
node obeys f(y, x) = g(x) + y x. :func:`check_activation` decides, for a
polynomial g, each property the theorem asks of an activation system:

``realisable``
    Mass action realises g with x dynamic: g(0) >= 0.
``decay``
    q-polynomial decay, q > 1 (Def. 4.5(1)).
``reliable``
    One simple positive fixed point for every y, attracting every start
    x(0) >= 0, hence a C^1 activation phi (Def. 4.7(1)).
``stable``
    f_x < 0 at every positive fixed point, for every y.
``feed_forward``
    Exponentially feed-forward (Def. 4.5(2)), by the argument of the proof
    of Prop. 4.9.

Each is "proved", "refuted" (with a counterexample y) or "undecided". With
r(x) = g(x)/x and p(x) = x g'(x) - g(x) = x^2 r'(x), the positive fixed
points for y are the solutions of r(x) = -y, and everything reduces to sign
questions about univariate polynomials, which Sturm sequences decide exactly
over the rationals (floats are taken at their exact binary value).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from rxnn._validation import check_positive_finite

if TYPE_CHECKING:
    from rxnn.nn.polynomial_node import PolynomialNodeActivation

__all__ = [
    "Verdict",
    "EntryBound",
    "ActivationCheck",
    "check_activation",
    "node_activation",
    "parse_polynomial",
    "entry_bound",
]

PROVED, REFUTED, UNDECIDED = "proved", "refuted", "undecided"

#: Small forcing values tried first as counterexamples, so that reports show simple ones.
_NICE_Y = tuple(sympy.Integer(v) for v in (0, -1, 1, -2, 2, -3, 3, -5, 5, -10, 10, -100, 100))
_PROPERTIES = ("realisable", "decay", "reliable", "stable", "feed_forward")


# ---------------------------------------------------------------------- result objects
@dataclass(frozen=True)
class Verdict:
    """The decision on one property: status, the argument and, if refuted, a counterexample.

    Attributes
    ----------
    status : {"proved", "refuted", "undecided"}
    argument : str
        Why, in words and formulas.
    counterexample : sympy.Expr or None
        A forcing value y at which the property fails (exact; ``float(...)``
        for a number), present when refuted.
    """

    status: str
    argument: str
    counterexample: sympy.Expr | None = None

    @property
    def proved(self) -> bool:
        return self.status == PROVED

    @property
    def refuted(self) -> bool:
        return self.status == REFUTED

    @property
    def undecided(self) -> bool:
        return self.status == UNDECIDED

    def __str__(self) -> str:
        extra = f" (counterexample y = {self.counterexample})" if self.counterexample is not None else ""
        return f"{self.status}{extra}: {self.argument}"


@dataclass(frozen=True)
class EntryBound:
    """Uniform time to enter [0, radius] from any start, for |y(t)| <= y_bound (Prop. A.1).

    Attributes
    ----------
    y_bound : float
        Y: the bound on |y(t)| the forcing respects.
    q : int
        Order of decay.
    c : float
        f(y, x) <= -c x^q for x > threshold and |y| <= Y.
    threshold : float
        M, the largest root of g(x) + Y x + c x^q (0 if none is positive).
    radius : float
        R = max(M, 1): [0, R] is forward invariant.
    time : float
        T = 1 / ((q-1) c R^(q-1)): x(t) <= R for all t >= T, whatever x(0) >= 0.

    Notes
    -----
    For x > M, dx/dt <= -c x^q, so x(t) <= u(t) with u' = -c u^q, u(0) = x(0),
    u(t) = (x(0)^(1-q) + (q-1) c t)^(-1/(q-1)) < ((q-1) c t)^(-1/(q-1)),
    which is <= R once t >= 1/((q-1) c R^(q-1)). At x = R >= M the field is
    <= -c R^q < 0, so [0, R] is never left. With R = 1 this is Prop. A.1.
    """

    y_bound: float
    q: int
    c: float
    threshold: float
    radius: float
    time: float

    def time_to_enter(self, radius: float) -> float:
        """T(R) = 1 / ((q-1) c R^(q-1)) for any R >= threshold, R > 0."""
        radius = check_positive_finite(radius, "radius", "EntryBound.time_to_enter")
        if radius < self.threshold:
            raise ValueError(
                f"radius of EntryBound.time_to_enter must be >= the threshold M = {self.threshold:g}; got {radius!r}"
            )
        return 1.0 / ((self.q - 1) * self.c * radius ** (self.q - 1))

    def __str__(self) -> str:
        return (
            f"for |y| <= {self.y_bound:g}: f(y, x) <= -{self.c:.6g} x^{self.q} when x > M = {self.threshold:.6g}, "
            f"so from any x(0) >= 0, x(t) <= R = {self.radius:.6g} for all t >= T = {self.time:.6g} (Prop. A.1)"
        )


@dataclass(frozen=True)
class ActivationCheck:
    """The hypotheses of Theorem 4.8 for the node dx/dt = g(x) + y x, decided.

    Attributes
    ----------
    g : sympy.Expr
        The node polynomial, with exact coefficients.
    x : sympy.Symbol
    q : int or None
        Degree of g (None when a symbolic leading coefficient may vanish).
    realisable, decay, reliable, stable, feed_forward : Verdict
    entry : EntryBound or None
        Prop. A.1's uniform entry time, when g is numeric and decays.
    """

    g: sympy.Expr
    x: sympy.Symbol
    q: int | None
    realisable: Verdict
    decay: Verdict
    reliable: Verdict
    stable: Verdict
    feed_forward: Verdict
    entry: EntryBound | None = None

    @property
    def verdicts(self) -> dict[str, Verdict]:
        """Property name -> verdict, in the order of the report."""
        return {name: getattr(self, name) for name in _PROPERTIES}

    @property
    def passes(self) -> bool:
        """Every property proved: Theorem 4.8 applies to networks of such nodes."""
        return all(v.proved for v in self.verdicts.values())

    @property
    def status(self) -> str:
        """"proved" if all are proved, "refuted" if any is refuted, else "undecided"."""
        statuses = [v.status for v in self.verdicts.values()]
        if all(s == PROVED for s in statuses):
            return PROVED
        return REFUTED if REFUTED in statuses else UNDECIDED

    def activation(self) -> PolynomialNodeActivation:
        """The activation phi of this g, for training and compiling.

        Raises
        ------
        ValueError
            If g has symbolic coefficients or some property is not proved.
        """
        from rxnn.nn.polynomial_node import PolynomialNodeActivation

        if not self.passes:
            failing = ", ".join(f"{k} ({v.status})" for k, v in self.verdicts.items() if not v.proved)
            raise ValueError(f"g = {self.g} does not pass check_activation: {failing}")
        poly = sympy.Poly(self.g, self.x)
        if poly.free_symbols - {self.x}:
            raise ValueError(f"g = {self.g} has symbolic coefficients; substitute numbers first")
        coefficients = [float(c) for c in reversed(poly.all_coeffs())]
        return PolynomialNodeActivation(tuple(coefficients))

    def __str__(self) -> str:
        lines = [f"node dx/dt = g(x) + y*x with g(x) = {self.g}"]
        for name, verdict in self.verdicts.items():
            label = f"decay (q={self.q})" if name == "decay" and verdict.proved else name
            head = f"  {label:<14}{verdict.status.upper()}"
            if verdict.counterexample is not None:
                head += f"   counterexample y = {verdict.counterexample}"
            lines.append(head)
            lines.extend(textwrap.wrap(verdict.argument, width=96, initial_indent=" " * 6, subsequent_indent=" " * 6))
        if self.entry is not None:
            lines.append("  entry time")
            lines.extend(textwrap.wrap(str(self.entry), width=96, initial_indent=" " * 6, subsequent_indent=" " * 6))
        summary = {
            PROVED: "all hypotheses of Theorem 4.8 hold: a network of such nodes converges from infinity "
            "in finite time and is exponentially reliable",
            REFUTED: "some hypothesis of Theorem 4.8 fails (see the counterexamples)",
            UNDECIDED: "some hypothesis could not be decided (substitute numeric coefficients to decide exactly)",
        }[self.status]
        lines.append(f"verdict: {self.status.upper()}: {summary}")
        return "\n".join(lines)


# ---------------------------------------------------------------------- parsing
def _exact(value: Any) -> sympy.Expr:
    """A number as an exact sympy number (floats at their exact binary value)."""
    if isinstance(value, sympy.Basic):
        return value.replace(lambda e: isinstance(e, sympy.Float), lambda e: sympy.Rational(e))
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("bool")
    if isinstance(value, (int, np.integer)):
        return sympy.Integer(int(value))
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(f"{value!r} is not finite")
    return sympy.Rational(f)


def parse_polynomial(g: Any, x: str | sympy.Symbol = "x") -> tuple[sympy.Expr, sympy.Symbol]:
    """g as an exact sympy polynomial expression in the symbol x.

    Parameters
    ----------
    g : str, sympy expression, sequence of numbers, numpy Polynomial or PolynomialNodeActivation
        A string is parsed by sympy with decimals kept exact (``"0.1"`` is
        1/10) and every symbol other than ``x`` declared positive. A sequence
        lists c_0, c_1, ..., c_q (lowest degree first); floats are taken at
        their exact binary value.
    x : str or sympy.Symbol, default "x"
        The concentration variable.

    Returns
    -------
    (sympy.Expr, sympy.Symbol)

    Raises
    ------
    ValueError
        If g cannot be parsed, is not a polynomial in x, or has a
        non-real or non-finite coefficient.
    """
    func = "check_activation"
    if isinstance(x, sympy.Symbol):
        xs = x
    elif isinstance(x, str) and x.isidentifier():
        xs = sympy.Symbol(x)
    else:
        raise ValueError(f"x of {func} must be a symbol or a name; got {x!r}")
    if isinstance(g, str):
        try:
            expr = sympy.sympify(g, locals={xs.name: xs}, rational=True)
        except (sympy.SympifyError, SyntaxError, TypeError) as exc:
            raise ValueError(f"g of {func} must be a polynomial in {xs}; could not parse {g!r}: {exc}") from None
        if not isinstance(expr, sympy.Expr):
            raise ValueError(f"g of {func} must be a polynomial in {xs}; got {g!r}")
        others = {s: sympy.Symbol(s.name, positive=True) for s in expr.free_symbols if s != xs}
        expr = expr.xreplace(others)
    elif isinstance(g, sympy.Poly):
        expr = g.as_expr()
        if g.gens and xs not in g.gens and len(g.gens) == 1:
            expr = expr.xreplace({g.gens[0]: xs})
    elif isinstance(g, sympy.Basic):
        expr = g
        named = [s for s in expr.free_symbols if s.name == xs.name]
        if named and xs not in named:
            xs = named[0]
    else:
        coefficients = getattr(g, "coefficients", None)
        if coefficients is None:
            coefficients = g.coef if isinstance(g, np.polynomial.Polynomial) else g
        try:
            values = [_exact(c) for c in np.asarray(coefficients, dtype=object).ravel().tolist()]
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"g of {func} must be a string, a sympy expression or coefficients c_0, ..., c_q; "
                f"got {g!r} ({exc})"
            ) from None
        expr = sum((c * xs**k for k, c in enumerate(values)), sympy.Integer(0))
    expr = _exact(sympy.expand(expr))
    try:
        poly = sympy.Poly(expr, xs)
    except sympy.PolynomialError:
        raise ValueError(f"g of {func} must be a polynomial in {xs}; got {expr}") from None
    for c in poly.all_coeffs():
        if c.is_real is False or c.has(sympy.zoo, sympy.oo, sympy.nan, sympy.I):
            raise ValueError(f"g of {func} must have real finite coefficients; got {c} in {expr}")
    return expr, xs


# ---------------------------------------------------------------------- exact numeric analysis
class _Numeric:
    """Exact analysis of a g with rational coefficients."""

    def __init__(self, expr: sympy.Expr, x: sympy.Symbol) -> None:
        self.x = x
        self.g = sympy.Poly(expr, x, domain="QQ")
        self.c = list(reversed(self.g.all_coeffs())) if not self.g.is_zero else [sympy.Integer(0)]
        self.q = self.g.degree() if not self.g.is_zero else 0
        self.c0 = self.c[0]
        self.lead = self.c[-1]
        self.p = sympy.Poly(x * self.g.diff(x).as_expr() - self.g.as_expr(), x, domain="QQ")
        self.xpoly = sympy.Poly(x, x, domain="QQ")

    # --- polynomial facts
    def f(self, y: sympy.Expr) -> sympy.Poly:
        return self.g + self.xpoly * y

    def r(self, point: sympy.Expr) -> sympy.Expr:
        return self.g.as_expr().subs(self.x, point) / point

    @staticmethod
    def positive_roots(poly: sympy.Poly) -> int:
        """Distinct roots in (0, inf) (Sturm, via sympy's count_roots on [0, inf))."""
        if poly.is_zero:
            raise ValueError("zero polynomial")
        return poly.count_roots(0, None) - (1 if poly.eval(0) == 0 else 0)

    def p_negative(self) -> bool:
        """p < 0 on (0, inf): no root there and negative at a point."""
        if self.p.is_zero:
            return False
        if self.positive_roots(self.p):
            return False
        return self.p.eval(self._point_without_root(self.p)) < 0

    @staticmethod
    def _point_without_root(poly: sympy.Poly) -> sympy.Rational:
        for m in (sympy.Integer(1), sympy.Integer(2), sympy.Rational(1, 2), sympy.Integer(3)):
            if poly.eval(m) != 0:
                return m
        raise AssertionError("unreachable: a non-zero polynomial with roots at 1, 2, 1/2 and 3")

    def p_samples(self) -> tuple[list[sympy.Rational], list[sympy.Expr]]:
        """Rational points in (0, inf) between the positive roots of p, and those roots."""
        if self.p.is_zero:
            return [sympy.Integer(1)], []
        intervals = [iv for iv, _ in self.p.intervals(inf=0, eps=sympy.Rational(1, 2**20))]
        intervals = [(a, b) for a, b in intervals if b > 0 and not (a == b == 0)]
        samples: list[sympy.Rational] = []
        if intervals:
            a0 = intervals[0][0]
            if a0 > 0:
                samples.append(_simplest_between(sympy.Integer(0), a0))
            else:  # the first root may be tiny: halve until left of it
                m = intervals[0][1] / 2
                total = self.positive_roots(self.p)
                for _ in range(80):
                    if self.p.eval(m) != 0 and self.p.count_roots(m, None) == total:
                        break
                    m /= 2
                samples.append(m)
            samples.extend(_simplest_between(b, a) for (_, b), (a, _) in zip(intervals, intervals[1:]))
            samples.append(sympy.floor(intervals[-1][1]) + 1)
        else:
            samples.append(sympy.Integer(1))
        samples = [s for s in samples if s > 0 and self.p.eval(s) != 0]
        roots = [r for r in self.p.real_roots() if r.is_positive]
        return samples, list(dict.fromkeys(roots))

    # --- classification of one forcing value
    def reliability_failure(self, y: sympy.Expr) -> str | None:
        """Why the node fails Def. 4.7(1) at this y, or None."""
        F = self.f(y)
        if F.is_zero:
            return "f(y, x) = 0 for all x: every x >= 0 is a fixed point"
        n = self.positive_roots(F)
        if n == 0:
            return f"f(y, x) = {F.as_expr()} has no positive root: no positive fixed point"
        if n >= 2:
            return f"f(y, x) = {F.as_expr()} has {n} positive roots: {n} positive fixed points"
        G = sympy.gcd(F, F.diff(self.x))
        if G.degree() > 0 and self.positive_roots(G):
            return f"the positive fixed point is not simple (f and f_x vanish together for f = {F.as_expr()})"
        F0 = F.eval(0)
        if F0 < 0:
            return f"f(y, 0) = g(0) = {F0} < 0: the trajectory from x(0) = 0 leaves [0, inf)"
        if F0 == 0:
            return "x = 0 is a fixed point too: the start x(0) = 0 never reaches the positive fixed point"
        return None

    def feed_forward_failure(self, y: sympy.Expr) -> str | None:
        """Why no x̂ can work for constant forcing y(t) = y (Def. 4.5(2)), or None."""
        F = self.f(y)
        if F.is_zero:
            return "f(y, x) = 0: every x >= 0 is a fixed point, so different starts have different limits"
        n = F.count_roots(0, None)
        if n >= 2:
            return (
                f"f(y, x) = {F.as_expr()} has {n} fixed points in [0, inf); with y(t) = y the constant "
                "trajectories at two of them converge to different limits, so no single x̂ exists"
            )
        if n == 1:
            G = sympy.gcd(F, F.diff(self.x))
            if G.degree() > 0 and G.count_roots(0, None):
                root = next(r for r in F.real_roots() if r >= 0)
                sign_right = sympy.sign(F.eval(root + 1)) if root.is_rational else sympy.sign(F.LC())
                left_attracts = root > 0 and F.eval(0) > 0
                if sign_right < 0 or left_attracts:
                    side = "above" if sign_right < 0 else "below"
                    return (
                        f"the only fixed point x̂ = {_show(root)} in [0, inf) is not simple (f_x = 0 there): "
                        f"with y(t) = y trajectories from {side} converge to it only algebraically, not exponentially"
                    )
            return None
        if F.degree() <= 1 and F.eval(0) > 0:
            return (
                f"f(y, x) = {F.as_expr()} > 0 on [0, inf): with y(t) = y every solution exists for all "
                "t >= 0 and grows without bound"
            )
        return None

    def counterexample(self, failure) -> tuple[sympy.Expr, str] | None:
        """The first y (simple values first, then structural ones) at which ``failure`` reports."""
        for y in self._candidates():
            reason = failure(y)
            if reason is not None:
                return y, reason
        return None

    def _candidates(self):
        yield from _NICE_Y
        samples, roots = self.p_samples()
        for m in samples:
            if self.p.eval(m) > 0:
                yield -self.r(m)
        values = [sympy.N(self.r(rt), 30) for rt in roots]
        limits = []
        if self.c0 == 0:
            limits.append(sympy.N(self.c[1] if len(self.c) > 1 else 0, 30))  # r(0+) is finite
        if self.q <= 1:
            limits.append(sympy.N(self.c[1] if len(self.c) > 1 else 0, 30))  # r(inf) is finite
        finite = values + limits
        if finite:
            yield sympy.floor(-min(finite)) + 1
            yield sympy.ceiling(-max(finite)) - 1
        for m in samples:
            yield -self.r(m)


def _simplest_between(lo: sympy.Rational, hi: sympy.Rational | None) -> sympy.Rational:
    """The rational with the smallest denominator (then numerator) in the open interval (lo, hi), lo >= 0.

    ``hi = None`` means +inf. Continued-fraction recursion (the Stern-Brocot tree).
    """
    fl = sympy.floor(lo)
    if hi is None or fl + 1 < hi:
        return fl + 1
    a, b = lo - fl, hi - fl  # 0 <= a < b <= 1
    inner = _simplest_between(1 / b, None if a == 0 else 1 / a)
    return fl + 1 / inner


def _show(value: sympy.Expr) -> str:
    """An exact rational as it is, an algebraic number to 12 digits."""
    value = sympy.nsimplify(value) if value.is_rational is None and value.is_algebraic else value
    return str(value) if value.is_rational else f"{sympy.N(value, 12)} (algebraic)"


def _symbolic_sign(value: sympy.Expr) -> int | None:
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    return None


def _argument_reactions(coefficients: Sequence[sympy.Expr]) -> str:
    parts = []
    for k, c in enumerate(coefficients):
        s = _symbolic_sign(c)
        if s == 0:
            continue
        if k == 0:
            parts.append(f"H -> H + X with h = {c}" if s != -1 else f"the constant {c} (impossible)")
        elif s == 1:
            parts.append(f"{k if k > 1 else ''}X -> {k + 1}X at rate {c}")
        elif s == -1:
            target = f"{k - 1}X" if k > 2 else ("X" if k == 2 else "0")
            parts.append(f"{k if k > 1 else ''}X -> {target} at rate {-c}")
        else:
            parts.append(f"c x^{k} with c = {c} by kX -> (k+1)X or kX -> (k-1)X, as its sign is")
    return "; ".join(parts)


# ---------------------------------------------------------------------- the decisions
def _realisable(c: list[sympy.Expr]) -> Verdict:
    s = _symbolic_sign(c[0])
    reactions = _argument_reactions(c)
    if s is None:
        return Verdict(UNDECIDED, f"the sign of g(0) = {c[0]} is not decided by the assumptions on its symbols")
    if s >= 0:
        return Verdict(
            PROVED,
            f"g(0) = {c[0]} >= 0. Mass action realises g with x dynamic ({reactions}); every other term "
            "vanishes at x = 0, so [0, inf) is invariant",
        )
    return Verdict(
        REFUTED,
        f"g(0) = {c[0]} < 0, so f(y, 0) < 0 for every y: mass action cannot make x negative (eq. (2): a "
        "reaction consuming X has a rate proportional to x), so no network realises g",
        sympy.Integer(0),
    )


def _decay(c: list[sympy.Expr], q: int | None, x: sympy.Symbol) -> Verdict:
    if q is None:
        return Verdict(UNDECIDED, "whether the leading coefficient vanishes is not decided by the assumptions")
    lead = c[q]
    s = _symbolic_sign(lead)
    if q >= 2 and s == -1:
        return Verdict(
            PROVED,
            f"the leading term {lead * x**q} (q = {q} >= 2, coefficient < 0) dominates g(x) + y x, so for y "
            f"in any compact set, f(y, x) <= -({-lead}/2) x^{q} once x is large: {q}-polynomial decay (Def. 4.5(1))",
        )
    if q >= 2 and s == 1:
        return Verdict(
            REFUTED,
            f"the leading coefficient {lead} of x^{q} is positive: at y = 0, f(0, x) = g(x) -> +inf, so no c > 0 "
            "has f <= -c x^q for large x",
            sympy.Integer(0),
        )
    if q <= 1:
        c1 = c[1] if len(c) > 1 else sympy.Integer(0)
        y = sympy.simplify(1 - c1)
        return Verdict(
            REFUTED,
            f"g has degree {q} < 2: at y = 1 - g'(0) = {y}, f(y, x) = {c[0]} + x grows with x, so there is no "
            "q-polynomial decay with q > 1",
            y,
        )
    return Verdict(UNDECIDED, f"the sign of the leading coefficient {lead} is not decided by the assumptions")


def _reliable_argument(p: sympy.Expr, how: str) -> str:
    return (
        f"r(x) = g(x)/x has r'(x) = p(x)/x^2 with p(x) = x g'(x) - g(x) = {p}; {how}, so r falls strictly "
        "from +inf (g(0) > 0) to -inf (degree q >= 2, leading coefficient < 0). Hence r(x) = -y has exactly one "
        "root x̂(y) for every real y; it is simple, as f_x(y, x̂) = p(x̂)/x̂ < 0; f > 0 on [0, x̂) and f < 0 on "
        "(x̂, inf), so x̂ attracts every start x(0) >= 0; and phi = x̂ is C^1 by the implicit function theorem, "
        "with phi' = phi^2 / (g(phi) - phi g'(phi)) (Def. 4.7(1))"
    )


def _stable_argument(p: sympy.Expr, how: str) -> str:
    return (
        f"at a positive fixed point x̂ of f(y, .), y = -g(x̂)/x̂, so f_x(y, x̂) = g'(x̂) + y = p(x̂)/x̂ with "
        f"p(x) = x g'(x) - g(x) = {p}; {how}, so f_x < 0 at every positive fixed point for every y"
    )


def _feed_forward_argument(q: int) -> str:
    return (
        "as in the proof of Prop. 4.9: fix ŷ and let x+ = phi(ŷ). Since f(ŷ, x+) = 0, f(ŷ, x) = -(x - x+) s(x) "
        "with s(x) = x (r(x+) - r(x))/(x - x+) for x != x+, s(x+) = -f_x(ŷ, x+) and s(0) = g(0)/x+; s > 0 on "
        "[0, inf) because r is strictly decreasing (p < 0 on (0, inf)) and g(0) > 0 (the same Sturm decision). "
        "With V = (x - x+)^2/2, dV/dt = -2 s(x) V + (x - x+)(y(t) - ŷ) x. If y(t) ->exp ŷ, y(t) is bounded, so "
        f"{q}-polynomial decay keeps x(t) in a compact [0, B] (Prop. A.1), where s >= s_min > 0; then "
        "dV/dt <= -s_min V + B^2 |y(t) - ŷ|^2 / (2 s_min) and Grönwall's inequality (Lemma A.2) gives "
        "x(t) ->exp x+: exponentially feed-forward (Def. 4.5(2))"
    )


def _numeric_verdicts(expr: sympy.Expr, x: sympy.Symbol) -> tuple[int, list[Verdict]]:
    a = _Numeric(expr, x)
    c, q = a.c, a.q
    realisable = _realisable(c)
    decay = _decay(c, q, x)
    p_expr = a.p.as_expr()
    p_neg = a.p_negative()
    n_p = a.positive_roots(a.p) if not a.p.is_zero else None
    sturm = (
        f"Sturm's theorem: p has no root in (0, inf) and p({a._point_without_root(a.p)}) < 0"
        if p_neg
        else ("p = 0" if n_p is None else f"Sturm's theorem: p has {n_p} root(s) in (0, inf)")
    )
    criterion = c[0] > 0 and q >= 2 and a.lead < 0 and p_neg
    if criterion:
        reliable = Verdict(PROVED, _reliable_argument(p_expr, sturm))
    else:
        found = a.counterexample(a.reliability_failure)
        reliable = (
            Verdict(REFUTED, f"at y = {found[0]}: {found[1]}", found[0])
            if found
            else Verdict(UNDECIDED, f"the sufficient criterion fails ({sturm}) but no counterexample was found")
        )
    if p_neg:
        stable = Verdict(PROVED, _stable_argument(p_expr, sturm))
    else:
        stable = _stable_refutation(a, p_expr, sturm)
    if criterion:
        feed_forward = Verdict(PROVED, _feed_forward_argument(q))
    else:
        found = a.counterexample(a.feed_forward_failure)
        feed_forward = (
            Verdict(REFUTED, f"at ŷ = {found[0]}: {found[1]}", found[0])
            if found
            else Verdict(
                UNDECIDED,
                "the argument of Prop. 4.9 needs the reliability criterion, which fails, and no constant "
                "forcing with two limits or a non-simple attracting fixed point was found",
            )
        )
    return q, [realisable, decay, reliable, stable, feed_forward]


def _stable_refutation(a: _Numeric, p_expr: sympy.Expr, sturm: str) -> Verdict:
    samples, roots = a.p_samples()
    for m in samples:
        if a.p.eval(m) > 0:
            y = -a.r(m)
            return Verdict(
                REFUTED,
                f"p(x) = x g'(x) - g(x) = {p_expr}; {sturm}; p({m}) > 0, so at y = -g({m})/({m}) = {y} the positive "
                f"fixed point x = {m} has f_x = p({m})/({m}) > 0: it repels",
                y,
            )
    if a.p.is_zero:
        y = -(a.c[1] if len(a.c) > 1 else 0)
        return Verdict(REFUTED, f"p = 0: g = {a.g.as_expr()} is linear and f_x = 0 at y = {y}", sympy.Integer(y))
    for root in roots:
        y = -a.r(root)
        return Verdict(
            REFUTED,
            f"p(x) = x g'(x) - g(x) = {p_expr} vanishes at x = {_show(root)} > 0 without changing sign; at "
            f"y = -g(x)/x = {_show(y)} that fixed point has f_x = 0: not linearly stable",
            y,
        )
    return Verdict(UNDECIDED, f"{sturm}, but no point with p >= 0 was located")


def _symbolic_verdicts(expr: sympy.Expr, x: sympy.Symbol) -> tuple[int | None, list[Verdict]]:
    poly = sympy.Poly(expr, x)
    c = list(reversed(poly.all_coeffs()))
    q: int | None = poly.degree()
    if _symbolic_sign(c[-1]) is None:
        q = None
    realisable = _realisable(c)
    decay = _decay(c, q, x)
    p_coeffs = [sympy.expand((k - 1) * ck) for k, ck in enumerate(c)]
    p_expr = sum((pk * x**k for k, pk in enumerate(p_coeffs)), sympy.Integer(0))
    signs = [_symbolic_sign(pk) for pk in p_coeffs]
    p_neg = all(s is not None and s <= 0 for s in signs) and any(s == -1 for s in signs)
    how = "every coefficient of p is <= 0 under the assumptions on the symbols and one is < 0"
    undecided = (
        "p(x) = x g'(x) - g(x) = "
        f"{p_expr} has coefficients of undecided or mixed sign; Sturm sequences with symbolic coefficients are "
        "not decided here: substitute numbers for the symbols to decide exactly"
    )
    c0_pos = _symbolic_sign(c[0]) == 1
    lead_neg = q is not None and q >= 2 and _symbolic_sign(c[q]) == -1
    criterion = p_neg and c0_pos and lead_neg
    if criterion:
        reliable = Verdict(PROVED, _reliable_argument(p_expr, how))
        feed_forward = Verdict(PROVED, _feed_forward_argument(q))
    elif all(_symbolic_sign(ck) in (0, 1) for ck in c) and _symbolic_sign(c[0]) == 1:
        reliable = Verdict(
            REFUTED, f"every coefficient of g is >= 0 and g(0) > 0, so at y = 0, f(0, x) = g(x) > 0 on [0, inf): "
            "no positive fixed point", sympy.Integer(0),
        )
        feed_forward = Verdict(UNDECIDED, undecided)
    elif realisable.refuted:
        reliable = Verdict(
            REFUTED, f"g(0) = {c[0]} < 0: at y = 0 (as at every y) the trajectory from x(0) = 0 leaves [0, inf)",
            sympy.Integer(0),
        )
        feed_forward = Verdict(
            UNDECIDED, "g(0) < 0; substitute numbers for the symbols for an exact decision and a counterexample"
        )
    else:
        reliable = Verdict(UNDECIDED, undecided)
        feed_forward = Verdict(UNDECIDED, undecided)
    stable = Verdict(PROVED, _stable_argument(p_expr, how)) if p_neg else Verdict(UNDECIDED, undecided)
    return q, [realisable, decay, reliable, stable, feed_forward]


# ---------------------------------------------------------------------- Prop. A.1
def entry_bound(g: Any, y_bound: float = 10.0, *, x: str | sympy.Symbol = "x") -> EntryBound:
    """The uniform time to enter a compact set for |y(t)| <= y_bound (Prop. A.1), exactly bounded.

    Parameters
    ----------
    g : polynomial, as for :func:`check_activation`, with numeric coefficients, degree q >= 2
        and a negative leading coefficient.
    y_bound : float, default 10.0
        Y, a bound on |y(t)|.

    Returns
    -------
    EntryBound

    Raises
    ------
    ValueError
        If g has symbolic coefficients or does not decay.

    Notes
    -----
    c = |leading coefficient| / 2 and M is the largest real root of
    g(x) + Y x + c x^q, rounded up (an isolating interval's upper end), so
    f(y, x) <= g(x) + Y x <= -c x^q for x > M and |y| <= Y.
    """
    y_bound = check_positive_finite(y_bound, "y_bound", "entry_bound")
    expr, xs = parse_polynomial(g, x)
    poly = sympy.Poly(expr, xs)
    if poly.free_symbols - {xs}:
        raise ValueError(f"g of entry_bound must have numeric coefficients; got {expr}")
    poly = sympy.Poly(expr, xs, domain="QQ")
    q = poly.degree()
    lead = poly.LC()
    if q < 2 or lead >= 0:
        raise ValueError(f"g of entry_bound must have degree >= 2 and a negative leading coefficient; got {expr}")
    c = -lead / 2
    Y = sympy.Rational(y_bound)
    D = poly + sympy.Poly(Y * xs + c * xs**q, xs, domain="QQ")
    intervals = D.intervals(inf=0, eps=sympy.Rational(1, 10**9))
    M = max((b for (_, b), _ in intervals), default=sympy.Integer(0))
    threshold = math.nextafter(float(M), math.inf) if M > 0 else 0.0
    radius = max(threshold, 1.0)
    c_float = float(c)
    time = 1.0 / ((q - 1) * c_float * radius ** (q - 1))
    return EntryBound(y_bound=y_bound, q=q, c=c_float, threshold=threshold, radius=radius, time=time)


# ---------------------------------------------------------------------- entry point
def check_activation(g: Any, x: str | sympy.Symbol = "x", *, y_bound: float = 10.0) -> ActivationCheck:
    """Decide whether the node dx/dt = g(x) + y x meets the hypotheses of Theorem 4.8.

    Parameters
    ----------
    g : str, sympy expression, sequence of numbers or PolynomialNodeActivation
        The node polynomial (see :func:`parse_polynomial`): ``"1 - 2*x**3"``,
        ``h - x**2`` with ``h = sympy.Symbol("h", positive=True)``, or
        coefficients ``(1, 0, 0, -2)`` lowest degree first.
    x : str or sympy.Symbol, default "x"
        The node's concentration.
    y_bound : float, default 10.0
        Bound on |y| for the entry time of Prop. A.1 (``result.entry``).

    Returns
    -------
    ActivationCheck
        One :class:`Verdict` per property; ``print(result)`` gives the report.

    Raises
    ------
    ValueError
        If g is not a polynomial in x with real coefficients, or y_bound is
        not a positive finite number.

    Notes
    -----
    Numeric coefficients are decided exactly over the rationals: realisable
    iff g(0) >= 0; decay iff q >= 2 and the leading coefficient is < 0;
    stable iff p(x) = x g'(x) - g(x) < 0 on (0, inf) (Sturm); reliable and
    exponentially feed-forward iff moreover g(0) > 0 and the decay holds
    (then r = g/x is a decreasing bijection (0, inf) -> R). A refutation
    comes with a counterexample y verified exactly (root counts of
    g(x) + y x); simple values of y are tried first. Symbolic coefficients
    (symbols declared positive, as strings get automatically) are decided by
    sign patterns: e.g. all coefficients of p non-positive proves p < 0;
    otherwise the verdict is "undecided" with the reason.

    Examples
    --------
    >>> result = check_activation("1 - 2*x**3")      # eq. (20) with h = 1
    >>> result.passes, result.q
    (True, 3)
    >>> check_activation("-x**2").reliable.counterexample   # h = 0: no positive fixed point at y = 0
    0
    """
    y_bound = check_positive_finite(y_bound, "y_bound", "check_activation")
    expr, xs = parse_polynomial(g, x)
    numeric = not (sympy.Poly(expr, xs).free_symbols - {xs})
    if numeric:
        q, verdicts = _numeric_verdicts(expr, xs)
    else:
        q, verdicts = _symbolic_verdicts(expr, xs)
    entry = None
    if numeric and verdicts[1].proved:
        entry = entry_bound(expr, y_bound, x=xs)
    return ActivationCheck(expr, xs, q, *verdicts, entry=entry)


def node_activation(g: Any, x: str | sympy.Symbol = "x") -> PolynomialNodeActivation:
    """The :class:`~rxnn.nn.PolynomialNodeActivation` of g, after :func:`check_activation` passes.

    Parameters
    ----------
    g : str, sympy expression or sequence of numbers
        With numeric coefficients, e.g. ``"1 + x**2 - x**3"``.

    Returns
    -------
    PolynomialNodeActivation

    Raises
    ------
    ValueError
        If some property is refuted or undecided; the message carries the report.

    Examples
    --------
    >>> phi = node_activation("1 - 2*x**3")
    >>> round(float(phi(1.0)), 12)
    1.0
    """
    result = check_activation(g, x)
    if not result.passes:
        raise ValueError(f"g of node_activation must pass check_activation; got\n{result}")
    return result.activation()
