"""Sphinx configuration of the rxnn documentation (``make docs``)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("MPLBACKEND", "Agg")
# The PyTorch/ONNX examples take --small or RXNN_EXAMPLES_SMALL=1: the build runs their seconds-long size.
os.environ.setdefault("RXNN_EXAMPLES_SMALL", "1")

import rxnn  # noqa: E402

# autosummary writes a page per object but never deletes one: start from none, so that a
# renamed or moved object leaves no stale page (a warning, hence an error) behind.
shutil.rmtree(Path(__file__).resolve().parent / "api" / "generated", ignore_errors=True)

project = "rxnn"
author = "the rxnn developers"
copyright = "2026, the rxnn developers"
release = version = rxnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "constructions/constructions.md", "constructions/digits/constructions.md", "tutorials_src", "gallery/*.ipynb", "gallery/*.py.md5", "gallery/*.zip", "**/sg_execution_times.rst"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"show-inheritance": True}  # members come from the autosummary templates
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

intersphinx_mapping: dict[str, tuple[str, None]] = {}

sphinx_gallery_conf = {
    "examples_dirs": [str(ROOT / "examples"), "tutorials_src"],
    "gallery_dirs": ["gallery", "tutorials"],
    "filename_pattern": r".*\.py$",  # every example is executed at build time
    "ignore_pattern": r"(__init__|_common|conf)\.py$",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "show_memory": False,
    "reset_modules": ("matplotlib",),
    "capture_repr": ("_repr_html_", "__repr__"),
}

html_theme = "alabaster"
html_title = f"rxnn {release}"
html_static_path: list[str] = []
templates_path = ["_templates"]
nitpicky = False


# Docstrings write absolute values as |x - y| in prose (they are read in a terminal
# too); reStructuredText would take |...| for a substitution. Escape bars outside
# inline literals, roles and doctest lines before numpydoc and docutils see them.
_LITERAL = re.compile(r"(``.*?``|:\w+:`.*?`|`[^`]*`)")


def _escape_bars(app, what, name, obj, options, lines):  # noqa: ARG001 (Sphinx's signature)
    in_block = False
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith((">>>", "... ")) or stripped == "...":
            continue
        if in_block and stripped and not line.startswith((" ", "\t")):
            in_block = False
        if line.rstrip().endswith("::"):
            in_block = True
            parts = _LITERAL.split(line)
            lines[i] = "".join(p if j % 2 else p.replace("|", "\\|") for j, p in enumerate(parts))
            continue
        if in_block and line.startswith((" ", "\t")) and stripped:
            continue
        parts = _LITERAL.split(line)
        lines[i] = "".join(p if j % 2 else p.replace("|", "\\|") for j, p in enumerate(parts))


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars, priority=400)
