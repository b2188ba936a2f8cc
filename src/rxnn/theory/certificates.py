"""Convergence certificates for a compiled network on a given input (Thm. 4.8, Prop. 4.9, Prop. A.1).

For an input d the compiled network's nodes converge to the forward pass
x* of the neural network. :func:`certify` reports, node by node, the
contraction rate lambda = -f_x at the fixed point (sqrt(rho^2 + 4h) for the
smoothed ReLU; a float, for information), a *predicted* time after which
every node stays within ``tol`` of x* for every start with node
concentrations in [0, scale] (or from any start, for ``scale=inf``), and the
*observed* worst time over simulated starts.

The predicted time is proved: every number it rests on (fixed points,
forcing errors, bounds, the passage-time integrals) is computed in
python-flint ``arb`` ball arithmetic (:mod:`rxnn.theory._rigorous`), and
every float it reports is rounded outward. The observed time is numerical
evidence (a simulation), not a proof. See :func:`certify`'s Notes.

The argument is the cascade of Thm. 4.8's proof with explicit constants: it
shows convergence to within tol by a time T, and exponential convergence in
the sense of Def. 4.4 (a constant c >= 1), not Def. 4.7(3)'s inequality with
constant 1, which fails for some networks (``tests/test_theory_certificates.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from flint import arb

from rxnn._deprecation import deprecated_alias
from rxnn._validation import check_int, check_positive_finite
from rxnn.compile import CompiledNetwork
from rxnn.crn.simulate import simulate
from rxnn.nn.activations import Activation, PolynomialActivation, ReLU, SmoothReLU
from rxnn.nn.polynomial_node import PolynomialNodeActivation, node_criterion
from rxnn.theory._rigorous import (
    ball,
    fixed_point_ball,
    fixed_point_enclosures,
    phase_time,
    sum_up,
    upper,
    upper_forcing,
)
from rxnn.theory.activation_check import entry_bound
from rxnn.theory._display import VerdictDisplay

__all__ = [
    "LayerCertificate",
    "ConvergenceCertificate",
    "node_polynomial",
    "contraction_rates",
    "certify",
]

FloatArray = npt.NDArray[np.float64]

#: Relative slack for comparing a simulated time (BDF, rtol 1e-9) with the proved bound.
OBSERVATION_SLACK = 1e-6


def node_polynomial(activation: Activation) -> tuple[float, ...]:
    """The node polynomial g (c_0, ..., c_q, lowest degree first) that realises ``activation``.

    SmoothReLU(h) is h - x^2 (eq. (13)); PolynomialActivation(q, h) is
    h - (q-1) x^q (§6.1); ReLU is -x^2; PolynomialNodeActivation is its own g.

    Raises
    ------
    ValueError
        For an activation without a node polynomial (Sigmoid).

    Examples
    --------
    >>> from rxnn.nn import SmoothReLU
    >>> node_polynomial(SmoothReLU(0.5))  # g(x) = h - x^2
    (0.5, 0.0, -1.0)
    """
    if isinstance(activation, PolynomialNodeActivation):
        return activation.coefficients
    if isinstance(activation, SmoothReLU):
        return (activation.h, 0.0, -1.0)
    if isinstance(activation, PolynomialActivation):
        return (activation.h,) + (0.0,) * (activation.q - 1) + (-(activation.q - 1.0),)
    if isinstance(activation, ReLU):
        return (0.0, 0.0, -1.0)
    raise ValueError(
        f"activation of node_polynomial must be SmoothReLU, PolynomialActivation, ReLU or "
        f"PolynomialNodeActivation; got {type(activation).__name__}"
    )


def _g(c: tuple[float, ...], x: Any) -> Any:
    return np.polynomial.polynomial.polyval(x, c)


def _dg(c: tuple[float, ...], x: Any) -> Any:
    return np.polynomial.polynomial.polyval(x, np.polynomial.polynomial.polyder(c))


def _rho_of(c: tuple[float, ...], x: FloatArray) -> FloatArray:
    """phi^{-1}(x) = -g(x)/x, for x > 0."""
    return -_g(c, x) / x


def contraction_rates(compiled: CompiledNetwork, d: npt.ArrayLike) -> tuple[FloatArray, ...]:
    """lambda = -(g'(x*) + rho*) for every node, layer by layer, at the fixed point for input d.

    For the smoothed ReLU this is sqrt(rho^2 + 4h) (the proof of Prop. 4.9):
    near x*, |x(t) - x*| shrinks like exp(-lambda t).

    Parameters
    ----------
    compiled : CompiledNetwork
    d : array_like of shape (c_0,)

    Returns
    -------
    tuple of ndarray
        One array of shape (c_l,) per layer l = 1..m.

    Examples
    --------
    >>> from rxnn.compile import compile_network
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> compiled = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0))
    >>> rates = contraction_rates(compiled, [0.5, 1.0])
    >>> [r.shape for r in rates], bool(all((r > 0).all() for r in rates))
    ([(2,), (1,)], True)
    """
    c, rhos, xs = _fixed_points(compiled, d, "contraction_rates")
    return tuple(-(_dg(c, x) + rho) for rho, x in zip(rhos, xs))


def _fixed_points(compiled: Any, d: npt.ArrayLike, func: str) -> tuple[tuple[float, ...], list, list]:
    if not isinstance(compiled, CompiledNetwork):
        raise TypeError(f"compiled of {func} must be a CompiledNetwork; got {type(compiled).__name__}")
    c = node_polynomial(compiled.source.activation)
    reason = node_criterion(c)
    if reason is not None:
        raise ValueError(
            f"compiled of {func} must have nodes meeting the hypotheses of Thm. 4.8; for g = {c}: {reason}"
        )
    x0 = np.asarray(d, dtype=np.float64)
    c0 = compiled.source.layer_sizes[0]
    if x0.shape != (c0,) or not np.all(np.isfinite(x0)) or np.any(x0 < 0):
        raise ValueError(f"d of {func} must be {c0} finite concentrations >= 0; got {np.asarray(d)!r}")
    node = PolynomialNodeActivation(c)
    rhos, xs, a = [], [], x0
    for W, b in zip(compiled.source.weights, compiled.source.biases):
        rho = W @ a + b
        a = np.asarray(node(rho), dtype=np.float64)
        rhos.append(rho)
        xs.append(a)
    return c, rhos, xs


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class LayerCertificate:
    """The convergence phase of one layer.

    Attributes
    ----------
    layer : int
        l (1-based; inputs are layer 0).
    rho : ndarray of shape (c_l,)
        rho* = W x*_{l-1} + b at the fixed point.
    fixed_point : ndarray of shape (c_l,)
        x* = phi(rho*).
    contraction_rate : ndarray of shape (c_l,)
        lambda = -(g'(x*) + rho*) > 0.
    forcing_error : ndarray of shape (c_l,)
        delta: |rho(t) - rho*| <= delta from ``start_time`` on (0 for layer 1).
    bound : ndarray of shape (c_l,)
        B: x(start_time) <= B for every start considered.
    tolerance : float
        The distance to x* this layer is driven to (<= the requested tol;
        smaller where the next layer needs it).
    start_time : float
        When the phase starts: the previous layer is within its tolerance
        (and, for ``scale=inf``, this layer has entered [0, B]).
    predicted_time : float
        From this time on every node of the layer stays within ``tolerance``.

    Examples
    --------
    >>> from rxnn.compile import compile_network
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> compiled = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0))
    >>> layer = certify(compiled, [0.5, 1.0]).layers[0]
    >>> isinstance(layer, LayerCertificate), layer.layer, layer.fixed_point.shape
    (True, 1, (2,))
    """

    layer: int
    rho: FloatArray
    fixed_point: FloatArray
    contraction_rate: FloatArray
    forcing_error: FloatArray
    bound: FloatArray
    tolerance: float
    start_time: float
    predicted_time: float


@dataclass(frozen=True)
class ConvergenceCertificate(VerdictDisplay):
    """Predicted and observed convergence of a compiled network for one input.

    Attributes
    ----------
    tol : float
        Every node within ``tol`` of its fixed point.
    scale : float
        Starts with node concentrations in [0, scale] (inf: any start).
    layers : tuple of LayerCertificate
    predicted_time : float
        T: from time T on, every node of every layer stays within tol of
        x*, for every start in the range (proved in ball arithmetic).
    observed_time : float or None
        The worst observed time over the simulated starts: the last sampled
        time at which some node was farther than tol from x* (0 if none; inf
        if still outside at the end of the simulation, 1.25 x the predicted
        time). None without simulation. Numerical evidence: the simulation
        has its own error (rtol 1e-9), so ``holds`` allows the observed time
        a relative slack of ``OBSERVATION_SLACK`` (1e-6) over the predicted one.
    starts : ndarray of shape (n_starts, n_nodes) or None
    observed_times : ndarray of shape (n_starts,) or None

    Examples
    --------
    >>> from rxnn.compile import compile_network
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> compiled = compile_network(FeedForwardNetwork.random([2, 2, 1], SmoothReLU(1.0), seed=0))
    >>> cert = certify(compiled, [0.5, 1.0])
    >>> isinstance(cert, ConvergenceCertificate), len(cert.layers), cert.predicted_time > 0
    (True, 2, True)
    """

    tol: float
    scale: float
    layers: tuple[LayerCertificate, ...]
    predicted_time: float
    observed_time: float | None = None
    starts: FloatArray | None = None
    observed_times: FloatArray | None = None

    @property
    def passed(self) -> bool | None:
        """The numerical check: observed <= predicted x (1 + OBSERVATION_SLACK) (None when nothing was simulated).

        The predicted time itself is proved (ball arithmetic); this compares it
        with simulations, so it is a numeric verdict, named as the others.
        """
        if self.observed_time is None:
            return None
        return bool(self.observed_time <= self.predicted_time * (1 + OBSERVATION_SLACK))

    holds = deprecated_alias("passed", "ConvergenceCertificate.holds")

    @property
    def worst_start(self) -> FloatArray | None:
        """The simulated start that took longest."""
        if self.observed_times is None or self.starts is None:
            return None
        return self.starts[int(np.argmax(self.observed_times))]

    def __str__(self) -> str:
        scale = "any start" if math.isinf(self.scale) else f"starts in [0, {self.scale:g}]"
        lines = [f"convergence to within {self.tol:g} of the fixed point, {scale}"]
        lines.append(f"{'layer':>5} {'node':>4} {'rho*':>11} {'x*':>11} {'lambda':>11} {'B':>10} {'delta':>9} {'tol_l':>9}")
        for L in self.layers:
            for i in range(L.rho.size):
                lines.append(
                    f"{L.layer:>5} {i + 1:>4} {L.rho[i]:>11.4g} {L.fixed_point[i]:>11.4g} "
                    f"{L.contraction_rate[i]:>11.4g} {L.bound[i]:>10.4g} {L.forcing_error[i]:>9.2g} {L.tolerance:>9.2g}"
                )
        for L in self.layers:
            lines.append(f"layer {L.layer}: phase from t = {L.start_time:.4g}, within tolerance by t = {L.predicted_time:.4g}")
        lines.append(f"predicted time: {self.predicted_time:.4g}")
        if self.observed_time is not None:
            verdict = "within the prediction" if self.passed else "EXCEEDS the prediction"
            lines.append(
                f"observed time: {self.observed_time:.4g} (worst of {len(self.observed_times)} simulated starts), {verdict}"
            )
        return "\n".join(lines)


# ---------------------------------------------------------------------- the bound
def _tolerances(c, rhos, xs, weights, tol) -> list[float]:
    """Per-layer tolerances, backwards: layer l-1 must be close enough that rho_l moves phi by <= tol_l/2."""
    m = len(rhos)
    tols = [tol] * m
    for l in range(m - 1, 0, -1):
        delta = _allowed_forcing_error(c, rhos[l], xs[l], tols[l])
        norms = np.abs(weights[l]).sum(axis=1)
        with np.errstate(divide="ignore"):
            need = np.where(norms > 0, delta / norms, np.inf)
        tols[l - 1] = float(min(tol, np.min(need)))
    return tols


def _allowed_forcing_error(c, rho, x, tol) -> FloatArray:
    """Largest delta with |phi(rho* +- delta) - x*| <= tol/2 (phi^{-1}(x) = -g(x)/x is increasing)."""
    up = _rho_of(c, x + tol / 2) - rho
    low_x = x - tol / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        down = np.where(low_x > 0, rho - _rho_of(c, np.maximum(low_x, 1e-300)), np.inf)
    return np.minimum(up, down)


def _predict(c, rhos, xs, weights, biases, d, tol, scale) -> list[LayerCertificate]:
    node = PolynomialNodeActivation(c)
    tols = _tolerances(c, rhos, xs, weights, tol)
    enclosures = fixed_point_enclosures(c, weights, biases, d, xs)
    out: list[LayerCertificate] = []
    previous_bound, previous_time, previous_entry = np.asarray(d, dtype=float), 0.0, 0.0
    for l, (rho, x) in enumerate(zip(rhos, xs)):
        W, b = weights[l], biases[l]
        rho_balls, lo, hi = enclosures[l]
        rho_up = upper_forcing(W, b, previous_bound)
        entry = previous_entry
        if math.isinf(scale):
            eb = entry_bound(c, max(float(np.max(rho_up)), 1e-12))
            bound = np.full(rho.size, eb.radius)
            entry = sum_up(previous_entry, eb.time)
        else:
            tops = [fixed_point_ball(c, ball(r), float(node(r)))[1] for r in rho_up]
            bound = np.maximum(scale, np.array(tops))
        if l == 0:
            delta = np.zeros(rho.size)
        else:
            delta = np.array([upper(sum((ball(abs(w)) * ball(tols[l - 1]) for w in row), arb(0))) for row in W])
        start = max(previous_time, entry)
        lam = -(_dg(c, x) + rho)
        finish = sum_up(start, phase_time(c, rho_balls, lo, hi, delta, bound, tols[l], l + 1))
        out.append(LayerCertificate(l + 1, rho, x, lam, delta, bound, tols[l], start, finish))
        previous_bound, previous_time, previous_entry = bound, finish, entry
    return out


# ---------------------------------------------------------------------- observation
def _observe(compiled, d, xs, starts, t_end, tol) -> FloatArray:
    state = compiled.initial_state(d, nodes=starts)
    early = np.geomspace(1e-6 * t_end, t_end, 600)
    grid = np.unique(np.concatenate([[0.0], early, np.linspace(0, t_end, 3001)]))
    result = simulate(compiled.network, state, (0.0, t_end), t_eval=grid, method="BDF", rtol=1e-9, atol=1e-11)
    layers = compiled.layer_values(result)[1:]
    error = np.max(np.concatenate([np.abs(v - x) for v, x in zip(layers, xs)], axis=-1), axis=-1)
    error = error.reshape(starts.shape[0], grid.size)
    times = np.empty(starts.shape[0])
    for k, e in enumerate(error):
        outside = np.flatnonzero(e > tol)
        if outside.size == 0:
            times[k] = 0.0
        elif outside[-1] == grid.size - 1:
            times[k] = np.inf
        else:
            times[k] = grid[outside[-1]]
    return times


def _starts(n_nodes: int, scale: float, n_starts: int, seed: Any) -> FloatArray:
    """Corners first (all 0, all scale, alternating), then uniform draws in [0, scale]."""
    rng = np.random.default_rng(seed)
    corners = [np.zeros(n_nodes), np.full(n_nodes, scale), np.resize([0.0, scale], n_nodes), np.resize([scale, 0.0], n_nodes)]
    rows = corners[:n_starts]
    while len(rows) < n_starts:
        rows.append(rng.uniform(0.0, scale, n_nodes))
    return np.array(rows)


def certify(
    compiled: CompiledNetwork,
    d: npt.ArrayLike,
    *,
    tol: float = 1e-3,
    scale: float = 1000.0,
    n_starts: int = 8,
    seed: Any = 0,
    simulate_starts: bool = True,
    observe_scale: float | None = None,
) -> ConvergenceCertificate:
    """Predicted and observed time for every node of ``compiled`` to settle within ``tol`` for input d.

    Parameters
    ----------
    compiled : CompiledNetwork
        Its activation must give nodes meeting Thm. 4.8's hypotheses
        (SmoothReLU or PolynomialActivation with h > 0, or a
        PolynomialNodeActivation).
    d : array_like of shape (c_0,)
        Input concentrations.
    tol : float, default 1e-3
        Target distance of every node from its fixed point.
    scale : float, default 1000.0
        Starts with node concentrations in [0, scale] (the paper's 1000*rand);
        ``math.inf`` for every start (convergence from infinity).
    n_starts : int, default 8
        Simulated starts: all 0, all ``scale``, two alternating corners, then
        uniform draws in [0, scale].
    seed : int or Generator, default 0
        For the uniform draws.
    simulate_starts : bool, default True
        Simulate to observe; False gives the prediction alone.
    observe_scale : float, optional
        Scale of the simulated starts; default ``scale`` (required when
        ``scale`` is inf).

    Returns
    -------
    ConvergenceCertificate

    Raises
    ------
    ValueError
        For activations outside the theorem (ReLU, whose h = 0 gives
        algebraic convergence at rho = 0), bad inputs or tolerances.
    ComputationError
        If a step of the proof cannot be certified at 128 bits (a tol so
        small that the next layer's allowed forcing error vanishes).

    Notes
    -----
    The bound runs the induction of Thm. 4.8's proof with explicit constants.
    Layer l's phase starts at S_l, when layer l-1 is within tol_{l-1} of its
    fixed point (and stays there), so |rho(t) - rho*| <= delta =
    sum_j |W_ij| tol_{l-1}, and every node is below a bound B: for finite
    scale B = max(scale, phi(max rho)) holds for all t (comparison with the
    largest forcing); for scale = inf, B = R and S_l also waits for the entry
    time of Prop. A.1 (:func:`~rxnn.theory.entry_bound`), cascaded. From S_l,
    f(rho* - delta, x) <= dx/dt <= f(rho* + delta, x) for x >= 0, so x(t) lies
    between the solutions of these two autonomous ODEs started at 0 and at B
    (scalar comparison principle). They are monotone, with limits
    phi(rho* -+ delta) within tol_l/2 of x*; the time each takes to come
    within tol_l of x* is the integral of dx/|f|.
    tol_{l-1} is chosen backwards so that delta keeps phi(rho* +- delta)
    within tol_l/2 (phi^{-1}(x) = -g(x)/x). Summing the phases gives the
    predicted time; near x* the integrals grow like log(1/tol)/lambda, with
    lambda the contraction rate.

    Rigour: the fixed points are enclosed in arb balls (a sign change of
    f(rho, .) certified at both ends, for every rho in the ball of the
    previous layer), delta, B and the entry time are rounded up, the
    brackets' targets x*_hi - tol and x*_lo + tol are checked to lie on the
    right side of phi(rho* -+ delta) by certified signs of f, and each
    passage time is an ``acb.integral`` enclosure (Arb's validated
    quadrature), rounded up. What remains numerical is the choice of the
    per-layer tolerances (any choice that passes the checks is valid) and
    the contraction rates (reported, not used). The observed times use
    :func:`~rxnn.simulate` (BDF, rtol 1e-9) on a grid of ~3600 times, so tol
    should exceed ~1e-6; they are evidence, compared with slack 1e-6.

    The result is convergence within tol by time T: an instance of Def. 4.4
    for the cascade (with a constant c >= 1), not of Def. 4.7(3).

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> from rxnn.compile import compile_network
    >>> net = FeedForwardNetwork([np.array([[1.0, -1.0]])], [np.array([0.5])], SmoothReLU(1.0))
    >>> cert = certify(compile_network(net), [1.0, 0.5], n_starts=2)
    >>> round(float(cert.layers[0].contraction_rate[0]), 6)   # sqrt(rho^2 + 4h), rho = 1
    2.236068
    >>> cert.passed
    True
    """
    func = "certify"
    tol = check_positive_finite(tol, "tol", func)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0:
        raise ValueError(f"scale of {func} must be a positive number or math.inf; got {scale!r}")
    scale = float(scale)
    n_starts = check_int(n_starts, "n_starts", func, minimum=1)
    if observe_scale is None:
        if simulate_starts and math.isinf(scale):
            raise ValueError(f"observe_scale of {func} must be given when scale is inf; got None")
        observe_scale = scale
    else:
        observe_scale = check_positive_finite(observe_scale, "observe_scale", func)
        if observe_scale > scale:
            raise ValueError(f"observe_scale of {func} must be <= scale = {scale:g}; got {observe_scale!r}")
    c, rhos, xs = _fixed_points(compiled, d, func)
    src = compiled.source
    layers = _predict(c, rhos, xs, list(src.weights), list(src.biases), d, tol, scale)
    predicted = layers[-1].predicted_time
    if not simulate_starts:
        return ConvergenceCertificate(tol, scale, tuple(layers), predicted)
    n_nodes = sum(src.layer_sizes[1:])
    starts = _starts(n_nodes, observe_scale, n_starts, seed)
    t_end = max(1.25 * predicted, 1e-3)
    times = _observe(compiled, np.asarray(d, dtype=float), xs, starts, t_end, tol)
    return ConvergenceCertificate(tol, scale, tuple(layers), predicted, float(np.max(times)), starts, times)
