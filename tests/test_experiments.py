"""Tests of rxnn.experiments: the §6 training loop, checkpoints, the chemistry checks, reproduce.

Synthetic problems cover the training loop and its checkpoints; the real MNIST
files are read from ``<repo>/../shared/data/mnist`` (tests that need them fail,
not skip, when that directory is absent). Nothing touches the network.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

from rxnn.experiments import chemistry, report
from rxnn.experiments._cli import register
from rxnn.experiments.chemistry import PAPER_NODES, activation_check, paper_activation_check, simulate_nodes
from rxnn.experiments.reproduce import reproduce, reproduce_settings
from rxnn.experiments.training import (
    PAPER_CONFIGURATIONS,
    ArrayDataset,
    CheckpointError,
    TrainingConfig,
    dead_units,
    draw_batch,
    evaluate,
    random_streams,
    read_checkpoint,
    targets,
    train,
)
from rxnn.nn import FeedForwardNetwork, PolynomialActivation, ReLU, SmoothReLU

SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"


@pytest.fixture
def mnist_files() -> Path:
    """The project's MNIST copy; a test that needs it fails (never skips) when it is missing."""
    assert (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists(), f"MNIST files expected in {SHARED_MNIST}"
    return SHARED_MNIST


needs_mnist = pytest.mark.usefixtures("mnist_files")


def blobs(n: int = 240, seed: int = 0) -> ArrayDataset:
    """Three well-separated classes in 4 non-negative dimensions."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = np.array([[1.0, 0.0, 0.0, 0.2], [0.0, 1.0, 0.0, 0.2], [0.0, 0.0, 1.0, 0.2]])
    return ArrayDataset(centres[labels] + 0.15 * rng.random((n, 4)), labels)


SMALL = TrainingConfig(layer_sizes=(4, 6, 3), batch_size=16, iterations=60, eta=0.05, seed=7)


# --------------------------------------------------------------------------- configuration and data


def test_paper_configuration_defaults():
    cfg = TrainingConfig()
    assert (cfg.layer_sizes, cfg.h, cfg.q, cfg.eta, cfg.batch_size, cfg.iterations) == ((784, 40, 10), 1.0, 2, 0.1, 300, 1000)
    assert (cfg.target_high, cfg.target_low, cfg.seed) == (10.0, 1.0, 1234)
    assert cfg.activation() == SmoothReLU(1.0)
    assert PAPER_CONFIGURATIONS["h0"].activation() == ReLU()
    assert PAPER_CONFIGURATIONS["q3"].activation() == PolynomialActivation(3, 1.0)
    assert TrainingConfig.from_dict(cfg.to_dict()) == cfg
    assert json.loads(json.dumps(cfg.to_dict()))["layer_sizes"] == [784, 40, 10]


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("eta", 0.0, "eta of TrainingConfig must be a positive finite number"),
        ("h", -1.0, "h of TrainingConfig must be a finite number >= 0"),
        ("q", 1, "q of TrainingConfig must be an integer >= 2"),
        ("batch_size", 0, "batch_size of TrainingConfig must be an integer >= 1"),
        ("layer_sizes", (784,), "layer_sizes of TrainingConfig must be at least two"),
        ("target_high", float("nan"), "target_high of TrainingConfig must be a finite number"),
    ],
)
def test_configuration_is_validated(field, value, match):
    with pytest.raises(ValueError, match=match):
        TrainingConfig(**{field: value})


def test_from_dict_rejects_unknown_keys():
    with pytest.raises(ValueError, match="data of TrainingConfig.from_dict"):
        TrainingConfig.from_dict({"bogus": 1})


def test_targets_are_ten_at_the_digit_and_one_elsewhere():
    tau = targets([0, 7, 9])
    assert tau.shape == (3, 10)
    assert tau[1, 7] == 10.0 and tau[0, 0] == 10.0 and tau[2, 9] == 10.0
    assert np.count_nonzero(tau == 10.0) == 3 and np.count_nonzero(tau == 1.0) == 27
    with pytest.raises(ValueError, match="labels of targets"):
        targets([10])


def test_batches_are_distinct_and_streams_reproducible():
    _, batches, _ = random_streams(1234)
    index = draw_batch(batches, 60000, 300)
    assert index.shape == (300,) and np.unique(index).size == 300 and index.max() < 60000
    _, again, _ = random_streams(1234)
    assert np.array_equal(draw_batch(again, 60000, 300), index)
    init, batches2, chem = random_streams(1234)
    assert not np.array_equal(init.random(5), chem.random(5))
    with pytest.raises(ValueError, match="size of draw_batch"):
        draw_batch(batches2, 5, 6)


def test_array_dataset_is_validated():
    with pytest.raises(ValueError, match="data of ArrayDataset"):
        ArrayDataset([[-1.0, 0.0]], [0])
    with pytest.raises(ValueError, match="labels of ArrayDataset"):
        ArrayDataset([[1.0, 0.0]], [0, 1])


# --------------------------------------------------------------------------- training and checkpoints


def test_training_decreases_cost_and_learns():
    data = blobs()
    result = train(SMALL, data, snapshots=(0, 30))
    assert result.cost.shape == (60,) and result.correct.shape == (60,)
    assert result.cost[-10:].mean() < 0.5 * result.cost[:10].mean()
    assert result.batch_accuracy_last(10) > 0.9
    assert evaluate(result.network, data) > 0.9
    assert set(result.snapshots) == {0, 30}
    assert result.snapshots[0] == FeedForwardNetwork.random((4, 6, 3), SMALL.activation(), seed=random_streams(7)[0])
    assert result.resumed_from == 0


def test_training_is_deterministic():
    data = blobs()
    a, b = train(SMALL, data), train(SMALL, data)
    assert a.network == b.network and np.array_equal(a.cost, b.cost)


class Crash(Exception):
    """Stands for a process killed mid-run."""


def crash_at(iteration: int):
    def callback(done: int, cost: float, correct: int) -> None:
        if done == iteration:
            raise Crash

    return callback


def same_run(a, b) -> bool:
    return (
        a.network == b.network
        and np.array_equal(a.cost, b.cost)
        and np.array_equal(a.correct, b.correct)
        and a.snapshots.keys() == b.snapshots.keys()
        and all(a.snapshots[k] == b.snapshots[k] for k in a.snapshots)
    )


def test_resume_after_a_crash_equals_the_uninterrupted_run(tmp_path):
    data = blobs()
    full = train(SMALL, data, snapshots=(0, 10, 45))
    path = tmp_path / "run.npz"
    with pytest.raises(Crash):
        train(SMALL, data, checkpoint=path, checkpoint_every=8, snapshots=(0, 10, 45), callback=crash_at(30))
    assert read_checkpoint(path).resumed_from == 24  # the last periodic checkpoint before the crash
    resumed = train(SMALL, data, checkpoint=path, checkpoint_every=8, snapshots=(0, 10, 45))
    assert resumed.resumed_from == 24
    assert same_run(resumed, full)
    # a finished checkpoint resumes to the same result without training
    again = train(SMALL, data, checkpoint=path, snapshots=(0, 10, 45))
    assert again.resumed_from == SMALL.iterations and same_run(again, full)


def test_keyboard_interrupt_checkpoints_the_last_iteration(tmp_path):
    data = blobs()
    full = train(SMALL, data)

    def interrupt(done: int, cost: float, correct: int) -> None:
        if done == 33:
            raise KeyboardInterrupt

    path = tmp_path / "run.npz"
    with pytest.raises(KeyboardInterrupt):
        train(SMALL, data, checkpoint=path, checkpoint_every=1000, callback=interrupt)
    assert read_checkpoint(path).resumed_from == 33
    assert same_run(train(SMALL, data, checkpoint=path), full)


def test_checkpoint_is_plain_data(tmp_path):
    path = tmp_path / "run.npz"
    train(SMALL, blobs(), checkpoint=path, checkpoint_every=20)
    with np.load(path, allow_pickle=False) as archive:
        header = json.loads(str(archive["header"][()]))
        assert archive["cost"].shape == (60,)
    assert header["iteration"] == 60 and header["config"] == SMALL.to_dict()
    assert header["batch_rng"]["bit_generator"] == "PCG64"


def test_checkpoint_for_another_configuration_is_refused(tmp_path):
    path = tmp_path / "run.npz"
    train(SMALL, blobs(), checkpoint=path)
    with pytest.raises(CheckpointError, match="was written for"):
        train(dataclasses.replace(SMALL, eta=0.07), blobs(), checkpoint=path)


def test_corrupt_checkpoint_is_refused(tmp_path):
    path = tmp_path / "run.npz"
    path.write_bytes(b"not an archive")
    with pytest.raises(CheckpointError, match="not a zip archive"):
        train(SMALL, blobs(), checkpoint=path)


def test_train_rejects_too_little_data():
    with pytest.raises(ValueError, match="data of train must be at least batch_size"):
        train(SMALL, blobs(n=10))


def test_dead_units_of_a_relu_layer():
    net = FeedForwardNetwork([np.array([[1.0, 0.0], [-1.0, -1.0]]), np.array([[1.0, 1.0]])],
                             [np.zeros(2), np.zeros(1)], ReLU())
    assert dead_units(net, ArrayDataset([[1.0, 2.0], [0.5, 0.0]], [0, 0])) == [[2], []]


# --------------------------------------------------------------------------- chemistry


def test_activation_check_on_a_random_network():
    """The compiled 784-40-10 network against its closed form, from 10*rand and 1000*rand (§6)."""
    net = FeedForwardNetwork.random((784, 40, 10), SmoothReLU(1.0), seed=3)
    rng = np.random.default_rng(4)
    d = rng.random(784) * (rng.random(784) < 0.2)
    u = rng.random(50)
    check = activation_check(net, d, {"10*rand": 10 * u, "1000*rand": 1000 * u})
    errors = check.max_errors()
    assert errors["t=5 from 10*rand"] < 1e-3 and errors["t=5 from 1000*rand"] < 1e-3
    assert errors["steady state from 10*rand"] < 1e-8 and errors["steady state from 1000*rand"] < 1e-8
    assert check.passed()
    summary = check.to_dict()
    assert set(summary["closed_form"]) == {"a^2_1", "a^2_3", "a^1_1", "a^1_32"}
    assert summary["closed_form"]["a^1_32"] == pytest.approx(net.activations(d)[1][31], abs=0)
    run = check.runs["1000*rand"]
    assert run.start.max() > 100 and run.settling_time(1.0) < 1.0


def test_simulate_nodes_for_q3_and_errors():
    net = FeedForwardNetwork.random((5, 3, 2), PolynomialActivation(3, 1.0), seed=0)
    run = simulate_nodes(net, np.linspace(0, 1, 5), nodes=2.0, t_end=8.0)
    assert run.nodes == ((1, 1), (1, 2), (1, 3), (2, 1), (2, 2))
    assert run.steady_error() < 1e-9 and run.error_at_end() < 1e-3
    assert np.all(run.values[0] == 2.0)
    with pytest.raises(ValueError, match="d of simulate_nodes"):
        simulate_nodes(net, np.ones(4))
    with pytest.raises(ValueError, match="node of NodeTrajectories.column"):
        run.column((3, 1))
    with pytest.raises(ValueError, match="starts of activation_check"):
        activation_check(net, np.ones(5), {})
    with pytest.raises(ValueError, match="nodes of activation_check"):
        activation_check(net, np.ones(5), {"ones": 1.0})  # PAPER_NODES has hidden node 32


@needs_mnist
def test_paper_protocol_uses_one_iteration_of_batch_size_one():
    from rxnn.datasets.mnist import load_mnist

    mnist = load_mnist(SHARED_MNIST)
    check = paper_activation_check(mnist.train, seed=1234)
    one = dataclasses.replace(TrainingConfig(), batch_size=1, iterations=1)
    assert check.network == train(one, mnist.train).network
    assert check.label == int(mnist.train.labels[check.image_index])
    assert np.array_equal(check.d, mnist.train.inputs([check.image_index])[0])
    u = random_streams(1234)[2].random(50)
    assert np.array_equal(check.runs["10*rand"].start, 10 * u)
    assert np.array_equal(check.runs["1000*rand"].start, 1000 * u)
    assert check.passed() and check.nodes == PAPER_NODES


# --------------------------------------------------------------------------- reproduce, report, CLI


def test_reproduce_settings():
    full, quick = reproduce_settings(), reproduce_settings(quick=True)
    assert full.seeds == (1234, 1235, 1236, 1237, 1238) and full.iterations == 1000 and full.n_test is None
    assert full.snapshots == (0, 10, 100, 1000)
    assert quick.seeds == (1234,) and quick.iterations == 100 and quick.snapshots == (0, 10, 100)
    assert full.config("q3", 1236) == dataclasses.replace(PAPER_CONFIGURATIONS["q3"], seed=1236)
    with pytest.raises(ValueError, match="seeds of reproduce_settings"):
        reproduce_settings(seeds=0)


@needs_mnist
def test_quick_reproduce_writes_figures_models_and_reports(tmp_path):
    out = tmp_path / "results"
    summary = reproduce(out, quick=True, data=SHARED_MNIST, jobs=1, progress=False, command="test",
                        stochastic=True, stochastic_volumes=(1.0, 100.0), stochastic_images=10)
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert [f[:5] for f in figures] == ["fig04", "fig08", "fig09", "fig10", "fig11", "fig12", "fig13", "fig14", "stoch"]
    # Accuracy against volume: at V = 100 the stochastic outputs sit closer to the ODE's than at V = 1.
    rows = summary["stochastic"]["rows"]
    assert [r["volume"] for r in rows] == [1.0, 100.0] and all(r["n_images"] == 10 for r in rows)
    assert rows[1]["output_error"] < rows[0]["output_error"]
    assert "accuracy against volume" in (out / "report.md").read_text(encoding="utf-8")
    # Chemistry in the loop trains the same network as the closed form (to round-off in the steady states).
    loop = summary["chemistry_in_the_loop"]
    assert loop["max_parameter_difference"] < 1e-6
    assert abs(loop["test_accuracy"]["crn"] - loop["test_accuracy"]["closed"]) <= 0.002
    assert "Chemistry in the loop" in (out / "report.md").read_text(encoding="utf-8")
    for name in ("report.md", "report.html", "report.json"):
        assert (out / name).stat().st_size > 0
    html = (out / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'src="([^"]*)"', html)
    assert len(sources) == 9 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<link" not in html and "http://" not in html and "https://" not in html
    assert "](figures/fig10_iterations.png)" in (out / "report.md").read_text(encoding="utf-8")
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(report._finite(summary), default=report._json_default))
    for key in ("h1", "h0", "q3"):
        runs = data["configurations"][key]["runs"]
        assert [r["seed"] for r in runs] == [1234]
        assert 0 <= runs[0]["test_accuracy"] <= 1 and 0 <= runs[0]["batch_accuracy_last50"] <= 1
        assert (out / runs[0]["model_file"]).exists()
    check = data["activation_check"]
    assert check["passed"] and set(check["at_t_end"]) == {"10*rand", "1000*rand"}
    assert max(check["max_abs_error_all_nodes"].values()) < 1e-3
    assert data["figure10"]["label"] == 7
    assert [entry["figure"] for entry in data["comparison"]] == list(report.PAPER_FIGURES)
    assert {"total", "training", "chemistry"} <= set(data["timings_seconds"])
    assert (out / "models" / "h1_seed1234_iter0010.npz").exists()
    assert data["environment"]["blas"]["threads"] == 1  # every step ran with one BLAS thread
    # the full run kept for the README (tests/test_experiments_readme.py) has this run's format
    kept = json.loads((Path(__file__).resolve().parents[1] / "docs" / "reproduction" / "report.json").read_text(encoding="utf-8"))
    assert set(kept) - {"dna_budget"} == set(data) - {"stochastic"}  # a quick run skips the DNA budget
    assert "dna_budget" in kept and "dna_budget" not in data
    for key in ("settings", "environment", "activation_check", "chemistry_in_the_loop"):
        assert set(kept[key]) == set(data[key]), key
    assert set(kept["configurations"]["h0"]["runs"][0]) == set(data["configurations"]["h0"]["runs"][0])


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rxnn")
    register(p.add_subparsers(dest="command"))
    return p


def test_cli_parses_reproduce_and_train():
    args = parser().parse_args(["reproduce", "--out", "x", "--seeds", "3", "--quick", "--jobs", "0"])
    assert (args.out, args.seeds, args.quick, args.workers, args.func.__name__) == (Path("x"), 3, True, 0, "_reproduce")
    args = parser().parse_args(["train", "--h", "0", "--iterations", "5"])
    assert (args.h, args.q, args.iterations, args.func.__name__) == (0.0, 2, 5, "_train")
    with pytest.raises(SystemExit):
        parser().parse_args(["reproduce", "--seeds", "0"])


@needs_mnist
def test_cli_train_saves_a_model(tmp_path, capsys):
    from rxnn.io.model_file import load_model

    model = tmp_path / "m.npz"
    args = parser().parse_args(["train", "--iterations", "5", "--batch-size", "20", "--n-test", "200",
                                "--model", str(model), "--data", str(SHARED_MNIST), "-q"])
    assert args.func(args) == 0
    assert load_model(model).layer_sizes == (784, 40, 10)
    assert "test accuracy" in capsys.readouterr().out


def test_cli_train_reports_bad_settings(capsys):
    from rxnn.cli import main

    assert main(["train", "--eta", "-1", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rxnn train: error: eta of TrainingConfig") and err.count("\n") == 1


def test_paper_values_are_kept_for_reference():
    assert chemistry.PAPER_ACTIVATIONS["a^2_1"] == 1.54691661955827
    assert chemistry.PAPER_AT_T5["1000*rand"]["a^1_32"] == 0.721896022634959


@needs_mnist
def test_train_command_with_chemistry_in_the_loop(tmp_path, capsys):
    from rxnn.cli import main

    model = tmp_path / "m.npz"
    args = ["train", "--forward", "crn", "--hidden", "6", "--iterations", "5", "--batch-size", "20",
            "--n-test", "50", "--data", str(SHARED_MNIST), "--model", str(model), "-q"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "chemistry in the loop: 5 batched steady states" in out and model.exists()
    assert main(args + ["--checkpoint", str(tmp_path / "c.npz")]) == 2
    assert "--checkpoint is not supported with --forward crn" in capsys.readouterr().err
