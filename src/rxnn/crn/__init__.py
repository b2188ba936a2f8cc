"""Reaction networks: the model, the text syntax, mass-action ODEs and simulation.

This package knows nothing of neural networks (paper §2 and §5.1).
"""

from rxnn.crn.bound import BoundProblem, bind
from rxnn.crn.draw import draw_network
from rxnn.crn.kinetics import MassActionSystem
from rxnn.crn.model import Complex, NetworkError, Reaction
from rxnn.crn.network import ReactionNetwork
from rxnn.crn.methods import REGISTRIES, SIMULATE_METHODS, STEADY_STATE_METHODS
from rxnn.crn.results import Result, SimulationError, SimulationResult, SteadyStateError, SteadyStateResult
from rxnn.crn.simulate import METHODS, simulate, steady_state
from rxnn.crn.stochastic import STOCHASTIC_METHODS, StochasticResult, simulate_stochastic
from rxnn.crn.text import TextSyntaxError

__all__ = [
    "BoundProblem",
    "bind",
    "Complex",
    "MassActionSystem",
    "METHODS",
    "NetworkError",
    "REGISTRIES",
    "Reaction",
    "ReactionNetwork",
    "Result",
    "SIMULATE_METHODS",
    "STEADY_STATE_METHODS",
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
