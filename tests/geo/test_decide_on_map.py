"""`decide` / `explain` with `--parcels --boundary --plan` on the bundled sample (contract §8),
its .gpkg / .geojson outputs read back by an independent reader (ogrinfo) and by pyogrio."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from conftest import ROOT
from landrules.cli import app

EXAMPLES = ROOT / "examples"
SAMPLE = EXAMPLES / "shilong-ledger.csv"
MAP = ["--parcels", EXAMPLES / "shilong-parcels.txt", "--boundary", EXAMPLES / "shilong-boundary.gpkg",
       "--plan", EXAMPLES / "shilong-plan.gpkg"]
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def decisions(*extra):
    result = run("decide", SAMPLE, "--as-of", "2021-10-01", *extra)
    assert result.exit_code == 1, result.output  # the sample has two invalid rows
    return {d["parcel_id"]: d for d in map(json.loads, result.stdout.splitlines()) if d["parcel_id"]}


def codes(decision):
    return [o["code"] for o in decision["outcomes"]]


@pytest.fixture(scope="module")
def on_map():
    return decisions(*MAP)


def test_verify_boundary_where_the_map_disagrees(on_map):
    flagged = {pid for pid, d in on_map.items() if "verify_boundary" in codes(d)}
    # SL-018/019 overlap, SL-026's ledger area is a quarter above its shape, SL-040 is partly outside
    assert flagged == {"SL-018", "SL-019", "SL-026", "SL-040"}
    [outcome] = [o for o in on_map["SL-026"]["outcomes"] if o["code"] == "verify_boundary"]
    assert [(c["doc"], c["clause"]) for c in outcome["citations"]] == [("平龙政办〔2021〕36号", "2.3.1")]
    assert "标图入库" in outcome["citations"][0]["text"]


def test_without_the_map_nothing_changes_and_nothing_is_asked():
    plain = decisions()
    for d in plain.values():
        assert "verify_boundary" not in codes(d)
        assert not set(d["needs"]) & {"geom_area_mu", "area_gap_ratio", "overlaps", "inside_boundary_ratio"}


def test_other_outcomes_stay_as_without_the_map(on_map):
    plain = decisions()
    for pid, d in on_map.items():
        assert [c for c in codes(d) if c != "verify_boundary"] == codes(plain[pid]), pid


def test_plan_fills_an_empty_conforms_cell_and_the_ledger_stands_otherwise(on_map):
    assert any("按规划图层取“否”" in n for n in on_map["SL-024"]["notes"])  # planned green land
    assert any("按规划图层取“是”" in n for n in on_map["SL-001"]["notes"])
    assert any("以台账为准" in n for n in on_map["SL-010"]["notes"])  # planned residential; the ledger says 是


def test_the_txt_and_the_geopackage_decide_alike(on_map):
    other = decisions("--parcels", EXAMPLES / "shilong-parcels.gpkg", *MAP[2:])
    assert {p: codes(d) for p, d in other.items()} == {p: codes(d) for p, d in on_map.items()}


def test_both_engines_agree_on_the_map():
    a = run("decide", SAMPLE, "--as-of", "2021-10-01", "--engine", "durable", *MAP)
    b = run("decide", SAMPLE, "--as-of", "2021-10-01", "--engine", "vectorized", *MAP)
    assert a.stdout == b.stdout and "verify_boundary" in a.stdout


def test_explain_shows_the_map_facts():
    result = run("explain", SAMPLE, "--parcel", "SL-026", "--as-of", "2021-10-01", *MAP)
    assert result.exit_code == 0, result.output
    assert "图形面积（亩）（geom_area_mu）：46.3997" in result.stdout  # the shape's area, to four decimals
    assert "台账与图形面积差率（area_gap_ratio）：25.00%" in result.stdout
    result = run("explain", SAMPLE, "--parcel", "SL-018", "--as-of", "2021-10-01", "--json", *MAP)
    shown = json.loads(result.stdout)["map"]
    assert shown["overlaps"] == "SL-019" and shown["inside_boundary_ratio"] == 1.0


def test_a_defective_shape_is_noted_and_the_parcel_decided_without_it(tmp_path):
    text = (EXAMPLES / "shilong-parcels.txt").read_bytes().decode("gbk")
    lines = text.split("\r\n")
    at = next(i for i, ln in enumerate(lines) if ",SL-026," in ln)
    lines[at + 5] = lines[at + 5].replace("J1,", "J5,").rsplit(",", 1)[0] + ",38300000.000"  # the closing point moved
    broken = tmp_path / "broken.txt"
    broken.write_bytes("\r\n".join(lines).encode("gbk"))
    got = decisions("--parcels", broken)
    assert "verify_boundary" not in codes(got["SL-026"])
    assert any("图形未使用" in n and "SL-026" in n and "未闭合" in n for n in got["SL-026"]["notes"])


def test_a_bad_boundary_file_is_refused_before_deciding(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("nothing here", encoding="utf-8")
    result = run("decide", SAMPLE, "--parcels", path)
    assert result.exit_code == 2 and "地块坐标" in result.output
    result = run("decide", SAMPLE, "--boundary", EXAMPLES / "shilong-boundary.gpkg")
    assert result.exit_code == 2 and "--parcels" in result.output


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="ogrinfo (Debian gdal-bin) is not installed")
def test_geopackage_output_opens_in_ogrinfo(tmp_path):
    out = tmp_path / "decisions.gpkg"
    assert run("decide", SAMPLE, "--as-of", "2021-10-01", "-o", out, *MAP).exit_code == 1
    summary = subprocess.run(["ogrinfo", "-so", "-al", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Feature Count: 40" in summary and "3-degree Gauss-Kruger zone 38" in summary
    for column in ("宗地编号", "categories", "outcome_codes", "citations", "deadline", "notes", "geom_area_mu", "overlaps"):
        assert f"{column}: " in summary, column
    one = subprocess.run(["ogrinfo", "-al", "-q", str(out), "-where", "宗地编号='SL-026'"], capture_output=True, text=True, check=True).stdout
    assert "verify_boundary" in one and "MULTIPOLYGON (((383984" in one


def test_geopackage_output_read_back_by_pyogrio(tmp_path):
    out = tmp_path / "decisions.gpkg"
    assert run("decide", SAMPLE, "--as-of", "2021-10-01", "-o", out, *MAP).exit_code == 1
    meta, _, wkb, values = pyogrio.raw.read(str(out))
    data = dict(zip(meta["fields"], values, strict=True))
    assert len(wkb) == 40 and "EPSG:4526" in meta["crs"]
    ids = list(data["宗地编号"])
    k = ids.index("SL-026")
    assert "verify_boundary" in data["outcome_codes"][k]
    assert shapely.from_wkb(wkb[k]).area / (10000 / 15) == pytest.approx(data["geom_area_mu"][k], rel=1e-3)


def test_parcels_without_a_shape_are_kept_without_geometry(tmp_path):
    text = (EXAMPLES / "shilong-parcels.txt").read_bytes().decode("gbk").split("\r\n")
    start = next(i for i, ln in enumerate(text) if ",SL-003," in ln)
    end = next(i for i, ln in enumerate(text) if ",SL-004," in ln)
    fewer = tmp_path / "fewer.txt"
    fewer.write_bytes("\r\n".join(text[:start] + text[end:]).encode("gbk"))
    out = tmp_path / "decisions.geojson"
    assert run("decide", SAMPLE, "--as-of", "2021-10-01", "-o", out, "--parcels", fewer).exit_code == 1
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert len(collection["features"]) == 40 and "crs" not in collection
    by_id = {f["properties"]["宗地编号"]: f for f in collection["features"]}
    assert by_id["SL-003"]["geometry"] is None
    assert "未标图" in by_id["SL-003"]["properties"]["notes"]
    lon, lat = np.array(by_id["SL-001"]["geometry"]["coordinates"][0][0]).mean(axis=0)
    assert 112.8 < lon < 113.0 and 33.8 < lat < 34.0  # RFC 7946: longitude, latitude
    meta, _, wkb, _ = pyogrio.raw.read(str(out))
    assert len(wkb) == 40 and sum(w is None for w in wkb) == 1


def test_before_the_map_parameters_are_in_force_nothing_borrows_them():
    result = run("decide", SAMPLE, "--as-of", "2021-01-01", *MAP)
    assert result.exit_code == 1, result.output  # the two invalid rows, not a crash
    assert "规划图层 shilong-plan.gpkg 未使用" in result.stderr and "宗地重叠未判断" in result.stderr
    early = {d["parcel_id"]: d for d in map(json.loads, result.stdout.splitlines()) if d["parcel_id"]}
    assert not any("verify_boundary" in codes(d) for d in early.values())  # 36号 is not in force yet
