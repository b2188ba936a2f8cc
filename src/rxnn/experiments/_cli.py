"""The ``rxnn reproduce`` and ``rxnn train`` commands.

:func:`register` adds both to the subcommands of the ``rxnn`` parser; each
sets ``func`` to a handler that returns the exit status (0, or 1 for a
FAILED activation check) and raises :class:`rxnn.errors.RxnnError` for errors,
which :func:`rxnn.cli.main` prints as one line (exit status 2).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from rxnn._argtypes import (
    add_blas_threads_option,
    add_data_option,
    add_deprecated_alias,
    add_inputs_option,
    add_out_option,
    add_scheduler_option,
    add_seed_option,
    add_workers_option,
    first_images,
    nonnegative_int,
    positive_int,
)
from rxnn.errors import InvalidArgumentError


__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """Add the ``reproduce`` and ``train`` commands to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers(dest="command")`` returned for the ``rxnn`` parser.

    Returns
    -------
    (argparse.ArgumentParser, argparse.ArgumentParser)
        The ``reproduce`` and ``train`` parsers.
    """
    rep = subparsers.add_parser(
        "reproduce",
        help="reproduce §6 of the paper: training, chemistry, figures and report",
        description=(
            "Train the §6 network (h = 1, h = 0, q = 3) for several seeds, simulate the compiled reaction network "
            "(Figs. 10-12 and the activation check), draw Figs. 4 and 8-14 and write report.md, report.html and "
            "report.json with the trained model files. MNIST is fetched on first use. Checkpoints under OUT/checkpoints "
            "let an interrupted run resume."
        ),
    )
    add_out_option(rep, default="results", help="output directory")
    rep.add_argument("--seeds", type=positive_int, default=None, metavar="N",
                     help="number of seeds 1234, 1235, ... (default: 5, or 1 with --quick)")
    rep.add_argument("--quick", action="store_true", help="a fast check: 100 iterations, 2000 test images, 1 seed")
    add_data_option(rep)
    add_workers_option(rep, default=None, minimum=0, maximum=None,
                       help="training worker processes (default: CPUs available, at most 4; 0: in this process)")
    add_deprecated_alias(rep, "--jobs", "--workers", dest="workers", type=nonnegative_int)
    add_scheduler_option(rep, help="train on that cluster's workers instead of local processes "
                         "(they need rxnn and the same file system)")
    add_blas_threads_option(rep, help="recorded in the report")
    rep.add_argument("--stochastic", action="store_true",
                     help="also simulate the trained network stochastically: accuracy against volume (minutes)")
    rep.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    rep.set_defaults(func=_reproduce)

    tr = subparsers.add_parser(
        "train",
        help="train one §6 network on MNIST and save it as a model file",
        description="Stochastic gradient descent of §6 on MNIST; the defaults are the paper's (784-40-10, h = 1, "
                    "eta = 0.1, batches of 300, 1000 iterations, seed 1234). With --checkpoint a run resumes.",
    )
    tr.add_argument("--h", type=float, default=1.0, help="smoothing parameter h (default 1; 0 with q = 2 is the ReLU)")
    tr.add_argument("--q", type=int, default=2, help="order q of the decay reaction qX -> X (default 2)")
    tr.add_argument("--hidden", type=positive_int, default=40, help="hidden nodes (default 40)")
    tr.add_argument("--eta", type=float, default=0.1, help="learning rate (default 0.1)")
    tr.add_argument("--batch-size", type=positive_int, default=300, help="batch size (default 300)")
    tr.add_argument("--iterations", type=nonnegative_int, default=1000, help="iterations (default 1000)")
    add_seed_option(tr, default=1234)
    tr.add_argument("--model", type=Path, default=Path("model.npz"), metavar="FILE",
                    help="where to save the trained network (default: model.npz)")
    tr.add_argument("--checkpoint", type=Path, default=None, metavar="FILE", help="checkpoint file (resumed if present)")
    tr.add_argument("--checkpoint-every", type=positive_int, default=100, metavar="K", help="iterations between checkpoints")
    add_inputs_option(tr, default=None, help="labelled MNIST images to evaluate (default: every test image)", labelled=True)
    add_deprecated_alias(tr, "--n-test", "--inputs", dest="inputs", type=positive_int, convert=first_images)
    add_data_option(tr)
    tr.add_argument("--forward", choices=("closed", "crn"), default="closed",
                    help="forward pass: closed form (default), or steady states of the compiled reaction network "
                         "with phi' at the simulated values (chemistry in the loop)")
    add_blas_threads_option(tr, help="recorded in the checkpoint, and a resume must use the same count")
    tr.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    tr.set_defaults(func=_train)
    return rep, tr


def _reproduce(args: argparse.Namespace) -> int:
    """Run ``rxnn reproduce``; print the headline numbers; 0 on success, 1 if the activation check FAILED."""
    from rxnn.experiments.reproduce import reproduce

    command = "rxnn " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["reproduce"] else None
    summary = reproduce(args.out, seeds=args.seeds, quick=args.quick, data=args.data, jobs=args.workers,
                        progress=not args.quiet, command=command, stochastic=args.stochastic,
                        blas_threads=args.blas_threads, scheduler=args.scheduler)
    for key, config in summary["configurations"].items():
        test = config["summary"]["test_accuracy"]
        print(f"{config['label']:<24} test accuracy {100 * test['mean']:.2f}% ± {100 * test['sd']:.2f} "
              f"(range {100 * test['min']:.2f}-{100 * test['max']:.2f}%, {test['n']} seeds)")
    check = summary["activation_check"]
    errors = ", ".join(f"{k} {v:.1e}" for k, v in check["max_abs_error_all_nodes"].items())
    print(f"activation check ({'passed' if check['passed'] else 'FAILED'}): {errors}")
    if "stochastic" in summary:
        print(summary["stochastic"]["markdown"])
    print(f"report: {args.out / 'report.html'} ({summary['timings_seconds']['total']:.0f} s)")
    return 0 if check["passed"] else 1


def _train(args: argparse.Namespace) -> int:
    """Run ``rxnn train``; print cost and accuracies; 0 on success (errors raise, see :func:`rxnn.cli.main`)."""
    from rxnn._files import check_output_path
    from rxnn.datasets.mnist import load_mnist
    from rxnn.experiments._workers import blas_threads, check_blas_threads
    from rxnn.experiments.training import TrainingConfig, evaluate, read_checkpoint, train
    from rxnn.io.model_file import save_model

    config = TrainingConfig(layer_sizes=(784, args.hidden, 10), h=args.h, q=args.q, eta=args.eta,
                            batch_size=args.batch_size, iterations=args.iterations, seed=args.seed)
    if args.forward == "crn" and args.checkpoint is not None:
        raise InvalidArgumentError("--checkpoint is not supported with --forward crn; drop one of them")
    check_blas_threads(args.blas_threads, "rxnn train --blas-threads")
    # refuse unwritable outputs before minutes of training, not after
    check_output_path(args.model, "--model", probe=True)
    if args.checkpoint is not None:
        check_output_path(args.checkpoint, "--checkpoint", probe=True)
        if args.checkpoint.exists():
            read_checkpoint(args.checkpoint)  # a corrupt checkpoint is refused before MNIST is loaded
    mnist = load_mnist(args.data, fetch=True)
    split_name, scored = _scored_images(args.inputs, mnist)  # a bad --inputs is refused before training
    bar: Any = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=config.iterations, desc="training", unit="it", file=sys.stderr)

    def tick(iteration: int, cost: float, correct: int) -> None:
        if bar is not None:
            bar.n = iteration
            bar.set_postfix_str(f"cost {cost:.3f}, correct {correct}/{config.batch_size}", refresh=False)
            bar.refresh()

    forward = None
    try:
        if args.forward == "crn":
            from rxnn.experiments.chemistry_training import train_with_chemistry

            result, forward = train_with_chemistry(config, mnist.train, callback=tick, blas_threads=args.blas_threads)
        else:
            result = train(config, mnist.train, checkpoint=args.checkpoint, checkpoint_every=args.checkpoint_every,
                           callback=tick, blas_threads=args.blas_threads)
    finally:
        if bar is not None:
            bar.close()
    save_model(result.network, args.model)
    with blas_threads(args.blas_threads):
        accuracy = evaluate(result.network, scored)
    if result.cost.size:
        print(f"final cost {result.cost[-1]:.4f}; batch accuracy (last 50) {100 * result.batch_accuracy_last(50):.2f}%")
    print(f"{split_name} accuracy {100 * accuracy:.2f}% on {len(scored)} images; model saved to {args.model}"
          + (f" (resumed at iteration {result.resumed_from})" if result.resumed_from else ""))
    if forward is not None:
        from rxnn.experiments.chemistry_training import evaluate_chemistry

        calls, seconds = forward.calls, forward.seconds  # before evaluation adds its own steady states
        with blas_threads(args.blas_threads):
            chem = evaluate_chemistry(forward, result.network, scored)
        print(f"chemistry in the loop: {calls} batched steady states in {seconds:.1f} s of "
              f"{result.seconds:.1f} s; {split_name} accuracy with the reaction network's outputs {100 * chem:.2f}%")
    return 0


def _scored_images(spec: str | None, mnist: Any) -> tuple[str, Any]:
    """The split name and the labelled images ``rxnn train --inputs`` names (default: the whole test split)."""
    if spec is None:
        return "test", mnist.test
    from rxnn._inputs import labelled_images
    from rxnn.experiments.training import ArrayDataset

    split_name, indices = labelled_images(spec, mnist)
    split = getattr(mnist, split_name)
    return split_name, ArrayDataset(split.inputs(indices), split.labels[indices])
