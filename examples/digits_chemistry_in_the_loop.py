"""
8x8 digits with the chemistry in the loop (PyTorch)
===================================================

8 x 8 digits end to end with the chemistry in the loop: every forward pass of PyTorch training is
the steady state of the compiled reaction network, every backward pass its implicit derivative (§4, §6).

    python examples/digits_chemistry_in_the_loop.py [--small] [--out DIR]

Then the trained network is evaluated by the compiled ODE and by exact stochastic simulation at
volume 10. Writes digits_chemistry_in_the_loop.png.
"""

import numpy as np
import torch

from _common import figure, parse_args
from rxnn import compile_network
from rxnn.datasets import load_digits
from rxnn.experiments.training import targets
from rxnn.nn import FeedForwardNetwork, SmoothReLU
from rxnn.experiments.stochastic_accuracy import node_statistics
from rxnn.torch import ChemicalSteadyState

args = parse_args(__doc__)
digits = load_digits()
model = ChemicalSteadyState(FeedForwardNetwork.random([64, 20, 10], SmoothReLU(1.0), seed=0))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
rng = np.random.default_rng(0)
costs, accuracies = [], []
for _ in range(60 if args.small else 600):
    index = rng.choice(len(digits.train), 50, replace=False)
    out = model(torch.tensor(digits.train.inputs(index)))
    tau = torch.tensor(targets(digits.train.labels[index], 10))
    loss = 0.5 * ((out - tau) ** 2).sum(dim=1).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    costs.append(loss.item())
    accuracies.append(float(np.mean(out.argmax(1).numpy() == digits.train.labels[index])))
print(f"{model.chemistry.calls} batched steady states, {model.chemistry.seconds:.1f} s in the chemistry")

net = model.network()
test_x, test_y = digits.test.inputs(), digits.test.labels
ode = model.chemistry(net, test_x)
print(f"test accuracy, compiled ODE steady state: {np.mean(np.argmax(ode, 1) == test_y):.3f}")
k = 5 if args.small else 50
stats = node_statistics(compile_network(net, absorb_enzymes=True), test_x[:k], volume=10.0, t_end=10.0, method="ssa")
print(f"test accuracy, SSA at volume 10 (first {k} images): {np.mean(np.argmax(stats.outputs, 1) == test_y[:k]):.3f}")

fig, (ax1, ax2) = figure()
ax1.plot(costs, label="batch cost")
ax1.set(xlabel="iteration (chemistry in the loop)", ylabel="quadratic cost", yscale="log")
ax1b = ax1.twinx()
ax1b.plot(accuracies, color="tab:orange", alpha=0.6)
ax1b.set_ylabel("batch accuracy")
ax2.imshow(test_x[0].reshape(8, 8), cmap="gray_r")
ax2.set_title(f"test image 0: ODE says {int(np.argmax(ode[0]))}, SSA says {int(np.argmax(stats.outputs[0]))}")
ax2.axis("off")
fig.savefig(args.out / "digits_chemistry_in_the_loop.png", dpi=100)
