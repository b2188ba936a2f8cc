"""The one input grammar (rxnn._inputs): mnist:I, mnist:I-J, mnist:train:I-J, random:N, FILE (issues 11, 13)."""

from pathlib import Path

import numpy as np
import pytest

from rxnn._inputs import MAX_FILE_BYTES, MAX_ROWS, InputSpecError, load_inputs, parse_input_spec
from rxnn.errors import LimitError, RxnnError

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.mark.parametrize(
    ("spec", "kind", "split", "first", "last", "count"),
    [
        ("mnist:7", "mnist", "test", 7, 7, 0),
        ("mnist:3-9", "mnist", "test", 3, 9, 0),
        ("mnist:train:29", "mnist", "train", 29, 29, 0),
        ("mnist:train:0-99", "mnist", "train", 0, 99, 0),
        ("mnist:test:5-6", "mnist", "test", 5, 6, 0),
        ("random:100", "random", "", 0, 0, 100),
        (f"random:{MAX_ROWS}", "random", "", 0, 0, MAX_ROWS),
    ],
)
def test_grammar_parses(spec, kind, split, first, last, count):
    parsed = parse_input_spec(spec)
    assert (parsed.kind, parsed.split, parsed.first, parsed.last, parsed.count) == (kind, split, first, last, count)


@pytest.mark.parametrize(
    ("spec", "error", "match"),
    [
        ("random:100000000", LimitError, r"--inputs 'random:100000000': N must be between 1 and 100000"),
        ("random:0", LimitError, r"--inputs 'random:0': N must be between 1 and 100000"),
        ("random:abc", InputSpecError, r"--inputs 'random:abc': N is not a whole number; write random:N"),
        ("random:-3", InputSpecError, r"--inputs 'random:-3'"),
        ("mnist:5-2", InputSpecError, r"--inputs 'mnist:5-2': the range runs backwards \(5 > 2\); .* mnist:2-5"),
        ("mnist:0-100000", LimitError, r"names 100001 images, over the limit of 100000"),
        ("mnist:x", InputSpecError, r"--inputs 'mnist:x': not an MNIST range; write mnist:I"),
        ("mnist:valid:1", InputSpecError, r"not an MNIST range"),
        ("mnist:1-", InputSpecError, r"not an MNIST range"),
        ("data.bin", InputSpecError, r"--inputs 'data.bin': neither mnist:..., random:N nor a .npy/.txt/.csv file"),
    ],
)
def test_every_refusal_is_one_line_naming_the_flag(spec, error, match):
    with pytest.raises(error, match=match) as info:
        parse_input_spec(spec)
    assert isinstance(info.value, RxnnError) and isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_the_flag_name_is_the_callers():
    with pytest.raises(InputSpecError, match=r"^--input 'random:abc'"):
        load_inputs("random:abc", 3, flag="--input")


def test_random_rows_are_seeded_uniform():
    x = load_inputs("random:5", 3)
    assert np.array_equal(x, np.random.default_rng(0).uniform(size=(5, 3)))


def test_mnist_ranges_match_the_dataset(monkeypatch):
    from rxnn.datasets.mnist import load_mnist

    monkeypatch.setenv("RXNN_DATA", str(SHARED_DATA))
    mnist = load_mnist(SHARED_DATA / "mnist")
    assert np.array_equal(load_inputs("mnist:3-5", 784), mnist.test.inputs([3, 4, 5]))
    assert np.array_equal(load_inputs("mnist:train:29", 784), mnist.train.inputs([29]))
    assert np.array_equal(load_inputs("mnist:9999", 784), mnist.test.inputs([9999]))
    with pytest.raises(InputSpecError, match=r"'mnist:0-99999': the test split has images 0..9999; use indices up to 9999"):
        load_inputs("mnist:0-99999", 784)
    with pytest.raises(InputSpecError, match=r"the train split has images 0..59999"):
        load_inputs("mnist:train:60000", 784)
    with pytest.raises(InputSpecError, match="MNIST images have 784 pixels but the network has 3 inputs"):
        load_inputs("mnist:0", 3)


def test_missing_mnist_is_one_line_naming_the_flag(monkeypatch, tmp_path):
    monkeypatch.setenv("RXNN_DATA", str(tmp_path))
    with pytest.raises(InputSpecError, match=r"^--inputs 'mnist:0': MNIST files not found"):
        load_inputs("mnist:0", 784)


def test_files_of_rows(tmp_path):
    rows = np.random.default_rng(1).uniform(size=(4, 3))
    np.save(tmp_path / "x.npy", rows)
    np.savetxt(tmp_path / "x.txt", rows)
    np.savetxt(tmp_path / "x.csv", rows, delimiter=",")
    for name in ("x.npy", "x.txt", "x.csv"):
        assert np.allclose(load_inputs(str(tmp_path / name), 3), rows, rtol=1e-15, atol=0), name
    np.save(tmp_path / "one.npy", rows[0])  # a 1-D array is one input
    assert load_inputs(str(tmp_path / "one.npy"), 3).shape == (1, 3)
    np.savetxt(tmp_path / "column.txt", rows[0])  # so is a column of c_0 numbers
    assert np.allclose(load_inputs(str(tmp_path / "column.txt"), 3), rows[:1])


def test_file_refusals_name_the_problem(tmp_path):
    def refused(path, match, error=InputSpecError, width=3):
        with pytest.raises(error, match=match) as info:
            load_inputs(str(path), width)
        assert str(info.value).startswith("--inputs ") and "\n" not in str(info.value)

    refused(tmp_path / "nope.txt", r"cannot read the file")
    (tmp_path / "dir.txt").mkdir()
    refused(tmp_path / "dir.txt", r"is not a regular file")
    np.savetxt(tmp_path / "wide.txt", np.ones((2, 4)))
    refused(tmp_path / "wide.txt", r"shape \(2, 4\) but the network has 3 inputs; give rows of 3 numbers")
    np.savetxt(tmp_path / "neg.txt", np.array([[0.1, -2.0, 0.3]]))
    refused(tmp_path / "neg.txt", r"row 0, entry 1 is -2.0; inputs are concentrations")
    (tmp_path / "nan.csv").write_text("0.1,nan,0.2\n")
    refused(tmp_path / "nan.csv", r"row 0, entry 1 is nan")
    (tmp_path / "words.txt").write_text("a b c\n")
    refused(tmp_path / "words.txt", r"not a table of numbers")
    (tmp_path / "empty.txt").write_text("")
    refused(tmp_path / "empty.txt", r"holds no numbers; give at least one row of 3 numbers")
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    refused(tmp_path / "objects.npy", r"holds object data; save a numeric")
    (tmp_path / "text.npy").write_text("not numpy")
    refused(tmp_path / "text.npy", r"not a valid .npy file")
    np.save(tmp_path / "cube.npy", np.zeros((2, 2, 3)))
    refused(tmp_path / "cube.npy", r"shape \(2, 2, 3\)")


def test_npy_header_is_checked_before_allocating(tmp_path):
    """A .npy declaring 10^12 rows is refused from its header: nothing of that size is allocated."""
    path = tmp_path / "huge.npy"
    with open(path, "wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": "<f8", "fortran_order": False, "shape": (10**12, 3)})
        handle.write(b"\0" * 24)
    with pytest.raises(LimitError, match=r"declares an array of shape \(1000000000000, 3\), over the limit"):
        load_inputs(str(path), 3)


def test_large_text_file_is_refused_by_size(tmp_path):
    path = tmp_path / "big.txt"
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    with pytest.raises(LimitError, match=f"the file has {MAX_FILE_BYTES + 1} bytes, over the limit"):
        load_inputs(str(path), 3)


def test_width_is_checked():
    with pytest.raises(ValueError, match="width of load_inputs must be a positive integer"):
        load_inputs("random:2", 0)
