"""Reading .xls, WPS .et (both OLE2), .ods, and the .xlsx that `xlsx_scan` clears, with python-calamine.

calamine reads a sheet into memory (OLE2 and ODS keep no row index to stream from); rows are
then converted to Python lazily and handed on in chunks like every other format. Cells come as
Python values: text, float/int, bool, datetime.date/datetime for date cells, "" when empty
(formulas as their last computed value).
"""

from __future__ import annotations

import datetime as dt
import itertools
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from landrules.ledger.columns.headers import HeaderResolver
from landrules.ledger.errors import LedgerError, clip
from landrules.ledger.read import merged, xls_scan
from landrules.ledger.read.limits import InputLimits
from landrules.ledger.read.ods_scan import check_ods
from landrules.ledger.read.sheet_choice import HEADER_SEARCH_ROWS, SheetInfo, ods_active, pick_sheet, xlsx_active
from landrules.ledger.read.sniff import NAMES, ODS, OLE2, PROTECTED, XLSX
from landrules.ledger.read.xlsx_openpyxl import sheet_grids


def _as_datetime(value: dt.date) -> dt.datetime:
    """A date cell as openpyxl gives it (a datetime at midnight), so every reader hands on alike."""
    return dt.datetime(value.year, value.month, value.day)


SUFFIX_OF = {OLE2: (".xls", ".et"), ODS: (".ods",), XLSX: (".xlsx", ".xlsm")}


def _reraise_unless_calamine(exc: BaseException) -> None:
    """Let Ctrl-C and exits through; an error of calamine's — or its panic (a malformed file it
    indexes past), which reaches Python as pyo3's PanicException, a BaseException — is the
    file's fault, said in one line by the caller."""
    if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
        raise exc


def refusal(kind: str, exc: BaseException) -> str:
    """Why calamine would not open a file, in one Chinese line."""
    text = str(exc)
    if "password" in text.lower() or "encrypt" in text.lower():
        return PROTECTED
    if isinstance(exc, zipfile.BadZipFile) or "zip" in type(exc).__name__.lower() or "Zip" in text:
        return f"{NAMES.get(kind, kind)} 文件已损坏或不完整（压缩结构缺失，可能下载或复制未完成）；请从原处重新取得该文件"
    if "Cell limit exceeded" in text:  # calamine's own bound on a sheet's dense rectangle
        return f"{NAMES.get(kind, kind)} 中有工作表填到的范围过大（{clip(text)}），拒绝读取；请删去表格范围外的内容"
    return f"不是有效的 {NAMES.get(kind, kind)} 文件（文件损坏或格式不符）: {type(exc).__name__}"


def open_calamine(
    path: Path, kind: str, sheet: str | int | None, chunk_rows: int, resolver: HeaderResolver,
    clean: Callable[[Any], str],
) -> tuple[list[list[Any]], Iterator[tuple[pd.DataFrame, int]], list[str]]:
    """(head rows, grids of the rows below them, notices) of the ledger's sheet."""
    from python_calamine import CalamineWorkbook

    limits = InputLimits.from_env()
    xls = xls_scan.read_book(path) if kind == OLE2 else None
    # calamine reads every sheet whole when it opens the file: bound them first
    if kind == ODS:
        check_ods(path, limits)
    elif kind == OLE2:
        xls_scan.check_extent(path, xls, limits)
    try:
        if path.suffix.lower() in SUFFIX_OF.get(kind, ()):
            book = CalamineWorkbook.from_path(str(path))
        else:  # named otherwise (.xls content in a .xlsx): calamine picks its reader by the name, so by content here
            with path.open("rb") as handle:
                book = CalamineWorkbook.from_filelike(handle)
        names = list(book.sheet_names)
        sheets = [SheetInfo(m.name, str(m.visible).rsplit(".", 1)[-1] == "Visible") for m in book.sheets_metadata]
    except BaseException as exc:  # CalamineError, XlsError, zip errors, a panic, …
        _reraise_unless_calamine(exc)
        raise LedgerError(path, refusal(kind, exc)) from None

    def head_of(name: str) -> list[list[Any]]:
        return [list(r) for r in itertools.islice(book.get_sheet_by_name(name).iter_rows(), HEADER_SEARCH_ROWS)]

    try:
        if kind == XLSX:
            active = xlsx_active(path, names)
        elif kind == ODS:
            active = ods_active(path, names)
        else:  # the WINDOW1 record's active tab
            active = xls_scan.active_sheet(xls, [s.name for s in sheets])
        name, notices = pick_sheet(path, sheets, sheet, head_of, resolver, clean, active)
        chosen = book.get_sheet_by_name(name)
        rows = chosen.iter_rows()
        lead = chosen.start[1] if kind == XLSX and chosen.start else 0
        if lead:  # an .xlsx's rows begin at column A, as openpyxl gives them (calamine starts at the first filled column)
            rows = ([""] * lead + r for r in rows)
    except LedgerError:
        raise
    except BaseException as exc:
        _reraise_unless_calamine(exc)
        raise LedgerError(path, f"无法读取工作表: {type(exc).__name__}: {clip(exc)}") from None
    head = [[_as_datetime(v) if type(v) is dt.date else v for v in r] for r in itertools.islice(rows, HEADER_SEARCH_ROWS)]

    ranges = [merged.Merged(top + 1, left, bottom + 1, right)
              for (top, left), (bottom, right) in (getattr(chosen, "merged_cell_ranges", None) or [])]

    def grids(header_at: int, width: int) -> Iterator[tuple[pd.DataFrame, int, dict[int, list[str]]]]:
        """Chunks of rows `width` cells wide; a filled cell beyond is an error of its row."""
        numbered = itertools.chain(enumerate(head[header_at + 1:], header_at + 2), enumerate(rows, len(head) + 1))
        numbered = merged.fill(numbered, merged.below(ranges, header_at + 1), width)
        dated = ((n, [_as_datetime(v) if type(v) is dt.date else v for v in row]) for n, row in numbered)
        return sheet_grids(dated, width, chunk_rows, header_at + 2)

    grids.spans = lambda header_row: merged.below(ranges, header_row)  # for the notice
    return head, grids, notices
