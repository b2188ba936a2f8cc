"""The compiler against Table 1, eq. (18)-(20), and the forward pass (Def. 4.1)."""

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rxnn import FeedForwardNetwork, PolynomialActivation, ReLU, Sigmoid, SmoothReLU, compile_network, steady_state
from rxnn.compile import CompileError
from rxnn.nn import QuadraticCost, gradients


def random_net(sizes, activation, seed):
    return FeedForwardNetwork.random(sizes, activation, seed=seed)


def table1_counts(sizes):
    """Species and reactions of Table 1's construction, counted by hand from §5.2."""
    edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    nodes = sum(sizes[1:])
    species = 1 + sum(sizes) + 2 * edges + 2 * nodes  # H, every node, W+/W- per edge, B+/B- per node
    reactions = nodes * (1 + 2 + 1) + 2 * edges  # H, B+, B-, decay per node; two per edge
    return species, reactions


def expected_ode(compiled, layer, i, enzymes_as_symbols=True):
    """eq. (19)/(20): h + rho x - (q-1) x^q, rho = sum_j (w+ - w-) x'_j + (b+ - b-)."""
    S = sympy.Symbol
    c_in = compiled.source.layer_sizes[layer - 1]
    x = S(f"X{layer}_{i}")
    rho = S(f"Bp{layer}_{i}") - S(f"Bm{layer}_{i}")
    rho += sum((S(f"Wp{layer}_{i}_{j}") - S(f"Wm{layer}_{i}_{j}")) * S(f"X{layer - 1}_{j}") for j in range(1, c_in + 1))
    return S("H") + rho * x - (compiled.q - 1) * x**compiled.q


@pytest.mark.parametrize("activation", [SmoothReLU(1.0), PolynomialActivation(3, 1.0)])
def test_symbolic_odes_are_eq_19_and_20(activation):
    net = random_net([2, 3, 2], activation, seed=1)
    compiled = compile_network(net)
    odes = compiled.network.odes()
    assert set(odes) == set(compiled.hidden_and_output_species)
    for layer, width in ((1, 3), (2, 2)):
        for i in range(1, width + 1):
            assert sympy.expand(odes[f"X{layer}_{i}"] - expected_ode(compiled, layer, i)) == 0


@pytest.mark.parametrize("q", [2, 3, 5])
def test_single_edge_is_step_1_and_eq_18(q):
    net = FeedForwardNetwork([np.array([[-0.7]])], [np.array([0.4])], PolynomialActivation(q, 0.5))
    compiled = compile_network(net)
    network = compiled.network
    assert network.dynamic_species == ("X1_1",)
    assert set(network.enzymatic_species) == {"H", "Wp1_1_1", "Wm1_1_1", "Bp1_1", "Bm1_1", "X0_1"}
    assert network.n_reactions == 6
    assert set(network.rates) == {1.0}
    h, bp, bm, wp, wm, xp, x = sympy.symbols("H Bp1_1 Bm1_1 Wp1_1_1 Wm1_1_1 X0_1 X1_1")
    eq18 = h + ((bp - bm) + (wp - wm) * xp) * x - (q - 1) * x**q
    assert sympy.expand(network.odes()["X1_1"] - eq18) == 0
    state = compiled.initial_state([2.0])
    assert state["H"] == 0.5 and state["Wp1_1_1"] == 0 and state["Wm1_1_1"] == 0.7
    assert state["Bp1_1"] == 0.4 and state["Bm1_1"] == 0 and state["X0_1"] == 2.0


def test_absorbed_form_has_the_same_odes_and_fewer_species():
    net = random_net([3, 4, 2], SmoothReLU(0.5), seed=3)
    W1 = np.array(net.weights[0])
    W1[0, 1] = 0.0  # an absorbed rate of 0 is omitted
    net = net.with_parameters([W1, net.weights[1]], list(net.biases))
    full, absorbed = compile_network(net), compile_network(net, absorb_enzymes=True)
    assert set(absorbed.network.species) == {f"X{l}_{i}" for l, w in enumerate((3, 4, 2)) for i in range(1, w + 1)}
    edges = 3 * 4 + 4 * 2
    assert absorbed.network.n_reactions == 6 * 3 + (edges - 1)  # per node: 0 -> X, bias, decay
    enzymes = {sympy.Symbol(k): sympy.nsimplify(v, rational=False) for k, v in full.initial_state(np.zeros(3)).items()
               if k in full.network.enzymatic_species and not k.startswith("X0")}
    want, got = full.network.odes(), absorbed.network.odes()
    for s in full.hidden_and_output_species:
        diff = sympy.expand(want[s].subs(enzymes) - got[s])
        assert all(abs(float(c)) < 1e-12 for c in sympy.Poly(diff, *diff.free_symbols).coeffs()) if diff.free_symbols else diff == 0


@pytest.mark.parametrize("sizes", [[784, 40, 10], [5, 4, 3], [8, 6, 4, 2]])
def test_counts_match_table_1(sizes):
    compiled = compile_network(random_net(sizes, SmoothReLU(1.0), seed=0))
    assert (compiled.network.n_species, compiled.network.n_reactions) == table1_counts(sizes)
    roles = compiled.role_counts()
    assert sum(s for s, _ in roles.values()) == compiled.network.n_species
    assert sum(r for _, r in roles.values()) == compiled.network.n_reactions
    assert "total" in compiled.summary()


def test_paper_network_counts_stated_in_readme():
    from pathlib import Path

    species, reactions = table1_counts([784, 40, 10])
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"{species:,}" in readme and f"{reactions:,}" in readme


@st.composite
def networks_and_inputs(draw):
    depth = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 30)) for _ in range(depth + 1)]
    h = draw(st.sampled_from([0.1, 1.0, 3.0]))
    q = draw(st.sampled_from([2, 3, 4]))
    seed = draw(st.integers(0, 2**16))
    scale = draw(st.sampled_from([1.0, 10.0, 1000.0]))
    return sizes, h, q, seed, scale


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks_and_inputs())
def test_steady_states_are_the_forward_activations(case):
    sizes, h, q, seed, scale = case
    rng = np.random.default_rng(seed)
    net = random_net(sizes, PolynomialActivation(q, h), seed=seed)
    d = rng.uniform(0, 1, size=(3, sizes[0]))
    compiled = compile_network(net)
    nodes = scale * rng.uniform(size=(3, len(compiled.hidden_and_output_species)))
    ss = steady_state(compiled.network, compiled.initial_state(d, nodes=nodes))
    want = net.activations(d)
    got = compiled.layer_values(ss)
    for layer in range(1, len(sizes)):
        np.testing.assert_allclose(got[layer], want[layer], rtol=1e-8, atol=0)


def test_gradients_match_finite_differences_of_the_chemical_steady_state():
    """dC/dW from eq. (10) equals d C(steady state) / d[W+] (w = w+ - w-), likewise for B+ (Def. 4.7 smoothness)."""
    net = random_net([3, 4, 2], SmoothReLU(1.0), seed=5)
    compiled = compile_network(net)
    d = np.array([[0.2, 0.9, 0.5]])
    target = np.array([[10.0, 1.0]])
    dW, db = gradients(net, d, target, cost=QuadraticCost())
    cost = QuadraticCost()
    outputs = compiled.layer_species(2)

    def chem_cost(state):
        ss = steady_state(compiled.network, state, tol=1e-14)
        return cost.value(np.array([[ss[s] for s in outputs]]), target)

    base = compiled.initial_state(d[0])
    eps = 1e-5
    for name, want in (("Wp1_2_3", dW[0][1, 2]), ("Wp2_1_4", dW[1][0, 3]), ("Bp1_3", db[0][2]), ("Bp2_2", db[1][1])):
        up, down = dict(base), dict(base)
        up[name] += eps
        down[name] = base[name] - eps if base[name] >= eps else base[name]
        step = up[name] - down[name]
        fd = (chem_cost(up) - chem_cost(down)) / step
        assert fd == pytest.approx(want, rel=1e-5, abs=1e-8), name


# ---------------------------------------------------------------- errors
def test_sigmoid_is_refused_with_what_can_be_compiled():
    with pytest.raises(CompileError, match="Sigmoid.*Compilable activations: SmoothReLU"):
        compile_network(random_net([2, 2], Sigmoid(), seed=0))


def test_relu_compiles_as_h_zero():
    compiled = compile_network(random_net([2, 2], ReLU(), seed=0))
    assert compiled.h == 0.0 and compiled.q == 2


def test_negative_inputs_name_the_index():
    compiled = compile_network(random_net([3, 2], SmoothReLU(1.0), seed=0))
    with pytest.raises(ValueError, match=r"input 2 \(species X0_3\) is -0.5; inputs are concentrations"):
        compiled.initial_state([0.1, 0.2, -0.5])
    with pytest.raises(ValueError, match=r"input 0 \(species X0_1\) in batch row 1"):
        compiled.initial_state([[0.1, 0.2, 0.3], [np.nan, 0.0, 0.0]])
    with pytest.raises(ValueError, match=r"d of initial_state must have shape \(3,\)"):
        compiled.initial_state([0.1, 0.2])
    with pytest.raises(ValueError, match="nodes of initial_state must be a scalar or an array over the 2 node species"):
        compiled.initial_state([0.1, 0.2, 0.3], nodes=[1.0, 2.0, 3.0])


def test_node_species_names():
    compiled = compile_network(random_net([3, 2], SmoothReLU(1.0), seed=0))
    assert compiled.node_species(0, 3) == "X0_3" and compiled.node_species(1, 1) == "X1_1"
    with pytest.raises(IndexError, match="nodes are 1-based"):
        compiled.node_species(1, 0)
