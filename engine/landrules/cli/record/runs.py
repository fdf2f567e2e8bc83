"""`landrules runs`: the recorded runs (contract §7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import app, out_console
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
    from rich import box
    from rich.table import Table

    # in a terminal of 80 columns the dates, ids and counts keep their width and the ledger's name
    # and the recorder fold onto more lines: nothing an officer reads is cut off with "…"
    # (a list without vertical rules: eight columns fit in 80)
    table = Table(title="已记录的各期台账", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True)
    for name in ("编号", "标签", "评估日", "台账", "行数", "规则库", "记录人", "记录时间"):
        folds = name in ("台账", "记录人", "记录时间")
        table.add_column(name, justify="right" if name in ("编号", "行数") else "left", no_wrap=not folds,
                         overflow="fold" if folds else "ellipsis")
    for r in found:
        table.add_row(str(r.id), r.label, r.as_of.isoformat(), r.ledger, str(r.rows), r.rulebook[7:19],
                      r.recorded_by, r.recorded_at.isoformat(sep=" ", timespec="minutes"))
    out_console().print(table)
