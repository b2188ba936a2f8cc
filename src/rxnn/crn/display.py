"""Rich display of reaction networks in notebooks: HTML tables and LaTeX (Jupyter's ``_repr_html_``, ``_repr_latex_``).

:class:`~rxnn.crn.network.ReactionNetwork` and
:class:`~rxnn.compile.CompiledNetwork` call these functions from their
``_repr_html_`` and ``_repr_latex_`` methods, so a network left as the last
expression of a notebook cell shows as a table of its reactions (or as
typeset reactions where the front end prefers LaTeX). Networks with more than
``max_reactions`` reactions show the first ones and a count of the rest, so a
compiled 784-40-10 network (63,720 reactions) renders instantly. The HTML is
plain, self-contained markup (no scripts, no external styles); names are
escaped. The LaTeX is :meth:`ReactionNetwork.to_latex` of the shown reactions
in an ``aligned`` block between ``$$``, which MathJax and KaTeX typeset.

Examples
--------
>>> from rxnn import ReactionNetwork
>>> net = ReactionNetwork.from_text("X + E -> 2X + E ; 0.5\\n2X -> X")
>>> "<table" in network_html(net) and "2X + E" in network_html(net)
True
>>> print(network_latex(net))
$$\\begin{aligned}
X + E &\\xrightarrow{0.5} 2X + E \\\\
2X &\\rightarrow X
\\end{aligned}$$
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from rxnn.crn.model import format_complex, format_rate
from rxnn.errors import InvalidArgumentError

__all__ = ["MAX_SHOWN", "network_html", "network_latex", "compiled_html", "compiled_latex"]

#: Reactions shown before the rest are summarised by a count.
MAX_SHOWN = 50

_STYLE = "border-collapse:collapse;font-family:monospace;font-size:0.9em"
_CELL = "border:1px solid #ccc;padding:2px 6px;text-align:left"


def _check_max(max_reactions: Any, func: str) -> int:
    if isinstance(max_reactions, bool) or not isinstance(max_reactions, int | np.integer) or max_reactions < 1:
        raise InvalidArgumentError(f"max_reactions of {func} must be a positive integer; got {max_reactions!r}")
    return int(max_reactions)


def _names(names: tuple[str, ...], limit: int = 20) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def network_html(network: Any, *, max_reactions: int = MAX_SHOWN, caption: str | None = None) -> str:
    """An HTML table of the reactions of ``network``: number, reactants, products, rate constant.

    Parameters
    ----------
    network : ReactionNetwork
    max_reactions : int, default :data:`MAX_SHOWN`
        Reactions shown; the rest are counted in a last row.
    caption : str, optional
        Text above the table; default the species and reaction counts.

    Returns
    -------
    str
        A ``<div>`` with the caption, the species (enzymatic ones marked) and the table.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("\\n".join(f"X{i} -> X{i + 1}" for i in range(60)))
    >>> text = network_html(net, max_reactions=3)
    >>> text.count("<tr>"), "and 57 more reactions" in text
    (5, True)
    """
    limit = _check_max(max_reactions, "network_html")
    n_r = network.n_reactions
    head = caption if caption is not None else (
        f"ReactionNetwork: {network.n_species} species, {n_r} reaction{'s' if n_r != 1 else ''}")
    enzymatic = network.enzymatic_species
    species = f"Species: {html.escape(_names(network.species))}"
    if enzymatic:
        species += f"<br>Enzymatic (Def. 5.1, never change): {html.escape(_names(enzymatic))}"
    rows = [f'<tr><th style="{_CELL}">#</th><th style="{_CELL}">reactants</th><th style="{_CELL}"></th>'
            f'<th style="{_CELL}">products</th><th style="{_CELL}">rate</th></tr>']
    for j, r in enumerate(network.reactions[:limit]):
        cells = (str(j), format_complex(r.reactants), "&rarr;", format_complex(r.products), format_rate(r.rate))
        rows.append("<tr>" + "".join(
            f'<td style="{_CELL}">{c if c == "&rarr;" else html.escape(c)}</td>' for c in cells) + "</tr>")
    if n_r > limit:
        rows.append(f'<tr><td style="{_CELL}" colspan="5">... and {n_r - limit} more reactions</td></tr>')
    return (f"<div><p><strong>{html.escape(head)}</strong><br>{species}</p>"
            f'<table style="{_STYLE}">' + "".join(rows) + "</table></div>")


def network_latex(network: Any, *, max_reactions: int = MAX_SHOWN) -> str:
    """The reactions of ``network`` typeset as LaTeX: one ``aligned`` environment between ``$$`` delimiters.

    Parameters
    ----------
    network : ReactionNetwork
    max_reactions : int, default :data:`MAX_SHOWN`
        Reactions shown; a last line counts the rest.

    Returns
    -------
    str

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("\\n".join(f"X{i} -> X{i + 1} ; 2" for i in range(5)))
    >>> print(network_latex(net, max_reactions=1))
    $$\\begin{aligned}
    X_{0} &\\xrightarrow{2} X_{1} \\\\
    &\\text{... and 4 more reactions}
    \\end{aligned}$$
    """
    limit = _check_max(max_reactions, "network_latex")
    if network.n_reactions == 0:
        return r"$$\text{(no reactions)}$$"
    shown = network if network.n_reactions <= limit else network.subnetwork(np.arange(limit))
    body = shown.to_latex().replace("\\begin{align*}\n", "").replace("\n\\end{align*}\n", "")
    if network.n_reactions > limit:
        body += f" \\\\\n&\\text{{... and {network.n_reactions - limit} more reactions}}"
    return "$$\\begin{aligned}\n" + body + "\n\\end{aligned}$$"


def compiled_html(compiled: Any, *, max_reactions: int = MAX_SHOWN) -> str:
    """HTML of a :class:`~rxnn.compile.CompiledNetwork`: its role summary, then its reactions.

    Examples
    --------
    >>> from rxnn.compile import compile_network
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> compiled = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0))
    >>> text = compiled_html(compiled, max_reactions=4)
    >>> "Compiled 2-2-1 network" in text and "more reactions" in text
    True
    """
    summary = f"<pre>{html.escape(compiled.summary())}</pre>"
    return "<div>" + summary + network_html(compiled.network, max_reactions=max_reactions) + "</div>"


def compiled_latex(compiled: Any, *, max_reactions: int = MAX_SHOWN) -> str:
    """LaTeX of a :class:`~rxnn.compile.CompiledNetwork`: its reactions (see :func:`network_latex`).

    Examples
    --------
    >>> from rxnn.compile import compile_network
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> compiled = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0))
    >>> compiled_latex(compiled, max_reactions=2).startswith("$$\\\\begin{aligned}")
    True
    """
    return network_latex(compiled.network, max_reactions=max_reactions)
