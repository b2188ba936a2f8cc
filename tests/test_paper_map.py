"""docs/paper_map.md names objects that exist and tests that exist; one citation spelling in src/."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAP = (ROOT / "docs" / "paper_map.md").read_text(encoding="utf-8")
OBJECTS = sorted(set(re.findall(r"`(rxnn(?:\.\w+)+)`", MAP)))
TESTS = sorted(set(re.findall(r"`(tests/test_\w+\.py)::(\w+)`", MAP)))


def resolve(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_the_map_is_not_empty():
    assert len(OBJECTS) > 30 and len(TESTS) > 40


@pytest.mark.parametrize("dotted", OBJECTS)
def test_every_object_exists(dotted):
    assert resolve(dotted) is not None


@pytest.mark.parametrize("path, name", TESTS, ids=[f"{p}::{n}" for p, n in TESTS])
def test_every_test_exists(path, name):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert name in names


def test_every_paper_item_of_the_spec_is_mapped():
    for item in ("Def. 2.1", "Def. 4.1", "Def. 4.4", "Def. 4.5", "Def. 4.7", "Thm. 4.8", "Prop. 4.9", "Def. 5.1",
                 "Def. 5.3", "Table 1", "eq. (2)", "eq. (4)", "eq. (10)", "eq. (19)", "§6", "§6.1", "Prop. A.1"):
        assert item in MAP, item


def test_one_citation_spelling_in_the_sources():
    """`Thm. 4.8`, `Def. 4.1`, `eq. (19)`: not 'Theorem 4.8', 'Definition 4.1', 'Eq. 19' or 'Thm 4.8'."""
    bad = re.compile(r"\b(Theorem|Definition|Proposition) \d\.\d|\bThm \d|\bDef \d|\bEq\. ?\(?\d|\bequation \(\d")
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in (ROOT / "src").rglob("*.py")
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if bad.search(line)]
    assert not offenders, offenders
