"""The streaming pass of the SBML reader: expat events to a small document of what a mass-action model needs.

One pass with expat (guarded by :mod:`rxnn.io._xml_guard`) collects the
compartments, species, parameters, function definitions, initial assignments,
assignment rules and reactions, with their MathML as small tuple trees (see
:func:`rxnn.io._sbml_math.math_node`), and every problem found. Attribute
values are read with the XML Schema lexical rules of
:mod:`rxnn.io._sbml_lexical`; malformed values, invalid or duplicate ids and a
second ``<math>`` or kinetic law are problems naming the element and line.
Only malformed XML, a document type declaration and too deep nesting stop the
pass; the rest is reported together by the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rxnn.io._sbml_lexical import LexicalError, is_sid, xsd_boolean, xsd_double, xsd_int
from rxnn.io._sbml_math import MATH_LEAVES, math_node
from rxnn.io._sbml_write import MATHML
from rxnn.io._xml_guard import SBMLError, check_max_depth, feed, guarded_parser, located, too_deep

COMP = "http://www.sbml.org/sbml/level3/version1/comp/version1"


@dataclass
class Species:
    id: str
    name: str | None
    compartment: str | None
    concentration: float | None
    amount: float | None
    only_substance: bool
    boundary: bool
    line: int


@dataclass
class Reference:
    species: str
    stoichiometry: float | None
    line: int
    id: str | None = None
    math: Any = None  # the tree of an L2 <stoichiometryMath>


@dataclass
class Reaction:
    id: str
    line: int
    reactants: list[Reference] = field(default_factory=list)
    products: list[Reference] = field(default_factory=list)
    modifiers: set[str] = field(default_factory=set)
    math: Any = None
    has_law: bool = False
    local: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Document:
    origin: str
    level: int = 0
    uses_comp: bool = False
    compartments: dict[str, tuple[float | None, int]] = field(default_factory=dict)
    dimensions: dict[str, float] = field(default_factory=dict)
    species: dict[str, Species] = field(default_factory=dict)
    parameters: dict[str, float | None] = field(default_factory=dict)
    functions: dict[str, tuple[Any, int]] = field(default_factory=dict)
    initial_assignments: list[tuple[str, Any, int]] = field(default_factory=list)
    assignment_rules: list[tuple[str, Any, int]] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)


_DESCEND = frozenset({
    "model", "listOfCompartments", "listOfSpecies", "listOfParameters", "listOfReactions", "listOfReactants",
    "listOfProducts", "listOfModifiers", "listOfLocalParameters", "listOfFunctionDefinitions", "listOfRules",
    "listOfInitialAssignments", "listOfEvents", "listOfConstraints", "reaction", "kineticLaw", "speciesReference",
    "functionDefinition", "initialAssignment", "assignmentRule", "stoichiometryMath",
})
#: Elements whose <math> the reader keeps.
_MATH_PARENTS = frozenset({"kineticLaw", "functionDefinition", "initialAssignment", "assignmentRule",
                           "stoichiometryMath"})
_OPERATORS = frozenset({"times", "power", "divide", "minus", "plus"})
_RULES = {"rateRule": "rate rule", "algebraicRule": "algebraic rule"}
_SBML_CORE = re.compile(r"http://www\.sbml\.org/sbml/level\d(/version\d)?(/core)?")


class Parser:
    """One streaming pass over an SBML document with expat, collecting what a mass-action network needs."""

    def __init__(self, origin: str, max_depth: int) -> None:
        self.doc = Document(origin)
        self.max_depth = max_depth
        p = self.parser = guarded_parser(origin)
        p.buffer_text = True
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        self.depth = 0
        self.skip = 0  # depth of the element whose subtree is skipped, 0 when none
        self.stack: list[str] = []
        self.attrs: list[dict[str, str]] = []
        self.names: dict[str, tuple[str, str]] = {}
        self.reaction: Reaction | None = None
        self.math: list[list[Any]] | None = None
        self.math_seen: set[int] = set()  # depths of elements that already had a <math>
        self.text: list[str] = []
        self.on = {n[4:]: getattr(self, n) for n in dir(self) if n.startswith("_on_")}
        self.leaf = {n[6:]: getattr(self, n) for n in dir(self) if n.startswith("_leaf_")}

    # ------------------------------------------------------------------ errors, names, values
    def fail(self, message: str) -> SBMLError:
        return located(self.parser, self.doc.origin, message)

    def _line(self) -> int:
        return self.parser.CurrentLineNumber

    def _problem(self, message: str) -> None:
        self.doc.problems.append(message)

    def _classify(self, full: str) -> tuple[str, str]:
        uri, _, local = full.rpartition(" ")
        if uri == MATHML:
            kind = "math"
        elif _SBML_CORE.fullmatch(uri):
            kind = "sbml"
        elif uri == COMP:
            kind = "comp"
        else:
            kind = "other"
        self.names[full] = (kind, local)
        return kind, local

    def _value(self, attrs: dict[str, str], key: str, where: str, read: Any = xsd_double) -> Any:
        """The attribute ``key`` read with ``read`` (an xsd_* function); a malformed value is a problem."""
        text = attrs.get(key)
        if text is None:
            return None
        try:
            return read(text)
        except LexicalError as exc:
            self._problem(f"{where} (line {self._line()}): the attribute {key}: {exc}")
            return None

    def _id(self, attrs: dict[str, str], element: str, *, key: str = "id", scope: dict | None = None) -> str:
        """The SId ``attrs[key]``, checked for syntax and uniqueness (in ``scope``, default the model's)."""
        sid = attrs.get(key, "")
        line = self._line()
        if not is_sid(sid):
            self._problem(f"<{element}> (line {line}) has the {key} {sid[:60]!r}, which is not an SBML id "
                          "(a letter or '_', then ASCII letters, digits and '_')")
            return sid
        ids = self.doc.ids if scope is None else scope
        if sid in ids:
            self._problem(f"<{element}> (line {line}) has the id {sid!r}, already used at line {ids[sid]}; "
                          "SBML ids must be unique")
        else:
            ids[sid] = line
        return sid

    # ------------------------------------------------------------------ events
    def _start(self, full: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise self.fail(too_deep(self.max_depth))
        if self.skip:
            if full == COMP + " externalModelDefinition":  # even inside a skipped subtree
                self._external(attrs)
            return
        kind, local = self.names.get(full) or self._classify(full)
        if self.math is not None:
            self._math_start(kind, local, attrs)
        elif kind != "sbml":
            if not self.stack:
                raise self.fail(f"the root element is {full.rpartition(' ')[2]!r} in namespace "
                                f"{full.rpartition(' ')[0] or 'none'!r}, not an SBML <sbml> element")
            if kind == "math" and local == "math" and self.stack[-1] in _MATH_PARENTS:
                if self.depth - 1 in self.math_seen:
                    self._problem(f"<{self.stack[-1]}> (line {self._line()}) has a second <math>; "
                                  "an SBML element has at most one")
                self.math_seen.add(self.depth - 1)
                self.math = [["math", attrs, []]]
            else:
                if kind == "comp" and local == "externalModelDefinition":
                    self._external(attrs)
                self.skip = self.depth
        elif not self.stack:
            self._root(local, attrs)
        elif local in _DESCEND:
            self.stack.append(local)
            self.attrs.append(attrs)
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
            self.math_seen.discard(self.depth)
            local = self.stack.pop()
            self.attrs.pop()
            if local == "reaction":
                self.reaction = None
        self.depth -= 1

    def _external(self, attrs: dict[str, str]) -> None:
        self._problem(f"<comp:externalModelDefinition> (line {self._line()}) names another file "
                      f"({attrs.get(COMP + ' source', '?')[:80]!r}); rxnn never reads other files")

    # ------------------------------------------------------------------ structure
    def _root(self, local: str, attrs: dict[str, str]) -> None:
        if local != "sbml":
            raise self.fail(f"the root element is <{local}>, not <sbml>")
        level = attrs.get("level", "")
        try:
            self.doc.level = xsd_int(level, lo=1, hi=99)
        except LexicalError:
            raise self.fail(f"the <sbml> element has no valid level attribute (got {level[:20]!r}; "
                            "it must be 2 or 3 in ASCII digits)") from None
        if self.doc.level < 2:
            raise self.fail(f"SBML Level {level} is not supported; convert the model to Level 2 or 3 first "
                            "(for example with libSBML's SBMLDocument.setLevelAndVersion)")
        for key, value in attrs.items():
            uri, _, name = key.rpartition(" ")
            if name == "required" and uri:
                try:
                    required = xsd_boolean(value)
                except LexicalError as exc:
                    self._problem(f"<sbml> (line {self._line()}): the attribute required: {exc}")
                    continue
                if uri == COMP:
                    self.doc.uses_comp = True
                elif required:
                    self._problem(f"the document requires the SBML package {uri}, whose meaning rxnn cannot "
                                  "represent")
        self.stack.append("sbml")
        self.attrs.append(attrs)

    def _on_model(self, attrs: dict[str, str]) -> None:
        if "conversionFactor" in attrs:
            self._problem(f"the model (line {self._line()}) has a conversionFactor; rxnn has no units")

    def _on_reaction(self, attrs: dict[str, str]) -> None:
        rid = self._id(attrs, "reaction") if "id" in attrs else f"#{len(self.doc.reactions) + 1}"
        self.reaction = Reaction(rid, self._line())
        self.doc.reactions.append(self.reaction)
        if self._value(attrs, "fast", f"reaction {rid!r}", xsd_boolean):
            self._problem(f"reaction {rid!r} (line {self._line()}) is fast (a quasi-steady-state assumption); "
                          "rxnn networks have only mass-action reactions")
        self._value(attrs, "reversible", f"reaction {rid!r}", xsd_boolean)

    def _on_kineticLaw(self, attrs: dict[str, str]) -> None:
        if self.reaction is not None:
            if self.reaction.has_law:
                self._problem(f"reaction {self.reaction.id!r} (line {self._line()}) has a second <kineticLaw>")
            self.reaction.has_law = True

    def _on_speciesReference(self, attrs: dict[str, str]) -> None:
        parent = self.stack[-2]
        if self.reaction is None or parent not in ("listOfReactants", "listOfProducts"):
            return
        where = f"a species reference of reaction {self.reaction.id!r}"
        stoichiometry = self._value(attrs, "stoichiometry", where)
        if stoichiometry is None and self.doc.level < 3:
            stoichiometry = 1.0
        self._value(attrs, "constant", where, xsd_boolean)
        ref_id = self._id(attrs, "speciesReference") if "id" in attrs else None
        side = self.reaction.reactants if parent == "listOfReactants" else self.reaction.products
        side.append(Reference(attrs.get("species", ""), stoichiometry, self._line(), ref_id))

    def _leaf_modifierSpeciesReference(self, attrs: dict[str, str]) -> None:
        if self.reaction is not None:
            self.reaction.modifiers.add(attrs.get("species", ""))

    def _leaf_compartment(self, attrs: dict[str, str]) -> None:
        cid = self._id(attrs, "compartment")
        where = f"compartment {cid!r}"
        size = self._value(attrs, "size", where) if "size" in attrs else self._value(attrs, "volume", where)
        dims = self._value(attrs, "spatialDimensions", where)
        if dims is not None:
            self.doc.dimensions[cid] = dims
        self._value(attrs, "constant", where, xsd_boolean)
        self.doc.compartments[cid] = (size, self._line())

    def _leaf_species(self, attrs: dict[str, str]) -> None:
        line, level3 = self._line(), self.doc.level >= 3
        sid = self._id(attrs, "species")
        where = f"species {sid!r}"
        flags = {}
        for key in ("hasOnlySubstanceUnits", "boundaryCondition", "constant"):
            value = self._value(attrs, key, where, xsd_boolean)
            if key not in attrs and level3:
                self._problem(f"species {sid!r} (line {line}) lacks the attribute {key}, which SBML Level 3 "
                              "requires")
            flags[key] = bool(value)
        if "conversionFactor" in attrs:
            self._problem(f"species {sid!r} (line {line}) has a conversionFactor; rxnn has no units")
        self.doc.species[sid] = Species(
            sid, attrs.get("name"), attrs.get("compartment"), self._value(attrs, "initialConcentration", where),
            self._value(attrs, "initialAmount", where), flags["hasOnlySubstanceUnits"],
            flags["boundaryCondition"] or flags["constant"], line,
        )

    def _leaf_parameter(self, attrs: dict[str, str]) -> None:
        if self.stack[-1] == "listOfParameters" and len(self.stack) >= 2 and self.stack[-2] == "kineticLaw":
            self._leaf_localParameter(attrs)
            return
        pid = self._id(attrs, "parameter")
        self._value(attrs, "constant", f"parameter {pid!r}", xsd_boolean)
        self.doc.parameters[pid] = self._value(attrs, "value", f"parameter {pid!r}")

    def _leaf_localParameter(self, attrs: dict[str, str]) -> None:
        if self.reaction is not None:
            scope: dict[str, int] = getattr(self.reaction, "_ids", None) or {}
            self.reaction._ids = scope  # type: ignore[attr-defined]
            pid = self._id(attrs, "localParameter", scope=scope)
            self.reaction.local[pid] = self._value(attrs, "value", f"local parameter {pid!r}")

    def _on_functionDefinition(self, attrs: dict[str, str]) -> None:
        fid = self._id(attrs, "functionDefinition")
        self.doc.functions[fid] = (None, self._line())

    def _on_initialAssignment(self, attrs: dict[str, str]) -> None:
        self.doc.initial_assignments.append((attrs.get("symbol", ""), ("bad", "no <math>"), self._line()))

    def _on_assignmentRule(self, attrs: dict[str, str]) -> None:
        self.doc.assignment_rules.append((attrs.get("variable", ""), ("bad", "no <math>"), self._line()))

    def _on_stoichiometryMath(self, attrs: dict[str, str]) -> None:
        if self.reaction is not None and self.stack[-3] in ("listOfReactants", "listOfProducts"):
            side = self.reaction.reactants if self.stack[-3] == "listOfReactants" else self.reaction.products
            if side:
                side[-1].math = ("bad", "an empty <stoichiometryMath>")

    def _leaf_event(self, attrs: dict[str, str]) -> None:
        name = attrs.get("id") or attrs.get("name") or "without id"
        self._problem(f"event {name[:60]!r} (line {self._line()}); events change the state discontinuously, "
                      "which a reaction network cannot")

    def _leaf_constraint(self, attrs: dict[str, str]) -> None:
        self.doc.constraints.append(f"line {self._line()}")

    def _rule(self, kind: str, attrs: dict[str, str]) -> None:
        target = attrs.get("variable", "")
        what = f" for {target[:60]!r}" if target else ""
        self._problem(f"{_RULES[kind]}{what} (line {self._line()}); rxnn networks are governed by their reactions "
                      "alone")

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
        if local in MATH_LEAVES:
            self.text = []
            self.parser.CharacterDataHandler = self.text.append

    def _math_end(self) -> None:
        tag, attrs, children = self.math.pop()
        if tag == "ci":  # the common cases first
            self.parser.CharacterDataHandler = None
            node: tuple = ("ci", "".join(self.text).strip(" \t\r\n"))
        elif not children and tag in _OPERATORS:
            node = ("op", tag)
        elif tag in MATH_LEAVES:
            self.parser.CharacterDataHandler = None
            node = math_node(tag, attrs, children, "".join(self.text))
            if node[0] == "bad":
                owner = self.stack[-1]
                if owner == "kineticLaw" and self.reaction is not None:
                    owner = f"reaction {self.reaction.id!r}"
                self._problem(f"{owner}, <{tag}> (line {self._line()}): {node[1]}")
                node = ("bad", node[1], "reported")
        else:
            node = math_node(tag, attrs, children, "")
        if self.math:
            self.math[-1][2].append(node)
            return
        self.math = None  # </math>
        tree = children[0] if len(children) == 1 else ("bad", "an empty or multiple-root <math>")
        self._deliver(tree)

    def _deliver(self, tree: Any) -> None:
        parent, attrs = self.stack[-1], self.attrs[-1]
        if parent == "kineticLaw":
            if self.reaction is not None:
                self.reaction.math = tree
        elif parent == "functionDefinition":
            fid = attrs.get("id", "")
            if fid in self.doc.functions:
                self.doc.functions[fid] = (tree, self.doc.functions[fid][1])
        elif parent == "initialAssignment":
            symbol, _, line = self.doc.initial_assignments[-1]
            self.doc.initial_assignments[-1] = (symbol, tree, line)
        elif parent == "assignmentRule":
            variable, _, line = self.doc.assignment_rules[-1]
            self.doc.assignment_rules[-1] = (variable, tree, line)
        elif parent == "stoichiometryMath" and self.reaction is not None:
            side = self.reaction.reactants if self.stack[-3] == "listOfReactants" else self.reaction.products
            if side:
                side[-1].math = tree


def parse(source: Path | bytes, origin: str, max_bytes: int, max_depth: int, func: str) -> Document:
    """Run the guarded streaming pass over a file or bytes (see :mod:`rxnn.io._xml_guard` for the limits)."""
    check_max_depth(max_depth, func)
    parser = Parser(origin, max_depth)
    feed(parser.parser, source, origin, max_bytes, func)
    if parser.doc.level == 0:
        raise SBMLError(f"{origin} has no <sbml> element")
    return parser.doc
