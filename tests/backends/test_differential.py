"""The vectorised backend decides exactly as the durable-rules reference, parcel for parcel."""

import datetime as dt
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from landrules.backends.vectorized import VectorizedBackend
from landrules.decide.evaluate import Evaluator
from landrules.core.values import columns_from_facts
from strategies import PARCELS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from synthetic import parcels as synthetic_parcels  # noqa: E402

AS_OF = dt.date(2021, 10, 1)


def vectorized_decisions(rulebook, rows, as_of):
    """Decisions from the vectorised masks alone, needs included (no IR evaluation per row), on
    the columns as of the date (`frame_as_of`, what `decide` does to a ledger chunk): they must
    equal the reference's decisions on each parcel's facts as of the date (`facts_as_of`)."""
    from landrules.decide.as_of import frame_as_of
    from landrules.ledger.validate.frame import ParsedFrame

    backend = VectorizedBackend(rulebook)
    evaluator = Evaluator(rulebook, backend)
    parsed = frame_as_of(ParsedFrame(n=len(rows), rows=list(range(len(rows))), columns=columns_from_facts(rows)), as_of)
    masks = backend.evaluate(parsed.columns, len(rows), as_of)
    ids = [r.id for r in rulebook.rules]
    out = []
    for i in range(len(rows)):
        from landrules.backends.base import Firing

        firing = Firing(frozenset(r for r in ids if masks.definite[r][i]), frozenset(r for r in ids if masks.maybe[r][i]))
        decision = evaluator.assemble(f"P{i}", None, firing, as_of, needs_by_rule=backend.needs_for_row(masks, i))
        decision.notes = list(parsed.notes.get(i, ())) + decision.notes  # the row's, then the rulebook's for the date
        out.append(decision)
    return out


def assert_same(rulebook, durable_evaluator, rows, as_of):
    reference = durable_evaluator.decide_many([(f"P{i}", r) for i, r in enumerate(rows)], as_of)
    vectorized = vectorized_decisions(rulebook, rows, as_of)
    for facts, a, b in zip(rows, reference, vectorized):
        assert a.to_dict() == b.to_dict(), facts


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(PARCELS, min_size=1, max_size=60), as_of=st.sampled_from([AS_OF, dt.date(2022, 1, 1), dt.date(2019, 6, 30)]))
def test_backends_agree_on_generated_parcels(rulebook, evaluator, rows, as_of):
    assert_same(rulebook, evaluator, rows, as_of)


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
