"""lint: every check on a minimal failing rulebook, its passing twin, and the shipped rulebook."""

from __future__ import annotations

import re

import pytest
from conftest import POLICY, ROOT, RUNNER as runner
from landrules.cli import app
from landrules.rulebook.load import load_rulebook
from minibook import DISPOSALS, line_with, problems_of, write_book

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"


def test_minimal_rulebook_is_clean(tmp_path):
    rules, _ = write_book(tmp_path)
    assert problems_of(rules) == []
    assert runner.invoke(app, ["lint", "--rules", str(rules), "--policy", str(POLICY)]).exit_code == 0


# A triage rule for the minimal rulebook: idle land whose cause is not written asks for it.
ASK = """
  - id: idle.ask_cause
    title: 闲置原因未填写：先补充
    cites: [平龙政办〔2021〕36号 2.3.1]
    when:
      all:
        - category: idle
        - {field: idle_cause, op: absent}
    then: {outcome: needs_information, needs: [idle_cause]}
"""


def test_a_rule_may_conclude_needs_information_naming_its_fields(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", "    then: {outcome: idle_fee}\n", "    then: {outcome: idle_fee}\n" + ASK)])
    assert problems_of(rules) == []
    rule = load_rulebook(rules, POLICY).rules_by_id["idle.ask_cause"]
    assert rule.asks_for_information and rule.needs == ("idle_cause",)
    assert not rule.asks and rule.deadline is None  # it never asks in turn; needs_information has no deadline
    assert rule.responsible == ("国土资源局", "发改委", "统计局", "审计局", "产业集聚区管委会")  # from 2.3.1


def test_only_needs_information_may_be_concluded_among_the_built_in_codes(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", "then: {outcome: idle_fee}", "then: {outcome: no_action}")])
    assert any("unknown outcome code 'no_action'" in p.message for p in problems_of(rules))


# (case, file, old, new, message pattern, marker: a text on the line the problem must name)
CASES = [
    ("yaml syntax", "idle.yaml", "    title: 企业原因\n", "    title: [企业原因\n", "YAML syntax error", "title: [企业原因"),
    ("unknown key", "idle.yaml", "    title: 企业原因\n", "    titel: 企业原因\n", "unknown key `titel`; did you mean `title`?", "titel:"),
    ("unknown field", "idle.yaml", "{field: idle_cause, op: eq, value: enterprise}", "{field: idle_kause, op: eq, value: enterprise}",
     "unknown field 'idle_kause'; did you mean idle_cause（闲置原因）?", "idle_kause"),
    ("date compared to a number", "idle.yaml", "{field: agreed_start_on, op: le, as_of: -1y}", "{field: agreed_start_on, op: le, value: 20201001}",
     "20201001 does not fit agreed_start_on（约定动工日期）, which is date; write a date as 2018-12-31", "20201001"),
    ("order on an enumeration", "idle.yaml", "{field: idle_cause, op: eq, value: enterprise}", "{field: idle_cause, op: lt, value: enterprise}",
     "idle_cause（闲置原因） is enum; lt needs a number or a date", "op: lt"),
    ("date parameter on a number field", "categories.yaml", "param: idle.max_invested_ratio", "param: idle.from",
     "invested_ratio（已投资额占比） is a number but parameter idle.from holds dates", "param: idle.from"),
    ("value outside the vocabulary", "idle.yaml", "value: enterprise}", "value: 企业}",
     "'企业' is not a value of idle_cause（闲置原因）; one of government（政府原因）", "value: 企业}"),
    ("unknown clause", "idle.yaml", "cites: [国土资源部令第53号 14]", "cites: [国土资源部令第53号 41]",
     "document 国土资源部令第53号 has no clause '41'", "第53号 41"),
    ("unknown document", "idle.yaml", "cites: [国土资源部令第53号 14]", "cites: [国土资源部令第35号 14]",
     "no document '国土资源部令第35号' in policy/", "第35号 14"),
    ("unknown parameter", "categories.yaml", "param: idle.max_invested_ratio", "param: idle.max_investd_ratio",
     "unknown parameter 'idle.max_investd_ratio'; did you mean idle.max_invested_ratio?", "idle.max_investd_ratio"),
    ("unknown category", "idle.yaml", "        - category: idle\n", "        - category: idel\n",
     "unknown category 'idel'; did you mean idle?", "category: idel"),
    ("unknown outcome", "idle.yaml", "then: {outcome: idle_fee}", "then: {outcome: idle_fees}",
     "unknown outcome code 'idle_fees'; did you mean idle_fee?", "idle_fees"),
    ("duplicate rule id", "idle.yaml", "  - id: idle.fee", "  - id: idle.enterprise",
     "duplicate rule id idle.enterprise (first at", ("title: 企业原因满一年", -1)),
    ("rule without a citation", "idle.yaml", "cites: [国土资源部令第53号 14]", "cites: []", "rule idle.fee: cites: must not be empty", "cites: []"),
    ("outcome label not Chinese", "outcomes.yaml", "{label: 征缴土地闲置费, kind: fee}", "{label: Idle fee, kind: fee}",
     "outcome idle_fee: label 'Idle fee' has no Chinese", "Idle fee"),
    ("outcome without a label", "outcomes.yaml", "  invalid_record: 记录无效", "  invalid_record: ''", "outcome invalid_record has no Chinese label", "invalid_record"),
    ("outcome without a kind", "outcomes.yaml", "{label: 征缴土地闲置费, kind: fee}", "征缴土地闲置费",
     "outcome idle_fee (concluded by rule idle.fee) has no kind", "idle_fee:"),
    ("unknown kind", "outcomes.yaml", "{label: 征缴土地闲置费, kind: fee}", "{label: 征缴土地闲置费, kind: fees}",
     "outcome idle_fee: unknown kind 'fees'; did you mean fee?", "kind: fees"),
    ("deadline written as a number", "idle.yaml", "then: {outcome: idle_fee}", "then: {outcome: idle_fee, deadline: 20221231}",
     "then.deadline: 20221231 is a number, not a date; write dates as 2021-12-31", "20221231"),
    ("effective date written as a number", "parameters.yaml", "{from: 2012-07-01, value: 0.25}", "{from: 20120701, value: 0.25}",
     "parameter idle.max_invested_ratio: values.0.from: 20120701 is a number, not a date", "20120701"),
    ("parameter value against its unit", "parameters.yaml", "    unit: 比例", "    unit: 日期",
     "parameter idle.max_invested_ratio: unit is 日期 but value 0.25 is not a date (YYYY-MM-DD)", "value: 0.25"),
    ("parameter values of two kinds", "parameters.yaml", "      - {from: 2012-07-01, value: 0.25}\n",
     "      - {from: 2012-07-01, value: 0.25}\n      - {from: 2022-01-01, value: 2022-01-01}\n",
     "every value of a parameter is of one kind", "{from: 2022-01-01"),
    ("parameter values out of order", "parameters.yaml", "      - {from: 2012-07-01, value: 0.25}\n",
     "      - {from: 2012-07-01, value: 0.25}\n      - {from: 2010-01-01, value: 0.3}\n",
     "list the values by increasing `from` date, each date once", "{from: 2012-07-01, value: 0.25}"),
    ("numbers that cannot hold together", "idle.yaml", "        - {field: agreed_start_on, op: le, as_of: -1y}\n",
     "        - {field: agreed_start_on, op: le, as_of: -1y}\n        - {field: output_per_mu, op: lt, value: 5}\n"
     "        - {field: output_per_mu, op: gt, value: 10}\n",
     "rule idle.fee can never apply: its conditions on output_per_mu（亩均产出（万元/亩）） cannot all hold: "
     "output_per_mu（亩均产出（万元/亩）） < 5; output_per_mu（亩均产出（万元/亩）） > 10", "op: gt, value: 10"),
    ("two values of one field", "idle.yaml", "        - {field: idle_cause, op: eq, value: enterprise}\n    then: {outcome: urge",
     "        - {field: idle_cause, op: eq, value: enterprise}\n        - {field: idle_cause, op: eq, value: government}\n"
     "    then: {outcome: urge", "rule idle.enterprise can never apply: its conditions on idle_cause（闲置原因）", "value: government}"),
    ("absent against the category's present", "idle.yaml", "        - {field: idle_cause, op: eq, value: enterprise}\n    then: {outcome: urge",
     "        - {field: idle_cause, op: eq, value: enterprise}\n        - {field: supplied_on, op: absent}\n    then: {outcome: urge",
     "supplied_on（供地日期） 已填写 (from category idle); supplied_on（供地日期） 未填写", "op: absent"),
    ("dates relative to the evaluation date", "idle.yaml", "        - {field: agreed_start_on, op: le, as_of: -1y}\n",
     "        - {field: agreed_start_on, op: le, as_of: -2y}\n        - {field: agreed_start_on, op: gt, as_of: -1y}\n",
     "rule idle.fee can never apply: its conditions on agreed_start_on（约定动工日期）", "as_of: -1y"),
    ("conflicting disposals", "idle.yaml", "value: [government, petition_stability, force_majeure, shared_fault]",
     "value: [government, petition_stability, force_majeure, shared_fault, enterprise]",
     "rules idle.government (", "- id: idle.enterprise"),
    ("gap", "idle.yaml", "value: [government, petition_stability, force_majeure, shared_fault]",
     "value: [government, petition_stability, shared_fault]",
     "gap in category idle（闲置）: no rule handles idle_cause（闲置原因） = force_majeure（不可抗力）", "value: [government"),
    ("unhandled value that a rule handles", "outcomes.yaml", "  idle: 闲置", "  idle: {label: 闲置, unhandled: {idle_cause: [企业原因]}}",
     "category idle: idle_cause（闲置原因） = enterprise（企业原因） is listed as unhandled, but rule idle.enterprise handles it", "unhandled"),
    ("unhandled on a field that is not a vocabulary", "outcomes.yaml", "  idle: 闲置", "  idle: {label: 闲置, unhandled: {idle_causes: [enterprise]}}",
     "category idle: unhandled: 'idle_causes' is not a ledger field; did you mean idle_cause?", "unhandled"),
    ("override of a rule that does not exist", "idle.yaml", "    then: {outcome: idle_fee}", "    overrides: [idle.enterprize]\n    then: {outcome: idle_fee}",
     "rule idle.fee overrides 'idle.enterprize', but there is no such rule; did you mean idle.enterprise?", "overrides:"),
    ("override of a category rule", "idle.yaml", "    then: {outcome: idle_fee}", "    overrides: [category.idle]\n    then: {outcome: idle_fee}",
     "overrides are between disposal rules, and category.idle concludes a category", "overrides:"),
    ("override without effect", "idle.yaml", "    then: {outcome: idle_fee}", "    overrides: [idle.government]\n    then: {outcome: idle_fee}",
     "rule idle.fee overrides idle.government (", "overrides:"),
    ("override of itself", "idle.yaml", "    then: {outcome: idle_fee}", "    overrides: [idle.fee]\n    then: {outcome: idle_fee}",
     "rule idle.fee overrides itself", "overrides:"),
    # a rule that concludes needs_information itself (triage) names the fields to collect
    ("needs_information without needs", "idle.yaml", "    then: {outcome: idle_fee}\n",
     "    then: {outcome: idle_fee}\n" + ASK.replace(", needs: [idle_cause]}", "}"),
     "rule idle.ask_cause: outcome needs_information needs `needs: [...]`", "then: {outcome: needs_information}"),
    ("needs on a disposal", "idle.yaml", "then: {outcome: idle_fee}", "then: {outcome: idle_fee, needs: [agreed_start_on]}",
     "rule idle.fee: `needs` goes only with `outcome: needs_information`", "needs: [agreed_start_on]"),
    ("needs naming an unknown field", "idle.yaml", "    then: {outcome: idle_fee}\n",
     "    then: {outcome: idle_fee}\n" + ASK.replace("needs: [idle_cause]", "needs: [idle_kause]"),
     "rule idle.ask_cause: needs: unknown field 'idle_kause'; did you mean idle_cause（闲置原因）?", "idle_kause"),
    ("needs_information with a deadline", "idle.yaml", "    then: {outcome: idle_fee}\n",
     "    then: {outcome: idle_fee}\n" + ASK.replace("needs: [idle_cause]}", "needs: [idle_cause], deadline: 2021-09-30}"),
     "rule idle.ask_cause: needs_information has no deadline", "deadline: 2021-09-30"),
    ("a rule that asks, asking in turn", "idle.yaml", "    then: {outcome: idle_fee}\n",
     "    then: {outcome: idle_fee}\n" + ASK + "    ask_when_unknown: true\n",
     "rule idle.ask_cause: a rule that concludes needs_information does not ask in turn", "ask_when_unknown: true"),
    ("asking for a field the rule requires filled in", "idle.yaml", "    then: {outcome: idle_fee}\n",
     "    then: {outcome: idle_fee}\n" + ASK.replace("needs: [idle_cause]", "needs: [idle_cause, supplied_on]"),
     "rule idle.ask_cause asks for supplied_on（供地日期）, but it applies only when supplied_on（供地日期） is filled in",
     "needs: [idle_cause, supplied_on]"),
]


@pytest.mark.parametrize("case, file, old, new, pattern, marker", CASES, ids=[c[0] for c in CASES])
def test_each_check_names_file_line_and_culprit(tmp_path, case, file, old, new, pattern, marker):
    rules, texts = write_book(tmp_path, [(file, old, new)])
    problems = problems_of(rules)
    hits = [p for p in problems if pattern in p.message]
    assert hits, "\n".join(map(str, problems))
    expected = line_with(texts[file], marker)
    assert any(p.path == str(rules / file) for p in hits)
    lines = [p.line for p in hits if p.path == str(rules / file)]
    if case == "yaml syntax":
        assert any(expected <= line <= expected + 2 for line in lines), lines
    else:
        assert expected in lines, (lines, expected, "\n".join(map(str, problems)))
    # and the command says the same, exit 1 (for a warning: with --strict)
    result = runner.invoke(app, ["lint", "--strict", "--rules", str(rules), "--policy", str(POLICY)])
    assert result.exit_code == 1
    assert any(pattern in line and re.match(rf"{re.escape(str(rules / file))}:\d+: ", line) for line in result.stdout.splitlines())


WARNINGS = {"gap", "unhandled value that a rule handles", "override without effect"}


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in WARNINGS], ids=lambda c: c[0])
def test_warnings_do_not_stop_deciding(tmp_path, case):
    """A gap decides no_action and an idle override decides nothing: lint shows them, exit 0
    (1 with --strict), and decide goes on, repeating them on stderr."""
    _, file, old, new, pattern, _ = case
    rules, _ = write_book(tmp_path, [(file, old, new)])
    (warning,) = [p for p in problems_of(rules) if pattern in p.message]
    assert warning.warning and str(warning).startswith(f"{warning.path}:{warning.line}: warning: ")
    where = ["--rules", str(rules), "--policy", str(POLICY)]
    lint = runner.invoke(app, ["lint", *where])
    assert lint.exit_code == 0 and str(warning) in lint.stdout
    out = tmp_path / "out.jsonl"
    decide = runner.invoke(app, ["decide", str(SAMPLE), "--as-of", "2021-10-01", "-o", str(out), *where])
    assert decide.exit_code == 1 and out.exists()  # 1: the sample's two invalid rows
    assert str(warning) in decide.stderr


def test_conflict_names_both_rules_an_example_and_the_kind(tmp_path):
    rules, _ = write_book(tmp_path, [("idle.yaml", "force_majeure, shared_fault]", "force_majeure, shared_fault, enterprise]")])
    (problem,) = [p for p in problems_of(rules) if "can both apply" in p.message]
    assert "idle.government" in problem.message and "and idle.enterprise can both apply" in problem.message
    assert "e.g. when idle_cause（闲置原因） = enterprise（企业原因）" in problem.message
    assert "kind start（促进开工）" in problem.message and "overrides: [idle.government]" in problem.message


def test_conflict_is_resolved_by_an_override(tmp_path):
    rules, _ = write_book(tmp_path, [
        ("idle.yaml", "force_majeure, shared_fault]", "force_majeure, shared_fault, enterprise]"),
        ("idle.yaml", "    then: {outcome: urge_start_within_deadline}",
         "    overrides: [idle.government]\n    then: {outcome: urge_start_within_deadline}"),
    ])
    assert problems_of(rules) == []


def test_conflict_through_a_chain_of_overrides_is_resolved(tmp_path):
    """c overrides b, b overrides a: a and c do not conflict either."""
    extra = DISPOSALS + """
  - id: idle.enterprise.b
    title: 例外
    cites: [平龙政办〔2021〕36号 2.3.2.2]
    overrides: [idle.enterprise]
    when:
      all:
        - category: idle
        - {field: idle_cause, op: eq, value: enterprise}
        - {field: recovery_agreed, op: eq, value: true}
    then: {outcome: remove_obstacles}

  - id: idle.enterprise.c
    title: 例外的例外
    cites: [平龙政办〔2021〕36号 2.3.2.2]
    overrides: [idle.enterprise.b]
    when:
      all:
        - category: idle
        - {field: idle_cause, op: eq, value: enterprise}
        - {field: recovery_agreed, op: eq, value: true}
        - {field: operating_well, op: eq, value: true}
    then: {outcome: urge_start_within_deadline}
"""
    rules, _ = write_book(tmp_path, [("idle.yaml", DISPOSALS, extra)])
    assert problems_of(rules) == []


def test_outcomes_of_different_kinds_may_go_together(tmp_path):
    """urge (start) and idle_fee (fee) both apply to enterprise idle land: not a conflict."""
    rules, _ = write_book(tmp_path)
    book = load_rulebook(rules, POLICY)
    assert book.catalogue.kind("urge_start_within_deadline") != book.catalogue.kind("idle_fee")
    assert problems_of(rules) == []


def test_gap_is_accepted_when_listed_as_unhandled(tmp_path):
    rules, _ = write_book(tmp_path, [
        ("idle.yaml", "force_majeure, shared_fault]", "shared_fault]"),
        ("outcomes.yaml", "  idle: 闲置", "  idle:\n    label: 闲置\n    unhandled: {idle_cause: [不可抗力]}\n    note: 测试"),
    ])
    assert problems_of(rules) == []


def test_gap_needs_rules_that_dispatch(tmp_path):
    """One rule testing a vocabulary among several that do not is a condition, not a dispatch."""
    rules, _ = write_book(tmp_path, [
        ("idle.yaml", "{field: idle_cause, op: in, value: [government, petition_stability, force_majeure, shared_fault]}",
         "{field: agreed_start_on, op: present}"),
        ("idle.yaml", "        - {field: idle_cause, op: eq, value: enterprise}\n    then: {outcome: urge",
         "        - {field: agreed_start_on, op: absent}\n    then: {outcome: urge"),
    ])
    assert problems_of(rules) == []


def test_overrides_in_a_circle(tmp_path):
    rules, _ = write_book(tmp_path, [
        ("idle.yaml", "    then: {outcome: idle_fee}", "    overrides: [idle.enterprise]\n    then: {outcome: idle_fee}"),
        ("idle.yaml", "    then: {outcome: urge_start_within_deadline}", "    overrides: [idle.fee]\n    then: {outcome: urge_start_within_deadline}"),
    ])
    messages = [p.message for p in problems_of(rules)]
    assert any("overrides go round in a circle: " in m and "idle.enterprise" in m and "idle.fee" in m for m in messages), messages


def test_all_problems_are_reported_together(tmp_path):
    rules, _ = write_book(tmp_path, [
        ("idle.yaml", "value: enterprise}", "value: enterprize}"),
        ("categories.yaml", "param: idle.max_invested_ratio", "param: nope"),
        ("outcomes.yaml", "  invalid_record: 记录无效", "  invalid_record: ''"),
    ])
    messages = " | ".join(p.message for p in problems_of(rules))
    assert "enterprize" in messages and "'nope'" in messages and "invalid_record" in messages


# --------------------------------------------------------------------------- the shipped rulebook


def test_shipped_rulebook_is_lint_clean():
    result = runner.invoke(app, ["lint"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


def test_shipped_rulebook_declares_its_one_gap(rulebook):
    """二、(三)2.(1) is silent on commercial, residential and other land used before supplied."""
    assert rulebook.catalogue.unhandled("used_before_supplied") == {"land_use": ["commercial", "residential", "other"]}
    assert rulebook.catalogue.unhandled("idle") == {}  # every idle cause is handled


def test_shipped_enterprise_disposals_are_of_different_kinds(rulebook):
    kinds = {rulebook.catalogue.kind(c) for c in ("urge_start_within_deadline", "idle_fee", "recover_without_compensation")}
    assert len(kinds) == 3


BROKEN = [
    ("misspelt field", "idle.yaml", "{field: idle_cause, op: eq, value: enterprise}", "{field: idle_cuase, op: eq, value: enterprise}", "idle_cuase"),
    ("clause that does not exist", "idle.yaml", "cites: [平龙政办〔2021〕36号 2.3.2.2]", "cites: [平龙政办〔2021〕36号 2.3.2.7]", "2.3.2.7"),
    ("broken YAML line", "idle.yaml", "    then: {outcome: urge_start_within_deadline}", "    then: {outcome: urge_start_within_deadline", "YAML syntax error"),
]


@pytest.mark.parametrize("case, file, old, new, culprit", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_copies_fail_lint_and_every_deciding_command(rulebook_copy, tmp_path, case, file, old, new, culprit):
    rules, policy = rulebook_copy
    path = rules / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    edited = text[: text.index(old)].count("\n") + 1
    where = ["--rules", str(rules), "--policy", str(policy)]

    lint = runner.invoke(app, ["lint", *where])
    assert lint.exit_code == 1
    named = [line for line in lint.stdout.splitlines() if culprit in line]
    assert named and all(line.startswith(f"{path}:") for line in named), lint.stdout
    line = int(named[0].split(":")[1])
    assert edited - 6 <= line <= edited + 2, (line, edited)

    out = tmp_path / "out.jsonl"
    decide = runner.invoke(app, ["decide", str(SAMPLE), "-o", str(out), *where])
    assert decide.exit_code == 2 and not out.exists()
    assert named[0] in decide.stderr  # the same message
    explain = runner.invoke(app, ["explain", str(SAMPLE), "--parcel", "SL-019", *where])
    assert explain.exit_code == 2 and named[0] in explain.stderr


def test_decide_refuses_before_reading_the_ledger(rulebook_copy):
    """An invalid rulebook is reported even when the ledger does not exist: it is checked first."""
    rules, policy = rulebook_copy
    (rules / "idle.yaml").write_text(
        (rules / "idle.yaml").read_text(encoding="utf-8").replace("value: enterprise", "value: enterprize", 1), encoding="utf-8")
    result = runner.invoke(app, ["decide", "no-such-ledger.csv", "--rules", str(rules), "--policy", str(policy)])
    assert result.exit_code == 2 and "enterprize" in result.stderr and "无法读取台账" not in result.stderr
