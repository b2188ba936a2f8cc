"""The bounded .npz reader's own API (rxnn._npz), as model files and checkpoints use it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rxnn.errors import RxnnError
from rxnn._npz import ArraySpec, NpzArchive, NpzError, read_npz


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "a.npz"
    header = json.dumps({"layers": [3, 2], "snapshots": [5]})
    np.savez(path, header=np.array(header), W=np.ones((2, 3)), b=np.zeros(2), snapshot5_W=np.full((2, 3), 5.0))
    return path


def test_header_first_then_the_members_it_names(archive):
    # The checkpoint pattern: read a small JSON header, derive the expected members, then read those.
    with NpzArchive(archive, error=NpzError, what="checkpoint", fix="delete it") as npz:
        header = json.loads(str(npz.read("header", ArraySpec("U", ()), max_bytes=1 << 16)))
        c1, c0 = header["layers"][1], header["layers"][0]
        specs = {"header": ArraySpec("U", ()), "W": ArraySpec("f", (c1, c0)), "b": ArraySpec("f", (c1,))}
        specs.update({f"snapshot{s}_W": ArraySpec("f", (c1, c0)) for s in header["snapshots"]})
        npz.check(specs)
        arrays = {key: npz.read(key) for key in specs}
    assert arrays["snapshot5_W"].tolist() == [[5.0] * 3] * 2


def test_callable_expectation_sees_only_names(archive):
    seen = []

    def expected(keys):
        seen.append(keys)
        return {key: ArraySpec("fU") for key in keys}

    arrays = read_npz(archive, expected)
    assert seen == [("header", "W", "b", "snapshot5_W")] and set(arrays) == set(seen[0])


def test_named_dimensions_must_agree(archive):
    specs = {"header": ArraySpec("U"), "W": ArraySpec("f", ("m", "n")), "b": ArraySpec("f", ("n",)),
             "snapshot5_W": ArraySpec("f")}
    with pytest.raises(NpzError, match=r"member 'b': has length 2 on axis 0 where 'W' has 3 \(dimension n\)"):
        read_npz(archive, specs)


def test_total_declared_size_is_bounded(archive):
    with pytest.raises(NpzError, match=r"arrays declare \d+ bytes, more than the limit of 100"):
        read_npz(archive, lambda keys: {key: ArraySpec("fU") for key in keys}, max_bytes=100)


def test_messages_name_file_member_and_fix(archive):
    with pytest.raises(NpzError, match=r"^checkpoint '.*a\.npz', member 'W': must have dtype kind 'i'; got dtype float64; delete it$"):
        read_npz(archive, lambda keys: {key: ArraySpec("i" if key == "W" else "fU") for key in keys},
                 what="checkpoint", fix="delete it")


def test_missing_and_unexpected_keys(archive):
    with pytest.raises(NpzError, match=r"missing key\(s\) extra"):
        read_npz(archive, {"header": ArraySpec("U"), "W": ArraySpec("f"), "b": ArraySpec("f"),
                           "snapshot5_W": ArraySpec("f"), "extra": ArraySpec("f")})
    with pytest.raises(NpzError, match=r"unexpected key\(s\) snapshot5_W"):
        read_npz(archive, {"header": ArraySpec("U"), "W": ArraySpec("f"), "b": ArraySpec("f")})


def test_default_error_is_an_rxnn_value_error(tmp_path):
    with pytest.raises(NpzError, match="no such file") as info:
        read_npz(tmp_path / "absent.npz", {})
    assert isinstance(info.value, RxnnError) and isinstance(info.value, ValueError)
