"""``rxnn compare``: the published chemical neural networks side by side (rxnn.experiments.compare)."""

from __future__ import annotations

import argparse

from rxnn._argtypes import add_out_option, add_seed_option, add_t_end_option, add_volumes_option, positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    from rxnn.experiments.compare import TASKS

    p = subparsers.add_parser(
        "compare",
        help="train, compile and simulate the published tasks (XOR, IRIS, 8x8 digits, MNIST); write the table",
        description="Train the architectures of the published chemical neural networks on their tasks, compile "
        "them (Table 1 and absorbed form) and measure accuracy in closed form, by the compiled ODE and by SSA; "
        "write compare.md, compare.json and compare.png into --out.",
    )
    add_out_option(p, required=True)
    p.add_argument("--tasks", nargs="+", choices=sorted(TASKS), help="tasks to run (default all)")
    p.add_argument("--quick", action="store_true", help="seconds-long run: fewer iterations and SSA inputs, no MNIST")
    add_volumes_option(p, default=None, single=True, help="volume of the stochastic simulations (default 100, quick 10)")
    add_t_end_option(p, default=None, help="simulated time per input (default 20, quick 10)")
    p.add_argument("--n-stochastic", type=positive_int, metavar="N",
                   help="test inputs simulated stochastically (default 100, quick 8)")
    add_seed_option(p)
    p.set_defaults(func=_compare)


def _compare(args: argparse.Namespace) -> int:
    from rxnn._files import check_output_folder
    from rxnn.experiments.compare import compare

    check_output_folder(args.out, "--out")  # refuse a bad folder before the run, not after it
    table = compare(args.tasks, quick=args.quick, volume=args.volume, t_end=args.t_end,
                    n_stochastic=args.n_stochastic, seed=args.seed, progress=True)
    paths = table.write(args.out)
    print(table.to_markdown())
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    return 0
