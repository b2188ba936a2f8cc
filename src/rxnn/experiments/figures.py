"""The figures of §6 (Figs. 4, 8-14) as PNG files.

Figures are drawn on :class:`matplotlib.figure.Figure` objects directly, never
through pyplot, so no GUI backend is touched and nothing global changes;
PNGs are rendered by the Agg canvas. Each function takes the data, writes one
file and returns its path. Requires the ``plot`` extra (matplotlib).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._files import atomic_output
from rxnn.experiments.chemistry import FIGURE10_NODES, PAPER_NODES, Node, NodeTrajectories
from rxnn.nn import PolynomialActivation, SmoothReLU

__all__ = [
    "plot_smooth_relu",
    "plot_training",
    "plot_iterations",
    "plot_regular_start",
    "plot_from_infinity",
    "plot_polynomial_activation",
]

_DPI = 110
_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def _figure(width: float, height: float, ncols: int = 1, nrows: int = 1) -> tuple[Any, Any]:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - the plot extra is part of the test extra
        raise ImportError("rxnn.experiments.figures needs matplotlib: pip install 'rxnn[plot]'") from exc
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _save(fig: Any, path: str | os.PathLike[str]) -> Path:
    """Render ``fig`` as PNG into ``path`` atomically (:func:`rxnn._files.atomic_output`); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path, "wb", what="figure file") as f:
        fig.savefig(f, dpi=_DPI, format="png")
    return path


def _node_name(node: Node) -> str:
    layer, i = node
    return f"output node {i} (digit {i - 1})" if layer == 2 else f"hidden node {i}"


def plot_smooth_relu(path: str | os.PathLike[str], *, hs: Sequence[float] = (0.3, 0.1, 0.0)) -> Path:
    """Fig. 4: the smoothed ReLU (y + sqrt(y^2 + 4h)) / 2 (eq. (4)) for several h; h = 0 is the ReLU.

    Examples
    --------
    >>> import os, tempfile
    >>> path = plot_smooth_relu(os.path.join(tempfile.mkdtemp(), "fig04.png"))
    >>> path.name, path.read_bytes()[:4]
    ('fig04.png', b'\\x89PNG')
    """
    fig, axes = _figure(5.0, 3.6)
    ax = axes[0, 0]
    y = np.linspace(-2.0, 2.0, 801)
    for h, color in zip(hs, _COLORS):
        ax.plot(y, SmoothReLU(float(h))(y), color=color, label=f"h = {h:g}" + (" (ReLU)" if h == 0 else ""))
    ax.set_xlabel("y")
    ax.set_ylabel(r"$\varphi_3(y) = (y + \sqrt{y^2 + 4h})/2$")
    ax.set_title("Fig. 4: smoothed ReLU")
    ax.legend()
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_training(
    runs: Mapping[int, tuple[np.ndarray, np.ndarray]],
    path: str | os.PathLike[str],
    *,
    title: str,
    batch_size: int = 300,
    paper_accuracy: float | None = None,
    paper_label: str = "paper",
) -> Path:
    """Figs. 8, 9, 14: cost (left) and number correct out of the batch (right) against iteration.

    Parameters
    ----------
    runs : mapping of int to (cost, correct)
        Per seed, the arrays of shape (iterations,); the first seed is drawn
        bold, the others thin.
    path : str or path-like
    title : str
    batch_size : int, default 300
    paper_accuracy : float, optional
        The fraction the paper reports near the end, drawn as a dashed line.
    paper_label : str

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> cost, correct = np.linspace(5, 1, 100), np.linspace(30, 280, 100)
    >>> path = plot_training({1234: (cost, correct)}, os.path.join(tempfile.mkdtemp(), "fig08.png"), title="Fig. 8",
    ...                      paper_accuracy=0.95)
    >>> path.read_bytes()[:4]
    b'\\x89PNG'
    """
    fig, axes = _figure(10.0, 3.8, ncols=2)
    left, right = axes[0]
    for k, (seed, (cost, correct)) in enumerate(runs.items()):
        it = np.arange(1, len(cost) + 1)
        style = dict(color="tab:blue", lw=1.0, alpha=0.9, zorder=3) if k == 0 else dict(color="0.6", lw=0.5, alpha=0.7)
        label = f"seed {seed}" if k == 0 else ("other seeds" if k == 1 else None)
        left.plot(it, cost, label=label, **style)
        right.plot(it, correct, label=label, **style)
    if paper_accuracy is not None:
        right.axhline(paper_accuracy * batch_size, color="tab:red", ls="--", lw=1,
                      label=f"{paper_label} (= {paper_accuracy * batch_size:.0f} of {batch_size})")
    left.set_xlabel("iteration")
    left.set_ylabel("cost (quadratic, batch average)")
    left.set_yscale("log")
    right.set_xlabel("iteration")
    right.set_ylabel(f"number correct out of {batch_size}")
    right.set_ylim(0, batch_size)
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize="small")
    fig.suptitle(title)
    return _save(fig, path)


def plot_iterations(
    runs: Mapping[int, NodeTrajectories],
    path: str | os.PathLike[str],
    *,
    nodes: Sequence[Node] = FIGURE10_NODES,
    title: str = "Fig. 10: compiled network on training image 30 (a 7), all nodes start at 1",
) -> Path:
    """Fig. 10: node trajectories of the compiled network after several numbers of iterations.

    One panel per number of iterations; output nodes solid, hidden nodes dashed;
    the closed-form limits as dots at the right edge.

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn.experiments.chemistry import simulate_nodes
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> run = simulate_nodes(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0), [0.5, 1.0], t_end=3.0)
    >>> path = plot_iterations({0: run, 10: run}, os.path.join(tempfile.mkdtemp(), "fig10.png"), nodes=((2, 1), (1, 1)))
    >>> path.read_bytes()[:4]
    b'\\x89PNG'
    """
    n = len(runs)
    ncols = 2 if n > 1 else 1
    nrows = (n + ncols - 1) // ncols
    fig, axes = _figure(5.2 * ncols, 3.4 * nrows, ncols=ncols, nrows=nrows)
    flat = axes.ravel()
    for ax, (iterations, run) in zip(flat, runs.items()):
        for node, color in zip(nodes, _COLORS):
            ls = "-" if node[0] == 2 else "--"
            ax.plot(run.t, run.node(node), color=color, ls=ls, lw=1.2, label=_node_name(node))
            ax.plot(run.t[-1], run.closed_form[run.column(node)], "o", color=color, ms=4)
        ax.set_title(f"after {iterations} iteration{'s' if iterations != 1 else ''}")
        ax.set_xlabel("time t")
        ax.set_ylabel("concentration $x^l_i(t)$")
        ax.grid(alpha=0.3)
    for ax in flat[n:]:
        ax.set_visible(False)
    handles, labels = flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 3), fontsize="small")
    fig.suptitle(title)
    return _save(fig, path)


def _limits(ax: Any, run: NodeTrajectories, nodes: Sequence[Node]) -> None:
    for node, color in zip(nodes, _COLORS):
        ax.axhline(run.closed_form[run.column(node)], color=color, ls=":", lw=1)


def plot_regular_start(
    run: NodeTrajectories,
    path: str | os.PathLike[str],
    *,
    nodes: Sequence[Node] = PAPER_NODES,
    title: str = "Fig. 11: start 10*rand, output nodes 1, 3 and hidden nodes 1, 32",
) -> Path:
    """Fig. 11: trajectories from a "regularly sized" start, closed-form limits dotted.

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn.experiments.chemistry import simulate_nodes
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> run = simulate_nodes(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0), [0.5, 1.0], nodes=10.0,
    ...                      t_end=3.0)
    >>> path = plot_regular_start(run, os.path.join(tempfile.mkdtemp(), "fig11.png"), nodes=((2, 1), (1, 1)))
    >>> path.read_bytes()[:4]
    b'\\x89PNG'
    """
    fig, axes = _figure(6.0, 3.8)
    ax = axes[0, 0]
    for node, color in zip(nodes, _COLORS):
        ax.plot(run.t, run.node(node), color=color, lw=1.3, label=_node_name(node))
    _limits(ax, run, nodes)
    ax.plot([], [], color="0.3", ls=":", label="closed-form limit $a^l_i$")
    ax.set_xlabel("time t")
    ax.set_ylabel("concentration $x^l_i(t)$")
    ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_from_infinity(
    run: NodeTrajectories,
    path: str | os.PathLike[str],
    *,
    nodes: Sequence[Node] = PAPER_NODES,
    title: str = "Fig. 12: start 1000*rand, output nodes 1, 3 and hidden nodes 1, 32",
) -> Path:
    """Fig. 12: from a large start. Left: the fast descent (log-log); middle: the late
    approach with the limits dotted; right: |x(t) - a| on a log scale (exponential convergence).

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn.experiments.chemistry import simulate_nodes
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> run = simulate_nodes(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0), [0.5, 1.0], nodes=1000.0,
    ...                      t_end=3.0)
    >>> path = plot_from_infinity(run, os.path.join(tempfile.mkdtemp(), "fig12.png"), nodes=((2, 1), (1, 1)))
    >>> path.read_bytes()[:4]
    b'\\x89PNG'
    """
    fig, axes = _figure(13.0, 3.8, ncols=3)
    early, late, error = axes[0]
    positive = run.t > 0
    late_mask = run.t >= 0.5
    for node, color in zip(nodes, _COLORS):
        x = run.node(node)
        early.plot(run.t[positive], x[positive], color=color, lw=1.3, label=_node_name(node))
        late.plot(run.t[late_mask], x[late_mask], color=color, lw=1.3)
        gap = np.abs(x - run.closed_form[run.column(node)])
        error.plot(run.t[late_mask], np.maximum(gap[late_mask], 1e-16), color=color, lw=1.3)
    _limits(late, run, nodes)
    early.set_xscale("log")
    early.set_yscale("log")
    early.set_title("fast descent from a large start")
    late.set_title("approach to the limits (dotted)")
    error.set_yscale("log")
    error.set_title("distance to the closed-form limit")
    early.set_ylabel("concentration $x^l_i(t)$")
    late.set_ylabel("concentration $x^l_i(t)$")
    error.set_ylabel(r"$|x^l_i(t) - a^l_i|$")
    for ax in axes[0]:
        ax.set_xlabel("time t")
        ax.grid(alpha=0.3)
    early.legend(fontsize="x-small")
    fig.suptitle(title)
    return _save(fig, path)


def plot_polynomial_activation(path: str | os.PathLike[str], *, h: float = 1.0, q: int = 3) -> Path:
    """Fig. 13: the activation of §6.1, the positive root of h + y x - (q-1) x^q, against sqrt(y/2).

    Examples
    --------
    >>> import os, tempfile
    >>> path = plot_polynomial_activation(os.path.join(tempfile.mkdtemp(), "fig13.png"))
    >>> path.read_bytes()[:4]
    b'\\x89PNG'
    """
    fig, axes = _figure(5.4, 3.8)
    ax = axes[0, 0]
    y = np.linspace(-20.0, 50.0, 1401)
    ax.plot(y, PolynomialActivation(q, h)(y), color="tab:blue",
            label=rf"$\varphi$: positive root of ${h:g} + yx - {q - 1}x^{q}$")
    ax.plot(y[y >= 0], np.sqrt(y[y >= 0] / 2.0), color="tab:orange", ls="--", label=r"$\sqrt{y/2}$ (h = 0)")
    ax.set_xlabel("y")
    ax.set_ylabel(r"$\varphi(y)$")
    ax.set_title(f"Fig. 13: activation with q = {q}, h = {h:g}")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return _save(fig, path)
