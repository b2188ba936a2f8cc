"""MathML of SBML as small tuple trees: building them, showing them, and a safe evaluator (never ``eval``).

Trees are tuples: ``("ci", id)``, ``("cn", value)``, ``("const", name)`` (``pi``,
``exponentiale``, ``true``, ...), ``("apply", operator, args)``, ``("call",
function, args)``, ``("lambda", bvars, body)``, ``("piecewise", [(value, condition or None)])``, ``("qual", tag, children)``
(``bvar``, ``degree``, ``logbase``), ``("other", what)`` for anything a
mass-action model cannot hold (``time``, ``delay``, ``piecewise``) and
``("bad", message)`` for malformed math. :func:`evaluate` computes a tree's
value from a lookup of the ids it names, with the operators of SBML's
arithmetic; :func:`inline` replaces calls of function definitions by their
bodies. Both bound their work (nesting of calls, size of the inlined tree).

Examples
--------
>>> tree = ("apply", "times", [("cn", 2.0), ("apply", "power", [("ci", "k"), ("cn", 2.0)])])
>>> evaluate(tree, {"k": 3.0}.__getitem__), show(tree)
(18.0, '(2.0 * (k ^ 2.0))')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from rxnn.io._sbml_lexical import LexicalError, xsd_double, xsd_int

MATH_LEAVES = frozenset({"ci", "cn", "csymbol"})
_CONSTANTS = {"pi": math.pi, "exponentiale": math.e, "true": 1.0, "false": 0.0, "notanumber": math.nan,
              "infinity": math.inf}
#: The value of the csymbol avogadro in SBML L3 (V1 and V2 keep the 2006 CODATA value the suite expects).
AVOGADRO = 6.02214179e23
#: Limits on inlining function definitions: nesting of calls and nodes of the inlined tree.
MAX_CALL_DEPTH = 50
MAX_TREE_NODES = 200_000


class MathError(Exception):
    """A tree cannot be evaluated or inlined (internal; the reader turns it into a refusal naming the element)."""


class Unknown(MathError):
    """The tree names an id whose value is not known (yet)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _cn_value(attrs: Mapping[str, str], text: str) -> float:
    kind = attrs.get("type", "real").strip(" \t\r\n")
    parts = text.split("\x00")
    if kind == "e-notation" and len(parts) == 2:
        mantissa, exponent = xsd_double(parts[0]), xsd_int(parts[1], lo=-100_000, hi=100_000)
        if not math.isfinite(mantissa):
            raise LexicalError(f"{parts[0].strip()!r} is not a finite mantissa")
        try:
            return mantissa * 10.0 ** exponent
        except OverflowError:
            return math.copysign(math.inf, mantissa) if mantissa else 0.0
    if kind == "rational" and len(parts) == 2:
        numerator, denominator = xsd_int(parts[0]), xsd_int(parts[1])
        if denominator == 0:
            raise LexicalError("a rational number with denominator 0")
        return numerator / denominator
    if kind == "integer" and len(parts) == 1:
        return float(xsd_int(parts[0]))
    if kind in ("real", "double") and len(parts) == 1:
        return xsd_double(parts[0])
    raise LexicalError(f"a <cn type={kind[:20]!r}> with {len(parts)} part(s) is not an SBML number")


def math_node(tag: str, attrs: Mapping[str, str], children: list, text: str) -> tuple:
    """The tree of one finished MathML element from its tag, attributes, child trees and text."""
    if tag == "ci":
        return ("ci", text.strip(" \t\r\n"))
    if tag == "cn":
        try:
            return ("cn", _cn_value(attrs, text))
        except LexicalError as exc:
            return ("bad", f"the number {text.replace(chr(0), ' <sep/> ').strip()[:60]!r} is not valid ({exc})")
    if tag == "csymbol":
        url = attrs.get("definitionURL", "").rstrip("/").rpartition("/")[2]
        if url == "avogadro":
            return ("cn", AVOGADRO)
        return ("other", f"the symbol {url or 'csymbol'!r}")
    if tag == "apply":
        if not children:
            return ("bad", "an empty <apply>")
        head, args = children[0], children[1:]
        if head[0] == "op":
            return ("apply", head[1], args)
        if head[0] == "ci":
            return ("call", head[1], args)
        return ("other", f"an application of {show(head)}")
    if tag == "semantics":
        return children[0] if children else ("bad", "an empty <semantics>")
    if tag == "lambda":
        bvars = [c[2][0][1] for c in children if c[0] == "qual" and c[1] == "bvar" and c[2] and c[2][0][0] == "ci"]
        if not children or len(bvars) != len(children) - 1:
            return ("bad", "a <lambda> whose arguments are not <bvar><ci>...</ci></bvar>")
        return ("lambda", bvars, children[-1])
    if tag in ("bvar", "degree", "logbase"):
        return ("qual", tag, children)
    if tag == "piece" and len(children) == 2:
        return ("piece", children[0], children[1])
    if tag == "otherwise" and len(children) == 1:
        return ("piece", children[0], None)
    if tag == "piecewise" and children and all(c[0] == "piece" for c in children):
        return ("piecewise", [(c[1], c[2]) for c in children])
    if not children and tag in _CONSTANTS:
        return ("const", tag)
    if not children:
        return ("op", tag)
    return ("other", f"<{tag}>")


def show(node: Any, limit: int = 120) -> str:
    """Infix text of a tree for messages, cut at ``limit`` characters."""
    out: list[str] = []
    stack: list[Any] = [node]
    symbols = {"times": "*", "plus": "+", "minus": "-", "divide": "/", "power": "^"}
    while stack and sum(map(len, out)) < limit:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif item[0] == "ci":
            out.append(item[1])
        elif item[0] == "cn":
            out.append(repr(item[1]))
        elif item[0] == "const":
            out.append(item[1])
        elif item[0] in ("apply", "call"):
            if item[0] == "apply" and item[1] in symbols and item[2]:
                parts: list[Any] = ["("]
                for k, arg in enumerate(item[2]):
                    parts += [f" {symbols[item[1]]} "] if k else []
                    parts.append(arg)
                parts.append(")")
                if len(item[2]) == 1:
                    parts = [f"({symbols[item[1]]}", item[2][0], ")"]
            else:
                parts = [f"{item[1]}("]
                for k, arg in enumerate(item[2]):
                    parts += [", "] if k else []
                    parts.append(arg)
                parts.append(")")
            stack.extend(reversed(parts))
        elif item[0] == "qual":
            stack.extend(reversed(item[2]))
        elif item[0] == "piecewise":
            out.append("piecewise(...)")
        else:
            out.append(str(item[1]) if len(item) > 1 else str(item[0]))
    text = "".join(out)
    return text if len(text) <= limit and not stack else text[:limit] + "..."


def _qualifier(args: list, tag: str) -> tuple[list, Any]:
    rest, found = [], None
    for a in args:
        if a[0] == "qual" and a[1] == tag and len(a[2]) == 1:
            found = a[2][0]
        else:
            rest.append(a)
    return rest, found


_UNARY: dict[str, Callable[[float], float]] = {
    "exp": math.exp, "ln": math.log, "abs": abs, "floor": math.floor, "ceiling": math.ceil, "sin": math.sin,
    "cos": math.cos, "tan": math.tan, "arcsin": math.asin, "arccos": math.acos, "arctan": math.atan,
    "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh, "sec": lambda x: 1 / math.cos(x),
    "csc": lambda x: 1 / math.sin(x), "cot": lambda x: 1 / math.tan(x), "arcsinh": math.asinh,
    "arccosh": math.acosh, "arctanh": math.atanh, "arcsec": lambda x: math.acos(1 / x),
    "arccsc": lambda x: math.asin(1 / x), "arccot": lambda x: math.atan(1 / x),
    "sech": lambda x: 1 / math.cosh(x), "csch": lambda x: 1 / math.sinh(x), "coth": lambda x: 1 / math.tanh(x),
    "arcsech": lambda x: math.acosh(1 / x), "arccsch": lambda x: math.asinh(1 / x),
    "arccoth": lambda x: math.atanh(1 / x), "not": lambda x: float(not x),
}
_RELATIONS: dict[str, Callable[[float, float], bool]] = {
    "eq": lambda a, b: a == b, "neq": lambda a, b: a != b, "gt": lambda a, b: a > b, "lt": lambda a, b: a < b,
    "geq": lambda a, b: a >= b, "leq": lambda a, b: a <= b,
}


def _apply(op: str, values: list[float], node: tuple) -> float:
    if op == "plus":
        return math.fsum(values) if values else 0.0
    if op == "times":
        return math.prod(values)
    if op == "minus" and len(values) in (1, 2):
        return -values[0] if len(values) == 1 else values[0] - values[1]
    if op == "divide" and len(values) == 2:
        return values[0] / values[1] if values[1] else (math.nan if values[0] == 0 else math.copysign(
            math.inf, values[0]) * math.copysign(1.0, values[1]))
    if op == "power" and len(values) == 2:
        return float(values[0] ** values[1])
    if op in _UNARY and len(values) == 1:
        return float(_UNARY[op](values[0]))
    if op in _RELATIONS and len(values) >= 2:
        return float(all(_RELATIONS[op](a, b) for a, b in zip(values, values[1:])))
    if op in ("and", "or", "xor"):
        truth = [bool(v) for v in values]
        return float(all(truth) if op == "and" else any(truth) if op == "or" else sum(truth) % 2 == 1)
    if op in ("max", "min") and values:
        return float(max(values) if op == "max" else min(values))
    if op in ("rem", "quotient") and len(values) == 2 and values[1] != 0:
        return math.fmod(values[0], values[1]) if op == "rem" else float(math.trunc(values[0] / values[1]))
    if op == "factorial" and len(values) == 1 and values[0] == int(values[0]) and 0 <= values[0] <= 170:
        return float(math.factorial(int(values[0])))
    raise MathError(f"{show(node)} uses the operator {op!r}, which rxnn does not evaluate")


def evaluate(node: Any, lookup: Callable[[str], float], functions: Mapping[str, Any] | None = None,
             depth: int = 0) -> float:
    """The value of ``node``, with ``lookup(id)`` the value of each id it names.

    Raises
    ------
    Unknown
        If ``lookup`` raises ``KeyError`` (or :class:`Unknown`) for an id.
    MathError
        For operators outside SBML arithmetic, ``time``, ``delay``, malformed math, calls nested deeper
        than :data:`MAX_CALL_DEPTH`, or a value that overflows.
    """
    kind = node[0]
    if kind == "cn":
        return node[1]
    if kind == "const":
        return _CONSTANTS[node[1]]
    if kind == "ci":
        try:
            return lookup(node[1])
        except KeyError:
            raise Unknown(node[1]) from None
    if kind == "call":
        body = (functions or {}).get(node[1])
        if body is None or body[0] != "lambda" or len(body[1]) != len(node[2]):
            raise MathError(f"it calls {node[1]!r}, which is not a function definition of the model "
                            f"with {len(node[2])} argument(s)")
        if depth >= MAX_CALL_DEPTH:
            raise MathError(f"function calls are nested deeper than {MAX_CALL_DEPTH} (a recursive definition?)")
        args = [evaluate(a, lookup, functions, depth) for a in node[2]]
        bound = dict(zip(body[1], args))
        return evaluate(body[2], lambda n: bound[n] if n in bound else lookup(n), functions, depth + 1)
    if kind == "apply":
        op, args = node[1], node[2]
        extra = None
        if op == "log":
            args, extra = _qualifier(args, "logbase")
        elif op == "root":
            args, extra = _qualifier(args, "degree")
        values = [evaluate(a, lookup, functions, depth) for a in args]
        base = 10.0 if op == "log" else 2.0
        if extra is not None:
            base = evaluate(extra, lookup, functions, depth)
        try:
            if op == "log" and len(values) == 1:
                return math.log(values[0], base)
            if op == "root" and len(values) == 1:
                return values[0] ** (1.0 / base)
            return _apply(op, values, node)
        except (OverflowError, ValueError, ZeroDivisionError, TypeError) as exc:
            raise MathError(f"{show(node)} has no real value ({exc})") from None
    if kind == "piecewise":
        for value, condition in node[1]:
            if condition is None or evaluate(condition, lookup, functions, depth):
                return evaluate(value, lookup, functions, depth)
        return math.nan
    if kind == "bad":
        raise MathError(f"malformed math: {node[1]}")
    raise MathError(f"{show(node)} is not arithmetic rxnn evaluates ({node[1] if len(node) > 1 else kind})")


def inline(node: Any, functions: Mapping[str, Any], depth: int = 0, budget: list[int] | None = None) -> Any:
    """``node`` with every call of a function definition replaced by its body (arguments substituted).

    Raises
    ------
    MathError
        For a call of an unknown function or with the wrong number of arguments, calls nested deeper than
        :data:`MAX_CALL_DEPTH`, or an inlined tree over :data:`MAX_TREE_NODES` nodes.
    """
    budget = [MAX_TREE_NODES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise MathError(f"the law grows past {MAX_TREE_NODES} nodes when its function calls are inlined")
    kind = node[0]
    if kind == "apply":
        return ("apply", node[1], [inline(a, functions, depth, budget) for a in node[2]])
    if kind == "qual":
        return ("qual", node[1], [inline(a, functions, depth, budget) for a in node[2]])
    if kind == "piecewise":
        return ("piecewise", [(inline(v, functions, depth, budget),
                               None if c is None else inline(c, functions, depth, budget)) for v, c in node[1]])
    if kind != "call":
        return node
    body = functions.get(node[1])
    if body is None or body[0] != "lambda" or len(body[1]) != len(node[2]):
        raise MathError(f"it calls {node[1]!r}, which is not a function definition of the model with "
                        f"{len(node[2])} argument(s)")
    if depth >= MAX_CALL_DEPTH:
        raise MathError(f"function calls are nested deeper than {MAX_CALL_DEPTH} (a recursive definition?)")
    args = [inline(a, functions, depth, budget) for a in node[2]]
    return inline(_substitute(body[2], dict(zip(body[1], args)), budget), functions, depth + 1, budget)


def _substitute(node: Any, bound: Mapping[str, Any], budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise MathError(f"the law grows past {MAX_TREE_NODES} nodes when its function calls are inlined")
    kind = node[0]
    if kind == "ci":
        return bound.get(node[1], node)
    if kind in ("apply", "call", "qual"):
        return (kind, node[1], [_substitute(a, bound, budget) for a in node[2]])
    if kind == "piecewise":
        return ("piecewise", [(_substitute(v, bound, budget), None if c is None else _substitute(c, bound, budget))
                              for v, c in node[1]])
    return node


def substitute(node: Any, bound: Mapping[str, Any]) -> Any:
    """``node`` with every ``ci`` leaf named in ``bound`` replaced by its tree (within :data:`MAX_TREE_NODES`)."""
    return _substitute(node, bound, [MAX_TREE_NODES])


class RateTrees(Mapping):
    """Reaction id -> its kinetic law with its local parameters bound to their values: what the reaction's id
    means where other math names it (SBML: the symbol of a reaction is its rate). Built on first use of each
    id, so a file whose math names no reaction pays nothing."""

    def __init__(self, reactions: Any, excluded: frozenset[str] = frozenset(), cache: dict | None = None) -> None:
        self._reactions = {r.id: r for r in reactions if r.has_law and r.math is not None and r.id not in excluded}
        self._cache = {} if cache is None else cache

    def __getitem__(self, rid: str) -> Any:
        if rid not in self._cache:
            r = self._reactions[rid]
            local = {name: ("cn", value) for name, value in r.local.items() if value is not None}
            self._cache[rid] = substitute(r.math, local) if local else r.math
        return self._cache[rid]

    def __contains__(self, rid: object) -> bool:
        return rid in self._reactions

    def __iter__(self) -> Any:
        return iter(self._reactions)

    def __len__(self) -> int:
        return len(self._reactions)

    def excluding(self, names: Any) -> RateTrees:
        """The same trees without the ids in ``names`` (shadowed by a reaction's local parameters)."""
        return RateTrees(self._reactions.values(), frozenset(names), self._cache)


def rate_trees(reactions: Any) -> RateTrees:
    """The :class:`RateTrees` of ``reactions``."""
    return RateTrees(reactions)


def names_in(node: Any) -> set[str]:
    """The ids a tree names (``ci`` leaves, not function names)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n[0] == "ci":
            out.add(n[1])
        elif n[0] in ("apply", "call", "qual"):
            stack.extend(n[2])
        elif n[0] == "lambda":
            out |= names_in(n[2]) - set(n[1])
        elif n[0] == "piecewise":
            stack.extend(x for pair in n[1] for x in pair if x is not None)
        elif n[0] == "other" and "time" in str(n[1]):
            out.add("time")
    return out
