"""The map's facts joined onto a chunk of ledger rows by 宗地编号: one vectorised join per chunk.

Besides the facts of `geo/facts.py`, the join makes `area_gap_ratio` (|ledger area − shape area|
÷ shape area); `apply_map` then takes 符合国土空间规划 from the map where the ledger leaves it
empty (`geo/plan.py`). A parcel whose shape was set aside gets a
note saying why; a parcel the boundary file does not hold gets a note too (contract §8).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from landrules.core import fields
from landrules.geo.plan import derive_conformity
from landrules.ledger.validate.frame import ParsedFrame
from landrules.ledger.validate.row_notes import NoteColumn
from landrules.rulebook.model import Rulebook

if TYPE_CHECKING:  # shapely and the map readers are imported only when a map is given
    from landrules.geo.facts import GeoFacts


@dataclass(frozen=True)
class MapInputs:
    """What `--parcels FILE [--boundary FILE] [--plan FILE] [--parcels-id FIELD]` name."""

    parcels: Path
    boundary: Path | None = None
    plan: Path | None = None
    id_field: str | None = None
    loaded: MapFacts | None = None  # the files already read (the workbench reads them once, at upload)


@dataclass
class MapFacts:
    """The facts of a boundary file, for one evaluation date's parameters."""

    geo: GeoFacts
    made_with: tuple = ()  # the parameters the facts were computed with (plan classes, overlap area)

    @cached_property
    def overlaps(self) -> np.ndarray:
        """The overlaps column as text or None (NaN is not text: an engine would take it as present)."""
        column = self.geo.frame["overlaps"]
        return np.where(column.notna().to_numpy(), column.to_numpy(dtype=object), None)


def load_map(inputs: MapInputs, rulebook: Rulebook, as_of: dt.date, ledger_ids: set[str] | None = None) -> MapFacts:
    """Read the files and compute the facts (GeoError for a file that cannot be used); the
    facts `inputs` carry already when they were computed with the same parameters."""
    from landrules.geo.facts import PlanClasses, parcel_facts

    value = lambda pid: rulebook.param_value(pid, as_of)[0]  # noqa: E731
    class_fields, codes, min_overlap = value("geo.plan_class_fields"), value("geo.plan_industrial_codes"), value("geo.min_overlap_m2")
    # a parameter not in force on the date leaves what it measures unknown: it never borrows a later value
    classes = PlanClasses(tuple(class_fields), tuple(codes)) if class_fields is not None and codes is not None else None
    min_overlap = None if min_overlap is None else float(min_overlap)
    if inputs.loaded is not None and inputs.loaded.made_with == (classes, min_overlap):
        return inputs.loaded
    plan = inputs.plan if classes is not None else None
    geo = parcel_facts(inputs.parcels, inputs.id_field, inputs.boundary, plan, classes, min_overlap, ledger_ids)
    if inputs.plan is not None and plan is None:
        geo.notices.append(f"规划图层 {inputs.plan.name} 未使用：评估日 {as_of} 规划用地分类的参数尚无取值")
    if min_overlap is None:
        geo.notices.append(f"宗地重叠未判断：评估日 {as_of} 参数 geo.min_overlap_m2（重叠面积下限）尚无取值")
    return MapFacts(geo, (classes, min_overlap))


def join_facts(parsed: ParsedFrame, facts: MapFacts) -> None:
    """Set the map's fact columns of `parsed` (in place) for the rows the file holds; notes."""
    geo = facts.geo
    frame = geo.frame
    at = frame.index.get_indexer(parsed.parcel_ids)
    hit = at >= 0
    cols = parsed.columns
    for name in ("geom_area_mu", "inside_boundary_ratio", "planned_industrial_ratio"):
        source = frame[name].to_numpy(dtype=float)
        cols[name] = cols[name].copy()
        cols[name][hit] = source[at[hit]]
    overlaps = facts.overlaps
    cols["overlaps"] = cols["overlaps"].copy()
    cols["overlaps"][hit] = overlaps[at[hit]]
    ledger = cols["area_mu"]
    ledger = np.where(np.isnan(ledger), cols["area_m2"] * fields.MU_PER_M2, ledger)
    shape = cols["geom_area_mu"]
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.abs(ledger - shape) / shape
    cols["area_gap_ratio"] = np.where(np.isnan(cols["area_gap_ratio"]) | hit, gap, cols["area_gap_ratio"])
    notes: dict[int, list[str]] = {}
    absent = f"图形文件 {geo.path.name} 中没有该宗地的界址，未标图"
    for i in np.flatnonzero(~hit & pd.notna(parsed.parcel_ids)).tolist():
        notes.setdefault(i, []).append(absent)
    for pid, messages in geo.problems.items():
        for i in np.flatnonzero(parsed.parcel_ids == pid):
            notes.setdefault(int(i), []).extend(f"图形未使用：{m}" for m in messages)
    add_notes(parsed, notes)


def add_notes(parsed: ParsedFrame, notes: Mapping[int, Sequence[str]] | NoteColumn) -> None:
    """Row notes (by row, or a column) appended to the chunk's, in place (rows with errors keep
    only their errors)."""
    if isinstance(notes, NoteColumn):
        parsed.notes.add(notes.without(parsed.errors))
    else:
        parsed.notes.add(NoteColumn.from_rows(parsed.n, notes, skip=parsed.errors))


def apply_map(parsed: ParsedFrame, on_map: MapFacts | None, plan_limit: float | None = None) -> None:
    """The map's facts joined (with `--parcels`); with `plan_limit`, 符合国土空间规划 derived
    from `planned_industrial_ratio` where the ledger leaves it empty (`explain` does; `decide`'s
    LedgerDecider derives it itself, on every face)."""
    if on_map is not None:
        join_facts(parsed, on_map)
    if plan_limit is not None:
        add_notes(parsed, derive_conformity(parsed.columns, plan_limit))
