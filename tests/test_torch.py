"""rxnn.torch: activations with exact gradients, from_torch / to_torch, lazy import."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import rxnn
from rxnn import nn as rnn
from rxnn.errors import RxnnError
from rxnn.torch import ConversionError, PolynomialActivation, SmoothReLU, from_torch, to_torch

SRC = Path(__file__).resolve().parents[1] / "src"


def test_import_rxnn_does_not_import_torch():
    code = "import sys, rxnn; assert 'torch' not in sys.modules; rxnn.from_torch; assert 'torch' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(SRC)})


def test_lazy_attributes_are_the_torch_functions():
    assert rxnn.from_torch is from_torch and rxnn.to_torch is to_torch
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        rxnn.nope  # noqa: B018


@pytest.mark.parametrize("h", [1.0, 0.25, 0.0])
def test_smooth_relu_matches_eq4_and_its_derivative(h):
    y = torch.linspace(-50, 50, 1001, dtype=torch.float64, requires_grad=True)
    phi = SmoothReLU(h)(y)
    phi.sum().backward()
    ref = rnn.SmoothReLU(h)
    # eq. (4) evaluated by rxnn.nn, and the closed-form derivative (1 + y / sqrt(y^2 + 4h)) / 2
    np.testing.assert_allclose(phi.detach().numpy(), ref(y.detach().numpy()), rtol=1e-14, atol=0)
    yy = y.detach().numpy()
    if h > 0:
        exact = 0.5 * (1 + yy / np.sqrt(yy**2 + 4 * h))
    else:
        exact = (yy > 0).astype(float)
    np.testing.assert_allclose(y.grad.numpy(), exact, rtol=1e-12, atol=1e-300)


def test_smooth_relu_gradient_passes_gradcheck():
    y = torch.randn(20, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(SmoothReLU(0.5), (y,), eps=1e-6, atol=1e-9)


@pytest.mark.parametrize("q", [3, 4])
def test_polynomial_activation_is_the_root_and_has_the_implicit_derivative(q):
    y = torch.linspace(-5, 5, 201, dtype=torch.float64, requires_grad=True)
    phi = PolynomialActivation(q, 1.0)(y)
    x = phi.detach().numpy()
    yy = y.detach().numpy()
    np.testing.assert_allclose(1.0 + yy * x - (q - 1) * x**q, 0.0, atol=1e-12)  # root of h + y x - (q-1) x^q
    assert torch.autograd.gradcheck(PolynomialActivation(q, 1.0), (y[::20].detach().requires_grad_(),), eps=1e-6, atol=1e-8)


def test_float32_and_shape_are_kept():
    y = torch.randn(3, 4, dtype=torch.float32)
    for module in (SmoothReLU(1.0), PolynomialActivation(3, 1.0)):
        out = module(y)
        assert out.dtype == torch.float32 and out.shape == (3, 4)


@pytest.mark.parametrize("module, match", [(lambda: SmoothReLU(-1.0), "h of rxnn.torch.SmoothReLU"),
                                           (lambda: PolynomialActivation(1, 1.0), "q of rxnn.torch.PolynomialActivation")])
def test_bad_activation_parameters(module, match):
    with pytest.raises(RxnnError, match=match):
        module()


@pytest.mark.parametrize("activation", [rnn.SmoothReLU(1.0), rnn.ReLU(), rnn.PolynomialActivation(3, 0.5), rnn.Sigmoid()])
def test_round_trip_and_same_function(activation):
    net = rnn.FeedForwardNetwork.random([5, 7, 3], activation, seed=3)
    model = to_torch(net)
    assert from_torch(model) == net
    d = np.random.default_rng(0).uniform(size=(11, 5))
    np.testing.assert_allclose(model(torch.tensor(d)).detach().numpy(), net(d), rtol=1e-13, atol=1e-15)


def test_from_torch_reads_float32_linear_without_bias():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False), torch.nn.ReLU())
    net = from_torch(model)
    assert net.activation == rnn.ReLU()
    np.testing.assert_array_equal(net.biases[0], np.zeros(3))
    np.testing.assert_array_equal(net.weights[0], model[0].weight.detach().double().numpy())


@pytest.mark.parametrize("model, match", [
    (torch.nn.Linear(2, 2), "must be a torch.nn.Sequential"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh()), r"model\[1\] \(Tanh\) is not supported"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(), torch.nn.ReLU()), r"model\[1\] \(Dropout\)"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 2), torch.nn.ReLU()), "follows another Linear"),
    (torch.nn.Sequential(torch.nn.ReLU()), "does not follow a Linear"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2)), "without an activation"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 2), SmoothReLU(1.0)), "mixes activations"),
    (torch.nn.Sequential(), "no Linear layer"),
])
def test_from_torch_refuses_by_name(model, match):
    with pytest.raises(ConversionError, match=match):
        from_torch(model)


def test_from_torch_refuses_nan_parameters():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
    with torch.no_grad():
        model[0].weight[0, 1] = float("nan")
    with pytest.raises(ConversionError, match=r"W1 .* at index \(0, 1\)"):
        from_torch(model)


def test_to_torch_refuses_non_networks():
    with pytest.raises(RxnnError, match="network of to_torch must be a FeedForwardNetwork"):
        to_torch("net")
