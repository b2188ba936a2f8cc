"""Translation schemes: one formal reaction -> the gates and fuels of its module.

Two published schemes, written from their papers:

``"soloveichik2010"``
    Soloveichik, Seelig & Winfree, "DNA as a universal substrate for chemical
    kinetics", PNAS 107:5393 (2010), Fig. 2-3, generalised to n reactants as
    the paper describes (one join gate L with n - 1 backward strands and a
    translator T). Any molecularity.
``"lakin2012"``
    Lakin, Youssef, Cardelli & Phillips, "Abstractions for DNA circuit design",
    J. R. Soc. Interface 9:470 (2012), Fig. 5: the three-domain gate for
    A + B -> C + D with one global toehold, padded with a fuel signal for
    fewer reactants or products and chained through intermediates for more
    products. At most two reactants (take the absorbed form of §5.1).

A scheme names its domains after the formal species (a species ``X`` owns
``h_X``, ``a_X``, ... ), so the modules of two reactions of the same type
differ only in names. Both schemes take one history domain per species
(SSW 2010 leave history domains free, "?"), so that every formal species is
one complex and its concentration is that complex's.

Rates (with every fuel at concentration C and signals much below C) follow
from the quasi-steady state of the gate's intermediates: a reaction with n
reactants runs at

    soloveichik2010:  k_phys = q [G] C^(1-n) * prod_i 1/(1 + S_i)     (SSW 2010: k = q_i C_max for n = 1, q_i for n = 2)
    lakin2012:        k_phys = q [G] C^(1-n) * C / [R] * prod_i 1/(1 + S_i)

(R: the module's backward strand, at C for soloveichik2010; S_i: the sum
of [G]/[R] over the gates reactant i enters first by a reversible step
(soloveichik2010: gates of two or more reactants), which hold that share of
it bound (a bound strand still counts as its species, ``design.readout``),
:func:`rxnn.dsd.rates.unsequestered`)
where [G] is the module's gate concentration and q the rate constant of the
displacement step that decides it (:attr:`Scheme.q_per_nM_s`, the value
peppercorn 1.1.1 assigns for 7-nt toeholds; the tests re-derive it by
simulating the enumerated module). A zero-order reaction counts the helper
strands its gate reads as reactants: the padding strand at C and the
source strand S at its own concentration, C^(1-n) becoming S (soloveichik2010,
``0 -> X`` runs at q [G] S) or S C / C^2 (lakin2012, ``src + gf -> src + X``).
soloveichik2010 uses S up (one per firing), so S and the source gates are
balanced (:func:`rxnn.dsd.rates.balanced_sources`); lakin2012 gives S back, so
S is set where its gates hold 1/8 of it
(:func:`rxnn.dsd.rates.source_and_gate_values`). Helper strands a gate reads
first are bound like signals and counted in S_i. Each module also records
what one firing uses up (:attr:`ModuleSpec.uses`), from which
:mod:`rxnn.dsd.fuel` derives how long the fuels last.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rxnn.dsd._pil import DSDError

__all__ = ["Scheme", "ModuleSpec", "SCHEMES", "get_scheme", "Soloveichik2010", "Lakin2012"]

#: Domain lengths (nt) used by both schemes: 7-nt toeholds (fast, reversible
#: binding, Zhang & Winfree 2009) and 15-nt branch-migration domains.
TOEHOLD_NT = 7
LONG_NT = 15

# Identifiers of helper "species" that cannot collide with formal ones (a
# formal PIL name starts with a letter).
SOURCE = "_src"
PAD = "_gf"


@dataclass(frozen=True)
class ModuleSpec:
    """The complexes of one formal reaction's module, before naming and concentrations.

    Attributes
    ----------
    complexes : tuple of (kind, kernel, role)
        ``role`` is ``"gate"`` (the one rate-setting gate), ``"fuel"``
        (helpers kept at the fuel concentration) or ``"intermediate"``
        (signal-like strands a chained module makes and uses, initially 0).
    domains : dict of str to int
        Domains the module owns (beyond those of its species).

    Examples
    --------
    >>> spec = Lakin2012().module("r0", ["A", "B"], ["C", "D"])
    >>> [(kind, role) for kind, _, role in spec.complexes], spec.domains
    ([('G1', 'gate'), ('R1', 'fuel'), ('F1', 'fuel')], {'i_r0_1': 15, 'k_r0_1': 15})
    """

    complexes: tuple[tuple[str, str, str], ...]
    domains: dict[str, int]
    #: Kernel -> how many copies one firing of the reaction uses up (negative: releases), for the
    #: module's gates and fuels and the helper strands it reads (a fuel's lifetime, ``DSDDesign.fuel_use``).
    uses: dict[str, int] = field(default_factory=dict)


class Scheme:
    """A translation scheme (base class); see the module docstring for the two schemes.

    Examples
    --------
    >>> scheme = get_scheme("lakin2012")
    >>> isinstance(scheme, Scheme), scheme.max_reactants, scheme.signal_kernel("X")
    (True, 2, 'h_X t f_X')
    """

    name: str = ""
    citation: str = ""
    max_reactants: int = 0
    #: Rate constant (/nM/s) of the rate-deciding step (peppercorn 1.1.1, 7-nt toeholds).
    q_per_nM_s: float = 0.0
    #: Kind of the module-private backward strand whose concentration R also sets the
    #: rate (k_phys = q [G] C^(1-n) * C / R), or "" if only the gate does.
    rate_fuel: str = ""
    #: Fewest reactants for which the gate's first step is reversible (the first reactant is then partly bound).
    min_reversible_reactants: int = 1
    #: Default units of :func:`rxnn.dsd.translate` (nM) for this scheme.
    defaults: dict = {"unit_nM": 1.0, "fuel_nM": 1000.0, "min_nM": 100.0, "max_gate_nM": 1000.0}

    def signal_domains(self, ident: str) -> dict[str, int]:
        """The domains a species (or helper species) ``ident`` owns."""
        raise NotImplementedError

    def signal_kernel(self, ident: str) -> str:
        """Kernel notation of the strand of species ``ident``."""
        raise NotImplementedError

    def module(self, tag: str, reactants: list[str], products: list[str]) -> ModuleSpec:
        """The module of ``reactants -> products`` (PIL species names, with repetition)."""
        raise NotImplementedError

    def helper_species(self, n_reactants: int, n_products: int) -> tuple[str, ...]:
        """Helper species (source or padding fuels) a module of this shape uses."""
        return ()

    def gate_inputs(self, reactants: list[str]) -> list[str]:
        """What the gate reads, in order: the reactants, with helper strands where the scheme pads them.

        A helper strand (source, padding) that a gate reads first is bound in
        that gate like a signal, and its free share lowers the rate of every
        module that reads it (:func:`rxnn.dsd.rates.unsequestered`).

        Examples
        --------
        >>> get_scheme("lakin2012").gate_inputs([]), get_scheme("soloveichik2010").gate_inputs([])
        (['_src', '_gf'], ['_src'])
        """
        return list(reactants)

    def __repr__(self) -> str:
        return f"<Scheme {self.name}>"


class Soloveichik2010(Scheme):
    """Soloveichik, Seelig & Winfree, PNAS 107:5393 (2010), Fig. 2-3.

    A species X is the strand ``h_X a_X b_X c_X`` (history, toehold,
    branch-migration domain, second toehold). The join gate L of
    ``X1 + ... + Xn -> P1 + ... + Pk`` is a bottom strand
    ``c_n* b_n* a_n* ... c_1* b_1* a_1*`` covered by n - 1 strands
    ``b_m c_m a_(m+1)`` and the output strand ``b_n c_n h_P1 a_P1 ...``,
    with ``a_1*`` open: X1 binds and displaces the first strand (reversibly:
    that strand is kept in excess as the backward strand), exposing the
    toehold of X2, and so on; Xn releases the output strand, which frees
    the products from the translator T. ``0 -> P`` uses a source fuel
    strand in place of X1. Any number of reactants and products.

    Identical reactants (``2X -> X``): backward strand m is ``b_m c_m
    a_(m+1)`` and the output strand ``b_n c_n h_P a_P ...``; when reactant m
    is the last reactant's species and P is reactant m + 1's, the two differ
    by the bulge ``h_P`` only, and a released output strand displaces the
    first X by remote-toehold branch migration (peppercorn finds 19 resting
    complexes and 59 condensed reactions, not bisimilar to ``2X -> X``).
    Such a product is released through a private intermediate J instead:
    the join gate releases J, and a unimolecular gate of the same scheme
    (``J -> P``, kept at the fuel concentration, rate q C ~ 2 /s, fast
    against the formal time unit) releases P; J's domains are new, so the
    bulge is gone (:meth:`relayed_products`). The paper's construction is
    unchanged otherwise (the same gates; one more unimolecular module).

    Examples
    --------
    >>> ssw = Soloveichik2010()
    >>> ssw.signal_kernel("X"), [(kind, role) for kind, _, role in ssw.module("r0", ["A", "B"], ["C"]).complexes]
    ('h_X a_X b_X c_X', [('L', 'gate'), ('Bk1', 'fuel'), ('T', 'fuel')])
    """

    name = "soloveichik2010"
    citation = "Soloveichik, Seelig & Winfree, PNAS 107:5393 (2010)"
    max_reactants = 3
    q_per_nM_s = 2.0864986572547034e-3
    min_reversible_reactants = 2

    def signal_domains(self, ident: str) -> dict[str, int]:
        return {f"h_{ident}": LONG_NT, f"a_{ident}": TOEHOLD_NT, f"b_{ident}": LONG_NT, f"c_{ident}": TOEHOLD_NT}

    def signal_kernel(self, ident: str) -> str:
        return f"h_{ident} a_{ident} b_{ident} c_{ident}"

    def helper_species(self, n_reactants: int, n_products: int) -> tuple[str, ...]:
        return (SOURCE,) if n_reactants == 0 else ()

    def gate_inputs(self, reactants: list[str]) -> list[str]:
        return list(reactants) or [SOURCE]

    def module(self, tag: str, reactants: list[str], products: list[str]) -> ModuleSpec:
        r = self.gate_inputs(reactants)
        relayed = self.relayed_products(r, products)
        direct = list(products)
        for p in relayed:
            direct.remove(p)
        domains: dict[str, int] = {}
        if relayed:
            j = f"_j{tag}"
            domains.update(self.signal_domains(j))
            direct.append(j)
        complexes = self._join(r, direct, "gate")
        if not reactants:
            complexes.append(("I", self.signal_kernel(SOURCE), "fuel"))
        if relayed:
            complexes.append(("J1", self.signal_kernel(j), "intermediate"))
            complexes.extend((f"Y{kind}", kernel, "fuel") for kind, kernel, _ in self._join([j], relayed, "fuel"))
        # One firing uses a join gate L, a translator T and (0 -> X) a source strand I, and a relay's L
        # and T; the reversible steps release one backward strand each.
        uses = {kernel: -1 if "Bk" in kind else 1 for kind, kernel, role in complexes if role != "intermediate"}
        return ModuleSpec(tuple(complexes), domains, uses)

    @staticmethod
    def relayed_products(reactants: list[str], products: list[str]) -> list[str]:
        """Products the join gate must not release itself (see the class docstring): a product P
        equal to reactant m + 1 when reactant m is the last reactant, so that the output strand
        ``b_n c_n h_P a_P`` would read as backward strand m ``b_m c_m a_(m+1)`` with a bulge."""
        n = len(reactants)
        clash = {reactants[m + 1] for m in range(n - 1) if reactants[m] == reactants[-1]}
        return [p for p in products if p in clash]

    def _join(self, r: list[str], products: list[str], role: str) -> list[tuple[str, str, str]]:
        """The join gate L of ``r -> products``, its backward strands and its translator T."""
        n = len(r)
        parts, complexes = [], []
        for m in range(n - 1):
            a, b = r[m], r[m + 1]
            parts.append(f"b_{a}( c_{a}( a_{b}( +")
            complexes.append((f"Bk{m + 1}", f"b_{a} c_{a} a_{b}", "fuel"))
        last = r[-1]
        overhang = " ".join(f"h_{p} a_{p}" for p in products)
        parts.append(f"b_{last}( c_{last}( {overhang} +".replace("  ", " "))
        parts.append(" ".join([")"] * (3 * (n - 1) + 2)) + f" a_{r[0]}*")
        complexes.insert(0, ("L", " ".join(parts), role))
        if products:
            tops = " ".join(f"h_{p}( a_{p}( b_{p} c_{p} +" for p in products)
            closes = " ".join([")"] * (2 * len(products)))
            complexes.append(("T", f"{tops} {closes} c_{last}*", "fuel"))
        return complexes


class Lakin2012(Scheme):
    """Lakin, Youssef, Cardelli & Phillips, J. R. Soc. Interface 9:470 (2012), Fig. 5.

    A species X is the strand ``h_X t f_X`` with one global toehold ``t``.
    The gate of ``A + B -> C + D`` is a bottom strand
    ``t* h_D* t* h_C* t* f_B* t* f_A* t*`` covered by ``f_A t i``,
    ``f_B t k``, ``h_C t f_C`` and ``h_D t f_D`` (i, k private to the
    module), 3' toehold open. A displaces ``f_A t i`` (kept in excess as the
    backward strand R, so this step is reversible), B displaces
    ``f_B t k``, and the fuel ``t h_C t h_D t`` releases C and D. Fewer
    reactants or products are padded with a fuel signal (the paper's
    generalisation); k > 2 products chain k - 1 gates through intermediates
    ``A + B -> J1 + P1``, ``J1 + gf -> J2 + P2``, ... At most two reactants.
    A zero-order reaction ``0 -> X`` reads a source strand ``_src`` and the
    padding strand and gives the source strand back (``src + gf -> src + X``,
    both fuels at C), not the padding strand twice (:meth:`gate_inputs` says
    why). Every module then changes the padding strand by minus the change
    of its formal species (``X -> 0`` releases one, ``X -> 2X`` uses one), so
    ``[gf] + unit * sum(X)`` is conserved: a run drifts the padding strand by
    ``unit * |change of sum(X)|`` (:meth:`rxnn.dsd.DSDDesign.fuel_bound`).

    A property of the published scheme, not of this translation: the strand
    ``f_B t k`` that B displaces has no fuel (one copy per firing), and it
    can re-bind the gate and undo B's step. Every module is CRN-bisimilar to
    its reaction (the verdict :func:`rxnn.dsd.verify_design` reports by
    default), but a completed formal pathway leaves that consumable strand
    behind, so pathway decomposition equivalence and crnverifier's
    modularity condition fail; with ``f_B t k`` added as a fuel both hold
    (tests/test_dsd.py shows both). Nuskell's ``lakin2012_3D.ts`` notes the
    same ("no fuel species to reverse the release of second reactant").

    Examples
    --------
    ``A -> B`` is padded with the fuel signal ``_gf`` (one reactant, one product):

    >>> Lakin2012().helper_species(1, 1), Lakin2012().module("r0", ["A"], ["B"]).complexes[0][0]
    (('_gf',), 'G1')
    """

    name = "lakin2012"
    citation = "Lakin, Youssef, Cardelli & Phillips, J. R. Soc. Interface 9:470 (2012)"
    max_reactants = 2
    q_per_nM_s = 1.0476894375089447e-3
    rate_fuel = "R1"
    # Signals at 1 pM per formal unit, padding fuel 0.1 nM, gates 2 nM: the n = 1 and n = 2 rates
    # differ by fuel/unit = 100 in backward-strand concentration; fuels and gates exceed what a run
    # uses (about unit x value x formal time = 0.03 nM) by > 60x.
    defaults = {"unit_nM": 1e-3, "fuel_nM": 0.1, "min_nM": 2.0, "max_gate_nM": 1e5}

    def signal_domains(self, ident: str) -> dict[str, int]:
        return {"t": TOEHOLD_NT, f"h_{ident}": LONG_NT, f"f_{ident}": LONG_NT}

    def signal_kernel(self, ident: str) -> str:
        return f"h_{ident} t f_{ident}"

    def helper_species(self, n_reactants: int, n_products: int) -> tuple[str, ...]:
        if n_reactants == 0:
            return (SOURCE, PAD)
        return (PAD,) if n_reactants < 2 or n_products != 2 else ()

    def gate_inputs(self, reactants: list[str]) -> list[str]:
        # 0 -> X reads a source strand and the padding strand, not the padding strand twice: with two
        # equal inputs the first slot's backward strand f_gf t i (kept far above the gate for a slow
        # source) matches the second slot's top strand f_gf t k and displaces the second input again,
        # which holds gates in a dead end (measured: 0 -> X ; 1.5 at 65 % of its rate, 1e-4 nM units).
        if not reactants:
            return [SOURCE, PAD]
        return (list(reactants) + [PAD, PAD])[:2] if len(reactants) < 2 else list(reactants)

    def module(self, tag: str, reactants: list[str], products: list[str]) -> ModuleSpec:
        if len(reactants) > 2:
            raise DSDError(f"{self.name} takes at most two reactants; got {len(reactants)}")
        r = self.gate_inputs(reactants)
        p = list(products)
        if not reactants and len(p) == 1:
            p = [SOURCE] + p  # src + gf -> src + X: the source strand is given back, the padding strand used
        if len(p) < 2:
            p = [PAD] * (2 - len(p)) + p
        complexes: list[tuple[str, str, str]] = []
        domains: dict[str, int] = {}
        uses: dict[str, int] = {}
        step, inputs = 0, r
        while True:
            step += 1
            if len(p) > 2:
                j = f"_j{tag}_{step}"
                outs, p = [j, p[0]], p[1:]
            else:
                j, outs = None, p
            stag = f"{tag}_{step}"
            domains.update({f"i_{stag}": LONG_NT, f"k_{stag}": LONG_NT})
            a, b = inputs
            c, d = outs
            gate = (
                f"f_{a}( t( i_{stag} + f_{b}( t( k_{stag} + h_{c}( t( f_{c} + h_{d}( t( f_{d} + "
                f") ) ) ) ) ) ) ) t*"
            )
            complexes.append((f"G{step}", gate, "gate" if step == 1 else "fuel"))
            complexes.append((f"R{step}", f"f_{a} t i_{stag}", "fuel"))
            complexes.append((f"F{step}", f"t h_{c} t h_{d} t", "fuel"))
            for helper, change in ((a, 1), (b, 1), (c, -1), (d, -1)):
                if helper in (SOURCE, PAD):
                    kernel = self.signal_kernel(helper)
                    uses[kernel] = uses.get(kernel, 0) + change
            if j is None:
                break
            domains.update(self.signal_domains(j))
            complexes.append((f"J{step}", self.signal_kernel(j), "intermediate"))
            inputs = [j, PAD]
        # One firing uses each gate G and release fuel F and gives back each backward strand R; the
        # helper strands count as read (+1) and released (-1).
        uses.update({kernel: -1 if kind.startswith("R") else 1 for kind, kernel, role in complexes if role != "intermediate"})
        uses = {k: v for k, v in uses.items() if v}
        return ModuleSpec(tuple(complexes), domains, uses)


SCHEMES: dict[str, Scheme] = {s.name: s for s in (Soloveichik2010(), Lakin2012())}


def get_scheme(name: str | Scheme) -> Scheme:
    """Look a scheme up by name; an unknown name lists the valid ones.

    Examples
    --------
    >>> get_scheme("soloveichik2010")
    <Scheme soloveichik2010>
    >>> get_scheme("ssw")
    Traceback (most recent call last):
    ...
    rxnn.dsd._pil.DSDError: scheme must be one of ['lakin2012', 'soloveichik2010']; got 'ssw'
    """
    if isinstance(name, Scheme):
        return name
    try:
        return SCHEMES[name]
    except (KeyError, TypeError):
        raise DSDError(f"scheme must be one of {sorted(SCHEMES)}; got {name!r}") from None
