"""Issue 11 in the simulation core: every bad input is refused by name, and no integration runs unbounded.

Time bounds are asserted on this process's CPU time (robust to a loaded machine). Each case is an example from the
issue; the expected behaviour is an rxnn
error (RxnnError subclass, keeping the ValueError / RuntimeError / TypeError
mixin) with a message that names the argument or species and the fix, or a
plain result where the input is valid (the empty network).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from rxnn import ReactionNetwork, simulate, steady_state
from rxnn.crn import SimulationError, simulate_stochastic
from rxnn.errors import InvalidArgumentError, LimitError, RxnnError

DECAY = ReactionNetwork.from_text("X -> 0")
BLOW_UP = ReactionNetwork.from_text("2X -> 3X")  # x' = x^2: x = 1 / (1 - t) from x(0) = 1
IMPLICIT_AND_EXPLICIT = ["auto", "BDF", "Radau", "LSODA", "RK45", "RK23", "DOP853"]


# ---------------------------------------------------------------- valid edge cases
def test_the_empty_network_simulates_to_a_constant_result():
    empty = ReactionNetwork([])
    result = simulate(empty, {}, (0, 1))
    assert result.success and result.species == () and list(result.t) == [0.0, 1.0]
    assert result.to_array().shape == (2, 0)  # unbatched: no batch axis
    ss = steady_state(empty, {})
    assert ss.success and ss.species == ()


def test_an_enzymatic_species_keeps_its_value_in_simulate_and_steady_state():
    net = ReactionNetwork.from_text("E -> E + X ; 2\nX -> 0 ; 1")  # x' = 2 e - x
    result = simulate(net, {"E": 1.5}, (0, 2), t_eval=[0, 1, 2])
    np.testing.assert_array_equal(result["E"], [1.5, 1.5, 1.5])
    np.testing.assert_allclose(result["X"], 3.0 * (1 - np.exp(-np.array([0, 1, 2]))), rtol=1e-6)
    assert steady_state(net, {"E": 1.5})["X"] == pytest.approx(3.0, rel=1e-10)


# ---------------------------------------------------------------- refusals by name
@pytest.mark.parametrize("t_eval", [[], [float("nan")], [0.5, 0.2], [[0.1, 0.2]], [2.0], "abc"])
def test_bad_t_eval_is_refused_by_name(t_eval):
    with pytest.raises(InvalidArgumentError, match=r"t_eval of simulate must be a non-empty sorted 1-D array"):
        simulate(DECAY, {"X": 1.0}, (0, 1), t_eval=t_eval)
    with pytest.raises(InvalidArgumentError, match=r"t_eval of simulate_stochastic must be a non-empty sorted"):
        simulate_stochastic(DECAY, {"X": 1.0}, (0, 1), t_eval=t_eval, volume=10)


@pytest.mark.parametrize("func", [simulate, steady_state])
def test_an_empty_batch_is_refused_by_species(func):
    args = ((0, 1),) if func is simulate else ()
    with pytest.raises(InvalidArgumentError, match=r"initial\['X'\] of \w+ must be a scalar or a non-empty 1-D array"):
        func(DECAY, {"X": []}, *args)


@pytest.mark.parametrize("value", [10**400, -(10**400), [1.0, 10**400]])
def test_integers_beyond_float64_are_refused_not_overflowed(value):
    for _ in range(2):  # the second call takes the engine's cached parsing path
        with pytest.raises(InvalidArgumentError, match=r"initial\['X'\] of simulate must be a number"):
            simulate(DECAY, {"X": value}, (0, 1))
        simulate(DECAY, {"X": 1.0}, (0, 1))


@pytest.mark.parametrize("method", IMPLICIT_AND_EXPLICIT)
def test_huge_starts_are_refused_before_any_solver_sees_them(method):
    with pytest.raises(LimitError, match=r"initial\['X'\] of simulate must be at most 1e\+100.*rescale"):
        simulate(DECAY, {"X": 1.7e308}, (0, 1), method=method)
    with pytest.raises(LimitError, match=r"initial\['X'\] of steady_state must be at most 1e\+100"):
        steady_state(DECAY, {"X": 1.7e308})


def test_a_start_whose_rates_overflow_names_the_species():
    quartic = ReactionNetwork.from_text("4X -> 0")  # rate x^4 = 1e360 at x = 1e90
    with pytest.raises(LimitError, match=r"rate of change of 'X' overflows float64"):
        simulate(quartic, {"X": 1e90}, (0, 1))


def test_seed_must_be_an_integer_or_seed_sequence():
    with pytest.raises(InvalidArgumentError, match=r"seed of simulate_stochastic must be None, an integer >= 0"):
        simulate_stochastic(DECAY, {"X": 1.0}, (0, 1), volume=10, seed="x")
    with pytest.raises(InvalidArgumentError, match="seed of simulate_stochastic"):
        simulate_stochastic(DECAY, {"X": 1.0}, (0, 1), volume=10, seed=-1)


def test_repeats_and_recorded_counts_are_bounded_before_allocating():
    start = time.process_time()
    with pytest.raises(LimitError, match=r"trajectories \(inputs x n_repeats\) come to 1e\+09, over the limit of 1e\+07"):
        simulate_stochastic(DECAY, {"X": 1.0}, (0, 1), volume=10, n_repeats=10**9)
    with pytest.raises(LimitError, match=r"recorded counts .* over the limit of 1e\+08; lower n_repeats"):
        simulate_stochastic(DECAY, {"X": 1.0}, (0, 1), t_eval=np.linspace(0, 1, 100_000), volume=10, n_repeats=5000)
    assert time.process_time() - start < 2.0


def test_stored_trajectory_is_bounded_before_integrating():
    with pytest.raises(LimitError, match=r"trajectory \(batch x species x t_eval\) come to 2e\+08"):
        simulate(DECAY, {"X": np.ones(200)}, (0, 1), t_eval=np.linspace(0, 1, 1_000_000))


def test_wrong_types_are_rxnn_type_errors():
    with pytest.raises(TypeError, match="network of simulate must be a ReactionNetwork; got str") as caught:
        simulate("X -> 0", {"X": 1.0}, (0, 1))
    assert isinstance(caught.value, RxnnError)
    with pytest.raises(TypeError, match="initial of steady_state must be a mapping") as caught:
        steady_state(DECAY, [1.0])
    assert isinstance(caught.value, RxnnError)


# ---------------------------------------------------------------- bounded integrations
def test_lsoda_over_a_vanishing_interval_stops_and_does_not_suggest_lsoda():
    start = time.process_time()
    with pytest.raises(SimulationError, match=r"time did not advance past t = 0") as caught:
        simulate(DECAY, {"X": 1.0}, (0, 1e-300), method="LSODA")
    assert time.process_time() - start < 5.0
    assert "try method='BDF' or 'Radau'" in str(caught.value) and "try method='LSODA'" not in str(caught.value)
    # The other integrators resolve the interval: x stays 1.
    assert simulate(DECAY, {"X": 1.0}, (0, 1e-300), method="BDF").to_dict(at=-1)["X"] == 1.0


@pytest.mark.parametrize("method", IMPLICIT_AND_EXPLICIT)
def test_a_finite_time_blow_up_is_reported_as_such_by_every_method(method):
    start = time.process_time()
    with pytest.raises(SimulationError, match=r"blow up") as caught:
        simulate(BLOW_UP, {"X": 1.0}, (0, 10), method=method)
    assert time.process_time() - start < 10.0
    assert "LSODA" not in str(caught.value).split(":", 1)[1]  # never the advice to try LSODA
    result = caught.value.result
    assert not result.success and result.t[-1] == pytest.approx(1.0, abs=1e-3)  # stopped at the singularity
    # Before the singularity the closed form holds.
    good = result.t < 0.9
    np.testing.assert_allclose(result["X"][good], 1 / (1 - result.t[good]), rtol=1e-5)


def test_step_and_wall_clock_budgets_stop_an_integration():
    stiff_long = ReactionNetwork.from_text("X -> 2X ; 1\n2X -> X ; 1")
    with pytest.raises(SimulationError, match=r"step budget max_steps = 5 ran out"):
        simulate(stiff_long, {"X": 0.5}, (0, 100), method="RK45", max_steps=5)
    start = time.perf_counter()  # the budget is wall-clock time
    result = simulate(stiff_long, {"X": 0.5}, (0, 1e7), method="RK23", rtol=1e-12, atol=1e-14, max_wall_time=0.2,
                      raise_on_failure=False)
    assert time.perf_counter() - start < 10.0
    assert not result.success and "max_wall_time = 0.2 s ran out" in result.message
    with pytest.raises(InvalidArgumentError, match="max_wall_time of simulate must be a positive finite number"):
        simulate(DECAY, {"X": 1.0}, (0, 1), max_wall_time=-1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(t_span=(0, 10**400)), r"t_span of simulate must be a pair \(t0, t1\) of numbers; got \(0, 1000"),
        (dict(rtol=10**400), r"rtol of simulate must be a positive finite number"),
        (dict(t_eval=[10**400]), r"t_eval of simulate must be a non-empty sorted"),
    ],
)
def test_huge_integers_in_any_numeric_argument_are_refused_by_name(kwargs, message):
    args = dict(t_span=(0, 1), **kwargs) if "t_span" not in kwargs else kwargs
    with pytest.raises(InvalidArgumentError, match=message) as caught:
        simulate(DECAY, {"X": 1.0}, **args)
    assert len(str(caught.value)) < 300  # the value is summarised, not printed in full


def test_the_state_size_is_bounded_before_building_anything(monkeypatch):
    import sys

    monkeypatch.setattr(sys.modules["rxnn.crn.simulate"], "STATE_LIMIT", 10)  # the check itself, on a small batch
    with pytest.raises(LimitError, match=r"the state \(batch x dynamic species\) come to 11, over the limit of 1e\+01; split"):
        simulate(DECAY, {"X": np.ones(11)}, (0, 1))
    with pytest.raises(LimitError, match="split the batch"):
        steady_state(DECAY, {"X": np.ones(11)})
    assert simulate(DECAY, {"X": np.ones(10)}, (0, 1)).success


def test_a_bad_solver_option_is_the_callers_error():
    with pytest.raises(InvalidArgumentError, match="solver_options of simulate were refused by the BDF solver"):
        simulate(DECAY, {"X": 1.0}, (0, 1), method="BDF", max_step=-1.0)
