"""Gate concentrations from rate constants: the time unit and the lakin2012 gate/backward-strand ratios.

See :mod:`rxnn.dsd.schemes` for the rate laws these invert.
"""

from __future__ import annotations

import numpy as np

from rxnn.dsd._pil import DSDError
from rxnn.dsd.schemes import Scheme

__all__ = ["first_reactant_pools", "unsequestered", "time_unit"]


def first_reactant_pools(raw: list, min_reactants: int = 1) -> dict[str, np.ndarray]:
    """Modules by first reactant: the gates in which one signal is bound after the first, reversible step.

    Only modules with at least ``min_reactants`` reactants have that step
    (soloveichik2010: 2, a unimolecular gate is irreversible; lakin2012: 1).

    Examples
    --------
    ``raw`` holds (index, reactants, products, ...) per module, as :func:`rxnn.dsd.translate` builds it:

    >>> first_reactant_pools([(0, ["A", "B"], ["C"]), (1, ["A"], ["D"]), (2, ["B", "B"], [])], 2)
    {'A': array([0]), 'B': array([2])}
    """
    pools: dict[str, list[int]] = {}
    for k, (_, reactants, *_rest) in enumerate(raw):
        if len(reactants) >= max(1, min_reactants):
            pools.setdefault(reactants[0], []).append(k)
    return {s: np.array(v) for s, v in pools.items()}


def unsequestered(targets: np.ndarray, raw: list, pools: dict[str, np.ndarray], time_unit_s: float) -> np.ndarray:
    """Gate/backward-strand ratios rho that realise ``targets`` although signals are partly bound.

    After G + X <-> G1 + R (equal rates both ways) each gate that X enters
    first holds rho times the free X, so the free share of X is 1/(1 + S_X),
    S_X the sum of those rho. A module then runs at q rho C^(2-n) times the
    product of its reactants' free shares: rho_m = t_m * prod_i (1 + S_i),
    solved by fixed-point iteration (it converges while every S_X stays
    below about 1, which the default time unit ensures).

    Examples
    --------
    One gate entered first by X, target 0.5: rho = 0.5 (1 + rho), so rho = 1.

    >>> raw = [(0, ["X"], ["Y"])]
    >>> unsequestered(np.array([0.5]), raw, first_reactant_pools(raw), 1.0)
    array([1.])
    """
    index = {s: k for k, s in enumerate(pools)}
    # (module, pool) pairs, one per reactant that is a pooled signal (repeated for 2X).
    pairs = [(m, index[r]) for m, (_, reactants, *_rest) in enumerate(raw) for r in reactants if r in index]
    mods = np.array([p[0] for p in pairs], dtype=np.int64)
    pool_of = np.array([p[1] for p in pairs], dtype=np.int64)
    first = np.full(len(raw), -1, dtype=np.int64)
    for k, idx in enumerate(pools.values()):
        first[idx] = k
    has_first = first >= 0
    bound = np.zeros(len(pools))
    for _ in range(200):
        log_factor = np.bincount(mods, weights=np.log1p(bound[pool_of]), minlength=len(raw))
        rho = targets * np.exp(log_factor)
        new = np.bincount(first[has_first], weights=rho[has_first], minlength=len(pools))
        if not np.all(np.isfinite(new)) or new.max(initial=0.0) > 1e3:
            break
        if np.allclose(new, bound, rtol=1e-13, atol=0.0):
            return rho
        bound = new
    raise DSDError(
        f"time unit {time_unit_s:.4g} s is too short: the signals would be bound in their gates faster than the "
        "gate concentrations can compensate; use a longer time_unit_s"
    )


def time_unit(scheme: Scheme, scale: np.ndarray, time_unit_s: float | None, min_nM: float, max_nM: float) -> float:
    """The time unit: given, or the one that fits every gate (and backward strand) in [min_nM, max_nM].

    Examples
    --------
    soloveichik2010 puts the fastest gate (scale 8 nM s) at the cap of 1000 nM:

    >>> from rxnn.dsd.schemes import get_scheme
    >>> time_unit(get_scheme("soloveichik2010"), np.array([2.0, 8.0]), None, 1.0, 1000.0)
    0.008
    """
    if not scale.size:
        return float(time_unit_s or 1.0)
    if time_unit_s is None:  # SSW: the fastest gate at the cap
        time_unit_s = float(scale.max() / max_nM)
    values = scale / time_unit_s
    need = min_nM / values if scheme.rate_fuel else values
    if need.max() > max_nM * (1 + 1e-9):
        j = int(np.argmax(need))
        spread = f"; the rates span {scale.max() / scale.min():.3g}x in these units" if scheme.rate_fuel else ""
        raise DSDError(
            f"time unit {time_unit_s:.4g} s needs a gate or backward strand of module {j} at {need[j]:.4g} nM, above "
            f"max_gate_nM={max_nM:g}{spread}: raise max_gate_nM, lower min_nM, or bring unit_nM closer to fuel_nM"
        )
    return float(time_unit_s)
