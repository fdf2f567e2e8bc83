"""lint for officers (issue 13, item 2): Chinese by default, English on request; clause refs and
field names as officers write them; one mistake, one message; full-width punctuation named."""

from __future__ import annotations


import pytest
from conftest import POLICY
from landrules.cli import app
from landrules.rulebook.conditions import Atom
from landrules.rulebook.load import load_rulebook
from landrules.rulebook.policy import canonical_clause
from minibook import line_with, problems_of, write_book
from typer.testing import CliRunner

runner = CliRunner()


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("LANDRULES_LANG", "zh")


@pytest.mark.parametrize("written, canonical", [
    ("第十二条", "12"), ("第十四条", "14"), ("第十四条（一）", "14.1"), ("第二条第二款", "2#p2"),
    ("二、(三)2.(2)", "2.3.2.2"), ("二、（三）2.（1）", "2.3.2.1"), ("二、(三) 2. (2)", "2.3.2.2"), ("二、(四)", "2.4"),
    ("第一百零三条", "103"), ("2.3.2.2", None), ("甲", None),
])
def test_clause_references_as_officers_write_them(written, canonical):
    assert canonical_clause(written) == canonical


def test_a_clause_written_the_chinese_way_is_accepted_and_cited_by_its_id(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", "cites: [国土资源部令第53号 14]", "cites: [国土资源部令第53号 第十四条]"),
                                     ("idle.yaml", "cites: [平龙政办〔2021〕36号 2.3.2.2]", "cites: [平龙政办〔2021〕36号 二、(三)2.(2)]")])
    assert problems_of(rules) == []
    book = load_rulebook(rules, POLICY)
    assert [c.clause for c in book.rules_by_id["idle.fee"].cites] == ["14"]
    assert [c.clause for c in book.rules_by_id["idle.government"].cites] == ["2.3.2.2"]


def test_a_clause_that_does_not_exist_gets_one_chinese_message_with_the_id_form(tmp_path):
    rules, texts = write_book(tmp_path, [("idle.yaml", "cites: [国土资源部令第53号 14]", "cites: [国土资源部令第53号 第四十一条]")])
    (problem,) = problems_of(rules)
    assert problem.line == line_with(texts["idle.yaml"], "第四十一条")
    assert "中没有条款 '第四十一条'" in problem.message and "条款编号写作 12" in problem.message


def test_a_chinese_field_name_in_a_rule_is_the_field(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", "{field: idle_cause, op: eq, value: enterprise}",
                                      "{field: 闲置原因, op: eq, value: 企业原因}")])
    assert problems_of(rules) == []
    rule = load_rulebook(rules, POLICY).rules_by_id["idle.enterprise"]
    assert rule.condition == Atom(field="idle_cause", op="eq", value="enterprise")


def test_an_unknown_field_is_said_in_chinese_with_the_closest_field(tmp_path):
    rules, texts = write_book(tmp_path, [("idle.yaml", "{field: idle_cause, op: eq, value: enterprise}",
                                          "{field: 闲置原由, op: eq, value: enterprise}")])
    (problem,) = problems_of(rules)
    assert "不认识的字段 '闲置原由'；是否想写 idle_cause（闲置原因）？" in problem.message


def test_a_date_typed_as_a_number_is_one_message_not_three(tmp_path):
    """`from: 20220101` used to add "unknown parameter …" for every rule that uses it."""
    rules, texts = write_book(tmp_path, [("parameters.yaml", "{from: 2012-07-01, value: 0.25}", "{from: 20120701, value: 0.25}")])
    (problem,) = problems_of(rules)
    assert problem.line == line_with(texts["parameters.yaml"], "20120701")
    assert "20120701 是数字，不是日期；日期写作 2021-12-31" in problem.message


@pytest.mark.parametrize("typed", ["then：{outcome: idle_fee}", "then： {outcome: idle_fee}"])
def test_full_width_punctuation_is_named_as_such_in_one_message(tmp_path, typed):
    rules, texts = write_book(tmp_path, [("idle.yaml", "    then: {outcome: idle_fee}", f"    {typed}")])
    (problem,) = problems_of(rules)
    assert problem.line == line_with(texts["idle.yaml"], typed)
    assert "全角标点冒号「：」" in problem.message and "`then: {outcome`" in problem.message
    assert "did you mean" not in problem.message and "是否想写 `outcome`" not in problem.message


def test_english_with_lang_en_or_the_environment(tmp_path, monkeypatch):
    rules, _ = write_book(tmp_path, [("idle.yaml", "{field: idle_cause, op: eq, value: enterprise}",
                                      "{field: idle_kause, op: eq, value: enterprise}")])
    args = ["lint", "--rules", str(rules), "--policy", str(POLICY)]
    assert "不认识的字段 'idle_kause'" in runner.invoke(app, args).output
    assert "unknown field 'idle_kause'; did you mean idle_cause（闲置原因）?" in runner.invoke(app, [*args, "--lang", "en"]).output
    monkeypatch.setenv("LANDRULES_LANG", "en")
    assert "unknown field 'idle_kause'" in runner.invoke(app, args).output
    assert runner.invoke(app, [*args, "--lang", "fr"]).exit_code == 2
