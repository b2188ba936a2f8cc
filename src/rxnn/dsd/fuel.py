"""What the fuels of a design can serve: fuel use per formal event, the horizon the fuels last, the box of starts.

A DNA design implements its formal network only while its gates and fuels
stay near their initial concentrations (the schemes' rate laws hold them
constant). Every firing of a formal reaction uses up (or gives back) a fixed
number of copies of each gate and fuel of its module
(:attr:`~rxnn.dsd.DSDModule.uses`, from the scheme): one formal unit of a
reaction's extent changes fuel f by ``uses * unit_nM`` nM. Integrating the
formal network with a counter of each reaction's extent gives, along the
formal trajectory from a start, each fuel's changed share; the *horizon* is
the formal time at which the first fuel has changed by ``depletion`` (1 %
by default: the rate laws are then off by about as much). A start is served
for a horizon T when its horizon is at least T.

The bound is derived from the formal trajectory, not from the DNA one (they
agree while the fuels last); :func:`rxnn.verify_network` on the DNA-level
network then checks the design from starts in the box
:func:`servable_box` gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rxnn._validation import check_positive_finite
from rxnn.crn.model import Reaction
from rxnn.crn.network import ReactionNetwork
from rxnn.dsd._pil import DSDError

__all__ = ["FuelBound", "fuel_use", "fuel_horizon", "servable_box"]


@dataclass(frozen=True)
class FuelBound:
    """How long a design's fuels serve one start of its formal network.

    Attributes
    ----------
    horizon : float
        Formal time at which the first gate or fuel has changed by
        ``depletion`` of its initial concentration (inf if none has by ``t_max``).
    fuel : str
        That gate or fuel ('' if none).
    depletion : float
    t_max : float
        How far the formal network was integrated.
    shares : dict of str to float
        Every gate and fuel's changed share |change| / initial at min(horizon, t_max).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> design = translate(ReactionNetwork.from_text("0 -> X ; 2"), "soloveichik2010", unit_nM=1e-5)
    >>> bound = design.fuel_bound({})
    >>> bound.fuel == design.modules[0].gate, round(bound.horizon)  # 1 % of a 20 pM gate at 2e-5 nM per time unit
    (True, 10)
    """

    horizon: float
    fuel: str
    depletion: float
    t_max: float
    shares: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        if not np.isfinite(self.horizon):
            return f"no gate or fuel changes by {self.depletion:.3g} of its concentration by formal time {self.t_max:g}"
        return (f"fuels last {self.horizon:.4g} formal time units ({self.fuel} is the first to change by "
                f"{self.depletion:.3g} of its concentration)")


def fuel_use(design: Any) -> dict[str, dict[int, int]]:
    """Gate or fuel -> {module: copies one firing of its formal reaction uses up} (negative: gives back).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> fuel_use(translate(ReactionNetwork.from_text("A + B -> C"), "soloveichik2010"))
    {'g_r0': {0: 1}, 'f_1': {0: -1}, 'f_2': {0: 1}}
    """
    out: dict[str, dict[int, int]] = {}
    for m in design.modules:
        for name, count in m.uses:
            out.setdefault(name, {})[m.index] = count
    return out


def _extent_network(network: ReactionNetwork) -> tuple[ReactionNetwork, list[str]]:
    """The network with a counter species per reaction, made once per firing (its extent)."""
    taken = set(network.species)
    prefix = "extent"
    while any(s.startswith(prefix) for s in taken):
        prefix += "x"
    names = [f"{prefix}_{j}" for j in range(network.n_reactions)]
    reactions = []
    for r, name in zip(network.reactions, names):
        reactions.append(Reaction(dict(r.reactants), {**dict(r.products), name: 1}, r.rate))
    return ReactionNetwork(reactions), names


def fuel_horizon(design: Any, formal_start: Mapping[str, float], *, depletion: float = 0.01,
                 t_max: float = 1000.0) -> FuelBound:
    """The formal time the design's gates and fuels last from a start of its formal network.

    Parameters
    ----------
    design : DSDDesign
    formal_start : mapping of str to float
        Formal concentrations of the formal network's species (unlisted: 0).
    depletion : float, default 0.01
        The share of a gate's or fuel's concentration whose change ends the horizon.
    t_max : float, default 1000
        Integrate the formal network this far (formal time units).

    Returns
    -------
    FuelBound

    Examples
    --------
    lakin2012 ``0 -> X ; 1.5``, ``X -> 0 ; 0.5`` with signals at 0.1 pM per
    formal unit: the padding strand (0.1 nM) drifts by ``unit * x``, a share
    of 3e-3 once x = 3, and the source gate (2 nM) runs down by 1.5e-4 nM per
    formal time unit, 1 % of it in 133 units:

    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> design = translate(ReactionNetwork.from_text("0 -> X ; 1.5\\nX -> 0 ; 0.5"), "lakin2012", unit_nM=1e-4)
    >>> bound = design.fuel_bound({})
    >>> round(bound.shares["f_2"], 4), bound.fuel, round(bound.horizon, 1)
    (0.003, 'g_r0', 133.3)
    """
    depletion = check_positive_finite(depletion, "depletion", "fuel_horizon")
    t_max = check_positive_finite(t_max, "t_max", "fuel_horizon")
    from rxnn.crn.simulate import simulate

    network, extents = _extent_network(design.network)
    unknown = [s for s in formal_start if s not in design.network.species]
    if unknown:
        raise DSDError(f"{unknown[0]!r} is not a species of the formal network; species: {list(design.network.species)[:8]}")
    start = {s: float(formal_start.get(s, 0.0)) for s in design.network.species}
    grid = np.unique(np.concatenate([[0.0], np.geomspace(1e-4 * t_max, t_max, 400)]))
    result = simulate(network, start, (0.0, t_max), t_eval=grid, rtol=1e-8, atol=1e-12)
    extent = np.vstack([np.asarray(result[name], dtype=float) for name in extents])  # (reactions, time)
    uses = fuel_use(design)
    shares = {}
    for name, per_module in uses.items():
        change = sum(count * extent[j] for j, count in per_module.items()) * design.unit_nM
        shares[name] = np.abs(change) / design.complexes[name].nM
    worst = np.max(np.vstack(list(shares.values())), axis=0) if shares else np.zeros(grid.size)
    over = np.flatnonzero(worst >= depletion)
    if not over.size:
        return FuelBound(float("inf"), "", depletion, t_max, {n: float(v[-1]) for n, v in shares.items()})
    k = int(over[0])
    name = max(shares, key=lambda n: shares[n][k])
    if k == 0:
        horizon = 0.0
    else:  # linear between the grid points around the crossing
        a, b = worst[k - 1], worst[k]
        horizon = float(grid[k - 1] + (grid[k] - grid[k - 1]) * (depletion - a) / (b - a))
    at = {n: float(np.interp(horizon, grid, v)) for n, v in shares.items()}
    return FuelBound(horizon, name, depletion, t_max, at)


def servable_box(design: Any, compiled: Any, d: Any, *, horizon: float, depletion: float = 0.01,
                 candidates: Any = None) -> float:
    """The largest B such that the fuels last ``horizon`` from every node at 0 and every node at B, for every input.

    The box [0, B]^n of node starts (formal units) that :func:`rxnn.verify_network`
    can take as ``initial_bound`` on the DNA-level network. It is checked at
    two corners of the box only (every node at 0, every node at B), not at
    the starts in between; the DNA-level verification simulates the
    design's own gates and fuels, so a start inside the box that they could
    not serve would show there as a failure.

    Parameters
    ----------
    design : DSDDesign
        A translation of ``compiled.network``.
    compiled : CompiledNetwork
    d : array_like of shape (c_0,) or (batch, c_0)
        Inputs.
    horizon : float
        Formal time the fuels must last.
    depletion : float, default 0.01
    candidates : array_like, optional
        Values of B tried (default 2^-6 ... 2^10 times the largest activation).

    Returns
    -------
    float
        B; 0.0 if only the start with every node at 0 is served.

    Raises
    ------
    DSDError
        If the fuels do not last ``horizon`` even from every node at 0.

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn import FeedForwardNetwork, SmoothReLU, compile_network
    >>> from rxnn.dsd import translate
    >>> net = FeedForwardNetwork([np.array([[1.0]])], [np.array([0.0])], SmoothReLU(0.1))
    >>> compiled = compile_network(net, absorb_enzymes=True)
    >>> design = translate(compiled.network, "lakin2012", unit_nM=1e-4, max_gate_nM=1e6)
    >>> servable_box(design, compiled, [1.0], horizon=20.0) >= 1.0
    True
    """
    horizon = check_positive_finite(horizon, "horizon", "servable_box")
    d = np.atleast_2d(np.asarray(d, dtype=float))
    top = max(1.0, float(max(np.max(a) for a in compiled.source.activations(d)[1:])))
    values = np.asarray(candidates if candidates is not None else top * 2.0 ** np.arange(-6, 11), dtype=float)
    n = int(sum(compiled.source.layer_sizes[1:]))

    def served(b: float) -> bool:
        for row in d:
            start = compiled.initial_state(row, np.full(n, b))
            if fuel_horizon(design, start, depletion=depletion, t_max=horizon).horizon < horizon:
                return False
        return True

    if not served(0.0):
        bound = fuel_horizon(design, compiled.initial_state(d[0], np.zeros(n)), depletion=depletion, t_max=horizon)
        raise DSDError(f"the fuels do not last {horizon:g} formal time units even from every node at 0 ({bound}); "
                       "raise the gate concentrations (min_nM, max_gate_nM) or lower unit_nM")
    best = 0.0
    for b in np.sort(values):
        if not served(float(b)):
            break
        best = float(b)
    return best
