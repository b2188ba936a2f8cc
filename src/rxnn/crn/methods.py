"""The one method registry of :func:`~rxnn.crn.simulate.simulate`, :func:`~rxnn.crn.simulate.steady_state`
and :func:`~rxnn.crn.stochastic.simulate_stochastic`.

Each ``method=`` of each function is a :class:`Method`: its name, what it
does, the method-specific options it accepts (names, types, defaults) and its
capabilities. A :class:`Registry` holds one function's methods and the
function's own keyword arguments (valid for every method); it refuses an
unknown method (``ValueError``) and an option the method does not accept
(``TypeError`` listing the valid ones), ``method="auto"`` included, so that
nothing passed is silently dropped.

:data:`REGISTRIES` maps each function's name to its registry (the reference
test runs every method of every registry).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rxnn._validation import must_be
from rxnn.errors import ArgumentTypeError

__all__ = [
    "Method",
    "Option",
    "REGISTRIES",
    "Registry",
    "SIMULATE_METHODS",
    "STEADY_STATE_METHODS",
    "STOCHASTIC_METHODS",
]


@dataclass(frozen=True)
class Option:
    """One method-specific option: its name, type, default and meaning.

    Examples
    --------
    >>> [(o.name, o.default) for o in SIMULATE_METHODS["LSODA"].options]
    [('first_step', None), ('max_step', inf), ('min_step', 0.0)]
    """

    name: str
    type: type
    default: Any
    description: str


@dataclass(frozen=True)
class Method:
    """One ``method=`` of a simulator.

    Attributes
    ----------
    name : str
    description : str
    options : tuple of Option
        The method-specific options it accepts (as keyword arguments of the
        function), besides the function's own keyword arguments.
    capabilities : frozenset of str
        What it can do, from: ``"exact"`` (samples or solves without
        approximation beyond rounding and tolerances), ``"approximate"``,
        ``"stiff"``, ``"jacobian"``, ``"sparse jacobian"``, ``"dense output"``,
        ``"switching"`` (chooses another method on the way), ``"proof"``
        (establishes the limit by an argument, not a trajectory),
        ``"continuation"``, ``"batch"``.

    Examples
    --------
    >>> STOCHASTIC_METHODS["ssa"].exact, STOCHASTIC_METHODS["tau-leap"].exact
    (True, False)
    >>> sorted(STEADY_STATE_METHODS["cascade"].capabilities)
    ['batch', 'proof']
    """

    name: str
    description: str
    options: tuple[Option, ...] = ()
    capabilities: frozenset[str] = frozenset()

    @property
    def option_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.options)

    @property
    def exact(self) -> bool:
        """Whether ``"exact"`` is among the capabilities."""
        return "exact" in self.capabilities

    @property
    def summary(self) -> str:
        """The description (the name of the old ``StochasticMethod`` field)."""
        return self.description


class Registry(Mapping[str, Method]):
    """The methods of one function, by name (a read-only mapping).

    Examples
    --------
    >>> SIMULATE_METHODS.resolve("LSODA", {"min_step": 1e-12})[1]
    {'min_step': 1e-12}
    >>> SIMULATE_METHODS.resolve("auto", {"min_step": 0.3})
    Traceback (most recent call last):
    ...
    rxnn.errors.ArgumentTypeError: simulate(method='auto') got the option min_step, which it does not accept; valid options: first_step, max_step (and the keyword arguments rtol, atol, dense_output, max_steps, max_wall_time, rates, raise_on_failure)
    """

    def __init__(self, function: str, methods: tuple[Method, ...], keywords: tuple[str, ...]) -> None:
        self.function = function
        self.keywords = keywords
        self._methods = {m.name: m for m in methods}

    def __getitem__(self, name: str) -> Method:
        return self._methods[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._methods)

    def __len__(self) -> int:
        return len(self._methods)

    def __repr__(self) -> str:
        return f"<Registry of {self.function}: {', '.join(self._methods)}>"

    def resolve(self, method: Any, options: Mapping[str, Any]) -> tuple[Method, dict[str, Any]]:
        """The method named ``method`` and the ``options`` given, checked against what it accepts.

        Raises
        ------
        InvalidArgumentError
            For an unknown method (a ``ValueError``).
        ArgumentTypeError
            For an option the method does not accept (a ``TypeError``).
        """
        if not isinstance(method, str) or method not in self._methods:
            raise must_be("method", self.function, "one of " + ", ".join(self._methods), method)
        entry = self._methods[method]
        unknown = sorted(set(options) - set(entry.option_names))
        if unknown:
            valid = ", ".join(entry.option_names) or "none"
            plural = "s" if len(unknown) > 1 else ""
            raise ArgumentTypeError(
                f"{self.function}(method={method!r}) got the option{plural} {', '.join(unknown)}, which it does not "
                f"accept; valid options: {valid} (and the keyword arguments {', '.join(self.keywords)})"
            )
        return entry, dict(options)


_FIRST = Option("first_step", float, None, "initial step size (default: chosen by the solver)")
_MAX = Option("max_step", float, float("inf"), "largest step size")
_MIN = Option("min_step", float, 0.0, "smallest step size (LSODA only)")

#: Methods of :func:`~rxnn.crn.simulate.simulate` (its ``**solver_options`` are their options).
SIMULATE_METHODS = Registry("simulate", (
    Method("BDF", "implicit backward differentiation formulas (orders 1-5) with the sparse analytic Jacobian",
           (_FIRST, _MAX), frozenset({"stiff", "jacobian", "sparse jacobian", "dense output", "batch"})),
    Method("Radau", "implicit Runge-Kutta Radau IIA (order 5) with the sparse analytic Jacobian",
           (_FIRST, _MAX), frozenset({"stiff", "jacobian", "sparse jacobian", "dense output", "batch"})),
    Method("LSODA", "Adams/BDF switching (ODEPACK); dense Jacobian up to 2000 unknowns, its own estimate above",
           (_FIRST, _MAX, _MIN), frozenset({"stiff", "switching", "jacobian", "dense output", "batch"})),
    Method("RK45", "explicit Runge-Kutta 5(4) (Dormand-Prince)", (_FIRST, _MAX), frozenset({"dense output", "batch"})),
    Method("RK23", "explicit Runge-Kutta 3(2) (Bogacki-Shampine)", (_FIRST, _MAX), frozenset({"dense output", "batch"})),
    Method("DOP853", "explicit Runge-Kutta 8(5,3)", (_FIRST, _MAX), frozenset({"dense output", "batch"})),
    Method("auto", "explicit DOP853 (rtol <= 1e-6, else RK45), switching to BDF with the sparse analytic Jacobian "
           "when Hairer's stiffness test fires; result.method says what ran", (_FIRST, _MAX),
           frozenset({"stiff", "switching", "sparse jacobian", "dense output", "batch"})),
), ("rtol", "atol", "dense_output", "max_steps", "max_wall_time", "rates", "raise_on_failure"))

#: Methods of :func:`~rxnn.crn.simulate.steady_state` (every keyword argument applies to each).
STEADY_STATE_METHODS = Registry("steady_state", (
    Method("auto", "the feed-forward cascade, then pseudo-transient continuation for the members it cannot decide "
           "or that miss the tolerance; every claim confirmed", (),
           frozenset({"proof", "continuation", "switching", "batch"})),
    Method("cascade", "the strongly connected components of the dependency graph level by level (Thm. 4.8); "
           "members whose limit depends on the path are left undecided", (), frozenset({"proof", "batch"})),
    Method("pseudo-transient", "pseudo-transient continuation (linearly implicit Euler in pseudo-time) over the "
           "whole network, then the trajectory followed to confirm", (), frozenset({"continuation", "batch"})),
), ("rates", "tol", "flux_floor", "max_iterations", "raise_on_failure"))

_EPSILON = Option("epsilon", float, 0.03, "tau-leaping step control: each leap changes every propensity by about "
                  "at most this fraction (Cao, Gillespie & Petzold 2006)")

#: Methods of :func:`~rxnn.crn.stochastic.simulate_stochastic` (the default is ``"ssa"``, the exact one).
STOCHASTIC_METHODS = Registry("simulate_stochastic", (
    Method("ssa", "exact SSA: Gillespie's direct method up to 32 channels; above, thinning on propensity bounds "
           "of reactant-complex groups in a sum tree (rejection-based SSA): O(log n_groups) per event", (),
           frozenset({"exact", "batch"})),
    Method("tau-leap", "tau-leaping with Cao-Gillespie-Petzold (2006) step selection (epsilon), critical channels "
           "fired at most once per leap, exact SSA steps when a leap would be shorter than 10 SSA steps",
           (_EPSILON,), frozenset({"approximate", "batch"})),
    Method("auto", "the exact SSA unless the initial propensities predict more than AUTO_SSA_MAX_EVENTS (1e6) events "
           "per trajectory, then tau-leaping; result.method says what ran", (_EPSILON,),
           frozenset({"switching", "batch"})),
), ("volume", "seed", "n_repeats", "rates", "round_enzymes", "window", "observe", "max_steps", "workers",
    "progress", "raise_on_failure"))

#: Function name -> its registry.
REGISTRIES: dict[str, Registry] = {r.function: r for r in (SIMULATE_METHODS, STEADY_STATE_METHODS, STOCHASTIC_METHODS)}
