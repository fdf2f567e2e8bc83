"""CGCS2000 coordinate systems: geographic (EPSG:4490) and its Gauss-Krüger 3° / 6° zones.

A Gauss-Krüger easting is written with its zone number in front (38 512 345.6 m: zone 38) or
without (512 345.6 m, the zone then given apart, as the TXT's 带号). The EPSG codes are looked up
in PROJ's own database by their names, never typed here: "CGCS2000 / 3-degree Gauss-Kruger
zone 38" (with prefix) is EPSG:4526, "… CM 114E" (without) is EPSG:4547.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

GEOGRAPHIC = 4490  # CGCS2000 longitude/latitude
WGS84 = 4326
PREFIX_SCALE = 1_000_000  # a prefixed easting is zone × 10⁶ + 500 000 ± half a zone's width
THREE_DEGREE_ZONES = range(25, 46)  # CGCS2000 3° zones over China (CM 75°E … 135°E)
SIX_DEGREE_ZONES = range(13, 24)  # 6° zones (CM 75°E … 135°E)


@dataclass(frozen=True)
class Zone:
    """A Gauss-Krüger zone: its width (3 or 6 degrees), number, and whether eastings carry it."""

    width: int
    number: int
    prefixed: bool

    @property
    def central_meridian(self) -> int:
        return self.number * 3 if self.width == 3 else self.number * 6 - 3

    @property
    def epsg(self) -> int:
        return zone_epsg(self.width, self.number, self.prefixed)

    def label(self) -> str:
        return f"{self.width}度带第{self.number}带（中央经线{self.central_meridian}°E，{'带' if self.prefixed else '不带'}带号）"


_NAME = re.compile(r"^CGCS2000 / (3-degree )?Gauss-Kruger (?:zone (\d+)|CM (\d+)E)$")


def zone_name(width: int, number: int, prefixed: bool) -> str:
    """The EPSG name of a CGCS2000 Gauss-Krüger zone."""
    if width == 3:
        return f"CGCS2000 / 3-degree Gauss-Kruger zone {number}" if prefixed else f"CGCS2000 / 3-degree Gauss-Kruger CM {number * 3}E"
    if width == 6:
        return f"CGCS2000 / Gauss-Kruger zone {number}" if prefixed else f"CGCS2000 / Gauss-Kruger CM {number * 6 - 3}E"
    raise KeyError(f"{width}度分带")


@lru_cache(maxsize=1)
def _cgcs2000_codes() -> dict[str, int]:
    """EPSG name -> code of every CGCS2000 projected CRS in PROJ's database (one query)."""
    from pyproj.database import query_crs_info
    from pyproj.enums import PJType

    return {i.name: int(i.code) for i in query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS)
            if i.name.startswith("CGCS2000 / ")}


def zone_epsg(width: int, number: int, prefixed: bool) -> int:
    """The EPSG code of a CGCS2000 Gauss-Krüger zone, looked up by name in PROJ's database
    (KeyError for a zone EPSG does not define)."""
    return _cgcs2000_codes()[zone_name(width, number, prefixed)]


@cache
def zone_of_epsg(epsg: int) -> Zone | None:
    """The zone an EPSG code stands for (None: not a CGCS2000 Gauss-Krüger zone), from its name."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        found = _NAME.match(CRS.from_epsg(epsg).name)
    except CRSError:
        return None
    if not found:
        return None
    width = 3 if found.group(1) else 6
    if found.group(2):
        return Zone(width, int(found.group(2)), True)
    cm = int(found.group(3))
    return Zone(width, cm // 3 if width == 3 else (cm + 3) // 6, False)


def three_degree_zone(longitude: float) -> int:
    """The 3° zone whose central meridian is nearest `longitude`."""
    return int(round(longitude / 3.0))


@cache
def transformer(source: int, target: int):
    """An always-xy (easting/longitude first) pyproj Transformer between two EPSG codes."""
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


def reproject(geometries, source: int, target: int):
    """Shapely geometries (an array) from one EPSG code to another, x = easting / longitude."""
    import shapely

    if source == target:
        return geometries
    t = transformer(source, target)
    return shapely.transform(geometries, lambda xy: _stack(t.transform(xy[:, 0], xy[:, 1])))


def _stack(xy):
    import numpy as np

    return np.column_stack(xy)


def epsg_of(crs) -> int | None:
    """The EPSG code of a CRS as pyogrio reports it ("EPSG:4526", WKT, PROJ JSON), or None."""
    if crs is None:
        return None
    from pyproj import CRS

    try:
        parsed = CRS.from_user_input(crs)
    except Exception:  # noqa: BLE001 - an unreadable .prj is reported by the caller
        return None
    code = parsed.to_epsg(min_confidence=70)
    if code is None and parsed.is_geographic and "2000" in (parsed.name or ""):
        return GEOGRAPHIC
    return code
