"""Argument types shared by the ``rxnn`` subcommands (argparse ``type=`` callables).

A value argparse refuses is reported by argparse itself (usage line, then
``rxnn <command>: error: argument --flag: ...``, exit status 2). Upper bounds
keep a mistyped number (``--jobs 100000``) from exhausting memory or processes.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")


def _integer(text: str, minimum: int, maximum: int | None = None) -> int:
    what = f"an integer >= {minimum}" if maximum is None else f"an integer from {minimum} to {maximum}"
    if _INTEGER.fullmatch(text.strip()) is None:  # ASCII digits only: int() also takes "1_0" and "٣"
        raise argparse.ArgumentTypeError(f"must be {what}; got {text[:40]!r}")
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        raise argparse.ArgumentTypeError(f"must be {what}; got {text}" + ("" if maximum is None else
                                         f" (the limit is {maximum})"))
    return value


def positive_int(text: str) -> int:
    """An integer >= 1.

    Examples
    --------
    >>> positive_int("3")
    3
    """
    return _integer(text, 1)


def nonnegative_int(text: str) -> int:
    """An integer >= 0."""
    return _integer(text, 0)


def bounded_int(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: an integer from ``minimum`` to ``maximum``, the limit named in the refusal.

    Examples
    --------
    >>> jobs = bounded_int(0, 64)
    >>> jobs("4")
    4
    >>> jobs("1000")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer from 0 to 64; got 1000 (the limit is 64)
    """

    def parse(text: str) -> int:
        return _integer(text, minimum, maximum)

    parse.__name__ = f"integer from {minimum} to {maximum}"  # argparse names the type in some messages
    return parse


def positive_float(text: str) -> float:
    """A positive finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive finite number; got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive finite number; got {text}")
    return value


# --------------------------------------------------------------------------- shared options
#
# One spelling per idea across every ``rxnn`` command: a command adds an option with the helper
# below instead of ``parser.add_argument``, so the name, type, bounds and help read the same
# everywhere. Old spellings stay as hidden aliases (:func:`add_deprecated_alias`) that print a
# one-line note on standard error and fill the same destination.

#: Most worker processes or threads any command starts (a typo such as ``--workers 100000`` is refused).
MAX_WORKERS = 64


class _DeprecatedAlias(argparse.Action):
    """Store into the new option's destination and print ``rxnn: note: OLD is deprecated; use NEW``."""

    def __init__(self, option_strings, dest, *, new: str, convert: Callable[[Any], Any] | None = None, **kwargs):
        self.new, self.convert = new, convert
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        value = values if self.convert is None else self.convert(values)
        hint = f"{self.new} {value}" if self.convert is not None else self.new
        print(f"rxnn: note: {option_string} is deprecated; use {hint}", file=sys.stderr)
        setattr(namespace, self.dest, value)


def add_deprecated_alias(parser: argparse.ArgumentParser, old: str, new: str, *, dest: str,
                         type: Callable[[str], Any] | None = None, nargs: Any = None,
                         convert: Callable[[Any], Any] | None = None) -> argparse.Action:
    """Accept ``old`` as a hidden alias of the option ``new`` (same ``dest``), with a deprecation note.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser; add ``new`` first (its default is the one that counts).
    old, new : str
        The old and the current option strings.
    dest : str
        The destination both fill.
    type, nargs
        As for ``add_argument`` (use the new option's type).
    convert : callable, optional
        Turns the old value into the new option's value (e.g. ``--n-images N`` into ``mnist:0-<N-1>``).

    Examples
    --------
    >>> p = argparse.ArgumentParser(prog="demo")
    >>> _ = add_workers_option(p)
    >>> _ = add_deprecated_alias(p, "--jobs", "--workers", dest="workers", type=nonnegative_int)
    >>> import contextlib, io
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     p.parse_args(["--jobs", "3"]).workers
    3
    >>> err.getvalue().strip()
    'rxnn: note: --jobs is deprecated; use --workers'
    """
    return parser.add_argument(old, dest=dest, type=type, nargs=nargs, action=_DeprecatedAlias, new=new,
                               convert=convert, default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def add_workers_option(parser: argparse.ArgumentParser, *, default: int | None = 1, minimum: int = 1,
                       maximum: int | None = MAX_WORKERS, help: str = "worker processes or threads") -> argparse.Action:
    """``--workers K``: parallel workers, an integer from ``minimum`` to ``maximum`` (:data:`MAX_WORKERS`).

    ``maximum=None`` leaves the upper bound to the function the command calls
    (which names its own limit, e.g. ``MAX_JOBS`` of ``rxnn reproduce``).

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = add_workers_option(p, default=2)
    >>> p.parse_args([]).workers, p.parse_args(["--workers", "4"]).workers
    (2, 4)
    """
    shown = "" if default is None else f" (default {default})"
    kind = (lambda text: _integer(text, minimum)) if maximum is None else bounded_int(minimum, maximum)
    return parser.add_argument("--workers", type=kind, default=default, metavar="K",
                               help=f"{help}{shown}" + ("" if maximum is None else f"; at most {maximum}"))


def add_seed_option(parser: argparse.ArgumentParser, *, default: int = 0, help: str = "random seed") -> argparse.Action:
    """``--seed N``: a seed, an integer >= 0.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = add_seed_option(p, default=1234)
    >>> p.parse_args([]).seed
    1234
    """
    return parser.add_argument("--seed", type=nonnegative_int, default=default, metavar="N",
                               help=f"{help} (default {default})")


def add_out_option(parser: argparse.ArgumentParser, *, default: Path | str | None = None, required: bool = False,
                   help: str = "output folder") -> argparse.Action:
    """``--out DIR``: the folder a command writes into.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = add_out_option(p, default="results")
    >>> p.parse_args([]).out
    PosixPath('results')
    """
    shown = "" if default is None else f" (default: {default})"
    return parser.add_argument("--out", type=Path, default=None if default is None else Path(default),
                               required=required, metavar="DIR", help=f"{help}{shown}")


def add_data_option(parser: argparse.ArgumentParser) -> argparse.Action:
    """``--data DIR``: where MNIST is (default ``$RXNN_DATA/mnist``, else the user cache).

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = add_data_option(p)
    >>> p.parse_args(["--data", "/tmp/m"]).data
    PosixPath('/tmp/m')
    """
    return parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                               help="MNIST directory (default: $RXNN_DATA/mnist, else the user cache)")


def add_blas_threads_option(parser: argparse.ArgumentParser, *, help: str = "") -> argparse.Action:
    """``--blas-threads N``: BLAS threads of the numerical work (default 1: the same numbers on every machine).

    Any integer >= 1 parses; the upper bound (``MAX_BLAS_THREADS`` of
    ``rxnn.experiments._workers``) is checked where the threads are set, and named there.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = add_blas_threads_option(p)
    >>> p.parse_args([]).blas_threads
    1
    """
    return parser.add_argument("--blas-threads", type=positive_int, default=1, metavar="N",
                               help="BLAS threads (default 1: the same numbers on every machine for a seed)"
                               + (f"; {help}" if help else ""))


def scheduler_address(text: str) -> str:
    """An argparse type: a dask scheduler address (``tcp://HOST:PORT`` or another dask protocol).

    Examples
    --------
    >>> scheduler_address("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
    """
    text = text.strip()
    if not text or any(c.isspace() for c in text) or len(text) > 512:
        raise argparse.ArgumentTypeError(f"expected a dask scheduler address such as tcp://HOST:8786; got {text!r}")
    return text


def add_scheduler_option(parser: argparse.ArgumentParser, *, help: str = "") -> argparse.Action:
    """``--scheduler ADDRESS``: run the tasks on an existing dask cluster (default: on this machine).

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = add_scheduler_option(p)
    >>> p.parse_args(["--scheduler", "tcp://10.0.0.1:8786"]).scheduler
    'tcp://10.0.0.1:8786'
    """
    return parser.add_argument("--scheduler", type=scheduler_address, default=None, metavar="ADDRESS",
                               help="address of an existing dask scheduler (e.g. tcp://10.0.0.1:8786)"
                               + (f"; {help}" if help else ""))


def add_t_end_option(parser: argparse.ArgumentParser, *, default: float | None, help: str = "simulated time") -> argparse.Action:
    """``--t-end T``: the simulated end time, a positive finite number.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = add_t_end_option(p, default=50.0)
    >>> p.parse_args(["--t-end", "5"]).t_end
    5.0
    """
    shown = "" if default is None else f" (default {default:g})"
    return parser.add_argument("--t-end", type=positive_float, default=default, metavar="T", help=f"{help}{shown}")


#: The largest volume a command accepts: at V = 1e6 a concentration of 1 is already 10^6 molecules
#: per species, and the SSA's events grow in proportion to V (tau-leaping beyond; see simulate_stochastic).
MAX_VOLUME = 1e6


def volume(text: str) -> float:
    """An argparse type: a volume, a positive finite number of at most :data:`MAX_VOLUME`.

    Examples
    --------
    >>> volume("1e3")
    1000.0
    >>> volume("1e9")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a volume of at most 1e+06; got 1e9
    """
    value = positive_float(text)
    if value > MAX_VOLUME:
        raise argparse.ArgumentTypeError(f"must be a volume of at most {MAX_VOLUME:g}; got {text}")
    return value


def add_volumes_option(parser: argparse.ArgumentParser, *, default: Sequence[float] | float | None,
                       single: bool = False, allow_none: bool = False,
                       help: str = "volumes of the stochastic simulations") -> argparse.Action:
    """``--volumes V [V ...]`` (or ``--volume V`` with ``single=True``): volumes of at most :data:`MAX_VOLUME`.

    ``allow_none=True`` accepts ``--volumes`` with no value (no stochastic part).

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = add_volumes_option(p, default=(10.0, 100.0))
    >>> p.parse_args(["--volumes", "1", "1e3"]).volumes
    [1.0, 1000.0]
    """
    if single:
        shown = "" if default is None else f" (default {default:g})"
        return parser.add_argument("--volume", type=volume, default=default, metavar="V", help=f"{help}{shown}")
    shown = "" if default is None else " (default: " + " ".join(f"{v:g}" for v in default) + ")"
    return parser.add_argument("--volumes", type=volume, nargs="*" if allow_none else "+",
                               default=None if default is None else list(default), metavar="V",
                               help=f"{help}{shown}" + ("; none: no stochastic simulation" if allow_none else ""))


def add_inputs_option(parser: argparse.ArgumentParser, *, default: str | None, help: str = "inputs",
                      labelled: bool = False) -> argparse.Action:
    """``--inputs SPEC``: inputs in the one grammar of :mod:`rxnn._inputs` (``mnist:I-J``, ``random:N``, FILE).

    ``labelled=True`` for a command that scores accuracy: its help names the MNIST forms only
    (``random:N`` and files have no labels; :func:`rxnn._inputs.labelled_images` refuses them).

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = add_inputs_option(p, default="mnist:0-99")
    >>> p.parse_args([]).inputs
    'mnist:0-99'
    """
    from rxnn._inputs import GRAMMAR

    grammar = "mnist:I, mnist:I-J or mnist:train:I-J" if labelled else GRAMMAR
    shown = "" if default is None else f" (default {default})"
    return parser.add_argument("--inputs", default=default, metavar="SPEC", help=f"{help}: {grammar}{shown}")


def add_network_format_option(parser: argparse.ArgumentParser, *, flag: str = "--format",
                              dest: str = "network_format") -> argparse.Action:
    """``--format FMT``: the format of a network file (default: from its extension; every ``rxnn convert`` format).

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = add_network_format_option(p)
    >>> p.parse_args(["--format", "json"]).network_format
    'json'
    """
    from rxnn.io.formats import FORMATS

    return parser.add_argument(flag, dest=dest, choices=sorted(FORMATS), metavar="FMT",
                               help=f"format of the network file: {', '.join(sorted(FORMATS))} (default: from its extension)")


def first_images(n: int) -> str:
    """The input spec of the first ``n`` MNIST test images (what ``--n-images N``/``--n-test N`` meant).

    Examples
    --------
    >>> first_images(100)
    'mnist:0-99'
    """
    return f"mnist:0-{n - 1}"
