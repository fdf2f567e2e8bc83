"""`landrules tasks`: the plan's own duties by 责任单位, with status and overdue (季度通报)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import AsOfOpt, PolicyOpt, RulesOpt, app, as_of_date, err, fail, load_checked_rulebook


@app.command(
    epilog="退出码 / exit: 0 无逾期 none overdue · 1 有逾期未完成 some overdue and not 完成 · "
    "2 输入有误 bad input.  例 / example: landrules tasks --status examples/tasks-status.yaml --as-of 2022-01-01 -o tasks.xlsx",
)
def tasks(
    status: Optional[Path] = typer.Option(
        None, "--status", help="进度文件 / status file (YAML): CLAUSE_ID: {status: 完成|进行中|未开始, on: DATE, note: TEXT}"
    ),
    as_of: Optional[str] = AsOfOpt,
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="输出 / output: .jsonl .csv .xlsx (default: a table on stdout)"
    ),
    include_per_parcel: bool = typer.Option(
        False, "--all", help="含逐宗落实的条款 / also list the clauses followed parcel by parcel (2.3.2.1, 2.4, …)"
    ),
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """方案自身的任务（非逐宗）：按责任单位列出完成时限、进度与是否逾期。The plan's own duties by 责任单位.

    A task is a clause with its own 责任单位 and 完成时限 that no disposal rule cites (those are followed parcel by parcel in `decide`, and listed here with --all or when the status file names them); a clause not in the status file is 未开始."""  # noqa: E501 - one line: the help folds it to the terminal
    from landrules.ledger.write.base import OutputError
    from landrules.tasks import StatusFileError, evaluate_tasks, load_status, plan_tasks
    from landrules.tasks.write import task_format, write_tasks

    when = as_of_date(as_of)
    if output is not None:
        try:
            task_format(output)
        except OutputError as exc:
            raise fail(str(exc)) from None
    rulebook = load_checked_rulebook(rules, policy)
    every = plan_tasks(rulebook, include_per_parcel=True, as_of=when)
    own = {t.key for t in plan_tasks(rulebook, as_of=when)}
    entries = {}
    if status is not None:
        try:
            entries = load_status(status, every, rulebook.policy)
        except StatusFileError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            raise fail(f"进度文件 {status} 有 {len(exc.problems)} 处问题，未列出任务") from None
    # a clause followed parcel by parcel is listed with --all, or when the status file reports on it
    # (a status for one of the clause's duties, CLAUSE#ID, names the duty, not the clause)
    found = [t for t in every if include_per_parcel or t.key in own or t.key in entries
             or (t.duty is None and t.clause in entries)]
    states = evaluate_tasks(found, entries, when)
    overdue = [s for s in states if s.overdue]
    if output is None:
        _print_table(states, when)
    else:
        try:
            write_tasks(output, states, inputs=[status] if status is not None else [])
        except OutputError as exc:
            raise fail(str(exc)) from None
    units = list(dict.fromkeys(u for s in overdue for u in s.task.responsible))  # as the plan names them
    err.print(
        f"评估日 {when}：任务 {len(states)} 项，已完成 {sum(s.status == '完成' for s in states)} 项，"
        f"逾期未完成 {len(overdue)} 项" + (f"（涉及 {'、'.join(units)}）" if units else ""),
        markup=False, soft_wrap=True,
    )
    raise typer.Exit(1 if overdue else 0)


def _print_table(states, when) -> None:
    """One block per 责任单位: its heading with counts, then its tasks by deadline."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from landrules.tasks.duties import by_unit
    from landrules.tasks.write import overdue_word, remark, task_label

    out = Console(highlight=False)
    groups = by_unit(states)
    if not groups:
        out.print("没有任务。")
        return
    out.print(f"[bold]方案任务清单（按责任单位） 评估日 {when}[/]")
    for unit, items in groups.items():
        late = sum(s.overdue for s in items)
        out.print(f"\n[bold]{escape(unit)}[/]  任务 {len(items)} 项" + (f"，[red]逾期 {late} 项[/]" if late else ""))
        notes = any(remark(s) or s.on for s in items)
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("条款", no_wrap=True)
        table.add_column("任务", ratio=3, overflow="fold")
        table.add_column("完成时限", no_wrap=True)
        table.add_column("状态", no_wrap=True)
        table.add_column("逾期", no_wrap=True)
        if notes:
            table.add_column("备注", ratio=2, overflow="fold")
        for s in items:
            cells = [s.task.key, task_label(s), s.task.deadline.isoformat() if s.task.deadline else "未定", s.status, overdue_word(s)]
            if notes:
                cells.append(" ".join(p for p in (s.on.isoformat() if s.on else "", remark(s)) if p))
            table.add_row(*cells, style="red" if s.overdue else None)
        out.print(table)
