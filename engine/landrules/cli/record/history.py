"""`landrules history PARCEL_ID`: one parcel in every recorded run (contract §7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import app, fail
from landrules.cli.record.options import StoreOpt, open_store
from landrules.core import fields


@app.command(epilog="退出码 / exit: 0 · 2 记录中没有该宗地 the parcel is in no recorded run.  例 / example: landrules history SL-017")
def history(
    parcel_id: str = typer.Argument(..., metavar="PARCEL_ID", help="宗地编号 / parcel id"),
    as_json: bool = typer.Option(False, "--json", help="JSON 数组 / one JSON array, a step per run"),
    store: Optional[Path] = StoreOpt,
) -> None:
    """一宗地在各期记录中的情况：变化的事实、类别、处置措施、完成时限、所用规则库。A parcel across the recorded runs."""
    from landrules.record.history import parcel_history

    with open_store(store, readonly=True) as opened:
        steps = parcel_history(opened, parcel_id)
    if not steps:
        raise fail(f"各期记录中都没有宗地 {parcel_id}")
    if as_json:
        print(json.dumps([s.to_json() for s in steps], ensure_ascii=False, indent=1))
        return
    from landrules.rulebook import locate
    from landrules.rulebook.load import load_rulebook

    try:
        rulebook = load_rulebook(locate.rules_dir(), locate.policy_dir(), analyse=False)
        cats, outs = rulebook.categories, rulebook.outcomes
    except Exception:
        cats, outs = {}, {}
    print(f"宗地 {parcel_id}：{len(steps)} 期记录")
    for step in steps:
        print(f"\n#{step.run_id} {step.label}  评估日 {step.as_of}  第{step.row}行  规则库 {step.rulebook[7:19]}")
        if step.changed:
            print("  变化的事实：" + "；".join(_change(k, a, b) for k, (a, b) in step.changed.items()))
        print("  类别：" + ("、".join(cats.get(c, c) for c in step.categories.split("; ")) if step.categories else "—"))
        print("  处置措施：" + ("；".join(outs.get(c, c) for c in step.outcome_codes.split("; ")) if step.outcome_codes else "—"))
        if step.deadline:
            print(f"  完成时限：{step.deadline}" + ("（已逾期）" if step.overdue and ":是" in step.overdue else ""))


def _change(name: str, before, after) -> str:
    """A fact that changed, as an officer reads it: 开工日期 （空） → 2021-11-15 (core.fields.display)."""
    spec = fields.get(name)
    return f"{fields.zh_name(name)} {fields.display(spec, before)} → {fields.display(spec, after)}"
