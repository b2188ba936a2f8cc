"""Tests of rxnn.nn.backprop: eq. (10) against central finite differences of the batch cost (eq. (8))."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxnn.nn import (
    CrossEntropyCost,
    FeedForwardNetwork,
    OneNormCost,
    PolynomialActivation,
    QuadraticCost,
    ReLU,
    SGDStep,
    Sigmoid,
    SmoothReLU,
    gradients,
    sgd_step,
)


def finite_difference_gradients(net, inputs, targets, cost, step=1e-6):
    """Central differences of Cost(P) = cost.value(net(inputs), targets), one parameter at a time."""
    weights = [np.array(w) for w in net.weights]
    biases = [np.array(b) for b in net.biases]

    def total(ws, bs):
        return cost.value(net.with_parameters(ws, bs)(inputs), targets)

    def partials(params, is_weight):
        out = []
        for l, p in enumerate(params):
            g = np.zeros_like(p)
            for index in np.ndindex(p.shape):
                values = []
                for sign in (1.0, -1.0):
                    shifted = [q.copy() for q in params]
                    shifted[l][index] += sign * step
                    values.append(total(shifted, biases) if is_weight else total(weights, shifted))
                g[index] = (values[0] - values[1]) / (2 * step)
            out.append(g)
        return out

    return partials(weights, True), partials(biases, False)


def assert_gradients_close(actual, expected, rtol=1e-6):
    for a, e in zip(actual, expected):
        scale = max(1.0, float(np.max(np.abs(e))))
        np.testing.assert_allclose(a, e, rtol=rtol, atol=rtol * scale * 1e-2)


def random_problem(sizes, activation, seed, batch=4, unit_targets=False):
    rng = np.random.default_rng(seed)
    net = FeedForwardNetwork.random(sizes, activation, seed=rng)
    inputs = rng.normal(size=(batch, sizes[0]))
    targets = rng.uniform(0.05, 0.95, size=(batch, sizes[-1])) if unit_targets else rng.normal(size=(batch, sizes[-1]))
    return net, inputs, targets


ACTIVATIONS = [SmoothReLU(0.7), PolynomialActivation(3, 0.5), Sigmoid()]
SIZES = [[3, 2], [3, 4, 2], [2, 3, 3, 2]]  # depth 1, 2, 3


@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: f"depth{len(s) - 1}")
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=repr)
def test_quadratic_gradients_match_finite_differences(sizes, activation):
    net, inputs, targets = random_problem(sizes, activation, seed=len(sizes))
    dW, db = gradients(net, inputs, targets)
    fd_W, fd_b = finite_difference_gradients(net, inputs, targets, QuadraticCost())
    assert [g.shape for g in dW] == [w.shape for w in net.weights]
    assert [g.shape for g in db] == [b.shape for b in net.biases]
    assert_gradients_close(dW, fd_W)
    assert_gradients_close(db, fd_b)


def test_cross_entropy_gradients_with_sigmoid_output():
    net, inputs, targets = random_problem([3, 4, 2], Sigmoid(), seed=11, unit_targets=True)
    dW, db = gradients(net, inputs, targets, cost=CrossEntropyCost())
    fd_W, fd_b = finite_difference_gradients(net, inputs, targets, CrossEntropyCost())
    assert_gradients_close(dW, fd_W)
    assert_gradients_close(db, fd_b)


@pytest.mark.parametrize("activation", [SmoothReLU(1.0), ReLU()], ids=repr)
def test_one_norm_and_relu_gradients_away_from_kinks(activation):
    # random data lands on a kink (z = 0 or a = tau) with probability 0
    net, inputs, targets = random_problem([3, 5, 2], activation, seed=5)
    for cost in (OneNormCost(), QuadraticCost()):
        dW, db = gradients(net, inputs, targets, cost=cost)
        fd_W, fd_b = finite_difference_gradients(net, inputs, targets, cost)
        assert_gradients_close(dW, fd_W)
        assert_gradients_close(db, fd_b)


@settings(max_examples=15, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    q=st.integers(2, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_polynomial_gradients_random_networks(sizes, q, seed):
    net, inputs, targets = random_problem(sizes, PolynomialActivation(q, 1.0), seed=seed, batch=3)
    dW, db = gradients(net, inputs, targets)
    fd_W, fd_b = finite_difference_gradients(net, inputs, targets, QuadraticCost())
    assert_gradients_close(dW, fd_W, rtol=1e-5)
    assert_gradients_close(db, fd_b, rtol=1e-5)


def test_single_input_equals_batch_of_one():
    net, inputs, targets = random_problem([3, 4, 2], SmoothReLU(1.0), seed=2, batch=1)
    single = gradients(net, inputs[0], targets[0])
    batch = gradients(net, inputs, targets)
    for a, b in zip(single[0] + single[1], batch[0] + batch[1]):
        np.testing.assert_array_equal(a, b)


def test_batch_gradient_is_mean_of_sample_gradients():
    # eq. (8): the cost is linear in the data
    net, inputs, targets = random_problem([3, 4, 2], SmoothReLU(1.0), seed=4, batch=5)
    dW, db = gradients(net, inputs, targets)
    per_sample = [gradients(net, inputs[k], targets[k]) for k in range(5)]
    for l in range(2):
        np.testing.assert_allclose(dW[l], np.mean([s[0][l] for s in per_sample], axis=0), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(db[l], np.mean([s[1][l] for s in per_sample], axis=0), rtol=1e-12, atol=1e-15)


def test_cost_by_name():
    net, inputs, targets = random_problem([3, 2], Sigmoid(), seed=8, unit_targets=True)
    by_name = gradients(net, inputs, targets, cost="cross_entropy")
    by_value = gradients(net, inputs, targets, cost=CrossEntropyCost())
    for a, b in zip(by_name[0] + by_name[1], by_value[0] + by_value[1]):
        np.testing.assert_array_equal(a, b)


# ---- activations computed elsewhere (§6.1) ------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS + [ReLU()], ids=repr)
def test_given_closed_form_activations_give_same_gradients(activation):
    net, inputs, targets = random_problem([3, 4, 3, 2], activation, seed=9)
    expected = gradients(net, inputs, targets)
    given_acts = gradients(net, inputs, targets, activations=net.activations(inputs))
    for a, b in zip(expected[0] + expected[1], given_acts[0] + given_acts[1]):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_given_activations_are_used():
    # one layer: delta = (a - tau) phi'(z), phi' = -a / (z - 2a) (§6.1) from the *given* a
    net = FeedForwardNetwork([[[1.0, -1.0]]], [[0.5]], SmoothReLU(1.0))
    d = np.array([[2.0, 1.0]])
    tau = np.array([[0.0]])
    simulated = np.array([[1.5]])  # e.g. a chemical steady state, slightly off phi(1.5) = 2.30...
    dW, db = gradients(net, d, tau, activations=[d, simulated])
    z = 1.5
    delta = (1.5 - 0.0) * (-1.5 / (z - 2 * 1.5))
    np.testing.assert_allclose(db[0], [delta], rtol=1e-15)
    np.testing.assert_allclose(dW[0], [[delta * 2.0, delta * 1.0]], rtol=1e-15)


def test_given_hidden_activations_feed_next_preactivation():
    # z^2 must be recomputed from the given a^1, not from the network's own a^1
    net, inputs, targets = random_problem([2, 3, 1], PolynomialActivation(3, 1.0), seed=12, batch=2)
    acts = net.activations(inputs)
    acts[1] = acts[1] * 1.01
    acts[2] = np.asarray(net.activation(acts[1] @ net.weights[1].T + net.biases[1]))
    head = FeedForwardNetwork([net.weights[1]], [net.biases[1]], net.activation)
    dW, db = gradients(net, inputs, targets, activations=acts)
    dW_head, db_head = gradients(head, acts[1], targets)
    np.testing.assert_allclose(dW[1], dW_head[0], rtol=1e-13)
    np.testing.assert_allclose(db[1], db_head[0], rtol=1e-13)


def test_given_activations_for_single_input():
    net, inputs, targets = random_problem([3, 4, 2], SmoothReLU(1.0), seed=6, batch=1)
    acts = net.activations(inputs[0])
    single = gradients(net, inputs[0], targets[0], activations=acts)
    batch = gradients(net, inputs, targets)
    for a, b in zip(single[0] + single[1], batch[0] + batch[1]):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


# ---- SGD (§6) -------------------------------------------------------------------------------


def test_sgd_step_update_rule():
    net, inputs, targets = random_problem([3, 4, 2], SmoothReLU(1.0), seed=1, batch=6)
    dW, db = gradients(net, inputs, targets)
    step = sgd_step(net, inputs, targets, eta=0.1)
    assert isinstance(step, SGDStep)
    for l in range(2):
        np.testing.assert_array_equal(step.network.weights[l], net.weights[l] - 0.1 * dW[l])
        np.testing.assert_array_equal(step.network.biases[l], net.biases[l] - 0.1 * db[l])
    assert step.cost == pytest.approx(QuadraticCost().value(net(inputs), targets), rel=1e-15)
    np.testing.assert_array_equal(step.outputs, net(inputs))
    assert step.network.activation == net.activation


def test_sgd_step_single_input_outputs_shape():
    net, inputs, targets = random_problem([3, 2], SmoothReLU(1.0), seed=1, batch=1)
    step = sgd_step(net, inputs[0], targets[0], eta=0.5)
    assert step.outputs.shape == (2,)
    assert step.cost == QuadraticCost().value(net(inputs[0]), targets[0])


def test_sgd_step_reports_given_outputs():
    net, inputs, targets = random_problem([3, 2], SmoothReLU(1.0), seed=3, batch=2)
    acts = net.activations(inputs)
    acts[-1] = acts[-1] + 0.01
    step = sgd_step(net, inputs, targets, eta=0.1, activations=acts)
    np.testing.assert_array_equal(step.outputs, acts[-1])
    assert step.cost == QuadraticCost().value(acts[-1], targets)


def test_sgd_decreases_cost_on_fixed_batch():
    net, inputs, targets = random_problem([4, 6, 3], SmoothReLU(1.0), seed=21, batch=20)
    costs = []
    for _ in range(200):
        step = sgd_step(net, inputs, targets, eta=0.05)
        costs.append(step.cost)
        net = step.network
    assert costs[-1] < 0.5 * costs[0]
    assert all(b <= a + 1e-12 for a, b in zip(costs, costs[1:]))


# ---- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "eta, shown", [(0.0, "0.0"), (-0.1, "-0.1"), (float("nan"), "nan"), (True, "True"), ("0.1", "'0.1'")]
)
def test_sgd_step_rejects_bad_eta(eta, shown):
    net, inputs, targets = random_problem([3, 2], Sigmoid(), seed=0)
    with pytest.raises(ValueError, match=rf"^eta of sgd_step must be a positive finite number; got {shown}$"):
        sgd_step(net, inputs, targets, eta=eta)


def test_errors_targets_and_inputs():
    net, inputs, targets = random_problem([3, 2], Sigmoid(), seed=0, batch=4)
    with pytest.raises(
        ValueError, match=r"^targets of gradients must have shape \(4, 2\) to match the inputs; got shape \(4, 3\)$"
    ):
        gradients(net, inputs, np.zeros((4, 3)))
    with pytest.raises(
        ValueError, match=r"^targets of sgd_step must have shape \(2,\) to match the inputs; got shape \(1, 2\)$"
    ):
        sgd_step(net, inputs[0], targets[:1], eta=0.1)
    with pytest.raises(ValueError, match=r"^targets of gradients must be finite; got nan at index \(0, 1\)$"):
        gradients(net, inputs, np.where(np.eye(4, 2, 1) > 0, np.nan, 0.0))
    with pytest.raises(ValueError, match=r"^d of gradients must have shape \(c_0,\) = \(3,\) or \(batch, 3\)"):
        gradients(net, inputs[:, :2], targets)


def test_errors_cost_and_network_types():
    net, inputs, targets = random_problem([3, 2], Sigmoid(), seed=0)
    with pytest.raises(TypeError, match=r"^cost of gradients must be a Cost or a cost name; got function$"):
        gradients(net, inputs, targets, cost=lambda a, t: 0.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name of get_cost must be one of"):
        gradients(net, inputs, targets, cost="l2")
    with pytest.raises(TypeError, match=r"^network of sgd_step must be a FeedForwardNetwork; got list$"):
        sgd_step([net], inputs, targets, eta=0.1)  # type: ignore[arg-type]


def test_errors_cost_domain():
    net, inputs, targets = random_problem([3, 2], SmoothReLU(1.0), seed=0)
    with pytest.raises(ValueError, match=r"^a of CrossEntropyCost.gradient must lie strictly inside \(0, 1\)"):
        gradients(net, inputs, targets, cost="cross_entropy")


def test_errors_given_activations():
    net, inputs, targets = random_problem([3, 4, 2], SmoothReLU(1.0), seed=0, batch=5)
    acts = net.activations(inputs)
    with pytest.raises(
        ValueError, match=r"^activations of gradients must be a list \[a\^0, \.\.\., a\^m\] of 3 arrays; got 2$"
    ):
        gradients(net, inputs, targets, activations=acts[1:])
    with pytest.raises(
        ValueError,
        match=r"^activations\[1\] of gradients must have shape \(5, 4\) to match the inputs; got shape \(5, 3\)$",
    ):
        gradients(net, inputs, targets, activations=[acts[0], acts[1][:, :3], acts[2]])
    bad = [a.copy() for a in acts]
    bad[2][3, 1] = np.inf
    with pytest.raises(ValueError, match=r"^activations\[2\] of sgd_step must be finite; got inf at index \(3, 1\)$"):
        sgd_step(net, inputs, targets, eta=0.1, activations=bad)
    with pytest.raises(
        ValueError, match=r"^activations\[0\] of gradients must equal the inputs \(a\^0 = d, eq\. \(6\)\)$"
    ):
        gradients(net, inputs, targets, activations=[acts[0] + 1.0, acts[1], acts[2]])
