"""rxnn.io.onnx: MLP graphs in and out, checked with onnxruntime and torch.onnx.export."""

import warnings

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from rxnn import nn as rnn
from rxnn.errors import RxnnError
from rxnn.io.onnx import OnnxError, network_to_onnx, read_onnx, write_onnx
from rxnn.torch import PolynomialActivation, SmoothReLU, from_torch

INPUTS = np.random.default_rng(0).uniform(size=(9, 5))


def run_onnxruntime(path, d):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: d})[0]


@pytest.mark.parametrize("activation", [rnn.SmoothReLU(1.0), rnn.SmoothReLU(0.01), rnn.ReLU(), rnn.Sigmoid()])
def test_write_runs_in_onnxruntime_and_reads_back(tmp_path, activation):
    net = rnn.FeedForwardNetwork.random([5, 8, 6, 3], activation, seed=1)
    path = write_onnx(net, tmp_path / "net.onnx")
    np.testing.assert_allclose(run_onnxruntime(path, INPUTS), net(INPUTS), rtol=1e-13, atol=1e-15)
    assert read_onnx(path) == net


def test_elementwise_form_is_accurate_far_in_the_negative_tail(tmp_path):
    net = rnn.FeedForwardNetwork([[[1.0]]], [[0.0]], rnn.SmoothReLU(1.0))
    y = np.array([[-1e6], [-1e3], [0.0], [1e3]])
    out = run_onnxruntime(write_onnx(net, tmp_path / "n.onnx"), y)
    np.testing.assert_allclose(out, net(y), rtol=1e-14)  # phi(-1e6) ~ 1e-6 with full relative accuracy


@pytest.mark.parametrize("activation", [rnn.SmoothReLU(0.5), rnn.PolynomialActivation(3, 1.0)])
def test_custom_op_form_reads_back(tmp_path, activation):
    net = rnn.FeedForwardNetwork.random([4, 3, 2], activation, seed=2)
    path = write_onnx(net, tmp_path / "c.onnx", activation_form="custom")
    model = onnx.load(str(path))
    assert {n.domain for n in model.graph.node} == {"", "rxnn"}
    assert read_onnx(path) == net


def test_polynomial_has_no_elementwise_form(tmp_path):
    net = rnn.FeedForwardNetwork.random([2, 2], rnn.PolynomialActivation(3, 1.0), seed=0)
    with pytest.raises(OnnxError, match="use activation_form='custom'"):
        write_onnx(net, tmp_path / "p.onnx")


def export(model, path, width):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, width, dtype=torch.float64),), str(path), dynamo=False,
                          custom_opsets={"rxnn": 1}, input_names=["d"], output_names=["a"],
                          dynamic_axes={"d": {0: "batch"}})
    return path


class HandWrittenSmoothReLU(torch.nn.Module):
    """eq. (4) in plain torch ops, as a user would write it: exported as Mul/Add/Sqrt/Div nodes."""

    def __init__(self, h):
        super().__init__()
        self.h = h

    def forward(self, y):
        return (y + torch.sqrt(y * y + 4 * self.h)) / 2


@pytest.mark.parametrize("act, expected", [
    (lambda: SmoothReLU(1.0), rnn.SmoothReLU(1.0)),
    (lambda: PolynomialActivation(3, 0.5), rnn.PolynomialActivation(3, 0.5)),
    (lambda: torch.nn.ReLU(), rnn.ReLU()),
    (lambda: HandWrittenSmoothReLU(0.25), rnn.SmoothReLU(0.25)),
])
def test_reads_torch_onnx_export(tmp_path, act, expected):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 7), act(), torch.nn.Linear(7, 3), act()).double()
    net = read_onnx(export(model, tmp_path / "t.onnx", 5))
    assert net.activation == expected
    with torch.no_grad():
        np.testing.assert_allclose(net(INPUTS), model(torch.tensor(INPUTS)).numpy(), rtol=1e-12, atol=1e-14)
    if not isinstance(act(), HandWrittenSmoothReLU):
        assert net == from_torch(model)


def test_reads_float32_export(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 4), SmoothReLU(1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, 5),), str(tmp_path / "f.onnx"), dynamo=False, custom_opsets={"rxnn": 1})
    assert read_onnx(tmp_path / "f.onnx") == from_torch(model)  # float32 parameters widen exactly


def matmul_add_model(activation_nodes, bias_first=False):
    w, b = np.array([[1.0, -2.0], [0.5, 3.0], [0.0, 1.0]]), np.array([0.1, -0.2])  # (in, out) for MatMul
    add_inputs = ["b", "m"] if bias_first else ["m", "b"]
    nodes = [helper.make_node("MatMul", ["x", "W"], ["m"]), helper.make_node("Add", add_inputs, ["z"]), *activation_nodes]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, [None, 2])],
                              [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), w, b


@pytest.mark.parametrize("bias_first", [False, True])
def test_matmul_add_relu(tmp_path, bias_first):
    model, w, b = matmul_add_model([helper.make_node("Relu", ["z"], ["y"])], bias_first)
    onnx.save(model, str(tmp_path / "m.onnx"))
    net = read_onnx(tmp_path / "m.onnx")
    np.testing.assert_array_equal(net.weights[0], w.T)
    np.testing.assert_array_equal(net.biases[0], b)
    np.testing.assert_allclose(net(INPUTS[:, :3]), run_onnxruntime(tmp_path / "m.onnx", INPUTS[:, :3]), rtol=1e-15)


def test_softplus_chain_is_not_taken_for_a_smooth_relu(tmp_path):
    one = helper.make_node("Constant", [], ["one"], value=numpy_helper.from_array(np.array(1.0), "one"))
    nodes = [one, helper.make_node("Exp", ["z"], ["e"]), helper.make_node("Add", ["e", "one"], ["e1"]),
             helper.make_node("Log", ["e1"], ["y"])]
    model, *_ = matmul_add_model(nodes)
    onnx.save(model, str(tmp_path / "s.onnx"))
    with pytest.raises(OnnxError, match=r"is not the smoothed ReLU of eq. \(4\) for any h"):
        read_onnx(tmp_path / "s.onnx")


@pytest.mark.parametrize("nodes, match", [
    ([helper.make_node("Tanh", ["z"], ["y"], name="tanh1")], r"node 'tanh1' \(Tanh\)"),
    ([helper.make_node("Softmax", ["z"], ["y"])], "Softmax"),
])
def test_unsupported_activation_is_named(tmp_path, nodes, match):
    model, *_ = matmul_add_model(nodes)
    onnx.save(model, str(tmp_path / "u.onnx"))
    with pytest.raises(OnnxError, match=match):
        read_onnx(tmp_path / "u.onnx")


def test_model_ending_in_linear_is_refused(tmp_path):
    model = torch.nn.Sequential(torch.nn.Linear(5, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)).double()
    with pytest.raises(OnnxError, match="layer 2 has no activation"):
        read_onnx(export(model, tmp_path / "l.onnx", 5))


def test_external_data_is_refused(tmp_path):
    net = rnn.FeedForwardNetwork.random([40, 30], rnn.ReLU(), seed=0)
    model = network_to_onnx(net)
    onnx.save_model(model, str(tmp_path / "e.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="weights.bin", size_threshold=0)
    with pytest.raises(OnnxError, match="external file"):
        read_onnx(tmp_path / "e.onnx")


def test_file_errors(tmp_path):
    with pytest.raises(OnnxError, match="no such ONNX file"):
        read_onnx(tmp_path / "missing.onnx")
    (tmp_path / "junk.onnx").write_bytes(b"\xff\xfe not protobuf \x00\x01")
    with pytest.raises(OnnxError, match="not an ONNX model|graph"):
        read_onnx(tmp_path / "junk.onnx")
    path = write_onnx(rnn.FeedForwardNetwork.random([3, 2], rnn.ReLU(), seed=0), tmp_path / "ok.onnx")
    with pytest.raises(OnnxError, match="exceeds max_bytes = 10"):
        read_onnx(path, max_bytes=10)
    with pytest.raises(RxnnError, match="activation_form of write_onnx must be one of"):
        write_onnx(rnn.FeedForwardNetwork.random([3, 2], rnn.ReLU(), seed=0), tmp_path / "x.onnx", activation_form="x")
