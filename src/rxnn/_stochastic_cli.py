"""The ``rxnn stochastic-accuracy MODEL`` command.

:func:`register` adds it to the subcommands of the ``rxnn`` parser; the
handler runs :func:`rxnn.stochastic_accuracy.stochastic_accuracy` on the
first N MNIST test images and writes the table, a JSON summary and a figure.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rxnn._argtypes import bounded_int, positive_float, positive_int

__all__ = ["register"]

#: Bounds on ``--repeats`` (trajectories per image and volume) and ``--workers`` (threads): a typo such as
#: ``--repeats 1000000000`` is refused at once instead of allocating or running for days.
MAX_REPEATS = 1000
MAX_WORKERS = 64


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
    from rxnn.stochastic_accuracy import AUTO_SSA_MAX_VOLUME, DEFAULT_VOLUMES, T_END

    p = subparsers.add_parser(
        "stochastic-accuracy",
        help="test accuracy of a compiled model against volume (stochastic simulation)",
        description=(
            "Compile MODEL (.npz) and simulate its reaction network stochastically at each volume on the first N "
            "MNIST test images: nodes start at 1, each image runs to --t-end and is classified by its outputs "
            "time-averaged over the second half. Prints and writes the accuracy-versus-volume table next to the "
            "deterministic (ODE) accuracy on the same images, with output error, events and wall time."
        ),
    )
    p.add_argument("model", type=Path, help="model file (.npz, see rxnn.io.model_file)")
    p.add_argument("--volumes", type=positive_float, nargs="+", default=list(DEFAULT_VOLUMES), metavar="V",
                   help="volumes (default: %(default)s)")
    p.add_argument("--n-images", type=positive_int, default=100, metavar="N",
                   help="first N test images per volume (default 100)")
    p.add_argument("--t-end", type=positive_float, default=T_END, metavar="T", help=f"simulated time (default {T_END:g})")
    p.add_argument("--method", choices=["auto", "ssa", "tau-leap"], default="auto",
                   help=f"auto: exact SSA up to volume {AUTO_SSA_MAX_VOLUME:g}, tau-leaping above (default)")
    p.add_argument("--repeats", type=bounded_int(1, MAX_REPEATS), default=1, metavar="R", help="trajectories per image (default 1)")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--round-enzymes", action="store_true", help="round enzymatic species (input pixels) to molecules")
    p.add_argument("--workers", type=bounded_int(1, MAX_WORKERS), default=1, metavar="K", help="threads over images (default 1)")
    p.add_argument("--data", type=Path, default=None, metavar="DIR",
                   help="MNIST directory (default: $RXNN_DATA/mnist, else the user cache)")
    p.add_argument("--out", type=Path, default=Path("stochastic-accuracy"), metavar="DIR",
                   help="where to write stochastic_accuracy.{md,json,png} (default: stochastic-accuracy)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_run)
    return p


def _run(args: argparse.Namespace) -> int:
    """Run the experiment; print the table and where it was written; return 0 (errors raise, see rxnn.cli.main)."""
    import numpy as np

    from rxnn._files import check_output_folder
    from rxnn.datasets.mnist import load_mnist
    from rxnn.io.model_file import load_model
    from rxnn.stochastic_accuracy import stochastic_accuracy

    check_output_folder(args.out, "--out")  # before minutes of simulation, not after
    network = load_model(args.model)
    mnist = load_mnist(args.data, fetch=True)
    n = min(args.n_images, len(mnist.test))
    indices = np.arange(n)
    result = stochastic_accuracy(
        network, mnist.test.inputs(indices), mnist.test.labels[indices], volumes=args.volumes,
        image_indices=indices, t_end=args.t_end, method=args.method, n_repeats=args.repeats, seed=args.seed,
        round_enzymes=args.round_enzymes, workers=args.workers, progress=not args.quiet,
    )
    print(result.to_markdown())
    paths = result.write(args.out)
    print("written: " + ", ".join(str(p) for p in paths.values()))
    return 0
