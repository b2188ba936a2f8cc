"""Tests of rxnn.io.sbml: round trips, libSBML validity, libRoadRunner and COPASI cross-checks,
reading mass-action SBML written elsewhere, every refusal, and untrusted files."""

from __future__ import annotations

import os
import time
import warnings

import numpy as np
import pytest

from reference_networks import EXAMPLE_2_2, EXAMPLE_2_3, EXAMPLE_5_2, NETWORK_17
from rxnn import ReactionNetwork
from rxnn.compile import compile_network
from rxnn.io.formats import FormatError
from rxnn.io.sbml import (
    SBMLError,
    SBMLWarning,
    read_sbml,
    read_sbml_string,
    sbml_ids,
    sbml_string,
    validate_sbml,
    write_sbml,
)
from rxnn.nn import FeedForwardNetwork, PolynomialActivation, SmoothReLU

SIZES = [(5, 4, 3), (8, 6, 4, 2)]


def compiled(sizes=(5, 4, 3), h=1.0, q=2, absorb=False, seed=7):
    activation = SmoothReLU(h) if q == 2 else PolynomialActivation(q, h)
    ffn = FeedForwardNetwork.random(list(sizes), activation, seed=seed)
    return ffn, compile_network(ffn, absorb_enzymes=absorb)


def inputs(width, seed=1):
    return np.random.default_rng(seed).uniform(0.0, 1.0, width)


REFERENCE = {
    "example_2_2": EXAMPLE_2_2,
    "example_2_3": EXAMPLE_2_3,
    "example_5_2": EXAMPLE_5_2,
    "network_17": NETWORK_17,
    "primes": "X' + X'' -> 2X'' ; 0.25\nX'' -> X_prime ; 1e-7\nX_prime -> X' ; kf\n0 -> X'",
    "ids_like_ours": "k + cell -> J0 ; 2\nJ0 -> k\nrxnn_network -> 0 ; k1",
    "high_order": "3A + 2B -> C ; 123.456\nC -> 0",
}


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_round_trip_keeps_network_odes_and_initial(tmp_path, name):
    net = ReactionNetwork.from_text(REFERENCE[name])
    initial = {s: 0.1 * (i + 1) for i, s in enumerate(net.species)}
    path = write_sbml(net, tmp_path / "m.xml", initial)
    back, back_initial = read_sbml(path)
    assert back == net
    assert back.species == net.species
    assert back.odes() == net.odes()
    assert back_initial == initial


@pytest.mark.parametrize("absorb", [False, True])
@pytest.mark.parametrize("sizes", SIZES)
def test_round_trip_of_compiled_networks(tmp_path, sizes, absorb):
    ffn, c = compiled(sizes, absorb=absorb)
    initial = c.initial_state(inputs(sizes[0]))
    back, back_initial = read_sbml(write_sbml(c.network, tmp_path / "c.xml", initial))
    assert back == c.network
    assert back.odes() == c.network.odes()
    assert back_initial == initial


def test_symbolic_rates_become_parameters_without_value():
    net = ReactionNetwork.from_text(EXAMPLE_5_2)
    text = sbml_string(net)
    assert '<parameter id="k1" constant="true"/>' in text
    assert "initialConcentration" not in text  # no initial given: no values written
    back, initial = read_sbml_string(text)
    assert back.rate_parameters == ("k1", "k2") and initial == {}


def test_written_conventions():
    net = ReactionNetwork.from_text("X + E -> 2X + E ; 2.5\n2X -> X")
    text = sbml_string(net, {"X": 0.5, "E": 1.0})
    assert 'level="3" version="2"' in text
    assert '<compartment id="cell" spatialDimensions="3" size="1" constant="true"/>' in text
    assert ('<species id="E" compartment="cell" initialConcentration="1.0" hasOnlySubstanceUnits="false" '
            'boundaryCondition="true" constant="true"/>') in text
    assert 'id="X" compartment="cell" initialConcentration="0.5" hasOnlySubstanceUnits="false" ' \
           'boundaryCondition="false" constant="false"' in text
    assert '<localParameter id="k" value="2.5"/>' in text
    assert "<apply><times/><ci> k </ci><ci> X </ci><ci> E </ci></apply>" in text
    assert '<apply><power/><ci> X </ci><cn type="integer"> 2 </cn></apply>' in text
    assert '<reaction id="J0" reversible="false">' in text


def test_floats_round_trip_exactly():
    rates = [0.1, 1 / 3, 1e-300, 1.7976931348623157e308, 5e-324 * 3, float(np.nextafter(1.0, 2.0))]
    net = ReactionNetwork.from_text("\n".join(f"X{i} -> 0 ; {r!r}" for i, r in enumerate(rates)))
    initial = {f"X{i}": float(v) for i, v in enumerate([0.0, 1 / 7, 2.2250738585072014e-308, 1e300, 0.3, 7.0])}
    back, back_initial = read_sbml_string(sbml_string(net, initial))
    assert back.rates == net.rates and back_initial == initial


def test_ids_for_names_with_primes():
    assert sbml_ids(["X", "X'", "X''", "X_prime"]) == {
        "X": "X", "X'": "X_prime_", "X''": "X_prime_prime", "X_prime": "X_prime"}
    assert sbml_ids(["A'"], reserved=["A_prime"]) == {"A'": "A_prime_"}
    text = sbml_string(ReactionNetwork.from_text("X' -> 0"))
    assert '<species id="X_prime" name="X&apos;"' in text


def test_generated_ids_avoid_species_names():
    net = ReactionNetwork.from_text("k + cell -> J0 ; 2\nJ0 -> k\nrxnn_network -> 0 ; k1")
    text = sbml_string(net)
    assert '<compartment id="cell_"' in text and '<model id="rxnn_network_">' in text
    assert '<reaction id="J_0"' in text and '<localParameter id="k_"' in text


def test_write_is_atomic_and_returns_the_path(tmp_path):
    path = write_sbml(ReactionNetwork.from_text(EXAMPLE_2_2), str(tmp_path / "out.sbml"))
    assert path == tmp_path / "out.sbml" and os.listdir(tmp_path) == ["out.sbml"]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"initial": {"Z": 1.0}}, FormatError, "'Z', which is not a species"),
        ({"initial": {"X1": -1.0}}, FormatError, r"initial\['X1'\] of write_sbml must be one finite"),
        ({"initial": {"X1": np.ones(3)}}, FormatError, "array of shape"),
        ({"initial": {"X1": float("nan")}}, FormatError, "finite concentration"),
        ({"initial": [1.0]}, TypeError, "initial of write_sbml must be a mapping"),
        ({"model_id": "1model"}, SBMLError, "model_id of write_sbml must be an SBML id"),
    ],
)
def test_write_refuses_bad_arguments(tmp_path, kwargs, error, match):
    net = ReactionNetwork.from_text(EXAMPLE_2_2)
    with pytest.raises(error, match=match):
        write_sbml(net, tmp_path / "m.xml", **kwargs)
    assert not os.listdir(tmp_path)


def test_write_refuses_a_parameter_named_like_a_species(tmp_path):
    net = ReactionNetwork.from_text("X -> Y ; Y")
    with pytest.raises(SBMLError, match="rate parameter Y: a parameter has the name of a species"):
        write_sbml(net, tmp_path / "m.xml")
    with pytest.raises(TypeError, match="network of write_sbml must be a ReactionNetwork"):
        write_sbml("X -> Y", tmp_path / "m.xml")


# --------------------------------------------------------------------------- libSBML validity


@pytest.mark.parametrize("case", ["compiled", "absorbed", "symbolic", "primes", "ids_like_ours", "empty"])
def test_exported_files_pass_libsbml_consistency_checks(tmp_path, case):
    pytest.importorskip("libsbml")
    if case in ("compiled", "absorbed"):
        _, c = compiled((5, 4, 3), absorb=case == "absorbed")
        net, initial = c.network, c.initial_state(inputs(5))
    else:
        text = {"symbolic": EXAMPLE_5_2, "primes": REFERENCE["primes"], "ids_like_ours": REFERENCE["ids_like_ours"],
                "empty": ""}[case]
        net, initial = ReactionNetwork.from_text(text), {}
    assert validate_sbml(write_sbml(net, tmp_path / "m.xml", initial)) == []


def test_validate_reports_libsbml_errors_with_lines(tmp_path):
    pytest.importorskip("libsbml")
    path = tmp_path / "bad.xml"
    path.write_text(sbml_string(ReactionNetwork.from_text("X -> 0")).replace('compartment="cell"', 'compartment="nowhere"'))
    errors = validate_sbml(path)
    assert errors and all(e.startswith("line ") for e in errors)
    assert any("nowhere" in e for e in errors)


# --------------------------------------------------------------------------- independent simulators


def _simulated_layers(values, c):
    return [np.array([values(s) for s in c.layer_species(layer)]) for layer in range(len(c.source.layer_sizes))]


@pytest.mark.parametrize("q", [2, 3])
@pytest.mark.parametrize("h", [0.5, 1.0])
@pytest.mark.parametrize("sizes", SIZES)
def test_libroadrunner_reaches_the_forward_activations(sizes, h, q):
    roadrunner = pytest.importorskip("roadrunner")
    ffn, c = compiled(sizes, h, q)
    d = inputs(sizes[0])
    rr = roadrunner.RoadRunner(sbml_string(c.network, c.initial_state(d)))
    rr.integrator.relative_tolerance = 1e-12
    rr.integrator.absolute_tolerance = 1e-14
    rr.simulate(0, 40, 2)
    for got, want in zip(_simulated_layers(lambda s: rr[f"[{s}]"], c), ffn.activations(d)):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_libroadrunner_runs_the_absorbed_form():
    roadrunner = pytest.importorskip("roadrunner")
    ffn, c = compiled((5, 4, 3), 0.5, 2, absorb=True)
    d = inputs(5)
    rr = roadrunner.RoadRunner(sbml_string(c.network, c.initial_state(d)))
    rr.integrator.relative_tolerance = 1e-12
    rr.integrator.absolute_tolerance = 1e-14
    rr.simulate(0, 40, 2)
    for got, want in zip(_simulated_layers(lambda s: rr[f"[{s}]"], c)[1:], ffn.activations(d)[1:]):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


@pytest.mark.parametrize("sizes, h, q", [((5, 4, 3), 1.0, 2), ((8, 6, 4, 2), 0.5, 3)])
def test_copasi_reaches_the_forward_activations(tmp_path, sizes, h, q):
    basico = pytest.importorskip("basico")
    ffn, c = compiled(sizes, h, q)
    d = inputs(sizes[0])
    path = write_sbml(c.network, tmp_path / "model.xml", c.initial_state(d))
    model = basico.load_model(str(path))
    try:
        course = basico.run_time_course(duration=40, intervals=4, model=model, r_tol=1e-12, a_tol=1e-14)
        constants = basico.get_species(model=model)["initial_concentration"]
        last = course.iloc[-1]
        values = lambda s: last[s] if s in last.index else constants[s]  # noqa: E731
        for got, want in zip(_simulated_layers(values, c), ffn.activations(d)):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    finally:
        basico.remove_datamodel(model)


# --------------------------------------------------------------------------- SBML written elsewhere


def ci(x):
    return f"<ci> {x} </ci>"


def cn(value, kind=None):
    return f'<cn type="{kind}"> {value} </cn>' if kind else f"<cn> {value} </cn>"


def ap(op, *args):
    return f"<apply><{op}/>{''.join(args)}</apply>"


def species(sid, init=None, *, boundary=False, constant=False, substance=False, compartment="c", extra=""):
    value = f' initialConcentration="{init}"' if init is not None else ""
    return (f'<species id="{sid}" compartment="{compartment}"{value} hasOnlySubstanceUnits="{str(substance).lower()}" '
            f'boundaryCondition="{str(boundary).lower()}" constant="{str(constant).lower()}"{extra}/>')


def reaction(rid, reactants, products, law, *, local="", modifiers=(), extra=""):
    def refs(items):
        return "".join(f'<speciesReference species="{s}" stoichiometry="{n}" constant="true"/>' for s, n in items)

    parts = [f'<reaction id="{rid}" reversible="false"{extra}>']
    if reactants:
        parts.append(f"<listOfReactants>{refs(reactants)}</listOfReactants>")
    if products:
        parts.append(f"<listOfProducts>{refs(products)}</listOfProducts>")
    if modifiers:
        parts.append("<listOfModifiers>" + "".join(
            f'<modifierSpeciesReference species="{m}"/>' for m in modifiers) + "</listOfModifiers>")
    if law is not None:
        params = f"<listOfLocalParameters>{local}</listOfLocalParameters>" if local else ""
        parts.append(f'<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">{law}</math>{params}</kineticLaw>')
    parts.append("</reaction>")
    return "".join(parts)


def document(species_xml, reactions_xml, *, parameters="", extra="", size="1", compartments=None,
             level=3, version=2, root_extra=""):
    ns = f"http://www.sbml.org/sbml/level{level}/version{version}" + ("/core" if level == 3 else "")
    comps = compartments or f'<compartment id="c" size="{size}" constant="true"/>'
    params = f"<listOfParameters>{parameters}</listOfParameters>" if parameters else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sbml xmlns="{ns}" level="{level}" version="{version}"{root_extra}>\n'
            f'<model id="m"><listOfCompartments>{comps}</listOfCompartments>'
            f"<listOfSpecies>{''.join(species_xml)}</listOfSpecies>{params}"
            f"<listOfReactions>{''.join(reactions_xml)}</listOfReactions>{extra}</model>\n</sbml>\n")


def param(pid, value=None):
    v = f' value="{value}"' if value is not None else ""
    return f'<parameter id="{pid}"{v} constant="true"/>'


def test_reads_global_parameters_numbers_powers_and_quotients():
    text = document(
        [species("A", 1), species("B", 2)],
        [reaction("r1", [("A", 2)], [("B", 1)], ap("times", ci("kf"), ap("power", ci("A"), cn(2, "integer")))),
         reaction("r2", [("B", 1)], [], ap("divide", ap("times", cn(3), ci("B"), ci("kd")), cn(4))),
         reaction("r3", [("A", 1), ("B", 1)], [("A", 2)], ap("times", ci("A"), ci("B"))),
         reaction("r4", [], [("A", 1)], cn("2", "e-notation").replace(" 2 ", " 2 <sep/> -1 "))],
        parameters=param("kf", 0.5) + param("kd", 2),
    )
    net, initial = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("2A -> B ; 0.5\nB -> 0 ; 1.5\nA + B -> 2A\n0 -> A ; 0.2")
    assert initial == {"A": 1.0, "B": 2.0}


def test_reads_a_forward_minus_reverse_law_as_two_reactions():
    text = document([species("A", 1), species("B", 0)],
                    [reaction("r", [("A", 1)], [("B", 2)],
                              ap("minus", ap("times", ci("kf"), ci("A")), ap("times", ci("kr"), ap("power", ci("B"), cn(2)))))],
                    parameters=param("kf", 3) + param("kr", 0.25))
    net, _ = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("A -> 2B ; 3\n2B -> A ; 0.25")
    assert [tuple(r.reactants) for r in net.reactions] == [("A",), ("B",)]  # forward first


def test_modifiers_and_boundary_species_become_catalysts():
    # $S -> X with law k*S*E (E a modifier), and X -> $W with law k2*X.
    text = document(
        [species("S", 5, boundary=True), species("E", 2), species("X", 0), species("W", 0, boundary=True)],
        [reaction("in", [("S", 1)], [("X", 1)], ap("times", ci("k"), ci("S"), ci("E")), modifiers=["E"],
                  local='<localParameter id="k" value="0.5"/>'),
         reaction("out", [("X", 1)], [("W", 1)], ap("times", ci("k2"), ci("X")))],
        parameters=param("k2", 4),
    )
    with pytest.warns(SBMLWarning, match="dropped species in no reaction.*W"):
        net, initial = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("S + E -> S + E + X ; 0.5\nX -> 0 ; 4")
    assert set(net.enzymatic_species) == {"S", "E"}
    assert initial == {"S": 5.0, "E": 2.0, "X": 0.0}


def test_a_boundary_reactant_absent_from_the_law_is_dropped_from_the_reaction():
    text = document([species("S", 1, boundary=True), species("X", 0), species("Y", 0)],
                    [reaction("r", [("S", 1)], [("X", 1)], ci("k")), reaction("s", [("X", 1)], [("Y", 1)], ap("times", ci("k"), ci("X")))],
                    parameters=param("k", 2))
    with pytest.warns(SBMLWarning, match="in no reaction.*S"):
        net, _ = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("0 -> X ; 2\nX -> Y ; 2")


def test_a_product_in_the_law_is_autocatalytic():
    text = document([species("A", 1), species("B", 1)], [reaction("r", [("A", 1)], [("B", 1)], ap("times", ci("A"), ci("B")))])
    net, _ = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("A + B -> 2B")


def test_compartment_size_scales_rates_and_amounts():
    # V = 2; A has concentration semantics, B counts amounts (hasOnlySubstanceUnits).
    # d[A]/dt = -(V*k*[A])/V = -k[A];  r2: law k2*B with B = V*[B], so d[B]/dt = -(k2*V[B])/V = -k2[B];
    # r3: law k3*A (no V), so d[A]/dt gets -(k3/V)[A].
    text = document(
        [species("A", 4), species("B", None, substance=True, extra=' initialAmount="6"')],
        [reaction("r1", [("A", 1)], [("B", 1)], ap("times", ci("c"), ci("k"), ci("A"))),
         reaction("r2", [("B", 1)], [], ap("times", ci("k2"), ci("B"))),
         reaction("r3", [("A", 1)], [], ap("times", ci("k3"), ci("A")))],
        parameters=param("k", 3) + param("k2", 5) + param("k3", 7), size="2",
    )
    net, initial = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("A -> B ; 3\nB -> 0 ; 5\nA -> 0 ; 3.5")
    assert initial == {"A": 4.0, "B": 3.0}


def test_reads_level_2_with_kinetic_law_parameters_and_defaults():
    text = (
        '<?xml version="1.0"?>\n<sbml xmlns="http://www.sbml.org/sbml/level2/version4" level="2" version="4">'
        '<model id="m"><listOfCompartments><compartment id="c" size="1"/></listOfCompartments>'
        '<listOfSpecies><species id="A" compartment="c" initialConcentration="1"/>'
        '<species id="B" compartment="c" initialConcentration="0"/></listOfSpecies>'
        '<listOfReactions><reaction id="r"><listOfReactants><speciesReference species="A"/></listOfReactants>'
        '<listOfProducts><speciesReference species="B" stoichiometry="2"/></listOfProducts>'
        '<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k</ci><ci>A</ci></apply></math>'
        '<listOfParameters><parameter id="k" value="0.75"/></listOfParameters></kineticLaw></reaction>'
        "</listOfReactions></model></sbml>"
    )
    net, initial = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("A -> 2B ; 0.75") and initial == {"A": 1.0, "B": 0.0}


def test_prefixed_namespaces_annotations_and_semantics_are_understood():
    text = (
        '<?xml version="1.0"?>\n<s:sbml xmlns:s="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">'
        '<s:model id="m"><s:annotation><deep><deeper>ignored</deeper></deep></s:annotation>'
        '<s:listOfCompartments><s:compartment id="c" size="1" constant="true"/></s:listOfCompartments>'
        '<s:listOfSpecies>' + species("A", 1).replace("<species", "<s:species") + "</s:listOfSpecies>"
        '<s:listOfReactions><s:reaction id="r" reversible="false" fast="false"><s:listOfReactants>'
        '<s:speciesReference species="A" stoichiometry="1" constant="true"/></s:listOfReactants>'
        '<s:kineticLaw><m:math xmlns:m="http://www.w3.org/1998/Math/MathML"><m:semantics><m:apply><m:times/>'
        '<m:cn> 2 </m:cn><m:ci> A </m:ci></m:apply><m:annotation encoding="text">2A</m:annotation></m:semantics>'
        "</m:math></s:kineticLaw></s:reaction></s:listOfReactions></s:model></s:sbml>"
    )
    net, _ = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("A -> 0 ; 2")


def test_parallel_reactions_are_merged_by_adding_rates():
    text = document([species("A", 1), species("B", 0)],
                    [reaction("r1", [("A", 1)], [("B", 1)], ap("times", cn(1), ci("A"))),
                     reaction("r2", [("A", 1)], [("B", 1)], ap("times", cn(2.5), ci("A")))])
    with pytest.warns(SBMLWarning, match="merged parallel reactions.*r1 \\+ r2"):
        net, _ = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("A -> B ; 3.5")


def test_zero_rates_and_null_reactions_are_dropped_with_a_warning():
    text = document([species("A", 1), species("B", 0), species("E", 1, boundary=True)],
                    [reaction("r1", [("A", 1)], [("B", 1)], ap("times", cn(0), ci("A"))),
                     reaction("r2", [("E", 1)], [], ap("times", cn(1), ci("E"))),
                     reaction("r3", [("A", 1)], [("B", 1)], ap("times", cn(1), ci("A")))])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net, _ = read_sbml_string(text)
    messages = " | ".join(str(w.message) for w in caught)
    assert all(w.category is SBMLWarning for w in caught)
    assert "rate constant 0: r1" in messages and "change no species" in messages and "r2" in messages
    assert net == ReactionNetwork.from_text("A -> B")


def test_constraints_are_dropped_with_a_warning():
    extra = ('<listOfConstraints><constraint><math xmlns="http://www.w3.org/1998/Math/MathML">'
             + ap("gt", ci("A"), cn(0)) + "</math></constraint></listOfConstraints>")
    text = document([species("A", 1)], [reaction("r", [("A", 1)], [], ap("times", cn(1), ci("A")))], extra=extra)
    with pytest.warns(SBMLWarning, match="dropped 1 constraint"):
        read_sbml_string(text)


def test_names_are_restored_only_from_our_id_scheme():
    text = document([species("s1", 1, extra=' name="glucose"'), species("X_prime", 1, extra=' name="X&apos;"'),
                     species("time_", 1, extra=' name="time"')],
                    [reaction("r", [("s1", 1), ("X_prime", 1)], [("time_", 1)], ap("times", ci("s1"), ci("X_prime")))])
    net, initial = read_sbml_string(text)
    assert net.species == ("s1", "X'", "time")
    assert initial == {"s1": 1.0, "X'": 1.0, "time": 1.0}


# --------------------------------------------------------------------------- refusals


def _refused(text, *matches):
    with pytest.raises(SBMLError) as info:
        read_sbml_string(text)
    for m in matches:
        assert m in str(info.value), str(info.value)
    return str(info.value)


A_TO_0 = reaction("r", [("A", 1)], [], ap("times", ci("k"), ci("A")))
K = param("k", 1)


def test_refuses_michaelis_menten_naming_the_reaction():
    law = ap("divide", ap("times", ci("V"), ci("A")), ap("plus", ci("Km"), ci("A")))
    _refused(document([species("A", 1)], [reaction("mm", [("A", 1)], [], law)], parameters=param("V", 1) + param("Km", 1)),
             "reaction 'mm' (line 3)", "((V * A) / (Km + A)): ", "divides by a species")


@pytest.mark.parametrize(
    "law, match",
    [
        (ap("times", ci("k"), ap("power", ci("A"), cn(2))), "has stoichiometry 1 but appears to the power 2"),
        (ci("k"), "has stoichiometry 1 but appears to the power 0"),
        (ap("times", ci("k"), ap("power", ci("A"), cn(0.5))), "(A ^ 0.5) is not a polynomial in the species"),
        (ap("divide", ci("k"), ci("A")), "divides by a species"),
        (ap("times", ci("k"), ci("A"), ci("Z")), "'Z' is not a species, parameter or compartment"),
        (ap("times", cn(-1), ci("k"), ci("A")), "in its backward (negative) term"),
        (ap("times", ci("k"), ap("exp", ci("A"))), "exp(A) is not a polynomial in the species"),
        (ap("times", ci("k"), ci("A"), '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time"> t </csymbol>'),
         "the symbol 'time'"),
        ("<apply><ci> f </ci><ci> A </ci></apply>", "calls 'f', which is not a function definition"),
        ("<apply><csymbol encoding='text' definitionURL='http://www.sbml.org/sbml/symbols/delay'> d </csymbol>"
         + ci("A") + cn(1) + "</apply>", "an application of the symbol 'delay'"),
        ("<piecewise><piece>" + ci("A") + "<true/></piece></piecewise>", "<piecewise>"),
        (ap("times", ci("ksym"), cn(2), ci("A")), "named rate constant 'ksym' is multiplied by other factors (2.0)"),
        (ap("times", ci("ksym"), ci("ksym"), ci("A")), "combines parameters without values (ksym) with other terms"),
        (ap("times", ci("klocal"), ci("A")), "local parameter 'klocal' has no value"),
        (ap("times", ap("divide", ci("k"), cn(0)), ci("A")), "is inf; mass action needs a finite rate >= 0"),
        (ap("times", ap("power", cn(1e300), cn(2)), ci("A")), "(1e+300 ^ 2.0) has no real value"),
        (ap("times", ci("k"), ap("power", ci("C"), cn(10**12))), "is not a polynomial in the species"),
        (ap("times", cn("nan"), ci("A")), "the number 'nan' is not valid"),
    ],
)
def test_refuses_laws_that_are_not_mass_action(law, match):
    _refused(document([species("A", 1), species("B", 1), species("C", 1)],
                      [reaction("r", [("A", 1)], [("B", 1)], law, local='<localParameter id="klocal"/>')],
                      parameters=K + param("ksym")), "reaction 'r'", match)


@pytest.mark.parametrize(
    "extra, match",
    [
        ('<listOfEvents><event id="boom" useValuesFromTriggerTime="true"/></listOfEvents>', "event 'boom'"),
        ('<listOfRules><assignmentRule variable="A"/></listOfRules>', "assignment rule for 'A' (line 3): malformed math: no <math>"),
        ('<listOfRules><rateRule variable="A"/></listOfRules>', "rate rule for 'A'"),
        ("<listOfRules><algebraicRule/></listOfRules>", "algebraic rule"),
        ('<listOfInitialAssignments><initialAssignment symbol="A"/></listOfInitialAssignments>',
         "initial assignment to 'A' (line 3): malformed math: no <math>"),
    ],
)
def test_refuses_events_rules_and_initial_assignments(extra, match):
    _refused(document([species("A", 1)], [A_TO_0], parameters=K, extra=extra), match)


def test_function_definitions_are_inlined():
    # ma(x, y) = x * y: the law ma(k, A) is k * A, read as A -> 0 with rate 1 (k = 1).
    extra = ('<listOfFunctionDefinitions><functionDefinition id="ma"><math xmlns="http://www.w3.org/1998/Math/MathML">'
             "<lambda><bvar><ci>x</ci></bvar><bvar><ci>y</ci></bvar><apply><times/><ci>x</ci><ci>y</ci></apply>"
             "</lambda></math></functionDefinition></listOfFunctionDefinitions>")
    text = document([species("A", 1)], [reaction("r", [("A", 1)], [], "<apply><ci> ma </ci><ci> k </ci><ci> A </ci></apply>")],
                    parameters=param("k", 3))
    net, _ = read_sbml_string(text.replace("<listOfCompartments>", extra + "<listOfCompartments>"))
    assert net == ReactionNetwork.from_text("A -> 0 ; 3")
    _refused(text, "calls 'ma', which is not a function definition")


def test_one_error_names_every_offending_element():
    law = ap("plus", ci("A"), ci("k"))
    extra = ('<listOfEvents><event id="e1"/><event id="e2"/></listOfEvents>'
             '<listOfRules><rateRule variable="A"/></listOfRules>')
    message = _refused(document([species("A", 1)], [reaction("bad1", [("A", 1)], [], law), A_TO_0,
                                                     reaction("bad2", [("A", 1)], [], law)], parameters=K, extra=extra),
                       "(5 problems)", "event 'e1'", "event 'e2'", "rate rule for 'A'", "reaction 'bad1'", "reaction 'bad2'")
    assert "reaction 'r'" not in message


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda t: t.replace('reversible="false"', 'reversible="false" fast="true"'), "reaction 'r' (line 3) is fast"),
        (lambda t: t.replace('stoichiometry="1" ', ""), "the stoichiometry of 'A' (line 3) is not given"),
        (lambda t: t.replace('stoichiometry="1"', 'stoichiometry="1.5"'), "stoichiometry of 'A' (line 3) is 1.5"),
        (lambda t: t.replace('stoichiometry="1"', 'stoichiometry="1e300"'), "integer stoichiometries from 0 to"),
        (lambda t: t.replace('species="A" stoichiometry', 'species="Q" stoichiometry'), "refers to 'Q'"),
        (lambda t: t.replace("<apply><times/><ci> k </ci><ci> A </ci></apply>", ""), "empty or multiple-root <math>"),
        (lambda t: t.replace("<kineticLaw>", "<kineticLaw><!--").replace("</kineticLaw>", "--></kineticLaw>"),
         "its kinetic law has no <math>"),
        (lambda t: t.replace(t[t.index("<kineticLaw>"):t.index("</kineticLaw>") + 13], ""), "has no kinetic law"),
        (lambda t: t.replace('constant="true"/></listOfReactants>',
                             'constant="true"><stoichiometryMath/></speciesReference></listOfReactants>'),
         "stoichiometryMath"),
        (lambda t: t.replace('<model id="m"', '<model id="m" conversionFactor="k"'), "conversionFactor"),
        (lambda t: t.replace(' boundaryCondition="false"', ""), "lacks the attribute boundaryCondition"),
        (lambda t: t.replace('level="3" version="2"', 'level="3" version="2" xmlns:spatial="http://www.sbml.org/sbml/'
                             'level3/version1/spatial/version1" spatial:required="true"'), "requires the SBML package"),
        (lambda t: t.replace('size="1"', ""), "compartment 'c' (line 3) has no positive size"),
        (lambda t: t.replace('compartment="c"', 'compartment="d"'), "is in the compartment 'd', which is not defined"),
        (lambda t: t.replace('id="A"', 'id="_A"').replace('"A"', '"_A"').replace("> A <", "> _A <"),
         "its id is not an rxnn species name"),
    ],
)
def test_refuses_structures_rxnn_cannot_represent(change, match):
    _refused(change(document([species("A", 1)], [A_TO_0], parameters=K)), match)


def test_compartments_of_different_sizes_are_read_in_amounts():
    # A in c (V = 1), B in d (V = 2); law k*c*A (amount per time). In amounts n: dn_A/dt = -k*n_A = dn_B/dt * -1,
    # so the network is A -> B with rate k and amounts n_A = 1*1, n_B = 1*2.
    comps = '<compartment id="c" size="1" constant="true"/><compartment id="d" size="2" constant="true"/>'
    text = document([species("A", 1), species("B", 1, compartment="d")],
                    [reaction("r", [("A", 1)], [("B", 1)], ap("times", ci("k"), ci("c"), ci("A")))],
                    parameters=param("k", 3), compartments=comps)
    with pytest.warns(SBMLWarning, match=r"compartments of different sizes \(c = 1.0, d = 2.0\); the network's variables are amounts"):
        net, initial = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("A -> B ; 3") and initial == {"A": 1.0, "B": 2.0}


def test_refuses_level_1_and_non_sbml_documents():
    with pytest.raises(SBMLError, match="SBML Level 1 is not supported"):
        read_sbml_string('<sbml xmlns="http://www.sbml.org/sbml/level1" level="1" version="2"/>')
    with pytest.raises(SBMLError, match="root element is 'html'"):
        read_sbml_string("<html><body/></html>")
    with pytest.raises(SBMLError, match="no valid level"):
        read_sbml_string('<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core"/>')


def test_named_rate_constant_with_parameter_name_rxnn_cannot_hold():
    text = document([species("A", 1)], [reaction("r", [("A", 1)], [], ap("times", ci("_k"), ci("A")))], parameters=param("_k"))
    _refused(text, "rate parameter '_k' is not an rxnn parameter name")


def test_the_same_complexes_with_named_rates_cannot_merge():
    text = document([species("A", 1)], [reaction("r1", [("A", 1)], [], ap("times", ci("ka"), ci("A"))),
                                        reaction("r2", [("A", 1)], [], ap("times", ci("kb"), ci("A")))],
                    parameters=param("ka") + param("kb"))
    with pytest.raises(SBMLError, match="reactions 'r1' and 'r2' have the same complexes and named rate constants"):
        read_sbml_string(text)


# --------------------------------------------------------------------------- untrusted files


def test_malformed_xml_names_line_and_column(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text('<?xml version="1.0"?>\n<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" '
                    'version="2">\n  <model>\n</sbml>\n')
    with pytest.raises(SBMLError, match=r"is not well-formed XML: mismatched tag at line 4, column 3"):
        read_sbml(path)


@pytest.mark.parametrize("content, match", [
    (b"", "no element found at line 1"),
    (b"\x00\xff\xfe garbage", "not well-formed"),
    (b"<sbml", "unclosed token|no element found"),
    (b'<?xml version="1.0" encoding="UTX-8"?><sbml/>', "declares encoding='utx-8'; rxnn reads SBML only in UTF-8"),
])
def test_empty_and_binary_files(tmp_path, content, match):
    path = tmp_path / "x.xml"
    path.write_bytes(content)
    with pytest.raises(SBMLError, match=match):
        read_sbml(path)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE sbml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',  # billion laughs
        '<!DOCTYPE sbml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',  # external entity
        '<!DOCTYPE sbml SYSTEM "http://example.invalid/sbml.dtd">',  # external DTD
        "<!DOCTYPE sbml>",
    ],
)
def test_document_type_declarations_are_refused_before_any_entity_is_used(tmp_path, prolog):
    text = sbml_string(ReactionNetwork.from_text("A -> 0"))
    text = text.replace('<?xml version="1.0" encoding="UTF-8"?>\n', f'<?xml version="1.0"?>\n{prolog}\n')
    text = text.replace('<model id="rxnn_network">', '<model id="rxnn_network" name="&c;&secret;">')
    path = tmp_path / "entities.xml"
    path.write_text(text)
    with pytest.raises(SBMLError, match=r"line 2: the file declares a document type"):
        read_sbml(path)


def test_deeply_nested_math_is_refused_quickly_without_a_crash(tmp_path):
    depth = 200_000
    law = "<apply><minus/>" * depth + ci("A") + "</apply>" * depth
    path = tmp_path / "deep.xml"
    path.write_text(document([species("A", 1)], [reaction("r", [("A", 1)], [], law)]))
    start = time.perf_counter()
    with pytest.raises(SBMLError, match="nested deeper than 256 levels"):
        read_sbml(path)
    assert time.perf_counter() - start < 5


def test_validate_never_hands_libsbml_a_file_that_would_crash_it(tmp_path):
    pytest.importorskip("libsbml")  # libSBML 5.21 segfaults on math nested ~10 000 deep
    law = "<apply><minus/>" * 20_000 + ci("A") + "</apply>" * 20_000
    path = tmp_path / "deep.xml"
    path.write_text(document([species("A", 1)], [reaction("r", [("A", 1)], [], law)]))
    with pytest.raises(SBMLError, match="nested deeper"):
        validate_sbml(path)


def test_nesting_within_the_limit_is_read_and_judged(tmp_path):
    law = "<apply><times/>" * 100 + ci("k") + ci("A") + "</apply>" * 100
    net, _ = read_sbml_string(document([species("A", 1)], [reaction("r", [("A", 1)], [], law)], parameters=K))
    assert net == ReactionNetwork.from_text("A -> 0")
    with pytest.raises(SBMLError, match="nested deeper than 20"):
        read_sbml_string(document([species("A", 1)], [reaction("r", [("A", 1)], [], law)], parameters=K), max_depth=20)


def test_files_over_the_size_limit_are_refused_before_reading(tmp_path):
    path = tmp_path / "huge.xml"
    with open(path, "wb") as f:  # a sparse file of 300 MB: nothing is written or read
        f.truncate(300 * 2**20)
    start = time.perf_counter()
    with pytest.raises(SBMLError, match=r"is 314,572,800 bytes, over the limit of 209,715,200 bytes of read_sbml"):
        read_sbml(path)
    assert time.perf_counter() - start < 1
    small = write_sbml(ReactionNetwork.from_text("A -> 0"), tmp_path / "s.xml")
    with pytest.raises(SBMLError, match="over the limit of 100 bytes.*max_bytes="):
        read_sbml(small, max_bytes=100)
    with pytest.raises(SBMLError, match="over the limit of 100 bytes"):
        read_sbml_string(small.read_text(encoding="utf-8"), max_bytes=100)
    with pytest.raises(ValueError, match="max_bytes of read_sbml must be a positive integer"):
        read_sbml(small, max_bytes=0)
    with pytest.raises(ValueError, match="max_depth of read_sbml must be a positive integer"):
        read_sbml(small, max_depth=0)


def test_missing_file_and_wrong_argument_types(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_sbml(tmp_path / "nope.xml")
    with pytest.raises(TypeError, match="text of read_sbml_string must be str or bytes"):
        read_sbml_string(42)


def test_mutated_files_give_a_network_or_an_sbml_error_and_nothing_else():
    rng = np.random.default_rng(2021)
    base = sbml_string(ReactionNetwork.from_text(REFERENCE["primes"] + "\nA + B -> C ; 3"), {"X'": 1.0})
    tokens = ["<", ">", "/", '"', "<apply>", "</apply>", "<ci>", "<cn>", "<sep/>", "<times/>", "<divide/>", "0",
              "-1", "1e999", "nan", "&amp;", "&#0;", "<species/>", "<reaction>", 'encoding="bogus"', "X_prime"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SBMLWarning)
        for _ in range(400):
            text = base
            for _ in range(int(rng.integers(1, 4))):
                i = int(rng.integers(len(text)))
                kind = rng.random()
                if kind < 0.3:
                    text = text[:i] + text[i + int(rng.integers(1, 20)):]
                elif kind < 0.7:
                    text = text[:i] + str(rng.choice(tokens)) + text[i:]
                else:
                    text = text[:i] + text[i:i + int(rng.integers(1, 200))] + text[i:]
            try:
                read_sbml_string(text)
            except SBMLError:
                pass
