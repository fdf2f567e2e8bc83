"""The checks of contract §8 on one parcel's rings, each named, none repaired.

Coordinates come as the surveyor writes them: X the northing, Y the easting (with or without
the zone number in front). Over China a northing lies between 1 500 km and 6 200 km; an easting
without prefix below 1 000 km; with prefix it is zone × 10⁶ + 500 000 ± half a zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import shapely

from landrules.geo.crs import PREFIX_SCALE

NORTHING = (1_500_000.0, 6_200_000.0)
PREFIXED_EASTING_MIN = 13 * PREFIX_SCALE
_POINT = re.compile(r"\[\s*([-0-9.eE+]+)\s+([-0-9.eE+]+)\s*\]")


def is_northing(v: float) -> bool:
    return NORTHING[0] <= v <= NORTHING[1]


def is_easting(v: float) -> bool:
    return 0 < v < PREFIX_SCALE or v >= PREFIXED_EASTING_MIN


def swapped_mask(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """`swapped_point`'s test on arrays: per point, X looks like an easting and Y a northing."""
    def northing(v):
        return (v >= NORTHING[0]) & (v <= NORTHING[1])

    def easting(v):
        return ((v > 0) & (v < PREFIX_SCALE)) | (v >= PREFIXED_EASTING_MIN)

    return ~(northing(xs) & easting(ys)) & easting(xs) & northing(ys)


def swapped_point(xs: Sequence[float], ys: Sequence[float]) -> int | None:
    """The first point whose X looks like an easting and Y like a northing (axes swapped)."""
    for i, (x, y) in enumerate(zip(xs, ys)):
        if not (is_northing(x) and is_easting(y)) and is_easting(x) and is_northing(y):
            return i
    return None


def prefix_of(easting: float) -> int | None:
    """The zone number written in front of an easting (None when it has none)."""
    return int(easting // PREFIX_SCALE) if easting >= PREFIXED_EASTING_MIN else None


def unclosed(xs: Sequence[float], ys: Sequence[float], tolerance: float = 1e-6) -> bool:
    return len(xs) < 2 or abs(xs[0] - xs[-1]) > tolerance or abs(ys[0] - ys[-1]) > tolerance


def self_intersection(ring_xy: np.ndarray) -> tuple[int, str] | None:
    """(index of the vertex nearest the fault, GEOS's reason) when the ring is not a valid
    polygon boundary (self-intersection, too few points), else None. `ring_xy`: (n, 2) in map x/y."""
    if len(ring_xy) < 4:
        return 0, "Too few points"
    reason = shapely.is_valid_reason(shapely.polygons(ring_xy))
    if reason == "Valid Geometry":
        return None
    found = _POINT.search(reason)
    if not found:
        return 0, reason
    at = np.array([float(found.group(1)), float(found.group(2))])
    return int(np.argmin(((ring_xy - at) ** 2).sum(axis=1))), reason


def explain(reason: str) -> str:
    """GEOS's reason in Chinese, the detail kept."""
    words = {"Self-intersection": "边自相交", "Ring Self-intersection": "环自相交", "Too few points": "点数不足（至少3个不同的点）",
             "Hole lies outside shell": "内环（洞）在外环之外", "Nested shells": "两个部分相互嵌套",
             "Interior is disconnected": "内部不连通", "Self-intersection ": "边自相交"}
    head = reason.split("[")[0]
    return words.get(head, head) + (f" {reason[len(head):]}" if len(reason) > len(head) else "")


def assemble(rings: list[np.ndarray]):
    """Rings (the first of a parcel first) into a Polygon or MultiPolygon: a ring inside an
    earlier part is that part's hole, any other ring another part (decided by containment).
    Returns (geometry, None) or (None, reason) when the assembled shape is invalid."""
    parts: list[tuple[shapely.Polygon, list[np.ndarray]]] = []
    shells = [shapely.polygons(r) for r in rings]
    for ring, shell in zip(rings, shells):
        host = next((k for k, (outer, _) in enumerate(parts) if outer.contains(shell)), None)
        if host is None:
            parts.append((shell, []))
        else:
            parts[host][1].append(ring)
    polygons = [shapely.polygons(shapely.get_exterior_ring(outer), holes=[shapely.linearrings(h) for h in holes]) if holes else outer
                for outer, holes in parts]
    geometry = polygons[0] if len(polygons) == 1 else shapely.multipolygons(polygons)
    reason = shapely.is_valid_reason(geometry)
    return (geometry, None) if reason == "Valid Geometry" else (None, reason)
