"""Does a rate-independent compiled network keep its guarantee? Numerical evidence, per draw of rate constants.

The guarantee of the non-competitive construction (Vasić et al., ICML 2020,
PNAS 2022; :mod:`rxnn.constructions.rate_independent`) is not Def. 4.1's:
from the designated clean start, the *final* amounts of the reporter species
are the quantised network's activations, whatever the (positive) rate
constants. :func:`verify_rate_independent` integrates the mass-action ODE
from the clean start with unit rate constants and with ``draws`` random draws,
each rate constant log-uniform in [low, high], and judges

* the final error: max |final amount / S_l - a^l| over inputs, readable
  layers and nodes, against ``tol * max(1, max |a|)``, for every draw;
* the spread: the largest difference between the final amounts of two draws
  (rate independence itself), against the same limit;
* the structure: every species is a reactant of at most one reaction (NC).

An annihilation ``A + B -> 0`` with equal amounts decays like 1 / (k t), so
the default end time ``t_end = 10 / (low * tol)`` leaves such a node a residual
of about tol / 10 at the slowest rate constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rxnn._validation import check_int, check_positive_finite, must_be
from rxnn.constructions.rate_independent import RateIndependentNetwork, is_non_competitive
from rxnn.crn.network import ReactionNetwork
from rxnn.crn.simulate import simulate

__all__ = ["RateIndependenceResult", "verify_rate_independent", "random_rates"]

KIND = "numerical evidence"


@dataclass(frozen=True)
class RateIndependenceResult:
    """The verdict of :func:`verify_rate_independent`.

    Attributes
    ----------
    passed : bool
    errors : tuple of float
        Per draw (unit rates first): max |final / S_l - a^l| over inputs, layers, nodes.
    spread : float
        Largest difference of final amounts (node units) between any draw and the unit-rate one.
    limit : float
        ``tol * max(1, max |a|)``, the bound both are judged against.
    rate_ranges : tuple of (float, float)
        Smallest and largest rate constant of each draw.
    non_competitive : bool
    t_end : float
    n_inputs : int
    failures : tuple of str
    kind : str
        ``"numerical evidence"``.
    """

    passed: bool
    errors: tuple[float, ...]
    spread: float
    limit: float
    rate_ranges: tuple[tuple[float, float], ...]
    non_competitive: bool
    t_end: float
    n_inputs: int
    failures: tuple[str, ...] = field(default=())
    kind: str = KIND

    def summary(self) -> str:
        """A few lines: verdict, errors per draw, spread, structure."""
        lines = [f"rate-independent verification: {'PASSED' if self.passed else 'FAILED'} ({self.kind}), "
                 f"{self.n_inputs} inputs, t_end = {self.t_end:g}, limit {self.limit:.3g}"]
        for (lo, hi), err in zip(self.rate_ranges, self.errors):
            lines.append(f"  rates in [{lo:.3g}, {hi:.3g}]: max final error {err:.3g}")
        lines.append(f"  spread between draws {self.spread:.3g}; non-competitive: {self.non_competitive}")
        lines += [f"  FAIL: {f}" for f in self.failures]
        return "\n".join(lines)


def random_rates(network: ReactionNetwork, rng: np.random.Generator, low: float, high: float) -> ReactionNetwork:
    """``network`` with every rate constant drawn log-uniform in [low, high].

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn import ReactionNetwork
    >>> net = random_rates(ReactionNetwork.from_text("A -> B\\nB -> 0"), np.random.default_rng(0), 0.01, 100.0)
    >>> bool(np.all((net.rate_array() >= 0.01) & (net.rate_array() <= 100.0)))
    True
    """
    k = np.exp(rng.uniform(np.log(low), np.log(high), network.n_reactions))
    return ReactionNetwork.from_matrices(network.species, network.reactant_matrix(), network.product_matrix(), k)


def final_values(compiled: RateIndependentNetwork, network: ReactionNetwork, d: np.ndarray, t_end: float,
                 *, rtol: float = 1e-8, atol: float = 1e-12) -> list[np.ndarray]:
    """Readable layers' values (final amount / S_l) at ``t_end`` from the clean start, shape (batch, c_l) each."""
    grid = np.concatenate([[0.0], np.geomspace(min(1e-3, t_end / 10), t_end, 60)])
    result = simulate(network, compiled.initial_state(d), (0.0, t_end), t_eval=grid, method="BDF",
                      rtol=rtol, atol=atol)
    final = {s: np.asarray(v) for s, v in result.to_dict(at=-1).items()}
    return [None if v is None else v for v in compiled.layer_values(final)]


def verify_rate_independent(
    compiled: RateIndependentNetwork, inputs: Any, *, draws: int = 3, low: float = 1e-2, high: float = 1e2,
    seed: int = 0, tol: float = 1e-3, t_end: float | None = None,
) -> RateIndependenceResult:
    """Check the rate-independent guarantee: clean start -> final amounts = outputs, for any rate constants.

    Parameters
    ----------
    compiled : RateIndependentNetwork
    inputs : array_like of shape (c_0,) or (batch, c_0)
    draws : int, default 3
        Random draws of all rate constants (besides the unit-rate run).
    low, high : float, default 1e-2 and 1e2
        Each rate constant is log-uniform in [low, high].
    seed : int
    tol : float, default 1e-3
        Relative limit on the final error and the spread (see the module docstring for why 1e-3 and t_end).
    t_end : float, optional
        End time; default 10 / (low * tol).

    Returns
    -------
    RateIndependenceResult

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn import FeedForwardNetwork, ReLU, compile_network
    >>> net = FeedForwardNetwork([np.array([[1.0, -1.0]])], [np.array([0.5])], ReLU())
    >>> result = verify_rate_independent(compile_network(net, construction="rate_independent"), [[2.0, 1.0], [0.0, 1.0]])
    >>> result.passed, result.kind, len(result.errors)
    (True, 'numerical evidence', 4)
    """
    func = "verify_network"
    if not isinstance(compiled, RateIndependentNetwork):
        raise must_be("implementation", func, "a RateIndependentNetwork", type(compiled).__name__)
    draws = check_int(draws, "draws", func, minimum=0)
    low, high = check_positive_finite(low, "low", func), check_positive_finite(high, "high", func)
    if low > high:
        raise must_be("low", func, f"at most high = {high:g}", low)
    tol = check_positive_finite(tol, "tol", func)
    t_end = 10.0 / (low * tol) if t_end is None else check_positive_finite(t_end, "t_end", func)
    d = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    if d.ndim != 2 or d.shape[1] != compiled.source.layer_sizes[0] or not np.all(np.isfinite(d) & (d >= 0)):
        raise must_be("inputs", func, f"finite concentrations >= 0 of shape (batch, {compiled.source.layer_sizes[0]})",
                      f"shape {d.shape}")
    expected = compiled.expected(d)
    limit = tol * max(1.0, float(max(np.max(np.abs(a)) for a in expected[1:])))
    rng = np.random.default_rng(seed)
    networks = [compiled.network] + [random_rates(compiled.network, rng, low, high) for _ in range(draws)]
    errors, finals, ranges, failures = [], [], [], []
    for k, net in enumerate(networks):
        values = final_values(compiled, net, d, t_end)
        readable = [layer for layer in range(1, len(values)) if values[layer] is not None]
        err = max(float(np.max(np.abs(values[layer] - expected[layer]))) for layer in readable)
        errors.append(err)
        finals.append(np.concatenate([values[layer] for layer in readable], axis=1))
        ranges.append((float(net.rate_array().min()), float(net.rate_array().max())))
        if err > limit:
            failures.append(f"draw {k} (rates {ranges[-1][0]:.3g}..{ranges[-1][1]:.3g}): final error {err:.3g} > {limit:.3g}")
    spread = max((float(np.max(np.abs(f - finals[0]))) for f in finals[1:]), default=0.0)
    if spread > limit:
        failures.append(f"final amounts differ between draws by {spread:.3g} > {limit:.3g}: not rate-independent")
    nc = is_non_competitive(compiled.network)
    if not nc:
        failures.append("a species is a reactant of two reactions: the network is competitive")
    return RateIndependenceResult(not failures, tuple(errors), spread, limit, tuple(ranges), nc, t_end, d.shape[0],
                                  tuple(failures))
