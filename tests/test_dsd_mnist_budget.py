"""The paper's 784-40-10 network as DNA: written and summarised per scheme, one module per type verified.

Truth: the counts follow from Table 1 (2 reactions per edge, 4 per node:
63,720 for 784-40-10) and the modules are checked by crnverifier.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, SmoothReLU, compile_network
from rxnn.dsd import translate
from rxnn.dsd.resources import budget_table, design_budget
from rxnn.dsd.verification import verify_design


@pytest.fixture(scope="module")
def mnist_sized():
    rng = np.random.default_rng(0)
    return FeedForwardNetwork([rng.normal(size=(40, 784)) * 0.05, rng.normal(size=(10, 40)) * 0.2],
                              [rng.normal(size=40) * 0.1, rng.normal(size=10) * 0.1], SmoothReLU(1.0))


@pytest.mark.slow
def test_784_40_10_table1_design_is_written_and_summarised(mnist_sized, tmp_path):
    compiled = compile_network(mnist_sized)
    start = time.perf_counter()
    design = translate(compiled.network, "soloveichik2010")
    design.write_pil(tmp_path / "mnist.pil")
    b = design_budget(design)
    assert time.perf_counter() - start < 120
    edges = 784 * 40 + 40 * 10
    assert b["formal_reactions"] == 2 * edges + 4 * 50 == 63_720
    assert b["gates"] == 63_720
    # Two trimolecular edge types, H -> H + X, B+ and B- catalysis and the decay: 6 reaction types.
    assert len(design.reaction_types) == 6
    assert (tmp_path / "mnist.pil").stat().st_size > 10_000_000
    # One module per type enumerated and checked (the decay 2X -> X with its relay, see schemes.py).
    report = verify_design(design, per_type=True)
    assert report.passed, str(report)
    assert sum(c.represents for c in report.checks) == design.n_modules


@pytest.mark.slow
def test_784_40_10_absorbed_lakin_modules_verify_one_per_type(mnist_sized):
    design = translate(compile_network(mnist_sized, absorb_enzymes=True).network, "lakin2012", max_gate_nM=1e300)
    report = verify_design(design, per_type=True)
    assert report.passed, str(report)
    assert sum(c.represents for c in report.checks) == design.n_modules == 784 * 40 + 40 * 10 + 3 * 50
    assert all(c.seconds < 30 for c in report.checks)


def test_budget_table_has_a_row_per_scheme():
    # A 3-2-1 network: Table 1 has 2 per edge + 4 per node = 2*8 + 4*3 = 28 reactions; the absorbed
    # form 1 per (nonzero) edge + 3 per node (0 -> X, bias, decay) = 8 + 9 = 17.
    net = FeedForwardNetwork([np.full((2, 3), 0.5), np.full((1, 2), -0.5)], [np.full(2, 0.1), np.full(1, 0.2)],
                             SmoothReLU(1.0))
    lines = budget_table(compile_network(net)).splitlines()
    assert len(lines) == 4
    assert lines[2].split("|")[3].strip() == "28" and lines[3].split("|")[3].strip() == "17"
