"""
A reaction network from text to ODEs and plots
===============================================

Example 5.2 of the paper: species ``E`` and ``F`` are catalysts (enzymatic
species in the sense of Def. 5.1), so they appear in the ODEs of eq. (16) as
parameters. We write the network in rxnn's text syntax, print its mass-action
ODEs (eq. (2)) and integrate it.
"""

import matplotlib.pyplot as plt

from rxnn import ReactionNetwork, simulate

net = ReactionNetwork.from_text(
    """
    X + Y + E -> 2Y + E ; k1     # Example 5.2
    Y + F -> X + F      ; k2
    """
)
print(net)
print("dynamic species:", net.dynamic_species, " enzymatic species:", net.enzymatic_species)

# %%
# The ODEs, with the catalysts as parameters (eq. (16)):
for species, rhs in net.odes().items():
    print(f"d{species}/dt = {rhs}")

# %%
# Integrate from X = Y = 1 with E = 2, F = 1. The total X + Y = 2 is conserved;
# for Y > 0 the right-hand side vanishes where k1 E X = k2 F, so the trajectory
# approaches X* = k2 F / (k1 E) = 0.25 and Y* = 2 - X* = 1.75.
res = simulate(net, {"X": 1.0, "Y": 1.0, "E": 2.0, "F": 1.0}, (0, 10), rates={"k1": 1.0, "k2": 0.5})
y_star = 2.0 - 0.5 * 1.0 / (1.0 * 2.0)
print(f"Y(10) = {res['Y'][-1]:.6f}; predicted fixed point Y* = {y_star:.6f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(res.t, res["X"], label="X")
ax.plot(res.t, res["Y"], label="Y")
ax.axhline(y_star, color="grey", ls=":", label="Y* (closed form)")
ax.set_xlabel("time")
ax.set_ylabel("concentration")
ax.legend()
fig.tight_layout()
