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
from dataclasses import dataclass

from rxnn._type_error import wrong_type
from rxnn.crn.model import MAX_COEFFICIENT, NetworkError, Reaction, format_rate

_LARGEST_FLOAT = sys.float_info.max

__all__ = ["parse_network", "TextSyntaxError", "network_to_latex"]

# Before the first ';' (the complexes) a number is a coefficient: digits only, so "2E1" is 2 x E1 and
# "2e5X" is 2 x e5X. After it (the rates) a number is a float literal with an optional sign, so that
# "1e-3" is 0.001 and "-1" is refused as a negative rate rather than as an unexpected character.
_COMPLEX_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<arrow><->|->)
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<name>[A-Za-z][A-Za-z0-9_']*)
  | (?P<plus>\+)
  | (?P<semi>;)
  | (?P<comma>,)
    """,
    re.VERBOSE,
)
_RATE_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<arrow><->|->)
  | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z][A-Za-z0-9_']*)
  | (?P<plus>\+)
  | (?P<semi>;)
  | (?P<comma>,)
    """,
    re.VERBOSE,
)
# Digits of the largest coefficient; longer digit strings are refused before int() sees them.
_COEFFICIENT_DIGITS = len(str(MAX_COEFFICIENT))


class TextSyntaxError(NetworkError):
    """A line of reaction-network text could not be parsed.

    Attributes
    ----------
    line, column : int
        1-based position of the problem.
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
    toks, pos, pattern = [], 0, _COMPLEX_TOKEN
    while pos < len(line):
        m = pattern.match(line, pos)
        if m is None:
            raise TextSyntaxError(
                f"unexpected character {line[pos]!r}; expected a species, a number, '+', '->', '<->', ';' or ','",
                lineno, pos + 1, line,
            )
        if m.lastgroup != "ws":
            toks.append(_Tok(m.lastgroup, m.group(), pos + 1))
        if m.lastgroup == "semi":
            pattern = _RATE_TOKEN
        pos = m.end()
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

    def reactions(self) -> list[Reaction]:
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
        try:
            out = [Reaction(source, target, rates[0])]
            if reversible:
                out.append(Reaction(target, source, rates[1]))
        except NetworkError as exc:
            raise TextSyntaxError(str(exc), self.lineno, 1, self.line) from None
        return out


def parse_network(text: str):
    """Parse reaction-network text into a :class:`~rxnn.crn.network.ReactionNetwork`.

    Raises
    ------
    TextSyntaxError
        With the line and column of the first problem and what was expected.
    """
    from rxnn.crn.network import ReactionNetwork

    if not isinstance(text, str):
        raise wrong_type("text", "ReactionNetwork.from_text", "a str", text)
    reactions: list[Reaction] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        reactions.extend(_LineParser(line.rstrip(), lineno).reactions())
    return ReactionNetwork(reactions)


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
    """The reactions as a LaTeX ``align*`` environment, rate constants over the arrows."""
    lines = []
    for r in network.reactions:
        rate = r.rate if isinstance(r.rate, str) else format_rate(r.rate)
        rate = re.sub(r"^([A-Za-z]+)(\d+)$", r"\1_{\2}", rate) if isinstance(r.rate, str) else rate
        arrow = r"\rightarrow" if r.rate == 1.0 else f"\\xrightarrow{{{rate}}}"
        lines.append(f"{_latex_complex(r.reactants)} &{arrow} {_latex_complex(r.products)}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"

