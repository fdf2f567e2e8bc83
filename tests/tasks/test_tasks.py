"""`landrules tasks`: the plan's own duties, their status file, overdue, outputs and exit codes."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from conftest import RUNNER as runner, invoke
from landrules.cli import app
from landrules.tasks import evaluate_tasks, plan_tasks
from landrules.tasks.duties import per_parcel_clauses

DOC = "平龙政办〔2021〕36号"
REGION_UNITS = ["国土资源局", "产业集聚区管委会", "发改委", "农村农业水利局", "文广局", "生态环境局", "应急管理局"]


def run(*args):
    return invoke("tasks", *args, columns=100)


def records(tmp_path, *args):
    out = tmp_path / "tasks.jsonl"
    result = run(*args, "-o", out)
    assert result.exit_code in (0, 1), result.output
    return result, [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def all_done(tmp_path, rulebook):
    path = tmp_path / "status.yaml"
    path.write_text("".join(f"{t.key}: {{status: 完成, on: 2021-08-01}}\n" for t in plan_tasks(rulebook, as_of=dt.date(2023, 6, 30))),
                    encoding="utf-8")
    return path


def test_the_tasks_are_the_plans_own_duties(rulebook):
    found = {(t.clause, t.deadline) for t in plan_tasks(rulebook) if t.duty is None}  # duties: test_plan_duties.py
    assert found == {
        ("2.1.1", dt.date(2021, 8, 31)), ("2.1.1", dt.date(2021, 12, 31)),  # 区域评估: framework, then 全面实施
        ("2.1.2", dt.date(2021, 12, 31)),  # 国土空间规划
        ("2.2.1", dt.date(2021, 9, 30)), ("2.2.2", dt.date(2021, 9, 30)),  # 标准地 indicators, 实施细则
        ("2.3.1", dt.date(2021, 9, 30)),  # 底数 and the 一宗一策 台账
        ("2.5", dt.date(2022, 12, 31)),  # 土地高效利用评价
    }
    # the clauses whose 完成时限 is each parcel's deadline are followed by `decide`, not here
    assert {(DOC, c) for c in ("2.3.2.1", "2.3.2.2", "2.3.3", "2.4")} <= per_parcel_clauses(rulebook)
    assert {t.clause for t in plan_tasks(rulebook, include_per_parcel=True)} >= {"2.3.2.1", "2.3.3", "2.4"}


def test_region_assessment_is_overdue_in_2022(tmp_path):
    result, tasks = records(tmp_path, "--as-of", "2022-01-01")
    assert result.exit_code == 1
    region = [t for t in tasks if t["clause"] == "2.1.1"]
    assert [t["deadline"] for t in region] == ["2021-08-31", "2021-12-31"]
    for t in region:
        assert t["doc"] == DOC and t["title"] == "加快推进区域评估"
        assert t["responsible"] == REGION_UNITS
        assert t["status"] == "未开始" and t["overdue"] is True
    assert set(tasks[0]) >= {"clause", "doc", "title", "responsible", "deadline", "status", "overdue"}


def test_the_table_groups_by_unit_and_marks_overdue():
    result = run("--as-of", "2022-01-01")
    assert result.exit_code == 1
    out = result.stdout
    for unit in REGION_UNITS + ["税务局", "统计局", "审计局"]:
        assert f"{unit}  任务" in out
    block = out.split("文广局  任务")[1].split("\n\n")[0]  # 文广局's duties are 2.1.1's two steps only
    assert "2.1.1#m1" in block and "2.1.1#m2" in block and "2.1.2" not in block
    assert block.count("已逾期") == 2
    # 6 clause tasks, 2.4's two duties (2021年实施), 3.1 and 4.1 (2021年6月底前), and the 4.3 tasks of 2021:
    # 3 quarters, 2 half-years, the year
    assert "逾期未完成 16 项" in result.stderr


def test_nothing_overdue_before_the_first_deadline(tmp_path):
    result, tasks = records(tmp_path, "--as-of", "2021-06-30")  # the deadline day itself is in time
    assert result.exit_code == 0
    assert not any(t["overdue"] for t in tasks)
    assert {t["key"] for t in tasks} >= {"3.1#launch", "4.1#leading_group", "4.3#quarterly_bulletin-2021Q2"}


def test_everything_done_exits_0(tmp_path, rulebook):
    result, tasks = records(tmp_path, "--as-of", "2023-06-30", "--status", all_done(tmp_path, rulebook))
    assert result.exit_code == 0
    assert {t["status"] for t in tasks} == {"完成"} and not any(t["overdue"] for t in tasks)


def test_a_status_for_the_clause_covers_its_milestones_and_one_for_a_milestone_wins(tmp_path):
    path = tmp_path / "status.yaml"
    path.write_text("2.1.1: {status: 进行中, on: 2021-09-01}\n2.1.1#m1: {status: 完成, on: 2021-08-20, note: 框架已印发}\n"
                    "2.2.1: 完成\n", encoding="utf-8")
    result, tasks = records(tmp_path, "--as-of", "2021-10-15", "--status", path)
    by_key = {t["key"]: t for t in tasks}
    assert by_key["2.1.1#m1"]["status"] == "完成" and by_key["2.1.1#m1"]["note"] == "框架已印发"
    assert by_key["2.1.1#m2"]["status"] == "进行中" and by_key["2.1.1#m2"]["on"] == "2021-09-01"
    assert by_key["2.1.1#m2"]["overdue"] is False  # due 2021-12-31
    assert by_key["2.2.1"]["status"] == "完成" and by_key["2.2.1"]["overdue"] is False
    assert by_key["2.2.2"]["status"] == "未开始" and by_key["2.2.2"]["overdue"] is True
    assert result.exit_code == 1


def test_completion_after_the_evaluation_date_has_not_happened_yet(rulebook):
    from landrules.tasks import StatusEntry

    tasks = [t for t in plan_tasks(rulebook) if t.clause == "2.2.2"]
    late = evaluate_tasks(tasks, {"2.2.2": StatusEntry(status="完成", on=dt.date(2022, 3, 1))}, dt.date(2022, 1, 1))[0]
    assert late.status == "进行中" and late.overdue and late.remarks
    done = evaluate_tasks(tasks, {"2.2.2": StatusEntry(status="完成", on=dt.date(2021, 10, 8))}, dt.date(2022, 1, 1))[0]
    assert done.status == "完成" and not done.overdue and done.late  # 逾期完成


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("2.1.2: 完成\n2.1.3: {status: 完成}\n", 2, "不认识的条款编号 '2.1.3'；是否想写 2.1.2？"),
        ("2.1.2: 完成\n2.2.1: {status: 已完成}\n", 2, "进度 '已完成' 不是 完成 / 进行中 / 未开始 之一；是否想写 完成？"),
        ("2.1.2:\n  status: 完成\n  on: 2021-13-01\n", 3, "'2021-13-01' is not a date"),
        ("2.1.2:\n  status: 完成\n  on: 2021年10月\n", 3, "2.1.2: on: '2021年10月' is not a date"),
        ("2.1.2: {status: 完成, date: 2021-10-01}\n", 1, "unknown key `date`"),
        ("3.2: 完成\n", 1, "本身没有责任单位和完成时限，不是一项任务"),
        ("2.1.1#m3: 完成\n", 1, "没有节点 '2.1.1#m3'（该条款的任务：2.1.1#m1, 2.1.1#m2）"),
        ("2.1.2: [完成]\n", 1, "应写作 {status"),
        ("2.1.2: {status: 完成\n", 2, "YAML syntax error"),
        ("- 2.1.2\n", 1, "进度文件应按条款编号写进度"),
    ],
)
def test_a_bad_status_file_is_refused_with_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "status.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "tasks.jsonl"
    result = run("--status", path, "--as-of", "2021-10-01", "-o", out)
    assert result.exit_code == 2
    assert f"{path}:{line}: " in result.stderr and message in result.stderr, result.stderr
    assert not out.exists()


def test_every_problem_of_a_status_file_is_reported(tmp_path):
    path = tmp_path / "status.yaml"
    path.write_text("2.1.9: 完成\n2.1.2: 好\n2.5: 完成\n", encoding="utf-8")  # 2.5 (a float to YAML) is fine
    result = run("--status", path)
    assert result.exit_code == 2
    assert f"{path}:1: " in result.stderr and f"{path}:2: " in result.stderr and f"{path}:3" not in result.stderr


def test_a_clause_followed_parcel_by_parcel_is_listed_when_the_status_file_reports_on_it(tmp_path):
    path = tmp_path / "status.yaml"
    path.write_text("2.3.3: {status: 进行中, note: 盘活利用方案起草中}\n", encoding="utf-8")
    result, tasks = records(tmp_path, "--as-of", "2022-06-30", "--status", path)
    plan = next(t for t in tasks if t["clause"] == "2.3.3")
    assert plan["status"] == "进行中" and plan["deadline"] == "2022-12-31" and plan["overdue"] is False
    assert "2.3.2.2" not in {t["clause"] for t in tasks}  # not named, not listed without --all
    _, every = records(tmp_path, "--as-of", "2022-06-30", "--all")
    assert {"2.3.2.1", "2.3.2.2", "2.3.3", "2.4"} <= {t["clause"] for t in every}


def test_every_task_done_by_clause_exits_0(tmp_path, rulebook):
    path = tmp_path / "status.yaml"
    path.write_text("".join(f"'{c}': 完成\n" for c in dict.fromkeys(t.clause for t in plan_tasks(rulebook))),
                    encoding="utf-8")
    result, tasks = records(tmp_path, "--as-of", "2022-01-01", "--status", path)
    assert result.exit_code == 0 and {t["status"] for t in tasks} == {"完成"}
    assert len([t for t in tasks if t["clause"] == "2.1.1"]) == 2  # one entry covers both milestones


def test_a_missing_status_file_and_a_bad_date_exit_2(tmp_path):
    assert run("--status", tmp_path / "none.yaml").exit_code == 2
    assert run("--as-of", "2021-13-01").exit_code == 2
    assert run("-o", tmp_path / "tasks.txt").exit_code == 2


def test_csv_and_xlsx(tmp_path, rulebook):
    status = tmp_path / "status.yaml"
    status.write_text("2.3.1: {status: 进行中, note: '=1+1 台账'}\n", encoding="utf-8")
    result = run("--as-of", "2022-01-01", "--status", status, "-o", tmp_path / "tasks.csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader((tmp_path / "tasks.csv").open(encoding="utf-8-sig")))
    assert len(rows) == len(plan_tasks(rulebook, as_of=dt.date(2022, 1, 1)))
    ledger = next(r for r in rows if r["clause"] == "2.3.1")
    assert ledger["overdue"] == "true" and ledger["note"] == "'=1+1 台账"  # CSV has no cell types: OWASP prefix

    from openpyxl import load_workbook

    assert run("--as-of", "2022-01-01", "--status", status, "-o", tmp_path / "tasks.xlsx").exit_code == 1
    ws = load_workbook(tmp_path / "tasks.xlsx").active
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c for c in row))) for row in ws.iter_rows(min_row=2)]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref
    assert sum(r["责任单位"].value == "文广局" for r in rows) == 2
    note = next(r["备注"] for r in rows if r["条款"].value == "2.3.1")
    assert note.value == "=1+1 台账" and note.data_type == "s"  # kept as written, never run
    assert all(isinstance(r["完成时限"].value, dt.datetime) for r in rows if r["时限原文"].value != "方案未定时限")


def test_help_names_the_exit_codes():
    result = runner.invoke(app, ["tasks", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "退出码" in result.stdout and "--status" in result.stdout
