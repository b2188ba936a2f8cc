"""The result of :func:`rxnn.verify_network`: judged quantities per start and layer, and the verdict.

A verification is *numerical evidence*: trajectories from finitely many starts
and inputs, integrated with stated tolerances. It shows where Def. 4.1 and
Def. 4.7 fail (a start that does not converge is a counterexample, up to
integration error) but proves neither; a proof is what exact or interval
arithmetic establishes (:mod:`rxnn.theory`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from rxnn._plotting import pyplot
from rxnn.crn.result_base import Result, VerificationCounters, pandas

__all__ = ["LayerCheck", "StartCheck", "VerificationResult", "KIND", "HORIZON_KIND", "INTEGRATION_FAILED"]

#: What a verification establishes (stated in every result).
KIND = "numerical evidence"
#: What a verification with ``horizon=`` establishes: the layers at a finite time, no limit (not Def. 4.1).
HORIZON_KIND = "finite-horizon numerical evidence"
#: A peak ratio |x(t) - a| / |x(0) - a| above 1 + PEAK_MARGIN contradicts Def. 4.7(3): the margin is far
#: above the integration error (rtol 1e-10) so that rounding alone never reports a contradiction.
PEAK_MARGIN = 1e-6
#: How a start's diagnosis begins when the integrator gave up (its layers have no values to judge).
INTEGRATION_FAILED = "the integration failed"


@dataclass(frozen=True)
class LayerCheck:
    """Agreement of one layer with the forward pass, from one start.

    Attributes
    ----------
    start : str
        The start's name (``"ones"``, ``"10*rand"``, ``"zeros"``, ``"layer 1 at 0"``, ...).
    layer : int
        1..m.
    final_error : float
        max |x^l(T) - a^l| over nodes and inputs at the end time T; judged
        against ``tol``.
    steady_error : float
        Largest relative error max |x^l - a^l| / max(|a^l|, 1e-300) of the
        steady state reached from this start (inf if none was found); judged
        against ``steady_tol``.
    settle_time : float
        First sampled time after which the layer stays within ``tol`` of a^l
        (inf if it is outside at T); judged against ``settle_limit``.
    entry_time : float
        First sampled time after which every node of the layer stays at most
        ``bound``: entry into the bounded set of Def. 4.7(2) (inf if outside at
        T); judged against ``entry_limit``.
    end_time : float
        T, the time the trajectory was integrated to.
    """

    start: str
    layer: int
    final_error: float
    steady_error: float
    settle_time: float
    entry_time: float
    end_time: float


@dataclass(frozen=True)
class StartCheck:
    """The whole node state from one start: distance from the limit and its decay (Def. 4.4).

    With e(t) = max over inputs of |x(t) - a| (Euclidean over every hidden and
    output node), these are measured on the sampled grid, so they are evidence,
    not bounds.

    Attributes
    ----------
    start : str
    initial_distance : float
        e(0).
    peak_ratio : float
        max over inputs and times of |x(t) - a| / |x(0) - a|. Def. 4.7(3)
        (constant 1) needs it <= 1 from every start; a value above 1 shows,
        up to integration error, that no lambda satisfies Def. 4.7(3).
    peak_time : float
        Where that maximum is reached.
    rate : float
        lambda of Def. 4.4: minus the least-squares slope of log e(t) between
        the first time e is below 1% of its peak and the last time it is above
        ``floor`` (nan where that window is empty or e does not fall, e.g. a
        start that does not converge). An estimate, not a bound.
    rate_constant : float
        c of Def. 4.4: the least c with e(t) <= c exp(-rate t) at every sampled
        t up to the end of that window (c >= e(0)).
    floor : float
        Below this distance e(t) is integration noise and is not fitted.
    diagnosis : str
        Why this start fails, where that is recognised ('' otherwise).
    """

    start: str
    initial_distance: float
    peak_ratio: float
    peak_time: float
    rate: float
    rate_constant: float
    floor: float
    diagnosis: str = ""


@dataclass
class VerificationResult(Result):
    """The verdict of :func:`rxnn.verify_network`, with what it judged.

    A :class:`~rxnn.crn.result_base.Result`: ``success`` is the verdict
    ``passed`` (kept by that name), ``status`` 0 when passed and -1 when
    failed, ``method`` ``"verify_network"``, ``counters`` a
    :class:`~rxnn.crn.result_base.VerificationCounters`; ``result[start]``
    gives the :class:`LayerCheck` of each layer from that start (a list),
    and it has no species (``species == ()``).

    ``passed`` is True when, from every start, every layer ends within
    ``tol`` of the forward pass (absolute), its steady state within
    ``steady_tol`` (relative), enters the bounded set {x <= bound} of
    Def. 4.7(2) by ``entry_limit`` and settles within ``tol`` by
    ``settle_limit``. ``kind`` is ``"numerical evidence"``: the checks are
    simulations on finitely many starts and inputs, not a proof of Def. 4.1
    or Def. 4.7. :attr:`failures` names each failed check and the start
    that shows it.

    With a finite ``horizon`` (``verify_network(horizon=T)``) ``kind`` is
    ``"finite-horizon numerical evidence"``: every layer is judged at t = T
    (``tol``, entry and settle times), no steady state is computed
    (``steady_error`` is nan and not judged), so it checks the outputs at
    T from starts in [0, ``initial_bound``]^n, not Def. 4.1.
    """

    checks: list[LayerCheck]
    tol: float
    steady_tol: float
    bound: float
    n_inputs: int
    warnings: list[str] = field(default_factory=list)
    starts: list[StartCheck] = field(default_factory=list)
    entry_limit: float = float("inf")
    settle_limit: float = float("inf")
    kind: str = KIND
    #: start name -> (times, e(t)): the distance curves :meth:`plot` draws (not part of :meth:`to_dict`).
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)
    #: The finite time every layer is judged at (None: at its limit, with the steady state).
    horizon: float | None = None
    #: The box [0, initial_bound]^n the starts were taken from (None: the probe starts of Def. 4.1).
    initial_bound: float | None = None
    method: str = "verify_network"
    success: bool = field(init=False)
    status: int = field(init=False)
    species: tuple[str, ...] = field(init=False, default=(), repr=False)

    def __post_init__(self) -> None:
        self.success = self.passed
        self.status = 0 if self.success else -1

    @property
    def counters(self) -> VerificationCounters:
        failed = sum(1 for c in self.checks if self._problems(c))
        return VerificationCounters(inputs=self.n_inputs, starts=len({c.start for c in self.checks}),
                                    checks=len(self.checks), failed=failed)

    def __getitem__(self, start: str) -> list[LayerCheck]:
        found = [c for c in self.checks if c.start == start]
        if not found:
            names = ", ".join(dict.fromkeys(c.start for c in self.checks))
            raise KeyError(f"{start!r} is not a start of this verification (starts: {names})")
        return found

    def to_dataframe(self) -> Any:
        """One row per (start, layer) check, the fields of :class:`LayerCheck` as columns (``rxnn[dataframe]``)."""
        pd = pandas()
        columns = [f.name for f in fields(LayerCheck)]
        return pd.DataFrame([asdict(c) for c in self.checks], columns=columns)

    def shown_values(self) -> list[tuple[str, Any]]:
        if not self.checks:
            return []
        rows: list[tuple[str, Any]] = [("worst final_error", self.worst("final_error")),
                                       ("worst steady_error", self.worst("steady_error"))]
        return rows + [(f"failed ({k + 1})", line) for k, line in enumerate(self.failures[:3])]

    def _problems(self, c: LayerCheck) -> list[str]:
        out = []
        if not c.final_error <= self.tol:
            out.append(f"ends {c.final_error:.3g} from a^{c.layer} at t = {c.end_time:g} (tol {self.tol:g})")
        if self.horizon is None and not c.steady_error <= self.steady_tol:
            out.append(f"has steady-state relative error {c.steady_error:.3g} (steady_tol {self.steady_tol:g})")
        if not c.entry_time <= self.entry_limit:
            out.append(f"enters {{x <= {self.bound:g}}} at t = {c.entry_time:g} (entry_limit {self.entry_limit:g})")
        if c.final_error <= self.tol and not c.settle_time <= self.settle_limit:
            out.append(f"settles within tol at t = {c.settle_time:g} (settle_limit {self.settle_limit:g})")
        return out

    @property
    def passed(self) -> bool:
        """The verdict: every judged quantity within its limit, from every start."""
        return bool(self.checks) and not any(self._problems(c) for c in self.checks)

    @property
    def failures(self) -> list[str]:
        """One line per failed start: its recognised cause first, then each failed layer."""
        causes = {s.start: s.diagnosis for s in self.starts if s.diagnosis}
        lines: list[str] = []
        for name in dict.fromkeys(c.start for c in self.checks):
            failed = [(c, p) for c in self.checks if c.start == name and (p := self._problems(c))]
            if not failed:
                continue
            if name in causes:
                lines.append(f"from start {name!r}: {causes[name]}")
            if not causes.get(name, "").startswith(INTEGRATION_FAILED):
                lines += [f"from start {name!r}, layer {c.layer} " + "; ".join(p) for c, p in failed]
        return lines

    @property
    def message(self) -> str:
        """One line: the verdict, what it rests on, and the first failure."""
        n_starts = len({c.start for c in self.checks})
        basis = f"{self.kind} from {n_starts} starts{self._box()} and {self.n_inputs} input(s)"
        if self.passed:
            if self.horizon is not None:
                return (f"PASSED ({basis}: every layer within tol = {self.tol:g} of the forward pass at "
                        f"t = {self.horizon:g}; no steady state judged, so not Def. 4.1)")
            return f"PASSED ({basis}; not a proof of Def. 4.1)"
        return f"FAILED ({basis}): {self.failures[0]}"

    def _box(self) -> str:
        return "" if self.initial_bound is None else f" in [0, {self.initial_bound:g}]^n"

    def worst(self, attribute: str = "final_error") -> float:
        """Largest value of a LayerCheck attribute over all checks."""
        return max(getattr(c, attribute) for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the verdict, the limits, every check (JSON-ready apart from inf/nan)."""
        return {
            "passed": self.passed, "success": self.success, "status": self.status, "method": self.method,
            "counters": self.counters.to_dict(), "kind": self.kind, "message": self.message, "tol": self.tol,
            "steady_tol": self.steady_tol, "bound": self.bound, "entry_limit": self.entry_limit,
            "settle_limit": self.settle_limit, "n_inputs": self.n_inputs, "warnings": list(self.warnings),
            "horizon": self.horizon, "initial_bound": self.initial_bound,
            "failures": self.failures, "checks": [asdict(c) for c in self.checks],
            "starts": [asdict(s) for s in self.starts],
        }

    def plot(self, ax: Any = None) -> Any:
        """Draw e(t) = |x(t) - a| per start on a log scale, with ``tol`` (matplotlib); returns the axes."""
        plt = pyplot()
        ax = ax or plt.subplots(figsize=(7, 4.5))[1]
        for name, (t, e) in self.curves.items():
            keep = (t > 0) & (e > 0)
            ax.loglog(t[keep], e[keep], label=name, lw=1)
        ax.axhline(self.tol, color="k", ls="--", lw=0.8, label=f"tol = {self.tol:g}")
        ax.set_xlabel("time")
        ax.set_ylabel("|x(t) - a| (worst input)")
        ax.set_title(f"verify_network: {'PASSED' if self.passed else 'FAILED'} ({self.kind})")
        ax.legend(fontsize=7, ncol=2)
        return ax

    def __str__(self) -> str:
        head = (
            f"{'start':<24}{'layer':>6}{'|x(T)-a| max':>15}{'steady rel err':>16}"
            f"{'settle t':>10}{'entry t':>10}{'T':>7}"
        )
        steady = (f"steady_tol = {self.steady_tol:g} (relative)" if self.horizon is None
                  else f"no steady state (finite horizon T = {self.horizon:g})")
        lines = [
            f"Verification on {self.n_inputs} input(s), {self.kind} (simulation, not a proof)",
            f"limits: tol = {self.tol:g} (absolute, at T), {steady}, "
            f"entry into {{x <= {self.bound:g}}} by t = {self.entry_limit:g} (Def. 4.7(2)), "
            f"settle within tol by t = {self.settle_limit:g}",
            head,
            "-" * len(head),
        ]
        for c in self.checks:
            lines.append(
                f"{c.start:<24}{c.layer:>6}{c.final_error:>15.2e}{c.steady_error:>16.2e}"
                f"{c.settle_time:>10.3g}{c.entry_time:>10.3g}{c.end_time:>7.3g}"
            )
        if self.starts:
            lines.append("decay of |x(t) - a| (Def. 4.4: |x(t) - a| <= c exp(-lambda t) on the sampled grid):")
            lines.append(f"{'start':<24}{'|x(0)-a|':>12}{'lambda':>10}{'c':>11}{'peak/|x(0)-a|':>15}{'at t':>10}")
            for s in self.starts:
                lines.append(
                    f"{s.start:<24}{s.initial_distance:>12.3g}{s.rate:>10.3g}{s.rate_constant:>11.3g}"
                    f"{s.peak_ratio:>15.4g}{s.peak_time:>10.3g}"
                )
            above = [s for s in self.starts if s.peak_ratio > 1.0 + PEAK_MARGIN]
            if above:
                worst = max(above, key=lambda s: s.peak_ratio)
                lines.append(
                    f"Def. 4.7(3) (constant 1) is contradicted: from start {worst.start!r} |x(t) - a| reaches "
                    f"{worst.peak_ratio:.3g} x |x(0) - a| at t = {worst.peak_time:.3g}"
                )
        lines.extend(f"failed: {line}" for line in self.failures)
        verdict = "PASSED" if self.passed else "FAILED"
        if self.horizon is None:
            lines.append(f"verdict: {verdict} ({self.kind} for Def. 4.1 on these inputs and starts; not a proof)")
        else:
            lines.append(f"verdict: {verdict} ({self.kind}: the layers at t = {self.horizon:g} from starts"
                         f"{self._box()}, no steady state judged; not Def. 4.1, not a proof)")
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)


def last_entry(times: np.ndarray, inside: np.ndarray) -> float:
    """First grid time after which ``inside`` stays True; inf if it is False at the end."""
    if not inside[-1]:
        return float("inf")
    outside = np.flatnonzero(~inside)
    return float(times[0] if outside.size == 0 else times[outside[-1] + 1])


def decay_check(name: str, times: np.ndarray, distance: np.ndarray, floor: float, diagnosis: str = "") -> StartCheck:
    """Def. 4.4 quantities of e_b(t) = ``distance`` (batch, time), measured on the grid ``times``.

    Examples
    --------
    >>> t = np.linspace(0, 10, 101)
    >>> s = decay_check("x", t, 2 * np.exp(-3 * t)[None, :], floor=1e-9)
    >>> round(s.rate, 6), round(s.rate_constant, 6), s.peak_ratio
    (3.0, 2.0, 1.0)
    """
    start = distance[:, 0]
    moving = start > 0
    ratio = distance[moving] / start[moving, None] if moving.any() else np.zeros((1, times.size))
    b, k = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    e = distance.max(axis=0)
    rate, constant = float("nan"), float("nan")
    peak = float(e.max())
    below = np.flatnonzero(e <= 0.01 * peak)
    above = np.flatnonzero(e >= floor)
    if peak > floor and below.size and above.size and above[-1] > below[0]:
        fit = np.arange(below[0], above[-1] + 1)
        fit = fit[e[fit] >= floor]
        if fit.size >= 2:
            slope = np.polyfit(times[fit], np.log(e[fit]), 1)[0]  # least squares on log e(t)
            if slope < 0:
                rate = float(-slope)
                window = slice(0, above[-1] + 1)
                constant = float(np.max(e[window] * np.exp(rate * times[window])))
    return StartCheck(name, float(e[0]), float(ratio[b, k]), float(times[k]), rate, constant, floor, diagnosis)
