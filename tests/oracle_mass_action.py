"""An independent mass-action oracle (eq. (2)): dense numpy, one reaction at a time, no grouping.

It reads only the network's public matrices (reactant_matrix,
stoichiometry_matrix, rate_array) and shares no code with rxnn.crn.engine,
so the engine's channels, groups and Jacobian pattern are checked against the
definition itself: dx_i/dt = sum_j N_ij k_j prod_l z_l^{Y_lj}, where z holds
the dynamic state x and the constant enzymatic species e (Def. 5.1).
"""

import numpy as np
from hypothesis import strategies as st

from rxnn import Reaction, ReactionNetwork


class Oracle:
    """The mass-action ODE of ``net`` evaluated reaction by reaction."""

    def __init__(self, net):
        self.net = net
        self.Y = net.reactant_matrix().toarray().astype(float)  # (species, reactions)
        self.N = net.stoichiometry_matrix().toarray().astype(float)
        self.k = net.rate_array()
        self.dyn = [net.species.index(s) for s in net.dynamic_species]
        self.enz = [net.species.index(s) for s in net.enzymatic_species]

    def _state(self, x, e):
        z = np.zeros(self.Y.shape[0])
        z[self.dyn] = x
        z[self.enz] = e
        return z

    def rates(self, x, e):
        """Per-reaction rates k_j prod z^Y_j for one state."""
        z = self._state(x, e)
        out = np.empty(self.k.size)
        for j in range(self.k.size):
            out[j] = self.k[j] * np.prod(z ** self.Y[:, j])
        return out

    def rhs(self, x, e):
        """dx/dt for one state x (n_dynamic,) and enzymes e (n_enzymatic,)."""
        return (self.N @ self.rates(x, e))[self.dyn]

    def gross(self, x, e):
        """sum_j |N_ij| rate_j: production plus consumption."""
        return (np.abs(self.N) @ self.rates(x, e))[self.dyn]

    def jacobian(self, x, e):
        """d(dx/dt)/dx, dense (n_dynamic, n_dynamic), by the power rule reaction by reaction."""
        z = self._state(x, e)
        n = len(self.dyn)
        J = np.zeros((n, n))
        for j in range(self.k.size):
            for col, l in enumerate(self.dyn):
                p = self.Y[l, j]
                if p == 0:
                    continue
                others = np.prod([z[m] ** self.Y[m, j] for m in range(z.size) if m != l])
                d = self.k[j] * p * z[l] ** (p - 1) * others
                J[:, col] += self.N[self.dyn, j] * d
        return J

    def batch(self, method, x, e):
        """``method`` over a batch: x (batch, n), e (batch, m) -> stacked results."""
        return np.stack([getattr(self, method)(x[b], e[b]) for b in range(x.shape[0])])


@st.composite
def random_networks(draw, max_reactions=9, names=("A", "B", "C", "D", "E", "F")):
    """Random mass-action networks: orders 0-3, coefficients 1-2, cycles, conservation laws, enzymatic species."""
    reactions = {}
    for _ in range(draw(st.integers(1, max_reactions))):
        source = draw(st.dictionaries(st.sampled_from(names), st.integers(1, 2), max_size=3))
        target = draw(st.dictionaries(st.sampled_from(names), st.integers(1, 2), max_size=3))
        if source == target:
            continue
        key = (tuple(sorted(source.items())), tuple(sorted(target.items())))
        reactions[key] = draw(st.floats(0.1, 5.0))
    if not reactions:
        reactions[((("A", 1),), ())] = 1.0
    return ReactionNetwork([Reaction(dict(s), dict(t), k) for (s, t), k in reactions.items()])
