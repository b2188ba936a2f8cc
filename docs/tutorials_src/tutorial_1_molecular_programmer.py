"""
For a molecular programmer: from a trained model to a chemical implementation
=============================================================================

You have a trained classifier and want to know which reactions implement it,
how many species a lab would need, whether the chemistry really computes it,
and how it behaves at finite molecule counts. This tutorial goes from a model
file to each of those answers.
"""

# %%
# A trained model
# ---------------
# rxnn reads and writes models as ``.npz`` archives (never pickles). Here we
# train a small 4-3-2 network on a toy problem and save it, standing in for
# the model you bring.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from rxnn import compile_network, simulate_stochastic, steady_state, verify_network
from rxnn.experiments.training import ArrayDataset, TrainingConfig, train
from rxnn.io.model_file import load_model, save_model
from rxnn.io.sbml import write_sbml

rng = np.random.default_rng(5)
x = rng.random((300, 4))
y = (x[:, 0] + x[:, 1] > x[:, 2] + x[:, 3]).astype(int)
net = train(TrainingConfig(layer_sizes=(4, 3, 2), iterations=300, batch_size=50, eta=0.05), ArrayDataset(x, y)).network
folder = Path(tempfile.mkdtemp())
model_path = save_model(net, folder / "model.npz")
net = load_model(model_path)
print(net)

# %%
# The reaction network of Table 1
# -------------------------------
# :func:`rxnn.compile_network` writes one species per node, weight sign and bias
# sign, and the reactions of Table 1; the summary is the budget.
chem = compile_network(net)
print(chem.summary())
print()
print(compile_network(net, absorb_enzymes=True).summary())

# %%
# Does the chemistry compute the network?
# ---------------------------------------
# The steady state of the compiled network is the forward pass (Prop. 4.9)...
d = x[:5]
ss = steady_state(chem.network, chem.initial_state(d, nodes=1.0))
chem_out = np.stack([ss[s] for s in chem.layer_species(2)], axis=-1)
print("largest |steady state - forward pass|:", float(np.max(np.abs(chem_out - net(d)))))

# %%
# ...and :func:`rxnn.verify_network` checks Def. 4.1 numerically from several
# starts for each input: evidence, not a proof.
print(verify_network(chem, d))

# %%
# Export for other tools
# ----------------------
# SBML Level 3 Version 2 with mass-action laws opens in COPASI, libRoadRunner,
# Tellurium and Catalyst.jl.
sbml = write_sbml(chem.network, folder / "model.xml", chem.initial_state(d[0]))
print(f"{sbml.name}: {sbml.stat().st_size:,} bytes")

# %%
# At finite molecule counts
# -------------------------
# At volume V the exact stochastic simulation (SSA) of the same reactions
# fluctuates around the deterministic answer; the fluctuations shrink as V grows.
fig, ax = plt.subplots(figsize=(6, 3.4))
for volume in (10, 100, 1000):
    res = simulate_stochastic(chem.network, chem.initial_state(d[0], nodes=1.0), (0, 10), volume=volume, seed=1,
                              observe=chem.layer_species(2))
    ax.plot(res.t, res[chem.layer_species(2)[0]], label=f"V = {volume}", drawstyle="steps-post")
ax.axhline(net(d[0])[0], color="k", ls=":", label="forward pass")
ax.set_xlabel("time")
ax.set_ylabel("output X2_1")
ax.legend()
fig.tight_layout()
