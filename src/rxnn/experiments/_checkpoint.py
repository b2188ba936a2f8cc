"""Training checkpoints: plain ``.npz`` archives read back against their own configuration.

A checkpoint holds the current parameters, the history, the requested
snapshots and a JSON header with the configuration, the iteration, the batch
generator's ``bit_generator.state`` and the BLAS thread count (no pickle
anywhere). Reading goes through :mod:`rxnn._npz`: every member's key, dtype
and declared shape is checked against what the configuration implies before
anything is decompressed, and decompression is bounded by those sizes, so a
corrupt, truncated, oversized or mismatched file is one :class:`CheckpointError`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._files import atomic_output
from rxnn.errors import RxnnError
from rxnn.experiments._workers import DEFAULT_BLAS_THREADS, MAX_BLAS_THREADS
from rxnn.experiments.config import TrainingConfig
from rxnn._npz import ArraySpec, NpzArchive
from rxnn.nn import Activation, FeedForwardNetwork

__all__ = ["CheckpointError"]

_CHECKPOINT_FORMAT = "rxnn-training-checkpoint"
_CHECKPOINT_VERSION = 1


class CheckpointError(RxnnError, ValueError):
    """A checkpoint that cannot be resumed: unreadable, or written for another configuration."""



def _network_arrays(prefix: str, network: FeedForwardNetwork) -> dict[str, np.ndarray]:
    out = {}
    for l, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        out[f"{prefix}W{l}"], out[f"{prefix}b{l}"] = w, b
    return out


def _network_from(arrays: Mapping[str, np.ndarray], prefix: str, m: int, activation: Activation) -> FeedForwardNetwork:
    return FeedForwardNetwork(
        [arrays[f"{prefix}W{l}"] for l in range(1, m + 1)], [arrays[f"{prefix}b{l}"] for l in range(1, m + 1)], activation
    )


@dataclass
class _State:
    """Everything a checkpoint holds, at a boundary between iterations."""

    config: TrainingConfig
    iteration: int
    network: FeedForwardNetwork
    rng_state: dict[str, Any]
    cost: list[float]
    correct: list[int]
    snapshots: dict[int, FeedForwardNetwork]
    seconds: float
    blas_threads: int | None = DEFAULT_BLAS_THREADS  # None: an older checkpoint that did not record it

    def write(self, path: Path) -> None:
        header = {
            "format": _CHECKPOINT_FORMAT,
            "version": _CHECKPOINT_VERSION,
            "config": self.config.to_dict(),
            "iteration": self.iteration,
            "batch_rng": self.rng_state,
            "snapshots": sorted(self.snapshots),
            "seconds": self.seconds,
            "blas_threads": self.blas_threads,
        }
        arrays = {
            "header": np.array(json.dumps(header)),
            "cost": np.asarray(self.cost, dtype=np.float64),
            "correct": np.asarray(self.correct, dtype=np.int64),
            **_network_arrays("", self.network),
        }
        for it, net in self.snapshots.items():
            arrays.update(_network_arrays(f"snapshot{it}_", net))
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path, "wb", what="checkpoint") as f:
            np.savez(f, **arrays)


_FIX = "delete it to start afresh"
_HEADER_KEYS = {"format", "version", "config", "iteration", "batch_rng", "snapshots", "seconds", "blas_threads"}
_MAX_HEADER_BYTES = 1 << 20  # the JSON header: config, generator state, snapshot list (a few hundred bytes)


def _checkpoint_error(path: Path, problem: str) -> CheckpointError:
    return CheckpointError(f"checkpoint {str(path)!r}: {problem}; {_FIX}")


def _read_header(archive: NpzArchive, path: Path) -> dict[str, Any]:
    """The JSON header of a checkpoint, its keys, format and version checked."""
    raw = archive.read("header", ArraySpec("U", ()), max_bytes=_MAX_HEADER_BYTES)
    try:
        header = json.loads(str(raw[()]))
    except (ValueError, RecursionError):
        raise _checkpoint_error(path, "its header is not valid JSON") from None
    if not isinstance(header, dict) or header.get("format") != _CHECKPOINT_FORMAT:
        raise _checkpoint_error(path, "not an rxnn training checkpoint")
    if header.get("version") != _CHECKPOINT_VERSION:
        raise _checkpoint_error(path, f"checkpoint version {header.get('version')!r}; this rxnn reads version "
                                      f"{_CHECKPOINT_VERSION}")
    unknown, missing = sorted(set(header) - _HEADER_KEYS), sorted(_HEADER_KEYS - {"blas_threads"} - set(header))
    if unknown or missing:
        raise _checkpoint_error(path, f"its header has unknown keys {unknown} or lacks {missing}")
    return header


def _header_int(path: Path, header: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = header[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _checkpoint_error(path, f"{key} is {str(value)[:40]}; it must be an integer from {low} to {high}")
    return value


def _network_specs(prefix: str, sizes: tuple[int, ...]) -> dict[str, ArraySpec]:
    specs = {}
    for l in range(1, len(sizes)):
        specs[f"{prefix}W{l}"] = ArraySpec("f", (sizes[l], sizes[l - 1]))
        specs[f"{prefix}b{l}"] = ArraySpec("f", (sizes[l],))
    return specs


def _read_state(path: Path) -> _State:
    """The state stored in a checkpoint, every member checked against its configuration before it is read.

    The arrays must have the shapes the configuration gives (a 784-41-10 network under a 784-40-10
    configuration is refused), the iteration must lie within the run, the history must have one entry
    per iteration, the parameters must be finite; the archive is read with :mod:`rxnn._npz`
    (bounded, corrupt data refused), so every problem is one :class:`CheckpointError`.
    """
    with NpzArchive(path, error=CheckpointError, fix=_FIX, what="checkpoint") as archive:
        header = _read_header(archive, path)
        try:
            config = TrainingConfig.from_dict(header["config"])
        except (RxnnError, TypeError) as exc:
            raise _checkpoint_error(path, f"its configuration is invalid ({exc})") from None
        it = _header_int(path, header, "iteration", 0, config.iterations)
        snaps = header["snapshots"]
        if not isinstance(snaps, list) or len(set(map(str, snaps))) != len(snaps) or any(
            isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= it for s in snaps
        ):
            raise _checkpoint_error(path, f"snapshots {str(snaps)[:80]} must be distinct iterations from 0 to {it}")
        specs = {"header": ArraySpec("U", ()), "cost": ArraySpec("f", (it,)), "correct": ArraySpec("iu", (it,)),
                 **_network_specs("", config.layer_sizes)}
        for s in snaps:
            specs.update(_network_specs(f"snapshot{s}_", config.layer_sizes))
        expected = sum(8 * math.prod(spec.shape or ()) for spec in specs.values()) + _MAX_HEADER_BYTES
        archive.check(specs, max_bytes=expected)
        arrays = {key: archive.read(key, spec, max_bytes=expected) for key, spec in specs.items() if key != "header"}
    bad = [key for key, a in arrays.items() if not np.all(np.isfinite(a))]
    if bad:
        raise _checkpoint_error(path, f"members {bad[:5]} hold NaN or infinite values")
    rng_state = header["batch_rng"]
    try:
        np.random.default_rng().bit_generator.state = rng_state
    except (TypeError, ValueError, KeyError, OverflowError):
        raise _checkpoint_error(path, "its batch generator state is invalid") from None
    seconds = header["seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds < math.inf:
        raise _checkpoint_error(path, f"seconds is {str(seconds)[:40]}; it must be a finite number >= 0")
    blas = header.get("blas_threads")
    if blas is not None:
        blas = _header_int(path, header, "blas_threads", 1, MAX_BLAS_THREADS)
    activation, m = config.activation(), len(config.layer_sizes) - 1
    return _State(
        config=config,
        iteration=it,
        network=_network_from(arrays, "", m, activation),
        rng_state=rng_state,
        cost=arrays["cost"].astype(np.float64).tolist(),
        correct=[int(c) for c in arrays["correct"]],
        snapshots={s: _network_from(arrays, f"snapshot{s}_", m, activation) for s in snaps},
        seconds=float(seconds),
        blas_threads=blas,
    )


