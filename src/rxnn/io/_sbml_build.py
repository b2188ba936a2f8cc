"""From a parsed and evaluated SBML document to a :class:`~rxnn.crn.network.ReactionNetwork`.

Volumes. Let V_s be the size of the compartment of species s. When all the
species of the reactions share one size V, the network's variables are
concentrations (amount / V), as in SBML; when sizes differ, they are amounts,
since mass action across compartments is mass action in the amounts: a law L
(amount per time) with species symbols [S] = n_S / V_S (or n_S for
``hasOnlySubstanceUnits``) is a polynomial in the amounts n, with one rate
constant per term (an :class:`~rxnn.io.sbml.SBMLWarning` says so). In both
cases the variable is y_s = n_s / u, with u = V or u = 1, and each term
c * prod [S]^a of a law becomes the rate constant c * prod f_s^a / u, with
f_s = u / V_s (or u for amount species), so the ODEs of y are exactly those of
the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.model import PARAMETER_NAME, SPECIES_NAME
from rxnn.crn.network import NetworkError, ReactionNetwork
from rxnn.errors import LimitError
from rxnn.io._sbml_massaction import MAX_COEFFICIENT, Law, LawLimit, Refusal, Reported, mass_action
from rxnn.io._sbml_math import MathError, evaluate, names_in, rate_trees
from rxnn.io._sbml_parse import Document, Reaction, Reference
from rxnn.io._sbml_values import Values, initial_values
from rxnn.io._xml_guard import SBMLError


class SBMLLimitError(SBMLError, LimitError):
    """A kinetic law too large or too slow to normalise (a :class:`LimitError` that is also an SBMLError)."""


@dataclass
class SBMLModel:
    """A read SBML model: the network, its initial values, and how its variables relate to SBML's.

    Attributes
    ----------
    network : ReactionNetwork
    initial : dict of str to float
        Initial values of the network's species (rxnn names).
    names : dict of str to str
        SBML species id -> rxnn species name (for every species of the model).
    unit : float
        u: a network variable is the species' amount divided by u (the common
        compartment size, or 1 when sizes differ; see :mod:`rxnn.io._sbml_build`).
    volumes : dict of str to float
        SBML species id -> size of its compartment.
    amounts : frozenset of str
        SBML species ids with ``hasOnlySubstanceUnits`` (their symbol is an amount).
    values : dict of str to float
        The value at t = 0 of every id that has one (species in their own units); constant in time for all ids
        that are not network species.
    fluxes : dict of str to tuple of (int or None, float, dict)
        SBML reaction id -> its terms ``(j, weight, powers)``: the reaction's rate (its kinetic law, amount per
        time) is the sum of ``weight * k_j * prod y^a_j`` over network reactions j (``k_j`` and ``a_j`` from the
        network's ``rate_array`` and ``reactant_matrix``; ``weight`` carries u, the sign of a backward term and
        the share of merged parallel reactions) and, for ``j`` None (a reaction dropped because it changes
        nothing), of ``weight * prod y_s^powers[s]`` over SBML species ids. A reaction dropped for rate 0 has
        no terms. :meth:`reaction_rate` evaluates it.
    """

    network: ReactionNetwork
    initial: dict[str, float]
    names: dict[str, str]
    unit: float
    volumes: dict[str, float]
    amounts: frozenset[str]
    values: dict[str, float] = field(default_factory=dict)
    fluxes: dict[str, tuple[tuple[int | None, float, dict[str, int]], ...]] = field(default_factory=dict)

    def reaction_rate(self, reaction: str, result: Any) -> np.ndarray:
        """The rate (flux, amount per time) of the SBML reaction ``reaction`` along a simulation ``result``.

        See :func:`rxnn.io._sbml_output.reaction_rate`.

        Examples
        --------
        >>> from rxnn import ReactionNetwork, simulate
        >>> from rxnn.io.sbml import read_sbml_model, sbml_string
        >>> model = read_sbml_model(sbml_string(ReactionNetwork.from_text("X -> 0 ; 2"), {"X": 3.0}).encode())
        >>> model.reaction_rate("J0", simulate(model.network, model.initial, (0.0, 1.0), [0.0]))
        array([6.])
        """
        from rxnn.io._sbml_output import reaction_rate

        return reaction_rate(self, reaction, result)

    def trajectory(self, sid: str, result: Any, *, amount: bool = False) -> np.ndarray:
        """The values of any SBML id along ``result``: species, parameter, compartment or reaction rate.

        See :func:`rxnn.io._sbml_output.trajectory`.

        Examples
        --------
        >>> from rxnn import ReactionNetwork, simulate
        >>> from rxnn.io.sbml import read_sbml_model, sbml_string
        >>> model = read_sbml_model(sbml_string(ReactionNetwork.from_text("X -> 0 ; 2"), {"X": 3.0}).encode())
        >>> model.trajectory("J0", simulate(model.network, model.initial, (0.0, 1.0), [0.0]))  # 2 * X(0)
        array([6.])
        """
        from rxnn.io._sbml_output import trajectory

        return trajectory(self, sid, result, amount=amount)


def species_names(doc: Document) -> dict[str, str]:
    names: dict[str, str] = {}
    for s in doc.species.values():
        name = s.name if s.name and is_mangled(s.id, s.name) else s.id
        if not SPECIES_NAME.match(name):
            doc.problems.append(f"species {s.id!r} (line {s.line}): its id is not an rxnn species name "
                                "(a letter, then letters, digits, '_' or \"'\"); rename it")
        names[s.id] = name
    seen: dict[str, str] = {}
    for sid, name in names.items():
        if name in seen:
            doc.problems.append(f"species {seen[name]!r} and {sid!r} would both be called {name!r}")
        seen[name] = sid
    return names


def is_mangled(sid: str, name: str) -> bool:
    """Whether ``sid`` is the id written for the rxnn name ``name`` (primes to ``_prime``, then ``_``s)."""
    if sid == name or not SPECIES_NAME.match(name):
        return False
    base = name.replace("'", "_prime")
    return sid.startswith(base) and set(sid[len(base):]) <= {"_"}


def _volumes(doc: Document, vals: Values) -> dict[str, float]:
    out = {}
    for s in doc.species.values():
        if s.compartment not in doc.compartments:
            doc.problems.append(f"species {s.id!r} (line {s.line}) is in the compartment {s.compartment!r}, "
                                "which is not defined")
            continue
        size = vals.values.get(s.compartment)
        if size is None or not (math.isfinite(size) and size > 0):
            line = doc.compartments[s.compartment][1]
            doc.problems.append(f"compartment {s.compartment!r} (line {line}) has no positive size (got {size!r})")
            continue
        out[s.id] = size
    return out


def _unit(doc: Document, vals: Values, volumes: dict[str, float]) -> float:
    used = {ref.species for r in doc.reactions for ref in (*r.reactants, *r.products)}
    used |= {m for r in doc.reactions for m in r.modifiers}
    sizes = {volumes[s] for s in used if s in volumes and s not in vals.rule_fixed}
    if len(sizes) > 1:
        listed = ", ".join(f"{c} = {vals.values[c]!r}" for c in sorted(
            {doc.species[s].compartment for s in used if s in volumes}))
        doc.notes.append(f"{doc.origin}: species live in compartments of different sizes ({listed}); the "
                         "network's variables are amounts (concentration times compartment size), in which "
                         "mass action across compartments has one rate constant per reaction")
        return 1.0
    return next(iter(sizes), 1.0)


def _stoichiometries(refs: list[Reference], vals: Values, moving: frozenset[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for ref in refs:
        if ref.species in vals.rule_fixed:
            continue  # a constant species: no change
        value = ref.stoichiometry
        if ref.math is not None and names_in(ref.math) & moving:
            raise Refusal(f"the stoichiometryMath of {ref.species!r} (line {ref.line}) depends on "
                          f"{', '.join(sorted(names_in(ref.math) & moving))}, which change in time; rxnn needs "
                          "constant integer stoichiometries")
        if ref.math is not None:
            try:
                value = evaluate(ref.math, vals.values.__getitem__, vals.functions)
            except MathError as exc:
                raise Refusal(f"the stoichiometryMath of {ref.species!r} (line {ref.line}) is not a constant "
                              f"rxnn can evaluate: {exc}") from None
        elif ref.id is not None and ref.id in vals.values:
            value = vals.values[ref.id]
        if value is None:
            raise Refusal(f"the stoichiometry of {ref.species!r} (line {ref.line}) is not given")
        if not (math.isfinite(value) and 0 <= value <= MAX_COEFFICIENT and value == int(value)):
            raise Refusal(f"the stoichiometry of {ref.species!r} (line {ref.line}) is {value!r}; mass-action "
                          f"networks need integer stoichiometries from 0 to {MAX_COEFFICIENT}")
        out[ref.species] = out.get(ref.species, 0) + int(value)
    return out


def _sets(doc: Document, vals: Values) -> dict[str, frozenset[str]]:
    """The species sets every law needs, computed once per document (cached on ``vals``)."""
    cached = getattr(vals, "_sets", None)
    if cached is None:
        cached = {
            "species": frozenset(s for s in doc.species if s not in vals.rule_fixed),
            "moving": frozenset({s.id for s in doc.species.values() if not s.boundary and s.id not in vals.rule_fixed}
                                | {"time"}),
            "named": frozenset(vals.named),
            "fixed": frozenset(s.id for s in doc.species.values() if s.boundary),
            "counts": frozenset(s.id for s in doc.species.values() if s.only_substance),
            "reactions": frozenset(r.id for r in doc.reactions),
            "rates": rate_trees(doc.reactions),
        }
        vals._sets = cached  # type: ignore[attr-defined]
    return cached


def _reaction_rows(reaction: Reaction, doc: Document, vals: Values, factors: dict[str, float],
                   unit: float) -> list[tuple[dict, dict, float | str, float]]:
    if not reaction.has_law:
        raise Refusal("it has no kinetic law")
    if reaction.math is None:
        raise Refusal("its kinetic law has no <math>")
    for ref in (*reaction.reactants, *reaction.products):
        if ref.species not in doc.species:
            raise Refusal(f"it refers to {ref.species!r} (line {ref.line}), which is not a species of the model")
    local = reaction.local

    def value(name: str) -> float:
        if name in local:
            if local[name] is None:
                raise Refusal(f"its local parameter {name!r} has no value")
            return local[name]
        return vals.values[name]

    sets = _sets(doc, vals)
    species, named, rates = sets["species"], sets["named"], sets["rates"]
    if any(name in species or name in named or name in rates for name in local):  # a local shadows a global name
        species, named = species - set(local), named - set(local)
        rates = rates.excluding(local)
    law = Law(species, value, named, vals.functions, _stoichiometries(reaction.reactants, vals, sets["moving"]),
              _stoichiometries(reaction.products, vals, sets["moving"]), sets["fixed"], sets["counts"],
              sets["reactions"], rates)
    terms, note = mass_action(reaction.math, law)
    if note:
        doc.notes.append(f"{doc.origin}: reaction {reaction.id!r}: {note}")
    rows = []
    for term, source, target in terms:
        scale = math.prod(factors[s] ** p for s, p in term.powers.items()) / unit
        if term.name is not None:
            if abs(term.coefficient) * scale != 1.0:
                raise Refusal(f"its named rate constant {term.name!r} is multiplied by other factors "
                              f"({abs(term.coefficient) * scale!r}); rxnn keeps a named rate constant only as a "
                              "plain factor (give the parameter a value)")
            if not PARAMETER_NAME.match(term.name):
                raise Refusal(f"its rate parameter {term.name!r} is not an rxnn parameter name (a letter, then "
                              "letters, digits, '_'); give it a value or rename it")
            rows.append((source, target, term.name, -1.0 if term.coefficient < 0 else 1.0))
            continue
        try:
            rate = abs(term.coefficient) * scale
        except OverflowError:
            rate = math.inf
        if not math.isfinite(rate):
            raise Refusal(f"its rate constant is {rate!r}; mass action needs a finite rate >= 0")
        rows.append((source, target, rate, -1.0 if term.coefficient < 0 else 1.0))
    return rows


def build(doc: Document) -> SBMLModel:
    """The network of an evaluated document, or :class:`SBMLError` listing every problem."""
    vals = initial_values(doc)
    names = species_names(doc)
    volumes = _volumes(doc, vals)
    unit = _unit(doc, vals, volumes)
    factors = {s: unit if doc.species[s].only_substance else unit / v for s, v in volumes.items()}
    rows: list[tuple[str, dict, dict, Any, float]] = []
    for reaction in doc.reactions:
        try:
            for source, target, rate, sign in _reaction_rows(reaction, doc, vals, factors, unit):
                rows.append((reaction.id, source, target, rate, sign))
        except Reported:
            continue
        except LawLimit as exc:
            raise SBMLLimitError(f"cannot read {doc.origin}: reaction {reaction.id!r} (line {reaction.line}): "
                                 f"{exc}") from None
        except (Refusal, KeyError) as exc:
            reason = str(exc) if isinstance(exc, Refusal) else f"the species {exc.args[0]!r} has no compartment size"
            doc.problems.append(f"reaction {reaction.id!r} (line {reaction.line}): {reason}")
    if doc.problems:
        shown = doc.problems[:25]
        more = f"\n  ... and {len(doc.problems) - 25} more" if len(doc.problems) > 25 else ""
        raise SBMLError(
            f"cannot read {doc.origin} as a mass-action reaction network ({len(doc.problems)} "
            f"problem{'s' if len(doc.problems) > 1 else ''}):\n  - " + "\n  - ".join(shown) + more
        )
    if doc.constraints:
        doc.notes.append(f"{doc.origin}: dropped {len(doc.constraints)} constraint(s) "
                         f"({', '.join(doc.constraints[:5])}); constraints only assert conditions and do not "
                         "change the ODEs")
    merged, dropped = _merge(doc, rows)
    network, initial = _assemble(doc, names, merged, vals, volumes, unit)
    amounts = frozenset(s.id for s in doc.species.values() if s.only_substance)
    fluxes = _fluxes(doc, merged, dropped, unit)
    return SBMLModel(network, initial, names, unit, volumes, amounts, dict(vals.values), fluxes)


def _fluxes(doc: Document, merged: list, dropped: list, unit: float) -> dict:
    """The terms of each SBML reaction's rate (see :class:`SBMLModel`): from the merged rows and the dropped ones."""
    out: dict[str, list] = {r.id: [] for r in doc.reactions}
    for j, (_, _, total, _, shares) in enumerate(merged):
        for rid, rate, sign in shares:
            share = 1.0 if isinstance(total, str) else rate / total
            out[rid].append((j, sign * unit * share, {}))
    for rid, source, rate, sign in dropped:  # a named rate stays a name: reaction_rate asks for its value
        out[rid].append((None, rate if isinstance(rate, str) else sign * unit * rate, dict(source)))
    return {rid: tuple(terms) for rid, terms in out.items()}


def _merge(doc: Document, rows: list) -> tuple[list, list]:
    """Rows merged by complexes: ``[source, target, rate, rids, shares]``, and the dropped rows with a rate."""
    merged: dict[tuple, list] = {}
    dropped_zero, dropped_null, dropped = [], [], []
    for rid, source, target, rate, sign in rows:
        if rate == 0.0:
            dropped_zero.append(rid)
            continue
        if source == target:
            dropped_null.append(rid)
            dropped.append((rid, source, rate, sign))
            continue
        key = (frozenset(source.items()), frozenset(target.items()))
        if key in merged:
            entry = merged[key]
            if isinstance(rate, str) or isinstance(entry[2], str):
                raise SBMLError(f"cannot read {doc.origin}: reactions {entry[3][0]!r} and {rid!r} have the same "
                                "complexes and named rate constants, whose sum rxnn cannot name; give the "
                                "parameters values")
            entry[2] += rate
            entry[3].append(rid)
            entry[4].append((rid, rate, sign))
        else:
            merged[key] = [source, target, rate, [rid], [(rid, rate, sign)]]
    if dropped_zero:
        doc.notes.append(f"{doc.origin}: dropped reactions with rate constant 0: {', '.join(dropped_zero[:10])}")
    if dropped_null:
        doc.notes.append(f"{doc.origin}: dropped reactions that change no species once boundary species are held "
                         f"constant: {', '.join(dropped_null[:10])}")
    joined = [e[3] for e in merged.values() if len(set(e[3])) > 1]
    if joined:
        doc.notes.append(f"{doc.origin}: merged parallel reactions with the same complexes by adding their rate "
                         f"constants: {'; '.join(' + '.join(ids) for ids in joined[:10])}")
    return list(merged.values()), dropped


def _assemble(doc: Document, names: dict[str, str], reactions: list, vals: Values, volumes: dict[str, float],
              unit: float) -> tuple[ReactionNetwork, dict[str, float]]:
    used: dict[str, int] = {}
    for source, target, *_ in reactions:
        for s in (*source, *target):
            used.setdefault(s, 0)
    order = [s for s in doc.species if s in used]
    index = {s: i for i, s in enumerate(order)}
    mats = []
    for side in (0, 1):
        r, c, v = [], [], []
        for j, entry in enumerate(reactions):
            for s, coef in entry[side].items():
                r.append(index[s])
                c.append(j)
                v.append(coef)
        ijv = (np.array(v, dtype=np.int64), (np.array(r, dtype=np.int64), np.array(c, dtype=np.int64)))
        mats.append(sp.csc_matrix(ijv, shape=(len(order), len(reactions))))
    rates = [e[2] for e in reactions]
    if all(isinstance(x, float) for x in rates):
        rates = np.array(rates, dtype=np.float64)
    try:
        network = ReactionNetwork.from_matrices([names[s] for s in order], mats[0], mats[1], rates)
    except NetworkError as exc:
        raise SBMLError(f"{doc.origin} does not give a valid reaction network: {exc}") from None
    unused = [s for s in doc.species if s not in used]
    if unused:
        doc.notes.append(f"{doc.origin}: dropped species in no reaction (Def. 2.1 has none; their values stay "
                         f"constant, see read_sbml_model): {', '.join(unused[:10])}" + (" ..." if len(unused) > 10 else ""))
    initial = {}
    for s in order:
        value = vals.values.get(s)
        if value is None:
            continue
        species = doc.species[s]
        amount = value if species.only_substance else value * volumes[s]
        y = amount / unit
        if not (math.isfinite(y) and y >= 0):
            raise SBMLError(f"{doc.origin}, line {species.line}: species {s!r} has the initial value {value!r}; "
                            "concentrations must be finite and >= 0")
        initial[names[s]] = y
    return network, initial
