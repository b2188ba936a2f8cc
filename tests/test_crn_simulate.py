"""Simulation and steady states against closed forms, and every error path."""

import numpy as np
import pytest

from rxnn import (
    NetworkError,
    ReactionNetwork,
    SimulationResult,
    SteadyStateError,
    simulate,
    steady_state,
)
from reference_networks import EXAMPLE_5_2


@pytest.mark.parametrize("method", ["BDF", "Radau", "LSODA", "RK45", "DOP853"])
def test_first_order_decay(method):
    net = ReactionNetwork.from_text("X -> 0 ; 0.7")
    t = np.linspace(0, 5, 11)
    res = simulate(net, {"X": 2.0}, (0, 5), t_eval=t, method=method)
    np.testing.assert_allclose(res["X"], 2.0 * np.exp(-0.7 * t), rtol=1e-6, atol=1e-9)
    assert res.success and res.nfev > 0


@pytest.mark.parametrize("q, c", [(2, 1.0), (3, 2.0), (4, 0.5)])
def test_polynomial_decay_from_infinity_prop_a1(q, c):
    """u' = -c u^q from u(0) = 1e6: u(t) = ((q-1) c t + u0^(1-q))^(-1/(q-1)), and u <= 1 after 1/((q-1)c)."""
    # qX -> (q-1)X at rate c gives u' = -c u^q.
    net = ReactionNetwork.from_text(f"{q}X -> {q - 1}X ; {c}")
    u0 = 1e6
    t = np.linspace(0.01, 3.0, 40)
    res = simulate(net, {"X": u0}, (0, 3.0), t_eval=t)
    exact = ((q - 1) * c * t + u0 ** (1 - q)) ** (-1 / (q - 1))
    np.testing.assert_allclose(res["X"], exact, rtol=1e-6)
    after = t > 1 / ((q - 1) * c)
    assert np.all(res["X"][after] <= 1.0)


def test_batch_runs_in_one_call_and_enzymes_stay_constant():
    net = ReactionNetwork.from_text(EXAMPLE_5_2)
    init = {"X": [1.0, 2.0, 0.5], "Y": 1.0, "E": [1.0, 2.0, 3.0], "F": 0.5}
    res = simulate(net, init, (0, 10), t_eval=[0, 5, 10], rates={"k1": 1.0, "k2": 2.0})
    assert res["X"].shape == (3, 3) and res.batched
    np.testing.assert_array_equal(res["E"], np.array([[1.0] * 3, [2.0] * 3, [3.0] * 3]))
    # Conservation: x + y is constant (Example 5.2).
    total = res["X"] + res["Y"]
    np.testing.assert_allclose(total, total[:, :1] * np.ones((1, 3)), rtol=1e-9)
    single = simulate(net, {"X": 2.0, "Y": 1.0, "E": 2.0, "F": 0.5}, (0, 10), t_eval=[0, 5, 10], rates={"k1": 1.0, "k2": 2.0})
    assert single["X"].shape == (3,)
    np.testing.assert_allclose(single["X"], res["X"][1], rtol=1e-7)


def test_steady_state_example_5_2_closed_form():
    """x' = -k1 e x y + k2 f y: at equilibrium with y > 0, x = k2 f / (k1 e); y = total - x."""
    net = ReactionNetwork.from_text(EXAMPLE_5_2).with_rates(k1=2.0, k2=3.0)
    ss = steady_state(net, {"X": 1.0, "Y": 4.0, "E": 1.5, "F": 0.5})
    assert ss.success and ss.converged.all()
    x = 3.0 * 0.5 / (2.0 * 1.5)
    assert ss["X"] == pytest.approx(x, rel=1e-9)
    assert ss["Y"] == pytest.approx(5.0 - x, rel=1e-9)
    assert ss["E"] == 1.5


def test_steady_state_node_from_huge_starts_takes_the_positive_root():
    """x' = h + rho x - x^2 (eq. (13)): the positive root (rho + sqrt(rho^2 + 4h))/2, never the negative one."""
    net = ReactionNetwork.from_text("H -> H + X\nB + X -> B + 2X\nM + X -> M\n2X -> X")
    h, b, m = 0.3, np.array([0.0, 2.0, 0.0, 5.0]), np.array([7.0, 0.0, 40.0, 0.0])
    rho = b - m
    for x0 in (0.0, 1000.0, 1e6):
        ss = steady_state(net, {"H": h, "B": b, "M": m, "X": x0})
        np.testing.assert_allclose(ss["X"], (rho + np.sqrt(rho**2 + 4 * h)) / 2, rtol=1e-10)


def test_steady_state_with_conservation_law_stays_in_its_class():
    net = ReactionNetwork.from_text("A <-> B ; 1, 3\nB + C -> D ; 2\nD -> B + C")
    ss = steady_state(net, {"A": 1.0, "C": 2.0})
    a, b, c, d = (ss[s] for s in "ABCD")
    assert a + b + d == pytest.approx(1.0, rel=1e-10)
    assert c + d == pytest.approx(2.0, rel=1e-10)
    assert a == pytest.approx(3 * b, rel=1e-9)
    assert 2 * b * c == pytest.approx(d, rel=1e-9)


def test_steady_state_reports_non_convergence():
    net = ReactionNetwork.from_text("0 -> X")
    with pytest.raises(SteadyStateError, match="did not converge") as info:
        steady_state(net, {}, max_iterations=50)
    assert not info.value.result.success
    res = steady_state(net, {}, max_iterations=50, raise_on_failure=False)
    assert not res.success and not res.converged.any()


def test_result_plots(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    net = ReactionNetwork.from_text("X -> 0")
    ax = simulate(net, {"X": 1.0}, (0, 1)).plot(species=["X"])
    assert ax.get_lines()[0].get_label() == "X"
    ax.figure.savefig(tmp_path / "x.png")
    assert (tmp_path / "x.png").stat().st_size > 0


def test_dense_output():
    net = ReactionNetwork.from_text("X -> 0")
    res = simulate(net, {"X": 1.0}, (0, 2), dense_output=True)
    assert res.sol(1.0)[0, 0] == pytest.approx(np.exp(-1), rel=1e-6)
    assert isinstance(res, SimulationResult)


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "initial, error, match",
    [
        ({"Q": 1.0}, NetworkError, "'Q', which is not a species"),
        ({"X": -1.0}, ValueError, r"initial\['X'\] of simulate must be a finite concentration >= 0; got -1.0"),
        ({"X": [1.0, float("nan")]}, ValueError, "got nan at batch index 1"),
        ({"X": float("inf")}, ValueError, "finite concentration"),
        ({"X": [1.0, 2.0], "Y": [1.0, 2.0, 3.0]}, ValueError, "batch lengths differ"),
        ({"X": [[1.0]]}, ValueError, "scalar or a 1-D array"),
    ],
)
def test_bad_initial_conditions(initial, error, match):
    net = ReactionNetwork.from_text("X -> Y")
    with pytest.raises(error, match=match):
        simulate(net, initial, (0, 1))


def test_named_rates_need_values():
    net = ReactionNetwork.from_text(EXAMPLE_5_2)
    with pytest.raises(NetworkError, match="k1, k2 have no value"):
        simulate(net, {"X": 1.0}, (0, 1))
    with pytest.raises(NetworkError, match="k2 have no value"):
        steady_state(net, {"X": 1.0}, rates={"k1": 1.0})


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(t_span=(1, 0)), "t_span of simulate must be a pair of finite times"),
        (dict(t_span="ab"), "t_span of simulate must be a pair"),
        (dict(t_span=(0, 1), method="Euler"), "method of simulate must be one of BDF"),
        (dict(t_span=(0, 1), t_eval=[0, 2]), "t_eval of simulate"),
        (dict(t_span=(0, 1), rtol=-1), "rtol of simulate must be a positive finite number"),
    ],
)
def test_bad_solver_arguments(kwargs, match):
    net = ReactionNetwork.from_text("X -> 0")
    with pytest.raises(ValueError, match=match):
        simulate(net, {"X": 1.0}, **kwargs)
