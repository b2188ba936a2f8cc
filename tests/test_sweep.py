"""Sweeps (issue 17, item 1): the same results for any number of workers, after a killed worker, after a killed sweep.

The truth each test compares against is a second, independent run: the serial
in-process run (no dask) of the same tasks, or an uninterrupted run. Task
executions are counted from the file system (which files exist, and whether a
file from the first run was rewritten: inode and mtime), not from the sweep's
own bookkeeping alone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dask.distributed", reason="rxnn[distributed] is part of the test environment (constraints.txt)")

from rxnn.errors import InvalidArgumentError  # noqa: E402
from rxnn.experiments._sweep_store import SweepStoreError  # noqa: E402
from rxnn.experiments.sweep import Task, load_results, network_to_shared, run_sweep, task_grid  # noqa: E402
from rxnn.nn import FeedForwardNetwork, SmoothReLU  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"


def small_sweep():
    """3 images x 2 volumes x 2 seeds of exact SSA on a 4-3-2 network (about 0.1 s per task)."""
    net = FeedForwardNetwork.random([4, 3, 2], SmoothReLU(h=1.0), seed=0)
    x = np.random.default_rng(1).uniform(size=(3, 4))
    tasks = task_grid("ssa-accuracy", {"image": [0, 1, 2], "volume": [300.0, 1000.0], "seed": [0, 1]}, method="ssa")
    return tasks, network_to_shared(net) | {"inputs": x}


def test_task_seeds_depend_on_key_and_base_seed_only(tmp_path):
    tasks = [Task("normal-draws", {"n": 3, "sample": s}) for s in range(4)]
    forward = run_sweep(tasks, tmp_path / "a", seed=5, progress=False).values()
    backward = run_sweep(tasks[::-1], tmp_path / "b", seed=5, progress=False).values()
    other = run_sweep(tasks, tmp_path / "c", seed=6, progress=False).values()
    assert forward == backward
    assert all(forward[k]["draws"] != other[k]["draws"] for k in forward)
    # the seed is sha256 of the key, not Python's salted hash(): another interpreter with another
    # PYTHONHASHSEED draws the same numbers
    code = textwrap.dedent(f"""
        import json
        from rxnn.experiments.sweep import Task, run_sweep
        r = run_sweep([Task("normal-draws", {{"n": 3, "sample": 2}})], {str(tmp_path / 'd')!r}, seed=5, progress=False)
        print(json.dumps(r.records[0].values["draws"]))
    """)
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, encoding="utf-8", errors="replace", check=True).stdout
    assert json.loads(out) == forward[tasks[2].key]["draws"]


def test_embedded_local_cluster_equals_serial_run(tmp_path):
    tasks = [Task("normal-draws", {"n": 2, "sample": s}) for s in range(6)]
    serial = run_sweep(tasks, tmp_path / "serial", seed=3, progress=False)
    two = run_sweep(tasks, tmp_path / "two", seed=3, workers=2, progress=False)
    assert two.values() == serial.values()
    assert (two.n_executed, two.n_reused) == (6, 0)
    assert len(list((tmp_path / "two").glob("*.parquet"))) == 6


def test_killed_worker_loses_nothing_and_counts_nothing_twice(tmp_path):
    from dask.distributed import LocalCluster

    tasks, shared = small_sweep()
    serial = run_sweep(tasks, tmp_path / "serial", seed=11, shared=shared, progress=False)
    killed = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        def busy_workers():
            # Read from the in-process scheduler, not through a second Client: two sync clients in one
            # thread can leave the sweep's client waiting on an event of the other's loop (a RuntimeError
            # "bound to a different event loop", seen once in CI). The scheduler's thread may change the
            # dict while it is read: retry.
            for _ in range(100):
                try:
                    return {ws.address for ws in list(cluster.scheduler.workers.values()) if ws.processing}
                except RuntimeError:
                    continue
            return set()

        def kill_a_busy_worker(record):
            if killed:
                return
            busy = busy_workers()
            for nanny in cluster.workers.values():
                if nanny.worker_address in busy or not busy:
                    killed.append((nanny.process.pid, nanny.worker_address in busy))
                    os.kill(nanny.process.pid, signal.SIGKILL)
                    return

        two = run_sweep(tasks, tmp_path / "two", seed=11, shared=shared, scheduler=cluster.scheduler_address,
                        progress=False, on_result=kill_a_busy_worker)
    assert killed and killed[0][1], "the killed worker had a task in flight"
    assert two.values() == serial.values()
    assert two.n_executed == len(tasks)
    files = sorted((tmp_path / "two").glob("*.parquet"))
    assert len(files) == len(tasks)
    assert sorted(r.key for r in load_results(tmp_path / "two")) == sorted(t.key for t in tasks)


def test_killed_sweep_resumes_without_redoing_finished_tasks(tmp_path):
    out = tmp_path / "resumed"
    tasks = [Task("normal-draws", {"n": 2, "sample": s, "wait": 0.4}) for s in range(8)]
    code = textwrap.dedent(f"""
        from rxnn.experiments.sweep import Task, run_sweep
        tasks = [Task("normal-draws", {{"n": 2, "sample": s, "wait": 0.4}}) for s in range(8)]
        run_sweep(tasks, {str(out)!r}, seed=2, progress=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(SRC)})
    deadline = time.monotonic() + 120
    while len(list(out.glob("*.parquet"))) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*.parquet")}
    assert 3 <= len(before) < len(tasks), "the sweep was killed mid-run"

    resumed = run_sweep(tasks, out, seed=2, progress=False)
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*.parquet")}
    assert (resumed.n_reused, resumed.n_executed) == (len(before), len(tasks) - len(before))
    assert all(after[name] == stamp for name, stamp in before.items())  # finished tasks were not redone
    assert len(after) == len(tasks)
    fresh = run_sweep(tasks, tmp_path / "fresh", seed=2, progress=False)
    assert resumed.values() == fresh.values()


def test_results_folder_of_another_sweep_is_refused(tmp_path):
    tasks = [Task("normal-draws", {"n": 2})]
    run_sweep(tasks, tmp_path, seed=1, progress=False)
    with pytest.raises(SweepStoreError, match="holds a result of another sweep.*base_seed differs"):
        run_sweep(tasks, tmp_path, seed=2, progress=False)
    with pytest.raises(SweepStoreError, match="shared_hash differs"):
        run_sweep(tasks, tmp_path, seed=1, shared={"inputs": np.ones(2)}, progress=False)


def test_result_files_that_are_not_ours_are_refused_before_reading(tmp_path, monkeypatch):
    """A symlink or an oversized file in the results folder: one line naming it, nothing parsed."""
    import rxnn.experiments._sweep_store as store

    tasks = [Task("normal-draws", {"n": 2})]
    run_sweep(tasks, tmp_path, seed=1, progress=False)
    (path,) = tmp_path.glob("*.parquet")
    monkeypatch.setattr(store, "MAX_RESULT_BYTES", path.stat().st_size - 1)
    with pytest.raises(SweepStoreError, match="is not a sweep result .a regular file of at most"):
        load_results(tmp_path)
    monkeypatch.undo()
    target = tmp_path / "elsewhere.bin"
    path.rename(target)
    path.symlink_to(target)
    with pytest.raises(SweepStoreError, match="is not a sweep result"):
        load_results(tmp_path)


def test_bad_tasks_are_refused_by_name(tmp_path):
    with pytest.raises(InvalidArgumentError, match="unknown sweep task kind 'os.system'; the kinds are normal-draws"):
        Task("os.system", {})
    with pytest.raises(InvalidArgumentError, match="must be JSON data"):
        Task("normal-draws", {"n": object()})
    with pytest.raises(InvalidArgumentError, match="is given twice"):
        run_sweep([Task("normal-draws"), Task("normal-draws")], tmp_path, progress=False)
    with pytest.raises(InvalidArgumentError, match="wait of the normal-draws task must be between 0 and 10"):
        run_sweep([Task("normal-draws", {"wait": 60})], tmp_path, progress=False)
    assert not list(tmp_path.glob("*.parquet"))


def test_stochastic_accuracy_sweep_agrees_with_stochastic_accuracy(tmp_path):
    # the same experiment by two routes (a sweep of one-trajectory tasks, and one call with n_repeats):
    # different seeds, so the deterministic columns agree exactly and the stochastic ones statistically:
    # events per trajectory at V = 1000 number about 10^4-10^5 (relative SD about 1%), so 5% is wide
    from rxnn.experiments.sweep import stochastic_accuracy_sweep
    from rxnn.experiments.stochastic_accuracy import stochastic_accuracy

    net = FeedForwardNetwork.random([4, 3, 2], SmoothReLU(h=1.0), seed=0)
    x = np.random.default_rng(1).uniform(size=(3, 4))
    y = [0, 1, 0]
    swept = stochastic_accuracy_sweep(net, x, y, volumes=[1000.0], t_end=10.0, n_repeats=2, seed=3,
                                      results=tmp_path / "r", workers=1)
    direct = stochastic_accuracy(net, x, y, volumes=[1000.0], t_end=10.0, n_repeats=2, seed=3)
    (a,), (b,) = swept.rows, direct.rows
    assert (a.method, a.n_images, a.deterministic_accuracy) == (b.method, b.n_images, b.deterministic_accuracy)
    np.testing.assert_allclose(swept.deterministic_outputs, direct.deterministic_outputs, rtol=1e-9)
    assert a.n_events == pytest.approx(b.n_events, rel=0.05)
    assert a.output_spread == pytest.approx(b.output_spread, rel=0.25)
    assert a.agreement == b.agreement == 1.0
    assert swept.settings["sweep"]["tasks_run"] == 6


SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"  # as tests/test_experiments.py


def test_reproduce_training_on_a_dask_scheduler_equals_in_process(tmp_path):
    # rxnn reproduce --scheduler: the three training runs on a cluster's workers give the models and
    # histories of the in-process run, bit for bit (same seeds, one BLAS thread everywhere)
    from dask.distributed import LocalCluster

    from rxnn.experiments.reproduce import ReproduceSettings, _train_all
    from rxnn.io.model_file import load_model

    mnist = Path(os.environ.get("RXNN_TEST_MNIST", SHARED_MNIST))
    settings = ReproduceSettings(seeds=(1234,), iterations=3, n_test=50, snapshots=(), quick=True)
    serial = _train_all(settings, mnist, tmp_path / "serial", 0, False, 1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = _train_all(settings, mnist, tmp_path / "dask", 0, False, 1, cluster.scheduler_address)
    assert set(remote) == set(serial) == {"h1", "h0", "q3"}
    for key in serial:
        a, b = serial[key][1234], remote[key][1234]
        assert a["test_accuracy"] == b["test_accuracy"]
        np.testing.assert_array_equal(a["cost"], b["cost"])
        assert load_model(a["files"]["model"]) == load_model(b["files"]["model"])
        assert "dask" in b["files"]["model"]
