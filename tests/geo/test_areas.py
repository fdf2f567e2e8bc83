"""Areas in the parcel's own zone agree with pyproj's geodesic area within 0.1 %."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from landrules.core.fields import MU_PER_M2
from landrules.geo.crs import GEOGRAPHIC, reproject, zone_epsg
from landrules.geo.facts import own_zone_areas

GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid differs from GRS80 by 0.1 mm in the minor axis


def geodesic_m2(lonlat: shapely.Geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(lonlat)[0])


def parcels_near(lon: float, lat: float) -> np.ndarray:
    """A few lon/lat parcels of 1–30 ha around a point, one with a hole."""
    out = []
    for k, (dx, dy, size) in enumerate([(0, 0, 0.001), (0.01, 0.004, 0.003), (-0.02, 0.01, 0.005)]):
        shell = shapely.box(lon + dx, lat + dy, lon + dx + size, lat + dy + size * 0.8)
        if k == 2:
            shell = shell.difference(shapely.box(lon + dx + size / 4, lat + dy + size / 4, lon + dx + size / 2, lat + dy + size / 2))
        out.append(shell)
    return np.array(out, dtype=object)


@pytest.mark.parametrize("lon, lat", [(112.9, 33.9), (115.45, 33.9), (112.56, 34.6), (120.2, 30.3), (126.6, 45.7)])
@pytest.mark.parametrize("source", ["geographic", "3° prefixed", "3° plain", "6° prefixed"])
def test_areas_against_the_geodesic_area(lon, lat, source):
    shapes = parcels_near(lon, lat)
    zone3 = int(round(lon / 3))
    epsg = {"geographic": GEOGRAPHIC, "3° prefixed": zone_epsg(3, zone3, True), "3° plain": zone_epsg(3, zone3, False),
            "6° prefixed": zone_epsg(6, int(lon // 6) + 1, True)}[source]
    projected = reproject(shapes, GEOGRAPHIC, epsg)
    areas = own_zone_areas(projected, epsg)
    for area, shape in zip(areas, shapes, strict=True):
        assert area == pytest.approx(geodesic_m2(shape), rel=1e-3)


def test_an_edge_of_a_six_degree_zone_is_measured_in_its_own_three_degree_zone():
    """Near a 6° zone's edge the 6° plane overstates areas by about 0.2 %; the parcel's own 3°
    zone does not."""
    shapes = parcels_near(113.95, 33.9)  # 6° zone 19 (CM 111°E), near its east edge
    epsg = zone_epsg(6, 19, True)
    projected = reproject(shapes, GEOGRAPHIC, epsg)
    plane = shapely.area(projected)
    truth = np.array([geodesic_m2(s) for s in shapes])
    assert (plane / truth - 1).max() > 1e-3  # the 6° plane alone would miss the tolerance
    assert own_zone_areas(projected, epsg) == pytest.approx(truth, rel=1e-3)


def test_mu():
    assert 10_000 / 15 * MU_PER_M2 == pytest.approx(1.0)
