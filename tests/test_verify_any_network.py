"""verify_network on reaction networks that rxnn did not compile (issue 12, acceptance).

The 3-2-1 network below is Table 1 typed out by hand: per edge (X', X) the
reactions X' + W+ + X -> X' + W+ + 2X and X' + W- + X -> X' + W-, per node
H -> H + X, B+ + X -> B+ + 2X, B- + X -> B- and 2X -> X, every rate 1 (the
rates of Table 1). Its species are named freely (inputs A*, hidden N*,
output O); layers= and initial= tell verify_network what they mean.
"""

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, ReactionNetwork, SmoothReLU, compile_network, verify_network
from rxnn.errors import InvalidArgumentError
from rxnn.io.formats import read_network, write_network
from rxnn.io.sbml import read_sbml, write_sbml

TABLE_1_3_2_1 = """
# layer 1, node N1: edges from A1, A2, A3 (W+ = P1j, W- = M1j), bias BP1/BM1
A1 + P11 + N1 -> A1 + P11 + 2N1
A1 + M11 + N1 -> A1 + M11
A2 + P12 + N1 -> A2 + P12 + 2N1
A2 + M12 + N1 -> A2 + M12
A3 + P13 + N1 -> A3 + P13 + 2N1
A3 + M13 + N1 -> A3 + M13
H -> H + N1
BP1 + N1 -> BP1 + 2N1
BM1 + N1 -> BM1
2N1 -> N1
# layer 1, node N2
A1 + P21 + N2 -> A1 + P21 + 2N2
A1 + M21 + N2 -> A1 + M21
A2 + P22 + N2 -> A2 + P22 + 2N2
A2 + M22 + N2 -> A2 + M22
A3 + P23 + N2 -> A3 + P23 + 2N2
A3 + M23 + N2 -> A3 + M23
H -> H + N2
BP2 + N2 -> BP2 + 2N2
BM2 + N2 -> BM2
2N2 -> N2
# layer 2, node O: edges from N1, N2
N1 + Q1 + O -> N1 + Q1 + 2O
N1 + R1 + O -> N1 + R1
N2 + Q2 + O -> N2 + Q2 + 2O
N2 + R2 + O -> N2 + R2
H -> H + O
CP + O -> CP + 2O
CM + O -> CM
2O -> O
"""

W1 = np.array([[0.5, -1.0, 0.25], [-0.3, 0.8, 0.6]])
B1 = np.array([0.1, -0.2])
W2 = np.array([[1.2, -0.7]])
B2 = np.array([0.3])
LAYERS = [["A1", "A2", "A3"], ["N1", "N2"], ["O"]]
INPUTS = np.array([[0.2, 0.9, 0.4], [1.0, 0.1, 0.7], [0.0, 0.0, 0.0]])


def _enzymes() -> dict[str, float]:
    """W+ = max(w, 0), W- = max(-w, 0), B+- likewise, [H] = h = 1 (§5.2)."""
    out = {"H": 1.0}
    for i in range(2):
        for j in range(3):
            out[f"P{i + 1}{j + 1}"] = max(W1[i, j], 0.0)
            out[f"M{i + 1}{j + 1}"] = max(-W1[i, j], 0.0)
        out[f"BP{i + 1}"], out[f"BM{i + 1}"] = max(B1[i], 0.0), max(-B1[i], 0.0)
    for j in range(2):
        out[f"Q{j + 1}"], out[f"R{j + 1}"] = max(W2[0, j], 0.0), max(-W2[0, j], 0.0)
    out["CP"], out["CM"] = max(B2[0], 0.0), max(-B2[0], 0.0)
    return out


def _reference(w1: np.ndarray = W1) -> FeedForwardNetwork:
    return FeedForwardNetwork([w1, W2], [B1, B2], SmoothReLU(1.0))


def test_hand_written_table_1_network_passes_and_matches_the_compiler():
    network = ReactionNetwork.from_text(TABLE_1_3_2_1)
    assert network.n_reactions == 28
    # Independent of rxnn's compiler, yet the same network up to species names.
    compiled = compile_network(_reference())
    assert network.n_species == compiled.network.n_species
    result = verify_network(network, INPUTS, reference=_reference(), layers=LAYERS, initial=_enzymes())
    assert result.passed, str(result)
    assert result.worst("final_error") <= 1e-6 and result.worst("steady_error") <= 1e-8


def test_sbml_round_trip_of_the_hand_written_network_passes(tmp_path):
    network = ReactionNetwork.from_text(TABLE_1_3_2_1)
    initial = {**_enzymes(), **{s: 0.5 for s in LAYERS[0]}, "N1": 1.0, "N2": 1.0, "O": 1.0}
    path = write_sbml(network, tmp_path / "table1.xml", initial)
    back, values = read_sbml(path)
    assert back == network
    result = verify_network(back, INPUTS, reference=_reference(), layers=LAYERS, initial=values)
    assert result.passed, str(result)


def test_mutant_without_one_weight_reaction_fails_and_computes_the_zeroed_weight():
    network = ReactionNetwork.from_text(TABLE_1_3_2_1)
    mutant = ReactionNetwork([r for r in network.reactions if "P11" not in r.reactants])
    assert mutant.n_reactions == 27 and "P11" not in mutant.species
    initial = {k: v for k, v in _enzymes().items() if k != "P11"}
    result = verify_network(mutant, INPUTS, reference=_reference(), layers=LAYERS, initial=initial)
    assert not result.passed
    assert result.worst("final_error") > 1e-2  # a^1_1 moves by 0.5 * d_1 through phi
    # Second truth: the mutant does implement the network whose weight W1[0, 0] is 0.
    zeroed = W1.copy()
    zeroed[0, 0] = 0.0
    assert verify_network(mutant, INPUTS, reference=_reference(zeroed), layers=LAYERS, initial=initial).passed


@pytest.mark.parametrize("suffix", [".json", ".ant", ".xml", ".txt"])
def test_compiled_network_read_back_from_every_format_passes(tmp_path, suffix):
    net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=5)
    compiled = compile_network(net)
    d = np.array([0.3, 0.6, 0.9])
    initial = compiled.initial_state(d)
    path = write_network(compiled.network, tmp_path / f"net{suffix}", None if suffix == ".txt" else initial)
    back, values = read_network(path)
    if suffix == ".txt":  # the text format holds no concentrations: give them
        values = initial
    layers = [list(compiled.layer_species(layer)) for layer in range(3)]
    result = verify_network(back, d, reference=net, layers=layers, initial=values)
    assert result.passed, str(result)


def test_species_map_errors_name_the_species():
    network = ReactionNetwork.from_text(TABLE_1_3_2_1)
    ref, enz = _reference(), _enzymes()

    def check(match, **kwargs):
        args = {"reference": ref, "layers": LAYERS, "initial": enz, **kwargs}
        with pytest.raises((InvalidArgumentError, TypeError), match=match):
            verify_network(network, INPUTS, **args)

    check(r"layers\[1\] of verify_network must name 2 species .* got 1: N1", layers=[LAYERS[0], ["N1"], ["O"]])
    check("must have 3 entries", layers=LAYERS[:2])
    check("node species that are not in the network: N9", layers=[LAYERS[0], ["N1", "N9"], ["O"]])
    check("name species more than once: N1", layers=[LAYERS[0], ["N1", "N1"], ["O"]])
    check("gives no concentration for BM1, BM2", initial={k: v for k, v in enz.items() if not k.startswith("BM")})
    check("names species that are not in the network: Typo", initial={**enz, "Typo": 1.0})
    check(r"initial\['H'\] of verify_network must be a finite concentration >= 0; got -1.0", initial={**enz, "H": -1.0})
    check("reference of verify_network must be the FeedForwardNetwork", reference="net")
    check("must list the species of each layer", layers=None)
    # Inputs must be held fixed (x^0 = d, eq. (11)): a network that consumes an input is refused.
    eating = network | ReactionNetwork.from_text("A1 -> 0")
    with pytest.raises(InvalidArgumentError, match="input species A1 change in the network"):
        verify_network(eating, INPUTS, reference=ref, layers=LAYERS, initial=enz)


def test_a_blow_up_is_a_failed_start_not_an_exception():
    """2N -> 3N makes n' = 1 + n^2 blow up at t = pi/2 - arctan(n(0)): every start fails, by name."""
    network = ReactionNetwork.from_text("H -> H + N\n2N -> 3N")
    ref = FeedForwardNetwork([np.zeros((1, 1))], [np.zeros(1)], SmoothReLU(1.0))
    result = verify_network(network, [0.5], reference=ref, layers=[["A"], ["N"]], initial={"H": 1.0},
                            scales=(), include_ones=False)
    assert not result.passed
    assert all(c.final_error == np.inf for c in result.checks)
    assert result.failures[0].startswith("from start 'zeros': the integration failed")
    assert "not shown" in result.message


def test_named_rate_constants_must_be_given_values():
    network = ReactionNetwork.from_text(TABLE_1_3_2_1.replace("2O -> O", "2O -> O ; k"))
    with pytest.raises(InvalidArgumentError, match=r"named rate constants k; give them values first .*with_rates"):
        verify_network(network, INPUTS, reference=_reference(), layers=LAYERS, initial=_enzymes())
    fixed = network.with_rates(k=1.0)
    assert verify_network(fixed, INPUTS[:1], reference=_reference(), layers=LAYERS, initial=_enzymes()).passed
