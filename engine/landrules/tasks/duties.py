"""Which clauses are the plan's own tasks, and where each stands on a date.

A task is a clause that carries its own 责任单位 and 完成时限 (not inherited from a parent) and
is not decided parcel by parcel. A clause is decided parcel by parcel when a rule that concludes
a disposal (any outcome but needs_information) cites it or one of its paragraphs: that rule
inherits the clause's 完成时限 as each parcel's deadline (rulebook/load.py), so the duty is
followed parcel by parcel in `decide` and `report`, not here. A triage rule (needs_information)
inherits no deadline, so the clause it cites stays a task: 2.3.1's 台账 is one.

A 完成时限 with several dated milestones (2.1.1) gives one task per milestone, keyed
`CLAUSE#m1`, `CLAUSE#m2`, …; a status given for the clause applies to each of its milestones
unless the milestone has its own entry.

A clause may also list its `duties` (policy/*.yaml; contract §5 Revised, wave 3: every duty of
the plan is a task): each is a task keyed `CLAUSE#ID` whatever rules cite the clause (2.3.2.1's
增存挂钩, 2.3.3's 盘活利用方案, 2.4's "3+N+1" 指标体系), with the clause's 责任单位 and 完成时限
unless it names its own; `undated` ones have no 完成时限 and are never overdue. A recurring duty
(`every: quarter | half_year | year`, 四、(三)'s 季度通报、半年约谈、年度考评) is one task per
calendar period, keyed `CLAUSE#ID-2021Q3` / `-2021H2` / `-2022`, due on the period's last day,
from the period in which the document took effect to the one the evaluation date falls in. A
status for `CLAUSE#ID` applies to each of its periods unless the period has its own entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping

from landrules.rulebook.model import NEEDS_INFORMATION, Rulebook
from landrules.rulebook.policy import Clause, Deadline, Document, Duty
from landrules.tasks.status import STATUSES, StatusEntry

DONE, NOT_STARTED = "完成", "未开始"
__all__ = ["STATUSES", "Task", "TaskState", "by_unit", "evaluate_tasks", "per_parcel_clauses", "plan_tasks"]


@dataclass(frozen=True)
class Task:
    doc: str
    clause: str
    title: str  # the clause's heading, without its closing 。
    responsible: tuple[str, ...]
    deadline: dt.date | None  # None: the plan sets no date (an undated duty)
    when: str  # the 完成时限 as printed (of this milestone)
    what: str  # what is due (the milestone's words, or the clause's heading)
    milestone: int | None = None  # 1, 2, … when the 完成时限 names several steps
    duty: str | None = None  # the clause's duty id (policy `duties`)
    period: str | None = None  # a recurring duty's period: 2021Q3, 2021H2, 2022

    @property
    def key(self) -> str:
        """The id a status file gives this task's own entry: the clause, CLAUSE#mN, CLAUSE#DUTY
        or CLAUSE#DUTY-PERIOD."""
        if self.duty is not None:
            return f"{self.clause}#{self.duty}" + (f"-{self.period}" if self.period else "")
        return self.clause if self.milestone is None else f"{self.clause}#m{self.milestone}"

    @property
    def duty_key(self) -> str | None:
        """CLAUSE#DUTY of a recurring duty's task: a status for it covers every period."""
        return f"{self.clause}#{self.duty}" if self.duty is not None and self.period else None


@dataclass(frozen=True)
class TaskState:
    task: Task
    status: str  # 完成 / 进行中 / 未开始, as it stood on the evaluation date
    on: dt.date | None
    note: str | None
    overdue: bool  # the deadline has passed and the task is not 完成
    late: bool  # 完成, but after the deadline
    remarks: tuple[str, ...] = ()  # what the evaluation set aside, in Chinese

    def record(self) -> dict:
        t = self.task
        return {
            "clause": t.clause, "doc": t.doc, "title": t.title, "responsible": list(t.responsible),
            "deadline": t.deadline.isoformat() if t.deadline else None, "status": self.status, "overdue": self.overdue,
            "key": t.key, "milestone": t.milestone, "what": t.what, "deadline_text": t.when,
            "on": self.on.isoformat() if self.on else None, "note": self.note,
            "late": self.late, "remarks": list(self.remarks),
        }


# outcome kinds that follow up the plan's own duty parcel by parcel without discharging it: the
# clause stays a task (2.3.1 查清底数、标图入库: `verify_boundary` flags the parcels whose map and
# ledger disagree, while the survey, the 台账 and the statistics remain the units' duties)
FOLLOW_UP_KINDS = frozenset({"survey"})


def per_parcel_clauses(rulebook: Rulebook) -> set[tuple[str, str]]:
    """(doc, clause id) of every clause a disposal rule cites (a paragraph counts for its clause)."""
    out = set()
    catalogue = getattr(rulebook, "catalogue", None)
    for rule in rulebook.rules:
        if rule.outcome is None or rule.outcome == NEEDS_INFORMATION:
            continue
        if catalogue is not None and catalogue.kind(rule.outcome) in FOLLOW_UP_KINDS:
            continue
        for cited in rule.cites:
            out.add((cited.doc, cited.clause.split("#", 1)[0]))
    return out


def _walk(clauses: Iterable[Clause], responsible=(), deadline=None) -> Iterable[tuple[Clause, tuple, Deadline | None]]:
    """Each clause with the 责任单位 and 完成时限 it holds or inherits from its parents."""
    for clause in clauses:
        own_units = tuple(clause.responsible) if clause.responsible else responsible
        own_deadline = clause.deadline or deadline
        yield clause, own_units, own_deadline
        yield from _walk(clause.children, own_units, own_deadline)


def plan_tasks(rulebook: Rulebook, include_per_parcel: bool = False, as_of: dt.date | None = None) -> list[Task]:
    """Every task of every policy document, in the documents' own order; recurring duties up
    to the period `as_of` falls in (today when not given)."""
    skip = set() if include_per_parcel else per_parcel_clauses(rulebook)
    out: list[Task] = []
    for document in rulebook.policy.documents:
        out += _document_tasks(document, skip, as_of or dt.date.today())
    return out


def _document_tasks(document: Document, skip: set[tuple[str, str]], as_of: dt.date) -> list[Task]:
    out = []
    for clause, units, deadline in _walk(document.clauses):
        title = (clause.heading or clause.number or clause.id).rstrip("。")
        if clause.responsible and clause.deadline and (document.doc, clause.id) not in skip:
            steps = clause.deadline.steps(title)
            for n, step in enumerate(steps, start=1):
                out.append(Task(
                    doc=document.doc, clause=clause.id, title=title,
                    responsible=tuple(step.responsible or clause.responsible), deadline=step.date,
                    when=step.when, what=step.what, milestone=n if len(steps) > 1 else None,
                ))
        for duty in clause.duties:
            out += _duty_tasks(document, clause.id, title, duty, units, deadline, as_of)
    return out


def _duty_tasks(document: Document, clause: str, title: str, duty: Duty, units: tuple, deadline: Deadline | None,
                as_of: dt.date) -> list[Task]:
    units = tuple(duty.responsible or units)
    if duty.every is not None:
        start = document.window.since or document.date
        return [
            Task(doc=document.doc, clause=clause, title=title, responsible=units, deadline=last,
                 when=f"{name}（{first}至{last}）", what=f"{duty.what}（{name}）", duty=duty.id, period=label)
            for label, name, first, last in calendar_periods(duty.every, start, as_of)
        ]
    deadline = duty.deadline or deadline
    if duty.undated or deadline is None:
        return [Task(doc=document.doc, clause=clause, title=title, responsible=units, deadline=None,
                     when="方案未定时限", what=duty.what, duty=duty.id)]
    return [Task(doc=document.doc, clause=clause, title=title, responsible=units, deadline=deadline.date,
                 when=deadline.text, what=duty.what, duty=duty.id)]


def calendar_periods(every: str, start: dt.date, end: dt.date) -> list[tuple[str, str, dt.date, dt.date]]:
    """(label, 中文, first day, last day) of each calendar quarter / half-year / year from the one
    `start` falls in to the one `end` falls in."""
    months = {"quarter": 3, "half_year": 6, "year": 12}[every]
    out = []
    year, index = start.year, (start.month - 1) // months
    while True:
        first = dt.date(year, index * months + 1, 1)
        if first > end:
            return out
        nxt = dt.date(year + 1, 1, 1) if (index + 1) * months >= 12 else dt.date(year, (index + 1) * months + 1, 1)
        last = nxt - dt.timedelta(days=1)
        if every == "quarter":
            label, name = f"{year}Q{index + 1}", f"{year}年第{'一二三四'[index]}季度"
        elif every == "half_year":
            label, name = f"{year}H{index + 1}", f"{year}年{'上下'[index]}半年"
        else:
            label, name = f"{year}", f"{year}年度"
        out.append((label, name, first, last))
        year, index = (year + 1, 0) if (index + 1) * months >= 12 else (year, index + 1)



def evaluate_tasks(tasks: list[Task], status: Mapping[str, StatusEntry], as_of: dt.date) -> list[TaskState]:
    """Each task as it stood on `as_of`: a completion dated after `as_of` had not happened yet."""
    out = []
    for task in tasks:
        entry = status.get(task.key) or (status.get(task.duty_key) if task.duty_key else None) or status.get(task.clause)
        state, on, note, remarks = NOT_STARTED, None, None, []
        if entry is not None:
            state, on, note = entry.status, entry.on, entry.note
            if state == DONE and on is not None and on > as_of:
                remarks.append("所报完成日期在评估日之后，按进行中计")
                state = "进行中"
        overdue = task.deadline is not None and state != DONE and as_of > task.deadline
        late = task.deadline is not None and state == DONE and on is not None and on > task.deadline
        out.append(TaskState(task, state, on, note, overdue, late, tuple(remarks)))
    return out


def by_unit(states: list[TaskState]) -> dict[str, list[TaskState]]:
    """责任单位 -> its tasks, units in the order the plan first names them, tasks by deadline."""
    out: dict[str, list[TaskState]] = {}
    for state in states:
        for unit in state.task.responsible:
            out.setdefault(unit, []).append(state)
    return {unit: sorted(items, key=lambda s: s.task.deadline or dt.date.max) for unit, items in out.items()}
