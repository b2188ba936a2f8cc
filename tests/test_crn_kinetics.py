"""Numeric right-hand side and sparse Jacobian against sympy's symbolic ones (eq. (2))."""

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rxnn import ReactionNetwork
from rxnn.crn.kinetics import MassActionSystem

from oracle_mass_action import random_networks

NAMES = ["A", "B", "C", "D", "E", "I"]


def symbolic(net):
    odes = net.odes()
    dyn = [sympy.Symbol(s) for s in net.dynamic_species]
    enz = [sympy.Symbol(s) for s in net.enzymatic_species]
    exprs = [odes[s] for s in net.dynamic_species]
    f = sympy.lambdify([dyn, enz], exprs, "numpy")
    J = sympy.lambdify([dyn, enz], sympy.Matrix(exprs).jacobian(dyn), "numpy")
    return f, J


@settings(max_examples=60, deadline=None)
@given(random_networks(max_reactions=8, names=NAMES), st.integers(1, 4), st.data())
def test_rhs_and_jacobian_match_sympy(net, batch, data):
    system = MassActionSystem(net)
    n, m = system.n, system.n_enzymatic
    x = data.draw(arrays(np.float64, (batch, n), elements=st.floats(0, 3)))
    e = data.draw(arrays(np.float64, (batch, m), elements=st.floats(0, 3)))
    f_sym, J_sym = symbolic(net)
    k = system.effective_rates(e)
    f = system.rhs(x, k)
    J = system.jacobian(x, k).toarray()
    for b in range(batch):
        want = np.array(f_sym(x[b], e[b]), dtype=float).reshape(n)
        np.testing.assert_allclose(f[b], want, rtol=1e-12, atol=1e-12)
        want_J = np.array(J_sym(x[b], e[b]), dtype=float).reshape(n, n)
        np.testing.assert_allclose(J[b * n:(b + 1) * n, b * n:(b + 1) * n], want_J, rtol=1e-12, atol=1e-12)
        # Unbatched evaluation agrees with the batched one.
        kb = system.effective_rates(e[b])
        np.testing.assert_allclose(system.rhs(x[b], kb), f[b], rtol=1e-14, atol=1e-300)
        np.testing.assert_allclose(system.jacobian(x[b], kb).toarray(), want_J, rtol=1e-12, atol=1e-12)
    # The block-diagonal batch Jacobian has no entries across members.
    mask = np.kron(np.eye(batch), np.ones((n, n)))
    assert np.all(J[mask == 0] == 0)


def test_evaluation_does_not_touch_the_network():
    net = ReactionNetwork.from_text("H -> H + X\n2X -> X")
    before = net.reactant_matrix().toarray().copy()
    MassActionSystem(net)
    assert (net.reactant_matrix().toarray() == before).all()
