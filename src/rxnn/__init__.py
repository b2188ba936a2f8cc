"""rxnn: neural networks as chemical reaction networks.

Implements Anderson, Deshpande & Joshi, "On reaction network implementations
of neural networks", J. R. Soc. Interface (2021): reaction networks (§2, §5.1),
feed-forward networks (§3), the compiler of Table 1 (§5.2) and the checks that
the chemistry implements the network (Def. 4.1, 4.7).
"""

__version__ = "0.1.0"

from rxnn.crn import (  # noqa: E402
    BoundProblem,
    bind,
    Complex,
    NetworkError,
    Reaction,
    ReactionNetwork,
    SimulationError,
    SimulationResult,
    SteadyStateError,
    SteadyStateResult,
    StochasticResult,
    TextSyntaxError,
    simulate,
    simulate_stochastic,
    steady_state,
)

from rxnn.compile import CompiledNetwork, CompileError, compile_network  # noqa: E402
from rxnn.nn import (  # noqa: E402
    CrossEntropyCost,
    FeedForwardNetwork,
    OneNormCost,
    PolynomialActivation,
    PolynomialNodeActivation,
    QuadraticCost,
    ReLU,
    Sigmoid,
    SmoothReLU,
    gradients,
    sgd_step,
)
from rxnn.verify import VerificationResult, verify_network  # noqa: E402

__all__ = [
    "CompiledNetwork",
    "CompileError",
    "CrossEntropyCost",
    "FeedForwardNetwork",
    "OneNormCost",
    "PolynomialActivation",
    "PolynomialNodeActivation",
    "QuadraticCost",
    "ReLU",
    "Sigmoid",
    "SmoothReLU",
    "VerificationResult",
    "compile_network",
    "gradients",
    "sgd_step",
    "verify_network",
    "Complex",
    "NetworkError",
    "Reaction",
    "ReactionNetwork",
    "SimulationError",
    "SimulationResult",
    "SteadyStateError",
    "SteadyStateResult",
    "StochasticResult",
    "TextSyntaxError",
    "simulate",
    "simulate_stochastic",
    "steady_state",
    "bind",
    "BoundProblem",
]

_LAZY_TORCH = ("from_torch", "to_torch")


def __getattr__(name: str):  # PEP 562: rxnn.from_torch / rxnn.to_torch import torch only when used
    if name in _LAZY_TORCH:
        import rxnn.torch

        return getattr(rxnn.torch, name)
    raise AttributeError(f"module 'rxnn' has no attribute {name!r}")
