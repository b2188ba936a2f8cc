"""The shared reference table (tests/reference_networks.py) through every method of every registry.

The methods come from :data:`rxnn.crn.methods.REGISTRIES` (not a hand list):
every ``simulate`` method against closed forms and invariants, every
``steady_state`` method against the state the trajectory reaches (or what it
does instead), every ``simulate_stochastic`` method against stationary
distributions. Each system carries its own independent truth.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from reference_networks import REFERENCE_SYSTEMS
from rxnn import ReactionNetwork, simulate, steady_state
from rxnn.crn import SteadyStateError, simulate_stochastic
from rxnn.crn.methods import REGISTRIES

BY_NAME = {s.name: s for s in REFERENCE_SYSTEMS}
CLOSED_FORM = [s for s in REFERENCE_SYSTEMS if s.exact is not None]
INVARIANT = [s for s in REFERENCE_SYSTEMS if s.invariant is not None]
REACHES = [s for s in REFERENCE_SYSTEMS if s.steady is not None]
DOES_NOT = [s for s in REFERENCE_SYSTEMS if s.steady is None]
STATIONARY = [s for s in REFERENCE_SYSTEMS if s.stationary is not None]

SIMULATE = list(REGISTRIES["simulate"])
STEADY = list(REGISTRIES["steady_state"])
STOCHASTIC = list(REGISTRIES["simulate_stochastic"])
#: Which registry each group of tests below runs through: a new registry fails here until it is covered.
COVERED = {"simulate": (CLOSED_FORM, INVARIANT), "steady_state": (REACHES, DOES_NOT), "simulate_stochastic": (STATIONARY,)}

# Integrator tolerance 1e-8 (relative) keeps these trajectories within about 1e-6 of the closed form;
# RK23 (third order) is held to the same tolerance with more steps.
SIM_RTOL = 1e-5


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # continuation's "pseudo-time step underflowed"
        return func(*args, **kwargs)


def test_every_registry_is_covered_by_the_table():
    assert set(REGISTRIES) == set(COVERED)
    for name, groups in COVERED.items():
        assert len(REGISTRIES[name]) >= 3 and "auto" in REGISTRIES[name], name
        assert all(groups), f"{name}: a group of the reference table is empty"


@pytest.mark.parametrize("method", SIMULATE)
@pytest.mark.parametrize("system", CLOSED_FORM, ids=lambda s: s.name)
def test_every_integrator_follows_the_closed_form(system, method):
    net = ReactionNetwork.from_text(system.text)
    times = np.linspace(0.0, system.t_end, 7)
    result = simulate(net, system.initial, (0.0, system.t_end), t_eval=times, method=method)
    assert result.success and result.status == 0 and result.counters.nfev > 0
    for k, t in enumerate(times):
        for name, want in system.exact(float(t)).items():
            assert result[name][k] == pytest.approx(want, rel=SIM_RTOL, abs=1e-9), (name, t)


@pytest.mark.parametrize("method", SIMULATE)
@pytest.mark.parametrize("system", INVARIANT, ids=lambda s: s.name)
def test_every_integrator_keeps_the_invariant(system, method):
    net = ReactionNetwork.from_text(system.text)
    result = simulate(net, system.initial, (0.0, system.t_end), t_eval=np.linspace(0, system.t_end, 11), method=method)
    values = [system.invariant({s: result[s][k] for s in net.species}) for k in range(result.t.size)]
    np.testing.assert_allclose(values, values[0], rtol=1e-5)


@pytest.mark.parametrize("method", STEADY)
@pytest.mark.parametrize("system", REACHES, ids=lambda s: s.name)
def test_every_steady_state_method_finds_the_state_the_trajectory_reaches(system, method):
    net = ReactionNetwork.from_text(system.text)
    if method == "cascade" and not system.cascade_decides:
        # The cascade alone may refuse (never claim) these; if it answers, the answer must be the right one.
        result = _quiet(steady_state, net, system.initial, method=method, raise_on_failure=False)
        if not result.success:
            assert "cascade cannot decide" in result.message
            return
    else:
        result = _quiet(steady_state, net, system.initial, method=method)
    assert result.success and result.converged.all() and result.status == 0 and result.method == method
    for name, want in system.steady.items():
        assert result[name] == pytest.approx(want, rel=1e-7, abs=1e-10), name
    # The independent check: the trajectory itself ends there (the closed form far out, for slow convergence).
    if "algebraic" in system.tags:
        end = system.exact(1e12)
    else:
        end = simulate(net, system.initial, (0.0, 200.0), t_eval=[200.0], method="LSODA").to_dict(at=-1)
    for name, want in system.steady.items():
        assert end[name] == pytest.approx(want, rel=1e-5, abs=1e-8), name


@pytest.mark.parametrize("method", STEADY)
@pytest.mark.parametrize("system", DOES_NOT, ids=lambda s: s.name)
def test_no_steady_state_method_claims_a_state_the_trajectory_never_reaches(system, method):
    net = ReactionNetwork.from_text(system.text)
    # The cascade alone refuses what it cannot decide, or follows the trajectory of a multi-species component.
    pattern = f"cascade cannot decide|{system.seen}" if method == "cascade" else system.seen
    with pytest.raises(SteadyStateError, match=pattern) as caught:
        _quiet(steady_state, net, system.initial, method=method)
    result = caught.value.result
    assert not result.success and result.status == -1 and not result.converged.any()
    assert re.search(pattern, result.message)


def test_lotka_volterra_is_not_reported_at_its_centre():
    """Issue 12 item 5: continuation alone finds the centre (1, 1); the orbit from (3, 1) never gets there."""
    system = BY_NAME["lotka-volterra"]
    net = ReactionNetwork.from_text(system.text)
    result = _quiet(steady_state, net, system.initial, raise_on_failure=False)
    assert not result.success
    assert "oscillation" in result.message
    # The first integral shows why: it differs between the start and the centre.
    assert system.invariant(system.initial) > system.invariant({"X": 1.0, "Y": 1.0}) + 0.5


def test_bistable_switch_from_a_batch_of_starts_on_both_sides():
    system = BY_NAME["schlogl-low"]
    net = ReactionNetwork.from_text(system.text)
    starts = np.array([0.0, 1.5, 1.99, 2.01, 3.0, 6.0])
    result = _quiet(steady_state, net, {"X": starts})
    np.testing.assert_allclose(result["X"], [1.0, 1.0, 1.0, 4.0, 4.0, 4.0], rtol=1e-8)


@pytest.mark.parametrize("method", STOCHASTIC)
@pytest.mark.parametrize("system", STATIONARY, ids=lambda s: s.name)
def test_stochastic_time_averages_match_the_stationary_distribution(system, method):
    net = ReactionNetwork.from_text(system.text)
    result = simulate_stochastic(net, system.initial, (0.0, 400.0), volume=system.volume, method=method, seed=7,
                                 window=(50.0, 400.0))
    assert result.success and result.method in ("ssa", "tau-leap") and result.counters.events > 0
    for name, (mean, variance) in system.stationary.items():
        # Time averages over 350 time units with relaxation time <= 1: about 175 independent samples,
        # so the mean is within 4 standard errors and the variance within 25%.
        assert result.time_average(name) == pytest.approx(mean, abs=4 * (variance / 175) ** 0.5)
        assert result.time_variance(name) == pytest.approx(variance, rel=0.25)


def test_a_batch_reports_each_member_by_what_its_trajectory_does():
    """Brusselator with b = 1.5 (stable focus) and b = 3 (limit cycle) in one batch."""
    net = ReactionNetwork.from_text(BY_NAME["brusselator-stable"].text)
    result = _quiet(steady_state, net, {"X": 1.0, "Y": 1.0, "B": np.array([1.5, 3.0])}, raise_on_failure=False)
    assert not result.success
    assert list(result.converged) == [True, False]
    assert result["X"][0] == pytest.approx(1.0, rel=1e-8) and result["Y"][0] == pytest.approx(1.5, rel=1e-8)
    assert "(batch member 1): oscillation" in result.message
