"""Training ReLU networks with weights in {-1, 0, 1} for the rate-independent construction.

Binary-weight training after Vasić et al. (ICML 2020), who train BinaryConnect
networks with zero weights allowed: real "shadow" weights W are kept, the
forward and backward passes use their ternary image alpha T(W) (T = sign(W)
where |W| > 0.7 mean |W|, else 0; alpha = mean |W| over the kept entries, as
ternary weight networks do), and the gradient with respect to alpha T(W) is
applied to W (the straight-through estimator). Gradients come from
:func:`rxnn.nn.gradients` (eq. (10), quadratic cost).

The trained network is returned with pure ternary weights T^l: ReLU is
positively homogeneous, so scaling layer l by alpha_l and its bias by
1 / (alpha_1 ... alpha_l) scales every activation of layer l by
1 / (alpha_1 ... alpha_l) and leaves the predicted class (the largest output)
unchanged. That network has integer weights and needs no quantisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rxnn._validation import check_int, check_positive_finite
from rxnn.experiments.training import targets
from rxnn.nn import FeedForwardNetwork, ReLU, gradients

__all__ = ["ternarize", "train_ternary_relu"]


def ternarize(W: np.ndarray) -> tuple[np.ndarray, float]:
    """T(W) in {-1, 0, 1} and its scale alpha (mean |W| over the entries kept).

    Examples
    --------
    >>> import numpy as np
    >>> T, alpha = ternarize(np.array([[0.9, -0.05, -1.1]]))
    >>> T.tolist(), alpha
    ([[1.0, 0.0, -1.0]], 1.0)
    """
    W = np.asarray(W, dtype=np.float64)
    keep = np.abs(W) > 0.7 * np.mean(np.abs(W))
    T = np.where(keep, np.sign(W), 0.0)
    return T, (float(np.mean(np.abs(W[keep]))) if keep.any() else 1.0)


def _scaled(real: Sequence[np.ndarray], bias: Sequence[np.ndarray]) -> FeedForwardNetwork:
    return FeedForwardNetwork([a * T for T, a in map(ternarize, real)], list(bias), ReLU())


def _pure(real: Sequence[np.ndarray], bias: Sequence[np.ndarray]) -> FeedForwardNetwork:
    scale, weights, biases = 1.0, [], []
    for W, b in zip(real, bias):
        T, alpha = ternarize(W)
        scale *= alpha
        weights.append(T)
        biases.append(np.asarray(b) / scale)
    return FeedForwardNetwork(weights, biases, ReLU())


def train_ternary_relu(
    data: Any, layer_sizes: Sequence[int], *, iterations: int = 2000, batch_size: int = 20, eta: float = 0.05,
    seed: int = 0, restarts: int = 3,
) -> FeedForwardNetwork:
    """Train a ReLU network whose weights are in {-1, 0, 1} (straight-through estimator).

    Parameters
    ----------
    data : LabelledSplit
        Training inputs in [0, 1] and integer labels (e.g. ``load_iris().train``).
    layer_sizes : sequence of int
    iterations, batch_size, eta : SGD settings; targets 1 at the label and 0.2 elsewhere
        (above 0 so that output ReLUs are not trained into the dead region).
    seed : int
    restarts : int, default 3
        Independent initialisations (seeds seed, seed+1, ...); the one with the best
        training accuracy is returned (the test split is never looked at).

    Returns
    -------
    FeedForwardNetwork
        ReLU activation, ternary weights, real biases.

    Examples
    --------
    >>> from rxnn.datasets import load_xor
    >>> net = train_ternary_relu(load_xor().train, (2, 4, 2), iterations=50, restarts=1)
    >>> set(net.weights[0].ravel().tolist()) <= {-1.0, 0.0, 1.0}
    True
    """
    func = "train_ternary_relu"
    iterations = check_int(iterations, "iterations", func, minimum=1)
    batch_size = check_int(batch_size, "batch_size", func, minimum=1)
    restarts = check_int(restarts, "restarts", func, minimum=1)
    eta = check_positive_finite(eta, "eta", func)
    sizes = tuple(int(s) for s in layer_sizes)
    x, y = data.inputs(), np.asarray(data.labels)
    best, best_acc = None, -1.0
    for r in range(restarts):
        rng = np.random.default_rng(seed + r)
        real = [rng.uniform(-1.0, 1.0, (b, a)) * np.sqrt(6.0 / a) for a, b in zip(sizes[:-1], sizes[1:])]
        bias = [np.full(b, 0.3) for b in sizes[1:]]
        for _ in range(iterations):
            idx = rng.choice(len(y), min(batch_size, len(y)), replace=False)
            dW, db = gradients(_scaled(real, bias), x[idx], targets(y[idx], sizes[-1], high=1.0, low=0.2))
            real = [W - eta * g for W, g in zip(real, dW)]
            bias = [b - eta * g for b, g in zip(bias, db)]
        net = _pure(real, bias)
        acc = float(np.mean(np.argmax(net(x), axis=1) == y))
        if acc > best_acc:
            best, best_acc = net, acc
    return best
