"""Decide the hypotheses of Thm. 4.8 for a node dx/dt = g(x) + y x (§4, Appendix A).

The edge and bias reactions of Table 1 contribute y x to a node (y = rho of eq. (14), of any sign) and the
node's own reactions a polynomial g(x), so a node obeys f(y, x) = g(x) + y x. :func:`check_activation`
decides, for a polynomial g, each property the theorem asks of an activation system:

``realisable``
    Mass action realises g with x dynamic: g(0) >= 0.
``decay``
    q-polynomial decay, q > 1 (Def. 4.5(1)).
``reliable``
    One simple positive fixed point for every y, attracting every start x(0) >= 0, hence a C^1
    activation phi (Def. 4.7(1)).
``stable``
    f_x < 0 at every positive fixed point, for every y.
``feed_forward``
    Exponentially feed-forward (Def. 4.5(2)), by the argument of the proof of Prop. 4.9.

Each is "proved", "refuted" (with a counterexample y) or "undecided". With r(x) = g(x)/x and
p(x) = x g'(x) - g(x) = x^2 r'(x), the positive fixed points for y are the solutions of r(x) = -y, and
everything reduces to sign questions about univariate polynomials. For g with real algebraic coefficients
(rationals, floats at their exact binary value, radicals such as ``sqrt(2)``) Sturm sequences in the number
field and arb-certified signs decide every property exactly (:mod:`rxnn.theory._activation_exact`); with
``pi``, ``E`` or symbols the decision uses exact signs of coefficients only, and says "undecided", with the
reason, where those do not settle it. Strings are parsed by :func:`~rxnn.theory.expressions.parse_expression`
(a whitelisted grammar, never evaluated), under stated limits and a time budget.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from rxnn._deprecation import deprecated_alias
from rxnn._validation import check_positive_finite, must_be
from rxnn.errors import InvalidArgumentError, LimitError
from rxnn.theory._activation_common import (
    PROVED,
    REFUTED,
    UNDECIDED,
    Verdict,
    check_field_degree,
    check_sympy_size,
    symbolic_verdicts,
)
from rxnn.theory._activation_exact import exact_verdicts
from rxnn.theory._exact_real import RealPolynomial, exact_sign, rational_below
from rxnn.theory.expressions import Deadline, ExpressionLimits, parse_expression
from rxnn.theory._display import VerdictDisplay

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

_PROPERTIES = ("realisable", "decay", "reliable", "stable", "feed_forward")
#: The limits on g: those of the expression grammar, also applied to sympy and coefficient inputs.
LIMITS = ExpressionLimits()


# ---------------------------------------------------------------------- result objects
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
    For x > M, dx/dt <= -c x^q, so x(t) <= u(t) with u' = -c u^q, u(0) = x(0), u(t) = (x(0)^(1-q) +
    (q-1) c t)^(-1/(q-1)) < ((q-1) c t)^(-1/(q-1)), which is <= R once t >= 1/((q-1) c R^(q-1)). At
    x = R >= M the field is <= -c R^q < 0, so [0, R] is never left. With R = 1 this is Prop. A.1.

    Examples
    --------
    >>> round(entry_bound("1 - x**2", 10.0).time_to_enter(25.0), 6)  # 1 / ((q - 1) c R^(q-1)), c = 1/2
    0.08
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
            raise InvalidArgumentError(
                f"radius of EntryBound.time_to_enter must be >= the threshold M = {self.threshold:g}; got {radius!r}"
            )
        return 1.0 / ((self.q - 1) * self.c * radius ** (self.q - 1))

    def __str__(self) -> str:
        return (
            f"for |y| <= {self.y_bound:g}: f(y, x) <= -{self.c:.6g} x^{self.q} when x > M = {self.threshold:.6g}, "
            f"so from any x(0) >= 0, x(t) <= R = {self.radius:.6g} for all t >= T = {self.time:.6g} (Prop. A.1)"
        )


@dataclass(frozen=True)
class ActivationCheck(VerdictDisplay):
    """The hypotheses of Thm. 4.8 for the node dx/dt = g(x) + y x, decided.

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

    Examples
    --------
    >>> [v.status for v in check_activation("1 - x**2").verdicts.values()]
    ['proved', 'proved', 'proved', 'proved', 'proved']
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
    def proved(self) -> bool:
        """The verdict: every property proved (``status == "proved"``), so Thm. 4.8 applies to networks of such nodes."""
        return all(v.proved for v in self.verdicts.values())

    passes = deprecated_alias("proved", "ActivationCheck.passes")  # the old name

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

        if not self.proved:
            failing = ", ".join(f"{k} ({v.status})" for k, v in self.verdicts.items() if not v.proved)
            raise InvalidArgumentError(f"g = {self.g} does not pass check_activation: {failing}")
        poly = sympy.Poly(self.g, self.x)
        if poly.free_symbols - {self.x}:
            raise InvalidArgumentError(f"g = {self.g} has symbolic coefficients; substitute numbers first")
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
            PROVED: "all hypotheses of Thm. 4.8 hold: a feed-forward network of such nodes converges from "
            "infinity in finite time, is reliable and converges exponentially (Def. 4.4, with a constant c >= 1)",
            REFUTED: "some hypothesis of Thm. 4.8 fails (see the counterexamples)",
            UNDECIDED: "some hypothesis could not be decided (substitute numeric coefficients to decide exactly)",
        }[self.status]
        lines.append(f"verdict: {self.status.upper()}: {summary}")
        return "\n".join(lines)


# ---------------------------------------------------------------------- parsing
def exact_number(value: Any) -> sympy.Expr:
    """A number as an exact sympy number (floats at their exact binary value).

    Examples
    --------
    >>> exact_number(0.5), exact_number(0.1)
    (1/2, 3602879701896397/36028797018963968)
    """
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


def parse_polynomial(
    g: Any, x: str | sympy.Symbol = "x", *, limits: ExpressionLimits = LIMITS
) -> tuple[sympy.Expr, sympy.Symbol]:
    """g as an exact sympy polynomial expression in the symbol x.

    Parameters
    ----------
    g : str, sympy expression, sequence of numbers, numpy Polynomial or PolynomialNodeActivation
        A string is parsed, never evaluated, by :func:`~rxnn.theory.expressions.parse_expression`: numbers
        (``"0.1"`` is exactly 1/10), ``x``, ``pi``, ``E``, ``sqrt``, ``+ - * /``, integer powers (``**`` or
        ``^``); every other short name is a positive symbol. A sequence lists c_0, c_1, ..., c_q (lowest degree
        first); floats are taken at their exact binary value.
    x : str or sympy.Symbol, default "x"
        The concentration variable.
    limits : ExpressionLimits
        Length, depth, degree, exponent and size bounds (also applied to sympy and coefficient inputs: degree
        and exponents).

    Returns
    -------
    (sympy.Expr, sympy.Symbol)

    Raises
    ------
    InvalidArgumentError
        If g cannot be parsed, is not a polynomial in x, or has a coefficient not known to be real and finite.
    LimitError
        If g is over a limit; the message names it.

    Examples
    --------
    >>> parse_polynomial("0.5 - sqrt(2)*x^2")
    (-sqrt(2)*x**2 + 1/2, x)
    """
    func = "check_activation"
    if isinstance(x, sympy.Symbol):
        xs = x
    elif isinstance(x, str) and x.isidentifier() and len(x) <= 16:
        xs = sympy.Symbol(x)
    else:
        raise must_be("x", func, "a symbol or a name", x)
    if isinstance(g, str):
        expr = parse_expression(g, {xs.name: xs}, func=func, arg="g", positive_symbols=True, limits=limits)
    elif isinstance(g, sympy.Basic):
        expr = g.as_expr() if isinstance(g, sympy.Poly) else g
        if isinstance(g, sympy.Poly) and len(g.gens) == 1 and xs not in g.gens:
            expr = expr.xreplace({g.gens[0]: xs})
        named = [s for s in expr.free_symbols if getattr(s, "name", None) == xs.name]
        if named and xs not in named:
            xs = named[0]
        check_sympy_size(expr, xs, limits)
    else:
        coefficients = getattr(g, "coefficients", None)
        if coefficients is None:
            coefficients = g.coef if isinstance(g, np.polynomial.Polynomial) else g
        try:
            values = [exact_number(c) for c in np.asarray(coefficients, dtype=object).ravel().tolist()]
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(
                f"g of {func} must be a string, a sympy expression or coefficients c_0, ..., c_q; "
                f"got {g!r} ({exc})"
            ) from None
        if len(values) > limits.max_degree + 1:
            raise LimitError(f"g of {func} has degree {len(values) - 1}, over {limits.max_degree} (max_degree)")
        expr = sum((c * xs**k for k, c in enumerate(values)), sympy.Integer(0))
    expr = exact_number(sympy.expand(expr))
    try:
        poly = sympy.Poly(expr, xs)
    except sympy.PolynomialError:
        raise InvalidArgumentError(f"g of {func} must be a polynomial in {xs}; got {expr}") from None
    for c in poly.all_coeffs():
        if c.has(sympy.zoo, sympy.oo, sympy.nan, sympy.I) or c.is_real is not True:
            raise InvalidArgumentError(f"g of {func} must have real finite coefficients; got {c} in {expr}")
    check_field_degree(poly.all_coeffs(), limits)
    return expr, xs


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
    c = |leading coefficient| / 2 and M is the largest real root of g(x) + Y x + c x^q, rounded up (an
    isolating interval's upper end), so f(y, x) <= g(x) + Y x <= -c x^q for x > M and |y| <= Y.

    Examples
    --------
    >>> print(entry_bound("1 - x**2", 10.0))
    for |y| <= 10: f(y, x) <= -0.5 x^2 when x > M = 20.0995, so from any x(0) >= 0, x(t) <= R = 20.0995 for all t >= T = 0.0995049 (Prop. A.1)
    """
    y_bound = check_positive_finite(y_bound, "y_bound", "entry_bound")
    expr, xs = parse_polynomial(g, x)
    if not _is_algebraic(expr, xs):
        raise InvalidArgumentError(f"g of entry_bound must have rational or real algebraic coefficients; got {expr}")
    poly = sympy.Poly(expr, xs, extension=True)
    q = poly.degree()
    lead = poly.LC()
    if q < 2 or exact_sign(lead) != -1:
        raise InvalidArgumentError(
            f"g of entry_bound must have degree >= 2 and a negative leading coefficient; got {expr}"
        )
    c = rational_below(-lead / 2)  # 0 < c <= |lead|/2, so that lead + c < 0
    k = 1
    while c <= 0:  # only for a tiny |lead|: halve a dyadic until it is below
        c = sympy.Rational(1, 2**k) if exact_sign(-lead / 2 - sympy.Rational(1, 2**k)) > 0 else sympy.Integer(0)
        k += 1
    D = poly.to_field() + sympy.Poly(sympy.Rational(y_bound) * xs + c * xs**q, xs, domain="QQ")
    roots = RealPolynomial(D)
    intervals = roots.isolate()
    M = roots.refine(intervals[-1], sympy.Rational(1, 10**9))[1] if intervals else sympy.Integer(0)
    threshold = _float_up(M) if M > 0 else 0.0
    radius = max(threshold, 1.0)
    c_float = float(c) if sympy.Rational(float(c)) <= c else math.nextafter(float(c), 0.0)
    time = _float_up(1 / ((q - 1) * sympy.Rational(c_float) * sympy.Rational(radius) ** (q - 1)))
    return EntryBound(y_bound=y_bound, q=q, c=c_float, threshold=threshold, radius=radius, time=time)


def _float_up(value: sympy.Rational) -> float:
    """The least float >= an exact rational."""
    f = float(value)
    return f if sympy.Rational(f) >= value else math.nextafter(f, math.inf)


def _is_algebraic(expr: sympy.Expr, x: sympy.Symbol) -> bool:
    """Every coefficient a real algebraic number (no symbols, no pi or E)."""
    coefficients = sympy.Poly(expr, x).all_coeffs()
    return all(not c.free_symbols and c.is_algebraic for c in coefficients)


# ---------------------------------------------------------------------- entry point
def check_activation(
    g: Any, x: str | sympy.Symbol = "x", *, y_bound: float = 10.0, seconds: float | None = None
) -> ActivationCheck:
    """Decide whether the node dx/dt = g(x) + y x meets the hypotheses of Thm. 4.8.

    Parameters
    ----------
    g : str, sympy expression, sequence of numbers or PolynomialNodeActivation
        The node polynomial (see :func:`parse_polynomial`): ``"1 - 2*x**3"``, ``h - x**2`` with ``h =
        sympy.Symbol("h", positive=True)``, or coefficients ``(1, 0, 0, -2)`` lowest degree first.
    x : str or sympy.Symbol, default "x"
        The node's concentration.
    y_bound : float, default 10.0
        Bound on |y| for the entry time of Prop. A.1 (``result.entry``).
    seconds : float, optional
        Time budget for the decision (default ``LIMITS.seconds``, 20 s), checked between steps; one long sympy
        step (a resultant in a large number field) is not interrupted, so the bound is soft here. ``rxnn check``
        runs the decision in a worker process, which makes it hard.

    Returns
    -------
    ActivationCheck
        One :class:`Verdict` per property; ``print(result)`` gives the report.

    Raises
    ------
    InvalidArgumentError
        If g is not a polynomial in x with real coefficients, or y_bound is not a positive finite number (both
        ``ValueError``).
    LimitError
        If g is over a limit of :data:`LIMITS` or the time budget runs out.

    Notes
    -----
    For real algebraic coefficients (rationals, floats at their exact value, radicals) every proof and
    counterexample is exact, and every property is decided (proved or refuted) when g(0) >= 0; for g(0) < 0 (not
    realisable) exponential feed-forwardness may be "undecided". The criteria: realisable iff g(0) >= 0; decay
    iff q >= 2 and the leading coefficient is < 0; stable iff p(x) = x g'(x) - g(x) < 0 on (0, inf) (Sturm in
    the number field); reliable and exponentially feed-forward iff moreover g(0) > 0 and the decay holds (then r
    = g/x is a decreasing bijection (0, inf) -> R). A refutation comes with a counterexample y checked exactly:
    simple values of y first, then a y in every interval between the real roots of disc_x(g + y x), then y =
    -r(m) at sample points m where p > 0, then y0 = -r(x0) at a positive root x0 of p, where the fixed point x0
    is not simple (see :mod:`rxnn.theory._activation_exact`). Symbols (declared positive, as strings get
    automatically) and the transcendental constants ``pi`` and ``E`` are decided by exact signs of coefficients:
    e.g. all coefficients of p non-positive proves p < 0; otherwise the verdict is "undecided" with the reason.

    Examples
    --------
    >>> result = check_activation("1 - 2*x**3")      # eq. (20) with h = 1
    >>> result.proved, result.q
    (True, 3)
    >>> check_activation("-x**2").reliable.counterexample   # h = 0: no positive fixed point at y = 0
    0
    """
    y_bound = check_positive_finite(y_bound, "y_bound", "check_activation")
    deadline = Deadline(LIMITS.seconds if seconds is None else check_positive_finite(seconds, "seconds", "check_activation"), "check_activation")
    expr, xs = parse_polynomial(g, x)
    algebraic = _is_algebraic(expr, xs)
    if algebraic:
        q, verdicts = exact_verdicts(expr, xs, deadline)
    else:
        q, verdicts = symbolic_verdicts(expr, xs)
    entry = entry_bound(expr, y_bound, x=xs) if algebraic and verdicts[1].proved else None
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
    if not result.proved:
        raise InvalidArgumentError(f"g of node_activation must pass check_activation; got\n{result}")
    return result.activation()
