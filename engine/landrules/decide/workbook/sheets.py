"""The workbook's sheets beside 决策: 汇总 (tables and native bar charts), 一宗一策, 按责任单位,
公布清单 and 逾期事项 — shared by `decide -o x.xlsx` and `report -o x.xlsx`. Each list is a 台账
form (heading.py): title, 填报单位/日期 line, header, rows, 合计, 填表人/审核人."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from landrules.decide.workbook.actions import ActionList
from landrules.decide.workbook.heading import FIRST, HEAD_ROWS, TAIL_ROWS, title_of, write_heading, write_tail
from landrules.decide.workbook.lists import (
    ListTable,
    ParcelColumns,
    action_table,
    by_unit_table,
    overdue_table,
    public_table,
)
from landrules.decide.workbook.tables import Table
from landrules.ledger.write.xlsx_book import (
    A4,
    BOLD,
    LINE_HEIGHT,
    MAX_SHEET_ROWS,
    TITLE,
    TOP,
    WRAP,
    Book,
    append_sized,
    header_row,
    line_counts,
    widths_for,
)
from landrules.ledger.write.xlsx_cells import clean_text, clean_texts, styled

SUMMARY_SHEET = "汇总"
ACTIONS_SHEET = "一宗一策"
PUBLIC_SHEET = "公布清单"
OVERDUE_SHEET = "逾期事项"
BY_UNIT_SHEET = "按责任单位"
OVERDUE_STYLE = dict(fill=PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE"), font=Font(color="9C0006"))
INVALID_STYLE = dict(fill=PatternFill("solid", fgColor="FFEB9C", bgColor="FFEB9C"), font=Font(color="9C5700"))

_WIDE = {"形成原因": 30, "处置措施": 30, "依据条款": 24, "坐落": 18, "用地单位": 18, "项目名称": 16, "责任单位": 18,
         "类别": 10, "类型": 10, "同时负责的单位": 18}
_WRAPPED = set(_WIDE)


def _text(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def write_summary(book: Book, tables: Sequence[Table], notes: Sequence[str] = ()) -> None:
    """汇总: the tables one below the other (codes whole), then a native bar chart for each table
    that has one, below them (so that a printed page is as wide as the tables)."""
    columns = [[*(r[i] for t in tables for r in t.rows if i < len(r)),
                *(t.header[i] for t in tables if i < len(t.header))] for i in range(4)]
    widths = widths_for([""] * 4, columns, sample=100_000, cap=60)
    sheet = book.sheet(SUMMARY_SHEET, widths, freeze=None, landscape=False, grid=False, paper=A4)
    row = 0

    def append(values: Sequence[Any]) -> None:
        nonlocal row
        sheet.append([styled(sheet, _text(v)) if isinstance(v, str) else v for v in values])
        row += 1

    def note_row(text: str) -> None:  # wrapped within column B, so nothing spills past the tables
        nonlocal row
        lines = line_counts([[None], [text]], widths, [1], 1)[0]
        append_sized(sheet, row + 1, [styled(sheet, "说明", alignment=TOP), styled(sheet, _text(text), alignment=WRAP)], lines)
        row += 1

    charts = []
    for table in tables:
        sheet.append([styled(sheet, table.title, font=TITLE)])
        sheet.append(header_row(sheet, table.header))
        row += 2
        first = row + 1
        for values in table.rows:
            append(values)
        if table.chart and table.rows:
            charts.append((table, first, row))
        for note in table.notes:
            note_row(note)
        append([])
    for note in notes:
        note_row(note)
    for n, (table, first, last) in enumerate(charts, 1):
        append([])
        sheet.append([styled(sheet, f"图{n}  {table.chart_title}", font=TITLE)])
        row += 1
        chart = _bar_chart(sheet, table, first, last, width=min(sum(widths) * CM_PER_CHAR, 24))
        sheet.add_chart(chart, f"A{row + 1}")
        for _ in range(int(chart.height / CM_PER_ROW) + 1):
            append([" "])  # keep the chart's rows in the used (printed) area


CM_PER_ROW = 0.53  # a default 15 pt row
CM_PER_CHAR = 0.19  # a column width unit (one digit of the default font)


def _bar_chart(sheet, table: Table, first: int, last: int, width: float = 18) -> BarChart:
    label, value = table.chart
    n = last - first + 1
    chart = BarChart()
    chart.type = "bar" if n > 6 else "col"
    if chart.type == "bar":  # the first row on top, as in the table
        chart.y_axis.scaling.orientation = "minMax"
        chart.x_axis.scaling.orientation = "maxMin"
    chart.title = table.chart_title
    chart.legend = None
    chart.style = 10
    chart.add_data(Reference(sheet, min_col=value + 1, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=label + 1, min_row=first, max_row=last))
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.dataLabels.showSerName = chart.dataLabels.showCatName = chart.dataLabels.showLegendKey = False
    chart.dataLabels.showPercent = False
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height = max(7.5, 0.8 * n + 3) if chart.type == "bar" else 7.5
    chart.width = width
    return chart


def _row_widths(table: ListTable) -> list[float]:
    head = table.head(200)
    widths = widths_for(table.header, [list(c) for c in head.columns])
    return [min(w, _WIDE[h]) if h in _WIDE else w for w, h in zip(widths, table.header)]


def _list_sheet(book: Book, title: str, table: ListTable, notes: Sequence[str],
                as_of: Any = None, kind: str = "", parcels: tuple[int, float] | None = None) -> None:
    """A list as a 台账 form: heading, header (row 3), rows, 合计 (`parcels`: distinct 宗数 and
    面积 when rows repeat a parcel; else counted from the rows), signature line, notes."""
    header = table.header
    room = MAX_SHEET_ROWS - HEAD_ROWS - TAIL_ROWS - 2 - len(notes)  # the heading, 合计 and signature, notes
    total = len(table)
    if total > room:  # 按责任单位 repeats a parcel per unit: past Excel's rows, the first ones
        notes = [*notes, f"本表共 {total:,} 行，超过 Excel 每张工作表 {MAX_SHEET_ROWS:,} 行的上限，只列出前 {room - 1:,} 行；"
                         f"其余 {total - room + 1:,} 行见“一宗一策”和“决策”表。"]
        table = table.head(room - 1)
    rows = len(table)
    widths = _row_widths(table)
    sheet = book.sheet(title, widths, freeze=f"C{FIRST}")
    write_heading(sheet, title_of(kind or title, as_of), as_of, len(header))
    sheet.append(header_row(sheet, header))
    wrapped = [i for i, h in enumerate(header) if h in _WRAPPED]
    columns = [c.map_text_list(clean_texts) for c in table.columns]  # each distinct text cleaned once
    lines = np.asarray(line_counts(columns, widths, wrapped, rows))
    aligned = {i: {"alignment": WRAP if i in wrapped else TOP} for i in range(len(header))}  # every row, tall or not
    if rows:
        book.body(sheet, FIRST, looks=aligned, tall=aligned).append(columns, np.where(lines > 1, lines * LINE_HEIGHT, 0.0))
    last = rows + HEAD_ROWS
    if "是否逾期" in header and rows:
        late = get_column_letter(header.index("是否逾期") + 1)
        sheet.conditional_formatting.add(f"A{FIRST}:{get_column_letter(len(header))}{last}",
                                         FormulaRule(formula=[f'${late}{FIRST}="是"'], **OVERDUE_STYLE))
    area_col = header.index(AREA) if AREA in header else None
    if parcels is None:
        area = table.columns[area_col].table(lambda v: v or 0.0, 0.0, dtype=float).tolist() if area_col is not None else []
        parcels = (rows, sum(area))  # summed in row order, as before
    end = write_tail(sheet, last + 1, parcels[0], 1, parcels[1], area_col, len(header))
    sheet.auto_filter.ref = f"A{HEAD_ROWS}:{get_column_letter(len(header))}{last}"
    sheet.print_area = f"A1:{get_column_letter(len(header))}{end + 1 + len(notes)}"
    sheet.append([])
    for note in notes:
        sheet.append([styled(sheet, "说明", font=BOLD), _text(note)])


AREA = "面积（亩）"


def cap_note(actions: ActionList) -> list[str]:
    if not actions.left_out:
        return []
    return [f"需处置的共 {actions.total:,} 宗，本表只列出台账中前 {actions.kept:,} 宗（上限 {actions.limit:,}），"
            f"其余 {actions.left_out:,} 宗见决策表（按“处置措施”筛选）。"]


def write_lists(book: Book, actions: ActionList, as_of: str | None, overdue: bool = False) -> None:
    """The list sheets, in this order: 逾期事项 (with `overdue`), 一宗一策, 按责任单位, 公布清单;
    the kept parcels are sorted and coded once for all of them."""
    parcels = ParcelColumns.of_list(actions)
    capped = cap_note(actions)
    if overdue:
        _list_sheet(book, OVERDUE_SHEET, overdue_table(parcels),
                    ["逾期：完成时限早于评估日且尚无完成记录的处置措施。", *capped], as_of, "处置逾期事项清单")
    _list_sheet(book, ACTIONS_SHEET, action_table(parcels),
                ["一宗一策：按平龙政办〔2021〕36号 二、（三）1.，列出需处置宗地的地块基本信息、形成原因、处置措施、完成时限、责任单位；"
                 "按责任单位、完成时限排序。完成时限为该宗地各项处置措施中最早的一项。", *capped],
                as_of, "存量用地一宗一策台账")
    _list_sheet(book, BY_UNIT_SHEET, by_unit_table(parcels),
                ["按责任单位：一宗地的处置措施涉及几个责任单位，就在每个单位下各列一行；在“责任单位”列筛选本单位，即得本单位负责的全部宗地。"
                 "“同时负责的单位”列出同一宗地的其他责任单位。合计按宗地计，不重复。", *capped],
                as_of, "存量用地处置任务分解表（按责任单位）", parcels=(len(parcels), parcels.area_total()))
    _list_sheet(book, PUBLIC_SHEET, public_table(parcels),
                ["公布清单：按平龙政办〔2021〕36号 四、（四），公布批而未供、闲置、低效土地；只含公告所需的地块信息，不含用地单位以外的个人信息。",
                 "闲置土地只列经认定的（已认定闲置为“是”）；按日期推定、尚未认定的疑似闲置土地须先依国土资源部令第53号第九条调查认定，不予公布。",
                 *capped], as_of, "批而未供、闲置、低效土地公布清单")
