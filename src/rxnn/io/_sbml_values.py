"""The values of an SBML model at t = 0: sizes, parameters, species, stoichiometries, assignments, rules.

SBML gives a value to an id by an attribute (``size``, ``value``,
``initialConcentration``, ``initialAmount``, ``stoichiometry``), by an
initial assignment (which overrides the attribute) or by an assignment rule.
:func:`initial_values` evaluates them all at t = 0 with the safe evaluator of
:mod:`rxnn.io._sbml_math`, in dependency order (repeated passes until nothing
changes; what is left names the id it waits for, or a cycle). A species'
value is in its own units: an amount when it has ``hasOnlySubstanceUnits``,
otherwise a concentration.

An assignment rule is kept only when its value is constant in time: it names
no species that reactions change and no ``time`` (so it equals its value at
t = 0); a rule that follows the state is refused, since a reaction network is
governed by its reactions alone. A compartment without a size (or with
``spatialDimensions="0"``) whose species are all amounts
(``hasOnlySubstanceUnits="true"``) gets size 1, so their concentrations
equal their amounts (the size never enters their kinetics); with a
concentration species inside a 3-dimensional one it is refused. An unsized
0-dimensional compartment has no volume at all: its species are amounts
whatever their ``hasOnlySubstanceUnits``, again read with size 1 (one with a
size uses it, as the SBML Test Suite expects).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from rxnn.io._sbml_math import MathError, Unknown, evaluate, names_in, rate_trees
from rxnn.io._sbml_parse import Document

_MAX_PASSES = 10_000


@dataclass
class Values:
    """Every id's value at t = 0, the species fixed by constant rules, and the named parameters without value."""

    values: dict[str, float] = field(default_factory=dict)
    rule_fixed: set[str] = field(default_factory=set)
    named: set[str] = field(default_factory=set)
    functions: dict[str, Any] = field(default_factory=dict)


def _functions(doc: Document) -> dict[str, Any]:
    out = {}
    for fid, (tree, line) in doc.functions.items():
        if tree is None or tree[0] != "lambda":
            doc.problems.append(f"function definition {fid!r} (line {line}) is not a <lambda>")
        else:
            out[fid] = tree
    return out


def _varying(doc: Document, rule_targets: set[str]) -> set[str]:
    """Species that reactions change (non-boundary reactants or products not set by a rule)."""
    out = set()
    for r in doc.reactions:
        for ref in (*r.reactants, *r.products):
            s = doc.species.get(ref.species)
            if s is not None and not s.boundary and s.id not in rule_targets:
                out.add(s.id)
    return out


def _unsized(doc: Document, targets: dict[str, Any]) -> dict[str, float]:
    """Size 1 for compartments without size whose species are all amounts (see the module notes)."""
    sizes = {}
    for cid, (size, line) in doc.compartments.items():
        zero_d = doc.dimensions.get(cid) == 0
        if size is not None or cid in targets:
            continue
        inside = [s for s in doc.species.values() if s.compartment == cid]
        concentration = [s.id for s in inside if not s.only_substance]
        if concentration and not zero_d:
            doc.problems.append(f"compartment {cid!r} (line {line}) has no size, but its species "
                                f"{', '.join(concentration[:5])} are concentrations (hasOnlySubstanceUnits is "
                                "false); give it a size")
            continue
        sizes[cid] = 1.0
        if inside:
            what = "is 0-dimensional" if zero_d else "has no size"
            doc.notes.append(f"{doc.origin}: compartment {cid!r} {what}; its species are read as amounts in "
                             "size 1 (their concentrations are their amounts)")
    return sizes


def initial_values(doc: Document) -> Values:
    """Evaluate every value of ``doc`` at t = 0; problems (unknown ids, cycles, rules on the state) go to doc."""
    out = Values(functions=_functions(doc))
    targets: dict[str, tuple[Any, int, str]] = {}
    for symbol, tree, line in doc.initial_assignments:
        if symbol in targets:
            doc.problems.append(f"initial assignment to {symbol!r} (line {line}): the symbol has another one "
                                f"(line {targets[symbol][1]})")
        targets[symbol] = (tree, line, "initial assignment to")
    rule_targets = {v for v, _, _ in doc.assignment_rules}
    varying = _varying(doc, rule_targets)
    rates = rate_trees(doc.reactions)
    # A reaction's id stands for its rate: it varies when its law names a varying species (or time).
    referenced = set().union(*(names_in(tree) for _, tree, _ in (*doc.initial_assignments, *doc.assignment_rules)))
    varying |= {rid for rid in referenced if rid in rates and names_in(rates[rid]) & (varying | {"time"})}
    for variable, tree, line in doc.assignment_rules:
        if variable in targets:
            doc.problems.append(f"assignment rule for {variable!r} (line {line}): the symbol also has an "
                                f"initial assignment (line {targets[variable][1]}) or another rule")
        moving = sorted(names_in(tree) & (varying | {"time"}))
        if moving:
            doc.problems.append(f"assignment rule for {variable!r} (line {line}) depends on {', '.join(moving[:5])}, "
                                "which change in time; rxnn networks are governed by their reactions alone")
        targets[variable] = (tree, line, "assignment rule for")
        if variable in doc.species:
            out.rule_fixed.add(variable)
    values = out.values
    values.update(_unsized(doc, targets))
    for cid, (size, _) in doc.compartments.items():
        if cid not in targets and cid not in values and size is not None:
            values[cid] = size
    for pid, value in doc.parameters.items():
        if pid not in targets:
            if value is None:
                out.named.add(pid)
            else:
                values[pid] = value
    for r in doc.reactions:
        for ref in (*r.reactants, *r.products):
            if ref.id and ref.id not in targets and ref.stoichiometry is not None:
                values[ref.id] = ref.stoichiometry
    pending_species = [s for s in doc.species.values() if s.id not in targets]
    pending = dict(targets)
    named = set().union(*(names_in(tree) for tree, _, _ in targets.values())) if targets else set()
    for rid in sorted(n for n in named if n in rates):  # the rate of a reaction at t = 0, where an assignment names it
        pending[rid] = (rates[rid], next(r.line for r in doc.reactions if r.id == rid), "the rate of reaction")
    failures: dict[str, str] = {}
    for _ in range(_MAX_PASSES):
        progress = False
        for symbol, (tree, line, kind) in list(pending.items()):
            try:
                values[symbol] = evaluate(tree, values.__getitem__, out.functions)
            except Unknown as exc:
                if any(r.id == exc.name for r in doc.reactions):
                    failures[symbol] = (f"it needs {exc.name!r}, the rate of a reaction; rxnn does not use reaction "
                                        "rates in math")
                else:
                    failures[symbol] = f"it needs {exc.name!r}, which has no value"
                continue
            except (MathError, RecursionError) as exc:
                why = exc if isinstance(exc, MathError) else "its math is nested too deeply to evaluate"
                doc.problems.append(f"{kind} {symbol!r} (line {line}): {why}")
            del pending[symbol]
            progress = True
        waiting = []
        for s in pending_species:
            value = _species_value(s, values)
            if value is _WAIT:
                waiting.append(s)
            elif value is not None:
                values[s.id] = value
        progress = progress or len(waiting) < len(pending_species)
        pending_species = waiting
        if not progress:
            break
    for symbol, (_, line, kind) in pending.items():
        doc.problems.append(f"{kind} {symbol!r} (line {line}) cannot be evaluated at t = 0: "
                            f"{failures.get(symbol, 'a cycle of assignments')}")
    for s in pending_species:
        doc.problems.append(f"species {s.id!r} (line {s.line}): its initial value needs the size of compartment "
                            f"{s.compartment!r}, which has none")
    return out


_WAIT = object()


def _species_value(s: Any, values: dict[str, float]) -> Any:
    """A species' value in its own units (amount or concentration), None without one, _WAIT without its size."""
    own, other = (s.amount, s.concentration) if s.only_substance else (s.concentration, s.amount)
    if own is not None:
        return own
    if other is None:
        return None
    size = values.get(s.compartment) if s.compartment is not None else None
    if size is None:
        return _WAIT
    if not (math.isfinite(size) and size > 0):
        return math.nan
    return other * size if s.only_substance else other / size
