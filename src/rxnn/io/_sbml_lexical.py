"""The lexical rules of SBML attribute and MathML values (XML Schema 1.0 types), without Python's leniency.

Python's ``float``, ``int`` and ``str.isdigit`` accept text that SBML does
not: ``1_0`` (digit separators), Unicode digits such as ``²`` or ``١``,
``infinity``, surrounding non-XML whitespace. libSBML reads ``1_0`` as 1 and
reports the file invalid; rxnn used to read it as 10. Here every number,
boolean and identifier is matched against its XML Schema lexical form first
(SBML L3V2 §3.1: ``double``, ``int``, ``boolean``, ``SId``), after the
``collapse`` whitespace rule (only space, tab, CR and LF are stripped), and
anything else is a :class:`LexicalError` naming the text and the form.

Examples
--------
>>> xsd_double(" 1.5e3 "), xsd_double("-INF"), xsd_int("+42"), xsd_boolean("0")
(1500.0, -inf, 42, False)
>>> xsd_double("1_0")
Traceback (most recent call last):
...
rxnn.io._sbml_lexical.LexicalError: '1_0' is not an XML Schema double (digits 0-9, '.', an exponent, INF or NaN)
"""

from __future__ import annotations

import math
import re

__all__ = ["LexicalError", "xsd_double", "xsd_int", "xsd_boolean", "is_sid", "declared_encoding",
           "READABLE_ENCODINGS"]

_XML_SPACE = " \t\r\n"
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN", re.ASCII)
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_SID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
#: An xsd:double has at most this many characters here: enough for any double written in full (about 330
#: digits for the smallest subnormal), and it keeps ``float()`` on hostile text bounded.
_MAX_NUMBER_CHARS = 1000
#: The XML declaration's encodings that expat decodes itself (names compared case-insensitively).
READABLE_ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1",
                                "utf-16", "utf16"})
_DECLARATION = re.compile(rb"<\?xml[ \t\r\n][^>]{0,400}?encoding[ \t\r\n]*=[ \t\r\n]*([\"'])([^\"']{0,100})\1")


class LexicalError(ValueError):
    """Text that is not in the lexical space of its XML Schema type (internal: readers wrap it in SBMLError)."""

    __module__ = "rxnn.io._sbml_lexical"


def _collapse(text: str) -> str:
    return text.strip(_XML_SPACE)


def xsd_double(text: str) -> float:
    """The value of an XML Schema ``double`` (SBML ``double``): ``1``, ``-1.5E-3``, ``.5``, ``INF``, ``NaN``.

    Raises
    ------
    LexicalError
        For anything else: ``1_0``, Unicode digits, ``inf``, ``0x10``, ``1.5 m``, an empty string.
    """
    value = _collapse(text)
    if len(value) > _MAX_NUMBER_CHARS or not _DOUBLE.fullmatch(value):
        raise LexicalError(f"{_cut(text)!r} is not an XML Schema double (digits 0-9, '.', an exponent, INF or NaN)")
    if value.endswith("INF"):
        return -math.inf if value.startswith("-") else math.inf
    return float(value)  # the regex admits only forms float() reads; huge exponents give inf or 0


def xsd_int(text: str, *, lo: int = -(2**31), hi: int = 2**31 - 1) -> int:
    """The value of an XML Schema ``int`` (32-bit, ASCII digits with an optional sign), within ``[lo, hi]``.

    Raises
    ------
    LexicalError
        For other text (``²``, ``1_0``, ``3.0``) or a value out of range.
    """
    value = _collapse(text)
    if len(value) > 40 or not _INT.fullmatch(value):
        raise LexicalError(f"{_cut(text)!r} is not an XML Schema int (ASCII digits 0-9 with an optional sign)")
    number = int(value)
    if not lo <= number <= hi:
        raise LexicalError(f"{_cut(text)!r} is outside the range {lo} to {hi}")
    return number


def xsd_boolean(text: str) -> bool:
    """The value of an XML Schema ``boolean``: exactly ``true``, ``false``, ``1`` or ``0`` (``TRUE`` is not one).

    Raises
    ------
    LexicalError
        For any other text.
    """
    value = _collapse(text)
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise LexicalError(f"{_cut(text)!r} is not an XML Schema boolean (true, false, 1 or 0; case matters)")


def is_sid(text: str) -> bool:
    """Whether ``text`` is an SBML ``SId``: a letter or ``_``, then ASCII letters, digits and ``_``."""
    return bool(_SID.fullmatch(text))


def declared_encoding(head: bytes) -> str | None:
    """The ``encoding`` of the XML declaration at the start of ``head`` (lower case), or None if it declares none.

    A document starting with a UTF-16 byte order mark is "utf-16" whatever it declares
    (expat decodes UTF-16 itself).
    """
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if head[:3] == b"\xef\xbb\xbf":
        head = head[3:]
    match = _DECLARATION.match(head)
    return match.group(2).decode("latin-1").strip().lower() if match else None


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
