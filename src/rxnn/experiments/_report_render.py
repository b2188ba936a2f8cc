"""Rendering of the reproduction report's blocks as Markdown and as one self-contained HTML page.

:mod:`rxnn.experiments.report` builds the blocks (``("h", level, text)``,
``("p", text)``, ``("ul", items)``, ``("table", header, rows)``,
``("side", paper, figure file, claims)``); this module only renders them.
"""

from __future__ import annotations

import base64
import html
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["markdown", "html_page"]


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(blocks: Sequence[tuple[Any, ...]]) -> str:
    """The blocks as Markdown; figures are linked relative to the output directory."""
    lines: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind == "h":
            lines += ["#" * block[1] + " " + block[2], ""]
        elif kind == "p":
            lines += [block[1], ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in block[1]] + [""]
        elif kind == "table":
            header, rows = block[1], block[2]
            lines.append("| " + " | ".join(map(_md_cell, header)) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in rows] + [""]
        elif kind == "side":
            _, paper, file, claims = block
            lines += [f"**Paper:** {paper}", ""]
            if file:
                lines += [f"**Ours:** ![{os.path.basename(file)}]({file})", ""]
            if claims:
                lines.append("| paper says | we find | verdict |")
                lines.append("|---|---|---|")
                lines += [f"| {_md_cell(c['paper'])} | {_md_cell(c['ours'])} | {_md_cell(c['verdict'])} |" for c in claims]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{background:#f3f3f3;padding:0 .2em}img{max-width:100%;height:auto}
.side{display:grid;grid-template-columns:1fr 2fr;gap:1.2em;border:1px solid #ddd;padding:.8em;margin:.6em 0 1.6em}
.paper{background:#fafaf0;padding:.6em}.agrees{color:#1a7f37;font-weight:600}.differs{color:#b35900;font-weight:600}
"""


def _inline(text: str) -> str:
    out = html.escape(str(text))
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", out)


def _verdict_class(verdict: str) -> str:
    return "agrees" if verdict.startswith("agrees") else ("differs" if verdict.startswith("differs") else "")


def _image(out_dir: Path, file: str) -> str:
    data = base64.b64encode((out_dir / file).read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(os.path.basename(file))}" src="data:image/png;base64,{data}">'


def html_page(title: str, blocks: Sequence[tuple[Any, ...]], out_dir: Path) -> str:
    """The blocks as one self-contained HTML page: style inline, figures base64-embedded from ``out_dir``."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"]
    for block in blocks:
        kind = block[0]
        if kind == "h":
            parts.append(f"<h{block[1]}>{_inline(block[2])}</h{block[1]}>")
        elif kind == "p":
            parts.append(f"<p>{_inline(block[1])}</p>")
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in block[1]) + "</ul>")
        elif kind == "table":
            head = "".join(f"<th>{_inline(h)}</th>" for h in block[1])
            body = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in block[2])
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif kind == "side":
            _, paper, file, claims = block
            rows = "".join(
                f"<tr><td>{_inline(c['paper'])}</td><td>{_inline(c['ours'])}</td>"
                f"<td class=\"{_verdict_class(c['verdict'])}\">{_inline(c['verdict'])}</td></tr>" for c in claims
            )
            table = (f"<table><thead><tr><th>paper says</th><th>we find</th><th>verdict</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>") if claims else ""
            picture = _image(out_dir, file) if file else "<p>(no figure)</p>"
            parts.append(f'<div class="side"><div class="paper"><strong>Paper</strong><p>{_inline(paper)}</p></div>'
                         f"<div><strong>Ours</strong>{picture}{table}</div></div>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
