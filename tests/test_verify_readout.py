"""verify_network with weighted readouts: a node read out as a weighted sum of species (issue 16).

The truth is a hand-built network whose steady state is known exactly: the
1-1 network's node X of Table 1 (H -> H + X, edge and bias reactions,
2X -> X) split into a free form X and a bound form Xb that exchange at equal
rates (X <-> Xb), with the rates rescaled so that the total T = X + Xb obeys
the formal ODE T' = h + s T - T^2 (s = w d + b): X's reactions see only the
free X = T / 2 at exchange equilibrium, so each first-order rate is doubled
and the rate of 2X -> X is multiplied by 4. At the steady state X = Xb exactly
(the exchange is balanced), so the total reaches the activation a(d) exactly
and the free strand alone only a(d) / 2: the readout {X: 1, Xb: 1} must
verify and the free species must not.
"""

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, ReactionNetwork, SmoothReLU, verify_network
from rxnn._verify_target import target_for
from rxnn.errors import InvalidArgumentError

SPLIT = """
D + P + X -> D + P + 2X ; 2
H -> H + X ; 1
BP + X -> BP + 2X ; 2
2X -> X ; 4
X -> Xb ; 10
Xb -> X ; 10
"""
REFERENCE = FeedForwardNetwork([np.array([[0.8]])], [np.array([0.3])], SmoothReLU(1.0))
FIXED = {"P": 0.8, "BP": 0.3, "H": 1.0}
INPUTS = np.array([[0.5], [1.5]])
FAST = dict(scales=(), include_ones=False)  # the ten probe starts of verify_network (zeros ... 1e6, corners)


def test_the_total_of_the_split_node_verifies_and_the_free_form_does_not():
    net = ReactionNetwork.from_text(SPLIT)
    total = verify_network(net, INPUTS, reference=REFERENCE, layers=[["D"], [{"X": 1.0, "Xb": 1.0}]],
                           initial=FIXED, **FAST)
    assert total.passed, total.failures
    free = verify_network(net, INPUTS, reference=REFERENCE, layers=[["D"], ["X"]], initial={**FIXED, "Xb": 0.0},
                          **FAST)
    assert not free.passed


def test_an_input_weight_scales_what_the_network_sees():
    # D read out with weight 2 holds d / 2: with the edge reaction's rate doubled again the total still
    # obeys T' = h + s T - T^2, so it verifies; without that doubling it computes w d / 2 and fails.
    text = SPLIT.replace("D + P + X -> D + P + 2X ; 2", "D + P + X -> D + P + 2X ; 4")
    layers = [[{"D": 2.0}], [{"X": 1.0, "Xb": 1.0}]]
    assert verify_network(ReactionNetwork.from_text(text), INPUTS, reference=REFERENCE, layers=layers,
                          initial=FIXED, **FAST).passed
    assert not verify_network(ReactionNetwork.from_text(SPLIT), INPUTS, reference=REFERENCE, layers=layers,
                              initial=FIXED, **FAST).passed


def test_readout_errors_name_the_problem():
    net = ReactionNetwork.from_text(SPLIT + "D -> Db ; 1\nDb -> D ; 1\n")

    def check(match, layers, initial=FIXED):
        with pytest.raises(InvalidArgumentError, match=match):
            verify_network(net, INPUTS, reference=REFERENCE, layers=layers, initial=initial)

    check(r"weight of 'Xb' must be a finite number > 0", [["D"], [{"X": 1.0, "Xb": -1.0}]])
    check("mappings species -> weight", [["D"], [{}]])
    check("more than once: X", [[{"X": 1.0}], [{"X": 1.0}]])
    check("not in the network: Xc", [["D"], [{"X": 1.0, "Xc": 1.0}]])
    # D <-> Db conserves D + Db (a readout no reaction changes), but not D + 2 Db
    with pytest.raises(InvalidArgumentError, match="input species D change"):
        verify_network(net, INPUTS, reference=REFERENCE, layers=[[{"D": 1.0, "Db": 2.0}], [{"X": 1.0, "Xb": 1.0}]],
                       initial=FIXED)
    target = target_for(net, REFERENCE, [[{"D": 1.0, "Db": 1.0}], [{"X": 1.0, "Xb": 1.0}]], FIXED)
    assert target.layers == (("D",), ("X",))  # accepted: the conserved readout is an input
    state = target.state(np.array([[0.5]]), np.array([[3.0]]))
    assert (state["D"][0], state["Db"][0], state["X"][0], state["Xb"][0]) == (0.5, 0.0, 3.0, 0.0)
