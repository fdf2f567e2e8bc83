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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping

from landrules.rulebook.model import NEEDS_INFORMATION, Rulebook
from landrules.rulebook.policy import Clause, Document
from landrules.tasks.status import STATUSES, StatusEntry

DONE, NOT_STARTED = "完成", "未开始"
__all__ = ["STATUSES", "Task", "TaskState", "by_unit", "evaluate_tasks", "per_parcel_clauses", "plan_tasks"]


@dataclass(frozen=True)
class Task:
    doc: str
    clause: str
    title: str  # the clause's heading, without its closing 。
    responsible: tuple[str, ...]
    deadline: dt.date
    when: str  # the 完成时限 as printed (of this milestone)
    what: str  # what is due (the milestone's words, or the clause's heading)
    milestone: int | None = None  # 1, 2, … when the 完成时限 names several steps

    @property
    def key(self) -> str:
        """The id a status file gives this task's own entry: the clause, or CLAUSE#mN."""
        return self.clause if self.milestone is None else f"{self.clause}#m{self.milestone}"


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
            "deadline": t.deadline.isoformat(), "status": self.status, "overdue": self.overdue,
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


def _walk(clauses: Iterable[Clause]) -> Iterable[Clause]:
    for clause in clauses:
        yield clause
        yield from _walk(clause.children)


def plan_tasks(rulebook: Rulebook, include_per_parcel: bool = False) -> list[Task]:
    """Every task of every policy document, in the documents' own order."""
    skip = set() if include_per_parcel else per_parcel_clauses(rulebook)
    out: list[Task] = []
    for document in rulebook.policy.documents:
        out += _document_tasks(document, skip)
    return out


def _document_tasks(document: Document, skip: set[tuple[str, str]]) -> list[Task]:
    out = []
    for clause in _walk(document.clauses):
        if not (clause.responsible and clause.deadline) or (document.doc, clause.id) in skip:
            continue
        title = (clause.heading or clause.number or clause.id).rstrip("。")
        steps = clause.deadline.steps(title)
        for n, step in enumerate(steps, start=1):
            out.append(Task(
                doc=document.doc, clause=clause.id, title=title,
                responsible=tuple(step.responsible or clause.responsible), deadline=step.date,
                when=step.when, what=step.what, milestone=n if len(steps) > 1 else None,
            ))
    return out


def evaluate_tasks(tasks: list[Task], status: Mapping[str, StatusEntry], as_of: dt.date) -> list[TaskState]:
    """Each task as it stood on `as_of`: a completion dated after `as_of` had not happened yet."""
    out = []
    for task in tasks:
        entry = status.get(task.key) or status.get(task.clause)
        state, on, note, remarks = NOT_STARTED, None, None, []
        if entry is not None:
            state, on, note = entry.status, entry.on, entry.note
            if state == DONE and on is not None and on > as_of:
                remarks.append("所报完成日期在评估日之后，按进行中计")
                state = "进行中"
        overdue = state != DONE and as_of > task.deadline
        late = state == DONE and on is not None and on > task.deadline
        out.append(TaskState(task, state, on, note, overdue, late, tuple(remarks)))
    return out


def by_unit(states: list[TaskState]) -> dict[str, list[TaskState]]:
    """责任单位 -> its tasks, units in the order the plan first names them, tasks by deadline."""
    out: dict[str, list[TaskState]] = {}
    for state in states:
        for unit in state.task.responsible:
            out.setdefault(unit, []).append(state)
    return {unit: sorted(items, key=lambda s: s.task.deadline) for unit, items in out.items()}
