"""Stochastic simulation: exact distributions (CME), the large-volume limit, GillesPy2, errors.

Statistical tests use fixed seeds, so each is deterministic; the bounds are
stated where they are used (a correct sampler fails a chi-square test at
p < 1e-3 with probability 1e-3 over seeds).
"""

import numpy as np
import pytest
from scipy import stats

from rxnn import NetworkError, ReactionNetwork, SimulationError, SimulationResult, steady_state
from rxnn.crn import _stochastic_runners as runners_module
from rxnn.crn.results import TrajectoryResult
from rxnn.crn.stochastic import (
    MAX_COUNT,
    STOCHASTIC_METHODS,
    StochasticResult,
    aggregate_channels,
    simulate_stochastic,
)

BIRTH_DEATH = "0 -> X ; 2\nX -> 0 ; 1"
NODE = "H -> H + X\n2X -> X"  # x' = h - x^2 (Table 1 with no edges)
# Node with two positive edges (merged into one channel) and one negative edge:
# births h V + (0.75*2 + 0.5*1) n, deaths n(n-1)/V + (0.5*1) n.
NODE_WITH_EDGES = """
H -> H + X
Xa + Wa + X -> Xa + Wa + 2X
Xb + Wb + X -> Xb + Wb + 2X
Xc + Wc + X -> Xc + Wc
2X -> X
"""
EDGE_LEVELS = {"H": 1.0, "Xa": 0.75, "Wa": 2.0, "Xb": 0.5, "Wb": 1.0, "Xc": 0.5, "Wc": 1.0}


# --------------------------------------------------------------------------- helpers
def stationary_birth_death(birth, death, n_max):
    """Stationary law of a birth-death chain from its truncated CME generator Q: pi Q = 0, sum pi = 1."""
    n = np.arange(n_max + 1)
    up, down = birth(n).astype(float), death(n).astype(float)
    up[-1] = 0.0  # truncation: no births out of n_max
    Q = np.diag(up[:-1], 1) + np.diag(down[1:], -1)
    Q -= np.diag(Q.sum(axis=1))
    A = np.vstack([Q.T, np.ones(n_max + 1)])
    b = np.zeros(n_max + 2)
    b[-1] = 1.0
    pi = np.linalg.lstsq(A, b, rcond=None)[0]
    assert pi[-1] < 1e-12, "truncation too tight"
    return np.clip(pi, 0.0, None)


def chi_square_p(samples, pmf, min_expected=5.0):
    """Pearson chi-square p-value of integer samples against pmf, merging bins until each expects >= 5."""
    samples = np.asarray(samples)
    assert samples.min() >= 0 and samples.max() < pmf.size
    observed = np.bincount(samples, minlength=pmf.size).astype(float)
    expected = pmf / pmf.sum() * samples.size
    obs_bins, exp_bins, o, e = [], [], 0.0, 0.0
    for oi, ei in zip(observed, expected):
        o, e = o + oi, e + ei
        if e >= min_expected:
            obs_bins.append(o)
            exp_bins.append(e)
            o = e = 0.0
    obs_bins[-1] += o
    exp_bins[-1] += e
    return stats.chisquare(obs_bins, exp_bins).pvalue


def final_counts(network, initial, volume, n_repeats, t_end, seed, **kw):
    res = simulate_stochastic(network, initial, (0, t_end), [t_end], volume=volume, n_repeats=n_repeats, seed=seed, **kw)
    assert res.success
    return res.counts("X")[:, -1]


# --------------------------------------------------------------------------- exact distributions
def test_birth_death_is_poisson():
    """0 -> X (k1 = 2), X -> 0 (k2 = 1) at V = 5 is Poisson(V k1 / k2 = 10) at stationarity.

    4000 independent trajectories to t = 8 (the start's influence is e^-8 = 3e-4);
    bounds: chi-square p > 1e-3 and total variation < 0.04 (the expected TV of
    4000 exact samples is about 0.02); the same data rejects Poisson(10.5).
    """
    net = ReactionNetwork.from_text(BIRTH_DEATH)
    n = final_counts(net, {"X": 2.0}, 5.0, 4000, 8.0, seed=11)
    pmf = stats.poisson.pmf(np.arange(60), 10.0)
    assert chi_square_p(n, pmf) > 1e-3
    empirical = np.bincount(n, minlength=60)[:60] / n.size
    assert 0.5 * np.abs(empirical - pmf).sum() < 0.04
    assert chi_square_p(n, stats.poisson.pmf(np.arange(60), 10.5)) < 1e-3  # the test has power


@pytest.mark.parametrize(
    "text, levels, birth, death",
    [
        (NODE, {"H": 1.0}, lambda n, V: V + 0 * n, lambda n, V: n * (n - 1) / V),
        (
            NODE_WITH_EDGES,
            EDGE_LEVELS,
            lambda n, V: V + 2.0 * n,
            lambda n, V: n * (n - 1) / V + 0.5 * n,
        ),
    ],
    ids=["node", "node-with-catalytic-edges"],
)
@pytest.mark.parametrize("method", ["ssa", "tau-leap"])
def test_single_node_matches_truncated_cme(text, levels, birth, death, method):
    """H -> H + X, 2X -> X (and catalytic edges) at V = 10 against the CME's stationary law.

    3000 trajectories to t = 6 (relaxation rate >= 2); chi-square p > 1e-3.
    Tau-leaping does exact steps at these counts (tens of molecules), so it
    passes the same test.
    """
    V = 10.0
    net = ReactionNetwork.from_text(text)
    n = final_counts(net, {**levels, "X": 1.0}, V, 3000, 6.0, seed=5, method=method)
    pi = stationary_birth_death(lambda m: birth(m, V), lambda m: death(m, V), 200)
    if death(np.array([1]), V)[0] == 0:
        assert pi[0] < 1e-12  # 0 is transient: 2X -> X alone never empties the node
    assert chi_square_p(n, pi) > 1e-3


def test_catalytic_edges_merge_into_one_channel():
    channels = aggregate_channels(ReactionNetwork.from_text(NODE_WITH_EDGES))
    # 0 -> X; X -> 2X (both positive edges); X -> 0 (negative edge); 2X -> X.
    assert channels.n_channels == 4 and channels.dynamic_species == ("X",)
    assert sorted(channels.order.tolist()) == [0, 1, 1, 2]
    assert channels.channel_of_reaction[1] == channels.channel_of_reaction[2]


def test_compiled_network_aggregates_to_a_few_channels_per_node():
    from rxnn.compile import compile_network
    from rxnn.nn import FeedForwardNetwork, SmoothReLU

    net = FeedForwardNetwork.random([30, 4, 3], SmoothReLU(1.0), seed=0)
    cn = compile_network(net)
    # Hidden node: 0 -> X, X -> 2X, X -> 0, 2X -> X. Output node: those four plus
    # X1_i + X -> X1_i + 2X and X1_i + X -> X1_i for each hidden i.
    assert aggregate_channels(cn.network).n_channels == 4 * 4 + 3 * (4 + 2 * 4)
    absorbed = compile_network(net, absorb_enzymes=True)
    d = np.linspace(0, 1, 30)
    a = simulate_stochastic(cn.network, cn.initial_state(d), (0, 3), volume=20, seed=4, observe=["X2_1"])
    b = simulate_stochastic(absorbed.network, absorbed.initial_state(d), (0, 3), volume=20, seed=4, observe=["X2_1"])
    np.testing.assert_array_equal(a.counts("X2_1"), b.counts("X2_1"))  # the same chain, event for event


def test_small_enzyme_levels_round_to_zero_only_on_request():
    """A weight of 0.04 at V = 10 is 0.4 molecules: kept as a factor by default, rounded to 0 on request."""
    net = ReactionNetwork.from_text("H -> H + X\nXa + W + X -> Xa + W + 2X\n2X -> X")
    init = {"H": 1.0, "Xa": 1.0, "W": 0.04, "X": 1.0}
    kept = simulate_stochastic(net, init, (0, 1), volume=10, seed=1, observe=["W", "X"])
    rounded = simulate_stochastic(net, init, (0, 1), volume=10, seed=1, observe=["W", "X"], round_enzymes=True)
    assert kept["W"][0] == pytest.approx(0.04) and rounded["W"][0] == 0.0
    assert rounded.counts("W")[0] == 0 and kept.counts("W")[0] == pytest.approx(0.4)
    node = simulate_stochastic(ReactionNetwork.from_text(NODE), {"H": 1.0, "X": 1.0}, (0, 1), volume=10, seed=1)
    np.testing.assert_array_equal(rounded.counts("X"), node.counts("X"))  # the edge is gone


# --------------------------------------------------------------------------- large-volume limit
def _node_limit(volume, **kw):
    net = ReactionNetwork.from_text("H -> H + X\nXa + Wa + X -> Xa + Wa + 2X\n2X -> X")
    init = {"H": 1.0, "Xa": 0.75, "Wa": 2.0, "X": 1.0}
    res = simulate_stochastic(net, init, (0, 40), [0, 40], volume=volume, window=(5, 40), n_repeats=4, seed=21, **kw)
    return res.time_average("X"), res.time_variance("X")


@pytest.mark.parametrize("round_enzymes", [False, True])
def test_large_volume_limit_mean_and_spread(round_enzymes):
    """x' = 1 + 1.5 x - x^2 has x* = 2. The stochastic mean tends to x* (bias O(1/V)) and the
    stationary std shrinks as 1/sqrt(V) towards the linear-noise value sqrt(x*^2 / ((2 x* - 1.5) V)).

    Bounds: |mean - x*| < 0.6/V + 4 standard errors at every volume; sqrt(V) * std within 10% of
    the linear-noise constant 1.265 for V >= 100; log-log slope of the std in [-0.55, -0.45].
    """
    x_star = steady_state(ReactionNetwork.from_text("H -> H + X\nXa + Wa + X -> Xa + Wa + 2X\n2X -> X"),
                          {"H": 1.0, "Xa": 0.75, "Wa": 2.0, "X": 1.0})["X"]
    assert x_star == pytest.approx(2.0)
    lna = np.sqrt(x_star**2 / (2 * x_star - 1.5))
    volumes = np.array([10.0, 100.0, 1000.0, 10000.0])
    stds = []
    for V in volumes:
        mean, var = _node_limit(V, round_enzymes=round_enzymes)
        # Rounded enzymes: Xa = rint(0.75 V) / V (0.8 at V = 10), whose fixed point x' = 1 + 2 Xa x - x^2 is the limit.
        xa = np.rint(0.75 * V) / V if round_enzymes else 0.75
        x_lim = xa + np.sqrt(xa**2 + 1)
        # Standard error of the mean of 4 time averages over T = 35: (lna / sqrt(V)) sqrt(2 tau / (4 T)),
        # tau = 1 / (2 x* - 1.5) = 0.4 the relaxation time; the bound is the O(1/V) bias plus 4 of them.
        se = lna / np.sqrt(V) * np.sqrt(2 * 0.4 / (4 * 35))
        assert abs(mean.mean() - x_lim) < 0.6 / V + 4 * se
        std = np.sqrt(var.mean())
        stds.append(std)
        if V >= 100:
            assert std * np.sqrt(V) == pytest.approx(lna, rel=0.1)
    slope = np.polyfit(np.log(volumes), np.log(stds), 1)[0]
    assert -0.55 < slope < -0.45


def test_tau_leap_agrees_with_ssa_at_large_volume():
    """At V = 1000 tau-leaping leaps (few exact steps) and matches the SSA's mean to 0.5% and std to 10%."""
    m_ssa, v_ssa = _node_limit(1000.0)
    m_tau, v_tau = _node_limit(1000.0, method="tau-leap")
    assert m_tau.mean() == pytest.approx(m_ssa.mean(), rel=0.005)
    assert np.sqrt(v_tau.mean()) == pytest.approx(np.sqrt(v_ssa.mean()), rel=0.1)


def test_tau_leap_leaps_and_never_goes_negative():
    """1e5 molecules of X decay to extinction: leaps while X is large, critical/exact steps near 0."""
    net = ReactionNetwork.from_text("X -> 0 ; 1\nX + Y -> Y ; 0.01\n0 -> Y ; 50\nY -> 0 ; 1")
    res = simulate_stochastic(net, {"X": 1e5, "Y": 50.0}, (0, 30), np.linspace(0, 30, 31), volume=1, method="tau-leap", seed=3)
    assert res.n_events[0] > 1e5 and res.n_steps[0] < res.n_events[0] / 20  # it leaps
    assert res.counts("X").min() >= 0 and res.counts("Y").min() >= 0
    assert res.counts("X")[-1] == 0  # extinct, reached through critical reactions


def test_tau_leap_bias_is_first_order_in_epsilon():
    """X -> 0 from 1e6 molecules (noise 0.1%): explicit leaps lag e^-t by about epsilon/2 per unit time."""
    net = ReactionNetwork.from_text("X -> 0 ; 1")
    t = np.arange(6.0)
    exact = 1e6 * np.exp(-t)
    lag = {}
    for eps in (0.03, 0.01):
        res = simulate_stochastic(net, {"X": 1e6}, (0, 5), t, volume=1, method="tau-leap", epsilon=eps, seed=0)
        lag[eps] = 1 - res.counts("X") / exact  # leaps end at every output time
        assert np.all(lag[eps][1:] > 0) and lag[eps][1] < 0.75 * eps and lag[eps][5] < 4 * eps
    assert lag[0.01][5] < lag[0.03][5] / 2


# --------------------------------------------------------------------------- GillesPy2
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_same_means_and_variances_as_gillespy2():
    """A 2-2-1 compiled network (absorbed: at most two reactants per reaction) at V = 10.

    One trajectory each to t = 2000 sampled every 1.0 after t = 20 (the node
    correlation time is under 0.5). Bounds: means within 4 standard errors
    (from 20 batch means of each run), variances within 15%.
    """
    gillespy2 = pytest.importorskip("gillespy2")
    from rxnn.compile import compile_network
    from rxnn.nn import FeedForwardNetwork, SmoothReLU

    V, T = 10.0, 2000
    cn = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=3), absorb_enzymes=True)
    init = cn.initial_state([0.5, 0.3], 1.0)  # V * input is a whole number of molecules
    model = gillespy2.Model(name="compiled", volume=V)
    # GillesPy2's propensity for 2X is k n(n-1)/vol in 1.8 (older versions halve k); read it off.
    probe = gillespy2.Reaction(name="probe", reactants={"A": 2}, products={"A": 1}, rate="k")
    two_x = 2.0 if "0.5" in probe.propensity_function or "/ 2" in probe.propensity_function else 1.0
    species = {s: gillespy2.Species(name=s, initial_value=int(round(V * init.get(s, 0.0))), mode="discrete")
               for s in cn.network.species}
    model.add_species(list(species.values()))
    for j, r in enumerate(cn.network.reactions):
        k = float(r.rate) * (two_x if 2 in r.reactants.values() else 1.0)
        model.add_parameter(gillespy2.Parameter(name=f"k{j}", expression=k))
        model.add_reaction(gillespy2.Reaction(
            name=f"r{j}", rate=f"k{j}",
            reactants={species[s]: c for s, c in r.reactants.items()},
            products={species[s]: c for s, c in r.products.items()},
        ))
    times = np.linspace(0, T, T + 1)
    model.timespan(times)
    theirs = model.run(solver=gillespy2.NumPySSASolver, number_of_trajectories=1, seed=7)[0]
    ours = simulate_stochastic(cn.network, init, (0, T), times, volume=V, seed=7)
    for s in cn.hidden_and_output_species:
        a, b = ours.counts(s)[20:T].astype(float), np.asarray(theirs[s][20:T], dtype=float)
        se = np.sqrt(np.var(a.reshape(20, -1).mean(1), ddof=1) / 20 + np.var(b.reshape(20, -1).mean(1), ddof=1) / 20)
        assert abs(a.mean() - b.mean()) < 4 * se, s
        assert a.var() == pytest.approx(b.var(), rel=0.15), s


# --------------------------------------------------------------------------- results, seeds, back-ends
def test_result_shapes_counts_and_batching():
    net = ReactionNetwork.from_text("A + X -> A + 2X ; 0.5\nX -> 0")
    res = simulate_stochastic(net, {"A": [1.0, 3.0], "X": 2.0}, (0, 2), [0, 1, 2], volume=10, n_repeats=3, seed=0)
    assert isinstance(res, StochasticResult) and isinstance(res, TrajectoryResult)
    # Not an integrator's result: no nfev / njev / nlu, but its own counters.
    assert not isinstance(res, SimulationResult) and not hasattr(res, "nfev")
    counters = res.counters
    assert counters.trajectories == 6 and counters.events == int(res.n_events.sum()) > 0
    assert counters.steps == int(res.n_steps.sum()) and counters.channels == res.n_channels == 2
    assert res.to_array().shape == (6, 3, 2)
    assert res.batched and res.n_inputs == 2 and res.n_repeats == 3
    assert res["X"].shape == (6, 3) and res.counts("X").dtype == np.int64
    np.testing.assert_array_equal(res.counts("X")[:, 0], 20)
    np.testing.assert_allclose(res["X"], res.counts("X") / 10)
    np.testing.assert_array_equal(res["A"], np.repeat([[1.0] * 3, [3.0] * 3], 3, axis=0))
    assert res.by_input(res.time_average("X")).shape == (2, 3)
    assert res.n_events.shape == (6,) and (res.n_events > 0).all() and res.events_per_second > 0
    single = simulate_stochastic(net, {"A": 1.0, "X": 2.0}, (0, 2), volume=10, seed=0)
    assert not single.batched and single["X"].shape == (101,) and isinstance(single.time_average("X"), float)
    assert single.to_array().shape == (101, 2)  # no batch axis when unbatched


def test_window_averages_are_exact_and_sampled_windows_approximate():
    net = ReactionNetwork.from_text(BIRTH_DEATH)
    t = np.linspace(0, 50, 5001)
    res = simulate_stochastic(net, {"X": 2.0}, (0, 50), t, volume=20, seed=2, window=(10, 50))
    sampled = res.time_average("X", window=(10, 50.0 - 1e-9))  # not the simulated window: from samples
    assert sampled == pytest.approx(res.time_average("X"), rel=0.01)
    with pytest.raises(ValueError, match=r"window of StochasticResult.time_average must be"):
        res.time_average("X", window=(10, 60))


def test_seeds_reproduce_and_do_not_depend_on_batching():
    net = ReactionNetwork.from_text(BIRTH_DEATH)
    a = simulate_stochastic(net, {"X": [1.0, 2.0]}, (0, 5), volume=10, n_repeats=3, seed=42)
    b = simulate_stochastic(net, {"X": [1.0, 2.0]}, (0, 5), volume=10, n_repeats=3, seed=42)
    np.testing.assert_array_equal(a.counts("X"), b.counts("X"))
    fewer = simulate_stochastic(net, {"X": [1.0]}, (0, 5), volume=10, n_repeats=2, seed=42)
    np.testing.assert_array_equal(fewer.counts("X"), a.counts("X")[:2])
    threaded = simulate_stochastic(net, {"X": [1.0, 2.0]}, (0, 5), volume=10, n_repeats=3, seed=42, workers=2)
    np.testing.assert_array_equal(threaded.counts("X"), a.counts("X"))
    other = simulate_stochastic(net, {"X": [1.0, 2.0]}, (0, 5), volume=10, n_repeats=3, seed=43)
    assert not np.array_equal(other.counts("X"), a.counts("X"))
    fresh = simulate_stochastic(net, {"X": 1.0}, (0, 5), volume=10)
    again = simulate_stochastic(net, {"X": 1.0}, (0, 5), volume=10, seed=fresh.seed)
    np.testing.assert_array_equal(fresh.counts("X"), again.counts("X"))


@pytest.mark.parametrize("method", sorted(STOCHASTIC_METHODS))
def test_pure_python_kernels_match_the_compiled_ones(monkeypatch, method):
    """Without numba the same kernels run as Python: same random stream, same path."""
    net = ReactionNetwork.from_text("0 -> X ; 20\nX -> 0 ; 1\n2X -> X ; 0.1")
    kw = dict(volume=5, seed=9, method=method)
    compiled = simulate_stochastic(net, {"X": 1.0}, (0, 3), **kw)
    monkeypatch.setattr(runners_module, "USE_JIT", False)
    python = simulate_stochastic(net, {"X": 1.0}, (0, 3), **kw)
    np.testing.assert_array_equal(python.counts("X"), compiled.counts("X"))
    assert python.n_events[0] == compiled.n_events[0]


def test_auto_is_exact_unless_the_expected_events_are_many():
    """method="auto": the SSA up to AUTO_SSA_MAX_EVENTS expected events, tau-leaping above; the default stays SSA."""
    net = ReactionNetwork.from_text(BIRTH_DEATH)  # initial propensity 2V + V x0 = 4V events per unit time
    small = simulate_stochastic(net, {"X": 2.0}, (0, 10), volume=100, seed=0, method="auto")
    assert small.method == "ssa" and "chosen by method='auto'" in small.message
    default = simulate_stochastic(net, {"X": 2.0}, (0, 10), volume=1e5, seed=0, max_steps=10**7)
    assert default.method == "ssa" and default.n_events[0] == default.n_steps[0]
    big = simulate_stochastic(net, {"X": 2.0}, (0, 10), volume=1e5, seed=0, method="auto")  # 4e6 expected
    assert big.method == "tau-leap" and big.n_steps[0] < big.n_events[0] / 10
    assert big.time_average("X") == pytest.approx(2.0, rel=0.01)
    assert runners_module.AUTO_SSA_MAX_EVENTS == 10**6


def test_method_options_are_checked_against_the_registry():
    net = ReactionNetwork.from_text(BIRTH_DEATH)
    with pytest.raises(TypeError, match=r"simulate_stochastic\(method='ssa'\) got the option epsilon, which it does "
                                        r"not accept; valid options: none \(and the keyword arguments volume"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=1, epsilon=0.1)
    with pytest.raises(TypeError, match=r"got the option bogus.*valid options: epsilon"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=1, method="auto", bogus=1)
    # Decay x' = -x from 1e6 molecules: the CGP bound makes each leap about epsilon long (the theta bound 0.1).
    decay = ReactionNetwork.from_text("X -> 0 ; 1")
    kw = dict(volume=1e4, seed=0, method="tau-leap")
    coarse = simulate_stochastic(decay, {"X": 100.0}, (0, 3), [0, 3], epsilon=0.1, **kw)
    fine = simulate_stochastic(decay, {"X": 100.0}, (0, 3), [0, 3], epsilon=0.01, **kw)
    assert 5 * coarse.n_steps[0] < fine.n_steps[0]  # epsilon reached the leap control


def test_absorbing_state_and_no_dynamic_reactants():
    net = ReactionNetwork.from_text("X -> 0")
    res = simulate_stochastic(net, {"X": 0.3}, (0, 100), volume=10, seed=1)
    assert res.counts("X")[-1] == 0 and res.n_events[0] == 3 and res.success


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("volume", [-1.0, 0, float("inf"), float("nan"), "1", True])
def test_volume_must_be_positive_finite(volume):
    net = ReactionNetwork.from_text(BIRTH_DEATH)
    with pytest.raises(ValueError, match=r"volume of simulate_stochastic must be a positive finite number; got"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=volume)


def test_error_messages():
    net = ReactionNetwork.from_text(BIRTH_DEATH)
    with pytest.raises(ValueError, match=r"volume of simulate_stochastic must be a positive finite number; got -1.0"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=-1.0)
    with pytest.raises(ValueError, match=r"initial\['X'\] of simulate_stochastic is 1e\+20, which at volume 1000 .*2\*\*53"):
        simulate_stochastic(net, {"X": 1e20}, (0, 1), volume=1000)
    with pytest.raises(ValueError, match=r"enzyme molecules, more than"):
        simulate_stochastic(ReactionNetwork.from_text(NODE), {"H": 1e15}, (0, 1), volume=100, round_enzymes=True)
    with pytest.raises(NetworkError, match=r"simulate_stochastic needs numeric rate constants, but k have no value"):
        simulate_stochastic(ReactionNetwork.from_text("X -> 0 ; k"), {"X": 1.0}, (0, 1), volume=1)
    assert simulate_stochastic(ReactionNetwork.from_text("X -> 0 ; k"), {"X": 1.0}, (0, 1), volume=1, rates={"k": 2.0}, seed=0).success
    with pytest.raises(ValueError, match=r"method of simulate_stochastic must be one of ssa, tau-leap, auto; got 'euler'"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=1, method="euler")
    with pytest.raises(ValueError, match=r"t_span of simulate_stochastic must be"):
        simulate_stochastic(net, {"X": 1.0}, (1, 0), volume=1)
    with pytest.raises(ValueError, match=r"t_eval of simulate_stochastic must be"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), [0, 2], volume=1)
    with pytest.raises(ValueError, match=r"window of simulate_stochastic must be"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=1, window=(0.5, 2))
    with pytest.raises(ValueError, match=r"n_repeats of simulate_stochastic must be an integer >= 1; got 0"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=1, n_repeats=0)
    with pytest.raises(ValueError, match=r"epsilon of simulate_stochastic must be a number in \(0, 1\)"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=1, method="tau-leap", epsilon=2.0)
    with pytest.raises(NetworkError, match=r"initial of simulate_stochastic names 'Y'"):
        simulate_stochastic(net, {"Y": 1.0}, (0, 1), volume=1)
    with pytest.raises(NetworkError, match=r"observe of simulate_stochastic names 'Y'"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=1, observe=["Y"])
    with pytest.raises(TypeError, match=r"network of simulate_stochastic must be a ReactionNetwork"):
        simulate_stochastic("X -> 0", {"X": 1.0}, (0, 1), volume=1)
    with pytest.raises(KeyError, match=r"'Y' is not a species of this result"):
        simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=1, seed=0).counts("Y")


def test_failures_raise_with_the_result_or_return_it():
    net = ReactionNetwork.from_text(BIRTH_DEATH)
    with pytest.raises(SimulationError, match=r"hit max_steps") as info:
        simulate_stochastic(net, {"X": 1.0}, (0, 100), volume=100, max_steps=50, seed=0)
    assert not info.value.result.success and info.value.result.n_events[0] == 50
    res = simulate_stochastic(net, {"X": 1.0}, (0, 100), volume=100, max_steps=50, seed=0, raise_on_failure=False)
    assert res.status == -1 and np.isnan(res["X"][-1]) and res.counts("X")[-1] == -1
    assert np.isnan(res.time_average("X"))
    growth = ReactionNetwork.from_text("X -> 2X ; 1")  # leaps multiply X by about 1.03 until 2**53
    with pytest.raises(SimulationError, match=r"count above 9.01e\+15 \(2\*\*53\)"):
        simulate_stochastic(growth, {"X": 1.0}, (0, 2000), volume=1000, method="tau-leap", seed=0)
    assert MAX_COUNT == 2**53


# --------------------------------------------------------------------------- compiled networks (rxnn.experiments.stochastic_accuracy)
@pytest.fixture(scope="module")
def small_compiled():
    from rxnn.compile import compile_network
    from rxnn.nn import FeedForwardNetwork, SmoothReLU

    net = FeedForwardNetwork.random([12, 5, 3], SmoothReLU(1.0), seed=2)
    inputs = np.random.default_rng(0).uniform(size=(4, 12))
    return net, compile_network(net, absorb_enzymes=True), inputs


def test_node_statistics_approach_the_network_as_volume_grows(small_compiled):
    from rxnn.experiments.stochastic_accuracy import node_statistics

    net, cn, d = small_compiled
    small = node_statistics(cn, d, volume=10, t_end=20, seed=1)
    large = node_statistics(cn, d, volume=1000, t_end=20, seed=1, method="ssa")
    assert small.mean.shape == (4, 8) and small.species == cn.hidden_and_output_species
    np.testing.assert_allclose(large.expected, np.concatenate(net.activations(d)[1:], axis=1))
    err_small = np.abs(small.mean - small.expected).max()
    err_large = np.abs(large.mean - large.expected).max()
    assert err_large < 0.05 and err_large < err_small / 3
    ratio = small.std / large.std  # spread ~ 1/sqrt(V): sqrt(100) = 10
    assert 7 < np.median(ratio) < 13
    assert large.outputs.shape == (4, 3) and large.predictions.shape == (4,)
    assert large.n_events == large.n_steps > 0 and large.method == "ssa"
    leaped = node_statistics(cn, d, volume=1e5, t_end=10, seed=1)  # "auto": tau-leaping above 1000
    assert leaped.method == "tau-leap" and leaped.n_steps < leaped.n_events / 100
    assert np.abs(leaped.mean - leaped.expected).max() < 0.02


def test_stochastic_accuracy_table_and_figure(small_compiled, tmp_path):
    pytest.importorskip("matplotlib")
    from rxnn.experiments.stochastic_accuracy import stochastic_accuracy

    net, _, d = small_compiled
    labels = np.argmax(net(d), axis=1)  # the network's own classes: deterministic accuracy 100%
    res = stochastic_accuracy(net, d, labels, volumes=(1, 1e4), t_end=10, seed=3, image_indices=[5, 6, 7, 8])
    assert [r.volume for r in res.rows] == [1.0, 1e4] and [r.method for r in res.rows] == ["ssa", "tau-leap"]
    assert all(r.deterministic_accuracy == 1.0 for r in res.rows)
    assert res.rows[1].accuracy == 1.0 and res.rows[1].agreement == 1.0
    assert res.rows[1].output_error < res.rows[0].output_error
    text = res.to_markdown()
    assert "MNIST test images 5-8 (4 images per volume)" in text and "| 10000 | tau-leap | 100.0% |" in text
    paths = res.write(tmp_path)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    again = stochastic_accuracy(net, d, labels, volumes=(1e4,), t_end=10, seed=3, image_split="train")
    np.testing.assert_array_equal(again.stochastic_outputs[1e4], res.stochastic_outputs[1e4])  # keyed by volume
    assert "MNIST train images 0-3" in again.to_markdown()


def test_stochastic_accuracy_is_the_same_chain_for_both_compiled_forms(small_compiled):
    """absorb_enzymes=False (the default, as in compile_network) and True sample the same chain.

    Same seed, same events: the outputs agree to rounding (the channel constants k * E and the
    absorbed k' differ in the last bit, which shifts the time averages by ~1e-15 but not one event;
    a different path would differ by O(1)).
    """
    from rxnn.experiments.stochastic_accuracy import stochastic_accuracy

    net, _, d = small_compiled
    labels = np.argmax(net(d), axis=1)
    table = stochastic_accuracy(net, d, labels, volumes=(1, 100), t_end=5, seed=3)
    absorbed = stochastic_accuracy(net, d, labels, volumes=(1, 100), t_end=5, seed=3, absorb_enzymes=True)
    assert table.settings["absorb_enzymes"] is False
    for volume in (1.0, 100.0):
        np.testing.assert_allclose(table.stochastic_outputs[volume], absorbed.stochastic_outputs[volume], rtol=1e-12)
    with pytest.warns(DeprecationWarning, match="inputs= of stochastic_accuracy is deprecated; use d="):
        old = stochastic_accuracy(net, inputs=d, labels=labels, volumes=(100,), t_end=5, seed=3)
    np.testing.assert_array_equal(old.stochastic_outputs[100.0], table.stochastic_outputs[100.0])


def test_stochastic_accuracy_errors(small_compiled):
    from rxnn.experiments.stochastic_accuracy import node_statistics, stochastic_accuracy

    net, cn, d = small_compiled
    with pytest.raises(ValueError, match=r"volume of node_statistics must be a positive finite number; got -1"):
        node_statistics(cn, d, volume=-1)
    with pytest.raises(ValueError, match=r"method of node_statistics must be 'auto' or one of 'ssa', 'tau-leap'"):
        node_statistics(cn, d, volume=1, method="ode")
    with pytest.raises(TypeError, match=r"compiled of node_statistics must be a CompiledNetwork"):
        node_statistics(cn.network, d, volume=1)
    with pytest.raises(ValueError, match=r"d and labels of stochastic_accuracy must describe the same"):
        stochastic_accuracy(net, d, [0, 1], volumes=(1,))
    with pytest.raises(ValueError, match=r"volumes of stochastic_accuracy must be a positive finite number; got 0"):
        stochastic_accuracy(net, d, [0, 1, 2, 0], volumes=(1, 0))


def test_cli_stochastic_accuracy(tmp_path, monkeypatch, capsys):
    import argparse
    import os

    from rxnn.experiments import _stochastic_cli
    from rxnn.io.model_file import save_model
    from rxnn.nn import FeedForwardNetwork, SmoothReLU

    data = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
    monkeypatch.setenv("RXNN_DATA", os.environ.get("RXNN_DATA", data))
    from rxnn.datasets.mnist import MnistError, load_mnist

    try:
        load_mnist()
    except MnistError:
        pytest.skip("MNIST is not available (set RXNN_DATA)")
    model = save_model(FeedForwardNetwork.random([784, 3, 10], SmoothReLU(1.0), seed=0), tmp_path / "m.npz")
    parser = argparse.ArgumentParser(prog="rxnn")
    _stochastic_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["stochastic-accuracy", str(model), "--volumes", "5", "--n-images", "3",
                              "--t-end", "4", "--out", str(tmp_path / "out"), "-q"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "MNIST test images 0-2 (3 images per volume)" in out and "| 5 | ssa |" in out
    assert (tmp_path / "out" / "stochastic_accuracy.png").is_file()
    assert parser.parse_args(["stochastic-accuracy", "m.npz"]).volumes == [1.0, 10.0, 100.0, 1000.0, 10000.0]
    with pytest.raises(SystemExit):
        parser.parse_args(["stochastic-accuracy", "m.npz", "--volumes", "-1"])
    from rxnn.cli import main  # errors are printed by main as one line, exit status 2

    assert main(["stochastic-accuracy", str(tmp_path / "missing.npz"), "--out", str(tmp_path / "o")]) == 2
    assert "no such file" in capsys.readouterr().err.lower()
