"""The layering of the package: crn knows nothing of neural networks, nn nothing of chemistry."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "rxnn"


def imported_modules(package: str) -> set[str]:
    out = set()
    for path in (SRC / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                out.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                out.add(node.module)
    return out


@pytest.mark.parametrize(
    "package, forbidden",
    [
        ("crn", ("rxnn.nn", "rxnn.compile", "rxnn.verify", "rxnn.experiments", "rxnn.theory", "rxnn.datasets")),
        ("nn", ("rxnn.crn", "rxnn.compile", "rxnn.verify", "rxnn.theory", "rxnn.io")),
    ],
)
def test_layers_do_not_import_each_other(package, forbidden):
    bad = sorted(m for m in imported_modules(package) if m.startswith(forbidden))
    assert not bad, f"rxnn.{package} imports {bad}"
