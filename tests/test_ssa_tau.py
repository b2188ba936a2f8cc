"""Tau-leaping draws one Poisson variable per change class (channels with equal change vectors), not per channel.

A sum of independent Poisson variables is Poisson with the summed mean, so the leap's law is unchanged; the
tests check the grouping itself and, against the exact stationary law of a birth-death chain whose births
come from three channels of one class, the stationary mean and variance (tau-leaping is first order: the
tolerances are the documented 0.5% on means and 5% on spreads plus 4 standard errors of the estimate).
"""

from __future__ import annotations

import numpy as np

from rxnn import ReactionNetwork
from rxnn.crn import _stochastic_runners as runners
from rxnn.crn.stochastic import aggregate_channels, simulate_stochastic

TEXT = "0 -> X ; 40\nE -> E + X ; 2\nY -> Y + X ; 0.5\nX -> 0 ; 0.2\n2X -> X ; 0.002\nX + Y -> Y ; 0.01\n0 -> Y ; 1\nY -> 0 ; 1"


def test_channels_with_one_change_vector_share_a_class():
    net = ReactionNetwork.from_text(TEXT)
    channels = aggregate_channels(net)
    p = runners.build_problem(channels, 0.0, 1.0, np.array([1.0]), (0.5, 1.0), 10, 0.03)
    V = channels.changes.toarray()
    for a in range(channels.n_channels):
        for b in range(channels.n_channels):
            assert (p.c_cls[a] == p.c_cls[b]) == bool(np.array_equal(V[:, a], V[:, b]))
    for j in range(p.cv_ptr.size - 1):  # each class's change vector is its members'
        change = np.zeros(V.shape[0], dtype=np.int64)
        change[p.cv_idx[p.cv_ptr[j]:p.cv_ptr[j + 1]]] = p.cv_val[p.cv_ptr[j]:p.cv_ptr[j + 1]]
        assert all(np.array_equal(V[:, c], change) for c in np.flatnonzero(p.c_cls == j))
    assert p.cv_ptr.size - 1 < channels.n_channels  # births of X (three channels) and X's losses merge


def test_tau_leaping_matches_the_exact_stationary_law_of_a_birth_death_chain():
    """X alone (Y fixed at 0 molecules: 0 -> Y removed) at V = 100: births (40 + 2 E) V (E = 3), deaths
    0.2 n + 0.002 n (n - 1) / V in counts (about 11,000 molecules); the exact stationary law from detailed
    balance. 8 repeats over [20, 520] (relaxation time about 1.6): the time average within 0.5% + 4 SE of the
    exact mean, the time variance within 5% + 4 SE of the exact variance (SE from the repeats' spread)."""
    net = ReactionNetwork.from_text(TEXT.replace("\n0 -> Y ; 1", ""))
    res = simulate_stochastic(net, {"X": 100.0, "E": 3.0}, (0, 520), [0, 520], volume=100, method="tau-leap",
                              window=(20, 520), n_repeats=8, seed=4)
    assert res.success and res.n_steps.mean() < res.n_events.mean() / 5  # it leaps
    n = np.arange(30_000)
    birth, death = 4600.0, 0.2 * n + 0.002 * n * (n - 1) / 100
    log_pi = np.r_[0.0, np.cumsum(np.log(birth) - np.log(death[1:]))]
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    mean = float((n * pi).sum())
    var = float(((n - mean) ** 2 * pi).sum())
    avg, tv = res.time_average("X") * 100, res.time_variance("X") * 100**2  # concentrations -> counts
    assert abs(avg.mean() - mean) < 0.005 * mean + 4 * avg.std(ddof=1) / np.sqrt(avg.size)
    assert abs(tv.mean() - var) < 0.05 * var + 4 * tv.std(ddof=1) / np.sqrt(tv.size)
