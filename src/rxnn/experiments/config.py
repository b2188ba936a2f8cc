"""The configuration of a training run of §6 (:class:`TrainingConfig`) and its limits."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rxnn._validation import check_int, check_nonnegative_finite, check_positive_finite, must_be
from rxnn.errors import LimitError
from rxnn.nn import Activation, PolynomialActivation, ReLU, SmoothReLU

__all__ = ["TrainingConfig", "PAPER_CONFIGURATIONS", "MAX_LAYER_WIDTH", "MAX_LAYERS", "MAX_BATCH_SIZE",
           "MAX_ITERATIONS", "MAX_Q"]

#: Limits of :class:`TrainingConfig`: far above the paper's run (784-40-10, batches of 300, 1000
#: iterations, q <= 3), low enough that a mistyped number is refused at once instead of exhausting
#: memory (a 784-10000-10 network's parameters and gradients take about 130 MB) or running for days.
MAX_LAYER_WIDTH = 10_000
MAX_LAYERS = 20
MAX_BATCH_SIZE = 100_000
MAX_ITERATIONS = 1_000_000
MAX_Q = 16


def _bounded(value: Any, arg: str, func: str, minimum: int, maximum: int, name: str) -> int:
    """``value`` as an int from ``minimum`` to ``maximum``; above it a :class:`LimitError` naming the limit."""
    value = check_int(value, arg, func, minimum=minimum)
    if value > maximum:
        raise LimitError(f"{arg} of {func} is {value}; the limit is {name} = {maximum} (rxnn.experiments.config)")
    return value


@dataclass(frozen=True)
class TrainingConfig:
    """The settings of one training run (§6); the defaults are the paper's.

    Parameters
    ----------
    layer_sizes : tuple of int, default (784, 40, 10)
        c_0, ..., c_m.
    h : float, default 1.0
        Smoothing parameter (eq. (4)); with ``q = 2`` and ``h = 0`` the
        activation is the plain ReLU (Fig. 9).
    q : int, default 2
        Order of the decay reaction qX -> X (Table 1); q = 3 is §6.1 (Fig. 14).
    eta : float, default 0.1
        Learning rate.
    batch_size : int, default 300
        Images per iteration, drawn without replacement (see :func:`draw_batch`).
    iterations : int, default 1000
        Gradient steps.
    seed : int, default 1234
        Seed of :func:`random_streams` (the paper's Matlab used ``rng(1234)``).
    target_high, target_low : float, default 10.0 and 1.0
        tau(d): ``target_high`` at the true digit, ``target_low`` elsewhere.

    Raises
    ------
    rxnn.errors.InvalidArgumentError
        If a field has a wrong type or value (the message names it).
    rxnn.errors.LimitError
        If a width, the number of layers, ``batch_size``, ``iterations`` or ``q`` exceeds
        :data:`MAX_LAYER_WIDTH`, :data:`MAX_LAYERS`, :data:`MAX_BATCH_SIZE`,
        :data:`MAX_ITERATIONS` or :data:`MAX_Q`.

    Examples
    --------
    >>> TrainingConfig().activation()
    SmoothReLU(h=1.0)
    >>> TrainingConfig(h=0.0).activation(), TrainingConfig(q=3).activation()
    (ReLU(), PolynomialActivation(q=3, h=1.0))
    """

    layer_sizes: tuple[int, ...] = (784, 40, 10)
    h: float = 1.0
    q: int = 2
    eta: float = 0.1
    batch_size: int = 300
    iterations: int = 1000
    seed: int = 1234
    target_high: float = 10.0
    target_low: float = 1.0

    def __post_init__(self) -> None:
        owner = "TrainingConfig"
        sizes = tuple(self.layer_sizes)
        if len(sizes) < 2:
            raise must_be("layer_sizes", owner, "at least two positive integers", self.layer_sizes)
        if len(sizes) > MAX_LAYERS:
            raise LimitError(f"layer_sizes of {owner} has {len(sizes)} layers; the limit is MAX_LAYERS = {MAX_LAYERS}")
        sizes = tuple(_bounded(c, "layer_sizes", owner, 1, MAX_LAYER_WIDTH, "MAX_LAYER_WIDTH") for c in sizes)
        object.__setattr__(self, "layer_sizes", sizes)
        object.__setattr__(self, "h", check_nonnegative_finite(self.h, "h", owner))
        object.__setattr__(self, "q", _bounded(self.q, "q", owner, 2, MAX_Q, "MAX_Q"))
        object.__setattr__(self, "eta", check_positive_finite(self.eta, "eta", owner))
        object.__setattr__(self, "batch_size", _bounded(self.batch_size, "batch_size", owner, 1, MAX_BATCH_SIZE,
                                                        "MAX_BATCH_SIZE"))
        object.__setattr__(self, "iterations", _bounded(self.iterations, "iterations", owner, 0, MAX_ITERATIONS,
                                                        "MAX_ITERATIONS"))
        object.__setattr__(self, "seed", check_int(self.seed, "seed", owner, minimum=0))
        for name in ("target_high", "target_low"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                raise must_be(name, owner, "a finite number", value)
            object.__setattr__(self, name, float(value))

    def activation(self) -> Activation:
        """phi: ReLU for (q, h) = (2, 0), SmoothReLU(h) for q = 2, else PolynomialActivation(q, h)."""
        if self.q == 2:
            return ReLU() if self.h == 0.0 else SmoothReLU(self.h)
        return PolynomialActivation(self.q, self.h)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict (``layer_sizes`` as a list)."""
        out = dataclasses.asdict(self)
        out["layer_sizes"] = list(self.layer_sizes)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainingConfig:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise must_be("data", "TrainingConfig.from_dict", f"a dict with keys among {sorted(names)}", unknown)
        values = dict(data)
        if "layer_sizes" in values:
            values["layer_sizes"] = tuple(values["layer_sizes"])
        return cls(**values)


PAPER_CONFIGURATIONS: dict[str, TrainingConfig] = {
    "h1": TrainingConfig(),
    "h0": TrainingConfig(h=0.0),
    "q3": TrainingConfig(q=3),
}
"""The three runs of §6 by key: smoothed ReLU h = 1 (Fig. 8), ReLU (Fig. 9), q = 3 (Fig. 14)."""


