"""符合国土空间规划 from the map: where the ledger leaves it empty and `planned_industrial_ratio` is
known (from `--plan`, or a ledger column), it is taken as the ratio ≥ the parameter
`geo.min_planned_industrial_ratio`; where the ledger says otherwise than the map, the ledger
stands. Either way a note says so (contract §8). One function for a chunk's columns; a single
parcel's facts (scenarios) go through the same one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from landrules.core import fields
from landrules.core.values import columns_from_facts, decode
from landrules.ledger.validate.row_notes import NoteColumn
from landrules.rulebook.model import Rulebook

THRESHOLD = "geo.min_planned_industrial_ratio"


def threshold(rulebook: Rulebook, as_of: dt.date) -> float | None:
    """The parameter in force (None with a rulebook that has no such parameter, or none in force
    on `as_of`: then nothing is derived — a parameter never borrows a later value)."""
    if THRESHOLD not in rulebook.parameters:
        return None
    value = rulebook.param_value(THRESHOLD, as_of)[0]
    return None if value is None else float(value)


def derive_conformity(columns: dict[str, np.ndarray], limit: float | None) -> NoteColumn:
    """Fill `conforms_spatial_plan` (in place) where empty and the ratio is known; the notes, a
    code per row (each distinct text worded once)."""
    n = len(columns["planned_industrial_ratio"])
    codes = np.full(n, -1, dtype=np.int64)
    notes = NoteColumn(codes, [])
    if limit is None:
        return notes
    ratio = columns["planned_industrial_ratio"]
    known = ~np.isnan(ratio)
    if not known.any():
        return notes
    ledger = columns["conforms_spatial_plan"]
    derived = (ratio >= limit).astype(float)
    fill = known & np.isnan(ledger)
    disagree = known & ~np.isnan(ledger) & (ledger != derived)
    for rows, text in ((np.flatnonzero(fill), _filled), (np.flatnonzero(disagree), _disagreeing)):
        if not len(rows):
            continue
        # one text per distinct ratio as shown (the ledger's value follows from it in both
        # cases): rows alike share it, so 100 000 rows format a handful of notes, not 100 000
        _, first, inverse = np.unique(np.round(ratio[rows], 4), return_index=True, return_inverse=True)
        codes[rows] = len(notes.texts) + inverse.ravel()  # `fill` and `disagree` rows differ
        notes.texts.extend((text(ratio[rows[k]], ledger[rows[k]], derived[rows[k]], limit),) for k in first.tolist())
    if fill.any():
        columns["conforms_spatial_plan"] = np.where(fill, derived, ledger)
    return notes


def _filled(ratio: float, ledger: float, derived: float, limit: float) -> str:
    return (f"符合国土空间规划：台账未填，按规划图层取“{'是' if derived else '否'}”"
            f"（规划工业用地占比 {ratio:.1%}，{'达到' if derived else '低于'}参数 {limit:.0%}）")


def _disagreeing(ratio: float, ledger: float, derived: float, limit: float) -> str:
    return (f"符合国土空间规划：台账填“{'是' if ledger == 1.0 else '否'}”，规划图层显示规划工业用地占比 {ratio:.1%}"
            f"（参数 {limit:.0%}），二者不一致，以台账为准，请核实")


def derive_for_facts(facts: dict[str, Any], limit: float | None) -> tuple[dict[str, Any], list[str]]:
    """The same for one parcel's typed facts: (facts with the field filled, notes)."""
    if facts.get("planned_industrial_ratio") is None or limit is None:
        return facts, []
    columns = columns_from_facts([facts])
    notes = list(derive_conformity(columns, limit).at(0))
    value = decode(fields.BY_NAME["conforms_spatial_plan"], columns["conforms_spatial_plan"][0])
    return ({**facts, "conforms_spatial_plan": value} if value is not None else facts), notes
