"""The reaction network value (paper §2 and §5.1).

A :class:`ReactionNetwork` stores its reactions column-wise in two sparse
integer matrices (reactant and product complexes, species x reactions) and a
rate vector, so that networks of millions of reactions build and evaluate
without per-reaction Python work; :class:`~rxnn.crn.model.Reaction` objects
are made only on access.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn._deprecation import CallableTuple
from rxnn.crn import _network_ops
from rxnn.crn._array_views import ArrayViews
from rxnn.crn._matrices import (
    canonical_matrix,
    complex_hashes,
    duplicate_columns,
    first_complexes,
    matrices_from_reactions,
    parse_rates,
    with_values,
)
from rxnn.crn._reactions_view import ReactionsView, complex_of, format_reaction
from rxnn.crn.model import Complex, NetworkError, Rate, Reaction, check_species_name

__all__ = ["ReactionNetwork", "NetworkError"]

class ReactionNetwork(ArrayViews):
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
        species, reactants, products, rates = matrices_from_reactions(reactions)
        self._init_from(species, reactants, products, rates, checked=True)

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
            n_r = canonical_matrix(reactant_matrix, n_s, None, "reactant").shape[1]  # raises a NetworkError
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
        R = canonical_matrix(reactants, n_s, None, "reactant")
        P = canonical_matrix(products, n_s, R.shape[1], "product")
        rate_values, rate_names = parse_rates(rates, R.shape[1], checked)
        self._species = species
        self._reactants, self._products = R, P
        self._rates, self._rate_names = rate_values, rate_names
        self.__dict__["_hashes"] = complex_hashes(species, R, P, self._format)
        keep = duplicate_columns(R, P, self.__dict__["_hashes"], self._rate, lambda j: self._format(j, rate=False))
        if keep is not None:
            self._select(keep)

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
    def reactions(self) -> ReactionsView:
        """The reactions as a sequence of :class:`Reaction` objects, made on access."""
        return ReactionsView(self.n_reactions, self._reaction)

    @cached_property
    def species_index(self) -> Mapping[str, int]:
        """Species name -> row index in the matrices."""
        return {s: i for i, s in enumerate(self._species)}

    @cached_property
    def complexes(self) -> tuple[Complex, ...]:
        """The distinct complexes (vertices of the reaction graph), in order of first appearance."""
        R, P = self._reactants, self._products
        return tuple(complex_of(self._species, P if k % 2 else R, k // 2) for k in first_complexes(self.__dict__["_hashes"]))

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
        rates, names = with_values(self._rates, self._rate_names or (), given, self.rate_parameters)
        return self._replace(rates=rates, rate_names=names) if given else self

    def _require_numeric_rates(self, func: str) -> None:
        missing = self.rate_parameters
        if missing:
            raise NetworkError(
                f"{func} needs numeric rate constants, but {', '.join(missing)} have no value; "
                f"give them with network.with_rates({missing[0]}=...) or rates={{...}}"
            )

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Labels of the parameter vector of Def. 5.3: ``k1..k|R|`` then the enzymatic species.

        A property, like :attr:`rate_parameters` (``parameter_names()``, the old method call, still
        works and warns).

        Examples
        --------
        >>> ReactionNetwork.from_text("A + E -> B + E").parameter_names
        ('k1', 'E')
        """
        return CallableTuple(tuple(f"k{j + 1}" for j in range(self.n_reactions)) + self.enzymatic_species,
                             "parameter_names")

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
        return _network_ops.union((self, *others))

    def __or__(self, other: ReactionNetwork) -> ReactionNetwork:
        if not isinstance(other, ReactionNetwork):
            return NotImplemented
        return self.union(other)

    def subnetwork(self, reactions: Iterable[int] | Iterable[Reaction] | np.ndarray) -> ReactionNetwork:
        """The subnetwork with the given reactions (indices, a boolean mask or Reaction objects).

        Its species are those the chosen reactions involve (§5.1: S' is a subset of S).
        """
        return _network_ops.subnetwork(self, reactions)

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

    def _reaction(self, j: int) -> Reaction:
        return Reaction(complex_of(self._species, self._reactants, j), complex_of(self._species, self._products, j),
                        self._rate(j))

    def _format(self, j: int, *, rate: bool = True) -> str:
        return format_reaction(self._species, self._reactants, self._products, self._rate(j), j, with_rate=rate)

    def _repr_html_(self) -> str:
        """Jupyter's HTML view: a table of the reactions (:func:`rxnn.crn.display.network_html`)."""
        from rxnn.crn.display import network_html

        return network_html(self)

    def _repr_latex_(self) -> str:
        """Jupyter's LaTeX view: the reactions typeset (:func:`rxnn.crn.display.network_latex`)."""
        from rxnn.crn.display import network_latex

        return network_latex(self)
