"""The whole-test-set accuracy-against-volume sweep (rxnn.experiments.accuracy_volume, issue 17 item 3).

Truths: the one-image-per-task sweep of rxnn.experiments.sweep (an independent path through the same
seeds), the sweep's resume, and the law of large numbers for the cost model's events per image
(events / V -> the integral of the ODE's total reaction flux, from the independent oracle).
"""

import numpy as np
import pytest

from oracle_mass_action import Oracle
from rxnn.compile import compile_network
from rxnn.crn.simulate import simulate
from rxnn.experiments.accuracy_volume import accuracy_against_volume
from rxnn.experiments.sweep import stochastic_accuracy_sweep
from rxnn.nn import FeedForwardNetwork, SmoothReLU

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def small():
    net = FeedForwardNetwork.random([3, 4, 2], SmoothReLU(1.0), seed=0)
    x = np.random.default_rng(1).uniform(size=(5, 3))
    return net, x, np.array([0, 1, 1, 0, 1])


def test_blocks_equal_one_image_tasks_and_do_not_change_results(small):
    net, x, y = small
    kw = dict(exact_volumes=[10.0], approx_volumes=[100.0], error_sample=2, t_end=4.0, seed=7)
    by_one = accuracy_against_volume(net, x, y, block=1, **kw)
    by_three = accuracy_against_volume(net, x, y, block=3, **kw)
    for v in (10.0, 100.0):
        np.testing.assert_array_equal(by_one.accuracy.stochastic_outputs[v], by_three.accuracy.stochastic_outputs[v])
    # The same images through the one-image-per-task sweep: the same seeds, so the same numbers.
    reference = stochastic_accuracy_sweep(net, x, y, volumes=[10.0], t_end=4.0, method="ssa", seed=7)
    np.testing.assert_array_equal(by_three.accuracy.stochastic_outputs[10.0], reference.stochastic_outputs[10.0])
    assert [r.method for r in by_three.accuracy.rows] == ["ssa", "tau-leap"]


def test_the_approximation_check_is_computed_from_the_exact_sample(small):
    net, x, y = small
    table = accuracy_against_volume(net, x, y, exact_volumes=[], approx_volumes=[200.0], error_sample=3, t_end=4.0)
    check = table.checks[0]
    sample = list(check.image_indices)
    assert sample == [0, 2, 4]  # evenly spaced over the five rows
    # The one-image sweep of every row, exact: its rows 0, 2, 4 are the sample's tasks (same keys, same seeds).
    exact_all = stochastic_accuracy_sweep(net, x, y, volumes=[200.0], t_end=4.0, method="ssa")
    exact_rows = exact_all.stochastic_outputs[200.0]
    approx = table.accuracy.stochastic_outputs[200.0][sample]
    e = exact_rows[sample]
    assert check.rms_difference == pytest.approx(np.sqrt(np.mean((approx - e) ** 2)), rel=1e-12)
    det = table.accuracy.deterministic_outputs[sample]
    assert check.rms_exact == pytest.approx(np.sqrt(np.mean((e - det) ** 2)), rel=1e-12)
    assert check.agreement == np.mean(np.argmax(approx, 1) == np.argmax(e, 1))
    exact_std = exact_all.output_std[200.0]
    assert check.std_ratio == pytest.approx(table.accuracy.output_std[200.0][sample].mean() / exact_std[sample].mean())
    cost = table.costs[0]
    assert cost.measured_on == "sample of 3 images" and cost.seconds_per_image_approx > 0


def test_cost_model_events_per_image_follow_the_ode_flux(small):
    """At large V the SSA's events per image approach V times the integral of the ODE's total flux (LLN)."""
    net, x, y = small
    volume, t_end = 2000.0, 3.0
    table = accuracy_against_volume(net, x[:2], y[:2], exact_volumes=[volume], approx_volumes=[], t_end=t_end)
    compiled = compile_network(net, absorb_enzymes=True)
    oracle = Oracle(compiled.network)
    ts = np.linspace(0.0, t_end, 3001)
    flux = []
    for row in range(2):
        start = compiled.initial_state(x[row], 1.0)
        enzymes = np.array([float(np.asarray(start[s]).reshape(-1)[0]) for s in compiled.network.enzymatic_species])
        sol = simulate(compiled.network, start, (0.0, t_end), ts, rtol=1e-10, atol=1e-12)
        states = np.stack([np.asarray(sol[s]).reshape(-1) for s in compiled.network.dynamic_species], axis=1)
        total = np.array([oracle.rates(z, enzymes).sum() for z in states])
        flux.append(np.trapezoid(total, ts))
    expected = volume * np.mean(flux)
    assert table.costs[0].events_per_image == pytest.approx(expected, rel=0.03)
    assert table.costs[0].hours(2) == pytest.approx(table.costs[0].hours(1) / 2)


def test_a_killed_run_resumes_from_its_results_folder(small, tmp_path):
    net, x, y = small
    kw = dict(exact_volumes=[10.0], approx_volumes=[], t_end=3.0, block=2, results=tmp_path / "sweep")
    first = accuracy_against_volume(net, x, y, **kw)
    again = accuracy_against_volume(net, x, y, **kw)
    assert first.settings["tasks_run"] == 3 and again.settings["tasks_run"] == 0 and again.settings["tasks_reused"] == 3
    np.testing.assert_array_equal(first.accuracy.stochastic_outputs[10.0], again.accuracy.stochastic_outputs[10.0])


def test_tables_figures_and_refusals(small, tmp_path):
    net, x, y = small
    table = accuracy_against_volume(net, x, y, exact_volumes=[5.0], approx_volumes=[50.0], error_sample=2, t_end=2.0,
                                    approx_options={"epsilon": 0.1})
    text = table.to_markdown()
    assert "Cost model of the exact SSA" in text and "| 50 | tau-leap (epsilon = 0.1) | 2 |" in text
    default = accuracy_against_volume(net, x, y, exact_volumes=[], approx_volumes=[50.0], error_sample=0, t_end=2.0)
    assert not np.array_equal(default.accuracy.stochastic_outputs[50.0], table.accuracy.stochastic_outputs[50.0])
    with pytest.raises(TypeError, match="epsilon"):
        accuracy_against_volume(net, x, y, exact_volumes=[], approx_volumes=[50.0], approx_options={"epsilonn": 1})
    paths = table.write(tmp_path / "out")
    assert all(p.stat().st_size > 0 for p in paths.values()) and sorted(paths) == ["cost_png", "json", "md", "png"]
    with pytest.raises(ValueError, match="approx_method"):
        accuracy_against_volume(net, x, y, approx_method="euler")
    with pytest.raises(ValueError, match="at least one volume"):
        accuracy_against_volume(net, x, y, exact_volumes=[], approx_volumes=[])
    with pytest.raises(ValueError, match="exact_volumes"):
        accuracy_against_volume(net, x, y, exact_volumes=[-1.0])
