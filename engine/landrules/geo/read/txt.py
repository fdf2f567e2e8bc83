"""The 界址点坐标 TXT of 建设用地报批 / 勘测定界 (contract §8).

    [属性描述]
    坐标系=2000国家大地坐标系
    几度分带=3
    投影类型=高斯克吕格
    计量单位=米
    带号=38
    精度=0.0001
    [地块坐标]
    5,2.0000,SL-001,某公司厂区,面,,工业用地,0601,@
    J1,1,3754000.000,38490000.000
    …
    J1,1,3754000.000,38490000.000

A parcel line ends in `@`: 界址点数, 地块面积（公顷）, 地块编号, 地块名称, 图形属性, 图幅号, 地块用途,
地类编码. A point line is 点号, 圈号, X (northing), Y (easting, with or without the zone number in
front). A ring is closed by repeating its first point; a ring with 圈号 > 1 is a hole of the part
containing it, or another part. UTF-8 or GBK. Each defect of contract §8 is named and the
parcel left without its shape; a malformed line is an error of the file (line number).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from landrules.geo import checks
from landrules.geo.crs import SIX_DEGREE_ZONES, THREE_DEGREE_ZONES, zone_epsg
from landrules.geo.layer import GeoError, Layer

PARCEL_FIELDS = ("界址点数", "地块面积", "地块编号", "地块名称", "图形属性", "图幅号", "地块用途", "地类编码")
CGCS2000_NAMES = ("2000", "CGCS")


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (with or without BOM), else GB18030 (GBK)."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "GBK"


def read(path: Path) -> Layer:
    text, encoding = decode(Path(path).read_bytes())
    header, parcels = _parse(path, text)
    notices = [f"{path.name}：按 {encoding} 编码读取"]
    system = header.get("坐标系", "")
    if system and not any(n in system.upper() for n in CGCS2000_NAMES):
        raise GeoError(f"{path.name}：坐标系“{system}”不是2000国家大地坐标系（CGCS2000），请先转换")
    zone_no = _int(header.get("带号"), path, "带号")
    width = _int(header.get("几度分带"), path, "几度分带")
    if width not in (None, 3, 6):
        raise GeoError(f"{path.name}：几度分带“{header['几度分带']}”应为 3 或 6")
    prefixes = {p for _, _, pts in parcels for p in (checks.prefix_of(pt[3]) for pt in pts) if p is not None}
    prefixed = bool(prefixes)
    if zone_no is None:
        if len(prefixes) != 1:
            raise GeoError(f"{path.name}：未写带号，横坐标也没有一致的带号前缀，无法确定投影带")
        zone_no = prefixes.pop()
        notices.append(f"{path.name}：未写带号，按横坐标前缀取第{zone_no}带")
    if width is None:
        width = 6 if zone_no in SIX_DEGREE_ZONES and zone_no not in THREE_DEGREE_ZONES else 3
        notices.append(f"{path.name}：未写几度分带，按{width}度带")
    try:
        epsg = zone_epsg(width, zone_no, prefixed)
    except KeyError:
        raise GeoError(f"{path.name}：{width}度分带没有第{zone_no}带（CGCS2000）") from None
    geometries = np.full(len(parcels), None, dtype=object)
    problems: dict[int, list[str]] = {}
    rows = []
    for i, (line_no, attrs, points) in enumerate(parcels):
        rows.append(attrs)
        where = f"{path.name} 第{line_no}行 地块{attrs.get('地块编号') or i + 1}"
        geometry, problem = _shape(points, zone_no, prefixed, where)
        if problem:
            problems[i] = [problem]
        geometries[i] = geometry
    attributes = pd.DataFrame(rows, columns=list(PARCEL_FIELDS)) if rows else pd.DataFrame(columns=list(PARCEL_FIELDS))
    return Layer(Path(path), epsg, geometries, attributes, problems, notices)


def _int(value: str | None, path: Path, key: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        raise GeoError(f"{path.name}：{key}“{value}”不是数字") from None


def _parse(path: Path, text: str):
    """(header keys, [(line number, parcel attributes, [(point, ring, X, Y, line), …]), …])."""
    header: dict[str, str] = {}
    parcels: list = []
    section = None
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("，", ",")
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section == "属性描述":
            key, _, value = line.partition("=")
            header[key.strip()] = value.strip()
        elif section == "地块坐标":
            cells = [c.strip() for c in line.split(",")]
            if cells[-1] == "@":
                values = cells[:-1] + [""] * (len(PARCEL_FIELDS) - len(cells) + 1)
                parcels.append((no, dict(zip(PARCEL_FIELDS, values[: len(PARCEL_FIELDS)])), []))
                continue
            if not parcels:
                raise GeoError(f"{path.name} 第{no}行：界址点出现在第一个地块行（以 @ 结尾）之前")
            if len(cells) < 4:
                raise GeoError(f"{path.name} 第{no}行：界址点行应为“点号,圈号,X,Y”，实为“{raw.strip()}”")
            try:
                ring, x, y = int(float(cells[1])), float(cells[2]), float(cells[3])
            except ValueError:
                raise GeoError(f"{path.name} 第{no}行：圈号、X、Y 应为数字，实为“{raw.strip()}”") from None
            parcels[-1][2].append((cells[0], ring, x, y, no))
    if "地块坐标" not in _sections(text):
        raise GeoError(f"{path.name}：不是界址点坐标文件（缺少 [地块坐标] 节）")
    return header, parcels


def _sections(text: str) -> set[str]:
    return {ln.strip()[1:-1].strip() for ln in text.splitlines() if ln.strip().startswith("[") and ln.strip().endswith("]")}


def _shape(points, zone_no: int, prefixed: bool, where: str):
    """(geometry, None) or (None, the first defect found, named)."""
    if not points:
        return None, f"{where}：没有界址点"
    names = [p[0] for p in points]
    xs = [p[2] for p in points]
    ys = [p[3] for p in points]
    i = checks.swapped_point(xs, ys)
    if i is not None:
        return None, (f"{where} 界址点{names[i]}（第{points[i][4]}行）：X={xs[i]:.3f}、Y={ys[i]:.3f} 疑似纵横坐标互换"
                      f"（X 应为纵坐标/北向，Y 为带{'带号' if prefixed else ''}的横坐标/东向），未使用该地块图形")
    for name, _, _, y, no in points:
        prefix = checks.prefix_of(y)
        if prefixed and prefix != zone_no:
            found = f"带号前缀为{prefix}" if prefix is not None else "没有带号前缀"
            return None, f"{where} 界址点{name}（第{no}行）：横坐标 Y={y:.3f} {found}，与文件带号{zone_no}不符，未使用该地块图形"
    rings: list[np.ndarray] = []
    start = 0
    for k in range(1, len(points) + 1):
        if k == len(points) or points[k][1] != points[start][1]:
            chunk = points[start:k]
            ring_no = chunk[0][1]
            cx = [p[3] for p in chunk]
            cy = [p[2] for p in chunk]
            if checks.unclosed(cx, cy):
                return None, (f"{where} 第{ring_no}圈：未闭合（首点{chunk[0][0]}与末点{chunk[-1][0]}坐标不同，第{chunk[-1][4]}行），"
                              "未使用该地块图形")
            xy = np.column_stack([cx, cy])
            fault = checks.self_intersection(xy)
            if fault is not None:
                at, reason = fault
                return None, (f"{where} 第{ring_no}圈 界址点{chunk[at][0]}（第{chunk[at][4]}行）附近：{checks.explain(reason)}，"
                              "未使用该地块图形")
            rings.append(xy)
            start = k
    geometry, reason = checks.assemble(rings)
    if geometry is None:
        return None, f"{where}：各圈组合后图形无效（{checks.explain(reason)}），未使用该地块图形"
    return geometry, None
