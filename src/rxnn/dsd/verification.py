"""Check a design against its formal network with crnverifier.

The implementation network is peppercorn's condensed network
(:mod:`rxnn.dsd.enumeration`) with the fuels removed (gates, fuels and
backward strands are in excess, so they are treated as constant and dropped
from every reaction, as Nuskell does). Each signal complex is interpreted as
its formal species; a waste species (one that is never a reactant) is
interpreted as nothing, so that a design cannot pass by hiding a wrong
product in a waste.

Methods (:data:`METHODS`):

``"bisimulation"``
    CRN bisimulation (Johnson, Dong & Winfree, Theor. Comput. Sci. 2019) of
    the whole design, or of each module if ``per_module=True``.
``"modular-bisimulation"``
    crnverifier's modular CRN bisimulation: each module against its formal
    reaction, with the modularity condition between modules.
``"pathway"``
    Pathway decomposition equivalence (Shin, Thachuk & Winfree, Theor.
    Comput. Sci. 2019) of the whole design. lakin2012 as published fails it
    and the modularity condition (one unfueled strand per module, see
    :class:`~rxnn.dsd.schemes.Lakin2012`); bisimulation, the default, holds.

For a design too large to enumerate whole, ``per_type=True`` checks one
module per reaction type: modules of one type are built by one function of
the type and differ only in names (:attr:`DSDModule.type_key`), so the
verdict carries over by renaming; cross-talk between modules is then not
checked (enumerate the whole design for that).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from rxnn.dsd._pil import DSDError
from rxnn.dsd.design import DSDDesign
from rxnn.dsd.enumeration import MAX_MODULES, Enumeration, enumerate_design

__all__ = ["METHODS", "ModuleCheck", "VerificationReport", "verify_design", "implementation_crn", "formal_readout",
           "formal_values", "species_readout", "network_arguments"]

METHODS = ("bisimulation", "modular-bisimulation", "pathway")


@dataclass(frozen=True)
class ModuleCheck:
    """The verdict on one group of modules (the whole design, one module, or one reaction type).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> check = verify_design(translate(ReactionNetwork.from_text("A + B -> C"))).checks[0]
    >>> check.modules, check.formal, check.passed
    ((0,), ('A + B -> C',), True)
    """

    modules: tuple[int, ...]
    formal: tuple[str, ...]
    passed: bool
    seconds: float
    n_implementation_reactions: int
    represents: int = 1


@dataclass(frozen=True)
class VerificationReport:
    """What crnverifier established about a design.

    Attributes
    ----------
    method : str
    passed : bool
        Every check passed.
    checks : tuple of ModuleCheck
    statement : str
        In words: which method established what, for which modules.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> report = verify_design(translate(ReactionNetwork.from_text("A + B -> C")))
    >>> report.method, bool(report), str(report).splitlines()[0][:24]
    ('bisimulation', True, 'PASS: CRN bisimulation (')
    """

    method: str
    passed: bool
    checks: tuple[ModuleCheck, ...]
    statement: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [f"{'PASS' if self.passed else 'FAIL'}: {self.statement}"]
        for c in self.checks[:20]:
            where = f"module {c.modules[0]}" if len(c.modules) == 1 else f"{len(c.modules)} modules"
            extra = f" (stands for {c.represents} modules of its type)" if c.represents > 1 else ""
            lines.append(
                f"  {where}: {'; '.join(c.formal[:3])}{' ...' if len(c.formal) > 3 else ''} -> "
                f"{'True' if c.passed else 'False'} [{c.n_implementation_reactions} condensed reactions, "
                f"{c.seconds:.2f} s]{extra}"
            )
        if len(self.checks) > 20:
            lines.append(f"  ... {len(self.checks) - 20} more")
        return "\n".join(lines)


def _formal_crn(design: DSDDesign, modules: list[int]) -> list[list[list[str]]]:
    return [[list(design.modules[j].reactants), list(design.modules[j].products)] for j in modules]


def implementation_crn(design: DSDDesign, enumeration: Enumeration, *, tag: str = "") -> tuple[list, dict]:
    """The condensed network with fuels removed, signals renamed to their formal species.

    Returns ``(crn, interpretation)``: crn as crnverifier's ``[[reactants],
    [products]]`` lists; non-signal species are written ``#<tag><name>``;
    the interpretation maps each waste (never a reactant) to ``[]``.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> design = translate(ReactionNetwork.from_text("A -> B"), "lakin2012")
    >>> crn, interpretation = implementation_crn(design, enumerate_design(design))
    >>> len(crn), sorted({x for r, p in crn for x in r + p if not x.startswith("#")})  # signals renamed
    (5, ['A', 'B'])
    >>> list(interpretation.values())  # one waste, interpreted as nothing
    [[]]
    """
    macro = enumeration.macrostate_of
    fuels = {macro[n] for n in design.fuel_species if n in macro}
    signal_of = {macro[c]: s for s, c in design.signal_species.items() if c in macro}

    def rename(x: str) -> str:
        return signal_of.get(x, f"#{tag}{x}")

    crn = []
    for reactants, products in enumeration.condensed:
        r = sorted(rename(x) for x in reactants if x not in fuels)
        p = sorted(rename(x) for x in products if x not in fuels)
        if r != p:
            crn.append([r, p])
    consumed = {x for r, _ in crn for x in r}
    species = {x for r, p in crn for x in (*r, *p)}
    interpretation = {x: [] for x in species if x.startswith("#") and x not in consumed}
    return crn, interpretation


def _check(design: DSDDesign, modules: list[int], method: str, represents: int = 1) -> tuple[ModuleCheck, list, list, dict]:
    from crnverifier import crn_bisimulation_test, pathway_decomposition_eq

    start = time.perf_counter()
    enumeration = enumerate_design(design, modules=modules, max_modules=max(MAX_MODULES, len(modules)))
    tag = f"m{modules[0]}:" if len(modules) == 1 else ""
    icrn, waste = implementation_crn(design, enumeration, tag=tag)
    fcrn = _formal_crn(design, modules)
    formals = {s for r in fcrn for side in r for s in side}
    signals = {s for r in icrn for side in r for s in side if not s.startswith("#")}
    formals |= signals
    interpretation = {s: [s] for s in formals} | waste
    if method == "pathway":
        passed = bool(pathway_decomposition_eq([fcrn, icrn], set(formals)))
    else:
        passed, _ = crn_bisimulation_test(fcrn, icrn, formals=set(formals), interpretation=interpretation)
    check = ModuleCheck(tuple(modules), tuple(design.modules[j].formal_reaction for j in modules), bool(passed),
                        time.perf_counter() - start, len(icrn), represents)
    return check, fcrn, icrn, interpretation


def verify_design(
    design: DSDDesign,
    *,
    method: str = "bisimulation",
    per_module: bool = False,
    per_type: bool = False,
    max_modules: int = MAX_MODULES,
) -> VerificationReport:
    """Verify a design against its formal network with crnverifier.

    Parameters
    ----------
    design : DSDDesign
    method : {"bisimulation", "modular-bisimulation", "pathway"}
        See the module docstring.
    per_module : bool, default False
        Check every module on its own (enumerated alone) instead of the
        whole design (which also checks cross-talk between modules).
    per_type : bool, default False
        Check one module per reaction type (implies per-module checks).
    max_modules : int
        Bound on the modules enumerated in one run for a whole-design check.

    Returns
    -------
    VerificationReport

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> bool(translate(ReactionNetwork.from_text("A + B -> C")).verify())
    True
    """
    if method not in METHODS:
        raise DSDError(f"method of verify_design must be one of {list(METHODS)}; got {method!r}")
    try:
        import crnverifier  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        raise DSDError("verification needs crnverifier: pip install 'rxnn[dsd]'") from None
    if design.n_modules == 0:
        raise DSDError("the design has no modules (the formal network has no reactions)")
    if per_type:
        groups = [(list(idx[:1]), len(idx)) for idx in design.reaction_types.values()]
    elif per_module or method == "modular-bisimulation":
        groups = [([m.index], 1) for m in design.modules]
    else:
        groups = [(list(range(design.n_modules)), 1)]
        if design.n_modules > max_modules:
            raise DSDError(
                f"the design has {design.n_modules} modules, more than max_modules={max_modules} to enumerate at once; "
                "use per_type=True (one module per reaction type) or per_module=True"
            )
    if method == "modular-bisimulation":
        return _modular(design, groups)
    checks = [_check(design, mods, method, rep)[0] for mods, rep in groups]
    scope = {
        (False, False): "the whole design (all modules enumerated together, so cross-talk is included)",
        (True, False): "every module enumerated on its own (cross-talk between modules not checked)",
    }.get((per_module, per_type), "one module per reaction type, standing for all modules of that type by renaming "
                                  "(cross-talk between modules not checked)")
    name = {"bisimulation": "CRN bisimulation", "pathway": "pathway decomposition equivalence"}[method]
    passed = all(c.passed for c in checks)
    statement = (f"{name} (crnverifier) of the condensed domain-level network, fuels removed, against the formal "
                 f"reactions: {scope}")
    return VerificationReport(method, passed, tuple(checks), statement)


def _modular(design: DSDDesign, groups: list) -> VerificationReport:
    from crnverifier import modular_crn_bisimulation_test

    checks, fcrns, icrns, interpretation = [], [], [], {}
    for mods, rep in groups:
        check, fcrn, icrn, inter = _check(design, mods, "bisimulation", rep)
        checks.append(check)
        fcrns.append(fcrn)
        icrns.append(icrn)
        interpretation.update(inter)
    formals = {s for f in fcrns for r in f for side in r for s in side}
    passed, _ = modular_crn_bisimulation_test(fcrns, icrns, formals=formals, interpretation=interpretation)
    passed = bool(passed) and all(c.passed for c in checks)
    statement = ("modular CRN bisimulation (crnverifier) of the modules, each enumerated on its own, fuels removed, "
                 "with the modularity condition between modules")
    return VerificationReport("modular-bisimulation", passed, tuple(checks), statement)


def _bisimulation(design: DSDDesign, enumeration: Enumeration, modules: list[int]) -> dict[str, list[str]]:
    from crnverifier import crn_bisimulation_test

    icrn, waste = implementation_crn(design, enumeration)
    fcrn = _formal_crn(design, modules)
    formals = {s for r in fcrn for side in r for s in side} | {
        s for r in icrn for side in r for s in side if not s.startswith("#")}
    passed, bisim = crn_bisimulation_test(fcrn, icrn, formals=formals,
                                          interpretation={s: [s] for s in formals} | waste)
    if not passed:
        raise DSDError(f"modules {modules[:5]} do not verify (no CRN bisimulation); their DNA species have no "
                       "formal reading")
    return bisim


def formal_readout(design: DSDDesign, enumeration: Enumeration, *, modular: bool = False) -> dict[str, dict[str, int]]:
    """How much of each formal species every species of an enumerated network holds (its CRN bisimulation).

    A signal strand bound in a gate still counts as its formal species (the
    interpretation crnverifier finds, e.g. ``G1 := A``), so the formal
    concentration of X is the sum over DNA species of count x concentration.

    Parameters
    ----------
    design : DSDDesign
    enumeration : Enumeration
        From :func:`~rxnn.dsd.enumerate_design` of the whole design
        (``modular`` as it was enumerated).
    modular : bool
        The enumeration was modular: interpret one module per type and rename.

    Returns
    -------
    dict of str to dict of str to int
        DNA species -> {formal species: count}; fuels and wastes are absent.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> design = translate(ReactionNetwork.from_text("A -> B"), "lakin2012")
    >>> readout = formal_readout(design, enumerate_design(design))
    >>> readout["s_A"], readout["s_B"], sorted(map(str, readout.values()))  # two bound forms of A
    ({'A': 1}, {'B': 1}, ["{'A': 1}", "{'A': 1}", "{'A': 1}", "{'B': 1}"])
    """
    readout: dict[str, dict[str, int]] = {}

    def add(species: str, formal: list[str]) -> None:
        if formal:
            counts: dict[str, int] = {}
            for f in formal:
                counts[f] = counts.get(f, 0) + 1
            readout[species] = counts

    if not modular:
        for k, v in _bisimulation(design, enumeration, list(range(design.n_modules))).items():
            add(design.signal_species.get(k, k.lstrip("#")), v)
        return readout
    for members in design.reaction_types.values():
        i = members[0]
        template = enumerate_design(design, modules=[i])
        bisim = _bisimulation(design, template, [i])
        mi = design.modules[i]
        for j in members:
            mj = design.modules[j]
            formal = dict(zip((*mi.reactants, *mi.products), (*mj.reactants, *mj.products)))
            names = dict(zip(mi.complexes, mj.complexes))
            for k, v in bisim.items():
                if k.startswith("#"):
                    x = k[1:]
                    species = x if i == j else names.get(x, f"m{j}_{x}")
                else:
                    species = design.signal_species[formal[k]]
                add(species, [formal[f] for f in v])
    return readout


def formal_values(readout: dict[str, dict[str, int]], result: Any) -> dict[str, np.ndarray]:
    """Formal species concentrations (nM) from a simulation of the DNA network: sums over :func:`formal_readout`.

    Examples
    --------
    ``A -> B`` at the DNA level for two formal time units: A = e^-2 = 0.135
    formal units (the scheme's rate law holds to about 1%):

    >>> from rxnn import ReactionNetwork, simulate
    >>> from rxnn.dsd import translate
    >>> design = translate(ReactionNetwork.from_text("A -> B"), "lakin2012")
    >>> e = enumerate_design(design)
    >>> t = 2 * design.time_unit_s
    >>> res = simulate(e.network, e.initial_state(design, {"A": 1.0}), (0, t), t_eval=[t])
    >>> values = formal_values(formal_readout(design, e), res)
    >>> [round(float(values[s][-1] / design.unit_nM), 2) for s in ("A", "B")]
    [0.14, 0.86]
    """
    out: dict[str, np.ndarray] = {}
    species = set(result.species) if hasattr(result, "species") else None
    for name, counts in readout.items():
        if species is not None and name not in species:
            continue
        values = np.asarray(result[name], dtype=float)
        for f, c in counts.items():
            out[f] = out.get(f, 0.0) + c * values
    return out


def species_readout(design: DSDDesign, species: str, enumeration: Enumeration | None = None) -> dict[str, float]:
    """The linear readout of a formal species: every DNA species that holds it, weight = count / unit_nM.

    Its free signal strand comes first (a start of the species goes there,
    see :func:`rxnn.verify_network`); the counts are crnverifier's CRN
    bisimulation (:func:`formal_readout`), so a strand bound in a gate
    counts. The weighted sum of concentrations (nM) is the formal amount
    (formal units). Where several bisimulations exist, the one crnverifier
    finds decides how a short-lived intermediate is read (the output strand
    of ``A -> B`` as A or as B); the free and gate-bound strands are fixed.

    Parameters
    ----------
    design : DSDDesign
    species : str
        A formal species of the design's network.
    enumeration : Enumeration, optional
        The design enumerated one module per type (``modular=True``, the default).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> design = translate(ReactionNetwork.from_text("A -> B"), "soloveichik2010")
    >>> r = design.readout("A")  # the free strand first (weight 1 / unit_nM = 1)
    >>> next(iter(r)), all(w == 1.0 for w in r.values())
    ('s_A', True)
    """
    if species not in design.signal_species:
        raise DSDError(f"{species!r} is not a species of the formal network; species: {list(design.signal_species)[:8]}")
    if enumeration is None:
        enumeration = enumerate_design(design, modular=True)
    return _readout_from(design, enumeration, formal_readout(design, enumeration, modular=True), species)


def network_arguments(design: DSDDesign, compiled: Any, enumeration: Enumeration | None = None, *,
                      horizon: float | None = None, d: Any = None, depletion: float = 0.01) -> dict[str, Any]:
    """Arguments of :func:`rxnn.verify_network` for the DNA-level network of a compiled network's design.

    The enumerated network (rates times :attr:`DSDDesign.time_unit_s`, so
    that its time is formal time), the compiled network's reference, every
    layer's species as readouts (:func:`species_readout`) and the initial
    concentrations (nM) of every other DNA species: fuels and gates as
    designed, the enzymes (weights, biases, H) as the compiled network sets
    them. Call ``verify_network(network_arguments(...)["implementation"],
    inputs, **rest)``; its tolerances are then in formal units.

    Parameters
    ----------
    design : DSDDesign
        A translation of ``compiled.network``.
    compiled : CompiledNetwork
    enumeration : Enumeration, optional
        ``enumerate_design(design, modular=True)`` (computed if not given).
    horizon : float, optional
        Also give ``horizon`` and ``initial_bound``, the box of starts the
        fuels serve for that long on inputs ``d`` (:func:`rxnn.dsd.servable_box`
        with ``depletion``), so that ``verify_network`` checks the design
        where it can compute the network, at that finite time.
    d : array_like, optional
        The inputs (needed with ``horizon``).
    depletion : float, default 0.01

    Returns
    -------
    dict with keys implementation, reference, layers, initial (and horizon, initial_bound)

    Examples
    --------
    >>> from rxnn import FeedForwardNetwork, ReLU, compile_network
    >>> from rxnn.dsd import translate
    >>> compiled = compile_network(FeedForwardNetwork.random([1, 1], ReLU(), seed=0), absorb_enzymes=True)
    >>> args = network_arguments(translate(compiled.network, "soloveichik2010"), compiled)
    >>> sorted(args), [next(iter(layer[0])) for layer in args["layers"]]  # each node's free strand first
    (['implementation', 'initial', 'layers', 'reference'], ['s_X0_1', 's_X1_1'])
    """
    from rxnn.crn.model import Reaction
    from rxnn.crn.network import ReactionNetwork

    if enumeration is None:
        enumeration = enumerate_design(design, modular=True)
    tau = design.time_unit_s
    network = ReactionNetwork([Reaction(r.reactants, r.products, r.rate * tau) for r in enumeration.network.reactions])
    sizes = compiled.source.layer_sizes
    layer_species = [compiled.layer_species(layer) for layer in range(len(sizes))]
    readout = formal_readout(design, enumeration, modular=True)
    layers = []
    for names in layer_species:
        layers.append([_readout_from(design, enumeration, readout, s) for s in names])
    members = {s for names in layer_species for s in names}
    fixed = {k: float(v) for k, v in compiled.initial_state(np.zeros(sizes[0]), 0.0).items() if k not in members}
    initial = enumeration.initial_state(design, {k: v for k, v in fixed.items() if k in design.signal_species})
    out = {"implementation": network, "reference": compiled.source, "layers": layers, "initial": initial}
    if horizon is not None:
        from rxnn.dsd.fuel import servable_box

        if d is None:
            raise DSDError("network_arguments needs the inputs d with horizon (the box of starts depends on them)")
        out.update(horizon=float(horizon), initial_bound=servable_box(design, compiled, d, horizon=horizon,
                                                                       depletion=depletion))
    return out


def _readout_from(design: DSDDesign, enumeration: Enumeration, readout: dict, species: str) -> dict[str, float]:
    macro = enumeration.macrostate_of
    free = design.signal_species[species]
    out = {macro.get(free, free): 1.0 / design.unit_nM}
    for name, counts in readout.items():
        if species in counts and name != free:
            key = macro.get(name, name)
            out[key] = out.get(key, 0.0) + counts[species] / design.unit_nM
    return out
