"""The exact decision of :func:`~rxnn.theory.check_activation` for g over Q or a real algebraic field.

With r(x) = g(x)/x and p(x) = x g'(x) - g(x) = x^2 r'(x), the positive fixed
points at forcing y are the roots of f(y, x) = g(x) + y x = x (r(x) + y),
and every property reduces to sign questions about univariate polynomials
with coefficients in Q(theta), which :class:`~rxnn.theory._exact_real.RealPolynomial`
answers exactly (Sturm sequences in the field, arb-certified signs).

A positive root x0 of p refutes two properties at once, at y0 = -r(x0):
f(y0, x0) = 0 and f_x(y0, x0) = p(x0)/x0 = 0. Reliability (Def. 4.7(1))
fails because a C^1 fixed-point map X with X(y0) = x0 would satisfy
r(X(y)) = -y, so r'(x0) X'(y0) = -1, impossible as r'(x0) = 0. Exponential
feed-forwardness (Def. 4.5(2)) fails because |f(y0, x)| <= K (x - x0)^2 near
x0, so u = |x(t) - x0| > 0 obeys u' >= -K u^2 and decays no faster than
1/t. This holds for every positive multiple of g alike (the roots of p do
not move), so the verdicts do not depend on the scale of g.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sympy

from rxnn.theory._activation_common import (
    PROVED,
    REFUTED,
    UNDECIDED,
    Verdict,
    decay_verdict,
    feed_forward_argument,
    realisable_verdict,
    reliable_argument,
    show,
    stable_argument,
)
from rxnn.theory._exact_real import FieldSigns, RealPolynomial, exact_sign
from rxnn.theory.expressions import Deadline

__all__ = ["ExactNode", "exact_verdicts"]

#: Small forcing values tried first as counterexamples, so that reports show simple ones.
_NICE_Y = tuple(sympy.Integer(v) for v in (0, -1, 1, -2, 2, -3, 3, -5, 5, -10, 10, -100, 100))


class ExactNode:
    """Exact facts about the node dx/dt = g(x) + y x for g with coefficients in Q or Q(theta)."""

    def __init__(self, expr: sympy.Expr, x: sympy.Symbol, deadline: Deadline) -> None:
        self.x, self.expr, self.deadline = x, expr, deadline
        poly = sympy.Poly(expr, x, extension=True)
        self.g = poly.to_field() if poly.domain.is_ZZ else poly
        self.domain = self.g.domain
        self.signs = FieldSigns(self.domain)
        self.c = list(reversed(self.g.all_coeffs())) if not self.g.is_zero else [sympy.Integer(0)]
        self.q = self.g.degree() if not self.g.is_zero else 0
        self.c0, self.lead = self.c[0], self.c[-1]
        # Polynomial arithmetic stays in the field's own elements: converting sympy expressions into
        # Q(theta) costs ~1 s each for a few radicals.
        one, zero = self.domain.one, self.domain.zero
        self.x_poly = sympy.Poly.from_list([one, zero], x, domain=self.domain)
        self.p = self.x_poly * self.g.diff(x) - self.g
        self.p_real = None if self.p.is_zero else RealPolynomial(self.p, deadline)
        self._p_roots: list[tuple[sympy.Expr, sympy.Rational, sympy.Rational]] | None = None
        self._discriminant_samples: list[sympy.Rational] | None = None

    def f(self, y) -> sympy.Poly:
        """f(y, .) = g + y x for a field element y."""
        return self.g + sympy.Poly.from_list([y, self.domain.zero], self.x, domain=self.domain)

    def r(self, point: sympy.Rational):
        """r(m) = g(m)/m as a field element, for a rational m > 0."""
        return self.domain.quo(self.signs.eval(self.g.rep.to_list(), point), self.signs.convert(point))

    def r_expr(self, point: sympy.Expr) -> sympy.Expr:
        """r at any exact point (a CRootOf too), as a sympy expression."""
        return sympy.expand(self.expr.subs(self.x, point) / point)

    def to_sympy(self, element) -> sympy.Expr:
        return self.domain.to_sympy(element)

    def sign(self, element) -> int:
        return self.signs.sign(element)

    def coefficient(self, F: sympy.Poly, k: int):
        """The coefficient of x^k in F, a field element."""
        coefficients = F.rep.to_list()
        return coefficients[-1 - k] if k < len(coefficients) else self.domain.zero

    # --- facts about p
    def p_negative(self) -> bool:
        """p < 0 on (0, inf): no positive root (Sturm) and negative at a sample point."""
        if self.p_real is None or self.p_real.n_positive_roots():
            return False
        return self.p_real.sign_at(self.p_real.samples()[0]) < 0

    def p_sturm_text(self) -> str:
        if self.p_real is None:
            return "p = 0"
        n = self.p_real.n_positive_roots()
        if n == 0 and self.p_negative():
            return f"Sturm's theorem: p has no root in (0, inf) and p({self.p_real.samples()[0]}) < 0"
        return f"Sturm's theorem: p has {n} root(s) in (0, inf)"

    def p_samples(self) -> list[sympy.Rational]:
        return [sympy.Integer(1)] if self.p_real is None else self.p_real.samples()

    def p_roots(self) -> list[tuple[sympy.Expr, sympy.Rational, sympy.Rational]]:
        """Each positive root of p exactly, with rational samples just left and right of it (no root between)."""
        if self._p_roots is None:
            self._p_roots = []
            if self.p_real is not None:
                samples = self.p_real.samples()
                for k, interval in enumerate(self.p_real.isolate()):
                    self._p_roots.append((self.p_real.exact_root(interval), samples[k], samples[k + 1]))
        return self._p_roots

    # --- one forcing value
    def fixed_points(self, F: sympy.Poly) -> RealPolynomial:
        return RealPolynomial(F, self.deadline)

    def reliability_failure(self, y: sympy.Expr) -> str | None:
        """Why the node fails Def. 4.7(1) at this y, or None."""
        F = self.f(y)
        if F.is_zero:
            return "f(y, x) = 0 for all x: every x >= 0 is a fixed point"
        n = self.fixed_points(F).n_positive_roots()
        if n == 0:
            return f"f(y, x) = {F.as_expr()} has no positive root: no positive fixed point"
        if n >= 2:
            return f"f(y, x) = {F.as_expr()} has {n} positive roots: {n} positive fixed points"
        common = sympy.gcd(F, F.diff(self.x))
        if common.degree() > 0 and self.fixed_points(common).n_positive_roots():
            return f"the positive fixed point is not simple (f and f_x vanish together for f = {F.as_expr()})"
        F0 = self.sign(self.coefficient(F, 0))
        if F0 < 0:
            return f"f(y, 0) = g(0) = {self.c0} < 0: the trajectory from x(0) = 0 leaves [0, inf)"
        if F0 == 0:
            return "x = 0 is a fixed point too: the start x(0) = 0 never reaches the positive fixed point"
        return None

    def feed_forward_failure(self, y: sympy.Expr, *, on_the_line: bool = False) -> str | None:
        """Why no x̂ can work for constant forcing y(t) = y (Def. 4.5(2)), or None.

        ``on_the_line``: also count fixed points in (-inf, 0), which matter when g(0) < 0.
        """
        F = self.f(y)
        if F.is_zero:
            return "f(y, x) = 0: every x >= 0 is a fixed point, so different starts have different limits"
        real = self.fixed_points(F)
        at_zero = self.sign(self.coefficient(F, 0)) == 0
        n = real.n_positive_roots() + at_zero
        if n >= 2:
            return (
                f"f(y, x) = {F.as_expr()} has {n} fixed points in [0, inf); with y(t) = y the constant "
                "trajectories at two of them converge to different limits, so no single x̂ exists"
            )
        if on_the_line and exact_sign(self.c0) < 0 and real.n_real_roots() >= 2:  # [0, inf) is not invariant: the node lives on R
            return (
                f"g(0) < 0, so the state leaves [0, inf) and the node is a system on R; f(y, x) = {F.as_expr()} "
                "has two real fixed points, and with y(t) = y the constant trajectories at them converge to "
                "different limits, so no single x̂ exists"
            )
        if n == 1 and at_zero and self.sign(self.coefficient(F, 1)) == 0 and real.sign_at(real.samples()[0]) < 0:
            return (
                f"x = 0 is the only fixed point of f(y, x) = {F.as_expr()} in [0, inf), with f_x = 0 there and "
                "f < 0 just right of it: with y(t) = y trajectories from above converge to 0 only algebraically "
                "(like 1/t), not exponentially"
            )
        if n == 0 and F.degree() <= 1 and self.sign(self.coefficient(F, 0)) > 0:
            return (
                f"f(y, x) = {F.as_expr()} > 0 on [0, inf): with y(t) = y every solution exists for all "
                "t >= 0 and grows without bound"
            )
        if F.degree() == 0:
            return f"f(y, x) = {F.as_expr()} is a non-zero constant: with y(t) = y every x(t) drifts linearly, no limit"
        if F.degree() == 1 and self.sign(self.coefficient(F, 1)) > 0:
            return (
                f"f(y, x) = {F.as_expr()} is linear with a positive slope a: with y(t) = y, x(t) - x̂ = "
                "(x(0) - x̂) e^(a t) about the fixed point x̂, so every other start (e.g. x(0) = x̂ + 1) exists "
                "for all t and diverges"
            )
        return None

    def counterexample(self, failure: Callable[[object], str | None]) -> tuple[sympy.Expr, str] | None:
        """The first y (simple values first, then structural ones) at which ``failure`` reports."""
        tried = set()
        for y in self._candidates():
            self.deadline.check()
            if y in tried:
                continue
            tried.add(y)
            reason = failure(y)
            if reason is not None:
                return self.to_sympy(y), reason
        return None

    def discriminant_samples(self) -> list[sympy.Rational]:
        """A rational y in every interval between the real roots of D(y) = disc_x(g(x) + y x), and beyond.

        The real roots of g + y x move continuously with y and can only meet,
        appear or vanish where D(y) = 0, and none crosses 0 (g(0) is fixed), so
        the number of fixed points in (-inf, 0), at 0 and in (0, inf), and
        whether one is multiple, are constant between consecutive roots of D:
        these samples meet every configuration that a y off those roots has.
        """
        if self._discriminant_samples is not None:
            return self._discriminant_samples
        self._discriminant_samples = []
        if self.q < 2:
            return []
        t = sympy.Dummy("y")
        D = sympy.Poly(sympy.discriminant(self.expr + t * self.x, self.x), t, domain=self.domain)
        if D.is_zero or D.degree() <= 0:
            self._discriminant_samples = [sympy.Integer(0)]
            return self._discriminant_samples
        above = RealPolynomial(D, self.deadline)
        below = RealPolynomial(sympy.Poly(D.as_expr().subs(t, -t), t, domain=self.domain), self.deadline)
        points = [sympy.Integer(0)] + above.samples() + [-m for m in below.samples()]
        self._discriminant_samples = sorted(set(points), key=abs)
        return self._discriminant_samples

    def _candidates(self) -> Iterator[object]:
        yield from (self.signs.convert(y) for y in _NICE_Y)
        yield from (self.signs.convert(y) for y in self.discriminant_samples())
        samples = self.p_samples()
        for m in samples:
            if self.p_real is not None and self.p_real.sign_at(m) > 0:
                yield -self.r(m)
        finite = [sympy.N(self.r_expr(root), 30) for root, _, _ in self.p_roots()]
        if exact_sign(self.c0) == 0 or self.q <= 1:
            finite.append(sympy.N(self.c[1] if len(self.c) > 1 else 0, 30))  # r(0+) or r(inf) is finite
        if finite:
            yield self.signs.convert(sympy.Rational(sympy.floor(-min(finite)) + 1))
            yield self.signs.convert(sympy.Rational(sympy.ceiling(-max(finite)) - 1))
        for m in samples:
            yield -self.r(m)

    # --- refutations at a root of p
    def root_refutation(self, property_name: str) -> tuple[sympy.Expr, str] | None:
        """The refutation at y0 = -r(x0) for the first usable positive root x0 of p (module docstring)."""
        for root, left, right in self.p_roots():
            self.deadline.check()
            y0 = -self.r_expr(root)
            head = (
                f"at y = -g(x0)/x0 = {show(y0)} with x0 = {show(root)} a root of p(x) = x g'(x) - g(x) = "
                f"{self.p.as_expr()}: f(y, x0) = 0 and f_x(y, x0) = p(x0)/x0 = 0"
            )
            if property_name == "reliable":
                return y0, (
                    f"{head}. x0 is a fixed point, so a reliable X has X(y) = x0 there, and X(y') is a positive "
                    "fixed point for y' near y, so r(X(y')) = -y'; differentiating, r'(x0) X'(y) = -1, "
                    "impossible as r'(x0) = p(x0)/x0^2 = 0: no C^1 X (Def. 4.7(1))"
                )
            trap = None
            if exact_sign(self.c0) >= 0:
                trap = "x(0) = x0/2 stays in [0, x0] (g(0) >= 0)"
            elif self.p_real.sign_at(right) < 0:
                trap = f"x(0) = {right} stays in (x0, {right}] (r falls there, so f < 0)"
            elif self.p_real.sign_at(left) < 0:
                trap = f"x(0) = {left} stays in [{left}, x0) (r falls there, so f > 0)"
            if trap is not None:
                return y0, (
                    f"{head}, so |f(y, x)| <= K (x - x0)^2 near x0. With y(t) = y, the start x(0) = x0 stays at "
                    f"x0, so x̂ would be x0; the start {trap} and never reaches x0, and u = |x(t) - x0| obeys "
                    "u' >= -K u^2 near x0, so u(t) >= u(t1)/(1 + K u(t1)(t - t1)): not exponential (Def. 4.5(2))"
                )
        return None


def exact_verdicts(expr: sympy.Expr, x: sympy.Symbol, deadline: Deadline) -> tuple[int, list[Verdict]]:
    """The five verdicts for g over Q or a real algebraic field (see :func:`~rxnn.theory.check_activation`)."""
    a = ExactNode(expr, x, deadline)
    c, q = a.c, a.q
    realisable = realisable_verdict(c)
    decay = decay_verdict(c, q, x)
    p_expr = a.p.as_expr()
    p_neg = a.p_negative()
    sturm = a.p_sturm_text()
    criterion = exact_sign(c[0]) > 0 and q >= 2 and exact_sign(a.lead) < 0 and p_neg
    if criterion:
        reliable = Verdict(PROVED, reliable_argument(p_expr, sturm))
        feed_forward = Verdict(PROVED, feed_forward_argument(q))
    else:
        reliable = _refutation(a, a.reliability_failure, "reliable", sturm)
        feed_forward = _refutation(a, a.feed_forward_failure, "feed_forward", sturm)
    stable = Verdict(PROVED, stable_argument(p_expr, sturm)) if p_neg else _stable_refutation(a, p_expr, sturm)
    return q, [realisable, decay, reliable, stable, feed_forward]


def _refutation(a: ExactNode, failure, name: str, sturm: str) -> Verdict:
    found = a.counterexample(failure)
    if found is None and name == "feed_forward" and exact_sign(a.c0) < 0:
        found = a.counterexample(lambda y: a.feed_forward_failure(y, on_the_line=True))
    found = found or a.root_refutation(name)
    if found is not None:
        label = "y" if name == "reliable" else "ŷ"
        text = found[1] if found[1].startswith("at y") else f"at {label} = {show(found[0])}: {found[1]}"
        return Verdict(REFUTED, text, found[0])
    if name == "reliable":
        return Verdict(UNDECIDED, f"the sufficient criterion fails ({sturm}) but no counterexample was found")
    return Verdict(
        UNDECIDED,
        "the argument of Prop. 4.9 needs the reliability criterion, which fails, and no constant "
        "forcing with two limits or a non-simple attracting fixed point was found",
    )


def _stable_refutation(a: ExactNode, p_expr: sympy.Expr, sturm: str) -> Verdict:
    if a.p_real is None:
        y = -(a.c[1] if len(a.c) > 1 else sympy.Integer(0))
        return Verdict(REFUTED, f"p = 0: g = {a.expr} is linear and f_x = 0 at y = {y}", y)
    for m in a.p_samples():
        if a.p_real.sign_at(m) > 0:
            y = -a.to_sympy(a.r(m))
            return Verdict(
                REFUTED,
                f"p(x) = x g'(x) - g(x) = {p_expr}; {sturm}; p({m}) > 0, so at y = -g({m})/({m}) = {show(y)} the "
                f"positive fixed point x = {m} has f_x = p({m})/({m}) > 0: it repels",
                y,
            )
    for root, _, _ in a.p_roots():
        y = -a.r_expr(root)
        return Verdict(
            REFUTED,
            f"p(x) = x g'(x) - g(x) = {p_expr} vanishes at x = {show(root)} > 0 without changing sign; at "
            f"y = -g(x)/x = {show(y)} that fixed point has f_x = 0: not linearly stable",
            y,
        )
    return Verdict(UNDECIDED, f"{sturm}, but no point with p >= 0 was located")
