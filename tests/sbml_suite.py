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

def case_tags(case: Path) -> set[str]:
    """The componentTags and testTags of a case (its ``NNNNN-model.m`` header): what the model really contains."""
    tags: set[str] = set()
    for line in (case / f"{case.name}-model.m").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("componentTags", "testTags"):
            tags |= {t.strip() for t in value.split(",") if t.strip()}
    return tags


def case_reactions(case: Path) -> dict[str, str]:
    """Reaction id -> its row (``S1 + S2 -> 2S2 | $law$``) in the case's description table.

    Older descriptions list the rows without ids, in the model's order: those are matched to the ids of the
    model file's ``<reaction>`` elements by position.
    """
    lines = (case / f"{case.name}-model.m").read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if "*Reaction*" in line), None)
    if start is None:
        return {}
    rows = []
    for line in lines[start + 1:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().rstrip("]").strip("|").split("|")]
        rows.append(cells)
        if line.rstrip().endswith("]"):
            break
    ids = re.findall(r"<reaction\b[^>]*\bid=\"([^\"]+)\"", _model_file(case).read_text(encoding="utf-8"))
    out = {}
    for i, cells in enumerate(rows):
        m = re.match(r"([A-Za-z_]\w*):\s*(.*)", cells[0])
        rid, rest = (m.group(1), m.group(2)) if m else (ids[i] if i < len(ids) else f"#{i}", cells[0])
        out[rid] = " | ".join([rest, *cells[1:]])
    return out


def _has(*names: str):
    return lambda tags, case, m: any(t == n or t.startswith(n) or n in t for t in tags for n in names)


def _symbol(tags, case, m):
    return {"time": "CSymbolTime", "delay": "CSymbolDelay", "rateOf": "CSymbolRateOf",
            "avogadro": "CSymbolAvogadro"}.get(m.group(1), "?") in tags


def _rule_on_state(tags, case, m):
    return "AssignmentRule" in tags and ("time" not in m.group(1).split(", ") or "CSymbolTime" in tags)


def _stoichiometry(tags, case, m):
    value = float(m.group(1))
    return not (value >= 0 and value == int(value)) and bool(tags & {
        "NonUnityStoichiometry", "AssignedConstantStoichiometry", "AssignedVariableStoichiometry", "StoichiometryMath"})


def _law_of_a_listed_reaction(tags, case, m):
    # The refused law belongs to a reaction the case's description lists, and the species the refusal names
    # (if any) is in that reaction's row: the message points at a real law of the case.
    row = case_reactions(case).get(m.group(1))
    if row is None:
        return False
    named = re.search(r"'([A-Za-z_]\w*)' has stoichiometry", m.group(0))
    return named is None or re.search(rf"(?<![A-Za-z_]){re.escape(named.group(1))}(?!\w)", row) is not None


def _reaction_rate_in_math(tags, case, m):
    # A reaction of the description, or (comp models, flattened as sub1__J0) a reaction element of the file.
    ids = re.findall(r"<reaction\b[^>]*\bid=\"([^\"]+)\"", _model_file(case).read_text(encoding="utf-8"))
    return m.group(1) in case_reactions(case) or m.group(1).split("__")[-1] in ids


#: What a refusal may name, and how each is confirmed independently of rxnn: from the case's tags, its
#: description table, or the value the message quotes. Each entry: (feature, pattern of one problem line,
#: confirm(tags, case, match), whether the feature is "not mass action" in the issue's sense).
FEATURES = (
    ("event", r"\bevents?\b", _has("Event"), True),
    ("rate rule", r"rate rule for", _has("RateRule"), True),
    ("algebraic rule", r"algebraic rule", _has("AlgebraicRule"), True),
    ("csymbol time/delay/rateOf/avogadro", r"the symbol '(time|delay|rateOf|avogadro)'", _symbol, True),
    ("assignment rule on the state or time", r"assignment rule for '[^']+' \(line \d+\) depends on (.+?), which",
     _rule_on_state, True),
    ("fast reaction", r"is fast \(", _has("FastReaction"), True),
    ("conversion factor", r"conversionFactor", _has("ConversionFactor"), True),
    ("no kinetic law / no math (fbc)", r"has no kinetic law|kinetic law has no <math>|malformed math: no <math>|"
     r"is not a <lambda>", _has("NoMathML", "fbc"), True),
    ("non-integer stoichiometry", r"the stoichiometry of '[^']+' \(line \d+\) is ([-+.\deE]+|nan|inf);",
     _stoichiometry, True),
    ("stoichiometry changing in time", r"stoichiometryMath of '[^']+' \(line \d+\) (depends on|is not a constant)",
     _has("AssignedVariableStoichiometry"), True),
    ("external model file", r"externalModelDefinition", _has("ExternalModelDefinition"), True),
    ("unsized compartment of concentrations", r"has no positive size|has no size|needs the size of compartment",
     _has("0D-Compartment"), True),
    ("law not mass action", r"^reaction '([^']+)' \(line \d+\): .*(mass action needs them equal|divides by a species|"
     r"is not a polynomial|<piecewise>|combines parameters without values|is not mass action|named rate constant)",
     _law_of_a_listed_reaction, True),
    ("reaction rate in math", r"'([^']+)'(?:, | is )the rate of a reaction; rxnn does not use reaction rates",
     _reaction_rate_in_math, False),
)


def problems(message: str) -> list[str]:
    """The problem lines of a refusal (one per offending element), or the message itself."""
    lines = [line.strip()[2:] for line in message.splitlines()[1:] if line.strip().startswith("- ")]
    return lines or [message]


def refusal_features(case: Path, message: str) -> tuple[list[str], list[str], list[str]]:
    """(confirmed non-mass-action features, confirmed other unsupported features, problem lines confirmed by none)."""
    tags = case_tags(case)
    confirmed, other, unconfirmed = [], [], []
    for line in problems(message):
        for feature, pattern, confirm, not_mass_action in FEATURES:
            m = re.search(pattern, line)
            if m and confirm(tags, case, m):
                (confirmed if not_mass_action else other).append(feature)
                break
        else:
            unconfirmed.append(line)
    return confirmed, other, unconfirmed


def names_feature(case: Path, message: str) -> bool:
    """Whether the refusal names a non-mass-action feature that the case really has (see :data:`FEATURES`)."""
    return bool(refusal_features(case, message)[0])


@dataclass
class Outcome:
    case: str
    status: str  # "pass", "mismatch", "refused", "crash"
    message: str = ""


def _settings(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
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


def run_semantic(case: Path) -> Outcome:
    from rxnn.crn.simulate import simulate
    from rxnn.errors import InvalidArgumentError
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
        result = simulate(model.network, model.initial, (float(times[0]), float(times[-1])), times,
                          rtol=1e-10, atol=1e-14, method="LSODA")
        worst = ""
        for j, var in enumerate(header[1:], start=1):
            got = model.trajectory(var, result, amount=var in amounts)
            want = data[:, j]
            with np.errstate(invalid="ignore"):
                bad = ~(np.abs(got - want) <= absolute + relative * np.abs(want)) & ~(got == want)
            bad &= ~(np.isnan(got) & np.isnan(want))
            if bad.any():
                i = int(np.argmax(bad))
                worst = f"{var} at t = {times[i]}: {got[i]!r}, expected {want[i]!r}"
                break
    except InvalidArgumentError as exc:
        return Outcome(name, "no output", str(exc))
    except Exception as exc:  # noqa: BLE001
        return Outcome(name, "crash", f"simulate: {type(exc).__name__}: {str(exc)[:200]}")
    return Outcome(name, "mismatch", worst) if worst else Outcome(name, "pass")


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
    refused = {"non-mass-action feature confirmed": 0, "other unsupported feature confirmed": 0, "unconfirmed": 0}
    per_feature: dict[str, int] = {}
    for o in outcomes:
        if o.status in ("mismatch", "crash", "no output"):
            print(f"  {o.case} {o.status}: {o.message[:300]}")
        if o.status != "refused":
            continue
        confirmed, other, unconfirmed = refusal_features(SUITE / "cases" / o.case, o.message)
        for f in dict.fromkeys(confirmed + other):
            per_feature[f] = per_feature.get(f, 0) + 1
        if confirmed:
            refused["non-mass-action feature confirmed"] += 1
        elif other:
            refused["other unsupported feature confirmed"] += 1
            print(f"  {o.case} refused for {', '.join(dict.fromkeys(other))}: {'; '.join(problems(o.message))[:300]}")
        else:
            refused["unconfirmed"] += 1
            print(f"  {o.case} refused, no named feature confirmed: {'; '.join(unconfirmed)[:300]}")
    print("refused:", refused)
    print("cases naming each confirmed feature:", dict(sorted(per_feature.items(), key=lambda kv: -kv[1])))
    if "--stochastic" in argv:
        repeats = int(argv[argv.index("--stochastic") + 1])
        for c in stochastic_cases():
            o = run_stochastic(c, repeats)
            if o.status != "refused" or "event" not in o.message:
                print(f"  DSMTS {o.case} {o.status}: {o.message[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
