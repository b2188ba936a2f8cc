"""Classifiers trained by rxnn, run as DNA: model -> CRN -> design (lakin2012, soloveichik2010) -> peppercorn -> rxnn simulation.

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


# ---------------------------------------------------------------- soloveichik2010, a 4-3-2 classifier
# Trained by rxnn (sgd_step) on a toy task (is x1 + x2 > x3 + x4?), biases held at 0 so that the absorbed
# form (§5.1) has only bimolecular reactions (X' + X -> X' + 2X, X' + X -> X', 2X -> X): soloveichik2010's
# unimolecular and source gates are consumed at the rate they fire, which 1 nM-scale signals cannot
# afford with one toehold strength for every gate. Signals at 10 pM per formal unit (unit_nM=0.01): a gate
# (1.6-92 nM) then outlasts a run by > 50x, and the busiest signal is 1/8 bound in its gates (corrected in
# the rate law). Tolerance: 3 % of the output scale (measured: max error 0.020 over 3 starts x 8 inputs, 0.021 with the leak below;
# tests/dsd_measurements.py ssw_classifier),
# from gate depletion (~2 %) and the quasi-steady-state rate law. Starts: the verification starts of
# rxnn.verify_network with every node >= 1e-3 and within the fuels' reach (ones, 2 * ones = B, 10 * uniform;
# 10 formal units = 0.1 nM, under a tenth of the smallest gate); a start with a node at 0 stays at 0 in the
# formal network too (h = 0), from 1e-12 it needs ln(1e12) ~ 28 formal units to grow (formal network too),
# and the 1e6 start (10 uM) exceeds every gate.
SSW_UNIT_NM = 0.01
SSW_LEAK_PER_S = 1e-14  # first-order leak of every gate (/s), ~1e-3 formal units over a run


@pytest.fixture(scope="module")
def ssw_classifier():
    from rxnn.dsd.toy import toy_classifier

    net, x = toy_classifier(biases=False)
    compiled = compile_network(net, absorb_enzymes=True)
    design = translate(compiled.network, "soloveichik2010", unit_nM=SSW_UNIT_NM)
    return net, compiled, design, x


def _ssw_outputs(compiled, design, d, nodes, leak_per_s=0.0):
    from rxnn.dsd.verification import network_arguments

    args = network_arguments(design, compiled, enumerate_design(design, modular=True, leak_per_s=leak_per_s))
    state = dict(args["initial"])
    for readout, value in zip([r for layer in args["layers"] for r in layer], np.concatenate([d, nodes])):
        name, weight = next(iter(readout.items()))
        state[name] = value / weight
    res = simulate(args["implementation"], state, (0, FORMAL_TIME), t_eval=[FORMAL_TIME], atol=1e-9 * design.unit_nM)
    return np.array([sum(w * res[k][-1] for k, w in r.items()) for r in args["layers"][-1]])


def test_ssw_classifier_is_trained_and_every_module_type_verifies(ssw_classifier):
    net, _, design, x = ssw_classifier
    out = np.array([net(v) for v in x])
    assert np.mean((out[:, 0] > out[:, 1]) == (x[:, :2].sum(axis=1) > x[:, 2:].sum(axis=1))) > 0.9
    report = verify_design(design, per_type=True)
    assert report.passed, str(report)
    assert sum(c.represents for c in report.checks) == design.n_modules


def _ssw_starts(n_nodes):
    from rxnn._starts import probe_starts

    starts = {s.name: s.nodes for s in probe_starts((3, 2), 2.0, scales=(10.0,)) if s.nodes.min() >= 1e-3 and s.nodes.max() <= 10}
    assert set(starts) == {"ones", "10*rand"}
    return {**starts, "B": np.full(n_nodes, 2.0)}


@pytest.mark.parametrize("leak", [0.0, pytest.param(SSW_LEAK_PER_S, marks=pytest.mark.slow)])
def test_ssw_dna_outputs_match_the_forward_pass_from_the_verification_starts(ssw_classifier, leak):
    net, compiled, design, x = ssw_classifier
    for name, nodes in _ssw_starts(5).items():
        for d in x[:2]:
            got = _ssw_outputs(compiled, design, d, nodes, leak)
            np.testing.assert_allclose(got, net(d), atol=0.03 * max(1.0, float(np.max(net(d)))), err_msg=name)
