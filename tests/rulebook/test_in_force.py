"""Documents, clauses, rules and parameters in force by date (contract §5 Revised, wave 3)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import POLICY
from landrules.backends.durable import DurableBackend
from landrules.backends.vectorized import VectorizedBackend
from landrules.decide.evaluate import Evaluator
from landrules.rulebook.load import load_rulebook
from landrules.rulebook.policy import InForce
from minibook import problems_of, write_book

PLAN, ORDER = "平龙政办〔2021〕36号", "国土资源部令第53号"


def test_documents_carry_their_dates(rulebook):
    windows = {d.doc: d.window for d in rulebook.policy.documents}
    assert windows[PLAN] == InForce(since=dt.date(2021, 6, 22))
    assert windows[ORDER] == InForce(since=dt.date(2012, 7, 1))
    assert [d.doc for d in rulebook.policy.not_in_force(dt.date(2021, 6, 21))] == [PLAN]
    assert rulebook.policy.not_in_force(dt.date(2021, 6, 22)) == []


def test_a_rule_applies_within_every_cited_clause(rulebook):
    fee = rulebook.rules_by_id["idle.enterprise.fee"]  # cites 53号令 14 and the plan's 2.3.2.2
    assert fee.window.since == dt.date(2021, 6, 22)
    category = rulebook.rules_by_id["category.idle.identified"]  # 53号令 only
    assert category.in_force_on(dt.date(2015, 1, 1)) and not category.in_force_on(dt.date(2012, 6, 30))
    ids = {r.id for r in rulebook.in_force_on(dt.date(2020, 1, 1))}
    assert "category.idle.not_started" in ids and "idle.enterprise.fee" not in ids


def test_notes_name_the_document_and_its_date(rulebook):
    assert rulebook.notes_on(dt.date(2021, 6, 22)) == []
    notes = rulebook.notes_on(dt.date(2012, 6, 30))
    assert any(ORDER in n and "2012-07-01" in n for n in notes)
    assert any(PLAN in n and "2021-06-22" in n for n in notes)


@pytest.mark.parametrize("backend", [DurableBackend, VectorizedBackend])
def test_no_outcome_rests_on_a_document_not_yet_in_force(rulebook, backend):
    evaluator = Evaluator(rulebook, backend(rulebook))
    facts = dict(approved_on=dt.date(2019, 6, 20), land_use="industrial", land_status_unchanged=False,
                 expropriation_infeasible=False)
    before = evaluator.decide("P", facts, dt.date(2021, 6, 21))
    assert before.categories == [] and before.outcome_codes == ["no_action"]
    assert any("2021-06-22" in n for n in before.notes)
    on = evaluator.decide("P", facts, dt.date(2021, 6, 22))
    assert on.categories == ["approved_unsupplied"] and on.outcome_codes == ["digest_unsupplied"]
    assert on.notes == []


RULE_FROM_2020 = """\
  - id: idle.fee
    title: 企业原因满一年
    in_force: {from: 2020-01-01}
    cites: [平龙政办〔2021〕36号 2.3.2.2]"""


def test_lint_reports_a_rule_in_force_while_its_clause_is_not(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", """\
  - id: idle.fee
    title: 企业原因满一年
    cites: [国土资源部令第53号 14]""", RULE_FROM_2020)])
    found = [p for p in problems_of(rules) if "idle.fee" in p.message]
    assert len(found) == 1 and found[0].warning
    assert "2020-01-01" in found[0].message and "2021-06-22" in found[0].message and "2.3.2.2" in found[0].message


def test_lint_is_quiet_for_a_rule_within_its_clause(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", """\
  - id: idle.fee
    title: 企业原因满一年
    cites: [国土资源部令第53号 14]""", """\
  - id: idle.fee
    title: 企业原因满一年
    in_force: {from: 2013-01-01, to: 2030-12-31}
    cites: [国土资源部令第53号 14]""")])
    assert not [p for p in problems_of(rules) if "idle.fee" in p.message]


def test_a_rule_ends_with_its_own_to(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", """\
  - id: idle.fee
    title: 企业原因满一年
    cites: [国土资源部令第53号 14]""", """\
  - id: idle.fee
    title: 企业原因满一年
    in_force: {to: 2019-12-31}
    cites: [国土资源部令第53号 14]""")])
    book = load_rulebook(rules, POLICY)
    facts = dict(supplied_on=dt.date(2015, 1, 1), idle_identified=True, idle_cause="enterprise",
                 agreed_start_on=dt.date(2016, 1, 1))
    for backend in (DurableBackend, VectorizedBackend):
        evaluator = Evaluator(book, backend(book))
        assert "idle_fee" in evaluator.decide("P", facts, dt.date(2019, 12, 31)).outcome_codes
        assert "idle_fee" not in evaluator.decide("P", facts, dt.date(2020, 1, 1)).outcome_codes


def test_in_force_to_before_from_is_refused(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", """\
  - id: idle.fee
    title: 企业原因满一年
    cites: [国土资源部令第53号 14]""", """\
  - id: idle.fee
    title: 企业原因满一年
    in_force: {from: 2020-01-01, to: 2019-01-01}
    cites: [国土资源部令第53号 14]""")])
    problems = problems_of(rules)
    assert any(not p.warning and "in_force" in p.message for p in problems)


def test_a_parameter_without_a_value_in_force_leaves_its_condition_undecided(tmp_path):
    """idle.max_invested_ratio takes effect on 2015-01-01 in this book: as of 2014 the condition on
    it is undecided on both engines (no category, no disposal, a note), never the later value."""
    rules, _ = write_book(tmp_path, [("parameters.yaml", "      - {from: 2012-07-01, value: 0.25}",
                                      "      - {from: 2015-01-01, value: 0.25}")])
    book = load_rulebook(rules, POLICY)
    facts = dict(supplied_on=dt.date(2010, 1, 1), invested_ratio=0.1, suspended_since=dt.date(2012, 1, 1),
                 idle_cause="enterprise")
    for backend in (DurableBackend, VectorizedBackend):
        evaluator = Evaluator(book, backend(book))
        early = evaluator.decide("P", facts, dt.date(2014, 6, 1))
        assert early.categories == [] and "urge_start_within_deadline" not in early.outcome_codes, backend
        assert "invested_ratio" not in early.needs  # the fact is there: the threshold is what is missing
        assert any("idle.max_invested_ratio" in n and "2015-01-01" in n for n in early.notes)
        later = evaluator.decide("P", facts, dt.date(2015, 1, 1))
        assert later.categories == ["idle"]  # the value in force from its day decides
        assert not any("idle.max_invested_ratio" in n for n in later.notes)
