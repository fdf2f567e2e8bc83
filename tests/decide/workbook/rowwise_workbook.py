"""The decision workbook written the way it was before issue 26 (row by row through openpyxl), and
openpyxl reading two workbooks back cell by cell: shared by tests/decide/workbook/test_workbook_columnwise.py
and its child process.

    python rowwise_workbook.py LEDGER OLD NEW SHEET…

decides LEDGER into OLD row by row, prints "written", waits for a line on its standard input (the
test's word that NEW, the column-wise workbook of the same ledger, is written), then compares the
named sheets of OLD and NEW cell by cell (`same_cells`) and prints their row counts as JSON. A
difference is an AssertionError (exit 1) naming the sheet and row, both rows in full."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from xml.etree.ElementTree import iterparse

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet import _read_only, _reader
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import localname

from conftest import invoke
from landrules.ledger.write import xlsx_book
from landrules.ledger.write.xlsx_book import LINE_HEIGHT, append_sized
from landrules.ledger.write.xlsx_cells import row_cells, styled


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


def decide(ledger: Path, out: Path) -> None:
    result = invoke("decide", ledger, "--as-of", "2023-06-30", "-o", out)
    assert result.exit_code in (0, 1), result.output
    assert out.exists()


def decide_row_by_row(ledger: Path, out: Path) -> None:
    """`decide`, with `RowByRowBody` in place of `Book.body` for this one run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsx_book.Book, "body", lambda self, sheet, first_row, looks=None, tall=None:
                      RowByRowBody(sheet, first_row, looks, tall))
        decide(ledger, out)


class _InlineText:
    """openpyxl's `Text.from_tree(node).content` for an inline string (<is>: the text of its <t>,
    then of each rich run's <t>; phonetic runs left out), without building the Text object through
    openpyxl's generic descriptors: that was a third of the time to read the row-by-row workbook,
    whose strings openpyxl writes inline (the column-wise one shares them)."""

    @staticmethod
    def from_tree(node):
        plain, runs = None, []
        for element in node:
            tag = localname(element)
            if tag == "t":
                plain = element.text
            elif tag == "r":
                text = None
                for part in element:
                    if localname(part) == "t":
                        text = part.text
                runs.append(text)
        return SimpleNamespace(content="".join(s for s in (plain, *runs) if s is not None))


@contextlib.contextmanager
def openpyxl_reading_fast():
    """openpyxl reads the two workbooks as it always does, cell by cell, but faster:
    - its XML events come from the standard library's C parser, not defusedxml's Python one
      (openpyxl takes defusedxml when it is installed, to guard against hostile files; these two
      are the test's own),
    - a read-only sheet looks for its <dimension> up to <sheetData> only, where it stands; openpyxl
      parses the whole sheet when there is none (neither writer writes one) to find that out, and
    - an inline string's text is joined straight from its elements (`_InlineText`)."""
    dimension, data = f"{{{SHEET_MAIN_NS}}}dimension", f"{{{SHEET_MAIN_NS}}}sheetData"

    def get_size(self):
        with self._get_source() as src:
            for _, element in iterparse(src, events=("start",)):
                if element.tag == dimension:
                    self._min_column, self._min_row, self._max_column, self._max_row = SheetDimension.from_tree(element).boundaries
                    return
                if element.tag == data:
                    return

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_reader, "iterparse", iterparse)
        patch.setattr(_reader, "Text", _InlineText)
        patch.setattr(_read_only.ReadOnlyWorksheet, "_get_size", get_size)
        yield


def cell(c, looks: dict) -> tuple:
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


def same_cells(old: Path, new: Path, names) -> dict[str, int]:
    """The sheets `names` of the two workbooks, read with openpyxl (read-only), row by row: every
    cell that holds a value, its value, type and look, the same in both; {sheet: rows read}."""
    counts = {}
    with openpyxl_reading_fast():
        a, b = load_workbook(old, read_only=True), load_workbook(new, read_only=True)
        try:
            old_looks, new_looks = {}, {}
            for name in names:
                count = 0
                for x, y in zip(a[name].iter_rows(), b[name].iter_rows(), strict=True):
                    before = [cell(c, old_looks) for c in x if c.value is not None]
                    after = [cell(c, new_looks) for c in y if c.value is not None]
                    if before != after:
                        raise AssertionError(f"{name} row {x[0].row}:\nrow by row  {before}\ncolumn-wise {after}")
                    count += 1
                counts[name] = count
        finally:
            a.close()
            b.close()
    return counts


def main(ledger: str, old: str, new: str, *names: str) -> None:
    decide_row_by_row(Path(ledger), Path(old))
    print("written", flush=True)
    sys.stdin.readline()  # NEW is written
    print(json.dumps(same_cells(Path(old), Path(new), names), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
