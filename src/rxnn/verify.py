"""Does a reaction network implement a neural network? Numerical evidence for Def. 4.1 and Def. 4.7.

:func:`verify_network` integrates the mass-action ODE (eq. (2)) of a reaction
network, for given inputs, from starts that probe the quantifier of Def. 4.1
("for any choices of x^l(0) >= 0", boundary included: :mod:`rxnn._starts`),
and judges for every start and layer the distance from the activations a^l of
the forward pass (eqs. (6)-(7)) at the end of the run and at the steady state,
the time of entry into a bounded set (Def. 4.7(2)) and the settling time, each
against a stated limit. It reports the decay of |x(t) - a| as a rate lambda
with a constant c (Def. 4.4, which Thm. 4.8's proof gives), never Def. 4.7(3)
(constant 1), which a simulation cannot establish. The verdict is numerical
evidence, not a proof.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rxnn._deprecation import renamed_keywords
from rxnn._starts import Start, probe_starts
from rxnn._validation import check_positive_finite, must_be
from rxnn._verify_result import HORIZON_KIND, INTEGRATION_FAILED, KIND, LayerCheck, StartCheck, VerificationResult, decay_check, last_entry
from rxnn._verify_rate_independent import RateIndependenceResult, verify_rate_independent
from rxnn._verify_target import Target, VerifyTypeError, target_for
from rxnn.compile import CompiledNetwork
from rxnn.constructions.rate_independent import RateIndependentNetwork
from rxnn.crn.network import ReactionNetwork
from rxnn.crn.simulate import simulate, steady_state
from rxnn.errors import LimitError, RxnnError

__all__ = [
    "verify_network", "VerificationResult", "LayerCheck", "StartCheck", "ReliabilityWarning",
    "VerifyTypeError", "KIND", "HORIZON_KIND", "MAX_VERIFY_INPUTS", "RateIndependenceResult", "verify_rate_independent",
]

#: Most inputs one call verifies (each start integrates all of them as one batch).
MAX_VERIFY_INPUTS = 10_000


class ReliabilityWarning(UserWarning):
    """The hypotheses of Prop. 4.9 / Thm. 4.8 do not hold, so convergence is not guaranteed.

    Examples
    --------
    >>> import warnings
    >>> from rxnn import FeedForwardNetwork, ReLU, compile_network
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = verify_network(compile_network(FeedForwardNetwork.random([1, 1], ReLU(), seed=0)), [0.5], t_max=5.0)
    >>> [str(w.message)[:28] for w in caught if w.category is ReliabilityWarning]  # the ReLU has h = 0
    ['h = 0: Prop. 4.9 needs h > 0']
    """


@renamed_keywords(inputs="d")
def verify_network(
    implementation: CompiledNetwork | RateIndependentNetwork | ReactionNetwork,
    d: Any,
    *,
    reference: Any = None,
    layers: Sequence[Sequence[str | Mapping[str, float]]] | None = None,
    initial: Mapping[str, float] | None = None,
    starts: Mapping[str, Any] | None = None,
    scales: tuple[float, ...] = (10.0, 1000.0),
    include_ones: bool = True,
    seed: int = 0,
    tol: float = 1e-6,
    steady_tol: float = 1e-8,
    bound: float | None = None,
    entry_limit: float = 10.0,
    settle_limit: float = 100.0,
    t_end: float = 20.0,
    t_max: float = 640.0,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    initial_bound: float | None = None,
    horizon: float | None = None,
) -> VerificationResult | RateIndependenceResult:
    """Check that a reaction network computes every layer's activations (Def. 4.1, Def. 4.7).

    Each construction is checked against its own guarantee: a
    :class:`~rxnn.constructions.rate_independent.RateIndependentNetwork` goes to
    :func:`verify_rate_independent` (clean start, final amounts, three random
    draws of rate constants log-uniform in [1e-2, 1e2]; ``seed`` is passed on).

    Parameters
    ----------
    implementation : CompiledNetwork or ReactionNetwork
        A compiled network (which knows its reference and species), or any
        reaction network, for which ``reference``, ``layers`` and ``initial``
        say what it should compute and how its species map to nodes.
    d : array_like of shape (c_0,) or (batch, c_0)
        Input concentrations d (finite, >= 0); at most MAX_VERIFY_INPUTS rows. ``inputs=`` is the
        deprecated spelling of this keyword.
    reference : FeedForwardNetwork, optional
        For a ReactionNetwork: the network whose activations a^l(d) the node
        species should reach.
    layers : sequence of sequences of str or of mappings, optional
        For a ReactionNetwork: the species of layers 0..m, inputs first; widths
        must match ``reference.layer_sizes``. Input species must not change
        (x^0 = d, eq. (11)); one that drives no reaction may be absent. A node
        may be a mapping ``{species: weight}``, read as the weighted sum (a
        DNA design's ``design.readout(X)``); its first species takes the start.
    initial : mapping of str to float, optional
        For a ReactionNetwork: the concentration of every species that is not
        a node (weights, biases, H, fuel). Entries for layer species are
        ignored (inputs come from ``d``, nodes from the starts), so the
        mapping :func:`rxnn.io.sbml.read_sbml` returns can be passed as is.
    starts : mapping of str to array_like of shape (n_nodes,), optional
        Further named starts of the hidden and output nodes, in layer order.
    scales : tuple of float, default (10, 1000)
        Random starts ``scale * uniform(0, 1)`` per node, as §6 uses.
    include_ones : bool, default True
        Also start from every node at 1 (Fig. 10).
    seed : int
        Seed of the random starts.
    tol : float, default 1e-6
        Limit on the absolute distance of every node from a^l at the end time.
    steady_tol : float, default 1e-8
        Limit on the relative error of the steady state reached from each start.
    bound : float, optional
        B of the bounded set {x <= B} of Def. 4.7(2) and of the corner starts;
        default 2 * max(1, largest activation).
    entry_limit : float, default 10
        Every layer must enter {x <= B} (and stay) by this time, from every
        start. For the pure decay u' = -c u^q, Prop. A.1 gives u <= 1 after
        1/((q-1)c) from any start; a compiled layer (c = q - 1 = 1 for q = 2)
        with bounded upstream enters {x <= 2} within about 1/2, so 10 leaves
        room for deep networks and slower hand-built rates.
    settle_limit : float, default 100
        Every layer must stay within ``tol`` of a^l from this time on. With
        h > 0 the compiled networks settle at rate sqrt(rho^2 + 4h) >= 2 sqrt(h)
        (Prop. 4.9; t of order 10 in Fig. 10-12); 100 flags the slow,
        non-exponential approach of degenerate fixed points.
    t_end, t_max : float
        The trajectory is integrated to ``t_end``, doubled up to ``t_max``
        until every layer is within ``tol``.
    rtol, atol : float
        Integrator tolerances; 1e-10/1e-12 keep the integration error two
        orders below the default ``tol``.
    initial_bound : float, optional
        Take only starts in the box [0, initial_bound]^n of node values: the
        random starts at scale at most ``initial_bound``, the corners at
        ``initial_bound`` (or ``bound`` if smaller), no 1e6 start; a start in
        ``starts`` outside the box is refused. For a network that serves only
        a bounded region, e.g. a DNA design with finite fuel
        (:func:`rxnn.dsd.servable_box` gives the box its fuels serve).
    horizon : float, optional
        Judge every layer at this finite time instead of at its limit: the
        trajectory is integrated to ``horizon`` (``t_end``/``t_max`` are not
        used), no steady state is computed or judged, and the result's
        ``kind`` says so (``"finite-horizon numerical evidence"``): it checks
        that the outputs are within ``tol`` of the forward pass at that
        time, not Def. 4.1 (a network with finite fuel has no steady state
        that computes the forward pass).

    Returns
    -------
    VerificationResult
        ``passed`` is the verdict; ``kind`` is ``"numerical evidence"``;
        ``checks`` has one :class:`LayerCheck` per start and layer and
        ``starts`` one :class:`StartCheck` (Def. 4.4 rate and constant) per
        start; ``failures`` names each failure and the start that shows it.

    Raises
    ------
    InvalidArgumentError
        Bad limits or inputs, layers of the wrong width, species in ``layers``
        or ``initial`` that are not in the network, non-node species without a
        concentration, or inputs that change.
    VerifyTypeError
        ``implementation`` or ``reference`` of the wrong type (a TypeError).

    Warns
    -----
    ReliabilityWarning
        A compiled network with h = 0: Prop. 4.9 needs h > 0 (the face x = 0
        is then invariant and the fixed point 0 is not hyperbolic).

    Notes
    -----
    The starts (:func:`rxnn._starts.probe_starts`): all ones, the random ones,
    every node at 0, each layer at 0 with the rest random on [0, B], every
    node at 1e-12 and at 1e6, and corners of [0, B]^n. Each start is
    integrated for the whole batch of inputs in one call (the integrator's
    error control is then per start; one batch of every start let a late
    explicit-step error grow near ``tol`` on 784-40-10). Times are judged on a grid of
    about 500 points (log-spaced from 1e-5 to resolve the fall from 1e6, and
    linear), so entry and settle times are accurate to the grid spacing.

    Examples
    --------
    >>> import numpy as np
    >>> from rxnn import FeedForwardNetwork, SmoothReLU, compile_network
    >>> net = FeedForwardNetwork([np.array([[1.0, -0.5]])], [np.array([0.2])], SmoothReLU(1.0))
    >>> result = verify_network(compile_network(net), [0.5, 1.0])
    >>> result.passed, result.kind
    (True, 'numerical evidence')

    Starts in a box, judged at a finite time (what a DNA design with finite fuel can be checked for):

    >>> boxed = verify_network(compile_network(net), [0.5, 1.0], initial_bound=3.0, horizon=20.0)
    >>> boxed.passed, boxed.kind
    (True, 'finite-horizon numerical evidence')
    """
    func = "verify_network"
    if isinstance(implementation, RateIndependentNetwork):  # its guarantee: clean start, any rate constants
        given = dict(reference=reference, layers=layers, initial=initial, starts=starts)
        extra = [k for k, v in given.items() if v is not None]
        if extra:
            raise VerifyTypeError(f"{extra[0]} of {func} must be omitted for a RateIndependentNetwork (it is checked "
                                  "from its clean start; see verify_rate_independent for its options)")
        return verify_rate_independent(implementation, d, seed=seed)
    target = target_for(implementation, reference, layers, initial)
    tol = check_positive_finite(tol, "tol", func)
    steady_tol = check_positive_finite(steady_tol, "steady_tol", func)
    entry_limit = check_positive_finite(entry_limit, "entry_limit", func)
    settle_limit = check_positive_finite(settle_limit, "settle_limit", func)
    t_end = check_positive_finite(t_end, "t_end", func)
    t_max = check_positive_finite(t_max, "t_max", func)
    for s in scales:
        check_positive_finite(s, "scales", func)
    if initial_bound is not None:
        initial_bound = check_positive_finite(initial_bound, "initial_bound", func)
    if horizon is not None:
        horizon = check_positive_finite(horizon, "horizon", func)
        t_end = t_max = horizon
    d = _check_inputs(d, target.reference.layer_sizes[0], func)
    activations = target.reference.activations(d)
    if bound is None:
        bound = 2.0 * max(1.0, float(max(a.max() for a in activations[1:])))
    bound = check_positive_finite(bound, "bound", func)
    top = float(max(a.max() for a in activations[1:]))
    if bound <= top:
        raise must_be("bound", func, f"above the largest activation {top:g} (the limit must lie in the bounded set)", bound)
    extra = _extra_starts(starts, len(target.node_species), func, initial_bound)
    notes = _reliability_notes(target)
    chosen = _chosen_starts(target, bound, tuple(scales), include_ones, extra, seed, initial_bound)
    layer_checks: list[LayerCheck] = []
    start_checks: list[StartCheck] = []
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for start in _progress(chosen, enabled=d.shape[0] * len(target.node_species) >= 1000):
        # One integration per start: faster than one batch of every start, and error control per start.
        layer_part, start_part, curves[start.name] = _check_start(
            target, d, activations, start, tol, bound, t_end, t_max, rtol, atol, steady=horizon is None
        )
        layer_checks += layer_part
        start_checks.append(start_part)
    kind = KIND if horizon is None else HORIZON_KIND
    return VerificationResult(
        layer_checks, tol, steady_tol, float(bound), d.shape[0], notes, start_checks, entry_limit, settle_limit, kind,
        curves, horizon=horizon, initial_bound=initial_bound,
    )


def _chosen_starts(target: Target, bound: float, scales: tuple[float, ...], include_ones: bool,
                   extra: tuple[Start, ...], seed: int, box: float | None) -> list[Start]:
    """The probe starts, or (``box`` given) those in [0, box]^n: scales and corners at most ``box``."""
    if box is None:
        return probe_starts(target.widths, bound, scales=scales, include_ones=include_ones, extra=extra, seed=seed)
    scales = tuple(dict.fromkeys(min(s, box) for s in scales))
    chosen = probe_starts(target.widths, min(bound, box), scales=scales, include_ones=include_ones and box >= 1.0,
                          extra=extra, seed=seed)
    return [s for s in chosen if float(s.nodes.max(initial=0.0)) <= box]


def _progress(starts: list[Start], *, enabled: bool) -> Any:
    """Starts wrapped in a tqdm bar for long runs (tqdm is the optional ``progress`` extra)."""
    if not enabled:
        return starts
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return starts
    return tqdm(starts, desc="verify_network", unit="start", leave=False)


def _check_inputs(inputs: Any, c0: int, func: str) -> np.ndarray:
    try:
        d = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    except (TypeError, ValueError):
        raise must_be("d", func, f"an array of shape ({c0},) or (batch, {c0})", type(inputs).__name__) from None
    if d.ndim != 2 or d.shape[1] != c0 or d.shape[0] == 0:
        raise must_be("d", func, f"an array of shape ({c0},) or (batch, {c0})", f"shape {d.shape}")
    if d.shape[0] > MAX_VERIFY_INPUTS:
        raise LimitError(f"d of {func} has {d.shape[0]} rows, over the limit of {MAX_VERIFY_INPUTS}; verify in chunks")
    bad = ~np.isfinite(d) | (d < 0)
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise must_be(f"d[{row}, {col}]", func, "a finite concentration >= 0", float(d[row, col]))
    return d


def _extra_starts(starts: Any, n_nodes: int, func: str, box: float | None = None) -> tuple[Start, ...]:
    if starts is None:
        return ()
    if not isinstance(starts, Mapping):
        raise must_be("starts", func, "a mapping of names to node vectors", type(starts).__name__)
    out = []
    for name, nodes in starts.items():
        x = np.asarray(nodes, dtype=np.float64)
        if x.shape != (n_nodes,) or not np.all(np.isfinite(x) & (x >= 0)):
            raise must_be(f"starts[{name!r}]", func, f"{n_nodes} finite concentrations >= 0 in layer order", x.tolist())
        if box is not None and float(x.max(initial=0.0)) > box:
            raise must_be(f"starts[{name!r}]", func, f"within initial_bound={box:g} (every node at most that)",
                          f"a node at {float(x.max()):g}")
        out.append(Start(str(name), x))
    return tuple(out)


def _reliability_notes(target: Target) -> list[str]:
    if target.h is None or target.h > 0:
        return []
    message = (
        "h = 0: Prop. 4.9 needs h > 0; without it the face x = 0 is invariant and the zero fixed point is not "
        "hyperbolic, so the compiled network may converge slowly or not at all (use SmoothReLU(h) with h > 0)"
    )
    warnings.warn(message, ReliabilityWarning, stacklevel=3)
    return [message]


def _check_start(
    target: Target, d: np.ndarray, activations: list[np.ndarray], start: Start,
    tol: float, bound: float, t_end: float, t_max: float, rtol: float, atol: float, steady: bool = True,
) -> tuple[list[LayerCheck], StartCheck, tuple[np.ndarray, np.ndarray]]:
    """Integrate one start for every input (one batch) and judge it, layer by layer (no steady state if not ``steady``)."""
    nodes = np.broadcast_to(start.nodes, (d.shape[0], start.nodes.size))
    state = target.state(d, nodes)
    try:
        times, values = _integrate_until_close(target, state, activations, tol, t_end, t_max, rtol, atol)
    except RxnnError as exc:  # the integrator gave up from this start: a failure of the start, not of the call
        return _integration_failure(target, start, exc)
    m = len(target.layers) - 1
    converged = np.zeros(d.shape[0], dtype=bool)
    steady_values: list[Any] = [None] * (m + 1)
    if steady:
        try:
            found = steady_state(target.network, state, raise_on_failure=False)
            converged = np.asarray(found.converged, dtype=bool)
            steady_values = [None] + [target.layer_values(found, layer) for layer in range(1, m + 1)]
        except RxnnError:  # no steady state found: judged as an infinite steady-state error
            pass
    floor = max(1e3 * atol, 0.1 * tol)  # below this, |x(t) - a| may be integration noise (RMS error control)
    checks, offsets = [], []
    for layer in range(1, m + 1):
        a, x = activations[layer], values[layer]
        error = np.max(np.abs(x - a[:, None, :]), axis=(0, 2))
        top = np.max(x, axis=(0, 2))
        # Relative error, with |a| floored at tol so that nodes whose activation is ~0 are judged absolutely.
        if not steady:  # finite horizon: no steady state computed (not judged)
            rel = float("nan")
        elif converged.all():
            rel = float(np.max(np.abs(steady_values[layer] - a) / np.maximum(np.abs(a), tol)))
        else:
            rel = float("inf")
        checks.append(LayerCheck(
            start=start.name, layer=layer, final_error=float(error[-1]), steady_error=rel,
            settle_time=last_entry(times, error <= tol), entry_time=last_entry(times, top <= bound),
            end_time=float(times[-1]),
        ))
        offsets.append(x - a[:, None, :])
    distance = np.sqrt(sum(np.sum(o**2, axis=2) for o in offsets))  # (inputs, time)
    diagnosis = _diagnosis(target, values, activations, start, tol)
    check = decay_check(start.name, times, distance, floor, diagnosis)
    return checks, check, (times, distance.max(axis=0))


def _integration_failure(
    target: Target, start: Start, exc: Exception
) -> tuple[list[LayerCheck], StartCheck, tuple[np.ndarray, np.ndarray]]:
    inf, nan = float("inf"), float("nan")
    reason = f"{INTEGRATION_FAILED} ({exc}), so convergence from this start is not shown"
    layers = [LayerCheck(start.name, layer, inf, inf, inf, inf, 0.0) for layer in range(1, len(target.layers))]
    return layers, StartCheck(start.name, inf, inf, 0.0, nan, nan, 0.0, reason), (np.zeros(0), np.zeros(0))


def _diagnosis(target: Target, values: list[np.ndarray], activations: list[np.ndarray], start: Start, tol: float) -> str:
    """Name a node that starts at 0, stays exactly at 0, and should not: the face x = 0 is invariant."""
    offset = 0
    for layer in range(1, len(target.layers)):
        x = values[layer]
        width = x.shape[-1]
        for i in range(width):
            started = start.nodes[offset + i] == 0
            stuck = np.all(x[..., i] == 0, axis=1)
            wrong = activations[layer][:, i] > tol
            hit = np.flatnonzero(stuck & wrong) if started else np.zeros(0, dtype=int)
            if hit.size:
                name = target.layers[layer][i]
                cause = "h = 0 (H -> H + X has [H] = 0)" if target.h == 0 else "no reaction makes it while it is absent"
                return (
                    f"{name} starts at 0 and stays at 0 for the whole run while a^{layer}_{i + 1} = "
                    f"{float(activations[layer][hit[0], i]):.6g} (input {int(hit[0])}): the face {name} = 0 is "
                    f"invariant, since {cause}, so Def. 4.1 fails from this start"
                )
        offset += width
    return ""


def _integrate_until_close(
    target: Target, state: dict[str, Any], activations: list[np.ndarray],
    tol: float, t_end: float, t_max: float, rtol: float, atol: float,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Integrate to t_end, then on to 2 t_end, ... t_max until every layer ends within tol.

    Each extension continues from the end state (no re-integration) and stops
    early once the nodes moved less than tol/10 over the last extension: the
    run has settled, so more time cannot bring a wrong limit within tol.
    Returns the sampled times and the layers' values (batch, time, nodes).
    """
    m = len(target.layers) - 1
    # Log-spaced early times resolve the fast fall from large starts (Fig. 12, left).
    grid = np.unique(np.concatenate([[0.0], np.geomspace(1e-5, t_end, 300), np.linspace(0, t_end, 201)]))
    result = simulate(target.network, state, (0.0, t_end), t_eval=grid, rtol=rtol, atol=atol)
    nodes = range(1, m + 1)  # layer 0 (the inputs) is constant and never read: not materialised over time
    times = [result.t]
    values = [[None] + [target.layer_values(result, layer) for layer in nodes]]
    while t_end < t_max:
        last = [None] + [v[:, -1, :] for v in values[-1][1:]]
        if max(float(np.max(np.abs(last[layer] - activations[layer]))) for layer in range(1, m + 1)) <= tol:
            break
        new_end = min(2.0 * t_end, t_max)
        result = simulate(target.network, result.to_dict(at=-1), (t_end, new_end), t_eval=np.linspace(t_end, new_end, 201),
                          rtol=rtol, atol=atol)
        times.append(result.t[1:])
        values.append([None] + [target.layer_values(result, layer)[:, 1:, :] for layer in nodes])
        t_end = new_end
        moved = max(float(np.max(np.abs(values[-1][layer][:, -1, :] - last[layer]))) for layer in range(1, m + 1))
        if moved <= 0.1 * tol:
            break
    return np.concatenate(times), [None] + [np.concatenate([v[layer] for v in values], axis=1) for layer in nodes]
