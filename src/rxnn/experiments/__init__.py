"""The §6 example of Anderson, Deshpande & Joshi (2021), as code.

* :mod:`~rxnn.experiments.training`: the training loop with the §6 defaults,
  its variants (h = 0, q = 3), checkpoints that resume bit for bit;
* :mod:`~rxnn.experiments.chemistry`: trajectories of the compiled reaction
  network (Figs. 10-12) and the activation check against the closed form;
* :mod:`~rxnn.experiments.figures`: Figs. 4 and 8-14 as PNG files;
* :mod:`~rxnn.experiments.report`: ``report.md``, ``report.html``, ``report.json``;
* :mod:`~rxnn.experiments.reproduce`: all of it, as ``rxnn reproduce`` runs it.
"""

from rxnn.experiments.chemistry import (
    ActivationCheck,
    NodeTrajectories,
    activation_check,
    paper_activation_check,
    simulate_nodes,
)
from rxnn.experiments.reproduce import reproduce, reproduce_settings
from rxnn.experiments.training import (
    PAPER_CONFIGURATIONS,
    ArrayDataset,
    CheckpointError,
    TrainingConfig,
    TrainingResult,
    evaluate,
    read_checkpoint,
    targets,
    train,
)

__all__ = [
    "ActivationCheck",
    "NodeTrajectories",
    "activation_check",
    "paper_activation_check",
    "simulate_nodes",
    "reproduce",
    "reproduce_settings",
    "PAPER_CONFIGURATIONS",
    "ArrayDataset",
    "CheckpointError",
    "TrainingConfig",
    "TrainingResult",
    "evaluate",
    "read_checkpoint",
    "targets",
    "train",
]
