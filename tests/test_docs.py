"""The documentation site builds with zero warnings, runs every gallery example, and shows their figures.

This test is the documentation build of ``make docs`` (same command, same output folder), so that
``make test`` and CI build the site: Sphinx with warnings as errors, sphinx-gallery executing every
script of ``examples/`` and every tutorial.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "docs" / "_build" / "html"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def built_site() -> Path:
    env = dict(os.environ, MPLBACKEND="Agg")
    if (SHARED_DATA / "mnist").is_dir() and "RXNN_DATA" not in env:
        env["RXNN_DATA"] = str(SHARED_DATA)  # the local mirror; without it the example fetches MNIST
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", ".", str(HTML)]
    proc = subprocess.run(cmd, cwd=ROOT / "docs", env=env, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=1500)
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr[-8000:]
    return HTML


def test_index_links_gallery_tutorials_and_api(built_site):
    index = (built_site / "index.html").read_text(encoding="utf-8")
    for target in ("gallery/index.html", "tutorials/index.html", "api/index.html", "paper_map.html"):
        assert target in index, target
    assert "MathJax" in index or "mathjax" in index  # eq. (19) on the front page is rendered by MathJax


def test_every_example_ran_and_five_pages_carry_figures(built_site):
    scripts = sorted(p.stem for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (built_site / "gallery").glob("*.html") if p.stem != "index"}
    assert set(scripts) <= set(pages), set(scripts) - set(pages)
    with_figures = [name for name, page in pages.items() if re.search(r'<img[^>]+src="[^"]*_images/sphx_glr_', page)]
    assert len(with_figures) >= 5, with_figures
    for name in with_figures:  # the figure files exist, not only the tags
        for src in re.findall(r'<img[^>]+src="([^"]*_images/sphx_glr_[^"]+)"', pages[name]):
            assert (built_site / "gallery" / src).resolve().is_file(), src


def test_tutorials_ran(built_site):
    pages = sorted((built_site / "tutorials").glob("tutorial_*.html"))
    assert len(pages) == 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "sphx-glr-script-out" in text, page.name  # the script's output is on the page: it ran


def test_api_reference_has_a_page_for_verify_network(built_site):
    page = built_site / "api" / "generated" / "rxnn.verify.verify_network.html"
    text = page.read_text(encoding="utf-8")
    assert "Parameters" in text and "Def. 4.1" in text
