"""Enumerating a design leaves the process's recursion limit as it was.

peppercornenumerator raises it to 10**6 for the whole process when imported; with that limit a deep
recursion in C (json's decoder on deeply nested input) overflows the stack and kills the process
instead of raising RecursionError. rxnn keeps the caller's limit outside the enumeration.
"""

import json
import sys

from rxnn import ReactionNetwork
from rxnn.dsd import translate


def test_enumeration_restores_the_recursion_limit():
    before = sys.getrecursionlimit()
    enumeration = translate(ReactionNetwork.from_text("A + B -> C"), scheme="soloveichik2010").enumerate()
    assert enumeration.n_reactions == 4  # the condensed A + B -> C module (issue 16's hand count)
    assert sys.getrecursionlimit() == before
    try:
        json.loads("[" * 200_000)
    except RecursionError:
        pass  # the decoder refuses; with the limit at 10**6 the process would crash here instead
