"""What the differential tests share: decisions from the vectorised masks alone, and the check
that they equal the durable-rules reference's, parcel for parcel."""

from landrules.backends.base import Firing
from landrules.backends.vectorized import VectorizedBackend
from landrules.core.values import columns_from_facts
from landrules.decide.as_of import frame_as_of
from landrules.decide.evaluate import Evaluator
from landrules.ledger.validate.frame import ParsedFrame


def vectorized_decisions(rulebook, rows, as_of):
    """Decisions from the vectorised masks alone, needs included (no IR evaluation per row), on
    the columns as of the date (`frame_as_of`, what `decide` does to a ledger chunk): they must
    equal the reference's decisions on each parcel's facts as of the date (`facts_as_of`)."""
    backend = VectorizedBackend(rulebook)
    evaluator = Evaluator(rulebook, backend)
    parsed = frame_as_of(ParsedFrame(n=len(rows), rows=list(range(len(rows))), columns=columns_from_facts(rows)), as_of)
    masks = backend.evaluate(parsed.columns, len(rows), as_of)
    ids = [r.id for r in rulebook.rules]
    out = []
    for i in range(len(rows)):
        firing = Firing(frozenset(r for r in ids if masks.definite[r][i]), frozenset(r for r in ids if masks.maybe[r][i]))
        decision = evaluator.assemble(f"P{i}", None, firing, as_of, needs_by_rule=backend.needs_for_row(masks, i),
                                      land_price=rows[i].get("land_price"))  # as decide/batch.py prices idle_fee
        decision.notes = list(parsed.notes.get(i, ())) + decision.notes  # the row's, then the rulebook's for the date
        out.append(decision)
    return out


def assert_same(rulebook, durable_evaluator, rows, as_of):
    reference = durable_evaluator.decide_many([(f"P{i}", r) for i, r in enumerate(rows)], as_of)
    vectorized = vectorized_decisions(rulebook, rows, as_of)
    for facts, a, b in zip(rows, reference, vectorized):
        assert a.to_dict() == b.to_dict(), facts
