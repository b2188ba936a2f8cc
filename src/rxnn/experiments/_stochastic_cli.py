"""The ``rxnn stochastic-accuracy MODEL`` command.

:func:`register` adds it to the subcommands of the ``rxnn`` parser; the
handler runs :func:`rxnn.experiments.stochastic_accuracy.stochastic_accuracy` on the
MNIST images ``--inputs`` names (the one input grammar of :mod:`rxnn._inputs`;
default the first 100 test images) and writes the table, a JSON summary and a figure.
``--n-images N`` is the deprecated spelling of ``--inputs mnist:0-<N-1>``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rxnn._argtypes import (
    add_data_option,
    add_deprecated_alias,
    add_inputs_option,
    add_out_option,
    add_scheduler_option,
    add_seed_option,
    add_t_end_option,
    add_volumes_option,
    add_workers_option,
    bounded_int,
    first_images,
    positive_int,
)
from rxnn.errors import InvalidArgumentError

__all__ = ["register"]

#: Bound on ``--repeats`` (trajectories per image and volume; ``--workers`` is bounded by
#: :data:`rxnn._argtypes.MAX_WORKERS`): a typo such as ``--repeats 1000000000`` is refused at once
#: instead of allocating or running for days.
MAX_REPEATS = 1000


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``stochastic-accuracy`` command to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers(dest="command")`` returned for the ``rxnn`` parser.

    Returns
    -------
    argparse.ArgumentParser
        The command's parser; it sets ``func`` to a handler returning an exit code.
    """
    from rxnn.experiments.stochastic_accuracy import AUTO_SSA_MAX_VOLUME, DEFAULT_VOLUMES, T_END

    p = subparsers.add_parser(
        "stochastic-accuracy",
        help="test accuracy of a compiled model against volume (stochastic simulation)",
        description=(
            "Compile MODEL (.npz) and simulate its reaction network stochastically at each volume on the MNIST "
            "images --inputs names: nodes start at 1, each image runs to --t-end and is classified by its outputs "
            "time-averaged over the second half. Prints and writes the accuracy-versus-volume table next to the "
            "deterministic (ODE) accuracy on the same images, with output error, events and wall time."
        ),
    )
    p.add_argument("model", type=Path, help="model file (.npz, see rxnn.io.model_file)")
    add_volumes_option(p, default=DEFAULT_VOLUMES)
    add_inputs_option(p, default="mnist:0-99", help="labelled MNIST images to classify", labelled=True)
    add_deprecated_alias(p, "--n-images", "--inputs", dest="inputs", type=positive_int, convert=first_images)
    add_t_end_option(p, default=T_END)
    p.add_argument("--method", choices=["auto", "ssa", "tau-leap"], default="auto",
                   help=f"auto: exact SSA up to volume {AUTO_SSA_MAX_VOLUME:g}, tau-leaping above (default)")
    p.add_argument("--repeats", type=bounded_int(1, MAX_REPEATS), default=1, metavar="R", help="trajectories per image (default 1)")
    add_seed_option(p)
    p.add_argument("--round-enzymes", action="store_true", help="round enzymatic species (input pixels) to molecules")
    add_workers_option(p, help="threads over images")
    add_scheduler_option(p, help="run the images as a resumable sweep on that cluster's workers, results kept in "
                         "OUT/sweep (not with --round-enzymes)")
    add_data_option(p)
    add_out_option(p, default="stochastic-accuracy", help="where to write stochastic_accuracy.{md,json,png}")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_run)
    return p


def _run(args: argparse.Namespace) -> int:
    """Run the experiment; print the table and where it was written; return 0 (errors raise, see rxnn.cli.main)."""
    from rxnn.experiments._model_images import load_model_images
    from rxnn.experiments.stochastic_accuracy import stochastic_accuracy

    got = load_model_images(args)
    if args.scheduler is not None:
        if args.round_enzymes:
            raise InvalidArgumentError("--round-enzymes of stochastic-accuracy cannot run on a --scheduler sweep; "
                                       "drop one of the two")
        from rxnn.experiments.sweep import stochastic_accuracy_sweep

        result = stochastic_accuracy_sweep(
            got.network, got.inputs, got.labels, volumes=args.volumes, image_indices=got.indices,
            t_end=args.t_end, method=args.method, n_repeats=args.repeats, seed=args.seed,
            scheduler=args.scheduler, results=args.out / "sweep", progress=not args.quiet,
        )
    else:
        result = stochastic_accuracy(
            got.network, got.inputs, got.labels, volumes=args.volumes,
            image_indices=got.indices, image_split=got.split, t_end=args.t_end, method=args.method,
            n_repeats=args.repeats, seed=args.seed, round_enzymes=args.round_enzymes, workers=args.workers,
            progress=not args.quiet,
        )
    print(result.to_markdown())
    paths = result.write(args.out)
    print("written: " + ", ".join(str(p) for p in paths.values()))
    return 0
