"""The DNA-budget section of the reproduce report: counts from rxnn.dsd, rendered as a table."""

from rxnn import FeedForwardNetwork, SmoothReLU, compile_network
from rxnn.dsd import translate
from rxnn.dsd.resources import design_budget
from rxnn.experiments.report import dna_blocks
from rxnn.experiments.reproduce import dna_budget


def test_dna_budget_rows_are_the_designs_counts():
    net = FeedForwardNetwork.random([3, 2, 2], SmoothReLU(1.0), seed=0)
    facts = dna_budget(net)
    assert [row[0] for row in facts["rows"]] == ["soloveichik2010", "lakin2012"]
    column = {name: i for i, name in enumerate(facts["header"])}
    table1 = compile_network(net).network
    budget = design_budget(translate(table1, "soloveichik2010"))  # counts do not depend on concentrations
    row = facts["rows"][0]
    assert int(row[column["reactions"]].replace(",", "")) == table1.n_reactions
    for key in ("strands", "domains", "nucleotides", "gates", "fuels"):
        assert int(row[column[key]].replace(",", "")) == budget[key], key
    blocks = dna_blocks(facts)
    assert blocks[0] == ("h", 2, "DNA budget of the compiled network")
    assert blocks[-1][0] == "table" and blocks[-1][1] == facts["header"] and len(blocks[-1][2]) == 2
