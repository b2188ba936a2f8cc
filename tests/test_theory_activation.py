"""Tests of rxnn.theory.activation_check, rxnn.nn.polynomial_node and the ``rxnn check`` command (polynomials).

Tests marked "needs the compile.py patch" use compile_network with a
PolynomialNodeActivation (node_reactions in rxnn.compile).
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp

from rxnn.nn import FeedForwardNetwork, PolynomialActivation, SmoothReLU, sgd_step
from rxnn.nn.polynomial_node import PolynomialNodeActivation, node_criterion, positive_root_count
from rxnn.theory import check_activation, entry_bound, node_activation
from rxnn.theory._cli import register

h_sym = sympy.Symbol("h", positive=True)
x_sym = sympy.Symbol("x")

PROPERTIES = ("realisable", "decay", "reliable", "stable", "feed_forward")


def fixed_points(coefficients, y):
    """Positive real roots of g(x) + y x by numpy, as an independent check of counterexamples."""
    c = np.array([float(v) for v in coefficients], dtype=float)
    c[1] += float(y)
    roots = np.polynomial.polynomial.polyroots(c)
    return np.sort(roots[(np.abs(roots.imag) < 1e-9) & (roots.real > 1e-12)].real)


def coefficients_of(result):
    return [sympy.Rational(c) for c in reversed(sympy.Poly(result.g, result.x).all_coeffs())]


def assert_proved(result, q):
    assert result.proved, str(result)
    assert result.status == "proved"
    assert result.q == q
    for name in PROPERTIES:
        verdict = getattr(result, name)
        assert verdict.proved and verdict.counterexample is None and verdict.argument


# ---------------------------------------------------------------------- proved
def test_eq13_smoothed_relu_numeric():
    result = check_activation("1 - x**2")
    assert_proved(result, 2)
    assert "Sturm" in result.reliable.argument
    assert result.entry is not None and result.entry.q == 2


def test_eq13_with_h_a_positive_symbol():
    result = check_activation(h_sym - x_sym**2, x_sym)
    assert_proved(result, 2)
    assert result.entry is None  # the entry time needs numbers
    assert "assumptions" in result.reliable.argument


def test_eq13_string_declares_other_symbols_positive():
    assert_proved(check_activation("h - x**2"), 2)


def test_eq20_is_proved():
    result = check_activation("1 - 2*x**3")
    assert_proved(result, 3)
    assert "3X -> 2X at rate 2" in result.realisable.argument


@pytest.mark.parametrize("q", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("h", [1, 0.3])
def test_q_family_is_proved(q, h):
    assert_proved(check_activation([h] + [0] * (q - 1) + [-(q - 1)]), q)


def test_q_family_symbolic():
    for q in range(2, 7):
        assert_proved(check_activation(h_sym - (q - 1) * x_sym**q, x_sym), q)


def test_designed_activation_beyond_the_family_is_proved():
    # p = x g' - g = -1 + x^2 - 2x^3 < 0 on (0, inf) although g has a positive x^2 term
    assert_proved(check_activation("1 + x**2 - x**3"), 3)
    assert_proved(check_activation((2.0, 1.5, 0.5, -1.0)), 3)


# ---------------------------------------------------------------------- refuted, with counterexamples
def test_h_zero_has_no_positive_fixed_point_for_y_le_0():
    result = check_activation("-x**2")
    assert result.realisable.proved and result.decay.proved and result.stable.proved
    assert result.reliable.refuted and result.status == "refuted"
    y = result.reliable.counterexample
    assert y <= 0 and fixed_points([0, 0, -1], y).size == 0
    assert "no positive" in result.reliable.argument
    ff = result.feed_forward
    assert ff.refuted and ff.counterexample == 0 and "algebraically" in ff.argument


def test_three_positive_fixed_points_are_found():
    g = "-(x - 1)*(x - 2)*(x - 3)*x + 1"
    result = check_activation(g)
    coefficients = coefficients_of(result)
    for name in ("reliable", "stable", "feed_forward"):
        verdict = getattr(result, name)
        assert verdict.refuted, name
    y = result.reliable.counterexample
    assert y == sympy.Rational(-1, 2)
    roots = fixed_points(coefficients, y)
    assert roots.size == 3
    slopes = [float(sympy.Poly(result.g, x_sym).diff(x_sym).eval(r)) + float(y) for r in roots]
    assert max(slopes) > 0  # the middle fixed point repels


def test_a_non_simple_fixed_point_is_found():
    result = check_activation("1 + 3*x**2 - x**3")  # p = -(x - 1)^2 (2x + 1): touches 0 at x = 1
    assert result.reliable.refuted and result.reliable.counterexample == -3  # f = (1 - x)^3
    assert "not simple" in result.reliable.argument
    assert result.stable.refuted and "f_x = 0" in result.stable.argument


@pytest.mark.parametrize("g", ["1 + x**2", "h + x**2"])
def test_no_decay(g):
    result = check_activation(g)
    assert result.decay.refuted and result.decay.counterexample == 0
    assert result.reliable.refuted and result.reliable.counterexample == 0
    assert not result.proved and result.entry is None


def test_not_realisable():
    result = check_activation("-1 - x**2")
    assert result.realisable.refuted and "g(0) = -1 < 0" in result.realisable.argument
    assert result.reliable.refuted
    y = result.feed_forward.counterexample
    assert result.feed_forward.refuted and fixed_points([-1, 0, -1], y).size == 2


def test_linear_g_has_no_decay():
    result = check_activation("1 - x")
    assert result.decay.refuted
    y = result.decay.counterexample
    assert y == 2  # f(2, x) = 1 + x
    assert result.feed_forward.refuted


def test_symbolic_mixed_signs_are_undecided():
    a, b = sympy.symbols("a b", positive=True)
    result = check_activation(h_sym - a * x_sym**2 + b * x_sym**3 - x_sym**4, x_sym)
    assert result.realisable.proved and result.decay.proved
    assert result.stable.undecided and result.reliable.undecided and result.status == "undecided"
    assert "substitute" in result.reliable.argument


def test_symbolic_sign_unknown_is_undecided():
    c = sympy.Symbol("c", real=True)
    result = check_activation(c - x_sym**2, x_sym)
    assert result.realisable.undecided


# ---------------------------------------------------------------------- exactness and consistency
def test_floats_are_decided_at_their_exact_value():
    # 0.1 is not 1/10 in binary; the decision uses the float's exact value
    result = check_activation([0.1, 0.0, -0.2])
    assert result.proved
    assert sympy.Poly(result.g, x_sym).all_coeffs()[-1] == sympy.Rational(0.1)  # 0.1 stored as c_0, exact binary


def test_node_criterion_agrees_with_check_activation():
    rng = np.random.default_rng(5)
    for _ in range(40):
        degree = int(rng.integers(2, 5))
        coefficients = [float(v) for v in rng.integers(-3, 4, degree + 1)]
        coefficients[0] = float(abs(coefficients[0]) + 1)
        coefficients[-1] = -float(abs(coefficients[-1]) + 1)
        expected = check_activation(coefficients).reliable.proved
        assert (node_criterion(coefficients) is None) == expected, coefficients


def test_positive_root_count_is_exact():
    from fractions import Fraction

    # (x - 1)^2 (x - 2) x (x + 3): distinct positive roots 1 and 2
    poly = np.polynomial.polynomial.polyfromroots([1, 1, 2, 0, -3])
    assert positive_root_count([Fraction(int(round(c))) for c in poly]) == 2
    assert positive_root_count([Fraction(1), Fraction(0), Fraction(1)]) == 0


# ---------------------------------------------------------------------- report and errors
def test_report_is_readable():
    text = str(check_activation("-x**2"))
    assert "REFUTED" in text and "counterexample y = 0" in text and "verdict: REFUTED" in text
    text = str(check_activation("1 - 2*x**3"))
    assert "decay (q=3)" in text and "Prop. A.1" in text and "verdict: PROVED" in text


@pytest.mark.parametrize(
    "g, match",
    [
        ("1/x", "must be a polynomial in x"),
        ("sin(x) - x**2", "must be a polynomial in x"),
        ("1 + I*x", "real finite coefficients"),
        ("1 +* x", "could not parse"),
        ([1, float("nan")], "coefficients"),
        (object(), "must be a string"),
    ],
)
def test_bad_polynomials_are_refused(g, match):
    with pytest.raises(ValueError, match=match):
        check_activation(g)


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="y_bound of check_activation must be a positive finite number"):
        check_activation("1 - x**2", y_bound=-1.0)
    with pytest.raises(ValueError, match="x of check_activation"):
        check_activation("1 - x**2", "1x")


def test_node_activation():
    phi = node_activation("1 - 2*x**3")
    assert phi == PolynomialNodeActivation((1.0, 0.0, 0.0, -2.0))
    assert check_activation("1 + x**2 - x**3").activation() == PolynomialNodeActivation((1, 0, 1, -1))
    assert check_activation(PolynomialNodeActivation((1, 0, 0, -2))).proved
    with pytest.raises(ValueError, match="must pass check_activation"):
        node_activation("-x**2")


# ---------------------------------------------------------------------- Prop. A.1: the entry bound
def test_entry_bound_formula():
    bound = entry_bound("-x**2", 10.0)  # f <= -x^2/2 once -x^2 + 10x <= -x^2/2, i.e. x >= 20
    assert bound.c == 0.5 and bound.threshold == pytest.approx(20.0)
    assert bound.time == pytest.approx(1.0 / (0.5 * bound.radius))
    assert bound.time_to_enter(40.0) == pytest.approx(1.0 / (0.5 * 40.0))
    with pytest.raises(ValueError, match="threshold"):
        bound.time_to_enter(1.0)
    with pytest.raises(ValueError, match="negative leading coefficient"):
        entry_bound("1 + x**2")


@pytest.mark.parametrize("g", [(1.0, 0.0, -1.0), (1.0, 0.0, 0.0, -2.0), (1.0, 0.0, 1.0, -1.0)])
def test_entry_time_holds_for_huge_starts(g):
    Y = 5.0
    bound = check_activation(g, y_bound=Y).entry
    for forcing in (lambda t: Y, lambda t: Y * math.cos(3 * t)):
        def rhs(t, x):
            return [np.polynomial.polynomial.polyval(x[0], g) + forcing(t) * x[0]]

        for x0 in (1e3, 1e6):
            sol = solve_ivp(rhs, (0, 2 * bound.time), [x0], method="Radau", rtol=1e-9, atol=1e-9,
                            t_eval=np.linspace(bound.time, 2 * bound.time, 20))
            assert sol.success and np.all(sol.y[0] <= bound.radius * (1 + 1e-6))


# ---------------------------------------------------------------------- PolynomialNodeActivation
Y_GRID = np.concatenate([np.linspace(-30, 30, 241), [-1e12, -1e6, 1e6, 1e12, 0.0]])


@pytest.mark.parametrize("q", [2, 3, 4, 5, 6])
def test_q_family_matches_polynomial_activation(q):
    for h in (1.0, 0.25):
        phi = PolynomialNodeActivation([h] + [0.0] * (q - 1) + [-(q - 1.0)])
        ref = PolynomialActivation(q, h)
        np.testing.assert_allclose(phi(Y_GRID), ref(Y_GRID), rtol=1e-12)
        np.testing.assert_allclose(phi.derivative(Y_GRID), ref.derivative(Y_GRID), rtol=1e-11, atol=1e-300)


def test_smoothed_relu_matches():
    phi = PolynomialNodeActivation((1.0, 0.0, -1.0))
    np.testing.assert_allclose(phi(Y_GRID), SmoothReLU(1.0)(Y_GRID), rtol=1e-12)


@pytest.mark.parametrize("g", [(1.0, 0.0, 1.0, -1.0), (2.0, 1.5, 0.5, -1.0), (0.5, -1.0, 0.0, 0.0, -0.25)])
def test_derivative_matches_finite_differences(g):
    phi = PolynomialNodeActivation(g)
    y = np.linspace(-8, 8, 33)
    step = 1e-5
    numeric = (phi(y + step) - phi(y - step)) / (2 * step)
    np.testing.assert_allclose(phi.derivative(y), numeric, rtol=1e-7, atol=1e-10)
    # the issue's formula phi^2 / (g(phi) - phi g'(phi))
    v = phi(y)
    formula = v**2 / (phi.g(v) - v * np.polynomial.polynomial.polyval(v, np.polynomial.polynomial.polyder(g)))
    np.testing.assert_allclose(phi.derivative(y), formula, rtol=1e-12)


def test_root_is_robust_at_extremes():
    phi = PolynomialNodeActivation((2.0, 1.5, 0.5, -1.0))
    y = np.array([-1e300, -1e100, -1e-300, 0.0, 1e-300, 1e100, 1e300])
    x = phi(y)
    assert np.all(np.isfinite(x)) and np.all(x > 0)
    residual = np.abs(phi.g(x[2:6]) + y[2:6] * x[2:6]) / (2.0 + np.abs(y[2:6] * x[2:6]) + x[2:6] ** 3)
    assert np.all(residual < 1e-13)
    assert phi(-1e300) == pytest.approx(2e-300, rel=1e-12)  # h/|y|
    assert phi(1e300) == pytest.approx(1e150, rel=1e-12)  # sqrt(y)


def test_values_shapes_and_special_inputs():
    phi = PolynomialNodeActivation((1.0, 0.0, 0.0, -2.0))
    assert isinstance(phi(1.0), np.floating) and float(phi(1.0)) == pytest.approx(1.0, rel=1e-15)
    assert phi(np.ones((2, 3))).shape == (2, 3)
    out = phi([np.inf, -np.inf, np.nan])
    assert out[0] == np.inf and out[1] == 0.0 and np.isnan(out[2])
    d = phi.derivative_from_value([0.0, 1.0, 2.0], [0.0, 1.0, np.inf])
    assert d[0] == 0.0 and d[1] == pytest.approx(0.2) and d[2] == 0.0


def test_value_semantics_and_description():
    a = PolynomialNodeActivation([1, 0, 0, -2, 0.0])
    b = PolynomialNodeActivation(np.polynomial.Polynomial([1.0, 0.0, 0.0, -2.0]))
    assert a == b and hash(a) == hash(b) and a.coefficients == (1.0, 0.0, 0.0, -2.0)
    assert a.h == 1.0 and a.degree == 3 and a.params == {"coefficients": (1.0, 0.0, 0.0, -2.0)}
    assert PolynomialNodeActivation((1, -1, 2, -1)).node_terms() == ((0, 1, 1.0), (1, 0, 1.0), (2, 3, 2.0), (3, 2, 1.0))
    assert "1 - 2*x^3" in str(a)


@pytest.mark.parametrize(
    "g, match",
    [
        ((0.0, 0.0, -1.0), r"g\(0\) = 0.0 is not > 0"),
        ((-1.0, 0.0, -1.0), r"g\(0\) = -1.0"),
        ((1.0, 0.0, 1.0), "degree 2 and leading coefficient 1.0"),
        ((1.0, -1.0), "degree 1"),
        ((1.0, 0.0, 4.0, -1.0), r"x g'\(x\) - g\(x\) has 2 root"),
        ((1.0, float("inf")), "finite real numbers; got inf for c_1"),
        (("1",), "finite real numbers"),
        ("1 - x**2", "rxnn.theory.node_activation"),
        ((), "zero polynomial"),
    ],
)
def test_polynomial_node_activation_refuses(g, match):
    with pytest.raises(ValueError, match=match):
        PolynomialNodeActivation(g)


def test_a_network_with_a_designed_activation_trains():
    phi = PolynomialNodeActivation((1.0, 0.0, 1.0, -1.0))
    net = FeedForwardNetwork.random([2, 4, 1], phi, seed=3)
    rng = np.random.default_rng(0)
    inputs = rng.uniform(0, 1, (32, 2))
    targets = (1.0 + inputs[:, :1] * inputs[:, 1:]).reshape(32, 1)
    costs = []
    for _ in range(150):
        step = sgd_step(net, inputs, targets, eta=0.2)
        costs.append(step.cost)
        net = step.network
    assert costs[-1] < 0.2 * costs[0]


# ---------------------------------------------------------------------- needs the compile.py patch
@pytest.mark.parametrize("absorb", [False, True])
@pytest.mark.parametrize("g", [(1.0, 0.0, 1.0, -1.0), (2.0, 1.5, 0.5, -1.0)])
def test_designed_activation_compiles_to_its_phi(g, absorb):
    from rxnn import steady_state
    from rxnn.compile import compile_network

    net = FeedForwardNetwork.random([2, 3, 2], PolynomialNodeActivation(g), seed=1)
    compiled = compile_network(net, absorb_enzymes=absorb)
    d = np.array([[0.3, 0.8], [1.0, 0.0], [2.0, 0.5]])
    result = steady_state(compiled.network, compiled.initial_state(d, nodes=5.0))
    for chem, ref in zip(compiled.layer_values(result)[1:], net.activations(d)[1:]):
        np.testing.assert_allclose(chem, ref, rtol=1e-9)


def test_node_reactions_of_a_designed_activation():
    from rxnn.compile import compile_network

    net = FeedForwardNetwork([[[1.0]]], [[0.0]], PolynomialNodeActivation((1.0, 0.0, 0.0, -2.0)))
    odes = compile_network(net, absorb_enzymes=True).network.odes()
    X0, X1 = sympy.symbols("X0_1 X1_1")
    assert sympy.expand(odes["X1_1"] - (1 + X0 * X1 - 2 * X1**3)) == 0  # eq. (20)


def test_chemistry_gives_the_gradients_for_training():
    from rxnn import steady_state
    from rxnn.compile import compile_network
    from rxnn.nn import gradients

    net = FeedForwardNetwork.random([2, 3, 1], PolynomialNodeActivation((1.0, 0.0, 1.0, -1.0)), seed=2)
    d = np.array([[0.2, 0.9], [0.7, 0.4]])
    targets = np.array([[1.0], [2.0]])
    compiled = compile_network(net)
    chem = compiled.layer_values(steady_state(compiled.network, compiled.initial_state(d)))
    dW, db = gradients(net, d, targets, activations=chem)[:2]
    dW_ref, db_ref = gradients(net, d, targets)[:2]
    for a, b in zip(list(dW) + list(db), list(dW_ref) + list(db_ref)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)


# ---------------------------------------------------------------------- rxnn check (polynomials)
def run_check(argv, capsys):
    parser = argparse.ArgumentParser(prog="rxnn")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["check", *argv])
    code = args.func(args)
    return code, capsys.readouterr()


def test_cli_proved(capsys):
    code, out = run_check(["1 - 2*x**3"], capsys)
    assert code == 0 and "verdict: PROVED" in out.out


def test_cli_refuted_and_undecided(capsys):
    code, out = run_check(["--", "-x**2"], capsys)
    assert code == 1 and "counterexample y = 0" in out.out
    code, out = run_check(["h - a*x**2 + b*x**3 - x**4"], capsys)
    assert code == 3 and "UNDECIDED" in out.out


def test_cli_errors(capsys):
    code, out = run_check(["1/x"], capsys)
    assert code == 2 and "must be a polynomial" in out.err
    code, out = run_check(["1 - x**2", "--value", "H=1"], capsys)
    assert code == 2 and "network files only" in out.err
