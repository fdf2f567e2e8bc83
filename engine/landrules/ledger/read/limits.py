"""Bounds on what a ledger may hold, so a hostile or broken file is refused before memory runs out.

Each bound has a safe default and an environment variable to move it (a whole number):

| bound | default | variable |
|---|---|---|
| one XLSX part (a worksheet), decompressed | 2048 MiB | `LANDRULES_XLSX_MAX_SHEET_MB` |
| any other XLSX part (shared strings, styles, …), decompressed | 256 MiB | `LANDRULES_XLSX_MAX_PART_MB` |
| one cell's text (XLSX; bytes of XML text between two tags) | 4 MiB | `LANDRULES_MAX_CELL_KB` |

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

    @classmethod
    def from_env(cls) -> "InputLimits":
        return cls(
            sheet_bytes=_env_int("LANDRULES_XLSX_MAX_SHEET_MB", 2048) * MIB,
            part_bytes=_env_int("LANDRULES_XLSX_MAX_PART_MB", 256) * MIB,
            cell_bytes=_env_int("LANDRULES_MAX_CELL_KB", 4096) * 1024,
        )


def size_text(n: int) -> str:
    """A byte count for people: 2.5 GiB, 300 MiB, 12 KiB."""
    for unit, size in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}".replace(".0 ", " ")
    return f"{n} 字节"
