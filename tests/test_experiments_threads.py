"""Every training step runs with the BLAS thread count asked for, whatever the environment (issue 12 item 6).

threadpoolctl reports the thread count of the BLAS libraries that are loaded;
the tests read it from inside the training loop (through its callback) and
from inside worker processes, and compare with the count requested.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from rxnn.experiments._workers import blas_info
from rxnn.experiments.chemistry_training import train_with_chemistry
from rxnn.experiments.training import ArrayDataset, TrainingConfig, train

ROOT = Path(__file__).resolve().parents[1]
SMALL = TrainingConfig(layer_sizes=(4, 6, 3), batch_size=16, iterations=5, eta=0.05, seed=7)


def blobs(n: int = 60) -> ArrayDataset:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, n)
    return ArrayDataset(np.eye(4)[labels] + 0.1 * rng.random((n, 4)), labels)


def blas_threads_now() -> set[int]:
    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


def recorder(seen: list[set[int]]):
    def callback(done: int, cost: float, correct: int) -> None:
        seen.append(blas_threads_now())

    return callback


def test_training_runs_with_the_requested_thread_count_and_restores_it():
    with threadpool_limits(limits=2):  # the environment says 2
        for n in (1, 2):
            seen: list[set[int]] = []
            train(SMALL, blobs(), callback=recorder(seen), blas_threads=n)
            assert seen and all(s == {n} for s in seen)
            seen = []
            train_with_chemistry(SMALL, blobs(), callback=recorder(seen), blas_threads=n)
            assert seen and all(s == {n} for s in seen)
        assert blas_threads_now() == {2}  # the caller's setting is back


def test_results_do_not_depend_on_the_environment_thread_setting():
    """At the §6 size (784-40-10, batches of 300, h = 0) the thread count changes the numbers; train fixes it."""
    import rxnn.experiments.training as training

    rng = np.random.default_rng(0)
    data = ArrayDataset(rng.random((600, 784)), rng.integers(0, 10, 600))
    config = TrainingConfig(h=0.0, iterations=10)
    bare, fixed = [], []
    for env_threads in (1, 2):
        with threadpool_limits(limits=env_threads):
            # the control: the same loop without train's own thread limit
            state = training._fresh_state(config, set(), env_threads)
            bare.append(training._loop(config, data, state, None, 100, set(), None))
            fixed.append(train(config, data))
    assert bare[0].network != bare[1].network  # the environment's thread count shows in the result ...
    assert fixed[0].network == fixed[1].network and np.array_equal(fixed[0].cost, fixed[1].cost)  # ... unless fixed


def test_worker_processes_use_the_requested_thread_count():
    """Run in a fresh interpreter (spawned workers must import the function they run) under a time limit."""
    script = (
        "from threadpoolctl import threadpool_info\n"
        "from rxnn.experiments._workers import worker_pool\n"
        "def threads():\n"
        "    return sorted({lib['num_threads'] for lib in threadpool_info() if lib['user_api'] == 'blas'})\n"
        "if __name__ == '__main__':\n"
        "    for n in (1, 2):\n"
        "        with worker_pool(1, n_threads=n) as pool:\n"
        "            print(n, pool.submit(threads).result(timeout=60))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), OPENBLAS_NUM_THREADS="2")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pool_threads.py"
        path.write_text(script)
        out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, encoding="utf-8", errors="replace", env=env, timeout=180)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["1 [1]", "2 [2]"]


def test_blas_info_names_the_libraries():
    info = blas_info(1)
    assert info["threads"] == 1 and any(lib["internal_api"] for lib in info["libraries"])
