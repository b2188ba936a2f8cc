"""Worker processes and BLAS threads of the experiments (``rxnn reproduce``, ``rxnn train``).

Two guarantees live here.

* **A fixed BLAS thread count.** The order in which a multi-threaded BLAS adds
  partial sums depends on its thread count, so the same seed can give other
  numbers in the last bits, and after hundreds of SGD steps with the plain ReLU
  (h = 0, where a unit dies or lives on a sign) other accuracies. Every step of
  a reproduction and of a training run therefore runs under
  :func:`blas_threads` (``threadpoolctl``), with :data:`DEFAULT_BLAS_THREADS`
  unless asked otherwise, and the count is recorded in the report and in
  checkpoints (:func:`blas_info`).
* **Workers die with their parent.** Training workers are ``spawn``-ed; on Linux
  each asks the kernel (``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to be killed when
  its parent dies, even by ``SIGKILL``, which no handler can catch. When the
  workers are gone, multiprocessing's resource tracker sees its pipe close and
  exits too, so a killed ``rxnn reproduce --jobs 2`` leaves nothing running.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from threadpoolctl import threadpool_info, threadpool_limits

from rxnn._validation import check_int
from rxnn.errors import LimitError

__all__ = ["DEFAULT_BLAS_THREADS", "MAX_BLAS_THREADS", "MAX_JOBS", "blas_threads", "blas_info", "worker_pool",
           "default_jobs"]

DEFAULT_BLAS_THREADS = 1
"""BLAS threads of every experiment step: one, the fastest for the 784-40-10 products of §6 on a
shared machine, and the same on every machine, so a seed gives the same numbers everywhere."""

MAX_BLAS_THREADS = 256
"""The largest ``blas_threads`` accepted (more threads than that is a typo)."""

MAX_JOBS = 64
"""The largest number of training worker processes (each holds MNIST, about 200 MB)."""

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                "NUMEXPR_NUM_THREADS")
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def check_blas_threads(value: Any, func: str) -> int:
    """``value`` as a BLAS thread count from 1 to :data:`MAX_BLAS_THREADS`, or an rxnn error naming the limit."""
    n = check_int(value, "blas_threads", func, minimum=1)
    if n > MAX_BLAS_THREADS:
        raise LimitError(f"blas_threads of {func} is {n}; the limit is MAX_BLAS_THREADS = {MAX_BLAS_THREADS}")
    return n


def check_jobs(value: Any, func: str) -> int:
    """``value`` as a number of worker processes from 0 to :data:`MAX_JOBS`, or an rxnn error naming the limit."""
    n = check_int(value, "jobs", func, minimum=0)
    if n > MAX_JOBS:
        raise LimitError(f"jobs of {func} is {n}; the limit is MAX_JOBS = {MAX_JOBS}")
    return n


@contextlib.contextmanager
def blas_threads(n: int = DEFAULT_BLAS_THREADS) -> Iterator[int]:
    """Run the block with every BLAS/OpenMP pool of this process held to ``n`` threads; yield ``n``.

    Examples
    --------
    >>> import numpy as np
    >>> with blas_threads(1):
    ...     float((np.ones((50, 50)) @ np.ones(50))[0])
    50.0
    """
    n = check_blas_threads(n, "blas_threads")
    with threadpool_limits(limits=n):
        yield n


def blas_info(n: int) -> dict[str, Any]:
    """What a report or checkpoint records about BLAS: the thread count ``n`` and the libraries loaded.

    Examples
    --------
    >>> blas_info(1)["threads"]
    1
    """
    libraries = [
        {key: lib.get(key) for key in ("user_api", "internal_api", "version", "threading_layer")}
        for lib in threadpool_info()
    ]
    return {"threads": int(n), "libraries": libraries}


def _die_with_parent(parent: int, n_threads: int) -> None:
    """Pool initializer: be killed when the parent dies (Linux), and hold BLAS to ``n_threads``."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)
    threadpool_limits(limits=n_threads)


@contextlib.contextmanager
def worker_pool(jobs: int, *, n_threads: int = DEFAULT_BLAS_THREADS) -> Iterator[ProcessPoolExecutor | None]:
    """``jobs`` spawned worker processes, BLAS at ``n_threads`` each; None for ``jobs = 0`` (in-process).

    The thread variables are set in this process's environment while the pool
    starts (the workers inherit them before they import numpy) and restored
    afterwards; each worker also applies ``threadpool_limits`` and, on Linux,
    ``PR_SET_PDEATHSIG`` so that it does not outlive this process.
    """
    jobs = check_jobs(jobs, "worker_pool")
    n_threads = check_blas_threads(n_threads, "worker_pool")
    if jobs == 0:
        yield None
        return
    saved = {k: os.environ.get(k) for k in _THREAD_VARS}
    os.environ.update({k: str(n_threads) for k in _THREAD_VARS})
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=_die_with_parent,
                                 initargs=(os.getpid(), n_threads)) as pool:
            yield pool
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def default_jobs() -> int:
    """Worker processes: one per CPU this process may use, at most 4."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(4, n))
