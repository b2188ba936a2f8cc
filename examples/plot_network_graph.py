"""
Drawing a network as a species-reaction graph
=============================================

A small network drawn as a bipartite graph (as Catalyst's ``Graph`` and
PySB's ``render_reactions`` draw them), with :func:`rxnn.crn.draw_network`:
round nodes are species, small squares reactions, arrows go from reactants
to the reaction and from the reaction to its products, labelled with the
coefficient where it is not 1. A catalyst (on both sides with the same
coefficient, such as the enzymatic species of Def. 5.1) gets one dashed line.
It needs only matplotlib and networkx, no graphviz.

Left: Example 5.2 of the paper. Right: the reactions of Table 1 for one edge
and one node of a compiled network (the weight ``W1_1_1``, the bias ``B1_1``
and the smoothing species ``H`` are catalysts).
"""

import matplotlib.pyplot as plt

from rxnn import ReactionNetwork
from rxnn.compile import compile_network
from rxnn.crn import draw_network
from rxnn.nn import FeedForwardNetwork, SmoothReLU

example = ReactionNetwork.from_text(
    """
    X + Y + E -> 2Y + E ; k1     # Example 5.2
    Y + F -> X + F      ; k2
    """
)

# %%
# A 1-1 network compiled with its enzymatic species (Table 1): every reaction
# of node X1_1, with the input X0_1 and the catalysts of the edge and bias.
compiled = compile_network(FeedForwardNetwork.random([1, 1], SmoothReLU(1.0), seed=0))
print(compiled.summary())
print(compiled.network)

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5), layout="constrained")
draw_network(example, ax=left)
left.set_title("Example 5.2: " + left.get_title(), fontsize=9)
draw_network(compiled.network, ax=right, seed=1)
right.set_title("Table 1, a 1-1 network: " + right.get_title(), fontsize=9)
