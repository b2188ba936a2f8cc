"""Optional extras imported on first use: matplotlib for the ``plot()`` methods, pandas for ``to_dataframe()``."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["optional_module", "pyplot"]


def optional_module(name: str, purpose: str, extra: str) -> Any:
    """Import module ``name``, or raise an ImportError saying what needs it and which extra installs it.

    Examples
    --------
    >>> optional_module("json", "reading", "core").__name__
    'json'
    >>> optional_module("no_such_module_x", "flying", "wings")
    Traceback (most recent call last):
    ...
    ImportError: flying needs no_such_module_x: pip install 'rxnn[wings]'
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # depends on the environment
        raise ImportError(f"{purpose} needs {name.split('.')[0]}: pip install 'rxnn[{extra}]'") from exc


def pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError that says how to install it.

    Examples
    --------
    >>> pyplot().__name__
    'matplotlib.pyplot'
    """
    return optional_module("matplotlib.pyplot", "plotting", "plot")
