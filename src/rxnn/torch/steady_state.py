"""A PyTorch module whose forward pass is the compiled reaction network's steady state (§4, §5.2, §6).

:class:`ChemicalSteadyState` holds W^1, beta^1, ..., W^m, beta^m as
``torch.nn.Parameter`` s. Its forward pass compiles nothing new: the network
of Table 1 (with enzymatic species) is compiled once and every call binds the
current parameters to the concentrations of W+-, B+- and runs one batched
:func:`rxnn.steady_state` (through
:class:`rxnn.experiments.chemistry_training.ChemicalForward`). Its backward
pass differentiates that steady state implicitly: at the fixed point
F(x*, theta) = 0 of the mass-action ODE (eq. (19); eq. (20) for q = 3),

    F^l_i(x, theta) = h + rho^l_i x^l_i - (q-1) (x^l_i)^q,
    rho^l = W^l x^(l-1) + beta^l,

the gradient of a loss L(x*) is dL/dtheta = lambda^T dF/dtheta with the
adjoint lambda solving J^T lambda = -dL/dx*, J = dF/dx at x* (implicit
function theorem; x* is the unique attracting positive fixed point of
Thm. 4.8 and Prop. 4.9, where J is invertible). J is block lower triangular
in layer order with the diagonal blocks diag(rho^l - q (q-1) (x^l)^(q-1)) and
the off-diagonal blocks diag(x^l) W^l, so J^T lambda = -g is solved exactly
by back substitution, layer m first, in O(batch * edges).

Devices: the chemistry runs on the CPU in float64 (the steady-state solver
is numpy/scipy); the forward pass moves the inputs and parameters there and
returns the outputs on the input's device with its dtype, and the backward
pass returns every gradient on its tensor's device with its dtype. So the
module can sit in a model on any device, CUDA included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rxnn._validation import must_be
from rxnn.compile import activation_parameters
from rxnn.errors import ComputationError
from rxnn.experiments.chemistry_training import ChemicalForward
from rxnn.nn import FeedForwardNetwork
from rxnn.torch.convert import from_torch

__all__ = ["ChemicalSteadyState", "steady_state_adjoint"]


def _cpu64(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to("cpu", torch.float64).numpy()


def steady_state_adjoint(
    weights: list[np.ndarray], biases: list[np.ndarray], activations: list[np.ndarray], q: int,
    grad_outputs: np.ndarray,
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Gradients of a loss of the steady-state outputs by implicit differentiation.

    Parameters
    ----------
    weights, biases : list of ndarray
        W^l of shape (c_l, c_{l-1}) and beta^l of shape (c_l,).
    activations : list of ndarray
        [x^0 = d, x^1*, ..., x^m*], each (batch, c_l): the inputs and the
        steady state.
    q : int
        Order of the decay reaction qX -> X (Table 1).
    grad_outputs : ndarray of shape (batch, c_m)
        dL/dx^m*.

    Returns
    -------
    grad_inputs : ndarray of shape (batch, c_0)
    grad_weights, grad_biases : list of ndarray
        dL/dW^l and dL/dbeta^l, summed over the batch.

    Notes
    -----
    Solves J^T lambda = -g layer by layer (see the module docstring):
    lambda^m = -g / D^m and lambda^l = -W^(l+1)^T (x^(l+1) lambda^(l+1)) / D^l
    with D^l = rho^l - q (q-1) (x^l)^(q-1) (< 0 at the fixed point when
    h > 0). Then dF^l_i/dW^l_ij = x^l_i x^(l-1)_j and dF^l_i/dbeta^l_i = x^l_i.
    Where D^l = 0 (only h = 0 with rho = x = 0, the kink of the ReLU) the
    adjoint is set to 0, the subgradient :class:`rxnn.nn.ReLU` uses.

    Examples
    --------
    >>> import numpy as np
    >>> W, b = [np.array([[2.0]])], [np.array([0.0])]
    >>> x0 = np.array([[1.5]]); x1 = (3.0 + np.sqrt(9.0 + 4.0)) / 2   # x' = 1 + 3 x - x^2
    >>> _, gW, gb = steady_state_adjoint(W, b, [x0, np.array([[x1]])], 2, np.ones((1, 1)))
    >>> bool(np.isclose(gb[0][0], x1 / np.sqrt(13.0)))   # d phi(rho)/d rho = phi / sqrt(rho^2 + 4h)
    True
    """
    m = len(weights)
    grad_w: list[np.ndarray] = [np.empty(0)] * m
    grad_b: list[np.ndarray] = [np.empty(0)] * m
    upstream = np.asarray(grad_outputs, dtype=np.float64)  # -(J^T lambda) restricted to layer l, before dividing
    for l in range(m - 1, -1, -1):
        x_prev, x = activations[l], activations[l + 1]
        rho = x_prev @ weights[l].T + biases[l]
        diagonal = rho - q * (q - 1) * x ** (q - 1)
        safe = np.where(diagonal == 0, 1.0, diagonal)
        adjoint = np.where(diagonal == 0, 0.0, -upstream / safe)  # lambda^l
        flux = adjoint * x  # lambda^l_i dF^l_i/drho^l_i
        grad_w[l] = flux.T @ x_prev
        grad_b[l] = flux.sum(axis=0)
        upstream = flux @ weights[l]  # dL-part pushed to layer l-1 (sign: -J^T of the off-diagonal block)
    return upstream, grad_w, grad_b


class _SteadyStateFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, d: torch.Tensor, module: ChemicalSteadyState, *params: torch.Tensor) -> torch.Tensor:
        network = module.network()
        acts = module.chemistry.activations(network, _cpu64(d))
        ctx.activations = acts
        ctx.network = network
        ctx.save_for_backward(d, *params)
        return torch.as_tensor(acts[-1]).to(device=d.device, dtype=d.dtype)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[Any, ...]:
        d, *params = ctx.saved_tensors
        net = ctx.network
        _, q = activation_parameters(net.activation)
        grad_d, grad_w, grad_b = steady_state_adjoint(list(net.weights), list(net.biases), ctx.activations, q, _cpu64(grad))
        grads: list[Any] = []
        for p, g in zip(params, (g for pair in zip(grad_w, grad_b) for g in pair)):
            grads.append(torch.as_tensor(g).to(device=p.device, dtype=p.dtype))
        d_grad = torch.as_tensor(grad_d).to(device=d.device, dtype=d.dtype) if ctx.needs_input_grad[0] else None
        return (d_grad, None, *grads)


class ChemicalSteadyState(torch.nn.Module):
    """A feed-forward network evaluated as the steady state of its compiled reaction network.

    Parameters
    ----------
    network : FeedForwardNetwork or torch.nn.Sequential
        The initial parameters and the activation (SmoothReLU, ReLU or
        PolynomialActivation: what :func:`rxnn.compile_network` compiles). A
        ``Sequential`` is converted with :func:`rxnn.torch.from_torch`.
    nodes : float, default 1.0
        Starting concentration of every node; the steady state does not
        depend on it (Thm. 4.8, Prop. 4.9).
    dtype : torch.dtype, default torch.float64
        dtype of the parameters.

    Attributes
    ----------
    W1, b1, W2, b2, ... : torch.nn.Parameter
        W^l (c_l, c_{l-1}) and beta^l (c_l,), registered in this order, so
        ``parameters()`` yields them as ``to_torch(network).parameters()`` does;
        :attr:`weights` and :attr:`biases` list them by kind.
    chemistry : ChemicalForward
        The compiled reaction network and its counters (``calls``, ``seconds``).

    Notes
    -----
    Forward: outputs x^m* for inputs d of shape (batch, c_0), non-negative
    (they are concentrations), from :func:`rxnn.steady_state` at its default
    tolerance (flux balance 1e-11 relative, i.e. node values to about 2e-11
    relative). Backward: implicit differentiation of the steady state
    (:func:`steady_state_adjoint`), exact up to that tolerance. CPU float64 in
    between, the caller's device and dtype outside (module docstring).

    Examples
    --------
    >>> import torch
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 4, 2], SmoothReLU(1.0), seed=0)
    >>> model = ChemicalSteadyState(net)
    >>> d = torch.tensor([[0.2, 0.5, 0.9]], dtype=torch.float64)
    >>> out = model(d)
    >>> bool(torch.allclose(out, torch.as_tensor(net(d.numpy())), rtol=1e-9))
    True
    >>> out.sum().backward()
    >>> [tuple(p.grad.shape) for p in model.parameters()]
    [(4, 3), (4,), (2, 4), (2,)]
    """

    def __init__(self, network: FeedForwardNetwork | torch.nn.Sequential, *, nodes: float = 1.0,
                 dtype: torch.dtype = torch.float64) -> None:
        super().__init__()
        if isinstance(network, torch.nn.Sequential):
            network = from_torch(network)
        if not isinstance(network, FeedForwardNetwork):
            raise must_be("network", "ChemicalSteadyState", "a FeedForwardNetwork or a torch.nn.Sequential",
                          type(network).__name__)
        self.chemistry = ChemicalForward(network, nodes=nodes)  # compiles; refuses Sigmoid by name
        self.activation = network.activation
        self.n_layers = network.n_layers
        for l, (w, b) in enumerate(zip(network.weights, network.biases), start=1):  # registered W1, b1, W2, ...
            self.register_parameter(f"W{l}", torch.nn.Parameter(torch.tensor(w, dtype=dtype)))
            self.register_parameter(f"b{l}", torch.nn.Parameter(torch.tensor(b, dtype=dtype)))

    @property
    def weights(self) -> list[torch.nn.Parameter]:
        """W^1, ..., W^m."""
        return [getattr(self, f"W{l}") for l in range(1, self.n_layers + 1)]

    @property
    def biases(self) -> list[torch.nn.Parameter]:
        """beta^1, ..., beta^m."""
        return [getattr(self, f"b{l}") for l in range(1, self.n_layers + 1)]

    def ordered_parameters(self) -> list[torch.nn.Parameter]:
        """W^1, beta^1, ..., W^m, beta^m (also the order of ``parameters()``)."""
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def network(self) -> FeedForwardNetwork:
        """The current parameters as a :class:`FeedForwardNetwork` (float64 copies).

        Raises
        ------
        ComputationError
            If a parameter is NaN or infinite (training diverged).
        """
        try:
            return FeedForwardNetwork([_cpu64(w) for w in self.weights], [_cpu64(b) for b in self.biases],
                                      self.activation)
        except ValueError as exc:
            raise ComputationError(f"ChemicalSteadyState: {exc}; training diverged, lower the learning rate") from None

    def forward(self, d: torch.Tensor) -> torch.Tensor:
        """Steady-state outputs x^m* of shape (batch, c_m) for inputs of shape (batch, c_0).

        Raises
        ------
        InvalidArgumentError
            If ``d`` is not a 2-D tensor of width c_0 with finite values >= 0 (inputs are concentrations).
        rxnn.SteadyStateError
            If some member of the batch does not converge (never silently).
        """
        func, width = "ChemicalSteadyState.forward", self.chemistry.layer_sizes[0]
        if not isinstance(d, torch.Tensor) or d.ndim != 2 or d.shape[1] != width:
            got = tuple(d.shape) if isinstance(d, torch.Tensor) else type(d).__name__
            raise must_be("d", func, f"a tensor of shape (batch, {width})", got)
        bad = ~torch.isfinite(d) | (d < 0)
        if bool(bad.any()):
            row, col = (int(i) for i in torch.nonzero(bad)[0])
            raise must_be("d", func, "finite concentrations >= 0 (rescale the data, e.g. to [0, 1])",
                          f"{d[row, col].item()} at row {row}, input {col}")
        return _SteadyStateFunction.apply(d, self, *self.ordered_parameters())

    def extra_repr(self) -> str:
        sizes = "-".join(str(s) for s in self.chemistry.layer_sizes)
        return f"{sizes}, {self.activation!r}, {self.chemistry.compiled.network.n_reactions} reactions"
