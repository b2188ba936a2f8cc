"""
Convergence from infinity in finite time
========================================

Thm. 4.8 and Prop. 4.9: with the decay reaction ``2X -> X`` (2-polynomial decay,
Def. 4.5), a node started arbitrarily high comes down to a bounded set in a time
that does not grow with the start. For dx/dt = -x^2 alone the time to fall from
x(0) to 1 is 1 - 1/x(0) < 1 (Prop. A.1), so starts of 10^3, 10^6 and 10^9 all
enter the set within about one time unit, and then converge exponentially to
the forward pass (Def. 4.4).
"""

import matplotlib.pyplot as plt
import numpy as np

from rxnn import FeedForwardNetwork, SmoothReLU, compile_network, simulate

net = FeedForwardNetwork.random([3, 2, 1], SmoothReLU(h=1.0), seed=3)
chem = compile_network(net)
d = np.array([0.3, 0.8, 0.5])
target = net.activations(d)[2][0]
t_eval = np.geomspace(1e-9, 12, 400)

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for start in (1e3, 1e6, 1e9):
    res = simulate(chem.network, chem.initial_state(d, nodes=start), (0, 12), t_eval=t_eval, rtol=1e-10, atol=1e-12)
    err = np.abs(res["X2_1"] - target)
    entered = t_eval[np.argmax(res["X2_1"] < 10.0)]
    print(f"start {start:.0e}: output below 10 from t = {entered:.3g}; |x(12) - a| = {err[-1]:.1e}")
    ax.loglog(t_eval, err, label=f"all nodes start at {start:.0e}")
ax.set_xlabel("time")
ax.set_ylabel("|x_out(t) - a_out| (forward pass)")
ax.legend()
fig.tight_layout()
