"""The SBML reader behind :mod:`rxnn.io.sbml`: the public readers, ``comp`` flattening and validation.

The pipeline: :mod:`rxnn.io._sbml_parse` (one guarded streaming pass with
expat, :mod:`rxnn.io._xml_guard`), :mod:`rxnn.io._sbml_values` (every value
at t = 0), :mod:`rxnn.io._sbml_massaction` (each kinetic law as mass-action
reactions or a refusal by name) and :mod:`rxnn.io._sbml_build` (the network).
The rules are in the notes of :mod:`rxnn.io.sbml`.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from rxnn.crn.network import ReactionNetwork
from rxnn.errors import InvalidArgumentError
from rxnn.io._sbml_build import SBMLModel, build
from rxnn.io._sbml_parse import Document, parse
from rxnn.io._xml_guard import MAX_DEPTH, SBMLError, SBMLTypeError, SBMLWarning, read_limited
from rxnn.io.formats import MAX_BYTES

__all__ = ["SBMLModel", "read_sbml", "read_sbml_string", "read_sbml_model", "validate_sbml"]


def _flatten_comp(data: bytes, origin: str, max_bytes: int, max_depth: int, func: str) -> Document:
    """The core SBML that libSBML's comp flattening converter makes of ``data``, parsed through the guard again.

    ``data`` has passed the guard (no document type, size, depth) and holds no
    ``externalModelDefinition`` (refused while parsing), so libSBML reads no other file.
    """
    if b"externalModelDefinition" in data:  # a second guard: libSBML would open the file it names
        raise SBMLError(f"{origin} has a comp externalModelDefinition; rxnn never reads other files")
    try:
        import libsbml
    except ImportError:
        raise SBMLError(f"{origin} uses the SBML comp package; flattening it needs python-libsbml "
                        "(`pip install rxnn[sbml]`)") from None
    document = libsbml.readSBMLFromString(data.decode("utf-8", errors="replace"))
    properties = libsbml.ConversionProperties()
    properties.addOption("flatten comp", True)
    properties.addOption("leavePorts", False)
    if document.getModel() is None or document.convert(properties) != libsbml.LIBSBML_OPERATION_SUCCESS:
        errors = [document.getError(i) for i in range(document.getNumErrors())]
        first = next((e for e in errors if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR), None)
        why = f": line {first.getLine()}: {first.getShortMessage()}" if first is not None else ""
        raise SBMLError(f"{origin} uses the SBML comp package, and libSBML cannot flatten it{why}")
    flat = libsbml.writeSBMLToString(document).encode("utf-8")
    doc = parse(flat, f"{origin} (flattened)", max(max_bytes, len(flat)), max_depth, func)
    if doc.uses_comp:
        raise SBMLError(f"{origin}: libSBML's flattening left comp elements; rxnn cannot read them")
    doc.origin = origin
    doc.notes.append(f"{origin}: the comp model was flattened to core SBML by libSBML")
    return doc


def _read(source: Path | bytes, origin: str, max_bytes: int, max_depth: int, func: str) -> SBMLModel:
    if isinstance(source, Path):
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise InvalidArgumentError(f"max_bytes of {func} must be a positive integer; got {max_bytes!r}")
        source = read_limited(source, max_bytes, func, origin)
    doc = parse(source, origin, max_bytes, max_depth, func)
    if doc.uses_comp and not doc.problems:
        doc = _flatten_comp(source, origin, max_bytes, max_depth, func)
    model = build(doc)
    for note in doc.notes:
        warnings.warn(note, SBMLWarning, stacklevel=3)
    return model


def read_sbml(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> tuple[ReactionNetwork, dict[str, float]]:
    """Read an SBML model with mass-action kinetic laws.

    Parameters
    ----------
    path : str or path-like
        An SBML Level 2 or 3 file.
    max_bytes : int, default 200 MiB
        Files larger than this are refused before reading.
    max_depth : int, default 256
        Elements nested deeper than this are refused.

    Returns
    -------
    network : ReactionNetwork
        The reactions, in the file's order (a ``forward - reverse`` law gives
        two, forward first); species in the file's order; parameters without
        values stay named rate constants.
    initial : dict of str to float
        Initial concentrations of the species that have one.

    Raises
    ------
    SBMLError
        If the file is too large, not well-formed XML (with line and column),
        declares a document type or entities, nests too deep, is not SBML
        Level 2 or 3, or uses anything that is not mass action: the message
        lists every offending element with its line (see the notes of
        :mod:`rxnn.io.sbml`).

    Warns
    -----
    SBMLWarning
        When constraints, species in no reaction or reactions without effect
        are dropped, or parallel reactions merged (the ODEs are unchanged).

    Notes
    -----
    One streaming pass with expat, linear in the file size: 6 to 10 s for the
    64 000 reactions (70 MB) of a compiled 784-40-10 network, where libSBML's
    own reader needs 17 s to parse alone (``benchmarks/bench_sbml.py``).
    ``read_sbml(write_sbml(net, p, x0))`` gives back ``net`` and ``x0``.
    """
    model = _read(Path(path), repr(str(path)), max_bytes, max_depth, "read_sbml")
    return model.network, model.initial


def read_sbml_string(
    text: str | bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> tuple[ReactionNetwork, dict[str, float]]:
    """Read an SBML document held in a string; see :func:`read_sbml`."""
    if not isinstance(text, str | bytes):
        raise SBMLTypeError(f"text of read_sbml_string must be str or bytes; got {type(text).__name__}")
    data = text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else text
    model = _read(data, "the SBML text", max_bytes, max_depth, "read_sbml_string")
    return model.network, model.initial


def read_sbml_model(
    source: str | os.PathLike[str] | bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> SBMLModel:
    """Read an SBML file (a path) or document (bytes) with what relates the network's variables to SBML's.

    Same rules as :func:`read_sbml`; the result also gives the SBML id -> rxnn
    name map, the unit u (a network variable is an amount divided by u), the
    compartment size of each species, the amount species, the value at t = 0
    of every id (parameters, compartments, species outside the network) and the
    terms of each reaction's rate: ``model.trajectory(sid, result)`` reports any
    of them, reaction rates included, along a simulation of ``model.network``.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.io.sbml import sbml_string
    >>> model = read_sbml_model(sbml_string(ReactionNetwork.from_text("X -> 0 ; 2"), {"X": 3.0}).encode())
    >>> model.network.n_reactions, model.initial, model.unit, model.volumes
    (1, {'X': 3.0}, 1.0, {'X': 1.0})
    """
    if isinstance(source, bytes):
        return _read(source, "the SBML text", max_bytes, max_depth, "read_sbml_model")
    return _read(Path(source), repr(str(source)), max_bytes, max_depth, "read_sbml_model")


def validate_sbml(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> list[str]:
    """libSBML's read and consistency errors of an SBML file, each with its line.

    The file first passes the same safety checks as :func:`read_sbml` (size,
    no document type, nesting depth), so libSBML never sees a file that could
    exhaust it. Warnings (such as undeclared units) are not reported.

    Returns
    -------
    list of str
        ``"line N: [id] message"`` per error; empty for a valid file.

    Raises
    ------
    ImportError
        If python-libsbml is not installed (``pip install rxnn[sbml]``).
    SBMLError
        If the file fails the safety checks.
    """
    try:
        import libsbml
    except ImportError:
        raise ImportError("validate_sbml needs python-libsbml; install it with `pip install rxnn[sbml]`") from None
    path = Path(path)
    data = read_limited(path, max_bytes, "validate_sbml", repr(str(path))) if isinstance(max_bytes, int) else b""
    parse(data, repr(str(path)), max_bytes, max_depth, "validate_sbml")
    if b"externalModelDefinition" in data:  # libSBML's consistency checks would open the file it names
        raise SBMLError(f"{str(path)!r} has a comp externalModelDefinition; rxnn never reads other files")
    document = libsbml.readSBMLFromString(data.decode("utf-8", errors="replace"))
    document.checkConsistency()
    errors = []
    for i in range(document.getNumErrors()):
        e = document.getError(i)
        if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            errors.append(f"line {e.getLine()}: [{e.getErrorId()}] {e.getShortMessage()}: {e.getMessage().strip()}")
    return errors
