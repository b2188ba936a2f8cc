"""Channel rate constants over a batch: the enzymatic factors folded in (Def. 5.1, §5.1).

The enzymatic species are constant, so their factors are folded into
effective rate constants (the "absorbed" form of §5.1); those that differ
over the batch (the inputs of a compiled network) enter linearly,
k(b) = k0 + E_var(b) M: one matrix product for the whole batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["ChannelRates", "channel_rates", "dense_rates"]


class ChannelRates:
    """Channel rate constants over a batch: k(b) = k0 + values[b] @ M (+ rare higher products).

    Made by :func:`channel_rates` (or :func:`dense_rates`); ``channels``
    lists the channels with a batch-varying part (the columns of M).

    Examples
    --------
    >>> r = dense_rates(np.array([[1.0, 2.0], [1.0, 3.0]]))
    >>> r.batch, r.dense().tolist()
    (2, [[1.0, 2.0], [1.0, 3.0]])
    """

    __slots__ = ("k0", "channels", "matrix", "general", "values")

    def __init__(self, k0, channels, matrix, general, values) -> None:
        self.k0, self.channels, self.matrix, self.general, self.values = k0, channels, matrix, general, values

    @property
    def batch(self) -> int:
        return self.values.shape[0]

    def with_values(self, values: np.ndarray) -> ChannelRates:
        """The same structure (same constant enzymes) for other values of the varying ones."""
        return ChannelRates(self.k0, self.channels, self.matrix, self.general, values)

    def varying(self, members: np.ndarray | None = None) -> np.ndarray:
        """The batch-varying parts, shape (batch, len(channels)) (or (len(members), ...))."""
        values = self.values if members is None else self.values[members]
        if self.channels.size == 0:
            return np.zeros((values.shape[0], 0))
        M = self.matrix
        out = values @ M if isinstance(M, np.ndarray) else np.asarray((M.T @ values.T).T)
        out = np.array(out, dtype=np.float64, order="C")
        if self.general is not None:
            coef, pos, col = self.general
            v1 = np.concatenate([values, np.ones((values.shape[0], 1))], axis=1)
            terms = np.broadcast_to(coef, (values.shape[0], coef.size)).copy()
            for p in pos.T:
                terms *= v1[:, p]
            out += (sp.csr_matrix((np.ones(col.size), (np.arange(col.size), col)), shape=(col.size, out.shape[1])).T @ terms.T).T
        return out

    def dense(self, members: np.ndarray | None = None) -> np.ndarray:
        """Every channel's constant, shape (batch, n_channels), or (1, n_channels) if none varies."""
        if self.channels.size == 0:
            return self.k0[None, :].copy()
        n = self.batch if members is None else len(members)
        out = np.broadcast_to(self.k0, (n, self.k0.size)).copy()
        out[:, self.channels] += self.varying(members)
        return out


def channel_rates(
    lowering: Any, row: np.ndarray, columns: np.ndarray, values: np.ndarray, k: np.ndarray | None = None
) -> ChannelRates:
    """The linear structure of the channel rate constants over a batch.

    Parameters
    ----------
    lowering : Lowering
        The network's lowering (its enzymatic slots and channels).
    row : ndarray of shape (n_enzymatic,)
        Enzymatic concentrations (the batch-constant ones; entries at
        ``columns`` are ignored).
    columns : ndarray of int, shape (n_var,)
        Enzymatic species whose concentration differs over the batch.
    values : ndarray of shape (batch, n_var)
        Their concentrations.
    k : ndarray of shape (n_reactions,), optional
        Rate constants; default the network's.

    Returns
    -------
    ChannelRates
        k_c(b) = k0_c + sum_v values[b, v] M[v, c] (+ products of two or more
        varying enzymes, formed only for the reactions that have them).

    Notes
    -----
    A reaction whose enzymatic factors are all batch-constant adds
    ``k_r prod e`` to k0 of its channel; one with exactly one varying
    factor of coefficient 1 adds a column entry of M. For the compiled
    networks of §5.2 the inputs X'_j are the varying enzymes, and the
    channel rates of layer 1 are ``d @ W+^T + b+``: one matrix product.
    Cost O(n_reactions x max enzymatic order) plus the product.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> low = ReactionNetwork.from_text("E + X -> E + 2X ; 2\\nX -> 0").lowered   # E is enzymatic
    >>> channel_rates(low, np.array([0.0]), np.array([0]), np.array([[1.0], [5.0]])).dense().tolist()
    [[2.0, 1.0], [10.0, 1.0]]
    """
    m = lowering.n_enzymatic
    k = lowering.rates if k is None else k
    e1 = np.append(np.asarray(row, dtype=np.float64), 1.0)  # index m is the padding: factor 1
    slots = lowering.enz_slots
    columns = np.asarray(columns, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    values = values.reshape(values.shape[0] if values.ndim == 2 else 1, columns.size)
    chan = lowering.channel_of_reaction
    if columns.size == 0 or slots.shape[1] == 0:
        factor = k * np.prod(e1[slots], axis=1) if slots.shape[1] else k
        k0 = np.bincount(chan, weights=factor, minlength=lowering.n_channels).astype(np.float64)
        return ChannelRates(k0, np.zeros(0, np.int64), np.zeros((0, 0)), None, np.zeros((values.shape[0], 0)))
    position = np.full(m + 1, -1, dtype=np.int64)
    position[columns] = np.arange(columns.size)
    varying = position[slots] >= 0
    n_var = varying.sum(axis=1)
    factor = k * np.prod(np.where(varying, 1.0, e1[slots]), axis=1)
    plain = n_var == 0
    k0 = np.bincount(chan[plain], weights=factor[plain], minlength=lowering.n_channels).astype(np.float64)
    touched = np.flatnonzero(~plain)
    present = np.zeros(lowering.n_channels, dtype=bool)
    present[chan[touched]] = True
    cv = np.flatnonzero(present)
    local = np.cumsum(present) - 1
    where = local[chan[touched]]
    single = n_var[touched] == 1
    r1 = touched[single]
    v1 = position[slots[r1, np.argmax(varying[r1], axis=1)]]
    size = columns.size * cv.size
    if r1.size > 0.1 * size and size <= 5e7:
        M = np.bincount(v1 * cv.size + where[single], weights=factor[r1], minlength=size)
        M = M.astype(np.float64).reshape(columns.size, cv.size)
    else:
        M = sp.csr_matrix((factor[r1], (v1, where[single])), shape=(columns.size, cv.size))
        M.sum_duplicates()
    general = None
    rg = touched[~single]
    if rg.size:
        pos = np.where(varying[rg], position[slots[rg]], columns.size)
        general = (factor[rg], pos, where[~single])
    return ChannelRates(k0, cv, M, general, values)


def dense_rates(k_eff: np.ndarray) -> ChannelRates:
    """Channel rate constants given outright, shape (batch or 1, n_channels), as :class:`ChannelRates`.

    Examples
    --------
    >>> dense_rates(np.array([[1.0, 2.0]])).dense().tolist()
    [[1.0, 2.0]]
    """
    k_eff = np.atleast_2d(np.asarray(k_eff, dtype=np.float64))
    C = k_eff.shape[1]
    if k_eff.shape[0] == 1:
        return ChannelRates(k_eff[0].copy(), np.zeros(0, np.int64), np.zeros((0, 0)), None, np.zeros((1, 0)))
    eye = sp.identity(C, format="csr")
    return ChannelRates(np.zeros(C), np.arange(C, dtype=np.int64), eye, None, k_eff)
