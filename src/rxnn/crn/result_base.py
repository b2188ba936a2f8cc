"""The one result protocol: what every result of rxnn says about itself, and how it is shown.

Every result (a trajectory from :func:`~rxnn.crn.simulate.simulate`, a steady
state, stochastic paths, a verification) is a :class:`Result`:

* ``success`` (bool): the computation did what was asked (for a verification,
  its verdict, also kept as ``passed``);
* ``status`` (int field): 0 on success, -1 otherwise;
* ``message`` (str): one line saying what happened;
* ``method`` (str): what ran;
* ``counters``: a typed record of the work done, fitting the method
  (:class:`ODECounters`, :class:`SteadyStateCounters`,
  :class:`StochasticCounters`, :class:`VerificationCounters`);
* ``species`` and ``result[name]`` with documented shapes;
* ``to_dict()``, ``to_dataframe()`` (pandas, the optional ``rxnn[dataframe]``
  extra) and, in Jupyter, ``_repr_html_`` / ``_repr_latex_`` (a small table:
  method, status, message, counters, a few values).

Proofs (:mod:`rxnn.theory`) are not results of a computation that can fail;
their verdict is ``status`` in proved / refuted / undecided and a ``proved``
property.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, fields
from typing import Any

from rxnn._plotting import optional_module

__all__ = [
    "Counters",
    "ODECounters",
    "Result",
    "SHOWN_VALUES",
    "SteadyStateCounters",
    "StochasticCounters",
    "VerificationCounters",
    "html_table",
    "latex_table",
    "pandas",
]

#: How many values the notebook table shows (the rest is in ``to_dict()``).
SHOWN_VALUES = 6


def pandas() -> Any:
    """The ``pandas`` module, or an ImportError naming the ``rxnn[dataframe]`` extra.

    Examples
    --------
    >>> pandas().__name__
    'pandas'
    """
    return optional_module("pandas", "to_dataframe", "dataframe")


# --------------------------------------------------------------------------- counters
@dataclass(frozen=True)
class Counters:
    """A record of the work a method did; ``to_dict()`` gives it as plain data.

    Examples
    --------
    >>> counters = ODECounters(nfev=3)
    >>> isinstance(counters, Counters), counters.to_dict()["nfev"]
    (True, 3)
    """

    def to_dict(self) -> dict[str, Any]:
        """The counters by name."""
        return asdict(self)


@dataclass(frozen=True)
class ODECounters(Counters):
    """Work of one integration: right-hand-side and Jacobian evaluations, LU decompositions.

    Examples
    --------
    >>> ODECounters(nfev=12, njev=1, nlu=2).to_dict()
    {'nfev': 12, 'njev': 1, 'nlu': 2}
    """

    nfev: int = 0
    njev: int = 0
    nlu: int = 0


@dataclass(frozen=True)
class SteadyStateCounters(Counters):
    """Work of one steady-state solve.

    Attributes
    ----------
    iterations : int
        Pseudo-time steps of continuation plus the cascade's levels.
    levels : int
        Levels of the feed-forward cascade solved.
    rejected : int
        Rejected continuation steps.
    nfev, njev : int
        Right-hand-side and Jacobian evaluations.

    Examples
    --------
    >>> SteadyStateCounters(iterations=3, levels=3).levels
    3
    """

    iterations: int = 0
    levels: int = 0
    rejected: int = 0
    nfev: int = 0
    njev: int = 0


@dataclass(frozen=True)
class StochasticCounters(Counters):
    """Work of a stochastic simulation, summed over its trajectories.

    Examples
    --------
    >>> StochasticCounters(trajectories=2, events=40, steps=40, channels=2).events
    40
    """

    trajectories: int = 0
    events: int = 0
    steps: int = 0
    channels: int = 0
    wall_time: float = 0.0


@dataclass(frozen=True)
class VerificationCounters(Counters):
    """What a verification judged: inputs, starts, (start, layer) checks and how many failed.

    Examples
    --------
    >>> VerificationCounters(inputs=20, starts=12, checks=24, failed=0).to_dict()["starts"]
    12
    """

    inputs: int = 0
    starts: int = 0
    checks: int = 0
    failed: int = 0


# --------------------------------------------------------------------------- rendering
def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def html_table(title: str, rows: list[tuple[str, Any]]) -> str:
    """A two-column HTML table (every cell escaped): what ``_repr_html_`` of a result returns.

    Examples
    --------
    >>> html_table("R", [("status", 0), ("message", "a < b")])
    '<table><caption>R</caption><tr><th>status</th><td>0</td></tr><tr><th>message</th><td>a &lt; b</td></tr></table>'
    """
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(_text(v))}</td></tr>" for k, v in rows)
    return f"<table><caption>{html.escape(title)}</caption>{body}</table>"


_LATEX_SPECIAL = {c: "\\" + c for c in "&%$#_{}"}
_LATEX_SPECIAL.update({"\\": r"\backslash{}", "~": r"\sim{}", "^": r"\hat{}", "<": "<", ">": ">"})


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


def latex_table(title: str, rows: list[tuple[str, Any]]) -> str:
    r"""The same table as LaTeX (a math-mode ``array`` of ``\text`` cells, specials escaped).

    Examples
    --------
    >>> latex_table("R", [("status", 0)])
    '$\\begin{array}{ll}\\multicolumn{2}{l}{\\textbf{R}} \\\\ \\text{status} & \\text{0}\\end{array}$'
    """
    lines = " \\\\ ".join(rf"\text{{{_latex_escape(k)}}} & \text{{{_latex_escape(_text(v))}}}" for k, v in rows)
    return rf"$\begin{{array}}{{ll}}\multicolumn{{2}}{{l}}{{\textbf{{{_latex_escape(title)}}}}} \\ {lines}\end{{array}}$"


# --------------------------------------------------------------------------- the protocol
class Result:
    """Base of every result: verdict, method, counters, values by name, exports and notebook tables.

    Subclasses provide the fields ``success``, ``status``, ``message``,
    ``method`` and ``species``, the ``counters`` record, ``__getitem__``,
    :meth:`to_dict` and :meth:`to_dataframe`; this base adds the notebook
    representations, whose rows come from :meth:`summary`.

    Examples
    --------
    >>> from rxnn import ReactionNetwork, simulate
    >>> res = simulate(ReactionNetwork.from_text("X -> 0"), {"X": 1.0}, (0, 1), t_eval=[0, 1])
    >>> isinstance(res, Result), res.status, res.counters.nfev > 0
    (True, 0, True)
    >>> "<th>method</th>" in res._repr_html_()
    True
    """

    success: bool
    status: int
    message: str
    method: str
    species: tuple[str, ...]

    @property
    def counters(self) -> Counters:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def shown_values(self) -> list[tuple[str, Any]]:
        """(label, value) pairs of a few values for the notebook table; none by default."""
        return []

    def summary(self) -> list[tuple[str, Any]]:
        """The rows of the notebook table: method, success, status, message, counters, a few values."""
        rows: list[tuple[str, Any]] = [
            ("method", self.method), ("success", self.success), ("status", self.status), ("message", self.message),
        ]
        rows += [(f"counters.{f.name}", getattr(self.counters, f.name)) for f in fields(self.counters)]
        return rows + self.shown_values()[:SHOWN_VALUES]

    def _repr_html_(self) -> str:
        return html_table(type(self).__name__, self.summary())

    def _repr_latex_(self) -> str:
        return latex_table(type(self).__name__, self.summary())
