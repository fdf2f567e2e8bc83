"""Whether an .xlsx may be read by calamine (16× faster) and still be read as openpyxl reads it.

calamine takes a formula's saved value and nothing else: a formula cell without one (a file
written by a program, never opened in Excel) comes back empty, and a row of them disappears as
blank, where the openpyxl path names the cell (`xlsx_read`). It holds the sheet in memory, and
it applies none of landrules' bounds on decompressed sizes. So an .xlsx goes to calamine only
when this scan has streamed every part through the same bounds as the openpyxl path (raising
the same refusals), found every worksheet complete, and found no formula cell without a saved
value or error value (#DIV/0!, which calamine also gives as empty); and only up to CALAMINE_MAX_BYTES, past which openpyxl streams in bounded memory.

calamine holds a sheet as one dense rectangle from A1 to its last filled cell (and sizes it by
the `<dimension>` tag): the scan also reads that tag and every cell address, and a sheet whose
rectangle would pass the bounds on rows, columns or cells (`limits`) is left to openpyxl, which
streams and refuses a cell past the last row or column in one line (`xlsx_openpyxl.sheet_rows`).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from landrules.ledger.read.limits import InputLimits
from landrules.ledger.read.xlsx_openpyxl import BoundedPart, check_archive

CALAMINE_MAX_BYTES = 16 << 20  # a 16 MB workbook is about 80 000 rows; calamine holds ~3 KB a row
_BLOCK = 1 << 22
_PIECE = 1 << 16  # as openpyxl's parser reads
_CARRY_MAX = 1 << 24  # a single cell's XML longer than this: leave the file to openpyxl

_CELL = re.compile(rb"<(?:\w+:)?c\b((?:[^>/]|/(?!>))*)>(.*?)</(?:\w+:)?c>", re.S)  # not a self-closed <c .../>
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_TEXT_TYPE = re.compile(rb"""\bt\s*=\s*["'](?:str|inlineStr)["']""")
_ERROR_CELL = re.compile(rb"""<(?:\w+:)?c\b[^>]*?\st\s*=\s*["']e["']""")  # #DIV/0! and the like: calamine gives ""
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_END = re.compile(rb"</(?:\w+:)?worksheet>\s*$")
_ADDRESS = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr\s*=\s*[\"']([A-Za-z]{1,7})(\d{1,10})[\"']")
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr\s*=\s*[\"'](\d{1,10})[\"']")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(rb"([A-Za-z]{1,7})(\d{1,10})")


def calamine_safe(path: Path, limits: InputLimits) -> bool:
    """True when calamine would read this .xlsx as the openpyxl path does. Raises the openpyxl
    path's LedgerError for a part past the bounds; any other doubt (a damaged zip, an unfinished
    sheet, a formula without a saved value, a large file) is False: openpyxl reads it and words it."""
    if path.stat().st_size > CALAMINE_MAX_BYTES:
        return False
    check_archive(path, limits)  # declared sizes, and the shared strings streamed through the bounds
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = [i for i in archive.infolist() if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
            if not sheets:
                return False
            for info in sheets:
                with BoundedPart(path, archive.open(info), info.filename, limits.sheet_bytes, "sheet", limits.cell_bytes) as part:
                    extent = [0, 0]
                    if not _values_saved(part, extent) or not _within(extent, limits):
                        return False
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        return False
    return True


def _within(extent: list[int], limits: InputLimits) -> bool:
    rows, columns = extent
    return rows <= limits.max_rows and columns <= limits.max_columns and rows * columns <= limits.max_cells


def column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


_PLAIN_ROW = re.compile(rb'<row r="(\d{1,10})"')
_PLAIN_COLUMN = re.compile(rb'<c r="([A-Z]{1,7})')
def _extend(extent: list[int], data: bytes, prefixed: bool = False) -> None:
    """Grow `extent` ([last row, last column]) by the dimension tag, rows and cell addresses in
    `data`. Rows and cells as Excel, WPS, LibreOffice and openpyxl write them (`<row r="7"`,
    `<c r="B7"`) are read by plain patterns: the rows by their tags, a cell's row only when it
    has more digits than the last row tag (a cell placed far below its row); a block with any
    other spelling by the general patterns, every cell."""
    if b"dimension" in data:
        for m in _DIMENSION.finditer(data):
            for letters, digits in _REF.findall(m.group(1)):
                extent[0], extent[1] = max(extent[0], int(digits)), max(extent[1], column_number(letters))
    if prefixed or data.count(b"<c ") != data.count(b'<c r="') or data.count(b"<row ") != data.count(b'<row r="'):
        rows = _ROW.findall(data)
        cells = _ADDRESS.findall(data)
        if cells:
            extent[1] = max(extent[1], max(column_number(c) for c in {c for c, _ in cells}))
            extent[0] = max(extent[0], max(int(r) for _, r in cells))
    else:
        rows = _PLAIN_ROW.findall(data)
        columns = set(_PLAIN_COLUMN.findall(data))
        if columns:
            extent[1] = max(extent[1], max(column_number(c) for c in columns))
        if rows:
            extent[0] = max(extent[0], max(map(int, rows)))
        longer = rb'<c r="[A-Z]{1,7}\d{%d,}' % (len(str(extent[0])) + 1)
        if re.search(longer, data):  # a cell below every row tag seen: every cell is looked at
            extent[0] = max(extent[0], max(int(r) for _, r in _ADDRESS.findall(data)))
        return
    if rows:
        extent[0] = max(extent[0], max(map(int, rows)))


def _values_saved(part: BoundedPart, extent: list[int]) -> bool:
    """Whether every formula cell of a worksheet stream has a saved value, no cell holds an
    error value, and the sheet ends; `extent` grows to the sheet's last row and column."""
    carry, tail = b"", b""
    prefixed = None  # whether the sheet's tags carry a namespace prefix (<x:worksheet>): general patterns then
    while block := _block(part):
        data = carry + block
        if prefixed is None:
            prefixed = b"<worksheet" not in data[:8192]
        tail = data[-64:]
        cut = _last_cell_end(data)
        _extend(extent, data[:cut], prefixed)
        if _ERROR_CELL.search(data, 0, cut) or (_FORMULA.search(data, 0, cut) and not _cells_saved(data[:cut])):
            return False
        carry = data[cut:]
        if len(carry) > _CARRY_MAX:
            return False
    _extend(extent, carry, bool(prefixed))
    if carry and (_ERROR_CELL.search(carry) or (_FORMULA.search(carry) and not _cells_saved(carry))):
        return False
    return bool(_END.search(tail))


def _block(part: BoundedPart) -> bytes:
    """About _BLOCK bytes, read in pieces small enough for the part's bound on a run of text
    (it looks at the runs between reads)."""
    pieces, size = [], 0
    while size < _BLOCK and (piece := part.read(_PIECE)):
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def _last_cell_end(data: bytes) -> int:
    """Where the last complete `</c>` of `data` ends (0 when there is none)."""
    at = data.rfind(b"</")
    while at >= 0:
        m = _CELL_END.match(data, at)
        if m:
            return m.end()
        at = data.rfind(b"</", 0, at)
    return 0


def _cells_saved(data: bytes) -> bool:
    for cell in _CELL.finditer(data):
        attributes, body = cell.group(1), cell.group(2)
        if not _FORMULA.search(body):
            continue
        value = _VALUE.search(body)
        if value is None or (not value.group(1) and not _TEXT_TYPE.search(attributes)):
            return False  # no saved value (as xlsx_read._Parser marks it UNCACHED)
    return True
