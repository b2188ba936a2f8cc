"""``rxnn compare-constructions``: Table 1 against the rate-independent construction (rxnn.experiments.constructions)."""

from __future__ import annotations

import argparse

from rxnn._argtypes import add_out_option, add_seed_option, add_t_end_option, add_volumes_option


def register(subparsers: argparse._SubParsersAction) -> None:
    from rxnn.experiments.constructions import TASKS

    p = subparsers.add_parser(
        "compare-constructions",
        help="train ternary ReLU networks (XOR, IRIS, 8x8 digits, MNIST) and compare Table 1 with the "
        "rate-independent construction on them",
        description="Train one ReLU network with weights in {-1, 0, 1} per task, compile it by Table 1 "
        "(SmoothReLU(h = 1e-3)) and by the rate-independent construction, and measure reactions, species, "
        "molecularity, accuracy (ODE, SSA), time to 1%% and sensitivity to rate constants and to the start; "
        "write constructions.md, constructions.json and constructions.png into --out.",
    )
    add_out_option(p, required=True)
    p.add_argument("--tasks", nargs="+", choices=sorted(TASKS), help="tasks to run (default all; quick: XOR, IRIS)")
    p.add_argument("--quick", action="store_true", help="seconds-long run: short training, 4 inputs, one sigma")
    add_volumes_option(p, default=None, single=True, help="volume of the stochastic simulations (default 100, quick 20)")
    add_t_end_option(p, default=None, help="simulated time (default 1e4, quick 300)")
    add_seed_option(p)
    p.add_argument("--table1-model", nargs="+", default=[], metavar="TASK=PATH", type=_task_model,
                   help="compile this model file (rxnn.io.save_model, same layer sizes) by Table 1 for TASK instead of "
                   "SmoothReLU(h = 1e-3) of the ternary network, e.g. mnist=mnist-784-40-10.npz (the paper's network)")
    p.set_defaults(func=_run)


def _task_model(text: str) -> tuple[str, str]:
    key, sep, path = text.partition("=")
    if not sep or not key or not path:
        raise argparse.ArgumentTypeError(f"must be TASK=PATH (e.g. mnist=model.npz); got {text!r}")
    return key, path


def _run(args: argparse.Namespace) -> int:
    from rxnn._files import check_output_path
    from rxnn.errors import OutputPathError
    from rxnn.experiments.constructions import compare_constructions

    try:  # checked before the work, not after it
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputPathError(f"--out {str(args.out)!r} cannot be made a folder: {exc.strerror or exc}") from None
    for name in ("constructions.md", "constructions.json", "constructions.png"):
        check_output_path(args.out / name)
    table = compare_constructions(args.tasks, quick=args.quick, volume=args.volume, t_end=args.t_end,
                                  seed=args.seed, progress=True, table1_models=dict(args.table1_model))
    paths = table.write(args.out)
    print(table.to_markdown())
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    return 0
