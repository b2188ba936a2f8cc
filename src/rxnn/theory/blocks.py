"""Thm. 4.8 block by block, and the one-value structure report of a network.

For each block of the cascade of :func:`~rxnn.theory.structure.feed_forward_decomposition`
that is a node of the paper's class (one species X with dx/dt = g(x) + y x, y
depending on upstream species), :func:`check_blocks` decides the theorem's
hypotheses with :func:`~rxnn.theory.check_activation`.
:func:`analyze_structure` collects every structural fact in a
:class:`StructureReport`. Both are re-exported by :mod:`rxnn.theory.structure`.

This module depends on :mod:`rxnn.crn` only (not on :mod:`rxnn.nn`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy

from rxnn._deprecation import deprecated_alias
from rxnn._validation import check_positive_finite
from rxnn.crn.model import Complex
from rxnn.crn.network import ReactionNetwork
from rxnn.errors import InvalidArgumentError
from rxnn.theory.activation_check import ActivationCheck, check_activation, exact_number
from rxnn.theory._display import VerdictDisplay
from rxnn.theory.structure import (
    ConservationLaws,
    FeedForwardDecomposition,
    check_network,
    conservation_laws,
    feed_forward_decomposition,
    is_weakly_reversible,
    linkage_classes,
)

__all__ = ["BlockCheck", "StructureReport", "check_blocks", "analyze_structure"]

_FORCING_TERMS_SHOWN = 40


# ---------------------------------------------------------------------- Thm. 4.8 per block
@dataclass(frozen=True)
class BlockCheck(VerdictDisplay):
    """Whether one block of the cascade is a node of the paper's class, and its verdicts.

    Attributes
    ----------
    block : int
        Index in the decomposition.
    species : tuple of str
    in_class : bool
        One species X with dx/dt = g(x) + y x, where g does not depend on
        dynamic species (only on rate constants and enzymes) and y, the
        coefficient of x, may depend on upstream species.
    reason : str
        Why the block is or is not in the class.
    g : sympy.Expr or None
        The node polynomial in the symbol ``x`` (the linear term goes to y).
    forcing : sympy.Expr or None
        y, the coefficient of x (None when it has more than 40 terms).
    check : ActivationCheck or None
        The verdicts on g (shared by blocks with equal g).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> (block,) = check_blocks(ReactionNetwork.from_text("0 -> X ; 1\\n2X -> X"))
    >>> block.species, block.in_class, block.g, block.check.status
    (('X',), True, 1 - x**2, 'proved')
    """

    block: int
    species: tuple[str, ...]
    in_class: bool
    reason: str
    g: sympy.Expr | None = None
    forcing: sympy.Expr | None = None
    check: ActivationCheck | None = None

    @property
    def proved(self) -> bool:
        """The verdict: in the class and every hypothesis of Thm. 4.8 proved for g."""
        return self.in_class and self.check is not None and self.check.proved

    meets_hypotheses = deprecated_alias("proved", "BlockCheck.meets_hypotheses")

    def __str__(self) -> str:
        name = ", ".join(self.species)
        if not self.in_class:
            return f"[{self.block}] {{{name}}}: outside the class: {self.reason}"
        status = self.check.status if self.check is not None else "undecided"
        return f"[{self.block}] {name}: dx/dt = g(x) + y x with g = {self.g}: {status}"


def _symbol_values(network: ReactionNetwork, values: Mapping[str, Any] | None) -> dict[str, sympy.Expr]:
    """Symbols for enzymes and named rates: given values exactly, else positive symbols."""
    values = dict(values or {})
    names = set(network.enzymatic_species) | set(network.rate_parameters)
    unknown = sorted(set(values) - names)
    if unknown:
        raise InvalidArgumentError(
            f"values of check_blocks must name enzymatic species or rate parameters; got {', '.join(unknown)} "
            f"(enzymatic: {', '.join(network.enzymatic_species) or 'none'}; "
            f"parameters: {', '.join(network.rate_parameters) or 'none'})"
        )
    out = {}
    for name in names:
        out[name] = exact_number(values[name]) if name in values else sympy.Symbol(name, positive=True)
    return out


def check_blocks(
    network: ReactionNetwork, values: Mapping[str, float] | None = None, *, y_bound: float = 10.0
) -> tuple[BlockCheck, ...]:
    """For each block of the cascade, whether it is a node of the class and meets Thm. 4.8's hypotheses.

    Parameters
    ----------
    network : ReactionNetwork
    values : mapping of str to float, optional
        Concentrations of enzymatic species and values of rate parameters;
        the others stay positive symbols (decided by sign patterns).
    y_bound : float, default 10.0
        Passed to :func:`check_activation` (Prop. A.1's entry time).

    Returns
    -------
    tuple of BlockCheck
        In the order of :func:`feed_forward_decomposition`.

    Notes
    -----
    The ODE of a one-species block X is assembled from the reactions that
    change X (eq. (2)): a reaction with X^a among its reactants contributes
    (change) k (enzymes) x^a. Terms with a != 1 form g and must not involve
    dynamic species; the terms with a = 1 form the forcing y (edges and
    biases of Table 1, and any linear term of g, which only shifts y). Equal
    g are checked once. If every block meets the hypotheses, the induction of
    Thm. 4.8's proof runs along the cascade: the network converges from
    infinity in finite time and converges exponentially in the sense of
    Def. 4.4 (a constant c >= 1); the proof does not give Def. 4.7(3)'s
    constant 1.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("0 -> X\\n2X -> X\\nX + Y -> X + 2Y\\n0 -> Y\\n2Y -> Y")
    >>> [(b.species, b.in_class) for b in check_blocks(net)]
    [(('X',), True), (('Y',), True)]
    """
    network = check_network(network, "check_blocks")
    y_bound = check_positive_finite(y_bound, "y_bound", "check_blocks")
    decomposition = feed_forward_decomposition(network)
    symbols = _symbol_values(network, values)
    x = sympy.Symbol("x")
    R = network.reactant_matrix()
    N = network.stoichiometry_matrix().tocsr()
    dynamic = set(network.dynamic_species)
    names = network.species
    rates = network.rates
    cache: dict[sympy.Expr, ActivationCheck] = {}
    out = []
    for k, block in enumerate(decomposition.blocks):
        if len(block) != 1:
            out.append(BlockCheck(k, block, False, f"a block of {len(block)} species; the cascade of Thm. 4.8 needs one species per block"))
            continue
        name = block[0]
        i = network.species_index[name]
        coefficients: dict[int, sympy.Expr] = {}
        forcing_terms: list[sympy.Expr] = []
        reason = None
        lo, hi = N.indptr[i], N.indptr[i + 1]
        for j, change in zip(N.indices[lo:hi], N.data[lo:hi]):
            rlo, rhi = R.indptr[j], R.indptr[j + 1]
            reactants = dict(zip(R.indices[rlo:rhi].tolist(), R.data[rlo:rhi].tolist()))
            a = reactants.pop(i, 0)
            upstream = [names[s] for s in reactants if names[s] in dynamic]
            rate = symbols[rates[j]] if isinstance(rates[j], str) else exact_number(rates[j])
            if upstream and a != 1:
                reason = (
                    f"reaction {network.reactions[int(j)]} makes the x^{a} term depend on the dynamic species "
                    f"{', '.join(upstream)}; only the coefficient of x may"
                )
                break
            if a == 1:  # built below only when short enough to show
                forcing_terms.append((int(change), rate, reactants))
                continue
            term = int(change) * rate
            for s, coef in reactants.items():
                term *= symbols[names[s]] ** int(coef)
            coefficients[a] = coefficients.get(a, sympy.Integer(0)) + term
        if reason is not None:
            out.append(BlockCheck(k, block, False, reason))
            continue
        g = sympy.expand(sum((c * x**a for a, c in coefficients.items()), sympy.Integer(0)))
        forcing = None
        if len(forcing_terms) <= _FORCING_TERMS_SHOWN:
            forcing = sympy.Add(*(
                change * rate * sympy.Mul(*(
                    (sympy.Symbol(names[s]) if names[s] in dynamic else symbols[names[s]]) ** int(coef)
                    for s, coef in reactants.items()
                ))
                for change, rate, reactants in forcing_terms
            ))
        if g not in cache:
            cache[g] = check_activation(g, x, y_bound=y_bound)
        out.append(BlockCheck(k, block, True, "one species; g free of dynamic species", g, forcing, cache[g]))
    return tuple(out)


# ---------------------------------------------------------------------- one report
@dataclass(frozen=True)
class StructureReport(VerdictDisplay):
    """The structural facts of a network in one value; ``print`` gives a readable report.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.theory.structure import analyze_structure
    >>> report = analyze_structure(ReactionNetwork.from_text("A -> B\\nB -> A"))
    >>> isinstance(report, StructureReport), report.n_species, report.rank, report.deficiency
    (True, 2, 1, 0)
    """

    n_species: int
    n_dynamic: int
    n_reactions: int
    n_complexes: int
    decomposition: FeedForwardDecomposition
    conservation_laws: ConservationLaws
    linkage_classes: tuple[tuple[Complex, ...], ...]
    rank: int
    deficiency: int
    weakly_reversible: bool
    blocks: tuple[BlockCheck, ...] | None

    @property
    def n_linkage_classes(self) -> int:
        return len(self.linkage_classes)

    @property
    def proved(self) -> bool:
        """The verdict: some block, and every block a node of the class meeting all hypotheses of Thm. 4.8.

        False for a network with no dynamic species: there is nothing to check.
        """
        return bool(self.blocks) and all(b.proved for b in self.blocks)

    meets_theorem_4_8 = deprecated_alias("proved", "StructureReport.meets_theorem_4_8")

    def __str__(self) -> str:
        lines = [
            f"{self.n_species} species ({self.n_dynamic} dynamic), {self.n_reactions} reactions, "
            f"{self.n_complexes} complexes",
            f"linkage classes: {self.n_linkage_classes}; rank of N: {self.rank}; deficiency: {self.deficiency}; "
            f"weakly reversible: {'yes' if self.weakly_reversible else 'no'}",
            str(self.conservation_laws),
            str(self.decomposition),
        ]
        if self.blocks is not None:
            lines.append("Thm. 4.8, block by block:")
            lines.extend(f"  {b}" for b in self.blocks)
            if not self.blocks:
                verdict = "nothing to check: the network has no dynamic species, so no block to decide"
            elif self.proved:
                verdict = (
                    "every block meets the hypotheses: by the cascade of Thm. 4.8's proof the network converges "
                    "from infinity in finite time, is reliable (Def. 4.7(1)) and converges exponentially "
                    "(Def. 4.4: |x(t) - X| <= c e^(-lambda t) with some c >= 1; Def. 4.7(3)'s constant 1 "
                    "is not proved)"
                )
            else:
                verdict = "Thm. 4.8 does not apply to every block"
            lines.append(f"verdict: {verdict}")
        return "\n".join(lines)


def analyze_structure(
    network: ReactionNetwork,
    values: Mapping[str, float] | None = None,
    *,
    blocks: bool = True,
    y_bound: float = 10.0,
) -> StructureReport:
    """All structural facts of ``network`` and, with ``blocks=True``, Thm. 4.8 block by block.

    Parameters
    ----------
    network : ReactionNetwork
    values : mapping of str to float, optional
        Enzymatic concentrations and rate parameter values for :func:`check_blocks`.
    blocks : bool, default True
        Run :func:`check_blocks`.
    y_bound : float, default 10.0

    Returns
    -------
    StructureReport

    Examples
    --------
    >>> report = analyze_structure(ReactionNetwork.from_text("A <-> B"), blocks=False)
    >>> report.deficiency, report.weakly_reversible, report.conservation_laws.expressions()
    (0, True, ('A + B',))
    """
    network = check_network(network, "analyze_structure")
    laws = conservation_laws(network)
    rank = len(laws.species) - laws.n_laws
    classes = linkage_classes(network)
    return StructureReport(
        n_species=network.n_species,
        n_dynamic=len(network.dynamic_species),
        n_reactions=network.n_reactions,
        n_complexes=network.n_complexes,
        decomposition=feed_forward_decomposition(network),
        conservation_laws=laws,
        linkage_classes=classes,
        rank=rank,
        deficiency=network.n_complexes - len(classes) - rank,
        weakly_reversible=is_weakly_reversible(network),
        blocks=check_blocks(network, values, y_bound=y_bound) if blocks else None,
    )
