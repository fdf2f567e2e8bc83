"""Merged cells: the value fills the merged range, as an officer sees it in Excel (issue 23).

A workbook keeps a merged range's value in its top-left cell only; the cells below and beside
it are empty in the file. A 坐落 or 土地用途 merged down over three parcels' rows would read as
empty on the second and third. Here every empty cell of a merged range below the header row
takes the range's value, and the ledger's notices say which ranges were filled. Ranges at or
above the header row (a title merged across the sheet, a two-row header) are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from landrules.ledger.read.limits import cell_name
from landrules.ledger.validate.cells import is_empty

SHOWN_RANGES = 10  # a notice names this many ranges, then counts the rest


@dataclass(frozen=True)
class Merged:
    """A merged range: rows 1-based as a person counts them, columns 0-based as in a row's values."""

    top: int
    left: int
    bottom: int
    right: int

    def __str__(self) -> str:
        return f"{cell_name(self.top, self.left + 1)}:{cell_name(self.bottom, self.right + 1)}"


_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})")


def _column(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number - 1


def from_ref(ref: str) -> Merged | None:
    """A range from its A1 reference ("C2:C5"), or None for anything else."""
    m = _REF.fullmatch(ref.strip())
    if not m:
        return None
    top, bottom = sorted((int(m.group(2)), int(m.group(4))))
    left, right = sorted((_column(m.group(1)), _column(m.group(3))))
    return Merged(top, left, bottom, right)


def below(ranges: Iterable[Merged], header_row: int) -> list[Merged]:
    """The ranges that begin below the header row (1-based), top to bottom."""
    return sorted((r for r in ranges if r.top > header_row and (r.bottom > r.top or r.right > r.left)),
                  key=lambda r: (r.top, r.left))


def notice(ranges: list[Merged]) -> list[str]:
    if not ranges:
        return []
    shown = "、".join(str(r) for r in ranges[:SHOWN_RANGES])
    more = f" 等 {len(ranges)} 处" if len(ranges) > SHOWN_RANGES else f" 共 {len(ranges)} 处"
    return [f"合并单元格 {shown}{more}：已把合并区域的值填入区域内每个单元格（与 Excel 中所见一致）"]


def fill(rows: Iterable[tuple[int, list[Any]]], ranges: list[Merged], width: int) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values) with the empty cells of `ranges` (from `below`) filled by their
    range's top-left value, up to the header's `width` (a range reaching further fills no cell
    outside the table, and makes no row: only the rows the sheet has come out). Rows must come
    in order, none left out (blank rows as [])."""
    pending = list(ranges)
    at = 0
    active: list[tuple[Merged, Any]] = []
    for number, values in rows:
        while at < len(pending) and pending[at].top <= number:
            merged = pending[at]
            at += 1
            if merged.top == number and merged.left < len(values) and not is_empty(values[merged.left]):
                active.append((merged, values[merged.left]))
        if active:
            values = list(values)
            for merged, value in active:
                right = min(merged.right, width - 1)
                if len(values) <= right:
                    values.extend([None] * (right + 1 - len(values)))
                for j in range(merged.left, right + 1):
                    if is_empty(values[j]):
                        values[j] = value
            active = [(m, v) for m, v in active if m.bottom > number]
        yield number, values
