"""The one bounded ``.npz`` reader of rxnn (model files, training checkpoints).

``numpy.load`` decompresses a member before its key, dtype or shape can be
checked, and its header parser reads a declared header length of up to 4 GiB
before it looks at it. This reader never does either:

1. the archive is opened without decompressing anything; the member names are
   checked (``<key>.npy``, a short identifier, no duplicates, stored or deflated
   only) and the key set is checked against what the caller expects, before any
   member is read;
2. each member's ``.npy`` header (format version 1.0, 2.0 or 3.0) is read with a
   bounded length and parsed with :func:`ast.literal_eval` (data, never code);
   object and structured dtypes are refused, so nothing is ever unpickled;
3. the dtype kind and the shape are checked against the caller's
   :class:`ArraySpec` (named dimensions must agree across members) and the
   total size against ``max_bytes``, all before allocating;
4. the data are decompressed incrementally with a running byte count against
   the declared size: a deflate bomb is refused after at most the expected size
   plus one chunk (:data:`CHUNK_BYTES`), and trailing data are refused too.

Every failure (``zlib.error``, ``BadZipFile``, ``EOFError``, ``struct.error``,
``NotImplementedError``, a bad header) becomes the caller's error type with one
message naming the file and the member.

Examples
--------
>>> import io, tempfile, os
>>> import numpy as np
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = os.path.join(tmp, "a.npz")
...     np.savez(path, W1=np.ones((2, 3)), b1=np.zeros(2))
...     arrays = read_npz(path, {"W1": ArraySpec("f", ("m", "n")), "b1": ArraySpec("f", ("m",))})
>>> arrays["W1"].shape, arrays["b1"].shape
((2, 3), (2,))
"""

from __future__ import annotations

import ast
import errno
import math
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rxnn.errors import RxnnError
from rxnn._zip_directory import MAX_ENTRY_BYTES, central_directory_size

__all__ = [
    "ArraySpec",
    "NpyHeader",
    "NpzArchive",
    "NpzError",
    "read_npz",
    "CHUNK_BYTES",
    "MAX_HEADER_BYTES",
    "MAX_MEMBERS",
    "DEFAULT_MAX_BYTES",
]

#: Decompression step: a bomb is refused after at most expected + CHUNK_BYTES bytes.
CHUNK_BYTES = 1 << 20
#: Longest ``.npy`` header accepted (numpy's own default safety limit).
MAX_HEADER_BYTES = 10_000
#: Most members an archive may hold (bounds the central directory and key checks).
MAX_MEMBERS = 10_000
#: Default bound on the total decompressed size of the arrays read (2 GiB).
DEFAULT_MAX_BYTES = 2 << 30

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAGIC = b"\x93NUMPY"
_HEADER_LENGTH = {(1, 0): ("<H", "latin1"), (2, 0): ("<I", "latin1"), (3, 0): ("<I", "utf8")}
_HEADER_KEYS = {"descr", "fortran_order", "shape"}
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
# What a corrupt archive can raise from zipfile, zlib, struct or the OS.
_CORRUPT = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, struct.error,
            NotImplementedError, RuntimeError, OSError, ValueError, UnicodeError)


class NpzError(RxnnError, ValueError):
    """Default error type of :func:`read_npz`: a file that is not a readable ``.npz`` archive."""


@dataclass(frozen=True)
class ArraySpec:
    """What one member must be.

    Parameters
    ----------
    kinds : str
        Accepted numpy dtype kinds, e.g. ``"f"``, ``"fiu"`` (real numbers),
        ``"U"`` (a string), ``"b"``. Object (``"O"``) and void (``"V"``) are
        never accepted.
    shape : tuple of (int or str) or None
        The shape: an int is an exact length; a str names a dimension that must
        have the same length in every member that uses the name; ``None``
        accepts any shape (the total size still counts against ``max_bytes``).
    what : str or None
        How messages describe a valid member, e.g. ``"a single string"``; a
        member of the wrong kind or fixed shape is refused with
        ``must be <what>; got dtype <dtype> and shape <shape>``.
    """

    kinds: str
    shape: tuple[int | str, ...] | None = None
    what: str | None = None


@dataclass(frozen=True)
class NpyHeader:
    """The parsed header of one member: its dtype, shape and memory order."""

    key: str
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool

    @property
    def nbytes(self) -> int:
        """Bytes the data occupy (an exact Python int, no overflow)."""
        return self.dtype.itemsize * math.prod(self.shape)


class NpzArchive:
    """An open ``.npz`` archive whose members are read only after they are checked.

    Opening reads the zip central directory only. Use :meth:`header` to parse a
    member's ``.npy`` header and :meth:`read` to read its data against a spec.
    :func:`read_npz` covers the common case; this class lets a caller read one
    member (e.g. a JSON header) before deciding what the others must be.

    Parameters
    ----------
    path : str or path-like
        The archive (a regular file).
    error : type of Exception
        Raised for every problem, with a message naming the file (and member).
    fix : str
        Appended to every message (how to get a valid file).
    not_found : type of Exception or None
        Raised if the file does not exist: an ``OSError`` subclass as
        ``not_found(errno.ENOENT, "No such file or directory", path)`` (so that
        ``filename`` is set), any other type with a message (default: ``error``).
    what : str
        How messages name the file, e.g. ``"model file"``.
    max_members : int
        Most members accepted.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        error: type[Exception] = NpzError,
        fix: str = "",
        not_found: type[Exception] | None = None,
        what: str = "file",
        max_members: int = MAX_MEMBERS,
    ) -> None:
        self.path = Path(path)
        self._error, self._fix, self._what = error, fix, what
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            if not_found is not None and issubclass(not_found, OSError):
                raise not_found(errno.ENOENT, "No such file or directory", str(self.path)) from None
            raise (not_found or error)(self._message("no such file")) from None
        except OSError as exc:
            raise self.fail(f"cannot be opened ({exc.strerror or exc})") from None
        if not stat.S_ISREG(mode):
            raise self.fail("is not a regular file")
        directory = central_directory_size(self.path)
        if directory is not None:
            entries, size = directory
            if entries > max_members or size > max_members * MAX_ENTRY_BYTES:
                raise self.fail(
                    f"zip directory lists {entries} members in {size} bytes, more than the limit of "
                    f"{max_members} members"
                )
        try:
            self._zip = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile:
            if _starts_with(self.path, _MAGIC):
                raise self.fail("is a single .npy array, not an .npz archive") from None
            raise self.fail(f"not a {what} (not a zip archive, or a truncated one)") from None
        except _CORRUPT as exc:
            raise self.fail(f"corrupt zip archive ({type(exc).__name__}: {exc})") from None
        try:
            self._infos = self._check_members(max_members)
        except BaseException:
            self._zip.close()
            raise
        self._headers: dict[str, NpyHeader] = {}

    # -- messages -----------------------------------------------------------------
    def _message(self, problem: str, key: str | None = None) -> str:
        member = f", member {key!r}" if key is not None else ""
        fix = f"; {self._fix}" if self._fix else ""
        return f"{self._what} {str(self.path)!r}{member}: {problem}{fix}"

    def fail(self, problem: str, key: str | None = None) -> Exception:
        """The caller's error, with a message naming the file, the member and the fix."""
        return self._error(self._message(problem, key))

    # -- members ------------------------------------------------------------------
    def _check_members(self, max_members: int) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > max_members:
            raise self.fail(f"holds {len(infos)} members, more than the limit of {max_members}")
        found: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            key = name[:-4] if name.endswith(".npy") else None
            if key is None or not _KEY.match(key):
                raise self.fail(
                    f"member name {name[:80]!r} is not <key>.npy with a key of at most 64 letters, digits or _"
                )
            if key in found:
                raise self.fail("appears twice in the archive", key)
            if info.compress_type not in _METHODS:
                raise self.fail(
                    f"uses zip compression method {info.compress_type}; only stored or deflated are read", key
                )
            if info.flag_bits & 0x1:
                raise self.fail("is encrypted", key)
            found[key] = info
        return found

    @property
    def keys(self) -> tuple[str, ...]:
        """The member keys (names without ``.npy``) in archive order."""
        return tuple(self._infos)

    def check_keys(self, expected: set[str] | Mapping[str, object]) -> None:
        """Raise if a key of ``expected`` is missing (listed in its order) or a key not in it is present."""
        wanted = set(expected)
        missing = [key for key in expected if key not in self._infos]
        if missing:
            raise self.fail(f"missing key(s) {', '.join(missing[:20])}{' ...' if len(missing) > 20 else ''}")
        unexpected = sorted(set(self._infos) - wanted, key=_natural)
        if unexpected:
            shown = ", ".join(unexpected[:20]) + (" ..." if len(unexpected) > 20 else "")
            raise self.fail(f"unexpected key(s) {shown}")

    def header(self, key: str) -> NpyHeader:
        """Parse (once) the ``.npy`` header of member ``key``; nothing beyond the header is decompressed."""
        if key not in self._headers:
            if key not in self._infos:
                raise self.fail("is missing", key)
            try:
                with self._zip.open(self._infos[key]) as fp:
                    self._headers[key] = self._parse_header(key, fp)
            except RxnnError:
                raise
            except _CORRUPT as exc:
                raise self.fail(f"corrupt data ({type(exc).__name__}: {exc})", key) from None
        return self._headers[key]

    def _parse_header(self, key: str, fp: zipfile.ZipExtFile) -> NpyHeader:
        magic = _read_exactly(fp, 8)
        if magic is None or magic[:6] != _MAGIC:
            raise self.fail("is not a .npy array (bad magic string)", key)
        version = (magic[6], magic[7])
        if version not in _HEADER_LENGTH:
            raise self.fail(f"has .npy format version {version[0]}.{version[1]}; versions 1.0-3.0 are read", key)
        length_format, encoding = _HEADER_LENGTH[version]
        raw_length = _read_exactly(fp, struct.calcsize(length_format))
        if raw_length is None:
            raise self.fail("ends inside its .npy header", key)
        (length,) = struct.unpack(length_format, raw_length)
        if length > MAX_HEADER_BYTES:
            raise self.fail(f".npy header of {length} bytes exceeds the limit of {MAX_HEADER_BYTES}", key)
        raw = _read_exactly(fp, length)
        if raw is None:
            raise self.fail("ends inside its .npy header", key)
        try:
            fields = ast.literal_eval(raw.decode(encoding))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, UnicodeError):
            raise self.fail("has an unreadable .npy header", key) from None
        if not isinstance(fields, dict) or set(fields) != _HEADER_KEYS:
            raise self.fail("has a .npy header without exactly descr, fortran_order and shape", key)
        shape, descr, fortran = fields["shape"], fields["descr"], fields["fortran_order"]
        if not isinstance(shape, tuple) or not all(type(n) is int and n >= 0 for n in shape) or len(shape) > 32:
            raise self.fail(f"has an invalid shape {str(shape)[:80]}", key)
        if not isinstance(fortran, bool):
            raise self.fail("has an invalid fortran_order", key)
        if not isinstance(descr, str) or len(descr) > 16:
            raise self.fail("has a structured or invalid dtype (only plain numbers and strings are read)", key)
        try:
            dtype = np.dtype(descr)
        except (TypeError, ValueError, OverflowError, MemoryError):
            raise self.fail(f"has an invalid dtype {descr!r}", key) from None
        if dtype.kind in "OV" or dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
            raise self.fail(f"has dtype {dtype}; object and structured arrays are never read", key)
        return NpyHeader(key, dtype, shape, fortran)

    def check(self, specs: Mapping[str, ArraySpec], *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, NpyHeader]:
        """Check keys, then every header against ``specs`` and the total size, without reading data.

        Returns the headers, by key. Named dimensions of the specs must agree
        across members (e.g. ``W1: ("c1", "c0")``, ``b1: ("c1",)``).
        """
        self.check_keys(specs)
        headers = {key: self.header(key) for key in specs}
        sizes: dict[str, tuple[int, str]] = {}
        for key, spec in specs.items():
            self._check_spec(key, headers[key], spec, sizes)
        total = sum(head.nbytes for head in headers.values())
        if total > max_bytes:
            raise self.fail(f"arrays declare {total} bytes, more than the limit of {max_bytes}")
        return headers

    def _check_spec(self, key: str, head: NpyHeader, spec: ArraySpec, sizes: dict[str, tuple[int, str]]) -> None:
        fixed = spec.shape is not None and all(isinstance(n, int) for n in spec.shape)
        if spec.what is not None and (head.dtype.kind not in spec.kinds or (fixed and head.shape != spec.shape)):
            raise self.fail(f"must be {spec.what}; got dtype {head.dtype} and shape {head.shape}", key)
        if head.dtype.kind not in spec.kinds:
            kinds = " or ".join(repr(k) for k in spec.kinds)
            raise self.fail(f"must have dtype kind {kinds}; got dtype {head.dtype}", key)
        if spec.shape is not None:
            self._check_shape(key, head.shape, spec.shape, sizes)

    def _check_shape(
        self, key: str, shape: tuple[int, ...], wanted: tuple[int | str, ...], sizes: dict[str, tuple[int, str]]
    ) -> None:
        if len(shape) != len(wanted):
            raise self.fail(f"must have {len(wanted)} dimension(s); got shape {shape}", key)
        for axis, (n, want) in enumerate(zip(shape, wanted)):
            if isinstance(want, int):
                if n != want:
                    raise self.fail(f"must have length {want} on axis {axis}; got shape {shape}", key)
            elif want in sizes and sizes[want][0] != n:
                first_n, first_key = sizes[want]
                raise self.fail(
                    f"has length {n} on axis {axis} where {first_key!r} has {first_n} (dimension {want}); "
                    f"got shape {shape}",
                    key,
                )
            else:
                sizes.setdefault(want, (n, key))

    def read(self, key: str, spec: ArraySpec | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> np.ndarray:
        """The array of member ``key``, read against its declared size (and ``spec``, if given)."""
        head = self.header(key)
        if spec is not None:
            self._check_spec(key, head, spec, {})
        if head.nbytes > max_bytes:
            raise self.fail(f"declares {head.nbytes} bytes, more than the limit of {max_bytes}", key)
        info = self._infos[key]
        try:
            with self._zip.open(info) as fp:
                self._parse_header(key, fp)  # consumes the header, as parsed before
                array = self._read_data(key, fp, head)
        except RxnnError:
            raise
        except _CORRUPT as exc:
            raise self.fail(f"corrupt data ({type(exc).__name__}: {exc})", key) from None
        return array

    def _read_data(self, key: str, fp: zipfile.ZipExtFile, head: NpyHeader) -> np.ndarray:
        buffer = bytearray(head.nbytes)  # bounded: head.nbytes was checked against max_bytes
        view, done = memoryview(buffer), 0
        while done < head.nbytes:
            chunk = fp.read(min(CHUNK_BYTES, head.nbytes - done))
            if not chunk:
                raise self.fail(f"holds {done} bytes of data where its header declares {head.nbytes}", key)
            view[done : done + len(chunk)] = chunk
            done += len(chunk)
        if fp.read(1):  # at the end this also checks the CRC
            raise self.fail(f"holds more data than the {head.nbytes} bytes its header declares", key)
        order = "F" if head.fortran_order else "C"
        return np.frombuffer(buffer, dtype=head.dtype).reshape(head.shape, order=order)

    # -- context manager ----------------------------------------------------------
    def close(self) -> None:
        """Close the underlying zip file."""
        self._zip.close()

    def __enter__(self) -> NpzArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_npz(
    path: str | os.PathLike[str],
    expected: Mapping[str, ArraySpec] | Callable[[tuple[str, ...]], Mapping[str, ArraySpec]],
    *,
    error: type[Exception] = NpzError,
    fix: str = "",
    not_found: type[Exception] | None = None,
    what: str = "file",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_members: int = MAX_MEMBERS,
) -> dict[str, np.ndarray]:
    """Read the arrays of an ``.npz`` archive after checking keys, dtypes, shapes and sizes.

    Parameters
    ----------
    path : str or path-like
        The archive.
    expected : mapping of str to ArraySpec, or callable
        The exact key set and what each member must be; or a function of the
        archive's keys (in archive order) that returns that mapping (or raises
        via the ``error`` type), e.g. to derive the number of layers from
        ``W1 ... Wm``. It sees only names, never data.
    error : type of Exception
        Raised for every problem; the message names the file and the member.
    fix : str
        Appended to every message (how to get a valid file).
    not_found : type of Exception or None
        Raised if the file does not exist (see :class:`NpzArchive`; default: ``error``).
    what : str
        How messages name the file (default ``"file"``).
    max_bytes : int
        Bound on the total declared (and hence decompressed) size of the arrays.
    max_members : int
        Most members the archive may hold.

    Returns
    -------
    dict of str to ndarray
        The arrays, in the order of ``expected`` (read-only views are not
        returned: each array owns a fresh buffer).

    Raises
    ------
    error
        If the file is not a zip archive, a member name, key, dtype or shape is
        not as expected, the declared size exceeds ``max_bytes``, or the data
        are corrupt, truncated or longer than declared.

    Notes
    -----
    Memory: at most the declared size of the expected arrays (bounded by
    ``max_bytes``) plus one :data:`CHUNK_BYTES` decompression step, whatever
    the archive's compressed content.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "a.npz")
    ...     np.savez_compressed(path, x=np.zeros(10**6))
    ...     try:
    ...         read_npz(path, {"x": ArraySpec("f", (10,))})
    ...     except NpzError as exc:
    ...         print(str(exc).split(": ", 1)[1])
    must have length 10 on axis 0; got shape (1000000,)
    """
    with NpzArchive(path, error=error, fix=fix, not_found=not_found, what=what, max_members=max_members) as archive:
        specs = expected(archive.keys) if callable(expected) else expected
        archive.check(specs, max_bytes=max_bytes)
        return {key: archive.read(key, max_bytes=max_bytes) for key in specs}


def _read_exactly(fp: zipfile.ZipExtFile, n: int) -> bytes | None:
    """``n`` bytes from ``fp`` (a bounded read), or None if the stream ends first."""
    data = bytearray()
    while len(data) < n:
        chunk = fp.read(min(CHUNK_BYTES, n - len(data)))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _natural(key: str) -> tuple[str, int]:
    """Sort key that puts W2 before W10."""
    match = re.match(r"^(.*?)(\d*)$", key)
    assert match is not None
    return match.group(1), int(match.group(2)) if match.group(2) and len(match.group(2)) < 20 else 0


def _starts_with(path: Path, prefix: bytes) -> bool:
    """Whether the file at ``path`` begins with ``prefix`` (reads only ``len(prefix)`` bytes)."""
    with open(path, "rb") as f:
        return f.read(len(prefix)) == prefix
