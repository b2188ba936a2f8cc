"""The ``rxnn`` command line.

Each feature area registers its own subcommands (a ``register(subparsers)``
function in its ``_cli`` module); this file only assembles them and turns
errors into exit statuses (:func:`main`): 0 success, 1 a negative verdict,
2 an error, printed as one line (``rxnn --debug ...`` shows the traceback).
Handlers return 0 or 1 and raise :class:`rxnn.errors.RxnnError` for errors.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from rxnn import __version__
from rxnn.errors import RxnnError, one_line

#: Modules that add subcommands, in the order they appear in ``rxnn --help``.
COMMAND_MODULES = (
    "rxnn._verify_cli",
    "rxnn.experiments._cli",
    "rxnn.io._cli",
    "rxnn.experiments._stochastic_cli",
    "rxnn.datasets._cli",
    "rxnn.theory._cli",
    "rxnn.experiments._compare_cli",
    "rxnn.experiments._constructions_cli",
    "rxnn.dsd._cli",
    "rxnn.experiments._robustness_cli",
    "rxnn.experiments._accuracy_volume_cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The ``rxnn`` parser with every subcommand registered (see :data:`COMMAND_MODULES`).

    Examples
    --------
    >>> args = build_parser().parse_args(["--debug"])
    >>> args.debug, args.command
    (True, None)
    """
    parser = argparse.ArgumentParser(
        prog="rxnn",
        description="Neural networks as chemical reaction networks (Anderson, Deshpande, Joshi 2021). "
        "Exit status: 0 success, 1 a negative verdict (refuted, FAILED), 2 an error (3: check undecided).",
    )
    parser.add_argument("--version", action="version", version=f"rxnn {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an error, show the full Python traceback instead of one line")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


#: Exit status of an error (bad input, unreadable file, failed computation, internal error).
EXIT_ERROR = 2


def _error_message(exc: BaseException) -> str:
    """The message of an error rxnn reports: its text, or for an ``OSError`` the path and the reason."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        reason = exc.strerror or str(exc)
        reason = reason[:1].lower() + reason[1:]  # "no such file or directory: 'x'"
        other = f" -> {str(exc.filename2)!r}" if exc.filename2 is not None else ""
        return f"{reason}: {str(exc.filename)!r}{other}"
    return one_line(str(exc)) or type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    """Run the ``rxnn`` command line; return the exit status.

    Exit status: 0 on success; 1 for a negative verdict (``verify`` FAILED,
    ``check`` refuted, ``reproduce``'s activation check FAILED); 2 for every error;
    ``check`` also uses 3 for an undecided hypothesis; 130 when interrupted (Ctrl-C).
    An rxnn error (:class:`rxnn.errors.RxnnError`), a file error or a missing
    optional package is printed as one line ``rxnn <command>: error: <message>``
    on standard error; any other exception is a bug in rxnn and is printed as
    one ``internal error`` line. ``--debug`` re-raises instead, showing the
    traceback.

    Examples
    --------
    >>> main(["convert", "/nonexistent/in.txt", "out.json"])
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    command = " ".join(str(part) for part in (args.command, getattr(args, "data_command", None)) if part)
    try:
        return int(args.func(args) or 0)
    except (RxnnError, OSError, ImportError) as exc:  # user-facing errors: one line, no traceback
        if args.debug:
            raise
        print(f"rxnn {command}: error: {_error_message(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exc:
        if isinstance(exc.code, str):  # SystemExit("message") would exit 1, the status of a negative verdict
            print(one_line(exc.code), file=sys.stderr)
            return EXIT_ERROR
        raise
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"rxnn {command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so in one line and how to see the traceback
        if args.debug:
            raise
        print(
            f"rxnn {command}: internal error: {type(exc).__name__}: {one_line(str(exc))[:500]} "
            "(this is a bug in rxnn; rerun with `rxnn --debug ...` for the traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
