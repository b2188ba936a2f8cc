"""Rendering of the reproduction report's blocks as Markdown and as one self-contained HTML page.

:mod:`rxnn.experiments.report` builds the blocks (``("h", level, text)``,
``("p", text)``, ``("ul", items)``, ``("table", header, rows)``,
``("side", paper, figure file, claims)``); this module only renders them.

The HTML page is self-contained and works offline: the style is inline, the
figures are embedded (base64 PNG) and shown at the full width of the page
(the paper's text above each, the claims table below), and the plain-text math
of the blocks (``x^2_8``, ``sqrt(y^2 + 4h)``, ``beta^l``, ``c_(l-1)``, ``->``)
is rendered as HTML superscripts and subscripts with Unicode symbols
(:func:`math_html`), not with MathJax, which would need a script from the
network. The Markdown keeps the plain text.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rxnn.errors import InvalidTypeError

__all__ = ["markdown", "html_page", "math_html", "json_text", "finite", "json_default"]


def finite(value: Any) -> Any:
    """``value`` with NaN and inf floats replaced by None, recursively (standard JSON has no NaN).

    Examples
    --------
    >>> finite({"a": [1.0, float("nan")], "b": float("inf")})
    {'a': [1.0, None], 'b': None}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def json_default(value: Any) -> Any:
    """numpy scalars and arrays as Python numbers and lists, for :func:`json.dumps`.

    Examples
    --------
    >>> import numpy as np
    >>> json_default(np.float64(0.5)), json_default(np.arange(3))
    (0.5, [0, 1, 2])
    """
    if hasattr(value, "tolist"):  # numpy arrays and scalars (an array of several values has no .item())
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise InvalidTypeError(f"summary of write_report holds a value JSON cannot hold: {type(value).__name__}")


def json_text(summary: Mapping[str, Any]) -> str:
    """The summary as the text of ``report.json``: indented, non-finite floats as ``null``.

    Examples
    --------
    >>> print(json_text({"accuracy": float("nan"), "n": 3}))
    {
      "accuracy": null,
      "n": 3
    }
    <BLANKLINE>
    """
    return json.dumps(finite(summary), indent=2, default=json_default) + "\n"


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
th{background:#f3f3f3}code{background:#f3f3f3;padding:0 .2em}
img{display:block;max-width:100%;height:auto;margin:.6em 0}sup,sub{font-size:.75em;line-height:0}
.side{display:block;border:1px solid #ddd;padding:.8em;margin:.6em 0 1.6em}
.paper{background:#fafaf0;padding:.6em}.agrees{color:#1a7f37;font-weight:600}.differs{color:#b35900;font-weight:600}
"""


_GREEK = {"alpha": "\u03b1", "beta": "\u03b2", "gamma": "\u03b3", "delta": "\u03b4", "epsilon": "\u03b5",
          "eta": "\u03b7", "theta": "\u03b8", "lambda": "\u03bb", "mu": "\u03bc", "sigma": "\u03c3", "phi": "\u03c6",
          "psi": "\u03c8", "omega": "\u03c9"}
# The base of a power: one letter (Latin or Greek, as in 2x^3), a number, or a closing parenthesis.
_BASE = r"(?<![A-Za-z_])[A-Za-z\u03b1-\u03c9]|(?<![\w.])\d+|\)"
_INDEX = r"(\([^()]*\)|\d+|[A-Za-z](?![A-Za-z]))"  # (...), a number or one letter: n_test is a name


def _index(match: re.Match[str], tag: str) -> str:
    value = match.group(2)
    value = value[1:-1] if value.startswith("(") else value
    return f"{match.group(1)}<{tag}>{value}</{tag}>"


def math_html(text: str) -> str:
    """Plain-text math of already-escaped HTML text as superscripts, subscripts and Unicode symbols.

    Examples
    --------
    >>> math_html("x^2_8 = sqrt(y^2 + 4h), 2x^3, beta^l, c_(l-1), a -&gt; inf")
    'x<sup>2</sup><sub>8</sub> = \u221a(y<sup>2</sup> + 4h), 2x<sup>3</sup>, \u03b2<sup>l</sup>, c<sub>l-1</sub>, a \u2192 \u221e'
    >>> math_html("fig04_smooth_relu.png, h1_seed1234 and n_test")  # names are left alone
    'fig04_smooth_relu.png, h1_seed1234 and n_test'
    """
    out = re.sub(r"\b(" + "|".join(_GREEK) + r")\b", lambda m: _GREEK[m.group(1)], text)
    out = re.sub(r"\bsqrt\(", "\u221a(", out)
    out = re.sub(rf"({_BASE})\^{_INDEX}", lambda m: _index(m, "sup"), out)
    out = re.sub(rf"(</sup>|(?<![\w.])[A-Za-z\u03b1-\u03c9])_{_INDEX}(?![\w.])", lambda m: _index(m, "sub"), out)
    for plain, symbol in (("-&gt;", "\u2192"), ("&gt;=", "\u2265"), ("&lt;=", "\u2264"), ("+-", "\u00b1")):
        out = out.replace(plain, symbol)
    return re.sub(r"\binf\b", "\u221e", out)


def _inline(text: str) -> str:
    """Escaped HTML of one text: `code` spans as <code>, math rendered elsewhere (:func:`math_html`)."""
    parts = re.split(r"`([^`]+)`", str(text))  # text, code, text, code, ..., text
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else math_html(html.escape(p)) for i, p in enumerate(parts))


def _verdict_class(verdict: str) -> str:
    return "agrees" if verdict.startswith("agrees") else ("differs" if verdict.startswith("differs") else "")


def _image(out_dir: Path, file: str) -> str:
    """The figure embedded, at its own width up to the page's (multi-panel figures at the full width)."""
    raw = (out_dir / file).read_bytes()
    data = base64.b64encode(raw).decode("ascii")
    png = raw[:8] == b"\x89PNG\r\n\x1a\n" and raw[12:16] == b"IHDR"
    style = f' style="width:min(100%,{int.from_bytes(raw[16:20], "big")}px)"' if png else ""
    return f'<img alt="{html.escape(os.path.basename(file))}"{style} src="data:image/png;base64,{data}">'


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
