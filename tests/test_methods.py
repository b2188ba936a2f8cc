"""One method registry (issue 13 item 4): entries, options checked for every method, "auto" everywhere.

The simulate entries are checked against SciPy's solver classes (a second
source: the option names and defaults of their constructors); that an
accepted option reaches the solver is shown by its effect on the step count.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import scipy.integrate

from rxnn import ReactionNetwork, simulate, steady_state
from rxnn.crn import simulate_stochastic
from rxnn.crn.methods import REGISTRIES, SIMULATE_METHODS, STEADY_STATE_METHODS, STOCHASTIC_METHODS, Method, Option
from rxnn.crn.simulate import STEADY_METHODS
from rxnn.crn.stochastic import StochasticMethod

DECAY = ReactionNetwork.from_text("X -> 0 ; 1")
FUNCTIONS = {
    "simulate": lambda method, **kw: simulate(DECAY, {"X": 1.0}, (0, 1), method=method, **kw),
    "steady_state": lambda method, **kw: steady_state(DECAY, {"X": 1.0}, method=method, **kw),
    "simulate_stochastic": lambda method, **kw: simulate_stochastic(DECAY, {"X": 1.0}, (0, 1), volume=10,
                                                                    method=method, seed=0, **kw),
}
EVERY_METHOD = [(name, m) for name, registry in REGISTRIES.items() for m in registry]


def test_the_registries_are_the_three_functions():
    assert set(REGISTRIES) == set(FUNCTIONS)
    assert set(STEADY_STATE_METHODS) == set(STEADY_METHODS)  # the engine's list of what it implements


@pytest.mark.parametrize("function, method", EVERY_METHOD)
def test_every_entry_is_a_described_method(function, method):
    entry = REGISTRIES[function][method]
    assert isinstance(entry, Method) and entry.name == method and len(entry.description) > 20
    assert isinstance(entry.capabilities, frozenset) and entry.capabilities
    assert all(isinstance(o, Option) and isinstance(o.type, type) and o.description for o in entry.options)


@pytest.mark.parametrize("method", [m for m in SIMULATE_METHODS if m != "auto"])
def test_simulate_options_are_those_of_the_scipy_solver(method):
    parameters = inspect.signature(getattr(scipy.integrate, method).__init__).parameters
    for option in SIMULATE_METHODS[method].options:
        assert option.name in parameters, option.name
        assert parameters[option.name].default == option.default, option.name


@pytest.mark.parametrize("function, method", EVERY_METHOD)
def test_an_unknown_option_is_a_type_error_listing_the_valid_ones(function, method):
    entry = REGISTRIES[function][method]
    with pytest.raises(TypeError) as caught:
        FUNCTIONS[function](method, bogus_option=1)
    text = str(caught.value)
    assert f"{function}(method={method!r}) got the option bogus_option" in text
    assert f"valid options: {', '.join(entry.option_names) or 'none'} (and the keyword arguments" in text


def test_auto_no_longer_drops_solver_options():
    """The issue's case: min_step=0.3, vectorized=True, bogus_option=1 used to succeed silently with "auto"."""
    with pytest.raises(TypeError, match=r"got the options bogus_option, min_step, vectorized, which it does not "
                                        r"accept; valid options: first_step, max_step"):
        simulate(DECAY, {"X": 1.0}, (0, 1), min_step=0.3, vectorized=True, bogus_option=1)
    with pytest.raises(TypeError, match="got the option events"):
        simulate(DECAY, {"X": 1.0}, (0, 1), method="BDF", events=[lambda t, y: y[0]])
    assert simulate(DECAY, {"X": 1.0}, (0, 1), method="LSODA", min_step=1e-12).success


@pytest.mark.parametrize("method", list(SIMULATE_METHODS))
def test_max_step_reaches_the_solver(method):
    free = simulate(DECAY, {"X": 1.0}, (0, 10), method=method)
    capped = simulate(DECAY, {"X": 1.0}, (0, 10), method=method, max_step=0.01)
    assert np.diff(capped.t).max() <= 0.01 * (1 + 1e-12) < np.diff(free.t).max()
    assert capped["X"][-1] == pytest.approx(np.exp(-10), rel=1e-4)


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_auto_is_accepted_and_documented_everywhere(function):
    assert "auto" in REGISTRIES[function]
    assert FUNCTIONS[function]("auto").success
    doc = {"simulate": simulate, "steady_state": steady_state, "simulate_stochastic": simulate_stochastic}[function]
    assert '``"auto"``' in doc.__doc__


def test_defaults_auto_for_the_deterministic_and_ssa_for_the_stochastic():
    assert inspect.signature(simulate).parameters["method"].default == "auto"
    assert inspect.signature(steady_state).parameters["method"].default == "auto"
    assert inspect.signature(simulate_stochastic).parameters["method"].default == "ssa"
    assert STOCHASTIC_METHODS["ssa"].exact and not STOCHASTIC_METHODS["tau-leap"].exact
    assert StochasticMethod is Method and STOCHASTIC_METHODS["ssa"].summary == STOCHASTIC_METHODS["ssa"].description


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_an_unknown_method_names_every_method(function):
    with pytest.raises(ValueError, match=f"method of {function} must be one of {', '.join(REGISTRIES[function])}; "
                                         "got 'newton'"):
        FUNCTIONS[function]("newton")


def test_the_steady_state_flux_floor_has_its_own_name():
    """x' = 2e - x: X = 2e. ``atol`` (the old name) still works, with a DeprecationWarning."""
    net = ReactionNetwork.from_text("E -> E + X ; 2\nX -> 0 ; 1")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        new = steady_state(net, {"E": 1.5}, flux_floor=1e-12)
    with pytest.warns(DeprecationWarning, match="atol of steady_state is deprecated: it is the flux floor, now "
                                                "flux_floor="):
        old = steady_state(net, {"E": 1.5}, atol=1e-12)
    assert new["X"] == old["X"] == pytest.approx(3.0, rel=1e-10)
    with pytest.raises(ValueError, match="flux_floor of steady_state must be a positive finite number"):
        steady_state(net, {"E": 1.5}, flux_floor=-1.0)
