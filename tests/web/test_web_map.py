"""The workbench with the parcels' boundary files (contract §8): uploaded beside the ledger as
`decide --parcels/--boundary/--plan`, the 一张图 page, a parcel's shape and map facts, the map
outputs, and bad files refused in Chinese."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile

import pyogrio
import pytest

from conftest import ROOT
from web_helpers import SAMPLE, Officer, make_app, wait_for

EXAMPLES = ROOT / "examples"
SVG = "{http://www.w3.org/2000/svg}"
MAP = {"parcels": EXAMPLES / "shilong-parcels.gpkg", "boundary": EXAMPLES / "shilong-boundary.gpkg",
       "plan": EXAMPLES / "shilong-plan.gpkg"}


def upload(client, files: dict, **data):
    sent = {"ledger": ("石龙台账.csv", SAMPLE.read_bytes())}
    sent.update({role: (f"我的-{path.name}", path.read_bytes()) if hasattr(path, "read_bytes") else path
                 for role, path in files.items()})
    return client.post("/upload", files=sent, data={"as_of": "2021-10-01", **data})


@pytest.fixture(scope="module")
def mapped():
    app = make_app()
    with Officer(app) as client:
        assert upload(client, MAP).url.path == "/columns"
        client.post("/decide")
        wait_for(client, "/progress", "/summary")
        yield client


def svg_of(html: str) -> ET.Element:
    start = html.index("<svg")
    return ET.fromstring(html[start:html.index("</svg>", start) + 6])


def test_the_column_page_says_what_was_read_of_the_map():
    with Officer(make_app()) as client:
        page = upload(client, MAP).text
        assert 'id="map-read"' in page and "我的-shilong-parcels.gpkg：40 宗" in page and "我的-shilong-plan.gpkg" in page


def test_the_summary_leads_to_the_map(mapped):
    page = mapped.get("/summary").text
    assert 'href="/map"' in page and "我的-shilong-parcels.gpkg" in page
    assert ">一张图</a>" in mapped.get("/parcels").text  # in the menu on every page of the ledger


def test_the_map_draws_every_parcel_with_a_link_legend_and_boundary(mapped):
    response = mapped.get("/map")
    assert response.status_code == 200
    svg = svg_of(response.text)
    links = [a.get("href") for a in svg.iter(SVG + "a") if a.get("href", "").startswith("/parcel")]
    assert len(links) == 40 and "/parcel?id=SL-018" in links
    text = "".join(svg.itertext())
    assert "批而未供（16宗）" in text and "闲置（9宗）" in text and "产业集聚区边界" in text and "北" in text
    assert "台账的每一宗都已标图" in response.text


@pytest.mark.parametrize("by, words", [("outcome", "核实宗地界址与面积"), ("overdue", "已逾期")])
def test_the_map_by_measure_and_by_overdue(mapped, by, words):
    text = "".join(svg_of(mapped.get(f"/map?by={by}").text).itertext())
    assert words in text


def test_one_measure_alone(mapped):
    svg = svg_of(mapped.get("/map?by=outcome&only=verify_boundary").text)
    fills = {a.get("href"): a.find(SVG + "path").get("fill") for a in svg.iter(SVG + "a")
             if a.get("href", "").startswith("/parcel")}
    marked = sorted(pid.split("=")[1] for pid, fill in fills.items() if fill not in ("#d9d9d9", "#7f8c8d"))
    assert marked == ["SL-018", "SL-019", "SL-026", "SL-040"]  # the sample's four, as `decide` finds them


def test_the_parcel_page_shows_its_shape_and_map_facts(mapped):
    page = mapped.get("/parcel?id=SL-018").text
    assert 'id="geo"' in page
    svg = svg_of(page[page.index('id="geo"'):])
    assert "与本宗重叠的宗地" in "".join(svg.itertext())
    assert {a.get("href") for a in svg.iter(SVG + "a")} >= {"/parcel?id=SL-018", "/parcel?id=SL-019"}
    facts = page[page.index('id="geo-facts"'):page.index("</table>", page.index('id="geo-facts"'))]
    for words in ("图形面积（亩）", "18.50 亩", "台账与图形面积差率", "集聚区边界内面积占比", "规划工业用地占比",
                  'href="/parcel?id=SL-019"', "超过 5%的核实界址与面积"):
        assert words in facts
    assert "核实宗地界址与面积" in page[page.index('class="card decision"'):]  # the decision the map made


def test_the_parcel_page_explains_with_the_map_facts(mapped):
    page = mapped.get("/parcel?id=SL-026").text
    assert "25.0%" in page  # its ledger area is a quarter above its shape
    trace = page[page.index("触发与缺少信息的规则"):]
    assert "map.verify_boundary" in trace.split("其余未触发的规则")[0]  # fired, not among the rules that did not


def test_the_map_outputs_download(mapped, tmp_path):
    gpkg = tmp_path / "d.gpkg"
    gpkg.write_bytes(mapped.get("/download/gpkg").content)
    info = pyogrio.read_info(gpkg)
    assert info["features"] == 40 and info["crs"] == "EPSG:4526"
    assert {"outcome_codes", "geom_area_mu", "overlaps"} <= set(info["fields"])
    collection = json.loads(mapped.get("/download/geojson").content)
    assert len(collection["features"]) == 40
    lon, lat = collection["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 112 < lon < 114 and 33 < lat < 35


def test_without_the_files_there_is_no_map():
    with Officer(make_app()) as client:
        assert upload(client, {}).url.path == "/columns"
        client.post("/decide")
        page = wait_for(client, "/progress", "/summary").text
        assert 'href="/map"' not in page
        missing = client.get("/map")
        assert missing.status_code == 404 and "宗地界址文件" in missing.text
        assert client.get("/download/gpkg").status_code == 404
        assert 'id="geo"' not in client.get("/parcel?id=SL-018").text


def test_a_zipped_shapefile_is_taken(tmp_path):
    shp = tmp_path / "宗地.shp"
    meta, _, wkb, values = pyogrio.raw.read(MAP["parcels"])
    pyogrio.raw.write(shp, wkb, values, ["DKBH", "DKMC", "DKYT"], driver="ESRI Shapefile", geometry_type="MultiPolygon",
                      crs=meta["crs"], encoding="UTF-8")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for part in tmp_path.iterdir():
            z.write(part, part.name)
    with Officer(make_app()) as client:
        response = upload(client, {"parcels": ("宗地.zip", archive.getvalue())})
        assert response.url.path == "/columns", response.text
        client.post("/decide")
        wait_for(client, "/progress", "/summary")
        assert len([a for a in svg_of(client.get("/map").text).iter(SVG + "a") if a.get("href", "").startswith("/parcel")]) == 40


@pytest.mark.parametrize("files, data, words", [
    ({"boundary": MAP["boundary"]}, {}, "须与宗地界址文件一起上传"),
    ({"parcels": ("宗地.shp", b"x")}, {}, ".zip"),
    ({"parcels": ("宗地.txt", "[属性描述]\n带号=38\n".encode())}, {}, "宗地.txt：不是界址点坐标文件"),
    ({"parcels": MAP["parcels"]}, {"parcels_id": "没有这个字段"}, "没有字段“没有这个字段”"),
])
def test_bad_boundary_files_are_refused_in_chinese(files, data, words):
    with Officer(make_app()) as client:
        response = upload(client, files, **data)
        assert response.status_code == 400 and words in response.text, response.text
        assert "map-parcels" not in response.text  # the officer's file names, never the session's copies
        assert client.get("/columns").status_code == 400  # nothing half-taken: the upload is undone


def test_a_whatif_on_a_map_parameter_decides_with_the_map():
    with Officer(make_app()) as client:
        upload(client, MAP)
        client.post("/decide")
        wait_for(client, "/progress", "/summary")
        client.post("/whatif", data={"param": "geo.max_area_gap_ratio", "value": "0.3"})  # SL-026's gap is 25 %
        page = wait_for(client, "/progress?job=whatif", "/whatif/result").text
        changed = int(re.search(r'id="changed">决策有变化的宗地：<b>(\d+)</b>', page).group(1))
        assert changed == 1 and ">SL-026</a>" in page  # the others keep what the map gave them


def test_the_bulletin_downloaded_from_the_workbench_carries_the_map(mapped):
    page = mapped.get("/download/report-html").content.decode("utf-8")
    assert "存量用地一张图（按类别）" in page and "产业集聚区边界" in page


def test_a_parcel_the_file_lacks_is_named_on_the_map_page_and_its_own():
    lines = (EXAMPLES / "shilong-parcels.txt").read_bytes().decode("gbk").split("\r\n")
    start = next(i for i, ln in enumerate(lines) if ",SL-003," in ln)
    end = next(i for i, ln in enumerate(lines) if ",SL-004," in ln)
    fewer = "\r\n".join(lines[:start] + lines[end:]).encode("gbk")
    with Officer(make_app()) as client:
        upload(client, {"parcels": ("界址.txt", fewer)})
        client.post("/decide")
        wait_for(client, "/progress", "/summary")
        page = client.get("/map").text
        assert "台账中有 1 宗没有可用的图形" in page and 'href="/parcel?id=SL-003"' in page
        own = client.get("/parcel?id=SL-003").text
        assert "宗地界址文件 界址.txt 中没有该宗地（未标图）" in own and "<svg" not in own[own.index('id="geo"'):own.index("</section>", own.index('id="geo"'))]


def test_a_run_recorded_from_a_session_with_the_map_keeps_the_map_facts(tmp_path, monkeypatch):
    from landrules.record.store import Store

    store = tmp_path / "store.duckdb"
    monkeypatch.setenv("LANDRULES_STORE", str(store))
    with Officer(make_app(temp_root=tmp_path)) as client:
        assert upload(client, MAP).url.path == "/columns"
        client.post("/decide")
        wait_for(client, "/progress", "/summary")
        assert client.post("/runs/record", data={"label": "有图"}).url.path == "/runs/1"
    with Store.open(store, readonly=True) as opened:
        codes = dict(opened.con.execute(
            "SELECT parcel_id, outcome_codes FROM decision_rows WHERE run_id = 1").fetchall())
    # SL-018 overlaps SL-019 on the map: 核实宗地界址与面积 (verify_boundary) comes only from the shapes
    assert "verify_boundary" in codes["SL-018"], codes["SL-018"]
