"""Complexes and reactions: the small per-item values a network hands out.

A :class:`~rxnn.crn.network.ReactionNetwork` stores its reactions in arrays;
the objects here are built on access, for inspection and for building small
networks by hand (Def. 2.1 of the paper).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from types import MappingProxyType
from typing import Union

import numpy as np

from rxnn.errors import RxnnError

#: Species names: a letter, then letters, digits, ``_`` or ``'`` (the text syntax).
SPECIES_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_']*\Z")
#: Rate parameter names (``k1``, ``kappa_2``): identifiers without primes.
PARAMETER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
#: Largest stoichiometric coefficient of any complex, shared by the text syntax, JSON and SBML
#: readers and by the network constructors: real networks stay below 10 (the paper's below 3), and
#: a mass-action term x**c with c above this is never meant (``1000000000X`` would exhaust memory).
MAX_COEFFICIENT = 10**6

Rate = Union[float, str]


class NetworkError(RxnnError, ValueError):
    """A reaction network violates Def. 2.1 or is otherwise malformed.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> try:
    ...     ReactionNetwork.from_text("A -> B").with_rates(k=2.0)
    ... except NetworkError as exc:
    ...     print(exc)
    with_rates got values for k, which are not rate parameters of this network (its parameters: none)
    """


def check_species_name(name: object) -> str:
    """Return ``name`` if it is a valid species name, else raise :class:`NetworkError`.

    Examples
    --------
    >>> check_species_name("X1_p")
    'X1_p'
    >>> try:
    ...     check_species_name("1X")
    ... except NetworkError as exc:
    ...     print(str(exc)[:40])
    species name '1X' is invalid: a name sta
    """
    if not isinstance(name, str) or not SPECIES_NAME.match(name):
        raise NetworkError(
            f"species name {name!r} is invalid: a name starts with a letter and contains "
            "only letters, digits, '_' and \"'\" (for example X1, W_p, X')"
        )
    return name


def check_rate(rate: object, where: str) -> Rate:
    """Validate one rate constant: a positive finite number or a parameter name.

    Examples
    --------
    >>> check_rate(0.5, "reaction 0"), check_rate("k1", "reaction 1")
    (0.5, 'k1')
    >>> try:
    ...     check_rate(-1, "reaction 2")
    ... except NetworkError as exc:
    ...     print(str(exc)[:56])
    rate of reaction 2 must be a positive finite number or a
    """
    if isinstance(rate, str):
        if not PARAMETER_NAME.match(rate):
            raise NetworkError(
                f"rate of {where} must be a positive number or a parameter name "
                f"(letters, digits, '_', starting with a letter); got {rate!r}"
            )
        return rate
    try:
        value = float(rate) if isinstance(rate, Real) and not isinstance(rate, bool) else math.nan
    except OverflowError:  # an int beyond the float range, e.g. 10**400
        value = math.inf
    if not math.isfinite(value) or value <= 0:
        raise NetworkError(
            f"rate of {where} must be a positive finite number or a parameter name; got {_short(rate)}"
        )
    return value


def _short(value: object) -> str:
    """``repr(value)``, shortened for a message when it is long (a 400-digit integer)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:16]}... ({len(text)} characters)"


@dataclass(frozen=True)
class Complex:
    """A complex: a non-negative integer combination of species (Def. 2.1).

    Parameters
    ----------
    counts : mapping of str to int
        Species name to stoichiometric coefficient; zero entries are dropped.
        The empty mapping is the empty complex ``0``.

    Examples
    --------
    >>> str(Complex({"X2": 2}))
    '2X2'
    >>> str(Complex({}))
    '0'
    """

    counts: Mapping[str, int]

    def __init__(self, counts: Mapping[str, int] | Iterable[tuple[str, int]] = ()) -> None:
        items = counts.items() if isinstance(counts, Mapping) else counts
        merged: dict[str, int] = {}
        for name, coef in items:
            check_species_name(name)
            if isinstance(coef, bool) or not isinstance(coef, Integral | np.integer) or coef < 0:
                raise NetworkError(
                    f"coefficient of {name} must be a non-negative integer (Def. 2.1); got {_short(coef)}"
                )
            merged[name] = merged.get(name, 0) + int(coef)
            if merged[name] > MAX_COEFFICIENT:
                raise NetworkError(
                    f"coefficient of {name} must be at most MAX_COEFFICIENT = {MAX_COEFFICIENT}; "
                    f"got {_short(merged[name])}"
                )
        # Keep the written order for display; equality and hashing ignore it.
        frozen = {k: v for k, v in merged.items() if v != 0}
        object.__setattr__(self, "counts", MappingProxyType(frozen))

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.counts.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Complex) and dict(self.counts) == dict(other.counts)

    def __str__(self) -> str:
        return format_complex(self.counts)

    def __repr__(self) -> str:
        return f"Complex({str(self)!r})"

    @property
    def order(self) -> int:
        """Molecularity: the sum of the coefficients."""
        return sum(self.counts.values())

    def vector(self, species: Iterable[str]) -> np.ndarray:
        """The complex as an integer vector over ``species`` (the paper's abuse of notation)."""
        return np.array([self.counts.get(s, 0) for s in species], dtype=np.int64)


def format_complex(counts: Mapping[str, int], order: Iterable[str] | None = None) -> str:
    """Write a complex in the text syntax: ``X + 2Y``, or ``0`` when empty.

    Examples
    --------
    >>> format_complex({"X": 1, "Y": 2}), format_complex({})
    ('X + 2Y', '0')
    """
    names = list(order) if order is not None else list(counts)
    terms = [(f"{c}{n}" if c != 1 else n) for n in names if (c := counts.get(n, 0))]
    return " + ".join(terms) if terms else "0"


def format_rate(rate: Rate) -> str:
    """Write a rate constant so that parsing it back gives the same float.

    Examples
    --------
    >>> format_rate(2.0), format_rate(0.1), format_rate("k1")
    ('2', '0.1', 'k1')
    """
    if isinstance(rate, str):
        return rate
    return repr(int(rate)) if float(rate).is_integer() and abs(rate) < 1e15 else repr(float(rate))


@dataclass(frozen=True, eq=False)
class Reaction:
    """One reaction ``Y -> Y'`` with its mass-action rate constant.

    Parameters
    ----------
    reactants, products : mapping of str to int or Complex
        The source and target complexes.
    rate : float or str, default 1.0
        A positive rate constant, or the name of a rate parameter whose value
        is supplied later (``ReactionNetwork.with_rates``).

    Examples
    --------
    >>> r = Reaction({"X1": 1, "X2": 1}, {"X2": 2})
    >>> str(r)
    'X1 + X2 -> 2X2'
    >>> dict(r.vector)
    {'X1': -1, 'X2': 1}
    """

    reactants: Mapping[str, int]
    products: Mapping[str, int]
    rate: Rate = 1.0

    def __init__(
        self,
        reactants: Mapping[str, int] | Complex,
        products: Mapping[str, int] | Complex,
        rate: Rate = 1.0,
    ) -> None:
        source = reactants if isinstance(reactants, Complex) else Complex(reactants)
        target = products if isinstance(products, Complex) else Complex(products)
        where = f"reaction {format_complex(source.counts)} -> {format_complex(target.counts)}"
        if source == target:
            raise NetworkError(f"{where} goes from a complex to itself, which Def. 2.1 forbids")
        object.__setattr__(self, "reactants", source.counts)
        object.__setattr__(self, "products", target.counts)
        object.__setattr__(self, "rate", check_rate(rate, where))

    @property
    def source(self) -> Complex:
        """The reactant complex Y."""
        return Complex(self.reactants)

    @property
    def target(self) -> Complex:
        """The product complex Y'."""
        return Complex(self.products)

    @property
    def vector(self) -> Mapping[str, int]:
        """The reaction vector Y' - Y as a name -> net change mapping (zeros dropped)."""
        names = sorted(set(self.reactants) | set(self.products))
        net = {n: self.products.get(n, 0) - self.reactants.get(n, 0) for n in names}
        return MappingProxyType({n: v for n, v in net.items() if v})

    def key(self) -> tuple:
        """Identity of the reaction as a graph edge (its two complexes), ignoring the rate."""
        return (tuple(sorted(self.reactants.items())), tuple(sorted(self.products.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reaction) and self.key() == other.key() and self.rate == other.rate

    def __hash__(self) -> int:
        return hash((self.key(), self.rate))

    def __str__(self) -> str:
        text = f"{format_complex(self.reactants)} -> {format_complex(self.products)}"
        return text if self.rate == 1.0 else f"{text} ; {format_rate(self.rate)}"

    def __repr__(self) -> str:
        return f"Reaction({str(self)!r})"
