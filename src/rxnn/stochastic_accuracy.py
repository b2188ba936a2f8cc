"""Deprecated location of :mod:`rxnn.experiments.stochastic_accuracy` (an MNIST experiment lives in experiments/).

``import rxnn.stochastic_accuracy`` keeps working and warns once; import from
:mod:`rxnn.experiments.stochastic_accuracy` instead.
"""

from __future__ import annotations

import warnings

from rxnn.experiments.stochastic_accuracy import (  # noqa: F401  (the public names of the old module)
    AUTO_SSA_MAX_VOLUME,
    DEFAULT_VOLUMES,
    T_END,
    AccuracyRow,
    NodeStatistics,
    StochasticAccuracy,
    node_statistics,
    stochastic_accuracy,
)

__all__ = ["AUTO_SSA_MAX_VOLUME", "DEFAULT_VOLUMES", "T_END", "AccuracyRow", "NodeStatistics",
           "StochasticAccuracy", "node_statistics", "stochastic_accuracy"]

warnings.warn("rxnn.stochastic_accuracy is deprecated; import rxnn.experiments.stochastic_accuracy",
              DeprecationWarning, stacklevel=2)
