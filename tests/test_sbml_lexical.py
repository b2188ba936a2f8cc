"""SBML values follow the XML Schema lexical rules; ids, duplicates and encodings are checked (issue 11).

The truth here is the SBML L3V2 specification (§3.1: double, int, boolean, SId; one <math> per element;
unique SIds) and the XML Schema 1.0 lexical spaces it refers to; libSBML agrees on each case where it is
checked below.
"""

from __future__ import annotations

import pytest

from rxnn import ReactionNetwork
from rxnn.errors import RxnnError
from rxnn.io._sbml_lexical import LexicalError, declared_encoding, is_sid, xsd_boolean, xsd_double, xsd_int
from rxnn.io.sbml import SBMLError, read_sbml, read_sbml_string, sbml_string
from test_sbml import ap, ci, cn, document, param, reaction, species

A_TO_0 = reaction("r", [("A", 1)], [], ap("times", ci("k"), ci("A")))


def _refused(text, *parts):
    with pytest.raises(SBMLError) as info:
        read_sbml_string(text)
    for part in parts:
        assert part in str(info.value), str(info.value)
    return str(info.value)


@pytest.mark.parametrize("text, value", [("1", 1.0), (" -1.5E-3\n", -1.5e-3), (".5", 0.5), ("5.", 5.0),
                                         ("+INF", float("inf")), ("-INF", float("-inf")), ("1e400", float("inf"))])
def test_xsd_double_accepts_its_lexical_space(text, value):
    assert xsd_double(text) == value


@pytest.mark.parametrize("text", ["1_0", "١", "²", "inf", "Infinity", "nan", "0x10", "1.5 m", "", " ", "1e", "--1",
                                  "1\u00a0", "\u20071"])
def test_xsd_double_refuses_what_python_float_would_take(text):
    with pytest.raises(LexicalError, match="is not an XML Schema double"):
        xsd_double(text)


def test_xsd_int_boolean_and_sid():
    assert xsd_int("+42") == 42 and xsd_int(" -7 ") == -7
    for bad in ("²", "1_0", "3.0", "", "2147483648"):
        with pytest.raises(LexicalError):
            xsd_int(bad)
    assert (xsd_boolean("true"), xsd_boolean("1"), xsd_boolean(" false "), xsd_boolean("0")) == (True, True, False, False)
    for bad in ("TRUE", "True", "yes", "", "01"):
        with pytest.raises(LexicalError, match="not an XML Schema boolean"):
            xsd_boolean(bad)
    assert is_sid("_a1") and is_sid("X_prime") and not is_sid("1a") and not is_sid("a-b") and not is_sid("é")
    assert declared_encoding(b'<?xml version="1.0" encoding="Shift_JIS"?>') == "shift_jis"
    assert declared_encoding(b"\xff\xfe<\x00?\x00") == "utf-16" and declared_encoding(b"<sbml/>") is None


@pytest.mark.parametrize(
    "change, parts",
    [
        (lambda t: t.replace('initialConcentration="1"', 'initialConcentration="1_0"'),
         ["species 'A' (line 3): the attribute initialConcentration: '1_0' is not an XML Schema double"]),
        (lambda t: t.replace('initialConcentration="1"', 'initialConcentration="\u0661"'),
         ["initialConcentration: '\u0661' is not an XML Schema double"]),
        (lambda t: t.replace('boundaryCondition="false"', 'boundaryCondition="TRUE"'),
         ["species 'A' (line 3): the attribute boundaryCondition: 'TRUE' is not an XML Schema boolean"]),
        (lambda t: t.replace("<ci> k </ci><ci> A </ci>", "<ci> k </ci><ci> A </ci>" + cn("1_0")),
         ["reaction 'r', <cn> (line 3): the number '1_0' is not valid"]),
        (lambda t: t.replace("<ci> k </ci><ci> A </ci>", "<ci> k </ci><ci> A </ci>" + cn("10", "integer")
                             .replace(" 10 ", " 1" + "0" * 400 + " ")), ["is not an XML Schema int"]),
        (lambda t: t.replace('<species id="A"', '<species id="1A"'), ["has the id '1A', which is not an SBML id"]),
        (lambda t: t.replace('<parameter id="k"', '<parameter id="A"'),
         ["<parameter> (line 3) has the id 'A', already used at line 3; SBML ids must be unique"]),
        (lambda t: t.replace("</math>", "</math><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><cn> 2 </cn></math>"),
         ["<kineticLaw> (line 3) has a second <math>"]),
        (lambda t: t.replace("</kineticLaw>", "</kineticLaw><kineticLaw/>"), ["has a second <kineticLaw>"]),
        (lambda t: t.replace('value="1"', 'value="1e400"'), ["rate constant is inf"]),
        (lambda t: t.replace('initialConcentration="1"', 'initialConcentration="1e400"'),
         ["initial value inf; concentrations must be finite"]),
    ],
)
def test_malformed_values_ids_and_duplicates_are_errors_naming_element_and_line(change, parts):
    _refused(change(document([species("A", 1)], [A_TO_0], parameters=param("k", 1))), *parts)


def test_duplicate_attributes_are_not_well_formed():
    text = document([species("A", 1)], [A_TO_0], parameters=param("k", 1)).replace(
        'initialConcentration="1"', 'initialConcentration="1" initialConcentration="2"')
    _refused(text, "not well-formed XML: duplicate attribute at line 3")


@pytest.mark.parametrize("encoding", ["shift_jis", "punycode", "idna", "utf-7", "cp037", "bogus"])
def test_encodings_other_than_utf8_latin1_and_utf16_are_refused(encoding, tmp_path):
    text = document([species("A", 1)], [A_TO_0], parameters=param("k", 1)).replace("UTF-8", encoding)
    _refused(text, f"declares encoding={encoding!r}; rxnn reads SBML only in UTF-8")
    path = tmp_path / "m.xml"
    path.write_bytes(text.encode("ascii"))
    with pytest.raises(SBMLError, match="rxnn reads SBML only in UTF-8"):
        read_sbml(path)


@pytest.mark.parametrize("encoding, codec", [("ISO-8859-1", "latin-1"), ("US-ASCII", "ascii"), ("UTF-16", "utf-16")])
def test_encodings_expat_decodes_are_read(encoding, codec):
    net = ReactionNetwork.from_text("A -> 0 ; 2")
    text = sbml_string(net, {"A": 1.0}).replace('encoding="UTF-8"', f'encoding="{encoding}"')
    assert read_sbml_string(text.encode(codec)) == (net, {"A": 1.0})


@pytest.mark.parametrize("level", ["\u00b2", "\u0663", "3.0", "3_0", "", "99999999999"])
def test_level_must_be_ascii_digits(level):
    text = document([species("A", 1)], [A_TO_0], parameters=param("k", 1)).replace('level="3"', f'level="{level}"')
    with pytest.raises(SBMLError, match="no valid level attribute"):
        read_sbml_string(text)


def test_no_python_exception_escapes_for_the_examples_of_issue_11(tmp_path):
    # Each is refused with an rxnn error (SBMLError is an RxnnError and a ValueError).
    examples = [
        b'<?xml version="1.0" encoding="shift_jis"?><sbml level="3"/>',
        b'<?xml version="1.0" encoding="punycode"?><sbml level="3"/>',
        b'<?xml version="1.0" encoding="idna"?><sbml level="3"/>',
        '<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="\u00b2" version="2"/>'.encode(),
        document([species("A", 1)], [A_TO_0], parameters=param("k", "1" + "0" * 400)).encode(),
        document([species("A", 1)], [reaction("r", [("A", 1)], [], ap("power", ci("A"), cn("1e400")))]).encode(),
        document([species("A", 1)], [reaction("r", [("A", 2 ** 63)], [], ap("times", ci("A")))]).encode(),
        document([species("A", 1)], [reaction("r", [("A", 1)], [], cn("1 <sep/> 0", "rational"))]).encode(),
    ]
    for data in examples:
        with pytest.raises(SBMLError) as info:
            read_sbml_string(data)
        assert isinstance(info.value, RxnnError) and isinstance(info.value, ValueError)
    with pytest.raises(SBMLError, match="no such file") as info:
        read_sbml(tmp_path / "nope.xml")
    assert isinstance(info.value, FileNotFoundError)


def test_devices_are_refused_without_reading_past_the_limit():
    # Either refusal is bounded: a device is refused as not a regular file, or read up to the limit.
    with pytest.raises(SBMLError, match="over the limit of 1,000 bytes of read_sbml|is not a regular file"):
        read_sbml("/dev/zero", max_bytes=1000)
