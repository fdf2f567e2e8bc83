"""Parcels without an id, named by their row (contract §3, "Officers' ledgers as they are").

Land not yet supplied has no 电子监管号: its 宗地编号 cell is empty or a placeholder (`/`). Such a
row is still decided. Its decision's note names it by its file row (`第12行`) and by the other
identifying cells it has: 批准文号 (a column no field reads, found by its header), 项目名称, 坐落.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from landrules.ledger.columns.headers import key
from landrules.ledger.validate.frame import ParsedFrame
from landrules.ledger.validate.spellings import is_placeholder

_APPROVAL_HEADERS = ("批准文号", "批复文号", "用地批准文号", "农转用批准文号", "批文号", "文号")


def row_name(row: int) -> str:
    """How a row without an id is named everywhere an officer reads it."""
    return f"第{row}行"


def approval_column(frame: pd.DataFrame, headers: Mapping[str, str]) -> str | None:
    """The column holding the 批准文号 (by its header as written), if the ledger has one."""
    for name in frame.columns:
        header = key(headers.get(name, name))
        if any(header == key(h) or header.startswith(key(h)) for h in _APPROVAL_HEADERS):
            return name
    return None


def without_id(parsed: ParsedFrame) -> np.ndarray:
    """Positions of the rows with no 宗地编号."""
    return np.flatnonzero(pd.isna(parsed.parcel_ids))


def name_rows(parsed: ParsedFrame, frame: pd.DataFrame, headers: Mapping[str, str]) -> list[int]:
    """Note each row without an id by its row and identifying cells (before its other notes);
    return the file rows of those rows."""
    at = without_id(parsed)
    if not len(at):
        return []
    approval = approval_column(frame, headers)
    approvals = frame[approval].to_numpy(dtype=object) if approval is not None else None
    projects, locations = parsed.columns["project"], parsed.columns["location"]
    named = []
    for i in at.tolist():
        parts = []
        if approvals is not None and isinstance(approvals[i], str) and approvals[i].strip() and not is_placeholder(approvals[i]):
            parts.append(f"批准文号 {approvals[i].strip()}")
        if projects[i] is not None:
            parts.append(f"项目名称 {projects[i]}")
        if locations[i] is not None:
            parts.append(f"坐落 {locations[i]}")
        what = f"（{'；'.join(parts)}）" if parts else ""
        parsed.notes[i] = (f"无宗地编号，以{row_name(parsed.rows[i])}标识{what}", *parsed.notes.get(i, ()))
        named.append(parsed.rows[i])
    return named
