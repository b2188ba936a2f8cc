"""
Two constructions of one ReLU network: Table 1 and rate-independent
====================================================================

A 2-3-1 ReLU network with weights in {-1, 0, 1} compiled twice:

* by Table 1 (§5.2) with SmoothReLU(h), h = 1e-3: the output is the steady
  state of eq. (19), reached from any start, but it moves when the rate
  constants move;
* by the rate-independent construction of Vasić et al. (ICML 2020, PNAS
  2022): the output is the *final amount* of a species, the same for any
  rate constants, but only from the clean start (inputs consumed).

We integrate both with unit rate constants and with three draws of every rate
constant log-uniform in [1e-2, 1e2].
"""

import matplotlib.pyplot as plt
import numpy as np

from rxnn import FeedForwardNetwork, ReactionNetwork, ReLU, SmoothReLU, compile_network, simulate

net = FeedForwardNetwork(
    [np.array([[1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 1.0, -1.0]])],
    [np.array([0.0, 0.0, -0.5]), np.array([0.2])],
    ReLU(),
)
d = np.array([0.9, 0.3])
print("network output:", net(d))

ri = compile_network(net, construction="rate_independent")
t1 = compile_network(FeedForwardNetwork(list(net.weights), list(net.biases), SmoothReLU(1e-3)))
print(ri.summary())
print(t1.summary())


def redrawn(network, rng):
    k = np.exp(rng.uniform(np.log(1e-2), np.log(1e2), network.n_reactions))
    return ReactionNetwork.from_matrices(network.species, network.reactant_matrix(), network.product_matrix(), k)


# %%
# Integrate: the rate-independent run from its clean start, Table 1 from all nodes at 1.
rng = np.random.default_rng(0)
t = np.geomspace(1e-3, 1e4, 200)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
for k in range(4):
    label = "unit rates" if k == 0 else f"draw {k}"
    a = ri.network if k == 0 else redrawn(ri.network, rng)
    b = t1.network if k == 0 else redrawn(t1.network, rng)
    ra = simulate(a, ri.initial_state(d), (0, t[-1]), t_eval=t, method="BDF", rtol=1e-8, atol=1e-12)
    rb = simulate(b, t1.initial_state(d), (0, t[-1]), t_eval=t, method="BDF", rtol=1e-8, atol=1e-12)
    axes[0].semilogx(t, ra["X2_1"], label=label)
    axes[1].semilogx(t, rb["X2_1"], label=label)
    print(f"{label}: rate-independent final {ra['X2_1'][-1]:.6f}, Table 1 final {rb['X2_1'][-1]:.6f}")
for ax, title in zip(axes, ("rate-independent (final amount)", "Table 1, h = 1e-3 (steady state)")):
    ax.axhline(float(net(d)[0]), color="grey", ls=":", label="network output")
    ax.set(title=title, xlabel="time", ylabel="[X2_1]")
    ax.legend(fontsize=7)
plt.show()
