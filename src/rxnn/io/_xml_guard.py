"""Defences of the SBML reader against untrusted XML, and the SBML error classes.

Private helpers of :mod:`rxnn.io.sbml` (whose notes describe the rules): the
size of a file or string is checked before it is read (``max_bytes``); a
document type declaration is refused before anything in it is processed, so
no entity is ever expanded or fetched; elements nested deeper than
``max_depth`` are refused; XML errors name the line and column.

:class:`SBMLError` and :class:`SBMLWarning` live here, below both the reader
and the writer, so that neither has to import the other for them.
"""

from __future__ import annotations

import xml.parsers.expat as expat
from pathlib import Path

from rxnn.io.formats import FormatError, check_file_size

#: Default limit on element nesting for reading (``max_depth=``); mass-action SBML needs about 10.
MAX_DEPTH = 256


class SBMLError(FormatError):
    """An SBML file cannot be read as a mass-action network, or a network cannot be written as SBML."""

    __module__ = "rxnn.io.sbml"  # the public home: tracebacks, reprs and pickles name it


class SBMLWarning(UserWarning):
    """Something in an SBML file was dropped or merged; the ODEs are unchanged."""

    __module__ = "rxnn.io.sbml"


def check_max_depth(max_depth: int, func: str) -> None:
    """Refuse a ``max_depth`` argument of ``func`` that is not a positive integer."""
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1:
        raise ValueError(f"max_depth of {func} must be a positive integer; got {max_depth!r}")


def too_deep(max_depth: int) -> str:
    """The message for an element nested deeper than ``max_depth``."""
    return (
        f"elements are nested deeper than {max_depth} levels; a mass-action model needs about 10. "
        "If the file is trusted, raise max_depth"
    )


def located(parser: expat.XMLParserType, origin: str, message: str) -> SBMLError:
    """An :class:`SBMLError` naming ``origin`` and the line ``parser`` is at."""
    return SBMLError(f"{origin}, line {parser.CurrentLineNumber}: {message}")


def guarded_parser(origin: str) -> expat.XMLParserType:
    """A namespace-aware expat parser that refuses document types and entities before processing them."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def doctype(*_: object) -> None:
        raise located(
            parser, origin,
            "the file declares a document type (<!DOCTYPE ...>); SBML needs none, and rxnn refuses "
            "document type declarations so that no entity is ever expanded or fetched. Remove the declaration",
        )

    def entity(name: str, *_: object) -> None:
        raise located(parser, origin, f"the file declares the entity {name!r}; entity declarations are refused")

    def external(*_: object) -> int:
        raise located(parser, origin, "the file refers to an external entity; external entities are never resolved")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def feed(parser: expat.XMLParserType, source: Path | bytes, origin: str, max_bytes: int, func: str) -> None:
    """Parse the file or bytes ``source`` to the end, after checking its size against ``max_bytes``.

    Raises
    ------
    SBMLError
        If ``source`` is too large, not well-formed XML (with line and
        column), or declares an encoding Python cannot read; errors raised by
        the parser's handlers pass through unchanged.
    """
    try:
        if isinstance(source, Path):
            check_file_size(source, max_bytes, func, SBMLError)
            with open(source, "rb") as f:
                parser.ParseFile(f)
        else:
            if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
                raise ValueError(f"max_bytes of {func} must be a positive integer; got {max_bytes!r}")
            if len(source) > max_bytes:
                raise SBMLError(f"{origin} is {len(source):,} bytes, over the limit of {max_bytes:,} bytes of {func}; "
                                f"if it is trusted, raise the limit (max_bytes={len(source)})")
            parser.Parse(source, True)
    except expat.ExpatError as exc:
        raise SBMLError(
            f"{origin} is not well-formed XML: {expat.ErrorString(exc.code)} at line {exc.lineno}, "
            f"column {exc.offset + 1}"
        ) from None
    except LookupError as exc:  # expat's answer to an unknown encoding="..." in the XML declaration
        raise SBMLError(f"{origin} declares an encoding Python cannot read ({exc}); use UTF-8") from None
