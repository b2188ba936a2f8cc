"""Fuzzing the JSON reader: any document, any bytes, any mutation of a valid file ends in a network or an RxnnError."""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rxnn import ReactionNetwork
from rxnn.errors import RxnnError
from rxnn.io.json_format import from_json_dict, read_json, to_json_dict

VALID = to_json_dict(ReactionNetwork.from_text("X + Y -> 2Y ; 1.5\nY -> 0 ; k1\n2E1 -> X"), {"X": 1.0, "E1": 0.5})
VALID_BYTES = json.dumps(VALID).encode()

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=False), st.text(max_size=8), st.sampled_from(["rxnn-network", "X", "k1", "E1", "inf"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)


def _replace(data, path, value):
    """A deep copy of ``data`` with the entry at ``path`` (a list of keys/indices) set to ``value``."""
    data = json.loads(json.dumps(data))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


PATHS = [
    ["format"], ["version"], ["species"], ["species", 0], ["reactions"], ["reactions", 0],
    ["reactions", 0, "reactants"], ["reactions", 0, "reactants", "X"], ["reactions", 0, "products"],
    ["reactions", 0, "rate"], ["reactions", 1, "rate"], ["initial"], ["initial", "X"], ["extra"],
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATHS), values)
@example(["reactions", 0, "rate"], 10**400)
@example(["reactions", 0, "reactants", "X"], 2**63)
@example(["initial", "X"], -(10**400))
def test_any_value_anywhere_gives_a_network_or_an_rxnn_error(path, value):
    try:
        network, initial = from_json_dict(_replace(VALID, path, value))
    except RxnnError:
        return
    assert isinstance(network, ReactionNetwork) and all(v >= 0 for v in initial.values())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
@example(b"[" * 10_000)
@example(b'{"a": 1, "a": 2}')
@example(b"1" * 5000)
def test_any_bytes_give_an_rxnn_error_or_a_network(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("json") / "m.json"
    path.write_bytes(content)
    try:
        read_json(path)
    except RxnnError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(VALID_BYTES) - 1), st.integers(0, 255)), min_size=1, max_size=4),
       st.integers(1, len(VALID_BYTES)))
def test_mutated_valid_file_gives_a_network_or_an_rxnn_error(tmp_path_factory, changes, keep):
    content = bytearray(VALID_BYTES)
    for position, byte in changes:
        content[position] = byte
    path = tmp_path_factory.mktemp("json") / "m.json"
    path.write_bytes(bytes(content[:keep]))
    try:
        read_json(path)
    except RxnnError:
        pass
