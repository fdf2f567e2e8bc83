"""The 一张图 SVG: well-formed, every parcel a link, the legend, boundary, scale bar and north arrow."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import shapely

from landrules.geo.svg import Legend, map_svg

NS = {"s": "http://www.w3.org/2000/svg"}


def test_map_svg():
    shapes = np.array([shapely.box(0, 0, 100, 80), shapely.box(300, 0, 380, 60).difference(shapely.box(320, 20, 340, 40)), None],
                      dtype=object)
    svg = map_svg(["SL-001", "SL/2", "SL-003"], shapes, ["idle", None, "idle"],
                  {"idle": Legend("闲置", "#e74c3c"), "low_efficiency": Legend("低效", "#8e44ad")},
                  boundary=shapely.box(-50, -50, 450, 150), title="一张图")
    root = ET.fromstring(svg)
    links = [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert links == ["/parcel?id=SL-001", "/parcel?id=SL/2"]  # no shape, no link; ids URL-quoted as needed
    text = "".join(root.itertext())
    assert "闲置（1宗）" in text and "其他/未决（1宗）" in text and "低效" not in text  # only classes on the map
    assert "产业集聚区边界" in text and "北" in text and "米" in text
    holes = [p.get("d") for p in root.iterfind(".//s:a/s:path", NS)][1]
    assert holes.count("M") == 2  # the courtyard is a hole (even-odd fill), not a second parcel


def test_an_empty_map_says_so():
    assert "没有可绘制" in map_svg([], np.array([], dtype=object), [], {})


def test_every_ring_of_every_part_is_a_subpath_of_its_own_parcel():
    courtyard = shapely.box(0, 0, 100, 100).difference(shapely.box(40, 40, 60, 60))
    two_parts = shapely.MultiPolygon([courtyard, shapely.box(200, 0, 250, 50)])
    svg = map_svg(["A", "B", "C"], np.array([two_parts, None, shapely.box(300, 0, 310, 10)], dtype=object),
                  ["x", "x", "x"], {"x": Legend("类", "#123456")}, extent=(0, 0, 310, 100), width=640, height=400)
    paths = {a.get("href"): a.find("s:path", NS).get("d") for a in ET.fromstring(svg).iterfind(".//s:a", NS)}
    assert list(paths) == ["/parcel?id=A", "/parcel?id=C"]
    assert paths["/parcel?id=A"].count("M") == 3 and paths["/parcel?id=C"].count("M") == 1  # shell, hole, second part
    assert paths["/parcel?id=A"].startswith("M30.0,")  # the extent's left edge at the map's left margin


def test_a_long_legend_label_is_cut_at_its_bracket_and_kept_whole_in_its_tooltip():
    legend = {"a": Legend("核实宗地界址与面积（标图入库：面积不符、与其他宗地重叠）", "#111111"), "b": Legend("有完成时限，未逾期", "#222222")}
    svg = map_svg(["A", "B"], np.array([shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1)], dtype=object), ["a", "b"], legend)
    rows = [t for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text") if t.text and "宗）" in t.text]
    assert [t.text for t in rows] == ["核实宗地界址与面积（1宗）", "有完成时限，未逾期（1宗）"]
    assert rows[0].find("s:title", NS).text == legend["a"].label
