"""The speed-ups of ``rxnn compare-constructions`` do not change what it measures.

The comparison integrates a batch of inputs in chunks (:func:`batch_simulate`)
and reads the rate-independent final amounts from the same run that gives the
trajectory, where the earlier code integrated the whole batch in one call and
the final amounts in a second run (``final_values``, BDF). Checked here on a
small random ternary 6-5-3 network, against those old paths:

* chunked (1 and 3 members per call) against one call over the batch;
* the trajectory run's last point (method "auto") against ``final_values``
  (BDF) and against the network's output (the rate-independent guarantee).

Tolerance 1e-6 x (1 + largest output): each run keeps rtol 1e-8 / atol 1e-12
(1e-10 for Table 1) along a different step sequence, so two runs differ by the
integrators' global errors, well under 1e-6 here; the network itself is reached
up to the 1/(k t) residual of a balanced annihilation, about 1e-4 at t = 1e4.
"""

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, ReLU, SmoothReLU, compile_network
from rxnn._verify_rate_independent import final_values
from rxnn.cli import main
from rxnn.crn.simulate import simulate
from rxnn.experiments.constructions import batch_simulate
from rxnn.io import save_model

T_END = 1e4


@pytest.fixture(scope="module")
def ternary():
    rng = np.random.default_rng(3)
    weights = [rng.integers(-1, 2, (5, 6)).astype(float), rng.integers(-1, 2, (3, 5)).astype(float)]
    biases = [rng.uniform(-0.5, 0.5, 5), rng.uniform(0.0, 0.5, 3)]
    net = FeedForwardNetwork(weights, biases, ReLU())
    x = rng.uniform(0.0, 1.0, (7, 6))
    return net, x


def _one_call(network, state, t_end, t_eval, names, **options):
    res = simulate(network, state, (0.0, t_end), t_eval=t_eval, **options)
    return np.stack([np.asarray(res[n]) for n in names], axis=-1)


@pytest.mark.parametrize("chunk", [1, 3])
def test_chunked_rate_independent_run_equals_one_batched_call(ternary, chunk):
    net, x = ternary
    ri = compile_network(net, construction="rate_independent")
    names = ri.layer_species(2)
    grid = np.concatenate([[0.0], np.geomspace(1e-3, T_END, 40)])
    options = {"method": "auto", "rtol": 1e-8, "atol": 1e-12}
    whole = _one_call(ri.network, ri.initial_state(x), T_END, grid, names, **options)
    parts = batch_simulate(ri.network, ri.initial_state(x), T_END, grid, names, chunk=chunk, **options)
    assert parts.shape == whole.shape == (7, grid.size, 3)
    assert np.max(np.abs(parts - whole)) <= 1e-6 * (1 + np.max(np.abs(whole)))


def test_final_amounts_from_the_trajectory_run_equal_the_old_final_values(ternary):
    net, x = ternary
    ri = compile_network(net, construction="rate_independent")
    grid = np.concatenate([[0.0], np.geomspace(1e-3, T_END, 40)])
    new = batch_simulate(ri.network, ri.initial_state(x), T_END, grid, ri.layer_species(2), chunk=3,
                         method="auto", rtol=1e-8, atol=1e-12)[:, -1, :]
    old = final_values(ri, ri.network, x, T_END)[-1]
    answer = ri.expected(x)[-1]
    assert np.max(np.abs(new - old)) <= 1e-6 * (1 + np.max(np.abs(answer)))
    assert np.max(np.abs(new - answer)) <= 1e-3 * (1 + np.max(np.abs(answer)))


def test_chunked_table1_run_equals_one_batched_call(ternary):
    net, x = ternary
    t1 = compile_network(FeedForwardNetwork(list(net.weights), list(net.biases), SmoothReLU(1e-3)))
    names = t1.layer_species(2)
    state = t1.initial_state(x)
    whole = _one_call(t1.network, state, 100.0, [0.0, 100.0], names, rtol=1e-8, atol=1e-10)
    parts = batch_simulate(t1.network, state, 100.0, [0.0, 100.0], names, chunk=2, rtol=1e-8, atol=1e-10)
    assert np.max(np.abs(parts - whole)) <= 1e-6 * (1 + np.max(np.abs(whole)))


def test_a_given_table1_model_is_compiled_for_its_task(tmp_path):
    """--table1-model TASK=PATH: Table 1 compiles that network; its accuracy is its own, not the ternary one's."""
    pytest.importorskip("sklearn")
    import json

    from rxnn.datasets import load_xor

    model = FeedForwardNetwork([np.array([[1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [0.5, 0.5]]),
                                np.array([[1.0, 1.0, -1.0, 0.0], [0.0, 0.0, 1.0, -1.0]])],
                               [np.zeros(4), np.array([0.5, 0.0])], SmoothReLU(0.1))
    path = save_model(model, tmp_path / "xor.npz")
    assert main(["compare-constructions", "--out", str(tmp_path / "out"), "--quick", "--tasks", "xor",
                 "--table1-model", f"xor={path}"]) == 0
    row = json.loads((tmp_path / "out" / "constructions.json").read_text())["rows"][0]
    test = load_xor().test
    assert row["table1_network"] == "given model"
    assert row["accuracy_table1_network"] == float(np.mean(np.argmax(model(test.inputs()), 1) == test.labels))
    assert row["table1"]["network"] == "SmoothReLU(h=0.1)"
    assert row["table1"]["max_ode_minus_network"] < 1e-6  # the steady state is that network's output (Def. 4.1)
    assert row["n_ode"] == row["n_perturb"] == row["n_ssa"] == 4  # the stated samples: XOR's 4 test inputs
    assert len(row["seconds_by_step"]) == 9 and row["seconds"] >= sum(row["seconds_by_step"].values()) - 0.1


def test_a_table1_model_of_the_wrong_shape_is_refused_by_name(tmp_path, capsys):
    model = FeedForwardNetwork([np.ones((3, 2)), np.ones((2, 3))], [np.zeros(3), np.zeros(2)], SmoothReLU(1.0))
    path = save_model(model, tmp_path / "m.npz")
    assert main(["compare-constructions", "--out", str(tmp_path / "out"), "--quick", "--tasks", "xor",
                 "--table1-model", f"xor={path}"]) != 0
    err = capsys.readouterr().err
    assert "has layers 2-3-2; the task needs 2-4-2" in err
    assert not (tmp_path / "out" / "constructions.json").exists()


def test_observing_only_the_outputs_leaves_the_ssa_paths_unchanged(ternary):
    """The comparison records only the output species; same seed, same path, same numbers (exactly)."""
    from rxnn.crn.stochastic import simulate_stochastic

    net, x = ternary
    t1 = compile_network(FeedForwardNetwork(list(net.weights), list(net.biases), SmoothReLU(1e-3)))
    names = list(t1.layer_species(2))
    runs = [simulate_stochastic(t1.network, t1.initial_state(x[:2]), (0.0, 20.0), [20.0], volume=20.0,
                                window=(10.0, 20.0), seed=5, observe=observe) for observe in (None, names)]
    for n in names:
        assert np.array_equal(runs[0].time_average(n), runs[1].time_average(n))
        assert np.array_equal(runs[0][n], runs[1][n])
