"""Initial conditions that probe Def. 4.1 and Def. 4.7 (used by :func:`rxnn.verify_network`).

Def. 4.1 asks for the limit a^l(d) from *every* start x^l(0) in R_{>=0}, the
boundary included; Def. 4.7(2) asks that every start, however large, enter a
compact set in finite time. Random interior starts (the all-ones, 10*rand and
1000*rand starts of §6) miss both edges of that quantifier, so
:func:`probe_starts` adds

* every node at 0, and each layer at 0 with the others random: with h = 0 the
  face x = 0 is invariant and these starts never leave it;
* every node at 1e-12 (near the face) and at 1e6 (far out, Def. 4.7(2));
* corners of the box [0, B]^n (B the bound of the bounded set): nodes
  alternately at 0 and B, and layers alternately at 0 and B.

Starts whose node vectors coincide are listed once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Start", "probe_starts", "TINY", "HUGE"]

#: The near-boundary start (every node at 1e-12).
TINY = 1e-12
#: The far start (every node at 1e6): Def. 4.7(2), convergence from infinity.
HUGE = 1e6


@dataclass(frozen=True, eq=False)
class Start:
    """A named start of the hidden and output nodes, in layer order (shape (n_nodes,))."""

    name: str
    nodes: np.ndarray


def probe_starts(
    widths: tuple[int, ...],
    bound: float,
    *,
    scales: tuple[float, ...] = (10.0, 1000.0),
    include_ones: bool = True,
    extra: tuple[Start, ...] = (),
    seed: int = 0,
) -> list[Start]:
    """The starts :func:`rxnn.verify_network` integrates from.

    Parameters
    ----------
    widths : tuple of int
        c_1, ..., c_m: the widths of the hidden and output layers.
    bound : float
        B, the edge of the box [0, B]^n of the corner starts (the bounded set of
        Def. 4.7(2) that the verification judges entry into).
    scales : tuple of float, default (10, 1000)
        Random starts ``scale * uniform(0, 1)`` per node (§6); drawn first, so
        the same seed gives the same random starts as before the probes existed.
    include_ones : bool, default True
        Start from every node at 1 (Fig. 10).
    extra : tuple of Start
        Further starts given by the caller, listed first.
    seed : int, default 0
        Seed of the random starts.

    Returns
    -------
    list of Start

    Examples
    --------
    >>> [s.name for s in probe_starts((2, 1), 2.0, scales=())]  # doctest: +NORMALIZE_WHITESPACE
    ['ones', 'zeros', 'layer 1 at 0', 'layer 2 at 0', 'tiny (1e-12)', 'huge (1e+06)',
     'corner: odd nodes at B', 'corner: even nodes at B', 'corner: odd layers at B', 'corner: even layers at B']
    """
    n = int(sum(widths))
    rng = np.random.default_rng(seed)
    starts = list(extra)
    if include_ones:
        starts.append(Start("ones", np.ones(n)))
    starts += [Start(f"{s:g}*rand", s * rng.uniform(size=n)) for s in scales]
    layer_of = np.repeat(np.arange(1, len(widths) + 1), widths)
    starts.append(Start("zeros", np.zeros(n)))
    for layer in range(1, len(widths) + 1):
        rest = bound * rng.uniform(size=n)
        starts.append(Start(f"layer {layer} at 0", np.where(layer_of == layer, 0.0, rest)))
    starts.append(Start(f"tiny ({TINY:g})", np.full(n, TINY)))
    starts.append(Start(f"huge ({HUGE:g})", np.full(n, HUGE)))
    odd_node = np.arange(n) % 2 == 0  # nodes 1, 3, ... in the flat order
    odd_layer = layer_of % 2 == 1
    for name, mask in (("odd nodes", odd_node), ("even nodes", ~odd_node), ("odd layers", odd_layer), ("even layers", ~odd_layer)):
        starts.append(Start(f"corner: {name} at B", np.where(mask, bound, 0.0)))
    return _distinct(starts)


def _distinct(starts: list[Start]) -> list[Start]:
    """Drop starts whose node vector equals an earlier one's (keeping the first name)."""
    seen: list[np.ndarray] = []
    out = []
    for start in starts:
        if any(np.array_equal(start.nodes, other) for other in seen):
            continue
        seen.append(start.nodes)
        out.append(start)
    return out
