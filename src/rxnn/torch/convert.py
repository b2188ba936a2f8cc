"""Conversions between ``torch.nn.Sequential`` MLPs and :class:`rxnn.nn.FeedForwardNetwork` (§3.2).

A convertible model alternates ``torch.nn.Linear`` layers with one activation
after each, the same everywhere: :class:`rxnn.torch.SmoothReLU` (eq. (4)),
:class:`rxnn.torch.PolynomialActivation` (§6.1), ``torch.nn.ReLU`` (h = 0) or
``torch.nn.Sigmoid``. Anything else is refused by name and position; nothing
is silently dropped. ``torch.nn.Linear`` stores W^l as (out, in), the paper's
(c_l, c_{l-1}), so weights copy over unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rxnn import nn as rnn
from rxnn._validation import must_be
from rxnn.errors import RxnnError
from rxnn.torch.activations import PolynomialActivation, SmoothReLU, from_rxnn

__all__ = ["ConversionError", "from_torch", "to_torch"]


class ConversionError(RxnnError, ValueError):
    """A torch model that is not an MLP of Linear layers and one supported activation.

    Examples
    --------
    >>> import torch
    >>> try:
    ...     from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh()))
    ... except ConversionError as exc:
    ...     print(isinstance(exc, ValueError))
    True
    """


def _activation_of(module: torch.nn.Module) -> rnn.Activation | None:
    """The rxnn activation of a torch activation module, or None if it is not one."""
    if isinstance(module, (SmoothReLU, PolynomialActivation)):
        return module.to_rxnn()
    if isinstance(module, torch.nn.ReLU):
        return rnn.ReLU()
    if isinstance(module, torch.nn.Sigmoid):
        return rnn.Sigmoid()
    return None


def _as_array(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to("cpu", torch.float64).numpy().copy()


def from_torch(model: torch.nn.Module) -> rnn.FeedForwardNetwork:
    """The :class:`~rxnn.nn.FeedForwardNetwork` of a PyTorch MLP.

    Parameters
    ----------
    model : torch.nn.Sequential
        ``Linear, act, Linear, act, ...``: every Linear followed by one
        activation, the same activation throughout (a compiled network's
        outputs are phi(z^m) too, §5.2). Parameters are copied as float64
        from whatever device and dtype they are on.

    Returns
    -------
    FeedForwardNetwork

    Raises
    ------
    ConversionError
        For a model that is not ``torch.nn.Sequential``, a module that is
        neither Linear nor a supported activation (named with its index),
        two Linear layers in a row, a missing final activation, or mixed
        activations.

    Examples
    --------
    >>> import torch
    >>> from rxnn.torch import SmoothReLU
    >>> model = torch.nn.Sequential(torch.nn.Linear(3, 4), SmoothReLU(1.0), torch.nn.Linear(4, 2), SmoothReLU(1.0))
    >>> from_torch(model)
    FeedForwardNetwork(layer_sizes=(3, 4, 2), activation=SmoothReLU(h=1.0))
    """
    if not isinstance(model, torch.nn.Sequential):
        raise ConversionError(
            f"model of from_torch must be a torch.nn.Sequential of Linear layers and activations; "
            f"got {type(model).__name__}"
        )
    modules = list(model)
    weights, biases, activations = [], [], []
    expect_linear = True
    for index, module in enumerate(modules):
        name = f"model[{index}] ({type(module).__name__})"
        if isinstance(module, torch.nn.Linear):
            if not expect_linear:
                raise ConversionError(f"{name} follows another Linear layer; put an activation after every Linear layer")
            weights.append(_as_array(module.weight))
            bias = module.bias
            biases.append(_as_array(bias) if bias is not None else np.zeros(module.out_features))
            expect_linear = False
            continue
        activation = _activation_of(module)
        if activation is None:
            raise ConversionError(
                f"{name} is not supported: from_torch takes torch.nn.Linear, rxnn.torch.SmoothReLU, "
                "rxnn.torch.PolynomialActivation, torch.nn.ReLU and torch.nn.Sigmoid; remove or replace it"
            )
        if expect_linear:
            raise ConversionError(f"{name} does not follow a Linear layer; each Linear layer takes exactly one activation")
        activations.append(activation)
        expect_linear = True
    if not weights:
        raise ConversionError("model of from_torch has no Linear layer")
    if not expect_linear:
        raise ConversionError(
            f"model[{len(modules) - 1}] (Linear) ends the model without an activation; the network of §3.2 "
            "applies phi in every layer, so append the activation"
        )
    distinct = sorted({repr(a) for a in activations})
    if len(distinct) > 1:
        raise ConversionError(f"model of from_torch mixes activations {distinct}; use one activation in every layer")
    try:
        return rnn.FeedForwardNetwork(weights, biases, activations[0])
    except ValueError as exc:
        raise ConversionError(f"model of from_torch has unusable parameters: {exc}") from None


def to_torch(network: rnn.FeedForwardNetwork, *, dtype: torch.dtype = torch.float64,
             device: Any = None) -> torch.nn.Sequential:
    """A ``torch.nn.Sequential`` computing the same function as ``network`` (eqs. (6)-(7)).

    Parameters
    ----------
    network : FeedForwardNetwork
    dtype : torch.dtype, default torch.float64
    device : torch.device or str, optional
        Where the parameters live (default: torch's default device).

    Returns
    -------
    torch.nn.Sequential
        ``Linear, act, ...`` with ``act`` from :func:`rxnn.torch.activations.from_rxnn`.

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 2], SmoothReLU(1.0), seed=0)
    >>> model = to_torch(net)
    >>> from_torch(model) == net
    True
    """
    if not isinstance(network, rnn.FeedForwardNetwork):
        raise must_be("network", "to_torch", "a FeedForwardNetwork", type(network).__name__)
    layers: list[torch.nn.Module] = []
    for w, b in zip(network.weights, network.biases):
        linear = torch.nn.Linear(w.shape[1], w.shape[0], dtype=dtype, device=device)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(w))
            linear.bias.copy_(torch.tensor(b))
        layers.extend([linear, from_rxnn(network.activation)])
    return torch.nn.Sequential(*layers)
