"""Small reference networks from the paper, with their reactions written out."""

EXAMPLE_2_2 = """
X1 + X2 -> 2X2
X2 -> X1
"""

EXAMPLE_2_3 = """
0 -> X1 + X2
X1 <-> X3
X1 + X3 -> X3
"""

EXAMPLE_5_2 = """
X + Y + E -> 2Y + E ; k1
Y + F -> X + F ; k2
"""

NETWORK_17 = EXAMPLE_5_2 + "Z + F -> Z\n"
