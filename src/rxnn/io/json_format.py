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

from rxnn.crn.model import PARAMETER_NAME, SPECIES_NAME
from rxnn.crn.network import NetworkError, ReactionNetwork
from rxnn.io.formats import MAX_BYTES, FormatError, check_file_size, check_initial, check_network, write_chunks

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
_MAX_COEFFICIENT = 10**6


class NetworkJSONError(FormatError):
    """A JSON document that is not a valid rxnn network; the message names the entry and the fix."""


def _reaction_dicts(network: ReactionNetwork) -> Iterator[dict[str, Any]]:
    for r in network.reactions:
        yield {"reactants": dict(r.reactants), "products": dict(r.products), "rate": r.rate}


def to_json_dict(network: ReactionNetwork, initial: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON form of ``network`` (and ``initial``) as plain Python data (see the module schema)."""
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
    """The JSON text of ``network`` as chunks, one reaction per line."""
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
    """
    return write_chunks(path, json_chunks(network, initial))


# --------------------------------------------------------------------------- reading


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES
) -> tuple[ReactionNetwork, dict[str, float]]:
    """Read an rxnn JSON network file.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int, default 200 MiB
        Larger files are refused before reading.

    Returns
    -------
    network : ReactionNetwork
    initial : dict of str to float

    Raises
    ------
    NetworkJSONError
        If the file is too large, not JSON (with line and column), nested too
        deeply, or any entry breaks the schema (the entry is named).
    """
    path = Path(path)
    check_file_size(path, max_bytes, "read_json", NetworkJSONError)
    origin = repr(str(path))
    try:
        data = json.loads(path.read_bytes(), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise NetworkJSONError(f"{origin} is not valid JSON: {exc.msg} at {where}") from None
    except UnicodeDecodeError as exc:
        raise NetworkJSONError(f"{origin} is not UTF-8 text (byte {exc.start})") from None
    except ValueError as exc:
        raise NetworkJSONError(f"{origin} is not valid JSON: {exc}") from None
    except RecursionError:
        raise NetworkJSONError(f"{origin} nests arrays or objects too deeply to be a network file") from None
    return from_json_dict(data, origin=origin)


def from_json_dict(data: Any, *, origin: str = "the JSON data") -> tuple[ReactionNetwork, dict[str, float]]:
    """Build ``(network, initial)`` from the JSON form (see the module schema), checking every entry."""

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
        if isinstance(coef, bool) or not isinstance(coef, int) or not 1 <= coef <= _MAX_COEFFICIENT:
            raise fail(f"{where}[{name!r}]", f"must be a positive integer coefficient (at most {_MAX_COEFFICIENT}); "
                       f"got {coef!r}")
        rows.append(index[name])
        cols.append(j)
        vals.append(coef)


def _rate(value: Any, where: str, fail: Any) -> float | str:
    if isinstance(value, str):
        if not PARAMETER_NAME.match(value):
            raise fail(where, "must be a positive number or a parameter name (a letter, then letters, digits, '_'); "
                       f"got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value <= 0:
        raise fail(where, f"must be a positive finite number or a parameter name; got {value!r}")
    return float(value)


def _initial(value: Any, index: dict[str, int], fail: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise fail('"initial"', f"must be an object of species to concentrations; got {type(value).__name__}")
    out = {}
    for name, v in value.items():
        if name not in index:
            raise fail(f"initial[{name!r}]", 'names a species missing from "species"')
        if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v) or v < 0:
            raise fail(f"initial[{name!r}]", f"must be a finite concentration >= 0; got {v!r}")
        out[name] = float(v)
    return out
