"""Decisions as a GeoPackage: one layer `decisions`, every decision's columns and its shape, in
the boundary file's own CRS (its Gauss-Krüger zone), so QGIS/ArcGIS open it on the survey's grid."""

from __future__ import annotations

import numpy as np

from landrules.geo.crs import GEOGRAPHIC
from landrules.geo.write.base import MapWriter


class GpkgWriter(MapWriter):
    driver = "GPKG"
    dataset_options = {"VERSION": "1.2"}  # GeoPackage 1.2: read by older GDAL (Debian's ogrinfo), QGIS and ArcGIS alike

    def target_epsg(self) -> int:
        return self.shapes.epsg if self.shapes is not None else GEOGRAPHIC

    def geometries_out(self) -> np.ndarray:
        return self.shapes.geometries
