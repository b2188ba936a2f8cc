"""
Table 1: compile a network and verify it
========================================

A random 4-3-2 network with the smoothed ReLU of eq. (4) (h = 1) is compiled
into the reaction network of Table 1. Its mass-action ODE is the activation
system of eq. (19) for every node, so from any non-negative start every node
converges to its activation in the forward pass (Def. 4.1, Prop. 4.9).
"""

import matplotlib.pyplot as plt
import numpy as np

from rxnn import FeedForwardNetwork, SmoothReLU, compile_network, simulate, steady_state, verify_network

net = FeedForwardNetwork.random([4, 3, 2], SmoothReLU(h=1.0), seed=0)
chem = compile_network(net)
print(chem.summary())

# %%
# The node reactions of Table 1 for the first hidden node:
for reaction in chem.network.reactions:
    if "X1_1" in reaction.reactants or "X1_1" in reaction.products:
        print(reaction)

# %%
# Integrate from a far-away start (every node at 50) and compare with the forward pass.
d = np.array([0.1, 0.5, 0.2, 0.9])
res = simulate(chem.network, chem.initial_state(d, nodes=50.0), (0, 10))
activations = net.activations(d)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=False)
for layer, ax in zip((1, 2), axes):
    for i, name in enumerate(chem.layer_species(layer)):
        (line,) = ax.plot(res.t, res[name], label=name)
        ax.axhline(activations[layer][i], color=line.get_color(), ls=":")
    ax.set_yscale("log")
    ax.set_title(f"layer {layer} (dotted: forward pass)")
    ax.set_xlabel("time")
    ax.legend()
axes[0].set_ylabel("concentration")
fig.tight_layout()

# %%
# The steady state equals the forward pass to rounding:
ss = steady_state(chem.network, chem.initial_state(d, nodes=1000.0))
print("chemistry :", [ss[s] for s in chem.layer_species(2)])
print("forward   :", [float(v) for v in net(d)])

# %%
# :func:`rxnn.verify_network` integrates from several starts and judges every
# layer against the forward pass. Its verdict is numerical evidence for Def. 4.1
# at these inputs, not a proof.
print(verify_network(chem, d))
