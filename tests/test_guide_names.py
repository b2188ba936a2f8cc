"""docs/guide.md matches the code: every name its tables list is importable where the guide says, and
every call signature it writes uses parameter names the function has (issue 13: "the guide lists it")."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import rxnn

GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "guide.md").read_text(encoding="utf-8")
PROSE = re.sub(r"^```.*?^```", "", GUIDE, flags=re.M | re.S)  # code spans outside fenced blocks
CODE = re.compile(r"`([^`]+)`")


def sections() -> list[tuple[str, str]]:
    """(heading, body) of every ``##`` section."""
    parts = re.split(r"^## (.+)$", PROSE, flags=re.M)
    return list(zip(parts[1::2], parts[2::2]))


def tables() -> list[tuple[str, list[str], list[list[str]]]]:
    """(section heading, header cells, rows of cells) of every table of the guide."""
    out = []
    for heading, body in sections():
        for block in re.findall(r"((?:^\|.*\|\s*$\n?)+)", body, flags=re.M):
            lines = [line.strip() for line in block.strip().splitlines()]
            split = [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
            out.append((heading, split[0], [r for r in split[2:]]))
    return out


def identifiers(cell: str) -> list[str]:
    """The leading dotted identifier of every code span in a table cell (``a \\| b`` has none)."""
    names = []
    for span in CODE.findall(cell):
        match = re.match(r"[A-Za-z_][\w.]*", span)
        if match and not re.match(r"^[a-z]$", match.group(0)):  # `a \| b`: operands, not names
            names.append(match.group(0))
    return names


def check_network_accessors(rows):
    for row in rows:
        for name in identifiers(row[0]):
            assert hasattr(rxnn.ReactionNetwork, name), f"guide: ReactionNetwork.{name} does not exist"


def check_format_functions(rows, header):
    import rxnn.io

    for row in rows:
        for cell in row[1:3]:
            for name in identifiers(cell)[:1]:  # the function; later spans are remarks ("needs the `x` package")
                if name.startswith("network."):
                    assert hasattr(rxnn.ReactionNetwork, name.split(".", 1)[1]), name
                elif name.startswith("ReactionNetwork."):
                    assert hasattr(rxnn.ReactionNetwork, name.split(".", 1)[1]), name
                else:  # the section is `rxnn.io`: the guide's readers and writers import from there
                    assert callable(getattr(rxnn.io, name)), f"guide: from rxnn.io import {name} fails"


def check_verify_limits(rows):
    parameters = inspect.signature(rxnn.verify_network).parameters
    for row in rows:
        for name in identifiers(row[1]):
            assert name in parameters, f"guide: verify_network has no parameter {name}"


def check_species_names(rows):
    from rxnn.nn import FeedForwardNetwork, SmoothReLU

    species = rxnn.compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0)).network.species
    for row in rows:
        for span in CODE.findall(row[0]):
            pattern = re.escape(span).replace(re.escape("<l>"), r"\d+").replace(re.escape("<i>"), r"\d+")
            pattern = pattern.replace(re.escape("<j>"), r"\d+")
            assert any(re.fullmatch(pattern, s) for s in species), f"guide: no compiled species is named {span}"


def check_command_options(rows):
    import argparse

    from rxnn.cli import build_parser

    flags = set()
    stack = [build_parser()]
    while stack:
        parser = stack.pop()
        for action in parser._actions:
            flags.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
    for row in rows:
        for flag in re.findall(r"--[\w-]+", row[0]):
            assert flag in flags, f"guide: no rxnn command has the option {flag}"


#: How each kind of table (by its first header cell) is checked; a new kind of table needs a rule here.
RULES = {
    "accessor": lambda rows, header: check_network_accessors(rows),
    "format": check_format_functions,
    "quantity": lambda rows, header: check_verify_limits(rows),
    "name": lambda rows, header: check_species_names(rows),
    "option": lambda rows, header: check_command_options(rows),
}


def test_the_guide_has_tables():
    assert {header[0] for _, header, _ in tables()} >= {"accessor", "format", "quantity", "name"}


@pytest.mark.parametrize("heading, header, rows", tables(), ids=[f"{h[:30]}:{c[0]}" for h, c, _ in tables()])
def test_every_table_names_what_exists(heading, header, rows):
    assert header[0] in RULES, f"no rule checks the guide's table '{header[0]}' in '{heading}': add one to RULES"
    RULES[header[0]](rows, header)


def test_from_rxnn_io_import_write_sbml():
    from rxnn.io import read_sbml, write_sbml  # the guide's exchange-format table lists them under rxnn.io

    import rxnn.io.sbml

    assert write_sbml is rxnn.io.sbml.write_sbml and read_sbml is rxnn.io.sbml.read_sbml


def call_signatures() -> list[tuple[str, list[str]]]:
    """The keyword names of every ``name(a, b=1, *, c=...)`` code span of the guide for a callable of ``rxnn``."""
    out = []
    for span in CODE.findall(PROSE):
        match = re.fullmatch(r"([A-Za-z_]\w*)\((.*)\)(?:\s*->.*)?", span)
        if not match or not callable(getattr(rxnn, match.group(1), None)):
            continue
        args, depth, current = [], 0, ""
        for ch in match.group(2):
            depth += ch in "([{"
            depth -= ch in ")]}"
            if ch == "," and depth == 0:
                args.append(current.strip())
                current = ""
            else:
                current += ch
        args.append(current.strip())
        # keywords: ``name=value``, and bare names after ``*``; positional ones are values (``net``, ``d``)
        keywords, after_star = [], False
        for a in args:
            if a == "*":
                after_star = True
            elif "=" in a or (after_star and a not in ("...", "/") and not a.startswith("**")):
                keywords.append(a.split("=")[0].strip())
        out.append((match.group(1), [n for n in keywords if re.fullmatch(r"[A-Za-z_]\w*", n)]))
    return out


def test_the_guide_finds_signatures():
    assert {"simulate", "steady_state", "simulate_stochastic"} <= {name for name, _ in call_signatures()}


@pytest.mark.parametrize("name, parameters", call_signatures(), ids=[n for n, _ in call_signatures()])
def test_every_keyword_in_the_guide_is_a_real_parameter(name, parameters):
    signature = inspect.signature(inspect.unwrap(getattr(rxnn, name)))  # named parameters, not **options
    missing = [p for p in parameters if p not in signature.parameters]
    assert not missing, f"guide: {name}() has no parameter {missing}; its parameters: {list(signature.parameters)}"
