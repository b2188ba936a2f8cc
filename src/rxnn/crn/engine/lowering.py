"""A network lowered once to the arrays every simulator reads (cached on the network value).

``network.lowered`` builds a :class:`Lowering` the first time it is read and
keeps it on the (immutable) network, Catalyst-style: the channels (the one
grouping, :func:`~rxnn.crn.engine.channels.group_channels`), the dynamic and
enzymatic slot tables, the channels' net changes and the rate constants.
The ODE right-hand side, its Jacobian, the cascade (through
:attr:`Lowering.engine`) and the SSA (through :attr:`Lowering.channels`) all
start from it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.engine.channels import EnzymaticFactors, ReactionChannels, group_channels, slot_table
from rxnn.crn.engine.rates import ChannelRates, channel_rates

__all__ = ["Lowering"]


class Lowering:
    """The arrays of a network's kinetics: species split, channels, slots, net changes, rates.

    Parameters
    ----------
    network : ReactionNetwork

    Attributes
    ----------
    network : ReactionNetwork
    n, n_enzymatic : int
        Dynamic and enzymatic species (Def. 5.1).
    dynamic_species, enzymatic_species : tuple of str
    dynamic_mask : ndarray of bool, shape (n_species,)
    position : ndarray of int64, shape (n_species,)
        Each species' index among the dynamic or among the enzymatic species.
    channels : ReactionChannels
        Reactions with equal dynamic reactant complex and equal net change.
    n_channels : int
    channel_of_reaction : ndarray of int64, shape (n_reactions,)
    dyn_slots : ndarray of int64, shape (n_channels, max order)
        Dynamic species per unit reactant coefficient of each channel, padded with n.
    enz_slots : ndarray of int64, shape (n_reactions, max enzymatic order)
        Enzymatic species per unit coefficient of each reaction, padded with n_enzymatic.
    stoichiometry : csr_matrix of float, shape (n, n_channels)
        Net change of every channel.
    rates : ndarray of shape (n_reactions,)
        The network's rate constants (NaN where symbolic).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> low = ReactionNetwork.from_text("E + X -> E + 2X\\nF + X -> F + 2X\\nX -> 0").lowered
    >>> low.dynamic_species, low.n_channels, low.dyn_slots.tolist()
    (('X',), 2, [[0], [0]])
    """

    def __init__(self, network: Any) -> None:
        self.network = network
        dyn = np.array(network.dynamic_mask)
        self.dynamic_mask = dyn
        self.dynamic_species = network.dynamic_species
        self.enzymatic_species = network.enzymatic_species
        self.n = n = len(self.dynamic_species)
        self.n_enzymatic = m = len(self.enzymatic_species)
        self.position = np.empty(dyn.size, dtype=np.int64)
        self.position[dyn] = np.arange(n)
        self.position[~dyn] = np.arange(m)
        R = network.reactant_view.tocsr()
        N = network.stoichiometry_view.tocsr()
        dyn_rows, enz_rows = np.flatnonzero(dyn), np.flatnonzero(~dyn)
        R_dyn, N_dyn = R[dyn_rows].tocsc(), N[dyn_rows].tocsc()
        self.enzymatic_reactants = R[enz_rows].tocsc()
        self.enzymatic_reactants.sort_indices()
        self.channels, self.representative, self.dyn_slots = group_channels(R_dyn, N_dyn, self.dynamic_species)
        self.n_channels = self.channels.n_channels
        self.channel_of_reaction = self.channels.channel_of_reaction
        self.enz_slots = slot_table(self.enzymatic_reactants, fill=m)
        self.stoichiometry = sp.csr_matrix(self.channels.changes, dtype=np.float64)
        self.rates = np.array(network.rate_values)

    @cached_property
    def engine(self) -> Any:
        """The :class:`~rxnn.crn.engine.core.Engine` of this lowering (groups, cascade), built once."""
        from rxnn.crn.engine.core import Engine  # the engine builds on this module

        return Engine(self)

    @cached_property
    def enzymatic_factors(self) -> EnzymaticFactors:
        """The SSA's per-reaction enzymatic factors (:class:`EnzymaticFactors`)."""
        return EnzymaticFactors(self.enzymatic_reactants)

    @cached_property
    def has_enzyme(self) -> np.ndarray:
        """Per channel: whether some reaction in it has an enzymatic reactant (its constant may vary)."""
        per_reaction = (self.enz_slots < self.n_enzymatic).any(axis=1) if self.enz_slots.shape[1] else np.zeros(
            self.rates.size, bool)
        return np.bincount(self.channel_of_reaction, weights=per_reaction, minlength=self.n_channels) > 0

    def channel_rates(self, row: np.ndarray, columns: np.ndarray, values: np.ndarray,
                      k: np.ndarray | None = None) -> ChannelRates:
        """:func:`~rxnn.crn.engine.rates.channel_rates` of this lowering."""
        return channel_rates(self, row, columns, values, k)

    def channel_monomials(self, x: np.ndarray) -> np.ndarray:
        """prod_i x_i^{Y_ci} of every channel, shape (batch, n_channels), for states (batch, n).

        Examples
        --------
        >>> from rxnn import ReactionNetwork
        >>> low = ReactionNetwork.from_text("2X -> 0\\nX + Y -> 0").lowered
        >>> low.channel_monomials(np.array([[2.0, 3.0]])).tolist()
        [[4.0, 6.0]]
        """
        x = np.atleast_2d(x)
        x1 = np.concatenate([x, np.ones((x.shape[0], 1))], axis=1)  # column n is the constant 1
        out = np.ones((x.shape[0], self.n_channels))
        for col in self.dyn_slots.T:
            out *= x1[:, col]
        return out

    def __repr__(self) -> str:
        return (f"<Lowering: {self.n} dynamic and {self.n_enzymatic} enzymatic species, "
                f"{self.n_channels} channels from {self.rates.size} reactions>")


