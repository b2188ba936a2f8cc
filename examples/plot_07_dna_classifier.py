"""
A trained classifier as DNA strand displacement
===============================================

A 4-3-2 ReLU network is trained by rxnn on a toy task (is x1 + x2 > x3 + x4?),
compiled into its bimolecular absorbed form (§5.1), translated into DNA
gates and fuels by the scheme of Soloveichik, Seelig & Winfree (PNAS 2010),
enumerated at the domain level by peppercorn and verified module by module
by crnverifier's CRN bisimulation. The condensed DNA-level network is then
simulated by rxnn like any other reaction network. Biases are held at 0 so
that every formal reaction is bimolecular: the scheme's unimolecular and
source gates are used up at the rate they fire (the design's fuel bound,
shown at the end, says how soon). Signals are at 10 pM per formal unit; a
formal amount is read out as the sum over every DNA species that holds the
signal strand, free or bound in a gate (``design.readout``). The same
classifier with its biases and h > 0 then runs as lakin2012 DNA and is
checked by ``rxnn.verify_network`` from the starts its fuels can serve.
"""

import matplotlib.pyplot as plt
import numpy as np

from rxnn import compile_network, simulate, verify_network
from rxnn.dsd import translate
from rxnn.dsd.enumeration import enumerate_design
from rxnn.dsd.toy import toy_classifier
from rxnn.dsd.verification import network_arguments, verify_design

net, x = toy_classifier(biases=False)  # 4-3-2, trained by rxnn on "is x1 + x2 > x3 + x4?"
compiled = compile_network(net, absorb_enzymes=True)
design = translate(compiled.network, "soloveichik2010", unit_nM=0.01)
print(design.summary())

# %%
# One module per reaction type is enumerated and checked; modules of a type
# differ only in names, so the verdict covers every module.
print(verify_design(design, per_type=True))

# %%
# Simulate the DNA-level network from every node at 1 (formal time: rates
# times the design's time unit) and read the outputs through the readouts.
d = x[0]
T = 30.0
grid = np.linspace(0, T, 121)


def dna_run(leak_per_s=0.0):
    args = network_arguments(design, compiled, enumerate_design(design, modular=True, leak_per_s=leak_per_s))
    state = dict(args["initial"])
    values = np.concatenate([d, np.ones(5)])
    for readout, value in zip([r for layer in args["layers"] for r in layer], values):
        name, weight = next(iter(readout.items()))
        state[name] = value / weight
    res = simulate(args["implementation"], state, (0, T), t_eval=grid, atol=1e-9 * design.unit_nM)
    return np.array([sum(w * np.asarray(res[k]) for k, w in r.items()) for r in args["layers"][-1]])


formal = simulate(compiled.network, compiled.initial_state(d, 1.0), (0, T), t_eval=grid)
dna = dna_run()
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for i, name in enumerate(compiled.layer_species(2)):
    (line,) = axes[0].plot(grid, dna[i], label=f"{name} (DNA)")
    axes[0].plot(grid, formal[name], ls="--", color=line.get_color(), label=f"{name} (formal CRN)")
    axes[0].axhline(net(d)[i], ls=":", color=line.get_color())
axes[0].set_xlabel("formal time (1 unit = %.3g h)" % (design.time_unit_s / 3600))
axes[0].set_ylabel("output (formal units)")
axes[0].set_title("outputs; dotted: forward pass")
axes[0].legend(fontsize=7)

# %%
# A leak (every gate releasing its products without its inputs, first order)
# shifts the outputs in proportion to its rate.
leaks = [1e-15, 1e-14, 1e-13, 1e-12]
errors = [float(np.max(np.abs(dna_run(k)[:, -1] - net(d)))) for k in leaks]
axes[1].loglog(leaks, errors, "o-")
axes[1].axhline(float(np.max(np.abs(dna[:, -1] - net(d)))), ls=":", color="gray", label="no leak")
axes[1].set_xlabel("leak rate (/s)")
axes[1].set_ylabel("max |DNA - forward| at the end")
axes[1].legend()
fig.tight_layout()
print("forward:", np.round(net(d), 4), "DNA:", np.round(dna[:, -1], 4))

# %%
# With biases (unimolecular ``X -> 2X``, ``X -> 0``) soloveichik2010's gates
# would not last: the fuel bound, from the fuel each firing uses, is a tiny
# fraction of a formal time unit.
biased, _ = toy_classifier(biases=True, h=0.5)
biased_compiled = compile_network(biased, absorb_enzymes=True)
ssw = translate(biased_compiled.network, "soloveichik2010", unit_nM=0.01)
print("soloveichik2010 with biases:", ssw.fuel_bound(biased_compiled.initial_state(x[0], 1.0), t_max=1.0))

# %%
# lakin2012 sets rates through backward strands, so its biases and its
# sources (``0 -> X`` at rate h) keep gates of 2 nM. The box of node
# starts its fuels serve for 10 formal time units (no gate or fuel changes
# by more than 1 %) is where ``verify_network`` checks it, at that finite
# horizon (the DNA-level network has no steady state that computes the
# forward pass: its fuel runs out in the end).
lakin = translate(biased_compiled.network, "lakin2012", unit_nM=1e-4)
args = network_arguments(lakin, biased_compiled, horizon=10.0, d=x[:2])  # the box: servable_box
implementation = args.pop("implementation")
result = verify_network(implementation, x[:2], **args, tol=0.01, scales=(args["initial_bound"],),
                        rtol=1e-8, atol=1e-14)
print(result.message)
