"""GeoPackage: the first layer, in the CRS it declares."""

from __future__ import annotations

from pathlib import Path

from landrules.geo.layer import Layer
from landrules.geo.read.ogr import checked_layer, read_features


def read(path: Path) -> Layer:
    path = Path(path)
    epsg, geometries, attributes = read_features(path, str(path))
    return checked_layer(path, epsg, geometries, attributes, [])
