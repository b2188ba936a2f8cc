"""The engine behind simulate and steady_state, against the plain mass-action evaluation.

Speed must never cost correctness: the matrix-product groups are checked
against the reaction-by-reaction oracle of tests/oracle_mass_action.py, the cascade
against pseudo-transient continuation and closed forms, and the transient
integrator against BDF, on random networks with and without feed-forward
structure (cycles, conservation laws, several stable states).
"""

import gc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rxnn import (
    FeedForwardNetwork,
    NetworkError,
    PolynomialActivation,
    Reaction,
    ReactionNetwork,
    SmoothReLU,
    SteadyStateError,
    compile_network,
    simulate,
    steady_state,
)
from rxnn.crn.engine import engine_for, node_roots
from rxnn.crn.kinetics import EnzymeValues, MassActionSystem, parse_initial, parse_initial_compact
from rxnn.crn.simulate import METHODS, STEADY_METHODS

from oracle_mass_action import Oracle, random_networks

NAMES = ["A", "B", "C", "D", "E", "F"]


@st.composite
def dissipative_networks(draw):
    """Random networks plus a decay X -> 0 for every species: bounded, often with cycles."""
    net = draw(random_networks(max_reactions=7, names=NAMES[:4]))
    reactions = {r.key(): r.rate for r in net.reactions}
    for s in net.species:
        reactions.setdefault((((s, 1),), ()), draw(st.floats(0.2, 3.0)))
    return ReactionNetwork([Reaction(dict(a), dict(b), k) for (a, b), k in reactions.items()])


def bind(net, x, e):
    """The engine's parameters for a batch with the enzymes e (some columns batch-constant)."""
    engine = engine_for(net)
    varying = np.flatnonzero(np.any(e != e[:1], axis=0)) if e.shape[0] > 1 else np.zeros(0, np.int64)
    return engine, engine.parameters(EnzymeValues(e[0].copy(), varying, e[:, varying].copy()))


# ---------------------------------------------------------------- kinetics
@settings(max_examples=60, deadline=None)
@given(random_networks(), st.integers(1, 4), st.data())
def test_group_kinetics_match_the_plain_evaluation(net, batch, data):
    system = MassActionSystem(net)
    n, m = system.n, system.n_enzymatic
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    x = rng.uniform(0, 3, (batch, n))
    e = rng.uniform(0, 3, (batch, m))
    if m and batch > 1:
        e[:, : m // 2] = e[0, : m // 2]  # some enzymes constant over the batch, some varying
    oracle = Oracle(net)
    f, gross = oracle.batch("rhs", x, e), oracle.batch("gross", x, e)
    J = np.zeros((batch * n, batch * n))
    for b in range(batch):
        J[b * n:(b + 1) * n, b * n:(b + 1) * n] = oracle.jacobian(x[b], e[b])
    engine, params = bind(net, x, e)
    XT = np.ascontiguousarray(x.T)
    F, G = params.rhs_and_gross(XT)
    scale = 1 + np.max(np.abs(gross), initial=0) + np.max(np.abs(J), initial=0)
    np.testing.assert_allclose(F.T, f, atol=1e-13 * scale, rtol=0)
    np.testing.assert_allclose(params.rhs(XT).T, f, atol=1e-13 * scale, rtol=0)
    np.testing.assert_allclose(G.T, gross, atol=1e-13 * scale, rtol=0)
    np.testing.assert_allclose(params.jacobian(XT, layout="batch").toarray(), J, atol=1e-13 * scale, rtol=0)
    # Species-major layout: the same matrix with rows and columns permuted.
    perm = (np.arange(n)[None, :] * batch + np.arange(batch)[:, None]).ravel()
    Js = params.jacobian(XT, layout="species").toarray()
    np.testing.assert_allclose(Js[np.ix_(perm, perm)], J, atol=1e-13 * scale, rtol=0)


def test_dense_blocks_of_compiled_layers_match_the_plain_evaluation():
    """Layers wider than 16 become dense blocks of A (BLAS); values must not change, nor the engine's structure."""
    net = FeedForwardNetwork.random([5, 20, 20, 18, 3], SmoothReLU(1.0), seed=2)
    chem = compile_network(net)
    rng = np.random.default_rng(2)
    initial = chem.initial_state(rng.uniform(size=(4, 5)), nodes=rng.uniform(0, 5, size=(4, 61)))
    system = MassActionSystem(chem.network)
    x0, e, _ = parse_initial(chem.network, initial, "f", system.dynamic_species, system.enzymatic_species)
    engine, params = bind(chem.network, x0, e)
    assert len(params.fast.product.blocks) == 3 and len(params.exact.product.blocks) >= 3
    XT = np.ascontiguousarray(x0.T)
    oracle = Oracle(chem.network)
    f, gross = oracle.batch("rhs", x0, e), oracle.batch("gross", x0, e)
    for _ in range(2):  # a second binding reuses the structure, which the first must have left intact
        np.testing.assert_allclose(params.rhs(XT).T, f, rtol=1e-12, atol=1e-12 * np.max(gross))
        np.testing.assert_allclose(params.rhs_and_gross(XT)[1].T, gross, rtol=1e-12)
        params = engine.parameters(EnzymeValues(e[0].copy(), np.arange(e.shape[1])[np.any(e != e[:1], axis=0)],
                                                e[:, np.any(e != e[:1], axis=0)]))


def test_batch_varying_enzymes_enter_as_one_matrix_product():
    """k(b) = k0 + E_var(b) M: single varying factors in M, products of two varying enzymes apart."""
    net = ReactionNetwork.from_text("""
        E + X -> E + 2X ; 2
        E + F + X -> E + F ; 0.5
        2E + X -> 2E ; 0.25
        G + X -> G ; 3
        0 -> X ; 1
    """)
    system = MassActionSystem(net)
    assert set(system.enzymatic_species) == {"E", "F", "G"}
    values = {"E": [1.0, 2.0, 0.0], "F": [2.0, 0.5, 4.0], "G": [3.0, 3.0, 3.0]}  # E and F vary, G does not
    e = np.array([values[s] for s in system.enzymatic_species]).T
    var = np.array([system.enzymatic_species.index(s) for s in "EF"])
    rates = system.channel_rates(e[0], var, e[:, var])
    assert rates.general is not None  # E*F and E^2 cannot be a single column of M
    E, F = np.array(values["E"]), np.array(values["F"])
    lam = rates.dense()  # channels: grouped by (dynamic complex, net change)
    total_minus = 0.5 * E * F + 0.25 * E**2 + 3.0 * 3.0
    np.testing.assert_allclose(np.sort(lam, axis=1), np.sort(np.stack([np.full(3, 1.0), 2 * E, total_minus], 1), axis=1))
    np.testing.assert_allclose(system.effective_rates(e), lam)


def test_compact_parse_equals_parse_initial_and_raises_its_errors():
    net = ReactionNetwork.from_text("E + X -> E + 2X\n2X -> X\nF + Y -> F\nX -> Y")
    system = MassActionSystem(net)
    engine = engine_for(net)
    initial = {"E": np.array([1.0, 2.0]), "X": 3.0, "F": 0.5, "Y": np.array([0.0, 1.0])}
    x0, e, batched = parse_initial(net, initial, "f", system.dynamic_species, system.enzymatic_species)
    cache: dict = {}
    for _ in range(2):  # the second call goes through the cache
        y0, enz, b2 = parse_initial_compact(net, initial, "f", engine.dynamic_mask, engine.position, cache)
        np.testing.assert_array_equal(x0, y0)
        np.testing.assert_array_equal(np.asarray(enz), e)
        assert batched == b2
    assert list(enz.columns) == [system.enzymatic_species.index("E")]
    np.testing.assert_array_equal(enz[:, system.enzymatic_species.index("F")], [0.5, 0.5])
    bad = {"X": 1.0, "E": np.array([1.0, -2.0])}
    with pytest.raises(ValueError, match=r"initial\['E'\] of f must be a finite concentration >= 0; got -2.0 at batch index 1"):
        parse_initial_compact(net, bad, "f", engine.dynamic_mask, engine.position, cache)
    with pytest.raises(ValueError, match="batch lengths differ"):
        parse_initial_compact(net, {"X": [1.0, 2.0], "E": [1.0]}, "f", engine.dynamic_mask, engine.position)
    with pytest.raises(NetworkError, match="'Q', which is not a species"):
        parse_initial_compact(net, {"Q": 1.0}, "f", engine.dynamic_mask, engine.position, cache)


def test_engine_is_built_once_per_network_and_dropped_with_it():
    import weakref

    net = ReactionNetwork.from_text("H -> H + X\n2X -> X")
    assert engine_for(net) is engine_for(net) is net.lowered.engine
    assert engine_for(ReactionNetwork.from_text("H -> H + X\n2X -> X")) is not engine_for(net)
    steady_state(net, {"H": 1.0})
    engine = weakref.ref(net.lowered.engine)
    del net
    gc.collect()
    assert engine() is None  # no global cache keeps the structure alive


# ---------------------------------------------------------------- steady states
def independent_residual(net, x, e):
    """max |f| / (tol * gross + atol) from the oracle, member by member."""
    oracle = Oracle(net)
    f, g = oracle.batch("rhs", x, e), oracle.batch("gross", x, e)
    return np.max(np.abs(f) / (1e-11 * g + 1e-14), axis=1, initial=0.0)


@pytest.mark.filterwarnings("ignore:steady_state. the pseudo-time step underflowed:RuntimeWarning")
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dissipative_networks(), st.data())
def test_auto_steady_state_agrees_with_continuation(net, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    batch = 3
    initial = {s: rng.uniform(0, 4, batch) for s in net.species}
    auto = steady_state(net, initial, method="auto", raise_on_failure=False)
    ptc = steady_state(net, initial, method="pseudo-transient", raise_on_failure=False)
    system = MassActionSystem(net)
    x = np.stack([auto[s] for s in system.dynamic_species], axis=1)
    e = np.stack([initial[s] for s in system.enzymatic_species], axis=1) if system.n_enzymatic else np.zeros((batch, 0))
    # A member reported converged really is converged (never unconverged reported as converged).
    assert np.all(independent_residual(net, x, e)[auto.converged] <= 1.0 + 1e-6)
    both = auto.converged & ptc.converged
    for s in system.dynamic_species:
        np.testing.assert_allclose(auto[s][both], ptc[s][both], rtol=1e-6, atol=1e-9)


def test_cascade_solves_feed_forward_networks_without_continuation():
    net = ReactionNetwork.from_text("""
        0 -> A ; 2
        2A -> A ; 1
        A -> A + B ; 3
        B + A -> A ; 1
        B -> B + C ; 1
        3C -> C ; 0.5
    """)  # a' = 2 - a^2, b' = 3a - a b, c' = b - c^3
    ss = steady_state(net, {"A": 100.0, "B": 0.0, "C": 7.0}, method="cascade")
    a = np.sqrt(2.0)
    assert ss["A"] == pytest.approx(a, rel=1e-14)
    assert ss["B"] == pytest.approx(3.0, rel=1e-14)
    assert ss["C"] == pytest.approx(3.0 ** (1 / 3), rel=1e-14)
    assert "levels of the feed-forward cascade" in ss.message and ss.pseudo_time.max() == 0


BISTABLE = """
    0 -> X ; 6
    X -> 0 ; 11
    2X -> 3X ; 6
    3X -> 2X ; 1
    X -> X + Y ; 1
    Y -> 0 ; 1
"""  # x' = -(x - 1)(x - 2)(x - 3): stable 1 and 3; y -> x


def test_several_stable_states_fall_back_to_the_trajectory():
    net = ReactionNetwork.from_text(BISTABLE)
    starts = np.array([0.5, 1.5, 2.5, 4.0])
    with pytest.raises(SteadyStateError, match="cascade cannot decide"):
        steady_state(net, {"X": starts}, method="cascade")
    ss = steady_state(net, {"X": starts}, method="auto")
    np.testing.assert_allclose(ss["X"], [1.0, 1.0, 3.0, 3.0], rtol=1e-9)
    np.testing.assert_allclose(ss["Y"], ss["X"], rtol=1e-9)
    assert "pseudo-transient continuation" in ss.message
    end = simulate(net, {"X": starts}, (0, 60), t_eval=[60]).to_dict(at=-1)
    np.testing.assert_allclose(end["X"], ss["X"], rtol=1e-6)


def test_no_decision_when_the_path_may_blow_up():
    """x' = 1 + (y - 1) x^3 with y -> 0: the limit's equation has one root, but while y > 1 the path may explode."""
    net = ReactionNetwork.from_text("3X + Y -> 4X + Y\n3X -> 2X\n0 -> X\nY -> 0")
    with pytest.raises(SteadyStateError, match="cascade cannot decide"):
        steady_state(net, {"X": 2.0, "Y": 5.0}, method="cascade")
    safe = ReactionNetwork.from_text("3X -> 2X\n0 -> X\nY + X -> Y\nY -> 0")  # upstream only consumes: decided
    assert steady_state(safe, {"X": 2.0, "Y": 5.0}, method="cascade")["X"] == pytest.approx(1.0, rel=1e-12)


def test_node_roots_decide_only_path_independent_limits():
    # columns: f = 1 + x - x^2 (one positive root), -x + x^2 (0 repels: x0 decides), -x^2 (-> 0),
    # x - x^2 started at 0 (undecided), 1 + x (no root), -(x-1)(x-2)(x-3) (three roots), 0 (nothing moves)
    C = np.array([
        [1, 1, -1, 0], [0, 1, -1, 0], [0, 0, -1, 0], [0, 1, -1, 0], [1, 1, 0, 0], [-6, 11, -6, 1], [0, 0, 0, 0],
    ], dtype=float)
    C[5] *= -1
    x0 = np.array([5.0, 2.0, 3.0, 0.0, 1.0, 1.5, 2.0])
    x, decided = node_roots(C[:, :, None], x0[:, None])
    assert decided[:, 0].tolist() == [True, True, True, False, False, False, False]
    np.testing.assert_allclose(x[:3, 0], [(1 + np.sqrt(5)) / 2, 1.0, 0.0], rtol=1e-15)
    np.testing.assert_array_equal(x[3:, 0], x0[3:])  # undecided members keep their start


def test_cubic_node_by_bracketed_newton():
    """x' = h + rho x - 2 x^3 (eq. (20)): the unique positive root, never a negative one."""
    rho = np.linspace(-50, 50, 101)
    C = np.stack([np.full_like(rho, 0.3), rho, np.zeros_like(rho), np.full_like(rho, -2.0)])[None]
    x, decided = node_roots(C, np.full((1, rho.size), 1e3))
    assert decided.all() and np.all(x > 0)
    f = 0.3 + rho * x[0] - 2 * x[0] ** 3
    assert np.max(np.abs(f) / (0.3 + np.abs(rho * x[0]) + 2 * x[0] ** 3)) < 1e-14


def test_conservation_law_in_a_source_block():
    """A <-> B is a two-species component with a conservation law; it drives C downstream."""
    net = ReactionNetwork.from_text("A -> B ; 2\nB -> A ; 1\nB -> B + C ; 3\nC -> 0 ; 1")
    ss = steady_state(net, {"A": [1.0, 4.0], "B": [2.0, 0.0], "C": 5.0}, method="cascade")
    total = np.array([3.0, 4.0])
    np.testing.assert_allclose(ss["A"] + ss["B"], total, rtol=1e-12)
    np.testing.assert_allclose(ss["B"], 2 * total / 3, rtol=1e-9)
    np.testing.assert_allclose(ss["C"], 3 * ss["B"], rtol=1e-9)


def test_block_with_moving_upstream_is_left_to_the_trajectory():
    """U feeds the cycle A <-> B; while U moves, the cycle's limit depends on the path."""
    net = ReactionNetwork.from_text("0 -> U\nU -> 0\nU -> U + A\nA -> B\nB -> A\nA -> 0 ; 0.5")
    moving = {"U": 5.0, "A": 1.0, "B": 0.0}
    with pytest.raises(SteadyStateError, match="cascade cannot decide"):
        steady_state(net, moving, method="cascade")
    still = steady_state(net, {"U": 1.0, "A": 1.0, "B": 0.0}, method="cascade")  # U starts at its limit
    auto = steady_state(net, moving)
    for res in (still, auto):
        assert res["A"] == pytest.approx(2.0, rel=1e-9) and res["B"] == pytest.approx(2.0, rel=1e-9)


def test_steady_state_method_registry():
    net = ReactionNetwork.from_text("H -> H + X\n2X -> X")
    assert STEADY_METHODS == ("auto", "cascade", "pseudo-transient")
    with pytest.raises(ValueError, match="method of steady_state must be one of auto, cascade, pseudo-transient; got 'newton'"):
        steady_state(net, {"H": 1.0}, method="newton")
    for method in STEADY_METHODS:
        assert steady_state(net, {"H": 4.0}, method=method)["X"] == pytest.approx(2.0, rel=1e-12)


# ---------------------------------------------------------------- compiled networks
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(1, 7), min_size=2, max_size=5),
    st.sampled_from([SmoothReLU(1.0), SmoothReLU(0.2), PolynomialActivation(3, 1.0)]),
    st.booleans(),
    st.integers(0, 1000),
)
def test_compiled_networks_reach_the_forward_pass(sizes, activation, absorb, seed):
    net = FeedForwardNetwork.random(sizes, activation, seed=seed)
    chem = compile_network(net, absorb_enzymes=absorb)
    rng = np.random.default_rng(seed)
    d = rng.uniform(0, 1, (20, sizes[0]))
    nodes = 1000 * rng.uniform(size=(20, sum(sizes[1:])))
    ss = steady_state(chem.network, chem.initial_state(d, nodes=nodes), method="cascade")
    for got, want in zip(chem.layer_values(ss)[1:], net.activations(d)[1:]):
        np.testing.assert_allclose(got, want, rtol=1e-8)


# ---------------------------------------------------------------- transients
def test_auto_transient_matches_bdf_with_dense_output():
    net = FeedForwardNetwork.random([6, 5, 3], SmoothReLU(1.0), seed=3)
    chem = compile_network(net)
    rng = np.random.default_rng(3)
    initial = chem.initial_state(rng.uniform(size=(4, 6)), nodes=1000 * rng.uniform(size=(4, 8)))
    t = np.linspace(0, 5, 11)
    auto = simulate(chem.network, initial, (0, 5), t_eval=t, method="auto", dense_output=True)
    bdf = simulate(chem.network, initial, (0, 5), t_eval=t, rtol=1e-10, atol=1e-12)
    assert auto.method == "DOP853" and "auto" in METHODS
    for s in chem.hidden_and_output_species:
        np.testing.assert_allclose(auto[s], bdf[s], rtol=1e-6, atol=1e-7)
    mid = auto.sol(2.5)
    assert mid.shape == (4, chem.network.n_species)
    column = chem.network.species.index("X2_1")
    want = simulate(chem.network, initial, (0, 2.5), t_eval=[2.5], rtol=1e-10, atol=1e-12)["X2_1"][:, -1]
    np.testing.assert_allclose(mid[:, column], want, rtol=1e-6)


def test_auto_transient_switches_to_bdf_when_stiff():
    net = ReactionNetwork.from_text("A -> B ; 1e4\nB -> A ; 1e4\nA -> 0 ; 1\n0 -> B ; 0.5")
    res = simulate(net, {"A": 1.0}, (0, 50), t_eval=[50], method="auto")
    assert "BDF" in res.method
    ref = simulate(net, {"A": 1.0}, (0, 50), t_eval=[50], method="Radau", rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res["A"], ref["A"], rtol=1e-6)
    np.testing.assert_allclose(res["B"], ref["B"], rtol=1e-6)


def test_result_keeps_batch_varying_enzymes_compactly():
    net = ReactionNetwork.from_text("E + X -> E + 2X\n2X -> X\nH -> H + X")
    res = steady_state(net, {"E": [0.0, 1.0, 3.0], "H": 2.0, "X": 1.0})
    np.testing.assert_array_equal(res["E"], [0.0, 1.0, 3.0])
    np.testing.assert_array_equal(res["H"], [2.0, 2.0, 2.0])
    np.testing.assert_allclose(res["X"], (np.array([0.0, 1.0, 3.0]) + np.sqrt([8.0, 9.0, 17.0])) / 2, rtol=1e-14)
    assert res.to_array().shape == (3, 3)


def test_changed_enzyme_values_are_never_served_from_the_cache():
    net = ReactionNetwork.from_text("E + X -> E + 2X\nF + X -> F\n2X -> X\nH -> H + X")
    for e, f in [(1.0, 0.0), (3.0, 0.0), (3.0, 2.0), (1.0, 0.0)]:
        for batch in (None, 3):
            init = {"E": e if batch is None else np.full(batch, e), "F": f, "H": 1.0, "X": 1.0}
            rho = e - f
            assert np.all(steady_state(net, init)["X"] == pytest.approx((rho + np.sqrt(rho**2 + 4)) / 2, rel=1e-14))


def test_chemistry_in_the_loop_trains_like_the_closed_form():
    """§6 training with every forward pass a batched steady state: same steps as the closed form."""
    from rxnn.experiments.chemistry_training import ChemicalForward, compare_forwards
    from rxnn.experiments.training import ArrayDataset, TrainingConfig

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 90)
    data = ArrayDataset(np.eye(3)[labels] + 0.2 * rng.random((90, 3)), labels)
    config = TrainingConfig(layer_sizes=(3, 4, 3), batch_size=15, iterations=25, eta=0.05)
    cmp = compare_forwards(config, data, data)
    assert cmp.max_parameter_difference < 1e-9
    assert cmp.test_accuracy["crn"] == cmp.test_accuracy["closed"]
    assert cmp.steady_state_calls == 25 and "forward pass of training" in cmp.markdown()
    forward = ChemicalForward(cmp.crn.network)
    with pytest.raises(ValueError, match="network of ChemicalForward must be"):
        forward.activations(FeedForwardNetwork.random([3, 2, 3], SmoothReLU(1.0), seed=0), data.inputs([0]))
