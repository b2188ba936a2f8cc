"""Exact signs and exact real-root isolation for polynomials over Q and real algebraic fields.

:func:`exact_sign` decides the sign of a real constant built from
rationals, radicals, ``pi`` and ``E``: it evaluates the constant in
python-flint's ``arb`` ball arithmetic at rising precision until the ball
excludes 0 (rigorous: a ball always contains the true value). A non-zero
constant is separated from 0 at some precision; an algebraic constant that
stays in a ball around 0 is tested for being exactly 0 with its minimal
polynomial; a transcendental one is left undecided (None).

:class:`RealPolynomial` counts and isolates the positive roots of a
polynomial whose coefficients lie in Q or in a real algebraic number field
Q(theta) (sympy's ``QQ<theta>``): Sturm sequences computed exactly in the
field, with the sign of each field element from :func:`exact_sign`, and
bisection at rational points that are not roots until every interval holds
one root. Roots 1 and 1 + 1e-12 get disjoint intervals and a rational sample
point between them.
"""

from __future__ import annotations

import flint
import sympy

from rxnn.theory.expressions import Deadline

__all__ = ["exact_sign", "FieldSigns", "RealPolynomial", "simplest_between", "rational_below"]

_PRECISIONS = (64, 256, 1024, 4096, 16384)


class _NotNumeric(Exception):
    """The expression holds something arb cannot evaluate (a symbol, a function)."""


def _arb(expr: sympy.Expr) -> flint.arb:
    """A ball that contains the real constant ``expr`` (at the current ``flint.ctx.prec``)."""
    if expr.is_Rational:
        return flint.arb(flint.fmpq(int(expr.p), int(expr.q)))
    if expr is sympy.pi:
        return flint.arb.pi()
    if expr is sympy.E:
        return flint.arb(1).exp()
    if expr.is_Add:
        total = flint.arb(0)
        for term in expr.args:
            total += _arb(term)
        return total
    if expr.is_Mul:
        product = flint.arb(1)
        for factor in expr.args:
            product *= _arb(factor)
        return product
    if expr.is_Pow:
        base, exponent = expr.args
        if exponent.is_Integer:
            return _arb(base) ** int(exponent)
        if exponent.is_Rational:
            value = _arb(base)
            if not value > 0:  # only real roots of positive numbers are constants of this class
                raise _NotNumeric(expr)
            return value ** flint.arb(flint.fmpq(int(exponent.p), int(exponent.q)))
    if isinstance(expr, sympy.exp):
        return _arb(expr.args[0]).exp()
    raise _NotNumeric(expr)


def exact_sign(value: sympy.Expr) -> int | None:
    """The sign (-1, 0, 1) of a real constant, proved; None when it cannot be decided.

    Parameters
    ----------
    value : sympy.Expr
        Built from rationals, powers with rational exponents of positive
        numbers, ``pi`` and ``E``. Symbols make the sign undecided (None).

    Notes
    -----
    arb balls at 64 ... 16384 bits; a ball that excludes 0 proves the sign.
    If every ball contains 0, an algebraic value is 0 exactly iff its
    minimal polynomial is the variable itself; a transcendental one is None.

    Examples
    --------
    >>> exact_sign(sympy.sqrt(2) - sympy.Rational(141421356237, 10**11))
    1
    >>> exact_sign(sympy.E - 3), exact_sign(sympy.sqrt(8) - 2 * sympy.sqrt(2))
    (-1, 0)
    """
    value = sympy.sympify(value)  # a sympy object already: no text is parsed here
    if value.is_Rational:
        return 1 if value > 0 else (-1 if value < 0 else 0)
    if value.free_symbols:
        return None
    saved = flint.ctx.prec
    try:
        for prec in _PRECISIONS:
            flint.ctx.prec = prec
            try:
                ball = _arb(value)
            except _NotNumeric:
                return None
            if ball > 0:
                return 1
            if ball < 0:
                return -1
    finally:
        flint.ctx.prec = saved
    if value.is_algebraic:
        t = sympy.Dummy("t")
        return 0 if sympy.minimal_polynomial(value, t) == t else None
    return None


def rational_below(value: sympy.Expr) -> sympy.Rational:
    """A rational r <= value, proved with :func:`exact_sign` (value a constant of that class).

    Examples
    --------
    >>> r = rational_below(sympy.sqrt(2) / 2)
    >>> r <= sympy.sqrt(2) / 2, abs(float(r) - 2**-0.5) < 1e-6
    (True, True)
    """
    value = sympy.sympify(value)
    if value.is_Rational:
        return value
    guess = sympy.Rational(float(sympy.N(value, 30)))
    step = max(abs(guess), sympy.Integer(1)) / 2**30
    while exact_sign(value - guess) != 1:
        guess -= step
        step *= 2
    return guess


def simplest_between(lo: sympy.Rational, hi: sympy.Rational | None) -> sympy.Rational:
    """The rational with the smallest denominator (then numerator) in the open interval (lo, hi), lo >= 0.

    ``hi = None`` means +inf. Continued-fraction recursion (the Stern-Brocot tree).

    Examples
    --------
    >>> simplest_between(sympy.Integer(1), sympy.Rational(3, 2))
    4/3
    """
    fl = sympy.floor(lo)
    if hi is None or fl + 1 < hi:
        return fl + 1
    a, b = lo - fl, hi - fl  # 0 <= a < b <= 1
    inner = simplest_between(1 / b, None if a == 0 else 1 / a)
    return fl + 1 / inner


class FieldSigns:
    """Exact signs of elements of Q or of a real algebraic field Q(theta) (sympy domain elements).

    An element of Q(theta) is a polynomial in theta with rational
    coefficients; it is evaluated by Horner's rule on an arb ball for theta
    at rising precision until the ball excludes 0, which always happens for
    a non-zero element (zero is tested exactly first).
    """

    def __init__(self, domain) -> None:
        self.domain = domain
        self.rational = domain.is_QQ or domain.is_ZZ
        self._theta: dict[int, flint.arb] = {}
        self._root = None if self.rational else domain.ext.as_expr()

    def convert(self, value: sympy.Rational):
        """A rational as an element of the field."""
        from sympy import QQ

        q = QQ(int(value.p), int(value.q))
        return q if self.rational else self.domain.convert_from(q, QQ)

    def sign(self, element) -> int:
        if self.rational:
            return 1 if element > 0 else (-1 if element < 0 else 0)
        if not element:
            return 0
        coefficients = [flint.fmpq(int(c.numerator), int(c.denominator)) for c in element.to_list()]
        saved = flint.ctx.prec
        try:
            for prec in _PRECISIONS + (65536,):
                flint.ctx.prec = prec
                if prec not in self._theta:
                    self._theta[prec] = _arb(self._root)
                theta, value = self._theta[prec], flint.arb(0)
                for c in coefficients:
                    value = value * theta + c
                if value > 0:
                    return 1
                if value < 0:
                    return -1
        finally:
            flint.ctx.prec = saved
        raise ArithmeticError(f"the sign of a non-zero algebraic number was not separated from 0: {element}")

    def eval(self, coefficients: list, point: sympy.Rational):
        """The value at a rational point of the polynomial with these coefficients (highest degree first)."""
        pt, value = self.convert(point), self.domain.zero
        for c in coefficients:
            value = value * pt + c
        return value


class RealPolynomial:
    """The positive real roots of a non-zero polynomial over Q or a real algebraic field, exactly.

    Parameters
    ----------
    poly : sympy.Poly
        Univariate, over ``QQ``/``ZZ`` or an algebraic field ``QQ<theta>`` with theta real.
    deadline : Deadline, optional
        Checked between bisection steps.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> close = RealPolynomial(sympy.Poly((x - 1) * (x - 1 - sympy.Rational(1, 10**12)), x))
    >>> close.n_positive_roots(), len(close.samples())     # two roots, three gaps
    (2, 3)
    """

    def __init__(self, poly: sympy.Poly, deadline: Deadline | None = None) -> None:
        if poly.is_zero:
            raise ValueError("RealPolynomial needs a non-zero polynomial")
        x = poly.gen
        if poly.domain.is_ZZ:
            poly = poly.to_field()
        # Positive roots are those of poly / x^k, which has no root at 0: every point the Sturm
        # counts are evaluated at is then a non-root, where V(a) - V(b) counts roots in (a, b).
        k = min(m[0] for m in poly.monoms())
        self.zero_multiplicity = k
        self.poly = sympy.Poly(sympy.quo(poly, sympy.Poly(x**k, x, domain=poly.domain)), x, domain=poly.domain) if k else poly
        self.signs = FieldSigns(self.poly.domain)
        self._coefficients = self.poly.rep.to_list()
        self.deadline = deadline
        self._sturm: list[sympy.Poly] | None = None
        self._variations: dict[sympy.Rational, int] = {}
        self._isolated: list[tuple[sympy.Rational, sympy.Rational]] | None = None

    # --- signs
    def sign_at(self, point: sympy.Rational) -> int:
        """The exact sign of the polynomial at a rational point (of poly / x^k; equal for point > 0)."""
        return self.signs.sign(self.signs.eval(self._coefficients, point))

    def _sequence(self) -> list[list]:
        if self._sturm is None:
            self._sturm = [s.rep.to_list() for s in sympy.sturm(self.poly) if not s.is_zero]
        return self._sturm

    def _variation(self, point: sympy.Rational | None) -> int:
        """Sign changes of the Sturm sequence at ``point`` (None: +inf)."""
        if point in self._variations:
            return self._variations[point]
        if self.deadline is not None:
            self.deadline.check()
        if point is None:
            signs = [self.signs.sign(s[0]) for s in self._sequence()]
        else:
            signs = [self.signs.sign(self.signs.eval(s, point)) for s in self._sequence()]
        signs = [s for s in signs if s != 0]
        value = sum(1 for a, b in zip(signs, signs[1:]) if a != b)
        self._variations[point] = value
        return value

    def count(self, lo: sympy.Rational, hi: sympy.Rational | None) -> int:
        """Distinct roots in (lo, hi) for non-roots lo < hi (hi None: +inf); lo = 0 allowed."""
        return self._variation(lo) - self._variation(hi)

    def n_real_roots(self) -> int:
        """Distinct real roots (0 included), by Sturm's theorem between -inf and +inf."""
        if "-inf" not in self._variations:
            signs = [self.signs.sign(s[0]) * (-1) ** (len(s) - 1) for s in self._sequence()]
            self._variations["-inf"] = sum(1 for a, b in zip(signs, signs[1:]) if a != b)
        return self._variations["-inf"] - self._variation(None) + (1 if self.zero_multiplicity else 0)

    def n_positive_roots(self) -> int:
        """Distinct roots in (0, inf), by Sturm's theorem."""
        return self.count(sympy.Integer(0), None)

    # --- isolation
    def _non_root_between(self, a: sympy.Rational, b: sympy.Rational) -> sympy.Rational:
        for j in range(2, 10**6):
            m = a + (b - a) / j if j > 2 else (a + b) / 2
            if self.sign_at(m) != 0:
                return m
        raise AssertionError("unreachable: a polynomial with a million roots in an interval")

    def _upper_bound(self) -> sympy.Rational:
        """A non-root B > every positive root."""
        bound = sympy.Integer(1)
        while self.sign_at(bound) == 0 or self.count(bound, None) > 0:
            bound *= 2
        return bound

    def isolate(self) -> list[tuple[sympy.Rational, sympy.Rational]]:
        """Disjoint open intervals (a, b), sorted, non-root rational ends, one positive root in each."""
        if self._isolated is not None:
            return self._isolated
        zero = sympy.Integer(0)
        total = self.n_positive_roots()
        out: list[tuple[sympy.Rational, sympy.Rational]] = []
        if total:
            stack = [(zero, self._upper_bound(), total)]
            while stack:
                a, b, k = stack.pop()
                if k == 1:
                    out.append((a, b))
                elif k > 1:
                    m = self._non_root_between(a, b)
                    left = self.count(a, m)
                    stack.append((m, b, k - left))
                    stack.append((a, m, left))
        out.sort()
        if out and out[0][0] == 0:  # move the first left end off 0, so that (0, a_0] holds a sample
            a, b = out[0]
            while True:
                m = self._non_root_between(a, b)
                if self.count(a, m) == 0:
                    out[0] = (m, b)
                    break
                b = m
        self._isolated = out
        return out

    def samples(self) -> list[sympy.Rational]:
        """Rational points in (0, inf), one in each gap between consecutive positive roots (and outside them)."""
        intervals = self.isolate()
        if not intervals:
            return [sympy.Integer(1) if self.sign_at(sympy.Integer(1)) != 0 else sympy.Integer(2)]
        points = [simplest_between(sympy.Integer(0), intervals[0][0])]
        for (_, b), (a, _) in zip(intervals, intervals[1:]):
            points.append(b if b == a else simplest_between(b, a))
        points.append(sympy.floor(intervals[-1][1]) + 1)
        return points

    def refine(self, interval: tuple[sympy.Rational, sympy.Rational], width: sympy.Rational) -> tuple[sympy.Rational, sympy.Rational]:
        """The isolating ``interval`` narrowed by bisection to width <= ``width``."""
        a, b = interval
        while b - a > width:
            m = self._non_root_between(a, b)
            a, b = (a, m) if self.count(a, m) == 1 else (m, b)
        return a, b

    def exact_root(self, interval: tuple[sympy.Rational, sympy.Rational]) -> sympy.Expr:
        """The root in an isolating interval as an exact sympy number (a Rational or a CRootOf)."""
        rational = self.poly if self.poly.domain.is_QQ else self.poly.norm()  # Q-polynomial with that root
        square_free = sympy.Poly(rational.sqf_part(), rational.gen, domain="QQ")
        a, b = interval
        while square_free.eval(a) == 0 or square_free.eval(b) == 0 or square_free.count_roots(a, b) != 1:
            if self.deadline is not None:
                self.deadline.check()
            a, b = self.refine((a, b), (b - a) / 2)
        for factor, _ in square_free.factor_list()[1]:
            if factor.count_roots(a, b) == 1:
                index = factor.count_roots(None, a)
                return sympy.CRootOf(factor.as_expr(), index)
        raise AssertionError("unreachable: the square-free part has a root in the interval")
