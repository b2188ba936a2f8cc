"""rxnn's own reader of the Antimony subset that :func:`rxnn.io.antimony.write_antimony` writes, and the import guard.

The antimony package's time grows quadratically with the model (about 30
minutes for the 64 000 reactions of a compiled 784-40-10 network), so text in
the exact form rxnn writes is read here, line by line, in linear time: a
``model`` block of ``compartment c = <size>;``, ``[const] species X in c;``,
``J: A + 2 B => C; k*A*B^2;``, ``id = <number>;``, ``X_prime is "X'";``
lines and comments. The lines become the same small document the SBML
reader builds (:mod:`rxnn.io._sbml_parse`), so the same mass-action rules,
refusals and warnings apply. Any other line returns None, and the caller
falls back to the antimony package.

:func:`refuse_imports` runs first on every text: an Antimony ``import``
statement makes the antimony package read the named file (and echo it in
its errors), so it is refused before the package sees the text.

Examples
--------
>>> doc = read_rxnn_subset("model m\\n  compartment cell = 1;\\n  species X in cell;\\n"
...                        "  J0: X => ; k0*X;\\n  k0 = 2.0;\\n  X = 1.0;\\nend\\n", "the text")
>>> [r.id for r in doc.reactions], doc.parameters, doc.species["X"].concentration
(['J0'], {'k0': 2.0}, 1.0)
"""

from __future__ import annotations

import re

from rxnn.io._sbml_lexical import LexicalError, xsd_double
from rxnn.io._sbml_parse import Document, Reaction, Reference, Species
from rxnn.io.formats import FormatError

_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_MODEL = re.compile(rf"model\s+\*?({_ID})(?:\(\))?")
_COMPARTMENT = re.compile(rf"compartment\s+({_ID})\s*=\s*([^;\s]+)\s*;")
_SPECIES = re.compile(rf"(const\s+)?species\s+({_ID})\s+in\s+({_ID})\s*;")
_REACTION = re.compile(rf"({_ID})\s*:\s*([^=;]*?)\s*=>\s*([^;]*?)\s*;\s*([^;]+?)\s*;")
_VALUE = re.compile(rf"({_ID})\s*=\s*([^;\s]+)\s*;")
_DISPLAY = re.compile(rf"({_ID})\s+is\s+\"([^\"\\]*)\"\s*;")
_TERM = re.compile(rf"(?:([0-9]+)\s+)?({_ID})")
_FACTOR = re.compile(rf"({_ID})(?:\^([0-9]+))?")
# Comments and strings, removed before looking for import statements.
_HIDDEN = re.compile(r'//[^\n]*|/\*.*?(?:\*/|\Z)|#[^\n]*|"(?:[^"\\\n]|\\.)*"?', re.S)
_IMPORT = re.compile(r"\bimport\b")
_BLOCK_COMMENT = re.compile(r"/\*(?:[^*]|\*(?!/))*\*/")


def refuse_imports(text: str, origin: str, error: type[FormatError]) -> None:
    """Raise ``error`` naming the line of the first ``import`` statement of the Antimony ``text``, if any.

    Nothing of the named file is read, and its name is shown only as the statement's line number.
    """
    visible = _HIDDEN.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    match = _IMPORT.search(visible)
    if match:
        line = visible.count("\n", 0, match.start()) + 1
        raise error(f"{origin}, line {line}: an Antimony import statement; rxnn never reads other files named in "
                    "a model. Paste the imported model into the text instead")


def _complex(text: str) -> list[tuple[str, int]] | None:
    if not text:
        return []
    out = []
    for part in text.split("+"):
        match = _TERM.fullmatch(part.strip())
        if match is None:
            return None
        out.append((match.group(2), int(match.group(1) or 1)))
    return out


def _law(text: str, line: int) -> tuple | None:
    factors = []
    for part in text.split("*"):
        match = _FACTOR.fullmatch(part.strip())
        if match is None:
            return None
        leaf = ("ci", match.group(1))
        factors.append(leaf if match.group(2) is None else ("apply", "power", [leaf, ("cn", float(match.group(2)))]))
    return factors[0] if len(factors) == 1 else ("apply", "times", factors)


def read_rxnn_subset(text: str, origin: str) -> Document | None:
    """The document of an Antimony text in the form rxnn writes, or None for anything else."""
    doc = Document(origin, level=3)
    values: dict[str, float] = {}
    display: dict[str, str] = {}
    species_compartment: dict[str, tuple[bool, int]] = {}
    state = "before"
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("//") or _BLOCK_COMMENT.fullmatch(line):
            continue
        if state == "before":
            if _MODEL.fullmatch(line) is None:
                return None
            state = "in"
            continue
        if state == "after":
            return None
        if line == "end":
            state = "after"
            continue
        if (m := _REACTION.fullmatch(line)) is not None:
            reactants, products, law = _complex(m.group(2)), _complex(m.group(3)), _law(m.group(4), number)
            if reactants is None or products is None or law is None:
                return None
            reaction = Reaction(m.group(1), number, has_law=True, math=law)
            reaction.reactants = [Reference(s, float(c), number) for s, c in reactants]
            reaction.products = [Reference(s, float(c), number) for s, c in products]
            doc.reactions.append(reaction)
        elif (m := _SPECIES.fullmatch(line)) is not None:
            species_compartment[m.group(2)] = (bool(m.group(1)), number)
            doc.species[m.group(2)] = Species(m.group(2), None, m.group(3), None, None, False, bool(m.group(1)),
                                              number)
        elif (m := _VALUE.fullmatch(line)) is not None or (m := _COMPARTMENT.fullmatch(line)) is not None:
            try:
                value = xsd_double(m.group(2))
            except LexicalError:
                return None
            if m.re is _COMPARTMENT:
                doc.compartments[m.group(1)] = (value, number)
            elif m.group(1) in values:
                return None  # a reassignment: leave its meaning to the antimony package
            else:
                values[m.group(1)] = value
        elif (m := _DISPLAY.fullmatch(line)) is not None:
            display[m.group(1)] = m.group(2)
        else:
            return None
    if state != "after":
        return None
    return _finish(doc, values, display)


def _finish(doc: Document, values: dict[str, float], display: dict[str, str]) -> Document | None:
    for sid, value in values.items():
        if sid in doc.species:
            doc.species[sid].concentration = value
        elif sid in doc.compartments:
            return None
        else:
            doc.parameters[sid] = value
    for sid, name in display.items():
        if sid not in doc.species:
            return None
        doc.species[sid].name = name
    known = set(doc.species) | set(doc.compartments) | set(doc.parameters)
    for reaction in doc.reactions:
        for ref in (*reaction.reactants, *reaction.products):
            if ref.species not in doc.species:
                return None  # Antimony would declare it on the fly: leave that to the package
        for leaf in _leaves(reaction.math):
            if leaf not in known:
                doc.parameters[leaf] = None  # a named rate constant, declared without a value
                known.add(leaf)
    return doc


def _leaves(node: tuple) -> list[str]:
    if node[0] == "ci":
        return [node[1]]
    return [a[1] for a in node[2] if a[0] == "ci"] + [a[2][0][1] for a in node[2] if a[0] == "apply"]
