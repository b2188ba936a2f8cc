"""Fuzzing IDX files: any mutation of a valid raw or gzipped IDX file gives an array or a MnistError."""

from __future__ import annotations

import gzip

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hostile_inputs import run_limited
from rxnn.datasets.mnist import MnistError, read_idx

IMAGES = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
RAW = bytes([0, 0, 8, 3]) + b"".join(n.to_bytes(4, "big") for n in IMAGES.shape) + IMAGES.tobytes()
VALID = {False: RAW, True: gzip.compress(RAW, mtime=0)}


@st.composite
def mutations(draw):
    zipped = draw(st.booleans())
    content = bytearray(VALID[zipped])
    for _ in range(draw(st.integers(1, 6))):
        # Half the changes land in the first 40 bytes: magic, dimensions, gzip header.
        limit = 40 if draw(st.booleans()) else len(content)
        content[draw(st.integers(0, min(limit, len(content)) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        content = content[: draw(st.integers(0, len(content)))]
    return bytes(content)


@settings(max_examples=300, deadline=None)
@given(mutations())
def test_mutated_idx_gives_an_array_or_a_mnist_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("idx") / "f.idx"
    path.write_bytes(content)
    try:
        array = read_idx(path)
    except MnistError:
        return
    assert array.dtype == np.uint8 and array.nbytes <= 64 * 2**20


def test_valid_files_read_back(tmp_path):
    # The baseline of the fuzzing: both files are valid and give the images written.
    for zipped, content in VALID.items():
        path = tmp_path / f"f{int(zipped)}"
        path.write_bytes(content)
        np.testing.assert_array_equal(read_idx(path), IMAGES)


def test_mutation_campaign_under_memory_limit(tmp_path):
    # Dimension bytes set at random can declare up to 2**96 bytes: all refused before allocation.
    (tmp_path / "raw").write_bytes(VALID[False])
    (tmp_path / "gz").write_bytes(VALID[True])
    outcome = run_limited(
        f"""
        import numpy as np
        from pathlib import Path
        from rxnn.datasets.mnist import read_idx, MnistError
        rng = np.random.default_rng(5)
        folder = Path({str(tmp_path)!r})
        valid = [(folder / "raw").read_bytes(), (folder / "gz").read_bytes()]
        counts = {{"array": 0, "refused": 0}}
        for i in range(400):
            content = bytearray(valid[i % 2])
            for position in rng.integers(0, 40, size=rng.integers(1, 6)):
                content[position] = int(rng.integers(0, 256))
            path = folder / "m"
            path.write_bytes(bytes(content))
            try:
                read_idx(path)
                counts["array"] += 1
            except MnistError:
                counts["refused"] += 1
        result.update(counts)
        """,
        timeout=300,
    )
    assert outcome["array"] + outcome["refused"] == 400 and outcome["refused"] > 200
    assert outcome["peak_rss_mb"] - outcome["baseline_rss_mb"] < 64 + 16, outcome
