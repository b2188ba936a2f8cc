"""rxnn.bind: bound problems against the closed-form forward pass (eqs. (6)-(7)) and the unbound public calls."""

from __future__ import annotations

import numpy as np
import pytest

from rxnn import (
    FeedForwardNetwork,
    PolynomialActivation,
    ReactionNetwork,
    SmoothReLU,
    SteadyStateError,
    bind,
    compile_network,
    simulate,
    steady_state,
)
from rxnn.errors import ArgumentTypeError, InvalidArgumentError, LimitError

# The fast path solves each node's polynomial in closed form (degree 2) or by bracketed Newton to 1e-15
# relative, so it agrees with the closed form of eqs. (6)-(7) to rounding; 1e-8 is the bound, and
# the public steady_state runs the same roots, so 1e-12 leaves room only for summation order.
CLOSED_FORM_TOL = 1e-8
PUBLIC_TOL = 1e-12


def _problem(net: FeedForwardNetwork, nodes: float | None = 1.0):
    """The compiled network bound with H, W+-, B+- (and the node starts, unless None) fixed, inputs varying."""
    chem = compile_network(net)
    inputs = chem.layer_species(0)
    zero = chem.initial_state(np.zeros(net.layer_sizes[0]), nodes=0.0)
    fixed = {s: v for s, v in zero.items() if s not in inputs and s not in chem.hidden_and_output_species}
    if nodes is not None:
        fixed.update(dict.fromkeys(chem.hidden_and_output_species, nodes))
    return chem, bind(chem.network, fixed, varying=inputs)


def _rel(got: list[np.ndarray], want: list[np.ndarray]) -> float:
    return max(float(np.max(np.abs(g - w) / np.abs(w))) for g, w in zip(got, want))


@pytest.mark.parametrize("activation", [SmoothReLU(1.0), SmoothReLU(0.25), PolynomialActivation(3, 1.0)])
def test_compiled_networks_match_closed_form_and_public_steady_state(activation):
    net = FeedForwardNetwork.random([5, 4, 3, 2], activation, seed=3)
    chem, problem = _problem(net)
    d = np.random.default_rng(1).random((30, 5))
    res = problem.steady_state(d)
    assert problem.fast_path and res.success and "bound fast path" in res.message
    assert _rel(chem.layer_values(res)[1:], net.activations(d)[1:]) <= CLOSED_FORM_TOL
    public = steady_state(chem.network, chem.initial_state(d, nodes=1.0))
    np.testing.assert_allclose(res.dynamic, public.dynamic, rtol=PUBLIC_TOL, atol=0)
    assert res.dynamic_species == public.dynamic_species and res.batched
    assert np.all(res.residual <= 1.0) and np.all(res.converged)
    # Every species reads back by name: the inputs as given, the fixed ones as fixed.
    np.testing.assert_array_equal(res[chem.node_species(0, 2)], d[:, 1])
    assert np.all(res["H"] == activation.h)


def test_784_40_10_on_mnist_like_inputs():
    """Random 784-40-10 weights; sparse inputs in [0, 1] like MNIST digits (about 80% zeros)."""
    net = FeedForwardNetwork.random([784, 40, 10], SmoothReLU(1.0), seed=1234)
    chem, problem = _problem(net)
    rng = np.random.default_rng(0)
    d = rng.random((64, 784)) * (rng.random((64, 784)) < 0.2)
    res = problem.steady_state(d)
    assert problem.fast_path and res.success
    assert _rel(chem.layer_values(res)[1:], net.activations(d)[1:]) <= CLOSED_FORM_TOL
    public = steady_state(chem.network, chem.initial_state(d, nodes=1.0))
    np.testing.assert_allclose(res.dynamic, public.dynamic, rtol=PUBLIC_TOL, atol=0)
    by_mapping = problem.steady_state(dict(zip(chem.layer_species(0), d.T)))
    np.testing.assert_array_equal(by_mapping.dynamic, res.dynamic)


def test_node_starts_may_vary_and_do_not_change_the_limit():
    """Thm. 4.8 / Prop. 4.9: the limit does not depend on the start; starts given per call, over the batch."""
    net = FeedForwardNetwork.random([3, 4, 2], SmoothReLU(1.0), seed=0)
    chem, problem = _problem(net, nodes=None)
    rng = np.random.default_rng(2)
    d = np.tile(rng.random(3), (5, 1))
    starts = np.array([0.0, 1e-12, 1.0, 10.0, 1e6])
    varying = {**dict(zip(chem.layer_species(0), d.T)), **dict.fromkeys(chem.hidden_and_output_species, starts)}
    res = problem.steady_state(varying)
    assert res.success
    assert _rel(chem.layer_values(res)[1:], net.activations(d)[1:]) <= CLOSED_FORM_TOL
    # Nodes not given start at 0, as in steady_state: h > 0 makes 0 a start like any other.
    res0 = problem.steady_state(dict(zip(chem.layer_species(0), d.T)))
    np.testing.assert_allclose(res0.dynamic, res.dynamic, rtol=PUBLIC_TOL)


def test_with_fixed_rebinds_new_weights():
    net = FeedForwardNetwork.random([4, 3, 2], SmoothReLU(1.0), seed=0)
    other = FeedForwardNetwork.random([4, 3, 2], SmoothReLU(1.0), seed=7)
    chem, problem = _problem(net)
    d = np.random.default_rng(0).random((6, 4))
    new = {s: v for s, v in compile_network(other).initial_state(d[0]).items() if s in problem.fixed_species}
    moved = problem.with_fixed(new)
    assert _rel(chem.layer_values(moved.steady_state(d))[1:], other.activations(d)[1:]) <= CLOSED_FORM_TOL
    # The array form, in the order of fixed_species, is the same re-binding; the original is unchanged.
    array = moved.with_fixed(np.array([new.get(s, v) for s, v in zip(problem.fixed_species, problem.fixed_values)]))
    np.testing.assert_array_equal(array.steady_state(d).dynamic, moved.steady_state(d).dynamic)
    assert _rel(chem.layer_values(problem.steady_state(d))[1:], net.activations(d)[1:]) <= CLOSED_FORM_TOL


def test_scalar_varying_is_unbatched():
    node = ReactionNetwork.from_text("H -> H + X\nE + X -> E + 2X\n2X -> X")  # x' = h + e x - x^2
    problem = bind(node, {"H": 2.0})
    res = problem.steady_state({"E": 1.0})
    assert not res.batched and res["X"] == pytest.approx(2.0, rel=1e-14)  # (1 + sqrt(1 + 8)) / 2
    assert res["E"] == 1.0 and res["H"] == 2.0


def test_general_path_where_the_fast_path_does_not_apply():
    """A two-species component (A <-> B, catalysed) is not one-species: the public steady state runs."""
    net = ReactionNetwork.from_text("E + A -> E + B ; 2\nB -> A\nS -> S + A\nA -> 0")
    problem = bind(net, {"S": 1.0})
    assert not problem.fast_path and "several species" in problem.reason
    varying = {"E": np.array([0.5, 1.0, 3.0]), "A": 1.0}
    res = problem.steady_state(varying)
    public = steady_state(net, {"S": 1.0, **varying})
    np.testing.assert_allclose(res.dynamic, public.dynamic, rtol=PUBLIC_TOL)
    assert res.success and "general path" in res.message
    # a' = s - 2 e a + b - a, b' = 2 e a - b: b = 2 e a and a = s.
    np.testing.assert_allclose(res["A"], 1.0, rtol=1e-9)
    np.testing.assert_allclose(res["B"], 2 * varying["E"], rtol=1e-9)


def test_members_the_fast_path_cannot_decide_go_to_the_general_path():
    """h = 0 (ReLU node): from x0 = 0 the face x = 0 is invariant; the cascade leaves it to the general path."""
    node = ReactionNetwork.from_text("E + X -> E + 2X\n2X -> X")  # x' = e x - x^2
    problem = bind(node, {"E": 2.0})
    res = problem.steady_state({"X": np.array([1.0, 0.0, 5.0])})
    public = steady_state(node, {"E": 2.0, "X": np.array([1.0, 0.0, 5.0])})
    np.testing.assert_allclose(res.dynamic, public.dynamic, rtol=PUBLIC_TOL, atol=0)
    np.testing.assert_allclose(res["X"], [2.0, 0.0, 2.0], rtol=1e-12)
    assert res.success and "2 of 3 batch member(s) by" in res.message and "1 by the general path" in res.message


def test_failures_raise_with_the_result_and_say_the_path():
    lotka_volterra = ReactionNetwork.from_text("K + X -> K + 2X\nX + Y -> 2Y\nY -> 0")
    problem = bind(lotka_volterra, {"K": 1.0})
    with pytest.raises(SteadyStateError, match="oscillation.*general path"):
        problem.steady_state({"X": 3.0, "Y": 1.0})
    res = problem.steady_state({"X": 3.0, "Y": 1.0}, raise_on_failure=False)
    assert not res.success and "general path" in res.message


def test_pseudo_transient_method_runs_the_general_path():
    node = ReactionNetwork.from_text("H -> H + X\n2X -> X")
    res = bind(node, {"H": 4.0}).steady_state({}, method="pseudo-transient")
    assert res["X"] == pytest.approx(2.0, rel=1e-9) and "general path" in res.message


def test_simulate_matches_the_public_simulate():
    net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=0)
    chem, problem = _problem(net)
    d = np.random.default_rng(0).random((4, 3))
    res = problem.simulate(d, (0.0, 5.0), t_eval=[0.0, 1.0, 5.0])
    public = simulate(chem.network, chem.initial_state(d, nodes=1.0), (0.0, 5.0), t_eval=[0.0, 1.0, 5.0])
    np.testing.assert_array_equal(res.dynamic, public.dynamic)
    assert res.success


def test_chemistry_in_the_loop_uses_the_fast_path():
    from rxnn.experiments.chemistry_training import ChemicalForward

    net = FeedForwardNetwork.random([6, 5, 3], SmoothReLU(1.0), seed=4)
    forward = ChemicalForward(net)
    d = np.random.default_rng(3).random((8, 6))
    assert _rel(forward.activations(net, d)[1:], net.activations(d)[1:]) <= CLOSED_FORM_TOL
    assert forward.problem.fast_path


# ---------------------------------------------------------------------------------------------- errors
NODE = ReactionNetwork.from_text("H -> H + X\nE + X -> E + 2X\n2X -> X")


@pytest.mark.parametrize("fixed, error, match", [
    ({"Q": 1.0}, InvalidArgumentError, r"fixed of bind names 'Q', which is not a species"),
    ({"H": np.array([1.0, 2.0])}, InvalidArgumentError, r"fixed\['H'\] of bind must be one number"),
    ({"H": -1.0}, InvalidArgumentError, r"fixed of bind\['H'\] must be a finite concentration >= 0; got -1.0"),
    ({"H": float("nan")}, InvalidArgumentError, r"finite concentration"),
    ({"H": 1e200}, LimitError, r"at most 1e\+100"),
    ({"H": "one"}, InvalidArgumentError, r"fixed\['H'\] of bind must be numbers"),
    ([("H", 1.0)], ArgumentTypeError, r"fixed of bind must be a mapping"),
    ({1: 1.0}, ArgumentTypeError, r"fixed of bind must name species by str"),
])
def test_bind_refuses_bad_fixed(fixed, error, match):
    with pytest.raises(error, match=match):
        bind(NODE, fixed)


def test_bind_refuses_bad_network_and_varying():
    with pytest.raises(ArgumentTypeError, match="network of bind must be a ReactionNetwork"):
        bind("H -> X", {})
    with pytest.raises(InvalidArgumentError, match="varying of bind names 'H', which is fixed by bind"):
        bind(NODE, {"H": 1.0}, varying=["E", "H"])
    with pytest.raises(ArgumentTypeError, match="varying of bind must be a sequence of species names"):
        bind(NODE, {"H": 1.0}, varying="E")
    with pytest.raises(InvalidArgumentError, match="names 'E' twice"):
        bind(NODE, {"H": 1.0}, varying=["E", "E"])


def test_steady_state_refuses_bad_varying():
    problem = bind(NODE, {"H": 1.0}, varying=["E"])
    func = r"BoundProblem\.steady_state"
    with pytest.raises(InvalidArgumentError, match=f"varying of {func} names 'H', which is fixed by bind"):
        problem.steady_state({"H": 2.0})
    with pytest.raises(InvalidArgumentError, match=f"varying of {func} names 'Z', which is not a species"):
        problem.steady_state({"Z": 2.0})
    with pytest.raises(InvalidArgumentError, match=r"batch lengths differ \(2, 3\)"):
        problem.steady_state({"E": np.ones(2), "X": np.ones(3)})
    with pytest.raises(InvalidArgumentError, match=r"varying\['E'\] of .* must be a scalar or a non-empty 1-D array"):
        problem.steady_state({"E": np.ones((2, 2))})
    with pytest.raises(InvalidArgumentError, match=r"array of shape \(1,\) or \(batch, 1\) over varying_species; "
                                                   r"got 'an array of shape \(3, 2\)'"):
        problem.steady_state(np.ones((3, 2)))
    with pytest.raises(InvalidArgumentError, match=r"varying of .*\['E'\] must be a finite concentration >= 0; "
                                                   r"got -1.0 at batch index 1"):
        problem.steady_state(np.array([[1.0], [-1.0]]))
    with pytest.raises(ArgumentTypeError, match="must be a mapping of species name"):
        bind(NODE, {"H": 1.0}).steady_state(np.ones(1))
    with pytest.raises(InvalidArgumentError, match="method of BoundProblem.steady_state must be one of"):
        problem.steady_state({}, method="newton")


def test_with_fixed_refuses_bad_values():
    problem = bind(NODE, {"H": 1.0, "E": 0.5})
    with pytest.raises(InvalidArgumentError, match="values of BoundProblem.with_fixed names 'X', which is not fixed"):
        problem.with_fixed({"X": 1.0})
    with pytest.raises(InvalidArgumentError, match=r"an array of shape \(2,\) over fixed_species"):
        problem.with_fixed(np.ones(3))
    with pytest.raises(InvalidArgumentError, match=r"values of BoundProblem.with_fixed\['E'\] must be a finite"):
        problem.with_fixed(np.array([1.0, -2.0]))
    assert problem.with_fixed({"E": 2.0}).fixed_values.tolist() == [1.0, 2.0]


def test_absorbed_and_polynomial_node_networks():
    """Other compiled forms: weights as rate constants (§5.1 absorbed), and a node polynomial g of degree 4."""
    from rxnn import PolynomialNodeActivation

    d = np.random.default_rng(5).random((12, 4))
    net = FeedForwardNetwork.random([4, 3, 2], SmoothReLU(0.5), seed=2)
    chem = compile_network(net, absorb_enzymes=True)
    problem = bind(chem.network, {}, varying=chem.layer_species(0))
    res = problem.steady_state(d)
    assert problem.fast_path and res.success
    assert _rel(chem.layer_values(res)[1:], net.activations(d)[1:]) <= CLOSED_FORM_TOL
    g = PolynomialNodeActivation([1.0, 0.0, 0.0, 0.0, -1.0])  # x' = 1 + z x - x^4: Newton inside Fujiwara's bound
    net = FeedForwardNetwork.random([4, 3, 2], g, seed=2)
    chem, problem = _problem(net)
    res = problem.steady_state(d)
    assert problem.fast_path and res.success
    assert _rel(chem.layer_values(res)[1:], net.activations(d)[1:]) <= CLOSED_FORM_TOL
    public = steady_state(chem.network, chem.initial_state(d, nodes=1.0))
    np.testing.assert_allclose(res.dynamic, public.dynamic, rtol=PUBLIC_TOL)


def test_products_of_fixed_enzymes_fold_too():
    """x' = h + e^2 x - x^2: the rate constant carries E twice (not linear in the fixed values)."""
    node = ReactionNetwork.from_text("H -> H + X\n2E + X -> 2E + 2X\n2X -> X")
    problem = bind(node, {"H": 1.0, "E": 2.0})
    assert problem.fast_path
    rho = 4.0
    assert problem.steady_state({})["X"] == pytest.approx((rho + np.sqrt(rho**2 + 4)) / 2, rel=1e-14)
    rho = 9.0
    assert problem.with_fixed({"E": 3.0}).steady_state({})["X"] == pytest.approx((rho + np.sqrt(rho**2 + 4)) / 2,
                                                                                   rel=1e-14)


def test_a_varying_enzyme_beside_an_upstream_species_is_the_general_path():
    """E + Y + X -> E + Y + 2X with E varying and Y dynamic: the coefficient e*y is bilinear."""
    net = ReactionNetwork.from_text("S -> S + Y\nY -> 0\nH -> H + X\nE + Y + X -> E + Y + 2X\n2X -> X")
    problem = bind(net, {"S": 1.0, "H": 1.0})
    assert not problem.fast_path and "bilinear" in problem.reason
    e = np.array([0.5, 2.0])
    res = problem.steady_state({"E": e})
    rho = e * 1.0  # y = s = 1
    np.testing.assert_allclose(res["X"], (rho + np.sqrt(rho**2 + 4)) / 2, rtol=1e-9)
    assert "general path" in res.message
    # Fixing E makes the term linear in y again: the fast path applies.
    fixed = bind(net, {"S": 1.0, "H": 1.0, "E": 2.0})
    assert fixed.fast_path
    assert fixed.steady_state({})["X"] == pytest.approx((2.0 + np.sqrt(8.0)) / 2, rel=1e-13)


def test_fixed_values_of_other_number_types():
    """ints, numpy scalars and 0-d arrays are numbers; a huge int is refused by name."""
    problem = bind(NODE, {"H": 4, "E": np.float32(0.0)})
    assert problem.steady_state({})["X"] == pytest.approx(2.0, rel=1e-14)
    assert bind(NODE, {"H": np.array(4.0)}).fixed_values.tolist() == [4.0]
    with pytest.raises(InvalidArgumentError, match=r"fixed\['H'\] of bind must be numbers below 1.8e308"):
        bind(NODE, {"H": 10**400})
