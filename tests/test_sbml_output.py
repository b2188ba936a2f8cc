"""Values a user asks for by SBML id along a simulation (reaction rates among them), and the law normaliser's limits.

Truth: closed-form solutions of the models' ODEs (first-order decay and a reversible isomerisation,
derived by hand from the SBML semantics: d(amount)/dt = stoichiometry * law) and the kinetic laws
evaluated on them; the SBML Test Suite's expected results for its reaction-rate cases.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import sbml_suite
from rxnn import ReactionNetwork
from rxnn.crn.simulate import simulate
from rxnn.errors import InvalidArgumentError, LimitError
from rxnn.io import _sbml_massaction
from rxnn.io.sbml import SBMLError, SBMLLimitError, SBMLWarning, read_sbml_model
from test_sbml import ap, ci, cn, document, param, reaction, species

# The solver runs at rtol 1e-10, atol 1e-14; 1e-7 relative leaves three orders for the error it accumulates.
RTOL = 1e-7


def _model(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SBMLWarning)
        return read_sbml_model(text.encode())


def _simulate(model, times):
    return simulate(model.network, model.initial, (0.0, float(times[-1])), times, rtol=1e-10, atol=1e-14)


def test_rate_of_a_reversible_law_split_into_two_reactions_is_the_law():
    # A <-> B in c (size 2), law c*(kf*A - kr*B): d[A]/dt = -(kf[A] - kr[B]) with [A] + [B] = 3, so
    # [A](t) = a_eq + (1 - a_eq) exp(-(kf + kr) t), a_eq = 3 kr / (kf + kr); the rate is the law.
    law = ap("times", ci("c"), ap("minus", ap("times", ci("kf"), ci("A")), ap("times", ci("kr"), ci("B"))))
    model = _model(document([species("A", 1), species("B", 2)], [reaction("r", [("A", 1)], [("B", 1)], law)],
                            parameters=param("kf", 3) + param("kr", 1), size="2"))
    assert model.network.n_reactions == 2
    times = np.linspace(0, 2, 9)
    result = _simulate(model, times)
    a_eq = 3 * 1 / 4
    a = a_eq + (1 - a_eq) * np.exp(-4 * times)
    np.testing.assert_allclose(model.trajectory("A", result), a, rtol=RTOL)
    np.testing.assert_allclose(model.trajectory("A", result, amount=True), 2 * a, rtol=RTOL)
    # The rate is a difference of terms near 6 and 4 that cancel towards equilibrium: its absolute error is about
    # 8 times that of [A] (~1e-10 here), hence an absolute tolerance.
    np.testing.assert_allclose(model.reaction_rate("r", result), 2 * (3 * a - 1 * (3 - a)), rtol=0, atol=1e-8)
    np.testing.assert_array_equal(model.trajectory("c", result), np.full(9, 2.0))
    np.testing.assert_array_equal(model.trajectory("kr", result), np.full(9, 1.0))


def test_merged_parallel_reactions_keep_their_own_rates_and_dropped_ones_theirs():
    # r2: A -> 0 law k2*A and r3: A -> 0 law k3*A merge into one rxnn reaction of rate 5: [A] = 4 exp(-5 t);
    # r4: F -> G of boundary species changes nothing and is dropped, its rate k4*F = 7 * 0.5 stays; r5 has rate 0.
    model = _model(document(
        [species("A", 4), species("F", 0.5, boundary=True), species("G", 1, boundary=True)],
        [reaction("r2", [("A", 1)], [], ap("times", ci("k2"), ci("A"))),
         reaction("r3", [("A", 1)], [], ap("times", ci("k3"), ci("A"))),
         reaction("r4", [("F", 1)], [("G", 1)], ap("times", ci("k4"), ci("F"))),
         reaction("r5", [("A", 1)], [], ap("times", cn(0), ci("A")))],
        parameters=param("k2", 2) + param("k3", 3) + param("k4", 7)))
    assert model.network.n_reactions == 1
    times = np.linspace(0, 1, 5)
    result = _simulate(model, times)
    a = 4 * np.exp(-5 * times)
    np.testing.assert_allclose(model.reaction_rate("r2", result), 2 * a, rtol=RTOL)
    np.testing.assert_allclose(model.reaction_rate("r3", result), 3 * a, rtol=RTOL)
    np.testing.assert_allclose(model.trajectory("r4", result), np.full(5, 3.5), rtol=1e-15)
    np.testing.assert_array_equal(model.trajectory("r5", result), np.zeros(5))
    np.testing.assert_array_equal(model.trajectory("F", result), np.full(5, 0.5))


def test_a_model_without_reactions_reports_constant_values_and_rates():
    # Every species boundary: the network is empty; the reaction's rate k*S = 2 * 3 is constant.
    model = _model(document([species("S", 3, boundary=True), species("P", 0, boundary=True)],
                            [reaction("r", [("S", 1)], [("P", 1)], ap("times", ci("k"), ci("S")))],
                            parameters=param("k", 2)))
    assert model.network.n_species == 0
    result = _simulate(model, np.array([0.0, 1.0, 2.0]))
    np.testing.assert_array_equal(model.trajectory("r", result), np.full(3, 6.0))
    np.testing.assert_array_equal(model.trajectory("S", result), np.full(3, 3.0))


def test_unknown_ids_and_rates_without_values_are_named():
    model = _model(document([species("A", 1)], [reaction("r", [("A", 1)], [], ap("times", ci("k"), ci("A")))],
                            parameters=param("k")))
    result = simulate(model.network.with_rates(k=1.0), model.initial, (0.0, 1.0), [0.0, 1.0])
    with pytest.raises(InvalidArgumentError, match="'nope' is neither a species, parameter, compartment nor"):
        model.trajectory("nope", result)
    with pytest.raises(InvalidArgumentError, match="'q' is not a reaction of the SBML model .reactions: r."):
        model.reaction_rate("q", result)
    with pytest.raises(InvalidArgumentError, match="needs values for the named rate constants k"):
        model.reaction_rate("r", result)


@pytest.mark.parametrize("case", ["01369", "01381", "01389"])
def test_suite_cases_asking_for_reaction_rates_match(case):
    # Each lists a reaction id among its variables (01369: A__J2; 01381 and 01389: J1); expected results are the
    # suite's analytic ones.
    assert sbml_suite.run_semantic(sbml_suite.SUITE / "cases" / case).status == "pass"


def _sum(names):
    return ap("plus", *(ci(n) for n in names))


def test_a_law_that_expands_past_the_term_limit_is_a_limit_error_naming_the_reaction():
    # (S0 + ... + S9)^12 has C(21, 9) = 293,930 terms: refused before the product is formed.
    names = [f"S{i}" for i in range(10)]
    law = ap("times", ci("k"), ap("power", _sum(names), cn(12)))
    text = document([species(n, 1) for n in names], [reaction("hostile", [("S0", 1)], [], law)], parameters=param("k", 1))
    with pytest.raises(SBMLLimitError, match=r"reaction 'hostile' \(line \d+\): its kinetic law expands to more than "
                                             r"10000 terms") as info:
        _model(text)
    assert isinstance(info.value, LimitError) and isinstance(info.value, SBMLError)


def test_the_normalisation_deadline_is_a_limit_error_naming_the_reaction(monkeypatch):
    # With no time at all, the first law that needs the symbolic path (c*(kf*A - kr*B)) hits the deadline.
    monkeypatch.setattr(_sbml_massaction, "LAW_SECONDS", 0.0)
    law = ap("times", ci("c"), ap("minus", ap("times", ci("kf"), ci("A")), ap("times", ci("kr"), ci("B"))))
    text = document([species("A", 1), species("B", 2)], [reaction("slow", [("A", 1)], [("B", 1)], law)],
                    parameters=param("kf", 3) + param("kr", 1))
    with pytest.raises(LimitError, match=r"reaction 'slow' .*took more than 0 s .*LAW_SECONDS"):
        _model(text)
    monkeypatch.setattr(_sbml_massaction, "LAW_SECONDS", 2.0)
    assert _model(text).network.n_reactions == 2


def test_a_reaction_id_in_math_is_the_reaction_rate():
    # SBML: the symbol of a reaction is its rate. r2 (A -> B) has the law r1, and r1 (A -> 0) the law k*A, so r2
    # is A -> B at rate k: dA/dt = -2 k A. The initial assignment p := r1 is k * A(0) = 6 at t = 0. A local
    # parameter named like a reaction shadows it in its own law (r3: 0 -> C with law r3 * 2, local r3 = 0.5).
    from test_sbml_models import _assignments

    text = document([species("A", 2), species("B", 0), species("C", 0)],
                    [reaction("r1", [("A", 1)], [], ap("times", ci("k"), ci("A"))),
                     reaction("r2", [("A", 1)], [("B", 1)], ci("r1")),
                     reaction("r3", [], [("C", 1)], ap("times", ci("r3"), cn(2)), local='<localParameter id="r3" value="0.5"/>')],
                    parameters=param("k", 3) + param("p"), extra=_assignments(("p", ci("r1"))))
    model = _model(text)
    assert model.network == ReactionNetwork.from_text("A -> 0 ; 3\nA -> B ; 3\n0 -> C ; 1")
    assert model.values["p"] == 6.0
    times = np.linspace(0, 1, 5)
    result = _simulate(model, times)
    np.testing.assert_allclose(model.reaction_rate("r2", result), 3 * 2 * np.exp(-6 * times), rtol=RTOL)
    np.testing.assert_allclose(model.trajectory("C", result), times, rtol=RTOL, atol=1e-12)


def test_reaction_rates_that_name_each_other_are_refused():
    text = document([species("A", 1)], [reaction("r1", [("A", 1)], [], ci("r2")),
                                        reaction("r2", [("A", 1)], [], ci("r1"))])
    with pytest.raises(SBMLError, match=r"the rates of reactions r1, r2 refer to each other in a cycle"):
        _model(text)
