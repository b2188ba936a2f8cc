"""Enumerate a design with peppercorn and return the condensed network as an rxnn network.

Peppercorn (Badelt, Grun, Sarma, Wolfe, Shin & Winfree, J. R. Soc.
Interface 2020) enumerates the domain-level reactions of the PIL from
:meth:`DSDDesign.to_pil` with its default settings, then condenses the fast
unimolecular reactions into reactions between resting macrostates. The
condensed network has rate constants in /nM^(n-1)/s (time in s,
concentrations in nM) and is an ordinary :class:`~rxnn.crn.ReactionNetwork`.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from rxnn.crn.model import Reaction
from rxnn.crn.network import ReactionNetwork
from rxnn.dsd._pil import DSDError
from rxnn.dsd.design import DSDDesign
from rxnn.errors import LimitError

__all__ = ["Enumeration", "enumerate_design", "enumerate_pil_text", "MAX_MODULES"]

#: Largest number of modules enumerated in one peppercorn run unless the caller raises it
#: (peppercorn's cost grows with the square of the resting complexes; ~0.1-1 s per module).
MAX_MODULES = 200

_CACHE: dict[tuple, Enumeration] = {}
_CACHE_SIZE = 32


@dataclass(frozen=True, eq=False)
class Enumeration:
    """The result of enumerating a PIL design.

    Attributes
    ----------
    network : ReactionNetwork
        Condensed reactions between resting macrostates, rates in
        /nM^(n-1)/s; leak reactions appended when asked for.
    macrostate_of : dict of str to str
        Every resting complex -> the name of its macrostate (a species of ``network``).
    initial_nM : dict of str to float
        Initial concentration (nM) of every macrostate, from the PIL.
    n_resting, n_transient, n_detailed : int
        Resting and transient complexes and detailed reactions.
    seconds : float
        Wall time of the enumeration and condensation.
    condensed : list of [reactants, products]
        The condensed reactions as crnverifier reads them (leaks excluded).

    Examples
    --------
    >>> from rxnn.dsd import translate
    >>> design = translate(ReactionNetwork.from_text("A + B -> C"))
    >>> e = enumerate_design(design)
    >>> e.network.n_reactions, e.initial_nM[e.macrostate_of["f_1"]]  # a fuel, as designed
    (4, 1000.0)
    >>> e.initial_state(design, {"A": 2.0})[e.macrostate_of["s_A"]]  # 2 formal units of 1 nM
    2.0
    """

    network: ReactionNetwork
    macrostate_of: dict[str, str]
    initial_nM: dict[str, float]
    n_resting: int
    n_transient: int
    n_detailed: int
    seconds: float
    condensed: list = field(repr=False)

    def initial_state(self, design: DSDDesign, formal: Mapping[str, float] | None = None) -> dict[str, float]:
        """Initial concentrations (nM) of the network's species: fuels as designed, signals from formal units."""
        state = dict.fromkeys(self.network.species, 0.0)
        for name, value in design.initial_state(formal).items():
            macro = self.macrostate_of.get(name)
            if macro in state:
                state[macro] += value
        return state


#: Python's recursion limit while peppercorn enumerates (its own default of 10**6 is process-wide).
_ENUMERATION_RECURSION_LIMIT = 20_000


def enumerate_pil_text(pil: str) -> Enumeration:
    """Enumerate a PIL document with peppercorn's defaults; see :func:`enumerate_design`.

    Examples
    --------
    >>> from rxnn.dsd import translate
    >>> e = enumerate_pil_text(translate(ReactionNetwork.from_text("A + B -> C")).to_pil())
    >>> e.n_resting, e.network.n_reactions
    (10, 4)
    """
    key = (pil,)
    if key in _CACHE:
        return _CACHE[key]
    # peppercornenumerator sets sys.setrecursionlimit(10**6) when imported, for the whole process: past
    # that, a deep recursion anywhere (json's C decoder on nested input, say) overflows the C stack and
    # crashes. Keep the caller's limit outside the enumeration and a raised one only inside it.
    limit = sys.getrecursionlimit()
    try:
        from peppercornenumerator import Enumerator, PolymerizationError
        from peppercornenumerator.input import read_pil
        from peppercornenumerator.objects import clear_memory
    except ImportError:  # pragma: no cover - depends on the environment
        raise DSDError("enumeration needs peppercornenumerator: pip install 'rxnn[dsd]'") from None
    finally:
        sys.setrecursionlimit(limit)
    logging.getLogger("peppercornenumerator").setLevel(logging.ERROR)
    start = time.perf_counter()
    clear_memory()
    try:
        complexes, _ = read_pil(pil)
        named = list(complexes.values())
        # Every complex starts the enumeration, signals at 0 nM too: a reactant that is
        # absent at the start is still a reactant.
        enum = Enumerator(named, named_complexes=named)
        sys.setrecursionlimit(max(limit, _ENUMERATION_RECURSION_LIMIT))
        try:
            enum.enumerate()
            enum.condense()
        finally:
            sys.setrecursionlimit(limit)
        macro_of: dict[str, str] = {}
        for m in enum.resting_macrostates:
            for c in m.complexes:
                macro_of[c.name] = m.name
        conc = {}
        for c in named:
            if c.name in macro_of and c.concentration is not None:
                conc[macro_of[c.name]] = conc.get(macro_of[c.name], 0.0) + _to_nM(c.concentration)
        reactions, condensed = [], []
        for r in enum.condensed_reactions:
            n = r.arity[0]
            k, _ = r.rateformat("/nM" * (n - 1) + "/s")
            reactants = [x.name for x in r.reactants]
            products = [x.name for x in r.products]
            condensed.append([reactants, products])
            reactions.append(Reaction(_counts(reactants), _counts(products), float(k)))
        result = Enumeration(
            network=ReactionNetwork(reactions),
            macrostate_of=macro_of,
            initial_nM=conc,
            n_resting=len(list(enum.resting_complexes)),
            n_transient=len(list(enum.transient_complexes)),
            n_detailed=len(list(enum.detailed_reactions)),
            seconds=time.perf_counter() - start,
            condensed=condensed,
        )
    except PolymerizationError as exc:
        raise DSDError(f"peppercorn stopped: {exc} (the design polymerises; check for a domain shared by mistake)") from None
    finally:
        clear_memory()
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = result
    return result


def _to_nM(concentration: tuple) -> float:
    _, value, unit = concentration
    factor = {"M": 1e9, "mM": 1e6, "uM": 1e3, "nM": 1.0, "pM": 1e-3}[unit]
    return float(value) * factor


def _counts(names: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for n in names:
        out[n] = out.get(n, 0) + 1
    return out


def _renamed_module(design: DSDDesign, template: Enumeration, i: int, j: int) -> Enumeration:
    """Module j's condensed network from the enumeration of module i of the same type, by renaming."""
    mi, mj = design.modules[i], design.modules[j]
    names: dict[str, str] = {}
    for a, b in zip((*mi.reactants, *mi.products), (*mj.reactants, *mj.products)):
        names[design.signal_species[a]] = design.signal_species[b]
    names.update(zip(mi.complexes, mj.complexes))

    def rename(x: str) -> str:
        return names.get(x, f"m{j}_{x}")

    reactions, condensed = [], []
    for r in template.network.reactions:
        reactions.append(Reaction({rename(k): v for k, v in r.reactants.items()},
                                  {rename(k): v for k, v in r.products.items()}, r.rate))
    for reactants, products in template.condensed:
        condensed.append([[rename(x) for x in reactants], [rename(x) for x in products]])
    macro = {rename(k): rename(v) for k, v in template.macrostate_of.items()}
    return Enumeration(ReactionNetwork(reactions), macro, {}, template.n_resting, template.n_transient,
                       template.n_detailed, 0.0, condensed)


def _modular(design: DSDDesign, chosen: list[int]) -> Enumeration:
    """Enumerate one module per reaction type alone and rename it into every module of its type."""
    start = time.perf_counter()
    templates: dict[tuple, tuple[int, Enumeration]] = {}
    parts = []
    for j in chosen:
        key = design.modules[j].type_key
        if key not in templates:
            templates[key] = (j, enumerate_pil_text(design.to_pil([j])))
        i, template = templates[key]
        parts.append(template if i == j else _renamed_module(design, template, i, j))
    network = ReactionNetwork([r for p in parts for r in p.network.reactions])
    clash = set(network.species) & set(design.signal_species) - set(design.signal_species.values())
    if clash:
        raise DSDError(f"formal species {sorted(clash)[:3]} collide with names of enumerated complexes; rename them")
    macro: dict[str, str] = {}
    for p in parts:
        macro.update(p.macrostate_of)
    initial = {macro[n]: c.nM for n, c in design.complexes.items() if n in macro}
    return Enumeration(network, macro, initial, sum(p.n_resting for p in parts), sum(p.n_transient for p in parts),
                       sum(p.n_detailed for p in parts), time.perf_counter() - start,
                       [r for p in parts for r in p.condensed])


def enumerate_design(
    design: DSDDesign,
    *,
    modules: list[int] | None = None,
    modular: bool = False,
    leak_per_s: float = 0.0,
    max_modules: int = MAX_MODULES,
) -> Enumeration:
    """Enumerate a design (or some of its modules) with peppercorn and condense it.

    Parameters
    ----------
    design : DSDDesign
    modules : list of int, optional
        Enumerate only these modules with the signals and fuels they use
        (one module per reaction type checks a large design).
    leak_per_s : float, default 0
        Add a leak to every module that makes something: its gate releases
        the net product signals without its inputs, ``G -> P1 + ... + Pk``
        at this first-order rate (/s); net: a reactant that is also a
        product (a catalyst, such as the input X' of ``X' + X -> X' + 2X``)
        is not released, so that inputs stay fixed (eq. (11)). A leak of a gate with a bimolecular leak rate
        k_leak (/nM/s) against a fuel at C nM is ``leak_per_s = k_leak * C``.
    modular : bool, default False
        Enumerate one module per reaction type on its own and obtain every
        other module of that type by renaming (its modules differ only in
        names): seconds instead of a joint enumeration whose cost grows with
        the square of the complexes, but reactions *between* modules
        (cross-talk) are then not enumerated. Counts add up over modules.
    max_modules : int, default MAX_MODULES
        Refuse to enumerate more modules than this in one run (time bound;
        not applied with ``modular=True``, which enumerates one module per type).

    Returns
    -------
    Enumeration

    Raises
    ------
    LimitError
        If more than ``max_modules`` modules would be enumerated.
    DSDError
        If peppercorn is missing or the design polymerises.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate, enumerate_design
    >>> e = enumerate_design(translate(ReactionNetwork.from_text("A + B -> C")))
    >>> e.n_resting, e.n_transient, e.n_detailed, e.network.n_reactions
    (10, 5, 14, 4)
    """
    chosen = list(range(design.n_modules)) if modules is None else [int(j) for j in modules]
    if len(chosen) > max_modules and not modular:
        raise LimitError(
            f"enumerating {len(chosen)} modules in one run exceeds max_modules={max_modules} (hours of peppercorn); "
            "enumerate one module per reaction type (rxnn.dsd.verification.verify_design(..., per_type=True)) "
            "or raise max_modules"
        )
    for j in chosen:
        if not 0 <= j < design.n_modules:
            raise DSDError(f"module {j} does not exist; the design has modules 0..{design.n_modules - 1}")
    result = _modular(design, chosen) if modular else enumerate_pil_text(design.to_pil(chosen))
    if leak_per_s < 0 or leak_per_s != leak_per_s:
        raise DSDError(f"leak_per_s of enumerate_design must be a finite number >= 0; got {leak_per_s!r}")
    if leak_per_s == 0:
        return result
    leaks = []
    for j in chosen:
        m = design.modules[j]
        made = list(m.products)
        for r in m.reactants:  # the net products: a catalyst's strand is not made by a leak
            if r in made:
                made.remove(r)
        if made:
            gate = result.macrostate_of[m.gate]
            products = _counts([result.macrostate_of[design.signal_species[p]] for p in made])
            leaks.append(Reaction({gate: 1}, products, float(leak_per_s)))
    network = result.network.union(ReactionNetwork(leaks)) if leaks else result.network
    return Enumeration(network, result.macrostate_of, result.initial_nM, result.n_resting, result.n_transient,
                       result.n_detailed, result.seconds, result.condensed)
