"""Steady states of a batch: the cascade, pseudo-transient continuation, or both (``method``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rxnn.crn.engine.cascade import cascade
from rxnn.crn.engine.continuation import FullProblem, PseudoTransient

__all__ = ["STEADY_METHODS", "solve_steady_state"]


STEADY_METHODS = ("auto", "cascade", "pseudo-transient")


def solve_steady_state(
    params: Any, x0: np.ndarray, *, tol: float, atol: float, max_iterations: int, method: str
) -> tuple[np.ndarray, dict[str, Any]]:
    """Steady states of a batch, by the cascade, pseudo-transient continuation or both.

    Returns x (batch, n) and counters with ``residual`` (batch,),
    ``converged`` (batch,), ``iterations``, ``rejected``, ``nfev``, ``njev``,
    ``pseudo_time`` (batch,), ``levels``, ``fallback`` (members solved by
    continuation after the cascade could not decide them) and ``by_cascade``
    (batch,): members whose point the cascade's one-species argument alone
    determined (no continuation anywhere), so that the trajectory provably
    tends to it (:func:`rxnn.crn.simulate.steady_state`, Notes).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.engine import EnzymeValues, engine_for
    >>> p = engine_for(ReactionNetwork.from_text("H -> H + X\\nX -> 0 ; 2")).parameters(EnzymeValues.constant([3.0]))
    >>> x, stats = solve_steady_state(p, np.array([[0.0]]), tol=1e-11, atol=1e-14, max_iterations=100, method="auto")
    >>> x.tolist(), stats["by_cascade"].tolist()
    ([[1.5]], [True])
    """
    B, n = x0.shape
    problem = FullProblem(params, tol, atol)
    everyone = np.arange(B)
    stats: dict[str, Any] = dict(iterations=0, rejected=0, nfev=0, njev=0, levels=0, fallback=0,
                                 pseudo_time=np.zeros(B), undecided=np.zeros(B, bool), by_cascade=np.zeros(B, bool))
    if method == "pseudo-transient" or n == 0:
        solver = PseudoTransient(problem)
        x, run = solver.run(x0, max_iterations, everyone)
        stats.update(iterations=run["iterations"], rejected=run["rejected"], nfev=solver.nfev, njev=solver.njev,
                     pseudo_time=run["pseudo_time"], residual=run["residual"])
        if n:  # the cascade certifies the members whose limit it determines, where the two points agree
            XT, undecided, counters = cascade(params, np.ascontiguousarray(x0.T), tol, atol, max_iterations)
            xc = XT.T
            scale = np.maximum(np.max(np.abs(x0), axis=1), np.max(np.abs(xc), axis=1))[:, None]
            agree = np.all(np.abs(xc - x) <= 1e-6 * (np.abs(xc) + scale), axis=1)
            certified = ~undecided & ~counters["continued"] & agree & (run["residual"] <= 1.0)
            x[certified] = xc[certified]  # the limit itself (continuation stops within atol of a root at 0)
            stats["by_cascade"] = certified
            stats["residual"] = np.where(certified, FullProblem(params, tol, atol).residual(x, everyone)[1],
                                         run["residual"])
        return x, stats
    XT, undecided, counters = cascade(params, np.ascontiguousarray(x0.T), tol, atol, max_iterations)
    continued = counters.pop("continued")
    stats.update(counters)
    x = np.ascontiguousarray(XT.T)
    with np.errstate(invalid="ignore", over="ignore"):
        _, res = problem.residual(x, everyone)
    stats["nfev"] += 1
    res = np.where(np.isfinite(res), res, np.inf)
    redo = everyone[undecided | ~(res <= 1.0)]
    stats["by_cascade"] = ~undecided & ~continued & (res <= 1.0)
    if method == "auto" and redo.size:
        solver = PseudoTransient(problem)
        xr, run = solver.run(x0[redo], max_iterations, redo)
        x[redo], res[redo] = xr, run["residual"]
        stats["pseudo_time"][redo] = run["pseudo_time"]
        stats["iterations"] += run["iterations"]
        stats["rejected"] += run["rejected"]
        stats["nfev"] += solver.nfev
        stats["njev"] += solver.njev
        stats["fallback"] = int(redo.size)
    else:
        x[undecided] = x0[undecided]
        res[undecided] = np.inf
        stats["undecided"] = undecided
    stats["residual"] = res
    return x, stats
