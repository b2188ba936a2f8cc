"""The ``rxnn`` command line.

Each feature area registers its own subcommands (a ``register(subparsers)``
function in its ``_cli`` module); this file only assembles them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import numpy as np

from rxnn import __version__

#: Modules that add subcommands, in the order they appear in ``rxnn --help``.
COMMAND_MODULES = (
    "rxnn.experiments._cli",
    "rxnn.io._cli",
    "rxnn._stochastic_cli",
    "rxnn.datasets._cli",
    "rxnn.theory._cli",
    "rxnn.dsd._cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rxnn",
        description="Neural networks as chemical reaction networks (Anderson, Deshpande, Joshi 2021).",
    )
    parser.add_argument("--version", action="version", version=f"rxnn {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _register_verify(subparsers)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def load_inputs(spec: str, width: int) -> np.ndarray:
    """Inputs from ``mnist:I`` / ``mnist:I-J`` (test images), ``random:N``, or a .npy/.txt file of rows."""
    if spec.startswith("mnist:"):
        from rxnn.datasets.mnist import load_mnist

        lo, _, hi = spec[6:].partition("-")
        try:
            indices = np.arange(int(lo), int(hi) + 1) if hi else np.array([int(lo)])
        except ValueError:
            raise SystemExit(f"rxnn: --inputs {spec!r}: expected mnist:I or mnist:I-J with integer indices") from None
        return load_mnist(fetch=True).test.inputs(indices)
    if spec.startswith("random:"):
        return np.random.default_rng(0).uniform(size=(int(spec[7:]), width))
    path = Path(spec)
    if not path.is_file():
        raise SystemExit(f"rxnn: --inputs {spec!r} is neither mnist:I-J, random:N nor an existing file")
    data = np.load(path, allow_pickle=False) if path.suffix == ".npy" else np.loadtxt(path, ndmin=2)
    return np.atleast_2d(np.asarray(data, dtype=np.float64))


def _register_verify(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "verify",
        help="check that the compiled reaction network implements a model (Def. 4.1)",
        description="Compile MODEL (.npz) and integrate the reaction network from all-ones, 10*rand and "
        "1000*rand starts; report every layer's distance from the forward pass.",
    )
    p.add_argument("model", type=Path, help="model file (.npz, see rxnn.io.model_file)")
    p.add_argument("--inputs", default="mnist:0-19", help="mnist:I-J (test images), random:N, or a .npy/.txt file")
    p.add_argument("--tol", type=float, default=1e-6, help="absolute tolerance at the end time (default 1e-6)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random starts")
    p.set_defaults(func=_verify)


def _verify(args: argparse.Namespace) -> int:
    from rxnn.compile import compile_network
    from rxnn.io.model_file import load_model
    from rxnn.verify import verify_network

    net = load_model(args.model)
    inputs = load_inputs(args.inputs, net.layer_sizes[0])
    compiled = compile_network(net)
    print(compiled.summary())
    result = verify_network(compiled, inputs, tol=args.tol, seed=args.seed)
    print(result)
    return 0 if result.passed else 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError, RuntimeError) as exc:  # user-facing errors: one clear line, no traceback
        print(f"rxnn {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
