"""``rxnn verify``: exit status 0 PASSED, 1 FAILED, 2 an error in one line (issues 11, 13)."""

from pathlib import Path

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, ReactionNetwork, ReLU, SmoothReLU, compile_network
from rxnn.cli import main
from rxnn.io.formats import write_network
from rxnn.io.model_file import save_model

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "net.npz"
    save_model(FeedForwardNetwork.random([3, 4, 2], SmoothReLU(1.0), seed=0), path)
    return path


def test_verify_passes_with_status_0(model, tmp_path, capsys):
    inputs = tmp_path / "inputs.csv"
    np.savetxt(inputs, np.random.default_rng(0).uniform(size=(2, 3)), delimiter=",")
    assert main(["verify", str(model), "--inputs", str(inputs)]) == 0
    out = capsys.readouterr().out
    assert "verdict: PASSED (numerical evidence" in out and "Compiled 3-4-2 network" in out and "zeros" in out


def test_verify_in_a_box_at_a_finite_horizon(model, tmp_path, capsys):
    inputs = tmp_path / "inputs.csv"
    np.savetxt(inputs, np.random.default_rng(0).uniform(size=(1, 3)), delimiter=",")
    assert main(["verify", str(model), "--inputs", str(inputs), "--initial-bound", "3", "--horizon", "20"]) == 0
    out = capsys.readouterr().out
    assert "finite-horizon numerical evidence" in out and "not Def. 4.1" in out and "huge" not in out
    # too short a horizon for the compiled network to settle within tol: FAILED
    assert main(["verify", str(model), "--inputs", str(inputs), "--initial-bound", "3", "--horizon", "0.1"]) == 1


def test_verify_fails_with_status_1(tmp_path, capsys):
    """The issue's h = 0 network: FAILED (exit 1), naming the zero start and the invariant face."""
    path = tmp_path / "relu.npz"
    net = FeedForwardNetwork([np.array([[1, 0.8], [-1, -0.5]]), np.array([[1.0, -1.0]])],
                             [np.array([0, 0.2]), np.array([-0.2])], ReLU())
    save_model(net, path)
    inputs = tmp_path / "d.txt"
    inputs.write_text("0.5 1.0\n")
    with pytest.warns(UserWarning, match="h = 0"):
        assert main(["verify", str(path), "--inputs", str(inputs)]) == 1
    out = capsys.readouterr().out
    assert "verdict: FAILED" in out and "start 'zeros'" in out and "invariant" in out


def test_verify_a_network_file_against_the_model(model, tmp_path, capsys):
    from rxnn.io.model_file import load_model

    compiled = compile_network(load_model(model))
    sbml = write_network(compiled.network, tmp_path / "net.xml", compiled.initial_state(np.zeros(3)))
    assert main(["verify", str(model), "--inputs", "random:2", "--network", str(sbml)]) == 0
    assert "verdict: PASSED" in capsys.readouterr().out
    # Drop the W+ reaction of the first edge with a positive weight (Table 1): FAILED.
    i, j = np.argwhere(compiled.source.weights[0] > 0)[0]
    weight = f"Wp1_{i + 1}_{j + 1}"
    mutant = ReactionNetwork([r for r in compiled.network.reactions if weight not in r.reactants])
    assert mutant.n_reactions == compiled.network.n_reactions - 1
    initial = {k: v for k, v in compiled.initial_state(np.zeros(3)).items() if k in mutant.species_index}
    path = write_network(mutant, tmp_path / "mutant.json", initial)
    assert main(["verify", str(model), "--inputs", "random:2", "--network", str(path)]) == 1
    assert "verdict: FAILED" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("random:100000000", "--inputs 'random:100000000': N must be between 1 and 10000"),  # MAX_VERIFY_INPUTS
        ("random:0", "--inputs 'random:0': N must be between 1 and 10000"),
        ("random:abc", "--inputs 'random:abc': N is not a whole number"),
        ("mnist:5-2", "--inputs 'mnist:5-2': the range runs backwards"),
        ("nope.txt", "--inputs 'nope.txt': cannot read the file"),
    ],
)
def test_bad_inputs_exit_2_in_one_line(model, capsys, spec, match):
    assert main(["verify", str(model), "--inputs", spec]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rxnn verify: error: ") and match in err and err.count("\n") == 1 and "Traceback" not in err


def test_mnist_range_past_the_split_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RXNN_DATA", str(SHARED_DATA))
    path = tmp_path / "mnist.npz"
    save_model(FeedForwardNetwork.random([784, 3, 2], SmoothReLU(1.0), seed=0), path)
    assert main(["verify", str(path), "--inputs", "mnist:0-99999"]) == 2
    err = capsys.readouterr().err
    assert "--inputs 'mnist:0-99999': names 100000 images, over the limit of 10000" in err and "IndexError" not in err
    assert main(["verify", str(path), "--inputs", "mnist:9990-10005"]) == 2
    err = capsys.readouterr().err
    assert "--inputs 'mnist:9990-10005': the test split has images 0..9999" in err and err.count("\n") == 1


def test_plot_is_written_as_png(model, tmp_path, capsys):
    out = tmp_path / "verify.png"
    assert main(["verify", str(model), "--inputs", "random:1", "--plot", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["verify", str(model), "--inputs", "random:1", "--plot", str(tmp_path / "no" / "x.png")]) == 2
    assert "--plot" in capsys.readouterr().err
