"""The text syntax for reaction networks, and LaTeX output.

Grammar (one reaction per line; blank lines and ``#`` comments are ignored)::

    line     := complex arrow complex [";" rates]
    complex  := "0" | term ("+" term)*
    term     := [integer] name           # "2X", "2 X" or "X"
    arrow    := "->" | "<->"             # "<->" is a reversible pair
    rates    := rate ["," rate]          # two rates for "<->" (forward, backward)
    rate     := positive number | parameter name   (default 1)

Species names start with a letter and contain letters, digits, ``_`` and
``'``. Errors name the line, the column and what was expected.

Examples
--------
>>> from rxnn import ReactionNetwork
>>> net = ReactionNetwork.from_text("X + Y + E -> 2Y + E ; k1\\nY + F -> X + F ; k2")
>>> net.rate_parameters
('k1', 'k2')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rxnn.crn.model import NetworkError, Reaction, format_rate

__all__ = ["parse_network", "TextSyntaxError", "network_to_latex"]

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<arrow><->|->)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z][A-Za-z0-9_']*)
  | (?P<plus>\+)
  | (?P<semi>;)
  | (?P<comma>,)
    """,
    re.VERBOSE,
)


class TextSyntaxError(NetworkError):
    """A line of reaction-network text could not be parsed.

    Attributes
    ----------
    line, column : int
        1-based position of the problem.
    """

    def __init__(self, message: str, line: int, column: int, text: str) -> None:
        self.line, self.column, self.text = line, column, text
        pointer = " " * (column - 1) + "^"
        super().__init__(f"line {line}, column {column}: {message}\n    {text}\n    {pointer}")


@dataclass
class _Tok:
    kind: str
    text: str
    col: int  # 1-based


def _tokenize(line: str, lineno: int) -> list[_Tok]:
    toks, pos = [], 0
    while pos < len(line):
        m = _TOKEN.match(line, pos)
        if m is None:
            raise TextSyntaxError(
                f"unexpected character {line[pos]!r}; expected a species, a number, '+', '->', '<->', ';' or ','",
                lineno, pos + 1, line,
            )
        if m.lastgroup != "ws":
            toks.append(_Tok(m.lastgroup, m.group(), pos + 1))
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
                if not re.fullmatch(r"\d+", tok.text) or int(tok.text) == 0:
                    raise TextSyntaxError(
                        f"a coefficient must be a positive integer; got {tok.text!r}", self.lineno, tok.col, self.line
                    )
                coef = int(tok.text)
                tok = self.take()
            if tok.kind != "name":
                raise self.error(tok, "a species name" if coef != 1 else "a species name or '0'")
            counts[tok.text] = counts.get(tok.text, 0) + coef
            if self.peek().kind != "plus":
                return counts
            self.take()

    def rate(self):
        tok = self.take()
        if tok.kind == "name":
            if "'" in tok.text:
                raise TextSyntaxError("a parameter name cannot contain \"'\"", self.lineno, tok.col, self.line)
            return tok.text
        if tok.kind == "number":
            value = float(tok.text)
            if not math.isfinite(value) or value <= 0:
                raise TextSyntaxError(
                    f"a rate constant must be positive and finite; got {tok.text}", self.lineno, tok.col, self.line
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
        raise TypeError(f"text of ReactionNetwork.from_text must be a str; got {type(text).__name__}")
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

