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
:func:`read_sbml` reads SBML Level 2 and 3 (core) whose kinetic laws are
mass action, with a streaming parser (expat; no libSBML needed). A law is mass
action when it is a product of one rate constant (numbers, parameters and
compartment sizes, multiplied or divided) and species to positive integer
powers, where every non-boundary reactant appears to the power of its
stoichiometry. Other species in the law (modifiers, or products) are
catalysts and appear on both sides of the rxnn reaction; boundary and constant
species never change, so their listed stoichiometry is replaced by their power
in the law on both sides. A law ``forward - reverse``, each mass action of the
reactants and of the products, becomes two rxnn reactions. All species must
share one compartment size V; rate constants are divided by V (times V per
power of a ``hasOnlySubstanceUnits`` species), and ``initialAmount`` is
divided by V, so the ODEs of the concentrations are preserved.

Refused, with every offending element named: Level 1, required packages,
events, rules, initial assignments, conversion factors, ``fast`` reactions,
``stoichiometryMath``, reactions without kinetic law, laws that are not mass
action (naming the reaction and the offending term), function calls, delays,
``time``, named rate constants that are not alone, non-integer
stoichiometries, compartments of different sizes. Dropped with an
:class:`SBMLWarning`: constraints, species in no reaction, reactions with a
zero rate constant or no effect; parallel reactions with the same complexes
are merged by adding their rate constants (exactly the same ODEs).

Untrusted files: the size is checked before reading (``max_bytes``); a
document type declaration is refused before anything in it is processed, so
no entity is ever expanded or fetched; elements nested deeper than
``max_depth`` are refused; XML errors name the line and column.

The writer is :mod:`rxnn.io._sbml_write`, the reader :mod:`rxnn.io._sbml_read`
and the defences against untrusted XML :mod:`rxnn.io._xml_guard`; this module
is their public face.

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
from rxnn.io._sbml_read import SBMLModel, read_sbml, read_sbml_model, read_sbml_string, validate_sbml
from rxnn.io._sbml_write import MATHML, SBML_L3V2, _free, _num, sbml_chunks, sbml_ids, sbml_string, write_sbml
from rxnn.io._xml_guard import MAX_DEPTH, SBMLError, SBMLWarning

__all__ = [
    "SBMLError",
    "SBMLWarning",
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
