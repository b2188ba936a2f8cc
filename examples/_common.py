"""Shared bits of the examples: output folder, small-size switch, figures without pyplot."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from matplotlib.figure import Figure


def parse_args(description: str) -> argparse.Namespace:
    """``--out DIR`` (default ``examples/output``) and ``--small`` (or env ``RXNN_EXAMPLES_SMALL=1``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "output")
    parser.add_argument("--small", action="store_true", help="a seconds-long run (what the test suite uses)")
    args = parser.parse_args()
    args.small = args.small or os.environ.get("RXNN_EXAMPLES_SMALL") == "1"
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def figure(width: float = 8.0, height: float = 3.2, ncols: int = 2) -> tuple[Figure, list]:
    """A pyplot figure (so that the documentation's gallery shows it) with ``ncols`` panels."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width, height), layout="constrained")
    return fig, [fig.add_subplot(1, ncols, k + 1) for k in range(ncols)]
