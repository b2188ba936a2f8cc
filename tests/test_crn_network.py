"""The reaction-network model against the paper's examples (§2, §5.1)."""

import numpy as np
import pytest
import scipy.sparse as sp
import sympy

from rxnn import Complex, NetworkError, Reaction, ReactionNetwork
from reference_networks import EXAMPLE_2_2, EXAMPLE_2_3, EXAMPLE_5_2, NETWORK_17


def vectors(net):
    return {str(r.source) + " -> " + str(r.target): dict(r.vector) for r in net.reactions}


def test_example_2_2_complexes_and_reaction_vectors():
    net = ReactionNetwork.from_text(EXAMPLE_2_2)
    assert net.species == ("X1", "X2")
    # The paper: complexes {X1 + X2, 2X2, X2, X1}.
    assert set(net.complexes) == {Complex({"X1": 1, "X2": 1}), Complex({"X2": 2}), Complex({"X2": 1}), Complex({"X1": 1})}
    # zeta_{X1+X2 -> 2X2} = (-1, 1), zeta_{X2 -> X1} = (1, -1).
    assert net.reaction_vector(0).tolist() == [-1, 1]
    assert net.reaction_vector(1).tolist() == [1, -1]
    assert net.stoichiometry_matrix().toarray().tolist() == [[-1, 1], [1, -1]]
    assert net.dynamic_species == ("X1", "X2") and net.enzymatic_species == ()


def test_example_2_3_complexes_and_reaction_vectors():
    net = ReactionNetwork.from_text(EXAMPLE_2_3)
    assert net.n_reactions == 4  # X1 <-> X3 is two reactions
    assert set(net.complexes) == {
        Complex({}), Complex({"X1": 1, "X2": 1}), Complex({"X1": 1}), Complex({"X3": 1}), Complex({"X1": 1, "X3": 1})
    }
    assert vectors(net) == {
        "0 -> X1 + X2": {"X1": 1, "X2": 1},
        "X1 -> X3": {"X1": -1, "X3": 1},
        "X3 -> X1": {"X1": 1, "X3": -1},
        "X1 + X3 -> X3": {"X1": -1},
    }


def test_example_5_2_species_partition_and_ode_16():
    net = ReactionNetwork.from_text(EXAMPLE_5_2)
    assert set(net.dynamic_species) == {"X", "Y"}
    assert set(net.enzymatic_species) == {"E", "F"}
    x, y, e, f, k1, k2 = sympy.symbols("X Y E F k1 k2")
    odes = net.odes()
    assert set(odes) == {"X", "Y"}
    # eq. (16): x' = -k1 e x y + k2 f y, y' = k1 e x y - k2 f y.
    assert sympy.expand(odes["X"] - (-k1 * e * x * y + k2 * f * y)) == 0
    assert sympy.expand(odes["Y"] - (k1 * e * x * y - k2 * f * y)) == 0
    # Symbols named E and I stay plain symbols, not sympy's constants.
    assert all(isinstance(s, sympy.Symbol) for s in odes["X"].free_symbols)


def test_network_17_enzymes_run_backwards_and_subnetwork():
    small = ReactionNetwork.from_text(EXAMPLE_5_2)
    big = ReactionNetwork.from_text(NETWORK_17)
    assert set(big.dynamic_species) == {"X", "Y", "F"}
    assert set(big.enzymatic_species) == {"E", "Z"}
    assert small.is_subnetwork_of(big) and not big.is_subnetwork_of(small)
    # §5.1: S'_dyn within S_dyn; S_enz meet S' within S'_enz.
    assert set(small.dynamic_species) <= set(big.dynamic_species)
    assert set(big.enzymatic_species) & set(small.species) <= set(small.enzymatic_species)
    assert small | ReactionNetwork.from_text("Z + F -> Z") == big


def test_parameter_vector_def_5_3():
    net = ReactionNetwork.from_text(EXAMPLE_5_2).with_rates(k1=2.0, k2=3.0)
    assert net.parameter_names == ("k1", "k2", "E", "F")  # a property, like rate_parameters
    with pytest.warns(DeprecationWarning, match=r"parameter_names\(\) is deprecated: it is a property now"):
        assert net.parameter_names() == ("k1", "k2", "E", "F")  # the old method call still works
    assert net.parameter_vector({"E": 0.5, "F": 7.0}).tolist() == [2.0, 3.0, 0.5, 7.0]
    with pytest.raises(NetworkError, match="enzymatic species F"):
        net.parameter_vector({"E": 0.5})


def test_equality_is_by_value_and_order_free():
    a = ReactionNetwork.from_text("A -> B ; 2\nB -> C")
    b = ReactionNetwork.from_text("B -> C\nA -> B ; 2")
    assert a == b and hash(a) == hash(b)
    assert a != ReactionNetwork.from_text("A -> B ; 3\nB -> C")


def test_union_set_semantics_and_conflicts():
    a = ReactionNetwork.from_text("A -> B\nB -> C")
    b = ReactionNetwork.from_text("B -> C\nC -> A")
    u = a | b
    assert u.n_reactions == 3 and u.species == ("A", "B", "C")
    assert a.is_subnetwork_of(u) and b.is_subnetwork_of(u)
    with pytest.raises(NetworkError, match="B -> C is given twice with different rates"):
        a | ReactionNetwork.from_text("B -> C ; 2")


def test_subnetwork_keeps_only_species_it_uses():
    net = ReactionNetwork.from_text(NETWORK_17)
    sub = net.subnetwork([2])
    assert sub.species == ("F", "Z") or set(sub.species) == {"F", "Z"}
    assert sub.is_subnetwork_of(net)
    by_objects = net.subnetwork([net.reactions[0], net.reactions[1]])
    assert by_objects == ReactionNetwork.from_text(EXAMPLE_5_2)
    mask = np.array([True, False, True])
    assert net.subnetwork(mask).n_reactions == 2


def test_from_matrices_equals_text_construction():
    species = ["X1", "X2"]
    R = sp.csc_matrix(np.array([[1, 0], [1, 1]]))
    P = sp.csc_matrix(np.array([[0, 1], [2, 0]]))
    assert ReactionNetwork.from_matrices(species, R, P) == ReactionNetwork.from_text(EXAMPLE_2_2)


def test_with_rates_fills_named_constants():
    net = ReactionNetwork.from_text(EXAMPLE_5_2)
    assert net.rate_parameters == ("k1", "k2")
    filled = net.with_rates({"k1": 2.0}, k2=0.5)
    assert filled.rate_parameters == () and filled.rates == (2.0, 0.5)
    with pytest.raises(NetworkError, match="k3, which are not rate parameters"):
        net.with_rates(k3=1.0)
    with pytest.raises(NetworkError, match="k2 have no value"):
        net.with_rates(k1=1.0).rate_array()


# ---------------------------------------------------------------- errors (Def. 2.1)
def test_reaction_from_complex_to_itself_is_refused():
    with pytest.raises(NetworkError, match="from a complex to itself"):
        Reaction({"X": 1}, {"X": 1})
    with pytest.raises(NetworkError, match="reaction 0 .* from a complex to itself"):
        ReactionNetwork.from_matrices(["X"], [[1]], [[1]])


@pytest.mark.parametrize("rate", [0, -1.0, float("nan"), float("inf")])
def test_non_positive_rates_are_refused(rate):
    with pytest.raises(NetworkError, match="must be a positive"):
        Reaction({"X": 1}, {}, rate)
    with pytest.raises(NetworkError, match="reaction 0 must be a positive finite number"):
        ReactionNetwork.from_matrices(["X"], [[1]], [[0]], np.array([rate], dtype=float))


@pytest.mark.parametrize("coef", [-1, 1.5])
def test_coefficients_must_be_non_negative_integers(coef):
    with pytest.raises(NetworkError, match="non-negative integer"):
        ReactionNetwork.from_matrices(["X", "Y"], np.array([[coef], [0]]), np.array([[0], [1]]))


def test_species_rules():
    with pytest.raises(NetworkError, match="species name '1X' is invalid"):
        ReactionNetwork.from_matrices(["1X"], [[1]], [[0]])
    with pytest.raises(NetworkError, match="listed twice"):
        ReactionNetwork.from_matrices(["X", "X"], [[1], [0]], [[0], [1]])
    with pytest.raises(NetworkError, match="Y appear in no reaction"):
        ReactionNetwork.from_matrices(["X", "Y"], [[1], [0]], [[0], [0]])


def test_large_network_builds_from_arrays_without_reaction_objects():
    n = 20000
    a = np.arange(n)
    R = sp.csc_matrix((np.ones(n, dtype=np.int64), (a, a)), shape=(n + 1, n))
    P = sp.csc_matrix((np.ones(n, dtype=np.int64), (a + 1, a)), shape=(n + 1, n))
    net = ReactionNetwork.from_matrices([f"S{i}" for i in range(n + 1)], R, P)
    assert net.n_reactions == n and net.enzymatic_species == ()
    assert str(net.reactions[123]) == "S123 -> S124"


@pytest.mark.parametrize(
    "matrix, match",
    [
        ([[1, 2], [3]], "reactant matrix must be a sparse matrix or array of non-negative integers"),
        ([["a"]], "reactant matrix must be a sparse matrix or array of non-negative integers"),
        ([[10**30]], "reactant matrix must be a sparse matrix or array of non-negative integers"),
        (np.array([[1 + 1j]]), "reactant coefficients must be non-negative integers .*got dtype complex128"),
        (np.array([[1e300]]), "reactant coefficients must be at most MAX_COEFFICIENT = 1000000"),
        (np.array([[2**62]], dtype=np.int64), "reactant coefficients must be at most MAX_COEFFICIENT = 1000000"),
    ],
)
def test_from_matrices_refuses_bad_coefficient_arrays_as_network_errors(matrix, match):
    with pytest.raises(NetworkError, match=match):
        ReactionNetwork.from_matrices(["X"], matrix, [[0]])
