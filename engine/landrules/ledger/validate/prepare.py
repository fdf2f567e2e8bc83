"""From a chunk as read to validated rows, the real-ledger way: total rows out, value maps of
the column map applied, area units converted, then `frame.parse_frame` (contract §3).

`prepare_chunk` is what `decide`, `explain` and every other face call on each chunk, so each
reads a ledger alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from landrules.ledger.validate.cells import AREA_MISSING
from landrules.ledger.validate.frame import ParsedFrame, parse_frame
from landrules.ledger.validate.seen_ids import SeenIds
from landrules.ledger.columns.headers import key, label
from landrules.ledger.validate.row_names import name_rows
from landrules.ledger.validate.totals import footer_mask, total_mask
from landrules.ledger.columns.units import convert_areas


@dataclass
class Prepared:
    frame: pd.DataFrame  # the chunk's raw cells without its total rows (written to outputs)
    parsed: ParsedFrame
    totals: list[int]  # file rows of the total rows left out
    footers: list[int] = field(default_factory=list)  # file rows of the footer rows left out
    no_id: list[int] = field(default_factory=list)  # file rows decided without a 宗地编号 (row_names)


def apply_values(frame: pd.DataFrame, values: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Cells spelled as the column map's `values` say, replaced by their codes."""
    todo = {name: {key(t): code for t, code in table.items()} for name, table in values.items() if name in frame.columns}
    if not todo:
        return frame
    frame = frame.copy()
    for name, table in todo.items():
        frame[name] = frame[name].map(lambda v, t=table: t.get(key(v), v) if isinstance(v, str) else v)
    return frame


def prepare_chunk(
    frame: pd.DataFrame, rows: list[int], first_seen: SeenIds | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None, headers: Mapping[str, str] | None = None,
    drop_totals: bool = True, reader_errors: dict[int, list[str]] | None = None,
) -> Prepared:
    """Validate a chunk whose known columns carry field names; `headers` maps a column name to
    its header as written (for messages). `drop_totals=False` keeps 合计 rows as rows (for
    callers that promise one record per row, e.g. `parcel.validate_rows`). `reader_errors` (file
    row -> messages) are what the reader could not read (see `frame.parse_frame`). Footer rows
    (填表人：…) are set aside with the total rows; rows without an id are named by their row."""
    totals = total_mask(frame) if drop_totals else np.zeros(len(frame), dtype=bool)
    footers = footer_mask(frame) & ~totals if drop_totals else totals
    total_rows: list[int] = []
    footer_rows: list[int] = []
    if totals.any() or footers.any():
        total_rows = [r for r, t in zip(rows, totals) if t]
        footer_rows = [r for r, t in zip(rows, footers) if t]
        out = totals | footers
        frame = frame[~out].reset_index(drop=True)
        rows = [r for r, t in zip(rows, out) if not t]
    cells = apply_values(frame, values or {})
    cells, unit_errors, unit_notes = convert_areas(cells, rows, dict(headers or {}))
    parsed = parse_frame(cells, rows, first_seen, reader_errors)
    if unit_errors:
        missing = f" {label('area_mu')}: {AREA_MISSING}"
        errors = dict(parsed.errors)
        for i, messages in unit_errors.items():
            kept = [m for m in errors.get(i, []) if not m.endswith(missing)]
            errors[i] = kept + messages
        parsed.errors = dict(sorted(errors.items()))
    for i, notes in unit_notes.items():
        if i not in parsed.errors:
            parsed.notes[i] = (*notes, *parsed.notes.get(i, ()))
    no_id = name_rows(parsed, frame, headers or {})
    return Prepared(frame, parsed, total_rows, footer_rows, no_id)


def positions(parsed: ParsedFrame, parcel_id: str) -> np.ndarray:
    return np.flatnonzero(parsed.parcel_ids == parcel_id)
