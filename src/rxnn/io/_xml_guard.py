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

from rxnn.errors import InvalidArgumentError
from rxnn.io._sbml_lexical import READABLE_ENCODINGS, declared_encoding
from rxnn.io.formats import FormatError, check_file_size

#: Default limit on element nesting for reading (``max_depth=``); mass-action SBML needs about 10.
MAX_DEPTH = 256


class SBMLError(FormatError):
    """An SBML file cannot be read as a mass-action network, or a network cannot be written as SBML.

    Examples
    --------
    >>> from rxnn.io.sbml import read_sbml_string
    >>> try:
    ...     read_sbml_string("<sbml>")
    ... except SBMLError as exc:
    ...     print(isinstance(exc, ValueError))
    True
    """

    __module__ = "rxnn.io.sbml"  # the public home: tracebacks, reprs and pickles name it


class SBMLTypeError(SBMLError, TypeError):
    """An argument of an SBML reader or writer has the wrong type."""

    __module__ = "rxnn.io.sbml"


class SBMLFileNotFoundError(SBMLError, FileNotFoundError):
    """The SBML file to read does not exist."""

    __module__ = "rxnn.io.sbml"


class SBMLWarning(UserWarning):
    """Something in an SBML file was dropped or merged; the ODEs are unchanged.

    Examples
    --------
    >>> import warnings
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.io.sbml import read_sbml_string, sbml_string
    >>> text = sbml_string(ReactionNetwork.from_text("A -> B")).replace('<species id="B"', '<species id="C" compartment="cell" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/><species id="B"')
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = read_sbml_string(text)
    >>> [str(w.message).split(': ', 1)[1][:32] for w in caught if w.category is SBMLWarning]
    ['dropped species in no reaction (']
    """

    __module__ = "rxnn.io.sbml"


def check_max_depth(max_depth: int, func: str) -> None:
    """Refuse a ``max_depth`` argument of ``func`` that is not a positive integer."""
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1:
        raise InvalidArgumentError(f"max_depth of {func} must be a positive integer; got {max_depth!r}")


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


def _check_encoding(head: bytes, origin: str) -> None:
    """Refuse an XML declaration naming an encoding other than UTF-8, ASCII, latin-1 or UTF-16.

    expat decodes these itself; for any other name pyexpat would hand the bytes to a
    Python codec, which fails with ValueError (``shift_jis``: multi-byte) or
    UnicodeError (``punycode``, ``idna``) instead of a clear refusal.
    """
    encoding = declared_encoding(head)
    if encoding is not None and encoding not in READABLE_ENCODINGS:
        raise SBMLError(f"{origin} declares encoding={encoding[:40]!r}; rxnn reads SBML only in UTF-8 (or ASCII, "
                        "ISO-8859-1, UTF-16). Convert the file to UTF-8 and declare encoding=\"UTF-8\"")


def read_limited(path: Path, max_bytes: int, func: str, origin: str) -> bytes:
    """The bytes of ``path``, read at most ``max_bytes + 1`` at a time, so a device or pipe cannot exhaust memory."""
    try:
        check_file_size(path, max_bytes, func, SBMLError)  # fails early for regular files, names the size
    except FileNotFoundError:
        raise SBMLFileNotFoundError(f"{origin} is missing (no such file); check the path") from None
    except OSError as exc:
        raise SBMLError(f"cannot read {origin}: {exc.strerror or exc}") from None
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise SBMLError(f"cannot read {origin}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise SBMLError(f"{origin} is over the limit of {max_bytes:,} bytes of {func}; if it is trusted, raise "
                        "the limit (max_bytes=...)")
    return data


def feed(parser: expat.XMLParserType, source: Path | bytes, origin: str, max_bytes: int, func: str) -> None:
    """Parse the file or bytes ``source`` to the end, after checking its size against ``max_bytes``.

    Raises
    ------
    SBMLError
        If ``source`` is too large, not well-formed XML (with line and
        column), or declares an encoding other than UTF-8, ASCII, latin-1 or
        UTF-16; errors raised by the parser's handlers pass through unchanged.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise InvalidArgumentError(f"max_bytes of {func} must be a positive integer; got {max_bytes!r}")
    if isinstance(source, Path):
        source = read_limited(source, max_bytes, func, origin)
    elif len(source) > max_bytes:
        raise SBMLError(f"{origin} is {len(source):,} bytes, over the limit of {max_bytes:,} bytes of {func}; "
                        f"if it is trusted, raise the limit (max_bytes={len(source)})")
    _check_encoding(source[:600], origin)
    try:
        parser.Parse(source, True)
    except expat.ExpatError as exc:
        raise SBMLError(
            f"{origin} is not well-formed XML: {expat.ErrorString(exc.code)} at line {exc.lineno}, "
            f"column {exc.offset + 1}"
        ) from None
    except (LookupError, ValueError, UnicodeError) as exc:  # a codec pyexpat could not use
        if isinstance(exc, SBMLError):
            raise
        raise SBMLError(f"{origin} cannot be decoded ({type(exc).__name__}: {str(exc)[:100]}); use UTF-8") from None
