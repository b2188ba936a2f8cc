"""Antimony text for reaction networks: written by hand, read by rxnn (its own form) or the ``antimony`` package.

Antimony is the human-readable model language of Tellurium. :func:`write_antimony`
needs no dependency and writes, for example::

    // Written by rxnn 0.1.0 ...
    model rxnn_network
      compartment cell = 1;
      species X in cell;
      const species E in cell;
      J0: X + E => 2 X + E; k0*X*E;
      k0 = 1.5;
      X = 0.1;
      E = 2.0;
    end

The conventions are those of :mod:`rxnn.io.sbml`: one compartment of size 1;
enzymatic species (Def. 5.1) are ``const`` (boundary) species; every
reaction ``J<j>`` is irreversible (``=>``) with the mass-action law of eq. (2)
and the rate constant ``k<j>``, or its parameter name when the rate is named
(then declared without a value, to be set before simulating). Species ids are
those of :func:`rxnn.io.sbml.sbml_ids`, and a species whose name is an
Antimony keyword or function (``time``, ``exp``, ``in``, ...) gets a trailing
``_``; both keep their rxnn name as display name (``X_prime is "X'"``), which
:func:`rxnn.io.sbml.read_sbml` restores.

:func:`read_antimony` first refuses any ``import`` statement (the antimony
package would read the named file and echo it in its errors), naming its line
and reading nothing. Text in the exact form :func:`write_antimony` writes is
then read by rxnn's own linear-time reader (:mod:`rxnn.io._antimony_read`:
the 64 000 reactions of a compiled 784-40-10 network in seconds, where the
antimony package needs about 30 minutes); anything else is converted to SBML
with the ``antimony`` package (``pip install antimony``) and read with
:func:`rxnn.io.sbml.read_sbml_string` (through the same XML guard), so the same
mass-action rules and refusals apply either way. The library runs in a child
process (isolated mode, in an empty working folder) with a deadline
(``timeout=``), because its time grows quadratically with the model and
hostile text can keep it busy indefinitely. It keeps numbers to 15
significant digits, so values read back through it agree with what was
written to about 1e-15 relative; rxnn's own reader reads them exactly.
:func:`write_antimony` warns (:class:`AntimonyWarning`) above
:data:`SLOW_READ_REACTIONS` reactions, where third-party readers get slow.

Examples
--------
>>> from rxnn import ReactionNetwork
>>> net = ReactionNetwork.from_text("X + E -> 2X + E ; 1.5")
>>> print(antimony_string(net, {"X": 0.1}).split("model rxnn_network\\n")[1])
  compartment cell = 1;
  species X in cell;
  const species E in cell;
  J0: X + E => 2 X + E; k0*X*E;
  k0 = 1.5;
  X = 0.1;
end
<BLANKLINE>
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from numbers import Real
from pathlib import Path
from typing import Any

from rxnn.crn.network import ReactionNetwork
from rxnn.errors import InvalidArgumentError
from rxnn.io._antimony_read import read_rxnn_subset, refuse_imports
from rxnn.io._sbml_build import build
from rxnn.io._sbml_write import _free, _num
from rxnn.io.formats import MAX_BYTES, FormatError, check_file_size, check_initial, check_network, write_chunks
from rxnn.io.sbml import MAX_DEPTH, SBMLWarning, read_sbml_string, sbml_ids

__all__ = [
    "AntimonyError",
    "AntimonyWarning",
    "SLOW_READ_REACTIONS",
    "ANTIMONY_RESERVED",
    "antimony_chunks",
    "antimony_string",
    "write_antimony",
    "read_antimony",
    "read_antimony_string",
    "TIMEOUT",
]

#: Names Antimony (3.x) reads as keywords, functions or constants, so not as species or parameter ids.
ANTIMONY_RESERVED = frozenset(
    """abs acos acosh acot acoth acsc acsch after and arccos arccosh arccot arccoth arccsc arccsch arcsec
    arcsech arcsin arcsinh arctan arctanh area asec asech asin at atan atanh avogadro bernoulli binomial
    cauchy ceil ceiling chisquare compartment const cos cosh cot coth csc csch delay delete divide DNA end
    eq equals event exp exponential exponentiale ext extent factorial false False FALSE floor formula
    function gamma gene geq gt has implies import in inf INF infinity is laplace length leq ln log log10
    lognormal lt max min minus model module nan NaN NAN neq normal not notanumber operator or pi piecewise
    plus poisson pow power quotient rateOf rayleigh reaction rem root sec sech sin sinh species sqr sqrt
    substance substanceOnly tan tanh time times true True TRUE uniform unit var volume xor""".split()
)


class AntimonyError(FormatError):
    """Antimony text that cannot be read, or a network that cannot be written as Antimony.

    Examples
    --------
    >>> try:
    ...     read_antimony_string("model m\\n  J0: A => B; k*A;\\n  k = 1;\\nend garbage;;")
    ... except AntimonyError as exc:
    ...     print(isinstance(exc, ValueError), str(exc)[:41])
    True the antimony package cannot read the text
    """


class AntimonyTypeError(AntimonyError, TypeError):
    """An argument of an Antimony reader has the wrong type.

    Examples
    --------
    >>> try:
    ...     read_antimony_string(b"model m\\nend")
    ... except AntimonyTypeError as exc:
    ...     print(isinstance(exc, TypeError), str(exc)[:40])
    True text of read_antimony_string must be a s
    """


class AntimonyFileNotFoundError(AntimonyError, FileNotFoundError):
    """The Antimony file to read does not exist.

    Examples
    --------
    >>> try:
    ...     read_antimony("/nonexistent/model.ant")
    ... except AntimonyFileNotFoundError as exc:
    ...     print(isinstance(exc, FileNotFoundError))
    True
    """


class AntimonyWarning(UserWarning):
    """Written Antimony text that third-party readers (the antimony package, Tellurium) will read slowly.

    Examples
    --------
    >>> issubclass(AntimonyWarning, UserWarning)
    True
    """


#: Reactions above which :func:`write_antimony` warns that the antimony package will be slow.
SLOW_READ_REACTIONS = 2_000


def _ids(network: ReactionNetwork, func: str) -> tuple[dict[str, str], str, str]:
    """Antimony ids of the species, and the reaction and rate-constant prefixes."""
    params = network.rate_parameters
    bad = sorted(p for p in params if p in ANTIMONY_RESERVED)
    if bad:
        raise AntimonyError(f"{func} cannot write the rate parameter(s) {', '.join(bad)}: Antimony reads "
                            "them as keywords or functions; rename them")
    clash = sorted(set(params) & set(network.species))
    if clash:
        raise AntimonyError(f"{func} cannot write the rate parameter(s) {', '.join(clash)}: a parameter has "
                            "the name of a species, and Antimony ids must be unique; rename the parameter")
    ids = sbml_ids(network.species, params)
    taken = set(ids.values()) | set(params) | ANTIMONY_RESERVED
    for name, i in ids.items():
        if i in ANTIMONY_RESERVED:
            ids[name] = _free(i + "_", taken)
            taken.add(ids[name])
    prefixes = []
    for prefix in ("J", "k"):
        while any(t.startswith(prefix) and t[len(prefix):].isdigit() for t in taken):
            prefix += "_"
        prefixes.append(prefix)
    return ids, prefixes[0], prefixes[1]


def antimony_chunks(
    network: ReactionNetwork, initial: Mapping[str, Any] | None = None, *, model_id: str = "rxnn_network"
) -> Iterator[str]:
    """The Antimony text of ``network`` as chunks to write in order (see :func:`write_antimony`).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> chunks = list(antimony_chunks(ReactionNetwork.from_text("A -> B ; 2")))
    >>> "".join(chunks) == antimony_string(ReactionNetwork.from_text("A -> B ; 2"))
    True
    """
    func = "write_antimony"
    check_network(network, func)
    values = check_initial(network, initial, func)
    if not isinstance(model_id, str) or not model_id.isidentifier() or model_id in ANTIMONY_RESERVED:
        raise AntimonyError(f"model_id of {func} must be an identifier that is not an Antimony keyword; "
                            f"got {model_id!r}")
    ids, j_prefix, k_prefix = _ids(network, func)
    if network.n_reactions > SLOW_READ_REACTIONS:
        warnings.warn(
            f"the network has {network.n_reactions:,} reactions; rxnn reads its own Antimony back in linear time, "
            "but the antimony package (Tellurium) slows down quadratically (about 10 s for 4 500 reactions, "
            "hours for 64 000); exchange large networks with other tools as SBML (write_sbml)",
            AntimonyWarning, stacklevel=3,
        )
    compartment = _free("cell", set(ids.values()) | set(network.rate_parameters) | ANTIMONY_RESERVED)
    return _generate(network, values, ids, model_id, compartment, j_prefix, k_prefix)


def _generate(network: ReactionNetwork, values: dict[str, float], ids: dict[str, str], model_id: str,
              compartment: str, j_prefix: str, k_prefix: str) -> Iterator[str]:
    from rxnn import __version__

    yield (
        f"// Written by rxnn {__version__}. Mass-action kinetics (Anderson, Deshpande and Joshi 2021, eq. 2):\n"
        "// rate = k * product of reactant concentrations to their stoichiometries. Enzymatic species are\n"
        f"// const (boundary) species. Reaction {j_prefix}<j> has rate constant {k_prefix}<j> unless named.\n"
        f"model {model_id}\n  compartment {compartment} = 1;\n"
    )
    enzymatic = set(network.enzymatic_species)
    yield "".join(
        f"  {'const species' if s in enzymatic else 'species'} {ids[s]} in {compartment};\n" for s in network.species
    )
    rate_lines = []
    batch = []
    for j, r in enumerate(network.reactions):
        source = " + ".join(ids[s] if c == 1 else f"{c} {ids[s]}" for s, c in r.reactants.items())
        target = " + ".join(ids[s] if c == 1 else f"{c} {ids[s]}" for s, c in r.products.items())
        k = r.rate if isinstance(r.rate, str) else f"{k_prefix}{j}"
        factors = [k] + [ids[s] if c == 1 else f"{ids[s]}^{c}" for s, c in r.reactants.items()]
        batch.append(f"  {j_prefix}{j}: {f'{source} => {target}'.strip()}; {'*'.join(factors)};\n")
        if not isinstance(r.rate, str):
            rate_lines.append(f"  {k} = {_num(r.rate)};\n")
        if len(batch) >= 2000:
            yield "".join(batch)
            batch = []
    yield "".join(batch)
    yield "".join(rate_lines)
    yield "".join(f"  {ids[s]} = {_num(v)};\n" for s, v in values.items())
    yield "".join(f'  {i} is "{s}";\n' for s, i in ids.items() if i != s)
    yield "end\n"


def antimony_string(
    network: ReactionNetwork, initial: Mapping[str, Any] | None = None, *, model_id: str = "rxnn_network"
) -> str:
    """The Antimony text of ``network`` as a string (see :func:`write_antimony`).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> print(antimony_string(ReactionNetwork.from_text("A -> B ; 2"), {"A": 1.0}).split("model rxnn_network\\n")[1])
      compartment cell = 1;
      species A in cell;
      species B in cell;
      J0: A => B; k0*A;
      k0 = 2.0;
      A = 1.0;
    end
    <BLANKLINE>
    """
    return "".join(antimony_chunks(network, initial, model_id=model_id))


def write_antimony(
    network: ReactionNetwork,
    path: str | os.PathLike[str],
    initial: Mapping[str, Any] | None = None,
    *,
    model_id: str = "rxnn_network",
) -> Path:
    """Write ``network`` as an Antimony model (no dependency needed).

    Parameters
    ----------
    network : ReactionNetwork
    path : str or path-like
        Destination, written atomically.
    initial : mapping of str to float, optional
        Initial concentrations of some or all species.
    model_id : str, default "rxnn_network"
        The model's name in the text.

    Returns
    -------
    Path

    Raises
    ------
    AntimonyError
        If a rate parameter is an Antimony keyword or has a species' name, or
        ``model_id`` is not an identifier.
    FormatError
        If ``initial`` names a species the network lacks or gives a bad value.

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("A -> B ; 2")
    >>> path = write_antimony(net, os.path.join(tempfile.mkdtemp(), "net.ant"), {"A": 1.0})
    >>> read_antimony(path) == (net, {"A": 1.0})
    True
    """
    return write_chunks(path, antimony_chunks(network, initial, model_id=model_id))


#: Default seconds allowed to the antimony library to convert a text (``timeout=``).
TIMEOUT = 120.0

# Runs in a child process: the antimony library slows down quadratically with model size and
# can be driven into very long runs by hostile text, so it gets a deadline it cannot overrun.
_CHILD = r"""
import sys
import antimony
text = sys.stdin.buffer.read().decode("utf-8")
if antimony.loadAntimonyString(text) < 0:
    out = "E" + (antimony.getLastError() or "no message")
else:
    module = antimony.getMainModuleName()
    out = "S" + (antimony.getSBMLString(module) if module else "")
sys.stdout.buffer.write(out.encode("utf-8"))
"""


def _check_antimony_installed() -> None:
    missing = sys.modules.get("antimony", 0) is None
    if not missing and "antimony" not in sys.modules:
        missing = importlib.util.find_spec("antimony") is None
    if missing:
        raise ImportError("reading Antimony needs the antimony package (`pip install antimony`); writing does not")


def _to_sbml(text: str, timeout: float | None) -> str:
    """The SBML the antimony package makes of ``text``, converted in a child process with a deadline."""
    _check_antimony_installed()
    try:
        with tempfile.TemporaryDirectory() as empty:  # no relative path reaches a user file
            done = subprocess.run([sys.executable, "-I", "-c", _CHILD], input=text.encode("utf-8"),
                                  capture_output=True, timeout=timeout, cwd=empty)
    except subprocess.TimeoutExpired:
        raise AntimonyError(
            f"the antimony package did not convert the text within {timeout:g} s (it slows down quadratically "
            "with model size: about 10 s for 4 500 reactions); if the file is trusted, raise timeout="
        ) from None
    if done.returncode < 0:
        raise AntimonyError(f"the antimony package crashed (signal {-done.returncode}) on the text")
    out = done.stdout.decode("utf-8", errors="replace")
    if done.returncode != 0 or not out:
        tail = done.stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise AntimonyError(f"the antimony package failed on the text: {tail[0]}")
    if out[0] == "E":
        raise AntimonyError(f"the antimony package cannot read the text: {out[1:].strip()}")
    if len(out) == 1:
        raise AntimonyError("the Antimony text defines no model")
    return out[1:]


def read_antimony_string(
    text: str, *, max_depth: int = MAX_DEPTH, timeout: float | None = TIMEOUT
) -> tuple[ReactionNetwork, dict[str, float]]:
    """Read Antimony text; see :func:`read_antimony`.

    Examples
    --------
    >>> net, initial = read_antimony_string("model m\\n  J0: A + B => 2 B; k*A*B;\\n  k = 0.5;\\n  A = 1;\\nend")
    >>> print(net), initial
    A + B -> 2B ; 0.5
    (None, {'A': 1.0})
    """
    if not isinstance(text, str):
        raise AntimonyTypeError(f"text of read_antimony_string must be a str; got {type(text).__name__}")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, Real) or not timeout > 0):
        raise InvalidArgumentError(f"timeout of read_antimony_string must be a positive number of seconds or None; "
                                   f"got {timeout!r}")
    return _read_text(text, "the Antimony text", max_depth, timeout)


def _read_text(text: str, origin: str, max_depth: int, timeout: float | None) -> tuple[ReactionNetwork, dict]:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AntimonyError(f"{origin} holds a character that is not valid Unicode (a lone surrogate, "
                            f"{text[exc.start]!r} at index {exc.start}); remove it") from None
    refuse_imports(text, origin, AntimonyError)
    doc = read_rxnn_subset(text, origin)
    if doc is not None:  # the form rxnn writes: read here, in linear time
        model = build(doc)
        for note in doc.notes:
            warnings.warn(note, SBMLWarning, stacklevel=3)
        return model.network, model.initial
    sbml = _to_sbml(text, timeout)
    return read_sbml_string(sbml, max_bytes=max(len(sbml.encode()), 1), max_depth=max_depth)


def read_antimony(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    timeout: float | None = TIMEOUT,
) -> tuple[ReactionNetwork, dict[str, float]]:
    """Read an Antimony model with mass-action kinetics.

    The text is converted to SBML by the ``antimony`` package and read with
    :func:`rxnn.io.sbml.read_sbml_string`, so the same rules and refusals apply.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int, default 200 MiB
        Larger files are refused before reading.
    max_depth : int, default 256
        Nesting limit for the SBML the text becomes.
    timeout : float or None, default 120
        Seconds the antimony package may take to convert the text.

    Returns
    -------
    network : ReactionNetwork
    initial : dict of str to float

    Raises
    ------
    ImportError
        If the antimony package is not installed.
    AntimonyError
        If the file is too large or not UTF-8, or the antimony package
        rejects the text, crashes on it or overruns ``timeout``.
    SBMLError
        If the model is not mass action (every offending element is named).

    Notes
    -----
    The antimony library runs in a child process, so that no text can hang
    or crash the caller. It keeps numbers to 15 significant digits, and its
    time grows quadratically with the model (about 10 s for 4 500 reactions,
    3 minutes for 17 000), so large networks are better exchanged as SBML.

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn import ReactionNetwork
    >>> path = os.path.join(tempfile.mkdtemp(), "net.ant")
    >>> _ = write_antimony(ReactionNetwork.from_text("2X -> X ; 3"), path, {"X": 0.5})
    >>> read_antimony(path)
    (<ReactionNetwork: 1 species, 1 reactions>, {'X': 0.5})
    """
    path = Path(path)
    try:
        check_file_size(path, max_bytes, "read_antimony", AntimonyError)
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise AntimonyFileNotFoundError(f"{str(path)!r} is missing (no such file); check the path") from None
    except OSError as exc:
        raise AntimonyError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise AntimonyError(f"{str(path)!r} is over the limit of {max_bytes:,} bytes of read_antimony; if it is "
                            "trusted, raise the limit (max_bytes=...)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AntimonyError(f"{str(path)!r} is not UTF-8 text (byte {exc.start})") from None
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, Real) or not timeout > 0):
        raise InvalidArgumentError(f"timeout of read_antimony must be a positive number of seconds or None; "
                                   f"got {timeout!r}")
    return _read_text(text, repr(str(path)), max_depth, timeout)

