"""Make the sample's map files (run from the repository root; the output is committed):

- examples/shilong-parcels.txt   — 界址点坐标 TXT (GBK, CGCS2000 3° zone 38 with the prefix, EPSG:4526)
- examples/shilong-parcels.gpkg  — the same parcels as a GeoPackage (EPSG:4526)
- examples/shilong-boundary.gpkg — the cluster's boundary
- examples/shilong-plan.gpkg     — a small spatial-plan layer (YDYHFLDM: 1001 工业, 0701 居住, 1402 绿地)

The 40 parcels of examples/shilong-ledger.csv lie on a grid near Shilong (112.9°E, 33.9°N), each
a rectangle of its ledger area, except, so that every fact of contract §8 shows:
SL-018 and SL-019 overlap; SL-040 lies partly outside the boundary; SL-026's shape is a fifth
smaller than its ledger area; SL-033 has a hole (a courtyard not in the grant); SL-038 has two
parts; SL-024 lies on planned green land and SL-010 on planned residential land (the ledger says
it conforms: the ledger stands, with a note).

    python examples/make_shilong_map.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

HERE = Path(__file__).resolve().parent
EPSG = 4526  # CGCS2000 / 3-degree Gauss-Kruger zone 38 (eastings prefixed with 38)
M2_PER_MU = 10000 / 15
CELL = 330.0  # m between parcel centres
COLUMNS = 8
DEFAULT_MU = 20.0  # a ledger row without an area


def ledger_parcels() -> list[tuple[str, float, str, str]]:
    with open(HERE / "shilong-ledger.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        try:
            area = float(r["面积（亩）"]) if r["面积（亩）"] else float(r["面积（平方米）"].replace(",", "")) / M2_PER_MU
        except ValueError:
            area = DEFAULT_MU
        out.append((r["宗地编号"], area, r["项目名称"] or r["坐落"], r["土地用途"]))
    return out


def origin() -> tuple[float, float]:
    e, n = Transformer.from_crs(4490, EPSG, always_xy=True).transform(112.9, 33.9)
    return round(e, -1), round(n, -1)


def rectangle(cx: float, cy: float, area_m2: float, aspect: float = 1.25) -> shapely.Polygon:
    h = (area_m2 / aspect) ** 0.5
    w = area_m2 / h
    return shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def parcels() -> list[tuple[str, shapely.Geometry, float, str, str]]:
    e0, n0 = origin()
    out = []
    for k, (pid, mu, name, use) in enumerate(ledger_parcels()):
        cx, cy = e0 + (k % COLUMNS) * CELL, n0 - (k // COLUMNS) * CELL
        area = mu * M2_PER_MU
        if pid == "SL-026":
            area *= 0.8  # the survey found a fifth less than the ledger says
        shape = rectangle(cx, cy, area)
        if pid == "SL-018":
            shape = rectangle(cx + 240, cy, area)  # pushed into SL-019
        if pid == "SL-033":
            outer = rectangle(cx, cy, area + 2500)
            shape = shapely.Polygon(outer.exterior.coords, [shapely.box(cx - 25, cy - 25, cx + 25, cy + 25).exterior.coords[::-1]])
        if pid == "SL-038":
            a = rectangle(cx - 45, cy, area * 0.7)
            b = rectangle(cx + 105, cy + 60, area * 0.3, aspect=1.0)
            shape = shapely.MultiPolygon([a, b])
        out.append((pid, shapely.normalize(shape), mu, name, use))
    return out


def boundary() -> shapely.Polygon:
    e0, n0 = origin()
    west, east = e0 - CELL * 0.6, e0 + CELL * (COLUMNS - 1) + CELL * 0.6
    north, south = n0 + CELL * 0.6, n0 - CELL * 4.6
    last = e0 + CELL * 7  # SL-040's column: the boundary stops short of its east half
    return shapely.Polygon([(west, north), (east, north), (east, south + CELL), (last, south + CELL), (last, south), (west, south)])


def plan() -> list[tuple[shapely.Polygon, str, str]]:
    e0, n0 = origin()
    whole = boundary().buffer(400)
    residential = shapely.box(e0 + CELL * 0.5, n0 - CELL * 1.5, e0 + CELL * 1.5, n0 - CELL * 0.5)  # SL-010's cell
    green = shapely.box(e0 + CELL * 6.5, n0 - CELL * 2.5, e0 + CELL * 7.5, n0 - CELL * 1.5)  # SL-024's cell
    industrial = whole.difference(residential).difference(green)
    return [(industrial, "1001", "工业用地"), (residential, "0701", "城镇住宅用地"), (green, "1402", "防护绿地")]


def txt(items) -> str:
    lines = ["[属性描述]", "格式版本号=1.01版本", "数据产生单位=石龙区自然资源局（示例）", "数据产生日期=2021-09-30",
             "坐标系=2000国家大地坐标系", "几度分带=3", "投影类型=高斯克吕格", "计量单位=米", "带号=38", "精度=0.001",
             "转换参数=,,,,,,", "[地块坐标]"]
    for pid, shape, _, name, use in items:
        rings = [r for p in getattr(shape, "geoms", [shape]) for r in (p.exterior, *p.interiors)]
        points = sum(len(r.coords) for r in rings)
        lines.append(f"{points},{shape.area / 10000:.4f},{pid},{name},面,,{use}用地,,@")
        k = 0
        for ring_no, ring in enumerate(rings, start=1):
            coords = list(ring.coords)
            for j, (x, y) in enumerate(coords):
                label = k + 1 if j < len(coords) - 1 else k - len(coords) + 2
                lines.append(f"J{label},{ring_no},{y:.3f},{x:.3f}")
                if j < len(coords) - 1:
                    k += 1
    return "\r\n".join(lines) + "\r\n"


def write_layer(path: Path, geometries, columns: dict[str, list]) -> None:
    path.unlink(missing_ok=True)
    pyogrio.raw.write(str(path), shapely.to_wkb(np.array(geometries, dtype=object)),
                      [np.array(v, dtype=object) for v in columns.values()], list(columns), driver="GPKG",
                      geometry_type="MultiPolygon", promote_to_multi=True, crs=f"EPSG:{EPSG}", encoding="UTF-8",
                      layer=path.stem.replace("-", "_"), dataset_options={"VERSION": "1.2"})


def main() -> None:
    items = parcels()
    (HERE / "shilong-parcels.txt").write_bytes(txt(items).encode("gbk"))
    write_layer(HERE / "shilong-parcels.gpkg", [s for _, s, *_ in items],
                {"地块编号": [p for p, *_ in items], "地块名称": [n for *_, n, _ in items], "地块用途": [u for *_, u in items]})
    write_layer(HERE / "shilong-boundary.gpkg", [boundary()], {"名称": ["石龙产业集聚区"]})
    zones = plan()
    write_layer(HERE / "shilong-plan.gpkg", [g for g, *_ in zones], {"YDYHFLDM": [c for _, c, _ in zones], "YDYHFLMC": [n for *_, n in zones]})
    print("wrote", ", ".join(p.name for p in sorted(HERE.glob("shilong-*.[tg]*")) if p.suffix in (".txt", ".gpkg")))


if __name__ == "__main__":
    main()
