"""The form of a bureau's 台账 around a list sheet (决策, 一宗一策, 按责任单位, 公布清单, 逾期事项):

    row 1  the title, naming the cluster (and the evaluation date), across the printed columns;
    row 2  填报单位：…  评估日期：<a date cell>  填报日期：  年  月  日;
    row 3  the column headers (repeated on every printed page, the autofilter's first row);
    …      the rows;
    then   a 合计 row (宗数, 面积) and a 填表人/审核人 line.

Page numbers (第 X 页 共 Y 页) are every sheet's footer (xlsx_book.Book.sheet). Nothing here is
a formula: the 合计 figures are values the writer counted while the rows streamed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from landrules.ledger.write.xlsx_book import BOLD, append_sized
from landrules.ledger.write.xlsx_cells import styled

CLUSTER = "石龙产业集聚区"
HEAD_ROWS = 3  # title, 填报单位/日期, header
TAIL_ROWS = 3  # a blank row, 合计, 填表人/审核人
FIRST = HEAD_ROWS + 1  # the first data row
HEADING = Font(bold=True, size=18)
CENTRE = Alignment(horizontal="center", vertical="center")
DATE_ZH = 'yyyy"年"m"月"d"日"'
AREA_FORMAT = "#,##0.00"
COUNT_FORMAT = '#,##0"宗"'


def as_date(as_of: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(as_of)) if as_of else None
    except ValueError:
        return None


def date_zh(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def title_of(kind: str, as_of: Any, own: str | None = None) -> str:
    """The title row: the ledger's own title when it had one, else the cluster and `kind`;
    the evaluation date after it."""
    day = as_date(as_of)
    when = f"（评估日：{date_zh(day)}）" if day else ""
    return f"{own or CLUSTER + kind}{when}"


def write_heading(sheet, title: str, as_of: Any, span: int) -> None:
    """Rows 1-2 of `sheet` (before its header row): the title across `span` columns, then the
    填报单位 and date line with the evaluation date as a date cell."""
    span = max(span, 1)
    append_sized(sheet, 1, [styled(sheet, title, font=HEADING, alignment=CENTRE)], 2)
    if span > 1:
        sheet.merged_cells.add(f"A1:{get_column_letter(span)}1")
    line: list[Any] = [None] * max(span, 7)
    line[0] = styled(sheet, "填报单位：（盖章）", font=BOLD)
    right = len(line) - 5
    line[right] = styled(sheet, "评估日期：", font=BOLD)
    line[right + 1] = styled(sheet, as_date(as_of), number_format=DATE_ZH, alignment=Alignment(horizontal="left"))
    date = get_column_letter(right + 2)  # the date cell spans two columns: narrow ones would show ###
    sheet.merged_cells.add(f"{date}2:{get_column_letter(right + 3)}2")
    line[right + 3] = styled(sheet, "填报日期：", font=BOLD)
    line[right + 4] = "    年    月    日"
    sheet.append(line)
    sheet.print_title_rows = f"{HEAD_ROWS}:{HEAD_ROWS}"


def write_tail(sheet, index: int, count: int, count_col: int, area: float | None, area_col: int | None,
               span: int, note: str | None = None) -> int:
    """A blank row, the 合计 row (宗数 in `count_col`, 面积 in `area_col`, 0-based) and the
    填表人/审核人 line, from row `index` (1-based); returns the last row written."""
    sheet.append([])
    width = max(span, count_col + 1, (area_col or 0) + 1)
    total: list[Any] = [None] * width
    total[0] = styled(sheet, "合计", font=BOLD)
    total[count_col] = styled(sheet, count, number_format=COUNT_FORMAT, font=BOLD)
    if area_col is not None:
        total[area_col] = styled(sheet, round(area or 0.0, 4), number_format=AREA_FORMAT, font=BOLD)
        if note and area_col + 1 < len(total):
            total[area_col + 1] = note
    sheet.append(total)
    sheet.append(signature_line(sheet, span))
    return index + 2


def signature_line(sheet, span: int) -> Sequence[Any]:
    line: list[Any] = [None] * max(span, 6)
    third = max(len(line) // 3, 2)
    line[0] = styled(sheet, "填表人：", font=BOLD)
    line[third] = styled(sheet, "审核人：", font=BOLD)
    line[2 * third] = styled(sheet, "联系电话：", font=BOLD)
    return line
