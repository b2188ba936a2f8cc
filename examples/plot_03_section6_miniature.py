"""
The §6 experiment in miniature
==============================

§6 of the paper trains a 784-40-10 network with the smoothed ReLU (h = 1) on
MNIST by stochastic gradient descent (batches of 300, eta = 0.1, targets 10 at
the true digit and 1 elsewhere), compiles it with Table 1 and checks that the
chemistry classifies like the network. Here the same pipeline runs on a
smaller budget: 150 iterations, then the compiled network's steady state on
200 test images.

MNIST is read from ``$RXNN_DATA/mnist`` or the user cache, and fetched (with
checksums) when absent; see :func:`rxnn.datasets.mnist.load_mnist`.
"""

import matplotlib.pyplot as plt
import numpy as np

from rxnn import compile_network, steady_state
from rxnn.datasets.mnist import load_mnist
from rxnn.experiments.training import TrainingConfig, evaluate, train

mnist = load_mnist(fetch=True)
config = TrainingConfig(iterations=150, seed=1234)
result = train(config, mnist.train)
net = result.network
print(f"closed-form test accuracy after {config.iterations} iterations: {evaluate(net, mnist.test):.2%}")

# %%
# The cost falls as in Fig. 10 of the paper:
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(np.arange(1, len(result.cost) + 1), result.cost)
ax.set_xlabel("iteration")
ax.set_ylabel("batch cost (eq. (9))")
ax.set_yscale("log")
fig.tight_layout()

# %%
# Compile (Table 1) and take the steady state of 200 test images at once (a
# batch): the chemistry's predictions agree with the forward pass.
chem = compile_network(net)
images = mnist.test.inputs(np.arange(200))
labels = mnist.test.labels[:200]
ss = steady_state(chem.network, chem.initial_state(images, nodes=1.0))
outputs = np.stack([ss[s] for s in chem.layer_species(2)], axis=-1)
forward = net(images)
print(f"largest |chemistry - forward| over 200 images x 10 outputs: {np.max(np.abs(outputs - forward)):.2e}")
print(f"chemistry accuracy on these images: {np.mean(outputs.argmax(1) == labels):.2%}; "
      f"forward pass: {np.mean(forward.argmax(1) == labels):.2%}")

# %%
# One test image and the concentrations of the ten output species:
fig, (a0, a1) = plt.subplots(1, 2, figsize=(8, 3), gridspec_kw={"width_ratios": [1, 2]})
a0.imshow(images[0].reshape(28, 28), cmap="gray_r")
a0.set_title(f"label {labels[0]}")
a0.axis("off")
a1.bar(range(10), outputs[0])
a1.set_xticks(range(10))
a1.set_xlabel("output species X2_(k+1) for digit k")
a1.set_ylabel("steady-state concentration")
fig.tight_layout()
