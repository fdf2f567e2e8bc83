"""An .xlsx read by calamine (when `xlsx_scan` clears it) gives the decisions the openpyxl path gives,
byte for byte; what calamine would misread goes to openpyxl."""

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

import real_ledger
from conftest import AS_OF
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.ledger.read import xlsx_scan
from landrules.ledger.read.limits import InputLimits
from landrules.ledger.validate.cells import parse_cell
from xlsx_surgery import rewrite_sheet

SAMPLE_CSV = real_ledger.SAMPLE


def typed_book(path: Path) -> Path:
    """The sample ledger with typed cells, laid out off A1: a title row, an empty column A,
    dates as date cells in two formats, numbers, booleans, a numeric parcel id, text with spaces."""
    header, rows = real_ledger.canonical()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B1"] = "石龙区台账"
    sheet.append([])
    sheet.append([None, *header])
    for k, row in enumerate(rows):
        cells = [None]
        for name, text in zip(header, row):
            value = text
            if text and name in real_ledger.DATES:
                day = parse_cell("approved_on", text)
                value = dt.datetime(day.year, day.month, day.day)
            elif text and re.fullmatch(r"-?\d+(\.\d+)?", text) and name != "宗地编号":
                value = float(text) if "." in text else int(text)
            cells.append(value)
        if k == 3:
            cells[1] = 1001  # a numeric parcel id
        if k == 5:
            cells[3] = "  带空格的用地单位 "
        sheet.append(cells)
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = 'yyyy"年"m"月"d"日"' if cell.row % 2 else "yyyy-mm-dd"
    sheet.append([None, "X-BOOL", 3.5, *([None] * 16), True])
    sheet.cell(row=sheet.max_row, column=len(header) + 3, value="表头之外")  # named on its row, by its cell
    book.save(path)
    return path


def decided(path: Path, out: Path, monkeypatch, calamine: bool) -> bytes:
    monkeypatch.setattr(xlsx_scan, "calamine_safe", lambda *a: calamine)
    decide_ledger(path, out, RunOptions(real_ledger_rulebook(), AS_OF, engine="vectorized"))
    return out.read_bytes()


_RULEBOOK = {}


def real_ledger_rulebook():
    if not _RULEBOOK:
        from landrules.rulebook.load import load_rulebook

        _RULEBOOK["book"] = load_rulebook(real_ledger.ROOT / "rules", real_ledger.ROOT / "policy")
    return _RULEBOOK["book"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
@pytest.mark.parametrize("make", [typed_book, real_ledger.write_xlsx])
def test_calamine_and_openpyxl_give_the_same_decisions(tmp_path, monkeypatch, make, suffix):
    book = make(tmp_path / "ledger.xlsx")
    assert xlsx_scan.calamine_safe(book, InputLimits.from_env())  # these books do go to calamine
    fast = decided(book, tmp_path / f"fast{suffix}", monkeypatch, True)
    slow = decided(book, tmp_path / f"slow{suffix}", monkeypatch, False)
    assert fast == slow and len(fast) > 1000
    if make is typed_book:
        assert "表头之外" in fast.decode("utf-8-sig") and "单元格 " in fast.decode("utf-8-sig")


def _small(tmp_path) -> Path:
    book = openpyxl.Workbook()
    book.active.append(["宗地编号", "面积（亩）"])
    book.active.append(["P1", 2])
    book.save(tmp_path / "small.xlsx")
    return tmp_path / "small.xlsx"


def _cell(xml: bytes, new: bytes) -> bytes:
    return re.sub(rb'<c r="B2"[^>]*>.*?</c>', new, xml)


@pytest.mark.parametrize("cell, safe", [
    (b'<c r="B2"><f>1+1</f><v>2</v></c>', True),  # a formula with its saved value
    (b'<c r="B2" t="str"><f>""</f><v></v></c>', True),  # a formula whose saved value is ""
    (b'<c r="B2"><f>1+1</f></c>', False),  # no saved value: openpyxl names the cell
    (b'<c r="B2"><f>1+1</f><v></v></c>', False),
    (b'<x:c r="B2"><x:f>1+1</x:f></x:c>', False),  # a namespace prefix changes nothing
    (b'<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', False),  # calamine gives an error value as ""
    (b'<c r="B2" s="1"/><c r="C2"><f>A1</f></c>', False),  # a self-closed cell before it
])
def test_what_goes_to_calamine(tmp_path, cell, safe):
    book = rewrite_sheet(_small(tmp_path), lambda xml: _cell(xml, cell))
    assert xlsx_scan.calamine_safe(book, InputLimits.from_env()) is safe


def test_an_unfinished_sheet_or_a_large_file_goes_to_openpyxl(tmp_path, monkeypatch):
    cut = rewrite_sheet(_small(tmp_path), lambda xml: xml[: xml.index(b"</sheetData>")])
    assert not xlsx_scan.calamine_safe(cut, InputLimits.from_env())
    small = _small(tmp_path)
    monkeypatch.setattr(xlsx_scan, "CALAMINE_MAX_BYTES", small.stat().st_size - 1)
    assert not xlsx_scan.calamine_safe(small, InputLimits.from_env())


def test_a_cell_split_across_scan_blocks_is_seen_whole(tmp_path, monkeypatch):
    """A formula without a value found wherever the scan's blocks cut the XML."""
    book = rewrite_sheet(_small(tmp_path), lambda xml: _cell(xml, b'<c r="B2"><f>1+1</f></c>'))
    for block in (7, 64, 1 << 10):
        monkeypatch.setattr(xlsx_scan, "_BLOCK", block)
        monkeypatch.setattr(xlsx_scan, "_PIECE", 3)
        assert not xlsx_scan.calamine_safe(book, InputLimits.from_env())
