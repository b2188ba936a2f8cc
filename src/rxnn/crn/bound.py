"""A network bound to the concentrations that stay the same across calls, for repeated solves.

``problem = bind(network, fixed)`` validates ``fixed`` once and lowers the
network once; ``problem.steady_state(varying)`` and
``problem.simulate(varying, t_span)`` then take only what changes (the inputs
of a compiled network, node starts) and return the usual
:class:`~rxnn.crn.results.SteadyStateResult` and
:class:`~rxnn.crn.results.SimulationResult`. ``problem.with_fixed(values)``
re-binds new fixed values (a training step's weights) reusing the lowering.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rxnn._validation import check_int, check_positive_finite, must_be
from rxnn.crn._bound_args import as_float_array, check_mapping, check_values, fixed_numbers, runs, species_positions
from rxnn.crn._bound_fold import Fold, FoldedValues
from rxnn.crn._checks import STATE_LIMIT, check_elements, check_network
from rxnn.crn.engine import Engine, engine_for
from rxnn.crn.kinetics import EnzymeValues
from rxnn.crn.network import ReactionNetwork
from rxnn.crn.results import SimulationResult, SteadyStateError, SteadyStateResult
from rxnn.crn.simulate import STEADY_METHODS, simulate, steady_state
from rxnn.errors import ArgumentTypeError, InvalidArgumentError

__all__ = ["BoundProblem", "bind"]



class _Lowering:
    """What every problem bound from one ``bind`` shares: the engine, the fold and the species layout."""

    def __init__(self, network: ReactionNetwork, fixed_names: tuple[str, ...], idx: np.ndarray,
                 varying: tuple[str, ...] | None, rates: Mapping[str, float] | None) -> None:
        self.network, self.rates = network, rates
        self.engine: Engine = engine_for(network, rates)
        e = self.engine
        self.fixed_names = fixed_names
        self.fixed_dynamic = e.dynamic_mask[idx]
        self.fixed_pos = e.position[idx]
        self.fixed_enz = np.flatnonzero(~self.fixed_dynamic)  # which fixed values are enzymes, and where
        self.fixed_enz_pos = self.fixed_pos[self.fixed_enz]
        self.fixed_dyn = np.flatnonzero(self.fixed_dynamic)
        self.fixed_dyn_pos = self.fixed_pos[self.fixed_dyn]
        self.row_scatter = runs(self.fixed_enz_pos, self.fixed_enz)  # a few slices (copies) where contiguous
        n_enz = e.dynamic_mask.size - e.n
        free = np.ones(n_enz, bool)
        free[self.fixed_pos[~self.fixed_dynamic]] = False
        self.var_enzymes = np.flatnonzero(free)  # every enzyme not fixed may be given per call (default 0)
        self.local = np.full(n_enz, -1, dtype=np.int64)
        self.local[self.var_enzymes] = np.arange(self.var_enzymes.size)
        fixed_index = np.full(n_enz, -1, dtype=np.int64)
        fixed_index[self.fixed_enz_pos] = self.fixed_enz
        self.fold = Fold(e, self.var_enzymes, fixed_index, len(fixed_names))
        self.is_fixed = np.zeros(network.n_species, bool)
        self.is_fixed[idx] = True
        self.declared = None if varying is None else self.layout(varying, "varying", "bind")
        self.layouts: dict[tuple[str, ...], tuple] = {}

    def layout(self, names: tuple[str, ...], arg: str, func: str) -> tuple:
        """(names, dynamic positions, their columns, enzyme local indices, their columns) of a list of species."""
        idx = species_positions(self.network, names, arg, func)
        both = np.flatnonzero(self.is_fixed[idx])
        if both.size:
            raise InvalidArgumentError(
                f"{arg} of {func} names {names[int(both[0])]!r}, which is fixed by bind; give a new fixed value "
                "with with_fixed, or bind again without it"
            )
        dyn = self.engine.dynamic_mask[idx]
        pos = self.engine.position[idx]
        return names, pos[dyn], np.flatnonzero(dyn), self.local[pos[~dyn]], np.flatnonzero(~dyn)


class BoundProblem:
    """A reaction network bound to fixed concentrations (made by :func:`bind`).

    Attributes
    ----------
    network : ReactionNetwork
    fixed_species : tuple of str
        The fixed species, in the order of :attr:`fixed_values`.
    fixed_values : ndarray of shape (n_fixed,)
    varying_species : tuple of str or None
        The species declared with ``bind(..., varying=...)``, the column order
        of an array given to :meth:`steady_state` or :meth:`simulate`.

    Examples
    --------
    >>> from rxnn import ReactionNetwork, bind
    >>> node = ReactionNetwork.from_text("H -> H + X\\nE + X -> E + 2X\\n2X -> X")  # x' = h + e x - x^2
    >>> problem = bind(node, {"H": 2.0}, varying=["E"])
    >>> problem
    <BoundProblem: 3 species, 1 fixed, fast path>
    >>> np.round(problem.steady_state(np.array([[1.0], [0.0]]))["X"], 6)
    array([2.      , 1.414214])
    """

    def __init__(self, lowering: _Lowering, values: np.ndarray) -> None:
        self._low = lowering
        self.network = lowering.network
        self.fixed_species = lowering.fixed_names
        self.fixed_values = values
        self.fixed_values.flags.writeable = False
        self.varying_species = None if lowering.declared is None else lowering.declared[0]
        e = lowering.engine
        self._x0 = np.zeros(e.n)
        self._x0[lowering.fixed_dyn_pos] = values[lowering.fixed_dyn]
        self._folded: FoldedValues = lowering.fold.bind(values)
        self._restricted: tuple[tuple, list[Any]] | None = None
        self._mapping: dict[str, float] | None = None

    @property
    def fast_path(self) -> bool:
        """Whether steady states run by the folded cascade (else by the public ``steady_state``)."""
        return self._folded.reason is None

    @property
    def reason(self) -> str | None:
        """Why the fast path does not apply, or None."""
        return self._folded.reason

    def __repr__(self) -> str:
        path = "fast path" if self.fast_path else f"general path ({self.reason})"
        return (f"<BoundProblem: {self.network.n_species} species, {len(self.fixed_species)} fixed, "
                f"{path}>")

    # ------------------------------------------------------------------ values
    def with_fixed(self, values: Mapping[str, Any] | Any) -> BoundProblem:
        """The same problem with new fixed values, reusing the lowering (only the fold is redone).

        Parameters
        ----------
        values : mapping of str to float, or array_like of shape (n_fixed,)
            New values of some fixed species (the others keep theirs), or of
            all of them in the order of :attr:`fixed_species`.

        Returns
        -------
        BoundProblem

        Examples
        --------
        >>> from rxnn import ReactionNetwork, bind
        >>> node = ReactionNetwork.from_text("H -> H + X\\n2X -> X")  # x' = h - x^2
        >>> problem = bind(node, {"H": 4.0})
        >>> round(problem.with_fixed({"H": 9.0}).steady_state({})["X"], 12)
        3.0
        """
        func = "BoundProblem.with_fixed"
        new = self.fixed_values.copy()
        if isinstance(values, Mapping):
            names = tuple(values)
            species_positions(self.network, names, "values", func)  # unknown names first
            where = {s: k for k, s in enumerate(self.fixed_species)}
            missing = [s for s in names if s not in where]
            if missing:
                raise InvalidArgumentError(
                    f"values of {func} names {missing[0]!r}, which is not fixed in this problem; give it per call "
                    "in varying, or bind again with it fixed"
                )
            arr = fixed_numbers([values[s] for s in names], names, "values", func)
            new[[where[s] for s in names]] = arr
        else:
            arr = as_float_array(values, f"values of {func}")
            if arr.shape != new.shape:
                raise must_be("values", func, f"a mapping or an array of shape ({new.size},) over fixed_species",
                              f"an array of shape {arr.shape}")
            check_values(arr, f"values of {func}", self.fixed_species)
            new = arr.copy()
        return BoundProblem(self._low, new)

    def _fixed_mapping(self) -> dict[str, float]:
        if self._mapping is None:
            self._mapping = dict(zip(self.fixed_species, self.fixed_values.tolist()))
        return self._mapping

    # ------------------------------------------------------------------ per-call values
    def _parse(self, varying: Any, func: str) -> tuple:
        """(X0T (n, batch), E (batch, k) or None, layout, batched, the varying values (batch, names))."""
        low = self._low
        if isinstance(varying, Mapping):
            names = tuple(varying)
            layout = low.layouts.get(names)
            if layout is None:
                layout = low.layout(names, "varying", func)
                if len(low.layouts) >= 8:
                    low.layouts.clear()
                low.layouts[names] = layout
            values = self._stack(varying, names, func)
            batched = values.shape[0] > 1 or any(np.ndim(v) for v in varying.values())
        elif low.declared is not None:
            layout = low.declared
            names = layout[0]
            values = as_float_array(varying, f"varying of {func}")
            if values.ndim not in (1, 2) or values.shape[-1] != len(names):
                raise must_be("varying", func, f"a mapping, or an array of shape ({len(names)},) or (batch, "
                              f"{len(names)}) over varying_species", f"an array of shape {values.shape}")
            batched = values.ndim == 2
            values = values if batched else values[None, :]
        else:
            raise ArgumentTypeError(
                f"varying of {func} must be a mapping of species name to concentration (or an array, when bind "
                f"was given varying=); got {type(varying).__name__}"
            )
        check_values(values, f"varying of {func}", names)
        _, dyn_pos, dyn_cols, enz_local, enz_cols = layout
        B = values.shape[0]
        check_elements(B * self._low.engine.n, STATE_LIMIT, "the state (batch x dynamic species)", func, "split the batch")
        X0T = np.empty((self._low.engine.n, B))
        X0T[:] = self._x0[:, None]
        if dyn_cols.size:
            X0T[dyn_pos] = values[:, dyn_cols].T
        if enz_cols.size == values.shape[1]:
            E = values  # any memory layout: the products take E.T as it is
        else:
            E = values[:, enz_cols] if enz_cols.size else None
        return X0T, E, layout, batched, values

    @staticmethod
    def _stack(varying: Mapping[str, Any], names: tuple[str, ...], func: str) -> np.ndarray:
        """The values of a ``varying`` mapping as one (batch, len(names)) array (scalars broadcast)."""
        items = [varying[s] for s in names]
        if items and all(isinstance(v, np.ndarray) and v.dtype == np.float64 and v.ndim == 1 for v in items):
            lengths = {v.shape[0] for v in items}
            if len(lengths) == 1 and 0 not in lengths:  # the common case: one C-level copy, species-major
                return np.array(items).T
        arrays = [as_float_array(v, f"varying[{s!r}] of {func}") for s, v in zip(names, items)]
        for s, a in zip(names, arrays):
            if a.ndim > 1 or (a.ndim == 1 and a.size == 0):
                raise must_be(f"varying[{s!r}]", func, "a scalar or a non-empty 1-D array over the batch",
                              f"shape {a.shape}")
        shapes = {a.shape for a in arrays if a.ndim}
        if len(shapes) > 1:
            raise InvalidArgumentError(f"varying of {func}: batch lengths differ "
                                       f"({', '.join(str(t[0]) for t in sorted(shapes))}); give every array the same length")
        values = np.empty((next(iter(shapes))[0] if shapes else 1, len(names)))
        for k, a in enumerate(arrays):
            values[:, k] = a
        return values

    def _initial(self, values: np.ndarray, layout: tuple, batched: bool, members: np.ndarray | None = None) -> dict:
        """The full ``initial`` mapping of the public functions (fixed values plus the varying ones)."""
        state = dict(self._fixed_mapping())
        cols = values if members is None else values[members]
        for k, s in enumerate(layout[0]):
            state[s] = cols[:, k] if batched else float(cols[0, k])
        return state

    def _constant(self, E: np.ndarray | None, layout: tuple) -> EnzymeValues:
        """The enzymatic values of the result: the fixed row plus the varying enzymes (sorted columns)."""
        e = self._low.engine
        row = np.zeros(e.dynamic_mask.size - e.n)
        for into, take in self._low.row_scatter:
            row[into] = self.fixed_values[take]
        enz_local = layout[3]
        if E is None or enz_local.size == 0:
            return EnzymeValues(row, np.zeros(0, np.int64), np.zeros((1 if E is None else E.shape[0], 0)))
        columns = self._low.var_enzymes[enz_local]
        order = np.argsort(columns, kind="stable")
        if np.array_equal(order, np.arange(order.size)):
            stored = E.view()  # no copy (the forward pass does not copy its inputs either); read-only
            stored.flags.writeable = False
        else:
            stored = np.array(E[:, order], order="C")
        row[columns[order]] = stored[0]
        return EnzymeValues(row, columns[order], stored)

    # ------------------------------------------------------------------ solves
    def steady_state(self, varying: Mapping[str, Any] | Any, *, tol: float = 1e-11, flux_floor: float = 1e-14,
                     max_iterations: int = 500, raise_on_failure: bool = True, method: str = "auto") -> SteadyStateResult:
        """The steady state for the varying concentrations, as :func:`~rxnn.crn.simulate.steady_state` finds it.

        Parameters
        ----------
        varying : mapping of str to float or 1-D array, or array_like
            Concentrations of species that are not fixed (scalars or arrays
            over a batch); species given neither here nor in ``fixed`` are 0.
            With ``bind(..., varying=names)``, also an array of shape
            (len(names),) or (batch, len(names)).
        tol, flux_floor, max_iterations, raise_on_failure, method
            As for :func:`~rxnn.crn.simulate.steady_state`.

        Returns
        -------
        SteadyStateResult
            Its ``message`` says which path ran: the bound fast path, the
            general path, or both (members the fast path could not decide).

        Raises
        ------
        SteadyStateError
            When ``raise_on_failure`` and some member did not converge.
        InvalidArgumentError, ArgumentTypeError, LimitError
            For unknown species, a fixed species given again, a wrong batch
            shape or bad values.

        Notes
        -----
        **Fast path.** Where every level of the cascade (Thm. 4.8) is made of
        one-species components whose coefficients are affine in the upstream
        species and the varying enzymes (the compiled networks of §5.2: c_1 =
        W x' + b per node, eq. (13)), the fixed values were folded at bind
        time into one matrix per level, so a solve is one matrix product per
        level and the roots of :func:`~rxnn.crn.engine.node_roots`: about
        the closed-form forward pass. A member is converged under the same
        argument as the cascade of ``steady_state`` (the root attracts every
        start, no blow-up on the way) and when its residual is within
        tolerance; the residual is measured against sum_p |c_p| x^p, which is
        at most the gross flux, so it is never below the one
        ``steady_state`` reports. Members the fast path does not decide, and
        every member when it does not apply (:attr:`reason`) or with
        ``method="pseudo-transient"``, go to the general path, the public
        ``steady_state`` with the full initial mapping.

        An array given as ``varying`` is not copied: the result reads the
        varying enzymes' values from it (a read-only view), so copy the array
        before changing it in place if the result is kept.

        Examples
        --------
        >>> from rxnn import ReactionNetwork, bind
        >>> node = ReactionNetwork.from_text("H -> H + X\\nE + X -> E + 2X\\n2X -> X")  # x' = h + e x - x^2
        >>> problem = bind(node, {"H": 2.0})
        >>> res = problem.steady_state({"E": np.array([1.0, 0.0])})
        >>> np.round(res["X"], 12)  # (e + sqrt(e^2 + 4h)) / 2
        array([2.        , 1.41421356])
        >>> res.message
        'converged: 1 levels of the feed-forward cascade (bound fast path: one folded product per level)'
        """
        func = "BoundProblem.steady_state"
        tol = check_positive_finite(tol, "tol", func)
        flux_floor = check_positive_finite(flux_floor, "flux_floor", func)
        max_iterations = check_int(max_iterations, "max_iterations", func, minimum=0)
        if method not in STEADY_METHODS:
            raise must_be("method", func, "one of " + ", ".join(STEADY_METHODS), method)
        X0T, E, layout, batched, values = self._parse(varying, func)
        B = X0T.shape[1]
        folded = self._folded
        if folded.reason is not None or method == "pseudo-transient":
            why = folded.reason or "method='pseudo-transient'"
            return self._general(values, layout, batched, None, dict(tol=tol, flux_floor=flux_floor, max_iterations=max_iterations,
                                 raise_on_failure=raise_on_failure, method=method), why)
        hit = self._restricted
        if hit is None or hit[0] is not layout:  # layouts are cached objects: one per list of names
            hit = self._restricted = (layout, folded.restrict(layout[3]))
        Le = hit[1]
        XT, decided, residual = folded.solve(X0T, E, Le, tol, flux_floor)
        converged = decided & (residual <= 1.0)
        x = np.ascontiguousarray(XT.T)
        levels = len(folded.levels)
        fast_text = f"{levels} levels of the feed-forward cascade (bound fast path: one folded product per level)"
        redo = np.flatnonzero(~converged)
        counters: dict[str, Any] = dict(n_iterations=levels, n_rejected=0, nfev=0, njev=0, pseudo_time=np.zeros(B))
        if redo.size == 0:
            message = "converged: " + fast_text
        else:
            gen = self._general(values, layout, True, redo, dict(tol=tol, flux_floor=flux_floor, max_iterations=max_iterations,
                                raise_on_failure=False, method=method), None)
            x[redo], residual[redo], converged[redo] = gen.dynamic, gen.residual, gen.converged
            counters.update(n_iterations=levels + gen.n_iterations, n_rejected=gen.n_rejected, nfev=gen.nfev, njev=gen.njev)
            counters["pseudo_time"][redo] = gen.pseudo_time
            verdict = "converged" if converged.all() else "did not converge"
            message = (f"{verdict}: {B - redo.size} of {B} batch member(s) by {fast_text}; {redo.size} by the general "
                       f"path ({gen.message})")
        success = bool(converged.all())
        extra = {"method": "bound-cascade"}
        result = SteadyStateResult(
            species=self.network.species, values=None, batched=batched, residual=residual, converged=converged,
            success=success, message=message, dynamic=x, constant=self._constant(E, layout),
            dynamic_species=self._low.engine.system.dynamic_species, **counters, **extra,
        )
        if not success and raise_on_failure:
            raise SteadyStateError(f"steady_state {message}", result)
        return result

    def _general(self, values: np.ndarray, layout: tuple, batched: bool, members: np.ndarray | None,
                 options: dict[str, Any], why: str | None) -> SteadyStateResult:
        """The public steady state for the members (all when None), its message saying why when ``why``."""
        initial = self._initial(values, layout, batched, members)
        try:
            result = steady_state(self.network, initial, rates=self._low.rates, **options)
        except SteadyStateError as exc:
            if why is not None:
                exc.result.message = f"{exc.result.message} (bound, general path: {why})"
                raise SteadyStateError(f"steady_state {exc.result.message}", exc.result) from None
            raise
        if why is not None:
            extra = {"method": "bound-general"}
            result = dataclasses.replace(result, message=f"{result.message} (bound, general path: {why})", **extra)
        return result

    def simulate(self, varying: Mapping[str, Any] | Any, t_span: tuple[float, float], t_eval: Any = None,
                 **options: Any) -> SimulationResult:
        """The trajectory from the fixed and varying concentrations, by :func:`~rxnn.crn.simulate.simulate`.

        Parameters
        ----------
        varying : mapping of str to float or 1-D array, or array_like
            As for :meth:`steady_state`.
        t_span, t_eval, **options
            As for :func:`~rxnn.crn.simulate.simulate` (``method``, ``rtol``, ...).

        Returns
        -------
        SimulationResult

        Examples
        --------
        >>> from rxnn import ReactionNetwork, bind
        >>> decay = ReactionNetwork.from_text("E + X -> E ; 0.5")  # x' = -0.5 e x
        >>> problem = bind(decay, {"E": 2.0})
        >>> round(float(problem.simulate({"X": 1.0}, (0, 1), t_eval=[1])["X"][-1]), 6)  # exp(-1)
        0.367879
        """
        _, _, layout, batched, values = self._parse(varying, "BoundProblem.simulate")
        return simulate(self.network, self._initial(values, layout, batched), t_span, t_eval, rates=self._low.rates,
                        **options)


def bind(network: ReactionNetwork, fixed: Mapping[str, float], *, varying: Sequence[str] | None = None,
         rates: Mapping[str, float] | None = None) -> BoundProblem:
    """Bind ``network`` to the concentrations that stay the same across calls.

    Parameters
    ----------
    network : ReactionNetwork
    fixed : mapping of str to float
        Concentrations that every call shares (weights, biases, ``H``, any
        species, node starts included); one number each.
    varying : sequence of str, optional
        Declares the species given per call, in order, so that calls may pass
        an array of shape (batch, len(varying)) instead of a mapping.
    rates : mapping of str to float, optional
        Values of named rate constants.

    Returns
    -------
    BoundProblem
        With :meth:`~BoundProblem.steady_state`, :meth:`~BoundProblem.simulate`
        and :meth:`~BoundProblem.with_fixed`.

    Raises
    ------
    ArgumentTypeError
        For a network that is not a ReactionNetwork, or ``fixed`` not a mapping.
    InvalidArgumentError, LimitError
        For unknown or repeated species, a batch of values in ``fixed``, a
        species both fixed and declared varying, or bad values.

    Notes
    -----
    Cost: the engine's lowering (cached with the network) and, for the fast
    path, one pass over the reactions to fold the fixed values into each
    cascade level's coefficient matrices; :meth:`~BoundProblem.with_fixed`
    redoes only the fold.

    Examples
    --------
    >>> from rxnn import FeedForwardNetwork, SmoothReLU, bind, compile_network
    >>> net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=0)
    >>> chem = compile_network(net)
    >>> inputs = chem.layer_species(0)
    >>> fixed = {s: v for s, v in chem.initial_state([0.0, 0.0, 0.0]).items() if s not in inputs}
    >>> problem = bind(chem.network, fixed, varying=inputs)
    >>> d = np.array([[0.1, 0.5, 0.9], [1.0, 0.0, 0.2]])
    >>> res = problem.steady_state(d)
    >>> bool(np.allclose(chem.layer_values(res)[-1], net(d), rtol=1e-12))
    True
    """
    check_network(network, "bind")
    fixed = check_mapping(fixed, "fixed", "bind")
    names = tuple(fixed)
    idx = species_positions(network, names, "fixed", "bind")
    values = fixed_numbers(list(fixed.values()), names, "fixed", "bind")
    declared = None
    if varying is not None:
        if isinstance(varying, (str, Mapping)) or not isinstance(varying, Sequence):
            raise ArgumentTypeError(f"varying of bind must be a sequence of species names; got {type(varying).__name__}")
        declared = tuple(varying)
    return BoundProblem(_Lowering(network, names, idx, declared, rates), values)
