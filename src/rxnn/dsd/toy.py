"""The toy classifier the DNA gallery example, tests and measurements run as DNA (one builder for all three).

A 4-3-2 network trained by rxnn (:func:`rxnn.sgd_step`) on "is x1 + x2 > x3 + x4?"
(targets (1, 0.2) or (0.2, 1)), from :meth:`FeedForwardNetwork.random` with
seed 4, 300 steps of rate 0.2 on 64 uniform points (seed 3). With
``biases=False`` the biases are held at 0 (the absorbed form, §5.1, then has
only bimolecular reactions); with ``h > 0`` the activation is the smoothed
ReLU (eq. (4)) and the compiled network has the zero-order reactions
``0 -> X`` at rate h (Table 1's ``H -> H + X`` absorbed).
"""

from __future__ import annotations

import numpy as np

from rxnn.nn.activations import ReLU, SmoothReLU
from rxnn.nn.backprop import sgd_step
from rxnn.nn.network import FeedForwardNetwork

__all__ = ["toy_classifier"]


def toy_classifier(*, biases: bool = True, h: float = 0.0, steps: int = 300) -> tuple[FeedForwardNetwork, np.ndarray]:
    """Train the 4-3-2 toy classifier; returns the network and its 64 training inputs.

    Parameters
    ----------
    biases : bool, default True
        Train the biases (False: held at 0).
    h : float, default 0
        Smoothing of the ReLU (0: the ReLU itself).
    steps : int, default 300
        Gradient steps (rate 0.2, whole batch).

    Examples
    --------
    >>> net, x = toy_classifier(biases=False, steps=10)
    >>> net.layer_sizes, x.shape, [float(abs(b).max()) for b in net.biases]
    ((4, 3, 2), (64, 4), [0.0, 0.0])
    """
    rng = np.random.default_rng(3)
    x = rng.uniform(size=(64, 4))
    y = np.where((x[:, :2].sum(axis=1) > x[:, 2:].sum(axis=1))[:, None], [1.0, 0.2], [0.2, 1.0])
    activation = SmoothReLU(h) if h > 0 else ReLU()
    net = FeedForwardNetwork.random([4, 3, 2], activation, seed=4)
    if not biases:
        net = FeedForwardNetwork(net.weights, [np.zeros_like(b) for b in net.biases], activation)
    for _ in range(int(steps)):
        trained = sgd_step(net, x, y, eta=0.2).network
        net = trained if biases else FeedForwardNetwork(trained.weights, [np.zeros_like(b) for b in net.biases],
                                                        activation)
    return net, x
