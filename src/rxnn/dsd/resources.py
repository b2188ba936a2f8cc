"""What a lab needs for a design: strands, domains, nucleotides, concentrations, time.

All numbers come from the design itself (no enumeration): distinct strands
and domains, nucleotides of the distinct strands (one copy each), gates and
fuels per formal reaction, the concentration ranges, the formal rate range
the gate concentrations realise and the time to answer in seconds.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from rxnn.dsd.design import DSDDesign

__all__ = ["design_budget", "design_summary", "budget_table"]

#: Formal time used for "time to answer" (the compiled networks of §6 settle in a few to tens of units).
ANSWER_FORMAL_TIME = 10.0


def design_budget(design: DSDDesign, *, formal_time: float = ANSWER_FORMAL_TIME) -> dict[str, Any]:
    """Counts and ranges of a design, as a dict (see :func:`design_summary` for the printed form).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> b = design_budget(translate(ReactionNetwork.from_text("A + B -> C")))
    >>> b["strands"], b["domains"], b["gates"], b["fuels"]
    (7, 12, 1, 2)
    """
    strands: set[tuple[str, ...]] = set()
    for c in design.complexes.values():
        strands.update(c.strands)
    lengths = design.domains
    nt = sum(lengths[d.rstrip("*")] for s in strands for d in s)
    roles = Counter(c.role for c in design.complexes.values())
    gates = np.array([design.complexes[m.gate].nM for m in design.modules]) if design.modules else np.zeros(0)
    fuels = np.array([c.nM for c in design.complexes.values() if c.role == "fuel"])
    rates = np.array([design.formal_rate(m) for m in design.modules]) if design.modules else np.zeros(0)
    per_type = []
    for key, members in design.reaction_types.items():
        m = design.modules[members[0]]
        own = [design.complexes[n] for n in m.complexes]
        per_type.append({
            "type": m.formal_reaction,
            "modules": len(members),
            "complexes": len(own),
            "strands": sum(len(c.strands) for c in own),
            "nucleotides": sum(lengths[d.rstrip("*")] for c in own for s in c.strands for d in s),
        })
    return {
        "scheme": design.scheme.name,
        "citation": design.scheme.citation,
        "formal_reactions": design.n_modules,
        "formal_species": len(design.signal_species),
        "strands": len(strands),
        "domains": len(lengths),
        "nucleotides": nt,
        "gates": roles["gate"],
        "fuels": roles["fuel"],
        "intermediates": roles["intermediate"],
        "gate_nM": (float(gates.min()), float(gates.max())) if gates.size else (0.0, 0.0),
        "fuel_nM": (float(fuels.min()), float(fuels.max())) if fuels.size else (0.0, 0.0),
        "total_nM": float(gates.sum() + fuels.sum()),
        "formal_rates": (float(rates.min()), float(rates.max())) if rates.size else (0.0, 0.0),
        "unit_nM": design.unit_nM,
        "time_unit_s": design.time_unit_s,
        "formal_time": formal_time,
        "answer_s": formal_time * design.time_unit_s,
        "per_type": per_type,
    }


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.3g} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.3g} h"
    return f"{seconds / 86400:.3g} days"


def design_summary(design: DSDDesign, *, formal_time: float = ANSWER_FORMAL_TIME) -> str:
    """A plain-text budget of a design: what to order, at which concentrations, and how long it runs.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> text = design_summary(translate(ReactionNetwork.from_text("A + B -> C"), "soloveichik2010"))
    >>> print(text.splitlines()[2])
      complexes: 3 signals, 1 gates, 2 fuels
    """
    b = design_budget(design, formal_time=formal_time)
    lo, hi = b["formal_rates"]
    lines = [
        f"DNA design, scheme {b['scheme']} ({b['citation']})",
        f"  formal network: {b['formal_species']} species, {b['formal_reactions']} reactions (one module each)",
        f"  complexes: {b['formal_species']} signals, {b['gates']} gates, {b['fuels']} fuels"
        + (f", {b['intermediates']} intermediates" if b["intermediates"] else ""),
        f"  distinct strands: {b['strands']}; distinct domains: {b['domains']}; nucleotides (one copy of each strand): "
        f"{b['nucleotides']:,}",
        f"  gates {b['gate_nM'][0]:.4g}-{b['gate_nM'][1]:.4g} nM, fuels {b['fuel_nM'][0]:.4g}-{b['fuel_nM'][1]:.4g} nM, "
        f"total {b['total_nM'] / 1e3:.4g} uM of DNA complexes",
        f"  formal rate constants realised: {lo:.4g} to {hi:.4g} (1 formal concentration unit = {b['unit_nM']:g} nM)",
        f"  time: 1 formal time unit = {_duration(b['time_unit_s'])}; {formal_time:g} units (time to answer) = "
        f"{_duration(b['answer_s'])}",
        "  per reaction type (complexes / strands / nt per module, shared fuels included):",
    ]
    for t in b["per_type"][:12]:
        lines.append(f"    {t['type']:<32} x{t['modules']:<7} {t['complexes']} / {t['strands']} / {t['nucleotides']}")
    if len(b["per_type"]) > 12:
        lines.append(f"    ... {len(b['per_type']) - 12} more types")
    return "\n".join(lines)


def budget_table(compiled: Any, schemes: tuple[str, ...] = ("soloveichik2010", "lakin2012")) -> str:
    """A markdown table of the DNA budget of a compiled network, one row per scheme, at the scheme's default units.

    soloveichik2010 takes the Table 1 form (trimolecular; enzymes as
    signals), lakin2012 the absorbed form of §5.1 (bimolecular), both built
    from ``compiled.source`` with :func:`rxnn.compile_network`. Counts do not
    depend on concentrations; the gate cap is lifted so that the table shows
    the largest concentration the rates need (above ~1e5 nM = 100 uM a lab
    cannot make it: the rate constants span too wide a range).

    Parameters
    ----------
    compiled : CompiledNetwork
    schemes : tuple of str

    Returns
    -------
    str
        Markdown: scheme, form, reactions, strands, domains, nucleotides,
        gates, fuels, largest concentration needed, one formal time unit.

    Examples
    --------
    >>> from rxnn import FeedForwardNetwork, SmoothReLU, compile_network
    >>> table = budget_table(compile_network(FeedForwardNetwork.random([1, 1], SmoothReLU(1.0), seed=0)))
    >>> [row.split(" | ")[1:3] for row in table.splitlines()[2:]]  # 6 reactions, 4 when absorbed
    [['Table 1', '6'], ['absorbed (§5.1)', '4']]
    """
    from rxnn.compile import compile_network
    from rxnn.dsd.design import translate
    from rxnn.dsd.schemes import get_scheme

    rows = [
        "| scheme | network form | reactions | strands | domains | nucleotides | gates | fuels | "
        "largest complex (nM) | 1 time unit |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in schemes:
        scheme = get_scheme(name)
        absorbed = scheme.max_reactants < 3
        net = compile_network(compiled.source, absorb_enzymes=absorbed).network
        cap = float(scheme.defaults["max_gate_nM"]) if not scheme.rate_fuel else 1e300
        b = design_budget(translate(net, name, max_gate_nM=cap))
        largest = max(b["gate_nM"][1], b["fuel_nM"][1])
        form = "absorbed (§5.1)" if absorbed else "Table 1"
        rows.append(
            f"| {name} | {form} | {b['formal_reactions']:,} | {b['strands']:,} | {b['domains']:,} | "
            f"{b['nucleotides']:,} | {b['gates']:,} | {b['fuels']:,} | {largest:.3g} | {_duration(b['time_unit_s'])} |"
        )
    return "\n".join(rows)
