"""One table of network file formats: read and write by name or by file extension.

=============  =========================  ==============================  ==========================
name           extensions                 module                          holds concentrations
=============  =========================  ==============================  ==========================
``sbml``       ``.xml``, ``.sbml``        :mod:`rxnn.io.sbml`             yes
``antimony``   ``.ant``, ``.antimony``    :mod:`rxnn.io.antimony`         yes (reading needs the
                                                                          ``antimony`` package)
``json``       ``.json``                  :mod:`rxnn.io.json_format`      yes
``text``       ``.txt``, ``.crn``         :mod:`rxnn.crn.text`            no
=============  =========================  ==============================  ==========================

Every reader returns ``(network, initial)``: a
:class:`~rxnn.crn.network.ReactionNetwork` and a dict of initial
concentrations (empty where the file gives none). Every writer takes
``(network, path, initial=None)`` and writes atomically: a reader of ``path``
sees the old file or the complete new one.

Examples
--------
>>> from rxnn import ReactionNetwork
>>> from rxnn.io.formats import format_for, write_network
>>> format_for("model.sbml").name
'sbml'
>>> net = ReactionNetwork.from_text("X + Y -> 2Y\\nY -> 0 ; 0.5")
>>> import tempfile, os; d = tempfile.mkdtemp()
>>> _ = write_network(net, os.path.join(d, "m.json"), {"X": 1.0, "Y": 0.1})
>>> from rxnn.io.formats import read_network
>>> read_network(os.path.join(d, "m.json"))[0] == net
True
"""

from __future__ import annotations

import importlib
import math
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._bounded_read import read_limited
from rxnn._files import atomic_output
from rxnn._type_error import wrong_type
from rxnn._validation import must_be
from rxnn.crn.network import ReactionNetwork
from rxnn.errors import RxnnError

__all__ = [
    "FORMATS",
    "Format",
    "FormatError",
    "format_for",
    "read_network",
    "write_network",
    "network_chunks",
    "MAX_BYTES",
    "check_file_size",
    "read_file_bytes",
]

#: Default size limit of every reader, in bytes (``max_bytes=``): files are read whole or streamed once.
MAX_BYTES = 200 * 2**20


class FormatError(RxnnError, ValueError):
    """A file is not a valid network file of its format, or a format name is unknown.

    The message names the file, the problem (with its line where the format has lines) and the fix.

    Examples
    --------
    >>> try:
    ...     format_for("network.docx")
    ... except FormatError as exc:
    ...     print(str(exc)[:45])
    cannot tell the format of 'network.docx' from
    """


@dataclass(frozen=True)
class Format:
    """A network file format: its name, file extensions and back-end functions.

    Attributes
    ----------
    name : str
        The name used by ``--to``/``format=``.
    extensions : tuple of str
        File name endings, lower case, with the dot.
    module : str
        The module that implements it.
    reader, chunks : str
        Names in ``module`` of ``reader(path) -> (network, initial)`` and
        ``chunks(network, initial) -> iterable of str``.
    holds_initial : bool
        Whether the format stores initial concentrations.

    Examples
    --------
    >>> fmt = FORMATS["json"]
    >>> fmt.name, fmt.extensions, fmt.holds_initial
    ('json', ('.json',), True)
    """

    name: str
    extensions: tuple[str, ...]
    module: str
    reader: str
    chunks: str
    holds_initial: bool

    def read(self, path: str | os.PathLike[str]) -> tuple[ReactionNetwork, dict[str, float]]:
        """Read ``path`` in this format."""
        return getattr(importlib.import_module(self.module), self.reader)(path)

    def text_chunks(self, network: ReactionNetwork, initial: Mapping[str, Any] | None = None) -> Iterable[str]:
        """The file's text, as chunks to write in order."""
        return getattr(importlib.import_module(self.module), self.chunks)(network, initial)


#: Format name -> :class:`Format`; the one table the command line and :func:`read_network` use.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("sbml", (".xml", ".sbml"), "rxnn.io.sbml", "read_sbml", "sbml_chunks", True),
        Format("antimony", (".ant", ".antimony"), "rxnn.io.antimony", "read_antimony", "antimony_chunks", True),
        Format("json", (".json",), "rxnn.io.json_format", "read_json", "json_chunks", True),
        Format("text", (".txt", ".crn"), "rxnn.io.formats", "read_text", "text_chunks", False),
    )
}


def format_for(path: str | os.PathLike[str] | None = None, name: str | None = None) -> Format:
    """The format called ``name``, else the one whose extension ``path`` ends with.

    Raises
    ------
    FormatError
        If ``name`` is unknown, or neither is given, or the extension is not
        one of any format; the message lists the valid names and extensions.

    Examples
    --------
    >>> format_for("model.xml").name, format_for(name="text").extensions
    ('sbml', ('.txt', '.crn'))
    """
    if name is not None:
        if name not in FORMATS:
            raise FormatError(f"unknown network format {name!r}; valid formats: {', '.join(FORMATS)}")
        return FORMATS[name]
    if path is None:
        raise FormatError("give a format name or a file name with a known extension")
    lower = str(path).lower()
    for fmt in FORMATS.values():
        if lower.endswith(fmt.extensions):
            return fmt
    known = ", ".join(f"{e} ({f.name})" for f in FORMATS.values() for e in f.extensions)
    raise FormatError(
        f"cannot tell the format of {str(path)!r} from its extension; known extensions: {known}. "
        "Name the format explicitly (format=... or --to/--from)"
    )


def read_network(
    path: str | os.PathLike[str], format: str | None = None
) -> tuple[ReactionNetwork, dict[str, float]]:
    """Read a network file, in ``format`` or the one its extension names.

    Returns
    -------
    network : ReactionNetwork
    initial : dict of str to float
        Initial concentrations the file gives (empty for the text format).

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn import ReactionNetwork
    >>> path = write_network(ReactionNetwork.from_text("A -> B ; 2"), os.path.join(tempfile.mkdtemp(), "n.json"), {"A": 1})
    >>> read_network(path)
    (<ReactionNetwork: 2 species, 1 reactions>, {'A': 1.0})
    """
    return format_for(path, format).read(path)


def network_chunks(
    network: ReactionNetwork, format: str, initial: Mapping[str, Any] | None = None
) -> Iterable[str]:
    """The text of ``network`` in ``format``, as chunks (for writing to a stream).

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> "".join(network_chunks(ReactionNetwork.from_text("A -> B ; 2\\nB -> 0"), "text"))
    'A -> B ; 2\\nB -> 0\\n'
    """
    return format_for(None, format).text_chunks(network, initial)


def write_network(
    network: ReactionNetwork,
    path: str | os.PathLike[str],
    initial: Mapping[str, Any] | None = None,
    *,
    format: str | None = None,
) -> Path:
    """Write ``network`` (and ``initial``) to ``path`` in ``format`` or the one its extension names.

    Raises
    ------
    FormatError
        If the format is unknown, or ``initial`` is given for a format that
        holds no concentrations (``text``).

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("A -> B ; 2")
    >>> path = write_network(net, os.path.join(tempfile.mkdtemp(), "net.xml"), {"A": 1.0})
    >>> read_network(path) == (net, {"A": 1.0})
    True
    """
    fmt = format_for(path, format)
    return write_chunks(path, fmt.text_chunks(network, initial))


# --------------------------------------------------------------------------- shared helpers


def write_chunks(path: str | os.PathLike[str], chunks: Iterable[str]) -> Path:
    """Write text chunks to ``path`` atomically (UTF-8, through a temporary file and a rename).

    Examples
    --------
    >>> import os, tempfile
    >>> path = write_chunks(os.path.join(tempfile.mkdtemp(), "net.txt"), ["A -> B\\n", "B -> 0\\n"])
    >>> path.read_text(encoding="utf-8")
    'A -> B\\nB -> 0\\n'
    """
    path = Path(path)
    with atomic_output(path, "w", encoding="utf-8", newline="\n") as f:
        batch: list[str] = []
        size = 0
        for chunk in chunks:
            batch.append(chunk)
            size += len(chunk)
            if size > 1 << 20:
                f.write("".join(batch))
                batch, size = [], 0
        f.write("".join(batch))
    return path


def check_network(network: Any, func: str) -> ReactionNetwork:
    """Return ``network`` after checking it is a :class:`ReactionNetwork`.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> check_network(ReactionNetwork.from_text("A -> B"), "write_json")
    <ReactionNetwork: 2 species, 1 reactions>
    >>> try:
    ...     check_network("A -> B", "write_json")
    ... except TypeError as exc:
    ...     print(exc)
    network of write_json must be a ReactionNetwork; got str
    """
    if not isinstance(network, ReactionNetwork):
        raise wrong_type("network", func, "a ReactionNetwork", network)
    return network


def check_initial(network: ReactionNetwork, initial: Mapping[str, Any] | None, func: str) -> dict[str, float]:
    """Validate initial concentrations for writing: species of ``network`` -> finite numbers >= 0.

    Raises
    ------
    TypeError
        If ``initial`` is not a mapping.
    FormatError
        If a key is not a species of the network, or a value is not one finite number >= 0.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> net = ReactionNetwork.from_text("A -> B")
    >>> check_initial(net, {"A": 1}, "write_json")
    {'A': 1.0}
    """
    if initial is None:
        return {}
    if not isinstance(initial, Mapping):
        raise wrong_type("initial", func, "a mapping of species name to concentration", initial)
    index = network.species_index
    unknown = [s for s in initial if s not in index]
    if unknown:
        shown = ", ".join(map(repr, unknown[:10])) + (", ..." if len(unknown) > 10 else "")
        raise FormatError(f"initial of {func} names {shown}, which {'is' if len(unknown) == 1 else 'are'} not "
                          "a species of the network")
    out: dict[str, float] = {}
    for name, value in initial.items():
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, Real | np.floating | np.integer) or not (
            math.isfinite(value) and value >= 0
        ):
            got = f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else repr(value)
            raise FormatError(
                f"initial[{name!r}] of {func} must be one finite concentration >= 0 (files hold one "
                f"initial state, not a batch); got {got}"
            )
        out[name] = float(value)
    return out


def _check_max_bytes(max_bytes: Any, func: str) -> int:
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise must_be("max_bytes", func, "a positive integer", max_bytes)
    return max_bytes


def check_file_size(path: Path, max_bytes: int, func: str, error: type[FormatError] = FormatError) -> int:
    """Return the size of the regular file ``path``; raise ``error`` if it is larger than ``max_bytes``.

    A device, FIFO or other non-regular file is refused (its ``stat`` size says
    nothing about what a read returns): a caller that must read one uses
    :func:`read_file_bytes`, which counts what it reads.

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "net.txt"
    >>> _ = path.write_text("A -> B\\n")
    >>> check_file_size(path, 100, "read_text")
    7
    >>> try:
    ...     check_file_size(path, 3, "read_text")
    ... except FormatError as exc:
    ...     print("over the limit of 3 bytes" in str(exc))
    True
    """
    _check_max_bytes(max_bytes, func)
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise error(
            f"{str(path)!r} is not a regular file, so {func} cannot bound its size; "
            "copy it to a regular file first"
        )
    if info.st_size > max_bytes:
        raise error(
            f"{str(path)!r} is {info.st_size:,} bytes, over the limit of {max_bytes:,} bytes of {func}; "
            f"if the file is trusted, raise the limit (max_bytes={info.st_size})"
        )
    return info.st_size


def read_file_bytes(
    path: str | os.PathLike[str], max_bytes: int, func: str, error: type[FormatError] = FormatError
) -> bytes:
    """The content of ``path`` (a regular file, device or FIFO), read with a count against ``max_bytes``.

    Refuses a regular file larger than ``max_bytes`` from its size, and any
    other file when byte ``max_bytes + 1`` arrives, so ``/dev/zero`` is refused
    after about ``max_bytes`` bytes, never read to exhaustion.

    Raises
    ------
    error
        If the file is too large (the message names the path and the limit).
    InputFileNotFoundError
        If ``path`` does not exist (a ``FileNotFoundError``).
    NotAFileError
        If it is a directory (an ``IsADirectoryError``).

    Examples
    --------
    >>> try:
    ...     read_file_bytes("/dev/zero", 10, "read_text")
    ... except FormatError as exc:
    ...     print(exc)
    '/dev/zero' holds more than 10 bytes, the limit of read_text; if the file is trusted, pass a larger max_bytes
    """
    return read_limited(path, _check_max_bytes(max_bytes, func), func=func, error=error)


def decode_utf8(data: bytes, path: str | os.PathLike[str], what: str, error: type[FormatError] = FormatError) -> str:
    """``data`` as UTF-8 text, or ``error`` naming the byte offset of the first invalid byte.

    Examples
    --------
    >>> decode_utf8("A -> B".encode(), "net.txt", "network text")
    'A -> B'
    >>> try:
    ...     decode_utf8(b"A -> \\xff", "net.txt", "network text")
    ... except FormatError as exc:
    ...     print("byte 5" in str(exc))
    True
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{str(path)!r} is not UTF-8 text (byte {exc.start}); {what} is UTF-8") from None


# --------------------------------------------------------------------------- the text format


def read_text(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> tuple[ReactionNetwork, dict[str, float]]:
    """Read rxnn's text syntax (:mod:`rxnn.crn.text`); it holds no concentrations.

    Raises
    ------
    FormatError
        If the file holds more than ``max_bytes`` bytes (counted as it is read,
        so devices and FIFOs are bounded too) or is not UTF-8.
    TextSyntaxError
        With the line and column of the first syntax error.

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "net.txt"
    >>> _ = path.write_text("X + Y -> 2Y ; 0.5\\nY -> 0\\n")
    >>> read_text(path)
    (<ReactionNetwork: 2 species, 2 reactions>, {})
    """
    data = read_file_bytes(path, max_bytes, "read_text")
    return ReactionNetwork.from_text(decode_utf8(data, path, "the text format")), {}


def text_chunks(network: ReactionNetwork, initial: Mapping[str, Any] | None = None) -> Iterable[str]:
    """The network in rxnn's text syntax (one reaction per line); refuses concentrations.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> "".join(text_chunks(ReactionNetwork.from_text("2X -> X ; 3")))
    '2X -> X ; 3\\n'
    """
    check_network(network, "text_chunks")
    if initial:
        raise FormatError(
            "the text format holds no initial concentrations; write the network alone (initial=None) or "
            "choose a format that holds them: " + ", ".join(f.name for f in FORMATS.values() if f.holds_initial)
        )
    return (network.to_text(),)

