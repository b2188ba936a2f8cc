"""One name per idea in the Python API; the old names still work and warn (issue 13, "Names")."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, SmoothReLU, compile_network, verify_network
from rxnn._deprecation import renamed_keywords
from rxnn.errors import ArgumentTypeError


def test_verify_network_takes_d_and_the_old_inputs_keyword_warns():
    net = FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0)
    compiled = compile_network(net)
    d = np.array([[0.2, 0.7]])
    new = verify_network(compiled, d, seed=1)
    with pytest.warns(DeprecationWarning, match="inputs= of verify_network is deprecated; use d="):
        old = verify_network(compiled, inputs=d, seed=1)
    assert new.passed and old.passed
    assert [c.final_error for c in new.checks] == [c.final_error for c in old.checks]  # the same computation


def test_simulate_nodes_takes_nodes_like_initial_state():
    from rxnn.experiments.chemistry import simulate_nodes

    net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=0)
    x = np.array([0.5, 0.1, 0.9])
    new = simulate_nodes(net, x, nodes=2.0, t_end=1.0)
    with pytest.warns(DeprecationWarning, match="start= of simulate_nodes is deprecated; use nodes="):
        old = simulate_nodes(net, x, start=2.0, t_end=1.0)
    np.testing.assert_array_equal(new.values, old.values)
    assert np.all(new.values[0] == 2.0)  # every node starts at nodes=2 (the name of CompiledNetwork.initial_state)


def test_an_old_and_a_new_keyword_together_are_refused():
    @renamed_keywords(start="nodes")
    def run(*, nodes=1.0):
        return nodes

    with pytest.raises(ArgumentTypeError, match="got both start= and nodes=; pass nodes= only"):
        run(start=1.0, nodes=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(nodes=3.0) == 3.0  # the new name never warns


def test_stochastic_accuracy_compiles_like_compile_network():
    import inspect

    from rxnn.experiments.stochastic_accuracy import stochastic_accuracy

    from rxnn.compile import compile_table1

    default = inspect.signature(stochastic_accuracy).parameters["absorb_enzymes"].default
    # compile_network's own default is None ("the construction's default"); Table 1's is False
    assert inspect.signature(compile_network).parameters["absorb_enzymes"].default is None
    assert default == inspect.signature(compile_table1).parameters["absorb_enzymes"].default is False


def test_the_old_module_path_of_stochastic_accuracy_still_works_and_warns():
    import importlib
    import sys

    import rxnn.experiments.stochastic_accuracy as new

    sys.modules.pop("rxnn.stochastic_accuracy", None)
    with pytest.warns(DeprecationWarning, match="rxnn.stochastic_accuracy is deprecated; import rxnn.experiments"):
        old = importlib.import_module("rxnn.stochastic_accuracy")
    assert old.stochastic_accuracy is new.stochastic_accuracy and old.node_statistics is new.node_statistics
