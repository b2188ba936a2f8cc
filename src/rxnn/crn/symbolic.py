"""Symbolic mass-action ODEs (eq. (2)) with sympy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

if TYPE_CHECKING:
    from rxnn.crn.network import ReactionNetwork


def _rate_symbol(rate: float | str) -> sympy.Expr:
    if isinstance(rate, str):
        return sympy.Symbol(rate)
    return sympy.Integer(int(rate)) if float(rate).is_integer() else sympy.Float(rate)


def mass_action_odes(network: ReactionNetwork) -> dict[str, sympy.Expr]:
    """Right-hand sides of eq. (2) with mass-action kinetics, keyed by dynamic species.

    dx/dt = sum_r kappa_r prod_i x_i^{Y_ri} (Y'_r - Y_r); enzymatic species
    (Def. 5.1) are left as parameters, as in eq. (16).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> mass_action_odes(ReactionNetwork.from_text("X + E -> 2X + E ; k\\n2X -> X"))
    {'X': E*X*k - X**2}
    """
    symbols = {s: sympy.Symbol(s) for s in network.species}
    rhs = {s: sympy.Integer(0) for s in network.dynamic_species}
    for r in network.reactions:
        flux = _rate_symbol(r.rate) * sympy.Mul(*(symbols[n] ** c for n, c in r.reactants.items()))
        for name, change in r.vector.items():
            rhs[name] += change * flux
    return {s: sympy.expand(e) for s, e in rhs.items()}
