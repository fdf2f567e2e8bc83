"""The status file of `landrules tasks --status FILE` (contract §2), validated like the rulebook.

    2.1.1: {status: 完成, on: 2021-08-30, note: 区域评估制度框架已印发}
    2.1.1#m2: {status: 进行中, on: 2021-12-20}      # one milestone of 2.1.1 on its own
    2.3.1: 进行中                                    # shorthand: the status alone

A clause not listed is 未开始. Every problem is reported as `FILE:LINE: message` (all of them,
not just the first): an id that is no task (with the closest task id, or why the clause is not
one: it carries no 责任单位 and 完成时限 of its own), a status that is not 完成 / 进行中 / 未开始, a date that is not a date, an unknown key.
"""

from __future__ import annotations

import difflib

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from landrules.rulebook.problems import Problem
from landrules.rulebook.yamlio import Marked, YamlError, line_of, load_yaml, validation_problems

if TYPE_CHECKING:
    from landrules.rulebook.policy import Policy

STATUSES = ("完成", "进行中", "未开始")


class StatusEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: str = Field(description="完成 / 进行中 / 未开始")
    on: dt.date | None = Field(None, description="the date of the status (完成: the day it was done)")
    note: str | None = None


class StatusFileError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_status(path: Path, tasks: list, policy: "Policy") -> dict[str, StatusEntry]:
    """Task key or clause id -> its entry; StatusFileError with every problem found. `tasks`:
    the duties.Task list the file may name (their `key` and `clause`)."""
    path = Path(path)
    try:
        raw = load_yaml(path)
    except YamlError as exc:
        raise StatusFileError([Problem(exc.path, exc.line, exc.message)]) from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise StatusFileError([Problem(str(path), getattr(raw, "line", 1), (
            "进度文件应按条款编号写进度，如 `2.1.1: {status: 完成, on: 2021-08-30}`"))])
    keys = {t.key for t in tasks} | {t.clause for t in tasks} | {t.duty_key for t in tasks if t.duty_key}
    problems: list[Problem] = []
    out: dict[str, StatusEntry] = {}
    for key, value in raw.items():
        key_text, line = str(key), line_of(raw, (key,))
        message = _unknown(key_text, keys, tasks, policy)
        if message:
            problems.append(Problem(str(path), line, message))
            continue
        if isinstance(value, str):
            value = {"status": value}
        if not isinstance(value, dict):
            problems.append(Problem(str(path), line, (
                f"{key_text}：应写作 {{status: 完成|进行中|未开始, on: 日期, note: 说明}}，实际为 {value!r}")))
            continue
        value = _on_key(value, line)
        status = value.get("status")
        if status is not None and str(status) not in STATUSES:
            problems.append(Problem(str(path), line_of(value, ("status",)), (
                f"{key_text}：进度 {status!r} 不是 {' / '.join(STATUSES)} 之一{_suggest(str(status), STATUSES)}")))
            continue
        try:
            out[key_text] = StatusEntry.model_validate(dict(value))
        except ValidationError as exc:
            problems += validation_problems(path, value, exc, what=f"{key_text}: ", keys=tuple(StatusEntry.model_fields))
    if problems:
        raise StatusFileError(problems)
    return out


def _on_key(value: dict, line: int) -> Marked:
    """YAML 1.1 reads a bare `on` key as true: the contract's `on: DATE` means the key "on"."""
    out = Marked(("on" if k is True else k, v) for k, v in value.items())
    out.line = getattr(value, "line", 0) or line
    lines = dict(getattr(value, "key_lines", None) or {k: line for k in out})
    if "True" in lines:
        lines["on"] = lines.pop("True")
    out.key_lines = lines
    return out


def _unknown(key: str, keys: set[str], tasks: list, policy: "Policy") -> str | None:
    """Why `key` names no task, or None."""
    if key in keys:
        return None
    clause = key.split("#", 1)[0]
    if clause in {t.clause for t in tasks}:
        steps = sorted(t.key for t in tasks if t.clause == clause)
        return f"条款 {clause} 没有节点 {key!r}（该条款的任务：{', '.join(steps)}）"
    for doc in policy.doc_numbers:
        cited = policy.get(doc, clause)
        if cited is None:
            continue
        return f"{doc} 第 {clause} 条款本身没有责任单位和完成时限，不是一项任务"
    return f"不认识的条款编号 {key!r}{_suggest(key, _nearest(key, keys))}（条款编号写作 2.1.1，见 policy/）"


def _suggest(written: str, choices) -> str:
    close = difflib.get_close_matches(written, list(choices), n=1, cutoff=0.3)
    return f"；是否想写 {close[0]}？" if close else ""


def _nearest(key: str, keys: set[str]) -> list[str]:
    """The ids to suggest from: those sharing the longest prefix with `key` (2.1.3 → 2.1.x)."""
    def common(other: str) -> int:
        n = 0
        while n < min(len(key), len(other)) and key[n] == other[n]:
            n += 1
        return n

    pool = [k for k in keys if ("#" in k) == ("#" in key)] or list(keys)
    best = max((common(k) for k in pool), default=0)
    return sorted(k for k in pool if common(k) == best)
