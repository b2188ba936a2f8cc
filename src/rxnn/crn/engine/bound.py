"""Enzyme values bound to the groups: the kinetics of a batch as sparse and BLAS products.

:class:`Parameters` is an :class:`~rxnn.crn.engine.core.Engine` with enzyme
values bound; it evaluates dx/dt, the gross flux and the Jacobian on
species-major states XT of shape (n, batch).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.engine.groups import Groups, as_slice
from rxnn.crn.engine.jacobian import assemble_jacobian
from rxnn.crn.engine.rates import ChannelRates

__all__ = ["Parameters", "HybridProduct", "BoundGroups"]


class HybridProduct:
    """A @ XT for a sparse A with dense blocks (a layer's W), by BLAS for the blocks and sparse for the rest.

    Columns shared by long rows (at least ``min_row`` entries) are *popular*;
    the long rows are grouped by the set of popular columns they use (leaving
    out each row's own species, ``own``), and each group of rows becomes a
    dense matrix over its columns. For
    a compiled network the blocks are W^l of the layers l >= 2 (each row also
    has its own species, left to the sparse rest), so the product costs what
    the closed form's does.

    Examples
    --------
    >>> HybridProduct(sp.csr_matrix(np.eye(3)))(np.ones((3, 2))).tolist()
    [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]
    """

    def __init__(self, A: sp.csr_matrix, own: np.ndarray | None = None, min_row: int = 16) -> None:
        G, n = A.shape
        self.shape = A.shape
        self.dense_all = A.toarray() if A.nnz > 0.15 * G * n and G * n <= 4e6 else None
        self.blocks: list[tuple[Any, Any, np.ndarray]] = []
        self.sparse = A if A.nnz else None
        if self.dense_all is not None or not A.nnz:
            return
        long = np.flatnonzero(np.diff(A.indptr) >= min_row)
        if long.size < 2:
            return
        sub = A[long]
        popular = np.bincount(sub.indices, minlength=n) >= 2  # shared by rows (not a row's own species)
        by_support: dict[bytes, list[int]] = {}
        for k, row in enumerate(long):
            cols = A.indices[A.indptr[row]:A.indptr[row + 1]]
            keep = popular[cols] if own is None else popular[cols] & (cols != own[row])  # a row's own species: sparse
            cols = np.sort(cols[keep])
            if cols.size >= min_row:
                by_support.setdefault(cols.tobytes(), []).append(int(row))
        moved = np.zeros(A.nnz, bool)
        for key, rows in by_support.items():
            cols = np.frombuffer(key, dtype=A.indices.dtype).astype(np.int64)
            if len(rows) * cols.size > 5e7 or len(rows) < 2:
                continue
            rows_arr = np.asarray(rows)
            block = A[rows_arr][:, cols].toarray()
            self.blocks.append((as_slice(rows_arr), as_slice(cols), block))
            for row in rows:
                lo, hi = A.indptr[row], A.indptr[row + 1]
                moved[lo:hi] |= np.isin(A.indices[lo:hi], cols)
        if self.blocks:
            rest = sp.csr_matrix((np.where(moved, 0.0, A.data), A.indices.copy(), A.indptr.copy()), shape=A.shape)
            rest.eliminate_zeros()
            self.sparse = rest if rest.nnz else None

    def __call__(self, XT: np.ndarray) -> np.ndarray:
        if self.dense_all is not None:
            return self.dense_all @ XT
        S = np.asarray(self.sparse @ XT) if self.sparse is not None else np.zeros((self.shape[0], XT.shape[1]))
        for rows, cols, block in self.blocks:
            S[rows] += block @ XT[cols]
        return S


class BoundGroups:
    """One :class:`Groups` with enzyme values bound: A (groups x species, sparse) and K (groups x batch).

    The group rate is lambda_g = m_g(x) (A x + K + Z)_g, where Z holds the
    rare channels whose upstream factor is a species *and* whose rate
    constant varies over the batch.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.engine import EnzymeValues, engine_for
    >>> p = engine_for(ReactionNetwork.from_text("H -> H + X\\nX -> 0 ; 2")).parameters(EnzymeValues.constant([3.0]))
    >>> sorted(p.exact.group_rates(np.array([[1.0]])).ravel().tolist())   # 2 x and h at x = 1
    [2.0, 3.0]
    """

    def __init__(self, groups: Groups, rates: ChannelRates, varying: np.ndarray | None, template: BoundGroups | None) -> None:
        self.groups = gr = groups
        G, n = gr.n_groups, gr.n
        if template is not None:
            self.A, self.product, self._K0 = template.A, template.product, template._K0
            self._cv, self._z, self._slices = template._cv, template._z, template._slices
        else:
            k = rates.k0 * gr.alpha
            data = np.bincount(gr.lin_slot, weights=k[gr.lin_channels], minlength=gr.A_indices.size).astype(np.float64)
            self.A = sp.csr_matrix((data, gr.A_indices.copy(), gr.A_indptr.copy()), shape=(G, n))  # never shares
            self.product = HybridProduct(self.A, gr.lead)
            self._K0 = np.bincount(gr.const_groups, weights=k[gr.const_channels], minlength=G).astype(np.float64)
            cv = rates.channels
            cv_const = gr.upstream_of_channel[cv] >= n if cv.size else np.zeros(0, bool)
            c1 = cv[cv_const]
            to_groups = sp.csr_matrix((gr.alpha[c1], (gr.group_of_channel[c1], np.arange(c1.size))), shape=(G, c1.size))
            self._cv = (cv_const, to_groups)
            z = np.flatnonzero(~cv_const)
            self._z = None
            if z.size:
                zc = cv[z]
                zg = gr.group_of_channel[zc]
                self._z = (z, zg, gr.upstream_of_channel[zc], gr.alpha[zc],
                           sp.csr_matrix((np.ones(zc.size), (zg, np.arange(zc.size))), shape=(G, zc.size)))
            self._slices: dict[int, tuple] = {}
        cv_const, to_groups = self._cv
        if cv_const.any():
            self.K = np.asarray(to_groups @ varying[:, cv_const].T)
            self.K += self._K0[:, None]
        else:
            self.K = self._K0[:, None].copy()
        self.z_coef = None
        if self._z is not None:
            z, self.z_groups, self.z_species, alpha, self.z_map = self._z
            self.z_coef = np.ascontiguousarray(varying[:, z].T * alpha[:, None])  # (n_z, batch)

    def linear_part(self, XT: np.ndarray, members: np.ndarray | None = None) -> np.ndarray:
        """S = A x + K (+ Z): shape (n_groups, batch) for the species-major state XT (n, batch)."""
        S = self.product(XT)
        S += self.K if members is None or self.K.shape[1] == 1 else self.K[:, members]
        if self.z_coef is not None:
            coef = self.z_coef if members is None else self.z_coef[:, members]
            S += self.z_map @ (coef * XT[self.z_species])
        return S

    def rows_linear_part(self, rows: np.ndarray, XT: np.ndarray) -> np.ndarray:
        """S restricted to the groups ``rows`` (a level's), whole batch; the row slices of A are cached."""
        hit = self._slices.get(id(rows))
        if hit is None or hit[0] is not rows:
            A = self.A[rows]
            A = A.toarray() if A.nnz > 0.15 * A.shape[0] * A.shape[1] and A.shape[0] * A.shape[1] <= 4e6 else A
            z = None
            if self._z is not None:
                local = np.full(self.groups.n_groups, -1)
                local[rows] = np.arange(rows.size)
                sel = np.flatnonzero(local[self.z_groups] >= 0)
                if sel.size:
                    zmap = sp.csr_matrix((np.ones(sel.size), (local[self.z_groups[sel]], np.arange(sel.size))),
                                         shape=(rows.size, sel.size))
                    z = (sel, zmap)
            hit = (rows, A, z)
            self._slices[id(rows)] = hit
        _, A, z = hit
        if isinstance(A, np.ndarray):
            S = A @ XT
        else:
            S = np.asarray(A @ XT) if A.nnz else np.zeros((A.shape[0], XT.shape[1]))
        S += self.K[rows]
        if z is not None:
            sel, zmap = z
            S += zmap @ (self.z_coef[sel] * XT[self.z_species[sel]])
        return S

    def group_rates(self, XT: np.ndarray, members: np.ndarray | None = None) -> np.ndarray:
        """lambda_g = m_g(x) S_g, shape (n_groups, batch)."""
        lam = self.linear_part(XT, members)
        for groups, species in self.groups.slot_lists:
            lam[groups] *= XT[species]
        return lam


class Parameters:
    """An :class:`Engine` with enzyme values bound; evaluates the kinetics on species-major states.

    A state of a batch is ``XT`` of shape (n, batch): species-major, so that
    every group's rates are rows of one array and the products with A and
    N_g are sparse-times-dense with contiguous rows.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.engine import EnzymeValues, engine_for
    >>> p = engine_for(ReactionNetwork.from_text("H -> H + X\\nX -> 0 ; 2")).parameters(EnzymeValues.constant([3.0]))
    >>> p.rhs(np.array([[1.0, 2.0]])).tolist(), p.jacobian(np.array([[1.0]])).toarray().tolist()
    ([[1.0, -1.0]], [[-2.0]])
    """

    def __init__(self, engine: Any, rates: ChannelRates, template: Parameters | None = None) -> None:
        self.engine, self.rates = engine, rates
        self.batch = rates.batch
        self.varying = rates.varying() if rates.channels.size else None
        self.exact = BoundGroups(engine.exact, rates, self.varying, template.exact if template else None)
        self._template = template
        self._fast: BoundGroups | None = None

    @property
    def fast(self) -> BoundGroups:
        if self._fast is None:
            t = self._template._fast if self._template is not None else None
            self._fast = BoundGroups(self.engine.fast, self.rates, self.varying, t)
            if self._template is not None and self._template._fast is None:
                self._template._fast = self._fast
        return self._fast

    def rows_linear_part(self, rows: np.ndarray, XT: np.ndarray) -> np.ndarray:
        return self.exact.rows_linear_part(rows, XT)

    def rhs(self, XT: np.ndarray, members: np.ndarray | None = None) -> np.ndarray:
        """dx/dt, species-major: (n, batch)."""
        fast = self.fast
        return np.asarray(fast.groups.Ng @ fast.group_rates(XT, members))

    def rhs_and_gross(self, XT: np.ndarray, members: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """dx/dt and the gross flux |N| lambda (production plus consumption), both (n, batch)."""
        lam = self.exact.group_rates(XT, members)
        return np.asarray(self.engine.exact.Ng @ lam), np.asarray(self.engine.exact.absNg @ lam)

    def jacobian_values(self, XT: np.ndarray, members: np.ndarray | None = None) -> np.ndarray:
        """Values of the Jacobian on its fixed pattern, shape (batch, nnz)."""
        gr = self.engine.exact
        dm_groups, dm_others, jac_map, _, _ = self.engine.jacobian_pattern()
        S = self.exact.linear_part(XT, members)
        m = np.ones_like(S)
        for groups, species in gr.slot_lists:
            m[groups] *= XT[species]
        B = XT.shape[1]
        XT1 = np.concatenate([XT, np.ones((1, B))])
        dm = S[dm_groups] * np.prod(XT1[dm_others], axis=1) if dm_others.shape[1] else S[dm_groups]
        lin = m[gr.lin_groups] * self.rates.k0[gr.lin_channels][:, None]
        channels = self.rates.channels
        if channels.size and gr.lin_channels.size:
            pos = np.minimum(np.searchsorted(channels, gr.lin_channels), channels.size - 1)
            hit = channels[pos] == gr.lin_channels
            if hit.any():
                var = self.varying if members is None else self.varying[members]
                lin[hit] += m[gr.lin_groups[hit]] * var[:, pos[hit]].T
        values = np.concatenate([dm, lin]) if lin.size else dm  # (entries, batch)
        return np.asarray((jac_map.T @ values).T)

    def jacobian(self, XT: np.ndarray, members: np.ndarray | None = None, *, layout: str = "species") -> sp.csr_matrix:
        """The Jacobian of the batch as one sparse matrix.

        ``layout="species"`` orders the flat state species-major (index
        i * batch + b, as :func:`integrate` uses); ``"batch"`` gives the
        block-diagonal matrix of :meth:`MassActionSystem.jacobian`.
        """
        _, _, _, indptr, indices = self.engine.jacobian_pattern()
        return assemble_jacobian(self.jacobian_values(XT, members), indptr, indices, self.engine.n, layout)
