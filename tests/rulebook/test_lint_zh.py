"""lint for officers (issue 13, item 2): Chinese by default, English on request; clause refs and
field names as officers write them; one mistake, one message; full-width punctuation named."""

from __future__ import annotations

import re

import pytest
from conftest import POLICY, RUNNER as runner
from landrules.cli import app
from landrules.rulebook.conditions import Atom
from landrules.rulebook.load import load_rulebook
from landrules.rulebook.policy import canonical_clause
from minibook import line_with, problems_of, write_book



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


# --------------------------------------------------------------------------- lint's analysis in Chinese

ENTERPRISE = "title: 企业原因\n"
FEE = "title: 企业原因满一年\n"


def test_a_rule_overriding_itself_is_said_in_chinese(tmp_path):
    rules, texts = write_book(tmp_path, [("idle.yaml", FEE, FEE + "    overrides: [idle.fee]\n")])
    (problem,) = problems_of(rules)
    assert problem.line == line_with(texts["idle.yaml"], "overrides: [idle.fee]")
    assert problem.message == "规则 idle.fee 的 `overrides` 写了它自己；删去这一项（`overrides` 只写被本规则排除的其他规则）"


def test_an_override_of_a_rule_that_does_not_exist_names_the_closest_rule(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", FEE, FEE + "    overrides: [idle.enterprize]\n")])
    (problem,) = problems_of(rules)
    assert problem.message == ("规则 idle.fee 的 `overrides` 写了 'idle.enterprize'，但没有这条规则；"
                               "是否想写 idle.enterprise？（写被排除规则 `- id:` 后的编号）")


def test_an_override_circle_is_said_in_chinese_with_the_circle(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", FEE, FEE + "    overrides: [idle.enterprise]\n"),
                                     ("idle.yaml", ENTERPRISE, ENTERPRISE + "    overrides: [idle.fee]\n")])
    (problem,) = problems_of(rules)
    assert problem.message == ("`overrides` 互相排除成环：idle.enterprise → idle.fee → idle.enterprise；"
                               "例外规则不能反过来被它所排除的规则排除，删去环上的一项")


def test_a_rule_that_can_never_apply_names_the_conditions_in_chinese(tmp_path):
    dated = "        - {field: agreed_start_on, op: le, as_of: -1y}\n"
    rules, texts = write_book(tmp_path, [("idle.yaml", dated, dated + "        - {field: agreed_start_on, op: absent}\n")])
    (problem,) = problems_of(rules)
    assert problem.line == line_with(texts["idle.yaml"], "op: absent}")
    assert problem.message == (
        "规则 idle.fee 永远不会适用：它对 agreed_start_on（约定动工日期） 的条件不可能同时满足："
        "agreed_start_on（约定动工日期） ≤ 评估日 -1y；agreed_start_on（约定动工日期） 未填写；改正相互矛盾的条件")


def test_a_condition_against_a_category_says_where_it_comes_from(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", "value: enterprise}\n    then: {outcome: urge",
                                      "value: enterprise}\n        - {field: supplied_on, op: absent}\n    then: {outcome: urge")])
    (problem,) = problems_of(rules)
    assert "supplied_on（供地日期） 已填写（来自类别 idle）；supplied_on（供地日期） 未填写（该类别的其他认定途径也都如此）" in problem.message


def test_two_disposals_of_one_kind_are_said_in_chinese_with_what_to_do(tmp_path):
    rules, texts = write_book(tmp_path, [("idle.yaml", "force_majeure, shared_fault]", "force_majeure, shared_fault, enterprise]")])
    (problem,) = problems_of(rules)
    assert problem.line == line_with(texts["idle.yaml"], "id: idle.enterprise")
    assert problem.message == (
        f"规则 idle.government（{rules / 'idle.yaml'}:2）和 idle.enterprise 可能同时适用于同一宗地"
        "（例如 idle_cause（闲置原因） = enterprise（企业原因） 时），给出处置类别 start（促进开工）的两种不同处置："
        "remove_obstacles（消除开工障碍） 和 urge_start_within_deadline（督促企业限期开工建设）；让两条规则的条件互斥，"
        "或者若一条是另一条的例外，在 idle.enterprise 上写 `overrides: [idle.government]`（或反过来）")


def test_a_gap_in_a_category_is_a_chinese_warning(tmp_path):
    rules, texts = write_book(tmp_path, [("idle.yaml", "force_majeure, shared_fault]", "force_majeure]")])
    (problem,) = problems_of(rules)
    assert problem.warning and problem.line == line_with(texts["idle.yaml"], "op: in")
    assert problem.message == (
        "类别 idle（闲置）有遗漏：idle_cause（闲置原因） = shared_fault（政企互有瑕疵） 没有任何规则处理（这类宗地会得到“无需处置”），"
        "按该字段分别处置的规则有 idle.government, idle.enterprise, idle.fee；补一条规则，或者若方案确未作规定，"
        "在 outcomes.yaml 类别 idle 下写 `unhandled: {idle_cause: [...]}`")


def test_an_outcome_without_kind_and_a_label_without_chinese(tmp_path):
    rules, _ = write_book(tmp_path, [("outcomes.yaml", "idle_fee: {label: 征缴土地闲置费, kind: fee}", "idle_fee: {label: 征缴土地闲置费}")])
    (problem,) = problems_of(rules)
    assert problem.message.startswith("处置措施 idle_fee（规则 idle.fee 得出）没有处置类别（kind）；在 outcomes.yaml 中写成 "
                                      "`idle_fee: {label: …, kind: …}`，kind 取以下之一：start（促进开工）, fee（征缴土地闲置费）")
    (tmp_path / "b").mkdir()
    rules, _ = write_book(tmp_path / "b", [("outcomes.yaml", "  fee: 征缴土地闲置费", "  fee: Fee")])
    (problem,) = problems_of(rules)
    assert problem.message == "处置类别 fee 的名称 'Fee' 没有中文；写成中文名称，如 征缴土地闲置费"


@pytest.mark.parametrize("edit, expected", [
    (("idle.yaml", "rules:", "rulez:"), "规则文件的最外层应是列表 `rules:`；第一行写 `rules:`，其下每条规则以 `- id:` 开头"),
    (("idle.yaml", "then: {outcome: idle_fee}", "then: {outcome: idle_fee, category: idle}"),
     "规则 idle.fee: `then` 中 category（类别）和 outcome（处置措施）须写且只写一项"),
    (("idle.yaml", "id: idle.fee", "id: idle.enterprise"), "规则编号 idle.enterprise 重复（第一次出现在 "),
    (("idle.yaml", "{field: agreed_start_on, op: le, as_of: -1y}", "{field: invested_ratio, op: lt, param: idle.from}"),
     "规则 idle.fee: invested_ratio（已投资额占比） 是数字，参数 idle.from 的取值却是日期（2012-07-01），二者不能比较"),
])
def test_the_loaders_messages_are_chinese(tmp_path, edit, expected):
    rules, _ = write_book(tmp_path, [edit])
    (problem,) = problems_of(rules)
    assert problem.message.startswith(expected)


def test_a_missing_rules_folder_is_said_in_chinese(tmp_path):
    output = runner.invoke(app, ["lint", "--rules", str(tmp_path / "无此文件夹"), "--policy", str(POLICY)]).output
    assert "找不到规则（rules）文件夹；核对路径，或用 `--rules 文件夹` 指定" in output


def test_the_catalogue_has_each_message_once_in_both_languages():
    from string import Formatter

    from landrules.rulebook import messages
    from landrules.rulebook.messages import lint as messages_lint
    from landrules.rulebook.messages import load as messages_load

    parts = (messages.CORE_MESSAGES, messages_load.LOAD_MESSAGES, messages_lint.LINT_MESSAGES)
    assert len(messages.CATALOGUE) == sum(len(p) for p in parts)  # no key in two parts

    def names(text):  # `hint_zh` and `hint_en` are one value, `type` and `type_zh` too
        return {n.removesuffix("_zh").removesuffix("_en") for _, n, _, _ in Formatter().parse(text) if n}

    for key, entry in messages.CATALOGUE.items():
        assert set(entry) == {"zh", "en"} and entry["zh"] and entry["en"], key
        assert any("\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" for c in entry["zh"]), key  # Chinese, or its punctuation
        # the Chinese says everything the English does, but pydantic's English and a rule id's regex,
        # which it says in its own words
        reworded = {"text"} if key.startswith("invalid.") else {"pattern"} if key == "not_in_form.id" else set()
        assert names(entry["en"]) - reworded <= names(entry["zh"]), key


TRIAGE = """
  - id: triage.x
    title: 核查
    cites: [平龙政办〔2021〕36号 2.3.1]
    when: {field: supplied_on, op: present}
    then: {outcome: needs_information, needs: [supplied_on]}
"""
DERIVED = "    then: {category: idle}\n"
DATED = "{field: agreed_start_on, op: le, as_of: -1y}"
ENGLISH = re.compile(r"\b(rule|rules|is|has|not|no|the|must|needs|cannot|unknown|expected|did you mean)\b ")


@pytest.mark.parametrize("edits", [
    [("idle.yaml", "title: 政府原因等\n", "title: 政府原因等\n    overrides: [idle.enterprise]\n")],
    [("idle.yaml", FEE, FEE + "    overrides: [category.idle]\n")],
    [("categories.yaml", DERIVED, DERIVED + TRIAGE)],
    [("categories.yaml", DERIVED, DERIVED + TRIAGE.replace("needs: [supplied_on]", "needs: [suplied_on], deadline: 2021-12-31"))],
    [("idle.yaml", "then: {outcome: idle_fee}", "then: {outcome: idle_fee, needs: [approved_on]}")],
    [("outcomes.yaml", "  idle: 闲置", "  idle: {label: 闲置, unhandled: {idle_cause: [enterprize], invested_ratio: [x]}}")],
    [("outcomes.yaml", "  idle: 闲置", "  idle: {label: 闲置, unhandled: {idle_cause: [企业原因]}}")],
    [("outcomes.yaml", "kind: fee}", "kind: fees}"), ("outcomes.yaml", "  invalid_record: 记录无效\n", "")],
    [("parameters.yaml", "{from: 2012-07-01, value: 0.25}", "{from: 2012-07-01, value: true}"),
     ("parameters.yaml", "{from: 2012-07-01, value: 2012-07-01}", "{from: 2012-07-01, value: 2012}")],
    [("idle.yaml", "cites: [国土资源部令第53号 14]", "cites: [国土资源部令第35号 14]"), ("idle.yaml", "title: 企业原因\n", "title: [企业原因]\n")],
    [("idle.yaml", DATED, "{field: idle_cause, op: lt, value: enterprise}")],
    [("idle.yaml", DATED, "{field: agreed_start_on, op: le, as_of: -1w}")],
    [("idle.yaml", DATED, "{field: idle_cause, op: eq, param: idle.from}")],
    [("idle.yaml", "id: idle.fee", "id: Idle Fee")],
    [("idle.yaml", "cites: [国土资源部令第53号 14]", "cites: []")],
    [("idle.yaml", "    then: {outcome: idle_fee}", "    then: {outcome: idle_fee}\n    title: again")],
])
def test_no_english_sentence_is_left_in_a_chinese_message(tmp_path, edits):
    problems = problems_of(write_book(tmp_path, edits)[0])
    assert problems
    for problem in problems:
        assert not ENGLISH.search(problem.message), problem.message
        assert any("\u4e00" <= c <= "\u9fff" for c in problem.message), problem.message
