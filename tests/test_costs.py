"""Tests of rxnn.nn.costs: closed forms (§3.3, eqs. (8)-(9)), gradients vs finite differences, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rxnn.nn import COSTS, Cost, CrossEntropyCost, OneNormCost, QuadraticCost, get_cost


def test_quadratic_closed_form():
    # eq. (9): 1/2 |a - tau|^2; eq. (8): mean over the batch
    a = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 3.0]])
    tau = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 1.0]])
    per_sample = [0.5 * (1 + 4), 0.5 * (1 + 4), 0.5 * 4]
    assert QuadraticCost().value(a, tau) == pytest.approx(sum(per_sample) / 3, rel=1e-15)
    assert QuadraticCost().value(a[0], tau[0]) == 2.5
    np.testing.assert_array_equal(QuadraticCost().gradient(a, tau), a - tau)


def test_quadratic_paper_target_encoding():
    # §6: tau has 10 at the true digit and 1 elsewhere; the output all ones costs 1/2 * 9^2
    tau = np.ones(10)
    tau[7] = 10.0
    assert QuadraticCost().value(np.ones(10), tau) == 40.5


def test_one_norm_closed_form():
    a = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]])
    tau = np.array([[0.0, 1.0, 0.5], [1.0, -1.0, 2.0]])
    assert OneNormCost().value(a, tau) == pytest.approx((4.0 + 4.0) / 2, rel=1e-15)
    np.testing.assert_array_equal(OneNormCost().gradient(a, tau), [[1.0, -1.0, 0.0], [-1.0, 1.0, -1.0]])


def test_cross_entropy_closed_form():
    a = np.array([[0.9, 0.2], [0.5, 0.5]])
    tau = np.array([[1.0, 0.0], [0.3, 1.0]])
    first = -(math.log(0.9) + math.log(0.8))
    second = -(0.3 * math.log(0.5) + 0.7 * math.log(0.5) + math.log(0.5))
    assert CrossEntropyCost().value(a, tau) == pytest.approx((first + second) / 2, rel=1e-14)
    expected = (a - tau) / (a * (1 - a))
    np.testing.assert_allclose(CrossEntropyCost().gradient(a, tau), expected, rtol=1e-15)


def test_cross_entropy_is_accurate_near_zero_output():
    # ln(1 - a) by log1p: a = 1e-17 costs -ln(1 - 1e-17) ~ 1e-17 rather than 0
    assert CrossEntropyCost().value([1e-17], [0.0]) == pytest.approx(1e-17, rel=1e-12)


COST_CASES = [
    (QuadraticCost(), -3.0, 3.0),
    (OneNormCost(), -3.0, 3.0),
    (CrossEntropyCost(), 0.02, 0.98),
]


@pytest.mark.parametrize("cost, low, high", COST_CASES, ids=lambda c: repr(c))
def test_gradient_matches_central_differences(cost, low, high):
    rng = np.random.default_rng(3)
    for _ in range(5):
        a = rng.uniform(low, high, size=6)
        tau = rng.uniform(0.0, 1.0, size=6) if isinstance(cost, CrossEntropyCost) else rng.normal(size=6)
        grad = cost.gradient(a, tau)
        step = 1e-6
        for i in range(a.size):
            plus, minus = a.copy(), a.copy()
            plus[i] += step
            minus[i] -= step
            fd = (cost.value(plus, tau) - cost.value(minus, tau)) / (2 * step)
            assert grad[i] == pytest.approx(fd, rel=1e-6, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    cost=st.sampled_from([QuadraticCost(), OneNormCost()]),
    a=hnp.arrays(np.float64, (4, 3), elements=st.floats(-100, 100)),
    tau=hnp.arrays(np.float64, (4, 3), elements=st.floats(-100, 100)),
)
def test_batch_value_is_mean_of_sample_values(cost, a, tau):
    samples = [cost.value(a[k], tau[k]) for k in range(4)]
    assert cost.value(a, tau) == pytest.approx(sum(samples) / 4, rel=1e-12, abs=1e-12)
    for k in range(4):
        np.testing.assert_array_equal(cost.gradient(a, tau)[k], cost.gradient(a[k], tau[k]))


def test_value_returns_python_float():
    for cost in (QuadraticCost(), OneNormCost(), CrossEntropyCost()):
        assert type(cost.value([0.5], [0.25])) is float


def test_registry():
    assert set(COSTS) == {"quadratic", "one_norm", "cross_entropy"}
    for name, cls in COSTS.items():
        assert get_cost(name) == cls()
        assert isinstance(get_cost(name), Cost)
        assert get_cost(name).name == name
    with pytest.raises(
        ValueError, match=r"^name of get_cost must be one of 'cross_entropy', 'one_norm', 'quadratic'; got 'l2'$"
    ):
        get_cost("l2")
    with pytest.raises(ValueError, match="must be one of"):
        get_cost(None)  # type: ignore[arg-type]


# ---- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5, -0.1])
def test_cross_entropy_rejects_outputs_outside_open_unit_interval(bad):
    a = np.array([[0.5, 0.5], [0.5, bad]])
    tau = np.zeros((2, 2))
    with pytest.raises(
        ValueError,
        match=rf"^a of CrossEntropyCost.value must lie strictly inside \(0, 1\); got {bad!r} at index \(1, 1\)$",
    ):
        CrossEntropyCost().value(a, tau)
    with pytest.raises(ValueError, match=r"^a of CrossEntropyCost.gradient must lie strictly inside"):
        CrossEntropyCost().gradient(a, tau)


@pytest.mark.parametrize("cost", [QuadraticCost(), OneNormCost(), CrossEntropyCost()], ids=repr)
def test_shape_errors(cost):
    name = type(cost).__name__
    with pytest.raises(
        ValueError,
        match=rf"^a and target of {name}.value must have the same shape, .*got shapes \(2, 3\) and \(2, 2\)$",
    ):
        cost.value(np.full((2, 3), 0.5), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=rf"^a and target of {name}.gradient must have the same shape"):
        cost.gradient(np.full((1, 2, 3), 0.5), np.zeros((1, 2, 3)))
    with pytest.raises(ValueError, match="must have the same shape"):
        cost.value(0.5, 0.5)


@pytest.mark.parametrize("cost", [QuadraticCost(), OneNormCost(), CrossEntropyCost()], ids=repr)
def test_non_finite_errors(cost):
    name = type(cost).__name__
    with pytest.raises(ValueError, match=rf"^a of {name}.value must be finite; got nan at index \(1,\)$"):
        cost.value([0.5, np.nan], [0.0, 0.0])
    with pytest.raises(ValueError, match=rf"^target of {name}.gradient must be finite; got inf at index \(0,\)$"):
        cost.gradient([0.5, 0.5], [np.inf, 0.0])
