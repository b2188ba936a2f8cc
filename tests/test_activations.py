"""Tests of rxnn.nn.activations against independent truths (mpmath at 50 digits, finite differences)."""

from __future__ import annotations

import dataclasses

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxnn.nn import (
    ACTIVATIONS,
    Activation,
    PolynomialActivation,
    ReLU,
    Sigmoid,
    SmoothReLU,
    get_activation,
)
from rxnn.nn.activations import _polynomial_root

DIGITS = 50  # mpmath working precision for references (set locally, never globally)


def _digits():
    """At least DIGITS, or more where mpmath already works at more (inside mpmath.diff)."""
    return mpmath.workdps(max(DIGITS, mpmath.mp.dps))

# y in [-1e6, 1e6] on a log grid in both directions, and 0.
Y_GRID = np.concatenate([-np.logspace(6, -6, 13), [0.0], np.logspace(-6, 6, 13)])
H_VALUES = [1e-3, 0.3, 1.0, 1e3]


def mp_smooth_relu(y: float, h: float) -> mpmath.mpf:
    """eq. (4) evaluated in 50-digit arithmetic (cancellation is harmless at this precision)."""
    with _digits():
        y, h = mpmath.mpf(y), mpmath.mpf(h)
        return (y + mpmath.sqrt(y * y + 4 * h)) / 2


def mp_polynomial_root(y: float, q: int, h: float) -> mpmath.mpf:
    """The positive real root of (q-1) x^q - y x - h, by mpmath.polyroots at 50 digits."""
    with _digits():
        coeffs = [mpmath.mpf(q - 1)] + [0] * (q - 2) + [-mpmath.mpf(y), -mpmath.mpf(h)]
        roots = mpmath.polyroots(coeffs, maxsteps=400, extraprec=300)
        positive = [
            mpmath.re(r)
            for r in roots
            if abs(mpmath.im(r)) <= mpmath.mpf(10) ** -30 * max(1, abs(r)) and mpmath.re(r) > 0
        ]
        assert len(positive) == 1, roots  # Descartes' rule of signs (§6.1)
        return positive[0]


def rel_err(x: float, ref: mpmath.mpf) -> float:
    with _digits():
        return float(abs((mpmath.mpf(x) - ref) / ref)) if ref != 0 else abs(float(x))


# ---- SmoothReLU (eq. (4)) -----------------------------------------------------------------


@pytest.mark.parametrize("h", H_VALUES)
def test_smooth_relu_matches_mpmath_on_y_in_pm_1e6(h):
    phi = SmoothReLU(h)
    values = phi(Y_GRID)
    errors = [rel_err(v, mp_smooth_relu(y, h)) for y, v in zip(Y_GRID, values)]
    assert max(errors) <= 1e-12


def test_smooth_relu_keeps_relative_accuracy_far_left():
    # the naive (y + sqrt(y^2 + 4h))/2 returns 0 or garbage here; phi ~ h/|y|
    for y in [-1e8, -1e12, -1e150]:
        assert rel_err(SmoothReLU(2.0)(y), mp_smooth_relu(y, 2.0)) <= 1e-14


def test_smooth_relu_with_h_zero_is_relu():
    y = np.linspace(-5, 5, 101)
    np.testing.assert_array_equal(SmoothReLU(0.0)(y), np.maximum(y, 0.0))
    np.testing.assert_array_equal(SmoothReLU(0.0).derivative(y), ReLU().derivative(y))


def test_smooth_relu_is_the_positive_fixed_point_of_example_4_2():
    # Prop. 4.9: phi solves h + y x - x^2 = 0
    y = np.linspace(-20, 20, 41)
    x = SmoothReLU(0.5)(y)
    np.testing.assert_allclose(0.5 + y * x - x**2, 0.0, atol=1e-12)
    assert np.all(x > 0)


# ---- PolynomialActivation (§6.1) -----------------------------------------------------------


@pytest.mark.parametrize("q", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("h", [1e-3, 1.0, 1e3])
def test_polynomial_matches_mpmath_polyroots(q, h):
    phi = PolynomialActivation(q, h)
    values = phi(Y_GRID)
    errors = [rel_err(v, mp_polynomial_root(y, q, h)) for y, v in zip(Y_GRID, values)]
    assert max(errors) <= 1e-12


@settings(max_examples=40, deadline=None)
@given(
    q=st.integers(2, 6),
    log_h=st.floats(-3, 3),
    y=st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False),
)
def test_polynomial_matches_mpmath_random(q, log_h, y):
    h = 10.0**log_h
    assert rel_err(PolynomialActivation(q, h)(y), mp_polynomial_root(y, q, h)) <= 1e-12


@pytest.mark.parametrize("h", [1e-3, 0.3, 1.0, 1e3])
def test_newton_solver_at_q2_reproduces_closed_form(h):
    # the general solver is independent of eq. (4); the public class uses eq. (4) at q = 2
    y = np.concatenate([-np.logspace(6, -6, 49), [0.0], np.logspace(-6, 6, 49)])
    np.testing.assert_allclose(_polynomial_root(y, 2, h), SmoothReLU(h)(y), rtol=1e-13, atol=0)


def test_polynomial_q2_equals_smooth_relu():
    y = np.linspace(-30, 30, 121)
    for h in [0.0, 0.1, 1.0, 7.0]:
        np.testing.assert_array_equal(PolynomialActivation(2, h)(y), SmoothReLU(h)(y))
        np.testing.assert_array_equal(PolynomialActivation(2, h).derivative(y), SmoothReLU(h).derivative(y))


def test_polynomial_q3_h1_is_figure_13():
    # Figure 13: the positive root of 1 + y x - 2 x^3; e.g. y = 1 gives x = 1
    assert PolynomialActivation(3, 1.0)(1.0) == pytest.approx(1.0, rel=1e-15)
    assert PolynomialActivation(3, 1.0)(-1.0) == pytest.approx(float(mp_polynomial_root(-1.0, 3, 1.0)), rel=1e-14)


@pytest.mark.parametrize("q", [2, 3, 4, 6])
def test_polynomial_with_h_zero(q):
    y = np.linspace(-10, 10, 81)
    expected = np.maximum(0.0, y / (q - 1)) ** (1.0 / (q - 1))
    np.testing.assert_allclose(PolynomialActivation(q, 0.0)(y), expected, rtol=1e-15, atol=0)
    # and h -> 0 is continuous away from the kink
    y_off = y[np.abs(y) >= 1]
    np.testing.assert_allclose(PolynomialActivation(q, 1e-12)(y_off), expected[np.abs(y) >= 1], atol=1e-11)


@pytest.mark.parametrize("q", [3, 4, 6])
def test_polynomial_asymptotics(q):
    # §6.1: phi ~ (y/(q-1))^(1/(q-1)) as y -> inf and phi ~ h/|y| as y -> -inf
    phi = PolynomialActivation(q, 2.0)
    assert phi(1e12) == pytest.approx((1e12 / (q - 1)) ** (1 / (q - 1)), rel=1e-6)
    assert phi(-1e12) == pytest.approx(2.0 / 1e12, rel=1e-9)


def test_polynomial_large_q_converges():
    q = 12
    for y in [-1e6, -1.0, 0.0, 1.0, 1e6]:
        assert rel_err(PolynomialActivation(q, 1.0)(y), mp_polynomial_root(y, q, 1.0)) <= 1e-12


def test_non_finite_inputs():
    y = np.array([-np.inf, np.inf, np.nan])
    for phi in [SmoothReLU(1.0), PolynomialActivation(3, 1.0), ReLU(), Sigmoid()]:
        out = phi(y)
        assert out[0] == 0.0
        assert out[1] == (1.0 if isinstance(phi, Sigmoid) else np.inf)
        assert np.isnan(out[2])


# ---- derivatives ------------------------------------------------------------------------------

SMOOTH = [Sigmoid(), SmoothReLU(1e-3), SmoothReLU(1.0), SmoothReLU(1e3)] + [
    PolynomialActivation(q, h) for q in (3, 4, 5, 6) for h in (1e-3, 1.0, 1e3)
]


@pytest.mark.parametrize("phi", SMOOTH, ids=repr)
def test_derivative_matches_central_differences(phi):
    if isinstance(phi, Sigmoid):
        # beyond y ~ 5, phi(y +- step) round near 1 and the difference loses digits
        y = np.linspace(-30, 5, 36)
        scale = 1.0
    else:
        y = np.concatenate([-np.logspace(4, -3, 15), [0.0], np.logspace(-3, 4, 15)])
        scale = phi.h / phi(0.0)  # |y| at which y phi and h balance: phi varies on max(|y|, scale)
    step = 1e-5 * np.maximum(scale, np.abs(y))
    fd = (phi(y + step) - phi(y - step)) / (2 * step)
    np.testing.assert_allclose(phi.derivative(y), fd, rtol=1e-7, atol=0)


@pytest.mark.parametrize(
    "phi, reference",
    [
        (SmoothReLU(0.7), lambda y: mp_smooth_relu(y, 0.7)),
        (PolynomialActivation(3, 1.0), lambda y: mp_polynomial_root(y, 3, 1.0)),
        (PolynomialActivation(5, 0.01), lambda y: mp_polynomial_root(y, 5, 0.01)),
    ],
    ids=["smooth_relu", "polynomial_q3", "polynomial_q5"],
)
def test_derivative_matches_mpmath_diff(phi, reference):
    for y in [-1e3, -2.5, -0.1, 0.0, 0.3, 4.0, 1e3]:
        with _digits():
            exact = mpmath.diff(reference, mpmath.mpf(y))
        assert rel_err(phi.derivative(y), exact) <= 1e-12


def test_sigmoid_matches_mpmath():
    for y in [-700.0, -30.0, -1.0, 0.0, 2.0, 30.0]:
        with _digits():
            exact = 1 / (1 + mpmath.exp(-mpmath.mpf(y)))
            exact_derivative = exact * (1 - exact)
        assert rel_err(Sigmoid()(y), exact) <= 1e-14
        assert rel_err(Sigmoid().derivative(y), exact_derivative) <= 1e-13


def test_relu_derivative_convention():
    np.testing.assert_array_equal(ReLU().derivative([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])
    assert np.isnan(ReLU().derivative(np.nan))


@pytest.mark.parametrize("phi", SMOOTH + [ReLU(), SmoothReLU(0.0), PolynomialActivation(3, 0.0)], ids=repr)
def test_derivative_from_value_agrees_with_derivative(phi):
    y = np.linspace(-8, 8, 33)
    np.testing.assert_allclose(phi.derivative_from_value(y, phi(y)), phi.derivative(y), rtol=1e-12, atol=0)


@pytest.mark.parametrize("q", [2, 3, 4])
def test_derivative_from_value_is_the_implicit_formula(q):
    # §6.1: phi' = -phi / (y - q(q-1) phi^(q-1)) for any given value, e.g. one from a simulation
    y = np.array([-3.0, 0.5, 2.0])
    value = np.array([0.2, 0.9, 1.4])
    expected = [float(-v / (t - q * (q - 1) * v ** (q - 1))) for t, v in zip(y, value)]
    np.testing.assert_allclose(PolynomialActivation(q, 1.0).derivative_from_value(y, value), expected, rtol=1e-15)


def test_derivative_from_value_of_smooth_relu_is_q2():
    y, value = np.array([-1.0, 2.0]), np.array([0.5, 2.5])
    np.testing.assert_array_equal(
        SmoothReLU(1.0).derivative_from_value(y, value),
        PolynomialActivation(2, 1.0).derivative_from_value(y, value),
    )
    np.testing.assert_allclose(SmoothReLU(1.0).derivative_from_value(y, value), [0.5 / 2, 2.5 / 3])


def test_derivative_at_kink_with_h_zero_is_zero():
    for phi in [SmoothReLU(0.0), PolynomialActivation(3, 0.0)]:
        assert phi.derivative(0.0) == 0.0
        assert phi.derivative_from_value(0.0, 0.0) == 0.0


@settings(max_examples=50, deadline=None)
@given(
    act=st.sampled_from([Sigmoid(), SmoothReLU(0.5), PolynomialActivation(3, 1.0), PolynomialActivation(4, 0.01)]),
    ys=st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=8),
)
def test_monotone_nonnegative_positive_derivative(act, ys):
    y = np.sort(np.array(ys))
    values = act(y)
    assert np.all(np.diff(values) >= 0)
    assert np.all(values >= 0)
    assert np.all(act.derivative(y) >= 0)


# ---- shapes, values, registry ---------------------------------------------------------------


@pytest.mark.parametrize("phi", [Sigmoid(), ReLU(), SmoothReLU(1.0), PolynomialActivation(3, 1.0)], ids=repr)
def test_shapes(phi):
    assert np.ndim(phi(1.5)) == 0
    assert isinstance(phi(1.5), np.floating)
    z = np.arange(24.0).reshape(2, 3, 4) - 12
    assert phi(z).shape == (2, 3, 4)
    assert phi.derivative(z).shape == (2, 3, 4)
    assert phi.derivative_from_value(z, phi(z)).shape == (2, 3, 4)
    np.testing.assert_array_equal(phi(z).ravel(), phi(z.ravel()))


def test_value_semantics():
    assert SmoothReLU(1) == SmoothReLU(1.0)
    assert hash(SmoothReLU(1)) == hash(SmoothReLU(1.0))
    assert SmoothReLU(1.0) != SmoothReLU(2.0)
    assert PolynomialActivation(2, 1.0) != SmoothReLU(1.0)
    assert Sigmoid() == Sigmoid()
    assert len({ReLU(), ReLU(), Sigmoid()}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        SmoothReLU(1.0).h = 2.0  # type: ignore[misc]
    assert isinstance(PolynomialActivation(3, 1.0).q, int)
    assert isinstance(SmoothReLU(np.float32(0.5)).h, float)


def test_names_params_and_registry():
    assert {name: cls.name for name, cls in ACTIVATIONS.items()} == {
        "sigmoid": "sigmoid",
        "relu": "relu",
        "smooth_relu": "smooth_relu",
        "polynomial": "polynomial",
    }
    cases = [Sigmoid(), ReLU(), SmoothReLU(0.25), PolynomialActivation(4, 3.0)]
    for phi in cases:
        assert isinstance(phi, Activation)
        assert get_activation(phi.name, **phi.params) == phi
    assert PolynomialActivation(4, 3.0).params == {"q": 4, "h": 3.0}
    assert Sigmoid().params == {}
    params = SmoothReLU(1.0).params
    params["h"] = 5.0
    assert SmoothReLU(1.0).params == {"h": 1.0}


# ---- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, shown",
    [(-1.0, "-1.0"), (float("nan"), "nan"), (float("inf"), "inf"), ("1", "'1'"), (True, "True"), (None, "None")],
)
def test_invalid_h(bad, shown):
    with pytest.raises(ValueError, match=rf"^h of SmoothReLU must be a finite number >= 0; got {shown}$"):
        SmoothReLU(bad)
    with pytest.raises(ValueError, match=rf"^h of PolynomialActivation must be a finite number >= 0; got {shown}$"):
        PolynomialActivation(3, bad)


def test_invalid_h_numpy_scalar_is_shown_plainly():
    with pytest.raises(ValueError, match=r"got -2\.0$"):
        SmoothReLU(np.float64(-2.0))


@pytest.mark.parametrize(
    "bad, shown", [(2.5, "2.5"), (3.0, "3.0"), (True, "True"), ("3", "'3'"), (1, "1"), (0, "0"), (-2, "-2")]
)
def test_invalid_q(bad, shown):
    with pytest.raises(ValueError, match=rf"^q of PolynomialActivation must be an integer >= 2; got {shown}$"):
        PolynomialActivation(bad, 1.0)


def test_numpy_integer_q_is_accepted():
    assert PolynomialActivation(np.int64(3), 1.0) == PolynomialActivation(3, 1.0)


def test_get_activation_unknown_name_lists_valid_names():
    with pytest.raises(
        ValueError,
        match=r"^name of get_activation must be one of 'polynomial', 'relu', 'sigmoid', 'smooth_relu'; got 'tanh'$",
    ):
        get_activation("tanh")
    with pytest.raises(ValueError, match="must be one of"):
        get_activation(["relu"])  # type: ignore[arg-type]


def test_get_activation_rejects_foreign_parameters():
    with pytest.raises(TypeError, match="q"):
        get_activation("smooth_relu", h=1.0, q=3)
    with pytest.raises(ValueError, match="h of SmoothReLU"):
        get_activation("smooth_relu", h=-1.0)


def test_activation_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        Activation()  # type: ignore[abstract]
