"""Checkpoints that do not fit their configuration, corrupt archives and thread counts (rxnn.experiments._checkpoint).

Every bad checkpoint must end in one CheckpointError naming the file and the
problem, before any array is allocated beyond what the configuration implies;
through ``rxnn train --checkpoint`` it is one error line and exit status 2.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from rxnn.cli import main
from rxnn.experiments.training import ArrayDataset, CheckpointError, TrainingConfig, read_checkpoint, train

SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
SMALL = TrainingConfig(layer_sizes=(4, 6, 3), batch_size=16, iterations=30, eta=0.05, seed=7)


def blobs(n: int = 120) -> ArrayDataset:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, n)
    return ArrayDataset(np.eye(4)[labels] + 0.1 * rng.random((n, 4)), labels)


@pytest.fixture
def checkpoint(tmp_path) -> Path:
    path = tmp_path / "run.npz"
    with pytest.raises(KeyboardInterrupt):
        train(SMALL, blobs(), checkpoint=path, callback=_interrupt_at(12))
    return path


def _interrupt_at(k: int):
    def callback(done: int, cost: float, correct: int) -> None:
        if done == k:
            raise KeyboardInterrupt

    return callback


def members(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return {k: archive[k] for k in archive.files}


def rewrite(path: Path, arrays: dict[str, np.ndarray], header: dict | None = None) -> None:
    arrays = dict(arrays)
    if header is not None:
        arrays["header"] = np.array(json.dumps(header))
    np.savez(path, **arrays)


def header_of(arrays: dict[str, np.ndarray]) -> dict:
    return json.loads(str(arrays["header"][()]))


def test_a_fresh_checkpoint_reads_back(checkpoint):
    result = read_checkpoint(checkpoint)
    assert result.resumed_from == 12 and result.network.layer_sizes == (4, 6, 3)
    assert header_of(members(checkpoint))["blas_threads"] == 1


def test_arrays_of_another_width_are_refused(checkpoint):
    # the example in small: 4-7-3 arrays under a 4-6-3 configuration (784-41-10 under 784-40-10)
    arrays = members(checkpoint)
    rng = np.random.default_rng(1)
    arrays.update(W1=rng.normal(size=(7, 4)), b1=rng.normal(size=7), W2=rng.normal(size=(3, 7)))
    rewrite(checkpoint, arrays)
    with pytest.raises(CheckpointError, match=r"member 'W1': must have length 6 on axis 0; got shape \(7, 4\)"):
        train(SMALL, blobs(), checkpoint=checkpoint)


def test_an_iteration_beyond_the_run_is_refused(checkpoint):
    arrays = members(checkpoint)
    header = header_of(arrays)
    header["iteration"] = 10**6
    arrays["cost"], arrays["correct"] = np.zeros(10**6), np.zeros(10**6, dtype=np.int64)
    rewrite(checkpoint, arrays, header)
    with pytest.raises(CheckpointError, match=r"iteration is 1000000; it must be an integer from 0 to 30"):
        train(SMALL, blobs(), checkpoint=checkpoint)


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda a, h: h.update(iteration=-1), "iteration is -1"),
        (lambda a, h: h.update(iteration="12"), "iteration is 12; it must be an integer"),
        (lambda a, h: h.update(snapshots=[13]), r"snapshots \[13\] must be distinct iterations from 0 to 12"),
        (lambda a, h: h.update(seconds=float("nan")), "seconds is nan"),
        (lambda a, h: h.update(batch_rng={"bit_generator": "PCG64", "state": "x"}), "batch generator state is invalid"),
        (lambda a, h: h.update(format="other"), "not an rxnn training checkpoint"),
        (lambda a, h: h.update(version=7), "checkpoint version 7"),
        (lambda a, h: h.update(extra=1), r"unknown keys \['extra'\]"),
        (lambda a, h: h["config"].update(layer_sizes=[4, 10**9, 3]), "MAX_LAYER_WIDTH"),
        (lambda a, h: a.update(cost=np.zeros(11)), r"member 'cost': must have length 12"),
        (lambda a, h: a.update(W2=np.full((3, 6), np.nan)), "hold NaN or infinite values"),
        (lambda a, h: a.update(W2=np.zeros((3, 6), dtype=object)), "object"),
        (lambda a, h: a.pop("b2"), "missing key"),
        (lambda a, h: a.update(W3=np.zeros(2)), "unexpected key"),
    ],
)
def test_inconsistent_checkpoints_are_refused(checkpoint, change, match):
    arrays = members(checkpoint)
    header = header_of(arrays)
    change(arrays, header)
    if any(a.dtype == object for a in arrays.values()):
        arrays = {k: v for k, v in arrays.items() if v.dtype != object}
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, np.zeros((3, 6), dtype=object), allow_pickle=True)
        rewrite(checkpoint, arrays, header)
        with zipfile.ZipFile(checkpoint, "a") as z:
            z.writestr("W2.npy", buffer.getvalue())
    else:
        rewrite(checkpoint, arrays, header)
    with pytest.raises(CheckpointError, match=match) as info:
        read_checkpoint(checkpoint)
    assert str(checkpoint) in str(info.value) and "\n" not in str(info.value)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip_member_bytes(path: Path) -> None:
    # corrupt the compressed stream of one member (deflated archive): zlib.error or a CRC mismatch
    arrays = members(path)
    np.savez_compressed(path, **arrays)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("W1.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 5, start + min(info.compress_size, 60)):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _bomb(path: Path) -> None:
    # W1's header declares (6, 4) float64 but 50 MB of zeros follow, deflated to a few kB
    arrays = members(path)
    np.savez_compressed(path, **{k: v for k, v in arrays.items() if k != "W1"})
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": (6, 4)})
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("W1.npy", buffer.getvalue() + bytes(50 * 2**20))


@pytest.mark.parametrize(
    "damage, match",
    [
        (_truncate, "zip"),
        (_flip_member_bytes, "corrupt|header|data"),
        (_bomb, "more data than the 192 bytes its header declares"),
        (lambda p: p.write_text("X -> Y\n"), "not a zip archive"),
    ],
)
def test_corrupt_archives_are_one_checkpoint_error(checkpoint, damage, match, capsys):
    damage(checkpoint)
    with pytest.raises(CheckpointError, match=match):
        read_checkpoint(checkpoint)
    # and through the command line: one line, exit status 2, nothing trained
    status = main(["train", "--checkpoint", str(checkpoint), "--model", str(checkpoint.parent / "m.npz"),
                   "--iterations", "30", "--data", str(SHARED_MNIST), "-q"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_resume_with_another_blas_thread_count_is_refused(checkpoint):
    with pytest.raises(CheckpointError, match=r"written with 1 BLAS thread\(s\), not 2; resume with blas_threads=1"):
        train(SMALL, blobs(), checkpoint=checkpoint, blas_threads=2)
    # the recorded count resumes and ends where an uninterrupted run ends
    assert train(SMALL, blobs(), checkpoint=checkpoint).network == train(SMALL, blobs()).network


def test_a_checkpoint_without_a_thread_count_resumes_with_a_warning(checkpoint):
    arrays = members(checkpoint)
    header = header_of(arrays)
    del header["blas_threads"]
    rewrite(checkpoint, arrays, header)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = train(SMALL, blobs(), checkpoint=checkpoint)
    assert any("does not record its BLAS thread count" in str(w.message) for w in caught)
    assert result.resumed_from == 12 and result.network == train(SMALL, blobs()).network
