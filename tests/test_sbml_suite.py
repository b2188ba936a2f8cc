"""The shared SBML Test Suite cases through rxnn's SBML reader (issue 14; runner in tests/sbml_suite.py).

The truth is the suite's expected results (semantic cases, within each case's absolute and relative
tolerances) and its expected means and standard deviations (the DSMTS). The full runs are marked
``validate`` (``make validate``); a deterministic sample of cases runs by default.
"""

from __future__ import annotations

import pytest

import sbml_suite

SEMANTIC = sbml_suite.semantic_cases()
STOCHASTIC = sbml_suite.stochastic_cases()


def _confirmed(outcome):
    """Whether a refusal names a feature the case really has (its tags or description; see sbml_suite.FEATURES)."""
    confirmed, other, _ = sbml_suite.refusal_features(sbml_suite.SUITE / "cases" / outcome.case, outcome.message)
    return bool(confirmed or other)


def _check(outcome):
    assert outcome.status in ("pass", "refused"), f"{outcome.case}: {outcome.status}: {outcome.message}"
    if outcome.status == "refused":
        assert _confirmed(outcome), f"{outcome.case}: {outcome.message}"


@pytest.mark.parametrize("case", SEMANTIC[::23], ids=lambda p: p.name)
def test_a_sample_of_semantic_cases_is_read_and_matches_or_is_refused_by_feature(case):
    _check(sbml_suite.run_semantic(case))


def test_plain_mass_action_cases_are_read_and_match():
    # 00001 (S1 -> S2) and 00011 (reversible pair in one compartment) are mass action: read, and they match.
    for name in ("00001", "00011"):
        outcome = sbml_suite.run_semantic(sbml_suite.SUITE / "cases" / name)
        assert outcome.status == "pass", outcome


@pytest.mark.validate
def test_every_semantic_case_matches_or_is_refused_naming_a_feature():
    outcomes = [sbml_suite.run_semantic(c) for c in SEMANTIC]
    bad = [o for o in outcomes if o.status not in ("pass", "refused") or (o.status == "refused" and not _confirmed(o))]
    assert not bad, "\n".join(f"{o.case} {o.status}: {o.message[:200]}" for o in bad)
    assert sum(o.status == "pass" for o in outcomes) >= 270
    # Every refusal names a feature that is not mass action (none only an unsupported one, such as a reaction rate
    # in math that cannot be evaluated).
    other = [o.case for o in outcomes if o.status == "refused"
             and not sbml_suite.names_feature(sbml_suite.SUITE / "cases" / o.case, o.message)]
    assert not other, other


def test_the_feature_check_is_strict():
    # A refusal's words are not enough: the feature must be one the case has. 00001 (S1 -> S2, no events) with an
    # event refusal, or a law refusal naming a reaction the case does not have, are not confirmed.
    case = sbml_suite.SUITE / "cases" / "00001"
    assert not sbml_suite.names_feature(case, "x (1 problem):\n  - event 'e' (line 3); events change the state")
    assert not sbml_suite.names_feature(case, "x (1 problem):\n  - reaction 'nope' (line 3): the law k: in its "
                                              "forward term 1.0, 'S1' has stoichiometry 1 but appears to the power 0; "
                                              "mass action needs them equal")
    assert sbml_suite.names_feature(sbml_suite.SUITE / "cases" / "00029",
                                    "x (1 problem):\n  - rate rule for 'S1' (line 3); rxnn networks ...") is False
    events = next(c for c in SEMANTIC if any(t.startswith("Event") for t in sbml_suite.case_tags(c)))
    assert sbml_suite.names_feature(events, "x (1 problem):\n  - event 'e' (line 3); events change the state")


# 00001 (birth-death, stationary in mean) and 00007 (immigration-death); 00003 (decay to extinction) is left to
# the full run: its counts are far from normal, so its variance statistic Y spreads wider than the range assumes
# at small N.
DSMTS_QUICK = [c for c in STOCHASTIC if c.name in ("00001", "00007")]


@pytest.mark.parametrize("case", DSMTS_QUICK, ids=lambda p: p.name)
def test_dsmts_birth_death_quick(case):
    outcome = sbml_suite.run_stochastic(case, 1000)
    assert outcome.status == "pass", outcome.message


@pytest.mark.validate
def test_dsmts_cases_without_events_pass_mean_and_variance_tests_with_10_000_repeats():
    outcomes = [sbml_suite.run_stochastic(c, 10_000) for c in STOCHASTIC]
    read = [o for o in outcomes if o.status != "refused"]
    failed = [o for o in read if o.status != "pass"]
    assert read and not failed, "\n".join(f"{o.case} {o.status}: {o.message}" for o in failed)
