"""Batched pseudo-transient continuation: steady states by following the trajectory.

:class:`FullProblem` is the whole system, :class:`BlockProblem` one strongly
connected block with the rest frozen; :class:`PseudoTransient` iterates
linearly implicit Euler steps on either.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from rxnn.crn.engine.jacobian import assemble_jacobian
from rxnn.crn.graph import left_null_space

__all__ = ["FullProblem", "BlockProblem", "PseudoTransient"]

_PROJECTION_LIMIT = 2000  # conservation laws are found by a dense SVD up to this many species


class FullProblem:
    """The whole system for :class:`PseudoTransient` (batch-major interface).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.engine import EnzymeValues, engine_for
    >>> p = engine_for(ReactionNetwork.from_text("H -> H + X\\nX -> 0 ; 2")).parameters(EnzymeValues.constant([3.0]))
    >>> F, residual = FullProblem(p, 1e-11, 1e-14).residual(np.array([[1.0]]), np.array([0]))
    >>> F.tolist(), residual > 1
    ([[1.0]], array([ True]))
    """

    def __init__(self, params: Any, tol: float, atol: float) -> None:
        self.params, self.tol, self.atol = params, tol, atol
        self.n = params.engine.n

    def stoichiometry(self) -> np.ndarray:
        return self.params.engine.Ng.toarray()

    def residual(self, x: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        F, gross = self.params.rhs_and_gross(np.ascontiguousarray(x.T), members)
        scale = self.tol * gross + self.atol
        res = np.max(np.abs(F) / scale, axis=0) if F.shape[0] else np.zeros(x.shape[0])
        return np.ascontiguousarray(F.T), res

    def jacobian(self, x: np.ndarray, members: np.ndarray) -> sp.csr_matrix:
        return self.params.jacobian(np.ascontiguousarray(x.T), members, layout="batch")


class BlockProblem(FullProblem):
    """Species ``rows`` with every other species frozen at ``base`` (species-major, full batch).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.engine import EnzymeValues, engine_for
    >>> p = engine_for(ReactionNetwork.from_text("H -> H + X\\nX -> 0 ; 2")).parameters(EnzymeValues.constant([3.0]))
    >>> BlockProblem(p, 1e-11, 1e-14, np.array([0]), np.array([[1.5]])).residual(np.array([[1.5]]), np.array([0]))[0]
    array([[0.]])
    """

    def __init__(self, params: Any, tol: float, atol: float, rows: np.ndarray, base: np.ndarray) -> None:
        super().__init__(params, tol, atol)
        self.rows, self.base, self.n = rows, base, rows.size
        _, _, _, indptr, indices = params.engine.jacobian_pattern()
        full_n = params.engine.n
        inside = np.zeros(full_n, bool)
        inside[rows] = True
        local = np.full(full_n, -1)
        local[rows] = np.arange(rows.size)
        prow = np.repeat(np.arange(full_n), np.diff(indptr))
        keep = inside[prow] & inside[indices]
        self.keep = np.flatnonzero(keep)
        sub = sp.csr_matrix((np.ones(self.keep.size), (local[prow[keep]], local[indices[keep]])), shape=(rows.size,) * 2)
        sub.sort_indices()
        order = np.lexsort((local[indices[keep]], local[prow[keep]]))
        self.keep = self.keep[order]
        self.sub_indptr, self.sub_indices = sub.indptr.astype(np.int64), sub.indices.astype(np.int64)

    def stoichiometry(self) -> np.ndarray:
        Ng = self.params.engine.Ng[self.rows]
        return Ng[:, np.unique(Ng.indices)].toarray()

    def _full(self, x: np.ndarray, members: np.ndarray) -> np.ndarray:
        XT = self.base[:, members].copy()
        XT[self.rows] = x.T
        return XT

    def residual(self, x: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        F, gross = self.params.rhs_and_gross(self._full(x, members), members)
        F, gross = F[self.rows], gross[self.rows]
        scale = self.tol * gross + self.atol
        return np.ascontiguousarray(F.T), np.max(np.abs(F) / scale, axis=0)

    def jacobian(self, x: np.ndarray, members: np.ndarray) -> sp.csr_matrix:
        data = self.params.jacobian_values(self._full(x, members), members)[:, self.keep]
        return assemble_jacobian(data, self.sub_indptr, self.sub_indices, self.n, "batch")


class PseudoTransient:
    """Batched pseudo-transient continuation (see :func:`rxnn.crn.simulate.steady_state`).

    Linearly implicit Euler steps ``(I/dt - J) dx = f(x)`` with a per-member
    step ``dt`` that starts small, so the iterate follows the trajectory from
    the start, and grows as the residual falls (switched evolution
    relaxation), becoming Newton's method near the fixed point. Steps that
    make a concentration negative or grow the residual tenfold are rejected
    and retried with dt / 4; accepted iterates are projected back onto the
    conservation laws of the start.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.engine import EnzymeValues, engine_for
    >>> p = engine_for(ReactionNetwork.from_text("H -> H + X\\nX -> 0 ; 2")).parameters(EnzymeValues.constant([3.0]))
    >>> x, stats = PseudoTransient(FullProblem(p, 1e-11, 1e-14)).run(np.array([[0.0]]), 100, np.array([0]))
    >>> round(float(x[0, 0]), 9), bool(stats["residual"][0] <= 1)
    (1.5, True)
    """

    def __init__(self, problem: FullProblem, *, stacklevel: int = 5) -> None:
        self.problem = problem
        self.stacklevel = stacklevel  # of the warning: the caller of steady_state
        self.nfev = self.njev = 0
        n = problem.n
        self.conservation = None
        if 0 < n <= _PROJECTION_LIMIT:
            basis = left_null_space(problem.stoichiometry())
            self.conservation = basis if basis.size else None

    def residual(self, x: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.nfev += 1
        return self.problem.residual(x, members)

    def run(self, x0: np.ndarray, max_iterations: int, members: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        """Iterate from x0 (batch, n); ``members`` are the batch indices of its rows.

        Trial steps that overflow are rejected like any other bad step, so
        floating-point overflow inside the iteration is not reported.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            return self._run(x0, max_iterations, members)

    def _run(self, x0: np.ndarray, max_iterations: int, members: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        x = x0.copy()
        batch, n = x.shape
        everyone = np.arange(batch)
        f, res = self.residual(x, members)
        fmax = np.max(np.abs(f), axis=1) if n else np.zeros(batch)
        dt = np.minimum(1e-2, 0.1 * np.maximum(np.max(x, axis=1, initial=0.0), 1.0) / np.maximum(fmax, 1e-300))
        t = np.zeros(batch)
        rejected = 0
        iterations = 0
        for iterations in range(1, max_iterations + 1):
            active = everyone[res > 1.0]
            if active.size == 0 or n == 0:
                iterations -= 1
                break
            xa, fa = x[active], f[active]
            self.njev += 1
            J = self.problem.jacobian(xa, members[active])
            A = sp.diags(np.repeat(1.0 / dt[active], n)) - J
            try:
                step = splu(A.tocsc()).solve(fa.ravel()).reshape(active.size, n)
            except RuntimeError:  # exactly singular: shrink dt and retry
                dt[active] /= 4
                rejected += active.size
                continue
            trial = xa + step
            floor = -1e-12 * np.maximum(np.abs(xa), 1.0)  # round-off below zero is clipped
            negative = np.any(trial < floor, axis=1)
            trial = np.maximum(trial, 0.0)
            f_trial, res_trial = self.residual(trial, members[active])
            grew = np.max(np.abs(f_trial), axis=1) > 10 * np.max(np.abs(fa), axis=1) + self.problem.atol
            ok = ~negative & ~grew & np.all(np.isfinite(trial), axis=1)
            acc, rej = active[ok], active[~ok]
            rejected += rej.size
            dt[rej] /= 4
            if acc.size:
                ratio = res[acc] / np.maximum(res_trial[ok], 1e-300)
                t[acc] += dt[acc]
                dt[acc] = np.minimum(dt[acc] * np.clip(ratio, 1.0, 100.0) * np.where(ratio >= 1, 2.0, 1.0), 1e8)
                accepted = trial[ok]
                if self.conservation is not None:
                    Cn = self.conservation
                    accepted = np.maximum(accepted - ((accepted - x0[acc]) @ Cn.T) @ Cn, 0.0)
                    f_trial[ok], res_trial[ok] = self.residual(accepted, members[acc])
                x[acc], f[acc], res[acc] = accepted, f_trial[ok], res_trial[ok]
            if np.any(dt[active] < 1e-30):
                warnings.warn(
                    "steady_state: the pseudo-time step underflowed; the iteration is stuck (the network may have "
                    "no steady state from this start); check the start, or simulate the trajectory to see where it goes",
                    RuntimeWarning, stacklevel=self.stacklevel,
                )
                break
        stats = dict(residual=res, iterations=iterations, rejected=rejected, pseudo_time=t)
        return x, stats
