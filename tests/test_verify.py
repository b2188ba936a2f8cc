"""Verification that compiled networks implement their neural networks (Def. 4.1, 4.4, 4.7, §6).

Expected values come from closed forms of the node ODE x' = h + rho x - x^2
(eq. (13)), from hand-computed forward passes, and from an independent
scipy integration of the two-node system.
"""

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from rxnn import FeedForwardNetwork, ReLU, SmoothReLU, compile_network, verify_network
from rxnn.errors import InvalidArgumentError, LimitError, RxnnError
from rxnn.verify import ReliabilityWarning

MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"


def test_small_network_passes_with_a_readable_table():
    net = FeedForwardNetwork.random([4, 5, 3], SmoothReLU(1.0), seed=2)
    d = np.random.default_rng(0).uniform(size=(4, 4))
    result = verify_network(compile_network(net), d)
    assert result.passed and result.kind == "numerical evidence"
    names = {c.start for c in result.checks}
    assert {"ones", "10*rand", "1000*rand", "zeros", "layer 1 at 0", "layer 2 at 0",
            "tiny (1e-12)", "huge (1e+06)"} <= names
    assert any(n.startswith("corner:") for n in names)
    assert all(c.final_error <= 1e-6 and c.steady_error <= 1e-8 for c in result.checks)
    # Every layer enters the bounded set and settles within the stated limits.
    assert all(c.entry_time <= result.entry_limit and c.settle_time <= result.settle_limit for c in result.checks)
    # From 1000x starts every node falls into the bounded set within a fraction of a time unit (Prop. A.1).
    assert all(c.entry_time < 1.0 for c in result.checks if c.start in ("1000*rand", "huge (1e+06)"))
    assert all(0 < c.settle_time <= c.end_time for c in result.checks)
    text = str(result)
    assert "verdict: PASSED" in text and "not a proof" in text and "Def. 4.4" in text
    assert "Def. 4.7(3)" not in text  # not contradicted here, and never claimed
    assert result.to_dict()["passed"] is True and result.to_dict()["kind"] == "numerical evidence"
    assert result.message.startswith("PASSED (numerical evidence")


def test_issue_h_zero_network_fails_from_the_zero_start_and_says_why():
    """Issue 12: 2-2-1 ReLU(); x = 0 is invariant when h = 0, so from all nodes at 0 nothing moves."""
    W1, b1 = np.array([[1.0, 0.8], [-1.0, -0.5]]), np.array([0.0, 0.2])
    W2, b2 = np.array([[1.0, -1.0]]), np.array([-0.2])
    net = FeedForwardNetwork([W1, W2], [b1, b2], ReLU())
    # By hand: a1 = ReLU(0.5 + 0.8, -0.5 - 0.5 + 0.2) = (1.3, 0), a2 = ReLU(1.3 - 0 - 0.2) = 1.1.
    with pytest.warns(ReliabilityWarning, match="Prop. 4.9 needs h > 0"):
        result = verify_network(compile_network(net), [0.5, 1.0], t_max=80.0)
    assert not result.passed
    by = {(c.start, c.layer): c for c in result.checks}
    # The face x = 0 is invariant: the zero start stays exactly at 0, so the errors are the activations.
    assert by[("zeros", 1)].final_error == pytest.approx(1.3, abs=1e-12)
    assert by[("zeros", 2)].final_error == pytest.approx(1.1, abs=1e-12)
    assert math.isinf(by[("zeros", 1)].settle_time)
    # The interior starts the old verification used do converge: they alone would not show it.
    for start in ("ones", "10*rand", "1000*rand"):
        assert all(by[(start, layer)].final_error <= 1e-6 for layer in (1, 2))
    assert any("'zeros'" in f and "invariant" in f and "X1_1" in f for f in result.failures)
    assert "FAILED" in result.message and "'zeros'" in result.message
    assert "the face X1_1 = 0 is invariant" in str(result) and "h = 0" in str(result)


def test_issue_def_4_7_3_is_contradicted_but_def_4_4_holds_on_the_grid():
    """Issue 12: 1-1-1 SmoothReLU(1), W2 = 50, b2 = -50, fixed point (1, 1), start 0.1 off in layer 1."""
    net = FeedForwardNetwork([np.zeros((1, 1)), np.array([[50.0]])], [np.zeros(1), np.array([-50.0])], SmoothReLU(1.0))
    assert np.allclose([a.item() for a in net.activations(np.array([[0.5]]))[1:]], [1.0, 1.0])
    result = verify_network(compile_network(net), [0.5], starts={"layer 1 off by 0.1": [1.1, 1.0]})
    assert result.passed  # it converges: Def. 4.1 evidence holds; Def. 4.7(3) is not what passed means
    # Independent truth: eq. (13) for both nodes, integrated by scipy.
    ode = solve_ivp(lambda t, x: [1 - x[0] ** 2, 1 + (50 * x[0] - 50) * x[1] - x[1] ** 2], (0, 5), [1.1, 1.0],
                    rtol=1e-11, atol=1e-13, dense_output=True)
    t = np.linspace(0, 5, 50001)
    dist = np.hypot(*(ode.sol(t) - 1.0))
    assert dist.max() == pytest.approx(1.36, abs=0.005) and t[dist.argmax()] == pytest.approx(0.46, abs=0.01)
    start = next(s for s in result.starts if s.start == "layer 1 off by 0.1")
    assert start.initial_distance == pytest.approx(0.1, rel=1e-12)
    assert start.peak_ratio == pytest.approx(dist.max() / 0.1, rel=2e-3)  # sampled grid vs fine grid
    assert start.peak_ratio > 13  # no lambda > 0 gives |x(t) - X| <= |x(0) - X| e^{-lambda t}
    # Def. 4.4 (constant c >= |x(0) - X|) is what is reported: c covers the peak.
    assert start.rate > 0 and start.rate_constant >= 0.999 * dist.max()
    assert "Def. 4.7(3) (constant 1) is contradicted" in str(result)


def test_entry_time_matches_the_closed_form_and_is_judged():
    """x' = 1 - x^2 from 1e6: x(t) = coth(t + arccoth(1e6)), enters x <= 2 at arccoth(2) - arccoth(1e6)."""
    net = FeedForwardNetwork([np.zeros((1, 1))], [np.zeros(1)], SmoothReLU(1.0))
    compiled = compile_network(net)
    result = verify_network(compiled, [0.0], scales=(), include_ones=False)
    assert result.bound == 2.0
    huge = next(c for c in result.checks if c.start == "huge (1e+06)")
    exact = math.atanh(1 / 2) - math.atanh(1e-6)  # arccoth(y) = atanh(1/y)
    assert exact <= huge.entry_time <= exact + 0.03  # first grid time after the crossing (5 % log spacing)
    # Zero start: x(t) = tanh(t), within 1e-6 of 1 from atanh(1 - 1e-6) on.
    zeros = next(c for c in result.checks if c.start == "zeros")
    assert math.atanh(1 - 1e-6) <= zeros.settle_time <= math.atanh(1 - 1e-6) + 0.11
    strict = verify_network(compiled, [0.0], scales=(), include_ones=False, entry_limit=0.5)
    assert not strict.passed and any("huge" in f and "entry_limit 0.5" in f for f in strict.failures)
    slow = verify_network(compiled, [0.0], scales=(), include_ones=False, settle_limit=5.0)
    assert not slow.passed and any("'zeros'" in f and "settle_limit 5" in f for f in slow.failures)


def test_settle_time_reflects_the_contraction_rate():
    """One node, rho = 0: x' = h - x^2 converges at rate 2 sqrt(h) (Prop. 4.9); a larger h settles sooner."""
    times, rates = [], []
    for h in (0.25, 4.0):
        net = FeedForwardNetwork([np.zeros((1, 1))], [np.zeros(1)], SmoothReLU(h))
        result = verify_network(compile_network(net), [0.0], scales=(10.0,), include_ones=False)
        times.append(result.checks[0].settle_time)
        rates.append(result.starts[0].rate)
    assert times[1] < times[0]
    # The fitted Def. 4.4 rate is the linearisation rate 2 sqrt(h) (to 10 %: the fit starts at 1 % of the peak).
    assert rates == pytest.approx([1.0, 4.0], rel=0.1)


def test_argument_errors():
    compiled = compile_network(FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0))
    with pytest.raises(ValueError, match="tol of verify_network must be a positive finite number"):
        verify_network(compiled, [0.5, 0.5], tol=0)
    with pytest.raises(TypeError, match="must be a CompiledNetwork"):
        verify_network("net", [0.5, 0.5])
    with pytest.raises(InvalidArgumentError, match="entry_limit of verify_network"):
        verify_network(compiled, [0.5, 0.5], entry_limit=-1)
    with pytest.raises(InvalidArgumentError, match=r"d\[0, 1\] of verify_network must be a finite concentration"):
        verify_network(compiled, [0.5, -1.0])
    with pytest.raises(InvalidArgumentError, match=r"shape \(2,\) or \(batch, 2\)"):
        verify_network(compiled, [0.5, 0.5, 0.5])
    with pytest.raises(InvalidArgumentError, match="must be omitted for a CompiledNetwork"):
        verify_network(compiled, [0.5, 0.5], layers=[["a"], ["b"]])
    with pytest.raises(InvalidArgumentError, match=r"starts\['bad'\]"):
        verify_network(compiled, [0.5, 0.5], starts={"bad": [1.0]})
    with pytest.raises(LimitError, match="over the limit"):
        verify_network(compiled, np.zeros((10_001, 2)))
    with pytest.raises(RxnnError):
        verify_network(compiled, [0.5, 0.5], steady_tol=float("nan"))


def test_paper_network_on_20_mnist_images():
    """Acceptance: 784-40-10 on 20 MNIST images, every layer within 1e-6 from every start."""
    from rxnn.datasets.mnist import load_mnist

    d = load_mnist(MNIST).test.inputs(np.arange(20))
    net = FeedForwardNetwork.random([784, 40, 10], SmoothReLU(1.0), seed=1234)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = verify_network(compile_network(net), d)
    assert result.passed, str(result)
    assert result.worst("final_error") <= 1e-6
    assert result.worst("steady_error") <= 1e-8
    assert result.worst("entry_time") <= 1.0 and result.worst("settle_time") <= 20.0


def test_plot_draws_one_curve_per_start_and_bound_is_checked():
    import matplotlib

    matplotlib.use("Agg")
    net = FeedForwardNetwork([np.zeros((1, 1))], [np.zeros(1)], SmoothReLU(1.0))
    compiled = compile_network(net)
    result = verify_network(compiled, [0.0], scales=(), include_ones=False)
    ax = result.plot()
    assert len(ax.get_lines()) == len(result.starts) + 1  # + the tol line
    assert "PASSED" in ax.get_title()
    with pytest.raises(InvalidArgumentError, match="bound of verify_network must be above the largest activation 1"):
        verify_network(compiled, [0.0], bound=0.5)
