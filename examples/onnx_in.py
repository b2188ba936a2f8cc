"""
ONNX in: read a model, compile it, check against onnxruntime
============================================================

Read an ONNX model into rxnn, compile it, and check the chemistry against onnxruntime.

    python examples/onnx_in.py [--small] [--out DIR]

The model comes from torch.onnx.export (TorchScript exporter, dynamo=False, which
needs only the onnx package) with rxnn's SmoothReLU as the custom op rxnn::SmoothReLU;
rxnn.io.onnx.write_onnx then writes it back with the activation as standard
element-wise ops, which onnxruntime runs. Writes onnx_in.png.
"""

import warnings

import numpy as np
import onnxruntime
import torch

from _common import figure, parse_args
from rxnn import compile_network, steady_state
from rxnn.datasets import load_iris
from rxnn.io.onnx import read_onnx, write_onnx
from rxnn.torch import SmoothReLU

args = parse_args(__doc__)
torch.manual_seed(0)
iris = load_iris()
model = torch.nn.Sequential(torch.nn.Linear(4, 6), SmoothReLU(0.5), torch.nn.Linear(6, 3), SmoothReLU(0.5)).double()
x, y = torch.tensor(iris.train.inputs()), torch.tensor(iris.train.labels)
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for _ in range(100 if args.small else 500):
    optimizer.zero_grad()
    torch.nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()

exported = args.out / "iris_torch.onnx"
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
    torch.onnx.export(model, (x[:1],), str(exported), dynamo=False, custom_opsets={"rxnn": 1},
                      input_names=["d"], output_names=["a"], dynamic_axes={"d": {0: "batch"}})
net = read_onnx(exported)
print(f"read {exported}: {net}")

# Back out as standard ONNX ops, and run it in onnxruntime.
standard = write_onnx(net, args.out / "iris_rxnn.onnx")
session = onnxruntime.InferenceSession(str(standard), providers=["CPUExecutionProvider"])
test_x = iris.test.inputs()
runtime = session.run(None, {"d": test_x})[0]

compiled = compile_network(net)
chemistry = compiled.layer_values(steady_state(compiled.network, compiled.initial_state(test_x)))[-1]
print(f"max |steady state - onnxruntime|: {np.max(np.abs(chemistry - runtime)):.2e}")
print(f"test accuracy: onnxruntime {np.mean(np.argmax(runtime, 1) == iris.test.labels):.3f}, "
      f"chemistry {np.mean(np.argmax(chemistry, 1) == iris.test.labels):.3f}")

fig, (ax1, ax2) = figure()
ax1.plot(runtime.ravel(), chemistry.ravel(), ".")
ax1.set(xlabel="onnxruntime output", ylabel="reaction network steady state")
ax2.semilogy(np.abs(chemistry - runtime).ravel() + 1e-17, ".")
ax2.set(xlabel="test output", ylabel="|difference|")
fig.savefig(args.out / "onnx_in.png", dpi=100)
