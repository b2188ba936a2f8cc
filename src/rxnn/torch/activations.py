"""The activations of Table 1 as PyTorch modules with exact gradients (eq. (4), §6.1).

:class:`SmoothReLU` evaluates eq. (4) in torch on the tensor's own device;
:class:`PolynomialActivation` (q >= 3, no closed form) evaluates the positive
root of h + y x - (q-1) x^q with :class:`rxnn.nn.PolynomialActivation` on the
CPU in float64 and moves the result back to the input's device and dtype.
Both backward passes use the implicit derivative of §6.1,
phi' = -phi / (y - q (q-1) phi^(q-1)), which is exact (for q = 2 it equals
phi / sqrt(y^2 + 4h)). Both export to ONNX as ops of the custom domain
``rxnn`` (see :mod:`rxnn.io.onnx`).
"""

from __future__ import annotations

from typing import Any

import torch

from rxnn import nn as rnn
from rxnn._validation import check_int, check_nonnegative_finite, must_be

__all__ = ["SmoothReLU", "PolynomialActivation", "ONNX_DOMAIN"]

ONNX_DOMAIN = "rxnn"
"""The custom ONNX operator domain of rxnn's activations (ops ``SmoothReLU``, ``PolynomialActivation``)."""


def _implicit_derivative(y: torch.Tensor, phi: torch.Tensor, q: int) -> torch.Tensor:
    """phi'(y) = -phi / (y - q (q-1) phi^(q-1)) (§6.1), 0 where the denominator is 0 (y = 0 with h = 0)."""
    denominator = y - q * (q - 1) * phi ** (q - 1)
    safe = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
    return torch.where(denominator == 0, torch.zeros_like(phi), -phi / safe)


class _SmoothReLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, y: torch.Tensor, h: float) -> torch.Tensor:
        s = torch.sqrt(y * y + 4.0 * h)
        # For y < 0, 2h / (s - y) avoids the cancellation of (y + s) / 2 (phi ~ h / |y|).
        negative = y < 0
        denominator = torch.where(negative, s - y, torch.ones_like(y))
        phi = torch.where(negative, 2.0 * h / denominator, 0.5 * (y + s))
        ctx.save_for_backward(y, phi)
        return phi

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        y, phi = ctx.saved_tensors
        return grad * _implicit_derivative(y, phi, 2), None

    @staticmethod
    def symbolic(g: Any, y: Any, h: float) -> Any:  # the TorchScript ONNX exporter
        out = g.op(f"{ONNX_DOMAIN}::SmoothReLU", y, h_f=float(h))
        out.setType(y.type())  # element-wise: the input's type and shape
        return out


class _PolynomialFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, y: torch.Tensor, q: int, h: float) -> torch.Tensor:
        values = rnn.PolynomialActivation(q=q, h=h)(y.detach().to("cpu", torch.float64).numpy())
        phi = torch.as_tensor(values, dtype=torch.float64).to(device=y.device, dtype=y.dtype)
        ctx.save_for_backward(y, phi)
        ctx.q = q
        return phi

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        y, phi = ctx.saved_tensors
        return grad * _implicit_derivative(y, phi, ctx.q), None, None

    @staticmethod
    def symbolic(g: Any, y: Any, q: int, h: float) -> Any:
        out = g.op(f"{ONNX_DOMAIN}::PolynomialActivation", y, q_i=int(q), h_f=float(h))
        out.setType(y.type())
        return out


class SmoothReLU(torch.nn.Module):
    """The smoothed ReLU phi(y) = (y + sqrt(y^2 + 4h)) / 2 of eq. (4), element-wise.

    Parameters
    ----------
    h : float, default 1.0
        Finite and >= 0; h = 0 is the ReLU (with phi'(0) = 0, as :class:`rxnn.nn.ReLU`).

    Notes
    -----
    The backward pass is phi' = phi / sqrt(y^2 + 4h), written as the q = 2
    case of the implicit derivative of §6.1; it is exact, and finite where
    autograd through the formula would divide 0 by 0 (y = 0, h = 0).

    Examples
    --------
    >>> import torch
    >>> y = torch.tensor([0.0, 3.0], dtype=torch.float64, requires_grad=True)
    >>> phi = SmoothReLU(h=1.0)(y)
    >>> phi.sum().backward()
    >>> [round(v, 12) for v in phi.tolist()], [round(v, 12) for v in y.grad.tolist()]  # phi(0) = 1, phi'(0) = 1/2
    ([1.0, 3.302775637732], [0.5, 0.916025147169])
    """

    def __init__(self, h: float = 1.0) -> None:
        super().__init__()
        self.h = check_nonnegative_finite(h, "h", "rxnn.torch.SmoothReLU")

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return _SmoothReLUFunction.apply(y, self.h)

    def to_rxnn(self) -> rnn.Activation:
        """The equivalent :class:`rxnn.nn.SmoothReLU`."""
        return rnn.SmoothReLU(self.h)

    def extra_repr(self) -> str:
        return f"h={self.h:g}"


class PolynomialActivation(torch.nn.Module):
    """phi(y) = the positive root x of h + y x - (q-1) x^q (§6.1), element-wise.

    Parameters
    ----------
    q : int, default 3
        Integer >= 2 (q = 2 is :class:`SmoothReLU`).
    h : float, default 1.0
        Finite and >= 0.

    Notes
    -----
    The forward pass computes the root on the CPU in float64 with
    :class:`rxnn.nn.PolynomialActivation` (Newton's method, relative accuracy
    about 1e-15) and returns it on the input's device and dtype; the
    backward pass is the exact implicit derivative of §6.1.

    Examples
    --------
    >>> import torch
    >>> y = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    >>> phi = PolynomialActivation(q=3, h=1.0)(y)   # root of 1 + x - 2 x^3 is 1
    >>> phi.backward(torch.ones(1, dtype=torch.float64))
    >>> round(phi.item(), 12), round(y.grad.item(), 12)   # -1 / (1 - 6)
    (1.0, 0.2)
    """

    def __init__(self, q: int = 3, h: float = 1.0) -> None:
        super().__init__()
        self.q = check_int(q, "q", "rxnn.torch.PolynomialActivation", minimum=2)
        self.h = check_nonnegative_finite(h, "h", "rxnn.torch.PolynomialActivation")

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        if self.q == 2:
            return _SmoothReLUFunction.apply(y, self.h)
        return _PolynomialFunction.apply(y, self.q, self.h)

    def to_rxnn(self) -> rnn.Activation:
        """The equivalent :class:`rxnn.nn.PolynomialActivation`."""
        return rnn.PolynomialActivation(q=self.q, h=self.h)

    def extra_repr(self) -> str:
        return f"q={self.q}, h={self.h:g}"


def from_rxnn(activation: rnn.Activation) -> torch.nn.Module:
    """The torch module of an rxnn activation (ReLU as ``torch.nn.ReLU``, Sigmoid as ``torch.nn.Sigmoid``).

    Examples
    --------
    >>> import torch
    >>> import rxnn.nn as rnn
    >>> module = from_rxnn(rnn.SmoothReLU(1.0))
    >>> module(torch.tensor([0.0], dtype=torch.float64))
    tensor([1.], dtype=torch.float64)
    """
    if isinstance(activation, rnn.ReLU):
        return torch.nn.ReLU()
    if isinstance(activation, rnn.Sigmoid):
        return torch.nn.Sigmoid()
    if isinstance(activation, rnn.SmoothReLU):
        return SmoothReLU(activation.h)
    if isinstance(activation, rnn.PolynomialActivation):
        return SmoothReLU(activation.h) if activation.q == 2 else PolynomialActivation(activation.q, activation.h)
    raise must_be("activation", "to_torch", "ReLU, Sigmoid, SmoothReLU or PolynomialActivation",
                  type(activation).__name__)

