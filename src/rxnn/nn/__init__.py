"""The neural-network half of rxnn: networks, activations, costs, backpropagation.

This subpackage knows nothing about chemistry. It implements the feed-forward
networks of Anderson, Deshpande & Joshi (2021), §3: the hardwired network
(eqs. (6)-(7)), the activation functions of §3.2 and §6.1, the costs of §3.3
and backpropagation (eq. (10)) with the gradient-descent update of §6.
"""

from rxnn.nn.activations import (
    ACTIVATIONS,
    Activation,
    PolynomialActivation,
    ReLU,
    Sigmoid,
    SmoothReLU,
    get_activation,
)
from rxnn.nn.backprop import SGDStep, gradients, sgd_step
from rxnn.nn.costs import (
    COSTS,
    Cost,
    CrossEntropyCost,
    OneNormCost,
    QuadraticCost,
    get_cost,
)
from rxnn.nn.network import FeedForwardNetwork
from rxnn.nn.polynomial_node import PolynomialNodeActivation

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "PolynomialActivation",
    "PolynomialNodeActivation",
    "ReLU",
    "Sigmoid",
    "SmoothReLU",
    "get_activation",
    "FeedForwardNetwork",
    "COSTS",
    "Cost",
    "QuadraticCost",
    "OneNormCost",
    "CrossEntropyCost",
    "get_cost",
    "gradients",
    "sgd_step",
    "SGDStep",
]
