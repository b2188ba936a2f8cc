"""Tests of rxnn.theory.structure against hand-computed values, and ``rxnn check`` on network files."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
import sympy
from reference_networks import EXAMPLE_2_2, EXAMPLE_2_3, EXAMPLE_5_2, NETWORK_17

from rxnn import ReactionNetwork
from rxnn.compile import compile_network
from rxnn.nn import FeedForwardNetwork, ReLU, SmoothReLU
from rxnn.theory._cli import register
from rxnn.theory.structure import (
    analyze_structure,
    check_blocks,
    conservation_laws,
    deficiency,
    dependency_matrix,
    feed_forward_decomposition,
    is_weakly_reversible,
    linkage_classes,
    stoichiometric_rank,
)

REVERSIBLE_PAIR = "A <-> B"
FUTILE_CYCLE = """
S + E <-> C1
C1 -> P + E
P + F <-> C2
C2 -> S + F
"""
THREE_CYCLE = "A -> B\nB -> C\nC -> A"


def net(text):
    return ReactionNetwork.from_text(text)


def classes(network):
    return {frozenset(str(c) for c in lc) for lc in linkage_classes(network)}


def same_span(a, b):
    a, b = np.atleast_2d(np.asarray(a, dtype=float)), np.atleast_2d(np.asarray(b, dtype=float))
    r = np.linalg.matrix_rank
    return r(a) == r(b) == r(np.vstack([a, b]))


# ---------------------------------------------------------------------- hand-computed structural facts
def test_example_2_2():
    # X1 + X2 -> 2X2, X2 -> X1: complexes X1+X2, 2X2, X2, X1 (4); the two reactions share no
    # complex, so 2 linkage classes; reaction vectors (-1, 1) and (1, -1) span a line: rank 1;
    # deficiency 4 - 2 - 1 = 1; each class is a single irreversible edge: not weakly reversible.
    n = net(EXAMPLE_2_2)
    assert n.n_complexes == 4
    assert classes(n) == {frozenset({"X1 + X2", "2X2"}), frozenset({"X2", "X1"})}
    assert stoichiometric_rank(n) == 1 and deficiency(n) == 1 and not is_weakly_reversible(n)
    laws = conservation_laws(n)
    assert laws.exact and laws.expressions() == ("X1 + X2",)
    assert feed_forward_decomposition(n).blocks == (("X1", "X2"),)


def test_example_2_3():
    # 0 -> X1 + X2, X1 <-> X3, X1 + X3 -> X3: complexes 0, X1+X2, X1, X3, X1+X3 (5).
    # X3 is a vertex of both X1 <-> X3 and X1 + X3 -> X3, so {X1, X3, X1+X3} is one class and
    # {0, X1+X2} the other: 2 classes. Vectors (1,1,0), (-1,0,1), (1,0,-1), (-1,0,0) have rank 3
    # (no conservation law); deficiency 5 - 2 - 3 = 0; 0 -> X1+X2 is on no cycle: not weakly reversible.
    n = net(EXAMPLE_2_3)
    assert n.n_complexes == 5
    assert classes(n) == {frozenset({"0", "X1 + X2"}), frozenset({"X1", "X3", "X1 + X3"})}
    assert stoichiometric_rank(n) == 3 and deficiency(n) == 0 and not is_weakly_reversible(n)
    assert conservation_laws(n).n_laws == 0
    # X2 is only ever produced (by 0 -> X1 + X2, which reads nothing): its own block
    d = feed_forward_decomposition(n)
    assert d.blocks == (("X1", "X3"), ("X2",)) and d.depths == (0, 0) and d.upstream == ((), ())


def test_example_5_2_and_network_17():
    # X + Y + E -> 2Y + E, Y + F -> X + F: enzymes E, F (Def. 5.1); 4 complexes, 2 classes,
    # rank 1, deficiency 1; x + y is conserved (eq. (16)).
    n = net(EXAMPLE_5_2)
    assert n.n_complexes == 4 and len(linkage_classes(n)) == 2
    assert stoichiometric_rank(n) == 1 and deficiency(n) == 1 and not is_weakly_reversible(n)
    laws = conservation_laws(n)
    assert laws.species == ("X", "Y") and laws.expressions() == ("X + Y",)
    d = feed_forward_decomposition(n)
    assert d.blocks == (("X", "Y"),) and d.parameters == (("E", "F"),)
    # (17) adds Z + F -> Z: F becomes dynamic and drives {X, Y}; complexes Z + F and Z are new:
    # 6 complexes, 3 classes, rank 2, deficiency 1.
    n17 = net(NETWORK_17)
    assert n17.n_complexes == 6 and len(linkage_classes(n17)) == 3
    assert stoichiometric_rank(n17) == 2 and deficiency(n17) == 1
    d17 = feed_forward_decomposition(n17)
    assert d17.blocks == (("F",), ("X", "Y")) and d17.depths == (0, 1) and d17.upstream == ((), (0,))
    assert d17.parameters == (("Z",), ("E",))


def test_reversible_pair():
    # A <-> B: 2 complexes, 1 class, rank 1: deficiency 0, weakly reversible, A + B conserved
    n = net(REVERSIBLE_PAIR)
    assert classes(n) == {frozenset({"A", "B"})}
    assert deficiency(n) == 0 and is_weakly_reversible(n)
    assert conservation_laws(n).expressions() == ("A + B",)


def test_futile_cycle():
    # S+E <-> C1 -> P+E, P+F <-> C2 -> S+F: 6 complexes in 2 classes; rank 3, so deficiency 1;
    # C1 -> P + E is irreversible with no path back: not weakly reversible. Three laws:
    # total kinase E + C1, total phosphatase F + C2, total substrate S + P + C1 + C2.
    n = net(FUTILE_CYCLE)
    assert n.n_complexes == 6
    assert classes(n) == {frozenset({"S + E", "C1", "E + P"}), frozenset({"P + F", "C2", "S + F"})}
    assert stoichiometric_rank(n) == 3 and deficiency(n) == 1 and not is_weakly_reversible(n)
    laws = conservation_laws(n)
    species = laws.species
    expected = np.zeros((3, len(species)))
    for row, names in enumerate((("E", "C1"), ("F", "C2"), ("S", "P", "C1", "C2"))):
        expected[row, [species.index(s) for s in names]] = 1
    assert same_span(laws.matrix, expected)
    assert set(laws.expressions()) == {"S + C1 + P + C2", "E + C1", "F + C2"}  # the canonical (RREF) basis


def test_three_cycle_is_weakly_reversible():
    n = net(THREE_CYCLE)
    assert is_weakly_reversible(n) and deficiency(n) == 0
    assert conservation_laws(n).expressions() == ("A + B + C",)


def test_numeric_path_matches_exact():
    for text in (EXAMPLE_2_2, FUTILE_CYCLE, EXAMPLE_2_3, THREE_CYCLE):
        n = net(text)
        exact, numeric = conservation_laws(n, exact=True), conservation_laws(n, exact=False)
        assert not numeric.exact and exact.n_laws == numeric.n_laws
        if exact.n_laws:
            assert same_span(exact.matrix, numeric.matrix)
        assert stoichiometric_rank(n, exact=False) == stoichiometric_rank(n, exact=True)


def test_dependency_matrix():
    n = net("X -> Y\nY -> 0")
    np.testing.assert_array_equal(dependency_matrix(n).toarray(), [[True, True], [False, True]])
    d = feed_forward_decomposition(n)
    assert d.blocks == (("X",), ("Y",)) and d.depths == (0, 1) and d.is_cascade_of_nodes()
    assert d.block_of("Y") == 1
    with pytest.raises(KeyError, match="not a dynamic species"):
        d.block_of("Z")


# ---------------------------------------------------------------------- compiled networks: the cascade of Thm. 4.8
@pytest.fixture(scope="module")
def compiled():
    return compile_network(FeedForwardNetwork.random([2, 3, 2], SmoothReLU(1.0), seed=0))


def test_compiled_network_is_a_cascade_of_nodes(compiled):
    d = feed_forward_decomposition(compiled.network)
    assert d.is_cascade_of_nodes() and d.n_blocks == 5
    assert d.blocks == tuple((s,) for s in compiled.hidden_and_output_species)
    assert d.depths == (0, 0, 0, 1, 1) and d.n_levels == 2
    assert d.upstream[3] == (0, 1, 2)
    assert "H" in d.parameters[0] and "X0_1" in d.parameters[0]


def test_compiled_blocks_meet_theorem_4_8(compiled):
    blocks = check_blocks(compiled.network)  # H stays a positive symbol
    H = sympy.Symbol("H", positive=True)
    assert all(b.in_class and b.proved for b in blocks)
    assert all(sympy.simplify(b.g - (H - sympy.Symbol("x") ** 2)) == 0 for b in blocks)
    assert blocks[0].check is blocks[1].check  # equal g are checked once
    numeric = check_blocks(compiled.network, {"H": 1.0})
    assert all(b.proved for b in numeric) and numeric[0].check.entry is not None
    report = analyze_structure(compiled.network, {"H": 1.0})
    assert report.proved and "converges from infinity" in str(report)


def test_relu_network_fails_theorem_4_8():
    relu = compile_network(FeedForwardNetwork.random([2, 2], ReLU(), seed=0))
    blocks = check_blocks(relu.network, {"H": 0.0})
    assert all(b.in_class and not b.proved for b in blocks)
    assert blocks[0].check.reliable.refuted


def test_blocks_outside_the_class():
    n = net("0 -> U\nU -> 0\nU + 2X -> U + X\n0 -> X")
    blocks = check_blocks(n)
    assert [b.species for b in blocks] == [("U",), ("X",)]
    assert not blocks[1].in_class and "U" in blocks[1].reason and "x^2" in blocks[1].reason
    assert not check_blocks(net(EXAMPLE_2_2))[0].in_class


def test_analyze_structure_report():
    report = analyze_structure(net(FUTILE_CYCLE), blocks=False)
    assert (report.n_complexes, report.n_linkage_classes, report.rank, report.deficiency) == (6, 2, 3, 1)
    assert report.blocks is None and not report.proved
    text = str(report)
    assert "deficiency: 1" in text and "weakly reversible: no" in text and "E + C1" in text


def test_errors():
    with pytest.raises(TypeError, match="network of deficiency must be a ReactionNetwork"):
        deficiency("A -> B")
    with pytest.raises(ValueError, match="values of check_blocks must name enzymatic species"):
        check_blocks(net(EXAMPLE_5_2), {"Q": 1.0})
    with pytest.raises(ValueError, match="y_bound of check_blocks"):
        check_blocks(net(EXAMPLE_5_2), y_bound=0.0)


# ---------------------------------------------------------------------- rxnn check on network files
def run_check(argv, capsys):
    parser = argparse.ArgumentParser(prog="rxnn")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["check", *argv])
    return args.func(args), capsys.readouterr()


def test_cli_network_file(tmp_path, capsys, compiled):
    good = tmp_path / "compiled.txt"
    good.write_text(compiled.network.to_text())
    code, out = run_check([str(good), "--value", "H=1"], capsys)
    assert code == 0 and "every block meets the hypotheses" in out.out
    example = tmp_path / "example.txt"
    example.write_text(EXAMPLE_2_2)
    code, out = run_check([str(example)], capsys)
    assert code == 3 and "deficiency: 1" in out.out
    code, out = run_check(["--network", str(tmp_path / "missing.txt")], capsys)
    assert code == 2 and "cannot read" in out.err
    code, out = run_check([str(good), "--value", "H"], capsys)
    assert code == 2 and "NAME=NUMBER" in out.err


def test_structure_does_not_import_the_neural_network_half():
    import ast
    import inspect

    import rxnn.theory.structure as module

    tree = ast.parse(inspect.getsource(module))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m and (m.startswith("rxnn.nn") or m.startswith("rxnn.compile"))]
