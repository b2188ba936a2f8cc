"""Notebook tables of the theory's verdicts (Jupyter's ``_repr_html_`` / ``_repr_latex_``).

One mixin for every proof or check object of :mod:`rxnn.theory`: its status
first, then each decided property with its status and argument (objects with
``verdicts``), or its scalar fields; the table builders are those of the
results (:func:`rxnn.crn.result_base.html_table`), so everything is escaped.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from rxnn.crn.result_base import html_table, latex_table

__all__ = ["VerdictDisplay", "verdict_rows"]

_ARGUMENT_CHARS = 160  # the table shows the start of each argument; str() has it whole


def verdict_rows(obj: Any) -> list[tuple[str, Any]]:
    """The rows of ``obj``'s notebook table: status, then each verdict or scalar field.

    Examples
    --------
    >>> from rxnn.theory import check_activation
    >>> verdict_rows(check_activation("1 - x**2"))[:2]
    [('status', 'proved'), ('g', '1 - x**2')]
    """
    rows: list[tuple[str, Any]] = []
    for verdict_name in ("status", "proved", "passed"):  # the verdict first: a proof's or a numeric check's
        if isinstance(getattr(type(obj), verdict_name, None), property) or verdict_name in getattr(obj, "__dict__", {}):
            rows.append((verdict_name, getattr(obj, verdict_name)))
            break
    verdicts = getattr(obj, "verdicts", None)
    scalars = (str, bool, int, float)
    if is_dataclass(obj):
        for f in fields(obj):
            value = getattr(obj, f.name)
            if f.name != "status" and isinstance(value, scalars):
                rows.append((f.name, value))
            elif f.name == "g":
                rows.append(("g", str(value)))
    if isinstance(verdicts, dict):
        for name, verdict in verdicts.items():
            argument = str(getattr(verdict, "argument", ""))
            short = argument if len(argument) <= _ARGUMENT_CHARS else argument[:_ARGUMENT_CHARS] + "..."
            rows.append((name, f"{verdict.status}: {short}"))
    return rows


class VerdictDisplay:
    """Mixin: ``_repr_html_`` and ``_repr_latex_`` from :func:`verdict_rows`.

    Examples
    --------
    >>> from rxnn.theory import check_activation
    >>> "<caption>ActivationCheck</caption>" in check_activation("1 - x**2")._repr_html_()
    True
    """

    def _repr_html_(self) -> str:
        return html_table(type(self).__name__, verdict_rows(self))

    def _repr_latex_(self) -> str:
        return latex_table(type(self).__name__, verdict_rows(self))
