"""Issue 23 item 4: a merged range's value fills the range, as an officer sees it in Excel, with
a notice (ledger/read/merged.py) — on both XLSX readers."""

from __future__ import annotations

import openpyxl
import pytest

from landrules.ledger.read.reader import read_ledger


@pytest.fixture(params=["calamine", "openpyxl"])
def engine(request, monkeypatch):
    if request.param == "openpyxl":
        monkeypatch.setattr("landrules.ledger.read.xlsx_scan.calamine_safe", lambda path, limits: False)
    return request.param


def test_merged_cells_below_the_header_fill_their_range(tmp_path, engine):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["平龙县批而未供土地台账"])  # a title merged across the table: left as it is
    sheet.append(["宗地编号", "面积（亩）", "土地用途", "坐落"])
    sheet.append(["A", 2, "工业", "X村"])
    sheet.append(["B", 3, None, None])
    sheet.append(["C", 4, "商服", None])
    sheet.append(["D", 5, "工业", "Y村"])
    sheet.merge_cells("A1:D1")
    sheet.merge_cells("C3:C4")  # 土地用途 of A and B
    sheet.merge_cells("D3:D5")  # 坐落 of A, B and C
    sheet.merge_cells("D6:H6")  # reaches past the header: no cell outside the table is made
    path = tmp_path / "merged.xlsx"
    book.save(path)

    frame = read_ledger(path)
    assert frame["land_use"].tolist() == ["工业", "工业", "商服", "工业"]
    assert frame[frame.columns[3]].tolist() == ["X村", "X村", "X村", "Y村"]
    assert frame.attrs["row_errors"] == {}
    assert frame.attrs["notices"] == ["合并单元格 C3:C4、D3:D5、D6:H6 共 3 处：已把合并区域的值填入区域内每个单元格（与 Excel 中所见一致）"]
