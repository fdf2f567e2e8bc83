"""`landrules check`: the scenarios as executable policy checks, with coverage (contract §2)."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import POLICY, ROOT, RULES
from conftest import RUNNER as runner
from landrules.bdd.registry import STEPS
from landrules.cli import app


def check(*args):
    return runner.invoke(app, ["check", *[str(a) for a in args]])


def write_feature(folder, text, name="case.feature"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def clauses_cited_by_rules(rulebook):
    return {(c.doc, c.clause) for r in rulebook.rules for c in r.cites}


@pytest.mark.slow
def test_check_passes_on_the_shipped_rulebook_from_outside_the_repository(tmp_path, rulebook):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "engine")}
    env.pop("LANDRULES_RULES", None), env.pop("LANDRULES_POLICY", None)
    done = subprocess.run(
        [sys.executable, "-m", "landrules", "check"], cwd=tmp_path, env=env,
        capture_output=True, text=True, encoding="utf-8", timeout=300,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    results = [line for line in out.splitlines() if line.startswith("[")]
    assert len(results) >= 40 and all(line.startswith("[通过] @") for line in results), out
    n_rules, n_clauses = len(rulebook.rules), len(clauses_cited_by_rules(rulebook))
    assert f"\nrules covered: {n_rules}/{n_rules}\n" in out
    assert f"\nclauses covered: {n_clauses}/{n_clauses}\n" in out
    assert "未覆盖的规则：无" in out and "未覆盖的条款：无" in out
    assert not list(tmp_path.iterdir()), "check must not leave files (e.g. .pytest_cache) behind"


def test_the_example_in_the_officers_guide_passes(tmp_path):
    guide = (ROOT / "docs" / "scenarios.zh.md").read_text(encoding="utf-8")
    example = re.search(r"```gherkin\n(# language: zh-CN\n.*?)```", guide, re.S).group(1)
    result = check(write_feature(tmp_path, example))
    assert result.exit_code == 0 and "[通过]" in result.output, result.output


def test_every_actionable_clause_of_the_plan_is_checked_by_a_scenario():
    """二、(三)2. to 二、(四) each appear in some scenario's citation steps."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "scenarios").glob("*.feature"))
    for clause in ("2.3.2.1#p1", "2.3.2.1#p2", "2.3.2.2", "2.3.3", "2.4"):
        assert re.search(rf"(引用|依据为) (平龙政办〔2021〕)?36号 {re.escape(clause)}\b", text), clause


@pytest.mark.slow  # `check` runs every shipped scenario
def test_check_runs_a_copied_scenarios_folder_against_a_given_rulebook(tmp_path, monkeypatch):
    (tmp_path / "mine").mkdir()
    shutil.copy(ROOT / "scenarios" / "闲置土地处置.feature", tmp_path / "mine")
    monkeypatch.chdir(tmp_path)
    result = check("mine", "--rules", RULES, "--policy", POLICY)
    assert result.exit_code == 0, result.output
    assert "[失败]" not in result.output and result.output.count("[通过]") >= 10
    assert "〔mine/闲置土地处置.feature:" in result.output


# The example parcel is found idle (idle_identified): under contract §5 Revised ("An idle finding
# comes first") the idle fee and recovery need the finding; idle by its dates alone it would be
# idle_suspected and the fee undecided. Its category then rests on 第二条 as a whole.
ENGLISH = """\
Feature: The step vocabulary in English
  Background:
    Given the evaluation date is 2021-10-01
    And an example "idle parcel":
      | field           | value      |
      | supplied_on     | 2018-01-15 |
      | agreed_start_on | 2019-06-30 |
      | idle_identified | yes        |
      | land_use        | commercial |

  @2.3.2.2
  Scenario: an enterprise left the land idle for over a year, less than two
    Given a parcel like the example "idle parcel", with:
      | idle_cause      | enterprise |
      | agreed_start_on | 2020-06-30 |
    When the parcel is decided
    Then the outcomes include "urge_start_within_deadline", "idle_fee"
    And the outcomes do not include "remove_obstacles"
    And the outcomes are "urge_start_within_deadline", "idle_fee"
    And the categories include "idle"
    And the categories do not include "low_efficiency"
    And the categories are "idle"
    And "idle_fee" cites 国土资源部令第53号 14
    And the decision cites 平龙政办〔2021〕36号 2.3.2.2
    And the category "idle" rests on 国土资源部令第53号 2
    And the deadline of "idle_fee" is 2022-12-31
    And "idle_fee" is not overdue
    And the responsible units of "idle_fee" are 国土资源局, 产业集聚区管委会
    And the responsible units of "idle_fee" include 国土资源局
    And the decision needs nothing
    And the amount of "idle_fee" is not known
    And the decision notes include "待补充土地价款"

  @53号令-14
  Scenario: the fee is a fifth of the land price
    Given a parcel like the example "idle parcel", with:
      | idle_cause      | enterprise |
      | agreed_start_on | 2020-06-30 |
      | land_price      | 650        |
    When the parcel is decided
    Then the amount of "idle_fee" is 130.00 万元
    And the decision has no notes

  @2.3.2.2
  Scenario: the cause is not known
    Given a parcel like the example "idle parcel"
    And the parcel's idle_cause is empty
    When the parcel is decided
    Then the decision needs "idle_cause"
    And the decision needs exactly "idle_cause", "recovery_agreed"
    And "needs_information" has no deadline

  @2.3.2.1#p1
  Scenario: approved land still unsupplied after the deadline
    Given the evaluation date is 2023-01-01
    And a parcel:
      | field                    | value      |
      | approved_on              | 2019-06-20 |
      | land_status_unchanged    | no         |
      | expropriation_infeasible | no         |
      | planned_industrial_ratio | 0.98       |
    When the parcel is decided
    Then "digest_unsupplied" is overdue
    And the notes include "按规划图层取"

  Scenario: a value the ledger does not know
    Given a parcel:
      | land_use | industrial |
    And the parcel's land_use is "woodland"
    When the parcel is decided
    Then there are no categories
    And the record errors include "land_use"

  Scenario: approved land supplied since last quarter is struck off
    Given previous quarter (evaluation date 2021-10-01) parcel:
      | field                    | value       |
      | parcel_id                | EN-1        |
      | location                 | 纬五路西段  |
      | approved_on              | 2019-06-20  |
      | land_use                 | residential |
      | land_status_unchanged    | no          |
      | expropriation_infeasible | no          |
    And this quarter (evaluation date 2022-01-01) parcel:
      | supplied_on     | 2021-12-01 |
      | supply_method   | transfer   |
      | agreed_start_on | 2022-06-01 |
    When the two quarters are compared
    Then the progress is "销号"
    And the reason it is struck off is "供地"

  Scenario: a parcel whose id changed is the same parcel
    Given previous quarter (evaluation date 2021-10-01) parcel:
      | parcel_id   | EN-2       |
      | location    | 纬五路西段 |
      | approved_on | 2019-06-20 |
    And this quarter (evaluation date 2022-01-01) parcel:
      | parcel_id | EN-2A |
    When the two quarters are compared
    Then the progress is "未变"
    And the note says "按批准文号、坐落、面积对应"

  Scenario: a parcel left out of this quarter's ledger
    Given previous quarter (evaluation date 2021-10-01) parcel:
      | parcel_id   | EN-3       |
      | approved_on | 2019-06-20 |
    And this quarter (evaluation date 2022-01-01) the ledger lacks the parcel
    When the two quarters are compared
    Then the progress is "移出"
"""


def test_every_step_works_in_english(tmp_path):
    result = check(write_feature(tmp_path, ENGLISH))
    assert result.exit_code == 0, result.output
    assert result.output.count("[通过]") == 8
    lines = [line.strip().split(" ", 1)[1] for line in ENGLISH.splitlines()
             if line.strip().split(" ")[0] in ("Given", "When", "Then", "And")]
    for form in STEPS:  # the feature above uses every English step
        assert any(re.fullmatch(form.en_pattern, line) for line in lines), form.en


def test_an_unknown_step_fails_and_lists_the_steps_that_exist(tmp_path):
    feature = """# language: zh-CN
功能: 写错的步骤
  场景: 一个不存在的步骤
    假如 评估日为 2021-10-01
    而且 一宗地块：
      | 批准日期 | 2019-06-20 |
    当 按规则库作出决定
    那么 结论大概是"消除开工障碍"
"""
    result = check(write_feature(tmp_path, feature))
    assert result.exit_code == 1
    out = result.output
    assert "[失败]" in out and "没有这样的步骤" in out and '结论大概是"消除开工障碍"' in out
    for form in STEPS:
        zh, en = form.lines()
        assert zh in out and en in out


def test_a_failed_expectation_names_the_step_and_the_actual_decision(tmp_path):
    feature = """# language: zh-CN
功能: 期望与实际不符
  @2.3.2.2
  场景: 政府原因闲置却期望征缴闲置费
    假如 评估日为 2021-10-01
    而且 一宗地块：
      | 供地日期     | 2018-01-15 |
      | 约定动工日期 | 2019-06-30 |
      | 已认定闲置   | 是         |
      | 闲置原因     | 政府原因   |
    当 按规则库作出决定
    那么 结论包括"征缴土地闲置费"
"""
    result = check(write_feature(tmp_path, feature))
    assert result.exit_code == 1
    out = result.output
    assert "[失败] @2.3.2.2  政府原因闲置却期望征缴闲置费" in out
    assert '失败的步骤：第 12 行：那么 结论包括"征缴土地闲置费"' in out  # one line more: 已认定闲置 (§5 Revised)
    assert "实际决定：类别 闲置；结论 消除开工障碍" in out


WRONG = [  # each is false for a parcel idle for a government cause, decided on 2021-10-01
    '结论包括"征缴土地闲置费"', '结论不包括"消除开工障碍"', '结论为"消除开工障碍"、"征缴土地闲置费"',
    '类别包括"低效"', '类别不包括"闲置"', '类别为"闲置"、"低效"', '没有类别',
    '"消除开工障碍"引用 53号令 14', '决定引用 36号 2.4', '类别"闲置"的依据为 53号令 2#p2',
    '"消除开工障碍"的完成时限为 2021-12-31', '"消除开工障碍"没有完成时限', '"消除开工障碍"已逾期',
    '"消除开工障碍"的责任单位为 国土资源局', '"消除开工障碍"的责任单位包括 财政局',
    '需补充"闲置原因"', '需补充的信息为"闲置原因"', '记录错误包括"土地用途"',
]


def test_every_expectation_step_fails_when_the_decision_differs(tmp_path):
    rows = "\n".join(f"      | 政府原因 | 2021-10-01 | {step.replace('|', '')} |" for step in WRONG)
    feature = f"""# language: zh-CN
功能: 每一种期望都会在不符时失败
  场景大纲: 错误的期望
    假如 评估日为 <评估日>
    而且 一宗地块：
      | 供地日期     | 2018-01-15 |
      | 约定动工日期 | 2019-06-30 |
      | 闲置原因     | <原因>     |
    当 按规则库作出决定
    那么 <期望>

    例子:
      | 原因     | 评估日     | 期望 |
{rows}
      | 政府原因 | 2023-01-01 | "消除开工障碍"未逾期 |
      |          | 2021-10-01 | 无需补充信息 |
"""
    result = check(write_feature(tmp_path, feature))
    assert result.exit_code == 1
    assert result.output.count("[失败]") == len(WRONG) + 2 and "[通过]" not in result.output, result.output
    assert "Traceback" not in result.output and "assert" not in result.output


def test_coverage_lists_what_no_scenario_reaches(tmp_path, rulebook):
    feature = """# language: zh-CN
功能: 只有一个场景
  @2.3.2.1#p1
  场景: 批而未供
    假如 评估日为 2021-10-01
    而且 一宗地块：
      | 批准日期               | 2019-06-20 |
      | 土地利用现状未改变     | 否         |
      | 确实无法征收或不再征收 | 否         |
    当 按规则库作出决定
    那么 结论为"有序消化批而未供土地"
"""
    result = check(write_feature(tmp_path, feature))
    assert result.exit_code == 0, result.output
    n_rules, n_clauses = len(rulebook.rules), len(clauses_cited_by_rules(rulebook))
    assert f"rules covered: 2/{n_rules}" in result.output
    assert f"clauses covered: 1/{n_clauses}" in result.output
    uncovered = re.search(r"未覆盖的规则：(.*)", result.output).group(1).split("、")
    assert "idle.shared_fault.compensated_recovery" in uncovered and "unsupplied.digest" not in uncovered
    assert "国土资源部令第53号 14" in re.search(r"未覆盖的条款：(.*)", result.output).group(1)


@pytest.mark.parametrize("step, message", [
    ('结论包括"收回"', "可以指多个处置措施"),
    ('结论包括"罚款"', "没有名为“罚款”的处置措施"),
    ('决定引用 36号 9.9', "没有条款 9.9"),
    ('类别包括"荒地"', "没有名为“荒地”的类别"),
])
def test_a_word_that_names_nothing_or_several_things_fails_the_scenario(tmp_path, step, message):
    feature = f"""# language: zh-CN
功能: 写错的名称
  场景: 名称写错
    假如 评估日为 2021-10-01
    而且 一宗地块：
      | 批准日期 | 2019-06-20 |
    当 按规则库作出决定
    那么 {step}
"""
    result = check(write_feature(tmp_path, feature))
    assert result.exit_code == 1 and message in result.output, result.output


@pytest.mark.slow  # `check` runs every other shipped scenario
def test_an_unreadable_feature_fails_but_the_others_still_run(tmp_path):
    write_feature(tmp_path, "# language: zh-CN\n功能: 坏\n  场景: 甲\n    假如 评估日为 2021-10-01\n  乱写一行\n", "bad.feature")
    write_feature(tmp_path, ENGLISH, "good.feature")
    result = check(tmp_path)
    assert result.exit_code == 1
    assert "场景文件无法读取" in result.output and "第 5 行" in result.output
    assert result.output.count("[通过]") == 8


def test_bad_invocations_exit_2(tmp_path, rulebook_copy):
    assert check(tmp_path / "missing").exit_code == 2
    assert check(tmp_path).exit_code == 2  # a folder without .feature files
    rules, policy = rulebook_copy
    (rules / "idle.yaml").write_text("rules: [", encoding="utf-8")
    result = check(write_feature(tmp_path / "s", ENGLISH), "--rules", rules, "--policy", policy)
    assert result.exit_code == 2
