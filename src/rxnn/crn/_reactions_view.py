"""Reactions of a network made on access: the lazy :class:`ReactionsView` and one-line formatting."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload

import scipy.sparse as sp

from rxnn.crn.model import Complex, Rate, Reaction, format_complex, format_rate
from rxnn.errors import IndexOutOfRangeError

__all__ = ["ReactionsView", "complex_of", "format_reaction"]


def complex_of(species: Sequence[str], matrix: sp.csc_matrix, j: int) -> Complex:
    """Column ``j`` of a complex matrix as a :class:`Complex`.

    Examples
    --------
    >>> import numpy as np
    >>> complex_of(("A", "B"), sp.csc_matrix(np.array([[2], [1]])), 0)
    Complex('2A + B')
    """
    lo, hi = matrix.indptr[j], matrix.indptr[j + 1]
    return Complex({species[i]: int(c) for i, c in zip(matrix.indices[lo:hi], matrix.data[lo:hi])})


def format_reaction(species: Sequence[str], reactants: sp.csc_matrix, products: sp.csc_matrix, rate: Rate,
                    j: int, *, with_rate: bool = True) -> str:
    """Reaction ``j`` in the text syntax: ``A + B -> 2C ; rate`` (the rate only when it is not 1).

    Examples
    --------
    >>> import numpy as np
    >>> R, P = sp.csc_matrix(np.array([[1], [0]])), sp.csc_matrix(np.array([[0], [2]]))
    >>> format_reaction(("A", "B"), R, P, 0.5, 0)
    'A -> 2B ; 0.5'
    """

    def side(m: sp.csc_matrix) -> str:
        lo, hi = m.indptr[j], m.indptr[j + 1]
        return format_complex({species[i]: int(c) for i, c in zip(m.indices[lo:hi], m.data[lo:hi])})

    text = f"{side(reactants)} -> {side(products)}"
    return f"{text} ; {format_rate(rate)}" if with_rate and rate != 1.0 else text


class ReactionsView(Sequence):
    """A lazy sequence of ``n`` :class:`Reaction` objects, reaction j made by ``make(j)`` on access.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> view = ReactionNetwork.from_text("A -> B\\nB -> A ; 2").reactions
    >>> len(view), str(view[-1])
    (2, 'B -> A ; 2')
    """

    __slots__ = ("_n", "_make")

    def __init__(self, n: int, make: Callable[[int], Reaction]) -> None:
        self._n, self._make = n, make

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, j: int) -> Reaction: ...
    @overload
    def __getitem__(self, j: slice) -> list[Reaction]: ...
    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self._make(k) for k in range(*j.indices(len(self)))]
        n = len(self)
        if not -n <= j < n:
            raise IndexOutOfRangeError(f"reaction index {j} out of range for {n} reactions")
        return self._make(j % n)

    def __iter__(self) -> Iterator[Reaction]:
        return (self._make(j) for j in range(len(self)))

    def __repr__(self) -> str:
        return f"<{len(self)} reactions>"
