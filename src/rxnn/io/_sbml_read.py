"""The streaming SBML reader behind :mod:`rxnn.io.sbml`: parsing, mass-action recognition, refusals.

One pass with expat (guarded by :mod:`rxnn.io._xml_guard`) collects what a
mass-action network needs and every problem found; then each kinetic law is
recognised as mass action or refused by name, and the network is built. The
rules are in the notes of :mod:`rxnn.io.sbml`.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.model import PARAMETER_NAME, SPECIES_NAME
from rxnn.crn.network import NetworkError, ReactionNetwork
from rxnn.io._sbml_write import MATHML
from rxnn.io._xml_guard import (
    MAX_DEPTH,
    SBMLError,
    SBMLWarning,
    check_max_depth,
    feed,
    guarded_parser,
    located,
    too_deep,
)
from rxnn.io.formats import MAX_BYTES


# =========================================================================== parsing


@dataclass
class _Species:
    id: str
    name: str | None
    compartment: str | None
    concentration: float | None
    amount: float | None
    only_substance: bool
    boundary: bool
    line: int


@dataclass
class _Reaction:
    id: str
    line: int
    reactants: list[tuple[str, float | None, int]] = field(default_factory=list)
    products: list[tuple[str, float | None, int]] = field(default_factory=list)
    modifiers: set[str] = field(default_factory=set)
    math: Any = None
    has_law: bool = False
    local: dict[str, float | None] = field(default_factory=dict)


@dataclass
class _Document:
    origin: str
    level: int = 0
    compartments: dict[str, tuple[float | None, int]] = field(default_factory=dict)
    species: dict[str, _Species] = field(default_factory=dict)
    parameters: dict[str, float | None] = field(default_factory=dict)
    functions: set[str] = field(default_factory=set)
    reactions: list[_Reaction] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_DESCEND = frozenset({
    "model", "listOfCompartments", "listOfSpecies", "listOfParameters", "listOfReactions", "listOfReactants",
    "listOfProducts", "listOfModifiers", "listOfLocalParameters", "listOfFunctionDefinitions", "listOfRules",
    "listOfInitialAssignments", "listOfEvents", "listOfConstraints", "reaction", "kineticLaw", "speciesReference",
})
_MATH_LEAVES = frozenset({"ci", "cn", "csymbol"})
_MATH_CONSTANTS = frozenset({"pi", "exponentiale", "true", "false", "notanumber", "infinity"})
_OPERATORS = frozenset({"times", "power", "divide", "minus", "plus"})
_MAX_COEFFICIENT = 10**6  # stoichiometries and powers; real models stay below 10
_RULES = {"assignmentRule": "assignment rule", "rateRule": "rate rule", "algebraicRule": "algebraic rule"}


def _bool(text: str | None) -> bool | None:
    return None if text is None else text.strip() in ("true", "1")


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return math.nan


class _Parser:
    """One streaming pass over an SBML document with expat, collecting what a mass-action network needs.

    Only malformed XML, a document type declaration and too deep nesting stop
    the pass; everything else it cannot represent is collected in
    ``doc.problems`` so that one error can name every offending element.
    """

    def __init__(self, origin: str, max_depth: int) -> None:
        self.doc = _Document(origin)
        self.max_depth = max_depth
        p = self.parser = guarded_parser(origin)
        p.buffer_text = True
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        self.depth = 0
        self.skip = 0  # depth of the element whose subtree is skipped, 0 when none
        self.stack: list[str] = []
        self.names: dict[str, tuple[str, str]] = {}
        self.reaction: _Reaction | None = None
        self.math: list[list[Any]] | None = None
        self.text: list[str] = []
        self.on = {n[4:]: getattr(self, n) for n in dir(self) if n.startswith("_on_")}
        self.leaf = {n[6:]: getattr(self, n) for n in dir(self) if n.startswith("_leaf_")}

    # ------------------------------------------------------------------ errors and names
    def fail(self, message: str) -> SBMLError:
        return located(self.parser, self.doc.origin, message)

    def _classify(self, full: str) -> tuple[str, str]:
        uri, _, local = full.rpartition(" ")
        if uri == MATHML:
            kind = "math"
        elif uri.startswith("http://www.sbml.org/sbml/level") and re.fullmatch(
            r"http://www\.sbml\.org/sbml/level\d(/version\d)?(/core)?", uri
        ):
            kind = "sbml"
        else:
            kind = "other"
        self.names[full] = (kind, local)
        return kind, local

    # ------------------------------------------------------------------ events
    def _start(self, full: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise self.fail(too_deep(self.max_depth))
        if self.skip:
            return
        kind, local = self.names.get(full) or self._classify(full)
        if self.math is not None:
            self._math_start(kind, local, attrs)
        elif kind != "sbml":
            if not self.stack:
                raise self.fail(f"the root element is {full.rpartition(' ')[2]!r} in namespace "
                                f"{full.rpartition(' ')[0] or 'none'!r}, not an SBML <sbml> element")
            if kind == "math" and local == "math" and self.stack[-1] == "kineticLaw":
                self.math = [["math", attrs, []]]
            else:
                self.skip = self.depth
        elif not self.stack:
            self._root(local, attrs)
        elif local in _DESCEND:
            self.stack.append(local)
            handler = self.on.get(local)
            if handler is not None:
                handler(attrs)
        else:
            handler = self.leaf.get(local)
            if handler is not None:
                handler(attrs)
            self.skip = self.depth

    def _end(self, full: str) -> None:
        if self.skip:
            if self.depth == self.skip:
                self.skip = 0
        elif self.math is not None:
            self._math_end()
        elif self.stack:
            local = self.stack.pop()
            if local == "reaction":
                self.reaction = None
        self.depth -= 1

    # ------------------------------------------------------------------ structure
    def _root(self, local: str, attrs: dict[str, str]) -> None:
        if local != "sbml":
            raise self.fail(f"the root element is <{local}>, not <sbml>")
        level = attrs.get("level", "")
        if not level.isdigit():
            raise self.fail(f"the <sbml> element has no valid level attribute (got {level!r})")
        self.doc.level = int(level)
        if self.doc.level < 2:
            raise self.fail(f"SBML Level {level} is not supported; convert the model to Level 2 or 3 first "
                            "(for example with libSBML's SBMLDocument.setLevelAndVersion)")
        for key, value in attrs.items():
            uri, _, name = key.rpartition(" ")
            if name == "required" and uri and _bool(value):
                self.doc.problems.append(
                    f"the document requires the SBML package {uri}, whose meaning rxnn cannot represent"
                )
        self.stack.append("sbml")

    def _line(self) -> int:
        return self.parser.CurrentLineNumber

    def _on_model(self, attrs: dict[str, str]) -> None:
        if "conversionFactor" in attrs:
            self.doc.problems.append(f"the model (line {self._line()}) has a conversionFactor; rxnn has no units")

    def _on_reaction(self, attrs: dict[str, str]) -> None:
        rid = attrs.get("id") or f"#{len(self.doc.reactions) + 1}"
        self.reaction = _Reaction(rid, self._line())
        self.doc.reactions.append(self.reaction)
        if _bool(attrs.get("fast")):
            self.doc.problems.append(f"reaction {rid!r} (line {self._line()}) is fast (a quasi-steady-state "
                                     "assumption); rxnn networks have only mass-action reactions")

    def _on_kineticLaw(self, attrs: dict[str, str]) -> None:
        if self.reaction is not None:
            self.reaction.has_law = True

    def _on_speciesReference(self, attrs: dict[str, str]) -> None:
        parent = self.stack[-2]
        if self.reaction is None or parent not in ("listOfReactants", "listOfProducts"):
            return
        stoichiometry = _float(attrs.get("stoichiometry"))
        if stoichiometry is None and self.doc.level < 3:
            stoichiometry = 1.0
        side = self.reaction.reactants if parent == "listOfReactants" else self.reaction.products
        side.append((attrs.get("species", ""), stoichiometry, self.parser.CurrentLineNumber))

    def _leaf_stoichiometryMath(self, attrs: dict[str, str]) -> None:
        rid = self.reaction.id if self.reaction else "?"
        self.doc.problems.append(f"reaction {rid!r} (line {self._line()}) computes a stoichiometry with "
                                 "stoichiometryMath; rxnn needs integer stoichiometries")

    def _leaf_modifierSpeciesReference(self, attrs: dict[str, str]) -> None:
        if self.reaction is not None:
            self.reaction.modifiers.add(attrs.get("species", ""))

    def _leaf_compartment(self, attrs: dict[str, str]) -> None:
        size = attrs.get("size", attrs.get("volume"))
        self.doc.compartments[attrs.get("id", "")] = (_float(size), self._line())

    def _leaf_species(self, attrs: dict[str, str]) -> None:
        line, level3 = self._line(), self.doc.level >= 3
        sid = attrs.get("id", "")
        flags = {}
        for key in ("hasOnlySubstanceUnits", "boundaryCondition", "constant"):
            value = _bool(attrs.get(key))
            if value is None and level3:
                self.doc.problems.append(f"species {sid!r} (line {line}) lacks the attribute {key}, "
                                         "which SBML Level 3 requires")
            flags[key] = bool(value)
        if "conversionFactor" in attrs:
            self.doc.problems.append(f"species {sid!r} (line {line}) has a conversionFactor; rxnn has no units")
        self.doc.species[sid] = _Species(
            sid, attrs.get("name"), attrs.get("compartment"), _float(attrs.get("initialConcentration")),
            _float(attrs.get("initialAmount")), flags["hasOnlySubstanceUnits"],
            flags["boundaryCondition"] or flags["constant"], line,
        )

    def _leaf_parameter(self, attrs: dict[str, str]) -> None:
        value = _float(attrs.get("value"))
        if self.stack[-1] == "listOfParameters" and len(self.stack) >= 2 and self.stack[-2] == "kineticLaw":
            if self.reaction is not None:
                self.reaction.local[attrs.get("id", "")] = value
        else:
            self.doc.parameters[attrs.get("id", "")] = value

    def _leaf_localParameter(self, attrs: dict[str, str]) -> None:
        if self.reaction is not None:
            self.reaction.local[attrs.get("id", "")] = _float(attrs.get("value"))

    def _leaf_functionDefinition(self, attrs: dict[str, str]) -> None:
        self.doc.functions.add(attrs.get("id", ""))

    def _leaf_initialAssignment(self, attrs: dict[str, str]) -> None:
        self.doc.problems.append(f"initial assignment to {attrs.get('symbol', '?')!r} (line {self._line()}); "
                                 "rxnn reads only numeric initial values")

    def _leaf_event(self, attrs: dict[str, str]) -> None:
        name = attrs.get("id") or attrs.get("name") or "without id"
        self.doc.problems.append(f"event {name!r} (line {self._line()}); events change the state "
                                 "discontinuously, which a reaction network cannot")

    def _leaf_constraint(self, attrs: dict[str, str]) -> None:
        self.doc.constraints.append(f"line {self._line()}")

    def _rule(self, kind: str, attrs: dict[str, str]) -> None:
        target = attrs.get("variable", "")
        what = f" for {target!r}" if target else ""
        self.doc.problems.append(f"{_RULES[kind]}{what} (line {self._line()}); rxnn networks are governed "
                                 "by their reactions alone")

    def _leaf_assignmentRule(self, attrs: dict[str, str]) -> None:
        self._rule("assignmentRule", attrs)

    def _leaf_rateRule(self, attrs: dict[str, str]) -> None:
        self._rule("rateRule", attrs)

    def _leaf_algebraicRule(self, attrs: dict[str, str]) -> None:
        self._rule("algebraicRule", attrs)

    # ------------------------------------------------------------------ MathML
    def _math_start(self, kind: str, local: str, attrs: dict[str, str]) -> None:
        if kind != "math" or local in ("annotation", "annotation-xml"):
            self.skip = self.depth
            return
        if local == "sep" and self.math[-1][0] == "cn":
            self.text.append("\x00")
            self.skip = self.depth
            return
        self.math.append([local, attrs, []])
        if local in _MATH_LEAVES:
            self.text = []
            self.parser.CharacterDataHandler = self.text.append

    def _math_end(self) -> None:
        tag, attrs, children = self.math.pop()
        if tag == "ci":  # the common cases first
            self.parser.CharacterDataHandler = None
            node: tuple = ("ci", "".join(self.text).strip())
        elif not children and tag in _OPERATORS:
            node = ("op", tag)
        elif tag in _MATH_LEAVES:
            self.parser.CharacterDataHandler = None
            node = _math_node(tag, attrs, children, "".join(self.text))
        else:
            node = _math_node(tag, attrs, children, "")
        if not self.math:  # </math>
            self.math = None
            if self.reaction is not None:
                self.reaction.math = children[0] if len(children) == 1 else ("bad", "an empty or multiple-root <math>")
            return
        self.math[-1][2].append(node)


def _cn_value(attrs: dict[str, str], text: str) -> float:
    kind = attrs.get("type", "real").strip()
    parts = [t.strip() for t in text.split("\x00")]
    try:
        if kind == "e-notation" and len(parts) == 2:
            return float(f"{parts[0]}e{int(parts[1])}")
        if kind == "rational" and len(parts) == 2:
            return int(parts[0]) / int(parts[1])
        if kind in ("real", "integer", "double") and len(parts) == 1:
            return float(parts[0])
    except (ValueError, ZeroDivisionError, OverflowError):
        pass
    return math.nan


def _math_node(tag: str, attrs: dict[str, str], children: list, text: str) -> tuple:
    """A small tuple AST: ("ci", id), ("cn", value), ("apply", op, args), ("call", f, args), ("other", what)."""
    if tag == "ci":
        return ("ci", text.strip())
    if tag == "cn":
        return ("cn", _cn_value(attrs, text))
    if tag == "csymbol":
        url = attrs.get("definitionURL", "").rstrip("/").rpartition("/")[2]
        return ("other", f"the symbol {url or 'csymbol'!r}")
    if tag == "apply":
        if not children:
            return ("bad", "an empty <apply>")
        head, args = children[0], children[1:]
        if head[0] == "op":
            return ("apply", head[1], args)
        if head[0] == "ci":
            return ("call", head[1], args)
        return ("other", f"an application of {_show(head)}")
    if tag == "semantics":
        return children[0] if children else ("bad", "an empty <semantics>")
    if not children and tag not in _MATH_CONSTANTS:
        return ("op", tag)
    return ("other", f"<{tag}>")


def _show(node: tuple, limit: int = 120) -> str:
    """Infix text of a math node for messages, cut at ``limit`` characters."""
    out: list[str] = []
    stack: list[Any] = [node]
    symbols = {"times": "*", "plus": "+", "minus": "-", "divide": "/", "power": "^"}
    while stack and sum(map(len, out)) < limit:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif item[0] == "ci":
            out.append(item[1])
        elif item[0] == "cn":
            out.append(repr(item[1]))
        elif item[0] in ("apply", "call"):
            if item[0] == "apply" and item[1] in symbols and item[2]:
                parts: list[Any] = ["("]
                for k, arg in enumerate(item[2]):
                    parts += [f" {symbols[item[1]]} "] if k else []
                    parts.append(arg)
                parts.append(")")
                if len(item[2]) == 1:
                    parts = [f"({symbols[item[1]]}", item[2][0], ")"]
            else:
                parts = [f"{item[1]}("]
                for k, arg in enumerate(item[2]):
                    parts += [", "] if k else []
                    parts.append(arg)
                parts.append(")")
            stack.extend(reversed(parts))
        else:
            out.append(str(item[1]) if len(item) > 1 else str(item[0]))
    text = "".join(out)
    return text if len(text) <= limit and not stack else text[:limit] + "..."


def _parse(source: Path | bytes, origin: str, max_bytes: int, max_depth: int, func: str) -> _Document:
    check_max_depth(max_depth, func)
    parser = _Parser(origin, max_depth)
    feed(parser.parser, source, origin, max_bytes, func)
    if parser.doc.level == 0:
        raise SBMLError(f"{origin} has no <sbml> element")
    return parser.doc


# =========================================================================== mass action


class _Refusal(Exception):
    pass


@dataclass
class _Term:
    """One mass-action monomial: constant factor, named parameters and species powers."""

    constant: float = 1.0
    symbols: list[str] = field(default_factory=list)
    species: dict[str, int] = field(default_factory=dict)


def _monomial(node: tuple, reaction: _Reaction, doc: _Document) -> _Term:
    """Split a product/quotient of constants and species powers, or raise :class:`_Refusal`."""
    term = _Term()
    stack = [(node, 1)]
    while stack:
        n, sign = stack.pop()
        kind = n[0]
        if kind == "apply" and n[1] == "times":
            stack.extend((a, sign) for a in n[2])
        elif kind == "apply" and n[1] == "divide" and len(n[2]) == 2:
            stack.extend([(n[2][0], sign), (n[2][1], -sign)])
        elif kind == "apply" and n[1] == "power" and len(n[2]) == 2 and n[2][1][0] == "cn":
            power = n[2][1][1]
            if not (math.isfinite(power) and power == int(power) and abs(power) <= _MAX_COEFFICIENT):
                raise _Refusal(f"the power {_show(n)} is not an integer power of at most {_MAX_COEFFICIENT}")
            _factor(n[2][0], sign * int(power), term, reaction, doc, n)
        elif kind in ("ci", "cn"):
            _factor(n, sign, term, reaction, doc, n)
        elif kind == "call":
            raise _Refusal(f"it calls the function {n[1]!r}; function calls are refused "
                           "(write the law out as mass action)")
        else:
            raise _Refusal(f"{_show(n)} is not a product of a rate constant and species powers")
    return term


def _pow(value: float, power: int) -> float:
    """``value ** power`` as a float; inf where it overflows or divides by zero (then refused as a rate)."""
    try:
        return float(value) ** power
    except (OverflowError, ZeroDivisionError):
        return math.inf


def _factor(base: tuple, power: int, term: _Term, reaction: _Reaction, doc: _Document, where: tuple) -> None:
    if base[0] == "cn":
        term.constant *= _pow(base[1], power)
        return
    if base[0] != "ci":
        raise _Refusal(f"{_show(where)} is not a product of a rate constant and species powers")
    name = base[1]
    if name in reaction.local:
        value = reaction.local[name]
        if value is None:
            raise _Refusal(f"its local parameter {name!r} has no value")
        term.constant *= _pow(value, power)
    elif name in doc.species:
        term.species[name] = term.species.get(name, 0) + power
    elif name in doc.parameters:
        value = doc.parameters[name]
        if value is None:
            if power != 1:
                raise _Refusal(f"the parameter {name!r} has no value and appears as {_show(where)}; "
                               "a named rate constant must be a plain factor")
            term.symbols.append(name)
        else:
            term.constant *= _pow(value, power)
    elif name in doc.compartments:
        size = doc.compartments[name][0]
        if size is None:
            raise _Refusal(f"the compartment {name!r} has no size")
        term.constant *= _pow(size, power)
    elif name in doc.functions:
        raise _Refusal(f"it uses the function {name!r}")
    else:
        raise _Refusal(f"{name!r} is not a species, parameter or compartment of the model")


def _stoichiometries(refs: list[tuple[str, float | None, int]], reaction: _Reaction, doc: _Document) -> dict[str, int]:
    out: dict[str, int] = {}
    for species, value, line in refs:
        if species not in doc.species:
            raise _Refusal(f"it refers to {species!r} (line {line}), which is not a species of the model")
        if value is None:
            raise _Refusal(f"the stoichiometry of {species!r} (line {line}) is not given")
        if not (math.isfinite(value) and 0 <= value <= _MAX_COEFFICIENT and value == int(value)):
            raise _Refusal(f"the stoichiometry of {species!r} (line {line}) is {value!r}; "
                           f"mass-action networks need integer stoichiometries from 0 to {_MAX_COEFFICIENT}")
        out[species] = out.get(species, 0) + int(value)
    return out


def _complexes(term: _Term, consumed: dict[str, int], produced: dict[str, int], reaction: _Reaction,
               doc: _Document, side: str) -> tuple[dict[str, int], dict[str, int]]:
    """The rxnn reactant and product complexes of one mass-action monomial (see :mod:`rxnn.io.sbml`)."""
    for s, power in term.species.items():
        if power < 0:
            raise _Refusal(f"the species {s!r} divides the rate; mass action multiplies by reactant powers")
        if power > 0 and s not in consumed and s not in produced and s not in reaction.modifiers:
            raise _Refusal(f"the species {s!r} is in the kinetic law but is not a reactant, product or modifier")
    source: dict[str, int] = {}
    target: dict[str, int] = {}
    for s in dict.fromkeys([*consumed, *produced, *term.species]):
        power = term.species.get(s, 0)
        if doc.species[s].boundary:
            change = 0
        else:
            change = produced.get(s, 0) - consumed.get(s, 0)
            if s in consumed and power != consumed[s]:
                raise _Refusal(f"the {side} {s!r} has stoichiometry {consumed[s]} but appears to the power "
                               f"{power} in the kinetic law; mass action needs them equal")
        if power:
            source[s] = power
        if power + change:
            target[s] = power + change
    return source, target


def _mass_action(reaction: _Reaction, doc: _Document, volume: float) -> list[tuple[dict, dict, float | str]]:
    """The rxnn reactions (reactants, products, rate) of one SBML reaction, or raise :class:`_Refusal`."""
    if not reaction.has_law:
        raise _Refusal("it has no kinetic law")
    if reaction.math is None:
        raise _Refusal("its kinetic law has no <math>")
    law = reaction.math
    if law[0] == "bad":
        raise _Refusal(law[1])
    consumed = _stoichiometries(reaction.reactants, reaction, doc)
    produced = _stoichiometries(reaction.products, reaction, doc)
    if law[0] == "apply" and law[1] == "minus" and len(law[2]) == 2:
        pieces = [(law[2][0], consumed, produced, "reactant"), (law[2][1], produced, consumed, "product")]
    else:
        pieces = [(law, consumed, produced, "reactant")]
    out = []
    for node, take, give, side in pieces:
        term = _monomial(node, reaction, doc)
        source, target = _complexes(term, take, give, reaction, doc, side)
        substance = sum(p for s, p in term.species.items() if doc.species[s].only_substance)
        scale = _pow(volume, substance - 1) if volume != 1.0 else 1.0
        if term.symbols:
            if len(term.symbols) > 1 or term.constant * scale != 1.0:
                raise _Refusal(f"its rate constant {_show(node)} combines parameters without values "
                               f"({', '.join(term.symbols)}) with other factors; rxnn keeps a named rate "
                               "constant only as a plain factor (give the parameters values)")
            name = term.symbols[0]
            if not PARAMETER_NAME.match(name):
                raise _Refusal(f"its rate parameter {name!r} is not an rxnn parameter name (a letter, then "
                               "letters, digits, '_'); give it a value or rename it")
            rate: float | str = name
        else:
            rate = term.constant * scale
            if not math.isfinite(rate) or rate < 0:
                raise _Refusal(f"its rate constant {_show(node)} is {rate!r}; mass action needs a rate >= 0")
        out.append((source, target, rate, node))
    return out


# =========================================================================== building


def _species_names(doc: _Document) -> dict[str, str]:
    names: dict[str, str] = {}
    for s in doc.species.values():
        name = s.name if s.name and _is_mangled(s.id, s.name) else s.id
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


def _is_mangled(sid: str, name: str) -> bool:
    """Whether ``sid`` is the id written for the rxnn name ``name`` (primes to ``_prime``, then ``_``s)."""
    if sid == name or not SPECIES_NAME.match(name):
        return False
    base = name.replace("'", "_prime")
    return sid.startswith(base) and set(sid[len(base):]) <= {"_"}


def _volume(doc: _Document) -> float:
    used = {s.compartment for s in doc.species.values()}
    sizes = {}
    for c in used:
        if c not in doc.compartments:
            doc.problems.append(f"compartment {c!r}, used by species, is not defined")
            continue
        size, line = doc.compartments[c]
        if size is None or not (math.isfinite(size) and size > 0):
            doc.problems.append(f"compartment {c!r} (line {line}) has no positive size (got {size!r})")
            continue
        sizes[c] = size
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{c} = {v!r}" for c, v in sorted(sizes.items()))
        doc.problems.append(f"species live in compartments of different sizes ({listed}); rxnn has one "
                            "well-mixed volume, so all sizes must be equal")
    return next(iter(sizes.values()), 1.0)


def _build(doc: _Document) -> tuple[ReactionNetwork, dict[str, float]]:
    names = _species_names(doc)
    volume = _volume(doc)
    rows: list[tuple[str, dict, dict, Any, tuple]] = []
    for reaction in doc.reactions:
        try:
            for source, target, rate, node in _mass_action(reaction, doc, volume):
                rows.append((reaction.id, source, target, rate, node))
        except _Refusal as exc:
            doc.problems.append(f"reaction {reaction.id!r} (line {reaction.line}): {exc}")
    if doc.problems:
        shown = doc.problems[:25]
        more = f"\n  ... and {len(doc.problems) - 25} more" if len(doc.problems) > 25 else ""
        raise SBMLError(
            f"cannot read {doc.origin} as a mass-action reaction network ({len(doc.problems)} "
            f"problem{'s' if len(doc.problems) > 1 else ''}):\n  - " + "\n  - ".join(shown) + more
        )
    if doc.constraints:
        where = ", ".join(doc.constraints[:5])
        doc.notes.append(f"{doc.origin}: dropped {len(doc.constraints)} constraint(s) ({where}); "
              "constraints only assert conditions and do not change the ODEs")
    merged: dict[tuple, list] = {}
    dropped_zero, dropped_null = [], []
    for rid, source, target, rate, _ in rows:
        if rate == 0.0:
            dropped_zero.append(rid)
            continue
        if source == target:
            dropped_null.append(rid)
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
        else:
            merged[key] = [source, target, rate, [rid]]
    if dropped_zero:
        doc.notes.append(f"{doc.origin}: dropped reactions with rate constant 0: {', '.join(dropped_zero[:10])}")
    if dropped_null:
        doc.notes.append(f"{doc.origin}: dropped reactions that change no species once boundary species are held "
              f"constant: {', '.join(dropped_null[:10])}")
    joined = [e[3] for e in merged.values() if len(e[3]) > 1]
    if joined:
        doc.notes.append(f"{doc.origin}: merged parallel reactions with the same complexes by adding their rate "
              f"constants: {'; '.join(' + '.join(ids) for ids in joined[:10])}")
    return _assemble(doc, names, list(merged.values()), volume)


def _assemble(doc: _Document, names: dict[str, str], reactions: list, volume: float):
    used: dict[str, int] = {}
    for source, target, _, _ in reactions:
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
        doc.notes.append(f"{doc.origin}: dropped species in no reaction (Def. 2.1 has none): {', '.join(unused[:10])}"
              + (" ..." if len(unused) > 10 else ""))
    initial = {}
    for s in order:
        sp_ = doc.species[s]
        if sp_.concentration is not None:
            value = sp_.concentration
        elif sp_.amount is not None:
            value = sp_.amount / volume
        else:
            continue
        if not (math.isfinite(value) and value >= 0):
            raise SBMLError(f"{doc.origin}, line {sp_.line}: species {s!r} has the initial value {value!r}; "
                            "concentrations must be finite and >= 0")
        initial[names[s]] = value
    return network, initial


# =========================================================================== public readers


def _finish(doc: _Document) -> tuple[ReactionNetwork, dict[str, float]]:
    network, initial = _build(doc)
    for note in doc.notes:
        warnings.warn(note, SBMLWarning, stacklevel=3)
    return network, initial


def read_sbml(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> tuple[ReactionNetwork, dict[str, float]]:
    """Read an SBML model with mass-action kinetic laws.

    Parameters
    ----------
    path : str or path-like
        An SBML Level 2 or 3 file.
    max_bytes : int, default 200 MiB
        Files larger than this are refused before reading.
    max_depth : int, default 256
        Elements nested deeper than this are refused.

    Returns
    -------
    network : ReactionNetwork
        The reactions, in the file's order (a ``forward - reverse`` law gives
        two, forward first); species in the file's order; parameters without
        values stay named rate constants.
    initial : dict of str to float
        Initial concentrations of the species that have one.

    Raises
    ------
    SBMLError
        If the file is too large, not well-formed XML (with line and column),
        declares a document type or entities, nests too deep, is not SBML
        Level 2 or 3, or uses anything that is not mass action: the message
        lists every offending element with its line (see the notes of
        :mod:`rxnn.io.sbml`).

    Warns
    -----
    SBMLWarning
        When constraints, species in no reaction or reactions without effect
        are dropped, or parallel reactions merged (the ODEs are unchanged).

    Notes
    -----
    One streaming pass with expat, linear in the file size: 6 to 10 s for the
    64 000 reactions (70 MB) of a compiled 784-40-10 network, where libSBML's
    own reader needs 17 s to parse alone (``benchmarks/bench_sbml.py``).
    ``read_sbml(write_sbml(net, p, x0))`` gives back ``net`` and ``x0``.
    """
    path = Path(path)
    doc = _parse(path, repr(str(path)), max_bytes, max_depth, "read_sbml")
    return _finish(doc)


def read_sbml_string(
    text: str | bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> tuple[ReactionNetwork, dict[str, float]]:
    """Read an SBML document held in a string; see :func:`read_sbml`."""
    if not isinstance(text, str | bytes):
        raise TypeError(f"text of read_sbml_string must be str or bytes; got {type(text).__name__}")
    data = text.encode("utf-8") if isinstance(text, str) else text
    doc = _parse(data, "the SBML text", max_bytes, max_depth, "read_sbml_string")
    return _finish(doc)


def validate_sbml(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> list[str]:
    """libSBML's read and consistency errors of an SBML file, each with its line.

    The file first passes the same safety checks as :func:`read_sbml` (size,
    no document type, nesting depth), so libSBML never sees a file that could
    exhaust it. Warnings (such as undeclared units) are not reported.

    Returns
    -------
    list of str
        ``"line N: [id] message"`` per error; empty for a valid file.

    Raises
    ------
    ImportError
        If python-libsbml is not installed (``pip install rxnn[sbml]``).
    SBMLError
        If the file fails the safety checks.
    """
    try:
        import libsbml
    except ImportError:
        raise ImportError("validate_sbml needs python-libsbml; install it with `pip install rxnn[sbml]`") from None
    path = Path(path)
    _parse(path, repr(str(path)), max_bytes, max_depth, "validate_sbml")
    document = libsbml.SBMLReader().readSBMLFromFile(str(path))
    document.checkConsistency()
    errors = []
    for i in range(document.getNumErrors()):
        e = document.getError(i)
        if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            errors.append(f"line {e.getLine()}: [{e.getErrorId()}] {e.getShortMessage()}: {e.getMessage().strip()}")
    return errors
