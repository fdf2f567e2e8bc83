"""The decision workbook with its big sheets written column-wise (Book.body, issue 26) is the
workbook openpyxl wrote row by row: every cell's value, type, number format, quote prefix,
alignment, font and fill, every row height, and every sheet's settings (frozen panes, filter,
print area and setup, column widths and groups, conditional formats, charts).

The reference is the row-by-row way the workbook was written before (rowwise_workbook.py's
`RowByRowBody`: each row appended through openpyxl with `row_cells`, its height set with
`append_sized`), put in place of `Book.body` for one run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from rowwise_workbook import cell, decide, decide_row_by_row, openpyxl_reading_fast, same_cells

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from synthetic import ledger_frame  # noqa: E402

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.long_file(first=True)  # its slow test is the suite's longest: started first


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


@pytest.mark.slow  # two 400-row workbooks written and compared cell by cell
def test_every_setting_row_height_and_cell_is_the_same(tmp_path):
    """400 rows: every sheet, setting and kind of row (multi-line, 合计, signature) is there at
    that size; the cells of a 50 000-row ledger are compared by the slow test below."""
    ledger = tmp_path / "ledger.csv"
    ledger_frame(400).to_csv(ledger, index=False)
    old, new = tmp_path / "rowwise.xlsx", tmp_path / "columnwise.xlsx"
    decide(ledger, new)
    decide_row_by_row(ledger, old)
    with openpyxl_reading_fast():
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
                assert cell(x.cell(r, c), old_looks) == cell(y.cell(r, c), new_looks), (name, x.cell(r, c).coordinate)
    decisions = b["决策"]
    assert decisions.cell(decisions.max_row - 1, 1).value == "合计"
    assert any(b["决策"].row_dimensions[r].height for r in range(4, 200)), "no multi-line row to compare"


def _sheet_names(path: Path) -> list[str]:
    with openpyxl_reading_fast():  # else each read-only sheet is parsed whole, for a <dimension> it lacks
        book = load_workbook(path, read_only=True)
    book.close()
    return book.sheetnames


CHILD_SHEETS = ("按责任单位",)  # about half of the cells of the two workbooks


@pytest.mark.slow
def test_every_cell_of_a_50_000_row_ledger_is_the_same(tmp_path):
    """Two processes share the work: a child writes the row-by-row workbook (the longest part) and
    then compares CHILD_SHEETS (rowwise_workbook.py's `main`), while this process writes the
    column-wise one, reads it with calamine, and, once the child's is written, compares the other
    sheets: every cell of both workbooks is read with openpyxl and compared, in one of the two."""
    ledger = tmp_path / "ledger.csv"
    ledger_frame(50_000).to_csv(ledger, index=False)
    old, new = tmp_path / "rowwise.xlsx", tmp_path / "columnwise.xlsx"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "engine"), str(ROOT / "tests")])}
    child = subprocess.Popen([sys.executable, str(HERE / "rowwise_workbook.py"), str(ledger), str(old), str(new), *CHILD_SHEETS],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        decide(ledger, new)
        frame = pd.read_excel(new, sheet_name="决策", header=2, dtype=str, engine="calamine")  # another reader than openpyxl
        assert len(frame) == 50_000 + 3  # the rows, a blank row, 合计, the signature line
        child.stdin.write("new is written\n")
        child.stdin.flush()
        assert child.stdout.readline() == "written\n", child.stderr.read()[-3000:]
        names = _sheet_names(old)
        assert names == _sheet_names(new)
        assert set(CHILD_SHEETS) < set(names)
        counts = same_cells(old, new, [name for name in names if name not in CHILD_SHEETS])
        out, err = child.communicate(timeout=600)
        assert child.returncode == 0, err[-3000:]
        counts.update(json.loads(out))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert sorted(counts) == sorted(names)
    for name, count in counts.items():
        assert count > (50_000 if name == "决策" else 3), name
