"""A minimal .xls writer for tests (BIFF8 in an OLE2 compound file), byte by byte: sheets of
text and number cells, each visible, hidden or very hidden, the tab the workbook opens on, and
cells anywhere up to IV65536. Enough for calamine to read; no styles, no shared strings.

Nothing on the machine writes .xls but LibreOffice (slow, and not everywhere): this makes the
files the sheet-choice and bounds tests need in a millisecond."""

from __future__ import annotations

import struct
from pathlib import Path

SECTOR = 512
_END, _FREE, _FAT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
STATES = {"visible": 0, "hidden": 1, "veryHidden": 2}


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _text(value: str, length_bytes: int) -> bytes:
    """An XLUnicodeString (2-byte length) or ShortXLUnicodeString (1-byte), always UTF-16."""
    encoded = value.encode("utf-16-le")
    return struct.pack("<H" if length_bytes == 2 else "<B", len(value)) + b"\x01" + encoded


def _cell(row: int, column: int, value) -> bytes:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _record(0x0203, struct.pack("<HHHd", row, column, 15, float(value)))  # NUMBER
    return _record(0x0204, struct.pack("<HHH", row, column, 15) + _text(str(value), 2))  # LABEL


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _sheet_stream(rows: list[list], far: dict[tuple[int, int], object], dimensions: tuple | None = None) -> bytes:
    cells = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v is not None}
    cells.update(far)
    last_row = max((r for r, _ in cells), default=-1) + 1
    last_column = max((c for _, c in cells), default=-1) + 1
    first_row, last_row, first_column, last_column = dimensions or (0, last_row, 0, last_column)
    body = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", first_row, last_row, first_column, last_column, 0))
    body += _record(0x023E, struct.pack("<HHHHHHHHI", 0x06B6, 0, 0, 0x40, 0, 0, 0, 0, 0))  # WINDOW2
    for (r, c), value in sorted(cells.items()):
        body += _cell(r, c, value)
    return body + _record(0x000A, b"")


def workbook_stream(sheets: list[tuple[str, list[list], str, dict]], active: int,
                    dimensions: dict[int, tuple] | None = None, strings: int | None = None) -> bytes:
    """`sheets`: (name, rows, visibility, far cells {(row, column): value}) each; `dimensions`
    states a sheet's DIMENSIONS record (first row, row after the last, first column, column after
    the last) whatever its cells; `strings` adds a shared-string table claiming that many."""
    window = _record(0x003D, struct.pack("<HHHHHHHHH", 0, 0, 0x4000, 0x2000, 0x38, active, 0, 1, 0x0258))
    head = _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + window
    # XF records: calamine looks a cell's format up by its XF index (15 is the default cell XF)
    font = _record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + _text("Arial", 1))
    xfs = b"".join(_record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5 if i < 15 else 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
                   for i in range(16))
    head += font * 5 + xfs
    if strings is not None:
        head += _record(0x00FC, struct.pack("<ii", strings, strings))
    sheet_streams = [_sheet_stream(rows, far, (dimensions or {}).get(i)) for i, (_, rows, _, far) in enumerate(sheets)]
    bound = [(name, STATES[state]) for name, _, state, _ in sheets]
    size_bound = sum(4 + 6 + len(_text(name, 1)) for name, _ in bound)
    padding = _record(0x00E2, b"") * max(0, (4200 - len(head) - size_bound - sum(map(len, sheet_streams))) // 4)
    offset = len(head) + len(padding) + size_bound + 4  # + the globals' EOF
    boundsheets = b""
    for (name, state), stream in zip(bound, sheet_streams):
        boundsheets += _record(0x0085, struct.pack("<IBB", offset, state, 0) + _text(name, 1))
        offset += len(stream)
    return head + padding + boundsheets + _record(0x000A, b"") + b"".join(sheet_streams)


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """An OLE2 compound file holding one stream (of 4096 bytes or more: no mini stream)."""
    assert len(stream) >= 4096
    data_sectors = -(-len(stream) // SECTOR)
    directory_sector = data_sectors
    total = data_sectors + 1
    fat_sectors = 1
    while total + fat_sectors > fat_sectors * (SECTOR // 4):
        fat_sectors += 1
    fat = list(range(1, data_sectors)) + [_END, _END] + [_FAT] * fat_sectors
    fat += [_FREE] * (fat_sectors * SECTOR // 4 - len(fat))
    header = bytearray(SECTOR)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, fat_sectors, directory_sector, 0, 4096, _END, 0, _END, 0, 0)
    difat = [total + i for i in range(fat_sectors)] + [_FREE] * (109 - fat_sectors)
    struct.pack_into("<109I", header, 0x4C, *difat)

    def entry(entry_name: str, kind: int, start: int, size: int, child: int = _FREE) -> bytes:
        raw = bytearray(128)
        encoded = entry_name.encode("utf-16-le")
        raw[0:len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded) + 2, kind, 1)
        struct.pack_into("<III", raw, 68, _FREE, _FREE, child)
        struct.pack_into("<II", raw, 116, start, size)
        return bytes(raw)

    directory = entry("Root Entry", 5, _END, 0, child=1) + entry(name, 2, 0, len(stream)) + bytes(256)
    body = stream + bytes(data_sectors * SECTOR - len(stream)) + directory
    return bytes(header) + body + struct.pack(f"<{len(fat)}I", *fat)


def xls(folder: Path, sheets: list[tuple[str, list[list]]] | list[tuple], name: str = "ledger.xls",
        active: int = 0, **stated) -> Path:
    """An .xls of `sheets`: (name, rows[, visibility[, far cells {(row, column) 0-based: value}]]);
    `stated`: `dimensions`, `strings` as workbook_stream takes them."""
    full = [(s[0], s[1], s[2] if len(s) > 2 else "visible", s[3] if len(s) > 3 else {}) for s in sheets]
    path = folder / name
    path.write_bytes(compound_file(workbook_stream(full, active, **stated)))
    return path
