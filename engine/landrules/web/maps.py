"""The workbench's map (一张图, contract §8).

The boundary files an officer uploads beside the ledger — the parcels' 界址, the cluster's
boundary, the spatial plan, as `decide --parcels/--boundary/--plan` takes them — are read once,
at upload (`take_uploads`), and every decision of the session (decide, exports, what-ifs) uses
the facts read then. The decided parcels are drawn by `geo/svg.py` (the bulletin's drawing),
coloured by category, measure or overdue (`map_page`); a parcel's page shows its own shape among
its neighbours and the facts the map gives it (`parcel_geo`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

import numpy as np
import shapely
from fastapi import APIRouter, Request, UploadFile
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from landrules.core import fields
from landrules.geo.facts import GeoFacts
from landrules.geo.join import MapInputs, load_map
from landrules.geo.layer import GeoError
from landrules.geo.read import READERS
from landrules.geo.svg import NONE_COLOUR, Legend, category_legend, classed_map, map_svg
from landrules.rulebook.model import Rulebook
from landrules.web.access.roles import need
from landrules.web.common import error_page, need_decided, render
from landrules.web.sessions import Session

router = APIRouter(include_in_schema=False)

# the form's file fields: (what the officer is asked for, the CLI option it stands for)
MAP_FILES = {"parcels": ("宗地界址文件", "--parcels"), "boundary": ("集聚区边界", "--boundary"),
             "plan": ("国土空间规划图层", "--plan")}
# a browser sends one file per field: a Shapefile comes as one .zip with its .dbf, .prj (and .cpg)
UPLOAD_SUFFIXES = tuple(s for s in READERS if s != ".shp")
CHUNK = 1024 * 1024

BY = {"category": "按类别", "outcome": "按处置措施", "overdue": "按是否逾期"}
ABSENT = Legend("台账中无此宗", "#ffffff")
NO_CATEGORY = Legend("无类别", "#d6eaf8")
INVALID = Legend("记录无效", "#7f8c8d")
OVERDUE = {"overdue": Legend("已逾期", "#e74c3c"), "pending": Legend("有完成时限，未逾期", "#f1c40f"),
           "none": Legend("无完成时限", "#a9cce3")}
# distinguishable fills for the measures, given out in the rulebook's order of outcomes
PALETTE = ("#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c",
           "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#808000", "#ffd8b1")
QUIET = {"no_action": "#eaf2e3", "needs_information": "#fdebd0", "invalid_record": INVALID.colour}


@dataclass
class SessionMap:
    """The boundary files of a session, read: what decide takes (`inputs`, the facts loaded)
    and the names the officer gave the files (shown, never used as paths)."""

    inputs: MapInputs
    names: dict[str, str] = field(default_factory=dict)

    @property
    def geo(self) -> GeoFacts:
        return self.inputs.loaded.geo

    @cached_property
    def tree(self) -> tuple[np.ndarray, shapely.STRtree]:
        """(positions of the shapes present, an STRtree of them), for a parcel's neighbours."""
        planar = self.geo.planar
        present = np.flatnonzero(~shapely.is_missing(planar))
        return present, shapely.STRtree(planar[present])

    @cached_property
    def position(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.geo.ids)}


async def take_uploads(session: Session, rulebook: Rulebook, files: dict[str, UploadFile | None], id_field: str,
                       ledger_ids: set[str]) -> str | None:
    """Save the boundary files into the session's folder and read them as `decide --parcels`
    does (session.map); a Chinese line saying what is wrong, or None."""
    given = {role: f for role, f in files.items() if f is not None and f.filename}
    if not given:
        return "宗地编号字段须与宗地界址文件一起填写" if id_field.strip() else None
    if "parcels" not in given:
        return f"{'、'.join(MAP_FILES[r][0] for r in given)}须与宗地界址文件一起上传（同命令行 --boundary、--plan 须与 --parcels 一起使用）"
    paths: dict[str, Path] = {}
    names: dict[str, str] = {}
    for role, upload in given.items():
        name = Path(upload.filename).name
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            shp = "；Shapefile 请把 .shp、.dbf、.prj（及 .cpg）一起压缩成一个 .zip 上传" if suffix in (".shp", ".dbf", ".prj", ".shx") else ""
            return f"{MAP_FILES[role][0]} {name} 的类型不支持：应为 {'、'.join(UPLOAD_SUFFIXES)}{shp}"
        target = session.folder / f"map-{role}{suffix}"  # the officer's name is shown, never used as a path
        with open(target, "wb") as out:
            while chunk := await upload.read(CHUNK):
                await run_in_threadpool(out.write, chunk)
        paths[role], names[role] = target, name
    inputs = MapInputs(paths["parcels"], paths.get("boundary"), paths.get("plan"), id_field.strip() or None)
    try:
        loaded = await run_in_threadpool(load_map, inputs, rulebook, session.as_of, ledger_ids or None)
    except GeoError as exc:
        return _officer_names(str(exc), paths, names)
    geo = loaded.geo
    geo.path = Path(names["parcels"])  # the decisions' notes name the officer's file
    geo.notices = [_officer_names(n, paths, names) for n in geo.notices]
    geo.problems = {pid: [_officer_names(m, paths, names) for m in ms] for pid, ms in geo.problems.items()}
    session.map = SessionMap(MapInputs(inputs.parcels, inputs.boundary, inputs.plan, inputs.id_field, loaded), names)
    return None


def _officer_names(text: str, paths: dict[str, Path], names: dict[str, str]) -> str:
    for role, path in paths.items():
        text = text.replace(str(path.resolve()), names[role]).replace(str(path), names[role]).replace(path.name, names[role])
    return text


def map_inputs(session: Session) -> MapInputs | None:
    """What decide takes for the session's boundary files (None without them)."""
    return session.map.inputs if session.map is not None else None


def classes_of(folder: Path, by: str, rulebook: Rulebook, only: str = "") -> tuple[dict[str, str], dict[str, Legend]]:
    """Each decided parcel's class for the map (parcel id -> legend key) and the legend, from
    the session's index of decisions (`table`): its first category, its first measure, or
    whether it is overdue; with `only` (a category or measure code), the parcels that have it
    among theirs, the others grey. A parcel decided twice (a repeated id) takes its first row.
    Each legend row of a category or measure links to the map of that one alone."""
    from landrules.web.table import read_index

    index = read_index(folder, ["parcel_id", "categories", "outcome_codes", "deadline", "is_overdue", "errors"]).to_pydict()
    if by == "outcome":
        legend = {code: Legend(label, QUIET.get(code) or PALETTE[k % len(PALETTE)])
                  for k, (code, label) in enumerate(rulebook.outcomes.items())}
    elif by == "overdue":
        legend = dict(OVERDUE)
    else:
        legend = category_legend(rulebook.categories)
        legend["none"] = NO_CATEGORY
    if by != "overdue":
        legend = {k: replace(v, href=f"/map?by={by}&only={quote(k)}") for k, v in legend.items()}
    legend["invalid"] = INVALID
    if only and only in legend:
        legend = {only: replace(legend[only], href=None),
                  "rest": Legend("其他宗地（点此看全部）", NONE_COLOUR, href=f"/map?by={by}"), "invalid": INVALID}
    classes: dict[str, str] = {}
    for pid, cats, outs, deadline, overdue, errors in zip(*index.values(), strict=True):
        if pid is None or pid in classes:
            continue
        codes = ((outs if by == "outcome" else cats) or "").split("; ")
        if errors:
            classes[pid] = "invalid"
        elif by == "overdue":
            classes[pid] = "overdue" if overdue else ("pending" if deadline else "none")
        elif "rest" in legend:
            classes[pid] = only if only in codes or (only == "none" and codes == [""]) else "rest"
        else:
            classes[pid] = codes[0] or "none"
    return classes, legend


@router.get("/map", dependencies=[need("填报")])
def map_page(request: Request, by: str = "category", only: str = ""):
    session, problem = need_decided(request)
    if problem:
        return problem
    if session.map is None:
        return error_page(404, "上传台账时没有附宗地界址文件，无法绘制一张图。请在首页重新上传台账，并选择宗地界址文件"
                               "（界址点坐标 TXT、Shapefile 压缩包、GeoJSON 或 GeoPackage）。", "没有宗地图形")
    by = by if by in BY else "category"
    rulebook = request.app.state.rulebook
    classes, legend = classes_of(session.decided, by, rulebook, only)
    geo = session.map.geo
    drawn = {pid: classes.get(pid, "absent") for pid in geo.ids}
    legend["absent"] = ABSENT
    title = f"存量用地一张图（{BY[by]}）" if not only or only not in legend else f"存量用地一张图：{legend[only].label}"
    svg = classed_map(geo, drawn, legend, title)
    on_map = set(geo.ids[~shapely.is_missing(geo.geometries)].tolist())
    unmapped = sorted(pid for pid in classes if pid not in on_map)
    absent = sorted(pid for pid in geo.ids if pid not in classes)
    return render(request, "map.html", nav="map", svg=Markup(svg), by=by, modes=BY, names=session.map.names,
                  shown=len(on_map), unmapped=unmapped, absent=absent, problems=geo.problems, notices=geo.notices,
                  unnamed=geo.unnamed)


# what the parcel page shows of the map's facts: field, how the value reads, the parameter beside it
GEO_FACTS = (("geom_area_mu", "亩", None), ("area_gap_ratio", "%", "geo.max_area_gap_ratio"),
             ("overlaps", "", "geo.min_overlap_m2"), ("inside_boundary_ratio", "%", "geo.min_inside_boundary_ratio"),
             ("planned_industrial_ratio", "%", "geo.min_planned_industrial_ratio"))
PARAM_WORDS = {"geo.max_area_gap_ratio": "超过 {}的核实界址与面积", "geo.min_overlap_m2": "重叠面积超过 {}的计为重叠",
               "geo.min_inside_boundary_ratio": "低于 {}的核实界址与面积",
               "geo.min_planned_industrial_ratio": "台账未填“符合国土空间规划”时，达到 {}的取“是”"}


def parcel_geo(session: Session, rulebook: Rulebook, as_of: dt.date, pid: str | None, facts: dict) -> dict | None:
    """What the parcel page shows of the map (None when no boundary file was uploaded): the
    parcel's shape among its neighbours (SVG), the facts of contract §8 as an officer reads
    them, each with its parameter, and why the parcel has no shape when it has none."""
    if session.map is None:
        return None
    geo = session.map.geo
    rows = []
    for name, unit, param in GEO_FACTS:
        value = facts.get(name)
        if value is None:
            shown = "—"
        elif unit == "%":
            shown = f"{value:.1%}"
        elif unit:
            shown = f"{value:.2f} {unit}"
        else:
            shown = value
        rows.append({"name": name, "label": fields.BY_NAME[name].zh, "value": shown, "ids": _ids(value) if name == "overlaps" else [],
                     "param": _param(rulebook, as_of, param) if param else "按宗地所在的 3 度带高斯投影计算"})
    why = None
    at = session.map.position.get(pid) if pid else None
    if pid is not None and pid in geo.problems:
        why = "；".join(geo.problems[pid])
    elif at is None:
        why = f"宗地界址文件 {session.map.names['parcels']} 中没有该宗地（未标图）"
    svg = _parcel_svg(session.map, at, facts.get("overlaps")) if at is not None and why is None else None
    return {"rows": rows, "why": why, "svg": Markup(svg) if svg else None}


def _ids(value) -> list[str]:
    return [v for v in str(value).split("、") if v] if value else []


def _param(rulebook: Rulebook, as_of: dt.date, pid: str) -> str:
    spec = rulebook.parameters.get(pid)
    if spec is None:
        return ""
    value = rulebook.param_value(pid, as_of)[0]
    if value is None:
        return "参数在评估日无取值"
    text = f"{value:.0%}" if spec.unit == "比例" else f"{value:g} {spec.unit}"
    return PARAM_WORDS[pid].format(text) + ("（暂定值）" if getattr(spec, "provisional", False) else "")


def _parcel_svg(session_map: SessionMap, at: int, overlaps) -> str:
    """The parcel (filled red) over its neighbours (grey) and the parcels it overlaps (orange),
    on a window around it; the boundary where it passes."""
    geo = session_map.geo
    shape = geo.planar[at]
    xmin, ymin, xmax, ymax = shapely.bounds(shape)
    margin = max(xmax - xmin, ymax - ymin) * 0.6 + 20.0
    extent = (xmin - margin, ymin - margin, xmax + margin, ymax + margin)
    present, tree = session_map.tree
    near = present[tree.query(shapely.box(*extent))]
    overlapping = set(_ids(overlaps))
    own = geo.ids[at]
    others = [int(i) for i in near if geo.ids[i] != own]
    order = sorted(others, key=lambda i: geo.ids[i] in overlapping) + [at]  # the parcel itself on top
    ids = [geo.ids[i] for i in order]
    classes = ["self" if pid == own else "overlap" if pid in overlapping else "near" for pid in ids]
    legend = {"self": Legend("本宗地", "#e74c3c", 0.75), "overlap": Legend("与本宗重叠的宗地", "#f39c12"),
              "near": Legend("相邻宗地", NONE_COLOUR)}
    return map_svg(ids, geo.planar[order], classes, legend, geo.boundary, title=f"宗地 {own} 的界址（相邻宗地可点击）",
                   width=640, height=400, extent=extent)
