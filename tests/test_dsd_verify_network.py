"""A classifier with biases and h > 0 as DNA, checked by rxnn.verify_network from starts its fuels serve (issue 16).

The 4-3-2 toy classifier (rxnn.dsd.toy, biases trained, smoothed ReLU with
h = 0.5, so that the absorbed form, §5.1, has the zero-order reactions
0 -> X, the unimolecular bias reactions and the bimolecular rest) goes
model -> CRN -> lakin2012 design -> peppercorn -> rxnn simulation.
Independent truths: the forward pass (the activations a^l, eqs. (6)-(7)),
crnverifier's CRN bisimulation for every module type, and the fuel use of
the scheme's gates per formal event (a hand formula for soloveichik2010).

Units: signals at 0.1 pM per formal unit (unit_nM=1e-4; the padding strand,
0.1 nM, drifts by unit * |change of sum x|), gates 0.87-2 nM (a formal time
unit is 2.35e8 s: lakin2012's bimolecular rates at sub-pM signals).
Horizon: 10 formal time units (h = 0.5 makes the formal network settle at
rate >= 2 sqrt(h) = 1.4, so it is within 1e-5 of a^l by then from every
start in the box); the box [0, B] is rxnn.dsd.servable_box's, where no
gate or fuel changes by more than 1 % over the horizon. Tolerance 0.01
(formal units): the rate laws' quasi-steady-state error and the 1 % fuel
drift (measured: largest error 2.5e-3). Leak: every gate releasing its
outputs at 1e-17 /s (a formal time unit is 2.35e8 s here, so a 2 nM gate
leaks 5e-5 formal units per time unit; 1e-14 /s already moves an output by
0.9); measured largest error with it 2.6e-3 (1e-16 /s: 4.0e-3; 1e-15 /s: 0.018, fails).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rxnn import compile_network, verify_network
from rxnn.verify import HORIZON_KIND
from rxnn.dsd import DSDError, PilComplex, servable_box, translate
from rxnn.dsd.enumeration import enumerate_design
from rxnn.dsd.toy import toy_classifier
from rxnn.dsd.verification import network_arguments, verify_design

HORIZON = 10.0
TOL = 0.01
LEAK_PER_S = 1e-17


@pytest.fixture(scope="module")
def lakin_classifier():
    net, x = toy_classifier(biases=True, h=0.5)
    compiled = compile_network(net, absorb_enzymes=True)
    design = translate(compiled.network, "lakin2012", unit_nM=1e-4)
    return net, compiled, design, x[:2]


def _verify(design, compiled, d, box, leak_per_s=0.0, **options):
    args = network_arguments(design, compiled, enumerate_design(design, modular=True, leak_per_s=leak_per_s))
    return verify_network(args["implementation"], d, reference=args["reference"], layers=args["layers"],
                          initial=args["initial"], initial_bound=box, horizon=HORIZON, tol=TOL, scales=(box,),
                          rtol=1e-8, atol=1e-14, **options)


def test_network_arguments_give_the_box_and_horizon(lakin_classifier):
    _, compiled, design, d = lakin_classifier
    args = network_arguments(design, compiled, horizon=HORIZON, d=d)
    assert args["horizon"] == HORIZON
    assert args["initial_bound"] == servable_box(design, compiled, d, horizon=HORIZON)
    with pytest.raises(DSDError, match="inputs d"):
        network_arguments(design, compiled, horizon=HORIZON)


def test_the_classifier_has_biases_sources_and_every_module_type_verifies(lakin_classifier):
    net, compiled, design, _ = lakin_classifier
    assert all(np.abs(b).max() > 0.1 for b in net.biases)
    shapes = {len(m.reactants) for m in design.modules}
    assert shapes == {0, 1, 2}  # 0 -> X (h), X -> 2X / X -> 0 (biases), bimolecular weights and decay
    report = verify_design(design, per_type=True)
    assert report.passed, str(report)
    assert sum(c.represents for c in report.checks) == design.n_modules


@pytest.mark.parametrize("leak", [0.0, LEAK_PER_S])
def test_dna_classifier_computes_the_forward_pass_from_the_servable_box(lakin_classifier, leak):
    net, compiled, design, d = lakin_classifier
    box = servable_box(design, compiled, d, horizon=HORIZON)
    assert box >= 2.0  # the ones start and the corners at 2 are served
    result = _verify(design, compiled, d, box, leak)
    assert result.passed, result.message
    assert result.kind == HORIZON_KIND and "not Def. 4.1" in result.message
    names = {c.start for c in result.checks}
    assert {"ones", "zeros", "tiny (1e-12)"} <= names and not any("huge" in n for n in names)
    assert all(np.isnan(c.steady_error) for c in result.checks)  # no steady state judged
    assert result.worst("final_error") < TOL


def test_verify_network_fails_on_a_design_with_a_wrong_gate(lakin_classifier):
    # A gate at a tenth of its designed concentration (the layer-2 weight module with the largest rate):
    # the design still verifies by bisimulation (its molecules are right), but it computes another network.
    net, compiled, design, d = lakin_classifier
    m = max((m for m in design.modules if len(m.reactants) == 2 and "X2_" in m.reactants[1] and len(m.products) == 3),
            key=lambda m: m.rate)
    c = design.complexes[m.gate]
    broken = dataclasses.replace(design, complexes={**design.complexes,
                                                    m.gate: PilComplex(c.name, c.kernel, c.role, c.nM / 10, c.module)})
    result = _verify(broken, compiled, d[:1], 2.0, include_ones=False)
    assert not result.passed
    assert any("layer 2" in line for line in result.failures)


def test_soloveichik_biases_need_more_fuel_than_the_gates_hold():
    # soloveichik2010's unimolecular gates fire at q [L] x: a bias gate realising rate b in a time unit tau
    # holds [L] = b / (q tau) and uses b x unit per formal time unit, so 1 % of it lasts
    # 0.01 [L] / (b x unit) formal time units. The bimolecular modules force tau ~ 1e6 s here, and the
    # fuel bound (derived from the scheme's fuel use per firing) says the same number.
    net, x = toy_classifier(biases=True, h=0.0)
    compiled = compile_network(net, absorb_enzymes=True)
    design = translate(compiled.network, "soloveichik2010", unit_nM=0.01)
    start = compiled.initial_state(x[0], 1.0)
    bound = design.fuel_bound(start, t_max=1.0)
    m = next(m for m in design.modules if m.gate == bound.fuel)
    assert len(m.reactants) == 1  # a bias gate X -> 2X or X -> 0
    by_hand = 0.01 * design.complexes[m.gate].nM / (m.rate * start[m.reactants[0]] * design.unit_nM)
    assert bound.horizon == pytest.approx(by_hand, rel=0.02)  # x moves by < 2 % over so short a time
    assert bound.horizon < 1e-2
    # With h = 0 nothing fires from every node at 0, so only that start is served: no box beyond it.
    assert servable_box(design, compiled, x[:1], horizon=HORIZON) == 0.0
    with_h = translate(compile_network(toy_classifier(biases=True, h=0.5)[0], absorb_enzymes=True).network,
                       "soloveichik2010", unit_nM=0.01)
    with pytest.raises(DSDError, match="do not last"):  # with h > 0 the sources fire from there too
        servable_box(with_h, compile_network(toy_classifier(biases=True, h=0.5)[0], absorb_enzymes=True), x[:1],
                     horizon=HORIZON)
