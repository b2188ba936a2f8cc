"""A classifier trained by rxnn, run as DNA: model -> CRN -> lakin2012 design -> peppercorn -> rxnn simulation.

The truth is the forward pass of the trained network (Def. 4.1: the compiled
network's steady state is the forward pass). The DNA-level formal
concentrations are read through the CRN bisimulation crnverifier finds (a
signal bound in a gate still counts as its species). Tolerance: 3 % of the
output scale, from the rate law's quasi-steady-state approximations (fuels
exceed what a run uses by > 60x, see the lakin2012 defaults) and the shared
padding fuel drifting by under 1 %.
"""

from __future__ import annotations

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, ReLU, compile_network, sgd_step, simulate
from rxnn.dsd import translate
from rxnn.dsd.enumeration import enumerate_design
from rxnn.dsd.verification import formal_readout, formal_values, verify_design

FORMAL_TIME = 30.0  # formal time units: the compiled 2-2-1 network is within 1e-6 of its steady state
LEAK_PER_S = 1e-14  # first-order leak of every gate (/s); 1e-12 /s already shifts outputs by ~30 %


@pytest.fixture(scope="module")
def trained():
    rng = np.random.default_rng(3)
    x = rng.uniform(size=(64, 2))
    y = np.where(x[:, :1] > x[:, 1:], 1.0, 0.2)
    net = FeedForwardNetwork([np.array([[0.9, -0.4], [-0.3, 0.8]]), np.array([[0.7, -0.5]])],
                             [np.array([0.2, 0.2]), np.array([0.3])], ReLU())
    for _ in range(200):
        net = sgd_step(net, x, y, eta=0.1).network
    compiled = compile_network(net, absorb_enzymes=True)
    design = translate(compiled.network, "lakin2012", max_gate_nM=1e6)
    return net, compiled, design


def _dna_outputs(compiled, design, d, leak_per_s=0.0):
    enumeration = enumerate_design(design, modular=True, leak_per_s=leak_per_s)
    readout = formal_readout(design, enumerate_design(design, modular=True), modular=True)
    start = enumeration.initial_state(design, compiled.initial_state(d, 1.0))
    t = FORMAL_TIME * design.time_unit_s
    res = simulate(enumeration.network, start, (0, t), t_eval=[t], atol=1e-9 * design.unit_nM)
    values = formal_values(readout, res)
    return np.array([values[s][-1] / design.unit_nM for s in compiled.layer_species(2)])


@pytest.mark.slow
def test_every_module_type_of_the_classifier_design_verifies(trained):
    _, _, design = trained
    report = verify_design(design, per_type=True)
    assert report.passed, str(report)
    assert sum(c.represents for c in report.checks) == design.n_modules


@pytest.mark.parametrize("d", [[0.8, 0.2], pytest.param([0.1, 0.9], marks=pytest.mark.slow)])
def test_dna_outputs_match_the_forward_pass(trained, d):
    net, compiled, design = trained
    expected = net(np.array(d))
    got = _dna_outputs(compiled, design, np.array(d))
    np.testing.assert_allclose(got, expected, atol=0.03 * max(1.0, float(np.max(np.abs(expected)))))


@pytest.mark.slow
def test_dna_outputs_with_leak_stay_within_tolerance(trained):
    net, compiled, design = trained
    d = np.array([0.8, 0.2])
    got = _dna_outputs(compiled, design, d, leak_per_s=LEAK_PER_S)
    np.testing.assert_allclose(got, net(d), atol=0.05)
