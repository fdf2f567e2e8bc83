"""The plan's own duties (`landrules tasks`): the clauses that carry 责任单位 and 完成时限 but are
not decided parcel by parcel, with their status from an officers' status file, overdue against
the evaluation date, grouped by 责任单位 — the duty list of the 季度通报 (四、(三)).

    duties.py   which clauses are tasks, their milestones, and where each stands on a date
    status.py   the status file (YAML), validated like the rulebook: FILE:LINE messages
    write.py    JSONL, CSV and XLSX outputs, written atomically
"""

from landrules.tasks.duties import STATUSES, Task, TaskState, evaluate_tasks, plan_tasks
from landrules.tasks.status import StatusEntry, StatusFileError, load_status

__all__ = [
    "STATUSES", "StatusEntry", "StatusFileError", "Task", "TaskState",
    "evaluate_tasks", "load_status", "plan_tasks",
]
