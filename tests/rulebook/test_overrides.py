"""Overrides: an exception sets aside the general rule's outcome, in the assembly every backend
shares; the explain trace shows the general rule as overridden."""

from __future__ import annotations


import pytest
from conftest import POLICY
from landrules.backends.durable import DurableBackend
from landrules.backends.vectorized import VectorizedBackend
from landrules.decide.evaluate import Evaluator, apply_overrides
from landrules.decide.explain import explain
from landrules.core.values import columns_from_facts
from landrules.rulebook.load import load_rulebook
from minibook import ARTICLE_14, AS_OF, DISPOSALS, IDLE, write_book

@pytest.fixture
def book(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", DISPOSALS, ARTICLE_14)])
    return load_rulebook(rules, POLICY)


@pytest.fixture(params=["durable", "vectorized"])
def evaluator(request, book):
    backend = DurableBackend(book) if request.param == "durable" else VectorizedBackend(book)
    return Evaluator(book, backend)


def decide(evaluator, **facts):
    return evaluator.decide("T", dict(IDLE, **facts), AS_OF)


def test_the_exception_drops_the_general_outcome(evaluator):
    decision = decide(evaluator, idle_cause="government")
    assert decision.outcome_codes == ["remove_obstacles"]


def test_the_general_rule_stands_when_the_exception_does_not_hold(evaluator):
    assert decide(evaluator, idle_cause="enterprise").outcome_codes == ["idle_fee"]


def test_the_overridden_rule_asks_nothing_either(evaluator):
    """agreed_start_on unknown would make the general rule ask; the exception holds: no question."""
    facts = {k: v for k, v in IDLE.items() if k != "agreed_start_on"}
    decision = evaluator.decide("T", dict(facts, idle_cause="force_majeure"), AS_OF)
    assert decision.outcome_codes == ["remove_obstacles"] and decision.needs == []


def test_an_undecided_exception_leaves_the_general_rule_undecided(evaluator):
    """Cause unknown: whether the fee is due depends on it, so no fee, and the cause is asked for."""
    decision = decide(evaluator)
    assert "idle_fee" not in decision.outcome_codes
    asking = {o.rule: o.needs for o in decision.outcomes if o.code == "needs_information"}
    assert asking == {"idle.fee.general": ["idle_cause"], "idle.article8": ["idle_cause"]}
    assert decision.needs == ["idle_cause"]


def test_an_exception_that_never_asks_counts_as_not_holding(tmp_path):
    rules, _ = write_book(tmp_path, [
        ("idle.yaml", DISPOSALS, ARTICLE_14.replace("    overrides: [idle.fee.general]\n",
                                                       "    overrides: [idle.fee.general]\n    ask_when_unknown: false\n")),
    ])
    book = load_rulebook(rules, POLICY)
    decision = Evaluator(book, DurableBackend(book)).decide("T", IDLE, AS_OF)
    assert decision.outcome_codes == ["idle_fee"]


def test_vectorized_needs_path_agrees(book):
    """The vectorised assembly (needs computed column-wise) applies overrides the same way."""
    rows = [dict(IDLE, idle_cause=c) for c in ("government", "enterprise")] + [IDLE]
    backend = VectorizedBackend(book)
    evaluator = Evaluator(book, backend)
    masks = backend.evaluate(columns_from_facts(rows), len(rows), AS_OF)
    reference = Evaluator(book, DurableBackend(book)).decide_many([(str(i), r) for i, r in enumerate(rows)], AS_OF)
    firings = backend.fire(rows, AS_OF)
    for i, firing in enumerate(firings):
        vector = evaluator.assemble(str(i), None, firing, AS_OF, needs_by_rule=backend.needs_for_row(masks, i))
        assert vector.to_dict() == reference[i].to_dict()


def test_explain_shows_the_overridden_rule(book):
    backend = DurableBackend(book)
    facts = dict(IDLE, idle_cause="petition_stability")
    firing = backend.fire([facts], AS_OF)[0]
    assert "idle.fee.general" in firing.definite  # the backend fired it; the assembly set it aside
    trace = {t["rule"]: t for t in explain(book, facts, firing, AS_OF)}
    assert trace["idle.fee.general"]["status"] == "overridden"
    assert trace["idle.fee.general"]["overridden_by"] == ["idle.article8"]
    assert trace["idle.fee.general"]["result"] is True  # its own conditions hold
    assert trace["idle.article8"]["status"] == "fired" and trace["idle.article8"]["overrides"] == ["idle.fee.general"]
    pending = {t["rule"]: t for t in explain(book, IDLE, backend.fire([IDLE], AS_OF)[0], AS_OF)}
    assert pending["idle.fee.general"]["status"] == "undecided"
    assert pending["idle.fee.general"]["pending_exceptions"] == ["idle.article8"]


def test_apply_overrides_without_overrides_is_the_firing(rulebook):
    from landrules.backends.base import Firing

    firing = Firing(frozenset({"a"}), frozenset({"a", "b"}))
    effective = apply_overrides(rulebook, firing)
    assert (effective.definite, effective.maybe, dict(effective.overridden)) == (firing.definite, firing.maybe, {})


def test_lint_accepts_the_override_and_the_rulebook_records_it(book):
    assert book.rules_by_id["idle.article8"].overrides == ("idle.fee.general",)
    assert book.overridden_by == {"idle.fee.general": ("idle.article8",)}
