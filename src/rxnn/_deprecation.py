"""Old spellings kept working: renamed keywords and methods that became properties, with a DeprecationWarning.

One home for every deprecation, so each old name warns the same way and is easy to find and remove:
:func:`renamed_keywords` for keyword arguments, :func:`deprecated_alias` for a renamed attribute, :class:`CallableTuple` for a method that became a
property returning a tuple (``net.parameter_names()`` -> ``net.parameter_names``).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from rxnn.errors import ArgumentTypeError

__all__ = ["renamed_keywords", "CallableTuple", "deprecated_alias"]

F = TypeVar("F", bound=Callable[..., Any])


def renamed_keywords(**renames: str) -> Callable[[F], F]:
    """Decorator: accept each old keyword (``old="new"``) as the new one, with a DeprecationWarning.

    Passing both the old and the new keyword is an :class:`~rxnn.errors.ArgumentTypeError`.

    Examples
    --------
    >>> @renamed_keywords(start="nodes")
    ... def run(d, *, nodes=1.0):
    ...     return nodes
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     run(0, start=2.0)
    2.0
    >>> str(caught[0].message)
    'start= of run is deprecated; use nodes='
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise ArgumentTypeError(f"{func.__qualname__} got both {old}= and {new}=; pass {new}= only")
                    warnings.warn(f"{old}= of {func.__qualname__} is deprecated; use {new}=", DeprecationWarning,
                                  stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


class CallableTuple(tuple):
    """A tuple returned by a property that used to be a method: calling it still works, and warns.

    Examples
    --------
    >>> names = CallableTuple(("k1", "E"), "parameter_names")
    >>> names == ("k1", "E")
    True
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     names()
    ('k1', 'E')
    >>> str(caught[0].message)
    'parameter_names() is deprecated: it is a property now; write parameter_names without ()'
    """

    def __new__(cls, items: Any, name: str) -> CallableTuple:
        out = super().__new__(cls, items)
        out._name = name
        return out

    def __call__(self) -> tuple:
        warnings.warn(f"{self._name}() is deprecated: it is a property now; write {self._name} without ()",
                      DeprecationWarning, stacklevel=2)
        return tuple(self)


def deprecated_alias(new: str, old: str) -> property:
    """A read-only property ``old`` that returns attribute ``new`` with a DeprecationWarning.

    Examples
    --------
    >>> class Check:
    ...     proved = True
    ...     passes = deprecated_alias("proved", "Check.passes")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     Check().passes, str(caught[0].message)
    (True, 'Check.passes is deprecated; use Check.proved')
    """
    owner = old.rsplit(".", 1)[0]

    def get(self: Any) -> Any:
        warnings.warn(f"{old} is deprecated; use {owner}.{new}", DeprecationWarning, stacklevel=2)
        return getattr(self, new)

    return property(get, doc=f"Deprecated name of :attr:`{new}`.")
