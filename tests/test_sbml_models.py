"""Mass-action models written in other SBML ways are read once evaluated (issue 14).

Each expected network is derived by hand from the SBML semantics (the ODE of the model) and the
paper's mass-action rule, eq. (2); the comp test compares with libSBML's own flattening.
"""

from __future__ import annotations

import os
import warnings

import pytest

from rxnn import ReactionNetwork
from rxnn.io.sbml import SBMLError, SBMLWarning, read_sbml_model, read_sbml_string
from test_sbml import ap, ci, cn, document, param, reaction, species

MATH = 'xmlns="http://www.w3.org/1998/Math/MathML"'


def _read(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SBMLWarning)
        return read_sbml_string(text)


def _refused(text, *parts):
    with pytest.raises(SBMLError) as info:
        _read(text)
    for part in parts:
        assert part in str(info.value), str(info.value)


def _assignments(*pairs):
    return "<listOfInitialAssignments>" + "".join(
        f'<initialAssignment symbol="{s}"><math {MATH}>{m}</math></initialAssignment>' for s, m in pairs
    ) + "</listOfInitialAssignments>"


def _rules(*pairs):
    return "<listOfRules>" + "".join(
        f'<assignmentRule variable="{s}"><math {MATH}>{m}</math></assignmentRule>' for s, m in pairs
    ) + "</listOfRules>"


def test_initial_assignments_are_evaluated_at_time_zero():
    # k := 2 * 3 overrides value 1; A := k / 4 overrides 1; the compartment size c := 2 * half (half = 0.5).
    text = document([species("A", 1)], [reaction("r", [("A", 1)], [], ap("times", ci("k"), ci("A")))],
                    parameters=param("k", 1) + param("half", 0.5),
                    extra=_assignments(("k", ap("times", cn(2), cn(3))), ("A", ap("divide", ci("k"), cn(4))),
                                       ("c", ap("times", cn(2), ci("half")))))
    assert _read(text) == (ReactionNetwork.from_text("A -> 0 ; 6"), {"A": 1.5})


def test_constant_assignment_rules_are_values_and_rules_on_the_state_are_refused():
    law = ap("times", ci("p"), ci("A"), ci("F"))
    text = document([species("A", 1), species("F", 1, boundary=True)], [reaction("r", [("A", 1)], [], law)],
                    parameters=param("p") + param("k", 3),
                    extra=_rules(("p", ap("plus", ci("k"), cn(1))), ("F", ap("exp", cn(0)))))
    # F is fixed at exp(0) = 1 by its rule, p = 4: the network is A -> 0 at rate 4 (F is a number, not a species).
    assert _read(text) == (ReactionNetwork.from_text("A -> 0 ; 4"), {"A": 1.0})
    moving = document([species("A", 1), species("B", 0)], [reaction("r", [("A", 1)], [], ap("times", ci("k"), ci("A")))],
                      parameters=param("k", 3), extra=_rules(("B", ap("times", cn(2), ci("A")))))
    _refused(moving, "assignment rule for 'B' (line 3) depends on A, which change in time")
    timed = document([species("A", 1)], [reaction("r", [("A", 1)], [], ap("times", ci("k"), ci("A")))],
                     parameters=param("k"),
                     extra=_rules(("k", '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">'
                                        " t </csymbol>")))
    _refused(timed, "assignment rule for 'k' (line 3) depends on time")


def test_a_cycle_of_initial_assignments_is_named():
    text = document([species("A", 1)], [reaction("r", [("A", 1)], [], ap("times", ci("k"), ci("A")))],
                    parameters=param("k") + param("q"), extra=_assignments(("k", ci("q")), ("q", ci("k"))))
    _refused(text, "initial assignment to 'k' (line 3) cannot be evaluated at t = 0: it needs 'q', which has no value")


def test_laws_are_normalised_symbolically_into_forward_backward_and_per_term_reactions():
    # C*(kf*S1 - kr*S2) with C = 2: forward S1 -> S2 at 2*kf, backward S2 -> S1 at 2*kr.
    law = ap("times", ci("c"), ap("minus", ap("times", ci("kf"), ci("S1")), ap("times", ci("kr"), ci("S2"))))
    text = document([species("S1", 1), species("S2", 0)], [reaction("r", [("S1", 1)], [("S2", 1)], law)],
                    parameters=param("kf", 3) + param("kr", 0.5), size="2")
    assert _read(text)[0] == ReactionNetwork.from_text("S1 -> S2 ; 3\nS2 -> S1 ; 0.5")  # rates / V: 2*3/2, 2*0.5/2
    # (k1 + k2*E)*A for A -> B, E a modifier: two parallel reactions, A -> B and A + E -> B + E.
    law = ap("times", ap("plus", ci("k1"), ap("times", ci("k2"), ci("E"))), ci("A"))
    text = document([species("A", 1), species("B", 0), species("E", 2)],
                    [reaction("r", [("A", 1)], [("B", 1)], law, modifiers=["E"])],
                    parameters=param("k1", 1) + param("k2", 5))
    assert _read(text)[0] == ReactionNetwork.from_text("A -> B ; 1\nA + E -> B + E ; 5")


def test_terms_not_mass_action_in_their_own_reactants_are_refused_by_name():
    # k*(S1 + S2) for S1 -> S3: the term k*S2 consumes S1 at a rate that does not depend on S1.
    law = ap("times", ci("k"), ap("plus", ci("S1"), ci("S2")))
    text = document([species("S1", 1), species("S2", 1), species("S3", 0)],
                    [reaction("r", [("S1", 1)], [("S3", 1)], law, modifiers=["S2"])], parameters=param("k", 1))
    _refused(text, "reaction 'r' (line 3): the law (k * (S1 + S2))", "'S1' has stoichiometry 1 but appears to the power 0")


def test_a_law_mass_action_only_through_a_conservation_law_is_refused_naming_it():
    # k1*(100-2*P2)*(100-2*P2-1)/2 for -> P2 (the DSMTS dimerisation written in the product): its P2^2 term
    # has the product P2 in it.
    m = ap("minus", cn(100), ap("times", cn(2), ci("P2")))
    law = ap("divide", ap("times", ci("k1"), m, ap("minus", m, cn(1))), cn(2))
    text = document([species("P2", 0, substance=True)], [reaction("r", [], [("P2", 1)], law)], parameters=param("k1", 0.001))
    _refused(text, "reaction 'r' (line 3): the law", "'P2' has stoichiometry 0 but appears to the power 2",
             "a product of the term cannot appear in it")


def test_the_stochastic_propensity_convention_is_recognised_and_warned_about():
    # k*P*(P-1)/2 for 2P -> 0 in amounts: rxnn's SSA propensity of 2P -> 0 with rate c is c*P*(P-1) at volume 1,
    # so c = k/2; its ODE is the mass-action limit c*P^2.
    law = ap("divide", ap("times", ci("k"), ci("P"), ap("minus", ci("P"), cn(1))), cn(2))
    text = document([species("P", None, substance=True, extra=' initialAmount="100"')],
                    [reaction("r", [("P", 2)], [], law)], parameters=param("k", 0.002))
    with pytest.warns(SBMLWarning, match="stochastic mass-action propensity"):
        net, initial = read_sbml_string(text)
    assert net == ReactionNetwork.from_text("2P -> 0 ; 0.001") and initial == {"P": 100.0}
    # In concentrations the same law is not a propensity: refused.
    _refused(text.replace('hasOnlySubstanceUnits="true"', 'hasOnlySubstanceUnits="false"'),
             "in its backward (negative) term 0.001*P, 'P' has stoichiometry 0 but appears to the power 1")


def test_unsized_compartments_hold_amounts_with_size_one():
    comps = '<compartment id="c" constant="true"/>'
    text = document([species("A", None, substance=True, extra=' initialAmount="7"')],
                    [reaction("r", [("A", 1)], [], ap("times", ci("k"), ci("A")))], parameters=param("k", 2),
                    compartments=comps)
    with pytest.warns(SBMLWarning, match="compartment 'c' has no size; its species are read as amounts in size 1"):
        assert read_sbml_string(text) == (ReactionNetwork.from_text("A -> 0 ; 2"), {"A": 7.0})
    _refused(text.replace('hasOnlySubstanceUnits="true"', 'hasOnlySubstanceUnits="false"'),
             "compartment 'c' (line 3) has no size, but its species A are concentrations")


def test_constant_stoichiometry_math_is_evaluated():
    # SBML L2: stoichiometryMath 1 + 1 gives 2A -> 0 with law k*A^2.
    text = document([species("A", 1)], [reaction("r", [("A", 1)], [], ap("times", ci("k"), ap("power", ci("A"), cn(2))))],
                    parameters=param("k", 3), level=2, version=4)
    text = text.replace('stoichiometry="1" constant="true"/>',
                        f'><stoichiometryMath><math {MATH}>{ap("plus", cn(1), cn(1))}</math></stoichiometryMath>'
                        "</speciesReference>").replace(' constant="true"', "")
    assert _read(text)[0] == ReactionNetwork.from_text("2A -> 0 ; 3")
    _refused(text.replace(ap("plus", cn(1), cn(1)), ap("plus", ci("A"), cn(1))),
             "the stoichiometryMath of 'A' (line 3) depends on A, which change in time")


COMP = "http://www.sbml.org/sbml/level3/version1/comp/version1"


def _comp_document(extra_definitions=""):
    inner = ('<listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>'
             '<listOfSpecies><species id="A" compartment="c" initialConcentration="2" hasOnlySubstanceUnits="false" '
             'boundaryCondition="false" constant="false"/></listOfSpecies>'
             '<listOfReactions><reaction id="r" reversible="false" fast="false"><listOfReactants>'
             '<speciesReference species="A" stoichiometry="1" constant="true"/></listOfReactants>'
             f'<kineticLaw><math {MATH}>{ap("times", cn(3), ci("A"))}</math></kineticLaw></reaction></listOfReactions>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" '
            f'xmlns:comp="{COMP}" level="3" version="1" comp:required="true">\n'
            '<model id="main"><listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>'
            '<comp:listOfSubmodels><comp:submodel comp:id="sub" comp:modelRef="inner"/></comp:listOfSubmodels></model>'
            f'<comp:listOfModelDefinitions><comp:modelDefinition id="inner">{inner}</comp:modelDefinition>'
            f"</comp:listOfModelDefinitions>{extra_definitions}</sbml>\n")


def test_comp_models_are_flattened_by_libsbml():
    with pytest.warns(SBMLWarning, match="flattened to core SBML by libSBML"):
        net, initial = read_sbml_string(_comp_document())
    assert net == ReactionNetwork.from_text("sub__A -> 0 ; 3") and initial == {"sub__A": 2.0}


def test_comp_external_model_definitions_are_refused_and_the_file_is_never_opened(tmp_path):
    fifo = tmp_path / "secret.xml"
    os.mkfifo(fifo)  # opening it for reading would block: the test would hang, not pass
    external = (f'<comp:listOfExternalModelDefinitions><comp:externalModelDefinition comp:id="ext" '
                f'comp:source="{fifo}"/></comp:listOfExternalModelDefinitions>')
    _refused(_comp_document().replace("<comp:listOfModelDefinitions>", external + "<comp:listOfModelDefinitions>"),
             "<comp:externalModelDefinition> (line 3) names another file", "rxnn never reads other files")


def test_models_without_reactions_read_with_their_constant_values():
    text = document([species("A", 2, boundary=True)], [], parameters=param("k", 3))
    model = read_sbml_model(text.encode())
    assert model.network == ReactionNetwork([]) and model.initial == {}
    assert model.values == {"c": 1.0, "k": 3.0, "A": 2.0}


def test_sbml_model_relates_variables_to_amounts_and_concentrations():
    comps = '<compartment id="c" size="1" constant="true"/><compartment id="d" size="4" constant="true"/>'
    text = document([species("A", 3), species("B", 1, compartment="d")],
                    [reaction("r", [("A", 1)], [("B", 1)], ap("times", ci("k"), ci("A")))],
                    parameters=param("k", 2), compartments=comps)
    with pytest.warns(SBMLWarning, match="the network's variables are amounts"):
        model = read_sbml_model(text.encode())
    assert model.unit == 1.0 and model.volumes == {"A": 1.0, "B": 4.0} and model.initial == {"A": 3.0, "B": 4.0}
