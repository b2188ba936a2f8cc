"""Small hostile files for the reader tests: deflate bombs in zip and gzip form, and a memory-limited runner.

A bomb is built from one compressed block repeated, so that building a 1.5 GB
bomb takes milliseconds; its CRC is deliberately wrong (a reader must refuse
it from its size long before the CRC at the end could be checked).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
_BLOCK = 1 << 24  # 16 MiB of zeros per repeated deflate block
#: The address-space limit the issue asks for (``ulimit -v 8000000``).
ADDRESS_SPACE_LIMIT = 8_000_000 * 1024


def deflate_bomb(prefix: bytes, n_blocks: int) -> tuple[bytes, int]:
    """Raw deflate data of ``prefix`` + ``n_blocks`` * 16 MiB of zeros, and the uncompressed length."""
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = first.compress(prefix) + first.flush(zlib.Z_FULL_FLUSH)
    again = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = again.compress(bytes(_BLOCK)) + again.flush(zlib.Z_FULL_FLUSH)
    return head + block * n_blocks + b"\x03\x00", len(prefix) + n_blocks * _BLOCK


Member = tuple[str, bytes, int, int]


def member(name: str, payload: bytes) -> Member:
    """A well-formed deflated zip member: ``(name, raw deflate data, size, CRC-32)``."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return name, c.compress(payload) + c.flush(), len(payload), zlib.crc32(payload)


def bomb_member(name: str, prefix: bytes, n_blocks: int) -> Member:
    """A deflated member of ``prefix`` + ``n_blocks`` * 16 MiB of zeros (about 16 KB each compressed; CRC 0)."""
    data, size = deflate_bomb(prefix, n_blocks)
    return name, data, size, 0


def write_zip(path: Path, members: list[Member], *, method: int = 8) -> Path:
    """A zip archive of the given members (method 8 = deflate; another number tests refusal)."""
    body, directory = b"", b""
    for name, data, size, crc in members:
        raw_name = name.encode()
        fields = (method, 0, 0x21, crc, len(data), size, len(raw_name), 0)
        local = struct.pack("<IHH" + "HHHIIIHH", 0x04034B50, 20, 0, *fields)
        central = struct.pack("<IHHH" + "HHHIIIHH" + "HHHII", 0x02014B50, 20, 20, 0, *fields, 0, 0, 0, 0, len(body))
        directory += central + raw_name
        body += local + raw_name + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0)
    path.write_bytes(body + directory + end)
    return path


def write_gzip(path: Path, deflated: bytes, size: int) -> Path:
    """A gzip file wrapping raw deflate data of ``size`` bytes (CRC left 0 on purpose)."""
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    path.write_bytes(header + deflated + struct.pack("<II", 0, size & 0xFFFFFFFF))
    return path


def run_limited(code: str, timeout: float = 60.0) -> dict:
    """Run ``code`` in a fresh interpreter under an 8 GB address-space limit.

    ``code`` runs with rxnn importable and must leave its outcome in a dict
    ``result``; the returned dict adds ``peak_rss_mb`` (``ru_maxrss`` at the
    end) and ``baseline_rss_mb`` (after the imports, before ``code``).
    """
    program = textwrap.dedent(
        """
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
        import numpy, rxnn, rxnn.io.model_file, rxnn.datasets.mnist, rxnn.io.formats
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result = {{}}
        exec(compile({code!r}, "<limited>", "exec"))
        result["baseline_rss_mb"] = baseline
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        """
    ).format(limit=ADDRESS_SPACE_LIMIT, code=textwrap.dedent(code))
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=timeout, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _npy(array) -> bytes:
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def measure() -> list[tuple[str, int, dict]]:
    """Peak RSS of the three headline refusals of issue 11, each in a fresh limited interpreter.

    Run as ``PYTHONPATH=src python tests/hostile_inputs.py`` from the repository root.
    """
    import io
    import math
    import tempfile

    import numpy as np

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (3, 4)})
        members = [
            bomb_member("W1.npy", header.getvalue(), 96), member("b1.npy", _npy(np.zeros(3))),
            member("activation.npy", _npy(np.array("relu"))), member("h.npy", _npy(np.array(math.nan))),
            member("q.npy", _npy(np.array(0))),
        ]
        npz = write_zip(folder / "bomb.npz", members)
        data, size = deflate_bomb(bytes([0, 0, 8, 1]) + (10000).to_bytes(4, "big"), 88)
        gz = write_gzip(folder / "t10k-labels-idx1-ubyte.gz", data, size)
        cases = [
            ("model file: 1.5 MB deflated .npz inflating to 1.6 GB", npz.stat().st_size,
             f"from rxnn.io.model_file import load_model, ModelFileError\ntry:\n    load_model({str(npz)!r})\n"
             "except ModelFileError as exc:\n    result['message'] = str(exc)"),
            ("MNIST: 1.4 MB .gz of t10k labels inflating to 1.5 GB", gz.stat().st_size,
             "from pathlib import Path\nfrom rxnn.datasets import _idx\n"
             "spec = next(s for s in _idx._SPECS if s.stem == 't10k-labels-idx1-ubyte')\n"
             f"try:\n    _idx._load_array(Path({str(folder)!r}), spec, verify=True)\n"
             "except _idx.MnistError as exc:\n    result['message'] = str(exc)"),
            ("text: rxnn convert /dev/zero (read_text, default max_bytes 200 MiB)", 0,
             "from rxnn.io.formats import read_text, FormatError\ntry:\n    read_text('/dev/zero')\n"
             "except FormatError as exc:\n    result['message'] = str(exc)"),
        ]
        for label, file_bytes, code in cases:
            out.append((label, file_bytes, run_limited(code)))
    return out


if __name__ == "__main__":
    for label, file_bytes, outcome in measure():
        extra = outcome["peak_rss_mb"] - outcome["baseline_rss_mb"]
        print(f"{label}: file {file_bytes:,} bytes; peak RSS {outcome['peak_rss_mb']:.1f} MB "
              f"(+{extra:.1f} MB over the {outcome['baseline_rss_mb']:.1f} MB after imports)\n    {outcome['message']}")
