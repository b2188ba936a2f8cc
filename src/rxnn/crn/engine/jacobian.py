"""The one Jacobian of the kinetics: a fixed sparsity pattern from the exact groups, values per batch.

J = N_g d lambda, where d lambda_g / d x_j has one entry per real slot of
the group's rest monomial and one per channel with a species as upstream
factor (:func:`jacobian_pattern`); :func:`assemble_jacobian` lays the values
of a batch out as one sparse matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["assemble_jacobian", "jacobian_pattern"]


def assemble_jacobian(data: np.ndarray, indptr: np.ndarray, indices: np.ndarray, n: int, layout: str) -> sp.csr_matrix:
    """Block Jacobian of a batch from per-member values ``data`` (batch, nnz) on one pattern.

    Examples
    --------
    >>> assemble_jacobian(np.array([[2.0], [5.0]]), np.array([0, 1]), np.array([0]), 1, "batch").toarray()
    array([[2., 0.],
           [0., 5.]])
    """
    B, nnz = data.shape
    if layout == "batch":
        ip = (indptr[None, :-1] + nnz * np.arange(B)[:, None]).ravel()
        ip = np.append(ip, nnz * B)
        ind = (indices[None, :] + n * np.arange(B)[:, None]).ravel()
        return sp.csr_matrix((data.ravel(), ind, ip), shape=(B * n, B * n))
    counts = np.diff(indptr)
    start = indptr[:-1]
    row = np.repeat(np.arange(n), counts)
    k = np.arange(nnz)
    pos = (B * start[row] + (k - start[row]))[None, :] + np.arange(B)[:, None] * counts[row][None, :]
    out_data = np.empty(B * nnz)
    out_ind = np.empty(B * nnz, dtype=np.int64)
    out_data[pos.ravel()] = data.ravel()
    out_ind[pos.ravel()] = (indices[None, :] * B + np.arange(B)[:, None]).ravel()
    ip = np.concatenate([[0], np.cumsum(np.repeat(counts, B))])
    return sp.csr_matrix((out_data, out_ind, ip), shape=(B * n, B * n))


def jacobian_pattern(e: Any) -> tuple:
    """The fixed sparsity pattern of J and the map from d lambda entries to it.

    Entries of d lambda_g / d x_j: one per real slot of the rest monomial
    (value S_g times the other slots), then one per channel with a species
    as upstream factor (value m_g k_c). J = N_g d lambda sums them per (i, j).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> e = ReactionNetwork.from_text("H -> H + X\\nX -> 0").lowered.engine
    >>> [a.tolist() for a in jacobian_pattern(e.exact)[3:]]   # indptr, indices of the (1, 1) pattern
    [[0, 1], [0]]
    """
    n, width = e.n, e.rest.shape[1]
    if e.n_groups and width:
        g_idx, s_idx = np.nonzero(e.rest < n)
    else:
        g_idx = s_idx = np.zeros(0, np.int64)
    dm_groups = g_idx.astype(np.int64)
    dm_species = e.rest[g_idx, s_idx]
    others = np.where(np.arange(width)[None, :] == s_idx[:, None], n, e.rest[g_idx])
    dm_others = np.sort(others, axis=1)[:, : max(width - 1, 0)]
    ent_groups = np.concatenate([dm_groups, e.lin_groups])
    ent_species = np.concatenate([dm_species, e.lin_species])
    Nc = e.Ng.tocsc()
    per = np.diff(Nc.indptr)[ent_groups]
    entry = np.repeat(np.arange(ent_groups.size), per)
    starts = Nc.indptr[ent_groups]
    offsets = np.arange(entry.size) - np.repeat(np.cumsum(per) - per, per)
    nz = np.repeat(starts, per) + offsets
    rows, cols, vals = Nc.indices[nz], ent_species[entry], Nc.data[nz].astype(np.float64)
    pattern = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    pattern.sum_duplicates()
    pattern.sort_indices()
    key = rows.astype(np.int64) * max(n, 1) + cols
    prow = np.repeat(np.arange(n), np.diff(pattern.indptr))
    pkey = prow.astype(np.int64) * max(n, 1) + pattern.indices
    where = np.searchsorted(pkey, key)
    jac_map = sp.csr_matrix((vals, (entry, where)), shape=(ent_groups.size, pattern.nnz))
    return dm_groups, dm_others, jac_map, pattern.indptr.astype(np.int64), pattern.indices.astype(np.int64)
