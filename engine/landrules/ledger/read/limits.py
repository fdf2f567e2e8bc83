"""Bounds on what a ledger may hold, so a hostile or broken file is refused before memory runs out.

Each bound has a safe default and an environment variable to move it (a whole number):

| bound | default | variable |
|---|---|---|
| one XLSX part (a worksheet), decompressed | 2048 MiB | `LANDRULES_XLSX_MAX_SHEET_MB` |
| any other XLSX part (shared strings, styles, …), decompressed | 256 MiB | `LANDRULES_XLSX_MAX_PART_MB` |
| one cell's text (XLSX; bytes of XML text between two tags) | 4 MiB | `LANDRULES_MAX_CELL_KB` |
| the last row a sheet may fill (XLSX, ODS, XLS) | 1 048 576 (Excel's own) | `LANDRULES_MAX_ROWS` |
| the last column a sheet may fill | 1 024 (a ledger has ~40; Excel allows 16 384) | `LANDRULES_MAX_COLUMNS` |
| cells a reader that holds a sheet whole (calamine) may be given | 10 million (~320 MiB) | `LANDRULES_MAX_CELLS` |

Rows and columns are bounded **before** a reader allocates for them: calamine makes one dense
rectangle from A1 to the last filled cell, so a single cell at XFD1048576 in a 14 KB file
would ask for 549 GB. The XLSX `<dimension>` tag and every cell address are read by
`xlsx_scan` (a sheet past the cell bound, or with a dimension past it, goes to openpyxl, which
streams), ODS tables by `ods_scan`, .xls/.et sheets' cell records by `xls_scan` (calamine reads
every sheet when it opens one: a cell at IV65536 of a 6 KB .xls took 1 GB), and openpyxl's rows
as they stream (`xlsx_openpyxl`); a sheet filled past the last row or column, or past the cell
bound where a reader holds it whole, is refused in one line naming the file, the cell and the
bound.

Areas are bounded too (`MAX_AREA_MU`): no parcel of a county ledger spans a million 亩
(≈ 667 km²); a larger figure is a typing or unit error, and summing it would make the
summary meaningless (1e302 m² gives inf).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MIB = 1 << 20
MAX_AREA_MU = 1_000_000.0  # 亩; ≈ 666.7 km²
MESSAGE_VALUE_CHARS = 80  # a cell quoted back in a message is cut to this many characters


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class InputLimits:
    sheet_bytes: int
    part_bytes: int
    cell_bytes: int
    max_rows: int = 1 << 20
    max_columns: int = 1024
    max_cells: int = 10_000_000

    @classmethod
    def from_env(cls) -> InputLimits:
        return cls(
            sheet_bytes=_env_int("LANDRULES_XLSX_MAX_SHEET_MB", 2048) * MIB,
            part_bytes=_env_int("LANDRULES_XLSX_MAX_PART_MB", 256) * MIB,
            cell_bytes=_env_int("LANDRULES_MAX_CELL_KB", 4096) * 1024,
            max_rows=_env_int("LANDRULES_MAX_ROWS", 1 << 20),
            max_columns=_env_int("LANDRULES_MAX_COLUMNS", 1024),
            max_cells=_env_int("LANDRULES_MAX_CELLS", 10_000_000),
        )

    def extent_problem(self, sheet: str, row: int, column: int) -> str | None:
        """Why a sheet filled at (row, column) (1-based) is refused, past the bounds on rows and
        columns (the caller raises it as the file's LedgerError), or None."""
        if row <= self.max_rows and column <= self.max_columns:
            return None
        return (f"工作表 {sheet[:MESSAGE_VALUE_CHARS]} 的单元格 {cell_name(row, column)} 超出上限（最多 {self.max_rows} 行、"
                f"{self.max_columns} 列），疑似误填或构造的文件，拒绝读取；请删去表格范围外的单元格"
                f"（可用环境变量 LANDRULES_MAX_ROWS / LANDRULES_MAX_COLUMNS 调整）")


def cell_name(row: int, column: int) -> str:
    """A1-style address of a 1-based cell (columns past XFD are still lettered)."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def size_text(n: int) -> str:
    """A byte count for people: 2.5 GiB, 300 MiB, 12 KiB."""
    for unit, size in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}".replace(".0 ", " ")
    return f"{n} 字节"
