"""
For an ML researcher: training with the chemistry in the loop
=============================================================

Instead of the closed-form forward pass (eqs. (6)-(7)), every forward pass of
training can be the steady state of the compiled reaction network: the
chemistry computes the activations, and backpropagation (eq. (10)) uses the
derivative of phi evaluated at the simulated values. Since the steady state is
the forward pass (Prop. 4.9), the two trainings follow the same path; the
difference measures the numerical error of the chemistry.
"""

import matplotlib.pyplot as plt
import numpy as np

from rxnn.experiments.chemistry_training import compare_forwards
from rxnn.experiments.training import ArrayDataset, TrainingConfig

rng = np.random.default_rng(0)
labels = rng.integers(0, 3, 600)
centres = np.array([[0.2, 0.2, 0.8], [0.8, 0.2, 0.2], [0.2, 0.8, 0.2]])
inputs = np.clip(centres[labels] + 0.15 * rng.standard_normal((600, 3)), 0, 1)
train_set, test_set = ArrayDataset(inputs[:500], labels[:500]), ArrayDataset(inputs[500:], labels[500:])

config = TrainingConfig(layer_sizes=(3, 6, 3), iterations=200, batch_size=50, eta=0.05, seed=2)
comparison = compare_forwards(config, train_set, test_set)
print(comparison)

# %%
# The cost curves of the two trainings lie on top of each other:
fig, ax = plt.subplots(figsize=(6, 3.3))
ax.plot(comparison.closed.cost, lw=3, alpha=0.4, label="closed-form forward pass")
ax.plot(comparison.crn.cost, "k--", lw=1, label="chemical steady state")
ax.set_xlabel("iteration")
ax.set_ylabel("batch cost")
ax.set_yscale("log")
ax.legend()
fig.tight_layout()
