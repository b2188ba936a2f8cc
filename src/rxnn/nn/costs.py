"""Cost functions C(d) comparing the output a^m(d) with the truth tau(d) (paper §3.3).

Each cost has :meth:`Cost.value`, the cost averaged over a batch as in
eq. (8), and :meth:`Cost.gradient`, the per-sample gradient with respect to
a^m that starts the backpropagation (10). For vector outputs the per-sample
cost sums the component-wise expressions of §3.3 over the c_m outputs.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from rxnn.errors import InvalidArgumentError
from rxnn.nn._arrays import finite_array

__all__ = ["Cost", "QuadraticCost", "OneNormCost", "CrossEntropyCost", "COSTS", "get_cost"]

FloatArray = npt.NDArray[np.float64]


def _pair(a: npt.ArrayLike, target: npt.ArrayLike, owner: str) -> tuple[FloatArray, FloatArray]:
    """Validate an (output, target) pair: finite, equal shapes, 1-D or 2-D (batch, c_m)."""
    a = finite_array(a, "a", owner)
    target = finite_array(target, "target", owner)
    if a.ndim not in (1, 2) or a.shape != target.shape:
        raise InvalidArgumentError(
            f"a and target of {owner} must have the same shape, (c_m,) or (batch, c_m); "
            f"got shapes {a.shape} and {target.shape}"
        )
    return a, target


class Cost(abc.ABC):
    """Base class of the costs of §3.3. Costs are frozen dataclasses (values).

    Examples
    --------
    >>> import numpy as np
    >>> cost = QuadraticCost()
    >>> isinstance(cost, Cost), cost.value(np.array([1.0, 3.0]), np.array([1.0, 1.0]))
    (True, 2.0)
    """

    name: ClassVar[str]

    def value(self, a: npt.ArrayLike, target: npt.ArrayLike) -> float:
        """The cost, averaged over the batch axis if there is one (eq. (8)).

        Parameters
        ----------
        a : array_like of shape (c_m,) or (batch, c_m)
            Network outputs a^m(d).
        target : array_like of the same shape
            The truth tau(d).

        Returns
        -------
        float
            C(d) for one sample, or (1/N) sum_d C(d) for a batch.

        Raises
        ------
        ValueError
            If the shapes differ or are not 1-D/2-D, an entry is NaN/inf, or
            (cross-entropy) ``a`` is outside (0, 1).
        """
        owner = f"{type(self).__name__}.value"
        a, target = _pair(a, target, owner)
        self._check_domain(a, owner)
        per_sample = self._per_sample(a, target)
        return float(np.mean(per_sample))

    def gradient(self, a: npt.ArrayLike, target: npt.ArrayLike) -> FloatArray:
        """The per-sample gradient nabla_{a^m} C(d) (the first factor of eq. (10)).

        Parameters
        ----------
        a : array_like of shape (c_m,) or (batch, c_m)
            Network outputs a^m(d).
        target : array_like of the same shape
            The truth tau(d).

        Returns
        -------
        ndarray of the shape of ``a``
            Row k is the gradient of C(d_k); it is not divided by the batch size.

        Raises
        ------
        ValueError
            As :meth:`value`.
        """
        owner = f"{type(self).__name__}.gradient"
        a, target = _pair(a, target, owner)
        self._check_domain(a, owner)
        return self._gradient(a, target)

    def _check_domain(self, a: FloatArray, owner: str) -> None:
        """Raise ValueError if ``a`` is outside the cost's domain (default: no restriction)."""

    @abc.abstractmethod
    def _per_sample(self, a: FloatArray, target: FloatArray) -> FloatArray:
        """C(d) for each sample: shape () for one sample, (batch,) for a batch."""

    @abc.abstractmethod
    def _gradient(self, a: FloatArray, target: FloatArray) -> FloatArray:
        """nabla_{a^m} C(d) for each sample, shape of ``a``."""


@dataclass(frozen=True)
class QuadraticCost(Cost):
    """C(d) = 1/2 |a^m(d) - tau(d)|^2, the quadratic cost (eq. (9)); the one used in §6.

    Its gradient is a^m(d) - tau(d).

    Examples
    --------
    >>> QuadraticCost().value([1.0, 3.0], [0.0, 1.0])
    2.5
    """

    name: ClassVar[str] = "quadratic"

    def _per_sample(self, a: FloatArray, target: FloatArray) -> FloatArray:
        return 0.5 * np.sum((a - target) ** 2, axis=-1)

    def _gradient(self, a: FloatArray, target: FloatArray) -> FloatArray:
        return a - target


@dataclass(frozen=True)
class OneNormCost(Cost):
    """C(d) = |a^m(d) - tau(d)|_1, the one-norm cost (§3.3).

    Its gradient is sign(a^m - tau); where a component equals its target the
    subgradient 0 is used.

    Examples
    --------
    >>> OneNormCost().value([1.0, 3.0], [0.0, 1.0])
    3.0
    """

    name: ClassVar[str] = "one_norm"

    def _per_sample(self, a: FloatArray, target: FloatArray) -> FloatArray:
        return np.sum(np.abs(a - target), axis=-1)

    def _gradient(self, a: FloatArray, target: FloatArray) -> FloatArray:
        return np.sign(a - target)


@dataclass(frozen=True)
class CrossEntropyCost(Cost):
    """C(d) = -sum_i [tau_i ln a_i + (1 - tau_i) ln(1 - a_i)], the cross-entropy cost (§3.3).

    Its gradient is (a - tau) / (a (1 - a)). Outputs are not clipped: an
    output outside the open interval (0, 1) is an error, since the cost is
    infinite or undefined there (use a :class:`~rxnn.nn.Sigmoid` output layer).

    Examples
    --------
    >>> round(CrossEntropyCost().value([0.5], [1.0]), 6)   # ln 2
    0.693147
    """

    name: ClassVar[str] = "cross_entropy"

    def _check_domain(self, a: FloatArray, owner: str) -> None:
        outside = (a <= 0.0) | (a >= 1.0)
        if outside.any():
            index = tuple(int(i) for i in np.unravel_index(int(np.argmax(outside)), a.shape))
            raise InvalidArgumentError(
                f"a of {owner} must lie strictly inside (0, 1); got {a[index].item()!r} at index {index}"
            )

    def _per_sample(self, a: FloatArray, target: FloatArray) -> FloatArray:
        return -np.sum(target * np.log(a) + (1.0 - target) * np.log1p(-a), axis=-1)

    def _gradient(self, a: FloatArray, target: FloatArray) -> FloatArray:
        return (a - target) / (a * (1.0 - a))


COSTS: dict[str, type[Cost]] = {cls.name: cls for cls in (QuadraticCost, OneNormCost, CrossEntropyCost)}
"""Cost classes by name: the registry :func:`get_cost` looks names up in."""


def get_cost(name: str) -> Cost:
    """The cost function registered under ``name``.

    Parameters
    ----------
    name : str
        One of ``'cross_entropy'``, ``'one_norm'``, ``'quadratic'``.

    Returns
    -------
    Cost

    Raises
    ------
    ValueError
        If ``name`` is unknown; the message lists the valid names.

    Examples
    --------
    >>> get_cost("quadratic")
    QuadraticCost()
    """
    if not isinstance(name, str) or name not in COSTS:
        valid = ", ".join(repr(n) for n in sorted(COSTS))
        raise InvalidArgumentError(f"name of get_cost must be one of {valid}; got {name!r}")
    return COSTS[name]()
