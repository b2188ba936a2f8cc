"""The ``rxnn`` command line.

Each feature area registers its own subcommands (a ``register(subparsers)``
function in its ``_cli`` module); this file only assembles them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from rxnn import __version__

#: Modules that add subcommands, in the order they appear in ``rxnn --help``.
COMMAND_MODULES = (
    "rxnn._verify_cli",
    "rxnn.experiments._cli",
    "rxnn.io._cli",
    "rxnn._stochastic_cli",
    "rxnn.datasets._cli",
    "rxnn.theory._cli",
    "rxnn.experiments._compare_cli",
    "rxnn.dsd._cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rxnn",
        description="Neural networks as chemical reaction networks (Anderson, Deshpande, Joshi 2021).",
    )
    parser.add_argument("--version", action="version", version=f"rxnn {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


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
