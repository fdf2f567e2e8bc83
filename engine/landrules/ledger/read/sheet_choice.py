"""Which sheet of a workbook is the ledger (contract §3: first sheet unless `--sheet`; added:
when the first sheet has no parcel-id column, the sheet whose header row has one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from landrules.ledger.errors import LedgerError
from landrules.ledger.columns.headers import HeaderResolver, label

HEADER_SEARCH_ROWS = 10  # a title row or two may stand above the header


def has_id_header(rows: Sequence[Sequence[Any]], resolver: HeaderResolver, clean: Callable[[Any], str]) -> bool:
    return any(resolver.is_parcel_id(clean(v)) for row in rows[:HEADER_SEARCH_ROWS] for v in row)


def pick_sheet(
    path: Path,
    names: list[str],
    sheet: str | int | None,
    head_of: Callable[[str], list[list[Any]]],
    resolver: HeaderResolver,
    clean: Callable[[Any], str],
) -> tuple[str, list[str]]:
    """(sheet name, notices). `head_of(name)` gives a sheet's first rows."""
    shown = ", ".join(names)
    if isinstance(sheet, str) and sheet not in names and sheet.isdigit() and int(sheet) < len(names):
        sheet = int(sheet)
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise LedgerError(path, f"找不到第 {sheet} 个工作表；现有工作表: {shown}")
        return names[sheet], []
    if sheet is not None:
        if sheet not in names:
            raise LedgerError(path, f'找不到工作表 "{sheet}"；现有工作表: {shown}')
        return sheet, []
    if not names:
        raise LedgerError(path, "工作簿中没有工作表")
    if len(names) == 1 or has_id_header(head_of(names[0]), resolver, clean):
        return names[0], []
    for name in names[1:]:
        if has_id_header(head_of(name), resolver, clean):
            return name, [f'第一张工作表 "{names[0]}" 无{label("parcel_id")}列，已读取工作表 "{name}"']
    raise LedgerError(
        path, f"各工作表的表头都缺少 {label('parcel_id')}列；现有工作表: {shown}；请用 --sheet 指定工作表，"
        "或用 --columns 写明哪一列是宗地编号",
    )
