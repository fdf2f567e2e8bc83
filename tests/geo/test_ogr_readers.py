"""Shapefile (with and without .cpg, zipped), GeoJSON and GeoPackage boundaries."""

from __future__ import annotations

import json
import zipfile

import pytest
import shapely
from geo_files import E0, N0, box, layer

from landrules.geo.layer import GeoError
from landrules.geo.read import read_layer

NAMES = ["石龙焦化", "平顶山耐火材料"]


def shapefile(tmp_path, encoding="UTF-8", keep_cpg=True, prj=True):
    path = layer(tmp_path / "宗地.shp", [box(E0, N0, 100), box(E0 + 200, N0, 50)],
                 {"ZDDM": ["SL-001", "SL-002"], "QLR": NAMES}, 4526, "ESRI Shapefile", encoding=encoding)
    if not keep_cpg:
        path.with_suffix(".cpg").unlink()
    if not prj:
        path.with_suffix(".prj").unlink()
    return path


def test_shapefile_with_cpg(tmp_path):
    got = read_layer(shapefile(tmp_path))
    assert got.epsg == 4526
    assert list(got.attributes["QLR"]) == NAMES
    assert [g.area for g in got.geometries] == pytest.approx([10_000, 2_500])


def test_gbk_shapefile_without_cpg_is_recognised(tmp_path):
    path = shapefile(tmp_path, encoding="GBK", keep_cpg=False)
    assert not path.with_suffix(".cpg").exists()
    got = read_layer(path)
    assert list(got.attributes["QLR"]) == NAMES
    assert any("GBK" in n for n in got.notices)


def test_utf8_shapefile_without_cpg_is_recognised(tmp_path):
    got = read_layer(shapefile(tmp_path, encoding="UTF-8", keep_cpg=False))
    assert list(got.attributes["QLR"]) == NAMES


@pytest.mark.filterwarnings("ignore:Could not decode error message")  # GDAL says it cut the name, in the bytes it cut
def test_a_utf8_field_name_cut_inside_a_character_is_read_not_crashed(tmp_path):
    # a .dbf keeps 10 bytes of a field name: 地块编号 is 12 in UTF-8, so GDAL writes 地块编 and a third of 号
    path = layer(tmp_path / "宗地.shp", [box(E0, N0, 100)], {"地块编号": ["SL-001"], "QLR": NAMES[:1]}, 4526,
                 "ESRI Shapefile", encoding="UTF-8")
    assert path.with_suffix(".cpg").exists()
    got = read_layer(path)
    assert list(got.attributes.columns) == ["地块编", "QLR"] and list(got.attributes["QLR"]) == NAMES[:1]
    assert any("10 字节" in n for n in got.notices)


def test_zipped_shapefile(tmp_path):
    shapefile(tmp_path, encoding="GBK", keep_cpg=False)
    archive = tmp_path / "宗地.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in tmp_path.glob("宗地.*"):
            if part != archive:
                z.write(part, part.name)
    got = read_layer(archive)
    assert got.epsg == 4526 and list(got.attributes["QLR"]) == NAMES
    assert [g.area for g in got.geometries] == pytest.approx([10_000, 2_500])


def test_a_shapefile_without_prj_is_refused(tmp_path):
    with pytest.raises(GeoError, match=r"\.prj"):
        read_layer(shapefile(tmp_path, prj=False))


def test_geojson_in_longitude_latitude(tmp_path):
    path = tmp_path / "parcels.geojson"
    ring = [[112.9, 33.9], [112.901, 33.9], [112.901, 33.901], [112.9, 33.901], [112.9, 33.9]]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"地块编号": "SL-001"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}),
        encoding="utf-8")
    got = read_layer(path)
    assert got.epsg == 4490 and not got.problems
    assert shapely.get_coordinates(got.geometries[0])[0].tolist() == [112.9, 33.9]


def test_geojson_with_latitude_first_is_named(tmp_path):
    path = tmp_path / "parcels.geojson"
    ring = [[33.9, 112.9], [33.9, 112.901], [33.901, 112.901], [33.901, 112.9], [33.9, 112.9]]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"地块编号": "SL-001"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}),
        encoding="utf-8")
    got = read_layer(path)
    assert got.geometries[0] is None and "经纬度互换" in got.problems[0][0]


def test_geopackage_and_invalid_shapes_named(tmp_path):
    bow_tie = shapely.Polygon([(E0, N0), (E0 + 100, N0 + 100), (E0 + 100, N0), (E0, N0 + 100)])
    path = layer(tmp_path / "p.gpkg", [box(E0, N0, 100), bow_tie], {"DKBH": ["A", "B"]}, 4526, "GPKG")
    got = read_layer(path)
    assert got.geometries[0] is not None and got.geometries[1] is None
    assert "第2个图形" in got.problems[1][0] and "自相交" in got.problems[1][0]


def test_geopackage_with_a_wrong_zone_prefix(tmp_path):
    path = layer(tmp_path / "p.gpkg", [box(E0 + 1_000_000, N0, 100)], {"DKBH": ["A"]}, 4526, "GPKG")
    got = read_layer(path)
    assert got.geometries[0] is None and "带号前缀" in got.problems[0][0]


def test_a_file_in_another_crs_is_refused(tmp_path):
    path = layer(tmp_path / "p.gpkg", [box(500_000, 4_000_000, 100)], {"DKBH": ["A"]}, 32649, "GPKG")
    with pytest.raises(GeoError, match="CGCS2000"):
        read_layer(path)
