"""Acceptance: a PyTorch model trained on the 8 x 8 digits compiles through from_torch, and the
compiled reaction network's steady state is the model's float64 output (Table 1, Thm. 4.8)."""

import numpy as np
import torch

from rxnn import compile_network, steady_state
from rxnn.datasets import load_digits
from rxnn.torch import SmoothReLU, from_torch


def train_digits_model(epochs=5, seed=0):
    torch.manual_seed(seed)
    digits = load_digits()
    model = torch.nn.Sequential(torch.nn.Linear(64, 20), SmoothReLU(1.0), torch.nn.Linear(20, 10), SmoothReLU(1.0)).double()
    x = torch.tensor(digits.train.inputs())
    tau = torch.nn.functional.one_hot(torch.tensor(digits.train.labels), 10).double() * 9 + 1  # targets 10 / 1 of §6
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        for batch in torch.randperm(len(x)).split(32):
            optimizer.zero_grad()
            loss = 0.5 * ((model(x[batch]) - tau[batch]) ** 2).sum(dim=1).mean()
            loss.backward()
            optimizer.step()
    return model, digits


def test_trained_digits_model_equals_its_compiled_steady_state():
    model, digits = train_digits_model()
    test_x = digits.test.inputs()
    with torch.no_grad():
        expected = model(torch.tensor(test_x)).numpy()
    compiled = compile_network(from_torch(model))
    result = steady_state(compiled.network, compiled.initial_state(test_x))
    chemistry = compiled.layer_values(result)[-1]
    assert np.max(np.abs(chemistry - expected) / np.maximum(1.0, np.abs(expected))) < 1e-8
    predictions = np.argmax(chemistry, axis=1)
    np.testing.assert_array_equal(predictions, np.argmax(expected, axis=1))
    assert np.mean(predictions == digits.test.labels) > 0.85  # it did learn: 5 epochs give about 0.95
