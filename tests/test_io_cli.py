"""Tests of the ``rxnn compile`` and ``rxnn convert`` commands (rxnn.io._cli), on a parser built here."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pytest

from rxnn import ReactionNetwork
from rxnn.cli import main
from rxnn.compile import compile_network
from rxnn.io import _cli
from rxnn.io.formats import read_network, write_network
from rxnn.io.model_file import save_model
from rxnn.io.sbml import sbml_string
from rxnn.nn import FeedForwardNetwork, PolynomialActivation, SmoothReLU

SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def run(*argv: str) -> int:
    """The exit status of ``rxnn ARGV`` (errors are printed by rxnn.cli.main as one line, status 2)."""
    return main([str(a) for a in argv])


@pytest.fixture
def model(tmp_path):
    ffn = FeedForwardNetwork.random([4, 3, 2], SmoothReLU(0.5), seed=11)
    return ffn, save_model(ffn, tmp_path / "model.npz")


D = np.array([0.1, 0.0, 0.7, 1.0])


def test_register_adds_two_commands():
    parser = argparse.ArgumentParser(prog="rxnn")
    comp, conv = _cli.register(parser.add_subparsers(dest="command"))
    assert comp.prog.endswith("compile") and conv.prog.endswith("convert")
    assert parser.parse_args(["compile", "m.npz", "--to", "sbml"]).func is _cli._compile


@pytest.mark.parametrize("ext", ["xml", "json", "ant"])
@pytest.mark.parametrize("source", ["npy", "txt", "csv"])
def test_compile_with_an_input_file(tmp_path, model, capsys, ext, source):
    ffn, path = model
    data = tmp_path / f"d.{source}"
    if source == "npy":
        np.save(data, D)
    else:
        np.savetxt(data, D[None, :] if source == "csv" else D, delimiter=",")
    out = tmp_path / f"net.{ext}"
    assert run("compile", path, "-o", out, "--inputs", data) == 0
    c = compile_network(ffn)
    network, initial = read_network(out)
    assert network == c.network
    assert initial == pytest.approx(c.initial_state(D), rel=1e-14)
    assert f"wrote {c.network.n_reactions} reactions" in capsys.readouterr().err


def test_compile_options_absorb_and_nodes(tmp_path, model):
    ffn, path = model
    out = tmp_path / "net.json"
    np.save(tmp_path / "d.npy", D)
    assert run("compile", path, "-o", out, "--absorb", "--nodes", "2.5", "--inputs", tmp_path / "d.npy") == 0
    c = compile_network(ffn, absorb_enzymes=True)
    network, initial = read_network(out)
    assert network == c.network and initial == c.initial_state(D, nodes=2.5)


def test_compile_without_input_leaves_inputs_unset(tmp_path, model):
    ffn, path = model
    out = tmp_path / "net.xml"
    assert run("compile", path, "--to", "sbml", "-o", out) == 0
    _, initial = read_network(out)
    assert not any(s.startswith("X0_") for s in initial)
    assert initial["H"] == 0.5 and initial["X1_1"] == 1.0


def test_compile_to_standard_output(model, capsys):
    ffn, path = model
    assert run("compile", path, "--to", "text") == 0
    captured = capsys.readouterr()
    assert captured.out == compile_network(ffn).network.to_text()
    np.save(Path(path).with_name("d.npy"), D)
    assert run("compile", path, "--to", "text", "-o", "-", "--inputs", Path(path).with_name("d.npy")) == 0
    captured = capsys.readouterr()
    assert "the text format holds no concentrations" in captured.err
    assert captured.out == compile_network(ffn).network.to_text()


def test_compile_to_standard_output_antimony_has_initial_values(model, capsys):
    ffn, path = model
    assert run("compile", path, "--to", "antimony") == 0
    out = capsys.readouterr().out
    assert out.startswith("// Written by rxnn") and "  H = 0.5;\n" in out


def test_compile_mnist_input(tmp_path, model, monkeypatch):
    ffn = FeedForwardNetwork.random([784, 2], PolynomialActivation(3, 1.0), seed=0)
    path = save_model(ffn, tmp_path / "mnist_model.npz")
    images = np.arange(3 * 784, dtype=np.float64).reshape(3, 784) % 256 / 255.0

    class Split:
        def inputs(self, indices):
            return images[indices]

        def __len__(self):
            return len(images)

    class Data:
        test = train = Split()

    import rxnn.datasets.mnist as mnist

    monkeypatch.setattr(mnist, "load_mnist", lambda fetch=False: Data())
    out = tmp_path / "net.json"
    assert run("compile", path, "-o", out, "--inputs", "mnist:2") == 0
    _, initial = read_network(out)
    assert initial["X0_5"] == images[2, 4]
    assert run("compile", path, "-o", out, "--inputs", "mnist:train:1") == 0
    assert read_network(out)[1]["X0_5"] == images[1, 4]
    assert run("compile", path, "-o", out, "--inputs", "mnist:3") == 2  # images 0-2 only: no IndexError
    assert run("compile", path, "-o", out, "--inputs", "mnist:-1") == 2  # no silent negative indexing


def test_compile_a_real_mnist_test_image(tmp_path, monkeypatch):
    assert (SHARED_MNIST / "mnist").is_dir(), f"the project's MNIST copy is expected in {SHARED_MNIST / 'mnist'}"
    monkeypatch.setenv("RXNN_DATA", str(SHARED_MNIST))
    ffn = FeedForwardNetwork.random([784, 2], SmoothReLU(1.0), seed=0)
    path = save_model(ffn, tmp_path / "m.npz")
    assert run("compile", path, "--absorb", "-o", tmp_path / "n.json", "--inputs", "mnist:29") == 0
    _, initial = read_network(tmp_path / "n.json")
    assert all(0.0 <= v <= 1.0 for k, v in initial.items() if k.startswith("X0_"))


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--to", "sbml", "--inputs", "mnist:x"], "not an MNIST range; write mnist:I"),
        (["--to", "sbml", "--inputs", "mnist:valid:3"], "not an MNIST range; write mnist:I"),
        (["--to", "sbml", "--inputs", "{tmp}/d.bin"], "neither mnist:..., random:N nor a .npy/.txt/.csv file"),
        (["--to", "sbml", "--inputs", "{tmp}/short.npy"], "shape (1, 3) but the network has 4 inputs"),
        (["--to", "sbml", "--inputs", "{tmp}/negative.npy"], "entry 2 is -1.0; inputs are concentrations"),
        (["--to", "sbml", "--inputs", "{tmp}/missing.npy"], "cannot read the file (No such file"),
        (["--to", "sbml", "--inputs", "random:2"], "N must be between 1 and 1"),
        (["--to", "sbml", "--nodes", "-1"], "--nodes must be a finite concentration >= 0; got -1.0"),
        (["--to", "sbml", "--nodes", "nan"], "--nodes must be a finite concentration >= 0; got nan"),
        ([], "give --to FORMAT to write to standard output"),
        (["-o", "{tmp}/out.bin"], "cannot tell the format of"),
    ],
)
def test_compile_errors_exit_2_with_one_line(tmp_path, model, capsys, argv, match):
    _, path = model
    np.save(tmp_path / "short.npy", np.ones(3))
    np.save(tmp_path / "negative.npy", np.array([0.0, 1.0, -1.0, 0.0]))
    (tmp_path / "d.bin").write_bytes(b"0")
    assert run("compile", path, *[a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rxnn compile: error: ") and match in err


def test_compile_missing_mnist_files_is_a_clean_error(tmp_path, model, capsys, monkeypatch):
    monkeypatch.setenv("RXNN_DATA", str(tmp_path / "nowhere"))
    _, path = model  # 4 inputs: refused by width before MNIST is looked for
    assert run("compile", path, "--to", "json", "--inputs", "mnist:0") == 2
    assert "MNIST images have 784 pixels but the network has 4 inputs" in capsys.readouterr().err
    wide = save_model(FeedForwardNetwork.random([784, 2], SmoothReLU(1.0), seed=0), tmp_path / "wide.npz")
    assert run("compile", wide, "--to", "json", "--inputs", "mnist:0") == 2
    assert "MNIST files not found" in capsys.readouterr().err


def test_compile_bad_model_files(tmp_path, capsys):
    assert run("compile", tmp_path / "none.npz", "--to", "json") == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    assert run("compile", tmp_path / "junk.npz", "--to", "json") == 2
    assert "rxnn compile: error: model file" in capsys.readouterr().err


# --------------------------------------------------------------------------- convert


NET = ReactionNetwork.from_text("X + E -> 2X + E ; 1.5\n2X -> X\nX' -> 0 ; 0.25")
INITIAL = {"X": 0.5, "E": 2.0, "X'": 0.125}


@pytest.mark.parametrize("source", ["xml", "json", "ant"])
@pytest.mark.parametrize("target", ["xml", "json", "ant", "txt"])
def test_convert_between_all_formats(tmp_path, capsys, source, target):
    src = write_network(NET, tmp_path / f"in.{source}", INITIAL)
    dst = tmp_path / f"out.{target}"
    assert run("convert", src, dst) == 0
    network, initial = read_network(dst)
    assert network == NET
    assert initial == ({} if target == "txt" else INITIAL)
    err = capsys.readouterr().err
    assert ("holds no concentrations" in err) == (target == "txt")


def test_convert_with_explicit_formats_and_standard_output(tmp_path, capsys):
    src = tmp_path / "net.data"
    src.write_text(NET.to_text())
    assert run("convert", src, "-", "--from", "text", "--to", "json") == 0
    out = capsys.readouterr().out
    dst = tmp_path / "back.json"
    dst.write_text(out)
    assert read_network(dst) == (NET, {})
    assert run("convert", src, tmp_path / "x.sbml", "--from", "text") == 0


def test_convert_prints_reading_warnings(tmp_path, capsys):
    text = sbml_string(NET).replace(
        "</model>",
        '<listOfConstraints><constraint><math xmlns="http://www.w3.org/1998/Math/MathML">'
        "<apply><gt/><ci> X </ci><cn> 0 </cn></apply></math></constraint></listOfConstraints></model>",
    )
    src = tmp_path / "foreign.xml"
    src.write_text(text)
    assert run("convert", src, tmp_path / "out.json") == 0
    err = capsys.readouterr().err
    assert "rxnn convert: warning:" in err and "dropped 1 constraint" in err
    assert read_network(tmp_path / "out.json")[0] == NET


@pytest.mark.parametrize(
    "make, argv, match",
    [
        (None, ["{tmp}/nope.xml", "{tmp}/o.json"], "no such file"),
        ("event", ["{tmp}/in.xml", "{tmp}/o.json"], "event 'e'"),
        ("json", ["{tmp}/in.json", "{tmp}/o.bin"], "cannot tell the format of"),
        ("json", ["{tmp}/in.json", "{tmp}/nodir/o.json"], "its folder '{tmp}/nodir' does not exist"),
        ("json", ["{tmp}/in.json", "-"], "give --to FORMAT"),
        ("json", ["{tmp}/in.json", "{tmp}/o.xml", "--from", "text"], "line 1"),
    ],
)
def test_convert_errors_exit_2(tmp_path, capsys, make, argv, match):
    if make == "json":
        write_network(NET, tmp_path / "in.json")
    elif make == "event":
        text = write_network(NET, tmp_path / "in.xml").read_text(encoding="utf-8")
        (tmp_path / "in.xml").write_text(text.replace("</model>", '<listOfEvents><event id="e"/></listOfEvents></model>'))
    assert run("convert", *[a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rxnn convert: error: ") and match.format(tmp=tmp_path) in err
    assert not (tmp_path / "o.json").exists() and not (tmp_path / "o.xml").exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
