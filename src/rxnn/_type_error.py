"""The error for an argument of the wrong type: an :class:`~rxnn.errors.RxnnError` that is a ``TypeError``.

Kept apart from :mod:`rxnn.errors` so that the layers (``rxnn.nn``, ``rxnn.crn``)
can raise it; callers catch it as ``TypeError`` (as before) or as ``RxnnError``.

Examples
--------
>>> from rxnn._type_error import wrong_type
>>> exc = wrong_type("activation", "FeedForwardNetwork", "an Activation", 3)
>>> isinstance(exc, TypeError), str(exc)
(True, 'activation of FeedForwardNetwork must be an Activation; got int')
"""

from __future__ import annotations

from typing import Any

from rxnn.errors import RxnnError

__all__ = ["ArgumentTypeError", "IndexOutOfRangeError", "wrong_type"]


class ArgumentTypeError(RxnnError, TypeError):
    """An argument of a public function has the wrong type; the message names it, the type wanted and the type given."""


def wrong_type(arg: str, func: str, what: str, got: Any) -> ArgumentTypeError:
    """The standard error for an argument of the wrong type: ``<arg> of <func> must be <what>; got <type name>``."""
    return ArgumentTypeError(f"{arg} of {func} must be {what}; got {type(got).__name__}")


class IndexOutOfRangeError(RxnnError, IndexError):
    """An index outside its sequence (an ``IndexError``); the message gives the valid range."""
