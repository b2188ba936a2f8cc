"""The size of a zip archive's central directory, read from its end record before :mod:`zipfile` parses it.

:class:`zipfile.ZipFile` parses the whole central directory on opening,
trusting neither the entry count nor the size in the end record; a small file
could make it build millions of entries. :func:`central_directory_size` reads
both fields (from the zip64 record when present) so a caller can refuse first.

Examples
--------
>>> import io, os, tempfile, zipfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = os.path.join(tmp, "a.zip")
...     with zipfile.ZipFile(path, "w") as z:
...         z.writestr("a.npy", b"x")
...         z.writestr("b.npy", b"y")
...     central_directory_size(path)
(2, 102)
"""

from __future__ import annotations

import os
import struct

__all__ = ["central_directory_size", "MAX_ENTRY_BYTES"]

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # zip64 end of central directory record
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
#: Bytes a caller may allow per directory entry: 46 fixed, a short name, zip64 extras.
MAX_ENTRY_BYTES = 512


def central_directory_size(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(entries, size in bytes) of the zip central directory from its end record, or None without one."""
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - (_EOCD.size + 0xFFFF)))  # the record and at most a 64 KiB comment
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + _EOCD.size > len(tail):
            return None
        fields = _EOCD.unpack_from(tail, at)
        entries, cd_size = fields[4], fields[5]
        locator = at - _EOCD64_LOCATOR.size
        zip64 = entries == 0xFFFF or cd_size == 0xFFFFFFFF
        if zip64 and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
            f.seek(_EOCD64_LOCATOR.unpack_from(tail, locator)[2])
            record = f.read(_EOCD64.size)
            if len(record) == _EOCD64.size and record[:4] == b"PK\x06\x06":
                fields64 = _EOCD64.unpack(record)
                entries, cd_size = fields64[6], fields64[7]
        return entries, cd_size
