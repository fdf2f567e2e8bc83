"""Boundary files for the geo tests: 界址点坐标 TXT text, and layers written with pyogrio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import shapely

# a point near Shilong in CGCS2000 3° zone 38 (prefixed eastings), metres
E0, N0 = 38_398_200.0, 3_753_000.0

HEADER = """[属性描述]
格式版本号=1.01版本
坐标系=2000国家大地坐标系
几度分带={width}
投影类型=高斯克吕格
计量单位=米
带号={zone}
精度=0.001
[地块坐标]
"""


def square(e: float, n: float, side: float) -> list[tuple[float, float]]:
    """A closed ring as (X northing, Y easting) pairs, the way the TXT writes points."""
    return [(n, e), (n + side, e), (n + side, e + side), (n, e + side), (n, e)]


def parcel(pid: str, *rings: list[tuple[float, float]], name: str = "测试地块") -> str:
    count = sum(len(r) for r in rings)
    lines = [f"{count},1.0000,{pid},{name},面,,工业用地,0601,@"]
    k = 0
    for ring_no, ring in enumerate(rings, start=1):
        first = k
        for j, (x, y) in enumerate(ring):
            closing = j == len(ring) - 1 and (x, y) == ring[0]
            lines.append(f"J{first + 1 if closing else k + 1},{ring_no},{x:.3f},{y:.3f}")
            k += 0 if closing else 1
    return "\n".join(lines) + "\n"


def txt(tmp: Path, *parcels: str, encoding: str = "utf-8", zone: int = 38, width: int = 3, name: str = "界址.txt") -> Path:
    path = tmp / name
    path.write_bytes((HEADER.format(zone=zone, width=width) + "".join(parcels)).encode(encoding))
    return path


def layer(path: Path, geometries, columns: dict[str, list], epsg: int, driver: str, encoding: str = "UTF-8") -> Path:
    pyogrio.raw.write(str(path), shapely.to_wkb(np.array(geometries, dtype=object)),
                      [np.array(v, dtype=object) for v in columns.values()], list(columns), driver=driver,
                      geometry_type="Polygon", promote_to_multi=False, crs=f"EPSG:{epsg}", encoding=encoding)
    return path


def box(e: float, n: float, side: float) -> shapely.Polygon:
    return shapely.box(e, n, e + side, n + side)
