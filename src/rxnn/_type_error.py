"""The error for an argument of the wrong type: an :class:`~rxnn.errors.RxnnError` that is a ``TypeError``.

The classes live in :mod:`rxnn.errors`; this module adds the message template.
Callers catch the error as ``TypeError`` (as before) or as ``RxnnError``.

Examples
--------
>>> from rxnn._type_error import wrong_type
>>> exc = wrong_type("activation", "FeedForwardNetwork", "an Activation", 3)
>>> isinstance(exc, TypeError), str(exc)
(True, 'activation of FeedForwardNetwork must be an Activation; got int')
"""

from __future__ import annotations

from typing import Any

from rxnn.errors import ArgumentTypeError, IndexOutOfRangeError

__all__ = ["ArgumentTypeError", "IndexOutOfRangeError", "wrong_type"]


def wrong_type(arg: str, func: str, what: str, got: Any) -> ArgumentTypeError:
    """The standard error for an argument of the wrong type: ``<arg> of <func> must be <what>; got <type name>``."""
    return ArgumentTypeError(f"{arg} of {func} must be {what}; got {type(got).__name__}")

