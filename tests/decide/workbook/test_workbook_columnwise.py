"""The decision workbook with its big sheets written column-wise (Book.body, issue 26) is the
workbook openpyxl wrote row by row: every cell's value, type, number format, quote prefix,
alignment, font and fill, every row height, and every sheet's settings (frozen panes, filter,
print area and setup, column widths and groups, conditional formats, charts).

The reference is the row-by-row way the workbook was written before (`RowByRowBody`: each row
appended through openpyxl with `row_cells`, its height set with `append_sized`), put in place of
`Book.body` for one run."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from xml.etree.ElementTree import iterparse

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet import _read_only, _reader
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS

from conftest import ROOT, invoke
from landrules.ledger.write import xlsx_book
from landrules.ledger.write.xlsx_book import LINE_HEIGHT, append_sized
from landrules.ledger.write.xlsx_cells import row_cells, styled

sys.path.insert(0, str(ROOT / "bench"))
from synthetic import ledger_frame  # noqa: E402


class RowByRowBody:
    """What `Book.body` returns, written as before: one openpyxl row at a time."""

    def __init__(self, sheet, first_row: int, looks=None, tall=None):
        self.sheet, self.index = sheet, first_row
        self.plain = {i: styled(sheet, "", **look) for i, look in (looks or {}).items()}
        self.tall = {i: styled(sheet, "", **look) for i, look in (tall or {}).items()}

    def append(self, columns, heights=None, looks=None):
        for k, row in enumerate(zip(*columns)):
            lines = int(round(heights[k] / LINE_HEIGHT)) if heights is not None and heights[k] > 0 else 1
            templates = self.tall if lines > 1 else self.plain
            append_sized(self.sheet, self.index, row_cells(self.sheet, tuple(row), templates or None), lines)
            self.index += 1


def _decide(ledger: Path, out: Path) -> None:
    result = invoke("decide", ledger, "--as-of", "2023-06-30", "-o", out)
    assert result.exit_code in (0, 1), result.output
    assert out.exists()


def _both(tmp_path: Path, rows: int, monkeypatch) -> tuple[Path, Path]:
    ledger = tmp_path / "ledger.csv"
    ledger_frame(rows).to_csv(ledger, index=False)
    new, old = tmp_path / "columnwise.xlsx", tmp_path / "rowwise.xlsx"
    _decide(ledger, new)
    with monkeypatch.context() as patch:
        patch.setattr(xlsx_book.Book, "body", lambda self, sheet, first_row, looks=None, tall=None:
                      RowByRowBody(sheet, first_row, looks, tall))
        _decide(ledger, old)
    return old, new


@contextlib.contextmanager
def openpyxl_reading_fast(monkeypatch):
    """openpyxl reads the two workbooks as it always does, cell by cell, but faster:
    - its XML events come from the standard library's C parser, not defusedxml's Python one
      (openpyxl takes defusedxml when it is installed, to guard against hostile files; these two
      are the test's own), and
    - a read-only sheet looks for its <dimension> up to <sheetData> only, where it stands; openpyxl
      parses the whole sheet when there is none (neither writer writes one) to find that out."""
    dimension, data = f"{{{SHEET_MAIN_NS}}}dimension", f"{{{SHEET_MAIN_NS}}}sheetData"

    def get_size(self):
        with self._get_source() as src:
            for _, element in iterparse(src, events=("start",)):
                if element.tag == dimension:
                    self._min_column, self._min_row, self._max_column, self._max_row = SheetDimension.from_tree(element).boundaries
                    return
                if element.tag == data:
                    return

    with monkeypatch.context() as patch:
        patch.setattr(_reader, "iterparse", iterparse)
        patch.setattr(_read_only.ReadOnlyWorksheet, "_get_size", get_size)
        yield


def _cell(c, looks: dict) -> tuple:
    """A cell's value, type and look. The look (number format, quote prefix, alignment, font, fill)
    is what the cell's style record (its xf) says, so it is read once per record of each workbook
    and kept in `looks` (one dict per workbook: the records' numbering is each workbook's own)."""
    value = c.value
    key = c._style_id if hasattr(c, "_style_id") else tuple(c._style or ())  # read-only cell, or a loaded one
    look = looks.get(key)
    if look is None:
        style = c.style_array if hasattr(c, "_style_id") else c._style
        look = looks[key] = (
            c.number_format, bool(style.quotePrefix) if style is not None else False,
            c.alignment.wrap_text, c.alignment.vertical, c.alignment.horizontal, c.font.b, c.font.sz,
            c.font.color.rgb if c.font.color else None, c.fill.fill_type, c.fill.fgColor.rgb)
    return (value, type(value).__name__, c.data_type if value is not None else None, look)


def _settings(ws) -> tuple:
    cf = [(str(r.sqref), [(x.formula, x.stopIfTrue, x.dxf.fill.fgColor.rgb if x.dxf and x.dxf.fill else None)
                          for x in r.rules]) for r in ws.conditional_formatting]
    columns = {k: (d.width, d.hidden, d.outlineLevel) for k, d in ws.column_dimensions.items()}
    charts = [(type(ch).__name__, ch.anchor._from.row, ch.anchor._from.col) for ch in ws._charts]
    setup = ws.page_setup
    return (ws.freeze_panes, ws.auto_filter.ref, ws.print_area, ws.print_title_rows, setup.orientation,
            setup.paperSize, setup.fitToWidth, setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage,
            ws.print_options.gridLines, ws.oddFooter.center.text, sorted(map(str, ws.merged_cells.ranges)),
            cf, columns, charts, ws.max_row, ws.max_column)


def test_every_setting_row_height_and_cell_is_the_same(tmp_path, monkeypatch):
    old, new = _both(tmp_path, 1_500, monkeypatch)
    with openpyxl_reading_fast(monkeypatch):
        a, b = load_workbook(old), load_workbook(new)
    old_looks, new_looks = {}, {}
    assert a.sheetnames == b.sheetnames
    assert {"决策", "一宗一策", "按责任单位", "公布清单", "汇总"} <= set(b.sheetnames)
    for name in a.sheetnames:
        x, y = a[name], b[name]
        assert _settings(x) == _settings(y), name
        assert x.max_row > 5, name  # rows, a 合计 and a signature line at least
        rows, columns = x.max_row, x.max_column  # (each a scan of every cell: read once, not per row)
        for r in range(1, rows + 1):
            assert x.row_dimensions[r].height == y.row_dimensions[r].height, (name, r)
            for c in range(1, columns + 1):
                assert _cell(x.cell(r, c), old_looks) == _cell(y.cell(r, c), new_looks), (name, x.cell(r, c).coordinate)
    decisions = b["决策"]
    assert decisions.cell(decisions.max_row - 1, 1).value == "合计"
    assert any(b["决策"].row_dimensions[r].height for r in range(4, 200)), "no multi-line row to compare"


@pytest.mark.slow
def test_every_cell_of_a_50_000_row_ledger_is_the_same(tmp_path, monkeypatch):
    old, new = _both(tmp_path, 50_000, monkeypatch)
    with openpyxl_reading_fast(monkeypatch):
        a, b = load_workbook(old, read_only=True), load_workbook(new, read_only=True)
        old_looks, new_looks = {}, {}
        assert a.sheetnames == b.sheetnames
        for name in a.sheetnames:
            count = 0
            for x, y in zip(a[name].iter_rows(), b[name].iter_rows(), strict=True):
                assert [_cell(c, old_looks) for c in x if c.value is not None] == [_cell(c, new_looks) for c in y if c.value is not None], \
                    (name, x[0].row)
                count += 1
            assert count > (50_000 if name == "决策" else 3), name
    frame = pd.read_excel(new, sheet_name="决策", header=2, dtype=str, engine="calamine")  # another reader than openpyxl
    assert len(frame) == 50_000 + 3  # the rows, a blank row, 合计, the signature line
