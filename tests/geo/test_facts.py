"""The facts a boundary file gives (contract §8), from files written here: a parcel in several
features, overlaps by the spatial index, shares inside a boundary and on industrial plan land,
and facts read once (the workbench) reused only under the same parameters."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely
from geo_files import E0, N0, box, layer

from landrules.geo.facts import PlanClasses, overlaps, parcel_facts, share_inside
from landrules.geo.join import MapInputs, load_map

CLASSES = PlanClasses(("YDYHFLDM",), ("1001",))


def test_a_parcel_written_as_several_features_is_one_shape_of_several_parts(tmp_path):
    path = layer(tmp_path / "p.gpkg", [box(E0, N0, 100), box(E0 + 300, N0, 50), box(E0 + 600, N0, 10)],
                 {"DKBH": ["A", "A", "B"]}, 4526, "GPKG")
    facts = parcel_facts(path)
    assert list(facts.ids) == ["A", "B"]
    assert facts.geometries[0].geom_type == "MultiPolygon" and len(facts.geometries[0].geoms) == 2
    assert facts.frame.loc["A", "geom_area_mu"] == pytest.approx((10_000 + 2_500) * 15 / 10_000, rel=1e-3)


def test_a_defect_in_one_part_sets_the_whole_parcel_aside(tmp_path):
    bow_tie = shapely.Polygon([(E0 + 300, N0), (E0 + 400, N0 + 100), (E0 + 400, N0), (E0 + 300, N0 + 100)])
    path = layer(tmp_path / "p.gpkg", [box(E0, N0, 100), bow_tie], {"DKBH": ["A", "A"]}, 4526, "GPKG")
    facts = parcel_facts(path)
    assert facts.geometries[0] is None and "自相交" in facts.problems["A"][0]
    assert np.isnan(facts.frame.loc["A", "geom_area_mu"])


def test_overlaps_name_each_other_above_the_parameter_only():
    shapes = np.array([box(0, 0, 100), box(90, 0, 100), box(189.995, 0, 100), None, box(1000, 0, 10)], dtype=object)
    ids = np.array(["A", "B", "C", "D", "E"], dtype=object)
    # A∩B is 10 m × 100 m; B∩C is 0.005 m × 100 m = 0.5 m², under the 1 m² parameter
    assert overlaps(ids, shapes, 1.0) == ["B", "A", None, None, None]
    assert overlaps(ids, shapes, 0.1) == ["B", "A、C", "B", None, None]


def test_share_inside_cuts_only_what_the_outline_crosses():
    shapes = np.array([box(0, 0, 10), box(95, 0, 10), box(200, 0, 10), None], dtype=object)
    region = shapely.box(-50, -50, 100, 50)
    assert share_inside(shapes, region)[:3].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert np.isnan(share_inside(shapes, region)[3])


def test_boundary_and_plan_shares_from_files(tmp_path):
    parcels = layer(tmp_path / "p.gpkg", [box(E0, N0, 100), box(E0 + 150, N0, 100)], {"DKBH": ["A", "B"]}, 4526, "GPKG")
    boundary = layer(tmp_path / "b.gpkg", [shapely.box(E0 - 10, N0 - 10, E0 + 200, N0 + 110)], {"名称": ["集聚区"]}, 4526, "GPKG")
    plan = layer(tmp_path / "g.gpkg", [shapely.box(E0 - 10, N0 - 10, E0 + 75, N0 + 110), shapely.box(E0 + 75, N0 - 10, E0 + 400, N0 + 110)],
                 {"YDYHFLDM": ["100101", "0701"]}, 4526, "GPKG")
    frame = parcel_facts(parcels, boundary=boundary, plan=plan, plan_classes=CLASSES).frame
    assert frame["inside_boundary_ratio"].tolist() == pytest.approx([1.0, 0.5])
    assert frame["planned_industrial_ratio"].tolist() == pytest.approx([0.75, 0.0])  # 100101 is under 1001


def test_facts_read_once_are_reused_under_the_same_parameters_only(rulebook, tmp_path):
    path = layer(tmp_path / "p.gpkg", [box(E0, N0, 100)], {"DKBH": ["A"]}, 4526, "GPKG")
    when = dt.date(2021, 10, 1)
    first = load_map(MapInputs(path), rulebook, when)
    again = MapInputs(path, loaded=first)
    assert load_map(again, rulebook, when) is first
    before = dt.date(2021, 1, 1)  # the map's parameters are not in force yet: other parameters, read afresh
    assert rulebook.param_value("geo.min_overlap_m2", before)[0] != rulebook.param_value("geo.min_overlap_m2", when)[0]
    assert load_map(again, rulebook, before) is not first
