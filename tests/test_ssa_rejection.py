"""The rejection (thinning) kernel of the exact SSA against the direct method on a sum tree, and closed forms.

Above ``DENSE_MAX`` channels the exact SSA runs :func:`rxnn.crn._ssa_rejection.ssa_rejection`
(``_stochastic_runners.LARGE_SSA``); setting ``LARGE_SSA = "ssa_direct"`` runs the sum-tree direct method,
the independent second method here. Networks are padded with channels that never fire (``Zi -> 0`` with no
Zi: their bounds are exactly 0) where they would otherwise be small enough for the dense kernel. Tolerances
are 4 standard errors (stated per test) so a correct kernel fails about once in 15,000 comparisons; seeds
are fixed.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from rxnn import ReactionNetwork
from rxnn.compile import compile_network
from rxnn.crn import _ssa_kernels as kernels
from rxnn.crn import _ssa_rejection as rejection
from rxnn.crn import _stochastic_runners as runners_module
from rxnn.crn.results import SimulationError
from rxnn.crn.stochastic import simulate_stochastic
from rxnn.nn import FeedForwardNetwork, SmoothReLU

PAD = "\n".join(f"Z{i} -> 0 ; 1" for i in range(kernels.DENSE_MAX))


def _kernel_spy(monkeypatch) -> list[str]:
    """Record the name of every kernel the runners call."""
    called: list[str] = []
    original = runners_module.kernel

    def spy(name):
        called.append(name)
        return original(name)

    monkeypatch.setattr(runners_module, "kernel", spy)
    return called


def test_large_networks_run_the_rejection_kernel_and_the_switch_selects_the_tree(monkeypatch):
    called = _kernel_spy(monkeypatch)
    net = ReactionNetwork.from_text("0 -> X ; 5\nX -> 0 ; 1\n" + PAD)
    simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=5, seed=0)
    monkeypatch.setattr(runners_module, "LARGE_SSA", "ssa_direct")
    simulate_stochastic(net, {"X": 1.0}, (0, 1), volume=5, seed=0)
    small = ReactionNetwork.from_text("0 -> X ; 5\nX -> 0 ; 1")
    monkeypatch.setattr(runners_module, "LARGE_SSA", "ssa_rejection")
    simulate_stochastic(small, {"X": 1.0}, (0, 1), volume=5, seed=0)
    assert called == ["ssa_rejection", "ssa_direct", "ssa_direct"]  # the last one: the dense kernel inside


def test_compiled_network_agrees_with_the_direct_method_in_distribution(monkeypatch):
    """The compiled 6-4-3 network (52 channels, 27 reactant complexes) at V = 20: both kernels sample one law.

    400 repeats each to t = 8, window [4, 8]: per node, the mean over repeats of the time average and of
    the time variance, and the mean number of events; two-sample |difference| < 4 standard errors of the
    difference (standard errors from the repeats' spread)."""
    cn = compile_network(FeedForwardNetwork.random([6, 4, 3], SmoothReLU(1.0), seed=0))
    names = cn.hidden_and_output_species
    x0 = cn.initial_state(np.linspace(0.1, 0.9, 6), 1.0)
    kw = dict(volume=20, n_repeats=400, window=(4, 8), observe=names)
    fast = simulate_stochastic(cn.network, x0, (0, 8), [0, 8], seed=1, **kw)
    monkeypatch.setattr(runners_module, "LARGE_SSA", "ssa_direct")
    tree = simulate_stochastic(cn.network, x0, (0, 8), [0, 8], seed=2, **kw)
    assert fast.n_channels > kernels.DENSE_MAX and fast.success and tree.success
    samples = [(fast.n_events.astype(float), tree.n_events.astype(float))]
    for s in names:
        samples.append((fast.time_average(s), tree.time_average(s)))
        samples.append((fast.time_variance(s), tree.time_variance(s)))
    for a, b in samples:
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        assert abs(a.mean() - b.mean()) < 4 * se


def test_linear_network_is_product_poisson():
    """First-order network with inflow (12 species: births, deaths, conversions both ways; 46 channels):
    the stationary law is a product of Poissons with the ODE's steady state as means (Jahnke & Huisinga 2007).

    10 repeats over the window [20, 420] (relaxation times <= 2): per species the time average's mean and
    the time variance's mean within 4 standard errors (the repeats' spread) of m_i; the time variance
    estimates Var - Var(time average), about m_i (1 - 2 tau / T), so 1% of m_i is added to its bound."""
    rng = np.random.default_rng(5)
    n = 12
    birth, death = rng.uniform(2, 10, n), rng.uniform(0.5, 2, n)
    fwd, back = rng.uniform(0.2, 1, n - 1), rng.uniform(0.2, 1, n - 1)
    lines = [f"0 -> X{i} ; {birth[i]:.6g}" for i in range(n)] + [f"X{i} -> 0 ; {death[i]:.6g}" for i in range(n)]
    lines += [f"X{i} -> X{i + 1} ; {fwd[i]:.6g}" for i in range(n - 1)]
    lines += [f"X{i + 1} -> X{i} ; {back[i]:.6g}" for i in range(n - 1)]
    net = ReactionNetwork.from_text("\n".join(lines))
    birth, death = (np.array([float(f"{v:.6g}") for v in a]) for a in (birth, death))
    fwd, back = (np.array([float(f"{v:.6g}") for v in a]) for a in (fwd, back))
    A = -np.diag(death)
    for i in range(n - 1):
        A[i, i] -= fwd[i]
        A[i + 1, i] += fwd[i]
        A[i + 1, i + 1] -= back[i]
        A[i, i + 1] += back[i]
    mean = np.linalg.solve(A, -birth)
    res = simulate_stochastic(net, {f"X{i}": mean[i] for i in range(n)}, (0, 420), [0, 420], volume=1,
                              window=(20, 420), n_repeats=10, seed=8)
    assert res.n_channels == 46 and res.success
    for i in range(n):
        avg, var = res.time_average(f"X{i}"), res.time_variance(f"X{i}")
        assert abs(avg.mean() - mean[i]) < 4 * avg.std(ddof=1) / np.sqrt(avg.size)
        assert abs(var.mean() - mean[i]) < 4 * var.std(ddof=1) / np.sqrt(var.size) + 0.01 * mean[i]


def test_dimerisation_matches_its_stationary_law():
    """0 -> X (k1 = 30), 2X -> X (k2 = 0.5) padded to the rejection kernel: a birth-death chain with
    births 30 and deaths 0.5 n (n - 1), so pi(n + 1) / pi(n) = 30 / (0.5 (n + 1) n). 3000 trajectories
    to t = 5 from 1 molecule (relaxation rate about 2 k2 n* = 8); chi-square p > 1e-4. Counts of 1 and 2
    cross the boxes' lower ends all the time."""
    net = ReactionNetwork.from_text("0 -> X ; 30\n2X -> X ; 0.5\n" + PAD)
    res = simulate_stochastic(net, {"X": 1.0}, (0, 5), [5], volume=1, n_repeats=3000, seed=3)
    counts = res.counts("X")[:, -1]
    pi = np.zeros(80)  # pi[0] = 0: 2X -> X never empties X, and X starts at 1
    pi[1] = 1.0
    for m in range(2, 80):
        pi[m] = pi[m - 1] * 30 / (0.5 * m * (m - 1))
    expected = pi / pi.sum() * counts.size
    observed = np.bincount(counts, minlength=80)[:80].astype(float)
    keep = expected >= 5
    obs = np.r_[observed[keep], observed[~keep].sum()]
    exp = np.r_[expected[keep], expected[~keep].sum()]
    assert counts.max() < 80 and stats.chisquare(obs, exp).pvalue > 1e-4


def test_python_and_compiled_rejection_kernels_take_the_same_path(monkeypatch):
    """Without numba the kernel runs as Python (the generator on Python integers): same stream, same path."""
    net = ReactionNetwork.from_text("0 -> X ; 20\nX -> 0 ; 1\n2X -> X ; 0.1\nX -> Y ; 0.5\nY -> 0 ; 1\n" + PAD)
    kw = dict(volume=5, seed=9)
    compiled = simulate_stochastic(net, {"X": 1.0}, (0, 2), **kw)
    monkeypatch.setattr(runners_module, "USE_JIT", False)
    python = simulate_stochastic(net, {"X": 1.0}, (0, 2), **kw)
    np.testing.assert_array_equal(python.counts("X"), compiled.counts("X"))
    np.testing.assert_array_equal(python.counts("Y"), compiled.counts("Y"))
    np.testing.assert_allclose(python.time_average("X"), compiled.time_average("X"), rtol=1e-12)
    assert python.n_events[0] == compiled.n_events[0] > 0


def test_event_limit_and_overflow_are_reported():
    net = ReactionNetwork.from_text("0 -> X ; 5\nX -> 0 ; 1\n" + PAD)
    res = simulate_stochastic(net, {"X": 1.0}, (0, 100), volume=10, max_steps=40, seed=0, raise_on_failure=False)
    assert not res.success and res.n_events[0] == 40 and "hit max_steps" in res.message
    growth = ReactionNetwork.from_text("X -> 2X ; 1\n" + PAD)
    with pytest.raises(SimulationError, match=r"count above 9.01e\+15 \(2\*\*53\)"):
        simulate_stochastic(growth, {"X": 2.0**53 - 3}, (0, 1), volume=1, seed=0)


@pytest.mark.parametrize("n, expected", [(0, (0, 0)), (1, (1, 1)), (2, (2, 3)), (5, (4, 6)), (100, (85, 115))])
def test_boxes(n, expected):
    """The box of a count (module docstring): [n, n] at 0 and 1, else n -+ max(floor(delta n), 1), lower end >= 2."""
    assert rejection.BOX_DELTA == 0.15
    assert tuple(int(v) for v in rejection._box(n, rejection.BOX_DELTA)) == expected


def test_results_do_not_depend_on_worker_threads():
    """Seeds come from (seed, input, repeat), the kernel's arrays are per call: 1 and 3 threads give the same paths."""
    net = ReactionNetwork.from_text("0 -> X ; 20\nX -> 0 ; 1\n2X -> Y ; 0.05\nY -> 0 ; 1\n" + PAD)
    kw = dict(volume=2, seed=17, n_repeats=6, window=(1, 4))
    one = simulate_stochastic(net, {"X": [1.0, 3.0]}, (0, 4), **kw)
    three = simulate_stochastic(net, {"X": [1.0, 3.0]}, (0, 4), workers=3, **kw)
    assert one.n_channels > kernels.DENSE_MAX
    for s in ("X", "Y"):
        np.testing.assert_array_equal(one.counts(s), three.counts(s))
        np.testing.assert_array_equal(one.time_average(s), three.time_average(s))
    np.testing.assert_array_equal(one.n_events, three.n_events)
