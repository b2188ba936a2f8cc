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
    assert cert.passed, str(cert)
    assert 0 < cert.observed_time <= cert.predicted_time < math.inf
    assert cert.observed_time > 0.2 * cert.predicted_time  # the bound is not vacuous
    assert all(L.tolerance <= 1e-3 for L in cert.layers) and cert.layers[0].forcing_error.max() == 0
    assert cert.layers[1].start_time == cert.layers[0].predicted_time
    np.testing.assert_allclose(cert.layers[-1].fixed_point, net(d), rtol=1e-12)


def test_one_node_bound_is_tight():
    # one node: the prediction is the exact time of the slowest monotone trajectory
    net = FeedForwardNetwork([np.array([[1.0, -1.0]])], [np.array([0.5])], SmoothReLU(1.0))
    cert = certify(compile_network(net), [1.0, 0.5], tol=1e-4, scale=1000.0, n_starts=2)
    assert cert.passed and cert.observed_time == pytest.approx(cert.predicted_time, rel=0.01)
    assert cert.layers[0].contraction_rate[0] == pytest.approx(math.sqrt(5.0))
    assert cert.worst_start is not None and "within the prediction" in str(cert)


def test_convergence_from_infinity():
    net = FeedForwardNetwork.random([2, 3, 2], SmoothReLU(1.0), seed=1)
    cert = certify(compile_network(net), [0.3, 0.8], scale=math.inf, observe_scale=1e6, n_starts=3)
    assert cert.passed and math.isinf(cert.scale)
    assert cert.layers[0].start_time > 0  # the entry time of Prop. A.1
    assert "any start" in str(cert)


def test_prediction_alone():
    net = FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0)
    cert = certify(compile_network(net), [1.0, 1.0], simulate_starts=False)
    assert cert.passed is None and cert.observed_time is None and cert.predicted_time > 0
    inf = certify(compile_network(net), [1.0, 1.0], scale=math.inf, simulate_starts=False)
    assert inf.predicted_time > 0


def test_errors():
    relu = compile_network(FeedForwardNetwork.random([2, 2], ReLU(), seed=0))
    with pytest.raises(ValueError, match="hypotheses of Thm. 4.8"):
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
    assert cert.passed, str(cert)


# ---------------------------------------------------------------------- Def. 4.4, not Def. 4.7(3) (issue 12 item 3)
def test_cascade_gives_def_4_4_not_def_4_7_3():
    # 1-1-1 SmoothReLU(1): rho1 = d - 1 = 0 so x1* = 1; W2 = 50, b2 = -50, rho2 = 50 x1 - 50 = 0 so x2* = 1.
    from scipy.integrate import solve_ivp

    from rxnn.crn.simulate import simulate
    from rxnn.theory.structure import analyze_structure

    net = FeedForwardNetwork([np.array([[1.0]]), np.array([[50.0]])], [np.array([-1.0]), np.array([-50.0])], SmoothReLU(1.0))
    np.testing.assert_allclose(net.activations(np.array([1.0]))[1:], [[1.0], [1.0]], rtol=1e-12)
    compiled = compile_network(net)
    start = np.array([[1.1, 1.0]])  # 0.1 away from the fixed point, in layer 1 only
    times = np.linspace(0.0, 2.0, 2001)
    result = simulate(compiled.network, compiled.initial_state([1.0], nodes=start), (0.0, 2.0), t_eval=times,
                      method="BDF", rtol=1e-10, atol=1e-12)
    layers = compiled.layer_values(result)[1:]
    distance = np.sqrt((layers[0][0, :, 0] - 1) ** 2 + (layers[1][0, :, 0] - 1) ** 2)
    # the node ODEs by scipy directly: a second method
    ode = solve_ivp(lambda t, z: [1 - z[0] ** 2, 1 - z[1] ** 2 + (50 * z[0] - 50) * z[1]], (0, 2), [1.1, 1.0],
                    t_eval=times, rtol=1e-11, atol=1e-12)
    direct = np.hypot(ode.y[0] - 1, ode.y[1] - 1)
    np.testing.assert_allclose(distance, direct, atol=1e-6)
    k = int(np.argmax(distance))
    assert distance[k] == pytest.approx(1.36, abs=0.01) and times[k] == pytest.approx(0.46, abs=0.01)
    assert distance[k] > 0.1  # |x(t) - X| <= |x(0) - X| e^(-lambda t) fails for every lambda > 0
    # what rxnn claims here: convergence within tol by a proved time (Def. 4.4), never Def. 4.7(3)
    cert = certify(compiled, [1.0], tol=1e-3, scale=10.0, n_starts=3)
    assert cert.passed and cert.predicted_time > times[k]
    report = str(analyze_structure(compiled.network, {"H": 1.0}))
    assert "Def. 4.4" in report and "Def. 4.7(3)'s constant 1 is not proved" in report
    assert "exponentially reliable" not in report
    import rxnn.theory.certificates as certificates

    assert "not Def. 4.7(3)" in certificates.__doc__ and "not of Def. 4.7(3)" in certify.__doc__


def test_passage_time_is_an_enclosure_of_the_closed_form():
    # dx/dt = 1 - x^2 (rho = 0): the time from 0 to a < 1 is artanh(a), exactly
    from rxnn.theory._rigorous import passage_time

    for a in (0.5, 0.9, 0.999):
        bound = passage_time((1.0, 0.0, -1.0), 0.0, 0.0, a)
        assert bound >= math.atanh(a) and bound - math.atanh(a) < 1e-9
    # from above: from 5 down to 1.001, artanh's continuation: (1/2) ln((x+1)/(x-1))
    exact = 0.5 * (math.log(2.001 / 0.001) - math.log(6 / 4))
    bound = passage_time((1.0, 0.0, -1.0), 0.0, 5.0, 1.001)
    assert bound >= exact and bound - exact < 1e-9
