"""The theory's predictions for :mod:`rxnn.experiments.robustness`, from the Jacobian at the steady state.

Def. 4.7(1) asks the fixed point x*(p) of the compiled network to move smoothly
with its parameters p. To first order, f(x*, p) = 0 gives

    d x* / d p = -J_x^{-1} J_p,

with J_x the Jacobian of the mass-action field in the node species and J_p its
derivative in the parameters. For the mass-action field f = N v(x) (N = P - R
restricted to the nodes, v_j = k_j prod_i x_i^{R_ij}):

* a rate constant, d f / d log k_j = N[:, j] v_j;
* an enzymatic concentration e, d f / d log e = sum_j N[:, j] R_ej v_j;
* a leak ``0 -> X`` at rate eps adds eps to f_X, ``X -> 0`` adds -eps x_X.

So a lognormal perturbation k_j -> k_j exp(sigma z_j), z_j iid N(0, 1), moves
output o by sum_j S_oj sigma z_j with S = -J_x^{-1} N diag(v): an RMS error of
sigma * sqrt(mean_o sum_j S_oj^2) to first order in sigma; a leak moves it by
eps * (-J_x^{-1} b), b = 1 (birth), -x* (death), 1 - x* (both).

At finite volume V the linear noise approximation gives the stationary
covariance C of the concentrations, J C + C J^T + D / V = 0 with
D = N diag(v) N^T, and for the time average over a window of length T
(long against the relaxation time 1/|J|) the covariance J^{-1} D J^{-T} / (V T).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg as la

from rxnn.errors import ComputationError


@dataclass(frozen=True)
class Linearisation:
    """The compiled network linearised at each input's steady state (Table 1 form).

    ``x_star`` (n_inputs, n_nodes) are the steady node values, ``outputs`` the
    column indices of the output nodes among them; ``rate_sens``,
    ``enzyme_sens``: per unit sigma, the first-order RMS output error per input
    (sqrt(mean_o sum_j S_oj^2)); ``leak_sens``: mode -> per unit eps, the RMS
    output error per input; ``lna_std``: per input, the LNA stationary std of
    each output at V = 1; ``lna_mean_std``: the same for the time average over
    a window of length 1 (divide by sqrt(V T)).
    """

    x_star: np.ndarray
    outputs: np.ndarray
    rate_sens: np.ndarray
    enzyme_sens: np.ndarray
    leak_sens: dict[str, np.ndarray]
    lna_std: np.ndarray
    lna_mean_std: np.ndarray


def reaction_rates(network: Any, x: np.ndarray) -> np.ndarray:
    """Mass-action rates v_j = k_j prod_i x_i^{R_ij} of every reaction at the species vector ``x``."""
    R = network.reactant_matrix().tocsc()
    terms = x[R.indices] ** R.data
    v = network.rate_array()
    nonempty = np.flatnonzero(np.diff(R.indptr) > 0)
    if nonempty.size:
        v[nonempty] *= np.multiply.reduceat(terms, R.indptr[nonempty])
    return v


def _one_input(network: Any, x: np.ndarray, nodes: np.ndarray, enzymes: np.ndarray, outputs: np.ndarray
               ) -> tuple[float, float, dict[str, float], np.ndarray, np.ndarray]:
    import scipy.sparse as sp

    if np.any(x[nodes] <= 0):
        raise ComputationError("the first-order prediction needs every node positive at the steady state "
                               "(h > 0 keeps them so, Prop. 4.9); a node is 0 here")
    v = reaction_rates(network, x)
    R = network.reactant_matrix().tocsr()
    N = (network.product_matrix() - network.reactant_matrix()).tocsr()[nodes]
    Nv = N @ sp.diags(v)
    J = (Nv @ R[nodes].T @ sp.diags(1.0 / x[nodes])).toarray()
    lu = la.lu_factor(J)
    out_rows = la.lu_solve(lu, np.eye(len(nodes))[:, outputs], trans=1).T  # rows o of J^{-1}
    S_rates = -(sp.csr_matrix(out_rows) @ Nv).toarray()
    S_enz = -(sp.csr_matrix(out_rows) @ (Nv @ R[enzymes].T)).toarray()
    rate = float(np.sqrt(np.mean(np.sum(S_rates ** 2, axis=1))))
    enzyme = float(np.sqrt(np.mean(np.sum(S_enz ** 2, axis=1))))
    xn = x[nodes]
    leaks = {}
    for mode, b in (("birth", np.ones_like(xn)), ("death", -xn), ("both", 1.0 - xn)):
        leaks[mode] = float(np.sqrt(np.mean((-la.lu_solve(lu, b))[outputs] ** 2)))
    D = (Nv @ N.T).toarray()
    C = la.solve_continuous_lyapunov(J, -D)
    Jinv_D = la.lu_solve(lu, D)
    M = la.lu_solve(lu, Jinv_D.T)  # J^{-1} D J^{-T} (D symmetric)
    return rate, enzyme, leaks, np.sqrt(np.diag(C)[outputs]), np.sqrt(np.diag(M)[outputs])


def linearise(compiled: Any, inputs: np.ndarray) -> Linearisation:
    """Steady states of the Table 1 network for every input row and the first-order quantities there."""
    from rxnn.crn.simulate import steady_state

    if compiled.absorbed:
        raise ComputationError("linearise needs the Table 1 form (compile_network(..., absorb_enzymes=False))")
    network = compiled.network
    initial = compiled.initial_state(inputs, 1.0)
    result = steady_state(network, initial)
    index = network.species_index
    names = compiled.hidden_and_output_species
    nodes = np.array([index[s] for s in names])
    input_names = set(compiled.layer_species(0))
    enzymes = np.array([index[s] for s in network.enzymatic_species if s not in input_names], dtype=np.int64)
    n_out = compiled.source.layer_sizes[-1]
    outputs = np.arange(len(names) - n_out, len(names))
    x_star = np.stack([np.asarray(result[s], dtype=np.float64).reshape(-1) for s in names], axis=1)
    per = []
    for i in range(inputs.shape[0]):
        x = np.zeros(network.n_species)
        for name, value in initial.items():
            if name in index:
                x[index[name]] = np.asarray(value).reshape(-1)[i] if np.ndim(value) else float(value)
        x[nodes] = x_star[i]
        per.append(_one_input(network, x, nodes, enzymes, outputs))
    return Linearisation(
        x_star=x_star, outputs=outputs, rate_sens=np.array([p[0] for p in per]),
        enzyme_sens=np.array([p[1] for p in per]),
        leak_sens={m: np.array([p[2][m] for p in per]) for m in ("birth", "death", "both")},
        lna_std=np.stack([p[3] for p in per]), lna_mean_std=np.stack([p[4] for p in per]),
    )
