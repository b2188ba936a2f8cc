"""Tests of rxnn.theory.expressions: user text is parsed by a whitelist, never evaluated, under stated limits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from rxnn.errors import LimitError, RxnnError
from rxnn.theory import check_activation
from rxnn.theory.expressions import Deadline, ExpressionError, ExpressionLimits, parse_expression

x = sympy.Symbol("x")
SRC = Path(__file__).resolve().parents[1] / "src"


def parse(text, **kwargs):
    return parse_expression(text, {"x": x}, **kwargs)


# ---------------------------------------------------------------------- the grammar, against sympy built by hand
@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 - 2*x**3", 1 - 2 * x**3),
        ("0.1 - x^2", sympy.Rational(1, 10) - x**2),  # ^ is a power and binds like **, not like Python's xor
        ("-x^2", -(x**2)),
        ("1e-12*x", sympy.Rational(1, 10**12) * x),
        ("(1 + 3*x**2 - x**3)/2", (1 + 3 * x**2 - x**3) / 2),
        ("sqrt(2) - x**2", sympy.sqrt(2) - x**2),
        ("pi - x**3", sympy.pi - x**3),
        ("E - 3 - x**2", sympy.E - 3 - x**2),
        ("x**2**3", x**8),
        ("+x - -x", 2 * x),
        ("2**-1 * x", x / 2),
    ],
)
def test_grammar_builds_the_expression(text, expected):
    assert sympy.simplify(parse(text) - expected) == 0


def test_other_names_are_positive_symbols_only_when_asked():
    h = parse("h - x**2", positive_symbols=True).free_symbols - {x}
    assert len(h) == 1 and next(iter(h)).is_positive
    with pytest.raises(ExpressionError, match="the name 'h'"):
        parse("h - x**2")


@pytest.mark.parametrize(
    "text, match",
    [
        ("__import__('os').system('echo PWNED') + x", "a call of __import__"),
        ("x.real", r"unsupported syntax \(Attribute\)"),
        ("[x]", r"unsupported syntax \(List\)"),
        ("lambda: 1", r"unsupported syntax \(Lambda\)"),
        ("'x'", "the literal 'x'"),
        ("1j*x", "the literal 1j"),
        ("True + x", "the literal True"),
        ("0x10 + x", "plain decimals"),
        ("1_0 + x", "plain decimals"),
        ("x % 2", "the operator Mod"),
        ("x // 2", "the operator FloorDiv"),
        ("sin(x)", "a call of sin"),
        ("sqrt(x, 2)", "other than one argument"),
        ("1/x", "a division by an expression in x"),
        ("x/0", "division by zero"),
        ("x**0.5", "exponents must be integers"),
        ("x**x", "exponents must be integers"),
        ("I*x", "real finite coefficients"),
        ("1 +* x", "could not parse"),
        ("", "empty string"),
    ],
)
def test_outside_the_grammar_is_refused(text, match):
    with pytest.raises(ExpressionError, match=match) as info:
        parse(text)
    assert isinstance(info.value, (RxnnError, ValueError))


@pytest.mark.parametrize(
    "text, limit",
    [
        ("x**(10**10)", "max_exponent"),
        ("2**2**2**2**2**2", "max_exponent"),
        ("x**65", "max_exponent"),
        ("(x + 1)**40 * (x + 1)**40", "max_degree"),
        ("((2**64)**64)**64", "max_bits"),
        ("1e999", "decimal exponent"),
        ("9" * 1300, "max_bits"),
        ("x + " * 600 + "x", "max_length"),
        ("-" * 250 + "x", "max_depth"),
        ("x" + "*(x+1)" * 60, "max_degree"),
    ],
)
def test_limits_are_named_and_checked_before_the_work(text, limit):
    start = time.perf_counter()
    with pytest.raises(LimitError, match=limit):
        parse(text)
    assert time.perf_counter() - start < 1.0


def test_deep_parentheses_are_a_parse_error_not_a_crash():
    with pytest.raises(ExpressionError, match="could not parse"):
        parse("(" * 300 + "x" + ")" * 300)


def test_limits_can_be_set():
    assert parse("x**100", limits=ExpressionLimits(max_exponent=100, max_degree=100)) == x**100
    with pytest.raises(LimitError, match="max_symbols"):
        parse("a + b + c", positive_symbols=True, limits=ExpressionLimits(max_symbols=2))


def test_deadline_refuses_once_spent():
    budget = Deadline(0.01, "check_activation")
    time.sleep(0.02)
    with pytest.raises(LimitError, match="time budget of 0.01 s"):
        budget.check()


def test_check_activation_time_budget_is_enforced():
    # 40 close roots of p cost many bisections: with a tiny budget the decision stops with a LimitError
    g = "1 - x**2 + " + " + ".join(f"x**{k}/{k * 1000}" for k in range(3, 41)) + " - x**42"
    with pytest.raises(LimitError, match="time budget"):
        check_activation(g, seconds=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="x0123456789+-*/^().e _'[]abcsqrtpiE", max_size=40))
def test_fuzz_only_rxnn_errors(text):
    try:
        parse(text, positive_symbols=True)
    except RxnnError:
        pass


# ---------------------------------------------------------------------- nothing runs: the command line
def run_cli(args, cwd, limit_bytes=None):
    def limit_memory():  # an address-space cap shows the refusal needs no big allocation
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    env = {**os.environ, "PYTHONPATH": str(SRC)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rxnn.cli", "check", *args], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", errors="replace",
        timeout=60, preexec_fn=limit_memory if limit_bytes else None,
    )
    return done, time.perf_counter() - start


def test_cli_runs_no_code_from_the_expression(tmp_path):
    marker = tmp_path / "PWNED"
    done, _ = run_cli([f"__import__('os').system('touch {marker}') + x"], tmp_path)
    assert done.returncode == 2 and not marker.exists()
    assert done.stderr.count("\n") == 1 and "a call of __import__" in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(ExpressionError):
        check_activation(f"__import__('os').system('touch {marker}') + x")
    assert not marker.exists()


@pytest.mark.parametrize("text", ["x**(10**10)", "2**2**2**2**2**2"])
def test_cli_refuses_huge_powers_fast_without_memory_error(tmp_path, text):
    done, _ = run_cli([text], tmp_path, limit_bytes=3 * 2**30)
    assert done.returncode == 2, done.stderr
    assert "max_exponent" in done.stderr and "MemoryError" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("text", ["x**(10**10)", "2**2**2**2**2**2"])
def test_cli_handler_refuses_huge_powers_within_a_second(text, capsys):
    import argparse

    from rxnn.theory._cli import register

    parser = argparse.ArgumentParser(prog="rxnn")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["check", text])
    start = time.perf_counter()
    code = args.func(args)
    assert code == 2 and time.perf_counter() - start < 1.0  # the interpreter's start-up aside
    assert "max_exponent" in capsys.readouterr().err


def test_too_many_radicals_are_refused_before_building_the_field():
    start = time.perf_counter()
    with pytest.raises(LimitError, match="max_field_degree"):
        check_activation("sqrt(2) + sqrt(3) + sqrt(5) + sqrt(7) + sqrt(11) - x**2")
    assert time.perf_counter() - start < 2.0
