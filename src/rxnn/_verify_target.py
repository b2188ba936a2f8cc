"""What :func:`rxnn.verify_network` checks: a reaction network, the network it should compute, and the species map.

A :class:`Target` is built either from a :class:`~rxnn.compile.CompiledNetwork`
(which knows its own species) or from any :class:`~rxnn.crn.ReactionNetwork`
with a reference :class:`~rxnn.nn.FeedForwardNetwork`, the species of each
layer and the concentrations of every other species. All checks of the
species map happen here, once, with messages that name the species.

A node may be read from several species (a linear readout): in a DNA design
(:mod:`rxnn.dsd`) a formal species X is its free signal strand and every
complex that holds X's strand bound (``design.readout("X")``), each with a
weight. A node given as a mapping ``{species: weight}`` has the value
``sum(weight * [species])``; a start x of the node puts ``x / weight`` in
its first species and 0 in the others, so that the readout starts at x.
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
        For a node read out from several species, its first species.
    fixed : dict of str to float
        Concentrations of every species that is not a node (weights, biases, H, fuel).
    h : float or None
        The h of a compiled network (None for another network).
    readouts : tuple or None
        Per layer and node, the ``(species, weight)`` pairs whose weighted sum
        is the node's value; None when every node is one species (weight 1).
    """

    network: ReactionNetwork
    reference: FeedForwardNetwork
    layers: tuple[tuple[str, ...], ...]
    fixed: dict[str, float]
    h: float | None = None
    readouts: tuple[tuple[tuple[tuple[str, float], ...], ...], ...] | None = None

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
        readouts = self._node_readouts()
        inputs, others = readouts[0], [r for layer in readouts[1:] for r in layer]
        for j, ((name, weight), *rest) in enumerate(inputs):
            if name in present:  # an input that drives no reaction may be absent (Def. 2.1 drops it)
                state[name] = d[:, j] / weight if weight != 1.0 else d[:, j]
            for other, _ in rest:
                state[other] = np.zeros_like(d[:, j])
        for k, ((name, weight), *rest) in enumerate(others):
            state[name] = nodes[:, k] / weight if weight != 1.0 else nodes[:, k]
            for other, _ in rest:
                state[other] = np.zeros_like(nodes[:, k])
        return state

    def _node_readouts(self) -> tuple[tuple[tuple[tuple[str, float], ...], ...], ...]:
        if self.readouts is not None:
            return self.readouts
        return tuple(tuple(((s, 1.0),) for s in layer) for layer in self.layers)

    def layer_values(self, result: Any, layer: int) -> np.ndarray:
        """Node values of ``layer`` in a batched result (readouts summed), node index last."""
        if self.readouts is None:
            return np.stack([np.asarray(result[s], dtype=np.float64) for s in self.layers[layer]], axis=-1)
        return np.stack([sum(w * np.asarray(result[s], dtype=np.float64) for s, w in node)
                         for node in self.readouts[layer]], axis=-1)


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
    readouts = _check_layers(implementation, reference, layers)
    layer_names = tuple(tuple(node[0][0] for node in layer) for layer in readouts)
    weighted = any(len(node) > 1 or node[0][1] != 1.0 for layer in readouts for node in layer)
    members = {s for layer in readouts for node in layer for s, _ in node}
    fixed = _check_initial(implementation, members, initial)
    return Target(implementation, reference, layer_names, fixed, readouts=readouts if weighted else None)


def _readout(entry: Any, index: int) -> tuple[tuple[str, float], ...] | None:
    """One node of ``layers``: a species name, or a non-empty mapping species -> weight > 0 (None if malformed)."""
    if isinstance(entry, str):
        return ((entry, 1.0),)
    if not isinstance(entry, Mapping) or not entry:
        return None
    pairs = []
    for name, weight in entry.items():
        if not isinstance(name, str):
            return None
        if isinstance(weight, bool) or not isinstance(weight, Real | np.floating | np.integer) \
                or not np.isfinite(weight) or weight <= 0:
            raise InvalidArgumentError(
                f"layers[{index}] of {FUNC}: the weight of {name!r} must be a finite number > 0; got {weight!r}"
            )
        pairs.append((name, float(weight)))
    return tuple(pairs)


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
        nodes = [_readout(n, index) for n in names] if isinstance(names, Sequence) and not isinstance(names, str) else None
        if nodes is None or any(n is None for n in nodes):
            raise InvalidArgumentError(
                f"layers[{index}] of {FUNC} must be a list of species names (or of mappings species -> weight, "
                f"a linear readout); got {names!r:.80}"
            )
        if len(nodes) != width:
            raise InvalidArgumentError(
                f"layers[{index}] of {FUNC} must name {width} species (layer {index} of the reference has "
                f"{width} nodes); got {len(nodes)}: {_names([n[0][0] for n in nodes])}"
            )
        out.append(tuple(nodes))
    # A node's first species is its own; further readout species may be shared (a DNA complex that holds
    # the strands of two formal species counts for both).
    flat = [node[0][0] for nodes in out for node in nodes]
    repeated = sorted({s for s in flat if flat.count(s) > 1}) if len(set(flat)) != len(flat) else []
    if repeated:
        raise InvalidArgumentError(f"layers of {FUNC} name species more than once: {_names(repeated)}; each node is one species")
    present = network.species_index
    unknown = [s for nodes in out[1:] for node in nodes for s, _ in node if s not in present]
    unknown += [s for node in out[0] if len(node) > 1 for s, _ in node if s not in present]
    if unknown:
        raise InvalidArgumentError(
            f"layers of {FUNC} name node species that are not in the network: {_names(unknown)}; "
            f"the network's species are {_names(list(network.species))}"
        )
    dynamic = set(network.dynamic_species)
    moving = [node[0][0] for node in out[0] if len(node) == 1 and node[0][0] in dynamic]
    moving += [node[0][0] for node in out[0] if len(node) > 1 and not _conserved(network, node)]
    if moving:
        raise InvalidArgumentError(
            f"input species {_names(moving)} change in the network, but Def. 4.1 holds inputs fixed "
            "(x^0 = d, eq. (11)): every reaction must leave each input's count unchanged (inputs act as enzymes; "
            "an input read out from several species must have a readout that no reaction changes)"
        )
    return tuple(out)


def _conserved(network: ReactionNetwork, node: tuple[tuple[str, float], ...]) -> bool:
    """No reaction changes the weighted sum (w . N = 0, N of eq. (2)), to rounding of the weights."""
    index = network.species_index
    w = np.zeros(network.n_species)
    for name, weight in node:
        w[index[name]] = weight
    change = np.abs(network.stoichiometry_matrix().T @ w)
    return bool(np.all(change <= 1e-12 * float(np.max(w))))


def _check_initial(network: ReactionNetwork, members: set[str], initial: Any) -> dict[str, float]:
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
            continue  # inputs come from `inputs`, nodes from the starts (the other species of a readout at 0)
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
