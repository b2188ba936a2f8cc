"""Sweeps of independent tasks on ``dask.distributed``, resumable, seeded per task.

A sweep is a list of :class:`Task` (a kind from a fixed registry,
:data:`TASK_KINDS`, and JSON parameters: data, never code) and shared data
(numpy arrays and JSON, e.g. a network and its input rows). :func:`run_sweep`
runs the tasks that have no result yet

* on an embedded ``dask.distributed.LocalCluster`` of ``workers`` processes
  (one thread each), or on an existing cluster (``scheduler="tcp://host:8786"``);
* in this process, one after another, when ``workers=1`` and no scheduler is
  given (no dask needed: the same task functions, the same seeds).

Each task draws its random numbers from
``SeedSequence(seed, spawn_key=sha256(task key))``, so its result depends on the
base seed and its key only: identical for any number of workers and any order.
Each finished task is written at once as one Parquet file in the results folder
(through :func:`rxnn._files.atomic_output`, so a file is complete or absent);
a sweep that is killed and run again skips the tasks that have a file and runs
the rest. Only this process writes results, one file per task key, so a task
that dask reruns after a worker died is counted once. Progress is one tqdm
bar over all workers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._files import check_output_folder
from rxnn._validation import check_int
from rxnn.errors import InvalidArgumentError
from rxnn.experiments._sweep_store import (
    META_COLUMNS,
    SUFFIX,
    SweepStoreError,
    canonical_json,
    check_same_task,
    read_result,
    result_path,
    shared_hash,
    task_seed_sequence,
    write_result,
)
from rxnn.experiments._sweep_tasks import TASK_KINDS, execute, network_to_shared

__all__ = [
    "TASK_KINDS",
    "MAX_WORKERS",
    "SweepRecord",
    "SweepResult",
    "SweepStoreError",
    "Task",
    "load_results",
    "dask_executor",
    "network_to_shared",
    "run_sweep",
    "stochastic_accuracy_sweep",
    "task_grid",
    "task_seed_sequence",
]

#: Most processes of an embedded LocalCluster (a typo such as ``--workers 1000`` is refused).
MAX_WORKERS = 256


@dataclass(frozen=True)
class Task:
    """One task of a sweep: a kind from :data:`TASK_KINDS` and JSON parameters.

    ``key`` names the task in the results folder and seeds it; by default it
    is the kind and the canonical JSON of the parameters, so two tasks with
    the same parameters need distinct keys (e.g. a ``"seed"`` parameter).

    Examples
    --------
    >>> Task("normal-draws", {"n": 2}).key
    'normal-draws{"n":2}'
    """

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    key: str = ""

    def __post_init__(self) -> None:
        if self.kind not in TASK_KINDS:
            raise InvalidArgumentError(f"unknown sweep task kind {self.kind!r}; the kinds are {', '.join(TASK_KINDS)}")
        text = canonical_json(self.params, f"params of task {self.kind!r}")
        if not self.key:
            object.__setattr__(self, "key", self.kind + text)

    @property
    def params_json(self) -> str:
        return canonical_json(self.params, f"params of task {self.key!r}")


@dataclass(frozen=True)
class SweepRecord:
    """The result of one task: its key, kind, parameters, result columns and the seconds it took.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     record = run_sweep([Task("normal-draws", {"n": 2})], tmp, seed=1, progress=False).records[0]
    >>> record.kind, record.params, len(record.values["draws"]), record.wall_time >= 0
    ('normal-draws', {'n': 2}, 2, True)
    """

    key: str
    kind: str
    params: dict[str, Any]
    values: dict[str, Any]
    wall_time: float


@dataclass(frozen=True)
class SweepResult:
    """What :func:`run_sweep` returns: the records in task order and what was run or reused.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     result = run_sweep(task_grid("normal-draws", {"sample": [0, 1]}, n=2), tmp, seed=1, progress=False)
    >>> result.n_executed, result.n_reused, [r.params["sample"] for r in result.records]
    (2, 0, [0, 1])
    """

    records: tuple[SweepRecord, ...]
    folder: Path
    n_executed: int
    n_reused: int

    def values(self) -> dict[str, dict[str, Any]]:
        """Task key -> result columns (what two runs of a sweep are compared by)."""
        return {r.key: r.values for r in self.records}


def _row_to_record(row: dict[str, Any]) -> SweepRecord:
    values = {k: v for k, v in row.items() if k not in META_COLUMNS}
    return SweepRecord(row["key"], row["kind"], json.loads(row["params"]), values, float(row["wall_time"]))


def load_results(folder: str | os.PathLike[str]) -> list[SweepRecord]:
    """Every finished task in a results folder, sorted by key.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = run_sweep([Task("normal-draws", {"n": 3})], tmp, seed=1, progress=False)
    ...     [len(r.values["draws"]) for r in load_results(tmp)]
    [3]
    """
    paths = sorted(Path(folder).glob("*" + SUFFIX))
    return sorted((_row_to_record(read_result(p)) for p in paths), key=lambda r: r.key)


def _check_shared(shared: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in (shared or {}).items():
        if not isinstance(name, str) or name.startswith("__"):
            raise InvalidArgumentError(f"shared data names must be strings not starting with '__'; got {name!r}")
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "fiub":
                raise InvalidArgumentError(f"shared[{name!r}] must be a numeric array; got dtype {value.dtype}")
            out[name] = value
        else:
            canonical_json(value, f"shared[{name!r}]")
            out[name] = value
    out["__hash__"] = shared_hash(out)
    return out


def _identity(value: Any) -> Any:
    return value


def _client(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """A dask Client of an embedded LocalCluster (``workers`` processes) or of ``scheduler``; and the cluster."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise ImportError("sweeps on dask need rxnn[distributed]: pip install 'rxnn[distributed]'") from exc
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout="20s"), None
    except (OSError, TimeoutError, ValueError) as exc:
        raise InvalidArgumentError(f"cannot connect to the dask scheduler {scheduler!r} ({exc}); "
                                   "give its address, e.g. tcp://127.0.0.1:8786") from None


@contextlib.contextmanager
def dask_executor(scheduler: str | None = None, *, workers: int = 1) -> Iterator[Any]:
    """A :class:`concurrent.futures.Executor` on dask: an existing cluster's, or an embedded LocalCluster's.

    For work that is not a sweep of registered tasks (``rxnn reproduce``'s
    training runs): ``pool.submit(fn, *args)`` returns a
    ``concurrent.futures.Future``. The workers of an existing cluster need the
    same rxnn installed and, for functions that write files, the same file system.

    Examples
    --------
    >>> with dask_executor("no port here") as pool:
    ...     pass
    Traceback (most recent call last):
    ...
    rxnn.errors.InvalidArgumentError: cannot connect to the dask scheduler 'no port here' (missing port number in address 'no port here'); give its address, e.g. tcp://127.0.0.1:8786
    """
    client, cluster = _client(check_int(workers, "workers", "dask_executor", minimum=1), scheduler)
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_on_dask(pending: list[dict[str, Any]], shared: dict[str, Any], workers: int, scheduler: str | None,
                 finish: Callable[[dict[str, Any], tuple[dict[str, Any], float]], None]) -> None:
    client, cluster = _client(workers, scheduler)
    from dask.distributed import as_completed
    try:
        # The shared data as a task (not scattered): if the worker holding it dies, dask recomputes it.
        with warnings.catch_warnings():  # dask warns of a large graph: the shared inputs, sent once, on purpose
            warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
            data = client.submit(_identity, shared, key=f"rxnn-shared-{shared['__hash__'][:24]}", pure=False)
        by_key = {}
        futures = []
        for meta in pending:
            name = f"rxnn-task-{result_path(Path('.'), meta['key']).stem}-{meta['shared_hash'][:8]}-{meta['base_seed']}"
            fut = client.submit(execute, meta["kind"], meta["params"], meta["base_seed"], meta["key"], data,
                                key=name, pure=False)
            by_key[fut.key] = meta
            futures.append(fut)
        for fut in as_completed(futures):
            finish(by_key[fut.key], fut.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_sweep(
    tasks: Iterable[Task],
    out: str | os.PathLike[str],
    *,
    seed: int = 0,
    shared: dict[str, Any] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    on_result: Callable[[SweepRecord], None] | None = None,
) -> SweepResult:
    """Run the tasks that have no result in ``out`` yet; return every task's result.

    Parameters
    ----------
    tasks : iterable of Task
        Distinct keys.
    out : str or path-like
        The results folder (created if missing; its parent must exist). Files
        of the same tasks from an earlier run are reused; a file of the same key
        from another sweep (other parameters, seed or shared data) is refused.
    seed : int, default 0
        Base seed: task ``t`` draws from ``SeedSequence(seed, spawn_key=sha256(t.key))``.
    shared : dict, optional
        Data every task sees: numeric numpy arrays and JSON values (e.g.
        ``network_to_shared(net) | {"inputs": x}``).
    workers : int, default 1
        Processes of the embedded LocalCluster; 1 (without ``scheduler``) runs
        in this process without dask.
    scheduler : str, optional
        Address of an existing dask scheduler (e.g. ``"tcp://10.0.0.1:8786"``);
        ``workers`` is then ignored. Its workers need the same rxnn installed;
        they get the tasks and the shared data over the network and send back
        the result columns (only this process writes the results folder).
    progress : bool, default True
        A tqdm bar over the tasks (if tqdm is installed).
    on_result : callable, optional
        Called with each new :class:`SweepRecord` after its file is written.

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> import tempfile
    >>> tasks = [Task("normal-draws", {"n": 2, "sample": s}) for s in range(3)]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     first = run_sweep(tasks, tmp, seed=7, progress=False)
    ...     again = run_sweep(tasks, tmp, seed=7, progress=False)
    >>> (first.n_executed, again.n_executed, again.n_reused), first.values() == again.values()
    ((3, 0, 3), True)
    """
    func = "run_sweep"
    tasks = list(tasks)
    if not all(isinstance(t, Task) for t in tasks):
        raise InvalidArgumentError(f"tasks of {func} must be Task objects (rxnn.experiments.sweep.Task)")
    seed = check_int(seed, "seed", func, minimum=0)
    workers = check_int(workers, "workers", func, minimum=1)
    if workers > MAX_WORKERS:
        raise InvalidArgumentError(f"workers of {func} must be at most {MAX_WORKERS}; got {workers}")
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise InvalidArgumentError(f"task key {dup!r} is given twice; give the tasks distinct keys")
    folder = Path(out)
    if not folder.is_dir():
        check_output_folder(folder, "results folder")
        folder.mkdir(exist_ok=True)
    data = _check_shared(shared)
    metas = [{"key": t.key, "kind": t.kind, "params": t.params_json, "base_seed": seed,
              "shared_hash": data["__hash__"], "wall_time": 0.0} for t in tasks]
    records: dict[str, SweepRecord] = {}
    pending = []
    for meta in metas:
        path = result_path(folder, meta["key"])
        if path.exists():
            row = read_result(path)
            check_same_task(row, meta, path)
            records[meta["key"]] = _row_to_record(row)
        else:
            pending.append(meta)
    n_reused = len(records)
    bar = _progress_bar(len(metas), n_reused, progress)

    def finish(meta: dict[str, Any], outcome: tuple[dict[str, Any], float]) -> None:
        values, wall = outcome
        if meta["key"] in records:  # never counted twice
            return
        row = {**meta, "wall_time": float(wall)}
        write_result(folder, row, values)
        record = _row_to_record(read_result(result_path(folder, meta["key"])))
        records[meta["key"]] = record
        if bar is not None:
            bar.update(1)
        if on_result is not None:
            on_result(record)

    try:
        if pending and workers == 1 and scheduler is None:
            for meta in pending:
                finish(meta, execute(meta["kind"], meta["params"], seed, meta["key"], data))
        elif pending:
            _run_on_dask(pending, data, workers, scheduler, finish)
    finally:
        if bar is not None:
            bar.close()
    return SweepResult(tuple(records[k] for k in keys), folder, len(records) - n_reused, n_reused)


def _progress_bar(total: int, done: int, show: bool) -> Any:
    if not show:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is in the progress extra
        return None
    return tqdm(total=total, initial=done, desc="sweep", unit="task")


def task_grid(kind: str, axes: dict[str, Sequence[Any]], **fixed: Any) -> list[Task]:
    """Every combination of the values in ``axes`` (with ``fixed`` parameters) as tasks of ``kind``.

    Examples
    --------
    >>> [t.params for t in task_grid("normal-draws", {"sample": [0, 1]}, n=2)]
    [{'n': 2, 'sample': 0}, {'n': 2, 'sample': 1}]
    """
    import itertools

    names = list(axes)
    return [Task(kind, {**fixed, **dict(zip(names, combo))}) for combo in itertools.product(*(axes[n] for n in names))]


from rxnn.experiments._sweep_ssa import stochastic_accuracy_sweep  # noqa: E402  (it builds on run_sweep above)
