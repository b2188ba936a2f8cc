"""The ``rxnn`` command line: help, version, verify and error handling."""

import subprocess
import sys

import numpy as np
import pytest

from rxnn import FeedForwardNetwork, SmoothReLU, __version__
from rxnn.cli import main
from rxnn.io.model_file import save_model


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and __version__ in capsys.readouterr().out
    assert main([]) == 0
    assert "verify" in capsys.readouterr().out


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "rxnn.cli", "--help"], capture_output=True, text=True, encoding="utf-8", errors="replace", check=True)
    assert "verify" in out.stdout and "data" in out.stdout


def test_verify_command(tmp_path, capsys):
    model = tmp_path / "net.npz"
    save_model(FeedForwardNetwork.random([3, 4, 2], SmoothReLU(1.0), seed=0), model)
    inputs = tmp_path / "inputs.txt"
    np.savetxt(inputs, np.random.default_rng(0).uniform(size=(2, 3)))
    assert main(["verify", str(model), "--inputs", str(inputs)]) == 0
    out = capsys.readouterr().out
    assert "verdict: PASSED" in out and "Compiled 3-4-2 network" in out


def test_verify_reports_a_bad_model_file_in_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    assert main(["verify", str(bad), "--inputs", "random:1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rxnn verify: error:") and "bad.npz" in err and "Traceback" not in err
