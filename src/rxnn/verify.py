"""Does a compiled reaction network implement its neural network? (Def. 4.1, Def. 4.7)

:func:`verify_network` integrates the compiled network's mass-action ODE
from several initial conditions (all ones, and the random 10x and 1000x
starts of §6), for given inputs, and measures for every layer how far the
node concentrations are from the activations a^l of the forward pass
(eq. (6)-(7)): at the end of the run, at the steady state, the time after
which they stay within a tolerance (exponential reliability, Def. 4.7), and
the time after which every node stays in a bounded set (convergence from
infinity in finite time, Def. 4.7 and Prop. A.1).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from rxnn._validation import check_positive_finite, must_be
from rxnn.compile import CompiledNetwork
from rxnn.crn.simulate import simulate, steady_state

__all__ = ["verify_network", "VerificationResult", "LayerCheck", "ReliabilityWarning"]


class ReliabilityWarning(UserWarning):
    """The hypotheses of Prop. 4.9 / Thm 4.8 do not hold, so convergence is not guaranteed."""


@dataclass(frozen=True)
class LayerCheck:
    """Agreement of one layer with the forward pass, from one start.

    Attributes
    ----------
    start : str
        The initial condition of the nodes ("ones", "10*rand", "1000*rand").
    layer : int
        1..m.
    final_error : float
        max |x^l(T) - a^l| over nodes and inputs at the end time T.
    steady_error : float
        Largest relative error max |x^l - a^l| / max(|a^l|, 1e-300) of the steady state.
    settle_time : float
        First time after which the layer stays within ``tol`` of a^l (inf if never).
    entry_time : float
        First time after which every node of the layer stays below ``bound``.
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


@dataclass
class VerificationResult:
    """The verdict of :func:`verify_network`, with one :class:`LayerCheck` per start and layer.

    ``passed`` is True when every layer, from every start, ends within
    ``tol`` of the forward pass and its steady state within ``steady_tol``
    (relative).
    """

    checks: list[LayerCheck]
    tol: float
    steady_tol: float
    bound: float
    n_inputs: int
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.final_error <= self.tol and c.steady_error <= self.steady_tol for c in self.checks)

    def worst(self, attribute: str = "final_error") -> float:
        """Largest value of a LayerCheck attribute over all checks."""
        return max(getattr(c, attribute) for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed, "tol": self.tol, "steady_tol": self.steady_tol, "bound": self.bound,
            "n_inputs": self.n_inputs, "warnings": list(self.warnings), "checks": [asdict(c) for c in self.checks],
        }

    def __str__(self) -> str:
        head = (
            f"{'start':<11}{'layer':>6}{'|x(T)-a| max':>15}{'steady rel err':>16}"
            f"{'settle t (tol)':>16}{'enter t (bound)':>17}{'T':>7}"
        )
        lines = [
            f"Verification on {self.n_inputs} input(s): tol = {self.tol:g}, steady-state tol = {self.steady_tol:g} "
            f"(relative), bound = {self.bound:g}",
            head,
            "-" * len(head),
        ]
        for c in self.checks:
            lines.append(
                f"{c.start:<11}{c.layer:>6}{c.final_error:>15.2e}{c.steady_error:>16.2e}"
                f"{c.settle_time:>16.3g}{c.entry_time:>17.3g}{c.end_time:>7.3g}"
            )
        lines.append(f"verdict: {'PASSED' if self.passed else 'FAILED'}" + "".join(f"\nwarning: {w}" for w in self.warnings))
        return "\n".join(lines)


def _last_exit(times: np.ndarray, inside: np.ndarray) -> float:
    """First grid time after which ``inside`` stays True; inf if it is False at the end."""
    if not inside[-1]:
        return float("inf")
    outside = np.flatnonzero(~inside)
    return float(times[0] if outside.size == 0 else times[outside[-1] + 1])


def verify_network(
    compiled: CompiledNetwork,
    inputs: Any,
    *,
    scales: tuple[float, ...] = (10.0, 1000.0),
    include_ones: bool = True,
    seed: int = 0,
    tol: float = 1e-6,
    steady_tol: float = 1e-8,
    bound: float | None = None,
    t_end: float = 20.0,
    t_max: float = 640.0,
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> VerificationResult:
    """Check that the compiled network computes every layer's activations (Def. 4.1).

    Parameters
    ----------
    compiled : CompiledNetwork
    inputs : array_like of shape (c_0,) or (batch, c_0)
        Input concentrations (non-negative).
    scales : tuple of float, default (10, 1000)
        Random starts ``scale * uniform(0, 1)`` for every node, as §6 uses.
    include_ones : bool, default True
        Also start from all nodes at 1 (Fig. 10).
    seed : int
        Seed of the random starts.
    tol : float, default 1e-6
        Absolute tolerance for the trajectory at the end time.
    steady_tol : float, default 1e-8
        Relative tolerance for the steady state.
    bound : float, optional
        The bounded set {x <= bound} of "convergence from infinity"; default
        2 * max(1, largest activation).
    t_end, t_max : float
        The trajectory is integrated to ``t_end``, doubled up to ``t_max``
        until every layer is within ``tol``.
    rtol, atol : float
        Integrator tolerances; 1e-10/1e-12 keep the integration error two
        orders below the default ``tol``.

    Returns
    -------
    VerificationResult
        Printable as a table; ``passed`` gives the verdict.

    Warns
    -----
    ReliabilityWarning
        When h = 0: Prop. 4.9 needs h > 0 (with h = 0 the fixed point 0 is
        not hyperbolic and convergence can be slow or fail).
    """
    func = "verify_network"
    if not isinstance(compiled, CompiledNetwork):
        raise TypeError(f"compiled of {func} must be a CompiledNetwork (from compile_network); got {type(compiled).__name__}")
    tol = check_positive_finite(tol, "tol", func)
    steady_tol = check_positive_finite(steady_tol, "steady_tol", func)
    for s in scales:
        check_positive_finite(s, "scales", func)
    if not scales and not include_ones:
        raise must_be("scales", func, "non-empty when include_ones is False", scales)
    notes: list[str] = []
    if compiled.h <= 0:
        message = (
            "h = 0: Prop. 4.9 needs h > 0; without it the zero fixed point is not hyperbolic and the "
            "compiled network may converge slowly or not at all (use SmoothReLU(h) with h > 0)"
        )
        warnings.warn(message, ReliabilityWarning, stacklevel=2)
        notes.append(message)
    d = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    activations = compiled.source.activations(d)
    if bound is None:
        bound = 2.0 * max(1.0, float(max(a.max() for a in activations[1:])))
    n_nodes = len(compiled.hidden_and_output_species)
    rng = np.random.default_rng(seed)
    starts = [("ones", np.ones(n_nodes))] if include_ones else []
    starts += [(f"{s:g}*rand", s * rng.uniform(size=n_nodes)) for s in scales]
    checks: list[LayerCheck] = []
    for name, nodes in starts:
        initial = compiled.initial_state(d, nodes=np.broadcast_to(nodes, (d.shape[0], n_nodes)))
        trajectory = _integrate_until_close(compiled, initial, activations, tol, t_end, t_max, rtol, atol)
        steady = compiled.layer_values(steady_state(compiled.network, initial))
        for layer in range(1, len(activations)):
            x = compiled.layer_values(trajectory)[layer]  # (batch, time, nodes)
            error = np.max(np.abs(x - activations[layer][:, None, :]), axis=(0, 2))
            top = np.max(x, axis=(0, 2))
            rel = np.max(np.abs(steady[layer] - activations[layer]) / np.maximum(np.abs(activations[layer]), 1e-300))
            checks.append(LayerCheck(
                start=name, layer=layer, final_error=float(error[-1]), steady_error=float(rel),
                settle_time=_last_exit(trajectory.t, error <= tol), entry_time=_last_exit(trajectory.t, top <= bound),
                end_time=float(trajectory.t[-1]),
            ))
    return VerificationResult(checks, tol, steady_tol, float(bound), d.shape[0], notes)


def _integrate_until_close(compiled, initial, activations, tol, t_end, t_max, rtol, atol):
    """Integrate to t_end, doubling it up to t_max until every layer ends within tol."""
    while True:
        # Log-spaced early times resolve the fast fall from large starts (Fig. 12, left).
        grid = np.unique(np.concatenate([[0.0], np.geomspace(1e-5, t_end, 300), np.linspace(0, t_end, 201)]))
        result = simulate(compiled.network, initial, (0.0, t_end), t_eval=grid, rtol=rtol, atol=atol)
        values = compiled.layer_values(result)
        worst = max(np.max(np.abs(values[l][:, -1, :] - activations[l])) for l in range(1, len(activations)))
        if worst <= tol or t_end >= t_max:
            return result
        t_end *= 2
