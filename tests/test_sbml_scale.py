"""The paper's 784-40-10 network round-trips through SBML and Antimony at full scale (issue 14).

Marked ``validate`` (about a minute): compiles the random 784-40-10 SmoothReLU(1) network of
``benchmarks/bench_sbml.py`` (63 720 reactions), writes it as SBML and as Antimony, reads each back and
checks that the network and the initial values are equal, each read within 20 CPU seconds (CPU time, so
that other work on the machine does not count).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

from rxnn.compile import compile_network
from rxnn.io.antimony import read_antimony, write_antimony
from rxnn.io.sbml import read_sbml, write_sbml
from rxnn.nn import FeedForwardNetwork, SmoothReLU


@pytest.mark.validate
@pytest.mark.parametrize("write, read, suffix", [(write_sbml, read_sbml, "xml"), (write_antimony, read_antimony, "ant")])
def test_the_paper_network_round_trips_within_20_cpu_seconds(tmp_path, write, read, suffix):
    compiled = compile_network(FeedForwardNetwork.random([784, 40, 10], SmoothReLU(1.0), seed=0))
    initial = compiled.initial_state(np.random.default_rng(0).uniform(0.0, 1.0, 784))
    path = tmp_path / f"net.{suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the Antimony writer warns that third-party readers will be slow
        write(compiled.network, path, initial)
    start = time.process_time()
    network, back = read(path)
    seconds = time.process_time() - start
    assert network == compiled.network and back == {k: float(v) for k, v in initial.items()}
    assert seconds <= 20, f"read in {seconds:.1f} CPU seconds"
