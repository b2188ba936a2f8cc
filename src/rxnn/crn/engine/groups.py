"""Matrix-product groups: a channel partition that turns the kinetics into sparse-times-dense products.

Each channel's dynamic monomial is split into an *upstream* factor x_u (a
reactant that the channel does not change) and the rest m(x). Channels with
the same rest and the same net change form a group g whose summed rate is
m_g(x) (A x + K)_g with a sparse matrix A; for the compiled networks of §5.2
this is x_i (W x' + b)_i. The right-hand side is N_g (m(x) (A x + K)): two
sparse products and a few row gathers per evaluation, with no per-reaction
work. These *exact* groups keep every term non-negative (gross flux,
cascade, Jacobian); for dx/dt alone, *signed* groups also merge opposite net
changes and let a channel's own species be its upstream factor, so a compiled
node is the hand-written h + x (W x' + b - x). The grouping itself is
:func:`~rxnn.crn.engine.channels.group_columns`, the one of the channels.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from rxnn.crn.engine.channels import group_columns

__all__ = ["Groups", "as_slice"]


class Groups:
    """A partition of the channels into matrix-product groups.

    Channel c has the monomial x_u(c) * m_g(x) with ``u`` its upstream factor
    (a species, or n for the constant 1) and rate constant k_c; the channels
    of group g share the rest m_g and the direction of their net change, so
    that sum_{c in g} N_c lambda_c = N_g m_g(x) sum_c alpha_c k_c x_u(c) with
    N_c = alpha_c N_g.

    Parameters
    ----------
    slots : ndarray of shape (n_channels, width)
        Dynamic reactant slots (species index per unit coefficient, padded with n).
    N : csc_matrix of shape (n, n_channels)
        Net change of every channel.
    signed : bool
        False: groups share the net change exactly (alpha = 1), so |N_g| lambda
        is the gross flux and every term is non-negative (the cascade and the
        residual use this). True: net changes equal up to a factor, and a
        species a channel changes may serve as its upstream factor when the
        channel has no enzymatic factor (its rate constant cannot vary over
        the batch); fewer groups, for the right-hand side only (a compiled
        node becomes h + x (W x' + b - x)).
    own : ndarray of bool, shape (n_channels,), optional
        Channels allowed to take a species they change as upstream factor.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> low = ReactionNetwork.from_text("H -> H + X\\nE + X -> E + 2X\\n2X -> X").lowered
    >>> low.stoichiometry.toarray()
    array([[ 1.,  1., -1.]])
    >>> Groups(low.dyn_slots, low.stoichiometry.tocsc(), low.n, signed=False).n_groups   # h, e x, -x x
    3
    >>> # signed: h, and x (e - x) with x as the upstream factor of 2X -> X
    >>> Groups(low.dyn_slots, low.stoichiometry.tocsc(), low.n, signed=True, own=~low.has_enzyme).n_groups
    2
    """

    def __init__(self, slots: np.ndarray, N: sp.csc_matrix, n: int, *, signed: bool, own: np.ndarray | None = None) -> None:
        C = slots.shape[0]
        self.n = n
        upstream, rest = _split_upstream(slots, N, n, C, own=own if signed else None)
        alpha, direction = _directions(N, signed)
        group, first = group_columns(rest, direction)
        # Order the groups by the first species their net change touches (rows of N_g stay local).
        if C:
            D = direction.tocsc()
            lead = np.where(np.diff(D.indptr)[first] > 0, D.indices[D.indptr[first]], n)
            order = np.lexsort((np.arange(first.size), lead))
            rank = np.empty_like(order)
            rank[order] = np.arange(order.size)
            group, first = rank[group], first[order]
            self.lead = lead[order]  # the first species each group changes
        else:
            self.lead = np.zeros(0, np.int64)
        self.n_groups = G = first.size
        self.group_of_channel, self.upstream_of_channel, self.alpha = group, upstream, alpha
        self.rest = rest[first] if C else np.zeros((0, slots.shape[1]), np.int64)  # (G, width)
        self.Ng = direction[:, first].tocsr() if C else sp.csr_matrix((n, 0))
        self.absNg = abs(self.Ng)
        self.slot_lists = [(as_slice(np.flatnonzero(col < n)), as_slice(col[col < n])) for col in self.rest.T]
        lin = np.flatnonzero(upstream < n)  # channels whose upstream factor is a species: columns of A
        self.lin_channels, self.lin_groups, self.lin_species = lin, group[lin], upstream[lin]
        keys = self.lin_groups * max(n, 1) + self.lin_species
        ukeys, self.lin_slot = np.unique(keys, return_inverse=True)
        self.lin_slot = self.lin_slot.ravel()
        self.A_indices = (ukeys % max(n, 1)).astype(np.int64)
        self.A_indptr = np.searchsorted(ukeys // max(n, 1), np.arange(G + 1)).astype(np.int64)
        const = np.flatnonzero(upstream >= n)
        self.const_channels, self.const_groups = const, group[const]


def as_slice(index: np.ndarray) -> np.ndarray | slice:
    """An evenly spaced increasing index array as a slice (a strided view instead of a gather).

    Examples
    --------
    >>> as_slice(np.array([1, 3, 5])), as_slice(np.array([1, 2, 4]))
    (slice(1, 6, 2), array([1, 2, 4]))
    """
    if index.size >= 2:
        step = int(index[1] - index[0])
        if step > 0 and np.all(np.diff(index) == step):
            return slice(int(index[0]), int(index[-1]) + 1, step)
    return index


def _split_upstream(
    slots: np.ndarray, N: sp.csc_matrix, n: int, C: int, *, own: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per channel: the upstream factor and the rest of the monomial (padding last).

    The upstream factor is the first reactant the channel does not change;
    failing that, for the channels marked in ``own``, the first reactant at
    all; else n (the constant 1).
    """
    width = slots.shape[1]
    if C == 0 or width == 0:
        return np.full(C, n, dtype=np.int64), slots.copy()
    col = np.repeat(np.arange(C, dtype=np.int64), np.diff(N.indptr))
    nkeys = col * (n + 1) + N.indices  # sorted: CSC columns in order, rows sorted within
    q = np.arange(C, dtype=np.int64)[:, None] * (n + 1) + slots
    pos = np.minimum(np.searchsorted(nkeys, q), max(nkeys.size - 1, 0))
    in_net = (nkeys[pos] == q) if nkeys.size else np.zeros(q.shape, bool)
    candidate = (slots < n) & ~in_net
    if own is not None:
        candidate = np.where(candidate.any(axis=1)[:, None] | ~own[:, None], candidate, slots < n)
    has = candidate.any(axis=1)
    first = np.argmax(candidate, axis=1)
    upstream = np.where(has, slots[np.arange(C), first], n)
    rest = slots.copy()
    rest[np.flatnonzero(has), first[has]] = n
    rest.sort(axis=1)
    return upstream.astype(np.int64), rest


def _directions(N: sp.csc_matrix, signed: bool) -> tuple[np.ndarray, sp.csc_matrix]:
    """alpha_c and N_c / alpha_c; alpha is 1, or (signed) the first nonzero entry of the column."""
    C = N.shape[1]
    D = sp.csc_matrix((N.data.astype(np.float64), N.indices, N.indptr), shape=N.shape)
    if not signed or C == 0:
        return np.ones(C), D
    alpha = np.ones(C)
    has = np.diff(N.indptr) > 0
    alpha[has] = N.data[N.indptr[:-1][has]]
    D.data = D.data / np.repeat(alpha, np.diff(N.indptr))
    return alpha, D
