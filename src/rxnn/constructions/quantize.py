"""Integer weights for the rate-independent construction: quantisation and its error.

A rate-independent (non-competitive) reaction network multiplies by a weight
through stoichiometry: ``X -> n Z`` turns x molecules into n x. So weights
must be integers (Vasić, Chalk, Khurshid & Soloveichik, ICML 2020, use binary
weights; Vasić, Chalk, Luchsinger, Khurshid & Soloveichik, PNAS 2022, allow
integers). Real weights W^l are written W^l ~ N^l / D^l with integer N^l and a
per-layer denominator D^l. ReLU is positively homogeneous
(ReLU(s z) = s ReLU(z) for s > 0), so the network with weights N^l and biases
S_l beta^l, S_l = D^1 ... D^l, computes S_l times the activations of the
quantised network: the chemistry carries layer l in units of 1 / S_l.

Biases need no quantisation: they are initial concentrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rxnn._validation import check_int
from rxnn.errors import InvalidArgumentError, LimitError
from rxnn.nn.network import FeedForwardNetwork

__all__ = ["Quantization", "quantize_weights", "MAX_WEIGHT_BITS"]

#: Most bits of ``weight_bits``: 2**20 stays below the coefficient limit rxnn.crn.model.MAX_COEFFICIENT = 10**6.
MAX_WEIGHT_BITS = 20
_MAX_INTEGER = 10**6  # rxnn.crn.model.MAX_COEFFICIENT: a weight is the coefficient of a product


@dataclass(frozen=True, eq=False)
class Quantization:
    """Integer weights N^l with denominators D^l standing for the weights N^l / D^l.

    Attributes
    ----------
    source : FeedForwardNetwork
        The network as given.
    integers : tuple of ndarray of int64
        N^1, ..., N^m, each of the shape of W^l.
    denominators : tuple of float
        D^1, ..., D^m (1.0 for integer weights).
    network : FeedForwardNetwork
        The quantised network: weights N^l / D^l, the source's biases and
        activation. The rate-independent chemistry computes exactly this one.
    method : str
        ``"integer weights"``, ``"denominator=D"`` or ``"weight_bits=B"``.
    weight_error : float
        max over layers and entries of |W^l - N^l / D^l| (0 for integer weights).

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn import FeedForwardNetwork, ReLU
    >>> net = FeedForwardNetwork([np.array([[0.26, -0.74]])], [np.array([0.1])], ReLU())
    >>> q = quantize_weights(net, denominator=4)
    >>> q.integers[0].tolist(), q.denominators, round(q.weight_error, 6)
    ([[1, -3]], (4.0,), 0.01)
    """

    source: FeedForwardNetwork
    integers: tuple[np.ndarray, ...]
    denominators: tuple[float, ...]
    network: FeedForwardNetwork
    method: str
    weight_error: float

    def scale(self, layer: int) -> float:
        """S_l = D^1 ... D^l: the chemistry holds S_l times the activations of layer ``layer`` (S_0 = 1)."""
        return float(np.prod(self.denominators[:layer])) if layer > 0 else 1.0

    def output_error(self, d: Any) -> float:
        """max |quantised(d) - source(d)| over the outputs of inputs ``d``: the error quantisation adds.

        Examples
        --------
        >>> import numpy as np
        >>> from rxnn import FeedForwardNetwork, ReLU
        >>> net = FeedForwardNetwork([np.array([[0.26, -0.74]])], [np.array([0.1])], ReLU())
        >>> round(quantize_weights(net, denominator=4).output_error([[1.0, 0.0]]), 6)
        0.01
        """
        return float(np.max(np.abs(self.network(d) - self.source(d))))


def quantize_weights(
    network: FeedForwardNetwork, *, weight_bits: int | None = None, denominator: int | None = None
) -> Quantization:
    """Write every weight of ``network`` as an integer over a per-layer denominator.

    Parameters
    ----------
    network : FeedForwardNetwork
    weight_bits : int, optional
        Signed integers of this many bits, |N| <= 2**(B-1) - 1, with one real
        denominator per layer, D^l = (2**(B-1) - 1) / max |W^l|; B in 2..20.
    denominator : int, optional
        Rationals n / denominator with one common integer denominator for
        every layer (N^l = round(denominator W^l)).

    Neither: the weights must already be integers (e.g. a binary-weight
    network, weights in {-1, 0, 1}).

    Returns
    -------
    Quantization

    Raises
    ------
    InvalidArgumentError
        Both options given, bad values, or non-integer weights and no option.
    LimitError
        An integer weight above 10**6 (the coefficient limit of rxnn.crn.model).

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn import FeedForwardNetwork, ReLU
    >>> net = FeedForwardNetwork([np.array([[0.5, -1.0]])], [np.array([0.0])], ReLU())
    >>> q = quantize_weights(net, weight_bits=3)
    >>> q.integers[0].tolist(), q.denominators
    ([[2, -3]], (3.0,))
    """
    func = "quantize_weights"
    if weight_bits is not None and denominator is not None:
        raise InvalidArgumentError(f"give one of weight_bits= and denominator= to {func}, not both")
    weights = network.weights
    if weight_bits is not None:
        bits = check_int(weight_bits, "weight_bits", func, minimum=2)
        if bits > MAX_WEIGHT_BITS:
            raise LimitError(f"weight_bits of {func} must be at most {MAX_WEIGHT_BITS}; got {bits}")
        top = 2 ** (bits - 1) - 1
        dens = tuple(top / float(np.max(np.abs(W))) if np.any(W != 0) else 1.0 for W in weights)
        method = f"weight_bits={bits}"
    elif denominator is not None:
        dens = (float(check_int(denominator, "denominator", func, minimum=1)),) * len(weights)
        method = f"denominator={int(denominator)}"
    else:
        for layer, W in enumerate(weights, start=1):
            off = np.argwhere(W != np.round(W))
            if off.size:
                i, j = (int(v) for v in off[0])
                raise InvalidArgumentError(
                    f"the rate-independent construction needs integer weights (stoichiometric coefficients), but "
                    f"W^{layer}[{i}, {j}] = {float(W[i, j])!r}; pass weight_bits= (integers of that many bits, one "
                    "scale per layer) or denominator= (rationals n/denominator) to quantise"
                )
        dens = (1.0,) * len(weights)
        method = "integer weights"
    integers = tuple(np.round(W * D).astype(np.int64) for W, D in zip(weights, dens))
    big = max(int(np.max(np.abs(N))) if N.size else 0 for N in integers)
    if big > _MAX_INTEGER:
        raise LimitError(
            f"an integer weight of {func} would be {big}, above the coefficient limit {_MAX_INTEGER}; "
            "use a smaller denominator or fewer weight_bits"
        )
    quantised = network.with_parameters([N / D for N, D in zip(integers, dens)], list(network.biases))
    error = max(float(np.max(np.abs(W - N / D))) if W.size else 0.0 for W, N, D in zip(weights, integers, dens))
    return Quantization(network, integers, dens, quantised, method, error)
