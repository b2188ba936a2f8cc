"""The hardwired feed-forward network (G, P, phi) as an immutable value (paper §3.2).

Weights follow the paper's convention: W^l has shape (c_l, c_{l-1}) and its
(i, j) entry weighs the edge from node j of layer l-1 to node i of layer l;
beta^l has shape (c_l,). The forward pass is eqs. (6)-(7).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from rxnn._type_error import wrong_type
from rxnn.errors import InvalidArgumentError, LimitError
from rxnn.nn._arrays import FloatArray, as_batch, finite_array
from rxnn.nn.activations import Activation

__all__ = ["FeedForwardNetwork", "MAX_LAYERS", "MAX_WIDTH", "MAX_PARAMETERS"]


#: Most non-input layers m of a network (the paper's networks have m = 2; §6).
MAX_LAYERS = 1000
#: Widest layer c_l accepted (MNIST's input layer has 784 nodes; §6).
MAX_WIDTH = 10**6
#: Most parameters (weights and biases) in one network: 80 MB of float64. The
#: paper's 784-40-10 network has 31,810; the bound keeps a file, a flag or a
#: typo (``--hidden 100000000``) from allocating gigabytes.
MAX_PARAMETERS = 10**7


def check_layer_sizes(sizes: Sequence[int], owner: str) -> None:
    """Raise LimitError unless c_0, ..., c_m respect MAX_LAYERS, MAX_WIDTH and MAX_PARAMETERS.

    ``sizes`` must already be positive integers; the check uses exact Python ints.

    Examples
    --------
    >>> check_layer_sizes([784, 40, 10], "FeedForwardNetwork")  # within the limits: returns None
    >>> try:
    ...     check_layer_sizes([10**9, 10], "FeedForwardNetwork")
    ... except LimitError as exc:
    ...     print(type(exc).__name__)
    LimitError
    """
    if len(sizes) - 1 > MAX_LAYERS:
        raise LimitError(
            f"layer_sizes of {owner} has {len(sizes) - 1} layers, more than the limit MAX_LAYERS = {MAX_LAYERS}"
        )
    widest = max(int(c) for c in sizes)
    if widest > MAX_WIDTH:
        raise LimitError(
            f"layer_sizes of {owner} has a layer of {widest} nodes, more than the limit MAX_WIDTH = {MAX_WIDTH}"
        )
    n_parameters = sum(int(c) * int(c_prev) + int(c) for c_prev, c in zip(sizes, sizes[1:]))
    if n_parameters > MAX_PARAMETERS:
        raise LimitError(
            f"layer_sizes of {owner} {list(sizes)} needs {n_parameters} parameters, more than the limit "
            f"MAX_PARAMETERS = {MAX_PARAMETERS}; use fewer or narrower layers"
        )


def _frozen_copy(array: FloatArray) -> FloatArray:
    """A read-only float64 copy with -0.0 normalised to 0.0 (so hashing agrees with ==)."""
    out = np.array(array, dtype=np.float64) + 0.0
    out.flags.writeable = False
    return out


class FeedForwardNetwork:
    """A hardwired feed-forward neural network (G, P, phi) (§3.1-3.2).

    Parameters
    ----------
    weights : sequence of array_like
        W^1, ..., W^m; W^l of shape (c_l, c_{l-1}).
    biases : sequence of array_like
        beta^1, ..., beta^m; beta^l of shape (c_l,).
    activation : Activation
        phi, applied in every non-input layer.

    Raises
    ------
    InvalidArgumentError
        If the counts differ or are 0, a weight is not 2-D or has a zero
        dimension, shapes do not chain (the message names the layer and both
        shapes), or a parameter has a NaN/inf (the message names it, e.g.
        ``W2``, and the index of the first bad entry). A ``ValueError``.
    LimitError
        If the layer sizes exceed :data:`MAX_LAYERS`, :data:`MAX_WIDTH` or
        :data:`MAX_PARAMETERS` (a ``ValueError``).
    ArgumentTypeError
        If ``activation`` is not an :class:`~rxnn.nn.Activation` (a ``TypeError``).

    Notes
    -----
    The network is a value: parameters are stored as read-only float64
    copies, ``==`` and ``hash`` compare activation and parameters, and
    :meth:`with_parameters` returns a new network.

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork([[[1.0, -1.0]]], [[0.0]], SmoothReLU(h=0.0))
    >>> net.layer_sizes
    (2, 1)
    >>> net([3.0, 1.0])
    array([2.])
    """

    __slots__ = ("_weights", "_biases", "_activation")

    def __init__(
        self,
        weights: Sequence[npt.ArrayLike],
        biases: Sequence[npt.ArrayLike],
        activation: Activation,
    ) -> None:
        owner = "FeedForwardNetwork"
        if not isinstance(activation, Activation):
            raise wrong_type("activation", owner, "an Activation", activation)
        weights, biases = list(weights), list(biases)
        if len(weights) != len(biases) or not weights:
            raise InvalidArgumentError(
                f"weights and biases of {owner} must be equally many (one per layer, at least one); "
                f"got {len(weights)} weights and {len(biases)} biases"
            )
        ws = [finite_array(w, f"W{l}", owner) for l, w in enumerate(weights, start=1)]
        bs = [finite_array(b, f"b{l}", owner) for l, b in enumerate(biases, start=1)]
        for l, (w, b) in enumerate(zip(ws, bs), start=1):
            if w.ndim != 2 or 0 in w.shape:
                raise InvalidArgumentError(
                    f"W{l} of {owner} must be a non-empty 2-D array (c_{l}, c_{l - 1}); got shape {w.shape}"
                )
            if l > 1 and w.shape[1] != ws[l - 2].shape[0]:
                raise InvalidArgumentError(
                    f"W{l} of {owner} must have {ws[l - 2].shape[0]} columns to follow W{l - 1} of shape "
                    f"{ws[l - 2].shape}; got shape {w.shape}"
                )
            if b.shape != (w.shape[0],):
                raise InvalidArgumentError(
                    f"b{l} of {owner} must have shape ({w.shape[0]},) to match W{l} of shape {w.shape}; "
                    f"got shape {b.shape}"
                )
        check_layer_sizes((ws[0].shape[1], *(w.shape[0] for w in ws)), owner)
        self._weights = tuple(_frozen_copy(w) for w in ws)
        self._biases = tuple(_frozen_copy(b) for b in bs)
        self._activation = activation

    @classmethod
    def random(
        cls,
        layer_sizes: Sequence[int],
        activation: Activation,
        *,
        seed: int | np.random.Generator | None,
    ) -> FeedForwardNetwork:
        """A network with the scaled Gaussian initialisation of §6.

        W^l ~ N(0, 1) / sqrt(c_{l-1}) and beta^l ~ N(0, 1), drawn from
        ``numpy.random.default_rng(seed)`` in the order of the paper's Matlab:
        W^1, ..., W^m, then beta^1, ..., beta^m (each array in row-major order).

        Parameters
        ----------
        layer_sizes : sequence of int
            c_0, ..., c_m; at least two positive integers.
        activation : Activation
            phi.
        seed : int, numpy.random.Generator or None
            Seed (or generator) for reproducible draws; None draws fresh entropy.

        Returns
        -------
        FeedForwardNetwork

        Raises
        ------
        InvalidArgumentError
            If ``layer_sizes`` has fewer than two entries or one is not a positive integer
            (a ``ValueError``).
        LimitError
            If it exceeds :data:`MAX_LAYERS`, :data:`MAX_WIDTH` or :data:`MAX_PARAMETERS`
            (checked before anything is drawn or allocated; a ``ValueError``).

        Examples
        --------
        >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
        >>> net = FeedForwardNetwork.random([784, 40, 10], SmoothReLU(h=1.0), seed=1234)
        >>> [w.shape for w in net.weights]
        [(40, 784), (10, 40)]
        """
        sizes = list(layer_sizes)
        if len(sizes) < 2 or not all(
            isinstance(c, (int, np.integer)) and not isinstance(c, bool) and c > 0 for c in sizes
        ):
            raise InvalidArgumentError(
                f"layer_sizes of FeedForwardNetwork.random must be at least two positive integers; got {sizes!r}"
            )
        check_layer_sizes(sizes, "FeedForwardNetwork.random")
        rng = np.random.default_rng(seed)
        weights = [rng.standard_normal((c, c_prev)) / np.sqrt(c_prev) for c_prev, c in zip(sizes, sizes[1:])]
        biases = [rng.standard_normal(c) for c in sizes[1:]]
        return cls(weights, biases, activation)

    # ---- accessors -------------------------------------------------------------

    @property
    def weights(self) -> tuple[FloatArray, ...]:
        """W^1, ..., W^m, read-only arrays of shape (c_l, c_{l-1})."""
        return self._weights

    @property
    def biases(self) -> tuple[FloatArray, ...]:
        """beta^1, ..., beta^m, read-only arrays of shape (c_l,)."""
        return self._biases

    @property
    def activation(self) -> Activation:
        """The activation function phi."""
        return self._activation

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """(c_0, c_1, ..., c_m)."""
        return (self._weights[0].shape[1], *(w.shape[0] for w in self._weights))

    @property
    def n_layers(self) -> int:
        """m, the number of non-input layers."""
        return len(self._weights)

    def with_parameters(
        self, weights: Sequence[npt.ArrayLike], biases: Sequence[npt.ArrayLike]
    ) -> FeedForwardNetwork:
        """A new network with the same activation and the given parameters (validated as in the constructor)."""
        return FeedForwardNetwork(weights, biases, self._activation)

    # ---- forward pass ----------------------------------------------------------

    def preactivations(self, d: npt.ArrayLike) -> list[FloatArray]:
        """z^1(d), ..., z^m(d) with z^l = W^l a^(l-1) + beta^l (eq. (6)).

        Parameters
        ----------
        d : array_like of shape (c_0,) or (batch, c_0)
            One input or a batch of inputs.

        Returns
        -------
        list of ndarray
            z^l of shape (c_l,), or (batch, c_l) for a batch.

        Raises
        ------
        ValueError
            If ``d`` has the wrong shape or a NaN/inf.
        """
        zs, _ = self._forward(d, "FeedForwardNetwork.preactivations")
        return zs

    def activations(self, d: npt.ArrayLike) -> list[FloatArray]:
        """a^0 = d, a^1(d), ..., a^m(d) with a^l = phi(z^l) (eqs. (6)-(7)).

        Parameters
        ----------
        d : array_like of shape (c_0,) or (batch, c_0)
            One input or a batch of inputs.

        Returns
        -------
        list of ndarray
            a^l of shape (c_l,), or (batch, c_l) for a batch; ``m + 1`` arrays.

        Raises
        ------
        ValueError
            If ``d`` has the wrong shape or a NaN/inf.
        """
        _, activations = self._forward(d, "FeedForwardNetwork.activations")
        return activations

    def __call__(self, d: npt.ArrayLike) -> FloatArray:
        """The network function Psi(d) = a^m(d) (§3.2), shape (c_m,) or (batch, c_m)."""
        _, activations = self._forward(d, "FeedForwardNetwork")
        return activations[-1]

    def _forward(self, d: npt.ArrayLike, owner: str) -> tuple[list[FloatArray], list[FloatArray]]:
        a, single = as_batch(d, self.layer_sizes[0], owner)
        zs, activations = [], [a]
        for w, b in zip(self._weights, self._biases):
            z = a @ w.T + b
            a = np.asarray(self._activation(z), dtype=np.float64)
            zs.append(z)
            activations.append(a)
        if single:
            return [z[0] for z in zs], [a[0] for a in activations]
        return zs, activations

    # ---- value semantics -------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeedForwardNetwork):
            return NotImplemented
        return (
            self._activation == other._activation
            and self.layer_sizes == other.layer_sizes
            and all(np.array_equal(x, y) for x, y in zip(self._weights, other._weights))
            and all(np.array_equal(x, y) for x, y in zip(self._biases, other._biases))
        )

    def __hash__(self) -> int:
        arrays = (*self._weights, *self._biases)
        return hash((self._activation, self.layer_sizes, tuple(a.tobytes() for a in arrays)))

    def __repr__(self) -> str:
        return f"FeedForwardNetwork(layer_sizes={self.layer_sizes}, activation={self._activation!r})"

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_activation"):
            raise AttributeError("FeedForwardNetwork is immutable; use with_parameters for a new network")
        object.__setattr__(self, name, value)
