"""Argument types shared by the ``rxnn`` subcommands (argparse ``type=`` callables).

A value argparse refuses is reported by argparse itself (usage line, then
``rxnn <command>: error: argument --flag: ...``, exit status 2). Upper bounds
keep a mistyped number (``--jobs 100000``) from exhausting memory or processes.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable

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
