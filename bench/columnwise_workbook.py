"""`landrules decide … -o X.xlsx` with the big sheets written column-wise (ledger/write/xlsx_sheet_xml.py):
how decide/workbook would adopt the sheet writer, for the benchmark (bench/xlsx_sheet_bench.py).

    python bench/columnwise_workbook.py [--sheets 决策|all] decide LEDGER -o X.xlsx …

--sheets 决策  only the 决策 sheet column-wise (一宗一策 and 公布清单 as today, with openpyxl);
--sheets all   决策, 一宗一策 and 公布清单 column-wise;
--sheets plain the plain 决策 sheet: 决策 column-wise and 汇总, without 一宗一策 and 公布清单.

Every cell, style, row height, frozen pane, filter, conditional format and print setting is the
one the workbook writes today (tests/ledger/write/test_xlsx_sheet_xml.py compares the two ways on
a sheet; bench/xlsx_sheet_bench.py --compare on a whole decided workbook).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))

from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter

from landrules.decide import outputs
from landrules.decide.workbook import decisions as D
from landrules.decide.workbook import sheets as S
from landrules.ledger.write.xlsx_book import (
    BOLD,
    LINE_HEIGHT,
    TOP,
    WRAP,
    fixed_time,
    header_row,
    line_counts,
    repeat_header,
)
from landrules.ledger.write.xlsx_sheet_xml import SheetCells


def _heights(lines: list[int]) -> np.ndarray:
    counts = np.asarray(lines, dtype=float)
    return np.where(counts > 1, counts * LINE_HEIGHT, 0.0)


def list_sheet(cells: SheetCells, book, title: str, header: list[str], rows: list[list], notes) -> None:
    """sheets._list_sheet with the rows (and the notes below them) written column-wise."""
    widths = S._row_widths(header, rows)
    sheet = book.sheet(title, widths, freeze="C2")
    sheet.append(header_row(sheet, header))
    wrapped = [i for i, h in enumerate(header) if h in S._WRAPPED]
    columns = [[S._text(r[i]) for r in rows] for i in range(len(header))]
    lines = line_counts(columns, widths, wrapped, len(rows))
    aligned = {i: {"alignment": WRAP if i in wrapped else TOP} for i in range(len(header))}  # every row, tall or not
    body = cells.body(sheet, 2, looks=aligned, tall=aligned)
    if rows:
        body.append(columns, _heights(lines))
    last = len(rows) + 1
    if "是否逾期" in header and rows:
        late = get_column_letter(header.index("是否逾期") + 1)
        sheet.conditional_formatting.add(f"A2:{get_column_letter(len(header))}{last}",
                                         FormulaRule(formula=[f'${late}2="是"'], **S.OVERDUE_STYLE))
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last}"
    sheet.print_area = f"A1:{get_column_letter(len(header))}{last + 1 + len(notes)}"
    repeat_header(sheet)
    body.append([[None], [None]])  # the blank row under the list
    if notes:
        body.append([["说明"] * len(notes), [S._text(n) for n in notes]], looks={0: {"font": BOLD}})


class ColumnwiseXlsx(D.XlsxWriter):
    sheets = "决策"

    def _open(self, fd: int) -> None:
        super()._open(fd)
        self._cells = SheetCells()
        self._body = None

    def _write(self, inputs, flat, jsonl) -> None:
        if not len(flat):
            return
        if self.sheets != "plain":  # the parcels of 一宗一策 and 公布清单
            self.actions.add(inputs, self.input_names, flat, self.parsed)
        columns = self._columns(inputs, flat)
        if self._widths is None:
            self._set_widths(columns)
            self._as_of = next((v for v in flat["as_of"] if v), None)
            self._rulebook = next((v for v in flat["rulebook"] if v), None)
        if self._sheet_rows + len(flat) > D.MAX_SHEET_ROWS:
            raise NotImplementedError("the benchmark writes one 决策 sheet")
        if self._body is None:
            self._new_sheet()
            self._body = self._cells.body(self._sheets[-1], 2, tall={
                i: {"alignment": WRAP if i in self._wrapped else TOP} for i in self._top})
        self._body.append(columns, _heights(line_counts(columns, self._widths, self._wrapped, len(flat))))
        self._sheet_rows += len(flat)

    def _finish(self, summary) -> None:
        cells = self._cells
        saved = D.write_actions, D.write_public, S._list_sheet
        try:
            if self.sheets == "plain":
                D.write_actions = D.write_public = lambda *args: None
            elif self.sheets == "all":
                S._list_sheet = lambda book, title, header, rows, notes: list_sheet(cells, book, title, header, rows, notes)
            super()._finish(summary)
        finally:
            D.write_actions, D.write_public, S._list_sheet = saved
        cells.splice(self.tmp, max(fixed_time(self._as_of), fixed_time("1980-01-01")).timetuple()[:6])


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--sheets"]:
        ColumnwiseXlsx.sheets, args = args[1], args[2:]
    outputs.WRITERS[".xlsx"] = lambda path, headers, labels, names: ColumnwiseXlsx(path, headers, labels, names)
    from landrules.cli import main as cli

    sys.argv = ["landrules", *args]
    cli()


if __name__ == "__main__":
    main()
