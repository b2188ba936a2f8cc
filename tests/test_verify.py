"""Verification that compiled networks implement their neural networks (Def. 4.1, 4.7, §6)."""

from pathlib import Path

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, ReLU, SmoothReLU, compile_network, verify_network
from rxnn.verify import ReliabilityWarning

MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"


def test_small_network_passes_with_a_readable_table():
    net = FeedForwardNetwork.random([4, 5, 3], SmoothReLU(1.0), seed=2)
    d = np.random.default_rng(0).uniform(size=(4, 4))
    result = verify_network(compile_network(net), d)
    assert result.passed
    assert {c.start for c in result.checks} == {"ones", "10*rand", "1000*rand"}
    assert all(c.final_error <= 1e-6 and c.steady_error <= 1e-8 for c in result.checks)
    # From 1000x starts every node falls into the bounded set within a fraction of a time unit (Prop. A.1).
    assert all(c.entry_time < 1.0 for c in result.checks if c.start == "1000*rand")
    # The settling times are finite and precede the end of the run.
    assert all(0 < c.settle_time <= c.end_time for c in result.checks)
    text = str(result)
    assert "verdict: PASSED" in text and "1000*rand" in text
    assert result.to_dict()["passed"] is True


def test_settle_time_reflects_the_contraction_rate():
    """One node, rho = 0: x' = h - x^2 converges at rate 2 sqrt(h) (Prop. 4.9); a larger h settles sooner."""
    times = []
    for h in (0.25, 4.0):
        net = FeedForwardNetwork([np.zeros((1, 1))], [np.zeros(1)], SmoothReLU(h))
        result = verify_network(compile_network(net), [0.0], scales=(10.0,), include_ones=False)
        times.append(result.checks[0].settle_time)
    assert times[1] < times[0]


def test_h_zero_warns_that_prop_4_9_needs_h_positive():
    net = FeedForwardNetwork.random([2, 2], ReLU(), seed=0)
    with pytest.warns(ReliabilityWarning, match="Prop. 4.9 needs h > 0"):
        result = verify_network(compile_network(net), [0.5, 0.5], scales=(10.0,), t_max=40.0)
    assert result.warnings


def test_argument_errors():
    compiled = compile_network(FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0))
    with pytest.raises(ValueError, match="tol of verify_network must be a positive finite number"):
        verify_network(compiled, [0.5, 0.5], tol=0)
    with pytest.raises(TypeError, match="must be a CompiledNetwork"):
        verify_network("net", [0.5, 0.5])


@pytest.mark.skipif(not MNIST.is_dir(), reason="the MNIST mirror ../shared/data/mnist is not beside this checkout")
def test_paper_network_on_20_mnist_images():
    """Acceptance: 784-40-10 on 20 MNIST images, every layer within 1e-6 from 10*rand and 1000*rand starts."""
    from rxnn.datasets.mnist import load_mnist

    d = load_mnist(MNIST).test.inputs(np.arange(20))
    net = FeedForwardNetwork.random([784, 40, 10], SmoothReLU(1.0), seed=1234)
    result = verify_network(compile_network(net), d)
    assert result.passed, str(result)
    assert result.worst("final_error") <= 1e-6
    assert result.worst("steady_error") <= 1e-8
