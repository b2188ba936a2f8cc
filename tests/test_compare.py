"""rxnn compare: the comparison table with the published figures (quick mode)."""

import json

import pytest

from rxnn.cli import main
from rxnn.errors import RxnnError
from rxnn.experiments.compare import PUBLISHED, TASKS, compare


def table1_counts(sizes):
    """Reactions and species of Table 1 with enzymes: per edge 2 (W+, W-), per node H, B+, B-, decay (§5.2)."""
    edges = sum(a * b for a, b in zip(sizes, sizes[1:]))
    nodes = sum(sizes[1:])
    return 2 * edges + 4 * nodes, sizes[0] + nodes + 1 + 2 * edges + 2 * nodes


@pytest.fixture(scope="module")
def table():
    return compare(["xor", "iris-2-5-1"], quick=True, n_stochastic=4, t_end=6.0)


def test_rows_count_reactions_as_table1_and_agree_with_the_closed_form(table):
    for row in table.rows:
        n = row.numbers
        assert row.status == "ok"
        assert (n["reactions_table1"], n["species_table1"]) == table1_counts(row.task.layer_sizes)
        assert n["species_absorbed"] <= sum(row.task.layer_sizes)  # inputs and nodes only (§5.1)
        assert n["max_ode_minus_closed_form"] < 1e-8  # Thm. 4.8: the steady state is the network's output
        assert n["accuracy_ode"] == n["accuracy_closed_form"]
        assert 0.0 <= n["accuracy_stochastic"] <= 1.0 and n["stochastic_events"] > 0
    assert table.rows[0].numbers["accuracy_closed_form"] == 1.0  # XOR's four corners learnt


def test_markdown_shows_the_runs_numbers_and_the_cited_figures(table):
    text = table.to_markdown()
    for row in table.rows:
        n = row.numbers
        assert f"| {n['reactions_table1']} / {n['species_table1']} |" in text
        assert f"{100 * n['accuracy_closed_form']:.1f}%" in text
    assert "Kang & Kim, J. Chem. Phys. 2025: architecture 2-5-1; reactions not stated" in text
    assert "V = 10" in text


def test_published_figures_are_those_of_the_issue():
    assert PUBLISHED["vasic-iris"].reactions == "42" and PUBLISHED["vasic-mnist"].reactions == "650"
    assert PUBLISHED["kang-kim-iris"].architecture == "2-5-1"
    assert PUBLISHED["kang-kim-digits"].architecture == "64-20-10"
    assert all(p.accuracy == "not stated" for p in PUBLISHED.values())
    assert TASKS["digits"].layer_sizes == (64, 20, 10) and TASKS["iris-2-5-1"].layer_sizes == (2, 5, 1)


def test_cli_writes_markdown_json_and_figure(tmp_path, capsys):
    assert main(["compare", "--quick", "--tasks", "xor", "--n-stochastic", "2", "--t-end", "4", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "compare.json").read_text(encoding="utf-8"))
    assert data["rows"][0]["key"] == "xor" and data["settings"]["volume"] == 10.0
    assert (tmp_path / "compare.png").read_bytes()[:4] == b"\x89PNG"
    assert "| XOR | 2-4-2 |" in (tmp_path / "compare.md").read_text(encoding="utf-8")


def test_missing_data_set_is_a_row_not_a_crash(monkeypatch):
    import dataclasses

    def missing():
        raise RxnnError("MNIST files not found")

    monkeypatch.setitem(TASKS, "mnist", dataclasses.replace(TASKS["mnist"], load=missing))
    table = compare(["mnist"], quick=True)
    assert table.rows[0].status == "skipped: MNIST files not found"
    assert "skipped: MNIST files not found" in table.to_markdown()


def test_bad_arguments():
    with pytest.raises(RxnnError, match="tasks of compare must be task keys among"):
        compare(["chess"])
    with pytest.raises(RxnnError, match="volume of compare must be a positive finite number"):
        compare(["xor"], volume=-1.0)
