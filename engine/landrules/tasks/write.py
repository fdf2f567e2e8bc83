"""The task list written to a file: `.jsonl` one record per task (contract §2), `.csv` the same
flattened, `.xlsx` one row per 责任单位 and task (the 季度通报's duty list, as a sheet).

Written to a temp file beside the target and renamed into place: nothing half-written.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Sequence

from landrules.ledger.write.base import defuse, output_format, write_atomically
from landrules.tasks.duties import TaskState, by_unit

FORMATS = (".jsonl", ".csv", ".xlsx")
HEADERS = ("责任单位", "条款", "任务", "完成时限", "时限原文", "状态", "状态日期", "是否逾期", "备注")
WIDTHS = (16, 10, 48, 12, 24, 8, 12, 10, 40)


def task_format(path: Path) -> str:
    """The output's format (OutputError for another extension)."""
    return output_format(path, FORMATS)


def overdue_word(state: TaskState) -> str:
    if state.overdue:
        return "已逾期"
    return "逾期完成" if state.late else "否"


def remark(state: TaskState) -> str:
    return "；".join(p for p in (state.note, *state.remarks) if p)


def task_label(state: TaskState) -> str:
    t = state.task
    return t.title if t.milestone is None and t.duty is None else f"{t.title}：{t.what}"


def unit_rows(states: list[TaskState]) -> list[tuple]:
    """One row per 责任单位 and task, as the table and the XLSX show them."""
    rows = []
    for unit, items in by_unit(states).items():
        for s in items:
            t = s.task
            rows.append((unit, t.key, task_label(s), t.deadline, t.when, s.status,
                         s.on, overdue_word(s), remark(s)))
    return rows


def write_tasks(path: Path, states: list[TaskState], inputs: Sequence[Path] = ()) -> None:
    suffix = task_format(path)
    path = Path(path)
    if suffix == ".jsonl":
        data = "".join(json.dumps(s.record(), ensure_ascii=False) + "\n" for s in states).encode("utf-8")
    elif suffix == ".csv":
        data = _csv(states).encode("utf-8-sig")  # with BOM: Excel on Chinese Windows reads it as UTF-8
    else:
        data = _xlsx(states)
    write_atomically(path, data, inputs)


def _csv(states: list[TaskState]) -> str:
    """One row per task; CSV has no cell types, so text a spreadsheet would run gets a "'"."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["clause", "doc", "title", "responsible", "deadline", "status", "overdue",
                "milestone", "what", "deadline_text", "on", "note"])
    for s in states:
        t = s.task
        w.writerow([t.key, t.doc, t.title, "; ".join(t.responsible), t.deadline.isoformat() if t.deadline else "", s.status,
                    "true" if s.overdue else "false", t.milestone or "", t.what, t.when,
                    s.on.isoformat() if s.on else "", defuse(remark(s))])
    return buf.getvalue()


def _xlsx(states: list[TaskState]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "任务清单"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="FFC7CE")
    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    for row in unit_rows(states):
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.alignment = top
            if isinstance(cell.value, str) and cell.value[:1] == "=":
                cell.data_type = "s"  # the officer's note, kept as written, never run
        if row[7] == "已逾期":
            for cell in ws[ws.max_row]:
                cell.fill = red
        for col in (4, 7):
            ws.cell(ws.max_row, col).number_format = "yyyy-mm-dd"
        lines = 1
        for col, width in ((3, WIDTHS[2]), (9, WIDTHS[8])):
            ws.cell(ws.max_row, col).alignment = wrap
            text = str(ws.cell(ws.max_row, col).value or "")
            lines = max(lines, -(-sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) // (width - 2)))
        if lines > 1:  # spreadsheets do not grow a row for wrapped text that openpyxl wrote
            ws.row_dimensions[ws.max_row].height = 15 * lines
    for col, width in zip(range(1, len(HEADERS) + 1), WIDTHS):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
