"""The ``rxnn check`` command: decide Thm. 4.8's hypotheses from the command line.

``rxnn check "1 - 2*x**3"`` checks a node polynomial g (dx/dt = g(x) + y x);
``rxnn check network.txt`` analyses a reaction network in any format
:func:`rxnn.io.formats.read_network` reads (text, JSON, SBML, Antimony:
structure, cascade, and the theorem block by block). :func:`register` adds
the command to the subcommands of the ``rxnn`` parser.

TARGET is a network file if it is an existing file (or ``--network``), a
polynomial if ``--polynomial``; otherwise text that looks like a path (a
known network extension, or a start such as ``/``, ``./``, ``~``) is a missing file, an error,
and anything else is a polynomial, parsed by
:func:`~rxnn.theory.expressions.parse_expression` (never evaluated).

The decision runs in a forked worker process killed after ``--time-budget``
seconds (20 by default), so no input holds the command longer.

Exit status: 0 when every hypothesis is proved (for a network: every block
meets them), 1 when one is refuted, 2 for errors (unreadable or missing
file, unparsable input, a limit exceeded), 3 when one is undecided, a block
lies outside the class, or the network has nothing to check.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rxnn._argtypes import add_network_format_option
from rxnn._validation import check_positive_finite
from rxnn.errors import LimitError, RxnnError
from rxnn.theory.activation_check import LIMITS, PROVED, REFUTED, check_activation, parse_polynomial

__all__ = ["register"]

EXIT_PROVED, EXIT_REFUTED, EXIT_ERROR, EXIT_UNDECIDED = 0, 1, 2, 3


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``check`` command to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers(dest="command")`` returned for the ``rxnn`` parser.

    Returns
    -------
    argparse.ArgumentParser
        The ``check`` parser; it sets ``func`` to a handler returning an exit code.
    """
    check = subparsers.add_parser(
        "check",
        help="decide Thm. 4.8's hypotheses for a node polynomial g or a reaction network",
        description=(
            "Decide whether the node dx/dt = g(x) + y*x is realisable, decays, is reliable, stable and "
            "exponentially feed-forward (Anderson, Deshpande, Joshi 2021, §4), with arguments and "
            "counterexamples; or, for a network file, report its feed-forward decomposition, conservation "
            "laws, linkage classes, deficiency, weak reversibility, and the theorem block by block. "
            "Exit status: 0 proved, 1 refuted, 2 error, 3 undecided or nothing to check."
        ),
    )
    check.add_argument(
        "target",
        help='a polynomial g in x such as "1 - 2*x**3" or "h - x**2" (other symbols are positive), '
        "or the path of a reaction network file (text, JSON, SBML or Antimony)",
    )
    kind = check.add_mutually_exclusive_group()
    kind.add_argument("--polynomial", action="store_true", help="treat TARGET as a polynomial even if a file has that name")
    kind.add_argument("--network", action="store_true", help="treat TARGET as a network file")
    add_network_format_option(check, dest="format")
    check.add_argument("--x", default="x", metavar="NAME", help="the variable of g (default: x)")
    check.add_argument(
        "--y-bound", type=float, default=10.0, metavar="Y",
        help="bound on |y| for the entry time of Prop. A.1 (default: 10)",
    )
    check.add_argument(
        "--time-budget", type=float, default=LIMITS.seconds, metavar="SECONDS",
        help=f"wall-clock limit of the decision, enforced by a worker process (default: {LIMITS.seconds:g})",
    )
    check.add_argument(
        "--value", action="append", default=[], metavar="NAME=VALUE",
        help="network only: concentration of an enzymatic species or value of a rate parameter (repeatable)",
    )
    check.set_defaults(func=_check)
    return check


def _fail(message: str) -> int:
    print(f"rxnn check: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _exit_code(statuses: list[str]) -> int:
    if all(s == PROVED for s in statuses):
        return EXIT_PROVED
    return EXIT_REFUTED if REFUTED in statuses else EXIT_UNDECIDED


def _is_file(target: str) -> bool:
    """An existing regular file (False for names the system refuses, e.g. too long)."""
    try:
        return Path(target).is_file()
    except (OSError, ValueError):
        return False


def _looks_like_path(target: str) -> bool:
    from rxnn.io.formats import FORMATS

    extensions = tuple(e for fmt in FORMATS.values() for e in fmt.extensions)
    starts = ("/", "./", "../", "~/", "~", os.sep)
    return target.strip().lower().endswith(extensions) or target.strip().startswith(starts)


def _check(args: argparse.Namespace) -> int:
    """Run ``rxnn check``; print the report; return the exit code."""
    target = args.target
    try:
        if args.network or (not args.polynomial and _is_file(target)):
            return _check_network(Path(target), args)
        if not args.polynomial and _looks_like_path(target):
            return _fail(
                f"no such network file: {target!r} (it looks like a path; to check it as a polynomial "
                "in x, pass --polynomial)"
            )
        if args.value or args.format:
            return _fail("--value and --format apply to network files only")
        report, statuses = _decide_in_worker(target, args.x, args.y_bound, args.time_budget)
        if not args.polynomial:
            print(f"{target!r} read as a polynomial in {args.x} (no file of that name)")
    except (RxnnError, ValueError) as exc:
        hint = ""
        if not args.polynomial and Path(target).suffix and "could not parse" in str(exc):
            hint = f" (read as a polynomial because no file {target!r} exists)"
        return _fail(f"{exc}{hint}")
    except (RecursionError, MemoryError):
        return _fail("the input is too large or too deeply nested to check")
    print(report)
    return _exit_code(statuses)


def _polynomial_report(target: str, x: str, y_bound: float, seconds: float) -> tuple[str, list[str]]:
    result = check_activation(target, x, y_bound=y_bound, seconds=seconds)
    return str(result), [v.status for v in result.verdicts.values()]


def _worker(connection, compute, args) -> None:
    """Run in the forked worker: compute, send back (kind, text, statuses) as plain strings."""
    try:
        text, statuses = compute(*args)
        connection.send(("ok", text, statuses))
    except (RxnnError, ValueError) as exc:
        connection.send(("error", str(exc), []))
    except (RecursionError, MemoryError):
        connection.send(("error", "the input is too large or too deeply nested to check", []))
    finally:
        connection.close()


def _in_worker(compute, args: tuple, seconds: float) -> tuple[str, list[str]]:
    """``compute(*args)`` (a report text and statuses) in a worker process killed after ``seconds``.

    The decision's own deadline is checked between steps; the worker enforces the budget even inside
    one long symbolic step (where no check can run). Without the ``fork`` start method it runs in-process.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return compute(*args)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(sender, compute, args), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(seconds + 2.0):
            raise LimitError(
                f"rxnn check exceeded its time budget of {seconds:g} s (--time-budget); simplify the "
                "input (lower degree, fewer radicals, smaller coefficients)"
            )
        kind, text, statuses = receiver.recv()
    except EOFError:
        raise LimitError("the worker process of rxnn check ended without an answer (out of memory?)") from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()
    if kind == "error":
        raise LimitError(text) if "time budget" in text else ValueError(text)
    return text, statuses


def _decide_in_worker(target: str, x: str, y_bound: float, seconds: float) -> tuple[str, list[str]]:
    """check_activation's report and statuses; the text is parsed here first, so refusals are immediate."""
    seconds = check_positive_finite(seconds, "--time-budget", "rxnn check")
    parse_polynomial(target, x)
    return _in_worker(_polynomial_report, (target, x, y_bound, seconds), seconds)


def _parse_values(items: list[str]) -> dict[str, float]:
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        try:
            if not sep:
                raise ValueError
            values[name.strip()] = float(text)
        except ValueError:
            raise ValueError(f"--value must be NAME=NUMBER; got {item!r}") from None
    return values


def _check_network(path: Path, args: argparse.Namespace) -> int:
    from rxnn.io.formats import format_for, read_network

    if not _is_file(str(path)):
        return _fail(f"cannot read the network file {str(path)!r}: no such file")
    try:
        network, initial = read_network(path, args.format)
    except OSError as exc:
        return _fail(f"cannot read the network file {str(path)!r}: {exc.strerror or exc}")
    values = {k: v for k, v in initial.items() if k in set(network.enzymatic_species)}
    values.update(_parse_values(args.value))
    seconds = check_positive_finite(args.time_budget, "--time-budget", "rxnn check")
    text, statuses = _in_worker(_network_report, (network, values, args.y_bound), seconds)
    print(f"reaction network read from {str(path)!r} ({format_for(path, args.format).name} format)")
    print(text)
    if not statuses:
        print(f"rxnn check: warning: {str(path)!r} has no dynamic species: nothing to check", file=sys.stderr)
        return EXIT_UNDECIDED
    return _exit_code(statuses)


def _network_report(network, values: dict, y_bound: float) -> tuple[str, list[str]]:
    from rxnn.theory.structure import analyze_structure

    report = analyze_structure(network, values, y_bound=y_bound)
    statuses = [
        "undecided" if not block.in_class or block.check is None else block.check.status
        for block in report.blocks or ()
    ]
    return str(report), statuses
