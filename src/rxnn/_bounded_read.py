"""Bounded reading of user files: a counted read that works for regular files, devices and FIFOs.

``Path.read_bytes()`` trusts the file to end; ``stat().st_size`` is 0 for
``/dev/zero``, a FIFO or ``/dev/stdin``. Every reader of rxnn that takes a
whole file goes through :func:`read_limited`, which reads at most
``max_bytes + 1`` bytes whatever the file is, and refuses the file if the
extra byte arrives; :func:`open_for_reading` refuses directories by name.

Examples
--------
>>> import os, tempfile
>>> from rxnn.errors import LimitError
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = os.path.join(tmp, "a.txt")
...     with open(path, "w") as f:
...         _ = f.write("X -> Y")
...     read_limited(path, 100, func="demo")
b'X -> Y'
>>> try:
...     read_limited("/dev/zero", 1000, func="demo")
... except LimitError as exc:
...     print(exc)
'/dev/zero' holds more than 1,000 bytes, the limit of demo; if the file is trusted, pass a larger max_bytes
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

from rxnn.errors import LimitError, RxnnError

__all__ = ["InputFileNotFoundError", "NotAFileError", "open_for_reading", "read_limited", "read_at_most", "CHUNK"]

#: Bytes per read call: bounded reads never ask the OS for more than this at once.
CHUNK = 1 << 20


class InputFileNotFoundError(RxnnError, FileNotFoundError):
    """An input file does not exist (a ``FileNotFoundError`` whose ``filename`` is the path)."""


class NotAFileError(RxnnError, IsADirectoryError):
    """An input path names a directory (an ``IsADirectoryError``)."""


def open_for_reading(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for unbuffered binary reading; refuse a directory.

    A FIFO is opened as every Unix tool opens one: the call waits for a writer.

    Raises
    ------
    InputFileNotFoundError
        If ``path`` does not exist.
    NotAFileError
        If it is a directory.
    OSError
        Other failures of the operating system (permission denied, ...).
    """
    name = os.fspath(path)
    try:
        return open(name, "rb", buffering=0)
    except FileNotFoundError:
        raise InputFileNotFoundError(errno.ENOENT, "no such file", str(name)) from None
    except IsADirectoryError:
        raise NotAFileError(errno.EISDIR, "is a directory, not a file", str(name)) from None


def read_at_most(stream: BinaryIO, n: int) -> bytes:
    """Up to ``n`` bytes of ``stream`` (fewer only at its end), in calls of at most :data:`CHUNK` bytes."""
    parts, size = [], 0
    while size < n:
        chunk = stream.read(min(CHUNK, n - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def read_limited(
    path: str | os.PathLike[str], max_bytes: int, *, func: str, error: type[Exception] = LimitError
) -> bytes:
    """The whole content of ``path`` if it holds at most ``max_bytes`` bytes.

    A regular file larger than the limit is refused from its size before
    anything is read; any other file (a device, a FIFO) is read with a count and
    refused when byte ``max_bytes + 1`` arrives. Memory: at most
    ``max_bytes + CHUNK`` bytes while reading (twice the content for the
    returned copy of an accepted file).

    Parameters
    ----------
    path : str or path-like
        The file.
    max_bytes : int
        The limit (a positive integer).
    func : str
        The function whose limit it is, for the message.
    error : type of Exception
        Raised when the file is too large (default :class:`~rxnn.errors.LimitError`).

    Raises
    ------
    error
        If the file holds more than ``max_bytes`` bytes; the message names the
        path, the limit, and how to raise it.
    InputFileNotFoundError, NotAFileError
        If ``path`` is missing or a directory.
    """
    with open_for_reading(path) as stream:
        info = os.fstat(stream.fileno())
        size = info.st_size if stat.S_ISREG(info.st_mode) else None
        if size is not None and size > max_bytes:
            raise error(
                f"{str(path)!r} is {size:,} bytes, over the limit of {max_bytes:,} bytes of {func}; "
                f"if the file is trusted, raise the limit (max_bytes={size})"
            )
        buffer = bytearray()
        while chunk := stream.read(min(CHUNK, max_bytes + 1 - len(buffer))):
            buffer += chunk
            if len(buffer) > max_bytes:
                raise error(
                    f"{str(path)!r} holds more than {max_bytes:,} bytes, the limit of {func}; "
                    "if the file is trusted, pass a larger max_bytes"
                )
    return bytes(buffer)

