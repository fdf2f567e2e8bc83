"""The boundary readers by kind: one module per format, one entry here.

`read_layer(path)` picks the reader by the file's extension (a `.zip` holds a Shapefile); a TXT
that is not the 界址点坐标 format is refused with a message saying what it lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from landrules.geo.layer import GeoError, Layer
from landrules.geo.read import geojson, gpkg, shapefile, txt

Reader = Callable[[Path], Layer]

READERS: dict[str, tuple[str, Reader]] = {
    ".txt": ("界址点坐标 TXT（建设用地报批/勘测定界）", txt.read),
    ".shp": ("Shapefile", shapefile.read),
    ".zip": ("Shapefile（.zip 压缩包）", shapefile.read),
    ".geojson": ("GeoJSON", geojson.read),
    ".json": ("GeoJSON", geojson.read),
    ".gpkg": ("GeoPackage", gpkg.read),
}


def read_layer(path: Path) -> Layer:
    path = Path(path)
    if not path.exists():
        raise GeoError(f"找不到图形文件 {path}")
    entry = READERS.get(path.suffix.lower())
    if entry is None:
        kinds = "、".join(f"{ext}（{name}）" for ext, (name, _) in READERS.items())
        raise GeoError(f"不支持的图形文件 {path.name}：应为 {kinds}")
    return entry[1](path)
