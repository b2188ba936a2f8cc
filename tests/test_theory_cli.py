"""``rxnn check``: every network format rxnn.io reads, missing files, empty networks, exit codes 0/1/2/3."""

from __future__ import annotations

import argparse

import pytest

from rxnn import ReactionNetwork
from rxnn.compile import compile_network
from rxnn.io.formats import write_network
from rxnn.nn import FeedForwardNetwork, SmoothReLU
from rxnn.theory._cli import register
from rxnn.theory.structure import analyze_structure


def run_check(argv, capsys):
    parser = argparse.ArgumentParser(prog="rxnn")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["check", *argv])
    return args.func(args), capsys.readouterr()


@pytest.fixture(scope="module")
def compiled():
    return compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0))


@pytest.mark.parametrize("suffix", [".txt", ".json", ".xml", ".ant"])
def test_every_format_is_read(tmp_path, capsys, compiled, suffix):
    path = tmp_path / f"net{suffix}"
    initial = None if suffix == ".txt" else compiled.initial_state([0.5, 0.5])
    write_network(compiled.network, path, initial)
    argv = [str(path)] + (["--value", "H=1"] if suffix == ".txt" else [])  # H's concentration from the file
    code, out = run_check(argv, capsys)
    assert code == 0, out.err
    assert out.out.startswith(f"reaction network read from {str(path)!r}")
    assert "every block meets the hypotheses" in out.out and "Def. 4.4" in out.out
    assert "Def. 4.7(3)'s constant 1 is not proved" in out.out


def test_format_option_reads_a_file_without_extension(tmp_path, capsys):
    path = tmp_path / "network"
    path.write_text("0 -> X\n2X -> X\n")
    code, out = run_check([str(path), "--format", "text"], capsys)
    assert code == 0, out.err


@pytest.mark.parametrize("target", ["nope.txt", "nope.json", "./nope", "/no/such/dir/net.xml", "~/nope.ant"])
def test_missing_file_is_one_line_exit_2(tmp_path, capsys, monkeypatch, target):
    monkeypatch.chdir(tmp_path)
    code, out = run_check([target], capsys)
    assert code == 2 and out.out == ""
    assert out.err.count("\n") == 1 and "no such network file" in out.err and "--polynomial" in out.err
    assert "Symbol" not in out.err and "attribute" not in out.err


def test_polynomial_flag_forces_an_expression(capsys):
    code, out = run_check(["--polynomial", "nope.txt"], capsys)
    assert code == 2 and "g of check_activation" in out.err and out.err.count("\n") == 1


def test_expression_with_a_slash_is_an_expression(capsys):
    code, out = run_check(["(1 + 3*x**2 - x**3)/2"], capsys)
    assert code == 1 and "counterexample y = -3/2" in out.out
    assert out.out.startswith("'(1 + 3*x**2 - x**3)/2' read as a polynomial in x")


def test_empty_network_has_nothing_to_check(tmp_path, capsys):
    for name in ("empty.txt", "empty.ant"):
        path = tmp_path / name
        path.write_text("")
        code, out = run_check([str(path)], capsys)
        assert code == 3, out.err
        assert "nothing to check" in out.out and "every block meets" not in out.out
        assert "nothing to check" in out.err
    report = analyze_structure(ReactionNetwork([]))
    assert not report.proved and "nothing to check" in str(report)


def test_exit_codes(tmp_path, capsys):
    assert run_check(["1 - 2*x**3"], capsys)[0] == 0
    assert run_check(["--", "-x**2"], capsys)[0] == 1
    assert run_check(["h - a*x**2 + b*x**3 - x**4"], capsys)[0] == 3
    assert run_check(["x**(10**10)"], capsys)[0] == 2
    assert run_check(["sqrt(2) - x**2"], capsys)[0] == 0
    code, out = run_check(["pi - x**3 + E*x"], capsys)
    assert code in (0, 1, 3) and "Traceback" not in out.err and "CoercionFailed" not in out.err
    bad = tmp_path / "bad.txt"
    bad.write_text("X -> ; -1\n")
    code, out = run_check([str(bad)], capsys)  # the text syntax error shows the line and a caret
    assert code == 2 and out.err.startswith("rxnn check: error: line 1") and "Traceback" not in out.err


def test_a_long_expression_is_not_mistaken_for_a_file_name(capsys):
    g = "1 - x**2 + " + " + ".join(f"0*x**{k}" for k in range(3, 45))  # > 255 characters: no valid file name
    code, out = run_check([g], capsys)
    assert len(g) > 255 and code == 0 and "verdict: PROVED" in out.out


def test_time_budget_is_enforced_by_a_worker_even_inside_one_long_step(capsys):
    import time

    radicals = ["sqrt(2)", "sqrt(3)", "sqrt(5)", "sqrt(7)"]
    g = "1 + " + " + ".join(f"({k % 5 - 2} + {radicals[k % 4]})*x**{k}" for k in range(1, 30)) + " - x**30"
    start = time.perf_counter()
    code, out = run_check(["--time-budget", "2", g], capsys)  # minutes without the worker
    assert code == 2 and "time budget of 2 s" in out.err and out.err.count("\n") == 1
    assert time.perf_counter() - start < 10
