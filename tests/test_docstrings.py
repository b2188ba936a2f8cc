"""Every public function and class of every public module has a numpy-style Examples section (issue 19).

The Examples run as doctests (``make test`` runs ``pytest --doctest-modules src/rxnn``); this test checks
that they exist. Public means: a module none of whose package parts starts with ``_``, and a module-level
function or class whose name does not start with ``_`` and that the module defines (not a re-export).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import rxnn


def _public_objects():
    for info in pkgutil.walk_packages(rxnn.__path__, "rxnn."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            yield module.__name__, name, inspect.getdoc(obj) or ""


def _has_examples(doc: str) -> bool:
    # A numpy-style section: the heading, its underline, and at least one doctest prompt after it.
    match = re.search(r"^Examples\n-{8,}\n", doc, re.MULTILINE)
    return match is not None and ">>> " in doc[match.end():]


def test_the_walk_sees_the_public_api():
    found = {(module, name) for module, name, _ in _public_objects()}
    assert {("rxnn.verify", "verify_network"), ("rxnn.io.formats", "read_network"),
            ("rxnn.crn.draw", "draw_network")} <= found
    assert not any(name.startswith("_") or "._" in module for module, name in found)


def test_the_examples_check_is_strict():
    assert _has_examples("Summary.\n\nExamples\n--------\n>>> 1 + 1\n2\n")
    assert not _has_examples("Summary. See the Examples section of the module.")
    assert not _has_examples("Summary.\n\nExamples\n--------\nNone yet.\n")


def test_every_public_function_and_class_has_an_examples_section():
    missing: dict[str, list[str]] = {}
    for module, name, doc in _public_objects():
        if not _has_examples(doc):
            missing.setdefault(module, []).append(name)
    listed = "\n".join(f"  {module} ({len(names)}): {', '.join(names)}" for module, names in sorted(missing.items()))
    assert not missing, f"{sum(map(len, missing.values()))} public objects have no Examples section:\n{listed}"
