"""Reading an XLSX sheet row by row, trusting nothing the file says about itself.

openpyxl's read-only mode does the parsing (shared strings, styles, dates); this module
decides what to ask of it and what to refuse:

- **Every row and column**: the `<dimension>` tag that many tools write wrong (`A1`, `A1:I41`
  on a sheet of 40 columns) is ignored; rows are taken from the sheet's XML as they come.
- **Formulas without saved values** (a file written by a program, never opened in Excel) have
  no value to read: the cell becomes empty and its row carries an error naming the cell
  (`Chunk.errors`), so the row is never dropped nor decided on a guess.
- **Bounded memory** (`limits.InputLimits`): every part's declared decompressed size is checked
  before anything is read, and the bytes actually decompressed are counted while streaming
  (`BoundedPart`), as is the longest run of text between two XML tags (one cell's text, or a
  sea of whitespace): past a bound the file is refused with a message naming the part, the
  size and the environment variable that moves the bound.
- **Damaged XML** is refused naming the sheet and the row it was reading.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from landrules.ledger.errors import DAMAGED_ZIP, LedgerError, clip
from landrules.ledger.read.limits import InputLimits, size_text
from landrules.ledger.validate.cells import is_empty

NO_CACHED_VALUE = "公式无计算结果，请在 Excel 中打开并保存"
_LIMIT_HINT = {
    "sheet": "LANDRULES_XLSX_MAX_SHEET_MB",
    "part": "LANDRULES_XLSX_MAX_PART_MB",
    "cell": "LANDRULES_MAX_CELL_KB",
}


# Excel's built-in number formats 27–36 and 50–58 are locale-dependent and not in openpyxl's
# table, so a date cell formatted 2018年12月31日 on Chinese Excel would come back as a serial
# number. These are their zh-CN definitions (date and time formats only matter here).
_ZH_CN_BUILTIN_FORMATS = {
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: 'm"月"d"日"', 55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}
for _id, _format in _ZH_CN_BUILTIN_FORMATS.items():
    openpyxl.styles.numbers.BUILTIN_FORMATS.setdefault(_id, _format)


class _Uncached:
    """A formula cell with no saved value (replaced by None, its row given an error)."""

    __slots__ = ()


UNCACHED = _Uncached()


class BoundedPart:
    """A zip member's stream that refuses to give more than `limit` bytes in all, or a run of
    more than `cell_limit` bytes without a '<' (the text of one cell, or whitespace)."""

    def __init__(self, path: Path, raw, name: str, limit: int, kind: str, cell_limit: int):
        self._path, self._raw, self.name = path, raw, name
        self._limit, self._kind, self._cell_limit = limit, kind, cell_limit
        self.read_bytes = 0
        self._run = 0  # bytes since the last '<'

    def read(self, n: int = -1) -> bytes:
        try:
            data = self._raw.read(n if n is not None and n >= 0 else 1 << 20)
        except (zlib.error, zipfile.BadZipFile, EOFError) as exc:  # a flipped byte, a cut download
            raise LedgerError(self._path, f"文件已损坏：{self.name} 无法解压（{type(exc).__name__}: {clip(exc)}）；"
                                          f"请从原处重新取得该文件，或在 Excel/WPS 中打开后另存") from None
        self.read_bytes += len(data)
        if self.read_bytes > self._limit:
            raise too_big(self._path, self.name, self.read_bytes, self._limit, self._kind, "解压后已超过")
        first = data.find(b"<")
        if first < 0:
            self._run += len(data)
        elif self._run + first > self._cell_limit:
            self._run += first
        else:  # a run inside this block is at most one read long: only the ends can grow
            self._run = len(data) - data.rfind(b"<") - 1
        if self._run > self._cell_limit:
            raise LedgerError(self._path, f"{self.name} 中有一段连续文本（一个单元格或空白）超过 "
                                          f"{size_text(self._cell_limit)} 的上限，拒绝读取"
                                          f"（可用环境变量 {_LIMIT_HINT['cell']} 调整，单位 KB）")
        return data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def too_big(path: Path, name: str, size: int, limit: int, kind: str, verb: str = "解压后为") -> LedgerError:
    return LedgerError(path, f"XLSX 文件中的 {name} {verb} {size_text(size)}，超过 {size_text(limit)} 的上限，"
                             f"疑似压缩炸弹或损坏，拒绝读取（可用环境变量 {_LIMIT_HINT[kind]} 调整，单位 MB）")


def _kind(name: str) -> str:
    return "sheet" if name.startswith("xl/worksheets/") else "part"


def check_archive(path: Path, limits: InputLimits) -> None:
    """Refuse an XLSX whose parts declare more than the bounds, and stream the shared strings
    (which openpyxl reads whole) through `BoundedPart` before openpyxl sees them."""
    try:
        archive = zipfile.ZipFile(path)
    except DAMAGED_ZIP:
        return  # openpyxl says what is wrong with it
    with archive:
        for info in archive.infolist():
            kind = _kind(info.filename)
            limit = limits.sheet_bytes if kind == "sheet" else limits.part_bytes
            if info.file_size > limit:
                raise too_big(path, info.filename, info.file_size, limit, kind)
        for info in archive.infolist():
            if info.filename.startswith("xl/sharedStrings"):
                try:
                    with BoundedPart(path, archive.open(info), info.filename, limits.part_bytes, "part", limits.cell_bytes) as part:
                        while part.read(1 << 20):
                            pass
                except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                    raise LedgerError(path, f"XLSX 文件中的 {info.filename} 损坏: {clip(exc)}") from None


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, with formulas that have no saved value marked UNCACHED: no
    `<v>`, or an empty one on a cell not typed as text (a formula whose result is "" is saved
    as `t="str"` with an empty `<v>`; openpyxl and other writers leave `<v></v>` untyped)."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            value = element.find(VALUE_TAG)
            if value is None or (not value.text and element.get("t", "n") not in ("str", "inlineStr")):
                cell["value"] = UNCACHED
        return cell


class _BoundedArchive:
    """The workbook's zip as openpyxl's read-only sheets see it: every part they open is a
    BoundedPart (openpyxl reads the sheet's head for its size when the sheet is first taken)."""

    def __init__(self, archive: zipfile.ZipFile, path: Path, limits: InputLimits):
        self._archive, self._path, self._limits = archive, path, limits

    def open(self, name, *args, **kwargs):
        kind = _kind(getattr(name, "filename", name))
        limit = self._limits.sheet_bytes if kind == "sheet" else self._limits.part_bytes
        return BoundedPart(self._path, self._archive.open(name, *args, **kwargs), str(getattr(name, "filename", name)),
                           limit, kind, self._limits.cell_bytes)

    def __getattr__(self, attr):
        return getattr(self._archive, attr)


def open_book(path: Path, limits: InputLimits):
    """The workbook, read-only with saved values, after `check_archive`."""
    check_archive(path, limits)
    # openpyxl refuses a name not ending .xlsx/.xlsm: a workbook found by its content is opened as a stream
    source = path if path.suffix.lower() in (".xlsx", ".xlsm") else io.BytesIO(path.read_bytes())
    book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    book._archive = _BoundedArchive(book._archive, path, limits)
    return book


def sheet_rows(path: Path, book, sheet, limits: InputLimits) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values) for every row the sheet's XML holds, in order, every column the row
    has (rows absent from the XML are not yielded: they are blank). UNCACHED marks a formula
    without a saved value."""
    source = book._archive.open(sheet._worksheet_path)  # a BoundedPart (open_book)
    parser = _Parser(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                     date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
    row_number = 0
    try:
        for row_number, cells in parser.parse():
            values: list[Any] = []
            for cell in cells:
                column = cell["column"]
                if row_number > limits.max_rows or column > limits.max_columns:
                    if cell["value"] is None:
                        continue  # an empty (styled) cell far out: nothing to read, nothing to hold
                    raise LedgerError(path, limits.extent_problem(sheet.title, row_number, column))  # before the row grows
                if column > len(values):
                    values.extend([None] * (column - len(values)))
                values[column - 1] = cell["value"]
            if values or row_number <= limits.max_rows:
                yield row_number, values
    except LedgerError:
        raise
    except Exception as exc:  # ParseError / XMLSyntaxError and what a broken part raises
        where = f"第 {row_number} 行之后" if row_number else "开头"
        raise LedgerError(path, f"工作表 {sheet.title} 的 XML 已损坏（{where}）: {type(exc).__name__}: {clip(exc)}") from None
    finally:
        source.close()


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\sref\s*=\s*[\"']([^\"']{1,40})[\"']")


def merged_refs(book, sheet) -> list[str]:
    """The A1 references of the sheet's merged ranges (`<mergeCell>`, after the rows in the
    XML: the part is streamed once through its bounds to find them before the rows are read)."""
    refs: list[str] = []
    carry = b""
    with book._archive.open(sheet._worksheet_path) as part:  # a BoundedPart (open_book)
        while block := part.read(1 << 20):
            data = carry + block
            refs += [m.group(1).decode("ascii", "replace") for m in _MERGE.finditer(data)]
            cut = data.rfind(b"<")
            carry = data[cut:] if cut >= 0 and len(data) - cut < 512 else b""  # a tag cut by the block's end
    return list(dict.fromkeys(refs))  # a tag carried over whole is found twice


def dense_rows(rows: Iterator[tuple[int, list[Any]]], first_row: int = 1) -> Iterator[tuple[int, list[Any]]]:
    """`sheet_rows` with the blank rows between them filled in (as empty lists)."""
    expected = first_row
    for number, values in rows:
        for missing in range(expected, number):
            yield missing, []
        yield number, values
        expected = number + 1


def uncached_errors(row_number: int, values: list[Any], headers: list[Any]) -> list[str]:
    """Replace UNCACHED cells of a row by None (in place); the row's errors naming each cell."""
    errors = []
    for j, value in enumerate(values):
        if value is UNCACHED:
            values[j] = None
            header = headers[j] if j < len(headers) and headers[j] not in (None, "") else f"第 {j + 1} 列"
            errors.append(f"第{row_number}行 {clip(header)}（单元格 {get_column_letter(j + 1)}{row_number}）: {NO_CACHED_VALUE}")
    return errors


def head_rows(rows: Iterator[tuple[int, list[Any]]], n: int) -> list[list[Any]]:
    return [values for _, values in itertools.islice(rows, n)]


def sheet_grids(
    numbered: Iterator[tuple[int, list[Any]]], width: int, chunk_rows: int, offset: int,
    row_errors: Callable[[int, list[Any]], list[str]] | None = None,
) -> Iterator[tuple[pd.DataFrame, int, dict[int, list[str]]]]:
    """A sheet's numbered rows as grids `width` cells wide, `chunk_rows` rows each: (grid, file
    row of its first row, {file row: errors}). A filled cell beyond the width is an error of its
    row (never dropped silently), after the reader's own `row_errors`."""
    pending: list[list[Any]] = []
    errors: dict[int, list[str]] = {}
    for number, row in numbered:
        found = row_errors(number, row) if row_errors else []
        if len(row) > width:
            found = found + outside_header(number, row, width)
            row = row[:width]
        if found:
            errors[number] = found
        pending.append(row + [None] * (width - len(row)))
        if len(pending) >= chunk_rows:
            yield pd.DataFrame(pending, dtype=object), offset, errors
            offset += len(pending)
            pending, errors = [], {}
    if pending:
        yield pd.DataFrame(pending, dtype=object), offset, errors


def outside_header(number: int, row: list[Any], width: int) -> list[str]:
    """Errors for the filled cells of a row beyond the header's last column (never dropped silently)."""
    return [
        f'第{number}行 单元格 {get_column_letter(j + 1)}{number}: 在表头之外（表头只有 {width} 列），'
        f'内容 "{clip(v)}" 无法归入任何列；请补上表头或删去该单元格'
        for j, v in enumerate(row[width:], start=width) if not is_empty(v)
    ]
