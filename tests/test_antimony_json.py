"""Tests of rxnn.io.antimony, rxnn.io.json_format and the format table rxnn.io.formats."""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np
import pytest

from reference_networks import EXAMPLE_2_2, EXAMPLE_2_3, EXAMPLE_5_2, NETWORK_17
from rxnn import ReactionNetwork, TextSyntaxError
from rxnn.compile import compile_network
from rxnn.io.antimony import (
    ANTIMONY_RESERVED,
    AntimonyError,
    antimony_string,
    read_antimony,
    read_antimony_string,
    write_antimony,
)
from rxnn.io.formats import FORMATS, FormatError, format_for, network_chunks, read_network, write_network
from rxnn.io.json_format import NetworkJSONError, from_json_dict, read_json, to_json_dict, write_json
from rxnn.io.sbml import SBMLError
from rxnn.nn import FeedForwardNetwork, PolynomialActivation, SmoothReLU

NETWORKS = {
    "example_2_2": EXAMPLE_2_2,
    "example_2_3": EXAMPLE_2_3,
    "example_5_2": EXAMPLE_5_2,
    "network_17": NETWORK_17,
    "primes": "X' + X'' -> 2X'' ; 0.25\nX'' -> X_prime ; 1e-7\nX_prime -> X' ; kf\n0 -> X'",
    "keywords": "time + in -> 2in ; 1.5\nexp -> time\nspecies + const -> 0 ; k1\nJ0 + k0 -> 0",
    "high_order": "3A + 2B -> C ; 123.456\nC -> 0",
}


def compiled_network(absorb=False, q=2):
    activation = SmoothReLU(1.0) if q == 2 else PolynomialActivation(q, 0.5)
    ffn = FeedForwardNetwork.random([5, 4, 3], activation, seed=3)
    c = compile_network(ffn, absorb_enzymes=absorb)
    return c.network, c.initial_state(np.linspace(0.1, 0.9, 5))


# --------------------------------------------------------------------------- Antimony, writing


def test_antimony_text_layout():
    net = ReactionNetwork.from_text("X + E -> 2X + E ; 1.5\n2X -> X ; k2\n0 -> X'")
    text = antimony_string(net, {"X": 0.1, "E": 2.0})
    body = text.split("model rxnn_network\n")[1]
    assert body == (
        "  compartment cell = 1;\n"
        "  species X in cell;\n"
        "  const species E in cell;\n"
        "  species X_prime in cell;\n"
        "  J0: X + E => 2 X + E; k_0*X*E;\n"
        "  J1: 2 X => X; k2*X^2;\n"
        "  J2: => X_prime; k_2;\n"
        "  k_0 = 1.5;\n"
        "  k_2 = 1.0;\n"
        "  X = 0.1;\n"
        "  E = 2.0;\n"
        '  X_prime is "X\'";\n'
        "end\n"
    )
    assert text.startswith("// Written by rxnn")


def test_antimony_ids_avoid_keywords_and_collisions():
    text = antimony_string(ReactionNetwork.from_text(NETWORKS["keywords"]))
    for line in ("species time_ in cell;", "species in_ in cell;", "species species_ in cell;",
                 'time_ is "time";', "J_0: time_ + in_ => 2 in_; k_0*time_*in_;", "J_2: species_ + const_ =>; k1*species_*const_;"):
        assert line in text, line


@pytest.mark.parametrize(
    "text, kwargs, match",
    [
        ("X -> 0 ; time", {}, r"rate parameter\(s\) time: Antimony reads them as keywords"),
        ("X -> Y ; X", {}, r"rate parameter\(s\) X: a parameter has the name of a species"),
        ("X -> 0", {"model_id": "model"}, "model_id of write_antimony must be an identifier"),
        ("X -> 0", {"model_id": "a b"}, "model_id of write_antimony must be an identifier"),
    ],
)
def test_antimony_writer_refusals(tmp_path, text, kwargs, match):
    with pytest.raises(AntimonyError, match=match):
        write_antimony(ReactionNetwork.from_text(text), tmp_path / "m.ant", **kwargs)
    assert not os.listdir(tmp_path)


def test_antimony_writer_checks_initial(tmp_path):
    with pytest.raises(FormatError, match=r"initial\['X'\] of write_antimony must be one finite"):
        write_antimony(ReactionNetwork.from_text("X -> 0"), tmp_path / "m.ant", {"X": -2.0})


# --------------------------------------------------------------------------- Antimony, reading (needs the package)


@pytest.fixture
def antimony():
    return pytest.importorskip("antimony")


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_antimony_round_trip_preserves_the_odes(antimony, tmp_path, name):
    net = ReactionNetwork.from_text(NETWORKS[name])
    initial = {s: 0.125 * (i + 1) for i, s in enumerate(net.species)}
    back, back_initial = read_antimony(write_antimony(net, tmp_path / "m.ant", initial))
    assert back == net
    assert back.species == net.species
    assert back.odes() == net.odes()
    assert back_initial == initial


@pytest.mark.parametrize("absorb, q", [(False, 2), (False, 3), (True, 2)])
def test_antimony_round_trip_of_compiled_networks(antimony, absorb, q):
    net, initial = compiled_network(absorb, q)
    back, back_initial = read_antimony_string(antimony_string(net, initial))
    if absorb:  # the antimony library keeps 15 significant digits of the absorbed rate constants
        assert back.odes().keys() == net.odes().keys()
        np.testing.assert_allclose([float(r) for r in back.rates], [float(r) for r in net.rates], rtol=1e-14)
    else:
        assert back == net and back.odes() == net.odes()
    assert back_initial.keys() == initial.keys()
    assert all(back_initial[s] == pytest.approx(v, rel=1e-14, abs=0) for s, v in initial.items())


def test_every_reserved_word_survives_the_antimony_package(antimony):
    names = sorted(n for n in ANTIMONY_RESERVED if n[0].isalpha())
    net = ReactionNetwork.from_text("\n".join(f"{n} -> X" for n in names))
    back, _ = read_antimony_string(antimony_string(net))
    assert back == net


def test_antimony_models_written_elsewhere(antimony):
    text = """
    model other
      compartment c = 1;
      species A in c, B in c, $S in c, E in c;
      J1: $S -> A; k1*S*E;
      J2: A -> 2 B; kf*A - kr*B^2;
      A = 1; B = 0; S = 10; E = 0.5;
      k1 = 0.1; kf = 2; kr = 0.25;
    end
    """
    net, initial = read_antimony_string(text)
    assert net == ReactionNetwork.from_text("S + E -> S + E + A ; 0.1\nA -> 2B ; 2\n2B -> A ; 0.25")
    assert initial == {"A": 1.0, "B": 0.0, "S": 10.0, "E": 0.5}


def test_antimony_read_errors(antimony, tmp_path):
    with pytest.raises(AntimonyError, match="the antimony package cannot read the text"):
        read_antimony_string("model m\n  J0: A -> ; k*\nend\n")
    with pytest.raises(SBMLError, match="reaction 'J0'.*Km \\+ A"):
        read_antimony_string("model m\n  J0: A -> B; Vm*A/(Km + A);\n  A = 1; Vm = 1; Km = 1;\nend\n")
    with pytest.raises(SBMLError, match="event 'E0'"):
        read_antimony_string("model m\n  J0: A -> B; k*A;\n  E0: at time > 1: A = 2;\n  k = 1; A = 1;\nend\n")
    path = tmp_path / "big.ant"
    path.write_text("model m\nend\n" + "// padding\n" * 20)
    with pytest.raises(AntimonyError, match="over the limit of 50 bytes of read_antimony"):
        read_antimony(path, max_bytes=50)
    path.write_bytes(b"model m\n\xff\xfe\nend\n")
    with pytest.raises(AntimonyError, match="not UTF-8"):
        read_antimony(path)
    with pytest.raises(TypeError, match="text of read_antimony_string must be a str"):
        read_antimony_string(b"model m end")


NOT_RXNN_FORM = "model m\n  J0: A -> ; A;\nend\n"  # a reversible arrow: outside the subset rxnn writes


def test_antimony_runs_with_a_deadline_and_survives_crashes(antimony, monkeypatch):
    slow = "model m\n  J0: A -> ; k*(" + "+".join(["A"] * 100_000) + ");\n  k = 1; A = 1;\nend\n"
    start = time.perf_counter()
    with pytest.raises(AntimonyError, match="did not convert the text within 1 s.*raise timeout="):
        read_antimony_string(slow, timeout=1)
    assert time.perf_counter() - start < 10
    import rxnn.io.antimony as module

    monkeypatch.setattr(module, "_CHILD", "import os\nos.abort()")
    with pytest.raises(AntimonyError, match=r"crashed \(signal 6\)"):
        read_antimony_string(NOT_RXNN_FORM)
    with pytest.raises(ValueError, match="timeout of read_antimony_string must be a positive number"):
        read_antimony_string("model m\nend\n", timeout=0)


def test_reading_antimony_without_the_package_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "antimony", None)
    with pytest.raises(ImportError, match="pip install antimony"):
        read_antimony_string(NOT_RXNN_FORM)
    # rxnn's own form needs no package
    assert read_antimony_string("model m\nend\n") == (ReactionNetwork([]), {})


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_json_round_trip(tmp_path, name):
    net = ReactionNetwork.from_text(NETWORKS[name])
    initial = {s: 1 / (i + 3) for i, s in enumerate(net.species)}
    back, back_initial = read_json(write_json(net, tmp_path / "m.json", initial))
    assert back == net and back.species == net.species and back.rates == net.rates
    assert back_initial == initial


def test_json_round_trip_of_a_compiled_network(tmp_path):
    net, initial = compiled_network(absorb=True)
    back, back_initial = read_json(write_json(net, tmp_path / "m.json", initial))
    assert back == net and back.odes() == net.odes() and back_initial == initial


def test_json_layout_is_the_documented_schema(tmp_path):
    net = ReactionNetwork.from_text("X + Y -> 2Y\nY -> 0 ; k2")
    path = write_json(net, tmp_path / "m.json", {"X": 1.0})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {
        "format": "rxnn-network", "version": 1, "species": ["X", "Y"],
        "reactions": [{"reactants": {"X": 1, "Y": 1}, "products": {"Y": 2}, "rate": 1.0},
                      {"reactants": {"Y": 1}, "products": {}, "rate": "k2"}],
        "initial": {"X": 1.0},
    }
    assert data == to_json_dict(net, {"X": 1.0})
    assert len(path.read_text(encoding="utf-8").splitlines()) == 7  # one reaction per line
    assert "initial" not in to_json_dict(net)


def _valid():
    return {"format": "rxnn-network", "version": 1, "species": ["X", "Y"],
            "reactions": [{"reactants": {"X": 1}, "products": {"Y": 2}, "rate": 0.5},
                          {"reactants": {"Y": 1}, "products": {}}],
            "initial": {"X": 1.0}}


def test_json_rate_defaults_to_one():
    net, initial = from_json_dict(_valid())
    assert net == ReactionNetwork.from_text("X -> 2Y ; 0.5\nY -> 0") and initial == {"X": 1.0}


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return data
    return change


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda d: [d], "the top level must be an object"),
        (_set(["extra"], 1), r"unknown keys \['extra'\]"),
        (_set(["format"], "sbml"), "\"format\" must be 'rxnn-network'; got 'sbml'"),
        (_set(["version"], 2), "\"version\" must be 1; got 2 .a newer file needs a newer rxnn"),
        (_set(["version"], True), "\"version\" must be 1; got True"),
        (_set(["species"], "X Y"), '"species" must be a list'),
        (_set(["species", 0], "1X"), r"species\[0\] must be a species name"),
        (_set(["species", 1], "X"), r"species\[1\] repeats 'X'"),
        (_set(["reactions"], {}), '"reactions" must be a list'),
        (_set(["reactions", 0], "X -> Y"), r"reactions\[0\] must be an object with keys"),
        (_set(["reactions", 0, "products"], KeyError), r"reactions\[0\] must be an object with keys"),
        (_set(["reactions", 0, "kinetics"], "mm"), r"reactions\[0\] must be an object with keys"),
        (_set(["reactions", 1, "reactants"], ["Y"]), r"reactions\[1\].reactants must be an object of species"),
        (_set(["reactions", 0, "reactants", "X"], 0), r"reactions\[0\].reactants\['X'\] must be a positive integer"),
        (_set(["reactions", 0, "reactants", "X"], 1.5), r"must be a positive integer coefficient .*; got 1.5"),
        (_set(["reactions", 0, "reactants", "X"], True), r"must be a positive integer coefficient .*; got True"),
        (_set(["reactions", 0, "reactants", "X"], 10**30), r"at most MAX_COEFFICIENT = 1000000\); got 10000"),
        (_set(["reactions", 0, "products", "Z"], 1), r"reactions\[0\].products\['Z'\] names a species missing"),
        (_set(["reactions", 0, "rate"], -1), r"reactions\[0\].rate must be a positive finite number"),
        (_set(["reactions", 0, "rate"], 0), r"reactions\[0\].rate must be a positive finite number"),
        (_set(["reactions", 0, "rate"], False), r"reactions\[0\].rate must be a positive finite number"),
        (_set(["reactions", 0, "rate"], "k'"), r"reactions\[0\].rate must be a positive number or a parameter name"),
        (_set(["initial"], [1.0]), '"initial" must be an object'),
        (_set(["initial", "X"], -1.0), r"initial\['X'\] must be a finite concentration >= 0"),
        (_set(["initial", "Z"], 1.0), r"initial\['Z'\] names a species missing"),
        (_set(["species"], ["X", "Y", "Z"]), "species Z appear in no reaction"),
        (_set(["reactions", 1, "products"], {"Y": 1}), "goes from a complex to itself"),
    ],
)
def test_json_schema_violations_name_the_entry(change, match):
    with pytest.raises(NetworkJSONError, match=match):
        from_json_dict(change(_valid()))


@pytest.mark.parametrize(
    "content, match",
    [
        (b'{"format": "rxnn-network",\n "version": 1,\n "species": [}', "is not valid JSON: Expecting value at line 3, column 14"),
        (b'{"format": "rxnn-network", "version": 1, "species": ["X"], "reactions": [{"reactants": {"X": 1}, '
         b'"products": {}, "rate": NaN}]}', "NaN is not a number JSON allows"),
        (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "holds 100,000 JSON arrays/objects in 700,001 bytes"),
        (b'{"a":        ' * 100_000 + b"1" + b"}" * 100_000, "nests arrays or objects too deeply"),
        (b"\xff\xfe{}", "not UTF-8|not valid JSON"),
        (b"", "not valid JSON"),
    ],
)
def test_bad_json_files(tmp_path, content, match):
    path = tmp_path / "m.json"
    path.write_bytes(content)
    with pytest.raises(NetworkJSONError, match=match):
        read_json(path)


def test_json_size_limit(tmp_path):
    path = write_json(ReactionNetwork.from_text("X -> 0"), tmp_path / "m.json")
    with pytest.raises(NetworkJSONError, match="over the limit of 10 bytes of read_json"):
        read_json(path, max_bytes=10)


# --------------------------------------------------------------------------- the format table


@pytest.mark.parametrize(
    "path, name", [("a.xml", "sbml"), ("A.SBML", "sbml"), ("m.ant", "antimony"), ("m.antimony", "antimony"),
                   ("n.json", "json"), ("n.txt", "text"), ("n.crn", "text"), ("dir.v2/net.xml", "sbml")],
)
def test_formats_by_extension(path, name):
    assert format_for(path).name == name
    assert format_for("whatever.bin", name) is FORMATS[name]


def test_unknown_formats_list_the_valid_ones():
    with pytest.raises(FormatError, match="unknown network format 'cellml'; valid formats: sbml, antimony, json, text"):
        format_for("m.xml", "cellml")
    with pytest.raises(FormatError, match=r"cannot tell the format of 'm.bin'.*\.xml \(sbml\)"):
        format_for("m.bin")
    with pytest.raises(FormatError, match="give a format name"):
        format_for()


@pytest.mark.parametrize("ext", [".xml", ".json", ".ant"])
def test_write_and_read_network_through_the_table(tmp_path, ext):
    if ext == ".ant":
        pytest.importorskip("antimony")
    net = ReactionNetwork.from_text(EXAMPLE_5_2).with_rates(k1=2.0, k2=0.5)
    initial = {s: 1.0 for s in net.species}
    path = write_network(net, tmp_path / f"m{ext}", initial)
    assert read_network(path) == (net, initial)


def test_text_format_holds_no_concentrations(tmp_path):
    net = ReactionNetwork.from_text(EXAMPLE_2_3)
    path = write_network(net, tmp_path / "m.txt")
    assert path.read_text(encoding="utf-8") == net.to_text()
    assert read_network(path) == (net, {})
    assert "".join(network_chunks(net, "text")) == net.to_text()
    with pytest.raises(FormatError, match="the text format holds no initial concentrations.*sbml, antimony, json"):
        write_network(net, tmp_path / "n.txt", {"X1": 1.0})
    path.write_text("X -> -> Y\n")
    with pytest.raises(TextSyntaxError, match="line 1"):
        read_network(path)
    path.write_bytes(b"\xff -> X")
    with pytest.raises(FormatError, match="not UTF-8"):
        read_network(path)
