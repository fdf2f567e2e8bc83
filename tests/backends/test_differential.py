"""The vectorised backend decides exactly as the durable-rules reference, parcel for parcel."""

import datetime as dt

import pytest
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from engines_agree import assert_same
from landrules.backends.vectorized import VectorizedBackend
from landrules.decide.evaluate import Evaluator
from strategies import PARCELS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from synthetic import parcels as synthetic_parcels  # noqa: E402

AS_OF = dt.date(2021, 10, 1)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(PARCELS, min_size=1, max_size=60), as_of=st.sampled_from([AS_OF, dt.date(2022, 1, 1), dt.date(2019, 6, 30)]))
def test_backends_agree_on_generated_parcels(rulebook, evaluator, rows, as_of):
    assert_same(rulebook, evaluator, rows, as_of)


@pytest.mark.slow
def test_backends_agree_on_ten_thousand_synthetic_parcels(rulebook, evaluator):
    rows = [{k: v for k, v in p.items() if k != "parcel_id"} for p in synthetic_parcels(10_000)]
    assert_same(rulebook, evaluator, rows, AS_OF)
    # the sample covers every category and outcome, so the agreement is not vacuous
    codes = {o.code for d in evaluator.decide_many([(None, r) for r in rows[:3000]], AS_OF) for o in d.outcomes}
    # (the synthetic idle land is two full years past its start: recovered, no fee beside it, wave 3)
    assert {"regularise", "recover_without_compensation", "needs_information", "standard_land_breach", "no_action"} <= codes


def test_vectorized_backend_satisfies_the_backend_protocol(rulebook, evaluator):
    rows = [{k: v for k, v in p.items() if k != "parcel_id"} for p in synthetic_parcels(500, seed=3)]
    vector = Evaluator(rulebook, VectorizedBackend(rulebook))
    pairs = [(str(i), r) for i, r in enumerate(rows)]
    assert [d.to_dict() for d in vector.decide_many(pairs, AS_OF)] == [d.to_dict() for d in evaluator.decide_many(pairs, AS_OF)]
