"""Antimony: import statements are refused unread (issue 11); rxnn's own reader of its subset (issue 14).

The fast reader is checked against a second method, the antimony package's own conversion to SBML
read by rxnn's SBML reader, on the reference networks.
"""

from __future__ import annotations

import os
import warnings

import pytest

from reference_networks import EXAMPLE_2_2, EXAMPLE_2_3, EXAMPLE_5_2, NETWORK_17
from rxnn import ReactionNetwork
from rxnn.compile import compile_network
from rxnn.io import antimony as module
from rxnn.io._antimony_read import read_rxnn_subset
from rxnn.io.antimony import (
    SLOW_READ_REACTIONS,
    AntimonyError,
    AntimonyWarning,
    antimony_string,
    read_antimony,
    read_antimony_string,
)
from rxnn.nn import FeedForwardNetwork, SmoothReLU

SECRET = 'db_password = "hunter2";\n'


@pytest.mark.parametrize("statement", ['import "{path}"', "  import   '{path}'", 'model m\n  import "{path}"\nend'])
def test_import_statements_are_refused_naming_the_line_and_nothing_is_read(tmp_path, statement):
    secret = tmp_path / "secret.ant"
    secret.write_text(SECRET)
    fifo = tmp_path / "pipe.ant"
    os.mkfifo(fifo)  # if anything opened it for reading, the test would hang instead of passing
    for path in (secret, fifo):
        text = "// a model\n" + statement.format(path=path) + "\n"
        with pytest.raises(AntimonyError, match=r"line \d: an Antimony import statement; rxnn never reads") as info:
            read_antimony_string(text)
        assert "hunter2" not in str(info.value) and str(path) not in str(info.value)
        file = tmp_path / "user.ant"
        file.write_text(text)
        with pytest.raises(AntimonyError, match="an Antimony import statement") as info:
            read_antimony(file)
        assert "hunter2" not in str(info.value)


def test_import_in_comments_and_strings_is_not_a_statement():
    text = ('// import "x"\n/* import "y" */\nmodel m\n  compartment cell = 1;\n  species X in cell;\n'
            '  J0: X => ; k0*X;\n  k0 = 2.0;\n  X is "import";\nend\n')
    doc = read_rxnn_subset(text, "t")
    assert doc is not None
    with pytest.raises(AntimonyError, match="line 4: an Antimony import"):
        read_antimony_string(text.replace("compartment cell = 1;", "import cell;"))


NETWORKS = {
    "2.2": EXAMPLE_2_2, "2.3": EXAMPLE_2_3, "5.2": EXAMPLE_5_2, "17": NETWORK_17,
    "primes": "X' + X -> 2X'' ; 0.5\nX'' -> 0 ; 1e-300\n0 -> X ; 1e300",
    "named": "A + B -> C ; kf\nC -> A + B ; kr",
    "reserved": "time + exp -> 2 in ; 3\nin -> 0",
}


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_the_fast_reader_agrees_with_the_antimony_package(name, monkeypatch):
    net = ReactionNetwork.from_text(NETWORKS[name])
    initial = {s: 0.25 * (i + 1) for i, s in enumerate(net.species)}
    text = antimony_string(net, initial)
    fast = read_antimony_string(text)
    assert fast == (net, initial)
    monkeypatch.setattr(module, "read_rxnn_subset", lambda text, origin: None)  # force the package route
    slow_net, slow_initial = read_antimony_string(text)
    assert slow_net == net and slow_initial.keys() == initial.keys()
    assert all(abs(slow_initial[s] - v) <= 1e-15 * v for s, v in initial.items())


def test_text_outside_the_subset_goes_to_the_antimony_package(monkeypatch):
    calls = []
    monkeypatch.setattr(module, "_to_sbml", lambda text, timeout: calls.append(text) or (_ for _ in ()).throw(
        AntimonyError("package called")))
    for text in ("model m\n  J0: A -> B; k*A;\nend\n", "model m\n  A = 1;\n  A = 2;\nend\n",
                 "model m\n  J0: A => B; k*A + 1;\nend\n", "model m\nend\nmodel n\nend\n"):
        with pytest.raises(AntimonyError, match="package called"):
            read_antimony_string(text)
    assert len(calls) == 4


def test_a_compiled_network_reads_back_without_the_package_and_the_writer_warns(monkeypatch):
    compiled = compile_network(FeedForwardNetwork.random([60, 30, 4], SmoothReLU(1.0), seed=3))
    net = compiled.network
    assert net.n_reactions > SLOW_READ_REACTIONS
    with pytest.warns(AntimonyWarning, match="antimony package .* slows down quadratically"):
        text = antimony_string(net)
    monkeypatch.setattr(module, "_to_sbml", lambda *a: pytest.fail("the antimony package was used"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back, _ = read_antimony_string(text)
    assert back == net


def test_text_with_a_lone_surrogate_is_refused():
    # found by the fuzz test: the text cannot be handed to the antimony package as UTF-8
    with pytest.raises(AntimonyError, match="not valid Unicode .*index 8"):
        read_antimony_string("model m\n\ud800\nend\n")
