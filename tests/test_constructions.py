"""The construction registry and the rate-independent construction (Vasić et al., ICML 2020 / PNAS 2022).

Truths used: the closed form of the ReLU module (final [X] = max(0, zp - zm),
from conservation: each Zp molecule makes one X, each Zm removes one), the
forward pass of the (quantised) network, exact integer counts of the
stochastic chain (a non-competitive network with integer counts ends in one
state whatever the order of events), and an SBML round trip.
"""

import dataclasses

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, ReactionNetwork, ReLU, SmoothReLU, compile_network, simulate, simulate_stochastic
from rxnn.compile import CompiledNetwork, CompileError, compile_table1
from rxnn.constructions import CONSTRUCTIONS
from rxnn.constructions.quantize import quantize_weights
from rxnn.constructions.rate_independent import is_non_competitive
from rxnn.errors import InvalidArgumentError
from rxnn.verify import RateIndependenceResult, verify_network

# Integration: rtol 1e-8 / atol 1e-12 (BDF); unimolecular steps settle exponentially and an annihilation of
# equal amounts leaves 1/(k t): with k = 1 and t = 1e6 that is 1e-6, so 1e-5 is the limit used below.
T_LONG = 1e6
TOL = 1e-5


def ternary_net(sizes, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.integers(-1, 2, (b, a)).astype(float) for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(0.0, 0.5, b) for b in sizes[1:]]
    return FeedForwardNetwork(weights, biases, ReLU())


def final(ri, d, network=None, t_end=T_LONG):
    grid = np.concatenate([[0.0], np.geomspace(1e-3, t_end, 40)])
    result = simulate(network or ri.network, ri.initial_state(d), (0.0, t_end), t_eval=grid, method="BDF",
                      rtol=1e-8, atol=1e-12)
    return ri.layer_values({s: np.asarray(v) for s, v in result.to_dict(at=-1).items()})


# ---------------------------------------------------------------- registry
def test_registry_names_and_default():
    net = FeedForwardNetwork([np.array([[0.5, -1.0]])], [np.array([0.2])], SmoothReLU(1.0))
    default = compile_network(net)
    assert isinstance(default, CompiledNetwork)
    assert default.network == compile_table1(net).network
    assert set(CONSTRUCTIONS) == {"table1", "rate_independent"}
    for name in CONSTRUCTIONS:
        assert CONSTRUCTIONS[name].guarantee and CONSTRUCTIONS[name].start


def test_unknown_construction_lists_valid_ones():
    net = FeedForwardNetwork([np.array([[1.0]])], [np.array([0.0])], ReLU())
    with pytest.raises(InvalidArgumentError, match="must be one of 'table1', 'rate_independent'; got 'ri'"):
        compile_network(net, construction="ri")


def test_options_belong_to_their_construction():
    net = FeedForwardNetwork([np.array([[1.0]])], [np.array([0.0])], ReLU())
    with pytest.raises(InvalidArgumentError, match="weight_bits of compile_network does not apply to construction='table1'"):
        compile_network(net, weight_bits=4)
    with pytest.raises(InvalidArgumentError, match="absorb_enzymes .* does not apply to construction='rate_independent'"):
        compile_network(net, construction="rate_independent", absorb_enzymes=True)


def test_rate_independent_refuses_non_relu():
    net = FeedForwardNetwork([np.array([[1.0]])], [np.array([0.0])], SmoothReLU(0.5))
    with pytest.raises(CompileError, match="needs a ReLU network"):
        compile_network(net, construction="rate_independent")


# ---------------------------------------------------------------- structure
def test_hand_network_reactions_and_non_competition():
    net = FeedForwardNetwork([np.array([[1.0, -2.0]])], [np.array([-0.5])], ReLU())
    ri = compile_network(net, construction="rate_independent")
    expected = ReactionNetwork.from_text("X0_1 -> Zp1_1\nX0_2 -> 2 Zm1_1\nZp1_1 -> X1_1\nZm1_1 + X1_1 -> 0")
    assert ri.network == expected
    assert is_non_competitive(ri.network)
    table1 = compile_network(FeedForwardNetwork(net.weights, net.biases, SmoothReLU(1.0))).network
    assert not is_non_competitive(table1)  # X1_1 is a reactant of several reactions: rate-dependent by design
    start = ri.initial_state([1.0, 0.25])
    assert start["Zm1_1"] == 0.5 and start["Zp1_1"] == 0.0 and start["X1_1"] == 0.0


@pytest.mark.parametrize("d", [[3.0, 0.5], [1.0, 0.5], [0.2, 0.9]])
def test_output_module_closed_form(d):
    # final X = max(0, zp - zm) with zp = d1, zm = 2 d2 + 0.5 (bias -0.5)
    net = FeedForwardNetwork([np.array([[1.0, -2.0]])], [np.array([-0.5])], ReLU())
    ri = compile_network(net, construction="rate_independent")
    got = final(ri, d)[-1]
    assert got == pytest.approx(max(0.0, d[0] - 2 * d[1] - 0.5), abs=TOL)


def test_deep_ternary_network_equals_forward_pass_every_layer():
    net = ternary_net((5, 6, 4, 3), seed=3)
    ri = compile_network(net, construction="rate_independent")
    assert is_non_competitive(ri.network)
    d = np.random.default_rng(0).uniform(0, 1, (12, 5))
    got, want = final(ri, d), net.activations(d)
    for layer in (1, 2, 3):
        np.testing.assert_allclose(got[layer], want[layer], atol=TOL)
    assert np.all(got[3] >= -TOL)


def test_reporters_false_is_minimal_and_hides_hidden_layers():
    net = ternary_net((3, 4, 2), seed=1)
    full = compile_network(net, construction="rate_independent")
    minimal = compile_network(net, construction="rate_independent", reporters=False)
    assert full.network.n_reactions - minimal.network.n_reactions == 4  # one reporter annihilation per hidden node
    with pytest.raises(InvalidArgumentError, match="no reporter species"):
        minimal.layer_species(1)
    d = np.random.default_rng(2).uniform(0, 1, (6, 3))
    np.testing.assert_allclose(final(minimal, d)[-1], net(d), atol=TOL)


# ---------------------------------------------------------------- quantisation
def test_quantization_denominator_and_error():
    rng = np.random.default_rng(5)
    net = FeedForwardNetwork.random((4, 5, 3), ReLU(), seed=rng)
    q = quantize_weights(net, denominator=8)
    for W, N in zip(net.weights, q.integers):
        np.testing.assert_array_equal(N, np.round(8 * W))
    assert q.weight_error <= 1 / 16 + 1e-15  # rounding to a grid of 1/8
    assert q.weight_error == pytest.approx(max(np.max(np.abs(W - np.round(8 * W) / 8)) for W in net.weights))
    d = rng.uniform(0, 1, (20, 4))
    assert q.output_error(d) == pytest.approx(np.max(np.abs(q.network(d) - net(d))))
    assert q.output_error(d) > 0


def test_quantization_weight_bits_range():
    net = FeedForwardNetwork.random((6, 4, 2), ReLU(), seed=7)
    q = quantize_weights(net, weight_bits=4)
    for N in q.integers:
        assert np.max(np.abs(N)) == 7  # 2**(4-1) - 1, reached by the largest weight of each layer


def test_quantization_refusals():
    net = FeedForwardNetwork([np.array([[0.3]])], [np.array([0.0])], ReLU())
    with pytest.raises(InvalidArgumentError, match=r"W\^1\[0, 0\] = 0.3; pass weight_bits= .* or denominator="):
        compile_network(net, construction="rate_independent")
    with pytest.raises(InvalidArgumentError, match="not both"):
        quantize_weights(net, weight_bits=3, denominator=4)
    with pytest.raises(InvalidArgumentError, match="denominator of quantize_weights must be an integer >= 1"):
        quantize_weights(net, denominator=0)


def test_quantised_real_network_scaled_final_amounts():
    net = FeedForwardNetwork.random((3, 4, 2), ReLU(), seed=11)
    ri = compile_network(net, construction="rate_independent", denominator=4)
    assert ri.scale(1) == 4 and ri.scale(2) == 16
    d = np.random.default_rng(1).uniform(0, 1, (8, 3))
    got = final(ri, d)
    np.testing.assert_allclose(got[2], ri.quantization.network(d), atol=TOL * 16)
    # the quantised chemistry differs from the real network by the stated quantisation error
    assert np.max(np.abs(got[2] - net(d))) <= ri.quantization.output_error(d) + TOL * 16


# ---------------------------------------------------------------- verification
def test_verify_network_dispatches_and_passes():
    net = ternary_net((3, 4, 2), seed=4)
    ri = compile_network(net, construction="rate_independent")
    result = verify_network(ri, np.random.default_rng(3).uniform(0, 1, (5, 3)))
    assert isinstance(result, RateIndependenceResult)
    assert result.passed, result.summary()
    assert len(result.errors) == 4 and result.non_competitive
    assert all(lo >= 1e-2 and hi <= 1e2 for lo, hi in result.rate_ranges[1:])
    assert result.rate_ranges[1][1] / result.rate_ranges[1][0] > 100  # the draws really span orders of magnitude


def test_verify_fails_without_the_annihilation():
    net = FeedForwardNetwork([np.array([[1.0, -1.0]])], [np.array([0.0])], ReLU())
    ri = compile_network(net, construction="rate_independent")
    keep = [j for j, r in enumerate(ri.network.reactions) if str(r).split(" ;")[0].strip() != "Zm1_1 + X1_1 -> 0"]
    broken = dataclasses.replace(ri, network=ri.network.subnetwork(keep))
    result = verify_network(broken, [[0.2, 1.0]])
    assert not result.passed and "final error" in result.failures[0]


def test_verify_fails_for_a_competitive_network():
    net = FeedForwardNetwork([np.array([[1.0, -1.0]])], [np.array([0.0])], ReLU())
    ri = compile_network(net, construction="rate_independent")
    # X0_1 -> Zp1_1 competes with X0_1 -> Zm1_1: the end state depends on the rate constants
    extra = ReactionNetwork.from_text("X0_1 -> Zm1_1")
    broken = dataclasses.replace(ri, network=ri.network | extra)
    result = verify_network(broken, [[1.0, 0.2]])
    assert not result.passed
    assert not result.non_competitive and any("not rate-independent" in f for f in result.failures)


# ---------------------------------------------------------------- downstream
def test_stochastic_counts_exact():
    # Integer counts: every input, bias and weight an integer number of molecules at V = 50.
    net = FeedForwardNetwork([np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, 1.0]]), np.array([[1.0, -1.0]])],
                             [np.array([0.1, -0.2]), np.array([0.04])], ReLU())
    ri = compile_network(net, construction="rate_independent")
    d = np.array([[0.5, 0.2, 0.1], [0.06, 0.6, 0.3]])
    result = simulate_stochastic(ri.network, ri.initial_state(d), (0.0, 200.0), [200.0], volume=50, seed=1)
    counts = np.stack([result.counts(s)[:, -1] for s in ri.layer_species(2)], axis=-1)
    np.testing.assert_array_equal(counts, np.round(50 * net(d)).astype(int))


def test_sbml_round_trip_keeps_final_amounts(tmp_path):
    from rxnn.io.sbml import read_sbml, write_sbml

    net = ternary_net((3, 3, 2), seed=8)
    ri = compile_network(net, construction="rate_independent")
    d = np.array([0.3, 0.9, 0.5])
    path = write_sbml(ri.network, tmp_path / "ri.xml", ri.initial_state(d))
    network, initial = read_sbml(path)
    assert network == ri.network
    result = simulate(network, initial, (0.0, T_LONG), t_eval=[0.0, T_LONG], method="BDF", rtol=1e-8, atol=1e-12)
    got = [float(np.asarray(result[s])[-1]) for s in ri.layer_species(2)]
    np.testing.assert_allclose(got, net(d), atol=TOL)


def test_antimony_round_trip():
    from rxnn.io.antimony import antimony_string, read_antimony_string

    net = ternary_net((2, 2, 2), seed=2)
    ri = compile_network(net, construction="rate_independent")
    start = ri.initial_state([0.5, 0.25])
    network, initial = read_antimony_string(antimony_string(ri.network, start))
    assert network == ri.network
    assert all(initial[s] == pytest.approx(v) for s, v in start.items())


@pytest.mark.parametrize("scheme", ["soloveichik2010", "lakin2012"])
def test_dna_translation_takes_the_rate_independent_network(scheme):
    from rxnn.dsd import translate

    net = ternary_net((2, 2, 2), seed=5)
    ri = compile_network(net, construction="rate_independent")
    design = translate(ri.network, scheme)
    assert design.n_modules == ri.network.n_reactions  # one module per reaction, at most bimolecular reactants


def test_verify_refuses_def_4_1_options_for_the_rate_independent_network():
    net = FeedForwardNetwork([np.array([[1.0]])], [np.array([0.0])], ReLU())
    ri = compile_network(net, construction="rate_independent")
    with pytest.raises(TypeError, match="starts of verify_network must be omitted for a RateIndependentNetwork"):
        verify_network(ri, [[1.0]], starts={"x": [1.0]})
