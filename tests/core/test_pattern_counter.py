"""`PatternCounter.add` (a chunk's patterns at once) against `Summary.add_pattern` one by one: the
same tallies, made in the same order, with the same counts and the same areas to the last bit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.core.summary import PatternCounter, PatternFacts, Summary

codes = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=3).map(tuple)
facts = st.builds(PatternFacts, categories=codes, outcomes=codes, responsible=codes, months=codes,
                  overdue=st.booleans(), overdue_units=codes, needs=codes)
areas = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)


def _state(summary: Summary):
    dicts = {name: [(code, t.count, t.area_mu.hex()) for code, t in getattr(summary, name).items()]
             for name in ("by_category", "by_outcome", "by_responsible", "by_deadline_month",
                          "overdue_by_responsible", "needs_by_field")}
    return dicts, summary.overdue.count, summary.overdue.area_mu.hex()


@pytest.mark.slow  # a property test, 200 examples
@settings(max_examples=200, deadline=None)
@given(st.lists(facts, min_size=1, max_size=8),
       st.lists(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 5), areas), max_size=10), min_size=1, max_size=4))
def test_the_counter_adds_as_add_pattern_does(pool, chunks):
    one_by_one, at_once = Summary(), Summary()
    counter = PatternCounter(at_once)
    for chunk in chunks:
        patterns = [pool[j % len(pool)] for j, _, _ in chunk]  # the same objects again across chunks
        counts = np.array([c for _, c, _ in chunk], dtype=np.int64)
        sums = np.array([a for _, _, a in chunk], dtype=float)
        for pattern, count, area in zip(patterns, counts.tolist(), sums.tolist()):
            one_by_one.add_pattern(pattern, count, area)
        counter.add(patterns, counts, sums)
        assert _state(at_once) == _state(one_by_one)


def test_areas_are_summed_in_order_from_the_running_total():
    # 0.1 + 0.2 + 0.3 differs from 0.1 + (0.2 + 0.3) in the last bit: the order must be kept
    p = PatternFacts(categories=("x",))
    one_by_one, at_once = Summary(), Summary()
    counter = PatternCounter(at_once)
    one_by_one.add_pattern(p, 1, 0.1)
    counter.add([p], np.array([1]), np.array([0.1]))
    q = PatternFacts(categories=("x",), outcomes=("o",))
    for s in (0.2, 0.3):
        one_by_one.add_pattern(q, 1, s)
    counter.add([q, q], np.array([1, 1]), np.array([0.2, 0.3]))
    assert at_once.by_category["x"].area_mu == one_by_one.by_category["x"].area_mu == (0.1 + 0.2) + 0.3
