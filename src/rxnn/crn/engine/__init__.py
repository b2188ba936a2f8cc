"""The simulation engine behind :func:`~rxnn.crn.simulate.simulate` and :func:`~rxnn.crn.simulate.steady_state`.

A network is lowered once (``network.lowered``, a :class:`Lowering` cached on
the immutable network value) and everything starts from that lowering:

* **One channel grouping** (:mod:`.channels`): reactions with the same dynamic
  reactant complex and the same net change are one channel, for the ODE
  right-hand side, the Jacobian, the cascade and the SSA alike
  (:func:`group_columns`, the only grouping implementation).
* **Enzymatic species are parameters** (Def. 5.1; :mod:`.rates`). Their
  factors are folded into channel rate constants; those that differ over the
  batch (the inputs of a compiled network) enter linearly,
  k(b) = k0 + E_var(b) M, one matrix product for the whole batch.
* **Matrix-product groups** (:mod:`.groups`, :mod:`.bound`): channels with
  the same rest monomial and net change share m_g(x) (A x + K)_g; for the
  compiled networks of §5.2 this is x_i (W x' + b)_i, so dx/dt is two sparse
  products and a few row gathers.
* **One Jacobian** (:mod:`.jacobian`): a fixed pattern from the exact groups.
* **The feed-forward cascade** (Thm. 4.8; :mod:`.cascade`, :mod:`.roots`):
  the strongly connected components of the dependency graph
  (:mod:`rxnn.crn.graph`) in topological levels; one-species components are
  polynomial equations solved level by level, every batch member at once.
* **Pseudo-transient continuation** (:mod:`.continuation`) where the cascade
  cannot decide; :func:`solve_steady_state` (:mod:`.steady`) combines them.
  Transients (:func:`integrate`) live in :mod:`rxnn.crn._integrate`.

This package is private: users call ``simulate``, ``steady_state`` and
``simulate_stochastic``; ``MassActionSystem`` is the public view of the
ODE right-hand side and Jacobian.
"""

from rxnn.crn._integrate import integrate  # re-exported: transients live in rxnn.crn._integrate
from rxnn.crn.engine.bound import BoundGroups, HybridProduct, Parameters
from rxnn.crn.engine.cascade import Level, build_levels, cascade
from rxnn.crn.engine.channels import (
    EnzymaticFactors,
    ReactionChannels,
    aggregate_channels,
    group_channels,
    group_columns,
    slot_table,
)
from rxnn.crn.engine.continuation import BlockProblem, FullProblem, PseudoTransient
from rxnn.crn.engine.core import Engine, engine_for
from rxnn.crn.engine.groups import Groups
from rxnn.crn.engine.initial import EnzymeValues, parse_initial, parse_initial_compact
from rxnn.crn.engine.jacobian import assemble_jacobian, jacobian_pattern
from rxnn.crn.engine.lowering import Lowering
from rxnn.crn.engine.rates import ChannelRates, channel_rates, dense_rates
from rxnn.crn.engine.roots import node_roots
from rxnn.crn.engine.steady import STEADY_METHODS, solve_steady_state

__all__ = [
    "Engine", "engine_for", "Lowering", "Parameters", "Groups", "BoundGroups", "HybridProduct",
    "ReactionChannels", "EnzymaticFactors", "aggregate_channels", "group_channels", "group_columns", "slot_table",
    "ChannelRates", "channel_rates", "dense_rates", "EnzymeValues", "parse_initial", "parse_initial_compact",
    "assemble_jacobian", "jacobian_pattern", "Level", "build_levels", "cascade", "node_roots",
    "FullProblem", "BlockProblem", "PseudoTransient", "STEADY_METHODS", "solve_steady_state", "integrate",
]
