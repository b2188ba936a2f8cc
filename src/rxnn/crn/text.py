"""The text syntax for reaction networks, and LaTeX output.

Grammar (one reaction per line; blank lines and ``#`` comments are ignored)::

    line     := complex arrow complex [";" rates]
    complex  := "0" | term ("+" term)*
    term     := [integer] name           # "2X", "2 X" or "X"
    arrow    := "->" | "<->"             # "<->" is a reversible pair
    rates    := rate ["," rate]          # two rates for "<->" (forward, backward)
    rate     := positive number | parameter name   (default 1)

Species names start with a letter and contain letters, digits, ``_`` and
``'``. A coefficient is the run of digits before a name, a positive integer
of at most :data:`~rxnn.crn.model.MAX_COEFFICIENT` (10**6, the limit JSON and
SBML share): ``2E1`` is two of species ``E1`` (never the number 20), and
``2e5X`` is two of ``e5X``; so every name, ``E1``, ``e2``, ``inf`` and ``nan``
included, reads back exactly as :meth:`~rxnn.crn.network.ReactionNetwork.to_text`
writes it. Numbers in scientific notation belong to the rates, after ``;``.
Errors name the line, the column and what was expected.

Examples
--------
>>> from rxnn import ReactionNetwork
>>> net = ReactionNetwork.from_text("X + Y + E -> 2Y + E ; k1\\nY + F -> X + F ; k2")
>>> net.rate_parameters
('k1', 'k2')
>>> ReactionNetwork.from_text("2E1 -> 0 ; 2E1").to_text()  # two E1, rate 20
'2E1 -> 0 ; 20\\n'
"""

from __future__ import annotations

import math
import re
import sys
from array import array
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from rxnn._type_error import wrong_type
from rxnn.crn.model import MAX_COEFFICIENT, NetworkError, format_complex, format_rate

_LARGEST_FLOAT = sys.float_info.max

__all__ = ["parse_network", "TextSyntaxError", "network_to_latex"]

# Before the first ';' (the complexes) a number is a coefficient: digits only, so "2E1" is 2 x E1 and
# "2e5X" is 2 x e5X. After it (the rates) a number is a float literal with an optional sign, so that
# "1e-3" is 0.001 and "-1" is refused as a negative rate rather than as an unexpected character.
_TOKEN_TEMPLATE = r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<arrow><->|->)
  | (?P<number>NUMBER)
  | (?P<name>[A-Za-z][A-Za-z0-9_']*)
  | (?P<plus>\+)
  | (?P<semi>;)
  | (?P<comma>,)
  | (?P<bad>.)
    """


def _tokenizer(number: str) -> re.Pattern[str]:
    """The token pattern with ``number`` as the form of a number (the only difference between the two parts)."""
    return re.compile(_TOKEN_TEMPLATE.replace("NUMBER", number), re.VERBOSE | re.DOTALL)


_COMPLEX_TOKEN = _tokenizer(r"\d+(?:\.\d*)?|\.\d+")
_RATE_TOKEN = _tokenizer(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Digits of the largest coefficient; longer digit strings are refused before int() sees them.
_COEFFICIENT_DIGITS = len(str(MAX_COEFFICIENT))


class TextSyntaxError(NetworkError):
    """A line of reaction-network text could not be parsed.

    Attributes
    ----------
    line, column : int
        1-based position of the problem.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> try:
    ...     ReactionNetwork.from_text("A -> B\\nA => C")
    ... except TextSyntaxError as exc:
    ...     print(isinstance(exc, ValueError), str(exc).splitlines()[0][:30])
    True line 2, column 3: unexpected c
    """

    def __init__(self, message: str, line: int, column: int, text: str) -> None:
        self.line, self.column, self.text = line, column, text
        shown, offset = _window(text, column - 1)
        pointer = " " * offset + "^"
        super().__init__(f"line {line}, column {column}: {message}\n    {shown}\n    {pointer}")


def _window(text: str, index: int, width: int = 80) -> tuple[str, int]:
    """At most ``width`` characters of ``text`` around ``index`` (with "..." where cut), and its offset there."""
    if len(text) <= width:
        return text, index
    start = max(0, min(index - width // 2, len(text) - width))
    head = "..." if start else ""
    tail = "..." if start + width < len(text) else ""
    return head + text[start : start + width] + tail, len(head) + index - start


@dataclass
class _Tok:
    kind: str
    text: str
    col: int  # 1-based


def _tokenize(line: str, lineno: int) -> list[_Tok]:
    cut = line.find(";")
    parts = [(line, 0, _COMPLEX_TOKEN)] if cut < 0 else [(line[:cut], 0, _COMPLEX_TOKEN), (line[cut:], cut, _RATE_TOKEN)]
    toks = []
    for part, offset, pattern in parts:
        for m in pattern.finditer(part):  # every character matches some group, "bad" last
            kind = m.lastgroup
            if kind == "ws":
                continue
            if kind == "bad":
                raise TextSyntaxError(
                    f"unexpected character {m.group()!r}; expected a species, a number, '+', '->', '<->', ';' or ','",
                    lineno, offset + m.start() + 1, line,
                )
            toks.append(_Tok(kind, m.group(), offset + m.start() + 1))
    toks.append(_Tok("end", "", len(line) + 1))
    return toks


class _LineParser:
    def __init__(self, line: str, lineno: int) -> None:
        self.line, self.lineno = line, lineno
        self.toks = _tokenize(line, lineno)
        self.i = 0

    def error(self, tok: _Tok, expected: str) -> TextSyntaxError:
        found = "end of line" if tok.kind == "end" else repr(tok.text)
        return TextSyntaxError(f"expected {expected}, found {found}", self.lineno, tok.col, self.line)

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def complex(self) -> dict[str, int]:
        tok = self.peek()
        if tok.kind == "number" and tok.text == "0" and self.toks[self.i + 1].kind != "name":
            self.take()
            return {}
        counts: dict[str, int] = {}
        while True:
            coef = 1
            tok = self.take()
            if tok.kind == "number":
                coef = self.coefficient(tok)
                tok = self.take()
            if tok.kind != "name":
                raise self.error(tok, "a species name" if coef != 1 else "a species name or '0'")
            counts[tok.text] = counts.get(tok.text, 0) + coef
            if counts[tok.text] > MAX_COEFFICIENT:
                raise TextSyntaxError(
                    f"coefficient of {tok.text} must be at most MAX_COEFFICIENT = {MAX_COEFFICIENT}; "
                    f"got {counts[tok.text]}", self.lineno, tok.col, self.line,
                )
            if self.peek().kind != "plus":
                return counts
            self.take()

    def coefficient(self, tok: _Tok) -> int:
        """A stoichiometric coefficient: a positive integer of at most MAX_COEFFICIENT."""
        if not tok.text.isdigit() or not tok.text.strip("0"):
            raise TextSyntaxError(
                f"a coefficient must be a positive integer; got {tok.text!r}", self.lineno, tok.col, self.line
            )
        digits = tok.text.lstrip("0")
        if len(digits) > _COEFFICIENT_DIGITS or int(digits) > MAX_COEFFICIENT:
            shown = digits if len(digits) <= 30 else f"{digits[:12]}... ({len(digits)} digits)"
            raise TextSyntaxError(
                f"a coefficient must be at most MAX_COEFFICIENT = {MAX_COEFFICIENT}; got {shown}",
                self.lineno, tok.col, self.line,
            )
        return int(digits)

    def rate(self):
        tok = self.take()
        if tok.kind == "name":
            if "'" in tok.text:
                raise TextSyntaxError("a parameter name cannot contain \"'\"", self.lineno, tok.col, self.line)
            return tok.text
        if tok.kind == "number":
            value = float(tok.text)  # never raises: the token is a float literal; too large gives inf
            shown = tok.text if len(tok.text) <= 30 else f"{tok.text[:12]}... ({len(tok.text)} characters)"
            if value <= 0:
                raise TextSyntaxError(
                    f"rates must be positive; got {shown} (a rate is a positive finite number or a parameter name)",
                    self.lineno, tok.col, self.line,
                )
            if not math.isfinite(value):
                raise TextSyntaxError(
                    f"a rate constant must be a positive finite number (at most {_LARGEST_FLOAT:.17g}); got {shown}",
                    self.lineno, tok.col, self.line,
                )
            return value
        raise self.error(tok, "a rate constant (a positive number or a parameter name)")

    def reactions(self) -> list[tuple[dict[str, int], dict[str, int], float | str]]:
        source = self.complex()
        arrow = self.take()
        if arrow.kind != "arrow":
            raise self.error(arrow, "'+', '->' or '<->'")
        target = self.complex()
        rates: list = []
        if self.peek().kind == "semi":
            self.take()
            rates.append(self.rate())
            while self.peek().kind == "comma":
                self.take()
                rates.append(self.rate())
        end = self.take()
        if end.kind != "end":
            raise self.error(end, "'+', ';' or end of line" if not rates else "',' or end of line")
        reversible = arrow.text == "<->"
        wanted = 2 if reversible else 1
        if rates and len(rates) != wanted:
            what = "two rates (forward, backward)" if reversible else "one rate"
            raise TextSyntaxError(
                f"'{arrow.text}' takes {what}; got {len(rates)}", self.lineno, arrow.col, self.line
            )
        rates = rates or [1.0] * wanted
        if source == target:
            raise TextSyntaxError(
                f"reaction {format_complex(source)} -> {format_complex(target)} goes from a complex to itself, "
                "which Def. 2.1 forbids", self.lineno, 1, self.line,
            )
        out = [(source, target, rates[0])]
        if reversible:
            out.append((target, source, rates[1]))
        return out


class _Columns:
    """Reactions accumulated column-wise in typed arrays (8 bytes per entry), as from_matrices takes them."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.cells = {side: (array("q"), array("q"), array("q")) for side in ("reactants", "products")}
        self.rates: list[float | str] = []

    def add(self, source: dict[str, int], target: dict[str, int], rate: float | str) -> None:
        j = len(self.rates)
        for side, counts in (("reactants", source), ("products", target)):
            rows, cols, vals = self.cells[side]
            for name, coef in counts.items():
                rows.append(self.index.setdefault(name, len(self.index)))
                cols.append(j)
                vals.append(coef)
        self.rates.append(rate)

    def network(self):
        from rxnn.crn.network import ReactionNetwork

        shape = (len(self.index), len(self.rates))
        mats = [
            sp.csc_matrix((np.frombuffer(vals, np.int64), (np.frombuffer(rows, np.int64), np.frombuffer(cols, np.int64))),
                          shape=shape)
            for rows, cols, vals in self.cells.values()
        ]
        numeric = all(isinstance(r, float) for r in self.rates)
        rates = np.array(self.rates, dtype=np.float64) if numeric else self.rates
        return ReactionNetwork.from_matrices(tuple(self.index), mats[0], mats[1], rates)


def parse_network(text: str):
    """Parse reaction-network text into a :class:`~rxnn.crn.network.ReactionNetwork`.

    Raises
    ------
    TextSyntaxError
        With the line and column of the first problem and what was expected.
    NetworkError
        If a reaction is given twice with different rates.

    Notes
    -----
    Reactions are gathered column-wise in typed arrays and built with
    :meth:`~rxnn.crn.network.ReactionNetwork.from_matrices`, so time is linear
    in the text and memory at most about 30 bytes per byte of text (measured
    for the worst case, a new species on every short line: 1M lines, 12.9 MB,
    +355 MB; building Reaction objects took 60 bytes per byte).

    Examples
    --------
    >>> net = parse_network("X + Y -> 2Y ; 0.5   # autocatalysis\\nY -> 0")
    >>> net.species, net.rates
    (('X', 'Y'), (0.5, 1.0))
    """
    if not isinstance(text, str):
        raise wrong_type("text", "ReactionNetwork.from_text", "a str", text)
    columns = _Columns()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        for source, target, rate in _LineParser(line.rstrip(), lineno).reactions():
            columns.add(source, target, rate)
    return columns.network()


def _latex_name(name: str) -> str:
    base, primes = name.rstrip("'"), "'" * (len(name) - len(name.rstrip("'")))
    m = re.fullmatch(r"([A-Za-z]+)_?(\d[\w]*)?", base)
    if m and m.group(2):
        return f"{m.group(1)}_{{{m.group(2).replace('_', ',')}}}{primes}"
    return base.replace("_", r"\_") + primes


def _latex_complex(counts) -> str:
    terms = [(f"{c}" if c != 1 else "") + _latex_name(n) for n, c in counts.items()]
    return " + ".join(terms) if terms else "0"


def network_to_latex(network) -> str:
    """The reactions as a LaTeX ``align*`` environment, rate constants over the arrows.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> print(network_to_latex(ReactionNetwork.from_text("X + Y -> 2Y ; k1\\nY -> 0")))
    \\begin{align*}
    X + Y &\\xrightarrow{k_{1}} 2Y \\\\
    Y &\\rightarrow 0
    \\end{align*}
    <BLANKLINE>
    """
    lines = []
    for r in network.reactions:
        rate = r.rate if isinstance(r.rate, str) else format_rate(r.rate)
        rate = re.sub(r"^([A-Za-z]+)(\d+)$", r"\1_{\2}", rate) if isinstance(r.rate, str) else rate
        arrow = r"\rightarrow" if r.rate == 1.0 else f"\\xrightarrow{{{rate}}}"
        lines.append(f"{_latex_complex(r.reactants)} &{arrow} {_latex_complex(r.products)}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"

