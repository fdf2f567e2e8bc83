"""Streaming, reproducible XLSX workbooks (openpyxl write-only mode), shared by the decision
workbook and the 季度通报.

- A big sheet's rows are written column-wise (`body`, xlsx_sheet_xml.py) and spliced in at save;
  the rest of every sheet is openpyxl's.
- Each sheet's XML streams into a hidden `.NAME.landrules-PID-XXXX.sheet.part` beside the output (not the
  system temp folder, which may be memory-backed) and is packed into the zip at save.
- The file is byte-for-byte reproducible: document properties and zip entries carry a fixed
  time (the evaluation date), not the time of writing.
- Sheets are set up for officers: bold header, frozen panes, autofilter, landscape A3 (the lists)
  or A4 fitted to the page width with the header row repeated on every printed page, and
  第 X 页 共 Y 页 in every page's footer.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _writer as sheet_writer
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter

from landrules.ledger.write.base import temp_file
from landrules.ledger.write.coded import Coded
from landrules.ledger.write.xlsx_cells import display_width, display_widths, styled
from landrules.ledger.write.xlsx_sheet_xml import SheetBody, SheetCells
from landrules.ledger.write.xlsx_zip import FixedTimeZip

DEFAULT_TIME = dt.datetime(2000, 1, 1)
MIN_WIDTH, MAX_WIDTH = 6, 50
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
A3, A4 = "8", "9"  # paperSize codes
PAGE_FOOTER = "第 &P 页 共 &N 页"
MAX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet, header rows included


def fixed_time(as_of: str | None) -> dt.datetime:
    try:
        return dt.datetime.combine(dt.date.fromisoformat(str(as_of)), dt.time())
    except ValueError:
        return DEFAULT_TIME


class Book:
    """A write-only workbook whose sheets stream into part files beside `target`."""

    def __init__(self, target: Path):
        self.target = Path(target)
        self.wb = Workbook(write_only=True)
        self.parts: list[str] = []
        self.sheets: list = []
        self.cells = SheetCells()  # the sheets' rows written column-wise (body), spliced in at save

    def body(self, sheet, first_row: int, looks: dict[int, dict] | None = None,
             tall: dict[int, dict] | None = None) -> SheetBody:
        """`sheet`'s rows from `first_row` on, written column-wise (xlsx_sheet_xml.py): what
        openpyxl appends to `sheet` afterwards comes below them."""
        return self.cells.body(sheet, first_row, looks, tall)

    def sheet(self, title: str, widths: Sequence[float] = (), *, freeze: str | None = "A2",
              landscape: bool = True, hidden: Sequence[int] = (), grid: bool = True, paper: str = A3):
        """A new sheet, laid out before its first row (widths, frozen panes, print setup)."""
        sheet = self.wb.create_sheet(title)
        for i, width in enumerate(widths, 1):
            dimension = sheet.column_dimensions[get_column_letter(i)]
            dimension.width = width
            if i in hidden:
                dimension.hidden, dimension.outlineLevel = True, 1
        if freeze:
            sheet.freeze_panes = freeze
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.paperSize = paper
        sheet.HeaderFooter.oddFooter.center.text = PAGE_FOOTER
        sheet.HeaderFooter.oddFooter.center.size = 10
        sheet.page_margins.left = sheet.page_margins.right = 0.4  # inches: room for the columns
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0  # one page wide, as long as it takes
        sheet.print_options.gridLines = grid
        self._attach(sheet)
        self.sheets.append(sheet)
        return sheet

    def _attach(self, sheet) -> None:
        fd, path = temp_file(self.target, ".sheet.part")
        part = str(path)
        os.close(fd)
        self.parts.append(part)
        sheet_writer.ALL_TEMP_FILES.append(part)  # openpyxl's cleanup() removes it after packing
        sheet._writer = sheet_writer.WorksheetWriter(sheet, out=part)
        sheet._writer.write_top()

    def save(self, path: Path, as_of: str | None) -> None:
        when = fixed_time(as_of)
        props = self.wb.properties
        props.created = props.modified = when
        props.creator = props.lastModifiedBy = "landrules"
        date_time = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
        ExcelWriter(self.wb, FixedTimeZip(path, date_time)).save()
        if self.cells.bodies:
            self.cells.splice(path, date_time)

    def discard(self) -> None:
        for sheet in self.sheets:
            for stream in (sheet._rows, sheet._writer and sheet._writer.xf):
                try:
                    if stream is not None:
                        stream.close()
                except Exception:  # noqa: BLE001 - the part files are deleted below
                    pass
        for part in self.parts:
            try:
                os.unlink(part)
            except FileNotFoundError:
                pass
            if part in sheet_writer.ALL_TEMP_FILES:
                sheet_writer.ALL_TEMP_FILES.remove(part)


def header_row(sheet, names: Sequence[str]) -> list:
    return [styled(sheet, n, font=BOLD, fill=HEADER_FILL, alignment=WRAP) for n in names]


def repeat_header(sheet, rows: str = "1:1") -> None:
    sheet.print_title_rows = rows


def widths_for(header: Sequence[str], columns: Sequence[Sequence[Any]], sample: int = 200,
               cap: float = MAX_WIDTH) -> list[float]:
    """Column widths from the header and the first `sample` values of each column."""
    out = []
    for i, name in enumerate(header):
        values = columns[i][:sample] if i < len(columns) else []
        widest = max([display_width(str(name)), *(display_width(_shown(v)) for v in values if v is not None)])
        out.append(float(min(max(widest + 2, MIN_WIDTH), cap)))
    return out


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return "2000-01-01"
    return str(value)


LINE_HEIGHT, MAX_LINES = 16.0, 8  # points a line of 11 pt CJK text takes (Noto/等线); rows grow at most to 8 lines


def line_counts(columns: Sequence[Sequence[Any]], widths: Sequence[float], wrapped: Sequence[int], n: int) -> list[int]:
    """Text lines each of `n` rows needs in its wrapped columns (at most MAX_LINES): viewers do
    not recompute row heights on opening, so the writer sets them. Each distinct text is
    measured once."""
    out = np.ones(n, dtype=np.int64)
    for k in wrapped:
        width = max(widths[k] - 2, 1)  # a CJK character takes about two digits' width, less a margin
        column = columns[k]
        if isinstance(column, Coded):  # codes already: -1 (empty) picks the last count
            codes, uniques = column.codes[:n], column.values
        else:
            values = np.empty(n, dtype=object)
            values[:] = list(column[:n])
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        texts = [str(u) for u in uniques]
        lines = np.fromiter((t.count("\n") + 1 for t in texts), dtype=np.int64, count=len(texts))
        each = -np.floor_divide(-np.maximum(display_widths("\n".join(texts).split("\n")), 1), width)  # a line's lines
        counts = np.minimum(np.add.reduceat(each, np.cumsum(lines) - lines), MAX_LINES) if texts else np.zeros(0)
        counts = np.append(counts, 1).astype(np.int64)  # the last: empty cells
        np.maximum(out, counts[codes], out=out)
    return out.tolist()


def append_sized(sheet, index: int, row: Sequence[Any], lines: int) -> None:
    """Append `row` as row `index` (1-based) of `sheet`, `lines` text lines high."""
    if lines > 1:
        sheet.row_dimensions[index].height = LINE_HEIGHT * lines
    sheet.append(row)
    if lines > 1:
        del sheet.row_dimensions[index]  # written: keep memory flat
