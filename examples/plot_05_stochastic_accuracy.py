"""
Stochastic accuracy against volume
==================================

At a finite volume V a concentration x stands for about V x molecules, and the
compiled network is a continuous-time Markov chain (the stochastic model of
§2). For small V the molecule counts are few and the output species fluctuate
around their deterministic values; as V grows the classifier's answers approach
those of the ODE (the classical large-volume limit of mass-action kinetics).

We train a 2-4-2 network on two noisy clusters, compile it, and run the exact
SSA at V = 1, 3, 10, 100 on 40 test points, reading each output as its
time average over the second half of the run.
"""

import matplotlib.pyplot as plt
import numpy as np

from rxnn import compile_network, simulate_stochastic
from rxnn.experiments.training import ArrayDataset, TrainingConfig, train

rng = np.random.default_rng(0)
centres = np.array([[0.25, 0.75], [0.75, 0.25]])
labels = rng.integers(0, 2, size=400)
points = np.clip(centres[labels] + 0.2 * rng.standard_normal((400, 2)), 0, 1)
train_set = ArrayDataset(points[:360], labels[:360])
test_x, test_y = points[360:], labels[360:]

config = TrainingConfig(layer_sizes=(2, 4, 2), iterations=300, batch_size=60, eta=0.05, seed=1)
net = train(config, train_set).network
print(f"forward-pass accuracy on the 40 test points: {np.mean(net(test_x).argmax(1) == test_y):.0%}")

chem = compile_network(net)
outputs = chem.layer_species(2)
volumes = [1, 3, 10, 100]
accuracy = []
for volume in volumes:
    res = simulate_stochastic(
        chem.network, chem.initial_state(test_x, nodes=1.0), (0, 10), volume=volume, seed=7, observe=outputs
    )
    # exact time averages over the default window, the second half (5, 10)
    predicted = np.stack([res.time_average(s) for s in outputs], axis=-1).argmax(1)
    accuracy.append(np.mean(predicted == test_y))
    print(f"V = {volume:>5}: SSA accuracy {accuracy[-1]:.0%}")

fig, ax = plt.subplots(figsize=(5.5, 3.3))
ax.semilogx(volumes, accuracy, "o-", label="exact SSA")
ax.axhline(np.mean(net(test_x).argmax(1) == test_y), color="grey", ls=":", label="ODE / forward pass")
ax.set_xlabel("volume V")
ax.set_ylabel("test accuracy")
ax.set_ylim(0, 1.05)
ax.legend()
fig.tight_layout()
