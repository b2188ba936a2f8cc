"""Zero-order (source) modules of both schemes simulate at their formal rate (issue 16).

Independent truths: the closed forms of the formal ODEs, x(t) = k t for
``0 -> X`` and x(t) = (k1/k2)(1 - exp(-k2 t)) for ``0 -> X``, ``X -> 0``
(steady state k1/k2). The DNA-level network is peppercorn's condensed network
of the design, simulated by rxnn, read through crnverifier's CRN
bisimulation. Tolerances come from the design's own concentrations:

* lag: the fast step after the rate-setting one (lakin2012: the reversible
  first step G + src <-> G' + R, settling at q([G] + [R]); soloveichik2010:
  the translator at C, q C) takes theta = 1 / (rate * time unit) formal time
  units, so x lags k t by at most k theta (theta <= 1/50 by the design's
  default time unit);
* depletion: soloveichik2010 uses up one source gate and one source strand
  per firing, a share f = k unit / [G] + k unit / [I] of the rate per formal
  time unit, so by time t the rate is down by at most f t; lakin2012 gives
  its source strand back and uses one padding strand per formal X made
  (released again by X -> 0), so its padding strand drifts by unit * x / C;
* 0.5 % for the quasi-steady-state rate law.

Units: lakin2012 signals at 0.1 pM per formal unit (padding strand 0.1 nM,
gates 10 nM); soloveichik2010 at 10 fM (its source gate and strand are then
~20 pM and last ~1000 formal time units).
"""

from __future__ import annotations

import numpy as np
import pytest

from rxnn import ReactionNetwork, simulate
from rxnn.dsd import translate
from rxnn.dsd.enumeration import enumerate_design
from rxnn.dsd.fuel import fuel_use
from rxnn.dsd.verification import formal_readout, formal_values

UNITS = {
    "lakin2012": dict(unit_nM=1e-4, fuel_nM=0.1, min_nM=10.0),
    "soloveichik2010": dict(unit_nM=1e-5),
}


def _run(design, times):
    e = enumerate_design(design, modular=True)
    readout = formal_readout(design, e, modular=True)
    tau = design.time_unit_s
    times = np.asarray(times, dtype=float)
    res = simulate(e.network, e.initial_state(design, {}), (0, times[-1] * tau), t_eval=times * tau,
                   atol=1e-9 * design.unit_nM)
    return formal_values(readout, res)["X"] / design.unit_nM


def _lag(design):
    """Formal time the fast step after the rate-setting one takes (the largest over modules)."""
    q, tau = design.scheme.q_per_nM_s, design.time_unit_s
    if design.scheme.rate_fuel:
        return max(1.0 / (q * (design.complexes[m.gate].nM + design.complexes[f"b_r{m.index}"].nM) * tau)
                   for m in design.modules)
    return 1.0 / (q * design.fuel_nM * tau)


def _depletion_per_time(design, module):
    """Share of a source module's rate lost per formal time unit to the gates and fuels it uses up.

    The rate is proportional to the gate and (soloveichik2010) the source strand, each used once per
    firing (rxnn.dsd.fuel.fuel_use); lakin2012's source strand is given back and its gate lasts.
    """
    m = design.modules[module]
    rate_setting = {m.gate} | {n for n in m.complexes if "_src" in design.complexes[n].kernel}
    used = {n: per[module] for n, per in fuel_use(design).items() if module in per and n in rate_setting}
    return sum(count * m.rate * design.unit_nM / design.complexes[n].nM for n, count in used.items() if count > 0)


@pytest.mark.parametrize("scheme", sorted(UNITS))
def test_zero_order_module_makes_x_at_rate_k(scheme):
    k = 2.0
    design = translate(ReactionNetwork.from_text(f"0 -> X ; {k}"), scheme, **UNITS[scheme])
    assert design.formal_rate(0) == pytest.approx(k, rel=1e-9)
    times = np.array([0.25, 0.5, 1.0])
    x = _run(design, times)
    theta = _lag(design)
    assert theta <= 1 / 50 + 1e-12
    f = _depletion_per_time(design, 0)
    # x lags k t by at most k theta; the rate falls by at most f t (plus 0.5 % rate law).
    low = k * (times - theta) * (1 - f * times - 0.005)
    high = k * times * 1.005
    assert np.all(x >= low) and np.all(x <= high), (x, low, high)


@pytest.mark.parametrize("scheme", sorted(UNITS))
def test_birth_death_settles_at_k1_over_k2(scheme):
    k1, k2 = 1.5, 0.5
    design = translate(ReactionNetwork.from_text(f"0 -> X ; {k1}\nX -> 0 ; {k2}"), scheme, **UNITS[scheme])
    times = np.array([2.0, 10.0, 20.0])
    x = _run(design, times)
    exact = k1 / k2 * (1 - np.exp(-k2 * times))
    f = _depletion_per_time(design, 0)
    padding = design.unit_nM * exact / design.fuel_nM if design.scheme.rate_fuel else 0.0
    rtol = 0.005 + f * times + padding + k2 * _lag(design)
    np.testing.assert_array_less(np.abs(x - exact), rtol * exact)
    assert abs(x[-1] - k1 / k2) <= (0.005 + f * 20 + 0.01) * k1 / k2


@pytest.mark.parametrize("scheme", sorted(UNITS))
def test_fuel_use_per_firing_matches_the_simulated_dna(scheme):
    # The fuel bound rests on the fuel each firing uses (DSDModule.uses): compare it with the DNA-level
    # simulation. soloveichik2010's 0 -> X uses one source strand I per X made (I runs down by unit * x);
    # lakin2012's X -> 0 gives back one padding strand per X removed, its 0 -> X uses one, so the
    # padding strand moves by -unit * x (its free strand; the share bound in gates is ~[G]/[R] of a
    # strand read second, which is not held: 1 % tolerance).
    k1, k2 = 1.5, 0.5
    design = translate(ReactionNetwork.from_text(f"0 -> X ; {k1}\nX -> 0 ; {k2}"), scheme, **UNITS[scheme])
    e = enumerate_design(design, modular=True)
    readout = formal_readout(design, e, modular=True)
    tau, t = design.time_unit_s, 10.0
    res = simulate(e.network, e.initial_state(design, {}), (0, t * tau), t_eval=[t * tau], atol=1e-12 * design.unit_nM)
    x = formal_values(readout, res)["X"][-1] / design.unit_nM
    # Extents (formal units): deaths = integral of k2 x(s) ds with x(s) = (k1/k2)(1 - e^-k2 s); births - deaths = x.
    deaths = k1 * (t - (1 - np.exp(-k2 * t)) / k2)
    births = x + deaths
    checked = []
    for name, per in fuel_use(design).items():
        if design.complexes[name].role != "fuel" or name.startswith("b_r"):
            continue  # gates and backward strands: their free form is not all of them (bound states)
        expected = -(per.get(0, 0) * births + per.get(1, 0) * deaths) * design.unit_nM
        change = float(res[e.macrostate_of[name]][-1]) - design.complexes[name].nM
        if abs(expected) > 1e-3 * design.complexes[name].nM:  # the fuels the modules move by > 0.1 %
            assert change == pytest.approx(expected, rel=0.01), name
            checked.append(name)
    assert checked  # I (soloveichik2010), the padding strand (lakin2012)
