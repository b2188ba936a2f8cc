"""A species-reaction graph drawing of a small reaction network, with matplotlib (no graphviz needed).

The graph is bipartite, as Catalyst's ``Graph`` and PySB's
``render_reactions`` draw it: one round node per species, one small square
node per reaction, an arrow from each reactant to its reaction and from the
reaction to each product, labelled with the coefficient where it is not 1. A
species that is a catalyst of a reaction (the same coefficient on both sides,
so the reaction does not change it; enzymatic species of Def. 5.1 are
catalysts of every reaction they are in) gets one dashed line without arrow
head instead of two arrows, and enzymatic species are drawn in a lighter
colour. The layout is networkx's spring layout with a fixed seed, so a drawing
is reproducible.

Only small networks are drawn (at most :data:`MAX_SPECIES` species and
:data:`MAX_REACTIONS` reactions): beyond that a drawing is unreadable, and
:meth:`ReactionNetwork.subnetwork` picks the part to look at.
"""

from __future__ import annotations

from typing import Any

from rxnn.errors import InvalidArgumentError, LimitError

__all__ = ["MAX_SPECIES", "MAX_REACTIONS", "draw_network"]

#: Most species :func:`draw_network` draws.
MAX_SPECIES = 40
#: Most reactions :func:`draw_network` draws.
MAX_REACTIONS = 60


def _edges(network: Any) -> list[tuple[str, int, str, int]]:
    """(species, reaction index, kind, coefficient) with kind "reactant", "product" or "catalyst"."""
    out = []
    for j, r in enumerate(network.reactions):
        for s, c in r.reactants.items():
            kind = "catalyst" if r.products.get(s, 0) == c else "reactant"
            out.append((s, j, kind, c))
        for s, c in r.products.items():
            if r.reactants.get(s, 0) != c:
                out.append((s, j, "product", c))
    return out


def draw_network(network: Any, ax: Any = None, *, seed: int = 0, labels: bool = True) -> Any:
    """Draw the species-reaction graph of a small network; returns the matplotlib axes.

    Parameters
    ----------
    network : ReactionNetwork
        At most :data:`MAX_SPECIES` species and :data:`MAX_REACTIONS` reactions.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    seed : int, default 0
        Seed of the spring layout.
    labels : bool, default True
        Write the species names and the reaction numbers (``R0``, ``R1``, ...).

    Returns
    -------
    matplotlib.axes.Axes
        The species are one scatter collection (gid ``"species"``), the reactions
        another (gid ``"reactions"``); each edge is one arrow patch with gid
        ``"reactant"``, ``"product"`` or ``"catalyst"``.

    Raises
    ------
    LimitError
        If the network is larger than the limits.
    InvalidArgumentError
        If ``network`` is not a ReactionNetwork or ``seed`` is not an integer.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("X + E -> 2X + E ; 0.5\\n2X -> X")
    >>> ax = draw_network(net)
    >>> sorted(p.get_gid() for p in ax.patches)
    ['catalyst', 'product', 'product', 'reactant', 'reactant']
    """
    from rxnn.crn.network import ReactionNetwork

    if not isinstance(network, ReactionNetwork):
        raise InvalidArgumentError(f"network of draw_network must be a ReactionNetwork; got {type(network).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidArgumentError(f"seed of draw_network must be an integer; got {seed!r}")
    if network.n_species > MAX_SPECIES or network.n_reactions > MAX_REACTIONS:
        raise LimitError(
            f"draw_network draws networks of at most {MAX_SPECIES} species and {MAX_REACTIONS} reactions; this one "
            f"has {network.n_species} species and {network.n_reactions} reactions (draw a part of it: "
            "network.subnetwork(range(20)))")
    import matplotlib.pyplot as plt
    import networkx as nx
    import numpy as np
    from matplotlib.patches import FancyArrowPatch

    edges = _edges(network)
    graph = nx.Graph()
    graph.add_nodes_from(("s", s) for s in network.species)
    graph.add_nodes_from(("r", j) for j in range(network.n_reactions))
    graph.add_edges_from((("s", s), ("r", j)) for s, j, _, _ in edges)
    pos = nx.spring_layout(graph, seed=seed) if graph.number_of_nodes() else {}
    if ax is None:
        ax = plt.subplots(figsize=(6, 5))[1]
    enzymatic = set(network.enzymatic_species)
    xy_s = [pos[("s", s)] for s in network.species]
    xy_r = [pos[("r", j)] for j in range(network.n_reactions)]
    colours = ["#9ecae1" if s in enzymatic else "#3182bd" for s in network.species]
    if xy_s:
        ax.scatter(*zip(*xy_s), s=500, c=colours, zorder=3, edgecolors="k", gid="species")
    if xy_r:
        ax.scatter(*zip(*xy_r), s=60, marker="s", c="#636363", zorder=3, gid="reactions")
    both = {(s, j) for s, j, kind, _ in edges if kind == "reactant"} & {(s, j) for s, j, k, _ in edges if k == "product"}
    for s, j, kind, c in edges:
        bend = 0.25 if (s, j) in both else 0.0  # a reactant that is also a product: two arcs, one each side
        a, b = (pos[("s", s)], pos[("r", j)]) if kind != "product" else (pos[("r", j)], pos[("s", s)])
        arrow = FancyArrowPatch(a, b, arrowstyle="-" if kind == "catalyst" else "-|>", mutation_scale=12,
                                linestyle="--" if kind == "catalyst" else "-", shrinkA=12, shrinkB=12,
                                connectionstyle=f"arc3,rad={bend}",
                                color="#756bb1" if kind == "catalyst" else "#444444", zorder=2, gid=kind)
        ax.add_patch(arrow)
        if c != 1:
            mid = (a + b) / 2 + bend * 0.5 * np.array([b[1] - a[1], a[0] - b[0]])  # the middle of the arc
            ax.text(mid[0], mid[1], str(c), fontsize=8, ha="center", va="center", gid="coefficient",
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})
    if labels:
        for s, (x, y) in zip(network.species, xy_s):
            ax.text(x, y, s, fontsize=8, ha="center", va="center", zorder=4, gid="species label")
        for j, (x, y) in enumerate(xy_r):
            ax.text(x, y + 0.06, f"R{j}", fontsize=7, ha="center", va="bottom", color="#636363", gid="reaction label")
    ax.set_axis_off()
    ax.margins(0.12)
    ax.set_title(f"{network.n_species} species, {network.n_reactions} reactions (dashed: catalyst)", fontsize=9)
    return ax
