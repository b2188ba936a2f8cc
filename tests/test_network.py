"""Tests of rxnn.nn.network: the forward pass (eqs. (6)-(7)), §6 initialisation, value semantics, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxnn.nn import FeedForwardNetwork, PolynomialActivation, ReLU, Sigmoid, SmoothReLU


def loop_forward(weights, biases, phi, d):
    """eqs. (6)-(7) written out with Python loops over nodes and edges."""
    a = [float(x) for x in d]
    for w, b in zip(weights, biases):
        z = []
        for i in range(len(b)):
            total = b[i]
            for j in range(len(a)):
                total += w[i][j] * a[j]
            z.append(total)
        a = [float(phi(zi)) for zi in z]
    return a


def small_net(activation=SmoothReLU(1.0)):
    weights = [
        [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]],
        [[1.0, -2.0], [0.3, 0.7], [-1.1, 0.4], [2.0, 0.0]],
        [[0.2, -0.3, 0.5, 1.0]],
    ]
    biases = [[0.1, -0.2], [0.0, 0.5, -1.0, 0.25], [-0.4]]
    return FeedForwardNetwork(weights, biases, activation), weights, biases


@pytest.mark.parametrize("phi", [SmoothReLU(1.0), ReLU(), Sigmoid(), PolynomialActivation(3, 0.5)], ids=repr)
def test_forward_matches_explicit_loop(phi):
    net, weights, biases = small_net(phi)
    data = np.array([[1.0, 2.0, -0.5], [0.0, 0.0, 0.0], [-3.0, 1.0, 4.0]])
    for d in data:
        np.testing.assert_allclose(net(d), loop_forward(weights, biases, phi, d), rtol=1e-14)
    batch = net(data)
    assert batch.shape == (3, 1)
    np.testing.assert_allclose(batch, [loop_forward(weights, biases, phi, d) for d in data], rtol=1e-14)


def test_smooth_relu_network_by_hand():
    # one node: z = 3*2 - 1 = 5, phi = (5 + sqrt(25 + 4))/2 with h = 1 (eq. (4))
    net = FeedForwardNetwork([[[3.0]]], [[-1.0]], SmoothReLU(1.0))
    assert net([2.0])[0] == pytest.approx((5 + math.sqrt(29)) / 2, rel=1e-15)


def test_preactivations_and_activations():
    net, weights, biases = small_net()
    d = np.array([1.0, -1.0, 0.5])
    zs, acts = net.preactivations(d), net.activations(d)
    assert len(zs) == 3 and len(acts) == 4
    np.testing.assert_array_equal(acts[0], d)
    assert [z.shape for z in zs] == [(2,), (4,), (1,)]
    for l in range(3):
        np.testing.assert_allclose(zs[l], np.array(weights[l]) @ acts[l] + np.array(biases[l]), rtol=1e-15)
        np.testing.assert_array_equal(acts[l + 1], SmoothReLU(1.0)(zs[l]))
    np.testing.assert_array_equal(net(d), acts[-1])


def test_batch_shapes_follow_input():
    net, _, _ = small_net()
    data = np.arange(15.0).reshape(5, 3) / 7
    assert [a.shape for a in net.activations(data)] == [(5, 3), (5, 2), (5, 4), (5, 1)]
    assert [z.shape for z in net.preactivations(data)] == [(5, 2), (5, 4), (5, 1)]
    for k in range(5):
        np.testing.assert_allclose(net(data)[k], net(data[k]), rtol=1e-14)  # BLAS may sum in another order
    assert net(np.zeros((0, 3))).shape == (0, 1)


def test_accessors():
    net, _, _ = small_net(Sigmoid())
    assert net.layer_sizes == (3, 2, 4, 1)
    assert net.n_layers == 3
    assert net.activation == Sigmoid()
    assert [w.shape for w in net.weights] == [(2, 3), (4, 2), (1, 4)]
    assert [b.shape for b in net.biases] == [(2,), (4,), (1,)]
    assert all(w.dtype == np.float64 for w in (*net.weights, *net.biases))
    assert repr(net) == "FeedForwardNetwork(layer_sizes=(3, 2, 4, 1), activation=Sigmoid())"


def test_integer_parameters_are_stored_as_float64():
    net = FeedForwardNetwork([np.array([[1, 2]])], [np.array([3])], ReLU())
    assert net.weights[0].dtype == np.float64
    np.testing.assert_array_equal(net(np.array([1, 1])), [6.0])


# ---- value semantics --------------------------------------------------------------------------


def test_immutable():
    w = np.array([[1.0, 2.0]])
    b = np.array([0.5])
    net = FeedForwardNetwork([w], [b], ReLU())
    w[0, 0] = 100.0  # the network keeps its own copy
    b[0] = 100.0
    assert net.weights[0][0, 0] == 1.0 and net.biases[0][0] == 0.5
    with pytest.raises(ValueError, match="read-only"):
        net.weights[0][0, 0] = 3.0
    with pytest.raises(ValueError, match="read-only"):
        net.biases[0][0] = 3.0
    with pytest.raises(AttributeError, match="immutable"):
        net._activation = Sigmoid()  # type: ignore[misc]


def test_equality_and_hash_by_value():
    a, _, _ = small_net()
    b, weights, biases = small_net()
    assert a == b and hash(a) == hash(b)
    assert a != small_net(ReLU())[0]
    changed = [np.array(w) for w in weights]
    changed[1][0, 0] += 1e-12
    assert a != a.with_parameters(changed, biases)
    zero = FeedForwardNetwork([[[0.0]]], [[0.0]], ReLU())
    negative_zero = FeedForwardNetwork([[[-0.0]]], [[-0.0]], ReLU())
    assert zero == negative_zero and hash(zero) == hash(negative_zero)
    assert a != "not a network"
    assert len({a, b}) == 1


def test_with_parameters_returns_new_network():
    net, weights, biases = small_net()
    new_weights = [2 * np.array(w) for w in weights]
    other = net.with_parameters(new_weights, biases)
    assert other is not net
    assert other.activation == net.activation
    np.testing.assert_array_equal(other.weights[0], 2 * np.array(weights[0]))
    np.testing.assert_array_equal(net.weights[0], np.array(weights[0]))
    with pytest.raises(ValueError, match="W2 of FeedForwardNetwork"):
        net.with_parameters([weights[0], [[1.0]], weights[2]], biases)


# ---- §6 initialisation ------------------------------------------------------------------------


def test_random_initialisation_statistics():
    # §6: W^l ~ N(0,1)/sqrt(c_{l-1}), beta^l ~ N(0,1); here 1.6e6 weights in layer 1
    c0, c1, c2 = 4000, 400, 10
    net = FeedForwardNetwork.random([c0, c1, c2], SmoothReLU(1.0), seed=1234)
    scaled = net.weights[0] * math.sqrt(c0)
    n = scaled.size
    assert abs(scaled.mean()) < 5 / math.sqrt(n)  # 5 standard errors
    assert abs(scaled.std() - 1.0) < 5 / math.sqrt(2 * n)
    scaled2 = net.weights[1] * math.sqrt(c1)
    assert abs(scaled2.std() - 1.0) < 5 / math.sqrt(2 * scaled2.size)
    beta = net.biases[0]
    assert abs(beta.mean()) < 5 / math.sqrt(c1)
    assert abs(beta.std() - 1.0) < 5 / math.sqrt(2 * c1)


def test_random_draw_order_is_weights_then_biases():
    # the paper's Matlab: W1, W2, beta1, beta2 (§6)
    sizes = [5, 4, 3]
    rng = np.random.default_rng(7)
    w1 = rng.standard_normal((4, 5)) / math.sqrt(5)
    w2 = rng.standard_normal((3, 4)) / math.sqrt(4)
    b1 = rng.standard_normal(4)
    b2 = rng.standard_normal(3)
    net = FeedForwardNetwork.random(sizes, ReLU(), seed=7)
    assert net == FeedForwardNetwork([w1, w2], [b1, b2], ReLU())


def test_random_is_reproducible():
    a = FeedForwardNetwork.random([6, 5, 2], Sigmoid(), seed=42)
    b = FeedForwardNetwork.random([6, 5, 2], Sigmoid(), seed=42)
    c = FeedForwardNetwork.random([6, 5, 2], Sigmoid(), seed=43)
    assert a == b and a != c
    generator = FeedForwardNetwork.random([6, 5, 2], Sigmoid(), seed=np.random.default_rng(42))
    assert generator == a
    assert FeedForwardNetwork.random([6, 5, 2], Sigmoid(), seed=None).layer_sizes == (6, 5, 2)


@pytest.mark.parametrize("sizes", [[3], [], [3, 0, 2], [3, -1], [3, 2.0], [3, True]])
def test_random_rejects_bad_layer_sizes(sizes):
    with pytest.raises(
        ValueError, match=r"^layer_sizes of FeedForwardNetwork.random must be at least two positive integers"
    ):
        FeedForwardNetwork.random(sizes, ReLU(), seed=0)


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
    seed=st.integers(0, 2**32 - 1),
    batch=st.integers(1, 4),
)
def test_random_networks_forward_shapes_and_loop(sizes, seed, batch):
    net = FeedForwardNetwork.random(sizes, SmoothReLU(0.5), seed=seed)
    assert net.layer_sizes == tuple(sizes)
    data = np.random.default_rng(seed).standard_normal((batch, sizes[0]))
    out = net(data)
    assert out.shape == (batch, sizes[-1])
    weights = [w.tolist() for w in net.weights]
    biases = [b.tolist() for b in net.biases]
    np.testing.assert_allclose(out[0], loop_forward(weights, biases, SmoothReLU(0.5), data[0]), rtol=1e-12)


# ---- errors ---------------------------------------------------------------------------------


def test_error_counts():
    with pytest.raises(
        ValueError,
        match=r"^weights and biases of FeedForwardNetwork must be equally many .*got 2 weights and 1 biases$",
    ):
        FeedForwardNetwork([[[1.0]], [[1.0]]], [[0.0]], ReLU())
    with pytest.raises(ValueError, match="got 0 weights and 0 biases"):
        FeedForwardNetwork([], [], ReLU())


def test_error_weight_not_2d():
    with pytest.raises(
        ValueError, match=r"^W1 of FeedForwardNetwork must be a non-empty 2-D array \(c_1, c_0\); got shape \(3,\)$"
    ):
        FeedForwardNetwork([[1.0, 2.0, 3.0]], [[0.0]], ReLU())
    with pytest.raises(ValueError, match=r"W1 .* got shape \(0, 2\)"):
        FeedForwardNetwork([np.zeros((0, 2))], [np.zeros(0)], ReLU())


def test_error_shapes_do_not_chain():
    w1, w2 = np.ones((4, 3)), np.ones((2, 5))
    with pytest.raises(
        ValueError,
        match=r"^W2 of FeedForwardNetwork must have 4 columns to follow W1 of shape \(4, 3\); got shape \(2, 5\)$",
    ):
        FeedForwardNetwork([w1, w2], [np.ones(4), np.ones(2)], ReLU())


def test_error_bias_shape():
    with pytest.raises(
        ValueError,
        match=r"^b2 of FeedForwardNetwork must have shape \(2,\) to match W2 of shape \(2, 4\); got shape \(2, 1\)$",
    ):
        FeedForwardNetwork([np.ones((4, 3)), np.ones((2, 4))], [np.ones(4), np.ones((2, 1))], ReLU())


def test_error_non_finite_parameter_names_it_and_index():
    w2 = np.ones((2, 4))
    w2[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"^W2 of FeedForwardNetwork must be finite; got nan at index \(1, 2\)$"):
        FeedForwardNetwork([np.ones((4, 3)), w2], [np.ones(4), np.ones(2)], ReLU())
    b1 = np.ones(4)
    b1[3] = -np.inf
    with pytest.raises(ValueError, match=r"^b1 of FeedForwardNetwork must be finite; got -inf at index \(3,\)$"):
        FeedForwardNetwork([np.ones((4, 3))], [b1], ReLU())


def test_error_not_numbers():
    with pytest.raises(ValueError, match=r"^W1 of FeedForwardNetwork must be an array of real numbers"):
        FeedForwardNetwork([[["a", "b"]]], [[0.0]], ReLU())


def test_error_activation_type():
    with pytest.raises(TypeError, match=r"^activation of FeedForwardNetwork must be an Activation; got function$"):
        FeedForwardNetwork([[[1.0]]], [[0.0]], lambda y: y)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad_shape", [(2,), (4, 2), (1,), (1, 1, 3), ()])
def test_error_input_width(bad_shape):
    net, _, _ = small_net()
    with pytest.raises(
        ValueError, match=r"^d of FeedForwardNetwork must have shape \(c_0,\) = \(3,\) or \(batch, 3\); got shape"
    ):
        net(np.ones(bad_shape))
    with pytest.raises(ValueError, match=r"^d of FeedForwardNetwork.activations must have shape"):
        net.activations(np.ones(bad_shape))
    with pytest.raises(ValueError, match=r"^d of FeedForwardNetwork.preactivations must have shape"):
        net.preactivations(np.ones(bad_shape))


def test_error_input_not_finite():
    net, _, _ = small_net()
    with pytest.raises(ValueError, match=r"^d of FeedForwardNetwork must be finite; got nan at index \(1, 0\)$"):
        net(np.array([[1.0, 2.0, 3.0], [np.nan, 0.0, 0.0]]))


def test_nn_package_knows_no_chemistry():
    # rxnn.nn must not import rxnn.crn (the neural-network half knows nothing about chemistry)
    import ast
    from pathlib import Path

    import rxnn.nn

    for file in Path(rxnn.nn.__file__).parent.glob("*.py"):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.startswith("rxnn.crn") for name in names), (file.name, names)


# ---- size limits (issue 11: `train --hidden 100000000` ended in MemoryError) ----------------------


@pytest.mark.parametrize(
    "sizes, match",
    [
        ([784, 100_000_000, 10], r"a layer of 100000000 nodes, more than the limit MAX_WIDTH = 1000000"),
        ([784, 20_000, 10], r"needs 15900010 parameters, more than the limit MAX_PARAMETERS = 10000000"),
        ([1] * 1002, r"has 1001 layers, more than the limit MAX_LAYERS = 1000"),
        ([10**40, 1], r"a layer of 10{40} nodes"),
    ],
)
def test_random_refuses_sizes_over_the_limits_before_allocating(sizes, match):
    from rxnn.errors import LimitError

    with pytest.raises(LimitError, match=match) as info:
        FeedForwardNetwork.random(sizes, SmoothReLU(1.0), seed=0)
    assert isinstance(info.value, ValueError)


def test_limits_allow_the_paper_network_and_the_largest_width():
    from rxnn.nn.network import MAX_WIDTH

    assert FeedForwardNetwork.random([784, 40, 10], SmoothReLU(1.0), seed=0).layer_sizes == (784, 40, 10)
    assert FeedForwardNetwork.random([1, MAX_WIDTH, 1], SmoothReLU(1.0), seed=0).layer_sizes == (1, MAX_WIDTH, 1)


def test_constructor_checks_the_same_limits():
    from rxnn.errors import LimitError

    with pytest.raises(LimitError, match="MAX_WIDTH"):
        FeedForwardNetwork([np.zeros((1_000_001, 1))], [np.zeros(1_000_001)], SmoothReLU(1.0))


def test_q_limit_is_the_crn_coefficient_limit():
    from rxnn.crn.model import MAX_COEFFICIENT
    from rxnn.errors import LimitError
    from rxnn.nn import PolynomialActivation
    from rxnn.nn.activations import MAX_Q

    assert MAX_Q == MAX_COEFFICIENT  # q is the coefficient of qX -> X (§6.1)
    with pytest.raises(LimitError, match=r"q of PolynomialActivation must be at most MAX_Q = 1000000"):
        PolynomialActivation(2**63, 1.0)


@pytest.mark.parametrize("h", [10**400, -(10**400)])
def test_h_beyond_the_float_range_is_refused_cleanly(h):
    with pytest.raises(ValueError, match=r"h of SmoothReLU must be a finite number >= 0; got 1000000000|h of SmoothReLU must be a finite number >= 0; got -100000000"):
        SmoothReLU(h)


def test_nn_errors_are_rxnn_errors():
    from rxnn.errors import RxnnError

    net = FeedForwardNetwork.random([2, 1], SmoothReLU(1.0), seed=0)
    for bad in (lambda: net([1.0, 2.0, 3.0]), lambda: FeedForwardNetwork([[[1.0]]], [[0.0]], "relu"),
                lambda: FeedForwardNetwork([[[10**400]]], [[0.0]], SmoothReLU(1.0))):
        with pytest.raises(RxnnError):
            bad()
