"""The text and JSON readers against hostile files: devices, FIFOs, huge numbers, duplicate keys, dense nesting.

Each example of issue 11 for these readers is a test with its expected refusal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hostile_inputs import SRC, run_limited
from rxnn import Reaction, ReactionNetwork
from rxnn._bounded_read import InputFileNotFoundError, NotAFileError, read_limited
from rxnn.errors import LimitError, RxnnError
from rxnn.io.formats import FormatError, check_file_size, read_file_bytes, read_text
from rxnn.io.json_format import NetworkJSONError, read_json, to_json_dict


def valid_json(**changes):
    data = to_json_dict(ReactionNetwork.from_text("X + Y -> 2Y ; 1.5\nY -> 0"), {"X": 1.0})
    data.update(changes)
    return data


# ---- non-regular files: counted reads --------------------------------------------------------------


@pytest.mark.parametrize("reader", [read_text, read_json])
def test_dev_zero_is_refused_by_a_counted_read(reader):
    with pytest.raises(FormatError, match=r"'/dev/zero' holds more than 4,096 bytes, the limit of read_"):
        reader("/dev/zero", max_bytes=4096)


def test_convert_dev_zero_from_text_is_refused_by_size_within_memory():
    # The issue: `rxnn convert /dev/zero out.txt --from text` ended in MemoryError.
    outcome = run_limited(
        """
        from rxnn.io.formats import read_text, FormatError
        try:
            read_text("/dev/zero")
        except FormatError as exc:
            result["message"] = str(exc)
        """
    )
    assert "'/dev/zero' holds more than 209,715,200 bytes, the limit of read_text" in outcome["message"]
    assert outcome["peak_rss_mb"] - outcome["baseline_rss_mb"] < 200 + 2 + 16  # the limit, one chunk, slack


def test_cli_convert_dev_zero_prints_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "rxnn.cli", "convert", "/dev/zero", str(tmp_path / "out.txt"), "--from", "text"],
        capture_output=True, text=True, encoding="utf-8", errors="replace", env={**os.environ, "PYTHONPATH": str(SRC)}, timeout=120, check=False,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "rxnn convert: error: '/dev/zero' holds more than 209,715,200 bytes, the limit of read_text; "
        "if the file is trusted, pass a larger max_bytes"
    ]
    assert not (tmp_path / "out.txt").exists()


def test_endless_fifo_is_refused_after_max_bytes(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def write_forever() -> None:
        try:
            with open(fifo, "wb") as f:
                while True:
                    f.write(b"X -> Y\n" * 1000)
        except (BrokenPipeError, OSError):
            return

    writer = threading.Thread(target=write_forever, daemon=True)
    writer.start()
    with pytest.raises(FormatError, match=r"holds more than 100,000 bytes, the limit of read_text"):
        read_text(fifo, max_bytes=100_000)
    writer.join(timeout=10)
    assert not writer.is_alive()


def test_fifo_with_a_small_network_is_read(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def write_once() -> None:
        with open(fifo, "wb") as f:
            f.write(b"X + Y -> 2Y ; 0.5\n")

    writer = threading.Thread(target=write_once, daemon=True)
    writer.start()
    network, _ = read_text(fifo)
    writer.join(timeout=10)
    assert network == ReactionNetwork.from_text("X + Y -> 2Y ; 0.5")


def test_check_file_size_refuses_non_regular_files():
    # Callers of check_file_size read the whole file afterwards, so a device must not pass as 0 bytes.
    with pytest.raises(FormatError, match=r"'/dev/zero' is not a regular file, so f cannot bound its size"):
        check_file_size(Path("/dev/zero"), 10, "f")


def test_regular_file_over_the_limit_is_refused_from_its_size(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("X -> Y\n" * 100)
    with pytest.raises(FormatError, match=r"is 700 bytes, over the limit of 100 bytes of read_text; .*max_bytes=700"):
        read_text(path, max_bytes=100)


def test_missing_file_and_directory_are_rxnn_errors(tmp_path):
    with pytest.raises(InputFileNotFoundError) as info:
        read_text(tmp_path / "absent.txt")
    assert isinstance(info.value, FileNotFoundError) and info.value.filename == str(tmp_path / "absent.txt")
    with pytest.raises(NotAFileError, match="is a directory"):
        read_json(tmp_path)


@pytest.mark.parametrize("max_bytes", [0, -1, 1.5, True, "10"])
def test_max_bytes_is_validated(tmp_path, max_bytes):
    with pytest.raises(ValueError, match="max_bytes of read_text must be a positive integer") as info:
        read_file_bytes(tmp_path / "x", max_bytes, "read_text")
    assert isinstance(info.value, RxnnError)


def test_read_limited_default_error_is_limit_error():
    with pytest.raises(LimitError):
        read_limited("/dev/zero", 10, func="f")


def test_text_file_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"X -> Y\n\xff")
    with pytest.raises(FormatError, match=r"is not UTF-8 text \(byte 7\); the text format is UTF-8"):
        read_text(path)


# ---- JSON: numbers, keys, nesting -------------------------------------------------------------------


def write(tmp_path, content: str | bytes) -> Path:
    path = tmp_path / "m.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def dumps_with(data, placeholder: str, raw: str) -> str:
    return json.dumps(data).replace(json.dumps(placeholder), raw)


@pytest.mark.parametrize(
    "raw, match",
    [
        ("1" + "0" * 400, r"reactions\[0\]\.rate must be a positive finite number .*got 1000000000000000\.\.\. \(401 characters\)"),
        ("1e400", r"reactions\[0\]\.rate must be a positive finite number or a parameter name; got inf"),
        ("-1e400", r"reactions\[0\]\.rate must be a positive finite number"),
        ("1" + "0" * 5000, r"is not valid JSON: Exceeds the limit \(4300 digits\)"),
    ],
)
def test_json_rates_beyond_the_float_range(tmp_path, raw, match):
    data = valid_json()
    data["reactions"][0]["rate"] = "PLACEHOLDER"
    with pytest.raises(NetworkJSONError, match=match):
        read_json(write(tmp_path, dumps_with(data, "PLACEHOLDER", raw)))


def test_json_initial_beyond_the_float_range(tmp_path):
    data = valid_json(initial={"X": "PLACEHOLDER"})
    with pytest.raises(NetworkJSONError, match=r"initial\['X'\] must be a finite concentration >= 0; got 1000000000000000"):
        read_json(write(tmp_path, dumps_with(data, "PLACEHOLDER", "1" + "0" * 400)))


@pytest.mark.parametrize("coefficient", [2**63, 10**400, 1000001, 0, -1])
def test_json_coefficients_outside_the_shared_limit(tmp_path, coefficient):
    data = valid_json()
    data["reactions"][0]["reactants"]["X"] = coefficient
    with pytest.raises(NetworkJSONError, match=r"reactions\[0\]\.reactants\['X'\] must be a positive integer coefficient "
                                               r"\(at most MAX_COEFFICIENT = 1000000\)"):
        read_json(write(tmp_path, json.dumps(data)))


@pytest.mark.parametrize(
    "text, key",
    [
        ('{"format": "rxnn-network", "format": "rxnn-network", "version": 1, "species": [], "reactions": []}', "format"),
        ('{"format": "rxnn-network", "version": 1, "species": ["X"], "reactions": '
         '[{"reactants": {"X": 1}, "products": {}, "rate": 1, "rate": 2}]}', "rate"),
        ('{"format": "rxnn-network", "version": 1, "species": ["X"], "reactions": '
         '[{"reactants": {"X": 1, "X": 2}, "products": {}}]}', "X"),
    ],
)
def test_json_duplicate_keys_are_refused_naming_the_key(tmp_path, text, key):
    with pytest.raises(NetworkJSONError, match=rf"an object repeats the key '{key}'; give each key once"):
        read_json(write(tmp_path, text))


@pytest.mark.parametrize(
    "content, match",
    [
        (b"[" * 1_000_000, r"holds 1,000,000 JSON arrays/objects in 1,000,000 bytes"),
        (b"{}," * 300_000, r"JSON arrays/objects in 900,000 bytes"),
        (b"[" + b" " * 9 + b"[" * 0 + (b"[         " * 200_000), r"nests arrays or objects too deeply"),
    ],
)
def test_json_dense_or_deep_nesting(tmp_path, content, match):
    with pytest.raises(NetworkJSONError, match=match):
        read_json(write(tmp_path, content))


def test_json_valid_file_still_reads(tmp_path):
    network, initial = read_json(write(tmp_path, json.dumps(valid_json())))
    assert network == ReactionNetwork.from_text("X + Y -> 2Y ; 1.5\nY -> 0") and initial == {"X": 1.0}


def test_most_compact_valid_json_is_not_refused_as_dense(tmp_path):
    net = ReactionNetwork([Reaction({"A": k}, {}) for k in range(1, 2001)])
    compact = json.dumps(to_json_dict(net), separators=(",", ":"))
    assert read_json(write(tmp_path, compact))[0] == net


def test_json_decoding_memory_is_bounded_by_the_file_size(tmp_path):
    # The densest input the reader decodes: one-key objects, one per 10 bytes (about 10 MB here).
    path = write(tmp_path, "[" + ",".join(['{"abc":1}'] * 1_000_000) + "]")
    outcome = run_limited(
        f"""
        from rxnn.io.json_format import read_json, NetworkJSONError
        try:
            read_json({str(path)!r})
        except NetworkJSONError as exc:
            result["message"] = str(exc)
        """
    )
    assert "the top level must be an object" in outcome["message"]
    assert (outcome["peak_rss_mb"] - outcome["baseline_rss_mb"]) * 2**20 < 25 * path.stat().st_size, outcome


def test_text_parsing_memory_is_bounded_by_the_file_size(tmp_path):
    # The worst case per byte: one new species per short line. Before the column-wise parser, 1M such
    # lines (12.9 MB) took +780 MB (60 bytes per byte); now about 30, so 200 MiB stays under 8 GB.
    path = tmp_path / "big.txt"
    path.write_text("".join(f"A{i} -> 0\n" for i in range(200_000)))
    outcome = run_limited(
        f"""
        from rxnn.io.formats import read_text
        result["n"] = read_text({str(path)!r})[0].n_reactions
        """,
        timeout=300,
    )
    assert outcome["n"] == 200_000
    assert (outcome["peak_rss_mb"] - outcome["baseline_rss_mb"]) * 2**20 < 40 * path.stat().st_size, outcome
