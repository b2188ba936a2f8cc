"""Activation functions phi of a feed-forward network (paper §3.2, §6.1).

Every activation is a frozen, hashable value with a ``name`` and a
``params`` dict, evaluates element-wise on arrays of any shape, and knows its
derivative twice: from the pre-activation alone (:meth:`Activation.derivative`)
and from the pre-activation together with an already computed value
(:meth:`Activation.derivative_from_value`). The second form is what training
through a chemical simulation needs: the simulator returns phi(z) as a steady
state, and phi'(z) follows from it without solving again (§6.1).
"""

from __future__ import annotations

import abc
import math
import numbers
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from rxnn.errors import InvalidArgumentError, LimitError
from rxnn.nn._arrays import FloatArray, as_float, scalar_out

__all__ = [
    "Activation",
    "Sigmoid",
    "ReLU",
    "SmoothReLU",
    "PolynomialActivation",
    "ACTIVATIONS",
    "get_activation",
]


_NEWTON_MAX_ITER = 60
_NEWTON_STOP = 1e-9  # a log-space step this small leaves an error of order its square


def _show(value: Any) -> str:
    """Render a rejected argument for an error message (numpy scalars as Python ones)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


#: Largest q of the polynomial activation (§6.1): q is the coefficient of ``qX -> X``, so this is
#: rxnn.crn.model.MAX_COEFFICIENT (rxnn.nn may not import rxnn.crn; a test keeps the two equal).
MAX_Q = 10**6


def _check_h(h: Any, owner: str) -> float:
    """Return ``h`` as a float if it is a finite number >= 0, else raise InvalidArgumentError."""
    ok = isinstance(h, numbers.Real) and not isinstance(h, (bool, np.bool_))
    try:
        value = float(h) if ok else math.nan
    except OverflowError:  # an int beyond the float range, e.g. 10**400
        value = math.inf
    if not math.isfinite(value) or value < 0:
        raise InvalidArgumentError(f"h of {owner} must be a finite number >= 0; got {_show_short(h)}")
    return value


def _check_q(q: Any, owner: str) -> int:
    """Return ``q`` as an int if it is an integer in [2, MAX_Q] (not a bool or float), else raise."""
    ok = isinstance(q, numbers.Integral) and not isinstance(q, (bool, np.bool_))
    if not ok or int(q) < 2:
        raise InvalidArgumentError(f"q of {owner} must be an integer >= 2; got {_show_short(q)}")
    if int(q) > MAX_Q:
        raise LimitError(f"q of {owner} must be at most MAX_Q = {MAX_Q} (the coefficient of qX -> X); got {_show_short(q)}")
    return int(q)


def _show_short(value: Any) -> str:
    """:func:`_show`, cut to a readable length (a 400-digit integer is not echoed whole)."""
    text = _show(value)
    return text if len(text) <= 40 else f"{text[:16]}... ({len(text)} characters)"


def _polynomial_derivative(y: FloatArray, value: FloatArray, q: int) -> FloatArray:
    """phi'(y) = -phi / (y - q (q-1) phi^(q-1)) (§6.1), with 0 where the denominator is 0.

    Infinite ``y`` with infinite ``value`` gives NaN.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        denominator = y - q * (q - 1) * value ** (q - 1)
    out = np.zeros(np.broadcast(y, value).shape)
    np.divide(-value, denominator, out=out, where=denominator != 0)
    return out


def _smooth_relu(y: FloatArray, h: float) -> FloatArray:
    """(y + sqrt(y^2 + 4h)) / 2 (eq. (4)); for y < 0 as 2h / (sqrt(y^2 + 4h) - y)."""
    s = np.hypot(y, 2.0 * math.sqrt(h))  # sqrt(y^2 + 4h) without overflow of y^2
    negative = y < 0
    out = np.zeros(y.shape)
    np.add(y, s, out=out, where=~negative)
    np.multiply(out, 0.5, out=out, where=~negative)
    denominator = np.subtract(s, y, out=np.ones(y.shape), where=negative)
    np.divide(2.0 * h, denominator, out=out, where=negative)
    return out


def _polynomial_root(y: FloatArray, q: int, h: float) -> FloatArray:
    """The positive root x of h + y x - (q-1) x^q, element-wise (§6.1).

    Newton's method on u = log x. For y >= 0 the equation reads
    ``log(q-1) + q u = log(h + y e^u)``, a concave increasing function of u
    with slope in (q-1, q), started from the lower bound
    ``max((y/(q-1))^(1/(q-1)), (h/(q-1))^(1/q))``. For y < 0 it reads
    ``log((q-1) e^(q u) + |y| e^u) = log h``, convex increasing with slope in
    (1, q), started from the upper bound ``min(h/|y|, (h/(q-1))^(1/q))``.
    Either start is within a factor 2 of the root and Newton converges
    monotonically from it, in a handful of steps for small q.
    """
    p = q - 1
    if h == 0.0:
        return np.maximum(y / p, 0.0) ** (1.0 / p)
    finite = np.isfinite(y)
    yf = np.where(finite, y, 0.0)
    negative = yf < 0
    with np.errstate(divide="ignore"):
        log_abs_y = np.log(np.abs(yf))  # -inf at y == 0, handled by logaddexp
    log_h, log_p = math.log(h), math.log(p)
    u = np.where(
        negative,
        np.minimum(log_h - log_abs_y, (log_h - log_p) / q),
        np.maximum((log_abs_y - log_p) / p, (log_h - log_p) / q),
    )
    for _ in range(_NEWTON_MAX_ITER):
        lin = log_abs_y + u
        # y < 0: G(u) = logaddexp(log p + q u, log|y| + u) - log h
        top = log_p + q * u
        s_neg = np.logaddexp(top, lin)
        g_neg = s_neg - log_h
        dg_neg = q * np.exp(top - s_neg) + np.exp(lin - s_neg)
        # y >= 0: G(u) = log p + q u - logaddexp(log h, log y + u)
        s_pos = np.logaddexp(log_h, lin)
        g_pos = top - s_pos
        dg_pos = q - np.exp(lin - s_pos)
        step = np.where(negative, g_neg / dg_neg, g_pos / dg_pos)
        u = u - step
        if np.all(np.abs(step) <= _NEWTON_STOP):
            break
    x = np.exp(u)
    return np.where(finite, x, np.where(y > 0, np.inf, np.where(y < 0, 0.0, np.nan)))


class Activation(abc.ABC):
    """Base class of the activation functions phi: R -> R_{>=0} (§3.2).

    Subclasses are frozen dataclasses, so activations compare and hash by
    value. ``phi`` acts element-wise on arrays of any shape.

    Examples
    --------
    >>> import numpy as np
    >>> phi = SmoothReLU(1.0)
    >>> isinstance(phi, Activation), phi.params, phi(np.array([0.0, 3.0]))
    (True, {'h': 1.0}, array([1.        , 3.30277564]))
    """

    name: ClassVar[str]

    @property
    def params(self) -> dict[str, Any]:
        """The parameters of this activation, as a new dict (``{}`` if none)."""
        return {}

    @abc.abstractmethod
    def __call__(self, y: npt.ArrayLike) -> Any:
        """phi(y), element-wise.

        Parameters
        ----------
        y : array_like
            Pre-activations, any shape.

        Returns
        -------
        ndarray of the shape of ``y`` (a numpy scalar for scalar ``y``)
        """

    def derivative(self, y: npt.ArrayLike) -> Any:
        """phi'(y), element-wise (any shape, as :meth:`__call__`)."""
        y = as_float(y)
        return self.derivative_from_value(y, self(y))

    @abc.abstractmethod
    def derivative_from_value(self, y: npt.ArrayLike, value: npt.ArrayLike) -> Any:
        """phi'(y) given ``value`` = phi(y) computed elsewhere (e.g. by chemistry, §6.1).

        Parameters
        ----------
        y : array_like
            Pre-activations z, any shape.
        value : array_like
            phi(y), broadcastable against ``y``.

        Returns
        -------
        ndarray of the broadcast shape (a numpy scalar for scalar inputs)
        """


@dataclass(frozen=True)
class Sigmoid(Activation):
    """The sigmoid phi_1(y) = 1 / (1 + e^(-y)) (§3.2, example 1).

    Examples
    --------
    >>> float(Sigmoid()(0.0))
    0.5
    """

    name: ClassVar[str] = "sigmoid"

    def __call__(self, y: npt.ArrayLike) -> Any:
        return scalar_out(expit(as_float(y)))

    def derivative(self, y: npt.ArrayLike) -> Any:
        """phi'(y) = phi(y) phi(-y), accurate in both tails."""
        y = as_float(y)
        return scalar_out(expit(y) * expit(-y))

    def derivative_from_value(self, y: npt.ArrayLike, value: npt.ArrayLike) -> Any:
        """phi'(y) = phi (1 - phi); ``y`` is not needed."""
        _, value = np.broadcast_arrays(as_float(y), as_float(value))
        return scalar_out(value * (1.0 - value))


@dataclass(frozen=True)
class ReLU(Activation):
    """The rectified linear unit phi_2(y) = max(0, y) (§3.2, example 2).

    Its derivative is taken as 0 for y <= 0 and 1 for y > 0: at the kink
    y = 0 the value 0 is used (a subgradient), as the h -> 0 limit of
    :class:`SmoothReLU` would not decide it.

    Examples
    --------
    >>> ReLU()([-1.0, 2.0])
    array([0., 2.])
    """

    name: ClassVar[str] = "relu"

    def __call__(self, y: npt.ArrayLike) -> Any:
        return scalar_out(np.maximum(as_float(y), 0.0))

    def derivative(self, y: npt.ArrayLike) -> Any:
        y = as_float(y)
        return scalar_out(np.where(np.isnan(y), np.nan, (y > 0).astype(np.float64)))

    def derivative_from_value(self, y: npt.ArrayLike, value: npt.ArrayLike) -> Any:
        """phi'(y) from the sign of ``y`` alone (``value`` only sets the broadcast shape)."""
        y, _ = np.broadcast_arrays(as_float(y), as_float(value))
        return self.derivative(y)


@dataclass(frozen=True)
class SmoothReLU(Activation):
    """The smoothed ReLU phi_3(y) = (y + sqrt(y^2 + 4h)) / 2 (eq. (4)).

    phi_3 is the positive fixed point of x' = h + y x - x^2 (Example 4.2,
    Prop. 4.9); ``h = 0`` gives the ReLU.

    Parameters
    ----------
    h : float
        Smoothing parameter, finite and >= 0 (the paper's §6 uses ``h = 1``).

    Raises
    ------
    ValueError
        If ``h`` is not a finite number >= 0.

    Notes
    -----
    For y < 0 the value is computed as 2h / (sqrt(y^2 + 4h) - y), which has
    no cancellation, so it keeps full relative accuracy as y -> -inf (where
    phi ~ h/|y|). The derivative is phi' = -phi / (y - 2 phi) = phi / sqrt(y^2 + 4h),
    the q = 2 case of §6.1; at y = 0 with h = 0 it is taken as 0, like :class:`ReLU`.

    Examples
    --------
    >>> phi = SmoothReLU(h=1.0)
    >>> float(phi(0.0))
    1.0
    >>> float(phi.derivative(0.0))
    0.5
    """

    h: float = 1.0
    name: ClassVar[str] = "smooth_relu"

    def __post_init__(self) -> None:
        object.__setattr__(self, "h", _check_h(self.h, "SmoothReLU"))

    @property
    def params(self) -> dict[str, Any]:
        return {"h": self.h}

    def __call__(self, y: npt.ArrayLike) -> Any:
        return scalar_out(_smooth_relu(as_float(y), self.h))

    def derivative_from_value(self, y: npt.ArrayLike, value: npt.ArrayLike) -> Any:
        """phi'(y) = -phi / (y - 2 phi) (§6.1 with q = 2)."""
        return scalar_out(_polynomial_derivative(as_float(y), as_float(value), 2))


@dataclass(frozen=True)
class PolynomialActivation(Activation):
    """phi(y) = the unique positive root x of h + y x - (q-1) x^q (§6.1).

    This is the activation implemented by the reaction network of Table 1
    with ``qX -> X`` in place of ``2X -> X``; q = 2 is the smoothed ReLU
    (eq. (4)) and q = 3 the function of Figure 13. phi grows like
    (y/(q-1))^(1/(q-1)) as y -> inf and decays like h/|y| as y -> -inf.

    Parameters
    ----------
    q : int
        Degree, an integer >= 2.
    h : float
        Constant term, finite and >= 0. For ``h = 0`` phi is
        max(0, y/(q-1))^(1/(q-1)).

    Raises
    ------
    ValueError
        If ``q`` is not an integer >= 2 (floats, bools and strings are
        rejected) or ``h`` is not a finite number >= 0.

    Notes
    -----
    q = 2 uses the closed form of :class:`SmoothReLU`. Otherwise phi is found
    by vectorised Newton iterations on log x from bounds within a factor 2 of
    the root (see ``_polynomial_root``); about 5-8 iterations reach a relative
    accuracy of ~1e-15 for q <= 6. The derivative follows by implicit
    differentiation (§6.1): phi' = -phi / (y - q (q-1) phi^(q-1)), taken as 0
    where that denominator vanishes (only y = 0 with h = 0).

    Examples
    --------
    >>> phi = PolynomialActivation(q=3, h=1.0)
    >>> x = float(phi(1.0))      # root of 1 + x - 2 x^3
    >>> round(x, 12)
    1.0
    >>> float(phi.derivative(1.0))   # -1 / (1 - 6)
    0.2
    """

    q: int = 3
    h: float = 1.0
    name: ClassVar[str] = "polynomial"

    def __post_init__(self) -> None:
        object.__setattr__(self, "q", _check_q(self.q, "PolynomialActivation"))
        object.__setattr__(self, "h", _check_h(self.h, "PolynomialActivation"))

    @property
    def params(self) -> dict[str, Any]:
        return {"q": self.q, "h": self.h}

    def __call__(self, y: npt.ArrayLike) -> Any:
        y = as_float(y)
        if self.q == 2:
            return scalar_out(_smooth_relu(y, self.h))
        return scalar_out(_polynomial_root(y, self.q, self.h))

    def derivative_from_value(self, y: npt.ArrayLike, value: npt.ArrayLike) -> Any:
        """phi'(y) = -phi / (y - q (q-1) phi^(q-1)) (§6.1)."""
        return scalar_out(_polynomial_derivative(as_float(y), as_float(value), self.q))


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, ReLU, SmoothReLU, PolynomialActivation)
}
"""Activation classes by name: the registry that :func:`get_activation` and model files use."""


def get_activation(name: str, **params: Any) -> Activation:
    """Build an activation from its registry name and parameters.

    Parameters
    ----------
    name : str
        One of ``'polynomial'``, ``'relu'``, ``'sigmoid'``, ``'smooth_relu'``.
    **params
        Passed to the class: ``h`` for ``'smooth_relu'``; ``q`` and ``h`` for
        ``'polynomial'``; none for the others.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the valid names), or a
        parameter is invalid.
    TypeError
        If a parameter does not belong to the activation.

    Examples
    --------
    >>> get_activation("smooth_relu", h=0.5)
    SmoothReLU(h=0.5)
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        valid = ", ".join(repr(n) for n in sorted(ACTIVATIONS))
        raise InvalidArgumentError(f"name of get_activation must be one of {valid}; got {_show(name)}")
    return ACTIVATIONS[name](**params)
