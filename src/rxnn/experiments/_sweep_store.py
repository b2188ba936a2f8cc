"""The results folder of a sweep: one Parquet file per finished task, the seeds, the shared data.

Private helpers of :mod:`rxnn.experiments.sweep`. A task's file is named by a
hash of its key (``<sha256(key)[:24]>.parquet``), holds one row (the task's
key, kind, parameters as canonical JSON, base seed, the hash of the shared
data, then its result columns) and is written through
:func:`rxnn._files.atomic_output`, so a reader sees a finished task or none.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._files import atomic_output
from rxnn.errors import InvalidArgumentError, RxnnError

#: Columns every result file carries before the task's own results.
META_COLUMNS = ("key", "kind", "params", "base_seed", "shared_hash", "wall_time")
SUFFIX = ".parquet"
#: The largest result file read back (one task's row; the largest written are kilobytes): a bigger
#: file in a results folder is not ours and is refused before pyarrow reads it.
MAX_RESULT_BYTES = 64 * 2**20


class SweepStoreError(RxnnError, ValueError):
    """A results folder that holds another sweep's results, or a result file that cannot be read."""


def canonical_json(value: Any, what: str) -> str:
    """``value`` as canonical JSON (sorted keys, no spaces), or an error naming ``what``."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"{what} must be JSON data (numbers, strings, lists, dicts; finite floats): {exc}"
        ) from None


def key_words(key: str) -> tuple[int, ...]:
    """Four 32-bit words of sha256(key): the stable spawn key of the task's seed (never Python's hash())."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[4 * i:4 * i + 4], "little") for i in range(4))


def task_seed_sequence(base_seed: int, key: str) -> np.random.SeedSequence:
    """The seed of one task: ``SeedSequence(base_seed, spawn_key=key_words(key))``."""
    return np.random.SeedSequence(base_seed, spawn_key=key_words(key))


def shared_hash(shared: dict[str, Any]) -> str:
    """sha256 over the shared data (names, dtypes, shapes and bytes of arrays; JSON of the rest)."""
    h = hashlib.sha256()
    for name in sorted(shared):
        value = shared[name]
        h.update(name.encode("utf-8") + b"\0")
        if isinstance(value, np.ndarray):
            h.update(f"{value.dtype.str}{value.shape}".encode() + b"\0")
            h.update(np.ascontiguousarray(value).tobytes())
        else:
            h.update(canonical_json(value, f"shared[{name!r}]").encode("utf-8"))
        h.update(b"\1")
    return h.hexdigest()


def result_path(folder: Path, key: str) -> Path:
    return folder / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:24] + SUFFIX)


def _column(name: str, value: Any) -> Any:
    """A result value as one Parquet cell: a scalar, a string, or a list of floats."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value
    array = np.asarray(value)
    if array.dtype.kind in "fiub" and array.ndim >= 1:
        return array.astype(np.float64).ravel().tolist()
    raise InvalidArgumentError(f"result column {name!r} must be a number, a string or an array of numbers; "
                               f"got {type(value).__name__}")


def write_result(folder: Path, meta: dict[str, Any], values: dict[str, Any]) -> Path:
    """Write one finished task atomically; return its path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    clash = sorted(set(values) & set(META_COLUMNS))
    if clash:
        raise InvalidArgumentError(f"result columns {clash} clash with the sweep's own columns {list(META_COLUMNS)}")
    row = {**{k: meta[k] for k in META_COLUMNS}, **{k: _column(k, v) for k, v in values.items()}}
    table = pa.table({k: [v] for k, v in row.items()})
    path = result_path(folder, meta["key"])
    with atomic_output(path, "wb", what="sweep result file") as f:
        pq.write_table(table, f)
    return path


def read_result(path: Path) -> dict[str, Any]:
    """One result file as a dict of its row (lists for list columns)."""
    import stat

    import pyarrow.parquet as pq

    info = path.lstat()
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RESULT_BYTES:
        raise SweepStoreError(f"result file {str(path)!r} is not a sweep result (a regular file of at most "
                              f"{MAX_RESULT_BYTES // 2**20} MiB); delete it or choose another results folder")
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise SweepStoreError(f"result file {str(path)!r} cannot be read ({exc}); delete it to rerun its task") from None
    missing = [c for c in META_COLUMNS if c not in table.column_names]
    if table.num_rows != 1 or missing:
        raise SweepStoreError(f"result file {str(path)!r} is not a sweep result (one row with columns "
                              f"{list(META_COLUMNS)}); delete it or choose another results folder")
    return {k: v[0] for k, v in table.to_pydict().items()}


def check_same_task(row: dict[str, Any], meta: dict[str, Any], path: Path) -> None:
    """Refuse to count ``row`` as the result of the task ``meta`` unless it is that task's result."""
    for field in ("key", "kind", "params", "base_seed", "shared_hash"):
        if row[field] != meta[field]:
            raise SweepStoreError(
                f"results folder {str(path.parent)!r} holds a result of another sweep for task {meta['key']!r} "
                f"({field} differs: {str(row[field])[:60]!r} there, {str(meta[field])[:60]!r} now); "
                "choose another results folder or delete it"
            )

