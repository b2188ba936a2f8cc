"""The fast exact SSA: its random numbers, its two kernels and its output fast path, against closed forms.

``ssa_direct`` runs the dense kernel up to ``DENSE_MAX`` channels and species
and the sum-tree kernel above; padding a network with channels that never fire
(``Zi -> 0`` with no Zi) moves it to the large kernels without changing its law:
the rejection kernel (the default, ``LARGE_SSA = "ssa_rejection"``) or the sum
tree (``LARGE_SSA = "ssa_direct"``); the tests run all three.
Tolerances are 4 standard errors of the estimate (stated per test), so a
correct kernel fails about once in 15,000 runs; the seeds are fixed.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from rxnn import ReactionNetwork
from rxnn.crn import _rng_kernels as rng_kernels
from rxnn.crn import _ssa_kernels as kernels
from rxnn.crn import _stochastic_runners as runners_module
from rxnn.crn.stochastic import simulate_stochastic

PAD = "\n".join(f"Z{i} -> 0 ; 1" for i in range(kernels.DENSE_MAX))  # never fire: no Zi molecules


def _net(text: str, tree: bool) -> ReactionNetwork:
    return ReactionNetwork.from_text(text + ("\n" + PAD if tree else ""))


KERNELS = ["dense", "tree", "rejection"]


def _kernel_net(text: str, kernel: str, monkeypatch) -> ReactionNetwork:
    """``text`` as it is (dense), or padded and run by the sum tree or the rejection kernel."""
    monkeypatch.setattr(runners_module, "LARGE_SSA", "ssa_direct" if kernel == "tree" else "ssa_rejection")
    return _net(text, kernel != "dense")


def test_padding_selects_the_tree_kernel():
    assert simulate_stochastic(_net("X -> 0 ; 1", False), {"X": 1.0}, (0, 1), volume=5, seed=0).n_channels <= kernels.DENSE_MAX
    assert simulate_stochastic(_net("X -> 0 ; 1", True), {"X": 1.0}, (0, 1), volume=5, seed=0).n_channels > kernels.DENSE_MAX


def test_exponential_and_uniform_follow_their_laws():
    """Kolmogorov-Smirnov against scipy's Exp(1) and U(0, 1) on 20,000 draws each (p > 1e-4); the mean of
    Exp(1) within 4 standard errors (1/sqrt(n))."""
    s = tuple(rng_kernels.seed_state(np.random.default_rng(11)))
    e, u = np.empty(20_000), np.empty(20_000)
    for i in range(e.size):
        *s, e[i] = rng_kernels.exponential(*s)
        *s, u[i] = rng_kernels.uniform(*s)
    assert stats.kstest(e, "expon").pvalue > 1e-4 and stats.kstest(u, "uniform").pvalue > 1e-4
    assert abs(e.mean() - 1.0) < 4 / np.sqrt(e.size)
    assert np.all(e > 0) and np.all((u >= 0) & (u < 1))


def test_ziggurat_tail_and_wedges_are_exact():
    """Draws beyond the ziggurat's base strip (x > 3, about 5% of draws) follow the Exp(1) tail: P(X > 3 + y | X > 3) = e^-y."""
    s = tuple(rng_kernels.seed_state(np.random.default_rng(12)))
    draws = np.empty(200_000)
    for i in range(draws.size):
        *s, draws[i] = rng_kernels.exponential(*s)
    tail = draws[draws > 3.0] - 3.0
    assert abs(tail.size / draws.size - np.exp(-3.0)) < 4 * np.sqrt(np.exp(-3.0) / draws.size)
    assert stats.kstest(tail, "expon").pvalue > 1e-4


@pytest.mark.parametrize("kernel", KERNELS)
def test_output_times_do_not_change_the_path(kernel, monkeypatch):
    """Same seed: output only at t0 and t1 (the fast path) ends where the run with 1001 output times ends."""
    net = _kernel_net("0 -> X ; 50\nX -> 0 ; 1\n2X -> Y ; 0.01\nY -> 0 ; 2", kernel, monkeypatch)
    kw = dict(volume=1, seed=5, n_repeats=3)
    ends = simulate_stochastic(net, {"X": 10.0}, (0, 20), [0, 20], **kw)
    dense = simulate_stochastic(net, {"X": 10.0}, (0, 20), np.linspace(0, 20, 1001), **kw)
    for s in ("X", "Y"):
        np.testing.assert_array_equal(ends.counts(s)[:, -1], dense.counts(s)[:, -1])
        np.testing.assert_array_equal(ends.counts(s)[:, 0], dense.counts(s)[:, 0])
    np.testing.assert_array_equal(ends.n_events, dense.n_events)
    np.testing.assert_allclose(ends.time_average("X"), dense.time_average("X"), rtol=1e-12)


@pytest.mark.parametrize("kernel", KERNELS)
def test_birth_death_is_poisson(kernel, monkeypatch):
    """0 -> X (10), X -> 0 (1) is stationary Poisson(10): time mean 10 and time variance 10.

    8 repeats over the window [10, 2010]: the time average has variance 2 * 10 * tau / T (tau = 1) per repeat,
    standard error 0.035 over 8 (measured over 60 seeds: 0.036); bound 0.15 = 4 SE. The time variance's
    relative standard error, measured the same way, is 1.3%; bound 5.5%.
    """
    res = simulate_stochastic(_kernel_net("0 -> X ; 10\nX -> 0 ; 1", kernel, monkeypatch), {"X": 10.0}, (0, 2010), [0, 2010], volume=1,
                              window=(10, 2010), n_repeats=8, seed=3)
    assert res.success
    assert abs(res.time_average("X").mean() - 10.0) < 0.15
    assert res.time_variance("X").mean() == pytest.approx(10.0, rel=0.055)


@pytest.mark.parametrize("kernel", KERNELS)
def test_pure_death_is_binomial(kernel, monkeypatch):
    """X -> 0 (1) from 100: the count at t = 1 is Binomial(100, e^-1) (mean 36.79, variance 23.25).

    3000 repeats: the sample mean's standard error is 0.088 (bound 4 SE = 0.35); the sample variance's is about
    23.25 * sqrt(2 / 3000) = 0.60 (bound 2.4); the histogram passes a chi-square test against the pmf (p > 1e-4).
    """
    p = np.exp(-1.0)
    res = simulate_stochastic(_kernel_net("X -> 0 ; 1", kernel, monkeypatch), {"X": 100.0}, (0, 1), [0, 1], volume=1, n_repeats=3000, seed=4)
    n = res.counts("X")[:, -1]
    assert abs(n.mean() - 100 * p) < 0.35
    assert abs(n.var(ddof=1) - 100 * p * (1 - p)) < 2.4
    k = np.arange(101)
    expected = stats.binom.pmf(k, 100, p) * n.size
    keep = expected >= 5  # pool the tails into the nearest kept bin
    observed = np.bincount(n, minlength=101).astype(float)
    lo, hi = np.flatnonzero(keep)[[0, -1]]
    obs = observed[lo:hi + 1].copy()
    exp = expected[lo:hi + 1].copy()
    obs[0] += observed[:lo].sum()
    exp[0] += expected[:lo].sum()
    obs[-1] += observed[hi + 1:].sum()
    exp[-1] += expected[hi + 1:].sum()
    assert stats.chisquare(obs, exp).pvalue > 1e-4


@pytest.mark.parametrize("kernel", ["tree", "rejection"])
def test_dense_and_large_kernels_agree_on_every_propensity_form(kernel, monkeypatch):
    """Orders 0, 1, 2 (2X and X + Y) and 3 (the general product): the dense kernel's classified propensities
    and the large kernels' general ones (the rejection kernel's bounds included) sample one law. Two-sample
    test of the mean counts at t = 2 over 1500 repeats each: |difference| < 4 standard errors of the difference."""
    text = "0 -> X ; 30\nX -> Y ; 1\n2X -> Y ; 0.02\nX + Y -> 0 ; 0.01\n2X + Y -> X ; 0.001\nY -> 0 ; 0.5"
    kw = dict(volume=1, n_repeats=1500)
    dense = simulate_stochastic(_net(text, False), {"X": 20.0, "Y": 5.0}, (0, 2), [0, 2], seed=21, **kw)
    large = simulate_stochastic(_kernel_net(text, kernel, monkeypatch), {"X": 20.0, "Y": 5.0}, (0, 2), [0, 2],
                                seed=22, **kw)
    for s in ("X", "Y"):
        a, b = dense.counts(s)[:, -1], large.counts(s)[:, -1]
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        assert abs(a.mean() - b.mean()) < 4 * se


def test_tree_kernel_in_python_matches_the_compiled_one(monkeypatch):
    """Without numba the tree kernel runs as Python (the generator on Python integers): same stream, same path."""
    net = _kernel_net("0 -> X ; 20\nX -> 0 ; 1\n2X -> X ; 0.1", "tree", monkeypatch)
    kw = dict(volume=5, seed=9, method="ssa")
    compiled = simulate_stochastic(net, {"X": 1.0}, (0, 2), **kw)
    monkeypatch.setattr(runners_module, "USE_JIT", False)
    python = simulate_stochastic(net, {"X": 1.0}, (0, 2), **kw)
    np.testing.assert_array_equal(python.counts("X"), compiled.counts("X"))
    assert python.n_events[0] == compiled.n_events[0] > 0


def test_dense_kernel_never_chooses_a_dead_channel():
    """Channels that cannot fire (no Yi molecules) first, between and last among live ones: the dense kernel's
    branch-free choice skips them (no Wi ever made) and splits the live ones in proportion to their
    propensities: A and B are independent Poisson(300) and Poisson(700) at t = 10, means within 4 standard
    errors over 400 repeats."""
    net = ReactionNetwork.from_text("Y0 -> W0 ; 1\n0 -> A ; 30\nY1 -> W1 ; 1\n0 -> B ; 70\nY2 -> W2 ; 1")
    res = simulate_stochastic(net, {}, (0, 10), [0, 10], volume=1, n_repeats=400, seed=5)
    assert res.n_channels <= kernels.DENSE_MAX
    for s in ("W0", "W1", "W2", "Y0", "Y1", "Y2"):
        assert not res.counts(s).any()
    for s, mean in (("A", 300.0), ("B", 700.0)):
        final = res.counts(s)[:, -1]
        assert abs(final.mean() - mean) < 4 * np.sqrt(mean / final.size)


def test_missing_numba_warns_and_gives_the_same_path(monkeypatch):
    """Without numba the kernels run as plain Python: the call says so (a RuntimeWarning naming the fix) and
    samples the same path as the compiled kernels from the same seed."""
    net = ReactionNetwork.from_text("0 -> X ; 20\nX -> 0 ; 1\n2X -> X ; 0.1")
    kw = dict(volume=5, seed=9, method="ssa")
    compiled = simulate_stochastic(net, {"X": 1.0}, (0, 2), **kw)
    monkeypatch.setattr(runners_module, "HAVE_NUMBA", False)
    monkeypatch.setattr(runners_module, "USE_JIT", False)
    with pytest.warns(RuntimeWarning, match=r"numba is not installed.*rxnn\[stochastic\]"):
        python = simulate_stochastic(net, {"X": 1.0}, (0, 2), **kw)
    np.testing.assert_array_equal(python.counts("X"), compiled.counts("X"))
