"""How far an ODS's tables are filled, read before calamine (which holds each table as one dense
rectangle, and reads every table when the file is opened) is given the file.

content.xml is streamed (through the same bound on decompressed size as an XLSX part); a row or
cell repeated N times (`number-rows-repeated`, `number-columns-repeated`) counts N times, but
only up to the last cell that holds something: LibreOffice ends every table with a million
repeated empty rows, which no reader keeps.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

from landrules.ledger.errors import DAMAGED_ZIP, LedgerError, clip
from landrules.ledger.read.limits import InputLimits, size_text
from landrules.ledger.read.xlsx_openpyxl import BoundedPart

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CELLS = (_TABLE + "table-cell", _TABLE + "covered-table-cell")


def check_ods(path: Path, limits: InputLimits) -> None:
    """Refuse an ODS with a table filled past the bounds on rows, columns or cells (one line
    naming the file, the table, the cell and the bound); a file that is no readable ODS is left
    to calamine, which words it."""
    try:
        archive = zipfile.ZipFile(path)
    except DAMAGED_ZIP:
        return
    with archive:
        try:
            info = archive.getinfo("content.xml")
        except KeyError:
            return
        try:
            with BoundedPart(path, archive.open(info), "content.xml", limits.sheet_bytes, "sheet", limits.cell_bytes) as part:
                _scan(path, part, limits)
        except (*DAMAGED_ZIP, ElementTree.ParseError):
            return  # damaged: calamine says so


def _scan(path: Path, part: BoundedPart, limits: InputLimits) -> None:
    name, row, last_row, last_column = "", 0, 0, 0
    for event, element in ElementTree.iterparse(part, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == _TABLE + "table":
                name, row, last_row, last_column = element.get(_TABLE + "name", ""), 0, 0, 0
            continue
        if tag == _TABLE + "table-row":
            repeat = _count(element.get(_TABLE + "number-rows-repeated"))
            filled = _last_filled_column(element)
            if filled:
                last_row, last_column = row + repeat, max(last_column, filled)
                problem = limits.extent_problem(name, last_row, filled)
                if problem:
                    raise LedgerError(path, problem)
                if last_row * last_column > limits.max_cells:
                    raise too_many_cells(path, name, last_row, last_column, limits)
            row += repeat
            element.clear()


def _count(value: str | None) -> int:
    try:
        return max(int(value), 1) if value else 1
    except ValueError:
        return 1


def _last_filled_column(row) -> int:
    column, last = 0, 0
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        column += _count(cell.get(_TABLE + "number-columns-repeated"))
        if cell.get(_OFFICE + "value-type") is not None or "".join(cell.itertext()).strip():
            last = column
    return last


def too_many_cells(path: Path, sheet: str, rows: int, columns: int, limits: InputLimits) -> LedgerError:
    return LedgerError(path, f"工作表 {clip(sheet)} 填到第 {rows} 行、第 {columns} 列，共 {rows * columns} 个单元格，"
                             f"超过 {limits.max_cells} 个的上限（整表读入内存约需 {size_text(rows * columns * 32)}），"
                             f"拒绝读取；请删去表格范围外的内容（可用环境变量 LANDRULES_MAX_CELLS 调整）")
