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

import warnings
from collections.abc import Mapping
from itertools import compress, repeat

import numpy as np
import scipy.sparse as sp

from rxnn.crn._checks import HUGE, ArgumentTypeError, short_repr
from rxnn.crn._matrices import column_hashes
from rxnn.crn.network import NetworkError, ReactionNetwork
from rxnn.errors import InvalidArgumentError, LimitError

__all__ = ["MassActionSystem", "ChannelRates", "EnzymeValues", "parse_initial", "parse_initial_compact"]


def _slots(matrix: sp.csc_matrix, rows: np.ndarray, fill: int) -> np.ndarray:
    """Slot table of shape (n_reactions, max order): species index per unit coefficient, ``fill`` padded."""
    n_r = matrix.shape[1]
    reps = matrix.data
    cols = np.repeat(np.repeat(np.arange(n_r), np.diff(matrix.indptr)), reps)
    species = np.repeat(rows[matrix.indices], reps)
    counts = np.bincount(cols, minlength=n_r)
    width = int(counts.max()) if counts.size else 0
    table = np.full((n_r, width), fill, dtype=np.int64)
    start = np.cumsum(counts) - counts  # (not concatenate([0], ...): that has one entry too many for no reactions)
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
    keys = np.stack([column_hashes(R_dyn, w), column_hashes(N_dyn, w[::-1].copy())], axis=1)
    _, first, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    group = group.ravel()
    rep_of = first[group]
    same = ((R_dyn - R_dyn[:, rep_of]).count_nonzero() == 0) and ((N_dyn - N_dyn[:, rep_of]).count_nonzero() == 0)
    if not same:  # a hash collision: fall back to one channel per reaction
        group, first = np.arange(n_r), np.arange(n_r)
    membership = sp.csc_matrix((np.ones(n_r), (np.arange(n_r), group)), shape=(n_r, first.size))
    return membership, first


class ChannelRates:
    """Channel rate constants over a batch: k(b) = k0 + values[b] @ M (+ rare higher products).

    Made by :meth:`MassActionSystem.channel_rates`; ``channels`` lists the
    channels with a batch-varying part (the columns of M).
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
        self.channel_of_reaction = self._group.tocsr().indices.astype(np.int64) if self._k.size else np.zeros(0, np.int64)
        self._dyn_slots = _slots(R_dyn[:, representative], position, fill=self.n)  # index n = the constant 1
        self.stoichiometry = N_all[:, representative].tocsr()  # (n, channels)
        self._abs_stoichiometry = abs(self.stoichiometry)
        self._build_jacobian_pattern()

    # ------------------------------------------------------------------ parameters
    def effective_rates(self, enzymes: np.ndarray | None) -> np.ndarray:
        """Channel rate constants with enzymatic factors absorbed, shape (batch or 1, n_channels).

        Enzymes that take the same value in every batch member are folded
        once; the rest enter through :meth:`channel_rates`, so no array of
        shape (batch, n_reactions) is formed.
        """
        if self._enz_slots.shape[1] == 0 or enzymes is None:
            e = np.ones((1, self.n_enzymatic))
        else:
            e = np.atleast_2d(np.asarray(enzymes, dtype=np.float64))
        if e.shape[0] > 1:
            columns = np.flatnonzero(np.any(e != e[:1], axis=0))
        else:
            columns = np.zeros(0, dtype=np.int64)
        return self.channel_rates(e[0], columns, e[:, columns]).dense()

    def channel_rates(self, row: np.ndarray, columns: np.ndarray, values: np.ndarray) -> ChannelRates:
        """The linear structure of the channel rate constants over a batch.

        Parameters
        ----------
        row : ndarray of shape (n_enzymatic,)
            Enzymatic concentrations (the batch-constant ones; entries at
            ``columns`` are ignored).
        columns : ndarray of int, shape (n_var,)
            Enzymatic species whose concentration differs over the batch.
        values : ndarray of shape (batch, n_var)
            Their concentrations.

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
        """
        m = self.n_enzymatic
        e1 = np.append(np.asarray(row, dtype=np.float64), 1.0)  # index m is the padding: factor 1
        slots = self._enz_slots
        columns = np.asarray(columns, dtype=np.int64)
        values = np.asarray(values, dtype=np.float64)
        values = values.reshape(values.shape[0] if values.ndim == 2 else 1, columns.size)
        chan = self.channel_of_reaction
        if columns.size == 0 or slots.shape[1] == 0:
            factor = self._k * np.prod(e1[slots], axis=1) if slots.shape[1] else self._k
            k0 = np.bincount(chan, weights=factor, minlength=self.n_channels).astype(np.float64)
            return ChannelRates(k0, np.zeros(0, np.int64), np.zeros((0, 0)), None, np.zeros((values.shape[0], 0)))
        position = np.full(m + 1, -1, dtype=np.int64)
        position[columns] = np.arange(columns.size)
        varying = position[slots] >= 0
        n_var = varying.sum(axis=1)
        factor = self._k * np.prod(np.where(varying, 1.0, e1[slots]), axis=1)
        plain = n_var == 0
        k0 = np.bincount(chan[plain], weights=factor[plain], minlength=self.n_channels).astype(np.float64)
        touched = np.flatnonzero(~plain)
        present = np.zeros(self.n_channels, dtype=bool)
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
        raise ArgumentTypeError(
            f"initial of {func} must be a mapping of species name to concentration; got {type(initial).__name__}"
        )
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
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # numpy's overflow to inf on huge ints becomes the error below
                arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError, OverflowError, RuntimeWarning):
            raise InvalidArgumentError(
                f"initial[{name!r}] of {func} must be a number or a 1-D array of numbers below 1.8e308; got {short_repr(v)}"
            ) from None
        if arr.ndim > 1:
            raise InvalidArgumentError(
                f"initial[{name!r}] of {func} must be a scalar or a 1-D array over the batch; got shape {arr.shape}"
            )
        if arr.ndim == 1 and arr.size == 0:
            raise InvalidArgumentError(
                f"initial[{name!r}] of {func} must be a scalar or a non-empty 1-D array over the batch; got an empty array"
            )
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            pos = np.flatnonzero(np.atleast_1d(bad))[0]
            got = float(np.atleast_1d(arr)[pos])
            where = f" at batch index {pos}" if arr.ndim else ""
            raise InvalidArgumentError(
                f"initial[{name!r}] of {func} must be a finite concentration >= 0; got {got!r}{where}"
            )
        if arr.size and arr.max() > HUGE:
            raise LimitError(
                f"initial[{name!r}] of {func} must be at most {HUGE:g} (mass-action rates of such values overflow "
                f"float64); got {float(arr.max()):.3g}: rescale the concentration unit"
            )
        if arr.ndim == 1:
            if batch is not None and arr.shape[0] != batch:
                raise InvalidArgumentError(
                    f"initial of {func}: batch lengths differ ({batch} and {arr.shape[0]} for {name!r}); "
                    "give every array the same length"
                )
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


class EnzymeValues:
    """Enzymatic concentrations over a batch, stored as one row plus the columns that vary.

    Behaves like a read-only array of shape (batch, n_enzymatic) for the
    indexing the result objects use (``values[:, j]``) and materialises with
    ``np.asarray``; the compiled networks of §5.2 have tens of thousands of
    enzymatic species of which only the inputs differ between batch members.

    Attributes
    ----------
    row : ndarray of shape (n_enzymatic,)
        Every enzyme's value (for a varying one, its value in member 0).
    columns : ndarray of int, shape (n_var,)
        The enzymes given as arrays over the batch, sorted.
    values : ndarray of shape (batch, n_var)
    """

    __slots__ = ("row", "columns", "values")

    def __init__(self, row: np.ndarray, columns: np.ndarray, values: np.ndarray) -> None:
        self.row, self.columns, self.values = row, columns, values

    @property
    def shape(self) -> tuple[int, int]:
        return (self.values.shape[0], self.row.size)

    @property
    def ndim(self) -> int:
        return 2

    @property
    def dtype(self) -> np.dtype:
        return self.row.dtype

    def __len__(self) -> int:
        return self.values.shape[0]

    def column(self, j: int) -> np.ndarray:
        """Values of enzyme ``j`` over the batch, shape (batch,)."""
        k = int(np.searchsorted(self.columns, j))
        if k < self.columns.size and self.columns[k] == j:
            return self.values[:, k].copy()
        return np.full(self.values.shape[0], self.row[j])

    def take(self, members: np.ndarray) -> EnzymeValues:
        """The batch members ``members``."""
        return EnzymeValues(self.row, self.columns, self.values[members])

    def __getitem__(self, key: object) -> np.ndarray:
        if (
            isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], slice) and key[0] == slice(None)
            and isinstance(key[1], (int, np.integer))
        ):
            j = int(key[1]) % max(self.row.size, 1)
            return self.column(j)
        return np.asarray(self)[key]

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        out = np.broadcast_to(self.row, self.shape).copy()
        out[:, self.columns] = self.values
        return out if dtype is None else out.astype(dtype)

    def reshape(self, *shape: object) -> np.ndarray:
        return np.asarray(self).reshape(*shape)


def parse_initial_compact(
    network: ReactionNetwork,
    initial: Mapping[str, object],
    func: str,
    dynamic_mask: np.ndarray,
    position: np.ndarray,
    cache: dict | None = None,
) -> tuple[np.ndarray, EnzymeValues, bool]:
    """:func:`parse_initial` without forming a (batch, n_enzymatic) array.

    Parameters
    ----------
    network : ReactionNetwork
    initial : mapping of str to float or 1-D array
    func : str
        The public function, for error messages.
    dynamic_mask : ndarray of bool, shape (n_species,)
    position : ndarray of int, shape (n_species,)
        Each species' index among the dynamic or among the enzymatic species.
    cache : dict, optional
        Remembers the species indices of the last list of names, so that a
        mapping built the same way again skips the name lookups.

    Returns
    -------
    x0 : ndarray of shape (batch, n_dynamic)
    enzymes : EnzymeValues
    batched : bool

    Notes
    -----
    Scalars (Python or numpy floats) are checked in one vectorised pass;
    anything unusual (an unknown name, a bad value, other types) is handed to
    :func:`parse_initial`, so the errors are exactly its errors. Cost is a
    few C-level passes over the mapping: about 5 ms for the 64,000 species of
    the compiled 784-40-10 network.
    """
    n_dyn = int(np.count_nonzero(dynamic_mask))
    n_enz = dynamic_mask.size - n_dyn

    def slow() -> tuple[np.ndarray, EnzymeValues, bool]:
        dyn = tuple(s for s, d in zip(network.species, dynamic_mask) if d)
        enz = tuple(s for s, d in zip(network.species, dynamic_mask) if not d)
        x0, e, batched = parse_initial(network, initial, func, dyn, enz)
        varying = np.flatnonzero(np.any(e != e[:1], axis=0)) if e.shape[0] > 1 else np.zeros(0, np.int64)
        return x0, EnzymeValues(e[0].copy(), varying, e[:, varying].copy()), batched

    if not isinstance(initial, Mapping):
        return slow()
    names = list(initial)
    values = list(initial.values())
    if cache is not None and cache.get("names") == names:
        idx = cache["idx"]
    else:
        index = network.species_index
        try:
            idx = np.fromiter(map(index.__getitem__, names), np.int64, len(names))
        except (KeyError, TypeError):
            return slow()
        if cache is not None:
            cache["names"], cache["idx"] = names, idx
    scalar, s_val = _scalars(values, cache)
    s_idx = idx[scalar]
    # One max and one min per array: NaN fails the comparison, inf and values past HUGE exceed it.
    if s_val.size and not (s_val.max() <= HUGE and s_val.min() >= 0):
        return slow()
    o_pos = np.flatnonzero(~scalar)
    o_idx = idx[o_pos]
    b = 1
    batch: int | None = None
    if o_pos.size:
        try:
            stacked_all = np.array([values[k] for k in o_pos], dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            return slow()  # ragged batch lengths, nested arrays, non-numbers: parse_initial says which
        if stacked_all.ndim > 2 or (stacked_all.ndim == 2 and stacked_all.shape[1] == 0) or (
            stacked_all.size and not (stacked_all.max() <= HUGE and stacked_all.min() >= 0)
        ):
            return slow()
        if stacked_all.ndim == 2:
            batch = b = stacked_all.shape[1]
    x0 = np.zeros((b, n_dyn))
    row = np.zeros(n_enz)
    is_dyn = dynamic_mask[s_idx]
    x0[:, position[s_idx[is_dyn]]] = s_val[is_dyn]
    row[position[s_idx[~is_dyn]]] = s_val[~is_dyn]
    columns = np.zeros(0, dtype=np.int64)
    stacked = np.zeros((b, 0))
    if o_pos.size:
        o_dyn = dynamic_mask[o_idx]
        if stacked_all.ndim == 1:  # 0-d arrays
            x0[:, position[o_idx[o_dyn]]] = stacked_all[o_dyn]
            row[position[o_idx[~o_dyn]]] = stacked_all[~o_dyn]
        else:
            x0[:, position[o_idx[o_dyn]]] = stacked_all[o_dyn].T
            columns = position[o_idx[~o_dyn]]
            order = np.argsort(columns, kind="stable")
            columns = columns[order]
            stacked = stacked_all[~o_dyn][order].T
            row[columns] = stacked[0]
    return x0, EnzymeValues(row, columns, stacked), batch is not None


def _scalars(values: list, cache: dict | None) -> tuple[np.ndarray, np.ndarray]:
    """Which values are Python/numpy floats, and those values as an array.

    With a cache from a mapping of the same names, the previous pattern is
    tried first (one pass instead of two); any surprise redoes the full check.
    """
    if cache is not None and "scalar" in cache and len(cache["scalar"]) == len(values):
        scalar, listed, others = cache["scalar"], cache["scalar_list"], cache["others"]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                s_val = np.fromiter(compress(values, listed), np.float64, int(cache["n_scalar"]))
            if not any(isinstance(values[k], float) for k in others):
                return scalar, s_val
        except (TypeError, ValueError, OverflowError, Warning):
            pass
    scalar = np.fromiter(map(isinstance, values, repeat(float)), bool, len(values))
    listed = scalar.tolist()
    s_val = np.fromiter(compress(values, listed), np.float64, int(np.count_nonzero(scalar)))
    if cache is not None:
        cache.update(scalar=scalar, scalar_list=listed, others=np.flatnonzero(~scalar), n_scalar=s_val.size)
    return scalar, s_val
