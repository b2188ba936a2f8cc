"""``parse_initial`` (vectorised over the floats) against the per-value reference loop it replaced.

The oracle below is the previous implementation, value by value in mapping order; the vectorised one must
give the same arrays and, for bad input, the same error class and message (the first bad value in mapping
order), on random mappings mixing floats, ints, numpy scalars, batch arrays and bad values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rxnn import ReactionNetwork
from rxnn.crn.engine.initial import parse_initial
from rxnn.errors import InvalidArgumentError, LimitError, RxnnError

HUGE = 1e100


def reference(network, initial, func, dynamic, enzymatic):
    """The per-value loop (names are checked before, by the same check_species_names)."""
    batch, values = None, {}
    for name, v in initial.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError, OverflowError, RuntimeWarning):
            raise InvalidArgumentError(f"value {name}") from None
        if arr.ndim > 1 or (arr.ndim == 1 and arr.size == 0):
            raise InvalidArgumentError(f"shape {name}")
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            raise InvalidArgumentError(f"bad {name}")
        if arr.size and arr.max() > HUGE:
            raise LimitError(f"huge {name}")
        if arr.ndim == 1:
            if batch is not None and arr.shape[0] != batch:
                raise InvalidArgumentError(f"batch {name}")
            batch = arr.shape[0]
        values[name] = arr
    b = batch or 1

    def stack(names):
        out = np.zeros((b, len(names)))
        for j, s in enumerate(names):
            if s in values:
                out[:, j] = values[s]
        return out

    return stack(dynamic), stack(enzymatic), batch is not None


NET = ReactionNetwork.from_text("\n".join(f"E{i} + X{i} -> E{i} + 2X{i}\nX{i} -> 0" for i in range(30)))
GOOD = [1.5, 0.0, 2, np.float64(3.25), np.int64(4), [1.0, 2.0], np.array([0.5, 0.25]), np.array(7.0), True]
BAD = [-1.0, float("nan"), float("inf"), 1e200, [1.0, 2.0, 3.0], [[1.0]], [], "x", 10**400, [-1.0, 1.0]]


def _which(message: str) -> str:
    return message.split("initial[")[1].split("]")[0].strip("'") if "initial[" in message else message


@pytest.mark.parametrize("seed", range(40))
def test_vectorised_parse_matches_the_reference_loop(seed):
    rng = np.random.default_rng(seed)
    names = [s for s in NET.species if rng.random() < 0.7]
    rng.shuffle(names)
    initial = {}
    for s in names:
        pool = BAD if rng.random() < (0.04 if seed % 2 else 0.0) else GOOD
        initial[s] = pool[rng.integers(len(pool))]
    dyn, enz = NET.dynamic_species, NET.enzymatic_species
    try:
        expected = reference(NET, initial, "f", dyn, enz)
    except RxnnError as error:
        with pytest.raises(type(error)) as got:
            parse_initial(NET, initial, "f", dyn, enz)
        kind = str(error).split()[0]
        name = str(error).split()[1]
        message = str(got.value)
        assert f"initial[{name!r}]" in message or (kind == "batch" and f"for {name!r}" in message)
        return
    got = parse_initial(NET, initial, "f", dyn, enz)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    assert got[2] == expected[2]


def test_errors_name_the_first_bad_value_in_mapping_order():
    with pytest.raises(InvalidArgumentError, match=r"initial\['X1'\] of f must be a finite concentration >= 0; got -1.0"):
        parse_initial(NET, {"X0": 1.0, "X1": -1.0, "X2": float("nan")}, "f", NET.dynamic_species, NET.enzymatic_species)
    with pytest.raises(LimitError, match=r"initial\['X3'\] of f must be at most 1e\+100"):
        parse_initial(NET, {"X3": 1e101, "X4": [1.0, -2.0]}, "f", NET.dynamic_species, NET.enzymatic_species)
    with pytest.raises(InvalidArgumentError, match=r"batch lengths differ \(2 and 3 for 'E1'\)"):
        parse_initial(NET, {"X0": 1.0, "E0": [1.0, 2.0], "E1": [1.0, 2.0, 3.0]}, "f", NET.dynamic_species,
                      NET.enzymatic_species)


def test_species_outside_the_chosen_split_are_ignored_and_order_follows_it():
    x, e, batched = parse_initial(NET, {"X1": 2.0, "E0": [1.0, 3.0]}, "f", ("X1", "X0"), ("E0",))
    assert x.tolist() == [[2.0, 0.0], [2.0, 0.0]] and e.tolist() == [[1.0], [3.0]] and batched
