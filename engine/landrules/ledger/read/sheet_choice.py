"""Which sheet of a workbook is the ledger (contract §3, revised by issue 23):

1. the sheet `--sheet` names (by name or 0-based position), hidden or not — a hidden one with
   a notice;
2. else among the **visible** sheets: the active one (the sheet the workbook opens on, what an
   officer sees), when its header row has a parcel-id column — or it is the only visible sheet;
3. else the first visible sheet whose header row has one;
4. a hidden sheet is never read unless `--sheet` names it (it is named in the refusal when it
   is the only one with a parcel-id column).

When there was a choice — another visible sheet with a parcel-id column, a hidden sheet left
aside, the active sheet passed over — it is said in a notice (stderr and the column report); a
workbook whose only sheet with ids is the active one (a ledger beside its 填表说明) reads silently."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from landrules.ledger.columns.headers import HeaderResolver, label
from landrules.ledger.errors import DAMAGED_ZIP, LedgerError

HEADER_SEARCH_ROWS = 10  # a title row or two may stand above the header


@dataclass(frozen=True)
class SheetInfo:
    name: str
    visible: bool = True


def has_id_header(rows: Sequence[Sequence[Any]], resolver: HeaderResolver, clean: Callable[[Any], str]) -> bool:
    return any(resolver.is_parcel_id(clean(v)) for row in rows[:HEADER_SEARCH_ROWS] for v in row)


def looks_like_ledger(rows: Sequence[Sequence[Any]], resolver: HeaderResolver, clean: Callable[[Any], str]) -> bool:
    """A header row naming the parcel id and another field (a 填表说明 sheet that lists 宗地编号
    down a column with its explanation beside it is no ledger)."""
    def known(value: Any) -> bool:
        try:
            return resolver.resolve(clean(value)) is not None
        except Exception:  # noqa: BLE001 - a header the resolver refuses is no field
            return False

    for row in rows[:HEADER_SEARCH_ROWS]:
        texts = [v for v in row if clean(v)]
        if any(resolver.is_parcel_id(clean(v)) for v in texts) and sum(known(v) for v in texts) >= 2:
            return True
    return False


def pick_sheet(
    path: Path,
    sheets: list[SheetInfo] | list[str],
    sheet: str | int | None,
    head_of: Callable[[str], list[list[Any]]],
    resolver: HeaderResolver,
    clean: Callable[[Any], str],
    active: str | None = None,
) -> tuple[str, list[str]]:
    """(sheet name, notices). `head_of(name)` gives a sheet's first rows; `active` is the sheet
    the workbook opens on (None when the format does not say)."""
    infos = [s if isinstance(s, SheetInfo) else SheetInfo(s) for s in sheets]
    names = [s.name for s in infos]
    hidden = [s.name for s in infos if not s.visible]
    shown = ", ".join(f"{n}（隐藏）" if n in hidden else n for n in names)
    if isinstance(sheet, str) and sheet not in names and sheet.isdigit() and int(sheet) < len(names):
        sheet = int(sheet)
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise LedgerError(path, f"找不到第 {sheet} 个工作表；现有工作表: {shown}")
        sheet = names[sheet]
    if sheet is not None:
        if sheet not in names:
            raise LedgerError(path, f'找不到工作表 "{sheet}"；现有工作表: {shown}')
        return sheet, ([f'已按 --sheet 读取隐藏的工作表 "{sheet}"'] if sheet in hidden else [])
    if not names:
        raise LedgerError(path, "工作簿中没有工作表")
    visible = [n for n in names if n not in hidden]
    if not visible:
        raise LedgerError(path, f"工作簿中的工作表都是隐藏的；请用 --sheet 指定要读取的工作表；现有工作表: {shown}")
    start = active if active in visible else visible[0]
    order = [start] + [n for n in visible if n != start]
    aside = f"；隐藏的工作表（{', '.join(hidden)}）未读取，如需读取请用 --sheet 指定" if hidden else ""
    def only_hidden_ones_have_ids() -> LedgerError | None:
        with_id = [n for n in hidden if has_id_header(head_of(n), resolver, clean)]
        if not with_id:
            return None
        return LedgerError(path, f"可见工作表的表头都缺少 {label('parcel_id')}列，只有隐藏的工作表 \"{with_id[0]}\" 有；"
                                 f"如确要读取它，请用 --sheet \"{with_id[0]}\"；现有工作表: {shown}")

    if len(visible) == 1:
        if hidden and not has_id_header(head_of(start), resolver, clean) and (refusal := only_hidden_ones_have_ids()):
            raise refusal
        return start, ([f'已读取工作表 "{start}"（唯一可见的工作表）{aside}'] if len(names) > 1 else [])
    what = "活动工作表" if start == active else "第一张可见工作表"
    if has_id_header(head_of(start), resolver, clean):
        # said when there was a choice: another visible sheet with ids, or a hidden one left aside
        others = [n for n in order[1:] if looks_like_ledger(head_of(n), resolver, clean)]
        if not others and not hidden:
            return start, []
        also = f"（工作表 {', '.join(others)} 也有{label('parcel_id')}列，未读取；如需读取请用 --sheet 指定）" if others else ""
        return start, [f'工作簿有 {len(visible)} 张可见工作表，已读取{what} "{start}"{also}{aside}']
    for name in order[1:]:
        if has_id_header(head_of(name), resolver, clean):
            return name, [f'{what} "{start}" 无{label("parcel_id")}列，已读取工作表 "{name}"{aside}']
    if refusal := only_hidden_ones_have_ids():
        raise refusal
    raise LedgerError(
        path, f"各工作表的表头都缺少 {label('parcel_id')}列；现有工作表: {shown}；请用 --sheet 指定工作表，"
        "或用 --columns 写明哪一列是宗地编号",
    )


def xlsx_active(path: Path, names: list[str]) -> str | None:
    """The sheet an .xlsx opens on (`<workbookView activeTab>` in xl/workbook.xml), or None."""
    import re
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("xl/workbook.xml")
            if info.file_size > 16 << 20:
                return None
            data = archive.read(info)
    except (KeyError, *DAMAGED_ZIP):
        return None
    view = re.search(rb"<(?:\w+:)?workbookView\b[^>]*?\sactiveTab\s*=\s*[\"'](\d{1,6})[\"']", data)
    index = int(view.group(1)) if view else 0
    return names[index] if index < len(names) else None


def ods_active(path: Path, names: list[str]) -> str | None:
    """The table an .ods opens on (the `ActiveTable` setting in settings.xml), or None."""
    import re
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("settings.xml")
            if info.file_size > 16 << 20:
                return None
            data = archive.read(info).decode("utf-8", "replace")
    except (KeyError, *DAMAGED_ZIP):
        return None
    found = re.search(r'config:name="ActiveTable"[^>]*>([^<]*)<', data)
    if not found:
        return None
    from html import unescape

    name = unescape(found.group(1))
    return name if name in names else None
