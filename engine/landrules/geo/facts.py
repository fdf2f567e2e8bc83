"""What the map adds to a parcel's facts (contract §8), for every parcel of a boundary file at once.

- `geom_area_mu`: the shape's area in 亩, computed in the parcel's own 3° Gauss-Krüger zone (the
  zone whose central meridian is nearest the parcel: the file's own zone for a 3° file);
- `overlaps`: the ids of the other parcels it overlaps by more than `min_overlap_m2` — pairs
  come from a spatial index (shapely's STRtree), never from comparing every pair;
- `inside_boundary_ratio`: the share of its area inside the cluster boundary;
- `planned_industrial_ratio`: the share on land the spatial plan zones industrial.
Ratios and overlaps are measured in one planar CRS (the file's zone, or the 3° zone of a
geographic file's median longitude): shares of areas in one projection.
`area_gap_ratio` needs the ledger's area and is made when joining (`geo/join.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from landrules.core.fields import MU_PER_M2
from landrules.geo.crs import GEOGRAPHIC, reproject, three_degree_zone, transformer, zone_epsg, zone_of_epsg
from landrules.geo.ids import id_column, ids_of
from landrules.geo.layer import GeoError, Layer
from landrules.geo.read import read_layer

FACT_COLUMNS = ("geom_area_mu", "overlaps", "inside_boundary_ratio", "planned_industrial_ratio")
OVERLAP_SEP = "、"


@dataclass(frozen=True)
class PlanClasses:
    """How the planning layer says "industrial": the class field (first of these names it has)
    and the codes (用地用海分类; a code's sub-codes, 100101 under 1001, count too)."""

    fields: tuple[str, ...]
    industrial: tuple[str, ...]


@dataclass
class GeoFacts:
    """The parcels of a boundary file with their shapes and the facts the map gives."""

    path: Path
    epsg: int  # the source CRS (the .gpkg output keeps it)
    ids: np.ndarray  # unique parcel ids (object)
    geometries: np.ndarray  # in `epsg`, None for a parcel without a usable shape
    frame: pd.DataFrame  # index: ids; FACT_COLUMNS (NaN / None unknown)
    problems: dict[str, list[str]] = field(default_factory=dict)  # id -> why its shape is not used
    notices: list[str] = field(default_factory=list)
    unnamed: int = 0  # features without an id (left out, counted)
    boundary: object = None  # the cluster boundary, in `work_epsg` (for the map)
    work_epsg: int = 0

    def lonlat(self) -> np.ndarray:
        return reproject(self.geometries, self.epsg, GEOGRAPHIC)

    @cached_property
    def planar(self) -> np.ndarray:
        """The shapes in `work_epsg` (metres), as the facts were measured and the map is drawn."""
        return reproject(self.geometries, self.epsg, self.work_epsg)


def planar_epsg(layer: Layer) -> int:
    """The CRS overlays are measured in: the layer's own zone, or a geographic layer's 3° zone."""
    if layer.epsg != GEOGRAPHIC:
        return layer.epsg
    good = [g for g in layer.geometries if g is not None]
    lon = float(np.median(shapely.get_x(shapely.centroid(np.array(good, dtype=object))))) if good else 114.0
    return zone_epsg(3, three_degree_zone(lon), False)


def parcel_facts(parcels: Path, id_field: str | None = None, boundary: Path | None = None, plan: Path | None = None,
                 plan_classes: PlanClasses | None = None, min_overlap_m2: float | None = 0.0,
                 ledger_ids: set[str] | None = None) -> GeoFacts:
    layer = read_layer(parcels)
    column = id_column(layer, id_field, ledger_ids)
    raw_ids = ids_of(layer.attributes[column])
    notices = list(layer.notices)
    unnamed = sum(1 for v in raw_ids if v is None)
    if unnamed:
        notices.append(f"{layer.path.name}：{unnamed} 个图形没有{column}，未使用")
    ids, geometries, problems = _by_id(layer, raw_ids)
    work = planar_epsg(layer)
    planar = reproject(geometries, layer.epsg, work)
    frame = pd.DataFrame(index=pd.Index(ids, dtype=object, name="parcel_id"))
    frame["geom_area_mu"] = own_zone_areas(geometries, layer.epsg) * MU_PER_M2
    tree = present_tree(planar)
    frame["overlaps"] = overlaps(ids, planar, min_overlap_m2, tree) if min_overlap_m2 is not None else None  # None: unknown
    frame["inside_boundary_ratio"] = np.nan
    frame["planned_industrial_ratio"] = np.nan
    outline = None
    points = first_points(planar[np.flatnonzero(~shapely.is_missing(planar))]) if boundary is not None or plan is not None else None
    if boundary is not None:
        outline = _union(read_layer(boundary), work, "集聚区边界", notices)
        frame["inside_boundary_ratio"] = share_inside(planar, outline, tree, points)
    if plan is not None:
        zoned = _industrial(read_layer(plan), plan_classes or PlanClasses((), ()), work, notices)
        frame["planned_industrial_ratio"] = share_inside(planar, zoned, tree, points)
    facts = GeoFacts(layer.path, layer.epsg, ids, geometries, frame, problems, notices, unnamed, outline, work)
    facts.__dict__["planar"] = planar  # the cached property, already computed
    return facts


def _by_id(layer: Layer, raw_ids: list[str | None]):
    """One shape per id: the parts of an id written as several features are one (Multi)Polygon."""
    index = pd.Index(raw_ids, dtype=object)
    if index.is_unique and not index.isna().any():  # the usual file: one feature a parcel
        problems = {raw_ids[i]: list(m) for i, m in layer.problems.items()}
        return np.asarray(raw_ids, dtype=object), np.asarray(layer.geometries, dtype=object), problems
    order: dict[str, list[int]] = {}
    for i, pid in enumerate(raw_ids):
        if pid is not None:
            order.setdefault(pid, []).append(i)
    ids = np.array(list(order), dtype=object)
    geometries = np.full(len(ids), None, dtype=object)
    problems: dict[str, list[str]] = {}
    for k, (pid, rows) in enumerate(order.items()):
        found = [m for i in rows for m in layer.problems.get(i, [])]
        if found:
            problems[pid] = found
            continue
        parts = [layer.geometries[i] for i in rows]
        geometries[k] = parts[0] if len(parts) == 1 else shapely.union_all(parts)
    return ids, geometries, problems


def own_zone_areas(geometries: np.ndarray, epsg: int) -> np.ndarray:
    """Areas (m²) in each shape's own 3° zone (NaN without a shape)."""
    out = np.full(len(geometries), np.nan)
    present = np.flatnonzero(~shapely.is_missing(geometries))
    if not len(present):
        return out
    shapes = geometries[present]
    zone = zone_of_epsg(epsg)
    first = first_points(shapes)  # a parcel's zone by its first vertex (parcels are far smaller than zones)
    lon = transformer(epsg, GEOGRAPHIC).transform(first[:, 0], first[:, 1])[0] if epsg != GEOGRAPHIC else first[:, 0]
    zones = np.rint(np.asarray(lon) / 3.0).astype(int)
    for z in np.unique(zones):
        here = zones == z
        if zone is not None and zone.width == 3 and zone.number == z:
            out[present[here]] = shapely.area(shapes[here])  # already in that zone (a prefix shifts, not scales)
        else:
            out[present[here]] = shapely.area(reproject(shapes[here], epsg, zone_epsg(3, int(z), False)))
    return out


def present_tree(planar: np.ndarray) -> shapely.STRtree:
    """An STRtree of the shapes present (positions among them, as `overlaps` and `share_inside` count)."""
    return shapely.STRtree(planar[np.flatnonzero(~shapely.is_missing(planar))])


def overlaps(ids: np.ndarray, planar: np.ndarray, min_area_m2: float, tree: shapely.STRtree | None = None) -> list[str | None]:
    """For each parcel, the ids it overlaps by more than `min_area_m2` (joined by 、), or None.
    Candidate pairs from an STRtree (near-linear), then one vectorised intersection per pair."""
    present = np.flatnonzero(~shapely.is_missing(planar))
    out: list[str | None] = [None] * len(ids)
    if len(present) < 2:
        return out
    shapes = planar[present]
    left, right = (tree or shapely.STRtree(shapes)).query(shapes, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return out
    area = shapely.area(shapely.intersection(shapes[left], shapes[right]))
    hit = area > min_area_m2
    found: dict[int, list[str]] = {}
    for a, b in zip(present[left[hit]], present[right[hit]]):
        found.setdefault(int(a), []).append(ids[b])
        found.setdefault(int(b), []).append(ids[a])
    for k, others in found.items():
        out[k] = OVERLAP_SEP.join(sorted(others))
    return out


def first_points(shapes: np.ndarray) -> np.ndarray:
    """Each shape's first vertex, (n, 2)."""
    coords, index = shapely.get_coordinates(shapes, return_index=True)
    starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
    return coords[starts]


def share_inside(planar: np.ndarray, region, tree: shapely.STRtree | None = None, points: np.ndarray | None = None) -> np.ndarray:
    """Each shape's share of area inside `region` (NaN without a shape; 0 with no region).
    `tree`: an STRtree of the present shapes, `points` their first vertices, when at hand."""
    out = np.full(len(planar), np.nan)
    present = np.flatnonzero(~shapely.is_missing(planar))
    if not len(present):
        return out
    shapes = planar[present]
    if region is None or shapely.is_empty(region):
        out[present] = 0.0
        return out
    # only the shapes that the region's outline crosses are cut; the others lie wholly inside
    # or wholly outside, which one point of each tells (a spatial index, never every shape cut)
    crossing = (tree or shapely.STRtree(shapes)).query(shapely.boundary(region), predicate="intersects")
    shapely.prepare(region)
    if points is None:
        points = first_points(shapes)  # not on the outline, since the outline does not touch these shapes
    share = shapely.contains_xy(region, points[:, 0], points[:, 1]).astype(float)
    if len(crossing):
        cut = shapes[crossing]
        share[crossing] = shapely.area(shapely.intersection(cut, region)) / shapely.area(cut)
    out[present] = share
    return out


def _union(layer: Layer, work: int, what: str, notices: list[str]):
    for messages in layer.problems.values():
        notices.extend(f"{what}：{m}" for m in messages)
    good = [g for g in layer.geometries if g is not None]
    if not good:
        raise GeoError(f"{what}文件 {layer.path.name} 没有可用的面")
    return shapely.union_all(reproject(np.array(good, dtype=object), layer.epsg, work))


def _industrial(layer: Layer, classes: PlanClasses, work: int, notices: list[str]):
    columns = {str(c).upper(): c for c in layer.attributes.columns}
    name = next((columns[f.upper()] for f in classes.fields if f.upper() in columns), None)
    if name is None:
        raise GeoError(f"规划文件 {layer.path.name}：找不到用地分类字段（{'、'.join(classes.fields)}）；"
                       f"文件的字段有：{'、'.join(map(str, layer.attributes.columns))}")
    codes = [str(v).strip() if v is not None else "" for v in layer.attributes[name]]
    keep = np.array([any(c.startswith(k) for k in classes.industrial) for c in codes], dtype=bool)
    for messages in layer.problems.values():
        notices.extend(f"规划图层：{m}" for m in messages)
    chosen = [g for g, k in zip(layer.geometries, keep) if k and g is not None]
    if not chosen:
        notices.append(f"规划文件 {layer.path.name}：没有工业用地图斑（{name} 为 {'、'.join(classes.industrial)}）")
        return shapely.Polygon()
    return shapely.union_all(reproject(np.array(chosen, dtype=object), layer.epsg, work))
