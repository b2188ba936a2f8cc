"""PyTorch interoperability (extra ``torch``): activations, conversions, chemistry in the loop.

* :class:`SmoothReLU`, :class:`PolynomialActivation`: the activations of
  eq. (4) and §6.1 as ``torch.nn.Module`` s with exact gradients;
* :func:`from_torch`, :func:`to_torch`: ``torch.nn.Sequential`` <->
  :class:`rxnn.nn.FeedForwardNetwork`;
* :class:`ChemicalSteadyState`: a module whose forward pass is the compiled
  reaction network's steady state and whose backward pass differentiates it
  implicitly (§4), for training with the chemistry in the loop.

``import rxnn`` does not import torch; ``rxnn.from_torch`` / ``rxnn.to_torch``
load this subpackage on first use.
"""

from rxnn.torch.activations import ONNX_DOMAIN, PolynomialActivation, SmoothReLU
from rxnn.torch.convert import ConversionError, from_torch, to_torch
from rxnn.torch.steady_state import ChemicalSteadyState, steady_state_adjoint

__all__ = [
    "ONNX_DOMAIN",
    "ChemicalSteadyState",
    "ConversionError",
    "PolynomialActivation",
    "SmoothReLU",
    "from_torch",
    "steady_state_adjoint",
    "to_torch",
]
