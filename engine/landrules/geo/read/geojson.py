"""GeoJSON: RFC 7946 files are longitude/latitude (WGS 84, taken as CGCS2000: they differ by
centimetres); an older file's `crs` member naming a CGCS2000 zone is honoured."""

from __future__ import annotations

from pathlib import Path

from landrules.geo.crs import GEOGRAPHIC
from landrules.geo.layer import Layer
from landrules.geo.read.ogr import checked_layer, read_features


def read(path: Path) -> Layer:
    path = Path(path)
    epsg, geometries, attributes = read_features(path, str(path), default_epsg=GEOGRAPHIC)
    return checked_layer(path, epsg, geometries, attributes, [])
