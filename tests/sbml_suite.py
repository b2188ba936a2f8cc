"""Runner of the shared SBML Test Suite cases against rxnn's SBML reader and simulators.

Semantic cases (``cases/NNNNN``): the model is read with
:func:`rxnn.io.sbml.read_sbml_model`; a read model is simulated with
:func:`rxnn.crn.simulate.simulate` at the settings' times and every listed
variable (species as amounts or concentrations, parameters, compartments)
is compared with the expected results: a value v passes against e when
|v - e| <= absolute + relative * |e| (the suite's rule, README). A refused
model must name a feature that is not mass action.

Stochastic cases (``stochastic/NNNNN``, the DSMTS): a read model without
events is simulated with the exact SSA at volume 1 (species are counts) and
each time point's sample mean and variance are tested: Z = sqrt(N)(m - mu)/sigma
in (-3, 3) and Y = sqrt(N/2)(s^2/sigma^2 - 1) in (-5, 5), with N/2 replaced by
N/(kurtosis - 1) (sample kurtosis) where the counts are heavier-tailed than normal.

Run ``python tests/sbml_suite.py`` for the counts (``--stochastic N`` adds the
DSMTS with N repeats).
"""

from __future__ import annotations

import csv
import math
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SUITE = Path(__file__).resolve().parents[1].parent / "shared" / "sbml-test-suite"

#: Words of which a refusal must name one: features that are not mass-action reaction networks, or values
#: that make a law not mass action.
FEATURES = (
    "event", "rate rule", "algebraic rule", "delay", "the symbol 'time'", "change in time", "not a polynomial",
    "divides by a species", "mass action needs them equal", "is not a species, parameter",
    "requires the SBML package", "<piecewise>", "fast", "conversionFactor", "stoichiometr", "not an rxnn",
    "named rate constant", "no kinetic law", "rate constant is", "has no positive size", "has no size",
    "0-dimensional", "a rational", "multiplied by other factors", "combines parameters without values",
    "malformed math", "cannot be evaluated", "has no value", "no real value", "comp", "operator", "rateOf",
    "is not a valid", "not mass action", "is not arithmetic", "has the id", "not an SBML id", "the number",
    "lacks the attribute", "not a function definition", "is not a <lambda>", "nested", "csymbol", "is not defined",
)


@dataclass
class Outcome:
    case: str
    status: str  # "pass", "mismatch", "refused", "crash"
    message: str = ""


def _settings(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def _names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _model_file(case: Path) -> Path | None:
    files = sorted(case.glob("*-sbml-l*v*.xml"), key=lambda p: [int(x) for x in re.findall(r"l(\d)v(\d)", p.name)[0]])
    return files[-1] if files else None


def semantic_cases() -> list[Path]:
    return sorted(p for p in (SUITE / "cases").iterdir() if p.is_dir())


def stochastic_cases() -> list[Path]:
    return sorted(p for p in (SUITE / "stochastic").iterdir() if p.is_dir())


def _variable(model, name: str, result, as_amount: bool, n: int) -> np.ndarray:
    """The trajectory of an SBML id: a network species, or a constant (other species, parameter, compartment)."""
    rxnn_name = model.names.get(name)
    if rxnn_name is not None and rxnn_name in model.network.species:
        amount = np.asarray(result[rxnn_name], dtype=float) * model.unit
        return amount if as_amount else amount / model.volumes[name]
    if rxnn_name is not None:  # a species outside the network: constant
        value = model.values.get(name, 0.0)
        amount = value if name in model.amounts else value * model.volumes[name]
        return np.full(n, amount if as_amount else amount / model.volumes[name])
    if name in model.values:
        return np.full(n, model.values[name])
    raise LookupError(f"{name!r} is neither a species nor a value of the model (a reaction rate, which rxnn "
                      "does not report)")


def run_semantic(case: Path) -> Outcome:
    from rxnn.crn.simulate import simulate
    from rxnn.io.sbml import SBMLError, read_sbml_model

    name = case.name
    path = _model_file(case)
    settings = _settings(case / f"{name}-settings.txt")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = read_sbml_model(path)
    except SBMLError as exc:
        return Outcome(name, "refused", str(exc))
    except Exception as exc:  # noqa: BLE001 - the runner reports every crash as one
        return Outcome(name, "crash", f"read: {type(exc).__name__}: {exc}")
    with open(case / f"{name}-results.csv") as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]]
    data = np.array([[float(x) for x in r] for r in rows[1:] if r], dtype=float)
    times = data[:, 0]
    amounts = set(_names(settings.get("amount", "")))
    absolute = float(settings.get("absolute") or 0)
    relative = float(settings.get("relative") or 0)
    try:
        result = None
        if model.network.n_species:
            result = simulate(model.network, model.initial, (float(times[0]), float(times[-1])), times,
                              rtol=1e-10, atol=1e-14, method="LSODA")
        worst = ""
        for j, var in enumerate(header[1:], start=1):
            got = _variable(model, var, result, var in amounts, len(times))
            want = data[:, j]
            with np.errstate(invalid="ignore"):
                bad = ~(np.abs(got - want) <= absolute + relative * np.abs(want)) & ~(got == want)
            bad &= ~(np.isnan(got) & np.isnan(want))
            if bad.any():
                i = int(np.argmax(bad))
                worst = f"{var} at t = {times[i]}: {got[i]!r}, expected {want[i]!r}"
                break
    except LookupError as exc:
        return Outcome(name, "no output", str(exc))
    except Exception as exc:  # noqa: BLE001
        return Outcome(name, "crash", f"simulate: {type(exc).__name__}: {str(exc)[:200]}")
    return Outcome(name, "mismatch", worst) if worst else Outcome(name, "pass")


def names_feature(message: str) -> bool:
    return any(word in message for word in FEATURES)


def run_stochastic(case: Path, repeats: int, seed: int = 2021) -> Outcome:
    """Mean and variance tests of one DSMTS case with ``repeats`` SSA runs (status pass/mismatch/refused/crash)."""
    from rxnn.crn.stochastic import simulate_stochastic
    from rxnn.io.sbml import SBMLError, read_sbml_model

    name = case.name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = read_sbml_model(_model_file(case))
    except SBMLError as exc:
        return Outcome(name, "refused", str(exc))
    settings = _settings(case / f"{name}-settings.txt")
    with open(next(case.glob("*-results.csv"))) as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]]
    data = np.array([[float(x) for x in r] for r in rows[1:] if r], dtype=float)
    times = data[:, 0]
    if any(v != model.unit for v in model.volumes.values()):
        return Outcome(name, "crash", "species are not all in compartments of one size")
    # Counts n in size V: the network's variables are n / V, and rxnn's SSA at volume V has propensity c * prod
    # n!/(n - Y)! for the rate constant the reader gives (rxnn.io._sbml_build, rxnn.crn.stochastic).
    res = simulate_stochastic(model.network, model.initial, (float(times[0]), float(times[-1])), times,
                              volume=model.unit, seed=seed, n_repeats=repeats)
    failures, total = [], 0
    for var in _names(settings.get("variables", "")):
        mu, sd = data[:, header.index(f"{var}-mean")], data[:, header.index(f"{var}-sd")]
        if model.names[var] in model.network.species:
            counts = np.asarray(res.counts(model.names[var]), dtype=float).reshape(repeats, len(times))
        else:  # a species in no reaction keeps its count
            counts = np.full((repeats, len(times)), model.values.get(var, 0.0))
        m, s2 = counts.mean(axis=0), counts.var(axis=0, ddof=1)
        for i in range(len(times)):
            if sd[i] <= 0:
                continue
            total += 2
            z = math.sqrt(repeats) * (m[i] - mu[i]) / sd[i]
            # Var(s^2) = (kurtosis - 1) sigma^4 / N: 2 for normal counts (the DSMTS's Y), more for heavy tails
            # (00003 near extinction: sample kurtosis about 56 at t = 45); the sample kurtosis, never below normal's.
            dev = counts[:, i] - m[i]
            kurtosis = float(np.mean(dev**4)) / float(np.mean(dev**2)) ** 2 if s2[i] > 0 else 3.0
            y = math.sqrt(repeats / max(2.0, kurtosis - 1)) * (s2[i] / sd[i] ** 2 - 1)
            if not -3 < z < 3:
                failures.append(f"{var} mean at t = {times[i]}: Z = {z:.2f}")
            if not -5 < y < 5:
                failures.append(f"{var} variance at t = {times[i]}: Y = {y:.2f}")
    # The DSMTS expects a few points outside by chance; more than 2% of the tests is a failure.
    status = "pass" if len(failures) <= max(1, 0.02 * total) else "mismatch"
    return Outcome(name, status, f"{len(failures)} of {total} tests outside: " + "; ".join(failures[:4]))


def main(argv: list[str]) -> int:
    from tqdm import tqdm

    outcomes = [run_semantic(c) for c in tqdm(semantic_cases(), desc="semantic cases")]
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    print("semantic:", counts)
    for o in outcomes:
        if o.status in ("mismatch", "crash") or (o.status == "refused" and not names_feature(o.message)):
            print(f"  {o.case} {o.status}: {o.message[:300]}")
    if "--stochastic" in argv:
        repeats = int(argv[argv.index("--stochastic") + 1])
        for c in stochastic_cases():
            o = run_stochastic(c, repeats)
            if o.status != "refused" or "event" not in o.message:
                print(f"  DSMTS {o.case} {o.status}: {o.message[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
