"""DNA strand-displacement designs of reaction networks: translate, enumerate, verify, budget.

A reaction network (in particular a compiled neural network, §5.2 and
Table 1, or its absorbed form, §5.1) becomes a set of DNA strands and
complexes by a published translation scheme (:mod:`rxnn.dsd.schemes`);
peppercorn enumerates the domain-level reactions
(:mod:`rxnn.dsd.enumeration`), crnverifier checks them against the formal
reactions (:mod:`rxnn.dsd.verification`) and :mod:`rxnn.dsd.resources`
counts what a lab needs. peppercornenumerator and crnverifier come with the
``dsd`` extra; translation, PIL writing and budgets need neither.

Units throughout: concentrations in nM, time in s, rate constants in
/nM^(n-1)/s for n reactants.
"""

from rxnn.dsd._pil import DSDError, PilComplex
from rxnn.dsd.design import DSDDesign, DSDModule, translate
from rxnn.dsd.schemes import SCHEMES, Scheme

__all__ = [
    "DSDDesign",
    "DSDError",
    "DSDModule",
    "PilComplex",
    "SCHEMES",
    "Scheme",
    "translate",
    "Enumeration",
    "enumerate_design",
    "VerificationReport",
    "verify_design",
    "formal_readout",
    "formal_values",
    "species_readout",
    "network_arguments",
    "budget_table",
    "design_budget",
    "design_summary",
    "FuelBound",
    "fuel_horizon",
    "servable_box",
]


def __getattr__(name: str):
    # The enumeration and verification modules import peppercorn/crnverifier lazily; keep import rxnn.dsd light.
    if name in ("enumerate_design", "Enumeration"):
        from rxnn.dsd import enumeration

        return getattr(enumeration, name)
    if name in ("verify_design", "VerificationReport", "formal_readout", "formal_values", "species_readout",
                "network_arguments"):
        from rxnn.dsd import verification

        return getattr(verification, name)
    if name in ("FuelBound", "fuel_horizon", "servable_box"):
        from rxnn.dsd import fuel

        return getattr(fuel, name)
    if name in ("budget_table", "design_budget", "design_summary"):
        from rxnn.dsd import resources

        return getattr(resources, name)
    raise AttributeError(f"module 'rxnn.dsd' has no attribute {name!r}")
