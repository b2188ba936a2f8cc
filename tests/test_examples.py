"""The command-line examples in examples/ run (small size), write their figure, and print the right numbers.

The gallery scripts (``plot_*.py``) are run, and their figures checked, by the documentation build
(tests/test_docs.py); the scripts here also run there, at the same small size.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith(("_", "plot_")))


def run(script, out):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "RXNN_EXAMPLES_SMALL": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(script), "--out", str(out)], env=env, capture_output=True, text=True, encoding="utf-8", errors="replace",
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_there_are_examples():
    assert {p.stem for p in EXAMPLES} >= {"torch_to_sbml", "onnx_in", "digits_chemistry_in_the_loop"}


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_and_writes_its_figure(script, tmp_path):
    stdout = run(script, tmp_path)
    figure = tmp_path / f"{script.stem}.png"
    assert figure.read_bytes()[:4] == b"\x89PNG"
    for match in re.finditer(r"max \|steady state - \w+\|[^:]*: ([0-9.e+-]+)", stdout):
        assert float(match.group(1)) < 1e-8  # the chemistry computes the model (Thm. 4.8)
    if script.stem == "torch_to_sbml":
        assert "verdict: PASSED" in stdout and (tmp_path / "digits_network.xml").stat().st_size > 0
