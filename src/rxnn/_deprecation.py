"""Deprecated names kept working: a property alias that warns once per access."""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["deprecated_alias"]


def deprecated_alias(new: str, old: str) -> property:
    """A read-only property ``old`` that returns attribute ``new`` with a DeprecationWarning.

    Examples
    --------
    >>> class Check:
    ...     proved = True
    ...     passes = deprecated_alias("proved", "Check.passes")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     Check().passes, str(caught[0].message)
    (True, 'Check.passes is deprecated; use Check.proved')
    """
    owner = old.rsplit(".", 1)[0]

    def get(self: Any) -> Any:
        warnings.warn(f"{old} is deprecated; use {owner}.{new}", DeprecationWarning, stacklevel=2)
        return getattr(self, new)

    return property(get, doc=f"Deprecated name of :attr:`{new}`.")
