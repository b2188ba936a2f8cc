"""The ``rxnn verify`` command: numerical evidence that a reaction network implements a model (Def. 4.1).

``rxnn verify MODEL.npz [--inputs SPEC] [--network FILE [--format FMT]] [--tol X] [--initial-bound B] [--horizon T] [--seed N] [--plot FILE.png]``
    compiles MODEL (or reads the reaction network FILE, in any format that
    ``rxnn convert`` writes, whose node species follow the compiled names
    ``X<l>_<i>`` and whose other species have concentrations in the file) and
    runs :func:`rxnn.verify_network` on the inputs SPEC names
    (:mod:`rxnn._inputs`); ``--initial-bound``/``--horizon`` restrict the starts
    to a box and judge at a finite time. Exit status 0 PASSED, 1 FAILED, 2 an error.

The command lives at the package top, beside :mod:`rxnn.verify` (with its helpers
``_verify_result`` and ``_verify_target``): each area's command sits next to the module it
drives, and ``rxnn.verify`` is a top-level module, so moving the command into a package
would move the public ``rxnn.verify`` path too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rxnn._argtypes import add_inputs_option, add_network_format_option, add_seed_option, positive_float
from rxnn._files import atomic_output, check_output_path
from rxnn._inputs import load_inputs

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``verify`` command to ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "verify",
        help="check that a reaction network implements a model (Def. 4.1; numerical evidence)",
        description="Integrate the compiled reaction network of MODEL (.npz), or the network in --network FILE, "
        "from all-ones, random, zero, per-layer-zero, tiny, huge and corner starts, and judge every layer's "
        "distance from the forward pass, its entry into a bounded set and its settling time against stated "
        "limits. Exit status: 0 PASSED, 1 FAILED, 2 an error.",
    )
    p.add_argument("model", type=Path, help="model file (.npz, see rxnn.io.model_file)")
    add_inputs_option(p, default="mnist:0-19")
    p.add_argument("--network", type=Path, metavar="FILE",
                   help="verify this reaction network file (SBML, Antimony, JSON or text) instead of the compiled "
                   "one; its nodes must be named X<l>_<i> as rxnn compile names them")
    add_network_format_option(p)
    p.add_argument("--tol", type=positive_float, default=1e-6, help="absolute tolerance at the end time (default 1e-6)")
    p.add_argument("--initial-bound", type=positive_float, metavar="B",
                   help="take only starts with every node in [0, B] (a network that serves a bounded region, "
                   "e.g. a DNA design with finite fuel: rxnn.dsd.servable_box)")
    p.add_argument("--horizon", type=positive_float, metavar="T",
                   help="judge every layer at the finite time T, without a steady state (finite-horizon "
                   "evidence, not Def. 4.1)")
    add_seed_option(p, help="seed of the random starts")
    p.add_argument("--plot", type=Path, metavar="FILE.png",
                   help="also draw |x(t) - a| against time for every start (needs matplotlib)")
    p.set_defaults(func=_verify)
    return p


def _verify(args: argparse.Namespace) -> int:
    from rxnn.compile import compile_network
    from rxnn.io.model_file import load_model
    from rxnn.verify import MAX_VERIFY_INPUTS, verify_network

    if args.plot is not None:
        check_output_path(args.plot, "--plot")  # refuse a bad path before the run, not after it
    net = load_model(args.model)
    inputs = load_inputs(args.inputs, net.layer_sizes[0], flag="--inputs", max_rows=MAX_VERIFY_INPUTS, fetch=True)
    if args.network is None:
        compiled = compile_network(net)
        print(compiled.summary())
        result = verify_network(compiled, inputs, tol=args.tol, seed=args.seed, **_region(args))
    else:
        from rxnn.io.formats import read_network

        network, initial = read_network(args.network, args.network_format)
        layers = [[f"X{layer}_{i}" for i in range(1, width + 1)] for layer, width in enumerate(net.layer_sizes)]
        print(f"{args.network}: {network.n_species} species, {network.n_reactions} reactions")
        result = verify_network(network, inputs, reference=net, layers=layers, initial=initial, tol=args.tol,
                                seed=args.seed, **_region(args))
    print(result)
    if args.plot is not None:
        _save_plot(result, args.plot)
        print(f"plot: {args.plot}")
    return 0 if result.passed else 1


def _region(args: argparse.Namespace) -> dict:
    return {"initial_bound": args.initial_bound, "horizon": args.horizon}


def _save_plot(result, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    ax = result.plot()
    with atomic_output(path, "wb", what="--plot") as handle:
        ax.figure.savefig(handle, format="png", dpi=120, bbox_inches="tight")
