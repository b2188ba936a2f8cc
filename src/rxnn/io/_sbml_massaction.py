"""Recognising an SBML kinetic law as a sum of mass-action reactions (eq. (2)), or refusing it by name.

A law is first *folded*: function calls inlined, every id with a value at
t = 0 (parameters, local parameters, compartments, species fixed by a
constant rule) replaced by that value and every constant subtree computed,
so that only species and parameters without values remain. Then:

* fast path (every law rxnn writes, and most others): a product of a rate
  constant and species powers, or ``forward - backward`` of two such products;
* otherwise the law is normalised symbolically with sympy (exact rationals):
  expanded and collected into monomials of the species, and each monomial
  becomes one reaction. A positive term ``c * prod S^a`` is the forward
  reaction: every species the reaction changes must appear to the power of its
  reactant stoichiometry (so a pure product cannot appear at all); a negative
  term is the backward reaction, with the roles of reactants and products
  swapped. Species the reaction does not change (modifiers, boundary species,
  catalysts on both sides) may appear to any power; they are on both sides of
  the rxnn reaction. So ``C*(kf*S1 - kr*S2)`` for ``S1 -> S2`` is two
  reactions, ``k1*S1 + k2*S1*E`` two parallel ones; ``k*(S1 + S2)`` for
  ``S1 -> S3`` is refused, since its term ``k*S2`` consumes S1 at a rate that
  does not depend on S1.
* the stochastic convention: a law ``c * prod P(P-1)...(P-r+1)`` over the
  reactants (in amounts, ``hasOnlySubstanceUnits``), such as ``k*P*(P-1)/2``
  for ``2P -> ...``, is the mass-action *propensity* of the reaction (the
  DSMTS writes its models so). It is read as the reaction with rate constant
  ``c``, whose propensity in rxnn's SSA (:mod:`rxnn.crn.stochastic`, at
  volume 1) is exactly the law; its ODE is the mass-action limit
  ``c * prod P^r``, not the law's lower-order terms taken literally (an
  :class:`~rxnn.io.sbml.SBMLWarning` says so).

A law that is mass action only through a conservation law
(``k1*(100-2*P2)*(100-2*P2-1)/2`` for ``-> P2``) is refused, naming the term
in which a product appears.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from rxnn.io._sbml_math import MathError, evaluate, inline, names_in, show

from rxnn.crn.model import MAX_COEFFICIENT  # the one coefficient limit of the text syntax, JSON and SBML

#: Largest exponent of a sum that the symbolic path expands (``(S1 + S2)^n`` has n + 1 terms; more is not a
#: kinetic law).
MAX_EXPANDED_POWER = 12

#: Most terms a kinetic law may have while it is normalised (a sum of mass-action terms has one per reaction).
MAX_TERMS = 10_000

#: Seconds one law's symbolic normalisation may take before the reader gives up with a LimitError.
LAW_SECONDS = 2.0


class Refusal(Exception):
    """A kinetic law that is not mass action (internal; the reader adds the reaction and line)."""


class Reported(Refusal):
    """Malformed math the parser has already reported with its line (not repeated)."""


@dataclass
class Law:
    """What a law needs from the model: species, values of the other ids, functions, stoichiometries."""

    species: frozenset[str]
    value: Callable[[str], float]  # KeyError for ids without a value
    named: frozenset[str]  # parameters without a value: named rate constants
    functions: Mapping[str, Any]
    consumed: dict[str, int]
    produced: dict[str, int]
    fixed: frozenset[str]  # boundary species: never changed
    counts: frozenset[str]  # species read as amounts (hasOnlySubstanceUnits)
    reactions: frozenset[str] = frozenset()  # reaction ids (their symbol is the reaction's rate)
    rates: Mapping[str, Any] = field(default_factory=dict)  # reaction id -> its law, locals bound (_sbml_math)


@dataclass
class Term:
    """One monomial of a law: its coefficient, named parameter (or None) and species powers."""

    coefficient: float
    name: str | None = None
    powers: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- folding


def fold(node: Any, law: Law, seen: frozenset[str] = frozenset()) -> Any:
    """``node`` with values substituted and constant subtrees computed (function calls already inlined).

    The id of a reaction stands for its rate: its law is folded in its place (``seen`` guards against laws
    that name each other in a cycle).
    """
    kind = node[0]
    if kind == "ci":
        name = node[1]
        if name in law.species or name in law.named:
            return node
        if name in law.rates:
            if name in seen:
                raise Refusal(f"the rates of reactions {', '.join(sorted(seen))} refer to each other in a cycle")
            try:
                tree = inline(law.rates[name], law.functions)
            except MathError as exc:
                raise Refusal(str(exc)) from None
            return fold(tree, law, seen | {name})
        try:
            return ("cn", law.value(name))
        except KeyError:
            if name in law.reactions:
                raise Refusal(f"{name!r} is the rate of a reaction; rxnn does not use reaction rates in kinetic "
                              "laws") from None
            raise Refusal(f"{name!r} is not a species, parameter or compartment of the model") from None
    if kind in ("cn", "const"):
        return ("cn", evaluate(node, law.value))
    if kind == "apply":
        args = [fold(a, law, seen) if a[0] != "qual" else ("qual", a[1], [fold(b, law, seen) for b in a[2]])
                for a in node[2]]
        folded = ("apply", node[1], args)
        if all(a[0] == "cn" or (a[0] == "qual" and all(b[0] == "cn" for b in a[2])) for a in args):
            try:
                return ("cn", evaluate(folded, law.value))
            except MathError as exc:
                raise Refusal(str(exc)) from None
        return folded
    if kind == "piecewise":
        moving = sorted(names_in(node) & (law.species | law.named))
        if moving:
            raise Refusal(f"its law has a <piecewise> of {', '.join(moving[:5])}, which is not mass action")
        try:
            return ("cn", evaluate(node, law.value, law.functions))
        except MathError as exc:
            raise Refusal(str(exc)) from None
    if kind == "bad":
        raise (Reported if len(node) > 2 else Refusal)(node[1])
    raise Refusal(f"{show(node)} is not mass action (it uses {node[1] if len(node) > 1 else kind})")


def prepare(tree: Any, law: Law) -> Any:
    """Inline the function definitions and fold the law."""
    try:
        return fold(inline(tree, law.functions), law)
    except MathError as exc:
        raise Refusal(str(exc)) from None
    except RecursionError:
        raise Refusal("its math is nested too deeply to evaluate") from None


# --------------------------------------------------------------------------- the fast path


def _monomial(node: Any, law: Law) -> Term:
    """Split a folded product/quotient of numbers, one named parameter and species powers."""
    term = Term(1.0)
    stack = [(node, 1)]
    while stack:
        n, sign = stack.pop()
        if n[0] == "apply" and n[1] == "times":
            stack.extend((a, sign) for a in n[2])
        elif n[0] == "apply" and n[1] == "divide" and len(n[2]) == 2:
            stack.extend([(n[2][0], sign), (n[2][1], -sign)])
        elif n[0] == "apply" and n[1] == "power" and len(n[2]) == 2 and n[2][1][0] == "cn" and n[2][0][0] == "ci":
            power = n[2][1][1]
            if not (math.isfinite(power) and power == int(power) and abs(power) <= MAX_COEFFICIENT):
                raise Refusal(f"the power {show(n)} is not an integer power of at most {MAX_COEFFICIENT}")
            _factor(n[2][0][1], sign * int(power), term)
        elif n[0] == "cn":
            try:
                term.coefficient *= n[1] ** sign
            except ZeroDivisionError:
                term.coefficient = math.inf
        elif n[0] == "ci":
            _factor(n[1], sign, term)
        else:
            raise Refusal("not a monomial")
    for name, power in list(term.powers.items()):
        if name in law.named:
            if power != 1 or term.name is not None:
                raise Refusal(f"the parameter {name!r} has no value and appears in {show(node)} other than as "
                              "one plain factor; a named rate constant must be a plain factor (give it a value)")
            term.name = name
            del term.powers[name]
    return term


def _factor(name: str, power: int, term: Term) -> None:
    term.powers[name] = term.powers.get(name, 0) + power


def _fast_terms(node: Any, law: Law) -> list[Term]:
    if node[0] == "apply" and node[1] == "minus" and len(node[2]) == 2:
        forward, backward = _monomial(node[2][0], law), _monomial(node[2][1], law)
        backward.coefficient = -backward.coefficient
        return [forward, backward]
    return [_monomial(node, law)]


# --------------------------------------------------------------------------- the symbolic path


class LawLimit(Exception):
    """A law too large or too slow to normalise (internal; the reader raises a LimitError naming the reaction)."""


class _Budget:
    """The term and time limits of one law's normalisation, checked before and after every ring operation."""

    def __init__(self) -> None:
        self.end = time.monotonic() + LAW_SECONDS

    def check(self, size: int = 0) -> None:
        if size > MAX_TERMS:
            raise LawLimit(f"its kinetic law expands to more than {MAX_TERMS} terms; a mass-action law has one "
                           "term per reaction (write the reactions separately)")
        if time.monotonic() > self.end:
            raise LawLimit(f"normalising its kinetic law took more than {LAW_SECONDS:g} s (the limit "
                           "rxnn.io._sbml_massaction.LAW_SECONDS); write the law as a sum of mass-action terms")


def _sympy_terms(node: Any, law: Law) -> tuple[list[Term], Any, dict]:
    """The monomials of a folded law, by exact polynomial arithmetic (sparse, rationals) under a budget.

    Returns the terms, the polynomial and the SBML id -> generator map. Every product is refused before it is
    formed when its size bound passes :data:`MAX_TERMS`, and the deadline :data:`LAW_SECONDS` is checked
    between operations, so no law runs unbounded (:class:`LawLimit`).
    """
    from sympy import QQ
    from sympy.polys.rings import ring

    if law.named & _names(node):
        raise Refusal(f"the law {show(node)} combines parameters without values "
                      f"({', '.join(sorted(law.named & _names(node)))}) with other terms; rxnn keeps a named rate "
                      "constant only as a plain factor of a monomial law (give the parameters values)")
    ids = sorted(_names(node))
    R, *gens = ring(",".join(f"s{i}" for i in range(len(ids))) or "s", QQ)
    symbols = dict(zip(ids, gens))
    budget = _Budget()

    def times(x: Any, y: Any) -> Any:
        budget.check(len(x) * len(y))
        return x * y

    def convert(n: Any) -> Any:
        budget.check()
        kind = n[0]
        if kind == "cn":
            if not math.isfinite(n[1]):
                raise Refusal(f"the law has the non-finite number {n[1]!r}")
            return R(QQ(*Fraction(n[1]).as_integer_ratio()))
        if kind == "ci":
            return symbols[n[1]]
        op, args = n[1], [convert(a) for a in n[2]]
        if op == "plus":
            out = R(0)
            for a in args:
                out = out + a
                budget.check(len(out))
            return out
        if op == "times":
            out = R(1)
            for a in args:
                out = times(out, a)
            return out
        if op == "minus" and len(args) in (1, 2):
            return -args[0] if len(args) == 1 else args[0] - args[1]
        if op == "divide" and len(args) == 2:
            budget.check(len(args[0]) * max(len(args[1]), 1))
            try:
                quotient, remainder = args[0].div(args[1])
            except ZeroDivisionError:
                raise Refusal(f"{show(n)} divides by zero") from None
            if remainder != 0:
                raise Refusal(f"{show(node)} divides by a species; mass action multiplies by reactant powers")
            return quotient
        if op == "power" and len(args) == 2 and n[2][1][0] == "cn":
            power = n[2][1][1]
            if power == int(power) and 0 <= power <= MAX_EXPANDED_POWER:
                out = R(1)
                for _ in range(int(power)):
                    out = times(out, args[0])
                return out
        raise Refusal(f"{show(n)} is not a polynomial in the species (it uses {op!r} of a species)")

    poly = convert(node)
    terms = []
    for powers, coefficient in poly.terms():
        value = Fraction(int(coefficient.numerator), int(coefficient.denominator))
        terms.append(Term(float(value), None, {i: int(p) for i, p in zip(ids, powers) if p}))
    return terms, poly, symbols


def _names(node: Any) -> set[str]:
    if node[0] == "ci":
        return {node[1]}
    if node[0] == "apply":
        return set().union(*(_names(a) for a in node[2])) if node[2] else set()
    return set()


# --------------------------------------------------------------------------- terms to reactions


def _reaction(term: Term, law: Law, where: str, lenient: bool = False) -> tuple[dict[str, int], dict[str, int]]:
    """The rxnn reactant and product complexes of one term (forward if its coefficient is >= 0).

    ``lenient`` (a law that is one monomial, or ``forward - backward`` of two): a species that is only a
    product of the term's direction may appear to any power, as a catalyst (``k*A*B`` for ``A -> B`` is
    ``A + B -> 2B``). Terms of a law split symbolically are strict: a product may not appear.
    """
    forward = term.coefficient >= 0
    take, give = (law.consumed, law.produced) if forward else (law.produced, law.consumed)
    for s, power in term.powers.items():
        if s not in law.species:
            raise Refusal(f"{s!r} is not a species of the model")
        if power < 0:
            raise Refusal(f"the species {s!r} divides the rate in {where}; mass action multiplies by reactant powers")
    source: dict[str, int] = {}
    target: dict[str, int] = {}
    for s in dict.fromkeys([*take, *give, *term.powers]):
        power = term.powers.get(s, 0)
        change = 0 if s in law.fixed else give.get(s, 0) - take.get(s, 0)
        catalyst = lenient and s not in take
        if change and power != take.get(s, 0) and not catalyst:
            direction = "forward" if forward else "backward (negative)"
            raise Refusal(
                f"in its {direction} term {where}, {s!r} has stoichiometry {take.get(s, 0)} but appears to the "
                f"power {power}; mass action needs them equal (a term of a law is mass action in its own "
                "reactants, so a product of the term cannot appear in it)"
            )
        if power:
            source[s] = power
        if power + change:
            target[s] = power + change
    return source, target


def _show_term(term: Term) -> str:
    factors = [repr(abs(term.coefficient))] + ([term.name] if term.name else [])
    factors += [s if p == 1 else f"{s}^{p}" for s, p in term.powers.items()]
    return "*".join(factors)


def _falling_factorial_form(expr: Any, symbols: dict, terms: list[Term], law: Law) -> Term | None:
    """The single forward term c * prod S^r when the law is c * prod S(S-1)...(S-r+1) (a propensity), else None."""
    order = {s: r for s, r in law.consumed.items()
             if s not in law.fixed and r > 0 and law.produced.get(s, 0) != r}
    if not order or all(r < 2 for r in order.values()):
        return None
    if any(s not in law.counts for s in order):
        return None
    changed = {s for s in set(law.consumed) | set(law.produced)
               if s not in law.fixed and law.produced.get(s, 0) != law.consumed.get(s, 0)}
    leading = [t for t in terms if t.coefficient > 0 and all(t.powers.get(s, 0) == order.get(s, 0) for s in changed)]
    if len(leading) != 1 or any(s not in symbols for s in order):
        return None
    term = leading[0]
    candidate = expr.ring(expr.ring.domain(*Fraction(term.coefficient).as_integer_ratio()))
    for s, p in term.powers.items():
        x = symbols[s]
        for i in range(p):  # the falling factorial x (x - 1) ... (x - p + 1) of a reactant, x^p of a catalyst
            candidate = candidate * (x - i if s in order else x)
    if candidate != expr:
        return None
    return term


def mass_action(tree: Any, law: Law) -> tuple[list[tuple[Term, dict, dict]], str | None]:
    """The rxnn reactions (term, reactants, products) of one law, and a note when it was read as a propensity.

    Raises
    ------
    Refusal
        Naming the term or operator that is not mass action.
    """
    node = prepare(tree, law)
    try:
        terms = _fast_terms(node, law)
        return [(t, *_reaction(t, law, _show_term(t), lenient=True)) for t in terms], None
    except Refusal:
        pass  # not in the fast form, or refused there: the symbolic path decides and names the term
    try:
        terms, expr, symbols = _sympy_terms(node, law)
    except Refusal as refusal:
        raise Refusal(f"the law {show(tree)}: {refusal}") from None
    terms = [t for t in terms if t.coefficient != 0]
    try:
        return [(t, *_reaction(t, law, _show_term(t))) for t in terms], None
    except Refusal as refusal:
        term = _falling_factorial_form(expr, symbols, terms, law)
        if term is None:
            raise Refusal(f"the law {show(tree)}: {refusal}") from None
        note = (f"the law {show(tree, 80)} is the stochastic mass-action propensity c*P*(P-1)*... of its "
                f"reactants; read as the reaction with rate constant c = {term.coefficient!r} (its SSA "
                "propensity is the law; its ODE is the mass-action limit)")
        return [(term, *_reaction(term, law, _show_term(term)))], note
