"""What the Shapefile, GeoJSON and GeoPackage readers share: pyogrio (GDAL in its wheel) reads
the features; each shape is checked as contract §8 says (swapped axes, zone prefix against the
CRS, invalid rings), never repaired."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from landrules.geo import checks
from landrules.geo.crs import GEOGRAPHIC, WGS84, epsg_of, zone_of_epsg
from landrules.geo.layer import GeoError, Layer


def read_features(path: Path, source: str, encoding: str | None = None, default_epsg: int | None = None,
                  layer: str | None = None) -> tuple[int, np.ndarray, pd.DataFrame]:
    """(EPSG code, shapely geometries, attributes) of the file's (first) layer."""
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:  # through Arrow: the shapes as one binary column, the attributes without a Python object per cell
        meta, table = pyogrio.raw.read_arrow(source, layer=layer, encoding=encoding)
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise GeoError(f"无法读取图形文件 {path.name}：{str(exc).splitlines()[0]}") from None
    name = meta.get("geometry_name") or "wkb_geometry"
    wkb = table.column(name).to_numpy(zero_copy_only=False) if name in table.column_names else None
    values = [table.column(f).to_pandas().to_numpy(dtype=object) for f in meta["fields"]]
    epsg = epsg_of(meta.get("crs")) or default_epsg
    if epsg is None:
        raise GeoError(f"{path.name}：没有坐标系（Shapefile 缺 .prj？），无法确定投影带；请附上 .prj 或改用带坐标系的格式")
    if epsg == WGS84:
        epsg = GEOGRAPHIC  # WGS 84 and CGCS2000 differ by centimetres: the same for parcels
    if epsg != GEOGRAPHIC and zone_of_epsg(epsg) is None:
        raise GeoError(f"{path.name}：坐标系 EPSG:{epsg} 不是 CGCS2000 经纬度或其高斯-克吕格投影带，请先转换")
    geometries = shapely.from_wkb(wkb) if wkb is not None else np.full(table.num_rows, None, dtype=object)
    attributes = pd.DataFrame({name: column for name, column in zip(meta["fields"], values)})
    return epsg, np.asarray(geometries, dtype=object), attributes


def checked_layer(path: Path, epsg: int, geometries: np.ndarray, attributes: pd.DataFrame, notices: list[str]) -> Layer:
    """A Layer whose defective shapes are set aside with a named problem each. The checks run
    on all coordinates at once; only the few shapes that fail are looked at one by one."""
    problems: dict[int, list[str]] = {}
    geometries = np.asarray(geometries, dtype=object)
    n = len(geometries)
    missing = shapely.is_missing(geometries) | shapely.is_empty(geometries)
    kind = shapely.get_type_id(geometries)
    not_area = ~missing & ~np.isin(kind, (3, 6))
    flagged = _coordinate_flags(geometries, epsg, ~missing & ~not_area)
    invalid = ~missing & ~not_area & ~shapely.is_valid(geometries)
    for i in np.flatnonzero(missing | not_area | invalid | (flagged >= 0)):
        problems[int(i)] = [_problem(geometries[i], epsg, zone_of_epsg(epsg), f"{path.name} 第{i + 1}个图形")]
    out = geometries.copy()
    out[list(problems)] = None
    return Layer(path, epsg, out if n else geometries, attributes, problems, notices)


def _coordinate_flags(geometries: np.ndarray, epsg: int, usable: np.ndarray) -> np.ndarray:
    """Per feature, whether some point is suspicious (swapped axes, wrong zone prefix): ≥ 0 when so."""
    flags = np.full(len(geometries), -1)
    if not usable.any():
        return flags
    coords, index = shapely.get_coordinates(np.where(usable, geometries, None), return_index=True)
    x, y = coords[:, 0], coords[:, 1]
    if epsg == GEOGRAPHIC:
        outside = (x < 73) | (x > 136)
        latitude_like = (y >= 73) & (y <= 136)
        swapped = (np.bincount(index, outside, len(geometries)) > 0) & (
            np.bincount(index, ~latitude_like, len(geometries)) == 0)
        flags[swapped] = 0
        return flags
    bad = checks.swapped_mask(y, x)
    zone = zone_of_epsg(epsg)
    if zone is not None and zone.prefixed:
        bad |= np.floor_divide(x, 1_000_000).astype(np.int64) != zone.number
    hit = np.bincount(index, bad, len(geometries)) > 0
    flags[hit] = 0
    return flags


def _problem(geometry, epsg, zone, where) -> str | None:
    if geometry is None or shapely.is_empty(geometry):
        return f"{where}：没有图形"
    if shapely.get_type_id(geometry) not in (3, 6):
        return f"{where}：不是面（{geometry.geom_type}）"
    xy = shapely.get_coordinates(geometry)
    if epsg == GEOGRAPHIC:
        lon, lat = xy[:, 0], xy[:, 1]
        if ((lon < 73) | (lon > 136)).any() and ((lat >= 73) & (lat <= 136)).all():
            return f"{where}：经度 {lon[0]:.6f}、纬度 {lat[0]:.6f} 疑似经纬度互换（应为经度在前），未使用该图形"
    else:
        i = checks.swapped_point(xy[:, 1], xy[:, 0])
        if i is not None:
            return f"{where} 第{i + 1}点：x={xy[i, 0]:.3f}、y={xy[i, 1]:.3f} 疑似纵横坐标互换，未使用该图形"
        if zone is not None and zone.prefixed:
            bad = np.flatnonzero((xy[:, 0] // 1_000_000).astype(int) != zone.number)
            if len(bad):
                k = int(bad[0])
                return f"{where} 第{k + 1}点：横坐标 {xy[k, 0]:.3f} 的带号前缀与坐标系（{zone.label()}）不符，未使用该图形"
    for ring_no, ring in enumerate(_rings(geometry), start=1):
        fault = checks.self_intersection(shapely.get_coordinates(ring))
        if fault is not None:
            at, reason = fault
            return f"{where} 第{ring_no}圈 第{at + 1}点附近：{checks.explain(reason)}，未使用该图形"
    reason = shapely.is_valid_reason(geometry)
    if reason != "Valid Geometry":
        return f"{where}：图形无效（{checks.explain(reason)}），未使用该图形"
    return None


def _rings(geometry):
    for polygon in getattr(geometry, "geoms", [geometry]):
        yield polygon.exterior
        yield from polygon.interiors
