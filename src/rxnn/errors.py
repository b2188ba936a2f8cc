"""The exception types of rxnn: one base class, :class:`RxnnError`.

Every error that rxnn raises on purpose is an instance of :class:`RxnnError`,
so that a caller (and the ``rxnn`` command line) can tell a refusal of bad
input or a failed computation from a bug. Each concrete type also keeps the
built-in class users catch today (``ValueError`` for bad input, ``RuntimeError``
for a computation that did not succeed, ``OSError`` for files), as scikit-learn
and NumPy do with their own exception mixins.

Messages name the problem and the fix: which argument, species, line or
value, and what to change.

Examples
--------
>>> from rxnn import ReactionNetwork
>>> from rxnn.errors import RxnnError
>>> try:
...     ReactionNetwork.from_text("X -> Y ; -1")
... except RxnnError as exc:
...     print(type(exc).__name__, isinstance(exc, ValueError))
TextSyntaxError True
"""

from __future__ import annotations

__all__ = [
    "RxnnError",
    "InvalidArgumentError",
    "ArgumentTypeError",
    "InvalidTypeError",
    "IndexOutOfRangeError",
    "LimitError",
    "ComputationError",
    "OutputPathError",
    "one_line",
]


class RxnnError(Exception):
    """Base class of every error rxnn raises on purpose."""


class InvalidArgumentError(RxnnError, ValueError):
    """An argument of a public function has the wrong type or value.

    The message follows one template: ``<arg> of <function> must be <what>; got <value>``.
    """


class ArgumentTypeError(RxnnError, TypeError):
    """An argument of a public function has the wrong type; the message names it, the type wanted and the type given."""


class IndexOutOfRangeError(RxnnError, IndexError):
    """An index outside its sequence (an ``IndexError``); the message gives the valid range."""


#: The same class under the name the command-line code uses (one class, two names).
InvalidTypeError = ArgumentTypeError


class LimitError(RxnnError, ValueError):
    """An input exceeds a stated limit (size, count, degree, exponent, time budget).

    The message names the limit, its value, and how to raise it where that is safe.
    """


class ComputationError(RxnnError, RuntimeError):
    """A computation did not succeed (a solver failed, a budget ran out)."""


class OutputPathError(RxnnError, OSError):
    """An output path cannot be written safely (not a regular file, missing folder, unwritable)."""


def one_line(message: str) -> str:
    r"""``message`` with its non-blank lines stripped and joined by ``"; "``: how the CLI prints an error.

    Examples
    --------
    >>> one_line("bad file\n  line 3: unexpected '>'\n")
    "bad file; line 3: unexpected '>'"
    """
    return "; ".join(line.strip() for line in str(message).splitlines() if line.strip())
