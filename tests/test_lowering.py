"""One lowering per network, one channel grouping for every simulator, one Jacobian (issue 13, item 1).

The truths here are independent of the engine: the reaction-by-reaction
oracle of tests/oracle_mass_action.py (eq. (2) read off the public
matrices), central finite differences of that oracle, and counts of the
calls into the one grouping function.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rxnn.crn.engine.channels as channels_module
import rxnn.crn.engine.groups as groups_module
import rxnn.crn.engine.lowering as lowering_module
from rxnn import ReactionNetwork, simulate, simulate_stochastic, steady_state
from rxnn.crn.engine import engine_for
from rxnn.crn.graph import dependency_matrix
from rxnn.crn.kinetics import MassActionSystem
from rxnn.crn.stochastic import aggregate_channels

from oracle_mass_action import Oracle, random_networks


def states(net, batch, seed):
    rng = np.random.default_rng(seed)
    system = MassActionSystem(net)
    return system, rng.uniform(0.1, 3, (batch, system.n)), rng.uniform(0.1, 3, (batch, system.n_enzymatic))


class Spy:
    """Counts the calls of a function and remembers who asked."""

    def __init__(self, func):
        self.func, self.calls = func, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.func(*args, **kwargs)


NETWORK = """
    H -> H + X1
    E1 + X1 -> E1 + 2X1
    E2 + X1 -> E2 + 2X1
    2X1 -> X1
    X1 -> X1 + X2
    X2 -> 0
"""


def test_one_grouping_serves_the_ode_the_jacobian_the_cascade_and_the_ssa(monkeypatch):
    channel_spy = Spy(lowering_module.group_channels)
    monkeypatch.setattr(lowering_module, "group_channels", channel_spy)
    column_spy = Spy(channels_module.group_columns)
    monkeypatch.setattr(channels_module, "group_columns", column_spy)
    monkeypatch.setattr(groups_module, "group_columns", column_spy)
    net = ReactionNetwork.from_text(NETWORK)
    initial = {"H": 1.0, "E1": 0.5, "E2": 0.25, "X1": 2.0, "X2": 0.0}
    system = MassActionSystem(net)  # the ODE right-hand side and the Jacobian
    k = system.effective_rates(np.array([[0.5, 0.25, 1.0]]))
    system.rhs(np.array([2.0, 0.0]), k)
    system.jacobian(np.array([2.0, 0.0]), k)
    steady = steady_state(net, initial, method="cascade")  # the cascade
    simulate(net, initial, (0.0, 1.0))  # transients: rhs and Jacobian of the signed groups
    stochastic = simulate_stochastic(net, initial, (0.0, 0.5), volume=20.0, seed=1)  # the SSA
    assert steady.success and stochastic.success
    assert channel_spy.calls == 1  # one lowering, one channel grouping, for all four paths
    engine = engine_for(net)
    assert engine.lowering is net.lowered and aggregate_channels(net) is net.lowered.channels
    assert stochastic.n_channels == net.lowered.n_channels == 5  # E1 and E2 edges merge into one channel
    # The channel grouping and both matrix-product groupings are the same function.
    assert column_spy.calls == 3
    # The cascade's graph, built from the channels, is the network's reaction-level graph on the dynamic species.
    dyn = np.flatnonzero(net.dynamic_mask)
    want = dependency_matrix(net)[dyn][:, dyn].toarray()
    np.testing.assert_array_equal(engine.dependency.toarray(), want)
    assert want.tolist() == [[True, True], [False, True]]  # X1 drives itself and X2; X2 only itself


def test_the_lowering_is_computed_once_per_network_and_shared_by_rate_values():
    net = ReactionNetwork.from_text("X -> 0 ; k\nH -> H + X")
    low = net.lowered
    assert net.lowered is low and low.engine is net.lowered.engine
    a = engine_for(net, {"k": 2.0})
    assert engine_for(net, {"k": 2.0}) is a and a.exact is low.engine.exact  # the structure is shared
    assert sorted(engine_for(net, {"k": 3.0}).rates.tolist()) == [1.0, 3.0]
    r2 = steady_state(net, {"H": 1.0}, rates={"k": 2.0})
    r4 = steady_state(net, {"H": 1.0}, rates={"k": 4.0})
    assert r2["X"] == pytest.approx(0.5, rel=1e-12) and r4["X"] == pytest.approx(0.25, rel=1e-12)  # h / k
    assert net.lowered is low  # binding rates did not lower the network again
    # An equal network is another value with its own lowering (no global cache by value or id).
    assert ReactionNetwork.from_text("X -> 0 ; k\nH -> H + X").lowered is not low


def test_read_only_views_cannot_change_the_network():
    net = ReactionNetwork.from_text("E + X -> E + 2X\n2X -> X")
    for array in (net.dynamic_mask, net.rate_values, net.reactant_view.data, net.stoichiometry_view.indices):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    np.testing.assert_array_equal(net.stoichiometry_view.toarray(), net.stoichiometry_matrix().toarray())
    np.testing.assert_array_equal(net.reactant_view.toarray(), net.reactant_matrix().toarray())


@settings(max_examples=60, deadline=None)
@given(random_networks(names=("A", "B", "C", "E", "F")), st.integers(1, 3), st.integers(0, 2**31))
def test_engine_rhs_and_gross_flux_match_the_oracle(net, batch, seed):
    system, x, e = states(net, batch, seed)
    oracle = Oracle(net)
    k = system.effective_rates(e)
    want = oracle.batch("rhs", x, e)
    scale = 1 + np.max(oracle.batch("gross", x, e), initial=0)
    # 1e-13 relative to the gross flux: a few roundings in sums of that many terms
    np.testing.assert_allclose(system.rhs(x, k), want, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(system.gross_flux(x, k), oracle.batch("gross", x, e), rtol=0, atol=1e-13 * scale)
    engine = engine_for(net)
    # The transient path (signed groups) on the same states.
    from rxnn.crn.engine import EnzymeValues

    varying = np.flatnonzero(np.any(e != e[:1], axis=0)) if batch > 1 else np.zeros(0, np.int64)
    params = engine.parameters(EnzymeValues(e[0].copy(), varying, e[:, varying].copy()))
    np.testing.assert_allclose(params.rhs(np.ascontiguousarray(x.T)).T, want, rtol=0, atol=1e-13 * scale)


@settings(max_examples=40, deadline=None)
@given(random_networks(names=("A", "B", "C", "E", "F")), st.integers(0, 2**31))
def test_jacobian_matches_finite_differences_of_the_oracle(net, seed):
    system, x, e = states(net, 1, seed)
    oracle = Oracle(net)
    J = system.jacobian(x[0], system.effective_rates(e)).toarray()
    n = system.n
    fd = np.zeros((n, n))
    for j in range(n):
        h = 1e-6 * (1 + abs(x[0, j]))
        up, down = x[0].copy(), x[0].copy()
        up[j] += h
        down[j] -= h
        fd[:, j] = (oracle.rhs(up, e[0]) - oracle.rhs(down, e[0])) / (2 * h)
    # Central differences: truncation O(h^2 |f'''|) plus rounding O(eps |f| / h), about 1e-9 of the scale here.
    scale = 1 + np.max(np.abs(oracle.jacobian(x[0], e[0])), initial=0)
    np.testing.assert_allclose(J, fd, rtol=1e-6, atol=1e-6 * scale)
    # And exactly (up to rounding) the oracle's power-rule Jacobian.
    np.testing.assert_allclose(J, oracle.jacobian(x[0], e[0]), rtol=0, atol=1e-12 * scale)


def test_pickles_and_copies_carry_the_network_but_not_its_lowering():
    import copy
    import pickle

    net = ReactionNetwork.from_text("H -> H + X\n2X -> X")
    want = steady_state(net, {"H": 2.0})["X"]
    assert want == pytest.approx(np.sqrt(2.0), rel=1e-12)  # dx/dt = h - x^2
    for other in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net), copy.copy(net)):
        assert "_lowered" not in other.__dict__ and other == net
        assert other.lowered is not net.lowered and other.lowered.network is other
        assert steady_state(other, {"H": 2.0})["X"] == want
