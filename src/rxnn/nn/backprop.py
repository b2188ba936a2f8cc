"""Backpropagation (paper eq. (10)) and the gradient-descent update of §6.

The gradients can come from the network's own forward pass or from
activations a^0, ..., a^m computed elsewhere, e.g. steady states of the
reaction network simulated layer by layer. In that case phi'(z^l) is taken
from the given a^l through :meth:`~rxnn.nn.Activation.derivative_from_value`
(§6.1), so training never needs a closed form of phi.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rxnn._type_error import ArgumentTypeError
from rxnn.errors import InvalidArgumentError
from rxnn.nn.costs import Cost, QuadraticCost, get_cost
from rxnn.nn._arrays import as_batch, finite_array
from rxnn.nn.network import FeedForwardNetwork, FloatArray

__all__ = ["gradients", "sgd_step", "SGDStep"]


@dataclass(frozen=True, eq=False)
class SGDStep:
    """The result of one :func:`sgd_step`.

    Attributes
    ----------
    network : FeedForwardNetwork
        The updated network.
    cost : float
        The batch-averaged cost (eq. (8)) of the network *before* the update.
    outputs : ndarray of shape (c_m,) or (batch, c_m)
        a^m of the batch *before* the update (the given ``activations[-1]``
        when activations were passed), e.g. for the batch accuracy.

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([2, 3, 1], SmoothReLU(1.0), seed=0)
    >>> step = sgd_step(net, np.array([[0.5, 1.0]]), np.array([[2.0]]), eta=0.1)
    >>> step.network.layer_sizes, step.outputs.shape, step.cost > 0
    ((2, 3, 1), (1, 1), True)
    """

    network: FeedForwardNetwork
    cost: float
    outputs: FloatArray


def _resolve_cost(cost: Cost | str, owner: str) -> Cost:
    if isinstance(cost, str):
        return get_cost(cost)
    if not isinstance(cost, Cost):
        raise ArgumentTypeError(f"cost of {owner} must be a Cost or a cost name; got {type(cost).__name__}")
    return cost


def _given_activations(
    activations: Sequence[npt.ArrayLike], network: FeedForwardNetwork, a0: FloatArray, single: bool, owner: str
) -> list[FloatArray]:
    """Validate activations [a^0, ..., a^m] given for the batch ``a0`` (shape (batch, c_0))."""
    sizes, batch = network.layer_sizes, a0.shape[0]
    given = list(activations)
    if len(given) != len(sizes):
        raise InvalidArgumentError(
            f"activations of {owner} must be a list [a^0, ..., a^m] of {len(sizes)} arrays; got {len(given)}"
        )
    out = []
    for l, (a, c) in enumerate(zip(given, sizes)):
        array = finite_array(a, f"activations[{l}]", owner)
        expected = (c,) if single else (batch, c)
        if array.shape != expected:
            raise InvalidArgumentError(
                f"activations[{l}] of {owner} must have shape {expected} to match the inputs; got shape {array.shape}"
            )
        out.append(array.reshape(batch, c))
    if not np.array_equal(out[0], a0):
        raise InvalidArgumentError(f"activations[0] of {owner} must equal the inputs (a^0 = d, eq. (6))")
    return out


def _backprop(
    network: FeedForwardNetwork,
    inputs: npt.ArrayLike,
    targets: npt.ArrayLike,
    cost: Cost,
    activations: Sequence[npt.ArrayLike] | None,
    owner: str,
) -> tuple[list[FloatArray], list[FloatArray], FloatArray, FloatArray, bool]:
    """eq. (10) on a batch: (dW, db, a^m, targets, single), a^m and targets of shape (batch, c_m)."""
    if not isinstance(network, FeedForwardNetwork):
        raise ArgumentTypeError(f"network of {owner} must be a FeedForwardNetwork; got {type(network).__name__}")
    a0, single = as_batch(inputs, network.layer_sizes[0], owner)
    batch, c_m = a0.shape[0], network.layer_sizes[-1]
    tau = finite_array(targets, "targets", owner)
    expected = (c_m,) if single else (batch, c_m)
    if tau.shape != expected:
        raise InvalidArgumentError(f"targets of {owner} must have shape {expected} to match the inputs; got shape {tau.shape}")
    tau = tau.reshape(batch, c_m)
    weights, biases, phi = network.weights, network.biases, network.activation
    zs: list[FloatArray] = []
    if activations is None:  # eqs. (6)-(7)
        acts = [a0]
        for w, b in zip(weights, biases):
            zs.append(acts[-1] @ w.T + b)
            acts.append(np.asarray(phi(zs[-1]), dtype=np.float64))
    else:  # eq. (6) from the given a^(l-1)
        acts = _given_activations(activations, network, a0, single, owner)
        zs = [a @ w.T + b for a, w, b in zip(acts, weights, biases)]
    delta = cost.gradient(acts[-1], tau) * phi.derivative_from_value(zs[-1], acts[-1])
    dW: list[FloatArray] = [np.empty(0)] * network.n_layers
    db: list[FloatArray] = [np.empty(0)] * network.n_layers
    for l in range(network.n_layers - 1, -1, -1):
        dW[l] = delta.T @ acts[l] / batch  # dC/dW_ij = delta_i a_j^(l-1), batch-averaged (eq. (8))
        db[l] = delta.mean(axis=0)
        if l > 0:
            delta = (delta @ weights[l]) * phi.derivative_from_value(zs[l - 1], acts[l])
    return dW, db, acts[-1], tau, single


def gradients(
    network: FeedForwardNetwork,
    inputs: npt.ArrayLike,
    targets: npt.ArrayLike,
    *,
    cost: Cost | str = QuadraticCost(),
    activations: Sequence[npt.ArrayLike] | None = None,
) -> tuple[list[FloatArray], list[FloatArray]]:
    """Gradients of the batch-averaged cost (eq. (8)) by backpropagation (eq. (10)).

    Parameters
    ----------
    network : FeedForwardNetwork
        The network (G, P, phi).
    inputs : array_like of shape (c_0,) or (batch, c_0)
        The data d.
    targets : array_like of shape (c_m,) or (batch, c_m)
        The truth tau(d), shaped like the outputs.
    cost : Cost or str, default QuadraticCost()
        The cost C of §3.3, or its registry name.
    activations : sequence of array_like, optional
        [a^0, ..., a^m] computed elsewhere (e.g. by a chemical simulation),
        each of shape (batch, c_l), or (c_l,) for one input; a^0 must equal
        ``inputs``. Then z^l = W^l a^(l-1) + beta^l is recomputed from the
        given a^(l-1) and phi'(z^l) comes from
        ``activation.derivative_from_value(z^l, a^l)``. If None, the network's
        own forward pass (eqs. (6)-(7)) is used.

    Returns
    -------
    dW : list of ndarray
        d Cost / d W^l, of shape (c_l, c_{l-1}), for l = 1, ..., m.
    db : list of ndarray
        nabla_{beta^l} Cost, of shape (c_l,), for l = 1, ..., m.

    Raises
    ------
    ValueError
        If inputs, targets or activations have the wrong shape or a NaN/inf,
        ``activations[0]`` differs from ``inputs``, or the outputs leave the
        cost's domain.
    TypeError
        If ``cost`` is neither a :class:`~rxnn.nn.Cost` nor a name.

    Notes
    -----
    With delta^m = nabla_{a^m} C (.) phi'(z^m) and
    delta^l = ((W^(l+1))^T delta^(l+1)) (.) phi'(z^l), eq. (10) gives
    nabla_{beta^l} C = delta^l and dC/dW^l_ij = delta^l_i a^(l-1)_j per
    sample; these are averaged over the batch. Cost: two matrix products per
    layer, O(batch * sum_l c_l c_(l-1)).

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU, gradients
    >>> net = FeedForwardNetwork([[[1.0]]], [[0.0]], SmoothReLU(h=0.0))
    >>> dW, db = gradients(net, [2.0], [1.0])   # C = (a - 1)^2 / 2 with a = W d
    >>> dW[0], db[0]
    (array([[2.]]), array([1.]))
    """
    cost = _resolve_cost(cost, "gradients")
    dW, db, *_ = _backprop(network, inputs, targets, cost, activations, "gradients")
    return dW, db


def sgd_step(
    network: FeedForwardNetwork,
    inputs: npt.ArrayLike,
    targets: npt.ArrayLike,
    *,
    eta: float,
    cost: Cost | str = QuadraticCost(),
    activations: Sequence[npt.ArrayLike] | None = None,
) -> SGDStep:
    """One gradient-descent update on a batch (§6).

    beta^l <- beta^l - eta nabla_{beta^l} Cost and W^l <- W^l - eta dCost/dW^l,
    with the gradients of :func:`gradients`.

    Parameters
    ----------
    network, inputs, targets, cost, activations
        As for :func:`gradients`.
    eta : float
        The learning rate, a positive finite number (the paper's §6 uses 0.1).

    Returns
    -------
    SGDStep
        The updated network, and the cost and outputs of the batch before the update.

    Raises
    ------
    ValueError
        As :func:`gradients`, or if ``eta`` is not a positive finite number.
    TypeError
        As :func:`gradients`.

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU, sgd_step
    >>> net = FeedForwardNetwork([[[1.0]]], [[0.0]], SmoothReLU(h=0.0))
    >>> step = sgd_step(net, [2.0], [1.0], eta=0.1)
    >>> step.cost, step.network.weights[0], step.network.biases[0]
    (0.5, array([[0.8]]), array([-0.1]))
    """
    owner = "sgd_step"
    ok = isinstance(eta, numbers.Real) and not isinstance(eta, bool)
    if not ok or not math.isfinite(float(eta)) or float(eta) <= 0:
        shown = eta.item() if isinstance(eta, np.generic) else eta
        raise InvalidArgumentError(f"eta of {owner} must be a positive finite number; got {shown!r}")
    cost = _resolve_cost(cost, owner)
    dW, db, outputs, tau, single = _backprop(network, inputs, targets, cost, activations, owner)
    updated = network.with_parameters(
        [w - eta * g for w, g in zip(network.weights, dW)],
        [b - eta * g for b, g in zip(network.biases, db)],
    )
    return SGDStep(updated, cost.value(outputs, tau), outputs[0] if single else outputs)
