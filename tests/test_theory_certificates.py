"""Tests of rxnn.theory.certificates: contraction rates and predicted vs observed convergence times."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rxnn.compile import compile_network
from rxnn.nn import FeedForwardNetwork, PolynomialActivation, ReLU, SmoothReLU
from rxnn.nn.polynomial_node import PolynomialNodeActivation
from rxnn.theory.certificates import certify, contraction_rates, node_polynomial


def test_contraction_rate_of_the_smoothed_relu():
    net = FeedForwardNetwork.random([3, 4, 2], SmoothReLU(0.5), seed=4)
    d = np.array([0.2, 1.0, 0.6])
    rates = contraction_rates(compile_network(net), d)
    for rho, lam in zip(net.preactivations(d), rates):
        np.testing.assert_allclose(lam, np.sqrt(rho**2 + 4 * 0.5), rtol=1e-12)  # proof of Prop. 4.9


def test_contraction_rate_of_the_q_family():
    q, h = 3, 1.0
    net = FeedForwardNetwork.random([2, 3], PolynomialActivation(q, h), seed=1)
    d = np.array([0.5, 0.5])
    (rho,), (x,) = net.preactivations(d)[:1], net.activations(d)[1:]
    (lam,) = contraction_rates(compile_network(net), d)
    np.testing.assert_allclose(lam, q * (q - 1) * x ** (q - 1) - rho, rtol=1e-12)  # -(g'(x) + rho)


def test_node_polynomial():
    assert node_polynomial(SmoothReLU(2.0)) == (2.0, 0.0, -1.0)
    assert node_polynomial(PolynomialActivation(4, 1.0)) == (1.0, 0.0, 0.0, 0.0, -3.0)
    assert node_polynomial(PolynomialNodeActivation((1, 0, 1, -1))) == (1.0, 0.0, 1.0, -1.0)


@pytest.mark.parametrize(
    "activation, seed, absorb",
    [
        (SmoothReLU(1.0), 0, False),
        (SmoothReLU(0.5), 1, True),
        (PolynomialActivation(3, 1.0), 2, False),
        (SmoothReLU(1.0), 3, True),
    ],
)
def test_observed_times_are_within_the_predicted_bounds(activation, seed, absorb):
    rng = np.random.default_rng(seed)
    net = FeedForwardNetwork.random([2, 3, 2], activation, seed=seed)
    d = rng.uniform(0, 1, 2)
    cert = certify(compile_network(net, absorb_enzymes=absorb), d, tol=1e-3, scale=100.0, n_starts=5, seed=seed)
    assert cert.holds, str(cert)
    assert 0 < cert.observed_time <= cert.predicted_time < math.inf
    assert cert.observed_time > 0.2 * cert.predicted_time  # the bound is not vacuous
    assert all(L.tolerance <= 1e-3 for L in cert.layers) and cert.layers[0].forcing_error.max() == 0
    assert cert.layers[1].start_time == cert.layers[0].predicted_time
    np.testing.assert_allclose(cert.layers[-1].fixed_point, net(d), rtol=1e-12)


def test_one_node_bound_is_tight():
    # one node: the prediction is the exact time of the slowest monotone trajectory
    net = FeedForwardNetwork([np.array([[1.0, -1.0]])], [np.array([0.5])], SmoothReLU(1.0))
    cert = certify(compile_network(net), [1.0, 0.5], tol=1e-4, scale=1000.0, n_starts=2)
    assert cert.holds and cert.observed_time == pytest.approx(cert.predicted_time, rel=0.01)
    assert cert.layers[0].contraction_rate[0] == pytest.approx(math.sqrt(5.0))
    assert cert.worst_start is not None and "within the prediction" in str(cert)


def test_convergence_from_infinity():
    net = FeedForwardNetwork.random([2, 3, 2], SmoothReLU(1.0), seed=1)
    cert = certify(compile_network(net), [0.3, 0.8], scale=math.inf, observe_scale=1e6, n_starts=3)
    assert cert.holds and math.isinf(cert.scale)
    assert cert.layers[0].start_time > 0  # the entry time of Prop. A.1
    assert "any start" in str(cert)


def test_prediction_alone():
    net = FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0)
    cert = certify(compile_network(net), [1.0, 1.0], simulate_starts=False)
    assert cert.holds is None and cert.observed_time is None and cert.predicted_time > 0
    inf = certify(compile_network(net), [1.0, 1.0], scale=math.inf, simulate_starts=False)
    assert inf.predicted_time > 0


def test_errors():
    relu = compile_network(FeedForwardNetwork.random([2, 2], ReLU(), seed=0))
    with pytest.raises(ValueError, match="hypotheses of Theorem 4.8"):
        certify(relu, [1.0, 1.0])
    ok = compile_network(FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0))
    with pytest.raises(ValueError, match="tol of certify must be a positive finite number"):
        certify(ok, [1.0, 1.0], tol=0.0)
    with pytest.raises(ValueError, match="observe_scale of certify must be given"):
        certify(ok, [1.0, 1.0], scale=math.inf)
    with pytest.raises(ValueError, match="observe_scale of certify must be <= scale"):
        certify(ok, [1.0, 1.0], scale=10.0, observe_scale=20.0)
    with pytest.raises(ValueError, match="d of certify must be 2 finite concentrations"):
        certify(ok, [1.0, -1.0])
    with pytest.raises(TypeError, match="compiled of contraction_rates must be a CompiledNetwork"):
        contraction_rates(ok.network, [1.0, 1.0])


# ---------------------------------------------------------------------- needs the compile.py patch
def test_designed_activation_certificate():
    net = FeedForwardNetwork.random([2, 3, 1], PolynomialNodeActivation((1.0, 0.0, 1.0, -1.0)), seed=5)
    cert = certify(compile_network(net), [0.4, 0.9], tol=1e-3, scale=50.0, n_starts=4)
    assert cert.holds, str(cert)
