"""The ``rxnn accuracy-volume MODEL`` command.

:func:`register` adds it to the subcommands of the ``rxnn`` parser; the handler runs
:func:`rxnn.experiments.accuracy_volume.accuracy_against_volume` on the MNIST images ``--inputs`` names
(default all 10,000 test images) as a resumable sweep (results in ``OUT/sweep``) and writes the table,
its JSON and two figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rxnn._argtypes import (
    add_data_option,
    add_inputs_option,
    add_out_option,
    add_scheduler_option,
    add_seed_option,
    add_t_end_option,
    add_workers_option,
    bounded_int,
    positive_float,
    volume,
)

from rxnn.errors import InvalidArgumentError

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``accuracy-volume`` command to ``subparsers``.

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
    >>> p = argparse.ArgumentParser()
    >>> args = p.add_subparsers(dest="command")
    >>> register(args).parse_args(["m.npz", "--exact-volumes", "1", "10"]).exact_volumes
    [1.0, 10.0]
    """
    from rxnn.experiments.accuracy_volume import APPROX_VOLUMES, ERROR_SAMPLE, EXACT_VOLUMES
    from rxnn.experiments.stochastic_accuracy import T_END

    p = subparsers.add_parser(
        "accuracy-volume",
        help="accuracy against volume on the whole test set (exact SSA, measured approximation, cost model)",
        description=(
            "Compile MODEL (.npz) and simulate it stochastically on every MNIST image --inputs names: the exact "
            "SSA at --exact-volumes, --approx-method at --approx-volumes with its error against the exact SSA "
            "measured on --error-sample evenly spaced images, and the cost model of the exact SSA (events per "
            "image x images / events per second per core). Runs as a sweep on dask (--workers processes of an "
            "embedded cluster, or --scheduler); a killed run resumes from OUT/sweep."
        ),
    )
    p.add_argument("model", type=Path, help="model file (.npz, see rxnn.io.model_file)")
    add_inputs_option(p, default="mnist:0-9999", help="labelled MNIST images to classify", labelled=True)
    shown = lambda vs: " ".join(f"{v:g}" for v in vs)  # noqa: E731
    p.add_argument("--exact-volumes", type=volume, nargs="*", default=list(EXACT_VOLUMES), metavar="V",
                   help=f"volumes of the exact SSA on every image (default {shown(EXACT_VOLUMES)})")
    p.add_argument("--approx-volumes", type=volume, nargs="*", default=list(APPROX_VOLUMES), metavar="V",
                   help=f"volumes of the approximate method on every image (default {shown(APPROX_VOLUMES)})")
    p.add_argument("--approx-method", choices=["tau-leap", "ssa"], default="tau-leap",
                   help="method at --approx-volumes (default tau-leap)")
    p.add_argument("--approx-epsilon", type=positive_float, default=None, metavar="E",
                   help="tau-leaping's step control epsilon at --approx-volumes (default: the method's, 0.03)")
    p.add_argument("--error-sample", type=bounded_int(0, 10_000), default=ERROR_SAMPLE, metavar="K",
                   help=f"images on which the approximate method is checked against the exact SSA (default "
                        f"{ERROR_SAMPLE})")
    p.add_argument("--block", type=bounded_int(1, 10_000), default=100, metavar="B",
                   help="images per task and result file (default 100)")
    add_t_end_option(p, default=T_END)
    add_seed_option(p)
    add_workers_option(p, help="processes of the embedded dask cluster")
    add_scheduler_option(p, help="run on that cluster's workers instead of an embedded one")
    add_data_option(p)
    add_out_option(p, default="accuracy-volume", help="where to write accuracy_volume.{md,json,png} (and sweep/)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_run)
    return p


def _run(args: argparse.Namespace) -> int:
    """Run the sweep; print the tables and where they were written; return 0 (errors raise, see rxnn.cli.main)."""
    from rxnn.experiments._model_images import load_model_images
    from rxnn.experiments.accuracy_volume import accuracy_against_volume

    if args.approx_epsilon is not None and args.approx_method != "tau-leap":
        raise InvalidArgumentError("--approx-epsilon is tau-leaping's step control; drop it or use --approx-method "
                                   "tau-leap")
    got = load_model_images(args)  # --out checked before hours of simulation, not after
    result = accuracy_against_volume(
        got.network, got.inputs, got.labels, image_indices=got.indices, image_split=got.split,
        exact_volumes=args.exact_volumes, approx_volumes=args.approx_volumes, approx_method=args.approx_method,
        approx_options=None if args.approx_epsilon is None else {"epsilon": args.approx_epsilon},
        error_sample=args.error_sample, block=args.block, t_end=args.t_end, seed=args.seed, workers=args.workers,
        scheduler=args.scheduler, results=args.out / "sweep", progress=not args.quiet,
    )
    print(result.to_markdown())
    paths = result.write(args.out)
    print("written: " + ", ".join(str(p) for p in paths.values()))
    return 0
