"""The map's facts joined onto a chunk of ledger rows by 宗地编号: one vectorised join per chunk.

Besides the facts of `geo/facts.py`, the join makes `area_gap_ratio` (|ledger area − shape area|
÷ shape area) and, where the ledger leaves 符合国土空间规划 empty, takes it from
`planned_industrial_ratio` against `geo.min_planned_industrial_ratio`; where the ledger and the
map disagree the ledger stands and a note says so. A parcel whose shape was set aside gets a
note saying why; a parcel the boundary file does not hold gets a note too (contract §8).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from landrules.core import fields
from landrules.geo.facts import GeoFacts, PlanClasses, parcel_facts
from landrules.ledger.validate.frame import ParsedFrame
from landrules.rulebook.model import Rulebook


@dataclass(frozen=True)
class MapInputs:
    """What `--parcels FILE [--boundary FILE] [--plan FILE] [--parcels-id FIELD]` name."""

    parcels: Path
    boundary: Path | None = None
    plan: Path | None = None
    id_field: str | None = None


@dataclass
class MapFacts:
    """The facts of a boundary file and the parameters the join reads, for one evaluation date."""

    geo: GeoFacts
    min_planned_industrial_ratio: float


def load_map(inputs: MapInputs, rulebook: Rulebook, as_of: dt.date, ledger_ids: set[str] | None = None) -> MapFacts:
    """Read the files and compute the facts (GeoError for a file that cannot be used)."""
    value = lambda pid: rulebook.param_value(pid, as_of)[0]  # noqa: E731
    classes = PlanClasses(tuple(value("geo.plan_class_fields")), tuple(value("geo.plan_industrial_codes")))
    geo = parcel_facts(inputs.parcels, inputs.id_field, inputs.boundary, inputs.plan, classes,
                       float(value("geo.min_overlap_m2")), ledger_ids)
    return MapFacts(geo, float(value("geo.min_planned_industrial_ratio")))


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
    overlaps = np.array([v if isinstance(v, str) else None for v in frame["overlaps"]], dtype=object)  # NaN is not text
    cols["overlaps"] = cols["overlaps"].copy()
    cols["overlaps"][hit] = overlaps[at[hit]]
    ledger = cols["area_mu"]
    ledger = np.where(np.isnan(ledger), cols["area_m2"] * fields.MU_PER_M2, ledger)
    shape = cols["geom_area_mu"]
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.abs(ledger - shape) / shape
    cols["area_gap_ratio"] = np.where(np.isnan(cols["area_gap_ratio"]) | hit, gap, cols["area_gap_ratio"])
    notes: dict[int, list[str]] = {}
    _plan_notes(cols, hit, facts.min_planned_industrial_ratio, notes)
    for i in np.flatnonzero(~hit):
        if parsed.parcel_ids[i] is not None:
            notes.setdefault(int(i), []).append(f"图形文件 {geo.path.name} 中没有该宗地的界址，未标图")
    for pid, messages in geo.problems.items():
        for i in np.flatnonzero(parsed.parcel_ids == pid):
            notes.setdefault(int(i), []).extend(f"图形未使用：{m}" for m in messages)
    for i, added in notes.items():
        if i not in parsed.errors:
            parsed.notes[i] = (*parsed.notes.get(i, ()), *added)


def _plan_notes(cols, hit, threshold: float, notes: dict[int, list[str]]) -> None:
    ratio = cols["planned_industrial_ratio"]
    ledger = cols["conforms_spatial_plan"]
    known = hit & ~np.isnan(ratio)
    derived = (ratio >= threshold).astype(float)
    fill = known & np.isnan(ledger)
    disagree = known & ~np.isnan(ledger) & (ledger != derived)
    for i in np.flatnonzero(fill):
        notes.setdefault(int(i), []).append(
            f"符合国土空间规划：台账未填，按规划图层取“{'是' if derived[i] else '否'}”"
            f"（规划工业用地占比 {ratio[i]:.1%}，{'达到' if derived[i] else '低于'}参数 {threshold:.0%}）")
    for i in np.flatnonzero(disagree):
        notes.setdefault(int(i), []).append(
            f"符合国土空间规划：台账填“{'是' if ledger[i] == 1.0 else '否'}”，规划图层显示规划工业用地占比 {ratio[i]:.1%}"
            f"（参数 {threshold:.0%}），二者不一致，以台账为准，请核实")
    if fill.any():
        cols["conforms_spatial_plan"] = np.where(fill, derived, ledger)
