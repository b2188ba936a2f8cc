"""Measurements quoted in the rxnn.dsd report (not a test): run with the source tree on the path.

    PYTHONPATH=src python tests/dsd_measurements.py

1. the trained 2-2-1 classifier of tests/test_dsd_classifier.py as DNA (lakin2012 defaults), outputs vs the
   forward pass, with and without leak; 1b. the trained 4-3-2 toy classifier (rxnn.dsd.toy, the one the gallery
   example builds) with biases 0 as soloveichik2010 DNA (unit 10 pM), from the verification starts used there;
   1c. the 4-3-2 toy classifier with biases and h = 0.5 as lakin2012 DNA (unit 0.1 pM): the box its fuels serve
   for 10 formal time units and rxnn.verify_network's finite-horizon verdict from it, per leak rate (as in
   tests/test_dsd_verify_network.py); 2. the 784-40-10 budget table; 3. time per module (enumerate + CRN
   bisimulation), one module per reaction type, both schemes.

    PYTHONPATH=src python tests/dsd_measurements.py [classifier|ssw_classifier|lakin_biased|mnist_sized]
"""

from __future__ import annotations

import time

import numpy as np

from rxnn import FeedForwardNetwork, ReLU, SmoothReLU, compile_network, sgd_step, simulate, verify_network
from rxnn.dsd import servable_box, translate
from rxnn.dsd.enumeration import enumerate_design
from rxnn.dsd.resources import budget_table
from rxnn.dsd.toy import toy_classifier
from rxnn.dsd.verification import formal_readout, formal_values, network_arguments, verify_design


def classifier() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(size=(64, 2))
    y = np.where(x[:, :1] > x[:, 1:], 1.0, 0.2)
    net = FeedForwardNetwork([np.array([[0.9, -0.4], [-0.3, 0.8]]), np.array([[0.7, -0.5]])],
                             [np.array([0.2, 0.2]), np.array([0.3])], ReLU())
    for _ in range(200):
        net = sgd_step(net, x, y, eta=0.1).network
    comp = compile_network(net, absorb_enzymes=True)
    design = translate(comp.network, "lakin2012", max_gate_nM=1e6)
    print(design.summary())
    readout = formal_readout(design, enumerate_design(design, modular=True), modular=True)
    for leak in (0.0, 1e-14, 1e-13, 1e-12):
        e = enumerate_design(design, modular=True, leak_per_s=leak)
        for d in ([0.8, 0.2], [0.1, 0.9]):
            d = np.array(d)
            t = 30 * design.time_unit_s
            res = simulate(e.network, e.initial_state(design, comp.initial_state(d, 1.0)), (0, t), t_eval=[t],
                           atol=1e-9 * design.unit_nM)
            got = formal_values(readout, res)["X2_1"][-1] / design.unit_nM
            print(f"leak {leak:g} /s input {d}: forward {net(d)[0]:.4f} DNA {got:.4f} error {got - net(d)[0]:+.4f}")


def ssw_classifier() -> None:
    net, x = toy_classifier(biases=False)
    comp = compile_network(net, absorb_enzymes=True)
    design = translate(comp.network, "soloveichik2010", unit_nM=0.01)
    print(design.summary())
    print(verify_design(design, per_type=True))
    starts = {"ones": np.ones(5), "B": np.full(5, 2.0), "10*rand": 10 * np.random.default_rng(0).uniform(size=5)}
    for leak in (0.0, 1e-14, 1e-13, 1e-12):
        args = network_arguments(design, comp, enumerate_design(design, modular=True, leak_per_s=leak))
        worst = 0.0
        for nodes in starts.values():
            for d in x[:8]:
                state = dict(args["initial"])
                for r, v in zip([r for layer in args["layers"] for r in layer], np.concatenate([d, nodes])):
                    name, w = next(iter(r.items()))
                    state[name] = v / w
                res = simulate(args["implementation"], state, (0, 30), t_eval=[30], atol=1e-9 * design.unit_nM)
                got = np.array([sum(w * res[k][-1] for k, w in r.items()) for r in args["layers"][-1]])
                worst = max(worst, float(np.max(np.abs(got - net(d)))))
        print(f"soloveichik2010 4-3-2, leak {leak:g} /s: max |DNA - forward| over 3 starts x 8 inputs = {worst:.4f}")


def lakin_biased() -> None:
    net, x = toy_classifier(biases=True, h=0.5)
    comp = compile_network(net, absorb_enzymes=True)
    design = translate(comp.network, "lakin2012", unit_nM=1e-4)
    print(design.summary())
    d, horizon = x[:2], 10.0
    start = time.perf_counter()
    box = servable_box(design, comp, d, horizon=horizon)
    print(f"servable box for {horizon:g} formal time units (1 % fuel change): [0, {box:.4g}] "
          f"({time.perf_counter() - start:.1f} s)")
    for leak in (0.0, 1e-17, 1e-16, 1e-15):
        start = time.perf_counter()
        args = network_arguments(design, comp, enumerate_design(design, modular=True, leak_per_s=leak))
        result = verify_network(args["implementation"], d, reference=args["reference"], layers=args["layers"],
                                initial=args["initial"], initial_bound=box, horizon=horizon, tol=0.01,
                                scales=(box,), rtol=1e-8, atol=1e-14)
        print(f"lakin2012 4-3-2 with biases, h = 0.5, leak {leak:g} /s: {'PASSED' if result.passed else 'FAILED'}, "
              f"max |DNA - forward| at t = {horizon:g} over {len(result.starts)} starts x {len(d)} inputs = "
              f"{result.worst('final_error'):.2e} ({time.perf_counter() - start:.1f} s)")


def mnist_sized() -> None:
    rng = np.random.default_rng(0)
    net = FeedForwardNetwork([rng.normal(size=(40, 784)) * 0.05, rng.normal(size=(10, 40)) * 0.2],
                             [rng.normal(size=40) * 0.1, rng.normal(size=10) * 0.1], SmoothReLU(1.0))
    print(budget_table(compile_network(net)))
    for scheme, absorbed in (("soloveichik2010", False), ("lakin2012", True)):
        start = time.perf_counter()
        design = translate(compile_network(net, absorb_enzymes=absorbed).network, scheme, max_gate_nM=1e300)
        print(f"{scheme}: translate {time.perf_counter() - start:.1f} s")
        print(verify_design(design, per_type=True))


if __name__ == "__main__":
    import sys

    parts = sys.argv[1:] or ["classifier", "ssw_classifier", "lakin_biased", "mnist_sized"]
    for part in parts:
        {"classifier": classifier, "ssw_classifier": ssw_classifier, "lakin_biased": lakin_biased,
         "mnist_sized": mnist_sized}[part]()
