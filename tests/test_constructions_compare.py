"""``rxnn compare-constructions --quick``: one command writes the table, the JSON and the figure.

The claims checked are the two guarantees, measured in the run: the rate-independent
outputs do not move when every rate constant is perturbed (lognormal sigma = 1), while
Table 1's steady state does; Table 1 forgets a perturbed start, the rate-independent
network does not.
"""

import json

import pytest

from rxnn.cli import main

pytest.importorskip("sklearn")


def test_quick_run_writes_table_json_and_figure(tmp_path, capsys):
    assert main(["compare-constructions", "--out", str(tmp_path), "--quick"]) == 0
    printed = capsys.readouterr().out
    assert "Where each wins" in printed
    data = json.loads((tmp_path / "constructions.json").read_text())
    assert (tmp_path / "constructions.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "constructions.md").read_text().startswith("Settings: volume 20")
    rows = {r["key"]: r for r in data["rows"]}
    assert set(rows) == {"xor", "iris"}
    for row in rows.values():
        ri, t1 = row["rate_independent"], row["table1"]
        assert ri["molecularity"] == 2 and t1["molecularity"] == 3  # X' + W + X in Table 1
        assert ri["max_ode_minus_network"] < 1e-2  # t_end 300: 1/(k t) leaves about 3e-3 at a balanced node
        assert ri["rate_perturbation"]["1.0"]["max_relative_error"] < 1e-2
        assert t1["rate_perturbation"]["1.0"]["max_relative_error"] > 1e-2
        assert t1["start_perturbation"]["0.1"]["max_relative_error"] < 1e-6
        assert ri["start_perturbation"]["0.1"]["max_relative_error"] > 1e-2


def test_bad_output_folder_is_refused_before_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["compare-constructions", "--out", str(blocker / "sub"), "--quick"]) == 2


@pytest.mark.parametrize("flag, value", [("--volume", "0"), ("--volume", "nan"), ("--t-end", "-1")])
def test_bad_numbers_are_refused_by_name(tmp_path, capsys, flag, value):
    """Refused while parsing (the shared option types), exit status 2, the flag and the value named."""
    with pytest.raises(SystemExit) as exc:
        main(["compare-constructions", "--out", str(tmp_path), "--quick", flag, value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {flag}: must be a positive finite number; got {value}" in err
