"""The engine of a network: its lowering's channels arranged for fast evaluation and for the cascade.

:func:`engine_for` returns the :class:`Engine` kept on the network's
lowering (``network.lowered.engine``): built once per network value, with no
global cache.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.engine.bound import Parameters
from rxnn.crn.engine.cascade import Level, build_levels
from rxnn.crn.engine.groups import Groups
from rxnn.crn.engine.initial import EnzymeValues
from rxnn.crn.engine.jacobian import jacobian_pattern
from rxnn.crn.engine.lowering import Lowering
from rxnn.crn.graph import dependency_graph

__all__ = ["Engine", "engine_for"]


def engine_for(network: Any, rates: Mapping[str, float] | None = None) -> Engine:
    """The engine of ``network`` (with named ``rates`` bound), built once per network value.

    Networks are immutable values, so the structure (channels, groups, the
    cascade; about 50 ms per 60,000 reactions) lives on the network's
    lowering and is dropped with it. Rate values given here share that
    structure: only the rate constants differ.

    Raises
    ------
    NetworkError
        If a rate constant is still a parameter name (give ``rates``).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("X -> 0 ; k")
    >>> e = engine_for(net, {"k": 2.0})
    >>> e is net.lowered.engine, e.rates.tolist(), engine_for(net, {"k": 2.0}) is e
    (False, [2.0], True)
    """
    engine = network.lowered.engine
    if not rates:
        network._require_numeric_rates("simulation")
        return engine
    rated = network.with_rates(rates)
    rated._require_numeric_rates("simulation")
    return engine.with_rates(rated)


class Engine:
    """Structure of a mass-action system: matrix-product groups and the cascade.

    Parameters
    ----------
    lowering : Lowering
        The network's channels (reactions grouped by dynamic reactant complex and net change).

    Attributes
    ----------
    lowering : Lowering
    network : ReactionNetwork
        The network whose rate constants the engine uses.
    n : int
        Dynamic species.
    rates : ndarray of shape (n_reactions,)
    exact, fast : Groups
        The groups with exact net changes (cascade, gross flux, Jacobian) and
        the signed ones (right-hand side of transients).
    name_cache : dict
        What :func:`~rxnn.crn.engine.initial.parse_initial_compact` remembers
        of the last ``initial`` mapping (its names' indices).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> e = ReactionNetwork.from_text("H -> H + X\\nX -> 0").lowered.engine
    >>> e.n, e.exact.n_groups, len(e.levels)
    (1, 2, 1)
    """

    def __init__(self, lowering: Lowering) -> None:
        self.lowering = lowering
        self.network = lowering.network
        self.rates = lowering.rates
        self.n = n = lowering.n
        self.dynamic_mask, self.position = lowering.dynamic_mask, lowering.position
        self.dynamic_species = lowering.dynamic_species
        self.name_cache: dict[str, Any] = {}
        N = lowering.stoichiometry.tocsc()
        N.sort_indices()
        self._slots, self._N = lowering.dyn_slots, N
        self.exact = Groups(lowering.dyn_slots, N, n, signed=False)
        self._params: tuple[bytes, np.ndarray, Parameters] | None = None
        self._rated: dict[bytes, Engine] = {}

    @property
    def system(self) -> Lowering:
        """The lowering (the name simulate's callers used for it)."""
        return self.lowering

    def with_rates(self, network: Any) -> Engine:
        """This engine's structure with the rate constants of ``network`` (the same network, other rates)."""
        rates = np.array(network.rate_values)
        key = rates.tobytes()
        hit = self._rated.get(key)
        if hit is not None:
            return hit
        out = copy.copy(self)
        out.network, out.rates = network, rates
        out.name_cache, out._params, out._rated = {}, None, {}
        if len(self._rated) >= 8:  # a few rate sets at a time (a parameter scan reuses the last ones)
            self._rated.pop(next(iter(self._rated)))
        self._rated[key] = out
        return out

    @cached_property
    def fast(self) -> Groups:
        return Groups(self._slots, self._N, self.n, signed=True, own=~self.lowering.has_enzyme)

    # Shorthands for the exact groups, which the cascade and the Jacobian use.
    @property
    def n_groups(self) -> int:
        return self.exact.n_groups

    @property
    def Ng(self) -> sp.csr_matrix:
        return self.exact.Ng

    @property
    def rest(self) -> np.ndarray:
        return self.exact.rest

    @cached_property
    def result_index(self) -> dict[str, tuple[bool, int]]:
        """species -> (dynamic?, column among the dynamic or enzymatic species), built once, read-only."""
        return dict(zip(self.network.species, zip(self.dynamic_mask.tolist(), self.position.tolist())))

    # ------------------------------------------------------------------ parameters
    def parameters(self, enzymes: EnzymeValues) -> Parameters:
        """Bind enzyme values: the matrix A and the constant terms K per group.

        The part that depends only on the batch-constant enzymes (the folded
        rate constants, A, the map M of the varying enzymes) is cached against
        the last values seen, so repeated calls with the same weights only
        redo the batch product E_var M.
        """
        hit = self._params
        columns = enzymes.columns
        if (
            hit is not None and hit[0] == columns.tobytes() and hit[1].shape == enzymes.row.shape
            and np.array_equal(hit[1], enzymes.row, equal_nan=True)
        ):
            return Parameters(self, hit[2].rates.with_values(enzymes.values), hit[2])
        rates = self.lowering.channel_rates(enzymes.row, columns, enzymes.values, self.rates)
        params = Parameters(self, rates)
        self._params = (columns.tobytes(), enzymes.row.copy(), params)
        return params

    # ------------------------------------------------------------------ cascade
    @cached_property
    def dependency(self) -> sp.csr_matrix:
        """The channels' dependency graph on the dynamic species (orientation of :mod:`rxnn.crn.graph`)."""
        ch = self.lowering.channels
        return dependency_graph(ch.reactants, ch.changes)

    @cached_property
    def predecessors(self) -> sp.csr_matrix:
        """Row i lists the species i depends on: the transpose of :attr:`dependency`."""
        P = self.dependency.T.tocsr()
        P.sort_indices()
        return P

    @cached_property
    def levels(self) -> list[Level]:
        """The strongly connected components of the dependency graph, in topological levels."""
        return build_levels(self)

    # ------------------------------------------------------------------ Jacobian pattern
    def jacobian_pattern(self) -> tuple:
        """Entries of d lambda_g / d x_j (rest and upstream terms) and their map onto J = N_g d lambda."""
        return self._jacobian_pattern

    @cached_property
    def _jacobian_pattern(self) -> tuple:
        return jacobian_pattern(self.exact)
