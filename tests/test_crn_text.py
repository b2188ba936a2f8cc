"""The text syntax: parsing, canonical writing, round trips and errors."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxnn import ReactionNetwork, TextSyntaxError


def test_syntax_features():
    net = ReactionNetwork.from_text(
        """
        # a comment line
        2X + Y -> 0 ; 0.5      # trailing comment
        2 X -> X'              # space between coefficient and name, primed name
        A <-> B ; 1, 2.5
        Y + F -> X + F ; k2
        """
    )
    rs = [str(r) for r in net.reactions]
    assert rs == ["2X + Y -> 0 ; 0.5", "2X -> X'", "A -> B", "B -> A ; 2.5", "Y + F -> X + F ; k2"]
    assert net.rate_parameters == ("k2",)


def test_to_text_is_canonical():
    a = ReactionNetwork.from_text("X+Y->2 Y;1\n  Y -> 0 ;0.25")
    assert a.to_text() == "X + Y -> 2Y\nY -> 0 ; 0.25\n"
    assert ReactionNetwork.from_text(a.to_text()).to_text() == a.to_text()


def test_to_latex():
    tex = ReactionNetwork.from_text("X1 + X2 -> 2X2 ; k1\nX2 -> X1").to_latex()
    assert r"X_{1} + X_{2} &\xrightarrow{k_{1}} 2X_{2}" in tex
    assert r"X_{2} &\rightarrow X_{1}" in tex


names = st.sampled_from(["A", "B", "X1", "X'", "W_p1", "E", "I"])
complexes = st.dictionaries(names, st.integers(1, 3), max_size=3)
rates = st.one_of(st.floats(1e-6, 1e6, allow_nan=False), st.sampled_from(["k1", "kappa_2"]))


@st.composite
def networks(draw):
    reactions = {}
    for _ in range(draw(st.integers(1, 6))):
        source, target = draw(complexes), draw(complexes)
        if source == target or (not source and not target):
            continue
        key = (tuple(sorted(source.items())), tuple(sorted(target.items())))
        reactions[key] = draw(rates)
    from rxnn import Reaction

    if not reactions:
        reactions[((("A", 1),), ())] = 1.0
    return ReactionNetwork([Reaction(dict(s), dict(t), r) for (s, t), r in reactions.items()])


@settings(max_examples=60, deadline=None)
@given(networks())
def test_round_trip_for_every_network(net):
    assert ReactionNetwork.from_text(net.to_text()) == net
    assert ReactionNetwork.from_text(net.to_text()).to_text() == net.to_text()


@pytest.mark.parametrize(
    "text, line, column, expected",
    [
        ("X -> Y\nX + -> Y", 2, 5, "expected a species name or '0', found '->'"),
        ("X => Y", 1, 3, "unexpected character '='"),
        ("X Y -> Z", 1, 3, "expected '\\+', '->' or '<->', found 'Y'"),
        ("X -> Y ; -1", 1, 10, "unexpected character '-'"),
        ("X -> Y ; 0", 1, 10, "rate constant must be positive"),
        ("X -> Y ; 1, 2", 1, 3, "'->' takes one rate; got 2"),
        ("A <-> B ; 3", 1, 3, "'<->' takes two rates"),
        ("2.5X -> Y", 1, 1, "coefficient must be a positive integer"),
        ("X -> X", 1, 1, "from a complex to itself"),
        ("X -> Y ;", 1, 9, "expected a rate constant"),
        ("X -> Y Z", 1, 8, "expected '\\+', ';' or end of line, found 'Z'"),
        ("_X -> Y", 1, 1, "unexpected character '_'"),
    ],
)
def test_parse_errors_name_line_column_and_expectation(text, line, column, expected):
    with pytest.raises(TextSyntaxError, match=expected) as info:
        ReactionNetwork.from_text(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert f"line {line}, column {column}" in str(info.value)
