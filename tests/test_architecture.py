"""The layering of the package: crn knows nothing of neural networks, nn nothing of chemistry."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "rxnn"


def imported_modules(package: str) -> set[str]:
    out = set()
    for path in (SRC / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
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


# --------------------------------------------------------------------------- private names and cycles
#
# The rule, over every module of src/rxnn:
#
# * A private name (``_x``, not a dunder) defined in module ``rxnn.P.m`` may be used by another module
#   (``from rxnn.P.m import _x``, or ``m._x`` on a module object bound by an import) only if ``m`` is
#   itself a private module (``rxnn/P/_m.py``, its name starts with ``_``) and the user lives in the same
#   package ``rxnn.P`` (a sibling module, public or private). Private modules of one package are that
#   package's shared internals (e.g. ``rxnn/io/_sbml_*.py``, used by ``rxnn/io/sbml.py``). Inside a
#   private package (``rxnn/crn/_engine/``) every module may use every other's private names. Otherwise a
#   public module's private names are its own, and no package reaches into another's internals.
# * A private module ``rxnn.P._m`` may be imported only from inside ``rxnn.P`` (any depth below it):
#   ``rxnn._files`` serves every module, ``rxnn.crn._checks`` only ``rxnn.crn.*``.
# * Module-level imports (not those inside functions, which run later) form no cycle. ``from P import m``
#   of a submodule m depends on m only (a package's parents are always imported first, so they count
#   as no edge); ``from m import name`` depends on m.

MODULES = {
    ".".join(("rxnn", *p.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__"): p
    for p in sorted(SRC.rglob("*.py"))
}


def package_of(module: str) -> str:
    """The package a module belongs to: itself for a package (__init__), else its parent."""
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def absolute(module: str, node: ast.ImportFrom) -> str:
    """The absolute module name of ``from <node.module> import ...`` written in ``module``."""
    if not node.level:
        return node.module or ""
    base = package_of(module).split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def private_name_allowed(user: str, owner: str) -> bool:
    if is_private(owner.rpartition(".")[2]) and package_of(user) == owner.rpartition(".")[0]:
        return True
    parts = owner.split(".")
    for i in range(1, len(parts) - 1):  # inside a private package (rxnn/crn/_engine/...), its modules share names
        if is_private(parts[i]):
            package = ".".join(parts[: i + 1])
            return user == package or user.startswith(package + ".")
    return False


def private_module_allowed(user: str, private_module: str) -> bool:
    parent = private_module.rpartition(".")[0]
    return user == parent or user.startswith(parent + ".")


def uses_of_other_modules(module: str):
    """(line, owner module, name) for every name this module takes from another rxnn module, and
    (line, module, None) for every rxnn module it imports."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    bound: dict[str, str] = {}  # local name -> rxnn module it refers to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("rxnn"):
                    yield node.lineno, alias.name, None
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        bound["rxnn"] = "rxnn"
        elif isinstance(node, ast.ImportFrom):
            source = absolute(module, node)
            if not source.startswith("rxnn"):
                continue
            yield node.lineno, source, None
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in MODULES:  # from rxnn.crn import simulate: a module
                    yield node.lineno, sub, None
                    bound[alias.asname or alias.name] = sub
                else:
                    yield node.lineno, source, alias.name
    for node in ast.walk(tree):  # m._x where m is bound to an rxnn module (also rxnn.crn.simulate._x)
        if isinstance(node, ast.Attribute):
            chain, value = [node.attr], node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in bound:
                owner = bound[value.id]
                for part in reversed(chain[1:]):
                    if f"{owner}.{part}" not in MODULES:
                        break
                    owner = f"{owner}.{part}"
                else:
                    yield node.lineno, owner, node.attr


def offences(module: str) -> list[str]:
    found = []
    for line, owner, name in uses_of_other_modules(module):
        where = f"{MODULES[module].relative_to(SRC.parent)}:{line}"
        if owner == module or owner not in MODULES:
            continue
        if name is None:
            private_parts = [i for i, part in enumerate(owner.split(".")) if is_private(part)]
            for i in private_parts:
                private_module = ".".join(owner.split(".")[: i + 1])
                if not private_module_allowed(module, private_module):
                    found.append(f"{where} imports the private module {private_module}")
                    break
        elif is_private(name) and not private_name_allowed(module, owner):
            found.append(f"{where} uses {owner}.{name}")
    return sorted(set(found))


def test_the_private_name_rule_on_examples():
    assert private_name_allowed("rxnn.io.sbml", "rxnn.io._sbml_read")  # a package's internals, shared
    assert private_name_allowed("rxnn.io._sbml_read", "rxnn.io._sbml_math")
    assert not private_name_allowed("rxnn.io.sbml", "rxnn.io.formats")  # a public module's own
    assert not private_name_allowed("rxnn.experiments.compare", "rxnn.crn._checks")  # another package's
    assert private_name_allowed("rxnn.crn._engine.channels", "rxnn.crn._engine.groups")  # one private package
    assert private_name_allowed("rxnn.crn._engine", "rxnn.crn._engine.groups")
    assert not private_name_allowed("rxnn.crn.kinetics", "rxnn.crn._engine.groups")
    assert not private_name_allowed("rxnn.crn.engine.channels", "rxnn.crn.engine.groups")  # a public package
    assert private_module_allowed("rxnn.experiments._cli", "rxnn._files")
    assert not private_module_allowed("rxnn.experiments.compare", "rxnn.crn._checks")
    text = ("from rxnn.crn import simulate\nimport rxnn.crn.engine as eng\nfrom rxnn.crn.simulate import _check_span\n"
            "x = simulate._where\ny = eng._group_by\n")
    path = SRC / "experiments" / "_example_for_the_test.py"
    MODULES["rxnn.experiments._example_for_the_test"] = path
    try:
        path.write_text(text, encoding="utf-8")
        found = offences("rxnn.experiments._example_for_the_test")
    finally:
        path.unlink()
        del MODULES["rxnn.experiments._example_for_the_test"]
    assert sorted(f.split(" ", 1)[1] for f in found) == [
        "uses rxnn.crn.engine._group_by", "uses rxnn.crn.simulate._check_span", "uses rxnn.crn.simulate._where"]


def test_no_private_names_cross_modules():
    found = [f for module in MODULES for f in offences(module)]
    assert not found, f"{len(found)} uses of private names or modules across modules:\n" + "\n".join(found)


def module_level_imports(module: str) -> set[str]:
    """The rxnn modules a module imports when it is imported (top-level statements, TYPE_CHECKING aside)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out: set[str] = set()

    def visit(statements):
        for node in statements:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for block in ("body", "orelse", "finalbody", "handlers"):
                    for item in getattr(node, block, []):
                        visit(item.body if isinstance(item, ast.ExceptHandler) else [item])
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names if a.name in MODULES)
            elif isinstance(node, ast.ImportFrom):
                source = absolute(module, node)
                subs = {f"{source}.{a.name}" for a in node.names} & set(MODULES)
                out.update(subs)
                if source in MODULES and len(subs) < len(node.names):  # a name defined by the module itself
                    out.add(source)

    visit(tree.body)
    out.discard(module)
    return out


def test_no_import_cycles():
    graph = {m: module_level_imports(m) for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def strong(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    assert not cycles, f"import cycles: {cycles}"


def test_rxnn_io_exports_lazily():
    """``from rxnn.io import write_sbml`` works (the guide lists it) and ``import rxnn.io`` imports nothing else."""
    import subprocess
    import sys

    code = ("import sys, rxnn.io; before = {m for m in sys.modules if m.startswith('rxnn.io.') or m in ('onnx', 'libsbml')}; "
            "from rxnn.io import write_sbml, read_json; print(sorted(before), write_sbml.__name__, read_json.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", errors="replace", check=True,
                         env={"PYTHONPATH": str(SRC.parent)}).stdout
    assert out.strip() == "[] write_sbml read_json"
