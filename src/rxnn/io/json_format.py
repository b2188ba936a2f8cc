"""A JSON form of reaction networks with initial concentrations.

Schema (version 1)::

    {
      "format": "rxnn-network",
      "version": 1,
      "species": ["X", "Y", "E"],
      "reactions": [
        {"reactants": {"X": 1, "E": 1}, "products": {"X": 2, "E": 1}, "rate": 1.5},
        {"reactants": {"X": 2}, "products": {"X": 1}, "rate": "k2"}
      ],
      "initial": {"X": 0.1, "E": 2.0}
    }

``species`` lists every species once, in order (each must appear in some
reaction, Def. 2.1); a reaction's ``reactants`` and ``products`` map species
to positive integer coefficients (``{}`` is the empty complex); ``rate`` is a
positive number or a parameter name, 1 when left out; ``initial`` (optional)
maps species to finite concentrations >= 0. Numbers are written so that they
read back exactly. Every file is checked entry by entry on reading, and
errors name the entry (``reactions[3].rate``).

Examples
--------
>>> from rxnn import ReactionNetwork
>>> net = ReactionNetwork.from_text("X + Y -> 2Y ; k1")
>>> data = to_json_dict(net, {"X": 1.0})
>>> data["reactions"]
[{'reactants': {'X': 1, 'Y': 1}, 'products': {'Y': 2}, 'rate': 'k1'}]
>>> from_json_dict(data) == (net, {"X": 1.0})
True
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from rxnn.crn.model import MAX_COEFFICIENT, PARAMETER_NAME, SPECIES_NAME
from rxnn.crn.network import NetworkError, ReactionNetwork
from rxnn.io.formats import MAX_BYTES, FormatError, check_initial, check_network, read_file_bytes, write_chunks

__all__ = [
    "NetworkJSONError",
    "FORMAT_NAME",
    "VERSION",
    "to_json_dict",
    "from_json_dict",
    "json_chunks",
    "write_json",
    "read_json",
]

FORMAT_NAME = "rxnn-network"
VERSION = 1
_KEYS = {"format", "version", "species", "reactions", "initial"}


class NetworkJSONError(FormatError):
    """A JSON document that is not a valid rxnn network; the message names the entry and the fix.

    Examples
    --------
    >>> try:
    ...     from_json_dict({"format": "rxnn-network"})
    ... except NetworkJSONError as exc:
    ...     print(isinstance(exc, ValueError))
    True
    """


def _reaction_dicts(network: ReactionNetwork) -> Iterator[dict[str, Any]]:
    for r in network.reactions:
        yield {"reactants": dict(r.reactants), "products": dict(r.products), "rate": r.rate}


def to_json_dict(network: ReactionNetwork, initial: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON form of ``network`` (and ``initial``) as plain Python data (see the module schema).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> data = to_json_dict(ReactionNetwork.from_text("A -> B ; 2"), {"A": 1.0})
    >>> data["species"], data["reactions"], data["initial"]
    (['A', 'B'], [{'reactants': {'A': 1}, 'products': {'B': 1}, 'rate': 2.0}], {'A': 1.0})
    """
    check_network(network, "to_json_dict")
    out = {
        "format": FORMAT_NAME,
        "version": VERSION,
        "species": list(network.species),
        "reactions": list(_reaction_dicts(network)),
    }
    values = check_initial(network, initial, "to_json_dict")
    if values:
        out["initial"] = values
    return out


def json_chunks(network: ReactionNetwork, initial: Mapping[str, Any] | None = None) -> Iterator[str]:
    """The JSON text of ``network`` as chunks, one reaction per line.

    Examples
    --------
    >>> import json
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("A -> B ; 2")
    >>> json.loads("".join(json_chunks(net))) == to_json_dict(net)
    True
    """
    check_network(network, "write_json")
    values = check_initial(network, initial, "write_json")
    return _generate(network, values)


def _generate(network: ReactionNetwork, values: dict[str, float]) -> Iterator[str]:
    dump = json.JSONEncoder(allow_nan=False).encode
    species = dump(list(network.species))
    yield f'{{"format": "{FORMAT_NAME}", "version": {VERSION},\n "species": {species},\n "reactions": [\n'
    batch = []
    for j, r in enumerate(_reaction_dicts(network)):
        batch.append(("  " if j == 0 else ",\n  ") + dump(r))
        if len(batch) >= 2000:
            yield "".join(batch)
            batch = []
    yield "".join(batch)
    yield "\n ]" + (f',\n "initial": {dump(values)}' if values else "") + "}\n"


def write_json(
    network: ReactionNetwork, path: str | os.PathLike[str], initial: Mapping[str, Any] | None = None
) -> Path:
    """Write ``network`` (and ``initial``) as an rxnn JSON file, atomically.

    Raises
    ------
    FormatError
        If ``initial`` names a species the network lacks or gives a bad value.

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("A -> B ; 2")
    >>> path = write_json(net, os.path.join(tempfile.mkdtemp(), "net.json"), {"A": 1.0})
    >>> read_json(path) == (net, {"A": 1.0})
    True
    """
    return write_chunks(path, json_chunks(network, initial))


# --------------------------------------------------------------------------- reading


class _DuplicateKey(Exception):
    """Raised inside the JSON decoder when an object repeats a key (caught by read_json)."""


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The object of ``pairs``, refusing a repeated key (json keeps the last one silently)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


# A valid network file spends at least 11 bytes per JSON array or object (the most compact reaction,
# {"reactants":{"A":1},"products":{}}, is 3 objects in 35 bytes); input denser than one per 10 bytes
# ("[[[[...", "{},{},...") is refused before decoding. Decoding then allocates at most about 25 bytes
# of Python objects per byte of file (measured: 22 for [{"abc":1},...], the densest input accepted).
_MIN_BYTES_PER_CONTAINER = 10


def _check_density(data: bytes, origin: str) -> None:
    """Refuse, before decoding, a file with more arrays/objects than any network file of its size."""
    opened = data.count(b"{") + data.count(b"[")
    if opened > len(data) // _MIN_BYTES_PER_CONTAINER + 16:
        raise NetworkJSONError(
            f"{origin} holds {opened:,} JSON arrays/objects in {len(data):,} bytes, more than one per "
            f"{_MIN_BYTES_PER_CONTAINER} bytes, which no network file needs; it is not an rxnn network file"
        )


def read_json(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES
) -> tuple[ReactionNetwork, dict[str, float]]:
    """Read an rxnn JSON network file.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int, default 200 MiB
        Larger files are refused: from their size for regular files, after
        ``max_bytes + 1`` bytes for devices and FIFOs.

    Returns
    -------
    network : ReactionNetwork
    initial : dict of str to float

    Raises
    ------
    NetworkJSONError
        If the file is too large, not JSON (with line and column), nested too
        deeply, repeats a key in an object (the key is named), or any entry
        breaks the schema (the entry is named), including numbers beyond the
        float range (``1e400``, a 400-digit integer) and coefficients above
        :data:`~rxnn.crn.model.MAX_COEFFICIENT`.

    Notes
    -----
    Memory is bounded by the file: at most ``max_bytes`` bytes are read, and a
    file with more than one array or object per 10 bytes is refused before
    decoding (the most compact network file has one per 11 bytes), so decoding
    builds at most about 25 bytes of Python objects per byte of file (22 measured
    for the densest accepted input, ``[{"abc":1},...]``).

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn import ReactionNetwork
    >>> path = write_json(ReactionNetwork.from_text("2X -> X ; 3"), os.path.join(tempfile.mkdtemp(), "n.json"))
    >>> read_json(path)
    (<ReactionNetwork: 1 species, 1 reactions>, {})
    """
    path = Path(path)
    origin = repr(str(path))
    data = read_file_bytes(path, max_bytes, "read_json", NetworkJSONError)
    _check_density(data, origin)
    try:
        parsed = json.loads(data, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise NetworkJSONError(
            f"{origin}: an object repeats the key {str(exc.args[0])[:80]!r}; give each key once"
        ) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise NetworkJSONError(f"{origin} is not valid JSON: {exc.msg} at {where}") from None
    except UnicodeDecodeError as exc:
        raise NetworkJSONError(f"{origin} is not UTF-8 text (byte {exc.start})") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits, NaN/Infinity constants
        raise NetworkJSONError(f"{origin} is not valid JSON: {exc}") from None
    except RecursionError:
        raise NetworkJSONError(f"{origin} nests arrays or objects too deeply to be a network file") from None
    except MemoryError:
        raise NetworkJSONError(f"{origin} is too large to decode in the memory available; lower its size") from None
    return from_json_dict(parsed, origin=origin)


def from_json_dict(data: Any, *, origin: str = "the JSON data") -> tuple[ReactionNetwork, dict[str, float]]:
    """Build ``(network, initial)`` from the JSON form (see the module schema), checking every entry.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("A + B -> 2B ; k")
    >>> from_json_dict(to_json_dict(net, {"B": 0.5})) == (net, {"B": 0.5})
    True
    """

    def fail(where: str, problem: str) -> NetworkJSONError:
        return NetworkJSONError(f"{origin}: {where} {problem}")

    if not isinstance(data, dict):
        raise fail("the top level", f"must be an object with keys {sorted(_KEYS)}; got {type(data).__name__}")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise fail("the top level", f"has unknown keys {unknown}; allowed keys: {sorted(_KEYS)}")
    if data.get("format") != FORMAT_NAME:
        raise fail('"format"', f"must be {FORMAT_NAME!r}; got {data.get('format')!r}")
    version = data.get("version")
    if version != VERSION or isinstance(version, bool):
        raise fail('"version"', f"must be {VERSION}; got {version!r} (a newer file needs a newer rxnn)")
    species = _species(data.get("species"), fail)
    index = {s: i for i, s in enumerate(species)}
    reactions = data.get("reactions")
    if not isinstance(reactions, list):
        raise fail('"reactions"', f"must be a list of reaction objects; got {type(reactions).__name__}")
    cells: tuple[list[int], list[int], list[int], list[int], list[int], list[int]] = ([], [], [], [], [], [])
    rates: list[Any] = []
    for j, r in enumerate(reactions):
        where = f"reactions[{j}]"
        if not isinstance(r, dict) or not {"reactants", "products"} <= set(r) <= {"reactants", "products", "rate"}:
            raise fail(where, 'must be an object with keys "reactants", "products" and optionally "rate"; '
                       f"got {r!r}"[:300])
        for side, (rows, cols, vals) in (("reactants", cells[:3]), ("products", cells[3:])):
            _complex(r[side], f"{where}.{side}", index, j, rows, cols, vals, fail)
        rates.append(_rate(r.get("rate", 1.0), f"{where}.rate", fail))
    mats = [
        sp.csc_matrix((np.array(cells[k + 2], dtype=np.int64), (np.array(cells[k], dtype=np.int64),
                       np.array(cells[k + 1], dtype=np.int64))), shape=(len(species), len(reactions)))
        for k in (0, 3)
    ]
    if all(isinstance(x, float) for x in rates):
        rates = np.array(rates, dtype=np.float64)
    try:
        network = ReactionNetwork.from_matrices(species, mats[0], mats[1], rates)
    except NetworkError as exc:
        raise NetworkJSONError(f"{origin} does not give a valid reaction network: {exc}") from None
    return network, _initial(data.get("initial", {}), index, fail)


def _species(value: Any, fail: Any) -> list[str]:
    if not isinstance(value, list):
        raise fail('"species"', f"must be a list of species names; got {type(value).__name__}")
    seen: set[str] = set()
    for i, s in enumerate(value):
        if not isinstance(s, str) or not SPECIES_NAME.match(s):
            raise fail(f"species[{i}]", "must be a species name (a letter, then letters, digits, '_' or \"'\"); "
                       f"got {s!r}")
        if s in seen:
            raise fail(f"species[{i}]", f"repeats {s!r}; list each species once")
        seen.add(s)
    return value


def _complex(
    value: Any, where: str, index: dict[str, int], j: int, rows: list, cols: list, vals: list, fail: Any
) -> None:
    if not isinstance(value, dict):
        raise fail(where, f"must be an object of species to coefficients ({{}} for the empty complex); got {value!r}")
    for name, coef in value.items():
        if name not in index:
            raise fail(f"{where}[{name!r}]", 'names a species missing from "species"; add it there')
        if isinstance(coef, bool) or not isinstance(coef, int) or not 1 <= coef <= MAX_COEFFICIENT:
            raise fail(f"{where}[{name!r}]", "must be a positive integer coefficient (at most MAX_COEFFICIENT = "
                       f"{MAX_COEFFICIENT}); got {_short(coef)}")
        rows.append(index[name])
        cols.append(j)
        vals.append(coef)


def _rate(value: Any, where: str, fail: Any) -> float | str:
    if isinstance(value, str):
        if not PARAMETER_NAME.match(value):
            raise fail(where, "must be a positive number or a parameter name (a letter, then letters, digits, '_'); "
                       f"got {value!r}")
        return value
    number = _finite_float(value)
    if number is None or number <= 0:
        raise fail(where, f"must be a positive finite number or a parameter name; got {_short(value)}")
    return number


def _initial(value: Any, index: dict[str, int], fail: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise fail('"initial"', f"must be an object of species to concentrations; got {type(value).__name__}")
    out = {}
    for name, v in value.items():
        if name not in index:
            raise fail(f"initial[{name!r}]", 'names a species missing from "species"')
        number = _finite_float(v)
        if number is None or number < 0:
            raise fail(f"initial[{name!r}]", f"must be a finite concentration >= 0; got {_short(v)}")
        out[name] = number
    return out


def _finite_float(value: Any) -> float | None:
    """``value`` as a finite float, or None if it is not a real number in the float range (10**400 is not)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _short(value: Any) -> str:
    """``repr(value)`` cut to a readable length (a 400-digit integer is not echoed whole)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:16]}... ({len(text)} characters)"
