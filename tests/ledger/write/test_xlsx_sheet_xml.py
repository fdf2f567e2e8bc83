"""The column-wise sheet writer (ledger/write/xlsx_sheet_xml.py) against openpyxl's own rows:
the same sheet written both ways reads back the same, cell by cell, type by type, style by style."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import load_workbook
from openpyxl.formatting.rule import FormulaRule

from landrules.decide.workbook.sheets import OVERDUE_STYLE
from landrules.ledger.write.xlsx_book import (
    LINE_HEIGHT,
    TOP,
    WRAP,
    Book,
    append_sized,
    header_row,
    repeat_header,
)
from landrules.ledger.write.xlsx_cells import (
    Percent,
    clean_text,
    row_cells,
    styled,
)
from landrules.ledger.write.xlsx_sheet_xml import SheetCells

HEADER = ["宗地编号", "类别", "面积（亩）", "占比", "供地日期", "是否逾期", "备注", "时刻", "布尔"]
AS_OF = "2021-10-01"


def _rows(n: int) -> list[tuple]:
    texts = ["闲置", "低效；批而未供", None, clean_text("=1+1"), clean_text("-3"), " 前后空格 ", "a & b <c>", "多行\n第二行"]
    rows = []
    for i in range(n):
        rows.append((
            f"SL-{i:05d}",
            texts[i % len(texts)],
            [None, 3, 10.42, 1e20, -0.5][i % 5],
            [None, Percent(0.25), 0.25, 1.0][i % 4],
            [None, dt.date(2019, 3, 1), dt.date(2020, 2, 29)][i % 3],
            ["是", "否", None][i % 3],
            clean_text("@SUM(A1)") if i % 7 == 0 else "备注" * (i % 3),
            dt.datetime(2021, 5, 6, 7, 8, 9) if i % 11 == 0 else None,
            [True, False, None, 1][i % 4],
        ))
    return rows


def _lines(n: int) -> list[int]:
    return [3 if i % 6 == 1 else 1 for i in range(n)]


def _setup(book: Book):
    sheet = book.sheet("决策", [14, 12, 10, 8, 12, 8, 20, 18, 6], freeze="B2", hidden=[8, 9])
    sheet.append(header_row(sheet, HEADER))
    repeat_header(sheet)
    return sheet


def _finish(sheet, n: int) -> None:
    sheet.auto_filter.ref = f"A1:I{n + 1}"
    sheet.print_area = f"A1:F{n + 1}"
    sheet.conditional_formatting.add(f"A2:I{n + 1}", FormulaRule(formula=['$F2="是"'], **OVERDUE_STYLE))


TALL = {0: TOP, 1: WRAP, 4: TOP, 5: TOP, 6: WRAP}  # columns whose cells a tall row aligns


def write_openpyxl(path: Path, rows: list[tuple]) -> None:
    """As decide/workbook writes its rows today: cell objects only where needed, row by row."""
    book = Book(path)
    sheet = _setup(book)
    templates = {i: styled(sheet, "", alignment=a) for i, a in TALL.items()}
    for index, (row, count) in enumerate(zip(rows, _lines(len(rows))), 2):
        append_sized(sheet, index, row_cells(sheet, row, templates if count > 1 else None), count)
    _finish(sheet, len(rows))
    book.save(path, AS_OF)


def write_columns(path: Path, rows: list[tuple], arrow_first: bool = False) -> None:
    book = Book(path)
    sheet = _setup(book)
    cells = SheetCells()
    body = cells.body(sheet, first_row=2, tall={i: {"alignment": a} for i, a in TALL.items()})
    columns = [list(c) for c in zip(*rows)]
    if arrow_first:
        columns[0] = pa.array(columns[0], pa.string())
    heights = [LINE_HEIGHT * k if k > 1 else 0 for k in _lines(len(rows))]
    half = len(rows) // 2  # two appends: rows continue where the first left off
    body.append([c[:half] for c in columns], heights[:half])
    body.append([c[half:] for c in columns], heights[half:])
    _finish(sheet, len(rows))
    book.save(path, AS_OF)
    cells.splice(path, (2021, 10, 1, 0, 0, 0))


def _cell_view(cell):
    return (cell.value, type(cell.value).__name__, cell.data_type if cell.value is not None else None, cell.number_format, cell.quotePrefix,
            cell.alignment.wrap_text, cell.alignment.vertical, cell.font.b, cell.fill.fgColor.rgb)


def _sheet_view(sheet):
    cf = [(str(r.sqref), [(x.formula, x.dxf.fill.fgColor.rgb if x.dxf and x.dxf.fill else None) for x in r.rules])
          for r in sheet.conditional_formatting]
    columns = {k: (d.width, d.hidden, d.outlineLevel) for k, d in sheet.column_dimensions.items()}
    return (sheet.title, sheet.freeze_panes, sheet.auto_filter.ref, sheet.print_area, sheet.print_title_rows,
            sheet.page_setup.orientation, sheet.page_setup.paperSize, sheet.page_setup.fitToWidth,
            sheet.page_setup.fitToHeight, sheet.sheet_properties.pageSetUpPr.fitToPage,
            sheet.print_options.gridLines, cf, columns, sheet.max_row, sheet.max_column)


@pytest.mark.parametrize("arrow_first", [False, True])
def test_same_sheet_both_ways(tmp_path, arrow_first):
    rows = _rows(300)
    old, new = tmp_path / "openpyxl.xlsx", tmp_path / "columns.xlsx"
    write_openpyxl(old, rows)
    write_columns(new, rows, arrow_first)
    a, b = load_workbook(old)["决策"], load_workbook(new)["决策"]
    assert _sheet_view(a) == _sheet_view(b)
    for r in range(1, len(rows) + 2):
        assert a.row_dimensions[r].height == b.row_dimensions[r].height, r
        for c in range(1, len(HEADER) + 1):
            assert _cell_view(a.cell(r, c)) == _cell_view(b.cell(r, c)), (r, c)
    # the values are what was given: typed, texts whole
    assert b["A2"].value == "SL-00000" and b["D3"].number_format == "0%" and b["E3"].value == dt.datetime(2019, 3, 1)
    assert b["B5"].value == "=1+1" and b["B5"].data_type == "s" and b["B5"].quotePrefix
    assert b["I2"].value is True and b["I5"].value == 1 and type(b["I5"].value) is int


def test_text_goes_to_shared_strings_once(tmp_path):
    rows = _rows(1000)
    path = tmp_path / "columns.xlsx"
    write_columns(path, rows)
    with zipfile.ZipFile(path) as z:
        sst = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert z.testzip() is None
    assert sst.count("<si>") == len({v for row in rows for v in row if isinstance(v, str) and v})
    assert sst.count(">闲置<") == 1 and "a &amp; b &lt;c&gt;" in sst
    assert 'xml:space="preserve"> 前后空格 <' in sst
    assert "inlineStr" in sheet  # the header row openpyxl wrote stays
    assert sheet.count("<row ") == 1001


def test_refuses_a_sheet_that_is_not_there(tmp_path):
    path = tmp_path / "x.xlsx"
    book = Book(path)
    sheet = _setup(book)
    cells = SheetCells()
    cells.body(sheet, 2).append([["a"]])
    sheet.title = "其他"  # renamed after the body was made: the splice cannot find it
    book.save(path, AS_OF)
    with pytest.raises(KeyError, match="决策"):
        cells.splice(path, (2021, 10, 1, 0, 0, 0))
    assert not [p for p in tmp_path.iterdir() if p.name != "x.xlsx"]  # no temp file left


def test_columns_must_be_as_long(tmp_path):
    book = Book(tmp_path / "x.xlsx")
    body = SheetCells().body(_setup(book), 2)
    with pytest.raises(ValueError, match="lengths"):
        body.append([["a", "b"], ["c"]])
    book.discard()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_it(tmp_path):
    path = tmp_path / "columns.xlsx"
    write_columns(path, _rows(40))
    proc = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                           "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=180, check=False)
    out = tmp_path / "columns.csv"
    assert out.exists(), proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("宗地编号,类别,面积（亩）")
    assert lines[1].startswith("SL-00000,闲置,")
    assert "=1+1" in lines[4] and "2019-03-01" in lines[2]


def test_rows_openpyxl_appends_after_the_body_move_below_it(tmp_path):
    path = tmp_path / "list.xlsx"
    book = Book(path)
    sheet = _setup(book)
    cells = SheetCells()
    cells.body(sheet, first_row=2).append([["甲", "乙", "丙"], [1, 2, 3]])
    sheet.append([])  # openpyxl's row 2: a blank row, then a note, as 一宗一策 has below its rows
    sheet.append(["说明", "按责任单位排序。"])
    book.save(path, AS_OF)
    cells.splice(path, (2021, 10, 1, 0, 0, 0))
    got = load_workbook(path)["决策"]
    rows = [[c.value for c in row] for row in got.iter_rows(max_col=2)]
    assert rows[1:] == [["甲", 1], ["乙", 2], ["丙", 3], [None, None], ["说明", "按责任单位排序。"]]
    assert got["A6"].value == "说明" and got.max_row == 6


def test_a_body_of_no_rows_leaves_openpyxls_rows_where_they_are(tmp_path):
    path = tmp_path / "x.xlsx"
    book = Book(path)
    sheet = _setup(book)
    cells = SheetCells()
    cells.body(sheet, first_row=2)
    sheet.append(["合计", 0])
    book.save(path, AS_OF)
    cells.splice(path, (2021, 10, 1, 0, 0, 0))
    assert load_workbook(path)["决策"]["A2"].value == "合计"


def test_arrow_text_that_looks_like_a_formula_is_quoted(tmp_path):
    path = tmp_path / "x.xlsx"
    book = Book(path)
    sheet = _setup(book)
    cells = SheetCells()
    cells.body(sheet, 2).append([pa.array(["=1+1", "", None, "ok"])])
    book.save(path, AS_OF)
    cells.splice(path, (2021, 10, 1, 0, 0, 0))
    got = load_workbook(path)["决策"]
    assert (got["A2"].value, got["A2"].data_type, got["A2"].quotePrefix) == ("=1+1", "s", True)
    assert got["A3"].value is None and got["A4"].value is None
    assert (got["A5"].value, got["A5"].quotePrefix) == ("ok", False)
