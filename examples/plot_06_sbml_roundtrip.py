"""
SBML out to a third-party simulator, and back
=============================================

A compiled network is written as SBML Level 3 Version 2 (mass-action kinetic
laws, eq. (2); enzymatic species as constant boundary species), simulated by
libRoadRunner, an independent SBML simulator, and read back into rxnn. Both
simulators reach the forward pass, and the network read back equals the one
written.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import roadrunner

from rxnn import FeedForwardNetwork, SmoothReLU, compile_network, simulate
from rxnn.io.sbml import read_sbml, write_sbml

net = FeedForwardNetwork.random([3, 3, 2], SmoothReLU(h=0.5), seed=2)
chem = compile_network(net)
d = np.array([0.2, 0.9, 0.4])
initial = chem.initial_state(d, nodes=5.0)

folder = Path(tempfile.mkdtemp())
path = write_sbml(chem.network, folder / "net.xml", initial)
print(f"wrote {path.name}: {path.stat().st_size:,} bytes, {chem.network.n_reactions} reactions")

# %%
# libRoadRunner integrates the file (its own CVODE integrator):
rr = roadrunner.RoadRunner(str(path))
rr.integrator.relative_tolerance = 1e-10
rr.integrator.absolute_tolerance = 1e-12
out = rr.simulate(0, 15, 301, selections=["time"] + [f"[{s}]" for s in chem.layer_species(2)])
ours = simulate(chem.network, initial, (0, 15), t_eval=out["time"])
forward = net(d)
for k, s in enumerate(chem.layer_species(2)):
    print(f"{s}: libRoadRunner {out[f'[{s}]'][-1]:.10f}  rxnn {ours[s][-1]:.10f}  forward pass {forward[k]:.10f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
for k, s in enumerate(chem.layer_species(2)):
    ax.plot(out["time"], out[f"[{s}]"], lw=3, alpha=0.4, label=f"{s} (libRoadRunner)")
    ax.plot(ours.t, ours[s], "k--", lw=1)
    ax.axhline(forward[k], color="grey", ls=":")
ax.set_xlabel("time")
ax.set_ylabel("concentration")
ax.set_title("outputs: libRoadRunner (thick), rxnn (dashed), forward pass (dotted)")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# Read the file back: the same reactions with the same rate constants, and the
# initial concentrations it holds.
back, back_initial = read_sbml(path)
print("read back equals the compiled network:", back == chem.network)
print("initial concentrations equal:", all(np.isclose(back_initial[s], float(v)) for s, v in initial.items()))
