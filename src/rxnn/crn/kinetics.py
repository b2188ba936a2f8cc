"""Numeric mass-action kinetics: right-hand side and sparse Jacobian, batched.

The enzymatic species (Def. 5.1) are constant, so their factors are folded
into effective rate constants (the "absorbed" form of §5.1); only the dynamic
factors of each monomial are multiplied per evaluation. Every reactant is
expanded into one *slot* per unit of its coefficient (``2X`` gives two slots
on ``X``), so a monomial is a product over at most ``max order`` slots and its
derivative with respect to slot k is the product of the others. All work is
vectorised over reactions and over the batch; nothing loops over reactions in
Python.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from rxnn.crn.network import NetworkError, ReactionNetwork

__all__ = ["MassActionSystem"]


def _slots(matrix: sp.csc_matrix, rows: np.ndarray, fill: int) -> np.ndarray:
    """Slot table of shape (n_reactions, max order): species index per unit coefficient, ``fill`` padded."""
    n_r = matrix.shape[1]
    reps = matrix.data
    cols = np.repeat(np.repeat(np.arange(n_r), np.diff(matrix.indptr)), reps)
    species = np.repeat(rows[matrix.indices], reps)
    counts = np.bincount(cols, minlength=n_r)
    width = int(counts.max()) if counts.size else 0
    table = np.full((n_r, width), fill, dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    position = np.arange(cols.size) - np.repeat(start, counts)
    table[cols, position] = species
    return table


def _group_channels(R_dyn: sp.csc_matrix, N_dyn: sp.csc_matrix) -> tuple[sp.csc_matrix, np.ndarray]:
    """Group reactions with equal dynamic reactant complex and equal net change.

    Returns the (n_reactions, n_channels) 0/1 membership matrix and one
    representative reaction per channel. Grouping uses 64-bit hashes of the
    two columns, then checks every member against its representative exactly.
    """
    n_r = R_dyn.shape[1]
    if n_r == 0:
        return sp.csc_matrix((0, 0)), np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(20210519)
    w = rng.integers(1, 2**63, size=R_dyn.shape[0], dtype=np.uint64) | np.uint64(1)
    keys = np.stack([_hash_columns(R_dyn, w), _hash_columns(N_dyn, w[::-1].copy())], axis=1)
    _, first, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    group = group.ravel()
    rep_of = first[group]
    same = ((R_dyn - R_dyn[:, rep_of]).count_nonzero() == 0) and ((N_dyn - N_dyn[:, rep_of]).count_nonzero() == 0)
    if not same:  # a hash collision: fall back to one channel per reaction
        group, first = np.arange(n_r), np.arange(n_r)
    membership = sp.csc_matrix((np.ones(n_r), (np.arange(n_r), group)), shape=(n_r, first.size))
    return membership, first


def _hash_columns(matrix: sp.csc_matrix, weights: np.ndarray) -> np.ndarray:
    values = matrix.data.astype(np.int64).astype(np.uint64) * weights[matrix.indices]
    out = np.zeros(matrix.shape[1], dtype=np.uint64)
    np.add.at(out, np.repeat(np.arange(matrix.shape[1]), np.diff(matrix.indptr)), values)
    return out


class MassActionSystem:
    """The mass-action ODE dx/dt = N lambda(x) of eq. (2), compiled to arrays.

    Parameters
    ----------
    network : ReactionNetwork
    rates : mapping of str to float, optional
        Values for the network's named rate constants.

    Attributes
    ----------
    dynamic_species, enzymatic_species : tuple of str
        The state variables (in this order) and the constant parameters.

    Notes
    -----
    One evaluation costs O(batch x (n_channels x max order + nnz(N))), where
    channels are reactions grouped by dynamic reactant complex and net change. The
    Jacobian has a fixed sparsity pattern; its values for a batch are one
    sparse-matrix product, returned as a block-diagonal matrix over the batch.
    """

    def __init__(self, network: ReactionNetwork, rates: Mapping[str, float] | None = None) -> None:
        if rates:
            network = network.with_rates(rates)
        network._require_numeric_rates("simulation")
        self.network = network
        dyn = network._dynamic_mask
        self.dynamic_species = network.dynamic_species
        self.enzymatic_species = network.enzymatic_species
        self.n = len(self.dynamic_species)
        self.n_enzymatic = len(self.enzymatic_species)
        # Position of each species among the dynamic or the enzymatic ones.
        position = np.empty(network.n_species, dtype=np.int64)
        position[dyn] = np.arange(self.n)
        position[~dyn] = np.arange(self.n_enzymatic)
        R = network._reactants
        is_dyn_entry = dyn[R.indices]
        # Copies: eliminate_zeros works in place and must not touch the network's arrays.
        R_dyn = sp.csc_matrix((R.data * is_dyn_entry, R.indices.copy(), R.indptr.copy()), shape=R.shape)
        R_enz = sp.csc_matrix((R.data * ~is_dyn_entry, R.indices.copy(), R.indptr.copy()), shape=R.shape)
        R_dyn.eliminate_zeros()
        R_enz.eliminate_zeros()
        self._enz_slots = _slots(R_enz, position, fill=self.n_enzymatic)
        self._k = network._rates
        N_all = network._stoichiometry.tocsr()[np.flatnonzero(dyn)].tocsc()  # (n, R)
        # Reactions with the same dynamic reactant complex and the same net change
        # have rates that differ only by constant factors: one channel each, with
        # the summed effective constant. Exact, and for the compiled networks it
        # turns the c_{l-1} edge reactions of a node fed by inputs into one.
        self._group, representative = _group_channels(R_dyn, N_all)
        self.n_channels = representative.size
        self._dyn_slots = _slots(R_dyn[:, representative], position, fill=self.n)  # index n = the constant 1
        self.stoichiometry = N_all[:, representative].tocsr()  # (n, channels)
        self._abs_stoichiometry = abs(self.stoichiometry)
        self._build_jacobian_pattern()

    # ------------------------------------------------------------------ parameters
    def effective_rates(self, enzymes: np.ndarray | None) -> np.ndarray:
        """Channel rate constants with enzymatic factors absorbed, shape (batch or 1, n_channels).

        The per-reaction products are formed in chunks of the batch so that
        memory stays bounded (about 8e6 numbers at a time).
        """
        if self._enz_slots.shape[1] == 0 or enzymes is None:
            e = np.ones((1, self.n_enzymatic))
        else:
            e = np.atleast_2d(np.asarray(enzymes, dtype=np.float64))
        n_r = self._k.size
        chunk = max(1, int(8e6 // max(n_r, 1)))
        out = np.empty((e.shape[0], self.n_channels))
        for lo in range(0, e.shape[0], chunk):
            e1 = np.concatenate([e[lo:lo + chunk], np.ones((min(chunk, e.shape[0] - lo), 1))], axis=1)
            k = np.broadcast_to(self._k, (e1.shape[0], n_r)).copy()
            for col in self._enz_slots.T:
                k *= e1[:, col]
            out[lo:lo + chunk] = (self._group.T @ k.T).T
        return out

    # ------------------------------------------------------------------ evaluation
    def _monomial_factors(self, x: np.ndarray) -> np.ndarray:
        """Dynamic slot values, shape (slots, batch, n_channels)."""
        x1 = np.concatenate([x, np.ones((x.shape[0], 1))], axis=1)
        return np.stack([x1[:, col] for col in self._dyn_slots.T]) if self._dyn_slots.shape[1] else np.ones(
            (0, x.shape[0], self._dyn_slots.shape[0])
        )

    def reaction_rates(self, x: np.ndarray, k_eff: np.ndarray) -> np.ndarray:
        """Channel rates lambda_c(x) = k_c prod x_i^{Y_ci} (eq. (2)), shape (batch, n_channels)."""
        x = np.atleast_2d(x)
        x1 = np.concatenate([x, np.ones((x.shape[0], 1))], axis=1)  # column n is the constant 1
        lam = np.broadcast_to(k_eff, (x.shape[0], k_eff.shape[1])).copy()
        for col in self._dyn_slots.T:
            lam *= x1[:, col]
        return lam

    def rhs(self, x: np.ndarray, k_eff: np.ndarray) -> np.ndarray:
        """dx/dt for one state (n,) or a batch (batch, n)."""
        single = np.ndim(x) == 1
        lam = self.reaction_rates(x, k_eff)
        out = (self.stoichiometry @ lam.T).T
        return out[0] if single else out

    def gross_flux(self, x: np.ndarray, k_eff: np.ndarray) -> np.ndarray:
        """Total production plus consumption per species, |N| lambda: the scale of the residual."""
        single = np.ndim(x) == 1
        out = (self._abs_stoichiometry @ self.reaction_rates(x, k_eff).T).T
        return out[0] if single else out

    def _build_jacobian_pattern(self) -> None:
        n_r, width = self._dyn_slots.shape
        # Entries of d lambda / dx: one per (reaction, slot) on a dynamic species.
        r_idx = np.repeat(np.arange(n_r), width)
        s_idx = self._dyn_slots.ravel()
        real = s_idx < self.n
        self._dl_rows, self._dl_cols = r_idx[real], s_idx[real]
        self._dl_slot = np.tile(np.arange(width), n_r)[real]
        # J = N @ dlambda: every (i, r) of N meets every (r, j) of dlambda.
        Nc = self.stoichiometry.tocsc()
        per_r = np.diff(Nc.indptr)[self._dl_rows]
        entry = np.repeat(np.arange(self._dl_rows.size), per_r)
        starts = Nc.indptr[self._dl_rows]
        offsets = np.arange(entry.size) - np.repeat(np.cumsum(per_r) - per_r, per_r)
        nz = np.repeat(starts, per_r) + offsets
        rows, cols, vals = Nc.indices[nz], self._dl_cols[entry], Nc.data[nz].astype(np.float64)
        pattern = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(self.n, self.n))
        pattern.sum_duplicates()
        pattern.sort_indices()
        self._jac_indptr, self._jac_indices = pattern.indptr, pattern.indices
        # Position of each (row, col) term inside the pattern's data array.
        key = rows.astype(np.int64) * max(self.n, 1) + cols
        pattern_rows = np.repeat(np.arange(self.n), np.diff(pattern.indptr))
        pattern_key = pattern_rows.astype(np.int64) * max(self.n, 1) + pattern.indices
        where = np.searchsorted(pattern_key, key)
        self._jac_map = sp.csr_matrix(
            (vals, (entry, where)), shape=(self._dl_rows.size, pattern.nnz)
        )  # dlambda values (batch, n_dl) @ map -> J values (batch, nnz)

    def jacobian(self, x: np.ndarray, k_eff: np.ndarray) -> sp.csr_matrix:
        """Sparse Jacobian df/dx: (n, n) for one state, block-diagonal (batch*n, batch*n) for a batch."""
        single = np.ndim(x) == 1
        x = np.atleast_2d(x)
        batch = x.shape[0]
        width = self._dyn_slots.shape[1]
        factors = self._monomial_factors(x)  # (width, batch, n_r)
        k = np.broadcast_to(k_eff, (batch, k_eff.shape[1]))
        dl = np.empty((batch, self._dl_rows.size))
        for s in range(width):
            sel = self._dl_slot == s
            others = [factors[m][:, self._dl_rows[sel]] for m in range(width) if m != s]
            value = k[:, self._dl_rows[sel]].copy()
            for o in others:
                value *= o
            dl[:, sel] = value
        data = np.asarray((self._jac_map.T @ dl.T).T)  # (batch, nnz)
        nnz = self._jac_indices.size
        if single:
            return sp.csr_matrix((data[0], self._jac_indices, self._jac_indptr), shape=(self.n, self.n))
        indptr = (self._jac_indptr[None, :-1] + nnz * np.arange(batch)[:, None]).ravel()
        indptr = np.append(indptr, nnz * batch)
        indices = (self._jac_indices[None, :] + self.n * np.arange(batch)[:, None]).ravel()
        return sp.csr_matrix((data.ravel(), indices, indptr), shape=(batch * self.n, batch * self.n))

    # ------------------------------------------------------------------ state helpers
    def split_initial(self, initial: Mapping[str, object], func: str) -> tuple[np.ndarray, np.ndarray | None, bool]:
        """Parse an ``initial`` mapping into dynamic states (batch, n), enzyme values and a batch flag.

        Species not named start at 0. Values are scalars or 1-D arrays over a
        common batch. Raises a ValueError naming the species for unknown names,
        negative or non-finite concentrations, or mismatched batch lengths.
        """
        return parse_initial(self.network, initial, func, self.dynamic_species, self.enzymatic_species)


def parse_initial(
    network: ReactionNetwork,
    initial: Mapping[str, object],
    func: str,
    dynamic: tuple[str, ...],
    enzymatic: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate ``initial`` (see :meth:`MassActionSystem.split_initial`)."""
    if not isinstance(initial, Mapping):
        raise TypeError(f"initial of {func} must be a mapping of species name to concentration; got {type(initial).__name__}")
    index = network.species_index
    unknown = [s for s in initial if s not in index]
    if unknown:
        raise NetworkError(
            f"initial of {func} names {', '.join(map(repr, unknown))}, which "
            f"{'is not a species' if len(unknown) == 1 else 'are not species'} of the network "
            f"(species: {', '.join(network.species[:12])}{', ...' if network.n_species > 12 else ''})"
        )
    batch: int | None = None
    values: dict[str, np.ndarray] = {}
    for name, v in initial.items():
        try:
            arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"initial[{name!r}] of {func} must be a number or a 1-D array of numbers; got {v!r}") from None
        if arr.ndim > 1:
            raise ValueError(f"initial[{name!r}] of {func} must be a scalar or a 1-D array over the batch; got shape {arr.shape}")
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            pos = np.flatnonzero(np.atleast_1d(bad))[0]
            got = float(np.atleast_1d(arr)[pos])
            where = f" at batch index {pos}" if arr.ndim else ""
            raise ValueError(
                f"initial[{name!r}] of {func} must be a finite concentration >= 0; got {got!r}{where}"
            )
        if arr.ndim == 1:
            if batch is not None and arr.shape[0] != batch:
                raise ValueError(f"initial of {func}: batch lengths differ ({batch} and {arr.shape[0]} for {name!r})")
            batch = arr.shape[0]
        values[name] = arr
    b = batch or 1

    def stack(names: tuple[str, ...]) -> np.ndarray:
        out = np.zeros((b, len(names)))
        for j, s in enumerate(names):
            if s in values:
                out[:, j] = values[s]
        return out

    return stack(dynamic), stack(enzymatic), batch is not None
