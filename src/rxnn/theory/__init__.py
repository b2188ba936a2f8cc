"""The theory of §4 made executable: decide Thm. 4.8's hypotheses, analyse networks, certify runs.

- :func:`check_activation` decides whether a node dx/dt = g(x) + y x is
  realisable, decays, is reliable, stable and exponentially feed-forward
  (Def. 4.5, Def. 4.7(1), Thm. 4.8, Prop. 4.9, Prop. A.1): exactly for real
  algebraic coefficients, by exact signs for ``pi``, ``E`` and symbols;
  strings go through :mod:`rxnn.theory.expressions` (parsed, never
  evaluated); :func:`node_activation` turns a g that passes into an activation.
- :mod:`rxnn.theory.structure` gives any reaction network's feed-forward
  decomposition (the cascade of Thm. 4.8's proof), conservation laws,
  linkage classes, deficiency and weak reversibility, and the theorem's
  hypotheses block by block.
- :mod:`rxnn.theory.certificates` (:func:`certify`, :func:`contraction_rates`)
  gives certificates for a compiled network: contraction rates, a convergence
  time proved in ball arithmetic (Def. 4.4 for the cascade, not Def. 4.7(3)),
  and observed times from simulation (evidence). It needs :mod:`rxnn.nn` and
  :mod:`rxnn.compile`, so it is imported on first use.
"""

from typing import Any

from rxnn.theory.activation_check import (
    ActivationCheck,
    EntryBound,
    Verdict,
    check_activation,
    entry_bound,
    node_activation,
    parse_polynomial,
)
from rxnn.theory.structure import (
    BlockCheck,
    ConservationLaws,
    FeedForwardDecomposition,
    StructureReport,
    analyze_structure,
    check_blocks,
    conservation_laws,
    deficiency,
    dependency_matrix,
    feed_forward_decomposition,
    is_weakly_reversible,
    linkage_classes,
    stoichiometric_rank,
)

_CERTIFICATES = ("ConvergenceCertificate", "LayerCertificate", "certify", "contraction_rates", "node_polynomial")

__all__ = [
    "ActivationCheck",
    "EntryBound",
    "Verdict",
    "check_activation",
    "entry_bound",
    "node_activation",
    "parse_polynomial",
    "BlockCheck",
    "ConservationLaws",
    "FeedForwardDecomposition",
    "StructureReport",
    "analyze_structure",
    "check_blocks",
    "conservation_laws",
    "deficiency",
    "dependency_matrix",
    "feed_forward_decomposition",
    "is_weakly_reversible",
    "linkage_classes",
    "stoichiometric_rank",
    *_CERTIFICATES,
]


def __getattr__(name: str) -> Any:
    if name in _CERTIFICATES:
        from rxnn.theory import certificates

        return getattr(certificates, name)
    raise AttributeError(f"module 'rxnn.theory' has no attribute {name!r}")
