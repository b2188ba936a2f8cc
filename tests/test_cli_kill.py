"""Killed runs leave nothing behind: no worker processes, no resource tracker, no stale temporary files.

Each test really kills a process with SIGKILL (which no handler can catch) and
then looks at /proc: the workers of ``rxnn reproduce --workers 2`` must die with
their parent (``PR_SET_PDEATHSIG``), multiprocessing's resource tracker must
exit once its pipe closes, and the ``.tmp`` file of a killed writer must be
swept by the next write to the same target.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from rxnn._files import atomic_output

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"

def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _session_members(sid: int) -> set[int]:
    """Live (not zombie) processes of session ``sid``."""
    members = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, session = fields[0], int(fields[3])
        if session == sid and state not in ("Z", "X"):
            members.add(int(entry))
    return members


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _wait_for(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def test_sigkill_of_reproduce_leaves_no_workers_and_no_resource_tracker(tmp_path):
    assert (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists(), f"MNIST files expected in {SHARED_MNIST}"
    # its own session, so that every descendant (workers, resource tracker) can be found afterwards
    proc = subprocess.Popen(
        [sys.executable, "-m", "rxnn.cli", "reproduce", "--quick", "--workers", "2", "-q", "--data", str(SHARED_MNIST),
         "--out", str(tmp_path / "out")],
        env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    sid = proc.pid
    try:
        def workers_started() -> bool:
            others = _session_members(sid) - {proc.pid}
            return sum("multiprocessing" in _cmdline(p) and "resource_tracker" not in _cmdline(p) for p in others) >= 2

        assert _wait_for(workers_started, timeout=120), "the two training workers never started"
        children = _session_members(sid) - {proc.pid}
        assert any("resource_tracker" in _cmdline(p) for p in children), "expected a resource tracker to test"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        gone = _wait_for(lambda: not _session_members(sid), timeout=10)
        left = {p: _cmdline(p) for p in _session_members(sid)}
        assert gone, f"processes left running after SIGKILL of rxnn reproduce: {left}"
    finally:
        for pid in _session_members(sid):  # clean up whatever the assertion found, by pid
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_temporary_file_of_a_killed_writer_is_swept_by_the_next_write(tmp_path):
    target = tmp_path / "model.json"
    target.write_text("old")
    script = textwrap.dedent(
        f"""
        import sys, time
        from rxnn._files import atomic_output
        with atomic_output({str(target)!r}, "w") as f:
            f.write("half-written")
            f.flush()
            print("ready", flush=True)
            time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], env=_env(), stdout=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
    try:
        assert proc.stdout.readline().strip() == "ready"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stale = [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    assert len(stale) == 1 and stale[0].startswith(f".model.json.{proc.pid}.")  # what SIGKILL leaves
    assert target.read_text(encoding="utf-8") == "old"  # the target was never half-replaced
    with atomic_output(target, "w") as f:
        f.write("new")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p for p in os.listdir(tmp_path) if p.endswith(".tmp")] == []
