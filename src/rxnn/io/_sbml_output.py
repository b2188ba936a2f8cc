"""Values of SBML ids along a simulation of a read model: species, parameters, compartments and reaction rates.

A read model's network variables are y_s = n_s / u (amount over the unit u of
:class:`~rxnn.io._sbml_build.SBMLModel`). A species is reported as its amount
u * y_s or its concentration u * y_s / V_s; parameters, compartments and
species outside the network keep their value at t = 0 (they are constant in a
model rxnn reads). The rate of an SBML reaction (its kinetic law, amount per
time) is the sum of its mass-action terms, eq. (2): each network reaction j the
law became contributes ``weight * k_j * prod_s y_s^{a_sj}`` with ``k_j`` from
the network's ``rate_array()`` and ``a_sj`` from its ``reactant_matrix()``;
the weight carries u, the sign of a backward term (``kf*A - kr*B``) and the
share of a reaction merged with a parallel one (see
:mod:`rxnn.io._sbml_build`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rxnn.errors import InvalidArgumentError

__all__ = ["trajectory", "reaction_rate"]


def _shape(model: Any, result: Any) -> tuple[int, ...]:
    for name in model.network.species:
        return np.shape(result[name])
    return (len(result.t),)


def _constant_amount(model: Any, sid: str) -> float:
    if sid not in model.values:
        raise InvalidArgumentError(f"the species {sid!r} has no value in the model; give it an initial value")
    value = model.values[sid]
    return value if sid in model.amounts else value * model.volumes[sid]


def _variable(model: Any, sid: str, result: Any) -> Any:
    """y_s (amount / u) of an SBML species id: its trajectory, or its constant value."""
    name = model.names[sid]
    if name in model.network.species:
        return np.asarray(result[name], dtype=float)
    return _constant_amount(model, sid) / model.unit


def reaction_rate(model: Any, reaction: str, result: Any) -> np.ndarray:
    """The rate of the SBML reaction ``reaction`` (amount per time) at every time of ``result``.

    Parameters
    ----------
    model : SBMLModel
        A model from :func:`rxnn.io.sbml.read_sbml_model`.
    reaction : str
        The SBML id of a reaction of the model.
    result : SimulationResult
        A simulation of ``model.network`` (any object with ``t`` and ``result[name]``).

    Returns
    -------
    ndarray of shape (n_times,), or (batch, n_times) for a batched result

    Raises
    ------
    InvalidArgumentError
        If ``reaction`` is not a reaction id of the model, or a rate constant has no value.

    Examples
    --------
    >>> from rxnn.crn.simulate import simulate
    >>> from rxnn.io.sbml import read_sbml_model, sbml_string
    >>> from rxnn import ReactionNetwork
    >>> model = read_sbml_model(sbml_string(ReactionNetwork.from_text("X -> 0 ; 2"), {"X": 3.0}).encode())
    >>> result = simulate(model.network, model.initial, (0.0, 1.0), [0.0])
    >>> reaction_rate(model, "J0", result)   # 2 * X at t = 0
    array([6.])
    """
    if reaction not in model.fluxes:
        known = ", ".join(list(model.fluxes)[:10]) or "none"
        raise InvalidArgumentError(f"{reaction!r} is not a reaction of the SBML model (reactions: {known})")
    terms = model.fluxes[reaction]
    out = np.zeros(_shape(model, result))
    if any(j is not None for j, _, _ in terms):
        if model.network.has_symbolic_rates():
            raise InvalidArgumentError(
                f"the rate of reaction {reaction!r} needs values for the named rate constants "
                f"{', '.join(model.network.rate_parameters)}; give the parameters values in the model")
        k = model.network.rate_array()
        reactants = model.network.reactant_matrix().tocsc()
    for j, weight, powers in terms:
        if isinstance(weight, str):
            raise InvalidArgumentError(f"the rate of reaction {reaction!r} needs a value for its rate constant "
                                       f"{weight!r}; give the parameter a value in the model")
        if j is None:
            factor = np.ones_like(out)
            for sid, power in powers.items():
                factor = factor * _variable(model, sid, result) ** power
            out = out + weight * factor
            continue
        factor = np.full_like(out, weight * k[j])
        start, end = reactants.indptr[j], reactants.indptr[j + 1]
        for i, power in zip(reactants.indices[start:end], reactants.data[start:end]):
            factor = factor * np.asarray(result[model.network.species[i]], dtype=float) ** int(power)
        out = out + factor
    return out


def trajectory(model: Any, sid: str, result: Any, *, amount: bool = False) -> np.ndarray:
    """The values of the SBML id ``sid`` at every time of ``result``, as the SBML model defines them.

    Parameters
    ----------
    model : SBMLModel
        A model from :func:`rxnn.io.sbml.read_sbml_model`.
    sid : str
        The SBML id of a species, parameter, compartment or reaction (its rate).
    result : SimulationResult
        A simulation of ``model.network``.
    amount : bool, default False
        For a species: its amount instead of its concentration.

    Returns
    -------
    ndarray of shape (n_times,), or (batch, n_times) for a batched result
        Constant in time for parameters, compartments and species outside the network.

    Raises
    ------
    InvalidArgumentError
        If ``sid`` is no id of the model, or has no value.

    Examples
    --------
    >>> from rxnn.crn.simulate import simulate
    >>> from rxnn.io.sbml import read_sbml_model, sbml_string
    >>> from rxnn import ReactionNetwork
    >>> model = read_sbml_model(sbml_string(ReactionNetwork.from_text("X -> 0 ; 2"), {"X": 3.0}).encode())
    >>> result = simulate(model.network, model.initial, (0.0, 1.0), [0.0, 1.0])
    >>> trajectory(model, "cell", result), float(trajectory(model, "J0", result)[0])
    (array([1., 1.]), 6.0)
    """
    shape = _shape(model, result)
    if sid in model.names:
        y = _variable(model, sid, result)
        amounts = np.broadcast_to(np.asarray(y, dtype=float) * model.unit, shape).copy()
        return amounts if amount else amounts / model.volumes[sid]
    if sid in model.fluxes:
        return reaction_rate(model, sid, result)
    if sid in model.values:
        return np.full(shape, model.values[sid])
    raise InvalidArgumentError(f"{sid!r} is neither a species, parameter, compartment nor reaction of the SBML "
                               "model, or it has no value")
