"""The mass-action ODE of a network (eq. (2)) as numbers: right-hand side and sparse Jacobian, batched.

:class:`MassActionSystem` is the public view of the simulation engine's
kinetics: it evaluates dx/dt, the gross flux and the Jacobian of a network
for given states and channel rate constants, through the same lowering
(``network.lowered``), channel grouping and Jacobian that ``simulate``,
``steady_state`` and ``simulate_stochastic`` use. The enzymatic species
(Def. 5.1) are constant, so their factors are folded into effective rate
constants (the "absorbed" form of §5.1).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from rxnn.crn.engine import (
    ChannelRates,
    EnzymeValues,
    Parameters,
    dense_rates,
    engine_for,
    parse_initial,
    parse_initial_compact,
)
from rxnn.crn.network import ReactionNetwork

__all__ = ["MassActionSystem", "ChannelRates", "EnzymeValues", "parse_initial", "parse_initial_compact"]


class MassActionSystem:
    """The mass-action ODE dx/dt = N lambda(x) of eq. (2), compiled to arrays.

    Parameters
    ----------
    network : ReactionNetwork
    rates : mapping of str to float, optional
        Values for the network's named rate constants.

    Attributes
    ----------
    network : ReactionNetwork
        The network (with ``rates`` bound).
    dynamic_species, enzymatic_species : tuple of str
        The state variables (in this order) and the constant parameters.
    n, n_enzymatic, n_channels : int
    stoichiometry : csr_matrix of shape (n, n_channels)
        The net change of every channel (reactions with equal dynamic
        reactant complex and equal net change, ``network.lowered.channels``).

    Notes
    -----
    One evaluation costs O(batch x (n_channels x max order + nnz(N))). The
    Jacobian has a fixed sparsity pattern; its values for a batch are one
    sparse-matrix product, returned as a block-diagonal matrix over the batch.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> system = MassActionSystem(ReactionNetwork.from_text("E + X -> E + 2X\\n2X -> X"))
    >>> k = system.effective_rates(np.array([[3.0]]))   # E = 3
    >>> system.rhs(np.array([2.0]), k), system.jacobian(np.array([2.0]), k).toarray()
    (array([2.]), array([[-1.]]))
    """

    def __init__(self, network: ReactionNetwork, rates: Mapping[str, float] | None = None) -> None:
        self._engine = engine_for(network, rates)
        self.network = self._engine.network
        lowering = self._engine.lowering
        self.dynamic_species = lowering.dynamic_species
        self.enzymatic_species = lowering.enzymatic_species
        self.n, self.n_enzymatic, self.n_channels = lowering.n, lowering.n_enzymatic, lowering.n_channels
        self.channel_of_reaction = lowering.channel_of_reaction
        self.stoichiometry = lowering.stoichiometry
        self._last: tuple[np.ndarray, Parameters] | None = None

    # ------------------------------------------------------------------ parameters
    def effective_rates(self, enzymes: np.ndarray | None) -> np.ndarray:
        """Channel rate constants with enzymatic factors absorbed, shape (batch or 1, n_channels).

        Enzymes that take the same value in every batch member are folded
        once; the rest enter through :meth:`channel_rates`, so no array of
        shape (batch, n_reactions) is formed.
        """
        if enzymes is None or self.n_enzymatic == 0:
            e = np.ones((1, self.n_enzymatic))
        else:
            e = np.atleast_2d(np.asarray(enzymes, dtype=np.float64))
        if e.shape[0] > 1:
            columns = np.flatnonzero(np.any(e != e[:1], axis=0))
        else:
            columns = np.zeros(0, dtype=np.int64)
        return self.channel_rates(e[0], columns, e[:, columns]).dense()

    def channel_rates(self, row: np.ndarray, columns: np.ndarray, values: np.ndarray) -> ChannelRates:
        """The linear structure of the channel rate constants over a batch (:func:`rxnn.crn.engine.channel_rates`)."""
        return self._engine.lowering.channel_rates(row, columns, values, self._engine.rates)

    def _bound(self, x: np.ndarray, k_eff: np.ndarray) -> tuple[Parameters, np.ndarray, bool]:
        """The engine's parameters for ``k_eff``; the last binding is kept for repeated evaluations."""
        single = np.ndim(x) == 1
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        k_eff = np.atleast_2d(np.asarray(k_eff, dtype=np.float64))
        if k_eff.shape[0] not in (1, x.shape[0]):
            raise ValueError(f"k_eff has {k_eff.shape[0]} rows for a batch of {x.shape[0]} states")
        last = self._last
        if last is None or last[0].shape != k_eff.shape or not np.array_equal(last[0], k_eff):
            last = self._last = (k_eff.copy(), Parameters(self._engine, dense_rates(k_eff)))
        return last[1], np.ascontiguousarray(x.T), single

    # ------------------------------------------------------------------ evaluation
    def reaction_rates(self, x: np.ndarray, k_eff: np.ndarray) -> np.ndarray:
        """Channel rates lambda_c(x) = k_c prod x_i^{Y_ci} (eq. (2)), shape (batch, n_channels)."""
        return np.atleast_2d(k_eff) * self._engine.lowering.channel_monomials(x)

    def rhs(self, x: np.ndarray, k_eff: np.ndarray) -> np.ndarray:
        """dx/dt for one state (n,) or a batch (batch, n)."""
        params, XT, single = self._bound(x, k_eff)
        out = params.rhs(XT).T
        return out[0] if single else out

    def gross_flux(self, x: np.ndarray, k_eff: np.ndarray) -> np.ndarray:
        """Total production plus consumption per species, |N| lambda: the scale of the residual."""
        params, XT, single = self._bound(x, k_eff)
        out = params.rhs_and_gross(XT)[1].T
        return out[0] if single else out

    def jacobian(self, x: np.ndarray, k_eff: np.ndarray) -> sp.csr_matrix:
        """Sparse Jacobian df/dx: (n, n) for one state, block-diagonal (batch*n, batch*n) for a batch."""
        params, XT, single = self._bound(x, k_eff)
        return params.jacobian(XT, layout="batch")

    # ------------------------------------------------------------------ state helpers
    def split_initial(self, initial: Mapping[str, object], func: str) -> tuple[np.ndarray, np.ndarray, bool]:
        """Parse an ``initial`` mapping into dynamic states (batch, n), enzyme values and a batch flag.

        See :func:`rxnn.crn.engine.parse_initial`.
        """
        return parse_initial(self.network, initial, func, self.dynamic_species, self.enzymatic_species)
