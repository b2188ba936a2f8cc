"""Constructions: the ways rxnn turns a neural network into a reaction network.

:func:`rxnn.compile_network` looks a construction up here by name
(``construction=``). Each entry says what its reaction network guarantees and
from which initial conditions, and :func:`rxnn.verify_network` checks each
against its own guarantee.

========================  ======================================================
``"table1"``              Anderson, Deshpande & Joshi (2021), Table 1 (§5.2): the
                          fixed point of the mass-action ODE, eq. (19), is the
                          network's output, reached from any non-negative start
                          (Def. 4.1; Thm. 4.8 with h > 0); rate-dependent; the
                          inputs act as catalysts and are not consumed.
``"rate_independent"``    Vasić, Chalk, Khurshid & Soloveichik (ICML 2020) and
                          Vasić, Chalk, Luchsinger, Khurshid & Soloveichik (PNAS
                          2022): ReLU networks with integer (or quantised)
                          weights as non-competitive networks whose final amounts
                          are the outputs for any rate constants and rate law,
                          from the designated clean start only; inputs consumed.
========================  ======================================================

Examples
--------
>>> sorted(CONSTRUCTIONS)
['rate_independent', 'table1']
>>> get_construction("rate-independent")
Traceback (most recent call last):
...
rxnn.errors.InvalidArgumentError: construction of compile_network must be one of 'table1', 'rate_independent'; got 'rate-independent'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rxnn.errors import InvalidArgumentError

__all__ = ["Construction", "CONSTRUCTIONS", "get_construction"]


@dataclass(frozen=True)
class Construction:
    """One construction of the registry: its name, guarantee, start and builder.

    ``build(network, **options)`` returns the compiled object; ``options``
    are the keyword arguments it accepts (others are refused by name).

    Examples
    --------
    >>> CONSTRUCTIONS["rate_independent"].options
    ('weight_bits', 'denominator', 'reporters')
    >>> CONSTRUCTIONS["table1"].start
    'any non-negative start (Def. 4.1; Thm. 4.8 for h > 0)'
    """

    name: str
    guarantee: str
    start: str
    options: tuple[str, ...]
    build: Callable[..., Any]


def _table1(network: Any, **options: Any) -> Any:
    from rxnn.compile import compile_table1
    return compile_table1(network, **options)


def _rate_independent(network: Any, **options: Any) -> Any:
    from rxnn.constructions.rate_independent import compile_rate_independent
    return compile_rate_independent(network, **options)


CONSTRUCTIONS: dict[str, Construction] = {
    "table1": Construction(
        "table1",
        "the steady state of the mass-action ODE (eq. (19)) is every layer's activation (Def. 4.1); "
        "rate-dependent; inputs are catalysts",
        "any non-negative start (Def. 4.1; Thm. 4.8 for h > 0)",
        ("absorb_enzymes",),
        _table1,
    ),
    "rate_independent": Construction(
        "rate_independent",
        "final amounts equal the (quantised) ReLU network's outputs for any rate constants and rate law "
        "(non-competitive, Vasić et al., PNAS 2022); inputs are consumed",
        "the designated clean start only (inputs, bias rails, all else 0)",
        ("weight_bits", "denominator", "reporters"),
        _rate_independent,
    ),
}
"""The constructions by name, in the order error messages list them."""


def get_construction(name: Any) -> Construction:
    """The construction called ``name``, or an error listing the valid names.

    Examples
    --------
    >>> get_construction("table1").options
    ('absorb_enzymes',)
    >>> get_construction("table2")
    Traceback (most recent call last):
    ...
    rxnn.errors.InvalidArgumentError: construction of compile_network must be one of 'table1', 'rate_independent'; got 'table2'
    """
    if isinstance(name, str) and name in CONSTRUCTIONS:
        return CONSTRUCTIONS[name]
    valid = ", ".join(repr(k) for k in CONSTRUCTIONS)
    raise InvalidArgumentError(f"construction of compile_network must be one of {valid}; got {name!r}")
