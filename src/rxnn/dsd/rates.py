"""Gate concentrations from rate constants: the time unit and the lakin2012 gate/backward-strand ratios.

See :mod:`rxnn.dsd.schemes` for the rate laws these invert.
"""

from __future__ import annotations

import numpy as np

from rxnn.dsd._pil import DSDError
from rxnn.dsd.schemes import Scheme

__all__ = ["first_reactant_pools", "unsequestered", "time_unit", "gate_values", "balanced_sources",
           "source_and_gate_values", "GATE_FLOOR", "RELEASE_SPEEDUP"]

#: The default time unit is at least this many times the slowest fast step: soloveichik2010's translator
#: (1 / (q C)), lakin2012's reversible first step (1 / (q ([G] + [R]))), so that its lag is under 2 %.
RELEASE_SPEEDUP = 50.0

#: lakin2012: a gate whose backward strand would exceed the cap at ``min_nM`` is lowered, by at most this
#: factor, so that [G]/[R] keeps its value with R at the cap (slow sources: a gate that fires rarely).
GATE_FLOOR = 100.0


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
    need = min_nM / GATE_FLOOR / values if scheme.rate_fuel else values
    if need.max() > max_nM * (1 + 1e-9):
        j = int(np.argmax(need))
        spread = f"; the rates span {scale.max() / scale.min():.3g}x in these units" if scheme.rate_fuel else ""
        raise DSDError(
            f"time unit {time_unit_s:.4g} s needs a gate or backward strand of module {j} at {need[j]:.4g} nM, above "
            f"max_gate_nM={max_nM:g}{spread}: raise max_gate_nM, lower min_nM, or bring unit_nM closer to fuel_nM"
        )
    return float(time_unit_s)


def gate_values(scheme: Scheme, raw: list, rates: np.ndarray, *, unit_nM: float, fuel_nM: float, min_nM: float,
                max_gate_nM: float, time_unit_s: float | None) -> tuple[np.ndarray, float]:
    """Per module the gate concentration (soloveichik2010, nM) or [G]/[R] (lakin2012), and the time unit (s).

    ``raw`` holds (index, reactants, ...) per module as :func:`rxnn.dsd.translate`
    builds it; the values realise ``rates`` (formal) by the scheme's rate law,
    corrected for the signals and helper strands bound in gates.

    Examples
    --------
    ``A -> B`` at rate 1 with soloveichik2010: one unimolecular gate, k_phys = q [L] = 1 / tau.

    >>> from rxnn.dsd.schemes import get_scheme
    >>> ssw = get_scheme("soloveichik2010")
    >>> values, tau = gate_values(ssw, [(0, ["A"], ["B"])], np.array([1.0]), unit_nM=1.0, fuel_nM=1000.0,
    ...                           min_nM=100.0, max_gate_nM=1000.0, time_unit_s=None)
    >>> round(float(values[0] * ssw.q_per_nM_s * tau), 12)
    1.0
    """
    scale = np.array([rates[k] * (unit_nM / fuel_nM) ** (1 - len(r)) / scheme.q_per_nM_s for k, (_, r, *_) in enumerate(raw)])
    # Both schemes hold a first reactant bound after a reversible first step (G + X <-> GX + R), a share
    # rho = [G]/[R] per gate; the rate law is corrected for it (rates.unsequestered) and the default time
    # unit keeps the busiest signal's bound share near 1/8. soloveichik2010: R = C (fuel_nM), rho = [L]/C,
    # reversible only with two or more reactants; lakin2012: every module, rho from the backward strand.
    # A helper strand the gate reads first (lakin2012's source strand of 0 -> X) is bound like a signal,
    # and so is a helper read second by modules whose gates hold it (the padding strand): the share counts.
    gated = [(j, scheme.gate_inputs(r)) for j, r, *_ in raw]
    pools = first_reactant_pools(gated, scheme.min_reversible_reactants)
    ratio = scale / fuel_nM
    busiest = max((float(ratio[idx].sum()) for idx in pools.values()), default=0.0)
    given = time_unit_s is not None
    if scheme.rate_fuel:
        scale = ratio
        if not given:
            time_unit_s = 8.0 * (busiest or float(scale.max(initial=1.0)))
    elif not given:
        # soloveichik2010's translators and relays (at C) release the products at q C /s: keep that step
        # 50x faster than a formal time unit, so that released output strands (read as their products)
        # do not pile up in front of the translator.
        time_unit_s = max(8.0 * busiest, float(scale.max()) / max_gate_nM, RELEASE_SPEEDUP / (scheme.q_per_nM_s * fuel_nM))
    for _ in range(8):
        time_unit_s = time_unit(scheme, scale, time_unit_s, min_nM, max_gate_nM)
        values = scale / time_unit_s
        if not pools:
            break
        if scheme.rate_fuel:
            values = unsequestered(values, gated, pools, time_unit_s)
            # The reversible first step G + X <-> GX + R settles at q ([G] + [R]) /s; a formal time unit
            # RELEASE_SPEEDUP times longer keeps its lag under 2 % of a time unit. R = [G] / rho grows
            # with the time unit (rho ~ 1 / tau): lengthen it (at most until a backward strand is at the cap).
            settle = scheme.q_per_nM_s * min_nM * (1.0 + 1.0 / float(values.max())) * time_unit_s
            room = max_gate_nM * float(values.min()) / min_nM
            if given or settle >= RELEASE_SPEEDUP or room <= 1.0 + 1e-9:
                break
            time_unit_s *= min(float(np.sqrt(RELEASE_SPEEDUP / settle)) * 1.01, room)
            continue
        values = unsequestered(values / fuel_nM, gated, pools, time_unit_s) * fuel_nM
        over = float(values.max()) / max_gate_nM
        if over <= 1.0 + 1e-9:
            break
        if given:
            raise DSDError(f"time unit {time_unit_s:.4g} s needs a gate at {values.max():.4g} nM once the signals "
                           f"bound in gates are made up for, above max_gate_nM={max_gate_nM:g}: use a longer time_unit_s")
        time_unit_s *= over
    return values, float(time_unit_s)


def balanced_sources(scheme: Scheme, raw: list, values: np.ndarray, fuel_nM: float) -> tuple[np.ndarray, float | None]:
    """soloveichik2010 sources: the shared source strand I and each source gate at balanced concentrations.

    A source module ``0 -> X`` runs at q [G] [I] and uses up one gate and one
    source strand per firing. With I at the fuel concentration C the gate
    that realises a slow source is tiny and lasts a few formal time units;
    with I = sqrt(C sum_j [G_j]) (the gates as if I were at C) and each gate
    scaled by C / I, every source rate is unchanged and the gates and I run
    down by the same, smallest, share per formal time unit. Returns the
    gate values and I (nM; None without sources or for lakin2012).

    Examples
    --------
    >>> from rxnn.dsd.schemes import get_scheme
    >>> values, source = balanced_sources(get_scheme("soloveichik2010"), [(0, [], ["X"])], np.array([0.1]), 1000.0)
    >>> float(source), float(values[0])  # I = [G] = sqrt(0.1 * 1000): q [G] [I] = q 0.1 * 1000 as before
    (10.0, 10.0)
    """
    sources = [k for k, (_, reactants, *_rest) in enumerate(raw) if not reactants]
    if not sources or scheme.rate_fuel:
        return values, None
    source_nM = float(np.sqrt(fuel_nM * values[sources].sum()))
    values = values.copy()
    values[sources] *= fuel_nM / source_nM
    return values, source_nM


def source_and_gate_values(scheme: Scheme, raw: list, rates: np.ndarray, *, unit_nM: float, fuel_nM: float,
                           min_nM: float, max_gate_nM: float,
                           time_unit_s: float | None) -> tuple[np.ndarray, float, float | None]:
    """:func:`gate_values` with the source strand's concentration chosen too: (values, time unit, source nM or None).

    lakin2012 gives its source strand back (``src + gf -> src + X``), so its
    concentration s is free: the time unit comes from the other modules and
    s is set so that the source gates hold 1/8 of it (the busiest-signal
    rule) instead of C, where a slow source would need a backward strand far
    above the cap. soloveichik2010 uses its source strand up:
    :func:`balanced_sources`.

    Examples
    --------
    >>> from rxnn.dsd.schemes import get_scheme
    >>> raw = [(0, [], ["X"]), (1, ["X"], [])]
    >>> values, tau, s = source_and_gate_values(get_scheme("lakin2012"), raw, np.array([1.5, 0.5]), unit_nM=1e-3,
    ...                                         fuel_nM=0.1, min_nM=2.0, max_gate_nM=1e5, time_unit_s=None)
    >>> round(s / 0.1, 4)  # the source strand at 3 % of C
    0.03
    """
    units = dict(unit_nM=unit_nM, fuel_nM=fuel_nM, min_nM=min_nM, max_gate_nM=max_gate_nM)
    sources = [k for k, (_, reactants, *_rest) in enumerate(raw) if not reactants]
    if not (scheme.rate_fuel and sources and len(sources) < len(raw)):
        values, time_unit_s = gate_values(scheme, raw, rates, time_unit_s=time_unit_s, **units)
        values, source_nM = balanced_sources(scheme, raw, values, fuel_nM)
        return values, time_unit_s, source_nM
    others = [k for k in range(len(raw)) if k not in sources]
    if time_unit_s is None:
        time_unit_s = gate_values(scheme, [raw[k] for k in others], rates[others], time_unit_s=None, **units)[1]
    source_nM = min(fuel_nM, 8.0 * float(rates[sources].sum()) * unit_nM / (scheme.q_per_nM_s * fuel_nM * time_unit_s))
    needed = rates.copy()  # the rates the gates must realise were the source strand at C
    needed[sources] *= fuel_nM / source_nM
    values, time_unit_s = gate_values(scheme, raw, needed, time_unit_s=time_unit_s, **units)
    return values, time_unit_s, source_nM
