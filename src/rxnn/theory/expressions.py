"""Parse a user-typed expression (a node polynomial g) without evaluating it.

``parse_expression("1 - sqrt(2)*x**2", {"x": x})`` returns a sympy
expression built from a parse tree that a strict whitelist walked; nothing
of the text is ever run (no ``eval``, no ``sympify`` of the text). The
grammar is:

- numbers: integers and plain decimals (``0.1`` is exactly 1/10; an
  exponent ``1e-12`` is allowed up to ``|e| <= 400``);
- names: the declared symbols, the constants ``pi`` and ``E``, and, when
  ``positive_symbols`` is true, other short names (``h``, ``k1``), which
  become positive symbols;
- ``+ - * /``, unary ``-`` and ``+``, parentheses;
- powers ``a**n`` or ``a^n`` with an integer exponent ``|n| <= max_exponent``
  (the exponent may itself be an integer expression such as ``2**3``);
- ``sqrt(a)``.

Every limit is checked before the work it bounds, and each refusal is a
:class:`~rxnn.errors.LimitError` naming the limit; anything outside the
grammar is an :class:`ExpressionError` naming the construct and its column.
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

import sympy

from rxnn.errors import InvalidArgumentError, LimitError

__all__ = ["ExpressionError", "ExpressionLimits", "Deadline", "parse_expression"]

_DECIMAL = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}")
_CONSTANTS = {"pi": sympy.pi, "E": sympy.E}
_FUNCTIONS = {"sqrt": sympy.sqrt}
_MAX_DECIMAL_EXPONENT = 400


class ExpressionError(InvalidArgumentError):
    """A user expression is outside the grammar (a ``ValueError``).

    Examples
    --------
    >>> import sympy
    >>> try:
    ...     parse_expression("__import__('os')", {"x": sympy.Symbol("x")})
    ... except ExpressionError as exc:
    ...     print(isinstance(exc, ValueError))
    True
    """


@dataclass(frozen=True)
class ExpressionLimits:
    """Bounds on a user expression, each checked before the work it bounds.

    Attributes
    ----------
    max_length : int
        Characters of the text.
    max_depth : int
        Nesting depth of the parse tree.
    max_exponent : int
        |n| for every power a**n.
    max_degree : int
        Total degree in the symbols (x**3*h**2 has degree 5), after powers and products.
    max_bits : int
        Bits of any rational constant the expression builds (2**5000 is refused).
    max_symbols : int
        Distinct symbols other than the declared ones.
    max_field_degree : int
        Degree of the number field the radicals generate (bounded by the
        product of the radicals' indices: four distinct square roots give 16).
    seconds : float
        Time budget for the symbolic work that follows the parse (see :class:`Deadline`).

    Examples
    --------
    >>> limits = ExpressionLimits(max_exponent=8)
    >>> limits.max_exponent, limits.max_degree
    (8, 48)
    """

    max_length: int = 2000
    max_depth: int = 200
    max_exponent: int = 64
    max_degree: int = 48
    max_bits: int = 4096
    max_symbols: int = 8
    max_field_degree: int = 16
    seconds: float = 20.0


class Deadline:
    """A wall-clock budget checked between steps of a long computation.

    Examples
    --------
    >>> budget = Deadline(5.0, "check_activation")
    >>> budget.check()          # within budget: returns None
    """

    def __init__(self, seconds: float, func: str) -> None:
        self.seconds = float(seconds)
        self.func = func
        self.end = time.monotonic() + self.seconds

    def check(self) -> None:
        """Raise :class:`~rxnn.errors.LimitError` once the budget is spent."""
        if time.monotonic() > self.end:
            raise LimitError(
                f"{self.func} exceeded its time budget of {self.seconds:g} s; simplify the input "
                "(lower degree, fewer radicals, smaller coefficients)"
            )


def _what(symbols) -> str:
    names = sorted(symbols)
    return f"a polynomial in {', '.join(names)}" if names else "a constant expression"


@dataclass(frozen=True)
class _Node:
    expr: sympy.Expr
    degree: int  # total degree in the symbols, an upper bound
    bits: int  # an upper bound on the bits of the rational numbers inside


def parse_expression(
    text: str,
    symbols: Mapping[str, sympy.Symbol],
    *,
    func: str = "parse_expression",
    arg: str = "expression",
    positive_symbols: bool = False,
    limits: ExpressionLimits = ExpressionLimits(),
) -> sympy.Expr:
    """The sympy expression of ``text`` in the whitelisted grammar of this module.

    Parameters
    ----------
    text : str
        For example ``"1 - 2*x**3"`` or ``"h - x^2"``.
    symbols : mapping of str to sympy.Symbol
        The declared names.
    func, arg : str
        Named in error messages (``g of check_activation ...``).
    positive_symbols : bool, default False
        Accept other names as positive symbols (at most ``limits.max_symbols``).
    limits : ExpressionLimits

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ExpressionError
        For text outside the grammar (the message names the construct).
    LimitError
        For text over a limit (the message names the limit).

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> parse_expression("0.5 - sqrt(2)*x^2", {"x": x})
    -sqrt(2)*x**2 + 1/2
    >>> parse_expression("__import__('os')", {"x": x})
    Traceback (most recent call last):
    ...
    rxnn.theory.expressions.ExpressionError: expression of parse_expression must be a polynomial in x; got a call of __import__ (the only function is sqrt) at column 1
    """
    if not isinstance(text, str):
        raise ExpressionError(f"{arg} of {func} must be a string; got {type(text).__name__}")
    if len(text) > limits.max_length:
        raise LimitError(
            f"{arg} of {func} is {len(text)} characters long, over the limit of {limits.max_length} (max_length)"
        )
    # ``^`` means a power, as in sympy and in print: swap it before parsing so that it binds like ``**``
    # (Python's ``^`` binds looser than ``-``). No string literal survives the walk, so the swap is safe.
    source = text.strip().replace("^", "**")
    if not source:
        raise ExpressionError(f"{arg} of {func} must be {_what(symbols)}; got an empty string")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError) as exc:
        where = f" at column {exc.offset}" if getattr(exc, "offset", None) else ""
        raise ExpressionError(f"{arg} of {func} must be {_what(symbols)}; could not parse {text!r}{where}") from None
    except (RecursionError, MemoryError):
        raise LimitError(f"{arg} of {func} is nested too deeply (max_depth {limits.max_depth})") from None
    walker = _Walker(source, symbols, func, arg, positive_symbols, limits)
    return walker.walk(tree.body, 1).expr


class _Walker:
    """Build the sympy expression bottom-up, refusing every node outside the whitelist."""

    def __init__(self, source, symbols, func, arg, positive_symbols, limits) -> None:
        self.source = source
        self.symbols = dict(symbols)
        self.declared = frozenset(self.symbols)
        self.func, self.arg = func, arg
        self.positive_symbols = positive_symbols
        self.limits = limits

    def refuse(self, node: ast.AST, what: str) -> ExpressionError:
        col = getattr(node, "col_offset", None)
        where = f" at column {col + 1}" if col is not None else ""
        return ExpressionError(f"{self.arg} of {self.func} must be {_what(self.declared)}; got {what}{where}")

    def limit(self, message: str) -> LimitError:
        return LimitError(f"{self.arg} of {self.func}: {message}")

    def walk(self, node: ast.AST, depth: int) -> _Node:
        if depth > self.limits.max_depth:
            raise self.limit(f"nesting deeper than {self.limits.max_depth} (max_depth)")
        if isinstance(node, ast.Constant):
            value = self.number(node)
            return _Node(value, 0, max(int(value.p).bit_length(), int(value.q).bit_length()))
        if isinstance(node, ast.Name):
            return _Node(self.name(node), 0 if node.id in _CONSTANTS else 1, 1)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.walk(node.operand, depth + 1)
            return _Node(-inner.expr if isinstance(node.op, ast.USub) else inner.expr, inner.degree, inner.bits)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.refuse(node, f"unsupported syntax ({type(node).__name__})")

    def number(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.refuse(node, f"the literal {value!r}; only real numbers are allowed")
        segment = ast.get_source_segment(self.source, node) or ""
        match = _DECIMAL.fullmatch(segment)
        if match is None:
            raise self.refuse(node, f"the number {segment!r}; write plain decimals (no 0x, _ or j)")
        if match.group(1) is not None and abs(int(match.group(1))) > _MAX_DECIMAL_EXPONENT:
            raise self.limit(f"the decimal exponent of {segment} is over {_MAX_DECIMAL_EXPONENT} in absolute value")
        digits = len(segment.split("e")[0].split("E")[0])
        if 4 * (digits + abs(int(match.group(1) or 0))) > self.limits.max_bits:
            raise self.limit(f"the number {segment[:20]}... has over {self.limits.max_bits} bits (max_bits)")
        return sympy.Rational(segment)

    def name(self, node: ast.Name) -> sympy.Expr:
        name = node.id
        if name in self.symbols:
            return self.symbols[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name == "I":
            raise ExpressionError(
                f"{self.arg} of {self.func} must have real finite coefficients; got the imaginary unit I"
            )
        if name in _FUNCTIONS:
            raise self.refuse(node, f"the function {name} without an argument")
        if not self.positive_symbols or not _NAME.fullmatch(name):
            allowed = ", ".join(sorted(self.declared)) or "none"
            raise self.refuse(node, f"the name {name!r} (declared symbols: {allowed}; constants: pi, E)")
        if len(self.symbols) - len(self.declared) >= self.limits.max_symbols:
            raise self.limit(f"more than {self.limits.max_symbols} symbols other than {sorted(self.declared)} (max_symbols)")
        symbol = sympy.Symbol(name, positive=True)
        self.symbols[name] = symbol
        return symbol

    def call(self, node: ast.Call, depth: int) -> _Node:
        if not (isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS):
            called = ast.unparse(node.func)[:40]
            raise self.refuse(node, f"a call of {called} (the only function is {', '.join(_FUNCTIONS)})")
        if len(node.args) != 1 or node.keywords:
            raise self.refuse(node, f"{node.func.id} with other than one argument")
        inner = self.walk(node.args[0], depth + 1)
        return _Node(_FUNCTIONS[node.func.id](inner.expr), inner.degree, inner.bits)

    def binop(self, node: ast.BinOp, depth: int) -> _Node:
        op = node.op
        if isinstance(op, (ast.Pow, ast.BitXor)):
            return self.power(node, depth)
        if not isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            raise self.refuse(node, f"the operator {type(op).__name__}; allowed: + - * / ** ^")
        left, right = self.walk(node.left, depth + 1), self.walk(node.right, depth + 1)
        if isinstance(op, (ast.Add, ast.Sub)):
            bits = self.check_bits(max(left.bits, right.bits) + 1, node)
            expr = left.expr + right.expr if isinstance(op, ast.Add) else left.expr - right.expr
            return _Node(expr, max(left.degree, right.degree), bits)
        bits = self.check_bits(left.bits + right.bits, node)
        degree = left.degree + right.degree
        self.check_degree(degree, node)
        if isinstance(op, ast.Mult):
            return _Node(left.expr * right.expr, degree, bits)
        if right.expr.is_zero:
            raise self.refuse(node, "a division by zero")
        if right.expr.free_symbols & {self.symbols[n] for n in self.declared}:
            raise self.refuse(node, f"a division by an expression in {', '.join(sorted(self.declared))}")
        return _Node(left.expr / right.expr, degree, bits)

    def power(self, node: ast.BinOp, depth: int) -> _Node:
        base = self.walk(node.left, depth + 1)
        exponent = self.walk(node.right, depth + 1).expr
        bound = self.limits.max_exponent
        if not exponent.is_Integer:
            raise self.refuse(node, f"the exponent {exponent}; exponents must be integers")
        n = int(exponent)
        if abs(n) > bound:
            raise self.limit(f"the exponent {n} is over {bound} in absolute value (max_exponent)")
        degree = base.degree * abs(n)
        self.check_degree(degree, node)
        bits = self.check_bits(base.bits * max(abs(n), 1), node)
        if base.expr.is_zero and n < 0:
            raise self.refuse(node, "a division by zero")
        return _Node(base.expr**n, degree, bits)

    def check_degree(self, degree: int, node: ast.AST) -> None:
        if degree > self.limits.max_degree:
            raise self.limit(f"degree {degree} at column {node.col_offset + 1} is over {self.limits.max_degree} (max_degree)")

    def check_bits(self, bits: int, node: ast.AST) -> int:
        if bits > self.limits.max_bits:
            raise self.limit(
                f"the numbers built at column {node.col_offset + 1} may exceed {self.limits.max_bits} bits (max_bits)"
            )
        return bits
