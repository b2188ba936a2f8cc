"""Fuzz of the ``rxnn`` command line: random argv for every command, run through ``rxnn.cli.main`` in-process.

The argv mix valid flags with junk values, missing files, folders, devices and
other odd paths. The only outcomes allowed are an exit status (0 success,
1 negative verdict, 2 error; ``check`` also has 3, undecided) or argparse's
own ``SystemExit(2)``, with no traceback and no "internal error" on standard
error. Loading MNIST is replaced by an immediate MnistError (nothing is
fetched and no network is trained on real data); every other code path is the
real one. Bounded: a few dozen examples per command, no deadline per example,
derandomized so that the suite gives the same verdict on every run.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rxnn.datasets._cli as data_cli
import rxnn.datasets.mnist as mnist
from rxnn import FeedForwardNetwork, SmoothReLU
from rxnn.cli import main
from rxnn.datasets.mnist import MnistError
from rxnn.io.model_file import save_model

FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture])

JUNK = ["", "-", "-1", "0", "1", "nan", "inf", "1e309", "100000000", "abc", "1_0", "٣", "x" * 300, "--", "a b",
        "/dev/null", "/dev/zero", "/proc/x.json", "/", "/tmp"]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    """Files of every kind the commands read, in a folder of their own."""
    root = tmp_path_factory.mktemp("fuzz")
    model = save_model(FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=0), root / "m.npz")
    (root / "net.txt").write_text("X -> Y ; 2\nY -> 0\n")
    (root / "net.json").write_text('{"reactions": [{"reactants": {"X": 1}, "products": {}, "rate": 1.0}]}')
    (root / "empty.txt").write_text("")
    (root / "junk.npz").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "junk.xml").write_text("<sbml><model>")
    (root / "afile").write_text("a file")
    np.save(root / "in.npy", np.array([[0.1, 0.2, 0.3]]))
    np.savetxt(root / "in.txt", np.array([[0.1, 0.2, 0.3]]))
    return {
        "model": str(model), "net_txt": str(root / "net.txt"), "net_json": str(root / "net.json"),
        "empty": str(root / "empty.txt"), "junk_npz": str(root / "junk.npz"), "junk_xml": str(root / "junk.xml"),
        "afile_child": str(root / "afile" / "x.json"), "missing": str(root / "missing.txt"), "folder": str(root),
        "in_npy": str(root / "in.npy"), "in_txt": str(root / "in.txt"), "out_json": str(root / "out" / "o.json"),
        "root": str(root),
    }


@pytest.fixture
def offline(monkeypatch):
    """MNIST is never loaded or fetched: every attempt is a clean MnistError."""

    def no_mnist(*args, **kwargs):
        raise MnistError("MNIST files not found (fuzz test: loading is disabled); pass --data DIR")

    monkeypatch.setattr(mnist, "load_mnist", no_mnist)
    monkeypatch.setattr(data_cli, "fetch_mnist", no_mnist)
    import importlib

    # rxnn.experiments.reproduce binds load_mnist when imported: patch its name too
    monkeypatch.setattr(importlib.import_module("rxnn.experiments.reproduce"), "load_mnist", no_mnist)


def paths(files: dict[str, str]) -> st.SearchStrategy[str]:
    keys = ["model", "net_txt", "net_json", "empty", "junk_npz", "junk_xml", "afile_child", "missing", "folder"]
    return st.sampled_from([files[k] for k in keys] + JUNK)


def flags(options: dict[str, st.SearchStrategy[str] | None]) -> st.SearchStrategy[list[str]]:
    """Some of ``options`` (a flag -> value strategy, None for a switch) in random order."""

    def build(chosen: list[tuple[str, str | None]]) -> list[str]:
        out: list[str] = []
        for flag, value in chosen:
            out += [flag] if value is None else [flag, value]
        return out

    items = [st.tuples(st.just(flag), st.none() if values is None else values) for flag, values in options.items()]
    return st.lists(st.one_of(*items), max_size=5).map(build)


def numbers(*valid: str) -> st.SearchStrategy[str]:
    return st.sampled_from(list(valid) + JUNK)


def run(argv: list[str], capsys, allowed=(0, 1, 2)) -> None:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse refusing an argument, as designed
        status = exc.code
        assert status == 2, (argv, status)
    err = capsys.readouterr().err
    assert status in allowed, (argv, status, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)


def in_folder(folder: str):
    class Chdir:
        def __enter__(self):
            self.old = os.getcwd()
            os.chdir(folder)

        def __exit__(self, *exc):
            os.chdir(self.old)

    return Chdir()


@FUZZ
@given(data=st.data())
def test_fuzz_convert(files, offline, capsys, data):
    src = data.draw(paths(files))
    dst = data.draw(st.sampled_from([files["out_json"], files["root"] + "/o.txt", files["root"] + "/o.xml"] + JUNK
                                    + [files["afile_child"]]))
    opts = data.draw(flags({"--from": st.sampled_from(["text", "json", "sbml", "antimony", "x"]),
                            "--to": st.sampled_from(["text", "json", "sbml", "antimony", "x"])}))
    with in_folder(files["root"]):
        run(["convert", src, dst, *opts], capsys)


@FUZZ
@given(data=st.data())
def test_fuzz_compile(files, offline, capsys, data):
    model = data.draw(paths(files))
    opts = data.draw(flags({
        "--to": st.sampled_from(["text", "json", "sbml", "antimony"]),
        "-o": st.sampled_from([files["out_json"], files["afile_child"], "-"] + JUNK),
        "--inputs": st.sampled_from([files["in_npy"], files["in_txt"], "mnist:0", "mnist:-1", "mnist:train:2",
                                    "mnist:x", files["missing"]] + JUNK),
        "--absorb": None,
        "--nodes": numbers("1", "0.5", "-1"),
    }))
    with in_folder(files["root"]):
        run(["compile", model, *opts], capsys)


@FUZZ
@given(data=st.data())
def test_fuzz_train(files, offline, capsys, data):
    opts = data.draw(flags({
        "--hidden": numbers("40", "5", "100000000"),
        "--batch-size": numbers("300", "1000000000"),
        "--iterations": numbers("10", "1000000000"),
        "--h": numbers("1", "0", "-1"),
        "--q": numbers("2", "3", "1000"),
        "--eta": numbers("0.1", "-1"),
        "--seed": numbers("1234"),
        "--model": paths(files),
        "--checkpoint": paths(files),
        "--forward": st.sampled_from(["closed", "crn", "x"]),
        "--blas-threads": numbers("1", "2", "100000"),
        "--inputs": st.sampled_from(["mnist:0-9", "mnist:train:0-4", "random:3", "mnist:9-0"]),
    }))
    with in_folder(files["root"]):
        run(["train", "-q", *opts], capsys)


@FUZZ
@given(data=st.data())
def test_fuzz_reproduce(files, offline, capsys, data):
    opts = data.draw(flags({
        "--out": st.sampled_from([files["root"] + "/results", files["afile_child"], files["model"]] + JUNK),
        "--seeds": numbers("1", "1000000"),
        "--workers": numbers("0", "2", "100000"),
        "--blas-threads": numbers("1", "100000"),
        "--quick": None,
        "--data": paths(files),
    }))
    with in_folder(files["root"]):
        run(["reproduce", "-q", *opts], capsys)


@FUZZ
@given(data=st.data())
def test_fuzz_stochastic_accuracy(files, offline, capsys, data):
    model = data.draw(paths(files))
    opts = data.draw(flags({
        "--volumes": numbers("1", "100", "-1"),
        "--inputs": st.sampled_from(["mnist:0-1", "random:2", "mnist:x"]),
        "--t-end": numbers("5"),
        "--method": st.sampled_from(["auto", "ssa", "tau-leap", "x"]),
        "--repeats": numbers("1", "1000000000"),
        "--workers": numbers("1", "100000"),
        "--out": st.sampled_from([files["root"] + "/stoch", files["afile_child"], files["model"]] + JUNK),
        "--data": paths(files),
    }))
    with in_folder(files["root"]):
        run(["stochastic-accuracy", model, "-q", *opts], capsys)


@FUZZ
@given(data=st.data())
def test_fuzz_data_fetch(files, offline, capsys, data):
    dataset = data.draw(st.sampled_from(["mnist", "cifar", ""]))
    opts = data.draw(flags({"--from": paths(files), "--data": paths(files), "--no-npm": None, "--no-mirrors": None}))
    run(["data", "fetch", dataset, "-q", *opts], capsys)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_verify(files, offline, capsys, data):
    model = data.draw(paths(files))
    opts = data.draw(flags({
        "--inputs": st.sampled_from([files["in_npy"], files["in_txt"], "random:2", "random:0", "random:abc",
                                     "mnist:5-2", files["missing"]] + JUNK),
        "--tol": numbers("1e-6", "-1"),
        "--seed": numbers("0"),
    }))
    with in_folder(files["root"]):
        run(["verify", model, *opts], capsys)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_check(files, offline, capsys, data):
    target = data.draw(st.sampled_from(["1 - 2*x**3", "h - x**2", "x", "1 -", "x**", files["net_txt"],
                                        files["empty"], files["missing"], files["junk_xml"]] + JUNK[:12]))
    opts = data.draw(flags({"--polynomial": None, "--network": None, "--x": st.sampled_from(["x", "y", "1", ""]),
                            "--y-bound": numbers("10", "-1"), "--value": st.sampled_from(["h=1", "h", "=2", "h=x"])}))
    with in_folder(files["root"]):
        run(["check", target, *opts], capsys, allowed=(0, 1, 2, 3))
