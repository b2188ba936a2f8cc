"""Reaction networks: the model, the text syntax, mass-action ODEs and simulation.

This package knows nothing of neural networks (paper §2 and §5.1).
"""

from rxnn.crn.draw import draw_network
from rxnn.crn.kinetics import MassActionSystem
from rxnn.crn.model import Complex, NetworkError, Reaction
from rxnn.crn.network import ReactionNetwork
from rxnn.crn.results import SimulationError, SimulationResult, SteadyStateError, SteadyStateResult
from rxnn.crn.simulate import METHODS, simulate, steady_state
from rxnn.crn.stochastic import STOCHASTIC_METHODS, StochasticResult, simulate_stochastic
from rxnn.crn.text import TextSyntaxError

__all__ = [
    "Complex",
    "MassActionSystem",
    "METHODS",
    "NetworkError",
    "Reaction",
    "ReactionNetwork",
    "SimulationError",
    "SimulationResult",
    "SteadyStateError",
    "SteadyStateResult",
    "STOCHASTIC_METHODS",
    "StochasticResult",
    "TextSyntaxError",
    "draw_network",
    "simulate",
    "simulate_stochastic",
    "steady_state",
]
