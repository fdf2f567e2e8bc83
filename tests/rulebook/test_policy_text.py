"""The plan in policy/ is the plan as printed: rebuilt from the clause tree (numbers, headings,
texts, 责任单位, 完成时限, the annex and the line listing it), it is the official text, save for
whitespace and page breaks. Every 责任单位 and 完成时限 a rule or task inherits is checked so."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from landrules.rulebook.policy import Clause, Deadline, Document, load_policy

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "data" / "pinglong-zhengban-2021-36.txt"
DOC = "平龙政办〔2021〕36号"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("**", ""))


def rebuilt(document: Document) -> str:
    parts = [document.doc, document.title, document.preamble or ""]

    def walk(clause: Clause) -> None:
        if clause.listed_as:
            parts.append(clause.listed_as)
        parts.extend([clause.number or "", clause.heading or "", clause.body])
        if clause.responsible:
            parts.append("责任单位：" + "、".join(clause.responsible))
        if clause.deadline and clause.deadline.text not in (clause.heading or ""):  # 三、's stages: in the heading
            parts.append("完成时限：" + clause.deadline.text)
        for child in clause.children:
            walk(child)

    for clause in document.clauses:
        walk(clause)
    return "".join(parts)


@pytest.fixture(scope="module")
def plan() -> Document:
    policy, problems = load_policy(ROOT / "policy")
    assert not problems
    return next(d for d in policy.documents if d.doc == DOC)


def test_the_plan_is_verbatim(plan):
    ours, official = squeeze(rebuilt(plan)), squeeze(SOURCE.read_text(encoding="utf-8"))
    if ours != official:
        at = next(i for i, (a, b) in enumerate(zip(ours + "\0", official + "\0")) if a != b)
        pytest.fail(f"differs at {at}: ours …{ours[at - 30:at + 30]}… official …{official[at - 30:at + 30]}…")


def test_region_assessment_has_both_milestones(plan):
    policy, _ = load_policy(ROOT / "policy")
    cited = policy.get(DOC, "2.1.1")
    steps = cited.deadline.steps()
    assert [(s.date, s.when, s.what) for s in steps] == [
        (dt.date(2021, 8, 31), "2021年8月底", "基本建成政府买单、企业共享评估成果的区域评估制度框架和管理体系"),
        (dt.date(2021, 12, 31), "2021年下半年", "全面实施"),
    ]
    assert cited.deadline.date == dt.date(2021, 8, 31)  # what a rule citing 2.1.1 would inherit
    assert "发改委" in cited.responsible and "应急管理局" in cited.responsible


def test_a_single_deadline_is_one_step():
    deadline = Deadline(text="2021年12月底前", date="2021-12-31")
    assert [(s.when, s.what, s.date) for s in deadline.steps("编制产业集聚区国土空间规划。")] == [
        ("2021年12月底前", "编制产业集聚区国土空间规划。", dt.date(2021, 12, 31))
    ]


def test_annex_is_listed_in_the_body(plan):
    annex = next(c for c in plan.clauses if c.id == "annex")
    assert annex.listed_as == "附件：石龙产业集聚区提质增效行动领导小组"


@pytest.mark.parametrize(
    "milestones, message",
    [
        ([{"when": "2021年8月底", "what": "框架", "date": "2021-08-31"},
          {"when": "2021年9月", "what": "全面实施", "date": "2021-09-30"}], "is not in the 完成时限"),
        ([{"when": "2021年8月底", "what": "全面实施", "date": "2021-07-31"},
          {"when": "2021年下半年", "what": "全面实施", "date": "2021-12-31"}], "first milestone"),
        ([{"when": "2021年下半年", "what": "全面实施", "date": "2021-08-31"},
          {"when": "2021年8月底", "what": "全面实施", "date": "2021-06-30"}], "date order"),
    ],
)
def test_milestones_are_checked(milestones, message):
    with pytest.raises(ValueError, match=message):
        Deadline(text="2021年8月底，框架，2021年下半年全面实施", date="2021-08-31", milestones=milestones)
