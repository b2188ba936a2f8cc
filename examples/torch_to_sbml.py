"""
PyTorch in: train, compile, verify, export SBML
===============================================

Train in PyTorch, compile to a reaction network (Table 1), verify it (Def. 4.1), export SBML.

    python examples/torch_to_sbml.py [--small] [--out DIR]

Writes torch_to_sbml.png (training cost; chemistry vs PyTorch outputs) and
digits_network.xml (SBML Level 3 with the initial concentrations of test image 0).
"""

import numpy as np
import torch

from _common import figure, parse_args
from rxnn import compile_network, from_torch, steady_state, verify_network
from rxnn.datasets import load_digits
from rxnn.io.sbml import write_sbml
from rxnn.torch import SmoothReLU

args = parse_args(__doc__)
torch.manual_seed(0)
digits = load_digits()
x, labels = torch.tensor(digits.train.inputs()), torch.tensor(digits.train.labels)
tau = torch.nn.functional.one_hot(labels, 10).double() * 9 + 1  # targets 10 at the digit, 1 elsewhere (§6)

# 1. An ordinary PyTorch model and training loop; SmoothReLU is eq. (4) with h = 1.
model = torch.nn.Sequential(torch.nn.Linear(64, 20), SmoothReLU(1.0), torch.nn.Linear(20, 10), SmoothReLU(1.0)).double()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
costs = []
for epoch in range(2 if args.small else 10):
    for batch in torch.randperm(len(x)).split(32):
        optimizer.zero_grad()
        loss = 0.5 * ((model(x[batch]) - tau[batch]) ** 2).sum(dim=1).mean()
        loss.backward()
        optimizer.step()
        costs.append(loss.item())

# 2. Compile: the reaction network of Table 1 whose steady state is the model's output.
compiled = compile_network(from_torch(model))
print(compiled.summary())
test_x = digits.test.inputs()
with torch.no_grad():
    expected = model(torch.tensor(test_x)).numpy()
chemistry = compiled.layer_values(steady_state(compiled.network, compiled.initial_state(test_x)))[-1]
print(f"max |steady state - PyTorch| over {len(test_x)} test images: {np.max(np.abs(chemistry - expected)):.2e}")
print(f"test accuracy (chemistry): {np.mean(np.argmax(chemistry, 1) == digits.test.labels):.3f}")

# 3. Verify Def. 4.1 by integrating the ODEs from several starts, for a few test images.
result = verify_network(compiled, test_x[:1 if args.small else 10])
print(result)

# 4. SBML for other simulators (COPASI, libRoadRunner, ...).
path = write_sbml(compiled.network, args.out / "digits_network.xml", compiled.initial_state(test_x[0]))
print(f"wrote {path}")

fig, (ax1, ax2) = figure()
ax1.plot(costs)
ax1.set(xlabel="PyTorch iteration", ylabel="quadratic cost (eq. (9))", yscale="log")
ax2.plot(expected.ravel(), chemistry.ravel(), ".", ms=2)
ax2.set(xlabel="PyTorch output", ylabel="reaction network steady state")
fig.savefig(args.out / "torch_to_sbml.png", dpi=100)
