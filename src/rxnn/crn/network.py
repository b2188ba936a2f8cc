"""The reaction network value (paper §2 and §5.1).

A :class:`ReactionNetwork` stores its reactions column-wise in two sparse
integer matrices (reactant and product complexes, species x reactions) and a
rate vector, so that networks of millions of reactions build and evaluate
without per-reaction Python work; :class:`~rxnn.crn.model.Reaction` objects
are made only on access.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, overload

import numpy as np
import scipy.sparse as sp

from rxnn._type_error import ArgumentTypeError, IndexOutOfRangeError
from rxnn.crn.model import (
    MAX_COEFFICIENT,
    Complex,
    NetworkError,
    Rate,
    Reaction,
    check_rate,
    check_species_name,
    format_complex,
)

__all__ = ["ReactionNetwork", "NetworkError"]

_MASK64 = (1 << 64) - 1


def _name_weights(names: Sequence[str]) -> np.ndarray:
    """Deterministic 64-bit weights per species name, for hashing complexes by value."""
    out = np.empty(len(names), dtype=np.uint64)
    for i, name in enumerate(names):
        out[i] = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little") | 1
    return out


def _column_hashes(matrix: sp.csc_matrix, weights: np.ndarray) -> np.ndarray:
    """Hash of every column as sum(coef * weight) mod 2**64; equal columns hash equal.

    Signed coefficients (reaction vectors) wrap modulo 2**64 like the sums do.
    """
    products = matrix.data.astype(np.int64).astype(np.uint64) * weights[matrix.indices]
    out = np.zeros(matrix.shape[1], dtype=np.uint64)
    columns = np.repeat(np.arange(matrix.shape[1]), np.diff(matrix.indptr))
    np.add.at(out, columns, products)
    return out


def _canonical_matrix(matrix: Any, n_species: int, n_reactions: int | None, side: str) -> sp.csc_matrix:
    """Coerce a complex matrix to canonical CSC with int64 data, validating Def. 2.1 coefficients.

    ``n_reactions=None`` accepts any number of columns (the reactant matrix fixes it).
    """
    try:
        m = sp.csc_matrix(matrix, copy=True)
    except (TypeError, ValueError, OverflowError) as exc:
        raise NetworkError(
            f"{side} matrix must be a sparse matrix or array of non-negative integers (Def. 2.1); got {exc}"
        ) from None
    if m.dtype.kind not in "biuf":
        raise NetworkError(f"{side} coefficients must be non-negative integers (Def. 2.1); got dtype {m.dtype}")
    if n_reactions is None:
        n_reactions = m.shape[1]
    if m.shape != (n_species, n_reactions):
        raise NetworkError(
            f"{side} matrix must have shape (n_species, n_reactions) = ({n_species}, {n_reactions}); "
            f"got {m.shape}"
        )
    m.sum_duplicates()
    data = m.data
    if not np.issubdtype(data.dtype, np.integer):
        if not np.all(np.isfinite(data)) or not np.all(data == np.round(data)):
            bad = int(np.flatnonzero(~np.isfinite(data) | (data != np.round(data)))[0])
            raise NetworkError(
                f"{side} coefficients must be non-negative integers (Def. 2.1); got {data[bad]!r}"
            )
    if data.size and data.min() < 0:
        raise NetworkError(
            f"{side} coefficients must be non-negative integers (Def. 2.1); got {data.min()!r}"
        )
    if data.size and data.max() > MAX_COEFFICIENT:
        raise NetworkError(
            f"{side} coefficients must be at most MAX_COEFFICIENT = {MAX_COEFFICIENT}; got {data.max()!r}"
        )
    m = sp.csc_matrix((data.astype(np.int64), m.indices.astype(np.int64), m.indptr.astype(np.int64)), shape=m.shape)
    m.eliminate_zeros()
    m.sort_indices()
    return m


class ReactionNetwork:
    """An immutable mass-action reaction network (Def. 2.1, eq. (2)).

    Build one from reactions, from text (:meth:`from_text`) or from arrays
    (:meth:`from_matrices`); every change (:meth:`with_rates`, :meth:`union`,
    :meth:`subnetwork`) returns a new network. Equality is by value: the same
    reactions with the same rates, in any order.

    Parameters
    ----------
    reactions : iterable of Reaction
        The reactions. A reaction listed twice with the same rate appears
        once; the same reaction with two different rates is an error.

    Raises
    ------
    NetworkError
        If a reaction goes from a complex to itself, a coefficient is not a
        non-negative integer, a rate is not positive, or a reaction is listed
        with two different rates.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text('''
    ...     X1 + X2 -> 2X2   # Example 2.2
    ...     X2 -> X1
    ... ''')
    >>> net.species
    ('X1', 'X2')
    >>> net.stoichiometry_matrix().toarray()
    array([[-1,  1],
           [ 1, -1]])
    """

    def __init__(self, reactions: Iterable[Reaction] = ()) -> None:
        reactions = list(reactions)
        for i, r in enumerate(reactions):
            if not isinstance(r, Reaction):
                raise NetworkError(f"reactions[{i}] must be a Reaction; got {type(r).__name__}")
        index: dict[str, int] = {}
        for r in reactions:
            for name in (*r.reactants, *r.products):
                index.setdefault(name, len(index))
        n_s, n_r = len(index), len(reactions)
        matrices = []
        for side in ("reactants", "products"):
            rows, cols, vals = [], [], []
            for j, r in enumerate(reactions):
                for name, coef in getattr(r, side).items():
                    rows.append(index[name])
                    cols.append(j)
                    vals.append(coef)
            matrices.append(sp.csc_matrix((np.array(vals, dtype=np.int64), (rows, cols)), shape=(n_s, n_r)))
        self._init_from(tuple(index), matrices[0], matrices[1], [r.rate for r in reactions], checked=True)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_matrices(
        cls,
        species: Sequence[str],
        reactant_matrix: Any,
        product_matrix: Any,
        rates: Sequence[Rate] | np.ndarray | float = 1.0,
    ) -> ReactionNetwork:
        """Build a network directly from arrays, without per-reaction objects.

        Parameters
        ----------
        species : sequence of str
            Species names, in the order of the matrix rows.
        reactant_matrix, product_matrix : sparse matrix or array of shape (n_species, n_reactions)
            Non-negative integer coefficients of the reactant and product
            complexes; column j is reaction j.
        rates : float, ndarray of shape (n_reactions,) or sequence of float or str
            Rate constants; strings are parameter names.

        Returns
        -------
        ReactionNetwork

        Notes
        -----
        Cost is O(n_species + nnz) in vectorised numpy, so a network of a
        million reactions builds in seconds (``benchmarks/bench_core.py``).
        Species that appear in no reaction are refused (Def. 2.1).
        """
        species = tuple(species)
        n_s = len(species)
        net = cls.__new__(cls)
        try:
            n_r = sp.csc_matrix(reactant_matrix).shape[1]
        except (TypeError, ValueError, OverflowError):
            n_r = _canonical_matrix(reactant_matrix, n_s, None, "reactant").shape[1]  # raises a NetworkError
        if isinstance(rates, str) or np.isscalar(rates):
            rates = [rates] * n_r
        net._init_from(species, reactant_matrix, product_matrix, rates, checked=False, n_species=n_s)
        return net

    def _init_from(self, species, reactants, products, rates, *, checked: bool, n_species: int | None = None) -> None:
        if len(set(species)) != len(species):
            seen: set[str] = set()
            dup = next(s for s in species if s in seen or seen.add(s))
            raise NetworkError(f"species {dup!r} is listed twice")
        if not checked:
            for s in species:
                check_species_name(s)
        n_s = len(species)
        R = _canonical_matrix(reactants, n_s, None, "reactant")
        P = _canonical_matrix(products, n_s, R.shape[1], "product")
        rate_values, rate_names = self._parse_rates(rates, R.shape[1], checked)
        self._species = species
        self._reactants, self._products = R, P
        self._rates, self._rate_names = rate_values, rate_names
        self._check_def_2_1()
        self._drop_duplicates()

    @staticmethod
    def _parse_rates(rates, n_r: int, checked: bool) -> tuple[np.ndarray, tuple[str | None, ...] | None]:
        if isinstance(rates, np.ndarray) and rates.dtype.kind in "fiu":
            values = rates.astype(np.float64).ravel()
            if values.shape != (n_r,):
                raise NetworkError(f"rates must have one entry per reaction ({n_r}); got shape {rates.shape}")
            bad = ~(np.isfinite(values) & (values > 0))
            if bad.any():
                j = int(np.flatnonzero(bad)[0])
                raise NetworkError(f"rate of reaction {j} must be a positive finite number; got {values[j]!r}")
            return values, None
        rates = list(rates)
        if len(rates) != n_r:
            raise NetworkError(f"rates must have one entry per reaction ({n_r}); got {len(rates)}")
        values = np.full(n_r, np.nan)
        names: list[str | None] = [None] * n_r
        for j, rate in enumerate(rates):
            rate = rate if checked else check_rate(rate, f"reaction {j}")
            if isinstance(rate, str):
                names[j] = rate
            else:
                values[j] = rate
        return values, (tuple(names) if any(n is not None for n in names) else None)

    def _check_def_2_1(self) -> None:
        R, P = self._reactants, self._products
        used = np.zeros(len(self._species), dtype=bool)
        used[R.indices] = True
        used[P.indices] = True
        if not used.all():
            unused = [self._species[i] for i in np.flatnonzero(~used)[:10]]
            raise NetworkError(
                f"species {', '.join(unused)} appear in no reaction; Def. 2.1 requires every species "
                "to appear in some complex (drop them from the species list)"
            )
        weights = _name_weights(self._species)
        h_r, h_p = _column_hashes(R, weights), _column_hashes(P, weights)
        for j in np.flatnonzero(h_r == h_p):
            if (R[:, j] != P[:, j]).nnz == 0:
                raise NetworkError(
                    f"reaction {j} ({self._format(j)}) goes from a complex to itself, which Def. 2.1 forbids"
                )
        self.__dict__["_hashes"] = (h_r, h_p)

    def _drop_duplicates(self) -> None:
        """Set semantics: keep the first copy of a repeated reaction; conflicting rates are an error."""
        h_r, h_p = self.__dict__["_hashes"]
        keys = np.stack([h_r, h_p], axis=1)
        if len(keys) < 2:
            return
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        if len(first) == len(keys):
            return
        keep = np.ones(len(keys), dtype=bool)
        for j in np.flatnonzero(first[inverse] != np.arange(len(keys))):
            i = int(first[inverse[j]])
            same = (self._reactants[:, i] != self._reactants[:, j]).nnz == 0 and (
                self._products[:, i] != self._products[:, j]
            ).nnz == 0
            if not same:  # a 64-bit hash collision: astronomically rare, but stay exact
                continue
            if self._rate(i) != self._rate(j):
                raise NetworkError(
                    f"reaction {self._format(i, rate=False)} is given twice with different rates "
                    f"({self._rate(i)!r} and {self._rate(j)!r}); a reaction is one edge with one rate constant"
                )
            keep[j] = False
        if not keep.all():
            self._select(np.flatnonzero(keep))

    def _select(self, columns: np.ndarray) -> None:
        self._reactants = self._reactants[:, columns]
        self._products = self._products[:, columns]
        self._rates = self._rates[columns]
        if self._rate_names is not None:
            names = tuple(self._rate_names[j] for j in columns)
            self._rate_names = names if any(n is not None for n in names) else None
        h_r, h_p = self.__dict__["_hashes"]
        self.__dict__["_hashes"] = (h_r[columns], h_p[columns])

    # ------------------------------------------------------------------ text
    @classmethod
    def from_text(cls, text: str) -> ReactionNetwork:
        """Parse the text syntax (one reaction per line); see :mod:`rxnn.crn.text`."""
        from rxnn.crn.text import parse_network

        return parse_network(text)

    def to_text(self) -> str:
        """Write the network in the text syntax; ``from_text(n.to_text()) == n``.

        The output is canonical: one irreversible reaction per line, in the
        network's reaction order, complexes with species in species order,
        and the rate written only when it is not 1.
        """
        return "".join(self._format(j) + "\n" for j in range(self.n_reactions))

    def to_latex(self) -> str:
        """The reactions as a LaTeX ``align*`` block with rate constants over the arrows."""
        from rxnn.crn.text import network_to_latex

        return network_to_latex(self)

    # ------------------------------------------------------------------ accessors
    @property
    def species(self) -> tuple[str, ...]:
        """Species names, in order of first appearance (a stable order)."""
        return self._species

    @property
    def n_species(self) -> int:
        return len(self._species)

    @property
    def n_reactions(self) -> int:
        return self._reactants.shape[1]

    @property
    def reactions(self) -> _ReactionsView:
        """The reactions as a sequence of :class:`Reaction` objects, made on access."""
        return _ReactionsView(self)

    @cached_property
    def species_index(self) -> Mapping[str, int]:
        """Species name -> row index in the matrices."""
        return {s: i for i, s in enumerate(self._species)}

    @cached_property
    def complexes(self) -> tuple[Complex, ...]:
        """The distinct complexes (vertices of the reaction graph), in order of first appearance."""
        h_r, h_p = self.__dict__["_hashes"]
        both = np.stack([h_r, h_p], axis=1).ravel()
        _, first = np.unique(both, return_index=True)
        out = []
        for k in np.sort(first):
            matrix = self._reactants if k % 2 == 0 else self._products
            out.append(self._complex(matrix, k // 2))
        return tuple(out)

    @property
    def n_complexes(self) -> int:
        return len(self.complexes)

    def reactant_matrix(self) -> sp.csc_matrix:
        """Reactant complexes Y as a sparse int matrix, species x reactions."""
        return self._reactants.copy()

    def product_matrix(self) -> sp.csc_matrix:
        """Product complexes Y' as a sparse int matrix, species x reactions."""
        return self._products.copy()

    def stoichiometry_matrix(self) -> sp.csc_matrix:
        """Reaction vectors Y' - Y as columns: the sparse int matrix N of eq. (2), species x reactions."""
        return self._stoichiometry.copy()

    def reaction_vector(self, j: int) -> np.ndarray:
        """The reaction vector of reaction ``j`` as a dense int vector over :attr:`species`."""
        return self._stoichiometry[:, j].toarray().ravel()

    @cached_property
    def _stoichiometry(self) -> sp.csc_matrix:
        n = (self._products - self._reactants).tocsc()
        n.eliminate_zeros()
        n.sort_indices()
        return n

    @cached_property
    def _dynamic_mask(self) -> np.ndarray:
        mask = np.zeros(self.n_species, dtype=bool)
        mask[self._stoichiometry.indices] = True
        return mask

    @property
    def dynamic_species(self) -> tuple[str, ...]:
        """Species changed by some reaction (Def. 5.1), in species order."""
        return tuple(s for s, d in zip(self._species, self._dynamic_mask) if d)

    @property
    def enzymatic_species(self) -> tuple[str, ...]:
        """Species no reaction changes (Def. 5.1): constant concentrations, parameters of the ODE."""
        return tuple(s for s, d in zip(self._species, self._dynamic_mask) if not d)

    def is_dynamic(self, species: str) -> bool:
        """Whether ``species`` is dynamic (Def. 5.1)."""
        return bool(self._dynamic_mask[self._index_of(species)])

    @property
    def rates(self) -> tuple[Rate, ...]:
        """Rate constants in reaction order: floats, or parameter names where symbolic."""
        return tuple(self._rate(j) for j in range(self.n_reactions))

    def rate_array(self) -> np.ndarray:
        """Numeric rate constants as an array; raises if some rate is still a parameter name."""
        self._require_numeric_rates("rate_array")
        return self._rates.copy()

    @property
    def rate_parameters(self) -> tuple[str, ...]:
        """Names of symbolic rate constants still without values, in order of appearance."""
        if self._rate_names is None:
            return ()
        return tuple(dict.fromkeys(n for n in self._rate_names if n is not None))

    def has_symbolic_rates(self) -> bool:
        return self._rate_names is not None

    def with_rates(self, values: Mapping[str, float] | None = None, /, **kwargs: float) -> ReactionNetwork:
        """Return a copy with values for named rate constants.

        Parameters
        ----------
        values : mapping of str to float, optional
            Parameter name -> positive value; keyword arguments are merged in.

        Raises
        ------
        NetworkError
            If a name is not a rate parameter of the network, or a value is not positive.
        """
        given = {**(values or {}), **kwargs}
        known = set(self.rate_parameters)
        unknown = sorted(set(given) - known)
        if unknown:
            raise NetworkError(
                f"with_rates got values for {', '.join(unknown)}, which are not rate parameters of "
                f"this network (its parameters: {', '.join(sorted(known)) or 'none'})"
            )
        for name, v in given.items():
            check_rate(v if not isinstance(v, str) else float("nan"), f"parameter {name}")
        if not given:
            return self
        names = list(self._rate_names)
        rates = self._rates.copy()
        for j, name in enumerate(names):
            if name in given:
                rates[j] = float(given[name])
                names[j] = None
        return self._replace(rates=rates, rate_names=tuple(names) if any(n is not None for n in names) else None)

    def _require_numeric_rates(self, func: str) -> None:
        missing = self.rate_parameters
        if missing:
            raise NetworkError(
                f"{func} needs numeric rate constants, but {', '.join(missing)} have no value; "
                f"give them with network.with_rates({missing[0]}=...) or rates={{...}}"
            )

    def parameter_names(self) -> tuple[str, ...]:
        """Labels of the parameter vector of Def. 5.3: ``k1..k|R|`` then the enzymatic species."""
        return tuple(f"k{j + 1}" for j in range(self.n_reactions)) + self.enzymatic_species

    def parameter_vector(self, enzymatic: Mapping[str, float]) -> np.ndarray:
        """The parameter vector y of Def. 5.3: rate constants, then enzymatic concentrations.

        Parameters
        ----------
        enzymatic : mapping of str to float
            Concentration of every enzymatic species.

        Returns
        -------
        ndarray of shape (n_reactions + n_enzymatic,)
        """
        self._require_numeric_rates("parameter_vector")
        missing = [s for s in self.enzymatic_species if s not in enzymatic]
        if missing:
            raise NetworkError(f"parameter_vector needs concentrations of enzymatic species {', '.join(missing)}")
        values = [float(enzymatic[s]) for s in self.enzymatic_species]
        return np.concatenate([self._rates, np.asarray(values, dtype=np.float64)])

    # ------------------------------------------------------------------ set operations
    def union(self, *others: ReactionNetwork) -> ReactionNetwork:
        """The union of networks (set semantics on reactions, §5.1 and Step 2 of §5.2).

        Species keep their order of first appearance. An identical reaction
        appears once; the same reaction with two different rates is an error.
        """
        nets = (self, *others)
        for o in others:
            if not isinstance(o, ReactionNetwork):
                raise ArgumentTypeError(f"union needs ReactionNetwork operands; got {type(o).__name__}")
        index: dict[str, int] = {}
        for net in nets:
            for s in net._species:
                index.setdefault(s, len(index))
        blocks_r, blocks_p, rates = [], [], []
        for net in nets:
            remap = np.array([index[s] for s in net._species], dtype=np.int64)
            for mats, m in ((blocks_r, net._reactants), (blocks_p, net._products)):
                coo = m.tocoo()
                mats.append(sp.csc_matrix((coo.data, (remap[coo.row], coo.col)), shape=(len(index), m.shape[1])))
            rates.extend(net.rates)
        out = ReactionNetwork.__new__(ReactionNetwork)
        out._init_from(tuple(index), sp.hstack(blocks_r, format="csc"), sp.hstack(blocks_p, format="csc"), rates, checked=True)
        return out

    def __or__(self, other: ReactionNetwork) -> ReactionNetwork:
        if not isinstance(other, ReactionNetwork):
            return NotImplemented
        return self.union(other)

    def subnetwork(self, reactions: Iterable[int] | Iterable[Reaction] | np.ndarray) -> ReactionNetwork:
        """The subnetwork with the given reactions (indices, a boolean mask or Reaction objects).

        Its species are those the chosen reactions involve (§5.1: S' is a subset of S).
        """
        columns = self._resolve_reactions(reactions)
        R, P = self._reactants[:, columns], self._products[:, columns]
        used = np.zeros(self.n_species, dtype=bool)
        used[R.indices] = True
        used[P.indices] = True
        keep = np.flatnonzero(used)
        rates = [self._rate(int(j)) for j in columns]
        return ReactionNetwork.from_matrices([self._species[i] for i in keep], R[keep], P[keep], rates)

    def _resolve_reactions(self, reactions: Any) -> np.ndarray:
        items = list(reactions) if not isinstance(reactions, np.ndarray) else reactions
        if isinstance(items, np.ndarray) and items.dtype == bool:
            if items.shape != (self.n_reactions,):
                raise NetworkError(f"a reaction mask must have shape ({self.n_reactions},); got {items.shape}")
            return np.flatnonzero(items)
        if len(items) and isinstance(items[0], Reaction):
            lookup = {r.key(): j for j, r in enumerate(self.reactions)}
            out = []
            for r in items:
                j = lookup.get(r.key())
                if j is None or self._rate(j) != r.rate:
                    raise NetworkError(f"reaction {r} is not a reaction of this network")
                out.append(j)
            return np.asarray(out, dtype=np.int64)
        idx = np.asarray(items, dtype=np.int64)
        if idx.size and (idx.min() < -self.n_reactions or idx.max() >= self.n_reactions):
            raise NetworkError(f"reaction indices must be in [0, {self.n_reactions}); got {items}")
        return np.unique(idx % max(self.n_reactions, 1))

    def is_subnetwork_of(self, other: ReactionNetwork, *, compare_rates: bool = False) -> bool:
        """Whether this network is a subnetwork of ``other`` in the sense of §5.1: R' is a subset of R.

        §5.1's relation is graph-level: a reaction is an edge between two
        complexes, whatever its rate constant, so ``A -> B ; 2`` is a
        subnetwork of ``A -> B ; 3``. (S' within S and C' within C follow.)

        Parameters
        ----------
        other : ReactionNetwork
        compare_rates : bool, default False
            Also require each reaction's rate constant to equal the one in
            ``other`` (a stricter, kinetic relation; ``==`` compares networks
            with their rates too).

        Returns
        -------
        bool

        Examples
        --------
        >>> from rxnn import ReactionNetwork
        >>> small = ReactionNetwork.from_text("A -> B ; 2")
        >>> big = ReactionNetwork.from_text("A -> B ; 3\\nB -> C")
        >>> small.is_subnetwork_of(big), small.is_subnetwork_of(big, compare_rates=True)
        (True, False)
        """
        if not isinstance(other, ReactionNetwork):
            raise NetworkError(f"other of is_subnetwork_of must be a ReactionNetwork; got {type(other).__name__}")
        if compare_rates:
            return self._reaction_set() <= other._reaction_set()
        return self._edge_set() <= other._edge_set()

    def _edge_set(self) -> frozenset:
        """The reactions as edges between complexes, rates ignored (§5.1), cached."""
        cached = self.__dict__.get("_eset")
        if cached is None:
            cached = frozenset(r.key() for r in self.reactions)
            self.__dict__["_eset"] = cached
        return cached

    # ------------------------------------------------------------------ ODEs
    def odes(self) -> dict[str, Any]:
        """The mass-action ODEs (eq. (2)) of the dynamic species as sympy expressions.

        Enzymatic species appear as parameters (Def. 5.1, eq. (16)); symbols
        are ``sympy.Symbol(name)`` so names like ``E`` or ``I`` stay symbols.
        Named rate constants stay symbols too.
        """
        from rxnn.crn.symbolic import mass_action_odes

        return mass_action_odes(self)

    # ------------------------------------------------------------------ value semantics
    def _reaction_set(self) -> frozenset:
        cached = self.__dict__.get("_rset")
        if cached is None:
            cached = frozenset((r.key(), r.rate) for r in self.reactions)
            self.__dict__["_rset"] = cached
        return cached

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReactionNetwork):
            return NotImplemented
        if self is other:
            return True
        if self.n_reactions != other.n_reactions or set(self._species) != set(other._species):
            return False
        return self._reaction_set() == other._reaction_set()

    def __hash__(self) -> int:
        return hash(self._reaction_set())

    def __len__(self) -> int:
        return self.n_reactions

    def __repr__(self) -> str:
        return f"<ReactionNetwork: {self.n_species} species, {self.n_reactions} reactions>"

    def __str__(self) -> str:
        if self.n_reactions > 50:
            return repr(self)
        return self.to_text().rstrip("\n")

    # ------------------------------------------------------------------ internals
    def _replace(self, **changes: Any) -> ReactionNetwork:
        out = ReactionNetwork.__new__(ReactionNetwork)
        out._species = changes.get("species", self._species)
        out._reactants = changes.get("reactants", self._reactants)
        out._products = changes.get("products", self._products)
        out._rates = changes.get("rates", self._rates)
        out._rate_names = changes.get("rate_names", self._rate_names)
        out.__dict__["_hashes"] = self.__dict__["_hashes"]
        return out

    def _index_of(self, name: str) -> int:
        try:
            return self.species_index[name]
        except KeyError:
            raise NetworkError(f"{name!r} is not a species of this network") from None

    def _rate(self, j: int) -> Rate:
        if self._rate_names is not None and self._rate_names[j] is not None:
            return self._rate_names[j]
        return float(self._rates[j])

    def _complex(self, matrix: sp.csc_matrix, j: int) -> Complex:
        lo, hi = matrix.indptr[j], matrix.indptr[j + 1]
        return Complex({self._species[i]: int(c) for i, c in zip(matrix.indices[lo:hi], matrix.data[lo:hi])})

    def _reaction(self, j: int) -> Reaction:
        return Reaction(self._complex(self._reactants, j), self._complex(self._products, j), self._rate(j))

    def _format(self, j: int, *, rate: bool = True) -> str:
        from rxnn.crn.model import format_rate

        def side(m: sp.csc_matrix) -> str:
            lo, hi = m.indptr[j], m.indptr[j + 1]
            return format_complex(
                {self._species[i]: int(c) for i, c in zip(m.indices[lo:hi], m.data[lo:hi])}
            )

        text = f"{side(self._reactants)} -> {side(self._products)}"
        r = self._rate(j)
        return f"{text} ; {format_rate(r)}" if rate and r != 1.0 else text

    def _repr_html_(self) -> str:
        """Jupyter's HTML view: a table of the reactions (:func:`rxnn.crn.display.network_html`)."""
        from rxnn.crn.display import network_html

        return network_html(self)

    def _repr_latex_(self) -> str:
        """Jupyter's LaTeX view: the reactions typeset (:func:`rxnn.crn.display.network_latex`)."""
        from rxnn.crn.display import network_latex

        return network_latex(self)


class _ReactionsView(Sequence):
    """A lazy sequence of :class:`Reaction` objects over a network's arrays."""

    __slots__ = ("_net",)

    def __init__(self, net: ReactionNetwork) -> None:
        self._net = net

    def __len__(self) -> int:
        return self._net.n_reactions

    @overload
    def __getitem__(self, j: int) -> Reaction: ...
    @overload
    def __getitem__(self, j: slice) -> list[Reaction]: ...
    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self._net._reaction(k) for k in range(*j.indices(len(self)))]
        n = len(self)
        if not -n <= j < n:
            raise IndexOutOfRangeError(f"reaction index {j} out of range for {n} reactions")
        return self._net._reaction(j % n)

    def __iter__(self) -> Iterator[Reaction]:
        return (self._net._reaction(j) for j in range(len(self)))

    def __repr__(self) -> str:
        return f"<{len(self)} reactions>"
