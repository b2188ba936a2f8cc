"""Small reference networks with known answers, shared by the simulator and steady-state tests.

The first block holds networks from the paper, with their reactions written
out. :data:`REFERENCE_SYSTEMS` is the table that every ``simulate`` method,
every ``steady_state`` method and the SSA run through: each entry states its
independent truth (a closed-form solution, a conservation law, the steady
state the trajectory reaches, or what it does instead, a stationary
distribution).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

EXAMPLE_2_2 = """
X1 + X2 -> 2X2
X2 -> X1
"""

EXAMPLE_2_3 = """
0 -> X1 + X2
X1 <-> X3
X1 + X3 -> X3
"""

EXAMPLE_5_2 = """
X + Y + E -> 2Y + E ; k1
Y + F -> X + F ; k2
"""

NETWORK_17 = EXAMPLE_5_2 + "Z + F -> Z\n"


@dataclass(frozen=True)
class ReferenceSystem:
    """One network, one start, and what is known about where it goes.

    Attributes
    ----------
    steady : dict or None
        The steady state the trajectory from ``initial`` converges to; None
        where it converges to none, and then ``seen`` is a regular expression
        for what steady_state must report (oscillation, blow-up, growth).
    exact : callable or None
        t -> {species: value}, the closed-form solution, valid on [0, t_end].
    invariant : callable or None
        state dict -> float, constant along every trajectory (a conservation law or first integral).
    stationary : dict or None
        species -> (mean, variance) of the stationary distribution of the
        concentration at volume ``volume`` (for the SSA).
    cascade_decides : bool
        Whether the feed-forward cascade alone establishes the limit
        (method="cascade" must then succeed; otherwise it may refuse).
    """

    name: str
    text: str
    initial: dict[str, float]
    t_end: float
    steady: dict[str, float] | None = None
    seen: str = ""
    exact: Callable[[float], dict[str, float]] | None = None
    invariant: Callable[[dict], float] | None = None
    stationary: dict[str, tuple[float, float]] | None = None
    volume: float = 100.0
    cascade_decides: bool = False
    tags: tuple[str, ...] = field(default=())


def _node(t: float) -> dict[str, float]:
    return {"X": 2.0 * math.tanh(2.0 * t)}  # x' = 4 - x^2, x(0) = 0


REFERENCE_SYSTEMS: tuple[ReferenceSystem, ...] = (
    ReferenceSystem(
        "decay", "X -> 0 ; 0.5", {"X": 1.0}, 4.0, steady={"X": 0.0},
        exact=lambda t: {"X": math.exp(-0.5 * t)}, cascade_decides=True,
    ),
    ReferenceSystem(
        "dimerisation", "2X -> 0 ; 1", {"X": 2.0}, 5.0, steady={"X": 0.0},
        exact=lambda t: {"X": 2.0 / (1.0 + 4.0 * t)}, cascade_decides=True,  # x' = -2 x^2
        tags=("algebraic",),  # converges like 1 / t: the limit is seen in the closed form, not at t = 200
    ),
    ReferenceSystem(
        "node", "H -> H + X\n2X -> X", {"H": 4.0, "X": 0.0}, 3.0, steady={"X": 2.0, "H": 4.0},
        exact=_node, cascade_decides=True,
    ),
    ReferenceSystem(
        "reversible", "A -> B ; 2\nB -> A ; 1", {"A": 1.0, "B": 0.0}, 3.0, steady={"A": 1 / 3, "B": 2 / 3},
        exact=lambda t: {"A": 1 / 3 + 2 / 3 * math.exp(-3 * t), "B": 2 / 3 - 2 / 3 * math.exp(-3 * t)},
        invariant=lambda x: x["A"] + x["B"],
        # 100 molecules, each independently A with probability 1/3: binomial counts, concentration = count / V.
        stationary={"A": (1 / 3, 100 * (1 / 3) * (2 / 3) / 100**2)},
    ),
    ReferenceSystem(
        "birth-death", "0 -> X ; 2\nX -> 0 ; 1", {"X": 0.5}, 4.0, steady={"X": 2.0},
        exact=lambda t: {"X": 2.0 - 1.5 * math.exp(-t)}, cascade_decides=True,
        stationary={"X": (2.0, 2.0 / 100)},  # Poisson with mean 2 V molecules
    ),
    ReferenceSystem(
        "lotka-volterra", "X -> 2X\nX + Y -> 2Y\nY -> 0", {"X": 3.0, "Y": 1.0}, 20.0, seen="oscillation",
        invariant=lambda x: x["X"] - math.log(x["X"]) + x["Y"] - math.log(x["Y"]),  # a first integral
    ),
    ReferenceSystem(
        "brusselator-cycle", "0 -> X\n2X + Y -> 3X\nB + X -> B + Y\nX -> 0", {"X": 1.0, "Y": 1.0, "B": 3.0}, 20.0,
        seen="oscillation",  # b = 3 > 1 + a^2: the equilibrium (1, 3) is unstable, a limit cycle attracts
    ),
    ReferenceSystem(
        "brusselator-stable", "0 -> X\n2X + Y -> 3X\nB + X -> B + Y\nX -> 0", {"X": 1.0, "Y": 1.0, "B": 1.5}, 20.0,
        steady={"X": 1.0, "Y": 1.5, "B": 1.5},  # b = 1.5 < 1 + a^2: the equilibrium (a, b / a) is a stable focus
    ),
    ReferenceSystem(
        "blow-up", "2X -> 3X", {"X": 1.0}, 0.9, seen="blow-up",
        exact=lambda t: {"X": 1.0 / (1.0 - t)},  # x' = x^2 blows up at t = 1
    ),
    ReferenceSystem(
        "exponential-growth", "X -> 2X", {"X": 1.0}, 5.0, seen="growth",
        exact=lambda t: {"X": math.exp(t)},
    ),
    # Schlogl's bistable switch: x' = 8 - 14 x + 7 x^2 - x^3 = -(x - 1)(x - 2)(x - 4); 1 and 4 stable, 2 unstable.
    ReferenceSystem(
        "schlogl-low", "0 -> X ; 8\nX -> 0 ; 14\n2X -> 3X ; 7\n3X -> 2X ; 1", {"X": 1.9}, 10.0, steady={"X": 1.0},
    ),
    ReferenceSystem(
        "schlogl-high", "0 -> X ; 8\nX -> 0 ; 14\n2X -> 3X ; 7\n3X -> 2X ; 1", {"X": 2.1}, 10.0, steady={"X": 4.0},
    ),
)
