"""`landrules runs`: the recorded runs (contract §7)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import app
from landrules.cli.record.options import StoreOpt, open_store


@app.command(epilog="例 / example: landrules runs --json")
def runs(
    as_json: bool = typer.Option(False, "--json", help="JSON 数组 / one JSON array of runs"),
    store: Optional[Path] = StoreOpt,
) -> None:
    """列出已记录的各期台账。List the recorded runs."""
    from landrules.record.runs import list_runs

    with open_store(store, readonly=True) as opened:
        found = list_runs(opened)
    if as_json:
        print(json.dumps([r.to_json() for r in found], ensure_ascii=False, indent=1))
        return
    if not found:
        print("记录库中还没有记录的台账（用 landrules decide 台账 --as-of 日期 --record 记录一期）")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="已记录的各期台账", title_justify="left")
    for name in ("编号", "标签", "评估日", "台账", "行数", "规则库", "记录人", "记录时间"):
        table.add_column(name, justify="right" if name in ("编号", "行数") else "left")
    for r in found:
        table.add_row(str(r.id), r.label, r.as_of.isoformat(), r.ledger, str(r.rows), r.rulebook[7:19],
                      r.recorded_by, r.recorded_at.isoformat(sep=" ", timespec="seconds"))
    Console(highlight=False, width=None if sys.stdout.isatty() else 160).print(table)
