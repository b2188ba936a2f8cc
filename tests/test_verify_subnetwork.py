"""is_subnetwork_of is §5.1's graph-level relation (R' a subset of R, rates ignored); rates are an option."""

import pytest

from rxnn import FeedForwardNetwork, ReactionNetwork, SmoothReLU, compile_network
from rxnn.crn.model import NetworkError

EXAMPLE_5_2 = "X + Y + E -> 2Y + E ; 2\nY + F -> X + F ; 3"
NETWORK_17 = "X + Y + E -> 2Y + E\nY + F -> X + F\nZ + F -> Z"


def test_graph_level_relation_ignores_rates():
    small, big = ReactionNetwork.from_text(EXAMPLE_5_2), ReactionNetwork.from_text(NETWORK_17)
    assert small.is_subnetwork_of(big)  # §5.1: Example 5.2 is a subnetwork of (17), whatever the rates
    assert not big.is_subnetwork_of(small)
    assert not small.is_subnetwork_of(big, compare_rates=True)  # rates 2, 3 vs 1, 1
    same_rates = ReactionNetwork.from_text("X + Y + E -> 2Y + E\nY + F -> X + F")
    assert same_rates.is_subnetwork_of(big, compare_rates=True)
    # Equality still compares rates.
    assert small != same_rates and ReactionNetwork.from_text("A -> B ; 2") != ReactionNetwork.from_text("A -> B")


def test_direction_and_stoichiometry_matter():
    net = ReactionNetwork.from_text("A -> B\n2A -> C")
    assert not ReactionNetwork.from_text("B -> A").is_subnetwork_of(net)
    assert not ReactionNetwork.from_text("A -> C").is_subnetwork_of(net)
    assert ReactionNetwork.from_text("2A -> C ; 7").is_subnetwork_of(net)
    assert ReactionNetwork([]).is_subnetwork_of(net)


def test_every_subnetwork_and_compiled_layer_is_a_subnetwork():
    compiled = compile_network(FeedForwardNetwork.random([3, 2, 1], SmoothReLU(1.0), seed=0)).network
    for columns in ([0], [1, 4, 7], list(range(compiled.n_reactions // 2))):
        sub = compiled.subnetwork(columns)
        assert sub.is_subnetwork_of(compiled) and sub.is_subnetwork_of(compiled, compare_rates=True)
        assert set(sub.species) <= set(compiled.species)  # S' within S (§5.1)
    # The absorbed form has other rate constants and species: not a subnetwork.
    absorbed = compile_network(FeedForwardNetwork.random([3, 2, 1], SmoothReLU(1.0), seed=0), absorb_enzymes=True)
    assert not absorbed.network.is_subnetwork_of(compiled)


def test_other_must_be_a_network():
    with pytest.raises(NetworkError, match="other of is_subnetwork_of must be a ReactionNetwork"):
        ReactionNetwork.from_text("A -> B").is_subnetwork_of("A -> B")
