"""Domain-level objects and their PIL kernel notation (the input format of peppercorn).

A design is a set of domains (name and length in nucleotides) and complexes,
each written in kernel notation: strands separated by ``+``, a paired domain
written ``x(`` and closed by ``)``, a complementary domain ``x*``. The module
only writes text; reading and enumerating it is peppercorn's job
(:mod:`rxnn.dsd.enumeration`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rxnn.errors import RxnnError

__all__ = ["DSDError", "PilComplex", "pil_name", "write_pil", "strands_of", "nucleotides_of"]

#: PIL identifiers (dsdobjects' grammar: letters, digits, ``_`` and ``-``).
_PIL_NAME = re.compile(r"[A-Za-z0-9_-]+\Z")

#: Roles of a complex in a design.
ROLES = ("signal", "gate", "fuel")


class DSDError(RxnnError, ValueError):
    """A reaction network cannot be translated into (or checked as) a strand-displacement design."""


def pil_name(species: str) -> str:
    """The PIL spelling of a formal species name: ``'`` becomes ``_p`` (PIL has no primes).

    Examples
    --------
    >>> pil_name("X'")
    'X_p'
    """
    name = species.replace("'", "_p")
    if not _PIL_NAME.match(name):
        raise DSDError(f"species {species!r} has no PIL spelling; rename it to letters, digits and '_'")
    return name


@dataclass(frozen=True)
class PilComplex:
    """One complex of a design.

    Attributes
    ----------
    name : str
        Its PIL name.
    kernel : str
        Its kernel notation, e.g. ``"b( c( + ) ) a*"``.
    role : str
        ``"signal"`` (a formal species), ``"gate"`` (sets a reaction's rate
        and is consumed by it) or ``"fuel"`` (a helper kept in excess).
    nM : float
        Initial concentration in nM (0 for signals unless given a start).
    module : int
        Index of the formal reaction the complex belongs to; -1 for signals
        and for fuels shared by several modules.
    """

    name: str
    kernel: str
    role: str
    nM: float
    module: int = -1

    @property
    def strands(self) -> tuple[tuple[str, ...], ...]:
        """Its strands as tuples of domain names (``x*`` for a complement, brackets dropped)."""
        return strands_of(self.kernel)


def strands_of(kernel: str) -> tuple[tuple[str, ...], ...]:
    """Split kernel notation into strands of domain names (structure dropped).

    A ``)`` is the complement of the domain whose ``(`` it closes.

    Examples
    --------
    >>> strands_of("b( c( + ) ) a*")
    (('b', 'c'), ('c*', 'b*', 'a*'))
    """
    strands: list[list[str]] = [[]]
    stack: list[str] = []
    for token in kernel.split():
        if token == "+":
            strands.append([])
        elif token == ")":
            partner = stack.pop()
            strands[-1].append(partner[:-1] if partner.endswith("*") else partner + "*")
        elif token.endswith("("):
            stack.append(token[:-1])
            strands[-1].append(token[:-1])
        else:
            strands[-1].append(token)
    return tuple(tuple(s) for s in strands)


def nucleotides_of(kernel: str, lengths: Mapping[str, int]) -> int:
    """Total length in nucleotides of the strands of a complex."""
    return sum(lengths[d.rstrip("*")] for strand in strands_of(kernel) for d in strand)


def write_pil(domains: Mapping[str, int], complexes: Iterable[PilComplex], *, title: str = "") -> str:
    """Write domains and complexes as a PIL document that peppercorn reads.

    Parameters
    ----------
    domains : mapping of str to int
        Domain name to length (nt).
    complexes : iterable of PilComplex
        Concentrations are written ``@initial C nM``.
    title : str
        A comment line at the top.

    Returns
    -------
    str

    Examples
    --------
    >>> text = write_pil({"a": 7, "b": 15}, [PilComplex("S", "a b", "signal", 10.0)])
    >>> print(text.strip().splitlines()[-1])
    S = a b @initial 10 nM
    """
    lines = [f"# {title}"] if title else []
    lines.append("# Domains (length in nt)")
    lines.extend(f"length {name} = {length}" for name, length in domains.items())
    lines.append("")
    role = None
    for c in complexes:
        if c.role != role:
            role = c.role
            lines.append(f"# {role} complexes")
        lines.append(f"{c.name} = {c.kernel} @initial {c.nM:.12g} nM")
    return "\n".join(lines) + "\n"
