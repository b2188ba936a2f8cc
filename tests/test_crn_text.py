"""The text syntax: parsing, canonical writing, round trips and errors."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numpy as np

from rxnn import ReactionNetwork, TextSyntaxError
from rxnn.crn.model import NetworkError, Reaction


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
        ("X -> Y ; -1", 1, 10, r"rates must be positive; got -1"),  # issue 11: was "unexpected character '-'"
        ("X -> Y ; 0", 1, 10, r"rates must be positive; got 0"),
        ("X -> Y ; -1e-3", 1, 10, r"rates must be positive; got -1e-3"),
        ("X -> Y ; 1e400", 1, 10, r"a rate constant must be a positive finite number \(at most 1\.79"),
        ("X -> Y ; 1" + "0" * 400, 1, 10, r"positive finite number .*got 100000000000\.\.\. \(401 characters\)"),
        ("1000000000X -> Y", 1, 1, r"a coefficient must be at most MAX_COEFFICIENT = 1000000; got 1000000000"),
        ("9223372036854775808X -> Y", 1, 1, r"at most MAX_COEFFICIENT = 1000000; got 9223372036854775808"),
        ("1" + "0" * 5000 + "X -> Y", 1, 1, r"at most MAX_COEFFICIENT = 1000000; got 100000000000\.\.\. \(5001 digits\)"),
        ("600000X + 600000X -> Y", 1, 17, r"coefficient of X must be at most MAX_COEFFICIENT = 1000000; got 1200000"),
        ("0X -> Y", 1, 1, "coefficient must be a positive integer; got '0'"),
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


@pytest.mark.parametrize("name", ["E1", "e2", "E1e", "e1X", "E10_x", "inf", "nan", "Inf", "e", "E", "X'", "e1'"])
@pytest.mark.parametrize("coefficient", [1, 2, 10, 1000000])
def test_names_that_look_like_numbers_round_trip(name, coefficient):
    # Issue 11: from_text("2 E1 -> 0").to_text() was "2E1 -> 0", which from_text refused.
    net = ReactionNetwork([Reaction({name: coefficient}, {}, 0.5), Reaction({}, {name: 1, "Y": 2}, 3e-7)])
    text = net.to_text()
    assert ReactionNetwork.from_text(text) == net
    assert ReactionNetwork.from_text(text).reactions[0].reactants == {name: coefficient}


def test_coefficient_digits_before_a_name_are_the_coefficient():
    net = ReactionNetwork.from_text("2E1 -> 0\n2 E1 + 3e5 -> E1")
    assert net.reactions[0].reactants == {"E1": 2}
    assert net.reactions[1].reactants == {"E1": 2, "e5": 3}
    assert ReactionNetwork.from_text("2E1 -> 0").to_text() == "2E1 -> 0\n"


def test_rates_after_the_semicolon_keep_scientific_notation():
    net = ReactionNetwork.from_text("X -> Y ; 2E1\nY -> X ; 1e-300\nX -> 0 ; +5")
    assert net.rates == (20.0, 1e-300, 5.0)


def test_coefficient_limit_is_the_one_json_and_the_constructors_use():
    from rxnn.crn.model import MAX_COEFFICIENT

    ok = ReactionNetwork.from_text(f"{MAX_COEFFICIENT}X -> Y")
    assert ok.reactions[0].reactants == {"X": MAX_COEFFICIENT}
    with pytest.raises(NetworkError, match="at most MAX_COEFFICIENT = 1000000"):
        Reaction({"X": MAX_COEFFICIENT + 1}, {})
    with pytest.raises(NetworkError, match="reactant coefficients must be at most MAX_COEFFICIENT = 1000000"):
        ReactionNetwork.from_matrices(["X"], [[MAX_COEFFICIENT + 1]], [[0]])
    with pytest.raises(NetworkError, match="reactant coefficients must be at most"):
        ReactionNetwork.from_matrices(["X"], np.array([[2**63 - 1]]), [[0]])


@pytest.mark.parametrize("rate", [10**400, -(10**400), float("inf"), float("nan"), 0, -1.0, True, [1.0]])
def test_bad_rates_of_reactions_are_refused_cleanly(rate):
    with pytest.raises(NetworkError, match="must be a positive finite number or a parameter name"):
        Reaction({"X": 1}, {}, rate)


def test_from_text_refuses_non_strings_as_rxnn_type_error():
    from rxnn.errors import RxnnError

    with pytest.raises(TypeError, match="text of ReactionNetwork.from_text must be a str; got bytes") as info:
        ReactionNetwork.from_text(b"X -> Y")
    assert isinstance(info.value, RxnnError)
