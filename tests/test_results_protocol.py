"""One result protocol (issue 13 item 3) and notebook tables (issue 19): every kind of result, the same interface.

Values are checked against closed forms (x' = -k x, x' = 2e - x, x' = h - x^2),
against the result's own ``__getitem__`` (a second path to the same data),
and the notebook HTML is parsed back with :mod:`html.parser`.
"""

from __future__ import annotations

import dataclasses
import sys
import warnings
from html.parser import HTMLParser

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from rxnn import ReactionNetwork, simulate, steady_state  # noqa: E402
from rxnn._verify_result import LayerCheck, VerificationResult  # noqa: E402
from rxnn.crn import simulate_stochastic  # noqa: E402
from rxnn.crn.result_base import (  # noqa: E402
    ODECounters,
    Result,
    SteadyStateCounters,
    StochasticCounters,
    VerificationCounters,
)
from rxnn.crn.results import SimulationResult, SteadyStateResult  # noqa: E402

PRODUCTION = ReactionNetwork.from_text("E -> E + X ; 2\nX -> 0 ; 1")  # x' = 2 e - x, e enzymatic
TIMES = np.array([0.0, 0.5, 1.0, 2.0])


def _production(e: float, t: np.ndarray) -> np.ndarray:
    return 2 * e * (1 - np.exp(-t))  # x(0) = 0


class _Table(HTMLParser):
    """(th, td) pairs and the caption of the table a result renders."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, str] = {}
        self.caption = ""
        self._cell: str | None = None
        self._key = ""
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("th", "td", "caption"):
            self._cell, self._text = tag, ""

    def handle_data(self, data):
        if self._cell:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "th":
            self._key = self._text
        elif tag == "td":
            self.rows[self._key] = self._text
        elif tag == "caption":
            self.caption = self._text
        self._cell = None


def _parse(markup: str) -> _Table:
    table = _Table()
    table.feed(markup)
    return table


def _verification(final_errors: list[float]) -> VerificationResult:
    checks = [LayerCheck(f"start {k}", 1, err, 0.0, 1.0, 0.5, 10.0) for k, err in enumerate(final_errors)]
    return VerificationResult(checks, tol=1e-6, steady_tol=1e-6, bound=10.0, n_inputs=3)


@pytest.fixture(scope="module")
def results():
    return {
        "simulation": simulate(PRODUCTION, {"E": 1.5}, (0, 2), t_eval=TIMES),
        "steady": steady_state(PRODUCTION, {"E": 1.5}),
        "stochastic": simulate_stochastic(PRODUCTION, {"E": 1.5}, (0, 2), TIMES, volume=50, seed=3),
        "verification": _verification([1e-9, 1e-8]),
    }


COUNTERS = {"simulation": ODECounters, "steady": SteadyStateCounters, "stochastic": StochasticCounters,
            "verification": VerificationCounters}


# --------------------------------------------------------------------------- the shared fields
@pytest.mark.parametrize("kind", list(COUNTERS))
def test_every_result_has_the_protocol_fields(results, kind):
    res = results[kind]
    assert isinstance(res, Result)
    assert res.success is True and res.status == 0 and isinstance(res.message, str) and res.message
    assert isinstance(res.method, str) and res.method
    assert type(res.counters) is COUNTERS[kind]
    assert isinstance(res.species, tuple)
    # status is a field everywhere (not a property here and a field there)
    assert "status" in {f.name for f in dataclasses.fields(res)}


def test_counters_fit_the_method(results):
    sim, ss, st = results["simulation"], results["steady"], results["stochastic"]
    assert sim.counters == ODECounters(sim.nfev, sim.njev, sim.nlu) and sim.counters.nfev > 0
    assert ss.counters.iterations == ss.n_iterations and ss.counters.levels == ss.n_levels >= 1
    assert st.counters.events == int(st.n_events.sum()) > 0 and st.counters.trajectories == 1
    assert not hasattr(st, "nfev") and not hasattr(st.counters, "nfev")
    assert results["verification"].counters == VerificationCounters(inputs=3, starts=2, checks=2, failed=0)


def test_steady_state_status_is_derived_when_not_given_and_kept_when_given():
    kw = dict(species=("X",), values=np.zeros((1, 1)), batched=False, residual=np.zeros(1), message="m")
    assert SteadyStateResult(converged=np.array([False]), success=False, **kw).status == -1
    assert SteadyStateResult(converged=np.array([True]), success=True, **kw).status == 0
    assert SteadyStateResult(converged=np.array([False]), success=False, status=2, **kw).status == 2


# --------------------------------------------------------------------------- shapes, to_array, to_dict
def test_unbatched_results_have_no_batch_axis_anywhere(results):
    sim, ss = results["simulation"], results["steady"]
    assert not sim.batched and sim["X"].shape == (4,) and sim.to_array().shape == (4, 2)
    np.testing.assert_allclose(sim["X"], _production(1.5, TIMES), rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(sim.to_array()[:, sim.species.index("X")], sim["X"])
    assert isinstance(ss["X"], float) and ss.to_array().shape == (2,)
    assert ss["X"] == pytest.approx(3.0, rel=1e-10)
    st = results["stochastic"]
    assert st["X"].shape == (4,) and st.to_array().shape == (4, 2)


def test_batched_results_put_the_batch_first():
    e = np.array([1.0, 2.0, 4.0])
    sim = simulate(PRODUCTION, {"E": e}, (0, 2), t_eval=TIMES)
    assert sim["X"].shape == (3, 4) and sim.to_array().shape == (3, 4, 2)
    np.testing.assert_allclose(sim["X"], _production(e[:, None], TIMES), rtol=1e-6, atol=1e-9)
    ss = steady_state(PRODUCTION, {"E": e})
    assert ss["X"].shape == (3,) and ss.to_array().shape == (3, 2)
    np.testing.assert_allclose(ss["X"], 2 * e, rtol=1e-10)


def test_to_dict_and_the_deprecated_final_and_as_dict(results):
    sim, ss = results["simulation"], results["steady"]
    whole = sim.to_dict()
    np.testing.assert_array_equal(whole["X"], sim["X"])
    last = sim.to_dict(at=-1)
    assert last["X"] == pytest.approx(float(_production(1.5, TIMES[-1])), rel=1e-6) and last["E"] == 1.5
    with pytest.warns(DeprecationWarning, match=r"final\(\) is deprecated; use to_dict\(at=-1\)"):
        assert sim.final() == last
    assert ss.to_dict() == {"E": 1.5, "X": ss["X"]}
    with pytest.warns(DeprecationWarning, match=r"as_dict\(\) is deprecated; use to_dict\(\)"):
        assert ss.as_dict() == ss.to_dict()
    data = results["verification"].to_dict()
    assert data["passed"] is data["success"] is True and data["status"] == 0 and data["counters"]["checks"] == 2


# --------------------------------------------------------------------------- pandas
def test_to_dataframe_matches_the_arrays():
    e = np.array([1.0, 2.0])
    sim = simulate(PRODUCTION, {"E": e}, (0, 2), t_eval=TIMES)
    frame = sim.to_dataframe()
    assert list(frame.columns) == list(sim.species) and frame.index.names == ["member", "t"]
    np.testing.assert_array_equal(frame.to_numpy().reshape(2, 4, 2), sim.to_array())
    np.testing.assert_array_equal(frame.loc[1]["X"].to_numpy(), sim["X"][1])
    single = simulate(PRODUCTION, {"E": 1.5}, (0, 2), t_eval=TIMES).to_dataframe(species=["X"])
    assert single.index.name == "t" and list(single.index) == list(TIMES) and list(single.columns) == ["X"]
    ss = steady_state(PRODUCTION, {"E": e}).to_dataframe()
    np.testing.assert_allclose(ss["X"].to_numpy(), 2 * e, rtol=1e-10)
    rows = _verification([1e-9, 1.0]).to_dataframe()
    assert len(rows) == 2 and list(rows["final_error"]) == [1e-9, 1.0]


def test_to_dataframe_without_pandas_names_the_extra(monkeypatch, results):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'rxnn\[dataframe\]'"):
        results["simulation"].to_dataframe()


# --------------------------------------------------------------------------- plots
def test_plot_shows_the_species_that_change_on_a_compiled_network():
    from rxnn.compile import compile_network
    from rxnn.nn import FeedForwardNetwork, SmoothReLU

    compiled = compile_network(FeedForwardNetwork.random([3, 2, 1], SmoothReLU(1.0), seed=0))
    res = simulate(compiled.network, compiled.initial_state(np.array([0.2, 0.5, 0.9])), (0, 5), t_eval=np.linspace(0, 5, 21))
    ax = res.plot()
    labels = ax.get_legend_handles_labels()[1]
    # Inputs, weights and H are enzymatic (constant); the nodes move from their start at 1 to the forward pass.
    assert set(labels) == set(compiled.hidden_and_output_species) == set(res.changing())
    assert not set(labels) & set(compiled.network.enzymatic_species)
    bars = steady_state(compiled.network, compiled.initial_state(np.array([0.2, 0.5, 0.9]))).plot()
    assert [t.get_text() for t in bars.get_xticklabels()] == list(compiled.network.dynamic_species)
    matplotlib.pyplot.close("all")


# --------------------------------------------------------------------------- notebook tables
def test_html_table_of_a_simulation(results):
    sim = results["simulation"]
    table = _parse(sim._repr_html_())
    assert table.caption == "SimulationResult"
    assert table.rows["method"] == sim.method and table.rows["status"] == "0" and table.rows["success"] == "True"
    assert table.rows["message"] == sim.message and table.rows["counters.nfev"] == str(sim.nfev)
    assert float(table.rows["X(t=2)"]) == pytest.approx(float(_production(1.5, 2.0)), rel=1e-5)
    assert "E(t=2)" not in table.rows  # constant species are not shown


def test_html_tables_of_the_other_results(results):
    ss = _parse(results["steady"]._repr_html_())
    assert ss.caption == "SteadyStateResult" and ss.rows["method"] == "auto"
    assert float(ss.rows["X"]) == pytest.approx(3.0) and ss.rows["counters.levels"] == str(results["steady"].n_levels)
    st = _parse(results["stochastic"]._repr_html_())
    assert st.rows["method"] == "ssa" and st.rows["counters.events"] == str(int(results["stochastic"].n_events.sum()))
    failed = _verification([1e-9, 1.0])
    vr = _parse(failed._repr_html_())
    assert vr.caption == "VerificationResult" and vr.rows["success"] == "False" and vr.rows["status"] == "-1"
    assert vr.rows["message"].startswith("FAILED") and vr.rows["counters.failed"] == "1"
    assert "start 1" in vr.rows["failed (1)"] and failed.passed is False


def test_notebook_tables_escape_what_they_show():
    res = SimulationResult(t=np.array([0.0]), species=("X",), values=np.zeros((1, 1, 1)), batched=False,
                           success=False, status=-1, message="x_1 < 2 & 50% {done}", method="BDF")
    assert _parse(res._repr_html_()).rows["message"] == "x_1 < 2 & 50% {done}"
    latex = res._repr_latex_()
    assert latex.startswith(r"$\begin{array}{ll}") and latex.endswith(r"\end{array}$")
    assert r"\text{x\_1 < 2 \& 50\% \{done\}}" in latex and r"\text{method} & \text{BDF}" in latex


def test_latex_table_carries_the_same_rows(results):
    sim = results["simulation"]
    latex = sim._repr_latex_()
    for key, value in sim.summary():
        assert key.replace("_", r"\_") in latex


# --------------------------------------------------------------------------- verdict names
def test_verification_keeps_passed_and_indexes_by_start():
    ok, bad = _verification([1e-9]), _verification([1e-9, 1.0])
    assert ok.passed and ok.success and ok.status == 0
    assert not bad.passed and not bad.success and bad.status == -1
    assert bad["start 1"] == [bad.checks[1]]
    with pytest.raises(KeyError, match="'nope' is not a start of this verification"):
        bad["nope"]


def test_proofs_say_proved_and_the_old_names_warn():
    from rxnn.theory import analyze_structure, check_activation
    from rxnn.theory.certificates import ConvergenceCertificate

    check = check_activation("1 - x**2")  # the smoothed ReLU's node, h = 1: every hypothesis of Thm. 4.8 holds
    assert check.proved and check.status == "proved"
    with pytest.warns(DeprecationWarning, match="ActivationCheck.passes is deprecated; use ActivationCheck.proved"):
        assert check.passes is True
    refuted = check_activation("1 + x**2")  # no decay: refuted
    assert not refuted.proved and refuted.status == "refuted"
    report = analyze_structure(ReactionNetwork.from_text("H -> H + X\n2X -> X"), {"H": 1.0})
    assert report.proved and all(b.proved for b in report.blocks)
    with pytest.warns(DeprecationWarning, match="StructureReport.meets_theorem_4_8 is deprecated"):
        assert report.meets_theorem_4_8
    with pytest.warns(DeprecationWarning, match="BlockCheck.meets_hypotheses is deprecated"):
        assert report.blocks[0].meets_hypotheses
    cert = ConvergenceCertificate(tol=1e-3, scale=1.0, layers=(), predicted_time=2.0, observed_time=1.5)
    late = dataclasses.replace(cert, observed_time=3.0)
    assert cert.passed is True and late.passed is False
    assert dataclasses.replace(cert, observed_time=None).passed is None
    with pytest.warns(DeprecationWarning, match="ConvergenceCertificate.holds is deprecated"):
        assert cert.holds is True
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # the new names never warn
        assert check.proved and report.proved and cert.passed
