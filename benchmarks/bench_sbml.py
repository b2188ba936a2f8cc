"""Benchmark: SBML export and import of the compiled 784-40-10 network (issue 5, item 5).

Compiles a random 784-40-10 SmoothReLU(1) network (seed 0; about 64 000
reactions), then times

* ``write_sbml`` (the streaming writer) and ``read_sbml`` (the streaming reader),
  each the best of ``--repeat`` runs, and checks the round trip;
* for comparison, libSBML's own ``readSBMLFromFile`` of the same file;
* loading the file into libRoadRunner (``RoadRunner(path)``, which compiles the
  model), in a subprocess stopped after ``--roadrunner-timeout`` seconds.

Prints a markdown table and writes ``benchmarks/_out/sbml.json`` (``--out``). Targets:
export <= 10 s, import <= 20 s. Run with ``python benchmarks/bench_sbml.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rxnn.compile import compile_network
from rxnn.io.sbml import read_sbml, write_sbml
from rxnn.nn import FeedForwardNetwork, SmoothReLU

OUT = Path(__file__).parent / "_out" / "sbml.json"

_CHILD = """
import sys, time
t = time.perf_counter()
{body}
print(time.perf_counter() - t)
"""
_LIBSBML = (
    "import libsbml\nd = libsbml.SBMLReader().readSBMLFromFile(sys.argv[1])\n"
    "assert d.getModel().getNumReactions() > 0"
)
_ROADRUNNER = "import roadrunner\nrr = roadrunner.RoadRunner(sys.argv[1])"


def _best(func, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def _child(body: str, path: Path, timeout: float) -> dict:
    """Run ``body`` on ``path`` in a fresh interpreter; its time, or why there is none."""
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD.format(body=body), str(path)], capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "note": f"did not finish within {timeout:g} s"}
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        return {"seconds": None, "note": f"failed: {tail[0][:200]}"}
    return {"seconds": float(done.stdout.strip().splitlines()[-1]), "note": ""}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="784,40,10", help="layer sizes (default 784,40,10)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of write and read; the best is kept")
    parser.add_argument("--roadrunner-timeout", type=float, default=240.0, help="seconds before giving up")
    parser.add_argument("--libsbml-timeout", type=float, default=240.0, help="seconds before giving up")
    parser.add_argument("--skip-external", action="store_true", help="skip libSBML and libRoadRunner")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write the JSON (default {OUT})")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    ffn = FeedForwardNetwork.random(sizes, SmoothReLU(1.0), seed=0)
    compiled = compile_network(ffn)
    net = compiled.network
    initial = compiled.initial_state(np.random.default_rng(0).uniform(0.0, 1.0, sizes[0]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "net.xml"
        t_write, _ = _best(lambda: write_sbml(net, path, initial), args.repeat)
        t_read, (back, back_initial) = _best(lambda: read_sbml(path), args.repeat)
        assert back == net and back_initial == initial, "round trip failed"
        size = path.stat().st_size
        external = {}
        if not args.skip_external:
            external["libSBML readSBMLFromFile"] = _child(_LIBSBML, path, args.libsbml_timeout)
            external["libRoadRunner load (RoadRunner(path))"] = _child(_ROADRUNNER, path, args.roadrunner_timeout)

    result = {
        "network": "-".join(map(str, sizes)),
        "species": net.n_species,
        "reactions": net.n_reactions,
        "file_bytes": size,
        "write_sbml_s": round(t_write, 3),
        "read_sbml_s": round(t_read, 3),
        "external": external,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    rows = [
        ("write_sbml (rxnn streaming writer)", f"{t_write:.2f} s", "<= 10 s"),
        ("read_sbml (rxnn streaming reader)", f"{t_read:.2f} s", "<= 20 s"),
    ]
    for name, r in external.items():
        rows.append((name, f"{r['seconds']:.2f} s" if r["seconds"] is not None else r["note"], "reference"))
    print(f"SBML export/import, compiled {result['network']} network: {net.n_species} species, "
          f"{net.n_reactions} reactions, {size / 1e6:.1f} MB\n")
    print("| step | time | target |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
