"""The 界址点坐标 TXT: encodings, zones, holes and parts, and each defect named, never repaired."""

from __future__ import annotations

import pytest
import shapely
from geo_files import E0, N0, parcel, square, txt

from landrules.geo.layer import GeoError
from landrules.geo.read import read_layer


@pytest.mark.parametrize("encoding, said", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("gbk", "GBK")])
def test_reads_both_encodings_alike(tmp_path, encoding, said):
    path = txt(tmp_path, parcel("SL-001", square(E0, N0, 100), name="石龙焦化厂区"), encoding=encoding)
    layer = read_layer(path)
    assert layer.epsg == 4526  # CGCS2000 / 3-degree Gauss-Kruger zone 38, prefixed eastings
    assert list(layer.attributes["地块编号"]) == ["SL-001"]
    assert list(layer.attributes["地块名称"]) == ["石龙焦化厂区"]
    assert layer.geometries[0].area == pytest.approx(10_000)
    assert any(said in n for n in layer.notices)
    assert not layer.problems


def test_eastings_without_the_zone_prefix_take_the_zone_from_the_header(tmp_path):
    path = txt(tmp_path, parcel("A", square(E0 - 38_000_000, N0, 100)))
    layer = read_layer(path)
    assert layer.epsg == 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
    assert layer.geometries[0].bounds[0] == pytest.approx(398_200)


def test_six_degree_zone(tmp_path):
    path = txt(tmp_path, parcel("A", square(19_698_200, N0, 100)), zone=19, width=6)
    assert read_layer(path).epsg == 4497  # CGCS2000 / Gauss-Kruger zone 19


def test_a_ring_inside_the_first_is_a_hole(tmp_path):
    path = txt(tmp_path, parcel("A", square(E0, N0, 100), square(E0 + 40, N0 + 40, 20)))
    shape = read_layer(path).geometries[0]
    assert shape.geom_type == "Polygon" and len(shape.interiors) == 1
    assert shape.area == pytest.approx(10_000 - 400)


def test_a_ring_outside_the_first_is_another_part(tmp_path):
    path = txt(tmp_path, parcel("A", square(E0, N0, 100), square(E0 + 300, N0, 50)))
    shape = read_layer(path).geometries[0]
    assert shape.geom_type == "MultiPolygon" and len(shape.geoms) == 2
    assert shape.area == pytest.approx(10_000 + 2_500)


def test_a_zone_number_that_disagrees_with_the_eastings_prefix_is_named(tmp_path):
    wrong = [(x, y + 1_000_000) if i == 2 else (x, y) for i, (x, y) in enumerate(square(E0, N0, 100))]
    path = txt(tmp_path, parcel("A", square(E0 + 500, N0, 100)), parcel("B", wrong))
    layer = read_layer(path)
    assert layer.geometries[0] is not None and layer.geometries[1] is None
    [message] = layer.problems[1]
    assert "地块B" in message and "J3" in message and "带号前缀为39" in message and "文件带号38" in message
    assert "界址.txt" in message


def test_swapped_axes_are_named(tmp_path):
    swapped = [(y, x) for x, y in square(E0, N0, 100)]
    layer = read_layer(txt(tmp_path, parcel("A", swapped)))
    assert layer.geometries[0] is None
    assert "J1" in layer.problems[0][0] and "纵横坐标互换" in layer.problems[0][0]


def test_an_unclosed_ring_is_named_not_closed(tmp_path):
    ring = square(E0, N0, 100)[:-1]
    layer = read_layer(txt(tmp_path, parcel("A", ring)))
    assert layer.geometries[0] is None
    message = layer.problems[0][0]
    assert "第1圈" in message and "未闭合" in message and "J1" in message and "J4" in message


def test_a_self_intersecting_ring_is_named_at_its_point(tmp_path):
    bow_tie = [(N0, E0), (N0 + 100, E0 + 100), (N0 + 100, E0), (N0, E0 + 100), (N0, E0)]
    layer = read_layer(txt(tmp_path, parcel("A", bow_tie), parcel("B", square(E0 + 500, N0, 50))))
    assert layer.geometries[0] is None and layer.geometries[1] is not None
    message = layer.problems[0][0]
    assert "自相交" in message and "界址点J" in message and "第1圈" in message


def test_a_file_without_coordinates_section_is_refused(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("宗地编号,面积\nA,1\n", encoding="utf-8")
    with pytest.raises(GeoError, match="地块坐标"):
        read_layer(path)


def test_a_malformed_point_line_names_its_line(tmp_path):
    path = txt(tmp_path, parcel("A", square(E0, N0, 100)) + "J9,1,abc,def\n")
    with pytest.raises(GeoError, match="第16行"):
        read_layer(path)


def test_other_datums_are_refused(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("[属性描述]\n坐标系=1980西安坐标系\n带号=38\n[地块坐标]\n" + parcel("A", square(E0, N0, 100)), encoding="utf-8")
    with pytest.raises(GeoError, match="CGCS2000"):
        read_layer(path)


def test_shapes_are_valid_polygons(tmp_path):
    layer = read_layer(txt(tmp_path, parcel("A", square(E0, N0, 100), square(E0 + 10, N0 + 10, 5))))
    assert shapely.is_valid(layer.geometries[0])
