"""Set operations on reaction networks (§5.1): union, subnetwork, choosing reactions.

The methods :meth:`ReactionNetwork.union <rxnn.crn.network.ReactionNetwork.union>`
and :meth:`~rxnn.crn.network.ReactionNetwork.subnetwork` call these; they use
the networks' public accessors only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.model import NetworkError, Reaction
from rxnn.errors import ArgumentTypeError

if TYPE_CHECKING:
    from rxnn.crn.network import ReactionNetwork

__all__ = ["union", "subnetwork", "resolve_reactions"]


def _rates_of(nets: Sequence[ReactionNetwork]) -> Any:
    """All rates in order: one float array when every rate is numeric (the fast path), else a list."""
    if all(not net.has_symbolic_rates() for net in nets):
        return np.concatenate([net.rate_array() for net in nets]) if nets else np.empty(0)
    return [rate for net in nets for rate in net.rates]


def union(nets: Sequence[ReactionNetwork]) -> ReactionNetwork:
    """The union of networks (set semantics on reactions, §5.1 and Step 2 of §5.2).

    Species keep their order of first appearance. An identical reaction
    appears once; the same reaction with two different rates is an error.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> a, b = ReactionNetwork.from_text("A -> B"), ReactionNetwork.from_text("B -> C\\nA -> B")
    >>> union([a, b]).to_text()
    'A -> B\\nB -> C\\n'
    """
    from rxnn.crn.network import ReactionNetwork

    for o in nets:
        if not isinstance(o, ReactionNetwork):
            raise ArgumentTypeError(f"union needs ReactionNetwork operands; got {type(o).__name__}")
    index: dict[str, int] = {}
    for net in nets:
        for s in net.species:
            index.setdefault(s, len(index))
    blocks_r, blocks_p = [], []
    for net in nets:
        remap = np.array([index[s] for s in net.species], dtype=np.int64)
        for mats, m in ((blocks_r, net.reactant_matrix()), (blocks_p, net.product_matrix())):
            coo = m.tocoo()
            mats.append(sp.csc_matrix((coo.data, (remap[coo.row], coo.col)), shape=(len(index), m.shape[1])))
    return ReactionNetwork.from_matrices(tuple(index), sp.hstack(blocks_r, format="csc"),
                                         sp.hstack(blocks_p, format="csc"), _rates_of(nets))


def resolve_reactions(net: ReactionNetwork, reactions: Any) -> np.ndarray:
    """Column indices of ``reactions``: indices (negative from the end), a boolean mask or Reaction objects.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("A -> B\\nB -> C\\nC -> A")
    >>> resolve_reactions(net, [2, -3]).tolist(), resolve_reactions(net, [net.reactions[1]]).tolist()
    ([0, 2], [1])
    """
    items = list(reactions) if not isinstance(reactions, np.ndarray) else reactions
    n = net.n_reactions
    if isinstance(items, np.ndarray) and items.dtype == bool:
        if items.shape != (n,):
            raise NetworkError(f"a reaction mask must have shape ({n},); got {items.shape}")
        return np.flatnonzero(items)
    if len(items) and isinstance(items[0], Reaction):
        rates = net.rates
        lookup = {r.key(): j for j, r in enumerate(net.reactions)}
        out = []
        for r in items:
            j = lookup.get(r.key())
            if j is None or rates[j] != r.rate:
                raise NetworkError(f"reaction {r} is not a reaction of this network")
            out.append(j)
        return np.asarray(out, dtype=np.int64)
    idx = np.asarray(items, dtype=np.int64)
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise NetworkError(f"reaction indices must be in [0, {n}); got {items}")
    return np.unique(idx % max(n, 1))


def subnetwork(net: ReactionNetwork, reactions: Any) -> ReactionNetwork:
    """The subnetwork with the given reactions; its species are those the reactions involve (§5.1).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> sub = subnetwork(ReactionNetwork.from_text("A -> B\\nB -> C ; 2"), [1])
    >>> sub.species, sub.to_text()
    (('B', 'C'), 'B -> C ; 2\\n')
    """
    from rxnn.crn.network import ReactionNetwork

    columns = resolve_reactions(net, reactions)
    R, P = net.reactant_matrix()[:, columns], net.product_matrix()[:, columns]
    used = np.zeros(net.n_species, dtype=bool)
    used[R.indices] = True
    used[P.indices] = True
    keep = np.flatnonzero(used)
    if net.has_symbolic_rates():
        all_rates = net.rates
        rates: Any = [all_rates[int(j)] for j in columns]
    else:
        rates = net.rate_array()[columns]
    species = net.species
    return ReactionNetwork.from_matrices([species[i] for i in keep], R[keep], P[keep], rates)
