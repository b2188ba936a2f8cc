"""
For a CRN theorist: does a new activation meet Thm. 4.8's hypotheses?
=====================================================================

Thm. 4.8 says the layered system (11)-(12) converges from infinity in finite
time and is exponentially reliable when each node's activation system
dx/dt = g(x) + y x is reliable (Def. 4.7), has q-polynomial decay with q > 1
(Def. 4.5) and is exponentially feed-forward. For a polynomial g,
:func:`rxnn.theory.check_activation` decides these properties from g's
coefficients and gives a counterexample when one fails.
"""

import matplotlib.pyplot as plt
import numpy as np

from rxnn.theory import check_activation

# %%
# The paper's family: g(x) = h - x^q (eq. (20)); with h = 1 and q = 3:
print(check_activation("1 - x**3"))

# %%
# With h = 0 reliability fails: at y = 0 there is no positive fixed point.
print(check_activation("-x**2"))

# %%
# A new candidate with a cubic decay and a positive quadratic term:
result = check_activation("1 + x**2 - x**3")
print(result)

# %%
# When every hypothesis holds, the node can be used in a network: the
# activation phi(y) is the positive root of g(x) + y x = 0.
if result.proved:
    phi = result.activation()
    y = np.linspace(-4, 4, 200)
    fig, ax = plt.subplots(figsize=(5.5, 3.3))
    ax.plot(y, phi(y), label="g = 1 + x^2 - x^3")
    ax.plot(y, 0.5 * (y + np.sqrt(y**2 + 4)), "--", label="smoothed ReLU, h = 1 (eq. (4))")
    ax.set_xlabel("node input y")
    ax.set_ylabel("activation phi(y)")
    ax.legend()
    fig.tight_layout()
