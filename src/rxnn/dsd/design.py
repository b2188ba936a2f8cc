"""Translate a reaction network into a DNA strand-displacement design.

:func:`translate` builds one module per formal reaction with the chosen
scheme (:mod:`rxnn.dsd.schemes`), names its complexes, and sets every
concentration so that each module realises its reaction's rate constant by
the scheme's rate law: soloveichik2010 through the gate concentration
(fuels at ``fuel_nM``), lakin2012 through the ratio of gate to backward
strand (:mod:`rxnn.dsd.rates`), in a time unit chosen to fit ``max_gate_nM``.

Units: concentrations in nM, time in s, rate constants in /nM^(n-1)/s for a
reaction with n reactants (nM/s for n = 0). A formal concentration of 1 is
``unit_nM`` nM and a formal time of 1 is :attr:`DSDDesign.time_unit_s` s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from rxnn._validation import check_positive_finite
from rxnn.crn.network import ReactionNetwork
from rxnn.dsd._pil import DSDError, PilComplex, nucleotides_of, pil_name, write_pil
from rxnn.dsd.rates import source_and_gate_values
from rxnn.dsd.schemes import SOURCE, Scheme, get_scheme

__all__ = ["DSDDesign", "DSDModule", "translate"]


@dataclass(frozen=True)
class DSDModule:
    """The DNA implementation of one formal reaction.

    Attributes
    ----------
    index : int
        The reaction's column in the formal network.
    reactants, products : tuple of str
        Formal species, with repetition, in the order the gate reads them.
    rate : float
        The formal (dimensionless) rate constant.
    complexes : tuple of str
        Names of the module's gates, fuels and intermediates (shared fuels included).
    gate : str
        Name of the rate-setting gate.
    type_key : tuple
        The reaction's shape with species relabelled 0, 1, ... in order of
        appearance: modules with equal keys differ only in names.
    uses : tuple of (str, int)
        Gates and fuels (PIL names) with how many copies one firing uses up
        (negative: gives back), from the scheme (:attr:`ModuleSpec.uses`).

    Examples
    --------
    >>> m = translate(ReactionNetwork.from_text("A + B -> C")).modules[0]
    >>> m.formal_reaction, m.gate, m.type_key
    ('A + B -> C', 'g_r0', ((0, 1), (2,)))
    """

    index: int
    reactants: tuple[str, ...]
    products: tuple[str, ...]
    rate: float
    complexes: tuple[str, ...]
    gate: str
    type_key: tuple
    uses: tuple[tuple[str, int], ...] = ()

    @property
    def formal_reaction(self) -> str:
        """The formal reaction in the text syntax (``A + B -> C``)."""
        return f"{' + '.join(self.reactants) or '0'} -> {' + '.join(self.products) or '0'}"


@dataclass(frozen=True, eq=False)
class DSDDesign:
    """A strand-displacement design of a reaction network (see :func:`translate`).

    Attributes
    ----------
    network : ReactionNetwork
        The formal network it implements.
    scheme : Scheme
        The translation scheme.
    domains : dict of str to int
        Every domain and its length in nucleotides.
    complexes : dict of str to PilComplex
        Every initial complex (signals, gates, fuels, intermediates) by PIL name.
    modules : tuple of DSDModule
        One per formal reaction, in the network's order.
    signal_species : dict of str to str
        Formal species name -> PIL name of its signal complex.
    unit_nM, fuel_nM, max_gate_nM, time_unit_s : float
        Formal concentration unit, fuel concentration, gate cap (nM) and
        the time unit (s) that the gate concentrations realise.

    Examples
    --------
    >>> design = translate(ReactionNetwork.from_text("A + B -> C"), "soloveichik2010")
    >>> design, design.signal_species["A"], design.fuel_concentrations()["f_1"]
    (<DSDDesign soloveichik2010: 1 modules, 6 complexes, 12 domains>, 's_A', 1000.0)
    """

    network: ReactionNetwork
    scheme: Scheme
    domains: dict[str, int]
    complexes: dict[str, PilComplex]
    modules: tuple[DSDModule, ...]
    signal_species: dict[str, str]
    unit_nM: float
    fuel_nM: float
    max_gate_nM: float
    time_unit_s: float

    # ------------------------------------------------------------------ accessors
    @property
    def fuel_species(self) -> tuple[str, ...]:
        """PIL names of the gates and fuels (every complex present initially that is not a signal)."""
        return tuple(n for n, c in self.complexes.items() if c.role in ("gate", "fuel"))

    @property
    def n_modules(self) -> int:
        return len(self.modules)

    def fuel_concentrations(self) -> dict[str, float]:
        """Initial concentration (nM) of every gate and fuel."""
        return {n: self.complexes[n].nM for n in self.fuel_species}

    @cached_property
    def reaction_types(self) -> dict[tuple, tuple[int, ...]]:
        """Reaction type (see :attr:`DSDModule.type_key`) -> indices of its modules."""
        types: dict[tuple, list[int]] = {}
        for m in self.modules:
            types.setdefault(m.type_key, []).append(m.index)
        return {k: tuple(v) for k, v in types.items()}

    def physical_rate(self, module: DSDModule | int) -> float:
        """The rate constant the module realises (/nM^(n-1)/s), from the scheme's rate law."""
        m = self.modules[module] if isinstance(module, int) else module
        n = len(m.reactants)
        k = self.scheme.q_per_nM_s * self.complexes[m.gate].nM * self.fuel_nM ** (1 - n)
        if n == 0:  # the source strand, at its own concentration (see translate)
            kernel = self.scheme.signal_kernel(SOURCE)
            k *= next(self.complexes[n].nM for n in m.complexes if self.complexes[n].kernel == kernel) / self.fuel_nM
        if self.scheme.rate_fuel:  # ratio rho = G/R
            k *= self.fuel_nM / self.complexes[f"b_r{m.index}"].nM
        # times the free share of each reactant (the rest is bound in gates it enters first)
        inputs = self.scheme.gate_inputs(list(m.reactants))
        return k * float(np.prod([1.0 / (1.0 + self._bound_ratios.get(r, 0.0)) for r in inputs]))

    def _backward_nM(self, m: DSDModule) -> float:
        return self.complexes[f"b_r{m.index}"].nM if self.scheme.rate_fuel else self.fuel_nM

    @cached_property
    def _bound_ratios(self) -> dict[str, float]:
        """First gate input (a signal or helper) -> sum of [G]/[R] over the gates it enters first by a reversible step."""
        out: dict[str, float] = {}
        for m in self.modules:
            inputs = self.scheme.gate_inputs(list(m.reactants))
            if len(inputs) >= max(1, self.scheme.min_reversible_reactants):
                rho = self.complexes[m.gate].nM / self._backward_nM(m)
                out[inputs[0]] = out.get(inputs[0], 0.0) + rho
        return out

    def formal_rate(self, module: DSDModule | int) -> float:
        """The formal rate constant the module realises: :meth:`physical_rate` in formal units."""
        m = self.modules[module] if isinstance(module, int) else module
        return self.physical_rate(m) * self.time_unit_s * self.unit_nM ** (len(m.reactants) - 1)

    # ------------------------------------------------------------------ concentrations
    def initial_state(self, formal: Mapping[str, float] | None = None) -> dict[str, float]:
        """Initial concentrations (nM) of every complex, the signals from formal concentrations.

        Parameters
        ----------
        formal : mapping of str to float, optional
            Formal species -> concentration in formal units (times
            :attr:`unit_nM` gives nM); unlisted signals start at 0.
        """
        state = {n: c.nM for n, c in self.complexes.items()}
        for name, value in (formal or {}).items():
            if name not in self.signal_species:
                raise DSDError(f"{name!r} is not a species of the formal network; species: {list(self.signal_species)[:8]}")
            state[self.signal_species[name]] = float(value) * self.unit_nM
        return state

    # ------------------------------------------------------------------ output
    def module_complexes(self, module: DSDModule | int) -> list[PilComplex]:
        """The signals a module touches, then its gates, fuels and intermediates."""
        m = self.modules[module] if isinstance(module, int) else module
        species = dict.fromkeys((*m.reactants, *m.products))
        return [self.complexes[self.signal_species[s]] for s in species] + [self.complexes[n] for n in m.complexes]

    def to_pil(self, modules: list[int] | None = None, *, signals: Mapping[str, float] | None = None) -> str:
        """The design (or the given modules) as a PIL document that peppercorn enumerates.

        Parameters
        ----------
        modules : list of int, optional
            Write only these modules (with the signals they touch).
        signals : mapping of str to float, optional
            Formal starting concentrations of signals (formal units).
        """
        if modules is None:
            chosen = list(self.complexes.values())
        else:
            seen: dict[str, PilComplex] = {}
            for j in modules:
                for c in self.module_complexes(j):
                    seen.setdefault(c.name, c)
            chosen = sorted(seen.values(), key=lambda c: ("signal", "gate", "fuel", "intermediate").index(c.role))
        start = self.initial_state(signals) if signals else {}
        if start:
            chosen = [PilComplex(c.name, c.kernel, c.role, start.get(c.name, c.nM), c.module) for c in chosen]
        used = {d.rstrip("*") for c in chosen for strand in c.strands for d in strand}
        domains = {d: n for d, n in self.domains.items() if d in used}
        title = f"{self.scheme.citation}; concentrations nM, time unit {self.time_unit_s:.6g} s"
        return write_pil(domains, chosen, title=title)

    def write_pil(self, path: Any) -> None:
        """Write :meth:`to_pil` to ``path`` atomically."""
        from rxnn._files import atomic_output

        with atomic_output(path, "w", what="PIL design") as fh:
            fh.write(self.to_pil())

    def nucleotides(self, names: Any = None) -> int:
        """Total nucleotides of the given complexes (default: all gates and fuels, one copy each)."""
        names = self.fuel_species if names is None else names
        return sum(nucleotides_of(self.complexes[n].kernel, self.domains) for n in names)

    def enumerate(self, **options: Any) -> ReactionNetwork:
        """Enumerate the design with peppercorn; the condensed network (nM, s), see :func:`rxnn.dsd.enumerate_design`."""
        from rxnn.dsd.enumeration import enumerate_design

        return enumerate_design(self, **options).network

    def verify(self, method: str = "bisimulation", **options: Any):
        """Check the design against the formal network with crnverifier, see :func:`rxnn.dsd.verify_design`."""
        from rxnn.dsd.verification import verify_design

        return verify_design(self, method=method, **options)

    def readout(self, species: str, enumeration: Any = None) -> dict[str, float]:
        """Every DNA species holding ``species`` with its weight (a linear readout for ``verify_network(layers=)``).

        See :func:`rxnn.dsd.verification.species_readout`.

        Examples
        --------
        >>> from rxnn import ReactionNetwork
        >>> r = translate(ReactionNetwork.from_text("A -> B"), "lakin2012").readout("B")
        >>> next(iter(r)), r["s_B"]  # the free strand first, weight 1 / unit_nM (1 pM per formal unit)
        ('s_B', 1000.0)
        """
        from rxnn.dsd.verification import species_readout

        return species_readout(self, species, enumeration)

    def fuel_bound(self, formal_start: Mapping[str, float], *, depletion: float = 0.01, t_max: float = 1000.0):
        """How long the gates and fuels last from a formal start, see :func:`rxnn.dsd.fuel.fuel_horizon`.

        Each module's :attr:`DSDModule.uses` (copies per firing) times the formal
        reactions' extents along the formal trajectory (:func:`rxnn.dsd.fuel.fuel_use`).

        Examples
        --------
        >>> d = translate(ReactionNetwork.from_text("X -> 0"), "soloveichik2010", unit_nM=1e-3)
        >>> d.fuel_bound({"X": 1.0}).horizon  # 1e-3 nM in all, far under 1 % of the gate
        inf
        """
        from rxnn.dsd.fuel import fuel_horizon

        return fuel_horizon(self, formal_start, depletion=depletion, t_max=t_max)

    def summary(self) -> str:
        """Resources a lab can plan with, see :func:`rxnn.dsd.resources.design_summary`."""
        from rxnn.dsd.resources import design_summary

        return design_summary(self)

    def __repr__(self) -> str:
        return (
            f"<DSDDesign {self.scheme.name}: {self.n_modules} modules, {len(self.complexes)} complexes, "
            f"{len(self.domains)} domains>"
        )


def _type_key(reactants: list[str], products: list[str]) -> tuple:
    labels: dict[str, int] = {}
    for s in (*reactants, *products):
        labels.setdefault(s, len(labels))
    return (tuple(labels[s] for s in reactants), tuple(labels[s] for s in products))


def _expanded(names: tuple[str, ...], matrix: Any, j: int) -> list[str]:
    """Column j of a CSC complex matrix as a list of species with repetition."""
    lo, hi = matrix.indptr[j], matrix.indptr[j + 1]
    out: list[str] = []
    for i, c in zip(matrix.indices[lo:hi].tolist(), matrix.data[lo:hi].tolist()):
        out.extend([names[i]] * c)
    return out


def _set_nM(complexes: dict[str, PilComplex], name: str, nM: float) -> None:
    c = complexes[name]
    complexes[name] = PilComplex(c.name, c.kernel, c.role, float(nM), c.module)


def translate(
    network: ReactionNetwork,
    scheme: str | Scheme = "soloveichik2010",
    *,
    unit_nM: float | None = None,
    fuel_nM: float | None = None,
    max_gate_nM: float | None = None,
    min_nM: float | None = None,
    time_unit_s: float | None = None,
) -> DSDDesign:
    """Translate a reaction network into a strand-displacement design, one module per reaction.

    Parameters
    ----------
    network : ReactionNetwork
        Numeric rate constants, at most ``scheme.max_reactants`` reactants
        per reaction (3 for ``"soloveichik2010"``, 2 for ``"lakin2012"``:
        give a compiled network's absorbed form, ``compile_network(net,
        absorb_enzymes=True)``, §5.1).
    scheme : str or Scheme, default "soloveichik2010"
        ``"soloveichik2010"`` or ``"lakin2012"`` (:data:`rxnn.dsd.schemes.SCHEMES`).
    unit_nM : float, optional
        nM per formal concentration unit (default: ``scheme.defaults``,
        1 for soloveichik2010, 1e-3 for lakin2012).
    fuel_nM : float, optional
        Concentration C of the fuels of the rate law (nM): every fuel,
        backward strand and translator for soloveichik2010 (default 1000),
        the source/padding strand for lakin2012 (default 0.1; its other
        fuels are at ``min_nM``).
    max_gate_nM : float, optional
        Largest gate (or backward strand) concentration (nM; default 1000, 1e5).
    min_nM : float, optional
        lakin2012 only (default 2): the gate concentration; the rate is set by the
        backward strand, whose concentration R gives [G]/R (corrected for
        the share of the first reactant bound in its gates). Keep it well
        above what a module consumes during a run. A slow module whose R
        would pass ``max_gate_nM`` gets a lower gate (down to
        ``min_nM / 100``, :data:`rxnn.dsd.rates.GATE_FLOOR`), R at the cap;
        :meth:`DSDDesign.fuel_bound` says how long every gate lasts.
    time_unit_s : float, optional
        Seconds per formal time unit; by default soloveichik2010 takes the
        smallest that keeps every gate at or below ``max_gate_nM`` and
        lakin2012 the one at which the busiest signal is half bound in its
        gates.

    Returns
    -------
    DSDDesign

    Raises
    ------
    DSDError
        For a reaction with too many reactants (named, with the fix), a
        symbolic rate, a species without a PIL spelling, or a time unit that
        would need a gate above ``max_gate_nM``.

    Notes
    -----
    Cost O(reactions) in Python, no enumeration: the 784-40-10 network of
    63,720 reactions translates in seconds. A reaction of formal rate k with
    n reactants needs ``k_phys = k * unit^(1-n) / tau`` (tau the time
    unit), realised by the scheme's rate law (:mod:`rxnn.dsd.schemes`).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.dsd import translate
    >>> design = translate(ReactionNetwork.from_text("A + B -> C"))
    >>> design.signal_species["C"]
    's_C'
    >>> design.fuel_species
    ('g_r0', 'f_1', 'f_2')
    """
    if not isinstance(network, ReactionNetwork):
        raise DSDError(f"network of translate must be a ReactionNetwork; got {type(network).__name__}")
    scheme = get_scheme(scheme)
    d = scheme.defaults
    unit_nM = d["unit_nM"] if unit_nM is None else unit_nM
    fuel_nM = d["fuel_nM"] if fuel_nM is None else fuel_nM
    max_gate_nM = d["max_gate_nM"] if max_gate_nM is None else max_gate_nM
    min_nM = d["min_nM"] if min_nM is None else min_nM
    for arg, value in (("unit_nM", unit_nM), ("fuel_nM", fuel_nM), ("max_gate_nM", max_gate_nM), ("min_nM", min_nM)):
        check_positive_finite(value, arg, "translate")
    if time_unit_s is not None:
        check_positive_finite(time_unit_s, "time_unit_s", "translate")
    if network.has_symbolic_rates():
        raise DSDError(
            f"translate needs numeric rate constants; give values for {list(network.rate_parameters)} with with_rates"
        )
    names = network.species
    pil = {s: pil_name(s) for s in names}
    if len(set(pil.values())) != len(pil):
        raise DSDError("two species have the same PIL spelling (' is written _p); rename one of them")
    R, P = network.reactant_matrix(), network.product_matrix()
    orders = np.asarray(R.sum(axis=0)).ravel()
    too_many = np.flatnonzero(orders > scheme.max_reactants)
    if too_many.size:
        j = int(too_many[0])
        fix = " (for a compiled network use compile_network(net, absorb_enzymes=True), the bimolecular form of §5.1)" \
            if scheme.max_reactants == 2 else ""
        raise DSDError(
            f"scheme {scheme.name} implements reactions with at most {scheme.max_reactants} reactants; "
            f"reaction {j} ({network._format(j, rate=False)}) has {int(orders[j])}, and {too_many.size} in all{fix}"
        )
    rates = network.rate_array()
    domains: dict[str, int] = {}
    complexes: dict[str, PilComplex] = {}
    for s in names:
        domains.update(scheme.signal_domains(pil[s]))
        complexes[f"s_{pil[s]}"] = PilComplex(f"s_{pil[s]}", scheme.signal_kernel(pil[s]), "signal", 0.0)
    fuel_names: dict[str, str] = {}
    raw: list[tuple[int, list[str], list[str], tuple[str, ...], str]] = []
    helpers_done: set[str] = set()
    uses: list[tuple[tuple[str, int], ...]] = []
    for j in range(network.n_reactions):
        reactants = _expanded(names, R, j)
        products = _expanded(names, P, j)
        members, gate = [], ""
        for helper in scheme.helper_species(len(reactants), len(products)):
            if helper not in helpers_done:
                helpers_done.add(helper)
                domains.update(scheme.signal_domains(helper))
            kernel = scheme.signal_kernel(helper)
            members.append(fuel_names.setdefault(kernel, f"f_{len(fuel_names) + 1}"))
        spec = scheme.module(f"r{j}", [pil[s] for s in reactants], [pil[s] for s in products])
        domains.update(spec.domains)
        named = {scheme.signal_kernel(h): fuel_names[scheme.signal_kernel(h)]
                 for h in scheme.helper_species(len(reactants), len(products))}
        for kind, kernel, role in spec.complexes:
            if role == "gate":
                name = gate = f"g_r{j}"
                complexes[name] = PilComplex(name, kernel, role, 0.0, j)
            elif kind == scheme.rate_fuel:
                name = f"b_r{j}"
                complexes[name] = PilComplex(name, kernel, "fuel", 0.0, j)
            elif role == "intermediate":
                name = f"j_r{j}_{kind[1:]}"
                complexes[name] = PilComplex(name, kernel, role, 0.0, j)
            else:
                name = fuel_names.setdefault(kernel, f"f_{len(fuel_names) + 1}")
            if name not in members:
                members.append(name)
            named[kernel] = name
        uses.append(tuple((named[k], v) for k, v in spec.uses.items()))
        raw.append((j, reactants, products, tuple(members), gate))
    helpers = {scheme.signal_kernel(h) for h in helpers_done}
    for kernel, name in fuel_names.items():
        # The rate law counts helper strands (source, padding) at C. lakin2012 keeps its release
        # fuels at a tenth of the cap (at most 1e4 nM), so that the steps after the rate-setting one
        # are fast and, in a gate of 2X, win over the backward strand undoing the second X.
        release = max(fuel_nM, min_nM, min(max_gate_nM, 1e5) / 10)
        nM = fuel_nM if kernel in helpers or not scheme.rate_fuel else release
        complexes[name] = PilComplex(name, kernel, "fuel", nM)
    # s_j: the gate concentration (SSW) or gate/backward-strand ratio (Lakin) times tau.
    values, time_unit_s, source_nM = source_and_gate_values(scheme, raw, rates, unit_nM=unit_nM, fuel_nM=fuel_nM,
                                                            min_nM=min_nM, max_gate_nM=max_gate_nM,
                                                            time_unit_s=time_unit_s)
    if source_nM is not None:
        kernel = scheme.signal_kernel(SOURCE)
        _set_nM(complexes, next(n for n, c in complexes.items() if c.kernel == kernel), source_nM)
    modules = []
    for (j, reactants, products, members, gate), value in zip(raw, values):
        if scheme.rate_fuel:  # [G]/[R] = value, the gate at min_nM (lower where R would pass the cap)
            g = min(min_nM, value * max_gate_nM)
            _set_nM(complexes, gate, g)
            _set_nM(complexes, f"b_r{j}", g / value)
        else:
            _set_nM(complexes, gate, value)
        modules.append(DSDModule(j, tuple(reactants), tuple(products), float(rates[j]), members, gate,
                                 _type_key(reactants, products), uses[j]))
    order = {"signal": 0, "gate": 1, "fuel": 2, "intermediate": 3}
    complexes = dict(sorted(complexes.items(), key=lambda kv: order[kv[1].role]))
    return DSDDesign(
        network=network,
        scheme=scheme,
        domains=domains,
        complexes=complexes,
        modules=tuple(modules),
        signal_species={s: f"s_{pil[s]}" for s in names},
        unit_nM=float(unit_nM),
        fuel_nM=float(fuel_nM),
        max_gate_nM=float(max_gate_nM),
        time_unit_s=float(time_unit_s),
    )
