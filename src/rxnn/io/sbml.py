"""SBML Level 3 Version 2 export and import of mass-action reaction networks.

Writing
-------
:func:`write_sbml` writes any :class:`~rxnn.crn.network.ReactionNetwork` as
SBML L3V2 that COPASI, libRoadRunner/Tellurium, GillesPy2 and Catalyst.jl
open, by generating the XML text directly (no libSBML needed; half a second
for the 64 000 reactions of a compiled 784-40-10 network). The conventions:

* one compartment (``cell``) of size 1, so concentrations equal amounts;
  species have ``initialConcentration`` (left out where ``initial`` gives no
  value) and ``hasOnlySubstanceUnits="false"``;
* dynamic species are ordinary species; enzymatic species (Def. 5.1) are
  constant boundary species (``boundaryCondition="true" constant="true"``),
  still listed as reactants and products so the complexes survive;
* every kinetic law is mass action, eq. (2) of the paper:
  ``k * X1^Y1 * ... * Xn^Yn`` over the reactant complex, no combinatorial
  factors. A numeric rate constant is the local parameter ``k`` of its
  reaction; a named rate constant is a global parameter (``constant="true"``)
  *without a value*, which must be set before simulating;
* reactions are ``J0``, ``J1``, ... in the network's order, all irreversible.

Species ids
-----------
An rxnn name without ``'`` is its own SBML id. A name with primes (``X'``)
is not an SBML id: its id replaces every ``'`` with ``_prime`` (``X_prime``),
followed by as many ``_`` as it takes to be unique, and the original goes in
the ``name`` attribute. :func:`sbml_ids` gives the mapping. Reading reverses
it: a species whose ``name`` is a valid rxnn species name and whose id is
that name with ``'`` replaced by ``_prime`` and then zero or more ``_``
(the form this writer and :mod:`rxnn.io.antimony` produce) is called by its
``name``; every other species is called by its id. If ``J<n>``,
``k``, ``cell`` or the model id would collide with a species or parameter,
they get trailing ``_`` too.

Reading
-------
:func:`read_sbml` reads SBML Level 2 and 3 whose dynamics are mass-action
reactions once the model is evaluated (no libSBML needed except to flatten
``comp``). The model is first evaluated at t = 0 (:mod:`rxnn.io._sbml_values`):
initial assignments, assignment rules whose value is constant in time, L2
``stoichiometryMath`` and L3 species-reference values, with a safe evaluator
of the MathML tree (never ``eval``); function definitions are inlined. Each
kinetic law is then recognised as mass action (:mod:`rxnn.io._sbml_massaction`):
a product of a rate constant and species powers, ``forward - backward``, or
any law that expands (exact rational polynomial arithmetic, sparse, with sympy's
rings) into terms each mass action in its own reactants, one rxnn reaction per
term (``C*(kf*S1 - kr*S2)``, ``(k1 + k2*E)*A``). The expansion is bounded: a law
over ``MAX_TERMS`` (10,000) terms, or taking over ``LAW_SECONDS`` (2 s), raises
:class:`SBMLLimitError` (a :class:`~rxnn.errors.LimitError`) naming the reaction.
A reaction's id in math stands for its rate (SBML): its law is inlined into
other laws, and evaluated at t = 0 where an initial assignment names it. Other species in a single-term law (modifiers, products)
are catalysts on both sides; boundary and constant species never change, so
their listed stoichiometry is replaced by their power in the law on both
sides. A law ``c * P*(P-1)*...`` over amount species is read as the
stochastic mass-action propensity of its reaction (the DSMTS convention; an
:class:`SBMLWarning` says so). Compartments (:mod:`rxnn.io._sbml_build`):
with one size V the variables are concentrations, with several they are
amounts; rate constants absorb the sizes so the ODEs are exactly the model's.
An unsized compartment of amount species, or an unsized 0-dimensional one,
has size 1. ``comp`` models are flattened by libSBML's converter (never with
an ``externalModelDefinition``, which would read another file), and the
result is read through the same guard. :func:`read_sbml_model` also returns
how the variables relate to SBML's and every value at t = 0; its
:meth:`~rxnn.io._sbml_build.SBMLModel.trajectory` gives any SBML id along a
simulation (species as amounts or concentrations, parameters, compartments,
and reaction rates by reaction id, the flux of eq. (2) summed over the rxnn
reactions the law became).

Values follow the XML Schema lexical rules (:mod:`rxnn.io._sbml_lexical`):
``1_0``, Unicode digits, ``TRUE`` or ``inf`` are errors, not numbers or false;
invalid or duplicate ids, a second ``<math>`` or kinetic law, and duplicate
attributes are errors naming the element and line.

Refused, with every offending element named: Level 1, required packages
other than ``comp``, events, rate and algebraic rules, assignment rules that
follow the state or time, conversion factors, ``fast`` reactions,
non-constant or non-integer stoichiometries, reactions without kinetic law,
laws that are not mass action (naming the reaction and the offending term),
``time``, ``delay``, named rate constants that are not a plain factor. Dropped
with an :class:`SBMLWarning`: constraints, species in no reaction (their
values stay constant; :func:`read_sbml_model` gives them), reactions with a
zero rate constant or no effect; parallel reactions with the same complexes
are merged by adding their rate constants (exactly the same ODEs).

Untrusted files: at most ``max_bytes`` are read (also from devices and
pipes); encodings other than UTF-8, ASCII, latin-1 and UTF-16 are refused; a
document type declaration is refused before anything in it is processed, so
no entity is ever expanded or fetched; elements nested deeper than
``max_depth`` are refused; XML errors name the line and column.

The writer is :mod:`rxnn.io._sbml_write`, the reader :mod:`rxnn.io._sbml_read`
(with ``_sbml_parse``, ``_sbml_values``, ``_sbml_math``, ``_sbml_massaction``
and ``_sbml_build``) and the defences against untrusted XML
:mod:`rxnn.io._xml_guard`; this module is their public face.

Examples
--------
>>> import os, tempfile
>>> from rxnn import ReactionNetwork
>>> from rxnn.io.sbml import read_sbml, write_sbml
>>> net = ReactionNetwork.from_text("X + E -> 2X + E\\n2X -> X ; 0.5")
>>> path = write_sbml(net, os.path.join(tempfile.mkdtemp(), "net.xml"), {"X": 1.0, "E": 2.0})
>>> back, initial = read_sbml(path)
>>> back == net, back.odes() == net.odes(), initial
(True, True, {'X': 1.0, 'E': 2.0})
"""

from __future__ import annotations

# MATHML, SBML_L3V2 and the private _free and _num are re-exported for rxnn.io.antimony and older imports.
from rxnn.io._sbml_build import SBMLLimitError
from rxnn.io._sbml_read import SBMLModel, read_sbml, read_sbml_model, read_sbml_string, validate_sbml
from rxnn.io._sbml_write import MATHML, SBML_L3V2, _free, _num, sbml_chunks, sbml_ids, sbml_string, write_sbml
from rxnn.io._xml_guard import MAX_DEPTH, SBMLError, SBMLWarning

__all__ = [
    "SBMLError",
    "SBMLWarning",
    "SBMLLimitError",
    "MAX_DEPTH",
    "sbml_ids",
    "sbml_chunks",
    "sbml_string",
    "write_sbml",
    "read_sbml",
    "read_sbml_string",
    "read_sbml_model",
    "SBMLModel",
    "validate_sbml",
]
