"""verify_network(initial_bound=, horizon=): starts in a box, judged at a finite time, named for what it checks.

Independent truth: the forward pass (eqs. (6)-(7)) and the compiled network's
own convergence (Prop. 4.9: with h = 1 it settles at rate >= 2 sqrt(h) = 2,
so it is within 1e-6 of a^l by t = 10 from starts in [0, 3], and not yet
within 1e-6 at t = 0.5).
"""

from __future__ import annotations

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, SmoothReLU, compile_network, verify_network
from rxnn.verify import HORIZON_KIND, KIND
from rxnn.errors import InvalidArgumentError


@pytest.fixture(scope="module")
def compiled():
    net = FeedForwardNetwork([np.array([[1.0, -0.5], [0.3, 0.8]]), np.array([[0.7, -0.4]])],
                             [np.array([0.2, -0.1]), np.array([0.1])], SmoothReLU(1.0))
    return compile_network(net)


def test_box_and_horizon_judge_the_layers_at_t_from_starts_in_the_box(compiled):
    result = verify_network(compiled, [0.5, 1.0], initial_bound=3.0, horizon=10.0)
    assert result.passed, result.message
    assert result.kind == HORIZON_KIND and result.horizon == 10.0 and result.initial_bound == 3.0
    assert "not Def. 4.1" in result.message and "[0, 3]^n" in result.message
    assert "no steady state judged" in str(result)
    names = [c.start for c in result.checks]
    assert "zeros" in names and "ones" in names and not any("huge" in n for n in names)
    assert all(c.end_time == 10.0 and np.isnan(c.steady_error) for c in result.checks)
    assert result.to_dict()["horizon"] == 10.0
    # every start lies in the box: the random ones are drawn at scale 3, the corners at min(bound, 3)
    assert max(c.final_error for c in result.checks) <= 1e-6


def test_a_horizon_too_short_fails(compiled):
    result = verify_network(compiled, [0.5, 1.0], initial_bound=3.0, horizon=0.5)
    assert not result.passed
    assert any("t = 0.5" in line for line in result.failures)


def test_without_horizon_the_verdict_is_still_def_4_1(compiled):
    result = verify_network(compiled, [0.5, 1.0], initial_bound=3.0)
    assert result.passed and result.kind == KIND and result.horizon is None
    assert all(np.isfinite(c.steady_error) for c in result.checks)


def test_a_start_outside_the_box_is_refused(compiled):
    with pytest.raises(InvalidArgumentError, match="initial_bound=3"):
        verify_network(compiled, [0.5, 1.0], initial_bound=3.0, starts={"far": [5.0, 0.0, 0.0]})
    with pytest.raises(InvalidArgumentError, match="horizon"):
        verify_network(compiled, [0.5, 1.0], horizon=-1.0)
