"""Every duty of the plan is a task (contract §5 Revised, wave 3): duties inside parcel clauses,
the steps of 三, the safeguards of 四 with one task per quarter, half-year and year."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from landrules.cli import app
from landrules.tasks import evaluate_tasks, plan_tasks
from landrules.tasks.duties import calendar_periods

D = dt.date
runner = CliRunner()


def records(tmp_path, *args):
    out = tmp_path / "tasks.jsonl"
    result = runner.invoke(app, ["tasks", *map(str, args), "-o", str(out)], env={"COLUMNS": "100"})
    assert result.exit_code in (0, 1), result.output
    return {r["key"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


def test_as_of_2023_the_plans_duties_are_listed(tmp_path):
    tasks = records(tmp_path, "--as-of", "2023-01-01")
    plan = tasks["2.3.3#redevelopment_plan"]
    assert plan["deadline"] == "2022-12-31" and plan["overdue"] is True and plan["responsible"] == ["产业集聚区管委会"]
    assert "低效工业用地盘活利用方案" in plan["what"]
    assert {"2.4#indicator_system", "2.4#commitment_approval", "2.3.2.1#link_stock_increment",
            "2.3.2.1#new_projects_on_unsupplied"} <= set(tasks)
    assert "3+N+1" in tasks["2.4#indicator_system"]["what"]
    assert "增存挂钩" in tasks["2.3.2.1#link_stock_increment"]["what"]
    assert {"3.1#launch", "3.2.1#survey", "3.2.2#policies", "3.2.3#revitalise", "3.2.4#increment", "3.3#review",
            "3.4#consolidate", "4.1#leading_group", "4.2#monitoring", "4.4#publish"} <= set(tasks)


def test_one_bulletin_task_per_quarter_each_with_its_own_due_date(tmp_path):
    tasks = records(tmp_path, "--as-of", "2023-01-01")
    quarters = {k: t for k, t in tasks.items() if k.startswith("4.3#quarterly_bulletin-")}
    assert [t["deadline"] for t in quarters.values()] == [
        "2021-06-30", "2021-09-30", "2021-12-31", "2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31", "2023-03-31"]
    assert [t["overdue"] for t in quarters.values()] == [True] * 7 + [False]
    halves = [t["deadline"] for k, t in tasks.items() if k.startswith("4.3#half_year_talks-")]
    years = [t["deadline"] for k, t in tasks.items() if k.startswith("4.3#annual_review-")]
    assert halves == ["2021-06-30", "2021-12-31", "2022-06-30", "2022-12-31", "2023-06-30"]
    assert years == ["2021-12-31", "2022-12-31", "2023-12-31"]


def test_a_status_of_done_clears_the_duty_and_one_for_the_duty_covers_its_periods(tmp_path):
    status = tmp_path / "status.yaml"
    status.write_text("2.3.3#redevelopment_plan: {status: 完成, on: 2022-11-30}\n"
                      "4.3#quarterly_bulletin: {status: 完成, on: 2022-12-31}\n"
                      "4.3#quarterly_bulletin-2022Q4: 进行中\n", encoding="utf-8")
    tasks = records(tmp_path, "--as-of", "2023-01-01", "--status", status)
    assert tasks["2.3.3#redevelopment_plan"]["overdue"] is False
    assert tasks["4.3#quarterly_bulletin-2021Q3"]["status"] == "完成"
    assert tasks["4.3#quarterly_bulletin-2022Q4"]["overdue"] is True  # its own entry wins


def test_undated_duties_are_never_overdue(rulebook):
    states = evaluate_tasks(plan_tasks(rulebook, as_of=D(2030, 1, 1)), {}, D(2030, 1, 1))
    undated = [s for s in states if s.task.deadline is None]
    assert {s.task.key for s in undated} == {"3.4#consolidate", "4.2#monitoring", "4.4#publish"}
    assert not any(s.overdue for s in undated)


def test_recurring_tasks_stop_at_the_period_of_the_evaluation_date(rulebook):
    keys = [t.key for t in plan_tasks(rulebook, as_of=D(2021, 9, 30)) if t.clause == "4.3"]
    assert keys == ["4.3#quarterly_bulletin-2021Q2", "4.3#quarterly_bulletin-2021Q3",
                    "4.3#half_year_talks-2021H1", "4.3#half_year_talks-2021H2", "4.3#annual_review-2021"]


def test_calendar_periods():
    assert calendar_periods("quarter", D(2021, 12, 31), D(2022, 1, 1)) == [
        ("2021Q4", "2021年第四季度", D(2021, 10, 1), D(2021, 12, 31)),
        ("2022Q1", "2022年第一季度", D(2022, 1, 1), D(2022, 3, 31))]
    assert calendar_periods("half_year", D(2021, 7, 1), D(2021, 7, 1)) == [
        ("2021H2", "2021年下半年", D(2021, 7, 1), D(2021, 12, 31))]
    assert calendar_periods("year", D(2021, 6, 22), D(2020, 1, 1)) == []
