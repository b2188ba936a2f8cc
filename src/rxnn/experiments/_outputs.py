"""The files an experiment's result writes: a figure as PNG, and the markdown/JSON/PNG triple."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rxnn._files import atomic_output

__all__ = ["save_png", "write_md_json_png"]


def save_png(fig: Any, path: str | os.PathLike[str] | None) -> Any:
    """Save a matplotlib figure as a 150-dpi PNG through the one atomic writer (no-op for ``None``); return it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = save_png(plt.figure(), None)
    >>> plt.close(fig)
    """
    if path is not None:
        with atomic_output(path, "wb", what="plot path") as f:
            fig.savefig(f, dpi=150, format="png")
    return fig


def write_md_json_png(result: Any, out_dir: str | os.PathLike[str], stem: str) -> dict[str, Path]:
    """Write ``STEM.md`` (``result.to_markdown()``), ``.json`` (``to_dict()``) and ``.png`` (``plot(path)``).

    Returns the three paths by extension; the folder is created if missing.

    Examples
    --------
    >>> import tempfile
    >>> class Table:
    ...     def to_markdown(self): return "| a |"
    ...     def to_dict(self): return {"a": 1}
    ...     def plot(self, path):
    ...         import matplotlib; matplotlib.use("Agg")
    ...         import matplotlib.pyplot as plt
    ...         return save_png(plt.figure(), path)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sorted(write_md_json_png(Table(), tmp, "t"))
    ['json', 'md', 'png']
    """
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / f"{stem}.{k}" for k in ("md", "json", "png")}
    with atomic_output(paths["md"], "w", encoding="utf-8") as f:
        f.write(result.to_markdown())
    with atomic_output(paths["json"], "w", encoding="utf-8") as f:
        f.write(json.dumps(result.to_dict(), indent=2))
    plt.close(result.plot(paths["png"]))
    return paths
