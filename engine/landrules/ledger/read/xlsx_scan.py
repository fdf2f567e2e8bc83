"""Whether an .xlsx may be read by calamine (16× faster) and still be read as openpyxl reads it.

calamine takes a formula's saved value and nothing else: a formula cell without one (a file
written by a program, never opened in Excel) comes back empty, and a row of them disappears as
blank, where the openpyxl path names the cell (`xlsx_read`). It holds the sheet in memory, and
it applies none of landrules' bounds on decompressed sizes. So an .xlsx goes to calamine only
when this scan has streamed every part through the same bounds as the openpyxl path (raising
the same refusals), found every worksheet complete, and found no formula cell without a saved
value or error value (#DIV/0!, which calamine also gives as empty); and only up to CALAMINE_MAX_BYTES, past which openpyxl streams in bounded memory.
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
                    if not _values_saved(part):
                        return False
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        return False
    return True


def _values_saved(part: BoundedPart) -> bool:
    """Whether every formula cell of a worksheet stream has a saved value, no cell holds an
    error value, and the sheet ends."""
    carry, tail = b"", b""
    while block := _block(part):
        data = carry + block
        tail = data[-64:]
        cut = _last_cell_end(data)
        if _ERROR_CELL.search(data, 0, cut) or (_FORMULA.search(data, 0, cut) and not _cells_saved(data[:cut])):
            return False
        carry = data[cut:]
        if len(carry) > _CARRY_MAX:
            return False
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
