"""Read-only array views of a reaction network and its cached lowering (what the kinetics back-end reads).

A mixin of :class:`~rxnn.crn.network.ReactionNetwork`: the network stores its
reactant/product matrices, rates and dynamic mask privately; these properties
hand them out without a copy and read-only, and :attr:`ArrayViews.lowered`
caches the engine's lowering (:class:`rxnn.crn.engine.Lowering`) on the value.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["ArrayViews"]


class ArrayViews:
    """Read-only views (:attr:`dynamic_mask`, :attr:`reactant_view`, :attr:`stoichiometry_view`,
    :attr:`rate_values`) and the cached :attr:`lowered` form; mixed into ``ReactionNetwork``.

    Examples
    --------
    >>> from rxnn.crn.network import ReactionNetwork
    >>> ReactionNetwork.from_text("E + X -> E").dynamic_mask.flags.writeable
    False
    """

    @property
    def dynamic_mask(self) -> np.ndarray:
        """Which species are dynamic (Def. 5.1): a read-only bool array over :attr:`species`.

        Examples
        --------
        >>> from rxnn.crn.network import ReactionNetwork
        >>> ReactionNetwork.from_text("E + X -> E").dynamic_mask
        array([False,  True])
        """
        return self._view(self._dynamic_mask)

    @property
    def reactant_view(self) -> sp.csc_matrix:
        """Reactant complexes Y (species x reactions) without a copy; its arrays are read-only.

        :meth:`reactant_matrix` is the copy to modify.

        Examples
        --------
        >>> from rxnn.crn.network import ReactionNetwork
        >>> ReactionNetwork.from_text("2X -> Y").reactant_view.toarray()
        array([[2],
               [0]])
        """
        return self._view_matrix(self._reactants)

    @property
    def stoichiometry_view(self) -> sp.csc_matrix:
        """The stoichiometry matrix N = Y' - Y of eq. (2) without a copy; its arrays are read-only.

        Examples
        --------
        >>> from rxnn.crn.network import ReactionNetwork
        >>> ReactionNetwork.from_text("2X -> Y").stoichiometry_view.toarray()
        array([[-2],
               [ 1]])
        """
        return self._view_matrix(self._stoichiometry)

    @property
    def rate_values(self) -> np.ndarray:
        """Rate constants as a read-only float array, NaN where a rate is still a parameter name.

        Examples
        --------
        >>> from rxnn.crn.network import ReactionNetwork
        >>> ReactionNetwork.from_text("X -> 0 ; 2.5\\nX -> Y ; k").rate_values
        array([2.5, nan])
        """
        return self._view(self._rates)

    @property
    def lowered(self) -> Any:
        """The network lowered to arrays for the kinetics (:class:`rxnn.crn.engine.Lowering`), built once.

        Networks are immutable values, so the lowering (channels, slot tables,
        the engine's groups and cascade) is cached on the network itself and
        dropped with it.

        Examples
        --------
        >>> from rxnn.crn.network import ReactionNetwork
        >>> net = ReactionNetwork.from_text("E + X -> E + 2X\\nF + X -> F + 2X\\nX -> 0")
        >>> net.lowered.n_channels, net.lowered is net.lowered
        (2, True)
        """
        return self._lowered

    @cached_property
    def _lowered(self) -> Any:
        from rxnn.crn.engine.lowering import Lowering  # the engine builds on this module

        return Lowering(self)

    def __getstate__(self) -> dict[str, Any]:
        """Pickles and copies carry the network, not its lowering (rebuilt on first use)."""
        state = self.__dict__.copy()
        state.pop("_lowered", None)
        return state

    @staticmethod
    def _view(array: np.ndarray) -> np.ndarray:
        view = array.view()
        view.flags.writeable = False
        return view

    @staticmethod
    def _view_matrix(m: sp.csc_matrix) -> sp.csc_matrix:
        out = sp.csc_matrix(m.shape, dtype=m.dtype)
        out.data, out.indices, out.indptr = (ArrayViews._view(a) for a in (m.data, m.indices, m.indptr))
        return out
