"""Tests of rxnn.io.model_file: round trips, the file layout, and every way a file can be bad."""

from __future__ import annotations

import math
import pickle
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from rxnn.io.model_file import ModelFileError, load_model, save_model
from rxnn.nn import FeedForwardNetwork, PolynomialActivation, ReLU, Sigmoid, SmoothReLU
from rxnn.nn.activations import Activation


def net_with(activation, sizes=(4, 3, 2)):
    return FeedForwardNetwork.random(list(sizes), activation, seed=99)


def write_npz(path, **arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def valid_arrays(activation=SmoothReLU(1.0)):
    """The arrays of a valid model file, as a dict to corrupt one entry at a time."""
    net = net_with(activation)
    arrays = {"W1": net.weights[0], "W2": net.weights[1], "b1": net.biases[0], "b2": net.biases[1]}
    arrays["activation"] = np.array(activation.name)
    arrays["h"] = np.array(activation.params.get("h", math.nan))
    arrays["q"] = np.array(activation.params.get("q", 0))
    return arrays


@pytest.mark.parametrize(
    "activation",
    [SmoothReLU(1.0), SmoothReLU(0.0), ReLU(), Sigmoid(), PolynomialActivation(3, 1.0), PolynomialActivation(5, 0.01)],
    ids=repr,
)
@pytest.mark.parametrize("sizes", [(3, 1), (4, 3, 2), (5, 4, 3, 2)])
def test_round_trip(tmp_path, activation, sizes):
    net = net_with(activation, sizes)
    path = save_model(net, tmp_path / "model.npz")
    loaded = load_model(path)
    assert loaded == net
    assert loaded.activation == activation
    data = np.random.default_rng(0).normal(size=(3, sizes[0]))
    np.testing.assert_array_equal(loaded(data), net(data))


def test_file_layout(tmp_path):
    net = net_with(PolynomialActivation(4, 2.5), (5, 4, 3, 2))
    save_model(net, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        assert sorted(data.files) == ["W1", "W2", "W3", "activation", "b1", "b2", "b3", "h", "q"]
        assert str(data["activation"]) == "polynomial"
        assert float(data["h"]) == 2.5 and int(data["q"]) == 4
        assert data["q"].dtype.kind == "i"
        np.testing.assert_array_equal(data["W2"], net.weights[1])
        assert data["W2"].shape == (3, 4)  # (c_l, c_{l-1}), §3.2


@pytest.mark.parametrize(
    "activation, h_is_nan, q", [(Sigmoid(), True, 0), (ReLU(), True, 0), (SmoothReLU(0.5), False, 0)]
)
def test_placeholders_for_missing_parameters(tmp_path, activation, h_is_nan, q):
    save_model(net_with(activation), tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        assert math.isnan(float(data["h"])) == h_is_nan
        assert int(data["q"]) == q


def test_path_is_used_exactly_and_no_temporary_is_left(tmp_path):
    net = net_with(ReLU())
    path = save_model(net, str(tmp_path / "model"))  # no .npz appended
    assert path == tmp_path / "model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert load_model(tmp_path / "model") == net
    save_model(net_with(Sigmoid()), path)  # overwrite
    assert load_model(path).activation == Sigmoid()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


# ---- save errors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tanh(Activation):
    name = "tanh"

    def __call__(self, y: Any) -> Any:
        return np.tanh(y)

    def derivative_from_value(self, y: Any, value: Any) -> Any:
        return 1 - np.asarray(value) ** 2


@dataclass(frozen=True)
class NamedLikeSigmoid(Sigmoid):
    pass


def test_save_refuses_unregistered_activation(tmp_path):
    for activation in (Tanh(), NamedLikeSigmoid()):
        with pytest.raises(
            ValueError,
            match=r"^activation of save_model must be one of Sigmoid, ReLU, SmoothReLU, PolynomialActivation; got",
        ):
            save_model(net_with(activation), tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_non_network(tmp_path):
    with pytest.raises(TypeError, match=r"^network of save_model must be a FeedForwardNetwork; got dict$"):
        save_model({}, tmp_path / "m.npz")  # type: ignore[arg-type]


# ---- load errors ----------------------------------------------------------------------------


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "absent.npz")


def test_model_file_error_is_value_error():
    assert issubclass(ModelFileError, ValueError)


@pytest.mark.parametrize(
    "content",
    [b"", b"not a numpy file at all\n", b"PK\x03\x04garbage", pickle.dumps({"W1": [[1.0]]})],
    ids=["empty", "text", "broken-zip", "pickle"],
)
def test_corrupt_files(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(
        ModelFileError,
        match=(
            r"^model file '.*bad\.npz': not a model file \(not a zip archive, or a truncated one\); "
            r"write it with rxnn\.io\.model_file\.save_model$"
        ),
    ):
        load_model(path)


def test_truncated_archive(tmp_path):
    path = save_model(net_with(SmoothReLU(1.0)), tmp_path / "m.npz")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ModelFileError, match=r"not a model file \(not a zip archive, or a truncated one\)"):
        load_model(path)


def test_npy_file(tmp_path):
    path = tmp_path / "w.npy"
    np.save(path, np.ones((2, 2)))
    with pytest.raises(ModelFileError, match=r"^model file '.*w\.npy': is a single \.npy array, not an \.npz archive"):
        load_model(path)


def test_object_array_is_refused_without_unpickling(tmp_path):
    arrays = valid_arrays()
    arrays["W1"] = np.array([object()], dtype=object)
    path = tmp_path / "obj.npz"
    with open(path, "wb") as f:
        np.savez(f, allow_pickle=True, **arrays)
    with pytest.raises(ModelFileError, match=r"member 'W1': has dtype object; object and structured arrays are never") as info:
        load_model(path)
    assert "pickle" not in str(info.value)  # never suggest unpickling


def test_zip_that_is_not_npz(tmp_path):
    path = tmp_path / "z.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError):
        load_model(path)


@pytest.mark.parametrize(
    "key, listed", [("b2", "b2"), ("W1", "W1"), ("activation", "activation"), ("h", "h"), ("q", "q")]
)
def test_missing_key(tmp_path, key, listed):
    arrays = valid_arrays()
    del arrays[key]
    path = write_npz(tmp_path / "m.npz", **arrays)
    with pytest.raises(ModelFileError, match=rf"^model file '.*m\.npz': missing key\(s\) {listed}; write it with"):
        load_model(path)


def test_no_layers(tmp_path):
    path = write_npz(tmp_path / "m.npz", activation=np.array("relu"), h=np.array(np.nan), q=np.array(0))
    with pytest.raises(ModelFileError, match=r"missing key\(s\) W1, b1"):
        load_model(path)


def test_unexpected_key(tmp_path):
    arrays = valid_arrays()
    arrays["W7"] = np.ones((1, 1))
    arrays["notes"] = np.array("hi")
    path = write_npz(tmp_path / "m.npz", **arrays)
    with pytest.raises(ModelFileError, match=r"missing key\(s\) W3, b3"):  # W7 implies layers 1..7
        load_model(path)
    del arrays["W7"]
    path = write_npz(tmp_path / "m.npz", **arrays)
    with pytest.raises(ModelFileError, match=r"unexpected key\(s\) notes"):
        load_model(path)


def test_shapes_do_not_chain(tmp_path):
    arrays = valid_arrays()
    arrays["W2"] = np.ones((2, 5))
    path = write_npz(tmp_path / "m.npz", **arrays)
    with pytest.raises(
        ModelFileError,
        match=r"member 'W2': has length 5 on axis 1 where 'W1' has 3 \(dimension c1\); got shape \(2, 5\)",
    ):
        load_model(path)


def test_non_finite_parameter(tmp_path):
    arrays = valid_arrays()
    arrays["b1"] = arrays["b1"].copy()
    arrays["b1"][2] = np.nan
    path = write_npz(tmp_path / "m.npz", **arrays)
    with pytest.raises(ModelFileError, match=r"b1 of FeedForwardNetwork must be finite; got nan at index \(2,\)"):
        load_model(path)


def test_parameter_not_numeric(tmp_path):
    arrays = valid_arrays()
    arrays["W1"] = np.array([["a"]])
    path = write_npz(tmp_path / "m.npz", **arrays)
    with pytest.raises(ModelFileError, match=r"member 'W1': must be a 2-D array of real numbers; got dtype <U1"):
        load_model(path)


def test_unknown_activation(tmp_path):
    arrays = valid_arrays()
    arrays["activation"] = np.array("tanh")
    path = write_npz(tmp_path / "m.npz", **arrays)
    with pytest.raises(
        ModelFileError, match=r"activation must be one of 'polynomial', 'relu', 'sigmoid', 'smooth_relu'; got 'tanh'"
    ):
        load_model(path)


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("activation", np.array(3), r"member 'activation': must be a single string; got dtype int64 and shape \(\)"),
        (
            "activation",
            np.array(["relu", "relu"]),
            r"member 'activation': must be a single string; got dtype <U4 and shape \(2,\)",
        ),
        ("h", np.array("1.0"), r"member 'h': must be a single number"),
        ("q", np.array(2.0), r"member 'q': must be a single integer; got dtype float64"),
    ],
)
def test_scalar_entries_have_the_right_type(tmp_path, key, value, message):
    arrays = valid_arrays()
    arrays[key] = value
    path = write_npz(tmp_path / "m.npz", **arrays)
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


@pytest.mark.parametrize(
    "activation, h, q, message",
    [
        ("smooth_relu", -1.0, 0, r"h of SmoothReLU must be a finite number >= 0; got -1\.0"),
        ("smooth_relu", np.nan, 0, r"h of SmoothReLU must be a finite number >= 0; got nan"),
        ("smooth_relu", 1.0, 2, r"q must be 0 for activation 'smooth_relu', which has no q; got 2"),
        ("polynomial", 1.0, 1, r"q of PolynomialActivation must be an integer >= 2; got 1"),
        ("polynomial", np.inf, 3, r"h of PolynomialActivation must be a finite number >= 0; got inf"),
        ("relu", 1.0, 0, r"h must be NaN for activation 'relu', which has no h; got 1\.0"),
        ("sigmoid", np.nan, 3, r"q must be 0 for activation 'sigmoid', which has no q; got 3"),
    ],
)
def test_invalid_activation_parameters(tmp_path, activation, h, q, message):
    arrays = valid_arrays()
    arrays.update(activation=np.array(activation), h=np.array(h), q=np.array(q))
    path = write_npz(tmp_path / "m.npz", **arrays)
    with pytest.raises(
        ModelFileError, match=rf"^model file '.*m\.npz': {message}; write it with rxnn\.io\.model_file\.save_model$"
    ):
        load_model(path)


def test_integer_h_and_unsigned_q_are_accepted(tmp_path):
    arrays = valid_arrays(PolynomialActivation(3, 2.0))
    arrays.update(h=np.array(2), q=np.array(3, dtype=np.uint8))
    path = write_npz(tmp_path / "m.npz", **arrays)
    assert load_model(path).activation == PolynomialActivation(3, 2.0)
