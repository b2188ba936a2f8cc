"""Notebook display of networks (HTML, LaTeX) and the species-reaction graph drawing (issue 19).

Truth: the networks' own reactions (text syntax and ``to_latex``), counted independently of the
renderers, and the artists matplotlib holds after drawing.
"""

from __future__ import annotations

import html
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from rxnn import ReactionNetwork  # noqa: E402
from rxnn.compile import compile_network  # noqa: E402
from rxnn.crn import draw_network  # noqa: E402
from rxnn.crn import draw as draw_module  # noqa: E402
from rxnn.crn.display import MAX_SHOWN, network_html, network_latex  # noqa: E402
from rxnn.errors import InvalidArgumentError, LimitError  # noqa: E402
from rxnn.nn import FeedForwardNetwork, SmoothReLU  # noqa: E402

EXAMPLE_5_2 = ReactionNetwork.from_text("X + Y + E -> 2Y + E ; k1\nY + F -> X + F ; k2")


def _cells(text):
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", text)[1:]]


def test_html_lists_every_reaction_of_a_small_network_as_its_text_syntax():
    net = ReactionNetwork.from_text("X + E -> 2X + E ; 0.5\n2X -> X\n0 -> X' ; 3")
    rows = _cells(net._repr_html_())
    assert [f"{r[1]} -> {r[3]}" + (f" ; {r[4]}" if r[4] != "1" else "") for r in rows] == net.to_text().splitlines()
    assert "Enzymatic (Def. 5.1, never change): E" in net._repr_html_()


def test_html_escapes_and_truncates_big_networks_with_a_count():
    compiled = compile_network(FeedForwardNetwork.random([20, 10, 5], SmoothReLU(1.0), seed=0))
    n = compiled.network.n_reactions
    assert n > MAX_SHOWN
    text = compiled._repr_html_()
    rows = _cells(text)
    assert len(rows) == MAX_SHOWN + 1 and rows[-1] == [f"... and {n - MAX_SHOWN} more reactions"]
    assert "Compiled 20-10-5 network" in text
    assert "<script" not in text
    sneaky = ReactionNetwork.from_text("A -> B ; k")
    assert "<b>" not in network_html(sneaky, caption="<b>x</b>")


def test_latex_is_to_latex_of_the_shown_reactions():
    body = EXAMPLE_5_2._repr_latex_()
    assert body.startswith("$$\\begin{aligned}\n") and body.endswith("\n\\end{aligned}$$")
    inner = body[len("$$\\begin{aligned}\n"):-len("\n\\end{aligned}$$")]
    assert "\\begin{align*}\n" + inner + "\n\\end{align*}\n" == EXAMPLE_5_2.to_latex()
    chain = ReactionNetwork.from_text("\n".join(f"A{i} -> A{i + 1}" for i in range(80)))
    lines = network_latex(chain, max_reactions=5).splitlines()
    # opening line, 5 reactions, the count, closing line
    assert len(lines) == 8 and "and 75 more reactions" in lines[-2]
    assert compile_network(FeedForwardNetwork.random([2, 1], SmoothReLU(1.0), seed=0))._repr_latex_().startswith("$$")


def test_display_refuses_a_bad_limit():
    with pytest.raises(InvalidArgumentError, match="max_reactions of network_html must be a positive integer; got 0"):
        network_html(EXAMPLE_5_2, max_reactions=0)


def _artists(ax):
    species = [c for c in ax.collections if c.get_gid() == "species"]
    reactions = [c for c in ax.collections if c.get_gid() == "reactions"]
    kinds = sorted(p.get_gid() for p in ax.patches)
    return species, reactions, kinds


def test_draw_network_has_one_node_per_species_and_reaction_and_one_edge_per_role():
    # Example 5.2: R0 X + Y + E -> 2Y + E has reactants X, Y, product Y (coefficient 2), catalyst E;
    # R1 Y + F -> X + F has reactant Y, product X, catalyst F: 3 reactant, 2 product, 2 catalyst edges.
    ax = draw_network(EXAMPLE_5_2)
    species, reactions, kinds = _artists(ax)
    assert len(species[0].get_offsets()) == 4 and len(reactions[0].get_offsets()) == 2
    assert kinds == ["catalyst"] * 2 + ["product"] * 2 + ["reactant"] * 3
    catalysts = [p for p in ax.patches if p.get_gid() == "catalyst"]
    assert all(p.get_linestyle() == "--" for p in catalysts)
    assert sorted(t.get_text() for t in ax.texts if t.get_gid() == "coefficient") == ["2"]
    assert sorted(t.get_text() for t in ax.texts if t.get_gid() == "species label") == ["E", "F", "X", "Y"]


def test_draw_network_of_a_compiled_network_counts_edges_from_its_matrices():
    net = compile_network(FeedForwardNetwork.random([2, 2], SmoothReLU(1.0), seed=0)).network
    ax = draw_network(net, seed=3)
    _, _, kinds = _artists(ax)
    R, P = net.reactant_matrix().toarray(), net.product_matrix().toarray()
    assert kinds.count("catalyst") == int(((R == P) & (R > 0)).sum())
    assert kinds.count("reactant") == int(((R > 0) & (R != P)).sum())
    assert kinds.count("product") == int(((P > 0) & (R != P)).sum())


def test_draw_network_refuses_big_networks_and_bad_arguments():
    big = compile_network(FeedForwardNetwork.random([10, 5], SmoothReLU(1.0), seed=0)).network
    assert big.n_reactions > draw_module.MAX_REACTIONS
    with pytest.raises(LimitError, match=r"draw_network draws networks of at most 40 species and 60 reactions; this "
                                         r"one has \d+ species and \d+ reactions .draw a part of it"):
        draw_network(big)
    ax = draw_network(big.subnetwork(np.arange(10)))
    assert len(_artists(ax)[1][0].get_offsets()) == 10
    with pytest.raises(InvalidArgumentError, match="network of draw_network must be a ReactionNetwork; got str"):
        draw_network("A -> B")


# --------------------------------------------------------------------------- the HTML report


def test_the_kept_report_renders_figures_full_width_and_math_offline():
    # The kept full run (docs/reproduction: report.json and its figures) rendered again: every figure is embedded
    # outside any multi-column grid, at its own pixel width capped at the page's, so Fig. 12's three panels
    # (1430 px) take the page's full width; plain-text math becomes <sup>/<sub> and Unicode; nothing is fetched.
    import json
    import struct
    from pathlib import Path

    from rxnn.experiments.report import render_html

    kept = Path(__file__).resolve().parents[1] / "docs" / "reproduction"
    page = render_html(json.loads((kept / "report.json").read_text(encoding="utf-8")), kept)
    images = re.findall(r'<img alt="([^"]+)" style="width:min\(100%,(\d+)px\)" src="data:image/png;base64,', page)
    figures = sorted(p.name for p in (kept / "figures").glob("*.png"))
    assert sorted(name for name, _ in images) == figures
    for name, width in images:
        assert int(width) == struct.unpack(">I", (kept / "figures" / name).read_bytes()[16:20])[0]
    assert dict(images)["fig12_from_infinity.png"] == "1430"
    assert "grid-template-columns" not in page and ".side{display:block" in page
    assert "x<sup>2</sup><sub>8</sub>" in page and "\u221a(y<sup>2</sup> + 4h)" in page
    assert "x^2_8" not in page.split("</style>")[1]
    assert "<script" not in page and "http://" not in page and "https://" not in page


def test_theory_verdicts_render_their_decision_in_notebooks():
    """ActivationCheck, BlockCheck, StructureReport, ConvergenceCertificate: the verdict first, every property after."""
    from html.parser import HTMLParser

    from rxnn import FeedForwardNetwork, SmoothReLU, compile_network
    from rxnn.theory import analyze_structure, check_activation, check_blocks
    from rxnn.theory.certificates import certify

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.cells, self._on = [], False

        def handle_starttag(self, tag, attrs):
            self._on = tag in ("th", "td")

        def handle_data(self, data):
            if self._on:
                self.cells.append(data)

    def cells(obj):
        parser = Cells()
        parser.feed(obj._repr_html_())
        return parser.cells

    refuted = check_activation("(1 + 3*x**2 - x**3)/2")
    got = cells(refuted)
    assert got[:2] == ["status", refuted.status] and refuted.status == "refuted"
    for name, verdict in refuted.verdicts.items():
        assert got[got.index(name) + 1].startswith(verdict.status + ":")
    assert refuted._repr_latex_().startswith("$\\begin{array}")
    compiled = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0))
    block = check_blocks(compiled.network)[0]
    assert cells(block)[:2] == ["proved", str(block.proved)]
    report = analyze_structure(compiled.network)
    assert cells(report)[:2] == ["proved", str(report.proved)]
    assert ["n_reactions", str(compiled.network.n_reactions)] == cells(report)[cells(report).index("n_reactions"):][:2]
    cert = certify(compiled, np.array([0.5, 0.5]))
    assert cells(cert)[:2] == ["passed", str(cert.passed)]
