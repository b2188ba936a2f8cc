"""The simulation engine behind :func:`~rxnn.crn.simulate.simulate` and :func:`~rxnn.crn.simulate.steady_state`.

It works from the :class:`~rxnn.crn.network.ReactionNetwork` alone and
discovers the structure that makes it fast:

* **Enzymatic species are parameters** (Def. 5.1). Their factors are folded
  into channel rate constants; those that differ over the batch (the inputs of
  a compiled network) enter linearly, k(b) = k0 + E_var(b) M, one matrix
  product for the whole batch (:meth:`MassActionSystem.channel_rates`).
* **Matrix-product groups** (:class:`Groups`). Each channel's dynamic
  monomial is split into an *upstream* factor x_u (a reactant that the
  channel does not change) and the rest m(x). Channels with the same rest and
  the same net change form a group g whose summed rate is m_g(x) (A x + K)_g
  with a sparse matrix A; for the compiled networks of §5.2 this is
  x_i (W x' + b)_i. The right-hand side is N_g (m(x) (A x + K)): two sparse
  products and a few row gathers per evaluation, with no per-reaction work.
  These *exact* groups keep every term non-negative (gross flux, cascade,
  Jacobian); for dx/dt alone, *signed* groups also merge opposite net changes
  and let a channel's own species be its upstream factor, so a compiled node
  is the hand-written h + x (W x' + b - x).
* **The feed-forward cascade** (Thm. 4.8). The strongly connected components
  of the species dependency graph (j -> i when x_j is a reactant of a channel
  that changes x_i), in topological levels. A one-species component is a
  polynomial equation in its species with coefficients from the levels above;
  steady states are solved level by level, every component of a level and
  every batch member at once.

Steady states (:func:`solve_steady_state`) follow the trajectory's limit, not
just any root: a one-species component is solved in closed form or by
bracketed Newton only where Descartes' rule of signs shows that the limit
does not depend on the path (one positive root that attracts every positive
start) and its top-power terms rule out a blow-up on the way (q-polynomial
decay, Thm. 4.8); other members, and multi-species components whose upstream
moves, go to batched pseudo-transient continuation (:class:`PseudoTransient`),
and the residual of the full system decides convergence. Transients (:func:`integrate`) use the
same right-hand side in species-major layout and a sparse Jacobian, with
``method="auto"`` starting explicit (DOP853 or RK45) and switching to BDF when
a stiffness test fires (:mod:`rxnn.crn._integrate`, with its guard).

This module is private: users call ``simulate`` and ``steady_state``.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.linalg import null_space
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu

from rxnn.crn._integrate import integrate  # re-exported: transients live in rxnn.crn._integrate
from rxnn.crn.kinetics import ChannelRates, EnzymeValues, MassActionSystem

__all__ = ["Engine", "Groups", "Parameters", "engine_for", "PseudoTransient", "solve_steady_state", "integrate"]

_PROJECTION_LIMIT = 2000  # conservation laws are found by a dense SVD up to this many species
_NEWTON_MAX = 200
_CACHE: dict[tuple[int, tuple], tuple[weakref.ref, Engine]] = {}


def engine_for(network: Any, rates: Any = None) -> Engine:
    """The engine of ``network`` (with named ``rates`` bound), built once per network object.

    Networks are immutable values, so the engine (structure discovery, about
    50 ms per 60,000 reactions) is cached against the network object and
    dropped with it.
    """
    try:
        key = (id(network), tuple(sorted((rates or {}).items())))
    except TypeError:  # unorderable or unhashable rate values: validated (and refused) downstream
        return Engine(MassActionSystem(network, rates))
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is network:
        return hit[1]
    system = MassActionSystem(network, rates)
    if system.network is network:
        # The cache must not keep the network alive: the engine gets a shallow twin (same arrays).
        system.network = network._replace()
    engine = Engine(system)
    _CACHE[key] = (weakref.ref(network, lambda _ref, k=key, cache=_CACHE: cache.pop(k, None)), engine)
    return engine


# =========================================================================== structure


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
    """

    def __init__(self, slots: np.ndarray, N: sp.csc_matrix, n: int, *, signed: bool, own: np.ndarray | None = None) -> None:
        C = slots.shape[0]
        self.n = n
        upstream, rest = _split_upstream(slots, N, n, C, own=own if signed else None)
        alpha, direction = _directions(N, signed)
        group, first = _group_by(rest, direction, C)
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
        self.slot_lists = [(_as_slice(np.flatnonzero(col < n)), _as_slice(col[col < n])) for col in self.rest.T]
        lin = np.flatnonzero(upstream < n)  # channels whose upstream factor is a species: columns of A
        self.lin_channels, self.lin_groups, self.lin_species = lin, group[lin], upstream[lin]
        keys = self.lin_groups * max(n, 1) + self.lin_species
        ukeys, self.lin_slot = np.unique(keys, return_inverse=True)
        self.lin_slot = self.lin_slot.ravel()
        self.A_indices = (ukeys % max(n, 1)).astype(np.int64)
        self.A_indptr = np.searchsorted(ukeys // max(n, 1), np.arange(G + 1)).astype(np.int64)
        const = np.flatnonzero(upstream >= n)
        self.const_channels, self.const_groups = const, group[const]


def _as_slice(index: np.ndarray) -> np.ndarray | slice:
    """An evenly spaced increasing index array as a slice (a strided view instead of a gather)."""
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


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: every input bit affects every output bit (float bits end in zeros)."""
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _group_by(rest: np.ndarray, D: sp.csc_matrix, C: int) -> tuple[np.ndarray, np.ndarray]:
    """Group channels by (rest monomial, column of D); exact, verified member by member."""
    if C == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rng = np.random.default_rng(20210519)
    w = rng.integers(1, 2**63, size=D.shape[0], dtype=np.uint64)
    entry = _mix((D.data + 0.0).view(np.uint64) ^ w[D.indices])  # each (row, value) pair hashed on its own
    h = np.zeros(C, dtype=np.uint64)
    np.add.at(h, np.repeat(np.arange(C), np.diff(D.indptr)), entry)  # order-free sum over the column
    key = np.concatenate([rest, h.view(np.int64)[:, None]], axis=1)
    _, first, group = np.unique(key, axis=0, return_index=True, return_inverse=True)
    group = group.ravel()
    if (D - D[:, first[group]]).count_nonzero() != 0:  # a hash collision: one group per channel
        return np.arange(C, dtype=np.int64), np.arange(C, dtype=np.int64)
    return group.astype(np.int64), first.astype(np.int64)


class Engine:
    """Structure of a mass-action system: matrix-product groups and the cascade.

    Parameters
    ----------
    system : MassActionSystem
        The channels (reactions grouped by dynamic reactant complex and net change).

    Attributes
    ----------
    n : int
        Dynamic species.
    exact, fast : Groups
        The groups with exact net changes (cascade, gross flux, Jacobian) and
        the signed ones (right-hand side of transients).
    """

    def __init__(self, system: MassActionSystem) -> None:
        self.system = system
        n = system.n
        self.n = n
        self.dynamic_mask = system.network._dynamic_mask
        self.position = np.empty(self.dynamic_mask.size, dtype=np.int64)
        self.position[self.dynamic_mask] = np.arange(n)
        self.position[~self.dynamic_mask] = np.arange(self.dynamic_mask.size - n)
        self.parse_cache: dict[str, Any] = {}
        slots = system._dyn_slots  # (C, width), padded with n
        N = system.stoichiometry.tocsc()  # (n, C)
        N.sort_indices()
        self._slots, self._N = slots, N
        self.exact = Groups(slots, N, n, signed=False)
        self._fast: Groups | None = None
        self._levels: list[Level] | None = None
        self._jac: tuple | None = None
        self._params: tuple[bytes, np.ndarray, Parameters] | None = None

    @property
    def fast(self) -> Groups:
        if self._fast is None:
            s = self.system
            m = s.n_enzymatic
            enzymatic = (s._enz_slots < m).any(axis=1) if s._enz_slots.shape[1] else np.zeros(s._k.size, bool)
            with_enzyme = np.bincount(s.channel_of_reaction, weights=enzymatic, minlength=s.n_channels) > 0
            self._fast = Groups(self._slots, self._N, self.n, signed=True, own=~with_enzyme)
        return self._fast

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
        rates = self.system.channel_rates(enzymes.row, columns, enzymes.values)
        params = Parameters(self, rates)
        self._params = (columns.tobytes(), enzymes.row.copy(), params)
        return params

    # ------------------------------------------------------------------ cascade
    @property
    def levels(self) -> list[Level]:
        """The strongly connected components of the dependency graph, in topological levels."""
        if self._levels is None:
            self._levels = _build_levels(self)
        return self._levels

    # ------------------------------------------------------------------ Jacobian pattern
    def jacobian_pattern(self) -> tuple:
        """Entries of d lambda_g / d x_j (rest and upstream terms) and their map onto J = N_g d lambda."""
        if self._jac is None:
            self._jac = _jacobian_pattern(self.exact)
        return self._jac


class _HybridProduct:
    """A @ XT for a sparse A with dense blocks (a layer's W), by BLAS for the blocks and sparse for the rest.

    Columns shared by long rows (at least ``min_row`` entries) are *popular*;
    the long rows are grouped by the set of popular columns they use (leaving
    out each row's own species, ``own``), and each group of rows becomes a
    dense matrix over its columns. For
    a compiled network the blocks are W^l of the layers l >= 2 (each row also
    has its own species, left to the sparse rest), so the product costs what
    the closed form's does.
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
            self.blocks.append((_as_slice(rows_arr), _as_slice(cols), block))
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


class _Bound:
    """One :class:`Groups` with enzyme values bound: A (groups x species, sparse) and K (groups x batch).

    The group rate is lambda_g = m_g(x) (A x + K + Z)_g, where Z holds the
    rare channels whose upstream factor is a species *and* whose rate
    constant varies over the batch.
    """

    def __init__(self, groups: Groups, rates: ChannelRates, varying: np.ndarray | None, template: _Bound | None) -> None:
        self.groups = gr = groups
        G, n = gr.n_groups, gr.n
        if template is not None:
            self.A, self.product, self._K0 = template.A, template.product, template._K0
            self._cv, self._z, self._slices = template._cv, template._z, template._slices
        else:
            k = rates.k0 * gr.alpha
            data = np.bincount(gr.lin_slot, weights=k[gr.lin_channels], minlength=gr.A_indices.size).astype(np.float64)
            self.A = sp.csr_matrix((data, gr.A_indices.copy(), gr.A_indptr.copy()), shape=(G, n))  # never shares
            self.product = _HybridProduct(self.A, gr.lead)
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
    """

    def __init__(self, engine: Engine, rates: ChannelRates, template: Parameters | None = None) -> None:
        self.engine, self.rates = engine, rates
        self.batch = rates.batch
        self.varying = rates.varying() if rates.channels.size else None
        self.exact = _Bound(engine.exact, rates, self.varying, template.exact if template else None)
        self._template = template
        self._fast: _Bound | None = None

    @property
    def fast(self) -> _Bound:
        if self._fast is None:
            t = self._template._fast if self._template is not None else None
            self._fast = _Bound(self.engine.fast, self.rates, self.varying, t)
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


def assemble_jacobian(data: np.ndarray, indptr: np.ndarray, indices: np.ndarray, n: int, layout: str) -> sp.csr_matrix:
    """Block Jacobian of a batch from per-member values ``data`` (batch, nnz) on one pattern."""
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


def _jacobian_pattern(e: Groups) -> tuple:
    """The fixed sparsity pattern of J and the map from d lambda entries to it.

    Entries of d lambda_g / d x_j: one per real slot of the rest monomial
    (value S_g times the other slots), then one per channel with a species
    as upstream factor (value m_g k_c). J = N_g d lambda sums them per (i, j).
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


# =========================================================================== levels


class Level:
    """One topological level of the cascade: its one-species components and its larger ones.

    For the one-species components, ``pairs`` are the (group, species) pairs
    with N[species, group] != 0. The equation of species i is the polynomial
    sum_p c_p x_i^p whose coefficients are sums over its pairs of
    N_ig * m'_g * S_g, where m'_g is the rest monomial without x_i (all its
    species lie in earlier levels) and p the power of x_i in it.
    """

    def __init__(self, e: Engine, species: np.ndarray, multi: list[np.ndarray]) -> None:
        n = e.n
        self.species = species
        self.multi = multi
        self.multi_rows = np.concatenate(multi) if multi else np.zeros(0, np.int64)
        self._ancestors: np.ndarray | None = None
        if species.size == 0:
            self.degree = 0
            return
        rows = e.Ng[species]  # (nb, G)
        rows.sort_indices()
        block = np.repeat(np.arange(species.size), np.diff(rows.indptr))
        g = rows.indices.astype(np.int64)
        self.pair_N = rows.data.astype(np.float64)
        rest = e.rest[g] if g.size else np.zeros((0, e.rest.shape[1]), np.int64)
        own = rest == species[block][:, None]
        power = own.sum(axis=1)
        others = np.where(own, n, rest)
        self.groups, self.pair_group = np.unique(g, return_inverse=True)
        self.pair_group = self.pair_group.ravel()
        self.pair_slots = [(np.flatnonzero(col < n), col[col < n]) for col in others.T]
        self.degree = d = int(power.max()) if power.size else 0
        self.T = sp.csr_matrix(
            (self.pair_N, (block * (d + 1) + power, np.arange(g.size))), shape=(species.size * (d + 1), g.size)
        )
        # Boundedness along the whole path. Production terms of power <= 1 cannot blow up in finite
        # time. Otherwise (Thm. 4.8's q-polynomial decay) every term of the top power must consume the
        # species with a coefficient free of other species, so that its sign at the limit is its
        # sign at every time.
        top = np.zeros(species.size, np.int64)
        np.maximum.at(top, block, power)
        produce = np.full(species.size, -1, np.int64)
        np.maximum.at(produce, block, np.where(self.pair_N > 0, power, -1))
        has_lin = np.zeros(e.n_groups, bool)
        has_lin[e.exact.lin_groups] = True
        timeless = (others >= n).all(axis=1) & ~has_lin[g]
        bad = np.zeros(species.size, bool)
        np.logical_or.at(bad, block, (power == top[block]) & ~(timeless & (self.pair_N < 0)))
        self.top = top
        self.linear_growth = produce <= 1  # bounded whatever the coefficients do on the way
        self.bounded = self.linear_growth | ~bad

    def ancestors(self, e: Engine) -> np.ndarray:
        """Dynamic species upstream of this level's multi-species components (outside them)."""
        if self._ancestors is None:
            D = e._dependency
            reach = np.zeros(e.n, bool)
            reach[self.multi_rows] = True
            frontier = self.multi_rows
            while frontier.size:
                pred = np.unique(D[frontier].indices)
                new = pred[~reach[pred]]
                reach[new] = True
                frontier = new
            reach[self.multi_rows] = False
            self._ancestors = np.flatnonzero(reach)
        return self._ancestors


def _build_levels(e: Engine) -> list[Level]:
    """SCCs of the dependency graph (scipy, Tarjan) and their longest-path levels (Kahn, level by level)."""
    n = e.n
    system = e.system
    slots = system._dyn_slots
    C = slots.shape[0]
    r, c = np.nonzero(slots < n) if slots.size else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    R = sp.csr_matrix((np.ones(r.size), (slots[r, c], r)), shape=(n, C))
    D = (abs(system.stoichiometry) @ R.T).tocsr()  # D[i, j] != 0: x_j is a reactant of a channel changing x_i
    D.sum_duplicates()
    D.sort_indices()
    e._dependency = D
    if n == 0:
        return []
    n_blocks, label = connected_components(D, directed=True, connection="strong")
    rows = np.repeat(np.arange(n), np.diff(D.indptr))
    src, dst = label[D.indices], label[rows]  # edge j -> i between components
    cross = src != dst
    edges = np.unique(np.stack([src[cross], dst[cross]], axis=1), axis=0) if cross.any() else np.zeros((0, 2), np.int64)
    indeg = np.bincount(edges[:, 1], minlength=n_blocks)
    out = sp.csr_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n_blocks, n_blocks))
    level = np.zeros(n_blocks, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    depth = 0
    while frontier.size:
        level[frontier] = depth
        succ = out[frontier].indices
        if succ.size == 0:
            break
        u, cnt = np.unique(succ, return_counts=True)
        indeg[u] -= cnt
        frontier = u[indeg[u] == 0]
        depth += 1
    size = np.bincount(label, minlength=n_blocks)
    order = np.argsort(label, kind="stable")
    members = np.split(order, np.cumsum(size)[:-1])
    levels = []
    for L in range(int(level.max()) + 1):
        blocks = np.flatnonzero(level == L)
        single = blocks[size[blocks] == 1]
        species = np.sort(np.concatenate([members[b] for b in single])) if single.size else np.zeros(0, np.int64)
        multi = [members[b] for b in blocks[size[blocks] > 1]]
        levels.append(Level(e, species, multi))
    return levels


# =========================================================================== one-species components


def _horner(g: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and derivative of sum_p g[:, p] x^p."""
    value = g[:, -1].copy()
    slope = np.zeros_like(value)
    for p in range(g.shape[1] - 2, -1, -1):
        slope = slope * x + value
        value = value * x + g[:, p]
    return value, slope


def _bracketed_newton(g: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton's method from ``hi`` on rows of g with g(lo) > 0 > g(hi); bisection when a step leaves the bracket."""
    x = hi.copy()
    done = np.zeros(x.size, bool)
    active = np.arange(x.size)
    for _ in range(_NEWTON_MAX):
        ga, xa, la, ha = g[active], x[active], lo[active], hi[active]
        value, slope = _horner(ga, xa)
        la = np.where(value > 0, xa, la)
        ha = np.where(value < 0, xa, ha)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = xa - value / slope
        tiny = (np.abs(step - xa) <= 1e-15 * np.abs(xa)) | (value == 0)
        new = np.where(tiny | ((step >= la) & (step <= ha)), step, 0.5 * (la + ha))
        new = np.where(value == 0, xa, new)
        finished = tiny | (ha - la <= 1e-15 * ha)
        x[active], lo[active], hi[active] = new, la, ha
        done[active[finished]] = True
        active = active[~finished]
        if active.size == 0:
            break
    return x, done


def _positive_root(g: np.ndarray, top: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unique positive root of each row of g (g_0 > 0, one sign change), and whether it converged.

    Degree 1 and 2 in closed form (the quadratic without cancellation);
    higher degrees by Newton's method safeguarded by bisection inside
    [0, Fujiwara's bound], so the iterate never leaves the bracket of the
    positive root and never goes negative.
    """
    E = g.shape[0]
    x = np.zeros(E)
    ok = np.zeros(E, bool)
    rows = np.arange(E)
    lead = g[rows, top]
    one = top == 1
    x[one] = -g[one, 0] / g[one, 1]
    ok[one] = True
    two = top == 2
    if two.any():
        a, b, c = g[two, 0], g[two, 1], -g[two, 2]
        s = np.hypot(b, 2.0 * np.sqrt(a * c))
        x[two] = np.where(b >= 0, (b + s) / (2.0 * c), 2.0 * a / (s - b))
        ok[two] = True
    high = np.flatnonzero(top >= 3)
    if high.size:
        gh, th = g[high], top[high]
        D = gh.shape[1] - 1
        with np.errstate(divide="ignore"):
            logs = np.log(np.abs(gh))
        j = np.arange(D + 1)[None, :]
        power = np.where(j < th[:, None], (logs - np.log(np.abs(lead[high]))[:, None]) / np.maximum(th[:, None] - j, 1), -np.inf)
        hi = 2.0 * np.exp(np.max(power, axis=1)) * (1 + 1e-12)
        xh, done = _bracketed_newton(gh, np.zeros(high.size), hi)
        x[high] = xh
        ok[high] = done
    return x, ok


def node_roots(C: np.ndarray, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The limit of each one-species component from x0, where it does not depend on the path.

    Parameters
    ----------
    C : ndarray of shape (n_components, degree + 1, batch)
        Coefficients of f(x) = sum_p C[:, p] x^p with the upstream at its limit.
    x0 : ndarray of shape (n_components, batch)
        Starting values.

    Returns
    -------
    x : ndarray of shape (n_components, batch)
    decided : ndarray of bool, shape (n_components, batch)
        False where the limit cannot be read off the coefficients: there the
        caller follows the trajectory (pseudo-transient continuation).

    Notes
    -----
    By mass action f(0) = c_0 >= 0. Descartes' rule of signs on the nonzero
    coefficients decides (V = number of sign changes, k = lowest nonzero power):

    * k = 0, V = 1: exactly one positive root r, f > 0 below it and < 0
      above; it attracts every start (the node equations (13) and (20));
    * k >= 1 with c_k < 0 and V = 0: f < 0 on (0, inf); the limit is 0;
    * k >= 1 with c_k > 0 and V = 1: 0 repels and one positive root attracts
      every positive start (the ReLU node, h = 0); decided only for x0 > 0.

    Everything else (no root, several positive roots, f identically 0, or a
    zero start on an unstable 0) is left undecided. The cascade further
    requires the top power's terms to be consumption with coefficients free
    of other species (q-polynomial decay, Thm. 4.8), so the trajectory stays
    bounded on its way to the limit.
    """
    nb, width, B = C.shape
    if width == 3:  # the node eq. (13) of a compiled network: c0 > 0 > c2, in closed form
        c0, c1, c2 = C[:, 0], C[:, 1], C[:, 2]
        quadratic = (c0 > 0) & (c2 < 0)
        if quadratic.all():
            a, b, c = c0, c1, -c2
            s = np.hypot(b, 2.0 * np.sqrt(a * c))
            x = np.where(b >= 0, (b + s) / (2.0 * c), 2.0 * a / (s - b))
            return x, np.isfinite(x)
    d = width - 1
    c = np.ascontiguousarray(C.transpose(0, 2, 1)).reshape(nb * B, width)
    x0 = x0.reshape(nb * B)
    nz = c != 0
    any_nz = nz.any(axis=1)
    k = np.argmax(nz, axis=1)
    top = d - np.argmax(nz[:, ::-1], axis=1)
    sign = np.sign(c)
    last = np.zeros(c.shape[0])
    changes = np.zeros(c.shape[0], dtype=np.int64)
    for p in range(width):
        flip = nz[:, p] & (last != 0) & (sign[:, p] != last)
        changes += flip
        last = np.where(nz[:, p], sign[:, p], last)
    rows = np.arange(c.shape[0])
    ck = c[rows, k]
    positive = any_nz & (changes == 1) & ((k == 0) | ((ck > 0) & (x0 > 0)))
    zero = any_nz & (k >= 1) & (ck < 0) & (changes == 0)
    x = np.zeros(c.shape[0])
    decided = zero.copy()
    idx = np.flatnonzero(positive)
    if idx.size:
        shift = k[idx, None] + np.arange(width)[None, :]
        g = np.where(shift <= d, c[idx[:, None], np.minimum(shift, d)], 0.0)
        r, ok = _positive_root(g, top[idx] - k[idx])
        x[idx] = r
        decided[idx] = ok & np.isfinite(r) & (r >= 0)
    x = np.where(decided, x, x0)
    return x.reshape(nb, B), decided.reshape(nb, B)


# =========================================================================== pseudo-transient continuation


class _FullProblem:
    """The whole system for :class:`PseudoTransient` (batch-major interface)."""

    def __init__(self, params: Parameters, tol: float, atol: float) -> None:
        self.params, self.tol, self.atol = params, tol, atol
        self.n = params.engine.n

    def stoichiometry(self) -> np.ndarray:
        return self.params.engine.Ng.toarray()

    def residual(self, x: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        F, gross = self.params.rhs_and_gross(np.ascontiguousarray(x.T), members)
        scale = self.tol * gross + self.atol
        res = np.max(np.abs(F) / scale, axis=0) if F.shape[0] else np.zeros(x.shape[0])
        return np.ascontiguousarray(F.T), res

    def jacobian(self, x: np.ndarray, members: np.ndarray) -> sp.csr_matrix:
        return self.params.jacobian(np.ascontiguousarray(x.T), members, layout="batch")


class _BlockProblem(_FullProblem):
    """Species ``rows`` with every other species frozen at ``base`` (species-major, full batch)."""

    def __init__(self, params: Parameters, tol: float, atol: float, rows: np.ndarray, base: np.ndarray) -> None:
        super().__init__(params, tol, atol)
        self.rows, self.base, self.n = rows, base, rows.size
        _, _, _, indptr, indices = params.engine.jacobian_pattern()
        full_n = params.engine.n
        inside = np.zeros(full_n, bool)
        inside[rows] = True
        local = np.full(full_n, -1)
        local[rows] = np.arange(rows.size)
        prow = np.repeat(np.arange(full_n), np.diff(indptr))
        keep = inside[prow] & inside[indices]
        self.keep = np.flatnonzero(keep)
        sub = sp.csr_matrix((np.ones(self.keep.size), (local[prow[keep]], local[indices[keep]])), shape=(rows.size,) * 2)
        sub.sort_indices()
        order = np.lexsort((local[indices[keep]], local[prow[keep]]))
        self.keep = self.keep[order]
        self.sub_indptr, self.sub_indices = sub.indptr.astype(np.int64), sub.indices.astype(np.int64)

    def stoichiometry(self) -> np.ndarray:
        Ng = self.params.engine.Ng[self.rows]
        return Ng[:, np.unique(Ng.indices)].toarray()

    def _full(self, x: np.ndarray, members: np.ndarray) -> np.ndarray:
        XT = self.base[:, members].copy()
        XT[self.rows] = x.T
        return XT

    def residual(self, x: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        F, gross = self.params.rhs_and_gross(self._full(x, members), members)
        F, gross = F[self.rows], gross[self.rows]
        scale = self.tol * gross + self.atol
        return np.ascontiguousarray(F.T), np.max(np.abs(F) / scale, axis=0)

    def jacobian(self, x: np.ndarray, members: np.ndarray) -> sp.csr_matrix:
        data = self.params.jacobian_values(self._full(x, members), members)[:, self.keep]
        return assemble_jacobian(data, self.sub_indptr, self.sub_indices, self.n, "batch")


class PseudoTransient:
    """Batched pseudo-transient continuation (see :func:`rxnn.crn.simulate.steady_state`).

    Linearly implicit Euler steps ``(I/dt - J) dx = f(x)`` with a per-member
    step ``dt`` that starts small, so the iterate follows the trajectory from
    the start, and grows as the residual falls (switched evolution
    relaxation), becoming Newton's method near the fixed point. Steps that
    make a concentration negative or grow the residual tenfold are rejected
    and retried with dt / 4; accepted iterates are projected back onto the
    conservation laws of the start.
    """

    def __init__(self, problem: _FullProblem, *, stacklevel: int = 5) -> None:
        self.problem = problem
        self.stacklevel = stacklevel  # of the warning: the caller of steady_state
        self.nfev = self.njev = 0
        n = problem.n
        self.conservation = None
        if 0 < n <= _PROJECTION_LIMIT:
            basis = null_space(problem.stoichiometry().T)
            self.conservation = basis.T if basis.size else None

    def residual(self, x: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.nfev += 1
        return self.problem.residual(x, members)

    def run(self, x0: np.ndarray, max_iterations: int, members: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        """Iterate from x0 (batch, n); ``members`` are the batch indices of its rows.

        Trial steps that overflow are rejected like any other bad step, so
        floating-point overflow inside the iteration is not reported.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            return self._run(x0, max_iterations, members)

    def _run(self, x0: np.ndarray, max_iterations: int, members: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        x = x0.copy()
        batch, n = x.shape
        everyone = np.arange(batch)
        f, res = self.residual(x, members)
        fmax = np.max(np.abs(f), axis=1) if n else np.zeros(batch)
        dt = np.minimum(1e-2, 0.1 * np.maximum(np.max(x, axis=1, initial=0.0), 1.0) / np.maximum(fmax, 1e-300))
        t = np.zeros(batch)
        rejected = 0
        iterations = 0
        for iterations in range(1, max_iterations + 1):
            active = everyone[res > 1.0]
            if active.size == 0 or n == 0:
                iterations -= 1
                break
            xa, fa = x[active], f[active]
            self.njev += 1
            J = self.problem.jacobian(xa, members[active])
            A = sp.diags(np.repeat(1.0 / dt[active], n)) - J
            try:
                step = splu(A.tocsc()).solve(fa.ravel()).reshape(active.size, n)
            except RuntimeError:  # exactly singular: shrink dt and retry
                dt[active] /= 4
                rejected += active.size
                continue
            trial = xa + step
            floor = -1e-12 * np.maximum(np.abs(xa), 1.0)  # round-off below zero is clipped
            negative = np.any(trial < floor, axis=1)
            trial = np.maximum(trial, 0.0)
            f_trial, res_trial = self.residual(trial, members[active])
            grew = np.max(np.abs(f_trial), axis=1) > 10 * np.max(np.abs(fa), axis=1) + self.problem.atol
            ok = ~negative & ~grew & np.all(np.isfinite(trial), axis=1)
            acc, rej = active[ok], active[~ok]
            rejected += rej.size
            dt[rej] /= 4
            if acc.size:
                ratio = res[acc] / np.maximum(res_trial[ok], 1e-300)
                t[acc] += dt[acc]
                dt[acc] = np.minimum(dt[acc] * np.clip(ratio, 1.0, 100.0) * np.where(ratio >= 1, 2.0, 1.0), 1e8)
                accepted = trial[ok]
                if self.conservation is not None:
                    Cn = self.conservation
                    accepted = np.maximum(accepted - ((accepted - x0[acc]) @ Cn.T) @ Cn, 0.0)
                    f_trial[ok], res_trial[ok] = self.residual(accepted, members[acc])
                x[acc], f[acc], res[acc] = accepted, f_trial[ok], res_trial[ok]
            if np.any(dt[active] < 1e-30):
                warnings.warn(
                    "steady_state: the pseudo-time step underflowed; the iteration is stuck (the network may have "
                    "no steady state from this start); check the start, or simulate the trajectory to see where it goes",
                    RuntimeWarning, stacklevel=self.stacklevel,
                )
                break
        stats = dict(residual=res, iterations=iterations, rejected=rejected, pseudo_time=t)
        return x, stats


# =========================================================================== steady states


def cascade(params: Parameters, X0T: np.ndarray, tol: float, atol: float, max_iterations: int) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Solve the levels in topological order; returns (XT, undecided members, counters)."""
    e = params.engine
    XT = X0T.copy()
    B = XT.shape[1]
    undecided = np.zeros(B, bool)
    continued = np.zeros(B, bool)  # members with a multi-species component solved by continuation
    counters: dict[str, Any] = dict(levels=0, iterations=0, rejected=0, nfev=0, njev=0, continued=continued)
    everyone = np.arange(B)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        for level in e.levels:
            counters["levels"] += 1
            if level.species.size:
                S = params.rows_linear_part(level.groups, XT)
                val = S[level.pair_group]
                for pairs, species in level.pair_slots:
                    val[pairs] *= XT[species]
                C = np.asarray(level.T @ val).reshape(level.species.size, level.degree + 1, B)
                x, decided = node_roots(C, X0T[level.species])
                lead = C[np.arange(level.species.size), level.top] < 0
                decided &= level.bounded[:, None] & (level.linear_growth[:, None] | lead)
                x = np.where(decided, x, X0T[level.species])
                XT[level.species] = x
                undecided |= ~decided.all(axis=0)
            if level.multi:
                anc = level.ancestors(e)
                still = np.all(XT[anc] == X0T[anc], axis=0) & ~undecided if anc.size else ~undecided
                members = everyone[still]
                undecided |= ~still
                if members.size:
                    continued[members] = True
                    problem = _BlockProblem(params, tol, atol, level.multi_rows, XT)
                    solver = PseudoTransient(problem, stacklevel=6)
                    x, stats = solver.run(np.ascontiguousarray(XT[level.multi_rows][:, members].T), max_iterations, members)
                    XT[np.ix_(level.multi_rows, members)] = x.T
                    undecided[members[stats["residual"] > 1.0]] = True
                    for name in ("iterations", "rejected"):
                        counters[name] += stats[name]
                    counters["nfev"] += solver.nfev
                    counters["njev"] += solver.njev
    return XT, undecided, counters


STEADY_METHODS = ("auto", "cascade", "pseudo-transient")


def solve_steady_state(
    params: Parameters, x0: np.ndarray, *, tol: float, atol: float, max_iterations: int, method: str
) -> tuple[np.ndarray, dict[str, Any]]:
    """Steady states of a batch, by the cascade, pseudo-transient continuation or both.

    Returns x (batch, n) and counters with ``residual`` (batch,),
    ``converged`` (batch,), ``iterations``, ``rejected``, ``nfev``, ``njev``,
    ``pseudo_time`` (batch,), ``levels``, ``fallback`` (members solved by
    continuation after the cascade could not decide them) and ``by_cascade``
    (batch,): members whose point the cascade's one-species argument alone
    determined (no continuation anywhere), so that the trajectory provably
    tends to it (:func:`rxnn.crn.simulate.steady_state`, Notes).
    """
    B, n = x0.shape
    problem = _FullProblem(params, tol, atol)
    everyone = np.arange(B)
    stats: dict[str, Any] = dict(iterations=0, rejected=0, nfev=0, njev=0, levels=0, fallback=0,
                                 pseudo_time=np.zeros(B), undecided=np.zeros(B, bool), by_cascade=np.zeros(B, bool))
    if method == "pseudo-transient" or n == 0:
        solver = PseudoTransient(problem)
        x, run = solver.run(x0, max_iterations, everyone)
        stats.update(iterations=run["iterations"], rejected=run["rejected"], nfev=solver.nfev, njev=solver.njev,
                     pseudo_time=run["pseudo_time"], residual=run["residual"])
        if n:  # the cascade certifies the members whose limit it determines, where the two points agree
            XT, undecided, counters = cascade(params, np.ascontiguousarray(x0.T), tol, atol, max_iterations)
            xc = XT.T
            scale = np.maximum(np.max(np.abs(x0), axis=1), np.max(np.abs(xc), axis=1))[:, None]
            agree = np.all(np.abs(xc - x) <= 1e-6 * (np.abs(xc) + scale), axis=1)
            certified = ~undecided & ~counters["continued"] & agree & (run["residual"] <= 1.0)
            x[certified] = xc[certified]  # the limit itself (continuation stops within atol of a root at 0)
            stats["by_cascade"] = certified
            stats["residual"] = np.where(certified, _FullProblem(params, tol, atol).residual(x, everyone)[1],
                                         run["residual"])
        return x, stats
    XT, undecided, counters = cascade(params, np.ascontiguousarray(x0.T), tol, atol, max_iterations)
    continued = counters.pop("continued")
    stats.update(counters)
    x = np.ascontiguousarray(XT.T)
    with np.errstate(invalid="ignore", over="ignore"):
        _, res = problem.residual(x, everyone)
    stats["nfev"] += 1
    res = np.where(np.isfinite(res), res, np.inf)
    redo = everyone[undecided | ~(res <= 1.0)]
    stats["by_cascade"] = ~undecided & ~continued & (res <= 1.0)
    if method == "auto" and redo.size:
        solver = PseudoTransient(problem)
        xr, run = solver.run(x0[redo], max_iterations, redo)
        x[redo], res[redo] = xr, run["residual"]
        stats["pseudo_time"][redo] = run["pseudo_time"]
        stats["iterations"] += run["iterations"]
        stats["rejected"] += run["rejected"]
        stats["nfev"] += solver.nfev
        stats["njev"] += solver.njev
        stats["fallback"] = int(redo.size)
    else:
        x[undecided] = x0[undecided]
        res[undecided] = np.inf
        stats["undecided"] = undecided
    stats["residual"] = res
    return x, stats
