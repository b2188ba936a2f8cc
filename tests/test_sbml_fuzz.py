"""Fuzzing the SBML and Antimony readers with mutated valid documents (issue 11).

Property: every input either reads or raises an rxnn error (RxnnError); nothing else escapes and nothing
hangs (each example is bounded by hypothesis' example count, and the readers' own limits on size, depth and
function inlining). Bounded to keep the suite within its time budget.
"""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rxnn import ReactionNetwork
from rxnn.errors import RxnnError
from rxnn.io.antimony import antimony_string, read_antimony_string
from rxnn.io.sbml import read_sbml_string, sbml_string
from test_sbml import ap, ci, cn, document, param, reaction, species

BASE = ReactionNetwork.from_text("X' + X -> 2X ; 0.5\nA + B -> C ; k1\n2C -> 0 ; 3\n0 -> A ; 1e-3")
SBML = sbml_string(BASE, {"X'": 1.0, "A": 2.0})
RICH = document(
    [species("A", 1), species("B", 2, boundary=True), species("P", None, substance=True, extra=' initialAmount="5"')],
    [reaction("r1", [("A", 1)], [("P", 1)], ap("times", ci("c"), ap("minus", ap("times", ci("k"), ci("A")),
                                                                   ap("times", ci("k"), cn(0.5), ci("P"))))),
     reaction("r2", [("P", 2)], [], ap("divide", ap("times", ci("k"), ci("P"), ap("minus", ci("P"), cn(1))), cn(2)))],
    parameters=param("k", 2) + param("q"),
    extra='<listOfInitialAssignments><initialAssignment symbol="q"><math xmlns="http://www.w3.org/1998/Math/MathML">'
          + ap("times", ci("k"), cn("3", "integer")) + "</math></initialAssignment></listOfInitialAssignments>",
)
ANTIMONY = antimony_string(BASE, {"X'": 1.0, "A": 2.0})

TOKENS = ["<", ">", "/", '"', "'", "=", "<apply>", "</apply>", "<ci>", "</ci>", "<cn>", "</cn>", "<sep/>", "<times/>",
          "<divide/>", "<power/>", "<minus/>", "<plus/>", "0", "-1", "1e999", "1_0", "\u00b2", "NaN", "INF", "TRUE",
          "&amp;", "&#0;", "&#x10FFFF;", "<species/>", "<reaction>", "<lambda>", "<bvar>", "<piecewise>",
          'encoding="shift_jis"', 'encoding="punycode"', "<!DOCTYPE x>", "X_prime", "k", "A", "P", "c", "\x00", "\ud800",
          "=>", "->", ";", ":", "*", "^", "+", "import", "model", "end", "species", "const", "is", "\n", "//", "/*"]


@st.composite
def mutated(draw, base: str):
    text = base
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 12)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        token = draw(st.sampled_from(TOKENS))
        if kind == "insert":
            text = text[:i] + token + text[i:]
        elif kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "replace":
            text = text[:i] + token + text[j:]
        else:
            text = text[:i] + text[i:j] * 2 + text[j:]
    return text


def _only_rxnn_errors(read, text) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            read(text)
        except RxnnError:
            pass


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated(SBML), mutated(RICH)))
def test_mutated_sbml_reads_or_raises_an_rxnn_error(text):
    _only_rxnn_errors(read_sbml_string, text)
    _only_rxnn_errors(read_sbml_string, text.encode("utf-8", errors="surrogatepass"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(ANTIMONY))
def test_mutated_antimony_reads_or_raises_an_rxnn_error(text):
    # Texts outside rxnn's subset go to the antimony package in a child process with a deadline.
    _only_rxnn_errors(lambda t: read_antimony_string(t, timeout=20), text)
