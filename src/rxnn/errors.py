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
    """Base class of every error rxnn raises on purpose.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> try:
    ...     ReactionNetwork.from_text("X -> Y ; -1")
    ... except RxnnError as exc:
    ...     print(type(exc).__name__)
    TextSyntaxError
    """


class InvalidArgumentError(RxnnError, ValueError):
    """An argument of a public function has the wrong type or value.

    The message follows one template: ``<arg> of <function> must be <what>; got <value>``.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn.display import network_html
    >>> try:
    ...     network_html(ReactionNetwork.from_text("A -> B"), max_reactions=0)
    ... except InvalidArgumentError as exc:
    ...     print(exc)
    max_reactions of network_html must be a positive integer; got 0
    """


class ArgumentTypeError(RxnnError, TypeError):
    """An argument of a public function has the wrong type; the message names it, the type wanted and the type given.

    Examples
    --------
    >>> from rxnn.crn.stochastic import aggregate_channels
    >>> try:
    ...     aggregate_channels("A -> B")
    ... except ArgumentTypeError as exc:
    ...     print(isinstance(exc, TypeError), exc)
    True network of aggregate_channels must be a ReactionNetwork; got str
    """


class IndexOutOfRangeError(RxnnError, IndexError):
    """An index outside its sequence (an ``IndexError``); the message gives the valid range.

    Examples
    --------
    >>> from rxnn.compile import compile_network
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> compiled = compile_network(FeedForwardNetwork.random([2, 1], SmoothReLU(1.0), seed=0))
    >>> try:
    ...     compiled.node_species(1, 3)
    ... except IndexOutOfRangeError as exc:
    ...     print(isinstance(exc, IndexError), exc)
    True node (1, 3) does not exist: layers are 0..1 with sizes (2, 1), nodes are 1-based
    """


#: The same class under the name the command-line code uses (one class, two names).
InvalidTypeError = ArgumentTypeError


class LimitError(RxnnError, ValueError):
    """An input exceeds a stated limit (size, count, degree, exponent, time budget).

    The message names the limit, its value, and how to raise it where that is safe.

    Examples
    --------
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.crn import draw_network
    >>> chain = ReactionNetwork.from_text("\\n".join(f"X{i} -> X{i + 1}" for i in range(100)))
    >>> try:
    ...     draw_network(chain)
    ... except LimitError as exc:
    ...     print(str(exc)[:60])
    draw_network draws networks of at most 40 species and 60 rea
    """


class ComputationError(RxnnError, RuntimeError):
    """A computation did not succeed (a solver failed, a budget ran out).

    Examples
    --------
    >>> issubclass(ComputationError, RuntimeError), issubclass(ComputationError, RxnnError)
    (True, True)
    """


class OutputPathError(RxnnError, OSError):
    """An output path cannot be written safely (not a regular file, missing folder, unwritable).

    Examples
    --------
    >>> import tempfile
    >>> from rxnn import ReactionNetwork
    >>> from rxnn.io.json_format import write_json
    >>> try:
    ...     write_json(ReactionNetwork.from_text("A -> B"), tempfile.mkdtemp())
    ... except OutputPathError as exc:
    ...     print(isinstance(exc, OSError))
    True
    """


def one_line(message: str) -> str:
    r"""``message`` with its non-blank lines stripped and joined by ``"; "``: how the CLI prints an error.

    Examples
    --------
    >>> one_line("bad file\n  line 3: unexpected '>'\n")
    "bad file; line 3: unexpected '>'"
    """
    return "; ".join(line.strip() for line in str(message).splitlines() if line.strip())
