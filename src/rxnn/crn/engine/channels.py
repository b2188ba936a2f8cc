"""The one grouping of the kinetics: reactions into channels, channels into matrix-product groups.

:func:`group_columns` is the only grouping implementation of :mod:`rxnn.crn`.
It partitions columns by a dense integer key row plus a sparse column,
exactly (hashes first, then every member checked against its
representative). It serves

* the channels (:class:`ReactionChannels`): reactions with the same dynamic
  reactant complex and the same dynamic net change, used by the ODE
  right-hand side, the Jacobian, the cascade and the SSA alike (the
  :class:`~rxnn.crn.engine.lowering.Lowering` of a network computes them
  once);
* the matrix-product groups (:class:`~rxnn.crn.engine.groups.Groups`):
  channels with the same rest monomial and the same direction of net change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["ReactionChannels", "EnzymaticFactors", "group_columns", "group_channels", "aggregate_channels", "slot_table"]


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: every input bit affects every output bit (float bits end in zeros)."""
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def group_columns(keys: np.ndarray, D: sp.csc_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Partition columns c by (the row ``keys[c]``, the column ``D[:, c]``), exactly.

    Parameters
    ----------
    keys : ndarray of int, shape (C, width)
        A dense key per column (a slot table: species per unit coefficient).
    D : csc_matrix of shape (n, C)
        A sparse key per column (a net change).

    Returns
    -------
    group : ndarray of int64, shape (C,)
        The group of every column, numbered in order of first appearance.
    first : ndarray of int64, shape (n_groups,)
        The first column of every group (increasing).

    Notes
    -----
    Each (row, value) entry of D is hashed on its own and summed (so the
    order inside a column does not matter); ``np.unique`` over the key rows
    plus the hash groups the columns, and every column is compared with its
    group's first column. On a hash collision every column is its own group,
    which is still exact. Cost O(nnz + C log C).

    Examples
    --------
    >>> D = sp.csc_matrix(np.array([[1, 1, -1], [0, 0, 0]]))
    >>> group_columns(np.array([[0], [0], [0]]), D)
    (array([0, 0, 1]), array([0, 2]))
    """
    C = D.shape[1]
    if C == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    D = sp.csc_matrix(D, dtype=np.float64)
    D.sort_indices()
    rng = np.random.default_rng(20210519)
    w = rng.integers(1, 2**63, size=D.shape[0], dtype=np.uint64)
    entry = _mix((D.data + 0.0).view(np.uint64) ^ w[D.indices])  # + 0.0: -0.0 and 0.0 hash alike
    h = np.zeros(C, dtype=np.uint64)
    np.add.at(h, np.repeat(np.arange(C), np.diff(D.indptr)), entry)
    key = np.concatenate([np.asarray(keys, dtype=np.int64).reshape(C, -1), h.view(np.int64)[:, None]], axis=1)
    _, first, group = np.unique(key, axis=0, return_index=True, return_inverse=True)
    group = group.ravel()
    if (D - D[:, first[group]]).count_nonzero() != 0:  # a hash collision: one group per column
        return np.arange(C, dtype=np.int64), np.arange(C, dtype=np.int64)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[group].astype(np.int64), np.sort(first).astype(np.int64)


def slot_table(matrix: sp.csc_matrix, fill: int) -> np.ndarray:
    """Slot table of shape (n_columns, max order): row index per unit coefficient, sorted, ``fill`` padded.

    ``2X`` gives two slots on X, so a monomial is the product over its slots.
    Equal columns give equal rows (``fill`` must exceed every row index).

    Examples
    --------
    >>> slot_table(sp.csc_matrix(np.array([[2, 0], [1, 1]])), fill=2)
    array([[0, 0, 1],
           [1, 2, 2]])
    """
    matrix = sp.csc_matrix(matrix)
    matrix.sort_indices()
    n_r = matrix.shape[1]
    reps = matrix.data.astype(np.int64)
    cols = np.repeat(np.repeat(np.arange(n_r), np.diff(matrix.indptr)), reps)
    rows = np.repeat(matrix.indices, reps)
    counts = np.bincount(cols, minlength=n_r)
    width = int(counts.max()) if counts.size else 0
    table = np.full((n_r, width), fill, dtype=np.int64)
    start = np.cumsum(counts) - counts
    position = np.arange(cols.size) - np.repeat(start, counts)
    table[cols, position] = rows
    return table


@dataclass(frozen=True, eq=False)
class ReactionChannels:
    """The reactions of a network grouped into *channels* (the ODE's and the SSA's alike).

    Attributes
    ----------
    dynamic_species : tuple of str
        The rows of :attr:`reactants` and :attr:`changes` (``network.dynamic_species``).
    reactants : scipy.sparse.csc_matrix of int64, shape (n_dynamic, n_channels)
        The dynamic part of each channel's reactant complex.
    changes : scipy.sparse.csc_matrix of int64, shape (n_dynamic, n_channels)
        The net change of the dynamic species when the channel fires.
    channel_of_reaction : ndarray of int64, shape (n_reactions,)
        The channel each reaction of the network belongs to (numbered in
        order of first appearance).
    order : ndarray of int64, shape (n_channels,)
        |Y_dyn|, the number of dynamic molecules a channel consumes as reactants.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> ch = ReactionNetwork.from_text("E + X -> E + 2X\\nF + X -> F + 2X\\nX -> 0").lowered.channels
    >>> ch.n_channels, ch.channel_of_reaction.tolist(), ch.order.tolist()
    (2, [0, 0, 1], [1, 1])
    """

    dynamic_species: tuple[str, ...]
    reactants: sp.csc_matrix
    changes: sp.csc_matrix
    channel_of_reaction: np.ndarray
    order: np.ndarray

    @property
    def n_channels(self) -> int:
        return int(self.order.size)

    def constants(self, effective_rates: np.ndarray, volume: float) -> np.ndarray:
        """Channel constants K_c V^(1 - |Y_dyn|) from per-reaction effective rate constants.

        Parameters
        ----------
        effective_rates : ndarray of shape (n_reactions,)
            kappa_j times the enzymatic factor of reaction j (see
            :func:`~rxnn.crn.stochastic.simulate_stochastic`).
        volume : float

        Returns
        -------
        ndarray of shape (n_channels,)

        Examples
        --------
        >>> from rxnn import ReactionNetwork
        >>> ch = ReactionNetwork.from_text("2X -> 0 ; 3").lowered.channels
        >>> ch.constants(np.array([3.0]), volume=10.0)
        array([0.3])
        """
        summed = np.bincount(self.channel_of_reaction, weights=effective_rates, minlength=self.n_channels)
        return summed * volume ** (1.0 - self.order)

    def __repr__(self) -> str:
        return (
            f"<ReactionChannels: {self.n_channels} channels from {self.channel_of_reaction.size} reactions "
            f"over {len(self.dynamic_species)} dynamic species>"
        )


def group_channels(
    reactants: sp.csc_matrix, changes: sp.csc_matrix, dynamic_species: tuple[str, ...]
) -> tuple[ReactionChannels, np.ndarray, np.ndarray]:
    """Channels from the dynamic rows of a network's reactant and stoichiometry matrices.

    Parameters
    ----------
    reactants, changes : csc_matrix of shape (n_dynamic, n_reactions)
        Dynamic reactant complexes and dynamic net changes.
    dynamic_species : tuple of str

    Returns
    -------
    channels : ReactionChannels
    representative : ndarray of int64, shape (n_channels,)
        The first reaction of every channel.
    slots : ndarray of int64, shape (n_channels, max order)
        The channels' dynamic slot tables (padded with n_dynamic).

    Examples
    --------
    >>> R = sp.csc_matrix(np.array([[1, 1, 2]]))
    >>> N = sp.csc_matrix(np.array([[1, 1, -1]]))
    >>> ch, rep, slots = group_channels(R, N, ("X",))
    >>> ch.channel_of_reaction.tolist(), rep.tolist(), slots.tolist()
    ([0, 0, 1], [0, 2], [[0, 1], [0, 0]])
    """
    n = reactants.shape[0]
    all_slots = slot_table(reactants, fill=n)
    group, representative = group_columns(all_slots, changes)
    ch_reactants = sp.csc_matrix(reactants[:, representative], dtype=np.int64)
    ch_changes = sp.csc_matrix(changes[:, representative], dtype=np.int64)
    for m in (ch_reactants, ch_changes):
        m.sort_indices()
    order = np.asarray(ch_reactants.sum(axis=0)).ravel().astype(np.int64)
    channels = ReactionChannels(dynamic_species, ch_reactants, ch_changes, group, order)
    return channels, representative, all_slots[representative]


def aggregate_channels(network: object) -> ReactionChannels:
    """Group reactions by (dynamic reactant complex, dynamic net change) into channels.

    Parameters
    ----------
    network : ReactionNetwork

    Returns
    -------
    ReactionChannels
        The channels of the network's lowering (``network.lowered.channels``),
        the same object every call and every simulator uses.

    Notes
    -----
    With the enzymatic species held constant, the propensity of reaction j is
    K_j f_Y(n) with K_j = kappa_j times a constant enzymatic factor and
    f_Y(n) = V^(1 - |Y_dyn|) prod_i n_i!/(n_i - Y_i)! depending only on the
    dynamic reactant complex Y. Reactions that share Y and the net change
    of the state are, in the Markov chain, indistinguishable: the sum of
    independent Poisson clocks with rates K_j f_Y(n) that all make the same
    jump is one clock of rate (sum_j K_j) f_Y(n) making that jump. So the
    channel system has the same law as the network's chain, exactly; only
    which of the merged reactions fired is not recorded. In the ODE the same
    argument sums the rate constants of a channel (eq. (2)).

    This is what makes a compiled neural network cheap to simulate: the
    784 edge reactions X0_j + W+_ij + X1_i -> X0_j + W+_ij + 2 X1_i into
    hidden node i (the inputs X0_j are enzymatic) and its bias reaction all
    have Y = X1_i and change +X1_i, and merge into one channel; the
    784-40-10 network of §6 has about 64,000 reactions and 1,000 channels.
    Grouping is :func:`group_columns`, O(nnz + n_reactions log n_reactions).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text('''
    ...     A + W1 + X -> A + W1 + 2X
    ...     B + W2 + X -> B + W2 + 2X
    ...     X -> 0
    ... ''')
    >>> aggregate_channels(net).n_channels   # A, B, W1, W2 are enzymatic
    2
    """
    from rxnn.crn.network import ReactionNetwork  # the network builds its lowering from this package
    from rxnn.errors import ArgumentTypeError

    if not isinstance(network, ReactionNetwork):
        raise ArgumentTypeError(f"network of aggregate_channels must be a ReactionNetwork; got {type(network).__name__}")
    return network.lowered.channels


class EnzymaticFactors:
    """Per-reaction factor of the constant (enzymatic) species, for one input at a time (the SSA's).

    Unrounded: prod_e c_e^Y_e. Rounded: prod_e m_e!/(m_e - Y_e)! / V^Y_e, with
    m_e whole molecules. The enzymatic part of the reactant matrix is sliced
    once and reused for every input.

    Parameters
    ----------
    enzymatic_reactants : csc_matrix of shape (n_enzymatic, n_reactions)

    Examples
    --------
    >>> f = EnzymaticFactors(sp.csc_matrix(np.array([[2, 0]])))
    >>> f(np.array([3.0]), 1.0, False), f(np.array([3.0]), 1.0, True)
    (array([9., 1.]), array([6., 1.]))
    """

    def __init__(self, enzymatic_reactants: sp.csc_matrix) -> None:
        m = sp.csc_matrix(enzymatic_reactants)
        self.n_reactions = m.shape[1]
        self.rows, self.coef = m.indices, m.data
        self.column = np.repeat(np.arange(m.shape[1]), np.diff(m.indptr))

    def __call__(self, levels: np.ndarray, volume: float, rounded: bool) -> np.ndarray:
        factors = np.ones(self.n_reactions)
        if self.coef.size == 0:
            return factors
        level = levels[self.rows]
        if rounded:  # level holds molecule counts m_e: falling factorials, volume-scaled
            entry = np.ones(self.coef.size)
            for step in range(int(self.coef.max())):
                entry *= np.where(self.coef > step, np.maximum(level - step, 0.0) / volume, 1.0)
        else:
            entry = level**self.coef
        np.multiply.at(factors, self.column, entry)
        return factors
