"""Decisions as GeoJSON (RFC 7946): longitude/latitude (CGCS2000, the same as WGS 84 to the
centimetre), counter-clockwise outer rings, every decision's columns as properties."""

from __future__ import annotations

import numpy as np

from landrules.geo.crs import WGS84
from landrules.geo.write.base import MapWriter


class GeoJsonWriter(MapWriter):
    driver = "GeoJSON"
    layer_options = {"RFC7946": "YES"}

    def target_epsg(self) -> int:
        return WGS84  # RFC 7946 has no other; GDAL writes no `crs` member

    def geometries_out(self) -> np.ndarray:
        return self.shapes.lonlat()
