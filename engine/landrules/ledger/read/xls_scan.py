"""What an .xls/.et says before calamine reads it: the sheet it opens on, and how far each sheet
is filled.

An .xls (and WPS's .et) is a BIFF workbook stream inside an OLE2 compound file. calamine gives
each sheet's name and visibility but not the tab the workbook opens on (the WINDOW1 record's
`itabCur`), and it holds a sheet as one dense rectangle from its first to its last filled cell:
one cell at IV65536 in a 6 KB file makes it allocate 16.7 million cells (≈ 1 GB). So the
workbook stream is read here first — the compound file's sector chains followed with every
step bounded — and each sheet's cell records are walked for the last row and column they fill,
before calamine is given the file. calamine also sizes memory by two counts a file states (each
sheet's DIMENSIONS record, the shared-string table's count) with no check: a flipped byte there
made it ask for 515 GB and abort. Counts past what the format can hold are refused here as a
damaged file.

Anything this reader cannot follow (a damaged compound file, a BIFF version it does not know)
gives `None`: calamine then reads the file, or says in its words what is wrong.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from landrules.ledger.errors import LedgerError, clip
from landrules.ledger.read.limits import InputLimits

_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_MAX_SECTOR = 0xFFFFFFFA
_WORKBOOK = ("Workbook", "Book")  # BIFF8 (Excel 97-2003, WPS) and BIFF5 (Excel 5/95)

_BOF, _EOF, _WINDOW1, _BOUNDSHEET, _FILEPASS, _SST, _DIMENSIONS = 0x0809, 0x000A, 0x003D, 0x0085, 0x002F, 0x00FC, 0x0200
# the cell records calamine keeps, whose first two fields are (row, column): formula, number,
# label, bool/error, RK, label SST, rich string (and BIFF3/4's formulas); MULRK ends with its last
# column. calamine skips BLANK and MULBLANK (a formatted empty cell), so they are not counted.
_CELLS = {0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x0406, 0x0206}
_MULRK = 0x00BD


@dataclass(frozen=True)
class XlsSheet:
    name: str
    offset: int  # the stream offset of the sheet's BOF record
    hidden: bool
    kind: int  # 0 worksheet, 1 macro sheet, 2 chart, 6 VB module


@dataclass(frozen=True)
class XlsBook:
    stream: bytes  # the workbook stream
    sheets: list[XlsSheet]  # in the workbook's order (as calamine lists them)
    active: int  # the tab the workbook opens on (WINDOW1's itabCur), 0 when it does not say
    damage: str | None = None  # a count in the globals no .xls can hold (Chinese)


MAX_ROWS, MAX_COLUMNS = 65536, 256  # what a BIFF8 sheet can hold
DAMAGED = "文件已损坏或是构造的，拒绝读取；请用 Excel 或 WPS 打开后另存为 .xlsx 再读"


class _Broken(Exception):
    """The compound file or the BIFF stream is not as this reader expects."""


def read_book(path: Path) -> XlsBook | None:
    """The workbook stream and its sheets, or None for a file this reader cannot follow."""
    try:
        stream = _workbook_stream(path.read_bytes())
        return _globals(stream)
    except (_Broken, struct.error, IndexError, ValueError, OSError):
        return None


def active_sheet(book: XlsBook | None, names: list[str]) -> str | None:
    """The name of the sheet the workbook opens on, given calamine's names (None when unknown)."""
    if book is None or len(book.sheets) != len(names) or not 0 <= book.active < len(names):
        return None
    return names[book.active]


def check_extent(path: Path, book: XlsBook | None, limits: InputLimits) -> None:
    """Refuse a workbook with a sheet filled past the bounds on rows, columns or cells (one line
    naming the file, the sheet, the cell and the bound), before calamine, which reads every sheet
    when it opens the file, allocates for it."""
    from landrules.ledger.read.ods_scan import too_many_cells

    if book is None:
        return
    if book.damage:
        raise LedgerError(path, book.damage)
    for sheet in book.sheets:
        name = sheet.name
        if sheet.kind != 0:
            continue
        try:
            (rows, columns), stated = _extent(book.stream, sheet.offset)
        except (_Broken, struct.error, IndexError):
            continue  # calamine says what is wrong with it
        if stated[0] > MAX_ROWS or stated[1] > MAX_COLUMNS:
            raise LedgerError(path, f"工作表 {clip(name)} 的尺寸记录写着 {stated[0]} 行 × {stated[1]} 列，超出 .xls 格式"
                                    f"所能容纳的 {MAX_ROWS} 行 × {MAX_COLUMNS} 列；{DAMAGED}")
        if not rows:
            continue
        problem = limits.extent_problem(name, rows, columns)
        if problem:
            raise LedgerError(path, problem)
        if rows * columns > limits.max_cells:
            raise too_many_cells(path, name, rows, columns, limits)


# --- the compound file -------------------------------------------------------------------------


def _workbook_stream(data: bytes) -> bytes:
    if len(data) < 512 or not data.startswith(_SIGNATURE):
        raise _Broken()
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise _Broken()
    size = 1 << shift
    count = (len(data) - size) // size  # sectors the file holds (the header takes the first)
    (fat_sectors, directory_start, _, cutoff, mini_fat_start, mini_fat_sectors,
     difat_start, difat_sectors) = struct.unpack_from("<IIIIIIII", data, 0x2C)
    if fat_sectors > count:
        raise _Broken()

    def sector(n: int) -> memoryview:
        if n >= count:
            raise _Broken()
        return memoryview(data)[(n + 1) * size:(n + 2) * size]

    fat_ids = list(struct.unpack_from("<109I", data, 0x4C))
    n, seen = difat_start, 0
    while n <= _MAX_SECTOR and len(fat_ids) < fat_sectors + 109 and seen <= count:
        words = struct.unpack(f"<{size // 4}I", sector(n))
        fat_ids.extend(words[:-1])
        n, seen = words[-1], seen + 1
    fat_ids = [i for i in fat_ids[:max(fat_sectors, 0)] if i <= _MAX_SECTOR]
    fat = b"".join(bytes(sector(i)) for i in fat_ids)
    table = struct.unpack(f"<{len(fat) // 4}I", fat)

    def chain(start: int, links: tuple[int, ...], limit: int) -> list[int]:
        found = []
        while start <= _MAX_SECTOR:
            if len(found) > limit or start >= len(links):
                raise _Broken()  # a loop, or a link outside the table
            found.append(start)
            start = links[start]
        return found

    directory = b"".join(bytes(sector(i)) for i in chain(directory_start, table, count))
    entries = {}
    for at in range(0, len(directory) - 127, 128):
        length = struct.unpack_from("<H", directory, at + 64)[0]
        kind = directory[at + 66]
        if kind not in (1, 2, 5) or not 2 <= length <= 64:
            continue
        name = directory[at:at + length - 2].decode("utf-16-le", "replace")
        start, stream_size = struct.unpack_from("<II", directory, at + 116)
        entries.setdefault(name if kind != 5 else "\0root", (start, stream_size))
    found = next((entries[n] for n in _WORKBOOK if n in entries), None)
    if found is None:
        raise _Broken()
    start, stream_size = found
    if stream_size >= cutoff:
        sectors = chain(start, table, count)
        stream = b"".join(bytes(sector(i)) for i in sectors)
    else:  # a small stream lives in the mini stream, 64-byte sectors chained by the mini FAT
        root_start, root_size = entries.get("\0root", (_END, 0))
        mini = b"".join(bytes(sector(i)) for i in chain(root_start, table, count))
        mini_fat = b"".join(bytes(sector(i)) for i in chain(mini_fat_start, table, count)[:mini_fat_sectors or None])
        links = struct.unpack(f"<{len(mini_fat) // 4}I", mini_fat)
        pieces = chain(start, links, len(mini) // 64 + 1)
        stream = b"".join(mini[i * 64:(i + 1) * 64] for i in pieces)
    if len(stream) < stream_size:
        raise _Broken()
    return stream[:stream_size]


# --- the BIFF stream ---------------------------------------------------------------------------


def _records(stream: bytes, at: int):
    """(type, data offset, data size) from `at` to the substream's EOF record."""
    end = len(stream)
    while at + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, at)
        if at + 4 + size > end:
            raise _Broken()
        yield kind, at + 4, size
        if kind == _EOF:
            return
        at += 4 + size


def _globals(stream: bytes) -> XlsBook:
    kind, _, _ = next(_records(stream, 0), (None, 0, 0))
    if kind not in (_BOF, 0x0409, 0x0209, 0x0009):
        raise _Broken()
    version = struct.unpack_from("<H", stream, 4)[0]
    sheets, active, damage = [], 0, None
    for kind, at, size in _records(stream, 0):
        if kind == _FILEPASS:  # encrypted: the records' contents are not readable here (calamine refuses it)
            raise _Broken()
        if kind == _WINDOW1 and size >= 12:
            active = struct.unpack_from("<H", stream, at + 10)[0]
        elif kind == _BOUNDSHEET and size >= 6:
            offset, state, sheet_kind = struct.unpack_from("<IBB", stream, at)
            name = _sheet_name(stream[at + 6:at + size], version == 0x0600) or f"第 {len(sheets) + 1} 张工作表"
            sheets.append(XlsSheet(name, offset, state & 0x03 != 0, sheet_kind))
        elif kind == _SST and size >= 8:  # each string takes 3 bytes at least
            count = struct.unpack_from("<i", stream, at + 4)[0]
            if not 0 <= count <= len(stream) // 3:
                damage = f"共享字符串表写着 {count} 个字符串，而整个文件放不下这么多；{DAMAGED}"
    return XlsBook(stream, sheets, active, damage)


def _sheet_name(data: bytes, biff8: bool) -> str:
    """A BOUNDSHEET's name: BIFF8 spells it in UTF-16 or in single bytes (Latin-1), BIFF5 in the
    workbook's code page (GBK on Chinese Windows)."""
    if not data:
        return ""
    count = data[0]
    if biff8 and len(data) >= 2:
        if data[1] & 0x01:
            return data[2:2 + 2 * count].decode("utf-16-le", "replace")
        return data[2:2 + count].decode("latin-1")
    raw = data[1:1 + count]
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _extent(stream: bytes, offset: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """((last row, last column), 1-based, that a sheet's cell records fill — (0, 0) when none;
    (rows, columns) its DIMENSIONS record makes calamine reserve room for)."""
    kind, _, _ = next(_records(stream, offset), (None, 0, 0))
    if kind not in (_BOF, 0x0409, 0x0209, 0x0009):
        raise _Broken()
    rows = columns = 0
    stated = (0, 0)
    pair = struct.Struct("<HH").unpack_from
    end = len(stream)
    at = offset
    cells = _CELLS
    while at + 4 <= end:  # _records, inlined: this loop meets every cell of the sheet
        kind, size = pair(stream, at)
        at += 4
        if kind in cells:
            row, column = pair(stream, at)
        elif kind == _MULRK:
            row = pair(stream, at)[0]
            column = pair(stream, at + size - 4)[1]
        elif kind == _EOF:
            break
        else:
            if kind == _DIMENSIONS:
                stated = _stated(stream[at:at + size])
            at += size
            continue
        if row >= rows:
            rows = row + 1
        if column >= columns:
            columns = column + 1
        at += size
    return (rows, columns), stated


def _stated(data: bytes) -> tuple[int, int]:
    """The (rows, columns) calamine reserves for a DIMENSIONS record, its unsigned 32-bit
    arithmetic included (first row past the last wraps round to four billion)."""
    if len(data) == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", data)
    elif len(data) == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<HHHH", data)
    else:
        return (0, 0)
    if last_row < 1 or last_column < 1:
        return (1, 1)
    wrap = 1 << 32
    return (last_row - first_row) % wrap, (last_column - first_column) % wrap
