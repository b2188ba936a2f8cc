"""
Robustness of a chemical classifier
===================================

How much error in the chemistry does a compiled network tolerate? We train a
2-4-2 network on two noisy clusters, compile it (Table 1), and measure its
outputs and its answers when

* every rate constant is multiplied by a lognormal factor (sigma from 0.01 to 0.5),
* every enzymatic concentration (H, the weights and biases) is perturbed the same way,
* each node leaks (``0 -> X`` and ``X -> 0`` at rate eps), and
* the volume is finite (the exact SSA, outputs time-averaged).

Beside each measurement stands the theory's prediction: the fixed point moves
smoothly with the parameters (Def. 4.7(1)), so to first order the output error
is -J_x^{-1} J_p times the perturbation; for finite volume, the linear noise
approximation. :func:`rxnn.experiments.robustness.robustness` runs every case as
one sweep (``rxnn robustness MODEL`` from the command line, on Dask workers with
``--workers`` or ``--scheduler``).
"""

import tempfile

import matplotlib.pyplot as plt
import numpy as np

from rxnn.experiments.robustness import robustness
from rxnn.experiments.training import ArrayDataset, TrainingConfig, train

rng = np.random.default_rng(0)
centres = np.array([[0.25, 0.75], [0.75, 0.25]])
labels = rng.integers(0, 2, size=400)
points = np.clip(centres[labels] + 0.2 * rng.standard_normal((400, 2)), 0, 1)
net = train(TrainingConfig(layer_sizes=(2, 4, 2), iterations=300, batch_size=60, eta=0.05, seed=1),
            ArrayDataset(points[:360], labels[:360])).network
test_x, test_y = points[360:370], labels[360:370]

with tempfile.TemporaryDirectory() as folder:
    table = robustness(net, test_x, test_y, sigmas=[0.01, 0.1, 0.5], n_samples=4, leaks=[0.01, 0.1],
                       leak_modes=["birth", "death"], volumes=[10.0, 100.0], ssa_repeats=1, t_end=10.0,
                       seed=0, results=f"{folder}/sweep")

# %%
# The table: measured output error (RMS over inputs and samples) beside the
# first-order or linear-noise prediction, and how often the answer is unchanged.
print(table.to_markdown())

# %%
# The same as curves with their confidence bands.
fig = table.plot()
plt.show()
