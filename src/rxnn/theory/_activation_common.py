"""Shared pieces of :func:`~rxnn.theory.check_activation`: verdicts, signs, and the decisions by sign pattern.

The sign of a coefficient is decided exactly: a constant (rationals,
radicals, ``pi``, ``E``) by :func:`~rxnn.theory._exact_real.exact_sign`
(arb balls), an expression in positive symbols by sympy's assumptions
(logic on the declared signs, no numerics).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from rxnn.errors import InvalidArgumentError, LimitError
from rxnn.theory._exact_real import exact_sign

PROVED, REFUTED, UNDECIDED = "proved", "refuted", "undecided"


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




def show(value: sympy.Expr) -> str:
    """An exact rational as it is, anything else to 12 digits."""
    return str(value) if value.is_Rational else f"{sympy.N(value, 12)}"


def sign_of(value: sympy.Expr) -> int | None:
    """Sign of a coefficient: exact for constants, by the symbols' assumptions otherwise; None if undecided."""
    value = sympy.sympify(value)
    if not value.free_symbols:
        return exact_sign(value)
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    return None


def argument_reactions(coefficients: Sequence[sympy.Expr]) -> str:
    parts = []
    for k, c in enumerate(coefficients):
        s = sign_of(c)
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
def realisable_verdict(c: list[sympy.Expr]) -> Verdict:
    s = sign_of(c[0])
    reactions = argument_reactions(c)
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


def decay_verdict(c: list[sympy.Expr], q: int | None, x: sympy.Symbol) -> Verdict:
    if q is None:
        return Verdict(UNDECIDED, "whether the leading coefficient vanishes is not decided by the assumptions")
    lead = c[q]
    s = sign_of(lead)
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


def reliable_argument(p: sympy.Expr, how: str) -> str:
    return (
        f"r(x) = g(x)/x has r'(x) = p(x)/x^2 with p(x) = x g'(x) - g(x) = {p}; {how}, so r falls strictly "
        "from +inf (g(0) > 0) to -inf (degree q >= 2, leading coefficient < 0). Hence r(x) = -y has exactly one "
        "root x̂(y) for every real y; it is simple, as f_x(y, x̂) = p(x̂)/x̂ < 0; f > 0 on [0, x̂) and f < 0 on "
        "(x̂, inf), so x̂ attracts every start x(0) >= 0; and phi = x̂ is C^1 by the implicit function theorem, "
        "with phi' = phi^2 / (g(phi) - phi g'(phi)) (Def. 4.7(1))"
    )


def stable_argument(p: sympy.Expr, how: str) -> str:
    return (
        f"at a positive fixed point x̂ of f(y, .), y = -g(x̂)/x̂, so f_x(y, x̂) = g'(x̂) + y = p(x̂)/x̂ with "
        f"p(x) = x g'(x) - g(x) = {p}; {how}, so f_x < 0 at every positive fixed point for every y"
    )


def feed_forward_argument(q: int) -> str:
    return (
        "as in the proof of Prop. 4.9: fix ŷ and let x+ = phi(ŷ). Since f(ŷ, x+) = 0, f(ŷ, x) = -(x - x+) s(x) "
        "with s(x) = x (r(x+) - r(x))/(x - x+) for x != x+, s(x+) = -f_x(ŷ, x+) and s(0) = g(0)/x+; s > 0 on "
        "[0, inf) because r is strictly decreasing (p < 0 on (0, inf)) and g(0) > 0 (the same Sturm decision). "
        "With V = (x - x+)^2/2, dV/dt = -2 s(x) V + (x - x+)(y(t) - ŷ) x. If y(t) ->exp ŷ, y(t) is bounded, so "
        f"{q}-polynomial decay keeps x(t) in a compact [0, B] (Prop. A.1), where s >= s_min > 0; then "
        "dV/dt <= -s_min V + B^2 |y(t) - ŷ|^2 / (2 s_min) and Grönwall's inequality (Lemma A.2) gives "
        "x(t) ->exp x+: exponentially feed-forward (Def. 4.5(2))"
    )


def symbolic_verdicts(expr: sympy.Expr, x: sympy.Symbol) -> tuple[int | None, list[Verdict]]:
    """Decide by the signs of the coefficients of g and p, for symbolic or transcendental coefficients.

    Every sign is exact (:func:`sign_of`); what the sign pattern cannot
    settle is "undecided", with the reason.
    """
    poly = sympy.Poly(expr, x)
    transcendental = not poly.free_symbols - {x}
    c = list(reversed(poly.all_coeffs()))
    q: int | None = poly.degree()
    if sign_of(c[-1]) is None:
        q = None
    realisable = realisable_verdict(c)
    decay = decay_verdict(c, q, x)
    p_coeffs = [sympy.expand((k - 1) * ck) for k, ck in enumerate(c)]
    p_expr = sum((pk * x**k for k, pk in enumerate(p_coeffs)), sympy.Integer(0))
    signs = [sign_of(pk) for pk in p_coeffs]
    p_neg = all(s is not None and s <= 0 for s in signs) and any(s == -1 for s in signs)
    if transcendental:
        how = "every coefficient of p is <= 0 (signs proved in arb ball arithmetic) and one is < 0"
        undecided = (
            f"p(x) = x g'(x) - g(x) = {p_expr} has coefficients of mixed sign, and g has transcendental "
            "coefficients (pi, E): rxnn decides those only by sign patterns, not by Sturm sequences; "
            "replace pi or E by rational bounds to decide exactly"
        )
    else:
        how = "every coefficient of p is <= 0 under the assumptions on the symbols and one is < 0"
        undecided = (
            "p(x) = x g'(x) - g(x) = "
            f"{p_expr} has coefficients of undecided or mixed sign; Sturm sequences with symbolic coefficients are "
            "not decided here: substitute numbers for the symbols to decide exactly"
        )
    c0_pos = sign_of(c[0]) == 1
    lead_neg = q is not None and q >= 2 and sign_of(c[q]) == -1
    criterion = p_neg and c0_pos and lead_neg
    if criterion:
        reliable = Verdict(PROVED, reliable_argument(p_expr, how))
        feed_forward = Verdict(PROVED, feed_forward_argument(q))
    elif sign_of(c[0]) == 0:
        y = sympy.simplify(1 - (c[1] if len(c) > 1 else 0))
        reliable = Verdict(
            REFUTED,
            f"g(0) = 0, so x = 0 is a fixed point for every y and the start x(0) = 0 stays there; at "
            f"y = 1 - g'(0) = {y}, f(y, x) = x (1 + O(x)) > 0 for small x > 0, so starts near 0 move away "
            "from 0: no limit common to all starts (Def. 4.7(1))",
            y,
        )
        feed_forward = Verdict(UNDECIDED, undecided)
    elif all(sign_of(ck) in (0, 1) for ck in c) and sign_of(c[0]) == 1:
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
            UNDECIDED, "g(0) < 0; substitute rational numbers for the symbols and constants for an exact decision"
        )
    else:
        reliable = Verdict(UNDECIDED, undecided)
        feed_forward = Verdict(UNDECIDED, undecided)
    stable = Verdict(PROVED, stable_argument(p_expr, how)) if p_neg else Verdict(UNDECIDED, undecided)
    return q, [realisable, decay, reliable, stable, feed_forward]


# ---------------------------------------------------------------------- input size limits of check_activation
def check_field_degree(coefficients: list[sympy.Expr], limits: Any) -> None:
    """Refuse radicals whose number field would be too large to compute in (before building it)."""
    radicals = set()
    for c in coefficients:
        radicals |= {p for p in c.atoms(sympy.Pow) if p.exp.is_Rational and not p.exp.is_Integer}
    bound = 1
    for radical in radicals:
        bound *= int(radical.exp.q)
    if bound > limits.max_field_degree:
        raise LimitError(
            f"g of check_activation has {len(radicals)} distinct radicals, a number field of degree up to {bound}, "
            f"over {limits.max_field_degree} (max_field_degree); use fewer distinct radicals"
        )


def check_sympy_size(expr: sympy.Expr, x: sympy.Symbol, limits: Any) -> None:
    """Refuse a sympy input whose expansion the limits would refuse as text (before expanding it)."""
    if not isinstance(expr, sympy.Expr):
        raise InvalidArgumentError(f"g of check_activation must be a polynomial expression; got {expr!r}")
    if sympy.count_ops(expr, visual=False) > limits.max_length:
        raise LimitError(f"g of check_activation has over {limits.max_length} operations (max_length)")
    for power in expr.atoms(sympy.Pow):
        n = power.exp
        if n.is_Integer and abs(int(n)) > limits.max_exponent:
            raise LimitError(f"g of check_activation: the exponent {n} is over {limits.max_exponent} (max_exponent)")
    if expr.is_polynomial(x) and sympy.degree(expr, x) > limits.max_degree:
        raise LimitError(f"g of check_activation has degree over {limits.max_degree} in {x} (max_degree)")
