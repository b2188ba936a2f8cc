"""The ``rxnn robustness MODEL`` command.

:func:`register` adds it to the ``rxnn`` parser; the handler runs
:func:`rxnn.experiments.robustness.robustness` on the inputs ``--inputs`` names
(:mod:`rxnn._inputs`) as one sweep (dask workers with ``--workers`` /
``--scheduler``, resumable from ``OUT/sweep``) and writes the table (markdown,
JSON) and the figure.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from rxnn._argtypes import (
    add_inputs_option,
    add_out_option,
    add_scheduler_option,
    add_seed_option,
    add_t_end_option,
    add_volumes_option,
    add_workers_option,
    bounded_int,
    positive_float,
)

__all__ = ["register", "QUICK"]

#: Bounds that refuse a typo at once instead of running for days.
MAX_INPUTS = 1000
MAX_SAMPLES = 1000
MAX_REPEATS = 100
MAX_SIGMA = 5.0
MAX_LEAK = 100.0
#: ``--quick``: a run of seconds on a small model (what the test suite runs).
QUICK = {"sigmas": [0.01, 0.1, 0.5], "samples": 3, "leaks": [0.01, 0.1], "leak_modes": ["birth", "death"],
         "volumes": [100.0], "repeats": 1}


def _at_most(limit: float, what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = positive_float(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"must be a {what} of at most {limit:g}; got {text}")
        return value

    parse.__name__ = what
    return parse


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``robustness`` command to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers(dest="command")`` returned for the ``rxnn`` parser.

    Returns
    -------
    argparse.ArgumentParser
        The command's parser; it sets ``func`` to a handler returning an exit code.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="rxnn").add_subparsers(dest="command")
    >>> register(sub).parse_args(["net.npz", "--quick"]).samples is None
    True
    """
    from rxnn.experiments.robustness import DEFAULT_LEAKS, DEFAULT_SIGMAS, DEFAULT_VOLUMES

    p = subparsers.add_parser(
        "robustness",
        help="accuracy and output error of a compiled model under perturbed rates, enzymes, leaks, finite volume",
        description=(
            "Compile MODEL (.npz, Table 1 form) and measure, on the inputs SPEC names, the steady-state output error "
            "and the classes under a lognormal perturbation of every rate constant and of every enzymatic "
            "concentration, under leak reactions (0 -> X, X -> 0 at rate eps), and at finite volume (exact SSA), "
            "beside the first-order prediction d x*/d p = -J^-1 J_p (Def. 4.7(1)) and the linear noise "
            "approximation. Runs as one sweep on dask workers (--workers, --scheduler); a second run with the same "
            "--out resumes. Writes robustness.{md,json,png}."
        ),
    )
    p.add_argument("model", type=Path, help="model file (.npz, see rxnn.io.model_file)")
    add_inputs_option(p, default="mnist:0-9", help="inputs (MNIST specs also give the labels)")
    p.add_argument("--sigmas", type=_at_most(MAX_SIGMA, "lognormal sigma"), nargs="+", default=None, metavar="S",
                   help=f"lognormal sigmas (default {' '.join(map(str, DEFAULT_SIGMAS))})")
    p.add_argument("--samples", type=bounded_int(2, MAX_SAMPLES), default=None, metavar="N",
                   help="perturbations per sigma (default 8)")
    p.add_argument("--leaks", type=_at_most(MAX_LEAK, "leak rate"), nargs="*", default=None, metavar="EPS",
                   help=f"leak rates (default {' '.join(map(str, DEFAULT_LEAKS))}; none: no leak experiment)")
    p.add_argument("--leak-modes", choices=["birth", "death", "both"], nargs="+", default=None,
                   help="0 -> X (birth), X -> 0 (death), both (default all three)")
    add_volumes_option(p, default=None, allow_none=True,
                       help=f"SSA volumes (default {' '.join(f'{v:g}' for v in DEFAULT_VOLUMES)})")
    p.add_argument("--repeats", type=bounded_int(1, MAX_REPEATS), default=None, metavar="R",
                   help="SSA trajectories per input and volume (default 2)")
    add_t_end_option(p, default=20.0, help="SSA simulated time")
    add_seed_option(p, help="base seed of the sweep")
    add_workers_option(p, help="dask worker processes of an embedded LocalCluster (1: in this process)")
    add_scheduler_option(p, help="overrides --workers")
    add_out_option(p, default="robustness", help="where to write robustness.{md,json,png} and the sweep's results (DIR/sweep)")
    p.add_argument("--quick", action="store_true",
                   help="sigmas 0.01 0.1 0.5, 3 samples, leaks 0.01 0.1 (birth, death), volume 100, 1 repeat "
                        "(options given explicitly still win)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_run)
    return p


def _run(args: argparse.Namespace) -> int:
    """Run the experiment; print the table and where it was written; return 0 (errors raise, see rxnn.cli.main)."""
    from rxnn._files import check_output_folder
    from rxnn._inputs import load_inputs, parse_input_spec
    from rxnn.experiments.robustness import DEFAULT_LEAKS, DEFAULT_SIGMAS, DEFAULT_VOLUMES, robustness
    from rxnn.io.model_file import load_model

    check_output_folder(args.out, "--out")  # before minutes of simulation, not after
    network = load_model(args.model)
    x = load_inputs(args.inputs, network.layer_sizes[0], flag="--inputs", max_rows=MAX_INPUTS, fetch=True)
    spec = parse_input_spec(args.inputs, flag="--inputs", max_rows=MAX_INPUTS)
    labels = None
    if spec.kind == "mnist":
        from rxnn.datasets.mnist import load_mnist

        labels = getattr(load_mnist(fetch=True), spec.split).labels[spec.first:spec.last + 1]
    quick = QUICK if args.quick else {}

    def pick(name: str, default: object) -> object:
        given = getattr(args, name)
        return given if given is not None else quick.get(name, default)

    args.out.mkdir(exist_ok=True)
    result = robustness(
        network, x, labels, sigmas=pick("sigmas", DEFAULT_SIGMAS), n_samples=pick("samples", 8),
        leaks=pick("leaks", DEFAULT_LEAKS), leak_modes=pick("leak_modes", ("birth", "death", "both")),
        volumes=pick("volumes", DEFAULT_VOLUMES), ssa_repeats=pick("repeats", 2), t_end=args.t_end,
        seed=args.seed, workers=args.workers, scheduler=args.scheduler, results=args.out / "sweep",
        progress=not args.quiet, description=args.inputs,
    )
    print(result.to_markdown())
    paths = result.write(args.out)
    print("written: " + ", ".join(str(p) for p in paths.values()))
    return 0
