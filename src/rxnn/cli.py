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
from pathlib import Path

import numpy as np

from rxnn import __version__
from rxnn.errors import RxnnError, one_line

#: Modules that add subcommands, in the order they appear in ``rxnn --help``.
COMMAND_MODULES = (
    "rxnn.experiments._cli",
    "rxnn.io._cli",
    "rxnn._stochastic_cli",
    "rxnn.datasets._cli",
    "rxnn.theory._cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The ``rxnn`` parser with every subcommand registered (see :data:`COMMAND_MODULES`)."""
    parser = argparse.ArgumentParser(
        prog="rxnn",
        description="Neural networks as chemical reaction networks (Anderson, Deshpande, Joshi 2021). "
        "Exit status: 0 success, 1 a negative verdict (refuted, FAILED), 2 an error (3: check undecided).",
    )
    parser.add_argument("--version", action="version", version=f"rxnn {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an error, show the full Python traceback instead of one line")
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


#: Exit status of an error (bad input, unreadable file, failed computation, internal error).
EXIT_ERROR = 2


def _error_message(exc: BaseException) -> str:
    """The message of an error rxnn reports: its text, or for an ``OSError`` the path and the reason."""
    if isinstance(exc, OSError) and not isinstance(exc, RxnnError) and exc.filename is not None:
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
