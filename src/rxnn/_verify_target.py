"""What :func:`rxnn.verify_network` checks: a reaction network, the network it should compute, and the species map.

A :class:`Target` is built either from a :class:`~rxnn.compile.CompiledNetwork`
(which knows its own species) or from any :class:`~rxnn.crn.ReactionNetwork`
with a reference :class:`~rxnn.nn.FeedForwardNetwork`, the species of each
layer and the concentrations of every other species. All checks of the
species map happen here, once, with messages that name the species.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from rxnn.compile import CompiledNetwork
from rxnn.crn.network import ReactionNetwork
from rxnn.errors import InvalidArgumentError, RxnnError
from rxnn.nn.network import FeedForwardNetwork

__all__ = ["Target", "VerifyTypeError", "target_for"]

FUNC = "verify_network"


class VerifyTypeError(RxnnError, TypeError):
    """An argument of :func:`rxnn.verify_network` has the wrong type."""


def _names(items: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@dataclass(frozen=True, eq=False)
class Target:
    """A reaction network with the neural network it should implement (Def. 4.1).

    Attributes
    ----------
    network : ReactionNetwork
    reference : FeedForwardNetwork
    layers : tuple of tuple of str
        Species of layers 0..m; layer 0 holds the inputs (x^0 = d, eq. (11)).
    fixed : dict of str to float
        Concentrations of every species that is not a node (weights, biases, H, fuel).
    h : float or None
        The h of a compiled network (None for another network).
    """

    network: ReactionNetwork
    reference: FeedForwardNetwork
    layers: tuple[tuple[str, ...], ...]
    fixed: dict[str, float]
    h: float | None = None

    @property
    def node_species(self) -> tuple[str, ...]:
        """Hidden and output node species, layer by layer (the order of a start's node vector)."""
        return tuple(s for layer in self.layers[1:] for s in layer)

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(len(layer) for layer in self.layers[1:])

    def state(self, d: np.ndarray, nodes: np.ndarray) -> dict[str, Any]:
        """Initial concentrations: inputs ``d`` (batch, c_0), nodes (batch, n_nodes), the fixed species."""
        state: dict[str, Any] = dict(self.fixed)
        present = self.network.species_index
        for j, name in enumerate(self.layers[0]):
            if name in present:  # an input that drives no reaction may be absent (Def. 2.1 drops it)
                state[name] = d[:, j]
        for k, name in enumerate(self.node_species):
            state[name] = nodes[:, k]
        return state

    def layer_values(self, result: Any, layer: int) -> np.ndarray:
        """Node concentrations of ``layer`` in a batched result, node index last."""
        return np.stack([np.asarray(result[s], dtype=np.float64) for s in self.layers[layer]], axis=-1)


def target_for(
    implementation: Any,
    reference: Any = None,
    layers: Any = None,
    initial: Mapping[str, Any] | None = None,
) -> Target:
    """Check the arguments of :func:`rxnn.verify_network` and build its :class:`Target`."""
    if isinstance(implementation, CompiledNetwork):
        given = [name for name, value in (("reference", reference), ("layers", layers), ("initial", initial)) if value is not None]
        if given:
            raise InvalidArgumentError(
                f"{', '.join(given)} of {FUNC} must be omitted for a CompiledNetwork, which knows its reference, "
                "layers and concentrations; pass compiled.network to verify it against another reference"
            )
        c = implementation
        c0 = c.source.layer_sizes[0]
        layer_names = tuple(c.layer_species(layer) for layer in range(len(c.source.layer_sizes)))
        everything = c.initial_state(np.zeros(c0), 0.0)
        members = {s for layer in layer_names for s in layer}
        fixed = {k: float(v) for k, v in everything.items() if k not in members}
        return Target(c.network, c.source, layer_names, fixed, c.h)
    if not isinstance(implementation, ReactionNetwork):
        raise VerifyTypeError(
            f"implementation of {FUNC} must be a CompiledNetwork (from compile_network) or a ReactionNetwork; "
            f"got {type(implementation).__name__}"
        )
    if not isinstance(reference, FeedForwardNetwork):
        raise VerifyTypeError(
            f"reference of {FUNC} must be the FeedForwardNetwork that the ReactionNetwork should compute; "
            f"got {type(reference).__name__}"
        )
    named = tuple(implementation.rate_parameters)
    if named:
        raise InvalidArgumentError(
            f"implementation of {FUNC} has named rate constants {_names(list(named))}; give them values first "
            "with network.with_rates(name=value, ...)"
        )
    layer_names = _check_layers(implementation, reference, layers)
    fixed = _check_initial(implementation, layer_names, initial)
    return Target(implementation, reference, layer_names, fixed)


def _check_layers(network: ReactionNetwork, reference: FeedForwardNetwork, layers: Any) -> tuple[tuple[str, ...], ...]:
    sizes = reference.layer_sizes
    if layers is None or isinstance(layers, str | bytes) or not isinstance(layers, Sequence):
        raise InvalidArgumentError(
            f"layers of {FUNC} must list the species of each layer, inputs first ({len(sizes)} lists of sizes "
            f"{list(sizes)}); got {layers!r:.80}"
        )
    if len(layers) != len(sizes):
        raise InvalidArgumentError(
            f"layers of {FUNC} must have {len(sizes)} entries (layers 0..{len(sizes) - 1} of the reference, "
            f"sizes {list(sizes)}); got {len(layers)}"
        )
    out = []
    for index, (names, width) in enumerate(zip(layers, sizes)):
        if isinstance(names, str) or not isinstance(names, Sequence) or not all(isinstance(s, str) for s in names):
            raise InvalidArgumentError(f"layers[{index}] of {FUNC} must be a list of species names; got {names!r:.80}")
        if len(names) != width:
            raise InvalidArgumentError(
                f"layers[{index}] of {FUNC} must name {width} species (layer {index} of the reference has "
                f"{width} nodes); got {len(names)}: {_names(list(names))}"
            )
        out.append(tuple(names))
    flat = [s for names in out for s in names]
    repeated = sorted({s for s in flat if flat.count(s) > 1}) if len(set(flat)) != len(flat) else []
    if repeated:
        raise InvalidArgumentError(f"layers of {FUNC} name species more than once: {_names(repeated)}; each node is one species")
    present = network.species_index
    unknown = [s for names in out[1:] for s in names if s not in present]
    if unknown:
        raise InvalidArgumentError(
            f"layers of {FUNC} name node species that are not in the network: {_names(unknown)}; "
            f"the network's species are {_names(list(network.species))}"
        )
    dynamic = set(network.dynamic_species)
    moving = [s for s in out[0] if s in dynamic]
    if moving:
        raise InvalidArgumentError(
            f"input species {_names(moving)} change in the network, but Def. 4.1 holds inputs fixed "
            "(x^0 = d, eq. (11)): every reaction must leave each input's count unchanged (inputs act as enzymes)"
        )
    return tuple(out)


def _check_initial(network: ReactionNetwork, layers: tuple[tuple[str, ...], ...], initial: Any) -> dict[str, float]:
    members = {s for names in layers for s in names}
    if initial is None:
        initial = {}
    if not isinstance(initial, Mapping):
        raise InvalidArgumentError(f"initial of {FUNC} must be a mapping of species to concentrations; got {type(initial).__name__}")
    present = network.species_index
    unknown = sorted(str(s) for s in initial if s not in present and s not in members)
    if unknown:
        raise InvalidArgumentError(
            f"initial of {FUNC} names species that are not in the network: {_names(unknown)}; remove them "
            "(a misspelt name, or a species whose reactions were removed)"
        )
    fixed: dict[str, float] = {}
    for name, value in initial.items():
        if name in members:
            continue  # inputs come from `inputs`, nodes from the starts
        if isinstance(value, bool) or not isinstance(value, Real | np.floating | np.integer) or not np.isfinite(value) or value < 0:
            raise InvalidArgumentError(
                f"initial[{name!r}] of {FUNC} must be a finite concentration >= 0; got {value!r}"
            )
        fixed[name] = float(value)
    missing = [s for s in network.species if s not in members and s not in fixed]
    if missing:
        raise InvalidArgumentError(
            f"initial of {FUNC} gives no concentration for {_names(missing)}; every species that is not a node "
            "(weights, biases, H, fuel) needs one (0 is allowed)"
        )
    return fixed
