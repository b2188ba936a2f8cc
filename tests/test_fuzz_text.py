"""Fuzzing the text syntax: round trips over generated networks, and arbitrary text never escapes RxnnError.

Bounded for the suite's time budget: a few hundred examples, no deadline.
"""

from __future__ import annotations

import sys
import time

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rxnn import Reaction, ReactionNetwork
from rxnn.crn.model import MAX_COEFFICIENT
from rxnn.errors import RxnnError

# Names that look like numbers or float words are the point (issue 11: "2 E1 -> 0").
tricky_names = st.sampled_from(["E1", "e2", "E1e", "e10_x", "E", "e", "inf", "nan", "Inf", "NaN", "X'", "e1'", "E1E1"])
random_names = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_']{0,6}\Z")
species_names = st.one_of(tricky_names, random_names)
coefficients = st.one_of(st.integers(1, 3), st.integers(1, MAX_COEFFICIENT), st.just(MAX_COEFFICIENT))
rates = st.one_of(
    st.floats(min_value=5e-324, max_value=sys.float_info.max, allow_nan=False, allow_infinity=False),
    st.sampled_from([5e-324, 2.2250738585072014e-308, 1e-300, 1.0, 1e15, 1e16, 1.7976931348623157e308, 0.1]),
    st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,5}\Z"),
)
complexes = st.dictionaries(species_names, coefficients, max_size=3)


@st.composite
def networks(draw):
    reactions = {}
    for _ in range(draw(st.integers(0, 6))):
        source, target = draw(complexes), draw(complexes)
        if source == target:
            continue
        key = (tuple(sorted(source.items())), tuple(sorted(target.items())))
        reactions.setdefault(key, draw(rates))
    return ReactionNetwork([Reaction(dict(s), dict(t), r) for (s, t), r in reactions.items()])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
@example(ReactionNetwork([Reaction({"E1": 2}, {})]))
@example(ReactionNetwork([Reaction({"inf": 1, "nan": 3}, {"e2": 1}, 5e-324)]))
def test_round_trip_for_generated_networks(net):
    text = net.to_text()
    back = ReactionNetwork.from_text(text)
    assert back == net
    assert back.rates == net.rates  # exact floats, tiny and huge ones included
    assert back.to_text() == text


# The parser's alphabet plus characters that break it: every text must parse or raise an RxnnError.
alphabet = st.sampled_from(list("XYEe0123456789 +-<>;,.#'_\t\n") + ["->", "<->", "E1", "1e400", "\u00b2", "\x00"])


@settings(max_examples=400, deadline=None)
@given(st.lists(alphabet, max_size=40).map("".join))
@example("X -> Y ; -1")
@example("1000000000X -> Y")
@example("9223372036854775808X -> Y")
@example("X -> Y ; 1e400")
def test_arbitrary_text_parses_or_raises_an_rxnn_error(text):
    try:
        net = ReactionNetwork.from_text(text)
    except RxnnError:
        return
    assert ReactionNetwork.from_text(net.to_text()) == net


def test_long_inputs_parse_in_linear_time():
    # 20,000 reactions with long names and huge digit strings: bounded time, no quadratic blow-up.
    lines = [f"X{i} + 2E{i} -> Y{i} ; 1e-{i % 300}" for i in range(20_000)]
    start = time.perf_counter()
    net = ReactionNetwork.from_text("\n".join(lines))
    assert net.n_reactions == 20_000
    try:
        ReactionNetwork.from_text("1" * 1_000_000 + "X -> Y")
    except RxnnError as exc:
        assert "MAX_COEFFICIENT" in str(exc) and len(str(exc)) < 1_000_000
    assert time.perf_counter() - start < 30
